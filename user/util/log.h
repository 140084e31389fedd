/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal: library logging through the hp_set_print() callback. Never exit()/abort(). */
#ifndef HP_UTIL_LOG_H
#define HP_UTIL_LOG_H
#include <hybridpath/common.h>

void hp_log(enum hp_print_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define hp_warn(...)  hp_log(HP_WARN, __VA_ARGS__)
#define hp_info(...)  hp_log(HP_INFO, __VA_ARGS__)
#define hp_debug(...) hp_log(HP_DEBUG, __VA_ARGS__)

#define HP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
