#!/usr/bin/env bash
# make demo: a two-namespace lab, steering attached to the receiving veth, a few rules, trafgen
# and ping traffic, live `xdpctl stats` for a few seconds, the final counters. Everything it
# creates (namespaces, attachment, pins) is removed on exit, also on Ctrl-C or failure.
#
#   hpt-<pid>-a: a0 10.250.0.1  <---- veth ---->  b0 10.250.0.2 :hpt-<pid>-b   (hp_steer on b0)
set -uo pipefail
. "$(dirname "$0")/net/lib.sh"
[ "$(id -u)" = 0 ] ||
	{ echo "demo: run as root (make demo needs CAP_NET_ADMIN and CAP_BPF)" >&2; exit 1; }
for c in trafgen ping jq; do
	command -v $c >/dev/null || { echo "demo: $c missing: run make deps" >&2; exit 1; }
done
[ -x "$XDPCTL" ] || { echo "demo: $XDPCTL missing: run make" >&2; exit 1; }
SECS=${DEMO_SECONDS:-5}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "lab: namespaces $HP_NS_PREFIX-a and $HP_NS_PREFIX-b joined by a veth pair"
lab2 || { echo "demo: cannot create the lab" >&2; exit 1; }
for ns in "$NS_A" "$NS_B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$NS_A" neigh replace 10.250.0.2 lladdr "$MAC_B" dev a0 nud permanent
ip -n "$NS_B" neigh replace 10.250.0.1 lladdr "$MAC_A" dev b0 nud permanent
on_exit "$XDPCTL -n $NS_B detach b0"
X=("$XDPCTL" -n "$NS_B")

step "attach steering to b0 (default: pass)"
run "${X[@]}" attach b0 --default pass || exit 1
run "${X[@]}" status

step "rules: drop UDP to port 9000, bounce UDP to port 9001 back (tx), pass ICMP"
run "${X[@]}" rule add b0 --proto udp --dport 9000 --action drop
run "${X[@]}" rule add b0 --proto udp --dport 9001 --action tx
run "${X[@]}" rule add b0 --proto icmp --prio 10 --action pass
run "${X[@]}" rule list b0

step "traffic for ${SECS}s: trafgen UDP to 9000 (rate-limited) and 9001, ping; live stats"
cfg=$(mktemp)
on_exit "rm -f $cfg $cfg.tg $cfg.ping"
cat >"$cfg" <<EOF
{ eth(da=$MAC_B, sa=$MAC_A, type=0x0800), ipv4(saddr=10.250.0.1, daddr=10.250.0.2, ttl=64),
  udp(sport=40000, dport=9000), fill(0x41, 18) }
{ eth(da=$MAC_B, sa=$MAC_A, type=0x0800), ipv4(saddr=10.250.0.1, daddr=10.250.0.2, ttl=64),
  udp(sport=40000, dport=9001), fill(0x42, 18) }
EOF
# bounded in time and rate: the CPUs are shared
ip netns exec "$NS_A" timeout "$SECS" trafgen --dev a0 --conf "$cfg" --cpus 1 --rate 50000pps -C \
	>"$cfg.tg" 2>&1 &
ip netns exec "$NS_A" timeout -s INT "$SECS" ping -q -i 0.2 10.250.0.2 >"$cfg.ping" 2>&1 &
run "${X[@]}" stats b0 --watch 1 --count "$SECS"
wait

step "final counters"
run "${X[@]}" stats b0
echo
sent=$(tr -d '\r' <"$cfg.tg" | awk '/packets outgoing/ {print $1}')
echo "sent by trafgen: $sent frames (half to 9000: dropped, half to 9001: bounced back)"
echo "ping: $(grep 'packets transmitted' "$cfg.ping")"
echo "cleaning up (detach, namespaces)"
exit 0
