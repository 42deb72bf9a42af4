"""apps.py -- application bytes of the city network's protocols.

TLS hellos, DNS and the MQTT CONNECT/PUBLISH come from pcaps/gen/payloads.py
(the main generator's builders); the rest is written field by field after
the protocols' specifications: HTTP/1.1 (RFC 9112), SSH transport (RFC 4253,
RFC 5656/8731 curve25519), RDP X.224 connection request/confirm ([MS-RDPBCGR]
2.2.1.1-2), FTP (RFC 959), MQTT 3.1.1 SUBSCRIBE/SUBACK/PINGREQ, NTPv4
(RFC 5905), RTSP 1.0 with interleaved RTP (RFC 2326 10.12), LDAPv3 search
(RFC 4511, BER), SMTP (RFC 5321)."""

import email.utils
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402

from gen import payloads as P  # noqa: E402

GOV = "cantho.gov.vn"
NTP_UNIX_OFFSET = 2208988800

client_hello = P.client_hello
server_hello = P.server_hello
change_cipher_spec = P.change_cipher_spec
tls_app_data = P.app_data
dns_query = P.dns_query
mqtt_connect = P.mqtt_connect
mqtt_connack = P.mqtt_connack
mqtt_publish = P.mqtt_publish
mqtt_disconnect = P.mqtt_disconnect


def rand_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


# -- HTTP ----------------------------------------------------------------------------

UA_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/122.0.0.0 Safari/537.36")
UA_ANDROID = ("Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/121.0.6167.178 Mobile Safari/537.36")
UA_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1")
UA_COCCOC = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "coc_coc_browser/128.0.184 Chrome/122.0.0.0 Safari/537.36")
BROWSERS = (UA_CHROME, UA_ANDROID, UA_SAFARI, UA_COCCOC)


def http_request(method, host, path, ua=UA_CHROME, headers=(), body=b"", ctype=None,
                 browser=True):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % host, "User-Agent: %s" % ua]
    if browser:
        lines += ["Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                  "Accept-Language: vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7",
                  "Accept-Encoding: identity", "Connection: keep-alive"]
    else:
        lines += ["Accept: */*"]
    lines += list(headers)
    if body or method in ("POST", "PUT"):
        lines.append("Content-Type: %s" % (ctype or "application/x-www-form-urlencoded"))
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def http_date(ts_us):
    return email.utils.formatdate(ts_us // 1000000, usegmt=True)


def http_response(status, reason, body=b"", ctype="text/html; charset=utf-8", headers=(),
                  ts_us=0, server="nginx/1.22.1"):
    lines = ["HTTP/1.1 %d %s" % (status, reason), "Server: %s" % server,
             "Date: %s" % http_date(ts_us), "Content-Type: %s" % ctype,
             "Content-Length: %d" % len(body)]
    lines += list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


NEWS = [
    "UBND thành phố Cần Thơ triển khai dịch vụ công trực tuyến toàn trình",
    "Lịch tiếp công dân định kỳ tháng 3 năm 2024",
    "Thông báo tuyển dụng viên chức Sở Thông tin và Truyền thông",
    "Kế hoạch chuyển đổi số thành phố Cần Thơ giai đoạn 2024-2025",
    "Hướng dẫn nộp hồ sơ cấp giấy phép xây dựng qua mạng",
    "Cảnh báo triều cường tại quận Ninh Kiều và Cái Răng",
    "Kết quả giải quyết thủ tục hành chính quý I",
    "Trung tâm IOC công bố chỉ số chất lượng không khí",
]
PARA = ("Người dân và doanh nghiệp có thể tra cứu tình trạng hồ sơ, nộp hồ sơ trực tuyến và "
        "nhận kết quả qua dịch vụ bưu chính công ích. Mọi thắc mắc xin liên hệ tổng đài 1022. ")


def html_page(rng, title, size):
    """An HTML page of about size bytes, Vietnamese text (UTF-8)."""
    head = ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>%s</title>"
            "<link rel=\"stylesheet\" href=\"/static/css/main.css\"></head><body>"
            "<header><h1>Cổng thông tin điện tử thành phố Cần Thơ</h1></header><main>"
            "<h2>%s</h2>" % (title, title))
    parts = [head]
    n = len(head.encode())
    while n < size:
        item = "<article><h3>%s</h3><p>%s</p></article>" % (rng.choice(NEWS), PARA)
        parts.append(item)
        n += len(item.encode())
    parts.append("</main><footer>© 2024 UBND thành phố Cần Thơ</footer></body></html>")
    return "".join(parts).encode()


def css_file(size):
    rule = ".tin-tuc{margin:0 auto;padding:8px 16px;color:#1a3c6e;font-family:Roboto,Arial}\n"
    return (rule * (size // len(rule) + 1))[:size].encode()


def jpeg_like(rng, size):
    """A baseline JPEG's marker segments (JFIF APP0, quantisation table,
    frame header, scan header) around random entropy-coded bytes, which
    never hold 0xFF (a marker would start there)."""
    head = (b"\xff\xd8" + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" +
            b"\xff\xdb\x00\x43\x00" + bytes(range(2, 66)) +
            b"\xff\xc0\x00\x11\x08\x01\xe0\x02\x80\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01" +
            b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
    n = max(0, size - len(head) - 2)
    data = bytes(b if b != 0xFF else 0xFE for b in rand_bytes(rng, n))
    return head + data + b"\xff\xd9"


# -- TLS 1.3 flights -----------------------------------------------------------------


def tls_server_flight(rng, size=2800):
    """ServerHello, the compatibility ChangeCipherSpec, then the encrypted
    extensions, certificate, verify and finished as one application-data record."""
    return server_hello(rng) + change_cipher_spec() + tls_app_data(rng, size)


def tls_client_finish(rng):
    return change_cipher_spec() + tls_app_data(rng, 53)


# -- DNS -----------------------------------------------------------------------------


def dns_response(qid, name, qtype, answers=(), rcode=0):
    """answers: (rrname, type, rdata, ttl); TXT rdata is a list of bytes."""
    an = None
    for rrname, t, rdata, ttl in answers:
        rr = DNSRR(rrname=rrname, type=t, ttl=ttl, rdata=rdata)
        an = rr if an is None else an / rr
    return bytes(DNS(id=qid, qr=1, rd=1, ra=1, rcode=rcode, qd=DNSQR(qname=name, qtype=qtype),
                     an=an))


# -- SSH -------------------------------------------------------------------------------

SSH_SERVER_BANNER = b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n"


def _ssh_string(b):
    return struct.pack("!I", len(b)) + b


def ssh_packet(payload, block=8):
    """Binary packet before encryption: length, padding length, payload, padding."""
    pad = block - (5 + len(payload)) % block
    if pad < 4:
        pad += block
    return struct.pack("!IB", 1 + len(payload) + pad, pad) + payload + b"\0" * pad


def ssh_kexinit(rng, server):
    kex = b"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256"
    if not server:
        kex += b",ext-info-c"
    hostkey = b"rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"
    enc = b"chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,aes128-gcm@openssh.com"
    mac = b"umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256"
    comp = b"none,zlib@openssh.com"
    payload = bytes([20]) + rand_bytes(rng, 16)
    for nl in (kex, hostkey, enc, enc, mac, mac, comp, comp, b"", b""):
        payload += _ssh_string(nl)
    payload += b"\0" + b"\0\0\0\0"
    return ssh_packet(payload)


def ssh_ecdh_init(rng):
    return ssh_packet(bytes([30]) + _ssh_string(rand_bytes(rng, 32)))


def ssh_ecdh_reply(rng):
    hostkey = _ssh_string(b"ssh-ed25519") + _ssh_string(rand_bytes(rng, 32))
    sig = _ssh_string(b"ssh-ed25519") + _ssh_string(rand_bytes(rng, 64))
    return ssh_packet(bytes([31]) + _ssh_string(hostkey) + _ssh_string(rand_bytes(rng, 32)) +
                      _ssh_string(sig))


def ssh_newkeys():
    return ssh_packet(bytes([21]))


def ssh_encrypted(rng, n):
    """chacha20-poly1305: encrypted length (4), ciphertext, 16-byte tag."""
    body = max(16, n - n % 8)
    return rand_bytes(rng, 4 + body + 16)


# -- RDP -------------------------------------------------------------------------------


def rdp_connection_request(user):
    """TPKT + X.224 CR with the mstshash cookie and an RDP negotiation request
    (TLS | CredSSP)."""
    cookie = b"Cookie: mstshash=%s\r\n" % user.encode()
    neg = struct.pack("<BBHI", 1, 0, 8, 3)
    x224 = bytes([6 + len(cookie) + len(neg), 0xE0, 0, 0, 0, 0, 0]) + cookie + neg
    return struct.pack("!BBH", 3, 0, 4 + len(x224)) + x224


def rdp_connection_confirm():
    neg = struct.pack("<BBHI", 2, 0x1F, 8, 2)  # selected: CredSSP (HYBRID)
    x224 = bytes([6 + len(neg), 0xD0, 0, 0, 0x12, 0x34, 0]) + neg
    return struct.pack("!BBH", 3, 0, 4 + len(x224)) + x224


# -- MQTT 3.1.1 --------------------------------------------------------------------------


def _mqtt_len(n):
    out = b""
    while True:
        b, n = n % 128, n // 128
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def mqtt_subscribe(pid, topics):
    body = struct.pack("!H", pid)
    for t, qos in topics:
        body += struct.pack("!H", len(t.encode())) + t.encode() + bytes([qos])
    return b"\x82" + _mqtt_len(len(body)) + body


def mqtt_suback(pid, codes):
    body = struct.pack("!H", pid) + bytes(codes)
    return b"\x90" + _mqtt_len(len(body)) + body


MQTT_PINGREQ = b"\xc0\x00"
MQTT_PINGRESP = b"\xd0\x00"


# -- NTP ---------------------------------------------------------------------------------


def _ntp_ts(ts_us):
    sec, usec = divmod(ts_us, 1000000)
    return struct.pack("!II", sec + NTP_UNIX_OFFSET, (usec << 32) // 1000000)


def ntp_request(ts_us):
    """Client, version 4, mode 3: only the transmit timestamp set."""
    return bytes([0x23, 0, 6, 0xE9]) + b"\0" * 36 + _ntp_ts(ts_us)


def ntp_response(req_ts_us, ts_us):
    """Server, stratum 2, referencing a national time server."""
    return (bytes([0x24, 2, 6, 0xE9]) + struct.pack("!II", 0x00000280, 0x00000910) +
            bytes([203, 162, 4, 190]) + _ntp_ts(ts_us - 16000000) + _ntp_ts(req_ts_us) +
            _ntp_ts(ts_us - 40) + _ntp_ts(ts_us))


# -- RTSP ----------------------------------------------------------------------------------


def rtsp_messages(cam, session):
    url = "rtsp://%s:554/Streaming/Channels/101" % cam
    sdp = ("v=0\r\no=- 1709280000 1 IN IP4 %s\r\ns=Camera giao thong\r\nt=0 0\r\n"
           "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n" % cam)
    return [
        ("OPTIONS %s RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: IOC-VMS/2.1\r\n\r\n" % url,
         "RTSP/1.0 200 OK\r\nCSeq: 2\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n"),
        ("DESCRIBE %s RTSP/1.0\r\nCSeq: 3\r\nAccept: application/sdp\r\n"
         "User-Agent: IOC-VMS/2.1\r\n\r\n" % url,
         "RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Type: application/sdp\r\nContent-Base: %s/\r\n"
         "Content-Length: %d\r\n\r\n%s" % (url, len(sdp), sdp)),
        ("SETUP %s/trackID=1 RTSP/1.0\r\nCSeq: 4\r\nTransport: RTP/AVP/TCP;unicast;"
         "interleaved=0-1\r\nUser-Agent: IOC-VMS/2.1\r\n\r\n" % url,
         "RTSP/1.0 200 OK\r\nCSeq: 4\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
         "Session: %s;timeout=60\r\n\r\n" % session),
        ("PLAY %s RTSP/1.0\r\nCSeq: 5\r\nSession: %s\r\nRange: npt=0.000-\r\n\r\n" % (url, session),
         "RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: %s\r\nRTP-Info: url=%s/trackID=1;seq=1;"
         "rtptime=0\r\n\r\n" % (session, url)),
    ]


def rtsp_teardown(cam, session):
    url = "rtsp://%s:554/Streaming/Channels/101" % cam
    return ("TEARDOWN %s RTSP/1.0\r\nCSeq: 6\r\nSession: %s\r\n\r\n" % (url, session),
            "RTSP/1.0 200 OK\r\nCSeq: 6\r\nSession: %s\r\n\r\n" % session)


def rtp_interleaved(rng, seq, ts, ssrc, size, marker=False):
    """One RTP packet (H.264, payload type 96) in RTSP's $-framing on channel 0."""
    rtp = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | 96, seq & 0xFFFF, ts & 0xFFFFFFFF,
                      ssrc) + bytes([0x41]) + rand_bytes(rng, size - 13)
    return b"$\x00" + struct.pack("!H", len(rtp)) + rtp


# -- LDAP (BER) ------------------------------------------------------------------------------


def _ber(tag, content):
    n = len(content)
    if n < 128:
        ln = bytes([n])
    elif n < 256:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82]) + struct.pack("!H", n)
    return bytes([tag]) + ln + content


def _ber_int(v):
    return _ber(0x02, bytes([v]))


def _ber_str(s):
    return _ber(0x04, s.encode() if isinstance(s, str) else s)


def ldap_search_request(msgid, base):
    """searchRequest: base object, no attributes asked (a JNDI lookup's query)."""
    body = (_ber_str(base) + _ber(0x0A, b"\x00") + _ber(0x0A, b"\x03") + _ber_int(0) +
            _ber_int(0) + _ber(0x01, b"\x00") + _ber(0x87, b"objectClass") + _ber(0x30, b""))
    return _ber(0x30, _ber_int(msgid) + _ber(0x63, body))


def ldap_search_entry(msgid, dn, attrs):
    al = b""
    for k, v in attrs:
        al += _ber(0x30, _ber_str(k) + _ber(0x31, _ber_str(v)))
    return _ber(0x30, _ber_int(msgid) + _ber(0x64, _ber_str(dn) + _ber(0x30, al)))


def ldap_search_done(msgid):
    return _ber(0x30, _ber_int(msgid) + _ber(0x65, _ber(0x0A, b"\x00") + _ber_str("") +
                                                _ber_str("")))


def java_class(rng, size):
    """A class file's magic and version (Java 8), then its bytes."""
    return b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + rand_bytes(rng, size - 8)


# -- SMTP ----------------------------------------------------------------------------------


def smtp_dialogue(helo, mail_from, rcpt, subject, body, qid):
    return [
        (1, "220 mail.cantho.gov.vn ESMTP Postfix\r\n"),
        (0, "EHLO %s\r\n" % helo),
        (1, "250-mail.cantho.gov.vn\r\n250-PIPELINING\r\n250-SIZE 26214400\r\n250-8BITMIME\r\n"
            "250 SMTPUTF8\r\n"),
        (0, "MAIL FROM:<%s>\r\n" % mail_from),
        (1, "250 2.1.0 Ok\r\n"),
        (0, "RCPT TO:<%s>\r\n" % rcpt),
        (1, "250 2.1.5 Ok\r\n"),
        (0, "DATA\r\n"),
        (1, "354 End data with <CR><LF>.<CR><LF>\r\n"),
        (0, "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n.\r\n"
            % (mail_from, rcpt, subject, body)),
        (1, "250 2.0.0 Ok: queued as %s\r\n" % qid),
        (0, "QUIT\r\n"),
        (1, "221 2.0.0 Bye\r\n"),
    ]
