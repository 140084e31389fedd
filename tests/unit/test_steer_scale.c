// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 100,000 rules: compile them into the real program's maps (time printed), match frames that hit
 * rules at the start, middle and end, reopen the rule set from the maps, delete, and check that
 * a full tuple table is refused with the maps unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "test.h"
#include "steer_pkt.h"

#define NSCALE 100000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Rule i: udp to 10.(i/65536).(i/256).(i%256) port 1000+i%7 (every 10th: a /24 + port range) */
static void scale_rule(unsigned int i, struct hp_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->used = 1;
	r->match = HP_RM_L3 | HP_RM_L4PROTO | HP_RM_DST | HP_RM_DPORT;
	r->l3 = HP_L3_IPV4;
	r->l4proto = 17;
	r->dst[0] = 10 + i / 65536;
	r->dst[1] = i / 256 % 256;
	r->dst[2] = i % 256;
	r->dst_len = 24;
	r->dport_lo = r->dport_hi = 1000 + i % 7;
	if (i % 10) {
		r->dst[3] = 1 + i % 200;
		r->dst_len = 32;
	} else {
		r->dport_hi = r->dport_lo + 100;
	}
	r->prio = 100 + i % 3;
	r->action = i % 2 ? HP_ACT_DROP : HP_ACT_TX;
}

void test_steer_scale(void)
{
	struct hp_rule *rules = NULL, *all = NULL, r;
	struct hp_ruleset *rs = NULL, *rs2 = NULL;
	struct steer *skel;
	struct hp_steer_maps m;
	__u32 *ids = NULL, probes[] = { 0, 1, NSCALE / 2, NSCALE / 2 + 3, NSCALE - 10, NSCALE - 1 };
	double t0, t_add, t_open;
	unsigned int i, j;
	__u8 pkt[PKT_MAX];
	int prog, len;

	skel = steer__open_and_load();
	if (!skel) {
		if (errno == EPERM)
			test__skip("loading BPF needs root/CAP_BPF");
		else
			ASSERT_OK_PTR(skel, "load");
		return;
	}
	maps_of(skel, &m);
	prog = bpf_program__fd(skel->progs.hp_steer);
	rs = hp_ruleset_open(&m);
	rules = calloc(NSCALE, sizeof(*rules));
	ids = calloc(NSCALE, sizeof(*ids));
	if (!ASSERT_OK_PTR(rs, "open") || !ASSERT_OK_PTR(rules, "alloc") || !ASSERT_OK_PTR(ids, "ids"))
		goto out;
	for (i = 0; i < NSCALE; i++)
		scale_rule(i, &rules[i]);
	t0 = now();
	if (!ASSERT_OK(hp_ruleset_add_many(rs, rules, NSCALE, ids), hp_ruleset_errmsg(rs)))
		goto out;
	t_add = now() - t0;
	ASSERT_EQ(hp_ruleset_count(rs), NSCALE, "count");
	ASSERT_LT(t_add, 60, "100k rules in well under a minute");

	if (test__start_subtest("match_start_middle_end")) {
		for (j = 0; j < sizeof(probes) / sizeof(probes[0]); j++) {
			struct pkt_spec s = { .l3 = 4, .proto = 17, .sport = 5, .payload = 20 };
			struct hp_counters c0, c1;
			char name[64];

			i = probes[j];
			memcpy(s.dst, rules[i].dst, 4);
			s.dst[3] |= rules[i].dst_len == 24 ? 77 : 0;
			s.dport = rules[i].dport_hi;
			s.src[0] = 192;
			len = pkt_build(&s, pkt);
			snprintf(name, sizeof(name), "rule #%u (id %u)", i, ids[i]);
			hp_counters_read(m.rule_cnt, ids[i], &c0);
			ASSERT_EQ(pkt_run(prog, pkt, len, NULL, NULL),
				  rules[i].action == HP_ACT_DROP ? XDP_DROP : XDP_TX, name);
			hp_counters_read(m.rule_cnt, ids[i], &c1);
			ASSERT_EQ(c1.packets, c0.packets + 1, name);
			s.dport = rules[i].dport_hi + 1;
			len = pkt_build(&s, pkt);
			ASSERT_EQ(pkt_run(prog, pkt, len, NULL, NULL), XDP_PASS, "next port: no rule");
		}
	}
	if (test__start_subtest("reopen_from_maps")) {
		t0 = now();
		rs2 = hp_ruleset_open(&m);
		t_open = now() - t0;
		if (ASSERT_OK_PTR(rs2, "reopen")) {
			ASSERT_EQ(hp_ruleset_count(rs2), NSCALE, "count after reopen");
			ASSERT_MEMEQ(hp_ruleset_get(rs2, ids[NSCALE - 1]), &rules[NSCALE - 1],
				     sizeof(r), "last rule read back");
			/* the reopened mirror can delete: the frame falls through afterwards */
			ASSERT_OK(hp_ruleset_del(rs2, ids[1]), "del via reopened set");
			hp_ruleset_free(rs2);
			rs2 = NULL;
		}
		hp_ruleset_free(rs);
		rs = hp_ruleset_open(&m);
		ASSERT_OK_PTR(rs, "reopen again");
		fprintf(stderr, "steer_scale: %d rules added in %.2fs, rule set reopened in %.2fs\n",
			NSCALE, t_add, t_open);
	}
	if (rs && test__start_subtest("tuples_full_refused_unchanged")) {
		struct hp_flow_key fk, nk;
		__u32 before = hp_ruleset_count(rs), id, nflows = 0, nflows2 = 0, added = 0;
		bool more;
		int err = 0;

		/* count flows, then fill the tuple table with new shapes until refused */
		for (more = !bpf_map_get_next_key(m.flows, NULL, &fk); more;
		     more = !bpf_map_get_next_key(m.flows, &fk, &nk), fk = nk)
			nflows++;
		for (i = 0; i < HP_MAX_TUPLES + 1 && !err; i++) {
			memset(&r, 0, sizeof(r));
			r.used = 1;
			r.match = HP_RM_L3 | HP_RM_SRC;
			r.l3 = HP_L3_IPV6;
			r.src_len = i + 1;
			r.src[0] = 0x80;
			r.action = HP_ACT_DROP;
			err = hp_ruleset_add(rs, &r, &id);
			added += !err;
		}
		ASSERT_EQ(err, -ENOSPC, "refused");
		ASSERT_TRUE(strstr(hp_ruleset_errmsg(rs), "HP_MAX_TUPLES") != NULL, "message");
		ASSERT_EQ(hp_ruleset_count(rs), before + added, "refused rule not counted");
		for (more = !bpf_map_get_next_key(m.flows, NULL, &fk); more;
		     more = !bpf_map_get_next_key(m.flows, &fk, &nk), fk = nk)
			nflows2++;
		ASSERT_EQ(nflows2, nflows + added, "flows: only the accepted rules' entries");
	}
	if (rs && test__start_subtest("delete_all")) {
		all = calloc(HP_MAX_RULES, sizeof(*all));
		t0 = now();
		for (i = 1; i < HP_MAX_RULES; i++)
			if (hp_ruleset_get(rs, i))
				ASSERT_OK(hp_ruleset_del(rs, i), "del");
		ASSERT_EQ(hp_ruleset_count(rs), 0, "empty");
		fprintf(stderr, "steer_scale: all rules deleted in %.2fs\n", now() - t0);
		ASSERT_EQ(bpf_map_get_next_key(m.flows, NULL, &r), -ENOENT, "flows map empty");
	}
out:
	free(all);
	free(ids);
	free(rules);
	hp_ruleset_free(rs);
	steer__destroy(skel);
}
