#!/usr/bin/env python3
"""The city rule pack against the scenario captures, offline.

    scenario_incidents.py --build BUILD [--keep] [--show] [NAME...]

For each pcaps/scenarios/NAME.pcap (all of them without NAME): soc-sensor
reads it with rules/signatures/city-attacks.rules and the GeoIP test
databases (as appliance/demo.sh), its EVE goes through `soc-correlator
--replay` with rules/correlation, rules/assets.yml and rules/intel/feeds.yml
into a FLUSHed private Redis, and `socctl incidents list --status all --json`
must equal the manifest's "incidents" list: every expected incident present
(rule id, source, destination, asset and level, severity, ATT&CK technique,
count >= min_count) and no other incident. benign.pcap expects none.

Then the rule fixtures of tests/data/correlation/rulepack/ (NAME.eve.json
with NAME.expect.json, the same "incidents" format) go through the same
replay, for the rules no capture exercises.

Prints precision and recall over everything (an expected incident found is a
true positive, one missing a false negative, an incident nobody expected a
false positive). --show prints every incident found; --keep keeps the
temporary directory (EVE files, correlator logs). Exit 1 on any mismatch,
77 when a binary or redis-server is missing.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from scenario_common import (Redis, Score, cases, compare, correlator_args, expected, run,
                             sensor_args, skip)

PROG = "scenario_incidents"


class Env:
    def __init__(self, build, keep):
        self.sensor = os.path.join(build, "sensor", "soc-sensor")
        self.corr = os.path.join(build, "correlator", "soc-correlator")
        self.socctl = os.path.join(build, "appliance", "socctl")
        for b in (self.sensor, self.corr, self.socctl):
            if not os.access(b, os.X_OK):
                skip(PROG, b + " not built")
        if not shutil.which("redis-server"):
            skip(PROG, "redis-server not installed")
        self.keep = keep
        self.tmp = tempfile.mkdtemp(prefix="soc-scen-inc-")
        self.redis = Redis(os.path.join(self.tmp, "redis"))
        # The sensor writes a flow event when the flow ends (a timeout, or the
        # end of the capture), stamped with its last packet: minutes behind
        # the other events. Replay with the engine's largest lateness so every
        # flow is placed in its windows, not dropped as late.
        self.cfg = os.path.join(self.tmp, "correlator.yaml")
        with open(self.cfg, "w") as f:
            f.write("correlator:\n  lateness: 1h\n")

    def sensor_eve(self, pcap):
        eve = os.path.join(self.tmp, os.path.basename(pcap)[:-5] + ".eve.json")
        run(self.sensor, "-r", pcap, "--eve", eve, *sensor_args())
        return eve

    def replay(self, eve, name):
        self.redis.cli("FLUSHALL")
        log = os.path.join(self.tmp, name + ".correlator.log")
        with open(log, "w") as f:
            subprocess.run([self.corr, "-c", self.cfg, *correlator_args(self.redis),
                            "--replay", eve], stderr=f, check=True)
        return self.redis.incidents(self.socctl)

    def close(self):
        self.redis.stop(PROG)
        if self.keep:
            print("%s: kept %s" % (PROG, self.tmp))
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    todo = cases(PROG, a.names)
    env = Env(os.path.abspath(a.build), a.keep)
    score = Score()
    try:
        for name, manifest, pcap, eve in todo:
            if pcap is not None:
                eve = env.sensor_eve(pcap)
            got = env.replay(eve, name.replace("/", "_"))
            score.add(*compare(PROG, name, expected(manifest), got, a.show)[:3])
    finally:
        env.close()
    score.report(PROG)
    return 0 if score.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
