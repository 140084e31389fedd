#!/usr/bin/env bash
# AF_XDP with the steering program: `xdpctl attach b0`, rules "udp dport 5001 -> xsk:0" and
# "udp dport 5002 -> xsk:1"; ports afxdp:b0:0 and afxdp:b0:1 go into its xsks map. Two streams
# on two queues each reach only their socket, intact and in order; unmatched UDP passes.
source "$(dirname "$0")/lib.sh"
need_root
T=$O/tests/afxdp_test
[ -x "$T" ] || { skip "" "$T not built (make)"; exit 0; }
if [ ! -x "$XDPCTL" ]; then
	skip rule_to_two_queues "xdpctl is not built yet (needs bpf/steer.bpf.c and user/xdpctl in the build)"
	exit 0
fi
h=$("$XDPCTL" rule add -h 2>&1)
if ! grep -q 'xsk' <<<"$h"; then
	skip rule_to_two_queues "xdpctl rule add has no --action xsk:QUEUE here: $(head -1 <<<"$h")"
	exit 0
fi
lab2 numrxqueues 4 numtxqueues 4 || { fail rule_to_two_queues "lab setup failed"; finish; }
X=("$XDPCTL" -n "$NS_B")
on_exit "${X[*]} detach b0"
if ! out=$("${X[@]}" attach b0 2>&1); then
	fail rule_to_two_queues "xdpctl attach: $out"; finish
fi
"${X[@]}" rule add b0 --proto udp --dport 5001 --action xsk:0 >/dev/null &&
	"${X[@]}" rule add b0 --proto udp --dport 5002 --action xsk:1 >/dev/null ||
	{ fail rule_to_two_queues "xdpctl rule add failed"; finish; }
out=$(timeout -k 5 60 "$T" --a "$NS_A" --b "$NS_B" --count 1000 --size 200 steer 2>&1)
if [ $? = 0 ]; then pass rule_to_two_queues
else fail rule_to_two_queues "$(echo "$out" | tail -3 | tr '\n' ' ')"; fi
finish
