#!/usr/bin/env bash
# Build the guest's initramfs: busybox-static, bash and jq, the project's binaries from $O
# (bin/, tests/, bpf/, vm/extra/) with every shared library they load (found with ldd), the guest
# test scripts (tests/vm/guest/), the benchmarks (tests/bench/bench_*.sh) and tests/vm/init.
# Inside the guest the repo layout is kept under /hp: /hp/build/bin/xdpctl, /hp/tests/vm/guest/...
#
# Usage: tests/vm/initramfs.sh OUT.cpio.gz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
O=${O:-build}
case $O in /*) ;; *) O=$repo/$O ;; esac
out=${1:?usage: tests/vm/initramfs.sh OUT.cpio.gz}
# Staging next to the output, so concurrent builds (two engineers, one build/) do not collide.
root=$out.root
list=$out.files

die() { echo "vm-initramfs: $*" >&2; exit 1; }
command -v cpio >/dev/null || die "cpio missing: run 'make deps' (mk/deps.sh vm)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && "$busybox" --list >/dev/null 2>&1 ||
	die "busybox missing: run 'make deps' (busybox-static)"
file_is_elf() { [ "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked: install busybox-static (make deps)"
fi

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,root,mnt,lib64} \
	"$root/hp/build" "$root/hp/tests"
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done

# copy_elf FILE DEST: copy a program and, once each, the shared libraries it needs.
declare -A seen
copy_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
		[ -n "${seen[$lib]:-}" ] && continue
		seen[$lib]=1
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
copy_elf() {
	mkdir -p "$(dirname "$2")"
	cp -L "$1" "$2"
	file_is_elf "$1" && copy_libs "$1"
	return 0
}

for p in bash jq; do
	b=$(command -v $p || true)
	# bash replaces busybox's applet link so scripts with #!/bin/bash work
	[ -n "$b" ] && rm -f "$root/bin/$p" && copy_elf "$b" "$root/bin/$p"
done

# The project's build output: programs, test programs, BPF objects, the shared library, and
# anything a harness step put in $O/vm/extra (e.g. the kernel's scx_simple).
for d in bin tests bpf vm/extra; do
	[ -d "$O/$d" ] || continue
	find "$O/$d" -maxdepth 1 -type f | while read -r f; do
		case $f in *.h | *.d | *.tmp.o) continue ;; esac
		echo "$f"
	done
done > "$list"
while read -r f; do
	rel=${f#"$O"/}
	copy_elf "$f" "$root/hp/build/$rel"
done < "$list"
for f in "$O"/libhybridpath.so*; do
	[ -e "$f" ] && copy_elf "$f" "$root/lib/$(basename "$f")"
done

# Scripts: guest tests, net helpers (the guest may reuse them), benchmarks.
mkdir -p "$root/hp/tests/vm" "$root/hp/tests/bench" "$root/hp/tests/net"
cp -r "$here/guest" "$root/hp/tests/vm/"
cp "$repo"/tests/bench/bench_*.sh "$root/hp/tests/bench/" 2>/dev/null || true
cp "$repo"/tests/net/lib.sh "$root/hp/tests/net/" 2>/dev/null || true
cp "$here/init" "$root/init"
chmod 755 "$root/init"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"

mkdir -p "$(dirname "$out")"
trap 'rm -rf "$root" "$list"' EXIT
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "vm-initramfs: $out ($(du -h "$out" | cut -f1), $(wc -l < "$list") project files)" >&2
