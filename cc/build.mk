# cc/: tcp_congestion_ops policies (one algorithm per name.bpf.c) and the tc program the cc tests
# use to drop or CE-mark packets. Each becomes $(O)/bpf/name.bpf.o and $(O)/skel/name.skel.h.
BPF_SRCS += $(wildcard cc/*.bpf.c)
# The loader of these policies is part of libhybridpath (it embeds the skeletons).
LIB_SRCS += loader/cc.c
# Test helpers (tests/net/test_cc_*.sh, tests/bench/bench_cc.sh): a TCP bulk sender/receiver
# with TCP_CONGESTION, checksum and TCP_INFO sampling, and the tc_loss wrapper.
TEST_BINS += hp_cc_xfer hp_cc_impair
hp_cc_xfer_SRCS := tests/net/cc_xfer.c
hp_cc_impair_SRCS := tests/net/cc_impair.c
# For the error tests: a deliberately mismatched tcp_congestion_ops, and one declared without
# a link section and without counters (a third-party style object).
BPF_SRCS += tests/net/cc_badops.bpf.c tests/net/cc_nolink.bpf.c
