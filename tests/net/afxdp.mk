# tests/net/afxdp_test: the AF_XDP scenario driver of tests/net/test_afxdp_*.sh.
TEST_BINS += afxdp_test
afxdp_test_SRCS := tests/net/afxdp_test.c
