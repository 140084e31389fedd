# user/afxdp/ and user/port/: AF_XDP library and the port API, part of libhybridpath.
LIB_SRCS += $(wildcard user/afxdp/*.c) user/port/port.c
# The steering loader is in the library only once bpf/steer.bpf.c exists (loader/build.mk);
# until then sockets go through the fallback program bpf/xsk_redirect.bpf.c alone.
ifneq ($(wildcard bpf/steer.bpf.c),)
$(O)/obj/user/afxdp/prog.o: CFLAGS += -DHP_HAVE_STEER
# rebuilt when steering appears or changes (the flag above is not tracked by make)
$(O)/obj/user/afxdp/prog.o: bpf/steer.bpf.c
endif
