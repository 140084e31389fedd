// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The reference classifier: what a rule means, written as plainly as possible. The compiled
 * form (ruleset.c + bpf/steer.bpf.c) must agree with it on every frame.
 */
#include "steer_int.h"

static bool prefix_eq(const __u8 *a, const __u8 *p, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < plen; i++) {
		unsigned int bit = 0x80 >> (i % 8);

		if ((a[i / 8] & bit) != (p[i / 8] & bit))
			return false;
	}
	return true;
}

bool hp_rule_matches(const struct hp_rule *r, const struct hp_key *k)
{
	if (!r || !k || !r->used)
		return false;
	if ((r->match & HP_RM_QUEUE) && k->queue != r->queue)
		return false;
	if ((r->match & HP_RM_VLAN) && (!(k->flags & HP_KF_VLAN) || k->vlan != r->vlan))
		return false;
	if ((r->match & HP_RM_L3) && k->l3 != r->l3)
		return false;
	if ((r->match & HP_RM_L4PROTO) && (!(k->flags & HP_KF_L4) || k->l4proto != r->l4proto))
		return false;
	if ((r->match & HP_RM_SRC) && (k->l3 != r->l3 || !prefix_eq(k->src, r->src, r->src_len)))
		return false;
	if ((r->match & HP_RM_DST) && (k->l3 != r->l3 || !prefix_eq(k->dst, r->dst, r->dst_len)))
		return false;
	if ((r->match & HP_RM_SPORT) &&
	    (!(k->flags & HP_KF_PORTS) || k->sport < r->sport_lo || k->sport > r->sport_hi))
		return false;
	if ((r->match & HP_RM_DPORT) &&
	    (!(k->flags & HP_KF_PORTS) || k->dport < r->dport_lo || k->dport > r->dport_hi))
		return false;
	return true;
}

__u32 hp_ref_classify(const struct hp_rule *rules, __u32 n, const struct hp_key *key)
{
	__u32 i, best = 0;

	if (!rules || !key)
		return 0;
	for (i = 1; i < n; i++) {
		if (!rules[i].used || !hp_rule_matches(&rules[i], key))
			continue;
		if (!best || rules[i].prio < rules[best].prio)
			best = i;	/* equal prio: the lower id (found first) stays */
	}
	return best;
}
