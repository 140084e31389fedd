#!/usr/bin/env bash
# xdpctl cc on bad input: each case must fail with a message naming the cause, and leave nothing
# registered or pinned. Also: unloading a policy that a socket uses, or that a namespace has as
# default, is refused (with the counts) until that is over; a failed --default keeps the
# previous default and unloads; --default --unrestricted works in a child namespace.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cc_lib.sh"
cc_prereq
d=$(mktemp -d /tmp/hp-cc.XXXXXX); on_exit "rm -rf '$d'"
PIN=/sys/fs/bpf/hybridpath/cc

# expect_fail NAME PATTERN CMD...: CMD must exit non-zero and print PATTERN (grep -E) on stderr
expect_fail() {
	local name=$1 pat=$2 out; shift 2
	if out=$("$@" 2>&1 >/dev/null); then
		fail "$name" "succeeded: $*"
	elif ! grep -Eq "$pat" <<<"$out"; then
		fail "$name" "message does not match /$pat/: $(echo "$out" | tr '\n' ' ')"
	else
		pass "$name"
	fi
}
nothing_left() {
	if cc_available "$1" || [ -e "$PIN/$1" ] || [ -e "$PIN-stats/$1" ]; then
		fail "$2" "$1 is still registered or pinned"
	else
		pass "$2"
	fi
}

cc_load hp_cubic >"$d/load" 2>&1 || { fail load "$(cat "$d/load")"; finish; }
expect_fail load-same-name-twice "'hp_cubic' is already registered" "$XDPCTL" cc load hp_cubic
expect_fail load-kernel-name "'cubic' is already registered .*not by hybridpath" \
	"$XDPCTL" cc load hp_vegas --name cubic
nothing_left hp_vegas load-kernel-name/nothing-left
expect_fail name-too-long "bad name" "$XDPCTL" cc load hp_vegas --name hp_vegas_is_too_long
expect_fail unknown-builtin "unknown policy 'hp_nosuch'.*hp_cubic" "$XDPCTL" cc load hp_nosuch
expect_fail missing-file "cannot read .*No such file" "$XDPCTL" cc load "$d/none.bpf.o"
head -c 4096 /dev/urandom >"$d/garbage.bpf.o"
expect_fail malformed-object "not a valid BPF object" "$XDPCTL" cc load "$d/garbage.bpf.o"
expect_fail not-bpf-elf "not a valid BPF object" "$XDPCTL" cc load "$(type -P true)"
expect_fail struct-ops-mismatch "does not match the running kernel.*hp_future_hook" \
	"$XDPCTL" cc load "$O/bpf/cc_badops.bpf.o"
nothing_left hp_badops struct-ops-mismatch/nothing-left
NS0=$(ns_create exec) || { fail lab "netns"; finish; }
expect_fail ip-netns-exec-private-bpffs "use .xdpctl -n NETNS. instead of .ip netns exec" \
	ip netns exec "$NS0" "$XDPCTL" cc load hp_vegas
nothing_left hp_vegas ip-netns-exec-private-bpffs/nothing-left
# A third-party style object (SEC(".struct_ops"), no counters map) loads, pins, unloads.
if cc_load_as hp_nolink "$O/bpf/cc_nolink.bpf.o" >"$d/load" 2>&1 && cc_available hp_nolink &&
   [ -e "$PIN/hp_nolink" ] && [ ! -e "$PIN-stats/hp_nolink" ] &&
   "$XDPCTL" cc unload hp_nolink >>"$d/load" 2>&1; then
	nothing_left hp_nolink object-without-link-section
else
	fail object-without-link-section "$(cat "$d/load" | tr '\n' ' ')"
fi
expect_fail unload-kernel-cc "cubic was not loaded by hybridpath" "$XDPCTL" cc unload cubic
expect_fail unload-unknown "not registered at all" "$XDPCTL" cc unload hp_nosuch

# In use: a listening socket with TCP_CONGESTION=hp_cubic holds the policy.
NS=$(ns_create use) || { fail lab "netns"; finish; }
ip netns exec "$NS" "$XFER" hold -a 127.0.0.1 -p 5999 -c hp_cubic -t 60 >"$d/hold" 2>&1 &
hpid=$!
for _ in $(seq 50); do grep -q listening "$d/hold" && break; sleep 0.1; done
expect_fail unload-in-use "hp_cubic is in use: 1 TCP socket" "$XDPCTL" cc unload hp_cubic
if cc_available hp_cubic; then pass unload-in-use/still-registered
else fail unload-in-use/still-registered "hp_cubic vanished"; fi
kill $hpid; wait $hpid 2>/dev/null
if out=$("$XDPCTL" cc unload hp_cubic 2>&1); then pass unload-after-socket-closed
else fail unload-after-socket-closed "$out"; fi
nothing_left hp_cubic unload-after-socket-closed/gone

# --default where the kernel refuses it: a namespace other than init_net may only default to an
# unrestricted congestion control; ours are restricted like the kernel's cubic.
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_congestion_control=reno
on_exit "'$XDPCTL' cc unload --force hp_vegas"
expect_fail default-refused-rolls-back "cannot make hp_vegas the default.*reno stays" \
	"$XDPCTL" -n "$NS" cc load hp_vegas --default
now=$(ip netns exec "$NS" sysctl -n net.ipv4.tcp_congestion_control)
if [ "$now" = reno ]; then pass default-refused-rolls-back/previous-default-kept
else fail default-refused-rolls-back/previous-default-kept "default is now $now"; fi
nothing_left hp_vegas default-refused-rolls-back/unloaded

# --default that works: marked unrestricted, a child namespace may default to it; new sockets
# there use it without TCP_CONGESTION; it cannot be unloaded while it is that default.
if out=$("$XDPCTL" -n "$NS" cc load hp_vegas --default --unrestricted 2>&1) &&
   [ "$(ip netns exec "$NS" sysctl -n net.ipv4.tcp_congestion_control)" = hp_vegas ]; then
	pass default-unrestricted
else
	fail default-unrestricted "$out; default $(ip netns exec "$NS" sysctl -n net.ipv4.tcp_congestion_control)"
fi
: >"$d/hold"
ip netns exec "$NS" "$XFER" hold -a 127.0.0.1 -p 5998 -t 60 >"$d/hold" 2>&1 &
hpid=$!
for _ in $(seq 50); do grep -q listening "$d/hold" && break; sleep 0.1; done
n=$("$XDPCTL" -n "$NS" cc list --json |
	jq -r '.[] | select(.name == "hp_vegas") | "\(.default) \(.sockets) \(.allowed)"')
if [ "$n" = "true 1 true" ]; then pass default-unrestricted/new-socket-uses-it
else fail default-unrestricted/new-socket-uses-it "cc list in $NS: default,sockets,allowed = $n"; fi
kill $hpid; wait $hpid 2>/dev/null
expect_fail unload-while-default "1 namespace\(s\) have it as default" "$XDPCTL" cc unload hp_vegas
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_congestion_control=reno
if out=$("$XDPCTL" cc unload hp_vegas 2>&1); then pass unload-after-default-changed
else fail unload-after-default-changed "$out"; fi
nothing_left hp_vegas unload-after-default-changed/gone
finish
