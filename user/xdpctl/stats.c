// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdpctl stats: per-action and per-rule counters, once or as rates every --watch SECONDS. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <hybridpath/loader.h>
#include <hybridpath/steer.h>
#include "xdpctl.h"
#include "json.h"
#include "steer_util.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct snap {
	struct hp_counters act[HP_CNT_MAX];
	double t;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_snap(const struct hp_steer_maps *m, struct snap *s)
{
	__u32 i;
	int err;

	for (i = 0; i < HP_CNT_MAX; i++) {
		err = hp_counters_read(m->act_cnt, i, &s->act[i]);
		if (err)
			return err;
	}
	s->t = now();
	return 0;
}

static void counters_json(struct jw *w, const struct snap *s)
{
	__u32 i;

	jw_obj_open(w, "counters");
	for (i = 0; i < HP_CNT_MAX; i++) {
		jw_obj_open(w, hp_counter_name(i));
		jw_u64(w, "packets", s->act[i].packets);
		jw_u64(w, "bytes", s->act[i].bytes);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

static int stats_once(const char *ifname, const struct hp_steer_maps *m, bool json)
{
	struct hp_ruleset *rs;
	const struct hp_rule *r;
	struct hp_counters c;
	struct snap s;
	struct jw *w = NULL;
	__u32 i, id, n = 0;
	int err;

	err = read_snap(m, &s);
	if (err)
		return steer_err(err, "reading counters of", ifname, NULL);
	rs = hp_ruleset_open(m);
	if (!rs)
		return steer_err(-errno, "reading rules of", ifname, NULL);
	if (json) {
		w = jw_new(stdout);
		if (!w) {
			hp_ruleset_free(rs);
			return xdpctl_err("out of memory");
		}
		jw_obj_open(w, NULL);
		jw_str(w, "ifname", ifname);
		counters_json(w, &s);
		jw_arr_open(w, "rules");
	} else {
		printf("%-10s %14s %16s\n", "Counter", "Packets", "Bytes");
		for (i = 0; i < HP_CNT_MAX; i++)
			printf("%-10s %14llu %16llu\n", hp_counter_name(i),
			       (unsigned long long)s.act[i].packets,
			       (unsigned long long)s.act[i].bytes);
		if (hp_ruleset_count(rs))
			printf("\n%-10s %14s %16s\n", "Rule", "Packets", "Bytes");
	}
	for (id = 1; id < HP_MAX_RULES && n < hp_ruleset_count(rs); id++) {
		r = hp_ruleset_get(rs, id);
		if (!r)
			continue;
		n++;
		memset(&c, 0, sizeof(c));
		hp_counters_read(m->rule_cnt, id, &c);
		if (w) {
			jw_obj_open(w, NULL);
			jw_u64(w, "id", id);
			jw_str(w, "action", steer_action_name(r->action));
			jw_u64(w, "packets", c.packets);
			jw_u64(w, "bytes", c.bytes);
			jw_obj_close(w);
		} else {
			printf("%-10u %14llu %16llu\n", id, (unsigned long long)c.packets,
			       (unsigned long long)c.bytes);
		}
	}
	if (w) {
		jw_arr_close(w);
		jw_obj_close(w);
		jw_free(w);
	}
	hp_ruleset_free(rs);
	return XDPCTL_OK;
}

/* Print rates between a and b (text: one line per counter that moved, or an idle line). */
static void print_rates(const struct snap *a, const struct snap *b, double since, bool json,
			const char *tag)
{
	double dt = b->t - a->t, pps, bps;
	char p1[32], p2[32];
	struct jw *w;
	__u32 i;
	bool any = false;

	if (dt <= 0)
		dt = 1e-9;
	if (json) {
		w = jw_new(stdout);
		if (!w)
			return;
		jw_obj_open(w, NULL);
		jw_str(w, "type", tag);
		jw_double(w, "time", b->t - since);
		jw_double(w, "interval", dt);
		jw_obj_open(w, "counters");
		for (i = 0; i < HP_CNT_MAX; i++) {
			jw_obj_open(w, hp_counter_name(i));
			jw_u64(w, "packets", b->act[i].packets - a->act[i].packets);
			jw_u64(w, "bytes", b->act[i].bytes - a->act[i].bytes);
			jw_double(w, "pps", (b->act[i].packets - a->act[i].packets) / dt);
			jw_double(w, "bps", (b->act[i].bytes - a->act[i].bytes) * 8.0 / dt);
			jw_obj_close(w);
		}
		jw_obj_close(w);
		jw_obj_close(w);
		jw_free(w);
		return;
	}
	printf("%s %7.1fs (over %.2fs)\n", tag, b->t - since, dt);
	for (i = 0; i < HP_CNT_MAX; i++) {
		__u64 dp = b->act[i].packets - a->act[i].packets;

		if (!dp)
			continue;
		any = true;
		pps = dp / dt;
		bps = (b->act[i].bytes - a->act[i].bytes) * 8.0 / dt;
		printf("  %-10s %10s pkt/s %10sbit/s %14llu pkts\n", hp_counter_name(i),
		       xdpctl_si(pps, p1, sizeof(p1)), xdpctl_si(bps, p2, sizeof(p2)),
		       (unsigned long long)dp);
	}
	if (!any)
		printf("  (no packets)\n");
	fflush(stdout);
}

static int stats_watch(const char *ifname, const struct hp_steer_maps *m, __u32 secs,
		       __u32 count, bool json)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct snap first, prev, cur;
	struct timespec ts;
	__u32 n = 0;
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = read_snap(m, &first);
	if (err)
		return steer_err(err, "reading counters of", ifname, NULL);
	prev = first;
	if (!json)
		printf("watching %s every %us, Ctrl-C for the summary\n", ifname, secs);
	while (!stop && (!count || n < count)) {
		ts.tv_sec = secs;
		ts.tv_nsec = 0;
		/* returns early on a signal: then print the partial interval and the summary */
		nanosleep(&ts, NULL);
		err = read_snap(m, &cur);
		if (err)
			return steer_err(err, "reading counters of", ifname, NULL);
		print_rates(&prev, &cur, first.t, json, "interval");
		prev = cur;
		n++;
	}
	if (!json)
		printf("\n");
	print_rates(&first, &prev, first.t, json, "summary");
	return XDPCTL_OK;
}

int cmd_stats(int argc, char **argv)
{
	static struct { bool json; __u32 watch, count; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("json", 'j', &o.json, "JSON output (format in user/xdpctl/README.md)"),
		XOPT_U32("watch", 'w', &o.watch, "SECONDS", "print rates every SECONDS until "
			 "Ctrl-C, then a summary"),
		XOPT_U32("count", 'c', &o.count, "N", "with --watch: stop after N intervals"),
		XOPT_END
	};
	static const struct xcmd spec = { "stats", "IFACE", 1, 1, opts,
		"per-action and per-rule packet and byte counters of IFACE" };
	struct hp_steer_maps maps;
	char *pos[1], hint[128];
	int rc, ifindex, err;

	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	if (o.count && !o.watch)
		return xdpctl_usage_err(&spec, "--count needs --watch SECONDS");
	if (xdpctl_ifindex(pos[0], &ifindex))
		return XDPCTL_FAIL;
	rc = steer_bpffs(false, hint, sizeof(hint));
	if (rc)
		return rc;
	err = hp_steer_maps_open(ifindex, &maps);
	if (err)
		return steer_err(err, "reading counters of", pos[0], hint);
	if (o.watch)
		rc = stats_watch(pos[0], &maps, o.watch, o.count, o.json);
	else
		rc = stats_once(pos[0], &maps, o.json);
	hp_steer_maps_close(&maps);
	return rc;
}
