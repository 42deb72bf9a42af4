"""pcapio.py -- write classic pcap and pcapng files byte by byte.

Hand-written rather than scapy's wrpcap so every header field (link type,
caplen versus wire length, timestamp resolution) is exactly what the test
needs, including deliberately broken files."""

import struct

# Link types as stored in capture files (LINKTYPE_*, tcpdump.org/linktypes).
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276


class Record:
    """One captured frame: ts in microseconds (or nanoseconds for a pcapng
    interface with if_tsresol 9), data as captured, wirelen on the wire."""

    def __init__(self, ts, data, wirelen=None, iface=0):
        self.ts = ts
        self.data = bytes(data)
        self.wirelen = len(self.data) if wirelen is None else wirelen
        self.iface = iface


def pcap_bytes(linktype, records, snaplen=262144):
    """Classic little-endian microsecond pcap."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for r in records:
        sec, usec = divmod(r.ts, 1000000)
        out.append(struct.pack("<IIII", sec, usec, len(r.data), r.wirelen))
        out.append(r.data)
    return b"".join(out)


def _pad4(b):
    return b + b"\0" * (-len(b) % 4)


def _block(btype, body):
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def _option(code, value):
    return struct.pack("<HH", code, len(value)) + _pad4(value)


def pcapng_bytes(interfaces, records):
    """interfaces: list of (linktype, tsresol_exponent) -- 6 for microseconds,
    9 for nanoseconds. Records carry ts in that interface's unit."""
    shb_opts = _option(4, b"soc-sensor pcaps/generate.py") + _option(0, b"")
    out = [_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + shb_opts)]
    for linktype, tsres in interfaces:
        opts = b""
        if tsres != 6:
            opts += _option(9, bytes([tsres]))
        if opts:
            opts += _option(0, b"")
        out.append(_block(1, struct.pack("<HHI", linktype, 0, 262144) + opts))
    for r in records:
        hi, lo = r.ts >> 32, r.ts & 0xFFFFFFFF
        body = struct.pack("<IIIII", r.iface, hi, lo, len(r.data), r.wirelen)
        out.append(_block(6, body + _pad4(r.data)))
    return b"".join(out)
