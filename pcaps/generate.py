#!/usr/bin/python3
"""generate.py -- write the project's test captures and their manifests.

Run from anywhere:  /usr/bin/python3 pcaps/generate.py  (Debian python3-scapy)

Every capture is deterministic: fixed clocks (2024-03-01 08:00 UTC plus an
offset per file), fixed TCP initial sequence numbers, fixed random seeds for
TLS randoms. Running it twice gives byte-identical files. For each capture
<name>.pcap[ng] it writes expected/<name>.json: the flows it put in (client
first), packets and bytes per direction (bytes = whole frame on the wire),
the application transactions, and the decoder anomalies the malformed frames
must raise. The counts are tallied frame by frame while building, so they are
independent of any reader of the finished file."""

import argparse
import filecmp
import json
import os
import random
import struct
import sys
import tempfile

sys.dont_write_bytecode = True  # keep pcaps/gen free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.layers.inet import ICMP, IP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,  # noqa: E402
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting)
from scapy.layers.l2 import ARP, Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

from gen import payloads as P  # noqa: E402
from gen import pcapio  # noqa: E402
from gen.net import Capture, IcmpFlow, TcpFlow, UdpFlow, mac_of  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GOV = "cantho.gov.vn"


def arp_pair(cap, asker, target):
    """ARP who-has and reply: frames without IP, so no flow."""
    req = Ether(src=mac_of(asker), dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=mac_of(asker), psrc=asker, pdst=target)
    rep = Ether(src=mac_of(target), dst=mac_of(asker)) / ARP(
        op=2, hwsrc=mac_of(target), psrc=target, hwdst=mac_of(asker), pdst=asker)
    cap.frame(bytes(req).ljust(60, b"\0"))
    cap.frame(bytes(rep).ljust(60, b"\0"))


def http_exchange(f, reqs, resps, pipelined=False):
    """Send requests and responses on an established TcpFlow. With
    pipelined, all requests leave in one segment before any response."""
    if pipelined:
        f.data(0, b"".join(reqs))
        for r in resps:
            f.data(1, r)
        return
    for q, r in zip(reqs, resps):
        f.data(0, q)
        f.data(1, r)


# -- captures ------------------------------------------------------------------


def cap_http_basic():
    cap = Capture("http_basic", "HTTP/1.1 over Ethernet: pipelined GETs with a "
                  "Content-Length and a chunked response closed by FIN; a POST closed by RST; "
                  "HTTP on port 8080; ARP frames (no flow); short frames padded to 60 bytes.",
                  start=0)
    cap.pad_ethernet = True
    arp_pair(cap, "192.168.10.20", "192.168.10.5")
    host = "intranet." + GOV
    f = TcpFlow(cap, "192.168.10.20", "192.168.10.5", 49152, 80, isn=(100000, 900000),
                app_proto="http", ndpi="HTTP")
    f.handshake()
    body1 = (b"<html><head><title>So Noi vu</title></head><body>" + b"x" * 2900 +
             b"</body></html>")
    reqs = [P.http_request("GET", host, "/index.html"), P.http_request("GET", host, "/style.css")]
    resps = [P.http_response(200, "OK", body1),
             P.http_response(200, "OK", ctype="text/css",
                             chunked_parts=[b"body{margin:0}" * 30, b"h1{color:#036}" * 40])]
    http_exchange(f, reqs, resps, pipelined=True)
    f.close(first=0)
    f.http = [P.http_expect("GET", host, "/index.html", 200, length=len(body1)),
              P.http_expect("GET", host, "/style.css", 200)]
    f.notes.append("two requests in one segment; second response chunked over 2 segments")

    g = TcpFlow(cap, "192.168.10.20", "192.168.10.5", 49153, 80, isn=(200000, 800000),
                app_proto="http", ndpi="HTTP")
    g.handshake()
    form = b"username=canbo01&password=Matkhau%40123"
    g.data(0, P.http_request("POST", host, "/login", body=form))
    g.data(1, P.http_response(302, "Found", b"", extra=["Location: /home"]))
    g.reset(0)
    g.http = [P.http_expect("POST", host, "/login", 302)]
    g.notes.append("closed by client RST")

    h = TcpFlow(cap, "192.168.10.21", "192.168.10.6", 50123, 8080, isn=(300000, 700000),
                app_proto="http", ndpi="HTTP")
    h.handshake()
    http_exchange(h, [P.http_request("GET", "192.168.10.6:8080", "/api/status?id=7")],
                  [P.http_response(404, "Not Found", b"not found")])
    h.close(first=1)
    h.http = [P.http_expect("GET", "192.168.10.6", "/api/status?id=7", 404)]
    h.notes.append("server closes first; Host header carries a port (EVE hostname drops it)")
    return cap


def cap_dns():
    cap = Capture("dns", "DNS over UDP (A, AAAA, CNAME chain, NXDOMAIN, one unanswered "
                  "query, IPv6 transport) and DNS over TCP (length-prefixed).", start=600)
    cli, srv = "192.168.1.50", "192.168.1.1"
    name = "www." + GOV

    def udp_dns(cport, qid, qname, qtype, answers, rcode=0, reply=True, c=cli, s=srv):
        f = UdpFlow(cap, c, s, cport, 53, app_proto="dns", ndpi="DNS")
        f.send(0, P.dns_query(qid, qname, qtype))
        if reply:
            f.send(1, P.dns_response(qid, qname, qtype, answers, rcode), gap_us=800)
        rc = {0: "NOERROR", 3: "NXDOMAIN", 2: "SERVFAIL"}[rcode]
        f.dns = [P.dns_expect(qname, qtype, answers if reply else (), rc if reply else None)]
        return f

    udp_dns(53001, 0x1A01, name, "A", [(name, "A", "203.162.10.5")])
    udp_dns(53002, 0x1A02, name, "AAAA", [(name, "AAAA", "2001:ee0:100::5")])
    portal = "dichvucong." + GOV
    web = "web." + GOV
    udp_dns(53003, 0x1A03, portal, "A", [(portal, "CNAME", web), (web, "A", "203.162.10.6")])
    udp_dns(53004, 0x1A04, "nosuch." + GOV, "A", [], rcode=3)
    f = udp_dns(53005, 0x1A05, "unanswered." + GOV, "A", [], reply=False)
    f.notes.append("no response: pkts_toclient 0")
    udp_dns(53006, 0x1A06, "mail." + GOV, "A", [("mail." + GOV, "A", "203.162.10.7")],
            c="fd00:10::50", s="fd00:10::1")

    t = TcpFlow(cap, cli, srv, 40000, 53, isn=(111111, 222222), app_proto="dns", ndpi="DNS")
    t.handshake()
    q = P.dns_query(0x2B01, "lgsp." + GOV, "A")
    r = P.dns_response(0x2B01, "lgsp." + GOV, "A", [("lgsp." + GOV, "A", "10.20.0.40")])
    t.data(0, struct.pack(">H", len(q)) + q)
    t.data(1, struct.pack(">H", len(r)) + r)
    t.close(first=0)
    t.dns = [P.dns_expect("lgsp." + GOV, "A", [("lgsp." + GOV, "A", "10.20.0.40")], "NOERROR")]
    return cap


def tls_session(cap, rng, cli, srv, cport, sport, sni, isn, grease=False, ndpi="TLS"):
    f = TcpFlow(cap, cli, srv, cport, sport, isn=isn, app_proto="tls", ndpi=ndpi)
    f.handshake()
    ch, info = P.client_hello(rng, sni, grease=grease)
    f.data(0, ch)
    f.data(1, P.server_hello(rng) + P.change_cipher_spec() + P.app_data(rng, 1200))
    f.data(0, P.change_cipher_spec() + P.app_data(rng, 80))
    f.data(0, P.app_data(rng, 300))
    f.data(1, P.app_data(rng, 2400))
    f.close(first=0)
    f.tls = info
    return f


def cap_tls():
    cap = Capture("tls", "TLS 1.3 ClientHello/ServerHello with SNI on 443, with GREASE on "
                  "8443, and without SNI; followed by encrypted records and FIN.", start=1200)
    rng = random.Random(443)
    tls_session(cap, rng, "192.168.10.20", "192.168.10.8", 50000, 443, "dichvucong." + GOV,
                (10000, 20000))
    tls_session(cap, rng, "192.168.10.20", "192.168.10.9", 50001, 8443, "lgsp." + GOV,
                (30000, 40000), grease=True)
    tls_session(cap, rng, "192.168.10.22", "192.168.10.8", 50002, 443, None, (50000, 60000))
    return cap


def cap_vlan():
    cap = Capture("vlan", "802.1Q and QinQ: the same UDP and TCP 5-tuples on VLAN 10, VLAN "
                  "20, 802.1ad 100/10 and 802.1Q-in-802.1Q 200/20 are separate flows; one "
                  "triple-tagged frame is an anomaly.", start=1800)
    a, b = "10.1.1.10", "10.1.1.20"
    for vlan, tpids in (((10,), None), ((20,), None), ((100, 10), None),
                        ((200, 20), [0x8100, 0x8100])):
        u = UdpFlow(cap, a, b, 5000, 5001, vlan=vlan, vlan_tpids=tpids)
        for i in range(2):
            u.send(0, b"telemetry %d" % i)
            u.send(1, b"ack %d" % i)
        t = TcpFlow(cap, a, b, 41000, 9000, vlan=vlan, vlan_tpids=tpids, isn=(7000 + vlan[0], 9000))
        t.handshake()
        t.data(0, b"HELLO vlan %d\n" % vlan[-1])
        t.data(1, b"OK\n")
        t.close()
    # three tags: deeper than the decoder's two-tag limit
    ip = IP(src=a, dst=b, id=99) / UDP(sport=5000, dport=5001) / Raw(b"too deep")
    tags = struct.pack(">HHHHHH", 300, 0x8100, 30, 0x8100, 3, 0x0800)
    frame = bytes(Ether(src=mac_of(a), dst=mac_of(b), type=0x88A8)) + tags + bytes(ip)
    cap.frame(frame, anomaly="vlan.too_many_layers")
    return cap


def cap_ipv6():
    cap = Capture("ipv6", "IPv6 TCP (HTTP) with hop-by-hop and destination-options headers, "
                  "IPv6 UDP with hop-by-hop + routing (segments left 0) + destination options.",
                  start=2400)
    t = TcpFlow(cap, "2001:db8:10::20", "2001:db8:10::5", 51000, 80, isn=(5, 6),
                app_proto="http", ndpi="HTTP")
    t.handshake()
    t.ip_kw = {}
    host = "v6.intranet." + GOV
    t.data(0, P.http_request("GET", host, "/v6/index.html"))
    t.data(1, P.http_response(200, "OK", b"<html>IPv6</html>"))
    t.close()
    t.http = [P.http_expect("GET", host, "/v6/index.html", 200)]
    # same conversation kind, but every packet carries extension headers
    e = TcpFlow(cap, "2001:db8:10::21", "2001:db8:10::5", 51001, 80, isn=(15, 16),
                app_proto="http", ndpi="HTTP")
    e.v6_ext = True
    send_orig = e.send

    def send_ext(d, flags, data=b"", **kw):
        ext = IPv6ExtHdrHopByHop() if d == 0 else IPv6ExtHdrDestOpt()
        ack = e.seq[1 - d] if "A" in flags else 0
        pkt = (IPv6(src=e.addr[d], dst=e.addr[1 - d], hlim=64) / ext /
               TCP(sport=e.port[d], dport=e.port[1 - d], flags=flags, seq=e.seq[d], ack=ack,
                   window=64240))
        if data:
            pkt = pkt / Raw(data)
        e.seq[d] = (e.seq[d] + len(data) + ("S" in flags) + ("F" in flags)) & 0xFFFFFFFF
        return e.emit(pkt, d)

    e.send = send_ext
    e.handshake()
    e.data(0, P.http_request("GET", host, "/v6/ext.html"))
    e.data(1, P.http_response(200, "OK", b"<html>ext</html>"))
    e.close()
    e.send = send_orig
    e.http = [P.http_expect("GET", host, "/v6/ext.html", 200)]
    e.notes.append("client packets carry hop-by-hop, server packets destination options")

    u = UdpFlow(cap, "2001:db8:20::7", "2001:db8:20::1", 40514, 514)
    for i in range(3):
        pkt = (IPv6(src=u.addr[0], dst=u.addr[1], hlim=64) / IPv6ExtHdrHopByHop() /
               IPv6ExtHdrRouting(type=0, segleft=0, addresses=["2001:db8:20::99"]) /
               IPv6ExtHdrDestOpt() / UDP(sport=40514, dport=514) /
               Raw(b"<134>Mar  1 08:40:0%d sensor7 water level ok" % i))
        u.emit(pkt, 0)
    u.notes.append("one-way syslog; routing header type 0 with segments left 0")
    return cap


def frag4(cap, flow, d, payload_pkt, frag_size=1480, order=None):
    """Split an IPv4 packet (scapy, transport included) into fragment frames
    that all count to flow."""
    raw_l4 = bytes(payload_pkt[IP].payload)
    proto = payload_pkt[IP].proto
    ident = cap.next_ip_id()
    pieces = [(off, raw_l4[off:off + frag_size]) for off in range(0, len(raw_l4), frag_size)]
    idx = list(range(len(pieces))) if order is None else order
    for i in idx:
        off, chunk = pieces[i]
        more = i < len(pieces) - 1
        ip = IP(src=flow.addr[d], dst=flow.addr[1 - d], ttl=64, id=ident, proto=proto,
                flags="MF" if more else 0, frag=off // 8) / Raw(chunk)
        flow.emit(ip, d)


def frag6(cap, flow, d, l4_bytes, nh, ident, frag_size=1448):
    pieces = [(off, l4_bytes[off:off + frag_size]) for off in range(0, len(l4_bytes), frag_size)]
    for i, (off, chunk) in enumerate(pieces):
        ip = (IPv6(src=flow.addr[d], dst=flow.addr[1 - d], hlim=64) /
              IPv6ExtHdrFragment(nh=nh, offset=off // 8, m=int(i < len(pieces) - 1), id=ident) /
              Raw(chunk))
        flow.emit(ip, d)


def cap_fragments():
    cap = Capture("fragments", "IPv4 UDP datagrams in 3 fragments (in order and reversed), "
                  "a fragmented ICMP echo, IPv6 UDP in 2 fragments; one IPv4 first fragment "
                  "never completed (no flow). Every fragment frame counts to the datagram's "
                  "flow.", start=3000)
    rng = random.Random(5)
    f = UdpFlow(cap, "10.0.0.5", "10.0.0.9", 40001, 5140)
    data = bytes(rng.getrandbits(8) for _ in range(3200))
    frag4(cap, f, 0, IP(src=f.addr[0], dst=f.addr[1]) / UDP(sport=40001, dport=5140) / data)
    f.send(1, b"got it")
    frag4(cap, f, 0, IP(src=f.addr[0], dst=f.addr[1]) / UDP(sport=40001, dport=5140) / data[:2000],
          frag_size=800, order=[2, 1, 0])
    f.send(1, b"got it too")
    f.notes.append("datagram 1: 3 fragments in order; datagram 2: 3 fragments reversed")

    p = IcmpFlow(cap, "10.0.0.5", "10.0.0.9")
    big = bytes(range(256)) * 8
    frag4(cap, p, 0, IP(src=p.addr[0], dst=p.addr[1]) / ICMP(type=8, id=77, seq=1) / big)
    frag4(cap, p, 1, IP(src=p.addr[1], dst=p.addr[0]) / ICMP(type=0, id=77, seq=1) / big)

    v = UdpFlow(cap, "2001:db8:1::5", "2001:db8:1::9", 40002, 5140)
    d6 = bytes(rng.getrandbits(8) for _ in range(2500))
    l4 = bytes(IPv6(src=v.addr[0], dst=v.addr[1]) / UDP(sport=40002, dport=5140) / d6)[40:]
    frag6(cap, v, 0, l4, 17, 0xABCD01)
    v.send(1, b"v6 got it")

    # a lone first fragment: held by the defragmenter, never a flow
    ip = IP(src="10.0.0.6", dst="10.0.0.9", ttl=64, id=4242, proto=17, flags="MF",
            frag=0) / Raw(bytes(UDP(sport=40003, dport=5140, len=3008)) + b"A" * 1472)
    cap.frame(cap.link(ip))
    cap.extra["incomplete_fragments"] = 1
    return cap


def cap_icmp():
    cap = Capture("icmp", "ICMP echo (two identifiers between the same hosts: one flow, "
                  "keyed by addresses), an unanswered echo, ICMPv6 echo.", start=3600)
    p = IcmpFlow(cap, "192.168.1.50", "192.168.1.1", ndpi="ICMP")
    for s in range(3):
        p.echo(0x1234, s + 1)
    for s in range(2):
        p.echo(0x1235, s + 1)
    p.notes.append("identifiers 0x1234 and 0x1235 share the flow")
    q = IcmpFlow(cap, "192.168.1.50", "192.168.1.99", ndpi="ICMP")
    q.echo(0x1236, 1, reply=False)
    q.echo(0x1236, 2, reply=False)
    r = IcmpFlow(cap, "fd00:10::50", "fd00:10::1", ndpi="ICMPV6")
    for s in range(2):
        r.echo(0x0042, s + 1)
    return cap


def cap_tcp_midstream():
    cap = Capture("tcp_midstream", "TCP picked up mid-stream: data both ways with no "
                  "handshake (client = first sender); a flow whose first captured packet is "
                  "the SYN-ACK (client = its receiver); a flow whose first packet comes from "
                  "port 22 (client = first sender all the same).", start=4200)
    a = TcpFlow(cap, "10.0.5.1", "10.0.5.2", 52000, 8080, isn=(123456, 654321))
    for i in range(3):
        a.data(0, b"GET /mid%d HTTP/1.1\r\nHost: mid\r\n\r\n" % i)
        a.data(1, P.http_response(200, "OK", b"mid"))
    a.notes.append("no SYN seen; whether HTTP is parsed mid-stream is left open")
    a.app_unspecified = True
    b = TcpFlow(cap, "10.0.5.4", "10.0.5.3", 53000, 443, isn=(1000, 2000))
    b.seq[0] += 1  # the client's SYN was sent but not captured
    b.send(1, "SA")
    b.send(0, "A")
    b.data(0, b"\x16\x03\x01\x00\x05hello")
    b.data(1, b"\x15\x03\x03\x00\x02\x02\x28")
    b.reset(0)
    b.notes.append("first captured packet is the SYN-ACK from 10.0.5.3")
    c = TcpFlow(cap, "10.0.5.6", "10.0.5.5", 22, 55000, isn=(3000, 4000))
    c.data(0, b"\x00\x00\x00\x1c" + b"\x0a" * 28)
    c.data(1, b"\x00\x00\x00\x0c" + b"\x0b" * 12)
    c.notes.append("first packet from port 22: still the flow's src")
    return cap


def cap_tcp_port_reuse():
    cap = Capture("tcp_port_reuse", "Three TCP connections on one 5-tuple: FIN-closed, then "
                  "RST-closed, then FIN-closed again. A SYN after a closed connection starts "
                  "a new flow.", start=4800)
    host = "reuse." + GOV
    for n, (isn, close) in enumerate((((1000, 2000), "fin"), ((50000, 60000), "rst"),
                                      ((90000, 10000), "fin"))):
        f = TcpFlow(cap, "192.168.5.10", "192.168.5.20", 40000, 80, isn=isn, app_proto="http",
                    ndpi="HTTP")
        f.handshake(gap_us=500000 if n else None)
        f.data(0, P.http_request("GET", host, "/conn%d" % n))
        f.data(1, P.http_response(200, "OK", b"connection %d" % n))
        if close == "fin":
            f.close(first=0)
        else:
            f.reset(1)
        f.http = [P.http_expect("GET", host, "/conn%d" % n, 200)]
        f.notes.append("connection %d closed by %s" % (n + 1, close.upper()))
    return cap


def small_mix(cap, prefix, v6prefix=None, sport=44000):
    """An HTTP session, a DNS query, and optionally IPv6 UDP: link-type tests."""
    host = "link." + GOV
    t = TcpFlow(cap, prefix + "10", prefix + "20", sport, 80, isn=(sport, sport * 3),
                app_proto="http", ndpi="HTTP")
    t.handshake()
    t.data(0, P.http_request("GET", host, "/link"))
    t.data(1, P.http_response(200, "OK", b"link layer ok"))
    t.close()
    t.http = [P.http_expect("GET", host, "/link", 200)]
    u = UdpFlow(cap, prefix + "10", prefix + "1", sport + 1, 53, app_proto="dns", ndpi="DNS")
    u.send(0, P.dns_query(0x3C01, host, "A"))
    u.send(1, P.dns_response(0x3C01, host, "A", [(host, "A", prefix + "20")]))
    u.dns = [P.dns_expect(host, "A", [(host, "A", prefix + "20")], "NOERROR")]
    if v6prefix:
        w = UdpFlow(cap, v6prefix + "10", v6prefix + "20", sport + 2, 5683)
        w.send(0, b"\x40\x01\x00\x01\xb4test")
        w.send(1, b"\x60\x45\x00\x01")
    return t


def cap_linux_sll():
    cap = Capture("linux_sll", "Linux cooked capture v1 (LINKTYPE_LINUX_SLL): HTTP, DNS, "
                  "IPv6 UDP.", linktype=pcapio.LINKTYPE_LINUX_SLL, start=5400)
    small_mix(cap, "172.16.1.", "fd00:16:1::")
    return cap


def cap_linux_sll2():
    cap = Capture("linux_sll2", "Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): HTTP, DNS, "
                  "IPv6 UDP.", linktype=pcapio.LINKTYPE_LINUX_SLL2, start=6000)
    small_mix(cap, "172.16.2.", "fd00:16:2::")
    return cap


def cap_raw_ip():
    cap = Capture("raw_ip", "Raw IP (LINKTYPE_RAW, no link header): IPv4 HTTP and DNS, IPv6 "
                  "UDP, ICMP echo.", linktype=pcapio.LINKTYPE_RAW, start=6600)
    small_mix(cap, "172.16.3.", "fd00:16:3::")
    p = IcmpFlow(cap, "172.16.3.10", "172.16.3.1", ndpi="ICMP")
    p.echo(9, 1)
    return cap


def cap_bsd_loopback():
    cap = Capture("bsd_loopback", "BSD loopback (LINKTYPE_NULL, 4-byte family in host "
                  "order): IPv4 HTTP and DNS, and IPv6 UDP with each of the three AF_INET6 "
                  "values (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS).",
                  linktype=pcapio.LINKTYPE_NULL, start=7200)
    small_mix(cap, "127.0.0.")
    for fam, port in ((24, 7024), (28, 7028), (30, 7030)):
        cap.null_family_v6 = fam
        u = UdpFlow(cap, "::1", "::1", port, 9999)
        u.send(0, b"af_inet6=%d" % fam)
        u.send(1, b"reply %d" % fam)
        u.notes.append("AF_INET6 value %d" % fam)
    return cap


def cap_pcapng():
    cap = Capture("pcapng_basic", "pcapng with two Ethernet interfaces, the second with "
                  "nanosecond timestamps (if_tsresol 9): an HTTP session on each.",
                  fmt="pcapng", start=7800)
    cap.interfaces = [(pcapio.LINKTYPE_ETHERNET, 6), (pcapio.LINKTYPE_ETHERNET, 9)]
    t = small_mix(cap, "10.50.0.")
    t.notes.append("interface 0 (microseconds)")
    orig = cap.frame

    def frame_if1(data, flow=None, d=0, wirelen=None, anomaly=None, gap_us=None, iface=1):
        return orig(data, flow, d, wirelen, anomaly, gap_us, iface=1)

    cap.frame = frame_if1
    host = "ng." + GOV
    f = TcpFlow(cap, "10.51.0.10", "10.51.0.20", 45000, 80, isn=(1, 2), app_proto="http",
                ndpi="HTTP")
    f.handshake()
    f.data(0, P.http_request("GET", host, "/nano"))
    f.data(1, P.http_response(200, "OK", b"nanoseconds"))
    f.close()
    f.http = [P.http_expect("GET", host, "/nano", 200)]
    f.notes.append("interface 1 (nanoseconds)")
    cap.frame = orig
    return cap


# Broken IP headers use their own addresses (10.9.1.x, fd00:9:1::x) so no
# excuse for a broken transport header (V4, V6 below) can cover them.
def _eth_ip4(raw_ip, src="10.9.1.66", dst="10.9.1.77"):
    return bytes(Ether(src=mac_of(src), dst=mac_of(dst), type=0x0800)) + raw_ip


def _eth_ip6(raw_ip, src="fd00:9:1::66", dst="fd00:9:1::77"):
    return bytes(Ether(src=mac_of(src), dst=mac_of(dst), type=0x86DD)) + raw_ip


def _ip4(**kw):
    kw.setdefault("src", "10.9.1.66")
    kw.setdefault("dst", "10.9.1.77")
    return IP(ttl=64, **kw)


def _l4bad4(l4):
    """IPv4 packet with a sound header from V4 carrying a broken layer 4."""
    return _eth_ip4(bytes(IP(src=V4[0], dst=V4[1], ttl=64) / l4), *V4)


# Frames whose IP header is sound but whose next layer is broken carry their
# addresses in the manifest: whether the sensor counts such a frame to a flow
# is its choice (Suricata does not), so the check may excuse flows made of them.
V4 = ("10.9.0.66", "10.9.0.77")
V6 = ("fd00:9::66", "fd00:9::77")


def cap_malformed():
    cap = Capture("malformed", "One valid UDP flow between broken frames: short Ethernet, "
                  "truncated IPv4 header, IHL 3, total length below the header, total length "
                  "beyond the frame, IP version 6 under ethertype IPv4, TCP data offset 3, "
                  "truncated TCP header, UDP length beyond the datagram and below 8, truncated "
                  "UDP header, short ICMP, short IPv6 header, IPv6 payload length beyond the "
                  "frame, truncated IPv6 hop-by-hop header.", start=8400)
    ok = UdpFlow(cap, "10.9.0.1", "10.9.0.2", 1000, 2000)
    ok.send(0, b"valid before")
    cap.frame(b"\x02\x00\x00\x00\x00\x01\x02\x00", anomaly="ethernet.pkt_too_small")
    cap.frame(_eth_ip4(bytes(_ip4() / UDP())[:12]), anomaly="ipv4.pkt_too_small")
    bad = bytearray(bytes(_ip4(proto=17) / UDP(sport=1, dport=2) / b"payload"))
    bad[0] = 0x43  # IHL 3: 12-byte header
    cap.frame(_eth_ip4(bytes(bad)), anomaly="ipv4.hlen_too_small")
    cap.frame(_eth_ip4(bytes(_ip4(len=16) / UDP(sport=3, dport=4) / b"x")),
              anomaly="ipv4.iplen_smaller_than_hlen")
    cap.frame(_eth_ip4(bytes(_ip4(len=400) / UDP(sport=5, dport=6, len=380) / b"short")),
              anomaly="ipv4.trunc_pkt")
    v = bytearray(bytes(_ip4() / UDP(sport=7, dport=8) / b"ver"))
    v[0] = 0x65
    cap.frame(_eth_ip4(bytes(v)), anomaly="ipv4.wrong_ip_version")
    ok.send(1, b"valid between")
    cap.frame(_l4bad4(TCP(sport=1111, dport=80, flags="S", dataofs=3)),
              anomaly="tcp.hlen_too_small", addrs=V4)
    cap.frame(_eth_ip4(bytes(IP(src=V4[0], dst=V4[1], ttl=64, proto=6) /
                             Raw(b"\x04\x57\x00\x50\x00\x00\x00\x01\x00\x00")), *V4),
              anomaly="tcp.pkt_too_small", addrs=V4)
    # UDP length beyond the datagram: Suricata calls it udp.pkt_too_small (the
    # datagram is smaller than the header says); below 8 is udp.hlen_invalid
    cap.frame(_l4bad4(UDP(sport=2222, dport=53, len=500) / b"tiny"),
              anomaly="udp.pkt_too_small", addrs=V4)
    cap.frame(_l4bad4(UDP(sport=2223, dport=53, len=4) / b"tiny"),
              anomaly="udp.hlen_invalid", addrs=V4)
    cap.frame(_eth_ip4(bytes(IP(src=V4[0], dst=V4[1], ttl=64, proto=17) /
                             Raw(b"\x08\xae\x00\x35")), *V4),
              anomaly="udp.pkt_too_small", addrs=V4)
    cap.frame(_eth_ip4(bytes(IP(src=V4[0], dst=V4[1], ttl=64, proto=1) / Raw(b"\x08\x00")), *V4),
              anomaly="icmpv4.pkt_too_small", addrs=V4)
    cap.frame(_eth_ip6(bytes(IPv6(src="fd00:9:1::66", dst="fd00:9:1::77"))[:20]),
              anomaly="ipv6.pkt_too_small")
    cap.frame(_eth_ip6(bytes(IPv6(src="fd00:9:1::66", dst="fd00:9:1::77", plen=500, nh=17) /
                             UDP(sport=9, dport=10) / b"short")), anomaly="ipv6.trunc_pkt")
    h = bytes(IPv6(src=V6[0], dst=V6[1], nh=0, plen=4)) + b"\x11\x00\x01\x02"
    cap.frame(_eth_ip6(h, *V6), anomaly="ipv6.trunc_exthdr", addrs=V6)
    ok.send(0, b"valid after")
    ok.send(1, b"valid end")
    ok.notes.append("the only flow: 4 valid frames around the malformed ones")
    return cap


# GeoIP expectations, checked by hand against shared/data/geoip/source-data
# GeoIP2-City-Test.json and GeoLite2-ASN-Test.json (and mmdblookup).
GEO = {
    "81.2.69.160": {"country_iso": "GB", "country": "United Kingdom", "city": "London"},
    "2.125.160.216": {"country_iso": "GB", "country": "United Kingdom", "city": "Boxford"},
    "89.160.20.128": {"country_iso": "SE", "country": "Sweden", "city": "Linköping",
                      "asn": 29518, "as_org": "Bredband2 AB"},
    "1.128.0.1": {"asn": 1221, "as_org": "Telstra Pty Ltd"},
    "216.160.83.57": {"country_iso": "US", "country": "United States", "city": "Milton",
                      "asn": 209},
    "175.16.199.5": {"country_iso": "CN", "country": "China", "city": "Changchun"},
    "2001:218::10": {"country_iso": "JP", "country": "Japan"},
}


def geo_of(addr):
    return dict(GEO[addr]) if addr in GEO else {}


def set_geo(f):
    f.geoip = {"src": geo_of(f.addr[0]), "dest": geo_of(f.addr[1])}


def cap_geoip():
    cap = Capture("geoip", "Public addresses present in the MaxMind test databases talking "
                  "to RFC 1918 hosts, both directions, IPv4 and IPv6.", start=9000)
    rng = random.Random(9000)
    s = TcpFlow(cap, "81.2.69.160", "192.168.1.10", 51000, 22, isn=(1, 2), app_proto="ssh",
                ndpi="SSH")
    s.handshake()
    s.data(0, b"SSH-2.0-libssh_0.9.6\r\n")
    s.data(1, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    s.close(first=1)
    set_geo(s)
    t = tls_session(cap, rng, "192.168.1.10", "89.160.20.128", 50500, 443, "files.example.se",
                    (3, 4))
    set_geo(t)
    d = UdpFlow(cap, "10.0.0.5", "1.128.0.1", 53000, 53, app_proto="dns", ndpi="DNS")
    d.send(0, P.dns_query(0x4D01, "www.example.com.au", "A"))
    d.send(1, P.dns_response(0x4D01, "www.example.com.au", "A",
                             [("www.example.com.au", "A", "1.128.0.80")]))
    d.dns = [P.dns_expect("www.example.com.au", "A", [("www.example.com.au", "A", "1.128.0.80")],
                          "NOERROR")]
    set_geo(d)
    h = TcpFlow(cap, "2.125.160.216", "172.16.0.5", 40000, 80, isn=(5, 6), app_proto="http",
                ndpi="HTTP")
    h.handshake()
    h.data(0, P.http_request("GET", "172.16.0.5", "/"))
    h.data(1, P.http_response(200, "OK", b"<html>ok</html>"))
    h.close()
    h.http = [P.http_expect("GET", "172.16.0.5", "/", 200)]
    set_geo(h)
    p = IcmpFlow(cap, "172.16.0.9", "216.160.83.57", ndpi="ICMP")
    p.echo(1, 1)
    p.echo(1, 2)
    set_geo(p)
    c = UdpFlow(cap, "175.16.199.5", "192.168.1.10", 33434, 161)
    c.send(0, b"\x30\x26\x02\x01\x01\x04\x06public")
    set_geo(c)
    v = TcpFlow(cap, "2001:218::10", "fd00:20::5", 50123, 443, isn=(7, 8))
    v.handshake()
    v.reset(1)
    set_geo(v)
    cap.extra["geoip_databases"] = ["GeoIP2-City-Test.mmdb", "GeoLite2-ASN-Test.mmdb"]
    return cap


def smtp_session(cap, cli, srv, cport, isn):
    f = TcpFlow(cap, cli, srv, cport, 25, isn=isn, app_proto="smtp", ndpi="SMTP")
    f.handshake()
    lines = [
        (1, b"220 mail.cantho.gov.vn ESMTP Postfix\r\n"),
        (0, b"EHLO vanthu.cantho.gov.vn\r\n"),
        (1, b"250-mail.cantho.gov.vn\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"),
        (0, b"MAIL FROM:<vanthu@cantho.gov.vn>\r\n"),
        (1, b"250 2.1.0 Ok\r\n"),
        (0, b"RCPT TO:<sotttt@cantho.gov.vn>\r\n"),
        (1, b"250 2.1.5 Ok\r\n"),
        (0, b"DATA\r\n"),
        (1, b"354 End data with <CR><LF>.<CR><LF>\r\n"),
        (0, b"From: vanthu@cantho.gov.vn\r\nTo: sotttt@cantho.gov.vn\r\n"
            b"Subject: Cong van so 123/UBND\r\n\r\nKinh gui So TT&TT.\r\n.\r\n"),
        (1, b"250 2.0.0 Ok: queued as 4F2A1C0B3D\r\n"),
        (0, b"QUIT\r\n"),
        (1, b"221 2.0.0 Bye\r\n"),
    ]
    for d, data in lines:
        f.data(d, data)
    f.close(first=1)
    return f


def mqtt_sensor(cap, cli, cport, isn, readings):
    f = TcpFlow(cap, cli, "10.30.0.2", cport, 1883, isn=isn, app_proto="mqtt", ndpi="MQTT")
    f.handshake()
    cid = "sensor-%s" % cli.split(".")[-1]
    f.data(0, P.mqtt_connect(cid))
    f.data(1, P.mqtt_connack())
    for topic, value in readings:
        f.data(0, P.mqtt_publish(topic, value))
    f.data(0, P.mqtt_disconnect())
    f.close(first=0)
    return f


def rtsp_session(cap, cam, cport, isn):
    f = TcpFlow(cap, "10.30.0.20", cam, cport, 554, isn=isn, app_proto="rtsp", ndpi="RTSP")
    f.handshake()
    url = "rtsp://%s:554/Streaming/Channels/101" % cam
    msgs = [
        (0, "OPTIONS %s RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: IOC-VMS/2.1\r\n\r\n" % url),
        (1, "RTSP/1.0 200 OK\r\nCSeq: 1\r\n"
            "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n"),
        (0, "DESCRIBE %s RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n" % url),
    ]
    sdp = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=Camera\r\nm=video 0 RTP/AVP 96\r\n"
           "a=rtpmap:96 H264/90000\r\n" % cam)
    msgs.append((1, "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n"
                    "Content-Length: %d\r\n\r\n%s" % (len(sdp), sdp)))
    msgs.append((0, "TEARDOWN %s RTSP/1.0\r\nCSeq: 3\r\n\r\n" % url))
    msgs.append((1, "RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\n"))
    for d, m in msgs:
        f.data(d, m.encode())
    f.close(first=0)
    return f


def cap_city_mix():
    cap = Capture("city_mix", "Demo mix on the city government network: citizens on the "
                  "e-government portal over HTTPS, LGSP integration API over HTTP, official "
                  "e-mail over SMTP, IoT sensors publishing over MQTT, the IOC pulling RTSP "
                  "camera streams, DNS; plus hostile traffic: an SQL-injection scan with "
                  "sqlmap's User-Agent from 89.160.20.128, an SSH port sweep from "
                  "81.2.69.160, and a DNS lookup of a domain on the ET-derived blocklist.",
                  start=9600, step_us=2000)
    rng = random.Random(2024)
    portal = "dichvucong." + GOV
    lgsp = "lgsp." + GOV
    dns_srv = "10.20.0.2"
    for i, (cli, name, addr) in enumerate((("10.10.1.25", portal, "10.20.0.10"),
                                           ("10.20.0.30", lgsp, "10.20.0.40"))):
        d = UdpFlow(cap, cli, dns_srv, 52000 + i, 53, app_proto="dns", ndpi="DNS")
        d.send(0, P.dns_query(0x5E00 + i, name, "A"))
        d.send(1, P.dns_response(0x5E00 + i, name, "A", [(name, "A", addr)]))
        d.dns = [P.dns_expect(name, "A", [(name, "A", addr)], "NOERROR")]
    for i, cli in enumerate(("10.10.1.25", "10.10.1.26", "10.10.2.40")):
        tls_session(cap, rng, cli, "10.20.0.10", 51000 + i, 443, portal,
                    (1000 * (i + 1), 7000 * (i + 1)))
    api = TcpFlow(cap, "10.20.0.30", "10.20.0.40", 45100, 8080, isn=(11, 22), app_proto="http",
                  ndpi="HTTP")
    api.handshake()
    body = (b'{"maHoSo":"000.00.21.H13-240301-0001","thuTucHanhChinh":"1.001612",'
            b'"trangThai":"DA_TIEP_NHAN"}')
    ua = "LGSP-Client/3.2"
    reqs = [P.http_request("POST", lgsp + ":8080", "/lgsp/api/v1/hoso/submit", ua=ua, body=body,
                           ctype="application/json"),
            P.http_request("GET", lgsp + ":8080", "/lgsp/api/v1/danhmuc?ma=DVC", ua=ua)]
    resps = [P.http_response(200, "OK", b'{"ketQua":"THANH_CONG"}', ctype="application/json"),
             P.http_response(200, "OK", b'{"danhMuc":[]}', ctype="application/json")]
    http_exchange(api, reqs, resps)
    api.close()
    api.http = [P.http_expect("POST", lgsp, "/lgsp/api/v1/hoso/submit", 200, ua=ua),
                P.http_expect("GET", lgsp, "/lgsp/api/v1/danhmuc?ma=DVC", 200, ua=ua)]
    smtp_session(cap, "10.20.0.50", "10.20.0.60", 45200, (33, 44))
    for i, node in enumerate(("10.30.5.11", "10.30.5.12", "10.30.5.13")):
        mqtt_sensor(cap, node, 46000 + i, (100 + i, 200 + i),
                    [("cantho/iot/water/level/%d" % i, b'{"cm":%d}' % (140 + i)),
                     ("cantho/iot/air/pm25/%d" % i, b'{"ugm3":%d}' % (35 + i))])
    for i, cam in enumerate(("10.30.6.21", "10.30.6.22")):
        rtsp_session(cap, cam, 47000 + i, (300 + i, 400 + i))
    # hostile: sqlmap against the portal's plain-HTTP front
    atk = TcpFlow(cap, "89.160.20.128", "10.20.0.10", 39001, 80, isn=(555, 666),
                  app_proto="http", ndpi="HTTP")
    atk.handshake()
    sqlmap = "sqlmap/1.7.2#stable (https://sqlmap.org)"
    urls = ["/tracuu?maHoSo=1%27%20AND%201234%3D1234--%20-",
            "/tracuu?maHoSo=1%27%20UNION%20ALL%20SELECT%20NULL%2CNULL--%20-",
            "/tracuu?maHoSo=1%27%20AND%20SLEEP%285%29--%20-"]
    atk.http = []
    for u in urls:
        atk.data(0, P.http_request("GET", portal, u, ua=sqlmap))
        atk.data(1, P.http_response(403, "Forbidden", b"blocked"))
        atk.http.append(P.http_expect("GET", portal, u, 403, ua=sqlmap))
    atk.close(first=0)
    set_geo(atk)
    atk.notes.append("sqlmap User-Agent from SE (ET SCAN Sqlmap SQL Injection Scan)")
    for i in range(6):
        s = TcpFlow(cap, "81.2.69.160", "10.20.0.%d" % (10 + i), 60000 + i, 22,
                    isn=(9000 + i, 0))
        s.send(0, "S")
        s.send(1, "RA")
        set_geo(s)
        s.notes.append("SSH sweep: SYN answered by RST")
    bad = "ab3520430c23.com"
    m = UdpFlow(cap, "10.10.2.40", dns_srv, 52100, 53, app_proto="dns", ndpi="DNS")
    m.send(0, P.dns_query(0x6F01, bad, "A"))
    m.send(1, P.dns_response(0x6F01, bad, "A", [], rcode=3))
    m.dns = [P.dns_expect(bad, "A", [], "NXDOMAIN")]
    m.notes.append("domain listed in shared/data/intel/et-derived-domains/malicious.txt")
    return cap


def cap_flow_timeout():
    cap = Capture("flow_timeout", "Packet-time flow timeouts (Suricata's stock values: UDP "
                  "new 30 s, established 300 s; TCP established 600 s): a one-way UDP packet "
                  "repeated after 45 s is two flows; an answered UDP flow idle 200 s stays one "
                  "flow; an established TCP connection idle 700 s becomes two flows, the second "
                  "picked up mid-stream.", start=10800)
    a = UdpFlow(cap, "10.0.7.1", "10.0.7.2", 6000, 6001)
    a.send(0, b"beacon 1")
    a2 = UdpFlow(cap, "10.0.7.1", "10.0.7.2", 6000, 6001)
    a2.send(0, b"beacon 2", gap_us=45 * 1000000)
    a2.notes.append("same tuple 45 s later: the first flow timed out (new, 30 s)")
    b = UdpFlow(cap, "10.0.7.3", "10.0.7.4", 6002, 6003)
    b.send(0, b"ping")
    b.send(1, b"pong")
    b.send(0, b"ping again", gap_us=200 * 1000000)
    b.send(1, b"pong again")
    b.notes.append("idle 200 s while established (300 s): one flow")
    t = TcpFlow(cap, "10.0.7.5", "10.0.7.6", 42000, 7000, isn=(1, 1))
    t.handshake()
    t.data(0, b"before idle")
    t2 = TcpFlow(cap, "10.0.7.5", "10.0.7.6", 42000, 7000)
    t2.seq = list(t.seq)
    t2.send(0, "PA", b"after idle", gap_us=700 * 1000000)
    t2.send(1, "A")
    t2.close()
    t2.notes.append("700 s after the last packet: established TCP (600 s) timed out")
    return cap


def corrupt_set(outdir):
    """Broken files: written straight to pcaps/corrupt/, with one manifest."""
    os.makedirs(outdir, exist_ok=True)
    cap = cap_http_basic()
    whole = cap.file_bytes()
    # cut the last record in its data: header says more bytes than follow
    last = cap.records[-1]
    cut = len(whole) - len(last.data) + 10
    files = {}
    files["truncated_record.pcap"] = whole[:cut]
    complete = cap.records[:-1]
    files["truncated_header.pcap"] = whole[:12]
    rng = random.Random(666)
    files["garbage_header.pcap"] = bytes(rng.getrandbits(8) for _ in range(256))
    files["empty.pcap"] = b""
    files["header_only.pcap"] = pcapio.pcap_bytes(pcapio.LINKTYPE_ETHERNET, [])
    ng = pcapio.pcapng_bytes([(pcapio.LINKTYPE_ETHERNET, 6)], cap.records)
    files["truncated_block.pcapng"] = ng[:-30]
    for name, data in files.items():
        with open(os.path.join(outdir, name), "wb") as fh:
            fh.write(data)
    manifest = {
        "truncated_record.pcap": {
            "expect": "events for the records before the cut, flows flushed; truncation "
                      "reported naming the file",
            "complete_records": len(complete), "truncated": True},
        "truncated_block.pcapng": {
            "expect": "events for the blocks before the cut; truncation reported",
            "complete_records": len(cap.records) - 1, "truncated": True},
        "truncated_header.pcap": {"expect": "one-line error naming the file, exit non-zero",
                                  "error": True},
        "garbage_header.pcap": {"expect": "one-line error naming the file, exit non-zero",
                                "error": True},
        "empty.pcap": {"expect": "one-line error naming the file, exit non-zero", "error": True},
        "header_only.pcap": {"expect": "valid file with no packets: exit 0, final stats only",
                             "complete_records": 0, "error": False},
    }
    with open(os.path.join(outdir, "corrupt.json"), "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True, ensure_ascii=False)
        fh.write("\n")


def tcp_at(f, d, seq, flags, data):
    """Send a segment at an explicit sequence number (out of order,
    retransmissions), leaving the flow's own counter where it was."""
    saved = f.seq[d]
    f.seq[d] = seq
    f.send(d, flags, data)
    f.seq[d] = max(saved, (seq + len(data)) & 0xFFFFFFFF)


def cap_signatures():
    """Traffic for the signature engine's expected-sid test (see
    expected/signatures.sids.json and rules/signatures/test-detect.rules)."""
    cap = Capture("signatures", "Signature engine cases: a pattern split across two TCP "
                  "segments, segments out of order, a retransmission with different bytes, "
                  "flowbits set by one rule and tested by another, thresholds over five "
                  "datagrams, byte_test+pcre on a binary message, a large ICMP echo, a SYN "
                  "to telnet and a DNS query for a C2 name.", start=5400)
    cli, srv = "10.20.0.31", "10.20.0.40"
    a = TcpFlow(cap, cli, srv, 41000, 2323, isn=(10000, 20000), ndpi="Unknown")
    a.handshake()
    a.send(0, "PA", b"US")           # "USER admin" arrives in two segments
    a.send(1, "A")
    a.send(0, "PA", b"ER admin\r\n")
    a.send(1, "A")
    a.close(first=0)
    a.app_unspecified = True
    a.notes.append("sid 9000001 needs reassembly: the content spans two segments")

    b = TcpFlow(cap, cli, srv, 41001, 9000, isn=(30000, 40000), ndpi="Unknown")
    b.handshake()
    base = b.seq[0]
    tcp_at(b, 0, base + 11, "PA", b"PAYLOAD-B2-MARK")  # second half first
    tcp_at(b, 0, base, "PA", b"PAYLOAD-B1-")
    b.send(1, "A")
    b.close(first=0)
    b.app_unspecified = True
    b.notes.append("sid 9000002 matches only after out-of-order segments are put in order")

    c = TcpFlow(cap, cli, srv, 41002, 9001, isn=(50000, 60000), ndpi="Unknown")
    c.handshake()
    base = c.seq[0]
    c.send(0, "PA", b"AAAA-GOOD\r\n")
    tcp_at(c, 0, base, "PA", b"AAAA-EVIL\r\n")  # same bytes' place, other content
    c.send(1, "A")
    c.send(0, "PA", b"LOGIN ok\r\n")
    c.send(1, "PA", b"SECRET-DATA follows\r\n")
    c.send(0, "A")
    c.close(first=0)
    c.app_unspecified = True
    c.notes.append("first bytes win (GOOD, not EVIL); flowbit logged_in set, then tested")

    d = TcpFlow(cap, cli, srv, 41003, 9001, isn=(70000, 80000), ndpi="Unknown")
    d.handshake()
    d.send(1, "PA", b"SECRET-DATA follows\r\n")
    d.send(0, "A")
    d.close(first=0)
    d.app_unspecified = True
    d.notes.append("no LOGIN first: the flowbit is not set, no alert")

    u = UdpFlow(cap, "10.30.0.5", "10.20.0.50", 5140, 514, ndpi="Syslog")
    for i in range(5):
        u.send(0, b"<34>sshd: AUTH FAIL user=root try=%d" % i)
    u.app_unspecified = True
    u.notes.append("thresholds: both/3 -> 1 alert, limit/2 -> 2, detection_filter/3 -> 2")

    v = UdpFlow(cap, cli, srv, 41999, 9999, ndpi="Unknown")
    v.send(0, b"\xde\xad\x00\x08cmd=exec /bin/sh")
    v.send(0, b"\xde\xad\x00\x02cmd=noop")
    v.app_unspecified = True
    v.notes.append("byte_test length > 4 and pcre: only the first message")

    i = IcmpFlow(cap, cli, srv, ndpi="ICMP")
    i.echo(7, 1)
    i.echo(7, 2, data=b"X" * 1200)
    i.notes.append("dsize > 1000: only the second echo request")

    t = TcpFlow(cap, "203.0.113.9", srv, 45555, 23, isn=(90000, 0), ndpi="Telnet")
    t.send(0, "S")
    t.app_unspecified = True
    t.notes.append("a lone SYN to telnet")

    q = UdpFlow(cap, cli, "10.20.0.2", 53535, 53, app_proto="dns", ndpi="DNS")
    q.send(0, P.dns_query(0x4242, "update.evil-c2.example"))
    q.dns = [P.dns_expect("update.evil-c2.example", "A", (), None)]
    q.notes.append("query only, no answer")
    return cap


CAPTURES = [cap_http_basic, cap_dns, cap_tls, cap_vlan, cap_ipv6, cap_fragments, cap_icmp,
            cap_tcp_midstream, cap_tcp_port_reuse, cap_linux_sll, cap_linux_sll2, cap_raw_ip,
            cap_bsd_loopback, cap_pcapng, cap_malformed, cap_geoip, cap_city_mix,
            cap_flow_timeout, cap_signatures]


def main():
    ap = argparse.ArgumentParser(description="Write the test captures and their manifests.")
    ap.add_argument("--out", default=HERE, help="output directory (default: pcaps/)")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and compare with pcaps/")
    args = ap.parse_args()
    if args.check:
        return check_reproducible()
    outdir = args.out
    expdir = os.path.join(outdir, "expected")
    os.makedirs(expdir, exist_ok=True)
    for fn in CAPTURES:
        cap = fn()
        m = cap.manifest()
        data = cap.file_bytes()
        with open(os.path.join(outdir, m["file"]), "wb") as fh:
            fh.write(data)
        with open(os.path.join(expdir, cap.name + ".json"), "w", encoding="utf-8") as fh:
            json.dump(m, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        if not args.quiet:
            print("%-20s %4d frames %3d flows %6d bytes" % (
                m["file"], m["packets"], len(m["flows"]), len(data)))
    corrupt_set(os.path.join(outdir, "corrupt"))
    return 0


def check_reproducible():
    """The committed captures and manifests are exactly what this script
    makes: nothing was edited by hand, nothing depends on the machine."""
    with tempfile.TemporaryDirectory(prefix="soc-pcaps-") as tmp:
        sys.argv = [sys.argv[0], "--out", tmp, "-q"]
        main()
        bad = []
        for root, _, files in os.walk(tmp):
            for name in files:
                new = os.path.join(root, name)
                old = os.path.join(HERE, os.path.relpath(new, tmp))
                if not os.path.exists(old) or not filecmp.cmp(new, old, shallow=False):
                    bad.append(os.path.relpath(old, HERE))
    for b in sorted(bad):
        print("differs from a fresh run: pcaps/%s" % b)
    print("%d passed, %d failed" % (0 if bad else 1, 1 if bad else 0))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
