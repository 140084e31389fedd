# tests/net/afxdp_test: the AF_XDP scenario driver of tests/net/test_afxdp_*.sh.
TEST_BINS += afxdp_test
afxdp_test_SRCS := tests/net/afxdp_test.c
# Baselines of tests/bench/bench_afxdp.sh (libxdp's xsk API, recvmmsg).
TEST_BINS += xsk_libxdp_drop udp_recvmmsg
xsk_libxdp_drop_SRCS := tests/bench/xsk_libxdp_drop.c
udp_recvmmsg_SRCS := tests/bench/udp_recvmmsg.c
