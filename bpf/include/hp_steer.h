/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Structures shared by the XDP steering program (bpf/steer.bpf.c), the rule compiler and
 * reference classifier (user/steer/), xdpctl and the tests. Plain __u8/__u16/__u32/__u64 only.
 *
 * Matching is tuple-space search (as in Open vSwitch): every rule is a set of (mask, value)
 * pairs over struct hp_key; port ranges are split into power-of-two aligned blocks. All rules
 * sharing one mask form a "tuple"; the program masks the packet key with each tuple's mask and
 * does one hash lookup per tuple, visiting tuples in order of their best priority and stopping
 * as soon as no later tuple can beat the match already found. Cost grows with the number of
 * distinct rule shapes (bounded by HP_MAX_TUPLES), not with the number of rules.
 *
 * Priority: a lower --prio value wins; between equal priorities the lower rule id wins.
 */
#ifndef HP_STEER_H
#define HP_STEER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define HP_MAX_RULES	131072	/* rule ids are 1..HP_MAX_RULES-1; 0 means "no rule" */
#define HP_MAX_TUPLES	128	/* distinct rule shapes (mask combinations) */
#define HP_MAX_FLOWS	1048576	/* hash entries after port-range expansion */
#define HP_MAX_VLANS	2	/* 802.1ad + 802.1Q */
#define HP_MAX_EXTHDRS	8	/* IPv6 extension headers walked before "malformed" */
#define HP_MAX_QUEUES	256	/* XSKMAP size */
#define HP_DEFAULT_PRIO	1000

/* Key flags: which parts of the packet were present. */
#define HP_KF_VLAN	0x01	/* at least one VLAN tag; vlan holds the outer VID */
#define HP_KF_L4	0x02	/* an IPv4/IPv6 header was parsed; l4proto is valid */
#define HP_KF_PORTS	0x04	/* TCP/UDP header present (not a non-first fragment) */
#define HP_KF_FRAG	0x08	/* IPv4 or IPv6 fragment */

/* L3 values in hp_key.l3 */
#define HP_L3_OTHER	0
#define HP_L3_IPV4	4
#define HP_L3_IPV6	6

/*
 * The classification key. Addresses in network byte order (IPv4 in the first 4 bytes, the
 * rest zero); ports, vlan and queue in host byte order. Zero-filled, 48 bytes (6 x u64) so that
 * masking is six 64-bit ANDs.
 */
struct hp_key {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
	__u16 vlan;
	__u16 queue;
	__u8 l3;
	__u8 l4proto;
	__u8 flags;
	__u8 pad[5];
};

/* Actions. Per-action counters are indexed by these values. */
enum hp_action {
	HP_ACT_PASS = 0,
	HP_ACT_DROP = 1,
	HP_ACT_XSK = 2,		/* arg = queue, or HP_XSK_RXQ for the packet's rx queue */
	HP_ACT_REDIRECT = 3,	/* arg = ifindex */
	HP_ACT_TX = 4,		/* swap Ethernet addresses and send back out */
	HP_ACT_MAX,
};
#define HP_XSK_RXQ	0xffffffffu

/*
 * Extra counters after the per-action ones in the action counter map. Every frame is counted
 * once under the action applied to it (a malformed or unmatched frame under the default action)
 * and, where it applies, once more under one of these: malformed, nomatch, or xsk_miss (an xsk
 * verdict whose queue had no socket; the frame was passed, and is still counted under xsk).
 * Byte counters count the whole frame (all fragments of a multi-buffer frame).
 */
enum hp_counter {
	HP_CNT_MALFORMED = HP_ACT_MAX,	/* malformed: counted, then the default action */
	HP_CNT_NOMATCH,			/* no rule matched: default action applied */
	HP_CNT_XSK_MISS,		/* xsk action with no socket on that queue: passed */
	HP_CNT_MAX,
};

struct hp_counters {
	__u64 packets;
	__u64 bytes;
};

/* A rule as the user wrote it (value of the "rules" array map, index = rule id). */
#define HP_RM_QUEUE	0x0001
#define HP_RM_VLAN	0x0002
#define HP_RM_L3	0x0004
#define HP_RM_L4PROTO	0x0008
#define HP_RM_SRC	0x0010
#define HP_RM_DST	0x0020
#define HP_RM_SPORT	0x0040
#define HP_RM_DPORT	0x0080

struct hp_rule {
	__u32 used;		/* 1 when the slot holds a rule */
	__u32 match;		/* HP_RM_* */
	__u32 prio;
	__u32 action;		/* enum hp_action */
	__u32 action_arg;	/* queue or ifindex */
	__u16 queue;
	__u16 vlan;
	__u8 l3;		/* HP_L3_IPV4/IPV6 (implied by src/dst) */
	__u8 l4proto;
	__u8 src_len;
	__u8 dst_len;
	__u8 src[16];
	__u8 dst[16];
	__u16 sport_lo, sport_hi;
	__u16 dport_lo, dport_hi;
	char redirect_ifname[16];	/* for listing; arg holds the ifindex */
};

/* A tuple: one mask shared by a group of hash entries. */
struct hp_tuple {
	struct hp_key mask;
	__u32 best_prio;	/* lowest prio value of any rule with entries in this tuple */
	__u32 nflows;		/* hash entries using this tuple (0: slot free) */
};

/* Visiting order of tuples, best priority first (single-entry array map "order"). */
struct hp_order {
	__u32 count;
	__u8 idx[HP_MAX_TUPLES];
};

/* Key and value of the "flows" hash map. */
struct hp_flow_key {
	struct hp_key key;	/* packet key & tuple mask */
	__u32 tuple;
	__u32 pad;
};

struct hp_flow {
	__u32 rule_id;
	__u32 prio;
	__u32 action;
	__u32 action_arg;
};

/* Single-entry array map "config". */
struct hp_config {
	__u32 default_action;	/* HP_ACT_PASS or HP_ACT_DROP */
	__u32 pad;
};

#endif /* HP_STEER_H */
