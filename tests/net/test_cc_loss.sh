#!/usr/bin/env bash
# cwnd under seeded loss (128 MB each): tc_loss drops the same pseudo-random 0.2% of data
# packets (seed 42) at the receiver's ingress for hp_cubic, the kernel's cubic and reno. From
# TCP_INFO samples (every 200 us) each loss must cut cwnd to ~beta of its value and cwnd must
# grow again afterwards; hp_cubic's trace must have the shape of the kernel cubic's (same beta
# within 0.08, mean cwnd and number of reductions within a factor 1.6). Reno (beta 0.5) must fall
# outside the CUBIC band, which shows the criterion can tell algorithms apart.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cc_lib.sh"
source "$(dirname "$0")/cc_trace.sh"
cc_prereq
d=$(mktemp -d /tmp/hp-cc.XXXXXX); on_exit "rm -rf '$d'"
cc_lab || { fail lab "cannot build the namespace lab"; finish; }
cc_load hp_cubic >"$d/load" 2>&1 || { fail load "$(cat "$d/load")"; finish; }

declare -A S
for cc in hp_cubic cubic reno; do
	if ! xfer "$d" "$cc" "$cc" 128000000 --ppm 2000 --seed 42; then
		fail "$cc/transfer" "$(cat "$d/$cc.send" "$d/$cc.recv" "$d/$cc.impair" | tr '\n' ' ')"
		continue
	fi
	hits=$(field "$d/$cc.impair" hits); rt=$(field "$d/$cc.send" retrans)
	if [ "${hits:-0}" -gt 0 ] && [ "${rt:-0}" -gt 0 ]; then
		pass "$cc/loss-injected"
	else
		fail "$cc/loss-injected" "dropped=$hits retrans=$rt"
	fi
	S[$cc]=$(cc_trace_summary "$d/$cc.trace")
	echo "# $cc: ${S[$cc]} ($(field "$d/$cc.send" mbps) Mbit/s, retrans $rt)"
done

get() { echo "${S[$1]}" | grep -o "$2=[^ ]*" | cut -d= -f2; }
# within X LO HI: LO <= X <= HI (decimals)
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }

for cc in hp_cubic cubic; do
	[ -n "${S[$cc]:-}" ] || continue
	ev=$(get $cc events); b=$(get $cc beta); g=$(get $cc grow)
	if [ "$ev" -ge 10 ] && within "$b" 0.60 0.80; then pass "$cc/cwnd-cut-to-beta-0.7"
	else fail "$cc/cwnd-cut-to-beta-0.7" "${S[$cc]}"; fi
	if within "$g" 0.5 1; then pass "$cc/cwnd-grows-after-loss"
	else fail "$cc/cwnd-grows-after-loss" "${S[$cc]}"; fi
done
if [ -n "${S[reno]:-}" ]; then
	if within "$(get reno beta)" 0 0.59; then pass "reno/criterion-rejects-beta-0.5"
	else fail "reno/criterion-rejects-beta-0.5" "${S[reno]}"; fi
fi
if [ -n "${S[hp_cubic]:-}" ] && [ -n "${S[cubic]:-}" ]; then
	bh=$(get hp_cubic beta) bk=$(get cubic beta)
	rm_=$(awk -v a="$(get hp_cubic mean_cwnd)" -v b="$(get cubic mean_cwnd)" 'BEGIN { print a / b }')
	re=$(awk -v a="$(get hp_cubic events)" -v b="$(get cubic events)" 'BEGIN { print a / b }')
	if within "$(awk -v a="$bh" -v b="$bk" 'BEGIN { print a - b }')" -0.08 0.08 &&
	   within "$rm_" 0.625 1.6 && within "$re" 0.625 1.6; then
		pass "hp_cubic-vs-cubic/same-shape"
	else
		fail "hp_cubic-vs-cubic/same-shape" "beta $bh vs $bk, mean cwnd ratio $rm_, reductions ratio $re"
	fi
	ss=$(cc_counter hp_cubic ssthresh)
	if [ "$ss" -ge "$(get hp_cubic events)" ] 2>/dev/null; then pass "hp_cubic/ssthresh-callback-per-loss"
	else fail "hp_cubic/ssthresh-callback-per-loss" "ssthresh calls $ss, events $(get hp_cubic events)"; fi
fi
finish
