#!/usr/bin/env bash
# make install PREFIX=/usr DESTDIR=<tmp>: xdpctl, the shared and static library, the public
# headers and hybridpath.pc land where they should, and a small program using the public API
# compiles and links against the installed tree through pkg-config (shared and static) and runs.
# (No network: it lives in this tier because it needs a finished build.)
. "$(dirname "$0")/lib.sh"
need_cmd pkg-config
need_cmd gcc
D=$(mktemp -d /tmp/hp-install.XXXXXX)
on_exit "rm -rf $D"

# the same O spelling as the build (a relative build/ stays relative: no rebuild under new names)
out=$(make -C "$HP_ROOT" --no-print-directory O="${O#"$HP_ROOT"/}" PREFIX=/usr DESTDIR="$D" \
	install 2>&1) ||
	{ fail make-install "$(echo "$out" | tail -5 | tr '\n' ' ')"; finish; }
miss=
for f in usr/bin/xdpctl usr/lib/libhybridpath.a usr/lib/libhybridpath.so.0 \
	 usr/lib/libhybridpath.so usr/lib/pkgconfig/hybridpath.pc \
	 usr/include/hybridpath/{common,loader,steer,hp_steer}.h; do
	[ -e "$D/$f" ] || miss+=" $f"
done
[ -z "$miss" ] && pass files || fail files "missing:$miss"
[ -x "$D/usr/bin/xdpctl" ] && "$D/usr/bin/xdpctl" --version | grep -q '^xdpctl ' &&
	pass xdpctl-runs || fail xdpctl-runs "$("$D/usr/bin/xdpctl" --version 2>&1)"
grep -q '^prefix=/usr$' "$D/usr/lib/pkgconfig/hybridpath.pc" && pass pc-prefix ||
	fail pc-prefix "$(head -1 "$D/usr/lib/pkgconfig/hybridpath.pc")"

cat >"$D/app.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <hybridpath/loader.h>
#include <hybridpath/steer.h>

int main(void)
{
	struct hp_xdp_features f;

	/* lo always exists (ifindex 1); features come from the kernel */
	if (hp_xdp_features(1, &f))
		return 1;
	printf("%s|%s\n", hp_strerror(-ENOENT), hp_counter_name(HP_ACT_DROP));
	return 0;
}
EOF
# glibc's strerror(ENOENT), hp_counter_name(HP_ACT_DROP)
want="No such file or directory|drop"
export PKG_CONFIG_PATH=$D/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
if out=$(gcc -o "$D/app" "$D/app.c" $(pkg-config --cflags hybridpath) \
	 $(pkg-config --libs hybridpath) 2>&1); then
	got=$(LD_LIBRARY_PATH=$D/usr/lib "$D/app" 2>&1)
	[ "$got" = "$want" ] && pass pkg-config-shared ||
		fail pkg-config-shared "ran: '$got', want '$want'"
	# it really used the installed shared library
	LD_LIBRARY_PATH=$D/usr/lib ldd "$D/app" | grep -q "$D/usr/lib/libhybridpath.so.0" ||
		fail shared-lib-used "$(LD_LIBRARY_PATH=$D/usr/lib ldd "$D/app" | grep hybridpath)"
else
	fail pkg-config-shared "$(echo "$out" | head -3 | tr '\n' ' ')"
fi
# static: the archive plus the private dependencies pkg-config lists
if out=$(gcc -o "$D/app-static" "$D/app.c" $(pkg-config --cflags hybridpath) \
	 "$D/usr/lib/libhybridpath.a" \
	 $(pkg-config --libs --static hybridpath | sed 's/-lhybridpath//') 2>&1); then
	got=$("$D/app-static" 2>&1)
	[ "$got" = "$want" ] && pass pkg-config-static || fail pkg-config-static "ran: '$got'"
else
	fail pkg-config-static "$(echo "$out" | head -3 | tr '\n' ' ')"
fi

# The port API example of the top README, exactly as printed there, builds against the
# installed tree with the command the README gives.
awk '/^## The port API/{s=1} s&&/^```c$/{c=1; next} c&&/^```$/{exit} c' "$HP_ROOT/README.md" \
	>"$D/readme_app.c"
if [ ! -s "$D/readme_app.c" ]; then
	fail readme-example "no C block under '## The port API' in README.md"
elif out=$(gcc -Wall -Werror -o "$D/readme_app" "$D/readme_app.c" \
	   $(pkg-config --cflags --libs hybridpath) 2>&1); then
	pass readme-example
else
	fail readme-example "$(echo "$out" | head -3 | tr '\n' ' ')"
fi
finish
