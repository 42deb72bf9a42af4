#!/usr/bin/python3
"""corrupt_check.py -- soc-sensor on broken capture files (pcaps/corrupt/).

  corrupt_check.py --sensor BIN FILE...

What each file must give is in pcaps/corrupt/corrupt.json:
  error: true    non-zero exit, no crash, one stderr line naming the file
  truncated      the events of every complete record (flows flushed, checked
                 exactly against the tshark oracle, which reads up to the
                 cut), the truncation reported naming the file, no crash
  header_only    exit 0, a final stats event, no flow
Exit 0 all good, 1 a failure, 77 skipped."""

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


def names_file(line, path):
    return path in line or os.path.basename(path) in line


def check(sensor, path, spec):
    run = eve.run_sensor(sensor, path)
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    problems = []
    if run.crashed:
        problems.append("crash or sanitizer report (exit %d): %s" % (run.rc, run.stderr[-800:]))
    if spec.get("error"):
        if run.rc == 0:
            problems.append("exit status 0 for an unreadable file")
        naming = [ln for ln in lines if names_file(ln, path)]
        if len(naming) != 1:
            problems.append("expected one stderr line naming the file, got %d: %s" % (
                len(naming), lines[:5]))
    elif spec.get("truncated"):
        flows, frames, _, _ = tf.expected_flows(path)
        if len(frames) != spec["complete_records"]:
            problems.append("tshark read %d records, manifest says %d complete" % (
                len(frames), spec["complete_records"]))
        expected = [f.to_dict() for f in flows]
        for f, e in zip(flows, expected):
            e["start"] = f.start
        actual = [eve.flow_record(e) for e in run.of_type("flow")]
        res = flowcmp.compare(expected, actual)
        problems += res.failures + res.tolerated
        reported = any(names_file(ln, path) for ln in lines)
        if not reported:
            problems.append("truncation not reported on stderr naming the file: %s" % lines[:3])
        stats = run.of_type("stats")
        pk = stats[-1].get("stats", {}).get("decoder", {}).get("pkts") if stats else None
        if pk != spec["complete_records"]:
            problems.append("stats.decoder.pkts %s, expected %d" % (pk, spec["complete_records"]))
    else:
        if run.rc != 0:
            problems.append("exit status %d: %s" % (run.rc, lines[:3]))
        if run.of_type("flow"):
            problems.append("flow events from a file without packets")
        if not run.of_type("stats"):
            problems.append("no final stats event")
    print("%s: %s (exit %d; stderr: %s)" % ("ok" if not problems else "FAIL", path, run.rc,
                                             " | ".join(lines[:2])[:300]))
    for p in problems:
        print("  FAIL " + p)
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--sensor", required=True)
    args = ap.parse_args()
    if not os.access(args.sensor, os.X_OK):
        print("skipped: sensor binary %s not built" % args.sensor)
        return SKIP
    tools = tf.missing_tools("tshark")
    if tools:
        print("skipped: %s not installed" % ", ".join(tools))
        return SKIP
    ok = 0
    for path in args.files:
        with open(os.path.join(os.path.dirname(os.path.abspath(path)), "corrupt.json")) as fh:
            spec = json.load(fh)[os.path.basename(path)]
        ok += check(args.sensor, path, spec)
    print("%d passed, %d failed" % (ok, len(args.files) - ok))
    return 0 if ok == len(args.files) else 1


if __name__ == "__main__":
    sys.exit(main())
