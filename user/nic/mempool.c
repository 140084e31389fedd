// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A pool of fixed-size DMA buffers (ixy's mempool): one DMA region carved into num buffers of
 * buf_size bytes, each starting with its struct hp_buf. Allocation and free are pops and pushes
 * on a stack of pointers (inline in nic.h): nothing is allocated per packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/log.h"
#include "nic/nic.h"

_Static_assert(sizeof(struct hp_buf) <= 64, "struct hp_buf must fit the 64-byte meta area");

int hp_mempool_init(struct hp_mempool *mp, struct hp_vfio *v, uint32_t num, uint32_t buf_size,
		    uint32_t headroom)
{
	uint32_t i;
	int err;

	memset(mp, 0, sizeof(*mp));
	if (!num || buf_size < 1024 || buf_size > HP_HUGEPAGE_SIZE ||
	    (buf_size & (buf_size - 1)) || headroom + HP_MP_META + 256 > buf_size) {
		hp_warn("mempool: bad geometry (%u buffers of %u bytes, headroom %u): buf_size "
			"must be a power of two in 1024..2M with room for headroom + 256\n", num,
			buf_size, headroom);
		return -EINVAL;
	}
	mp->free = calloc(num, sizeof(*mp->free));
	if (!mp->free)
		return -ENOMEM;
	err = hp_dma_alloc(&mp->dma, v, (size_t)num * buf_size);
	if (err) {
		free(mp->free);
		mp->free = NULL;
		return err;
	}
	mp->num = num;
	mp->buf_size = buf_size;
	mp->headroom = headroom;
	for (i = 0; i < num; i++) {
		struct hp_buf *b = (void *)((char *)mp->dma.va + (size_t)i * buf_size);

		b->priv = hp_dma_iova(&mp->dma, b);	/* base IOVA: see hp_buf_iova() */
		hp_mempool_reset_buf(mp, b);
		mp->free[num - 1 - i] = b;
	}
	mp->nfree = num;
	return 0;
}

void hp_mempool_set_owner(struct hp_mempool *mp, struct hp_pool *owner)
{
	uint32_t i;

	mp->owner = owner;
	for (i = 0; i < mp->num; i++)
		((struct hp_buf *)((char *)mp->dma.va + (size_t)i * mp->buf_size))->pool = owner;
}

void hp_mempool_fini(struct hp_mempool *mp)
{
	if (!mp->free)
		return;
	hp_dma_free(&mp->dma);
	free(mp->free);
	memset(mp, 0, sizeof(*mp));
}
