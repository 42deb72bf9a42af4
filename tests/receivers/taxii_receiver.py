#!/usr/bin/python3
"""taxii_receiver.py -- a stand-in for the national monitoring centre's
TAXII 2.1 server, for tests of the forwarder (soc-forwarder, fwd_https).

  taxii_receiver.py --port N --cert FILE --key FILE --ca FILE --out FILE
                    [--ready-file FILE] [--client-cn CN] [--fail-status N]
                    [--api-root NAME] [--collection ID] [--bundle-path PATH]
                    [--bearer TOKEN | --basic USER:PASSWORD] [--chunked]
                    [--idle-timeout S] [--max-body BYTES] [--tls12-only]

HTTPS (TLS 1.2 or 1.3) that demands a client certificate issued by --ca,
and serves, with HTTP/1.1 keep-alive:

  GET  /taxii2/                                 discovery
  GET  /taxii2/ROOT/                            API root information
  GET  /taxii2/ROOT/collections/                the one collection
  GET  /taxii2/ROOT/collections/ID/             its description
  POST /taxii2/ROOT/collections/ID/objects/     add objects: an envelope (or
       bundle) of STIX objects, Content-Type application/taxii+json;version=2.1
  POST BUNDLE-PATH (default /stix/bundles/)     a bare STIX bundle, Content-Type
       application/stix+json;version=2.1 (or application/json)

Every accepted POST is appended to --out as one JSON line: receipt time,
client CN, path, request headers that matter, object count and the body as
received (text). Accepted POSTs get 202 and a TAXII status resource.
Refusals, each with a TAXII error object: 400 (not JSON, no objects list),
401 (--bearer/--basic given and the request's Authorization differs), 403
(--client-cn given and the certificate's CN differs), 404, 406 (Accept),
411, 413 (--max-body, default 10 MiB), 415 (Content-Type). --fail-status N
answers N to every POST (with Retry-After: 1 for 429 and 503) and records
nothing. --chunked sends response bodies chunked. --idle-timeout closes a
kept-alive connection idle that long (default 30 s). --ready-file is
written (with the port, useful with --port 0) once the server listens.
Runs until SIGTERM or SIGINT, then exits 0. Python 3 standard library only.
"""

import argparse
import base64
import datetime
import hmac
import json
import os
import re
import signal
import ssl
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
COLLECTION_DEFAULT = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log(msg):
    sys.stderr.write("taxii_receiver: %s\n" % msg)
    sys.stderr.flush()


def media(value):
    """('type/subtype', {param: value}) of a Content-Type or Accept item, lower-case."""
    parts = [p.strip() for p in (value or "").split(";")]
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"').lower()
    return parts[0].lower(), params


def is_media(value, want):
    got, params = media(value)
    wtype, wparams = media(want)
    return got == wtype and all(params.get(k) == v for k, v in wparams.items())


def accepts(accept, want):
    if accept is None:
        return True
    for item in accept.split(","):
        t, params = media(item)
        if t in ("*/*", "application/*") or is_media(item, want):
            return True
        if t == media(want)[0] and "version" not in params:
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "taxii-test-receiver/1"

    def log_message(self, fmt, *args):
        log("%s %s" % (self.client_address[0], fmt % args))

    # ---- replies -------------------------------------------------------------

    def reply(self, status, obj, ctype=TAXII, headers=()):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if self.server.opts.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(body) // 2
            for piece in (body[:half], body[half:]):
                if piece:
                    self.wfile.write(b"%x;piece\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\nX-Trailer: done\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        self.wfile.flush()

    def error(self, status, title, description="", headers=(), close=False):
        if close:
            self.close_connection = True
            headers = tuple(headers) + (("Connection", "close"),)
        obj = {"title": title, "http_status": str(status)}
        if description:
            obj["description"] = description
        log("%s %s -> %d %s%s" % (self.command, self.path, status, title,
                                  (": " + description) if description else ""))
        self.reply(status, obj, headers=headers)

    # ---- who is asking ---------------------------------------------------------

    def client_cn(self):
        cert = self.connection.getpeercert() or {}
        for rdn in cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return None

    def authorised(self):
        o = self.server.opts
        got = self.headers.get("Authorization")
        if o.bearer:
            want = "Bearer " + o.bearer
        elif o.basic:
            want = "Basic " + base64.b64encode(o.basic.encode()).decode()
        else:
            return True
        return got is not None and hmac.compare_digest(got.encode(), want.encode())

    # ---- GET -------------------------------------------------------------------

    def do_GET(self):
        o = self.server.opts
        path = urlsplit(self.path).path
        root = "/taxii2/%s/" % o.api_root
        coll = {"id": o.collection, "title": "Incidents from city SOCs", "can_read": False,
                "can_write": True, "media_types": [STIX]}
        if not self.authorised():
            return self.error(401, "Unauthorized", headers=(("WWW-Authenticate", "Bearer"),))
        if path == "/taxii2/":
            return self.reply(200, {"title": "National monitoring centre (test)",
                                    "default": root, "api_roots": [root]})
        if path == root:
            return self.reply(200, {"title": "Incident intake", "versions": [TAXII],
                                    "max_content_length": o.max_body})
        if path == root + "collections/":
            return self.reply(200, {"collections": [coll]})
        if path == root + "collections/%s/" % o.collection:
            return self.reply(200, coll)
        return self.error(404, "Not Found", path)

    # ---- POST ------------------------------------------------------------------

    def read_body(self):
        """The request body, or None after answering an error."""
        o = self.server.opts
        if self.headers.get("Transfer-Encoding"):
            self.error(411, "Length Required", "chunked request bodies are not taken", close=True)
            return None
        length = self.headers.get("Content-Length")
        if length is None or not re.fullmatch(r"[0-9]{1,12}", length.strip()):
            self.error(411, "Length Required", "no valid Content-Length", close=True)
            return None
        n = int(length)
        if n > o.max_body:
            self.error(413, "Payload Too Large", "%d bytes, limit %d" % (n, o.max_body),
                       close=True)
            return None
        body = self.rfile.read(n)
        if len(body) != n:
            self.close_connection = True
            log("%s: connection closed after %d of %d body bytes" % (self.path, len(body), n))
            return None
        return body

    def parse_objects(self, body):
        """(document, number of objects), or None after answering 400."""
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            self.error(400, "Bad Request", "body is not JSON in UTF-8: %s" % e)
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("objects"), list):
            self.error(400, "Bad Request", "expected an object with an \"objects\" list")
            return None
        for obj in doc["objects"]:
            if not isinstance(obj, dict) or not isinstance(obj.get("type"), str) \
                    or not isinstance(obj.get("id"), str):
                self.error(400, "Bad Request", "every object needs a type and an id")
                return None
        return doc, len(doc["objects"])

    def do_POST(self):
        o = self.server.opts
        path = urlsplit(self.path).path
        body = self.read_body()
        if body is None:
            return
        if not self.authorised():
            return self.error(401, "Unauthorized", headers=(("WWW-Authenticate", "Bearer"),))
        cn = self.client_cn()
        if o.client_cn and cn != o.client_cn:
            return self.error(403, "Forbidden", "client certificate CN %r is not %r"
                              % (cn, o.client_cn))
        if o.fail_status:
            extra = (("Retry-After", "1"),) if o.fail_status in (429, 503) else ()
            return self.error(o.fail_status, "Failing on purpose", "--fail-status", extra)
        objects_path = "/taxii2/%s/collections/%s/objects/" % (o.api_root, o.collection)
        ctype = self.headers.get("Content-Type")
        if path == objects_path:
            if not is_media(ctype, TAXII):
                return self.error(415, "Unsupported Media Type", "Content-Type %r" % ctype)
            if not accepts(self.headers.get("Accept"), TAXII):
                return self.error(406, "Not Acceptable", "Accept %r" % self.headers.get("Accept"))
        elif path == o.bundle_path:
            if not (is_media(ctype, STIX) or is_media(ctype, "application/json")):
                return self.error(415, "Unsupported Media Type", "Content-Type %r" % ctype)
        else:
            return self.error(404, "Not Found", path)
        parsed = self.parse_objects(body)
        if parsed is None:
            return
        doc, count = parsed
        self.server.record({
            "received": now_iso(), "client_cn": cn, "path": path, "content_type": ctype,
            "accept": self.headers.get("Accept"), "host": self.headers.get("Host"),
            "auth": (self.headers.get("Authorization") or "").split(" ")[0] or None,
            "user_agent": self.headers.get("User-Agent"), "objects": count,
            "body": body.decode("utf-8")})
        successes = [{"id": obj["id"], "version": obj.get("modified", obj.get("created", ""))}
                     for obj in doc["objects"]]
        status = {"id": str(uuid.uuid4()), "status": "complete", "request_timestamp": now_iso(),
                  "total_count": count, "success_count": count, "successes": successes,
                  "failure_count": 0, "pending_count": 0}
        self.reply(202, status, ctype=TAXII if path == objects_path else "application/json")


class Server(ThreadingHTTPServer):
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

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a
        # client that never finishes it cannot stall the others.
        request.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("TLS handshake with %s:%d failed: %s" % (client_address[0], client_address[1],
                                                         getattr(e, "reason", None) or e))
            return
        try:
            tls.settimeout(self.opts.idle_timeout)
            Handler(tls, client_address, self)
        except (ssl.SSLError, OSError) as e:
            log("connection from %s:%d: %s" % (client_address[0], client_address[1], e))
        finally:
            try:
                tls.close()
            except OSError:
                pass


def make_context(opts):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if opts.tls12_only:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(opts.cert, opts.key)
    ctx.load_verify_locations(opts.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def write_ready(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True, help="CA that issues accepted client certificates")
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready-file")
    ap.add_argument("--client-cn")
    ap.add_argument("--fail-status", type=int, default=0)
    ap.add_argument("--api-root", default="api1")
    ap.add_argument("--collection", default=COLLECTION_DEFAULT)
    ap.add_argument("--bundle-path", default="/stix/bundles/")
    auth = ap.add_mutually_exclusive_group()
    auth.add_argument("--bearer")
    auth.add_argument("--basic", help="USER:PASSWORD")
    ap.add_argument("--chunked", action="store_true")
    ap.add_argument("--idle-timeout", type=float, default=30.0)
    ap.add_argument("--max-body", type=int, default=10 << 20)
    ap.add_argument("--tls12-only", action="store_true")
    opts = ap.parse_args()
    if opts.fail_status and not 100 <= opts.fail_status <= 599:
        ap.error("--fail-status must be 100..599")
    try:
        server = Server(opts, make_context(opts))
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
        write_ready(opts.ready_file, port)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    server.out.close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
