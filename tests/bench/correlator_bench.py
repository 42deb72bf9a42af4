#!/usr/bin/python3
"""soc-correlator throughput with the rule pack, Redis included.

    tests/bench/correlator_bench.py [--build build] [--runs 3] [--capture PCAP] [--state DIR]

The events of the capture (default BUILD/bench/big.pcap, else a 40 MB copy
of pcaps/*.pcap), with the city's signature rules, are put in the Redis
streams once through the real chain (sensor -> soc-ingest). Each run then
creates a fresh consumer group and times soc-correlator (rules/correlation,
rules/assets.yml, rules/intel/feeds.yml) from its start until every shard
is read to the end and acknowledged: events/s with the XREADGROUP reads,
the evaluation, the incident writes and the checkpoints, plus the CPU of
soc-correlator and redis-server per 100k events and the correlator's peak
RSS. Medians of the runs. Not a ctest.

While a run is timed the streams are watched over one Redis connection
(XINFO GROUPS every 10 ms), not with a redis-cli process per look, which
took a core's share from the two being measured; and each run starts
after an AOF rewrite, so the rewrite that the previous run's writes would
trigger (a fork serialising every stream) does not fall into it.

--state DIR keeps the filled streams (Redis's AOF) in DIR and reuses them
on later invocations, so a change can be measured again without the fill.
SOC_BENCH_WRAP="valgrind --tool=callgrind" runs soc-correlator under a
wrapper (instruction counts are repeatable on a busy machine).
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)
import chain_test as ct  # noqa: E402
import transport_bench as tb  # noqa: E402

SIGS = os.path.join(ROOT, "rules", "signatures")


def fill(ch, capture):
    """Every event of the capture into the streams, through the chain."""
    ch.stop_ingest()
    rules = ("sensor:\n  ingest:\n    spool-size: 8gb\n    drain-timeout: 0s\n")
    cmd = ch.sensor_cmd(capture, "fill", rules) + [
        "-S", os.path.join(SIGS, "city-network.rules"),
        "-S", os.path.join(SIGS, "city-attacks.rules")]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    ch.start_ingest()
    ct.wait_sensor(ch.start_sensor(tb.EMPTY, "drain", tb.DRAIN), timeout=1800)
    ch.stop_ingest()
    return ch.stored_count()


def restore(ch, state):
    """The streams of an earlier fill, from DIR/appendonlydir; None if there is none."""
    saved = os.path.join(state, "appendonlydir")
    if not os.path.isdir(saved):
        return None
    ch.redis("stop")
    live = os.path.join(ch.redis_dir, "data", "appendonlydir")
    shutil.rmtree(live, ignore_errors=True)
    shutil.copytree(saved, live)
    ch.sock = ch.redis("start").strip().splitlines()[-1]
    return ch.stored_count()


def keep(ch, state):
    """Redis's AOF (the filled streams) into DIR for the next invocation."""
    ch.redis("stop")
    os.makedirs(state, exist_ok=True)
    shutil.copytree(os.path.join(ch.redis_dir, "data", "appendonlydir"),
                    os.path.join(state, "appendonlydir"))
    ch.sock = ch.redis("start").strip().splitlines()[-1]


class Resp:
    """A minimal RESP2 client on Redis's unix socket (admin user)."""

    def __init__(self, ch):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(ch.sock)
        self.f = self.s.makefile("rb")
        with open(os.path.join(ch.redis_dir, "secrets", "admin.pass")) as f:
            self.call("AUTH", "admin", f.readline().strip())

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.f.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError("redis: " + rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2].decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("redis: unexpected reply %r" % line)

    def close(self):
        self.f.close()
        self.s.close()


def consumed(conn, keys):
    """Every shard read to the end and acknowledged by the group."""
    for k in keys:
        groups = [dict(zip(g[::2], g[1::2])) for g in conn.call("XINFO", "GROUPS", k)]
        g = [g for g in groups if g.get("name") == "correlator"]
        if not g or g[0].get("lag") != 0 or g[0].get("pending") != 0:
            return False  # lag is nil when Redis cannot tell
    return True


def settle_aof(conn):
    """An AOF rewrite now, and wait until it is done."""
    try:
        conn.call("BGREWRITEAOF")
    except RuntimeError:
        pass  # one is already running: wait for it
    while True:
        info = dict(l.split(":", 1) for l in conn.call("INFO", "persistence").split("\r\n")
                    if ":" in l)
        if info.get("aof_rewrite_in_progress") == "0" and \
                info.get("aof_rewrite_scheduled") == "0":
            return
        time.sleep(0.1)


def one_run(ch, n_events):
    for k in ch.cli("--scan", "--pattern", "soc:incident*").split() + \
            ch.cli("--scan", "--pattern", "soc:corr:*").split() + \
            ch.cli("--scan", "--pattern", "soc:queue:*").split():
        ch.cli("DEL", k)
    keys = ch.cli("--scan", "--pattern", "soc:events:*").split()
    for k in keys:
        ch.cli("XGROUP", "DESTROY", k, "correlator")
    conn = Resp(ch)
    settle_aof(conn)
    cmd = [os.path.join(ch.build, "correlator", "soc-correlator"),
           "--rules", os.path.join(ROOT, "rules", "correlation"),
           "--assets", os.path.join(ROOT, "rules", "assets.yml"),
           "--intel", os.path.join(ROOT, "rules", "intel", "feeds.yml"),
           "--redis-socket", ch.sock, "--redis-user", "correlator",
           "--redis-password-file", os.path.join(ch.redis_dir, "secrets", "correlator.pass")]
    rp = tb.redis_pid(ch)
    r0 = tb.cpu(rp)
    t0 = time.time()
    p = subprocess.Popen((os.environ.get("SOC_BENCH_WRAP", "").split() or []) + cmd,
                         stderr=subprocess.DEVNULL)
    while not consumed(conn, keys):
        time.sleep(0.01)
    wall = time.time() - t0
    r1 = tb.cpu(rp)
    conn.close()
    p.terminate()
    _, _, usage = os.wait4(p.pid, 0)
    k = 100000.0 / n_events
    return {"eps": n_events / wall, "wall": wall, "redis": (r1 - r0) * k,
            "corr": (usage.ru_utime + usage.ru_stime) * k, "rss_mib": usage.ru_maxrss / 1024}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--capture")
    ap.add_argument("--state", help="keep the filled streams here and reuse them next time")
    a = ap.parse_args()
    ch = ct.Chain(os.path.abspath(a.build))
    try:
        capture = a.capture or os.path.join(a.build, "bench", "big.pcap")
        n = restore(ch, a.state) if a.state else None
        source = "the streams kept in %s" % a.state
        if n is None:
            if not os.path.exists(capture):
                capture = ch.big_capture(40)
            n = fill(ch, capture)
            source = "capture " + os.path.basename(capture)
            if a.state:
                keep(ch, a.state)
        runs = []
        for i in range(a.runs):
            print("correlator_bench: run %d/%d" % (i + 1, a.runs), file=sys.stderr)
            runs.append(one_run(ch, n))
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        incidents = len(ch.cli("--scan", "--pattern", "soc:incident:*").split())
        print("%s: %d events in 4 stream shards; median of %d runs.\n" % (
            source[0].upper() + source[1:], n, a.runs))
        print("| soc-correlator (read, evaluate, write, checkpoint) | events/s | CPU s per 100k "
              "events | peak RSS MiB |")
        print("|---|---:|---|---:|")
        print("| rules/correlation + assets + intel | %s | correlator %.2f, redis %.2f | %.1f |" % (
            format(int(med["eps"]), ","), med["corr"], med["redis"], med["rss_mib"]))
        print("\n%d incident keys in Redis after the last run." % incidents)
    finally:
        ch.close()


if __name__ == "__main__":
    main()
