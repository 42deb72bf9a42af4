"""scenario_common.py -- what the scenario incident tests share.

scenario_incidents.py (sensor -> EVE file -> soc-correlator --replay) and
scenario_e2e.py (sensor -> mutual TLS -> soc-ingest -> Redis -> soc-correlator,
offline and live) compare the same thing: the incidents `socctl incidents list
--json` prints against the "incidents" list of a manifest
(pcaps/scenarios/*.expect.json, tests/data/correlation/rulepack/*.expect.json).
This module holds that comparison, the precision/recall score, the case list,
the project's private Redis (appliance/redis.sh) and a small RESP client for
the reads a test makes many times (polling, stream scans).
"""
import glob
import json
import os
import socket
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCEN = os.path.join(ROOT, "pcaps", "scenarios")
FIXTURES = os.path.join(ROOT, "tests", "data", "correlation", "rulepack")
REDIS_SH = os.path.join(ROOT, "appliance", "redis.sh")
GEOIP = os.path.join(ROOT, "tests", "data", "geoip")
CITY_ATTACKS = os.path.join(ROOT, "rules", "signatures", "city-attacks.rules")
SEVERITY = {"informational": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def skip(prog, why):
    print("%s: SKIP: %s" % (prog, why))
    sys.exit(77)


def run(*cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r.stdout


def sensor_args():
    """The sensor's rules and GeoIP databases, as appliance/demo.sh gives them:
    the manifests' alerts and incidents were derived with these."""
    return ["-S", CITY_ATTACKS,
            "--geoip-city", os.path.join(GEOIP, "GeoIP2-City-Test.mmdb"),
            "--geoip-asn", os.path.join(GEOIP, "GeoLite2-ASN-Test.mmdb")]


def correlator_args(redis):
    """soc-correlator's rule pack, context and Redis login (user correlator)."""
    return ["--rules", os.path.join(ROOT, "rules", "correlation"),
            "--assets", os.path.join(ROOT, "rules", "assets.yml"),
            "--intel", os.path.join(ROOT, "rules", "intel", "feeds.yml"),
            "--redis-socket", redis.sock, "--redis-user", "correlator",
            "--redis-password-file", redis.password_file("correlator")]


# ---- Redis ----------------------------------------------------------------------


class Redis:
    """The appliance's Redis (appliance/redis.sh) in directory d."""

    def __init__(self, d):
        self.dir = d
        self.sock = run("bash", REDIS_SH, "start", d).strip().splitlines()[-1]

    def password_file(self, user):
        return os.path.join(self.dir, "secrets", user + ".pass")

    def cli(self, *args):
        return run("bash", REDIS_SH, "cli", self.dir, *args)

    def client(self, user="admin"):
        with open(self.password_file(user)) as f:
            return Resp(self.sock, user, f.read().strip())

    def incidents(self, socctl):
        """What an analyst sees: every incident, any status, as JSON."""
        env = dict(os.environ, SOC_REDIS_SOCKET=self.sock)
        return json.loads(run(socctl, "incidents", "list", "--status", "all", "--json", env=env))

    def stop(self, prog):
        try:
            run("bash", REDIS_SH, "stop", self.dir)
        except Exception as e:  # a stop that fails must not hide the results
            print("%s: redis stop: %s" % (prog, e))


class RespError(Exception):
    pass


class Resp:
    """A blocking RESP2 client on a unix socket: enough for AUTH, reads and
    FLUSHALL, without spawning redis-cli for every poll."""

    def __init__(self, path, user, password):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.f = self.s.makefile("rb")
        self.call("AUTH", user, password)

    def close(self):
        self.f.close()
        self.s.close()

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.s.sendall(b"".join(out))
        return self._reply()

    def _reply(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise RespError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2].decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RespError("unexpected reply %r" % line[:40])


# ---- comparison -------------------------------------------------------------------


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


def compare(prog, name, want, got, show):
    """Match expected incidents to found ones. Returns (tp, fn, fp, pairs):
    pairs are (expected, incident) for every expected incident found."""
    left = list(got)
    tp = fn = 0
    pairs = []
    for w in want:
        hit = next((g for g in left if not fits(w, g)), None)
        if hit is not None:
            left.remove(hit)
            tp += 1
            pairs.append((w, hit))
            print("%s: ok: %s: %s %s -> %s" % (prog, name, w["rule"], w["src"], w["dest"]))
            continue
        fn += 1
        near = [(fits(w, g), g) for g in got if g["rule"]["id"] == w.get("rule_id")]
        print("%s: FAILED: %s: missing %s (%s) %s -> %s%s" % (
            prog, name, w["rule"], w.get("rule_id"), w["src"], w["dest"],
            "".join("; %s differs in %s" % (g["group_key"], why) for why, g in near)))
    for g in left:
        print("%s: FAILED: %s: unexpected %s" % (prog, name, short(g)))
    if show:
        for g in got:
            print("%s:   %s: %s" % (prog, name, short(g)))
    return tp, fn, len(left), pairs


class Score:
    """Precision and recall over every case: an expected incident found is a
    true positive, one missing a false negative, one nobody expected a false
    positive."""

    def __init__(self):
        self.cases = self.tp = self.fn = self.fp = 0

    def add(self, tp, fn, fp):
        self.cases += 1
        self.tp, self.fn, self.fp = self.tp + tp, self.fn + fn, self.fp + fp

    def ok(self):
        return self.fn == 0 and self.fp == 0

    def report(self, prog, what=""):
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        print("%s: %s%d cases: %d expected incidents found, %d missing, %d unexpected"
              % (prog, what, self.cases, self.tp, self.fn, self.fp))
        print("%s: %sprecision %.3f recall %.3f" % (prog, what, precision, recall))


def cases(prog, names, fixtures=True):
    """(name, manifest, pcap or None, eve or None) for the scenario captures
    and, with fixtures, the rule fixtures; only those named when names."""
    out = []
    for m in sorted(glob.glob(os.path.join(SCEN, "*.expect.json"))):
        n = os.path.basename(m)[:-len(".expect.json")]
        out.append((n, m, os.path.join(SCEN, n + ".pcap"), None))
    if fixtures:
        for m in sorted(glob.glob(os.path.join(FIXTURES, "*.expect.json"))):
            n = os.path.basename(m)[:-len(".expect.json")]
            out.append(("rulepack/" + n, m, None, os.path.join(FIXTURES, n + ".eve.json")))
    if names:
        out = [c for c in out if c[0] in names or c[0].split("/")[-1] in names]
        if not out:
            print("%s: no scenario or fixture named %s" % (prog, " ".join(names)))
            sys.exit(2)
    return out


def expected(manifest):
    with open(manifest) as f:
        return json.load(f)["incidents"]
