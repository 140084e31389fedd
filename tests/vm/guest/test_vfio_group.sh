#!/bin/bash
# hp-vm-boot: group
# hp-vm-qemu: -device pci-bridge,id=hpbr,chassis_nr=1,addr=06.0 -netdev hubport,id=g1,hubid=1 -device e1000,netdev=g1,bus=hpbr,addr=01.0,romfile= -netdev hubport,id=g2,hubid=1 -device e1000,netdev=g2,bus=hpbr,addr=02.0,romfile=
# An IOMMU group that is not viable: two conventional-PCI NICs behind one PCI bridge share a
# group (the lines above give this boot of its own that bridge). With one bound to vfio-pci and
# its sibling still with e1000, opening it must be refused with the fix (bind every device of
# the group); with both bound the group is viable and the open gets as far as the device id
# (e1000 has no driver here). Both go back to e1000.
. /hp/tests/vm/guest/vfio_lib.sh

# the group holding two e1000 devices
A='' B='' G=''
for g in /sys/kernel/iommu_groups/*; do
	devs=()
	for d in "$g"/devices/*; do
		[ "$(driver "$(basename "$d")")" = e1000 ] && devs+=("$(basename "$d")")
	done
	if [ ${#devs[@]} -ge 2 ]; then
		A=${devs[0]} B=${devs[1]} G=$(basename "$g")
		break
	fi
done
if [ -z "$G" ]; then
	fail shared_group "no IOMMU group with two e1000 devices: $(lspci 2>/dev/null | tr '\n' ' ')"
	finish
	exit 0
fi
pass shared_group
on_exit "nic_unbind $A"
on_exit "nic_unbind $B"
check bind_one nic_bind "$A"
expect_err not_viable "iommu_groups/$G/devices" "$VT" info "vfio:$A"
check bind_sibling nic_bind "$B"
expect_err viable_then_id "unsupported device" "$VT" info "vfio:$A"
check unbind_one nic_unbind "$A"
check unbind_sibling nic_unbind "$B"
check back_to_e1000 test "$(driver "$A")/$(driver "$B")" = e1000/e1000
finish
