// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Baseline for bench_afxdp.sh: the minimal rx-and-drop loop on libxdp's xsk API (<xdp/xsk.h>),
 * written the way its documentation shows (peek rx, hand the same addresses back to the fill
 * ring, release). Copy mode, need_wakeup, libxdp's default program. Counts for --duration
 * seconds and prints "total N packets in T s". With "poll", sleeps in poll() when the rx ring
 * is empty (as hp-rxdrop --poll does) instead of spinning.
 * usage: xsk_libxdp_drop IFACE QUEUE SECONDS [poll]
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#define NUM_FRAMES 4096
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define BATCH 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct xsk_socket_config cfg = { .rx_size = 2048, .tx_size = 0,
					 .bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP };
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq, rx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	unsigned long long total = 0;
	double t0, secs;
	__u32 i, idx, fidx, n;
	void *area;
	int err, use_poll = argc == 5 && !strcmp(argv[4], "poll");

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: xsk_libxdp_drop IFACE QUEUE SECONDS [poll]\n");
		return 2;
	}
	secs = atof(argv[3]);
	area = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 1;
	err = xsk_umem__create(&umem, area, (__u64)NUM_FRAMES * FRAME_SIZE, &fq, &cq, NULL);
	if (err) {
		fprintf(stderr, "xsk_umem__create: %s\n", strerror(-err));
		return 1;
	}
	err = xsk_socket__create(&xsk, argv[1], atoi(argv[2]), umem, &rx, NULL, &cfg);
	if (err) {
		fprintf(stderr, "xsk_socket__create: %s\n", strerror(-err));
		return 1;
	}
	n = xsk_ring_prod__reserve(&fq, XSK_RING_PROD__DEFAULT_NUM_DESCS, &idx);
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&fq, idx + i) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&fq, n);
	printf("ready\n");
	fflush(stdout);
	t0 = now();
	while (now() - t0 < secs) {
		n = xsk_ring_cons__peek(&rx, BATCH, &idx);
		if (!n) {
			if (use_poll) {
				struct pollfd pfd = { .fd = xsk_socket__fd(xsk), .events = POLLIN };

				poll(&pfd, 1, 100);
			} else if (xsk_ring_prod__needs_wakeup(&fq)) {
				recvfrom(xsk_socket__fd(xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
			}
			continue;
		}
		while (xsk_ring_prod__reserve(&fq, n, &fidx) != n)
			;
		for (i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&fq, fidx + i) =
				xsk_ring_cons__rx_desc(&rx, idx + i)->addr;
		xsk_ring_prod__submit(&fq, n);
		xsk_ring_cons__release(&rx, n);
		total += n;
	}
	printf("total %llu packets in %.2f s\n", total, now() - t0);
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	return 0;
}
