#!/usr/bin/env python3
"""Expected-sid test: run soc-sensor with a manifest's rules on its capture
and compare the alerts per sid with the hand-checked counts, exactly: no
missing and no extra alert.

    sids_check.py --sensor BIN pcaps/expected/NAME.sids.json
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sensor", required=True)
    ap.add_argument("manifest")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(args.manifest, encoding="utf-8") as f:
        m = json.load(f)
    capture = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(args.manifest))),
                           m["capture"])
    cmd = [args.sensor, "-r", capture, "--sensor-name", "sids-test"]
    for r in m["rules"]:
        cmd += ["-S", os.path.join(root, r)]
    with tempfile.TemporaryDirectory() as tmp:
        eve = os.path.join(tmp, "eve.json")
        run = subprocess.run(cmd + ["--eve", eve], capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stderr)
            sys.exit(f"soc-sensor exited {run.returncode}")
        got = collections.Counter()
        with open(eve, encoding="utf-8") as f:
            for line in f:
                ev = json.loads(line)
                if ev["event_type"] == "alert":
                    got[str(ev["alert"]["signature_id"])] += 1
    want = {k: int(v) for k, v in m["alerts"].items()}
    bad = []
    for sid in sorted(set(want) | set(got), key=int):
        if want.get(sid, 0) != got.get(sid, 0):
            why = m.get("why", {}).get(sid, "")
            bad.append(f"  sid {sid}: expected {want.get(sid, 0)} alerts, got {got.get(sid, 0)}  ({why})")
    if bad:
        print(f"MISMATCH {m['capture']}:")
        print("\n".join(bad))
        sys.exit(1)
    print(f"{m['capture']}: {sum(got.values())} alerts over {len(got)} sids, exactly as expected")


if __name__ == "__main__":
    main()
