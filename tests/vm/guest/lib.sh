# Helpers for guest tests (tests/vm/guest/test_*.sh, run by /init inside the QEMU guest with
# bash). Same result protocol as every tier: "PASS name", "FAIL name: why", "SKIP name: why".
# HP_TEST is set by /init (vm/<script name without test_>). The guest has busybox, bash, jq, the
# project's build output under $O (/hp/build) and the repo's scripts under $HP_ROOT (/hp).
set -uo pipefail
HP_ROOT=${HP_ROOT:-/hp}
O=${O:-$HP_ROOT/build}
XDPCTL=${XDPCTL:-$O/bin/xdpctl}
# $O/vm/extra holds programs a harness step or a developer dropped in (see tests/vm/README.md)
[ -x "$XDPCTL" ] || [ ! -x "$O/vm/extra/xdpctl" ] || XDPCTL=$O/vm/extra/xdpctl
HP_TEST=${HP_TEST:-vm/$(basename "$0" .sh | sed 's/^test_//')}
_hp_failed=0
_hp_cleanups=()

pass() { echo "PASS $HP_TEST${1:+/$1}"; }
fail() { echo "FAIL $HP_TEST${1:+/$1}: ${2:-failed}"; _hp_failed=1; }
skip() { echo "SKIP $HP_TEST${1:+/$1}: ${2:-skipped}"; }
# check NAME CMD...: PASS if the command succeeds, FAIL with the end of its output otherwise
check() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"; fi
}
# Run at exit (last registered first), also when the test fails half way.
on_exit() { _hp_cleanups=("$*" "${_hp_cleanups[@]}"); }
_hp_exit() { local c; for c in "${_hp_cleanups[@]}"; do eval "$c" >/dev/null 2>&1; done; }
trap _hp_exit EXIT
# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds; 1 on timeout
wait_for() {
	local end=$(( $(date +%s) + $1 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge $end ] && return 1
		sleep 0.2
	done
}
finish() { exit $_hp_failed; }
