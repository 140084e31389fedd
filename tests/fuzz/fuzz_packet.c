// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: hp_parse_packet on arbitrary frames, then the reference classifier on the
 * key. Properties: no out-of-bounds read (ASan sees the exact frame length), and the key is
 * self-consistent: ports only with an L4 protocol, L4 only with IPv4/IPv6, a VLAN id only with
 * the VLAN flag and never above 4095; a malformed frame yields -EBADMSG and nothing else.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hybridpath/steer.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hp_rule rules[4];
	struct hp_key key;
	uint8_t *copy;
	int rc;

	/* a few rules so that hp_ref_classify walks real comparisons */
	rules[1] = (struct hp_rule){ .used = 1, .match = HP_RM_L3 | HP_RM_DST | HP_RM_DPORT,
				     .l3 = HP_L3_IPV4, .dst = { 10 }, .dst_len = 8,
				     .dport_lo = 1, .dport_hi = 1000, .prio = 5 };
	rules[2] = (struct hp_rule){ .used = 1, .match = HP_RM_VLAN | HP_RM_L4PROTO,
				     .vlan = 1, .l4proto = 58, .prio = 5 };
	rules[3] = (struct hp_rule){ .used = 1, .match = HP_RM_L3 | HP_RM_SRC, .l3 = HP_L3_IPV6,
				     .src = { 0x20, 0x01 }, .src_len = 16, .prio = 1 };
	copy = malloc(size ? size : 1);	/* exact-size buffer: ASan catches any overread */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = hp_parse_packet(copy, size, 3, &key);
	if (rc && rc != -EBADMSG)
		abort();
	if (!rc) {
		if ((key.flags & HP_KF_PORTS) && !(key.flags & HP_KF_L4))
			abort();
		if ((key.flags & HP_KF_L4) && key.l3 != HP_L3_IPV4 && key.l3 != HP_L3_IPV6)
			abort();
		if (!(key.flags & HP_KF_L4) && (key.l3 || key.l4proto))
			abort();
		if (key.vlan > 4095 || (!(key.flags & HP_KF_VLAN) && key.vlan))
			abort();
		if (!(key.flags & HP_KF_PORTS) && (key.sport || key.dport))
			abort();
		if (key.queue != 3 || key.flags & ~0x0f)
			abort();
		if (key.l3 == HP_L3_IPV4 && (key.src[4] || key.dst[4]))
			abort();
		if (hp_ref_classify(rules, 4, &key) > 3)
			abort();
	}
	free(copy);
	return 0;
}
