#!/bin/bash
# tools/run-vm's settings for testpmd, device properties and queue counts: each bad value is
# one clear line and exit 1 (checked before root, the image or QEMU are needed); and how
# tools/lib/vm.sh reads testpmd's counters from a serial log (escape codes included).
set -u
. "$(dirname "$0")/lib.sh"
R="$VNS_SRC/tools/run-vm"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
expect_rc 1 "unknown mode" -- "$R" --mode bogus
expect_out "MODE=bogus: vnetsink, dpdk-virtio, kernel, testpmd, vnetsink-client, dpdk-virtio-client or kernel-client" "names the testpmd and client modes"
expect_lines 1 "one line"
expect_rc 1 "client options that are no iperf3 options" -- "$R" --mode vnetsink-client --client '-P 4;reboot'
expect_out "CLIENT_ARGS '-P 4;reboot': iperf3 options" "names the key"
expect_lines 1 "one line"
expect_rc 1 "unknown PMD" -- "$R" --mode testpmd --pmd e1000
expect_out "PMD=e1000: vpmd \(our net_vpmd\) or virtio" "names both PMDs"
expect_rc 1 "unknown forwarding mode" -- "$R" --mode testpmd --fwd csum
expect_out "FWD=csum: rxonly, macswap, txonly or io" "names the forwarding modes"
expect_rc 1 "stats period 0" -- env TESTPMD_STATS=0 "$R" --mode testpmd
expect_out "TESTPMD_STATS=0" "names the key"
expect_rc 1 "testpmd seconds not a number" -- "$R" --mode testpmd --testpmd-secs 1s
expect_out "TESTPMD_SECS=1s" "names the key"
expect_rc 1 "257 queues: more than a tap takes" -- "$R" --queues 257
expect_out "1 to 256 \(the tap's limit\)" "says why"
expect_rc 1 "guest queues above the device's" -- "$R" --queues 4 --guest-queues 5
expect_out "GUEST_QUEUES=5: 1 to the device's 4 queue pairs" "says the bound"
expect_rc 1 "device properties with a space" -- "$R" --net-opts "modern-pio-notify=on x=1"
expect_out "prop=value,prop=value" "says the syntax"
expect_rc 1 "device properties with a quote" -- "$R" --net-opts "a=1'"
# testpmd's periodic block as it reaches the serial log: clear-screen codes, CRLF.
printf '\033[2J\033[1;1H\r\n  ######################## NIC statistics for port 0  ########################\r\n  RX-packets: 12         RX-missed: 0          RX-bytes:  768\r\n  TX-packets: 10         TX-errors: 0          TX-bytes:  640\r\n  ############################################################################\r\n' >"$T/log"
printf '  ######################## NIC statistics for port 0  ########################\r\n  RX-packets: 3001       RX-missed: 0          RX-bytes:  192064\r\n  TX-packets: 2999       TX-errors: 0          TX-bytes:  191936\r\n  ############################################################################\r\n' >>"$T/log"
expect_rc 0 "vm_testpmd_stat on two blocks" -- env VM_TMP="$T" VM_LOG="$T/log" bash -c '. "$1/tools/lib/vm.sh"; echo "$(vm_testpmd_stat RX-packets) $(vm_testpmd_stat TX-packets)"' _ "$VNS_SRC"
expect_out "^3001 2999$" "vm_testpmd_stat: the last block's RX-packets and TX-packets"
: >"$T/log"
expect_rc 0 "vm_testpmd_stat on an empty log" -- env VM_TMP="$T" VM_LOG="$T/log" bash -c '. "$1/tools/lib/vm.sh"; echo "[$(vm_testpmd_stat RX-packets)]"' _ "$VNS_SRC"
expect_out "^\[\]$" "vm_testpmd_stat: empty before the first block"
finish
