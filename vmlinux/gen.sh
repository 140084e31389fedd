#!/usr/bin/env bash
# Generate vmlinux/x86/vmlinux.h from a kernel BTF file and record where it came from.
# Usage: vmlinux/gen.sh BTF_FILE
# Use a BTF that has sched_ext types (the guest kernel's, see tests/vm): one header then
# serves XDP, cc and schedulers, and CO-RE relocates onto whatever kernel runs the programs.
set -euo pipefail
btf=${1:?usage: vmlinux/gen.sh BTF_FILE (e.g. ../shared/vm/vmlinux-*.btf or /sys/kernel/btf/vmlinux)}
dir=$(cd "$(dirname "$0")" && pwd)/x86
[ -r "$btf" ] || { echo "gen.sh: cannot read $btf" >&2; exit 1; }
mkdir -p "$dir"
bpftool btf dump file "$btf" format c > "$dir/vmlinux.h.tmp"
grep -q 'struct sched_ext_ops {' "$dir/vmlinux.h.tmp" ||
	echo "gen.sh: warning: $btf has no struct sched_ext_ops; schedulers/ will not build" >&2
mv "$dir/vmlinux.h.tmp" "$dir/vmlinux.h"
{
	echo "file: $(basename "$btf")"
	echo "sha256: $(sha256sum "$btf" | cut -d' ' -f1)"
	[ -n "${KVER:-}" ] && echo "kernel: $KVER"
	echo "generated: $(date -u +%Y-%m-%d) by vmlinux/gen.sh with $(bpftool version | head -1)"
} > "$dir/SOURCE"
echo "wrote $dir/vmlinux.h ($(wc -l < "$dir/vmlinux.h") lines)"
