"""wire.py -- frames on a shared clock for the scenario captures.

Every conversation keeps its own clock and sequence numbers; frames are
stamped with absolute times and merged into one file at the end, so flows
interleave as they do on a real link. Headers (Ethernet, IPv4, TCP, UDP) are
packed here with struct, checksums included: scapy builds a frame in about
400 us, these take a few, and the scenario set has tens of thousands of
frames. generate.py --check compares these builders with scapy's on sample
frames, so the two cannot drift apart unnoticed.

Timing model: the sensor sits in front of the city's servers. A server's
answer follows the packet it answers after a short turn (its processing
time); the client's next packet follows the server's after the path's round
trip time (rtt). Pure ACKs are delayed ACKs: every second full segment, or
40 ms after a lone one when nothing goes back sooner."""

import struct
import zlib

ETH_IPV4 = 0x0800
TCP_PROTO = 6
UDP_PROTO = 17

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# Windows-style SYN options: MSS 1460, NOP, window scale 8, NOP, NOP, SACK permitted.
SYN_OPTIONS = bytes.fromhex("020405b4 01 030308 01 01 0402")
MSS = 1460
DELAYED_ACK_US = 40000


def mac_of(addr):
    """Same derivation as pcaps/gen/net.py: a locally administered MAC per address."""
    h = zlib.crc32(addr.encode())
    return "02:00:%02x:%02x:%02x:%02x" % (h >> 24, (h >> 16) & 255, (h >> 8) & 255, h & 255)


def ip_bytes(addr):
    return bytes(int(x) for x in addr.split("."))


def is_internal(addr):
    a, b = (int(x) for x in addr.split(".")[:2])
    return a == 10 or (a == 172 and 16 <= b <= 31) or (a == 192 and b == 168)


# The city's border router: every frame to or from the Internet carries its MAC.
ROUTER_MAC = bytes.fromhex(mac_of("10.20.0.1").replace(":", ""))


def l2_addr(addr):
    if is_internal(addr):
        return bytes.fromhex(mac_of(addr).replace(":", ""))
    return ROUTER_MAC


def checksum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, l4, ident, ttl, df=True):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0x4000 if df else 0, ttl,
                      proto, 0, ip_bytes(src), ip_bytes(dst))
    c = checksum(hdr)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + l4


def _pseudo(src, dst, proto, length):
    return ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, proto, length)


def tcp(src, dst, sport, dport, seq, ack, flags, window, payload=b"", options=b""):
    off = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4,
                      flags, window, 0, 0) + options
    c = checksum(_pseudo(src, dst, TCP_PROTO, len(hdr) + len(payload)) + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def udp(src, dst, sport, dport, payload):
    n = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, n, 0)
    c = checksum(_pseudo(src, dst, UDP_PROTO, n) + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def ethernet(src, dst, ip):
    frame = l2_addr(dst) + l2_addr(src) + struct.pack("!H", ETH_IPV4) + ip
    if len(frame) < 60:  # short frames leave the wire padded to the minimum
        frame += b"\0" * (60 - len(frame))
    return frame


class Host:
    """One address: its IP identification counter and the TTL the sensor sees."""

    def __init__(self, addr, ttl, ip_id):
        self.addr = addr
        self.ttl = ttl
        self.ip_id = ip_id

    def next_id(self):
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        return self.ip_id


class Scene:
    """The frames of one capture, stamped in microseconds since the epoch.

    rng draws ISNs, ports, IP ids and jitter: seeded by the caller, so a
    scene is the same every run."""

    def __init__(self, rng):
        self.rng = rng
        self.frames = []  # (ts_us, order, bytes)
        self.hosts = {}
        self.tuples = set()

    def host(self, addr):
        h = self.hosts.get(addr)
        if h is None:
            if is_internal(addr):
                ttl = 128 if addr.startswith("10.10.") else 64
            else:  # a few routers away
                ttl = self.rng.choice((64, 128)) - self.rng.randint(8, 20)
            h = self.hosts[addr] = Host(addr, ttl, self.rng.getrandbits(16))
        return h

    def emit(self, ts, frame):
        self.frames.append((int(ts), len(self.frames), frame))

    def ip_frame(self, ts, src, dst, proto, l4):
        h = self.host(src)
        self.emit(ts, ethernet(src, dst, ipv4(src, dst, proto, l4, h.next_id(), h.ttl)))

    def ephemeral(self, cli, srv, sport, proto=TCP_PROTO):
        """A client port not yet used towards (srv, sport) in this scene:
        Windows' dynamic range for the workstations, Linux's for the rest."""
        lo, hi = (49152, 65535) if cli.startswith("10.10.") else (32768, 60999)
        while True:
            p = self.rng.randint(lo, hi)
            key = (proto, cli, p, srv, sport)
            if key not in self.tuples:
                self.tuples.add(key)
                return p

    def claim(self, proto, cli, cport, srv, sport):
        key = (proto, cli, cport, srv, sport)
        if key in self.tuples:
            raise ValueError("5-tuple used twice in one scene: %r" % (key,))
        self.tuples.add(key)

    def sorted_frames(self):
        return sorted(self.frames)

    def merge(self, other):
        for ts, _, fr in other.frames:
            self.emit(ts, fr)


class Tcp:
    """One TCP connection. d = 0 is the client, 1 the server. t is the time
    of the connection's latest frame; every send places its frame after the
    previous one of the same direction, so per-direction order holds."""

    def __init__(self, sc, cli, srv, sport, t, rtt_us=20000, turn_us=120, cport=None,
                 window=(1026, 502)):
        self.sc = sc
        self.addr = (cli, srv)
        if cport is None:
            cport = sc.ephemeral(cli, srv, sport)
        else:
            sc.claim(TCP_PROTO, cli, cport, srv, sport)
        self.port = (cport, sport)
        self.rtt = rtt_us
        self.turn = turn_us
        self.t = t
        self.last = [0, 0]
        isn = (sc.rng.getrandbits(32), sc.rng.getrandbits(32))
        self.seq = list(isn)
        self.win = list(window)

    # -- frames ------------------------------------------------------------------
    def frame(self, d, flags, payload=b"", at=None, seq=None, options=b"", window=None):
        ts = self.t if at is None else at
        ts = max(ts, self.last[d] + 1)
        self.last[d] = ts
        self.t = max(self.t, ts)
        s = self.seq[d] if seq is None else seq
        ack = self.seq[1 - d] if flags & ACK else 0
        src, dst = self.addr[d], self.addr[1 - d]
        l4 = tcp(src, dst, self.port[d], self.port[1 - d], s, ack, flags,
                 self.win[d] if window is None else window, payload, options)
        self.sc.ip_frame(ts, src, dst, TCP_PROTO, l4)
        if seq is None:
            self.seq[d] = (self.seq[d] + len(payload) + bool(flags & SYN) +
                           bool(flags & FIN)) & 0xFFFFFFFF
        return ts

    def gap(self, d):
        """Delay before d speaks after the other side: the server's turn or
        the client's round trip."""
        return self.turn if d == 1 else self.rtt

    # -- connection ----------------------------------------------------------------
    def open(self):
        self.frame(0, SYN, options=SYN_OPTIONS, window=64240)
        self.frame(1, SYN | ACK, at=self.t + self.turn, options=SYN_OPTIONS, window=65535)
        self.frame(0, ACK, at=self.t + self.rtt)
        return self

    def syn_only(self, answer="rst"):
        """A probe: SYN, then RST-ACK (closed), SYN-ACK and the prober's RST
        (open, half-open scan), or nothing (filtered)."""
        self.frame(0, SYN, options=SYN_OPTIONS[:4], window=1024)
        if answer == "rst":
            self.frame(1, RST | ACK, at=self.t + self.turn, window=0)
        elif answer == "open":
            self.frame(1, SYN | ACK, at=self.t + self.turn, options=SYN_OPTIONS[:4],
                       window=65535)
            self.frame(0, RST, at=self.t + self.rtt, window=0)

    def ack(self, d, at=None):
        return self.frame(d, ACK, at=at)

    def send(self, d, data, gap_us=None, split=None, reorder=False, mss=MSS, burst=None,
             spacing_us=15):
        """data from d, after gap_us (default: d's turn or round trip), in
        MSS-sized segments or in the sizes of split. reorder: the first two
        segments leave in swapped order (a path that reorders). burst: at
        most that many segments per round trip (a sender limited by its
        congestion window). The receiver ACKs every second full segment."""
        if not data:
            return
        t = self.t + (self.gap(d) if gap_us is None else gap_us)
        sizes = [n for n in (split or []) if n]
        rest = len(data) - sum(sizes)
        sizes += [mss] * (rest // mss) + ([rest % mss] if rest % mss else [])
        segs, off = [], 0
        for n in sizes:
            segs.append((self.seq[d] + off, data[off:off + n]))
            off += n
        order = list(range(len(segs)))
        if reorder and len(segs) > 1:
            order[0], order[1] = 1, 0
        final = (self.seq[d] + len(data)) & 0xFFFFFFFF
        back = self.rtt if d == 1 else self.turn  # data to the receiver, its ACK to the sensor
        arrived = set()
        for k, i in enumerate(order):
            s, chunk = segs[i]
            flags = ACK | (PSH if i == len(segs) - 1 else 0)
            self.frame(d, flags, chunk, at=t, seq=s & 0xFFFFFFFF)
            arrived.add(i)
            t += spacing_us + len(chunk) // 100
            upto = 0
            while upto in arrived:
                upto += 1
            if len(chunk) == mss and k % 2 == 1 and upto:
                saved = self.seq[d]
                self.seq[d] = (segs[upto - 1][0] + len(segs[upto - 1][1])) & 0xFFFFFFFF
                self.frame(1 - d, ACK, at=t + back)
                self.seq[d] = saved
            if burst and (k + 1) % burst == 0:
                t += self.rtt
        self.seq[d] = final
        self.t = max(self.t, t)

    def exchange(self, request, response, think_us=2000, **kw):
        """Client request, server response after think_us (with a delayed
        ACK first when the server thinks longer than 40 ms)."""
        self.send(0, request, **kw)
        if think_us > DELAYED_ACK_US:
            self.ack(1, at=self.t + DELAYED_ACK_US)
        self.send(1, response, gap_us=think_us)

    def close(self, first=0, gap_us=None):
        g = self.gap(first) if gap_us is None else gap_us
        self.frame(first, FIN | ACK, at=self.t + g)
        self.frame(1 - first, FIN | ACK, at=self.t + self.gap(1 - first))
        self.frame(first, ACK, at=self.t + self.gap(first))


class Udp:
    def __init__(self, sc, cli, srv, sport, t, cport=None, turn_us=300, rtt_us=1000):
        self.sc = sc
        self.addr = (cli, srv)
        if cport is None:
            cport = sc.ephemeral(cli, srv, sport, proto=UDP_PROTO)
        else:
            sc.claim(UDP_PROTO, cli, cport, srv, sport)
        self.port = (cport, sport)
        self.t = t
        self.turn = turn_us
        self.rtt = rtt_us
        self.started = False

    def send(self, d, payload, gap_us=None):
        """A datagram from d: the first at t, then after gap_us (default: the
        server's turn or the client's round trip)."""
        if gap_us is None:
            gap_us = (self.turn if d == 1 else self.rtt) if self.started else 0
        self.started = True
        self.t += gap_us
        src, dst = self.addr[d], self.addr[1 - d]
        self.sc.ip_frame(self.t, src, dst, UDP_PROTO,
                         udp(src, dst, self.port[d], self.port[1 - d], payload))
        return self.t
