// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hp-rxdrop: receive on a port, count, drop; print rates every second and a summary. */
#include <errno.h>
#include <unistd.h>
#include "app_common.h"

#define BURST 64

static void usage(void)
{
	fprintf(stderr, "usage: hp-rxdrop PORT [--duration SECS] [--poll] [--quiet]\n"
		"  count and drop every frame received on PORT; rates every second on stdout\n"
		"  --poll: sleep in hp_port_wait() when idle instead of spinning\n" APP_PORT_USAGE);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "duration", required_argument, NULL, 'd' }, { "poll", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		APP_PORT_OPTS, {}
	};
	HP_OPTS(hp_port_opts, o);
	struct hp_buf *bufs[BURST];
	struct hp_port_stats st;
	double t0, tlast, now, duration = 0;
	__u64 pkts = 0, bytes = 0, lp = 0, lb = 0;
	bool poll_mode = false, quiet = false;
	struct hp_port *port;
	unsigned int n, i;
	int opt, r;

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
	if (optind != argc - 1) {
		usage();
		return 2;
	}
	port = hp_port_open(argv[optind], &o);
	if (!port) {
		fprintf(stderr, "hp-rxdrop: cannot open %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	fprintf(stderr, "hp-rxdrop: %s, %s\n", hp_port_name(port), hp_port_mode(port));
	app_signals();
	t0 = tlast = app_now();
	while (!app_stop) {
		n = hp_port_rx_burst(port, bufs, BURST);
		if (n) {
			for (i = 0; i < n; i++)
				bytes += hp_buf_frame_len(bufs[i]);
			pkts += n;
			hp_buf_free_bulk(bufs, n);
		} else if (poll_mode) {
			hp_port_wait(port, 100);
		}
		/* the clock is read once per burst or idle round, not per packet */
		now = app_now();
		if (now - tlast >= 1.0) {
			if (!quiet)
				printf("rx %12.0f pps %10.1f Mbit/s  total %llu\n",
				       (pkts - lp) / (now - tlast),
				       (bytes - lb) * 8 / (now - tlast) / 1e6,
				       (unsigned long long)pkts);
			fflush(stdout);
			lp = pkts, lb = bytes, tlast = now;
		}
		if (duration && now - t0 >= duration)
			break;
	}
	now = app_now();
	hp_port_stats(port, &st);
	printf("total rx %llu packets %llu bytes in %.2f s (%.0f pps); dropped %llu "
	       "(ring full %llu, fill empty %llu), invalid %llu\n",
	       (unsigned long long)pkts, (unsigned long long)bytes, now - t0,
	       pkts / (now - t0), (unsigned long long)st.rx_dropped,
	       (unsigned long long)st.rx_ring_full, (unsigned long long)st.rx_fill_ring_empty,
	       (unsigned long long)st.rx_invalid_descs);
	hp_port_close(port);
	return 0;
}
