// SPDX-License-Identifier: GPL-2.0
/*
 * hp_dctcp: DCTCP (RFC 8257), as tcp_congestion_ops in BPF.
 *
 * Switches mark packets CE as soon as their queue exceeds a small threshold; the receiver echoes
 * every mark exactly (ECE on the ACKs of CE packets, an immediate ACK whenever the CE state
 * flips). Once per window of data the sender measures the fraction F of delivered packets that
 * were marked and keeps a moving average alpha = (1 - g) * alpha + g * F with g = 1/16 (alpha
 * scaled to 0..1024). On ECE it cuts cwnd by alpha / 2 instead of Reno's fixed half, so a few
 * marks cost little and persistent marking costs as much as a loss. Losses are handled like Reno
 * (halve). Growth is Reno's (slow start, then one packet per RTT).
 *
 * Same state machine and arithmetic as net/ipv4/tcp_dctcp.c. Differences from the kernel's C
 * version:
 *  - Peer without ECN: the kernel swaps icsk_ca_ops for a built-in "dctcp-reno" ops; BPF cannot
 *    write icsk_ca_ops, so init calls bpf_setsockopt(TCP_CONGESTION, "reno") instead. The
 *    socket then reports "reno" (not "dctcp"); the kernel's reinit also clears ECT from the
 *    socket like INET_ECN_dontxmit(). Counted in hp_cc_stats.ecn_fallback.
 *  - No PLB (protective load balancing: rehash the flow's IPv6 label after persistent marking);
 *    tcp_plb_* are not callable from BPF.
 *  - No get_info (no INET_DIAG_DCTCPINFO); the last alpha is published in hp_cc_gauges.alpha.
 */
#include "hp_cc_bpf.h"

#define DCTCP_MAX_ALPHA	1024U

static const __u32 dctcp_shift_g = 4;		/* g = 1/2^4 */
static const __u32 dctcp_alpha_on_init = DCTCP_MAX_ALPHA;

struct hp_dctcp {
	__u32 old_delivered;	/* tp->delivered at the start of the window */
	__u32 old_delivered_ce;	/* tp->delivered_ce at the start of the window */
	__u32 prior_rcv_nxt;	/* receiver: rcv_nxt when the CE state last changed */
	__u32 dctcp_alpha;	/* moving average of the marked fraction, 0..1024 */
	__u32 next_seq;		/* end of the current observation window */
	__u32 ce_state;		/* receiver: was the last packet CE? */
	__u32 loss_cwnd;	/* cwnd before the last reduction (for undo) */
};

static __always_inline void dctcp_reset(const struct tcp_sock *tp, struct hp_dctcp *ca)
{
	ca->next_seq = tp->snd_nxt;
	ca->old_delivered = tp->delivered;
	ca->old_delivered_ce = tp->delivered_ce;
}

SEC("struct_ops")
void BPF_PROG(hp_dctcp_init, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int state = sk->__sk_common.skc_state;

	HP_COUNT(init);
	if ((tp->ecn_flags & TCP_ECN_OK) || state == TCP_LISTEN || state == TCP_CLOSE) {
		struct hp_dctcp *ca = inet_csk_ca(sk);

		ca->prior_rcv_nxt = tp->rcv_nxt;
		ca->dctcp_alpha = min(dctcp_alpha_on_init, DCTCP_MAX_ALPHA);
		ca->loss_cwnd = 0;
		ca->ce_state = 0;
		dctcp_reset(tp, ca);
		return;
	}
	/* The peer did not negotiate ECN: without marks DCTCP would never back off before a loss
	 * and then only by alpha / 2. Hand the socket to Reno, as the kernel's dctcp does. */
	HP_COUNT(ecn_fallback);
	bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, "reno", sizeof("reno"));
}

SEC("struct_ops")
void BPF_PROG(hp_dctcp_release, struct sock *sk)
{
	HP_COUNT(release);
}

SEC("struct_ops")
__u32 BPF_PROG(hp_dctcp_ssthresh, struct sock *sk)
{
	struct hp_dctcp *ca = inet_csk_ca(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	__u32 cwnd = tp->snd_cwnd;

	HP_COUNT(ssthresh);
	ca->loss_cwnd = cwnd;
	/* cwnd * (1 - alpha / 2) */
	return max(cwnd - ((cwnd * ca->dctcp_alpha) >> 11U), 2U);
}

/* Called on every ACK: at the end of each window fold the marked fraction into alpha. */
SEC("struct_ops")
void BPF_PROG(hp_dctcp_update_alpha, struct sock *sk, __u32 flags)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct hp_dctcp *ca = inet_csk_ca(sk);
	struct hp_cc_gauges *g;
	struct hp_cc_stats *s;

	HP_COUNT(in_ack_event);
	if (before(tp->snd_una, ca->next_seq))
		return;

	__u32 delivered = tp->delivered - ca->old_delivered;
	__u32 delivered_ce = tp->delivered_ce - ca->old_delivered_ce;
	__u32 alpha = ca->dctcp_alpha;
	__u32 dec = alpha >> dctcp_shift_g;

	/* alpha -= alpha * g, but at least 1 so that alpha reaches 0 (min_not_zero) */
	alpha -= dec ? dec : alpha ? alpha : 0;
	if (delivered_ce) {
		/* delivered_ce * 2^10 * g / delivered; 32 bits hold 2^22 packets per window */
		delivered_ce <<= (10 - dctcp_shift_g);
		delivered_ce /= max(1U, delivered);
		alpha = min(alpha + delivered_ce, DCTCP_MAX_ALPHA);
	}
	ca->dctcp_alpha = alpha;
	dctcp_reset(tp, ca);

	/* Publish only windows that carried data: the receiving socket also runs this and its
	 * alpha just decays (it sends no data), which would hide the sender's. */
	if (delivered <= 1)
		return;
	s = hp_stats();
	if (s) {
		__sync_fetch_and_add(&s->alpha_updates, 1);
		__sync_fetch_and_add(&s->alpha_sum, alpha);
	}
	g = hp_gauges();
	if (g) {
		g->alpha = alpha;
		if (alpha > g->alpha_max && alpha < DCTCP_MAX_ALPHA)
			g->alpha_max = alpha;
	}
}

static __always_inline void dctcp_react_to_loss(struct sock *sk)
{
	struct hp_dctcp *ca = inet_csk_ca(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	ca->loss_cwnd = tp->snd_cwnd;
	tp->snd_ssthresh = max(tp->snd_cwnd >> 1U, 2U);
}

SEC("struct_ops")
void BPF_PROG(hp_dctcp_state, struct sock *sk, __u8 new_state)
{
	HP_COUNT(set_state);
	/* Fast recovery: halve like Reno. RTOs are handled in cwnd_event(CA_EVENT_LOSS) so
	 * that there is one reduction per RTT. */
	if (new_state == TCP_CA_Recovery && new_state != hp_ca_state(sk))
		dctcp_react_to_loss(sk);
	if (new_state == TCP_CA_CWR)
		HP_COUNT(ce_reductions);
	if (new_state == TCP_CA_Loss)
		HP_COUNT(loss_state);
}

/* Receiver side: set or clear ECE to mirror the CE state of the last packet exactly. */
static __always_inline void dctcp_ece_ack_cwr(struct sock *sk, __u32 ce_state)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (ce_state == 1)
		tp->ecn_flags |= TCP_ECN_DEMAND_CWR;
	else
		tp->ecn_flags &= ~TCP_ECN_DEMAND_CWR;
}

static __always_inline void dctcp_ece_ack_update(struct sock *sk, enum tcp_ca_event evt,
						 __u32 *prior_rcv_nxt, __u32 *ce_state)
{
	__u32 new_ce_state = evt == CA_EVENT_ECN_IS_CE ? 1 : 0;

	if (*ce_state != new_ce_state) {
		/* The CE state changed: ACK now so the sender sees the change at the right
		 * sequence. If an ACK was being delayed, send it first with the old state. */
		if (inet_csk(sk)->icsk_ack.pending & ICSK_ACK_TIMER) {
			dctcp_ece_ack_cwr(sk, *ce_state);
			bpf_tcp_send_ack(sk, *prior_rcv_nxt);
		}
		inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_NOW;
	}
	*prior_rcv_nxt = tcp_sk(sk)->rcv_nxt;
	*ce_state = new_ce_state;
	dctcp_ece_ack_cwr(sk, new_ce_state);
}

SEC("struct_ops")
void BPF_PROG(hp_dctcp_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	struct hp_dctcp *ca = inet_csk_ca(sk);

	HP_COUNT(cwnd_event);
	switch (ev) {
	case CA_EVENT_ECN_IS_CE:
	case CA_EVENT_ECN_NO_CE:
		dctcp_ece_ack_update(sk, ev, &ca->prior_rcv_nxt, &ca->ce_state);
		break;
	case CA_EVENT_LOSS:
		dctcp_react_to_loss(sk);
		break;
	default:
		break;
	}
}

SEC("struct_ops")
__u32 BPF_PROG(hp_dctcp_cwnd_undo, struct sock *sk)
{
	const struct hp_dctcp *ca = inet_csk_ca(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	HP_COUNT(undo_cwnd);
	return max(tp->snd_cwnd, ca->loss_cwnd);
}

SEC("struct_ops")
void BPF_PROG(hp_dctcp_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	HP_COUNT(cong_avoid);
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC(".struct_ops.link")
struct tcp_congestion_ops hp_dctcp = {
	.init		= (void *)hp_dctcp_init,
	.release	= (void *)hp_dctcp_release,
	.in_ack_event	= (void *)hp_dctcp_update_alpha,
	.cwnd_event	= (void *)hp_dctcp_cwnd_event,
	.ssthresh	= (void *)hp_dctcp_ssthresh,
	.cong_avoid	= (void *)hp_dctcp_cong_avoid,
	.undo_cwnd	= (void *)hp_dctcp_cwnd_undo,
	.set_state	= (void *)hp_dctcp_state,
	.flags		= TCP_CONG_NEEDS_ECN,
	.name		= "hp_dctcp",
};
