#!/usr/bin/env bash
# The example apps end to end on three namespaces: hp-txgen in A sends N UDP frames out of a0;
# hp-l2fwd in B forwards between afxdp:b0:0 and afxdp:b1:0 (two ports, two UMEMs: the frames
# are copied from one pool into the other); hp-rxdrop in C counts what arrives on c0. Then
# hp-l2fwd with one port reflects frames back to where they came from.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
BIN=${HP_APPS_DIR:-$O/bin}
for b in hp-txgen hp-l2fwd hp-rxdrop; do
	[ -x "$BIN/$b" ] || { skip "" "$BIN/$b not built (make)"; exit 0; }
done
N=5000
dir=$(mktemp -d /tmp/hpt-apps.XXXXXX); on_exit rm -rf "$dir"

lab2 || { fail forward_two_ports "lab setup failed"; finish; }
NS_C=$(ns_create c) && veth_pair "$NS_B" b1 "$NS_C" c0 || { fail forward_two_ports "lab"; finish; }
MAC_C=$(ip -n "$NS_C" -br link show c0 | awk '{print $3}')

# 1. A -> B (l2fwd b0 <-> b1) -> C
ip netns exec "$NS_C" "$BIN/hp-rxdrop" afxdp:c0:0 --duration 8 --quiet >"$dir/rx" 2>&1 &
rx=$!
ip netns exec "$NS_B" "$BIN/hp-l2fwd" afxdp:b0:0 afxdp:b1:0 --duration 8 --quiet >"$dir/fwd" 2>&1 &
fwd=$!
on_exit "kill $rx $fwd"
sleep 1
ip netns exec "$NS_A" "$BIN/hp-txgen" afxdp:a0:0 --count $N --rate 10000 --size 128 \
	--dst-mac "$MAC_C" >"$dir/tx" 2>&1
wait $rx $fwd
sent=$(sed -n 's/^total tx \([0-9]*\) packets.*/\1/p' "$dir/tx")
got=$(sed -n 's/^total rx \([0-9]*\) packets.*/\1/p' "$dir/rx")
fwded=$(sed -n 's/^total forwarded \([0-9]*\) (\([0-9]*\) one way.*/\2/p' "$dir/fwd")
# a few IPv6 neighbour/router frames of the namespaces may ride along; nothing may be lost
if [ "${sent:-0}" = $N ] && [ "${got:-0}" -ge $N ] && [ "${got:-0}" -le $((N + 50)) ] &&
	[ "${fwded:-0}" -ge $N ]; then
	pass forward_two_ports
else
	fail forward_two_ports "sent ${sent:-?} forwarded ${fwded:-?} received ${got:-?} (want $N): $(tail -1 "$dir/rx")"
fi

# 2. reflect: hp-l2fwd on b0 alone swaps the MACs and sends every frame back to a0; hp-txgen
# runs with --no-steer (no program on a0), so the frames come up a0's stack, counted there.
rxpk() { ip -n "$NS_A" -s -j link show a0 | jq '.[0].stats64.rx.packets'; }
ip netns exec "$NS_B" "$BIN/hp-l2fwd" afxdp:b0:0 --duration 5 --poll --quiet >"$dir/fwd" 2>&1 &
fwd=$!
on_exit "kill $fwd"
sleep 1
r0=$(rxpk)
ip netns exec "$NS_A" "$BIN/hp-txgen" afxdp:a0:0 --no-steer --count $N --rate 10000 \
	--dst-mac "$MAC_B" >"$dir/tx" 2>&1
sleep 0.5
r1=$(rxpk)
wait $fwd
back=$((r1 - r0))
fwded=$(sed -n 's/^total forwarded \([0-9]*\).*/\1/p' "$dir/fwd")
if [ "$back" -ge $N ] && [ "$back" -le $((N + 50)) ] && [ "${fwded:-0}" -ge $N ]; then
	pass reflect_one_port
else
	fail reflect_one_port "sent $N, reflected ${fwded:-?}, back at a0 $back"
fi

# 3. --isolate (HP_PORT_F_ISOLATE): the port registers its polling thread in the isolate
# scheduler's registry (pinned in bpffs; this kernel has no sched_ext, the registry works
# without it) and removes it at close. nsenter, not `ip netns exec`: the registry must be the
# host's bpffs, which `ip netns exec` hides behind a private /sys.
isol() { "$XDPCTL" sched status --json | jq -c '[.isolated[].tid]'; }
if [ ! -x "$XDPCTL" ]; then
	skip isolate "xdpctl not built"
else
	nsenter --net="/run/netns/$NS_C" "$BIN/hp-rxdrop" afxdp:c0:0 --isolate --duration 20 \
		--quiet >"$dir/rxi" 2>&1 &
	rxi=$!
	on_exit "kill $rxi"
	reg=''
	for _ in $(seq 50); do	# <= 5 s: the port registers at its first rx_burst
		reg=$(isol)
		jq -e --argjson t "$rxi" 'index($t) != null' <<<"$reg" >/dev/null && break
		sleep 0.1
	done
	if jq -e --argjson t "$rxi" 'index($t) != null' <<<"$reg" >/dev/null; then
		pass isolate_registered
	else
		fail isolate_registered "tid $rxi not in the registry $reg: $(tail -2 "$dir/rxi")"
	fi
	kill -INT $rxi; wait $rxi
	reg=$(isol)
	if jq -e --argjson t "$rxi" 'index($t) == null' <<<"$reg" >/dev/null; then
		pass isolate_released
	else
		fail isolate_released "tid $rxi still registered after close: $reg"
	fi
fi
finish
