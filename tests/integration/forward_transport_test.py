#!/usr/bin/python3
"""The forwarder's transports (correlator/forward/fwd_https.c,
fwd_syslog_tls.c, through fwd_send_driver) against the national-centre test
receivers (tests/receivers/taxii_receiver.py, syslog_tls_receiver.py), with
certificates made in a temporary directory by the openssl command.

    forward_transport_test.py --driver BIN [-k NAME] [-v]

HTTPS (TAXII 2.1 and bare bundles): delivered over one kept-alive
connection with the exact bodies and headers on the receiver's side, TLS
1.2, chunked responses, Bearer and Basic credentials (and a wrong one ->
permanent 401), a receiver expecting another client CN -> permanent 403;
a server certificate of another CA -> retryable, nothing sent, the reason
names the verify error; a host name the certificate lacks -> refused; a
receiver that does not accept our certificate -> retryable "refused by
peer"; 503 and 429 -> retryable with Retry-After, 400 -> permanent; no
receiver -> retryable connect error; the receiver restarted between two
sends, and a receiver that closed the idle connection -> the next send is
still delivered (on a new connection).
Syslog over TLS: frames delivered byte for byte, a bad frame refused before
sending, wrong server CA, our certificate refused, no receiver, receiver
restarted between sends, idle close; the receiver's own strict framing (bad
frames logged and the connection closed, frames before them kept).
Exit 0 pass, 1 fail, 77 skip (openssl or the driver missing)."""

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RECEIVERS = os.path.join(ROOT, "tests", "receivers")
TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
OBJECTS_PATH = "/taxii2/api1/collections/%s/objects/" % COLLECTION
VERBOSE = False


class T:
    passed = 0
    failed = []


def check(cond, what):
    if cond:
        T.passed += 1
        if VERBOSE:
            print("ok: " + what)
    else:
        T.failed.append(what)
        print("FAIL: " + what)
    return cond


# ---- certificates ------------------------------------------------------------------


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + "-ca.key", "-out", name + "-ca.crt", "-days", "2",
            "-subj", "/CN=Test CA %s" % name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def issue(d, ca, name, cn, ext):
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write(ext)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn, cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + "-ca.crt", "-CAkey", ca + "-ca.key",
            "-CAcreateserial", "-days", "2", "-out", name + ".crt", "-extfile", name + ".ext",
            cwd=d)


def make_pki(d):
    """CA a: the centre's server and our client; CA b: strangers."""
    server_ext = ("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                  "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    client_ext = ("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                  "extendedKeyUsage=clientAuth\n")
    make_ca(d, "a")
    make_ca(d, "b")
    issue(d, "a", "server", "nc.test", server_ext)
    issue(d, "b", "server-b", "nc.test", server_ext)
    issue(d, "a", "client", "soc-forwarder", client_ext)


# ---- receivers ------------------------------------------------------------------------


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Receiver:
    """One receiver process; out and log files in the test directory."""

    count = 0

    def __init__(self, tmp, kind, port=None, server="server", ca="a", extra=(), out=None):
        Receiver.count += 1
        n = Receiver.count
        self.tmp, self.kind = tmp, kind
        self.port = port or free_port()
        self.out = out or os.path.join(tmp, "%s-%d.jsonl" % (kind, n))
        self.log_path = os.path.join(tmp, "%s-%d.log" % (kind, n))
        self.args = [sys.executable, os.path.join(RECEIVERS, kind + "_receiver.py"),
                     "--port", str(self.port), "--cert", os.path.join(tmp, server + ".crt"),
                     "--key", os.path.join(tmp, server + ".key"),
                     "--ca", os.path.join(tmp, ca + "-ca.crt"), "--out", self.out] + list(extra)
        self.proc = None
        self.start()

    def start(self):
        ready = os.path.join(self.tmp, "ready-%d-%d" % (self.port, time.monotonic_ns()))
        self.logf = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.args + ["--ready-file", ready], stdout=self.logf,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("receiver did not start: " + self.log())
            time.sleep(0.02)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()
        self.proc = None

    def records(self):
        if not os.path.exists(self.out):
            return []
        with open(self.out) as f:
            return [json.loads(line) for line in f if line.strip()]

    def log(self):
        with open(self.log_path) as f:
            return f.read()


# ---- the driver -----------------------------------------------------------------------


class Driver:
    def __init__(self, binary, tmp):
        self.binary, self.tmp = binary, tmp

    def args(self, kind, port, ca="a", extra=()):
        return [self.binary, kind, "--host", "localhost", "--port", str(port),
                "--ca", os.path.join(self.tmp, ca + "-ca.crt"),
                "--cert", os.path.join(self.tmp, "client.crt"),
                "--key", os.path.join(self.tmp, "client.key"), "--timeout-ms", "5000"] + list(extra)

    def run(self, kind, port, payloads, ca="a", extra=()):
        """Result lines (dicts), one per payload."""
        p = subprocess.run(self.args(kind, port, ca, extra) + list(payloads), capture_output=True,
                           text=True, timeout=60)
        res = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        if VERBOSE or len(res) != len(payloads):
            print("driver %s -> %d: %s%s" % (kind, p.returncode, p.stdout, p.stderr))
        check(p.stderr == "", "driver %s: nothing on stderr (sanitizers): %s" % (kind, p.stderr))
        return res

    def stepped(self, kind, port, payloads, between, extra=()):
        """Sends payloads one by one, calling between(i) before payload i > 0."""
        errf = tempfile.TemporaryFile(mode="w+")
        p = subprocess.Popen(self.args(kind, port, "a", list(extra) + ["--step"]) + list(payloads),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errf, text=True)
        res = []
        for i in range(len(payloads)):
            if i:
                between(i)
                p.stdin.write("\n")
                p.stdin.flush()
            line = p.stdout.readline()
            if not line:
                break
            res.append(json.loads(line))
        p.stdin.close()
        p.wait(30)
        p.stdout.close()
        errf.seek(0)
        err = errf.read()
        errf.close()
        check(err == "", "driver %s: nothing on stderr (sanitizers): %s" % (kind, err))
        if VERBOSE:
            print("driver stepped: %s" % res)
        return res


def envelope(i):
    """A TAXII envelope with one STIX 2.1 object, i picks its id."""
    return json.dumps({"objects": [{
        "type": "incident", "spec_version": "2.1",
        "id": "incident--6ba7b810-9dad-51d1-80b4-00c04fd430%02x" % i,
        "created": "2026-03-01T08:30:15.000Z", "modified": "2026-03-01T08:30:15.000Z",
        "name": "Brute force on the public-service portal (Cần Thơ) #%d" % i}]},
        ensure_ascii=False, separators=(",", ":"))


def bundle(i):
    return json.dumps({"type": "bundle", "id": "bundle--6ba7b810-9dad-51d1-80b4-00c04fd431%02x" % i,
                       "objects": json.loads(envelope(i))["objects"]}, ensure_ascii=False)


def syslog_msg(i):
    return ("<106>1 2026-03-01T08:30:15.000000Z soc.cantho.gov.vn soc-forwarder - incident "
            "[incident@32473 id=\"INC-2026-%06d\" version=\"1\"] CEF:0|SOC|soc|1|rule|Cần Thơ|7|"
            % i)


def wait_for(cond, timeout=5.0):
    """Polls cond() until it is true or timeout seconds passed; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.05)


def wait_records(rc, n):
    """The receiver's records once there are n (or what is there after 5 s)."""
    wait_for(lambda: len(rc.records()) >= n)
    return rc.records()


def only(results, what):
    return check(len(results) == 1, "%s: one result (got %d)" % (what, len(results)))


# ---- HTTPS ----------------------------------------------------------------------------


def https_delivered(tmp, drv):
    rc = Receiver(tmp, "taxii")
    try:
        bodies = [envelope(i) for i in range(3)]
        res = drv.run("https", rc.port, bodies, extra=["--path", OBJECTS_PATH, "--content-type", TAXII])
        check([r["status"] for r in res] == ["delivered"] * 3, "https: 3 delivered")
        check([r["connects"] for r in res] == [1, 0, 0], "https: one kept-alive connection")
        check([r["http_status"] for r in res] == [202] * 3, "https: 202 each")
        recs = rc.records()
        check([r["body"] for r in recs] == bodies, "https: receiver got the exact bodies in order")
        check(all(r["client_cn"] == "soc-forwarder" for r in recs), "https: client CN")
        check(all(r["content_type"] == TAXII and r["accept"] == TAXII for r in recs),
              "https: TAXII Content-Type and Accept")
        check(all(r["host"] == "localhost:%d" % rc.port for r in recs), "https: Host header")
        check(all(r["user_agent"] == "soc-forwarder/1" for r in recs), "https: User-Agent")
    finally:
        rc.stop()


def https_variants(tmp, drv):
    # TLS 1.2 only, chunked answers, a bare bundle with a Bearer token.
    rc = Receiver(tmp, "taxii", extra=["--tls12-only", "--chunked", "--bearer", "s3cr3t.T0ken"])
    try:
        res = drv.run("https", rc.port, [bundle(1)],
                      extra=["--path", "/stix/bundles/", "--bearer", "s3cr3t.T0ken"])
        if only(res, "https tls1.2"):
            check(res[0]["status"] == "delivered", "https: TLS 1.2, chunked response, Bearer: "
                  "delivered (%s)" % res[0]["reason"])
        recs = rc.records()
        check(len(recs) == 1 and recs[0]["body"] == bundle(1) and recs[0]["auth"] == "Bearer"
              and recs[0]["content_type"] == STIX and recs[0]["accept"] == "application/json",
              "https: bare bundle recorded with STIX Content-Type")
        res = drv.run("https", rc.port, [bundle(2)],
                      extra=["--path", "/stix/bundles/", "--bearer", "wrong"])
        if only(res, "https wrong token"):
            check(res[0]["status"] == "permanent" and res[0]["http_status"] == 401,
                  "https: wrong token -> permanent 401 (%s)" % res[0]["reason"])
    finally:
        rc.stop()
    rc = Receiver(tmp, "taxii", extra=["--basic", "fwd:pa ss"])
    try:
        res = drv.run("https", rc.port, [envelope(1)],
                      extra=["--path", OBJECTS_PATH, "--content-type", TAXII, "--basic", "fwd:pa ss"])
        check(len(res) == 1 and res[0]["status"] == "delivered", "https: Basic credentials")
        check(len(res) == 1 and res[0]["reason"] == "https://localhost:%d%s: HTTP 202 Accepted"
              % (rc.port, OBJECTS_PATH), "https: delivered reason")
        # A STIX media type where TAXII is expected.
        res = drv.run("https", rc.port, [envelope(1)],
                      extra=["--path", OBJECTS_PATH, "--content-type", STIX, "--basic", "fwd:pa ss"])
        if only(res, "https 415"):
            check(res[0]["status"] == "permanent" and res[0]["http_status"] == 415 and
                  res[0]["reason"].endswith(": HTTP 415 Unsupported Media Type: Unsupported Media "
                                            "Type: Content-Type '%s'" % STIX),
                  "https: wrong media type -> permanent 415 (%s)" % res[0]["reason"])
    finally:
        rc.stop()
    rc = Receiver(tmp, "taxii", extra=["--client-cn", "someone-else"])
    try:
        res = drv.run("https", rc.port, [envelope(1)],
                      extra=["--path", OBJECTS_PATH, "--content-type", TAXII])
        if only(res, "https client cn"):
            check(res[0]["status"] == "permanent" and res[0]["http_status"] == 403 and
                  "client certificate CN 'soc-forwarder' is not 'someone-else'" in res[0]["reason"],
                  "https: another client CN expected -> permanent 403 (%s)" % res[0]["reason"])
    finally:
        rc.stop()


def https_tls_failures(tmp, drv):
    # The server's certificate comes from another CA.
    rc = Receiver(tmp, "taxii", server="server-b")
    try:
        res = drv.run("https", rc.port, [envelope(1)], extra=["--path", OBJECTS_PATH,
                                                               "--content-type", TAXII])
        if only(res, "https wrong CA"):
            r = res[0]
            check(r["status"] == "retryable" and not r["sent"] and r["connects"] == 0,
                  "https: server of another CA -> retryable, nothing sent")
            check("TLS handshake: unknown CA (server certificate not issued by the pinned CA): "
                  "unable to get local issuer certificate (depth 0, /CN=nc.test)" in r["reason"],
                  "https: reason names the verify error (%s)" % r["reason"])
        check(rc.records() == [], "https: nothing recorded with the wrong server CA")
    finally:
        rc.stop()
    # A name the certificate does not carry.
    rc = Receiver(tmp, "taxii")
    try:
        res = drv.run("https", rc.port, [envelope(1)],
                      extra=["--path", OBJECTS_PATH, "--content-type", TAXII,
                             "--server-name", "wrong.example"])
        if only(res, "https wrong name"):
            r = res[0]
            check(r["status"] == "retryable" and not r["sent"] and
                  "server name mismatch: hostname mismatch" in r["reason"] and
                  "expected wrong.example" in r["reason"],
                  "https: wrong host name refused (%s)" % r["reason"])
        check(rc.records() == [], "https: nothing recorded with a wrong name")
    finally:
        rc.stop()
    # The receiver does not accept our certificate (it trusts CA b only).
    rc = Receiver(tmp, "taxii", ca="b")
    try:
        res = drv.run("https", rc.port, [envelope(1)], extra=["--path", OBJECTS_PATH,
                                                               "--content-type", TAXII])
        if only(res, "https refused cert"):
            r = res[0]
            check(r["status"] == "retryable" and "refused by peer: unknown CA" in r["reason"],
                  "https: receiver refuses our certificate -> retryable (%s)" % r["reason"])
        check(rc.records() == [], "https: nothing recorded when our certificate is refused")
        check(wait_for(lambda: "TLS handshake with" in rc.log()),
              "https: receiver logged the refused handshake")
    finally:
        rc.stop()


def https_statuses(tmp, drv):
    for status, want, retry in ((503, "retryable", 1), (429, "retryable", 1),
                                (400, "permanent", 0), (404, "permanent", 0)):
        rc = Receiver(tmp, "taxii", extra=["--fail-status", str(status)])
        try:
            res = drv.run("https", rc.port, [envelope(1)], extra=["--path", OBJECTS_PATH,
                                                                   "--content-type", TAXII])
            if only(res, "https %d" % status):
                r = res[0]
                check(r["status"] == want and r["http_status"] == status and
                      r["retry_after"] == retry and
                      "Failing on purpose: --fail-status" in r["reason"],
                      "https: %d -> %s (%s)" % (status, want, r["reason"]))
            check(rc.records() == [], "https: %d not recorded" % status)
        finally:
            rc.stop()
    # Nobody listening.
    port = free_port()
    res = drv.run("https", port, [envelope(1)], extra=["--path", OBJECTS_PATH])
    if only(res, "https down"):
        check(res[0]["status"] == "retryable" and
              res[0]["reason"] == "https://localhost:%d%s: connect: Connection refused"
              % (port, OBJECTS_PATH), "https: receiver down -> retryable (%s)" % res[0]["reason"])


def https_stale(tmp, drv):
    # Restarted between two sends: the kept connection is dead.
    rc = Receiver(tmp, "taxii")
    try:
        def restart(_):
            rc.stop()
            rc.start()
        res = drv.stepped("https", rc.port, [envelope(1), envelope(2)], restart,
                          extra=["--path", OBJECTS_PATH, "--content-type", TAXII])
        check([r["status"] for r in res] == ["delivered", "delivered"],
              "https: delivered across a receiver restart (%s)" % [r["reason"] for r in res])
        check([r["connects"] for r in res] == [1, 1], "https: second send on a new connection")
        check([r["body"] for r in rc.records()] == [envelope(1), envelope(2)],
              "https: both recorded once")
    finally:
        rc.stop()
    # The receiver closes idle connections after 0.5 s.
    rc = Receiver(tmp, "taxii", extra=["--idle-timeout", "0.5"])
    try:
        res = drv.stepped("https", rc.port, [envelope(3), envelope(4)], lambda _: time.sleep(1.2),
                          extra=["--path", OBJECTS_PATH, "--content-type", TAXII])
        check([r["status"] for r in res] == ["delivered", "delivered"] and
              [r["connects"] for r in res] == [1, 1], "https: idle close noticed, delivered")
        check(len(rc.records()) == 2, "https: idle close: both recorded once")
    finally:
        rc.stop()


# ---- syslog ------------------------------------------------------------------------------


def syslog_delivered(tmp, drv):
    rc = Receiver(tmp, "syslog_tls")
    try:
        msgs = [syslog_msg(i) for i in range(3)]
        res = drv.run("syslog", rc.port, msgs, extra=["--frame", "--confirm-ms", "50"])
        check([r["status"] for r in res] == ["delivered"] * 3, "syslog: 3 delivered")
        check([r["connects"] for r in res] == [1, 0, 0], "syslog: one connection")
        recs = wait_records(rc, 3)
        check([r["msg"] for r in recs] == msgs, "syslog: receiver got the exact messages")
        check([r["len"] for r in recs] == [len(m.encode()) for m in msgs], "syslog: lengths")
        check(all(r["client_cn"] == "soc-forwarder" for r in recs), "syslog: client CN")
        # Two frames in one send; a bad frame is never sent.
        two = "%d %s%d %s" % (len(msgs[0].encode()), msgs[0], len(msgs[1].encode()), msgs[1])
        res = drv.run("syslog", rc.port, [two, "10 not-syslog"])
        check([r["status"] for r in res] == ["delivered", "permanent"],
              "syslog: two frames delivered, a bad one refused")
        if len(res) == 2:
            check("message does not start with '<' (PRI)" in res[1]["reason"] and
                  not res[1]["sent"], "syslog: bad frame reason (%s)" % res[1]["reason"])
        check(len(wait_records(rc, 5)) == 5, "syslog: 5 messages recorded in all")
        check("bad frame" not in rc.log(), "syslog: the receiver never saw a bad frame")
    finally:
        rc.stop()


def syslog_failures(tmp, drv):
    rc = Receiver(tmp, "syslog_tls", server="server-b")
    try:
        res = drv.run("syslog", rc.port, [syslog_msg(1)], extra=["--frame"])
        if only(res, "syslog wrong CA"):
            check(res[0]["status"] == "retryable" and not res[0]["sent"] and
                  "unable to get local issuer certificate" in res[0]["reason"],
                  "syslog: server of another CA -> retryable (%s)" % res[0]["reason"])
    finally:
        rc.stop()
    rc = Receiver(tmp, "syslog_tls", ca="b")
    try:
        res = drv.run("syslog", rc.port, [syslog_msg(1)], extra=["--frame", "--confirm-ms", "1000"])
        if only(res, "syslog refused cert"):
            check(res[0]["status"] == "retryable" and
                  "refused by peer: unknown CA" in res[0]["reason"],
                  "syslog: our certificate refused -> retryable (%s)" % res[0]["reason"])
        check(rc.records() == [], "syslog: nothing recorded when our certificate is refused")
    finally:
        rc.stop()
    port = free_port()
    res = drv.run("syslog", port, [syslog_msg(1)], extra=["--frame"])
    if only(res, "syslog down"):
        check(res[0]["status"] == "retryable" and
              res[0]["reason"] == "syslog-tls://localhost:%d: connect: Connection refused" % port,
              "syslog: receiver down -> retryable (%s)" % res[0]["reason"])


def syslog_stale(tmp, drv):
    rc = Receiver(tmp, "syslog_tls")
    try:
        def restart(_):
            rc.stop()
            rc.start()
        res = drv.stepped("syslog", rc.port, [syslog_msg(1), syslog_msg(2)], restart,
                          extra=["--frame"])
        check([r["status"] for r in res] == ["delivered", "delivered"] and
              [r["connects"] for r in res] == [1, 1],
              "syslog: delivered across a receiver restart (%s)" % [r["reason"] for r in res])
        check([r["msg"] for r in wait_records(rc, 2)] == [syslog_msg(1), syslog_msg(2)],
              "syslog: restart: both recorded once")
    finally:
        rc.stop()
    rc = Receiver(tmp, "syslog_tls", extra=["--idle-timeout", "0.5"])
    try:
        res = drv.stepped("syslog", rc.port, [syslog_msg(3), syslog_msg(4)],
                          lambda _: time.sleep(1.2), extra=["--frame"])
        check([r["status"] for r in res] == ["delivered", "delivered"] and
              [r["connects"] for r in res] == [1, 1], "syslog: idle close noticed, delivered")
    finally:
        rc.stop()


def raw_session(tmp, port, data):
    """Sends raw bytes over TLS with our client certificate; waits for the close."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(tmp, "a-ca.crt"))
    ctx.load_cert_chain(os.path.join(tmp, "client.crt"), os.path.join(tmp, "client.key"))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            t.sendall(data)
            try:
                closed = t.recv(1) == b""
            except (ssl.SSLError, OSError):
                closed = True
    return closed


def syslog_receiver_framing(tmp, _drv):
    rc = Receiver(tmp, "syslog_tls", extra=["--max-msg", "100"])
    try:
        ok = "<13>1 - - t - - fine".encode()
        cases = [
            (b"%d %s" % (len(ok), ok) + b"<13>1 - - t - - no length\n",
             "byte 23: MSG-LEN must start with a digit 1-9, got 0x3c"),
            (b"05 <13>", "byte 0: MSG-LEN must start with a digit 1-9, got 0x30"),
            (b"5<13>1", "byte 1: MSG-LEN not followed by a space within 9 digits"),
            (b"101 " + b"<" * 101, "byte 0: message of 101 bytes over the 100 byte limit"),
            (b"5 abcde", "byte 0: message does not start with '<' (PRI)"),
        ]
        for data, msg in cases:
            check(raw_session(tmp, rc.port, data), "syslog receiver: closes on %r" % data[:12])
        wait_for(lambda: rc.log().count("bad frame: ") >= len(cases))
        log = rc.log()
        for _, msg in cases:
            check("bad frame: " + msg + "; closing" in log, "syslog receiver logs '%s'" % msg)
        check([r["msg"] for r in rc.records()] == ["<13>1 - - t - - fine"],
              "syslog receiver: the frame before a bad one is kept")
    finally:
        rc.stop()


TESTS = [https_delivered, https_variants, https_tls_failures, https_statuses, https_stale,
         syslog_delivered, syslog_failures, syslog_stale, syslog_receiver_framing]


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--driver", required=True)
    ap.add_argument("-k", help="run only tests whose name contains this")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.v
    if not shutil.which("openssl"):
        print("skip: openssl command not installed")
        return 77
    if not os.access(args.driver, os.X_OK):
        print("skip: %s not built" % args.driver)
        return 77
    tmp = tempfile.mkdtemp(prefix="soc-fwd-it-")
    try:
        make_pki(tmp)
        drv = Driver(args.driver, tmp)
        for t in TESTS:
            if args.k and args.k not in t.__name__:
                continue
            start = time.monotonic()
            try:
                t(tmp, drv)
            except Exception:
                traceback.print_exc()
                T.failed.append(t.__name__ + ": exception")
            if VERBOSE:
                print("-- %s: %.1fs" % (t.__name__, time.monotonic() - start))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (T.passed, len(T.failed)))
    for f in T.failed:
        print("FAILED: " + f)
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
