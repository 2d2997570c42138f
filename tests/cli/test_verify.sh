#!/usr/bin/env bash
# End to end (issue 12 leftover): the findings of a format-2 vault's check —
# a deleted version, a dropped batch, a rolled-back log, an anchor restored
# from an older copy, a changed version — are printed by `kith verify` (exit 4,
# one line each, by kind, batch and device, never content) and served to an
# admin by GET /api/integrity of `kith serve` (a caseworker is refused). A
# clean vault says "no finding" (exit 0). The file is tampered with sqlite3 as
# someone who holds it could. Every person and case is invented.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
command -v sqlite3 >/dev/null || { echo "FAIL - sqlite3 is missing"; exit 1; }
command -v curl >/dev/null || { echo "FAIL - curl is missing"; exit 1; }
printf 'admin words\n' >"$T/pass"
printf 'caseworker words\n' >"$T/kp"
W=$T/w.kith
w() { "$KITH" "$@" --vault "$W" --passphrase-file "$T/pass"; }

expect 0 "verify --help" -- "$KITH" verify --help
has "$T/out" "usage: kith verify" "verify --help prints usage"
has "$T/out" "older" "verify --help says what no check can see"
expect 2 "verify with an argument" -- "$KITH" verify extra --vault "$W"
expect 0 "kith --help lists verify" -- "$KITH" --help
has "$T/out" "verify" "verify is listed"

expect 0 "init --format 2" -- "$KITH" init --vault "$W" --format 2 --passphrase-file "$T/pass" --kdf test
expect 0 "add 1" -- w add "$D/case1.json"
expect 0 "import" -- w import "$D/cases.jsonl"
expect 0 "add 2" -- w add "$D/case2.json"
expect 0 "a clean vault verifies" -- w verify
has "$T/out" "^no finding: format 2, 3 batches" "verify says nothing was found, and what it checked"
expect 0 "verify --json" -- w verify --json
[ "$(jq -r '.ok' "$T/out")" = true ] && ok "--json: ok" || bad "--json not ok: $(head -c 300 "$T/out")"
cp "$W" "$T/keep.kith"

# one tampering at a time: SQL, the kind verify must name, the words of its line
check() {
  local what=$1 sql=$2 kind=$3 words=$4
  cp "$T/keep.kith" "$W"
  rm -f "$W-wal" "$W-shm"
  sqlite3 "$W" "$sql"
  expect 4 "$what: verify exits 4" -- w verify
  has "$T/out" "^$kind: .*$words" "$what: verify names it ($kind)"
  hasnt "$T/out" "방미선|김영희|Kim" "$what: no content in the report"
  expect 4 "$what: verify --json" -- w verify --json
  jq -e --arg k "$kind" '([.findings[], .damaged[]] | map(.kind) | index($k)) != null' "$T/out" >/dev/null &&
    ok "$what: --json has kind $kind" || bad "$what: --json lacks $kind: $(head -c 400 "$T/out")"
}
check "a deleted version" \
  "DELETE FROM rows WHERE rowid = (SELECT min(rowid) FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE seq = 2))" \
  deleted_rows "of its [0-9]+ versions are missing"
check "a dropped batch" \
  "DELETE FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE seq = 2); DELETE FROM batches WHERE seq = 2" \
  dropped_batch "batch 2 of device [0-9a-f]+ is missing"
check "a rolled-back log" \
  "DELETE FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE seq = 3); DELETE FROM batches WHERE seq = 3" \
  rolled_back "its last batch was number 3, the file ends at 2"
check "a changed version" \
  "UPDATE rows SET nonce = zeroblob(24) WHERE rowid = (SELECT max(rowid) FROM rows)" \
  changed_row "not the row its batch signed"
check "an altered anchor" \
  "UPDATE anchors SET seq = 2" \
  anchor_altered "anchor .*altered"

# the web: an admin sees the findings, a caseworker is refused
cp "$T/keep.kith" "$W"
rm -f "$W-wal" "$W-shm"
expect 0 "add a caseworker" -- w user add "김 선생" --role caseworker --pass-file "$T/kp"
sqlite3 "$W" "DELETE FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE seq = 2); DELETE FROM batches WHERE seq = 2"
"$KITH" serve --vault "$W" --port 0 >"$T/serve.out" 2>"$T/serve.err" &
spid=$!
base=
for _ in $(seq 100); do
  base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$T/serve.out" | head -1)
  [ -n "$base" ] && break
  sleep 0.05
done
jar=$T/jar
curl_() { curl --noproxy '*' -s -m 20 "$@"; }
session() {
  rm -f "$jar"
  csrf=$(curl_ -b "$jar" -c "$jar" "$base/api/state" | jq -r '.csrf')
  curl_ -b "$jar" -c "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data-binary "{\"passphrase\":\"$1\"}" "$base/api/unlock" >"$T/unlock.json"
  csrf=$(jq -r '.csrf // empty' "$T/unlock.json")
}
if [ -z "$base" ]; then bad "kith serve did not start"; else
  session "admin words"
  status=$(curl_ -b "$jar" -o "$T/i.json" -w '%{http_code}' "$base/api/integrity")
  [ "$status" = 200 ] && ok "GET /api/integrity: 200 for an admin" || bad "status $status"
  jq -e '.ok == false and .format == 2' "$T/i.json" >/dev/null && ok "the route says the file is not ok" ||
    bad "route: $(head -c 300 "$T/i.json")"
  jq -e '[.findings[] | select(.kind == "dropped_batch" and .seq == 2 and (.device | test("^[0-9a-f]{16}$")))] | length == 1' \
    "$T/i.json" >/dev/null && ok "the route names the dropped batch by number and device" ||
    bad "route findings: $(head -c 400 "$T/i.json")"
  hasnt "$T/i.json" "방미선|김영희" "the route shows no content"
  status=$(curl_ -b "$jar" -o "$T/i.json" -w '%{http_code}' -H "X-CSRF-Token: $csrf" -H "Content-Type: application/json" --data-binary "{}" "$base/api/integrity")
  [ "$status" = 405 ] && ok "POST /api/integrity: 405" || bad "POST status $status"
  session "caseworker words"
  status=$(curl_ -b "$jar" -o "$T/i.json" -w '%{http_code}' "$base/api/integrity")
  [ "$status" = 403 ] && ok "a caseworker is refused the integrity page" || bad "caseworker status $status"
  rm -f "$jar"
  status=$(curl_ -b "$jar" -c "$jar" -o "$T/i.json" -w '%{http_code}' "$base/api/integrity")
  [ "$status" != 200 ] && ok "no session, no findings ($status)" || bad "served without a session"
fi
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
finish
