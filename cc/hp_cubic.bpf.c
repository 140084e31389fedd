// SPDX-License-Identifier: GPL-2.0
/*
 * hp_cubic: CUBIC with HyStart, as tcp_congestion_ops in BPF.
 *
 * CUBIC (RFC 9438) grows cwnd as a cubic function of the time since the last congestion event:
 * W(t) = C * (t - K)^3 + Wmax, where Wmax is cwnd just before the reduction and K is the time the
 * curve needs to climb back to Wmax. After a loss cwnd shrinks to beta = 717/1024 (~0.7) of its
 * value; "fast convergence" lowers Wmax further when losses come before Wmax was reached again,
 * releasing bandwidth to newer flows. Where the cubic curve is slower than what Reno would do in
 * the same time, the "TCP friendly" estimate wins. In slow start, HyStart leaves slow start
 * before the first loss when either the ACKs of a round stop coming back-to-back (ACK train
 * longer than half the minimum RTT) or the RTT of a round grows by more than an eighth of the
 * minimum (clamped to 4..16 ms).
 *
 * Same constants and the same per-ACK arithmetic as net/ipv4/tcp_cubic.c (time in jiffies for
 * the curve, microseconds for HyStart). Differences from the kernel's C version:
 *  - cubic_root() is an exact integer cube root (bit by bit, 22 steps run by bpf_loop()) instead
 *    of the kernel's table lookup plus one Newton step (which is ~0.2% off); K differs by at
 *    most one unit of 2^-10 s.
 *  - The module parameters (beta, bic_scale, hystart_*, ...) are compile-time constants.
 *  - No SNMP counters (LINUX_MIB_TCPHYSTART*): the hp_cc_stats map counts HyStart exits.
 *  - No get_info (BPF tcp_congestion_ops cannot implement it).
 */
#include "hp_cc_bpf.h"

#define BICTCP_BETA_SCALE	1024
#define BICTCP_HZ		10	/* BIC HZ 2^10 = 1024 */
#define HYSTART_ACK_TRAIN	0x1
#define HYSTART_DELAY		0x2
#define HYSTART_MIN_SAMPLES	8
#define HYSTART_DELAY_MIN	4000U	/* 4 ms */
#define HYSTART_DELAY_MAX	16000U	/* 16 ms */
#define HYSTART_DELAY_THRESH(x)	min(max((x), HYSTART_DELAY_MIN), HYSTART_DELAY_MAX)

static const int fast_convergence = 1;
static const __u32 beta = 717;		/* beta / 1024 = 0.7 */
static const __u32 bic_scale = 41;	/* C = 0.4, scaled */
static const int tcp_friendliness = 1;
static const int hystart = 1;
static const int hystart_detect = HYSTART_ACK_TRAIN | HYSTART_DELAY;
static const __u32 hystart_low_window = 16;
static const __u32 hystart_ack_delta_us = 2000;

#define CUBE_RTT_SCALE	(bic_scale * 10)	/* 1024 * c / rtt */
#define BETA_SCALE	(8 * (BICTCP_BETA_SCALE + beta) / 3 / (BICTCP_BETA_SCALE - beta))
/* 2^40 / cube_rtt_scale: 1/c * 2^(3 * BICTCP_HZ) */
#define CUBE_FACTOR	((1ULL << (10 + 3 * BICTCP_HZ)) / CUBE_RTT_SCALE)

/* Per-socket state in icsk_ca_priv; same fields as the kernel's struct bictcp. */
struct hp_cubic {
	__u32 cnt;		/* increase cwnd by 1 after this many ACKs */
	__u32 last_max_cwnd;	/* Wmax: cwnd before the last reduction */
	__u32 last_cwnd;	/* cwnd at the last update */
	__u32 last_time;	/* jiffies of the last update */
	__u32 bic_origin_point;	/* origin point of the cubic function */
	__u32 bic_K;		/* time (2^-10 s) from epoch start to the origin point */
	__u32 delay_min;	/* minimum RTT, us */
	__u32 epoch_start;	/* jiffies at the start of the epoch, 0 = none */
	__u32 ack_cnt;		/* packets ACKed in this epoch */
	__u32 tcp_cwnd;		/* what Reno's cwnd would be */
	__u16 unused;
	__u8 sample_cnt;	/* HyStart: RTT samples in this round */
	__u8 found;		/* HyStart: exit point found */
	__u32 round_start;	/* HyStart: start of the round, us */
	__u32 end_seq;		/* HyStart: snd_nxt at the start of the round */
	__u32 last_ack;		/* HyStart: time of the last ACK close to its predecessor, us */
	__u32 curr_rtt;		/* HyStart: minimum RTT of this round, us */
};

static __always_inline void bictcp_reset(struct hp_cubic *ca)
{
	ca->cnt = 0;
	ca->last_max_cwnd = 0;
	ca->last_cwnd = 0;
	ca->last_time = 0;
	ca->bic_origin_point = 0;
	ca->bic_K = 0;
	ca->delay_min = 0;
	ca->epoch_start = 0;
	ca->ack_cnt = 0;
	ca->tcp_cwnd = 0;
	ca->found = 0;
}

static __always_inline __u32 bictcp_clock_us(const struct sock *sk)
{
	return tcp_sk(sk)->tcp_mstamp;
}

static __always_inline void bictcp_hystart_reset(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct hp_cubic *ca = inet_csk_ca(sk);

	ca->round_start = ca->last_ack = bictcp_clock_us(sk);
	ca->end_seq = tp->snd_nxt;
	ca->curr_rtt = ~0U;
	ca->sample_cnt = 0;
}

struct cbrt_ctx {
	__u64 a;
	__u32 y;
};

/* One step of the bit-by-bit cube root, from bit 21 down to bit 0. */
static long cbrt_step(__u64 i, void *data)
{
	struct cbrt_ctx *ctx = data;
	__u64 c = ctx->y | (1U << (21 - (i & 31)));

	if (c <= 2642245 && c * c * c <= ctx->a)
		ctx->y = c;
	return 0;
}

/* Largest y with y^3 <= a. 2642245^3 < 2^64 <= 2642246^3, so y fits in 22 bits.
 * Verifier workaround: an unrolled loop forks the verifier's state at each of the 22 data
 * dependent branches (2^22 paths, over the 1M instruction limit); bpf_loop() verifies the step
 * callback once. */
static __always_inline __u32 cubic_root(__u64 a)
{
	struct cbrt_ctx ctx = { .a = a, .y = 0 };

	bpf_loop(22, cbrt_step, &ctx, 0);
	return ctx.y;
}

static __always_inline __u32 usecs_to_jiffies(__u32 us)
{
	return ((__u64)us * HZ + USEC_PER_SEC - 1) / USEC_PER_SEC;
}

static __always_inline void bictcp_update(struct hp_cubic *ca, __u32 cwnd, __u32 acked)
{
	__u32 delta, bic_target, max_cnt, now = tcp_jiffies32();
	__u64 offs, t;

	ca->ack_cnt += acked;

	if (ca->last_cwnd == cwnd && (__s32)(now - ca->last_time) <= HZ / 32)
		return;

	/* The cubic function updates cnt at most once per jiffy; every reduction sets
	 * epoch_start to 0, which forces a recalculation. */
	if (ca->epoch_start && now == ca->last_time)
		goto tcp_friendliness;

	ca->last_cwnd = cwnd;
	ca->last_time = now;

	if (ca->epoch_start == 0) {
		ca->epoch_start = now;
		ca->ack_cnt = acked;
		ca->tcp_cwnd = cwnd;
		if (ca->last_max_cwnd <= cwnd) {
			ca->bic_K = 0;
			ca->bic_origin_point = cwnd;
		} else {
			/* K = cbrt((Wmax - cwnd) / C), in 2^-10 s units */
			ca->bic_K = cubic_root(CUBE_FACTOR * (ca->last_max_cwnd - cwnd));
			ca->bic_origin_point = ca->last_max_cwnd;
		}
	}

	/* t: time into the epoch plus one minimum RTT (where cwnd will be once this window's
	 * ACKs are back), in 2^-10 s units. */
	t = (__s32)(now - ca->epoch_start);
	t += usecs_to_jiffies(ca->delay_min);
	t <<= BICTCP_HZ;
	t /= HZ;

	offs = t < ca->bic_K ? ca->bic_K - t : t - ca->bic_K;
	/* c/rtt * (t-K)^3 */
	delta = (CUBE_RTT_SCALE * offs * offs * offs) >> (10 + 3 * BICTCP_HZ);
	bic_target = t < ca->bic_K ? ca->bic_origin_point - delta : ca->bic_origin_point + delta;

	if (bic_target > cwnd)
		ca->cnt = cwnd / (bic_target - cwnd);
	else
		ca->cnt = 100 * cwnd;	/* very small increment */

	/* Before the first loss the bandwidth is unknown: grow at least 5% per RTT. */
	if (ca->last_max_cwnd == 0 && ca->cnt > 20)
		ca->cnt = 20;

tcp_friendliness:
	if (tcp_friendliness) {
		/* Reno grows by one packet per cwnd * BETA_SCALE / 8 ACKed. The kernel loops
		 * "while (ack_cnt > delta) { ack_cnt -= delta; tcp_cwnd++; }"; the division
		 * below gives the same result without a loop the verifier cannot bound. */
		delta = (cwnd * BETA_SCALE) >> 3;
		if (ca->ack_cnt > delta && delta) {
			__u32 n = (ca->ack_cnt - 1) / delta;

			ca->ack_cnt -= n * delta;
			ca->tcp_cwnd += n;
		}
		if (ca->tcp_cwnd > cwnd) {	/* Reno would be faster than the curve */
			delta = ca->tcp_cwnd - cwnd;
			max_cnt = cwnd / delta;
			if (ca->cnt > max_cnt)
				ca->cnt = max_cnt;
		}
	}
	/* At most 1 packet per 2 ACKed: cwnd grows at most 1.5x per RTT. */
	ca->cnt = max(ca->cnt, 2U);
}

SEC("struct_ops")
void BPF_PROG(hp_cubic_init, struct sock *sk)
{
	HP_COUNT(init);
	bictcp_reset(inet_csk_ca(sk));
	if (hystart)
		bictcp_hystart_reset(sk);
}

SEC("struct_ops")
void BPF_PROG(hp_cubic_release, struct sock *sk)
{
	HP_COUNT(release);
}

SEC("struct_ops")
void BPF_PROG(hp_cubic_cwnd_event, struct sock *sk, enum tcp_ca_event event)
{
	HP_COUNT(cwnd_event);
	if (event == CA_EVENT_TX_START) {
		struct hp_cubic *ca = inet_csk_ca(sk);
		__u32 now = tcp_jiffies32();
		__s32 delta = now - tcp_sk(sk)->lsndtime;

		/* Idle (application limited) for a while: shift the epoch so that the curve
		 * continues where it stopped instead of jumping ahead. */
		if (ca->epoch_start && delta > 0) {
			ca->epoch_start += delta;
			if (after(ca->epoch_start, now))
				ca->epoch_start = now;
		}
	}
}

SEC("struct_ops")
void BPF_PROG(hp_cubic_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct hp_cubic *ca = inet_csk_ca(sk);

	HP_COUNT(cong_avoid);
	if (!tcp_is_cwnd_limited(sk))
		return;
	if (tcp_in_slow_start(tp)) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	bictcp_update(ca, tp->snd_cwnd, acked);
	tcp_cong_avoid_ai(tp, ca->cnt, acked);
}

SEC("struct_ops")
__u32 BPF_PROG(hp_cubic_recalc_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct hp_cubic *ca = inet_csk_ca(sk);
	__u32 cwnd = tp->snd_cwnd;

	HP_COUNT(ssthresh);
	ca->epoch_start = 0;	/* end of epoch */
	/* Wmax and fast convergence */
	if (cwnd < ca->last_max_cwnd && fast_convergence)
		ca->last_max_cwnd = (cwnd * (BICTCP_BETA_SCALE + beta)) / (2 * BICTCP_BETA_SCALE);
	else
		ca->last_max_cwnd = cwnd;
	return max((cwnd * beta) / BICTCP_BETA_SCALE, 2U);
}

SEC("struct_ops")
void BPF_PROG(hp_cubic_state, struct sock *sk, __u8 new_state)
{
	HP_COUNT(set_state);
	if (new_state == TCP_CA_Loss) {
		HP_COUNT(loss_state);
		bictcp_reset(inet_csk_ca(sk));
		bictcp_hystart_reset(sk);
	}
}

/* TSO/GRO and pacing delay ACKs: allow for the time 4 GSO packets take at the pacing rate,
 * at most 1 ms. */
static __always_inline __u32 hystart_ack_delay(const struct sock *sk)
{
	unsigned long rate = sk->sk_pacing_rate;

	if (!rate)
		return 0;
	return min(USEC_PER_MSEC, (__u64)sk->sk_gso_max_size * 4 * USEC_PER_SEC / rate);
}

static __always_inline void hystart_update(struct sock *sk, __u32 delay)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct hp_cubic *ca = inet_csk_ca(sk);
	__u32 threshold;

	/* A new round starts once everything sent at the start of the last one is ACKed. */
	if (after(tp->snd_una, ca->end_seq))
		bictcp_hystart_reset(sk);

	if (tp->snd_cwnd < hystart_low_window)
		return;

	if (hystart_detect & HYSTART_ACK_TRAIN) {
		__u32 now = bictcp_clock_us(sk);

		/* ACK train: ACKs keep coming back-to-back for longer than delay_min / 2. */
		if ((__s32)(now - ca->last_ack) <= (__s32)hystart_ack_delta_us) {
			ca->last_ack = now;
			threshold = ca->delay_min + hystart_ack_delay(sk);
			/* With pacing the receiver needs time to ACK: use the full delay_min. */
			if (sk->sk_pacing_status == SK_PACING_NONE)
				threshold >>= 1;
			if ((__s32)(now - ca->round_start) > (__s32)threshold) {
				ca->found = 1;
				HP_COUNT(hystart_train);
				tp->snd_ssthresh = tp->snd_cwnd;
			}
		}
	}

	if (hystart_detect & HYSTART_DELAY) {
		/* Minimum RTT of the first HYSTART_MIN_SAMPLES ACKs of the round. */
		if (ca->curr_rtt > delay)
			ca->curr_rtt = delay;
		if (ca->sample_cnt < HYSTART_MIN_SAMPLES) {
			ca->sample_cnt++;
		} else if (ca->curr_rtt >
			   ca->delay_min + HYSTART_DELAY_THRESH(ca->delay_min >> 3)) {
			ca->found = 1;
			HP_COUNT(hystart_delay);
			tp->snd_ssthresh = tp->snd_cwnd;
		}
	}
}

SEC("struct_ops")
void BPF_PROG(hp_cubic_acked, struct sock *sk, const struct ack_sample *sample)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct hp_cubic *ca = inet_csk_ca(sk);
	__u32 delay;

	HP_COUNT(pkts_acked);
	/* Some calls are for duplicates without timestamps. */
	if (sample->rtt_us < 0)
		return;
	/* Discard delay samples right after fast recovery. */
	if (ca->epoch_start && (__s32)(tcp_jiffies32() - ca->epoch_start) < (__s32)HZ)
		return;

	delay = sample->rtt_us;
	if (delay == 0)
		delay = 1;
	if (ca->delay_min == 0 || ca->delay_min > delay)
		ca->delay_min = delay;

	if (!ca->found && tcp_in_slow_start(tp) && hystart)
		hystart_update(sk, delay);
}

SEC("struct_ops")
__u32 BPF_PROG(hp_cubic_undo_cwnd, struct sock *sk)
{
	HP_COUNT(undo_cwnd);
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops.link")
struct tcp_congestion_ops hp_cubic = {
	.init		= (void *)hp_cubic_init,
	.release	= (void *)hp_cubic_release,
	.ssthresh	= (void *)hp_cubic_recalc_ssthresh,
	.cong_avoid	= (void *)hp_cubic_cong_avoid,
	.set_state	= (void *)hp_cubic_state,
	.undo_cwnd	= (void *)hp_cubic_undo_cwnd,
	.cwnd_event	= (void *)hp_cubic_cwnd_event,
	.pkts_acked	= (void *)hp_cubic_acked,
	.name		= "hp_cubic",
};
