#!/bin/bash
# VFIO bad input and faults: each must fail with a message that names the fix, and leave the
# device usable. Runs before the igb/virtio suites (alphabetical) while no NIC has an address.
. /hp/tests/vm/guest/vfio_lib.sh
IGB=0000:00:04.0

expect_err bad_bdf "DOMAIN:BUS:DEV.FN" "$VT" info vfio:not-a-device
expect_err no_device "no such PCI device" "$VT" info vfio:0000:00:1f.6
expect_err not_vfio "nic bind" "$VT" info vfio:$IGB
expect_err bind_bad_bdf "DOMAIN:BUS:DEV.FN" nic_bind 00:04
expect_err unknown_option "known: irq, noiommu" "$VT" info "vfio:$IGB,fast"

on_exit "nic_unbind $IGB"
check bind nic_bind $IGB
# No hugepages: the error says how to reserve them, nothing stays open.
hp=$(cat /proc/sys/vm/nr_hugepages)
echo 0 > /proc/sys/vm/nr_hugepages
expect_err no_hugepages "nr_hugepages" "$VT" info vfio:$IGB
echo "$hp" > /proc/sys/vm/nr_hugepages
# No-IOMMU mode asked for on a kernel where it is off: names the switch.
expect_err noiommu_off "enable_unsafe_noiommu_mode" "$VT" info "vfio:$IGB,noiommu"
# Busy: a second process on the same device gets a clear "in use".
"$VT" rxdrop vfio:$IGB 8 > /dev/null 2>&1 &
pid=$!
sleep 3
expect_err busy "in use" "$VT" info vfio:$IGB
kill -INT $pid; wait $pid
check usable_after_errors "$VT" info vfio:$IGB
check unbind nic_unbind $IGB

# An id we have no driver for is refused in test_vfio_group.sh (its e1000 NICs).
finish
