"""tshark_flows.py -- expected flows of a capture, computed from tshark.

This is the independent oracle for the sensor's flow table: tshark dissects
every frame, and the code below applies the flow semantics of DESIGN.md's
flow contract on top of tshark's fields:

  key     vlan ids (outer first) + IP protocol + the two endpoints
          (address, port); ICMP/ICMPv6 and other protocols without ports are
          keyed by the two addresses only
  client  the sender of the first packet; for TCP, the receiver of a first
          SYN-ACK (its SYN was not captured)
  reuse   a SYN (no ACK) on a TCP flow that saw RST, or FIN from both sides,
          starts a new flow
  timeout a flow ends when idle longer than its timeout (Suricata's stock
          values), by packet time, in two ways: a packet whose own time is
          past its flow's last time + timeout starts a new flow; and the
          housekeeping pass, run after the first frame and then after each
          frame that moves the clock (the latest time seen, any frame) a
          second or more past the previous pass, ends every flow the clock
          left behind. In a time-ordered capture both give the same flows;
          in one that steps back in time they decide when old flows end
  bytes   the whole frame's wire length (pcap "len"), like tshark's
          conversation statistics
  frags   every fragment frame counts to the flow of the datagram it was
          reassembled into, at the moment the datagram completes

Frames the sensor cannot be expected to put into a flow are EXCLUDED, each
with a reason (see EXCLUSION_REASONS); the comparison reports them and only
tolerates differences they can explain."""

import ipaddress
import os
import struct
import subprocess
import xml.etree.ElementTree as ET

# Why a frame is left out of the expected flows. Explicit by design: every
# excluded frame is reported with one of these.
EXCLUSION_REASONS = {
    "not-ip": "no IP layer (ARP, STP, LLDP, unknown ethertype ...): no flow",
    "unsupported-linktype": "link type the sensor does not decode (802.11 radiotap, "
                            "802.15.4, NFLOG ...): the sensor reports it, no flow",
    "unsupported-encap": "IP behind an encapsulation the sensor does not decode "
                         "(MPLS, 802.1ah PBB, LLC/SNAP ...): not-ip for the sensor",
    "too-many-vlans": "more than two VLAN tags: anomaly vlan.too_many_layers, no flow",
    "l3-malformed": "tshark flags the outer IP header as broken: decoder anomaly, no flow",
    "l4-malformed": "tshark flags the outer transport header as broken: decoder anomaly; "
                    "the sensor may or may not count the frame to a flow",
    "incomplete-fragment": "IP fragment of a datagram that never completes: held, no flow",
}

# Link types (LINKTYPE_* as in the file header) the sensor decodes: NULL,
# Ethernet, raw IP (101, and DLT 12/14 as some writers store it), LOOP,
# Linux SLL and SLL2, IPv4 (228) and IPv6 (229).
SUPPORTED_LINKTYPES = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276}

# Protocol names (tshark frame.protocols) that may sit between the link
# header and the outer IP header and that the sensor decodes: Ethernet,
# 802.1Q/802.1ad tags (0x8100, 0x88a8, 0x9100), PPPoE session + PPP.
LINK_LAYERS = {"eth", "ethertype", "vlan", "ieee8021ad", "sll", "null", "raw", "loop",
               "pppoes", "ppp"}

# IPv6 extension headers tshark shows as layers, and the field holding
# each one's next-header value.
IPV6_EXT = {
    "ipv6.hopopts": "ipv6.hopopts.nxt",
    "ipv6.routing": "ipv6.routing.nxt",
    "ipv6.fraghdr": "ipv6.fraghdr.nxt",
    "ipv6.dstopts": "ipv6.dstopts.nxt",
}

PROTO_NAMES = {1: "ICMP", 2: "IGMP", 6: "TCP", 17: "UDP", 47: "GRE", 50: "ESP", 51: "AH",
               58: "IPv6-ICMP", 132: "SCTP"}
PORT_PROTOS = {6: "tcp", 17: "udp", 132: "sctp"}

# Suricata's stock flow timeouts (suricata.yaml flow-timeouts), seconds.
DEFAULT_TIMEOUTS = {
    "tcp": {"new": 60, "established": 600, "closed": 60},
    "udp": {"new": 30, "established": 300},
    "icmp": {"new": 30, "established": 300},
    "other": {"new": 30, "established": 300, "closed": 0},
}

FIELDS = [
    "frame.number", "frame.time_epoch", "frame.len", "frame.cap_len", "frame.protocols",
    "vlan.id", "ieee8021ad.id",
    "ip.src", "ip.dst", "ip.proto", "ip.flags.mf", "ip.frag_offset", "ip.reassembled_in",
    "ipv6.src", "ipv6.dst", "ipv6.nxt", "ipv6.fraghdr.more", "ipv6.fraghdr.offset",
    "ipv6.reassembled.in",
    "ipv6.hopopts.nxt", "ipv6.routing.nxt", "ipv6.fraghdr.nxt", "ipv6.dstopts.nxt",
    "tcp.srcport", "tcp.dstport", "tcp.flags",
    "udp.srcport", "udp.dstport", "sctp.srcport", "sctp.dstport",
    "_ws.expert.severity", "_ws.malformed",
]

SEV_WARNING = 0x00600000
SEV_ERROR = 0x00800000

# Expert messages at warning level that still mean the outer IP header lies.
L3_WARNINGS = ("payload length exceeds framing length",)

TSHARK_PREFS = ["-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
                "-o", "ip.check_checksum:FALSE", "-o", "tcp.check_checksum:FALSE",
                "-o", "udp.check_checksum:FALSE"]


def missing_tools(*names):
    """Programs the oracles need that are not installed (appliance/setup.sh
    installs them); the tests skip rather than fail on a bare machine."""
    import shutil
    return [n for n in names if shutil.which(n) is None]


def tshark_env():
    env = dict(os.environ)
    # a private profile dir so no user preferences change the dissection
    env.setdefault("WIRESHARK_CONFIG_DIR", "/nonexistent-soc-tshark-profile")
    return env


def run_tshark(args):
    p = subprocess.run(["tshark", "-n"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=tshark_env(), check=False)
    err = "\n".join(line for line in p.stderr.decode(errors="replace").splitlines()
                    if "Running as user" not in line and line.strip())
    return p.returncode, p.stdout.decode(errors="replace"), err


class Frame:
    __slots__ = ("num", "ts", "wirelen", "caplen", "layers", "f", "addrs", "endpoints", "proto",
                 "ports", "vlan", "excluded", "detail", "flags", "frag_of")

    def __init__(self, row):
        self.f = dict(zip(FIELDS, row))
        self.num = int(self.f["frame.number"])
        self.ts = epoch_usec(self.f["frame.time_epoch"])
        self.wirelen = int(self.f["frame.len"])
        self.caplen = int(self.f["frame.cap_len"])
        self.layers = self.f["frame.protocols"].split(":")
        self.addrs = None  # (src, dst) of the outer IP header, when known
        self.endpoints = None  # ((addr, port), (addr, port)) in packet direction
        self.proto = None
        self.ports = None
        self.vlan = ()
        self.excluded = None
        self.detail = ""
        self.flags = 0
        self.frag_of = None  # frame number that completes this fragment's datagram

    def vals(self, name):
        v = self.f.get(name, "")
        return v.split(",") if v else []

    def first(self, name):
        v = self.vals(name)
        return v[0] if v else None


def epoch_usec(s):
    """tshark's "1709280000.003000000" as integer microseconds, exactly (a
    float loses the last digit at today's epoch); nanoseconds truncate."""
    sec, _, frac = s.partition(".")
    neg = sec.startswith("-")
    usec = abs(int(sec or 0)) * 1000000 + int((frac + "000000")[:6])
    return -usec if neg else usec


def norm_addr(a):
    return str(ipaddress.ip_address(a))


def read_frames(path):
    rc, out, err = run_tshark(["-2", "-r", path] + TSHARK_PREFS +
                              ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                               "-E", "aggregator=,", "-E", "quote=n"] +
                              sum((["-e", f] for f in FIELDS), []))
    frames = []
    for line in out.splitlines():
        row = line.split("\t")
        if len(row) < len(FIELDS):
            row += [""] * (len(FIELDS) - len(row))
        frames.append(Frame(row))
    return frames, rc, err


def _outer_chain(layers):
    """Index of the outer IP layer, or None; plus the reason when the chain
    from the link header to it holds something the sensor does not decode."""
    vlan_tags = 0
    for i, name in enumerate(layers):
        if name in ("ip", "ipv6"):
            return i, None, vlan_tags
        if name in ("vlan", "ieee8021ad"):
            vlan_tags += 1
        if name not in LINK_LAYERS:
            return None, name, vlan_tags
    return None, None, vlan_tags


def classify(frames, linktype_supported=True):
    """Fill key fields, or excluded + detail, for every frame."""
    # frames in which tshark completed a fragmented datagram
    completing = set()
    for fr in frames:
        for name in ("ip.reassembled_in", "ipv6.reassembled.in"):
            completing.update(int(v) for v in fr.vals(name)[:1])
    for fr in frames:
        if not linktype_supported:
            fr.excluded = "unsupported-linktype"
            continue
        ipi, stopper, ntags = _outer_chain(fr.layers)
        if ipi is None:
            later_ip = "ip" in fr.layers or "ipv6" in fr.layers
            if stopper is not None and later_ip:
                fr.excluded, fr.detail = "unsupported-encap", stopper
            else:
                fr.excluded, fr.detail = "not-ip", stopper or fr.layers[-1]
            continue
        if ntags > 2:
            fr.excluded, fr.detail = "too-many-vlans", str(ntags)
            continue
        tags = []
        vl, ad = fr.vals("vlan.id"), fr.vals("ieee8021ad.id")
        for name in fr.layers[:ipi]:
            if name == "vlan" and vl:
                tags.append(int(vl.pop(0)))
            elif name == "ieee8021ad" and ad:
                tags.append(int(ad.pop(0)))
        fr.vlan = tuple(tags)
        v6 = fr.layers[ipi] == "ipv6"
        src = fr.first("ipv6.src" if v6 else "ip.src")
        dst = fr.first("ipv6.dst" if v6 else "ip.dst")
        if src is None or dst is None:
            fr.excluded, fr.detail = "l3-malformed", "no addresses"
            continue
        src, dst = norm_addr(src), norm_addr(dst)
        fr.addrs = (src, dst)
        # transport protocol number of the outer IP packet
        j = ipi + 1
        proto = None
        if v6:
            last_ext = None
            while j < len(fr.layers) and fr.layers[j] in IPV6_EXT:
                last_ext = fr.layers[j]
                j += 1
            val = fr.first(IPV6_EXT[last_ext]) if last_ext else fr.first("ipv6.nxt")
            proto = int(val) if val else None
        else:
            val = fr.first("ip.proto")
            proto = int(val) if val else None
        if proto is None:
            fr.excluded, fr.detail = "l3-malformed", "no protocol"
            continue
        fr.proto = proto
        l4 = fr.layers[j] if j < len(fr.layers) else None
        # fragments
        if v6:
            more, off = fr.first("ipv6.fraghdr.more"), fr.first("ipv6.fraghdr.offset")
            reas = fr.first("ipv6.reassembled.in")
        else:
            more, off = fr.first("ip.flags.mf"), fr.first("ip.frag_offset")
            reas = fr.first("ip.reassembled_in")
        is_frag = (more not in (None, "0", "False")) or (off not in (None, "0"))
        if is_frag and reas is not None and int(reas) != fr.num:
            fr.frag_of = int(reas)
        elif is_frag and fr.num not in completing:
            fr.excluded = "incomplete-fragment"
            continue
        ports = None
        if proto in PORT_PROTOS and fr.frag_of is None:
            name = PORT_PROTOS[proto]
            if l4 != name:
                fr.excluded, fr.detail = "l4-malformed", "%s header not dissected" % name
                continue
            sp, dp = fr.first(name + ".srcport"), fr.first(name + ".dstport")
            if sp is None or dp is None:
                fr.excluded, fr.detail = "l4-malformed", "no ports"
                continue
            ports = (int(sp), int(dp))
            if proto == 6:
                fl = fr.first("tcp.flags")
                fr.flags = int(fl, 16) if fl else 0
        fr.ports = ports
        fr.endpoints = ((src, ports[0] if ports else None), (dst, ports[1] if ports else None))
    return frames


def mark_malformed(path, frames):
    """Second tshark pass, PDML for the frames with expert errors or
    exceptions: exclude those whose outer IP or transport header is broken.
    Problems in application layers (a malformed DNS body ...) do not matter
    to the flow table, so those frames stay in."""
    flagged = []
    for fr in frames:
        sev = [int(s) for s in fr.vals("_ws.expert.severity") if s.isdigit()]
        if fr.f.get("_ws.malformed") or any(s >= SEV_WARNING for s in sev):
            flagged.append(fr)
    if not flagged:
        return
    by_num = {fr.num: fr for fr in frames}
    nums = ",".join(str(fr.num) for fr in flagged)
    rc, out, err = run_tshark(["-2", "-r", path] + TSHARK_PREFS +
                              ["-Y", "frame.number in {%s}" % nums,
                               "-T", "pdml"])
    if rc != 0 or not out.strip():
        return
    root = ET.fromstring(out)
    for pkt in root.iter("packet"):
        num = None
        for field in pkt.iter("field"):
            if field.get("name") == "frame.number":
                num = int(field.get("show"))
                break
        fr = by_num.get(num)
        if fr is None or fr.excluded is not None:
            continue
        verdict = _pdml_verdict(pkt)
        if verdict:
            fr.excluded, fr.detail = verdict


OUTER_L3 = {"ip", "ipv6"}
OUTER_L4 = {"tcp", "udp", "icmp", "icmpv6"}


def _pdml_verdict(pkt):
    """Walk the outer protocol chain (link, IP, first transport) in order."""
    protos = [p for p in pkt if p.tag == "proto"]
    seen_ip = False
    last_outer = None
    ip_count = 0
    for p in protos:
        name = p.get("name")
        ip_count += name in OUTER_L3
        if name == "_ws.malformed":
            # "[Malformed Packet: ICMP]" names the dissector that failed
            show = p.get("showname", "")
            if ":" in show:
                named = show.split(":", 1)[1].strip(" ]").lower()
                named = {"ipv4": "ip", "icmpv6": "icmpv6"}.get(named, named)
                if named in OUTER_L3 or named in OUTER_L4:
                    outer = LINK_LAYERS | OUTER_L3
                    if ip_count > 1 or (named in OUTER_L3 and last_outer not in outer):
                        return None  # an inner header (tunnel, ICMP quote)
                    kind = "l3-malformed" if named in OUTER_L3 else "l4-malformed"
                    return kind, "exception in %s" % named
                return None
            if last_outer in OUTER_L3:
                return "l3-malformed", "exception in %s" % last_outer
            if last_outer in OUTER_L4:
                return "l4-malformed", "exception in %s" % last_outer
            return None
        if name in ("geninfo", "frame"):
            continue
        if name in LINK_LAYERS:
            last_outer = name
            continue
        if name in OUTER_L3 and not seen_ip:
            seen_ip = True
            last_outer = name
            msg = _expert_errors(p)
            if msg:
                return "l3-malformed", msg
            continue
        if name in OUTER_L4 and seen_ip and last_outer in OUTER_L3:
            last_outer = name
            msg = _expert_errors(p)
            if msg:
                return "l4-malformed", msg
            continue
        # any other layer: application data or an inner header; a later
        # exception belongs to it
        last_outer = name
    return None


def _expert_errors(proto_el):
    """Expert items of error severity directly about this header (not its
    checksum, which the sensor does not verify; not TCP analysis)."""
    for f in proto_el.iter("field"):
        if f.get("name") != "_ws.expert":
            continue
        sev = None
        msg = f.get("showname", "")
        inner = ""
        for c in f.iter("field"):
            if c.get("name") == "_ws.expert.severity":
                sev = int(c.get("value", "0"), 16) if c.get("value") else int(c.get("show", 0))
            elif c.get("name") not in ("_ws.expert", "_ws.expert.message", "_ws.expert.group"):
                inner = c.get("name", "")
        if "checksum" in inner or inner.startswith("tcp.analysis"):
            continue
        if sev is not None and sev >= SEV_ERROR:
            return msg
        if any(w in msg for w in L3_WARNINGS):
            return msg
    return None


class Flow:
    def __init__(self, key, client, server, proto, vlan, ts, first_num):
        self.key = key
        self.client = client
        self.server = server
        self.proto = proto
        self.vlan = vlan
        self.start = ts
        self.last = ts
        self.pkts = [0, 0]
        self.bytes = [0, 0]
        self.frames = []
        self.first_num = first_num
        self.state = "new"  # new, established, closed (timeout class)
        self.opened_with_syn = False
        self.synack_seen = False
        self.fin = [False, False]
        self.rst = False

    def to_dict(self):
        d = {
            "proto": PROTO_NAMES.get(self.proto, str(self.proto)),
            "src_ip": self.client[0], "dest_ip": self.server[0],
            "pkts_toserver": self.pkts[0], "pkts_toclient": self.pkts[1],
            "bytes_toserver": self.bytes[0], "bytes_toclient": self.bytes[1],
        }
        if self.client[1] is not None:
            d["src_port"], d["dest_port"] = self.client[1], self.server[1]
        if self.vlan:
            d["vlan"] = list(self.vlan)
        return d


def proto_class(proto):
    return {6: "tcp", 17: "udp", 1: "icmp", 58: "icmp"}.get(proto, "other")


def flow_key(fr):
    return (fr.vlan, fr.proto, frozenset(fr.endpoints))


def simulate(frames, timeouts=None):
    """Replay the keyed frames in capture order through the flow rules."""
    timeouts = timeouts or DEFAULT_TIMEOUTS
    active = {}
    done = []
    pending = {}  # completing frame number -> fragment frames waiting
    clock = None
    next_pass = None
    for fr in frames:
        clock = fr.ts if clock is None else max(clock, fr.ts)
        _one_frame(fr, active, done, pending, timeouts)
        if next_pass is None or clock >= next_pass:
            next_pass = clock + HOUSEKEEPING_USEC
            for key, f in list(active.items()):
                if _expired(f, clock, timeouts):
                    done.append(f)
                    del active[key]
    done.extend(active.values())
    done.sort(key=lambda x: (x.start, x.first_num))
    return done


HOUSEKEEPING_USEC = 1000000


def _one_frame(fr, active, done, pending, timeouts):
    """One frame through the flow rules (lookup, timeout, reuse, counters)."""
    if fr.excluded:
        return
    if fr.frag_of is not None:
        pending.setdefault(fr.frag_of, []).append(fr)
        return
    key = flow_key(fr)
    f = active.get(key)
    if f is not None and _expired(f, fr.ts, timeouts, at_lookup=True):
        done.append(f)
        f = None
    if f is not None and fr.proto == 6 and _reuse(f, fr):
        done.append(f)
        f = None
    if f is None:
        client, server = fr.endpoints
        if fr.proto == 6 and fr.flags & 0x12 == 0x12:
            client, server = server, client  # first seen is a SYN-ACK
        f = Flow(key, client, server, fr.proto, fr.vlan, fr.ts, fr.num)
        active[key] = f
    # same endpoint both ways (loopback ping): all to the server
    d = 0 if fr.endpoints[0] == f.client else 1
    for part in pending.pop(fr.num, []) + [fr]:
        f.pkts[d] += 1
        f.bytes[d] += part.wirelen
        f.frames.append(part.num)
    f.last = max(f.last, fr.ts)
    _update_state(f, fr, d)


def _expired(f, now, timeouts, at_lookup=False):
    t = timeouts[proto_class(f.proto)]
    limit = t.get(f.state, t["new"])
    if limit == 0:
        return not at_lookup  # a zero timeout ends the flow at the next pass
    return now - f.last > limit * 1000000


def _reuse(f, fr):
    syn_only = fr.flags & 0x12 == 0x02
    return syn_only and (f.rst or (f.fin[0] and f.fin[1]))


def _update_state(f, fr, d):
    """Timeout class: "established" once the handshake completed (SYN,
    SYN-ACK, then the client's ACK) or, for a flow picked up without a SYN
    (and for UDP, ICMP, other), once both sides sent; "closed" after RST or
    FIN from both sides."""
    if fr.proto != 6:
        if f.pkts[0] and f.pkts[1]:
            f.state = "established"
        return
    fl = fr.flags
    first = f.pkts[0] + f.pkts[1] == 1
    if first:
        f.opened_with_syn = bool(fl & 0x02)
    if fl & 0x04:
        f.rst = True
    if fl & 0x01:
        f.fin[d] = True
    if fl & 0x12 == 0x12 and d == 1:
        f.synack_seen = True
    if f.rst or (f.fin[0] and f.fin[1]):
        f.state = "closed"
    elif f.state == "new":
        if f.opened_with_syn:
            if f.synack_seen and d == 0 and fl & 0x12 == 0x10:
                f.state = "established"
        elif f.pkts[0] and f.pkts[1]:
            f.state = "established"


def expected_flows(path, timeouts=None):
    """Return (flows, frames, linktypes, tshark error text)."""
    frames, rc, err = read_frames(path)
    supported = linktype_supported(path)
    classify(frames, supported)
    if supported:
        mark_malformed(path, frames)
    flows = simulate(frames, timeouts)
    return flows, frames, file_linktypes(path), err


def linktype_supported(path):
    """Read the link type from the file header (pcap) or first IDB (pcapng)."""
    lts = file_linktypes(path)
    return bool(lts) and all(lt in SUPPORTED_LINKTYPES for lt in lts)


def file_linktypes(path):
    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 20)
    except OSError:
        return []
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return [struct.unpack("<I", data[20:24])[0] & 0x0FFFFFFF]
    if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return [struct.unpack(">I", data[20:24])[0] & 0x0FFFFFFF]
    if magic == b"\x0a\x0d\x0d\x0a":
        bom = data[8:12]
        e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
        out = []
        off = 0
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if blen < 12:
                break
            if btype == 1 and off + 10 <= len(data):
                out.append(struct.unpack(e + "H", data[off + 8:off + 10])[0])
            off += blen
        return out
    return []
