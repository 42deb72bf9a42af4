#!/usr/bin/python3
"""soc-ingest end to end: a PKI made with socctl, a private Redis
(appliance/redis.sh), soc-ingest on a free loopback port, and Python sensors
speaking the protocol of correlator/ingest/PROTOCOL.md.

    ingest_test.py --build BUILD_DIR            (or --ingest BIN --socctl BIN)

Checks: stored and acked batches (stream entries, ids, fields, shards, the
sensor registry), resends stored once, a new spool id, stats counters and
rates; refused handshakes (plain TCP, no certificate, other CA, expired,
revoked, silent peer, revoked after SIGHUP) each with its exact log line;
garbage and oversized frames and another sensor's events closing only their
own connection; one session per sensor; 64 concurrent sensors; kill -9 of
soc-ingest and a Redis restart mid-stream, both exactly once; "server busy"
over max-connections; a clean SIGTERM. Exit 0 pass, 1 fail, 77 skip.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import ingest_client as ic  # noqa: E402

SHARDS = 4
MAX_PAYLOAD = 65536


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


T = Checks()


def all_entries(admin):
    """(shard, stream id, fields) of every event in every shard."""
    out = []
    for s in range(SHARDS):
        for eid, f in admin.xrange_all("soc:events:{%d}" % s):
            out.append((s, eid, f))
    return out


def ids_of(entries, prefix):
    return [f["id"].decode() for _, _, f in entries if f["id"].decode().startswith(prefix)]


def exactly_once(admin, name, boot_id, nevents, what):
    ids = ids_of(all_entries(admin), name + ":")
    want = {"%s:%s:%d" % (name, boot_id, i) for i in range(1, nevents + 1)}
    T.ok(len(ids) == nevents and set(ids) == want,
         "%s: %d events stored exactly once (got %d entries, %d unique, %d missing)"
         % (what, nevents, len(ids), len(set(ids)), len(want - set(ids))))


def attempt(port, ctx):
    """TCP connect, TLS handshake, HELLO; returns (local port, error text)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    local = raw.getsockname()[1]
    try:
        s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        s.sendall(ic.hello_frame(ic.new_id(), ic.new_id()))
        data = s.recv(100)
        return local, "no error (%r)" % data if data else "closed"
    except (ssl.SSLError, OSError) as e:
        return local, str(e)
    finally:
        raw.close()


def refused(ing, port, reason, what):
    line = "refused 127.0.0.1:%d: %s" % (port, reason)
    T.ok(ing.wait_log(line + "\n"), "%s: log line '%s'" % (what, line))


# ---- the checks ------------------------------------------------------------------------------

def check_store(ing, redis, pki):
    s = ic.Sensor("sensor-a", pki, ing.port)
    ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "192.168.1.5", "2001:db8::1"]
    lines = {}
    for b in range(5):
        seq = s.add_batch(10, src_ips=ips)
        payload = s.spool[seq][8 + 12:]
        for line in payload.split(b"\n")[:-1]:
            lines[line] = True
    frames = dict(s.spool)
    T.ok(s.deliver(20) and s.acked == 5, "sensor-a: 5 batches of 10 events acked")
    a = redis.admin()
    entries = all_entries(a)
    T.ok(len(entries) == 50, "50 stream entries in soc:events:{0..3} (got %d)" % len(entries))
    good = 0
    for shard, _, f in entries:
        ev = json.loads(f["event"])
        want_shard = ic.fnv1a32(ev["src_ip"].encode()) % SHARDS
        if (set(f) == {"sensor", "id", "type", "ts", "event"} and f["event"] in lines
                and f["sensor"] == b"sensor-a" and f["type"] == b"flow"
                and f["ts"].decode() == ev["timestamp"] and shard == want_shard
                and f["id"].decode() == "sensor-a:%s:%d" % (s.boot_id, ev["sensor"]["seq"])):
            good += 1
    T.ok(good == 50, "every entry: fields sensor/id/type/ts/event as sent, shard = FNV-1a(src_ip) "
         "mod 4 (%d of 50)" % good)
    exactly_once(a, "sensor-a", s.boot_id, 50, "sensor-a")
    reg = a.hgetall("soc:sensor:sensor-a")
    T.ok(reg.get("last_batch") == "5" and reg.get("events") == "50"
         and reg.get("spool_id") == s.spool_id and reg.get("boot_id") == s.boot_id
         and reg.get("version") == "0.4.0" and reg.get("interface") == "eth0"
         and reg.get("name") == "sensor-a" and reg.get("remote", "").startswith("127.0.0.1:")
         and "first_seen" in reg and "last_seen" in reg,
         "registry soc:sensor:sensor-a (%s)" % reg)
    T.ok(a.call("SISMEMBER", "soc:sensors", "sensor-a") == 1, "sensor-a in soc:sensors")
    seqs = a.hgetall("soc:ingest:{0}:seq")
    T.ok(seqs.get("sensor-a/" + s.spool_id) == "5", "dedup hash soc:ingest:{0}:seq = 5")
    a.close()
    return s, frames


def check_resend(ing, redis, pki, s, frames):
    a = redis.admin()
    c = ic.Conn(ing.port, s.ctx)
    last, maxp = c.hello(s.boot_id, s.spool_id)
    T.ok(last == 5 and maxp == MAX_PAYLOAD, "WELCOME after reconnection: last 5, max %d" % maxp)
    c.send(frames[5])
    T.ok(c.recv_ack() == 5, "resent batch 5 acked")
    c.close()
    # the registry lags behind (as after a crash between the shards and the
    # registry): batches 4 and 5 are sent again and the shards skip them
    a.call("HSET", "soc:sensor:sensor-a", "last_batch", "3")
    c = ic.Conn(ing.port, s.ctx)
    last, _ = c.hello(s.boot_id, s.spool_id)
    c.send(frames[4] + frames[5])
    acks = [c.recv_ack(), c.recv_ack()]
    T.ok(last == 3 and acks == [4, 5], "WELCOME 3, batches 4 and 5 resent and acked")
    # seq not increasing on a connection
    c.send(frames[5])
    try:
        c.recv_frame()
        T.ok(False, "repeated seq refused")
    except ic.ErrorFrame as e:
        T.ok(e.code == 1 and e.text == "batch 5: seq not above the previous batch 5 on this "
             "connection", "repeated seq on one connection: ERROR 1 (%s)" % e.text)
    c.close()
    exactly_once(a, "sensor-a", s.boot_id, 50, "resends")
    T.ok(a.hgetall("soc:sensor:sensor-a").get("last_batch") == "5", "registry last_batch back at 5")
    # a new spool (wiped disk): its seq 1 is new, not a duplicate
    s2 = ic.Sensor("sensor-a", ing.pki if hasattr(ing, "pki") else pki, ing.port)
    s2.boot_id = s.boot_id
    s2.next_event = 51
    s2.add_batch(10)
    c = ic.Conn(ing.port, s2.ctx)
    last, _ = c.hello(s2.boot_id, s2.spool_id)
    c.send(s2.spool[1])
    T.ok(last == 0 and c.recv_ack() == 1, "new spool_id: WELCOME 0, its batch 1 acked")
    c.close()
    exactly_once(a, "sensor-a", s.boot_id, 60, "new spool")
    reg = a.hgetall("soc:sensor:sensor-a")
    T.ok(reg.get("last_batch") == "1" and reg.get("last_batch_spool") == s2.spool_id
         and reg.get("events") == "60", "registry follows the new spool (%s)" % reg)
    a.close()


def check_stats(ing, redis, pki):
    s = ic.Sensor("sensor-b", pki, ing.port)
    lines = []
    for k, (sec, pkts, kd) in enumerate([(0, 1000, 10), (10, 6000, 30)]):
        extra = {"timestamp": "2024-03-01T10:40:%02d.000000+0000" % sec,
                 "stats": {"capture": {"kernel_packets": pkts + kd, "kernel_drops": kd,
                                       "kernel_ifdrops": 0},
                           "decoder": {"pkts": pkts}, "eve": {"events": 5, "dropped": 1}}}
        lines.append(ic.event_line("sensor-b", s.boot_id, k + 1, etype="stats", extra=extra))
    s.next_event = 3
    s.add_batch(0, lines=lines)
    T.ok(s.deliver(10), "sensor-b: batch with two stats events acked")
    a = redis.admin()
    reg = a.hgetall("soc:sensor:sensor-b")
    T.ok(reg.get("packets") == "6000" and reg.get("drops") == "30"
         and reg.get("events_dropped") == "1" and reg.get("packets_per_sec") == "500.000"
         and reg.get("drops_per_sec") == "2.000"
         and reg.get("stats_time") == "2024-03-01T10:40:10.000000+0000",
         "registry stats: packets 6000, drops 30, 500 packets/s, 2 drops/s (%s)" % reg)
    a.close()
    return s


def check_noscript(ing, redis, sb):
    """Scripts flushed under a live session: the next batch is stored all the same."""
    c = ic.Conn(ing.port, sb.ctx)
    c.hello(sb.boot_id, sb.spool_id)
    a = redis.admin()
    a.call("SCRIPT", "FLUSH")
    before = len(ids_of(all_entries(a), "sensor-b:"))
    seq = sb.add_batch(7, src_ips=["10.9.0.%d" % i for i in range(7)])
    c.send(sb.spool.pop(seq))
    T.ok(c.recv_ack() == seq and len(ids_of(all_entries(a), "sensor-b:")) == before + 7,
         "after SCRIPT FLUSH: batch stored and acked")
    c.close()
    a.close()


def check_refusals(ing, pki, other):
    port = ing.port
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    local = raw.getsockname()[1]
    raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        raw.recv(100)
    except OSError:
        pass
    raw.close()
    refused(ing, local, "not TLS (plain TCP or other protocol)", "plain TCP")
    cases = [
        (ic.client_context(pki, None), "client sent no certificate", "no client certificate"),
        (ic.client_context(other, "sensor-o", ca_dir=pki),
         "unknown CA (certificate not issued by this appliance)", "certificate of another CA"),
        (ic.client_context(pki, "sensor-x"), "certificate expired", "expired certificate"),
        (ic.client_context(pki, "sensor-r"), "certificate revoked", "revoked certificate"),
    ]
    for ctx, reason, what in cases:
        local, err = attempt(port, ctx)
        T.ok("no error" not in err, "%s: refused by the ingest (%s)" % (what, err))
        refused(ing, local, reason, what)
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    local = raw.getsockname()[1]
    refused(ing, local, "timed out waiting for the peer", "silent peer (handshake-timeout 2s)")
    raw.close()


def expect_error(c, code, text, what):
    try:
        c.recv_frame()
        T.ok(False, "%s: ERROR %d expected" % (what, code))
    except ic.ErrorFrame as e:
        T.ok(e.code == code and (text is None or e.text == text),
             "%s: ERROR %d (%s)" % (what, e.code, e.text))
    except ic.Closed as e:
        T.ok(False, "%s: closed without ERROR (%s)" % (what, e))
    # then the ingest closes
    try:
        c.recv_frame()
        T.ok(False, "%s: connection closed after the ERROR" % what)
    except ic.Closed:
        T.ok(True, "%s: connection closed after the ERROR" % what)
    c.close()


def check_bad_frames(ing, redis, pki, sb):
    """sensor-b keeps its session and gets acks while sensor-a misbehaves."""
    b = ic.Conn(ing.port, sb.ctx)
    b.hello(sb.boot_id, sb.spool_id)

    def b_flows(what):
        seq = sb.add_batch(5)
        b.send(sb.spool[seq])
        T.ok(b.recv_ack() == seq, "sensor-b still acked after %s" % what)

    sa = ic.Sensor("sensor-a", pki, ing.port)
    c = ic.Conn(ing.port, sa.ctx)
    c.send(b"XXXXXXXXXXXXXXXX")
    expect_error(c, 1, "frame: bad magic 0x5858 (not a SOC ingest frame)", "garbage instead of HELLO")
    b_flows("garbage before HELLO")
    c = ic.Conn(ing.port, sa.ctx)
    c.hello(sa.boot_id, sa.spool_id)
    c.send(b"\x00" * 16)
    expect_error(c, 1, None, "garbage frame after WELCOME")
    b_flows("a garbage frame")
    c = ic.Conn(ing.port, sa.ctx)
    c.hello(sa.boot_id, sa.spool_id)
    c.send(struct.pack(">2sBBI", b"SF", 1, 3, MAX_PAYLOAD + 1))
    expect_error(c, 2, "frame: payload length %d exceeds limit %d" % (MAX_PAYLOAD + 1, MAX_PAYLOAD),
                 "oversized frame")
    b_flows("an oversized frame")
    c = ic.Conn(ing.port, sa.ctx)
    c.hello(sa.boot_id, sa.spool_id)
    good = ic.event_line("sensor-a", sa.boot_id, 1)
    c.send(ic.frame(ic.BATCH, struct.pack(">QI", 1, 2) + good + b"\n\n"))
    expect_error(c, 1, None, "batch with an empty line")
    b_flows("a malformed batch")
    a = redis.admin()
    before = len(all_entries(a))
    c = ic.Conn(ing.port, sa.ctx)
    c.hello(sa.boot_id, sa.spool_id)
    foreign = ic.event_line("sensor-b", sb.boot_id, 1000)
    c.send(ic.batch_frame(1, [good, foreign]))
    expect_error(c, 4, "batch 1: line 2: event for sensor sensor-b on connection of sensor-a",
                 "event with another sensor's name")
    T.ok(len(all_entries(a)) == before, "nothing of the refused batch stored")
    b_flows("an event of another sensor")
    # one session per sensor: a second sensor-b session ends the first
    b2 = ic.Conn(ing.port, sb.ctx)
    b2.hello(sb.boot_id, sb.spool_id)
    try:
        b.recv_frame()
        T.ok(False, "older session of sensor-b closed")
    except ic.Closed:
        T.ok(True, "older session of sensor-b closed when a new one said HELLO")
    b = b2
    b_flows("its session was replaced")
    b.close()
    T.ok(ing.wait_log("replaced by a newer session"), "log: replaced by a newer session")
    a.close()


def check_concurrent(ing, redis, pki, n=64, batches=20, per=50):
    sensors = [ic.Sensor("s%02d" % k, pki, ing.port) for k in range(n)]
    for k, s in enumerate(sensors):
        for b in range(batches):
            s.add_batch(per, src_ips=["10.%d.%d.%d" % (k, b, i) for i in range(per)])
    results = [None] * n

    def run(k):
        results[k] = sensors[k].deliver(120)

    t0 = time.time()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.time() - t0
    T.ok(all(results), "%d concurrent sensors: all %d batches acked in %.1f s (errors: %s)"
         % (n, n * batches, secs, [s.errors for s in sensors if s.errors][:3]))
    a = redis.admin()
    entries = all_entries(a)
    ids = [f["id"].decode() for _, _, f in entries if f["sensor"].decode().startswith("s")
           and len(f["sensor"]) == 3]
    want = {"%s:%s:%d" % (s.name, s.boot_id, i) for s in sensors for i in range(1, batches * per + 1)}
    T.ok(len(ids) == n * batches * per and set(ids) == want,
         "exactly %d unique ids from %d sensors (got %d entries, %d unique)"
         % (n * batches * per, n, len(ids), len(set(ids))))
    a.close()
    return n * batches * per / secs


def stream_in_background(s):
    done = {}

    def run():
        done["ok"] = s.deliver(120)

    t = threading.Thread(target=run)
    t.start()
    return t, done


def wait_acked(s, n, timeout=30):
    end = time.time() + timeout
    while s.acked < n and time.time() < end:
        time.sleep(0.005)
    return s.acked >= n


def check_kill9(ing, redis, pki):
    s = ic.Sensor("k1", pki, ing.port, window=8)
    for b in range(300):
        s.add_batch(50, src_ips=["172.16.%d.%d" % (b, i) for i in range(50)])
    t, done = stream_in_background(s)
    T.ok(wait_acked(s, 40), "k1 streaming")
    ing.proc.kill()
    ing.proc.wait()
    acked_at_kill = s.acked
    time.sleep(0.5)
    ing.start()
    t.join()
    T.ok(done.get("ok") and 0 < acked_at_kill < 300,
         "k1: kill -9 of soc-ingest after %d acked batches (8 in flight), restarted, all 300 "
         "acked" % acked_at_kill)
    a = redis.admin()
    exactly_once(a, "k1", s.boot_id, 300 * 50, "kill -9 of soc-ingest")
    a.close()


def check_redis_restart(ing, redis, pki):
    s = ic.Sensor("r1", pki, ing.port, window=8)
    for b in range(200):
        s.add_batch(50, src_ips=["172.17.%d.%d" % (b, i) for i in range(50)])
    s.gate_at = 40  # pauses after 40 acked batches, its session open
    t, done = stream_in_background(s)
    T.ok(s.paused.wait(30) and s.acked == 40, "r1 streaming, paused after 40 batches")
    redis.stop()
    stopped_at = s.acked
    s.gate.set()  # the next batches meet a Redis that is down
    time.sleep(1)
    redis.start()
    t.join()
    T.ok(done.get("ok") and stopped_at < 200 and s.errors
         and s.errors[0] == (5, "storage unavailable, retry later"),
         "r1: Redis restarted after %d acked batches; the sensor got %s, then all 200 acked"
         % (stopped_at, s.errors[:2]))
    a = redis.admin()
    exactly_once(a, "r1", s.boot_id, 200 * 50, "Redis restart")
    a.close()
    try:
        with open(os.path.join(redis.dir, "redis.log"), errors="replace") as f:
            replay_denied = "ACLs rules changed between the moment" in f.read()
    except OSError:
        replay_denied = False
    T.ok(not replay_denied, "Redis replayed every MULTI/EXEC of the AOF (Redis 7.0 re-checks ACLs "
         "in EXEC as the AOF client, i.e. as user 'default': redis.sh must leave 'default' off "
         "but with permissions, else script writes are lost on restart)")


def check_crl_reload(ing, socctl, pki):
    ic.run([socctl, "pki", "revoke", "sensor-c", "--dir", pki])
    local, err = attempt(ing.port, ic.client_context(pki, "sensor-c"))
    T.ok(err.startswith("no error (b'SF\\x01\\x02"),
         "revoked in the CRL file but not reloaded yet: sensor-c still gets WELCOME (%s)" % err)
    ing.proc.send_signal(signal.SIGHUP)
    T.ok(ing.wait_log("reloaded the CRL"), "SIGHUP: CRL reloaded")
    local, err = attempt(ing.port, ic.client_context(pki, "sensor-c"))
    refused(ing, local, "certificate revoked", "revoked after start, then SIGHUP")


def check_busy(binary, tmp, pki, redis):
    d = os.path.join(tmp, "busy")
    os.mkdir(d)
    ing = ic.Ingest(binary, d, pki, redis, extra="  max-connections: 2\n")
    ing.start()
    try:
        conns = []
        for name in ("sensor-a", "sensor-b"):
            c = ic.Conn(ing.port, ic.client_context(pki, name))
            c.hello(ic.new_id(), ic.new_id())
            conns.append(c)
        c = ic.Conn(ing.port, ic.client_context(pki, "s00"))
        expect_error(c, 5, "server busy (2 connections), retry later", "third connection of 2 allowed")
        for c in conns:
            c.close()
    finally:
        ing.stop()


# ---- main ------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="soc-ingest end-to-end test")
    ap.add_argument("--build", help="build directory (finds the binaries)")
    ap.add_argument("--ingest")
    ap.add_argument("--socctl")
    ap.add_argument("--redis-sh", default=os.path.join(ROOT, "appliance", "redis.sh"),
                    help="the script that runs the private Redis")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    ingest_bin = args.ingest or (args.build and os.path.join(args.build, "correlator", "soc-ingest"))
    socctl = args.socctl or (args.build and os.path.join(args.build, "appliance", "socctl"))
    for b in (ingest_bin, socctl):
        if not b or not os.access(b, os.X_OK):
            print("SKIP: %s not built (give --build or --ingest/--socctl)" % b)
            return 77
    for tool in ("redis-server", "redis-cli"):
        if not shutil.which(tool):
            print("SKIP: %s not installed" % tool)
            return 77
    t_start = time.time()
    tmp = tempfile.mkdtemp(prefix="ingt.", dir="/tmp")
    redis = ic.PrivateRedis(args.redis_sh, os.path.join(tmp, "r"))
    ing = None
    rate = 0
    try:
        pki, other = os.path.join(tmp, "pki"), os.path.join(tmp, "other")
        names = ["sensor-a", "sensor-b", "sensor-c", "sensor-r", "k1", "r1"]
        names += ["s%02d" % k for k in range(64)]
        ic.make_pki(socctl, pki, names)
        ic.run([socctl, "pki", "issue", "sensor-x", "--dir", pki, "--not-before",
                "20200101000000Z", "--not-after", "20200201000000Z"])
        ic.run([socctl, "pki", "revoke", "sensor-r", "--dir", pki])
        ic.make_pki(socctl, other, ["sensor-o"])
        redis.start()
        ing = ic.Ingest(ingest_bin, tmp, pki, redis,
                        extra="  shards: %d\n  max-payload: %d\n  handshake-timeout: 2s\n"
                        % (SHARDS, MAX_PAYLOAD))
        ing.start()
        s, frames = check_store(ing, redis, pki)
        check_resend(ing, redis, pki, s, frames)
        sb = check_stats(ing, redis, pki)
        check_noscript(ing, redis, sb)
        check_refusals(ing, pki, other)
        check_bad_frames(ing, redis, pki, sb)
        rate = check_concurrent(ing, redis, pki)
        check_kill9(ing, redis, pki)
        check_redis_restart(ing, redis, pki)
        check_crl_reload(ing, socctl, pki)
        check_busy(ingest_bin, tmp, pki, redis)
        rc = ing.stop()
        T.ok(rc == 0 and "soc-ingest: info: stopped" in ing.log_text(),
             "SIGTERM: clean stop, exit 0 (%s)" % rc)
        # counters are flushed every 2 s and at a clean stop (those of the
        # instance killed with -9 may be lost: they are statistics only)
        a = redis.admin()
        stats = a.hgetall("soc:ingest:stats")
        a.close()
        want = ["refused:revoked", "events", "batches", "busy", "errors", "store_failures"]
        T.ok(all(int(stats.get(k, 0)) >= 1 for k in want), "soc:ingest:stats counts (%s)" % stats)
    except Exception as e:  # a fixture broke: report it as a failure
        traceback.print_exc()
        T.failed.append("exception: %s" % e)
    finally:
        if ing:
            ing.stop()
        redis.stop()
        if T.failed or args.keep:
            print("ingest log: %s/ingest.log" % tmp if args.keep else "--- ingest log (tail) ---")
            if not args.keep and ing:
                print("\n".join(ing.log_text().splitlines()[-40:]))
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("summary: %d checks passed, %d failed, %.0f s; 64 sensors: %.0f events/s"
          % (T.passed, len(T.failed), time.time() - t_start, rate))
    for f in T.failed:
        print("  failed: " + f)
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
