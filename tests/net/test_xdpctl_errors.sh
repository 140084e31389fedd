#!/usr/bin/env bash
# Bad input: every case exits with its documented code (1 failure, 2 usage) and a message on
# stderr that names the cause and the fix; stdout stays empty; nothing gets attached.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
[ -x "$XDPCTL" ] || { skip "" "$XDPCTL not built (make)"; exit 0; }
lab2 || { fail setup "cannot create the netns lab"; finish; }
on_exit "$XDPCTL -n $NS_B detach b0"
X=("$XDPCTL" -n "$NS_B")

# expect NAME CODE REGEX CMD...: exit code CODE, stderr matching REGEX, nothing on stdout
expect() {
	local name=$1 code=$2 re=$3 out err rc
	shift 3
	err=$(mktemp)
	out=$("$@" 2>"$err"); rc=$?
	if [ $rc = "$code" ] && grep -Eq -- "$re" "$err" && [ -z "$out" ]; then
		pass "$name"
	else
		why="exit $rc (want $code), stderr: $(head -c 300 "$err" | tr '\n' ' ')"
		fail "$name" "$why stdout: ${out:0:100}"
	fi
	rm -f "$err"
}

# not attached yet
expect detach-not-attached 1 "not attached to b0: nothing to detach" "${X[@]}" detach b0
expect rule-not-attached 1 "run xdpctl attach b0 first" \
	"${X[@]}" rule add b0 --proto udp --action drop
expect stats-not-attached 1 "run xdpctl attach b0 first" "${X[@]}" stats b0
expect list-not-attached 1 "run xdpctl attach b0 first" "${X[@]}" rule list b0
# interfaces and namespaces
expect unknown-iface 1 "unknown interface 'nosuch0'.*ip link" "${X[@]}" attach nosuch0
expect unknown-iface-rule 1 "unknown interface 'nosuch0'" "${X[@]}" rule add nosuch0 --action drop
expect unknown-netns 1 "network namespace 'hpt-none-$$' not found.*ip netns list" \
	"$XDPCTL" -n "hpt-none-$$" status
expect long-ifname 1 "longer than" "${X[@]}" attach abcdefghijklmnopqrstuvwxyz
# no privileges (an unprivileged user; setpriv is util-linux, always present on Debian)
expect no-privileges 1 "run as root" \
	setpriv --reuid 65534 --regid 65534 --clear-groups "$XDPCTL" attach lo
# usage errors
expect no-args 2 "usage: xdpctl" "$XDPCTL"
expect unknown-object 2 "unknown object 'frobnicate'" "$XDPCTL" frobnicate
expect unknown-verb 2 "unknown verb 'zap'" "$XDPCTL" rule zap b0
expect missing-iface 2 "missing IFACE" "${X[@]}" attach
expect extra-arg 2 "unexpected argument 'b1'" "${X[@]}" attach b0 b1
expect bad-mode 2 "bad --mode 'turbo'" "${X[@]}" attach b0 --mode turbo
expect bad-default 2 "bad --default 'maybe'" "${X[@]}" attach b0 --default maybe
expect unknown-option 2 "unknown option '--bogus'" "${X[@]}" status --bogus
expect bad-watch 2 "--watch 'x'" "${X[@]}" stats b0 --watch x
expect count-without-watch 2 "--count needs --watch" "${X[@]}" stats b0 --count 3
[ -z "$(ip -n "$NS_B" -j link show dev b0 | jq -r '.[0].xdp.prog.id // empty')" ] &&
	pass nothing-attached || fail nothing-attached "an XDP program is attached to b0"

# attached: rule syntax and ids
"${X[@]}" attach b0 >/dev/null 2>&1 || { fail attach "$("${X[@]}" attach b0 2>&1)"; finish; }
expect bad-prefix 2 "10.0.0.300/8|prefix" "${X[@]}" rule add b0 --src 10.0.0.300/8 --action drop
expect bad-prefix-len 2 "/33|prefix" "${X[@]}" rule add b0 --dst 10.0.0.0/33 --action drop
expect port-out-of-range 2 "70000|range" \
	"${X[@]}" rule add b0 --proto udp --dport 70000 --action drop
expect port-range-reversed 2 "9-3|range" "${X[@]}" rule add b0 --proto udp --dport 9-3 --action drop
expect bad-action 2 "explode|action" "${X[@]}" rule add b0 --action explode
expect missing-action 2 "action" "${X[@]}" rule add b0 --proto udp
expect redirect-unknown 1 "nosuch0" "${X[@]}" rule add b0 --action redirect:nosuch0
expect rule-id-not-found 1 "rule id 4242 not found on b0.*rule list b0" "${X[@]}" rule del b0 4242
expect rule-id-bad 2 "bad rule id 'abc'" "${X[@]}" rule del b0 abc
n=$("${X[@]}" rule list b0 --json | jq '.rules | length')
[ "$n" = 0 ] && pass no-rule-from-bad-input || fail no-rule-from-bad-input "$n rules exist"
# help is not an error
out=$("${X[@]}" stats -h) && grep -q -- "--watch SECONDS" <<<"$out" && pass help ||
	fail help "$out"
finish
