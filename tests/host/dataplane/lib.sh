# Shared by the host dataplane tests (sourced after TMP is set).
# skip MSG                 say why the test cannot run, remove $TMP, exit 77
# fail MSG                 count a failed check (the test exits non-zero at the end)
# json FILE EXPR           evaluate a Python expression over the JSON document j
# need_tools HINT TOOL...  root, /dev/net/tun and every TOOL on PATH, or skip (HINT: how to
#                          install the tools)
# ns_add NS                create network namespace NS with lo up, or skip
# ns_del NS                kill what is left in NS, delete it
# stop_pid PID [SIG]       signal PID (SIGTERM), wait up to 6 s, then SIGKILL; nothing if PID
#                          is empty or gone
# vns_started LOG PID [ON] wait up to 10 s for vnetsink PID to log its start line in LOG;
#                          returns 1 and prints LOG when it did not ("did not start on ON")
# vns_term PID             SIGTERM vnetsink PID and wait up to 10 s; sets vns_rc to its exit
#                          status, empty when it is still running
# testpmd_vhost NS TAP SOCK PREFIX
#                          dpdk-testpmd in NS forwarding (io) between net_tap on TAP (created
#                          in NS) and net_vhost on the vhost-user socket SOCK, log
#                          $TMP/testpmd.log; sets TP_PID; returns 1 and prints the log's tail
#                          when SOCK did not appear within 10 s
# need_hugepages N         from tests/host/lib.sh
# shellcheck shell=bash
skip() {
	echo "SKIP: $*"
	rm -rf "$TMP"
	exit 77
}
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
need_tools() {
	local hint=$1 tool
	shift
	[ "$(id -u)" -eq 0 ] || skip "needs root (netns, tap, hugepages)"
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip "'$tool' not installed ($hint)"
	done
	[ -e /dev/net/tun ] || skip "/dev/net/tun missing (the tap driver is not available)"
}
ns_add() {
	ip netns add "$1" || skip "cannot create network namespace $1"
	ip -n "$1" link set lo up
}
ns_del() {
	ip netns pids "$1" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$1" 2>/dev/null
}
stop_pid() {
	[ -n "$1" ] || return 0
	kill -0 "$1" 2>/dev/null || return 0
	kill -"${2:-TERM}" "$1" 2>/dev/null
	for _ in $(seq 1 30); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
	kill -KILL "$1" 2>/dev/null
}
vns_started() {
	for _ in $(seq 1 50); do
		grep -q '^vnetsink: starting' "$1" 2>/dev/null && break
		kill -0 "$2" 2>/dev/null || break
		sleep 0.2
	done
	grep -q '^vnetsink: starting' "$1" && return 0
	echo "vnetsink did not start${3:+ on $3}:"
	cat "$1"
	return 1
}
vns_term() {
	# shellcheck disable=SC2034 # read by the tests that source this
	vns_rc=
	kill -TERM "$1"
	for _ in $(seq 1 50); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			# shellcheck disable=SC2034
			vns_rc=$?
			break
		fi
		sleep 0.2
	done
}
testpmd_vhost() {
	# --stats-period keeps testpmd running with stdin closed.
	ip netns exec "$1" dpdk-testpmd -l 0,1 --main-lcore 1 --no-pci --in-memory -m 128 \
		--file-prefix "$4" --no-telemetry --log-level=lib.eal:error \
		--vdev "net_tap0,iface=$2" --vdev "net_vhost0,iface=$3,queues=1" -- \
		--forward-mode=io --auto-start --total-num-mbufs=8192 --stats-period 1 \
		>"$TMP/testpmd.log" 2>&1 </dev/null &
	TP_PID=$!
	for _ in $(seq 1 100); do
		[ -S "$3" ] && break
		kill -0 "$TP_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$3" ] && return 0
	echo "dpdk-testpmd did not create $3:"
	tail -20 "$TMP/testpmd.log"
	return 1
}
# shellcheck source=../lib.sh
. "$VNS_SRC/tests/host/lib.sh"
