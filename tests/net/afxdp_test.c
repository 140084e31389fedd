// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * AF_XDP scenarios after the kernel's xskxceiver (tools/testing/selftests/bpf/xskxceiver.c),
 * on our library and port API. Run by tests/net/test_afxdp_*.sh inside the namespaces they
 * create: --a NS and --b NS name the two namespaces of a veth pair a0 <-> b0. One process opens
 * ports in both (setns before each open: a socket stays in the namespace it was created in)
 * and alternates tx and rx, so no threads are needed.
 *
 * Every frame is Ethernet/IPv4/UDP with a payload carrying (magic, stream, seq, len), a pattern
 * that depends on seq, and an FNV-1a checksum; the receiver checks order, length, pattern and
 * checksum. Exit: 0 pass, 1 fail (reason on stderr), 77 skip (reason on stdout).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <hybridpath/port.h>
#include <hybridpath/xsk.h>

#define MAGIC	0x48505831u	/* "HPX1" */
#define BATCH	32
#define SKIP	77

struct pl {
	__u32 magic, stream, seq, len;
};

static struct {
	const char *ns_a, *ns_b, *serve;
	__u32 frame, headroom, size, count, rx_size, num_bufs;
	bool unaligned, skb, poll, mb, hugepages, busy;
	__u16 dport;
} cfg = { .size = 64, .count = 1000, .dport = 4242 };

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int enter_ns(const char *name)
{
	char path[256];
	int fd, err;

	if (!name)
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open %s: %s", path, strerror(errno));
	err = setns(fd, CLONE_NEWNET);
	close(fd);
	return err ? fail("setns %s: %s", name, strerror(errno)) : 0;
}

static void base_opts(struct hp_port_opts *o)
{
	o->buf_size = cfg.frame;
	o->headroom = cfg.headroom;
	o->rx_size = cfg.rx_size;
	o->num_bufs = cfg.num_bufs;
	o->flags = (cfg.unaligned ? HP_PORT_F_UNALIGNED : 0) | (cfg.skb ? HP_PORT_F_XDP_SKB : 0) |
		   (cfg.mb ? HP_PORT_F_MULTIBUF : 0) | (cfg.hugepages ? HP_PORT_F_HUGEPAGES : 0) |
		   (cfg.busy ? HP_PORT_F_BUSY_POLL : 0);
}

static struct hp_port *open_in(const char *ns, const char *spec, const struct hp_port_opts *o)
{
	struct hp_port *p;

	if (enter_ns(ns))
		return NULL;
	p = hp_port_open(spec, o);
	if (!p)
		fail("hp_port_open(%s): %s", spec, strerror(errno));
	return p;
}

static __u32 fnv(const __u8 *p, __u32 n)
{
	__u32 h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

#define HDRS (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))

static __u16 ip_csum(const void *hdr, int len)
{
	const __u16 *w = hdr;
	__u32 s = 0;

	for (; len > 1; len -= 2)
		s += *w++;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

/* A frame of `size` bytes into buf (linear). */
static void build(__u8 *buf, __u32 size, const __u8 *smac, const __u8 *dmac, __u32 stream,
		  __u32 seq, __u16 dport)
{
	struct ethhdr *eth = (void *)buf;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 *p = (__u8 *)(udp + 1);
	__u32 plen = size - HDRS, i, h;
	struct pl hdr = { MAGIC, stream, seq, size };

	memcpy(eth->h_dest, dmac, 6);
	memcpy(eth->h_source, smac, 6);
	eth->h_proto = htons(ETH_P_IP);
	*ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP,
			      .tot_len = htons(size - sizeof(*eth)),
			      .saddr = htonl(0x0afa0001), .daddr = htonl(0x0afa0002) };
	ip->check = ip_csum(ip, sizeof(*ip));
	udp->source = htons(1000 + stream);
	udp->dest = htons(dport);
	udp->len = htons(plen + sizeof(*udp));
	memcpy(p, &hdr, sizeof(hdr));
	for (i = sizeof(hdr); i < plen - 4; i++)
		p[i] = (seq * 7 + i) & 0xff;
	h = fnv(p, plen - 4);
	memcpy(p + plen - 4, &h, 4);
}

/* Check a received frame (linearised); returns its seq or -1 with the reason in why. */
static long verify(const __u8 *buf, __u32 len, __u32 stream, char *why, size_t wl)
{
	const __u8 *p = buf + HDRS;
	struct pl hdr;
	__u32 plen, h, i;

	if (len < HDRS + sizeof(hdr) + 4) {
		snprintf(why, wl, "frame of %u bytes is too short", len);
		return -1;
	}
	memcpy(&hdr, p, sizeof(hdr));
	plen = len - HDRS;
	if (hdr.magic != MAGIC || hdr.stream != stream || hdr.len != len) {
		snprintf(why, wl, "bad header: magic %x stream %u (want %u) len %u (got %u)",
			 hdr.magic, hdr.stream, stream, hdr.len, len);
		return -1;
	}
	memcpy(&h, p + plen - 4, 4);
	if (h != fnv(p, plen - 4)) {
		snprintf(why, wl, "checksum mismatch in seq %u", hdr.seq);
		return -1;
	}
	for (i = sizeof(hdr); i < plen - 4; i++) {
		if (p[i] != ((hdr.seq * 7 + i) & 0xff)) {
			snprintf(why, wl, "payload byte %u of seq %u differs", i, hdr.seq);
			return -1;
		}
	}
	return hdr.seq;
}

struct flow {
	struct hp_port *tx, *rx;
	__u32 stream, size, count, sent, rcvd;
	__u8 smac[6], dmac[6];
	__u16 dport;
};

static __u8 lin[65536];

/* Put a frame into buffers of tx's pool (a chain when larger than one buffer). */
static struct hp_buf *make_frame(struct flow *f, __u32 seq)
{
	struct hp_buf *segs[32], *head = NULL;
	__u32 off = 0, n, i, cap;

	build(lin, f->size, f->smac, f->dmac, f->stream, seq, f->dport);
	if (hp_buf_alloc_bulk(f->tx, segs, 1) != 1)
		return NULL;
	cap = segs[0]->cap;
	n = (f->size + cap - 1) / cap;
	if (n > 32 || (n > 1 && hp_buf_alloc_bulk(f->tx, segs + 1, n - 1) != n - 1)) {
		hp_buf_free(segs[0]);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		segs[i]->len = f->size - off < cap ? f->size - off : cap;
		memcpy(segs[i]->data, lin + off, segs[i]->len);
		off += segs[i]->len;
		segs[i]->next = i + 1 < n ? segs[i + 1] : NULL;
	}
	head = segs[0];
	return head;
}

static int rx_check(struct flow *f, struct hp_buf *b, char *why, size_t wl)
{
	__u32 len = 0;
	struct hp_buf *s;
	long seq;

	for (s = b; s; s = s->next) {
		if (len + s->len > sizeof(lin)) {
			snprintf(why, wl, "chain longer than %zu bytes", sizeof(lin));
			return -1;
		}
		memcpy(lin + len, s->data, s->len);
		len += s->len;
	}
	if (len != f->size) {
		snprintf(why, wl, "seq %u: frame of %u bytes, sent %u", f->rcvd, len, f->size);
		return -1;
	}
	seq = verify(lin, len, f->stream, why, wl);
	if (seq < 0)
		return -1;
	if ((__u32)seq != f->rcvd) {
		snprintf(why, wl, "stream %u: got seq %ld, expected %u (loss or reorder)",
			 f->stream, seq, f->rcvd);
		return -1;
	}
	f->rcvd++;
	return 0;
}

static int fill_macs(struct flow *f)
{
	if (hp_port_mac(f->tx, f->smac) || hp_port_mac(f->rx, f->dmac))
		return fail("reading MAC addresses failed");
	return 0;
}

/*
 * Run flows until every frame arrived (or timeout). Senders never run more than `window`
 * frames ahead of their receiver, so a correct datapath loses nothing (copy mode on veth
 * drops when the receiver's ring is full, which the stats scenarios test on purpose).
 */
static int run_flows(struct flow *fl, int nf, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct hp_buf *bufs[BATCH];
	char why[256];
	__u32 window = 256;
	int i, done;

	for (;;) {
		done = 0;
		for (i = 0; i < nf; i++) {
			struct flow *f = &fl[i];
			unsigned int n, k, t;

			if (f->rcvd == f->count) {
				done++;
				continue;
			}
			for (n = 0; n < BATCH && f->sent + n < f->count &&
			     f->sent + n < f->rcvd + window; n++) {
				bufs[n] = make_frame(f, f->sent + n);
				if (!bufs[n])
					break;
			}
			t = n ? hp_port_tx_burst(f->tx, bufs, n) : 0;
			for (k = t; k < n; k++)
				hp_buf_free(bufs[k]);
			f->sent += t;
			hp_port_flush(f->tx);
			if (cfg.poll)
				hp_port_wait(f->rx, 10);
			n = hp_port_rx_burst(f->rx, bufs, BATCH);
			for (k = 0; k < n; k++) {
				if (rx_check(f, bufs[k], why, sizeof(why))) {
					hp_buf_free_bulk(bufs + k, n - k);
					return fail("%s", why);
				}
				hp_buf_free(bufs[k]);
			}
		}
		if (done == nf)
			return 0;
		if (now_ms() > deadline) {
			for (i = 0; i < nf; i++)
				fprintf(stderr, "stream %u: sent %u received %u of %u\n",
					fl[i].stream, fl[i].sent, fl[i].rcvd, fl[i].count);
			return fail("timed out after %d ms", timeout_ms);
		}
	}
}

static int sc_xfer(void)
{
	HP_OPTS(hp_port_opts, o);
	struct flow f = { .stream = 1, .size = cfg.size, .count = cfg.count, .dport = cfg.dport };
	int err = 1;

	base_opts(&o);
	f.tx = open_in(cfg.ns_a, "afxdp:a0:0", &o);
	f.rx = f.tx ? open_in(cfg.ns_b, "afxdp:b0:0", &o) : NULL;
	if (!f.rx || fill_macs(&f))
		goto out;
	if (hp_port_bind_mode(f.rx) != HP_PORT_BIND_COPY) {
		err = fail("veth bound as %s, expected copy mode", hp_port_mode(f.rx));
		goto out;
	}
	err = run_flows(&f, 1, 10000);
	if (!err)
		printf("%u frames of %u bytes, mode %s\n", f.rcvd, f.size, hp_port_mode(f.rx));
out:
	hp_port_close(f.rx);
	hp_port_close(f.tx);
	return err;
}

static int sc_bidi(void)
{
	HP_OPTS(hp_port_opts, o);
	struct flow f[2] = {
		{ .stream = 1, .size = cfg.size, .count = cfg.count, .dport = cfg.dport },
		{ .stream = 2, .size = cfg.size, .count = cfg.count, .dport = cfg.dport },
	};
	struct hp_port *a, *b = NULL;
	int err = 1;

	base_opts(&o);
	a = open_in(cfg.ns_a, "afxdp:a0:0", &o);
	b = a ? open_in(cfg.ns_b, "afxdp:b0:0", &o) : NULL;
	if (!b)
		goto out;
	f[0].tx = a, f[0].rx = b;
	f[1].tx = b, f[1].rx = a;
	if (fill_macs(&f[0]) || fill_macs(&f[1]))
		goto out;
	err = run_flows(f, 2, 10000);
out:
	hp_port_close(b);
	hp_port_close(a);
	return err;
}

/* Two queues per side; each side's two sockets share one UMEM (XDP_SHARED_UMEM). */
static int sc_shared(void)
{
	HP_OPTS(hp_port_opts, o);
	struct hp_port *a0 = NULL, *a1 = NULL, *b0 = NULL, *b1 = NULL;
	struct flow f[2] = {
		{ .stream = 1, .size = cfg.size, .count = cfg.count, .dport = cfg.dport },
		{ .stream = 2, .size = cfg.size, .count = cfg.count, .dport = cfg.dport },
	};
	int err = 1;

	base_opts(&o);
	o.num_bufs = 8192;
	if (!(a0 = open_in(cfg.ns_a, "afxdp:a0:0", &o)))
		goto out;
	o.share_with = a0;
	if (!(a1 = open_in(cfg.ns_a, "afxdp:a0:1", &o)))
		goto out;
	o.share_with = NULL;
	if (!(b0 = open_in(cfg.ns_b, "afxdp:b0:0", &o)))
		goto out;
	o.share_with = b0;
	if (!(b1 = open_in(cfg.ns_b, "afxdp:b0:1", &o)))
		goto out;
	if (hp_xsk_umem(hp_port_xsk(b0)) != hp_xsk_umem(hp_port_xsk(b1))) {
		err = fail("queues 0 and 1 do not share one UMEM");
		goto out;
	}
	/* veth hands a frame sent on tx queue N to the peer's rx queue N */
	f[0].tx = a0, f[0].rx = b0;
	f[1].tx = a1, f[1].rx = b1;
	if (fill_macs(&f[0]) || fill_macs(&f[1]))
		goto out;
	err = run_flows(f, 2, 10000);
out:
	hp_port_close(b1);
	hp_port_close(b0);
	hp_port_close(a1);
	hp_port_close(a0);
	return err;
}

/*
 * Steering (rules set up by the script): dport 5001 -> xsk:0, 5002 -> xsk:1, anything else
 * passes. Frames sent on a0 queue N reach b0 queue N. Noise to dport 5003 goes first: if any
 * of it reached a socket, the receiver's stream check fails.
 */
static int sc_steer(void)
{
	HP_OPTS(hp_port_opts, o);
	struct hp_port *a0 = NULL, *a1 = NULL, *b0 = NULL, *b1 = NULL;
	struct flow f[2] = {
		{ .stream = 1, .size = cfg.size, .count = cfg.count, .dport = 5001 },
		{ .stream = 2, .size = cfg.size, .count = cfg.count, .dport = 5002 },
	};
	struct flow noise = { .stream = 3, .size = cfg.size, .count = 100, .dport = 5003 };
	struct hp_buf *b;
	int err = 1;

	base_opts(&o);
	if (!(a0 = open_in(cfg.ns_a, "afxdp:a0:0", &o)) ||
	    !(a1 = open_in(cfg.ns_a, "afxdp:a0:1", &o)) ||
	    !(b0 = open_in(cfg.ns_b, "afxdp:b0:0", &o)) ||
	    !(b1 = open_in(cfg.ns_b, "afxdp:b0:1", &o)))
		goto out;
	f[0].tx = a0, f[0].rx = b0;
	f[1].tx = a1, f[1].rx = b1;
	noise.tx = a0, noise.rx = b0;
	if (fill_macs(&f[0]) || fill_macs(&f[1]) || fill_macs(&noise))
		goto out;
	while (noise.sent < noise.count) {
		b = make_frame(&noise, noise.sent);
		if (b && hp_port_tx_burst(a0, &b, 1) == 1)
			noise.sent++;
		else if (b)
			hp_buf_free(b);
		hp_port_flush(a0);
	}
	err = run_flows(f, 2, 10000);
	if (!err)
		printf("dport 5001 -> queue 0: %u, dport 5002 -> queue 1: %u, 100 unmatched "
		       "passed\n", f[0].rcvd, f[1].rcvd);
out:
	hp_port_close(b1);
	hp_port_close(b0);
	hp_port_close(a1);
	hp_port_close(a0);
	return err;
}

/* Send without reading: a small rx ring fills up (rx_ring_full), or a small pool leaves the
 * fill ring empty (rx_fill_ring_empty). */
static int sc_stats(bool ring_full)
{
	HP_OPTS(hp_port_opts, o);
	struct flow f = { .stream = 1, .size = cfg.size, .count = 512, .dport = cfg.dport };
	struct hp_port_stats st;
	struct hp_buf *bufs[BATCH];
	unsigned int n, k, got = 0, t;
	int err = 1, i;

	base_opts(&o);
	f.tx = open_in(cfg.ns_a, "afxdp:a0:0", &o);
	if (ring_full)
		o.rx_size = 64;
	else
		o.num_bufs = 64;
	f.rx = f.tx ? open_in(cfg.ns_b, "afxdp:b0:0", &o) : NULL;
	if (!f.rx || fill_macs(&f))
		goto out;
	while (f.sent < f.count) {
		for (n = 0; n < BATCH && (bufs[n] = make_frame(&f, f.sent + n)); n++)
			;
		t = hp_port_tx_burst(f.tx, bufs, n);
		for (k = t; k < n; k++)
			hp_buf_free(bufs[k]);
		f.sent += t;
		hp_port_flush(f.tx);
	}
	usleep(100000);
	if (hp_port_stats(f.rx, &st)) {
		err = fail("stats: %s", strerror(errno));
		goto out;
	}
	/* What did arrive must still be intact and in order. */
	for (i = 0; i < 100; i++) {
		n = hp_port_rx_burst(f.rx, bufs, BATCH);
		for (k = 0; k < n; k++) {
			char why[256];

			if (rx_check(&f, bufs[k], why, sizeof(why))) {
				hp_buf_free_bulk(bufs + k, n - k);
				err = fail("%s", why);
				goto out;
			}
			hp_buf_free(bufs[k]);
		}
		got += n;
		if (!n && got)
			break;
	}
	printf("sent %u, received %u, rx_ring_full %llu, rx_fill_ring_empty %llu\n", f.sent, got,
	       (unsigned long long)st.rx_ring_full, (unsigned long long)st.rx_fill_ring_empty);
	if (ring_full) {
		if (!st.rx_ring_full || got > 64) {
			err = fail("rx_ring_full %llu (want > 0), received %u (want <= 64)",
				   (unsigned long long)st.rx_ring_full, got);
			goto out;
		}
	} else if (!st.rx_fill_ring_empty || got > 64) {
		err = fail("rx_fill_ring_empty %llu (want > 0), received %u (want <= 64)",
			   (unsigned long long)st.rx_fill_ring_empty, got);
		goto out;
	}
	if (!got) {
		err = fail("nothing received at all");
		goto out;
	}
	err = 0;
out:
	hp_port_close(f.rx);
	hp_port_close(f.tx);
	return err;
}

/* Descriptors written straight into the tx ring: odd ones invalid (address past the UMEM,
 * length past the frame); the kernel must count and skip them and send the valid ones. */
static int sc_invalid_tx(void)
{
	HP_OPTS(hp_port_opts, o);
	struct flow f = { .stream = 1, .size = cfg.size, .count = 16, .dport = cfg.dport };
	struct hp_buf *b[8], *rb[BATCH];
	struct hp_port_stats st;
	struct hp_ring *tx;
	struct hp_xsk *xsk;
	unsigned int i, n;
	__u32 idx;
	int err = 1, tries;
	__u64 umem_size;
	char *area;

	base_opts(&o);
	f.tx = open_in(cfg.ns_a, "afxdp:a0:0", &o);
	f.rx = f.tx ? open_in(cfg.ns_b, "afxdp:b0:0", &o) : NULL;
	if (!f.rx || fill_macs(&f))
		goto out;
	xsk = hp_port_xsk(f.tx);
	tx = hp_xsk_tx(xsk);
	area = hp_umem_area(hp_xsk_umem(xsk));
	umem_size = hp_umem_size(hp_xsk_umem(xsk));
	if (hp_buf_alloc_bulk(f.tx, b, 8) != 8) {
		err = fail("no buffers");
		goto out;
	}
	if (hp_ring_prod_reserve(tx, 16, &idx) != 16) {
		err = fail("tx ring has no room for 16 descriptors");
		goto out;
	}
	for (i = 0; i < 8; i++) {
		struct xdp_desc *d = hp_ring_tx_desc(tx, idx + 2 * i);

		build(b[i]->data, f.size, f.smac, f.dmac, 1, i, f.dport);
		d->addr = (char *)b[i]->data - area;
		d->len = f.size;
		d->options = 0;
		d = hp_ring_tx_desc(tx, idx + 2 * i + 1);
		d->addr = i & 1 ? umem_size + 4096 : (__u64)((char *)b[i]->data - area);
		d->len = i & 1 ? 64 : hp_umem_frame_size(hp_xsk_umem(xsk)) + 1;
		d->options = 0;
	}
	hp_ring_prod_submit(tx, 16);
	for (tries = 0; tries < 20; tries++)
		hp_xsk_kick_tx(xsk);
	for (tries = 0; tries < 200 && f.rcvd < 8; tries++) {
		char why[256];

		n = hp_port_rx_burst(f.rx, rb, BATCH);
		for (i = 0; i < n; i++) {
			if (rx_check(&f, rb[i], why, sizeof(why))) {
				hp_buf_free_bulk(rb + i, n - i);
				err = fail("%s", why);
				goto out;
			}
			hp_buf_free(rb[i]);
		}
		usleep(1000);
	}
	if (hp_port_stats(f.tx, &st)) {
		err = fail("stats failed");
		goto out;
	}
	printf("valid received %u of 8, tx_invalid_descs %llu\n", f.rcvd,
	       (unsigned long long)st.tx_invalid_descs);
	if (f.rcvd != 8 || st.tx_invalid_descs != 8) {
		err = fail("want 8 valid frames received and tx_invalid_descs 8, got %u and %llu",
			   f.rcvd, (unsigned long long)st.tx_invalid_descs);
		goto out;
	}
	err = 0;
out:
	/* the 8 frames are still counted as in flight by nobody: the pool goes with the port */
	hp_port_close(f.rx);
	hp_port_close(f.tx);
	return err;
}

/* Open, transfer, close, many times; then a process holding the queue is killed and the queue
 * must be bindable again at once (the library retries while the kernel frees the socket). */
static int sc_rebind(void)
{
	HP_OPTS(hp_port_opts, o);
	int i, err, pfd[2];
	pid_t pid;
	char c;

	base_opts(&o);
	for (i = 0; i < 20; i++) {
		struct flow f = { .stream = 1, .size = cfg.size, .count = 16, .dport = cfg.dport };

		f.tx = open_in(cfg.ns_a, "afxdp:a0:0", &o);
		f.rx = f.tx ? open_in(cfg.ns_b, "afxdp:b0:0", &o) : NULL;
		err = !f.rx || fill_macs(&f) || run_flows(&f, 1, 5000);
		hp_port_close(f.rx);
		hp_port_close(f.tx);
		if (err)
			return fail("round %d of open/transfer/close failed", i);
	}
	if (pipe(pfd))
		return fail("pipe");
	pid = fork();
	if (pid == 0) {
		struct hp_port *p = open_in(cfg.ns_b, "afxdp:b0:0", &o);

		c = p ? 'y' : 'n';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1 || c != 'y') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return fail("child could not open the port");
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	{
		struct flow f = { .stream = 1, .size = cfg.size, .count = 16, .dport = cfg.dport };

		f.rx = open_in(cfg.ns_b, "afxdp:b0:0", &o);
		f.tx = f.rx ? open_in(cfg.ns_a, "afxdp:a0:0", &o) : NULL;
		err = !f.tx || fill_macs(&f) || run_flows(&f, 1, 5000);
		hp_port_close(f.tx);
		hp_port_close(f.rx);
		if (err)
			return fail("rebind after the owner was killed failed");
	}
	printf("20 open/close rounds and a rebind after SIGKILL\n");
	return 0;
}

struct bad {
	const char *name, *spec;
	int want_errno;
	__u32 rx_size, buf_size, num_bufs, flags;
	enum hp_port_bind bind;
};

/* Each bad input gives the documented errno, and the queue is free again afterwards. */
static int sc_badinput(void)
{
	static const struct bad cases[] = {
		{ .name = "no such interface", .spec = "afxdp:nosuch0:0", .want_errno = ENODEV },
		{ .name = "no such queue", .spec = "afxdp:b0:7", .want_errno = EINVAL },
		{ .name = "bad spec", .spec = "afxdp:b0", .want_errno = EINVAL },
		{ .name = "unknown backend", .spec = "pcap:b0:0", .want_errno = EPROTONOSUPPORT },
		{ .name = "ring not power of two", .spec = "afxdp:b0:0", .want_errno = EINVAL,
		  .rx_size = 1000 },
		{ .name = "frame too small", .spec = "afxdp:b0:0", .want_errno = EINVAL,
		  .buf_size = 1024 },
		{ .name = "frame not power of two", .spec = "afxdp:b0:0", .want_errno = EINVAL,
		  .buf_size = 3000 },
		{ .name = "frame larger than a page", .spec = "afxdp:b0:0", .want_errno = EINVAL,
		  .buf_size = 8192 },
		{ .name = "UMEM too small", .spec = "afxdp:b0:0", .want_errno = EINVAL,
		  .num_bufs = 1 },
		{ .name = "zero-copy on veth", .spec = "afxdp:b0:0", .want_errno = EOPNOTSUPP,
		  .bind = HP_PORT_BIND_ZEROCOPY },
	};
	HP_OPTS(hp_port_opts, busy_o, .bind = HP_PORT_BIND_COPY);
	struct hp_port *p, *holder;
	unsigned int i;
	int bad = 0;

	if (enter_ns(cfg.ns_b))
		return 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad *c = &cases[i];
		HP_OPTS(hp_port_opts, o, .rx_size = c->rx_size, .buf_size = c->buf_size,
			.num_bufs = c->num_bufs, .bind = c->bind);

		errno = 0;
		p = hp_port_open(c->spec, &o);
		if (p) {
			if (c->want_errno == EOPNOTSUPP) {
				printf("driver offers zero-copy: %s\n", hp_port_mode(p));
				hp_port_close(p);
				continue;
			}
			fprintf(stderr, "%s: opened, expected %s\n", c->name,
				strerror(c->want_errno));
			hp_port_close(p);
			bad++;
		} else if (errno != c->want_errno) {
			fprintf(stderr, "%s: errno %d (%s), expected %s\n", c->name, errno,
				strerror(errno), strerror(c->want_errno));
			bad++;
		}
	}
	/* the vfio: backend may or may not be compiled in: a device that does not exist fails */
	p = hp_port_open("vfio:0000:ff:1f.7", NULL);
	if (p) {
		fprintf(stderr, "vfio:0000:ff:1f.7 opened\n");
		hp_port_close(p);
		bad++;
	}
	/* queue busy */
	holder = hp_port_open("afxdp:b0:0", &busy_o);
	if (!holder)
		return fail("cannot open b0:0 after the bad inputs: something stayed bound");
	busy_o.flags = HP_PORT_F_NO_STEER;
	p = hp_port_open("afxdp:b0:0", &busy_o);
	if (p || errno != EBUSY) {
		fprintf(stderr, "second socket on a bound queue: %s, expected EBUSY\n",
			p ? "opened" : strerror(errno));
		hp_port_close(p);
		bad++;
	}
	hp_port_close(holder);
	busy_o.flags = 0;
	p = hp_port_open("afxdp:b0:0", &busy_o);
	if (!p)
		return fail("queue not free after closing its socket");
	hp_port_close(p);
	return bad ? fail("%d bad input(s) not rejected as documented", bad) : 0;
}

static int sc_zerocopy(void)
{
	HP_OPTS(hp_port_opts, o, .bind = HP_PORT_BIND_ZEROCOPY);
	struct hp_port *p = open_in(cfg.ns_b, "afxdp:b0:0", &o);

	if (!p && errno == EOPNOTSUPP) {
		printf("veth has no AF_XDP zero-copy (bind refused with EOPNOTSUPP, as "
		       "expected); zero-copy needs a driver with it\n");
		return SKIP;
	}
	if (!p)
		return 1;
	printf("zero-copy bound: %s\n", hp_port_mode(p));
	hp_port_close(p);
	return cfg.ns_a ? sc_xfer() : 0;
}

/* Unprivileged side of the hand-over: receive count frames on a socket obtained from the
 * helper at cfg.serve, after checking that we really have no capabilities. */
static int sc_client(void)
{
	HP_OPTS(hp_port_opts, o, .serve_path = cfg.serve);
	struct hp_buf *bufs[BATCH];
	struct hp_port *p, *direct;
	char line[256], why[256];
	struct flow f = { .stream = 1, .size = cfg.size, .count = cfg.count };
	long deadline;
	FILE *st;
	unsigned int n, k;

	st = fopen("/proc/self/status", "r");
	while (st && fgets(line, sizeof(line), st)) {
		if (!strncmp(line, "CapEff:", 7) && strtoull(line + 7, NULL, 16))
			return fail("client still has capabilities: %s", line);
	}
	if (st)
		fclose(st);
	if (!getuid())
		return fail("client runs as root");
	direct = hp_port_open("afxdp:b0:0", NULL);
	if (direct) {
		hp_port_close(direct);
		return fail("an unprivileged process could open a socket by itself");
	}
	p = hp_port_open("afxdp:b0:0", &o);
	if (!p)
		return fail("no socket from the helper: %s", strerror(errno));
	printf("ready uid %u mode %s\n", getuid(), hp_port_mode(p));
	fflush(stdout);
	deadline = now_ms() + 15000;
	while (f.rcvd < f.count && now_ms() < deadline) {
		hp_port_wait(p, 100);
		n = hp_port_rx_burst(p, bufs, BATCH);
		for (k = 0; k < n; k++) {
			if (rx_check(&f, bufs[k], why, sizeof(why))) {
				hp_port_close(p);
				return fail("%s", why);
			}
			hp_buf_free(bufs[k]);
		}
	}
	hp_port_close(p);
	if (f.rcvd != f.count)
		return fail("received %u of %u", f.rcvd, f.count);
	printf("received %u frames without privileges\n", f.rcvd);
	return 0;
}

/* Sender for the client: count frames from a0:0 at a gentle pace (rx has no window here). */
static int sc_send(void)
{
	HP_OPTS(hp_port_opts, o);
	struct flow f = { .stream = 1, .size = cfg.size, .count = cfg.count, .dport = cfg.dport };
	struct hp_buf *b;

	base_opts(&o);
	f.tx = open_in(cfg.ns_a, "afxdp:a0:0", &o);
	if (!f.tx || hp_port_mac(f.tx, f.smac))
		return 1;
	memset(f.dmac, 0xff, 6);
	while (f.sent < f.count) {
		b = make_frame(&f, f.sent);
		if (b && hp_port_tx_burst(f.tx, &b, 1) == 1)
			f.sent++;
		else if (b)
			hp_buf_free(b);
		hp_port_flush(f.tx);
		if (!(f.sent % 64))
			usleep(2000);
	}
	usleep(100000);
	hp_port_flush(f.tx);
	hp_port_close(f.tx);
	return 0;
}

/* Helper for the hand-over when xdpctl is not built: serve n clients (same library code). */
static int sc_serve(__u32 uid, __u32 gid, int n)
{
	int lfd, c, i;

	if (enter_ns(cfg.ns_b))
		return 1;
	lfd = hp_xsk_serve_listen(cfg.serve);
	if (lfd < 0)
		return 1;
	printf("listening\n");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		c = accept(lfd, NULL, NULL);
		if (c < 0)
			break;
		hp_xsk_serve_one(c, uid, gid);
		close(c);
	}
	pause();	/* keep the fallback program attached until killed */
	close(lfd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "a", required_argument, NULL, 'a' }, { "b", required_argument, NULL, 'b' },
		{ "frame", required_argument, NULL, 'f' },
		{ "headroom", required_argument, NULL, 'H' },
		{ "size", required_argument, NULL, 's' }, { "count", required_argument, NULL, 'c' },
		{ "unaligned", no_argument, NULL, 'u' }, { "skb", no_argument, NULL, 'k' },
		{ "poll", no_argument, NULL, 'p' }, { "mb", no_argument, NULL, 'm' },
		{ "hugepages", no_argument, NULL, 'g' }, { "busy-poll", no_argument, NULL, 'B' },
		{ "serve", required_argument, NULL, 'S' }, { "uid", required_argument, NULL, 'U' },
		{ "gid", required_argument, NULL, 'G' },
		{ "clients", required_argument, NULL, 'n' },
		{}
	};
	__u32 uid = -1, gid = -1;
	int opt, clients = 1;
	const char *sc;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'a': cfg.ns_a = optarg; break;
		case 'b': cfg.ns_b = optarg; break;
		case 'f': cfg.frame = atoi(optarg); break;
		case 'H': cfg.headroom = atoi(optarg); break;
		case 's': cfg.size = atoi(optarg); break;
		case 'c': cfg.count = atoi(optarg); break;
		case 'u': cfg.unaligned = true; break;
		case 'k': cfg.skb = true; break;
		case 'p': cfg.poll = true; break;
		case 'm': cfg.mb = true; break;
		case 'g': cfg.hugepages = true; break;
		case 'B': cfg.busy = true; break;
		case 'S': cfg.serve = optarg; break;
		case 'U': uid = atoi(optarg); break;
		case 'G': gid = atoi(optarg); break;
		case 'n': clients = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind >= argc || cfg.size < HDRS + sizeof(struct pl) + 4 || cfg.size > 16000) {
		fprintf(stderr, "usage: afxdp_test [--a NS --b NS] [opts] "
			"xfer|bidi|shared|steer|rxfull|fillempty|invalid_tx|rebind|badinput|"
			"zerocopy|"
			"client|send|serve\n");
		return 2;
	}
	sc = argv[optind];
	if (!strcmp(sc, "xfer")) return sc_xfer();
	if (!strcmp(sc, "bidi")) return sc_bidi();
	if (!strcmp(sc, "shared")) return sc_shared();
	if (!strcmp(sc, "steer")) return sc_steer();
	if (!strcmp(sc, "rxfull")) return sc_stats(true);
	if (!strcmp(sc, "fillempty")) return sc_stats(false);
	if (!strcmp(sc, "invalid_tx")) return sc_invalid_tx();
	if (!strcmp(sc, "rebind")) return sc_rebind();
	if (!strcmp(sc, "badinput")) return sc_badinput();
	if (!strcmp(sc, "zerocopy")) return sc_zerocopy();
	if (!strcmp(sc, "client")) return sc_client();
	if (!strcmp(sc, "send")) return sc_send();
	if (!strcmp(sc, "serve")) return sc_serve(uid, gid, clients);
	fprintf(stderr, "unknown scenario %s\n", sc);
	return 2;
}
