#!/usr/bin/env bash
# kith attach purge and export end to end (casework/attach.h): a purge makes an
# attachment's bytes unreadable for good — its ciphertext, found in the vault
# file or its -wal before, is nowhere in them after (grep -a over hex dumps) —
# is recorded in the history and needs confirmation; the export of
# attachments (a tar) holds only cases whose consent allows sharing and says
# how many were left out; the same over the web (curl).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL - curl is missing"; exit 1; }
command -v sqlite3 >/dev/null || { echo "FAIL - sqlite3 is missing"; exit 1; }
D="${KITH_SOURCE:?}/data/attach"
printf 'purge test words\n' >"$T/pass"
V=$T/v.kith
mkdir -p "$T/in" "$T/o" "$T/copy"
kv() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
"$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test >/dev/null || bad "init"
printf '%s\n' '{"ref":"C-1","person":{"name":"방미선","sex":"female"},"consent":{"sharing":true}}' \
  '{"ref":"C-2","person":{"name":"Ri Kwang Ho","sex":"male"},"consent":{"sharing":false}}' \
  '{"ref":"C-3","person":{"name":"Kim Ok Sun","sex":"female"},"consent":{"sharing":true,"reporting":false}}' >"$T/cases.jsonl"
kv import "$T/cases.jsonl" >/dev/null || bad "import"

expect 0 "attach purge --help" -- "$KITH" attach purge --help
has "$T/out" "kith attach purge ID --note WHY --yes" "help names purge"
has "$T/out" "kith attach export \[CASE...\] --out FILE.tar" "help names export"

# three chunks of random bytes (the file is its own marker), a document, others
head -c 150000 /dev/urandom >"$T/in/scan.bin"
expect 0 "attach a scan" -- kv attach add C-1 "$T/in/scan.bin" --name scan.bin
SCAN=$(cat "$T/out")
expect 0 "attach a document" -- kv attach add C-1 "$D/note.txt"
DOC=$(cat "$T/out")
expect 0 "attach to a case without sharing consent" -- kv attach add C-2 "$D/note.txt"
C2=$(cat "$T/out")
expect 0 "attach to a case with sharing but not reporting" -- kv attach add C-3 "$D/clean.jpg"
C3=$(cat "$T/out")

# the scan's ciphertext, read from a copy (sqlite3 must not touch the vault's own log)
cp "$V" "$T/copy/v.kith"; [ -e "$V-wal" ] && cp "$V-wal" "$T/copy/v.kith-wal"
# (the scan is the only attachment of three chunks)
sqlite3 "$T/copy/v.kith" "SELECT lower(hex(substr(ct, 1, 48))), lower(hex(substr(ct, 30001, 48))), lower(hex(substr(ct, 65500, 48))) FROM blobs WHERE id IN (SELECT id FROM blobs GROUP BY id HAVING count(*) = 3)" | tr '|' '\n' >"$T/needles"
rm -rf "$T/copy"
[ "$(wc -l <"$T/needles")" -ge 3 ] && ok "the scan's ciphertext was read ($(wc -l <"$T/needles") pieces)" || bad "no ciphertext read"
dump() { for f in "$V" "$V-wal"; do [ -e "$f" ] && od -An -tx1 -v "$f" | tr -d ' \n'; done; }
found() { local d n=0; d=$(dump); while read -r x; do case "$d" in *"$x"*) n=$((n + 1)) ;; esac; done <"$T/needles"; echo "$n"; }
before=$(found)
[ "$before" -ge 1 ] && ok "before the purge, $before of its ciphertext pieces are in the vault or its log" || bad "the ciphertext is not on disk before the purge"

# --- export with consent only
expect 2 "export needs --out" -- kv attach export
expect 2 "export: a bad --consent" -- kv attach export --out "$T/o/x.tar" --consent nobody
expect 0 "export every case's attachments" -- kv attach export --out "$T/o/all.tar"
has "$T/err" "^3 attachments of 2 cases written to .*all.tar; 1 left out \(1 case whose consent does not allow sharing\)" "says what was written and left out"
[ "$(stat -c %a "$T/o/all.tar")" = 600 ] && ok "the tar is mode 0600" || bad "tar mode"
tar tf "$T/o/all.tar" | sort >"$T/list"
has "$T/list" "^C-1/${SCAN:0:8}-scan.bin$" "the scan is in the tar under its case"
has "$T/list" "^C-1/${DOC:0:8}-note.txt$" "the document too"
has "$T/list" "^C-3/${C3:0:8}-clean.jpg$" "C-3's photo (sharing allowed)"
hasnt "$T/list" "^C-2/" "nothing of C-2 (no consent to sharing)"
mkdir -p "$T/o/x" && tar xf "$T/o/all.tar" -C "$T/o/x"
cmp -s "$T/o/x/C-1/${SCAN:0:8}-scan.bin" "$T/in/scan.bin" && ok "the scan comes out byte for byte" || bad "scan differs"
cmp -s "$T/o/x/C-3/${C3:0:8}-clean.jpg" "$D/clean.jpg" && ok "the photo comes out as stored" || bad "photo differs"
expect 0 "export --consent reporting" -- kv attach export --out "$T/o/rep.tar" --consent reporting
has "$T/err" "^0 attachments of 0 cases written.*; 4 left out \(3 cases whose consent does not allow sharing or reporting\)" "reporting consent is asked of every case"
expect 0 "export one case" -- kv attach export C-3 --out "$T/o/c3.tar"
[ "$(tar tf "$T/o/c3.tar")" = "C-3/${C3:0:8}-clean.jpg" ] && ok "only the case named" || bad "c3 tar: $(tar tf "$T/o/c3.tar")"
expect 0 "export a case without consent" -- kv attach export C-2 --out "$T/o/c2.tar"
has "$T/err" "^0 attachments .*1 left out" "left out, and said"
[ -z "$(tar tf "$T/o/c2.tar")" ] && ok "an empty tar" || bad "c2 tar not empty"
expect 1 "export of an unknown case" -- kv attach export C-9 --out "$T/o/c9.tar"
[ ! -e "$T/o/c9.tar" ] && ok "no file for a failed export" || bad "file left"
expect 4 "export never overwrites" -- kv attach export --out "$T/o/all.tar"

# --- purge: confirmation, then the bytes are gone
expect 2 "purge without --yes" -- kv attach purge "$SCAN" --note "consent withdrawn"
has "$T/err" "confirm with --yes" "says how to confirm"
expect 2 "purge without --note" -- kv attach purge "$SCAN" --yes
expect 1 "purge of an unknown id" -- kv attach purge 00000000000000000000000000000000 --note x --yes
expect 0 "purge" -- kv attach purge "$SCAN" --note "consent withdrawn" --yes
has "$T/err" "purged: 3 chunks deleted, [0-9]+ bytes of ciphertext overwritten" "says what it did"
after=$(found)
[ "$after" = 0 ] && ok "no piece of its ciphertext is left in the vault or its -wal" || bad "$after pieces left after the purge"
expect 1 "get after the purge" -- kv attach get "$SCAN"
expect 1 "get --version 1 after the purge" -- kv attach get "$SCAN" --version 1
has "$T/err" "purged: its bytes are gone" "says the bytes are gone"
expect 1 "purge twice" -- kv attach purge "$SCAN" --note again --yes
has "$T/err" "purged already" "says it was purged"
expect 0 "history after the purge" -- kv attach history C-1
has "$T/out" "$SCAN  v1 .*attach" "the case's history keeps the attach"
has "$T/out" "$SCAN  v2 .*purge .*scan.bin  \[removed\]" "and records the purge"
expect 0 "history --json" -- kv attach history "$SCAN" --json
has "$T/out" '"purged": true' "JSON says purged"
expect 0 "the other attachments still read" -- kv attach get "$DOC"
cmp -s "$T/out" "$D/note.txt" && ok "the document is intact" || bad "document damaged by the purge"
expect 0 "the vault still opens and lists" -- kv list
sqlite3 "$V" "PRAGMA integrity_check" >"$T/ic" 2>&1; has "$T/ic" "^ok$" "SQLite finds the file whole"
expect 0 "the document after SQLite opened the file" -- kv attach get "$DOC" --out "$T/o/doc2.txt"
expect 0 "export after the purge" -- kv attach export --out "$T/o/after.tar"
hasnt "$T/err" "^3 attachments" "the purged scan is not exported"

# --- the web routes (curl)
jar=$T/jar
"$KITH" serve --vault "$V" --port 0 >"$T/serve.out" 2>"$T/serve.err" &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do
  base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$T/serve.out" | head -1)
  [ -n "$base" ] && break
  sleep 0.05
done
[ -n "$base" ] && ok "serve started" || bad "serve did not start"
c() { curl --noproxy '*' -s -m 20 -b "$jar" -c "$jar" "$@"; }
csrf=$(c "$base/api/state" | grep -o '"csrf":"[^"]*"' | cut -d'"' -f4)
pw=$(head -1 "$T/pass")
csrf=$(c -X POST -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  --data-binary "{\"passphrase\":\"$pw\"}" "$base/api/unlock" | grep -o '"csrf":"[^"]*"' | cut -d'"' -f4)
[ -n "$csrf" ] && ok "unlocked over the web" || bad "web unlock"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/attachments/export/plan")
[ "$st" = 200 ] && grep -q '"files":2' "$T/w.json" && grep -q '"left_out":1' "$T/w.json" && ok "GET /api/attachments/export/plan counts what goes and what stays" || bad "web plan: $st $(cat "$T/w.json")"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/attachments/export/plan?consent=bogus")
[ "$st" = 400 ] && ok "a bad consent use is 400" || bad "web plan bogus: $st"
st=$(c -o "$T/o/web.tar" -w '%{http_code}' -D "$T/w.h" "$base/api/attachments/export")
[ "$st" = 200 ] && grep -qi '^Content-Disposition: attachment' "$T/w.h" && ok "GET /api/attachments/export is a download" || bad "web export: $st"
tar tf "$T/o/web.tar" | sort >"$T/wl"
has "$T/wl" "^C-1/${DOC:0:8}-note.txt$" "the web tar holds the document"
hasnt "$T/wl" "^C-2/" "and nothing of the case without consent"
st=$(c -o "$T/w.json" -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  --data-binary "{\"id\":\"$DOC\",\"note\":\"duplicate\",\"confirm\":\"C-2\"}" "$base/api/attachment/purge")
[ "$st" = 400 ] && grep -q '"field":"confirm"' "$T/w.json" && ok "a purge confirmed with another case number is refused" || bad "web purge wrong confirm: $st $(cat "$T/w.json")"
st=$(c -o "$T/w.json" -w '%{http_code}' -X POST -H "X-CSRF-Token: wrong" -H 'Content-Type: application/json' \
  --data-binary "{\"id\":\"$DOC\",\"note\":\"duplicate\",\"confirm\":\"C-1\"}" "$base/api/attachment/purge")
[ "$st" = 403 ] && ok "a purge without the CSRF token is refused" || bad "web purge csrf: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  --data-binary "{\"id\":\"$DOC\",\"note\":\"duplicate\",\"confirm\":\"C-1\"}" "$base/api/attachment/purge")
[ "$st" = 200 ] && grep -q '"chunks":1' "$T/w.json" && ok "POST /api/attachment/purge" || bad "web purge: $st $(cat "$T/w.json")"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/attachment?id=$DOC&version=1&download=1")
[ "$st" = 404 ] && ok "its old version does not read after the purge" || bad "web get after purge: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/exports")
[ "$st" = 200 ] && grep -q '"exports":\[' "$T/w.json" && ok "GET /api/exports lists the recorded exports" || bad "web exports: $st $(cat "$T/w.json")"
kill $spid 2>/dev/null; wait $spid 2>/dev/null
finish
