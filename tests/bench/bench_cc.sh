#!/usr/bin/env bash
# TCP congestion control benchmark, two namespaces joined by a veth (tests/net/cc_lib.sh lab:
# one skb per MSS at the sender, no GRO at the receiver, so tc_loss decides per packet).
#  1. Goodput of hp_cubic vs the kernel's cubic on the same path, at 0% and at a seeded 1% loss
#     (tc_loss at the receiver's ingress, same seed for both), ROUNDS alternating rounds of
#     BYTES each, medians compared. Target: hp_cubic / cubic >= 0.97.
#  2. RTT inflation under a bottleneck: tbf (rate RATE, 20 ms of buffer) at the sender's egress;
#     hp_vegas vs cubic, RTT from the sender's TCP_INFO (srtt, median of 200 us samples) and
#     from pings crossing the same queue, each divided by the idle ping RTT.
# Honest limits: veth has a ~50 us RTT and no netem/sch_fq here, so both goodput cases are
# bound by the CPUs (shared with everything else on the machine) more than by the algorithm;
# at 1% loss an occasional retransmission timeout (200 ms stall at cwnd 1, visible in the plot)
# dominates a round's time. Hence alternating rounds and medians; the spread is printed too.
set -uo pipefail
HP_TEST=bench/cc
. "$(dirname "$0")/../net/lib.sh"
. "$(dirname "$0")/../net/cc_lib.sh"
ROUNDS=${HP_BENCH_ROUNDS:-9}
BYTES=${HP_BENCH_CC_BYTES:-1000000000}
RATE=${HP_BENCH_CC_RATE:-200mbit}
out=${HP_BENCH_OUT:-$O/bench}
say() { echo "bench cc: $*"; }

[ "$(id -u)" = 0 ] || { say "skipped: needs root"; exit 0; }
for b in "$XDPCTL" "$XFER" "$IMPAIR"; do [ -x "$b" ] || { say "skipped: $b not built"; exit 0; }; done
command -v jq >/dev/null || { say "skipped: jq missing (make deps)"; exit 0; }
exec 9>"$CC_LOCK"; flock -w 240 9 || { say "cc tests hold $CC_LOCK"; exit 1; }
mkdir -p "$out"
d=$(mktemp -d /tmp/hp-ccb.XXXXXX); on_exit "rm -rf '$d'"
cc_lab || { say "cannot create the lab"; exit 1; }
cc_load hp_cubic >/dev/null 2>&1 && cc_load hp_vegas >/dev/null 2>&1 ||
	{ say "cannot load hp_cubic/hp_vegas"; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }
# run TAG CC [impair args]: one transfer without checksum, prints Mbit/s
run() {
	local tag=$1 cc=$2; shift 2
	local port=$((5200 + RANDOM % 700)) rpid
	rm -f "$d/ready"
	if [ $# -gt 0 ]; then
		ip netns exec "$NS_B" "$IMPAIR" -d b0 --ingress "$@" -- "$XFER" recv -a 10.250.0.2 \
			-p $port -c "$cc" -N -t 120 -R "$d/ready" >/dev/null 2>&1 &
	else
		ip netns exec "$NS_B" "$XFER" recv -a 10.250.0.2 -p $port -c "$cc" -N -t 120 \
			-R "$d/ready" >/dev/null 2>&1 &
	fi
	rpid=$!
	wait_file "$d/ready"
	ip netns exec "$NS_A" "$XFER" send -a 10.250.0.2 -p $port -c "$cc" -n "$BYTES" -N \
		-i 1000 -o "$d/$tag.trace" -t 120 >"$d/$tag.out" 2>&1
	wait $rpid
	field "$d/$tag.out" mbps
}

for loss in 0 10000; do
	args=(); [ $loss -gt 0 ] && args=(--ppm $loss --seed 42)
	: >"$d/k.$loss"; : >"$d/h.$loss"
	for r in $(seq "$ROUNDS"); do
		run "k$loss.$r" cubic "${args[@]}" >>"$d/k.$loss"
		run "h$loss.$r" hp_cubic "${args[@]}" >>"$d/h.$loss"
	done
	k=$(median <"$d/k.$loss"); h=$(median <"$d/h.$loss")
	ratio=$(awk -v h="$h" -v k="$k" 'BEGIN { printf "%.3f", (k > 0 ? h / k : 0) }')
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.97 ? "target met" : "TARGET MISSED") }')
	say "goodput loss=$(awk -v p=$loss 'BEGIN { print p / 10000 }')%: cubic $k Mbit/s, hp_cubic $h Mbit/s (median of $ROUNDS; all: $(tr '\n' ' ' <"$d/k.$loss")/ $(tr '\n' ' ' <"$d/h.$loss")), hp_cubic/cubic = $ratio ($verdict, target >= 0.97)"
done

# Bottleneck: tbf at a0 egress.
if ! ip netns exec "$NS_A" tc qdisc add dev a0 root tbf rate "$RATE" burst 32k latency 20ms 2>"$d/tbf"; then
	say "RTT inflation skipped: tbf unavailable ($(cat "$d/tbf"))"
	exit 0
fi
base=$(ip netns exec "$NS_A" ping -c 20 -i 0.01 -q 10.250.0.2 | awk -F/ '/^rtt/ { print $5 }')
BYTES=$(( $(echo "$RATE" | tr -dc 0-9) * 1000000 / 8 * 4 ))	# ~4 s at the bottleneck rate
for cc in cubic hp_vegas; do
	ip netns exec "$NS_A" ping -i 0.05 -w 3 -q 10.250.0.2 >"$d/ping.$cc" 2>&1 &
	pp=$!
	mb=$(run "rtt.$cc" $cc)
	wait $pp
	srtt=$(awk 'NR > 50 { print $4 }' "$d/rtt.$cc.trace" | median)
	pavg=$(awk -F/ '/^rtt/ { print $5 }' "$d/ping.$cc")
	eval "S_$cc=$srtt P_$cc=$pavg M_$cc=$mb"
	say "bottleneck tbf $RATE: $cc goodput $mb Mbit/s, median srtt ${srtt} us, ping under load ${pavg} ms, idle ping ${base} ms"
done
awk -v sv="$S_hp_vegas" -v sc="$S_cubic" -v pv="$P_hp_vegas" -v pc="$P_cubic" -v b="$base" '
BEGIN {
	bu = b * 1000
	printf "bench cc: RTT inflation (srtt / idle ping): cubic %.1fx, hp_vegas %.1fx; hp_vegas/cubic = %.3f\n",
		sc / bu, sv / bu, sv / sc
	printf "bench cc: RTT inflation (ping under load / idle ping): cubic %.1fx, hp_vegas %.1fx; hp_vegas/cubic = %.3f\n",
		pc / b, pv / b, pv / pc
}' | tee "$out/cc_rtt.txt"
say "goodput under the bottleneck: hp_vegas/cubic = $(awk -v a="$M_hp_vegas" -v b="$M_cubic" 'BEGIN { printf "%.3f", a / b }')"

if command -v gnuplot >/dev/null && [ -s "$d/h10000.1.trace" ] && [ -s "$d/k10000.1.trace" ]; then
	gnuplot -e "set terminal png size 1000,500 noenhanced; set output '$out/cc_cwnd.png';
		set title 'cwnd under seeded 1% loss (first round)'; set xlabel 'ms'; set ylabel 'cwnd (packets)';
		plot '$d/k10000.1.trace' using (\$1/1000):2 with lines title 'kernel cubic',
		     '$d/h10000.1.trace' using (\$1/1000):2 with lines title 'hp_cubic'" 2>/dev/null &&
		say "plot: $out/cc_cwnd.png"
fi
exit 0
