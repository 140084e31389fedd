#!/usr/bin/env bash
# Real-traffic benchmark: trafgen (external generator, one CPU) sends 60-byte UDP frames from
# namespace A into veth b0, whose XDP program drops them. Two programs on the same path:
#   bare   build/bpf/xdp_drop.bpf.o (XDP_DROP, nothing else): the ceiling of this path
#   steer  hp_steer attached by xdpctl, one rule "--proto udp --dport 9 --action drop"
# The rate is the XDP drop count of b0 (ethtool -S rx_queue_*_xdp_drops, the same counter for
# both) over a fixed interval; rounds alternate to share any drift. Prints both rates (median)
# and steer/bare. On veth the generator and XDP share the CPU, so the ratio includes that.
set -uo pipefail
HP_TEST=bench/steer_traffic
. "$(dirname "$0")/../net/lib.sh"
SECS=${HP_BENCH_SECONDS:-3}
ROUNDS=${HP_BENCH_ROUNDS:-5}
DROP_OBJ=${HP_BENCH_DROP_OBJ:-$O/bpf/xdp_drop.bpf.o}
out=${HP_BENCH_OUT:-$O/bench}/steer_traffic.txt
say() { echo "bench steer_traffic: $*"; }

[ "$(id -u)" = 0 ] || { say "skipped: needs root"; exit 0; }
for c in trafgen bpftool ethtool jq; do
	command -v $c >/dev/null || { say "skipped: $c missing (make deps)"; exit 0; }
done
[ -x "$XDPCTL" ] || { say "skipped: $XDPCTL not built"; exit 0; }
[ -r "$DROP_OBJ" ] || { say "skipped: $DROP_OBJ not built"; exit 0; }
mkdir -p "$(dirname "$out")"

lab2 || { say "cannot create the lab"; exit 1; }
ip -n "$NS_A" neigh replace 10.250.0.2 lladdr "$MAC_B" dev a0 nud permanent
X=("$XDPCTL" -n "$NS_B")
on_exit "ip -n $NS_B link set dev b0 xdp off; $XDPCTL -n $NS_B detach b0"
cfg=$(mktemp)
on_exit "rm -f $cfg"
echo "{ eth(da=$MAC_B, sa=$MAC_A, type=0x0800), ipv4(saddr=10.250.0.1, daddr=10.250.0.2, ttl=64)," \
	"udp(sport=40000, dport=9), fill(0x41, 18) }" >"$cfg"

xdp_drops() {
	ip netns exec "$NS_B" ethtool -S b0 |
		awk '/rx_queue_[0-9]+_xdp_drops:/ {s += $2} END {print s + 0}'
}
# measure: drops per second over SECS while trafgen runs flat out on one CPU
measure() {
	local d0 d1 t0 t1
	ip netns exec "$NS_A" timeout $((SECS + 2)) trafgen --dev a0 --conf "$cfg" --cpus 1 -C \
		>/dev/null 2>&1 &
	local tg=$!
	sleep 0.5	# ramp-up
	d0=$(xdp_drops); t0=$(date +%s.%N)
	sleep "$SECS"
	d1=$(xdp_drops); t1=$(date +%s.%N)
	kill $tg 2>/dev/null; wait $tg 2>/dev/null
	awk -v d="$((d1 - d0))" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", d / (b - a)}'
}
# The bare program is attached over netlink from inside the namespace, through a pin in a
# throw-away bpffs of that `ip netns exec` (the attachment outlives it; ip link ... off ends it).
attach_bare() {
	ip netns exec "$NS_B" sh -c 'mount -t bpf bpf /sys/fs/bpf &&
		bpftool prog load "$1" /sys/fs/bpf/hp-bench-drop type xdp &&
		ip link set dev b0 xdpdrv pinned /sys/fs/bpf/hp-bench-drop' sh "$DROP_OBJ"
}
detach_bare() { ip -n "$NS_B" link set dev b0 xdpdrv off; }
attach_steer() {
	"${X[@]}" attach b0 --default pass >/dev/null 2>&1 &&
		"${X[@]}" rule add b0 --proto udp --dport 9 --action drop >/dev/null
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

bare=() steer=()
for r in $(seq "$ROUNDS"); do
	attach_bare || { say "cannot attach $DROP_OBJ"; exit 1; }
	bare+=("$(measure)")
	detach_bare
	attach_steer || { say "cannot attach steering: $("${X[@]}" attach b0 2>&1)"; exit 1; }
	how=$("${X[@]}" status b0 --json | jq -r '.interfaces[0].attach')
	[ "$r" = 1 ] && say "hp_steer attached as: $how"
	c0=$("${X[@]}" stats b0 --json | jq .counters.drop.packets)
	steer+=("$(measure)")
	c1=$("${X[@]}" stats b0 --json | jq .counters.drop.packets)
	"${X[@]}" detach b0 >/dev/null
	say "round $r: bare ${bare[-1]} pps, steer ${steer[-1]} pps" \
		"(hp_steer's own drop counter: $((c1 - c0)) over the whole run)"
done
b=$(printf '%s\n' "${bare[@]}" | median)
s=$(printf '%s\n' "${steer[@]}" | median)
ratio=$(awk -v s="$s" -v b="$b" 'BEGIN {if (b > 0) printf "%.3f", s / b; else print "n/a"}')
{
	echo "steer_traffic: trafgen 60-byte UDP into veth, ${SECS}s x $ROUNDS rounds (median)"
	printf '  bare XDP_DROP  %12s pps\n' "$b"
	printf '  hp_steer drop  %12s pps\n' "$s"
	echo "  ratio steer/bare: $ratio (1.0 = as fast as the bare program on this path)"
} | tee "$out"
exit 0
