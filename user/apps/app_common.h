/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared by the example apps: port options from the command line, a clock, stop on signal. */
#ifndef HP_APP_COMMON_H
#define HP_APP_COMMON_H
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hybridpath/port.h>

static volatile sig_atomic_t app_stop;

static void app_on_signal(int sig)
{
	(void)sig;
	app_stop = 1;
}

static inline void app_signals(void)
{
	struct sigaction sa = { .sa_handler = app_on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static inline double app_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Port options every app accepts (long options only, values after '='or as next arg). */
#define APP_PORT_OPTS								\
	{ "bind", required_argument, NULL, 1001 },				\
	{ "frame", required_argument, NULL, 1002 },				\
	{ "bufs", required_argument, NULL, 1003 },				\
	{ "ring", required_argument, NULL, 1004 },				\
	{ "busy-poll", no_argument, NULL, 1005 },				\
	{ "unaligned", no_argument, NULL, 1006 },				\
	{ "hugepages", no_argument, NULL, 1007 },				\
	{ "skb", no_argument, NULL, 1008 },					\
	{ "serve", required_argument, NULL, 1009 },				\
	{ "no-steer", no_argument, NULL, 1010 },				\
	{ "multibuf", no_argument, NULL, 1011 },				\
	{ "isolate", no_argument, NULL, 1012 }

#define APP_PORT_USAGE								\
	"port options: --bind auto|copy|zerocopy  --frame BYTES  --bufs N  --ring N\n"	\
	"  --busy-poll  --unaligned  --hugepages  --multibuf  --skb (fallback XDP program in\n" \
	"  generic mode)  --no-steer  --serve PATH (socket from `xdpctl xsk serve`)\n"	\
	"  --isolate (register the polling thread with the isolate sched_ext scheduler)\n" \
	"ports: afxdp:IFACE:QUEUE, vfio:BDF\n"

/* Returns 1 if opt was a port option, 0 if not, -1 on a bad value. */
static inline int app_port_opt(int opt, const char *arg, struct hp_port_opts *o)
{
	switch (opt) {
	case 1001:
		if (!strcmp(arg, "auto"))
			o->bind = HP_PORT_BIND_AUTO;
		else if (!strcmp(arg, "copy"))
			o->bind = HP_PORT_BIND_COPY;
		else if (!strcmp(arg, "zerocopy"))
			o->bind = HP_PORT_BIND_ZEROCOPY;
		else {
			fprintf(stderr, "--bind: auto, copy or zerocopy, not '%s'\n", arg);
			return -1;
		}
		return 1;
	case 1002: o->buf_size = strtoul(arg, NULL, 0); return 1;
	case 1003: o->num_bufs = strtoul(arg, NULL, 0); return 1;
	case 1004: o->rx_size = o->tx_size = strtoul(arg, NULL, 0); return 1;
	case 1005: o->flags |= HP_PORT_F_BUSY_POLL; return 1;
	case 1006: o->flags |= HP_PORT_F_UNALIGNED; return 1;
	case 1007: o->flags |= HP_PORT_F_HUGEPAGES; return 1;
	case 1008: o->flags |= HP_PORT_F_XDP_SKB; return 1;
	case 1009: o->serve_path = arg; return 1;
	case 1010: o->flags |= HP_PORT_F_NO_STEER; return 1;
	case 1011: o->flags |= HP_PORT_F_MULTIBUF; return 1;
	case 1012: o->flags |= HP_PORT_F_ISOLATE; return 1;
	}
	return 0;
}
#endif
