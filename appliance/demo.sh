#!/usr/bin/env bash
# The main job: install what is missing, build, then run the chain on a
# capture (the bundled city-network capture when none is given):
#   a private Redis (appliance/redis.sh) in a temporary directory,
#   a private PKI (socctl pki) with a certificate for the sensor "demo",
#   soc-ingest on loopback (mutual TLS 1.3),
#   soc-correlator consuming the event streams with the city's correlation
#   rules (rules/correlation) and assets (rules/assets.yml),
#   soc-sensor replaying the capture with the city rules and the test GeoIP
#   databases, shipping its events through its disk spool to the ingest,
# and print the incident queue (socctl incidents list), what reached the
# centre (socctl status) and a summary of the sensor's events.
#   appliance/demo.sh [CAPTURE] [--json]
# --json prints exactly what `socctl incidents list --json` prints.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CAPTURE="" JSON=""
for a in "$@"; do
  case "$a" in
    --json) JSON=--json ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) CAPTURE="$a" ;;
  esac
done
[ -n "$CAPTURE" ] || CAPTURE="$ROOT/pcaps/city_mix.pcap"
[ -r "$CAPTURE" ] || { echo "demo: $CAPTURE: no such capture" >&2; exit 1; }

bash "$ROOT/appliance/setup.sh" >&2
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$ROOT/build" -j"$(nproc)" --target soc-sensor soc-ingest soc-correlator socctl >&2
B="$ROOT/build"

OUT="$(mktemp -d)"
INGEST_PID="" CORR_PID=""
cleanup() {
  [ -n "$INGEST_PID" ] && kill "$INGEST_PID" 2>/dev/null && wait "$INGEST_PID" 2>/dev/null
  [ -n "$CORR_PID" ] && kill "$CORR_PID" 2>/dev/null && wait "$CORR_PID" 2>/dev/null
  bash "$ROOT/appliance/redis.sh" stop "$OUT/redis" >/dev/null 2>&1 || true
  rm -rf "$OUT"
}
trap cleanup EXIT

"$B/appliance/socctl" pki init --dir "$OUT/pki" >/dev/null
"$B/appliance/socctl" pki issue demo --dir "$OUT/pki" >/dev/null
SOCK="$(bash "$ROOT/appliance/redis.sh" start "$OUT/redis" | tail -1)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

"$B/correlator/soc-ingest" --listen "127.0.0.1:$PORT" \
  --cert "$OUT/pki/server.crt" --key "$OUT/pki/server.key" \
  --ca "$OUT/pki/ca.crt" --crl "$OUT/pki/crl.pem" \
  --redis-socket "$SOCK" --redis-user ingest \
  --redis-password-file "$OUT/redis/secrets/ingest.pass" 2> "$OUT/ingest.log" &
INGEST_PID=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done

"$B/correlator/soc-correlator" --rules "$ROOT/rules/correlation" \
  --assets "$ROOT/rules/assets.yml" --intel "$ROOT/rules/intel/feeds.yml" \
  --redis-socket "$SOCK" --redis-user correlator \
  --redis-password-file "$OUT/redis/secrets/correlator.pass" 2> "$OUT/correlator.log" &
CORR_PID=$!

S="$OUT/pki/sensors/demo"
"$B/sensor/soc-sensor" -r "$CAPTURE" --eve "$OUT/eve.json" --sensor-name demo \
  --ingest "127.0.0.1:$PORT" --cert "$S/demo.crt" --key "$S/demo.key" --ca "$S/ca.crt" \
  --spool "$OUT/spool" \
  -S "$ROOT/rules/signatures/city-network.rules" \
  --geoip-city "$ROOT/tests/data/geoip/GeoIP2-City-Test.mmdb" \
  --geoip-asn "$ROOT/tests/data/geoip/GeoLite2-ASN-Test.mmdb"

# Everything is acked once the sensor exits; a clean stop writes the
# ingest's own counters to Redis too.
kill "$INGEST_PID" && wait "$INGEST_PID" 2>/dev/null || true
INGEST_PID=""
# The correlator has read every stream to its end (lag 0); stopping it
# checkpoints and acknowledges what it read.
lagging() {
  local k
  for k in $(bash "$ROOT/appliance/redis.sh" cli "$OUT/redis" --scan --pattern 'soc:events:*'); do
    bash "$ROOT/appliance/redis.sh" cli "$OUT/redis" XINFO GROUPS "$k" |
      awk 'p { if ($0 != "0") bad = 1; p = 0 } $0 == "lag" { p = 1 } END { exit !bad }' && return 0
  done
  return 1
}
for _ in $(seq 300); do lagging || break; sleep 0.1; done
kill "$CORR_PID" && wait "$CORR_PID" 2>/dev/null || true
CORR_PID=""

export SOC_REDIS_SOCKET="$SOCK"
if [ -n "$JSON" ]; then
  "$B/appliance/socctl" incidents list --json
  exit 0
fi
echo "== Incident queue (socctl incidents list) =="
"$B/appliance/socctl" incidents list
echo
echo "== At the centre (socctl status) =="
"$B/appliance/socctl" status
echo
echo "== The sensor's events =="
python3 "$ROOT/appliance/eve_summary.py" "$OUT/eve.json"
