#!/usr/bin/env bash
# AF_XDP through our library and the port API, after the kernel's xskxceiver scenarios, on a veth
# pair in two namespaces (4 queues each). build/tests/afxdp_test drives each scenario; every
# scenario gets a fresh lab so one failure cannot leak into the next.
source "$(dirname "$0")/lib.sh"
need_root
T=${AFXDP_TEST:-$O/tests/afxdp_test}
[ -x "$T" ] || { skip "" "$T not built (make)"; exit 0; }

# case NAME [lab setup cmd] -- ARGS...: run one scenario in a new lab
run_case() {
	local name=$1 setup=$2; shift 2
	local out rc
	lab2 numrxqueues 4 numtxqueues 4 || { fail "$name" "lab setup failed"; return; }
	if [ -n "$setup" ]; then eval "$setup" || { fail "$name" "setup: $setup"; teardown; return; }; fi
	out=$(timeout -k 5 60 "$T" --a "$NS_A" --b "$NS_B" "$@" 2>&1)
	rc=$?
	case $rc in
	0) pass "$name" ;;
	77) skip "$name" "$(echo "$out" | tail -1)" ;;
	*) fail "$name" "$(echo "$out" | tail -4 | tr '\n' ' ')" ;;
	esac
	teardown
}
teardown() { ip netns del "$NS_A" 2>/dev/null; ip netns del "$NS_B" 2>/dev/null; }
mtu() { ip -n "$NS_A" link set a0 mtu "$1" && ip -n "$NS_B" link set b0 mtu "$1"; }


run_case copy_native_64 "" --count 2000 --size 64 xfer
run_case copy_native_1500 "" --count 2000 --size 1500 xfer
run_case copy_skb "" --skb --count 2000 --size 256 xfer
run_case frame_4k "mtu 3500" --frame 4096 --count 2000 --size 3400 xfer
run_case unaligned "" --unaligned --frame 3000 --count 2000 --size 1400 xfer
run_case headroom "" --headroom 512 --count 2000 --size 1024 xfer
run_case unaligned_headroom "" --unaligned --frame 2500 --headroom 300 --count 1000 --size 1500 xfer
# with no 2 MiB pages reserved, this checks the fallback to normal pages (and says so)
if [ "$(awk '/^HugePages_Free/ {print $2}' /proc/meminfo)" -gt 0 ] 2>/dev/null; then
	run_case hugepages "" --hugepages --count 1000 --size 512 xfer
else
	run_case hugepages_fallback "" --hugepages --count 1000 --size 512 xfer
fi
run_case poll_mode "" --poll --count 2000 --size 128 xfer
run_case busy_poll "" --busy-poll --count 1000 --size 128 xfer
run_case bidirectional "" --count 2000 --size 200 bidi
run_case shared_umem_2q "" --count 2000 --size 300 shared
run_case rx_ring_full_stat "" --size 128 rxfull
run_case fill_ring_empty_stat "" --size 128 fillempty
run_case invalid_tx_descs "" --size 128 invalid_tx
run_case teardown_rebind "" --size 128 rebind
run_case bad_input "" badinput
run_case multibuf_9000 "mtu 9000" --mb --frame 4096 --count 500 --size 9000 xfer
run_case zerocopy "" --count 500 zerocopy
finish
