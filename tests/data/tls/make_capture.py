#!/usr/bin/python3
"""make_capture.py -- write tls12_cert.pcap: one TLS 1.2 connection whose
server sends the certificate chain of this directory (leaf.der, then
ca.der) in clear, for the end-to-end check of the certificate keywords
(tls_cert.rules, tls_cert.sids.json).

    /usr/bin/python3 tests/data/tls/make_capture.py [OUT.pcap]

Deterministic: fixed addresses, sequence numbers, clock (2024-03-01
10:00:00 UTC + 1 ms a frame) and random seed, so a run rewrites the same
bytes. The handshake is built field by field (RFC 5246 section 7.4): a
ClientHello with SNI www.example.com; the ServerHello (TLS 1.2,
TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), Certificate, a
ServerKeyExchange and the ServerHelloDone in one handshake record that
the server sends in 400-byte segments, so the Certificate spans several
of them; then ClientKeyExchange, ChangeCipherSpec and an encrypted
Finished each way, one application data record each way, FIN. The key
exchange and encrypted bytes are random filler: nothing here decrypts.
"""
import os
import random
import struct
import sys

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.utils import wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT, SERVER = "192.168.50.10", "192.168.50.20"
CPORT, SPORT = 51000, 443
T0 = 1709287200.0  # 2024-03-01 10:00:00 UTC


def u8(n):
    return struct.pack(">B", n)


def u16(n):
    return struct.pack(">H", n)


def u24(n):
    return struct.pack(">I", n)[1:]


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def vec24(b):
    return u24(len(b)) + b


def record(ctype, body):
    return u8(ctype) + u16(0x0303) + vec16(body)


def handshake(htype, body):
    return u8(htype) + vec24(body)


def client_hello(rng):
    sni = b"www.example.com"
    exts = (u16(0x0000) + vec16(vec16(u8(0) + vec16(sni))) +
            u16(0x000A) + vec16(vec16(u16(0x001D) + u16(0x0017))) +
            u16(0x000B) + vec16(vec8(b"\x00")) +
            u16(0x000D) + vec16(vec16(u16(0x0403) + u16(0x0804))))
    body = (u16(0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) + vec8(b"") +
            vec16(u16(0xC02B) + u16(0xC02F)) + vec8(b"\x00") + vec16(exts))
    return record(0x16, handshake(1, body))


def server_flight(rng):
    with open(os.path.join(HERE, "leaf.der"), "rb") as f:
        leaf = f.read()
    with open(os.path.join(HERE, "ca.der"), "rb") as f:
        ca = f.read()
    sh = (u16(0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) +
          vec8(bytes(rng.getrandbits(8) for _ in range(32))) + u16(0xC02B) + b"\x00" +
          vec16(u16(0xFF01) + vec16(b"\x00")))
    cert = vec24(vec24(leaf) + vec24(ca))
    ske = b"\x03" + u16(0x001D) + vec8(bytes(rng.getrandbits(8) for _ in range(32))) + \
        u16(0x0403) + vec16(bytes(rng.getrandbits(8) for _ in range(70)))
    msgs = handshake(2, sh) + handshake(11, cert) + handshake(12, ske) + handshake(14, b"")
    return record(0x16, msgs)


class Conn:
    def __init__(self):
        self.frames = []
        self.seq = {0: 1000000, 1: 2000000}
        self.t = T0

    def pkt(self, d, flags, payload=b""):
        src, dst, sp, dp = (CLIENT, SERVER, CPORT, SPORT) if d == 0 else \
            (SERVER, CLIENT, SPORT, CPORT)
        p = (Ether(src="02:00:00:00:00:0a" if d == 0 else "02:00:00:00:00:14",
                   dst="02:00:00:00:00:14" if d == 0 else "02:00:00:00:00:0a") /
             IP(src=src, dst=dst, id=len(self.frames) + 1, flags="DF") /
             TCP(sport=sp, dport=dp, flags=flags, seq=self.seq[d],
                 ack=self.seq[1 - d] if "A" in flags else 0, window=64240))
        if payload:
            p = p / payload
        p.time = self.t
        self.t += 0.001
        self.frames.append(p)
        self.seq[d] += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)

    def data(self, d, payload, mss=1400):
        for i in range(0, len(payload), mss):
            self.pkt(d, "PA", payload[i:i + mss])
        self.pkt(1 - d, "A")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "tls12_cert.pcap")
    rng = random.Random(1202)
    c = Conn()
    c.pkt(0, "S")
    c.pkt(1, "SA")
    c.pkt(0, "A")
    c.data(0, client_hello(rng))
    c.data(1, server_flight(rng), mss=400)
    cke = record(0x16, handshake(16, vec8(bytes(rng.getrandbits(8) for _ in range(32)))))
    fin = record(0x16, bytes(rng.getrandbits(8) for _ in range(40)))
    c.data(0, cke + record(0x14, b"\x01") + fin)
    c.data(1, record(0x14, b"\x01") + record(0x16, bytes(rng.getrandbits(8) for _ in range(40))))
    c.data(0, record(0x17, bytes(rng.getrandbits(8) for _ in range(120))))
    c.data(1, record(0x17, bytes(rng.getrandbits(8) for _ in range(300))))
    c.pkt(0, "FA")
    c.pkt(1, "FA")
    c.pkt(0, "A")
    wrpcap(out, c.frames)


if __name__ == "__main__":
    main()
