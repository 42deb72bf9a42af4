"""Helpers for the soc-ingest tests and benchmark (python3 stdlib only).

- the ingest protocol's frames (correlator/ingest/PROTOCOL.md), written from
  the specification, not from the C codec;
- Sensor: a TLS 1.3 client that plays a sensor with a spool: it keeps every
  unacked batch and resends it after a reconnection;
- Redis: a minimal RESP2 client over the unix socket (AUTH, commands);
- fixtures: a PKI made with socctl, a private Redis made with
  appliance/redis.sh, a soc-ingest process.
"""

import json
import os
import secrets
import socket
import ssl
import struct
import subprocess
import threading
import time

# ---- frames --------------------------------------------------------------------------

HELLO, WELCOME, BATCH, ACK, ERROR = 1, 2, 3, 4, 5
HEADER = struct.Struct(">2sBBI")


def frame(ftype, payload):
    return HEADER.pack(b"SF", 1, ftype, len(payload)) + payload


def hello_frame(boot_id, spool_id, version="0.4.0", interface="eth0"):
    body = {"proto": 1, "version": version, "interface": interface,
            "boot_id": boot_id, "spool_id": spool_id}
    return frame(HELLO, json.dumps(body, separators=(",", ":")).encode())


def batch_frame(seq, lines):
    payload = struct.pack(">QI", seq, len(lines)) + b"".join(l + b"\n" for l in lines)
    return frame(BATCH, payload)


def new_id():
    return secrets.token_hex(16)


def event_line(name, boot_id, seq, src_ip="10.0.0.1", etype="flow", extra=None):
    ev = {"timestamp": "2024-03-01T10:40:00.%06d+0000" % (seq % 1000000),
          "event_type": etype, "src_ip": src_ip, "src_port": 40000 + seq % 20000,
          "dest_ip": "10.20.0.10", "dest_port": 443, "proto": "TCP"}
    if extra:
        ev.update(extra)
    ev["sensor"] = {"name": name, "boot_id": boot_id, "seq": seq}
    return json.dumps(ev, separators=(",", ":")).encode()


def fnv1a32(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


class ErrorFrame(Exception):
    def __init__(self, code, text):
        super().__init__("ERROR %d: %s" % (code, text))
        self.code, self.text = code, text


class Closed(Exception):
    pass


# ---- a sensor ---------------------------------------------------------------------------

def client_context(pki, name, ca_dir=None):
    """TLS 1.3 client context with sensor name's certificate from pki
    (None: no certificate); the server is checked against ca_dir's CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(os.path.join(ca_dir or pki, "ca.crt"))
    if name:
        d = os.path.join(pki, "sensors", name)
        ctx.load_cert_chain(os.path.join(d, name + ".crt"), os.path.join(d, name + ".key"))
    return ctx


class Conn:
    """One TLS connection speaking frames."""

    def __init__(self, port, ctx, timeout=30):
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.local_port = raw.getsockname()[1]
        self.s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _read(self, n):
        while len(self.buf) < n:
            try:
                chunk = self.s.recv(max(65536, n - len(self.buf)))
            except (ssl.SSLError, ConnectionError, OSError) as e:
                raise Closed(str(e))
            if not chunk:
                raise Closed("closed by ingest")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self):
        magic, version, ftype, length = HEADER.unpack(self._read(8))
        if magic != b"SF" or version != 1:
            raise Closed("bad frame from ingest")
        payload = self._read(length)
        if ftype == ERROR:
            code = struct.unpack(">H", payload[:2])[0]
            raise ErrorFrame(code, payload[2:].decode("utf-8", "replace"))
        return ftype, payload

    def hello(self, boot_id, spool_id):
        self.send(hello_frame(boot_id, spool_id))
        ftype, payload = self.recv_frame()
        if ftype != WELCOME or len(payload) != 12:
            raise Closed("expected WELCOME, got type %d" % ftype)
        return struct.unpack(">QI", payload)

    def recv_ack(self):
        ftype, payload = self.recv_frame()
        if ftype != ACK or len(payload) != 8:
            raise Closed("expected ACK, got type %d" % ftype)
        return struct.unpack(">Q", payload)[0]

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class Sensor:
    """A sensor with a spool: batches are kept until acked and resent after
    every reconnection, as PROTOCOL.md section 3 asks."""

    def __init__(self, name, pki, port, window=4):
        self.name, self.pki, self.port, self.window = name, pki, port, window
        self.boot_id, self.spool_id = new_id(), new_id()
        self.ctx = client_context(pki, name)
        self.spool = {}  # seq -> frame bytes, unacked
        self.next_seq = 1
        self.next_event = 1
        self.acked = 0
        self.errors = []  # (code, text) or "closed: ..."
        # optional pause: batches above gate_at wait (connection open, nothing
        # in flight, `paused` set) until `gate` is set
        self.gate_at, self.gate, self.paused = None, threading.Event(), threading.Event()

    def add_batch(self, nevents, src_ips=("10.0.0.1",), lines=None):
        if lines is None:
            lines = []
            for i in range(nevents):
                lines.append(event_line(self.name, self.boot_id, self.next_event,
                                        src_ips[i % len(src_ips)]))
                self.next_event += 1
        seq = self.next_seq
        self.next_seq += 1
        self.spool[seq] = batch_frame(seq, lines)
        return seq

    def session(self, stop=None):
        """Connect, drop what the ingest has, send the rest, read acks.
        True when the spool is empty; False after an ERROR or a closed link."""
        try:
            c = Conn(self.port, self.ctx)
        except (OSError, ssl.SSLError) as e:
            self.errors.append("connect: %s" % e)
            return False
        try:
            last, _ = c.hello(self.boot_id, self.spool_id)
            for seq in [s for s in self.spool if s <= last]:
                del self.spool[seq]
            pending = sorted(self.spool)
            inflight = []
            while pending or inflight:
                while pending and len(inflight) < self.window and not (stop and stop.is_set()):
                    if self._gated(pending[0]):
                        break
                    seq = pending.pop(0)
                    c.send(self.spool[seq])
                    inflight.append(seq)
                if not inflight:
                    if pending and self._gated(pending[0]):
                        self.paused.set()
                        self.gate.wait(60)
                        continue
                    return False
                ack = c.recv_ack()
                if ack != inflight[0]:
                    raise Closed("ACK %d, expected %d" % (ack, inflight[0]))
                inflight.pop(0)
                del self.spool[ack]
                self.acked += 1
            return True
        except ErrorFrame as e:
            self.errors.append((e.code, e.text))
            return False
        except (Closed, OSError, ssl.SSLError) as e:
            self.errors.append("closed: %s" % e)
            return False
        finally:
            c.close()

    def _gated(self, seq):
        return self.gate_at is not None and seq > self.gate_at and not self.gate.is_set()

    def deliver(self, deadline_s=60, backoff=0.2):
        """Sessions with backoff until everything is acked."""
        end = time.time() + deadline_s
        while time.time() < end:
            if self.session():
                return True
            time.sleep(backoff)
            backoff = min(backoff * 2, 2)
        return False


# ---- Redis ---------------------------------------------------------------------------------

class Redis:
    """RESP2 over a unix socket, blocking, one command at a time."""

    def __init__(self, path, user, password):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(30)
        self.s.connect(path)
        self.f = self.s.makefile("rb")
        self.call("AUTH", user, password)

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))
        return self._reply()

    def _reply(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError("redis: " + rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RuntimeError("redis: bad reply %r" % line)

    def hgetall(self, key):
        r = self.call("HGETALL", key)
        return {r[i].decode(): r[i + 1].decode() for i in range(0, len(r), 2)}

    def xrange_all(self, key, count=10000):
        """Every entry of a stream as (id, {field: value})."""
        out, start = [], "-"
        while True:
            r = self.call("XRANGE", key, start, "+", "COUNT", count)
            for eid, fields in r:
                out.append((eid.decode(), {fields[i].decode(): fields[i + 1]
                                           for i in range(0, len(fields), 2)}))
            if len(r) < count:
                return out
            start = "(" + r[-1][0].decode()

    def close(self):
        self.s.close()


# ---- fixtures ---------------------------------------------------------------------------------

def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def make_pki(socctl, d, sensors=("sensor-a", "sensor-b")):
    run([socctl, "pki", "init", "--dir", d])
    for n in sensors:
        run([socctl, "pki", "issue", n, "--dir", d])


class PrivateRedis:
    def __init__(self, redis_sh, d):
        self.sh, self.dir = redis_sh, d
        self.sock = None

    def start(self):
        self.sock = run([self.sh, "start", self.dir]).stdout.strip().splitlines()[-1]
        return self.sock

    def stop(self):
        subprocess.run([self.sh, "stop", self.dir], capture_output=True)

    def password_file(self, user):
        return os.path.join(self.dir, "secrets", user + ".pass")

    def pid(self):
        try:
            with open(os.path.join(self.dir, "redis.pid")) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def admin(self):
        with open(self.password_file("admin")) as f:
            return Redis(self.sock, "admin", f.read().strip())


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Ingest:
    """soc-ingest with a config file; stderr goes to a log file."""

    def __init__(self, binary, tmp, pki, redis, port=None, extra=""):
        self.binary, self.tmp = binary, tmp
        self.port = port or free_port()
        self.config = os.path.join(tmp, "soc.yaml")
        self.log = os.path.join(tmp, "ingest.log")
        with open(self.config, "w") as f:
            f.write("ingest:\n"
                    "  listen: 127.0.0.1:%d\n"
                    "  cert: %s/server.crt\n  key: %s/server.key\n  ca: %s/ca.crt\n"
                    "  crl: %s/crl.pem\n"
                    "  redis:\n    socket: %s\n    user: ingest\n    password-file: %s\n"
                    % (self.port, pki, pki, pki, pki, redis.sock,
                       redis.password_file("ingest")) + extra)
        self.proc = None

    def start(self, timeout=10):
        logf = open(self.log, "a")
        self.proc = subprocess.Popen([self.binary, "-c", self.config], stdout=logf,
                                     stderr=logf, stdin=subprocess.DEVNULL)
        logf.close()
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("soc-ingest exited with %d: %s"
                                   % (self.proc.returncode, self.log_text()[-2000:]))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("soc-ingest does not listen on port %d" % self.port)

    def stop(self, sig=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, needle, timeout=5):
        end = time.time() + timeout
        while time.time() < end:
            if needle in self.log_text():
                return True
            time.sleep(0.05)
        return False
