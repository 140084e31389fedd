/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A tiny streaming JSON writer for xdpctl's --json output (one document per call, compact, a
 * newline at the end). Commas and nesting are tracked for you:
 *
 *	struct jw *w = jw_new(stdout);
 *	jw_obj_open(w, NULL);
 *	jw_str(w, "ifname", "eth0");
 *	jw_u64(w, "packets", 42);
 *	jw_arr_open(w, "rules");
 *	...
 *	jw_arr_close(w);
 *	jw_obj_close(w);
 *	jw_free(w);		(prints the final newline)
 *
 * Inside an array pass NULL as the key. Strings are escaped per RFC 8259.
 */
#ifndef XDPCTL_JSON_H
#define XDPCTL_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

struct jw;

struct jw *jw_new(FILE *f);
void jw_free(struct jw *w);
void jw_obj_open(struct jw *w, const char *key);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w, const char *key);
void jw_arr_close(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);	/* NULL val -> null */
void jw_u64(struct jw *w, const char *key, __u64 val);
void jw_i64(struct jw *w, const char *key, long long val);
void jw_double(struct jw *w, const char *key, double val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);

#endif
