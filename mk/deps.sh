#!/usr/bin/env bash
# Install what a fresh Debian 12 machine lacks to build and test hybridpath.
# Idempotent: when every package is present it only runs dpkg-query and exits.
# Usage: mk/deps.sh [base|vm|kbuild]...   (default: base)
set -euo pipefail

BASE="make gcc pkg-config clang-19 llvm-19 lld-19 libclang-rt-19-dev libelf-dev zlib1g-dev
      libxdp-dev xdp-tools netsniff-ng iproute2 iperf3 ethtool tcpdump gnuplot-nox
      libcap-dev jq iputils-ping"
BASE_BP="libbpf-dev bpftool"
VM="busybox-static cpio"
VM_BP="qemu-system-x86"
KBUILD="flex bison dwarves bc libssl-dev xz-utils"
KBUILD_BP="linux-source-6.12"

want=() want_bp=()
for set in "${@:-base}"; do
	case "$set" in
	base) want+=($BASE); want_bp+=($BASE_BP) ;;
	vm) want+=($VM); want_bp+=($VM_BP) ;;
	kbuild) want+=($KBUILD); want_bp+=($KBUILD_BP) ;;
	*) echo "deps.sh: unknown set '$set' (use base, vm or kbuild)" >&2; exit 2 ;;
	esac
done

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			echo "$p"
	done
}

# libbpf and bpftool must come from backports (>= 1.4 / 7.5): an installed bookworm
# 1.1 counts as missing.
old_bpf() {
	local v
	v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || true)
	[ -n "$v" ] && dpkg --compare-versions "$v" lt 1:1.4 && echo libbpf-dev
	v=$(dpkg-query -W -f='${Version}' bpftool 2>/dev/null || true)
	[ -n "$v" ] && dpkg --compare-versions "$v" lt 7.5 && echo bpftool
	return 0
}

m=$(missing "${want[@]}")
mb=$( { missing "${want_bp[@]}"; if [[ " ${want_bp[*]} " == *" libbpf-dev "* ]]; then old_bpf; fi; } | sort -u)
[ -z "$m$mb" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages: $m $mb; run 'make deps' as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
bp=/etc/apt/sources.list.d/hybridpath-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deb http://deb.debian.org/debian bookworm-backports main" > "$bp"
fi
echo "deps.sh: installing:" $m $mb
apt-get update -qq
[ -n "$m" ] && apt-get install -y -qq --no-install-recommends $m
[ -n "$mb" ] && apt-get install -y -qq --no-install-recommends -t bookworm-backports $mb
exit 0
