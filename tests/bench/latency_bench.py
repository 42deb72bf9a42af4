#!/usr/bin/python3
"""Detection latency of the live appliance: last packet -> incident in Redis.

    tests/bench/latency_bench.py [--build build] [--runs 3] [--multiplier 30]
                                 [--sensor-config soc.yaml] [NAME...]

Runs the live end-to-end test (tests/integration/scenario_e2e.py --live: a
veth pair in a network namespace, tcpreplay on one end, soc-sensor -i on the
other, soc-ingest over mutual TLS, Redis, soc-correlator) --runs times over
the scenario captures and pools its latency samples, one per expected
incident: from the last packet of the evidence that completed the incident
(kernel capture time) to the incident's first appearance in Redis, split into
sensor + shipping + ingest (up to the stream entry), correlator (up to the
incident's created_at) and polling; by what completed the incident (alert,
dns, http, or a flow and its state) and per rule. Medians and 99th
percentiles (nearest rank). Needs root. Not a ctest: the test itself prints
the same figures for its one run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
IT = os.path.join(ROOT, "tests", "integration")
sys.path.insert(0, IT)
import scenario_e2e as e2e  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--multiplier", type=float, default=e2e.DEFAULT_MULTIPLIER)
    ap.add_argument("--sensor-config")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    samples = []
    failed = 0
    with tempfile.TemporaryDirectory(prefix="soc-latency-") as tmp:
        for i in range(a.runs):
            out = os.path.join(tmp, "run%d.json" % i)
            cmd = ["/usr/bin/python3", os.path.join(IT, "scenario_e2e.py"), "--build", a.build,
                   "--live", "--multiplier", str(a.multiplier), "--latency-json", out]
            if a.sensor_config:
                cmd += ["--sensor-config", os.path.abspath(a.sensor_config)]
            r = subprocess.run(cmd + a.names, capture_output=True, text=True)
            tail = [ln for ln in r.stdout.splitlines() if "FAILED" in ln or "precision" in ln]
            print("latency_bench: run %d: exit %d; %s" % (i + 1, r.returncode, "; ".join(tail)))
            if r.returncode == 77:
                print(r.stdout.strip())
                return 77
            if r.returncode != 0:
                failed += 1
            if os.path.exists(out):
                with open(out) as f:
                    samples += json.load(f)
    print("latency_bench: %d runs, tcpreplay --multiplier %g, %d samples" % (
        a.runs, a.multiplier, len(samples)))
    p99 = e2e.latency_report(samples, "latency_bench")
    used = [s for s in samples if "skip" not in s]
    rules = sorted({(s["rule"], s["kind"]) for s in used})
    print("latency_bench: per rule (median over scenarios and runs):")
    for rule, kind in rules:
        v = [s["visible"] - s["packet"] for s in used if s["rule"] == rule and s["kind"] == kind]
        print("latency_bench:   %-28s %-18s %6.3f s  (n=%d)" % (rule, kind, statistics.median(v),
                                                               len(v)))
    return 1 if failed or p99 is None else 0


if __name__ == "__main__":
    sys.exit(main())
