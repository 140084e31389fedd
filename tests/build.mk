# tests/: the unit runner plus every tests/unit/*.c (tests are found by the build).
UNIT_SRCS += $(sort $(wildcard tests/unit/*.c))
