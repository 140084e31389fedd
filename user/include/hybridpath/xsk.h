/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * AF_XDP sockets on the kernel uapi (linux/if_xdp.h), without libxdp.
 *
 * A UMEM is the packet memory (frames of frame_size bytes) registered with the kernel; sockets
 * bound to (interface, queue) exchange frame addresses with the kernel through four
 * single-producer/single-consumer rings: fill (us -> kernel: frames for rx), rx (kernel -> us),
 * tx (us -> kernel), completion (kernel -> us: tx frames done). The ring accessors below are
 * `static inline` (they are the fast path); UMEM and socket objects are opaque.
 *
 * Producer ring (fill, tx):	n = hp_ring_prod_reserve(r, want, &idx);
 *				for (i = 0; i < n; i++) *hp_ring_fill_addr(r, idx + i) = addr;
 *				hp_ring_prod_submit(r, n);
 * Consumer ring (rx, comp):	n = hp_ring_cons_peek(r, want, &idx);
 *				... hp_ring_rx_desc(r, idx + i) ...
 *				hp_ring_cons_release(r, n);
 *
 * The UMEM lives in a memfd, so it can be handed to another process (hp_xsk_serve_*).
 */
#ifndef HYBRIDPATH_XSK_H
#define HYBRIDPATH_XSK_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/if_xdp.h>
#include <hybridpath/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hp_ring {
	__u32 cached_prod;	/* our view of the producer index */
	__u32 cached_cons;	/* our view of the consumer index (+size on producer rings) */
	__u32 mask;
	__u32 size;
	__u32 *producer;	/* shared with the kernel */
	__u32 *consumer;	/* shared with the kernel */
	void *ring;		/* __u64 addresses (fill, comp) or struct xdp_desc (rx, tx) */
	__u32 *flags;		/* XDP_RING_NEED_WAKEUP */
};

/*
 * Memory ordering (same contract as the kernel's xsk_queue.h): a consumer reads the producer
 * index with acquire before reading the entries it covers, and publishes its consumer index with
 * release after it is done with them; a producer writes entries, then publishes the producer
 * index with release, and reads the consumer index with acquire before reusing slots.
 */
static inline __u32 hp_ring_prod_free(struct hp_ring *r, __u32 nb)
{
	__u32 free = r->cached_cons - r->cached_prod;

	if (free >= nb)
		return free;
	/* cached_cons is kept "size" ahead so that the subtraction gives free slots */
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE) + r->size;
	return r->cached_cons - r->cached_prod;
}

/* Reserve up to nb slots (all or what is free, at least 1); returns how many, idx the first. */
static inline __u32 hp_ring_prod_reserve(struct hp_ring *r, __u32 nb, __u32 *idx)
{
	__u32 free = hp_ring_prod_free(r, nb);

	if (nb > free)
		nb = free;
	*idx = r->cached_prod;
	r->cached_prod += nb;
	return nb;
}

/* Give back reserved but unused slots (the last nb reserved). */
static inline void hp_ring_prod_cancel(struct hp_ring *r, __u32 nb)
{
	r->cached_prod -= nb;
}

static inline void hp_ring_prod_submit(struct hp_ring *r, __u32 nb)
{
	__atomic_store_n(r->producer, *r->producer + nb, __ATOMIC_RELEASE);
}

static inline __u32 hp_ring_cons_avail(struct hp_ring *r)
{
	__u32 entries = r->cached_prod - r->cached_cons;

	if (!entries) {
		r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		entries = r->cached_prod - r->cached_cons;
	}
	return entries;
}

/* Up to nb filled entries; returns how many, idx the first. */
static inline __u32 hp_ring_cons_peek(struct hp_ring *r, __u32 nb, __u32 *idx)
{
	__u32 entries = hp_ring_cons_avail(r);

	if (entries > nb)
		entries = nb;
	*idx = r->cached_cons;
	r->cached_cons += entries;
	return entries;
}

/* Un-peek the last nb entries (they will be returned again). */
static inline void hp_ring_cons_cancel(struct hp_ring *r, __u32 nb)
{
	r->cached_cons -= nb;
}

static inline void hp_ring_cons_release(struct hp_ring *r, __u32 nb)
{
	__atomic_store_n(r->consumer, *r->consumer + nb, __ATOMIC_RELEASE);
}

static inline __u64 *hp_ring_fill_addr(struct hp_ring *r, __u32 idx)
{
	return &((__u64 *)r->ring)[idx & r->mask];
}

static inline __u64 hp_ring_comp_addr(const struct hp_ring *r, __u32 idx)
{
	return ((const __u64 *)r->ring)[idx & r->mask];
}

static inline struct xdp_desc *hp_ring_tx_desc(struct hp_ring *r, __u32 idx)
{
	return &((struct xdp_desc *)r->ring)[idx & r->mask];
}

static inline const struct xdp_desc *hp_ring_rx_desc(const struct hp_ring *r, __u32 idx)
{
	return &((const struct xdp_desc *)r->ring)[idx & r->mask];
}

/* The kernel asks to be kicked (sendto for tx, recvfrom/poll for fill) before it goes on. */
static inline bool hp_ring_needs_wakeup(const struct hp_ring *r)
{
	return *(volatile __u32 *)r->flags & XDP_RING_NEED_WAKEUP;
}

/* Unaligned chunk mode: descriptor addresses carry an offset in the top 16 bits. */
static inline __u64 hp_xsk_addr_base(__u64 addr)
{
	return addr & XSK_UNALIGNED_BUF_ADDR_MASK;
}

static inline __u64 hp_xsk_addr_offset(__u64 addr)
{
	return addr >> XSK_UNALIGNED_BUF_OFFSET_SHIFT;
}

/* Plain byte offset into the UMEM for any descriptor address (aligned or unaligned mode). */
static inline __u64 hp_xsk_addr_flat(__u64 addr)
{
	return hp_xsk_addr_base(addr) + hp_xsk_addr_offset(addr);
}

/* ---- UMEM ---- */
struct hp_umem;

enum hp_umem_flags {
	HP_UMEM_F_UNALIGNED = 1U << 0,	/* XDP_UMEM_UNALIGNED_CHUNK_FLAG */
	HP_UMEM_F_HUGEPAGES = 1U << 1,	/* memfd with MFD_HUGETLB; falls back with a notice */
};

struct hp_umem_opts {
	size_t sz;
	__u32 num_frames;	/* default 4096 */
	__u32 frame_size;	/* aligned: power of two 2048..PAGE_SIZE; unaligned: 2048..65536 */
	__u32 headroom;		/* XDP_UMEM_REG headroom: kept free before rx data */
	__u32 flags;		/* HP_UMEM_F_* */
	__u32 fill_size;	/* fill ring of the first socket (power of two, default 2048) */
	__u32 comp_size;	/* completion ring of the first socket (default 2048) */
	size_t :0;
};
#define hp_umem_opts__last_field comp_size

/* Allocate and register a UMEM. NULL with errno on error (the message names the bad field). */
struct hp_umem *hp_umem_create(const struct hp_umem_opts *opts);
/* Free it; -EBUSY while sockets still use it. NULL is ignored. */
int hp_umem_delete(struct hp_umem *umem);
void *hp_umem_area(const struct hp_umem *umem);
__u64 hp_umem_size(const struct hp_umem *umem);
__u32 hp_umem_frame_size(const struct hp_umem *umem);
__u32 hp_umem_num_frames(const struct hp_umem *umem);
__u32 hp_umem_headroom(const struct hp_umem *umem);
bool hp_umem_unaligned(const struct hp_umem *umem);
bool hp_umem_hugepages(const struct hp_umem *umem);	/* really backed by hugepages */
int hp_umem_memfd(const struct hp_umem *umem);

/* ---- sockets ---- */
struct hp_xsk;

enum hp_xsk_bind_mode {
	HP_XSK_BIND_AUTO = 0,	/* zero-copy if the driver has it, else copy */
	HP_XSK_BIND_COPY = 1,
	HP_XSK_BIND_ZEROCOPY = 2,
};

enum hp_xsk_flags {
	HP_XSK_F_NO_WAKEUP = 1U << 0,	/* do not request need_wakeup */
	HP_XSK_F_BUSY_POLL = 1U << 1,	/* SO_PREFER_BUSY_POLL, SO_BUSY_POLL(_BUDGET) */
	HP_XSK_F_SG = 1U << 2,		/* multi-buffer (XDP_USE_SG) */
	HP_XSK_F_NO_RX = 1U << 3,	/* tx only: no rx ring */
	HP_XSK_F_NO_TX = 1U << 4,	/* rx only: no tx ring */
};

struct hp_xsk_opts {
	size_t sz;
	__u32 rx_size;		/* power of two, default 2048 */
	__u32 tx_size;		/* power of two, default 2048 */
	__u32 fill_size;	/* own fill ring when sharing the UMEM on another queue */
	__u32 comp_size;
	enum hp_xsk_bind_mode bind_mode;
	__u32 flags;		/* HP_XSK_F_* */
	__u32 busy_poll_usecs;	/* default 20 */
	__u32 busy_poll_budget;	/* default 64 */
	__u32 bind_timeout_ms;	/* retry EBUSY this long (closed sockets go late); 1000 */
	size_t :0;
};
#define hp_xsk_opts__last_field bind_timeout_ms

/*
 * Create a socket on ifname/queue with the UMEM. The first socket of a UMEM uses the UMEM's fill
 * and completion rings; later ones share it (XDP_SHARED_UMEM) and get their own fill/completion
 * rings when on another queue or interface, or share the first's on the same queue. NULL with
 * errno: ENODEV (no such interface), EINVAL (no such queue, bad ring size), EBUSY (queue bound
 * by another socket), EOPNOTSUPP (zero-copy not offered by the driver). Nothing stays bound.
 * The first socket of a UMEM is the socket that holds its registration: hp_xsk_delete() of it
 * unmaps its rings, and the queue is released with hp_umem_delete().
 */
struct hp_xsk *hp_xsk_create(const char *ifname, __u32 queue, struct hp_umem *umem,
			     const struct hp_xsk_opts *opts);
void hp_xsk_delete(struct hp_xsk *xsk);

int hp_xsk_fd(const struct hp_xsk *xsk);
struct hp_ring *hp_xsk_rx(struct hp_xsk *xsk);
struct hp_ring *hp_xsk_tx(struct hp_xsk *xsk);
struct hp_ring *hp_xsk_fill(struct hp_xsk *xsk);
struct hp_ring *hp_xsk_comp(struct hp_xsk *xsk);
struct hp_umem *hp_xsk_umem(const struct hp_xsk *xsk);
int hp_xsk_ifindex(const struct hp_xsk *xsk);
__u32 hp_xsk_queue(const struct hp_xsk *xsk);
/* Mode really obtained, from getsockopt(XDP_OPTIONS) after bind. */
bool hp_xsk_zerocopy(const struct hp_xsk *xsk);
bool hp_xsk_need_wakeup(const struct hp_xsk *xsk);	/* bound with XDP_USE_NEED_WAKEUP */

/* Kick tx (sendto). Returns 0 or -errno for real errors (EAGAIN/EBUSY/ENOBUFS are 0). */
int hp_xsk_kick_tx(struct hp_xsk *xsk);
/* Kick rx/fill processing (recvfrom, MSG_DONTWAIT); used with busy poll or need_wakeup. */
int hp_xsk_kick_rx(struct hp_xsk *xsk);
/* poll() the socket: POLLIN, plus POLLOUT when want_tx. >0 ready, 0 timeout, -errno. */
int hp_xsk_wait(struct hp_xsk *xsk, bool want_tx, int timeout_ms);

/* Kernel XDP_STATISTICS. */
int hp_xsk_stats(struct hp_xsk *xsk, struct xdp_statistics *st);

/* Put the socket into an XSKMAP at key (e.g. the steering program's `xsks`). */
int hp_xsk_map_insert(struct hp_xsk *xsk, int map_fd, __u32 key);

/*
 * Build the objects from fds received from a privileged helper (see hp_xsk_serve_request()):
 * memfd of the UMEM area and the already bound socket, with the options it was created with.
 * On success the objects own both fds; on failure the caller still does.
 */
struct hp_xsk *hp_xsk_adopt(int xsk_fd, int memfd, const char *ifname, __u32 queue,
			    const struct hp_umem_opts *uopts, const struct hp_xsk_opts *xopts);

/* ---- unprivileged hand-over (xdpctl xsk serve) ---- */
#define HP_XSK_SERVE_PATH "/run/hybridpath/xsk.sock"

struct hp_xsk_request {
	__u32 version;		/* HP_XSK_REQ_VERSION */
	char ifname[16];
	__u32 queue;
	__u32 num_frames;
	__u32 frame_size;
	__u32 headroom;
	__u32 umem_flags;	/* HP_UMEM_F_* */
	__u32 rx_size, tx_size, fill_size, comp_size;
	__u32 bind_mode;	/* enum hp_xsk_bind_mode */
	__u32 xsk_flags;	/* HP_XSK_F_* */
};
#define HP_XSK_REQ_VERSION 1

struct hp_xsk_reply {
	__s32 err;		/* 0 or -errno; fds follow only when 0 */
	char msg[200];		/* reason on refusal or error */
	__u32 zerocopy;
	__u32 steered;		/* inserted into the steering program's xsks map */
};

/* Client: ask the helper at path for a socket; NULL with errno and the helper's reason printed. */
struct hp_xsk *hp_xsk_serve_request(const char *path, const struct hp_xsk_request *req);

/*
 * Helper side: answer one client on connection fd `conn`: check SO_PEERCRED against
 * allow_uid/allow_gid ((uid_t)-1 / (gid_t)-1: anyone of that kind is refused unless the other
 * matches; root is always allowed), create UMEM + socket, insert it into the steering map when
 * steering is attached, send both fds with SCM_RIGHTS, close our copies. Returns 0 when a socket
 * was handed over, -errno when refused or failed (the client got the reason).
 */
int hp_xsk_serve_one(int conn, __u32 allow_uid, __u32 allow_gid);

/* Helper side: listening UNIX socket at path (its directory created, a stale socket replaced,
 * mode 0666: permission is checked per client with SO_PEERCRED). fd or -errno. */
int hp_xsk_serve_listen(const char *path);

#ifdef __cplusplus
}
#endif
#endif
