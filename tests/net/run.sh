#!/usr/bin/env bash
# Net tier: runs every tests/net/test_*.sh, each bounded by a timeout, and checks that it left
# no namespace behind.
cd "$(dirname "$0")"
rc=0 i=0
for t in test_*.sh; do
	[ -e "$t" ] || continue
	name=net/$(basename "$t" .sh | sed 's/^test_//')
	# each test gets its own namespace prefix, so only its own leftovers are judged (and
	# removed), never those of a test another run of this tier has going at the same time
	i=$((i + 1))
	export HP_NS_PREFIX=hpt-$$-$i
	timeout -k 10 ${HP_NET_TIMEOUT:-300} bash "$t"
	r=$?
	if [ $r = 124 ] || [ $r = 137 ]; then echo "FAIL $name: timed out"; rc=1
	elif [ $r != 0 ]; then rc=1; fi
	left=$(ip netns list 2>/dev/null | grep -c "^$HP_NS_PREFIX-")
	if [ "$left" != 0 ]; then
		echo "FAIL $name: left $left network namespace(s) behind"
		ip netns list | awk -v p="^$HP_NS_PREFIX-" '$1 ~ p {print $1}' | xargs -r -n1 ip netns del
		rc=1
	fi
done
exit $rc
