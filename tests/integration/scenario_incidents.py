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
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCEN = os.path.join(ROOT, "pcaps", "scenarios")
FIXTURES = os.path.join(ROOT, "tests", "data", "correlation", "rulepack")
REDIS_SH = os.path.join(ROOT, "appliance", "redis.sh")
SEVERITY = {"informational": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def skip(why):
    print("scenario_incidents: SKIP: " + why)
    sys.exit(77)


def run(*cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r.stdout


class Env:
    def __init__(self, build, keep):
        self.sensor = os.path.join(build, "sensor", "soc-sensor")
        self.corr = os.path.join(build, "correlator", "soc-correlator")
        self.socctl = os.path.join(build, "appliance", "socctl")
        for b in (self.sensor, self.corr, self.socctl):
            if not os.access(b, os.X_OK):
                skip(b + " not built")
        if not shutil.which("redis-server"):
            skip("redis-server not installed")
        self.keep = keep
        self.tmp = tempfile.mkdtemp(prefix="soc-scen-inc-")
        self.rdir = os.path.join(self.tmp, "redis")
        self.sock = run("bash", REDIS_SH, "start", self.rdir).strip().splitlines()[-1]
        # The sensor writes a flow event when the flow ends (a timeout, or the
        # end of the capture), stamped with its last packet: minutes behind
        # the other events. Replay with the engine's largest lateness so every
        # flow is placed in its windows, not dropped as late.
        self.cfg = os.path.join(self.tmp, "correlator.yaml")
        with open(self.cfg, "w") as f:
            f.write("correlator:\n  lateness: 1h\n")

    def sensor_eve(self, pcap):
        eve = os.path.join(self.tmp, os.path.basename(pcap)[:-5] + ".eve.json")
        geo = os.path.join(ROOT, "tests", "data", "geoip")
        run(self.sensor, "-r", pcap, "-S",
            os.path.join(ROOT, "rules", "signatures", "city-attacks.rules"), "--eve", eve,
            "--geoip-city", os.path.join(geo, "GeoIP2-City-Test.mmdb"),
            "--geoip-asn", os.path.join(geo, "GeoLite2-ASN-Test.mmdb"))
        return eve

    def replay(self, eve, name):
        run("bash", REDIS_SH, "cli", self.rdir, "FLUSHALL")
        log = os.path.join(self.tmp, name + ".correlator.log")
        with open(log, "w") as f:
            subprocess.run([self.corr, "-c", self.cfg, "--rules", os.path.join(ROOT, "rules", "correlation"),
                            "--assets", os.path.join(ROOT, "rules", "assets.yml"),
                            "--intel", os.path.join(ROOT, "rules", "intel", "feeds.yml"),
                            "--redis-socket", self.sock, "--redis-user", "correlator",
                            "--redis-password-file",
                            os.path.join(self.rdir, "secrets", "correlator.pass"),
                            "--replay", eve], stderr=f, check=True)
        env = dict(os.environ, SOC_REDIS_SOCKET=self.sock)
        return json.loads(run(self.socctl, "incidents", "list", "--status", "all", "--json",
                              env=env))

    def close(self):
        try:
            run("bash", REDIS_SH, "stop", self.rdir)
        except Exception as e:  # a stop that fails must not hide the results
            print("scenario_incidents: redis stop: %s" % e)
        if self.keep:
            print("scenario_incidents: kept " + self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def fits(want, inc):
    """Why incident inc is not the expected one (empty string: it is)."""
    asset = inc.get("asset") or {}
    checks = [
        (inc["rule"]["id"] == want.get("rule_id"), "rule"),
        (want["src"] is None or want["src"] in inc["src_ips"], "src"),
        (want["dest"] is None or want["dest"] in inc["dest_ips"], "dest"),
        (asset.get("name") == want["asset"], "asset"),
        (asset.get("level") == want["level"], "level"),
        (inc["severity"] == SEVERITY[want["severity"]], "severity"),
        (want["technique"] in inc["attack"]["techniques"], "technique"),
        (inc["count"] >= want["min_count"], "count"),
    ]
    return ",".join(what for ok, what in checks if not ok)


def short(inc):
    asset = inc.get("asset") or {}
    return "%s %s [%s] count %d asset %s/%s sev %d %s" % (
        inc["rule"]["id"], inc["title"], inc["group_key"], inc["count"], asset.get("name"),
        asset.get("level"), inc["severity"], ",".join(inc["attack"]["techniques"]))


def compare(name, want, got, show):
    """Match expected incidents to found ones; returns (tp, fn, fp)."""
    left = list(got)
    tp = fn = 0
    for w in want:
        hit = next((g for g in left if not fits(w, g)), None)
        if hit is not None:
            left.remove(hit)
            tp += 1
            print("scenario_incidents: ok: %s: %s %s -> %s" % (name, w["rule"], w["src"],
                                                               w["dest"]))
            continue
        fn += 1
        near = [(fits(w, g), g) for g in got if g["rule"]["id"] == w.get("rule_id")]
        print("scenario_incidents: FAILED: %s: missing %s (%s) %s -> %s%s" % (
            name, w["rule"], w.get("rule_id"), w["src"], w["dest"],
            "".join("; %s differs in %s" % (g["group_key"], why) for why, g in near)))
    for g in left:
        print("scenario_incidents: FAILED: %s: unexpected %s" % (name, short(g)))
    if show:
        for g in got:
            print("scenario_incidents:   %s: %s" % (name, short(g)))
    return tp, fn, len(left)


def cases(names):
    """(name, manifest, pcap or None, eve or None) for scenarios and fixtures."""
    out = []
    for m in sorted(glob.glob(os.path.join(SCEN, "*.expect.json"))):
        n = os.path.basename(m)[:-len(".expect.json")]
        out.append((n, m, os.path.join(SCEN, n + ".pcap"), None))
    for m in sorted(glob.glob(os.path.join(FIXTURES, "*.expect.json"))):
        n = os.path.basename(m)[:-len(".expect.json")]
        out.append(("rulepack/" + n, m, None, os.path.join(FIXTURES, n + ".eve.json")))
    if names:
        out = [c for c in out if c[0] in names or c[0].split("/")[-1] in names]
        if not out:
            print("scenario_incidents: no scenario or fixture named %s" % " ".join(names))
            sys.exit(2)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    todo = cases(a.names)
    env = Env(os.path.abspath(a.build), a.keep)
    tp = fn = fp = 0
    try:
        for name, manifest, pcap, eve in todo:
            want = json.load(open(manifest))["incidents"]
            if pcap is not None:
                eve = env.sensor_eve(pcap)
            got = env.replay(eve, name.replace("/", "_"))
            t, n, p = compare(name, want, got, a.show)
            tp, fn, fp = tp + t, fn + n, fp + p
    finally:
        env.close()
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print("scenario_incidents: %d cases: %d expected incidents found, %d missing, %d unexpected"
          % (len(todo), tp, fn, fp))
    print("scenario_incidents: precision %.3f recall %.3f" % (precision, recall))
    return 1 if fn or fp else 0


if __name__ == "__main__":
    sys.exit(main())
