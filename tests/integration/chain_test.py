#!/usr/bin/env python3
"""The transport chain end to end, with every real component: socctl's PKI,
the project's private Redis (appliance/redis.sh), soc-ingest and soc-sensor
shipping over mutual TLS. Each scenario ends by counting the unique event
ids in Redis against the events the sensor wrote to its own EVE file
(contract 5: every event stored exactly once, except the counted drops of a
deliberately full spool).

    chain_test.py BUILD_DIR [SCENARIO...]

Scenarios: normal, ingest_down_at_start, ingest_kill9, redis_restart,
spool_full. Exit 77 (skipped) when redis-server or a binary is missing.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS_SH = os.path.join(ROOT, "appliance", "redis.sh")
CITY = os.path.join(ROOT, "pcaps", "city_mix.pcap")
SENSOR_NAME = "edge-1"


def skip(why):
    print("chain_test: SKIP: " + why)
    sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Chain:
    """One private set-up in a temporary directory."""

    def __init__(self, build):
        self.build = build
        self.sensor = os.path.join(build, "sensor", "soc-sensor")
        self.ingest_bin = os.path.join(build, "correlator", "soc-ingest")
        self.socctl = os.path.join(build, "appliance", "socctl")
        self.replicate = os.path.join(build, "tests", "integration", "pcap_replicate")
        for b in (self.sensor, self.ingest_bin, self.socctl):
            if not os.access(b, os.X_OK):
                skip(b + " not built")
        if not shutil.which("redis-server"):
            skip("redis-server not installed")
        self.tmp = tempfile.mkdtemp(prefix="soc-chain-")
        self.pki = os.path.join(self.tmp, "pki")
        self.redis_dir = os.path.join(self.tmp, "redis")
        self.port = free_port()
        self.ingest = None
        self.run(self.socctl, "pki", "init", "--dir", self.pki)
        self.run(self.socctl, "pki", "issue", SENSOR_NAME, "--dir", self.pki)
        self.sock = self.redis("start").strip().splitlines()[-1]

    # ---- plumbing ----
    def run(self, *cmd, **kw):
        r = subprocess.run(cmd, capture_output=True, text=True, **kw)
        if r.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr))
        return r.stdout

    def redis(self, *args):
        return self.run("bash", REDIS_SH, args[0], self.redis_dir, *args[1:])

    def cli(self, *args):
        return self.run("bash", REDIS_SH, "cli", self.redis_dir, *args)

    def start_ingest(self):
        log = open(os.path.join(self.tmp, "ingest.log"), "a")
        self.ingest = subprocess.Popen(
            [self.ingest_bin, "--listen", "127.0.0.1:%d" % self.port,
             "--cert", os.path.join(self.pki, "server.crt"),
             "--key", os.path.join(self.pki, "server.key"),
             "--ca", os.path.join(self.pki, "ca.crt"),
             "--crl", os.path.join(self.pki, "crl.pem"),
             "--redis-socket", self.sock, "--redis-user", "ingest",
             "--redis-password-file", os.path.join(self.redis_dir, "secrets", "ingest.pass")],
            stdout=log, stderr=log)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("soc-ingest did not listen on %d" % self.port)

    def stop_ingest(self, sig=signal.SIGTERM):
        if self.ingest and self.ingest.poll() is None:
            self.ingest.send_signal(sig)
            self.ingest.wait(timeout=20)
        self.ingest = None

    def sensor_cmd(self, capture, tag, config=None):
        d = os.path.join(self.pki, "sensors", SENSOR_NAME)
        cmd = [self.sensor, "-r", capture, "--sensor-name", SENSOR_NAME,
               "--eve", os.path.join(self.tmp, tag + ".eve.json"),
               "--ingest", "127.0.0.1:%d" % self.port,
               "--cert", os.path.join(d, SENSOR_NAME + ".crt"),
               "--key", os.path.join(d, SENSOR_NAME + ".key"),
               "--ca", os.path.join(d, "ca.crt"),
               "--spool", os.path.join(self.tmp, "spool")]
        if config:
            path = os.path.join(self.tmp, tag + ".yaml")
            with open(path, "w") as f:
                f.write(config)
            cmd += ["-c", path]
        return cmd

    def start_sensor(self, capture, tag, config=None):
        err = open(os.path.join(self.tmp, tag + ".sensor.log"), "w")
        return subprocess.Popen(self.sensor_cmd(capture, tag, config), stdout=subprocess.DEVNULL,
                                stderr=err)

    def big_capture(self, mb):
        out = os.path.join(self.tmp, "big.pcap")
        if not os.path.exists(out):
            seeds = sorted(os.path.join(ROOT, "pcaps", f) for f in os.listdir(
                os.path.join(ROOT, "pcaps")) if f.endswith(".pcap"))
            self.run(self.replicate, "-o", out, "-s", str(mb), *seeds)
        return out

    # ---- what is stored ----
    def stored_ids(self):
        """All event ids in every event stream: (total entries, set of ids)."""
        keys = self.cli("--scan", "--pattern", "soc:events:*").split()
        total, ids = 0, set()
        for k in keys:
            last = "-"
            while True:
                out = self.cli("--json", "XRANGE", k, last, "+", "COUNT", "10000")
                batch = json.loads(out) if out.strip() else []
                if last != "-" and batch and batch[0][0] == last:
                    batch = batch[1:]
                if not batch:
                    break
                for entry_id, fields in batch:
                    f = dict(zip(fields[::2], fields[1::2])) if isinstance(fields, list) else fields
                    ids.add(f["id"])
                    total += 1
                last = batch[-1][0]
        return total, ids

    def stored_count(self):
        n = 0
        for k in self.cli("--scan", "--pattern", "soc:events:*").split():
            n += int(self.cli("XLEN", k).strip() or 0)
        return n

    def clear(self):
        for k in self.cli("--scan", "--pattern", "soc:*").split():
            self.cli("DEL", k)
        shutil.rmtree(os.path.join(self.tmp, "spool"), ignore_errors=True)

    def close(self):
        self.stop_ingest()
        try:
            self.redis("stop")
        except Exception:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def written(path):
    """Event ids the sensor wrote itself: NAME:BOOT:SEQ of every EVE line."""
    ids = []
    with open(path) as f:
        for line in f:
            s = json.loads(line)["sensor"]
            ids.append("%s:%s:%d" % (s["name"], s["boot_id"], s["seq"]))
    return ids


def spool_drops(path):
    """Events a full spool dropped, as the sensor reported them: the totals of
    its last spool_full_dropped anomaly event."""
    total = 0
    with open(path) as f:
        for line in f:
            if '"spool_full_dropped"' in line:
                total = json.loads(line)["anomaly"]["events_dropped_total"]
    return total


def expect_exactly_once(ch, eve_files, dropped=0):
    mine = []
    for p in eve_files:
        mine += written(p)
    total, ids = ch.stored_ids()
    assert len(set(mine)) == len(mine), "sensor wrote duplicate ids"
    assert total == len(ids), "%d entries but %d unique ids: stored twice" % (total, len(ids))
    assert ids <= set(mine), "%d stored ids the sensor never wrote" % len(ids - set(mine))
    assert len(ids) == len(mine) - dropped, "stored %d, sensor wrote %d, dropped %d" % (
        len(ids), len(mine), dropped)
    return len(ids)


def wait_sensor(p, timeout=120):
    rc = p.wait(timeout=timeout)
    assert rc == 0, "soc-sensor exited %d" % rc


# ---- scenarios ----

def normal(ch):
    ch.start_ingest()
    wait_sensor(ch.start_sensor(CITY, "normal"))
    n = expect_exactly_once(ch, [os.path.join(ch.tmp, "normal.eve.json")])
    # socctl status (as the console user) shows the registry and the count
    env = dict(os.environ, SOC_REDIS_SOCKET=ch.sock)
    st = json.loads(ch.run(ch.socctl, "status", "--json", env=env))
    names = [s.get("name") for s in st["sensors"]]
    assert names == [SENSOR_NAME], "registry: %s" % st["sensors"]
    assert st["events_stored"] == n, "socctl status: %d events, Redis %d" % (
        st["events_stored"], n)
    return n


def ingest_down_at_start(ch):
    ch.stop_ingest()
    p = ch.start_sensor(CITY, "down")
    time.sleep(2)
    assert ch.stored_count() == 0
    ch.start_ingest()
    wait_sensor(p)
    return expect_exactly_once(ch, [os.path.join(ch.tmp, "down.eve.json")])


def wait_stored(ch, at_least, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if ch.stored_count() >= at_least:
            return
        time.sleep(0.02)
    raise AssertionError("fewer than %d events stored after %ds" % (at_least, timeout))


def ingest_kill9(ch):
    ch.start_ingest()
    p = ch.start_sensor(ch.big_capture(40), "kill9")
    wait_stored(ch, 1)
    ch.stop_ingest(signal.SIGKILL)  # mid-stream, acks in flight are lost
    time.sleep(1)
    ch.start_ingest()
    wait_sensor(p)
    return expect_exactly_once(ch, [os.path.join(ch.tmp, "kill9.eve.json")])


def redis_restart(ch):
    ch.start_ingest()
    p = ch.start_sensor(ch.big_capture(40), "redis")
    wait_stored(ch, 1)
    ch.redis("stop")
    time.sleep(1)
    ch.redis("start")
    wait_sensor(p)
    return expect_exactly_once(ch, [os.path.join(ch.tmp, "redis.eve.json")])


SMALL_SPOOL = """sensor:
  ingest:
    spool-size: 256kb
    drain-timeout: 1s
"""


def spool_full(ch):
    ch.stop_ingest()
    first = os.path.join(ch.tmp, "full.eve.json")
    wait_sensor(ch.start_sensor(ch.big_capture(40), "full", SMALL_SPOOL))
    dropped = spool_drops(first)
    assert dropped > 0, "a 256 KiB spool should have dropped events"
    ch.start_ingest()
    # A second run drains what the first left in the spool.
    empty = os.path.join(ROOT, "pcaps", "corrupt", "header_only.pcap")
    wait_sensor(ch.start_sensor(empty, "drain"))
    n = expect_exactly_once(ch, [first, os.path.join(ch.tmp, "drain.eve.json")], dropped)
    return "%d stored, %d dropped (counted)" % (n, dropped)


SCENARIOS = [normal, ingest_down_at_start, ingest_kill9, redis_restart, spool_full]


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    chosen = [s for s in SCENARIOS if len(sys.argv) == 2 or s.__name__ in sys.argv[2:]]
    ch = Chain(os.path.abspath(sys.argv[1]))
    failed = 0
    try:
        for s in chosen:
            ch.clear()
            t0 = time.time()
            try:
                res = s(ch)
                print("chain_test: %-22s ok (%s) %.1fs" % (s.__name__, res, time.time() - t0))
            except Exception as e:  # report every scenario, then fail
                failed += 1
                print("chain_test: %-22s FAILED: %s" % (s.__name__, e))
                for log in ("ingest.log",):
                    p = os.path.join(ch.tmp, log)
                    if os.path.exists(p):
                        print("---- " + log + " (tail)\n" + "".join(open(p).readlines()[-15:]))
            finally:
                ch.stop_ingest()
    finally:
        ch.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
