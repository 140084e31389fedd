/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* BPF side helpers shared by the cc/ policies: kfunc declarations, socket casts, the stats
 * map, and small copies of static inline kernel helpers (include/net/tcp.h) that BPF cannot
 * call. Only the policies include this file. */
#ifndef HP_CC_BPF_H
#define HP_CC_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "hp_cc.h"

char _license[] SEC("license") = "GPL";

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define before(seq1, seq2) ((__s32)((seq1) - (seq2)) < 0)
#define after(seq2, seq1) before(seq1, seq2)

/* Values from include/net/tcp.h and include/net/inet_connection_sock.h (macros are not in BTF). */
#define TCP_INFINITE_SSTHRESH	0x7fffffff
#define TCP_ECN_OK		1
#define TCP_ECN_DEMAND_CWR	4
#define TCP_CONG_NEEDS_ECN	0x2
#define ICSK_ACK_TIMER		2
#define ICSK_ACK_NOW		8
#define SOL_TCP			6
#define TCP_CONGESTION		13
#define USEC_PER_SEC		1000000ULL
#define USEC_PER_MSEC		1000ULL

/* Kernel functions exported to BPF tcp_congestion_ops (net/ipv4/bpf_tcp_ca.c). */
extern __u32 tcp_slow_start(struct tcp_sock *tp, __u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, __u32 w, __u32 acked) __ksym;
extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

extern unsigned long CONFIG_HZ __kconfig;
#define HZ CONFIG_HZ

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hp_cc_stats);
} hp_cc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hp_cc_gauges);
} hp_cc_gauges SEC(".maps");

static __always_inline struct hp_cc_stats *hp_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&hp_cc_stats, &zero);
}

static __always_inline struct hp_cc_gauges *hp_gauges(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&hp_cc_gauges, &zero);
}

/* Count one event in this CPU's slot. Still an atomic add: a softirq can run another socket's
 * callback on this CPU in the middle of a process-context one; on a line no other CPU writes,
 * the lock prefix costs a few cycles. */
#define HP_COUNT(field)						\
	do {							\
		struct hp_cc_stats *__s = hp_stats();		\
		if (__s)					\
			__sync_fetch_and_add(&__s->field, 1);	\
	} while (0)

#define HP_SET_GAUGE(field, val)				\
	do {							\
		struct hp_cc_gauges *__g = hp_gauges();		\
		if (__g)					\
			__g->field = (val);			\
	} while (0)

/* The verifier promotes the struct sock * arguments of tcp_congestion_ops programs to
 * struct tcp_sock (bpf_tcp_ca_is_valid_access), so these casts are plain BTF accesses. */
static __always_inline struct tcp_sock *tcp_sk(const struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static __always_inline struct inet_connection_sock *inet_csk(const struct sock *sk)
{
	return (struct inet_connection_sock *)sk;
}

/* Private per-socket area (ICSK_CA_PRIV_SIZE = 104 bytes); the only part of the socket a
 * policy may freely write besides cwnd, ssthresh, ecn_flags and icsk_ack.pending. */
static __always_inline void *inet_csk_ca(const struct sock *sk)
{
	return (void *)inet_csk(sk)->icsk_ca_priv;
}

static __always_inline __u32 tcp_jiffies32(void)
{
	return (__u32)bpf_jiffies64();
}

static __always_inline bool tcp_in_slow_start(const struct tcp_sock *tp)
{
	return tp->snd_cwnd < tp->snd_ssthresh;
}

static __always_inline bool tcp_is_cwnd_limited(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	/* is_cwnd_limited is a bitfield: CO-RE reads it with the kernel's bit offset. */
	if (BPF_CORE_READ_BITFIELD(tp, is_cwnd_limited))
		return true;
	/* In slow start, make sure cwnd grows to twice what was ACKed. */
	if (tcp_in_slow_start(tp))
		return tp->snd_cwnd < 2 * tp->max_packets_out;
	return false;
}

static __always_inline __u8 hp_ca_state(const struct sock *sk)
{
	return BPF_CORE_READ_BITFIELD(inet_csk(sk), icsk_ca_state);
}

#endif
