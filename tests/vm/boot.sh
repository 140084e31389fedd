#!/usr/bin/env bash
# Boot the test guest and report what ran inside it.
#
#   tests/vm/boot.sh [--mode test|bench|shell] [--only GLOB|NAMES] [--timeout SECONDS]
#
# test (default): runs the guest tests, prints their PASS/FAIL/SKIP lines, exits 1 if any failed
# or the guest did not finish. bench: runs tests/bench/bench_NAMES.sh inside and prints their
# output. shell: interactive console (make vmshell). Result lines travel on a second serial
# port; the whole serial console and the results are kept in $O/vm/console-MODE.log and
# $O/vm/results-MODE.txt (the last run's).
#
# Guest: q35 + intel-iommu (VFIO type1), 2 vCPUs, 2 GiB, hugepages, and three NICs on one QEMU hub
# (e1000e 00:03.0, igb 00:04.0, virtio-net 00:05.0) so a NIC bound to vfio-pci can talk to one the
# guest kernel drives. Accelerator: KVM when a quick probe boot shows it can run this kernel,
# otherwise TCG (this machine's /dev/kvm is para-virtual and cannot boot stock kernels).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export O=${O:-build}
case $O in /*) ;; *) O=$repo/$O ;; esac
mode=test only='' timeout=${HP_VM_TIMEOUT:-1500}
while [ $# -gt 0 ]; do
	case $1 in
	--mode) mode=$2; shift ;;
	--only) only=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	*) echo "usage: tests/vm/boot.sh [--mode test|bench|shell] [--only GLOB] [--timeout S]" >&2
	   exit 2 ;;
	esac
	shift
done
vm=$O/vm
# Each run works in its own directory (several people may boot guests from one build/ at once);
# the console log is copied to $vm/console-MODE.log at the end, the rest removed.
run=$vm/run-$$
mkdir -p "$run"
trap 'rm -rf "$run"' EXIT
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || { echo "vm: $QEMU missing: run 'make deps'" >&2; exit 2; }

kernel=$(bash "$here/kernel.sh") || { echo "vm: no guest kernel (see the messages above)" >&2; exit 1; }
initrd=$run/initramfs.cpio.gz
bash "$here/initramfs.sh" "$initrd" || exit 1

# no_timer_check: under TCG on a loaded host the boot-time IO-APIC timer check can miss its
# window and panic ("timer doesn't work through Interrupt-remapped IO-APIC"); the timer works.
cmdline="console=ttyS0 panic=-1 intel_iommu=on no_timer_check hugepages=${HP_VM_HUGEPAGES:-128}"
cmdline+=" hp.mode=$mode"
[ -n "$only" ] && cmdline+=" hp.only=$only"
[ -n "${HP_VM_TEST_TIMEOUT:-}" ] && cmdline+=" hp.test_timeout=$HP_VM_TEST_TIMEOUT"
[ -n "${HP_VM_APPEND:-}" ] && cmdline+=" $HP_VM_APPEND"

# Common QEMU arguments; extra ones for special tests via HP_VM_QEMU_ARGS.
qemu_args() {	# qemu_args ACCEL CPU: sets the array Q
	# shellcheck disable=SC2206
	Q=(-accel "$1" -cpu "$2" -machine q35 -device intel-iommu,intremap=on \
		-m "${HP_VM_MEM:-2048}" -smp 2 -nographic -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -nic none \
		-netdev hubport,id=h3,hubid=0 -netdev hubport,id=h4,hubid=0 \
		-netdev hubport,id=h5,hubid=0 \
		-device e1000e,netdev=h3,addr=03.0,romfile= \
		-device igb,netdev=h4,addr=04.0,romfile= \
		-device virtio-net-pci,netdev=h5,addr=05.0,romfile= \
		${HP_VM_QEMU_ARGS:-})
}

# KVM probe: boot the same kernel with hp.mode=probe for a few seconds. Cached per kernel, so
# the cost is paid once; HP_VM_ACCEL=tcg|kvm overrides.
accel=${HP_VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	probe=$vm/kvm-probe-$(basename "$kernel")
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		if [ ! -f "$probe" ]; then
			echo "vm: probing whether /dev/kvm can boot the guest kernel (<= 20 s)" >&2
			qemu_args kvm host
			timeout -k 2 20 "$QEMU" "${Q[@]}" \
				-append "console=ttyS0 panic=-1 hp.mode=probe" \
				-serial "file:$run/probe-console.log" -serial "file:$run/probe.txt" \
				</dev/null >/dev/null 2>&1
			if grep -q HP-PROBE-OK "$run/probe.txt" 2>/dev/null; then
				echo kvm > "$probe"
			else
				echo tcg > "$probe"
			fi
		fi
		accel=$(cat "$probe")
		[ "$accel" = tcg ] && echo "vm: note: /dev/kvm cannot boot this kernel (para-virtual" \
			"KVM?); using TCG software emulation (slower; 'rm $probe' to re-probe)" >&2
	else
		echo "vm: note: /dev/kvm not usable; using TCG software emulation" >&2
	fi
fi
cpu=max
[ "$accel" = kvm ] && cpu=host

console=$run/console.log
results=$run/results.txt
echo "vm: booting $(basename "$kernel") with $accel ($mode mode, timeout ${timeout} s); console: $vm/console-$mode.log" >&2
start=$(date +%s)
if [ "$mode" = shell ]; then
	qemu_args "$accel" "$cpu"
	"$QEMU" "${Q[@]}" -append "$cmdline" -serial mon:stdio -serial "file:$results"
	exit $?
fi
qemu_args "$accel" "$cpu"
timeout -k 5 "$timeout" "$QEMU" "${Q[@]}" -append "$cmdline" \
	-serial "file:$console" -serial "file:$results" </dev/null >"$run/qemu.out" 2>&1
rc=$?
cp "$console" "$vm/console-$mode.log" 2>/dev/null
cp "$results" "$vm/results-$mode.txt" 2>/dev/null
console=$vm/console-$mode.log
secs=$(( $(date +%s) - start ))
tr -d '\r' < "$results" 2>/dev/null > "$results.clean"
mv "$results.clean" "$results"

if [ "$mode" = bench ]; then
	grep -v '^HP-DONE' "$results"
	grep -q '^HP-DONE' "$results" || { echo "vm: guest did not finish (rc $rc); see $console" >&2; exit 1; }
	exit 0
fi
grep -E '^(PASS|FAIL|SKIP) ' "$results"
failed=0
grep -q '^FAIL ' "$results" && failed=1
if ! grep -q '^HP-DONE' "$results"; then
	why="guest did not finish"
	[ $rc = 124 ] && why="guest timed out after $timeout s"
	grep -q 'Kernel panic' "$console" 2>/dev/null && why="guest kernel panicked"
	echo "FAIL vm/boot: $why (qemu rc $rc); last console lines in $console:"
	tail -15 "$console" 2>/dev/null | sed 's/^/    /'
	failed=1
fi
echo "vm: guest ran $secs s with $accel" >&2
exit $failed
