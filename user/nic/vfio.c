// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * VFIO plumbing: container (/dev/vfio/vfio) -> group (/dev/vfio/N) -> device fd, IOMMU type1
 * DMA mappings, BAR mmap, PCI config space, reset, MSI-X eventfds. See the kernel's
 * Documentation/driver-api/vfio.rst for the sequence. No-IOMMU mode (/dev/vfio/noiommu-N) only
 * when asked for: the device can then DMA anywhere in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "util/log.h"
#include "nic/nic.h"

#define HP_VFIO_BARS 6

struct hp_vfio {
	char bdf[32];
	int container, group, device;
	bool noiommu;
	uint64_t cfg_off;			/* offset of the config region in the device fd */
	uint32_t cfg_size;
	void *bar[HP_VFIO_BARS];
	size_t bar_len[HP_VFIO_BARS];
	int irq_fds[HP_NIC_MAX_QUEUES + 1];
	unsigned int nirq;
};

const char *hp_vfio_bdf(const struct hp_vfio *v)
{
	return v->bdf;
}

bool hp_vfio_noiommu(const struct hp_vfio *v)
{
	return v->noiommu;
}

/* "0000:00:04.0", or the short "00:04.0" (domain 0). */
int hp_vfio_norm_bdf(const char *in, char *out, size_t len)
{
	unsigned int dom = 0, bus, dev, fn;
	char tail;

	if (sscanf(in, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4) {
		dom = 0;
		if (sscanf(in, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3)
			return -EINVAL;
	}
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static int group_number(const char *bdf, int *grp)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	base = strrchr(link, '/');
	*grp = atoi(base ? base + 1 : link);
	return 0;
}

int hp_vfio_cfg_read(struct hp_vfio *v, uint32_t off, void *buf, size_t len)
{
	ssize_t n = pread(v->device, buf, len, v->cfg_off + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int hp_vfio_cfg_write(struct hp_vfio *v, uint32_t off, const void *buf, size_t len)
{
	ssize_t n = pwrite(v->device, buf, len, v->cfg_off + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

void *hp_vfio_bar(struct hp_vfio *v, unsigned int bar, size_t *len)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	void *p;

	if (bar >= HP_VFIO_BARS) {
		errno = EINVAL;
		return NULL;
	}
	if (v->bar[bar])
		goto out;
	reg.index = VFIO_PCI_BAR0_REGION_INDEX + bar;
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0) {
		hp_warn("vfio %s: BAR%u region info: %s\n", v->bdf, bar, strerror(errno));
		return NULL;
	}
	if (!(reg.flags & VFIO_REGION_INFO_FLAG_MMAP) || !reg.size) {
		hp_warn("vfio %s: BAR%u cannot be mmapped (size %llu, flags %#x)\n", v->bdf, bar,
			(unsigned long long)reg.size, reg.flags);
		errno = ENOTSUP;
		return NULL;
	}
	p = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device, reg.offset);
	if (p == MAP_FAILED) {
		hp_warn("vfio %s: mmap BAR%u: %s\n", v->bdf, bar, strerror(errno));
		return NULL;
	}
	v->bar[bar] = p;
	v->bar_len[bar] = reg.size;
out:
	if (len)
		*len = v->bar_len[bar];
	return v->bar[bar];
}

int hp_vfio_reset(struct hp_vfio *v)
{
	if (ioctl(v->device, VFIO_DEVICE_RESET) < 0)
		return -errno;
	return 0;
}

int hp_vfio_dma_map(struct hp_vfio *v, void *va, uint64_t iova, size_t len)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};

	if (v->noiommu)		/* nothing to map: the device sees physical memory */
		return 0;
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &m) < 0) {
		int err = -errno;

		hp_warn("vfio %s: DMA map of %zu bytes at iova %#llx: %s\n", v->bdf, len,
			(unsigned long long)iova, strerror(-err));
		return err;
	}
	return 0;
}

int hp_vfio_dma_unmap(struct hp_vfio *v, uint64_t iova, size_t len)
{
	struct vfio_iommu_type1_dma_unmap m = { .argsz = sizeof(m), .iova = iova, .size = len };

	if (v->noiommu)
		return 0;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &m) < 0)
		return -errno;
	return 0;
}

static void irq_disable(struct hp_vfio *v)
{
	struct vfio_irq_set s = {
		.argsz = sizeof(s),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_MSIX_IRQ_INDEX,
		.start = 0,
		.count = 0,
	};
	unsigned int i;

	if (!v->nirq)
		return;
	ioctl(v->device, VFIO_DEVICE_SET_IRQS, &s);
	for (i = 0; i < v->nirq; i++)
		close(v->irq_fds[i]);
	v->nirq = 0;
}

int hp_vfio_msix_enable(struct hp_vfio *v, int *fds, unsigned int n)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX };
	char buf[sizeof(struct vfio_irq_set) + sizeof(int) * (HP_NIC_MAX_QUEUES + 1)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	unsigned int i;
	int err = 0;

	if (n == 0 || n > HP_NIC_MAX_QUEUES + 1)
		return -EINVAL;
	if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0)
		return -errno;
	if (info.count < n) {
		hp_warn("vfio %s: device has %u MSI-X vectors, %u needed\n", v->bdf, info.count, n);
		return -ENOSPC;
	}
	irq_disable(v);
	for (i = 0; i < n; i++) {
		fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fds[i] < 0) {
			err = -errno;
			goto out;
		}
		v->irq_fds[i] = fds[i];
		v->nirq = i + 1;
	}
	s->argsz = sizeof(*s) + sizeof(int) * n;
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->start = 0;
	s->count = n;
	memcpy(s->data, fds, sizeof(int) * n);
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, s) < 0) {
		err = -errno;
		hp_warn("vfio %s: enabling %u MSI-X vectors: %s\n", v->bdf, n, strerror(-err));
	}
out:
	if (err)
		irq_disable(v);
	return err;
}

void hp_vfio_close(struct hp_vfio *v)
{
	unsigned int i;
	uint16_t cmd;

	if (!v)
		return;
	irq_disable(v);
	if (v->device >= 0) {
		/* Stop DMA before the memory goes away: clear bus mastering. */
		if (!hp_vfio_cfg_read(v, PCI_COMMAND, &cmd, 2)) {
			cmd &= ~PCI_COMMAND_MASTER;
			hp_vfio_cfg_write(v, PCI_COMMAND, &cmd, 2);
		}
	}
	for (i = 0; i < HP_VFIO_BARS; i++)
		if (v->bar[i])
			munmap(v->bar[i], v->bar_len[i]);
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	free(v);
}

struct hp_vfio *hp_vfio_open(const char *bdf_in, unsigned int flags)
{
	struct vfio_group_status gst = { .argsz = sizeof(gst) };
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[PATH_MAX], drv[64];
	struct hp_vfio *v;
	int err = 0, grp = -1, type;
	uint16_t cmd;

	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->container = v->group = v->device = -1;
	v->noiommu = flags & HP_VFIO_F_NOIOMMU;
	if (!bdf_in || hp_vfio_norm_bdf(bdf_in, v->bdf, sizeof(v->bdf))) {
		hp_warn("vfio: '%s' is not a PCI address; use DOMAIN:BUS:DEV.FN, e.g. "
			"0000:00:04.0 (see lspci -D)\n", bdf_in ? bdf_in : "(null)");
		err = -EINVAL;
		goto out;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", v->bdf);
	if (access(path, F_OK)) {
		hp_warn("vfio %s: no such PCI device (see lspci -D)\n", v->bdf);
		err = -ENODEV;
		goto out;
	}
	hp_nic_driver(v->bdf, drv, sizeof(drv));	/* bdf checked by the caller */
	if (strcmp(drv, "vfio-pci")) {
		hp_warn("vfio %s: device is bound to %s, not vfio-pci; bind it with "
			"'xdpctl nic bind %s'\n", v->bdf, drv[0] ? drv : "no driver", v->bdf);
		err = -ENODEV;
		goto out;
	}
	err = group_number(v->bdf, &grp);
	if (err) {
		hp_warn("vfio %s: device has no IOMMU group: the kernel runs without an IOMMU; "
			"boot with intel_iommu=on (or amd_iommu=on), or use no-IOMMU mode "
			"explicitly (unsafe)\n", v->bdf);
		err = -ENXIO;
		goto out;
	}
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		err = -errno;
		hp_warn("vfio: cannot open /dev/vfio/vfio: %s; the kernel needs CONFIG_VFIO "
			"(modprobe vfio-pci)\n", strerror(-err));
		goto out;
	}
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		hp_warn("vfio: unknown VFIO API version\n");
		err = -EPROTO;
		goto out;
	}
	type = v->noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, type) != 1) {
		if (v->noiommu)
			hp_warn("vfio: no-IOMMU mode is not enabled; needs CONFIG_VFIO_NOIOMMU and "
				"'echo 1 > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode'\n");
		else
			hp_warn("vfio: the kernel has no IOMMU type1 support (CONFIG_VFIO_IOMMU_TYPE1)"
				"; boot with intel_iommu=on\n");
		err = -ENOTSUP;
		goto out;
	}
	snprintf(path, sizeof(path), v->noiommu ? "/dev/vfio/noiommu-%d" : "/dev/vfio/%d", grp);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		char alt[64];

		err = -errno;
		snprintf(alt, sizeof(alt), "/dev/vfio/noiommu-%d", grp);
		if (err == -ENOENT && !v->noiommu && !access(alt, F_OK))
			hp_warn("vfio %s: the device is in a no-IOMMU group (%s): the kernel runs "
				"without an IOMMU; boot with intel_iommu=on, or open it in no-IOMMU "
				"mode explicitly: vfio:%s,noiommu (unsafe)\n", v->bdf, alt, v->bdf);
		else if (err == -EBUSY)
			hp_warn("vfio %s: %s is in use by another process (is another app running "
				"on this device?)\n", v->bdf, path);
		else
			hp_warn("vfio %s: cannot open %s: %s%s\n", v->bdf, path, strerror(-err),
				v->noiommu ? "" : " (no-IOMMU groups are /dev/vfio/noiommu-N)");
		goto out;
	}
	if (v->noiommu)
		hp_warn("vfio %s: WARNING: no-IOMMU mode: the device can DMA to any memory; "
			"a buggy device or driver corrupts the machine\n", v->bdf);
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &gst) < 0) {
		err = -errno;
		goto out;
	}
	if (!(gst.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		hp_warn("vfio %s: IOMMU group %d is not viable: bind every device in "
			"/sys/kernel/iommu_groups/%d/devices to vfio-pci (or unbind them)\n",
			v->bdf, grp, grp);
		err = -EPERM;
		goto out;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0) {
		err = -errno;
		hp_warn("vfio %s: attaching group %d to a container: %s\n", v->bdf, grp,
			strerror(-err));
		goto out;
	}
	if (ioctl(v->container, VFIO_SET_IOMMU, type) < 0) {
		err = -errno;
		hp_warn("vfio %s: VFIO_SET_IOMMU: %s%s\n", v->bdf, strerror(-err),
			err == -EPERM ? " (no interrupt remapping: enable intremap, or set "
			"vfio_iommu_type1.allow_unsafe_interrupts=1)" : "");
		goto out;
	}
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->bdf);
	if (v->device < 0) {
		err = -errno;
		hp_warn("vfio %s: getting the device fd: %s\n", v->bdf, strerror(-err));
		goto out;
	}
	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &dinfo) < 0 ||
	    !(dinfo.flags & VFIO_DEVICE_FLAGS_PCI)) {
		hp_warn("vfio %s: not a PCI device\n", v->bdf);
		err = -ENODEV;
		goto out;
	}
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0) {
		err = -errno;
		goto out;
	}
	v->cfg_off = reg.offset;
	v->cfg_size = reg.size;
	/* A previous user may have been killed mid-DMA: start from a reset device. vfio-pci
	 * also resets on release when it can; a second reset is harmless. */
	if ((dinfo.flags & VFIO_DEVICE_FLAGS_RESET) && hp_vfio_reset(v))
		hp_debug("vfio %s: VFIO_DEVICE_RESET failed; the driver resets the device\n",
			 v->bdf);
	/* PCI 3.0 §6.2.2: memory space decoding + bus mastering, no legacy INTx. */
	err = hp_vfio_cfg_read(v, PCI_COMMAND, &cmd, 2);
	if (err)
		goto out;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;
	err = hp_vfio_cfg_write(v, PCI_COMMAND, &cmd, 2);
out:
	if (err) {
		hp_vfio_close(v);
		errno = -err;
		return NULL;
	}
	return v;
}
