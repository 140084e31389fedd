#!/usr/bin/env bash
# hp_vegas behaves as a delay-based algorithm: through a 100 Mbit/s tbf bottleneck with 20 ms of
# buffer at the sender's egress, the kernel's cubic fills the buffer (RTT grows by milliseconds)
# while hp_vegas keeps a few packets queued. Checks: checksums, hp_vegas's median srtt (TCP_INFO)
# under half of cubic's, and Vegas's own decisions in its counters (cwnd lowered by the diff
# test, i.e. by queueing delay and not by loss; a base RTT measured). On this path the base RTT
# (~15 us, before the queue forms) is below one packet's serialization time at 100 Mbit/s, so
# Vegas always sees diff > beta and never takes the "diff < alpha" increase: that counter is
# printed, not checked.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cc_lib.sh"
cc_prereq
need_cmd tc
d=$(mktemp -d /tmp/hp-cc.XXXXXX); on_exit "rm -rf '$d'"
lab2 || { fail lab "cannot build the namespace lab"; finish; }
if ! out=$(ip netns exec "$NS_A" tc qdisc add dev a0 root tbf rate 100mbit burst 32k latency 20ms 2>&1); then
	skip "" "tbf qdisc unavailable: $out"; finish
fi
cc_load hp_vegas >"$d/load" 2>&1 || { fail load "$(cat "$d/load")"; finish; }

declare -A R
for cc in cubic hp_vegas; do
	if XFER_INTERVAL=1000 xfer "$d" "$cc" "$cc" 25000000; then pass "$cc/transfer-checksum"
	else fail "$cc/transfer-checksum" "$(cat "$d/$cc.send" | tr '\n' ' ')"; continue; fi
	# median srtt over the last 80% of the samples (past slow start)
	R[$cc]=$(awk '{ v[NR] = $4 } END { for (i = int(NR / 5) + 1; i <= NR; i++) print v[i] }' \
		"$d/$cc.trace" | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }')
done
echo "# median srtt under the bottleneck: cubic ${R[cubic]:-?} us, hp_vegas ${R[hp_vegas]:-?} us"
if [ -n "${R[cubic]:-}" ] && [ -n "${R[hp_vegas]:-}" ] && [ "${R[cubic]}" -gt 0 ] &&
   [ $((R[hp_vegas] * 2)) -lt "${R[cubic]}" ]; then
	pass "hp_vegas/keeps-queue-short"
else
	fail "hp_vegas/keeps-queue-short" "median srtt hp_vegas ${R[hp_vegas]:-?} us, cubic ${R[cubic]:-?} us"
fi
inc=$(cc_counter hp_vegas delay_increases); dec=$(cc_counter hp_vegas delay_decreases)
base=$(cc_counter hp_vegas base_rtt_us)
echo "# hp_vegas: delay-driven decreases $dec, increases $inc, base RTT $base us"
if [ "$dec" -ge 1 ] 2>/dev/null && [ "$base" -gt 0 ]; then
	pass "hp_vegas/delay-driven-decreases"
else
	fail "hp_vegas/delay-driven-decreases" "decreases=$dec base_rtt_us=$base"
fi
finish
