#!/usr/bin/python3
"""generate.py -- attack scenarios on the Cần Thơ city network, as captures.

    /usr/bin/python3 pcaps/scenarios/generate.py            # rewrite pcaps/scenarios/*.pcap
    /usr/bin/python3 pcaps/scenarios/generate.py --check    # regenerate in a temp dir, compare
    /usr/bin/python3 pcaps/scenarios/generate.py --big OUT --size-mb 1024

benign.pcap is the city's ordinary traffic; every other capture is one
attack scenario mixed into a thinner background of the same kind, and
mixed.pcap holds all the attacks over a full background. Seeds are fixed
per capture and per part (background, each attack), so the attacks in mixed.pcap
are the scenario's own conversations, shifted in time; the
expected alerts of mixed.pcap are the sum of the scenarios' (README.md).
The expected results (<name>.expect.json) are written by hand, not by this
script. Debian's /usr/bin/python3: python3-scapy is installed for it."""

import argparse
import filecmp
import os
import random
import struct
import sys
import tempfile

sys.dont_write_bytecode = True  # keep the source folders free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))

import attacks as X  # noqa: E402
import background as B  # noqa: E402
import wire as W  # noqa: E402
from gen import pcapio  # noqa: E402

SEC = 1000000
# 2024-03-02 08:00:00 UTC (15:00 in Cần Thơ), the day after pcaps/generate.py's clock.
DAY = 1709280000 + 86400


def brute_force(sc, rng, t0):
    """The four brute-force attacks, staggered by 5 s (one capture)."""
    ends = [X.http_bruteforce(sc, random.Random(rng.getrandbits(32)), t0),
            X.ssh_bruteforce(sc, random.Random(rng.getrandbits(32)), t0 + 5 * SEC),
            X.rdp_bruteforce(sc, random.Random(rng.getrandbits(32)), t0 + 10 * SEC),
            X.ftp_bruteforce(sc, random.Random(rng.getrandbits(32)), t0 + 15 * SEC)]
    return max(ends)


# name: (attack builder, seconds of background before it, seconds of the
# whole capture, background scale, start of the capture after DAY, offset
# of the attack in mixed.pcap)
SCENARIOS = {
    "portscan": (X.portscan, 10, 100, 0.3, 1 * 3600, 20),
    "webattack": (X.webattack, 10, 80, 0.3, 2 * 3600, 120),
    "bruteforce": (brute_force, 10, 120, 0.25, 3 * 3600, 200),
    "synflood": (X.syn_flood, 20, 60, 0.3, 4 * 3600, 330),
    "dnstunnel": (X.dns_tunnel, 10, 80, 0.3, 5 * 3600, 360),
    "beacon": (X.camera_beacon, 10, 620, 0.1, 6 * 3600, 30),
    "exfil": (X.exfiltration, 10, 60, 0.3, 7 * 3600, 440),
    "mqtt": (X.mqtt_wildcard, 10, 60, 0.3, 8 * 3600, 480),
    "intel": (X.intel_contact, 10, 80, 0.3, 9 * 3600, 520),
    "multistage": (X.multistage, 10, 330, 0.15, 10 * 3600, 560),
}
BENIGN = (0, 300, 0.8)  # start after DAY, seconds, scale
MIXED = (11 * 3600, 900, 0.3)


def seed_of(*parts):
    """A stable seed from names (Python's hash() of str is salted per run)."""
    h = 2166136261
    for b in "/".join(parts).encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def flood_quiet(t_flood):
    """No background session to the SYN-flood target starts from 10 s
    before the flood to 4 s after its start: its by_dst threshold then
    counts the flood alone."""
    return [(X.FLOOD_TARGET, t_flood - 10 * SEC, t_flood + 4 * SEC)]


def attack_scene(name, t0):
    fn = SCENARIOS[name][0]
    sc = W.Scene(random.Random(seed_of(name, "attack")))
    fn(sc, random.Random(seed_of(name, "attack", "app")), t0)
    return sc


def build(name):
    """The scene of one capture."""
    if name == "benign":
        start, secs, scale = BENIGN
        t0 = (DAY + start) * SEC
        sc = W.Scene(random.Random(seed_of(name, "background")))
        B.background(sc, random.Random(seed_of(name, "background", "app")), t0, secs, scale)
        return sc
    if name == "mixed":
        start, secs, scale = MIXED
        t0 = (DAY + start) * SEC
        avoid = flood_quiet(t0 + SCENARIOS["synflood"][5] * SEC)
        sc = W.Scene(random.Random(seed_of(name, "background")))
        B.background(sc, random.Random(seed_of(name, "background", "app")), t0, secs, scale,
                     avoid=avoid)
        for other in SCENARIOS:
            sc.merge(attack_scene(other, t0 + SCENARIOS[other][5] * SEC))
        return sc
    _, lead, secs, scale, start, _ = SCENARIOS[name]
    t0 = (DAY + start) * SEC
    t_attack = t0 + lead * SEC
    avoid = flood_quiet(t_attack) if name == "synflood" else ()
    sc = W.Scene(random.Random(seed_of(name, "background")))
    B.background(sc, random.Random(seed_of(name, "background", "app")), t0, secs, scale,
                 avoid=avoid)
    sc.merge(attack_scene(name, t_attack))
    return sc


NAMES = ["benign"] + list(SCENARIOS) + ["mixed"]


def records(sc):
    return [pcapio.Record(ts, fr) for ts, _, fr in sc.sorted_frames()]


def write_all(outdir, quiet=False):
    os.makedirs(outdir, exist_ok=True)
    for name in NAMES:
        recs = records(build(name))
        data = pcapio.pcap_bytes(pcapio.LINKTYPE_ETHERNET, recs)
        with open(os.path.join(outdir, name + ".pcap"), "wb") as fh:
            fh.write(data)
        if not quiet:
            span = (recs[-1].ts - recs[0].ts) / SEC
            print("%-16s %6d frames %8d bytes %7.1f s" % (name + ".pcap", len(recs), len(data),
                                                          span))


# -- --check -----------------------------------------------------------------------------


def same_as_scapy():
    """The struct-built headers of wire.py against scapy's, on sample frames."""
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw
    bad = []
    cases = [
        ("tcp syn", W.ethernet("10.10.1.5", "10.20.0.10", W.ipv4(
            "10.10.1.5", "10.20.0.10", 6, W.tcp("10.10.1.5", "10.20.0.10", 50000, 443, 123456789,
                                                0, W.SYN, 64240, options=W.SYN_OPTIONS), 7, 128)),
         Ether(src=W.mac_of("10.10.1.5"), dst=W.mac_of("10.20.0.10")) /
         IP(src="10.10.1.5", dst="10.20.0.10", id=7, ttl=128, flags="DF") /
         TCP(sport=50000, dport=443, seq=123456789, flags="S", window=64240,
             options=[("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None), ("NOP", None),
                      ("SAckOK", b"")])),
        ("tcp data from outside", W.ethernet("113.161.5.7", "10.20.0.11", W.ipv4(
            "113.161.5.7", "10.20.0.11", 6, W.tcp("113.161.5.7", "10.20.0.11", 40000, 80,
                                                  0xFFFFFFF0, 77, W.PSH | W.ACK, 1026,
                                                  b"GET / HTTP/1.1\r\n\r\n"), 65535, 50)),
         Ether(src=W.mac_of("10.20.0.1"), dst=W.mac_of("10.20.0.11")) /
         IP(src="113.161.5.7", dst="10.20.0.11", id=65535, ttl=50, flags="DF") /
         TCP(sport=40000, dport=80, seq=0xFFFFFFF0, ack=77, flags="PA", window=1026) /
         Raw(b"GET / HTTP/1.1\r\n\r\n")),
        ("udp odd length", W.ethernet("10.10.4.23", "10.20.0.2", W.ipv4(
            "10.10.4.23", "10.20.0.2", 17, W.udp("10.10.4.23", "10.20.0.2", 5353, 53, b"abc"),
            1, 64)),
         Ether(src=W.mac_of("10.10.4.23"), dst=W.mac_of("10.20.0.2")) /
         IP(src="10.10.4.23", dst="10.20.0.2", id=1, ttl=64, flags="DF") /
         UDP(sport=5353, dport=53) / Raw(b"abc")),
    ]
    for what, ours, ref in cases:
        theirs = bytes(ref)
        if len(theirs) < 60:
            theirs += b"\0" * (60 - len(theirs))
        if ours != theirs:
            bad.append(what)
    return bad


def check_reproducible():
    bad = ["frame builder differs from scapy: " + b for b in same_as_scapy()]
    with tempfile.TemporaryDirectory(prefix="soc-scenarios-") as tmp:
        write_all(tmp, quiet=True)
        for name in sorted(os.listdir(tmp)):
            old = os.path.join(HERE, name)
            if not os.path.exists(old) or not filecmp.cmp(os.path.join(tmp, name), old,
                                                          shallow=False):
                bad.append("differs from a fresh run: pcaps/scenarios/%s" % name)
    for b in bad:
        print(b)
    print("%d passed, %d failed" % (0 if bad else 1, 1 if bad else 0))
    return 1 if bad else 0


# -- --big -----------------------------------------------------------------------------------


def _shift_addr(raw, k):
    """Repetition k's copy of an IPv4 address: second and third octets moved
    on by k (mod 256 and k // 256), so up to 65536 copies differ."""
    return bytes((raw[0], (raw[1] + k) & 255, (raw[2] + (k >> 8)) & 255, raw[3]))


def _csum_fix(c, old, new):
    """RFC 1624 incremental update of a ones'-complement checksum."""
    s = (~c & 0xFFFF)
    for i in range(0, len(old), 2):
        s += (~((old[i] << 8) | old[i + 1]) & 0xFFFF) + ((new[i] << 8) | new[i + 1])
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def write_big(out, size_mb):
    """Repeat mixed.pcap's frames with shifted addresses and times until the
    file holds size_mb MB; every repetition is complete, 60 s after the last."""
    frames = [(ts, fr) for ts, _, fr in build("mixed").sorted_frames()]
    t_first, t_last = frames[0][0], frames[-1][0]
    period = t_last - t_first + 60 * SEC
    target = size_mb * 1024 * 1024
    written = 0
    with open(out, "wb") as fh:
        fh.write(pcapio.pcap_bytes(pcapio.LINKTYPE_ETHERNET, []))
        written += 24
        k = 0
        while written < target:
            cache = {}
            chunk = []
            for ts, fr in frames:
                if k:
                    fr = bytearray(fr)
                    old = bytes(fr[26:34])
                    new = cache.get(old)
                    if new is None:
                        new = cache[old] = _shift_addr(old[:4], k) + _shift_addr(old[4:], k)
                    fr[26:34] = new
                    fr[24:26] = struct.pack("!H", _csum_fix(struct.unpack("!H", fr[24:26])[0],
                                                            old, new))
                    ihl = (fr[14] & 15) * 4
                    proto = fr[23]
                    at = 14 + ihl + (16 if proto == 6 else 6 if proto == 17 else -1)
                    if at > 14 + ihl and len(fr) >= at + 2:
                        c = struct.unpack("!H", fr[at:at + 2])[0]
                        if c or proto == 6:
                            c = _csum_fix(c, old, new) or (0xFFFF if proto == 17 else 0)
                            fr[at:at + 2] = struct.pack("!H", c)
                    fr = bytes(fr)
                sec, usec = divmod(ts + k * period, SEC)
                chunk.append(struct.pack("<IIII", sec, usec, len(fr), len(fr)))
                chunk.append(fr)
            blob = b"".join(chunk)
            fh.write(blob)
            written += len(blob)
            k += 1
    print("%s: %d repetitions of mixed.pcap, %d bytes" % (out, k, written))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=HERE, help="output directory (default: pcaps/scenarios/)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and compare with the files")
    ap.add_argument("--big", metavar="OUT", help="write one large capture to OUT")
    ap.add_argument("--size-mb", type=int, default=1024, help="size of --big (default 1024)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()
    if args.check:
        return check_reproducible()
    if args.big:
        return write_big(args.big, args.size_mb)
    write_all(args.out, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
