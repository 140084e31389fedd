/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The port API: one small interface in front of every packet I/O backend.
 *
 *	struct hp_port *p = hp_port_open("afxdp:eth0:0", NULL);   // or "vfio:0000:00:03.0"
 *	struct hp_buf *bufs[64];
 *	unsigned int n = hp_port_rx_burst(p, bufs, 64);
 *	...
 *	hp_buf_free_bulk(bufs, n);
 *	hp_port_close(p);
 *
 * Buffers: a struct hp_buf describes one packet buffer (one segment). The backend owns a pool
 * of them, created when the port opens, so the steady state allocates nothing: rx hands the
 * caller buffers from the pool, tx takes them back, hp_buf_free() returns them. AF_XDP keeps one
 * descriptor per UMEM frame; the VFIO backend embeds the descriptor in its DMA buffers (ixy's
 * pkt_buf). Multi-buffer frames (e.g. 9000 bytes over 4K frames) are chains linked by `next`.
 *
 * Ownership: rx_burst gives the caller n buffers. tx_burst takes the first k it returns (they go
 * back to their pool once the device is done with them); the rest stay with the caller, who
 * retries or frees them. A buffer from another port's pool may be sent: the backend copies it
 * into one of its own when it cannot use it directly, and frees the original.
 *
 * Threads: a port is used by one thread at a time (its poller). Different ports may be polled
 * from different threads.
 */
#ifndef HYBRIDPATH_PORT_H
#define HYBRIDPATH_PORT_H

#include <stdbool.h>
#include <linux/types.h>
#include <hybridpath/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hp_port;
struct hp_pool;

/* One packet buffer (one segment of a frame). Fields the application may read and write:
 * data, len, next; the rest belong to the backend. */
struct hp_buf {
	void *data;		/* first byte of packet data */
	__u32 len;		/* bytes of data in this segment */
	__u32 cap;		/* room from data to the end of the buffer */
	__u64 addr;		/* backend address of data: UMEM offset (afxdp), IOVA (vfio) */
	struct hp_buf *next;	/* next segment of a multi-buffer frame, NULL in the last */
	struct hp_pool *pool;	/* owner: hp_buf_free() returns the buffer here */
	__u32 headroom;		/* bytes usable in front of data (for pushing headers) */
	__u32 flags;		/* HP_BUF_F_* */
	__u64 priv;		/* backend private (e.g. the frame's base address) */
};

enum hp_buf_flags {
	HP_BUF_F_MORE = 1U << 0,	/* not the last segment of its frame (next != NULL) */
};

/* Total bytes of the frame that starts at b (sum over its chain). */
static inline __u32 hp_buf_frame_len(const struct hp_buf *b)
{
	__u32 n = 0;

	for (; b; b = b->next)
		n += b->len;
	return n;
}

/* Which backend mode the port really runs in (reported after open, never just requested). */
enum hp_port_bind {
	HP_PORT_BIND_AUTO = 0,		/* request: zero-copy if available, else copy */
	HP_PORT_BIND_COPY = 1,		/* request/report: AF_XDP copy mode */
	HP_PORT_BIND_ZEROCOPY = 2,	/* request/report: zero-copy (fail if unavailable) */
};

enum hp_port_flags {
	HP_PORT_F_BUSY_POLL = 1U << 0,	/* SO_PREFER_BUSY_POLL + SO_BUSY_POLL(_BUDGET) */
	HP_PORT_F_UNALIGNED = 1U << 1,	/* AF_XDP unaligned chunk mode */
	HP_PORT_F_HUGEPAGES = 1U << 2,	/* back buffers with hugepages (fallback: notice) */
	HP_PORT_F_MULTIBUF = 1U << 3,	/* frames larger than one buffer (XDP_USE_SG) */
	HP_PORT_F_NO_WAKEUP = 1U << 4,	/* do not use need_wakeup (always kick) */
	/* afxdp: do not insert the socket into any XSKMAP (the caller does, see hp_port_xsk()).
	 * Default: the steering program's xsks map when steering is attached to the interface,
	 * else a fallback program (every frame of the queue to the socket) owned by the process. */
	HP_PORT_F_NO_STEER = 1U << 5,
	HP_PORT_F_XDP_SKB = 1U << 6,	/* afxdp: fallback program in generic (skb) mode */
	/* Give the thread that polls the port a CPU of its own under the `isolate` sched_ext
	 * scheduler: the first thread to call hp_port_rx_burst()/tx_burst() is registered with
	 * hp_sched_isolate() (which works whether or not the scheduler runs yet) and unregistered
	 * by hp_port_close(). A failure to register is a warning, not an error. */
	HP_PORT_F_ISOLATE = 1U << 7,
};

struct hp_port_opts {
	size_t sz;
	__u32 num_bufs;		/* buffers in the pool (default 4096) */
	__u32 buf_size;		/* bytes per buffer incl. headroom (default 2048; afxdp:
				 * power of two 2048..page size, unaligned 2048..65536) */
	__u32 headroom;		/* bytes reserved in front of rx data (default 0) */
	__u32 rx_size;		/* rx descriptor ring (power of two, default 2048) */
	__u32 tx_size;		/* tx descriptor ring (power of two, default 2048) */
	enum hp_port_bind bind;	/* requested mode */
	__u32 flags;		/* HP_PORT_F_* */
	__u32 busy_poll_usecs;	/* SO_BUSY_POLL (default 20 with HP_PORT_F_BUSY_POLL) */
	__u32 busy_poll_budget;	/* SO_BUSY_POLL_BUDGET (default 64) */
	/* afxdp: share the UMEM (and buffer pool) of this open port (XDP_SHARED_UMEM), e.g.
	 * another queue of the same interface. Ports sharing a pool are polled by one thread. */
	struct hp_port *share_with;
	/* afxdp: obtain the socket from a privileged `xdpctl xsk serve` at this UNIX socket path
	 * instead of creating it (the app then needs no CAP_NET_ADMIN/CAP_NET_RAW/CAP_BPF). */
	const char *serve_path;
	size_t :0;
};
#define hp_port_opts__last_field serve_path

struct hp_port_stats {
	__u64 rx_packets;	/* frames received (a multi-buffer frame counts once) */
	__u64 rx_bytes;
	__u64 tx_packets;	/* frames handed to the device */
	__u64 tx_bytes;
	__u64 tx_completed;	/* frames the device reported done */
	__u64 rx_dropped;	/* kernel/device dropped (no buffer, ring full, other) */
	__u64 rx_invalid_descs;	/* AF_XDP XDP_STATISTICS (zero on backends without them) */
	__u64 tx_invalid_descs;
	__u64 rx_ring_full;
	__u64 rx_fill_ring_empty;
	__u64 tx_ring_empty;
	__u64 alloc_failed;	/* buffer allocations that found the pool empty */
};

/*
 * Open a port. Strings: "afxdp:IFACE:QUEUE" (AF_XDP socket on that rx/tx queue; inserted into
 * the steering program's xsks map at QUEUE when steering is attached to IFACE), "vfio:BDF" (VFIO
 * poll-mode driver, when compiled in). opts may be NULL. Returns NULL with errno set; the reason
 * is printed through hp_set_print()'s callback. Nothing stays bound on failure.
 */
struct hp_port *hp_port_open(const char *spec, const struct hp_port_opts *opts);
void hp_port_close(struct hp_port *port);

/* Receive up to n frames; returns how many (0 when idle). Chains for multi-buffer frames. */
unsigned int hp_port_rx_burst(struct hp_port *port, struct hp_buf **bufs, unsigned int n);
/* Send up to n frames; returns how many the port took (see ownership above). */
unsigned int hp_port_tx_burst(struct hp_port *port, struct hp_buf **bufs, unsigned int n);

/* Take up to n free buffers from the port's pool (data at the headroom, len 0); returns how
 * many. Use them to build frames for tx. */
unsigned int hp_buf_alloc_bulk(struct hp_port *port, struct hp_buf **bufs, unsigned int n);
/* Return a frame (the whole chain) to its pool. NULL is ignored. */
void hp_buf_free(struct hp_buf *buf);
void hp_buf_free_bulk(struct hp_buf **bufs, unsigned int n);

int hp_port_stats(struct hp_port *port, struct hp_port_stats *stats);

/* File descriptor that becomes readable when rx has frames (for epoll), or -1 if none. */
int hp_port_fd(struct hp_port *port);
/* Sleep until rx has frames, tx has room again, or timeout_ms passes (-1: forever). Kicks the
 * kernel first when it asked for a wakeup. Returns >0 ready, 0 timeout, -errno. */
int hp_port_wait(struct hp_port *port, int timeout_ms);
/* Push out queued tx and reclaim completions without sending new frames. */
void hp_port_flush(struct hp_port *port);

/* What the port really runs as, e.g. "afxdp copy", "afxdp zerocopy", "vfio virtio-net". */
const char *hp_port_mode(struct hp_port *port);
/* The bind mode obtained (afxdp), HP_PORT_BIND_AUTO for backends without the notion. */
enum hp_port_bind hp_port_bind_mode(struct hp_port *port);
/* Interface MAC address. */
int hp_port_mac(struct hp_port *port, __u8 mac[6]);
/* Largest frame the port sends/receives (buffer size minus headroom, times segments). */
__u32 hp_port_max_frame(struct hp_port *port);
/* The spec string the port was opened with. */
const char *hp_port_name(struct hp_port *port);
/* afxdp ports: the AF_XDP socket (struct hp_xsk, hybridpath/xsk.h); NULL for other backends. */
struct hp_xsk *hp_port_xsk(struct hp_port *port);

#ifdef __cplusplus
}
#endif
#endif
