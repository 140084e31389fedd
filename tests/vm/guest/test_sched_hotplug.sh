#!/bin/bash
# CPU hotplug while a scheduler runs: the kernel exits it with a restart request (our ops have no
# cpu_online/cpu_offline), and the loader must load it again by itself, each time.
. /hp/tests/vm/guest/lib.sh
. /hp/tests/vm/guest/sched_lib.sh
need_sched
cpu1=/sys/devices/system/cpu/cpu1/online
[ -w $cpu1 ] || { skip "" "CPU 1 cannot be hot-unplugged here"; exit 0; }
on_exit "echo 1 > $cpu1"
if ! start_loader /tmp/load-hp.log simple; then
	fail load "$(tail -2 /tmp/load-hp.log | tr '\n' ' ')"
	finish
fi
seq0=$(cat $SCX/enable_seq)
echo 0 > $cpu1
# restarted: a new enable (enable_seq grows), the same loader process still running
if wait_for 30 sh -c "[ \$(cat $SCX/enable_seq) -gt $seq0 ] && [ \$(cat $SCX/state) = enabled ]" &&
   kill -0 "$LOADER_PID" && grep -q 'restart' /tmp/load-hp.log; then
	pass restart_on_offline
else
	fail restart_on_offline "state $(sched_state), enable_seq $(cat $SCX/enable_seq) (was $seq0): $(grep -i 'exit\|restart\|load' /tmp/load-hp.log | tail -3 | tr '\n' ' ')"
fi
seq1=$(cat $SCX/enable_seq)
echo 1 > $cpu1
if wait_for 30 sh -c "[ \$(cat $SCX/enable_seq) -gt $seq1 ] && [ \$(cat $SCX/state) = enabled ]" &&
   kill -0 "$LOADER_PID"; then
	pass restart_on_online
else
	fail restart_on_online "state $(sched_state), enable_seq $(cat $SCX/enable_seq) (was $seq1)"
fi
grep 'EXIT' /tmp/load-hp.log | head -3
"$XDPCTL" sched unload; rc=$(loader_wait)
[ "$rc" = 0 ] && wait_for 10 is_state disabled && pass unload || fail unload "loader rc $rc, state $(sched_state)"
finish
