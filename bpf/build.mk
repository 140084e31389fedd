# bpf/: XDP programs. Each name.bpf.c becomes $(O)/bpf/name.bpf.o and $(O)/skel/name.skel.h.
BPF_SRCS += $(wildcard bpf/*.bpf.c)
