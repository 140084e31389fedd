// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fallback XDP program of the AF_XDP port backend (user/afxdp/prog.c): every frame that arrives
 * on rx queue Q goes to the AF_XDP socket at xsks[Q] when there is one, otherwise up the stack.
 * Used when the steering program (steer.bpf.c) is not attached to the interface, so that an
 * "afxdp:IF:Q" port receives on its own. SEC("xdp.frags"): it handles multi-buffer frames
 * (9000-byte MTU on veth), which is what XDP_USE_SG sockets need.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* same size as the steering program's xsks (HP_MAX_QUEUES) */
#define XSK_REDIRECT_QUEUES 256

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XSK_REDIRECT_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp.frags")
int hp_xsk_redirect(struct xdp_md *ctx)
{
	/* The flags argument is the action when xsks[queue] is empty: pass to the stack. */
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
