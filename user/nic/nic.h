/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Internal interface of the VFIO poll-mode NIC drivers (user/nic/). Not a public header: the
 * public face is the port API ("vfio:BDF", port_vfio.c). The reader's path, ixy-style:
 *
 *	hp_nic_open(bdf)           nic.c: VFIO open (vfio.c), read the PCI id, pick a driver
 *	  -> drv->probe(vfio, ...)  drv_virtio.c / drv_igb.c: reset, rings, start
 *	hp_nic_rx_burst(nic, q, ...) -> nic->ops->rx_burst   (inline, below)
 *	hp_nic_tx_burst(nic, q, ...) -> nic->ops->tx_burst
 *
 * Every driver embeds `struct hp_nic` in its own device struct and gets back to it with
 * container_of(). Buffers are struct hp_buf (hybridpath/port.h) embedded at the start of
 * fixed-size DMA buffers from a struct hp_mempool (mempool.c), so rx/tx allocate nothing.
 */
#ifndef HP_NIC_H
#define HP_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <hybridpath/port.h>

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

/* ---- register and shared-memory access ----------------------------------------------------
 * BARs are mapped uncached (UC) by vfio-pci. On x86, UC loads and stores are not reordered with
 * each other or with ordinary (WB) stores, so a descriptor written to DMA memory before a
 * doorbell store reaches memory before the device sees the doorbell: only the compiler must be
 * kept from reordering, which `volatile` plus hp_barrier() do. DMA rings live in WB memory that
 * the device writes concurrently: reads of device-written fields go through READ_ONCE-style
 * volatile loads, and hp_rmb()/hp_wmb()/hp_mb() order them where the specs say so. */
#define hp_barrier() __asm__ __volatile__("" ::: "memory")
#define hp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)	/* x86: compiler barrier */
#define hp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)	/* x86: compiler barrier */
#define hp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)	/* x86: mfence */

static inline uint32_t hp_rd32(const volatile void *base, uint32_t off)
{
	return *(const volatile uint32_t *)((const volatile char *)base + off);
}

static inline void hp_wr32(volatile void *base, uint32_t off, uint32_t v)
{
	hp_barrier();	/* earlier DMA-memory writes are emitted before the doorbell */
	*(volatile uint32_t *)((volatile char *)base + off) = v;
}

static inline uint16_t hp_rd16(const volatile void *base, uint32_t off)
{
	return *(const volatile uint16_t *)((const volatile char *)base + off);
}

static inline void hp_wr16(volatile void *base, uint32_t off, uint16_t v)
{
	hp_barrier();
	*(volatile uint16_t *)((volatile char *)base + off) = v;
}

static inline uint8_t hp_rd8(const volatile void *base, uint32_t off)
{
	return *(const volatile uint8_t *)((const volatile char *)base + off);
}

static inline void hp_wr8(volatile void *base, uint32_t off, uint8_t v)
{
	hp_barrier();
	*(volatile uint8_t *)((volatile char *)base + off) = v;
}

/* ---- VFIO (vfio.c) ------------------------------------------------------------------------ */
struct hp_vfio;

enum hp_vfio_flags {
	HP_VFIO_F_NOIOMMU = 1U << 0,	/* VFIO no-IOMMU mode: unsafe, physical addresses */
};

/* Open BDF ("0000:00:04.0") through VFIO, reset it, enable memory decoding and bus mastering.
 * NULL + errno; the reason (and its fix) is printed. */
struct hp_vfio *hp_vfio_open(const char *bdf, unsigned int flags);
void hp_vfio_close(struct hp_vfio *v);
const char *hp_vfio_bdf(const struct hp_vfio *v);
/* Normalise "0000:00:04.0" or "00:04.0" into out ("0000:00:04.0"); -EINVAL if malformed. */
int hp_vfio_norm_bdf(const char *in, char *out, size_t len);
bool hp_vfio_noiommu(const struct hp_vfio *v);
/* PCI configuration space through the VFIO config region. */
int hp_vfio_cfg_read(struct hp_vfio *v, uint32_t off, void *buf, size_t len);
int hp_vfio_cfg_write(struct hp_vfio *v, uint32_t off, const void *buf, size_t len);
/* Map BAR n (cached in v; unmapped at close). NULL + errno. */
void *hp_vfio_bar(struct hp_vfio *v, unsigned int bar, size_t *len);
int hp_vfio_reset(struct hp_vfio *v);
/* Map [va, va+len) at iova for device DMA (type1), or nothing in no-IOMMU mode. */
int hp_vfio_dma_map(struct hp_vfio *v, void *va, uint64_t iova, size_t len);
int hp_vfio_dma_unmap(struct hp_vfio *v, uint64_t iova, size_t len);
/* MSI-X: route vectors [0, n) to eventfds (created here, returned in fds). */
int hp_vfio_msix_enable(struct hp_vfio *v, int *fds, unsigned int n);

/* ---- DMA memory (dma.c) ------------------------------------------------------------------
 * Hugepage-backed, pinned, mapped for the device. IOVA = the page's physical address whenever
 * /proc/self/pagemap gives it (like DPDK's iova-mode=pa): correct both for devices behind the
 * IOMMU and for QEMU virtio devices without VIRTIO_F_ACCESS_PLATFORM, which bypass the vIOMMU
 * and DMA to guest-physical addresses. Each 2 MiB page is mapped on its own, so an object that
 * needs contiguous IOVA must not cross a 2 MiB boundary (rings and buffers never do). */
#define HP_HUGEPAGE_SIZE (2UL << 20)

struct hp_dma {
	void *va;
	size_t len;			/* multiple of HP_HUGEPAGE_SIZE (or of 4K for fake memory) */
	struct hp_vfio *vfio;		/* NULL for plain memory (unit tests): iova = va */
	unsigned int npages;
	uint64_t *iova;			/* per hugepage */
};

/* Allocate len bytes (rounded up to hugepages) for the device behind v (v NULL: plain memory
 * with iova = va, for unit tests). */
int hp_dma_alloc(struct hp_dma *d, struct hp_vfio *v, size_t len);
void hp_dma_free(struct hp_dma *d);

static inline uint64_t hp_dma_iova(const struct hp_dma *d, const void *p)
{
	size_t off = (const char *)p - (const char *)d->va;

	if (!d->iova)
		return (uint64_t)(uintptr_t)p;
	return d->iova[off / HP_HUGEPAGE_SIZE] + off % HP_HUGEPAGE_SIZE;
}

/* ---- mempool (mempool.c) ------------------------------------------------------------------
 * Buffer layout (buf_size bytes, power of two, never crossing a hugepage):
 *	[struct hp_buf, 64 B][driver area, 64 B][headroom][data ... cap bytes]
 * The driver area lets virtio put its 12-byte header right in front of data. */
#define HP_MP_META 128u

struct hp_mempool {
	struct hp_dma dma;
	uint32_t buf_size, num, headroom;
	uint32_t nfree;
	struct hp_buf **free;		/* stack of free buffers */
	struct hp_pool *owner;		/* written into each buf->pool (the port layer's pool) */
	uint64_t alloc_failed;
};

int hp_mempool_init(struct hp_mempool *mp, struct hp_vfio *v, uint32_t num, uint32_t buf_size,
		    uint32_t headroom);
void hp_mempool_fini(struct hp_mempool *mp);
void hp_mempool_set_owner(struct hp_mempool *mp, struct hp_pool *owner);

static inline void hp_mempool_reset_buf(const struct hp_mempool *mp, struct hp_buf *b)
{
	uint32_t hr = mp->headroom;

	b->data = (char *)b + HP_MP_META + hr;
	b->len = 0;
	b->cap = mp->buf_size - HP_MP_META - hr;
	b->headroom = hr;
	b->next = NULL;
	b->flags = 0;
	b->addr = b->priv + HP_MP_META + hr;	/* priv holds the buffer's base IOVA */
}

/* Pop up to n buffers (reset to empty); returns how many. */
static inline unsigned int hp_mempool_alloc(struct hp_mempool *mp, struct hp_buf **bufs,
					     unsigned int n)
{
	unsigned int i;

	if (n > mp->nfree) {
		mp->alloc_failed++;
		n = mp->nfree;
	}
	for (i = 0; i < n; i++) {
		bufs[i] = mp->free[--mp->nfree];
		hp_mempool_reset_buf(mp, bufs[i]);
	}
	return n;
}

static inline void hp_mempool_free(struct hp_mempool *mp, struct hp_buf **bufs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && mp->nfree < mp->num; i++)
		mp->free[mp->nfree++] = bufs[i];
}

/* Does b belong to mp (so its IOVA is known)? */
static inline bool hp_mempool_owns(const struct hp_mempool *mp, const struct hp_buf *b)
{
	const char *p = (const char *)b, *base = mp->dma.va;

	return p >= base && p < base + (size_t)mp->num * mp->buf_size &&
	       (size_t)(p - base) % mp->buf_size == 0;
}

/* IOVA of b->data (data may have moved into the headroom or beyond). */
static inline uint64_t hp_buf_iova(const struct hp_buf *b)
{
	return b->priv + (uint64_t)((const char *)b->data - (const char *)b);
}

/* ---- the device ----------------------------------------------------------------------------*/
#define HP_NIC_MAX_QUEUES 8

/* Driver counters: what we saw, incl. what the distrust checks dropped. */
struct hp_nic_drv_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, tx_completed;
	uint64_t rx_bad_len;		/* device wrote a length beyond the buffer (or < header) */
	uint64_t rx_bad_index;		/* device returned an index out of range / not posted */
	uint64_t rx_bad_desc;		/* other malformed rx descriptors (e.g. not EOP) */
	uint64_t tx_bad_index;		/* device completed a tx index out of range / not posted */
	uint64_t rx_no_buf;		/* refill found the mempool empty */
	uint64_t tx_copied;		/* foreign buffers copied into our pool */
	uint64_t tx_too_big;		/* frames larger than a buffer: refused */
};

/* Device counters (read from the hardware, accumulated: the registers clear on read). */
struct hp_nic_dev_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_missed, rx_errors;
	bool valid;			/* false: the device has no counters (virtio) */
};

struct hp_nic;

struct hp_nic_ops {
	const char *name;		/* "virtio-net", "igb" */
	unsigned int (*rx_burst)(struct hp_nic *nic, unsigned int q, struct hp_buf **bufs,
				 unsigned int n);
	unsigned int (*tx_burst)(struct hp_nic *nic, unsigned int q, struct hp_buf **bufs,
				 unsigned int n);
	/* Reclaim finished tx descriptors; returns how many. */
	unsigned int (*tx_reclaim)(struct hp_nic *nic, unsigned int q);
	int (*link_up)(struct hp_nic *nic);	/* 1 up, 0 down, -errno */
	int (*set_promisc)(struct hp_nic *nic, bool on);
	void (*read_stats)(struct hp_nic *nic, struct hp_nic_dev_stats *st);
	/* Does rx queue q have a completed frame waiting? */
	bool (*rx_pending)(struct hp_nic *nic, unsigned int q);
	/* Ask for an interrupt when rx queue q has frames (on) or stop asking (off). */
	int (*rx_irq)(struct hp_nic *nic, unsigned int q, bool on);
	void (*close)(struct hp_nic *nic);
};

struct hp_nic {
	const struct hp_nic_ops *ops;
	struct hp_vfio *vfio;		/* NULL when the device is fake (unit tests) */
	struct hp_mempool *mp;
	uint8_t mac[6];
	bool promisc;
	unsigned int num_rxq, num_txq;
	unsigned int rx_size, tx_size;
	int irq_fd[HP_NIC_MAX_QUEUES];	/* eventfd per rx queue, -1 when none */
	struct hp_nic_drv_stats drv;
	struct hp_nic_dev_stats dev;
};

struct hp_nic_opts {
	size_t sz;
	uint32_t num_rxq, num_txq;	/* default 1 */
	uint32_t rx_size, tx_size;	/* descriptors per ring (power of two, default 512) */
	uint32_t num_bufs;		/* mempool buffers (default 4096) */
	uint32_t buf_size;		/* bytes per buffer, power of two (default 2048) */
	uint32_t headroom;		/* bytes in front of rx data (default 0) */
	uint32_t flags;			/* HP_VFIO_F_* | HP_NIC_F_* */
	size_t :0;
};

enum hp_nic_flags {
	HP_NIC_F_IRQ = 1U << 8,		/* set up MSI-X eventfds for hp_nic_wait() */
};

/* Open BDF through VFIO, create its mempool, probe the driver for its PCI id and start it.
 * NULL + errno; the cause and its fix are printed. */
struct hp_nic *hp_nic_open(const char *bdf, const struct hp_nic_opts *o);
void hp_nic_close(struct hp_nic *nic);
/* Sleep until rx queue q has frames or timeout_ms passes: >0 ready, 0 timeout, -errno. */
int hp_nic_wait(struct hp_nic *nic, unsigned int q, int timeout_ms);

static inline unsigned int hp_nic_rx_burst(struct hp_nic *nic, unsigned int q,
					   struct hp_buf **bufs, unsigned int n)
{
	return nic->ops->rx_burst(nic, q, bufs, n);
}

static inline unsigned int hp_nic_tx_burst(struct hp_nic *nic, unsigned int q,
					   struct hp_buf **bufs, unsigned int n)
{
	return nic->ops->tx_burst(nic, q, bufs, n);
}

/* The device behind a "vfio:" port (NULL for other backends): tests and xdpctl reach the
 * driver's promiscuous switch and counters through it. */
struct hp_nic *hp_vfio_port_nic(struct hp_port *port);

/* bind.c: move BDF to vfio-pci (refused when one of its interfaces has an IP address or the
 * default route, unless force) or back to its kernel driver; name of the bound driver. */
int hp_nic_bind(const char *bdf, bool force);
int hp_nic_unbind(const char *bdf);
int hp_nic_driver(const char *bdf, char *drv, size_t len);

/* Driver probes: called with an open vfio device of a matching id. */
struct hp_nic *hp_virtio_net_probe(struct hp_vfio *v, struct hp_mempool *mp,
				   const struct hp_nic_opts *o);
struct hp_nic *hp_igb_probe(struct hp_vfio *v, struct hp_mempool *mp,
			    const struct hp_nic_opts *o);
struct hp_nic *hp_e1000e_probe(struct hp_vfio *v, struct hp_mempool *mp,
			       const struct hp_nic_opts *o);	/* drv_igb.c too */

/* Fake-device constructors for unit tests: rings in plain memory (IOVA = address). igb: regs is
 * >= 64 KiB of plain memory; the rings are at RDBAL/RDBAH (0xC000) and TDBAL/TDBAH (0xE000). */
struct hp_nic *hp_igb_fake(void *regs, struct hp_mempool *mp, unsigned int rx_size,
			   unsigned int tx_size);
/* e1000e: the same with the rings at 0x2800 and 0x3800 and legacy rx descriptors. */
struct hp_nic *hp_e1000e_fake(void *regs, struct hp_mempool *mp, unsigned int rx_size,
			      unsigned int tx_size);
struct hp_nic *hp_virtio_fake(struct hp_mempool *mp, unsigned int qsize);
/* The split virtqueue vq (0 rx, 1 tx) of a fake virtio device, for the test to play device. */
struct vring_desc;
struct vring_avail;
struct vring_used;
struct hp_virtq_view {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	unsigned int size;
};
int hp_virtio_fake_vq(struct hp_nic *nic, unsigned int vq, struct hp_virtq_view *view);

#endif
