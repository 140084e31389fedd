# user/xdpctl/: the xdpctl CLI. Every .c here is part of it, so other objects (cc, sched, xsk,
# nic) only drop in their file and add one line to the table in main.c.
BINS += xdpctl
xdpctl_SRCS := $(wildcard user/xdpctl/*.c)
