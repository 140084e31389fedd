# cc/: tcp_congestion_ops policies (one algorithm per name.bpf.c) and the tc program the cc tests
# use to drop or CE-mark packets. Each becomes $(O)/bpf/name.bpf.o and $(O)/skel/name.skel.h.
BPF_SRCS += $(wildcard cc/*.bpf.c)
# The loader of these policies is part of libhybridpath (it embeds the skeletons).
LIB_SRCS += loader/cc.c
