#!/usr/bin/env bash
# Live capture end to end: two network namespaces joined by a veth pair that
# this test creates; soc-sensor captures on one end (-i, -f BPF, -s, no
# promisc) while the other end sends a known number of UDP datagrams and
# pings; on SIGTERM the sensor must flush the flows and write a final stats
# event carrying pcap_stats. Exits 77 (skipped) without root or netns.
set -euo pipefail
SENSOR=$1
NS=socsens$$
PEER=socpeer$$
OUT=$(mktemp -d)
cleanup() {
  [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$PEER" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "skipped: needs root and iproute2 to create network namespaces"; exit 77
fi
if ! ip netns add "$NS" 2>/dev/null; then
  echo "skipped: cannot create a network namespace here"; exit 77
fi
ip netns add "$PEER"
ip link add vs0 netns "$NS" type veth peer name vp0 netns "$PEER"
ip -n "$NS" addr add 192.0.2.1/24 dev vs0
ip -n "$PEER" addr add 192.0.2.2/24 dev vp0
ip -n "$NS" link set vs0 up
ip -n "$PEER" link set vp0 up
ip -n "$NS" link set lo up

# Only UDP to port 5555 and ICMP echo pass the filter: the TCP probe and the
# ICMP port-unreachables the UDP datagrams provoke must not appear.
ip netns exec "$NS" "$SENSOR" -i vs0 -f "udp port 5555 or icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply" -s 1500 --no-promisc \
  --eve "$OUT/eve.json" --sensor-name live-test --stats-interval 1 2> "$OUT/sensor.err" &
SPID=$!
sleep 1.5 # libpcap is active once the sensor logs nothing and still runs
kill -0 "$SPID" || { cat "$OUT/sensor.err"; echo "sensor exited early"; exit 1; }

ip netns exec "$PEER" python3 - << 'PY'
import socket, struct, time

def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff

icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
icmp.settimeout(1)
for seq in range(3):
    body = struct.pack("!BBHHH", 8, 0, 0, 0x5153, seq) + b"echo-echo-echo!!"
    body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
    icmp.sendto(body, ("192.0.2.1", 0))
    icmp.recv(2048)  # the reply, so requests and replies interleave
    time.sleep(0.05)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(10):
    s.sendto(b"reading %02d" % i, ("192.0.2.1", 5555))
    time.sleep(0.01)
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.settimeout(0.5)
try:
    t.connect(("192.0.2.1", 80))
except OSError:
    pass
PY
# While the sensor runs: a periodic stats event with pcap_stats must already
# be on disk (live output is flushed every second, not per megabyte).
sleep 2.5
python3 - "$OUT/eve.json" << 'PY' || { kill "$SPID"; exit 1; }
import json, sys
stats = [json.loads(l) for l in open(sys.argv[1]) if '"event_type":"stats"' in l]
if not stats or "capture" not in stats[-1]["stats"]:
    sys.exit("no periodic stats event with capture counters on disk while running")
PY
kill -TERM "$SPID"
wait "$SPID"; RC=$?
SPID=
[ "$RC" = 0 ] || { cat "$OUT/sensor.err"; echo "sensor exit status $RC"; exit 1; }

python3 - "$OUT/eve.json" << 'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
flows = [e for e in ev if e["event_type"] == "flow"]
stats = [e for e in ev if e["event_type"] == "stats"]
udp = [f for f in flows if f["proto"] == "UDP" and f.get("dest_port") == 5555]
icmp = [f for f in flows if f["proto"] == "ICMP"]
tcp = [f for f in flows if f["proto"] == "TCP"]
errors = []
if len(udp) != 1 or udp[0]["flow"]["pkts_toserver"] != 10:
    errors.append("expected one UDP flow with 10 packets to server, got %r" % udp)
elif udp[0]["src_ip"] != "192.0.2.2" or udp[0]["flow"]["reason"] != "shutdown":
    errors.append("UDP flow: wrong client or end reason: %r" % udp[0])
if len(icmp) != 1 or icmp[0]["flow"]["pkts_toserver"] != 3 or icmp[0]["flow"]["pkts_toclient"] != 3:
    errors.append("expected one ICMP flow with 3 echo requests and 3 replies, got %r" % icmp)
if tcp:
    errors.append("the BPF filter let TCP through: %r" % tcp)
if not stats or "capture" not in stats[-1]["stats"]:
    errors.append("final stats event without capture counters")
else:
    cap = stats[-1]["stats"]["capture"]
    if cap["kernel_packets"] < 16 or cap["kernel_drops"] != 0:
        errors.append("pcap_stats: %r" % cap)
if any(e["sensor"]["name"] != "live-test" for e in ev):
    errors.append("sensor name missing")
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("live capture: 1 UDP flow (10 pkts), 1 ICMP flow (3+3), BPF held back TCP, pcap_stats %r" % stats[-1]["stats"]["capture"])
PY
