#!/usr/bin/env bash
# The main job: install what is missing, build, run the sensor over a capture
# (the bundled city-network capture when none is given) with the test GeoIP
# databases, and print a summary: flows per application, top talkers with
# country and AS, signature alerts (rules/signatures/city-network.rules),
# anomalies.
#   appliance/demo.sh [CAPTURE] [--json]
# Until the correlator lands (issue 4/5) this stops at the sensor's events.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CAPTURE="" JSON=""
for a in "$@"; do
  case "$a" in
    --json) JSON=--json ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) CAPTURE="$a" ;;
  esac
done
[ -n "$CAPTURE" ] || CAPTURE="$ROOT/pcaps/city_mix.pcap"
[ -r "$CAPTURE" ] || { echo "demo: $CAPTURE: no such capture" >&2; exit 1; }

bash "$ROOT/appliance/setup.sh" >&2
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$ROOT/build" -j"$(nproc)" --target soc-sensor >&2

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"$ROOT/build/sensor/soc-sensor" -r "$CAPTURE" --eve "$OUT/eve.json" --sensor-name demo \
  -S "$ROOT/rules/signatures/city-network.rules" \
  --geoip-city "$ROOT/tests/data/geoip/GeoIP2-City-Test.mmdb" \
  --geoip-asn "$ROOT/tests/data/geoip/GeoLite2-ASN-Test.mmdb"
python3 "$ROOT/appliance/eve_summary.py" "$OUT/eve.json" $JSON
