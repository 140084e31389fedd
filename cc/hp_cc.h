/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared by the cc/ BPF policies and their loader: the layout of the per-policy counters and
 * gauges maps. Plain __u64 fields only, no kernel types, so both sides compile it. */
#ifndef HP_CC_H
#define HP_CC_H

#define HP_CC_STATS_MAP "hp_cc_stats"
#define HP_CC_GAUGES_MAP "hp_cc_gauges"

/* One entry (key 0) of the PERCPU_ARRAY map "hp_cc_stats" that every hp_ policy defines; the
 * loader sums the CPUs. Per-CPU so that the callbacks of sockets on different CPUs never share
 * a cache line on the ACK path. The first block counts callbacks, so tests can prove the kernel
 * really called the BPF programs; the second counts per-algorithm events (0 when none). */
struct hp_cc_stats {
	__u64 init;
	__u64 release;
	__u64 ssthresh;
	__u64 cong_avoid;
	__u64 set_state;
	__u64 cwnd_event;
	__u64 in_ack_event;
	__u64 pkts_acked;
	__u64 undo_cwnd;
	__u64 loss_state;	/* set_state(TCP_CA_Loss): retransmission timeouts */
	__u64 hystart_train;	/* cubic: slow start left by HyStart's ACK-train test */
	__u64 hystart_delay;	/* cubic: slow start left by HyStart's delay test */
	__u64 ecn_fallback;	/* dctcp: peer did not negotiate ECN, socket moved to reno */
	__u64 alpha_updates;	/* dctcp: once-per-window alpha updates of windows with data */
	__u64 alpha_sum;	/* dctcp: sum of alpha over those updates (mean = sum / updates) */
	__u64 ce_reductions;	/* dctcp: cwnd reductions caused by ECE */
	__u64 delay_decreases;	/* vegas: cwnd decreased because diff > beta */
	__u64 delay_increases;	/* vegas: cwnd increased because diff < alpha */
};

/* One entry of the ARRAY map "hp_cc_gauges": last values, written at most once per RTT. */
struct hp_cc_gauges {
	__u64 alpha;		/* dctcp: last alpha (0..1024, 1024 = every packet marked) */
	__u64 alpha_max;	/* dctcp: largest alpha seen below 1024 (the initial value) */
	__u64 base_rtt_us;	/* vegas: last base (minimum) RTT seen */
};

#endif
