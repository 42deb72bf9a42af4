#!/usr/bin/python3
"""Incident reports under both shipped regimes, end to end: a private Redis
(appliance/redis.sh) with its real ACL users, incidents made by
incidents_driver as `correlator`, then `socctl incidents report` and `list`
as `console`, everything checked in Redis as `admin`.

    report_test.py --driver BIN --socctl BIN

Checks: JSON reports field by field under decree85 (configured) and law116
(--profile), values derived here from the bytes fed in (Vietnam time, the
owners in rules/assets.yml, the categories of the ATT&CK ids); cause, scope
and measures kept for the next report; every refusal (twice, out of order,
final while open) leaving no file behind; the hash fields and the timeline
entry of each report; PDF reports turned into text by `pdftotext -layout`
(exact Vietnamese strings, NFC) and into pages by `pdftoppm -png`; `list`
with the REPORT DUE column and the `report` member, `list --overdue` listing
exactly the incidents whose report is late (closed ones included) under both
regimes at fixed times (--now); no change at all without a profile.
Exit 0 pass, 1 fail, 77 skip.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import unicodedata

from incidents_test import Checks, Driver, Redis, eve_time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REDIS_SH = os.path.join(ROOT, "appliance", "redis.sh")

P = "soc:incident:{inc}:"
SEC = 1000000
HOUR = 3600 * SEC
DAY = 86400 * SEC
T0 = 1772353800 * SEC  # 2026-03-01T08:30:00Z: when the incidents are created (detection)
E0 = 1772350000 * SEC  # 2026-03-01T07:26:40Z: event times

# SLA deadlines a year away, so --overdue shows late reports only
CONFIG = """correlator:
  assets: {root}/rules/assets.yml
  incidents:
    sla:
      p1: {{acknowledge: 365d, resolve: 365d}}
      p2: {{acknowledge: 365d, resolve: 365d}}
      p3: {{acknowledge: 365d, resolve: 365d}}
      p4: {{acknowledge: 365d, resolve: 365d}}
      p5: {{acknowledge: 365d, resolve: 365d}}
reports:
  profile: decree85
  profiles-dir: {root}/rules/reporting
  owner: Ủy ban nhân dân thành phố Cần Thơ
  unit: Trung tâm Giám sát an toàn thông tin
  place: Cần Thơ
  contact:
    name: Nguyễn Văn An
    phone: "0292 3 820 000"
    email: soc@cantho.gov.vn
"""

# rules/assets.yml, read by hand
OWNER = {"dichvucong": "Văn phòng UBND thành phố Cần Thơ (Trung tâm Phục vụ hành chính công)",
         "lgsp": "Sở Thông tin và Truyền thông -- Trung tâm Công nghệ thông tin và Truyền thông"}
SYSTEM = {"dichvucong": "dichvucong – Cổng dịch vụ công thành phố Cần Thơ",
          "lgsp": "lgsp – Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)"}
CONTACT = "Nguyễn Văn An; điện thoại: 0292 3 820 000; thư điện tử: soc@cantho.gov.vn"
LABELS = [  # field key -> Vietnamese label, in the shipped profiles' order
    ("owner", "Đơn vị chủ quản hệ thống thông tin"), ("contact", "Đầu mối liên hệ"),
    ("system", "Tên hệ thống thông tin"), ("level", "Cấp độ an toàn hệ thống thông tin"),
    ("incident", "Mã sự cố"), ("detected", "Thời điểm phát hiện"),
    ("occurred", "Thời điểm xảy ra"), ("category", "Loại sự cố"),
    ("method", "Phương thức phát hiện"), ("severity", "Mức độ nghiêm trọng"),
    ("attack", "Kỹ thuật tấn công (MITRE ATT&CK)"), ("status", "Tình trạng xử lý"),
    ("cause", "Nguyên nhân"), ("scope", "Phạm vi, mức độ ảnh hưởng"),
    ("measures", "Biện pháp đã thực hiện"), ("evidence", "Bằng chứng"),
    ("next-report", "Thời hạn báo cáo tiếp theo")]
SEVERITY = ["Thông tin", "Thấp", "Trung bình", "Cao", "Nghiêm trọng"]
DECREE85 = {
    "name": "decree85",
    "title": "Nghị định số 85/2016/NĐ-CP, Thông tư số 12/2022/TT-BTTTT và Thông tư số "
             "20/2017/TT-BTTTT",
    "recipient": "Cơ quan điều phối quốc gia về ứng cứu sự cố an toàn thông tin mạng",
    "legal_basis": [
        "Nghị định số 85/2016/NĐ-CP ngày 01/7/2016 về bảo đảm an toàn hệ thống thông tin theo "
        "cấp độ",
        "Thông tư số 12/2022/TT-BTTTT ngày 12/8/2022 quy định chi tiết và hướng dẫn Nghị định "
        "số 85/2016/NĐ-CP",
        "Thông tư số 20/2017/TT-BTTTT ngày 12/9/2017 quy định về điều phối, ứng cứu sự cố an "
        "toàn thông tin mạng trên toàn quốc"]}
LAW116 = {
    "name": "law116", "title": "Luật An ninh mạng số 116/2025/QH15",
    "recipient": "Lực lượng chuyên trách bảo vệ an ninh mạng, Bộ Công an",
    "legal_basis": [
        "Luật An ninh mạng số 116/2025/QH15 ngày 10/12/2025",
        "Nghị định số 85/2016/NĐ-CP ngày 01/7/2016 về bảo đảm an toàn hệ thống thông tin theo "
        "cấp độ (phân loại cấp độ hệ thống)"]}
ORG = {"owner": "Ủy ban nhân dân thành phố Cần Thơ",
       "unit": "Trung tâm Giám sát an toàn thông tin", "place": "Cần Thơ"}


T = Checks()


# ---- helpers computed here, independently of the C code -----------------------------------

def vn(usec):
    """Vietnam time (UTC+7, no daylight saving) as the reports write it."""
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=usec, hours=7)
    return d.strftime("%H:%M:%S ngày %d/%m/%Y") + " (UTC+7)"


def date_line(usec):
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=usec, hours=7)
    month = "%02d" % d.month if d.month <= 2 else str(d.month)
    return "Cần Thơ, ngày %02d tháng %s năm %d" % (d.day, month, d.year)


def arg_time(usec):
    return "@%d" % (usec // SEC)


def short_utc(usec):
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=usec)
    return d.strftime("%Y-%m-%d %H:%MZ")




class Socctl:
    def __init__(self, path, sock, config, cwd):
        self.path, self.cwd = path, cwd
        self.env = dict(os.environ, SOC_REDIS_SOCKET=sock, SOC_CONFIG=config)
        for v in ("SOC_ACTOR", "SUDO_USER", "SOC_NOW"):
            self.env.pop(v, None)

    def run(self, *args, config=None):
        env = dict(self.env, SOC_CONFIG=config) if config else self.env
        r = subprocess.run([self.path, "incidents"] + list(args), env=env, cwd=self.cwd,
                           capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout, r.stderr.strip()

    def json(self, *args, config=None):
        rc, out, err = self.run(*args, "--json", config=config)
        if rc != 0:
            raise RuntimeError("socctl %s: %s" % (" ".join(args), err))
        return json.loads(out)

    def report(self, iid, kind, fmt, now, *extra, actor="alice"):
        return self.run("report", iid, "--kind", kind, "--format", fmt, "--now", arg_time(now),
                        "--actor", actor, *extra)

    def change(self, iid, *args, now):
        rc, out, err = self.run(*args[:1], iid, *args[1:], "--actor", "alice", "--now",
                                arg_time(now))
        if rc != 0:
            raise RuntimeError("socctl %s %s: %s" % (args[0], iid, err))


def match(mid, rule, title, prio, sev, asset="", level=0, src=("89.160.20.128",), dest=(),
          tactics=(), techniques=(), events=(), now=T0, count=10):
    return {"now": now, "match_id": mid, "rule_id": rule, "rule_version": 1, "title": title,
            "severity": sev, "priority": prio, "group_key": "g=" + mid, "first_seen": E0,
            "last_seen": E0 + 120 * SEC, "count": count, "src_ips": list(src),
            "dest_ips": list(dest), "asset_name": asset, "asset_level": level,
            "tactics": list(tactics), "techniques": list(techniques), "event_ids": list(events),
            "samples": []}


# ---- the incidents ----------------------------------------------------------------------------

def make_incidents(drv):
    """Creation order gives the ids INC-2026-000001 .. 000010."""
    ms = {
        # A: a scan of the portal (level 3, P2): reported under both regimes, not immediate
        "A": match("a", "scan.portal", "Port scan of the public-service portal", 2, 3,
                   "dichvucong", 3, dest=["10.20.0.30", "10.20.0.10"],
                   tactics=["reconnaissance"], techniques=["T1046"],
                   events=["s1:b:1", "s1:b:2"]),
        # B: a SYN flood on the LGSP (level 4, P1): immediate under law116
        "B": match("b", "dos.syn", "SYN flood against a city system", 1, 4, "lgsp", 4,
                   src=["198.51.100.7", "198.51.100.9"], dest=["10.20.0.40"],
                   tactics=["impact"], techniques=["T1498.001", "T1499"],
                   events=["s1:b:%d" % i for i in range(10, 13)], count=5000),
        # C: P4 on a level 2 system: nothing to report
        "C": match("c", "iot.odd", "Odd MQTT client", 4, 1, "iot-sensors", 2),
        # D: P1 without an asset (level 0): reported
        "D": match("d", "c2.beacon", "Beaconing to a known C2 server", 1, 4,
                   tactics=["command-and-control"], techniques=["T1071.001"]),
        # E: required, then a false positive: nothing owed
        "E": match("e", "scan.fp", "Scan that was a vulnerability assessment", 2, 2,
                   "dichvucong", 3),
        # F: required, resolved and closed with nothing sent: late
        "F": match("f", "web.sqli", "SQL injection on the portal", 2, 3, "dichvucong", 3,
                   tactics=["initial-access"], techniques=["T1190"]),
        # G: required, open, nothing sent: late; 12 event ids
        "G": match("g", "brute.ssh", "SSH brute force with success", 2, 3, "dichvucong", 3,
                   tactics=["credential-access"], techniques=["T1110.001", "T1078"],
                   events=["s2:b:%d" % i for i in range(1, 13)]),
        # H: required, created a day later
        "H": match("h", "exfil.dns", "Data leaving through DNS", 3, 3, "lgsp", 4,
                   tactics=["exfiltration"], techniques=["T1048"], now=T0 + DAY),
        # I: required, a false positive that was then closed
        "I": match("i", "scan.fp2", "Another assessment", 2, 2, "dichvucong", 3),
        # J: not required (P5); analysts race to send its initial report
        "J": match("j", "odd.dns", "Odd DNS names", 5, 1, "dichvucong", 3),
    }
    ids = {}
    for k in sorted(ms):
        r = drv.apply(ms[k])
        T.ok(r.get("created") is True, "driver: incident %s created (%s)" % (k, r.get("id")))
        ids[k] = r["id"]
    T.eq([ids[k] for k in sorted(ids)], ["INC-2026-%06d" % i for i in range(1, 11)],
         "driver: ids in creation order")
    return ids, ms


def fields_of(rep):
    return [(f["key"], f["label"], f["value"]) for f in rep["fields"]]


def expect_fields(values):
    """(key, label, value) rows: labels from LABELS, values per key."""
    return [(k, label, values[k]) for k, label in LABELS]


def base_values(m, iid, status_vi):
    cat = {"T1046": "Dò quét", "T1498.001": "Tấn công từ chối dịch vụ",
           "T1071.001": "Mã độc"}[m["techniques"][0]]
    tact = m["tactics"]
    attack = "Chiến thuật: %s; kỹ thuật: %s" % (", ".join(sorted(tact)),
                                                ", ".join(sorted(m["techniques"])))
    asset = m["asset_name"]
    ev = m["event_ids"]
    scope = "Hệ thống: %s" % (asset or "Chưa xác định")
    if m["src_ips"]:
        scope += "; địa chỉ nguồn: " + ", ".join(sorted(m["src_ips"]))
    if m["dest_ips"]:
        scope += "; địa chỉ đích: " + ", ".join(sorted(m["dest_ips"]))
    scope += "; %d sự kiện từ %s đến %s" % (m["count"], vn(m["first_seen"]), vn(m["last_seen"]))
    evidence = "%d sự kiện được lưu vết" % len(ev)
    if ev:
        evidence += "; mã sự kiện: " + ", ".join(ev)
    return {
        "owner": OWNER.get(asset, ORG["owner"]), "contact": CONTACT,
        "system": SYSTEM.get(asset, "Chưa xác định"),
        "level": "Cấp độ %d" % m["asset_level"] if m["asset_level"] else "Chưa xác định",
        "incident": "%s – %s" % (iid, m["title"]), "detected": vn(T0),
        "occurred": vn(m["first_seen"]), "category": cat,
        "method": "Giám sát tự động: hệ thống SOC phát hiện theo quy tắc tương quan %s "
                  "(phiên bản 1), %d sự kiện khớp" % (m["rule_id"], m["count"]),
        "severity": "%s (mức %d/4), mức ưu tiên P%d" % (SEVERITY[m["severity"]], m["severity"],
                                                        m["priority"]),
        "attack": attack, "status": status_vi, "cause": "Đang xác minh", "scope": scope,
        "measures": "Chưa cập nhật", "evidence": evidence}


# ---- decree85: JSON reports --------------------------------------------------------------------

def step_decree85_json(ctl, admin, ids, ms):
    a = ids["A"]
    now = T0 + DAY  # 2026-03-02T08:30Z
    rc, out, err = ctl.report(a, "initial", "json", now)
    T.eq(rc, 0, "decree85 initial json: exit 0 (%s)" % err)
    rep = json.loads(out)
    T.eq(err, "%s: Báo cáo ban đầu recorded (decree85) by alice; next: Báo cáo kết thúc trong "
              "vòng 5 ngày kể từ khi kết thúc ứng phó sự cố" % a,
         "decree85 initial json: note on stderr")
    want_top = {"incident": a, "kind": "initial", "name": "Báo cáo ban đầu",
                "title": "BÁO CÁO BAN ĐẦU SỰ CỐ AN TOÀN THÔNG TIN MẠNG",
                "number": a + "/BC-01", "profile": DECREE85, "organisation": ORG,
                "reporter": "alice", "reported_at": eve_time(now),
                "date_line": "Cần Thơ, ngày 02 tháng 3 năm 2026", "required": True,
                "immediate": False, "deadline": eve_time(T0 + 5 * DAY), "late": False,
                "next": {"kind": "final", "name": "Báo cáo kết thúc", "due": None},
                "categories": ["scan"]}
    for k, v in want_top.items():
        T.eq(rep.get(k), v, "decree85 initial json: %s" % k)
    T.eq(date_line(now), want_top["date_line"], "date line rule (leading zero on the day)")
    vals = base_values(ms["A"], a, "Mới phát hiện, chưa tiếp nhận")
    vals["next-report"] = "Báo cáo kết thúc trong vòng 5 ngày kể từ khi kết thúc ứng phó sự cố"
    got, want = fields_of(rep), expect_fields(vals)
    T.eq([g[0] for g in got], [w[0] for w in want], "decree85 initial json: field order")
    for g, w in zip(got, want):
        T.eq(g, w, "decree85 initial json: field %s" % w[0])
    T.ok(all(unicodedata.is_normalized("NFC", f[2]) for f in got), "decree85 json: values NFC")

    h = admin.hgetall(P + a)
    T.eq({k: v for k, v in h.items() if k.startswith("report_")},
         {"report_profile": "decree85", "report_initial_at": str(now),
          "report_due_kind": "final"}, "decree85 initial: hash fields")
    T.eq(h["updated_at"], str(now), "decree85 initial: updated_at")
    tl = admin.timeline(a)[-1]
    T.eq(tl, {"ts": str(now), "actor": "alice", "action": "report", "field": "kind", "old": "",
              "new": "initial", "profile": "decree85", "due": str(T0 + 5 * DAY)},
         "decree85 initial: timeline entry")
    shown = ctl.json("show", a, "--now", arg_time(now))
    T.eq(shown["timeline"][-1], {"time": eve_time(now), "actor": "alice", "action": "report",
                                 "field": "kind", "old": "", "new": "initial",
                                 "profile": "decree85", "due": str(T0 + 5 * DAY)},
         "show --json: the report on the timeline")
    T.eq(shown["report"], {"profile": "decree85", "required": True, "immediate": False,
                           "next": {"kind": "final", "due": None}, "overdue": False,
                           "due_soon": False,
                           "sent": [{"kind": "initial", "at": eve_time(now)}]},
         "show --json: report member after the initial report")

    # refusals, each before anything is written
    for kind, msg in (("initial", a + ": the initial report was already recorded; send an "
                                      "update"),
                      ("final", a + ": a final report needs the response to be over (the "
                                    "incident is still open; resolve it first)")):
        rc, out, err = ctl.report(a, kind, "pdf", now, "--out", "refused.pdf")
        T.eq((rc, err), (1, "socctl incidents report: " + msg), "refused: %s again/early" % kind)
    rc, out, err = ctl.report(ids["C"], "update", "json", now)
    T.eq((rc, err), (1, "socctl incidents report: %s: record the initial report first" % ids["C"]),
         "refused: update before initial")
    T.ok(not os.path.exists(os.path.join(ctl.cwd, "refused.pdf")) and
         not [f for f in os.listdir(ctl.cwd) if ".tmp." in f], "refused: no file left behind")
    for args, msg in ((("--kind", "first", "--format", "json"), "--kind: expected initial, "
                       "update or final"),
                      (("--kind", "initial", "--format", "doc"), "--format: expected pdf or json"),
                      (("--kind", "initial", "--format", "pdf", "--out", "-"),
                       "--out: a PDF goes to a file, not to stdout")):
        rc, out, err = ctl.run("report", a, *args, "--actor", "alice")
        T.eq((rc, err), (2, "socctl incidents report: " + msg), "usage: %s" % msg)
    rc, out, err = ctl.run("report", "INC-26-1", "--kind", "initial", "--format", "json",
                           "--actor", "alice")
    T.eq(rc, 2, "usage: bad incident id")

    # an update with cause and measures (the cause given decomposed, NFD)
    cause = "Máy chủ cổng dịch vụ công bị dò quét cổng từ Internet"
    measures = "Đã chặn địa chỉ 89.160.20.128 trên tường lửa;\nđang rà soát nhật ký."
    out_file = os.path.join(ctl.cwd, "a-update.json")
    rc, out, err = ctl.report(a, "update", "json", now + DAY, "--cause",
                              unicodedata.normalize("NFD", cause), "--measures", measures,
                              "--out", out_file)
    T.eq(rc, 0, "decree85 update json to a file: exit 0 (%s)" % err)
    T.ok(out.startswith("%s: Báo cáo cập nhật recorded (decree85) by alice, written to %s;" %
                        (a, out_file)), "decree85 update: note names the file")
    rep = json.load(open(out_file, encoding="utf-8"))
    f = {k: v for k, _, v in fields_of(rep)}
    T.eq((rep["number"], rep["deadline"], rep["late"], f["cause"], f["measures"]),
         (a + "/BC-02", None, False, cause, measures),
         "decree85 update: number, no deadline, cause in NFC, measures with a newline")
    h = admin.hgetall(P + a)
    T.eq((h["report_update_count"], h["report_update_at"], h["report_cause"],
          h["report_measures"], h.get("report_scope")),
         ("1", str(now + DAY), cause, measures, None), "decree85 update: kept on the incident")

    # resolve, then the final report starts from the stored texts
    ctl.change(a, "ack", now=now + DAY + HOUR)
    ctl.change(a, "status", "investigating", now=now + DAY + HOUR)
    ctl.change(a, "status", "resolved", now=now + 2 * DAY)
    rc, out, err = ctl.report(a, "final", "json", now + 3 * DAY, actor="bob")
    rep = json.loads(out)
    f = {k: v for k, _, v in fields_of(rep)}
    T.eq((rc, rep["number"], rep["deadline"], rep["next"], f["cause"], f["measures"],
          f["status"], f["next-report"]),
         (0, a + "/BC-03", eve_time(now + 7 * DAY), None, cause, measures, "Đã xử lý xong",
          "Không có"), "decree85 final: deadline 5 days after resolution, stored texts")
    h = admin.hgetall(P + a)
    T.ok(h["report_final_at"] == str(now + 3 * DAY) and "report_due_kind" not in h and
         "report_due_at" not in h, "decree85 final: nothing due any more")
    rc, out, err = ctl.report(a, "update", "json", now + 4 * DAY)
    T.eq((rc, err), (1, "socctl incidents report: %s: the final report was already recorded; "
                        "no report follows it" % a), "refused: anything after the final")
    T.eq([(e["actor"], e["new"]) for e in admin.timeline(a) if e["action"] == "report"],
         [("alice", "initial"), ("alice", "update"), ("bob", "final")],
         "decree85: the three reports on the timeline")


# ---- PDF -------------------------------------------------------------------------------------

def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", path, "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def pdf_pages(path, prefix):
    subprocess.run(["pdftoppm", "-png", "-r", "40", path, prefix], check=True,
                   capture_output=True)
    d = os.path.dirname(prefix)
    pngs = sorted(f for f in os.listdir(d) if f.startswith(os.path.basename(prefix) + "-") and
                  f.endswith(".png"))
    return [open(os.path.join(d, p), "rb").read() for p in pngs]


def check_pdf(path, want_lines, what, prefix):
    text = pdf_text(path)
    T.ok(unicodedata.is_normalized("NFC", text), what + ": pdftotext gives NFC text")
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in text.splitlines()]
    for w in want_lines:
        if isinstance(w, tuple):  # a label and its value on one line of the table
            rx = re.compile(r"(^|\s)\d*\s*" + re.escape(w[0]) + r"\s+" + re.escape(w[1]))
            T.ok(any(rx.search(ln) for ln in lines), "%s: row %s | %s" % (what, w[0], w[1]))
        else:
            T.ok(any(w in ln for ln in lines), "%s: text %r" % (what, w))
    pages = pdf_pages(path, prefix)
    n = len([1 for ln in lines if re.search(r"Trang \d+/\d+", ln)])
    T.ok(len(pages) >= 1 and all(p.startswith(b"\x89PNG\r\n\x1a\n") and len(p) > 2000
                                 for p in pages), "%s: pdftoppm made %d PNG pages" %
         (what, len(pages)))
    T.eq(n, len(pages), what + ": a page number on every page")
    T.ok(("Trang %d/%d" % (len(pages), len(pages))) in text, what + ": last page numbered N/N")
    return text, len(pages)


def step_decree85_pdf(ctl, ids, tmp):
    d = ids["D"]
    now = T0 + 2 * HOUR
    rc, out, err = ctl.report(d, "initial", "pdf", now)
    path = os.path.join(ctl.cwd, d + "-initial.pdf")
    T.eq((rc, out.strip()), (0, "%s: Báo cáo ban đầu recorded (decree85) by alice, written to "
                                "%s-initial.pdf; next: Báo cáo kết thúc trong vòng 5 ngày kể "
                                "từ khi kết thúc ứng phó sự cố" % (d, d)),
         "decree85 pdf: default file name ID-initial.pdf")
    want = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
            "TRUNG TÂM GIÁM SÁT", "Số: %s/BC-01" % d, "Cần Thơ, ngày 01 tháng 3 năm 2026",
            "BÁO CÁO BAN ĐẦU SỰ CỐ AN TOÀN THÔNG",
            "Kính gửi: Cơ quan điều phối quốc gia về ứng cứu sự cố an toàn thông",
            ("Mã sự cố", "%s – Beaconing to a known" % d),
            ("Thời điểm xảy ra", vn(E0)), ("Loại sự cố", "Mã độc"),
            ("Mức độ nghiêm", "Nghiêm trọng (mức 4/4), mức ưu tiên P1"),
            ("Nguyên nhân", "Đang xác minh"), ("Biện pháp đã thực", "Chưa cập nhật"),
            ("Tên hệ thống", "Chưa xác định"),
            "NGƯỜI BÁO CÁO", "(Ký, ghi rõ họ tên)", "alice"]
    check_pdf(path, want, "decree85 pdf", os.path.join(tmp, "d85"))


# ---- law116 ----------------------------------------------------------------------------------

def step_law116(ctl, admin, ids, ms, tmp):
    b = ids["B"]
    ctl.change(b, "ack", now=T0 + 10 * 60 * SEC)
    now = T0 + 30 * 60 * SEC  # half an hour after detection: within the immediate hour
    out_pdf = os.path.join(tmp, "b-initial.pdf")
    rc, out, err = ctl.report(b, "initial", "pdf", now, "--profile", "law116", "--out", out_pdf)
    T.eq((rc, out.strip()), (0, "%s: Thông báo ban đầu recorded (law116) by alice, written to "
                                "%s; next: Báo cáo chi tiết trước %s" % (b, out_pdf,
                                                                          vn(T0 + 72 * HOUR))),
         "law116 immediate notice as pdf")
    T.eq(vn(T0 + 72 * HOUR), "15:30:00 ngày 04/03/2026 (UTC+7)", "72 hours after detection")
    want = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
            "THÔNG BÁO BAN ĐẦU SỰ CỐ AN NINH MẠNG",
            "(Thông báo ban đầu theo Luật An ninh mạng số 116/2025/QH15)",
            "Kính gửi: Lực lượng chuyên trách bảo vệ an ninh mạng, Bộ Công an",
            "Số: %s/BC-01" % b, "Cần Thơ, ngày 01 tháng 3 năm 2026",
            ("Cấp độ an toàn hệ", "Cấp độ 4"), ("Loại sự cố", "Tấn công từ chối dịch vụ"),
            ("Thời điểm phát", vn(T0)), ("Tình trạng xử lý", "Đã tiếp nhận"),
            "Nguyễn Văn An; điện thoại: 0292 3 820"]
    check_pdf(out_pdf, want, "law116 pdf", os.path.join(tmp, "l116"))
    h = admin.hgetall(P + b)
    T.eq((h["report_profile"], h["report_initial_at"], h["report_due_kind"], h["report_due_at"]),
         ("law116", str(now), "update", str(T0 + 72 * HOUR)), "law116 initial: hash fields")
    T.eq(admin.timeline(b)[-1]["due"], str(T0 + HOUR), "law116 initial: answered the 1 h deadline")

    # the detailed report, everything given; NFD input comes back NFC
    cause = "Tấn công SYN flood từ mạng botnet"
    scope = "Nền tảng LGSP gián đoạn 40 phút; các sở không gửi được hồ sơ"
    measures = "Bật chống SYN flood trên cân bằng tải; phối hợp nhà mạng lọc lưu lượng"
    rc, out, err = ctl.report(b, "update", "json", T0 + 50 * HOUR, "--profile", "law116",
                              "--cause", cause, "--scope", unicodedata.normalize("NFD", scope),
                              "--measures", measures)
    rep = json.loads(out)
    vals = base_values(ms["B"], b, "Đã tiếp nhận")
    vals.update(cause=cause, scope=scope, measures=measures,
                **{"next-report": "Báo cáo kết thúc trong vòng 5 ngày kể từ khi kết thúc ứng "
                                  "phó sự cố"})
    want_top = {"incident": b, "kind": "update", "name": "Báo cáo chi tiết",
                "title": "BÁO CÁO CHI TIẾT SỰ CỐ AN NINH MẠNG", "number": b + "/BC-02",
                "profile": LAW116, "organisation": ORG, "reporter": "alice",
                "reported_at": eve_time(T0 + 50 * HOUR),
                "date_line": date_line(T0 + 50 * HOUR), "required": True, "immediate": True,
                "deadline": eve_time(T0 + 72 * HOUR), "late": False,
                "next": {"kind": "final", "name": "Báo cáo kết thúc", "due": None},
                "categories": ["dos"]}
    T.eq(rc, 0, "law116 update json: exit 0 (%s)" % err)
    for k, v in want_top.items():
        T.eq(rep.get(k), v, "law116 update json: %s" % k)
    T.eq(want_top["date_line"], "Cần Thơ, ngày 03 tháng 3 năm 2026", "date line of T0 + 50 h")
    for g, w in zip(fields_of(rep), expect_fields(vals)):
        T.eq(g, w, "law116 update json: field %s" % w[0])
    T.eq(len(rep["fields"]), 17, "law116 update json: 17 fields")

    # resolved, then the final report, late: 5 days after resolution have passed
    ctl.change(b, "status", "investigating", now=T0 + 51 * HOUR)
    ctl.change(b, "status", "resolved", now=T0 + 60 * HOUR)
    rc, out, err = ctl.report(b, "final", "json", T0 + 60 * HOUR + 5 * DAY + SEC, "--profile",
                              "law116")
    rep = json.loads(out)
    f = {k: v for k, _, v in fields_of(rep)}
    T.eq((rc, rep["deadline"], rep["late"], rep["next"], f["cause"], f["scope"],
          f["next-report"]),
         (0, eve_time(T0 + 60 * HOUR + 5 * DAY), True, None, cause, scope, "Không có"),
         "law116 final: late by a second, texts of the detailed report kept")


def step_law116_categories(ctl, ids, ms):
    """G: brute force with success; 12 event ids, 10 named."""
    g = ids["G"]
    rc, out, err = ctl.report(g, "initial", "json", T0 + 10 * DAY, "--profile", "law116")
    rep = json.loads(out)
    f = {k: v for k, _, v in fields_of(rep)}
    ev = ms["G"]["event_ids"]
    T.eq((rc, rep["categories"], f["category"], rep["late"], rep["deadline"]),
         (0, ["brute-force", "intrusion"],
          "Tấn công dò mật khẩu; Truy cập trái phép, chiếm quyền điều khiển", True,
          eve_time(T0 + 24 * HOUR)), "law116: two categories, a late initial notice")
    T.eq(f["evidence"], "12 sự kiện được lưu vết; mã sự kiện: %s (và 2 mã khác)" %
         ", ".join(ev[:10]), "evidence names the first 10 event ids")


def step_race(ctl, admin, ids):
    """Six analysts send J's initial report at once: the store's script lets
    exactly one through, whichever check stops the others."""
    j = ids["J"]
    procs = [subprocess.Popen([ctl.path, "incidents", "report", j, "--kind", "initial",
                               "--format", "json", "--now", arg_time(T0 + HOUR), "--actor",
                               "analyst%d" % n], env=ctl.env, cwd=ctl.cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(6)]
    res = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read().strip()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    won = [r for r in res if r[0] == 0]
    lost = [r for r in res if r[0] != 0]
    T.eq(len(won), 1, "race: exactly one initial report recorded")
    T.ok(all(r[0] == 1 and r[2] == "socctl incidents report: %s: the initial report was "
             "already recorded; send an update" % j for r in lost),
         "race: the others refused with one line")
    entries = [e for e in admin.timeline(j) if e["action"] == "report"]
    T.eq(len(entries), 1, "race: one report on the timeline")
    rep = json.loads(won[0][1]) if won else {}
    T.eq((rep.get("required"), rep.get("deadline"), rep.get("late"), rep.get("next")),
         (False, None, False, {"kind": "final", "name": "Báo cáo kết thúc", "due": None}),
         "race: a voluntary report has no deadline, and wants its final report")


# ---- list, --overdue ---------------------------------------------------------------------------

def prepare_states(ctl, ids):
    e, f, i = ids["E"], ids["F"], ids["I"]
    for x in (e, f, i):
        ctl.change(x, "ack", now=T0 + 5 * 60 * SEC)
        ctl.change(x, "status", "investigating", now=T0 + 6 * 60 * SEC)
    ctl.change(e, "status", "false_positive", now=T0 + HOUR)
    ctl.change(i, "status", "false_positive", now=T0 + HOUR)
    ctl.change(i, "status", "closed", now=T0 + 2 * HOUR)
    ctl.change(f, "status", "resolved", now=T0 + 2 * HOUR)
    ctl.change(f, "status", "closed", now=T0 + 3 * HOUR)


def overdue_ids(ctl, now, *extra):
    return [x["id"] for x in ctl.json("list", "--overdue", "--now", arg_time(now), *extra)]


def step_overdue(ctl, admin, ids):
    """Run after A, B, D have their reports (decree85 and law116 steps) and
    E, F, I their states; G and H have nothing sent."""
    order = [i for i, _ in zip(*[iter(admin.cmd("ZRANGE", P + "all", 0, -1, "WITHSCORES"))] * 2)]
    A, B, C, D, E, F, G, H, I = (ids[k] for k in "ABCDEFGHI")
    # decree85 at T0 + 5 d + 1 s: initial deadlines of T0 have passed, H's (T0 + 6 d) not
    now = T0 + 5 * DAY + SEC
    want = [x for x in order if x in (F, G)]
    T.eq(overdue_ids(ctl, now), want, "decree85 --overdue: F (closed) and G (open), exactly")
    T.eq(overdue_ids(ctl, now, "--status", "open"), [G], "decree85 --overdue --status open: G")
    T.eq(overdue_ids(ctl, T0 + 5 * DAY), [], "decree85 --overdue at the deadline itself: none")
    lst = {x["id"]: x for x in ctl.json("list", "--status", "all", "--now", arg_time(now))}
    T.eq(lst[G]["report"], {"profile": "decree85", "required": True, "immediate": False,
                            "next": {"kind": "initial", "due": eve_time(T0 + 5 * DAY)},
                            "overdue": True, "due_soon": False, "sent": []},
         "list --json: report member of a late incident")
    T.eq(lst[H]["report"]["next"], {"kind": "initial", "due": eve_time(T0 + 6 * DAY)},
         "list --json: H due a day later")
    T.ok(lst[H]["report"]["due_soon"] and not lst[H]["report"]["overdue"],
         "list --json: H due soon (within 1 day)")
    T.eq(lst[C]["report"], {"profile": "decree85", "required": False, "immediate": False,
                            "next": None, "overdue": False, "due_soon": False, "sent": []},
         "list --json: C owes nothing")
    T.eq((lst[E]["report"]["required"], lst[E]["report"]["next"], lst[I]["report"]["next"]),
         (True, None, None), "list --json: false positives owe nothing (I closed as one)")
    T.eq(lst[B]["report"]["sent"],
         [{"kind": "initial", "at": eve_time(T0 + 30 * 60 * SEC)},
          {"kind": "update", "at": eve_time(T0 + 50 * HOUR), "count": 1},
          {"kind": "final", "at": eve_time(T0 + 60 * HOUR + 5 * DAY + SEC)}],
         "list --json: B's three reports")
    # the table
    rc, out, err = ctl.run("list", "--status", "all", "--now", arg_time(now))
    lines = out.splitlines()
    T.ok(rc == 0 and lines[0].split()[-3:] == ["REPORT", "DUE", "TITLE"],
         "list: REPORT DUE column before TITLE")
    row = {ln.split()[0]: ln for ln in lines[1:-1]}
    T.ok("initial %s LATE" % short_utc(T0 + 5 * DAY) in row[G], "list: G's cell says LATE")
    T.ok("initial %s soon" % short_utc(T0 + 6 * DAY) in row[H], "list: H's cell says soon")
    T.ok("final after close" in row[D], "list: D waits for its final report")
    # law116 at T0 + 25 h: initial notices due T0 + 24 h (T0 + 1 h for the immediate ones)
    T.eq(overdue_ids(ctl, T0 + 25 * HOUR, "--profile", "law116"),
         [x for x in order if x in (F, G)], "law116 --overdue at T0 + 25 h: F and G")
    # at T0 + 73 h the detailed reports of D and J are late too (each sent its initial
    # report only; J's was voluntary, but once sent the sequence goes on), and H's initial
    # notice (T0 + 1 d + 24 h); A and B sent their final reports already
    T.eq(overdue_ids(ctl, T0 + 73 * HOUR, "--profile", "law116"),
         [x for x in order if x in (D, F, G, H, ids["J"])],
         "law116 --overdue at T0 + 73 h: D, F, G, H, J")


def step_no_profile(ctl, tmp):
    """Without a reports section, list prints what it printed before reports."""
    plain = os.path.join(tmp, "plain.yaml")
    with open(plain, "w") as f:
        f.write("correlator:\n  incidents: {}\n")
    lst = ctl.json("list", "--status", "all", config=plain)
    T.ok(all("report" not in x for x in lst), "no profile: no report member in list --json")
    rc, out, err = ctl.run("list", config=plain)
    T.ok(rc == 0 and "REPORT" not in out.splitlines()[0], "no profile: no REPORT DUE column")
    rc, out, err = ctl.run("report", "INC-2026-000003", "--kind", "initial", "--format", "json",
                           "--actor", "alice", config=plain)
    T.eq((rc, err), (1, "socctl incidents report: no reporting profile: set reports.profile in "
                        "%s or give --profile" % plain), "no profile: report refuses")
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write("reports:\n  profile: nosuch\n  profiles-dir: %s\n" % tmp)
    rc, out, err = ctl.run("list", config=bad)
    T.ok(rc == 1 and err.startswith("socctl incidents: %s/nosuch.yml: " % tmp),
         "a missing profile is an error naming the file (%s)" % err)


def run(args):
    tmp = tempfile.mkdtemp(prefix="rpt", dir="/tmp")
    rdir = os.path.join(tmp, "r")
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    drv = None
    try:
        sock = subprocess.run(["bash", REDIS_SH, "start", rdir], check=True,
                              capture_output=True, text=True).stdout.strip()
        secrets = os.path.join(rdir, "secrets")
        cfg = os.path.join(tmp, "soc.yaml")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(CONFIG.format(root=ROOT))
        admin = Redis(sock, "admin", open(os.path.join(secrets, "admin.pass")).read().strip())
        drv = Driver(args.driver, sock, secrets, cfg)
        ctl = Socctl(args.socctl, sock, cfg, work)
        ids, ms = make_incidents(drv)
        step_decree85_json(ctl, admin, ids, ms)
        step_decree85_pdf(ctl, ids, tmp)
        step_law116(ctl, admin, ids, ms, tmp)
        step_race(ctl, admin, ids)
        prepare_states(ctl, ids)
        step_overdue(ctl, admin, ids)
        step_law116_categories(ctl, ids, ms)
        step_no_profile(ctl, tmp)
    except Exception:
        traceback.print_exc()
        T.failed.append("exception")
    finally:
        if drv:
            drv.close()
        subprocess.run(["bash", REDIS_SH, "stop", rdir], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--driver", required=True)
    ap.add_argument("--socctl", required=True)
    args = ap.parse_args()
    args.driver, args.socctl = os.path.abspath(args.driver), os.path.abspath(args.socctl)
    for tool in ("redis-server", "redis-cli", "pdftotext", "pdftoppm"):
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
