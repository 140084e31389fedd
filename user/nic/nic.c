// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Device open/close and the idle wait: open VFIO, read the PCI id, create the mempool, hand the
 * device to the driver that knows the id.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include "util/log.h"
#include "nic/nic.h"

struct nic_driver {
	uint16_t vendor, device;
	const char *what;
	struct hp_nic *(*probe)(struct hp_vfio *v, struct hp_mempool *mp,
				const struct hp_nic_opts *o);
};

static const struct nic_driver drivers[] = {
	{ 0x1af4, 0x1041, "virtio-net (modern)", hp_virtio_net_probe },
	{ 0x1af4, 0x1000, "virtio-net (transitional)", hp_virtio_net_probe },
	{ 0x8086, 0x10c9, "Intel 82576 (igb)", hp_igb_probe },
	{ 0x8086, 0x10e6, "Intel 82576 fiber (igb)", hp_igb_probe },
	{ 0x8086, 0x10e7, "Intel 82576 serdes (igb)", hp_igb_probe },
	{ 0x8086, 0x10d3, "Intel 82574L (e1000e)", hp_e1000e_probe },
};

struct hp_nic *hp_nic_open(const char *bdf, const struct hp_nic_opts *o)
{
	uint32_t nbufs = HP_OPTS_GET(o, num_bufs, 0) ?: 4096;
	uint32_t bsize = HP_OPTS_GET(o, buf_size, 0) ?: 2048;
	uint32_t flags = HP_OPTS_GET(o, flags, 0);
	const struct nic_driver *drv = NULL;
	struct hp_mempool *mp = NULL;
	struct hp_vfio *v = NULL;
	struct hp_nic *nic = NULL;
	uint16_t id[2];
	size_t i;
	int err = 0;

	mp = calloc(1, sizeof(*mp));
	if (!mp)
		return NULL;
	v = hp_vfio_open(bdf, flags & HP_VFIO_F_NOIOMMU);
	if (!v) {
		err = -errno;
		goto out;
	}
	err = hp_vfio_cfg_read(v, PCI_VENDOR_ID, id, sizeof(id));
	if (err)
		goto out;
	for (i = 0; i < HP_ARRAY_SIZE(drivers); i++)
		if (drivers[i].vendor == id[0] && drivers[i].device == id[1])
			drv = &drivers[i];
	if (!drv) {
		hp_warn("nic %s: unsupported device %04x:%04x; supported: virtio-net 1af4:1041 "
			"and 1af4:1000 (modern), Intel 82576 igb 8086:10c9, Intel 82574L e1000e "
			"8086:10d3; unbind it with "
			"'xdpctl nic unbind %s'\n", hp_vfio_bdf(v), id[0], id[1], hp_vfio_bdf(v));
		err = -ENOTSUP;
		goto out;
	}
	err = hp_mempool_init(mp, v, nbufs, bsize, HP_OPTS_GET(o, headroom, 0));
	if (err)
		goto out;
	nic = drv->probe(v, mp, o);
	if (!nic) {
		err = -errno;
		hp_warn("nic %s: %s driver failed to start: %s\n", hp_vfio_bdf(v), drv->what,
			strerror(-err));
		goto out;
	}
	hp_info("nic %s: %s, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s\n", hp_vfio_bdf(v),
		drv->what, nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3], nic->mac[4],
		nic->mac[5], nic->ops->link_up(nic) > 0 ? "up" : "down");
out:
	if (err) {
		hp_mempool_fini(mp);
		free(mp);
		hp_vfio_close(v);
		errno = -err;
		return NULL;
	}
	return nic;
}

void hp_nic_close(struct hp_nic *nic)
{
	struct hp_mempool *mp;
	struct hp_vfio *v;

	if (!nic)
		return;
	mp = nic->mp;
	v = nic->vfio;
	nic->ops->close(nic);		/* device quiet (reset / queues off), rings freed */
	if (v) {
		hp_mempool_fini(mp);	/* unmaps through the still-open container */
		free(mp);
		hp_vfio_close(v);	/* bus mastering off, device and group released */
	}
}

int hp_nic_wait(struct hp_nic *nic, unsigned int q, int timeout_ms)
{
	struct pollfd pfd;
	uint64_t cnt;
	int n, err;

	if (q >= nic->num_rxq)
		return -EINVAL;
	if (nic->irq_fd[q] < 0) {	/* no interrupt: a short sleep keeps the core cool */
		usleep(timeout_ms < 0 || timeout_ms > 1 ? 1000 : timeout_ms * 1000);
		return 1;
	}
	err = nic->ops->rx_irq(nic, q, true);
	if (err)
		return err;
	/* Frames may have arrived before the interrupt was armed: look once more. */
	if (nic->ops->rx_pending(nic, q)) {
		nic->ops->rx_irq(nic, q, false);
		return 1;
	}
	pfd.fd = nic->irq_fd[q];
	pfd.events = POLLIN;
	n = poll(&pfd, 1, timeout_ms);
	if (n > 0 && read(pfd.fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		n = -errno;
	nic->ops->rx_irq(nic, q, false);
	return n < 0 ? (errno ? -errno : n) : n;
}
