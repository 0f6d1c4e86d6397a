#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The vnetsink binary's refusals: a bad option or value exits 2 with exactly one line on stderr
# that names the option, and does so before the EAL starts (no hugepages needed). EAL-time
# refusals are one "vnetsink:" line too: exit 2 for no worker lcore or a --port that names no
# port, exit 1 for a device that cannot be opened or a bad EAL option.
# Usage: test_args.sh PATH/TO/vnetsink
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink}
if [ ! -x "$VNS" ]; then
	echo "vnetsink binary '$VNS' not found or not executable: build it first (ninja -C BUILD dataplane/vnetsink)"
	exit 1
fi
TMP=$(mktemp -d /tmp/vns-app-args.XXXXXX)
# The EAL runs below leave a runtime directory named after the --file-prefix.
RUNDIRS="/var/run/dpdk/app-args-$$ ${XDG_RUNTIME_DIR:-/tmp}/dpdk/app-args-$$ /tmp/dpdk/app-args-$$"
# shellcheck disable=SC2086
trap 'rm -rf "$TMP" $RUNDIRS' EXIT INT TERM
fails=0
# EAL without hugepages or devices, its own runtime directory.
EAL="--no-huge -m 256 --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error --file-prefix app-args-$$"

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect RC NEEDLE ARGS...: run vnetsink ARGS, want exit RC and one stderr line "vnetsink: ...NEEDLE..."
expect() {
	want_rc=$1
	needle=$2
	shift 2
	"$VNS" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	lines=$(grep -c '^vnetsink: ' "$TMP/err")
	if [ "$rc" -ne "$want_rc" ]; then
		fail "'$*': exit $rc, want $want_rc; stderr: $(head -c 400 "$TMP/err")"
	elif [ "$lines" -ne 1 ]; then
		fail "'$*': $lines 'vnetsink:' lines on stderr, want 1: $(head -c 400 "$TMP/err")"
	elif ! grep '^vnetsink: ' "$TMP/err" | grep -qF -- "$needle"; then
		fail "'$*': message does not name '$needle': $(cat "$TMP/err")"
	else
		echo "ok: exit $rc: $(grep '^vnetsink: ' "$TMP/err")"
	fi
}

# usage (exit 2, exactly one stderr line overall, nothing on stdout, EAL never started)
usage() {
	needle=$1
	shift
	expect 2 "$needle" "$@"
	if [ "$(wc -l <"$TMP/err")" -ne 1 ] || [ -s "$TMP/out" ]; then
		fail "'$*': usage errors must be exactly one stderr line and no stdout"
	fi
	if grep -q '^EAL' "$TMP/err" "$TMP/out"; then
		fail "'$*': the EAL started before the options were checked"
	fi
}

usage --port -- --queues 2
usage --port -- --port 'no such!'
usage --port -- --port vpmd:vhost-user:
usage --port -- --port vpmd:vhost-user:/tmp/a,b.sock
usage --port -- --port 99999
usage --port -- --port vpmd:0000:00:zz.0
usage --queues -- --port ethdev:0 --queues 0
usage --queues -- --port ethdev:0 --queues 100
usage --queues -- --port ethdev:0 --queues
usage --lcore-map -- --port ethdev:0 --lcore-map 0@1,0@2
usage --lcore-map -- --port ethdev:0 --lcore-map 0@1,1@2 --queues 3
usage --ip -- --port ethdev:0 --ip 198.18.0.256/24
usage --ip -- --port ethdev:0 --ip 198.18.0.2/40
usage --mac -- --port ethdev:0 --mac ff:ff:ff:ff:ff:ff
usage --iperf-port -- --port ethdev:0 --iperf-port 70000
usage --discard-port -- --port ethdev:0 --discard-port x
usage --ring-size -- --port ethdev:0 --ring-size 100
usage --mbufs -- --port ethdev:0 --mbufs 10
usage --stats-interval -- --port ethdev:0 --stats-interval soon
usage --packed -- --port ethdev:0 --packed sometimes
usage --stats-json -- --port ethdev:0 --stats-json /nonexistent-vns-dir/stats.json
usage --sha256 -- --port ethdev:0 --sha256=maybe
usage --max-flows -- --port ethdev:0 --max-flows 0
usage --frobnicate -- --port ethdev:0 --frobnicate
usage --config -- --port ethdev:0 --config "$TMP/missing.ini"
printf '[port]\nport = ethdev:0\n[net]\nip = 198.18.0.2/99\n' >"$TMP/bad.ini"
usage "[net] ip" -- --config "$TMP/bad.ini"
# Options after -- are checked even when EAL options are present, and before the EAL runs.
# shellcheck disable=SC2086
usage --queues $EAL -l 0 -- --port ethdev:0 --queues 0

# --help: exit 0, the option list on stdout.
for args in "--help" "-- --help" "-l 0 -- --port ethdev:0 --help"; do
	# shellcheck disable=SC2086
	"$VNS" $args >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne 0 ] || ! grep -q -- '--lcore-map' "$TMP/out" || ! grep -q -- '--stats-json' "$TMP/out"; then
		fail "'$args': exit $rc, want 0 and the option list"
	else
		echo "ok: '$args' prints the help"
	fi
done

# After EAL start (no hugepages: --no-huge): one clear line each.
# shellcheck disable=SC2086
expect 2 "worker lcore" $EAL -l 0 -- --port ethdev:0
# shellcheck disable=SC2086
expect 2 "--lcore-map" $EAL -l 0,1 -- --port ethdev:0 --lcore-map 0@5
# shellcheck disable=SC2086
expect 2 "no such DPDK port" $EAL -l 0,1 -- --port ethdev:0
# shellcheck disable=SC2086
expect 2 "--port net_tap7: no such DPDK port" $EAL -l 0,1 -- --port net_tap7
# shellcheck disable=SC2086
expect 2 "--vdev" $EAL -l 0,1 -- --port 5
# shellcheck disable=SC2086
expect 1 "--port vpmd:vhost-user:$TMP/nothing.sock" $EAL -l 0,1 -- --port "vpmd:vhost-user:$TMP/nothing.sock"
# shellcheck disable=SC2086
expect 1 "--port vpmd:0000:fe:1f.7" $EAL -l 0,1 -- --port vpmd:0000:fe:1f.7
# shellcheck disable=SC2086
expect 1 "EAL" $EAL --no-such-eal-option -l 0,1 -- --port ethdev:0

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all vnetsink argument checks passed"
