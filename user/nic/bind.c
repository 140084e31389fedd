// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Move a PCI NIC between its kernel driver and vfio-pci through sysfs (driver_override, unbind,
 * drivers_probe), the way `driverctl` and DPDK's dpdk-devbind do. A NIC whose interface carries
 * the default route or an IP address is refused unless forced: taking it away from the kernel
 * cuts whatever uses it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include "util/log.h"
#include "nic/nic.h"

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Driver bound to bdf ("" when none). */
static void cur_driver(const char *bdf, char *drv, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *b;
	ssize_t n;

	drv[0] = 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return;
	link[n] = 0;
	b = strrchr(link, '/');
	b = b ? b + 1 : link;
	if (strlen(b) < len)
		memcpy(drv, b, strlen(b) + 1);
}

static bool has_default_route(const char *ifname)
{
	char line[512], name[64];
	unsigned int dst, flags;
	bool found = false;
	FILE *f = fopen("/proc/net/route", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%63s %x %*x %x", name, &dst, &flags) == 3 && !dst &&
			    (flags & 1 /* RTF_UP */) && !strcmp(name, ifname))
				found = true;
		fclose(f);
	}
	f = fopen("/proc/net/ipv6_route", "r");
	if (f) {
		/* dst(32 hex) plen src srcplen nexthop metric refcnt use flags ifname */
		while (fgets(line, sizeof(line), f)) {
			char dst6[40], plen[3];

			if (sscanf(line, "%32s %2s %*s %*s %*s %*s %*s %*s %*s %63s", dst6, plen,
				   name) == 3 && !strcmp(plen, "00") &&
			    !strcmp(dst6, "00000000000000000000000000000000") &&
			    !strcmp(name, ifname))
				found = true;
		}
		fclose(f);
	}
	return found;
}

/* An IPv4 address or a non-link-local IPv6 address on ifname. */
static bool has_address(const struct ifaddrs *ifa, const char *ifname)
{
	for (; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || strcmp(ifa->ifa_name, ifname))
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET)
			return true;
		if (ifa->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *a = &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;

			if (!IN6_IS_ADDR_LINKLOCAL(a))
				return true;
		}
	}
	return false;
}

/* Refuse when an interface of bdf is in use (checked in the caller's network namespace). */
static int check_in_use(const char *bdf, bool force)
{
	static const char *const subdirs[] = { "net", "virtio0/net", "virtio1/net", "virtio2/net" };
	struct ifaddrs *ifa = NULL;
	char path[PATH_MAX];
	int err = 0;
	size_t i;

	if (getifaddrs(&ifa))
		ifa = NULL;
	for (i = 0; i < HP_ARRAY_SIZE(subdirs) && !err; i++) {
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, subdirs[i]);
		d = opendir(path);
		if (!d)
			continue;
		while ((e = readdir(d)) && !err) {
			const char *why = NULL;

			if (e->d_name[0] == '.')
				continue;
			if (has_default_route(e->d_name))
				why = "carries the default route";
			else if (has_address(ifa, e->d_name))
				why = "has an IP address";
			if (!why)
				continue;
			if (force) {
				hp_warn("nic %s: interface %s %s; moving it anyway (--force)\n", bdf,
					e->d_name, why);
				continue;
			}
			hp_warn("nic %s: interface %s %s: taking it from the kernel would cut what "
				"uses it; remove the address/route first, or use --force\n", bdf,
				e->d_name, why);
			err = -EBUSY;
		}
		closedir(d);
	}
	freeifaddrs(ifa);
	return err;
}

static int check_bdf(const char *bdf)
{
	char path[PATH_MAX];
	unsigned int a, b, c, d;
	char tail;

	if (sscanf(bdf, "%4x:%2x:%2x.%1x%c", &a, &b, &c, &d, &tail) != 4 || strlen(bdf) != 12) {
		hp_warn("nic: '%s' is not a PCI address: use DOMAIN:BUS:DEV.FN, e.g. 0000:00:04.0 "
			"(lspci -D)\n", bdf);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (access(path, F_OK)) {
		hp_warn("nic: no PCI device %s (lspci -D lists them)\n", bdf);
		return -ENODEV;
	}
	return 0;
}

int hp_nic_bind(const char *bdf, bool force)
{
	char path[PATH_MAX], drv[64];
	int err;

	err = check_bdf(bdf);
	if (err)
		return err;
	cur_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, "vfio-pci"))
		return 0;
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK)) {
		hp_warn("nic %s: the vfio-pci driver is not loaded: modprobe vfio-pci (kernel needs "
			"CONFIG_VFIO_PCI)\n", bdf);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	if (access(path, F_OK)) {
		char v[4] = "";
		int fd = open("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", O_RDONLY);

		if (fd >= 0) {
			if (read(fd, v, sizeof(v) - 1) < 0)
				v[0] = 0;
			close(fd);
		}
		if (v[0] != 'Y') {
			hp_warn("nic %s: device has no IOMMU group: boot with intel_iommu=on (or "
				"amd_iommu=on); no-IOMMU mode (unsafe) needs "
				"vfio.enable_unsafe_noiommu_mode=1\n", bdf);
			return -ENXIO;
		}
		hp_warn("nic %s: WARNING: no IOMMU: binding for VFIO no-IOMMU mode (unsafe)\n", bdf);
	}
	err = check_in_use(bdf, force);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	err = sysfs_write(path, "vfio-pci");
	if (err) {
		hp_warn("nic %s: writing %s: %s\n", bdf, path, strerror(-err));
		return err;
	}
	if (drv[0]) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		err = sysfs_write(path, bdf);
		if (err) {
			hp_warn("nic %s: unbinding from %s: %s\n", bdf, drv, strerror(-err));
			goto out;
		}
	}
	sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	cur_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci")) {
		hp_warn("nic %s: vfio-pci did not take the device (no IOMMU group? see dmesg)\n",
			bdf);
		err = -EIO;
	}
out:
	if (err) {	/* leave no override behind: the next probe gives it back to the kernel */
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
		sysfs_write(path, "\n");
		sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	}
	return err;
}

int hp_nic_unbind(const char *bdf)
{
	char path[PATH_MAX], drv[64];
	int err;

	err = check_bdf(bdf);
	if (err)
		return err;
	cur_driver(bdf, drv, sizeof(drv));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	sysfs_write(path, "\n");
	if (!strcmp(drv, "vfio-pci")) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		err = sysfs_write(path, bdf);
		if (err) {
			hp_warn("nic %s: unbinding from vfio-pci: %s\n", bdf, strerror(-err));
			return err;
		}
	}
	sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	cur_driver(bdf, drv, sizeof(drv));
	if (!drv[0] || !strcmp(drv, "vfio-pci")) {
		hp_warn("nic %s: no kernel driver took the device (is its driver built/loaded?)\n",
			bdf);
		return -ENODEV;
	}
	return 0;
}

int hp_nic_driver(const char *bdf, char *drv, size_t len)
{
	int err = check_bdf(bdf);

	if (!err)
		cur_driver(bdf, drv, len);
	return err;
}
