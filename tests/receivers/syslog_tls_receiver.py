#!/usr/bin/python3
"""syslog_tls_receiver.py -- a stand-in for the national monitoring centre's
syslog-over-TLS collector (RFC 5425), for tests of the forwarder
(soc-forwarder, fwd_syslog_tls).

  syslog_tls_receiver.py --port N --cert FILE --key FILE --ca FILE --out FILE
                         [--ready-file FILE] [--client-cn CN] [--max-msg BYTES]
                         [--idle-timeout S] [--tls12-only]

TLS (1.2 or 1.3) demanding a client certificate issued by --ca (and, with
--client-cn, carrying that CN: otherwise the connection is closed at once).
The stream is read strictly as RFC 5425 octet-counted frames:

  SYSLOG-FRAME = MSG-LEN SP SYSLOG-MSG     MSG-LEN = NONZERO-DIGIT *DIGIT

MSG-LEN has at most 9 digits and no leading zero, and is at most --max-msg
(default 65536); SYSLOG-MSG must start with '<' (PRI). Anything else (an
LF-delimited message, a leading zero, a missing space, a message over the
limit, a connection closed inside a frame) is logged as one line naming the
client and the byte offset in the stream, and the connection is closed;
frames before it stay recorded.

Each message is appended to --out as one JSON line: receipt time, client CN,
length and the message (decoded as UTF-8, invalid bytes replaced). A
connection idle for --idle-timeout seconds (default 30) is closed.
--ready-file is written (with the port) once the server listens. Runs until
SIGTERM or SIGINT, then exits 0. Python 3 standard library only.
"""

import argparse
import datetime
import json
import os
import signal
import socketserver
import ssl
import sys
import threading

MSG_LEN_DIGITS = 9


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log(msg):
    sys.stderr.write("syslog_tls_receiver: %s\n" % msg)
    sys.stderr.flush()


class FrameError(Exception):
    pass


class Stream:
    """Buffered reads from a TLS socket, counting stream offsets."""

    def __init__(self, sock):
        self.sock, self.buf, self.pos, self.offset = sock, b"", 0, 0

    def byte(self):
        """One byte as int, or None at a clean end of stream."""
        if self.pos == len(self.buf):
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf, self.pos = data, 0
        b = self.buf[self.pos]
        self.pos += 1
        self.offset += 1
        return b

    def exact(self, n):
        out = bytearray()
        while len(out) < n:
            if self.pos == len(self.buf):
                data = self.sock.recv(65536)
                if not data:
                    raise FrameError("connection closed after %d of %d message bytes"
                                     % (len(out), n))
                self.buf, self.pos = data, 0
            take = min(n - len(out), len(self.buf) - self.pos)
            out += self.buf[self.pos:self.pos + take]
            self.pos += take
            self.offset += take
        return bytes(out)


def read_frame(st, max_msg):
    """The next SYSLOG-MSG, None at a clean end between frames; FrameError otherwise."""
    start = st.offset
    b = st.byte()
    if b is None:
        return None
    if not 0x31 <= b <= 0x39:
        raise FrameError("byte %d: MSG-LEN must start with a digit 1-9, got 0x%02x" % (start, b))
    n, digits = b - 0x30, 1
    while True:
        b = st.byte()
        if b is None:
            raise FrameError("byte %d: connection closed inside MSG-LEN" % st.offset)
        if b == 0x20:
            break
        if not 0x30 <= b <= 0x39 or digits == MSG_LEN_DIGITS:
            raise FrameError("byte %d: MSG-LEN not followed by a space within %d digits"
                             % (st.offset - 1, MSG_LEN_DIGITS))
        n, digits = n * 10 + b - 0x30, digits + 1
    if n > max_msg:
        raise FrameError("byte %d: message of %d bytes over the %d byte limit" % (start, n, max_msg))
    msg = st.exact(n)
    if msg[:1] != b"<":
        raise FrameError("byte %d: message does not start with '<' (PRI)" % (start,))
    return msg


def peer_cn(tls):
    for rdn in (tls.getpeercert() or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv, peer = self.server, "%s:%d" % self.client_address
        self.request.settimeout(10)
        try:
            tls = srv.ctx.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("TLS handshake with %s failed: %s" % (peer, getattr(e, "reason", None) or e))
            return
        try:
            cn = peer_cn(tls)
            who = "%s (%s)" % (cn, peer)
            if srv.opts.client_cn and cn != srv.opts.client_cn:
                log("%s: client certificate CN is not %r; closing" % (who, srv.opts.client_cn))
                return
            tls.settimeout(srv.opts.idle_timeout)
            self.serve(tls, cn, who)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def serve(self, tls, cn, who):
        st = Stream(tls)
        n = 0
        while True:
            try:
                msg = read_frame(st, self.server.opts.max_msg)
            except FrameError as e:
                log("%s: bad frame: %s; closing" % (who, e))
                return
            except TimeoutError:
                log("%s: idle for %gs; closing" % (who, self.server.opts.idle_timeout))
                return
            except (ssl.SSLError, OSError) as e:
                log("%s: %s" % (who, e))
                return
            if msg is None:
                log("%s: closed after %d messages" % (who, n))
                return
            n += 1
            self.server.record({"received": now_iso(), "client_cn": cn, "len": len(msg),
                                "msg": msg.decode("utf-8", errors="replace")})


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, opts, ctx):
        self.opts, self.ctx = opts, ctx
        self.lock = threading.Lock()
        self.out = open(opts.out, "a", encoding="utf-8")
        super().__init__(("127.0.0.1", opts.port), Handler)

    def record(self, rec):
        with self.lock:
            self.out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            self.out.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True, help="CA that issues accepted client certificates")
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready-file")
    ap.add_argument("--client-cn")
    ap.add_argument("--max-msg", type=int, default=65536)
    ap.add_argument("--idle-timeout", type=float, default=30.0)
    ap.add_argument("--tls12-only", action="store_true")
    opts = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if opts.tls12_only:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(opts.cert, opts.key)
        ctx.load_verify_locations(opts.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
        server = Server(opts, ctx)
    except (OSError, ssl.SSLError) as e:
        log("cannot start: %s" % e)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    port = server.server_address[1]
    log("listening on 127.0.0.1:%d" % port)
    if opts.ready_file:
        tmp = opts.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, opts.ready_file)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    server.out.close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
