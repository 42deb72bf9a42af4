#!/usr/bin/env python3
"""Write seeds for fuzz_pipeline from the project's captures: each seed is
one capture's first frames in the target's record format (see
fuzz_pipeline.c). Needs only the Python standard library."""
import os
import struct
import sys

LINKTYPES = [1, 0, 12, 101, 108, 113, 276, 228, 229]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def frames(path, limit):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None, []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return None, []  # pcapng: skipped, the pcap files cover every link type
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    out, off, last = [], 24, None
    while off + 16 <= len(data) and len(out) < limit:
        sec, frac, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        t = sec + frac / (1e9 if nano else 1e6)
        step = 0 if last is None else min(255, max(0, int((t - last) * 10)))
        last = t
        out.append((step, data[off:off + caplen]))
        off += caplen
    return linktype, out


def main():
    outdir = os.path.join(HERE, "corpus", "fuzz_pipeline")
    os.makedirs(outdir, exist_ok=True)
    pcaps = os.path.join(ROOT, "pcaps")
    for name in sorted(os.listdir(pcaps)):
        if not name.endswith(".pcap"):
            continue
        lt, recs = frames(os.path.join(pcaps, name), 64)
        if lt not in LINKTYPES or not recs:
            continue
        blob = bytes([LINKTYPES.index(lt)])
        for step, fr in recs:
            blob += struct.pack("<HB", len(fr), step) + fr
        with open(os.path.join(outdir, name[:-5]), "wb") as f:
            f.write(blob[:16384])
    print(f"seeds in {outdir}: {len(os.listdir(outdir))}", file=sys.stderr)


if __name__ == "__main__":
    main()
