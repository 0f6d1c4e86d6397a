#!/bin/sh
# tools/bench-report's maths on made-up runs: medians, ranges, the ratios the targets use,
# failed runs listed, JSON summary written.
set -u
. "$(dirname "$0")/lib.sh"
B="$VNS_SRC/tools/bench-report"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
for g in 4.0 5.0 6.0; do
	echo "{\"rep\":1,\"mode\":\"kernel\",\"queues\":2,\"packed\":\"off\",\"kind\":\"iperf3\",\"parallel\":1,\"gbps\":$g,\"retransmits\":3,\"qemu_cpu_pct\":{\"io/main\":99.0,\"CPU 0/TCG\":50.0,\"CPU 1/TCG\":40.0},\"busy_pct\":{},\"guest_hugepages\":null}"
done >"$T/runs.jsonl"
for g in 9.0 7.5 8.0; do
	echo "{\"rep\":1,\"mode\":\"vnetsink\",\"queues\":2,\"packed\":\"off\",\"kind\":\"iperf3\",\"parallel\":1,\"gbps\":$g,\"retransmits\":0,\"qemu_cpu_pct\":{\"io/main\":80.0,\"CPU 0/TCG\":100.0},\"busy_pct\":{\"q0\":20.0,\"q1\":30.0},\"guest_hugepages\":{\"total_mb\":256,\"used_mb\":90}}"
done >>"$T/runs.jsonl"
for g in 4.0 8.0 6.0; do
	echo "{\"rep\":1,\"mode\":\"dpdk-virtio\",\"queues\":2,\"packed\":\"off\",\"kind\":\"iperf3\",\"parallel\":1,\"gbps\":$g}"
done >>"$T/runs.jsonl"
# The guest sends (iperf3 -c -R): a table of its own, the same ratios.
echo '{"rep":1,"mode":"vnetsink","queues":2,"packed":"off","kind":"iperf3-R","parallel":4,"gbps":3.0,"retransmits":7}' >>"$T/runs.jsonl"
echo '{"rep":1,"mode":"kernel","queues":2,"packed":"off","kind":"iperf3-R","parallel":4,"gbps":1.2}' >>"$T/runs.jsonl"
echo '{"rep":1,"mode":"dpdk-virtio","queues":2,"packed":"off","kind":"iperf3-R","parallel":4,"gbps":2.0}' >>"$T/runs.jsonl"
echo '{"rep":1,"mode":"vnetsink","queues":2,"packed":"off","kind":"pktgen","size":64,"offered_mpps":1.0,"taken_mpps":0.5,"tap_dropped":5}' >>"$T/runs.jsonl"
echo '{"rep":1,"mode":"kernel","queues":2,"packed":"off","kind":"pktgen","size":64,"offered_mpps":1.0,"taken_mpps":0.25,"tap_dropped":9}' >>"$T/runs.jsonl"
echo '{"rep":1,"mode":"testpmd-vpmd","queues":2,"packed":"off","kind":"pktgen","size":64,"offered_mpps":0.9,"taken_mpps":0.3,"tap_dropped":5}' >>"$T/runs.jsonl"
echo '{"rep":1,"mode":"testpmd-virtio","queues":2,"packed":"off","kind":"pktgen","size":64,"offered_mpps":0.8,"taken_mpps":0.2,"tap_dropped":5}' >>"$T/runs.jsonl"
echo '{"rep":2,"mode":"kernel","queues":1,"packed":"on","error":"boot"}' >>"$T/runs.jsonl"
expect_rc 0 "report" -- "$B" "$T" --markdown "$T/BENCH.md" --command "tools/bench --quick"
expect_out "\| 2 \| off \| 1 \| 5.00 \(4.00–6.00\) \| 6.00 \(4.00–8.00\) \| 8.00 \(7.50–9.00\) \| 1.60x \| 1.33x \|" "medians, ranges and ratios"
expect_out "\| 25.0 \(25.0–25.0\) \|" "busy-poll ratio averaged over queues"
expect_out "The guest sends .*iperf3 -c -R" "the -R table"
expect_out "\| 2 \| off \| 4 \| 1.20 \(1.20–1.20\) \| 2.00 \(2.00–2.00\) \| 3.00 \(3.00–3.00\) \| 2.50x \| 1.50x \| 7 \(7–7\) \|" "-R medians and ratios"
expect_out "\| 2 \| off \| 64 \| 1.000 \| 0.250 .* \| 0.500 .* \| 2.00x \| - \|" "pktgen Mpps and ratio"
expect_out "\| 2 \| off \| 64 \| 0.900 \| 0.200 \(0.200–0.200\) \| 0.300 \(0.300–0.300\) \| 1.50x \|" "testpmd rxonly row: both PMDs and the ratio"
expect_out "1 runs failed: kernel q2? ?q?1 packed=on \(boot\)|1 runs failed: kernel q1 packed=on \(boot\)" "failed runs listed"
expect_rc 0 "summary.json is JSON" -- python3 -c "import json; d = json.load(open('$T/summary.json')); assert len(d) == 10, d"
expect_rc 0 "markdown written with the rerun command" -- grep -q 'tools/bench --quick' "$T/BENCH.md"
printf '\n## Analysis\nhand-written profile notes\n' >>"$T/BENCH.md"
expect_rc 0 "rerun keeps the hand-written analysis" -- "$B" "$T" --markdown "$T/BENCH.md"
expect_rc 0 "analysis still there" -- grep -q 'hand-written profile notes' "$T/BENCH.md"
echo '{broken' >>"$T/runs.jsonl"
expect_rc 1 "a corrupt record is a clear error" -- "$B" "$T"
expect_out "runs.jsonl:18: not JSON" "names the line"
expect_rc 1 "missing runs" -- "$B" "$T/nonexistent"
# Only testpmd runs (tools/bench --modes "testpmd-virtio testpmd-vpmd"): no empty app table.
mkdir "$T/tp"
grep testpmd "$T/runs.jsonl" >"$T/tp/runs.jsonl"
expect_rc 0 "testpmd runs alone" -- "$B" "$T/tp"
expect_out "same app on both PMDs" "the testpmd table"
# shellcheck disable=SC2154 # out is set by expect_rc (lib.sh)
echo "$out" | grep -q 'Small packets' && { echo "FAIL: an empty vnetsink small-packet table"; fails=$((fails + 1)); } || echo "ok: no empty table"
finish
