#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Summarize a connection trace written by sink_trace_start (sink_lib.sh).

The trace holds, once a second: a "T <epoch>" line, the sender's `ss -tinoeH` lines for its
connections to the sink port, and vnetsink's /vnetsink/flows reply. This prints one line per
sample in which either side's progress changed (the sender's bytes_acked, retransmissions,
backoff; vnetsink's RCV.NXT, last ACK sent, out-of-order entries), so a transfer that stalls
shows which side stopped: a sender whose bytes_acked lags vnetsink's last ACK ignores our ACKs;
a vnetsink whose RCV.NXT stops while the sender backs off never got the retransmission.

Usage: conn_trace.py TRACE PORT PEER [MAX_LINES]   (PEER: the sender's address; flows from
any other, such as a flood's spoofed SYNs, are left out)
"""
import json
import re
import sys

SS_FIELDS = ("bytes_sent", "bytes_retrans", "bytes_acked", "unacked", "backoff", "rto", "cwnd",
             "lastsnd", "lastrcv", "lastack")


def parse_ss(lines):
    """One dict per socket: continuation lines (leading blank) belong to the line above."""
    socks, cur = [], None
    for line in lines:
        if not line.strip():
            continue
        if not line[0].isspace():
            cur = {"raw": line}
            socks.append(cur)
        elif cur is not None:
            cur["raw"] += " " + line.strip()
    for s in socks:
        raw = s["raw"]
        addrs = re.findall(r"\S+:(\d+)\s", raw)
        s["lport"] = int(addrs[0]) if addrs else 0
        s["state"] = raw.split()[0]
        for name in SS_FIELDS:
            m = re.search(r"\b%s:([\d.]+)" % name, raw)
            s[name] = m.group(1) if m else "-"
        m = re.search(r"\bretrans:(\d+/\d+)", raw)
        s["retrans"] = m.group(1) if m else "0/0"
        m = re.search(r"timer:\(([^)]*)\)", raw)
        s["timer"] = m.group(1) if m else "-"
    return socks


def parse_flows(line, port, peer):
    try:
        doc = json.loads(line)["/vnetsink/flows"]
    except (ValueError, KeyError, TypeError):
        return None
    return {v["peer_port"]: v for v in doc.values()
            if isinstance(v, dict) and v.get("local_port") == port and v.get("peer") == peer}


def samples(path, port, peer):
    t, ss, flows = None, [], None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("T "):
                if t is not None:
                    yield t, parse_ss(ss), flows
                t, ss, flows = float(line[2:]), [], None
            elif line.startswith('{"/vnetsink/flows"'):
                flows = parse_flows(line, port, peer)
            else:
                ss.append(line)
    if t is not None:
        yield t, parse_ss(ss), flows


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: conn_trace.py TRACE PORT PEER [MAX_LINES]")
    path, port, peer = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    max_lines = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    out, last, t0 = [], {}, None
    for t, socks, flows in samples(path, port, peer):
        t0 = t if t0 is None else t0
        ports = {s["lport"] for s in socks} | set(flows or {})
        for p in sorted(ports):
            s = next((x for x in socks if x["lport"] == p), None)
            v = (flows or {}).get(p)
            snd = ("sender %s acked %s sent %s retrans %s (%s B) backoff %s rto %s cwnd %s "
                   "timer %s last snd/rcv/ack %s/%s/%s ms" % (
                       s["state"], s["bytes_acked"], s["bytes_sent"], s["retrans"],
                       s["bytes_retrans"], s["backoff"], s["rto"], s["cwnd"], s["timer"],
                       s["lastsnd"], s["lastrcv"], s["lastack"])) if s else "sender: no socket"
            if flows is None:
                sink = "vnetsink: no telemetry reply"
            elif v is None:
                sink = "vnetsink: no flow"
            else:
                sink = "vnetsink %s rcv_nxt %s last_ack %s ooo %s idle %.1f ms" % (
                    v["state"], v["rcv_nxt"], v["last_ack_sent"], v["ooo_entries"],
                    v["idle_us"] / 1000.0)
            key = (s and (s["state"], s["bytes_acked"], s["retrans"], s["backoff"]),
                   v and (v["state"], v["rcv_nxt"], v["last_ack_sent"], v["ooo_entries"]))
            if last.get(p) == key:
                continue
            last[p] = key
            out.append("  +%6.1f s :%d %s | %s" % (t - t0, p, snd, sink))
    if len(out) > max_lines:
        head = max_lines // 4
        out = out[:head] + ["  ... %d lines ..." % (len(out) - max_lines)] + \
            out[len(out) - (max_lines - head):]
    print("\n".join(out) if out else "  (no samples)")


if __name__ == "__main__":
    main()
