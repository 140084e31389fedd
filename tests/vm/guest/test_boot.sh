#!/bin/bash
# The guest itself: the kernel the tests need (sched_ext, BTF, VFIO, the three NICs, hugepages).
. /hp/tests/vm/guest/lib.sh
check sched_ext test -d /sys/kernel/sched_ext
check btf test -r /sys/kernel/btf/vmlinux
check bpffs grep -q ' /sys/fs/bpf bpf ' /proc/mounts
check hugepages test "$(cat /proc/sys/vm/nr_hugepages)" -gt 0
check iommu test -n "$(ls /sys/class/iommu 2>/dev/null)"
n=$(grep -lE '0x8086|0x1af4' /sys/bus/pci/devices/0000:00:0[345].0/vendor 2>/dev/null | wc -l)
check nics test "$n" = 3
finish
