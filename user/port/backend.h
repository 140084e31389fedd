/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Internal: the backend interface behind the port API (ixy style). A backend embeds struct
 * hp_port in its own device struct, fills in `ops`, and gets back to its struct with
 * container_of(). Backends are listed in the backends[] table in port.c (one line each);
 * "afxdp" lives in user/afxdp/, "vfio" in user/nic/.
 *
 * Buffer pools: a backend embeds struct hp_pool in its pool and sets `free`; hp_buf_free() calls
 * it with buffers whose `pool` points there. The VFIO backend places struct hp_buf at the start
 * of each DMA buffer (like ixy's pkt_buf) and sets data/addr to the payload behind it; AF_XDP
 * keeps an array with one hp_buf per UMEM frame.
 */
#ifndef HP_PORT_BACKEND_H
#define HP_PORT_BACKEND_H

#include <stddef.h>
#include <hybridpath/port.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

struct hp_pool {
	/* Return n single segments (next already followed by the caller) to the pool. */
	void (*free)(struct hp_pool *pool, struct hp_buf **bufs, unsigned int n);
};

struct hp_port_ops {
	const char *prefix;	/* "afxdp", "vfio": the part of the spec before the first ':' */
	/* args is the spec after "prefix:"; opts is never NULL (defaults filled by port.c). Returns
	 * NULL with errno set and nothing left bound. */
	struct hp_port *(*open)(const char *args, const struct hp_port_opts *opts);
	void (*close)(struct hp_port *port);
	unsigned int (*rx_burst)(struct hp_port *port, struct hp_buf **bufs, unsigned int n);
	unsigned int (*tx_burst)(struct hp_port *port, struct hp_buf **bufs, unsigned int n);
	unsigned int (*buf_alloc)(struct hp_port *port, struct hp_buf **bufs, unsigned int n);
	int (*stats)(struct hp_port *port, struct hp_port_stats *stats);
	int (*fd)(struct hp_port *port);				/* optional: -1 */
	int (*wait)(struct hp_port *port, int timeout_ms);		/* optional: poll fd */
	void (*flush)(struct hp_port *port);				/* optional */
	const char *(*mode)(struct hp_port *port);
	int (*mac)(struct hp_port *port, __u8 mac[6]);		/* optional: -EOPNOTSUPP */
};

struct hp_port {
	const struct hp_port_ops *ops;
	char name[128];			/* the spec string (set by port.c) */
	enum hp_port_bind bind;		/* mode obtained (afxdp) */
	__u32 max_frame;		/* largest frame in bytes */
	/* HP_PORT_F_ISOLATE (set by port.c): 1 while the poller is still to be registered */
	int isolate_pending;
	__u32 isolated_tid;		/* registered poller, 0: none */
};

/* Backends, registered in the backends[] table in port.c. */
extern const struct hp_port_ops hp_afxdp_port_ops;	/* user/afxdp/port_afxdp.c */
extern const struct hp_port_ops hp_vfio_port_ops;	/* user/nic/ (VFIO engineer) */

#endif
