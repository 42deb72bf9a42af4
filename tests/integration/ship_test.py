#!/usr/bin/python3
"""ship_test.py -- soc-sensor --ingest end to end against a test receiver.

  ship_test.py --sensor BIN --socctl BIN [-k NAME] [-v]
  ship_test.py --sensor BIN --socctl BIN --bench PCAP [--runs N]

The receiver here is written from correlator/ingest/PROTOCOL.md, not from
the sensor's code: a TLS 1.3 server that demands a client certificate of the
test PKI (made with socctl pki), speaks the frame protocol, stores events in
memory by (sensor.boot_id, sensor.seq), dedups batches by (CN, spool_id,
seq) like soc-ingest, and acks. Switches make it refuse connections (not
listening), drop the connection after N batches without acking, never ack,
or present a server certificate of another CA.

Checks: every event of `--eve OUT` arrives exactly once (resends of a batch
must be byte-identical); a receiver that comes up late; a connection
dropped mid-stream; a tiny spool with the receiver down (drops reported in
stats and an anomaly event, the rest delivered by the next run, and
arrived + dropped == written); a server of the wrong CA (reason logged
once, events kept); --user (when root); a sensor name other than the
certificate's CN. --bench times `soc-sensor -r` with and without shipping.
Exit 0 pass, 1 fail, 77 skip (something needed is missing)."""

import argparse
import json
import os
import pwd
import re
import resource
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# ---- frames (PROTOCOL.md section 2) -------------------------------------------

HELLO, WELCOME, BATCH, ACK, ERROR = 1, 2, 3, 4, 5
CONTROL_MAX = 4096


def frame(ftype, payload):
    return struct.pack(">BBBBI", 0x53, 0x46, 1, ftype, len(payload)) + payload


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def read_frame(sock, limit):
    """(type, payload), or None at EOF; raises ValueError on a bad header."""
    hdr = recv_exact(sock, 8)
    if hdr is None:
        return None
    m0, m1, ver, ftype, length = struct.unpack(">BBBBI", hdr)
    if (m0, m1, ver) != (0x53, 0x46, 1):
        raise ValueError("bad frame header %s" % hdr.hex())
    if length > limit:
        raise ValueError("payload length %d exceeds %d" % (length, limit))
    payload = recv_exact(sock, length)
    if payload is None:
        return None
    return ftype, payload


# ---- the receiver ---------------------------------------------------------------


class Receiver:
    """A soc-ingest stand-in. Thread-safe views: events, order, hellos."""

    def __init__(self, ca, cert, key, max_payload=4 << 20, drop_after=0, drop_times=1,
                 never_ack=False, fast=False, reject_seq=0, linger=True):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        self.ctx.load_cert_chain(cert, key)
        self.ctx.load_verify_locations(ca)
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.max_payload = max_payload
        self.drop_after, self.drop_times = drop_after, drop_times
        self.never_ack, self.fast = never_ack, fast
        self.reject_seq = reject_seq  # refuse this batch once with ERROR 1
        self.rejected = None  # sensor.seq of the events of the refused batch
        self.linger = linger  # after ERROR, read until the sensor closes
        self.lock = threading.Lock()
        self.events = {}  # (boot_id, seq) -> line
        self.order = []  # (boot_id, seq) as stored
        self.resent = 0  # event lines that came again in an already stored batch
        self.mismatches = []  # resent lines that differ from the stored ones
        self.problems = []  # protocol violations by the sensor
        self.last_seq = {}  # (cn, spool_id) -> last stored batch seq
        self.hellos = []
        self.connections = 0
        self.handshake_failures = 0
        self.lines = 0  # fast mode: lines received
        self.sock = None
        self.threads = []
        self.running = False

    def start(self, port=0):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(16)
        s.settimeout(0.1)
        self.sock, self.running = s, True
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)
        return s.getsockname()[1]

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(5)
        if self.sock:
            self.sock.close()
            self.sock = None

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
                n = self.connections
            t = threading.Thread(target=self._serve, args=(conn, n), daemon=True)
            t.start()
            self.threads.append(t)

    def _problem(self, text):
        with self.lock:
            self.problems.append(text)

    def _serve(self, raw, nconn):
        raw.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            with self.lock:
                self.handshake_failures += 1
            raw.close()
            return
        try:
            self._session(tls, nconn)
        except (OSError, ValueError) as e:
            if self.running:
                self._problem("connection %d: %s" % (nconn, e))
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def _session(self, tls, nconn):
        subject = dict(x[0] for x in tls.getpeercert()["subject"])
        cn = subject["commonName"]
        f = read_frame(tls, CONTROL_MAX)
        if f is None:
            return
        if f[0] != HELLO:
            raise ValueError("first frame is type %d, not HELLO" % f[0])
        hello = json.loads(f[1])
        with self.lock:
            self.hellos.append(hello)
            key = (cn, hello.get("spool_id"))
            last = self.last_seq.get(key, 0)
        tls.sendall(frame(WELCOME, struct.pack(">QI", last, self.max_payload)))
        prev, nbatch = 0, 0
        while self.running:
            try:
                f = read_frame(tls, self.max_payload)
            except socket.timeout:
                continue
            if f is None:
                return
            ftype, payload = f
            if ftype == ERROR:
                self._problem("sensor sent ERROR %d: %s" % (
                    struct.unpack(">H", payload[:2])[0], payload[2:].decode(errors="replace")))
                return
            if ftype != BATCH:
                raise ValueError("frame type %d after WELCOME" % ftype)
            seq, count = struct.unpack(">QI", payload[:12])
            if seq <= prev:
                raise ValueError("batch %d after %d on one connection" % (seq, prev))
            prev = seq
            nbatch += 1
            if self.drop_after and nbatch == self.drop_after and nconn <= self.drop_times:
                return  # cut off without acking this batch
            if self.never_ack:
                continue
            body = payload[12:]
            if seq == self.reject_seq and self.rejected is None:
                self.rejected = [json.loads(ln)["sensor"]["seq"] for ln in body.split(b"\n")[:-1]]
                text = b"batch %d: refused by the test" % seq
                tls.sendall(frame(ERROR, struct.pack(">H", 1) + text))
                if self.linger:
                    self._drain(tls)
                return
            if self.fast:
                with self.lock:
                    self.lines += count
            elif not self._store(cn, key, seq, count, body):
                return
            tls.sendall(frame(ACK, struct.pack(">Q", seq)))

    @staticmethod
    def _drain(tls):
        """Read and discard until the sensor closes: closing with unread
        data would reset the connection, and a reset can destroy the ERROR
        before the sensor reads it."""
        tls.settimeout(5)
        try:
            while tls.recv(65536):
                pass
        except (OSError, ssl.SSLError):
            pass

    def _store(self, cn, key, seq, count, body):
        lines = body.split(b"\n")
        if not body.endswith(b"\n") or len(lines) - 1 != count or b"" in lines[:-1]:
            self._problem("batch %d: %d lines for count %d" % (seq, len(lines) - 1, count))
            return False
        parsed = []
        for ln in lines[:-1]:
            ev = json.loads(ln)
            s = ev["sensor"]
            if s["name"] != cn:
                self._problem("batch %d: event of sensor %r on connection of %r" % (
                    seq, s["name"], cn))
                return False
            parsed.append(((s["boot_id"], s["seq"]), ln))
        with self.lock:
            if seq <= self.last_seq.get(key, 0):  # a resend of a stored batch
                for ident, ln in parsed:
                    self.resent += 1
                    if self.events.get(ident) not in (None, ln):
                        self.mismatches.append(ident)
                return True
            for ident, ln in parsed:
                if ident in self.events:
                    self.resent += 1
                    if self.events[ident] != ln:
                        self.mismatches.append(ident)
                    continue
                self.events[ident] = ln
                self.order.append(ident)
            self.last_seq[key] = seq
        return True

    def of_boot(self, boot_id):
        with self.lock:
            return {s: ln for (b, s), ln in self.events.items() if b == boot_id}

    def order_of(self, boot_id):
        with self.lock:
            return [s for b, s in self.order if b == boot_id]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- captures -------------------------------------------------------------------


def synthetic_pcap(path, flows):
    """One UDP packet per flow (distinct source ports and addresses): one
    flow event each when the capture ends; deterministic."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i in range(flows):
        payload = b"soc-ship-test %06d " % i + b"x" * 60
        udp = struct.pack(">HHHH", 20000 + i % 40000, 5555, 8 + len(payload), 0) + payload
        src = bytes([10, 1, (i >> 8) & 255, i & 255])
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0,
                         src, bytes([10, 2, 0, 1]))
        csum = sum(struct.unpack(">10H", ip))
        csum = (csum & 0xFFFF) + (csum >> 16)
        csum = (csum & 0xFFFF) + (csum >> 16)
        ip = ip[:10] + struct.pack(">H", ~csum & 0xFFFF) + ip[12:]
        eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp
        ts = (1700000000 + i // 100, (i % 100) * 1000)
        out.append(struct.pack("<IIII", ts[0], ts[1], len(eth), len(eth)))
        out.append(eth)
    with open(path, "wb") as f:
        f.write(b"".join(out))


# ---- the test harness -------------------------------------------------------------


class Env:
    def __init__(self, sensor, socctl, verbose):
        self.sensor, self.socctl, self.verbose = sensor, socctl, verbose
        self.tmp = tempfile.mkdtemp(prefix="soc-ship-")
        os.chmod(self.tmp, 0o755)
        self.pki = os.path.join(self.tmp, "pki")
        self.other = os.path.join(self.tmp, "other-pki")
        for d in (self.pki, self.other):
            subprocess.run([socctl, "pki", "init", "--dir", d], check=True,
                           stdout=subprocess.DEVNULL)
        subprocess.run([socctl, "pki", "issue", "sensor-t1", "--dir", self.pki], check=True,
                       stdout=subprocess.DEVNULL)
        sd = os.path.join(self.pki, "sensors", "sensor-t1")
        self.cert = os.path.join(sd, "sensor-t1.crt")
        self.key = os.path.join(sd, "sensor-t1.key")
        self.ca = os.path.join(self.pki, "ca.crt")
        self.n = 0
        self.crashes = []  # sanitizer reports and signals, from any run
        self.synth = os.path.join(self.tmp, "synth.pcap")
        synthetic_pcap(self.synth, 3000)

    def receiver(self, wrong_ca=False, **kw):
        srv = self.other if wrong_ca else self.pki
        return Receiver(self.ca, os.path.join(srv, "server.crt"), os.path.join(srv, "server.key"),
                        **kw)

    def path(self, name):
        self.n += 1
        return os.path.join(self.tmp, "%02d-%s" % (self.n, name))

    def config(self, **ingest):
        p = self.path("soc.yaml")
        with open(p, "w") as f:
            f.write("sensor:\n  stats-interval: 0\n  ingest:\n")
            for k, v in ingest.items():
                f.write("    %s: %s\n" % (k.replace("_", "-"), v))
        return p

    def run(self, pcap, port, spool, eve=None, config=None, extra=(), timeout=180):
        cmd = [self.sensor, "-r", pcap, "--ingest", "127.0.0.1:%d" % port, "--cert", self.cert,
               "--key", self.key, "--ca", self.ca, "--spool", spool]
        if eve:
            cmd += ["--eve", eve]
        if config:
            cmd += ["-c", config]
        cmd += list(extra)
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        secs = time.monotonic() - t0
        err = p.stderr.decode(errors="replace")
        if crashed(p.returncode, err):
            self.crashes.append("exit %d: %s" % (p.returncode, err[-1500:]))
        if self.verbose:
            print("  $ %s\n  exit %d in %.2f s\n%s" % (" ".join(cmd), p.returncode, secs,
                                                     re.sub("(?m)^", "    ", err.rstrip())))
        return p.returncode, err, secs

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def read_eve(path):
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    assert lines[-1] == b""
    return lines[:-1]


def by_seq(lines):
    out = {}
    for ln in lines:
        out[json.loads(ln)["sensor"]["seq"]] = ln
    return out


def boot_of(lines):
    return json.loads(lines[0])["sensor"]["boot_id"]


def crashed(rc, err):
    return rc < 0 or "Sanitizer" in err or "runtime error" in err


class Check:
    def __init__(self):
        self.fails = []

    def __call__(self, cond, what):
        if not cond:
            self.fails.append(what)
        return cond


def exactly_once(chk, rcv, lines, label):
    """Every line of the EVE file arrived once, byte for byte."""
    want = by_seq(lines)
    got = rcv.of_boot(boot_of(lines))
    chk(set(got) == set(want), "%s: %d events in --eve, %d arrived; missing %s, extra %s" % (
        label, len(want), len(got), sorted(set(want) - set(got))[:10],
        sorted(set(got) - set(want))[:10]))
    bad = [s for s in want if s in got and got[s] != want[s]]
    chk(not bad, "%s: events differ from --eve: seqs %s" % (label, bad[:10]))
    chk(not rcv.mismatches, "%s: resent events differ: %s" % (label, rcv.mismatches[:5]))
    chk(not rcv.problems, "%s: protocol problems: %s" % (label, rcv.problems[:3]))


def final_stats(lines):
    stats = [json.loads(ln) for ln in lines if b'"event_type":"stats"' in ln]
    return stats[-1]["stats"] if stats else {}


# ---- the tests ----------------------------------------------------------------------


def test_basic(env, chk):
    """city_mix.pcap, then the synthetic capture in small batches."""
    pcap = os.path.join(REPO, "pcaps", "city_mix.pcap")
    rcv = env.receiver()
    port = rcv.start()
    spool = env.path("spool")
    eve = env.path("eve.json")
    rc, err, _ = env.run(pcap, port, spool, eve, env.config(drain_timeout="20s"))
    chk(rc == 0, "basic: exit %d: %s" % (rc, err[-400:]))
    lines = read_eve(eve)
    exactly_once(chk, rcv, lines, "city_mix")
    h = rcv.hellos[0] if rcv.hellos else {}
    with open(os.path.join(spool, "spool_id")) as f:
        spool_id = f.read().strip()
    chk(h.get("proto") == 1 and h.get("interface") == pcap and h.get("boot_id") == boot_of(lines)
        and h.get("spool_id") == spool_id and re.fullmatch(r"[0-9a-f]{32}", spool_id)
        and h.get("version"), "basic: HELLO %s (spool_id file %r)" % (h, spool_id))
    ing = final_stats(lines).get("ingest", {})
    chk(set(ing) == {"connected", "reconnects", "batches_spooled", "batches_acked",
                     "batches_dropped", "events_dropped", "spool_bytes"}
        and ing["events_dropped"] == 0, "basic: stats.ingest %s" % ing)
    chk(json.loads(lines[0])["sensor"]["name"] == "sensor-t1",
        "basic: sensor.name is not the certificate CN")
    chk(err.count("connected as sensor-t1") == 1, "basic: connect line: %s" % err[-300:])
    # many batches, window and pipelining
    eve2 = env.path("eve.json")
    rc, err, _ = env.run(env.synth, port, spool, eve2, env.config(batch_events=37,
                                                                  drain_timeout="30s"))
    chk(rc == 0, "synthetic: exit %d: %s" % (rc, err[-400:]))
    lines2 = read_eve(eve2)
    chk(len(lines2) > 3000, "synthetic: only %d events" % len(lines2))
    ing = final_stats(lines2).get("ingest", {})
    chk(ing.get("batches_spooled", 0) >= 3000 // 37, "synthetic: stats.ingest %s" % ing)
    exactly_once(chk, rcv, lines2, "synthetic")
    order = rcv.order_of(boot_of(lines2))
    chk(order == sorted(order), "synthetic: events stored out of order")
    rcv.stop()


def test_late_receiver(env, chk):
    port = free_port()
    rcv = env.receiver()
    timer = threading.Timer(2.0, rcv.start, args=(port,))
    timer.start()
    eve = env.path("eve.json")
    rc, err, secs = env.run(env.synth, port, env.path("spool"), eve,
                            env.config(drain_timeout="30s"))
    timer.join()
    chk(rc == 0, "late receiver: exit %d: %s" % (rc, err[-400:]))
    exactly_once(chk, rcv, read_eve(eve), "late receiver")
    refused = [ln for ln in err.splitlines() if "cannot connect" in ln]
    chk(len(refused) == 1,
        "late receiver: expected one 'cannot connect' line, got %d" % len(refused))
    rcv.stop()


def test_dropped_connection(env, chk):
    rcv = env.receiver(drop_after=5, drop_times=2)
    port = rcv.start()
    eve = env.path("eve.json")
    rc, err, _ = env.run(env.synth, port, env.path("spool"), eve,
                         env.config(batch_events=50, drain_timeout="30s"))
    chk(rc == 0, "dropped connection: exit %d: %s" % (rc, err[-400:]))
    lines = read_eve(eve)
    exactly_once(chk, rcv, lines, "dropped connection")
    order = rcv.order_of(boot_of(lines))
    chk(order == sorted(order), "dropped connection: events stored out of order")
    lost = [ln for ln in err.splitlines() if "connection lost" in ln]
    chk(len(lost) == 2 and rcv.connections >= 3,
        "dropped connection: %d 'connection lost' lines, %d connections" % (len(lost),
                                                                            rcv.connections))
    rcv.stop()


def test_tiny_spool(env, chk):
    """Receiver down, 64 KiB spool: the sensor drops the oldest, says so,
    exits; the next run sends the rest."""
    port = free_port()
    spool = env.path("spool")
    eve = env.path("eve.json")
    rc, err, secs = env.run(env.synth, port, spool, eve,
                            env.config(spool_size="64kb", batch_events=20, drain_timeout="1s"))
    chk(rc == 0, "tiny spool: exit %d: %s" % (rc, err[-400:]))
    chk(secs < 20, "tiny spool: took %.1f s" % secs)
    lines = read_eve(eve)
    anomalies = [json.loads(ln)["anomaly"] for ln in lines if b'"spool_full_dropped"' in ln]
    chk(anomalies and all(a["type"] == "sensor" and a["events_dropped"] > 0 for a in anomalies),
        "tiny spool: no spool_full_dropped anomaly event")
    ing = final_stats(lines).get("ingest", {})
    chk(ing.get("events_dropped", 0) > 0 and ing.get("batches_dropped", 0) > 0
        and ing.get("connected") is False, "tiny spool: stats.ingest %s" % ing)
    m = re.search(r"not drained .*: (\d+) batches \((\d+) events\) stay spooled.*dropped since "
                  r"start: (\d+) batches, (\d+) events", err)
    if not chk(m, "tiny spool: no 'stay spooled' summary: %s" % err[-500:]):
        return
    spooled, dropped = int(m.group(2)), int(m.group(4))
    chk(spooled > 0 and dropped >= ing.get("events_dropped", 0),
        "tiny spool: %d spooled, %d dropped" % (spooled, dropped))
    # the receiver comes up; the next run (bigger spool) delivers the rest
    rcv = env.receiver()
    rcv.start(port)
    pcap = os.path.join(REPO, "pcaps", "city_mix.pcap")
    eve2 = env.path("eve.json")
    rc, err2, _ = env.run(pcap, port, spool, eve2,
                          env.config(spool_size="64mb", drain_timeout="30s"))
    chk(rc == 0, "tiny spool, second run: exit %d: %s" % (rc, err2[-400:]))
    exactly_once(chk, rcv, read_eve(eve2), "second run")
    got = rcv.of_boot(boot_of(lines))
    want = by_seq(lines)
    chk(len(got) == spooled, "tiny spool: %d events were spooled, %d arrived" % (spooled, len(got)))
    chk(len(got) + dropped == len(lines),
        "tiny spool: arrived %d + dropped %d != written %d" % (len(got), dropped, len(lines)))
    chk(all(want.get(s) == ln for s, ln in got.items()), "tiny spool: arrived events differ")
    rcv.stop()


def test_small_max_payload(env, chk):
    """The receiver takes 64 KiB payloads, the sensor spools 1 MiB batches:
    they are re-packed (PROTOCOL.md 3.2), nothing lost."""
    rcv = env.receiver(max_payload=65536)
    port = rcv.start()
    eve = env.path("eve.json")
    rc, err, _ = env.run(env.synth, port, env.path("spool"), eve,
                         env.config(batch_events=100000, flush_interval="60s",
                                    drain_timeout="30s"))
    chk(rc == 0, "small max_payload: exit %d: %s" % (rc, err[-400:]))
    exactly_once(chk, rcv, read_eve(eve), "small max_payload")
    chk("re-packed into" in err, "small max_payload: no re-pack logged: %s" % err[-300:])
    rcv.stop()


def test_rejected_batch(env, chk):
    """ERROR 1 about a batch after WELCOME: that batch is set aside and
    counted, everything else arrives."""
    rcv = env.receiver(reject_seq=7)
    port = rcv.start()
    eve = env.path("eve.json")
    rc, err, _ = env.run(env.synth, port, env.path("spool"), eve,
                         env.config(batch_events=100, drain_timeout="30s"))
    chk(rc == 0, "rejected batch: exit %d: %s" % (rc, err[-400:]))
    lines = read_eve(eve)
    got = rcv.of_boot(boot_of(lines))
    missing = sorted(set(by_seq(lines)) - set(got))
    chk(rcv.rejected and missing == sorted(rcv.rejected),
        "rejected batch: missing %s, refused %s" % (missing[:5], (rcv.rejected or [])[:5]))
    m = re.search(r"batch 7 \((\d+) events\) refused with ERROR 1; set aside", err)
    chk(m and int(m.group(1)) == len(missing), "rejected batch: no set-aside line: %s" % err[-400:])
    m = re.search(r"dropped since start: 1 batches, (\d+) events", err)
    chk(m and int(m.group(1)) == len(missing), "rejected batch: drop summary: %s" % err[-300:])
    rcv.stop()


def test_wrong_ca(env, chk):
    rcv = env.receiver(wrong_ca=True)
    port = rcv.start()
    spool = env.path("spool")
    rc, err, _ = env.run(os.path.join(REPO, "pcaps", "city_mix.pcap"), port, spool,
                         env.path("eve.json"), env.config(drain_timeout="3s"))
    chk(rc == 0, "wrong CA: exit %d: %s" % (rc, err[-400:]))
    reason = "unknown CA (server certificate not issued by the pinned CA)"
    n = err.count(reason)
    chk(n == 1, "wrong CA: reason logged %d times (want 1): %s" % (n, err[-600:]))
    chk(rcv.connections >= 2, "wrong CA: only %d attempts in 3 s" % rcv.connections)
    m = re.search(r"(\d+) batches \((\d+) events\) stay spooled", err)
    chk(m and int(m.group(2)) > 0, "wrong CA: events not kept in the spool: %s" % err[-300:])
    segs = [f for f in os.listdir(spool) if f.endswith(".seg")]
    chk(segs, "wrong CA: no segment file left in %s" % spool)
    rcv.stop()


def test_never_ack(env, chk):
    rcv = env.receiver(never_ack=True)
    port = rcv.start()
    rc, err, secs = env.run(env.synth, port, env.path("spool"), env.path("eve.json"),
                            env.config(drain_timeout="2s"))
    chk(rc == 0 and secs < 20, "never ack: exit %d after %.1f s" % (rc, secs))
    chk("stay spooled" in err, "never ack: no 'stay spooled' line: %s" % err[-300:])
    rcv.stop()


def test_name_mismatch(env, chk):
    rc, err, _ = env.run(os.path.join(REPO, "pcaps", "city_mix.pcap"), free_port(),
                         env.path("spool"), env.path("eve.json"),
                         extra=["--sensor-name", "someone-else"])
    chk(rc == 1 and "differs from the name in" in err, "name mismatch: exit %d: %s" % (rc, err))


def test_user(env, chk):
    if os.geteuid() != 0:
        print("  (not root: --user not tested)")
        return
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        print("  (no user nobody: --user not tested)")
        return
    rc, err, _ = env.run(os.path.join(REPO, "pcaps", "city_mix.pcap"), free_port(),
                         env.path("spool"), extra=["--user", "no-such-user-x"])
    chk(rc == 1 and "no-such-user-x" in err, "--user unknown: exit %d: %s" % (rc, err))
    # a spool made by a run as root (receiver down), then --user nobody:
    # the spool is handed over, the leftovers and the new events arrive
    port = free_port()
    spool = env.path("spool")
    eve1 = env.path("eve.json")
    rc, err, _ = env.run(env.synth, port, spool, eve1, env.config(drain_timeout="0"))
    chk(rc == 0 and "stay spooled" in err, "--user: root run: exit %d: %s" % (rc, err[-300:]))
    rcv = env.receiver()
    rcv.start(port)
    eve2 = env.path("eve.json")
    rc, err, _ = env.run(os.path.join(REPO, "pcaps", "city_mix.pcap"), port, spool, eve2,
                         env.config(drain_timeout="30s"), extra=["--user", "nobody"])
    chk(rc == 0 and "running as nobody" in err, "--user nobody: exit %d: %s" % (rc, err[-400:]))
    exactly_once(chk, rcv, read_eve(eve1), "--user nobody, root's leftovers")
    exactly_once(chk, rcv, read_eve(eve2), "--user nobody")
    owners = {os.stat(os.path.join(spool, f)).st_uid for f in os.listdir(spool) + ["."]}
    chk(owners == {nobody.pw_uid}, "--user nobody: spool files owned by %s" % owners)
    rcv.stop()


TESTS = [test_basic, test_late_receiver, test_dropped_connection, test_tiny_spool,
         test_small_max_payload, test_rejected_batch, test_wrong_ca, test_never_ack,
         test_name_mismatch, test_user]


# ---- benchmark ----------------------------------------------------------------------


def bench(env, pcap, runs):
    """Wall time of `soc-sensor -r` writing --eve only, shipping and writing
    --eve, and shipping only, to a receiver that counts lines and acks
    (no JSON parsing); the shipping runs include the drain to the last ack."""
    def median(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2]

    cfg = env.config(drain_timeout="600s", spool_size="4gb")
    modes = ["eve", "eve+ingest", "ingest"]
    times = {m: [] for m in modes + [m + " (drain excluded)" for m in modes[1:]]}
    cpu = {m: [] for m in modes}
    events = 0
    for _ in range(runs):
        for mode in modes:
            eve = env.path("eve.json") if "eve" in mode else None
            ru = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu0 = ru.ru_utime + ru.ru_stime
            if mode == "eve":
                t0 = time.monotonic()
                subprocess.run([env.sensor, "-r", pcap, "--eve", eve, "-c", cfg], check=True,
                               stderr=subprocess.DEVNULL)
                times[mode].append(time.monotonic() - t0)
            else:
                rcv = env.receiver(fast=True)
                port = rcv.start()
                spool = env.path("spool")
                rc, err, secs = env.run(pcap, port, spool, eve, cfg)
                rcv.stop()
                shutil.rmtree(spool, ignore_errors=True)
                if rc != 0 or "every batch delivered" not in err:
                    print("bench: shipping run failed: %s" % err[-400:])
                    return 1
                drain = re.search(r"the last (\d+) ms after the end of input", err)
                times[mode].append(secs)
                times[mode + " (drain excluded)"].append(secs - int(drain.group(1)) / 1000)
                m = re.search(r": \d+ packets, (\d+) events", err)
                if not m or int(m.group(1)) != rcv.lines:
                    print("bench: %d lines received, sensor says %s" % (rcv.lines,
                                                                      m and m.group(1)))
                    return 1
                events = rcv.lines
            ru = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[mode].append(ru.ru_utime + ru.ru_stime - cpu0)
            if eve:
                os.unlink(eve)
    base = median(times["eve"])
    cbase = median(cpu["eve"])
    print("| soc-sensor -r (%s, %d events) | wall s (median of %d) | events/s | vs --eve only |"
          " sensor CPU s (user+sys) | vs --eve only |" % (os.path.basename(pcap), events, runs))
    print("|---|---|---|---|---|---|")
    for mode, xs in times.items():
        t = median(xs)
        c = "| %.2f | %+.1f%%" % (median(cpu[mode]), 100 * (median(cpu[mode]) - cbase) / cbase) \
            if mode in cpu else "| | "
        print("| %s | %.2f | %.0f | %+.1f%% %s |" % (mode, t, events / t, 100 * (t - base) / base,
                                                     c))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sensor", required=True)
    ap.add_argument("--socctl", required=True)
    ap.add_argument("-k", help="run only tests whose name contains this")
    ap.add_argument("-v", action="store_true", help="show every sensor run")
    ap.add_argument("--bench", metavar="PCAP")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    for b in (a.sensor, a.socctl):
        if not os.access(b, os.X_OK):
            print("SKIP: %s is not built" % b)
            return SKIP
    if not hasattr(ssl, "TLSVersion") or not ssl.HAS_TLSv1_3:
        print("SKIP: this Python's ssl module has no TLS 1.3")
        return SKIP
    try:
        env = Env(a.sensor, a.socctl, a.v)
    except (subprocess.CalledProcessError, OSError) as e:
        print("SKIP: cannot make the test PKI with socctl: %s" % e)
        return SKIP
    try:
        if a.bench:
            return bench(env, a.bench, a.runs)
        fails = 0
        for t in TESTS:
            if a.k and a.k not in t.__name__:
                continue
            chk = Check()
            t0 = time.monotonic()
            seen = len(env.crashes)
            t(env, chk)
            for c in env.crashes[seen:]:
                chk(False, "%s: sensor crashed or sanitizer report: %s" % (t.__name__, c))
            status = "ok" if not chk.fails else "FAIL"
            print("%s: %s (%.1f s)" % (status, t.__name__, time.monotonic() - t0))
            for f in chk.fails:
                print("    " + f)
            fails += bool(chk.fails)
        return 1 if fails else 0
    finally:
        if a.keep:
            print("kept %s" % env.tmp)
        else:
            env.cleanup()


if __name__ == "__main__":
    sys.exit(main())
