// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Intel 82576 (igb) poll-mode driver, as emulated by QEMU 10's `-device igb`. Section numbers
 * refer to the "Intel 82576EB Gigabit Ethernet Controller Datasheet" (rev 2.x).
 *
 * The same code drives the Intel 82574L (e1000e, QEMU's `-device e1000e`; "82574 GbE Controller
 * Datasheet", cited as 82574 §x): its queue registers have the igb layout at another base and
 * stride, its legacy tx descriptor is the one we use on igb, and the bring-up is the same but
 * for the rx descriptor (legacy, 82574 §3.2.4), the buffer size (RCTL.BSIZE instead of SRRCTL)
 * and interrupts (no igb-style MSI-X block here: idle waits poll). One queue pair.
 *
 * rx: advanced one-buffer descriptors (§7.1.5). QEMU writes advanced write-back descriptors
 * whatever SRRCTL asks, so that is the only format we post and parse. tx: legacy descriptors
 * (§7.2.2.1), which QEMU handles. One descriptor per frame both ways: buffers are large enough
 * for a full 1522-byte frame (LPE off), anything else the device writes is counted and dropped.
 *
 * Distrust (the device, or an emulator bug, writes the rx write-back): a length of 0 or beyond
 * the buffer, or a missing EOP, is counted and the frame dropped; the buffer goes back to the
 * ring. We never follow an address the device wrote: every slot's buffer comes from our shadow
 * array, and the write-back overwrites the address fields anyway.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/log.h"
#include "nic/nic.h"

/* Registers (§8). */
#define IGB_CTRL	0x0000
#define  IGB_CTRL_SLU		(1u << 6)
#define  IGB_CTRL_RST		(1u << 26)
#define IGB_STATUS	0x0008
#define  IGB_STATUS_LU		(1u << 1)
#define IGB_CTRL_EXT	0x0018
#define  IGB_CTRL_EXT_DRV_LOAD	(1u << 28)
#define IGB_MDIC	0x0020
#define  IGB_MDIC_OP_WRITE	(1u << 26)
#define  IGB_MDIC_READY		(1u << 28)
#define  IGB_MDIC_ERROR		(1u << 30)
#define IGB_ICR		0x00C0
#define IGB_IMC		0x00D8
#define IGB_RCTL	0x0100
#define  IGB_RCTL_EN		(1u << 1)
#define  IGB_RCTL_UPE		(1u << 3)
#define  IGB_RCTL_MPE		(1u << 4)
#define  IGB_RCTL_BAM		(1u << 15)
#define  IGB_RCTL_SECRC		(1u << 26)
#define IGB_TCTL	0x0400
#define  IGB_TCTL_EN		(1u << 1)
#define  IGB_TCTL_PSP		(1u << 3)
#define  IGB_TCTL_CT		(0x0fu << 4)
#define  IGB_TCTL_COLD		(0x3fu << 12)
#define IGB_GPIE	0x1514
#define  IGB_GPIE_NSICR		(1u << 0)
#define  IGB_GPIE_MSIX		(1u << 4)
#define  IGB_GPIE_EIAME		(1u << 30)
#define  IGB_GPIE_PBA		(1u << 31)
#define IGB_EIMS	0x1524
#define IGB_EIMC	0x1528
#define IGB_EIAC	0x152C
#define IGB_EIAM	0x1530
#define IGB_EICR	0x1580
#define IGB_IVAR0	0x1700
#define IGB_RXCSUM	0x5000
#define IGB_RAL0	0x5400
#define IGB_RAH0	0x5404
#define IGB_MRQC	0x5818
#define IGB_RETA	0x5C00
#define IGB_RSSRK	0x5C80
/* Per-queue registers: igb §8.10/§8.12 at 0xC000/0xE000 + 0x40 * q; 82574 §10.2.5/§10.2.6 at
 * 0x2800/0x3800 + 0x100 * q. Same offsets inside a queue's block. */
#define IGB_RDBAL(q)	RXQ_REG(q, 0x00)
#define IGB_RDBAH(q)	RXQ_REG(q, 0x04)
#define IGB_RDLEN(q)	RXQ_REG(q, 0x08)
#define IGB_SRRCTL(q)	RXQ_REG(q, 0x0C)	/* igb only */
#define  IGB_SRRCTL_DESCTYPE_ADV1	(1u << 25)
#define  IGB_SRRCTL_DROP_EN		(1u << 31)
#define IGB_RDH(q)	RXQ_REG(q, 0x10)
#define IGB_RDT(q)	RXQ_REG(q, 0x18)
#define IGB_RXDCTL(q)	RXQ_REG(q, 0x28)
#define IGB_TDBAL(q)	TXQ_REG(q, 0x00)
#define IGB_TDBAH(q)	TXQ_REG(q, 0x04)
#define IGB_TDLEN(q)	TXQ_REG(q, 0x08)
#define IGB_TDH(q)	TXQ_REG(q, 0x10)
#define IGB_TDT(q)	TXQ_REG(q, 0x18)
#define IGB_TXDCTL(q)	TXQ_REG(q, 0x28)
#define  IGB_XDCTL_ENABLE	(1u << 25)	/* igb only */
#define RXQ_REG(q, off)	(d->var->rx_base + d->var->stride * (q) + (off))
#define TXQ_REG(q, off)	(d->var->tx_base + d->var->stride * (q) + (off))
/* Statistics (§8.19), clear on read. */
#define IGB_CRCERRS	0x4000
#define IGB_MPC		0x4010
#define IGB_GPRC	0x4074
#define IGB_GPTC	0x4080
#define IGB_GORCL	0x4088
#define IGB_GORCH	0x408C
#define IGB_GOTCL	0x4090
#define IGB_GOTCH	0x4094
#define IGB_RNBC	0x40A0

#define IGB_MAX_QUEUES	8	/* QEMU's igb and the 82576 have 16; we use up to 8 */

/* §7.1.5.1: advanced rx descriptor, read format (what we post). */
struct igb_rx_read {
	uint64_t pkt_addr;
	uint64_t hdr_addr;
};

/* §7.1.5.2: advanced rx descriptor, write-back format (what the device writes). */
struct igb_rx_wb {
	uint32_t info;		/* packet type, RSS type */
	uint32_t rss;
	uint32_t status_error;	/* bit 0 DD, bit 1 EOP; errors in 31:20 */
	uint16_t length;
	uint16_t vlan;
};
#define IGB_RXD_DD	(1u << 0)
#define IGB_RXD_EOP	(1u << 1)

/* 82574 §3.2.4: legacy rx descriptor; the device writes length, status and errors in place. */
struct e1000_rx_legacy {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;		/* bit 0 DD, bit 1 EOP: the same bits as the advanced write-back */
	uint8_t errors;
	uint16_t special;
};

/* Posting is the same for both formats: the address, then zeroes over the second 8 bytes,
 * which clears DD of the next write-back. */
union igb_rx_desc {
	struct igb_rx_read read;
	struct igb_rx_wb wb;
	struct e1000_rx_legacy leg;
};

/* §7.2.2.1: legacy tx descriptor. */
struct igb_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;		/* EOP bit 0, IFCS bit 1, RS bit 3 */
	uint8_t sta;		/* DD bit 0 (written back when RS was set) */
	uint8_t css;
	uint16_t special;
};
#define IGB_TXD_CMD_EOP		(1u << 0)
#define IGB_TXD_CMD_IFCS	(1u << 1)
#define IGB_TXD_CMD_RS		(1u << 3)
#define IGB_TXD_STA_DD		(1u << 0)

struct igb_rxq {
	volatile union igb_rx_desc *ring;
	struct hp_buf **bufs;	/* shadow: the buffer we posted in each slot */
	uint32_t size, next;	/* [next, tail) are posted to the device */
	uint32_t tail;
	struct hp_dma dma;
};

struct igb_txq {
	volatile struct igb_tx_desc *ring;
	struct hp_buf **bufs;
	uint32_t size, tail, clean;	/* [clean, tail) are in flight */
	struct hp_dma dma;
};

struct igb_variant {
	const char *name;
	uint32_t rx_base, tx_base, stride;	/* RDBAL(0), TDBAL(0), distance between queues */
	unsigned int max_queues;
	bool legacy_rx;		/* 82574: legacy rx descriptors, RCTL.BSIZE, no SRRCTL */
	bool igb_irq;		/* igb's EIMS/EIMC/GPIE/IVAR MSI-X block and queue ENABLE bits */
};

static const struct igb_variant var_igb = {
	.name = "igb", .rx_base = 0xC000, .tx_base = 0xE000, .stride = 0x40,
	.max_queues = IGB_MAX_QUEUES, .igb_irq = true,
};
static const struct igb_variant var_e1000e = {
	.name = "e1000e", .rx_base = 0x2800, .tx_base = 0x3800, .stride = 0x100,
	.max_queues = 1, .legacy_rx = true,
};

struct igb_dev {
	struct hp_nic nic;
	const struct igb_variant *var;
	volatile uint8_t *regs;
	struct igb_rxq rxq[IGB_MAX_QUEUES];
	struct igb_txq txq[IGB_MAX_QUEUES];
	uint32_t max_len;	/* largest frame the device may write into a buffer */
};

static struct igb_dev *to_igb(struct hp_nic *nic)
{
	return container_of(nic, struct igb_dev, nic);
}

static uint32_t rd(struct igb_dev *d, uint32_t r)
{
	return hp_rd32(d->regs, r);
}

static void wr(struct igb_dev *d, uint32_t r, uint32_t v)
{
	hp_wr32(d->regs, r, v);
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* DD/EOP of a completed rx slot: the same bits at another place in the two formats. */
static inline uint32_t rx_status(struct igb_dev *d, volatile union igb_rx_desc *desc)
{
	return d->var->legacy_rx ? desc->leg.status : desc->wb.status_error;
}

/* Post buffers to the slots rx consumed: [tail, next - 1). One slot stays empty so that
 * RDT == RDH always means "ring empty" (§7.1.3), never "full". */
static void igb_rx_refill(struct igb_dev *d, unsigned int q)
{
	struct igb_rxq *r = &d->rxq[q];
	uint32_t mask = r->size - 1, n = 0;

	while (((r->tail + 1) & mask) != r->next) {
		struct hp_buf *b = r->bufs[r->tail];

		if (!b) {
			if (!hp_mempool_alloc(d->nic.mp, &b, 1)) {
				d->nic.drv.rx_no_buf++;
				break;
			}
			r->bufs[r->tail] = b;
		}
		r->ring[r->tail].read.pkt_addr = b->addr;
		r->ring[r->tail].read.hdr_addr = 0;	/* also clears DD of the write-back */
		r->tail = (r->tail + 1) & mask;
		n++;
	}
	if (n)
		/* §7.1.3.1: tail = one past the last slot handed to hardware. The descriptor stores
		 * above are ordered before this MMIO store (see nic.h). */
		wr(d, IGB_RDT(q), r->tail);
}

static unsigned int igb_rx_burst(struct hp_nic *nic, unsigned int q, struct hp_buf **bufs,
				 unsigned int n)
{
	struct igb_dev *d = to_igb(nic);
	struct igb_rxq *r = &d->rxq[q];
	uint32_t mask = r->size - 1, got = 0, seen = 0;

	if (q >= nic->num_rxq)
		return 0;
	/* Only slots we posted, [next, tail), are looked at: a DD bit elsewhere is not ours. */
	while (got < n && r->next != r->tail) {
		volatile union igb_rx_desc *desc = &r->ring[r->next];
		uint32_t st = rx_status(d, desc), len;
		struct hp_buf *b;

		if (!(st & IGB_RXD_DD))
			break;
		hp_rmb();	/* read length only after DD (§7.1.5.2: DD is written last) */
		len = d->var->legacy_rx ? desc->leg.length : desc->wb.length;
		b = r->bufs[r->next];
		seen++;
		if (!b) {	/* cannot happen unless our own state is corrupt */
			nic->drv.rx_bad_index++;
			r->next = (r->next + 1) & mask;
			continue;
		}
		if (!(st & IGB_RXD_EOP)) {
			nic->drv.rx_bad_desc++;
			goto recycle;
		}
		if (len == 0 || len > b->cap || len > d->max_len) {
			nic->drv.rx_bad_len++;
			goto recycle;
		}
		b->len = len;
		r->bufs[r->next] = NULL;
		bufs[got++] = b;
		nic->drv.rx_bytes += len;
		r->next = (r->next + 1) & mask;
		continue;
recycle:	/* the buffer stays in its slot; refill posts it again with DD cleared */
		r->next = (r->next + 1) & mask;
	}
	nic->drv.rx_packets += got;
	if (seen)
		igb_rx_refill(d, q);
	return got;
}

static unsigned int igb_tx_reclaim(struct hp_nic *nic, unsigned int q)
{
	struct igb_dev *d = to_igb(nic);
	struct igb_txq *t = &d->txq[q];
	uint32_t mask = t->size - 1, done = 0;
	struct hp_buf *fr[64];
	unsigned int nf = 0;

	while (t->clean != t->tail) {
		volatile struct igb_tx_desc *desc = &t->ring[t->clean];

		if (!(desc->sta & IGB_TXD_STA_DD))
			break;
		if (t->bufs[t->clean]) {
			fr[nf++] = t->bufs[t->clean];
			t->bufs[t->clean] = NULL;
		} else {
			nic->drv.tx_bad_index++;
		}
		if (nf == HP_ARRAY_SIZE(fr)) {
			hp_mempool_free(nic->mp, fr, nf);
			nf = 0;
		}
		t->clean = (t->clean + 1) & mask;
		done++;
	}
	hp_mempool_free(nic->mp, fr, nf);
	nic->drv.tx_completed += done;
	return done;
}

/* Make b sendable: a buffer of our own pool goes as is; anything else is copied into one. */
static struct hp_buf *own_buf(struct hp_nic *nic, struct hp_buf *b)
{
	struct hp_buf *c;

	if (hp_mempool_owns(nic->mp, b))
		return b;
	if (!hp_mempool_alloc(nic->mp, &c, 1))
		return NULL;
	if (b->len > c->cap) {
		hp_mempool_free(nic->mp, &c, 1);
		return NULL;
	}
	memcpy(c->data, b->data, b->len);
	c->len = b->len;
	nic->drv.tx_copied++;
	return c;
}

static unsigned int igb_tx_burst(struct hp_nic *nic, unsigned int q, struct hp_buf **bufs,
				 unsigned int n)
{
	struct igb_dev *d = to_igb(nic);
	struct igb_txq *t;
	uint32_t mask, sent = 0;

	if (q >= nic->num_txq)
		return 0;
	t = &d->txq[q];
	mask = t->size - 1;
	igb_tx_reclaim(nic, q);
	while (sent < n && ((t->tail + 1) & mask) != t->clean) {
		struct hp_buf *b = bufs[sent], *o;
		volatile struct igb_tx_desc *desc = &t->ring[t->tail];

		if (b->next || b->len == 0 || b->len > 16288) {	/* one segment per frame */
			nic->drv.tx_too_big++;
			break;
		}
		o = own_buf(nic, b);
		if (!o)
			break;
		if (o != b)
			hp_buf_free(b);	/* the caller handed it over; we sent a copy */
		desc->addr = hp_buf_iova(o);
		desc->length = o->len;
		desc->cso = 0;
		desc->cmd = IGB_TXD_CMD_EOP | IGB_TXD_CMD_IFCS | IGB_TXD_CMD_RS;
		desc->sta = 0;
		desc->css = 0;
		desc->special = 0;
		t->bufs[t->tail] = o;
		nic->drv.tx_bytes += o->len;
		t->tail = (t->tail + 1) & mask;
		sent++;
	}
	if (sent)
		wr(d, IGB_TDT(q), t->tail);	/* §7.2.1.2: doorbell; descriptors are in memory */
	nic->drv.tx_packets += sent;
	return sent;
}

static int igb_link_up(struct hp_nic *nic)
{
	return !!(rd(to_igb(nic), IGB_STATUS) & IGB_STATUS_LU);
}

static int igb_set_promisc(struct hp_nic *nic, bool on)
{
	struct igb_dev *d = to_igb(nic);
	uint32_t rctl = rd(d, IGB_RCTL);

	/* §8.10.1: UPE/MPE accept all unicast/multicast. */
	if (on)
		rctl |= IGB_RCTL_UPE | IGB_RCTL_MPE;
	else
		rctl &= ~(IGB_RCTL_UPE | IGB_RCTL_MPE);
	wr(d, IGB_RCTL, rctl);
	nic->promisc = on;
	return 0;
}

static void igb_read_stats(struct hp_nic *nic, struct hp_nic_dev_stats *st)
{
	struct igb_dev *d = to_igb(nic);
	struct hp_nic_dev_stats *s = &nic->dev;

	/* §8.19: the counters clear on read; accumulate them. Octet counters: read low first. */
	s->rx_packets += rd(d, IGB_GPRC);
	s->tx_packets += rd(d, IGB_GPTC);
	s->rx_bytes += rd(d, IGB_GORCL);
	s->rx_bytes += (uint64_t)rd(d, IGB_GORCH) << 32;
	s->tx_bytes += rd(d, IGB_GOTCL);
	s->tx_bytes += (uint64_t)rd(d, IGB_GOTCH) << 32;
	s->rx_missed += rd(d, IGB_MPC) + rd(d, IGB_RNBC);
	s->rx_errors += rd(d, IGB_CRCERRS);
	s->valid = true;
	if (st)
		*st = *s;
}

static bool igb_rx_pending(struct hp_nic *nic, unsigned int q)
{
	struct igb_dev *d = to_igb(nic);
	struct igb_rxq *r = &d->rxq[q];
	volatile union igb_rx_desc *desc = &r->ring[r->next];

	return r->next != r->tail && (rx_status(d, desc) & IGB_RXD_DD);
}

static int igb_rx_irq(struct hp_nic *nic, unsigned int q, bool on)
{
	struct igb_dev *d = to_igb(nic);

	if (!d->regs || nic->irq_fd[q] < 0)
		return -ENOTSUP;
	/* §7.3.1.3: EIMS/EIMC set/clear the mask bit of MSI-X vector q (IVAR maps queue q to
	 * vector q); EIAC auto-clears EICR, EIAM auto-masks after the interrupt fires. */
	wr(d, on ? IGB_EIMS : IGB_EIMC, 1u << q);
	return 0;
}

static void igb_free_queues(struct igb_dev *d)
{
	unsigned int q;

	for (q = 0; q < IGB_MAX_QUEUES; q++) {
		struct igb_rxq *r = &d->rxq[q];
		struct igb_txq *t = &d->txq[q];
		uint32_t i;

		if (r->bufs)
			for (i = 0; i < r->size; i++)
				if (r->bufs[i])
					hp_mempool_free(d->nic.mp, &r->bufs[i], 1);
		if (t->bufs)
			for (i = 0; i < t->size; i++)
				if (t->bufs[i])
					hp_mempool_free(d->nic.mp, &t->bufs[i], 1);
		free(r->bufs);
		free(t->bufs);
		if (r->dma.va)
			hp_dma_free(&r->dma);
		if (t->dma.va)
			hp_dma_free(&t->dma);
	}
}

static void igb_close(struct hp_nic *nic)
{
	struct igb_dev *d = to_igb(nic);
	unsigned int q;

	if (nic->vfio && d->regs) {
		/* Quiesce before the rings are freed: rx/tx off, queues off, irqs masked. */
		wr(d, IGB_RCTL, 0);
		wr(d, IGB_TCTL, 0);
		for (q = 0; q < nic->num_rxq; q++)
			wr(d, IGB_RXDCTL(q), 0);
		for (q = 0; q < nic->num_txq; q++)
			wr(d, IGB_TXDCTL(q), 0);
		if (d->var->igb_irq)
			wr(d, IGB_EIMC, ~0u);
		wr(d, IGB_IMC, ~0u);
		msleep(1);
	}
	igb_free_queues(d);
	free(d);
}

/* One set of functions for both devices; the variant in igb_dev carries the differences. */
#define IGB_OPS(nm) {							\
	.name = nm,							\
	.rx_burst = igb_rx_burst,					\
	.tx_burst = igb_tx_burst,					\
	.tx_reclaim = igb_tx_reclaim,					\
	.link_up = igb_link_up,						\
	.set_promisc = igb_set_promisc,					\
	.read_stats = igb_read_stats,					\
	.rx_pending = igb_rx_pending,					\
	.rx_irq = igb_rx_irq,						\
	.close = igb_close,						\
}
static const struct hp_nic_ops igb_ops = IGB_OPS("igb"), e1000e_ops = IGB_OPS("e1000e");

static int igb_alloc_queues(struct igb_dev *d, struct hp_vfio *v)
{
	unsigned int q;
	int err;

	for (q = 0; q < d->nic.num_rxq; q++) {
		struct igb_rxq *r = &d->rxq[q];

		r->size = d->nic.rx_size;
		r->bufs = calloc(r->size, sizeof(*r->bufs));
		if (!r->bufs)
			return -ENOMEM;
		err = hp_dma_alloc(&r->dma, v, r->size * sizeof(union igb_rx_desc));
		if (err)
			return err;
		r->ring = r->dma.va;
		memset(r->dma.va, 0, r->dma.len);
	}
	for (q = 0; q < d->nic.num_txq; q++) {
		struct igb_txq *t = &d->txq[q];

		t->size = d->nic.tx_size;
		t->bufs = calloc(t->size, sizeof(*t->bufs));
		if (!t->bufs)
			return -ENOMEM;
		err = hp_dma_alloc(&t->dma, v, t->size * sizeof(struct igb_tx_desc));
		if (err)
			return err;
		t->ring = t->dma.va;
		memset(t->dma.va, 0, t->dma.len);
	}
	return 0;
}

static struct igb_dev *igb_new(const struct igb_variant *var, struct hp_mempool *mp,
			       unsigned int nrx, unsigned int ntx, unsigned int rx_size,
			       unsigned int tx_size)
{
	struct igb_dev *d = calloc(1, sizeof(*d));
	unsigned int q;

	if (!d)
		return NULL;
	d->var = var;
	d->nic.ops = var->legacy_rx ? &e1000e_ops : &igb_ops;
	d->nic.mp = mp;
	d->nic.num_rxq = nrx;
	d->nic.num_txq = ntx;
	d->nic.rx_size = rx_size;
	d->nic.tx_size = tx_size;
	for (q = 0; q < HP_NIC_MAX_QUEUES; q++)
		d->nic.irq_fd[q] = -1;
	/* The device may write at most the SRRCTL packet buffer size (1 KiB units) and never
	 * more than a 1522-byte frame with LPE off; both must fit the buffer. */
	d->max_len = mp->buf_size - HP_MP_META - mp->headroom;
	if (d->max_len > 1522)
		d->max_len = 1522;
	return d;
}

/* Unit tests: a device whose registers are plain memory. */
static struct hp_nic *fake(const struct igb_variant *var, void *regs, struct hp_mempool *mp,
			   unsigned int rx_size, unsigned int tx_size)
{
	struct igb_dev *d = igb_new(var, mp, 1, 1, rx_size, tx_size);

	if (!d)
		return NULL;
	d->regs = regs;
	if (igb_alloc_queues(d, NULL)) {
		igb_close(&d->nic);
		errno = ENOMEM;
		return NULL;
	}
	/* Tell the "device" (the test) where the rings are, as the probe does. */
	wr(d, IGB_RDBAL(0), (uint32_t)(uintptr_t)d->rxq[0].ring);
	wr(d, IGB_RDBAH(0), (uint64_t)(uintptr_t)d->rxq[0].ring >> 32);
	wr(d, IGB_TDBAL(0), (uint32_t)(uintptr_t)d->txq[0].ring);
	wr(d, IGB_TDBAH(0), (uint64_t)(uintptr_t)d->txq[0].ring >> 32);
	igb_rx_refill(d, 0);
	return &d->nic;
}

struct hp_nic *hp_igb_fake(void *regs, struct hp_mempool *mp, unsigned int rx_size,
			   unsigned int tx_size)
{
	return fake(&var_igb, regs, mp, rx_size, tx_size);
}

struct hp_nic *hp_e1000e_fake(void *regs, struct hp_mempool *mp, unsigned int rx_size,
			      unsigned int tx_size)
{
	return fake(&var_e1000e, regs, mp, rx_size, tx_size);
}

/* §8.2.4 MDIC: write a PHY register, wait for READY. */
static int igb_phy_write(struct igb_dev *d, uint32_t reg, uint16_t val)
{
	uint32_t m = 0;
	int i;

	wr(d, IGB_MDIC, val | (reg << 16) | (1u << 21) /* PHY address 1 */ | IGB_MDIC_OP_WRITE);
	for (i = 0; i < 100; i++) {
		m = rd(d, IGB_MDIC);
		if (m & IGB_MDIC_READY)
			break;
		msleep(1);
	}
	return (m & IGB_MDIC_READY) && !(m & IGB_MDIC_ERROR) ? 0 : -EIO;
}

static void igb_setup_rss(struct igb_dev *d)
{
	uint32_t i, nq = d->nic.num_rxq;

	/* §7.1.1.7 / §8.10.x: RSS over IPv4/IPv6 TCP/UDP, redirection table round-robin. */
	for (i = 0; i < 10; i++)
		wr(d, IGB_RSSRK + 4 * i, 0x6d5a6d5a + i * 0x01010101);
	for (i = 0; i < 32; i++) {
		uint32_t b = 4 * i;

		wr(d, IGB_RETA + 4 * i, (b % nq) | ((b + 1) % nq) << 8 | ((b + 2) % nq) << 16 |
					   ((b + 3) % nq) << 24);
	}
	/* §8.10.x RXCSUM.PCSD: the write-back carries the RSS hash instead of the packet
	 * checksum; QEMU's igb (like the 82576) only distributes with it set. */
	wr(d, IGB_RXCSUM, rd(d, IGB_RXCSUM) | (1u << 13));
	wr(d, IGB_MRQC, 0x2 /* RSS */ | 0x00010000 | 0x00020000 | 0x00100000 | 0x00200000 |
			0x00400000);
}

static struct hp_nic *probe(const struct igb_variant *var, struct hp_vfio *v,
			    struct hp_mempool *mp, const struct hp_nic_opts *o)
{
	unsigned int nrx = HP_OPTS_GET(o, num_rxq, 0) ?: 1, ntx = HP_OPTS_GET(o, num_txq, 0) ?: 1;
	unsigned int rxs = HP_OPTS_GET(o, rx_size, 0) ?: 512, txs = HP_OPTS_GET(o, tx_size, 0) ?: 512;
	unsigned int q, i, bsize;
	struct igb_dev *d = NULL;
	uint32_t ral, rah, rctl;
	size_t barlen;
	int err = 0;

	if (nrx > var->max_queues || ntx > var->max_queues || rxs < 8 || txs < 8 ||
	    rxs > 4096 || txs > 4096 || (rxs & (rxs - 1)) || (txs & (txs - 1))) {
		hp_warn("%s %s: up to %u queue pair(s), ring sizes a power of two in 8..4096\n",
			var->name, hp_vfio_bdf(v), var->max_queues);
		errno = EINVAL;
		return NULL;
	}
	bsize = (mp->buf_size - HP_MP_META - mp->headroom) / 1024;
	if (bsize < 2) {
		hp_warn("%s %s: buffers leave %u bytes for data; a 1522-byte frame needs a 2 KiB "
			"packet buffer: use buf_size >= 4096\n", var->name, hp_vfio_bdf(v),
			mp->buf_size - HP_MP_META - mp->headroom);
		errno = EINVAL;
		return NULL;
	}
	d = igb_new(var, mp, nrx, ntx, rxs, txs);
	if (!d)
		return NULL;
	d->nic.vfio = v;
	d->regs = hp_vfio_bar(v, 0, &barlen);
	if (!d->regs || barlen < 0x10000) {
		err = -ENODEV;
		goto out;
	}
	/* §4.5: mask interrupts, global reset, mask again (reset unmasks nothing, but be sure). */
	wr(d, IGB_IMC, ~0u);
	if (var->igb_irq)
		wr(d, IGB_EIMC, ~0u);
	wr(d, IGB_CTRL, rd(d, IGB_CTRL) | IGB_CTRL_RST);
	msleep(2);
	for (i = 0; i < 100 && (rd(d, IGB_CTRL) & IGB_CTRL_RST); i++)
		msleep(1);
	if (rd(d, IGB_CTRL) & IGB_CTRL_RST) {
		hp_warn("%s %s: device did not come out of reset\n", var->name, hp_vfio_bdf(v));
		err = -EIO;
		goto out;
	}
	wr(d, IGB_IMC, ~0u);
	rd(d, IGB_ICR);
	if (var->igb_irq) {
		wr(d, IGB_EIMC, ~0u);
		rd(d, IGB_EICR);
	}
	/* §8.9.x: receive address 0 holds the MAC loaded from the EEPROM. */
	ral = rd(d, IGB_RAL0);
	rah = rd(d, IGB_RAH0);
	for (i = 0; i < 4; i++)
		d->nic.mac[i] = ral >> (8 * i);
	d->nic.mac[4] = rah;
	d->nic.mac[5] = rah >> 8;
	wr(d, IGB_CTRL_EXT, rd(d, IGB_CTRL_EXT) | IGB_CTRL_EXT_DRV_LOAD);
	/* Link: set link up and restart autonegotiation (QEMU leaves the link down after a
	 * function reset until the PHY renegotiates). PHY reg 0 (BMCR) = 0x1340: autoneg enable,
	 * restart autoneg, full duplex, 1000 Mb/s. */
	wr(d, IGB_CTRL, rd(d, IGB_CTRL) | IGB_CTRL_SLU);
	if (igb_phy_write(d, 0, 0x1340))
		hp_warn("%s %s: MDIC write to the PHY failed; link may stay down\n",
			var->name, hp_vfio_bdf(v));
	d->nic.mp = mp;
	err = igb_alloc_queues(d, v);
	if (err)
		goto out;
	/* §4.5.9 receive initialization. */
	wr(d, IGB_RCTL, 0);
	if (nrx > 1)
		igb_setup_rss(d);
	for (q = 0; q < nrx; q++) {
		struct igb_rxq *r = &d->rxq[q];
		uint64_t iova = hp_dma_iova(&r->dma, r->dma.va);

		wr(d, IGB_RDBAL(q), (uint32_t)iova);
		wr(d, IGB_RDBAH(q), iova >> 32);
		wr(d, IGB_RDLEN(q), r->size * sizeof(union igb_rx_desc));
		/* §8.10.2 SRRCTL: packet buffer size in KiB, advanced one-buffer descriptors,
		 * drop when the ring is empty instead of stalling other queues. (82574: the
		 * buffer size is RCTL.BSIZE, legacy descriptors are the reset default.) */
		if (!var->legacy_rx)
			wr(d, IGB_SRRCTL(q), (bsize > 127 ? 127 : bsize) |
					     IGB_SRRCTL_DESCTYPE_ADV1 | IGB_SRRCTL_DROP_EN);
		wr(d, IGB_RDH(q), 0);
		wr(d, IGB_RDT(q), 0);
		if (var->igb_irq) {	/* igb queues start disabled (§8.10.9); 82574's do not */
			wr(d, IGB_RXDCTL(q), IGB_XDCTL_ENABLE | (8u << 0) | (8u << 8) | (1u << 16));
			for (i = 0; i < 100 && !(rd(d, IGB_RXDCTL(q)) & IGB_XDCTL_ENABLE); i++)
				msleep(1);
		}
		igb_rx_refill(d, q);
	}
	/* Strip the CRC so lengths are frame lengths; accept broadcast. 82574 §10.2.5.1: BSIZE
	 * 00 with BSEX 0 is 2048-byte buffers, DTYP 00 legacy descriptors. */
	rctl = IGB_RCTL_EN | IGB_RCTL_BAM | IGB_RCTL_SECRC;
	wr(d, IGB_RCTL, rctl);
	/* §4.5.10 transmit initialization. */
	wr(d, IGB_TCTL, 0);
	for (q = 0; q < ntx; q++) {
		struct igb_txq *t = &d->txq[q];
		uint64_t iova = hp_dma_iova(&t->dma, t->dma.va);

		wr(d, IGB_TDBAL(q), (uint32_t)iova);
		wr(d, IGB_TDBAH(q), iova >> 32);
		wr(d, IGB_TDLEN(q), t->size * sizeof(struct igb_tx_desc));
		wr(d, IGB_TDH(q), 0);
		wr(d, IGB_TDT(q), 0);
		if (var->igb_irq) {
			wr(d, IGB_TXDCTL(q), IGB_XDCTL_ENABLE | (1u << 16));
			for (i = 0; i < 100 && !(rd(d, IGB_TXDCTL(q)) & IGB_XDCTL_ENABLE); i++)
				msleep(1);
		}
	}
	wr(d, IGB_TCTL, IGB_TCTL_EN | IGB_TCTL_PSP | IGB_TCTL_CT | IGB_TCTL_COLD);
	if ((HP_OPTS_GET(o, flags, 0) & HP_NIC_F_IRQ) && !var->igb_irq) {
		hp_warn("%s %s: this driver has no interrupt support for the device; idle waits "
			"will poll\n", var->name, hp_vfio_bdf(v));
	} else if (HP_OPTS_GET(o, flags, 0) & HP_NIC_F_IRQ) {
		int fds[IGB_MAX_QUEUES];

		/* §7.3.2: MSI-X mode, vector q for rx queue q (IVAR0 + 4 * (q % 8), byte 0 for
		 * queues 0-7: valid bit 7), auto-clear and auto-mask on interrupt. */
		if (!hp_vfio_msix_enable(v, fds, nrx)) {
			wr(d, IGB_GPIE, IGB_GPIE_NSICR | IGB_GPIE_MSIX | IGB_GPIE_EIAME |
					IGB_GPIE_PBA);
			for (q = 0; q < nrx; q++) {
				uint32_t ivar = rd(d, IGB_IVAR0 + 4 * q);

				wr(d, IGB_IVAR0 + 4 * q, (ivar & ~0xffu) | q | 0x80);
				d->nic.irq_fd[q] = fds[q];
			}
			wr(d, IGB_EIAC, (1u << nrx) - 1);
			wr(d, IGB_EIAM, (1u << nrx) - 1);
		} else {
			hp_warn("igb %s: no MSI-X; idle waits will poll\n", hp_vfio_bdf(v));
		}
	}
	/* Wait up to 5 s for autonegotiation (QEMU completes it on a timer). */
	for (i = 0; i < 500 && !igb_link_up(&d->nic); i++)
		msleep(10);
	if (!igb_link_up(&d->nic))
		hp_warn("%s %s: link is down (no cable/peer?); frames will not flow until it "
			"comes up\n", var->name, hp_vfio_bdf(v));
	igb_read_stats(&d->nic, NULL);		/* clear the clear-on-read counters */
	memset(&d->nic.dev, 0, sizeof(d->nic.dev));
out:
	if (err) {
		igb_close(&d->nic);
		errno = -err;
		return NULL;
	}
	return &d->nic;
}

struct hp_nic *hp_igb_probe(struct hp_vfio *v, struct hp_mempool *mp,
			    const struct hp_nic_opts *o)
{
	return probe(&var_igb, v, mp, o);
}

struct hp_nic *hp_e1000e_probe(struct hp_vfio *v, struct hp_mempool *mp,
			       const struct hp_nic_opts *o)
{
	return probe(&var_e1000e, v, mp, o);
}
