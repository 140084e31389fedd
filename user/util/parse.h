/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal: strict number parsing shared by the rule grammar and port specs. */
#ifndef HP_UTIL_PARSE_H
#define HP_UTIL_PARSE_H

/* Unsigned decimal in [lo, hi]; the whole string must be digits (no sign, no spaces, no hex).
 * 0 or -EINVAL. */
__attribute__((visibility("hidden")))
int hp_parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
#endif
