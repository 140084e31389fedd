# Helpers for the sched_ext guest tests (sourced after lib.sh).
SCX=/sys/kernel/sched_ext
STRESS=${STRESS:-$O/tests/hp_sched_stress}
LOADER_PID=
LOADER_LOG=

sched_state() { cat $SCX/state 2>/dev/null; }
sched_ops() { cat $SCX/root/ops 2>/dev/null; }
is_state() { [ "$(sched_state)" = "$1" ]; }

# Waits are generous: under TCG on a busy 2-core host a load (BTF, verifier, enable) was seen
# taking 30 s. They bound the test; they are not what it measures.
# start_loader LOG NAME [ARGS...]: xdpctl sched load in the background; waits until enabled.
# With a stall option the scheduler may be ejected before a poll sees "enabled": then the
# loader's "loaded" line counts.
start_loader() {
	LOADER_LOG=$1; shift
	"$XDPCTL" sched load "$@" > "$LOADER_LOG" 2>&1 &
	LOADER_PID=$!
	on_exit "kill -9 $LOADER_PID"
	wait_for 120 sh -c "[ \"\$(cat $SCX/state)\" = enabled ] || grep -q '^loaded' $LOADER_LOG"
}
# loader_exit_code: wait (bounded) for the loader to exit; prints its exit code, 255 on timeout
loader_wait() {
	local i
	for i in $(seq 1 ${1:-600}); do
		kill -0 "$LOADER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$LOADER_PID" 2>/dev/null; then
		echo 255
		return
	fi
	wait "$LOADER_PID"
	echo $?
}
need_sched() {
	[ -d $SCX ] || { skip "" "kernel without sched_ext"; exit 0; }
	[ -x "$XDPCTL" ] || { skip "" "xdpctl not built ($XDPCTL)"; exit 0; }
	[ -x "$STRESS" ] || { skip "" "hp_sched_stress not built ($STRESS)"; exit 0; }
	is_state disabled || { fail "precondition" "sched_ext is $(sched_state) before the test"; exit 1; }
}

# The suite every scheduler passes: load, stress, unload, kill -9, stall injection.
sched_suite() {
	local name=$1 ops=hp_$1 rc out spin secs=${HP_STRESS_SECS:-30}

	# load: enabled, root/ops names it
	if ! start_loader /tmp/load-$name.log "$name"; then
		fail load "state $(sched_state) after 120 s: $(tail -3 /tmp/load-$name.log | tr '\n' ' ')"
		return
	fi
	if [ "$(sched_ops)" = "$ops" ]; then pass load; else fail load "root/ops is '$(sched_ops)', want $ops"; fi
	out=$("$XDPCTL" sched status --json)
	if [ "$(echo "$out" | jq -r .ops)" = "$ops" ] && [ "$(echo "$out" | jq -r .loader_pid)" = "$LOADER_PID" ]; then
		pass status
	else
		fail status "$out"
	fi

	# stress: CPU hogs, fork/exit, pipe ping-pong for $secs s; no ejection
	out=$("$STRESS" stress "$secs" 2>&1); rc=$?
	if [ $rc = 0 ] && is_state enabled && kill -0 "$LOADER_PID" 2>/dev/null &&
	   ! grep -q '^EXIT' /tmp/load-$name.log; then
		pass "stress_${secs}s"
	else
		fail "stress_${secs}s" "rc $rc, state $(sched_state), $out; loader: $(tail -2 /tmp/load-$name.log | tr '\n' ' ')"
	fi
	grep -q "^$name .*dispatch" /tmp/load-$name.log && pass stats_lines ||
		fail stats_lines "no per-second stats from the loader: $(head -3 /tmp/load-$name.log | tr '\n' ' ')"

	# unload: loader exits 0 with EXIT unregistered, kernel back to the fair class
	"$XDPCTL" sched unload; rc=$(loader_wait)
	if [ "$rc" = 0 ] && wait_for 10 is_state disabled && [ -z "$(sched_ops)" ] &&
	   grep -q '^EXIT: unregistered' /tmp/load-$name.log; then
		pass unload
	else
		fail unload "loader rc $rc, state $(sched_state): $(tail -2 /tmp/load-$name.log | tr '\n' ' ')"
	fi

	# kill -9 of the loader: the kernel reverts to fair, a new load works
	if start_loader /tmp/load-$name-2.log "$name"; then
		kill -9 "$LOADER_PID"; wait "$LOADER_PID" 2>/dev/null
		if wait_for 20 is_state disabled; then pass kill9_reverts; else fail kill9_reverts "state $(sched_state) 20 s after kill -9"; fi
		if start_loader /tmp/load-$name-3.log "$name" && [ "$(sched_ops)" = "$ops" ]; then
			pass reload_after_kill9
		else
			fail reload_after_kill9 "state $(sched_state): $(tail -2 /tmp/load-$name-3.log | tr '\n' ' ')"
		fi
		"$XDPCTL" sched unload >/dev/null 2>&1; loader_wait >/dev/null
	else
		fail kill9_reverts "second load failed: $(tail -2 /tmp/load-$name-2.log | tr '\n' ' ')"
	fi

	# stall injection: a spinning process is never dispatched; the watchdog (3 s) must eject us.
	# By pid, or (sched_suite NAME comm) by comm: a copy of the stressor named hpstall.
	local how=${2:-pid} sel
	cp "$STRESS" /tmp/hpstall
	/tmp/hpstall busy 120 >/dev/null & spin=$!
	on_exit "kill -9 $spin"
	if [ "$how" = comm ]; then sel="--stall-comm hpstall"; else sel="--stall-pid $spin"; fi
	# shellcheck disable=SC2086
	if start_loader /tmp/load-$name-stall.log "$name" --timeout-ms 3000 $sel; then
		rc=$(loader_wait 1200)
		if [ "$rc" != 0 ] && [ "$rc" != 255 ] &&
		   grep -q '^EXIT: stall runnable task stall' /tmp/load-$name-stall.log &&
		   wait_for 10 is_state disabled; then
			pass "stall_ejected_by_$how"
		else
			fail "stall_ejected_by_$how" "loader rc $rc, state $(sched_state): $(grep EXIT /tmp/load-$name-stall.log | head -2 | tr '\n' ' ')"
		fi
	else
		fail "stall_ejected_by_$how" "load with $sel failed: $(tail -2 /tmp/load-$name-stall.log | tr '\n' ' ')"
	fi
	kill -9 $spin 2>/dev/null
	wait_for 10 is_state disabled
}
