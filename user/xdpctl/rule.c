// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdpctl rule add|del|list: the steering rule set (user/steer rule compiler over the maps). */
#include <errno.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <hybridpath/loader.h>
#include <hybridpath/steer.h>
#include "xdpctl.h"
#include "json.h"
#include "steer_util.h"

/* Open the maps and the rule set of ifname; prints the error. */
static int open_rules(const char *ifname, struct hp_steer_maps *maps, struct hp_ruleset **rs)
{
	char hint[128];
	int ifindex, err, rc;

	if (xdpctl_ifindex(ifname, &ifindex))
		return XDPCTL_FAIL;
	rc = steer_bpffs(false, hint, sizeof(hint));
	if (rc)
		return rc;
	err = hp_steer_maps_open(ifindex, maps);
	if (err)
		return steer_err(err, "opening the rules of", ifname, hint);
	*rs = hp_ruleset_open(maps);
	if (!*rs) {
		err = -errno;
		hp_steer_maps_close(maps);
		return steer_err(err, "reading the rules of", ifname, NULL);
	}
	return XDPCTL_OK;
}

static int rule_add(int argc, char **argv)
{
	static const struct xcmd spec = { "rule add", "IFACE [--proto tcp|udp|icmp|icmpv6] "
		"[--src PREFIX] [--dst PREFIX] [--sport N[-M]] [--dport N[-M]] [--vlan N] "
		"[--queue N] [--prio N] --action pass|drop|xsk[:QUEUE]|redirect:IFACE|tx",
		1, 1, NULL,
		"add a steering rule; prints its id (lower --prio wins, default 1000)" };
	struct hp_steer_maps maps;
	struct hp_ruleset *rs;
	struct hp_rule rule;
	char err[256];
	int i, rc, lock;
	__u32 id;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			xdpctl_usage(&spec, stdout);
			return XDPCTL_OK;
		}
	}
	if (argc < 2 || argv[1][0] == '-')
		return xdpctl_usage_err(&spec, "missing IFACE");
	/* resolve IFACE first: an unknown interface is reported before option errors */
	if (xdpctl_ifindex(argv[1], &i))
		return XDPCTL_FAIL;
	memset(&rule, 0, sizeof(rule));
	err[0] = 0;
	rc = hp_rule_parse(argc - 2, argv + 2, &rule, err, sizeof(err));
	if (rc == -ENODEV)
		return xdpctl_err("%s", err[0] ? err : "unknown redirect interface");
	if (rc)
		return xdpctl_usage_err(&spec, "%s", err[0] ? err : hp_strerror(rc));
	lock = hp_lock();
	if (lock < 0)
		return steer_err(lock, "locking the rules of", argv[1], NULL);
	rc = open_rules(argv[1], &maps, &rs);
	if (rc)
		goto out_unlock;
	i = hp_ruleset_add(rs, &rule, &id);
	if (i == -ENOSPC)
		rc = xdpctl_err("cannot add the rule to %s: %s (delete rules or use fewer rule "
				"shapes)", argv[1], hp_ruleset_errmsg(rs));
	else if (i)
		rc = xdpctl_err("cannot add the rule to %s: %s%s%s", argv[1], hp_strerror(i),
				hp_ruleset_errmsg(rs) && *hp_ruleset_errmsg(rs) ? ": " : "",
				hp_ruleset_errmsg(rs) ? hp_ruleset_errmsg(rs) : "");
	else
		printf("%u\n", id);
	hp_ruleset_free(rs);
	hp_steer_maps_close(&maps);
out_unlock:
	hp_unlock(lock);
	return rc;
}

static int rule_del(int argc, char **argv)
{
	static const struct xopt opts[] = { XOPT_END };
	static const struct xcmd spec = { "rule del", "IFACE ID", 2, 2, opts,
		"delete rule ID (as printed by rule add / rule list)" };
	struct hp_steer_maps maps;
	struct hp_ruleset *rs;
	char *pos[2], *end;
	unsigned long id;
	int rc, err, lock;

	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	errno = 0;
	id = strtoul(pos[1], &end, 10);
	if (errno || *end || pos[1][0] == '-' || !id || id >= HP_MAX_RULES)
		return xdpctl_usage_err(&spec, "bad rule id '%s': expected 1..%u", pos[1],
					HP_MAX_RULES - 1);
	lock = hp_lock();
	if (lock < 0)
		return steer_err(lock, "locking the rules of", pos[0], NULL);
	rc = open_rules(pos[0], &maps, &rs);
	if (rc)
		goto out_unlock;
	err = hp_ruleset_del(rs, id);
	if (err == -ENOENT)
		rc = xdpctl_err("rule id %lu not found on %s: list the rules with xdpctl rule "
				"list %s", id, pos[0], pos[0]);
	else if (err)
		rc = xdpctl_err("cannot delete rule %lu on %s: %s", id, pos[0], hp_strerror(err));
	hp_ruleset_free(rs);
	hp_steer_maps_close(&maps);
out_unlock:
	hp_unlock(lock);
	return rc;
}

static const char *l4_name(__u8 p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: return NULL;
	}
}

static void prefix_str(const struct hp_rule *r, const __u8 *addr, __u8 len, char *buf,
		       size_t blen)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(r->l3 == HP_L3_IPV6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	snprintf(buf, blen, "%s/%u", a, len);
}

static void rule_json(struct jw *w, __u32 id, const struct hp_rule *r, const char *text,
		      const struct hp_counters *c)
{
	char buf[64];

	jw_obj_open(w, NULL);
	jw_u64(w, "id", id);
	jw_u64(w, "prio", r->prio);
	jw_str(w, "action", steer_action_name(r->action));
	if (r->action == HP_ACT_XSK)
		jw_i64(w, "queue", r->action_arg == HP_XSK_RXQ ? -1 : (long long)r->action_arg);
	if (r->action == HP_ACT_REDIRECT) {
		jw_str(w, "redirect_ifname", r->redirect_ifname);
		jw_u64(w, "redirect_ifindex", r->action_arg);
	}
	jw_obj_open(w, "match");
	if (r->match & HP_RM_L4PROTO) {
		if (l4_name(r->l4proto))
			jw_str(w, "proto", l4_name(r->l4proto));
		else
			jw_u64(w, "proto", r->l4proto);
	}
	if (r->match & HP_RM_L3)
		jw_str(w, "l3", r->l3 == HP_L3_IPV6 ? "ipv6" : "ipv4");
	if (r->match & HP_RM_SRC) {
		prefix_str(r, r->src, r->src_len, buf, sizeof(buf));
		jw_str(w, "src", buf);
	}
	if (r->match & HP_RM_DST) {
		prefix_str(r, r->dst, r->dst_len, buf, sizeof(buf));
		jw_str(w, "dst", buf);
	}
	if (r->match & HP_RM_SPORT) {
		jw_arr_open(w, "sport");
		jw_u64(w, NULL, r->sport_lo);
		jw_u64(w, NULL, r->sport_hi);
		jw_arr_close(w);
	}
	if (r->match & HP_RM_DPORT) {
		jw_arr_open(w, "dport");
		jw_u64(w, NULL, r->dport_lo);
		jw_u64(w, NULL, r->dport_hi);
		jw_arr_close(w);
	}
	if (r->match & HP_RM_VLAN)
		jw_u64(w, "vlan", r->vlan);
	if (r->match & HP_RM_QUEUE)
		jw_u64(w, "queue", r->queue);
	jw_obj_close(w);
	jw_str(w, "rule", text);
	jw_u64(w, "packets", c->packets);
	jw_u64(w, "bytes", c->bytes);
	jw_obj_close(w);
}

static int rule_list(int argc, char **argv)
{
	static struct { bool json; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("json", 'j', &o.json, "JSON output (format in user/xdpctl/README.md)"),
		XOPT_END
	};
	static const struct xcmd spec = { "rule list", "IFACE", 1, 1, opts,
		"list the rules of IFACE with their counters, by id" };
	struct hp_steer_maps maps;
	struct hp_ruleset *rs;
	const struct hp_rule *r;
	struct hp_counters c;
	struct jw *w = NULL;
	char *pos[1], text[512];
	__u32 id, n = 0;
	int rc;

	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	rc = open_rules(pos[0], &maps, &rs);
	if (rc)
		return rc;
	if (o.json) {
		w = jw_new(stdout);
		if (!w) {
			rc = xdpctl_err("out of memory");
			goto out;
		}
		jw_obj_open(w, NULL);
		jw_str(w, "ifname", pos[0]);
		jw_arr_open(w, "rules");
	} else {
		printf("%6s %6s %12s %14s  %s\n", "ID", "Prio", "Packets", "Bytes", "Rule");
	}
	for (id = 1; id < HP_MAX_RULES && n < hp_ruleset_count(rs); id++) {
		r = hp_ruleset_get(rs, id);
		if (!r)
			continue;
		n++;
		memset(&c, 0, sizeof(c));
		hp_counters_read(maps.rule_cnt, id, &c);
		if (hp_rule_format(r, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "?");
		if (w)
			rule_json(w, id, r, text, &c);
		else
			printf("%6u %6u %12llu %14llu  %s\n", id, r->prio,
			       (unsigned long long)c.packets, (unsigned long long)c.bytes, text);
	}
	if (w) {
		jw_arr_close(w);
		jw_obj_close(w);
		jw_free(w);
	}
out:
	hp_ruleset_free(rs);
	hp_steer_maps_close(&maps);
	return rc;
}

int cmd_rule(int argc, char **argv)
{
	static const struct xverb verbs[] = {
		{ "add", rule_add, "IFACE [match options] --action ACTION   (prints the rule id)" },
		{ "del", rule_del, "IFACE ID" },
		{ "list", rule_list, "IFACE [--json]" },
		{ NULL, NULL, NULL }
	};

	return xdpctl_dispatch("rule", verbs, argc, argv);
}
