#!/usr/bin/env bash
# sensor_bench.sh -- offline throughput and memory of soc-sensor against
# Debian's ndpiReader (same libndpi 4.2) on one large capture.
#
#   tests/bench/sensor_bench.sh [-b BUILD_DIR] [-r RUNS] [-s SIZE_MB] [-c CONFIG] [SEED...]
#
# Builds BUILD_DIR/bench/big.pcap (>= SIZE_MB, default 500) once with
# pcap_replicate from the seed captures (default: ../shared/data/pcaps/ndpi,
# else pcaps/), each seed copied N times with both IP addresses shifted per
# copy so every copy is its own set of flows, all active at once. The file is
# cached (keyed by seeds and size) and never committed.
#
# Then runs, RUNS times each (default 3): `soc-sensor -r big.pcap --eve FILE`
# and `ndpiReader -i big.pcap -q`, under /usr/bin/time -v, and prints the
# medians as a markdown table: packets/s, Gbit/s (wire bytes), peak RSS, and
# RSS per tracked flow = (peak RSS - RSS on an empty capture) / the sensor's
# stats.flow.active_max. -c passes a sensor config (e.g. a larger flow table;
# the default table holds 65,536 flows and evicts beyond). Not a ctest: it
# takes minutes and needs a quiet machine.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=$REPO/build
RUNS=3
SIZE_MB=500
CONFIG=()
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
while getopts "b:r:s:c:h" o; do
  case $o in
    c) CONFIG=(-c "$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG")") ;;
    b) BUILD=$(cd "$OPTARG" && pwd) ;;
    r) RUNS=$OPTARG ;;
    s) SIZE_MB=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))

SEEDS=("$@")
if [ ${#SEEDS[@]} -eq 0 ]; then
  if [ -d "$REPO/../shared/data/pcaps/ndpi" ]; then
    mapfile -t SEEDS < <(find "$REPO/../shared/data/pcaps/ndpi" -maxdepth 1 \
      \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
  else
    mapfile -t SEEDS < <(find "$REPO/pcaps" -maxdepth 1 \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
  fi
fi

SENSOR=$BUILD/sensor/soc-sensor
for tool in /usr/bin/time ndpiReader "$SENSOR"; do
  if ! command -v "$tool" > /dev/null; then
    echo "sensor_bench: $tool not found (build the project; appliance/setup.sh installs the rest)" >&2
    exit 1
  fi
done

OUT=$BUILD/bench
mkdir -p "$OUT"

# pcap_replicate: built by CMake (tests/integration/CMakeLists.txt), or here.
REPL=$BUILD/tests/integration/pcap_replicate
if [ ! -x "$REPL" ]; then
  REPL=$OUT/pcap_replicate
  if [ ! -x "$REPL" ] || [ "$HERE/pcap_replicate.c" -nt "$REPL" ]; then
    cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$REPL" "$HERE/pcap_replicate.c" -lpcap
  fi
fi

BIG=$OUT/big.pcap
KEY=$( (echo "$SIZE_MB"; for s in "${SEEDS[@]}"; do sha256sum "$s"; done; sha256sum "$HERE/pcap_replicate.c") \
  | sha256sum | cut -c1-16)
if [ ! -s "$BIG" ] || [ "$(cat "$OUT/big.key" 2>/dev/null)" != "$KEY" ]; then
  echo "sensor_bench: building $BIG (${SIZE_MB} MB from ${#SEEDS[@]} seeds)" >&2
  "$REPL" -o "$BIG.tmp" -s "$SIZE_MB" "${SEEDS[@]}" > "$OUT/big.meta" 2> "$OUT/big.log"
  mv "$BIG.tmp" "$BIG"
  echo "$KEY" > "$OUT/big.key"
fi
PKTS=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' "$OUT/big.meta")
BYTES=$(sed -n 's/.*wire_bytes=\([0-9]*\).*/\1/p' "$OUT/big.meta")
COPIES=$(sed -n 's/.*copies=\([0-9]*\).*/\1/p' "$OUT/big.meta")

# One measured run: prints "wall_seconds max_rss_kb".
measure() {
  local tf=$OUT/time.txt
  /usr/bin/time -v -o "$tf" "$@" > /dev/null 2> "$OUT/run.stderr" || {
    echo "sensor_bench: command failed: $* (see $OUT/run.stderr)" >&2
    exit 1
  }
  "$PY" - "$tf" << 'EOF'
import sys
wall = rss = None
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("Elapsed (wall clock)"):
        parts = [float(x) for x in line.rsplit(" ", 1)[1].split(":")]
        wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    elif line.startswith("Maximum resident set size"):
        rss = int(line.rsplit(" ", 1)[1])
print(wall, rss)
EOF
}

EMPTY=$REPO/pcaps/corrupt/header_only.pcap
BASE=$(measure "$SENSOR" "${CONFIG[@]}" -r "$EMPTY" --eve "$OUT/eve-empty.json")
BASE_RSS=${BASE#* }

# Untimed warm-up of each program: the first run otherwise pays for reading
# the capture from disk, whichever program comes first.
cat "$BIG" > /dev/null
measure "$SENSOR" "${CONFIG[@]}" -r "$BIG" --eve "$OUT/eve.json" > /dev/null
measure ndpiReader -i "$BIG" -q > /dev/null

S_RES=()
N_RES=()
for i in $(seq 1 "$RUNS"); do
  echo "sensor_bench: run $i/$RUNS" >&2
  rm -f "$OUT/eve.json"
  S_RES+=("$(measure "$SENSOR" "${CONFIG[@]}" -r "$BIG" --eve "$OUT/eve.json")")
  N_RES+=("$(measure ndpiReader -i "$BIG" -q)")
done

# the sensor's final stats event: "active_max created evicted capacity"
read -r ACTIVE_MAX CREATED EVICTED CAPACITY < <("$PY" - "$OUT/eve.json" << 'EOF'
import json, sys
last = None
with open(sys.argv[1]) as fh:
    for line in fh:
        if '"event_type":"stats"' in line.replace(" ", ""):
            last = json.loads(line)
fl = (last or {}).get("stats", {}).get("flow", {})
print(*(fl.get(k) if isinstance(fl.get(k), int) else 0
        for k in ("active_max", "created", "evicted", "capacity")))
EOF
)

"$PY" - "$PKTS" "$BYTES" "$BASE_RSS" "${ACTIVE_MAX:-0}" "$COPIES" "${#SEEDS[@]}" "$RUNS" \
  "${CREATED:-0}" "${EVICTED:-0}" "${CAPACITY:-0}" "${S_RES[@]}" "${N_RES[@]}" << 'EOF'
import statistics, sys
pkts, nbytes, base_rss, active_max, copies, nseeds, runs, created, evicted, capacity = (
    int(x) for x in sys.argv[1:11])
rest = sys.argv[11:]
sensor = [tuple(map(float, r.split())) for r in rest[:runs]]
ndpi = [tuple(map(float, r.split())) for r in rest[runs:2 * runs]]

def row(name, res, per_flow):
    wall = statistics.median(r[0] for r in res)
    rss = statistics.median(r[1] for r in res)
    pps = pkts / wall if wall else 0
    gbps = nbytes * 8 / wall / 1e9 if wall else 0
    return (wall, pps, "| %s | %.2f | %s | %.3f | %.1f | %s |" % (
        name, wall, format(int(pps), ","), gbps, rss / 1024, per_flow(rss)))

def sensor_per_flow(rss):
    if not active_max:
        return "n/a (no stats.flow.active_max)"
    return "%d B (%s flows)" % ((rss - base_rss) * 1024 / active_max, format(active_max, ","))

ws, ps, srow = row("soc-sensor", sensor, sensor_per_flow)
wn, pn, nrow = row("ndpiReader 4.2 (-q)", ndpi, lambda rss: "-")
print("Capture: %s packets, %.1f MB on the wire (%d seeds x %d copies); median of %d runs."
      % (format(pkts, ","), nbytes / 1e6, nseeds, copies, runs))
print()
print("| program | wall s | packets/s | Gbit/s | peak RSS MiB | RSS per tracked flow |")
print("|---|---:|---:|---:|---:|---|")
print(srow)
print(nrow)
print()
print("soc-sensor / ndpiReader packet rate: %.2f. Baseline: the sensor with the same "
      "configuration on an empty capture, %.1f MiB (memory reserved up front counts only "
      "once touched)." % (ps / pn if pn else 0, base_rss / 1024))
print("Sensor flow table: %s flows created, at most %s active (capacity %s), %s evicted "
      "to make room." % tuple(format(x, ",") for x in (created, active_max, capacity, evicted)))
EOF
