# user/: libhybridpath (util, steer, afxdp, nic, port) and the apps/xdpctl built on it.
LIB_SRCS += user/util/log.c user/util/fs.c user/util/parse.c
# Steering: rule grammar, packet parser, reference classifier, rule compiler.
LIB_SRCS += $(wildcard user/steer/*.c)
HEADERS += $(wildcard user/include/hybridpath/*.h) bpf/include/hp_steer.h
# AF_XDP library + port API, and the example apps (each folder declares its own build).
include user/afxdp/build.mk user/apps/build.mk
# VFIO poll-mode drivers + the vfio: port backend.
include user/nic/build.mk
# The xdpctl CLI.
include user/xdpctl/build.mk
