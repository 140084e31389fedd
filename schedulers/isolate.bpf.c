// SPDX-License-Identifier: GPL-2.0
/*
 * isolate: datapath-aware scheduling. Threads registered in the pinned hash map hp_isol (key: TID;
 * written by `xdpctl sched isolate TID` or hp_sched_isolate(), e.g. by the port API for its poller
 * threads) each get a CPU of their own; while such an owner is runnable, no other task is placed
 * on its CPU.
 *
 * CPUs: cfg.housekeeping (default: CPU 0) is never given to a registered thread, so the rest of
 * the system always has somewhere to run. A registered thread is given the CPU it asked for, or
 * the first free non-housekeeping CPU its affinity allows, on its first enqueue; with no CPU free
 * it is scheduled like any other task (its entry says got = -1).
 *
 * Queues: an owner is always dispatched to its CPU's local queue and kicks the CPU (preempting
 * whatever unregistered task runs there; that task goes back through enqueue to the shared queue).
 * Every other task goes to one shared FIFO queue, or straight to an idle CPU that is not owned by
 * a runnable owner. A CPU consumes from the shared queue only when its owner (if any) is not
 * runnable, so while the owner is runnable the only other tasks that run there are tasks bound to
 * that CPU alone (per-CPU kthreads): they have nowhere else to go, so they queue behind the owner
 * and get a turn each time its 5 ms slice ends. That, and the 5 ms slices, is why nobody starves
 * past the sched_ext watchdog: an owner that never sleeps costs the others its CPU, not their turn.
 *
 * Record (per-CPU "stats" counters): HP_ST_ISOL_VIOL counts unregistered movable tasks started on
 * a CPU whose owner was already runnable when the task was placed there (the policy says 0);
 * HP_ST_ISOL_OVERLAP counts those placed just before the owner woke (preempted by the kick);
 * HP_ST_ISOL_PINNED counts per-CPU-bound tasks that ran while the owner was runnable.
 */
#include "scx_common.bpf.h"

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ	0
#define OWNER_SLICE	5000000ULL	/* 5 ms: a per-CPU kthread waits at most this long */
#define OTHER_SLICE	SCX_SLICE_DFL

/* The registry, pinned by name under the loader's pin root (/sys/fs/bpf/hybridpath/sched). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HP_SCHED_MAX_ISOL);
	__type(key, u32);
	__type(value, struct hp_isol_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hp_isol SEC(".maps");

/* Per-CPU ownership, indexed by CPU (bounded by HP_SCHED_MAX_CPUS). __u64/__u32 rather than
 * u64/u32: the skeleton repeats these types for userspace, which has only the __ names. */
/* 0: not owned. 64-bit because it is claimed with cmpxchg, and 32-bit atomics need -mcpu=v3. */
__u64 owner_tid[HP_SCHED_MAX_CPUS];
__u32 owner_runnable[HP_SCHED_MAX_CPUS];		/* owner is runnable (queued or running) */
__u64 owner_since[HP_SCHED_MAX_CPUS];		/* when it became runnable */
__u64 placed_at[HP_SCHED_MAX_CPUS];		/* last time an unregistered task was put there */

/*
 * Array index for a CPU number. Verifier workaround: when a caller already checked cpu < 64
 * (cpu_ok), clang drops a plain `& 63` as redundant, yet the verifier lost that bound across the
 * register copies and rejects the access ("unbounded memory access"). The empty asm hides the
 * value from the optimiser so the mask stays in the program.
 */
static __always_inline u32 cpu_idx(s32 cpu)
{
	u32 c = cpu;

	asm volatile("" : "+r"(c));
	return c & (HP_SCHED_MAX_CPUS - 1);
}

static __always_inline bool cpu_ok(s32 cpu)
{
	return cpu >= 0 && cpu < HP_SCHED_MAX_CPUS && (u32)cpu < cfg.nr_cpus;
}

static __always_inline bool housekeeping(s32 cpu)
{
	u64 hk = cfg.housekeeping ?: 1;		/* default: CPU 0 */

	return cpu_ok(cpu) && (hk >> cpu) & 1;
}

/* The CPU p owns, or -1. Assigns one on first use; releases a stale one. */
static s32 owned_cpu(struct task_struct *p)
{
	u32 tid = p->pid;
	struct hp_isol_val *v;
	s32 cpu;
	int i;

	v = bpf_map_lookup_elem(&hp_isol, &tid);
	if (!v)
		return -1;
	cpu = v->got;
	if (cpu_ok(cpu) && owner_tid[cpu_idx(cpu)] == tid)
		return cpu;
	/* Not assigned yet (or the assignment was lost): the asked CPU, else the first free one. */
	for (i = 0; i < HP_SCHED_MAX_CPUS; i++) {
		cpu = v->cpu >= 0 ? v->cpu : i;
		if (!cpu_ok(cpu) || housekeeping(cpu) ||
		    !bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
			goto next;
		if (__sync_val_compare_and_swap(&owner_tid[cpu_idx(cpu)], 0,
						(u64)tid) == 0
		    || owner_tid[cpu_idx(cpu)] == tid) {
			v->got = cpu;
			return cpu;
		}
next:
		if (v->cpu >= 0)
			break;
	}
	v->got = -1;
	return -1;
}

static void release(struct task_struct *p)
{
	u32 tid = p->pid;
	int i;

	for (i = 0; i < HP_SCHED_MAX_CPUS; i++) {
		if (owner_tid[i] == tid) {
			owner_runnable[i] = 0;
			owner_tid[i] = 0;
		}
	}
}

/* Is an owner runnable on cpu (and is that owner not p)? */
static __always_inline bool cpu_reserved(s32 cpu, struct task_struct *p)
{
	u32 c = cpu_idx(cpu);

	return cpu_ok(cpu) && owner_runnable[c] && owner_tid[c] != (u64)p->pid;
}

s32 BPF_STRUCT_OPS(isolate_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu;

	if (hp_stall_target(p))
		return prev_cpu;
	cpu = owned_cpu(p);
	if (cpu >= 0)
		return cpu;	/* enqueue puts it on its own CPU */
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	/* Straight to an idle CPU only if no owner is runnable there and none owns it: an owned
	 * CPU takes others only through dispatch(), which checks the owner each time. */
	if (idle && cpu_ok(cpu) && !owner_tid[cpu_idx(cpu)]) {
		stat_inc(HP_ST_ENQ_LOCAL);
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL, OTHER_SLICE, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(isolate_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 cpu, tcpu;
	u32 c;

	if (hp_stall_target(p)) {
		stat_inc(HP_ST_STALLED);
		return;		/* test option: never dispatched; the watchdog must eject us */
	}
	cpu = owned_cpu(p);
	if (cpu >= 0) {
		c = cpu_idx(cpu);
		if (!owner_runnable[c]) {
			owner_since[c] = bpf_ktime_get_ns();
			owner_runnable[c] = 1;
		}
		/* SCX_ENQ_PREEMPT zeroes the slice of whatever runs there (an unregistered task goes
		 * back through enqueue to the shared queue) and reschedules that CPU. */
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL_ON | cpu, OWNER_SLICE, enq_flags | SCX_ENQ_PREEMPT);
		if (cpu != (s32)bpf_get_smp_processor_id())
			scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
		return;
	}
	/* A task bound to one owned CPU (per-CPU kthread) can only wait there, behind the owner. */
	tcpu = scx_bpf_task_cpu(p);
	if (p->nr_cpus_allowed == 1 && cpu_ok(tcpu) && owner_tid[cpu_idx(tcpu)]) {
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL_ON | tcpu, OTHER_SLICE, enq_flags);
		return;
	}
	stat_inc(HP_ST_ENQ_SHARED);
	scx_bpf_dispatch(p, SHARED_DSQ, OTHER_SLICE, enq_flags);
}

void BPF_STRUCT_OPS(isolate_dispatch, s32 cpu, struct task_struct *prev)
{
	u32 c = cpu_idx(cpu);

	if (cpu_ok(cpu) && owner_tid[c] && owner_runnable[c]) {
		stat_inc(HP_ST_ISOL_DENIED);
		return;
	}
	if (cpu_ok(cpu))
		placed_at[c] = bpf_ktime_get_ns();
	if (scx_bpf_consume(SHARED_DSQ))
		stat_inc(HP_ST_DISPATCH);
}

void BPF_STRUCT_OPS(isolate_runnable, struct task_struct *p, u64 enq_flags)
{
	s32 cpu = owned_cpu(p);
	u32 c;

	if (cpu < 0)
		return;
	c = cpu_idx(cpu);
	if (!owner_runnable[c]) {
		owner_since[c] = bpf_ktime_get_ns();
		owner_runnable[c] = 1;
	}
}

void BPF_STRUCT_OPS(isolate_quiescent, struct task_struct *p, u64 deq_flags)
{
	u32 tid = p->pid;
	int i;

	for (i = 0; i < HP_SCHED_MAX_CPUS; i++)
		if (owner_tid[i] == tid)
			owner_runnable[i] = 0;
}

void BPF_STRUCT_OPS(isolate_running, struct task_struct *p)
{
	s32 cpu = scx_bpf_task_cpu(p);
	u32 c = cpu_idx(cpu);

	if (!cpu_ok(cpu) || !owner_tid[c])
		return;
	if (owner_tid[c] == (u64)p->pid) {
		stat_inc(HP_ST_ISOL_RUN);
		return;
	}
	if (!owner_runnable[c])
		return;
	if (p->nr_cpus_allowed == 1)
		stat_inc(HP_ST_ISOL_PINNED);
	else if (owner_since[c] < placed_at[c])
		stat_inc(HP_ST_ISOL_VIOL);
	else
		stat_inc(HP_ST_ISOL_OVERLAP);
}

void BPF_STRUCT_OPS(isolate_disable, struct task_struct *p)
{
	release(p);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(isolate_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(isolate_exit, struct scx_exit_info *ei)
{
	HP_EXIT_RECORD(exit_info, ei);
}

HP_SCX_OPS(isolate_ops,
	   .select_cpu = (void *)isolate_select_cpu,
	   .enqueue = (void *)isolate_enqueue,
	   .dispatch = (void *)isolate_dispatch,
	   .runnable = (void *)isolate_runnable,
	   .quiescent = (void *)isolate_quiescent,
	   .running = (void *)isolate_running,
	   .disable = (void *)isolate_disable,
	   .init = (void *)isolate_init,
	   .exit = (void *)isolate_exit,
	   .name = "hp_isolate");
