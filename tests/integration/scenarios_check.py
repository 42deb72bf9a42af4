#!/usr/bin/env python3
"""Scenario captures (pcaps/scenarios/): expected alerts and sound wire.

    scenarios_check.py --sensor BIN pcaps/scenarios/NAME.expect.json
        Every rule file of the manifest loads with nothing skipped
        (soc-sensor --test-rules); then soc-sensor reads the capture with
        those rules and the alerts per sid must equal the manifest's "alerts"
        exactly: no missing, no extra sid, no other count (as sids_check.py).

    scenarios_check.py --wire pcaps/scenarios/NAME.expect.json
        tshark (an independent reader) on the capture, with IP/TCP/UDP
        checksum validation on: no malformed packet and no expert info of
        severity error; every TCP conversation that carried data saw SYN,
        SYN-ACK and ACK and ended with FIN or RST; no segment is missing
        (a "previous segment not captured" only where a reordered segment
        then fills the hole) and no ACK covers bytes the capture lacks.

Exit status: 0 pass, 1 mismatch, 77 (ctest: skipped) when the sensor
binary, tshark or the capture is missing.
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = 77

# what a TCP conversation showed (the bits of Wireshark's tcp.completeness)
C_SYN, C_SYNACK, C_ACK, C_DATA, C_FIN, C_RST = 1, 2, 4, 8, 16, 32


def load(path):
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    capture = os.path.join(os.path.dirname(os.path.abspath(path)), m["capture"])
    if not os.path.exists(capture):
        print(f"SKIP: capture {capture} not found")
        sys.exit(SKIP)
    return m, capture


# -- expected alerts -------------------------------------------------------------------


def check_rules(sensor, rules):
    """The manifest's rule files load whole: a skipped rule would make its
    sid's count silently 0."""
    run = subprocess.run([sensor, "--test-rules"] + rules, capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout + run.stderr)
        print(f"FAIL: soc-sensor --test-rules exited {run.returncode}"
              " (skipped or unreadable rules)")
        return False
    return True


def alerts(sensor, capture, rules):
    cmd = [sensor, "-r", capture, "--sensor-name", "scenarios-test"]
    for r in rules:
        cmd += ["-S", r]
    got = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        eve = os.path.join(tmp, "eve.json")
        run = subprocess.run(cmd + ["--eve", eve], capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stderr)
            sys.exit(f"soc-sensor exited {run.returncode}")
        with open(eve, encoding="utf-8") as f:
            for line in f:
                ev = json.loads(line)
                if ev.get("event_type") == "alert":
                    got[str(ev["alert"]["signature_id"])] += 1
    return got


def check_alerts(sensor, m, capture):
    if not (os.path.isfile(sensor) and os.access(sensor, os.X_OK)):
        print(f"SKIP: sensor binary {sensor} not found")
        sys.exit(SKIP)
    rules = [os.path.join(ROOT, r) for r in m["rules"]]
    if not check_rules(sensor, rules):
        return 1
    got = alerts(sensor, capture, rules)
    want = {k: int(v) for k, v in m["alerts"].items()}
    bad = []
    for sid in sorted(set(want) | set(got), key=int):
        if want.get(sid, 0) != got.get(sid, 0):
            why = m.get("why", {}).get(sid, "")
            bad.append(f"  sid {sid}: expected {want.get(sid, 0)} alerts, got {got.get(sid, 0)}"
                       f"  ({why})")
    if bad:
        print(f"MISMATCH {m['capture']}:")
        print("\n".join(bad))
        return 1
    print(f"{m['capture']}: {sum(got.values())} alerts over {len(got)} sids, exactly as expected")
    return 0


# -- wire -------------------------------------------------------------------------------------


def tshark(capture, *args):
    cmd = ["tshark", "-n", "-r", capture, "-o", "tcp.check_checksum:TRUE",
           "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"] + list(args)
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"tshark failed: {run.stderr.strip()}")
    return [line.split("\t") for line in run.stdout.splitlines() if line]


def streams_with(capture, flt):
    return collections.Counter(int(r[0]) for r in tshark(capture, "-Y", flt, "-T", "fields",
                                                         "-e", "tcp.stream"))


def check_wire(m, capture):
    if shutil.which("tshark") is None:
        print("SKIP: tshark not installed")
        sys.exit(SKIP)
    bad = []
    for r in tshark(capture, "-Y", '_ws.malformed || _ws.expert.severity >= "Error"', "-T",
                    "fields", "-e", "frame.number", "-e", "_ws.expert.message"):
        bad.append(f"  frame {r[0]}: {r[1] if len(r) > 1 else 'malformed'}")
    # Handshake and ends from the TCP flags (tshark's own tcp.completeness
    # misses the SYN of an FTP data connection announced by PASV).
    comp = collections.defaultdict(int)
    opener = {}
    for r in tshark(capture, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream", "-e", "ip.src",
                    "-e", "tcp.srcport", "-e", "tcp.flags", "-e", "tcp.len"):
        s, side, flags, n = int(r[0]), (r[1], r[2]), int(r[3], 16), int(r[4] or 0)
        syn, ack = flags & 0x02, flags & 0x10
        if syn and not ack:
            comp[s] |= C_SYN
            opener[s] = side
        elif syn:
            comp[s] |= C_SYNACK
        elif ack and opener.get(s) == side and comp[s] & C_SYNACK:
            comp[s] |= C_ACK
        comp[s] |= (C_DATA if n else 0) | (C_FIN if flags & 0x01 else 0) | \
            (C_RST if flags & 0x04 else 0)
    lost = streams_with(capture, "tcp.analysis.lost_segment")
    ooo = streams_with(capture, "tcp.analysis.out_of_order")
    acklost = streams_with(capture, "tcp.analysis.ack_lost_segment")
    with_data = 0
    for s, c in sorted(comp.items()):
        if c & C_DATA:
            with_data += 1
            if (c & (C_SYN | C_SYNACK | C_ACK)) != (C_SYN | C_SYNACK | C_ACK):
                bad.append(f"  tcp.stream {s}: data without a full handshake (completeness {c})")
            if not c & (C_FIN | C_RST):
                bad.append(f"  tcp.stream {s}: data but neither FIN nor RST (completeness {c})")
        if lost[s] > ooo[s]:
            bad.append(f"  tcp.stream {s}: {lost[s]} segment(s) missing, {ooo[s]} reordered")
        if acklost[s]:
            bad.append(f"  tcp.stream {s}: ACK of bytes not in the capture")
    warn = collections.Counter(r[0] for r in tshark(
        capture, "-Y", '_ws.expert.severity == "Warning"', "-T", "fields",
        "-e", "_ws.expert.message") if r)
    if bad:
        print(f"BAD WIRE {m['capture']}:")
        print("\n".join(bad))
        return 1
    notes = "; ".join(f"{n}x {w}" for w, n in warn.most_common(4))
    print(f"{m['capture']}: {len(comp)} TCP conversations ({with_data} with data) complete, "
          f"{sum(ooo.values())} reordered segments, no malformed frame"
          + (f"; warnings: {notes}" if notes else ""))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--sensor", metavar="BIN", help="check the alerts with this soc-sensor")
    g.add_argument("--wire", action="store_true", help="check the capture with tshark")
    ap.add_argument("manifest")
    args = ap.parse_args()
    m, capture = load(args.manifest)
    if args.wire:
        return check_wire(m, capture)
    return check_alerts(args.sensor, m, capture)


if __name__ == "__main__":
    sys.exit(main())
