#!/usr/bin/env python3
"""Readable summary of a soc-sensor EVE file: flows per application, top
talkers with country and AS, anomalies, and the final stats line.

    eve_summary.py EVE [--json] [--top N]
"""
import argparse
import collections
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not a JSON object: {e}")


def geo_label(geo):
    if not geo:
        return ""
    parts = [geo.get("country_iso", ""), geo.get("city", "")]
    if "asn" in geo:
        parts.append(f"AS{geo['asn']} {geo.get('as_org', '')}".strip())
    return ", ".join(p for p in parts if p)


def summarise(path, top):
    apps = collections.Counter()
    app_bytes = collections.Counter()
    talkers = collections.Counter()
    talker_geo = {}
    anomalies = collections.Counter()
    tx = collections.Counter()
    alerts = collections.Counter()
    alert_meta = {}
    stats = None
    for ev in load(path):
        t = ev.get("event_type")
        if t == "flow":
            app = ev.get("app_proto") or ev.get("ndpi", {}).get("protocol", "unknown")
            fl = ev["flow"]
            total = fl["bytes_toserver"] + fl["bytes_toclient"]
            apps[app] += 1
            app_bytes[app] += total
            for side, key in (("src", "src_ip"), ("dest", "dest_ip")):
                talkers[ev[key]] += total
                g = ev.get("geoip", {}).get(side)
                if g:
                    talker_geo[ev[key]] = geo_label(g)
        elif t == "alert":
            a = ev["alert"]
            key = (a["signature_id"], a["signature"])
            alerts[key] += 1
            alert_meta[key] = (a.get("severity", 3), a.get("category", ""), ev["src_ip"])
        elif t == "anomaly":
            anomalies[ev["anomaly"]["event"]] += 1
        elif t in ("http", "dns", "tls"):
            tx[t] += 1
        elif t == "stats":
            stats = ev["stats"]
    return {
        "applications": [{"app": a, "flows": n, "bytes": app_bytes[a]}
                         for a, n in apps.most_common()],
        "top_talkers": [{"ip": ip, "bytes": b, "where": talker_geo.get(ip, "")}
                        for ip, b in talkers.most_common(top)],
        "alerts": [{"sid": k[0], "signature": k[1], "count": n, "severity": alert_meta[k][0],
                    "category": alert_meta[k][1], "last_src": alert_meta[k][2]}
                   for k, n in sorted(alerts.items(), key=lambda kv: (alert_meta[kv[0]][0], -kv[1]))],
        "anomalies": [{"event": e, "count": n} for e, n in anomalies.most_common()],
        "transactions": dict(tx),
        "packets": stats["decoder"]["pkts"] if stats else 0,
        "flows": stats["flow"]["created"] if stats else sum(apps.values()),
    }


def print_text(s):
    print(f"{s['packets']} packets, {s['flows']} flows, "
          + ", ".join(f"{n} {t}" for t, n in sorted(s["transactions"].items())))
    print("\nFlows per application")
    for a in s["applications"]:
        print(f"  {a['app']:<20} {a['flows']:>7} flows {a['bytes']:>12} bytes")
    print("\nTop talkers")
    for t in s["top_talkers"]:
        print(f"  {t['ip']:<40} {t['bytes']:>12} bytes  {t['where']}")
    print("\nAlerts (by severity)")
    if not s["alerts"]:
        print("  none")
    for a in s["alerts"]:
        print(f"  [{a['severity']}] {a['count']:>4} x sid {a['sid']}: {a['signature']}  (from {a['last_src']})")
    print("\nAnomalies")
    if not s["anomalies"]:
        print("  none")
    for a in s["anomalies"]:
        print(f"  {a['event']:<40} {a['count']:>7}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("eve")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    s = summarise(args.eve, args.top)
    if args.json:
        json.dump(s, sys.stdout, indent=2)
        print()
    else:
        print_text(s)


if __name__ == "__main__":
    main()
