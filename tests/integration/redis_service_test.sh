#!/usr/bin/env bash
# The appliance's Redis as appliance/redis.sh runs it: start/status/stop,
# each daemon user's rights (ACL), no anonymous access, no TCP by default,
# AOF durability across a clean stop and across kill -9.
#
#   tests/integration/redis_service_test.sh [-v]
#
# Runs a private instance in a temporary directory and removes both on every
# exit path. Exit 0 = all passed, 1 = a check failed, 77 = skipped
# (redis-server or redis-cli missing).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REDIS_SH="$ROOT/appliance/redis.sh"
VERBOSE=0
[ "${1:-}" = -v ] && VERBOSE=1

for tool in redis-server redis-cli; do
  if ! command -v "$tool" >/dev/null; then
    echo "redis_service_test: SKIP: $tool not installed (apt-get install redis-server)"
    exit 77
  fi
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/soc-redis-test.XXXXXX")" || exit 1
DIR="$TMP/r"
SOCK="$DIR/redis.sock"

# Whatever happens, stop the instance we started (by its own pid) and
# remove the directory.
cleanup() {
  local pid
  if [ -r "$DIR/redis.pid" ]; then
    pid="$(head -n 1 "$DIR/redis.pid")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = redis-server ]; then
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

PASSED=0 FAILED=0
ok() {
  PASSED=$((PASSED + 1))
  [ "$VERBOSE" = 0 ] || echo "ok   $1"
}
bad() {
  FAILED=$((FAILED + 1))
  echo "FAIL $1${2:+: $2}"
}
# expect NAME WANT ACTUAL: exact match
expect() {
  if [ "$3" = "$2" ]; then ok "$1"; else bad "$1" "expected '$2', got '$3'"; fi
}
# expect_re NAME REGEX ACTUAL
expect_re() {
  if [[ "$3" =~ $2 ]]; then ok "$1"; else bad "$1" "expected /$2/, got '$3'"; fi
}

# redis-cli as USER with that user's password (through the environment, as
# the daemons' operators would), over the unix socket; stdout+stderr, one line
as() {
  local u="$1"
  shift
  REDISCLI_AUTH="$(cat "$DIR/secrets/$u.pass")" redis-cli -s "$SOCK" --user "$u" "$@" </dev/null 2>&1 |
    tr '\n' ' ' | sed 's/ *$//'
}
NOPERM='^NOPERM'

rsh() { "$REDIS_SH" "$@"; }

# --- start, status, idempotence ------------------------------------------------

out="$(rsh start "$DIR" 2>&1)"
expect "start prints the socket path" "$SOCK" "$out"
if [ -S "$SOCK" ]; then ok "socket exists"; else bad "socket exists" "$SOCK"; fi
out="$(rsh status "$DIR")"
rc=$?
expect "status exit code while running" 0 "$rc"
expect_re "status says running" "^running \\(pid [0-9]+\\), socket $SOCK$" "$out"
out="$(rsh start "$DIR" 2>/dev/null)"
rc=$?
expect "second start exits 0" 0 "$rc"
expect "second start prints the socket path" "$SOCK" "$out"
expect_re "second start says already running" "already running" "$(rsh start "$DIR" 2>&1 >/dev/null)"

expect "DIR mode" 700 "$(stat -c %a "$DIR")"
expect "secrets mode" 700 "$(stat -c %a "$DIR/secrets")"
for u in admin ingest correlator console forwarder; do
  expect "$u.pass mode" 600 "$(stat -c %a "$DIR/secrets/$u.pass")"
  expect_re "$u.pass is 64 hex digits" '^[0-9a-f]{64}$' "$(cat "$DIR/secrets/$u.pass")"
  if grep -qF "$(cat "$DIR/secrets/$u.pass")" "$DIR/users.acl" "$DIR/redis.conf"; then
    bad "$u password not in plain text in users.acl/redis.conf"
  else
    ok "$u password not in plain text in users.acl/redis.conf"
  fi
done
expect "passwords USER prints that password" "$(cat "$DIR/secrets/ingest.pass")" \
  "$(rsh passwords "$DIR" ingest)"

# --- anonymous and wrong passwords -------------------------------------------------

expect_re "no password: refused" '^NOAUTH' \
  "$(redis-cli -s "$SOCK" PING </dev/null 2>&1)"
expect_re "user default: refused" 'WRONGPASS' \
  "$(redis-cli -s "$SOCK" AUTH default anything </dev/null 2>&1)"
expect_re "ingest with a wrong password: refused" 'WRONGPASS' \
  "$(redis-cli -s "$SOCK" AUTH ingest wrong </dev/null 2>&1)"
expect_re "legacy AUTH with admin's password: refused" 'WRONGPASS' \
  "$(redis-cli -s "$SOCK" AUTH "$(cat "$DIR/secrets/admin.pass")" </dev/null 2>&1)"

# --- TCP is off by default -----------------------------------------------------------

expect "port is 0" "port 0" "$(as admin CONFIG GET port)"
pid="$(head -n 1 "$DIR/redis.pid")"
if command -v ss >/dev/null; then
  listening="$(ss -Hltnp 2>/dev/null | grep -c "pid=$pid,")"
  expect "no TCP listener for pid $pid" 0 "$listening"
fi
expect_re "default port 6379 does not reach our instance" '^(Could not connect|NOAUTH|NOPERM|WRONGPASS)' \
  "$(REDISCLI_AUTH="$(cat "$DIR/secrets/admin.pass")" redis-cli -p 6379 --user admin \
    GET soc:canary </dev/null 2>&1 | head -n 1)"

# --- ingest ------------------------------------------------------------------------------

expect_re "ingest: XADD soc:events:{0}" '^[0-9]+-[0-9]+$' \
  "$(as ingest XADD 'soc:events:{0}' '*' event '{"event_type":"flow"}')"
expect "ingest: HSET soc:sensor:x" 1 "$(as ingest HSET soc:sensor:x boot_id b1)"
expect "ingest: SADD soc:sensors" 1 "$(as ingest SADD soc:sensors x)"
expect "ingest: SET soc:ingest:{0}:seq" OK "$(as ingest SET 'soc:ingest:{0}:seq:x' 7)"
expect "ingest: EVAL on its stream" 1 \
  "$(as ingest EVAL "return redis.call('XLEN', KEYS[1])" 1 'soc:events:{0}')"
expect "ingest: CLIENT SETNAME" OK "$(as ingest CLIENT SETNAME soc-ingest)"
expect "ingest: PING" PONG "$(as ingest PING)"
expect_re "ingest: FLUSHALL denied" "$NOPERM" "$(as ingest FLUSHALL)"
expect_re "ingest: FLUSHDB denied" "$NOPERM" "$(as ingest FLUSHDB)"
expect_re "ingest: CONFIG GET denied" "$NOPERM" "$(as ingest CONFIG GET dir)"
expect_re "ingest: KEYS denied" "$NOPERM" "$(as ingest KEYS '*')"
# DEBUG is refused before the ACL even looks (enable-debug-command no)
expect_re "ingest: DEBUG denied" "$NOPERM|DEBUG command not allowed" "$(as ingest DEBUG SLEEP 0)"
expect_re "ingest: SHUTDOWN denied" "$NOPERM" "$(as ingest SHUTDOWN)"
expect_re "ingest: ACL denied" "$NOPERM" "$(as ingest ACL LIST)"
expect_re "ingest: HSET soc:incident:1 denied" "$NOPERM" "$(as ingest HSET soc:incident:1 state open)"
expect_re "ingest: DEL soc:events:{0} denied" "$NOPERM" "$(as ingest DEL 'soc:events:{0}')"
expect_re "ingest: a script cannot reach soc:incident:1" "can't access" \
  "$(as ingest EVAL "return redis.call('HSET', 'soc:incident:1', 'a', 'b')" 0)"

# --- correlator ------------------------------------------------------------------------------

expect "correlator: XGROUP CREATE" OK "$(as correlator XGROUP CREATE 'soc:events:{0}' corr 0)"
got="$(as correlator XREADGROUP GROUP corr c1 COUNT 10 STREAMS 'soc:events:{0}' '>')"
expect_re "correlator: XREADGROUP reads the event" 'event_type' "$got"
id="$(as correlator XPENDING 'soc:events:{0}' corr - + 10 | awk '{print $1}')"
expect_re "correlator: XPENDING lists it" '^[0-9]+-[0-9]+$' "$id"
expect "correlator: XACK" 1 "$(as correlator XACK 'soc:events:{0}' corr "$id")"
expect "correlator: HSET soc:incident:1" 1 "$(as correlator HSET soc:incident:1 state open)"
expect "correlator: ZADD soc:queue:triage" 1 "$(as correlator ZADD soc:queue:triage 5 soc:incident:1)"
expect_re "correlator: XADD soc:outbox:stix" '^[0-9]+-[0-9]+$' "$(as correlator XADD soc:outbox:stix '*' incident 1)"
expect "correlator: reads soc:sensor:x" "boot_id b1" "$(as correlator HGETALL soc:sensor:x)"
expect_re "correlator: FLUSHALL denied" "$NOPERM" "$(as correlator FLUSHALL)"
expect_re "correlator: XADD soc:events:{0} denied" "$NOPERM" \
  "$(as correlator XADD 'soc:events:{0}' '*' forged 1)"
expect_re "correlator: HSET soc:sensor:x denied" "$NOPERM" "$(as correlator HSET soc:sensor:x a b)"

# --- console -----------------------------------------------------------------------------------

expect "console: reads soc:sensor:x" "boot_id b1" "$(as console HGETALL soc:sensor:x)"
expect_re "console: reads soc:events:{0}" 'event_type' "$(as console XRANGE 'soc:events:{0}' - +)"
expect "console: updates soc:incident:1" 0 "$(as console HSET soc:incident:1 state assigned)"
expect_re "console: appends to soc:audit:log" '^[0-9]+-[0-9]+$' \
  "$(as console XADD soc:audit:log '*' who analyst what assign)"
expect_re "console: XADD soc:events:{0} denied" "$NOPERM" \
  "$(as console XADD 'soc:events:{0}' '*' forged 1)"
expect_re "console: audit trail cannot be trimmed" "$NOPERM" "$(as console XTRIM soc:audit:log MAXLEN 0)"
expect_re "console: FLUSHALL denied" "$NOPERM" "$(as console FLUSHALL)"

# --- forwarder ---------------------------------------------------------------------------------

expect "forwarder: XGROUP CREATE on the outbox" OK "$(as forwarder XGROUP CREATE soc:outbox:stix fwd 0)"
expect_re "forwarder: XREADGROUP the outbox" 'incident' \
  "$(as forwarder XREADGROUP GROUP fwd f1 STREAMS soc:outbox:stix '>')"
expect_re "forwarder: XADD an incident timeline" '^[0-9]+-[0-9]+$' \
  "$(as forwarder XADD soc:incident:1:timeline '*' forwarded stix)"
expect_re "forwarder: HSET soc:incident:1 denied" "$NOPERM" "$(as forwarder HSET soc:incident:1 state x)"
expect_re "forwarder: FLUSHALL denied" "$NOPERM" "$(as forwarder FLUSHALL)"

# --- AOF across a clean stop ----------------------------------------------------------------

expect "admin: SET soc:test:clean" OK "$(as admin SET soc:test:clean kept)"
rsh stop "$DIR"
expect "stop exits 0" 0 "$?"
rsh status "$DIR" >/dev/null
expect "status exit code when stopped" 3 "$?"
if [ -S "$SOCK" ]; then bad "socket removed by stop"; else ok "socket removed by stop"; fi
rsh stop "$DIR"
expect "stop when stopped exits 0" 0 "$?"
expect "restart prints the socket path" "$SOCK" "$(rsh start "$DIR")"
expect "key kept across a clean stop" kept "$(as admin GET soc:test:clean)"
expect "stream kept across a clean stop" 1 "$(as admin XLEN 'soc:events:{0}')"
expect "consumer group kept across a clean stop" 0 \
  "$(as admin XPENDING 'soc:events:{0}' corr | awk '{print $1}')"

# --- AOF across kill -9 ----------------------------------------------------------------------

expect "admin: SET soc:test:crash" OK "$(as admin SET soc:test:crash survived)"
sleep 2 # appendfsync everysec: older than 1 s must be on disk
pid="$(head -n 1 "$DIR/redis.pid")"
kill -KILL "$pid"
for _ in $(seq 50); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
rsh status "$DIR" >/dev/null
expect "status after kill -9" 3 "$?"
expect "start after kill -9 prints the socket path" "$SOCK" "$(rsh start "$DIR")"
expect "key written 2 s before kill -9 kept" survived "$(as admin GET soc:test:crash)"
expect "earlier key kept too" kept "$(as admin GET soc:test:clean)"

# --- TCP on request, loopback only -------------------------------------------------------

rsh stop "$DIR"
port=$((20000 + RANDOM % 20000))
if command -v ss >/dev/null; then # pick one nobody listens on
  for _ in $(seq 20); do
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q . || break
    port=$((20000 + RANDOM % 20000))
  done
fi
if rsh start "$DIR" --port "$port" >/dev/null; then
  expect "--port: PING over TCP with a password" PONG \
    "$(REDISCLI_AUTH="$(cat "$DIR/secrets/console.pass")" redis-cli -h 127.0.0.1 -p "$port" \
      --user console PING </dev/null 2>&1)"
  expect_re "--port: bound to loopback only" '^127\.0\.0\.1 -::1$|^127\.0\.0\.1 ::1$' \
    "$(as admin CONFIG GET bind | sed 's/^bind //')"
  expect_re "status mentions the TCP port" "tcp 127.0.0.1:$port" "$(rsh status "$DIR")"
else
  bad "--port: start" "port $port"
fi

rsh stop "$DIR"
expect "final stop exits 0" 0 "$?"
if [ -S "$SOCK" ]; then bad "nothing left listening"; else ok "nothing left listening"; fi

echo "redis_service_test: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
