#!/usr/bin/env bash
# Unprivileged AF_XDP: a privileged helper (`xdpctl xsk serve`, or the same library code in
# afxdp_test when xdpctl is not built) creates the socket and passes it with SCM_RIGHTS to a
# client that runs as `nobody` with every capability dropped; the client checks it really has
# none (and that it cannot open a socket by itself), then receives and verifies frames. A user
# the helper does not permit is refused with a clear reason.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd setpriv
T=$O/tests/afxdp_test
[ -x "$T" ] || { skip "" "$T not built (make)"; exit 0; }

dir=$(mktemp -d /tmp/hpt-xsk.XXXXXX) && chmod 755 "$dir"
on_exit rm -rf "$dir"
sock=$dir/xsk.sock
lab2 numrxqueues 4 numtxqueues 4 || { fail "" "lab setup failed"; finish; }

# start_helper ALLOWED_USER: helper in namespace B, in the background; waits for its socket
helper_pid=
start_helper() {
	if [ -x "$XDPCTL" ] && "$XDPCTL" xsk serve -h >/dev/null 2>&1; then
		ip netns exec "$NS_B" "$XDPCTL" xsk serve --uid "$1" --path "$sock" \
			>"$dir/helper.log" 2>&1 &
	else
		ip netns exec "$NS_B" "$T" --b "$NS_B" --serve "$sock" --uid "$(id -u "$1")" \
			--clients 1 serve >"$dir/helper.log" 2>&1 &
	fi
	helper_pid=$!
	on_exit kill "$helper_pid"
	for _ in $(seq 50); do [ -S "$sock" ] && return 0; sleep 0.1; done
	return 1
}
stop_helper() { kill "$helper_pid" 2>/dev/null; wait "$helper_pid" 2>/dev/null; rm -f "$sock"; }
as_nobody() {
	ip netns exec "$NS_B" setpriv --reuid nobody --regid nogroup --clear-groups \
		--inh-caps=-all --bounding-set=-all "$@"
}

# 1. permitted: receive 300 frames without privileges
if start_helper nobody; then
	as_nobody "$T" --serve "$sock" --count 300 client >"$dir/client.log" 2>&1 &
	cpid=$!
	for _ in $(seq 100); do grep -q '^ready' "$dir/client.log" && break; sleep 0.1; done
	"$T" --a "$NS_A" --count 300 send >"$dir/send.log" 2>&1
	wait $cpid
	rc=$?
	if [ $rc = 0 ]; then pass unprivileged_rx
	else fail unprivileged_rx "$(tail -3 "$dir/client.log" "$dir/helper.log" | tr '\n' ' ')"; fi
else
	fail unprivileged_rx "helper did not start: $(tail -2 "$dir/helper.log" | tr '\n' ' ')"
fi
stop_helper

# 2. not permitted: the helper allows root only; nobody is refused and told why
if start_helper root; then
	out=$(as_nobody "$T" --serve "$sock" --count 1 client 2>&1)
	if [ $? != 0 ] && grep -q "not permitted" <<<"$out"; then pass refused
	else fail refused "$(echo "$out" | tail -2 | tr '\n' ' ')"; fi
else
	fail refused "helper did not start"
fi
stop_helper
finish
