#!/usr/bin/env bash
# Scheduler benchmark (sched_ext needs the guest kernel: on the host this boots the QEMU guest and
# runs itself inside it, see tests/vm/boot.sh --mode bench).
#  1. messaging throughput (hp_sched_stress messaging: hackbench-style, 10 senders x 10 receivers
#     per group over pipes), median of RUNS interleaved rounds, under the fair class (EEVDF),
#     `simple`, and the kernel's own scx_simple (built by tests/vm/kernel.sh --scx-simple from
#     the same source): simple/fair (target >= 0.95) and simple/scx_simple.
#  2. wake-up latency p99 of a poller thread (absolute 1 ms deadlines) with HOGS CPU hogs as
#     noise, under fair and under `isolate` with the poller registered, median of LAT_ROUNDS
#     interleaved rounds: isolate/fair (target <= 0.5).
# Ratios only, from numbers measured in this same run. TCG emulation is slow and noisy: compare
# ratios, not absolute numbers.
set -uo pipefail
RUNS=${RUNS:-5} GROUPS_=${GROUPS_:-4} LOOPS=${LOOPS:-200} HOGS=${HOGS:-2} LAT_SECS=${LAT_SECS:-6}
LAT_ROUNDS=${LAT_ROUNDS:-3}

if [ -z "${HP_GUEST:-}" ]; then
	here=$(cd "$(dirname "$0")" && pwd)
	repo=$(cd "$here/../.." && pwd)
	O=${O:-build}
	case $O in /*) ;; *) O=$repo/$O ;; esac
	command -v qemu-system-x86_64 >/dev/null || { echo "bench sched: qemu missing (make deps)"; exit 0; }
	mkdir -p "$O/vm/extra"
	if scx=$(bash "$repo/tests/vm/kernel.sh" --scx-simple); then
		cp "$scx" "$O/vm/extra/scx_simple"
	else
		echo "bench sched: could not build the kernel's scx_simple; that peer is skipped"
		rm -f "$O/vm/extra/scx_simple"
	fi
	HP_VM_TEST_TIMEOUT=${HP_VM_TEST_TIMEOUT:-1200} exec bash "$repo/tests/vm/boot.sh" \
		--mode bench --only sched --timeout 1500
fi

# ---- inside the guest ----
O=${O:-/hp/build}
XDPCTL=$O/bin/xdpctl
[ -x "$XDPCTL" ] || XDPCTL=$O/vm/extra/xdpctl
STRESS=$O/tests/hp_sched_stress
SCX_SIMPLE=$O/vm/extra/scx_simple
SCX=/sys/kernel/sched_ext
[ -d $SCX ] || { echo "bench sched: this kernel has no sched_ext"; exit 0; }
[ -x "$XDPCTL" ] && [ -x "$STRESS" ] || { echo "bench sched: xdpctl or hp_sched_stress not built"; exit 0; }
state() { cat $SCX/state; }
wait_state() {	# wait_state STATE: up to 30 s
	local i
	for i in $(seq 1 150); do [ "$(state)" = "$1" ] && return 0; sleep 0.2; done
	return 1
}

# messages_per_sec of one messaging run
messaging() { "$STRESS" messaging "$GROUPS_" "$LOOPS" | awk '/messages_per_sec/ {print $2}'; }
median() { sort -n | awk '{v[NR] = $1} END {print (NR ? v[int((NR + 1) / 2)] : 0)}'; }

# run a sched_ext loader in the background: with_sched CMD... ; sets SPID
with_sched() {
	"$@" > /tmp/bench-sched.log 2>&1 &
	SPID=$!
	wait_state enabled || { echo "bench sched: '$*' did not enable: $(tail -2 /tmp/bench-sched.log)"; kill -9 $SPID; return 1; }
}
stop_sched() {
	kill -INT "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	wait_state disabled
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }'; }
verdict() {	# verdict VALUE OP TARGET
	awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
		ok = (op == ">=") ? v >= t : v <= t
		print (v == "n/a") ? "n/a" : (ok ? "target met" : "TARGET MISSED") }'
}

echo "sched bench: $(nproc) CPUs, messaging ${GROUPS_} groups x ${LOOPS} loops, median of $RUNS rounds"
# Rounds interleave the schedulers, so a slow phase of the (shared, emulated) host hits all alike.
: > /tmp/m-fair; : > /tmp/m-simple; : > /tmp/m-scx
for round in $(seq 1 "$RUNS"); do
	messaging >> /tmp/m-fair
	if with_sched "$XDPCTL" sched load simple; then
		messaging >> /tmp/m-simple
		stop_sched
	fi
	if [ -x "$SCX_SIMPLE" ] && with_sched "$SCX_SIMPLE"; then
		messaging >> /tmp/m-scx
		stop_sched
	fi
done
fair=$(median < /tmp/m-fair) simple=$(median < /tmp/m-simple) scx=$(median < /tmp/m-scx)
echo "messaging fair (EEVDF):   $fair msg/s   (runs: $(tr '\n' ' ' < /tmp/m-fair))"
echo "messaging simple:         $simple msg/s   (runs: $(tr '\n' ' ' < /tmp/m-simple))"
if [ -x "$SCX_SIMPLE" ]; then
	echo "messaging scx_simple:     $scx msg/s   (runs: $(tr '\n' ' ' < /tmp/m-scx))"
else
	echo "messaging scx_simple:     not built (tests/vm/kernel.sh --scx-simple)"
fi
r=$(ratio "$simple" "$fair")
echo "ratio simple/fair:        $r  (target >= 0.95: $(verdict "$r" '>=' 0.95))"
r=$(ratio "$simple" "$scx")
echo "ratio simple/scx_simple:  $r"

# wake-up latency of a poller with noise
poller() {	# poller REGISTER(0|1): prints p99 in us
	local fifo=/tmp/poller.fifo out=/tmp/poller.out tid i
	rm -f $fifo; mkfifo $fifo
	"$STRESS" poller "$LAT_SECS" 1000 "$HOGS" < $fifo > $out 2>&1 &
	local pp=$!
	exec 7> $fifo
	for i in $(seq 1 50); do grep -q tid $out && break; sleep 0.1; done
	tid=$(awk '/^tid/ {print $2}' $out)
	[ "$1" = 1 ] && [ -n "$tid" ] && "$XDPCTL" sched isolate "$tid"
	echo go >&7
	exec 7>&-
	wait $pp
	[ "$1" = 1 ] && [ -n "$tid" ] && "$XDPCTL" sched isolate --remove "$tid" 2>/dev/null
	grep samples $out >&2
	awk '/p99_us/ { for (i = 1; i < NF; i++) if ($i == "p99_us") print $(i + 1) }' $out
}
echo "wake-up latency: poller every 1 ms for $LAT_SECS s, $HOGS CPU hogs, median p99 of $LAT_ROUNDS rounds"
: > /tmp/l-fair; : > /tmp/l-iso
for round in $(seq 1 "$LAT_ROUNDS"); do
	poller 0 2>>/tmp/lat-fair.txt >> /tmp/l-fair
	if with_sched "$XDPCTL" sched load isolate; then
		poller 1 2>>/tmp/lat-iso.txt >> /tmp/l-iso
		stop_sched
	fi
done
lat_fair=$(median < /tmp/l-fair) lat_iso=$(median < /tmp/l-iso)
echo "p99 fair (EEVDF):         $lat_fair us   (p99 per round: $(tr '\n' ' ' < /tmp/l-fair))"
echo "p99 isolate (registered): $lat_iso us   (p99 per round: $(tr '\n' ' ' < /tmp/l-iso))"
r=$(ratio "$lat_iso" "$lat_fair")
echo "ratio isolate/fair p99:   $r  (target <= 0.5: $(verdict "$r" '<=' 0.5))"
exit 0
