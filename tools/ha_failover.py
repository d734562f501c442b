#!/usr/bin/env python3
"""The HA failover drill through files, by hand: one node against two.

Usage: tools/ha_failover.py [--dir DIR] [--seed N] [--sessions N] [--app-pct P] [--split F]...

Writes a synthetic capture with `bin/tandem synth` (application protocols mixed in), splits it by packet count at
each fraction F (default 1/3 and 1/2; a split never falls between two packets of the same time), and runs
`bin/tandem analyze --reassembly-digest` three times per split: on the whole capture (one node), on the first part
with HA on writing an HA file (node 1, both throttles 0), and on the second part primed from that file (node 2).

Every session with packets on both sides of the split must end on node 2 as on the one node: app_proto (and _ts/_tc),
flow state, reason, start, end, packets and bytes per direction, TCP state and flags per direction. Reassembled
bytes: node 2 cannot have the whole stream's SHA-256 (node 1 reassembled the first part), so the check is that the two
nodes together reassembled it exactly once: bytes, gaps and gap bytes of node 1 and node 2 add up to the one node's,
per direction. (node/src/test/java/io/tandem/node/cli/AnalyzeFailoverTest.java also checks the digests of the two
parts against the one node's stream.) Prints one line per split and every difference; exits 1 when any.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TANDEM = os.path.join(ROOT, "bin", "tandem")
HA = ["--set", "ha.enabled=true", "--set", "ha.min-session-lifetime=0", "--set", "ha.min-sync-interval=0"]
FIELDS = [("app_proto",), ("app_proto_ts",), ("app_proto_tc",), ("flow", "state"), ("flow", "reason"),
          ("flow", "start"), ("flow", "end"), ("flow", "pkts_toserver"), ("flow", "pkts_toclient"),
          ("flow", "bytes_toserver"), ("flow", "bytes_toclient"), ("tcp", "state"), ("tcp", "tcp_flags_ts"),
          ("tcp", "tcp_flags_tc")]


def run(*args):
    proc = subprocess.run([TANDEM, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("tandem %s failed (%d): %s" % (args[0], proc.returncode, proc.stderr.strip()))


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        sys.exit("%s: not a little-endian pcap" % path)
    scale = 1000 if magic == 0xa1b2c3d4 else 1
    records, at = [], 24
    while at + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from("<IIII", data, at)
        records.append(((sec * 1_000_000_000 + frac * scale), data[at:at + 16 + incl]))
        at += 16 + incl
    return data[:24], records


def split(whole, fraction, first, second):
    header, records = read_pcap(whole)
    at = int(len(records) * fraction)
    while 0 < at < len(records) and records[at - 1][0] == records[at][0]:
        at += 1
    with open(first, "wb") as a, open(second, "wb") as b:
        a.write(header)
        b.write(header)
        for i, (_, record) in enumerate(records):
            (a if i < at else b).write(record)
    return at, records[at][0], len(records)


def flows(eve):
    out = {}
    with open(eve) as f:
        for line in f:
            r = json.loads(line)
            if r.get("event_type") == "flow":
                key = "%s %s:%s > %s:%s vlan %s" % (r["proto"], r["src_ip"], r.get("src_port"), r["dest_ip"],
                                                    r.get("dest_port"), r.get("vlan", []))
                out[key] = r
    return out


def nanos(eve_time):
    t = datetime.strptime(eve_time, "%Y-%m-%dT%H:%M:%S.%f%z")
    return int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000


def get(record, path):
    for p in path:
        if not isinstance(record, dict) or p not in record:
            return None
        record = record[p]
    return record


def compare(single, node1, node2, split_ns):
    spanning, tcp, apps, node2_bytes, differing, takeover_gaps = 0, 0, 0, 0, [], []
    for key, one in single.items():
        if nanos(one["flow"]["start"]) >= split_ns or nanos(one["flow"]["end"]) < split_ns:
            continue
        spanning += 1
        first, second = node1.get(key), node2.get(key)
        if first is None or second is None:
            differing.append("%s: missing on node %d" % (key, 1 if first is None else 2))
            continue
        why = ["%s %s vs %s" % ("/".join(f), get(one, f), get(second, f)) for f in FIELDS
               if get(one, f) != get(second, f)]
        if one.get("app_proto") not in (None, "failed"):
            apps += 1
        if one["proto"] == "TCP":
            tcp += 1
            for d in ("toserver", "toclient"):
                node2_bytes += second["reassembly"][d]["bytes"]
                held = second["reassembly"][d].get("takeover_gap_bytes", 0)
                if held:
                    takeover_gaps.append("%s: %s: %d bytes only node 1 had (a takeover gap on node 2)" % (key, d, held))
                for field in ("bytes", "gaps", "gap_bytes"):
                    total = first["reassembly"][d][field] + second["reassembly"][d][field]
                    if field == "bytes":
                        total += held
                    if total != one["reassembly"][d][field]:
                        why.append("reassembly %s %s: %d + %d vs %d" % (d, field, first["reassembly"][d][field],
                                                                        second["reassembly"][d][field],
                                                                        one["reassembly"][d][field]))
        if why:
            differing.append("%s: %s" % (key, "; ".join(why)))
    return spanning, tcp, apps, node2_bytes, differing, takeover_gaps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="keep the files here (default: a temporary directory)")
    parser.add_argument("--seed", default="5")
    parser.add_argument("--sessions", default="400")
    parser.add_argument("--concurrency", default="60")
    parser.add_argument("--app-pct", default="80")
    parser.add_argument("--split", action="append", type=float, help="fraction of the packets node 1 gets")
    args = parser.parse_args()
    work = args.dir or tempfile.mkdtemp(prefix="tandem-failover-")
    os.makedirs(work, exist_ok=True)
    whole = os.path.join(work, "whole.pcap")
    run("synth", "--out", whole, "--seed", args.seed, "--sessions", args.sessions, "--concurrency",
        args.concurrency, "--app-pct", args.app_pct)
    single_eve = os.path.join(work, "single.json")
    run("analyze", "--pcap", whole, "--eve", single_eve, "--reassembly-digest")
    single = flows(single_eve)
    failed = False
    for fraction in args.split or [1 / 3, 1 / 2]:
        tag = "%.3f" % fraction
        first, second = os.path.join(work, "first-%s.pcap" % tag), os.path.join(work, "second-%s.pcap" % tag)
        ha_file = os.path.join(work, "node1-%s.ha" % tag)
        eve1, eve2 = os.path.join(work, "node1-%s.json" % tag), os.path.join(work, "node2-%s.json" % tag)
        if os.path.exists(ha_file):
            os.remove(ha_file)
        at, split_ns, total = split(whole, fraction, first, second)
        run("analyze", "--pcap", first, "--eve", eve1, "--reassembly-digest", "--set", "ha.node-id=1",
            "--set", "ha.runtime-output-file=" + ha_file, *HA)
        run("analyze", "--pcap", second, "--eve", eve2, "--reassembly-digest", "--set", "ha.node-id=2",
            "--set", "ha.startup-input-file=" + ha_file, *HA)
        spanning, tcp, apps, node2_bytes, differing, held = compare(single, flows(eve1), flows(eve2), split_ns)
        print("split at packet %d of %d: %d flows, %d sessions span the split (%d TCP, %d with an application "
              "protocol), node 2 reassembled %d bytes of them, %d takeover gaps, %d differ"
              % (at, total, len(single), spanning, tcp, apps, node2_bytes, len(held), len(differing)))
        for d in held + differing:
            print("  " + d)
        failed |= bool(differing)
    print("files in " + work)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
