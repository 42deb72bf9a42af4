#!/usr/bin/python3
"""Sensor -> soc-ingest -> Redis throughput, with the real binaries.

    tests/bench/transport_bench.py [--build build] [--runs 3] [--capture PCAP]

Each run: the sensor replays the capture with the ingest down, so every
event waits in its disk spool; then soc-ingest starts and the sensor drains
the spool over mutual TLS 1.3 (a second run on an empty capture). Measured
from the start of the drain until the sensor exits with everything acked:
events/s end to end, and CPU seconds per 100k events of the sensor (its
shipper), soc-ingest and redis-server. Beside it, in the same run and on the
same Redis, redis-benchmark's pipelined XADD of a value as long as an
average event: the practical limit of this machine. Medians of the runs.

The capture defaults to BUILD/bench/big.pcap (tests/bench/sensor_bench.sh
makes it), else a 40 MB copy of pcaps/*.pcap. Not a ctest.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import chain_test as ct  # noqa: E402

EMPTY = os.path.join(ROOT, "pcaps", "corrupt", "header_only.pcap")
BIG_SPOOL = "sensor:\n  ingest:\n    spool-size: 8gb\n    drain-timeout: 0s\n"
DRAIN = "sensor:\n  ingest:\n    spool-size: 8gb\n    drain-timeout: 30m\n"


def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_pid(ch):
    return int(open(os.path.join(ch.redis_dir, "redis.pid")).read().strip())


def one_run(ch, capture):
    ch.clear()
    ch.stop_ingest()
    ct.wait_sensor(ch.start_sensor(capture, "fill", BIG_SPOOL), timeout=1800)
    events = sum(1 for _ in open(os.path.join(ch.tmp, "fill.eve.json")))
    ch.start_ingest()
    rp, ip = redis_pid(ch), ch.ingest.pid
    r0, i0 = cpu(rp), cpu(ip)
    t0 = time.time()
    p = subprocess.Popen(ch.sensor_cmd(EMPTY, "drain", DRAIN), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    # the sensor's own CPU, from the kernel's accounting of the child
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.time() - t0
    assert os.waitstatus_to_exitcode(status) == 0, "drain run failed"
    stored = ch.stored_count()
    assert stored >= events, "stored %d of %d events" % (stored, events)
    k = 100000.0 / events
    return {"events": events, "eps": events / wall, "wall": wall,
            "sensor": (usage.ru_utime + usage.ru_stime) * k,
            "ingest": (cpu(ip) - i0) * k, "redis": (cpu(rp) - r0) * k}


def xadd_baseline(ch, value_len, n=300000):
    """redis-benchmark: pipelined XADD of one value_len-byte field."""
    pw = open(os.path.join(ch.redis_dir, "secrets", "admin.pass")).read().strip()
    out = subprocess.run(
        ["redis-benchmark", "-s", ch.sock, "--user", "admin", "-a", pw, "-P", "64", "-n",
         str(n), "-q", "-d", str(value_len), "XADD", "soc:bench", "*", "event",
         "__data__"], capture_output=True, text=True).stdout
    m = re.findall(r"([0-9.]+) requests per second", out)
    ch.cli("DEL", "soc:bench")
    return float(m[-1]) if m else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--capture")
    a = ap.parse_args()
    ch = ct.Chain(os.path.abspath(a.build))
    try:
        capture = a.capture or os.path.join(a.build, "bench", "big.pcap")
        if not os.path.exists(capture):
            capture = ch.big_capture(40)
        runs, base = [], []
        for i in range(a.runs):
            print("transport_bench: run %d/%d" % (i + 1, a.runs), file=sys.stderr)
            runs.append(one_run(ch, capture))
            avg = os.path.getsize(os.path.join(ch.tmp, "fill.eve.json")) // runs[-1]["events"]
            base.append(xadd_baseline(ch, avg))
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        b = statistics.median(base)
        print("Capture %s: %d events (average %d bytes); median of %d runs.\n" % (
            os.path.basename(capture), med["events"], avg, a.runs))
        print("| path | events/s | CPU s per 100k events |")
        print("|---|---:|---|")
        print("| soc-sensor spool -> soc-ingest (TLS 1.3) -> Redis | %s | sensor %.2f, ingest %.2f, "
              "redis %.2f |" % (format(int(med["eps"]), ","), med["sensor"], med["ingest"],
                                med["redis"]))
        print("| redis-benchmark XADD -P 64, %d-byte value | %s | - |" % (avg, format(int(b), ",")))
        print("\nEnd to end: %.0f%% of the pipelined XADD baseline." % (100 * med["eps"] / b))
    finally:
        ch.close()


if __name__ == "__main__":
    main()
