#!/usr/bin/python3
"""soc-ingest end-to-end throughput: N sensor connections send pre-built
batches of real EVE lines over mutual TLS as fast as acks allow, into a
private Redis; next to it, redis-benchmark's pipelined XADD on the same
Redis as the baseline.

    tests/bench/ingest_bench.py --build build [--connections 4] [--events 200000]
                                [--batch-events 500] [--window 4] [--runs 3]

Reports, as the median of the runs: events/s end to end (first byte sent to
last ACK received), and CPU seconds of soc-ingest and of redis-server per
100k events (utime + stime from /proc/PID/stat). Exit 77 when redis-server,
redis-benchmark or the binaries are missing.
"""

import argparse
import json
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import ingest_client as ic  # noqa: E402


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick  # utime, stime


def eve_templates(sensor_bin, pcap):
    out = subprocess.run([sensor_bin, "-r", pcap, "--eve", "-"], check=True,
                         capture_output=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def build_frames(templates, name, boot_id, nevents, per_batch):
    """Batches of the capture's events, renamed to sensor name, numbered."""
    frames, lines, seq = [], [], 0
    for i in range(nevents):
        ev = dict(templates[i % len(templates)])
        ev["sensor"] = {"name": name, "boot_id": boot_id, "seq": i + 1}
        lines.append(json.dumps(ev, separators=(",", ":")).encode())
        if len(lines) == per_batch or i == nevents - 1:
            seq += 1
            frames.append(ic.batch_frame(seq, lines))
            lines = []
    return frames


def client(port, pki, name, spool_id, boot_id, frames, window, go, done):
    ctx = ic.client_context(pki, name)
    c = ic.Conn(port, ctx, timeout=120)
    c.hello(boot_id, spool_id)
    go.wait()
    sent = acked = 0
    while acked < len(frames):
        while sent < len(frames) and sent - acked < window:
            c.send(frames[sent])
            sent += 1
        ack = c.recv_ack()
        if ack != acked + 1:
            raise SystemExit("%s: ACK %d, expected %d" % (name, ack, acked + 1))
        acked += 1
    done.put(time.time())
    c.close()


def one_run(args, ing, redis, pki, templates, run_no):
    per_conn = args.events // args.connections
    ctxs = []
    for k in range(args.connections):
        name = "bench-%02d" % k
        boot, spool = ic.new_id(), ic.new_id()
        ctxs.append((name, spool, boot, build_frames(templates, name, boot, per_conn,
                                                     args.batch_events)))
    total = per_conn * args.connections
    go, done = mp.Event(), mp.Queue()
    procs = [mp.Process(target=client, args=(ing.port, pki, n, sp, b, fr, args.window, go, done))
             for n, sp, b, fr in ctxs]
    for p in procs:
        p.start()
    time.sleep(1.0)  # every client has its WELCOME
    ipid, rpid = ing.proc.pid, redis.pid()
    c0 = (cpu_seconds(ipid), cpu_seconds(rpid))
    t0 = time.time()
    go.set()
    ends = [done.get(timeout=600) for _ in procs]
    t1 = max(ends)
    c1 = (cpu_seconds(ipid), cpu_seconds(rpid))
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit("client failed")
    a = redis.admin()
    stored = sum(a.call("XLEN", "soc:events:{%d}" % s) for s in range(args.shards))
    for s in range(args.shards):  # keep memory flat across runs
        a.call("DEL", "soc:events:{%d}" % s)
    a.close()
    if stored != total:
        raise SystemExit("run %d: %d events stored, expected %d" % (run_no, stored, total))
    secs = t1 - t0
    per100k = 100000 / total
    return {"events_per_s": total / secs, "ingest_cpu": (c1[0] - c0[0]) * per100k,
            "redis_cpu": (c1[1] - c0[1]) * per100k, "seconds": secs, "events": total}


def xadd_baseline(redis, value_len, n=200000):
    with open(redis.password_file("admin")) as f:
        pw = f.read().strip()
    cmd = ["redis-benchmark", "-s", redis.sock, "--user", "admin", "-a", pw, "-P", "64",
           "-n", str(n), "--csv", "XADD", "soc:bench", "*", "f", "v" * value_len]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    a = redis.admin()
    a.call("DEL", "soc:bench")
    a.close()
    for line in out.splitlines():
        parts = [p.strip('"') for p in line.split(",")]
        if len(parts) >= 2 and parts[0].startswith("XADD"):
            return float(parts[1])
    raise SystemExit("cannot read redis-benchmark output: %s" % out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--batch-events", type=int, default=500)
    ap.add_argument("--window", type=int, default=4)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pcap", default=os.path.join(ROOT, "pcaps", "city_mix.pcap"))
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--no-aof-rewrite", action="store_true",
                    help="diagnosis: turn off Redis's automatic AOF rewrites")
    args = ap.parse_args()
    ingest_bin = os.path.join(args.build, "correlator", "soc-ingest")
    socctl = os.path.join(args.build, "appliance", "socctl")
    sensor = os.path.join(args.build, "sensor", "soc-sensor")
    for need in (ingest_bin, socctl, sensor):
        if not os.access(need, os.X_OK):
            print("SKIP: %s not built" % need)
            return 77
    for tool in ("redis-server", "redis-benchmark"):
        if not shutil.which(tool):
            print("SKIP: %s not installed" % tool)
            return 77
    templates = eve_templates(sensor, args.pcap)
    line_len = statistics.mean(len(json.dumps(t, separators=(",", ":"))) for t in templates)
    tmp = tempfile.mkdtemp(prefix="ingb.", dir="/tmp")
    redis = ic.PrivateRedis(os.path.join(ROOT, "appliance", "redis.sh"), os.path.join(tmp, "r"))
    ing = None
    try:
        pki = os.path.join(tmp, "pki")
        ic.make_pki(socctl, pki, ["bench-%02d" % k for k in range(args.connections)])
        os.environ.setdefault("SOC_REDIS_MAXMEMORY", "4gb")
        redis.start()
        if args.no_aof_rewrite:
            a = redis.admin()
            a.call("CONFIG", "SET", "auto-aof-rewrite-percentage", "0")
            a.close()
        ing = ic.Ingest(ingest_bin, tmp, pki, redis, extra="  shards: %d\n" % args.shards)
        ing.start()
        results, baselines, baselines_real = [], [], []
        for r in range(args.runs):
            res = one_run(args, ing, redis, pki, templates, r)
            results.append(res)
            baselines.append(xadd_baseline(redis, 1))
            baselines_real.append(xadd_baseline(redis, int(line_len)))
            print("run %d: %.0f events/s (%d events in %.2f s), CPU per 100k events: "
                  "ingest %.2f s, redis %.2f s; XADD baseline %.0f/s (1-byte value), "
                  "%.0f/s (%d-byte value)"
                  % (r + 1, res["events_per_s"], res["events"], res["seconds"],
                     res["ingest_cpu"], res["redis_cpu"], baselines[-1], baselines_real[-1],
                     line_len))
        med = lambda k: statistics.median(x[k] for x in results)  # noqa: E731
        eps, base = med("events_per_s"), statistics.median(baselines)
        base_real = statistics.median(baselines_real)
        print("median of %d runs: %.0f events/s end to end (%d connections, %d events per "
              "batch, mean line %d bytes); CPU per 100k events: soc-ingest %.2f s, "
              "redis-server %.2f s; redis-benchmark XADD -P 64: %.0f/s (1-byte value, "
              "ingest = %.0f%%), %.0f/s (%d-byte value, ingest = %.0f%%)"
              % (args.runs, eps, args.connections, args.batch_events, line_len,
                 med("ingest_cpu"), med("redis_cpu"), base, 100 * eps / base, base_real,
                 line_len, 100 * eps / base_real))
        return 0
    finally:
        if ing:
            ing.stop()
        redis.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
