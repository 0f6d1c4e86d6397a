#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# SYN flood during transfers: vnetsink on net_tap in a namespace this test creates; while an
# iperf3 test and a discard transfer (--sha256, the file sent in two halves a few seconds
# apart so the connection spans the flood) run, vns-synflood sends spoofed SYNs from
# 198.19.0.0/16 to the iperf3 and discard ports as fast as the machine makes them. Then:
#   - both transfers complete byte-exact (iperf3 receiver bytes == vnetsink's; discard
#     SHA-256 and length == the file's);
#   - a new iperf3 client and a new discard client are served right after the flood;
#   - memory stays bounded: during the flood the pool's in-use count (telemetry pool_in_use)
#     stays below the pool's size and the flow count at most --max-flows; afterwards both
#     return to their idle values;
#   - the main lcore keeps its pace: the stats file (--stats-interval 1) is never older than
#     MAX_STALE_S during the flood (net_tap signals each frame it receives; a sleep that
#     restarted after each signal once stopped the main lcore for the flood's length).
# Usage: test_sink_flood.sh PATH/TO/vnetsink PATH/TO/vns-synflood   (root; 77 when it cannot run)
# env: VNS_FLOOD_SECONDS (default 8)
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink PATH/TO/vns-synflood}
FLOOD=${2:?usage: $0 PATH/TO/vnetsink PATH/TO/vns-synflood}
TMP=$(mktemp -d /tmp/vns-flood.XXXXXX)
SECS=${VNS_FLOOD_SECONDS:-8}
MAX_FLOWS=1024
MAX_STALE_S=4
TAG=flood

skip() {
	echo "SKIP: $*"
	rm -rf "$TMP"
	exit 77
}
cleanup() {
	sink_trace_stop
	sink_stop >/dev/null 2>&1
	[ -n "$SINK_NS" ] && sink_del "$SINK_NS"
	rm -rf "$TMP"
}

[ "$(id -u)" -eq 0 ] || skip "needs root (netns, tap, packet sockets, hugepages)"
[ -x "$VNS" ] || skip "vnetsink binary '$VNS' not built"
[ -x "$FLOOD" ] || skip "vns-synflood '$FLOOD' not built"
for tool in ip iperf3 socat sha256sum python3 dpdk-telemetry.py; do
	command -v "$tool" >/dev/null || skip "'$tool' not installed (tools/install-deps --group test)"
done
[ -e /dev/net/tun ] || skip "/dev/net/tun missing"
# shellcheck source=lib.sh
. "$VNS_SRC/tests/host/dataplane/lib.sh"
# shellcheck source=sink_lib.sh
. "$VNS_SRC/tests/host/dataplane/sink_lib.sh"
need_hugepages 64
trap cleanup EXIT
trap 'exit 1' INT TERM

NS=vns-flood-$$
sink_start "$NS" "$TAG" --max-flows "$MAX_FLOWS" || exit 1
idle=$(sink_pool_in_use "$TAG")
size=$(sink_json "$TAG" 'j["pool"]["size"]')
echo "idle: pool in use $idle of $size"

# tel KEY: one /vnetsink/stats value through telemetry.
tel() {
	echo "/vnetsink/stats" | dpdk-telemetry.py -f "vns-$TAG-$$" 2>/dev/null | python3 -c '
import json, sys
text = sys.stdin.read()
doc = json.loads(text[text.index("{\"/vnetsink/stats\""):].splitlines()[0])
print(doc["/vnetsink/stats"][sys.argv[1]])' "$1"
}
t_idle=$(tel pool_in_use)
if [ "$t_idle" = "$idle" ]; then
	echo "ok: telemetry pool_in_use $t_idle == the JSON file's"
else
	fail "telemetry pool_in_use '$t_idle', the JSON file says $idle"
fi

half=$((2 * 1024 * 1024))
head -c $((2 * half)) /dev/urandom >"$TMP/blob"
want_sha=$(sha256sum "$TMP/blob" | cut -d' ' -f1)
ip netns exec "$NS" timeout $((SECS + 60)) iperf3 -c "$SINK_IP" -t $((SECS + 2)) --json \
	>"$TMP/iperf.json" 2>"$TMP/iperf.err" &
iperf_pid=$!
{ head -c "$half" "$TMP/blob"; sleep $((SECS / 2 + 1)); tail -c +$((half + 1)) "$TMP/blob"; } |
	ip netns exec "$NS" timeout $((SECS + 60)) socat -u STDIN "TCP:$SINK_IP:9" 2>"$TMP/socat.err" &
socat_pid=$!
# The discard transfer once stalled for a minute in CI and never locally; if it does again,
# the trace says which side stopped.
sink_trace_start "$NS" "$TAG" 9 "$TMP/trace9"
sleep 1

ip netns exec "$NS" "$FLOOD" --dev "vns$TAG" --dst-mac 02:00:c6:12:00:02 --dst-ip "$SINK_IP" \
	--src-net 198.19.0.0/16 --ports 5201,9 --seconds "$SECS" --json >"$TMP/synflood.json" 2>&1 &
flood_pid=$!
max_use=0 max_flows=0 max_stale=0
while kill -0 "$flood_pid" 2>/dev/null; do
	u=$(tel pool_in_use)
	f=$(tel flows)
	a=$(python3 -c 'import os, sys, time; print(int(time.time() - os.path.getmtime(sys.argv[1])))' "$TMP/$TAG.json")
	[ -n "$u" ] && [ "$u" -gt "$max_use" ] && max_use=$u
	[ -n "$f" ] && [ "$f" -gt "$max_flows" ] && max_flows=$f
	[ -n "$a" ] && [ "$a" -gt "$max_stale" ] && max_stale=$a
	sleep 0.5
done
wait "$flood_pid"
echo "flood: $(cat "$TMP/synflood.json")"
sent=$(json "$TMP/synflood.json" 'j["sent"]')
[ "${sent:-0}" -gt 0 ] || fail "vns-synflood sent nothing"
if [ "$max_use" -lt "$size" ] && [ "$max_flows" -le "$MAX_FLOWS" ] && [ "$max_flows" -gt 0 ]; then
	echo "ok: during the flood: pool in use at most $max_use of $size, flows at most $max_flows (max $MAX_FLOWS)"
else
	fail "during the flood: pool in use up to $max_use of $size, flows up to $max_flows (max $MAX_FLOWS)"
fi
if [ "$max_stale" -le "$MAX_STALE_S" ]; then
	echo "ok: during the flood the stats file was at most $max_stale s old"
else
	fail "during the flood the stats file went $max_stale s without a rewrite (the main lcore stalled)"
fi

if ! wait "$iperf_pid"; then
	fail "iperf3 during the flood did not complete: $(json "$TMP/iperf.json" 'j.get("error")' 2>/dev/null) $(head -c 300 "$TMP/iperf.err")"
elif ! sink_wait_json "$TAG" "len(j['iperf3_tests']) >= 1" 20; then
	fail "no iperf3 test record after the flood"
else
	rx=$(json "$TMP/iperf.json" 'j["end"]["sum_received"]["bytes"]')
	got=$(sink_json "$TAG" "j['iperf3_tests'][0]['bytes']")
	if [ "$rx" = "$got" ] && [ "$rx" -gt 0 ]; then
		echo "ok: iperf3 during the flood: receiver bytes $rx == vnetsink's"
	else
		fail "iperf3 during the flood: receiver bytes $rx, vnetsink counted $got"
	fi
fi
wait "$socat_pid"
socat_rc=$?
sink_trace_stop
if [ "$socat_rc" -ne 0 ]; then
	fail "discard transfer during the flood failed (socat exit $socat_rc): $(cat "$TMP/socat.err")"
	sink_trace_report "$NS" "$TMP/trace9" 9
elif ! sink_wait_json "$TAG" "len(j['discard']) >= 1" 20; then
	fail "no discard record after the flood"
	sink_trace_report "$NS" "$TMP/trace9" 9
else
	got_sha=$(sink_json "$TAG" "j['discard'][0].get('sha256')")
	got_len=$(sink_json "$TAG" "j['discard'][0]['bytes']")
	if [ "$got_sha" = "$want_sha" ] && [ "$got_len" = $((2 * half)) ]; then
		echo "ok: discard during the flood: $got_len bytes, sha256 matches"
	else
		fail "discard during the flood: $got_len bytes sha256 $got_sha, sent $((2 * half)) sha256 $want_sha"
		sink_trace_report "$NS" "$TMP/trace9" 9
	fi
fi

# Right after: a new client of each service is served.
if ip netns exec "$NS" timeout 20 iperf3 -c "$SINK_IP" -t 1 --json >"$TMP/after.json" 2>&1; then
	echo "ok: a new iperf3 client right after the flood: $(json "$TMP/after.json" 'j["end"]["sum_received"]["bytes"]') bytes"
else
	fail "a new iperf3 client right after the flood failed: $(json "$TMP/after.json" 'j.get("error")' 2>/dev/null)"
fi
head -c 65536 /dev/urandom >"$TMP/small"
if ip netns exec "$NS" timeout 20 socat -u "OPEN:$TMP/small" "TCP:$SINK_IP:9" 2>"$TMP/socat2.err" &&
	sink_wait_json "$TAG" "len(j['discard']) >= 2 and j['discard'][1]['bytes'] == 65536" 10; then
	echo "ok: a new discard client right after the flood"
else
	fail "a new discard client right after the flood: $(cat "$TMP/socat2.err")"
fi

start=$(date +%s)
if sink_wait_idle "$TAG" "$idle" 90; then
	echo "ok: pool in use back to its idle $idle and no flows, $(($(date +%s) - start)) s after the flood"
else
	fail "pool in use $(sink_pool_in_use "$TAG") (idle $idle), flows $(sink_json "$TAG" "j['totals']['flows']") 90 s after the flood"
fi
echo "counters: $(sink_json "$TAG" "{k: v for k, v in j['totals'].items() if ('syn' in k or 'drop' in k or 'flows' in k) and v}")"
sink_stop || fail "vnetsink did not exit cleanly after the flood"
grep '^summary: pool' "$TMP/$TAG.log"

if [ "$fails" -ne 0 ]; then
	echo "---- vnetsink log ----"
	grep -v '^\[' "$TMP/$TAG.log" | tail -20
	echo "$fails check(s) failed"
	exit 1
fi
echo "all SYN-flood checks passed"
