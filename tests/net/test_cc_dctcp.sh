#!/usr/bin/env bash
# hp_dctcp reacts to ECN marks: a 64 MB transfer without marks, then one where tc_loss marks CE
# on a seeded 10% of the data packets at the receiver's ingress (no drops). With marks the mean
# alpha over the transfer must be near the marked fraction (10% = 102/1024; accepted 50..250:
# the sender counts every packet an ECE-carrying ACK covers as marked, so delayed ACKs bias it
# up to ~2x; we measure ~170), cwnd must be cut by ECE without retransmissions, and mean cwnd
# must stay well below the unmarked run's. Without ECN at the peer (tcp_ecn=0 there) hp_dctcp
# must hand the socket to reno and stop sending ECT. A shorter marked run over IPv6 checks the
# traffic-class path.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cc_lib.sh"
source "$(dirname "$0")/cc_trace.sh"
cc_prereq
d=$(mktemp -d /tmp/hp-cc.XXXXXX); on_exit "rm -rf '$d'"
cc_lab || { fail lab "cannot build the namespace lab"; finish; }
cc_load hp_dctcp >"$d/load" 2>&1 || { fail load "$(cat "$d/load")"; finish; }
# mean_cwnd and count of ssthresh changes that came without a retransmission (ECE cuts)
ce_cuts() { awk 'NR > 1 && $3 != ps && $5 == pr && $3 < 2147483647 { n++ } { ps = $3; pr = $5 }
	END { print n + 0 }' "$1"; }

if xfer "$d" plain hp_dctcp 64000000; then pass "unmarked/transfer"
else fail "unmarked/transfer" "$(cat "$d/plain.send" | tr '\n' ' ')"; fi
a0=$(cc_counter hp_dctcp alpha); c0=$(cc_counter hp_dctcp ce_reductions)
u0=$(cc_counter hp_dctcp alpha_updates); sum0=$(cc_counter hp_dctcp alpha_sum)
m0=$(cc_trace_summary "$d/plain.trace" | grep -o 'mean_cwnd=[^ ]*' | cut -d= -f2)
echo "# unmarked: alpha=$a0 ce_reductions=$c0 mean_cwnd=$m0"
if [ "$a0" -lt 64 ] 2>/dev/null && [ "$c0" = 0 ]; then pass "unmarked/alpha-decays"
else fail "unmarked/alpha-decays" "alpha=$a0 (starts at 1024) ce_reductions=$c0"; fi

if xfer "$d" mark hp_dctcp 64000000 --mark --ppm 100000 --seed 42; then pass "marked/transfer"
else fail "marked/transfer" "$(cat "$d/mark.send" "$d/mark.impair" | tr '\n' ' ')"; fi
a1=$(cc_counter hp_dctcp alpha); c1=$(cc_counter hp_dctcp ce_reductions)
u1=$(cc_counter hp_dctcp alpha_updates); sum1=$(cc_counter hp_dctcp alpha_sum)
u0=${u0:-0}; am=$(( (sum1 - sum0) / (u1 - u0 > 0 ? u1 - u0 : 1) ))
hits=$(field "$d/mark.impair" hits); nect=$(field "$d/mark.impair" not_ect)
rt=$(field "$d/mark.send" retrans); cuts=$(ce_cuts "$d/mark.trace")
m1=$(cc_trace_summary "$d/mark.trace" | grep -o 'mean_cwnd=[^ ]*' | cut -d= -f2)
echo "# marked: alpha last=$a1 mean=$am updates=$((u1 - u0)) ce_reductions=$((c1 - c0)) marked=$hits not_ect=$nect retrans=$rt ce_cuts_in_trace=$cuts mean_cwnd=$m1"
if [ "${hits:-0}" -gt 1000 ] && [ "$nect" = 0 ]; then pass "marked/packets-were-ect-and-marked"
else fail "marked/packets-were-ect-and-marked" "marked=$hits not_ect=$nect; sender: $(cat "$d/mark.send")"; fi
if [ "$am" -ge 50 ] 2>/dev/null && [ "$am" -le 250 ]; then pass "marked/alpha-near-marked-fraction"
else fail "marked/alpha-near-marked-fraction" "mean alpha $am, expected ~102 (10% of 1024)"; fi
if [ $((c1 - c0)) -ge 10 ] && [ "$cuts" -ge 5 ]; then pass "marked/cwnd-cut-by-ece"
else fail "marked/cwnd-cut-by-ece" "CWR entries $((c1 - c0)), cuts without retransmission in trace $cuts"; fi
if awk -v a="$m1" -v b="$m0" 'BEGIN { exit !(a < 0.5 * b) }'; then pass "marked/cwnd-bounded"
else fail "marked/cwnd-bounded" "mean cwnd $m1 marked vs $m0 unmarked"; fi

# The same over IPv6 (ECN bits in the traffic class): marks reach the sender, cwnd is cut.
c0=$(cc_counter hp_dctcp ce_reductions)
if XFER_ADDR=fd00:250::2 xfer "$d" mark6 hp_dctcp 32000000 --mark --ppm 100000 --seed 42; then
	hits=$(field "$d/mark6.impair" hits); nect=$(field "$d/mark6.impair" not_ect)
	c1=$(cc_counter hp_dctcp ce_reductions); rt=$(field "$d/mark6.send" retrans)
	if [ "${hits:-0}" -gt 500 ] && [ "$nect" = 0 ] && [ $((c1 - c0)) -ge 10 ]; then
		pass "marked-ipv6/cwnd-cut-by-ece"
	else
		fail "marked-ipv6/cwnd-cut-by-ece" "marked=$hits not_ect=$nect CWR entries $((c1 - c0))"
	fi
else
	fail "marked-ipv6/transfer" "$(cat "$d/mark6.send" "$d/mark6.impair" | tr '\n' ' ')"
fi

# Peer without ECN: receiver refuses ECN and uses its default congestion control.
ip netns exec "$NS_B" sysctl -qw net.ipv4.tcp_ecn=0
f0=$(cc_counter hp_dctcp ecn_fallback)
if RECV_CC= xfer "$d" noecn hp_dctcp 64000000 --mark --ppm 100000 --seed 42; then
	pass "no-ecn-peer/transfer"
else
	fail "no-ecn-peer/transfer" "$(cat "$d/noecn.send" | tr '\n' ' ')"
fi
f1=$(cc_counter hp_dctcp ecn_fallback); got=$(field "$d/noecn.send" cc)
hits=$(field "$d/noecn.impair" hits); nect=$(field "$d/noecn.impair" not_ect)
if [ $((f1 - f0)) -ge 1 ] && [ "$got" = reno ]; then pass "no-ecn-peer/falls-back-to-reno"
else fail "no-ecn-peer/falls-back-to-reno" "ecn_fallback +$((f1 - f0)), socket cc=$got"; fi
if [ "$hits" = 0 ] && [ "${nect:-0}" -gt 0 ]; then pass "no-ecn-peer/no-ect-on-data"
else fail "no-ecn-peer/no-ect-on-data" "CE-marked $hits, non-ECT $nect"; fi
finish
