"""eve.py -- run soc-sensor on a capture and read its EVE JSON lines."""

import datetime
import ipaddress
import json
import os
import socket
import subprocess
import tempfile

CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                 "UndefinedBehaviorSanitizer")


class SensorRun:
    def __init__(self, rc, events, stderr, bad_lines):
        self.rc = rc
        self.events = events
        self.stderr = stderr
        self.bad_lines = bad_lines

    @property
    def crashed(self):
        return self.rc < 0 or self.rc >= 128 or any(m in self.stderr for m in CRASH_MARKERS)

    def of_type(self, t):
        return [e for e in self.events if e.get("event_type") == t]


def run_sensor(binary, pcap, extra_args=(), timeout=600):
    """Run the sensor with EVE to a temporary file; return a SensorRun."""
    with tempfile.TemporaryDirectory(prefix="soc-it-") as tmp:
        out = os.path.join(tmp, "eve.json")
        cmd = [binary, "-r", pcap, "--eve", out] + list(extra_args)
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout, check=False)
            rc, err = p.returncode, p.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired:
            return SensorRun(-999, [], "timeout after %d s" % timeout, [])
        events, bad = [], []
        if os.path.exists(out):
            with open(out, encoding="utf-8", errors="replace") as fh:
                for n, line in enumerate(fh, 1):
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        events.append(json.loads(line))
                    except ValueError:
                        bad.append((n, line[:200]))
        return SensorRun(rc, events, err, bad)


def norm_addr(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def parse_ts(s):
    """EVE timestamp (2024-03-01T08:00:00.003000+0000) to epoch seconds."""
    if not s:
        return None
    try:
        return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
    except ValueError:
        try:
            return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None


# EVE proto names (Suricata prints IANA keywords for known protocols).
PROTO_NUMBERS = {"ICMP": 1, "IGMP": 2, "TCP": 6, "UDP": 17, "GRE": 47, "ESP": 50, "AH": 51,
                 "IPV6-ICMP": 58, "ICMPV6": 58, "SCTP": 132}


def proto_number(p):
    """EVE proto (name or number as text) to the IP protocol number."""
    s = str(p)
    if s.isdigit():
        return int(s)
    if s.upper() in PROTO_NUMBERS:
        return PROTO_NUMBERS[s.upper()]
    try:
        return socket.getprotobyname(s)
    except OSError:
        return s


def flow_record(ev):
    """The comparable part of one EVE flow event."""
    f = ev.get("flow", {})
    d = {
        "proto": str(ev.get("proto")),
        "src_ip": norm_addr(ev.get("src_ip", "")),
        "dest_ip": norm_addr(ev.get("dest_ip", "")),
        "pkts_toserver": f.get("pkts_toserver"),
        "pkts_toclient": f.get("pkts_toclient"),
        "bytes_toserver": f.get("bytes_toserver"),
        "bytes_toclient": f.get("bytes_toclient"),
        "start": parse_ts(f.get("start")),
        "flow_id": ev.get("flow_id"),
    }
    if ev.get("src_port") is not None and proto_number(d["proto"]) in (6, 17, 132):
        d["src_port"], d["dest_port"] = ev.get("src_port"), ev.get("dest_port")
    if ev.get("vlan"):
        d["vlan"] = list(ev["vlan"])
    return d


def flow_key(rec):
    """Same key as tshark_flows.flow_key, from a flow dict."""
    a = (rec["src_ip"], rec.get("src_port"))
    b = (rec["dest_ip"], rec.get("dest_port"))
    return (tuple(rec.get("vlan") or ()), proto_number(rec["proto"]), frozenset((a, b)))
