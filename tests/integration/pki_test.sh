#!/usr/bin/env bash
# socctl pki end to end: init, issue, list --json, revoke, list, each result
# cross-checked with the openssl command (an independent reader of the
# certificates and the CRL). Usage: pki_test.sh SOCCTL_BINARY
# Exit 0 pass, 1 fail, 77 skip (no openssl or python3).
set -euo pipefail

SOCCTL=${1:?usage: pki_test.sh SOCCTL_BINARY}
command -v openssl >/dev/null || { echo "SKIP: openssl command not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

T=$(mktemp -d /tmp/soc-pki-it.XXXXXX)
trap 'rm -rf "$T"' EXIT
D=$T/pki
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# expect CODE STDERR-LINE -- CMD...: exit code and the exact one-line error.
expect() {
  local code=$1 msg=$2
  shift 3
  local rc=0
  "$@" >"$T/out" 2>"$T/err" || rc=$?
  if [ "$rc" != "$code" ]; then fail "$* exited $rc, expected $code ($(cat "$T/err"))"; return; fi
  if [ -n "$msg" ] && [ "$(cat "$T/err")" != "$msg" ]; then
    fail "$*: stderr '$(cat "$T/err")', expected '$msg'"; return
  fi
  ok "$* -> $code"
}

# verify CERT WANT: openssl's verdict with the CRL ("OK" or an error text).
verify() {
  local out
  out=$(openssl verify -CAfile "$D/ca.crt" -crl_check -CRLfile "$D/crl.pem" "$1" 2>&1 || true)
  case "$out" in
    *"$2"*) ok "openssl verify $(basename "$1"): $2" ;;
    *) fail "openssl verify $1: expected '$2', got: $out" ;;
  esac
}

# --- init ----------------------------------------------------------------------
expect 1 "socctl pki: $T/none/ca.key: No such file or directory (run socctl pki init)" -- \
  "$SOCCTL" pki issue s1 --dir "$T/none"
expect 0 "" -- "$SOCCTL" pki init --dir "$D" --server-name ingest.city.local --server-name 192.0.2.10
expect 1 "socctl pki: $D/ca.key: a CA already exists (--force replaces it; every certificate it issued stops working)" -- \
  "$SOCCTL" pki init --dir "$D"
expect 2 "" -- "$SOCCTL" pki init --dir "$D" --json
expect 2 "" -- "$SOCCTL" pki frobnicate
expect 2 "" -- "$SOCCTL" nosuchcommand

for f in ca.key server.key; do
  [ "$(stat -c %a "$D/$f")" = 600 ] && ok "$f is 0600" || fail "$f mode $(stat -c %a "$D/$f")"
done
openssl x509 -in "$D/ca.crt" -noout -ext basicConstraints,keyUsage >"$T/ca.txt"
grep -q "CA:TRUE" "$T/ca.txt" && grep -q "Certificate Sign, CRL Sign" "$T/ca.txt" \
  && ok "CA extensions" || fail "CA extensions: $(cat "$T/ca.txt")"
openssl pkey -in "$D/ca.key" -noout -text | grep -q "prime256v1" && ok "CA key P-256" \
  || fail "CA key is not P-256"
openssl x509 -in "$D/server.crt" -noout -subject -ext subjectAltName >"$T/srv.txt"
grep -q "CN = soc-ingest" "$T/srv.txt" \
  && grep -q "DNS:localhost, IP Address:127.0.0.1, DNS:ingest.city.local, IP Address:192.0.2.10" "$T/srv.txt" \
  && ok "server subject and SANs" || fail "server certificate: $(cat "$T/srv.txt")"
openssl x509 -in "$D/server.crt" -noout -purpose | grep -q "^SSL server : Yes" \
  && ok "server purpose" || fail "server.crt is not an SSL server certificate"
verify "$D/server.crt" OK
openssl crl -in "$D/crl.pem" -CAfile "$D/ca.crt" -noout 2>&1 | grep -q "verify OK" \
  && ok "empty CRL signed by the CA" || fail "crl.pem does not verify"

# --- issue ---------------------------------------------------------------------
expect 0 "" -- "$SOCCTL" pki issue sensor-a --dir "$D"
expect 0 "" -- "$SOCCTL" pki issue sensor-b --dir "$D" --days 30
expect 0 "" -- "$SOCCTL" pki issue old --dir "$D" --not-before 20200101000000Z --not-after 20200201000000Z
expect 1 "" -- "$SOCCTL" pki issue sensor-a --dir "$D"
expect 1 "socctl pki: '../etc': bad sensor name (1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit)" -- \
  "$SOCCTL" pki issue ../etc --dir "$D"
expect 2 "socctl pki issue: expected a time YYYYMMDDHHMMSSZ, got '2020-01-01' (see socctl pki --help)" -- \
  "$SOCCTL" pki issue x --dir "$D" --not-after 2020-01-01
expect 2 "" -- "$SOCCTL" pki issue --dir "$D"

A=$D/sensors/sensor-a
[ "$(stat -c %a "$A/sensor-a.key")" = 600 ] && ok "sensor key 0600" || fail "sensor key mode"
cmp -s "$A/ca.crt" "$D/ca.crt" && ok "ca.crt copied" || fail "ca.crt copy differs"
openssl x509 -in "$A/sensor-a.crt" -noout -subject | grep -q "CN = sensor-a" \
  && ok "sensor subject" || fail "sensor subject"
openssl x509 -in "$A/sensor-a.crt" -noout -purpose | grep -q "^SSL client : Yes" \
  && ok "sensor purpose" || fail "sensor-a is not an SSL client certificate"
verify "$A/sensor-a.crt" OK
verify "$D/sensors/sensor-b/sensor-b.crt" OK
verify "$D/sensors/old/old.crt" "certificate has expired"
[ "$(openssl x509 -in "$D/sensors/old/old.crt" -noout -enddate)" = "notAfter=Feb  1 00:00:00 2020 GMT" ] \
  && ok "--not-after honoured" || fail "old.crt end date"

# --- list --json ---------------------------------------------------------------
serial() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }
SA=$(serial "$A/sensor-a.crt")
SB=$(serial "$D/sensors/sensor-b/sensor-b.crt")
SO=$(serial "$D/sensors/old/old.crt")
json_check() {  # json_check WANT: "name:serial:status ..." in list order
  if SOC_PKI_DIR=$D "$SOCCTL" pki list --json >"$T/list.json"; then
    python3 - "$T/list.json" "$1" <<'EOF' && ok "list --json: $1" || fail "list --json, want $1: $(cat "$T/list.json")"
import json, sys
got = json.load(open(sys.argv[1]))
want = [w.split(":") for w in sys.argv[2].split()]
assert [[e["name"], e["serial"], e["status"]] for e in got] == want, got
for e in got:
    assert (e["revoked_at"] is None) == (e["status"] != "revoked"), e
    assert len(e["not_after"]) == 20 and e["not_after"].endswith("Z"), e
EOF
  else
    fail "socctl pki list --json failed"
  fi
}
json_check "sensor-a:$SA:valid sensor-b:$SB:valid old:$SO:expired"

# --- revoke --------------------------------------------------------------------
expect 0 "" -- "$SOCCTL" pki revoke sensor-a --dir "$D"
expect 1 "socctl pki: nobody: no certificate was issued to this name" -- \
  "$SOCCTL" pki revoke nobody --dir "$D"
verify "$A/sensor-a.crt" "certificate revoked"
verify "$D/sensors/sensor-b/sensor-b.crt" OK
openssl crl -in "$D/crl.pem" -CAfile "$D/ca.crt" -noout -text >"$T/crl.txt" 2>&1
grep -q "verify OK" "$T/crl.txt" && grep -q "Serial Number: $SA" "$T/crl.txt" \
  && ! grep -q "Serial Number: $SB" "$T/crl.txt" \
  && ok "CRL lists sensor-a only" || fail "CRL contents: $(cat "$T/crl.txt")"
json_check "sensor-a:$SA:revoked sensor-b:$SB:valid old:$SO:expired"

# Re-issue after revocation needs no --force and verifies again.
expect 0 "" -- "$SOCCTL" pki issue sensor-a --dir "$D"
verify "$A/sensor-a.crt" OK
expect 0 "" -- "$SOCCTL" pki crl --dir "$D" --crl-days 7
openssl crl -in "$D/crl.pem" -noout -lastupdate -nextupdate >"$T/upd.txt"
last=$(date -u -d "$(sed -n 's/^lastUpdate=//p' "$T/upd.txt")" +%s)
next=$(date -u -d "$(sed -n 's/^nextUpdate=//p' "$T/upd.txt")" +%s)
[ $((next - last)) = $((7 * 86400)) ] && ok "crl --crl-days 7" || fail "CRL validity $((next - last)) s"

# --- plain list ----------------------------------------------------------------
"$SOCCTL" pki list --dir "$D" >"$T/list.txt"
[ "$(wc -l <"$T/list.txt")" = 5 ] && head -1 "$T/list.txt" | grep -q "^NAME  *SERIAL  *NOT-AFTER  *STATUS$" \
  && grep -q "^sensor-a  *$SA  *[0-9T:Z-]*  *revoked$" "$T/list.txt" \
  && grep -q "^old  *$SO  *2020-02-01T00:00:00Z *expired$" "$T/list.txt" \
  && ok "list table" || fail "list table: $(cat "$T/list.txt")"

if [ "$fails" -ne 0 ]; then
  echo "pki_test: $fails failure(s)"
  exit 1
fi
echo "pki_test: all passed"
