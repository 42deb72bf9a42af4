#!/usr/bin/python3
"""flow_oracle.py -- compare soc-sensor's flow events with tshark's view.

  flow_oracle.py --sensor BIN CAPTURE|DIR ...   sensor vs tshark oracle
  flow_oracle.py --manifest CAPTURE ...         generator manifest vs tshark
                                                (checks the oracle and the
                                                generator against each other)
  flow_oracle.py [-v] CAPTURE|DIR ...           print the oracle's flows only

For a directory every *.pcap / *.pcapng below it is checked. Exit status: 0
all matched, 1 a mismatch, 77 skipped (a path does not exist, e.g. ../shared
is not present). See tshark_flows.py for the flow semantics and the explicit
list of frames left out of the comparison."""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import eve  # noqa: E402
import flowcmp  # noqa: E402
import tshark_flows as tf  # noqa: E402

SKIP = 77

# Captures whose traffic is entirely out of the sensor's scope, with the
# reason. The comparison still runs (nothing must crash and no flow may
# appear), these only explain the expected empty result in the report.
OUT_OF_SCOPE = {
    "zeek/radiotap.pcap": "802.11 radiotap link type",
    "zeek/ieee80211.15.4.pcap": "IEEE 802.15.4 link type",
    "zeek/nflog-http.pcap": "Linux NFLOG link type",
    "zeek/wlanmon.pcap": "802.11 monitor-mode link type",
}


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                # pcaps/corrupt holds broken files for corrupt_check.py
                dirs[:] = sorted(d for d in dirs if d not in ("expected", "corrupt"))
                for name in sorted(files):
                    if name.endswith((".pcap", ".pcapng", ".cap")):
                        yield os.path.join(root, name)
        else:
            yield p


def excused_pairs(frames):
    """Excluded frames with known addresses, by (vlan, address pair)."""
    out = {}
    for fr in frames:
        if fr.excluded and fr.addrs:
            k = (fr.vlan, frozenset(fr.addrs))
            out.setdefault(k, []).append("#%d %s %s" % (fr.num, fr.excluded, fr.detail))
    return out


def exclusion_summary(frames):
    counts = {}
    for fr in frames:
        if fr.excluded:
            counts[fr.excluded] = counts.get(fr.excluded, 0) + 1
    return counts


def manifest_flows(pcap):
    """Flows from pcaps/expected/<name>.json next to a generated capture."""
    base = os.path.splitext(os.path.basename(pcap))[0]
    mpath = os.path.join(os.path.dirname(os.path.abspath(pcap)), "expected", base + ".json")
    with open(mpath, encoding="utf-8") as fh:
        m = json.load(fh)
    flows = []
    for f in m["flows"]:
        d = {k: f[k] for k in ("proto", "src_ip", "dest_ip") + flowcmp.COUNT_FIELDS}
        d["src_ip"], d["dest_ip"] = eve.norm_addr(d["src_ip"]), eve.norm_addr(d["dest_ip"])
        if "src_port" in f:
            d["src_port"], d["dest_port"] = f["src_port"], f["dest_port"]
        if f.get("vlan"):
            d["vlan"] = f["vlan"]
        flows.append(d)
    return flows, m


def check_manifest(pcap, verbose):
    flows, frames, lts, err = tf.expected_flows(pcap)
    expected = [f.to_dict() for f in flows]
    mflows, m = manifest_flows(pcap)
    res = flowcmp.compare(mflows, expected)
    excl = exclusion_summary(frames)
    # the frames the generator put outside any flow must be exactly the
    # frames the oracle excluded
    problems = list(res.failures) + res.tolerated
    if sum(excl.values()) != m["non_flow_frames"]:
        problems.append("oracle excluded %d frames %s, manifest has %d non-flow frames" % (
            sum(excl.values()), excl, m["non_flow_frames"]))
    if len(frames) != m["packets"]:
        problems.append("tshark read %d frames, manifest says %d" % (len(frames), m["packets"]))
    status = "ok" if not problems else "MISMATCH"
    print("%s: %s: %d flows (manifest %d), excluded %s" % (
        status, pcap, len(expected), len(mflows), excl or "none"))
    for p in problems:
        print("  " + p)
    if verbose:
        for f in expected:
            print("  oracle: %s %s" % (flowcmp.fmt_flow(f), flowcmp.fmt_counts(f)))
    return not problems


def check_sensor(pcap, sensor, extra, verbose, root, timeouts=None):
    rel = os.path.relpath(pcap, root) if root else pcap
    flows, frames, lts, err = tf.expected_flows(pcap, timeouts)
    run = eve.run_sensor(sensor, pcap, extra)
    problems = []
    if run.crashed:
        problems.append("sensor crashed or sanitizer report (exit %d): %s" % (
            run.rc, run.stderr.strip()[-800:]))
    if run.bad_lines:
        problems.append("%d EVE lines are not JSON, first: %s" % (len(run.bad_lines),
                                                                  run.bad_lines[0]))
    actual = [eve.flow_record(e) for e in run.of_type("flow")]
    expected = [f.to_dict() for f in flows]
    for f, e in zip(flows, expected):
        e["start"] = f.start
    res = flowcmp.compare(expected, actual, excused_pairs(frames))
    problems += res.failures
    excl = exclusion_summary(frames)
    scope = OUT_OF_SCOPE.get(rel.replace(os.sep, "/"))
    status = "ok" if not problems else "MISMATCH"
    print("%s: %s: %d flows expected, %d reported, %d exact, %d tolerated; excluded frames: %s%s"
          % (status, rel, len(expected), len(actual), res.exact, len(res.tolerated),
             excl or "none", "; out of scope: " + scope if scope else ""))
    if run.rc != 0 and not run.crashed:
        print("  note: sensor exit status %d: %s" % (run.rc, run.stderr.strip()[-300:]))
    if not tf.linktype_supported(pcap):
        anomalies = [e.get("anomaly", {}).get("event") for e in run.of_type("anomaly")]
        print("  link types %s unsupported: sensor exit %d, anomalies %s, stderr: %s" % (
            tf.file_linktypes(pcap), run.rc, sorted(set(a for a in anomalies if a))[:5],
            run.stderr.strip()[-200:]))
    for p in problems:
        print("  FAIL " + p)
    for t in res.tolerated:
        print("  tolerated " + t)
    if verbose:
        for f in expected:
            print("  oracle: %s %s" % (flowcmp.fmt_flow(f), flowcmp.fmt_counts(f)))
        for f in actual:
            print("  sensor: %s %s" % (flowcmp.fmt_flow(f), flowcmp.fmt_counts(f)))
    return not problems


def show_oracle(pcap, verbose):
    """No sensor: print what the oracle expects (for debugging the oracle)."""
    flows, frames, lts, err = tf.expected_flows(pcap)
    excl = exclusion_summary(frames)
    print("oracle: %s: linktypes %s, %d frames, %d flows, excluded %s%s" % (
        pcap, lts, len(frames), len(flows), excl or "none", "; tshark: " + err if err else ""))
    if verbose:
        for f in flows:
            d = f.to_dict()
            print("  %s %s" % (flowcmp.fmt_flow(d), flowcmp.fmt_counts(d)))
        for fr in frames:
            if fr.excluded:
                print("  excluded #%d %s %s [%s]" % (fr.num, fr.excluded, fr.detail,
                                                    ":".join(fr.layers)))
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", help="capture files or directories")
    ap.add_argument("--sensor", help="soc-sensor binary")
    ap.add_argument("--manifest", action="store_true",
                    help="compare tshark with pcaps/expected/<name>.json instead of the sensor")
    ap.add_argument("--sensor-arg", action="append", default=[],
                    help="extra argument for the sensor (repeatable)")
    ap.add_argument("--no-timeouts", action="store_true",
                    help="diagnosis: never end a flow by idle time in the oracle")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        print("skipped: %s not present" % ", ".join(missing))
        return SKIP
    tools = tf.missing_tools("tshark")
    if tools:
        print("skipped: %s not installed" % ", ".join(tools))
        return SKIP
    if args.sensor and not os.access(args.sensor, os.X_OK):
        print("skipped: sensor binary %s not built" % args.sensor)
        return SKIP
    ok = total = 0
    for path in args.paths:
        root = path if os.path.isdir(path) else None
        for pcap in captures([path]):
            total += 1
            if args.manifest:
                good = check_manifest(pcap, args.verbose)
            elif not args.sensor:
                good = show_oracle(pcap, args.verbose)
            else:
                timeouts = None
                if args.no_timeouts:
                    timeouts = {c: {k: float("inf") for k in v}
                                for c, v in tf.DEFAULT_TIMEOUTS.items()}
                good = check_sensor(pcap, args.sensor, args.sensor_arg, args.verbose, root,
                                    timeouts)
            ok += good
    print("%d passed, %d failed" % (ok, total - ok))
    return 0 if ok == total else 1


if __name__ == "__main__":
    sys.exit(main())
