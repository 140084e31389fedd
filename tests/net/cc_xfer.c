// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hp_cc_xfer: bulk TCP transfer for the cc tests and benchmark, with the congestion control set
 * per socket (TCP_CONGESTION), an end-to-end checksum and TCP_INFO sampling on the sender.
 *
 *   hp_cc_xfer recv -a ADDR -p PORT [-c CC] [-N] [-t SECS] [-R FILE]
 *	accept one connection, read to EOF, print "bytes=N sum=HEX cc=NAME"; with -R, create
 *	FILE once listening, so that the sender can connect at the first try (a SYN that races
 *	the listener and is retransmitted makes the kernel drop ECN for the connection)
 *   hp_cc_xfer send -a ADDR -p PORT -n BYTES [-c CC] [-s SEED] [-i USECS] [-o TRACE] [-N]
 *		     [-t SECS]
 *	send BYTES of seeded pseudo-random data, print "bytes=N sum=HEX secs=S mbps=M cc=NAME
 *	retrans=R"; with -o, sample TCP_INFO every USECS (default 1000) into TRACE as
 *	"t_us cwnd ssthresh srtt_us total_retrans ca_state" lines
 *   hp_cc_xfer hold -a ADDR -p PORT -c CC
 *	listen with CC set on the listener and wait (until killed or -t): a socket using CC
 *
 * -N skips the checksum (benchmarks: keeps the CPU for the transfer). -t bounds the run time.
 * The checksum is a word-wise FNV-1a over the byte stream, independent of read/write sizes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (256 * 1024)
#define MAX_SAMPLES 400000

struct sum {
	uint64_t h, carry;
	unsigned int ncarry;
};

static void sum_init(struct sum *s)
{
	s->h = 0xcbf29ce484222325ULL;
	s->carry = 0;
	s->ncarry = 0;
}

static inline void sum_word(struct sum *s, uint64_t w)
{
	s->h = (s->h ^ w) * 0x100000001b3ULL;
}

static void sum_update(struct sum *s, const unsigned char *p, size_t n)
{
	while (n && s->ncarry) {
		s->carry |= (uint64_t)*p++ << (8 * s->ncarry++);
		n--;
		if (s->ncarry == 8) {
			sum_word(s, s->carry);
			s->carry = 0;
			s->ncarry = 0;
		}
	}
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		sum_word(s, w);
	}
	while (n--) {
		if (!s->ncarry)
			s->carry = 0;
		s->carry |= (uint64_t)*p++ << (8 * s->ncarry++);
	}
}

static uint64_t sum_final(struct sum *s)
{
	if (s->ncarry)
		sum_word(s, s->carry ^ ((uint64_t)s->ncarry << 56));
	return s->h;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct {
	const char *addr, *cc, *trace, *ready;
	int port, timeout, interval_us;
	unsigned long long bytes, seed;
	bool nosum;
} o = { .port = 5201, .interval_us = 1000, .seed = 1, .timeout = 120 };

static int sock_addr(struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, o.addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(o.port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, o.addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(o.port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	fprintf(stderr, "hp_cc_xfer: bad address '%s'\n", o.addr);
	return -1;
}

static int set_cc(int fd)
{
	if (o.cc && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, o.cc, strlen(o.cc))) {
		fprintf(stderr, "hp_cc_xfer: setsockopt(TCP_CONGESTION, %s): %s (is it loaded? "
			"see net.ipv4.tcp_available_congestion_control)\n", o.cc, strerror(errno));
		return -1;
	}
	return 0;
}

static void get_cc(int fd, char *buf, socklen_t len)
{
	if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, buf, &len))
		snprintf(buf, 16, "?");
	buf[len < 16 ? len : 15] = 0;
}

static int listen_sock(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = sock_addr(&ss, &len), fd, one = 1;

	if (fam < 0)
		return -1;
	fd = socket(fam, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    set_cc(fd) || bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 4)) {
		perror("hp_cc_xfer: listen");
		return -1;
	}
	return fd;
}

static int do_recv(void)
{
	static unsigned char buf[CHUNK];
	unsigned long long total = 0;
	char cc[16];
	struct sum s;
	int lfd = listen_sock(), fd;
	ssize_t n;

	if (lfd < 0)
		return 1;
	if (o.ready) {
		FILE *f = fopen(o.ready, "w");

		if (!f) {
			perror(o.ready);
			return 1;
		}
		fclose(f);
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("hp_cc_xfer: accept");
		return 1;
	}
	sum_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!o.nosum)
			sum_update(&s, buf, n);
		total += n;
	}
	if (n < 0) {
		perror("hp_cc_xfer: read");
		return 1;
	}
	get_cc(fd, cc, sizeof(cc));
	printf("bytes=%llu sum=%016llx cc=%s\n", total, (unsigned long long)sum_final(&s), cc);
	close(fd);
	close(lfd);
	return 0;
}

static int do_hold(void)
{
	int lfd = listen_sock();

	if (lfd < 0)
		return 1;
	printf("listening\n");
	fflush(stdout);
	pause();
	return 0;
}

struct sample {
	uint32_t t_us, cwnd, ssthresh, rtt, retrans, state;
};
static struct sample *samples;
static volatile size_t nsamples;
static volatile bool sampling = true;
static int sample_fd;

static void *sampler(void *arg)
{
	double t0 = *(double *)arg;

	while (sampling && nsamples < MAX_SAMPLES) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (!getsockopt(sample_fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			samples[nsamples] = (struct sample){
				.t_us = (now_s() - t0) * 1e6, .cwnd = ti.tcpi_snd_cwnd,
				.ssthresh = ti.tcpi_snd_ssthresh, .rtt = ti.tcpi_rtt,
				.retrans = ti.tcpi_total_retrans, .state = ti.tcpi_ca_state,
			};
			nsamples++;
		}
		usleep(o.interval_us);
	}
	return NULL;
}

static int do_send(void)
{
	static unsigned char buf[CHUNK];
	unsigned long long left = o.bytes, x = o.seed * 0x9e3779b97f4a7c15ULL + 1;
	struct sockaddr_storage ss;
	struct tcp_info ti;
	socklen_t len, tl = sizeof(ti);
	pthread_t th;
	double t0, t1;
	char cc[16];
	struct sum s;
	int fam = sock_addr(&ss, &len), fd = -1, tries;
	double tc0 = now_s(), tc1;
	size_t i;

	if (fam < 0)
		return 1;
	/* The receiver starts in parallel: retry for up to 5 s. */
	for (tries = 0; tries < 500; tries++) {
		fd = socket(fam, SOCK_STREAM, 0);
		if (fd < 0 || set_cc(fd))
			return 1;
		if (!connect(fd, (struct sockaddr *)&ss, len))
			break;
		close(fd);
		fd = -1;
		usleep(10000);
	}
	if (fd < 0) {
		perror("hp_cc_xfer: connect");
		return 1;
	}
	tc1 = now_s();
	sum_init(&s);
	t0 = now_s();
	if (o.trace) {
		samples = calloc(MAX_SAMPLES, sizeof(*samples));
		sample_fd = fd;
		if (!samples || pthread_create(&th, NULL, sampler, &t0)) {
			fprintf(stderr, "hp_cc_xfer: cannot start the sampler\n");
			return 1;
		}
	}
	while (left) {
		size_t n = left < CHUNK ? left : CHUNK, off = 0;

		for (i = 0; i < n; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(buf + i, &x, 8);
		}
		if (!o.nosum)
			sum_update(&s, buf, n);
		while (off < n) {
			ssize_t w = write(fd, buf + off, n - off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				perror("hp_cc_xfer: write");
				return 1;
			}
			off += w;
		}
		left -= n;
	}
	/* Wait until the peer has everything: goodput counts delivered bytes. */
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	t1 = now_s();
	if (o.trace) {
		FILE *f = fopen(o.trace, "w");

		sampling = false;
		pthread_join(th, NULL);
		if (!f) {
			perror(o.trace);
			return 1;
		}
		for (i = 0; i < nsamples; i++)
			fprintf(f, "%u %u %u %u %u %u\n", samples[i].t_us, samples[i].cwnd,
				samples[i].ssthresh, samples[i].rtt, samples[i].retrans,
				samples[i].state);
		fclose(f);
	}
	get_cc(fd, cc, sizeof(cc));
	memset(&ti, 0, sizeof(ti));
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
	printf("bytes=%llu sum=%016llx secs=%.3f mbps=%.1f cc=%s retrans=%u connect_ms=%.1f "
	       "attempts=%d\n", o.bytes, (unsigned long long)sum_final(&s), t1 - t0,
	       o.bytes * 8 / (t1 - t0) / 1e6, cc, ti.tcpi_total_retrans, (tc1 - tc0) * 1e3,
	       tries + 1);
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: hp_cc_xfer recv|send|hold -a ADDR [-p PORT] [-c CC] [-n BYTES] "
		"[-s SEED] [-i USECS] [-o TRACE] [-N] [-t SECS] [-R FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode;
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "a:p:c:n:s:i:o:Nt:R:")) != -1) {
		switch (c) {
		case 'a': o.addr = optarg; break;
		case 'p': o.port = atoi(optarg); break;
		case 'c': o.cc = optarg; break;
		case 'n': o.bytes = strtoull(optarg, NULL, 0); break;
		case 's': o.seed = strtoull(optarg, NULL, 0); break;
		case 'i': o.interval_us = atoi(optarg); break;
		case 'o': o.trace = optarg; break;
		case 'N': o.nosum = true; break;
		case 't': o.timeout = atoi(optarg); break;
		case 'R': o.ready = optarg; break;
		default: usage();
		}
	}
	if (!o.addr)
		usage();
	alarm(o.timeout);	/* bounded: SIGALRM ends a stuck run */
	if (!strcmp(mode, "recv"))
		return do_recv();
	if (!strcmp(mode, "send"))
		return o.bytes ? do_send() : (usage(), 1);
	if (!strcmp(mode, "hold"))
		return do_hold();
	usage();
	return 2;
}
