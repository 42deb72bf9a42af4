#!/usr/bin/python3
"""soc-correlator throughput with the rule pack, Redis included.

    tests/bench/correlator_bench.py [--build build] [--runs 3] [--capture PCAP]

The events of the capture (default BUILD/bench/big.pcap, else a 40 MB copy
of pcaps/*.pcap), with the city's signature rules, are put in the Redis
streams once through the real chain (sensor -> soc-ingest). Each run then
creates a fresh consumer group and times soc-correlator (rules/correlation,
rules/assets.yml, rules/intel/feeds.yml) from its start until every shard
is read to the end and acknowledged: events/s with the XREADGROUP reads,
the evaluation, the incident writes and the checkpoints, plus the CPU of
soc-correlator and redis-server per 100k events and the correlator's peak
RSS. Medians of the runs. Not a ctest.
"""
import argparse
import os
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


def consumed(ch):
    for k in ch.cli("--scan", "--pattern", "soc:events:*").split():
        info = ch.cli("XINFO", "GROUPS", k).split("\n")
        if "correlator" not in info:  # the group is not even created yet
            return False
        for i, v in enumerate(info):
            if v in ("lag", "pending") and info[i + 1] != "0":
                return False
    return True


def one_run(ch, n_events):
    for k in ch.cli("--scan", "--pattern", "soc:incident*").split() + \
            ch.cli("--scan", "--pattern", "soc:corr:*").split() + \
            ch.cli("--scan", "--pattern", "soc:queue:*").split():
        ch.cli("DEL", k)
    for k in ch.cli("--scan", "--pattern", "soc:events:*").split():
        ch.cli("XGROUP", "DESTROY", k, "correlator")
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
    while not consumed(ch):
        time.sleep(0.05)
    wall = time.time() - t0
    r1 = tb.cpu(rp)
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
    a = ap.parse_args()
    ch = ct.Chain(os.path.abspath(a.build))
    try:
        capture = a.capture or os.path.join(a.build, "bench", "big.pcap")
        if not os.path.exists(capture):
            capture = ch.big_capture(40)
        n = fill(ch, capture)
        runs = []
        for i in range(a.runs):
            print("correlator_bench: run %d/%d" % (i + 1, a.runs), file=sys.stderr)
            runs.append(one_run(ch, n))
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        incidents = len(ch.cli("--scan", "--pattern", "soc:incident:*").split())
        print("Capture %s: %d events in 4 stream shards; median of %d runs.\n" % (
            os.path.basename(capture), n, a.runs))
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
