// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The "afxdp:IFACE:QUEUE" port backend. Buffer pool: one struct hp_buf per UMEM frame and a
 * stack of free ones; rx hands out the frames the kernel filled, tx takes frames back and the
 * completion ring returns them to the stack. No allocation per packet. Ports that share a UMEM
 * (opts.share_with) share its pool, so they must be polled by the same thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <hybridpath/port.h>
#include <hybridpath/xsk.h>
#include "port/backend.h"
#include "afxdp/afxdp_priv.h"
#include "util/log.h"

#define RX_FILL_BATCH	64
#define COMP_BATCH	256
#define MAX_SEGS	17	/* kernel MAX_SKB_FRAGS + 1 for copy-mode multi-buffer tx */

struct afxdp_pool {
	struct hp_pool pool;
	struct hp_umem *umem;
	char *area;
	__u32 frame_size, headroom, num;
	struct hp_buf *bufs;	/* one per frame */
	struct hp_buf **stack;	/* free frames */
	__u32 nfree;
	int refcnt;
	__u64 alloc_failed;
};

struct afxdp_port {
	struct hp_port port;
	struct hp_xsk *xsk;
	struct afxdp_pool *pool;
	struct hp_ring *rx, *tx, *fq, *cq;
	struct afxdp_delivery dlv;
	struct hp_port_stats st;
	struct hp_buf *rx_head, *rx_tail;	/* multi-buffer frame still arriving */
	__u32 outstanding;			/* tx frames not completed yet */
	__u32 in_fill;				/* frames given to the fill ring */
	__u32 fill_target;			/* the most we give it */
	bool wakeup, busy_poll;
	char mode[32];
	__u8 mac[6];
	int mac_err;		/* reading the MAC at open failed */
};

static inline struct afxdp_port *to_ap(struct hp_port *p)
{
	return container_of(p, struct afxdp_port, port);
}

static inline struct afxdp_pool *to_pool(struct hp_pool *p)
{
	return container_of(p, struct afxdp_pool, pool);
}

/* Descriptor address (aligned or unaligned) -> the hp_buf of its frame. */
static inline struct hp_buf *addr_to_buf(struct afxdp_pool *pl, __u64 addr)
{
	return &pl->bufs[hp_xsk_addr_flat(addr) / pl->frame_size];
}

static void pool_free(struct hp_pool *p, struct hp_buf **bufs, unsigned int n)
{
	struct afxdp_pool *pl = to_pool(p);
	unsigned int i;

	for (i = 0; i < n; i++)
		pl->stack[pl->nfree++] = bufs[i];
}

static struct afxdp_pool *pool_create(struct hp_umem *umem)
{
	struct afxdp_pool *pl = calloc(1, sizeof(*pl));
	__u32 i;

	if (!pl)
		return NULL;
	pl->num = hp_umem_num_frames(umem);
	pl->bufs = calloc(pl->num, sizeof(*pl->bufs));
	pl->stack = calloc(pl->num, sizeof(*pl->stack));
	if (!pl->bufs || !pl->stack) {
		free(pl->bufs);
		free(pl->stack);
		free(pl);
		errno = ENOMEM;
		return NULL;
	}
	pl->pool.free = pool_free;
	pl->umem = umem;
	pl->area = hp_umem_area(umem);
	pl->frame_size = hp_umem_frame_size(umem);
	pl->headroom = hp_umem_headroom(umem);
	for (i = 0; i < pl->num; i++) {
		pl->bufs[i].pool = &pl->pool;
		pl->bufs[i].priv = (__u64)i * pl->frame_size;	/* frame base */
		pl->stack[pl->num - 1 - i] = &pl->bufs[i];
	}
	pl->nfree = pl->num;
	pl->refcnt = 1;
	return pl;
}

static void pool_put(struct afxdp_pool *pl)
{
	if (--pl->refcnt)
		return;
	hp_umem_delete(pl->umem);
	free(pl->bufs);
	free(pl->stack);
	free(pl);
}

/*
 * Keep the fill ring stocked from the free stack, up to fill_target frames (the rest of the pool
 * stays available for tx). The fill ring is twice as large as that: the kernel takes all the
 * entries it sees in one go and publishes its consumer index only when it has used them all, so
 * a ring we filled to the brim would look full to us until the kernel ran dry (and dropped frames
 * as rx_fill_ring_empty). With slack, we keep adding while it works through its batch.
 */
static void refill(struct afxdp_port *ap)
{
	struct afxdp_pool *pl = ap->pool;
	__u32 n, i, idx, want = ap->fill_target - ap->in_fill;

	if (want < RX_FILL_BATCH && ap->in_fill)
		return;		/* refill in batches: fewer index updates */
	if (want > pl->nfree)
		want = pl->nfree;
	if (!want)
		return;
	n = hp_ring_prod_reserve(ap->fq, want, &idx);
	for (i = 0; i < n; i++)
		*hp_ring_fill_addr(ap->fq, idx + i) = pl->stack[--pl->nfree]->priv;
	hp_ring_prod_submit(ap->fq, n);
	ap->in_fill += n;
}

static void reclaim(struct afxdp_port *ap)
{
	struct afxdp_pool *pl = ap->pool;
	__u32 n, i, idx;

	if (!ap->outstanding)
		return;
	n = hp_ring_cons_peek(ap->cq, COMP_BATCH, &idx);
	for (i = 0; i < n; i++)
		pl->stack[pl->nfree++] = addr_to_buf(pl, hp_ring_comp_addr(ap->cq, idx + i));
	hp_ring_cons_release(ap->cq, n);
	ap->outstanding -= n;
	ap->st.tx_completed += n;
}

static unsigned int afxdp_rx_burst(struct hp_port *port, struct hp_buf **bufs, unsigned int n)
{
	struct afxdp_port *ap = to_ap(port);
	struct afxdp_pool *pl = ap->pool;
	unsigned int got = 0;
	__u32 k, i, idx;

	if (!ap->rx)
		return 0;
	refill(ap);
	k = hp_ring_cons_peek(ap->rx, n, &idx);
	if (!k) {
		/* Nothing: the kernel may be waiting for a kick (need_wakeup) or for us to
		 * busy-poll the queue. */
		if (ap->busy_poll || (ap->wakeup && hp_ring_needs_wakeup(ap->fq)))
			hp_xsk_kick_rx(ap->xsk);
		return 0;
	}
	for (i = 0; i < k; i++) {
		const struct xdp_desc *d = hp_ring_rx_desc(ap->rx, idx + i);
		struct hp_buf *b = addr_to_buf(pl, d->addr);
		__u64 flat = hp_xsk_addr_flat(d->addr);

		b->data = pl->area + flat;
		b->len = d->len;
		b->addr = flat;
		b->headroom = flat - b->priv;
		b->cap = pl->frame_size - b->headroom;
		b->next = NULL;
		b->flags = 0;
		if (ap->rx_tail) {
			ap->rx_tail->next = b;
			ap->rx_tail->flags |= HP_BUF_F_MORE;
		} else {
			ap->rx_head = b;
		}
		ap->rx_tail = b;
		ap->st.rx_bytes += d->len;
		if (d->options & XDP_PKT_CONTD)
			continue;	/* more segments of this frame follow */
		bufs[got++] = ap->rx_head;
		ap->rx_head = ap->rx_tail = NULL;
		ap->st.rx_packets++;
	}
	hp_ring_cons_release(ap->rx, k);
	ap->in_fill -= k;
	return got;
}

/* A buffer of another pool (another UMEM or backend): copy it into one of ours. */
static struct hp_buf *adopt_foreign(struct afxdp_port *ap, struct hp_buf *src)
{
	struct afxdp_pool *pl = ap->pool;
	struct hp_buf *head = NULL, *tail = NULL, *s, *b;

	for (s = src; s; s = s->next) {
		if (!pl->nfree || s->len > pl->frame_size - pl->headroom) {
			if (head)
				hp_buf_free(head);
			return NULL;
		}
		b = pl->stack[--pl->nfree];
		b->headroom = pl->headroom;
		b->data = pl->area + b->priv + pl->headroom;
		b->cap = pl->frame_size - pl->headroom;
		b->len = s->len;
		b->next = NULL;
		b->flags = s->next ? HP_BUF_F_MORE : 0;
		memcpy(b->data, s->data, s->len);
		if (tail)
			tail->next = b;
		else
			head = b;
		tail = b;
	}
	hp_buf_free(src);
	return head;
}

static unsigned int afxdp_tx_burst(struct hp_port *port, struct hp_buf **bufs, unsigned int n)
{
	struct afxdp_port *ap = to_ap(port);
	struct afxdp_pool *pl = ap->pool;
	unsigned int sent = 0, i;
	__u32 idx, segs, free, used = 0;
	struct hp_buf *b;

	if (!ap->tx)
		return 0;
	reclaim(ap);
	free = hp_ring_prod_free(ap->tx, n);
	for (i = 0; i < n; i++) {
		for (segs = 0, b = bufs[i]; b; b = b->next)
			segs++;
		if (segs > free - used || segs > MAX_SEGS)
			break;
		if (bufs[i]->pool != &pl->pool) {
			b = adopt_foreign(ap, bufs[i]);
			if (!b)
				break;
			bufs[i] = b;
		}
		hp_ring_prod_reserve(ap->tx, segs, &idx);
		for (b = bufs[i]; b; b = b->next, idx++) {
			struct xdp_desc *d = hp_ring_tx_desc(ap->tx, idx);

			/* data is authoritative (the app may have moved it): offset in the UMEM */
			d->addr = (char *)b->data - pl->area;
			d->len = b->len;
			d->options = b->next ? XDP_PKT_CONTD : 0;
			ap->st.tx_bytes += b->len;
		}
		used += segs;
		sent++;
	}
	if (used) {
		hp_ring_prod_submit(ap->tx, used);
		ap->outstanding += used;
		ap->st.tx_packets += sent;
	}
	/* Copy mode transmits from sendto(); zero-copy only when the driver asks for it. */
	if (ap->outstanding && (!ap->wakeup || hp_ring_needs_wakeup(ap->tx)))
		hp_xsk_kick_tx(ap->xsk);
	return sent;
}

static unsigned int afxdp_buf_alloc(struct hp_port *port, struct hp_buf **bufs, unsigned int n)
{
	struct afxdp_port *ap = to_ap(port);
	struct afxdp_pool *pl = ap->pool;
	unsigned int i;

	if (pl->nfree < n && ap->tx)
		reclaim(ap);
	if (n > pl->nfree) {
		pl->alloc_failed += n - pl->nfree;
		n = pl->nfree;
	}
	for (i = 0; i < n; i++) {
		struct hp_buf *b = pl->stack[--pl->nfree];

		b->headroom = pl->headroom;
		b->data = pl->area + b->priv + pl->headroom;
		b->addr = b->priv + pl->headroom;
		b->cap = pl->frame_size - pl->headroom;
		b->len = 0;
		b->next = NULL;
		b->flags = 0;
		bufs[i] = b;
	}
	return n;
}

static int afxdp_stats(struct hp_port *port, struct hp_port_stats *s)
{
	struct afxdp_port *ap = to_ap(port);
	struct xdp_statistics ks;
	int err;

	*s = ap->st;
	s->alloc_failed = ap->pool->alloc_failed;
	err = hp_xsk_stats(ap->xsk, &ks);
	if (err)
		return err;
	/* the kernel's rx_dropped already counts frames lost to an empty fill ring */
	s->rx_dropped = ks.rx_dropped + ks.rx_ring_full;
	s->rx_invalid_descs = ks.rx_invalid_descs;
	s->tx_invalid_descs = ks.tx_invalid_descs;
	s->rx_ring_full = ks.rx_ring_full;
	s->rx_fill_ring_empty = ks.rx_fill_ring_empty_descs;
	s->tx_ring_empty = ks.tx_ring_empty_descs;
	return 0;
}

static int afxdp_fd(struct hp_port *port)
{
	return hp_xsk_fd(to_ap(port)->xsk);
}

static int afxdp_wait(struct hp_port *port, int timeout_ms)
{
	struct afxdp_port *ap = to_ap(port);

	if (ap->rx) {
		refill(ap);
		if (hp_ring_cons_avail(ap->rx))
			return 1;
	}
	if (ap->outstanding)
		hp_xsk_kick_tx(ap->xsk);
	/* poll() also kicks the fill ring when the kernel asked for a wakeup. */
	return hp_xsk_wait(ap->xsk, !ap->rx, timeout_ms);
}

static void afxdp_flush(struct hp_port *port)
{
	struct afxdp_port *ap = to_ap(port);

	if (!ap->tx)
		return;
	if (ap->outstanding)
		hp_xsk_kick_tx(ap->xsk);
	reclaim(ap);
}

static const char *afxdp_mode(struct hp_port *port)
{
	return to_ap(port)->mode;
}

static int afxdp_mac(struct hp_port *port, __u8 mac[6])
{
	struct afxdp_port *ap = to_ap(port);

	memcpy(mac, ap->mac, 6);
	return ap->mac_err;
}

/* Read at open: the caller may have moved to another network namespace since. */
static int read_mac(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

static void afxdp_close(struct hp_port *port)
{
	struct afxdp_port *ap = to_ap(port);

	afxdp_undeliver(&ap->dlv);
	if (ap->rx_head)
		hp_buf_free(ap->rx_head);
	hp_xsk_delete(ap->xsk);
	pool_put(ap->pool);
	free(ap);
}

/* "IFACE:QUEUE" */
static int parse_args(const char *args, char *ifname, __u32 *queue)
{
	const char *c = strrchr(args, ':');
	char *end;
	unsigned long q;

	if (!c || c == args || (size_t)(c - args) >= IF_NAMESIZE || !c[1])
		goto bad;
	q = strtoul(c + 1, &end, 10);
	if (*end || q > 0xffff)
		goto bad;
	memcpy(ifname, args, c - args);
	ifname[c - args] = 0;
	*queue = q;
	return 0;
bad:
	hp_warn("afxdp: bad port 'afxdp:%s': use afxdp:IFACE:QUEUE (e.g. afxdp:eth0:0)\n", args);
	return -EINVAL;
}

extern const struct hp_port_ops hp_afxdp_port_ops;

static struct hp_port *afxdp_open(const char *args, const struct hp_port_opts *o)
{
	HP_OPTS(hp_umem_opts, uo);
	HP_OPTS(hp_xsk_opts, xo);
	struct afxdp_port *ap = NULL, *share = NULL;
	char ifname[IF_NAMESIZE];
	struct hp_umem *umem = NULL;
	__u32 queue;
	int err;

	err = parse_args(args, ifname, &queue);
	if (err)
		goto out;
	if (o->share_with) {
		if (o->share_with->ops != &hp_afxdp_port_ops) {
			hp_warn("afxdp: share_with must be an afxdp port\n");
			err = -EINVAL;
			goto out;
		}
		if (o->serve_path) {
			hp_warn("afxdp: share_with and serve_path cannot be combined (a handed-over "
				"socket comes with its own UMEM)\n");
			err = -EINVAL;
			goto out;
		}
		share = to_ap(o->share_with);
	}
	ap = calloc(1, sizeof(*ap));
	if (!ap) {
		err = -ENOMEM;
		goto out;
	}
	uo.num_frames = o->num_bufs;
	uo.frame_size = o->buf_size;
	uo.headroom = o->headroom;
	uo.flags = (o->flags & HP_PORT_F_UNALIGNED ? HP_UMEM_F_UNALIGNED : 0) |
		   (o->flags & HP_PORT_F_HUGEPAGES ? HP_UMEM_F_HUGEPAGES : 0);
	xo.rx_size = o->rx_size;
	xo.tx_size = o->tx_size;
	/* fill and completion rings: twice the rx ring (see refill()) */
	uo.fill_size = uo.comp_size = xo.fill_size = xo.comp_size = 2 * (o->rx_size ?: 2048);
	xo.bind_mode = (enum hp_xsk_bind_mode)o->bind;
	xo.flags = (o->flags & HP_PORT_F_NO_WAKEUP ? HP_XSK_F_NO_WAKEUP : 0) |
		   (o->flags & HP_PORT_F_BUSY_POLL ? HP_XSK_F_BUSY_POLL : 0) |
		   (o->flags & HP_PORT_F_MULTIBUF ? HP_XSK_F_SG : 0);
	xo.busy_poll_usecs = o->busy_poll_usecs;
	xo.busy_poll_budget = o->busy_poll_budget;

	if (o->serve_path) {
		struct hp_xsk_request req = {
			.version = HP_XSK_REQ_VERSION, .queue = queue,
			.num_frames = uo.num_frames, .frame_size = uo.frame_size,
			.headroom = uo.headroom, .umem_flags = uo.flags,
			.rx_size = xo.rx_size, .tx_size = xo.tx_size,
			.fill_size = uo.fill_size, .comp_size = uo.comp_size,
			.bind_mode = xo.bind_mode, .xsk_flags = xo.flags,
		};

		snprintf(req.ifname, sizeof(req.ifname), "%s", ifname);
		ap->xsk = hp_xsk_serve_request(o->serve_path, &req);
		if (!ap->xsk) {
			err = -errno;
			goto out;
		}
		umem = hp_xsk_umem(ap->xsk);
	} else {
		if (share) {
			umem = share->pool->umem;
		} else {
			umem = hp_umem_create(&uo);
			if (!umem) {
				err = -errno;
				goto out;
			}
		}
		ap->xsk = hp_xsk_create(ifname, queue, umem, &xo);
		if (!ap->xsk) {
			err = -errno;
			goto out;
		}
	}
	if (share) {
		ap->pool = share->pool;
		ap->pool->refcnt++;
	} else {
		ap->pool = pool_create(umem);
		if (!ap->pool) {
			err = -errno;
			goto out;
		}
	}
	umem = NULL;	/* owned by the pool now */
	ap->rx = hp_xsk_rx(ap->xsk);
	ap->tx = hp_xsk_tx(ap->xsk);
	ap->fq = hp_xsk_fill(ap->xsk);
	ap->cq = hp_xsk_comp(ap->xsk);
	ap->wakeup = hp_xsk_need_wakeup(ap->xsk);
	ap->busy_poll = o->flags & HP_PORT_F_BUSY_POLL;
	/* half the pool for rx (a quarter each when two ports share it), the rest for tx, and
	 * at most 3/4 of the fill ring (slack, see refill()) */
	ap->fill_target = hp_umem_num_frames(hp_xsk_umem(ap->xsk)) / (share ? 4 : 2);
	if (ap->fill_target > ap->fq->size / 4 * 3)
		ap->fill_target = ap->fq->size / 4 * 3;
	if (!ap->rx)
		ap->fill_target = 0;
	if (!o->serve_path && !(o->flags & HP_PORT_F_NO_STEER)) {
		err = afxdp_deliver(ap->xsk, o->flags & HP_PORT_F_XDP_SKB, &ap->dlv);
		if (err)
			goto out;
	}
	ap->port.bind = hp_xsk_zerocopy(ap->xsk) ? HP_PORT_BIND_ZEROCOPY : HP_PORT_BIND_COPY;
	ap->port.max_frame = (hp_umem_frame_size(ap->pool->umem) -
			      hp_umem_headroom(ap->pool->umem)) *
			     (o->flags & HP_PORT_F_MULTIBUF ? MAX_SEGS : 1);
	snprintf(ap->mode, sizeof(ap->mode), "afxdp %s%s",
		 hp_xsk_zerocopy(ap->xsk) ? "zerocopy" : "copy", ap->busy_poll ? " busy-poll" : "");
	ap->mac_err = read_mac(ifname, ap->mac);
	refill(ap);
	return &ap->port;
out:
	if (ap) {
		if (ap->pool) {
			hp_xsk_delete(ap->xsk);
			pool_put(ap->pool);
		} else if (ap->xsk) {
			umem = hp_xsk_umem(ap->xsk);
			hp_xsk_delete(ap->xsk);
			if (share)
				umem = NULL;
		}
		free(ap);
	}
	if (umem && !share)
		hp_umem_delete(umem);
	errno = -err;
	return NULL;
}

struct hp_xsk *hp_port_xsk(struct hp_port *port)
{
	return port->ops == &hp_afxdp_port_ops ? to_ap(port)->xsk : NULL;
}

const struct hp_port_ops hp_afxdp_port_ops = {
	.prefix = "afxdp",
	.open = afxdp_open,
	.close = afxdp_close,
	.rx_burst = afxdp_rx_burst,
	.tx_burst = afxdp_tx_burst,
	.buf_alloc = afxdp_buf_alloc,
	.stats = afxdp_stats,
	.fd = afxdp_fd,
	.wait = afxdp_wait,
	.flush = afxdp_flush,
	.mode = afxdp_mode,
	.mac = afxdp_mac,
};
