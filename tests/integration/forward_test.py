#!/usr/bin/python3
"""soc-forwarder end to end: a private Redis (appliance/redis.sh, real ACL
users), incidents made by incidents_driver (as the correlator) and worked
with socctl (as an analyst), the real soc-forwarder, and the test receivers
of tests/receivers (TAXII 2.1 over HTTPS and RFC 5425 syslog, both demanding
our client certificate), with certificates made by the openssl command.

    forward_test.py --forwarder BIN --driver BIN --socctl BIN

Checks:
  - every incident version (created, escalated, resolved, closed) reaches
    both endpoints, in version order per incident; the STIX is valid
    (tests/receivers/stix_validate.py), redacted members are gone, the CEF
    line names the incident and version; a filtered endpoint gets only what
    its filter lets through; each delivery is on the incident's timeline;
  - outage: the TAXII receiver is down during a burst of incidents (and the
    forwarder is killed -9 and Redis restarted meanwhile); once it is back,
    every version arrives, in order per incident, and any duplicate is a
    byte-identical resend; the failures are on the timelines;
  - wrong server certificate (another CA) and wrong name: nothing is sent,
    the reason is on the timeline and in `socctl forward status`;
  - a receiver answering 400: the version is kept aside, counted, and the
    queue goes on.
Exit 0 pass, 1 fail, 77 skip.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "receivers"))
import forward_transport_test as ftt  # noqa: E402
import incidents_test as it  # noqa: E402
import stix_validate  # noqa: E402

T = it.T
SEC = it.SEC
OBJECTS = ftt.OBJECTS_PATH


def config(tmp, taxii_port, high_port, syslog_port, bad_port, refuse_port):
    tls = ("      ca: {d}/a-ca.crt\n      cert: {d}/client.crt\n      key: {d}/client.key\n"
           "      timeout: 3s\n").format(d=tmp)
    return ("forwarder:\n"
            "  rules: ''\n"
            "  identity: {{name: Can Tho city SOC, contact: soc@cantho.gov.vn}}\n"
            "  redact: [incident.samples]\n"
            "  retry: {{initial: 100ms, max: 400ms}}\n"
            "  queue-alarm: 20\n"
            "  endpoints:\n"
            "    - name: ncsc\n"
            "      url: https://localhost:{tp}{objects}\n"
            "      taxii: true\n"
            "      tlp: amber\n{tls}"
            "      redact: [incident.assignee]\n"
            "    - name: ncsc-high\n"
            "      url: https://localhost:{hp}{objects}\n"
            "      taxii: true\n{tls}"
            "      filter: {{min-priority: 2, asset-levels: [3, 4, 5]}}\n"
            "    - name: siem\n"
            "      type: syslog-tls\n"
            "      address: 127.0.0.1:{sp}\n{tls}"
            "    - name: stranger\n"
            "      url: https://localhost:{bp}/stix/bundles/\n{tls}"
            "    - name: misnamed\n"
            "      url: https://localhost:{tp}/stix/bundles/\n"
            "      server-name: ncsc.example.vn\n{tls}"
            "    - name: picky\n"
            "      url: https://localhost:{rp}/stix/bundles/\n{tls}").format(
                tp=taxii_port, hp=high_port, sp=syslog_port, bp=bad_port, rp=refuse_port,
                objects=OBJECTS, tls=tls)


class Forwarder:
    def __init__(self, binary, cfg, sock, secrets, tmp):
        self.args = [binary, "-c", cfg, "--redis-socket", sock, "--redis-password-file",
                     os.path.join(secrets, "forwarder.pass")]
        self.log_path = os.path.join(tmp, "forwarder.log")
        self.proc = None

    def start(self):
        self.logf = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.args, stdout=self.logf, stderr=subprocess.STDOUT)

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.logf.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(15)
                T.eq(rc, 0, "forwarder: clean stop on SIGTERM")
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                T.failed.append("forwarder did not stop on SIGTERM")
            self.logf.close()

    def log(self):
        with open(self.log_path) as f:
            return f.read()


class Env:
    """Redis, receivers, forwarder, driver and socctl of one test run."""

    def __init__(self, args, tmp):
        self.tmp = tmp
        self.rdir = os.path.join(tmp, "r")
        self.sock = subprocess.run(["bash", it.REDIS_SH, "start", self.rdir], check=True,
                                   capture_output=True, text=True).stdout.strip()
        self.secrets = os.path.join(self.rdir, "secrets")
        self.cfg = os.path.join(tmp, "soc.yaml")
        ftt.make_pki(tmp)
        self.taxii = ftt.Receiver(tmp, "taxii")
        self.high = ftt.Receiver(tmp, "taxii")
        self.syslog = ftt.Receiver(tmp, "syslog_tls")
        self.stranger = ftt.Receiver(tmp, "taxii", server="server-b")
        self.picky = ftt.Receiver(tmp, "taxii", extra=["--fail-status", "400"])
        with open(self.cfg, "w") as f:
            f.write(config(tmp, self.taxii.port, self.high.port, self.syslog.port, self.stranger.port,
                           self.picky.port))
        self.admin = self.redis("admin")
        self.drv = it.Driver(args.driver, self.sock, self.secrets, self.cfg)
        self.ctl = it.Socctl(args.socctl, self.sock, self.cfg)
        self.socctl = args.socctl
        self.fwd = Forwarder(args.forwarder, self.cfg, self.sock, self.secrets, tmp)
        self.now = it.T0

    def redis(self, user):
        with open(os.path.join(self.secrets, user + ".pass")) as f:
            return it.Redis(self.sock, user, f.read().strip())

    def apply(self, mid, **kw):
        """One match, with its own wall-clock time (versions differ in updated_at)."""
        self.now += SEC
        return self.drv.apply(it.match(mid, now=self.now, **kw))["id"]

    def status(self):
        env = dict(self.ctl.env)
        r = subprocess.run([self.socctl, "forward", "status", "--json"], env=env,
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("socctl forward status: " + r.stderr)
        return {e["name"]: e for e in json.loads(r.stdout)["endpoints"]}, json.loads(r.stdout)

    def drained(self, names=("ncsc", "ncsc-high", "siem"), timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                eps, whole = self.status()
                if whole["outbox"]["length"] == 0 and all(
                        eps.get(n, {}).get("queued", 1) == 0 for n in names):
                    return True
            except (RuntimeError, ValueError):
                pass
            time.sleep(0.1)
        return False

    def close(self):
        self.fwd.stop()
        for r in (self.taxii, self.high, self.syslog, self.stranger, self.picky):
            r.stop()
        self.drv.close()
        subprocess.run(["bash", it.REDIS_SH, "stop", self.rdir], capture_output=True)


# ---- what the receivers got ------------------------------------------------------------

def stix_versions(records, path):
    """[(incident id, version, body)] of the STIX received on path, in arrival order."""
    out = []
    for r in records:
        if r["path"] != path:
            continue
        doc = json.loads(r["body"])
        ext = None
        for o in doc["objects"]:
            if o["type"] == "incident":
                ext = o["extensions"][stix_ext_id()]
        out.append((ext["incident_id"], ext["version"], r["body"]))
    return out


def stix_ext_id():
    with open(os.path.join(ROOT, "correlator", "forward", "fwd_stix.h")) as f:
        return re.search(r'#define FWD_STIX_EXT_ID "([^"]+)"', f.read()).group(1)


CEF_RE = re.compile(r"CEF:0\|[^|]*\|[^|]*\|[^|]*\|[^|]*\|[^|]*\|\d+\|(.*)$")


def cef_versions(records):
    out = []
    for r in records:
        m = CEF_RE.search(r["msg"])
        ext = dict(re.findall(r"(\w+)=((?:[^=\\]|\\.)*?)(?= \w+=|$)", m.group(1))) if m else {}
        out.append((ext.get("externalId"), ext.get("cn1"), r["msg"]))
    return out


def expect_versions(admin, ids):
    """Every version each incident has had: 1 .. fwd_version."""
    return {i: int(admin.hgetall(it.P + i).get("fwd_version", "0")) for i in ids}


def check_delivery(got, want, what):
    """Every version of every incident, first copies in version order, repeats identical."""
    first, order_ok, dup_ok = {}, True, True
    for iid, ver, body in got:
        key = (iid, int(ver))
        if key in first:
            dup_ok = dup_ok and first[key] == body
            continue
        seen = [v for (i, v) in first if i == iid]
        order_ok = order_ok and all(v < int(ver) for v in seen)
        first[key] = body
    have = {}
    for iid, ver in first:
        have.setdefault(iid, set()).add(ver)
    wanted = {i: set(range(1, n + 1)) for i, n in want.items() if n}
    T.eq({i: sorted(v) for i, v in have.items() if i in wanted},
         {i: sorted(v) for i, v in wanted.items()}, what + ": every version arrived")
    T.ok(order_ok, what + ": in version order per incident")
    T.ok(dup_ok, what + ": duplicates are byte-identical resends")
    return first


# ---- the steps -----------------------------------------------------------------------

def step_normal(env):
    a = env.apply("n1", rule="web.sqli", group="src_ip=203.0.113.5", prio=3, sev=2,
                  src=("203.0.113.5",), dest=("10.20.0.10",), asset="portal", level=3,
                  tactics=("TA0001",), techniques=("T1190",), samples=('{"event_type":"alert"}',))
    env.apply("n2", rule="web.sqli", group="src_ip=203.0.113.5", prio=2, sev=3,
              src=("203.0.113.5",), asset="portal", level=3)
    b = env.apply("n3", rule="scan.h", group="src_ip=10.9.9.9", prio=4, sev=1,
                  src=("10.9.9.9",))
    T.eq(env.ctl.run("assign", a, "bob")[0], 0, "normal: assign")
    for st in ("acknowledged", "investigating", "resolved", "closed"):
        T.eq(env.ctl.run("status", a, st)[0], 0, "normal: status " + st)
    T.ok(env.drained(), "normal: queues drained")
    want = expect_versions(env.admin, [a, b])
    T.eq(want, {a: 4, b: 1}, "normal: versions made (created, escalated, resolved, closed)")
    got = stix_versions(env.taxii.records(), OBJECTS)
    check_delivery(got, want, "normal: ncsc")
    reasons = {}
    for iid, ver, body in got:
        doc = json.loads(body)
        T.eq(stix_validate.validate(doc), [], "normal: %s v%s valid STIX 2.1" % (iid, ver))
        inc = [o for o in doc["objects"] if o["type"] == "incident"][0]
        ext = inc["extensions"][stix_ext_id()]
        reasons[(iid, ver)] = (ext["reason"], ext["status"], ext["priority"])
        T.ok("samples" not in ext and "assignee" not in ext,
             "normal: %s v%s samples (global) and assignee (endpoint) redacted" % (iid, ver))
    T.eq(reasons, {(a, 1): ("created", "new", 3), (a, 2): ("escalated", "new", 2),
                   (a, 3): ("resolved", "resolved", 2), (a, 4): ("closed", "closed", 2),
                   (b, 1): ("created", "new", 4)}, "normal: each version as it stood")
    high = stix_versions(env.high.records(), OBJECTS)
    T.eq(sorted((i, v) for i, v, _ in high), [(a, 2), (a, 3), (a, 4)],
         "normal: filter (P2 and level >= 3) lets through only those versions")
    cef = cef_versions(env.syslog.records())
    T.eq(sorted((i, int(v)) for i, v, _ in cef if i),
         sorted([(a, 1), (a, 2), (a, 3), (a, 4), (b, 1)]), "normal: CEF per version over syslog")
    forwarded = [e for e in env.admin.timeline(a) if e["action"] == "forwarded"]
    T.eq(sorted((e["new"], e["version"]) for e in forwarded if e["new"] == "ncsc"),
         [("ncsc", "1"), ("ncsc", "2"), ("ncsc", "3"), ("ncsc", "4")],
         "normal: deliveries on the incident's timeline")
    return [a, b]


def step_bad_server(env, ids):
    eps, _ = env.status()
    T.eq(env.stranger.records(), [], "wrong CA: nothing reached the server")
    misnamed = [r for r in env.taxii.records() if r["path"] == "/stix/bundles/"]
    T.eq(misnamed, [], "wrong name: nothing sent to a server not named as configured")
    tl = env.admin.timeline(ids[0])
    errs = {e["new"]: e.get("error", "") for e in tl if e["action"] == "forward_failed"}
    T.ok("certificate" in errs.get("stranger", "").lower() or
         "ca" in errs.get("stranger", "").lower(),
         "wrong CA: reason on the timeline: " + errs.get("stranger", "(none)"))
    T.ok("ncsc.example.vn" in errs.get("misnamed", "") or
         "hostname" in errs.get("misnamed", "").lower(),
         "wrong name: reason on the timeline: " + errs.get("misnamed", "(none)"))
    T.ok(eps["stranger"]["failures"] and eps["stranger"]["last_error"],
         "wrong CA: failures and last error in socctl forward status")
    T.ok(eps["stranger"]["queued"] > 0, "wrong CA: versions stay queued")


def step_refused(env):
    deadline = time.monotonic() + 20
    eps = {}
    while time.monotonic() < deadline:
        eps, _ = env.status()
        if eps["picky"]["queued"] == 0:
            break
        time.sleep(0.1)
    T.eq(eps["picky"]["queued"], 0, "HTTP 400: the queue goes on")
    T.ok(eps["picky"]["refused"] >= 5, "HTTP 400: versions kept aside and counted")
    T.ok("400" in (eps["picky"]["last_error"] or ""), "HTTP 400: the reason is shown")


def step_outage(env, ids):
    env.taxii.stop()
    made = []
    for k in range(15):
        i = env.apply("o%d" % k, rule="brute", group="src_ip=198.51.100.%d" % k, prio=4, sev=2,
                      src=("198.51.100.%d" % k,), asset="mail", level=2)
        made.append(i)
        if k % 3 == 0:
            env.apply("o%db" % k, rule="brute", group="src_ip=198.51.100.%d" % k, prio=1,
                      sev=4, src=("198.51.100.%d" % k,))
        if k == 5:
            env.fwd.kill9()
            env.fwd.start()
        if k == 9:
            subprocess.run(["bash", it.REDIS_SH, "stop", env.rdir], check=True,
                           capture_output=True)
            subprocess.run(["bash", it.REDIS_SH, "start", env.rdir], check=True,
                           capture_output=True)
            env.admin = env.redis("admin")
            env.drv.close()
            env.drv = it.Driver(env.drv_path, env.sock, env.secrets, env.cfg)
    for i in made[:4]:
        for st in ("acknowledged", "investigating", "resolved"):
            env.ctl.run("status", i, st)
    time.sleep(2)
    eps, _ = env.status()
    T.ok(eps["ncsc"]["queued"] > 0, "outage: versions wait in the queue")
    T.ok(eps["ncsc"]["alarm"] == 1 and eps["ncsc"]["alarms"] >= 1,
         "outage: queue past queue-alarm raises the alarm")
    fails = [e for e in env.admin.timeline(made[0]) if e["action"] == "forward_failed"
             and e["new"] == "ncsc"]
    T.ok(len(fails) >= 1, "outage: failed attempts on the timeline")
    env.taxii.start()
    T.ok(env.drained(timeout=90), "outage: queues drained once the receiver is back")
    eps, _ = env.status()
    T.eq(eps["ncsc"]["alarm"], 0, "outage: alarm cleared")
    want = expect_versions(env.admin, ids + made)
    check_delivery(stix_versions(env.taxii.records(), OBJECTS), want, "outage: ncsc")
    check_delivery([(i, v, m) for i, v, m in cef_versions(env.syslog.records()) if i],
                   want, "outage: siem")


def run(args):
    tmp = tempfile.mkdtemp(prefix="fwd", dir="/tmp")
    env = None
    try:
        env = Env(args, tmp)
        env.drv_path = args.driver
        env.fwd.start()
        ids = step_normal(env)
        step_bad_server(env, ids)
        step_refused(env)
        step_outage(env, ids)
    except Exception:
        traceback.print_exc()
        T.failed.append("exception")
    finally:
        if env:
            if T.failed:
                print(env.fwd.log()[-4000:])
            env.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forwarder", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--socctl", required=True)
    args = ap.parse_args()
    if not shutil.which("openssl") or not shutil.which("redis-server"):
        print("skip: openssl or redis-server not installed")
        sys.exit(77)
    run(args)
    print("%d passed, %d failed" % (T.passed, len(T.failed)))
    for f in T.failed:
        print("FAILED: " + f)
    sys.exit(1 if T.failed else 0)


if __name__ == "__main__":
    main()
