#!/usr/bin/env bash
# Real traffic, second part: IPv6 prefix + port range, VLAN-tagged frames, priorities between
# overlapping rules, ICMPv6 echo, and malformed frames, sent with trafgen / ping from namespace A
# into b0 running hp_steer (default pass). Each rule's counter in `xdpctl stats --json` must
# equal exactly the frames sent for it.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
need_cmd trafgen
need_cmd ping
[ -x "$XDPCTL" ] || { skip "" "$XDPCTL not built (make)"; exit 0; }
lab2 || { fail setup "cannot create the netns lab"; finish; }
on_exit "$XDPCTL -n $NS_B detach b0"
ip -n "$NS_A" neigh replace 10.250.0.2 lladdr "$MAC_B" dev a0 nud permanent
ip -n "$NS_A" -6 neigh replace fd00:250::2 lladdr "$MAC_B" dev a0 nud permanent
ip -n "$NS_B" -6 neigh replace fd00:250::1 lladdr "$MAC_A" dev b0 nud permanent
X=("$XDPCTL" -n "$NS_B")
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

# frame NAME HEADERS...: a trafgen config a0 -> b0
frame() {
	local n=$1; shift
	echo "{ eth(da=$MAC_B, sa=$MAC_A$1), $2 }" >"$TMP/$n.cfg"
}
send() {
	ip netns exec "$NS_A" trafgen --dev a0 --conf "$TMP/$1.cfg" --num "$2" --cpus 1 -C \
		>/dev/null 2>&1
}
v4="ipv4(saddr=10.250.0.1, daddr=10.250.0.2, ttl=64)"
v6="ip6(saddr=fd00:250::1, daddr=fd00:250::2, hl=64)"
v6out="ip6(saddr=fd00:250::1, daddr=fd00:251::2, hl=64)"
pay="fill(0x41, 18)"
frame v6 ", type=0x86dd" "$v6, udp(sport=1, dport=7790), $pay"
frame v6hi ", type=0x86dd" "$v6, udp(sport=1, dport=7795), $pay"
frame v6out ", type=0x86dd" "$v6out, udp(sport=1, dport=7790), $pay"
frame vlan "" "vlan(id=100), $v4, udp(sport=1, dport=7791), $pay"
# an IPv4 ethertype with a 10-byte "header": malformed by the documented rules
frame bad ", type=0x0800" "fill(0x45, 10)"

out=$("${X[@]}" attach b0 --default pass 2>&1) || { fail attach "$out"; finish; }
add() { "${X[@]}" rule add b0 "$@"; }
r6=$(add --proto udp --dst fd00:250::/64 --dport 7790-7799 --action drop) &&
r6p=$(add --proto udp --dport 7795 --prio 5 --action pass) &&
rv=$(add --vlan 100 --action drop) &&
ri=$(add --proto icmpv6 --src fd00:250::1/128 --action pass) ||
	{ fail rule-add "$(add --proto udp --dport 7790-7799 --action drop 2>&1)"; finish; }

s0=$("${X[@]}" stats b0 --json)
send v6 40; send v6hi 10; send v6out 7; send vlan 30; send bad 25
replies=$(ip netns exec "$NS_A" ping -6 -c 4 -i 0.2 -W 1 fd00:250::2 |
	awk '/packets transmitted/ {print $4}')
sleep 0.3
s1=$("${X[@]}" stats b0 --json)
rd() { echo $(( $(jq -r ".rules[] | select(.id == $1) | .packets" <<<"$s1") - \
	$(jq -r ".rules[] | select(.id == $1) | .packets" <<<"$s0") )); }
cd_() {
	local f=".counters.$1.packets"
	echo $(( $(jq -r "$f" <<<"$s1") - $(jq -r "$f" <<<"$s0") ))
}

[ "$(rd "$r6")" = 40 ] && pass ipv6-prefix-port-range ||
	fail ipv6-prefix-port-range "rule $r6 counted $(rd "$r6"), want 40"
[ "$(rd "$r6p")" = 10 ] && pass priority ||
	fail priority "prio-5 rule counted $(rd "$r6p") of 10 (the range rule has 1000)"
[ "$(rd "$rv")" = 30 ] && pass vlan || fail vlan "rule $rv counted $(rd "$rv"), want 30"
[ "$(rd "$ri")" = 4 ] && [ "$replies" = 4 ] && pass icmpv6 ||
	fail icmpv6 "rule counted $(rd "$ri"), $replies replies (want 4, 4)"
# drops: 40 IPv6 + 30 VLAN; the 7 frames outside the prefix matched nothing
[ "$(cd_ drop)" = 70 ] && pass drop-total || fail drop-total "drop counted $(cd_ drop), want 70"
[ "$(cd_ malformed)" = 25 ] && pass malformed ||
	fail malformed "malformed counted $(cd_ malformed), want 25"
# nomatch: at least the 7 off-prefix frames (malformed ones skip the rules and count only as
# malformed; the kernel may add ND/MLD frames of its own, never fewer)
[ "$(cd_ nomatch)" -ge 7 ] && pass nomatch ||
	fail nomatch "nomatch counted $(cd_ nomatch), want >= 7"

# generic (skb) mode: the same program on the kernel's generic XDP path
"${X[@]}" detach b0 >/dev/null
out=$("${X[@]}" attach b0 --mode skb 2>&1) || fail skb-mode "$out"
rs=$(add --proto udp --dst fd00:250::/64 --dport 7790 --action drop)
mode=$(ip -n "$NS_B" -j link show dev b0 | jq -r '.[0].xdp.mode')
s0=$("${X[@]}" stats b0 --json)
send v6 20
s1=$("${X[@]}" stats b0 --json)
[ "$mode" = 2 ] && [ "$(rd "$rs")" = 20 ] && pass skb-mode ||
	fail skb-mode "iproute2 xdp mode '$mode' (2 = generic), rule counted $(rd "$rs") of 20"
finish
