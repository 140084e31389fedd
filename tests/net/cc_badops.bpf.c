// SPDX-License-Identifier: GPL-2.0
/*
 * A tcp_congestion_ops that does not match the running kernel, for the "struct_ops mismatch"
 * case of tests/net/test_cc_errors.sh: its struct has a member (hp_future_hook) that no kernel
 * has, set to a non-zero value, so libbpf cannot map it onto the kernel's struct and the load
 * must fail with one clear error.
 */
/* vmlinux.h's own struct tcp_congestion_ops is renamed out of the way (the BTF keeps that
 * name), so that the struct below is the one libbpf matches against the kernel. */
#define tcp_congestion_ops tcp_congestion_ops___vmlinux
#include "vmlinux.h"
#undef tcp_congestion_ops
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
__u32 hp_bad_ssthresh(unsigned long long *ctx)
{
	return 2;
}

SEC("struct_ops")
void hp_bad_cong_avoid(unsigned long long *ctx)
{
}

SEC("struct_ops")
__u32 hp_bad_undo_cwnd(unsigned long long *ctx)
{
	return 2;
}

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
	__u32 hp_future_hook;
};

SEC(".struct_ops.link")
struct tcp_congestion_ops hp_badops = {
	.ssthresh	= (void *)hp_bad_ssthresh,
	.cong_avoid	= (void *)hp_bad_cong_avoid,
	.undo_cwnd	= (void *)hp_bad_undo_cwnd,
	.name		= "hp_badops",
	.hp_future_hook	= 1,
};
