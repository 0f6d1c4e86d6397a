#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vnetsink as a TCP sender (the stack's bulk sender behind iperf3 -R and --bidir), on DPDK
# net_tap in network namespaces this test creates and removes:
#   - stock iperf3 -c -R (-P 1 and -P 4) and --bidir complete; on each stream vnetsink sent,
#     the client's receiver bytes are at most what vnetsink reports as sent (iperf3 3.12's
#     client stops counting at its own TEST_END while vnetsink sends until it reads it), what
#     vnetsink reports is its test record's count and the bytes its stack sent for the first
#     time, and the client's count is at most what it acknowledged (stack bulk_bytes_acked),
#     which is at most what was sent (the client may close with the last bytes in flight);
#   - in --bidir the client's sent bytes are at least what vnetsink counted received, and
#     each direction gets at least 10 % of the bytes both moved (they share one queue);
#   - -R through 1 % and 5 % loss on the data path (vnetsink -> client: the client sits behind
#     a veth pair routed by the tap's namespace, and tools/impair drops on the veth's egress)
#     completes with the same relations, the loss happened and vnetsink retransmitted;
#   - afterwards the mbuf pool's in-use count is back to idle and no flow is left.
# Usage: test_sink_send.sh PATH/TO/vnetsink   (root; exits 77 with the reason when it cannot run)
# env: VNS_IPERF_SECONDS (default 3)
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink}
TMP=$(mktemp -d /tmp/vns-send.XXXXXX)
T=${VNS_IPERF_SECONDS:-3}
NS=vns-snd-$$
CNS=vns-sndc-$$
VETH=vnsv$$

# shellcheck source=lib.sh
. "$VNS_SRC/tests/host/dataplane/lib.sh"
# shellcheck source=sink_lib.sh
. "$VNS_SRC/tests/host/dataplane/sink_lib.sh"

cleanup() {
	"$VNS_SRC/tools/impair" --netns "$NS" "${VETH}a" --off >/dev/null 2>&1
	sink_stop >/dev/null 2>&1
	ns_del "$CNS"
	sink_del "$NS"
	rm -rf "$TMP"
}

[ -x "$VNS" ] || skip "vnetsink binary '$VNS' not built"
need_tools "tools/install-deps --group test" ip tc iperf3 python3 clang gcc
[ -e /usr/include/bpf/bpf_helpers.h ] || skip "libbpf-dev not installed (tools/install-deps --group test)"
need_hugepages 64
"$VNS_SRC/tools/impair" --check >"$TMP/check.log" 2>&1 || { cat "$TMP/check.log"; exit 1; }

trap cleanup EXIT
trap 'exit 1' INT TERM

sink_start "$NS" snd --max-senders 16 || { fail "vnetsink did not come up"; exit 1; }
grep '^vnetsink: bulk send' "$TMP/snd.log"
idle=$(sink_pool_in_use snd)

# The client namespace behind a veth pair; the tap's namespace routes between the two.
ns_add "$CNS"
ip link add "${VETH}a" netns "$NS" type veth peer name "${VETH}b" netns "$CNS"
ip -n "$NS" addr add 198.18.1.1/24 dev "${VETH}a"
ip -n "$NS" link set "${VETH}a" up
ip -n "$CNS" addr add 198.18.1.2/24 dev "${VETH}b"
ip -n "$CNS" link set "${VETH}b" up
ip -n "$CNS" route add default via 198.18.1.1
ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$CNS" ping -c 1 -W 3 "$SINK_IP" >/dev/null 2>&1 ||
	ip netns exec "$CNS" ping -c 2 -W 3 "$SINK_IP" >/dev/null 2>&1 ||
	fail "vnetsink does not answer ping through the routed veth"


# run NAME NETNS IPERF3-ARGS...: one test; checks the byte relations on both ends.
run() {
	local name=$1 ns=$2 rx tx got sent acked retr rtx idx rev_rx rev_tx fwd_rx fwd_tx sent0 acked0 share
	shift 2
	# Each test's own: its record and the stack's counters from here.
	idx=$(sink_json snd "len(j['iperf3_tests'])")
	sent0=$(sink_json snd "j['totals']['stack_bulk_bytes']")
	acked0=$(sink_json snd "j['totals']['stack_bulk_bytes_acked']")
	if ! ip netns exec "$ns" timeout $((T + 40)) iperf3 -c "$SINK_IP" -t "$T" --json "$@" \
		>"$TMP/$name.json" 2>"$TMP/$name.err"; then
		fail "$name: iperf3 $* did not complete: $(json "$TMP/$name.json" 'j.get("error")' 2>/dev/null) $(head -c 300 "$TMP/$name.err")"
		return
	fi
	if ! sink_wait_json snd "len(j['iperf3_tests']) > $idx" 20; then
		fail "$name: no iperf3 test record in vnetsink's stats"
		return
	fi
	# The stats file is rewritten every second: let it catch up with the test's end.
	sleep 1.2
	got=$(sink_json snd "j['iperf3_tests'][$idx]['bytes']")
	sent=$(($(sink_json snd "j['totals']['stack_bulk_bytes']") - sent0))
	acked=$(($(sink_json snd "j['totals']['stack_bulk_bytes_acked']") - acked0))
	rtx=$(sink_json snd "j['totals']['stack_bulk_retrans']")
	if [[ " $* " == *" --bidir "* ]]; then
		# client -> vnetsink: sum_sent (client wrote) >= sum_received (vnetsink counted);
		# vnetsink -> client: sum_sent_bidir_reverse (vnetsink sent) >= what the client read.
		fwd_tx=$(json "$TMP/$name.json" 'j["end"]["sum_sent"]["bytes"]')
		fwd_rx=$(json "$TMP/$name.json" 'j["end"]["sum_received"]["bytes"]')
		rev_tx=$(json "$TMP/$name.json" 'j["end"]["sum_sent_bidir_reverse"]["bytes"]')
		rev_rx=$(json "$TMP/$name.json" 'j["end"]["sum_received_bidir_reverse"]["bytes"]')
		# Both directions share the tap's one queue: each gets at least 10 % of the sum.
		share=$(json "$TMP/$name.json" 'round(100 * min(j["end"]["sum_received"]["bytes"], j["end"]["sum_received_bidir_reverse"]["bytes"]) / max(1, j["end"]["sum_received"]["bytes"] + j["end"]["sum_received_bidir_reverse"]["bytes"]))')
		echo "$name: client -> vnetsink $(json "$TMP/$name.json" 'round(j["end"]["sum_received"]["bits_per_second"] / 1e9, 3)') Gbit/s, vnetsink -> client $(json "$TMP/$name.json" 'round(j["end"]["sum_received_bidir_reverse"]["bits_per_second"] / 1e9, 3)') Gbit/s (the smaller $share % of the sum)"
		[ "$share" -ge 10 ] || fail "$name: one direction got $share % of the sum (at least 10 % expected)"
		if [ "$rev_tx" = "$sent" ] && [ "$rev_rx" -gt 0 ] && [ "$rev_rx" -le "$acked" ] &&
			[ "$acked" -le "$rev_tx" ] && [ "$fwd_rx" -gt 0 ] && [ "$fwd_rx" -le "$fwd_tx" ] &&
			[ "$got" = "$((fwd_rx + rev_tx))" ]; then
			echo "ok: $name: vnetsink sent $rev_tx, $acked acknowledged, the client read $rev_rx; the client sent $fwd_tx, vnetsink counted $fwd_rx; record $got"
		else
			fail "$name: vnetsink sent $sent (acked $acked), reported $rev_tx, client read $rev_rx; client sent $fwd_tx, vnetsink counted $fwd_rx; record $got"
		fi
		return
	fi
	rx=$(json "$TMP/$name.json" 'j["end"]["sum_received"]["bytes"]')
	tx=$(json "$TMP/$name.json" 'j["end"]["sum_sent"]["bytes"]')
	retr=$(json "$TMP/$name.json" 'j["end"]["sum_sent"].get("retransmits")')
	if [ "$tx" = "$got" ] && [ "$tx" = "$sent" ] && [ "$rx" -gt 0 ] && [ "$rx" -le "$acked" ] &&
		[ "$acked" -le "$tx" ]; then
		echo "ok: $name: vnetsink sent $tx (== its record and its stack's first-time bytes; $acked acknowledged), the client read $rx while running; $(json "$TMP/$name.json" 'round(j["end"]["sum_received"]["bits_per_second"] / 1e9, 3)') Gbit/s, $retr retransmits reported (stack total $rtx)"
	else
		fail "$name: client read $rx, vnetsink reported $tx, recorded $got, its stack sent $sent (acked $acked)"
	fi
}

run rev1 "$NS" -R
run rev4 "$NS" -R -P 4
run bidir "$NS" --bidir
run rev-routed "$CNS" -R

for cell in "1 21" "5 22"; do
	read -r pct seed <<<"$cell"
	rtx0=$(sink_json snd "j['totals']['stack_bulk_retrans']")
	if ! "$VNS_SRC/tools/impair" --netns "$NS" "${VETH}a" --seed "$seed" --loss "$pct" \
		>"$TMP/impair$pct.log" 2>&1; then
		fail "tools/impair --loss $pct: $(cat "$TMP/impair$pct.log")"
		continue
	fi
	run "loss$pct" "$CNS" -R
	st=$("$VNS_SRC/tools/impair" --netns "$NS" "${VETH}a" --off 2>&1 | tail -1)
	n=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["dropped"])' "$st" 2>/dev/null)
	rtx=$(($(sink_json snd "j['totals']['stack_bulk_retrans']") - rtx0))
	if [ "${n:-0}" -gt 0 ] && [ "$rtx" -gt 0 ]; then
		echo "ok: loss$pct: the line dropped $n frames, vnetsink retransmitted $rtx segments"
	else
		fail "loss$pct: dropped '${n:-}', retransmitted $rtx: $st"
	fi
done

if sink_wait_idle snd "$idle" 15; then
	echo "ok: pool in use back to its idle $idle, no flows"
else
	fail "pool in use $(sink_pool_in_use snd) (idle $idle), flows $(sink_json snd "j['totals']['flows']")"
fi
sink_stop || fail "vnetsink did not exit cleanly"
# (bad_wnd is not checked: a Linux receiver may retract its right edge by a scale unit.)
for c in bad_ack_beyond bad_sack; do
	v=$(sink_json snd "j['totals']['stack_$c']")
	[ "$v" = 0 ] || fail "stack_$c is $v against a Linux client"
done

if [ "$fails" -ne 0 ]; then
	echo "---- vnetsink log ----"
	grep -v '^\[' "$TMP/snd.log" | tail -30
	echo "$fails check(s) failed"
	exit 1
fi
echo "all vnetsink send checks passed"
