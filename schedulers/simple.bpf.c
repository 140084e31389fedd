// SPDX-License-Identifier: GPL-2.0
/*
 * simple: one global queue ordered by weighted virtual time, or FIFO (cfg.fifo).
 *
 * A waking task whose chosen CPU is idle goes straight to that CPU's local queue (no queueing
 * cost). Every other task goes to one shared dispatch queue (DSQ 0) that every CPU consumes from
 * when it runs out of work. In vtime mode the shared queue is ordered by each task's virtual time:
 * a task that ran for t ns is charged t * 100 / weight, so a nice -5 task (weight ~335) advances
 * three times slower than a nice 0 one (100) and gets about three times the CPU. A task that slept
 * keeps at most one slice of credit (its vtime is raised to vtime_now - slice), so sleepers cannot
 * bank time and then monopolise the CPUs. In FIFO mode the queue is plain arrival order:
 * cheapest, but a CPU hog delays interactive tasks by a whole slice per hog.
 *
 * How it differs from the kernel's tools/sched_ext/scx_simple.bpf.c (same policy): charged time
 * is measured with timestamps at running/stopping instead of derived from the leftover slice, so
 * a task that yields early is charged what it used, not a full slice; and the test-only stall
 * option (cfg.stall_pid / cfg.stall_comm) holds matching tasks back forever so the sched_ext
 * watchdog's "runnable task stall" path can be tested.
 */
#include "scx_common.bpf.h"

char _license[] SEC("license") = "GPL";

/* Built-in DSQs cannot be vtime-ordered, so we create our own with this id in init. */
#define SHARED_DSQ 0

static u64 vtime_now;

/* Per-task start of the current run, to charge the time really used. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} run_start SEC(".maps");

s32 BPF_STRUCT_OPS(simple_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu;

	if (hp_stall_target(p))
		return prev_cpu;
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	if (idle) {
		stat_inc(HP_ST_ENQ_LOCAL);
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(simple_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;

	if (hp_stall_target(p)) {
		/* Test option: keep it runnable but never dispatch it. The watchdog ejects us
		 * after timeout_ms with "runnable task stall". */
		stat_inc(HP_ST_STALLED);
		return;
	}
	stat_inc(HP_ST_ENQ_SHARED);
	if (cfg.fifo) {
		scx_bpf_dispatch(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
		return;
	}
	/* At most one slice of credit for a task that slept. */
	if (hp_vtime_before(vtime, vtime_now - SCX_SLICE_DFL))
		vtime = vtime_now - SCX_SLICE_DFL;
	scx_bpf_dispatch_vtime(p, SHARED_DSQ, SCX_SLICE_DFL, vtime, enq_flags);
}

void BPF_STRUCT_OPS(simple_dispatch, s32 cpu, struct task_struct *prev)
{
	if (scx_bpf_consume(SHARED_DSQ))
		stat_inc(HP_ST_DISPATCH);
}

void BPF_STRUCT_OPS(simple_running, struct task_struct *p)
{
	u64 *start;

	if (cfg.fifo)
		return;
	/* vtime_now follows the tasks that start running; racy across CPUs, and an error only
	 * shifts the sleeper credit bound by a little. */
	if (hp_vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
	start = bpf_task_storage_get(&run_start, p, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (start)
		*start = bpf_ktime_get_ns();
}

void BPF_STRUCT_OPS(simple_stopping, struct task_struct *p, bool runnable)
{
	u64 *start, used;

	if (cfg.fifo)
		return;
	start = bpf_task_storage_get(&run_start, p, NULL, 0);
	if (!start || !*start)
		return;
	used = bpf_ktime_get_ns() - *start;
	*start = 0;
	/* weight is 1..10000 (100 = nice 0); never 0, the check keeps the verifier and us sure */
	if (p->scx.weight)
		p->scx.dsq_vtime += used * 100 / p->scx.weight;
}

void BPF_STRUCT_OPS(simple_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = vtime_now;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(simple_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(simple_exit, struct scx_exit_info *ei)
{
	HP_EXIT_RECORD(exit_info, ei);
}

HP_SCX_OPS(simple_ops,
	   .select_cpu = (void *)simple_select_cpu,
	   .enqueue = (void *)simple_enqueue,
	   .dispatch = (void *)simple_dispatch,
	   .running = (void *)simple_running,
	   .stopping = (void *)simple_stopping,
	   .enable = (void *)simple_enable,
	   .init = (void *)simple_init,
	   .exit = (void *)simple_exit,
	   .name = "hp_simple");
