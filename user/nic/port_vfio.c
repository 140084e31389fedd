// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The "vfio:BDF[,OPTION...]" backend of the port API on top of the poll-mode drivers.
 *	vfio:0000:00:04.0            queue 0 of the device, busy polling
 *	vfio:0000:00:04.0,irq        hp_port_wait() sleeps on the rx queue's MSI-X eventfd
 *	vfio:0000:00:04.0,noiommu    VFIO no-IOMMU mode (unsafe, loudly warned)
 *	vfio:0000:00:04.0,queues=2   open the device with 2 queue pairs (RSS); this port is queue 0
 *	vfio:0000:00:04.0,queue=1    queue 1 of a device this process already opened with queues=2
 * Buffers come from the device's mempool (struct hp_buf at the start of each DMA buffer); the
 * device's struct hp_pool returns them there. Ports on queues of one device share that device
 * (reference counted, closed with its last port) and its buffer pool, so, like AF_XDP ports
 * sharing a UMEM, they are polled by one thread (ixy's model: the mempool takes no locks).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "port/backend.h"
#include "util/log.h"
#include "util/parse.h"
#include "nic/nic.h"

/* One opened device, shared by the ports on its queues. */
struct vfio_dev {
	struct vfio_dev *next;
	struct hp_pool pool;
	struct hp_nic *nic;
	char bdf[16];
	__u32 flags;			/* HP_NIC_F_IRQ | HP_VFIO_F_NOIOMMU as opened */
	unsigned int refs;
	__u64 queues_used;		/* bit q: a port is open on queue q */
	char mode[48];
};

struct vfio_port {
	struct hp_port port;
	struct vfio_dev *dev;
	struct hp_nic *nic;		/* dev->nic, one load less in the burst functions */
	unsigned int q;
};

/* Devices this process has open; open/close are rare, a mutex keeps them simple. */
static struct vfio_dev *devs;
static pthread_mutex_t devs_lock = PTHREAD_MUTEX_INITIALIZER;

static struct vfio_port *to_vp(struct hp_port *p)
{
	return container_of(p, struct vfio_port, port);
}

static void vp_pool_free(struct hp_pool *pool, struct hp_buf **bufs, unsigned int n)
{
	struct vfio_dev *d = container_of(pool, struct vfio_dev, pool);

	hp_mempool_free(d->nic->mp, bufs, n);
}

struct vp_args {
	char bdf[16];
	__u32 flags;
	unsigned int queues;		/* 0: not given */
	unsigned int queue;
};

static int parse_args(const char *args, struct vp_args *a)
{
	char buf[128], *opt, *save = NULL;
	unsigned long v;

	memset(a, 0, sizeof(*a));
	if (snprintf(buf, sizeof(buf), "%s", args) >= (int)sizeof(buf))
		return -EINVAL;
	opt = strchr(buf, ',');
	if (opt)
		*opt++ = 0;
	if (hp_vfio_norm_bdf(buf, a->bdf, sizeof(a->bdf))) {
		hp_warn("port vfio:%s: not a PCI address: use DOMAIN:BUS:DEV.FN, e.g. "
			"vfio:0000:00:04.0 (lspci -D)\n", buf);
		return -EINVAL;
	}
	for (opt = opt ? strtok_r(opt, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save)) {
		if (!strcmp(opt, "irq")) {
			a->flags |= HP_NIC_F_IRQ;
		} else if (!strcmp(opt, "noiommu")) {
			a->flags |= HP_VFIO_F_NOIOMMU;
		} else if (!strncmp(opt, "queues=", 7)) {
			if (hp_parse_ulong(opt + 7, 1, HP_NIC_MAX_QUEUES, &v))
				goto bad_num;
			a->queues = v;
		} else if (!strncmp(opt, "queue=", 6)) {
			if (hp_parse_ulong(opt + 6, 0, HP_NIC_MAX_QUEUES - 1, &v))
				goto bad_num;
			a->queue = v;
		} else {
			hp_warn("port vfio:%s: unknown option '%s' (known: irq, noiommu, queues=N, "
				"queue=Q)\n", a->bdf, opt);
			return -EINVAL;
		}
	}
	return 0;
bad_num:
	hp_warn("port vfio:%s: bad '%s': queues=1..%u, queue=0..%u\n", a->bdf, opt,
		HP_NIC_MAX_QUEUES, HP_NIC_MAX_QUEUES - 1);
	return -EINVAL;
}

/* Open the device for the first port on it. */
static struct vfio_dev *dev_open(const struct vp_args *a, const struct hp_port_opts *o)
{
	struct vfio_dev *d = calloc(1, sizeof(*d));
	unsigned int nq = a->queues ? a->queues : a->queue + 1;
	HP_OPTS(hp_nic_opts, no);

	if (!d)
		return NULL;
	no.flags = a->flags;
	no.num_rxq = no.num_txq = nq;
	no.num_bufs = o->num_bufs;
	/* A full frame plus our 128-byte buffer header must fit one buffer (igb's packet buffer
	 * is sized in KiB): the VFIO backend uses at least 4 KiB buffers. */
	no.buf_size = o->buf_size > 4096 ? o->buf_size : 4096;
	no.headroom = o->headroom;
	no.rx_size = o->rx_size;
	no.tx_size = o->tx_size;
	d->nic = hp_nic_open(a->bdf, &no);
	if (!d->nic) {
		int err = errno;

		free(d);
		errno = err;
		return NULL;
	}
	snprintf(d->bdf, sizeof(d->bdf), "%s", a->bdf);
	d->flags = a->flags;
	d->pool.free = vp_pool_free;
	hp_mempool_set_owner(d->nic->mp, &d->pool);
	snprintf(d->mode, sizeof(d->mode), "vfio %s%s", d->nic->ops->name,
		 hp_vfio_noiommu(d->nic->vfio) ? " noiommu" : "");
	d->next = devs;
	devs = d;
	return d;
}

static void dev_put(struct vfio_dev *d)
{
	struct vfio_dev **pp;

	if (--d->refs)
		return;
	for (pp = &devs; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	hp_nic_close(d->nic);
	free(d);
}

/* A port on a device this process already has open: the queue must exist and be free, and the
 * options must agree with the first open. */
static int dev_check(struct vfio_dev *d, const struct vp_args *a)
{
	if (a->flags != d->flags) {
		hp_warn("port vfio:%s: the device is already open with other options (irq, "
			"noiommu): give every port of a device the same ones\n", a->bdf);
		return -EINVAL;
	}
	if (a->queues && a->queues != d->nic->num_rxq) {
		hp_warn("port vfio:%s: the device is already open with %u queue pair(s), not %u\n",
			a->bdf, d->nic->num_rxq, a->queues);
		return -EINVAL;
	}
	if (a->queue >= d->nic->num_rxq || a->queue >= d->nic->num_txq) {
		hp_warn("port vfio:%s: queue %u does not exist: the device was opened with %u queue "
			"pair(s); open its first port with queues=%u\n", a->bdf, a->queue,
			d->nic->num_rxq, a->queue + 1);
		return -EINVAL;
	}
	if (d->queues_used & (1ull << a->queue)) {
		hp_warn("port vfio:%s: queue %u already has a port in this process\n", a->bdf,
			a->queue);
		return -EBUSY;
	}
	return 0;
}

static struct hp_port *vp_open(const char *args, const struct hp_port_opts *o)
{
	struct vfio_port *vp = NULL;
	struct vfio_dev *d;
	struct vp_args a;
	int err;

	err = parse_args(args, &a);
	if (err)
		goto out_nolock;
	if (o->flags & HP_PORT_F_MULTIBUF) {
		hp_warn("port vfio:%s: multi-buffer frames are not supported by the VFIO drivers\n",
			a.bdf);
		err = -EOPNOTSUPP;
		goto out_nolock;
	}
	vp = calloc(1, sizeof(*vp));
	if (!vp) {
		err = -ENOMEM;
		goto out_nolock;
	}
	pthread_mutex_lock(&devs_lock);
	for (d = devs; d && strcmp(d->bdf, a.bdf); d = d->next)
		;
	if (!d) {
		d = dev_open(&a, o);
		if (!d) {
			err = -errno;
			goto out;
		}
	}
	d->refs++;
	err = dev_check(d, &a);
	if (err) {
		dev_put(d);	/* closes the device if it was opened for this port */
		goto out;
	}
	d->queues_used |= 1ull << a.queue;
	vp->dev = d;
	vp->nic = d->nic;
	vp->q = a.queue;
	vp->port.max_frame = d->nic->mp->buf_size - HP_MP_META - d->nic->mp->headroom;
	if (vp->port.max_frame > 1518)
		vp->port.max_frame = 1518;
	vp->port.bind = HP_PORT_BIND_AUTO;
out:
	pthread_mutex_unlock(&devs_lock);
out_nolock:
	if (err) {
		free(vp);
		errno = -err;
		return NULL;
	}
	return &vp->port;
}

static void vp_close(struct hp_port *p)
{
	struct vfio_port *vp = to_vp(p);

	pthread_mutex_lock(&devs_lock);
	vp->dev->queues_used &= ~(1ull << vp->q);
	dev_put(vp->dev);
	pthread_mutex_unlock(&devs_lock);
	free(vp);
}

static unsigned int vp_rx_burst(struct hp_port *p, struct hp_buf **bufs, unsigned int n)
{
	struct vfio_port *vp = to_vp(p);

	return hp_nic_rx_burst(vp->nic, vp->q, bufs, n);
}

static unsigned int vp_tx_burst(struct hp_port *p, struct hp_buf **bufs, unsigned int n)
{
	struct vfio_port *vp = to_vp(p);

	return hp_nic_tx_burst(vp->nic, vp->q, bufs, n);
}

static unsigned int vp_buf_alloc(struct hp_port *p, struct hp_buf **bufs, unsigned int n)
{
	return hp_mempool_alloc(to_vp(p)->nic->mp, bufs, n);
}

/* The device's counters: with several queues, every port of the device reports the sum. */
static int vp_stats(struct hp_port *p, struct hp_port_stats *s)
{
	struct hp_nic *nic = to_vp(p)->nic;
	struct hp_nic_dev_stats dev;

	nic->ops->read_stats(nic, &dev);
	s->rx_packets = nic->drv.rx_packets;
	s->rx_bytes = nic->drv.rx_bytes;
	s->tx_packets = nic->drv.tx_packets;
	s->tx_bytes = nic->drv.tx_bytes;
	s->tx_completed = nic->drv.tx_completed;
	s->rx_dropped = dev.valid ? dev.rx_missed : 0;
	s->rx_invalid_descs = nic->drv.rx_bad_len + nic->drv.rx_bad_index + nic->drv.rx_bad_desc;
	s->tx_invalid_descs = nic->drv.tx_bad_index;
	s->rx_fill_ring_empty = nic->drv.rx_no_buf;
	s->alloc_failed = nic->mp->alloc_failed;
	return 0;
}

/* No fd: the MSI-X eventfd only fires while hp_port_wait() has the interrupt armed. */
static int vp_fd(struct hp_port *p)
{
	return -1;
}

static int vp_wait(struct hp_port *p, int timeout_ms)
{
	return hp_nic_wait(to_vp(p)->nic, to_vp(p)->q, timeout_ms);
}

static void vp_flush(struct hp_port *p)
{
	struct hp_nic *nic = to_vp(p)->nic;

	nic->ops->tx_reclaim(nic, to_vp(p)->q);
}

static const char *vp_mode(struct hp_port *p)
{
	return to_vp(p)->dev->mode;
}

static int vp_mac(struct hp_port *p, __u8 mac[6])
{
	memcpy(mac, to_vp(p)->nic->mac, 6);
	return 0;
}

const struct hp_port_ops hp_vfio_port_ops = {
	.prefix = "vfio",
	.open = vp_open,
	.close = vp_close,
	.rx_burst = vp_rx_burst,
	.tx_burst = vp_tx_burst,
	.buf_alloc = vp_buf_alloc,
	.stats = vp_stats,
	.fd = vp_fd,
	.wait = vp_wait,
	.flush = vp_flush,
	.mode = vp_mode,
	.mac = vp_mac,
};

struct hp_nic *hp_vfio_port_nic(struct hp_port *port)
{
	if (!port || port->ops != &hp_vfio_port_ops) {
		errno = EINVAL;
		return NULL;
	}
	return to_vp(port)->nic;
}
