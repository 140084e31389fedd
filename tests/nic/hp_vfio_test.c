// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hp_vfio_test: the guest-side driver of the VFIO tests and benchmark (tests/vm/guest/
 * test_vfio_*.sh, tests/bench/bench_vfio.sh). Each mode prints one summary line
 * "key=value ..." and exits 0 only when what it checked holds.
 *
 *   ping PORT IP PEER_IP PEER_MAC [COUNT [SIZE]]
 *	send COUNT ICMP echo requests from PORT ("vfio:BDF") to a NIC the guest kernel drives
 *	and check every reply: IP and ICMP checksums, addresses, id/seq, payload byte for byte.
 *	Answers ARP for IP so the kernel can reply.
 *   promisc PORT PEER_IFACE
 *	frames to a foreign unicast MAC, sent by the kernel on PEER_IFACE: not received with
 *	promiscuous mode off, received with it on.
 *   txgen PORT SECONDS [SIZE]       send UDP broadcast frames for SECONDS; print pps
 *   rxdrop PORT SECONDS             count received frames for SECONDS; print pps
 *   pkt-tx IFACE SECONDS [SIZE [DST_MAC]]  the same as txgen through AF_PACKET on a kernel NIC
 *   pkt-reflect IFACE PORT_MAC [N]  send N frames from IFACE's own MAC to PORT_MAC; count those
 *                                   that come back with the MACs swapped (hp-l2fwd on the port)
 *   pkt-rx IFACE SECONDS            the same as rxdrop through AF_PACKET on a kernel NIC
 *   pkt-pair IFACE_A IFACE_B        20 frames each way between two kernel NICs (AF_PACKET)
 *   info PORT                       mode, MAC, link
 *   mq BDF IP_BASE PEER_IP PEER_MAC two rx/tx queue pairs through the driver API, RSS spread
 *   bind BDF [--force] / unbind BDF what `xdpctl nic bind/unbind` does (hp_nic_bind/unbind)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <hybridpath/port.h>
#include "nic/nic.h"

#define BURST 32

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (; len > 1; len -= 2, b += 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static int parse_mac(const char *s, uint8_t m[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6 ? 0 : -1;
}

static struct hp_port *open_port(const char *spec)
{
	struct hp_port *p = hp_port_open(spec, NULL);

	if (!p)
		fprintf(stderr, "hp_vfio_test: cannot open %s: %s\n", spec, strerror(errno));
	return p;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)p[0] << 8 | p[1];
}

static uint8_t pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131 + i * 7 + (i >> 8));
}

/* Ethernet + IPv4 + ICMP echo request, payload from pattern(). Returns the frame length. */
static uint32_t build_echo(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t sip,
			   uint32_t dip, uint16_t id, uint16_t seq, uint32_t size)
{
	uint8_t *ip = f + 14, *icmp = ip + 20;
	uint32_t i;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	put16(f + 12, ETH_P_IP);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + size);
	put16(ip + 4, seq);
	ip[8] = 64;
	ip[9] = IPPROTO_ICMP;
	memcpy(ip + 12, &sip, 4);
	memcpy(ip + 16, &dip, 4);
	put16(ip + 10, csum(ip, 20, 0));
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	for (i = 0; i < size; i++)
		icmp[8 + i] = pattern(seq, i);
	put16(icmp + 2, csum(icmp, 8 + size, 0));
	return 14 + 20 + 8 + size;
}

/* ARP request for our IP: turn the buffer into the reply (RFC 826). */
static bool arp_reply(struct hp_buf *b, const uint8_t *mymac, uint32_t myip)
{
	uint8_t *f = b->data, *a = f + 14;
	uint32_t tip;

	if (b->len < 42 || get16(f + 12) != ETH_P_ARP || get16(a + 6) != 1)
		return false;
	memcpy(&tip, a + 24, 4);
	if (tip != myip)
		return false;
	memcpy(f, f + 6, 6);
	memcpy(f + 6, mymac, 6);
	put16(a + 6, 2);
	memcpy(a + 18, a + 8, 10);	/* target = old sender (MAC + IP) */
	memcpy(a + 8, mymac, 6);
	memcpy(a + 14, &myip, 4);
	b->len = 42;
	return true;
}

static int cmd_ping(int argc, char **argv)
{
	uint32_t count = argc > 5 ? atoi(argv[5]) : 100, size = argc > 6 ? atoi(argv[6]) : 56;
	uint32_t sent = 0, ok = 0, bad = 0, dup = 0, other = 0, i, sip, dip;
	uint16_t id = getpid() & 0xffff;
	uint8_t mymac[6], peer[6], *seen;
	struct hp_buf *bufs[BURST];
	struct hp_nic_dev_stats dev = { 0 };
	struct hp_port_stats st;
	struct hp_nic *nic;
	struct hp_port *p;
	double deadline;
	int rc = 1;

	if (argc < 5 || inet_pton(AF_INET, argv[2], &sip) != 1 ||
	    inet_pton(AF_INET, argv[3], &dip) != 1 || parse_mac(argv[4], peer) ||
	    !count || count > 65535 || size < 8 || size > 1472) {
		fprintf(stderr, "usage: hp_vfio_test ping PORT IP PEER_IP PEER_MAC [COUNT [SIZE]]\n");
		return 2;
	}
	seen = calloc(count, 1);
	p = open_port(argv[1]);
	if (!p || !seen)
		goto out;
	hp_port_mac(p, mymac);
	deadline = now() + 10 + count / 20.0;
	while (ok < count && now() < deadline) {
		unsigned int n, k;

		/* Keep up to 8 requests in flight. */
		if (sent < count && sent - ok - bad < 8) {
			n = hp_buf_alloc_bulk(p, bufs, 1);
			if (n == 1) {
				bufs[0]->len = build_echo(bufs[0]->data, peer, mymac, sip, dip, id,
							  sent, size);
				if (hp_port_tx_burst(p, bufs, 1) == 1)
					sent++;
				else
					hp_buf_free(bufs[0]);
			}
		}
		n = hp_port_rx_burst(p, bufs, BURST);
		for (k = 0; k < n; k++) {
			uint8_t *f = bufs[k]->data, *ip = f + 14, *icmp = ip + 20;
			uint32_t len = bufs[k]->len, a, b2;
			uint16_t seq;

			if (arp_reply(bufs[k], mymac, sip)) {
				if (hp_port_tx_burst(p, &bufs[k], 1) != 1)
					hp_buf_free(bufs[k]);
				bufs[k] = NULL;
				continue;
			}
			if (len < 42 || get16(f + 12) != ETH_P_IP || ip[9] != IPPROTO_ICMP ||
			    icmp[0] != 0 || get16(icmp + 4) != id) {
				other++;
				continue;
			}
			memcpy(&a, ip + 12, 4);
			memcpy(&b2, ip + 16, 4);
			seq = get16(icmp + 6);
			if (len != 14 + 20 + 8 + size || csum(ip, 20, 0) || a != dip || b2 != sip ||
			    memcmp(f, mymac, 6) || csum(icmp, 8 + size, 0) || seq >= sent) {
				fprintf(stderr, "bad reply: len %u seq %u (want len %u, sent %u) "
					"ipsum %#x icmpsum %#x src %s dst-mac %s\n", len, seq,
					14 + 20 + 8 + size, sent, csum(ip, 20, 0),
					len >= 42 + size ? csum(icmp, 8 + size, 0) : 0xffff,
					a == dip ? "ok" : "WRONG", memcmp(f, mymac, 6) ? "WRONG" : "ok");
				bad++;
				continue;
			}
			for (i = 0; i < size; i++)
				if (icmp[8 + i] != pattern(seq, i))
					break;
			if (i < size) {
				fprintf(stderr, "payload differs at byte %u of seq %u\n", i, seq);
				bad++;
			} else if (seen[seq]++) {
				dup++;
			} else {
				ok++;
			}
		}
		for (k = 0; k < n; k++)
			if (bufs[k])
				hp_buf_free(bufs[k]);
		if (!n)
			usleep(200);
	}
	hp_port_stats(p, &st);
	nic = hp_vfio_port_nic(p);
	if (nic)
		nic->ops->read_stats(nic, &dev);
	printf("mode=%s sent=%u ok=%u bad=%u dup=%u other=%u tx_completed=%llu "
	       "rx_invalid=%llu dev_counters=%s dev_tx=%llu dev_rx=%llu\n", hp_port_mode(p), sent,
	       ok, bad, dup, other, (unsigned long long)st.tx_completed,
	       (unsigned long long)st.rx_invalid_descs, dev.valid ? "yes" : "no",
	       (unsigned long long)dev.tx_packets, (unsigned long long)dev.rx_packets);
	rc = ok == count && !bad && !dup ? 0 : 1;
	/* The device's own counters (igb) saw at least what we sent and what we accepted. */
	if (dev.valid && (dev.tx_packets < sent || dev.rx_packets < ok)) {
		fprintf(stderr, "device counters below the driver's: tx %llu < %u or rx %llu < %u\n",
			(unsigned long long)dev.tx_packets, sent, (unsigned long long)dev.rx_packets,
			ok);
		rc = 1;
	}
out:
	hp_port_close(p);
	free(seen);
	return rc;
}

/* UDP broadcast frame (ports 9/9, discard). */
static uint32_t build_udp(uint8_t *f, const uint8_t *smac, uint32_t size, uint32_t seq)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint32_t sip = htonl(0x0afa0001), dip = htonl(0x0afa00ff);

	memset(f, 0xff, 6);
	memcpy(f + 6, smac, 6);
	put16(f + 12, ETH_P_IP);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + size);
	ip[8] = 1;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &sip, 4);
	memcpy(ip + 16, &dip, 4);
	put16(ip + 10, csum(ip, 20, 0));
	put16(udp, 9);
	put16(udp + 2, 9);
	put16(udp + 4, 8 + size);
	put16(udp + 6, 0);
	memset(udp + 8, seq & 0xff, size);
	return 14 + 20 + 8 + size;
}

static volatile sig_atomic_t stop;

static void on_sig(int s)
{
	stop = 1;
}

static int cmd_txgen(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 5, t0, dt;
	uint32_t size = argc > 3 ? atoi(argv[3]) : 18, n, k;
	struct hp_buf *bufs[BURST];
	struct hp_port_stats st;
	uint64_t total = 0;
	uint8_t mac[6];
	struct hp_port *p = open_port(argv[1]);

	if (!p)
		return 1;
	hp_port_mac(p, mac);
	t0 = now();
	while (!stop && now() - t0 < secs) {
		n = hp_buf_alloc_bulk(p, bufs, BURST);
		for (k = 0; k < n; k++)
			bufs[k]->len = build_udp(bufs[k]->data, mac, size, total + k);
		k = hp_port_tx_burst(p, bufs, n);
		total += k;
		if (k < n)
			hp_buf_free_bulk(bufs + k, n - k);
	}
	dt = now() - t0;
	hp_port_flush(p);
	hp_port_stats(p, &st);
	printf("mode=%s tx=%llu completed=%llu seconds=%.2f pps=%.0f\n", hp_port_mode(p),
	       (unsigned long long)total, (unsigned long long)st.tx_completed, dt, total / dt);
	hp_port_close(p);
	return total ? 0 : 1;
}

static int cmd_rxdrop(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 5, t0, t1 = 0, dt;
	struct hp_buf *bufs[BURST];
	uint64_t total = 0;
	struct hp_port *p = open_port(argv[1]);
	unsigned int n;

	if (!p)
		return 1;
	t0 = now();
	while (!stop && now() - t0 < secs) {
		n = hp_port_rx_burst(p, bufs, BURST);
		if (n) {
			if (!total)
				t1 = now();
			total += n;
			hp_buf_free_bulk(bufs, n);
		}
	}
	dt = now() - (t1 ? t1 : t0);
	printf("mode=%s rx=%llu seconds=%.2f pps=%.0f\n", hp_port_mode(p),
	       (unsigned long long)total, dt, total / dt);
	hp_port_close(p);
	return 0;
}

static int pkt_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	sll.sll_ifindex = if_nametoindex(ifname);
	if (fd < 0 || !sll.sll_ifindex || bind(fd, (void *)&sll, sizeof(sll))) {
		fprintf(stderr, "hp_vfio_test: AF_PACKET on %s: %s\n", ifname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int cmd_pkt_tx(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 5, t0, dt;
	uint32_t size = argc > 3 ? atoi(argv[3]) : 18, len;
	uint8_t f[2048], mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint64_t total = 0;
	int fd = pkt_socket(argv[1]);

	if (fd < 0)
		return 1;
	if (size > 1472)
		size = 1472;
	len = build_udp(f, mac, size, 0);
	if (argc > 4 && parse_mac(argv[4], f)) {
		fprintf(stderr, "hp_vfio_test: bad MAC '%s'\n", argv[4]);
		close(fd);
		return 2;
	}
	t0 = now();
	/* Non-blocking: a stalled device must not hang the loop past its time. */
	while (!stop && now() - t0 < secs)
		if (send(fd, f, len, MSG_DONTWAIT) == (ssize_t)len)
			total++;
	dt = now() - t0;
	printf("mode=af_packet tx=%llu seconds=%.2f pps=%.0f\n", (unsigned long long)total, dt,
	       total / dt);
	close(fd);
	return total ? 0 : 1;
}

static int cmd_pkt_rx(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 5, t0, t1 = 0, dt;
	uint8_t f[2048];
	uint64_t total = 0;
	int fd = pkt_socket(argv[1]);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (fd < 0)
		return 1;
	t0 = now();
	while (!stop && now() - t0 < secs) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while (recv(fd, f, sizeof(f), MSG_DONTWAIT) > 0) {
			if (!total)
				t1 = now();
			total++;
		}
	}
	dt = now() - (t1 ? t1 : t0);
	printf("mode=af_packet rx=%llu seconds=%.2f pps=%.0f\n", (unsigned long long)total, dt,
	       total / dt);
	close(fd);
	return 0;
}

/* Frames from the kernel to a MAC nobody has: only a promiscuous port sees them. */
static uint64_t count_foreign(struct hp_port *p, int fd, const uint8_t *dmac, int frames)
{
	uint8_t f[128], smac[6] = { 2, 0, 0, 0, 0, 2 };
	struct hp_buf *bufs[BURST];
	uint64_t got = 0;
	uint32_t len = build_udp(f, smac, 18, 0);
	double t0;
	unsigned int n, k;
	int i;

	memcpy(f, dmac, 6);
	for (i = 0; i < frames; i++)
		send(fd, f, len, 0);
	t0 = now();
	while (now() - t0 < 1.0) {
		n = hp_port_rx_burst(p, bufs, BURST);
		for (k = 0; k < n; k++)
			if (bufs[k]->len >= 14 && !memcmp(bufs[k]->data, dmac, 6))
				got++;
		hp_buf_free_bulk(bufs, n);
	}
	return got;
}

static int cmd_promisc(int argc, char **argv)
{
	const uint8_t foreign[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct hp_port *p = open_port(argv[1]);
	uint64_t off = 0, on = 0;
	struct hp_nic *nic;
	int fd = -1, rc = 1, err;

	if (!p || argc < 3)
		goto out;
	fd = pkt_socket(argv[2]);
	nic = hp_vfio_port_nic(p);
	if (fd < 0 || !nic)
		goto out;
	err = nic->ops->set_promisc(nic, false);
	if (!err)
		off = count_foreign(p, fd, foreign, 20);
	if (!err)
		err = nic->ops->set_promisc(nic, true);
	if (!err)
		on = count_foreign(p, fd, foreign, 20);
	printf("mode=%s promisc_off=%llu promisc_on=%llu err=%d\n", hp_port_mode(p),
	       (unsigned long long)off, (unsigned long long)on, err);
	rc = !err && off == 0 && on == 20 ? 0 : 1;
out:
	if (fd >= 0)
		close(fd);
	hp_port_close(p);
	return rc;
}

/* Kernel driver check: frames sent through AF_PACKET on A arrive on B and the other way. */
static int pkt_one_way(int fa, int fb, const uint8_t *smac, int frames)
{
	uint8_t f[256], r[2048];
	struct pollfd pfd = { .fd = fb, .events = POLLIN };
	int i, got = 0;
	double t0;
	ssize_t n;

	memset(f, 0xff, 6);
	memcpy(f + 6, smac, 6);
	put16(f + 12, 0x88b5);		/* IEEE 802 local experimental ethertype */
	while (recv(fb, r, sizeof(r), MSG_DONTWAIT) > 0)
		;
	for (i = 0; i < frames; i++) {
		memset(f + 14, i, sizeof(f) - 14);
		if (send(fa, f, sizeof(f), 0) != sizeof(f))
			return -1;
	}
	t0 = now();
	while (got < frames && now() - t0 < 3) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((n = recv(fb, r, sizeof(r), MSG_DONTWAIT)) > 0)
			if (n == sizeof(f) && !memcmp(r + 6, smac, 6) && get16(r + 12) == 0x88b5)
				got++;
	}
	return got;
}

static int cmd_pkt_pair(int argc, char **argv)
{
	const uint8_t ma[6] = { 2, 0, 0, 0, 0xa, 1 }, mb[6] = { 2, 0, 0, 0, 0xb, 1 };
	int fa = pkt_socket(argv[1]), fb = argc > 2 ? pkt_socket(argv[2]) : -1, ab = -1, ba = -1;

	if (fa >= 0 && fb >= 0) {
		ab = pkt_one_way(fa, fb, ma, 20);
		ba = pkt_one_way(fb, fa, mb, 20);
	}
	printf("a_to_b=%d b_to_a=%d of 20\n", ab, ba);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return ab == 20 && ba == 20 ? 0 : 1;
}

static int cmd_pkt_reflect(int argc, char **argv)
{
	int n = argc > 3 ? atoi(argv[3]) : 50, fd = argc > 2 ? pkt_socket(argv[1]) : -1, i;
	uint8_t f[128], r[2048], me[6], port[6];
	struct sockaddr_ll from;
	socklen_t fl;
	char path[128];
	int got = 0, bad = 0;
	FILE *mf;
	double t0;
	ssize_t k;

	if (fd < 0 || parse_mac(argv[2], port))
		return 2;
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", argv[1]);
	mf = fopen(path, "r");
	if (!mf || !fgets((char *)r, 64, mf) || parse_mac((char *)r, me))
		return 2;
	fclose(mf);
	memcpy(f, port, 6);
	memcpy(f + 6, me, 6);
	put16(f + 12, 0x88b5);
	for (i = 0; i < n; i++) {
		memset(f + 14, i, sizeof(f) - 14);
		if (send(fd, f, sizeof(f), 0) != sizeof(f))
			break;
		usleep(1000);
	}
	t0 = now();
	while (got + bad < n && now() - t0 < 3) {
		fl = sizeof(from);
		k = recvfrom(fd, r, sizeof(r), MSG_DONTWAIT, (void *)&from, &fl);
		if (k < 0) {
			usleep(1000);
			continue;
		}
		if (from.sll_pkttype == PACKET_OUTGOING || k < 14 || get16(r + 12) != 0x88b5)
			continue;
		if (k == sizeof(f) && !memcmp(r, me, 6) && !memcmp(r + 6, port, 6) &&
		    r[14] == r[sizeof(f) - 1])
			got++;
		else
			bad++;
	}
	printf("sent=%d reflected=%d bad=%d\n", n, got, bad);
	close(fd);
	return got == n && !bad ? 0 : 1;
}

/* Multiple queues through the driver API: echo requests from 16 source addresses go out on tx
 * queues 0 and 1 alternately; the replies are spread by the device's RSS over rx queues 0 and 1.
 * Every reply must arrive (checksums, payload) and both rx queues must have received some. */
/* mq runs on the driver API directly, or (with "port") on two port-API ports of one device:
 * vfio:BDF,queues=2 (queue 0) and vfio:BDF,queue=1. */
struct mq_io {
	struct hp_nic *nic;
	struct hp_port *port[2];	/* NULL: driver API */
};

static unsigned int mq_rx(struct mq_io *io, unsigned int q, struct hp_buf **b, unsigned int n)
{
	return io->port[0] ? hp_port_rx_burst(io->port[q], b, n) :
			     hp_nic_rx_burst(io->nic, q, b, n);
}

static unsigned int mq_tx(struct mq_io *io, unsigned int q, struct hp_buf **b, unsigned int n)
{
	return io->port[0] ? hp_port_tx_burst(io->port[q], b, n) :
			     hp_nic_tx_burst(io->nic, q, b, n);
}

static unsigned int mq_alloc(struct mq_io *io, struct hp_buf **b)
{
	return io->port[0] ? hp_buf_alloc_bulk(io->port[0], b, 1) :
			     hp_mempool_alloc(io->nic->mp, b, 1);
}

static void mq_free(struct mq_io *io, struct hp_buf **b)
{
	if (io->port[0])
		hp_buf_free_bulk(b, 1);
	else
		hp_mempool_free(io->nic->mp, b, 1);
}

static int mq_open(struct mq_io *io, const char *bdf, bool port)
{
	HP_OPTS(hp_nic_opts, o, .num_rxq = 2, .num_txq = 2, .buf_size = 4096, .num_bufs = 2048);
	HP_OPTS(hp_port_opts, po, .num_bufs = 2048);
	char spec[96];

	if (!port) {
		io->nic = hp_nic_open(bdf, &o);
		return io->nic ? 0 : -errno;
	}
	snprintf(spec, sizeof(spec), "vfio:%s,queues=2", bdf);
	io->port[0] = hp_port_open(spec, &po);
	snprintf(spec, sizeof(spec), "vfio:%s,queue=1", bdf);
	io->port[1] = io->port[0] ? hp_port_open(spec, &po) : NULL;
	if (!io->port[1])
		return -errno;
	io->nic = hp_vfio_port_nic(io->port[0]);
	/* both ports must sit on one device, not two opens of it */
	return io->nic == hp_vfio_port_nic(io->port[1]) ? 0 : -EXDEV;
}

static void mq_close(struct mq_io *io)
{
	if (io->port[0] || io->port[1]) {
		hp_port_close(io->port[1]);
		hp_port_close(io->port[0]);
	} else {
		hp_nic_close(io->nic);
	}
}

/* With queues 0 and 1 of bdf open as ports: what must be refused, with which errno. */
static int mq_refusals(const char *bdf)
{
	static const struct { const char *opts; int err; } cases[] = {
		{ "queue=1", EBUSY },		/* taken */
		{ "queue=2", EINVAL },		/* the device has 2 queue pairs */
		{ "queues=4", EINVAL },		/* already open with 2 */
		{ "queue=0,irq", EINVAL },	/* other options than the first open */
		{ "queues=0", EINVAL },
		{ "queue=x", EINVAL },
	};
	struct hp_port *x;
	char spec[96];
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(spec, sizeof(spec), "vfio:%s,%s", bdf, cases[i].opts);
		errno = 0;
		x = hp_port_open(spec, NULL);
		if (!x && errno == cases[i].err)
			continue;
		printf("refusal: %s: %s (want %s)\n", spec, x ? "opened" : strerror(errno),
		       strerror(cases[i].err));
		hp_port_close(x);
		bad++;
	}
	printf("refusals: %zu of %zu as expected\n", i - bad, i);
	return bad;
}

static int cmd_mq(int argc, char **argv)
{
	uint32_t base, dip, sip, ok = 0, bad = 0, rxq[2] = { 0, 0 }, sent = 0, i, count = 64;
	uint8_t peer[6], *seen = calloc(count, 1);
	struct hp_buf *b[BURST];
	struct mq_io io = {};
	struct hp_nic *nic;
	double deadline;
	unsigned int q, n, k;
	int rc = 1;
	bool port = argc > 5 && !strcmp(argv[5], "port");
	int err;

	if (argc < 5 || inet_pton(AF_INET, argv[2], &base) != 1 ||
	    inet_pton(AF_INET, argv[3], &dip) != 1 || parse_mac(argv[4], peer) || !seen) {
		fprintf(stderr, "usage: hp_vfio_test mq BDF IP_BASE PEER_IP PEER_MAC [port]\n");
		free(seen);
		return 2;
	}
	err = mq_open(&io, argv[1], port);
	if (err) {
		fprintf(stderr, "hp_vfio_test: mq open %s%s: %s\n", argv[1],
			port ? " (two ports)" : "", strerror(-err));
		goto out;
	}
	nic = io.nic;
	deadline = now() + 20;
	while (ok < count && now() < deadline) {
		if (sent < count && sent - ok - bad < 8 && mq_alloc(&io, b)) {
			sip = htonl(ntohl(base) + sent % 16);
			b[0]->len = build_echo(b[0]->data, peer, nic->mac, sip, dip, 0x4d51, sent, 64);
			if (mq_tx(&io, sent % 2, b, 1) == 1)
				sent++;
			else
				mq_free(&io, b);
		}
		for (q = 0; q < 2; q++) {
			n = mq_rx(&io, q, b, BURST);
			for (k = 0; k < n; k++) {
				uint8_t *f = b[k]->data, *ip = f + 14, *icmp = ip + 20;
				uint32_t a, tip, myip;
				uint16_t seq;

				/* ARP for any of our 16 addresses */
				memcpy(&tip, f + 14 + 24, 4);
				if (b[k]->len >= 42 && get16(f + 12) == ETH_P_ARP &&
				    ntohl(tip) - ntohl(base) < 16) {
					myip = tip;
					if (arp_reply(b[k], nic->mac, myip) &&
					    mq_tx(&io, 0, &b[k], 1) == 1)
						b[k] = NULL;
					continue;
				}
				if (b[k]->len != 14 + 20 + 8 + 64 || get16(f + 12) != ETH_P_IP ||
				    ip[9] != IPPROTO_ICMP || icmp[0] != 0 || get16(icmp + 4) != 0x4d51)
					continue;
				memcpy(&a, ip + 12, 4);
				seq = get16(icmp + 6);
				if (csum(ip, 20, 0) || csum(icmp, 8 + 64, 0) || a != dip || seq >= sent) {
					bad++;
					continue;
				}
				for (i = 0; i < 64 && icmp[8 + i] == pattern(seq, i); i++)
					;
				if (i < 64 || seen[seq]++) {
					bad++;
					continue;
				}
				ok++;
				rxq[q]++;
			}
			for (k = 0; k < n; k++)
				if (b[k])
					mq_free(&io, &b[k]);
		}
		usleep(100);
	}
	printf("mode=%s %s rxq=%u txq=%u sent=%u ok=%u bad=%u rxq0=%u rxq1=%u\n",
	       port ? "port" : "vfio", nic->ops->name, nic->num_rxq, nic->num_txq, sent, ok, bad, rxq[0], rxq[1]);
	rc = ok == count && !bad && rxq[0] && rxq[1] ? 0 : 1;
	if (port && mq_refusals(argv[1]))
		rc = 1;
out:
	mq_close(&io);
	free(seen);
	return rc;
}

static int cmd_info(int argc, char **argv)
{
	struct hp_port *p = open_port(argv[1]);
	struct hp_nic *nic;
	uint8_t m[6];

	if (!p)
		return 1;
	nic = hp_vfio_port_nic(p);
	hp_port_mac(p, m);
	printf("mode=%s mac=%02x:%02x:%02x:%02x:%02x:%02x link=%d rxq=%u txq=%u rx_size=%u "
	       "tx_size=%u\n", hp_port_mode(p), m[0], m[1], m[2], m[3], m[4], m[5],
	       nic ? nic->ops->link_up(nic) : -1, nic ? nic->num_rxq : 0, nic ? nic->num_txq : 0,
	       nic ? nic->rx_size : 0, nic ? nic->tx_size : 0);
	hp_port_close(p);
	return 0;
}

/* The library calls behind `xdpctl nic bind|unbind` (xdpctl builds only with steering). */
static int cmd_bind(int argc, char **argv)
{
	int err = hp_nic_bind(argv[1], argc > 2 && !strcmp(argv[2], "--force"));

	if (err)
		fprintf(stderr, "hp_vfio_test: bind %s: %s\n", argv[1], strerror(-err));
	return !!err;
}

static int cmd_unbind(int argc, char **argv)
{
	int err = hp_nic_unbind(argv[1]);

	if (err)
		fprintf(stderr, "hp_vfio_test: unbind %s: %s\n", argv[1], strerror(-err));
	return !!err;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "ping", cmd_ping }, { "promisc", cmd_promisc }, { "txgen", cmd_txgen },
		{ "rxdrop", cmd_rxdrop }, { "pkt-tx", cmd_pkt_tx }, { "pkt-rx", cmd_pkt_rx },
		{ "pkt-pair", cmd_pkt_pair }, { "pkt-reflect", cmd_pkt_reflect },
		{ "bind", cmd_bind }, { "unbind", cmd_unbind }, { "mq", cmd_mq },
		{ "info", cmd_info },
	};
	size_t i;

	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		goto usage;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
usage:
	fprintf(stderr, "usage: hp_vfio_test ping|promisc|txgen|rxdrop|pkt-tx|pkt-rx|info ...\n"
		"(see the comment at the top of tests/nic/hp_vfio_test.c)\n");
	return 2;
}
