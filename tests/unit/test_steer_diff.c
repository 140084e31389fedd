// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Differential test: random and mutated frames through the real XDP program (BPF_PROG_RUN) and
 * through hp_parse_packet + hp_ref_classify, under a random rule set that changes (deletes and
 * adds) as the test runs. Every frame: same verdict and the same rule (the expected rule's
 * counter, or the nomatch/malformed counter, must have moved by exactly one); at the end every
 * per-rule and per-action counter equals the reference's tally. Reproducible: HP_TEST_SEED.
 * HP_STEER_DIFF_PACKETS changes the number of frames (default 1,000,000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "test.h"
#include "steer_pkt.h"

#define NRULES_MAX	1024

static unsigned int rnd(unsigned int n)
{
	return n ? test__rand() % n : 0;
}

static const __u16 port_pool[] = { 0, 1, 7, 53, 80, 443, 1000, 1023, 1024, 4000, 8080, 65535 };

static __u16 rand_port(void)
{
	return rnd(3) ? port_pool[rnd(sizeof(port_pool) / 2)] + rnd(3) : rnd(65536);
}

static void rand_addr(int l3, __u8 *a)
{
	memset(a, 0, 16);
	if (l3 == 4) {
		a[0] = 10;
		a[1] = rnd(2);
		a[2] = rnd(4);
		a[3] = rnd(256);
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[5] = rnd(3);
		a[7] = rnd(2);
		a[15] = rnd(256);
	}
}

static void apply_prefix(__u8 *a, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		int b = (int)plen - (int)i * 8;

		a[i] &= b >= 8 ? 0xff : b <= 0 ? 0 : (__u8)(0xff << (8 - b));
	}
}

static void rand_rule_once(struct hp_rule *r);

/*
 * Specific rules: without an address, port or VLAN a rule must at least name a rare
 * protocol (a catch-all or family-wide rule would take every frame; the crafted tests have those).
 */
static bool broad(const struct hp_rule *r)
{
	/* (not the queue: BPF_PROG_RUN frames all arrive on queue 0) */
	if (r->match & (HP_RM_SRC | HP_RM_DST | HP_RM_SPORT | HP_RM_DPORT | HP_RM_VLAN))
		return false;
	return !(r->match & HP_RM_L4PROTO) || r->l4proto == 6 || r->l4proto == 17;
}

static void rand_rule(struct hp_rule *r)
{
	do {
		rand_rule_once(r);
	} while (broad(r));
}

static void rand_rule_once(struct hp_rule *r)
{
	static const __u8 v4len[] = { 16, 24, 24, 32 }, v6len[] = { 48, 64, 128, 128 };
	static const __u8 protos[] = { 6, 6, 17, 17, 1, 58, 47 };
	unsigned int k = rnd(10);
	__u16 a, w;

	memset(r, 0, sizeof(*r));
	r->l3 = k < 5 ? 4 : k < 8 ? 6 : 0;
	if (r->l3) {
		r->match |= HP_RM_L3;
		if (rnd(10) < 4) {
			rand_addr(r->l3, r->src);
			r->src_len = r->l3 == 4 ? v4len[rnd(4)] : v6len[rnd(4)];
			apply_prefix(r->src, r->src_len);
			r->match |= HP_RM_SRC;
		}
		if (rnd(10) < 5) {
			rand_addr(r->l3, r->dst);
			r->dst_len = r->l3 == 4 ? v4len[rnd(4)] : v6len[rnd(4)];
			apply_prefix(r->dst, r->dst_len);
			r->match |= HP_RM_DST;
		}
	}
	if (rnd(10) < 6) {
		r->l4proto = protos[rnd(sizeof(protos))];
		r->match |= HP_RM_L4PROTO;
	}
	if (!(r->match & HP_RM_L4PROTO) || r->l4proto == 6 || r->l4proto == 17) {
		if (rnd(10) < 4) {
			a = rand_port();
			k = rnd(6);	/* one port, an aligned block, or any short range */
			w = k < 4 ? 0 : k < 5 ? 15 : rnd(40);
			if (k == 4)
				a &= ~15;
			r->dport_lo = a;
			r->dport_hi = a + w < 65536 ? a + w : 65535;
			r->match |= HP_RM_DPORT;
		}
		if (rnd(10) < 2) {
			a = rand_port();
			w = rnd(4) ? 0 : rnd(20);
			r->sport_lo = a;
			r->sport_hi = a + w < 65536 ? a + w : 65535;
			r->match |= HP_RM_SPORT;
		}
	}
	if (rnd(10) < 1) {
		r->vlan = 1 + rnd(3);
		r->match |= HP_RM_VLAN;
	}
	if (rnd(20) < 1) {
		r->queue = rnd(2);
		r->match |= HP_RM_QUEUE;
	}
	r->prio = 1 + rnd(20);
	r->action = rnd(HP_ACT_MAX);
	if (r->action == HP_ACT_XSK)
		r->action_arg = rnd(2) ? HP_XSK_RXQ : rnd(HP_MAX_QUEUES);
	if (r->action == HP_ACT_REDIRECT) {
		r->action_arg = 1;
		strcpy(r->redirect_ifname, "lo");
	}
	r->used = 1;
}

/* A frame: usually built to hit a random rule, sometimes random; then maybe mutated. */
static int rand_frame(const struct hp_rule *rules, __u32 nids, __u8 *pkt)
{
	static const __u8 exts[] = { 0, 43, 44, 51, 60, 60, 59, 6, 17 };
	static const __u16 ets[] = { 0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806, 0x9100 };
	struct pkt_spec s = {};
	const struct hp_rule *r = NULL;
	int len, i, n;

	if (rnd(10) < 7) {
		for (i = 0; i < 8 && !r; i++) {
			__u32 id = 1 + rnd(nids - 1);

			if (rules[id].used)
				r = &rules[id];
		}
	}
	s.l3 = r && (r->match & HP_RM_L3) ? r->l3 : (rnd(10) < 5 ? 4 : rnd(10) < 8 ? 6 : 0);
	rand_addr(s.l3 ? s.l3 : 4, s.src);
	rand_addr(s.l3 ? s.l3 : 4, s.dst);
	if (!r && rnd(2)) {	/* addresses outside every rule's pool */
		s.src[0] = 11 + rnd(100);
		s.dst[0] = 11 + rnd(100);
	}
	if (r && (r->match & HP_RM_SRC)) {
		__u8 mk[16];

		memset(mk, 0xff, 16);
		apply_prefix(mk, r->src_len);
		for (i = 0; i < (s.l3 == 4 ? 4 : 16); i++)	/* rule prefix, random host bits */
			s.src[i] = (r->src[i] & mk[i]) | (rnd(256) & ~mk[i]);
	}
	if (r && (r->match & HP_RM_DST))
		memcpy(s.dst, r->dst, 16);
	s.proto = r && (r->match & HP_RM_L4PROTO) ? r->l4proto : (rnd(3) ? 6 + 11 * rnd(2) :
								   rnd(256));
	s.sport = r && (r->match & HP_RM_SPORT) ? r->sport_lo + rnd(r->sport_hi - r->sport_lo + 1)
						: rand_port();
	s.dport = r && (r->match & HP_RM_DPORT) ? r->dport_lo + rnd(r->dport_hi - r->dport_lo + 1)
						: rand_port();
	n = rnd(10);
	s.nvlan = n < 6 ? 0 : n < 8 ? 1 : n < 9 ? 2 : 3;
	for (i = 0; i < s.nvlan; i++) {
		s.vid[i] = (rnd(2) ? 1 + rnd(3) : rnd(4096)) | (rnd(8) << 13);
		if (rnd(4) == 0)
			s.vlan_tpid[i] = rnd(2) ? 0x8100 : 0x88a8;
	}
	if (r && (r->match & HP_RM_VLAN)) {
		s.nvlan = s.nvlan ? s.nvlan : 1;
		s.vid[0] = r->vlan;
	}
	if (s.l3 == 4) {
		if (rnd(5) == 0)
			s.ip_optlen = 4 * rnd(11);
		if (rnd(6) == 0)
			s.frag = rnd(2) ? 0x2000 : rnd(0x4000);
	} else if (s.l3 == 6 && rnd(3) == 0) {
		s.next = rnd(HP_MAX_EXTHDRS + 3);
		for (i = 0; i < s.next; i++)
			s.ext[i] = exts[rnd(sizeof(exts))];
		s.ext_fragoff = rnd(3) ? rnd(2) : rnd(65536);
		/* a non-extension "header" in the chain ends it: the builder writes it anyway */
	}
	if (s.proto == 6 && rnd(8) == 0)
		s.tcp_doff = rnd(16);
	s.payload = rnd(4) ? rnd(64) : rnd(1200);
	len = pkt_build(&s, pkt);
	/* mutations */
	if (rnd(4) == 0) {
		switch (rnd(5)) {
		case 0:	/* truncate */
			len = rnd(len + 1);
			break;
		case 1:	/* flip bytes */
			for (i = 0, n = 1 + rnd(3); i < n; i++)
				pkt[rnd(len)] ^= 1 + rnd(255);
			break;
		case 2:	/* random ethertype, maybe one inside a VLAN stack */
			i = 12 + 4 * rnd(s.nvlan + 1);
			n = rnd(3) ? ets[rnd(sizeof(ets) / 2)] : rnd(65536);
			pkt[i] = n >> 8;
			pkt[i + 1] = n;
			break;
		case 3:	/* random IP protocol / next header */
			if (s.l3 == 4)
				pkt[14 + 4 * s.nvlan + 9] = rnd(256);
			else if (s.l3 == 6)
				pkt[14 + 4 * s.nvlan + 6] = exts[rnd(sizeof(exts))];
			break;
		default: /* corrupt a length field: ihl, tot_len, ext len, doff */
			i = 14 + 4 * s.nvlan + rnd(60);
			if (i < len)
				pkt[i] = rnd(256);
			break;
		}
	}
	return len;
}

struct tally {
	__u64 rule[NRULES_MAX][2];
	__u64 act[HP_CNT_MAX][2];
};

static int verdict_of(__u32 action)
{
	switch (action) {
	case HP_ACT_DROP: return XDP_DROP;
	case HP_ACT_REDIRECT: return XDP_REDIRECT;
	case HP_ACT_TX: return XDP_TX;
	default: return XDP_PASS;	/* pass, and xsk without a socket */
	}
}

static void add_tally(__u64 *t, __u64 len)
{
	t[0]++;
	t[1] += len;
}

void test_steer_differential(void)
{
	struct hp_counters base[HP_CNT_MAX], c;
	struct hp_rule *rules = NULL, r;
	struct steer *skel = NULL;
	struct hp_ruleset *rs = NULL;
	struct hp_steer_maps m;
	struct tally *t = NULL;
	__u8 pkt[PKT_MAX];
	unsigned long npkts = 1000000, i, nmal = 0, nmatch = 0, nrej = 0, nadd = 0, ndel = 0;
	__u32 def = HP_ACT_PASS, id, nids = 1, k;
	int prog, prog_mb, err, bad = 0;
	const char *env = getenv("HP_STEER_DIFF_PACKETS");
	struct timespec t0, t1;

	if (env)
		npkts = strtoul(env, NULL, 0);
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
	prog_mb = bpf_program__fd(skel->progs.hp_steer_mb);
	rs = hp_ruleset_open(&m);
	rules = calloc(NRULES_MAX, sizeof(*rules));
	t = calloc(1, sizeof(*t));
	if (!ASSERT_OK_PTR(rs, "open") || !ASSERT_OK_PTR(rules, "alloc") || !ASSERT_OK_PTR(t, "t"))
		goto out;
	for (k = 0; k < HP_CNT_MAX; k++)
		hp_counters_read(m.act_cnt, k, &base[k]);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < npkts && !bad; i++) {
		struct hp_key key;
		__u32 rule, expect_idx;
		int len, v, want, fd;

		/* rule set churn: 300 rules at the start, then every 100k frames 20 out, 25 in */
		if (i % 100000 == 0) {
			unsigned int nd = i ? 20 : 0, na = i ? 25 : 300, j;

			for (j = 0; j < nd; j++) {
				id = 1 + rnd(nids - 1);
				if (!rules[id].used)
					continue;
				if (!ASSERT_OK(hp_ruleset_del(rs, id), "del"))
					bad = 1;
				memset(&rules[id], 0, sizeof(rules[id]));
				memset(t->rule[id], 0, sizeof(t->rule[id]));
				ndel++;
			}
			for (j = 0; j < na; j++) {
				rand_rule(&r);
				err = hp_ruleset_add(rs, &r, &id);
				if (err == -ENOSPC) {	/* too many shapes: a valid refusal */
					nrej++;
					continue;
				}
				if (!ASSERT_OK(err, hp_ruleset_errmsg(rs)) ||
				    !ASSERT_LT(id, NRULES_MAX, "id"))
					break;
				rules[id] = r;
				memset(t->rule[id], 0, sizeof(t->rule[id]));
				if (id >= nids)
					nids = id + 1;
				nadd++;
			}
			def = i / 100000 % 2 ? HP_ACT_DROP : HP_ACT_PASS;
			set_default(skel, def);
		}
		len = rand_frame(rules, nids, pkt);
		if (hp_parse_packet(pkt, len, 0, &key)) {
			rule = 0;
			expect_idx = HP_CNT_MALFORMED;
			nmal++;
		} else {
			rule = hp_ref_classify(rules, nids, &key);
			expect_idx = rule ? 0 : HP_CNT_NOMATCH;
		}
		if (len < 14)	/* BPF_PROG_RUN refuses runts: the parser verdict is all we have */
			continue;
		want = verdict_of(rule ? rules[rule].action : def);
		fd = i % 16 == 0 ? prog_mb : prog;
		v = pkt_run(fd, pkt, len, NULL, NULL);
		if (rule) {
			nmatch++;
			add_tally(t->rule[rule], len);
			add_tally(t->act[rules[rule].action], len);
			if (rules[rule].action == HP_ACT_XSK)
				add_tally(t->act[HP_CNT_XSK_MISS], len);
		} else {
			add_tally(t->act[expect_idx], len);
			add_tally(t->act[def], len);
		}
		/* the rule (or nomatch/malformed) counter the reference expects moved */
		if (rule)
			hp_counters_read(m.rule_cnt, rule, &c);
		else {
			hp_counters_read(m.act_cnt, expect_idx, &c);
			c.packets -= base[expect_idx].packets;
		}
		if (v != want || c.packets != (rule ? t->rule[rule][0] : t->act[expect_idx][0])) {
			char text[256] = "";

			if (rule)
				hp_rule_format(&rules[rule], text, sizeof(text));
			fprintf(stderr, "frame %lu (seed 0x%llx, len %d): verdict %d want %d, "
				"ref rule %u (%s), counter %llu want %llu\n", i, test__seed(), len, v,
				want, rule, text, (unsigned long long)c.packets,
				(unsigned long long)(rule ? t->rule[rule][0] : t->act[expect_idx][0]));
			for (k = 0; k < (__u32)len && k < 96; k++)
				fprintf(stderr, "%02x%s", pkt[k], k % 16 == 15 ? "\n" : " ");
			fprintf(stderr, "\n");
			test__fail();
			bad = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "steer_differential: %lu frames in %.1fs: %lu matched a rule, %llu "
		"no rule, %lu malformed; rules added %lu, deleted %lu, refused (tuples full) %lu\n", i,
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, nmatch,
		(unsigned long long)t->act[HP_CNT_NOMATCH][0], nmal,
		nadd, ndel, nrej);
	ASSERT_GE(nadd, 200, "most random rules fit in the tuples");
	ASSERT_GE(nmatch, i / 4, "a good share of frames hit rules");
	ASSERT_GE(t->act[HP_CNT_NOMATCH][0], i / 20, "a good share of frames hit no rule");
	ASSERT_GE(nmal, i / 100, "malformed frames are exercised");
	/* all counters agree at the end */
	for (id = 1; id < nids; id++) {
		hp_counters_read(m.rule_cnt, id, &c);
		if (!ASSERT_EQ(c.packets, t->rule[id][0], "rule packets") ||
		    !ASSERT_EQ(c.bytes, t->rule[id][1], "rule bytes")) {
			fprintf(stderr, "  rule %u\n", id);
			break;
		}
	}
	for (k = 0; k < HP_CNT_MAX; k++) {
		hp_counters_read(m.act_cnt, k, &c);
		if (!ASSERT_EQ(c.packets - base[k].packets, t->act[k][0], hp_counter_name(k)) ||
		    !ASSERT_EQ(c.bytes - base[k].bytes, t->act[k][1], hp_counter_name(k)))
			break;
	}
out:
	free(t);
	free(rules);
	hp_ruleset_free(rs);
	steer__destroy(skel);
}
