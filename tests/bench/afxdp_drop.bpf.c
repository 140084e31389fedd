// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* XDP_DROP ceiling for bench_afxdp.sh when bpf/xdp_drop.bpf.c is not built: drop everything. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hp_bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
