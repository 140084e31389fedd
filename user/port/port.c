// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The port API: parse "prefix:args", find the backend, dispatch. See hybridpath/port.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <linux/types.h>
#include <hybridpath/sched.h>
#include "port/backend.h"
#include "util/log.h"

/*
 * Registered backends. The VFIO driver adds `&hp_vfio_port_ops,` here (one line) when it is
 * compiled into the library. Prefixes we know of but that are not registered get a clear error.
 */
static const struct hp_port_ops *const backends[] = {
	&hp_afxdp_port_ops,
	&hp_vfio_port_ops,
};
static const char *const known_prefixes[] = { "afxdp", "vfio" };

struct hp_port *hp_port_open(const char *spec, const struct hp_port_opts *opts)
{
	struct hp_port_opts o = { .sz = sizeof(o) };
	const struct hp_port_ops *ops = NULL;
	struct hp_port *port;
	const char *colon;
	size_t i, plen;

	if (!spec || !(colon = strchr(spec, ':')) || strlen(spec) >= sizeof(port->name)) {
		hp_warn("port: bad spec '%s': use afxdp:IFACE:QUEUE or vfio:BDF\n",
			spec ? spec : "(null)");
		errno = EINVAL;
		return NULL;
	}
	if (opts) {
		if (opts->sz < sizeof(size_t)) {
			hp_warn("port: opts.sz is %zu: declare opts with HP_OPTS()\n", opts->sz);
			errno = EINVAL;
			return NULL;
		}
		/* Copy the fields the caller's struct has; newer unknown fields must be zero. */
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
		for (i = sizeof(o); i < opts->sz; i++) {
			if (((const char *)opts)[i]) {
				hp_warn("port: opts has non-zero fields this library does "
					"not know\n");
				errno = EINVAL;
				return NULL;
			}
		}
		o.sz = sizeof(o);
	}
	plen = colon - spec;
	for (i = 0; i < HP_ARRAY_SIZE(backends); i++) {
		if (strlen(backends[i]->prefix) == plen &&
		    !strncmp(spec, backends[i]->prefix, plen))
			ops = backends[i];
	}
	if (!ops) {
		for (i = 0; i < HP_ARRAY_SIZE(known_prefixes); i++) {
			if (strlen(known_prefixes[i]) == plen &&
			    !strncmp(spec, known_prefixes[i], plen)) {
				hp_warn("port: backend '%s' is not compiled into this "
					"libhybridpath (it comes with user/nic/, the VFIO "
					"driver)\n", known_prefixes[i]);
				errno = EPROTONOSUPPORT;
				return NULL;
			}
		}
		hp_warn("port: unknown backend '%.*s' in '%s': use afxdp:IFACE:QUEUE or vfio:BDF\n",
			(int)plen, spec, spec);
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	port = ops->open(colon + 1, &o);
	if (!port)
		return NULL;
	port->ops = ops;
	snprintf(port->name, sizeof(port->name), "%s", spec);
	port->isolate_pending = !!(o.flags & HP_PORT_F_ISOLATE);
	port->isolated_tid = 0;
	return port;
}

void hp_port_close(struct hp_port *port)
{
	if (!port)
		return;
	if (port->isolated_tid)
		hp_sched_unisolate(port->isolated_tid);
	port->ops->close(port);
}

/* HP_PORT_F_ISOLATE: register the calling (polling) thread, once. Out of line: the burst
 * functions pay one predictable branch. */
static void __attribute__((noinline, cold)) port_isolate(struct hp_port *port)
{
	__u32 tid = gettid();
	int err;

	port->isolate_pending = 0;
	err = hp_sched_isolate(tid, -1);
	if (err) {
		hp_warn("port %s: registering poller thread %u with the isolate scheduler failed: "
			"%s (running without a CPU of its own)\n", port->name, tid, strerror(-err));
		return;
	}
	port->isolated_tid = tid;
	hp_info("port %s: poller thread %u registered with the isolate scheduler\n",
		port->name, tid);
}

unsigned int hp_port_rx_burst(struct hp_port *port, struct hp_buf **bufs, unsigned int n)
{
	if (__builtin_expect(port->isolate_pending, 0))
		port_isolate(port);
	return port->ops->rx_burst(port, bufs, n);
}

unsigned int hp_port_tx_burst(struct hp_port *port, struct hp_buf **bufs, unsigned int n)
{
	if (__builtin_expect(port->isolate_pending, 0))
		port_isolate(port);
	return port->ops->tx_burst(port, bufs, n);
}

unsigned int hp_buf_alloc_bulk(struct hp_port *port, struct hp_buf **bufs, unsigned int n)
{
	return port->ops->buf_alloc(port, bufs, n);
}

void hp_buf_free(struct hp_buf *buf)
{
	struct hp_buf *next;

	for (; buf; buf = next) {
		next = buf->next;
		buf->next = NULL;
		buf->pool->free(buf->pool, &buf, 1);
	}
}

void hp_buf_free_bulk(struct hp_buf **bufs, unsigned int n)
{
	unsigned int i, j;

	/* Fast path: runs of single-segment buffers of the same pool in one call. */
	for (i = 0; i < n; i = j) {
		if (bufs[i]->next) {
			hp_buf_free(bufs[i]);
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < n && !bufs[j]->next && bufs[j]->pool == bufs[i]->pool; j++)
			;
		bufs[i]->pool->free(bufs[i]->pool, bufs + i, j - i);
	}
}

int hp_port_stats(struct hp_port *port, struct hp_port_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	return port->ops->stats(port, stats);
}

int hp_port_fd(struct hp_port *port)
{
	return port->ops->fd ? port->ops->fd(port) : -1;
}

int hp_port_wait(struct hp_port *port, int timeout_ms)
{
	struct pollfd pfd;
	int fd, ret;

	if (port->ops->wait)
		return port->ops->wait(port, timeout_ms);
	fd = hp_port_fd(port);
	if (fd < 0)
		return -EOPNOTSUPP;
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	ret = poll(&pfd, 1, timeout_ms);
	return ret < 0 ? -errno : ret;
}

void hp_port_flush(struct hp_port *port)
{
	if (port->ops->flush)
		port->ops->flush(port);
}

const char *hp_port_mode(struct hp_port *port)
{
	return port->ops->mode(port);
}

enum hp_port_bind hp_port_bind_mode(struct hp_port *port)
{
	return port->bind;
}

int hp_port_mac(struct hp_port *port, __u8 mac[6])
{
	return port->ops->mac ? port->ops->mac(port, mac) : -EOPNOTSUPP;
}

__u32 hp_port_max_frame(struct hp_port *port)
{
	return port->max_frame;
}

const char *hp_port_name(struct hp_port *port)
{
	return port->name;
}
