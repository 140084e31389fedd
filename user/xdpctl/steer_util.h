/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the steering commands (attach.c, rule.c, stats.c). */
#ifndef XDPCTL_STEER_UTIL_H
#define XDPCTL_STEER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define HP_ARRAY_SIZE_X(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Make sure bpffs is mounted. With refuse_private, fail (and unmount) when the bpffs we had to
 * mount would vanish at exit (inside `ip netns exec`); otherwise write a hint for error messages.
 */
int steer_bpffs(bool refuse_private, char *hint, size_t hint_len);
/* Print an error for -errno err of operation what on ifname; returns XDPCTL_FAIL. */
int steer_err(int err, const char *what, const char *ifname, const char *hint);
const char *steer_action_name(__u32 action);

#endif
