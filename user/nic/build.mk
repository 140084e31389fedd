# user/nic/: the VFIO poll-mode NIC drivers (virtio-net, igb) and the vfio: port backend.
LIB_SRCS += user/nic/vfio.c user/nic/dma.c user/nic/mempool.c user/nic/nic.c \
	    user/nic/drv_virtio.c user/nic/drv_igb.c user/nic/port_vfio.c
