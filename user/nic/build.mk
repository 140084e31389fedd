# user/nic/: the VFIO poll-mode NIC drivers (virtio-net, igb) and the vfio: port backend.
LIB_SRCS += user/nic/vfio.c user/nic/dma.c user/nic/mempool.c user/nic/nic.c \
	    user/nic/drv_virtio.c user/nic/drv_igb.c user/nic/port_vfio.c user/nic/bind.c
# Guest test/bench driver for the VFIO tests (tests/vm/guest/test_vfio_*.sh, bench_vfio.sh).
TEST_BINS += hp_vfio_test
hp_vfio_test_SRCS := tests/nic/hp_vfio_test.c
