#!/usr/bin/env bash
# cwnd under seeded loss (128 MB each): tc_loss drops the same pseudo-random 0.2% of data
# packets (seed 42) at the receiver's ingress for hp_cubic, the kernel's cubic and reno. From
# TCP_INFO samples (every 200 us) each loss must cut cwnd to ~beta of its value and cwnd must
# grow again afterwards; hp_cubic's trace must have the shape of the kernel cubic's (same beta
# within 0.08, mean cwnd and number of reductions within a factor 1.6). Reno (beta 0.5) must fall
# outside the CUBIC band, which shows the criterion can tell algorithms apart. hp_cubic and cubic
# run three times each; their comparison uses medians.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cc_lib.sh"
source "$(dirname "$0")/cc_trace.sh"
cc_prereq
d=$(mktemp -d /tmp/hp-cc.XXXXXX); on_exit "rm -rf '$d'"
cc_lab || { fail lab "cannot build the namespace lab"; finish; }
cc_load hp_cubic >"$d/load" 2>&1 || { fail load "$(cat "$d/load")"; finish; }

# Round 1 runs hp_cubic, cubic and reno; rounds 2 and 3 run hp_cubic and cubic again in
# alternating order. Per-trace checks use round 1; the comparison uses medians over the rounds
# (the machine's other load changes timing, and with it cwnd, from one transfer to the next).
declare -A S
run() {	# run CC ROUND
	local cc=$1 r=$2 t=$1.$2 hits rt
	if ! xfer "$d" "$t" "$cc" 128000000 --ppm 2000 --seed 42; then
		fail "$cc/transfer" "$(cat "$d/$t.send" "$d/$t.recv" "$d/$t.impair" | tr '\n' ' ')"
		return
	fi
	hits=$(field "$d/$t.impair" hits); rt=$(field "$d/$t.send" retrans)
	if [ "$r" = 1 ]; then
		if [ "${hits:-0}" -gt 0 ] && [ "${rt:-0}" -gt 0 ]; then pass "$cc/loss-injected"
		else fail "$cc/loss-injected" "dropped=$hits retrans=$rt"; fi
	fi
	S[$t]=$(cc_trace_summary "$d/$t.trace")
	echo "# $cc round $r: ${S[$t]} ($(field "$d/$t.send" mbps) Mbit/s, retrans $rt)"
}
run hp_cubic 1; run cubic 1; run reno 1
run cubic 2; run hp_cubic 2
run hp_cubic 3; run cubic 3

get() { echo "${S[$1]:-}" | grep -o "$2=[^ ]*" | cut -d= -f2; }
# med CC KEY: median of KEY over the rounds that ran
med() {
	local r
	for r in 1 2 3; do get "$1.$r" "$2"; done | sort -g |
		awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'
}
# within X LO HI: LO <= X <= HI (decimals)
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }

for cc in hp_cubic cubic; do
	[ -n "${S[$cc.1]:-}" ] || continue
	ev=$(get $cc.1 events); b=$(get $cc.1 beta); g=$(get $cc.1 grow)
	if [ "$ev" -ge 10 ] && within "$b" 0.60 0.80; then pass "$cc/cwnd-cut-to-beta-0.7"
	else fail "$cc/cwnd-cut-to-beta-0.7" "${S[$cc.1]}"; fi
	if within "$g" 0.5 1; then pass "$cc/cwnd-grows-after-loss"
	else fail "$cc/cwnd-grows-after-loss" "${S[$cc.1]}"; fi
done
if [ -n "${S[reno.1]:-}" ]; then
	if within "$(get reno.1 beta)" 0 0.59; then pass "reno/criterion-rejects-beta-0.5"
	else fail "reno/criterion-rejects-beta-0.5" "${S[reno.1]}"; fi
fi
if [ -n "${S[hp_cubic.1]:-}" ] && [ -n "${S[cubic.1]:-}" ]; then
	bh=$(med hp_cubic beta) bk=$(med cubic beta)
	mh=$(med hp_cubic mean_cwnd) mk=$(med cubic mean_cwnd)
	eh=$(med hp_cubic events) ek=$(med cubic events)
	rm_=$(awk -v a="$mh" -v b="$mk" 'BEGIN { print a / b }')
	re=$(awk -v a="$eh" -v b="$ek" 'BEGIN { print a / b }')
	echo "# medians: beta $bh vs $bk, mean cwnd $mh vs $mk, reductions $eh vs $ek"
	if within "$(awk -v a="$bh" -v b="$bk" 'BEGIN { print a - b }')" -0.08 0.08 &&
	   within "$rm_" 0.625 1.6 && within "$re" 0.625 1.6; then
		pass "hp_cubic-vs-cubic/same-shape"
	else
		fail "hp_cubic-vs-cubic/same-shape" \
			"beta $bh vs $bk, mean cwnd ratio $rm_, reductions ratio $re"
	fi
	ss=$(cc_counter hp_cubic ssthresh)
	ev=$(( $(get hp_cubic.1 events) + $(get hp_cubic.2 events) + $(get hp_cubic.3 events) ))
	if [ "$ss" -ge "$ev" ] 2>/dev/null; then pass "hp_cubic/ssthresh-callback-per-loss"
	else fail "hp_cubic/ssthresh-callback-per-loss" "ssthresh calls $ss, reductions seen $ev"; fi
fi
finish
