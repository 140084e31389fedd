#!/usr/bin/env bash
# Coexistence with a program loaded by xdp-loader (xdp-tools). With libxdp's dispatcher both
# programs share the interface; without it (the dispatcher does not load on every kernel) the
# sharing subtest is skipped with the reason xdpctl gives, and what must still hold is tested:
# neither tool replaces or breaks the other's program, and a refused attach leaves nothing.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
need_cmd xdp-loader
[ -x "$XDPCTL" ] || { skip "" "$XDPCTL not built (make)"; exit 0; }
OBJ=
for d in ${LIBXDP_OBJECT_PATH:-} /usr/lib/x86_64-linux-gnu/bpf /usr/lib/bpf /usr/local/lib/bpf; do
	[ -r "$d/xdpfilt_alw_all.o" ] && OBJ=$d/xdpfilt_alw_all.o && break
done
[ -n "$OBJ" ] ||
	{ skip "" "xdp-tools' xdpfilt_alw_all.o not found (apt-get install xdp-tools)"; exit 0; }
lab2 || { fail setup "cannot create the netns lab"; finish; }
on_exit "$XDPCTL -n $NS_B detach b0; ip netns exec $NS_B xdp-loader unload b0 --all"

xdp_prog() { ip -n "$NS_B" -j link show dev b0 | jq -r '.[0].xdp.prog.id // empty'; }
# xdp-loader runs under `ip netns exec` (private /sys): give it a bpffs of its own there
xl() {
	ip netns exec "$NS_B" sh -c 'mount -t bpf bpf /sys/fs/bpf 2>/dev/null; xdp-loader "$@"' \
		xl "$@"
}

# 1. xdp-loader first, then xdpctl
out=$(xl load b0 "$OBJ" 2>&1) || { fail xdp-loader-load "$out"; finish; }
other=$(xdp_prog)
out=$($XDPCTL -n "$NS_B" attach b0 2>&1); rc=$?
if [ $rc = 0 ]; then
	st=$($XDPCTL -n "$NS_B" status b0 --json)
	if [ "$(json_get "$st" '.interfaces[0].attach')" = dispatcher ] &&
	   xl status b0 2>&1 | grep -q xdpfilt_alw_all && xl status b0 2>&1 | grep -q hp_steer; then
		pass share-dispatcher
	else
		fail share-dispatcher "not both there: $(xl status b0 2>&1 | tr '\n' ' ')"
	fi
	$XDPCTL -n "$NS_B" detach b0 >/dev/null 2>&1
	xl status b0 2>&1 | grep -q xdpfilt_alw_all && pass detach-keeps-other ||
		fail detach-keeps-other "xdp-loader's program went away with ours"
else
	# the reason: xdp-loader itself fell back to a single netlink program (no dispatcher)
	why=$($XDPCTL -n "$NS_B" attach b0 --mode native 2>&1 | grep -m1 'dispatcher unavailable' |
		sed 's/^xdpctl: //')
	[ -n "$why" ] || why=$(echo "$out" | tail -1)
	skip share-dispatcher "libxdp's dispatcher does not load on this kernel ($(uname -r)): $why"
	# the refusal: exit 1, names the other program and the fix, leaves it in place
	att=$(json_get "$($XDPCTL -n "$NS_B" status b0 --json)" '.interfaces[0].attached')
	if [ $rc = 1 ] && grep -q "xdp-loader unload b0" <<<"$out" &&
	   [ "$(xdp_prog)" = "$other" ] && [ "$att" = false ]; then
		pass refused-cleanly
	else
		fail refused-cleanly "rc=$rc prog '$(xdp_prog)' (was $other): $out"
	fi
fi
xl unload b0 --all >/dev/null 2>&1
[ -z "$(xdp_prog)" ] || { fail setup "cannot unload xdp-loader's program"; finish; }

# 2. xdpctl first, then xdp-loader: ours must survive whatever xdp-loader does
$XDPCTL -n "$NS_B" attach b0 >/dev/null 2>&1 ||
	{ fail attach "$($XDPCTL -n "$NS_B" attach b0 2>&1)"; finish; }
st=$($XDPCTL -n "$NS_B" status b0 --json)
mine=$(json_get "$st" '.interfaces[0].prog_id')
out=$(xl load b0 "$OBJ" 2>&1); rc=$?
st=$($XDPCTL -n "$NS_B" status b0 --json)
if [ "$(json_get "$st" '.interfaces[0].attach')" = dispatcher ]; then
	[ $rc = 0 ] && [ "$(json_get "$st" '.interfaces[0].prog_id')" = "$mine" ] &&
		pass second-loader-shares || fail second-loader-shares "rc=$rc: $out"
elif [ $rc != 0 ] && [ "$(xdp_prog)" = "$mine" ] &&
     [ "$(json_get "$st" '.interfaces[0].attached')" = true ]; then
	pass link-protects   # a bpf_link cannot be replaced by a netlink attach
else
	fail link-protects "xdp-loader rc=$rc, kernel prog '$(xdp_prog)', ours $mine: $out"
fi
finish
