#!/usr/bin/env bash
# Tier "vm" of tests/run.sh: boots the QEMU guest (tests/vm/boot.sh) and prints the result lines
# of every guest test. SKIP when this machine cannot run it (no QEMU, not root for the kernel
# build). VM_ONLY=GLOB selects guest scripts (e.g. VM_ONLY='test_sched_*').
cd "$(dirname "$0")/../.." || exit 1
QEMU=${QEMU:-qemu-system-x86_64}
if ! command -v "$QEMU" >/dev/null; then
	echo "SKIP vm: $QEMU not installed (make deps installs qemu-system-x86 from bookworm-backports)"
	exit 0
fi
if ! command -v busybox >/dev/null || ! command -v cpio >/dev/null; then
	echo "SKIP vm: busybox-static or cpio missing (make deps)"
	exit 0
fi
exec bash tests/vm/boot.sh --mode test ${VM_ONLY:+--only "$VM_ONLY"}
