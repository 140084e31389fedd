#!/usr/bin/env bash
# Fuzz tier: build the libFuzzer targets into $O/fuzz/ and run each for HP_FUZZ_SECONDS (30).
# One line per target: PASS fuzz/NAME, FAIL fuzz/NAME: why, SKIP fuzz/NAME: why.
set -uo pipefail
cd "$(dirname "$0")/../.."
O=${O:-build}
SECS=${HP_FUZZ_SECONDS:-30}
CLANG=${CLANG:-clang-19}
D=$O/fuzz
mkdir -p "$D"
targets=(rule packet)

if ! command -v "$CLANG" >/dev/null; then
	for t in "${targets[@]}"; do echo "SKIP fuzz/$t: $CLANG not installed (make deps)"; done
	exit 0
fi
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-D_GNU_SOURCE -Iuser/include -Iuser -Ibpf/include)
srcs=(user/steer/rule.c user/steer/parse.c user/steer/ref.c)

seed() {	# seed corpus, written at run time
	local c=$D/corpus-$1
	mkdir -p "$c"
	case $1 in
	rule)
		printf -- '--proto\ntcp\n--dport\n80\n--action\ndrop' > "$c/s1"
		printf -- '--src\n10.0.0.0/8\n--dst\n10.1.2.3\n--sport\n1-1024\n--action\nxsk:3\n--prio\n7' > "$c/s2"
		printf -- '--src\n2001:db8::/32\n--family\nipv6\n--vlan\n100\n--queue\n2\n--action\ntx' > "$c/s3"
		printf -- '--proto=udp\n--dport=5000-5010\n--action=redirect:lo' > "$c/s4"
		;;
	packet)
		# Ethernet + IPv4 + UDP
		printf '\x02\x02\x02\x02\x02\x02\x0a\x0b\x0c\x0d\x0e\x0f\x08\x00\x45\x00\x00\x1c\x00\x00\x00\x00\x40\x11\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02\x04\xd2\x00\x35\x00\x08\x00\x00' > "$c/s1"
		# 802.1ad + 802.1Q + IPv6 + hop-by-hop + fragment + TCP
		{ printf '\x02\x02\x02\x02\x02\x02\x0a\x0b\x0c\x0d\x0e\x0f\x88\xa8\x00\x01\x81\x00\x00\x02\x86\xdd'
		  printf '\x60\x00\x00\x00\x00\x24\x00\x40'; printf '\x20\x01\x0d\xb8%.0s' 1 2 3 4
		  printf '\x20\x01\x0d\xb8%.0s' 1 2 3 4
		  printf '\x2c\x00\x01\x04\x00\x00\x00\x00'; printf '\x06\x00\x00\x01\x00\x00\x00\x01'
		  printf '\x00\x50\x01\xbb\x00\x00\x00\x00\x00\x00\x00\x00\x50\x02\x00\x00\x00\x00\x00\x00'; } > "$c/s2"
		;;
	esac
}

rc=0
for t in "${targets[@]}"; do
	bin=$D/fuzz_$t
	if [ ! -x "$bin" ] || [ -n "$(find tests/fuzz/fuzz_$t.c "${srcs[@]}" user/steer/*.h \
			bpf/include/hp_steer.h user/include/hybridpath/steer.h -newer "$bin" 2>/dev/null)" ]; then
		if ! "$CLANG" "${CFLAGS[@]}" -o "$bin" "tests/fuzz/fuzz_$t.c" "${srcs[@]}" \
				>"$D/build_$t.log" 2>&1; then
			echo "FAIL fuzz/$t: build failed, see $D/build_$t.log"
			rc=1
			continue
		fi
	fi
	seed "$t"
	log=$D/fuzz_$t.log
	rm -f "$D"/crash-"$t"-* 2>/dev/null
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$D/crash-$t-" "$D/corpus-$t" >"$log" 2>&1
	r=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$r" = 0 ]; then
		echo "PASS fuzz/$t (${runs:-?} inputs in ${SECS}s)"
	else
		crash=$(ls "$D"/crash-"$t"-* 2>/dev/null | head -1)
		echo "FAIL fuzz/$t: libFuzzer exited $r after ${runs:-?} inputs; input ${crash:-?}, log $log"
		rc=1
	fi
done
exit $rc
