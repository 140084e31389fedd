#!/usr/bin/env bash
# Real traffic through steering rules: trafgen (UDP) and ping (ICMP) from namespace A into b0,
# where hp_steer runs with drop / tx / redirect / pass rules. The counters in
# `xdpctl stats --json` must equal what was sent, and each action must have its effect:
# dropped datagrams never reach B's UDP stack, tx frames come back to a0, redirected frames
# leave through b1 to c0, passed pings get answers.
#
#   A: a0 ---- b0 :B: b1 ---- c0 :C          (IPv6 off and static ARP: no background frames)
#
# a0 runs hp_steer too (default pass, no rules), as a counter of what comes back: veth delivers
# XDP_TX frames only to a peer whose NAPI runs, which an XDP program guarantees.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
need_cmd trafgen
need_cmd ping
[ -x "$XDPCTL" ] || { skip "" "$XDPCTL not built (make)"; exit 0; }
lab2 || { fail setup "cannot create the netns lab"; finish; }
NS_C=$(ns_create c) && veth_pair "$NS_B" b1 "$NS_C" c0 ||
	{ fail setup "cannot create b1-c0"; finish; }
on_exit "$XDPCTL -n $NS_B detach b0; $XDPCTL -n $NS_A detach a0"
for ns in "$NS_A" "$NS_B" "$NS_C"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_A" neigh replace 10.250.0.2 lladdr "$MAC_B" dev a0 nud permanent
ip -n "$NS_B" neigh replace 10.250.0.1 lladdr "$MAC_A" dev b0 nud permanent
# a redirect target veth delivers only when its peer runs NAPI (GRO on, see lib.sh)
ip netns exec "$NS_C" ethtool -K c0 gro on >/dev/null 2>&1
ip netns exec "$NS_B" ethtool -K b1 gro on >/dev/null 2>&1
X=("$XDPCTL" -n "$NS_B")
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

# udp_cfg DPORT: one 60-byte UDP frame a0 -> b0 (trafgen config)
udp_cfg() {
	echo "{ eth(da=$MAC_B, sa=$MAC_A, type=0x0800)," \
		"ipv4(saddr=10.250.0.1, daddr=10.250.0.2, ttl=64)," \
		"udp(sport=40000, dport=$1), fill(0x41, 18) }" >"$TMP/udp$1.cfg"
}
# send DPORT N: exactly N frames, checked against a0's tx counter
send() {
	local before after
	before=$(txp "$NS_A" a0)
	ip netns exec "$NS_A" trafgen --dev a0 --conf "$TMP/udp$1.cfg" --num "$2" --cpus 1 -C \
		>/dev/null 2>&1 || return 1
	after=$(txp "$NS_A" a0)
	[ $((after - before)) -ge "$2" ]
}
rxp() { ip -n "$1" -j -s link show dev "$2" | jq '.[0].stats64.rx.packets'; }
txp() { ip -n "$1" -j -s link show dev "$2" | jq '.[0].stats64.tx.packets'; }
# udp_in: UDP datagrams B's stack saw (delivered + no port)
udp_in() { ip netns exec "$NS_B" awk '/^Udp:/ && $2 ~ /^[0-9]/ {print $2 + $3}' /proc/net/snmp; }
stat_json() { "${X[@]}" stats b0 --json; }
cnt() { jq -r "$2" <<<"$1"; }
rule_pk() { jq -r ".rules[] | select(.id == $2) | .packets" <<<"$1"; }
# ping_a N: N echo requests from A to b0's address; prints the number of replies
ping_a() {
	ip netns exec "$NS_A" ping -c "$1" -i 0.2 -W 1 10.250.0.2 |
		awk '/packets transmitted/ {print $4}'
}

out=$("${X[@]}" attach b0 --default pass 2>&1) || { fail attach "$out"; finish; }
out=$("$XDPCTL" -n "$NS_A" attach a0 --default pass 2>&1) || { fail attach-a0 "$out"; finish; }
a_pass() { "$XDPCTL" -n "$NS_A" stats a0 --json | jq .counters.pass.packets; }
r_drop=$("${X[@]}" rule add b0 --proto udp --dport 7777 --action drop) &&
r_tx=$("${X[@]}" rule add b0 --proto udp --dport 7778 --action tx) &&
r_red=$("${X[@]}" rule add b0 --proto udp --dst 10.250.0.2/32 --dport 7779 --action redirect:b1) &&
r_icmp=$("${X[@]}" rule add b0 --proto icmp --src 10.250.0.0/24 --prio 10 --action pass) ||
	{ fail rule-add "$("${X[@]}" rule add b0 --proto udp --action drop 2>&1)"; finish; }
[[ $r_drop =~ ^[0-9]+$ && $r_tx =~ ^[0-9]+$ ]] && pass rule-add-prints-id ||
	fail rule-add-prints-id "'$r_drop'"
n=$("${X[@]}" rule list b0 --json | jq '.rules | length')
[ "$n" = 4 ] && pass rule-list || fail rule-list "$n rules listed"

for p in 7777 7778 7779; do udp_cfg $p; done
s0=$(stat_json); u0=$(udp_in); a0p=$(a_pass); c0rx=$(rxp "$NS_C" c0)
ok=1
send 7777 200 && send 7778 150 && send 7779 120 || ok=0
pings=$(ping_a 5)
sleep 0.3
s1=$(stat_json)
[ $ok = 1 ] || fail trafgen "trafgen did not send the frames"

d() { echo $(( $(cnt "$s1" "$1") - $(cnt "$s0" "$1") )); }
rd() { echo $(( $(rule_pk "$s1" "$1") - $(rule_pk "$s0" "$1") )); }
# drop: exact counters, and B's UDP stack saw none of the 200 (the 7778/7779 ones left too)
got="drop=$(d .counters.drop.packets) rule=$(rd "$r_drop")"
got+=" bytes=$(d .counters.drop.bytes) udp_in=$(( $(udp_in) - u0 ))"
[ "$got" = "drop=200 rule=200 bytes=12000 udp_in=0" ] && pass drop ||
	fail drop "$got (want 200, 200, 12000 bytes, 0)"
# tx: counted once each and bounced back into a0 (a0 also gets the 5 echo replies)
got="tx=$(d .counters.tx.packets) rule=$(rd "$r_tx")"
back=$(( $(a_pass) - a0p ))
[ "$got" = "tx=150 rule=150" ] && [ "$back" = 155 ] && pass tx ||
	fail tx "$got, a0 got $back frames back (want 150, 150, 150 + 5 echo replies)"
# redirect: counted and sent out of b1 into c0
got="redirect=$(d .counters.redirect.packets) rule=$(rd "$r_red")"
out_c=$(( $(rxp "$NS_C" c0) - c0rx ))
[ "$got" = "redirect=120 rule=120" ] && [ "$out_c" = 120 ] && pass redirect ||
	fail redirect "$got, c0 received $out_c (want 120)"
# pass: 5 echo requests matched the ICMP rule, 5 replies came back
got="pass=$(d .counters.pass.packets) rule=$(rd "$r_icmp")"
[ "$got" = "pass=5 rule=5" ] && [ "$pings" = 5 ] && pass icmp-pass ||
	fail icmp-pass "$got, $pings replies (want 5, 5, 5)"
[ "$(d .counters.nomatch.packets)" = 0 ] && pass no-stray-frames ||
	fail no-stray-frames "$(d .counters.nomatch.packets) frames matched no rule"
# rule list carries the same per-rule counters
lst=$("${X[@]}" rule list b0 --json)
[ "$(rule_pk "$lst" "$r_drop")" = "$(rule_pk "$s1" "$r_drop")" ] &&
	pass rule-list-counters || fail rule-list-counters "$lst"

# watch: two 1 s intervals and a summary whose totals equal what was sent meanwhile
( sleep 0.3; send 7777 300 ) &
w=$("${X[@]}" stats b0 --json --watch 1 --count 2)
wait
types=$(jq -r .type <<<"$w" | tr '\n' ' ')
sum=$(jq -r 'select(.type == "summary") | .counters.drop.packets' <<<"$w")
[ "$types" = "interval interval summary " ] && [ "$sum" = 300 ] && pass watch-json ||
	fail watch-json "types '$types', summary drop $sum (want 300)"
# SIGINT ends the watch with a summary (exit 0)
"${X[@]}" stats b0 --watch 1 >"$TMP/watch" 2>&1 &
wp=$!
sleep 1.5
kill -INT $wp
wait $wp; rc=$?
[ $rc = 0 ] && grep -q "^summary" "$TMP/watch" && pass watch-sigint ||
	fail watch-sigint "exit $rc: $(tr '\n' ' ' <"$TMP/watch")"
t=$("${X[@]}" stats b0 --watch 1 --count 1)
grep -q "pkt/s" <<<"$t" || grep -q "no packets" <<<"$t" && pass watch-text || fail watch-text "$t"

# rule del: the same traffic now reaches B's stack
"${X[@]}" rule del b0 "$r_drop" || fail rule-del "exit $?"
u0=$(udp_in); s0=$(stat_json)
send 7777 50; sleep 0.3
s1=$(stat_json)
got="udp_in=$(( $(udp_in) - u0 )) drop=$(d .counters.drop.packets)"
[ "$got" = "udp_in=50 drop=0" ] && pass rule-del || fail rule-del "$got (want 50, 0)"

# default drop: a fresh attachment drops what matches no rule
"${X[@]}" detach b0 >/dev/null
"${X[@]}" attach b0 --default drop >/dev/null 2>&1 ||
	fail default-drop "attach --default drop failed"
pings=$(ping_a 3)
s=$(stat_json)
got="replies=$pings drop=$(cnt "$s" .counters.drop.packets)"
got+=" nomatch=$(cnt "$s" .counters.nomatch.packets)"
[ "$got" = "replies=0 drop=3 nomatch=3" ] && pass default-drop ||
	fail default-drop "$got (want 0, 3, 3)"
finish
