"""flowcmp.py -- match expected flows to observed ones and list differences.

Flows are matched by key (vlan ids, protocol, unordered endpoints); several
flows with one key (port reuse, timeouts) are paired in start order. A pair
must agree exactly on direction (which side is src) and on packets and bytes
each way. Differences that frames excluded from the oracle can explain (same
address pair) are reported as tolerated, not as failures."""

from eve import flow_key

COUNT_FIELDS = ("pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient")


def fmt_flow(f):
    sp = ":%s" % f["src_port"] if f.get("src_port") is not None else ""
    dp = ":%s" % f["dest_port"] if f.get("dest_port") is not None else ""
    vl = " vlan=%s" % f["vlan"] if f.get("vlan") else ""
    return "%s %s%s -> %s%s%s" % (f["proto"], f["src_ip"], sp, f["dest_ip"], dp, vl)


def fmt_counts(f):
    return "pkts %s/%s bytes %s/%s" % tuple(f.get(k) for k in COUNT_FIELDS)


class Result:
    def __init__(self):
        self.exact = 0
        self.tolerated = []
        self.failures = []

    @property
    def ok(self):
        return not self.failures


def _group(flows):
    groups = {}
    for i, f in enumerate(flows):
        groups.setdefault(flow_key(f), []).append((f.get("start") or 0, i, f))
    for k in groups:
        groups[k].sort(key=lambda t: (t[0], t[1]))
    return groups


def compare(expected, actual, excused=None):
    """expected/actual: lists of flow dicts. excused: {(vlan, frozenset of
    two addresses): [frame descriptions]} of oracle-excluded frames."""
    excused = excused or {}
    res = Result()
    eg, ag = _group(expected), _group(actual)

    def excuse(f):
        k = (tuple(f.get("vlan") or ()), frozenset((f["src_ip"], f["dest_ip"])))
        return excused.get(k) or excused.get(((), k[1]))

    for key in sorted(set(eg) | set(ag), key=str):
        el = [t[2] for t in eg.get(key, [])]
        al = [t[2] for t in ag.get(key, [])]
        for i in range(max(len(el), len(al))):
            e = el[i] if i < len(el) else None
            a = al[i] if i < len(al) else None
            if e is None:
                why = excuse(a)
                if why and a["pkts_toserver"] + a["pkts_toclient"] > len(why):
                    why = None  # more packets than excluded frames could make
                msg = "extra flow %s (%s)" % (fmt_flow(a), fmt_counts(a))
                (res.tolerated if why else res.failures).append(
                    msg + ("; excluded frames on this address pair: %s" % why[:3] if why else ""))
                continue
            if a is None:
                why = excuse(e)
                msg = "missing flow %s (%s)" % (fmt_flow(e), fmt_counts(e))
                (res.tolerated if why else res.failures).append(
                    msg + ("; excluded frames: %s" % why[:3] if why else ""))
                continue
            diffs = []
            if (e["src_ip"], e.get("src_port")) != (a["src_ip"], a.get("src_port")):
                diffs.append("direction: expected src %s, got src %s:%s" % (
                    e["src_ip"] + (":%s" % e["src_port"] if e.get("src_port") is not None else ""),
                    a["src_ip"], a.get("src_port")))
                # compare counts with the sides swapped back
                a = dict(a)
                a["pkts_toserver"], a["pkts_toclient"] = a["pkts_toclient"], a["pkts_toserver"]
                a["bytes_toserver"], a["bytes_toclient"] = a["bytes_toclient"], a["bytes_toserver"]
            for k in COUNT_FIELDS:
                if e.get(k) != a.get(k):
                    diffs.append("%s expected %s got %s" % (k, e.get(k), a.get(k)))
            if not diffs:
                res.exact += 1
                continue
            msg = "%s: %s" % (fmt_flow(e), "; ".join(diffs))
            why = excuse(e)
            extra = abs(e["pkts_toserver"] + e["pkts_toclient"]
                        - a["pkts_toserver"] - a["pkts_toclient"])
            if why and extra > len(why):
                why = None
            only_counts = all(not d.startswith("direction") for d in diffs)
            if why and only_counts:
                res.tolerated.append(msg + "; excluded frames: %s" % why[:3])
            else:
                res.failures.append(msg)
    return res
