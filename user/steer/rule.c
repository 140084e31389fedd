// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Rule text: the xdpctl option grammar (hp_rule_parse), its canonical form (hp_rule_format) and
 * the names of actions and counters.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include "steer_int.h"
#include "util/parse.h"

#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ICMPV6	58

static const char *const counter_names[HP_CNT_MAX] = {
	[HP_ACT_PASS] = "pass",
	[HP_ACT_DROP] = "drop",
	[HP_ACT_XSK] = "xsk",
	[HP_ACT_REDIRECT] = "redirect",
	[HP_ACT_TX] = "tx",
	[HP_CNT_MALFORMED] = "malformed",
	[HP_CNT_NOMATCH] = "nomatch",
	[HP_CNT_XSK_MISS] = "xsk_miss",
};

const char *hp_counter_name(unsigned int idx)
{
	return idx < HP_CNT_MAX ? counter_names[idx] : "unknown";
}

static const struct {
	const char *name;
	__u8 num;
} protos[] = {
	{ "tcp", PROTO_TCP }, { "udp", PROTO_UDP }, { "icmp", PROTO_ICMP },
	{ "icmpv6", PROTO_ICMPV6 },
};

#define ERR(...) ({ snprintf(err, errlen, __VA_ARGS__); -EINVAL; })

static int parse_ports(const char *opt, const char *val, __u16 *lo, __u16 *hi, char *err,
		       size_t errlen)
{
	char buf[32], *dash;
	unsigned long a, b;

	if (strlen(val) >= sizeof(buf))
		return ERR("bad %s '%.40s': expected a port N or a range N-M", opt, val);
	strcpy(buf, val);
	dash = strchr(buf, '-');
	if (dash)
		*dash = 0;
	if (hp_parse_ulong(buf, 0, 65535, &a) || (dash && hp_parse_ulong(dash + 1, 0, 65535, &b))) {
		if (strspn(buf, "0123456789") == strlen(buf) && *buf &&
		    (!dash || (dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))))
			return ERR("bad %s '%s': port must be 0..65535", opt, val);
		return ERR("bad %s '%s': expected a port N or a range N-M (0..65535)", opt, val);
	}
	if (!dash)
		b = a;
	if (a > b)
		return ERR("bad %s '%s': range start is above its end; write %lu-%lu", opt, val,
			   b, a);
	*lo = a;
	*hi = b;
	return 0;
}

/* Prefix: ADDR or ADDR/LEN, IPv4 or IPv6; host bits must be zero. */
static int parse_prefix(const char *opt, const char *val, __u8 *addr, __u8 *len, __u8 *l3,
			char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], canon[INET6_ADDRSTRLEN];
	unsigned long plen;
	__u8 a[16] = {}, m[16] = {};
	char *slash;
	int af, bits, i, bad = 0;

	if (strlen(val) >= sizeof(buf))
		return ERR("bad %s '%.60s': expected an IPv4 or IPv6 prefix", opt, val);
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, a) == 1) {
		af = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, buf, a) == 1) {
		af = AF_INET6;
		bits = 128;
	} else {
		return ERR("bad %s '%s': '%s' is not an IPv4 or IPv6 address", opt, val, buf);
	}
	plen = bits;
	if (slash && hp_parse_ulong(slash + 1, 0, bits, &plen))
		return ERR("bad %s '%s': prefix length must be 0..%d", opt, val, bits);
	for (i = 0; i < 16; i++) {
		int b = (int)plen - i * 8;

		m[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (__u8)(0xff << (8 - b));
		if (a[i] & ~m[i])
			bad = 1;
		a[i] &= m[i];
	}
	if (bad) {
		inet_ntop(af, a, canon, sizeof(canon));
		return ERR("bad %s '%s': host bits are set; use %s/%lu", opt, val, canon, plen);
	}
	memcpy(addr, a, 16);
	*len = plen;
	*l3 = af == AF_INET ? HP_L3_IPV4 : HP_L3_IPV6;
	return 0;
}

static int parse_action(const char *val, struct hp_rule *r, char *err, size_t errlen)
{
	unsigned long q;
	unsigned int idx;

	if (!strcmp(val, "pass")) {
		r->action = HP_ACT_PASS;
	} else if (!strcmp(val, "drop")) {
		r->action = HP_ACT_DROP;
	} else if (!strcmp(val, "tx")) {
		r->action = HP_ACT_TX;
	} else if (!strcmp(val, "xsk")) {
		r->action = HP_ACT_XSK;
		r->action_arg = HP_XSK_RXQ;
	} else if (!strncmp(val, "xsk:", 4)) {
		if (hp_parse_ulong(val + 4, 0, HP_MAX_QUEUES - 1, &q))
			return ERR("bad --action '%s': queue must be 0..%d (or plain 'xsk' for the "
				   "packet's own rx queue)", val, HP_MAX_QUEUES - 1);
		r->action = HP_ACT_XSK;
		r->action_arg = q;
	} else if (!strncmp(val, "redirect:", 9)) {
		if (!val[9] || strlen(val + 9) >= IF_NAMESIZE)
			return ERR("bad --action '%s': expected redirect:IFACE with an interface name "
				   "of 1..%d characters", val, IF_NAMESIZE - 1);
		idx = if_nametoindex(val + 9);
		if (!idx) {
			snprintf(err, errlen, "bad --action '%s': no interface '%s' in this network "
				 "namespace (check `ip link`)", val, val + 9);
			return -ENODEV;
		}
		r->action = HP_ACT_REDIRECT;
		r->action_arg = idx;
		snprintf(r->redirect_ifname, sizeof(r->redirect_ifname), "%s", val + 9);
	} else {
		return ERR("bad --action '%s': expected pass, drop, xsk, xsk:QUEUE, redirect:IFACE "
			   "or tx", val);
	}
	return 0;
}

static const char *const opt_names[] = {
	"--proto", "--src", "--dst", "--sport", "--dport", "--vlan", "--queue", "--prio",
	"--family", "--action",
};

int hp_rule_parse(int argc, char **argv, struct hp_rule *rule, char *err, size_t errlen)
{
	const char *seen[HP_ARRAY_SIZE(opt_names)] = {};
	struct hp_rule r = {};
	__u8 fam = 0, sl3 = 0, dl3 = 0;
	bool have_proto = false, have_action = false;
	unsigned long v;
	const char *opt, *val;
	char optbuf[16];
	int i, o, rc;

	if (!rule || !err || !errlen || argc < 0 || (argc && !argv))
		return -EINVAL;
	err[0] = 0;
	r.used = 1;
	r.prio = HP_DEFAULT_PRIO;
	for (i = 0; i < argc; i++) {
		const char *eq;

		opt = argv[i];
		if (!opt)
			return ERR("missing option");
		eq = strncmp(opt, "--", 2) ? NULL : strchr(opt, '=');
		if (eq) {	/* --opt=value */
			if ((size_t)(eq - opt) >= sizeof(optbuf))
				return ERR("unknown option '%.40s'", opt);
			memcpy(optbuf, opt, eq - opt);
			optbuf[eq - opt] = 0;
			opt = optbuf;
			val = eq + 1;
		} else {
			val = NULL;
		}
		for (o = 0; o < (int)HP_ARRAY_SIZE(opt_names); o++)
			if (!strcmp(opt, opt_names[o]))
				break;
		if (o == (int)HP_ARRAY_SIZE(opt_names))
			return ERR("unknown option '%.40s': rules take --proto, --src, --dst, --sport, "
				   "--dport, --vlan, --queue, --prio, --family, --action", opt);
		if (!val) {
			if (i + 1 >= argc || !argv[i + 1])
				return ERR("%s needs a value", opt);
			val = argv[++i];
		}
		if (seen[o])
			return ERR("%s given twice ('%.40s' and '%.40s'); give it once", opt, seen[o],
				   val);
		seen[o] = val;
		switch (o) {
		case 0: {	/* --proto */
			size_t p;

			for (p = 0; p < HP_ARRAY_SIZE(protos); p++)
				if (!strcmp(val, protos[p].name))
					break;
			if (p < HP_ARRAY_SIZE(protos))
				r.l4proto = protos[p].num;
			else if (!hp_parse_ulong(val, 0, 255, &v))
				r.l4proto = v;
			else
				return ERR("bad --proto '%.40s': expected tcp, udp, icmp, icmpv6 or a "
					   "protocol number 0..255", val);
			r.match |= HP_RM_L4PROTO;
			have_proto = true;
			break;
		}
		case 1:
			rc = parse_prefix("--src", val, r.src, &r.src_len, &sl3, err, errlen);
			if (rc)
				return rc;
			r.match |= HP_RM_SRC;
			break;
		case 2:
			rc = parse_prefix("--dst", val, r.dst, &r.dst_len, &dl3, err, errlen);
			if (rc)
				return rc;
			r.match |= HP_RM_DST;
			break;
		case 3:
			rc = parse_ports("--sport", val, &r.sport_lo, &r.sport_hi, err, errlen);
			if (rc)
				return rc;
			r.match |= HP_RM_SPORT;
			break;
		case 4:
			rc = parse_ports("--dport", val, &r.dport_lo, &r.dport_hi, err, errlen);
			if (rc)
				return rc;
			r.match |= HP_RM_DPORT;
			break;
		case 5:
			if (hp_parse_ulong(val, 1, 4094, &v))
				return ERR("bad --vlan '%.40s': VLAN id must be 1..4094", val);
			r.vlan = v;
			r.match |= HP_RM_VLAN;
			break;
		case 6:
			if (hp_parse_ulong(val, 0, 65535, &v))
				return ERR("bad --queue '%.40s': rx queue must be 0..65535", val);
			r.queue = v;
			r.match |= HP_RM_QUEUE;
			break;
		case 7:
			if (hp_parse_ulong(val, 0, HP_PRIO_MAX, &v))
				return ERR("bad --prio '%.40s': priority must be 0..%u (lower wins)", val,
					   HP_PRIO_MAX);
			r.prio = v;
			break;
		case 8:
			if (!strcmp(val, "ipv4"))
				fam = HP_L3_IPV4;
			else if (!strcmp(val, "ipv6"))
				fam = HP_L3_IPV6;
			else
				return ERR("bad --family '%.40s': expected ipv4 or ipv6", val);
			break;
		case 9:
			rc = parse_action(val, &r, err, errlen);
			if (rc)
				return rc;
			have_action = true;
			break;
		}
	}
	if (sl3 && dl3 && sl3 != dl3)
		return ERR("--src and --dst families differ (%s is IPv%d, %s is IPv%d); use one "
			   "family", seen[1], sl3, seen[2], dl3);
	if (fam && (sl3 || dl3) && fam != (sl3 ? sl3 : dl3))
		return ERR("--family %s contradicts %s %s; drop --family or fix the prefix",
			   seen[8], sl3 ? "--src" : "--dst", sl3 ? seen[1] : seen[2]);
	if (!fam)
		fam = sl3 ? sl3 : dl3;
	if (fam) {
		r.l3 = fam;
		r.match |= HP_RM_L3;
	}
	if ((r.match & (HP_RM_SPORT | HP_RM_DPORT)) && have_proto &&
	    r.l4proto != PROTO_TCP && r.l4proto != PROTO_UDP)
		return ERR("--sport/--dport need --proto tcp or udp (or no --proto), not '%s'",
			   seen[0]);
	if (have_proto && r.l3 == HP_L3_IPV6 && r.l4proto == PROTO_ICMP)
		return ERR("--proto icmp never matches IPv6 (%s); use --proto icmpv6",
			   seen[8] ? seen[8] : seen[1] ? seen[1] : seen[2]);
	if (have_proto && r.l3 == HP_L3_IPV4 && r.l4proto == PROTO_ICMPV6)
		return ERR("--proto icmpv6 never matches IPv4 (%s); use --proto icmp",
			   seen[8] ? seen[8] : seen[1] ? seen[1] : seen[2]);
	if (!have_action)
		return ERR("missing --action (pass, drop, xsk[:QUEUE], redirect:IFACE or tx)");
	*rule = r;
	return 0;
}

static int append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, *pos < len ? len - *pos : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	*pos += n;
	return 0;
}

static void fmt_prefix(char *out, size_t len, __u8 l3, const __u8 *a, __u8 plen)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(l3 == HP_L3_IPV4 ? AF_INET : AF_INET6, a, s, sizeof(s));
	if (plen == (l3 == HP_L3_IPV4 ? 32 : 128))
		snprintf(out, len, "%s", s);
	else
		snprintf(out, len, "%s/%u", s, plen);
}

int hp_rule_format(const struct hp_rule *r, char *buf, size_t len)
{
	char p[INET6_ADDRSTRLEN + 8];
	size_t pos = 0, i;

	if (!r || !buf || !len)
		return -EINVAL;
	buf[0] = 0;
	if ((r->match & HP_RM_L3) && !(r->match & (HP_RM_SRC | HP_RM_DST)))
		append(buf, len, &pos, " --family ipv%u", r->l3);
	if (r->match & HP_RM_L4PROTO) {
		for (i = 0; i < HP_ARRAY_SIZE(protos); i++)
			if (protos[i].num == r->l4proto)
				break;
		if (i < HP_ARRAY_SIZE(protos))
			append(buf, len, &pos, " --proto %s", protos[i].name);
		else
			append(buf, len, &pos, " --proto %u", r->l4proto);
	}
	if (r->match & HP_RM_SRC) {
		fmt_prefix(p, sizeof(p), r->l3, r->src, r->src_len);
		append(buf, len, &pos, " --src %s", p);
	}
	if (r->match & HP_RM_DST) {
		fmt_prefix(p, sizeof(p), r->l3, r->dst, r->dst_len);
		append(buf, len, &pos, " --dst %s", p);
	}
	if (r->match & HP_RM_SPORT) {
		append(buf, len, &pos, " --sport %u", r->sport_lo);
		if (r->sport_hi != r->sport_lo)
			append(buf, len, &pos, "-%u", r->sport_hi);
	}
	if (r->match & HP_RM_DPORT) {
		append(buf, len, &pos, " --dport %u", r->dport_lo);
		if (r->dport_hi != r->dport_lo)
			append(buf, len, &pos, "-%u", r->dport_hi);
	}
	if (r->match & HP_RM_VLAN)
		append(buf, len, &pos, " --vlan %u", r->vlan);
	if (r->match & HP_RM_QUEUE)
		append(buf, len, &pos, " --queue %u", r->queue);
	switch (r->action) {
	case HP_ACT_XSK:
		if (r->action_arg == HP_XSK_RXQ)
			append(buf, len, &pos, " --action xsk");
		else
			append(buf, len, &pos, " --action xsk:%u", r->action_arg);
		break;
	case HP_ACT_REDIRECT:
		if (r->redirect_ifname[0])
			append(buf, len, &pos, " --action redirect:%.16s", r->redirect_ifname);
		else
			append(buf, len, &pos, " --action redirect:ifindex%u", r->action_arg);
		break;
	default:
		append(buf, len, &pos, " --action %s", hp_counter_name(r->action));
	}
	append(buf, len, &pos, " --prio %u", r->prio);
	if (pos >= len)
		return -ENOSPC;
	memmove(buf, buf + 1, pos);	/* drop the leading space */
	return pos - 1;
}
