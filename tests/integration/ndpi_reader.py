"""ndpi_reader.py -- run Debian's ndpiReader (nDPI 4.2) and parse its flows.

`ndpiReader -i FILE -v 2` prints one line per flow:

  <tab>N<tab>TCP 10.0.0.1:5000 <-> 10.0.0.2:80 [VLAN: 10][proto: 5.126/DNS.Google]
       [ClearText][Confidence: DPI][cat: Web/5][3 pkts/200 bytes <-> 2 pkts/150 bytes]...

("->" instead of "<->" for one-way flows; IPv6 addresses in brackets.)
Only the fields the comparison needs are kept."""

import re
import subprocess

LINE = re.compile(
    r"^\t(\d+)\t(\S+) (\S+) (<->|->) (\S+) ((?:\[VLAN: \d+\])?)\[proto: ([\d.]+)/([^\]]+)\]"
    r".*?\[Confidence: ([^\]]+)\](?:\[cat: ([^\]]+)\])?"
    r"\[(\d+) pkts/(\d+) bytes (?:<->|->) (\d+) pkts/(\d+) bytes\]")


def split_endpoint(s):
    """'10.0.0.1:80' or '[2001:db8::1]:80' -> (addr, port)."""
    if s.startswith("["):
        addr, _, port = s[1:].partition("]:")
    else:
        addr, _, port = s.rpartition(":")
    return addr, int(port) if port.isdigit() else 0


class NdpiFlow:
    def __init__(self, m):
        self.l4 = m.group(2)
        self.a = split_endpoint(m.group(3))
        self.b = split_endpoint(m.group(5))
        vl = re.search(r"\d+", m.group(6) or "")
        self.vlan = int(vl.group(0)) if vl else None
        nums = m.group(7).split(".")
        self.master_num = int(nums[0])
        self.app_num = int(nums[1]) if len(nums) > 1 else None
        self.name = m.group(8)
        self.confidence = m.group(9)
        self.category = m.group(10)
        self.pkts = (int(m.group(11)), int(m.group(13)))
        self.bytes = (int(m.group(12)), int(m.group(14)))

    @property
    def by_dpi(self):
        """Detection completed by payload inspection (not a port or IP
        guess, not unknown)."""
        return self.confidence.startswith("DPI")


def run(path, timeout=300):
    """Return (flows, unparsed flow lines, exit status)."""
    p = subprocess.run(["ndpiReader", "-i", path, "-v", "2"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout, check=False)
    flows, bad = [], []
    for line in p.stdout.decode(errors="replace").splitlines():
        if not re.match(r"^\t\d+\t\S+ \S+ (<->|->) ", line):
            continue
        m = LINE.match(line)
        if m:
            flows.append(NdpiFlow(m))
        else:
            bad.append(line[:200])
    return flows, bad, p.returncode
