# user/xdpctl/: the xdpctl CLI. Every .c here is part of it, so other objects (cc, sched, xsk,
# nic) only drop in their file and add one line to the table in main.c.
BINS += xdpctl
# Transitional: the steering commands need the loader and user/steer in the library. Until both
# are (checked when the link rule is made, after every build.mk), they are left out, and main.c's
# weak references to them are NULL ("not built"), so the other objects can be built and tested.
XDPCTL_STEER_SRCS := user/xdpctl/attach.c user/xdpctl/rule.c user/xdpctl/stats.c
xdpctl_SRCS = $(if $(and $(filter loader/loader.c,$(LIB_SRCS)),$(filter user/steer/%,$(LIB_SRCS))),\
	$(wildcard user/xdpctl/*.c),\
	$(filter-out $(XDPCTL_STEER_SRCS),$(wildcard user/xdpctl/*.c)))
