# user/: libhybridpath (util, steer, afxdp, nic, port) and the apps/xdpctl built on it.
LIB_SRCS += user/util/log.c
HEADERS += $(wildcard user/include/hybridpath/*.h) bpf/include/hp_steer.h
