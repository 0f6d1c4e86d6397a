#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vnetsink's client mode (--iperf-client) on DPDK net_tap against a stock iperf3 -s, both in a
# network namespace this test creates and removes (addresses from 198.18.0.0/15 only):
#   - -R -P 1 and -R -P 4 (the server sends): exit 0, and the bytes our JSON reports received
#     equal the server's own sum_sent (iperf3 -s -J), stream by stream in total;
#   - -P 1 and -P 4 (we send, the stack's bulk sender): exit 0, our sent bytes equal the
#     server's sum_received;
#   - -u -b 200M, -u -R -b 200M and -u -P 2 -l 1000 (udp_client_check.py): the receiver's
#     datagram total equals the sender's count, its bytes plus lost ones the sender's bytes,
#     and our report shows what the server's own JSON says;
#   - a port nobody listens on: "connection refused" and exit 1; an address nobody answers
#     ARP for: "unreachable" and exit 1.
# net_tap creates the tap at EAL init; the test addresses it as soon as it appears, well
# within the client's 3 s of ARP retries.
# Usage: test_client_iperf3.sh PATH/TO/vnetsink   (root; exits 77 with the reason when it cannot
# run). VNS_CLIENT_SECONDS: each test's -t (default 3).
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink}
NS=vns-cli-$$
PREFIX=cli-host-$$
TAP=vnsctap$$
HOST_IP=198.18.0.1
VNS_IP=198.18.0.2
VNS_MAC=02:00:c6:12:00:02
T=${VNS_CLIENT_SECONDS:-3}
TMP=$(mktemp -d /tmp/vns-cli-host.XXXXXX)
SRV_PID=

# shellcheck source=lib.sh
. "$VNS_SRC/tests/host/dataplane/lib.sh"

cleanup() {
	stop_pid "$SRV_PID"
	ns_del "$NS"
	rm -rf "/var/run/dpdk/$PREFIX" "$TMP"
}

[ -x "$VNS" ] || skip "vnetsink binary '$VNS' not built"
need_tools "apt-get install iperf3 python3 iproute2" ip iperf3 python3
need_hugepages 64

trap cleanup EXIT
trap 'exit 1' INT TERM

ns_add "$NS"

# client TAG ARGS...: vnetsink in client mode; its exit status in rc, log $TMP/TAG.log,
# JSON $TMP/TAG.json.
client() {
	local tag=$1
	shift
	local pid
	timeout 120 ip netns exec "$NS" "$VNS" -l 0,1 --main-lcore 0 --no-pci \
		--file-prefix "$PREFIX" --vdev "net_tap0,iface=$TAP" \
		--log-level=pmd.net.tap:error -- --port ethdev:net_tap0 --ip "$VNS_IP/24" \
		--mac "$VNS_MAC" --stats-interval 0 --iperf-json "$TMP/$tag.json" "$@" \
		>"$TMP/$tag.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		ip -n "$NS" link show "$TAP" >/dev/null 2>&1 && break
		sleep 0.05
	done
	ip -n "$NS" addr add "$HOST_IP/24" dev "$TAP" 2>/dev/null
	ip -n "$NS" link set "$TAP" up 2>/dev/null
	wait "$pid"
	rc=$?
}

# against TAG ARGS...: vnetsink's client (ARGS) against a fresh iperf3 -s -1 (its JSON in
# $TMP/TAG.srv.json); fails the test and returns 1 when the client did not exit 0.
against() {
	local tag=$1
	shift
	ip netns exec "$NS" iperf3 -s -1 -J >"$TMP/$tag.srv.json" 2>&1 &
	SRV_PID=$!
	for _ in $(seq 1 50); do
		ip netns exec "$NS" ss -ltn 2>/dev/null | grep -q ":5201 " && break
		sleep 0.1
	done
	client "$tag" --iperf-client "$HOST_IP" -t "$T" "$@"
	for _ in $(seq 1 50); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
	stop_pid "$SRV_PID"
	SRV_PID=
	if [ "$rc" != 0 ]; then
		fail "$tag: vnetsink exited with $rc"
		tail -5 "$TMP/$tag.log"
		return 1
	fi
}

# run TAG ARGS...: a test against a fresh iperf3 -s -1; checks the exit status and that
# the bytes of the direction's sender (server or us) equal its receiver's.
run() {
	local tag=$1 ours theirs
	shift
	against "$tag" "$@" || return
	case " $* " in
	*" -R "*)
		ours=$(json "$TMP/$tag.json" 'j["end"]["sum_received"]["bytes"]')
		theirs=$(json "$TMP/$tag.srv.json" 'j["end"]["sum_sent"]["bytes"]')
		;;
	*)
		ours=$(json "$TMP/$tag.json" 'j["end"]["sum_sent"]["bytes"]')
		theirs=$(json "$TMP/$tag.srv.json" 'j["end"]["sum_received"]["bytes"]')
		;;
	esac
	if [ -z "$ours" ] || [ "$ours" != "$theirs" ] || [ "$ours" -le 0 ] 2>/dev/null; then
		fail "$tag: bytes differ: vnetsink $ours, iperf3 -s $theirs"
		tail -8 "$TMP/$tag.log"
		return
	fi
	echo "ok: $tag: $ours bytes on both ends ($(grep -c 'sender$' "$TMP/$tag.log") sender line(s))"
}

run rev-p1 -R -P 1
run rev-p4 -R -P 4
run fwd-p1 -P 1
run fwd-p4 -P 4

# run_udp TAG ARGS...: a -u test against a fresh iperf3 -s -1; the datagrams and bytes of
# the direction's sender (server or us) against its receiver's own JSON, and what our report
# says the server counted against what it wrote itself.
run_udp() {
	local tag=$1 out
	shift
	against "$tag" -u "$@" || return
	if ! out=$(python3 "$VNS_SRC/tests/host/dataplane/udp_client_check.py" \
		"$TMP/$tag.json" "$TMP/$tag.srv.json" 2>&1); then
		fail "$tag: $out"
		tail -8 "$TMP/$tag.log"
		return
	fi
	echo "ok: $tag: $out"
	grep -E 'sender$|receiver$' "$TMP/$tag.log" | tail -2
}

run_udp udp-p1 -b 200M
run_udp udp-rev -R -b 200M
run_udp udp-p2 -P 2 -b 50M -l 1000

# Nobody listens on 5299: the server's kernel answers the SYN with a RST.
client refused --iperf-client "$HOST_IP:5299" -t 1
if [ "$rc" = 1 ] && grep -q "connection refused" "$TMP/refused.log"; then
	echo "ok: refused: $(grep 'iperf3 client:' "$TMP/refused.log" | tail -1)"
else
	fail "refused: status $rc, expected 1 and 'connection refused'"
	tail -3 "$TMP/refused.log"
fi
# 198.18.0.77 is on the link but nobody has it: no ARP answer.
client unreach --iperf-client 198.18.0.77 -t 1
if [ "$rc" = 1 ] && grep -q "unreachable" "$TMP/unreach.log"; then
	echo "ok: unreachable: $(grep 'iperf3 client:' "$TMP/unreach.log" | tail -1)"
else
	fail "unreachable: status $rc, expected 1 and 'unreachable'"
	tail -3 "$TMP/unreach.log"
fi

[ "$fails" = 0 ] || exit 1
echo "PASS"
