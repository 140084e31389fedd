// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The XDP steering program on crafted frames (BPF_PROG_RUN of the real steer.bpf.c, maps filled
 * by the rule compiler): header variants, every match field, every action, priorities, default
 * action, malformed frames, counters. Each case also checks hp_parse_packet + hp_ref_classify.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"
#include "steer_pkt.h"

struct ctx {
	struct steer *skel;
	struct hp_ruleset *rs;
	struct hp_steer_maps m;
	int prog;
};

static bool setup(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->skel = steer__open_and_load();
	if (!c->skel) {
		if (errno == EPERM)
			test__skip("loading BPF needs root/CAP_BPF");
		else
			ASSERT_OK_PTR(c->skel, "steer__open_and_load");
		return false;
	}
	maps_of(c->skel, &c->m);
	c->prog = bpf_program__fd(c->skel->progs.hp_steer);
	c->rs = hp_ruleset_open(&c->m);
	if (!ASSERT_OK_PTR(c->rs, "hp_ruleset_open")) {
		steer__destroy(c->skel);
		return false;
	}
	return true;
}

static void teardown(struct ctx *c)
{
	hp_ruleset_free(c->rs);
	steer__destroy(c->skel);
}

static struct pkt_spec udp4(const char *src, const char *dst, __u16 sp, __u16 dp)
{
	struct pkt_spec s = { .l3 = 4, .proto = 17, .sport = sp, .dport = dp, .payload = 18 };

	addr(4, src, s.src);
	addr(4, dst, s.dst);
	return s;
}

static struct pkt_spec tcp6(const char *src, const char *dst, __u16 sp, __u16 dp)
{
	struct pkt_spec s = { .l3 = 6, .proto = 6, .sport = sp, .dport = dp, .payload = 10 };

	addr(6, src, s.src);
	addr(6, dst, s.dst);
	return s;
}

static __u64 cnt(int fd, __u32 idx, bool bytes)
{
	struct hp_counters c = {};

	hp_counters_read(fd, idx, &c);
	return bytes ? c.bytes : c.packets;
}

/*
 * Run spec through the program; check the verdict, that the expected rule (0: none) counted
 * it, and that the userspace parser + reference classifier reach the same rule.
 */
static bool expect(struct ctx *c, const struct pkt_spec *s, int verdict, __u32 rule,
		   const char *name)
{
	__u8 pkt[PKT_MAX];
	struct hp_key key;
	__u64 before;
	int len, rc, pr;
	__u32 ref = 0;
	bool ok = true;

	len = pkt_build(s, pkt);
	before = rule ? cnt(c->m.rule_cnt, rule, false) : 0;
	rc = pkt_run(c->prog, pkt, len, NULL, NULL);
	ok &= ASSERT_EQ(rc, verdict, name);
	if (rule)
		ok &= ASSERT_EQ(cnt(c->m.rule_cnt, rule, false), before + 1, name);
	pr = hp_parse_packet(pkt, len, 0, &key);
	if (!pr) {
		struct hp_rule *all = calloc(HP_MAX_RULES, sizeof(*all));
		__u32 id;

		if (all) {
			for (id = 1; id < HP_MAX_RULES; id++)
				if (hp_ruleset_get(c->rs, id))
					all[id] = *hp_ruleset_get(c->rs, id);
			ref = hp_ref_classify(all, HP_MAX_RULES, &key);
			free(all);
		}
	}
	ok &= ASSERT_EQ(ref, rule, name);
	return ok;
}

void test_steer_headers(void)
{
	struct pkt_spec s;
	struct ctx c;
	__u32 r4, r6, rv, rrest;

	if (!setup(&c))
		return;
	if (!ASSERT_OK(add_rule_str(c.rs, "--proto udp --dst 10.0.0.0/24 --dport 53 --action drop",
				    &r4), "add r4"))
		goto out;
	ASSERT_OK(add_rule_str(c.rs, "--proto tcp --src 2001:db8::/32 --dport 80 --action drop",
			       &r6), "add r6");
	ASSERT_OK(add_rule_str(c.rs, "--vlan 100 --action tx --prio 10", &rv), "add rv");
	ASSERT_OK(add_rule_str(c.rs, "--proto icmpv6 --action drop", &rrest), "add icmpv6");

	if (test__start_subtest("plain_ipv4")) {
		s = udp4("192.168.1.1", "10.0.0.7", 1000, 53);
		expect(&c, &s, XDP_DROP, r4, "udp4 hit");
		s.dport = 54;
		expect(&c, &s, XDP_PASS, 0, "udp4 other port");
		addr(4, "10.0.1.7", s.dst);
		s.dport = 53;
		expect(&c, &s, XDP_PASS, 0, "udp4 other net");
	}
	if (test__start_subtest("vlan")) {
		s = udp4("192.168.1.1", "10.0.0.7", 1000, 53);
		s.nvlan = 1;
		s.vid[0] = 7;
		expect(&c, &s, XDP_DROP, r4, "1 tag other vid");
		s.vid[0] = 100;
		expect(&c, &s, XDP_TX, rv, "1 tag vid 100");
		s.nvlan = 2;
		s.vid[0] = 100;
		s.vid[1] = 5;
		expect(&c, &s, XDP_TX, rv, "2 tags outer 100");
		s.vid[0] = 5;
		s.vid[1] = 100;
		expect(&c, &s, XDP_DROP, r4, "2 tags inner 100 matches the L3 rule only");
		s.nvlan = 3;	/* third tag not parsed: L3 unknown */
		s.vid[0] = 6;
		expect(&c, &s, XDP_PASS, 0, "3 tags");
		s.vid[0] = 100;
		expect(&c, &s, XDP_TX, rv, "3 tags outer 100");
	}
	if (test__start_subtest("ipv4_options")) {
		s = udp4("192.168.1.1", "10.0.0.7", 1000, 53);
		s.ip_optlen = 40;
		expect(&c, &s, XDP_DROP, r4, "ihl 15");
		s.ip_optlen = 4;
		expect(&c, &s, XDP_DROP, r4, "ihl 6");
	}
	if (test__start_subtest("ipv4_fragments")) {
		s = udp4("192.168.1.1", "10.0.0.7", 1000, 53);
		s.frag = 0x2000;	/* MF, offset 0: first fragment has ports */
		expect(&c, &s, XDP_DROP, r4, "first fragment");
		s.frag = 0x0010;	/* offset 16*8: no ports */
		expect(&c, &s, XDP_PASS, 0, "non-first fragment");
	}
	if (test__start_subtest("ipv6_exthdrs")) {
		static const __u8 one[] = { 0, 43, 60, 51, 44 };
		unsigned int i;

		s = tcp6("2001:db8::1", "2001:db8:1::2", 4000, 80);
		expect(&c, &s, XDP_DROP, r6, "plain");
		for (i = 0; i < sizeof(one); i++) {
			char name[32];

			s.next = 1;
			s.ext[0] = one[i];
			s.ext_fragoff = 1;	/* M set, offset 0 */
			snprintf(name, sizeof(name), "ext %u", one[i]);
			expect(&c, &s, XDP_DROP, r6, name);
		}
		s.next = 5;
		memcpy(s.ext, (__u8[]){ 0, 60, 43, 44, 60 }, 5);
		expect(&c, &s, XDP_DROP, r6, "chain of 5");
		s.next = HP_MAX_EXTHDRS;
		memset(s.ext, 60, HP_MAX_EXTHDRS);
		expect(&c, &s, XDP_DROP, r6, "chain at the limit");
		s.next = 2;
		s.ext[0] = 44;
		s.ext[1] = 60;
		s.ext_fragoff = 0x100;	/* non-first: walk ends, proto = 60, no ports */
		s.proto = 6;
		expect(&c, &s, XDP_PASS, 0, "non-first v6 fragment");
		s = tcp6("2001:db8::1", "::1", 1, 2);
		s.proto = 58;
		expect(&c, &s, XDP_DROP, rrest, "icmpv6");
	}
out:
	teardown(&c);
}

void test_steer_malformed(void)
{
	static const struct {
		const char *name;
		int cut;		/* truncate the frame to this length (0: no) */
		int l3;
		int byte, val;		/* overwrite byte at offset (relative to L3, -1: none) */
		int nvlan, next;
		__u8 proto;
		int doff;
	} cases[] = {
		{ "short_eth", 13, 4, -1, 0, 0, 0, 17, 0 },
		{ "empty", 1, 4, -1, 0, 0, 0, 17, 0 },
		{ "vlan_cut", 16, 4, -1, 0, 1, 0, 17, 0 },
		{ "vlan2_cut", 20, 4, -1, 0, 2, 0, 17, 0 },
		{ "ipv4_short", 14 + 19, 4, -1, 0, 0, 0, 17, 0 },
		{ "ipv4_version", 0, 4, 0, 0x55, 0, 0, 17, 0 },
		{ "ipv4_ihl_lt5", 0, 4, 0, 0x44, 0, 0, 17, 0 },
		{ "ipv4_ihl_beyond", 14 + 24, 4, 0, 0x4f, 0, 0, 17, 0 },
		{ "ipv4_totlen_lt_ihl", 0, 4, 3, 10, 0, 0, 17, 0 },
		{ "ipv6_short", 14 + 39, 6, -1, 0, 0, 0, 17, 0 },
		{ "ipv6_version", 0, 6, 0, 0x40, 0, 0, 17, 0 },
		{ "ipv6_ext_cut", 14 + 40 + 12, 6, -1, 0, 0, 1, 17, 0 },
		{ "ipv6_too_many_ext", 0, 6, -1, 0, 0, HP_MAX_EXTHDRS + 1, 17, 0 },
		{ "tcp_short", 14 + 20 + 19, 4, -1, 0, 0, 0, 6, 0 },
		{ "tcp_doff_lt5", 0, 4, -1, 0, 0, 0, 6, 4 },
		{ "tcp_doff_beyond", 14 + 20 + 24, 4, -1, 0, 0, 0, 6, 8 },
		{ "udp_short", 14 + 20 + 7, 4, -1, 0, 0, 0, 17, 0 },
	};
	__u8 pkt[PKT_MAX];
	struct hp_key key;
	struct ctx c;
	unsigned int i;
	__u32 id;

	if (!setup(&c))
		return;
	/* a catch-all rule: it must never see a malformed frame */
	if (!ASSERT_OK(add_rule_str(c.rs, "--action tx", &id), "catch-all"))
		goto out;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt_spec s = { .l3 = cases[i].l3, .proto = cases[i].proto, .sport = 1,
				      .dport = 2, .nvlan = cases[i].nvlan,
				      .next = cases[i].next, .tcp_doff = cases[i].doff };
		__u64 m0, d0, p0;
		int len, l3off, rc;

		if (!test__start_subtest(cases[i].name))
			continue;
		memset(s.ext, 60, sizeof(s.ext));
		len = pkt_build(&s, pkt);
		l3off = 14 + 4 * s.nvlan;
		if (cases[i].byte >= 0)
			pkt[l3off + cases[i].byte] = cases[i].val;
		if (cases[i].cut)
			len = cases[i].cut;
		/* alternate the default action so both are seen */
		set_default(c.skel, i % 2 ? HP_ACT_DROP : HP_ACT_PASS);
		m0 = cnt(c.m.act_cnt, HP_CNT_MALFORMED, false);
		d0 = cnt(c.m.act_cnt, i % 2 ? HP_ACT_DROP : HP_ACT_PASS, false);
		p0 = cnt(c.m.rule_cnt, id, false);
		rc = pkt_run(c.prog, pkt, len, NULL, NULL);
		if (len < 14) {
			/* BPF_PROG_RUN refuses XDP frames shorter than Ethernet (-EINVAL): only the
			 * userspace parser can be checked for these */
			ASSERT_EQ(rc, -EINVAL, "kernel refuses a runt frame");
			ASSERT_EQ(hp_parse_packet(pkt, len, 0, &key), -EBADMSG, "hp_parse_packet");
			continue;
		}
		ASSERT_EQ(rc, i % 2 ? XDP_DROP : XDP_PASS, "default action");
		ASSERT_EQ(cnt(c.m.act_cnt, HP_CNT_MALFORMED, false), m0 + 1, "malformed counted");
		ASSERT_EQ(cnt(c.m.act_cnt, i % 2 ? HP_ACT_DROP : HP_ACT_PASS, false), d0 + 1,
			  "default action counted");
		ASSERT_EQ(cnt(c.m.rule_cnt, id, false), p0, "no rule consulted");
		ASSERT_EQ(hp_parse_packet(pkt, len, 0, &key), -EBADMSG, "hp_parse_packet");
	}
	if (test__start_subtest("well_formed_control")) {
		struct pkt_spec s = { .l3 = 4, .proto = 6, .sport = 1, .dport = 2 };

		int len = pkt_build(&s, pkt);

		ASSERT_EQ(pkt_run(c.prog, pkt, len, NULL, NULL), XDP_TX, "catch-all sees it");
		ASSERT_OK(hp_parse_packet(pkt, len, 0, &key), "parses");
	}
out:
	teardown(&c);
}

void test_steer_fields(void)
{
	struct pkt_spec s;
	struct ctx c;
	__u32 id;

	if (!setup(&c))
		return;
	set_default(c.skel, HP_ACT_PASS);
	/* one rule at a time: the frame must match it, and stop matching when one field changes */
	if (test__start_subtest("proto")) {
		ASSERT_OK(add_rule_str(c.rs, "--proto tcp --action drop", &id), "add");
		s = udp4("1.1.1.1", "2.2.2.2", 1, 2);
		expect(&c, &s, XDP_PASS, 0, "udp");
		s.proto = 6;
		expect(&c, &s, XDP_DROP, id, "tcp");
		s = tcp6("::1", "::2", 1, 2);
		expect(&c, &s, XDP_DROP, id, "tcp over ipv6");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--proto icmp --action drop", &id), "add icmp");
		s = udp4("1.1.1.1", "2.2.2.2", 1, 2);
		s.proto = 1;
		expect(&c, &s, XDP_DROP, id, "icmp");
		s.proto = 58;
		expect(&c, &s, XDP_PASS, 0, "icmp number 58 is not icmp");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--proto 0 --action drop", &id), "add proto 0");
		s = udp4("1.1.1.1", "2.2.2.2", 1, 2);
		s.l3 = 0;	/* ARP: no L4, must not match protocol 0 */
		expect(&c, &s, XDP_PASS, 0, "non-IP frame");
		hp_ruleset_del(c.rs, id);
	}
	if (test__start_subtest("src_dst_prefixes")) {
		ASSERT_OK(add_rule_str(c.rs, "--src 10.1.0.0/16 --dst 10.2.3.0/24 --action drop",
				       &id), "add");
		s = udp4("10.1.200.1", "10.2.3.99", 5, 6);
		expect(&c, &s, XDP_DROP, id, "both inside");
		addr(4, "10.0.200.1", s.src);
		expect(&c, &s, XDP_PASS, 0, "src outside");
		addr(4, "10.1.200.1", s.src);
		addr(4, "10.2.4.99", s.dst);
		expect(&c, &s, XDP_PASS, 0, "dst outside");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--dst 2001:db8:aa00::/40 --action drop", &id), "v6");
		s = tcp6("::1", "2001:db8:aaff::1", 1, 2);
		expect(&c, &s, XDP_DROP, id, "v6 inside /40");
		addr(6, "2001:db8:ab00::1", s.dst);
		expect(&c, &s, XDP_PASS, 0, "v6 outside /40");
		s = udp4("32.1.13.184", "32.1.13.184", 1, 2);	/* same leading bytes, IPv4 */
		expect(&c, &s, XDP_PASS, 0, "ipv4 frame never matches an ipv6 prefix");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--dst 0.0.0.0/0 --action drop", &id), "v4 /0");
		s = udp4("1.1.1.1", "2.2.2.2", 1, 2);
		expect(&c, &s, XDP_DROP, id, "/0 = any IPv4");
		s = tcp6("::1", "::2", 1, 2);
		expect(&c, &s, XDP_PASS, 0, "/0 IPv4 does not match IPv6");
		hp_ruleset_del(c.rs, id);
	}
	if (test__start_subtest("port_ranges")) {
		ASSERT_OK(add_rule_str(c.rs, "--sport 1000-1999 --dport 7-9 --action drop", &id),
			  "add");
		s = udp4("1.1.1.1", "2.2.2.2", 1000, 7);
		expect(&c, &s, XDP_DROP, id, "low edges");
		s.sport = 1999;
		s.dport = 9;
		expect(&c, &s, XDP_DROP, id, "high edges");
		s.sport = 999;
		expect(&c, &s, XDP_PASS, 0, "sport below");
		s.sport = 2000;
		expect(&c, &s, XDP_PASS, 0, "sport above");
		s.sport = 1500;
		s.dport = 10;
		expect(&c, &s, XDP_PASS, 0, "dport above");
		s.dport = 6;
		expect(&c, &s, XDP_PASS, 0, "dport below");
		s.dport = 8;
		s.proto = 6;
		expect(&c, &s, XDP_DROP, id, "tcp too (no --proto)");
		s.proto = 1;
		expect(&c, &s, XDP_PASS, 0, "icmp has no ports");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--dport 0-65535 --action drop", &id), "full range");
		s = udp4("1.1.1.1", "2.2.2.2", 1, 0);
		expect(&c, &s, XDP_DROP, id, "port 0");
		s.dport = 65535;
		expect(&c, &s, XDP_DROP, id, "port 65535");
		s.frag = 0x0020;
		expect(&c, &s, XDP_PASS, 0, "non-first fragment has no ports");
		hp_ruleset_del(c.rs, id);
	}
	if (test__start_subtest("vlan_queue_family")) {
		ASSERT_OK(add_rule_str(c.rs, "--vlan 10 --action drop", &id), "vlan");
		s = udp4("1.1.1.1", "2.2.2.2", 1, 2);
		expect(&c, &s, XDP_PASS, 0, "untagged");
		s.nvlan = 1;
		s.vid[0] = 10 | 0xe000;	/* PCP bits are not part of the VID */
		expect(&c, &s, XDP_DROP, id, "vid 10 with PCP");
		s.vid[0] = 11;
		expect(&c, &s, XDP_PASS, 0, "vid 11");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--queue 0 --action drop", &id), "queue 0");
		s = udp4("1.1.1.1", "2.2.2.2", 1, 2);
		expect(&c, &s, XDP_DROP, id, "rx queue 0");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--queue 1 --action drop", &id), "queue 1");
		expect(&c, &s, XDP_PASS, 0, "rx queue 0 is not 1");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--family ipv6 --action drop", &id), "family");
		expect(&c, &s, XDP_PASS, 0, "ipv4 frame");
		s = tcp6("::1", "::2", 1, 2);
		expect(&c, &s, XDP_DROP, id, "ipv6 frame");
		hp_ruleset_del(c.rs, id);
	}
	teardown(&c);
}

void test_steer_actions(void)
{
	__u8 pkt[PKT_MAX], out[PKT_MAX + 64];
	struct pkt_spec s;
	struct ctx c;
	__u32 id, olen;
	__u64 miss0;
	int len;

	if (!setup(&c))
		return;
	s = udp4("1.1.1.1", "2.2.2.2", 1, 2);
	len = pkt_build(&s, pkt);
	if (test__start_subtest("pass_drop")) {
		ASSERT_OK(add_rule_str(c.rs, "--action drop", &id), "drop");
		ASSERT_EQ(pkt_run(c.prog, pkt, len, NULL, NULL), XDP_DROP, "drop");
		hp_ruleset_del(c.rs, id);
		set_default(c.skel, HP_ACT_DROP);
		ASSERT_OK(add_rule_str(c.rs, "--action pass", &id), "pass");
		ASSERT_EQ(pkt_run(c.prog, pkt, len, NULL, NULL), XDP_PASS, "pass beats default");
		hp_ruleset_del(c.rs, id);
		set_default(c.skel, HP_ACT_PASS);
	}
	if (test__start_subtest("xsk_without_socket")) {
		ASSERT_OK(add_rule_str(c.rs, "--action xsk:5", &id), "xsk:5");
		miss0 = cnt(c.m.act_cnt, HP_CNT_XSK_MISS, false);
		ASSERT_EQ(pkt_run(c.prog, pkt, len, NULL, NULL), XDP_PASS, "no socket: pass");
		ASSERT_EQ(cnt(c.m.act_cnt, HP_CNT_XSK_MISS, false), miss0 + 1, "xsk_miss");
		hp_ruleset_del(c.rs, id);
		ASSERT_OK(add_rule_str(c.rs, "--action xsk", &id), "xsk rx queue");
		ASSERT_EQ(pkt_run(c.prog, pkt, len, NULL, NULL), XDP_PASS, "no socket: pass");
		ASSERT_EQ(cnt(c.m.act_cnt, HP_CNT_XSK_MISS, false), miss0 + 2, "xsk_miss");
		hp_ruleset_del(c.rs, id);
	}
	if (test__start_subtest("redirect")) {
		ASSERT_OK(add_rule_str(c.rs, "--action redirect:lo", &id), "redirect");
		ASSERT_EQ(pkt_run(c.prog, pkt, len, NULL, NULL), XDP_REDIRECT, "XDP_REDIRECT");
		hp_ruleset_del(c.rs, id);
	}
	if (test__start_subtest("tx_swaps_macs")) {
		ASSERT_OK(add_rule_str(c.rs, "--action tx", &id), "tx");
		olen = 0;
		ASSERT_EQ(pkt_run(c.prog, pkt, len, out, &olen), XDP_TX, "XDP_TX");
		ASSERT_EQ(olen, len, "length kept");
		ASSERT_MEMEQ(out, pkt + 6, 6, "dst = old src");
		ASSERT_MEMEQ(out + 6, pkt, 6, "src = old dst");
		ASSERT_MEMEQ(out + 12, pkt + 12, len - 12, "rest untouched");
		hp_ruleset_del(c.rs, id);
	}
	teardown(&c);
}

void test_steer_priorities(void)
{
	struct pkt_spec s;
	struct ctx c;
	__u32 a, b, d, e;

	if (!setup(&c))
		return;
	s = udp4("10.0.0.1", "10.0.0.2", 1234, 80);
	if (test__start_subtest("lower_prio_wins")) {
		ASSERT_OK(add_rule_str(c.rs, "--dport 80 --action drop --prio 20", &a), "a");
		ASSERT_OK(add_rule_str(c.rs, "--dst 10.0.0.0/24 --action tx --prio 10", &b), "b");
		expect(&c, &s, XDP_TX, b, "prio 10 beats 20 across tuples");
		hp_ruleset_del(c.rs, b);
		expect(&c, &s, XDP_DROP, a, "after delete the next one");
		hp_ruleset_del(c.rs, a);
		expect(&c, &s, XDP_PASS, 0, "none left");
	}
	if (test__start_subtest("tie_lower_id_wins")) {
		ASSERT_OK(add_rule_str(c.rs, "--dport 80 --action drop --prio 7", &a), "a");
		ASSERT_OK(add_rule_str(c.rs, "--dport 80 --action tx --prio 7", &b), "b same key");
		ASSERT_OK(add_rule_str(c.rs, "--sport 1234 --action pass --prio 7", &d), "d");
		ASSERT_LT(a, b, "ids ascending");
		expect(&c, &s, XDP_DROP, a, "same prio: lowest id");
		hp_ruleset_del(c.rs, a);
		expect(&c, &s, XDP_TX, b, "then the next id");
		hp_ruleset_del(c.rs, b);
		expect(&c, &s, XDP_PASS, d, "other tuple");
		ASSERT_OK(add_rule_str(c.rs, "--dport 80 --action drop --prio 7", &e), "e reuses");
		ASSERT_EQ(e, a, "freed id reused");
		expect(&c, &s, XDP_DROP, e, "lower id in the later tuple wins the tie");
		hp_ruleset_del(c.rs, d);
		hp_ruleset_del(c.rs, e);
	}
	if (test__start_subtest("ranges_overlap")) {
		ASSERT_OK(add_rule_str(c.rs, "--dport 0-1023 --action drop --prio 50", &a), "wide");
		ASSERT_OK(add_rule_str(c.rs, "--dport 80-81 --action tx --prio 40", &b), "narrow");
		expect(&c, &s, XDP_TX, b, "narrow better prio");
		s.dport = 82;
		expect(&c, &s, XDP_DROP, a, "outside narrow");
		hp_ruleset_del(c.rs, a);
		hp_ruleset_del(c.rs, b);
		s.dport = 80;
	}
	if (test__start_subtest("default_action")) {
		set_default(c.skel, HP_ACT_DROP);
		expect(&c, &s, XDP_DROP, 0, "default drop");
		set_default(c.skel, HP_ACT_PASS);
		expect(&c, &s, XDP_PASS, 0, "default pass");
	}
	teardown(&c);
}

void test_steer_counters(void)
{
	__u8 pkt[PKT_MAX], pkt2[PKT_MAX];
	__u64 before[HP_CNT_MAX][2];
	struct pkt_spec s;
	struct hp_counters rc;
	struct ctx c;
	int len, len2, i;
	__u32 id, id2;

	if (!setup(&c))
		return;
	for (i = 0; i < HP_CNT_MAX; i++) {
		before[i][0] = cnt(c.m.act_cnt, i, false);
		before[i][1] = cnt(c.m.act_cnt, i, true);
	}
	ASSERT_OK(add_rule_str(c.rs, "--proto udp --dport 53 --action drop", &id), "add");
	ASSERT_OK(add_rule_str(c.rs, "--proto udp --dport 54 --action xsk:1", &id2), "add2");
	s = udp4("1.1.1.1", "2.2.2.2", 1, 53);
	s.payload = 100;
	len = pkt_build(&s, pkt);
	s.dport = 99;
	s.payload = 3;
	len2 = pkt_build(&s, pkt2);
	for (i = 0; i < 3; i++)
		pkt_run(c.prog, pkt, len, NULL, NULL);
	for (i = 0; i < 5; i++)
		pkt_run(c.prog, pkt2, len2, NULL, NULL);
	ASSERT_OK(hp_counters_read(c.m.rule_cnt, id, &rc), "read");
	ASSERT_EQ(rc.packets, 3, "rule packets");
	ASSERT_EQ(rc.bytes, 3ull * len, "rule bytes = frame length");
	ASSERT_OK(hp_counters_read(c.m.rule_cnt, id2, &rc), "read2");
	ASSERT_EQ(rc.packets, 0, "untouched rule");
	ASSERT_EQ(cnt(c.m.act_cnt, HP_ACT_DROP, false) - before[HP_ACT_DROP][0], 3, "drop pkts");
	ASSERT_EQ(cnt(c.m.act_cnt, HP_ACT_DROP, true) - before[HP_ACT_DROP][1], 3ull * len,
		  "drop bytes");
	ASSERT_EQ(cnt(c.m.act_cnt, HP_CNT_NOMATCH, false) - before[HP_CNT_NOMATCH][0], 5,
		  "nomatch pkts");
	ASSERT_EQ(cnt(c.m.act_cnt, HP_CNT_NOMATCH, true) - before[HP_CNT_NOMATCH][1], 5ull * len2,
		  "nomatch bytes");
	ASSERT_EQ(cnt(c.m.act_cnt, HP_ACT_PASS, false) - before[HP_ACT_PASS][0], 5,
		  "default pass counted");
	ASSERT_EQ(cnt(c.m.act_cnt, HP_CNT_MALFORMED, false) - before[HP_CNT_MALFORMED][0], 0,
		  "no malformed");
	/* delete zeroes the rule's counters; a new rule reusing the id starts at zero */
	ASSERT_OK(hp_ruleset_del(c.rs, id), "del");
	ASSERT_OK(hp_counters_read(c.m.rule_cnt, id, &rc), "read after del");
	ASSERT_EQ(rc.packets, 0, "zeroed");
	ASSERT_EQ(hp_ruleset_del(c.rs, id), -ENOENT, "second delete");
	ASSERT_EQ(hp_counters_read(c.m.rule_cnt, HP_MAX_RULES, &rc), -ENOENT, "bad index");
	teardown(&c);
}

/* hp_steer_mb (SEC("xdp.frags")): a 9000-byte frame that BPF_PROG_RUN splits into fragments;
 * the rule matches on the linear headers and the byte counter counts the whole frame. */
void test_steer_multibuffer(void)
{
	struct pkt_spec s = udp4("10.9.9.9", "10.8.8.8", 7, 4789);
	struct hp_counters c0, c1;
	__u8 *big = NULL, *out = NULL;
	struct ctx c;
	int len, err, fd;
	__u32 id;

	if (!setup(&c))
		return;
	fd = bpf_program__fd(c.skel->progs.hp_steer_mb);
	big = calloc(1, 9000);
	out = calloc(1, 9000);
	if (!ASSERT_OK_PTR(big, "alloc") || !ASSERT_OK_PTR(out, "alloc") ||
	    !ASSERT_OK(add_rule_str(c.rs, "--proto udp --dport 4789 --action drop", &id), "add"))
		goto out;
	len = pkt_build(&s, big);	/* UDP headers; the rest of the 9000 bytes is zero */
	ASSERT_LT(len, 200, "headers in the linear part");
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = big, .data_size_in = 9000,
			    .data_out = out, .data_size_out = 9000, .repeat = 1);

		hp_counters_read(c.m.rule_cnt, id, &c0);
		err = bpf_prog_test_run_opts(fd, &o);
		if (!ASSERT_OK(err ? -errno : 0, "BPF_PROG_RUN of 9000 bytes"))
			goto out;
		ASSERT_EQ(o.retval, XDP_DROP, "rule hit on the linear part");
		hp_counters_read(c.m.rule_cnt, id, &c1);
		ASSERT_EQ(c1.packets, c0.packets + 1, "rule packets");
		ASSERT_EQ(c1.bytes, c0.bytes + 9000, "rule bytes: the whole multi-buffer frame");
	}
out:
	free(big);
	free(out);
	teardown(&c);
}

/* Snapshot of everything the compiler writes, to prove a failed change left no trace. */
struct snap {
	__u32 nflows;
	struct hp_tuple tuples[HP_MAX_TUPLES];
	struct hp_order order;
	struct hp_rule rule_slot;
};

static void take_snap(struct ctx *c, __u32 slot, struct snap *s)
{
	struct hp_flow_key k, nk;
	__u32 t, zero = 0;
	bool more;

	memset(s, 0, sizeof(*s));
	for (more = !bpf_map_get_next_key(c->m.flows, NULL, &k); more;
	     more = !bpf_map_get_next_key(c->m.flows, &k, &nk), k = nk)
		s->nflows++;
	for (t = 0; t < HP_MAX_TUPLES; t++)
		bpf_map_lookup_elem(c->m.tuples, &t, &s->tuples[t]);
	bpf_map_lookup_elem(c->m.order, &zero, &s->order);
	bpf_map_lookup_elem(c->m.rules, &slot, &s->rule_slot);
}

/*
 * A flows map smaller than the rule needs: the kernel refuses an insert half way through the
 * rule's expansion; the compiler must undo what it wrote and report -ENOSPC.
 */
void test_steer_add_failure_rolls_back(void)
{
	struct snap before, after;
	struct pkt_spec s;
	struct ctx c = {};
	__u32 id, id2;
	int err;

	c.skel = steer__open();
	if (!ASSERT_OK_PTR(c.skel, "open"))
		return;
	bpf_map__set_max_entries(c.skel->maps.flows, 64);
	if (!ASSERT_OK(steer__load(c.skel), "load")) {
		steer__destroy(c.skel);
		return;
	}
	maps_of(c.skel, &c.m);
	c.prog = bpf_program__fd(c.skel->progs.hp_steer);
	c.rs = hp_ruleset_open(&c.m);
	if (!ASSERT_OK_PTR(c.rs, "ruleset"))
		goto out;
	ASSERT_OK(add_rule_str(c.rs, "--proto udp --dport 53 --action drop --prio 5", &id), "add");
	take_snap(&c, id + 1, &before);
	/* 1-1000 x 1-1000: 10 x 10 aligned blocks (and new tuples): more than 63 entries */
	err = add_rule_str(c.rs, "--sport 1-1000 --dport 1-1000 --action tx --prio 1", &id2);
	ASSERT_EQ(err, -ENOSPC, "refused");
	ASSERT_TRUE(strstr(hp_ruleset_errmsg(c.rs), "flows map is full") != NULL, "message");
	take_snap(&c, id + 1, &after);
	ASSERT_EQ(after.nflows, before.nflows, "flows map as before");
	ASSERT_MEMEQ(after.tuples, before.tuples, sizeof(before.tuples), "tuples as before");
	ASSERT_MEMEQ(&after.order, &before.order, sizeof(before.order), "order as before");
	ASSERT_EQ(after.rule_slot.used, 0, "rule slot not left behind");
	ASSERT_EQ(hp_ruleset_count(c.rs), 1, "count");
	s = udp4("1.1.1.1", "2.2.2.2", 500, 53);
	expect(&c, &s, XDP_DROP, id, "old rule still wins");
	/* and the compiler's mirror is intact: a rule that fits goes in, the id is reused */
	ASSERT_OK(add_rule_str(c.rs, "--sport 500 --action tx --prio 1", &id2), "small rule fits");
	ASSERT_EQ(id2, id + 1, "id of the refused rule reused");
	expect(&c, &s, XDP_TX, id2, "new rule wins");
out:
	teardown(&c);
}
