/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal helpers of user/steer/ (not installed). */
#ifndef HP_STEER_INT_H
#define HP_STEER_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <hybridpath/steer.h>

#define HP_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define HP_PRIO_MAX		0x7fffffffu	/* --prio 0..HP_PRIO_MAX */

#endif
