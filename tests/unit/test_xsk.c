// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * AF_XDP ring accessors on a ring laid out in memory like the kernel's (no socket), and the
 * option checks of the UMEM, socket and port constructors (rejected before any kernel object
 * exists).
 */
#include <errno.h>
#include <stdlib.h>
#include <hybridpath/xsk.h>
#include <hybridpath/port.h>
#include "test.h"

#define RSZ 8

struct fake_ring {
	__u32 producer, consumer, flags;
	__u64 addrs[RSZ];
};

static void ring_init(struct hp_ring *r, struct fake_ring *f, bool producer_side)
{
	memset(f, 0, sizeof(*f));
	*r = (struct hp_ring){ .mask = RSZ - 1, .size = RSZ, .producer = &f->producer,
			       .consumer = &f->consumer, .flags = &f->flags, .ring = f->addrs };
	if (producer_side)
		r->cached_cons = RSZ;	/* as the library sets it for fill and tx rings */
}

void test_xsk_ring(void)
{
	struct fake_ring f;
	struct hp_ring p, c;
	__u32 idx, n, i, round;

	if (test__start_subtest("reserve_submit_peek_release")) {
		ring_init(&p, &f, true);
		c = p;
		c.cached_cons = 0;
		n = hp_ring_prod_reserve(&p, 5, &idx);
		ASSERT_EQ(n, 5, "reserve 5 of 8");
		for (i = 0; i < n; i++)
			*hp_ring_fill_addr(&p, idx + i) = 100 + i;
		ASSERT_EQ(hp_ring_cons_avail(&c), 0, "nothing visible before submit");
		hp_ring_prod_submit(&p, n);
		ASSERT_EQ(f.producer, 5, "producer index published");
		n = hp_ring_prod_reserve(&p, 5, &idx);
		ASSERT_EQ(n, 3, "only 3 free until the consumer releases");
		hp_ring_prod_cancel(&p, n);
		n = hp_ring_cons_peek(&c, 16, &idx);
		ASSERT_EQ(n, 5, "peek sees 5");
		ASSERT_EQ(hp_ring_comp_addr(&c, idx + 4), 104, "entries in order");
		hp_ring_cons_cancel(&c, 2);
		hp_ring_cons_release(&c, 3);
		ASSERT_EQ(f.consumer, 3, "consumer index published");
		n = hp_ring_cons_peek(&c, 16, &idx);
		ASSERT_EQ(n, 2, "cancelled entries come again");
		ASSERT_EQ(hp_ring_comp_addr(&c, idx), 103, "first cancelled entry");
	}
	if (test__start_subtest("wraparound")) {
		/* indices run freely past the ring size and past 2^32 */
		ring_init(&p, &f, true);
		f.producer = f.consumer = 0xfffffffcu;
		p.cached_prod = f.producer;
		p.cached_cons = f.consumer + RSZ;
		c = p;
		c.cached_cons = f.consumer;
		for (round = 0; round < 10; round++) {
			n = hp_ring_prod_reserve(&p, RSZ, &idx);
			if (!ASSERT_EQ(n, RSZ, "whole ring free"))
				break;
			for (i = 0; i < n; i++)
				*hp_ring_fill_addr(&p, idx + i) = round * 100 + i;
			hp_ring_prod_submit(&p, n);
			ASSERT_EQ(hp_ring_prod_reserve(&p, 1, &idx), 0, "full");
			n = hp_ring_cons_peek(&c, RSZ, &idx);
			ASSERT_EQ(n, RSZ, "all visible");
			for (i = 0; i < n; i++)
				if (!ASSERT_EQ(hp_ring_comp_addr(&c, idx + i), round * 100 + i,
					       "value"))
					break;
			hp_ring_cons_release(&c, n);
		}
	}
	if (test__start_subtest("need_wakeup")) {
		ring_init(&p, &f, true);
		ASSERT_FALSE(hp_ring_needs_wakeup(&p), "clear");
		f.flags = XDP_RING_NEED_WAKEUP;
		ASSERT_TRUE(hp_ring_needs_wakeup(&p), "set by the kernel");
	}
	if (test__start_subtest("unaligned_addr")) {
		__u64 a = (123ULL << XSK_UNALIGNED_BUF_OFFSET_SHIFT) | 40960;

		ASSERT_EQ(hp_xsk_addr_base(a), 40960, "base");
		ASSERT_EQ(hp_xsk_addr_offset(a), 123, "offset");
		ASSERT_EQ(hp_xsk_addr_flat(a), 41083, "flat");
		ASSERT_EQ(hp_xsk_addr_flat(5000), 5000, "aligned addresses are flat already");
	}
}

static int quiet(enum hp_print_level l, const char *fmt, va_list ap)
{
	return 0;
}

void test_xsk_options(void)
{
	hp_print_fn_t old = hp_set_print(quiet);
	static const struct { __u32 frame, headroom, frames, flags; } bad_umem[] = {
		{ 1024, 0, 64, 0 },			/* below 2048 */
		{ 3000, 0, 64, 0 },			/* aligned: not a power of two */
		{ 8192, 0, 64, 0 },			/* aligned: above the page size */
		{ 131072, 0, 64, HP_UMEM_F_UNALIGNED },	/* unaligned: above 64K */
		{ 2048, 2000, 64, 0 },			/* headroom leaves no room */
		{ 2048, 0, 1, 0 },			/* too few frames */
		{ 2048, 0, 64, 0x80 },			/* unknown flag */
	};
	unsigned int i;

	if (test__start_subtest("umem_rejects")) {
		for (i = 0; i < sizeof(bad_umem) / sizeof(bad_umem[0]); i++) {
			HP_OPTS(hp_umem_opts, o, .frame_size = bad_umem[i].frame,
				.headroom = bad_umem[i].headroom, .num_frames = bad_umem[i].frames,
				.flags = bad_umem[i].flags);
			struct hp_umem *u;

			errno = 0;
			u = hp_umem_create(&o);
			ASSERT_TRUE(!u && errno == EINVAL, "bad UMEM options rejected with EINVAL");
			hp_umem_delete(u);
		}
		{
			HP_OPTS(hp_umem_opts, o, .fill_size = 1000);

			errno = 0;
			ASSERT_TRUE(!hp_umem_create(&o) && errno == EINVAL, "fill ring 1000");
		}
		{
			struct hp_umem_opts o = { .sz = 0 };

			errno = 0;
			ASSERT_TRUE(!hp_umem_create(&o) && errno == EINVAL, "sz not set");
		}
	}
	if (test__start_subtest("port_specs")) {
		static const char *const bad[] = { "", "afxdp", "afxdp:", "afxdp:eth0",
						   "afxdp:eth0:x", "afxdp::0", "afxdp:eth0:70000",
						   "afxdp:a-name-that-is-too-long:0" };

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			errno = 0;
			ASSERT_TRUE(!hp_port_open(bad[i], NULL) && errno == EINVAL, bad[i]);
		}
		errno = 0;
		ASSERT_TRUE(!hp_port_open("pcap:eth0", NULL) && errno == EPROTONOSUPPORT,
			    "unknown backend");
	}
	if (test__start_subtest("port_opts_size")) {
		struct { struct hp_port_opts o; __u64 future; } big = {
			.o = { .sz = sizeof(big) }, .future = 1 };

		errno = 0;
		ASSERT_TRUE(!hp_port_open("afxdp:lo:0", &big.o) && errno == EINVAL,
			    "unknown non-zero field rejected");
	}
	hp_set_print(old);
}

/* hp_buf_free()/hp_buf_free_bulk() return every segment of every chain to its own pool. */
#include "port/backend.h"

struct count_pool {
	struct hp_pool pool;
	unsigned int freed, calls;
};

static void count_free(struct hp_pool *p, struct hp_buf **bufs, unsigned int n)
{
	struct count_pool *cp = container_of(p, struct count_pool, pool);
	unsigned int i;

	for (i = 0; i < n; i++)
		bufs[i]->flags = 0xdead;	/* mark: returned */
	cp->freed += n;
	cp->calls++;
}

void test_port_buf_free(void)
{
	struct count_pool a = { .pool.free = count_free }, b = { .pool.free = count_free };
	struct hp_buf bufs[10] = {}, *list[6];
	unsigned int i;

	for (i = 0; i < 10; i++)
		bufs[i].pool = i < 6 ? &a.pool : &b.pool;
	/* list: 0, 1, chain 2->3->4, 5, 6 (pool b), chain 7->8 (b) */
	bufs[2].next = &bufs[3];
	bufs[3].next = &bufs[4];
	bufs[7].next = &bufs[8];
	bufs[2].len = 10, bufs[3].len = 20, bufs[4].len = 30;
	ASSERT_EQ(hp_buf_frame_len(&bufs[2]), 60, "frame length over the chain");
	list[0] = &bufs[0], list[1] = &bufs[1], list[2] = &bufs[2];
	list[3] = &bufs[5], list[4] = &bufs[6], list[5] = &bufs[7];
	hp_buf_free_bulk(list, 6);
	ASSERT_EQ(a.freed, 6, "pool a got its 6 segments");
	ASSERT_EQ(b.freed, 3, "pool b got its 3 segments");
	for (i = 0; i < 9; i++)
		ASSERT_EQ(bufs[i].flags, 0xdead, "every segment returned");
	ASSERT_EQ(bufs[9].flags, 0, "the buffer not in the list stays");
	ASSERT_TRUE(!bufs[2].next && !bufs[7].next, "chains unlinked on free");
	hp_buf_free(NULL);
}
