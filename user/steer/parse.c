// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hp_parse_packet: the frame parser of bpf/steer.bpf.c written for userspace, from the rules at
 * the top of that file (not from its code). The differential unit test runs both on the same
 * frames and compares.
 */
#include <errno.h>
#include <string.h>
#include "steer_int.h"

#define ETH_HLEN_	14
#define PROTO_TCP	6
#define PROTO_UDP	17

static unsigned int be16(const __u8 *p)
{
	return (p[0] << 8) | p[1];
}

static int parse_l4(const __u8 *d, size_t len, size_t off, struct hp_key *key)
{
	size_t need;

	if (key->l4proto == PROTO_TCP) {
		if (off + 20 > len)
			return -EBADMSG;
		need = (d[off + 12] >> 4) * 4;
		if (need < 20 || off + need > len)
			return -EBADMSG;
	} else if (key->l4proto == PROTO_UDP) {
		if (off + 8 > len)
			return -EBADMSG;
	} else {
		return 0;
	}
	key->sport = be16(d + off);
	key->dport = be16(d + off + 2);
	key->flags |= HP_KF_PORTS;
	return 0;
}

static int parse_ipv4(const __u8 *d, size_t len, size_t off, struct hp_key *key)
{
	size_t ihl;
	unsigned int frag;

	if (off + 20 > len || d[off] >> 4 != 4)
		return -EBADMSG;
	ihl = (d[off] & 0xf) * 4;
	if (ihl < 20 || off + ihl > len || be16(d + off + 2) < ihl)
		return -EBADMSG;
	key->l3 = HP_L3_IPV4;
	key->l4proto = d[off + 9];
	key->flags |= HP_KF_L4;
	memcpy(key->src, d + off + 12, 4);
	memcpy(key->dst, d + off + 16, 4);
	frag = be16(d + off + 6);
	if (frag & 0x3fff)
		key->flags |= HP_KF_FRAG;
	if (frag & 0x1fff)
		return 0;
	return parse_l4(d, len, off + ihl, key);
}

static bool is_exthdr(unsigned int nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

static int parse_ipv6(const __u8 *d, size_t len, size_t off, struct hp_key *key)
{
	unsigned int nh, n = 0;
	size_t hl;

	if (off + 40 > len || d[off] >> 4 != 6)
		return -EBADMSG;
	key->l3 = HP_L3_IPV6;
	key->flags |= HP_KF_L4;
	memcpy(key->src, d + off + 8, 16);
	memcpy(key->dst, d + off + 24, 16);
	nh = d[off + 6];
	off += 40;
	while (is_exthdr(nh)) {
		if (n++ == HP_MAX_EXTHDRS || off + 8 > len)
			return -EBADMSG;
		if (nh == 44) {
			key->flags |= HP_KF_FRAG;
			nh = d[off];
			if (be16(d + off + 2) & 0xfff8) {
				key->l4proto = nh;
				return 0;
			}
			off += 8;
			continue;
		}
		hl = nh == 51 ? (d[off + 1] + 2) * 4 : (d[off + 1] + 1) * 8;
		if (off + hl > len)
			return -EBADMSG;
		nh = d[off];
		off += hl;
	}
	key->l4proto = nh;
	return parse_l4(d, len, off, key);
}

int hp_parse_packet(const void *data, size_t len, __u32 rx_queue, struct hp_key *key)
{
	const __u8 *d = data;
	unsigned int proto, i;
	size_t off = ETH_HLEN_;

	if (!key || (!data && len))
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	key->queue = rx_queue;
	if (len < ETH_HLEN_)
		return -EBADMSG;
	proto = be16(d + 12);
	for (i = 0; i < HP_MAX_VLANS && (proto == 0x8100 || proto == 0x88a8); i++) {
		if (off + 4 > len)
			return -EBADMSG;
		if (!i) {
			key->flags |= HP_KF_VLAN;
			key->vlan = be16(d + off) & 0xfff;
		}
		proto = be16(d + off + 2);
		off += 4;
	}
	if (proto == 0x0800)
		return parse_ipv4(d, len, off, key);
	if (proto == 0x86dd)
		return parse_ipv6(d, len, off, key);
	return 0;
}
