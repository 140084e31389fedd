// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The rule compiler: keeps an in-memory mirror of the rules and of the flow table, and turns
 * every add or delete into the few map writes it needs (see hp_steer.h for the layout).
 *
 * A rule expands into (mask, value) pairs over struct hp_key, one per combination of aligned
 * power-of-two port blocks. Every distinct mask is a tuple (a slot of the "tuples" map); a value
 * under a mask is a flow key (the "flows" hash map) whose entry holds the best rule by
 * (prio, id) of all rules expanding to that key. The mirror remembers every contributing rule of
 * a flow key, so a delete installs the next best one.
 *
 * Every change runs in three steps: plan (no map or mirror change; may fail with -ENOSPC,
 * -ENOMEM), write the maps in an order safe for packets in flight (a tuple's best_prio is lowered
 * before flows that need it and raised after flows that needed it are gone) with an undo log,
 * and only then commit to the mirror. A failed map write replays the undo log, so on failure
 * the maps hold what they held before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "steer_int.h"
#include "util/log.h"

#define NBUCKETS	(1u << 21)
#define NIL		0xffffffffu

struct fentry {
	struct hp_flow_key fk;
	__u32 *ids;		/* contributing rules */
	__u32 nids, cap;
	__u32 best;		/* winning rule id */
	__u32 next;		/* hash chain (pool index) or free list */
	__u32 plan;		/* planning: new best (0 = entry goes away), valid if planned */
	__u8 planned;
};

struct hp_ruleset {
	struct hp_steer_maps maps;
	struct hp_rule *rules;		/* HP_MAX_RULES, index = id */
	__u32 count;
	__u32 free_hint;		/* no free id below this one */
	struct hp_tuple tuples[HP_MAX_TUPLES];
	struct hp_order order;
	__u32 nbest[HP_MAX_TUPLES];	/* entries of the tuple whose winner has its best_prio */
	__u32 *buckets;			/* NBUCKETS chain heads */
	struct fentry *pool;
	__u32 pool_len, pool_cap, pool_free, nflows;
	char errmsg[256];
};

/* One (mask, value) pair of a rule. */
struct expansion {
	struct hp_key mask, val;
};

/* A planned change of one flow key. */
struct fop {
	__u32 entry;		/* pool index, or NIL for a new key */
	__u32 tuple;
	struct hp_flow_key fk;
	__u32 new_best;		/* 0: delete the key */
	__u32 old_best;		/* 0: key absent before */
	__u32 *ids;		/* contributor array for a new key, allocated while planning */
};

static void seterr(struct hp_ruleset *rs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void seterr(struct hp_ruleset *rs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rs->errmsg, sizeof(rs->errmsg), fmt, ap);
	va_end(ap);
}

const char *hp_ruleset_errmsg(const struct hp_ruleset *rs)
{
	return rs && rs->errmsg[0] ? rs->errmsg : "no error";
}

__u32 hp_ruleset_count(const struct hp_ruleset *rs)
{
	return rs ? rs->count : 0;
}

const struct hp_rule *hp_ruleset_get(const struct hp_ruleset *rs, __u32 id)
{
	if (!rs || !id || id >= HP_MAX_RULES || !rs->rules[id].used) {
		errno = ENOENT;
		return NULL;
	}
	return &rs->rules[id];
}

/* ---- expansion ----------------------------------------------------------------------- */

/* Split [lo, hi] into aligned power-of-two blocks: values and masks, returns the count. */
static int port_blocks(__u32 lo, __u32 hi, __u16 *val, __u16 *mask)
{
	int n = 0, k;

	while (lo <= hi) {
		for (k = 16; k > 0; k--)
			if (!(lo & ((1u << k) - 1)) && lo + (1u << k) - 1 <= hi)
				break;
		val[n] = lo;
		mask[n] = (__u16)(0xffffu << k);
		n++;
		lo += 1u << k;
	}
	return n;
}

static void prefix_mask(__u8 *m, unsigned int plen)
{
	int i;

	for (i = 0; i < 16; i++) {
		int b = (int)plen - i * 8;

		m[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (__u8)(0xff << (8 - b));
	}
}

static int check_rule(struct hp_ruleset *rs, const struct hp_rule *r)
{
	__u8 m[16];
	int i, bits;

	if (r->match & ~0xffu) {
		seterr(rs, "unknown match bits 0x%x", r->match);
		return -EINVAL;
	}
	if ((r->match & (HP_RM_SRC | HP_RM_DST)) && !(r->match & HP_RM_L3)) {
		seterr(rs, "a rule with --src/--dst must also match the family (HP_RM_L3)");
		return -EINVAL;
	}
	if ((r->match & HP_RM_L3) && r->l3 != HP_L3_IPV4 && r->l3 != HP_L3_IPV6) {
		seterr(rs, "family %u is neither IPv4 (4) nor IPv6 (6)", r->l3);
		return -EINVAL;
	}
	bits = r->l3 == HP_L3_IPV4 ? 32 : 128;
	for (i = 0; i < 2; i++) {
		const __u8 *a = i ? r->dst : r->src;
		unsigned int plen = i ? r->dst_len : r->src_len;
		int j;

		if (!(r->match & (i ? HP_RM_DST : HP_RM_SRC)))
			continue;
		if ((int)plen > bits) {
			seterr(rs, "prefix length %u is longer than the address", plen);
			return -EINVAL;
		}
		prefix_mask(m, plen);
		for (j = 0; j < 16; j++) {
			if (a[j] & ~m[j]) {
				seterr(rs, "--%s has host bits set beyond /%u", i ? "dst" : "src",
				       plen);
				return -EINVAL;
			}
		}
	}
	if (((r->match & HP_RM_SPORT) && r->sport_lo > r->sport_hi) ||
	    ((r->match & HP_RM_DPORT) && r->dport_lo > r->dport_hi)) {
		seterr(rs, "port range start above its end");
		return -EINVAL;
	}
	if ((r->match & HP_RM_VLAN) && (r->vlan < 1 || r->vlan > 4094)) {
		seterr(rs, "VLAN id %u is not 1..4094", r->vlan);
		return -EINVAL;
	}
	if (r->action >= HP_ACT_MAX) {
		seterr(rs, "unknown action %u", r->action);
		return -EINVAL;
	}
	if (r->action == HP_ACT_XSK && r->action_arg != HP_XSK_RXQ &&
	    r->action_arg >= HP_MAX_QUEUES) {
		seterr(rs, "xsk queue %u is not 0..%d", r->action_arg, HP_MAX_QUEUES - 1);
		return -EINVAL;
	}
	if (r->action == HP_ACT_REDIRECT && !r->action_arg) {
		seterr(rs, "redirect needs an interface index");
		return -EINVAL;
	}
	return 0;
}

/* Expand r into *out (allocated); returns the count or -ENOMEM. */
static int expand(const struct hp_rule *r, struct expansion **out)
{
	__u16 sv[40], sm[40], dv[40], dm[40];
	struct expansion base = {}, *e;
	int ns = 1, nd = 1, i, j, n = 0;

	if (r->match & HP_RM_QUEUE) {
		base.mask.queue = 0xffff;
		base.val.queue = r->queue;
	}
	if (r->match & HP_RM_VLAN) {
		base.mask.vlan = 0xffff;
		base.val.vlan = r->vlan;
		base.mask.flags |= HP_KF_VLAN;
		base.val.flags |= HP_KF_VLAN;
	}
	if (r->match & HP_RM_L3) {
		base.mask.l3 = 0xff;
		base.val.l3 = r->l3;
	}
	if (r->match & HP_RM_L4PROTO) {
		base.mask.l4proto = 0xff;
		base.val.l4proto = r->l4proto;
		base.mask.flags |= HP_KF_L4;
		base.val.flags |= HP_KF_L4;
	}
	if (r->match & HP_RM_SRC) {
		prefix_mask(base.mask.src, r->src_len);
		memcpy(base.val.src, r->src, 16);
	}
	if (r->match & HP_RM_DST) {
		prefix_mask(base.mask.dst, r->dst_len);
		memcpy(base.val.dst, r->dst, 16);
	}
	if (r->match & (HP_RM_SPORT | HP_RM_DPORT)) {
		base.mask.flags |= HP_KF_PORTS;
		base.val.flags |= HP_KF_PORTS;
	}
	sv[0] = sm[0] = dv[0] = dm[0] = 0;
	if (r->match & HP_RM_SPORT)
		ns = port_blocks(r->sport_lo, r->sport_hi, sv, sm);
	if (r->match & HP_RM_DPORT)
		nd = port_blocks(r->dport_lo, r->dport_hi, dv, dm);
	e = calloc(ns * nd, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < ns; i++) {
		for (j = 0; j < nd; j++) {
			e[n] = base;
			e[n].mask.sport = sm[i];
			e[n].val.sport = sv[i];
			e[n].mask.dport = dm[j];
			e[n].val.dport = dv[j];
			n++;
		}
	}
	*out = e;
	return n;
}

/* ---- the flow mirror ----------------------------------------------------------------- */

static __u32 hash_fk(const struct hp_flow_key *fk)
{
	const __u64 *w = (const __u64 *)fk;
	__u64 h = 0x9e3779b97f4a7c15ull;
	size_t i;

	for (i = 0; i < sizeof(*fk) / 8; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (__u32)h & (NBUCKETS - 1);
}

static __u32 find_entry(const struct hp_ruleset *rs, const struct hp_flow_key *fk)
{
	__u32 i;

	for (i = rs->buckets[hash_fk(fk)]; i != NIL; i = rs->pool[i].next)
		if (!memcmp(&rs->pool[i].fk, fk, sizeof(*fk)))
			return i;
	return NIL;
}

/* Reserve pool room for n more entries. */
static int pool_reserve(struct hp_ruleset *rs, __u32 n)
{
	__u32 nfree = 0, i, cap;
	struct fentry *p;

	for (i = rs->pool_free; i != NIL && nfree < n; i = rs->pool[i].next)
		nfree++;
	if (nfree >= n || rs->pool_len + (n - nfree) <= rs->pool_cap)
		return 0;
	cap = rs->pool_cap ? rs->pool_cap : 1024;
	while (cap < rs->pool_len + (n - nfree))
		cap *= 2;
	p = realloc(rs->pool, (size_t)cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	rs->pool = p;
	rs->pool_cap = cap;
	return 0;
}

static __u32 pool_get(struct hp_ruleset *rs)
{
	__u32 i = rs->pool_free;

	if (i != NIL)
		rs->pool_free = rs->pool[i].next;
	else
		i = rs->pool_len++;
	memset(&rs->pool[i], 0, sizeof(rs->pool[i]));
	return i;
}

static bool better(const struct hp_ruleset *rs, __u32 a, __u32 b)
{
	return !b || rs->rules[a].prio < rs->rules[b].prio ||
	       (rs->rules[a].prio == rs->rules[b].prio && a < b);
}

static int find_tuple(const struct hp_tuple *tuples, const struct hp_key *mask)
{
	int t;

	for (t = 0; t < HP_MAX_TUPLES; t++)
		if (tuples[t].nflows && !memcmp(&tuples[t].mask, mask, sizeof(*mask)))
			return t;
	return -1;
}

static void build_order(const struct hp_tuple *tuples, struct hp_order *o)
{
	int t, i;

	memset(o, 0, sizeof(*o));
	for (t = 0; t < HP_MAX_TUPLES; t++) {
		if (!tuples[t].nflows)
			continue;
		/* insertion sort by best_prio, ties by slot */
		for (i = o->count; i > 0 && tuples[o->idx[i - 1]].best_prio > tuples[t].best_prio;
		     i--)
			o->idx[i] = o->idx[i - 1];
		o->idx[i] = t;
		o->count++;
	}
}

static struct hp_flow flow_of(const struct hp_ruleset *rs, __u32 id)
{
	const struct hp_rule *r = &rs->rules[id];

	return (struct hp_flow){ .rule_id = id, .prio = r->prio, .action = r->action,
				 .action_arg = r->action_arg };
}

/* Write (or delete) flow keys ops[0..n) as planned; on failure restore ops[0..i). */
static int write_flows(struct hp_ruleset *rs, const struct fop *ops, int n)
{
	struct hp_flow f;
	int i, err = 0;

	for (i = 0; i < n; i++) {
		if (ops[i].new_best == ops[i].old_best)
			continue;
		if (ops[i].new_best) {
			f = flow_of(rs, ops[i].new_best);
			err = bpf_map_update_elem(rs->maps.flows, &ops[i].fk, &f, BPF_ANY);
		} else {
			err = bpf_map_delete_elem(rs->maps.flows, &ops[i].fk);
		}
		if (err) {
			/* E2BIG: the kernel map is full (it may be smaller than HP_MAX_FLOWS) */
			err = errno == E2BIG ? -ENOSPC : -errno;
			seterr(rs, "writing the flows map failed: %s%s", strerror(errno),
			       errno == E2BIG ? "; the flows map is full, delete rules or use "
			       "narrower port ranges" : "");
			break;
		}
	}
	if (!err)
		return 0;
	while (--i >= 0) {	/* undo: restore the previous winner of each key */
		if (ops[i].new_best == ops[i].old_best)
			continue;
		if (ops[i].old_best) {
			f = flow_of(rs, ops[i].old_best);
			bpf_map_update_elem(rs->maps.flows, &ops[i].fk, &f, BPF_ANY);
		} else {
			bpf_map_delete_elem(rs->maps.flows, &ops[i].fk);
		}
	}
	return err;
}

/* Write the tuple slots that differ between old and new, then the order; undo on failure. */
static int write_tuples(struct hp_ruleset *rs, const struct hp_tuple *old_t,
			const struct hp_tuple *new_t, const struct hp_order *old_o,
			const struct hp_order *new_o)
{
	__u32 t, zero = 0, done[HP_MAX_TUPLES];
	int n = 0, err = 0;

	for (t = 0; t < HP_MAX_TUPLES; t++) {
		if (!memcmp(&old_t[t], &new_t[t], sizeof(old_t[t])))
			continue;
		if (bpf_map_update_elem(rs->maps.tuples, &t, &new_t[t], BPF_ANY)) {
			err = -errno;
			goto undo;
		}
		done[n++] = t;
	}
	if (memcmp(new_o, old_o, sizeof(*new_o)) &&
	    bpf_map_update_elem(rs->maps.order, &zero, new_o, BPF_ANY)) {
		err = -errno;
		goto undo;
	}
	return 0;
undo:
	seterr(rs, "writing the tuples/order maps failed: %s", strerror(-err));
	while (--n >= 0)
		bpf_map_update_elem(rs->maps.tuples, &done[n], &old_t[done[n]], BPF_ANY);
	return err;
}

static int zero_counters(int fd, __u32 id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct hp_counters *z;
	int err = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	z = calloc(ncpu, sizeof(*z));
	if (!z)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &id, z, BPF_ANY))
		err = -errno;
	free(z);
	return err;
}

/* ---- add ----------------------------------------------------------------------------- */

/*
 * Plan and apply rule r as id: its rules map slot and zeroed counters, the tuples and order
 * (new shapes get free slots), then its flow keys; on any failure everything written is undone.
 */
static int apply_add(struct hp_ruleset *rs, const struct hp_rule *r, __u32 id)
{
	struct hp_tuple new_t[HP_MAX_TUPLES];
	struct hp_order new_o;
	struct expansion *ex = NULL;
	struct fop *ops = NULL;
	struct hp_rule zero_rule = {};
	__u32 nnew = 0, e, nb[HP_MAX_TUPLES];
	bool reset[HP_MAX_TUPLES];
	int n, i, t, err;

	n = expand(r, &ex);
	if (n < 0) {
		seterr(rs, "out of memory expanding the rule");
		return n;
	}
	ops = calloc(n, sizeof(*ops));
	if (!ops) {
		err = -ENOMEM;
		seterr(rs, "out of memory");
		goto out;
	}
	memcpy(new_t, rs->tuples, sizeof(new_t));
	/* rules[id] is read by better() and flow_of(): install it in the mirror for planning */
	rs->rules[id] = *r;
	rs->rules[id].used = 1;
	for (i = 0; i < n; i++) {
		t = find_tuple(new_t, &ex[i].mask);
		if (t < 0) {
			for (t = 0; t < HP_MAX_TUPLES && new_t[t].nflows; t++)
				;
			if (t == HP_MAX_TUPLES) {
				seterr(rs, "too many distinct rule shapes: all %d tuples are in use "
				       "(HP_MAX_TUPLES); reuse prefix lengths and port-range shapes "
				       "of existing rules", HP_MAX_TUPLES);
				err = -ENOSPC;
				goto fail_plan;
			}
			memset(&new_t[t], 0, sizeof(new_t[t]));
			new_t[t].mask = ex[i].mask;
			new_t[t].best_prio = r->prio;
		}
		ops[i].tuple = t;
		ops[i].fk.key = ex[i].val;
		ops[i].fk.tuple = t;
		ops[i].entry = find_entry(rs, &ops[i].fk);
		if (ops[i].entry == NIL) {
			ops[i].ids = malloc(2 * sizeof(__u32));
			if (!ops[i].ids) {
				seterr(rs, "out of memory for the flow mirror");
				err = -ENOMEM;
				goto fail_plan;
			}
			nnew++;
			new_t[t].nflows++;	/* also marks the slot used for later shapes */
			ops[i].old_best = 0;
			ops[i].new_best = id;
		} else {
			ops[i].old_best = rs->pool[ops[i].entry].best;
			ops[i].new_best = better(rs, id, ops[i].old_best) ? id : ops[i].old_best;
		}
		if (r->prio < new_t[t].best_prio)
			new_t[t].best_prio = r->prio;
	}
	/* how many entries of each tuple have a winner at the tuple's best_prio */
	memcpy(nb, rs->nbest, sizeof(nb));
	for (t = 0; t < HP_MAX_TUPLES; t++)
		reset[t] = !rs->tuples[t].nflows || new_t[t].best_prio != rs->tuples[t].best_prio;
	for (i = 0; i < n; i++) {
		__u32 bp = new_t[ops[i].tuple].best_prio;

		t = ops[i].tuple;
		if (reset[t]) {
			nb[t] = 0;
			reset[t] = false;	/* only this rule's entries can be that good */
		}
		nb[t] += rs->rules[ops[i].new_best].prio == bp;
		if (ops[i].old_best && rs->rules[ops[i].old_best].prio == bp)
			nb[t]--;
	}
	if (rs->nflows + nnew > HP_MAX_FLOWS) {
		seterr(rs, "flow table full: this rule needs %u more entries, %u of %d are in use "
		       "(HP_MAX_FLOWS); narrower port ranges expand into fewer entries", nnew,
		       rs->nflows, HP_MAX_FLOWS);
		err = -ENOSPC;
		goto fail_plan;
	}
	if (pool_reserve(rs, nnew)) {
		seterr(rs, "out of memory for the flow mirror");
		err = -ENOMEM;
		goto fail_plan;
	}
	for (i = 0; i < n; i++) {
		struct fentry *fe;

		if (ops[i].entry == NIL)
			continue;
		fe = &rs->pool[ops[i].entry];
		if (fe->nids == fe->cap) {
			__u32 cap = fe->cap ? fe->cap * 2 : 2, *p;

			p = realloc(fe->ids, cap * sizeof(*p));
			if (!p) {
				seterr(rs, "out of memory for the flow mirror");
				err = -ENOMEM;
				goto fail_plan;
			}
			fe->ids = p;
			fe->cap = cap;
		}
	}
	build_order(new_t, &new_o);

	/* maps: the rule and its zeroed counters, tuples (best_prio only goes down), flows */
	if (bpf_map_update_elem(rs->maps.rules, &id, &rs->rules[id], BPF_ANY)) {
		err = -errno;
		seterr(rs, "writing the rules map failed: %s", strerror(errno));
		goto fail_plan;
	}
	err = zero_counters(rs->maps.rule_cnt, id);
	if (err) {
		seterr(rs, "zeroing the counters of rule %u failed: %s", id, strerror(-err));
		goto fail_rule;
	}
	err = write_tuples(rs, rs->tuples, new_t, &rs->order, &new_o);
	if (err)
		goto fail_rule;
	err = write_flows(rs, ops, n);
	if (err) {
		write_tuples(rs, new_t, rs->tuples, &new_o, &rs->order);
		goto fail_rule;
	}

	/* commit to the mirror */
	for (i = 0; i < n; i++) {
		struct fentry *fe;

		if (ops[i].entry == NIL) {
			e = pool_get(rs);
			fe = &rs->pool[e];
			fe->fk = ops[i].fk;
			fe->ids = ops[i].ids;
			ops[i].ids = NULL;
			fe->cap = 2;
			fe->next = rs->buckets[hash_fk(&fe->fk)];
			rs->buckets[hash_fk(&fe->fk)] = e;
			rs->nflows++;
			ops[i].entry = e;
		}
		fe = &rs->pool[ops[i].entry];
		fe->ids[fe->nids++] = id;
		fe->best = ops[i].new_best;
	}
	memcpy(rs->tuples, new_t, sizeof(new_t));
	memcpy(rs->nbest, nb, sizeof(nb));
	rs->order = new_o;
	rs->count++;
	err = 0;
	goto out;

fail_rule:
	bpf_map_update_elem(rs->maps.rules, &id, &zero_rule, BPF_ANY);
fail_plan:
	memset(&rs->rules[id], 0, sizeof(rs->rules[id]));
out:
	for (i = 0; ops && i < n; i++)
		free(ops[i].ids);
	free(ops);
	free(ex);
	return err;
}

static __u32 alloc_id(struct hp_ruleset *rs)
{
	__u32 id;

	for (id = rs->free_hint ? rs->free_hint : 1; id < HP_MAX_RULES; id++)
		if (!rs->rules[id].used)
			return id;
	return 0;
}

int hp_ruleset_add(struct hp_ruleset *rs, const struct hp_rule *rule, __u32 *idp)
{
	__u32 id;
	int err;

	if (!rs || !rule)
		return -EINVAL;
	rs->errmsg[0] = 0;
	err = check_rule(rs, rule);
	if (err)
		return err;
	id = alloc_id(rs);
	if (!id) {
		seterr(rs, "rule table full: %d rules (HP_MAX_RULES - 1); delete some first",
		       HP_MAX_RULES - 1);
		return -ENOSPC;
	}
	err = apply_add(rs, rule, id);
	if (err)
		return err;
	rs->free_hint = id + 1;
	if (idp)
		*idp = id;
	return 0;
}

int hp_ruleset_add_many(struct hp_ruleset *rs, const struct hp_rule *rules, __u32 n,
			__u32 *ids)
{
	__u32 i, *got = ids;
	char msg[sizeof(rs->errmsg)];
	int err = 0;

	if (!rs || (!rules && n))
		return -EINVAL;
	if (!got) {
		got = calloc(n ? n : 1, sizeof(*got));
		if (!got)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		err = hp_ruleset_add(rs, &rules[i], &got[i]);
		if (err)
			break;
	}
	if (err) {	/* all or nothing: take back what this call added */
		memcpy(msg, rs->errmsg, sizeof(msg));
		while (i-- > 0)
			hp_ruleset_del(rs, got[i]);
		snprintf(rs->errmsg, sizeof(rs->errmsg), "%s", msg);
	}
	if (got != ids)
		free(got);
	return err;
}

/* ---- delete -------------------------------------------------------------------------- */

int hp_ruleset_del(struct hp_ruleset *rs, __u32 id)
{
	struct hp_tuple new_t[HP_MAX_TUPLES];
	struct hp_order new_o;
	struct expansion *ex = NULL;
	struct hp_rule zero_rule = {};
	struct fop *ops = NULL;
	bool rescan[HP_MAX_TUPLES] = {}, any;
	int n, i, t, err;
	__u32 e, k, nb[HP_MAX_TUPLES];

	if (!rs)
		return -EINVAL;
	rs->errmsg[0] = 0;
	if (!id || id >= HP_MAX_RULES || !rs->rules[id].used) {
		seterr(rs, "no rule with id %u (see `xdpctl rule list`)", id);
		return -ENOENT;
	}
	n = expand(&rs->rules[id], &ex);
	if (n < 0) {
		seterr(rs, "out of memory");
		return n;
	}
	ops = calloc(n, sizeof(*ops));
	if (!ops) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(new_t, rs->tuples, sizeof(new_t));
	memcpy(nb, rs->nbest, sizeof(nb));
	for (i = 0; i < n; i++) {
		struct fentry *fe;
		__u32 best = 0;

		t = find_tuple(rs->tuples, &ex[i].mask);
		ops[i].fk.key = ex[i].val;
		ops[i].fk.tuple = t;
		ops[i].entry = t < 0 ? NIL : find_entry(rs, &ops[i].fk);
		if (ops[i].entry == NIL) {
			seterr(rs, "internal: rule %u has no flow entry in the mirror", id);
			err = -EIO;
			goto out;
		}
		fe = &rs->pool[ops[i].entry];
		for (k = 0; k < fe->nids; k++)
			if (fe->ids[k] != id && better(rs, fe->ids[k], best))
				best = fe->ids[k];
		ops[i].tuple = t;
		ops[i].old_best = fe->best;
		ops[i].new_best = best;
		fe->plan = best;
		fe->planned = 1;
		if (!best)
			new_t[t].nflows--;
		if (rs->rules[fe->best].prio == new_t[t].best_prio)
			nb[t]--;
		if (best && rs->rules[best].prio == new_t[t].best_prio)
			nb[t]++;
	}
	/* a tuple whose last entry at its best_prio went: find the new minimum (and count) */
	for (i = 0; i < n; i++) {
		t = ops[i].tuple;
		if (!nb[t] && new_t[t].nflows)
			rescan[t] = true;
		else if (!new_t[t].nflows)
			memset(&new_t[t], 0, sizeof(new_t[t]));
	}
	/* best_prio of tuples that may have lost their best rule: min over remaining entries */
	any = false;
	for (t = 0; t < HP_MAX_TUPLES; t++) {
		if (rescan[t]) {
			new_t[t].best_prio = 0xffffffffu;
			nb[t] = 0;
			any = true;
		}
	}
	for (e = 0; any && e < rs->pool_len; e++) {
		struct fentry *fe = &rs->pool[e];
		__u32 b;

		if (!fe->nids || !rescan[fe->fk.tuple] || !new_t[fe->fk.tuple].nflows)
			continue;
		b = fe->planned ? fe->plan : fe->best;
		if (!b)
			continue;
		if (rs->rules[b].prio < new_t[fe->fk.tuple].best_prio) {
			new_t[fe->fk.tuple].best_prio = rs->rules[b].prio;
			nb[fe->fk.tuple] = 1;
		} else if (rs->rules[b].prio == new_t[fe->fk.tuple].best_prio) {
			nb[fe->fk.tuple]++;
		}
	}
	build_order(new_t, &new_o);

	/* maps: flows first, then tuples (best_prio only goes up), then the rule itself */
	err = write_flows(rs, ops, n);
	if (err)
		goto out;
	err = write_tuples(rs, rs->tuples, new_t, &rs->order, &new_o);
	if (err) {
		for (i = 0; i < n; i++) {	/* put the flows back */
			__u32 tmp = ops[i].old_best;

			ops[i].old_best = ops[i].new_best;
			ops[i].new_best = tmp;
		}
		write_flows(rs, ops, n);
		goto out;
	}
	if (bpf_map_update_elem(rs->maps.rules, &id, &zero_rule, BPF_ANY))
		hp_warn("rule %u: clearing its rules map slot failed: %s\n", id, strerror(errno));
	zero_counters(rs->maps.rule_cnt, id);

	/* commit to the mirror */
	for (i = 0; i < n; i++) {
		struct fentry *fe = &rs->pool[ops[i].entry];

		for (k = 0; k < fe->nids; k++) {
			if (fe->ids[k] == id) {
				fe->ids[k] = fe->ids[--fe->nids];
				break;
			}
		}
		fe->best = ops[i].new_best;
		if (!fe->nids) {	/* unlink from its chain and free */
			__u32 *pp = &rs->buckets[hash_fk(&fe->fk)];

			while (*pp != ops[i].entry)
				pp = &rs->pool[*pp].next;
			*pp = fe->next;
			free(fe->ids);
			fe->ids = NULL;
			fe->cap = 0;
			fe->next = rs->pool_free;
			rs->pool_free = ops[i].entry;
			rs->nflows--;
		}
	}
	memcpy(rs->tuples, new_t, sizeof(new_t));
	memcpy(rs->nbest, nb, sizeof(nb));
	rs->order = new_o;
	memset(&rs->rules[id], 0, sizeof(rs->rules[id]));
	rs->count--;
	if (id < rs->free_hint)
		rs->free_hint = id;
	err = 0;
out:
	if (ops) {
		for (i = 0; i < n; i++)
			if (ops[i].entry != NIL)
				rs->pool[ops[i].entry].planned = 0;
	}
	free(ops);
	free(ex);
	return err;
}

/* ---- open / free --------------------------------------------------------------------- */

void hp_ruleset_free(struct hp_ruleset *rs)
{
	__u32 i;

	if (!rs)
		return;
	for (i = 0; i < rs->pool_len; i++)
		if (rs->pool[i].nids)
			free(rs->pool[i].ids);
	free(rs->pool);
	free(rs->buckets);
	free(rs->rules);
	free(rs);
}

/* Read the whole rules map: batched (one syscall per 4096 rules), else one lookup per id. */
static int read_rules(int fd, struct hp_rule *out)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 *keys, batch = 0, n, done = 0, id;
	bool first = true;
	int err = 0;

	keys = calloc(4096, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	while (done < HP_MAX_RULES) {
		n = HP_MAX_RULES - done < 4096 ? HP_MAX_RULES - done : 4096;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, out + done, &n,
					   &opts);
		if (err && errno != ENOENT)
			break;	/* e.g. an old kernel without batch ops: fall back below */
		first = false;
		done += n;
		if (err)	/* ENOENT: the last batch */
			break;
	}
	free(keys);
	if (done == HP_MAX_RULES || (err && errno == ENOENT && done))
		return 0;
	for (id = 0; id < HP_MAX_RULES; id++)
		if (bpf_map_lookup_elem(fd, &id, &out[id]))
			return -errno;
	return 0;
}

/*
 * Rebuild the mirror from the rules map. The maps are taken as written by this compiler: tuple
 * slots are read back so that flow keys keep their tuple numbers; the flows map is not rewritten.
 */
struct hp_ruleset *hp_ruleset_open(const struct hp_steer_maps *maps)
{
	struct hp_ruleset *rs;
	struct hp_rule *saved = NULL;
	__u32 id, t, zero = 0;
	int err = 0;

	if (!maps) {
		errno = EINVAL;
		return NULL;
	}
	rs = calloc(1, sizeof(*rs));
	if (!rs) {
		errno = ENOMEM;
		return NULL;
	}
	rs->maps = *maps;
	rs->rules = calloc(HP_MAX_RULES, sizeof(*rs->rules));
	rs->buckets = malloc(NBUCKETS * sizeof(__u32));
	saved = calloc(HP_MAX_RULES, sizeof(*saved));
	if (!rs->rules || !rs->buckets || !saved) {
		err = -ENOMEM;
		goto out;
	}
	memset(rs->buckets, 0xff, NBUCKETS * sizeof(__u32));
	rs->pool_free = NIL;
	rs->free_hint = 1;
	for (t = 0; t < HP_MAX_TUPLES; t++) {
		if (bpf_map_lookup_elem(maps->tuples, &t, &rs->tuples[t])) {
			err = -errno;
			goto out;
		}
	}
	if (bpf_map_lookup_elem(maps->order, &zero, &rs->order)) {
		err = -errno;
		goto out;
	}
	err = read_rules(maps->rules, saved);
	if (err)
		goto out;
	/*
	 * Replay the rules into the mirror only: expansion is deterministic, and the tuple
	 * masks found in the tuples map fix each key's tuple number.
	 */
	for (id = 1; id < HP_MAX_RULES; id++) {
		struct expansion *ex;
		int n, i, tt;

		if (!saved[id].used)
			continue;
		rs->rules[id] = saved[id];
		n = expand(&saved[id], &ex);
		if (n < 0) {
			err = n;
			goto out;
		}
		for (i = 0; i < n; i++) {
			struct hp_flow_key fk = {};
			struct fentry *fe;
			__u32 e;

			tt = find_tuple(rs->tuples, &ex[i].mask);
			if (tt < 0) {
				hp_warn("rule %u: its shape has no tuple in the map (maps written by "
					"another version?); re-attach to rebuild\n", id);
				free(ex);
				err = -EUCLEAN;
				goto out;
			}
			fk.key = ex[i].val;
			fk.tuple = tt;
			e = find_entry(rs, &fk);
			if (e == NIL) {
				if (pool_reserve(rs, 1)) {
					free(ex);
					err = -ENOMEM;
					goto out;
				}
				e = pool_get(rs);
				fe = &rs->pool[e];
				fe->fk = fk;
				fe->next = rs->buckets[hash_fk(&fk)];
				rs->buckets[hash_fk(&fk)] = e;
				rs->nflows++;
			}
			fe = &rs->pool[e];
			if (fe->nids == fe->cap) {
				__u32 cap = fe->cap ? fe->cap * 2 : 2, *p;

				p = realloc(fe->ids, cap * sizeof(*p));
				if (!p) {
					free(ex);
					err = -ENOMEM;
					goto out;
				}
				fe->ids = p;
				fe->cap = cap;
			}
			fe->ids[fe->nids++] = id;
			if (better(rs, id, fe->best))
				fe->best = id;
		}
		free(ex);
		rs->count++;
	}
	for (id = 0; id < rs->pool_len; id++) {
		struct fentry *fe = &rs->pool[id];

		if (fe->nids && rs->rules[fe->best].prio == rs->tuples[fe->fk.tuple].best_prio)
			rs->nbest[fe->fk.tuple]++;
	}
out:
	free(saved);
	if (err) {
		hp_ruleset_free(rs);
		errno = -err;
		return NULL;
	}
	return rs;
}

int hp_counters_read(int map_fd, __u32 idx, struct hp_counters *out)
{
	int ncpu = libbpf_num_possible_cpus(), i, err = 0;
	struct hp_counters *v;

	if (!out || map_fd < 0)
		return -EINVAL;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(map_fd, &idx, v)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < ncpu; i++) {
		out->packets += v[i].packets;
		out->bytes += v[i].bytes;
	}
out:
	free(v);
	return err;
}
