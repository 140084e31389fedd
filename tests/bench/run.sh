#!/usr/bin/env bash
# make bench: runs every tests/bench/bench_*.sh (or those named: BENCHES="steer afxdp").
# Benchmarks print ratios against a baseline measured in the same run; they are not tests
# and never fail the build on a missed target: they print "target met" or "TARGET MISSED".
cd "$(dirname "$0")"
export O=${O:-build}
case $O in /*) ;; *) export O=$(cd ../.. && pwd)/$O ;; esac
export HP_BENCH_OUT=${HP_BENCH_OUT:-$O/bench}
mkdir -p "$HP_BENCH_OUT"
sel=(${BENCHES:-})
rc=0
for b in bench_*.sh; do
	[ -e "$b" ] || continue
	n=$(basename "$b" .sh); n=${n#bench_}
	if [ ${#sel[@]} -gt 0 ] && [[ ! " ${sel[*]} " == *" $n "* ]]; then continue; fi
	echo "== bench $n"
	timeout -k 10 ${HP_BENCH_TIMEOUT:-900} bash "$b" || { echo "bench $n: exited $?"; rc=1; }
done
echo "results and plots: $HP_BENCH_OUT"
exit $rc
