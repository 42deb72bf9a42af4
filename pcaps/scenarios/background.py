"""background.py -- the city network's ordinary traffic.

Addresses follow pcaps/generate.py and rules/assets.yml:
  10.20.0.2 / .3   DNS resolvers (.3 also serves NTP)
  10.20.0.10       dichvucong, the public-service portal (HTTPS; HTTP redirects)
  10.20.0.11       congthongtin, the e-government information portal (HTTP and HTTPS)
  10.20.0.12-14    data-centre servers: Linux (SSH), Windows (RDP), file server (FTP)
  10.20.0.30-31    dichvucong's application servers, clients of the LGSP API
  10.20.0.40       lgsp, the data integration platform (HTTP API on 8080)
  10.20.0.50       qlvb, document management (sends the clerk's mail)
  10.20.0.60       mail (SMTP 25, IMAPS 993)
  10.30.0.2        MQTT broker; 10.30.5.0/24 its IoT sensor nodes
  10.30.0.10       IOC dashboards; 10.30.0.20 the camera platform (VMS)
  10.30.6.21-28    RTSP cameras
  10.10.0.0/16     departments' workstations
Citizens come from Vietnamese access networks (VNPT, Viettel, FPT ranges).

Nothing here may match a rule of rules/signatures/city-attacks.rules: the
benign capture must raise no alert, and the attack captures' counts assume
the background adds no match to any threshold (README.md lists why).
"""

import apps as A
import wire as W
from wire import Tcp, Udp

GOV = A.GOV
DNS1, NTP = "10.20.0.2", "10.20.0.3"
DVC, CTT = "10.20.0.10", "10.20.0.11"
LINUX_SRV, WIN_SRV, FILE_SRV = "10.20.0.12", "10.20.0.13", "10.20.0.14"
APP_SRVS = ("10.20.0.30", "10.20.0.31")
LGSP, QLVB, MAIL = "10.20.0.40", "10.20.0.50", "10.20.0.60"
BROKER, DASH, VMS = "10.30.0.2", "10.30.0.10", "10.30.0.20"
CAMERAS = ["10.30.6.%d" % i for i in range(21, 29)]
SENSORS = ["10.30.5.%d" % i for i in range(11, 23)]
NTP_CLIENTS = (DVC, CTT, LINUX_SRV, LGSP, QLVB, MAIL, DASH, VMS)
OPERATORS = ("10.10.5.21", "10.10.5.22")
ADMIN = "10.10.9.5"

# Citizens' access networks: VNPT 113.160.0.0/11 and 14.160.0.0/11, Viettel
# 27.64.0.0/12 and 171.224.0.0/11, FPT 42.112.0.0/13.
CITIZEN_NETS = ((113, 160, 32), (14, 160, 32), (27, 64, 16), (171, 224, 32), (42, 112, 8))

NAMES = [("dichvucong." + GOV, "203.162.10.6"), ("www." + GOV, "203.162.10.5"),
         ("mail." + GOV, "203.162.10.7"), ("lgsp." + GOV, LGSP), ("qlvb." + GOV, QLVB),
         ("ioc." + GOV, DASH), ("www.google.com", "142.250.199.68"),
         ("zalo.me", "125.212.225.89"), ("vnexpress.net", "111.65.250.2"),
         ("dichvucong.gov.vn", "113.185.19.53"), ("update.microsoft.com", "13.107.4.50"),
         ("baocantho.com.vn", "112.213.89.40")]


def citizen_addr(rng):
    a, b, span = rng.choice(CITIZEN_NETS)
    return "%d.%d.%d.%d" % (a, b + rng.randrange(span), rng.randrange(256), rng.randint(2, 254))


# Workstations with a part in an attack scenario never appear in the background.
RESERVED = {"10.10.2.41", "10.10.4.23"}


def office_addr(rng):
    while True:
        a = "10.10.%d.%d" % (rng.randint(1, 8), rng.randint(20, 200))
        if a not in RESERVED:
            return a


def _keep_alive_close(c, rng):
    """Browser or server closes the idle connection some seconds later."""
    c.close(first=rng.choice((0, 1)), gap_us=rng.randint(2, 8) * 1000000)


def tls_session(sc, rng, cli, srv, t, sni, pages, rtt, sport=443):
    """TLS 1.3: hellos, then requests and responses as application data."""
    c = Tcp(sc, cli, srv, sport, t, rtt_us=rtt).open()
    hello, _ = A.client_hello(rng, sni, grease=rng.random() < 0.5)
    c.send(0, hello, gap_us=50)
    # one path in six reorders the server's first flight
    c.send(1, A.tls_server_flight(rng, rng.randint(2400, 3600)), gap_us=900,
           reorder=rng.random() < 0.17)
    c.send(0, A.tls_client_finish(rng))
    for i in range(pages):
        req = A.tls_app_data(rng, rng.randint(300, 900))
        resp = A.tls_app_data(rng, rng.randint(500, 4500))
        gap = rng.randint(1, 6) * 1000000 if i else 200
        c.send(0, req, gap_us=gap)
        c.send(1, resp, gap_us=rng.randint(3000, 60000))
    c.send(0, A.tls_app_data(rng, 19), gap_us=rng.randint(1, 4) * 1000000)  # close_notify
    c.close(first=0, gap_us=100)
    return c.t


def citizen_https(sc, rng, t):
    cli = citizen_addr(rng)
    return tls_session(sc, rng, cli, DVC, t, "dichvucong." + GOV, rng.randint(1, 3),
                       rng.randint(8000, 40000))


def citizen_redirect(sc, rng, t):
    """Plain-HTTP visit to the portal: 301 to HTTPS, then the TLS session."""
    cli = citizen_addr(rng)
    rtt = rng.randint(8000, 40000)
    c = Tcp(sc, cli, DVC, 80, t, rtt_us=rtt).open()
    host = "dichvucong." + GOV
    c.exchange(A.http_request("GET", host, "/", ua=rng.choice(A.BROWSERS)),
               A.http_response(301, "Moved Permanently", b"", ctype="text/html",
                               headers=["Location: https://%s/" % host], ts_us=c.t))
    c.close(first=0, gap_us=rtt)
    return tls_session(sc, rng, cli, DVC, c.t + rtt, host, rng.randint(1, 3), rtt)


SEARCHES = ["l%E1%BB%8Bch+ti%E1%BA%BFp+c%C3%B4ng+d%C3%A2n",  # lịch tiếp công dân
            "gi%E1%BA%A5y+ph%C3%A9p+x%C3%A2y+d%E1%BB%B1ng",  # giấy phép xây dựng
            "tri%E1%BB%81u+c%C6%B0%E1%BB%9Dng",  # triều cường
            "tuy%E1%BB%83n+d%E1%BB%A5ng+2024"]  # tuyển dụng 2024


def citizen_news(sc, rng, t):
    """News pages over HTTP on the information portal: page, style sheet,
    images, a search; some requests split in two segments, one reordered."""
    cli = citizen_addr(rng)
    rtt = rng.randint(8000, 40000)
    host = "congthongtin." + GOV
    ua = rng.choice(A.BROWSERS)
    c = Tcp(sc, cli, CTT, 80, t, rtt_us=rtt).open()
    slug = rng.choice(["chuyen-doi-so-2024", "lich-tiep-cong-dan-thang-3", "canh-bao-trieu-cuong",
                       "ket-qua-giai-quyet-tthc-quy-1"])
    page = A.html_page(rng, "Tin tức", rng.randint(2000, 5000))
    req = A.http_request("GET", host, "/tin-tuc/%s.html" % slug, ua=ua,
                         headers=["Cookie: _ga=GA1.3.%d.1709200000" % rng.getrandbits(30)])
    split = rng.random() < 0.5
    c.exchange(req, A.http_response(200, "OK", page, ts_us=c.t),
               split=[40, len(req) - 40] if split else None, reorder=split and rng.random() < 0.5,
               think_us=rng.randint(3000, 20000))
    c.exchange(A.http_request("GET", host, "/static/css/main.css", ua=ua,
                              headers=["Referer: http://%s/" % host]),
               A.http_response(200, "OK", A.css_file(rng.randint(800, 2000)),
                               ctype="text/css", ts_us=c.t), think_us=500)
    for i in range(rng.randint(0, 2)):
        c.exchange(A.http_request("GET", host, "/uploads/anh/%d.jpg" % rng.randint(1000, 9999),
                                  ua=ua, headers=["Referer: http://%s/" % host]),
                   A.http_response(200, "OK", A.jpeg_like(rng, rng.randint(1200, 3500)),
                                   ctype="image/jpeg", ts_us=c.t), think_us=800)
    if rng.random() < 0.6:
        q = rng.choice(SEARCHES)
        c.exchange(A.http_request("GET", host, "/tim-kiem?q=%s&trang=1" % q, ua=ua,
                                  headers=["Referer: http://%s/" % host]),
                   A.http_response(200, "OK", A.html_page(rng, "Kết quả tìm kiếm", 2500),
                                   ts_us=c.t),
                   gap_us=rng.randint(2, 8) * 1000000, think_us=rng.randint(20000, 80000))
    _keep_alive_close(c, rng)
    return c.t


def citizen_feedback(sc, rng, t):
    """A feedback form over HTTP, with a photo attached (multipart)."""
    cli = citizen_addr(rng)
    rtt = rng.randint(8000, 40000)
    host = "congthongtin." + GOV
    c = Tcp(sc, cli, CTT, 80, t, rtt_us=rtt).open()
    form = ("hoten=Nguy%E1%BB%85n+V%C4%83n+An&sdt=0912345678&noidung=C%E1%BA%A3m+%C6%A1n+"
            "%27b%E1%BB%99+ph%E1%BA%ADn+m%E1%BB%99t+c%E1%BB%ADa%27+%C4%91%C3%A3+h%C6%B0%E1%BB"
            "%9Bng+d%E1%BA%ABn+t%E1%BA%ADn+t%C3%ACnh").encode()
    c.exchange(A.http_request("POST", host, "/gop-y", ua=A.UA_ANDROID, body=form,
                              headers=["Origin: http://%s" % host]),
               A.http_response(200, "OK", A.html_page(rng, "Cảm ơn ý kiến", 1500), ts_us=c.t),
               think_us=30000)
    boundary = "----WebKitFormBoundary%08x" % rng.getrandbits(32)
    photo = A.jpeg_like(rng, rng.randint(2000, 4000))
    body = ("--%s\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"anh-hien-truong.jpg"
            "\"\r\nContent-Type: image/jpeg\r\n\r\n" % boundary).encode() + photo + \
        ("\r\n--%s--\r\n" % boundary).encode()
    c.exchange(A.http_request("POST", host, "/gop-y/dinh-kem", ua=A.UA_ANDROID, body=body,
                              ctype="multipart/form-data; boundary=%s" % boundary),
               A.http_response(200, "OK", b'{"trangThai":"DA_NHAN"}',
                               ctype="application/json", ts_us=c.t), think_us=45000)
    _keep_alive_close(c, rng)
    return c.t


def office_dns(sc, rng, t, cli=None):
    cli = cli or office_addr(rng)
    name, addr = rng.choice(NAMES)
    qid = rng.getrandbits(16)
    u = Udp(sc, cli, DNS1, 53, t, turn_us=rng.randint(200, 30000))
    if rng.random() < 0.04:  # a typo: the only NXDOMAIN answers of the background
        name = name.replace(".", "x.", 1)
        u.send(0, A.dns_query(qid, name, "A"))
        u.send(1, A.dns_response(qid, name, "A", rcode=3))
        return u.t
    u.send(0, A.dns_query(qid, name, "A"))
    u.send(1, A.dns_response(qid, name, "A", [(name, "A", addr, 300)]))
    return u.t


def ntp_poll(sc, rng, t, cli):
    u = Udp(sc, cli, NTP, 123, t, cport=None, turn_us=150)
    u.send(0, A.ntp_request(int(t)))
    u.send(1, A.ntp_response(int(t), int(t) + 150))
    return u.t


def smtp_internal(sc, rng, t):
    c = Tcp(sc, QLVB, MAIL, 25, t, rtt_us=400).open()
    so = rng.randint(100, 999)
    for d, line in A.smtp_dialogue("qlvb.cantho.gov.vn", "vanthu@cantho.gov.vn",
                                   "sotttt@cantho.gov.vn", "Cong van so %d/UBND-KT" % so,
                                   "Kinh gui So Thong tin va Truyen thong.\r\n" * 8,
                                   "%X" % rng.getrandbits(40)):
        c.send(d, line.encode())
    c.close(first=1)
    return c.t


def smtp_inbound(sc, rng, t):
    """Mail from a citizen's provider to the government mail server."""
    src = rng.choice(("209.85.220.41", "40.107.255.64", "209.85.218.45"))
    c = Tcp(sc, src, MAIL, 25, t, rtt_us=rng.randint(30000, 60000)).open()
    for d, line in A.smtp_dialogue("mail-sor-f41.google.com", "congdan.%d@gmail.com"
                                   % rng.randint(100, 999), "motcua@cantho.gov.vn",
                                   "Hoi ve thu tuc cap giay phep",
                                   "Xin chao, toi muon hoi ve ho so cua toi.\r\n" * 4,
                                   "%X" % rng.getrandbits(40)):
        c.send(d, line.encode())
    c.close(first=1)
    return c.t


def imaps(sc, rng, t):
    return tls_session(sc, rng, office_addr(rng), MAIL, t, "mail." + GOV, rng.randint(1, 3),
                       rng.randint(300, 900), sport=993)


def lgsp_calls(sc, rng, t):
    """The portal's application server calling the LGSP API (keep-alive)."""
    cli = rng.choice(APP_SRVS)
    host = "lgsp.%s:8080" % GOV
    c = Tcp(sc, cli, LGSP, 8080, t, rtt_us=300).open()
    ua = "LGSP-Client/3.2"
    for i in range(rng.randint(2, 5)):
        n = rng.randint(1, 9999)
        if rng.random() < 0.5:
            body = ('{"maHoSo":"000.00.21.H13-240302-%04d","thuTucHanhChinh":"1.00%d",'
                    '"trangThai":"DA_TIEP_NHAN","nguoiNop":{"hoTen":"Tran Thi B",'
                    '"soGiayTo":"0920%08d"}}' % (n, rng.randint(1000, 9999),
                                                  rng.randint(0, 99999999))).encode()
            req = A.http_request("POST", host, "/lgsp/api/v1/hoso/submit", ua=ua, body=body,
                                 ctype="application/json", browser=False,
                                 headers=["Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.%d" % n])
            head = req.index(b"\r\n\r\n") + 4
            split = [head, len(req) - head]  # head and body in separate segments
            resp = A.http_response(200, "OK", b'{"ketQua":"THANH_CONG","maGiaoDich":"%d"}' % n,
                                   ctype="application/json", ts_us=c.t)
        else:
            req = A.http_request("GET", host, "/lgsp/api/v1/danhmuc/thutuc?ma=DVC&trang=%d"
                                 % (i + 1), ua=ua, browser=False,
                                 headers=["Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.%d" % n])
            split = None
            items = ",".join('{"ma":"1.00%d","ten":"Thu tuc %d"}' % (k, k) for k in range(20))
            resp = A.http_response(200, "OK", ('{"danhMuc":[%s]}' % items).encode(),
                                   ctype="application/json", ts_us=c.t)
        c.exchange(req, resp, gap_us=rng.randint(100, 3000) * 1000 if i else 100, split=split,
                   think_us=rng.randint(2000, 30000))
    c.close(first=0, gap_us=rng.randint(1, 5) * 1000000)
    return c.t


def dashboard_tls(sc, rng, t):
    return tls_session(sc, rng, rng.choice(OPERATORS), DASH, t, "ioc." + GOV, rng.randint(2, 4),
                       400)


def dashboard_poll(sc, rng, t, polls=4):
    """The IOC wall screen polling the dashboard API every 20 s."""
    c = Tcp(sc, rng.choice(OPERATORS), DASH, 80, t, rtt_us=400).open()
    for i in range(polls):
        path = rng.choice(["/api/dashboard/giaothong", "/api/dashboard/moitruong",
                           "/api/dashboard/ngap-ung"])
        vals = ",".join('{"tram":"CT%02d","giaTri":%d}' % (k, rng.randint(10, 200))
                        for k in range(12))
        c.exchange(A.http_request("GET", "ioc." + GOV, path, ua=A.UA_CHROME, browser=False,
                                  headers=["X-Requested-With: XMLHttpRequest"]),
                   A.http_response(200, "OK", ('{"duLieu":[%s]}' % vals).encode(),
                                   ctype="application/json", ts_us=c.t),
                   gap_us=20000000 if i else 100, think_us=rng.randint(3000, 15000))
        c.ack(0, at=c.t + W.DELAYED_ACK_US)
    c.close(first=0, gap_us=2000000)
    return c.t


def mqtt_node(sc, rng, t, node):
    """A battery sensor node: connect, publish readings, disconnect."""
    c = Tcp(sc, node, BROKER, 1883, t, rtt_us=rng.randint(2000, 9000)).open()
    c.send(0, A.mqtt_connect("cantho-node-%s" % node.split(".")[-1], keepalive=120))
    c.send(1, A.mqtt_connack())
    i = int(node.split(".")[-1])
    if i % 2:
        c.send(0, A.mqtt_publish("cantho/iot/nuoc/mucnuoc/%d" % i,
                                 b'{"cm":%d,"pin":%d}' % (rng.randint(80, 190),
                                                          rng.randint(40, 100))))
    else:
        c.send(0, A.mqtt_publish("cantho/iot/khongkhi/pm25/%d" % i,
                                 b'{"ugm3":%d,"pin":%d}' % (rng.randint(10, 90),
                                                            rng.randint(40, 100))))
    c.send(0, A.MQTT_PINGREQ)
    c.send(1, A.MQTT_PINGRESP)
    c.send(0, A.mqtt_disconnect())
    c.close(first=0, gap_us=300)
    return c.t


def mqtt_dashboard(sc, rng, t, n):
    """The IOC dashboard subscribes to every city topic (an internal
    wildcard: normal) and receives n readings."""
    c = Tcp(sc, DASH, BROKER, 1883, t, rtt_us=400).open()
    c.send(0, A.mqtt_connect("ioc-dashboard-01", keepalive=60))
    c.send(1, A.mqtt_connack())
    c.send(0, A.mqtt_subscribe(1, [("cantho/iot/#", 0)]))
    c.send(1, A.mqtt_suback(1, [0]))
    for k in range(n):
        node = rng.choice(SENSORS)
        c.send(1, A.mqtt_publish("cantho/iot/nuoc/mucnuoc/%s" % node.split(".")[-1],
                                 b'{"cm":%d}' % rng.randint(80, 190)),
               gap_us=rng.randint(1, 5) * 1000000)
        c.ack(0, at=c.t + W.DELAYED_ACK_US)
    c.send(0, A.mqtt_disconnect(), gap_us=1000000)
    c.close(first=0, gap_us=300)
    return c.t


def rtsp_pull(sc, rng, t, cam=None):
    cam = cam or rng.choice(CAMERAS)
    c = Tcp(sc, VMS, cam, 554, t, rtt_us=600, turn_us=2000).open()
    session = "%08X" % rng.getrandbits(32)
    for q, r in A.rtsp_messages(cam, session):
        c.exchange(q.encode(), r.encode(), think_us=rng.randint(1000, 5000))
    ssrc = rng.getrandbits(32)
    seq, ts = rng.getrandbits(16), rng.getrandbits(32)
    for frame in range(rng.randint(3, 6)):  # a few frames of video
        pkts = [A.rtp_interleaved(rng, seq + k, ts, ssrc, rng.randint(900, 1400),
                                  marker=(k == 2)) for k in range(3)]
        seq += 3
        ts += 3000
        c.send(1, b"".join(pkts), gap_us=33000)
    q, r = A.rtsp_teardown(cam, session)
    c.exchange(q.encode(), r.encode(), gap_us=600)
    c.close(first=0)
    return c.t


def admin_ssh(sc, rng, t):
    c = Tcp(sc, ADMIN, LINUX_SRV, 22, t, rtt_us=500).open()
    c.send(1, A.SSH_SERVER_BANNER)
    c.send(0, b"SSH-2.0-OpenSSH_for_Windows_8.1\r\n")
    c.send(0, A.ssh_kexinit(rng, False))
    c.send(1, A.ssh_kexinit(rng, True), gap_us=300)
    c.send(0, A.ssh_ecdh_init(rng))
    c.send(1, A.ssh_ecdh_reply(rng) + A.ssh_newkeys(), gap_us=2000)
    c.send(0, A.ssh_newkeys())
    for n in (44, 44, 60, 500, 60, 120):
        c.send(0, A.ssh_encrypted(rng, n))
        c.send(1, A.ssh_encrypted(rng, rng.randint(30, 300)))
    for k in range(rng.randint(10, 20)):  # an interactive shell
        c.send(0, A.ssh_encrypted(rng, 36), gap_us=rng.randint(100, 900) * 1000)
        c.send(1, A.ssh_encrypted(rng, rng.randint(36, 1200)))
    c.send(0, A.ssh_encrypted(rng, 36), gap_us=1000000)
    c.close(first=1)
    return c.t


def admin_rdp(sc, rng, t):
    c = Tcp(sc, ADMIN, WIN_SRV, 3389, t, rtt_us=500).open()
    c.send(0, A.rdp_connection_request("quantri"))
    c.send(1, A.rdp_connection_confirm())
    hello, _ = A.client_hello(rng, None, alpn=None)
    c.send(0, hello)
    c.send(1, A.server_hello(rng, cipher=0xC030, tls13=False) + A.tls_app_data(rng, 1200))
    for k in range(rng.randint(12, 24)):
        c.send(0, A.tls_app_data(rng, rng.randint(40, 400)), gap_us=rng.randint(20, 300) * 1000)
        c.send(1, A.tls_app_data(rng, rng.randint(200, 4000)))
    c.close(first=0)
    return c.t


def ftp_scan_upload(sc, rng, t):
    """The scanner of a department uploading a scanned document."""
    cli = "10.10.3.15"
    c = Tcp(sc, cli, FILE_SRV, 21, t, rtt_us=500, turn_us=400).open()
    c.send(1, b"220 (vsFTPd 3.0.5)\r\n")
    data_port = rng.randint(30000, 30100)
    lines = [(b"USER scanner\r\n", b"331 Please specify the password.\r\n"),
             (b"PASS Sc@nner2024\r\n", b"230 Login successful.\r\n"),
             (b"TYPE I\r\n", b"200 Switching to Binary mode.\r\n"),
             (b"PASV\r\n", b"227 Entering Passive Mode (10,20,0,14,%d,%d).\r\n"
              % (data_port >> 8, data_port & 255))]
    for q, r in lines:
        c.exchange(q, r, think_us=400)
    name = "scan_%04d.pdf" % rng.randint(0, 9999)
    c.exchange(b"STOR %s\r\n" % name.encode(), b"150 Ok to send data.\r\n", think_us=400)
    d = Tcp(sc, cli, FILE_SRV, data_port, c.t + 200, rtt_us=500).open()
    doc = b"%PDF-1.4\n" + A.rand_bytes(rng, rng.randint(6000, 12000)) + b"\n%%EOF\n"
    d.send(0, doc)
    d.close(first=0)
    c.t = max(c.t, d.t)
    c.send(1, b"226 Transfer complete.\r\n", gap_us=300)
    c.exchange(b"QUIT\r\n", b"221 Goodbye.\r\n", think_us=300)
    c.close(first=1)
    return c.t


def background(sc, rng, t0, seconds, scale=1.0, avoid=()):
    """Ordinary traffic from t0 (us) for about `seconds`: sessions start at
    random times drawn from rng; `scale` thins them out. avoid: (server
    address, from_us, to_us): no session to that server starts then (the
    SYN-flood count assumes no other SYN to its target near the flood)."""
    end = t0 + seconds * 1000000

    def quiet(srv, t):
        return any(srv == a and lo <= t <= hi for a, lo, hi in avoid)

    def starts(per_min, margin_s=30):
        n = max(1, round(per_min * seconds / 60 * scale)) if per_min * scale > 0 else 0
        last = end - min(margin_s, seconds // 2) * 1000000  # most sessions end in time
        return sorted(rng.randint(t0, max(t0, last)) for _ in range(n))

    jobs = [(citizen_https, DVC, 3.5), (citizen_redirect, DVC, 1), (citizen_news, CTT, 2),
            (citizen_feedback, CTT, 0.3), (smtp_internal, MAIL, 0.4), (smtp_inbound, MAIL, 0.4),
            (imaps, MAIL, 0.6), (lgsp_calls, LGSP, 2), (dashboard_tls, DASH, 0.6),
            (rtsp_pull, None, 0.6)]
    for fn, srv, rate in jobs:
        for t in starts(rate, margin_s=60):
            if srv is None or not quiet(srv, t):
                fn(sc, rng, t)
    for t in starts(18, margin_s=2):
        office_dns(sc, rng, t)
    for cli in NTP_CLIENTS:  # every 64 s, phase per client
        t = t0 + rng.randint(0, 64) * 1000000
        while t < end - 2000000:
            ntp_poll(sc, rng, t, cli)
            t += 64 * 1000000
    for node in SENSORS:  # a reading a minute per node
        t = t0 + rng.randint(0, 59) * 1000000
        while t < end - 5000000:
            if rng.random() < scale:
                mqtt_node(sc, rng, t, node)
            t += 60 * 1000000
    for t in starts(0.5, margin_s=110):
        dashboard_poll(sc, rng, t)
    mqtt_dashboard(sc, rng, t0 + 1000000, max(3, int(seconds * scale / 10)))
    if scale >= 0.5:
        admin_ssh(sc, rng, t0 + seconds * 250000)
        admin_rdp(sc, rng, t0 + seconds * 400000)
        ftp_scan_upload(sc, rng, t0 + seconds * 550000)
