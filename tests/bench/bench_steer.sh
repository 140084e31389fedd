#!/usr/bin/env bash
# Cost per frame of the steering program hp_steer under BPF_PROG_RUN with 10, 1,000 and 100,000
# deployment-shaped rules, as ratios against the bare XDP_DROP program measured in the same run
# (tests/bench/steer_bench.c). Targets: 1,000 rules <= 1.3x bare; 100,000 rules <= 1.2x 10 rules.
# What the ratios mean: under BPF_PROG_RUN the bare program's time is the kernel's run loop
# alone (~10 ns), while any classifier pays at least one hash lookup of a 56-byte key per rule
# shape, so "x bare" measures the classifier against nothing; bench_steer_traffic.sh measures
# the same programs on real frames through a veth, where the driver and stack costs are included.
set -uo pipefail
cd "$(dirname "$0")/../.."
O=${O:-build}
BIN=$O/tests/steer_bench
out=${HP_BENCH_OUT:-$O/bench}
say() { echo "bench steer: $*"; }
[ "$(id -u)" = 0 ] || { say "skipped: needs root (BPF_PROG_RUN)"; exit 0; }
[ -x "$BIN" ] || { say "skipped: $BIN not built (make)"; exit 0; }
mkdir -p "$out"
"$BIN" "${HP_BENCH_STEER_REPEAT:-1000000}" "${HP_BENCH_ROUNDS:-7}" | tee "$out/steer.txt"
exit "${PIPESTATUS[0]}"
