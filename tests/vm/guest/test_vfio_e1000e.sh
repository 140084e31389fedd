#!/bin/bash
# VFIO e1000e driver (QEMU -device e1000e, 82574L, 00:03.0; drv_igb.c's legacy-descriptor
# variant) against the guest kernel's igb on 00:04.0: bind, link, ICMP echo through the kernel
# (checksums, payloads), promiscuous mode, the port apps, restart after kill -9, and the kernel
# e1000e driver working again after unbind. One queue pair and no interrupt wait in this driver.
. /hp/tests/vm/guest/vfio_lib.sh
PEER=0000:00:04.0 MQ_WHY="the e1000e driver uses one queue pair" \
	NO_IRQ_WHY="the e1000e driver has no interrupt support: idle waits poll" \
	run_vfio_suite 0000:00:03.0 e1000e
finish
