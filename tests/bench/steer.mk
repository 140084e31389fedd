# tests/bench/steer_bench: BPF_PROG_RUN cost of hp_steer vs bare XDP_DROP (bench_steer.sh).
TEST_BINS += steer_bench
steer_bench_SRCS := tests/bench/steer_bench.c
