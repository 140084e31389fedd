# tests/: the unit runner plus every tests/unit/*.c (tests are found by the build).
UNIT_SRCS += $(sort $(wildcard tests/unit/*.c))
# The guest harness lives one level down (the top Makefile only includes */build.mk).
include tests/vm/build.mk
include tests/net/afxdp.mk
include tests/bench/steer.mk
