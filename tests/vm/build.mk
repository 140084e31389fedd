# tests/vm/: the QEMU guest harness (kernel, initramfs, runner). `make vmtest` runs only the guest
# tests (VM_ONLY='test_sched_*' selects scripts); `make vmshell` boots the guest interactively.
vmtest: all
	$(Q)O=$(O) bash tests/run.sh vm
vmshell: all
	$(Q)O=$(O) bash tests/vm/boot.sh --mode shell
# Scheduler workloads for the guest tests and bench_sched.sh.
TEST_BINS += hp_sched_stress
hp_sched_stress_SRCS := tests/vm/hp_sched_stress.c
