// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The "vfio:BDF[,OPTION...]" backend of the port API on top of the poll-mode drivers.
 *	vfio:0000:00:04.0            queue 0 of the device, busy polling
 *	vfio:0000:00:04.0,irq        hp_port_wait() sleeps on the rx queue's MSI-X eventfd
 *	vfio:0000:00:04.0,noiommu    VFIO no-IOMMU mode (unsafe, loudly warned)
 * Buffers come from the device's mempool (struct hp_buf at the start of each DMA buffer); the
 * port's struct hp_pool returns them there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "port/backend.h"
#include "util/log.h"
#include "nic/nic.h"

struct vfio_port {
	struct hp_port port;
	struct hp_pool pool;
	struct hp_nic *nic;
	char mode[48];
};

static struct vfio_port *to_vp(struct hp_port *p)
{
	return container_of(p, struct vfio_port, port);
}

static void vp_pool_free(struct hp_pool *pool, struct hp_buf **bufs, unsigned int n)
{
	struct vfio_port *vp = container_of(pool, struct vfio_port, pool);

	hp_mempool_free(vp->nic->mp, bufs, n);
}

static struct hp_port *vp_open(const char *args, const struct hp_port_opts *o)
{
	char bdf[64], *opt, *save = NULL;
	struct vfio_port *vp;
	int err = 0;
	HP_OPTS(hp_nic_opts, no);

	if (strlen(args) >= sizeof(bdf)) {
		errno = EINVAL;
		return NULL;
	}
	strcpy(bdf, args);
	opt = strchr(bdf, ',');
	if (opt) {
		*opt++ = 0;
		for (opt = strtok_r(opt, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
			if (!strcmp(opt, "irq")) {
				no.flags |= HP_NIC_F_IRQ;
			} else if (!strcmp(opt, "noiommu")) {
				no.flags |= HP_VFIO_F_NOIOMMU;
			} else {
				hp_warn("port vfio:%s: unknown option '%s' (known: irq, noiommu)\n",
					bdf, opt);
				errno = EINVAL;
				return NULL;
			}
		}
	}
	if (o->flags & HP_PORT_F_MULTIBUF) {
		hp_warn("port vfio:%s: multi-buffer frames are not supported by the VFIO drivers\n",
			bdf);
		errno = EOPNOTSUPP;
		return NULL;
	}
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		return NULL;
	no.num_bufs = o->num_bufs;
	/* A full frame plus our 128-byte buffer header must fit one buffer (igb's packet buffer
	 * is sized in KiB): the VFIO backend uses at least 4 KiB buffers. */
	no.buf_size = o->buf_size > 4096 ? o->buf_size : 4096;
	no.headroom = o->headroom;
	no.rx_size = o->rx_size;
	no.tx_size = o->tx_size;
	vp->nic = hp_nic_open(bdf, &no);
	if (!vp->nic) {
		err = -errno;
		goto out;
	}
	vp->pool.free = vp_pool_free;
	hp_mempool_set_owner(vp->nic->mp, &vp->pool);
	vp->port.max_frame = vp->nic->mp->buf_size - HP_MP_META - vp->nic->mp->headroom;
	if (vp->port.max_frame > 1518)
		vp->port.max_frame = 1518;
	vp->port.bind = HP_PORT_BIND_AUTO;
	snprintf(vp->mode, sizeof(vp->mode), "vfio %s%s", vp->nic->ops->name,
		 hp_vfio_noiommu(vp->nic->vfio) ? " noiommu" : "");
out:
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

	hp_nic_close(vp->nic);
	free(vp);
}

static unsigned int vp_rx_burst(struct hp_port *p, struct hp_buf **bufs, unsigned int n)
{
	return hp_nic_rx_burst(to_vp(p)->nic, 0, bufs, n);
}

static unsigned int vp_tx_burst(struct hp_port *p, struct hp_buf **bufs, unsigned int n)
{
	return hp_nic_tx_burst(to_vp(p)->nic, 0, bufs, n);
}

static unsigned int vp_buf_alloc(struct hp_port *p, struct hp_buf **bufs, unsigned int n)
{
	return hp_mempool_alloc(to_vp(p)->nic->mp, bufs, n);
}

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
	return hp_nic_wait(to_vp(p)->nic, 0, timeout_ms);
}

static void vp_flush(struct hp_port *p)
{
	struct hp_nic *nic = to_vp(p)->nic;

	nic->ops->tx_reclaim(nic, 0);
}

static const char *vp_mode(struct hp_port *p)
{
	return to_vp(p)->mode;
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
