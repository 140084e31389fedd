# Shared by tests/vm/guest/test_vfio_*.sh (sourced, not a test itself): bind a guest NIC to
# vfio-pci, talk to it from another NIC the guest kernel drives (all NICs sit on one QEMU hub),
# kill the app, give the NIC back to its kernel driver. Addresses: 10.251.0.0/24, on the guest's
# own NICs only.
. /hp/tests/vm/guest/lib.sh
VT=$O/tests/hp_vfio_test
PEER=${PEER:-0000:00:03.0}		# e1000e, stays with the kernel (igb when e1000e is tested)
PEER_IP=10.251.0.1 PORT_IP=10.251.0.2

# expect_err NAME PATTERN CMD...: CMD must fail and print PATTERN (the fix).
expect_err() {
	local name=$1 pat=$2 out; shift 2
	out=$("$@" 2>&1)
	if [ $? -ne 0 ] && echo "$out" | grep -q -- "$pat"; then
		pass "$name"
	else
		fail "$name" "wanted a failure mentioning '$pat', got: $(echo "$out" | tail -2 | tr '\n' ' ')"
	fi
}

sysdev() { echo "/sys/bus/pci/devices/$1"; }
# (virtio-net's interface hangs below the virtio device: BDF/virtioN/net/IF)
ifname() {
	ls "$(sysdev "$1")"/net "$(sysdev "$1")"/virtio*/net 2>/dev/null | grep -v ':$' | head -1
}
driver() { basename "$(readlink "$(sysdev "$1")/driver" 2>/dev/null)" 2>/dev/null; }
have_xdpctl_nic() { [ -x "$XDPCTL" ] && "$XDPCTL" nic -h >/dev/null 2>&1; }

# nic_bind BDF [--force] / nic_unbind BDF: `xdpctl nic` when this build has xdpctl, else the
# same library calls (hp_nic_bind/hp_nic_unbind) through hp_vfio_test.
nic_bind() {
	if have_xdpctl_nic; then "$XDPCTL" nic bind "$@"; else "$VT" bind "$@"; fi
}
nic_unbind() {
	if have_xdpctl_nic; then "$XDPCTL" nic unbind "$@"; else "$VT" unbind "$@"; fi
}

peer_up() {
	PIF=$(ifname "$PEER")
	[ -n "$PIF" ] || return 1
	ip addr add $PEER_IP/24 dev "$PIF" 2>/dev/null
	on_exit "ip addr del $PEER_IP/24 dev $PIF"	# the next suite may bind this NIC
	ip link set "$PIF" up
	ip neigh flush dev "$PIF" 2>/dev/null	# an earlier suite's port had another MAC
	PEER_MAC=$(cat /sys/class/net/"$PIF"/address)
	wait_for 10 grep -qx 1 /sys/class/net/"$PIF"/carrier
}

# The port API's apps, unchanged, on vfio:BDF: l2fwd reflects, rxdrop counts, txgen sends.
run_apps() {
	local dev=$1 mac out pid n
	mac=$("$VT" info "vfio:$dev" 2>/dev/null | sed -n 's/.*mac=\([0-9a-f:]*\).*/\1/p')
	if [ -z "$mac" ]; then
		fail apps "no MAC from hp_vfio_test info"
		return
	fi
	"$O/bin/hp-l2fwd" "vfio:$dev" --duration 30 --quiet > /tmp/l2fwd.out 2>&1 &
	pid=$!
	wait_for 20 grep -q "hp-l2fwd:" /tmp/l2fwd.out
	check app_l2fwd "$VT" pkt-reflect "$PIF" "$mac" 50
	kill -INT $pid; wait $pid
	"$O/bin/hp-rxdrop" "vfio:$dev" --duration 30 --quiet > /tmp/rxdrop.out 2>&1 &
	pid=$!
	wait_for 20 grep -q "hp-rxdrop:" /tmp/rxdrop.out
	"$VT" pkt-reflect "$PIF" "$mac" 50 >/dev/null 2>&1	# nothing comes back: rxdrop drops
	sleep 1
	kill -INT $pid; wait $pid
	if [ -n "${NO_IRQ_WHY:-}" ]; then
		skip irq_idle_cpu "$NO_IRQ_WHY"
	else
		run_irq "$dev" "$mac"
	fi
	n=$(sed -n 's/^total rx \([0-9]*\) packets.*/\1/p' /tmp/rxdrop.out)
	if [ "${n:-0}" -ge 50 ]; then pass app_rxdrop; else
		fail app_rxdrop "received ${n:-none} of 50: $(tail -2 /tmp/rxdrop.out | tr '\n' ' ')"; fi
	"$VT" pkt-rx "$PIF" 20 > /tmp/pktrx.out 2>&1 &
	pid=$!
	sleep 1
	out=$("$O/bin/hp-txgen" "vfio:$dev" --count 50 --dst-mac "$PEER_MAC" --quiet 2>&1)
	sleep 2
	kill -INT $pid; wait $pid
	n=$(sed -n 's/.* rx=\([0-9]*\) .*/\1/p' /tmp/pktrx.out)
	if echo "$out" | grep -q "total tx 50 packets" && [ "${n:-0}" -ge 50 ]; then
		pass app_txgen
	else
		fail app_txgen "kernel saw ${n:-none} of 50: $(echo "$out" | tail -2 | tr '\n' ' ')"
	fi
}

# Idle sleep on MSI-X: hp-rxdrop --poll on "vfio:BDF,irq" must use little CPU while idle, wake
# for traffic (all frames counted), and the device's vfio-msix interrupts must have fired (the
# no-interrupt fallback also sleeps, so CPU time alone would not prove anything).
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
msix_count() {	# interrupts of MSI-X vector 0 of BDF, summed over the CPUs
	grep "vfio-msix\[0\]($1)" /proc/interrupts |
		awk '{ s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }'
}
run_irq() {
	local dev=$1 mac=$2 pid t0 t1 i0 i1 n
	"$O/bin/hp-rxdrop" "vfio:$dev,irq" --poll --duration 40 --quiet > /tmp/rxirq.out 2>&1 &
	pid=$!
	wait_for 20 grep -q "hp-rxdrop:" /tmp/rxirq.out
	sleep 1
	t0=$(cpu_ticks $pid)
	sleep 3
	t1=$(cpu_ticks $pid)
	i0=$(msix_count "$dev")
	"$VT" pkt-reflect "$PIF" "$mac" 50 >/dev/null 2>&1
	sleep 1
	i1=$(msix_count "$dev")
	kill -INT $pid; wait $pid
	n=$(sed -n 's/^total rx \([0-9]*\) packets.*/\1/p' /tmp/rxirq.out)
	# 3 s idle = 300 ticks when spinning; allow 10 %
	if [ -n "$t1" ] && [ $((t1 - t0)) -lt 30 ]; then pass irq_idle_cpu; else
		fail irq_idle_cpu "idle rxdrop used $((t1 - t0)) ticks in 3 s"; fi
	if [ "${n:-0}" -ge 50 ]; then pass irq_wakes; else
		fail irq_wakes "received ${n:-none} of 50: $(tail -2 /tmp/rxirq.out | tr '\n' ' ')"; fi
	if [ -n "$i1" ] && [ "$i1" -gt "${i0:-0}" ]; then pass irq_msix_fired; else
		fail irq_msix_fired "vfio-msix[0]($dev) count ${i0:-none} -> ${i1:-none}"; fi
}

# run_vfio_suite BDF KERNEL_DRIVER: the whole sequence for one device.
run_vfio_suite() {
	local dev=$1 kdrv=$2 out pid pdrv
	PORT_IP=10.251.0.$((10 + 0x${dev:8:2}))	# one address per device: 00:04.0 -> .14
	if [ ! -e "$(sysdev "$dev")" ]; then
		skip all "no PCI device $dev in this guest"
		return
	fi
	if ! peer_up; then
		fail peer "kernel NIC $PEER has no interface or no carrier"
		return
	fi
	have_xdpctl_nic || skip xdpctl "no xdpctl in this build (needs steering): hp_nic_bind directly"
	# A NIC with an address is refused (and stays with its driver) unless --force.
	pdrv=$(driver "$PEER")
	out=$(nic_bind "$PEER" 2>&1)
	if [ $? -ne 0 ] && echo "$out" | grep -q -- --force && [ "$(driver "$PEER")" = "$pdrv" ]; then
		pass refuse_in_use
	else
		fail refuse_in_use "binding $PEER (has $PEER_IP) was not refused: $out"
	fi
	on_exit "nic_unbind $dev"
	check bind nic_bind "$dev"
	check bind_driver test "$(driver "$dev")" = vfio-pci
	check vfio_group test -n "$(ls /dev/vfio | grep -v '^vfio$')"
	# Bad input: a device not bound to vfio-pci must be refused with the fix in the message.
	out=$("$VT" info "vfio:$PEER" 2>&1)
	if [ $? -ne 0 ] && echo "$out" | grep -q "nic bind"; then
		pass refuse_unbound
	else
		fail refuse_unbound "opening $PEER (kernel driver) did not fail with a fix: $out"
	fi
	out=$("$VT" info "vfio:$dev" 2>&1)
	if echo "$out" | grep -q "link=1"; then pass link_up; else fail link_up "$out"; fi
	check ping_small "$VT" ping "vfio:$dev" $PORT_IP $PEER_IP "$PEER_MAC" 200 56
	check ping_large "$VT" ping "vfio:$dev" $PORT_IP $PEER_IP "$PEER_MAC" 100 1400
	check promisc "$VT" promisc "vfio:$dev" "$PIF"
	if [ -n "${MQ:-}" ]; then
		check multiqueue "$VT" mq "$dev" 10.251.0.100 $PEER_IP "$PEER_MAC"
		# the same through the port API: vfio:BDF,queues=2 and vfio:BDF,queue=1 share
		# the device; a taken or missing queue, or mismatched options, are refused
		check multiqueue_ports "$VT" mq "$dev" 10.251.0.100 $PEER_IP "$PEER_MAC" port
	else
		skip multiqueue "${MQ_WHY:-one queue pair on this device}"
		skip multiqueue_ports "${MQ_WHY:-one queue pair on this device}"
	fi
	run_apps "$dev"
	# A killed app leaves the device usable: kill -9 mid-transmit, then talk again.
	"$VT" txgen "vfio:$dev" 60 >/dev/null 2>&1 &
	pid=$!
	sleep 3
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	check restart_after_kill "$VT" ping "vfio:$dev" $PORT_IP $PEER_IP "$PEER_MAC" 50 56
	# Back to the kernel driver: its interface must send and receive again.
	check unbind nic_unbind "$dev"
	if [ "$(driver "$dev")" = "$kdrv" ] && wait_for 10 test -n "$(ifname "$dev")"; then
		local kif; kif=$(ifname "$dev")
		ip link set "$kif" up
		wait_for 10 grep -qx 1 /sys/class/net/"$kif"/carrier
		# Both ends kernel-driven; AF_PACKET because one netns cannot route to itself.
		check kernel_works "$VT" pkt-pair "$kif" "$PIF"
		ip link set "$kif" down
	else
		fail kernel_works "driver is '$(driver "$dev")', expected $kdrv with an interface"
	fi
}
