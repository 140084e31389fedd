/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * XDP steering: rules, the rule compiler that fills the program's maps, and the userspace
 * reference classifier with the same semantics as bpf/steer.bpf.c (see bpf/include/hp_steer.h
 * for the data layout and the matching algorithm).
 */
#ifndef HYBRIDPATH_STEER_H
#define HYBRIDPATH_STEER_H

#include <stdbool.h>
#include <linux/types.h>
#include <hybridpath/common.h>
#include "hp_steer.h"	/* quotes: found next to this header once installed */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- rule text ---------------------------------------------------------------------- */

/*
 * Parse rule options as written on the xdpctl command line, e.g.
 *   {"--proto", "udp", "--dport", "5000-5010", "--action", "xsk:2"}
 * into *rule (prio defaults to HP_DEFAULT_PRIO). Redirect targets are resolved with
 * if_nametoindex() in the caller's network namespace. On error returns -EINVAL (or -ENODEV for an
 * unknown redirect interface) and writes a message naming the bad token and the fix into err.
 */
int hp_rule_parse(int argc, char **argv, struct hp_rule *rule, char *err, size_t errlen);

/* Canonical text of a rule, in the same syntax hp_rule_parse() accepts. */
int hp_rule_format(const struct hp_rule *rule, char *buf, size_t len);

/* Name of an action ("pass", "drop", "xsk", "redirect", "tx") or counter ("malformed"...). */
const char *hp_counter_name(unsigned int idx);

/* ---- packet parsing and the reference classifier ------------------------------------ */

/*
 * Parse a frame exactly as the XDP program does. Returns 0 and fills *key, or
 * -EBADMSG for a malformed frame (the program counts it as "malformed" and applies the default
 * action without consulting rules).
 */
int hp_parse_packet(const void *data, size_t len, __u32 rx_queue, struct hp_key *key);

/* Does rule match key? (Linear, obviously-correct semantics: the specification.) */
bool hp_rule_matches(const struct hp_rule *rule, const struct hp_key *key);

/*
 * Reference classification by linear scan over rules[0..n) (entries with used == 0 skipped,
 * rule id = index). Returns the winning rule id, or 0 when none matches.
 */
__u32 hp_ref_classify(const struct hp_rule *rules, __u32 n, const struct hp_key *key);

/* ---- the compiled rule set in the program's maps ------------------------------------ */

/* File descriptors of the steering program's maps (names as in bpf/steer.bpf.c). */
struct hp_steer_maps {
	int rules;	/* array  hp_rule,        HP_MAX_RULES */
	int tuples;	/* array  hp_tuple,       HP_MAX_TUPLES */
	int order;	/* array  hp_order,       1 */
	int flows;	/* hash   hp_flow_key -> hp_flow */
	int rule_cnt;	/* percpu array hp_counters, HP_MAX_RULES */
	int act_cnt;	/* percpu array hp_counters, HP_CNT_MAX */
	int config;	/* array  hp_config,      1 */
	int xsks;	/* xskmap, HP_MAX_QUEUES */
};

/*
 * In-memory mirror of the rule set, loaded from the maps, so that adds and deletes are
 * incremental and do not rescan the maps. Not thread-safe; xdpctl serialises writers with a lock
 * file. hp_ruleset_open() reads the rules map; hp_ruleset_free() frees only memory.
 */
struct hp_ruleset;
struct hp_ruleset *hp_ruleset_open(const struct hp_steer_maps *maps);
void hp_ruleset_free(struct hp_ruleset *rs);

/* Add a rule; on success *id is its id. -ENOSPC when rules, tuples or flows are full (the
 * message says which), -EINVAL for an inconsistent rule. On failure the maps are unchanged. */
int hp_ruleset_add(struct hp_ruleset *rs, const struct hp_rule *rule, __u32 *id);
/* Add n rules; ids[i] (if ids is not NULL) receives each id. All or nothing: on failure the
 * rules this call added are deleted again and the error is that of the rule that failed. */
int hp_ruleset_add_many(struct hp_ruleset *rs, const struct hp_rule *rules, __u32 n, __u32 *ids);
/* Delete rule id; -ENOENT if there is no such rule. Its counters are zeroed. */
int hp_ruleset_del(struct hp_ruleset *rs, __u32 id);
/* Number of rules, and the rule with a given id (NULL if none). */
__u32 hp_ruleset_count(const struct hp_ruleset *rs);
const struct hp_rule *hp_ruleset_get(const struct hp_ruleset *rs, __u32 id);
/* Last detailed error message of this rule set (e.g. which table is full). */
const char *hp_ruleset_errmsg(const struct hp_ruleset *rs);

/* Sum a per-CPU counter map entry over all possible CPUs. */
int hp_counters_read(int map_fd, __u32 idx, struct hp_counters *out);

#ifdef __cplusplus
}
#endif
#endif
