#!/usr/bin/env bash
# Each BPF congestion control: load with xdpctl (the link stays pinned after xdpctl exits),
# check it is listed, move 64 MB between two namespaces with it set on both sockets
# (TCP_CONGESTION), compare checksums end to end, prove its callbacks ran (counters in the BPF
# object), unload, and check it is gone from net.ipv4.tcp_available_congestion_control.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cc_lib.sh"
cc_prereq
d=$(mktemp -d /tmp/hp-cc.XXXXXX); on_exit "rm -rf '$d'"
cc_lab || { fail lab "cannot build the namespace lab"; finish; }

for p in hp_cubic hp_dctcp hp_vegas; do
	if ! cc_load "$p" >"$d/load" 2>&1; then
		out=$(cat "$d/load")
		fail "$p/load" "$out"; continue
	fi
	if cc_available "$p" && [ -e "/sys/fs/bpf/hybridpath/cc/$p" ]; then
		pass "$p/load"
	else
		fail "$p/load" "not in tcp_available_congestion_control or not pinned"
	fi
	if xfer "$d" "$p" "$p" 64000000; then
		got=$(field "$d/$p.send" cc)
		if [ "$got" = "$p" ]; then pass "$p/transfer-64MB-checksum"
		else fail "$p/transfer-64MB-checksum" "socket reported cc=$got"; fi
	else
		fail "$p/transfer-64MB-checksum" "$(cat "$d/$p.send" "$d/$p.recv" | tr '\n' ' ')"
	fi
	# Callbacks: init and release for both sockets, the per-ACK hook of each algorithm.
	init=$(cc_counter "$p" init); rel=$(cc_counter "$p" release)
	case $p in hp_dctcp) ack=in_ack_event ;; *) ack=pkts_acked ;; esac
	acks=$(cc_counter "$p" "$ack"); ca=$(cc_counter "$p" cong_avoid)
	if [ "$init" -ge 2 ] 2>/dev/null && [ "$rel" -ge 2 ] && [ "$acks" -gt 100 ] &&
	   [ "$ca" -gt 100 ]; then
		pass "$p/callbacks-ran"
	else
		fail "$p/callbacks-ran" "init=$init release=$rel $ack=$acks cong_avoid=$ca"
	fi
	if [ $p = hp_cubic ]; then
		# HyStart leaves slow start before the first loss (ACK train or delay increase).
		hs=$(( $(cc_counter $p hystart_train) + $(cc_counter $p hystart_delay) ))
		# (The trace usually shows it too, ssthresh set before any retransmission, but a
		# veth queue drop right after the exit can hide it between two samples.)
		early=$(awk '$5 == 0 && $3 < 2147483647 { n++ } END { print n + 0 }' "$d/$p.trace")
		echo "# $p: HyStart exits $hs, trace samples with ssthresh before any loss $early"
		if [ "$hs" -ge 1 ]; then pass "$p/hystart-exit"
		else fail "$p/hystart-exit" "neither HyStart test fired during 64 MB"; fi
	fi
	if out=$("$XDPCTL" cc unload "$p" 2>&1) && ! cc_available "$p" &&
	   [ ! -e "/sys/fs/bpf/hybridpath/cc/$p" ]; then
		pass "$p/unload-gone"
	else
		fail "$p/unload-gone" \
			"$out; available: $(cat /proc/sys/net/ipv4/tcp_available_congestion_control)"
	fi
done

# Loading from a file under another name: the same object can be registered twice.
f=hp_cubic_file
if cc_load_as $f "$O/bpf/hp_cubic.bpf.o" --name $f >"$d/load" 2>&1 && cc_available $f &&
   xfer "$d" file $f 8000000 && [ "$(cc_counter $f init)" -ge 2 ] 2>/dev/null; then
	pass "load-from-file-renamed"
else
	fail "load-from-file-renamed" "$(cat "$d/load" "$d/file.send" 2>/dev/null | tr '\n' ' ')"
fi
"$XDPCTL" cc unload $f >/dev/null 2>&1
finish
