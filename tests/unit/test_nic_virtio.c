// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The virtio-net driver's split virtqueues against a fake device: the test plays the device and
 * writes used-ring entries a buggy or hostile device could write (ids out of range or not
 * posted, lengths shorter than the header or longer than the buffer, a used index running
 * ahead). They must be counted and dropped, and no buffer lost or handed out twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <linux/virtio_ring.h>
#include "nic/nic.h"
#include "test.h"

#define QS 16
#define NBUF 64
#define HDR 12

struct fake {
	struct hp_mempool mp;
	struct hp_nic *nic;
	struct hp_virtq_view rx, tx;
	uint16_t rx_avail_seen, tx_avail_seen;	/* device side: next avail entry to take */
};

static bool fake_up(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	if (!ASSERT_OK(hp_mempool_init(&f->mp, NULL, NBUF, 2048, 0), "mempool"))
		return false;
	f->nic = hp_virtio_fake(&f->mp, QS);
	if (!ASSERT_OK_PTR(f->nic, "virtio fake"))
		return false;
	return ASSERT_OK(hp_virtio_fake_vq(f->nic, 0, &f->rx), "rx vq") &&
	       ASSERT_OK(hp_virtio_fake_vq(f->nic, 1, &f->tx), "tx vq");
}

static void fake_down(struct fake *f)
{
	if (f->nic)
		f->nic->ops->close(f->nic);
	hp_mempool_fini(&f->mp);
}

/* Device: take the next available descriptor id of q. */
static uint16_t take(struct hp_virtq_view *q, uint16_t *seen)
{
	return q->avail->ring[(*seen)++ % q->size];
}

/* Device: publish a used element (id, len). */
static void used(struct hp_virtq_view *q, uint32_t id, uint32_t len)
{
	q->used->ring[q->used->idx % q->size].id = id;
	q->used->ring[q->used->idx % q->size].len = len;
	__atomic_store_n(&q->used->idx, q->used->idx + 1, __ATOMIC_RELEASE);
}

void test_nic_virtio_rx(void)
{
	struct hp_buf *b[QS];
	struct fake f;
	unsigned int n;

	if (!fake_up(&f))
		goto out;
	if (test__start_subtest("posted")) {
		uint16_t id = f.rx.avail->ring[0];

		ASSERT_EQ(f.rx.avail->idx, QS, "all descriptors available");
		ASSERT_EQ(f.rx.desc[id].flags, VRING_DESC_F_WRITE, "device-writable");
		ASSERT_EQ(f.rx.desc[id].len, 2048 - HP_MP_META + HDR, "buffer + header");
		ASSERT_EQ(f.mp.nfree, NBUF - QS, "pool");
	}
	if (test__start_subtest("good")) {
		uint16_t id = take(&f.rx, &f.rx_avail_seen);
		uint64_t addr = f.rx.desc[id].addr;

		used(&f.rx, id, HDR + 60);
		n = hp_nic_rx_burst(f.nic, 0, b, QS);
		if (ASSERT_EQ(n, 1, "one frame")) {
			ASSERT_EQ(b[0]->len, 60, "length without the header");
			ASSERT_EQ(b[0]->addr, addr + HDR, "data right after the header");
			hp_mempool_free(&f.mp, b, 1);
		}
		ASSERT_EQ(f.rx.avail->idx, QS + 1, "re-posted");
	}
	if (test__start_subtest("bad_index")) {
		uint64_t before = f.nic->drv.rx_bad_index;
		uint16_t id = take(&f.rx, &f.rx_avail_seen);

		used(&f.rx, QS, HDR + 60);		/* out of range */
		used(&f.rx, 0xffffffff, HDR + 60);	/* far out of range */
		used(&f.rx, id, HDR + 60);		/* good */
		used(&f.rx, id, HDR + 60);		/* the same id again: no longer posted */
		n = hp_nic_rx_burst(f.nic, 0, b, QS);
		ASSERT_EQ(f.nic->drv.rx_bad_index - before, 3, "three counted");
		if (ASSERT_EQ(n, 1, "only the good one"))
			hp_mempool_free(&f.mp, b, 1);
	}
	if (test__start_subtest("bad_length")) {
		uint64_t before = f.nic->drv.rx_bad_len;
		uint16_t a = take(&f.rx, &f.rx_avail_seen), c = take(&f.rx, &f.rx_avail_seen);
		uint16_t d = take(&f.rx, &f.rx_avail_seen);

		used(&f.rx, a, HDR - 1);			/* shorter than the header */
		used(&f.rx, c, HDR + 2048 - HP_MP_META + 1);	/* longer than the buffer */
		used(&f.rx, d, HDR + 2048 - HP_MP_META);	/* exactly the buffer: fine */
		n = hp_nic_rx_burst(f.nic, 0, b, QS);
		ASSERT_EQ(f.nic->drv.rx_bad_len - before, 2, "two counted");
		if (ASSERT_EQ(n, 1, "the full-size one"))
			hp_mempool_free(&f.mp, b, 1);
		ASSERT_EQ(f.mp.nfree, NBUF - QS, "dropped buffers back, ring refilled");
	}
	if (test__start_subtest("used_idx_runaway")) {
		uint64_t before = f.nic->drv.rx_bad_index;
		uint16_t idx = f.rx.used->idx;

		/* The device claims QS + 5 completions at once: more than the ring holds. */
		__atomic_store_n(&f.rx.used->idx, (uint16_t)(idx + QS + 5), __ATOMIC_RELEASE);
		n = hp_nic_rx_burst(f.nic, 0, b, QS);
		ASSERT_EQ(n, 0, "nothing read");
		ASSERT_GE(f.nic->drv.rx_bad_index - before, 1, "counted");
		f.rx.used->idx = idx;
	}
	if (test__start_subtest("random_used")) {
		unsigned int round, i, k, held = 0;
		struct hp_buf *hold[NBUF];

		for (round = 0; round < 2000; round++) {
			uint32_t id = test__rand() % 4 ? f.rx.avail->ring[test__rand() % QS]
						       : (uint32_t)test__rand();

			used(&f.rx, id, test__rand() % 2 ? test__rand() % 4000 : HDR + 64);
			n = hp_nic_rx_burst(f.nic, 0, b, QS);
			for (i = 0; i < n; i++) {
				if (!ASSERT_TRUE(b[i]->len <= 2048 - HP_MP_META, "len in range"))
					goto out;
				for (k = 0; k < held; k++)
					if (!ASSERT_TRUE(hold[k] != b[i], "never handed out twice"))
						goto out;
				hold[held++] = b[i];
			}
			if (held > NBUF / 2 || round % 5 == 0) {
				hp_mempool_free(&f.mp, hold, held);
				held = 0;
			}
		}
		hp_mempool_free(&f.mp, hold, held);
		f.nic->ops->close(f.nic);
		f.nic = NULL;
		ASSERT_EQ(f.mp.nfree, NBUF, "no buffer lost");
	}
out:
	fake_down(&f);
}

void test_nic_virtio_tx(void)
{
	struct hp_buf *b[QS + 2];
	struct fake f;
	unsigned int n, i;

	if (!fake_up(&f))
		goto out;
	if (test__start_subtest("send")) {
		uint16_t id;
		uint8_t *hdr;

		n = hp_mempool_alloc(&f.mp, b, 2);
		for (i = 0; i < n; i++) {
			b[i]->len = 60;
			memset((char *)b[i]->data - HDR, 0xee, HDR);
		}
		ASSERT_EQ(hp_nic_tx_burst(f.nic, 0, b, 2), 2, "taken");
		ASSERT_EQ(f.tx.avail->idx, 2, "published");
		id = take(&f.tx, &f.tx_avail_seen);
		ASSERT_EQ(f.tx.desc[id].len, HDR + 60, "header + frame");
		ASSERT_EQ(f.tx.desc[id].flags, 0, "device-readable");
		hdr = (uint8_t *)(uintptr_t)f.tx.desc[id].addr;
		ASSERT_TRUE(!hdr[0] && !hdr[11], "virtio_net_hdr zeroed");
		used(&f.tx, id, 0);
	}
	if (test__start_subtest("bad_completion")) {
		uint64_t before = f.nic->drv.tx_bad_index;
		uint32_t nfree = f.mp.nfree;

		used(&f.tx, QS + 3, 0);	/* out of range */
		used(&f.tx, f.tx.avail->ring[0], 0);	/* already completed above */
		ASSERT_EQ(f.nic->ops->tx_reclaim(f.nic, 0), 1, "only the real completion");
		ASSERT_EQ(f.nic->drv.tx_bad_index - before, 2, "two counted");
		ASSERT_EQ(f.mp.nfree, nfree + 1, "one buffer back");
	}
	if (test__start_subtest("ring_full")) {
		n = hp_mempool_alloc(&f.mp, b, QS);
		for (i = 0; i < n; i++)
			b[i]->len = 60;
		n = hp_nic_tx_burst(f.nic, 0, b, QS);
		ASSERT_EQ(n, QS - 1, "one descriptor still in flight");
		hp_mempool_free(&f.mp, b + n, QS - n);
	}
out:
	fake_down(&f);
}
