#!/bin/bash
# sched_ext `simple` in the guest: load, 30 s stress, unload, kill -9, stall injection; FIFO mode.
. /hp/tests/vm/guest/lib.sh
. /hp/tests/vm/guest/sched_lib.sh
need_sched
sched_suite simple comm
# FIFO mode loads and survives a short stress too
if start_loader /tmp/load-fifo.log simple --fifo; then
	if "$STRESS" stress 5 >/dev/null && is_state enabled; then pass fifo; else fail fifo "state $(sched_state)"; fi
else
	fail fifo "load --fifo: $(tail -2 /tmp/load-fifo.log | tr '\n' ' ')"
fi
"$XDPCTL" sched unload >/dev/null 2>&1; loader_wait >/dev/null
# --json stats lines, and --duration unregisters by itself with exit 0
out=$(timeout 60 "$XDPCTL" sched load simple --json --duration 4 2>&1); rc=$?
n=$(echo "$out" | grep '^{' | jq -r 'select(.sched == "simple") | .stats.dispatch' 2>/dev/null | grep -c '^[0-9]')
if [ $rc = 0 ] && [ "$n" -ge 2 ] && echo "$out" | grep -q '^EXIT: unregistered' && wait_for 10 is_state disabled; then
	pass json_duration
else
	fail json_duration "rc $rc, $n JSON stats lines: $(echo "$out" | tail -2 | tr '
' ' ')"
fi
finish
