/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal: the UMEM and socket objects behind hybridpath/xsk.h. */
#ifndef HP_AFXDP_XSK_PRIV_H
#define HP_AFXDP_XSK_PRIV_H
#include <stddef.h>
#include <net/if.h>
#include <hybridpath/xsk.h>

#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif

struct hp_umem {
	void *area;
	__u64 size;		/* num_frames * frame_size */
	size_t map_size;	/* mapping (rounded to the page or hugepage) */
	__u32 num_frames, frame_size, headroom;
	__u32 fill_size, comp_size;
	bool unaligned, hugepages;
	bool adopted;		/* built from handed-over fds */
	int memfd;
	int fd;			/* socket holding the XDP_UMEM_REG registration */
	bool fd_used;		/* fd is bound (the first socket); later ones share it */
	int refcnt;		/* sockets */
	struct hp_xsk *socks;
};

struct hp_xsk {
	int fd;
	int ifindex;
	__u32 queue;
	char ifname[IF_NAMESIZE];
	struct hp_umem *umem;
	struct hp_xsk *next_in_umem;
	struct hp_xsk *fq_of;	/* shares this socket's fill/comp rings (same queue) */
	struct hp_ring rx, tx, fq, cq;
	__u32 rx_size, tx_size, fill_size, comp_size;
	void *map[4];
	size_t maplen[4];
	bool own_fq, owns_umem_fd, zerocopy, need_wakeup, busy_poll, sg;
};
#endif
