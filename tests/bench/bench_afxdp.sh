#!/usr/bin/env bash
# AF_XDP benchmark on one veth path (namespace A -> B), trafgen as the external generator on
# CPU 0, the receiver alone on CPU 1. Receivers, each given the same flat-out trafgen stream of
# 64-byte UDP frames:
#   xdp_drop   XDP_DROP on b0: the ceiling of this path (count: ethtool xdp_drops)
#   hp-rxdrop  our port API on afxdp:b0:0 (copy mode, need_wakeup)
#   libxdp     the minimal loop on libxdp's xsk API (tests/bench/xsk_libxdp_drop.c)
#   recvmmsg   a kernel UDP socket, recvmmsg() batches of 64 (tests/bench/udp_recvmmsg.c)
# and tx: hp-txgen vs trafgen on a0, both counted by XDP_DROP on b0. Median of ROUNDS rounds.
# Prints ratios against the targets (>= 0.95x, >= 1.2x, >= 3x) and writes afxdp.png.
# On veth the XDP/AF_XDP work of b0 runs in the softirq of the sending CPU, so the generator
# shares its CPU with it: absolute numbers are low; the ratios are what this measures.
set -uo pipefail
HP_TEST=bench/afxdp
. "$(dirname "$0")/../net/lib.sh"
SECS=${HP_BENCH_SECONDS:-3}
ROUNDS=${HP_BENCH_ROUNDS:-3}
OUT=${HP_BENCH_OUT:-$O/bench}
DROP_OBJ=$O/bpf/xdp_drop.bpf.o	# bpf/xdp_drop.bpf.c: XDP_DROP and nothing else
say() { echo "bench afxdp: $*"; }

[ "$(id -u)" = 0 ] || { say "skipped: needs root"; exit 0; }
for c in trafgen bpftool ethtool taskset; do
	command -v $c >/dev/null || { say "skipped: $c missing (make deps)"; exit 0; }
done
for f in "$O/bin/hp-rxdrop" "$O/bin/hp-txgen" "$O/tests/xsk_libxdp_drop" "$O/tests/udp_recvmmsg" \
	 "$DROP_OBJ"; do
	[ -e "$f" ] || { say "skipped: $f not built (make)"; exit 0; }
done
mkdir -p "$OUT"
RXCPU=1 GENCPU=0
[ "$(nproc)" -ge 2 ] || RXCPU=0

lab2 || { say "cannot create the lab"; exit 1; }
ip -n "$NS_A" neigh replace 10.250.0.2 lladdr "$MAC_B" dev a0 nud permanent
cfg=$(mktemp); on_exit "rm -f $cfg"
echo "{ eth(da=$MAC_B, sa=$MAC_A, type=0x0800), ipv4(saddr=10.250.0.1, daddr=10.250.0.2, ttl=64)," \
	"udp(sport=40000, dport=9), fill(0x41, 18) }" >"$cfg"

xdp_drops() {
	ip netns exec "$NS_B" ethtool -S b0 | awk '/rx_queue_[0-9]+_xdp_drops:/ {s += $2} END {print s + 0}'
}
attach_drop() {
	ip netns exec "$NS_B" sh -c 'mount -t bpf bpf /sys/fs/bpf &&
		bpftool prog load "$1" /sys/fs/bpf/hp-bench-drop type xdp &&
		ip link set dev b0 xdpdrv pinned /sys/fs/bpf/hp-bench-drop' sh "$DROP_OBJ"
}
detach_drop() { ip -n "$NS_B" link set dev b0 xdpdrv off 2>/dev/null; }
on_exit detach_drop
trafgen_start() {
	ip netns exec "$NS_A" taskset -c $GENCPU timeout $((SECS + 20)) trafgen --dev a0 \
		--conf "$cfg" --cpus 1 -C >/dev/null 2>&1 &
	TG=$!
	on_exit "kill $TG"
	sleep 0.5
}
trafgen_stop() { kill "$TG" 2>/dev/null; wait "$TG" 2>/dev/null; }
# drops per second on b0 over SECS
drop_rate() {
	local d0 d1 t0 t1
	d0=$(xdp_drops); t0=$(date +%s.%N)
	sleep "$SECS"
	d1=$(xdp_drops); t1=$(date +%s.%N)
	awk -v d="$((d1 - d0))" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", d / (b - a)}'
}
# rate from a receiver's "total N packets ... in T s" line
total_rate() { sed -n 's/^total[^0-9]*\([0-9]*\) packets.* in \([0-9.]*\) s.*/\1 \2/p' | tail -1 |
	awk '{ if ($2 > 0) printf "%.0f", $1 / $2; else print 0 }'; }
in_b() { ip netns exec "$NS_B" taskset -c $RXCPU "$@"; }

m_xdp_drop() { attach_drop || return 1; trafgen_start; drop_rate; trafgen_stop; detach_drop; }
m_rxdrop() {
	trafgen_start
	in_b "$O/bin/hp-rxdrop" afxdp:b0:0 --duration "$SECS" --quiet 2>/dev/null | total_rate
	trafgen_stop
}
m_libxdp() {
	trafgen_start
	ip netns exec "$NS_B" sh -c 'mount -t bpf bpf /sys/fs/bpf; exec taskset -c "$1" "$2" b0 0 "$3"' \
		sh $RXCPU "$O/tests/xsk_libxdp_drop" "$SECS" 2>/dev/null | total_rate
	trafgen_stop
}
m_recvmmsg() {
	trafgen_start
	in_b "$O/tests/udp_recvmmsg" 10.250.0.2 9 "$SECS" 2>/dev/null | total_rate
	trafgen_stop
}
m_txgen() {
	attach_drop || return 1
	ip netns exec "$NS_A" taskset -c $GENCPU "$O/bin/hp-txgen" afxdp:a0:0 --dst-mac "$MAC_B" \
		--duration $((SECS + 1)) --quiet >/dev/null 2>&1 &
	local p=$!
	sleep 0.7
	drop_rate
	wait $p
	detach_drop
}
m_trafgen() { attach_drop || return 1; trafgen_start; drop_rate; trafgen_stop; detach_drop; }

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)] + 0}'; }
names=(xdp_drop rxdrop libxdp recvmmsg txgen trafgen)
declare -A res
for r in $(seq "$ROUNDS"); do
	line=""
	for n in "${names[@]}"; do
		v=$("m_$n") || v=0
		res[$n]="${res[$n]:-} ${v:-0}"
		line+=" $n=${v:-0}"
	done
	say "round $r:$line pps"
done
declare -A med
for n in "${names[@]}"; do med[$n]=$(tr ' ' '\n' <<<"${res[$n]}" | grep . | median); done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN {print (r != "n/a" && r >= t) ? "target met" : "TARGET MISSED"}'; }
data=$OUT/afxdp.dat
{
	for n in "${names[@]}"; do echo "$n ${med[$n]}"; done
} >"$data"
r1=$(ratio "${med[rxdrop]}" "${med[xdp_drop]}")
r2=$(ratio "${med[rxdrop]}" "${med[libxdp]}")
r3=$(ratio "${med[rxdrop]}" "${med[recvmmsg]}")
r4=$(ratio "${med[txgen]}" "${med[trafgen]}")
{
	echo "rx, 64-byte UDP from trafgen on one veth path, receiver on 1 CPU (median pps):"
	echo "  (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs;" \
		"other jobs on these CPUs skew the numbers)"
	printf '  %-10s %12s\n' XDP_DROP "${med[xdp_drop]}" hp-rxdrop "${med[rxdrop]}" \
		libxdp "${med[libxdp]}" recvmmsg "${med[recvmmsg]}"
	echo "tx: hp-txgen ${med[txgen]} pps, trafgen ${med[trafgen]} pps"
	echo "ratio hp-rxdrop / XDP_DROP ceiling: ${r1}x (target >= 0.95x: $(verdict "$r1" 0.95))"
	echo "ratio hp-rxdrop / libxdp xsk loop:  ${r2}x (target >= 1.2x: $(verdict "$r2" 1.2))"
	echo "ratio hp-rxdrop / recvmmsg(64):     ${r3}x (target >= 3x: $(verdict "$r3" 3))"
	echo "ratio hp-txgen / trafgen (tx):      ${r4}x"
} | tee "$OUT/afxdp.txt"
if command -v gnuplot >/dev/null; then
	gnuplot <<GP 2>/dev/null && echo "plot: $OUT/afxdp.png"
set terminal pngcairo size 800,450 noenhanced
set output "$OUT/afxdp.png"
set title "AF_XDP on veth: packets per second (median of $ROUNDS rounds)"
set style data histograms
set style fill solid 0.8
set boxwidth 0.7
set ylabel "pps"
set yrange [0:*]
set xtics rotate by -20
plot "$data" using 2:xtic(1) notitle lc rgb "#3070b0"
GP
fi
exit 0
