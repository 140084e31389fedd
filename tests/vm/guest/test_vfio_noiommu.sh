#!/bin/bash
# hp-vm-boot: noiommu intel_iommu=off
# VFIO no-IOMMU mode, in a boot of its own without the IOMMU (the line above; tests/vm/boot.sh):
# binding is refused until the unsafe switch is on, opening needs the explicit `noiommu` option
# and warns, and then the igb driver works on physical addresses from /proc/self/pagemap (ICMP
# echo through the kernel's e1000e); finally the device goes back to igb and the switch off.
. /hp/tests/vm/guest/vfio_lib.sh
IGB=0000:00:04.0
SW=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
if [ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
	skip all "this guest has IOMMU groups: the script needs the boot without an IOMMU that" \
		"tests/vm/boot.sh gives it (# hp-vm-boot)"
	finish
	exit 0
fi
[ -w "$SW" ] || { fail switch "no $SW: the guest kernel needs CONFIG_VFIO_NOIOMMU"; finish; exit 0; }
if ! peer_up; then
	fail peer "kernel NIC $PEER has no interface or no carrier"
	finish
	exit 0
fi
PORT_IP=10.251.0.24

echo 0 > "$SW"
expect_err bind_refused "enable_unsafe_noiommu_mode" nic_bind "$IGB"
check stays_with_igb test "$(driver "$IGB")" = igb

echo 1 > "$SW"
on_exit "echo 0 > $SW"
on_exit "nic_unbind $IGB"
out=$(nic_bind "$IGB" 2>&1)
if [ $? = 0 ] && [ "$(driver "$IGB")" = vfio-pci ] && grep -q "WARNING" <<<"$out"; then
	pass bind_warns
else
	fail bind_warns "rc/driver $(driver "$IGB"): $out"
fi
check noiommu_group ls /dev/vfio/noiommu-*
expect_err needs_option "vfio:$IGB,noiommu" "$VT" info "vfio:$IGB"
out=$("$VT" info "vfio:$IGB,noiommu" 2>&1)
if [ $? = 0 ] && grep -q "WARNING: no-IOMMU mode" <<<"$out" && grep -q "mode=vfio igb noiommu" <<<"$out"
then
	pass open_warns
else
	fail open_warns "$(tail -3 <<<"$out" | tr '\n' ' ')"
fi
check ping_small "$VT" ping "vfio:$IGB,noiommu" $PORT_IP $PEER_IP "$PEER_MAC" 100 56
check ping_large "$VT" ping "vfio:$IGB,noiommu" $PORT_IP $PEER_IP "$PEER_MAC" 50 1400
check unbind nic_unbind "$IGB"
check back_to_igb test "$(driver "$IGB")" = igb
finish
