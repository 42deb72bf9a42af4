#!/usr/bin/python3
"""ndpi_oracle.py -- soc-sensor's nDPI results against Debian's ndpiReader.

  ndpi_oracle.py --sensor BIN CAPTURE|DIR ...

Both link the same libndpi 4.2, so for a flow whose protocol ndpiReader
found by payload inspection (its "Confidence: DPI") the sensor must report
the same "master.app" name in ndpi.protocol. That is the pass criterion.
(The expected/*.out files beside the nDPI captures come from a newer nDPI
and are NOT used.)

Systematic differences, reported but not failures:
  * guesses -- ndpiReader labels undetected flows at give-up by port or IP
    ("Match by port", "Match by IP"); the sensor may guess differently or
    report Unknown. Counted as "guessed".
  * flow handling -- ndpiReader keys flows by the innermost VLAN id only
    (QinQ and single-tag flows merge), keeps one flow across TCP port reuse
    and idle gaps the sensor's timeouts split, does not reassemble IP
    fragments and has no LINUX_SLL2 decoder. Matching is by unordered
    endpoints + protocol + innermost VLAN; of several sensor flows under one
    ndpiReader flow the earliest is compared, later pieces (which nDPI saw
    from their middle) are counted as "split".
  * flows only one side has (non-IP encapsulations, fragments) are counted.

Exit 0: no DPI-confirmed flow differs; 1 otherwise; 77 skipped."""

import argparse
import collections
import os
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import eve  # noqa: E402
import ndpi_reader  # noqa: E402

SKIP = 77

# Known, understood differences on DPI-confirmed flows: {capture basename:
# reason}. Keep empty unless a difference is explained and accepted.
KNOWN = {}

L4 = {"TCP": "TCP", "UDP": "UDP", "ICMP": "ICMP", "ICMPV6": "IPv6-ICMP"}


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d != "expected")
                for name in sorted(files):
                    if name.endswith((".pcap", ".pcapng")):
                        yield os.path.join(root, name)
        else:
            yield p


def nkey(l4, a, b, vlan):
    ports = l4 in ("TCP", "UDP")
    ea = (eve.norm_addr(a[0]), a[1] if ports else None)
    eb = (eve.norm_addr(b[0]), b[1] if ports else None)
    return (vlan, l4, frozenset((ea, eb)))


def sensor_key(ev):
    proto = str(ev.get("proto"))
    ports = proto in ("TCP", "UDP")
    a = (eve.norm_addr(ev.get("src_ip", "")), ev.get("src_port") if ports else None)
    b = (eve.norm_addr(ev.get("dest_ip", "")), ev.get("dest_port") if ports else None)
    vl = ev.get("vlan") or []
    return (vl[-1] if vl else None, proto, frozenset((a, b)))


def check(pcap, sensor, stats, verbose):
    nflows, bad, _ = ndpi_reader.run(pcap)
    run = eve.run_sensor(sensor, pcap)
    sflows = collections.defaultdict(list)
    for e in run.of_type("flow"):
        sflows[sensor_key(e)].append(e)
    fails, notes = [], []
    c = collections.Counter()
    for nf in nflows:
        l4 = L4.get(nf.l4, nf.l4)
        k = nkey(l4, nf.a, nf.b, nf.vlan)
        mine = sflows.pop(k, [])
        if not mine:
            c["ndpiReader only"] += 1
            continue
        # the sensor may split what ndpiReader keeps as one flow (timeouts,
        # port reuse): the first piece is compared, later ones are reported
        mine.sort(key=lambda e: (eve.parse_ts((e.get("flow") or {}).get("start")) or 0))
        for i, e in enumerate(mine):
            got = (e.get("ndpi") or {}).get("protocol", "Unknown")
            same = got == nf.name
            if i > 0:
                c["split"] += 1
                c["split match"] += same
                if not same:
                    notes.append("%s %s <-> %s: later piece of a flow ndpiReader kept whole: "
                                 "ndpiReader %s, sensor %s" % (l4, nf.a, nf.b, nf.name, got))
            elif nf.by_dpi:
                c["dpi"] += 1
                if same:
                    c["dpi match"] += 1
                else:
                    msg = "%s %s:%s <-> %s:%s vlan %s: ndpiReader %s (DPI), sensor %s" % (
                        l4, nf.a[0], nf.a[1], nf.b[0], nf.b[1], nf.vlan, nf.name, got)
                    base = os.path.basename(pcap)
                    (notes if base in KNOWN else fails).append(msg)
            else:
                c["guessed"] += 1
                c["guessed match"] += same
                if not same:
                    notes.append("%s %s <-> %s: ndpiReader %s (%s), sensor %s" % (
                        l4, nf.a, nf.b, nf.name, nf.confidence, got))
    c["sensor only"] += sum(len(v) for v in sflows.values())
    if run.crashed:
        fails.append("sensor crashed (exit %d): %s" % (run.rc, run.stderr[-500:]))
    for k, v in c.items():
        stats[k] += v
    print("%s: %s: DPI flows %d/%d equal, guessed %d/%d equal, split pieces %d/%d equal, "
          "ndpiReader-only %d, sensor-only %d" % (
              "ok" if not fails else "MISMATCH", pcap, c["dpi match"], c["dpi"],
              c["guessed match"], c["guessed"], c["split match"], c["split"],
              c["ndpiReader only"], c["sensor only"]))
    for f in fails:
        print("  FAIL " + f)
    if verbose:
        for n in notes:
            print("  note " + n)
    return not fails


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--sensor", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        print("skipped: %s not present" % ", ".join(missing))
        return SKIP
    if not os.access(args.sensor, os.X_OK):
        print("skipped: sensor binary %s not built" % args.sensor)
        return SKIP
    if shutil.which("ndpiReader") is None:
        print("skipped: ndpiReader not installed (Debian libndpi-bin)")
        return SKIP
    stats = collections.Counter()
    ok = total = 0
    for pcap in captures(args.paths):
        total += 1
        ok += check(pcap, args.sensor, stats, args.verbose)
    print("total: DPI-detected flows %d, equal %d, mismatches %d; guessed flows %d, equal %d; "
          "later pieces of split flows %d, equal %d; ndpiReader-only %d, sensor-only %d" % (
              stats["dpi"], stats["dpi match"], stats["dpi"] - stats["dpi match"],
              stats["guessed"], stats["guessed match"], stats["split"], stats["split match"],
              stats["ndpiReader only"], stats["sensor only"]))
    print("%d passed, %d failed" % (ok, total - ok))
    return 0 if ok == total else 1


if __name__ == "__main__":
    sys.exit(main())
