#!/bin/bash
# AF_XDP zero-copy where a driver may offer it: the guest kernel's virtio-net (00:05.0). The
# port asks for zero-copy explicitly; when the driver has none, the bind is refused with
# EOPNOTSUPP and this is reported as SKIP with the driver's name. When it binds, the library
# must report zero-copy (from XDP_OPTIONS), and frames sent by hp-txgen from the guest's e1000e
# (00:03.0, AF_XDP copy mode, same QEMU hub) must all arrive at hp-rxdrop on the zero-copy
# socket. Runs before the VFIO tests take the devices (scripts run in name order).
. /hp/tests/vm/guest/lib.sh
VIRTIO=0000:00:05.0 E1000E=0000:00:03.0 N=2000

netdev_of() { ls "/sys/bus/pci/devices/$1/net" "/sys/bus/pci/devices/$1"/virtio*/net 2>/dev/null |
	grep -v ':$' | grep . | head -1; }
rx_if=$(netdev_of $VIRTIO) tx_if=$(netdev_of $E1000E)
if [ -z "$rx_if" ] || [ -z "$tx_if" ]; then
	skip zerocopy "no kernel netdev on $VIRTIO ('$rx_if') or $E1000E ('$tx_if')"
	finish
fi
ip link set "$rx_if" up && ip link set "$tx_if" up
drv=$(basename "$(readlink "/sys/bus/pci/devices/$VIRTIO/driver")")
out=$(timeout 20 "$O/bin/hp-rxdrop" "afxdp:$rx_if:0" --bind zerocopy --duration 1 --quiet 2>&1)
if grep -q 'does not offer zero-copy\|Operation not supported' <<<"$out"; then
	skip zerocopy "$drv/$rx_if has no AF_XDP zero-copy on this kernel: $(head -1 <<<"$out")"
	finish
fi
if ! grep -q 'afxdp zerocopy' <<<"$out"; then
	fail zerocopy_bind "$(tail -2 <<<"$out" | tr '\n' ' ')"
	finish
fi
pass zerocopy_bind
mac=$(cat "/sys/class/net/$rx_if/address")
log=/tmp/afxdp_zc.rx
timeout 60 "$O/bin/hp-rxdrop" "afxdp:$rx_if:0" --bind zerocopy --duration 20 --quiet >$log 2>&1 &
rx=$!
on_exit kill $rx
sleep 2
timeout 40 "$O/bin/hp-txgen" "afxdp:$tx_if:0" --no-steer --bind copy --count $N --rate 500 \
	--size 128 --dst-mac "$mac" >/tmp/afxdp_zc.tx 2>&1
sleep 2
kill -INT $rx; wait $rx
got=$(sed -n 's/^total rx \([0-9]*\) packets.*/\1/p' $log)
if [ "${got:-0}" -ge $N ]; then pass zerocopy_rx
else fail zerocopy_rx "sent $N, received ${got:-?}: $(tail -1 $log) / $(tail -1 /tmp/afxdp_zc.tx)"; fi
finish
