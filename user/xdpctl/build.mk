# user/xdpctl/: the xdpctl CLI. Every .c here is part of it, so other objects (cc, sched, xsk,
# nic) only drop in their file and add one line to the table in main.c.
# The steering commands need the loader and user/steer: xdpctl builds once both are in the tree.
ifneq ($(and $(wildcard bpf/steer.bpf.c),$(wildcard user/steer/*.c)),)
BINS += xdpctl
xdpctl_SRCS := $(wildcard user/xdpctl/*.c)
endif
