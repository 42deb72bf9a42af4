#!/usr/bin/env bash
# rules_bench.sh -- cost of the signature engine: packet rate and peak RSS of
# soc-sensor with no rules and with the ET Open snapshot loaded, on the same
# capture in the same run, and the rule-load time cold and from the cache.
#
#   tests/bench/rules_bench.sh [-b BUILD_DIR] [-r RUNS]
#
# Uses BUILD_DIR/bench/big.pcap made by sensor_bench.sh (run that first) and
# the enabled rules of ../shared/rulesets/et-open/emerging-*.rules.
# Not a ctest: it takes minutes and needs a quiet machine.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=$REPO/build
RUNS=3
while getopts "b:r:h" o; do
  case $o in
    b) BUILD=$(cd "$OPTARG" && pwd) ;;
    r) RUNS=$OPTARG ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
done
SENSOR=$BUILD/sensor/soc-sensor
BIG=$BUILD/bench/big.pcap
ET=$REPO/../shared/rulesets/et-open
[ -x "$SENSOR" ] || { echo "rules_bench: build first ($SENSOR)" >&2; exit 1; }
[ -r "$BIG" ] || { echo "rules_bench: run tests/bench/sensor_bench.sh first ($BIG)" >&2; exit 1; }
[ -d "$ET" ] || { echo "rules_bench: $ET not present" >&2; exit 1; }
OUT=$BUILD/bench/rules
mkdir -p "$OUT"
RULES=()
for f in "$ET"/emerging-*.rules; do RULES+=(-S "$f"); done
RULES+=(--classification "$ET/classification.config")
EMPTY=$REPO/pcaps/corrupt/header_only.pcap

# "wall_seconds max_rss_kb" of one run
measure() {
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > /dev/null 2> "$OUT/run.stderr" || {
    echo "rules_bench: failed: $* (see $OUT/run.stderr)" >&2; exit 1; }
  cat "$OUT/time.txt"
}

cat "$BIG" > /dev/null
rm -rf "$OUT/cache"
COLD=$(measure "$SENSOR" "${RULES[@]}" -r "$EMPTY" --eve "$OUT/e.json")          # no cache at all
measure "$SENSOR" "${RULES[@]}" --rules-cache "$OUT/cache" -r "$EMPTY" --eve "$OUT/e.json" > /dev/null
WARM=$(measure "$SENSOR" "${RULES[@]}" --rules-cache "$OUT/cache" -r "$EMPTY" --eve "$OUT/e.json")
LOADED=$("$SENSOR" --test-rules "$ET"/emerging-*.rules 2>/dev/null | head -1 || true)

NO=() ET_RES=()
for i in $(seq 1 "$RUNS"); do
  echo "rules_bench: run $i/$RUNS" >&2
  NO+=("$(measure "$SENSOR" -r "$BIG" --eve "$OUT/eve-none.json")")
  ET_RES+=("$(measure "$SENSOR" "${RULES[@]}" --rules-cache "$OUT/cache" -r "$BIG" --eve "$OUT/eve-et.json")")
done
ALERTS=$(grep -c '"event_type":"alert"' "$OUT/eve-et.json" || true)
PKTS=$(tail -1 "$OUT/eve-none.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["decoder"]["pkts"])')

python3 - "$PKTS" "$RUNS" "$COLD" "$WARM" "$ALERTS" "$LOADED" "${NO[@]}" "${ET_RES[@]}" << 'PY'
import statistics, sys
pkts, runs = int(sys.argv[1]), int(sys.argv[2])
cold, warm = (tuple(map(float, x.split())) for x in sys.argv[3:5])
alerts, loaded = sys.argv[5], sys.argv[6]
rest = [tuple(map(float, r.split())) for r in sys.argv[7:]]
none, et = rest[:runs], rest[runs:2 * runs]
def med(res, i): return statistics.median(r[i] for r in res)
pn, pe = pkts / med(none, 0), pkts / med(et, 0)
print("Capture: %s packets; median of %d runs. ET Open: %s" % (format(pkts, ","), runs, loaded))
print()
print("| soc-sensor | wall s | packets/s | peak RSS MiB |")
print("|---|---:|---:|---:|")
print("| no rules | %.2f | %s | %.1f |" % (med(none, 0), format(int(pn), ","), med(none, 1) / 1024))
print("| ET Open loaded | %.2f | %s | %.1f |" % (med(et, 0), format(int(pe), ","), med(et, 1) / 1024))
print()
print("With ET Open the sensor keeps %.0f%% of its no-rules packet rate (%s alerts)." % (100 * pe / pn, alerts))
print("Rule load (start-up on an empty capture): %.2f s cold, %.2f s from the cache; peak RSS %.1f MiB."
      % (cold[0], warm[0], cold[1] / 1024))
PY
