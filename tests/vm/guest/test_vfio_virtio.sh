#!/bin/bash
# VFIO virtio-net driver (QEMU virtio-net-pci, 00:05.0) against the guest kernel's e1000e: bind,
# link, ICMP echo through the kernel (checksums, payloads), promiscuous mode over the control
# queue, restart after kill -9, and the kernel virtio_net driver working again after unbind.
. /hp/tests/vm/guest/vfio_lib.sh
MQ_WHY="QEMU's virtio-net on a hub port has one queue pair (mq needs a multiqueue netdev)" \
	run_vfio_suite 0000:00:05.0 virtio-pci
finish
