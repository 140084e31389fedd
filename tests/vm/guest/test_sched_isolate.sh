#!/bin/bash
# sched_ext `isolate` in the guest: the common suite, then isolation: a registered busy thread
# gets CPU 1 (CPU 0 is housekeeping) and the per-CPU record shows no unregistered movable task
# placed on CPU 1 while it was runnable, under background load.
. /hp/tests/vm/guest/lib.sh
. /hp/tests/vm/guest/sched_lib.sh
need_sched
sched_suite isolate

[ "$(nproc)" -ge 2 ] || { skip isolation "needs 2 CPUs"; finish; }
"$STRESS" busy 120 > /tmp/busy.out & busy=$!
on_exit "kill -9 $busy"
wait_for 60 grep -q tid /tmp/busy.out
tid=$(awk '/tid/ {print $2}' /tmp/busy.out)
check register "$XDPCTL" sched isolate "$tid"
if start_loader /tmp/load-iso.log isolate; then
	"$STRESS" stress 15 > /tmp/bg.out 2>&1
	st=$("$XDPCTL" sched status --json)
	got=$(echo "$st" | jq -r ".isolated[] | select(.tid == $tid) | .got")
	runs=$(echo "$st" | jq -r '.stats.isol_run')
	viol=$(echo "$st" | jq -r '.stats.isol_viol')
	viol1=$(echo "$st" | jq -r '.stats.cpus[1].isol_viol')
	denied=$(echo "$st" | jq -r '.stats.isol_denied')
	echo "isolate record: got cpu $got, isol_run $runs, isol_viol $viol (cpu1 $viol1), denied $denied"
	echo "$st" | jq -c '.stats.cpus[]'
	[ "$got" = 1 ] && pass cpu_given || fail cpu_given "registered thread got CPU '$got', want 1"
	[ "${runs:-0}" -gt 0 ] 2>/dev/null && pass owner_ran || fail owner_ran "isol_run $runs"
	[ "$viol" = 0 ] && [ "$viol1" = 0 ] && pass no_intruder ||
		fail no_intruder "isol_viol $viol (cpu1 $viol1): unregistered tasks placed on CPU 1 while its owner was runnable"
	cpu=$(awk '{print $39}' /proc/$tid/stat 2>/dev/null)
	[ "$cpu" = 1 ] && pass owner_on_cpu1 || fail owner_on_cpu1 "busy thread is on CPU $cpu"
	grep -q 'stress 15 s' /tmp/bg.out && pass others_progress || fail others_progress "$(cat /tmp/bg.out)"
	is_state enabled && pass no_ejection || fail no_ejection "$(grep EXIT /tmp/load-iso.log)"
	"$XDPCTL" sched unload >/dev/null 2>&1; loader_wait >/dev/null
else
	fail isolation "load failed: $(tail -2 /tmp/load-iso.log | tr '\n' ' ')"
fi
"$XDPCTL" sched isolate --remove "$tid" >/dev/null 2>&1
kill -9 $busy 2>/dev/null
finish
