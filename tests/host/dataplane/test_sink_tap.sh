#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vnetsink on DPDK net_tap inside a network namespace this test creates and removes:
#   - ping 198.18.0.2 answers;
#   - stock iperf3 -c with -P 1 and -P 4 completes, and the receiver bytes iperf3 prints equal
#     the bytes vnetsink counted for that test (its --stats-json file);
#   - a random file sent with socat to the discard port in --sha256 mode has the SHA-256 that
#     sha256sum computed, and the byte count matches;
#   - a second client during a test is told the server is busy (-R and --bidir, which
#     vnetsink now serves, are test_sink_send.sh's);
#   - telemetry (/vnetsink/stats, /vnetsink/flows) answers through dpdk-telemetry.py;
#   - SIGTERM: clean shutdown, exit 0, final JSON and summary.
# net_tap creates its tap in the namespace vnetsink runs in, so vnetsink itself runs under
# `ip netns exec`. Two queues on one worker lcore (EAL -l 0,1 --main-lcore 0: lcore 0 does
# stats, lcore 1 polls both queues), so -P 4 spreads over both queues.
# Usage: test_sink_tap.sh PATH/TO/vnetsink   (root; exits 77 with the reason when it cannot run)
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink}
NS=vns-app-$$
PREFIX=app-host-$$
TAP=vnstap$$
HOST_IP=198.18.0.1
SINK_IP=198.18.0.2
SINK_MAC=02:00:c6:12:00:02
T=${VNS_IPERF_SECONDS:-3}
TMP=$(mktemp -d /tmp/vns-app-host.XXXXXX)
VNS_PID=

# shellcheck source=lib.sh
. "$VNS_SRC/tests/host/dataplane/lib.sh"

cleanup() {
	stop_pid "$VNS_PID"
	ns_del "$NS"
	rm -rf "/var/run/dpdk/$PREFIX" "$TMP"
}

[ -x "$VNS" ] || skip "vnetsink binary '$VNS' not built"
need_tools "apt-get install iperf3 socat dpdk python3 iproute2" \
	ip iperf3 socat sha256sum python3 dpdk-telemetry.py
need_hugepages 64

trap cleanup EXIT
trap 'exit 1' INT TERM

ns_add "$NS"

# --no-pci: never touch the host's own NICs. 2 queues, 1 worker lcore.
ip netns exec "$NS" "$VNS" -l 0,1 --main-lcore 0 --no-pci --file-prefix "$PREFIX" \
	--vdev "net_tap0,iface=$TAP" --log-level=pmd.net.tap:error -- \
	--port ethdev:net_tap0 --queues 2 --ip "$SINK_IP/24" --mac "$SINK_MAC" \
	--discard-port 9 --sha256 --stats-interval 1 --stats-json "$TMP/stats.json" \
	>"$TMP/vnetsink.log" 2>&1 &
VNS_PID=$!
vns_started "$TMP/vnetsink.log" "$VNS_PID" || exit 1
ip -n "$NS" addr add "$HOST_IP/24" dev "$TAP"
ip -n "$NS" link set "$TAP" up

# 1. ping
if ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 "$SINK_IP" >"$TMP/ping.log" 2>&1; then
	echo "ok: ping $SINK_IP: $(grep -o '[0-9]* received' "$TMP/ping.log")"
else
	fail "ping $SINK_IP: $(tail -2 "$TMP/ping.log")"
fi

# wait_json EXPR: wait up to 10 s for the stats file to satisfy EXPR.
wait_json() {
	for _ in $(seq 1 50); do
		if [ -s "$TMP/stats.json" ] && [ "$(json "$TMP/stats.json" "$1" 2>/dev/null)" = True ]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# 2. iperf3 -P 1 and -P 4: client's receiver bytes == vnetsink's bytes for that test.
tests_done=0
for P in 1 4; do
	if ! ip netns exec "$NS" timeout $((T + 20)) iperf3 -c "$SINK_IP" -t "$T" -P "$P" --json \
		>"$TMP/iperf-$P.json" 2>"$TMP/iperf-$P.err"; then
		fail "iperf3 -P $P did not complete: $(json "$TMP/iperf-$P.json" 'j.get("error")' 2>/dev/null) $(head -c 300 "$TMP/iperf-$P.err")"
		continue
	fi
	tests_done=$((tests_done + 1))
	rx=$(json "$TMP/iperf-$P.json" 'j["end"]["sum_received"]["bytes"]')
	tx=$(json "$TMP/iperf-$P.json" 'j["end"]["sum_sent"]["bytes"]')
	if ! wait_json "len(j['iperf3_tests']) >= $tests_done"; then
		fail "iperf3 -P $P: no iperf3 test record in vnetsink's stats JSON"
		continue
	fi
	idx=$((tests_done - 1))
	got=$(json "$TMP/stats.json" "j['iperf3_tests'][$idx]['bytes']")
	streams=$(json "$TMP/stats.json" "j['iperf3_tests'][$idx]['streams']")
	gbps=$(json "$TMP/iperf-$P.json" 'round(j["end"]["sum_received"]["bits_per_second"] / 1e9, 3)')
	if [ "$rx" != "$got" ] || [ "$streams" != "$P" ] || [ "$rx" -le 0 ] || [ "$rx" -gt "$tx" ]; then
		fail "iperf3 -P $P: client receiver bytes $rx (sent $tx), vnetsink counted $got in $streams streams"
	else
		echo "ok: iperf3 -P $P: receiver bytes $rx == vnetsink's $got ($streams streams, sent $tx, $gbps Gbit/s)"
	fi
done

# 3. discard port, integrity mode: SHA-256 and byte count of a random file.
head -c $((3 * 1024 * 1024 + 12345)) /dev/urandom >"$TMP/blob"
want_sha=$(sha256sum "$TMP/blob" | cut -d' ' -f1)
want_len=$(stat -c %s "$TMP/blob")
if ! ip netns exec "$NS" timeout 20 socat -u "OPEN:$TMP/blob" "TCP:$SINK_IP:9" 2>"$TMP/socat.err"; then
	fail "socat to the discard port failed: $(cat "$TMP/socat.err")"
elif ! wait_json "len(j['discard']) >= 1"; then
	fail "no discard record in vnetsink's stats JSON after the connection closed"
else
	got_sha=$(json "$TMP/stats.json" "j['discard'][0].get('sha256')")
	got_len=$(json "$TMP/stats.json" "j['discard'][0]['bytes']")
	if [ "$got_sha" = "$want_sha" ] && [ "$got_len" = "$want_len" ]; then
		echo "ok: discard: $got_len bytes, sha256 $got_sha matches sha256sum"
	else
		fail "discard: vnetsink saw $got_len bytes sha256 $got_sha; sent $want_len bytes sha256 $want_sha"
	fi
fi

# 4. A second client during a test gets ACCESS_DENIED (busy).
ip netns exec "$NS" timeout 20 iperf3 -c "$SINK_IP" -t 3 >"$TMP/first.out" 2>&1 &
first=$!
sleep 1
if ip netns exec "$NS" timeout 15 iperf3 -c "$SINK_IP" -t 1 >"$TMP/busy.out" 2>&1; then
	fail "second iperf3 client during a test succeeded; vnetsink runs one test at a time"
elif grep -q 'busy' "$TMP/busy.out"; then
	echo "ok: second client during a test: $(grep -o 'error - .*' "$TMP/busy.out")"
else
	fail "second iperf3 client: unexpected output: $(tail -2 "$TMP/busy.out")"
fi
wait "$first" || fail "the first iperf3 client failed while a second one was refused: $(tail -3 "$TMP/first.out")"

# 5. telemetry
echo "/vnetsink/stats" | dpdk-telemetry.py -f "$PREFIX" >"$TMP/tel.out" 2>&1
if python3 - "$TMP/tel.out" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text[text.index('{"/vnetsink/stats"'):].splitlines()[0])
s = doc["/vnetsink/stats"]
assert s["queues"] == 2 and s["rx_pkts"] > 0 and s["stack_tcp_payload_bytes"] > 0, s
assert "q0" in s and "q1" in s
EOF
then
	echo "ok: telemetry /vnetsink/stats"
else
	fail "telemetry /vnetsink/stats: $(head -c 600 "$TMP/tel.out")"
fi
echo "/vnetsink/flows" | dpdk-telemetry.py -f "$PREFIX" >"$TMP/telf.out" 2>&1
if grep -q '"/vnetsink/flows": {.*"flows": [0-9]' "$TMP/telf.out"; then
	echo "ok: telemetry /vnetsink/flows"
else
	fail "telemetry /vnetsink/flows: $(head -c 600 "$TMP/telf.out")"
fi

# 6. clean shutdown on SIGTERM
vns_term "$VNS_PID"
if [ "$vns_rc" != 0 ]; then
	fail "vnetsink did not exit cleanly on SIGTERM (exit status '${vns_rc:-still running}')"
elif ! grep -q '^summary: total' "$TMP/vnetsink.log" || [ "$(json "$TMP/stats.json" 'j["final"]')" != True ]; then
	fail "no final summary or final JSON after SIGTERM"
else
	echo "ok: SIGTERM: exit 0, summary and final JSON written"
fi
VNS_PID=

if [ "$fails" -ne 0 ]; then
	echo "---- vnetsink log ----"
	grep -v '^\[' "$TMP/vnetsink.log" | tail -40
	echo "$fails check(s) failed"
	exit 1
fi
grep '^summary' "$TMP/vnetsink.log"
echo "all vnetsink net_tap checks passed"
