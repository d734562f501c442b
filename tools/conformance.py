#!/usr/bin/env python3
"""Compare `tandem analyze` flow records with tshark's view of the suricata-verify oracle captures.

Usage: tools/conformance.py [ORACLE_DIR] > report.md

ORACLE_DIR defaults to ../shared/oracles/suricata-verify (the captures are third-party data and are never copied into
this repository). For every capture listed in a case's expected-tshark.json, runs
`bin/tandem analyze --set stream.checksum-validation=no --pcap P --eve -` and matches Tandem's TCP and UDP flow records
to tshark's streams by their endpoint pair, comparing packets per direction. Prints a Markdown table and a summary.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def endpoint_split(text):
    host, port = text.rsplit(":", 1)
    return host.strip("[]"), int(port)


def analyze(pcap):
    proc = subprocess.run(
        [os.path.join(ROOT, "bin", "tandem"), "analyze", "--set", "stream.checksum-validation=no",
         "--pcap", pcap, "--eve", "-"],
        capture_output=True, text=True)
    flows = []
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("event_type") == "flow":
            flows.append(record)
    return proc.returncode, flows, proc.stderr.strip().splitlines()


def main():
    oracle_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "oracles", "suricata-verify")
    rows = []
    cases = failures = 0
    for case in sorted(os.listdir(oracle_dir)):
        expected_path = os.path.join(oracle_dir, case, "expected-tshark.json")
        if not os.path.exists(expected_path):
            continue
        for expected in json.load(open(expected_path)):
            pcap = os.path.join(oracle_dir, case, expected["file"])
            cases += 1
            rc, flows, stderr = analyze(pcap)
            by_pair = {}
            for f in flows:
                if f["proto"] not in ("TCP", "UDP"):
                    continue
                a = (f["src_ip"], f["src_port"])
                b = (f["dest_ip"], f["dest_port"])
                by_pair.setdefault((f["proto"], frozenset([a, b])), []).append(f)
            problems = []
            if rc != 0:
                problems.append("exit %d: %s" % (rc, stderr[-1] if stderr else ""))
            streams = [("TCP", s) for s in expected["tcp_streams"].values()] + \
                      [("UDP", s) for s in expected["udp_streams"].values()]
            matched = 0
            for proto, s in streams:
                a = endpoint_split(s["A"])
                b = endpoint_split(s["B"])
                candidates = by_pair.get((proto, frozenset([a, b])), [])
                if not candidates:
                    problems.append("%s %s<->%s missing" % (proto, s["A"], s["B"]))
                    continue
                pkts_ab = pkts_ba = 0
                for f in candidates:
                    forward = (f["src_ip"], f["src_port"]) == a
                    pkts_ab += f["flow"]["pkts_toserver"] if forward else f["flow"]["pkts_toclient"]
                    pkts_ba += f["flow"]["pkts_toclient"] if forward else f["flow"]["pkts_toserver"]
                if (pkts_ab, pkts_ba) != (s["pkts"]["A->B"], s["pkts"]["B->A"]):
                    problems.append("%s %s<->%s pkts %d/%d, tshark %d/%d" % (
                        proto, s["A"], s["B"], pkts_ab, pkts_ba, s["pkts"]["A->B"], s["pkts"]["B->A"]))
                else:
                    matched += 1
            extra = sum(1 for f in flows if f["proto"] in ("TCP", "UDP")) - \
                sum(len(v) for k, v in by_pair.items()
                    if any(k == (p, frozenset([endpoint_split(s["A"]), endpoint_split(s["B"])])) for p, s in streams))
            if extra > 0:
                problems.append("%d TCP/UDP flow(s) tshark has no stream for" % extra)
            if problems:
                failures += 1
            rows.append((case, expected["file"], len(streams), matched, "; ".join(problems) or "agree"))
    print("| case | capture | tshark streams | agreeing | result |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| %s | %s | %d | %d | %s |" % row)
    print()
    print("%d captures, %d agree on every TCP/UDP stream, %d differ." % (cases, cases - failures, failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
