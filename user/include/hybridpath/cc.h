/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * TCP congestion control policies in BPF (cc/NAME.bpf.c): load, register through a struct_ops
 * link pinned in bpffs (so the policy outlives the loader), unload, list, make default.
 *
 * Pins: <pin_root>/cc/<name> is the struct_ops link, <pin_root>/cc-stats/<name> and
 * <pin_root>/cc-gauges/<name> the policy's per-CPU counters and last-value gauges (when it has
 * them, see cc/hp_cc.h). pin_root defaults to /sys/fs/bpf/hybridpath;
 * bpffs is mounted at /sys/fs/bpf when nothing is mounted there.
 *
 * Registration is global to the kernel (every network namespace sees the name in
 * net.ipv4.tcp_available_congestion_control); the default congestion control and the socket
 * counts of hp_cc_list() are per network namespace (the caller's), while hp_cc_unload() counts
 * sockets in every namespace it can reach (/proc/PID/ns/net, /run/netns).
 */
#ifndef HYBRIDPATH_CC_H
#define HYBRIDPATH_CC_H

#include <stdbool.h>
#include <linux/types.h>
#include <hybridpath/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HP_CC_NAME_MAX 16	/* TCP_CA_NAME_MAX, including the NUL */

struct hp_cc_load_opts {
	size_t sz;
	const char *name;	/* register under this name instead of the object's .name */
	const char *pin_root;	/* bpffs directory; NULL = /sys/fs/bpf/hybridpath */
	bool set_default;	/* also make it the default of the caller's network namespace;
				 * on failure the previous default stays and the policy is
				 * unloaded */
	bool unrestricted;	/* TCP_CONG_NON_RESTRICTED: unprivileged sockets may select it and
				 * namespaces other than the initial one may default to it (the
				 * kernel's reno is unrestricted, its cubic is not) */
	size_t :0;
};
#define hp_cc_load_opts__last_field unrestricted

/*
 * Load WHAT (a built-in policy name from hp_cc_builtin(), or a path to a .bpf.o file that holds
 * one tcp_congestion_ops struct_ops map), register it and pin the link. The registered name is
 * copied to name_out (HP_CC_NAME_MAX bytes) when not NULL. Returns 0 or -errno:
 *  -EEXIST   a congestion control with that name is already registered
 *  -ENOENT   unknown built-in name or missing file
 *  -EINVAL   malformed object, no tcp_congestion_ops in it, bad name
 *  -ENOTSUP  the object's struct_ops does not match the running kernel
 *  -EPERM    (set_default) this namespace may not default to it (restricted; not init_net)
 * Errors are also reported through the print callback with the cause and the fix.
 */
int hp_cc_load(const char *what, const struct hp_cc_load_opts *opts, char *name_out);

struct hp_cc_unload_opts {
	size_t sz;
	const char *pin_root;
	bool force;		/* unload even when sockets still use it (they keep it until
				 * they close) */
	size_t :0;
};
#define hp_cc_unload_opts__last_field force

/*
 * Unregister a policy loaded by hp_cc_load() and remove its pins. Returns -ENOENT when no pin
 * of that name exists (not ours, or not loaded), -EBUSY when sockets use it and !force.
 */
int hp_cc_unload(const char *name, const struct hp_cc_unload_opts *opts);

/* Counters kept by the hp_ policies (see cc/hp_cc.h); index with 0 .. hp_cc_counter_count()-1. */
#define HP_CC_MAX_COUNTERS 32
int hp_cc_counter_count(void);
const char *hp_cc_counter_name(int i);

struct hp_cc_info {
	char name[HP_CC_NAME_MAX];
	bool available;		/* in tcp_available_congestion_control */
	bool is_default;	/* default of the caller's namespace */
	bool allowed;		/* in tcp_allowed_congestion_control: unprivileged sockets may
				 * select it (the kernel's reno, ours loaded --unrestricted) */
	bool ours;		/* pinned under <pin_root>/cc/ */
	bool has_counters;
	int sockets;		/* TCP sockets of the caller's netns using it; -1 if unknown */
	__u32 link_id;		/* ours: struct_ops link id */
	__u32 map_id;		/* ours: struct_ops map id */
	__u64 counters[HP_CC_MAX_COUNTERS];
};

struct hp_cc_list_opts {
	size_t sz;
	const char *pin_root;
	size_t :0;
};
#define hp_cc_list_opts__last_field pin_root

/* Kernel's and ours; *out is malloc'ed (free() it). Returns 0 or -errno. */
int hp_cc_list(struct hp_cc_info **out, size_t *count, const struct hp_cc_list_opts *opts);

/* Default congestion control of the caller's netns. prev (HP_CC_NAME_MAX) gets the old one. */
int hp_cc_get_default(char *name, size_t len);
int hp_cc_set_default(const char *name, char *prev);

/* Built-in policies (embedded skeletons): NULL-terminated list of names. */
const char *const *hp_cc_builtin(void);

#ifdef __cplusplus
}
#endif
#endif
