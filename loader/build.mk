# loader/: attach/detach/status of the steering program, part of libhybridpath.
# It includes steer.skel.h, so it builds once bpf/steer.bpf.c is in the tree.
ifneq ($(wildcard bpf/steer.bpf.c),)
LIB_SRCS += $(wildcard loader/*.c)
endif
