# Shared helpers for network tests. Source it from tests/net/test_*.sh (bash).
# Every test builds its own lab: network namespaces named hpt-$$-*, veth pairs inside them,
# addresses from 10.250.0.0/16 and fd00:hp::/64 *inside those namespaces only*. An EXIT trap
# removes them even when the test fails. Traffic never leaves the namespaces.
set -uo pipefail
HP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
O=${O:-build}
case $O in /*) ;; *) O=$HP_ROOT/$O ;; esac
XDPCTL=${XDPCTL:-$O/bin/xdpctl}
HP_NS_PREFIX=${HP_NS_PREFIX:-hpt-$$}	# tests/net/run.sh gives each test its own
HP_TEST=${HP_TEST:-net/$(basename "$0" .sh | sed 's/^test_//')}
_hp_cleanups=()
_hp_failed=0

# Results: one line each, counted by tests/run.sh.
pass() { echo "PASS $HP_TEST${1:+/$1}"; }
fail() { echo "FAIL $HP_TEST${1:+/$1}: ${2:-failed}"; _hp_failed=1; }
skip() { echo "SKIP $HP_TEST${1:+/$1}: ${2:-skipped}"; }
# check NAME CMD...: PASS if the command succeeds, FAIL with its output otherwise
check() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"; fi
}

# Run at exit, last registered first.
on_exit() { _hp_cleanups=("$*" "${_hp_cleanups[@]}"); }
_hp_exit() {
	local c
	for c in "${_hp_cleanups[@]}"; do eval "$c" >/dev/null 2>&1; done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$HP_NS_PREFIX-"); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap _hp_exit EXIT
trap 'exit 130' INT TERM

# ns NAME: create namespace $HP_NS_PREFIX-NAME with lo up; prints the full name.
ns_create() {
	local n=$HP_NS_PREFIX-$1
	ip netns add "$n" || return 1
	ip -n "$n" link set lo up
	echo "$n"
}

# veth_pair NS_A IF_A NS_B IF_B [extra args to "ip link add", e.g. "numrxqueues 4 numtxqueues 4"]
veth_pair() {
	local na=$1 ia=$2 nb=$3 ib=$4; shift 4
	ip link add "hpv$$a" "$@" type veth peer name "hpv$$b" "$@" || return 1
	ip link set "hpv$$a" netns "$na" name "$ia" && ip link set "hpv$$b" netns "$nb" name "$ib" &&
		ip -n "$na" link set "$ia" up && ip -n "$nb" link set "$ib" up
}

# lab2 [veth args]: namespaces A and B joined by veth a0 <-> b0, 10.250.0.1/24 and .2, and
# fd00:250::1/64, ::2. Sets NS_A, NS_B, MAC_A, MAC_B.
lab2() {
	NS_A=$(ns_create a) && NS_B=$(ns_create b) || return 1
	veth_pair "$NS_A" a0 "$NS_B" b0 "$@" || return 1
	ip -n "$NS_A" addr add 10.250.0.1/24 dev a0
	ip -n "$NS_B" addr add 10.250.0.2/24 dev b0
	ip -n "$NS_A" addr add fd00:250::1/64 dev a0 nodad
	ip -n "$NS_B" addr add fd00:250::2/64 dev b0 nodad
	MAC_A=$(ip -n "$NS_A" -br link show a0 | awk '{print $3}')
	MAC_B=$(ip -n "$NS_B" -br link show b0 | awk '{print $3}')
	# veth delivers XDP_TX/redirected frames only to an end that runs NAPI: one with an
	# XDP program or with GRO on (kernel >= 5.13). Turn GRO on at both ends.
	ip netns exec "$NS_A" ethtool -K a0 gro on >/dev/null 2>&1
	ip netns exec "$NS_B" ethtool -K b0 gro on >/dev/null 2>&1
	return 0
}

need_root() { [ "$(id -u)" = 0 ] || { skip "" "needs root (CAP_NET_ADMIN, CAP_BPF)"; exit 0; }; }
need_cmd() { command -v "$1" >/dev/null || { skip "" "$1 not installed (make deps)"; exit 0; }; }

# json_get JSON JQ_FILTER: read a field of our --json output
json_get() { jq -r "$2" <<<"$1"; }

finish() { exit $_hp_failed; }
