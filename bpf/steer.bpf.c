// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hp_steer: the XDP steering program. Parses the frame into a struct hp_key, classifies it by
 * tuple-space search over the maps the rule compiler (user/steer/ruleset.c) fills, counts, and
 * acts (pass, drop, AF_XDP socket, redirect, tx). Data layout: bpf/include/hp_steer.h.
 * hp_steer_mb is the same program in SEC("xdp.frags") for multi-buffer frames; only the linear
 * part is parsed, byte counters count the whole frame.
 *
 * Parsing (user/steer/parse.c implements the same rules; the differential test compares them):
 *  - Ethernet, then up to HP_MAX_VLANS tags (0x8100 or 0x88a8). key.vlan = VID of the outer tag.
 *    A third tag is not parsed: the frame is "other L3" (l3 = 0), not malformed.
 *  - IPv4 (0x0800): src/dst, protocol. Non-first fragments (offset != 0) have no ports; first
 *    fragments (MF set, offset 0) do. Both set HP_KF_FRAG.
 *  - IPv6 (0x86dd): walks at most HP_MAX_EXTHDRS extension headers: hop-by-hop (0), routing (43),
 *    destination options (60), fragment (44), AH (51). A non-first fragment ends the walk (its
 *    next header is the protocol, no ports).
 *  - TCP/UDP: ports (HP_KF_PORTS). Other protocols (ICMP, ICMPv6, ...): protocol only.
 *  - Any other ethertype: l3 = 0, only the VLAN and queue fields can match.
 *
 * Malformed frames: counted in act_cnt[HP_CNT_MALFORMED], the default action applies (and is
 * counted), no rule is consulted:
 *  - shorter than an Ethernet header, or a VLAN tag cut short;
 *  - IPv4: fewer than 20 bytes, version != 4, ihl < 5, options beyond the frame,
 *    tot_len < ihl * 4;
 *  - IPv6: fewer than 40 bytes, version != 6; an extension header cut short; a further
 *    extension header after HP_MAX_EXTHDRS of them;
 *  - TCP: header cut short (20 bytes), doff < 5 or doff * 4 beyond the frame;
 *    UDP: fewer than 8 bytes. (Not checked for non-first fragments, which carry no L4 header.)
 */
#define config vmlinux_config	/* vmlinux.h has a typedef "config"; our map has that name */
#include "vmlinux.h"
#undef config
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "hp_steer.h"

#define ETH_HLEN_	14
#define ETH_P_IP_	0x0800
#define ETH_P_IPV6_	0x86dd
#define ETH_P_8021Q_	0x8100
#define ETH_P_8021AD_	0x88a8
#define PROTO_TCP	6
#define PROTO_UDP	17

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HP_MAX_RULES);
	__type(key, __u32);
	__type(value, struct hp_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HP_MAX_TUPLES);
	__type(key, __u32);
	__type(value, struct hp_tuple);
} tuples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hp_order);
} order SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HP_MAX_FLOWS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hp_flow_key);
	__type(value, struct hp_flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HP_MAX_RULES);
	__type(key, __u32);
	__type(value, struct hp_counters);
} rule_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HP_CNT_MAX);
	__type(key, __u32);
	__type(value, struct hp_counters);
} act_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hp_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, HP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

/*
 * Offsets into the frame are kept below this bound so the verifier can prove packet pointer
 * arithmetic stays in range (verifier workaround). The linear part of an XDP frame is at most a
 * page, so an offset this large is past the end anyway: the frame is malformed either way.
 */
#define OFF_MAX	0x3fff

/* Parse the L4 header at off (TCP/UDP ports). Returns 0 or -1 for malformed. */
static __always_inline int parse_l4(void *data, void *data_end, __u32 off, struct hp_key *key)
{
	__u8 *p;

	if (off > OFF_MAX)
		return -1;
	p = data + off;
	if (key->l4proto == PROTO_TCP) {
		__u32 doff;

		if ((void *)(p + 20) > data_end)
			return -1;
		doff = (p[12] >> 4) * 4;
		if (doff < 20 || (void *)(p + doff) > data_end)
			return -1;
	} else if (key->l4proto == PROTO_UDP) {
		if ((void *)(p + 8) > data_end)
			return -1;
	} else {
		return 0;
	}
	key->sport = (p[0] << 8) | p[1];
	key->dport = (p[2] << 8) | p[3];
	key->flags |= HP_KF_PORTS;
	return 0;
}

static __always_inline int parse_ipv4(void *data, void *data_end, __u32 off, struct hp_key *key)
{
	__u8 *p = data + off;
	__u32 ihl, tot, frag;

	if ((void *)(p + 20) > data_end)
		return -1;
	if ((p[0] >> 4) != 4)
		return -1;
	ihl = (p[0] & 0xf) * 4;
	if (ihl < 20 || (void *)(p + ihl) > data_end)
		return -1;
	tot = (p[2] << 8) | p[3];
	if (tot < ihl)
		return -1;
	key->l3 = HP_L3_IPV4;
	key->l4proto = p[9];
	key->flags |= HP_KF_L4;
	__builtin_memcpy(key->src, p + 12, 4);
	__builtin_memcpy(key->dst, p + 16, 4);
	frag = (p[6] << 8) | p[7];
	if (frag & 0x3fff)	/* MF or an offset */
		key->flags |= HP_KF_FRAG;
	if (frag & 0x1fff)	/* non-first fragment: no L4 header */
		return 0;
	return parse_l4(data, data_end, off + ihl, key);
}

static __always_inline int parse_ipv6(void *data, void *data_end, __u32 off, struct hp_key *key)
{
	__u8 *p = data + off;
	__u32 i, nh, len;

	if ((void *)(p + 40) > data_end)
		return -1;
	if ((p[0] >> 4) != 6)
		return -1;
	key->l3 = HP_L3_IPV6;
	key->flags |= HP_KF_L4;
	__builtin_memcpy(key->src, p + 8, 16);
	__builtin_memcpy(key->dst, p + 24, 16);
	nh = p[6];
	off += 40;
	for (i = 0; i < HP_MAX_EXTHDRS + 1; i++) {
		if (nh != 0 && nh != 43 && nh != 44 && nh != 51 && nh != 60)
			break;
		if (i == HP_MAX_EXTHDRS)	/* one extension header too many */
			return -1;
		if (off > OFF_MAX)
			return -1;
		p = data + off;
		if ((void *)(p + 8) > data_end)	/* every extension header is >= 8 bytes */
			return -1;
		if (nh == 44) {
			key->flags |= HP_KF_FRAG;
			nh = p[0];
			if (((p[2] << 8) | p[3]) & 0xfff8) {	/* non-first fragment */
				key->l4proto = nh;
				return 0;
			}
			off += 8;
			continue;
		}
		len = nh == 51 ? (p[1] + 2) * 4 : (p[1] + 1) * 8;
		if (off + len > OFF_MAX || (void *)(data + off + len) > data_end)
			return -1;
		nh = p[0];
		off += len;
	}
	key->l4proto = nh;
	return parse_l4(data, data_end, off, key);
}

/* Fill key from the frame. Returns 0, or -1 for a malformed frame. */
static __always_inline int parse(struct xdp_md *ctx, struct hp_key *key)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 off = ETH_HLEN_, i;
	__u16 proto;

	key->queue = ctx->rx_queue_index;
	if ((void *)(p + ETH_HLEN_) > data_end)
		return -1;
	proto = (p[12] << 8) | p[13];
	for (i = 0; i < HP_MAX_VLANS; i++) {
		if (proto != ETH_P_8021Q_ && proto != ETH_P_8021AD_)
			break;
		p = data + off;
		if ((void *)(p + 4) > data_end)
			return -1;
		if (!(key->flags & HP_KF_VLAN)) {
			key->flags |= HP_KF_VLAN;
			key->vlan = ((p[0] << 8) | p[1]) & 0xfff;
		}
		proto = (p[2] << 8) | p[3];
		off += 4;
	}
	if (proto == ETH_P_IP_)
		return parse_ipv4(data, data_end, off, key);
	if (proto == ETH_P_IPV6_)
		return parse_ipv6(data, data_end, off, key);
	return 0;
}

struct search {
	struct hp_key key;
	struct hp_order *ord;
	__u32 rule_id;
	__u32 prio;
	__u32 action;
	__u32 action_arg;
};

/* One tuple of the search (bpf_loop callback). Returns 1 to stop the loop. */
static long search_tuple(__u64 i, void *arg)
{
	struct search *s = arg;
	struct hp_flow_key fk;
	struct hp_tuple *tp;
	struct hp_flow *f;
	__u64 *k, *m, *o;
	__u32 t, j;

	/*
	 * The order map value is looked up again here rather than passed in arg: the array lookup
	 * of a constant key is inlined to a few instructions and keeps the verifier's view simple.
	 */
	t = 0;
	s->ord = bpf_map_lookup_elem(&order, &t);
	if (!s->ord)
		return 1;
	t = s->ord->idx[i & (HP_MAX_TUPLES - 1)];	/* mask: bounded index for the verifier */
	tp = bpf_map_lookup_elem(&tuples, &t);
	if (!tp)
		return 1;
	if (s->rule_id && s->prio < tp->best_prio)
		return 1;	/* tuples are sorted by best_prio: nothing later can win */
	k = (__u64 *)&s->key;
	m = (__u64 *)&tp->mask;
	o = (__u64 *)&fk.key;
	for (j = 0; j < sizeof(struct hp_key) / 8; j++)
		o[j] = k[j] & m[j];
	fk.tuple = t;
	fk.pad = 0;
	f = bpf_map_lookup_elem(&flows, &fk);
	if (f && (!s->rule_id || f->prio < s->prio ||
		  (f->prio == s->prio && f->rule_id < s->rule_id))) {
		s->rule_id = f->rule_id;
		s->prio = f->prio;
		s->action = f->action;
		s->action_arg = f->action_arg;
	}
	return 0;
}

static __always_inline void count(void *map, __u32 idx, __u64 bytes)
{
	struct hp_counters *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int steer(struct xdp_md *ctx, __u64 bytes)
{
	struct search s = {};
	struct hp_config *cfg;
	struct hp_order *ord;
	__u32 zero = 0, q;
	int malformed, ret;

	malformed = parse(ctx, &s.key);
	if (malformed) {
		count(&act_cnt, HP_CNT_MALFORMED, bytes);
	} else {
		/*
		 * bpf_loop() rather than an open-coded loop: the verifier checks the callback
		 * once instead of walking up to HP_MAX_TUPLES unrolled copies of the lookup
		 * (a bounded loop measured no faster under BPF_PROG_RUN).
		 */
		ord = bpf_map_lookup_elem(&order, &zero);
		if (ord && ord->count)
			bpf_loop(ord->count < HP_MAX_TUPLES ? ord->count : HP_MAX_TUPLES,
				 search_tuple, &s, 0);
	}
	if (s.rule_id) {
		count(&rule_cnt, s.rule_id, bytes);
	} else {
		if (!malformed)
			count(&act_cnt, HP_CNT_NOMATCH, bytes);
		cfg = bpf_map_lookup_elem(&config, &zero);
		s.action = cfg && cfg->default_action == HP_ACT_DROP ? HP_ACT_DROP : HP_ACT_PASS;
	}

	switch (s.action) {
	case HP_ACT_DROP:
		count(&act_cnt, HP_ACT_DROP, bytes);
		return XDP_DROP;
	case HP_ACT_XSK:
		count(&act_cnt, HP_ACT_XSK, bytes);
		q = s.action_arg == HP_XSK_RXQ ? ctx->rx_queue_index : s.action_arg;
		ret = bpf_redirect_map(&xsks, q, XDP_PASS);
		if (ret == XDP_PASS)
			count(&act_cnt, HP_CNT_XSK_MISS, bytes);
		return ret;
	case HP_ACT_REDIRECT:
		count(&act_cnt, HP_ACT_REDIRECT, bytes);
		return bpf_redirect(s.action_arg, 0);
	case HP_ACT_TX: {
		void *data = (void *)(long)ctx->data;
		void *data_end = (void *)(long)ctx->data_end;
		__u8 tmp[6];

		count(&act_cnt, HP_ACT_TX, bytes);
		/* re-check for the verifier: the parse above already required 14 bytes */
		if (data + ETH_HLEN_ > data_end)
			return XDP_DROP;
		__builtin_memcpy(tmp, data, 6);
		__builtin_memcpy(data, data + 6, 6);
		__builtin_memcpy(data + 6, tmp, 6);
		return XDP_TX;
	}
	default:
		count(&act_cnt, HP_ACT_PASS, bytes);
		return XDP_PASS;
	}
}

SEC("xdp")
int hp_steer(struct xdp_md *ctx)
{
	return steer(ctx, ctx->data_end - ctx->data);
}

SEC("xdp.frags")
int hp_steer_mb(struct xdp_md *ctx)
{
	return steer(ctx, bpf_xdp_get_buff_len(ctx));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
