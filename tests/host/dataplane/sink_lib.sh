# vnetsink on net_tap in a namespace, for the impairment, flood and soak host tests (sourced
# after lib.sh, with VNS, TMP and skip set).
# sink_start NS TAG [ARGS...]  namespace NS (created), vnetsink on tap vns$TAG at 198.18.0.2
#                              with the discard port 9 in --sha256 mode and --stats-json
#                              $TMP/$TAG.json, the tap's side 198.18.0.1; extra ARGS go to
#                              vnetsink. Sets SINK_PID. Returns 1 (log on stdout) on failure.
# sink_stop                    SIGTERM, wait; returns vnetsink's exit status
# sink_del NS                  kill what is left in NS, delete it
# sink_json TAG EXPR           EXPR over the stats file (a Python expression over j)
# sink_wait_json TAG EXPR [S]  wait up to S seconds (10) for EXPR to be True
# sink_pool_in_use TAG         the mbuf pool's in-use count from the stats file
# sink_wait_idle TAG IDLE [S]  wait up to S seconds (15) for in-use == IDLE and no flows but TIME-WAIT ones (they expire after 2 MSL, hold no mbufs)
# sink_trace_start NS TAG PORT FILE  once a second, the sender's `ss -tinoe` of its connections
#                              to SINK_IP:PORT and vnetsink's /vnetsink/flows into FILE, until
#                              sink_trace_stop; sets SINK_TRACE_PID
# sink_trace_report NS FILE PORT  on a failure: what conn_trace.py makes of FILE, and the
#                              sender namespace's nonzero TCP counters (nstat)
# shellcheck shell=bash
SINK_IP=198.18.0.2
SINK_HOST_IP=198.18.0.1
SINK_PID=
# shellcheck disable=SC2034 # read by the tests that source this
SINK_NS=
sink_start() {
	local ns=$1 tag=$2
	shift 2
	# shellcheck disable=SC2034
	SINK_NS=$ns
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	ip netns exec "$ns" "$VNS" -l 0,1 --main-lcore 0 --no-pci --file-prefix "vns-$tag-$$" \
		--vdev "net_tap0,iface=vns$tag" --log-level=pmd.net.tap:error -- \
		--port ethdev:net_tap0 --queues 1 --ip "$SINK_IP/24" --mac 02:00:c6:12:00:02 \
		--discard-port 9 --sha256 --stats-interval 1 --stats-json "$TMP/$tag.json" "$@" \
		>"$TMP/$tag.log" 2>&1 &
	SINK_PID=$!
	for _ in $(seq 1 50); do
		grep -q '^vnetsink: starting' "$TMP/$tag.log" 2>/dev/null && break
		kill -0 "$SINK_PID" 2>/dev/null || break
		sleep 0.2
	done
	if ! grep -q '^vnetsink: starting' "$TMP/$tag.log"; then
		echo "vnetsink did not start:"
		cat "$TMP/$tag.log"
		return 1
	fi
	ip -n "$ns" addr add "$SINK_HOST_IP/24" dev "vns$tag"
	ip -n "$ns" link set "vns$tag" up
	ip netns exec "$ns" ping -c 1 -W 3 "$SINK_IP" >/dev/null 2>&1 ||
		ip netns exec "$ns" ping -c 2 -W 3 "$SINK_IP" >/dev/null 2>&1 ||
		{ echo "vnetsink does not answer ping"; return 1; }
	sink_wait_json "$tag" "'pool' in j" 5
}
sink_stop() {
	local rc=
	[ -n "$SINK_PID" ] || return 0
	kill -TERM "$SINK_PID" 2>/dev/null
	for _ in $(seq 1 50); do
		if ! kill -0 "$SINK_PID" 2>/dev/null; then
			wait "$SINK_PID"
			rc=$?
			break
		fi
		sleep 0.2
	done
	[ -n "$rc" ] || { kill -KILL "$SINK_PID" 2>/dev/null; rc=124; }
	SINK_PID=
	return "$rc"
}
sink_del() {
	ns_del "$1"
	rm -rf /var/run/dpdk/vns-*-$$
}
sink_json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$TMP/$1.json" "$2"
}
sink_wait_json() {
	local n=$((${3:-10} * 5))
	for _ in $(seq 1 "$n"); do
		[ "$(sink_json "$1" "$2" 2>/dev/null)" = True ] && return 0
		sleep 0.2
	done
	return 1
}
sink_pool_in_use() {
	sink_json "$1" 'j["pool"]["in_use"]'
}
sink_trace_start() {
	local ns=$1 tag=$2 port=$3 out=$4 prefix="vns-$2-$$"
	while :; do
		echo "T $(date +%s.%N)"
		ip netns exec "$ns" ss -tinoeH "dst $SINK_IP and dport = :$port"
		echo /vnetsink/flows | dpdk-telemetry.py -f "$prefix" 2>/dev/null | grep -o '{"/vnetsink/flows".*'
		sleep 1
	done >"$out" 2>/dev/null &
	SINK_TRACE_PID=$!
}
sink_trace_stop() {
	[ -n "${SINK_TRACE_PID:-}" ] || return 0
	kill "$SINK_TRACE_PID" 2>/dev/null
	wait "$SINK_TRACE_PID" 2>/dev/null
	SINK_TRACE_PID=
}
sink_trace_report() {
	echo "---- port $3 once a second: the sender's socket and vnetsink's flow ----"
	python3 "$VNS_SRC/tests/host/dataplane/conn_trace.py" "$2" "$3" "$SINK_HOST_IP" 40
	echo "---- the sender namespace's TCP counters ----"
	ip netns exec "$1" nstat -as 2>/dev/null | awk '$1 ~ /^Tcp/ && $2 != 0 { printf "%s=%s ", $1, $2 } END { print "" }'
}
sink_wait_idle() {
	sink_wait_json "$1" "j['pool']['in_use'] == $2 and j['totals']['flows'] == j['totals']['time_wait']" "${3:-15}"
}
