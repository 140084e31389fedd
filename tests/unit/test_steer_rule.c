// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The rule grammar: good input, every kind of mistake with its message, parse->format->parse. */
#include <stdio.h>
#include <stdlib.h>
#include "test.h"
#include <hybridpath/steer.h>

static int parse_str(const char *text, struct hp_rule *r, char *err, size_t errlen)
{
	char buf[512], *argv[64], *save = NULL, *t;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (t = strtok_r(buf, " ", &save); t && argc < 64; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return hp_rule_parse(argc, argv, r, err, errlen);
}

void test_steer_rule_parse(void)
{
	static const char *const good[] = {
		"--action pass",
		"--proto tcp --dport 80 --action drop",
		"--proto udp --sport 1000-2000 --dport 53 --action xsk:3 --prio 5",
		"--src 10.0.0.0/8 --dst 192.168.1.1 --action tx",
		"--src 2001:db8::/32 --proto icmpv6 --action xsk",
		"--dst ::1 --action drop --prio 0",
		"--family ipv6 --proto 47 --action pass",
		"--vlan 4094 --queue 3 --action drop",
		"--dport 0-65535 --action drop",
		"--proto icmp --family ipv4 --action drop",
		"--action redirect:lo",
		"--proto=udp --dport=9 --action=drop",
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "--proto tcp --dport 70000 --action drop", "bad --dport '70000': port must be 0..65535" },
		{ "--dport 10-5 --action drop", "range start is above its end" },
		{ "--dport 1-2-3 --action drop", "bad --dport" },
		{ "--sport x --action drop", "bad --sport 'x'" },
		{ "--src 10.0.0.1/24 --action drop", "host bits are set; use 10.0.0.0/24" },
		{ "--src 2001:db8::1/32 --action drop", "use 2001:db8::/32" },
		{ "--src 10.0.0.0/33 --action drop", "prefix length must be 0..32" },
		{ "--src 10.0.0.256 --action drop", "not an IPv4 or IPv6 address" },
		{ "--src 10.0.0.0/8 --dst ::1 --action drop", "--src and --dst families differ" },
		{ "--family ipv6 --src 10.0.0.0/8 --action drop", "contradicts" },
		{ "--family ipv5 --action drop", "expected ipv4 or ipv6" },
		{ "--proto icmp --dport 5 --action drop", "need --proto tcp or udp" },
		{ "--proto sctp --action drop", "bad --proto 'sctp'" },
		{ "--proto icmp --dst ::1 --action drop", "use --proto icmpv6" },
		{ "--proto icmpv6 --family ipv4 --action drop", "use --proto icmp" },
		{ "--proto 256 --action drop", "bad --proto '256'" },
		{ "--vlan 0 --action drop", "VLAN id must be 1..4094" },
		{ "--vlan 4095 --action drop", "VLAN id must be 1..4094" },
		{ "--queue 65536 --action drop", "rx queue must be 0..65535" },
		{ "--prio -1 --action drop", "priority must be" },
		{ "--action xsk:256", "queue must be 0..255" },
		{ "--action bounce", "expected pass, drop, xsk" },
		{ "--action redirect:", "expected redirect:IFACE" },
		{ "--action redirect:hp-no-such-if0", "no interface 'hp-no-such-if0'" },
		{ "--proto tcp", "missing --action" },
		{ "--dport", "--dport needs a value" },
		{ "--port 80 --action drop", "unknown option '--port'" },
		{ "--dport 1 --dport 2 --action drop", "--dport given twice" },
		{ "tcp --action drop", "unknown option 'tcp'" },
	};
	char err[256], text[256], err2[256];
	struct hp_rule r, r2;
	unsigned int i;
	int rc;

	if (test__start_subtest("good")) {
		for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			rc = parse_str(good[i], &r, err, sizeof(err));
			if (!ASSERT_OK(rc, good[i])) {
				fprintf(stderr, "  %s\n", err);
				continue;
			}
			/* round trip: format, parse again, same rule */
			ASSERT_GE(hp_rule_format(&r, text, sizeof(text)), 1, "format");
			rc = parse_str(text, &r2, err2, sizeof(err2));
			ASSERT_OK(rc, text);
			ASSERT_MEMEQ(&r, &r2, sizeof(r), text);
		}
	}
	if (test__start_subtest("fields")) {
		ASSERT_OK(parse_str("--proto udp --src 10.1.0.0/16 --sport 1000-2000 --dport 53 "
				    "--vlan 7 --queue 2 --action xsk:3 --prio 5", &r, err, sizeof(err)),
			  "parse");
		ASSERT_EQ(r.match, HP_RM_L4PROTO | HP_RM_SRC | HP_RM_L3 | HP_RM_SPORT | HP_RM_DPORT |
			  HP_RM_VLAN | HP_RM_QUEUE, "match bits");
		ASSERT_EQ(r.l4proto, 17, "proto");
		ASSERT_EQ(r.l3, HP_L3_IPV4, "family implied");
		ASSERT_EQ(r.src[0], 10, "src0");
		ASSERT_EQ(r.src[1], 1, "src1");
		ASSERT_EQ(r.src_len, 16, "src_len");
		ASSERT_EQ(r.sport_lo, 1000, "sport lo");
		ASSERT_EQ(r.sport_hi, 2000, "sport hi");
		ASSERT_EQ(r.dport_lo, 53, "dport lo");
		ASSERT_EQ(r.dport_hi, 53, "dport hi");
		ASSERT_EQ(r.vlan, 7, "vlan");
		ASSERT_EQ(r.queue, 2, "queue");
		ASSERT_EQ(r.action, HP_ACT_XSK, "action");
		ASSERT_EQ(r.action_arg, 3, "xsk queue");
		ASSERT_EQ(r.prio, 5, "prio");
		ASSERT_OK(parse_str("--action xsk", &r, err, sizeof(err)), "xsk");
		ASSERT_EQ(r.action_arg, HP_XSK_RXQ, "xsk without queue: rx queue");
		ASSERT_EQ(r.prio, HP_DEFAULT_PRIO, "default prio");
		ASSERT_EQ(r.match, 0, "catch-all");
		ASSERT_OK(parse_str("--action redirect:lo", &r, err, sizeof(err)), "redirect");
		ASSERT_EQ(r.action_arg, 1, "lo ifindex");
		ASSERT_STREQ(r.redirect_ifname, "lo", "ifname kept");
		ASSERT_OK(parse_str("--src 10.0.0.1 --action drop", &r, err, sizeof(err)), "host");
		ASSERT_EQ(r.src_len, 32, "no /len: host prefix");
		ASSERT_OK(hp_rule_format(&r, text, sizeof(text)) < 0, "format");
		ASSERT_STREQ(text, "--src 10.0.0.1 --action drop --prio 1000", "canonical text");
	}
	if (test__start_subtest("bad")) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memset(&r, 0x5a, sizeof(r));
			r2 = r;
			rc = parse_str(bad[i].in, &r, err, sizeof(err));
			if (!ASSERT_ERR(rc, bad[i].in))
				continue;
			if (!ASSERT_TRUE(strstr(err, bad[i].msg) != NULL, bad[i].in))
				fprintf(stderr, "  got '%s', want '%s'\n", err, bad[i].msg);
			ASSERT_MEMEQ(&r, &r2, sizeof(r), "rule untouched on error");
		}
		ASSERT_EQ(parse_str("--action redirect:hp-no-such-if0", &r, err, sizeof(err)),
			  -ENODEV, "unknown interface is -ENODEV");
	}
	if (test__start_subtest("format_small_buffer")) {
		ASSERT_OK(parse_str("--src 2001:db8::/32 --dport 1-2 --action drop", &r, err,
				    sizeof(err)), "parse");
		ASSERT_EQ(hp_rule_format(&r, text, 10), -ENOSPC, "too small");
	}
	if (test__start_subtest("counter_names")) {
		ASSERT_STREQ(hp_counter_name(HP_ACT_XSK), "xsk", "xsk");
		ASSERT_STREQ(hp_counter_name(HP_CNT_MALFORMED), "malformed", "malformed");
		ASSERT_STREQ(hp_counter_name(HP_CNT_XSK_MISS), "xsk_miss", "xsk_miss");
		ASSERT_STREQ(hp_counter_name(HP_CNT_MAX), "unknown", "out of range");
	}
}
