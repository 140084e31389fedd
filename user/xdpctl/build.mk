# user/xdpctl/: the xdpctl CLI. Every .c here is part of it, so other objects (cc, sched, xsk,
# nic) only drop in their file and add one line to the table in main.c.
BINS += xdpctl
xdpctl_SRCS := $(wildcard user/xdpctl/*.c)
# Transitional: the steering commands need bpf/steer.bpf.c (the loader's skeleton) and
# user/steer/. Until both are in the tree they are left out, and main.c's weak references to them
# are NULL ("not built"), so the other objects can be built and tested meanwhile.
ifeq ($(and $(wildcard bpf/steer.bpf.c),$(wildcard user/steer/*.c)),)
xdpctl_SRCS := $(filter-out user/xdpctl/attach.c user/xdpctl/rule.c user/xdpctl/stats.c,$(xdpctl_SRCS))
endif
