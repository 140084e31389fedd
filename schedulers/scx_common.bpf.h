/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The little the project's sched_ext schedulers need on the BPF side: the kfuncs of a 6.12
 * kernel (names checked against vmlinux/x86/vmlinux.h's BTF: 6.12 has scx_bpf_dispatch*,
 * scx_bpf_consume; 6.13 renamed them scx_bpf_dsq_insert*, scx_bpf_dsq_move_to_local), struct_ops
 * section macros and the exit-info copy. Written for this project; tools/sched_ext's headers were
 * read for reference only.
 */
#ifndef HP_SCX_COMMON_BPF_H
#define HP_SCX_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "hp_sched.h"

/* kfuncs (kernel/sched/ext.c, 6.12) */
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags,
			   bool *is_idle) __ksym;
void scx_bpf_dispatch(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym;
void scx_bpf_dispatch_vtime(struct task_struct *p, u64 dsq_id, u64 slice, u64 vtime,
			    u64 enq_flags) __ksym;
bool scx_bpf_consume(u64 dsq_id) __ksym;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym;
s32 scx_bpf_dsq_nr_queued(u64 dsq_id) __ksym;
s32 scx_bpf_task_cpu(const struct task_struct *p) __ksym;
bool scx_bpf_test_and_clear_cpu_idle(s32 cpu) __ksym;
void scx_bpf_error_bstr(char *fmt, unsigned long long *data, u32 data_len) __ksym;
bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym;

#define BPF_STRUCT_OPS(name, args...)	SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/* The ops table: a struct_ops map with a link (.struct_ops.link), so the scheduler goes away when
 * the loader's link fd closes (kill -9 included). */
#define HP_SCX_OPS(name, ...) \
	SEC(".struct_ops.link") struct sched_ext_ops name = { __VA_ARGS__ }

/* Copy what the kernel says about the exit into `exit_info` (struct hp_sched_exit in .data): the
 * strings first, kind last with a full barrier, so a loader that sees kind != 0 reads complete
 * strings. */
#define HP_EXIT_RECORD(dst, ei) ({						\
	bpf_probe_read_kernel_str((dst).reason, sizeof((dst).reason), (ei)->reason);	\
	bpf_probe_read_kernel_str((dst).msg, sizeof((dst).msg), (ei)->msg);	\
	(dst).exit_code = (ei)->exit_code;					\
	__sync_val_compare_and_swap(&(dst).kind, (dst).kind, (ei)->kind);	\
})

static __always_inline bool hp_vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/* ---- what every hybridpath scheduler has: config, exit info, per-CPU counters, stall option --- */
#ifndef HP_SCX_NO_COMMON
const volatile struct hp_sched_cfg cfg;
struct hp_sched_exit exit_info SEC(".data");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HP_ST_NR);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

static __always_inline void stat_inc(u32 idx)
{
	u64 *c = bpf_map_lookup_elem(&stats, &idx);

	if (c)
		(*c)++;
}

/* Test option: is p one of the tasks we must never dispatch (to make the watchdog fire)? */
static __always_inline bool hp_stall_target(const struct task_struct *p)
{
	int i;

	if (cfg.stall_pid && p->tgid == (pid_t)cfg.stall_pid)
		return true;
	if (!cfg.stall_comm[0])
		return false;
	for (i = 0; i < HP_SCHED_COMM_LEN; i++) {
		if (p->comm[i] != cfg.stall_comm[i])
			return false;
		if (!p->comm[i])
			break;
	}
	return true;
}
#endif

#endif
