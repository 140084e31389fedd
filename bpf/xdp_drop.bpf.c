// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The bare baseline: drop every frame without looking at it. Benchmarks (bench_steer.sh) print
 * the steering program's cost per frame as a ratio against this one, measured in the same run.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hp_xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
