// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Library-wide printing and error strings. */
#include <stdio.h>
#include <string.h>
#include <hybridpath/common.h>
#include "util/log.h"

static int default_print(enum hp_print_level level, const char *fmt, va_list ap)
{
	if (level > HP_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static hp_print_fn_t hp_print_fn = default_print;

hp_print_fn_t hp_set_print(hp_print_fn_t fn)
{
	hp_print_fn_t old = hp_print_fn;

	hp_print_fn = fn;
	return old;
}

void hp_log(enum hp_print_level level, const char *fmt, ...)
{
	va_list ap;

	if (!hp_print_fn)
		return;
	va_start(ap, fmt);
	hp_print_fn(level, fmt, ap);
	va_end(ap);
}

const char *hp_strerror(int err)
{
	if (err < 0)
		err = -err;
	return strerror(err);
}
