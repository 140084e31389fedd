// SPDX-License-Identifier: GPL-2.0
/*
 * tc_loss: deterministic loss or CE marking for the cc tests (the host kernel has no netem).
 * Attached at tc ingress of the receiver's veth by tests/net/cc_impair.c (egress also works but
 * a drop there is a local transmit failure that TCP just retries). Only TCP packets that carry
 * payload ("data packets") are considered; the k-th data packet (k counted from 0 across the
 * device) is hit when k % every_n == every_n - 1, or, with a rate, when splitmix64(seed + k)
 * falls under ppm / 10^6 of the 64-bit range. The same seed gives the same decision sequence
 * in every run and for every congestion control. Hit packets are dropped (mode 0) or, if
 * ECN-capable, marked CE (mode 1; non-ECT packets pass and are counted). A GSO/GRO packet
 * counts as one decision, so tests set gso_max_segs 1 on the sender and GRO off on the
 * receiver.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char _license[] SEC("license") = "GPL";

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2

const volatile __u32 mode;	/* 0 = drop, 1 = mark CE */
const volatile __u32 every_n;	/* 0 = off */
const volatile __u32 ppm;	/* hit probability in parts per million; 0 = off */
const volatile __u64 seed;
const volatile __u32 skip;	/* leave the first `skip` data packets alone */

__u64 data_pkts;
__u64 hits;
__u64 not_ect;

static __always_inline __u64 splitmix64(__u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static __always_inline bool hit(__u64 k)
{
	if (k < skip)
		return false;
	if (every_n)
		return k % every_n == every_n - 1;
	if (ppm)
		return splitmix64(seed + k) < (0xffffffffffffffffULL / 1000000) * ppm;
	return false;
}

SEC("tc")
int tc_loss(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u32 l3 = sizeof(*eth), l4, payload;
	__u8 ecn;
	struct tcphdr *th;
	__u64 k;

	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP)
			return TC_ACT_OK;
		l4 = l3 + ip->ihl * 4;
		th = data + l4;
		if ((void *)(th + 1) > end)
			return TC_ACT_OK;
		payload = bpf_ntohs(ip->tot_len) - ip->ihl * 4 - th->doff * 4;
		ecn = ip->tos & 3;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + l3;

		/* No extension headers between IPv6 and TCP in the tests' traffic. */
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_TCP)
			return TC_ACT_OK;
		l4 = l3 + sizeof(*ip6);
		th = data + l4;
		if ((void *)(th + 1) > end)
			return TC_ACT_OK;
		payload = bpf_ntohs(ip6->payload_len) - th->doff * 4;
		ecn = (ip6->flow_lbl[0] >> 4) & 3;
	} else {
		return TC_ACT_OK;
	}
	if ((__s32)payload <= 0)
		return TC_ACT_OK;

	k = __sync_fetch_and_add(&data_pkts, 1);
	if (!hit(k))
		return TC_ACT_OK;
	if (mode == 0) {
		__sync_fetch_and_add(&hits, 1);
		return TC_ACT_SHOT;
	}
	if (!ecn) {
		__sync_fetch_and_add(&not_ect, 1);
		return TC_ACT_OK;
	}
	__sync_fetch_and_add(&hits, 1);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + l3;
		__u16 old, new;

		if ((void *)(ip + 1) > end)
			return TC_ACT_OK;
		/* tos is the second byte of the first 16-bit word of the header. Compute the new
		 * word instead of re-reading it: clang keeps the first load and folds the re-read
		 * into it (the byte store does not alias it for the optimizer). */
		old = *(__u16 *)ip;
		new = old | bpf_htons(0x0003);
		ip->tos |= 3;
		bpf_l3_csum_replace(skb, l3 + offsetof(struct iphdr, check), old, new, 2);
	} else {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > end)
			return TC_ACT_OK;
		ip6->flow_lbl[0] |= 0x30;	/* ECN bits are the low 2 bits of traffic class */
	}
	return TC_ACT_OK;
}
