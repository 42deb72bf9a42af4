"""payloads.py -- application bytes: TLS hellos, DNS, HTTP, SMTP, MQTT, RTSP.

TLS records are built field by field (RFC 8446 section 4.1) so the captures
do not depend on scapy's TLS layer; the JA3 string is computed from the same
lists that went into the bytes."""

import hashlib
import struct

from scapy.layers.dns import DNS, DNSQR, DNSRR

GREASE = {0x0A0A + 0x1010 * i for i in range(16)}


def _u8(n):
    return struct.pack(">B", n)


def _u16(n):
    return struct.pack(">H", n)


def _u24(n):
    return struct.pack(">I", n)[1:]


def _vec8(b):
    return _u8(len(b)) + b


def _vec16(b):
    return _u16(len(b)) + b


def _ext(etype, body):
    return _u16(etype) + _vec16(body)


def tls_record(ctype, body, version=0x0303):
    return _u8(ctype) + _u16(version) + _vec16(body)


def _handshake(htype, body):
    return _u8(htype) + _u24(len(body)) + body


def client_hello(rng, sni, ciphers=(0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030),
                 groups=(0x001D, 0x0017, 0x0018), alpn=(b"h2", b"http/1.1"), grease=False):
    """Return (record bytes, info) where info has sni, ja3 string and hash."""
    if grease:
        ciphers = (0x3A3A,) + tuple(ciphers)
        groups = (0x3A3A,) + tuple(groups)
    exts = []
    if grease:
        exts.append((0x2A2A, b""))
    if sni is not None:
        name = sni.encode()
        exts.append((0x0000, _vec16(_u8(0) + _vec16(name))))
    exts.append((0x000A, _vec16(b"".join(_u16(g) for g in groups))))
    exts.append((0x000B, _vec8(b"\x00")))
    exts.append((0x000D, _vec16(b"".join(_u16(s) for s in (0x0403, 0x0804, 0x0401, 0x0503)))))
    if alpn:
        exts.append((0x0010, _vec16(b"".join(_vec8(p) for p in alpn))))
    exts.append((0x002B, _vec8(_u16(0x0304) + _u16(0x0303))))
    key = bytes(rng.getrandbits(8) for _ in range(32))
    exts.append((0x0033, _vec16(_u16(0x001D) + _vec16(key))))
    body = (_u16(0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) +
            _vec8(bytes(rng.getrandbits(8) for _ in range(32))) +
            _vec16(b"".join(_u16(c) for c in ciphers)) + _vec8(b"\x00") +
            _vec16(b"".join(_ext(t, b) for t, b in exts)))
    rec = tls_record(0x16, _handshake(1, body), version=0x0301)

    def dec(xs):
        return "-".join(str(x) for x in xs if x not in GREASE)

    ja3 = "%d,%s,%s,%s,%s" % (0x0303, dec(ciphers), dec(t for t, _ in exts), dec(groups), "0")
    info = {"sni": sni, "ja3": {"string": ja3, "hash": hashlib.md5(ja3.encode()).hexdigest()}}
    if sni is None:
        del info["sni"]
    return rec, info


def server_hello(rng, cipher=0x1301, tls13=True):
    exts = b""
    if tls13:
        exts += _ext(0x002B, _u16(0x0304))
        exts += _ext(0x0033, _u16(0x001D) + _vec16(bytes(rng.getrandbits(8) for _ in range(32))))
    body = (_u16(0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) +
            _vec8(bytes(rng.getrandbits(8) for _ in range(32))) + _u16(cipher) + b"\x00" +
            _vec16(exts))
    return tls_record(0x16, _handshake(2, body))


def change_cipher_spec():
    return tls_record(0x14, b"\x01")


def app_data(rng, n):
    return tls_record(0x17, bytes(rng.getrandbits(8) for _ in range(n)))


# -- DNS -----------------------------------------------------------------------


def dns_query(qid, name, qtype="A"):
    return bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype=qtype)))


def dns_response(qid, name, qtype, answers=(), rcode=0):
    """answers: list of (rrname, type, rdata)."""
    an = None
    for rrname, t, rdata in answers:
        rr = DNSRR(rrname=rrname, type=t, ttl=300, rdata=rdata)
        an = rr if an is None else an / rr
    return bytes(DNS(id=qid, qr=1, rd=1, ra=1, rcode=rcode, qd=DNSQR(qname=name, qtype=qtype),
                     an=an))


def dns_expect(name, qtype, answers=(), rcode="NOERROR"):
    """Manifest entry for one DNS transaction."""
    return {"rrname": name, "rrtype": qtype, "rcode": rcode,
            "answers": [{"rrname": n, "rrtype": t, "rdata": r} for n, t, r in answers]}


# -- HTTP ----------------------------------------------------------------------


def http_request(method, host, url, ua="Mozilla/5.0 (X11; Linux x86_64) soc-test", body=b"",
                 ctype=None, extra=()):
    lines = ["%s %s HTTP/1.1" % (method, url), "Host: %s" % host, "User-Agent: %s" % ua,
             "Accept: */*"]
    lines += list(extra)
    if body:
        lines.append("Content-Type: %s" % (ctype or "application/x-www-form-urlencoded"))
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def http_response(status, reason, body=b"", ctype="text/html; charset=utf-8", chunked_parts=None,
                  extra=()):
    lines = ["HTTP/1.1 %d %s" % (status, reason), "Server: nginx", "Content-Type: %s" % ctype]
    lines += list(extra)
    if chunked_parts is not None:
        lines.append("Transfer-Encoding: chunked")
        payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in chunked_parts) + b"0\r\n\r\n"
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def http_expect(method, host, url, status, ua=None, length=None):
    e = {"http_method": method, "hostname": host, "url": url, "status": status}
    if ua is not None:
        e["http_user_agent"] = ua
    if length is not None:
        e["length"] = length
    return e


# -- MQTT 3.1.1 ------------------------------------------------------------------


def _mqtt_str(s):
    return _vec16(s.encode())


def _mqtt_len(n):
    out = b""
    while True:
        b, n = n % 128, n // 128
        out += _u8(b | (0x80 if n else 0))
        if not n:
            return out


def mqtt_connect(client_id, keepalive=60):
    var = _mqtt_str("MQTT") + b"\x04" + b"\x02" + _u16(keepalive)
    body = var + _mqtt_str(client_id)
    return b"\x10" + _mqtt_len(len(body)) + body


def mqtt_connack():
    return b"\x20\x02\x00\x00"


def mqtt_publish(topic, payload):
    body = _mqtt_str(topic) + payload
    return b"\x30" + _mqtt_len(len(body)) + body


def mqtt_disconnect():
    return b"\xe0\x00"
