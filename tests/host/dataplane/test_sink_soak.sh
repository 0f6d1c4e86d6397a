#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The CI version of tools/soak: 2 minutes of connection churn (short iperf3 tests, discard
# connections closed by FIN and by RST, half-opens, frozen clients) against vnetsink on
# net_tap, then the pool's in-use count and the flow count back to idle and no error counter
# grown without cause. tools/soak does the checks and exits non-zero when one fails.
# Usage: test_sink_soak.sh PATH/TO/vnetsink   (root; exits 77 when it cannot run)
# env: VNS_SOAK_MINUTES (default 2)
set -u
VNS=${1:?usage: $0 PATH/TO/vnetsink}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$VNS" ] || { echo "SKIP: vnetsink binary '$VNS' not built"; exit 77; }
for tool in ip iperf3 socat python3 sha256sum; do
	command -v "$tool" >/dev/null || { echo "SKIP: '$tool' not installed (tools/install-deps --group test)"; exit 77; }
done
[ -e /dev/net/tun ] || { echo "SKIP: /dev/net/tun missing"; exit 77; }
build=$(dirname "$(dirname "$VNS")")
VNS_BUILD=$build exec "$VNS_SRC/tools/soak" --minutes "${VNS_SOAK_MINUTES:-2}"
