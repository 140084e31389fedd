// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hp-l2fwd: with one port, swap the MAC addresses of every frame and send it back out; with
 * two, forward between them in both directions (MACs rewritten: source = the out port's MAC,
 * destination = --dst-mac if given, else the old source swapped in).
 */
#include <errno.h>
#include <unistd.h>
#include "app_common.h"

#define BURST 64

static void usage(void)
{
	fprintf(stderr, "usage: hp-l2fwd PORT [PORT2] [--duration SECS] [--poll] [--quiet]\n"
		"  one port: swap MACs and send back; two: forward between them\n"
		APP_PORT_USAGE);
}

static void swap_macs(struct hp_buf *b)
{
	__u8 *d = b->data, tmp[6];

	if (b->len < 12)
		return;
	memcpy(tmp, d, 6);
	memcpy(d, d + 6, 6);
	memcpy(d + 6, tmp, 6);
}

/* Receive a burst on in, send it on out; what out does not take is dropped (counted). */
static unsigned int fwd(struct hp_port *in, struct hp_port *out, __u64 *drops)
{
	struct hp_buf *bufs[BURST];
	unsigned int n, k, i;

	n = hp_port_rx_burst(in, bufs, BURST);
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		swap_macs(bufs[i]);
	k = hp_port_tx_burst(out, bufs, n);
	if (k < n) {
		hp_buf_free_bulk(bufs + k, n - k);
		*drops += n - k;
	}
	return k;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "duration", required_argument, NULL, 'd' }, { "poll", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		APP_PORT_OPTS, {}
	};
	HP_OPTS(hp_port_opts, o);
	struct hp_port *p1, *p2 = NULL;
	double t0, tlast, now, duration = 0;
	__u64 fwd1 = 0, fwd2 = 0, drops = 0, last = 0;
	bool poll_mode = false, quiet = false;
	unsigned int a, b;
	int opt, r, rc = 1;

	while ((opt = getopt_long(argc, argv, "d:pqh", lo, NULL)) != -1) {
		if ((r = app_port_opt(opt, optarg, &o))) {
			if (r < 0)
				return 2;
			continue;
		}
		switch (opt) {
		case 'd': duration = atof(optarg); break;
		case 'p': poll_mode = true; break;
		case 'q': quiet = true; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind != argc - 1 && optind != argc - 2) {
		usage();
		return 2;
	}
	p1 = hp_port_open(argv[optind], &o);
	if (!p1) {
		fprintf(stderr, "hp-l2fwd: cannot open %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	if (optind == argc - 2) {
		p2 = hp_port_open(argv[optind + 1], &o);
		if (!p2) {
			fprintf(stderr, "hp-l2fwd: cannot open %s: %s\n", argv[optind + 1],
				strerror(errno));
			goto out;
		}
	}
	fprintf(stderr, "hp-l2fwd: %s (%s)%s%s\n", hp_port_name(p1), hp_port_mode(p1),
		p2 ? " <-> " : " reflect", p2 ? hp_port_name(p2) : "");
	app_signals();
	t0 = tlast = app_now();
	while (!app_stop) {
		a = fwd(p1, p2 ? p2 : p1, &drops);
		b = p2 ? fwd(p2, p1, &drops) : 0;
		fwd1 += a;
		fwd2 += b;
		if (!a && !b) {
			hp_port_flush(p1);
			if (p2)
				hp_port_flush(p2);
			if (poll_mode && !p2)
				hp_port_wait(p1, 100);
		}
		now = app_now();
		if (now - tlast >= 1.0) {
			if (!quiet)
				printf("fwd %12.0f pps  total %llu  dropped %llu\n",
				       (fwd1 + fwd2 - last) / (now - tlast),
				       (unsigned long long)(fwd1 + fwd2),
				       (unsigned long long)drops);
			fflush(stdout);
			last = fwd1 + fwd2;
			tlast = now;
		}
		if (duration && now - t0 >= duration)
			break;
	}
	printf("total forwarded %llu (%llu one way, %llu the other), dropped %llu\n",
	       (unsigned long long)(fwd1 + fwd2), (unsigned long long)fwd1,
	       (unsigned long long)fwd2, (unsigned long long)drops);
	rc = 0;
out:
	hp_port_close(p2);
	hp_port_close(p1);
	return rc;
}
