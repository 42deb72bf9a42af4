#!/usr/bin/env python3
"""The attack scenarios end to end through the whole appliance.

    scenario_e2e.py --build BUILD [--live [--multiplier M] [--sensor-config F]
                    [--latency-json FILE]] [--keep] [--show] [NAME...]

One chain per run: a private PKI (socctl pki, sensor "e2e"), a private Redis
(appliance/redis.sh), soc-ingest (mutual TLS 1.3) and soc-correlator with
rules/correlation, rules/assets.yml and rules/intel/feeds.yml. For each
pcaps/scenarios/NAME.pcap the chain is reset (correlator stopped, FLUSHALL,
correlator started: its state lives in Redis, so that is a fresh engine),
soc-sensor runs with rules/signatures/city-attacks.rules and the GeoIP test
databases and ships over mutual TLS, and once the correlator has read and
acknowledged every event, `socctl incidents list --status all --json` must
equal the manifest's "incidents" (scenario_common.compare: each expected
incident with its rule, source, destination, asset and level, severity,
technique and count >= min_count; nothing else; benign.pcap expects none).

Offline (default): `soc-sensor -r NAME.pcap`, the ingest on loopback.

--live: a network namespace of its own (soce2e<pid>, deleted on exit, also
after a failure) holds a veth pair, soc-ingest and the sensor, which
captures on one end (`-i`, the test soc.yaml LIVE_CONFIG) while tcpreplay
sends the capture on the other at M times its speed (default 30, packet
order and relative timing kept; --sensor-config replaces LIVE_CONFIG). The
sensor must see every frame sent (its final stats event). Packets are stamped
with the time the sensor sees them, so the correlator's event-time windows
see the capture compressed M times: a window of T holds M*T of the capture.
Every rule of the pack counts "at least N in T" (no "fewer than" rule), so
compression cannot lose an expected incident; what it risks is false
positives, as windows then span unrelated parts of a capture, and that is
what the live run adds to the offline one: at 30 the 10 s SYN-flood window
spans 300 s and the 1 min windows 30 min, the whole of every capture, and
benign.pcap and every "no unexpected incident" still hold. The bound is
mixed.pcap: at 200 its 10 s window (2000 s) joins the 199 half-open flows
of the port scan of 10.20.0.12 (at 90 s) with a probe of the lateral scan
(866 s): a SYN flood nobody sent. Keep M below 776 s / 10 s, ~75. After
the replay the test waits SETTLE_S for the flows LIVE_CONFIG times out,
then stops the sensor with SIGTERM (which ends and ships the rest).

Latency (live): for every expected incident found, from the last packet of
the evidence that raised it (the event that completed the match, named by
the match id on its "created" timeline entry: a flow's last packet, an
alert's or transaction's packet, as timestamped by the kernel for the
sensor) to the incident's first appearance in Redis (polled every 5 ms),
split into sensor -> stored event (stream entry id) -> incident (created_at);
and from the last packet of all its evidence (the attack as the incident
shows it) to being visible, 0 when it was visible before that packet.
Medians and 99th percentiles are printed; the goal is p99 < 1 s (reported,
not enforced). Incidents completed by a flow the final SIGTERM ended are
left out (their delay is the test's wait, not the appliance's).

Every process the test starts dies with it, even on SIGKILL; the next run
removes what a killed one leaves (its namespace, Redis and directory).
Prints precision and recall over all scenarios. --keep keeps the temporary
directory (EVE files, logs); --latency-json writes the latency samples.
Exit 1 on any mismatch, 77 when a binary, redis-server, tcpreplay, root or
network namespaces are missing.
"""
import argparse
import datetime
import glob
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from scenario_common import (REDIS_SH, Redis, Score, cases, compare, correlator_args, expected,
                             run, sensor_args, skip)

PROG = "scenario_e2e"
SENSOR_NAME = "e2e"
NS_PREFIX = "soce2e"
SHARDS = 4
POLL_S = 0.005
DEFAULT_MULTIPLIER = 30.0

# The correlator acknowledges at its checkpoints: frequent ones let the test
# see sooner that everything was read; a shorter blocking read lets it stop
# sooner on SIGTERM at each reset (a read returns as soon as events arrive,
# so neither changes what it finds or how fast).
CORRELATOR_CONFIG = """correlator:
  checkpoint-interval: 100ms
  block: 100ms
"""

# Live sensor: a TCP flow ends 0.4 s after its last packet once closed (RST,
# both FINs) or while still half-open, instead of Suricata's 60 s, so the
# events of scans, floods and finished connections (and the incidents they
# complete) come within about half a second (live, the flow timers run ten
# times a second). new and closed stay equal, as in the defaults: flows then end in
# the order of their last packets, as offline; with closed shorter than new,
# a sweep's refused connections would reach the correlator before the
# unanswered ones sent earlier, and an incident keyed by source alone would
# take its asset from another host than offline. Established flows keep
# their 600 s, so no session is cut in two; the SIGTERM after the replay
# ends them. Batches leave every 50 ms instead of 200.
LIVE_CONFIG = """sensor:
  stats-interval: 1s
  flow:
    timeouts:
      tcp: { new: 400ms, established: 600, closed: 400ms }
  ingest:
    flush-interval: 50ms
"""
SETTLE_S = 2  # after the replay: the 0.4 s timeouts, the timer pass, shipping
CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tied(cmd):
    """cmd killed when this test dies, even by SIGKILL (a ctest timeout), so
    no process outlives it (util-linux setpriv: PR_SET_PDEATHSIG, no Python
    code between fork and exec while the poller thread runs). Redis
    daemonizes; sweep() stops what a killed run left of it."""
    return ["setpriv", "--pdeathsig", "KILL", "--"] + list(cmd)


def alive(pid):
    """Process pid runs (a zombie does not: a killed run may stay one when
    nobody reaps it)."""
    try:
        with open("/proc/%s/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def sweep():
    """Temporary directories of earlier runs that were killed: their Redis
    stopped, the directory removed unless --keep marked it."""
    for d in glob.glob(os.path.join(tempfile.gettempdir(), "soc-e2e-*-*")):
        m = re.match(r"soc-e2e-(\d+)-", os.path.basename(d))
        if not m or alive(m.group(1)):
            continue
        if os.path.exists(os.path.join(d, "redis", "redis.pid")):
            subprocess.run(["bash", REDIS_SH, "stop", os.path.join(d, "redis")],
                           capture_output=True)
        if not os.path.exists(os.path.join(d, "KEPT")):
            shutil.rmtree(d, ignore_errors=True)


def eve_time(s):
    """EVE timestamp (2024-03-02T08:00:01.123456+0000) -> seconds since the epoch."""
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def last_packet(ev):
    """Time of the last packet behind an EVE event: a flow's last packet, or
    the packet an alert or transaction event was written on."""
    if ev.get("event_type") == "flow":
        return eve_time(ev["flow"]["end"])
    return eve_time(ev["timestamp"])


def read_eve(path):
    """event id (NAME:BOOT:SEQ) -> event, for every line the sensor wrote."""
    out = {}
    with open(path) as f:
        for line in f:
            ev = json.loads(line)
            s = ev["sensor"]
            out["%s:%s:%d" % (s["name"], s["boot_id"], s["seq"])] = ev
    return out


def pcap_frames(path):
    """Frames in a classic pcap file (either byte order); None for pcapng."""
    with open(path, "rb") as f:
        head = f.read(24)
        if head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            order = "<"
        elif head[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            order = ">"
        else:
            return None
        n = 0
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return n
            f.seek(struct.unpack(order + "I", rec[8:12])[0], 1)
            n += 1


def pct(values, p):
    """p-th percentile, nearest rank (of a sorted copy)."""
    v = sorted(values)
    return v[min(len(v) - 1, max(0, -(-p * len(v) // 100) - 1))]


# ---- network namespace ------------------------------------------------------------


class Netns:
    """A namespace with a veth pair: vs0 for the sensor, vp0 for tcpreplay.
    Both ends live inside, so nothing changes in the host's namespace; with
    no address and IPv6 off, the namespace's own stack sends nothing."""

    def __init__(self):
        self.name = "%s%d" % (NS_PREFIX, os.getpid())
        self.sweep()
        r = subprocess.run(["ip", "netns", "add", self.name], capture_output=True, text=True)
        if r.returncode != 0:
            skip(PROG, "cannot create a network namespace: " + r.stderr.strip())
        try:
            for cmd in (["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                         "net.ipv6.conf.default.disable_ipv6=1"],
                        ["ip", "link", "add", "vs0", "mtu", "9000", "type", "veth", "peer",
                         "name", "vp0", "mtu", "9000"],
                        ["ip", "link", "set", "lo", "up"],
                        ["ip", "link", "set", "vs0", "up"],
                        ["ip", "link", "set", "vp0", "up"]):
                run(*self.exec(cmd))
        except Exception:
            self.delete()
            raise

    def exec(self, cmd):
        return ["ip", "netns", "exec", self.name] + list(cmd)

    def delete(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    @staticmethod
    def sweep():
        """Namespaces of earlier runs that were killed (SIGKILL leaves them):
        ours by prefix, and only when their process is gone."""
        r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
        for line in r.stdout.splitlines():
            m = re.match(r"(%s(\d+))\b" % NS_PREFIX, line)
            if m and not alive(m.group(2)):
                subprocess.run(["ip", "netns", "del", m.group(1)], capture_output=True)


# ---- the chain --------------------------------------------------------------------


class Chain:
    def __init__(self, build, keep, netns=None):
        self.sensor = os.path.join(build, "sensor", "soc-sensor")
        self.ingest_bin = os.path.join(build, "correlator", "soc-ingest")
        self.corr_bin = os.path.join(build, "correlator", "soc-correlator")
        self.socctl = os.path.join(build, "appliance", "socctl")
        for b in (self.sensor, self.ingest_bin, self.corr_bin, self.socctl):
            if not os.access(b, os.X_OK):
                skip(PROG, b + " not built")
        if not shutil.which("redis-server"):
            skip(PROG, "redis-server not installed")
        self.keep = keep
        self.netns = netns
        self.ingest = self.corr = None
        self.problems = []  # daemons that did not stop cleanly, sanitizer reports
        sweep()
        self.tmp = tempfile.mkdtemp(prefix="soc-e2e-%d-" % os.getpid())
        self.pki = os.path.join(self.tmp, "pki")
        run(self.socctl, "pki", "init", "--dir", self.pki)
        run(self.socctl, "pki", "issue", SENSOR_NAME, "--dir", self.pki)
        self.redis = Redis(os.path.join(self.tmp, "redis"))
        self.db = self.redis.client()
        self.corr_cfg = self.write("correlator.yaml", CORRELATOR_CONFIG)
        self.live_cfg = self.write("live.yaml", LIVE_CONFIG)
        self.port = free_port()
        self.start_ingest()

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def inside(self, cmd):
        return self.netns.exec(cmd) if self.netns else list(cmd)

    def log(self, name):
        return open(os.path.join(self.tmp, name), "a")

    def spawn(self, cmd, log):
        """cmd in the background, its stderr appended to tmp/log."""
        with self.log(log) as err:
            return subprocess.Popen(tied(cmd), stdout=subprocess.DEVNULL, stderr=err)

    def start_ingest(self):
        self.ingest = self.spawn(self.inside(
            [self.ingest_bin, "--listen", "127.0.0.1:%d" % self.port,
             "--cert", os.path.join(self.pki, "server.crt"),
             "--key", os.path.join(self.pki, "server.key"),
             "--ca", os.path.join(self.pki, "ca.crt"),
             "--crl", os.path.join(self.pki, "crl.pem"),
             "--redis-socket", self.redis.sock, "--redis-user", "ingest",
             "--redis-password-file", self.redis.password_file("ingest")]), "ingest.log")
        probe = self.inside(["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/%d" % self.port])
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.ingest.poll() is not None:
                raise RuntimeError("soc-ingest exited %d (ingest.log)" % self.ingest.returncode)
            if subprocess.run(probe, capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("soc-ingest did not listen on %d" % self.port)

    def reset(self):
        """A fresh start for the next capture: the correlator's state (engine
        snapshot, positions), streams, incidents and the ingest's dedup are
        all in Redis."""
        self.stop_correlator()
        self.db.call("FLUSHALL")
        self.corr = self.spawn([self.corr_bin, "-c", self.corr_cfg, "--consumer", "e2e",
                                *correlator_args(self.redis)], "correlator.log")

    def stop_correlator(self):
        if self.corr:
            if self.corr.poll() is None:
                self.corr.send_signal(signal.SIGTERM)
            if self.corr.wait(timeout=30) != 0:
                self.problems.append("soc-correlator exited %d" % self.corr.returncode)
        self.corr = None

    def consumed(self):
        """Every stream read by the correlator and acknowledged (it
        acknowledges only what its checkpoint covers, after the incidents).
        Its first checkpoint says it has started reading."""
        if not self.db.call("EXISTS", "soc:corr:checkpoint:e2e"):
            return False
        for k in range(SHARDS):
            key = "soc:events:{%d}" % k
            if not self.db.call("EXISTS", key):
                continue
            groups = self.db.call("XINFO", "GROUPS", key)
            g = next((dict(zip(x[::2], x[1::2])) for x in groups
                      if dict(zip(x[::2], x[1::2])).get("name") == "correlator"), None)
            if g is None or g.get("lag") != 0 or g.get("pending") != 0:
                return False
        return True

    def wait_consumed(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.corr.poll() is not None:
                raise RuntimeError("soc-correlator exited %d (correlator.log)"
                                   % self.corr.returncode)
            if self.consumed():
                return
            time.sleep(0.02)
        raise RuntimeError("the correlator did not read every event within %d s" % timeout)

    def sensor_cmd(self, tag, source, config=None):
        d = os.path.join(self.pki, "sensors", SENSOR_NAME)
        cmd = [self.sensor, *source, "--sensor-name", SENSOR_NAME,
               "--eve", os.path.join(self.tmp, tag + ".eve.json"),
               "--ingest", "127.0.0.1:%d" % self.port,
               "--cert", os.path.join(d, SENSOR_NAME + ".crt"),
               "--key", os.path.join(d, SENSOR_NAME + ".key"),
               "--ca", os.path.join(d, "ca.crt"),
               "--spool", os.path.join(self.tmp, tag + ".spool"), *sensor_args()]
        return self.inside(cmd + (["-c", config] if config else []))

    def stream_times(self):
        """event id -> time its stream entry was added (the entry id's ms)."""
        out = {}
        for k in range(SHARDS):
            start = "-"
            while True:
                batch = self.db.call("XRANGE", "soc:events:{%d}" % k, start, "+",
                                     "COUNT", 5000) or []
                for entry_id, fields in batch:
                    f = dict(zip(fields[::2], fields[1::2]))
                    out[f.get("id")] = int(entry_id.split("-")[0]) / 1000.0
                if len(batch) < 5000:
                    break
                start = "(" + batch[-1][0]
        return out

    def close(self):
        self.stop_correlator()
        if self.ingest:
            if self.ingest.poll() is None:
                self.ingest.send_signal(signal.SIGTERM)
            try:
                if self.ingest.wait(timeout=20) != 0:
                    self.problems.append("soc-ingest exited %d" % self.ingest.returncode)
            except subprocess.TimeoutExpired:
                self.ingest.kill()
                self.ingest.wait()
                self.problems.append("soc-ingest did not stop on SIGTERM")
        self.db.close()
        self.redis.stop(PROG)
        for log in sorted(glob.glob(os.path.join(self.tmp, "*.log"))):
            with open(log, errors="replace") as f:
                text = f.read()
            for m in CRASH_MARKERS:
                if m in text:
                    self.problems.append("%s: %s ...%s" % (
                        os.path.basename(log), m, text[text.index(m):][:300]))
        if self.keep:
            open(os.path.join(self.tmp, "KEPT"), "w").close()
            print("%s: kept %s" % (PROG, self.tmp))
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ---- offline ----------------------------------------------------------------------


def offline_case(ch, name, pcap):
    ch.reset()
    with ch.log(name + ".sensor.log") as err:
        rc = subprocess.run(tied(ch.sensor_cmd(name, ["-r", pcap])), stdout=subprocess.DEVNULL,
                            stderr=err, timeout=300).returncode
    if rc != 0:
        raise RuntimeError("soc-sensor -r %s exited %d (%s.sensor.log)" % (pcap, rc, name))
    ch.wait_consumed()
    return ch.redis.incidents(ch.socctl)


# ---- live -------------------------------------------------------------------------


class Poller(threading.Thread):
    """Notes when each incident id first appears in Redis."""

    def __init__(self, redis):
        super().__init__(daemon=True)
        self.db = redis.client()
        self.seen = {}
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            ids = self.db.call("ZRANGE", "soc:incident:{inc}:all", 0, -1)
            now = time.time()
            for i in ids:
                self.seen.setdefault(i, now)
            time.sleep(POLL_S)

    def stop(self):
        self.halt.set()
        self.join()
        self.db.close()


def stats_events(path):
    """Stats events the live sensor has written so far."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                if line.endswith("\n") and '"event_type":"stats"' in line:
                    out.append(json.loads(line)["stats"])
    except FileNotFoundError:
        pass
    return out


def wait_capturing(path, sensor, timeout=30):
    """A stats event means the capture loop runs: the handle is active."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if sensor.poll() is not None:
            raise RuntimeError("soc-sensor exited %d" % sensor.returncode)
        if stats_events(path):
            return
        time.sleep(0.05)
    raise RuntimeError("the live sensor wrote no stats event in %d s" % timeout)


def live_case(ch, name, pcap, multiplier):
    ch.reset()
    eve = os.path.join(ch.tmp, name + ".eve.json")
    sensor = ch.spawn(ch.sensor_cmd(name, ["-i", "vs0"], ch.live_cfg), name + ".sensor.log")
    poller = Poller(ch.redis)
    try:
        wait_capturing(eve, sensor)
        poller.start()
        with ch.log(name + ".tcpreplay.log") as log:
            # nanosleep between packets: the default timer spins on
            # gettimeofday, a whole core taken from the sensor.
            subprocess.run(tied(ch.netns.exec(["tcpreplay", "--timer=nano", "-i", "vp0",
                                                "--multiplier", str(multiplier), pcap])),
                           stdout=log, stderr=log, check=True)
        time.sleep(SETTLE_S)
        sensor.send_signal(signal.SIGTERM)
        rc = sensor.wait(timeout=60)
        if rc != 0:
            raise RuntimeError("live soc-sensor exited %d (%s.sensor.log)" % (rc, name))
        ch.wait_consumed()
        # Every frame sent must have been seen, or a failure would mislead.
        final = stats_events(eve)[-1]
        frames = pcap_frames(pcap)
        if frames is not None and (final["decoder"]["pkts"] != frames
                                   or final["capture"]["kernel_drops"]):
            raise RuntimeError("live capture saw %d of the %d frames sent (kernel drops %d)" % (
                final["decoder"]["pkts"], frames, final["capture"]["kernel_drops"]))
    finally:
        if sensor.poll() is None:
            sensor.kill()
            sensor.wait()
        if poller.is_alive():
            poller.stop()
        else:
            poller.db.close()
    return ch.redis.incidents(ch.socctl), poller.seen, eve


def latencies(ch, name, pairs, seen, eve_path):
    """One sample per expected incident found (see the module text)."""
    events = read_eve(eve_path)
    stored = ch.stream_times()
    out = []
    for want, inc in pairs:
        tl = ch.db.call("XRANGE", "soc:incident:{inc}:%s:timeline" % inc["id"], "-", "+",
                        "COUNT", 1)
        f = dict(zip(tl[0][1][::2], tl[0][1][1::2])) if tl else {}
        eid = f.get("match", "").split("/")[-1]
        ev = events.get(eid)
        created = int(ch.db.call("HGET", "soc:incident:{inc}:%s" % inc["id"], "created_at"))
        s = {"scenario": name, "rule": want["rule"], "src": want["src"], "dest": want["dest"],
             "incident": inc["id"], "event": eid, "visible": seen.get(inc["id"]),
             "created": created / 1e6, "stored": stored.get(eid)}
        missing = [what for what, v in (("its completing event %r in the EVE file" % eid, ev),
                                        ("in the polls", s["visible"]),
                                        ("its event in the streams", s["stored"])) if v is None]
        if missing:
            s["skip"] = "not found: " + ", ".join(missing)
            out.append(s)
            continue
        # what completed it: alert, dns, http, ... or flow/STATE (new: half-open)
        s["kind"] = ev["event_type"]
        if ev["event_type"] == "flow":
            s["kind"] += "/" + ev["flow"].get("state", "?")
        s["packet"] = last_packet(ev)
        if ev["event_type"] == "flow" and ev["flow"].get("reason") == "shutdown":
            s["skip"] = "completed by a flow the final SIGTERM ended"
        ends = [last_packet(events[e]) for e in inc["evidence"] if e in events]
        s["attack_end"] = max(ends + [s["packet"]])
        out.append(s)
    return out


def latency_report(samples, where=PROG + ": live"):
    """Print p50/p99 of the samples; returns the p99 of detection latency."""
    used = [s for s in samples if "skip" not in s]
    for s in samples:
        if "skip" in s:
            print("%s: latency: left out %s %s (%s): %s" % (where, s["scenario"], s["rule"],
                                                           s["incident"], s["skip"]))
    if not used:
        print("%s: latency: no sample" % where)
        return None

    def line(what, vals):
        print("%s: %-44s p50 %6.3f s  p99 %6.3f s  max %6.3f s  (n=%d)" % (
            where, what, pct(vals, 50), pct(vals, 99), max(vals), len(vals)))

    det = [s["visible"] - s["packet"] for s in used]
    line("latency, completing packet -> visible:", det)
    line("  sensor+ship+ingest (packet -> stored):", [s["stored"] - s["packet"] for s in used])
    line("  correlator (stored -> incident written):", [s["created"] - s["stored"] for s in used])
    line("  poll (written -> seen, 5 ms polls):", [s["visible"] - s["created"] for s in used])
    flows = [s["visible"] - s["packet"] for s in used if s["kind"].startswith("flow")]
    others = [s["visible"] - s["packet"] for s in used if not s["kind"].startswith("flow")]
    if others:
        line("  completed by a packet (alert, dns, http):", others)
    if flows:
        line("  completed by a flow's end (flow event):", flows)
    for kind in sorted({s["kind"] for s in used}):
        line("  completed by %s events:" % kind,
             [s["visible"] - s["packet"] for s in used if s["kind"] == kind])
    end = [max(0.0, s["visible"] - s["attack_end"]) for s in used]
    early = sum(1 for s in used if s["visible"] < s["attack_end"])
    line("latency, attack's last packet -> visible:", end)
    print("%s: %d of %d incidents were visible before their attack's last packet" % (
        where, early, len(used)))
    p99 = pct(det, 99)
    print("%s: goal p99 < 1 s: %s (p99 %.3f s)" % (where, "met" if p99 < 1.0 else "NOT met", p99))
    return p99


# ---- main -------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--live", action="store_true")
    ap.add_argument("--multiplier", type=float, default=DEFAULT_MULTIPLIER)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--latency-json")
    ap.add_argument("--sensor-config", help="live: this soc.yaml instead of LIVE_CONFIG")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    todo = cases(PROG, a.names, fixtures=False)
    mode = "live" if a.live else "offline"
    prog = "%s: %s" % (PROG, mode)
    netns = None
    if a.live:
        if os.geteuid() != 0:
            skip(PROG, "live mode needs root (network namespaces, capture)")
        for tool in ("ip", "tcpreplay"):
            if not shutil.which(tool):
                skip(PROG, tool + " not installed")
    # SIGTERM (ctest's timeout) unwinds like an error, so the namespace goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    score = Score()
    samples = []
    errors = 0
    ch = None
    t0 = time.time()
    try:
        netns = Netns() if a.live else None
        ch = Chain(os.path.abspath(a.build), a.keep, netns)
        if a.sensor_config:
            ch.live_cfg = os.path.abspath(a.sensor_config)
        for name, manifest, pcap, _ in todo:
            t = time.time()
            want = expected(manifest)
            try:
                if a.live:
                    got, seen, eve = live_case(ch, name, pcap, a.multiplier)
                else:
                    got = offline_case(ch, name, pcap)
            except (RuntimeError, subprocess.SubprocessError) as e:
                print("%s: FAILED: %s: %s" % (prog, name, e))
                score.add(0, len(want), 0)
                errors += 1
                continue
            tp, fn, fp, pairs = compare(prog, name, want, got, a.show)
            score.add(tp, fn, fp)
            if a.live:
                samples += latencies(ch, name, pairs, seen, eve)
            print("%s: %s done in %.1f s" % (prog, name, time.time() - t))
    finally:
        if ch:
            ch.close()
            for p in ch.problems:
                print("%s: FAILED: %s" % (prog, p))
                errors += 1
        if netns:
            netns.delete()
    if a.live:
        print("%s: tcpreplay --multiplier %g on a veth pair, %.0f s in all"
              % (prog, a.multiplier, time.time() - t0))
        latency_report(samples)
        if a.latency_json:
            with open(a.latency_json, "w") as f:
                json.dump(samples, f, indent=1)
    score.report(PROG, mode + ": ")
    return 0 if score.ok() and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
