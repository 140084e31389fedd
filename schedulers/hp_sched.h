/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Data shared by the schedulers (schedulers/NAME.bpf.c) and their loader (loader/sched.c):
 * plain fixed-size types only, no kernel types, so both sides include it.
 */
#ifndef HP_SCHED_H
#define HP_SCHED_H

#define HP_SCHED_REASON_LEN	128
#define HP_SCHED_MSG_LEN	1024
#define HP_SCHED_MAX_CPUS	64	/* cpumasks below are one __u64 */
#define HP_SCHED_MAX_ISOL	64	/* entries of the isolation registry */
#define HP_SCHED_COMM_LEN	16

/* Exit information the kernel hands to ops.exit(), copied out for the loader to print. kind is
 * written last (with a barrier): non-zero means the scheduler was ejected or unregistered. */
struct hp_sched_exit {
	__s64 kind;		/* enum scx_exit_kind; 64 bits because the BPF side writes it with
				 * a cmpxchg, and 32-bit atomics need -mcpu=v3 (not our default) */
	__s64 exit_code;	/* user part + SCX_ECODE_RSN_* | SCX_ECODE_ACT_* */
	char reason[HP_SCHED_REASON_LEN];
	char msg[HP_SCHED_MSG_LEN];
};

/* Load-time configuration, in .rodata (`const volatile`), set by the loader before load. */
struct hp_sched_cfg {
	__u32 fifo;		/* simple: FIFO instead of weighted vtime */
	__u32 stall_pid;	/* test option: tasks of this tgid are never dispatched */
	char stall_comm[HP_SCHED_COMM_LEN];	/* test option: ... or of this comm */
	__u64 housekeeping;	/* isolate: CPUs never given to a registered thread (bit n = CPU n) */
	__u32 nr_cpus;
	__u32 pad;
};

/* Per-CPU counters (a PERCPU_ARRAY named "stats", one __u64 per index). */
enum hp_sched_stat {
	HP_ST_ENQ_LOCAL,	/* dispatched straight to an idle CPU in select_cpu */
	HP_ST_ENQ_SHARED,	/* queued on the shared DSQ */
	HP_ST_DISPATCH,		/* shared-DSQ tasks moved to a CPU in dispatch */
	HP_ST_STALLED,		/* enqueues held back by the stall test option */
	HP_ST_ISOL_RUN,		/* isolate: a registered thread started running on its CPU */
	HP_ST_ISOL_VIOL,	/* isolate: an unregistered task that could run elsewhere was placed
				 * on a CPU while its registered owner was runnable (must stay 0) */
	HP_ST_ISOL_OVERLAP,	/* isolate: such a task was already running when the owner woke
				 * (it is preempted at once; the window the kick takes) */
	HP_ST_ISOL_PINNED,	/* isolate: a task bound to that one CPU (per-CPU kthread) ran there
				 * while the owner was runnable (allowed: it has nowhere else to go) */
	HP_ST_ISOL_DENIED,	/* isolate: dispatch on an owned CPU skipped the shared DSQ */
	HP_ST_NR,
};

/* Value of the isolation registry (pinned hash map "hp_isol", key: __u32 TID). cpu is the CPU the
 * user asked for (-1: the scheduler picks one); the scheduler writes the CPU it gave in `got`
 * (-1: none free, the thread runs as any other). */
struct hp_isol_val {
	__s32 cpu;
	__s32 got;
};

#endif
