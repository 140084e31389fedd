#!/usr/bin/env bash
# xdpctl attach / status / detach / features in network namespaces: pins keyed by netns, the
# same veth name in two namespaces, and the refusal under `ip netns exec` (private bpffs).
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
need_cmd bpftool
[ -x "$XDPCTL" ] || { skip "" "$XDPCTL not built (make)"; exit 0; }

# Two labs whose B side is named b0 in both namespaces.
lab2 || { fail setup "cannot create the netns lab"; finish; }
NS1=$NS_B
NS_C=$(ns_create c) && NS_D=$(ns_create d) && veth_pair "$NS_C" a0 "$NS_D" b0 ||
	{ fail setup "cannot create the second lab"; finish; }
on_exit "$XDPCTL -n $NS1 detach b0; $XDPCTL -n $NS_D detach b0"

# xdp_attached NS IF: id of the XDP program on IF (empty if none), from iproute2
xdp_prog() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].xdp.prog.id // empty'; }

# --- attach, status (text and JSON), the pin, the kernel's view
out=$($XDPCTL -n "$NS1" attach b0 --default pass 2>&1)
if [ $? = 0 ]; then pass attach; else fail attach "$out"; finish; fi
st=$($XDPCTL -n "$NS1" status b0 --json)
if [ "$(json_get "$st" '.interfaces[0].attached')" = true ] &&
   [ "$(json_get "$st" '.interfaces[0].mode')" = native ] &&
   [ "$(json_get "$st" '.interfaces[0].default')" = pass ] &&
   [ "$(json_get "$st" '.interfaces[0].prog_id')" -gt 0 ]; then
	pass status-json
else
	fail status-json "$st"
fi
pid=$(json_get "$st" '.interfaces[0].prog_id')
kpid=$(xdp_prog "$NS1" b0)
attach=$(json_get "$st" '.interfaces[0].attach')
if [ "$attach" = single ]; then
	# a single program: the kernel runs exactly the program xdpctl reports, through a link
	lid=$(json_get "$st" '.interfaces[0].link_id')
	lprog=$(bpftool -j link show id "$lid" 2>/dev/null | jq -r .prog_id)
	if [ "$kpid" = "$pid" ] && [ "$lprog" = "$pid" ]; then
		pass kernel-view
	else
		fail kernel-view "iproute2 says prog '$kpid', xdpctl says $pid (link $lid)"
	fi
else
	[ -n "$kpid" ] && pass kernel-view || fail kernel-view "no XDP program on b0"
fi
pin=$(json_get "$st" '.interfaces[0].pin_dir')
cookie=$(json_get "$st" '.interfaces[0].netns_cookie')
if [ -e "$pin/link" ] || [ -e "$pin/prog" ]; then
	[[ $pin == */hybridpath/$cookie/* ]] && pass pin-dir ||
		fail pin-dir "$pin lacks cookie $cookie"
else
	fail pin-dir "nothing pinned in $pin"
fi
txt=$($XDPCTL -n "$NS1" status)
echo "$txt" | grep -Eq "^b0 +native +(single|dispatcher) +$pid " && pass status-text ||
	fail status-text "$txt"

# attach twice: exit 1, a message naming the fix, the first attachment untouched
out=$($XDPCTL -n "$NS1" attach b0 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "detach b0 first" <<<"$out" && [ "$(xdp_prog "$NS1" b0)" = "$kpid" ]; then
	pass attach-twice
else
	fail attach-twice "rc=$rc: $out"
fi

# --- the same name (b0) in another namespace: its own pins, its own program
out=$($XDPCTL -n "$NS_D" attach b0 --mode skb --default drop 2>&1) || fail same-name "$out"
st2=$($XDPCTL -n "$NS_D" status b0 --json)
pid2=$(json_get "$st2" '.interfaces[0].prog_id')
pin2=$(json_get "$st2" '.interfaces[0].pin_dir')
if [ "$pid2" != "$pid" ] && [ "$pin2" != "$pin" ] &&
   [ "$(json_get "$st2" '.interfaces[0].mode')" = skb ] &&
   [ "$(json_get "$st2" '.interfaces[0].default')" = drop ] &&
   [ "$(json_get "$($XDPCTL -n "$NS1" status b0 --json)" '.interfaces[0].prog_id')" = "$pid" ]; then
	pass same-name-two-netns
else
	fail same-name-two-netns "ns1: prog $pid $pin; ns2: $st2"
fi
# status without IFACE lists only this namespace's interfaces
n=$($XDPCTL -n "$NS_D" status --json | jq '.interfaces | length')
[ "$n" = 1 ] && pass status-per-netns || fail status-per-netns "listed $n interfaces"
# detaching one leaves the other
$XDPCTL -n "$NS_D" detach b0 >/dev/null
if [ -z "$(xdp_prog "$NS_D" b0)" ] && [ "$(xdp_prog "$NS1" b0)" = "$kpid" ] &&
   [ ! -e "$pin2" ]; then
	pass detach-one
else
	fail detach-one "ns2 prog '$(xdp_prog "$NS_D" b0)', ns1 prog '$(xdp_prog "$NS1" b0)'"
fi

# --- ip netns exec: private /sys, a bpffs mounted there would vanish -> refuse, nothing attached
out=$(ip netns exec "$NS_D" "$XDPCTL" attach b0 2>&1); rc=$?
if [ $rc = 1 ] && grep -q -- "-n $NS_D" <<<"$out" && [ -z "$(xdp_prog "$NS_D" b0)" ]; then
	pass netns-exec-refused
else
	fail netns-exec-refused "rc=$rc: $out"
fi

# --- features: the kernel's netlink answer, compared with iproute2's own
f=$($XDPCTL -n "$NS1" features b0 --json)
if [ "$(json_get "$f" '.reported')" = true ] && [ "$(json_get "$f" '.basic')" = true ] &&
   [ "$(json_get "$f" '.redirect')" = true ] && [ "$(json_get "$f" '.xsk_zerocopy')" = false ]; then
	pass features
else
	fail features "$f"
fi
$XDPCTL -n "$NS1" features b0 | grep -q "^  basic  *yes" && pass features-text ||
	fail features-text "$($XDPCTL -n "$NS1" features b0 2>&1)"

# --- detach: program, link and pins gone
lid=$(json_get "$st" '.interfaces[0].link_id')
out=$($XDPCTL -n "$NS1" detach b0 2>&1) || fail detach "$out"
sleep 0.2
if [ -z "$(xdp_prog "$NS1" b0)" ] && [ ! -e "$pin" ] &&
   ! bpftool link show id "$lid" >/dev/null 2>&1; then
	pass detach
else
	fail detach "prog '$(xdp_prog "$NS1" b0)', pin $(ls "$pin" 2>&1)"
fi
# the program and its maps are freed once the last pin is gone (the kernel frees them lazily)
for i in $(seq 50); do bpftool prog show id "$pid" >/dev/null 2>&1 || break; sleep 0.1; done
bpftool prog show id "$pid" >/dev/null 2>&1 && fail freed "prog $pid still loaded" || pass freed
st=$($XDPCTL -n "$NS1" status b0 --json)
[ "$(json_get "$st" '.interfaces[0].attached')" = false ] && pass status-detached ||
	fail status-detached "$st"

# --- writers are serialised: 4 concurrent attaches -> exactly one wins, the others say why;
# 16 concurrent rule adds -> 16 distinct ids, all in the table
T=$(mktemp -d)
on_exit "rm -rf $T"
for i in 1 2 3 4; do
	( $XDPCTL -n "$NS_D" attach b0 >"$T/a$i.out" 2>&1; echo $? >"$T/a$i.rc" ) &
done
wait
ok=$(cat "$T"/a*.rc | grep -c '^0$')
busy=$(grep -l "already attached" "$T"/a*.out | wc -l)
[ "$ok" = 1 ] && [ "$busy" = 3 ] && pass concurrent-attach ||
	fail concurrent-attach "$ok succeeded, $busy said 'already attached'"
for i in $(seq 16); do
	$XDPCTL -n "$NS_D" rule add b0 --proto udp --dport $((5000 + i)) --action drop \
		>"$T/r$i" 2>&1 &
done
wait
ids=$(cat "$T"/r* | sort -un | grep -c '^[0-9]*$')
n=$($XDPCTL -n "$NS_D" rule list b0 --json | jq '.rules | length')
[ "$ids" = 16 ] && [ "$n" = 16 ] && pass concurrent-rules ||
	fail concurrent-rules "$ids distinct ids, $n rules listed: $(cat "$T"/r* | tr '\n' ' ')"
[ "$(json_get "$($XDPCTL -n "$NS_D" status b0 --json)" '.interfaces[0].rules')" = 16 ] &&
	pass status-rule-count || fail status-rule-count "$($XDPCTL -n "$NS_D" status b0)"
$XDPCTL -n "$NS_D" detach b0 >/dev/null

# --- a namespace deleted while steering is attached: its pin is stale (the link lost its
# device) and the next attach anywhere removes it, freeing link, program and maps
NS_E=$(ns_create e) && veth_pair "$NS_E" e0 "$NS_E" e1 || fail stale-gc "cannot create netns e"
$XDPCTL -n "$NS_E" attach e0 >/dev/null 2>&1
st=$($XDPCTL -n "$NS_E" status e0 --json)
epin=$(json_get "$st" '.interfaces[0].pin_dir') elink=$(json_get "$st" '.interfaces[0].link_id')
eprog=$(json_get "$st" '.interfaces[0].prog_id')
ip netns del "$NS_E"
for i in $(seq 50); do
	[ "$(bpftool -j link show id "$elink" 2>/dev/null | jq -r '.ifindex // 0')" = 0 ] && break
	sleep 0.1
done
$XDPCTL -n "$NS_D" attach b0 >/dev/null 2>&1
$XDPCTL -n "$NS_D" detach b0 >/dev/null 2>&1
for i in $(seq 50); do bpftool prog show id "$eprog" >/dev/null 2>&1 || break; sleep 0.1; done
if [ -n "$epin" ] && [ ! -e "$epin" ] && ! bpftool link show id "$elink" >/dev/null 2>&1 &&
   ! bpftool prog show id "$eprog" >/dev/null 2>&1; then
	pass stale-gc
else
	fail stale-gc "pin '$epin' $( [ -e "$epin" ] && echo exists), link $elink, prog $eprog"
fi
finish
