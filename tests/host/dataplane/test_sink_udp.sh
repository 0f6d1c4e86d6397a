#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# iperf3 UDP (-u) against vnetsink on DPDK net_tap inside a network namespace this test
# creates and removes (addresses from 198.18.0.0/15 only):
#   - stock iperf3 -c -u -b 50M -t 3 -l 1400: the receiver packets and bytes the client prints
#     (from vnetsink's results) equal what vnetsink's stack delivered (its datagram counter,
#     less the one connect datagram per stream) and its test record; lost = 0 and the
#     receiver packets equal the sender's on this clean link; the jitter is reported;
#   - the same with -P 2 and --udp-counters-64bit;
#   - loss: -u -b 2G (more than net_tap delivers here): the lost count the client prints
#     (vnetsink's) equals what the client sent less what vnetsink's stack delivered;
#   - -u -R -b RATE (vnetsink sends): vnetsink never sends above -b (5 % slack) and at least
#     half of it (the pacing makes up for stalls of the lcore up to 250 ms; the rate itself is
#     the unit test's and the benchmark's, a shared 2-core host deschedules the lcore for
#     longer); the client's loss (its own socket overflows when the host deschedules it) is
#     printed; and the
#     highest sequence number it saw equals the packets vnetsink reports sending, less those
#     still in flight or unread when the client ended the test (at most 20 ms of the rate);
#     vnetsink's iperf_udp_sent counter says the same; the same with -P 2 and 64-bit
#     counters;
#   - a datagram length above the MTU (-l 1473 on a 1500-byte MTU) is refused with iperf3's
#     "block size invalid", for -u and -u -R.
# Two queues on one worker lcore (EAL -l 0,1 --main-lcore 0), as test_sink_tap.sh.
# Usage: test_sink_udp.sh PATH/TO/vnetsink   (root; exits 77 with the reason when it cannot run)
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink}
NS=vns-udp-$$
PREFIX=udp-host-$$
TAP=vnsutap$$
HOST_IP=198.18.0.1
SINK_IP=198.18.0.2
SINK_MAC=02:00:c6:12:00:02
T=${VNS_IPERF_SECONDS:-3}
TMP=$(mktemp -d /tmp/vns-udp-host.XXXXXX)
VNS_PID=

# shellcheck source=lib.sh
. "$VNS_SRC/tests/host/dataplane/lib.sh"

cleanup() {
	stop_pid "$VNS_PID"
	ns_del "$NS"
	rm -rf "/var/run/dpdk/$PREFIX" "$TMP"
}

[ -x "$VNS" ] || skip "vnetsink binary '$VNS' not built"
need_tools "apt-get install iperf3 python3 iproute2" ip iperf3 python3
need_hugepages 64

trap cleanup EXIT
trap 'exit 1' INT TERM

ns_add "$NS"

# --no-pci: never touch the host's own NICs. 2 queues, 1 worker lcore.
ip netns exec "$NS" "$VNS" -l 0,1 --main-lcore 0 --no-pci --file-prefix "$PREFIX" \
	--vdev "net_tap0,iface=$TAP" --log-level=pmd.net.tap:error -- \
	--port ethdev:net_tap0 --queues 2 --ip "$SINK_IP/24" --mac "$SINK_MAC" \
	--stats-interval 1 --stats-json "$TMP/stats.json" >"$TMP/vnetsink.log" 2>&1 &
VNS_PID=$!
vns_started "$TMP/vnetsink.log" "$VNS_PID" || exit 1
ip -n "$NS" addr add "$HOST_IP/24" dev "$TAP"
ip -n "$NS" link set "$TAP" up

# wait_json EXPR: wait up to 30 s for the stats file to satisfy EXPR (after an overload at
# -b 2G the record of the test came later than 10 s once in CI).
wait_json() {
	for _ in $(seq 1 150); do
		if [ -s "$TMP/stats.json" ] && [ "$(json "$TMP/stats.json" "$1" 2>/dev/null)" = True ]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# counter NAME: the sum over the queues of one of vnetsink's counters.
counter() {
	json "$TMP/stats.json" "j['totals']['$1']"
}

# run NAME P ARGS...: one UDP test; checks the client's receiver figures against vnetsink's.
# With LOSSY=1 loss is likely (the rate is above what net_tap delivers on a loaded host) but
# not required (an idle host may keep up): the lost count must be the client's packets less
# what vnetsink's stack delivered.
tests_done=0
prev_dgrams=0
prev_stray=0
run() {
	local name=$1 P=$2 rx_pk tx_pk rx_b lost jit got streams dgrams stray idx
	shift 2
	if ! ip netns exec "$NS" timeout $((T + 20)) iperf3 -c "$SINK_IP" -u -t "$T" -P "$P" "$@" \
		--json >"$TMP/$name.json" 2>"$TMP/$name.err"; then
		fail "iperf3 $name did not complete: $(json "$TMP/$name.json" 'j.get("error")' 2>/dev/null) $(head -c 300 "$TMP/$name.err")"
		return
	fi
	tests_done=$((tests_done + 1))
	rx_pk=$(json "$TMP/$name.json" 'j["end"]["sum_received"]["packets"]')
	tx_pk=$(json "$TMP/$name.json" 'j["end"]["sum_sent"]["packets"]')
	rx_b=$(json "$TMP/$name.json" 'j["end"]["sum_received"]["bytes"]')
	lost=$(json "$TMP/$name.json" 'j["end"]["sum_received"]["lost_packets"]')
	jit=$(json "$TMP/$name.json" 'j["end"]["sum_received"]["jitter_ms"]')
	if ! wait_json "len(j['iperf3_tests']) >= $tests_done"; then
		fail "iperf3 $name: no iperf3 test record in vnetsink's stats JSON"
		return
	fi
	idx=$((tests_done - 1))
	got=$(json "$TMP/stats.json" "j['iperf3_tests'][$idx]['bytes']")
	streams=$(json "$TMP/stats.json" "j['iperf3_tests'][$idx]['streams']")
	# Datagrams delivered to iperf3 in this test, less the connect datagrams and any that
	# came in after TEST_END (strays).
	dgrams=$(($(counter stack_udp_datagrams) - prev_dgrams))
	stray=$(($(counter stack_iperf_udp_stray) - prev_stray))
	prev_dgrams=$((prev_dgrams + dgrams))
	prev_stray=$((prev_stray + stray))
	dgrams=$((dgrams - P - stray))
	if [ "${LOSSY:-0}" = 1 ]; then
		# iperf3's receiver counts the highest number seen as packets; what is missing
		# below it is lost: delivered = packets - lost (no reordering on a tap).
		if [ "$rx_b" != "$got" ] || [ "$lost" -lt 0 ] || [ $((rx_pk - lost)) != "$dgrams" ]; then
			fail "iperf3 $name: client receiver packets $rx_pk lost $lost (sent $tx_pk); vnetsink delivered $dgrams datagrams, counted $got bytes (client $rx_b)"
		else
			echo "ok: iperf3 $name: lost $lost of $rx_pk ($(json "$TMP/$name.json" 'round(j["end"]["sum_received"]["lost_percent"], 2)') %) == packets - vnetsink's $dgrams delivered; sent $tx_pk, jitter $jit ms"
		fi
		return
	fi
	if [ "$rx_b" != "$got" ] || [ "$streams" != "$P" ] || [ "$rx_pk" != "$dgrams" ] ||
		[ "$rx_pk" -le 0 ] || [ "$lost" != 0 ] || [ "$rx_pk" != "$tx_pk" ]; then
		fail "iperf3 $name: client receiver packets $rx_pk bytes $rx_b lost $lost (sent $tx_pk); vnetsink delivered $dgrams datagrams, counted $got bytes in $streams streams"
	else
		echo "ok: iperf3 $name: receiver packets $rx_pk == vnetsink's $dgrams == sent, bytes $rx_b == vnetsink's $got, lost 0, jitter $jit ms ($streams streams)"
	fi
}

run u-b50M 1 -b 50M -l 1400
run u-P2-c64 2 -b 20M -l 1000 --udp-counters-64bit

LOSSY=1 run u-b2G-loss 1 -b 2G -l 1400

# run_rev NAME P RATE ARGS...: -u -R at RATE bit/s; vnetsink sends.
run_rev() {
	local name=$1 P=$2 rate=$3 rx_pk tx_pk lost bps inflight tx_b sent held
	shift 3
	if ! ip netns exec "$NS" timeout $((T + 20)) iperf3 -c "$SINK_IP" -u -R -t "$T" -P "$P" \
		-b "$rate" "$@" --json >"$TMP/$name.json" 2>"$TMP/$name.err"; then
		fail "iperf3 $name did not complete: $(json "$TMP/$name.json" 'j.get("error")' 2>/dev/null) $(head -c 300 "$TMP/$name.err")"
		return
	fi
	tests_done=$((tests_done + 1))
	rx_pk=$(json "$TMP/$name.json" 'j["end"]["sum_received"]["packets"]')
	lost=$(json "$TMP/$name.json" 'j["end"]["sum_received"]["lost_packets"]')
	bps=$(json "$TMP/$name.json" 'int(j["end"]["sum_received"]["bits_per_second"])')
	tx_pk=$(json "$TMP/$name.json" 'j["end"]["sum_sent"]["packets"]')
	tx_b=$(json "$TMP/$name.json" 'j["end"]["sum_sent"]["bytes"]')
	# -b is per stream; the datagrams on their way or unread in the client's socket when
	# it ended the test are sent but never counted by it: at most 20 ms of the rate here.
	inflight=$((rate * P / 8 / 1400 / 50 + P))
	# vnetsink's own counters (the stats file is rewritten every second).
	sleep 1.2
	sent=$(($(counter stack_iperf_udp_sent) - prev_sent))
	prev_sent=$((prev_sent + sent))
	held=$(counter stack_iperf_udp_held)
	if [ "$rx_pk" -le 0 ] || [ "$lost" -lt 0 ] || [ "$lost" -ge "$rx_pk" ] || [ "$tx_pk" -lt "$rx_pk" ] ||
		[ $((tx_pk - rx_pk)) -gt "$inflight" ] || [ "$tx_b" != $((tx_pk * 1400)) ] ||
		[ "$sent" != "$tx_pk" ] ||
		[ $((tx_b * 8 / T)) -lt $((rate * P / 100 * 50)) ] ||
		[ $((tx_b * 8 / T)) -gt $((rate * P / 100 * 105)) ] ||
		[ "$bps" -gt $((rate * P / 100 * 105)) ]; then
		fail "iperf3 $name: client saw $rx_pk datagrams at $bps bit/s (-b $rate x $P), lost $lost; vnetsink reported $tx_pk sent ($tx_b bytes in $T s; in flight at most $inflight), its counter $sent"
	else
		echo "ok: iperf3 $name: client saw $rx_pk datagrams at $bps bit/s (-b $rate x $P), lost $lost; vnetsink sent $tx_pk (counter $sent), $((tx_pk - rx_pk)) in flight at the end; held for tx room so far: $held"
	fi
}

# The payload goes by reference when the port takes chained mbufs (net_tap does).
if grep -q '^port: .*tx offloads:.* multi-segs' "$TMP/vnetsink.log"; then
	echo "ok: the port takes chained mbufs: -u -R attaches its payload, no copy"
else
	echo "note: the port takes no chained mbufs: -u -R copies its payload"
fi
prev_sent=0
run_rev u-R-b50M 1 50000000 -l 1400
run_rev u-R-P2-c64 2 20000000 -l 1400 --udp-counters-64bit

# Datagrams above the MTU would be fragmented, which the stack neither sends nor
# reassembles: refused before the test starts, with iperf3's own message.
for mode in "" -R; do
	# shellcheck disable=SC2086 # mode is empty or one word
	if ip netns exec "$NS" timeout 15 iperf3 -c "$SINK_IP" -t 1 -u $mode -l 1473 \
		>"$TMP/badlen.out" 2>&1; then
		fail "iperf3 -u $mode -l 1473: the client succeeded; vnetsink must refuse it"
	elif grep -q 'block size invalid' "$TMP/badlen.out"; then
		echo "ok: iperf3 -u $mode -l 1473 refused: $(grep -o 'error - .*' "$TMP/badlen.out")"
	else
		fail "iperf3 -u $mode -l 1473: unexpected client output: $(tail -2 "$TMP/badlen.out")"
	fi
done

vns_term "$VNS_PID"
[ "$vns_rc" = 0 ] || fail "vnetsink did not exit cleanly on SIGTERM (exit status '${vns_rc:-still running}')"
VNS_PID=

if [ "$fails" -ne 0 ]; then
	echo "---- vnetsink log ----"
	grep -v '^\[' "$TMP/vnetsink.log" | tail -40
	echo "$fails check(s) failed"
	exit 1
fi
echo "all vnetsink UDP checks passed"
