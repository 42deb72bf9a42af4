#!/usr/bin/env python3
"""soc-correlator with a private Redis and the real ACL users.

    correlator_test.py BUILD_DIR

1. replay: the sensor's events of pcaps/city_mix.pcap (with
   rules/signatures/city-network.rules) through `soc-correlator --replay`
   with rules/correlation and rules/assets.yml must give exactly the
   incidents of tests/data/correlation/city_mix.incidents.json (worked out
   by hand from the capture's manifest and the rules, see its "why").
2. restart: a stream of generated web-attack alerts from 40 sources (12
   each within two minutes, so "Repeated web attacks on one service" fires
   once per source) is consumed once without interruption and once with a
   kill -9 of the correlator in the middle; the incidents (rule, group key,
   count, first and last seen) must be identical, and no event may stay
   pending.
3. reload: SIGHUP reloads rules and context; a broken assets file is
   refused with one line and the correlator keeps running.
Exit 77 when redis-server or a binary is missing.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS_SH = os.path.join(ROOT, "appliance", "redis.sh")
EXPECT = os.path.join(ROOT, "tests", "data", "correlation", "city_mix.incidents.json")


def skip(why):
    print("correlator_test: SKIP: " + why)
    sys.exit(77)


class Env:
    def __init__(self, build):
        self.sensor = os.path.join(build, "sensor", "soc-sensor")
        self.corr = os.path.join(build, "correlator", "soc-correlator")
        self.socctl = os.path.join(build, "appliance", "socctl")
        for b in (self.sensor, self.corr, self.socctl):
            if not os.access(b, os.X_OK):
                skip(b + " not built")
        if not shutil.which("redis-server"):
            skip("redis-server not installed")
        self.tmp = tempfile.mkdtemp(prefix="soc-corr-")
        self.rdir = os.path.join(self.tmp, "redis")
        self.sock = self.run("bash", REDIS_SH, "start", self.rdir).strip().splitlines()[-1]

    def run(self, *cmd, **kw):
        r = subprocess.run(cmd, capture_output=True, text=True, **kw)
        if r.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr))
        return r.stdout

    def cli(self, *args):
        return self.run("bash", REDIS_SH, "cli", self.rdir, *args)

    def corr_cmd(self, *extra):
        return [self.corr, "--rules", os.path.join(ROOT, "rules", "correlation"),
                "--assets", os.path.join(ROOT, "rules", "assets.yml"),
                "--redis-socket", self.sock, "--redis-user", "correlator",
                "--redis-password-file", os.path.join(self.rdir, "secrets", "correlator.pass"),
                *extra]

    def incidents(self):
        env = dict(os.environ, SOC_REDIS_SOCKET=self.sock)
        return json.loads(self.run(self.socctl, "incidents", "list", "--status", "all",
                                   "--json", env=env))

    def close(self):
        try:
            self.run("bash", REDIS_SH, "stop", self.rdir)
        except Exception:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


FAILED = []


def check(cond, what):
    print("correlator_test: %s: %s" % ("ok" if cond else "FAILED", what))
    if not cond:
        FAILED.append(what)


def summary(inc):
    return {"rule": inc["rule"]["id"], "group_key": inc["group_key"], "count": inc["count"],
            "priority": inc["priority"], "asset": (inc.get("asset") or {}).get("name"),
            "level": (inc.get("asset") or {}).get("level"), "src_ips": inc["src_ips"],
            "dest_ips": inc["dest_ips"], "techniques": inc["attack"]["techniques"]}


def test_replay(env):
    eve = os.path.join(env.tmp, "city.eve.json")
    env.run(env.sensor, "-r", os.path.join(ROOT, "pcaps", "city_mix.pcap"), "-S",
            os.path.join(ROOT, "rules", "signatures", "city-network.rules"), "--eve", eve)
    env.run(*env.corr_cmd("--replay", eve))
    got = sorted((summary(i) for i in env.incidents()), key=lambda s: s["rule"])
    want = sorted(json.load(open(EXPECT))["incidents"], key=lambda s: s["rule"])
    check(got == want, "replay of city_mix: incidents equal the hand-checked manifest"
          + ("" if got == want else " (got %s)" % json.dumps(got)))
    # the same file again: every match id is known, nothing changes
    env.run(*env.corr_cmd("--replay", eve))
    again = sorted((summary(i) for i in env.incidents()), key=lambda s: s["rule"])
    check(again == want, "replaying the same events again changes nothing (idempotent)")


def attack_events(n_src=40, per_src=12):
    """Web-attack alerts: per source, per_src alerts 10 s apart on the portal."""
    out = []
    seq = 0
    for s in range(n_src):
        for k in range(per_src):
            seq += 1
            t = 1709289600 + s * 7 + k * 10  # interleaved sources, 2 minutes each
            ev = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) +
                  ".000000+0000", "event_type": "alert", "src_ip": "198.51.100.%d" % (s + 1),
                  "src_port": 40000 + k, "dest_ip": "10.20.0.10", "dest_port": 80,
                  "proto": "TCP",
                  "alert": {"action": "allowed", "gid": 1, "signature_id": 9100001, "rev": 1,
                            "signature": "CANTHO SQL injection tool", "severity": 1,
                            "category": "Web Application Attack"},
                  "sensor": {"name": "gen", "boot_id": "b0", "seq": seq}}
            out.append(ev)
    out.sort(key=lambda e: e["timestamp"])
    return out


def load_streams(env, events, shards=4):
    pipe = []
    for e in events:
        sid = "%s:%s:%d" % (e["sensor"]["name"], e["sensor"]["boot_id"], e["sensor"]["seq"])
        shard = int(e["src_ip"].split(".")[-1]) % shards
        pipe.append("XADD soc:events:{%d} * id %s type alert event %s" % (
            shard, sid, json.dumps(json.dumps(e, separators=(",", ":")))))
    path = os.path.join(env.tmp, "load.txt")
    with open(path, "w") as f:
        f.write("\n".join(pipe) + "\n")
    with open(path) as f:
        subprocess.run(["bash", REDIS_SH, "cli", env.rdir], stdin=f, capture_output=True,
                       check=True)


def drained(env):
    for k in env.cli("--scan", "--pattern", "soc:events:*").split():
        info = env.cli("XINFO", "GROUPS", k).split("\n")
        for i, v in enumerate(info):
            if v in ("lag", "pending") and i + 1 < len(info) and info[i + 1] != "0":
                return False
    return True


def consume(env, kill_after=None):
    """Run the correlator on the streams until everything is read and
    acknowledged; with kill_after, kill -9 it once that many incidents exist."""
    args = env.corr_cmd("--consumer", "c1")
    cfg = os.path.join(env.tmp, "corr.yaml")
    with open(cfg, "w") as f:
        f.write("correlator:\n  read-count: 20\n  checkpoint-interval: 100ms\n  block: 50ms\n")
    args += ["-c", cfg]
    log = open(os.path.join(env.tmp, "corr.log"), "a")
    p = subprocess.Popen(args, stderr=log)
    killed = False
    deadline = time.time() + 120
    while time.time() < deadline:
        if kill_after is not None and not killed and len(env.incidents()) >= kill_after:
            p.send_signal(signal.SIGKILL)
            p.wait()
            killed = True
            p = subprocess.Popen(args, stderr=log)
        if drained(env) and (kill_after is None or killed):
            break
        time.sleep(0.1)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    return killed


def test_restart(env):
    events = attack_events()
    runs = []
    for kill in (None, 20):
        env.cli("FLUSHALL")
        load_streams(env, events)
        killed = consume(env, kill)
        runs.append(sorted(
            (i["rule"]["id"], i["group_key"], i["count"], i["first_seen"], i["last_seen"])
            for i in env.incidents()))
        check(drained(env), "run %s: every event read and acknowledged" %
              ("with kill -9" if kill else "uninterrupted"))
        if kill:
            check(killed, "the correlator was killed with -9 mid-stream")
    repeated = [r for r in runs[0] if r[0].endswith("5a03")]
    check(len(repeated) == 40, "uninterrupted: 40 'Repeated web attacks' incidents, one per "
          "source (got %d)" % len(repeated))
    check(runs[0] == runs[1], "kill -9 and restart: the same incidents and counts as "
          "uninterrupted (%d incidents)" % len(runs[0]))


def wait_log(path, text, n, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if open(path).read().count(text) >= n:
            return True
        time.sleep(0.05)
    return False


def test_reload(env):
    """SIGHUP reloads rules and context; a broken assets file keeps what is in use."""
    assets = os.path.join(env.tmp, "assets.yml")
    shutil.copy(os.path.join(ROOT, "rules", "assets.yml"), assets)
    log = os.path.join(env.tmp, "reload.log")
    args = env.corr_cmd("--consumer", "r1")
    args[args.index("--assets") + 1] = assets
    p = subprocess.Popen(args, stderr=open(log, "w"))
    try:
        check(wait_log(log, "consuming", 1), "correlator started")
        p.send_signal(signal.SIGHUP)
        check(wait_log(log, "correlation rules:", 2), "SIGHUP: rules and context loaded again")
        with open(assets, "w") as f:
            f.write("assets: [unclosed\n")
        p.send_signal(signal.SIGHUP)
        check(wait_log(log, "reload failed, keeping the rules in use", 1) and p.poll() is None,
              "SIGHUP with a broken assets file: one error line, the correlator keeps running")
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=30)
    check(rc == 0, "SIGTERM: clean stop (exit %s)" % rc)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    env = Env(os.path.abspath(sys.argv[1]))
    try:
        test_replay(env)
        env.cli("FLUSHALL")
        test_restart(env)
        test_reload(env)
    finally:
        env.close()
    print("correlator_test: %d failed" % len(FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
