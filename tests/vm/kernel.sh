#!/usr/bin/env bash
# Find or build the guest kernel, keyed by the hash of tests/vm/kernel.config.
#
#   tests/vm/kernel.sh                 print the path of a bzImage built from kernel.config
#   tests/vm/kernel.sh --config-only   unpack + configure only, then check every fragment option
#   tests/vm/kernel.sh --scx-simple    print the path of the kernel's own scx_simple (built from
#                                      the same linux-source tools/sched_ext, never committed)
#
# Order: ~/.cache/hybridpath/bzImage-<H>; else $(repo)/../shared/vm/bzImage-<H> (copied into the
# cache); else a build from Debian's linux-source-6.12: x86_64_defconfig + kvm_guest.config +
# the fragment, olddefconfig, make bzImage (~25 min on 2 cores, progress on stderr). The cache
# keeps bzImage-<H>, config-<H> and vmlinux-<H>.btf. <H> = first 12 hex digits of sha256 of
# kernel.config. Progress goes to stderr; stdout carries only the resulting path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
frag=$here/kernel.config
cache=${HP_VM_CACHE:-$HOME/.cache/hybridpath}
shared=${HP_VM_SHARED:-$repo/../shared/vm}	# HP_VM_SHARED=/none forces a build
src=$cache/src
tarball=/usr/src/linux-source-6.12.tar.xz
H=$(sha256sum "$frag" | cut -c1-12)
mode=${1:-kernel}

say() { echo "vm-kernel: $*" >&2; }
die() { echo "vm-kernel: $*" >&2; exit 1; }

mkdir -p "$cache"

# Unpack Debian's linux-source-6.12 into $src (once) and return its tree in $tree.
unpack() {
	tree=$src/linux-source-6.12
	# Always: pahole (dwarves) is needed for DEBUG_INFO_BTF even when the tree is unpacked;
	# without it Kconfig silently drops BTF and with it SCHED_CLASS_EXT.
	bash "$repo/mk/deps.sh" kbuild >&2 ||
		die "cannot install linux-source-6.12 and the build tools: run 'bash mk/deps.sh kbuild' as root"
	# The marker, not the Makefile: --scx-simple may have unpacked only a few folders here.
	[ -f "$tree/.hp-unpacked" ] && return 0
	[ -r "$tarball" ] || die "$tarball missing after installing linux-source-6.12"
	say "unpacking $tarball into $src (~1.5 GiB)"
	# Unpack beside the final place and rename, so an interrupted unpack is never mistaken
	# for a tree.
	rm -rf "$src/.unpack" && mkdir -p "$src/.unpack"
	tar -C "$src/.unpack" -xJf "$tarball" || die "unpacking $tarball failed"
	rm -rf "$tree" && mv "$src/.unpack/linux-source-6.12" "$tree" && rmdir "$src/.unpack"
	touch "$tree/.hp-unpacked"
}

# Configure $tree: defconfig + kvm_guest + fragment, olddefconfig; then check that every option
# the fragment sets came out the way it asked (Kconfig drops options whose dependencies fail).
configure() {
	local line opt want got bad=0
	say "configuring: x86_64_defconfig + kvm_guest.config + tests/vm/kernel.config"
	make -C "$tree" -s x86_64_defconfig >&2
	make -C "$tree" -s kvm_guest.config >&2
	(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "$frag" >/dev/null)
	make -C "$tree" -s olddefconfig >&2
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) opt=${line%%=*}; want=$line ;;
		"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; want=$line ;;
		*) continue ;;
		esac
		got=$(grep -E "^$opt=|^# $opt is not set" "$tree/.config" || true)
		if [ "$got" != "$want" ]; then
			say "fragment asks '$want', .config has '${got:-nothing}'"
			bad=1
		fi
	done < "$frag"
	[ $bad = 0 ] || die "the fragment does not apply cleanly; fix tests/vm/kernel.config"
	say "all $(grep -c '^CONFIG_\|^# CONFIG_' "$frag") fragment options are set in $tree/.config"
}

build() {
	local n start
	unpack
	configure
	n=$(nproc)
	start=$(date +%s)
	say "building bzImage with make -j$n (~25 min on 2 cores); log: $cache/build-$H.log"
	# Progress: one line per 200 build steps (a full build has ~3500) with the elapsed time;
	# errors are shown as they happen. With pipefail a failing make fails the pipeline.
	if ! make -C "$tree" -j"$n" bzImage 2>&1 | tee "$cache/build-$H.log" |
		awk -v s="$start" '/^  [A-Z]/ { if (++c % 200 == 0) {
			printf "vm-kernel: %d build steps, %d s\n", c, systime() - s > "/dev/stderr"
			fflush("/dev/stderr") } }
			/error:|Error [0-9]/ { print > "/dev/stderr" }'; then
		die "kernel build failed; see $cache/build-$H.log"
	fi
	cp "$tree/arch/x86/boot/bzImage" "$cache/bzImage-$H.tmp"
	cp "$tree/.config" "$cache/config-$H"
	if [ -f "$tree/vmlinux" ]; then
		# The raw BTF section of vmlinux (what vmlinux/gen.sh and scx builds need).
		objcopy -O binary --only-section=.BTF "$tree/vmlinux" "$cache/vmlinux-$H.btf" ||
			say "warning: could not extract BTF from vmlinux"
	fi
	mv "$cache/bzImage-$H.tmp" "$cache/bzImage-$H"
	say "built $cache/bzImage-$H in $(( $(date +%s) - start )) s"
}

kernel() {
	if [ -s "$cache/bzImage-$H" ]; then
		echo "$cache/bzImage-$H"
		return
	fi
	if [ -s "$shared/bzImage-$H" ]; then
		say "using the prebuilt $shared/bzImage-$H (same fragment hash), copying into $cache"
		cp "$shared/bzImage-$H" "$cache/bzImage-$H.tmp"
		for f in config vmlinux; do
			for g in "$shared/$f-$H"*; do [ -e "$g" ] && cp "$g" "$cache/"; done
		done
		mv "$cache/bzImage-$H.tmp" "$cache/bzImage-$H"
		echo "$cache/bzImage-$H"
		return
	fi
	say "no cached kernel for fragment hash $H: building it once for this machine"
	build
	echo "$cache/bzImage-$H"
}

# The kernel's reference scheduler. tools/sched_ext builds its own libbpf and bpftool from the
# same tree and needs the guest kernel's BTF (VMLINUX_BTF) for its vmlinux.h.
scx_simple() {
	local out=$cache/scx_simple-$H btf
	if [ -x "$out" ]; then
		echo "$out"
		return
	fi
	kernel >/dev/null
	btf=$cache/vmlinux-$H.btf
	[ -s "$btf" ] || die "no BTF for kernel $H in $cache: cannot build scx_simple"
	tree=$src/linux-source-6.12
	if [ ! -f "$tree/tools/sched_ext/Makefile" ] || [ ! -f "$tree/kernel/bpf/disasm.h" ]; then
		[ -r "$tarball" ] || bash "$repo/mk/deps.sh" kbuild >&2 ||
			die "scx_simple needs linux-source-6.12: run 'bash mk/deps.sh kbuild' as root"
		say "unpacking tools/ of $tarball"
		mkdir -p "$src"
		tar -C "$src" -xJf "$tarball" --wildcards 'linux-source-6.12/tools/*' \
			'linux-source-6.12/scripts/*' 'linux-source-6.12/include/*' \
			'linux-source-6.12/arch/x86/include/*' 'linux-source-6.12/Makefile' \
			'linux-source-6.12/kernel/bpf/*' >&2
	fi
	BPFTOOL_BIN=$(command -v bpftool || true)
	say "building scx_simple from $tree/tools/sched_ext"
	# The system's bpftool (7.5) saves building the tree's own; its libbpf is still the tree's.
	make -C "$tree/tools/sched_ext" -s CLANG=clang-19 VMLINUX_BTF="$btf" \
		${BPFTOOL_BIN:+BPFTOOL="$BPFTOOL_BIN"} scx_simple >&2 || die "scx_simple build failed"
	cp "$tree/tools/sched_ext/build/bin/scx_simple" "$out"
	echo "$out"
}

case $mode in
kernel) kernel ;;
--config-only) unpack; configure
	if [ -f "$shared/config-$H" ]; then
		if diff -q <(grep '^CONFIG_' "$shared/config-$H" | sort) \
			<(grep '^CONFIG_' "$tree/.config" | sort) >/dev/null; then
			say "resulting .config equals $shared/config-$H (all CONFIG_ lines)"
		else
			say "resulting .config differs from $shared/config-$H:"
			diff <(grep '^CONFIG_' "$shared/config-$H" | sort) \
				<(grep '^CONFIG_' "$tree/.config" | sort) >&2 || true
		fi
	fi
	echo "$tree/.config" ;;
--scx-simple) scx_simple ;;
*) die "usage: tests/vm/kernel.sh [--config-only|--scx-simple]" ;;
esac
