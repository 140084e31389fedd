#!/bin/bash
# sched_ext `simple` in the guest: load, 30 s stress, unload, kill -9, stall injection; FIFO mode.
. /hp/tests/vm/guest/lib.sh
. /hp/tests/vm/guest/sched_lib.sh
need_sched
sched_suite simple
# FIFO mode loads and survives a short stress too
if start_loader /tmp/load-fifo.log simple --fifo; then
	if "$STRESS" stress 5 >/dev/null && is_state enabled; then pass fifo; else fail fifo "state $(sched_state)"; fi
else
	fail fifo "load --fifo: $(tail -2 /tmp/load-fifo.log | tr '\n' ' ')"
fi
"$XDPCTL" sched unload >/dev/null 2>&1; loader_wait >/dev/null
finish
