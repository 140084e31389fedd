// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * DMA memory: 2 MiB hugepages, pinned (hugetlb pages never move or swap), each mapped for the
 * device at IOVA = its physical address (see nic.h for why). Without a vfio handle (unit tests)
 * the memory is plain anonymous memory and IOVA = virtual address.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "util/log.h"
#include "nic/nic.h"

/* Physical address of the page at va, from /proc/self/pagemap (needs CAP_SYS_ADMIN, else the
 * kernel reports 0). Entry format: Documentation/admin-guide/mm/pagemap.rst. */
static int virt_to_phys(int fd, const void *va, uint64_t *pa)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t e;

	if (pread(fd, &e, sizeof(e), (uintptr_t)va / psz * sizeof(e)) != sizeof(e))
		return -EIO;
	if (!(e & (1ULL << 63)) || !(e & ((1ULL << 55) - 1)))	/* not present / PFN hidden */
		return -EPERM;
	*pa = (e & ((1ULL << 55) - 1)) * psz + (uintptr_t)va % psz;
	return 0;
}

int hp_dma_alloc(struct hp_dma *d, struct hp_vfio *v, size_t len)
{
	unsigned int i, mapped = 0;
	int err = 0, fd = -1;

	memset(d, 0, sizeof(*d));
	if (!v) {	/* plain memory for fake devices */
		d->len = (len + 4095) & ~4095UL;
		d->va = mmap(NULL, d->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
		if (d->va == MAP_FAILED) {
			d->va = NULL;
			return -errno;
		}
		return 0;
	}
	d->len = (len + HP_HUGEPAGE_SIZE - 1) & ~(HP_HUGEPAGE_SIZE - 1);
	d->npages = d->len / HP_HUGEPAGE_SIZE;
	d->vfio = v;
	d->va = mmap(NULL, d->len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE | MAP_LOCKED, -1, 0);
	if (d->va == MAP_FAILED) {
		err = -errno;
		d->va = NULL;
		hp_warn("vfio %s: cannot get %u x 2 MiB hugepages (%s): reserve them with "
			"'echo %u > /proc/sys/vm/nr_hugepages' (add what other users need)\n",
			hp_vfio_bdf(v), d->npages, strerror(-err), d->npages + 16);
		if (err == -EINVAL)
			err = -ENOMEM;
		goto out;
	}
	d->iova = calloc(d->npages, sizeof(*d->iova));
	if (!d->iova) {
		err = -ENOMEM;
		goto out;
	}
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < d->npages; i++) {
		char *p = (char *)d->va + (size_t)i * HP_HUGEPAGE_SIZE;

		err = virt_to_phys(fd, p, &d->iova[i]);
		if (err) {
			hp_warn("vfio %s: /proc/self/pagemap hides physical addresses: run as root "
				"(CAP_SYS_ADMIN)\n", hp_vfio_bdf(v));
			goto out;
		}
		err = hp_vfio_dma_map(v, p, d->iova[i], HP_HUGEPAGE_SIZE);
		if (err)
			goto out;
		mapped = i + 1;
	}
out:
	if (fd >= 0)
		close(fd);
	if (err) {
		d->npages = mapped;
		hp_dma_free(d);
	}
	return err;
}

void hp_dma_free(struct hp_dma *d)
{
	unsigned int i;

	if (d->vfio && d->iova)
		for (i = 0; i < d->npages; i++)
			hp_vfio_dma_unmap(d->vfio, d->iova[i], HP_HUGEPAGE_SIZE);
	if (d->va)
		munmap(d->va, d->len);
	free(d->iova);
	memset(d, 0, sizeof(*d));
}
