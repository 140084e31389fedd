#!/usr/bin/env bash
# sched_ext CLI on the host kernel, which has no sched_ext: `xdpctl sched load simple` must fail
# with one clear line naming the missing CONFIG_SCHED_CLASS_EXT, and leave nothing behind. (The
# loading itself is tested in the guest: tests/vm/guest/test_sched_*.sh.) No traffic, no netns.
. "$(dirname "$0")/lib.sh"
HP_TEST=net/sched_host
need_root
[ -x "$XDPCTL" ] || { skip "" "xdpctl not built ($XDPCTL)"; exit 0; }
if [ -d /sys/kernel/sched_ext ]; then
	skip no_sched_ext "this kernel has sched_ext; the vm tier tests loading"
	exit 0
fi
out=$("$XDPCTL" sched load simple 2>&1 >/dev/null); rc=$?
n=$(printf '%s\n' "$out" | grep -c .)
if [ "$rc" = 1 ] && [ "$n" = 1 ] && grep -q 'no sched_ext' <<<"$out" &&
   grep -q 'CONFIG_SCHED_CLASS_EXT' <<<"$out"; then
	pass no_sched_ext_error
else
	fail no_sched_ext_error "rc $rc, $n lines: $out"
fi
[ ! -e /run/hybridpath/sched.pid ] && [ ! -e /sys/fs/bpf/hybridpath/sched/stats ] &&
	pass nothing_left || fail nothing_left "pid file or stats pin left behind"
st=$("$XDPCTL" sched status --json)
[ "$(json_get "$st" .state)" = unsupported ] && pass status_unsupported ||
	fail status_unsupported "$st"
out=$("$XDPCTL" sched load nosuch 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "unknown scheduler 'nosuch'" <<<"$out" && pass unknown_name ||
	fail unknown_name "rc $rc: $out"
out=$("$XDPCTL" sched unload 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q 'no .* is running' <<<"$out" && pass unload_none ||
	fail unload_none "rc $rc: $out"
finish
