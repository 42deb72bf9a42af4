#!/usr/bin/python3
"""The incident store end to end, with a private Redis (appliance/redis.sh)
and its real ACL users: matches applied by incidents_driver as `correlator`
(the C API incident_apply), analysts' work through `socctl incidents` as
`console`, everything checked in Redis as `admin`.

    incidents_test.py --driver BIN --socctl BIN

Checks: creation (every field, sets, queues, counters, SLA deadlines,
timeline), re-applying a match id (nothing changes, same answer), extension
(dedup: count, times, priority and severity raised, SLA moved, IP sets and
evidence/sample caps), a new incident once the old one is resolved, links by
source IP and by asset within the window and none outside it, every status
transition and every refusal (36 pairs), status counters and the open queue
against a model after each step, assign/unassign queues, comments, merge
(and matches of the merged group extending the survivor), socctl list/show
JSON field names and values, table output, filters and --overdue, scripts
flushed from Redis. Exit 0 pass, 1 fail, 77 skip.
"""

import argparse
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REDIS_SH = os.path.join(ROOT, "appliance", "redis.sh")

P = "soc:incident:{inc}:"
Q = "soc:queue:{inc}:"
SEC = 1000000
T0 = 1772353800 * SEC  # 2026-03-01T08:30:00Z: "now" of the correlator's applies
E0 = 1772350000 * SEC  # 2026-03-01T07:26:40Z: event times
STATUSES = ["new", "acknowledged", "investigating", "resolved", "false_positive", "closed"]
OPEN = {"new", "acknowledged", "investigating"}
# the workflow of issue 5, written out (from -> allowed targets)
ALLOWED = {
    "new": ["acknowledged"],
    "acknowledged": ["investigating"],
    "investigating": ["resolved", "false_positive"],
    "resolved": ["investigating", "closed"],
    "false_positive": ["investigating", "closed"],
    "closed": ["investigating"],
}
# configuration of this test: small caps so they are reached
CONFIG = """correlator:
  incidents:
    evidence-max: 4
    samples-max: 2
    ips-max: 3
    link-window: 1h
    sla:
      p1: {acknowledge: 15m, resolve: 4h}
      p2: {acknowledge: 1h, resolve: 1d}
"""
SLA = {1: (900, 14400), 2: (3600, 86400), 3: (14400, 259200), 4: (86400, 604800),
       5: (259200, 2592000)}


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, []

    def ok(self, cond, what):
        if cond:
            self.passed += 1
            print("ok: " + what)
        else:
            self.failed.append(what)
            print("FAIL: " + what)
        return cond

    def eq(self, got, want, what):
        if not self.ok(got == want, what):
            print("   got:  %r\n   want: %r" % (got, want))
        return got == want


T = Checks()


# ---- a small RESP client (admin's view of Redis) ----------------------------------

class RedisError(Exception):
    pass


class Redis:
    def __init__(self, path, user, password):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.f = self.s.makefile("rb")
        self.cmd("AUTH", user, password)

    def cmd(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.f.readline()[:-2]
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RedisError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode("utf-8", "surrogateescape")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RedisError("bad reply %r" % line)

    def hgetall(self, key):
        r = self.cmd("HGETALL", key)
        return dict(zip(r[::2], r[1::2]))

    def zrange(self, key):
        r = self.cmd("ZRANGE", key, 0, -1, "WITHSCORES")
        return [(r[i], int(float(r[i + 1]))) for i in range(0, len(r), 2)]

    def smembers(self, key):
        return sorted(self.cmd("SMEMBERS", key))

    def timeline(self, iid):
        out = []
        for _, kv in self.cmd("XRANGE", P + iid + ":timeline", "-", "+"):
            out.append(dict(zip(kv[::2], kv[1::2])))
        return out

    def snapshot(self):
        """Every soc:* key with its type and whole content (not TTLs)."""
        keys, cursor = [], "0"
        while True:
            cursor, batch = self.cmd("SCAN", cursor, "MATCH", "soc:*", "COUNT", 1000)
            keys += batch
            if cursor == "0":
                break
        snap = {}
        for k in sorted(keys):
            t = self.cmd("TYPE", k)
            if t == "hash":
                v = self.hgetall(k)
            elif t == "set":
                v = self.smembers(k)
            elif t == "list":
                v = self.cmd("LRANGE", k, 0, -1)
            elif t == "zset":
                v = self.cmd("ZRANGE", k, 0, -1, "WITHSCORES")
            elif t == "stream":
                v = self.cmd("XRANGE", k, "-", "+")
            else:
                v = self.cmd("GET", k)
            snap[k] = (t, v)
        return snap


# ---- the programs under test -----------------------------------------------------------

class Driver:
    """incidents_driver as a coprocess: a match in, an answer out."""

    def __init__(self, path, sock, secrets, config, user="correlator"):
        self.p = subprocess.Popen(
            [path, "--socket", sock, "--user", user, "--password-file",
             os.path.join(secrets, user + ".pass"), "--config", config],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def apply(self, m):
        self.p.stdin.write(json.dumps(m) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


class Socctl:
    def __init__(self, path, sock, config):
        self.path = path
        self.env = dict(os.environ, SOC_REDIS_SOCKET=sock, SOC_CONFIG=config)
        for v in ("SOC_ACTOR", "SUDO_USER"):
            self.env.pop(v, None)

    def run(self, *args, actor="alice"):
        cmd = [self.path, "incidents"] + list(args)
        if actor:
            cmd += ["--actor", actor]
        r = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout, r.stderr.strip()

    def json(self, *args):
        rc, out, err = self.run(*args, "--json", actor=None)
        if rc != 0:
            raise RuntimeError("socctl %s: %s" % (" ".join(args), err))
        return json.loads(out)


def match(mid, rule="scan.h", group="src_ip=1.2.3.4", prio=2, sev=3, first=E0,
          last=E0 + 60 * SEC, count=5, src=("1.2.3.4",), dest=(), asset="", level=0,
          events=(), samples=(), now=T0, tactics=(), techniques=(), version=1,
          title="Port scan"):
    return {"now": now, "match_id": mid, "rule_id": rule, "rule_version": version,
            "title": title, "severity": sev, "priority": prio, "group_key": group,
            "first_seen": first, "last_seen": last, "count": count, "src_ips": list(src),
            "dest_ips": list(dest), "asset_name": asset, "asset_level": level,
            "tactics": list(tactics), "techniques": list(techniques),
            "event_ids": list(events), "samples": list(samples)}


def eve_time(usec):
    """EVE timestamp, computed here independently of the C writer."""
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=usec)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d+0000" % (usec % SEC)


class Model:
    """What the status counters and the open queue must hold."""

    def __init__(self):
        self.status, self.prio, self.first = {}, {}, {}

    def add(self, iid, prio, first):
        self.status[iid], self.prio[iid], self.first[iid] = "new", prio, first

    def check(self, admin, what):
        counts = {s: 0 for s in STATUSES}
        for s in self.status.values():
            counts[s] += 1
        got = {k: int(v) for k, v in admin.hgetall(Q + "by_status").items() if int(v) != 0}
        T.eq(got, {k: v for k, v in counts.items() if v}, what + ": status counters")
        want = sorted((i for i, s in self.status.items() if s in OPEN),
                      key=lambda i: (self.prio[i] * 10**13 + self.first[i] // SEC, i))
        T.eq([i for i, _ in admin.zrange(Q + "open")], want, what + ": open queue")
        T.eq(sorted(i for i, _ in admin.zrange(P + "all")), sorted(self.status),
             what + ": index of all incidents")


# ---- the steps -----------------------------------------------------------------------------

def step_create(drv, admin, model):
    m = match("m1", dest=["10.0.0.2", "10.0.0.1"], asset="portal", level=3,
              events=["s:b:1", "s:b:2"], samples=['{"event_type":"flow","n":1}'],
              tactics=["TA0043"], techniques=["T1046"])
    T.eq(drv.apply(m), {"id": "INC-2026-000001", "created": True}, "create: first match opens")
    model.add("INC-2026-000001", 2, E0)
    h = admin.hgetall(P + "INC-2026-000001")
    want = {"id": "INC-2026-000001", "title": "Port scan", "rule_id": "scan.h",
            "rule_version": "1", "severity": "3", "priority": "2", "status": "new",
            "group_key": "src_ip=1.2.3.4", "first_seen": str(E0),
            "last_seen": str(E0 + 60 * SEC), "count": "5", "asset_name": "portal",
            "asset_level": "3", "created_at": str(T0), "updated_at": str(T0),
            "sla_acknowledge_by": str(T0 + 3600 * SEC),
            "sla_resolve_by": str(T0 + 86400 * SEC), "evidence_total": "2",
            "fwd_version": "1"}
    T.eq(h, want, "create: the record")
    k = P + "INC-2026-000001:"
    T.eq(admin.smembers(k + "src_ips"), ["1.2.3.4"], "create: src_ips")
    T.eq(admin.smembers(k + "dest_ips"), ["10.0.0.1", "10.0.0.2"], "create: dest_ips")
    T.eq(admin.smembers(k + "tactics") + admin.smembers(k + "techniques"), ["TA0043", "T1046"],
         "create: attack ids")
    T.eq(admin.cmd("LRANGE", k + "evidence:first", 0, -1), ["s:b:1", "s:b:2"],
         "create: evidence")
    T.eq(admin.cmd("LRANGE", k + "samples:first", 0, -1), ['{"event_type":"flow","n":1}'],
         "create: samples")
    score = 2 * 10**13 + E0 // SEC
    T.eq(admin.zrange(Q + "open"), [("INC-2026-000001", score)], "create: queue score")
    T.eq(admin.zrange(Q + "asset:portal"), [("INC-2026-000001", score)], "create: asset queue")
    T.eq(admin.hgetall(P + "dedup"), {"scan.h\tsrc_ip=1.2.3.4": "INC-2026-000001"},
         "create: dedup slot")
    tl = admin.timeline("INC-2026-000001")
    T.eq(tl, [{"ts": str(T0), "actor": "correlator", "action": "created", "field": "status",
               "old": "", "new": "new", "match": "m1"}], "create: timeline")
    ttl = admin.cmd("TTL", "soc:corr:{inc}:match:m1")
    T.ok(7 * 86400 - 60 < ttl <= 7 * 86400, "create: match id remembered for 7 days (%d s)" % ttl)
    model.check(admin, "create")
    return m


def step_reapply(drv, admin, m1):
    before = admin.snapshot()
    T.eq(drv.apply(m1), {"id": "INC-2026-000001", "created": True},
         "re-apply: same match id answers as the first time")
    m1b = dict(m1, now=T0 + 999 * SEC, count=1000)
    T.eq(drv.apply(m1b), {"id": "INC-2026-000001", "created": True},
         "re-apply: same id with other content changes nothing either")
    T.ok(admin.snapshot() == before, "re-apply: Redis unchanged, key for key")


def step_extend(drv, admin, model):
    m2 = match("m2", prio=1, sev=4, count=3, first=E0 - 100 * SEC, last=E0 + 160 * SEC,
               dest=["10.0.0.3", "10.0.0.4"], src=["1.2.3.4"], asset="other", level=5,
               events=["s:b:2", "s:b:3", "s:b:4", "s:b:5", "s:b:6"],
               samples=["{\"n\":2}", "{\"n\":3}"], now=T0 + 100 * SEC, version=2)
    T.eq(drv.apply(m2), {"id": "INC-2026-000001", "created": False},
         "extend: same rule and group extends")
    model.first["INC-2026-000001"] = E0 - 100 * SEC
    model.prio["INC-2026-000001"] = 1
    h = admin.hgetall(P + "INC-2026-000001")
    got = {f: h[f] for f in ("count", "priority", "severity", "first_seen", "last_seen",
                             "rule_version", "asset_name", "asset_level", "updated_at",
                             "sla_acknowledge_by", "sla_resolve_by", "evidence_total",
                             "created_at")}
    T.eq(got, {"count": "8", "priority": "1", "severity": "4",
               "first_seen": str(E0 - 100 * SEC), "last_seen": str(E0 + 160 * SEC),
               "rule_version": "2", "asset_name": "portal", "asset_level": "3",
               "updated_at": str(T0 + 100 * SEC), "sla_acknowledge_by": str(T0 + 900 * SEC),
               "sla_resolve_by": str(T0 + 14400 * SEC), "evidence_total": "6",
               "created_at": str(T0)},
         "extend: count summed, times widened, P1 and severity 4 taken, SLA from creation")
    k = P + "INC-2026-000001:"
    T.eq(admin.smembers(k + "dest_ips"), ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
         "extend: dest_ips capped at ips-max 3")
    # evidence-max 4: the first two ids and the latest two; s:b:2 came twice
    T.eq(admin.cmd("LRANGE", k + "evidence:first", 0, -1) +
         admin.cmd("LRANGE", k + "evidence:last", 0, -1), ["s:b:1", "s:b:2", "s:b:5", "s:b:6"],
         "extend: evidence keeps the first and the latest")
    T.eq(admin.smembers(k + "evidence:set"), ["s:b:1", "s:b:2", "s:b:5", "s:b:6"],
         "extend: evidence set holds what the lists hold")
    T.eq(admin.cmd("LRANGE", k + "samples:first", 0, -1) +
         admin.cmd("LRANGE", k + "samples:last", 0, -1), ['{"event_type":"flow","n":1}', '{"n":3}'],
         "extend: samples capped at 2 (first, latest)")
    score = 1 * 10**13 + (E0 - 100 * SEC) // SEC
    T.eq(admin.zrange(Q + "open"), [("INC-2026-000001", score)], "extend: queue score moved")
    tl = admin.timeline("INC-2026-000001")[1:]
    now = str(T0 + 100 * SEC)
    want = [("extended", "count", "5", "8"), ("changed", "priority", "2", "1"),
            ("changed", "sla_acknowledge_by", str(T0 + 3600 * SEC), str(T0 + 900 * SEC)),
            ("changed", "sla_resolve_by", str(T0 + 86400 * SEC), str(T0 + 14400 * SEC)),
            ("changed", "severity", "3", "4"), ("changed", "rule_version", "1", "2"),
            ("added", "dest_ips", "", "10.0.0.3")]
    T.eq([(e["action"], e["field"], e["old"], e["new"]) for e in tl], want,
         "extend: timeline entries")
    T.ok(all(e["actor"] == "correlator" and e["ts"] == now for e in tl),
         "extend: entries by the correlator at apply time")
    T.eq(tl[0].get("match"), "m2", "extend: entry names the match")
    # a less urgent, less severe match lowers nothing
    T.eq(drv.apply(match("m2b", prio=4, sev=1, count=1, now=T0 + 110 * SEC)),
         {"id": "INC-2026-000001", "created": False}, "extend: a P4 match")
    h = admin.hgetall(P + "INC-2026-000001")
    T.eq((h["priority"], h["severity"], h["count"]), ("1", "4", "9"),
         "extend: priority and severity never drop")
    model.check(admin, "extend")


def step_links(drv, admin, model):
    r = drv.apply(match("m3", rule="brute.ssh", src=["1.2.3.4"], prio=3, sev=2,
                        title="SSH brute force", first=E0 + 1800 * SEC, last=E0 + 1900 * SEC))
    T.eq(r, {"id": "INC-2026-000002", "created": True}, "links: another rule, same source")
    model.add("INC-2026-000002", 3, E0 + 1800 * SEC)
    r = drv.apply(match("m4", rule="dns.tunnel", group="src_ip=5.6.7.8", src=["5.6.7.8"],
                        asset="portal", level=3, prio=3, first=E0 + 3000 * SEC,
                        last=E0 + 3100 * SEC, title="DNS tunnel"))
    T.eq(r, {"id": "INC-2026-000003", "created": True}, "links: another source, same asset")
    model.add("INC-2026-000003", 3, E0 + 3000 * SEC)
    # 1.2.3.4 again but hours after the others' last activity: not related
    r = drv.apply(match("m5", rule="beacon", src=["1.2.3.4"], prio=4,
                        first=E0 + 5 * 3600 * SEC, last=E0 + 5 * 3600 * SEC, title="Beacon"))
    T.eq(r, {"id": "INC-2026-000004", "created": True}, "links: same source, hours later")
    model.add("INC-2026-000004", 4, E0 + 5 * 3600 * SEC)
    links = {i: admin.smembers(P + i + ":links") for i in
             ("INC-2026-000001", "INC-2026-000002", "INC-2026-000003", "INC-2026-000004")}
    T.eq(links, {"INC-2026-000001": ["INC-2026-000002", "INC-2026-000003"],
                 "INC-2026-000002": ["INC-2026-000001"],
                 "INC-2026-000003": ["INC-2026-000001"],
                 "INC-2026-000004": []},
         "links: both ways by source IP and by asset, within the window only")
    tl = admin.timeline("INC-2026-000003")
    T.eq([(e["action"], e["field"], e["new"]) for e in tl],
         [("created", "status", "new"), ("linked", "links", "INC-2026-000001")],
         "links: timeline entry on the new incident")
    T.eq([(e["action"], e["new"]) for e in admin.timeline("INC-2026-000001")[-2:]],
         [("linked", "INC-2026-000002"), ("linked", "INC-2026-000003")],
         "links: timeline entries on the old one")
    model.check(admin, "links")


def expect_refused(ctl, args, msg, what):
    rc, out, err = ctl.run(*args)
    T.eq((rc, err), (1, "socctl incidents: " + msg), what)


def step_workflow(drv, ctl, admin, model):
    i1 = "INC-2026-000001"
    expect_refused(ctl, ["status", i1, "investigating"],
                   "%s: cannot change status from new to investigating (allowed from new: "
                   "acknowledged)" % i1, "workflow: new -> investigating refused")
    rc, out, err = ctl.run("ack", i1)
    T.eq((rc, out), (0, "%s acknowledged by alice\n" % i1), "workflow: ack")
    model.status[i1] = "acknowledged"
    h = admin.hgetall(P + i1)
    T.ok(abs(int(h["acknowledged_at"]) - time.time() * SEC) < 60 * SEC,
         "workflow: acknowledged_at is the time of the ack")
    expect_refused(ctl, ["ack", i1], "%s is already acknowledged" % i1, "workflow: ack twice")
    expect_refused(ctl, ["status", i1, "closed"],
                   "%s: cannot change status from acknowledged to closed (allowed from "
                   "acknowledged: investigating)" % i1, "workflow: acknowledged -> closed")
    T.eq(ctl.run("status", i1, "investigating")[0], 0, "workflow: investigating")
    model.status[i1] = "investigating"
    T.eq(ctl.run("status", i1, "resolved")[0], 0, "workflow: resolved")
    model.status[i1] = "resolved"
    h = admin.hgetall(P + i1)
    T.ok("resolved_at" in h and "closed_at" not in h, "workflow: resolved_at set")
    T.eq(admin.zrange(Q + "asset:portal"), [("INC-2026-000003", 3 * 10**13 + E0 // SEC + 3000)],
         "workflow: resolved leaves the asset queue")
    T.ok("scan.h\tsrc_ip=1.2.3.4" not in admin.hgetall(P + "dedup"),
         "workflow: resolved frees the dedup slot")
    model.check(admin, "workflow resolved")
    # the same match id again: still the first answer, no new incident
    T.eq(drv.apply(match("m1")), {"id": i1, "created": True},
         "workflow: old match id after resolve is still a no-op")
    # a new match of the same rule and group opens a new incident
    r = drv.apply(match("m6", first=E0 + 7200 * SEC, last=E0 + 7200 * SEC, now=T0 + 200 * SEC))
    T.eq(r, {"id": "INC-2026-000005", "created": True}, "workflow: new incident after resolve")
    model.add("INC-2026-000005", 2, E0 + 7200 * SEC)
    # reopen: the newer incident keeps the dedup slot
    T.eq(ctl.run("status", i1, "investigating")[0], 0, "workflow: reopen resolved")
    model.status[i1] = "investigating"
    h = admin.hgetall(P + i1)
    T.ok("resolved_at" not in h, "workflow: reopen clears resolved_at")
    T.eq(admin.hgetall(P + "dedup")["scan.h\tsrc_ip=1.2.3.4"],
         "INC-2026-000005", "workflow: reopen leaves the newer incident its dedup slot")
    for to in ("false_positive", "closed", "investigating", "resolved", "closed"):
        T.eq(ctl.run("status", i1, to)[0], 0, "workflow: %s" % to)
        model.status[i1] = to
    h = admin.hgetall(P + i1)
    T.ok("closed_at" in h and "resolved_at" in h, "workflow: closed keeps resolved_at")
    tl = [(e["action"], e["old"], e["new"], e["actor"])
          for e in admin.timeline(i1) if e["action"] == "status"]
    T.eq(tl, [("status", "new", "acknowledged", "alice"),
              ("status", "acknowledged", "investigating", "alice"),
              ("status", "investigating", "resolved", "alice"),
              ("status", "resolved", "investigating", "alice"),
              ("status", "investigating", "false_positive", "alice"),
              ("status", "false_positive", "closed", "alice"),
              ("status", "closed", "investigating", "alice"),
              ("status", "investigating", "resolved", "alice"),
              ("status", "resolved", "closed", "alice")], "workflow: timeline of every change")
    model.check(admin, "workflow")
    expect_refused(ctl, ["status", "INC-2026-999999", "acknowledged"],
                   "no incident INC-2026-999999", "workflow: unknown incident")
    rc, out, err = ctl.run("status", "INC-1", "acknowledged")
    T.eq((rc, err), (1, "socctl incidents: 'INC-1' is not an incident id (INC-YYYY-NNNNNN)"),
         "workflow: malformed id")
    rc, out, err = ctl.run("status", i1, "done")
    T.eq(rc, 2, "workflow: unknown status name is a usage error")


def step_matrix(drv, ctl, admin, model):
    """Every (from, to) pair on an incident of its own."""
    paths = {"new": [], "acknowledged": ["acknowledged"],
             "investigating": ["acknowledged", "investigating"],
             "resolved": ["acknowledged", "investigating", "resolved"],
             "false_positive": ["acknowledged", "investigating", "false_positive"],
             "closed": ["acknowledged", "investigating", "resolved", "closed"]}
    n, bad = 0, []
    for frm in STATUSES:
        for to in STATUSES:
            n += 1
            r = drv.apply(match("mx-%s-%s" % (frm, to), rule="matrix",
                                group="%s>%s" % (frm, to), prio=5, src=["192.0.2.%d" % n],
                                first=E0 + n * SEC,
                                last=E0 + n * SEC, now=T0 + 300 * SEC))
            iid = r["id"]
            model.add(iid, 5, E0 + n * SEC)
            for s in paths[frm]:
                if ctl.run("status", iid, s)[0] != 0:
                    bad.append("path %s to %s" % (iid, s))
                model.status[iid] = s
            rc, out, err = ctl.run("status", iid, to)
            if to in ALLOWED[frm]:
                if rc != 0 or out != "%s is now %s (by alice)\n" % (iid, to):
                    bad.append("%s -> %s: %s %s" % (frm, to, out, err))
                model.status[iid] = to
                got = admin.hgetall(P + iid)["status"]
                if got != to:
                    bad.append("%s -> %s: stored %s" % (frm, to, got))
            else:
                if to == frm:
                    want = "%s is already %s" % (iid, to)
                else:
                    want = ("%s: cannot change status from %s to %s (allowed from %s: %s)"
                            % (iid, frm, to, frm, ", ".join(ALLOWED[frm])))
                if (rc, err) != (1, "socctl incidents: " + want):
                    bad.append("%s -> %s: rc %d, %s" % (frm, to, rc, err))
    T.eq(bad, [], "matrix: 36 transitions, allowed ones done, others refused exactly")
    model.check(admin, "matrix")


def step_assign(ctl, admin):
    i2 = "INC-2026-000002"
    T.eq(ctl.run("assign", i2, "bob"), (0, "%s assigned to bob by alice\n" % i2, ""),
         "assign: bob")
    score = 3 * 10**13 + E0 // SEC + 1800
    T.eq(admin.zrange(Q + "assignee:bob"), [(i2, score)], "assign: bob's queue")
    T.eq(ctl.run("assign", i2, "carol")[0], 0, "assign: carol")
    T.eq((admin.zrange(Q + "assignee:bob"), admin.zrange(Q + "assignee:carol")),
         ([], [(i2, score)]), "assign: moved from bob's queue to carol's")
    expect_refused(ctl, ["assign", i2, "carol"], "%s is already assigned to carol" % i2,
                   "assign: same again")
    T.eq(ctl.run("assign", i2, "-")[:2], (0, "%s unassigned by alice\n" % i2),
         "assign: unassign")
    T.eq(admin.zrange(Q + "assignee:carol"), [], "assign: unassigned leaves the queue")
    T.eq(ctl.run("assign", i2, "bob")[0], 0, "assign: bob again")
    rc, out, err = ctl.run("assign", i2, "bad name")
    T.eq((rc, err), (1, "socctl incidents: assignee 'bad name' must be 1..64 letters, digits or "
                        ". _ @ -"), "assign: bad user name")
    tl = [(e["field"], e["old"], e["new"]) for e in admin.timeline(i2) if e["action"] == "assigned"]
    T.eq(tl, [("assignee", "", "bob"), ("assignee", "bob", "carol"), ("assignee", "carol", ""),
              ("assignee", "", "bob")], "assign: timeline")
    # closing takes it out of the assignee's queue, reopening puts it back
    i4 = "INC-2026-000004"
    ctl.run("assign", i4, "bob")
    T.eq([i for i, _ in admin.zrange(Q + "assignee:bob")], [i2, i4], "assign: bob has two")


def step_comment(ctl, admin):
    i2 = "INC-2026-000002"
    text = "called the portal team\nline two\twith tab"
    T.eq(ctl.run("comment", i2, text, actor="dave")[:2],
         (0, "%s: comment added by dave\n" % i2), "comment: added")
    e = admin.timeline(i2)[-1]
    T.eq((e["actor"], e["action"], e["field"], e["old"], e["new"]),
         ("dave", "comment", "comment", "", text), "comment: in the timeline")
    rc, out, err = ctl.run("comment", i2, "bell\x07")
    T.eq((rc, err), (1, "socctl incidents: a comment must be UTF-8 text without control "
                        "characters (but newline and tab)"), "comment: control byte refused")
    rc, out, err = ctl.run("comment", i2, "x" * 4097)
    T.eq((rc, err), (1, "socctl incidents: a comment is 1..4096 bytes"), "comment: too long")
    env = dict(ctl.env)
    ctl.env = dict(env, SOC_ACTOR="erin", USER="frank")
    rc, out, err = ctl.run("comment", i2, "from the environment", actor=None)
    T.ok(rc == 0 and admin.timeline(i2)[-1]["actor"] == "erin", "comment: actor $SOC_ACTOR")
    ctl.env = dict(env, USER="frank")
    ctl.run("comment", i2, "from $USER", actor=None)
    T.eq(admin.timeline(i2)[-1]["actor"], "frank", "comment: actor $USER")
    ctl.env = env


def step_merge(drv, ctl, admin, model):
    a, b = "INC-2026-000002", "INC-2026-000003"
    ha, hb = admin.hgetall(P + a), admin.hgetall(P + b)
    expect_refused(ctl, ["merge", a, a], "cannot merge %s into itself" % a, "merge: into itself")
    expect_refused(ctl, ["merge", "INC-2026-000001", a],
                   "INC-2026-000001 is closed: only an open incident (new, acknowledged, "
                   "investigating) can take in another; reopen it first", "merge: into closed")
    rc, out, err = ctl.run("merge", a, b)
    T.eq((rc, out), (0, "%s merged into %s by alice\n" % (b, a)), "merge: done")
    model.status[b] = "closed"
    h = admin.hgetall(P + a)
    T.eq((h["count"], h["asset_name"], h["asset_level"], h["last_seen"], h["first_seen"]),
         (str(int(ha["count"]) + int(hb["count"])), "portal", "3", hb["last_seen"],
          ha["first_seen"]), "merge: count summed, asset and last_seen taken")
    T.eq(admin.smembers(P + a + ":src_ips"), ["1.2.3.4", "5.6.7.8"], "merge: src_ips united")
    T.eq(admin.smembers(P + a + ":merged_from"), [b], "merge: merged_from")
    h3 = admin.hgetall(P + b)
    T.eq((h3["status"], h3["merged_into"]), ("closed", a), "merge: merged one closed")
    T.ok("closed_at" in h3, "merge: closed_at set")
    T.eq([i for i, _ in admin.zrange(Q + "asset:portal")], [a],
         "merge: survivor in the asset queue, merged one out")
    T.eq([(e["action"], e["field"], e["new"]) for e in admin.timeline(b)[-2:]],
         [("status", "status", "closed"), ("merged", "merged_into", a)],
         "merge: timeline of the merged incident")
    e = [x for x in admin.timeline(a) if x["action"] == "merged"]
    T.eq([(x["field"], x["old"], x["new"], x["from"]) for x in e],
         [("count", ha["count"], h["count"], b)], "merge: timeline of the survivor")
    model.check(admin, "merge")
    # the merged group's next match extends the survivor
    r = drv.apply(match("m7", rule="dns.tunnel", group="src_ip=5.6.7.8", src=["5.6.7.8"],
                        count=2, first=E0 + 3200 * SEC, last=E0 + 3200 * SEC))
    T.eq(r, {"id": a, "created": False}, "merge: merged group extends the survivor")
    expect_refused(ctl, ["merge", a, b], "%s was already merged into %s" % (b, a),
                   "merge: twice")
    expect_refused(ctl, ["status", b, "investigating"],
                   "%s was merged into %s: work on %s instead" % (b, a, a),
                   "merge: merged incident cannot be reopened")
    # merging a P1 into a P3 raises the survivor, with its SLA
    r = drv.apply(match("m8", rule="crit", group="g8", prio=1, sev=4, src=["7.7.7.7"],
                        first=E0 + 10 * 3600 * SEC, last=E0 + 10 * 3600 * SEC, now=T0 + 500 * SEC))
    model.add(r["id"], 1, E0 + 10 * 3600 * SEC)
    T.eq(ctl.run("merge", a, r["id"])[0], 0, "merge: a P1 into a P3")
    model.status[r["id"]] = "closed"
    model.prio[a] = 1
    h = admin.hgetall(P + a)
    T.eq((h["priority"], h["severity"], h["sla_acknowledge_by"], h["sla_resolve_by"]),
         ("1", "4", str(T0 + 900 * SEC), str(T0 + 14400 * SEC)),
         "merge: priority, severity and SLA of the P1 (from the survivor's creation)")
    model.check(admin, "merge P1")


def step_socctl_json(ctl, admin, model):
    lst = ctl.json("list")
    want_ids = [i for i, _ in admin.zrange(Q + "open")]
    T.eq([x["id"] for x in lst], want_ids, "list --json: the open queue, in order")
    keys = ["id", "title", "rule", "severity", "priority", "status", "assignee", "group_key",
            "first_seen", "last_seen", "count", "src_ips", "dest_ips", "asset", "attack",
            "evidence", "evidence_total", "samples", "sla", "created_at", "updated_at",
            "acknowledged_at", "resolved_at", "closed_at", "time_to_acknowledge",
            "time_to_resolve", "links", "merged_into", "merged_from"]
    T.eq(list(lst[0].keys()), keys, "list --json: member names")
    T.eq([x["status"] for x in lst if x["status"] not in OPEN], [], "list: only open ones")
    one = ctl.json("show", "INC-2026-000001")
    T.eq(list(one.keys()), keys + ["timeline"], "show --json: member names")
    h = admin.hgetall(P + "INC-2026-000001")
    want = {
        "id": "INC-2026-000001", "title": "Port scan",
        "rule": {"id": "scan.h", "version": 2}, "severity": 4, "priority": 1,
        "status": "closed", "assignee": None, "group_key": "src_ip=1.2.3.4",
        "first_seen": eve_time(E0 - 100 * SEC), "last_seen": eve_time(E0 + 160 * SEC),
        "count": 9, "src_ips": ["1.2.3.4"], "dest_ips": ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
        "asset": {"name": "portal", "level": 3},
        "attack": {"tactics": ["TA0043"], "techniques": ["T1046"]},
        "evidence": ["s:b:1", "s:b:2", "s:b:5", "s:b:6"], "evidence_total": 6,
        "samples": [{"event_type": "flow", "n": 1}, {"n": 3}],
        "sla": {"acknowledge_by": eve_time(T0 + 900 * SEC),
                "resolve_by": eve_time(T0 + 14400 * SEC),
                "acknowledge_overdue": False, "resolve_overdue": False},
        "created_at": eve_time(T0), "updated_at": eve_time(int(h["updated_at"])),
        "acknowledged_at": eve_time(int(h["acknowledged_at"])),
        "resolved_at": eve_time(int(h["resolved_at"])),
        "closed_at": eve_time(int(h["closed_at"])),
        "time_to_acknowledge": (int(h["acknowledged_at"]) - T0) // SEC,
        "time_to_resolve": (int(h["resolved_at"]) - T0) // SEC,
        "links": ["INC-2026-000002", "INC-2026-000003"], "merged_into": None,
        "merged_from": []}
    T.eq({k: one[k] for k in keys}, want, "show --json: values")
    tl = one["timeline"]
    T.eq(tl[0], {"time": eve_time(T0), "actor": "correlator", "action": "created",
                 "field": "status", "old": "", "new": "new", "match": "m1"},
         "show --json: first timeline entry")
    T.eq(len(tl), len(admin.timeline("INC-2026-000001")), "show --json: whole timeline")
    # filters
    T.eq([x["id"] for x in ctl.json("list", "--status", "all")],
         [i for i, _ in admin.zrange(P + "all")], "list --status all: every incident in order")
    closed = [i for i, s in model.status.items() if s == "closed"]
    T.eq(sorted(x["id"] for x in ctl.json("list", "--status", "closed")), sorted(closed),
         "list --status closed")
    T.eq([x["id"] for x in ctl.json("list", "--priority", "P1")],
         [i for i in want_ids if model.prio[i] == 1], "list --priority P1")
    T.eq([x["id"] for x in ctl.json("list", "--asset", "portal")], ["INC-2026-000002"],
         "list --asset portal")
    T.eq([x["id"] for x in ctl.json("list", "--assignee", "bob")],
         ["INC-2026-000002", "INC-2026-000004"], "list --assignee bob")
    since = eve_time(E0 + 4 * 3600 * SEC)[:19] + "Z"
    got = [x["id"] for x in ctl.json("list", "--since", since)]
    T.eq(got, [i for i in want_ids
               if int(admin.hgetall(P + i)["last_seen"]) >= E0 + 4 * 3600 * SEC],
         "list --since (last_seen)")
    T.eq(len(ctl.json("list", "--limit", "2")), 2, "list --limit 2")
    # table output
    rc, out, err = ctl.run("list", actor=None)
    lines = out.splitlines()
    T.ok(rc == 0 and lines[0].split() == ["ID", "P", "SEVERITY", "STATUS", "ASSIGNEE", "COUNT",
                                          "FIRST", "SEEN", "LAST", "SEEN", "ASSET", "SLA",
                                          "TITLE"], "list: table header")
    T.eq([ln.split()[0] for ln in lines[1:-1]], want_ids, "list: table rows in queue order")
    T.eq(lines[-1], "%d incidents" % len(want_ids), "list: table footer")
    col = lines[0].index("STATUS")
    T.ok(all(ln[col:].split()[0] in OPEN for ln in lines[1:-1]), "list: columns aligned")
    rc, out, err = ctl.run("show", "INC-2026-000002", actor=None)
    T.ok(rc == 0 and out.startswith("INC-2026-000002  SSH brute force\n") and
         "  assignee       bob\n" in out and "timeline:\n" in out and
         "dave  comment  comment: called the portal team?line two?with tab" in out,
         "show: readable block, control characters masked")


def step_overdue(drv, ctl, admin, model):
    now = int(time.time() * SEC)
    # created now at P5: deadlines days away
    fresh = drv.apply(match("m9", rule="fresh", group="g9", prio=5, src=["8.8.8.8"],
                            first=E0 + 20 * 3600 * SEC, last=E0 + 20 * 3600 * SEC, now=now))
    model.add(fresh["id"], 5, E0 + 20 * 3600 * SEC)
    over = [x["id"] for x in ctl.json("list", "--overdue")]
    open_ids = [i for i, _ in admin.zrange(Q + "open")]
    T.eq(over, [i for i in open_ids if i != fresh["id"]],
         "list --overdue: every open incident born on 2026-03-01, not the fresh one")
    one = ctl.json("show", fresh["id"])
    T.eq(one["sla"], {"acknowledge_by": eve_time(now + 259200 * SEC),
                      "resolve_by": eve_time(now + 2592000 * SEC),
                      "acknowledge_overdue": False, "resolve_overdue": False},
         "show: SLA of a fresh P5 (3d / 30d)")
    old = ctl.json("show", "INC-2026-000004")
    T.eq((old["sla"]["acknowledge_overdue"], old["sla"]["resolve_overdue"]), (True, True),
         "show: old P4 still new is overdue on both")
    rc, out, err = ctl.run("list", "--overdue", actor=None)
    T.ok(all("late" in ln for ln in out.splitlines()[1:-1]), "list --overdue: SLA column")


def step_link_on_extension(drv, admin, model):
    """An incident that gains a source IP is linked to incidents of that IP."""
    t = E0 + 40 * 3600 * SEC
    other = drv.apply(match("m11", rule="r11", group="g11", src=["6.6.6.6"], prio=4,
                            first=t, last=t))
    model.add(other["id"], 4, t)
    grow = drv.apply(match("m12", rule="r12", group="g12", src=["7.1.1.1"], prio=4,
                           first=t + 600 * SEC, last=t + 600 * SEC))
    model.add(grow["id"], 4, t + 600 * SEC)
    T.eq(admin.smembers(P + grow["id"] + ":links"), [], "extension links: none at first")
    r = drv.apply(match("m13", rule="r12", group="g12", src=["7.1.1.1", "6.6.6.6"], prio=4,
                        first=t + 700 * SEC, last=t + 700 * SEC))
    T.eq(r, {"id": grow["id"], "created": False}, "extension links: extended")
    T.eq((admin.smembers(P + grow["id"] + ":links"), admin.smembers(P + other["id"] + ":links")),
         ([other["id"]], [grow["id"]]), "extension links: a new source IP links both ways")
    e = admin.timeline(grow["id"])
    T.eq([(x["action"], x["field"], x["new"]) for x in e[-2:]],
         [("added", "src_ips", "6.6.6.6"), ("linked", "links", other["id"])],
         "extension links: timeline")


def step_scripts_flushed(drv, ctl, admin, model):
    admin.cmd("SCRIPT", "FLUSH")
    r = drv.apply(match("m10", rule="after-flush", group="g10", src=["9.9.9.9"], prio=3,
                        first=E0 + 30 * 3600 * SEC, last=E0 + 30 * 3600 * SEC))
    T.ok(r.get("created") is True, "scripts flushed: apply loads them again")
    model.add(r["id"], 3, E0 + 30 * 3600 * SEC)
    T.ok(len(ctl.json("list")) > 0, "scripts flushed: socctl works")
    model.check(admin, "end")


def outbox(admin, iid):
    """The forwarder's outbox entries of one incident: (version, reason, status, priority)."""
    out = []
    for _, kv in admin.cmd("XRANGE", "soc:outbox:{inc}:changes", "-", "+"):
        e = dict(zip(kv[0::2], kv[1::2]))
        if e["id"] == iid:
            out.append((e["version"], e["reason"], e["status"], e["priority"]))
    return out


def step_outbox(drv, ctl, admin, model):
    """A version for the forwarder when an incident is created, escalated, resolved,
    closed or reopened (by the correlator, an analyst or a merge), and at no other change."""
    g = "src_ip=9.9.9.9"
    a = drv.apply(match("ob1", rule="ob.r", group=g, prio=3, sev=2))["id"]
    model.add(a, 3, E0)
    drv.apply(match("ob2", rule="ob.r", group=g, prio=3, sev=2))
    T.eq(outbox(admin, a), [("1", "created", "new", "3")], "outbox: created, not extended")
    drv.apply(match("ob3", rule="ob.r", group=g, prio=2, sev=2))
    drv.apply(match("ob4", rule="ob.r", group=g, prio=2, sev=4))
    model.prio[a] = 2
    for st in ("acknowledged", "investigating", "resolved", "closed", "investigating"):
        T.eq(ctl.run("status", a, st)[0], 0, "outbox: status " + st)
    model.status[a] = "investigating"
    T.eq(outbox(admin, a), [("1", "created", "new", "3"), ("2", "escalated", "new", "2"),
                            ("3", "escalated", "new", "2"),
                            ("4", "resolved", "resolved", "2"), ("5", "closed", "closed", "2"),
                            ("6", "reopened", "investigating", "2")],
         "outbox: escalations (priority, severity) and status changes by the analyst")
    b = drv.apply(match("ob5", rule="ob.b", group=g, prio=1, sev=4))["id"]
    model.add(b, 1, E0)
    T.eq(ctl.run("merge", a, b)[0], 0, "outbox: merge")
    model.status[b] = "closed"
    model.prio[a] = 1
    T.eq(outbox(admin, a)[-1], ("7", "escalated", "investigating", "1"),
         "outbox: merge raised the priority")
    T.eq(outbox(admin, b), [("1", "created", "new", "1"), ("2", "closed", "closed", "1")],
         "outbox: the merged incident closes")
    model.check(admin, "outbox")


def step_refusals(drv):
    r = drv.apply(match("bad", prio=0))
    T.eq(r, {"rc": -2, "error": "match refused: priority outside 1..5"}, "apply: bad priority")
    r = drv.apply(match("bad", rule="a\tb"))
    T.eq(r["error"], "match refused: rule_id empty, too long or with control characters",
         "apply: tab in rule id")
    r = drv.apply(match("bad", first=E0, last=E0 - 1))
    T.eq(r["error"], "match refused: first_seen/last_seen not 0 < first <= last",
         "apply: times reversed")


def run(args):
    tmp = tempfile.mkdtemp(prefix="inc", dir="/tmp")
    rdir = os.path.join(tmp, "r")
    try:
        sock = subprocess.run(["bash", REDIS_SH, "start", rdir], check=True,
                              capture_output=True, text=True).stdout.strip()
        secrets = os.path.join(rdir, "secrets")
        cfg = os.path.join(tmp, "soc.yaml")
        with open(cfg, "w") as f:
            f.write(CONFIG)
        admin = Redis(sock, "admin", open(os.path.join(secrets, "admin.pass")).read().strip())
        drv = Driver(args.driver, sock, secrets, cfg)
        ctl = Socctl(args.socctl, sock, cfg)
        model = Model()
        try:
            m1 = step_create(drv, admin, model)
            step_reapply(drv, admin, m1)
            step_extend(drv, admin, model)
            step_links(drv, admin, model)
            step_refusals(drv)
            step_workflow(drv, ctl, admin, model)
            step_matrix(drv, ctl, admin, model)
            step_assign(ctl, admin)
            step_comment(ctl, admin)
            step_merge(drv, ctl, admin, model)
            step_socctl_json(ctl, admin, model)
            step_overdue(drv, ctl, admin, model)
            step_link_on_extension(drv, admin, model)
            step_outbox(drv, ctl, admin, model)
            step_scripts_flushed(drv, ctl, admin, model)
        finally:
            drv.close()
    except Exception:
        traceback.print_exc()
        T.failed.append("exception")
    finally:
        subprocess.run(["bash", REDIS_SH, "stop", rdir], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--driver", required=True)
    ap.add_argument("--socctl", required=True)
    args = ap.parse_args()
    for tool in ("redis-server", "redis-cli"):
        if not shutil.which(tool):
            print("skip: %s not installed" % tool)
            return 77
    for b in (args.driver, args.socctl):
        if not os.access(b, os.X_OK):
            print("skip: %s not built" % b)
            return 77
    run(args)
    print("%d passed, %d failed" % (T.passed, len(T.failed)))
    for f in T.failed:
        print("FAILED: " + f)
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
