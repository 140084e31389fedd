// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Baseline for bench_afxdp.sh: a kernel UDP socket drained with recvmmsg() in batches of 64.
 * usage: udp_recvmmsg ADDR PORT SECONDS; prints "total N packets in T s".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define BATCH 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	unsigned long long total = 0;
	int fd, i, n, rcvbuf = 8 << 20;
	double t0, secs;

	if (argc != 4) {
		fprintf(stderr, "usage: udp_recvmmsg ADDR PORT SECONDS\n");
		return 2;
	}
	secs = atof(argv[3]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 1;
	sa.sin_port = htons(atoi(argv[2]));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("bind");
		return 1;
	}
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	printf("ready\n");
	fflush(stdout);
	t0 = now();
	while (now() - t0 < secs) {
		n = recvmmsg(fd, msgs, BATCH, 0, NULL);
		if (n > 0)
			total += n;
	}
	printf("total %llu packets in %.2f s\n", total, now() - t0);
	close(fd);
	return 0;
}
