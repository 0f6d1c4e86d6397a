#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks one -u test of vnetsink's client mode (test_client_iperf3.sh) against the stock
iperf3 -s's own JSON: OURS.json THEIRS.json. Prints a one-line summary, exits 1 with the
first mismatch. The sender's datagrams are the receiver's total (its highest sequence
number) plus what was lost at the very end; the receiver's bytes plus the lost datagrams'
bytes are the sender's bytes; what our report says the server counted is what the server
wrote."""
import json
import sys


def main():
    ours = json.load(open(sys.argv[1]))
    srv = json.load(open(sys.argv[2]))
    reverse = ours["start"]["test_start"]["reverse"] == 1
    blk = ours["start"]["test_start"]["blksize"]
    streams = ours["end"]["streams"]
    sent_pk = sum(s["udp"]["sent_packets"] for s in streams)
    rx_pk = sum(s["udp"]["packets"] for s in streams)
    lost = sum(s["udp"]["lost_packets"] for s in streams)
    sent_b = ours["end"]["sum_sent"]["bytes"]
    rx_b = ours["end"]["sum_received"]["bytes"]
    if sent_pk <= 0:
        sys.exit("nothing sent")
    # Datagrams lost at the very end leave no gap the receiver could see: they are the
    # difference of the totals. With -R they include what iperf3 -s sent after our TEST_END
    # until it read it (a quarter of the test when this shared host schedules it late);
    # more than that is a bug, not load.
    tail = sent_pk - rx_pk
    if tail < 0 or tail > sent_pk // (4 if reverse else 100):
        sys.exit("receiver's total %d datagrams, sender sent %d" % (rx_pk, sent_pk))
    if rx_b + (lost + tail) * blk != sent_b:
        sys.exit("received %d bytes + %d lost x %d != sent %d"
                 % (rx_b, lost + tail, blk, sent_b))
    # iperf3 3.12 -s -J: sum_received is its receiving side, sum_sent its sending one.
    if reverse:
        theirs = srv["end"]["sum_sent"]
        if theirs["bytes"] != sent_b:
            sys.exit("iperf3 -s sent %d bytes; we report %d" % (theirs["bytes"], sent_b))
    else:
        theirs = srv["end"]["sum_received"]
        if (theirs["bytes"], theirs["packets"], theirs["lost_packets"]) != (rx_b, rx_pk, lost):
            sys.exit("iperf3 -s received %d bytes, %d datagrams, %d lost; we report %d, %d, %d"
                     % (theirs["bytes"], theirs["packets"], theirs["lost_packets"], rx_b,
                        rx_pk, lost))
    print("%s: %d datagrams sent, %d lost, %d bytes received, jitter %.3f ms"
          % ("reverse" if reverse else "forward", sent_pk, lost, rx_b,
             ours["end"]["sum"]["jitter_ms"]))


main()
