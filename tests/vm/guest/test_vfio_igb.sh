#!/bin/bash
# VFIO igb driver (QEMU -device igb, 00:04.0) against the guest kernel's e1000e: bind, link,
# ICMP echo through the kernel (checksums, payloads), promiscuous mode, two queue pairs with RSS,
# the port apps, MSI-X idle sleep, restart after kill -9,
# and the kernel igb driver working again after unbind.
. /hp/tests/vm/guest/vfio_lib.sh
MQ=1 run_vfio_suite 0000:00:04.0 igb
finish
