#!/usr/bin/env bash
# kill -9 of xdpctl in the middle of attach leaves no program, map, link or pin behind.
# Deterministic part: HP_TEST_STALL_AT=<step> makes the loader pause at each step; the test
# reads the BPF objects the process holds from /proc/PID/fdinfo, kills it, and checks that
# every one of them is gone and nothing is attached or pinned. Random part: SIGKILL after a
# random delay, several times; then either nothing or a complete attachment may remain.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
need_cmd bpftool
[ -x "$XDPCTL" ] || { skip "" "$XDPCTL not built (make)"; exit 0; }
lab2 || { fail setup "cannot create the netns lab"; finish; }
on_exit "$XDPCTL -n $NS_B detach b0"

xdp_prog() { ip -n "$NS_B" -j link show dev b0 | jq -r '.[0].xdp.prog.id // empty'; }
# steering pins only: hybridpath/<netns>/<ifindex>/* (cc and others pin beside them)
pins() {
	find /sys/fs/bpf/hybridpath -regextype egrep \
		-regex ".*/hybridpath/(ino-)?[0-9]+/[0-9]+/[^/]+" 2>/dev/null | sort
}
# pins that did not exist before the test (stale ones of others may be cleaned meanwhile)
new_pins() { comm -13 <(echo "$before_pins") <(pins); }
# our netns' pin directory (a sibling namespace's pins are not ours to judge)
cookie_dir() {
	$XDPCTL -n "$NS_B" status b0 --json 2>/dev/null | jq -r '.interfaces[0].pin_dir // empty'
}

# bpf objects held by PID: "prog ID" / "map ID" / "link ID" lines from fdinfo
held() {
	local f
	for f in /proc/$1/fdinfo/*; do
		awk '/^prog_id:/ {print "prog", $2} /^map_id:/ {print "map", $2}
		     /^link_id:/ {print "link", $2}' "$f" 2>/dev/null
	done | sort -u
}
# gone KIND ID: the kernel freed it (freeing is deferred: poll up to 5 s)
gone() {
	local i
	for i in $(seq 50); do
		bpftool "$1" show id "$2" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	return 1
}

before_pins=$(pins)
for step in open load config attach mkdir pin; do
	err=$(mktemp)
	HP_TEST_STALL_AT=$step HP_NO_DISPATCHER=1 $XDPCTL -n "$NS_B" attach b0 2>"$err" &
	p=$!
	for i in $(seq 200); do grep -q "stall at $step" "$err" && break; sleep 0.05; done
	if ! grep -q "stall at $step" "$err"; then
		kill -9 $p 2>/dev/null; wait $p 2>/dev/null
		fail "kill-at-$step" "never reached step $step: $(tr '\n' ' ' <"$err")"
		rm -f "$err"
		continue
	fi
	objs=$(held $p)
	kill -9 $p; wait $p 2>/dev/null
	rm -f "$err"
	why=
	while read -r kind id; do
		[ -n "$kind" ] || continue
		gone "$kind" "$id" || why+="$kind $id still exists; "
	done <<<"$objs"
	[ -z "$(xdp_prog)" ] || why+="XDP program $(xdp_prog) attached to b0; "
	[ -z "$(new_pins)" ] || why+="pins left: $(new_pins | tr '\n' ' '); "
	# the status path must also see nothing (and clean up an empty directory)
	[ -z "$(cookie_dir)" ] || why+="status reports an attachment; "
	n=$(echo "$objs" | grep -c prog)
	# from "config" on, the process holds the loaded program: the test really killed mid-attach
	if [ -z "$why" ] && { [ "$step" = open ] || [ "$step" = load ] || [ "$n" -gt 0 ]; }; then
		pass "kill-at-$step"
	elif [ -z "$why" ]; then
		fail "kill-at-$step" "the process held no program at step $step (hook misplaced?)"
	else
		fail "kill-at-$step" "$why"
	fi
done

# random delays: afterwards either nothing is left, or a complete, working attachment
bad=
for i in $(seq 8); do
	$XDPCTL -n "$NS_B" attach b0 >/dev/null 2>&1 &
	p=$!
	sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
	kill -9 $p 2>/dev/null; wait $p 2>/dev/null
	st=$($XDPCTL -n "$NS_B" status b0 --json)
	if [ "$(json_get "$st" '.interfaces[0].attached')" = true ]; then
		[ "$(xdp_prog)" = "$(json_get "$st" '.interfaces[0].prog_id')" ] ||
			[ "$(json_get "$st" '.interfaces[0].attach')" = dispatcher ] ||
			bad+="iteration $i: status and kernel disagree; "
		$XDPCTL -n "$NS_B" detach b0 >/dev/null || bad+="iteration $i: detach failed; "
	fi
	sleep 0.1
	[ -z "$(xdp_prog)" ] || bad+="iteration $i: program $(xdp_prog) left attached; "
	[ -z "$(new_pins)" ] || bad+="iteration $i: pins left: $(new_pins | tr '\n' ' '); "
done
[ -z "$bad" ] && pass kill-random || fail kill-random "$bad"
finish
