// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hp-txgen: UDP generator on a port: frame size, rate, count; rates every second. */
#include <errno.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include "app_common.h"

#define BURST 64

static void usage(void)
{
	fprintf(stderr, "usage: hp-txgen PORT [--size BYTES] [--rate PPS] [--count N] "
		"[--duration SECS]\n"
		"       [--dst-mac MAC] [--src-ip A] [--dst-ip A] [--sport P] [--dport P]\n"
		"       [--quiet]\n"
		"  send UDP/IPv4 frames of BYTES (60..max frame, default 64) on PORT, at most PPS\n"
		"  per second (0: as fast as possible), N in all (0: until --duration or Ctrl-C)\n"
		APP_PORT_USAGE);
}

static __u16 csum(const void *p, int len)
{
	const __u16 *w = p;
	__u32 s = 0;

	for (; len > 1; len -= 2)
		s += *w++;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static int parse_mac(const char *s, __u8 *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "size", required_argument, NULL, 's' }, { "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'M' },
		{ "src-ip", required_argument, NULL, 'S' },
		{ "dst-ip", required_argument, NULL, 'D' },
		{ "sport", required_argument, NULL, 'p' },
		{ "dport", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		APP_PORT_OPTS, {}
	};
	HP_OPTS(hp_port_opts, o);
	__u8 tmpl[2048] = {}, dmac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct ethhdr *eth = (void *)tmpl;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u32 size = 64, saddr = htonl(0x0afa0001), daddr = htonl(0x0afa0002);
	__u16 sport = 9, dport = 9;
	double rate = 0, duration = 0, t0, tlast, tprev, now, credit = BURST;
	__u64 count = 0, sent = 0, lsent = 0;
	struct hp_buf *bufs[BURST];
	struct hp_port_stats st;
	struct hp_port *port;
	unsigned int n, i, k;
	bool quiet = false;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "s:r:c:d:qh", lo, NULL)) != -1) {
		if ((r = app_port_opt(opt, optarg, &o))) {
			if (r < 0)
				return 2;
			continue;
		}
		switch (opt) {
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'r': rate = atof(optarg); break;
		case 'c': count = strtoull(optarg, NULL, 0); break;
		case 'd': duration = atof(optarg); break;
		case 'M':
			if (parse_mac(optarg, dmac)) {
				fprintf(stderr, "hp-txgen: bad MAC '%s' (aa:bb:cc:dd:ee:ff)\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
		case 'D':
			if (inet_pton(AF_INET, optarg, opt == 'S' ? &saddr : &daddr) != 1) {
				fprintf(stderr, "hp-txgen: bad IPv4 address '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p': sport = atoi(optarg); break;
		case 'P': dport = atoi(optarg); break;
		case 'q': quiet = true; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind != argc - 1) {
		usage();
		return 2;
	}
	if (size < 60 || size > sizeof(tmpl)) {
		fprintf(stderr, "hp-txgen: --size %u out of range 60..%zu\n", size, sizeof(tmpl));
		return 2;
	}
	port = hp_port_open(argv[optind], &o);
	if (!port) {
		fprintf(stderr, "hp-txgen: cannot open %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	if (size > hp_port_max_frame(port)) {
		fprintf(stderr, "hp-txgen: --size %u larger than the port's frames (%u)\n", size,
			hp_port_max_frame(port));
		hp_port_close(port);
		return 2;
	}
	memcpy(eth->h_dest, dmac, 6);
	hp_port_mac(port, eth->h_source);
	eth->h_proto = htons(ETH_P_IP);
	*ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP,
			      .tot_len = htons(size - sizeof(*eth)),
			      .saddr = saddr, .daddr = daddr };
	ip->check = csum(ip, sizeof(*ip));
	udp->source = htons(sport);
	udp->dest = htons(dport);
	udp->len = htons(size - sizeof(*eth) - sizeof(*ip));
	fprintf(stderr, "hp-txgen: %s, %s, %u-byte frames\n", hp_port_name(port),
		hp_port_mode(port), size);
	app_signals();
	t0 = tlast = tprev = app_now();
	while (!app_stop && (!count || sent < count)) {
		n = BURST;
		if (count && count - sent < n)
			n = count - sent;
		now = app_now();
		if (rate) {
			/* token bucket: at most rate frames per second, bursts of up to BURST */
			credit += (now - tprev) * rate;
			tprev = now;
			if (credit > BURST)
				credit = BURST;
			if (credit < n)
				n = credit;
		}
		n = n ? hp_buf_alloc_bulk(port, bufs, n) : 0;
		for (i = 0; i < n; i++) {
			memcpy(bufs[i]->data, tmpl, size);
			bufs[i]->len = size;
		}
		k = n ? hp_port_tx_burst(port, bufs, n) : 0;
		if (k < n)
			hp_buf_free_bulk(bufs + k, n - k);
		if (!k)
			hp_port_flush(port);
		sent += k;
		if (rate)
			credit -= k;
		if (now - tlast >= 1.0) {
			if (!quiet) {
				printf("tx %12.0f pps  total %llu\n",
				       (sent - lsent) / (now - tlast), (unsigned long long)sent);
				fflush(stdout);
			}
			lsent = sent;
			tlast = now;
		}
		if (duration && now - t0 >= duration)
			break;
	}
	/* let the last frames complete */
	for (i = 0; i < 100; i++)
		hp_port_flush(port);
	now = app_now();
	hp_port_stats(port, &st);
	printf("total tx %llu packets in %.2f s (%.0f pps); completed %llu\n",
	       (unsigned long long)sent, now - t0, sent / (now - t0),
	       (unsigned long long)st.tx_completed);
	hp_port_close(port);
	return 0;
}
