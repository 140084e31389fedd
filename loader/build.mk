# loader/: attach/detach/status of the steering program, part of libhybridpath.
# Transitional: loader.c includes steer.skel.h, so it joins the library once bpf/steer.bpf.c is
# in the tree (user/afxdp/build.mk uses the same condition).
ifneq ($(wildcard bpf/steer.bpf.c),)
LIB_SRCS += loader/loader.c
endif
