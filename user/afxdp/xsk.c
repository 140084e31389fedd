// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * AF_XDP sockets and UMEM on the kernel uapi (see hybridpath/xsk.h and the kernel's
 * Documentation/networking/af_xdp.rst). The UMEM area is a memfd mapping so that a privileged
 * helper can hand it, with the socket, to an unprivileged process.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <hybridpath/xsk.h>
#include "afxdp/xsk_priv.h"
#include "util/log.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

#define DEF_FRAMES	4096
#define DEF_FRAME	2048
#define DEF_RING	2048
#define MAX_RING	(1U << 16)

static bool is_pow2(__u32 v)
{
	return v && !(v & (v - 1));
}

static int check_ring(const char *what, __u32 size)
{
	if (!is_pow2(size) || size > MAX_RING) {
		hp_warn("xsk: %s ring size %u must be a power of two between 1 and %u\n",
			what, size, MAX_RING);
		return -EINVAL;
	}
	return 0;
}

/* A fresh AF_XDP socket with the UMEM registered on it (the UMEM's "owner" socket). */
static int umem_register(struct hp_umem *umem)
{
	struct xdp_umem_reg reg = {
		.addr = (__u64)(unsigned long)umem->area,
		.len = umem->size,
		.chunk_size = umem->frame_size,
		.headroom = umem->headroom,
		.flags = umem->unaligned ? XDP_UMEM_UNALIGNED_CHUNK_FLAG : 0,
	};
	int fd, err;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		hp_warn("xsk: socket(AF_XDP): %s%s\n", strerror(errno), errno == EPERM ?
			" (needs CAP_NET_RAW; unprivileged apps get sockets from "
			"`xdpctl xsk serve`)" : errno == EAFNOSUPPORT ?
			" (kernel built without CONFIG_XDP_SOCKETS)" : "");
		return err;
	}
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg))) {
		err = -errno;
		hp_warn("xsk: registering UMEM (%llu bytes, frame %u, headroom %u): %s%s\n",
			(unsigned long long)umem->size, umem->frame_size, umem->headroom,
			strerror(errno), errno == ENOMEM || errno == ENOBUFS ?
			" (raise RLIMIT_MEMLOCK: ulimit -l)" : "");
		close(fd);
		return err;
	}
	umem->fd = fd;
	umem->fd_used = false;
	return 0;
}

struct hp_umem *hp_umem_create(const struct hp_umem_opts *opts)
{
	long page = sysconf(_SC_PAGESIZE);
	struct hp_umem *umem;
	__u32 nf, fs, hr, flags;
	int err = 0, mfd = -1;
	size_t size;

	if (opts && opts->sz < offsetofend(struct hp_umem_opts, sz)) {
		hp_warn("xsk: hp_umem_opts.sz not set: declare with HP_OPTS()\n");
		errno = EINVAL;
		return NULL;
	}
	nf = HP_OPTS_GET(opts, num_frames, 0) ?: DEF_FRAMES;
	fs = HP_OPTS_GET(opts, frame_size, 0) ?: DEF_FRAME;
	hr = HP_OPTS_GET(opts, headroom, 0);
	flags = HP_OPTS_GET(opts, flags, 0);
	if (flags & ~(HP_UMEM_F_UNALIGNED | HP_UMEM_F_HUGEPAGES)) {
		hp_warn("xsk: unknown UMEM flags 0x%x\n", flags);
		errno = EINVAL;
		return NULL;
	}
	/* Same limits the kernel applies in xdp_umem_reg(), checked first for a clear message. */
	if (flags & HP_UMEM_F_UNALIGNED) {
		if (fs < 2048 || fs > 65536) {
			hp_warn("xsk: frame size %u out of range: unaligned mode takes "
				"2048..65536\n", fs);
			errno = EINVAL;
			return NULL;
		}
	} else if (fs < 2048 || fs > page || !is_pow2(fs)) {
		hp_warn("xsk: frame size %u out of range: aligned mode takes a power of two in "
			"2048..%ld (or use unaligned mode)\n", fs, page);
		errno = EINVAL;
		return NULL;
	}
	/* The kernel keeps XDP_PACKET_HEADROOM (256) in front of the user headroom and needs
	 * room for a frame after both. */
	if (hr > fs - 256 - 128) {
		hp_warn("xsk: headroom %u too large for frame size %u (max %u)\n", hr, fs,
			fs - 256 - 128);
		errno = EINVAL;
		return NULL;
	}
	if (nf < 2) {
		hp_warn("xsk: UMEM of %u frames is too small: need at least 2 (one rx, one tx)\n",
			nf);
		errno = EINVAL;
		return NULL;
	}
	if ((err = check_ring("fill", HP_OPTS_GET(opts, fill_size, 0) ?: DEF_RING)) ||
	    (err = check_ring("completion", HP_OPTS_GET(opts, comp_size, 0) ?: DEF_RING))) {
		errno = -err;
		return NULL;
	}
	umem = calloc(1, sizeof(*umem));
	if (!umem)
		return NULL;
	umem->fd = -1;
	umem->num_frames = nf;
	umem->frame_size = fs;
	umem->headroom = hr;
	umem->unaligned = flags & HP_UMEM_F_UNALIGNED;
	umem->fill_size = HP_OPTS_GET(opts, fill_size, 0) ?: DEF_RING;
	umem->comp_size = HP_OPTS_GET(opts, comp_size, 0) ?: DEF_RING;
	size = (size_t)nf * fs;

	if (flags & HP_UMEM_F_HUGEPAGES) {
		size_t hsz = (size + (2UL << 20) - 1) & ~((2UL << 20) - 1);

		mfd = memfd_create("hp-umem", MFD_CLOEXEC | MFD_HUGETLB);
		if (mfd >= 0 && !ftruncate(mfd, hsz)) {
			umem->area = mmap(NULL, hsz, PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_POPULATE, mfd, 0);
			if (umem->area != MAP_FAILED) {
				umem->hugepages = true;
				umem->map_size = hsz;
			}
		}
		if (!umem->hugepages) {
			hp_warn("xsk: no 2 MiB hugepages for the UMEM (%s), using normal pages "
				"(reserve some: sysctl vm.nr_hugepages)\n", strerror(errno));
			if (mfd >= 0)
				close(mfd);
			mfd = -1;
		}
	}
	if (!umem->hugepages) {
		umem->map_size = (size + page - 1) & ~(size_t)(page - 1);
		mfd = memfd_create("hp-umem", MFD_CLOEXEC);
		if (mfd < 0 || ftruncate(mfd, umem->map_size)) {
			err = -errno;
			hp_warn("xsk: memfd for UMEM of %zu bytes: %s\n", size, strerror(errno));
			goto out;
		}
		umem->area = mmap(NULL, umem->map_size, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_POPULATE, mfd, 0);
		if (umem->area == MAP_FAILED) {
			err = -errno;
			umem->area = NULL;
			hp_warn("xsk: mmap of UMEM (%zu bytes): %s\n", size, strerror(errno));
			goto out;
		}
	}
	umem->memfd = mfd;
	umem->size = size;
	err = umem_register(umem);
out:
	if (err) {
		if (umem->area)
			munmap(umem->area, umem->map_size);
		if (mfd >= 0)
			close(mfd);
		free(umem);
		errno = -err;
		return NULL;
	}
	return umem;
}

int hp_umem_delete(struct hp_umem *umem)
{
	if (!umem)
		return 0;
	if (umem->refcnt)
		return -EBUSY;
	if (umem->fd >= 0)
		close(umem->fd);
	munmap(umem->area, umem->map_size);
	if (umem->memfd >= 0)
		close(umem->memfd);
	free(umem);
	return 0;
}

void *hp_umem_area(const struct hp_umem *umem) { return umem->area; }
__u64 hp_umem_size(const struct hp_umem *umem) { return umem->size; }
__u32 hp_umem_frame_size(const struct hp_umem *umem) { return umem->frame_size; }
__u32 hp_umem_num_frames(const struct hp_umem *umem) { return umem->num_frames; }
__u32 hp_umem_headroom(const struct hp_umem *umem) { return umem->headroom; }
bool hp_umem_unaligned(const struct hp_umem *umem) { return umem->unaligned; }
bool hp_umem_hugepages(const struct hp_umem *umem) { return umem->hugepages; }
int hp_umem_memfd(const struct hp_umem *umem) { return umem->memfd; }

/* ---- rings ---- */

static int ring_mmap(int fd, struct hp_ring *r, __u32 size, const struct xdp_ring_offset *off,
		     __u64 pgoff, size_t entsz, void **map, size_t *maplen)
{
	void *p;

	*maplen = off->desc + (size_t)size * entsz;
	p = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (p == MAP_FAILED) {
		*map = NULL;
		return -errno;
	}
	*map = p;
	r->mask = size - 1;
	r->size = size;
	r->producer = (__u32 *)((char *)p + off->producer);
	r->consumer = (__u32 *)((char *)p + off->consumer);
	r->flags = (__u32 *)((char *)p + off->flags);
	r->ring = (char *)p + off->desc;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
	return 0;
}

/* Map the rings configured on xsk->fd; producer rings get cached_cons = consumer + size. */
static int xsk_map_rings(struct hp_xsk *xsk)
{
	struct xdp_mmap_offsets off;
	socklen_t optlen = sizeof(off);
	int err;

	if (getsockopt(xsk->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return -errno;
	if (xsk->rx_size) {
		err = ring_mmap(xsk->fd, &xsk->rx, xsk->rx_size, &off.rx, XDP_PGOFF_RX_RING,
				sizeof(struct xdp_desc), &xsk->map[0], &xsk->maplen[0]);
		if (err)
			return err;
	}
	if (xsk->tx_size) {
		err = ring_mmap(xsk->fd, &xsk->tx, xsk->tx_size, &off.tx, XDP_PGOFF_TX_RING,
				sizeof(struct xdp_desc), &xsk->map[1], &xsk->maplen[1]);
		if (err)
			return err;
		xsk->tx.cached_cons += xsk->tx_size;
	}
	if (xsk->own_fq) {
		err = ring_mmap(xsk->fd, &xsk->fq, xsk->fill_size, &off.fr,
				XDP_UMEM_PGOFF_FILL_RING, sizeof(__u64), &xsk->map[2],
				&xsk->maplen[2]);
		if (err)
			return err;
		xsk->fq.cached_cons += xsk->fill_size;
		err = ring_mmap(xsk->fd, &xsk->cq, xsk->comp_size, &off.cr,
				XDP_UMEM_PGOFF_COMPLETION_RING, sizeof(__u64), &xsk->map[3],
				&xsk->maplen[3]);
		if (err)
			return err;
	}
	return 0;
}

static void xsk_unmap_rings(struct hp_xsk *xsk)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (xsk->map[i])
			munmap(xsk->map[i], xsk->maplen[i]);
		xsk->map[i] = NULL;
	}
}

static int setopt_u32(int fd, int level, int name, __u32 v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) ? -errno : 0;
}

/* Queues of ifname as the driver reports them (ETHTOOL_GCHANNELS), or 0 if it does not say. */
static __u32 queue_count(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = {};
	__u32 rx, tx;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		close(fd);
		return 0;
	}
	close(fd);
	rx = ch.rx_count + ch.combined_count;
	tx = ch.tx_count + ch.combined_count;
	return rx > tx ? rx : tx;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A socket of the same UMEM already on this (ifindex, queue): its fill/comp rings are shared. */
static struct hp_xsk *umem_find(struct hp_umem *umem, int ifindex, __u32 queue)
{
	struct hp_xsk *x;

	for (x = umem->socks; x; x = x->next_in_umem)
		if (x->ifindex == ifindex && x->queue == queue)
			return x;
	return NULL;
}

static int xsk_setup_rings(struct hp_xsk *xsk)
{
	int err;

	if (xsk->rx_size && (err = setopt_u32(xsk->fd, SOL_XDP, XDP_RX_RING, xsk->rx_size)))
		return err;
	if (xsk->tx_size && (err = setopt_u32(xsk->fd, SOL_XDP, XDP_TX_RING, xsk->tx_size)))
		return err;
	if (xsk->own_fq) {
		if ((err = setopt_u32(xsk->fd, SOL_XDP, XDP_UMEM_FILL_RING, xsk->fill_size)))
			return err;
		if ((err = setopt_u32(xsk->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, xsk->comp_size)))
			return err;
	}
	return 0;
}

static int xsk_read_options(struct hp_xsk *xsk)
{
	struct xdp_options xo = {};
	socklen_t len = sizeof(xo);

	if (getsockopt(xsk->fd, SOL_XDP, XDP_OPTIONS, &xo, &len))
		return -errno;
	xsk->zerocopy = xo.flags & XDP_OPTIONS_ZEROCOPY;
	return 0;
}

static void bind_error(const struct hp_xsk *xsk, const char *ifname, int err, __u32 nq)
{
	switch (err) {
	case -EBUSY:
		hp_warn("xsk: %s queue %u is busy: another AF_XDP socket is bound to it (close "
			"that app, or pick another queue)\n", ifname, xsk->queue);
		break;
	case -EOPNOTSUPP:
		hp_warn("xsk: %s: the driver does not offer %s (use bind mode copy or auto)\n",
			ifname, xsk->sg ? "zero-copy or multi-buffer in that mode" : "zero-copy");
		break;
	case -EINVAL:
		if (nq && xsk->queue >= nq)
			hp_warn("xsk: %s has no queue %u (it has %u: 0..%u)\n", ifname, xsk->queue,
				nq, nq - 1);
		else
			hp_warn("xsk: bind to %s queue %u: invalid (queue out of range, or the "
				"UMEM is shared with a socket in another mode)\n", ifname,
				xsk->queue);
		break;
	case -ENETDOWN:
		hp_warn("xsk: %s is down: ip link set %s up\n", ifname, ifname);
		break;
	default:
		hp_warn("xsk: bind to %s queue %u: %s\n", ifname, xsk->queue, strerror(-err));
	}
}

struct hp_xsk *hp_xsk_create(const char *ifname, __u32 queue, struct hp_umem *umem,
			     const struct hp_xsk_opts *opts)
{
	struct sockaddr_xdp sxdp = { .sxdp_family = AF_XDP };
	struct hp_xsk *xsk = NULL, *same;
	__u32 flags, mode, nq;
	long deadline;
	int err = 0;

	if (!ifname || !umem || (opts && opts->sz < offsetofend(struct hp_xsk_opts, sz))) {
		hp_warn("xsk: hp_xsk_create needs an interface, a UMEM and HP_OPTS() options\n");
		errno = EINVAL;
		return NULL;
	}
	flags = HP_OPTS_GET(opts, flags, 0);
	mode = HP_OPTS_GET(opts, bind_mode, HP_XSK_BIND_AUTO);
	if (mode > HP_XSK_BIND_ZEROCOPY || (flags & ~0x1fU) ||
	    (flags & HP_XSK_F_NO_RX && flags & HP_XSK_F_NO_TX)) {
		hp_warn("xsk: bad bind mode %u or flags 0x%x (need rx or tx)\n", mode, flags);
		errno = EINVAL;
		return NULL;
	}
	xsk = calloc(1, sizeof(*xsk));
	if (!xsk)
		return NULL;
	xsk->fd = -1;
	xsk->umem = umem;
	xsk->queue = queue;
	xsk->sg = flags & HP_XSK_F_SG;
	snprintf(xsk->ifname, sizeof(xsk->ifname), "%s", ifname);
	xsk->rx_size = flags & HP_XSK_F_NO_RX ? 0 : HP_OPTS_GET(opts, rx_size, 0) ?: DEF_RING;
	xsk->tx_size = flags & HP_XSK_F_NO_TX ? 0 : HP_OPTS_GET(opts, tx_size, 0) ?: DEF_RING;
	xsk->fill_size = HP_OPTS_GET(opts, fill_size, 0) ?: umem->fill_size;
	xsk->comp_size = HP_OPTS_GET(opts, comp_size, 0) ?: umem->comp_size;
	if ((xsk->rx_size && (err = check_ring("rx", xsk->rx_size))) ||
	    (xsk->tx_size && (err = check_ring("tx", xsk->tx_size))) ||
	    (err = check_ring("fill", xsk->fill_size)) ||
	    (err = check_ring("completion", xsk->comp_size)))
		goto out;

	xsk->ifindex = if_nametoindex(ifname);
	if (!xsk->ifindex) {
		err = -ENODEV;
		hp_warn("xsk: no interface '%s' in this network namespace (ip link show)\n",
			ifname);
		goto out;
	}
	nq = queue_count(ifname);
	if (nq && queue >= nq) {
		err = -EINVAL;
		hp_warn("xsk: %s has no queue %u (it has %u: 0..%u; veth: numrxqueues N)\n",
			ifname, queue, nq, nq - 1);
		goto out;
	}

	same = umem_find(umem, xsk->ifindex, queue);
	if (!umem->fd_used) {
		/* First socket of this UMEM: bind the socket that registered it. */
		xsk->fd = umem->fd;
		xsk->owns_umem_fd = true;
		xsk->own_fq = true;
		xsk->fill_size = umem->fill_size;
		xsk->comp_size = umem->comp_size;
	} else {
		xsk->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (xsk->fd < 0) {
			err = -errno;
			hp_warn("xsk: socket(AF_XDP): %s\n", strerror(errno));
			goto out;
		}
		xsk->own_fq = !same;
		sxdp.sxdp_flags = XDP_SHARED_UMEM;
		sxdp.sxdp_shared_umem_fd = umem->fd;
	}
	err = xsk_setup_rings(xsk);
	if (err) {
		hp_warn("xsk: ring setup on %s queue %u: %s\n", ifname, queue, strerror(-err));
		goto out;
	}
	err = xsk_map_rings(xsk);
	if (err) {
		hp_warn("xsk: mmap of rings: %s\n", strerror(-err));
		goto out;
	}
	if (flags & HP_XSK_F_BUSY_POLL) {
		if ((err = setopt_u32(xsk->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, 1)) ||
		    (err = setopt_u32(xsk->fd, SOL_SOCKET, SO_BUSY_POLL,
				      HP_OPTS_GET(opts, busy_poll_usecs, 0) ?: 20)) ||
		    (err = setopt_u32(xsk->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET,
				      HP_OPTS_GET(opts, busy_poll_budget, 0) ?: 64))) {
			hp_warn("xsk: busy poll options: %s%s\n", strerror(-err), err == -EPERM ?
				" (raising SO_BUSY_POLL needs CAP_NET_ADMIN)" : "");
			goto out;
		}
		xsk->busy_poll = true;
	}
	if (!(sxdp.sxdp_flags & XDP_SHARED_UMEM)) {
		if (mode == HP_XSK_BIND_COPY)
			sxdp.sxdp_flags |= XDP_COPY;
		else if (mode == HP_XSK_BIND_ZEROCOPY)
			sxdp.sxdp_flags |= XDP_ZEROCOPY;
		if (!(flags & HP_XSK_F_NO_WAKEUP))
			sxdp.sxdp_flags |= XDP_USE_NEED_WAKEUP;
		if (flags & HP_XSK_F_SG)
			sxdp.sxdp_flags |= XDP_USE_SG;
	}
	/* With XDP_SHARED_UMEM the kernel takes mode and flags from the UMEM's first socket. */
	sxdp.sxdp_ifindex = xsk->ifindex;
	sxdp.sxdp_queue_id = queue;
	deadline = now_ms() + (HP_OPTS_GET(opts, bind_timeout_ms, 0) ?: 1000);
	for (;;) {
		if (!bind(xsk->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) {
			err = 0;
			break;
		}
		err = -errno;
		/* A socket closed a moment ago is released by a kernel work item: retry. */
		if (err != -EBUSY || now_ms() >= deadline)
			break;
		usleep(10000);
	}
	if (err) {
		bind_error(xsk, ifname, err, nq);
		goto out;
	}
	xsk->need_wakeup = xsk->owns_umem_fd ? !(flags & HP_XSK_F_NO_WAKEUP) :
			   umem->socks->need_wakeup;
	err = xsk_read_options(xsk);
	if (err)
		goto out;
	if (mode == HP_XSK_BIND_ZEROCOPY && !xsk->zerocopy) {
		err = -EOPNOTSUPP;
		hp_warn("xsk: %s queue %u: zero-copy requested but the kernel bound in copy mode\n",
			ifname, queue);
		goto out;
	}
	if (!xsk->own_fq)
		xsk->fq_of = same;
	if (xsk->owns_umem_fd)
		umem->fd_used = true;
	xsk->next_in_umem = umem->socks;
	umem->socks = xsk;
	umem->refcnt++;
	return xsk;
out:
	xsk_unmap_rings(xsk);
	if (xsk->owns_umem_fd) {
		/* The UMEM's socket now has rings on it that cannot be removed: replace it. */
		close(umem->fd);
		umem->fd = -1;
		if (umem_register(umem))
			hp_warn("xsk: could not re-register the UMEM after a failed bind\n");
	} else if (xsk->fd >= 0) {
		close(xsk->fd);
	}
	free(xsk);
	errno = -err;
	return NULL;
}

void hp_xsk_delete(struct hp_xsk *xsk)
{
	struct hp_umem *umem;
	struct hp_xsk **pp;

	if (!xsk)
		return;
	umem = xsk->umem;
	for (pp = &umem->socks; *pp; pp = &(*pp)->next_in_umem) {
		if (*pp == xsk) {
			*pp = xsk->next_in_umem;
			break;
		}
	}
	umem->refcnt--;
	xsk_unmap_rings(xsk);
	/* The UMEM's socket stays open while the UMEM lives (it holds the registration). */
	if (!xsk->owns_umem_fd)
		close(xsk->fd);
	else if (umem->adopted && !umem->refcnt)
		umem->fd = xsk->fd;
	free(xsk);
}

int hp_xsk_fd(const struct hp_xsk *xsk) { return xsk->fd; }
struct hp_ring *hp_xsk_rx(struct hp_xsk *xsk) { return xsk->rx_size ? &xsk->rx : NULL; }
struct hp_ring *hp_xsk_tx(struct hp_xsk *xsk) { return xsk->tx_size ? &xsk->tx : NULL; }
struct hp_ring *hp_xsk_fill(struct hp_xsk *xsk) { return xsk->fq_of ? &xsk->fq_of->fq : &xsk->fq; }
struct hp_ring *hp_xsk_comp(struct hp_xsk *xsk) { return xsk->fq_of ? &xsk->fq_of->cq : &xsk->cq; }
struct hp_umem *hp_xsk_umem(const struct hp_xsk *xsk) { return xsk->umem; }
int hp_xsk_ifindex(const struct hp_xsk *xsk) { return xsk->ifindex; }
__u32 hp_xsk_queue(const struct hp_xsk *xsk) { return xsk->queue; }
bool hp_xsk_zerocopy(const struct hp_xsk *xsk) { return xsk->zerocopy; }
bool hp_xsk_need_wakeup(const struct hp_xsk *xsk) { return xsk->need_wakeup; }

int hp_xsk_kick_tx(struct hp_xsk *xsk)
{
	if (sendto(xsk->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
		return 0;
	/* Ring full, driver busy or in the middle of a reset: the caller just tries later. */
	if (errno == EAGAIN || errno == EBUSY || errno == ENOBUFS || errno == ENETDOWN)
		return 0;
	return -errno;
}

int hp_xsk_kick_rx(struct hp_xsk *xsk)
{
	if (recvfrom(xsk->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) >= 0 || errno == EAGAIN ||
	    errno == EBUSY || errno == ENETDOWN)
		return 0;
	return -errno;
}

int hp_xsk_wait(struct hp_xsk *xsk, bool want_tx, int timeout_ms)
{
	struct pollfd pfd = { .fd = xsk->fd, .events = POLLIN | (want_tx ? POLLOUT : 0) };
	int ret = poll(&pfd, 1, timeout_ms);

	return ret < 0 ? -errno : ret;
}

int hp_xsk_stats(struct hp_xsk *xsk, struct xdp_statistics *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	return getsockopt(xsk->fd, SOL_XDP, XDP_STATISTICS, st, &len) ? -errno : 0;
}

int hp_xsk_map_insert(struct hp_xsk *xsk, int map_fd, __u32 key)
{
	__u32 fd = xsk->fd;

	if (bpf_map_update_elem(map_fd, &key, &fd, 0)) {
		int err = -errno;

		hp_warn("xsk: inserting socket at key %u of the XSKMAP: %s\n", key,
			strerror(errno));
		return err;
	}
	return 0;
}

struct hp_xsk *hp_xsk_adopt(int xsk_fd, int memfd, const char *ifname, __u32 queue,
			    const struct hp_umem_opts *uopts, const struct hp_xsk_opts *xopts)
{
	struct hp_umem *umem;
	struct hp_xsk *xsk;
	off_t msize;
	__u32 flags;
	int err;

	umem = calloc(1, sizeof(*umem));
	xsk = calloc(1, sizeof(*xsk));
	if (!umem || !xsk) {
		err = -ENOMEM;
		goto out;
	}
	umem->num_frames = HP_OPTS_GET(uopts, num_frames, 0) ?: DEF_FRAMES;
	umem->frame_size = HP_OPTS_GET(uopts, frame_size, 0) ?: DEF_FRAME;
	umem->headroom = HP_OPTS_GET(uopts, headroom, 0);
	umem->unaligned = HP_OPTS_GET(uopts, flags, 0) & HP_UMEM_F_UNALIGNED;
	umem->size = (__u64)umem->num_frames * umem->frame_size;
	msize = lseek(memfd, 0, SEEK_END);
	if (msize < 0 || (__u64)msize < umem->size) {
		err = -EINVAL;
		hp_warn("xsk: handed-over UMEM memfd is smaller than the UMEM\n");
		goto out;
	}
	umem->map_size = msize;
	umem->area = mmap(NULL, umem->map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			  memfd, 0);
	if (umem->area == MAP_FAILED) {
		err = -errno;
		umem->area = NULL;
		hp_warn("xsk: mmap of handed-over UMEM: %s\n", strerror(errno));
		goto out;
	}
	umem->memfd = memfd;
	umem->fd = -1;
	umem->fd_used = true;
	umem->adopted = true;
	umem->fill_size = HP_OPTS_GET(uopts, fill_size, 0) ?: DEF_RING;
	umem->comp_size = HP_OPTS_GET(uopts, comp_size, 0) ?: DEF_RING;

	flags = HP_OPTS_GET(xopts, flags, 0);
	xsk->fd = xsk_fd;
	xsk->umem = umem;
	xsk->owns_umem_fd = true;
	xsk->own_fq = true;
	xsk->fill_size = umem->fill_size;
	xsk->comp_size = umem->comp_size;
	xsk->rx_size = flags & HP_XSK_F_NO_RX ? 0 : HP_OPTS_GET(xopts, rx_size, 0) ?: DEF_RING;
	xsk->tx_size = flags & HP_XSK_F_NO_TX ? 0 : HP_OPTS_GET(xopts, tx_size, 0) ?: DEF_RING;
	xsk->need_wakeup = !(flags & HP_XSK_F_NO_WAKEUP);
	xsk->sg = flags & HP_XSK_F_SG;
	/* AF_XDP has no getsockname(): the caller says where the socket is bound. */
	xsk->ifindex = if_nametoindex(ifname);
	xsk->queue = queue;
	snprintf(xsk->ifname, sizeof(xsk->ifname), "%s", ifname);
	err = xsk_map_rings(xsk);
	if (err) {
		hp_warn("xsk: mmap of handed-over rings: %s\n", strerror(-err));
		goto out;
	}
	if (flags & HP_XSK_F_BUSY_POLL) {
		/* Socket options of our own fd: the helper does not set them for us. */
		if ((err = setopt_u32(xsk_fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, 1)) ||
		    (err = setopt_u32(xsk_fd, SOL_SOCKET, SO_BUSY_POLL,
				      HP_OPTS_GET(xopts, busy_poll_usecs, 0) ?: 20)) ||
		    (err = setopt_u32(xsk_fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET,
				      HP_OPTS_GET(xopts, busy_poll_budget, 0) ?: 64))) {
			hp_warn("xsk: busy poll options: %s%s\n", strerror(-err), err == -EPERM ?
				" (raising SO_BUSY_POLL above net.core.busy_read needs "
				"CAP_NET_ADMIN)" : "");
			goto out;
		}
		xsk->busy_poll = true;
	}
	err = xsk_read_options(xsk);
	if (err)
		goto out;
	umem->socks = xsk;
	umem->refcnt = 1;
	return xsk;
out:
	if (xsk)
		xsk_unmap_rings(xsk);
	if (umem && umem->area)
		munmap(umem->area, umem->map_size);
	free(umem);
	free(xsk);
	errno = -err;
	return NULL;
}
