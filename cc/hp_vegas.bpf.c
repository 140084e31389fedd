// SPDX-License-Identifier: GPL-2.0
/*
 * hp_vegas: TCP Vegas (Brakmo & Peterson, 1995), a delay-based policy, as tcp_congestion_ops in
 * BPF. The host kernel does not build tcp_vegas.
 *
 * Vegas keeps BaseRTT, the smallest RTT ever seen (propagation delay), and once per RTT compares
 * the expected throughput cwnd / BaseRTT with the actual cwnd / RTT (RTT = minimum of the last
 * round's samples, which filters delayed ACKs). diff = cwnd * (RTT - BaseRTT) / BaseRTT is the
 * number of this flow's packets sitting in queues. In congestion avoidance cwnd grows by one
 * when diff < alpha (2), shrinks by one when diff > beta (4), else stays: the flow keeps 2..4
 * packets queued at the bottleneck instead of filling the buffer until loss. In slow start it
 * leaves slow start as soon as diff > gamma (1), setting cwnd to what the measured rate fits.
 * With fewer than three RTT samples in a round, or outside the Open state, it behaves like Reno.
 *
 * Same algorithm and constants as net/ipv4/tcp_vegas.c. Differences from the kernel's C version:
 *  - alpha/beta/gamma are compile-time constants, not module parameters.
 *  - No get_info (no INET_DIAG_VEGASINFO); base RTT (hp_cc_gauges) and the number of
 *    delay-driven increases and decreases (hp_cc_stats) are published instead.
 */
#include "hp_cc_bpf.h"

static const __u32 alpha = 2;
static const __u32 beta = 4;
static const __u32 gamma = 1;

struct hp_vegas {
	__u32 beg_snd_nxt;	/* right edge of the window at the start of this RTT */
	__u32 beg_snd_una;	/* left edge (unused, kept for layout parity) */
	__u32 beg_snd_cwnd;	/* cwnd at the start of this RTT (unused, as in the kernel) */
	__u8 doing_vegas_now;	/* Vegas adjustments enabled for this RTT */
	__u16 cnt_rtt;		/* RTT samples in this RTT */
	__u32 min_rtt;		/* minimum RTT sample in this RTT, us */
	__u32 base_rtt;		/* minimum RTT ever seen, us */
};

static __always_inline void vegas_enable(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct hp_vegas *v = inet_csk_ca(sk);

	v->doing_vegas_now = 1;
	v->beg_snd_nxt = tp->snd_nxt;
	v->cnt_rtt = 0;
	v->min_rtt = 0x7fffffff;
}

static __always_inline void vegas_init(struct sock *sk)
{
	struct hp_vegas *v = inet_csk_ca(sk);

	v->base_rtt = 0x7fffffff;
	vegas_enable(sk);
}

SEC("struct_ops")
void BPF_PROG(hp_vegas_init, struct sock *sk)
{
	HP_COUNT(init);
	vegas_init(sk);
}

SEC("struct_ops")
void BPF_PROG(hp_vegas_release, struct sock *sk)
{
	HP_COUNT(release);
}

SEC("struct_ops")
void BPF_PROG(hp_vegas_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	struct hp_vegas *v = inet_csk_ca(sk);
	__u32 vrtt;

	HP_COUNT(pkts_acked);
	if (sample->rtt_us < 0)
		return;
	vrtt = sample->rtt_us + 1;	/* never a zero RTT or base RTT */
	if (vrtt < v->base_rtt) {
		v->base_rtt = vrtt;
		HP_SET_GAUGE(base_rtt_us, vrtt);
	}
	v->min_rtt = min(v->min_rtt, vrtt);
	v->cnt_rtt++;
}

SEC("struct_ops")
void BPF_PROG(hp_vegas_state, struct sock *sk, __u8 ca_state)
{
	struct hp_vegas *v = inet_csk_ca(sk);

	HP_COUNT(set_state);
	if (ca_state == TCP_CA_Loss)
		HP_COUNT(loss_state);
	if (ca_state == TCP_CA_Open)
		vegas_enable(sk);
	else
		v->doing_vegas_now = 0;
}

SEC("struct_ops")
void BPF_PROG(hp_vegas_cwnd_event, struct sock *sk, enum tcp_ca_event event)
{
	HP_COUNT(cwnd_event);
	/* After idle the path may have changed: start measuring from scratch. */
	if (event == CA_EVENT_CWND_RESTART || event == CA_EVENT_TX_START)
		vegas_init(sk);
}

static __always_inline bool tcp_in_cwnd_reduction(const struct sock *sk)
{
	return ((1 << TCP_CA_CWR) | (1 << TCP_CA_Recovery)) & (1 << hp_ca_state(sk));
}

static __always_inline __u32 tcp_current_ssthresh(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	if (tcp_in_cwnd_reduction(sk))
		return tp->snd_ssthresh;
	return max(tp->snd_ssthresh, (tp->snd_cwnd >> 1) + (tp->snd_cwnd >> 2));
}

SEC("struct_ops")
void BPF_PROG(hp_vegas_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct hp_vegas *v = inet_csk_ca(sk);

	HP_COUNT(cong_avoid);
	if (!v->doing_vegas_now) {
		tcp_reno_cong_avoid(sk, ack, acked);
		return;
	}

	if (!after(ack, v->beg_snd_nxt)) {
		/* Within the RTT: normal slow start, no CA growth until the RTT ends. */
		if (tcp_in_slow_start(tp))
			tcp_slow_start(tp, acked);
		return;
	}

	/* Once per RTT. */
	v->beg_snd_nxt = tp->snd_nxt;
	if (v->cnt_rtt <= 2) {
		/* One or two samples per RTT are almost certainly delayed ACKs: act as Reno. */
		tcp_reno_cong_avoid(sk, ack, acked);
	} else {
		__u32 rtt = v->min_rtt, cwnd = tp->snd_cwnd, diff;
		__u64 target_cwnd;

		/* cwnd the measured rate would need: actual rate * base RTT */
		target_cwnd = (__u64)cwnd * v->base_rtt / rtt;
		/* packets of ours queued in the network */
		diff = cwnd * (rtt - v->base_rtt) / v->base_rtt;

		if (diff > gamma && tcp_in_slow_start(tp)) {
			/* Too fast: switch to congestion avoidance at the measured rate (+1
			 * because the integer truncation would underuse the link). */
			tp->snd_cwnd = min(cwnd, (__u32)target_cwnd + 1);
			tp->snd_ssthresh = min(tp->snd_ssthresh, tp->snd_cwnd);
			HP_COUNT(delay_decreases);
		} else if (tcp_in_slow_start(tp)) {
			tcp_slow_start(tp, acked);
		} else if (diff > beta) {
			tp->snd_cwnd = cwnd - 1;
			tp->snd_ssthresh = min(tp->snd_ssthresh, tp->snd_cwnd);
			HP_COUNT(delay_decreases);
		} else if (diff < alpha) {
			tp->snd_cwnd = cwnd + 1;
			HP_COUNT(delay_increases);
		}

		if (tp->snd_cwnd < 2)
			tp->snd_cwnd = 2;
		else if (tp->snd_cwnd > tp->snd_cwnd_clamp)
			tp->snd_cwnd = tp->snd_cwnd_clamp;
		tp->snd_ssthresh = tcp_current_ssthresh(sk);
	}
	/* Start the next round of samples. */
	v->cnt_rtt = 0;
	v->min_rtt = 0x7fffffff;
}

SEC("struct_ops")
__u32 BPF_PROG(hp_vegas_ssthresh, struct sock *sk)
{
	HP_COUNT(ssthresh);
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops")
__u32 BPF_PROG(hp_vegas_undo_cwnd, struct sock *sk)
{
	HP_COUNT(undo_cwnd);
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops.link")
struct tcp_congestion_ops hp_vegas = {
	.init		= (void *)hp_vegas_init,
	.release	= (void *)hp_vegas_release,
	.ssthresh	= (void *)hp_vegas_ssthresh,
	.undo_cwnd	= (void *)hp_vegas_undo_cwnd,
	.cong_avoid	= (void *)hp_vegas_cong_avoid,
	.pkts_acked	= (void *)hp_vegas_pkts_acked,
	.set_state	= (void *)hp_vegas_state,
	.cwnd_event	= (void *)hp_vegas_cwnd_event,
	.name		= "hp_vegas",
};
