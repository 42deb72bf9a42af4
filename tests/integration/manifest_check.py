#!/usr/bin/python3
"""manifest_check.py -- compare events with pcaps/expected/<name>.json.

  manifest_check.py --sensor BIN [--geoip-city DB --geoip-asn DB] CAPTURE...
      soc-sensor's events against the generator's manifest: flows (exact
      counts and direction), app_proto, nDPI protocol, HTTP/DNS/TLS
      transactions per flow, decoder anomalies, GeoIP fields, the final
      stats packet count, and the sensor{name,boot_id,seq} identity.
  manifest_check.py --self CAPTURE...
      the manifest's application details against tshark (HTTP, DNS, TLS
      SNI and JA3) and its nDPI names against ndpiReader: checks the
      generator, so the sensor is compared with something verified.

Exit 0 all good, 1 a mismatch, 77 skipped."""

import argparse
import collections
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import eve  # noqa: E402
import flowcmp  # noqa: E402
import ndpi_reader  # noqa: E402
import tshark_flows as tf  # noqa: E402

SKIP = 77
RRTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA",
           33: "SRV", 65: "HTTPS"}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def load_manifest(pcap):
    base = os.path.splitext(os.path.basename(pcap))[0]
    path = os.path.join(os.path.dirname(os.path.abspath(pcap)), "expected", base + ".json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def mflow_record(f):
    d = {k: f[k] for k in ("proto",) + flowcmp.COUNT_FIELDS}
    d["src_ip"], d["dest_ip"] = eve.norm_addr(f["src_ip"]), eve.norm_addr(f["dest_ip"])
    if "src_port" in f:
        d["src_port"], d["dest_port"] = f["src_port"], f["dest_port"]
    if f.get("vlan"):
        d["vlan"] = f["vlan"]
    return d


def host_only(h):
    """EVE hostname has no port; IPv6 literals keep their brackets off."""
    if h is None:
        return None
    if h.startswith("["):
        return h[1:].split("]")[0]
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


# -- tshark side (self-check) ----------------------------------------------------


def tshark_fields(pcap, yfilter, fields):
    rc, out, err = tf.run_tshark(["-2", "-r", pcap, "-Y", yfilter, "-T", "fields",
                                  "-E", "separator=/t", "-E", "occurrence=a",
                                  "-E", "aggregator=|"] + sum((["-e", f] for f in fields), []))
    rows = []
    for line in out.splitlines():
        vals = line.split("\t") + [""] * len(fields)
        rows.append({f: (v.split("|") if v else []) for f, v in zip(fields, vals)})
    return rows


EP_FIELDS = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport",
             "udp.srcport", "udp.dstport"]


def client_of(r, response):
    """Client (address, port) of a tshark row: the sender of a request, the
    receiver of a response."""
    src = (r["ip.src"] or r["ipv6.src"] or [""])[0]
    dst = (r["ip.dst"] or r["ipv6.dst"] or [""])[0]
    sp = (r["tcp.srcport"] or r["udp.srcport"] or ["0"])[0]
    dp = (r["tcp.dstport"] or r["udp.dstport"] or ["0"])[0]
    if response:
        return eve.norm_addr(dst), int(dp)
    return eve.norm_addr(src), int(sp)


def tshark_http(pcap):
    """HTTP/1.1 transactions: requests and responses paired in order per TCP
    stream (tshark's request_in is missing for pipelined requests that
    shared a segment)."""
    rows = tshark_fields(pcap, "http.request || http.response",
                         ["tcp.stream", "http.request.method", "http.host", "http.request.uri",
                          "http.response.code"] + EP_FIELDS)
    reqs, codes = collections.defaultdict(list), collections.defaultdict(list)
    for r in rows:
        st = r["tcp.stream"][0]
        for i, m in enumerate(r["http.request.method"]):
            host = host_only(r["http.host"][i] if i < len(r["http.host"]) else None)
            reqs[st].append((client_of(r, False), m, host, r["http.request.uri"][i]))
        codes[st] += [int(c) for c in r["http.response.code"]]
    out = collections.Counter()
    for st, lst in reqs.items():
        for i, q in enumerate(lst):
            out[q + (codes[st][i] if i < len(codes[st]) else None,)] += 1
    return out


def tshark_dns(pcap):
    rows = tshark_fields(pcap, "dns", ["dns.flags.response", "dns.qry.name", "dns.qry.type",
                                       "dns.flags.rcode", "dns.resp.name", "dns.resp.type",
                                       "dns.a", "dns.aaaa", "dns.cname", "dns.id"] + EP_FIELDS)
    queries, answers = collections.Counter(), collections.Counter()
    for r in rows:
        if not r["dns.qry.type"]:
            continue  # not a DNS message tshark could read (malformed.pcap)
        qname = r["dns.qry.name"][0] if r["dns.qry.name"] else ""
        qtype = RRTYPES.get(int(r["dns.qry.type"][0]), r["dns.qry.type"][0])
        if r["dns.flags.response"] in (["0"], ["False"]):
            queries[(client_of(r, False), qname, qtype)] += 1
            continue
        data = {"A": list(r["dns.a"]), "AAAA": list(r["dns.aaaa"]), "CNAME": list(r["dns.cname"])}
        ans = []
        for n, t in zip(r["dns.resp.name"], r["dns.resp.type"]):
            t = RRTYPES.get(int(t), t)
            ans.append((n, t, data[t].pop(0) if data.get(t) else None))
        rcode = RCODES.get(int(r["dns.flags.rcode"][0]), r["dns.flags.rcode"][0])
        answers[(client_of(r, True), qname, qtype, rcode, tuple(ans))] += 1
    return queries, answers


def tshark_tls(pcap):
    rows = tshark_fields(pcap, "tls.handshake.type == 1", [
        "tls.handshake.extensions_server_name", "tls.handshake.ja3"])
    return collections.Counter((r["tls.handshake.extensions_server_name"][0]
                                if r["tls.handshake.extensions_server_name"] else None,
                                r["tls.handshake.ja3"][0]) for r in rows)


def manifest_app(m):
    http, dnsq, dnsa, tls = (collections.Counter() for _ in range(4))
    unspecified = set()
    for f in m["flows"]:
        cli = (eve.norm_addr(f["src_ip"]), f.get("src_port"))
        if f.get("app_events") == "unspecified":
            unspecified.add(cli)
        for h in f.get("http", []):
            http[(cli, h["http_method"], h["hostname"], h["url"], h["status"])] += 1
        for d in f.get("dns", []):
            dnsq[(cli, d["rrname"], d["rrtype"])] += 1
            if d["rcode"] is not None:
                ans = tuple((a["rrname"], a["rrtype"], a["rdata"]) for a in d["answers"])
                dnsa[(cli, d["rrname"], d["rrtype"], d["rcode"], ans)] += 1
        if f.get("tls"):
            tls[(f["tls"].get("sni"), f["tls"]["ja3"]["hash"])] += 1
    return http, dnsq, dnsa, tls, unspecified


def diff_counters(what, expected, actual):
    out = []
    for k in sorted(set(expected) | set(actual), key=str):
        if expected[k] != actual[k]:
            out.append("%s %s: manifest %d, observed %d" % (what, k, expected[k], actual[k]))
    return out


def ndpi_key(addr_a, addr_b, vlan_last):
    return (vlan_last, frozenset((addr_a, addr_b)))


def self_check(pcap):
    m = load_manifest(pcap)
    problems = []
    http, dnsq, dnsa, tls, unspecified = manifest_app(m)
    th = tshark_http(pcap)
    for k in list(th):
        if k[0] in unspecified:
            del th[k]  # flows whose app events the manifest leaves open
    problems += diff_counters("http", http, th)
    tq, ta = tshark_dns(pcap)
    problems += diff_counters("dns query", dnsq, tq)
    problems += diff_counters("dns answer", dnsa, ta)
    problems += diff_counters("tls", tls, tshark_tls(pcap))
    # nDPI names: ndpiReader keys flows by the innermost VLAN only
    nflows, bad, rc = ndpi_reader.run(pcap)
    if not nflows and any(f.get("ndpi_app") for f in m["flows"]):
        # nDPI 4.2's ndpiReader has no LINUX_SLL2 decoder: nothing to compare
        print("note: %s: ndpiReader reports no flows (link type %s); nDPI names not checked"
              % (pcap, m["linktype"]))
    by_key = {}
    for nf in nflows:
        a = (eve.norm_addr(nf.a[0]), nf.a[1] if nf.l4 in ("TCP", "UDP") else None)
        b = (eve.norm_addr(nf.b[0]), nf.b[1] if nf.l4 in ("TCP", "UDP") else None)
        by_key.setdefault(ndpi_key(a, b, nf.vlan), []).append(nf)
    for f in m["flows"]:
        if not f.get("ndpi_app") or not nflows:
            continue
        a = (eve.norm_addr(f["src_ip"]), f.get("src_port"))
        b = (eve.norm_addr(f["dest_ip"]), f.get("dest_port"))
        vl = f["vlan"][-1] if f.get("vlan") else None
        cands = by_key.get(ndpi_key(a, b, vl), [])
        names = sorted(set(nf.name for nf in cands))
        if names != [f["ndpi_app"]]:
            problems.append("ndpi %s: manifest %s, ndpiReader %s" % (
                flowcmp.fmt_flow(mflow_record(f)), f["ndpi_app"], names or "no flow"))
    print("%s: %s (self-check: tshark http/dns/tls, ndpiReader names)" % (
        "ok" if not problems else "MISMATCH", pcap))
    for p in problems:
        print("  " + p)
    return not problems


# -- sensor side -------------------------------------------------------------------


def norm_rdata(rrtype, rdata):
    """Suricata prints AAAA rdata with every group in full; compare values."""
    if rrtype in ("A", "AAAA") and rdata:
        return eve.norm_addr(rdata)
    return rdata


def sensor_dns(ev):
    """(kind, rrname, rrtype, rcode, answers) from Suricata EVE dns v2 or v3."""
    d = ev.get("dns", {})
    t = d.get("type")
    if t == "query" or t == "request":
        q = d.get("queries", [{}])[0] if "queries" in d else d
        return "query", q.get("rrname"), q.get("rrtype"), None, None
    q = d.get("queries", [{}])[0] if "queries" in d else d
    answers = []
    for a in d.get("answers", []) or []:
        answers.append((a.get("rrname"), a.get("rrtype"),
                        norm_rdata(a.get("rrtype"), a.get("rdata"))))
    if not answers and isinstance(d.get("grouped"), dict):
        for rrtype, vals in d["grouped"].items():
            for v in vals:
                answers.append((None, rrtype, norm_rdata(rrtype, v)))
    return "answer", q.get("rrname"), q.get("rrtype"), d.get("rcode"), answers


def check_flow_events(mf, sf, events, geoip_on):
    """Application events and per-flow fields of one matched flow pair."""
    problems = []
    if mf.get("app_events") == "unspecified":
        return problems
    name = flowcmp.fmt_flow(mflow_record(mf))
    mine = [e for e in events if e.get("flow_id") == sf.get("flow_id")
            and e.get("event_type") in ("http", "dns", "tls")]
    if mf.get("app_proto") and sf["event"].get("app_proto") != mf["app_proto"]:
        problems.append("%s: app_proto expected %s got %s" % (
            name, mf["app_proto"], sf["event"].get("app_proto")))
    if mf.get("ndpi_app"):
        nd = sf["event"].get("ndpi", {})
        if nd.get("protocol") != mf["ndpi_app"]:
            problems.append("%s: ndpi.protocol expected %s got %s" % (
                name, mf["ndpi_app"], nd.get("protocol")))
    exp_http = [(h["http_method"], h["hostname"], h["url"], h["status"])
                for h in mf.get("http", [])]
    got_http = [(e["http"].get("http_method"), e["http"].get("hostname"), e["http"].get("url"),
                 e["http"].get("status")) for e in mine if e["event_type"] == "http"]
    if exp_http != got_http:
        problems.append("%s: http expected %s got %s" % (name, exp_http, got_http))
    for h in mf.get("http", []):
        for k in ("http_user_agent", "length"):
            if k in h:
                got = [e["http"].get(k) for e in mine if e["event_type"] == "http"
                       and e["http"].get("url") == h["url"]]
                if got[:1] != [h[k]]:
                    problems.append("%s: http %s %s expected %r got %r" % (
                        name, h["url"], k, h[k], got[:1]))
    for d in mf.get("dns", []):
        evs = [sensor_dns(e) for e in mine if e["event_type"] == "dns"]
        if not any(k == "query" and n == d["rrname"] and t == d["rrtype"] for k, n, t, _, _ in evs):
            problems.append("%s: no dns query event for %s %s" % (name, d["rrname"], d["rrtype"]))
        if d["rcode"] is None:
            continue
        want = sorted((a["rrname"], a["rrtype"], norm_rdata(a["rrtype"], a["rdata"]))
                      for a in d["answers"])
        ok = False
        for k, n, t, rc, ans in evs:
            if k == "answer" and n == d["rrname"] and rc == d["rcode"]:
                got = sorted(((x if x[0] else (None,) + x[1:]) for x in ans), key=str)
                cmp_want = sorted((w if got and got[0][0] else (None,) + w[1:]) for w in want)
                ok = ok or got == cmp_want or sorted(got, key=str) == sorted(cmp_want, key=str)
        if not ok:
            problems.append("%s: no dns answer event %s %s rcode %s answers %s; got %s" % (
                name, d["rrname"], d["rrtype"], d["rcode"], want,
                [e for e in evs if e[0] == "answer"]))
    if mf.get("tls"):
        t = [e["tls"] for e in mine if e["event_type"] == "tls"]
        exp_sni = mf["tls"].get("sni")
        if len(t) != 1 or t[0].get("sni") != exp_sni:
            problems.append("%s: tls events %s, expected one with sni %s" % (name, t, exp_sni))
        elif t[0].get("ja3", {}).get("hash") not in (None, mf["tls"]["ja3"]["hash"]):
            problems.append("%s: tls ja3 expected %s got %s" % (
                name, mf["tls"]["ja3"]["hash"], t[0]["ja3"]))
    if geoip_on:
        g = sf["event"].get("geoip", {})
        exp = mf.get("geoip", {"src": {}, "dest": {}})
        for side in ("src", "dest"):
            want, got = exp.get(side, {}), g.get(side, {})
            if not want and got:
                problems.append("%s: geoip.%s expected none, got %s" % (name, side, got))
            for k, v in want.items():
                if got.get(k) != v:
                    problems.append("%s: geoip.%s.%s expected %r got %r" % (
                        name, side, k, v, got.get(k)))
    return problems


def check_identity(events):
    """Contract 7: sensor{name,boot_id,seq}, seq +1 per event, one boot_id."""
    problems = []
    ids = [e.get("sensor") for e in events]
    if any(not isinstance(i, dict) or not i.get("name") or not i.get("boot_id") for i in ids):
        problems.append("an event lacks sensor{name,boot_id,seq}")
        return problems
    if len(set(i["boot_id"] for i in ids)) != 1:
        problems.append("boot_id changes within one run")
    seqs = [i.get("seq") for i in ids]
    if any(b != a + 1 for a, b in zip(seqs, seqs[1:])):
        problems.append("sensor.seq does not increase by one per event: %s..." % seqs[:10])
    return problems


def sensor_check(pcap, sensor, city, asn):
    m = load_manifest(pcap)
    extra = []
    if city:
        extra += ["--geoip-city", city]
    if asn:
        extra += ["--geoip-asn", asn]
    run = eve.run_sensor(sensor, pcap, extra)
    problems = []
    if run.crashed or run.rc != 0:
        problems.append("sensor exit %d: %s" % (run.rc, run.stderr.strip()[-500:]))
    if run.bad_lines:
        problems.append("non-JSON EVE lines: %s" % run.bad_lines[:2])
    sflows = []
    for e in run.of_type("flow"):
        r = eve.flow_record(e)
        r["event"] = e
        sflows.append(r)
    mflows = [mflow_record(f) for f in m["flows"]]
    # frames with a sound IP header but a broken transport header: the
    # sensor may count them to a flow of their own (see flowcmp)
    excused = {}
    for a in m.get("anomaly_frames", []):
        if a.get("addrs"):
            k = ((), frozenset(eve.norm_addr(x) for x in a["addrs"]))
            excused.setdefault(k, []).append("#%d %s" % (a["frame"], a["event"]))
    res = flowcmp.compare(mflows, sflows, excused)
    problems += res.failures
    # pair manifest flows with sensor flows (key, then order) for the details
    groups = collections.defaultdict(list)
    for s in sorted(sflows, key=lambda x: (x.get("start") or 0)):
        groups[eve.flow_key(s)].append(s)
    for mf, rec in zip(m["flows"], mflows):
        cands = groups.get(eve.flow_key(rec))
        if cands:
            problems += check_flow_events(mf, cands.pop(0), run.events, bool(city or asn))
    # decoder anomalies
    got = collections.Counter()
    for e in run.of_type("anomaly"):
        ev = e.get("anomaly", {}).get("event", "")
        got[ev[len("decoder."):] if ev.startswith("decoder.") else ev] += 1
    want = collections.Counter(m.get("anomalies", {}))
    problems += diff_counters("anomaly", want, got)
    stats = run.of_type("stats")
    if not stats:
        problems.append("no stats event")
    else:
        pk = stats[-1].get("stats", {}).get("decoder", {}).get("pkts")
        if pk != m["packets"]:
            problems.append("stats.decoder.pkts %s, capture has %d" % (pk, m["packets"]))
    problems += check_identity(run.events)
    print("%s: %s (%d flows, %d events)" % ("ok" if not problems else "MISMATCH", pcap,
                                            len(mflows), len(run.events)))
    for p in problems:
        print("  FAIL " + p)
    for t in res.tolerated:
        print("  tolerated " + t)
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("captures", nargs="+")
    ap.add_argument("--sensor")
    ap.add_argument("--self", action="store_true", dest="self_check")
    ap.add_argument("--geoip-city")
    ap.add_argument("--geoip-asn")
    args = ap.parse_args()
    if not args.self_check:
        if not args.sensor or not os.access(args.sensor, os.X_OK):
            print("skipped: sensor binary %s not built" % args.sensor)
            return SKIP
        for db in (args.geoip_city, args.geoip_asn):
            if db and not os.path.exists(db):
                print("skipped: GeoIP database %s not present" % db)
                return SKIP
    tools = tf.missing_tools("tshark", "ndpiReader") if args.self_check else []
    if tools:
        print("skipped: %s not installed" % ", ".join(tools))
        return SKIP
    ok = 0
    for pcap in args.captures:
        if args.self_check:
            ok += self_check(pcap)
        else:
            ok += sensor_check(pcap, args.sensor, args.geoip_city, args.geoip_asn)
    print("%d passed, %d failed" % (ok, len(args.captures) - ok))
    return 0 if ok == len(args.captures) else 1


if __name__ == "__main__":
    sys.exit(main())
