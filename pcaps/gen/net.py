"""net.py -- build frames for one capture and keep its manifest.

A Capture owns the records of one file and the list of flows the generator
put in it. Every frame is built by a Flow helper (or added raw, for malformed
frames), so the per-direction packet and byte counts in the manifest are
counted as the frames are made, not derived from the finished file."""

import struct
import zlib

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from . import pcapio

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_VLAN = 0x8100
ETHERTYPE_QINQ = 0x88A8

# 2024-03-01 08:00:00 UTC: every capture's clock starts from here.
BASE_EPOCH = 1709280000


def mac_of(addr):
    """Deterministic locally administered MAC for an IP address."""
    h = zlib.crc32(addr.encode())
    return "02:00:%02x:%02x:%02x:%02x" % (h >> 24, (h >> 16) & 255, (h >> 8) & 255, h & 255)


class Capture:
    def __init__(self, name, description, linktype=pcapio.LINKTYPE_ETHERNET, fmt="pcap",
                 start=0, step_us=1000):
        self.name = name
        self.description = description
        self.linktype = linktype
        self.fmt = fmt
        self.interfaces = [(linktype, 6)]
        self.t = (BASE_EPOCH + start) * 1000000
        self.step_us = step_us
        self.records = []
        self.flows = []
        self.anomalies = {}
        self.anomaly_frames = []
        self.non_flow_frames = 0
        self.ip_id = 0x1000
        self.null_family_v6 = 30  # BSD loopback AF_INET6 value (FreeBSD/macOS)
        self.pad_ethernet = False
        self.extra = {}

    # -- time and records ------------------------------------------------
    def next_ip_id(self):
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        return self.ip_id

    def frame(self, data, flow=None, d=0, wirelen=None, anomaly=None, gap_us=None, iface=0,
              addrs=None):
        """Append one record. flow/d: whose counters it adds to; anomaly: the
        decoder event name the sensor must report for it (no flow then);
        addrs: its IP source and destination when the IP header is readable."""
        self.t += self.step_us if gap_us is None else gap_us
        ts = self.t
        if self.interfaces[iface][1] == 9:
            ts *= 1000
        rec = pcapio.Record(ts, data, wirelen, iface)
        self.records.append(rec)
        if flow is not None:
            flow.count(d, rec.wirelen)
        else:
            self.non_flow_frames += 1
        if anomaly:
            self.anomalies[anomaly] = self.anomalies.get(anomaly, 0) + 1
            self.anomaly_frames.append({"frame": len(self.records), "event": anomaly,
                                        "addrs": list(addrs) if addrs else None})
        return rec

    # -- link layer --------------------------------------------------------
    def link(self, ip, vlan=(), vlan_tpids=None, outgoing=False):
        """Wrap an IP packet (scapy) in this capture's link layer."""
        raw = bytes(ip)
        v6 = raw[0] >> 4 == 6
        etype = ETHERTYPE_IPV6 if v6 else ETHERTYPE_IPV4
        lt = self.linktype
        if lt == pcapio.LINKTYPE_ETHERNET:
            src, dst = ip.src, ip.dst
            tags = b""
            tpids = vlan_tpids or ([ETHERTYPE_QINQ, ETHERTYPE_VLAN] if len(vlan) == 2 else
                                   [ETHERTYPE_VLAN] * len(vlan))
            # each tag: its TPID sits before it; the last tag carries the ethertype
            outer_type = tpids[0] if vlan else etype
            for i, vid in enumerate(vlan):
                nxt = tpids[i + 1] if i + 1 < len(vlan) else etype
                tags += struct.pack(">HH", vid & 0x0FFF, nxt)
            hdr = bytes(Ether(src=mac_of(src), dst=mac_of(dst), type=outer_type))
            out = hdr + tags + raw
            if self.pad_ethernet and len(out) < 60:
                out += b"\0" * (60 - len(out))
            return out
        if lt == pcapio.LINKTYPE_LINUX_SLL:
            # packet type, ARPHRD_ETHER, address length, address (8), protocol
            mac = bytes.fromhex(mac_of(ip.src).replace(":", ""))
            return struct.pack(">HHH8sH", 4 if outgoing else 0, 1, 6, mac, etype) + raw
        if lt == pcapio.LINKTYPE_LINUX_SLL2:
            # protocol, reserved, ifindex, ARPHRD_ETHER, packet type, addr len, addr (8)
            mac = bytes.fromhex(mac_of(ip.src).replace(":", ""))
            return struct.pack(">HHIHBB8s", etype, 0, 2, 1, 4 if outgoing else 0, 6, mac) + raw
        if lt == pcapio.LINKTYPE_RAW:
            return raw
        if lt == pcapio.LINKTYPE_NULL:
            # host byte order of the writer: our files are little-endian
            return struct.pack("<I", self.null_family_v6 if v6 else 2) + raw
        raise ValueError("link type %d" % lt)

    # -- manifest ------------------------------------------------------------
    def manifest(self):
        ext = "pcapng" if self.fmt == "pcapng" else "pcap"
        m = {
            "name": self.name,
            "file": "%s.%s" % (self.name, ext),
            "description": self.description,
            "format": self.fmt,
            "linktype": self.linktype,
            "packets": len(self.records),
            "non_flow_frames": self.non_flow_frames,
            "flows": [f.manifest() for f in self.flows],
            "anomalies": dict(sorted(self.anomalies.items())),
        }
        if self.anomaly_frames:
            m["anomaly_frames"] = self.anomaly_frames
        m.update(self.extra)
        return m

    def file_bytes(self):
        if self.fmt == "pcapng":
            return pcapio.pcapng_bytes(self.interfaces, self.records)
        return pcapio.pcap_bytes(self.linktype, self.records)


PROTO_NAMES = {6: "TCP", 17: "UDP", 1: "ICMP", 58: "IPv6-ICMP"}


class Flow:
    """One expected flow: endpoints [0] client, [1] server."""

    def __init__(self, cap, proto, cli, srv, cport=None, sport=None, vlan=(), app_proto=None,
                 ndpi=None, vlan_tpids=None):
        self.cap = cap
        self.proto = proto
        self.addr = (cli, srv)
        self.port = (cport, sport)
        self.vlan = tuple(vlan)
        self.vlan_tpids = vlan_tpids
        self.v6 = ":" in cli
        self.pkts = [0, 0]
        self.bytes = [0, 0]
        self.app_proto = app_proto
        self.ndpi = ndpi
        self.http = []
        self.dns = []
        self.tls = None
        self.geoip = None
        self.notes = []
        self.app_unspecified = False  # app events not part of the expectation
        cap.flows.append(self)

    def count(self, d, n):
        self.pkts[d] += 1
        self.bytes[d] += n

    def ip_hdr(self, d, **kw):
        src, dst = self.addr[d], self.addr[1 - d]
        if self.v6:
            return IPv6(src=src, dst=dst, hlim=64, **kw)
        kw.setdefault("id", self.cap.next_ip_id())
        return IP(src=src, dst=dst, ttl=64, **kw)

    def emit(self, pkt, d, gap_us=None, wirelen=None):
        data = self.cap.link(pkt, self.vlan, self.vlan_tpids, outgoing=(d == 0))
        return self.cap.frame(data, self, d, wirelen=wirelen, gap_us=gap_us)

    def manifest(self):
        m = {
            "proto": PROTO_NAMES.get(self.proto, str(self.proto)),
            "src_ip": self.addr[0],
            "dest_ip": self.addr[1],
        }
        if self.port[0] is not None:
            m["src_port"] = self.port[0]
            m["dest_port"] = self.port[1]
        if self.vlan:
            m["vlan"] = list(self.vlan)
        m.update({
            "pkts_toserver": self.pkts[0],
            "pkts_toclient": self.pkts[1],
            "bytes_toserver": self.bytes[0],
            "bytes_toclient": self.bytes[1],
            "app_proto": self.app_proto,
            "ndpi_app": self.ndpi,
        })
        if self.http:
            m["http"] = self.http
        if self.dns:
            m["dns"] = self.dns
        if self.tls:
            m["tls"] = self.tls
        if self.geoip:
            m["geoip"] = self.geoip
        if self.app_unspecified:
            m["app_events"] = "unspecified"
        if self.notes:
            m["notes"] = self.notes
        return m


class UdpFlow(Flow):
    def __init__(self, cap, cli, srv, cport, sport, **kw):
        super().__init__(cap, 17, cli, srv, cport, sport, **kw)

    def send(self, d, payload, gap_us=None):
        pkt = self.ip_hdr(d) / UDP(sport=self.port[d], dport=self.port[1 - d]) / Raw(payload)
        return self.emit(pkt, d, gap_us)


class IcmpFlow(Flow):
    """Echo request/reply conversation; keyed by the two addresses only."""

    def __init__(self, cap, cli, srv, **kw):
        super().__init__(cap, 58 if ":" in cli else 1, cli, srv, **kw)

    def echo(self, ident, seq, data=b"soc-sensor ping 0123456789abcdef", reply=True, gap_us=None):
        for d in (0, 1) if reply else (0,):
            if self.v6:
                cls = ICMPv6EchoRequest if d == 0 else ICMPv6EchoReply
                pkt = self.ip_hdr(d) / cls(id=ident, seq=seq, data=data)
            else:
                pkt = self.ip_hdr(d) / ICMP(type=8 if d == 0 else 0, id=ident, seq=seq) / Raw(data)
            self.emit(pkt, d, gap_us)


class TcpFlow(Flow):
    """A TCP connection with sequence numbers tracked per direction."""

    def __init__(self, cap, cli, srv, cport, sport, isn=(1000, 5000), **kw):
        super().__init__(cap, 6, cli, srv, cport, sport, **kw)
        self.seq = [isn[0], isn[1]]
        self.ip_kw = {}

    def send(self, d, flags, data=b"", gap_us=None, window=64240, options=None, wirelen=None):
        ack = self.seq[1 - d] if "A" in flags else 0
        tcp = TCP(sport=self.port[d], dport=self.port[1 - d], flags=flags, seq=self.seq[d],
                  ack=ack, window=window, options=options or [])
        pkt = self.ip_hdr(d, **self.ip_kw) / tcp
        if data:
            pkt = pkt / Raw(data)
        self.seq[d] = (self.seq[d] + len(data) + ("S" in flags) + ("F" in flags)) & 0xFFFFFFFF
        return self.emit(pkt, d, gap_us, wirelen)

    def handshake(self, gap_us=None):
        self.send(0, "S", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)], gap_us=gap_us)
        self.send(1, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
        self.send(0, "A")

    def data(self, d, payload, mss=1400, ack_each=True):
        """Send payload from d in MSS-sized PSH segments; the peer ACKs each."""
        for i in range(0, len(payload), mss):
            self.send(d, "PA", payload[i:i + mss])
            if ack_each:
                self.send(1 - d, "A")

    def close(self, first=0):
        """FIN from `first`, FIN-ACK back, last ACK."""
        self.send(first, "FA")
        self.send(1 - first, "FA")
        self.send(first, "A")

    def reset(self, d=0):
        self.send(d, "RA")
