/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loader for the XDP steering program (bpf/steer.bpf.c): attach, detach, status, map access,
 * and the XDP features an interface reports.
 *
 * State lives in bpffs under <bpffs>/hybridpath/<netns-cookie>/<ifindex>/, so the same interface
 * name in two network namespaces never collides. Exactly one object is pinned, last: the bpf_link
 * ("link"), or for libxdp's dispatcher the marker "dispatcher" next to what libxdp pins itself.
 * Maps are never pinned: they are found again through link -> program -> map ids, so a process
 * killed at any point leaves nothing behind (its fds close, the kernel frees everything).
 * Writers are serialised with flock() on /run/hybridpath/lock.
 */
#ifndef HYBRIDPATH_LOADER_H
#define HYBRIDPATH_LOADER_H

#include <stdbool.h>
#include <linux/types.h>
#include <hybridpath/common.h>
#include <hybridpath/steer.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hp_xdp_mode {
	HP_XDP_MODE_NATIVE = 0,	/* driver mode (default) */
	HP_XDP_MODE_SKB = 1,	/* generic mode */
};

struct hp_attach_opts {
	size_t sz;
	enum hp_xdp_mode mode;
	__u32 default_action;	/* HP_ACT_PASS (default) or HP_ACT_DROP */
	/* Skip libxdp's dispatcher and attach a single program with a bpf_link. */
	bool no_dispatcher;
	size_t :0;
};
#define hp_attach_opts__last_field no_dispatcher

/*
 * Load bpf/steer.bpf.c and attach it to ifindex (in the caller's network namespace). Through
 * libxdp's dispatcher when it loads on this kernel, otherwise a single program with a bpf_link
 * (one line at HP_INFO says which and why; hp_steer_status() reports it). -EEXIST if already
 * attached, -EBUSY if another XDP program without a dispatcher holds the interface, -ENODEV for
 * a bad ifindex, -EPERM without CAP_BPF/CAP_NET_ADMIN. On failure nothing stays attached or
 * pinned. Mounts bpffs at /sys/fs/bpf when it is not mounted.
 */
int hp_steer_attach(int ifindex, const struct hp_attach_opts *opts);

/* Detach and unpin everything for ifindex; the maps are freed. -ENOENT if not attached. */
int hp_steer_detach(int ifindex);

struct hp_steer_status {
	__u32 ifindex;
	char ifname[16];
	enum hp_xdp_mode mode;
	bool dispatcher;	/* true: libxdp dispatcher; false: single program, bpf_link */
	__u32 prog_id;		/* the steering program */
	__u32 link_id;		/* its bpf_link (0 when attached through the dispatcher) */
	__u32 dispatcher_id;	/* libxdp dispatcher program id, or 0 */
	__u32 rule_count;
	__u32 default_action;
	__u64 netns_cookie;
	char pin_dir[256];
};

/* Status of steering on ifindex; -ENOENT if not attached (stale pins are cleaned up). */
int hp_steer_status(int ifindex, struct hp_steer_status *st);

/*
 * Ifindexes with steering attached in the caller's network namespace, ascending. Returns how many
 * there are (which may exceed max; only max are written), or -errno.
 */
int hp_steer_list(int *ifindexes, int max);

/*
 * Open fds of the attached program's maps (struct hp_steer_maps, names as in steer.bpf.c) by
 * walking link -> program -> map ids. -ENOENT ("not attached") if nothing is attached on ifindex.
 * Close them with hp_steer_maps_close().
 */
int hp_steer_maps_open(int ifindex, struct hp_steer_maps *maps);
void hp_steer_maps_close(struct hp_steer_maps *maps);

/* Read or set the default action (HP_ACT_PASS or HP_ACT_DROP) in the config map. */
int hp_steer_set_default(const struct hp_steer_maps *maps, __u32 action);

/*
 * Serialise writers across processes: flock() on /run/hybridpath/lock. Returns an fd to pass to
 * hp_unlock(), or -errno.
 */
int hp_lock(void);
void hp_unlock(int fd);

/*
 * Make sure a bpffs is mounted at /sys/fs/bpf (mounting one when missing). *mounted is set when
 * this call mounted it. path receives the mount point.
 */
int hp_bpffs_ensure(char *path, size_t len, bool *mounted);

/*
 * Cookie of the caller's network namespace (SO_NETNS_COOKIE); when the kernel lacks it, the
 * namespace's inode number and *is_inode = true.
 */
int hp_netns_id(__u64 *id, bool *is_inode);

/* XDP features of an interface as the kernel reports them over netlink (NETDEV_XDP_ACT_*). */
struct hp_xdp_features {
	__u64 flags;		/* raw NETDEV_XDP_ACT_* bits */
	bool known;		/* false: the kernel did not report features */
	bool basic;		/* XDP_PASS/DROP/TX/ABORTED */
	bool redirect;		/* XDP_REDIRECT */
	bool ndo_xmit;		/* can be the target of a redirect */
	bool xsk_zerocopy;	/* AF_XDP zero-copy */
	bool hw_offload;
	bool rx_sg;		/* multi-buffer rx */
	bool ndo_xmit_sg;	/* multi-buffer redirect target */
	__u32 zc_max_segs;	/* zero-copy max segments (multi-buffer AF_XDP) */
	__u32 attached_prog_id;	/* XDP program attached now (any mode), 0 if none */
	__u8 attach_mode;	/* XDP_ATTACHED_* */
};
int hp_xdp_features(int ifindex, struct hp_xdp_features *f);

#ifdef __cplusplus
}
#endif
#endif
