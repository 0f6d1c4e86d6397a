#!/bin/sh
# tests/vm/check-arm64-build.sh: the cross build produces aarch64 binaries linked against the
# arm64 DPDK of the sysroot (not the host's x86_64 one).
# Checks build-arm64/dataplane/vnetsink (VNS_ARM64_BUILD overrides the build dir):
#   ELF machine AArch64; NEEDED has librte_eal.so.23; every NEEDED library resolves inside
#   cross/sysroot-arm64 to an AArch64 ELF.
set -eu
SRC=${VNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ARM=${VNS_ARM64_BUILD:-$SRC/build-arm64}
SYSROOT=$SRC/cross/sysroot-arm64
BIN=$ARM/dataplane/vnetsink
fail() { echo "FAIL: $*"; exit 1; }
command -v readelf >/dev/null || { echo "SKIP: readelf not installed (binutils)"; exit 77; }
[ -f "$ARM/build.ninja" ] || { echo "SKIP: no arm64 build in $ARM (tools/cross-sysroot; meson setup $ARM --cross-file cross/sysroot-arm64/paths.ini --cross-file cross/arm64.ini -Dtests=disabled)"; exit 77; }
ninja -C "$ARM" dataplane/vnetsink >/dev/null || fail "ninja -C $ARM dataplane/vnetsink failed"
[ -f "$BIN" ] || fail "$BIN was not built"
machine() { readelf -h "$1" | sed -n 's/^ *Machine: *//p'; }
m=$(machine "$BIN")
[ "$m" = AArch64 ] || fail "$BIN is built for '$m', not AArch64"
needed=$(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "$needed" | grep -qx 'librte_eal.so.23' || fail "$BIN does not link librte_eal.so.23 (NEEDED: $(echo $needed))"
n=0
for so in $needed; do
	f=""
	for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
		[ -e "$SYSROOT/$d/$so" ] && { f=$SYSROOT/$d/$so; break; }
	done
	[ -n "$f" ] || fail "$so (NEEDED by vnetsink) is not in the arm64 sysroot $SYSROOT"
	[ "$(machine "$(readlink -f "$f")")" = AArch64 ] || fail "$f is not an AArch64 library"
	n=$((n + 1))
done
echo "PASS: $BIN is AArch64; $n NEEDED libraries (librte_eal.so.23 among them) resolve to AArch64 files in $SYSROOT"
