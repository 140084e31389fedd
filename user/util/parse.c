// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Internal number parsing; see parse.h. */
#include <errno.h>
#include <string.h>
#include "util/parse.h"

int hp_parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if (!*s || strlen(s) > 10)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}
