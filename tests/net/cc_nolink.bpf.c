// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal Reno written the older way, in SEC(".struct_ops") rather than ".struct_ops.link",
 * and without the hp_cc_stats map: what a third-party object may look like. The loader must
 * still register it through a link it can pin and later detach (tests/net/test_cc_errors.sh).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

SEC("struct_ops")
__u32 BPF_PROG(nolink_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops")
void BPF_PROG(nolink_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
__u32 BPF_PROG(nolink_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops hp_nolink = {
	.ssthresh	= (void *)nolink_ssthresh,
	.cong_avoid	= (void *)nolink_cong_avoid,
	.undo_cwnd	= (void *)nolink_undo_cwnd,
	.name		= "hp_nolink",
};
