// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The igb driver's rx/tx paths against a fake device, for both devices it drives (82576 igb with
 * advanced rx descriptors, 82574 e1000e with legacy ones): registers and rings in plain memory,
 * the test writing the descriptor write-backs a (buggy or hostile) device could write. Checks that
 * bad lengths and missing EOP are counted and dropped, buffers are never lost or handed out
 * twice, and nothing past the posted slots is read.
 */
#include <stdint.h>
#include <stdlib.h>
#include "nic/nic.h"
#include "test.h"

#define RXS 16
#define TXS 16
#define NBUF 64

/* Where a device's rings are and how it writes an rx completion. */
struct layout {
	const char *name;
	struct hp_nic *(*fake)(void *regs, struct hp_mempool *mp, unsigned int rx_size,
			       unsigned int tx_size);
	uint32_t rx_base, tx_base;	/* RDBAL(0), TDBAL(0); RDT = base + 0x18 */
	bool legacy;	/* 82574 legacy rx: length u16 at 8, status u8 at 12; else 82576
			 * §7.1.5.2 advanced write-back: status u32 at 8, length u16 at 12 */
};
static const struct layout igb = { "igb", hp_igb_fake, 0xC000, 0xE000, false };
static const struct layout e1000e = { "e1000e", hp_e1000e_fake, 0x2800, 0x3800, true };

struct igb_txd {
	uint64_t addr;
	uint16_t length;
	uint8_t cso, cmd, sta, css;
	uint16_t special;
};

struct fake {
	const struct layout *l;
	struct hp_mempool mp;
	uint8_t *regs;
	struct hp_nic *nic;
	uint8_t *rx;		/* 16-byte descriptors */
	struct igb_txd *tx;
};

static uint32_t reg(struct fake *f, uint32_t off)
{
	return *(uint32_t *)(f->regs + off);
}

static uint64_t rx_addr(struct fake *f, unsigned int i)
{
	return *(uint64_t *)(f->rx + 16 * i);
}

static uint32_t rx_status(struct fake *f, unsigned int i)
{
	return f->l->legacy ? f->rx[16 * i + 12] : *(uint32_t *)(f->rx + 16 * i + 8);
}

static bool fake_up(struct fake *f, const struct layout *l)
{
	memset(f, 0, sizeof(*f));
	f->l = l;
	f->regs = calloc(1, 0x10000);
	if (!ASSERT_OK_PTR(f->regs, "regs"))
		return false;
	if (!ASSERT_OK(hp_mempool_init(&f->mp, NULL, NBUF, 4096, 0), "mempool"))
		return false;
	f->nic = l->fake(f->regs, &f->mp, RXS, TXS);
	if (!ASSERT_OK_PTR(f->nic, l->name))
		return false;
	f->rx = (void *)(uintptr_t)(reg(f, l->rx_base) | (uint64_t)reg(f, l->rx_base + 4) << 32);
	f->tx = (void *)(uintptr_t)(reg(f, l->tx_base) | (uint64_t)reg(f, l->tx_base + 4) << 32);
	return true;
}

static void fake_down(struct fake *f)
{
	if (f->nic)
		f->nic->ops->close(f->nic);
	hp_mempool_fini(&f->mp);
	free(f->regs);
}

/* The device completes slot i: what a real device writes last is the status with DD. */
static void complete(struct fake *f, unsigned int i, uint32_t status, uint16_t len)
{
	uint8_t *d = f->rx + 16 * i;

	if (f->l->legacy) {
		*(uint16_t *)(d + 8) = len;
		d[12] = status;
	} else {
		*(uint16_t *)(d + 12) = len;
		*(uint32_t *)(d + 8) = status;
	}
}

static void rx_suite(const struct layout *l)
{
	uint32_t rdt = l->rx_base + 0x18;
	struct hp_buf *b[RXS];
	struct fake f;
	unsigned int n;

	if (!fake_up(&f, l))
		goto out;
	if (test__start_subtest("posted")) {
		ASSERT_EQ(reg(&f, rdt), RXS - 1, "RDT: all slots but one posted");
		ASSERT_EQ(f.mp.nfree, NBUF - (RXS - 1), "pool");
	}
	if (test__start_subtest("good")) {
		uint64_t addr = rx_addr(&f, 0);

		complete(&f, 0, 3, 60);
		n = hp_nic_rx_burst(f.nic, 0, b, RXS);
		if (ASSERT_EQ(n, 1, "one frame")) {
			ASSERT_EQ(b[0]->len, 60, "len");
			ASSERT_EQ(b[0]->addr, addr, "the buffer posted in slot 0");
			hp_mempool_free(&f.mp, b, 1);
		}
		ASSERT_EQ(reg(&f, rdt), 0, "RDT moved on: slot 15 refilled");
	}
	if (test__start_subtest("bad_length")) {
		uint64_t before = f.nic->drv.rx_bad_len, addr = rx_addr(&f, 2);
		uint32_t cap = 4096 - HP_MP_META;

		complete(&f, 1, 3, cap + 1);	/* longer than the buffer */
		complete(&f, 2, 3, 0);		/* empty */
		complete(&f, 3, 3, 1523);	/* fits the buffer, not a frame with LPE off */
		complete(&f, 4, 3, 1522);	/* the largest good one */
		n = hp_nic_rx_burst(f.nic, 0, b, RXS);
		ASSERT_EQ(f.nic->drv.rx_bad_len - before, 3, "three counted");
		if (ASSERT_EQ(n, 1, "only the good frame")) {
			ASSERT_EQ(b[0]->len, 1522, "len");
			hp_mempool_free(&f.mp, b, 1);
		}
		ASSERT_EQ(rx_addr(&f, 2), addr, "dropped buffer re-posted in its slot");
		ASSERT_EQ(rx_status(&f, 2) & 1, 0, "DD cleared on re-post");
	}
	if (test__start_subtest("no_eop")) {
		uint64_t before = f.nic->drv.rx_bad_desc;

		complete(&f, 5, 1, 100);	/* DD without EOP: a chain we never asked for */
		n = hp_nic_rx_burst(f.nic, 0, b, RXS);
		ASSERT_EQ(n, 0, "dropped");
		ASSERT_EQ(f.nic->drv.rx_bad_desc - before, 1, "counted");
	}
	if (test__start_subtest("not_posted")) {
		/* Slot 5 is next; the unposted slot is the one before it (tail). A DD there (a
		 * device writing past RDT) must not be read. */
		unsigned int tail = reg(&f, rdt);

		complete(&f, tail, 3, 64);
		n = hp_nic_rx_burst(f.nic, 0, b, RXS);
		ASSERT_EQ(n, 0, "slot past the tail ignored");
		complete(&f, tail, 0, 0);
	}
	if (test__start_subtest("random_writebacks")) {
		unsigned int round, i, held = 0, k;
		struct hp_buf *hold[NBUF];

		for (round = 0; round < 2000; round++) {
			unsigned int slot = test__rand() % RXS;

			complete(&f, slot, test__rand() & 0xffffffff, test__rand() & 0xffff);
			n = hp_nic_rx_burst(f.nic, 0, b, RXS);
			for (i = 0; i < n; i++) {
				if (!ASSERT_TRUE(b[i]->len > 0 && b[i]->len <= 1522, "len in range"))
					goto out;
				for (k = 0; k < held; k++)
					if (!ASSERT_TRUE(hold[k] != b[i], "never handed out twice"))
						goto out;
				hold[held++] = b[i];
			}
			if (held > NBUF / 2 || round % 7 == 0) {
				hp_mempool_free(&f.mp, hold, held);
				held = 0;
			}
		}
		hp_mempool_free(&f.mp, hold, held);
		/* Every buffer is in the pool or held by the ring (posted, or a dropped one
		 * waiting in the empty slot): closing gives them all back. */
		ASSERT_GE(f.mp.nfree + RXS - 1, NBUF - 1, "ring holds at most RXS buffers");
		f.nic->ops->close(f.nic);
		f.nic = NULL;
		ASSERT_EQ(f.mp.nfree, NBUF, "no buffer lost");
	}
out:
	fake_down(&f);
}

void test_nic_igb_rx(void)
{
	rx_suite(&igb);
}

void test_nic_e1000e_rx(void)
{
	rx_suite(&e1000e);
}

static void tx_suite(const struct layout *l)
{
	struct hp_buf *b[TXS + 4];
	struct fake f;
	unsigned int n, i;

	if (!fake_up(&f, l))
		goto out;
	if (test__start_subtest("send")) {
		n = hp_mempool_alloc(&f.mp, b, 3);
		for (i = 0; i < n; i++)
			b[i]->len = 60 + i;
		ASSERT_EQ(hp_nic_tx_burst(f.nic, 0, b, 3), 3, "taken");
		ASSERT_EQ(reg(&f, l->tx_base + 0x18), 3, "TDT");
		ASSERT_EQ(f.tx[1].length, 61, "length");
		ASSERT_EQ(f.tx[1].addr, b[1]->addr, "address");
		ASSERT_EQ(f.tx[1].cmd & 0x0b, 0x0b, "EOP|IFCS|RS");
	}
	if (test__start_subtest("reclaim")) {
		uint32_t nfree = f.mp.nfree;

		f.tx[0].sta = 1;
		f.tx[1].sta = 1;
		ASSERT_EQ(f.nic->ops->tx_reclaim(f.nic, 0), 2, "two done");
		ASSERT_EQ(f.mp.nfree, nfree + 2, "back in the pool");
		ASSERT_EQ(f.nic->ops->tx_reclaim(f.nic, 0), 0, "slot 2 not done yet");
	}
	if (test__start_subtest("ring_full")) {
		n = hp_mempool_alloc(&f.mp, b, TXS);
		for (i = 0; i < n; i++)
			b[i]->len = 60;
		n = hp_nic_tx_burst(f.nic, 0, b, TXS);
		ASSERT_EQ(n, TXS - 2, "one in flight, one slot always empty");
		hp_mempool_free(&f.mp, b + n, TXS - n);
	}
	if (test__start_subtest("refuse_chains")) {
		struct hp_buf *c[2];

		for (i = 0; i < TXS; i++)
			f.tx[i].sta = 1;
		f.nic->ops->tx_reclaim(f.nic, 0);
		hp_mempool_alloc(&f.mp, c, 2);
		c[0]->len = c[1]->len = 60;
		c[0]->next = c[1];
		ASSERT_EQ(hp_nic_tx_burst(f.nic, 0, c, 1), 0, "multi-segment refused");
		c[0]->next = NULL;
		hp_mempool_free(&f.mp, c, 2);
	}
out:
	fake_down(&f);
}

void test_nic_igb_tx(void)
{
	tx_suite(&igb);
}

void test_nic_e1000e_tx(void)
{
	tx_suite(&e1000e);
}
