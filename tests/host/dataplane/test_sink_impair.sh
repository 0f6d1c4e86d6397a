#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The impairment matrix: vnetsink on net_tap behind tools/impair (tc-BPF + user-space line on
# the tap's egress, i.e. on the data the client sends), one namespace and one seed per cell:
#   loss 1 %, loss 5 %, reordering 5 % (held 1 ms), duplication 5 %, corruption 1 %, and a
#   mix of the four. In every cell:
#   - a random file sent with socat to the discard port (--sha256) arrives byte-exact: the
#     SHA-256 and the byte count vnetsink reports equal sha256sum's and the file's size;
#   - an iperf3 test's receiver bytes equal the bytes vnetsink counted for it;
#   - the impairment happened (its counters are non-zero), and in the corruption cells the
#     corrupted frames left with bad TCP checksums (tcpdump -vv on the tap) and vnetsink
#     dropped them as such (stack_drop_bad_csum);
#   - afterwards the mbuf pool's in-use count returns to its idle value and no flow is left.
# Usage: test_sink_impair.sh PATH/TO/vnetsink [CELL...]   (root; exits 77 when it cannot run)
# env: VNS_IMPAIR_BYTES (file size, default 1 MB), VNS_IPERF_SECONDS (default 2)
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink [CELL...]}
shift
TMP=$(mktemp -d /tmp/vns-impair.XXXXXX)
BYTES=${VNS_IMPAIR_BYTES:-1048576}
T=${VNS_IPERF_SECONDS:-2}

skip() {
	echo "SKIP: $*"
	rm -rf "$TMP"
	exit 77
}

cleanup() {
	[ -n "$SINK_NS" ] && "$VNS_SRC/tools/impair" --netns "$SINK_NS" "vns$cell" --off >/dev/null 2>&1
	sink_stop >/dev/null 2>&1
	[ -n "$SINK_NS" ] && sink_del "$SINK_NS"
	rm -rf "$TMP"
}

[ "$(id -u)" -eq 0 ] || skip "needs root (netns, tap, BPF, hugepages)"
[ -x "$VNS" ] || skip "vnetsink binary '$VNS' not built"
for tool in ip tc iperf3 socat sha256sum python3 tcpdump clang gcc; do
	command -v "$tool" >/dev/null || skip "'$tool' not installed (tools/install-deps --group test)"
done
[ -e /usr/include/bpf/bpf_helpers.h ] || skip "libbpf-dev not installed (tools/install-deps --group test)"
[ -e /dev/net/tun ] || skip "/dev/net/tun missing"
# shellcheck source=lib.sh
. "$VNS_SRC/tests/host/dataplane/lib.sh"
# shellcheck source=sink_lib.sh
. "$VNS_SRC/tests/host/dataplane/sink_lib.sh"
need_hugepages 64
"$VNS_SRC/tools/impair" --check >"$TMP/check.log" 2>&1 || { cat "$TMP/check.log"; exit 1; }

cell=
trap cleanup EXIT
trap 'exit 1' INT TERM

# name seed impairment args; the counter that must be non-zero
cells=(
	"loss1   11 --loss 1:dropped"
	"loss5   12 --loss 5:dropped"
	"reorder 13 --reorder 5 --delay-us 1000:reordered"
	"dup5    14 --dup 5:duplicated"
	"corrupt 15 --corrupt 1:corrupted"
	"mix     16 --loss 1 --dup 2 --corrupt 1 --reorder 2 --delay-us 500:corrupted"
)
want_cells=" $* "

head -c "$BYTES" /dev/urandom >"$TMP/blob"
want_sha=$(sha256sum "$TMP/blob" | cut -d' ' -f1)

run_cell() { # NAME SEED COUNTER ARGS...
	local name=$1 seed=$2 counter=$3 ns idle got_sha got_len rx tx got n st bad
	shift 3
	cell=$name
	ns=vns-imp-$name-$$
	if ! sink_start "$ns" "$name"; then
		fail "$name: vnetsink did not come up"
		sink_stop >/dev/null 2>&1
		sink_del "$ns"
		SINK_NS=
		return
	fi
	idle=$(sink_pool_in_use "$name")
	if ! "$VNS_SRC/tools/impair" --netns "$ns" "vns$name" --seed "$seed" "$@" >"$TMP/$name.impair" 2>&1; then
		fail "$name: tools/impair: $(cat "$TMP/$name.impair")"
		return
	fi
	case $name in corrupt | mix)
		ip netns exec "$ns" tcpdump -i "vns$name" -nn -vv -l 'tcp dst port 9 or tcp dst port 5201' \
			>"$TMP/$name.dump" 2>/dev/null &
		echo $! >"$TMP/$name.dump.pid"
		sleep 0.5
		;;
	esac

	# discard + SHA-256
	if ! ip netns exec "$ns" timeout 60 socat -u "OPEN:$TMP/blob" "TCP:$SINK_IP:9" 2>"$TMP/$name.socat"; then
		fail "$name: socat to the discard port failed: $(cat "$TMP/$name.socat")"
	elif ! sink_wait_json "$name" "len(j['discard']) >= 1" 20; then
		fail "$name: no discard record after the connection closed"
	else
		got_sha=$(sink_json "$name" "j['discard'][0].get('sha256')")
		got_len=$(sink_json "$name" "j['discard'][0]['bytes']")
		if [ "$got_sha" = "$want_sha" ] && [ "$got_len" = "$BYTES" ]; then
			echo "ok: $name: discard $got_len bytes, sha256 matches"
		else
			fail "$name: discard: vnetsink saw $got_len bytes sha256 $got_sha; sent $BYTES sha256 $want_sha"
		fi
	fi

	# iperf3: receiver bytes == vnetsink's
	if ! ip netns exec "$ns" timeout $((T + 40)) iperf3 -c "$SINK_IP" -t "$T" --json \
		>"$TMP/$name.iperf" 2>"$TMP/$name.iperf.err"; then
		fail "$name: iperf3 did not complete: $(json "$TMP/$name.iperf" 'j.get("error")' 2>/dev/null) $(head -c 300 "$TMP/$name.iperf.err")"
	elif ! sink_wait_json "$name" "len(j['iperf3_tests']) >= 1" 20; then
		fail "$name: no iperf3 test record"
	else
		rx=$(json "$TMP/$name.iperf" 'j["end"]["sum_received"]["bytes"]')
		tx=$(json "$TMP/$name.iperf" 'j["end"]["sum_sent"]["bytes"]')
		got=$(sink_json "$name" "j['iperf3_tests'][0]['bytes']")
		if [ "$rx" = "$got" ] && [ "$rx" -gt 0 ]; then
			echo "ok: $name: iperf3 receiver bytes $rx == vnetsink's (sent $tx, $(json "$TMP/$name.iperf" 'round(j["end"]["sum_received"]["bits_per_second"] / 1e9, 3)') Gbit/s, $(json "$TMP/$name.iperf" 'j["end"]["sum_sent"].get("retransmits")') retransmits)"
		else
			fail "$name: iperf3 receiver bytes $rx, vnetsink counted $got"
		fi
	fi

	if [ -s "$TMP/$name.dump.pid" ]; then
		sleep 0.5
		kill "$(cat "$TMP/$name.dump.pid")" 2>/dev/null
		wait "$(cat "$TMP/$name.dump.pid")" 2>/dev/null
	fi
	st=$("$VNS_SRC/tools/impair" --netns "$ns" "vns$name" --off 2>&1 | tail -1)
	n=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$st" "$counter" 2>/dev/null)
	if [ "${n:-0}" -gt 0 ]; then
		echo "ok: $name: impaired: $st"
	else
		fail "$name: counter $counter is '${n:-}': $st"
	fi
	if [ -s "$TMP/$name.dump.pid" ]; then
		bad=$(grep -c 'incorrect' "$TMP/$name.dump")
		got=$(sink_json "$name" "j['totals']['stack_drop_bad_csum']")
		# tcpdump may miss frames under load, so at least one bad checksum seen. vnetsink drops
		# the corrupted frames as bad_csum, all but the few whose flipped byte made the TCP
		# header itself invalid (data offset), which it drops as malformed before summing.
		if [ "$bad" -ge 1 ] && [ "$got" -le "$n" ] && [ "$((got * 100))" -ge "$((n * 95))" ]; then
			echo "ok: $name: $bad frames with bad TCP checksums on the wire (tcpdump), vnetsink dropped $got as bad_csum"
		else
			fail "$name: tcpdump saw $bad bad checksums, vnetsink dropped $got as bad_csum, the line corrupted $n"
		fi
		rm -f "$TMP/$name.dump.pid"
	fi

	if sink_wait_idle "$name" "$idle" 15; then
		echo "ok: $name: pool in use back to its idle $idle, no flows"
	else
		fail "$name: pool in use $(sink_pool_in_use "$name") (idle $idle), flows $(sink_json "$name" "j['totals']['flows']") 15 s after the transfers"
	fi
	sink_stop || fail "$name: vnetsink did not exit cleanly"
	sink_del "$ns"
	SINK_NS=
}

for c in "${cells[@]}"; do
	spec=${c%%:*}
	counter=${c##*:}
	read -r name seed args <<<"$spec"
	[ "$want_cells" = "  " ] || [[ $want_cells == *" $name "* ]] || continue
	# shellcheck disable=SC2086 # the impairment's words
	run_cell "$name" "$seed" "$counter" $args
done

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all impairment cells passed"
