// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * virtio-net poll-mode driver over the modern virtio 1.x PCI transport with split virtqueues.
 * Section numbers refer to "Virtual I/O Device (VIRTIO) Version 1.2" (OASIS, 2022).
 *
 * Layout: rx queue q is virtqueue 2q, tx queue q is 2q+1, the control queue (promiscuous mode,
 * queue pairs) follows the last pair (§5.1.2). Every frame is one descriptor: the 12-byte
 * struct virtio_net_hdr_v1 sits in the buffer's driver area right in front of the data
 * (§5.1.6: with VIRTIO_F_VERSION_1 the header is always 12 bytes; §5.1.6.6 ANY_LAYOUT is implied
 * by VERSION_1, so header and data may share a descriptor). No offloads are negotiated, so the
 * header is all zeroes on tx and ignored on rx.
 *
 * Distrust (§2.7.8, the used ring is written by the device): a used id out of range or not
 * currently posted is counted and skipped; a used length shorter than the header or longer than
 * the buffer is counted and the buffer re-posted; a used index that runs more than a ring ahead
 * of us stops processing (counted) rather than reading stale entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include "util/log.h"
#include "nic/nic.h"

#define VNET_HDR_LEN	12	/* sizeof(struct virtio_net_hdr_v1) */
#define VQ_MAX		(2 * HP_NIC_MAX_QUEUES + 1)

struct vq {
	unsigned int index;		/* virtqueue number */
	uint16_t size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	volatile struct vring_used *used;
	volatile uint16_t *notify;	/* doorbell (§4.1.4.4) */
	uint16_t avail_idx;		/* our copy of avail->idx */
	uint16_t last_used;		/* next used entry to read */
	uint16_t nfree;
	uint16_t *free;			/* stack of free descriptor ids */
	struct hp_buf **bufs;		/* buffer behind each descriptor id, NULL when free */
	struct hp_dma dma;
	uint8_t *cmd;			/* control queue: command buffer in dma */
};

struct virtio_dev {
	struct hp_nic nic;
	volatile uint8_t *common, *isr, *devcfg, *notify_base;
	uint32_t notify_mult;
	uint64_t features;
	unsigned int nvq;
	struct vq vq[VQ_MAX];
	struct vq *ctrl;
	uint16_t notify_dummy;		/* fake devices ring this */
};

static struct virtio_dev *to_vdev(struct hp_nic *nic)
{
	return container_of(nic, struct virtio_dev, nic);
}

#define CC(field) offsetof(struct virtio_pci_common_cfg, field)

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* §2.7.13: put descriptor id in the available ring (made visible by vq_publish). */
static void vq_push(struct vq *q, uint16_t id)
{
	q->avail->ring[q->avail_idx & (q->size - 1)] = id;
	q->avail_idx++;
}

/* §2.7.13.3-4: publish avail->idx after the ring entries, then notify unless the device said
 * it does not need it (VRING_USED_F_NO_NOTIFY). */
static void vq_publish(struct vq *q)
{
	hp_wmb();	/* ring entries and descriptors before the index (§2.7.13.3) */
	*(volatile uint16_t *)&q->avail->idx = q->avail_idx;
	hp_mb();	/* index store before reading used->flags (§2.7.13.4.1: full barrier) */
	if (!(q->used->flags & VRING_USED_F_NO_NOTIFY))
		*q->notify = q->index;	/* §4.1.4.4: write the queue index to its doorbell */
}

/* Next used element, or -1 when none. Bad used indices are counted in *bad. */
static int vq_next_used(struct vq *q, uint32_t *id, uint32_t *len, uint64_t *bad)
{
	uint16_t used_idx = q->used->idx;
	volatile struct vring_used_elem *e;

	if (used_idx == q->last_used)
		return -1;
	if ((uint16_t)(used_idx - q->last_used) > q->size) {
		/* The device claims more completions than the ring holds: its index is garbage. */
		(*bad)++;
		return -1;
	}
	hp_rmb();	/* §2.7.14: read the element only after seeing the index move */
	e = &q->used->ring[q->last_used & (q->size - 1)];
	*id = e->id;
	*len = e->len;
	q->last_used++;
	return 0;
}

static void rx_post(struct virtio_dev *d, struct vq *q)
{
	unsigned int n = 0;

	while (q->nfree) {
		struct hp_buf *b;
		uint16_t id;

		if (!hp_mempool_alloc(d->nic.mp, &b, 1)) {
			d->nic.drv.rx_no_buf++;
			break;
		}
		id = q->free[--q->nfree];
		/* §5.1.6.3: device-writable buffer for header + frame. */
		q->desc[id].addr = hp_buf_iova(b) - VNET_HDR_LEN;
		q->desc[id].len = b->cap + VNET_HDR_LEN;
		q->desc[id].flags = VRING_DESC_F_WRITE;
		q->desc[id].next = 0;
		q->bufs[id] = b;
		vq_push(q, id);
		n++;
	}
	if (n)
		vq_publish(q);
}

static unsigned int virtio_rx_burst(struct hp_nic *nic, unsigned int qi, struct hp_buf **bufs,
				    unsigned int n)
{
	struct virtio_dev *d = to_vdev(nic);
	struct vq *q;
	unsigned int got = 0, seen = 0;
	uint32_t id, len;

	if (qi >= nic->num_rxq)
		return 0;
	q = &d->vq[2 * qi];
	while (got < n && !vq_next_used(q, &id, &len, &nic->drv.rx_bad_index)) {
		struct hp_buf *b;

		seen++;
		if (id >= q->size || !q->bufs[id]) {
			nic->drv.rx_bad_index++;
			continue;
		}
		b = q->bufs[id];
		q->bufs[id] = NULL;
		q->free[q->nfree++] = id;
		if (len < VNET_HDR_LEN || len - VNET_HDR_LEN > b->cap) {
			nic->drv.rx_bad_len++;
			hp_mempool_free(nic->mp, &b, 1);
			continue;
		}
		b->len = len - VNET_HDR_LEN;
		nic->drv.rx_bytes += b->len;
		bufs[got++] = b;
	}
	nic->drv.rx_packets += got;
	if (seen)
		rx_post(d, q);
	return got;
}

static unsigned int vq_tx_reclaim(struct virtio_dev *d, struct vq *q)
{
	struct hp_nic *nic = &d->nic;
	unsigned int done = 0;
	uint32_t id, len;

	while (!vq_next_used(q, &id, &len, &nic->drv.tx_bad_index)) {
		if (id >= q->size || !q->bufs[id]) {
			nic->drv.tx_bad_index++;
			continue;
		}
		hp_mempool_free(nic->mp, &q->bufs[id], 1);
		q->bufs[id] = NULL;
		q->free[q->nfree++] = id;
		done++;
	}
	nic->drv.tx_completed += done;
	return done;
}

static unsigned int virtio_tx_reclaim(struct hp_nic *nic, unsigned int qi)
{
	if (qi >= nic->num_txq)
		return 0;
	return vq_tx_reclaim(to_vdev(nic), &to_vdev(nic)->vq[2 * qi + 1]);
}

static unsigned int virtio_tx_burst(struct hp_nic *nic, unsigned int qi, struct hp_buf **bufs,
				    unsigned int n)
{
	struct virtio_dev *d = to_vdev(nic);
	unsigned int sent = 0;
	struct vq *q;

	if (qi >= nic->num_txq)
		return 0;
	q = &d->vq[2 * qi + 1];
	vq_tx_reclaim(d, q);
	while (sent < n && q->nfree) {
		struct hp_buf *b = bufs[sent], *c;
		uint16_t id;

		if (b->next || b->len == 0) {
			nic->drv.tx_too_big++;
			break;
		}
		/* Our own buffer with room for the header in front of data goes as is; anything
		 * else is copied into one of ours. */
		if (!hp_mempool_owns(nic->mp, b) ||
		    (char *)b->data - (char *)b < 64 + VNET_HDR_LEN) {
			if (!hp_mempool_alloc(nic->mp, &c, 1))
				break;
			if (b->len > c->cap) {
				hp_mempool_free(nic->mp, &c, 1);
				nic->drv.tx_too_big++;
				break;
			}
			memcpy(c->data, b->data, b->len);
			c->len = b->len;
			nic->drv.tx_copied++;
			hp_buf_free(b);
			b = c;
		}
		memset((char *)b->data - VNET_HDR_LEN, 0, VNET_HDR_LEN);
		id = q->free[--q->nfree];
		q->desc[id].addr = hp_buf_iova(b) - VNET_HDR_LEN;
		q->desc[id].len = b->len + VNET_HDR_LEN;
		q->desc[id].flags = 0;
		q->desc[id].next = 0;
		q->bufs[id] = b;
		nic->drv.tx_bytes += b->len;
		vq_push(q, id);
		sent++;
	}
	if (sent)
		vq_publish(q);
	nic->drv.tx_packets += sent;
	return sent;
}

static int virtio_link_up(struct hp_nic *nic)
{
	struct virtio_dev *d = to_vdev(nic);

	if (!d->devcfg || !(d->features & (1ULL << VIRTIO_NET_F_STATUS)))
		return 1;	/* §5.1.4: without F_STATUS the link is assumed up */
	return !!(hp_rd16(d->devcfg, offsetof(struct virtio_net_config, status)) &
		  VIRTIO_NET_S_LINK_UP);
}

/* §5.1.6.5: a control command is [class, cmd] + data (device-readable) + ack (writable). */
static int ctrl_cmd(struct virtio_dev *d, uint8_t class, uint8_t cmd, const void *data,
		    uint16_t len)
{
	struct vq *q = d->ctrl;
	uint64_t iova, bad = 0;
	uint32_t id, ulen;
	int i;

	if (!q)
		return -ENOTSUP;
	if (q->nfree < 3 || len > 64)
		return -EBUSY;
	iova = hp_dma_iova(&q->dma, q->cmd);
	q->cmd[0] = class;
	q->cmd[1] = cmd;
	memcpy(q->cmd + 2, data, len);
	q->cmd[127] = 0xff;	/* ack: VIRTIO_NET_OK (0) or ERR (1) once the device answers */
	q->desc[0] = (struct vring_desc){ iova, 2, VRING_DESC_F_NEXT, 1 };
	q->desc[1] = (struct vring_desc){ iova + 2, len, VRING_DESC_F_NEXT, 2 };
	q->desc[2] = (struct vring_desc){ iova + 127, 1, VRING_DESC_F_WRITE, 0 };
	vq_push(q, 0);
	vq_publish(q);
	for (i = 0; i < 1000; i++) {
		if (!vq_next_used(q, &id, &ulen, &bad))
			break;
		msleep(1);
	}
	if (i == 1000)
		return -ETIMEDOUT;
	return ((volatile uint8_t *)q->cmd)[127] == VIRTIO_NET_OK ? 0 : -EIO;
}

static int virtio_set_promisc(struct hp_nic *nic, bool on)
{
	struct virtio_dev *d = to_vdev(nic);
	uint8_t v = on;
	int err;

	if (!(d->features & (1ULL << VIRTIO_NET_F_CTRL_RX)))
		return -ENOTSUP;
	err = ctrl_cmd(d, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &v, 1);
	if (!err)
		nic->promisc = on;
	return err;
}

static void virtio_read_stats(struct hp_nic *nic, struct hp_nic_dev_stats *st)
{
	/* virtio-net 1.2 has no basic device counters (VIRTIO_NET_F_DEVICE_STATS is 1.3). */
	nic->dev.valid = false;
	if (st)
		*st = nic->dev;
}

static bool virtio_rx_pending(struct hp_nic *nic, unsigned int qi)
{
	struct vq *q = &to_vdev(nic)->vq[2 * qi];

	return q->used->idx != q->last_used;
}

static int virtio_rx_irq(struct hp_nic *nic, unsigned int qi, bool on)
{
	struct virtio_dev *d = to_vdev(nic);
	struct vq *q = &d->vq[2 * qi];

	if (nic->irq_fd[qi] < 0)
		return -ENOTSUP;
	/* §2.7.10: VRING_AVAIL_F_NO_INTERRUPT off = ask for used-buffer notifications. */
	*(volatile uint16_t *)&q->avail->flags = on ? 0 : VRING_AVAIL_F_NO_INTERRUPT;
	hp_mb();	/* flag visible before the caller re-checks the used ring */
	return 0;
}

static void virtio_close(struct hp_nic *nic)
{
	struct virtio_dev *d = to_vdev(nic);
	unsigned int i, k;

	if (d->common) {
		/* §2.4: writing 0 to device_status resets the device; it stops using the rings. */
		hp_wr8(d->common, CC(device_status), 0);
		for (i = 0; i < 100 && hp_rd8(d->common, CC(device_status)); i++)
			msleep(1);
	}
	for (i = 0; i < VQ_MAX; i++) {
		struct vq *q = &d->vq[i];

		if (q->bufs)
			for (k = 0; k < q->size; k++)
				if (q->bufs[k])
					hp_mempool_free(nic->mp, &q->bufs[k], 1);
		free(q->bufs);
		free(q->free);
		if (q->dma.va)
			hp_dma_free(&q->dma);
	}
	free(d);
}

static const struct hp_nic_ops virtio_ops = {
	.name = "virtio-net",
	.rx_burst = virtio_rx_burst,
	.tx_burst = virtio_tx_burst,
	.tx_reclaim = virtio_tx_reclaim,
	.link_up = virtio_link_up,
	.set_promisc = virtio_set_promisc,
	.read_stats = virtio_read_stats,
	.rx_pending = virtio_rx_pending,
	.rx_irq = virtio_rx_irq,
	.close = virtio_close,
};

/* §2.7.5-6: descriptor table (16-byte aligned), available ring (2), used ring (4). One DMA
 * region, all within one hugepage. */
static int vq_alloc(struct virtio_dev *d, struct vq *q, unsigned int index, uint16_t size)
{
	size_t desc_sz = 16UL * size, avail_sz = 6 + 2UL * size, used_off, used_sz;
	unsigned int i;
	int err;

	q->index = index;
	q->size = size;
	used_off = (desc_sz + avail_sz + 63) & ~63UL;
	used_sz = 6 + 8UL * size;
	err = hp_dma_alloc(&q->dma, d->nic.vfio, used_off + used_sz + 256);
	if (err)
		return err;
	memset(q->dma.va, 0, q->dma.len);
	q->desc = q->dma.va;
	q->avail = (void *)((char *)q->dma.va + desc_sz);
	q->used = (void *)((char *)q->dma.va + used_off);
	q->cmd = (uint8_t *)q->dma.va + ((used_off + used_sz + 63) & ~63UL);
	q->free = calloc(size, sizeof(*q->free));
	q->bufs = calloc(size, sizeof(*q->bufs));
	if (!q->free || !q->bufs)
		return -ENOMEM;
	for (i = 0; i < size; i++)
		q->free[i] = size - 1 - i;
	q->nfree = size;
	/* Poll mode: no used-buffer notifications until rx_irq() asks for them (§2.7.10). */
	q->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	q->notify = &d->notify_dummy;
	return 0;
}

static struct virtio_dev *vdev_new(struct hp_mempool *mp)
{
	struct virtio_dev *d = calloc(1, sizeof(*d));
	unsigned int i;

	if (!d)
		return NULL;
	d->nic.ops = &virtio_ops;
	d->nic.mp = mp;
	for (i = 0; i < HP_NIC_MAX_QUEUES; i++)
		d->nic.irq_fd[i] = -1;
	return d;
}

struct hp_nic *hp_virtio_fake(struct hp_mempool *mp, unsigned int qsize)
{
	struct virtio_dev *d = vdev_new(mp);

	if (!d)
		return NULL;
	d->nic.num_rxq = d->nic.num_txq = 1;
	d->nic.rx_size = d->nic.tx_size = qsize;
	if (vq_alloc(d, &d->vq[0], 0, qsize) || vq_alloc(d, &d->vq[1], 1, qsize)) {
		virtio_close(&d->nic);
		errno = ENOMEM;
		return NULL;
	}
	d->nvq = 2;
	rx_post(d, &d->vq[0]);
	return &d->nic;
}

int hp_virtio_fake_vq(struct hp_nic *nic, unsigned int vq, struct hp_virtq_view *view)
{
	struct virtio_dev *d = to_vdev(nic);

	if (nic->ops != &virtio_ops || vq >= d->nvq)
		return -EINVAL;
	view->desc = d->vq[vq].desc;
	view->avail = d->vq[vq].avail;
	view->used = (struct vring_used *)d->vq[vq].used;
	view->size = d->vq[vq].size;
	return 0;
}

/* §4.1.4: find the vendor capabilities that locate each configuration structure. */
static int find_caps(struct virtio_dev *d, struct hp_vfio *v)
{
	uint8_t pos = 0, cap[20];
	uint16_t status;
	int guard = 48;

	if (hp_vfio_cfg_read(v, PCI_STATUS, &status, 2) || !(status & PCI_STATUS_CAP_LIST))
		return -ENODEV;
	if (hp_vfio_cfg_read(v, PCI_CAPABILITY_LIST, &pos, 1))
		return -EIO;
	while (pos && guard--) {
		uint32_t off, len;
		uint8_t *bar;
		size_t barlen;

		pos &= ~3;
		if (hp_vfio_cfg_read(v, pos, cap, sizeof(cap)))
			return -EIO;
		if (cap[0] != PCI_CAP_ID_VNDR || cap[4] > 5)
			goto next;
		memcpy(&off, cap + 8, 4);
		memcpy(&len, cap + 12, 4);
		bar = hp_vfio_bar(v, cap[4], &barlen);
		if (!bar || (uint64_t)off + len > barlen)
			goto next;
		/* §4.1.4.1: use the first capability of each type. */
		switch (cap[3]) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (!d->common)
				d->common = bar + off;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (!d->notify_base) {
				d->notify_base = bar + off;
				memcpy(&d->notify_mult, cap + 16, 4);
			}
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (!d->isr)
				d->isr = bar + off;
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (!d->devcfg)
				d->devcfg = bar + off;
			break;
		}
next:
		pos = cap[1];
	}
	return d->common && d->notify_base && d->devcfg ? 0 : -ENODEV;
}

static int setup_vq(struct virtio_dev *d, struct vq *q, unsigned int index, unsigned int want,
		    int msix)
{
	volatile uint8_t *c = d->common;
	uint16_t max, size, noff;
	uint64_t a;
	int err;

	/* §4.1.4.3.2 / §4.1.5.1.3: select, size, addresses, vector, enable. */
	hp_wr16(c, CC(queue_select), index);
	max = hp_rd16(c, CC(queue_size));
	if (!max)
		return -ENOENT;
	size = want < max ? want : max;
	if (size & (size - 1))	/* split rings may be any size; ours index with a mask */
		return -EINVAL;
	err = vq_alloc(d, q, index, size);
	if (err)
		return err;
	hp_wr16(c, CC(queue_size), size);
	a = hp_dma_iova(&q->dma, q->desc);
	hp_wr32(c, CC(queue_desc_lo), a);
	hp_wr32(c, CC(queue_desc_hi), a >> 32);
	a = hp_dma_iova(&q->dma, q->avail);
	hp_wr32(c, CC(queue_avail_lo), a);
	hp_wr32(c, CC(queue_avail_hi), a >> 32);
	a = hp_dma_iova(&q->dma, (void *)q->used);
	hp_wr32(c, CC(queue_used_lo), a);
	hp_wr32(c, CC(queue_used_hi), a >> 32);
	hp_wr16(c, CC(queue_msix_vector), msix < 0 ? VIRTIO_MSI_NO_VECTOR : msix);
	if (msix >= 0 && hp_rd16(c, CC(queue_msix_vector)) != msix)
		return -ENOSPC;	/* §4.1.5.1.2: device could not allocate the vector */
	noff = hp_rd16(c, CC(queue_notify_off));
	q->notify = (volatile uint16_t *)(d->notify_base + (uint32_t)noff * d->notify_mult);
	hp_wr16(c, CC(queue_enable), 1);
	return 0;
}

struct hp_nic *hp_virtio_net_probe(struct hp_vfio *v, struct hp_mempool *mp,
				   const struct hp_nic_opts *o)
{
	unsigned int npairs = HP_OPTS_GET(o, num_rxq, 0) ?: 1, i, maxpairs = 1;
	unsigned int rxs = HP_OPTS_GET(o, rx_size, 0) ?: 256, txs = HP_OPTS_GET(o, tx_size, 0) ?: 256;
	uint64_t want, have;
	uint8_t st;
	struct virtio_dev *d;
	bool irq = HP_OPTS_GET(o, flags, 0) & HP_NIC_F_IRQ;
	int fds[HP_NIC_MAX_QUEUES + 1], err = 0;

	if (HP_OPTS_GET(o, num_txq, 0) > npairs)
		npairs = HP_OPTS_GET(o, num_txq, 0);
	if (npairs > HP_NIC_MAX_QUEUES) {
		hp_warn("virtio-net %s: at most %u queue pairs\n", hp_vfio_bdf(v),
			HP_NIC_MAX_QUEUES);
		errno = EINVAL;
		return NULL;
	}
	d = vdev_new(mp);
	if (!d)
		return NULL;
	d->nic.vfio = v;
	err = find_caps(d, v);
	if (err) {
		hp_warn("virtio-net %s: no modern (virtio 1.x) PCI capabilities; legacy-only "
			"devices are not supported (QEMU: disable-modern=off)\n", hp_vfio_bdf(v));
		goto out;
	}
	/* §3.1.1 driver initialization: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
	hp_wr8(d->common, CC(device_status), 0);
	for (i = 0; i < 1000 && hp_rd8(d->common, CC(device_status)); i++)
		msleep(1);
	hp_wr8(d->common, CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	hp_wr8(d->common, CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	hp_wr32(d->common, CC(device_feature_select), 0);
	have = hp_rd32(d->common, CC(device_feature));
	hp_wr32(d->common, CC(device_feature_select), 1);
	have |= (uint64_t)hp_rd32(d->common, CC(device_feature)) << 32;
	if (!(have & (1ULL << VIRTIO_F_VERSION_1))) {
		hp_warn("virtio-net %s: device does not offer VIRTIO_F_VERSION_1\n", hp_vfio_bdf(v));
		err = -ENOTSUP;
		goto out;
	}
	/* ACCESS_PLATFORM must be accepted when offered (§6.1): our IOVAs work either way. */
	want = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_ACCESS_PLATFORM) |
	       (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS) |
	       (1ULL << VIRTIO_NET_F_CTRL_VQ) | (1ULL << VIRTIO_NET_F_CTRL_RX);
	if (npairs > 1)
		want |= 1ULL << VIRTIO_NET_F_MQ;
	d->features = have & want;
	if (!(d->features & (1ULL << VIRTIO_NET_F_CTRL_VQ)))
		d->features &= ~((1ULL << VIRTIO_NET_F_CTRL_RX) | (1ULL << VIRTIO_NET_F_MQ));
	if (d->features & (1ULL << VIRTIO_NET_F_MQ))
		maxpairs = hp_rd16(d->devcfg, offsetof(struct virtio_net_config,
						      max_virtqueue_pairs));
	if (npairs > maxpairs) {
		hp_warn("virtio-net %s: %u queue pairs asked, the device has %u (QEMU: mq=on,"
			"vectors=...)\n", hp_vfio_bdf(v), npairs, maxpairs);
		err = -EINVAL;
		goto out;
	}
	hp_wr32(d->common, CC(guest_feature_select), 0);
	hp_wr32(d->common, CC(guest_feature), (uint32_t)d->features);
	hp_wr32(d->common, CC(guest_feature_select), 1);
	hp_wr32(d->common, CC(guest_feature), d->features >> 32);
	hp_wr8(d->common, CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE |
		VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(hp_rd8(d->common, CC(device_status)) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		hp_warn("virtio-net %s: device rejected features %#llx\n", hp_vfio_bdf(v),
			(unsigned long long)d->features);
		err = -ENOTSUP;
		goto out;
	}
	/* §5.1.4: MAC from device config; re-read while config_generation changes. */
	if (d->features & (1ULL << VIRTIO_NET_F_MAC)) {
		uint8_t gen;

		do {
			gen = hp_rd8(d->common, CC(config_generation));
			for (i = 0; i < 6; i++)
				d->nic.mac[i] = hp_rd8(d->devcfg, i);
		} while (gen != hp_rd8(d->common, CC(config_generation)));
	}
	if (irq) {
		if (hp_vfio_msix_enable(v, fds, npairs)) {
			hp_warn("virtio-net %s: no MSI-X; idle waits will poll\n", hp_vfio_bdf(v));
			irq = false;
		}
		hp_wr16(d->common, CC(msix_config), VIRTIO_MSI_NO_VECTOR);
	}
	d->nic.num_rxq = d->nic.num_txq = npairs;
	for (i = 0; i < npairs; i++) {
		err = setup_vq(d, &d->vq[2 * i], 2 * i, rxs, irq ? (int)i : -1);
		if (!err)
			err = setup_vq(d, &d->vq[2 * i + 1], 2 * i + 1, txs, -1);
		if (err) {
			hp_warn("virtio-net %s: setting up queue pair %u: %s\n", hp_vfio_bdf(v), i,
				strerror(-err));
			goto out;
		}
		if (irq)
			d->nic.irq_fd[i] = fds[i];
	}
	d->nic.rx_size = d->vq[0].size;
	d->nic.tx_size = d->vq[1].size;
	d->nvq = 2 * npairs;
	if (d->features & (1ULL << VIRTIO_NET_F_CTRL_VQ)) {
		unsigned int ci = 2 * maxpairs;

		err = setup_vq(d, &d->vq[d->nvq], ci, 16, -1);
		if (err) {
			hp_warn("virtio-net %s: control queue %u: %s\n", hp_vfio_bdf(v), ci,
				strerror(-err));
			goto out;
		}
		d->ctrl = &d->vq[d->nvq];
	}
	for (i = 0; i < npairs; i++)
		rx_post(d, &d->vq[2 * i]);
	st = hp_rd8(d->common, CC(device_status));
	hp_wr8(d->common, CC(device_status), st | VIRTIO_CONFIG_S_DRIVER_OK);
	if (hp_rd8(d->common, CC(device_status)) & VIRTIO_CONFIG_S_NEEDS_RESET) {
		hp_warn("virtio-net %s: device needs reset after DRIVER_OK\n", hp_vfio_bdf(v));
		err = -EIO;
		goto out;
	}
	/* §5.1.6.5.5: with MQ only the first pair is active until the driver sets the count. */
	if (npairs > 1) {
		uint16_t n = npairs;

		err = ctrl_cmd(d, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2);
		if (err) {
			hp_warn("virtio-net %s: setting %u queue pairs: %s\n", hp_vfio_bdf(v),
				npairs, strerror(-err));
			goto out;
		}
	}
out:
	if (err) {
		virtio_close(&d->nic);
		errno = -err;
		return NULL;
	}
	return &d->nic;
}
