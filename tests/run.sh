#!/usr/bin/env bash
# Run the test tiers this machine allows and print one summary line:
#   N passed, N failed, N skipped
# Every tier prints one line per test: "PASS name", "FAIL name: why" or "SKIP name: why".
# A tier that exits non-zero without printing a FAIL line counts as one failure.
# Usage: tests/run.sh [unit] [net] [fuzz] [vm]      (default: all of them)
set -uo pipefail
cd "$(dirname "$0")/.."
export O=${O:-build}
tiers=("$@")
[ ${#tiers[@]} -eq 0 ] && tiers=(unit net fuzz vm)
log=$(mktemp -d /tmp/hp-test.XXXXXX)
pass=0 fail=0 skip=0

run_tier() {
	local t=$1 out=$log/$1.log rc
	echo "== tier $t"
	case $t in
	unit) cmd=("$O/tests/hp_unit") ;;
	*) cmd=(bash "tests/$t/run.sh") ;;
	esac
	if [ "$t" != unit ] && [ ! -f "tests/$t/run.sh" ]; then
		echo "SKIP $t: no tests/$t/run.sh in this tree"
		skip=$((skip + 1))
		return
	fi
	"${cmd[@]}" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	local p f s
	p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out"); s=$(grep -c '^SKIP ' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $t: tier runner exited $rc without reporting a failure"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

for t in "${tiers[@]}"; do
	run_tier "$t"
done
rm -rf "$log"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
