# loader/: attach/detach/status of the steering program (loader.c, needs steer.skel.h), part of
# libhybridpath. cc/build.mk adds loader/cc.c (congestion control) itself.
LIB_SRCS += loader/loader.c
