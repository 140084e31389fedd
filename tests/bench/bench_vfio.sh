#!/usr/bin/env bash
# VFIO driver benchmark, inside the QEMU guest (on the host this script boots the guest in bench
# mode and runs itself there). For each emulated NIC (igb 00:04.0, virtio-net 00:05.0):
#   rx: hp-txgen on the other NIC (bound to vfio-pci: the fastest generator in this guest)
#       floods 60-byte UDP frames at the NIC's MAC; received pps of hp-rxdrop on vfio:BDF vs an
#       AF_PACKET receiver on the same NIC under its kernel driver
#   tx: hp-txgen on vfio:BDF vs an AF_PACKET sender on the same NIC under its kernel driver
#       (60-byte frames to an unused unicast MAC, so the other NICs' filters drop them)
# Prints pps and the vfio/kernel ratio per direction against the issue's >= 2x target. The
# devices are emulated under TCG: absolute numbers mean little, the ratios are the result.
set -uo pipefail
if [ -z "${HP_GUEST:-}" ]; then
	here=$(cd "$(dirname "$0")" && pwd)
	command -v "${QEMU:-qemu-system-x86_64}" >/dev/null ||
		{ echo "bench vfio: skipped: no QEMU (make deps)"; exit 0; }
	exec bash "$here/../vm/boot.sh" --mode bench --only vfio
fi
. /hp/tests/vm/guest/vfio_lib.sh
SECS=${HP_BENCH_SECONDS:-5}
SINK=02:00:00:00:00:99
say() { echo "bench vfio: $*"; }
pps_of() {	# "pps=N" (hp_vfio_test) or "(N pps)" (hp-rxdrop/hp-txgen summaries)
	sed -n 's/.*pps=\([0-9]*\).*/\1/p; s/.*(\([0-9.]*\) pps).*/\1/p' | head -1 | cut -d. -f1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() {
	awk -v r="$1" 'BEGIN { print (r != "n/a" && r >= 2.0) ? "target met (>= 2x)" :
		"TARGET MISSED (>= 2x)" }'
}

# rx_run RX_DEV GEN_DEV MODE: hp-txgen floods from GEN_DEV (bound to vfio-pci, the fastest
# generator this guest has, on CPU 0) at RX_DEV's MAC; the receiver runs on CPU 1: AF_PACKET on
# the kernel driver (MODE kernel) or hp-rxdrop on vfio:RX_DEV (MODE vfio). Prints rx pps.
rx_run() {
	local rx=$1 gen=$2 mode=$3 mac=$4 kif g r
	if [ "$mode" = kernel ]; then
		kif=$(ifname "$rx")
		ip link set "$kif" up
		wait_for 10 grep -qx 1 /sys/class/net/"$kif"/carrier
		taskset -c 0 "$O/bin/hp-txgen" "vfio:$gen" --duration $((SECS + 3)) --size 60 \
			--dst-mac "$mac" --quiet > /tmp/gen.out 2>&1 &
		g=$!
		sleep 1
		taskset -c 1 "$VT" pkt-rx "$kif" "$SECS" 2>/dev/null | pps_of
		wait $g
		ip link set "$kif" down
		return
	fi
	taskset -c 1 "$O/bin/hp-rxdrop" "vfio:$rx" --duration $((SECS + 2)) --quiet \
		> /tmp/rx.out 2>&1 &
	r=$!
	wait_for 20 grep -q "hp-rxdrop:" /tmp/rx.out
	taskset -c 0 "$O/bin/hp-txgen" "vfio:$gen" --duration $((SECS + 4)) --size 60 \
		--dst-mac "$mac" --quiet > /tmp/gen.out 2>&1 &
	g=$!
	wait $r
	kill -INT $g 2>/dev/null; wait $g 2>/dev/null
	pps_of < /tmp/rx.out
}

# tx_run DEV MODE: 60-byte frames to an unused MAC from DEV, AF_PACKET on the kernel driver or
# hp-txgen on vfio:DEV. Prints tx pps.
tx_run() {
	local dev=$1 mode=$2 kif
	if [ "$mode" = kernel ]; then
		kif=$(ifname "$dev")
		ip link set "$kif" up
		wait_for 10 grep -qx 1 /sys/class/net/"$kif"/carrier
		taskset -c 1 "$VT" pkt-tx "$kif" "$SECS" 18 $SINK 2>/dev/null | pps_of
		ip link set "$kif" down
		return
	fi
	taskset -c 1 "$O/bin/hp-txgen" "vfio:$dev" --duration "$SECS" --size 60 --dst-mac $SINK \
		--quiet 2>/dev/null | pps_of
}

report() {	# report NAME DIR VFIO KERNEL
	local r; r=$(ratio "${3:-0}" "${4:-0}")
	say "$1 $2: vfio ${3:-?} pps, kernel driver + AF_PACKET ${4:-?} pps: ${r}x, $(verdict "$r")"
}

# bench_dev DEV NAME GEN: both directions for DEV, GEN generating its rx load.
bench_dev() {
	local dev=$1 name=$2 gen=$3 mac krx ktx vrx vtx kif
	kif=$(ifname "$dev")
	[ -n "$kif" ] || { say "$name: no kernel interface at $dev, skipped"; return; }
	mac=$(cat /sys/class/net/"$kif"/address)
	nic_bind "$gen" >/dev/null || { say "$name: cannot bind the generator $gen"; return; }
	krx=$(rx_run "$dev" "$gen" kernel "$mac")
	ktx=$(tx_run "$dev" kernel)
	nic_bind "$dev" >/dev/null || { say "$name: bind failed"; nic_unbind "$gen"; return; }
	vrx=$(rx_run "$dev" "$gen" vfio "$mac")
	vtx=$(tx_run "$dev" vfio)
	nic_unbind "$dev" >/dev/null
	nic_unbind "$gen" >/dev/null
	report "$name" "rx (generator: hp-txgen on the other NIC via vfio)" "$vrx" "$krx"
	report "$name" tx "$vtx" "$ktx"
}

# The e1000e stays up as a sink: QEMU's hub holds a sender's frames while no other port can
# receive, and a stalled virtio-net tx queue would hang the kernel baseline.
PIF=$(ifname 0000:00:03.0)
[ -n "$PIF" ] && ip link set "$PIF" up
say "$SECS s per run, 60-byte frames, QEMU TCG (emulated NICs: ratios, not absolute rates)"
bench_dev 0000:00:04.0 igb 0000:00:05.0
bench_dev 0000:00:05.0 virtio-net 0000:00:04.0
