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
srcs=(user/steer/rule.c user/steer/parse.c user/steer/ref.c user/util/parse.c)

hexfile() {	# hexfile FILE HEX...: write the bytes
	local f=$1; shift
	printf "$(echo "$*" | tr -d ' ' | sed 's/../\\x&/g')" > "$f"
}

seed() {	# seed corpus, written at run time
	local c=$D/corpus-$1
	mkdir -p "$c"
	case $1 in
	rule)
		printf -- '--proto\ntcp\n--dport\n80\n--action\ndrop' > "$c/s1"
		printf -- '--src\n10.0.0.0/8\n--dst\n10.1.2.3\n--sport\n1-1024\n--action\nxsk:3' \
			> "$c/s2"
		printf -- '--src\n2001:db8::/32\n--family\nipv6\n--vlan\n100\n--queue\n2\n' \
			> "$c/s3"
		printf -- '--action\ntx\n--prio\n7' >> "$c/s3"
		printf -- '--proto=udp\n--dport=5000-5010\n--action=redirect:lo' > "$c/s4"
		;;
	packet)
		local eth="020202020202 0a0b0c0d0e0f"
		# Ethernet + IPv4 + UDP
		hexfile "$c/s1" $eth 0800 4500001c 00000000 40110000 0a000001 0a000002 \
			04d20035 00080000
		# 802.1ad + 802.1Q + IPv6 + hop-by-hop + fragment + TCP
		hexfile "$c/s2" $eth 88a80001 81000002 86dd 60000000 00240040 \
			20010db8000000000000000000000001 20010db8000000000000000000000002 \
			2c000104 00000000 06000001 00000001 \
			005001bb 00000000 00000000 50020000 00000000
		;;
	esac
}

rc=0
for t in "${targets[@]}"; do
	bin=$D/fuzz_$t
	deps=(tests/fuzz/fuzz_$t.c "${srcs[@]}" user/steer/*.h bpf/include/hp_steer.h
	      user/include/hybridpath/steer.h)
	if [ ! -x "$bin" ] || [ -n "$(find "${deps[@]}" -newer "$bin" 2>/dev/null)" ]; then
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
		echo "FAIL fuzz/$t: libFuzzer exited $r after ${runs:-?} inputs;" \
		     "input ${crash:-?}, log $log"
		rc=1
	fi
done
exit $rc
