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
		${HP_VM_QEMU_ARGS:-} ${boot_qemu:-})
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
# One boot in test or bench mode, watched: besides the overall timeout, a guest that is wedged
# (an RCU stall reported, then no script finishing for stall_grace seconds) is stopped early
# instead of sitting out the whole timeout. Sets rc, secs and hung (the reason, or empty).
# Seen under TCG: an idle vCPU stops taking timer interrupts ("rcu_preempt kthread timer wakeup
# didn't happen"), after which every grace period, and so every test, waits forever.
stall_grace=${HP_VM_STALL_GRACE:-240}
boot_watched() {	# boot_watched ONLY TAG [KERNEL-ARGS]
	local cl=$cmdline pid first=0 nst now size last_size=0 last_change
	[ -n "$1" ] && cl+=" hp.only=$1"
	[ -n "${3:-}" ] && cl+=" $3"
	: > "$console"; : > "$results"
	qemu_args "$accel" "$cpu"
	start=$(date +%s)
	timeout -k 5 "$timeout" "$QEMU" "${Q[@]}" -append "$cl" \
		-serial "file:$console" -serial "file:$results" </dev/null >"$run/qemu.out" 2>&1 &
	pid=$!
	hung='' last_change=$start
	while kill -0 $pid 2>/dev/null; do
		sleep 3
		now=$(date +%s)
		size=$(stat -c %s "$results" 2>/dev/null || echo 0)
		[ "$size" != "$last_size" ] && last_size=$size last_change=$now
		nst=$(grep -c 'rcu: INFO: rcu_.* detected stalls' "$console" 2>/dev/null)
		[ "${nst:-0}" -gt 0 ] && [ $first = 0 ] && first=$now
		if [ $first != 0 ] && [ $((now - first)) -ge "$stall_grace" ] &&
		   [ $((now - last_change)) -ge "$stall_grace" ]; then
			hung="the guest kernel reported $nst RCU stalls and no script finished for"
			hung+=" $((now - last_change)) s ($(grep -m1 -o \
				'Possible timer handling issue on cpu=[0-9]*' "$console" ||
				echo 'see the console'))"
			kill -TERM $pid 2>/dev/null
			break
		fi
	done
	wait $pid
	rc=$?
	secs=$(( $(date +%s) - start ))
	cp "$console" "$vm/console-$2.log" 2>/dev/null
	tr -d '\r' < "$results" 2>/dev/null > "$vm/results-$2.txt"
}

if [ "$mode" = bench ]; then
	boot_watched "$only" bench
	results=$vm/results-bench.txt
	grep -v '^HP-' "$results"
	grep -q '^HP-DONE' "$results" || {
		echo "vm: guest did not finish (rc $rc${hung:+; $hung}); see $vm/console-bench.log" >&2
		exit 1; }
	exit 0
fi

# Test mode. The scripts selected (basenames); a script that needs another kernel command line
# (e.g. no IOMMU) says so in a line "# hp-vm-boot: NAME [ARGS...]" and runs in a boot of its own,
# with the extra QEMU arguments of a line "# hp-vm-qemu: ARGS..." if it has one.
selected() {
	local t g b sel
	for t in "$here"/guest/test_*.sh; do
		b=$(basename "$t")
		sel=0
		[ -z "$only" ] && sel=1
		set -f; local IFS=,
		for g in $only; do
			# shellcheck disable=SC2254
			case $b in $g) sel=1 ;; esac
		done
		set +f; unset IFS
		[ $sel = 1 ] && echo "$b"
	done
}
boot_of() { sed -n 's/^# hp-vm-boot: //p' "$here/guest/$1" | head -1; }
qemu_of() { sed -n 's/^# hp-vm-qemu: //p' "$here/guest/$1" | head -1; }

failed=0 total=0
report() {	# report TAG: print one boot's results; sets failed
	local res=$vm/results-$1.txt con=$vm/console-$1.log why
	grep -E '^(PASS|FAIL|SKIP) ' "$res"
	grep -q '^FAIL ' "$res" && failed=1
	total=$((total + secs))
	grep -q '^HP-DONE' "$res" && return 0
	why="guest did not finish (qemu rc $rc)"
	[ $rc = 124 ] && why="guest timed out after $timeout s"
	[ -n "$hung" ] && why="guest hung: $hung"
	grep -q 'Kernel panic' "$con" 2>/dev/null && why="guest kernel panicked"
	echo "FAIL vm/boot: $why in $(sed -n 's/^HP-BEGIN //p' "$res" | tail -1);" \
		"last console lines in $con:"
	tail -15 "$con" 2>/dev/null | sed 's/^/    /'
	failed=1
}

# run_set TAG LIST [KERNEL-ARGS]: boot for the comma-separated scripts and report them.
run_set() {
	local tag=$1 list=$2 args=${3:-} res in rest b
	boot_watched "$list" "$tag" "$args"
	res=$vm/results-$tag.txt
	if [ -z "$hung" ] || grep -q '^HP-DONE' "$res"; then
		report "$tag"
		return
	fi
	# A wedged guest is a fact about that boot, not necessarily about the script it was
	# running: boot once more for the scripts that did not finish. The first boot's hang is
	# still printed (as a NOTE, with its console kept); a second hang is a FAIL.
	in=$(sed -n 's/^HP-BEGIN //p' "$res" | tail -1)
	rest=''
	for b in ${list//,/ }; do
		b=${b#test_}
		grep -qx "HP-END vm/${b%.sh}" "$res" || rest+="${rest:+,}test_$b"
	done
	grep -E '^(PASS|FAIL|SKIP) ' "$res"
	grep -q '^FAIL ' "$res" && failed=1
	total=$((total + secs))
	echo "NOTE vm/boot: the guest hung in ${in:-a script} after $secs s ($hung; console kept in" \
		"$vm/console-$tag.log); booting a fresh guest once for: ${rest//,/ }"
	boot_watched "$rest" "$tag-retry" "$args"
	report "$tag-retry"
}

main='' variants=()
declare -A vlist=() vargs=() vqemu=()
for b in $(selected); do
	spec=$(boot_of "$b")
	if [ -z "$spec" ]; then
		main+="${main:+,}$b"
		continue
	fi
	name=${spec%% *}
	[ -n "${vlist[$name]:-}" ] || variants+=("$name")
	vlist[$name]+="${vlist[$name]:+,}$b"
	vargs[$name]=${spec#"$name"}
	vqemu[$name]=$(qemu_of "$b")
done
if [ -z "$main" ] && [ ${#variants[@]} = 0 ]; then
	echo "FAIL vm/boot: no guest script matches '$only' (tests/vm/guest/test_*.sh)"
	exit 1
fi
[ -n "$main" ] && run_set test "$main"
for name in "${variants[@]}"; do
	echo "vm: booting again (kernel '${vargs[$name]# }', QEMU '${vqemu[$name]}') for:" \
		"${vlist[$name]//,/ }" >&2
	boot_qemu=${vqemu[$name]}
	run_set "test-$name" "${vlist[$name]}" "${vargs[$name]}"
	boot_qemu=''
done
echo "vm: guest ran $total s with $accel" >&2
exit $failed
