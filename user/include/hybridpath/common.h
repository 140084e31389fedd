/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Conventions shared by every libhybridpath header: options structs that carry their size,
 * error reporting, the print callback. */
#ifndef HYBRIDPATH_COMMON_H
#define HYBRIDPATH_COMMON_H

#include <stddef.h>
#include <stdarg.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Options structs start with `size_t sz` and end with `size_t :0;`. Callers declare them with
 * HP_OPTS(type, name, .field = value, ...); the library ignores fields past sz and rejects
 * non-zero bytes past the fields it knows (so structs can grow without breaking callers).
 */
#define HP_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };\
	})

/* Is field present in an options struct of the caller's size? */
#define HP_OPTS_HAS(opts, field)					\
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define HP_OPTS_GET(opts, field, fallback)				\
	(HP_OPTS_HAS(opts, field) ? (opts)->field : (fallback))

enum hp_print_level { HP_WARN, HP_INFO, HP_DEBUG };
typedef int (*hp_print_fn_t)(enum hp_print_level level, const char *fmt, va_list ap);

/* Replace the library's print callback (default: warnings to stderr); returns the old one. */
hp_print_fn_t hp_set_print(hp_print_fn_t fn);

/* Message for a -errno returned by the library (also covers plain errno values). */
const char *hp_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
