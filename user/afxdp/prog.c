// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Getting frames into a socket: insert it into the steering program's `xsks` map when steering
 * is attached to the interface (loader/), otherwise attach our small fallback program
 * (bpf/xsk_redirect.bpf.c) with a bpf_link owned by this process, shared by all the sockets of
 * this process on that interface and detached with the last one (or when the process dies).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>
#include "afxdp/afxdp_priv.h"
#include "util/log.h"
#include "xsk_redirect.skel.h"
#ifdef HP_HAVE_STEER
#include <hybridpath/loader.h>
#endif

struct redir {
	int ifindex;
	int refcnt;
	bool skb;
	struct xsk_redirect *skel;
	int link_fd;		/* bpf_link of the XDP attachment: closing it detaches */
	struct redir *next;
};

static struct redir *redirs;

static int redir_get(int ifindex, bool skb, struct redir **out)
{
	struct redir *r;
	int err;

	for (r = redirs; r; r = r->next) {
		if (r->ifindex == ifindex) {
			r->refcnt++;
			*out = r;
			return 0;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->skel = xsk_redirect__open_and_load();
	if (!r->skel) {
		err = -errno;
		hp_warn("afxdp: loading the fallback XDP program: %s%s\n", strerror(errno),
			errno == EPERM ? " (needs CAP_BPF and CAP_NET_ADMIN)" : "");
		goto out;
	}
	{
		LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = skb ? XDP_FLAGS_SKB_MODE :
								    XDP_FLAGS_DRV_MODE);

		r->link_fd = bpf_link_create(bpf_program__fd(r->skel->progs.hp_xsk_redirect),
					     ifindex, BPF_XDP, &lo);
		if (r->link_fd < 0) {
			err = -errno;
			hp_warn("afxdp: attaching the fallback XDP program (%s mode) to "
				"ifindex %d: %s%s\n", skb ? "skb" : "native", ifindex,
				strerror(errno), errno == EBUSY || errno == EEXIST ? " (another XDP program is "
				"attached: attach steering with `xdpctl attach` and it is used "
				"instead, or detach that program)" : "");
			goto out;
		}
	}
	r->ifindex = ifindex;
	r->refcnt = 1;
	r->skb = skb;
	r->next = redirs;
	redirs = r;
	*out = r;
	hp_info("afxdp: steering is not attached to ifindex %d: using the fallback program\n",
		ifindex);
	return 0;
out:
	xsk_redirect__destroy(r->skel);
	free(r);
	return err;
}

static void redir_put(struct redir *r)
{
	struct redir **pp;

	if (--r->refcnt)
		return;
	for (pp = &redirs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	close(r->link_fd);
	xsk_redirect__destroy(r->skel);
	free(r);
}

int afxdp_deliver(struct hp_xsk *xsk, bool skb_mode, struct afxdp_delivery *d)
{
	__u32 q = hp_xsk_queue(xsk);
	struct redir *r = NULL;
	int err;

	int steer_err = -ENOENT;

	memset(d, 0, sizeof(*d));
#ifdef HP_HAVE_STEER
	{
		struct hp_steer_maps maps;

		steer_err = hp_steer_maps_open(hp_xsk_ifindex(xsk), &maps);
		if (!steer_err) {
			err = hp_xsk_map_insert(xsk, maps.xsks, q);
			hp_steer_maps_close(&maps);
			if (!err)
				d->steered = true;
			return err;
		}
	}
#endif
	err = redir_get(hp_xsk_ifindex(xsk), skb_mode, &r);
	if ((err == -EBUSY || err == -EEXIST) && steer_err != -ENOENT)
		hp_warn("afxdp: if that program is hybridpath steering: its maps could not be "
			"opened (%s)\n", strerror(-steer_err));
	if (err)
		return err;
	err = hp_xsk_map_insert(xsk, bpf_map__fd(r->skel->maps.xsks), q);
	if (err) {
		redir_put(r);
		return err;
	}
	d->redir = r;
	return 0;
}

void afxdp_undeliver(struct afxdp_delivery *d)
{
	/* The kernel removes a socket from every XSKMAP when it is released. */
	if (d->redir)
		redir_put(d->redir);
	d->redir = NULL;
}
