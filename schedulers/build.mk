# schedulers/: sched_ext policies, one per name.bpf.c ($(O)/bpf/name.bpf.o, $(O)/skel/name.skel.h);
# the user side is loader/sched.c.
BPF_SRCS += $(wildcard schedulers/*.bpf.c)
# Their loader is part of libhybridpath (the Makefile dedupes LIB_SRCS, loader/build.mk may list it too).
LIB_SRCS += loader/sched.c
