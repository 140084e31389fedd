/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sched_ext schedulers (schedulers/NAME.bpf.c) loaded from C: check the kernel, load and attach
 * with a bpf_link (the scheduler goes away when the process holding it exits, kill -9 included),
 * per-CPU counters, the exit reason copied out of the BPF side, and the isolation registry that
 * the `isolate` scheduler reads (a pinned map: threads registered there get CPUs of their own).
 *
 * Files: the loader writes /run/hybridpath/sched.pid ("PID NAME") and pins its counters at
 * /sys/fs/bpf/hybridpath/sched/stats while it runs; the registry is
 * /sys/fs/bpf/hybridpath/sched/hp_isol and outlives loaders (registrations persist).
 */
#ifndef HYBRIDPATH_SCHED_H
#define HYBRIDPATH_SCHED_H

#include <stdbool.h>
#include <linux/types.h>
#include <hybridpath/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HP_SCHED_NR_STATS	9
#define HP_SCHED_MAX_CPUS	64

struct hp_sched;

struct hp_sched_opts {
	size_t sz;
	bool fifo;		/* simple: FIFO instead of weighted vtime */
	__u32 timeout_ms;	/* sched_ext watchdog; 0: the kernel's default (30 s) */
	__u32 stall_pid;	/* test option: never dispatch tasks of this process */
	const char *stall_comm;	/* test option: ... or with this comm */
	__u64 housekeeping;	/* isolate: CPUs never given away (bit n = CPU n); 0: CPU 0 */
	size_t :0;
};
#define hp_sched_opts__last_field housekeeping

/* Names of the schedulers this library can load, NULL-terminated. */
extern const char *const hp_sched_names[];

/*
 * 0 when the running kernel can take our schedulers: sched_ext present, the struct sched_ext_ops
 * fields and kfuncs we use exist in its BTF, and no other scheduler is loaded. Otherwise -errno
 * with one line through the print callback saying what is missing and what to do:
 * -EOPNOTSUPP (no sched_ext), -EBUSY (another scheduler is enabled).
 */
int hp_sched_check_kernel(void);

/* Load and attach scheduler NAME. NULL with errno set on failure (nothing stays attached). */
struct hp_sched *hp_sched_load(const char *name, const struct hp_sched_opts *opts);

struct hp_sched_stats {
	__u32 nr_cpus;
	__u64 total[HP_SCHED_NR_STATS];
	__u64 cpu[HP_SCHED_MAX_CPUS][HP_SCHED_NR_STATS];
};
/* Name of counter i ("enq_local", "isol_viol", ...), NULL past the end. */
const char *hp_sched_stat_name(int i);
int hp_sched_read_stats(struct hp_sched *s, struct hp_sched_stats *st);

struct hp_sched_exit_report {
	__s64 kind;		/* enum scx_exit_kind (64: unregistered, 1026: stall, ...) */
	__s64 exit_code;
	const char *kind_name;	/* "unregistered", "stall", "error", ... */
	bool restart;		/* the kernel asks for a reload (e.g. CPU hotplug) */
	char reason[128];
	char msg[1024];
};
/* true once the kernel has ejected or unregistered the scheduler; fills r. */
bool hp_sched_exited(struct hp_sched *s, struct hp_sched_exit_report *r);
/* Unregister (detach the link); the exit report then says "unregistered from user space". */
int hp_sched_unregister(struct hp_sched *s);
void hp_sched_destroy(struct hp_sched *s);
const char *hp_sched_name(const struct hp_sched *s);

/* What the kernel and our pid file say, for `xdpctl sched status`. */
struct hp_sched_state {
	char state[16];		/* /sys/kernel/sched_ext/state: enabled, disabled, ... */
	char ops[64];		/* root/ops: the loaded scheduler's name, "" when none */
	__u64 enable_seq;
	__u64 nr_rejected;
	int loader_pid;		/* our loader process, 0 when none is running */
	char loader_sched[32];
	bool have_stats;
	struct hp_sched_stats stats;
};
int hp_sched_state(struct hp_sched_state *st);

/* Ask the running loader to unregister and exit (SIGINT), waiting up to timeout_ms for it.
 * -ENOENT when no hybridpath loader runs. */
int hp_sched_unload(int timeout_ms);

/* Registry for `isolate`: give thread tid a CPU of its own (cpu = -1: any free one). Works with
 * or without the scheduler loaded (creates and pins the map). -ESRCH if tid does not exist. */
int hp_sched_isolate(__u32 tid, int cpu);
int hp_sched_unisolate(__u32 tid);
struct hp_sched_isol {
	__u32 tid;
	int cpu;		/* asked */
	int got;		/* given by the running scheduler, -1: none (yet) */
};
/* Registered threads; returns how many (may exceed max) or -errno. */
int hp_sched_isolated(struct hp_sched_isol *list, int max);

#ifdef __cplusplus
}
#endif
#endif
