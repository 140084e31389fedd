# user/apps/: example apps on the port API (each takes a port string: afxdp:IF:Q or vfio:BDF).
BINS += hp-rxdrop hp-txgen hp-l2fwd
hp-rxdrop_SRCS := user/apps/rxdrop.c
hp-txgen_SRCS := user/apps/txgen.c
hp-l2fwd_SRCS := user/apps/l2fwd.c
