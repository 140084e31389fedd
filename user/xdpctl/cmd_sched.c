// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdpctl sched: sched_ext schedulers (loader/sched.c).
 *
 *	xdpctl sched load NAME [--fifo] [--timeout-ms MS] [--housekeeping MASK] [--json]
 *			       [--interval S] [--duration S] [--stall-pid PID] [--stall-comm COMM]
 *	xdpctl sched status [--json]
 *	xdpctl sched unload
 *	xdpctl sched isolate TID [--cpu N] [--remove]
 *
 * `load` stays in the foreground like the kernel's scx_* loaders: one line of counters per
 * interval, until SIGINT/SIGTERM (or `sched unload`), which unregisters and exits 0. When the
 * kernel ejects the scheduler it prints "EXIT: <kind> <reason> (<msg>)" and exits 1; when the exit
 * asks for a restart (CPU hotplug) it loads the scheduler again.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hybridpath/sched.h>
#include "xdpctl.h"
#include "json.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static void print_stats_json(struct jw *w, const char *key, const struct hp_sched_stats *st)
{
	int i;
	__u32 c;

	jw_obj_open(w, key);
	for (i = 0; i < HP_SCHED_NR_STATS; i++)
		jw_u64(w, hp_sched_stat_name(i), st->total[i]);
	jw_arr_open(w, "cpus");
	for (c = 0; c < st->nr_cpus; c++) {
		jw_obj_open(w, NULL);
		jw_u64(w, "cpu", c);
		for (i = 0; i < HP_SCHED_NR_STATS; i++)
			jw_u64(w, hp_sched_stat_name(i), st->cpu[c][i]);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

static int sched_load(int argc, char **argv)
{
	static struct {
		bool fifo, json;
		__u32 timeout_ms, interval, duration, stall_pid;
		const char *stall_comm, *housekeeping;
	} o;
	static const struct xopt opts[] = {
		XOPT_FLAG("fifo", 0, &o.fifo, "simple: FIFO instead of weighted vtime"),
		XOPT_U32("timeout-ms", 't', &o.timeout_ms, "MS", "sched_ext watchdog timeout (default 30000)"),
		XOPT_STR("housekeeping", 0, &o.housekeeping, "MASK", "isolate: CPUs never given away (hex mask, default 0x1)"),
		XOPT_U32("interval", 'i', &o.interval, "S", "seconds between stats lines (default 1)"),
		XOPT_U32("duration", 'd', &o.duration, "S", "unregister and exit 0 after S seconds"),
		XOPT_FLAG("json", 'j', &o.json, "one JSON object per stats line"),
		XOPT_U32("stall-pid", 0, &o.stall_pid, "PID", "test: never dispatch this process (watchdog must eject)"),
		XOPT_STR("stall-comm", 0, &o.stall_comm, "COMM", "test: never dispatch tasks named COMM"),
		XOPT_END
	};
	static const struct xcmd spec = { "sched load", "NAME", 1, 1, opts,
		"load a sched_ext scheduler (simple, isolate) and stay in the foreground" };
	struct hp_sched_stats st, prev;
	struct hp_sched_exit_report r;
	struct hp_sched *s = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	char *pos[1], *end;
	unsigned long long hk = 0;
	time_t start, last;
	int rc, loads = 0, i;

	memset(&o, 0, sizeof(o));
	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	if (o.housekeeping) {
		errno = 0;
		hk = strtoull(o.housekeeping, &end, 16);
		if (errno || *end || !hk)
			return xdpctl_usage_err(&spec, "--housekeeping '%s': expected a non-zero hex "
						"CPU mask such as 0x1", o.housekeeping);
	}
	if (!o.interval)
		o.interval = 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = 0;
again:
	{
		HP_OPTS(hp_sched_opts, lo, .fifo = o.fifo, .timeout_ms = o.timeout_ms,
			.stall_pid = o.stall_pid, .stall_comm = o.stall_comm, .housekeeping = hk);
		s = hp_sched_load(pos[0], &lo);
	}
	if (!s) {
		/* For these the library already printed one line with the cause and the fix. */
		if (errno == EOPNOTSUPP || errno == EBUSY || errno == ENOENT)
			return XDPCTL_FAIL;
		return xdpctl_err("sched load %s: %s", pos[0], strerror(errno));
	}
	loads++;
	if (!start)
		start = time(NULL);	/* --duration counts from the first successful load */
	if (!o.json)
		printf("loaded %s (pid %d)%s; Ctrl-C or 'xdpctl sched unload' to stop\n",
		       hp_sched_name(s), getpid(), loads > 1 ? " again" : "");
	fflush(stdout);
	memset(&prev, 0, sizeof(prev));
	memset(&r, 0, sizeof(r));	/* stays zeroed if the kernel never reports an exit */
	last = time(NULL);
	while (!stop) {
		usleep(100 * 1000);
		if (hp_sched_exited(s, &r))
			break;
		if (o.duration && time(NULL) - start >= (time_t)o.duration)
			break;
		if (time(NULL) - last < (time_t)o.interval)
			continue;
		last = time(NULL);
		if (hp_sched_read_stats(s, &st))
			continue;
		if (o.json) {
			struct jw *w = jw_new(stdout);

			jw_obj_open(w, NULL);
			jw_str(w, "sched", hp_sched_name(s));
			jw_u64(w, "time", (__u64)time(NULL));
			print_stats_json(w, "stats", &st);
			jw_obj_close(w);
			jw_free(w);
		} else {
			printf("%-8s", hp_sched_name(s));
			for (i = 0; i < HP_SCHED_NR_STATS; i++)
				if (i < 4 || st.total[i])
					printf(" %s %llu/s", hp_sched_stat_name(i),
					       (unsigned long long)((st.total[i] - prev.total[i]) /
								    o.interval));
			if (st.total[5] || st.total[4])
				printf(" | isol_viol total %llu",
				       (unsigned long long)st.total[5]);
			printf("\n");
		}
		fflush(stdout);
		prev = st;
	}
	if (!hp_sched_exited(s, &r)) {
		hp_sched_unregister(s);
		hp_sched_exited(s, &r);
	}
	if (r.kind) {
		/* the EXIT line goes to stdout so tests and logs see it in order with the stats */
		printf("EXIT: %s %s", r.kind_name, r.reason);
		if (r.msg[0])
			printf(" (%s)", r.msg);
		printf("\n");
		fflush(stdout);
	}
	hp_sched_destroy(s);
	s = NULL;
	if (r.restart && !stop) {
		fprintf(stderr, "xdpctl: the kernel asks for a restart (exit code 0x%llx, e.g. CPU "
			"hotplug): loading %s again\n", (unsigned long long)r.exit_code, pos[0]);
		if (loads < 16)
			goto again;
		return xdpctl_err("restarted %d times; giving up", loads);
	}
	/* Unregistered by us (signal, --duration): success. Ejected by the kernel: failure. */
	return r.kind == 64 && (stop || o.duration) ? XDPCTL_OK : XDPCTL_FAIL;
}

static int sched_status(int argc, char **argv)
{
	static struct { bool json; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("json", 'j', &o.json, "print JSON"),
		XOPT_END
	};
	static const struct xcmd spec = { "sched status", NULL, 0, 0, opts,
		"sched_ext state, the loaded scheduler, counters, isolated threads" };
	struct hp_sched_isol iso[64];
	struct hp_sched_state st;
	int rc, n, i, j;
	__u32 c;

	memset(&o, 0, sizeof(o));
	rc = xdpctl_parse(&spec, argc, argv, NULL);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	hp_sched_state(&st);
	n = hp_sched_isolated(iso, 64);
	if (n > 64)
		n = 64;
	if (o.json) {
		struct jw *w = jw_new(stdout);

		jw_obj_open(w, NULL);
		jw_str(w, "state", st.state);
		jw_str(w, "ops", st.ops[0] ? st.ops : NULL);
		jw_u64(w, "enable_seq", st.enable_seq);
		jw_u64(w, "nr_rejected", st.nr_rejected);
		if (st.loader_pid) {
			jw_i64(w, "loader_pid", st.loader_pid);
			jw_str(w, "loader_sched", st.loader_sched);
		} else {
			jw_null(w, "loader_pid");
		}
		if (st.have_stats)
			print_stats_json(w, "stats", &st.stats);
		jw_arr_open(w, "isolated");
		for (i = 0; i < n; i++) {
			jw_obj_open(w, NULL);
			jw_u64(w, "tid", iso[i].tid);
			jw_i64(w, "cpu", iso[i].cpu);
			jw_i64(w, "got", iso[i].got);
			jw_obj_close(w);
		}
		jw_arr_close(w);
		jw_obj_close(w);
		jw_free(w);
		return XDPCTL_OK;
	}
	printf("%-12s %s\n", "state", st.state);
	printf("%-12s %s\n", "ops", st.ops[0] ? st.ops : "-");
	printf("%-12s %llu\n", "enable_seq", (unsigned long long)st.enable_seq);
	if (st.loader_pid)
		printf("%-12s pid %d (%s)\n", "loader", st.loader_pid, st.loader_sched);
	if (st.have_stats) {
		printf("%-5s", "cpu");
		for (j = 0; j < HP_SCHED_NR_STATS; j++)
			printf(" %12s", hp_sched_stat_name(j));
		printf("\n");
		for (c = 0; c < st.stats.nr_cpus; c++) {
			printf("%-5u", c);
			for (j = 0; j < HP_SCHED_NR_STATS; j++)
				printf(" %12llu", (unsigned long long)st.stats.cpu[c][j]);
			printf("\n");
		}
	}
	for (i = 0; i < n; i++)
		printf("isolated     tid %u cpu %s%d got %d\n", iso[i].tid,
		       iso[i].cpu < 0 ? "any " : "", iso[i].cpu, iso[i].got);
	return XDPCTL_OK;
}

static int sched_unload(int argc, char **argv)
{
	static const struct xopt opts[] = { XOPT_END };
	static const struct xcmd spec = { "sched unload", NULL, 0, 0, opts,
		"stop the running 'xdpctl sched load' (the kernel returns to the fair class)" };
	int rc, err;

	rc = xdpctl_parse(&spec, argc, argv, NULL);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	err = hp_sched_unload(10000);
	if (err == -ENOENT)
		return xdpctl_err("no 'xdpctl sched load' is running (nothing to unload)");
	if (err)
		return xdpctl_err("sched unload: %s", strerror(-err));
	return XDPCTL_OK;
}

static int sched_isolate(int argc, char **argv)
{
	static struct { bool remove; const char *cpu; } o;
	static const struct xopt opts[] = {
		XOPT_STR("cpu", 'c', &o.cpu, "N", "the CPU to give it (default: any free one)"),
		XOPT_FLAG("remove", 'r', &o.remove, "unregister the thread"),
		XOPT_END
	};
	static const struct xcmd spec = { "sched isolate", "PID|TID", 1, 1, opts,
		"register a thread for the isolate scheduler: a CPU of its own" };
	char *pos[1], *end;
	unsigned long tid;
	long cpu = -1;
	int rc, err;

	memset(&o, 0, sizeof(o));
	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	errno = 0;
	tid = strtoul(pos[0], &end, 10);
	if (errno || *end || !tid || tid > 0x7fffffff)
		return xdpctl_usage_err(&spec, "'%s' is not a thread id", pos[0]);
	if (o.cpu) {
		cpu = strtol(o.cpu, &end, 10);
		if (*end || cpu < 0 || cpu >= HP_SCHED_MAX_CPUS)
			return xdpctl_usage_err(&spec, "--cpu '%s': expected 0..%d", o.cpu,
						HP_SCHED_MAX_CPUS - 1);
	}
	err = o.remove ? hp_sched_unisolate(tid) : hp_sched_isolate(tid, cpu);
	if (err)
		return xdpctl_err("sched isolate %lu: %s", tid, strerror(-err));
	return XDPCTL_OK;
}

int cmd_sched(int argc, char **argv)
{
	static const struct xverb verbs[] = {
		{ "load", sched_load, "load NAME [--json] [--fifo] ...: run a scheduler (foreground)" },
		{ "status", sched_status, "status [--json]: state, counters, isolated threads" },
		{ "unload", sched_unload, "unload: stop the running loader" },
		{ "isolate", sched_isolate, "isolate PID|TID [--cpu N] [--remove]" },
		{ NULL, NULL, NULL }
	};

	return xdpctl_dispatch("sched", verbs, argc, argv);
}
