# Helpers for the cc tests (tests/net/test_cc_*.sh) and tests/bench/bench_cc.sh. Source after
# tests/net/lib.sh. Registering a congestion control is global to the kernel, so every cc test
# holds one lock while it runs: two `make test` runs at once do not fight over the names.
XFER=$O/tests/hp_cc_xfer
IMPAIR=$O/tests/hp_cc_impair
CC_LOCK=/run/lock/hybridpath-cc.lock

cc_prereq() {
	need_root
	need_cmd jq
	need_cmd ethtool
	local b
	for b in "$XDPCTL" "$XFER" "$IMPAIR"; do
		[ -x "$b" ] || { skip "" "$b is not built (make)"; exit 0; }
	done
	exec 9>"$CC_LOCK"
	flock -w 280 9 || { fail "" "another cc test or bench held $CC_LOCK for 280 s"; exit 1; }
}

cc_available() { tr ' ' '\n' </proc/sys/net/ipv4/tcp_available_congestion_control | grep -qx "$1"; }

# cc_load NAME [args]: load with xdpctl (unloading a stale one of ours first), unload at exit.
# Call it in the test's shell, not in $(...): the exit hook would be registered in a subshell.
cc_load() { cc_load_as "$1" "$@"; }
# cc_load_as NAME WHAT [args]: the same for a policy registered as NAME from WHAT (a file)
cc_load_as() {
	local n=$1; shift
	[ -e "/sys/fs/bpf/hybridpath/cc/$n" ] && "$XDPCTL" cc unload --force "$n" >/dev/null 2>&1
	on_exit "'$XDPCTL' cc unload --force '$n'"
	"$XDPCTL" cc load "$@"
}

# cc_counter NAME FIELD: one counter of a loaded hp_ policy
cc_counter() {
	"$XDPCTL" cc list --json | jq -r --arg n "$1" --arg f "$2" \
		'.[] | select(.name == $n) | .counters[$f] // "none"'
}

# cc_lab: two namespaces joined by a veth (lab2) prepared for per-packet loss: the sender (A)
# builds one skb per MSS (gso_max_segs 1) and the receiver (B) does not merge them (GRO off),
# so tc_loss at B's ingress decides per wire packet.
cc_lab() {
	lab2 || return 1
	ip -n "$NS_A" link set a0 gso_max_segs 1 || return 1
	ip netns exec "$NS_B" ethtool -K b0 gro off >/dev/null
}

# xfer OUTDIR TAG CC BYTES [impair args...]: a transfer A -> B with CC on both sockets and, when
# impair args are given, hp_cc_impair at B's ingress. Writes OUTDIR/TAG.{recv,send,trace,impair}.
# Returns non-zero when the transfer failed or the checksums differ. XFER_ADDR overrides the
# receiver's address (default 10.250.0.2; fd00:250::2 for IPv6), XFER_INTERVAL the sampling.
xfer() {
	local d=$1 tag=$2 cc=$3 bytes=$4 rcc=${RECV_CC-$3}; shift 4
	local port=$((5200 + RANDOM % 700)) rpid addr=${XFER_ADDR:-10.250.0.2}
	rm -f "$d/$tag.ready"
	if [ $# -gt 0 ]; then
		ip netns exec "$NS_B" "$IMPAIR" -d b0 --ingress "$@" -- \
			"$XFER" recv -a "$addr" -p $port ${rcc:+-c "$rcc"} -t 60 -R "$d/$tag.ready" \
			>"$d/$tag.recv" 2>"$d/$tag.impair" &
	else
		ip netns exec "$NS_B" "$XFER" recv -a "$addr" -p $port ${rcc:+-c "$rcc"} -t 60 \
			-R "$d/$tag.ready" >"$d/$tag.recv" 2>"$d/$tag.impair" &
	fi
	rpid=$!
	wait_file "$d/$tag.ready" || { kill $rpid 2>/dev/null; wait $rpid; return 1; }
	ip netns exec "$NS_A" "$XFER" send -a "$addr" -p $port -c "$cc" -n "$bytes" -s 7 \
		-i ${XFER_INTERVAL:-200} -o "$d/$tag.trace" -t 60 >"$d/$tag.send" 2>&1
	local rc=$?
	wait $rpid || rc=1
	[ $rc = 0 ] || return 1
	local s r
	s=$(grep -o 'sum=[0-9a-f]*' "$d/$tag.send"); r=$(grep -o 'sum=[0-9a-f]*' "$d/$tag.recv")
	local sb rb
	sb=$(grep -o 'bytes=[0-9]*' "$d/$tag.send"); rb=$(grep -o 'bytes=[0-9]*' "$d/$tag.recv")
	[ -n "$s" ] && [ "$s" = "$r" ] && [ "$sb" = "bytes=$bytes" ] && [ "$rb" = "$sb" ]
}

# wait_file FILE: up to 10 s for the receiver to say it listens
wait_file() {
	local i
	for i in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done
	return 1
}

# field FILE KEY: value of KEY=... in a result line
field() { grep -o "$2=[^ ]*" "$1" | head -1 | cut -d= -f2; }
