#!/usr/bin/env bash
# kith attach end to end (casework/attach.h): add, list, history, get, remove
# on the CLI and through `kith serve` (curl); photos stripped of their
# metadata; the file's bytes and the photo's location nowhere in the vault
# file, its -wal or the temporary folder; size cap, refused formats, bad
# input and the consent rule, each with its message and exit code.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL - curl is missing"; exit 1; }
D="${KITH_SOURCE:?}/data/attach"
printf 'attach test words\n' >"$T/pass"
V=$T/v.kith
mkdir -p "$T/in" "$T/o" # what the test makes and gets: left out of the plaintext search
kv() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
"$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test >/dev/null || bad "init"
printf '%s\n' '{"ref":"C-1","person":{"name":"방미선","sex":"female"},"consent":{"sharing":true}}' \
  '{"ref":"C-2","person":{"name":"Ri Kwang Ho","sex":"male"}}' >"$T/cases.jsonl"
kv import "$T/cases.jsonl" >/dev/null || bad "import"

# --- help and usage
expect 0 "attach --help" -- "$KITH" attach --help
has "$T/out" "kith attach add CASE FILE" "help names add"
expect 0 "attach add --help" -- "$KITH" attach add --help
expect 2 "no subcommand is a usage error" -- "$KITH" attach
expect 2 "an unknown subcommand is a usage error" -- "$KITH" attach frob
expect 2 "add without a file" -- kv attach add C-1
expect 2 "stdin without --name" -- kv attach add C-1 -
expect 2 "a bad --max-mib" -- kv attach add C-1 "$D/note.txt" --max-mib 0

# --- add: a photo with GPS, a PNG with text chunks, a document from stdin
expect 0 "add a JPEG with GPS EXIF" -- kv attach add C-1 "$D/gps.jpg"
JPG=$(cat "$T/out")
expect 0 "add a PNG with eXIf/tEXt/iTXt" -- kv attach add C-1 "$D/gps.png" --note "scan"
PNG=$(cat "$T/out")
expect 0 "add a document from standard input" -- sh -c "\"$KITH\" attach add C-1 - --name 'consent form.txt' --vault '$V' --passphrase-file '$T/pass' <'$D/note.txt'"
DOC=$(cat "$T/out")
expect 0 "add to a case without sharing consent" -- kv attach add C-2 "$D/clean.jpg"
C2=$(cat "$T/out")
expect 1 "add to an unknown case" -- kv attach add C-9 "$D/note.txt"
has "$T/err" "no such case" "says: no such case"
expect 1 "add a missing file" -- kv attach add C-1 "$T/nope"

# --- list and history
expect 0 "list" -- kv attach list C-1
has "$T/out" "$JPG .*image/jpeg .*gps.jpg  \(metadata removed\)" "the JPEG is listed, stripped"
has "$T/out" "$DOC .*text/plain .*consent form.txt" "the document is listed with its name"
expect 0 "list --json" -- kv attach list C-1 --json
has "$T/out" '"stripped": true' "JSON says stripped"
hasnt "$T/out" "$C2" "another case's attachment is not listed"

# --- get: the stripped photo is the clean one byte for byte
expect 0 "get the JPEG" -- kv attach get "$JPG" --out "$T/o/got.jpg"
cmp -s "$T/o/got.jpg" "$D/clean.jpg" && ok "the JPEG came back without its EXIF, XMP and comment" || bad "stripped JPEG differs"
[ "$(stat -c %a "$T/o/got.jpg")" = 600 ] && ok "get writes mode 0600" || bad "get mode"
expect 0 "get the PNG to stdout" -- kv attach get "$PNG"
cmp -s "$T/out" "$D/clean.png" && ok "the PNG came back without eXIf, tEXt, iTXt" || bad "stripped PNG differs"
expect 0 "get the document" -- kv attach get "$DOC"
cmp -s "$T/out" "$D/note.txt" && ok "the document comes back as it was" || bad "document differs"
expect 1 "get refuses without the case's consent to sharing" -- kv attach get "$C2" --out "$T/o/c2.jpg"
has "$T/err" "consent does not allow sharing" "says why"
[ ! -e "$T/o/c2.jpg" ] && ok "no file is left behind" || bad "a file was left"
expect 1 "get of an unknown id" -- kv attach get 00000000000000000000000000000000
expect 4 "get refuses to overwrite a file" -- kv attach get "$DOC" --out "$T/o/got.jpg"

# --- remove: a new version; history keeps it; an old version still reads
expect 0 "remove" -- kv attach remove "$DOC" --note "wrong file"
expect 0 "list after remove" -- kv attach list C-1
hasnt "$T/out" "$DOC" "a removed attachment is not listed"
expect 0 "list --all" -- kv attach list C-1 --all
has "$T/out" "$DOC  v2 .*remove .*\[removed\]" "list --all shows it removed, version 2"
expect 0 "history" -- kv attach history "$DOC"
has "$T/out" "v1 .*attach" "history: version 1 attach"
has "$T/out" "v2 .*remove" "history: version 2 remove"
expect 0 "history of the case's attachments" -- kv attach history C-1
has "$T/out" "$DOC  v1 .*attach" "the case's history has the document attached"
has "$T/out" "$DOC  v2 .*remove .*\[removed\]" "... and removed"
has "$T/out" "$JPG  v1 .*attach" "... and the photo attached"
expect 1 "get of a removed attachment" -- kv attach get "$DOC"
expect 0 "get --version 1 of it" -- kv attach get "$DOC" --version 1
cmp -s "$T/out" "$D/note.txt" && ok "version 1 still reads" || bad "version 1"
expect 1 "remove twice" -- kv attach remove "$DOC"

# --- refused input: nothing stored
printf '\0\0\0\x18ftypheic\0\0\0\0mif1heic' >"$T/in/p.heic"
expect 1 "a HEIC photo is refused" -- kv attach add C-1 "$T/in/p.heic"
has "$T/err" "HEIC/HEIF or AVIF image may carry its location" "says why, and what to do"
head -c 700 "$D/gps.jpg" >"$T/in/cut.jpg"
expect 1 "a JPEG cut short is refused" -- kv attach add C-1 "$T/in/cut.jpg"
has "$T/err" "photo: byte [0-9]+: the photo ends early" "names the byte"
head -c 1100000 /dev/zero >"$T/in/big.bin"
expect 1 "a file over --max-mib" -- kv attach add C-1 "$T/in/big.bin" --max-mib 1
has "$T/err" "larger than 1 MiB" "says the cap"
expect 0 "count after refusals" -- kv attach list C-1 --all --json
[ "$(grep -c '"id"' "$T/out")" = 3 ] && ok "refused files stored nothing" || bad "refused files left records"

# --- nothing in plaintext on disk: the file's bytes, the location, the comment
for f in "$V" "$V-wal"; do
  [ -e "$f" ] || continue
  for needle in "KITH-TEST-DOCUMENT-0x5f3a" "KITH-TEST-LOCATION" "GPSLatitude" "KITHCAM"; do
    if grep -qa -- "$needle" "$f"; then bad "$needle in $(basename "$f")"; else ok "no $needle in $(basename "$f")"; fi
  done
done
# a run of the photo's own bytes (its scan data)
needle=$(tail -c 200 "$D/clean.jpg" | head -c 48 | od -An -tx1 | tr -d ' \n')
if od -An -tx1 -v "$V" "$V-wal" 2>/dev/null | tr -d ' \n' | grep -q "$needle"; then bad "the photo's bytes are in the vault"; else ok "the photo's bytes are not in the vault or its log"; fi
if grep -rqa "KITH-TEST" "$T" --exclude-dir=in --exclude-dir=o --exclude=out --exclude=err; then
  bad "plaintext in the temporary folder"; grep -rla "KITH-TEST" "$T" | sed 's/^/    /'
else ok "no plaintext left in the temporary folder"; fi

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
st=$(c -o "$T/w.json" -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" -H 'Content-Type: image/jpeg' \
  --data-binary "@$D/gps.jpg" "$base/api/attach?case=C-1&name=web.jpg")
WID=$(grep -o '"id":"[0-9a-f]*"' "$T/w.json" | cut -d'"' -f4)
[ "$st" = 200 ] && [ -n "$WID" ] && ok "POST /api/attach stores a photo" || bad "web attach: $st $(cat "$T/w.json")"
st=$(c -o "$T/o/w.jpg" -w '%{http_code}' -D "$T/w.h" "$base/api/attachment?id=$WID")
[ "$st" = 200 ] && cmp -s "$T/o/w.jpg" "$D/clean.jpg" && ok "GET /api/attachment streams the stripped photo" || bad "web get: $st"
grep -qi '^Content-Type: image/jpeg' "$T/w.h" && ok "served as image/jpeg" || bad "content type"
grep -qi '^Cache-Control: no-store' "$T/w.h" && ok "not cached" || bad "cache header"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/attachments?case=C-1")
grep -q "\"$WID\"" "$T/w.json" && grep -q '"max_bytes"' "$T/w.json" && ok "GET /api/attachments lists it" || bad "web list: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/attachment?id=$C2&download=1")
[ "$st" = 403 ] && grep -q '"code":"consent"' "$T/w.json" && ok "a download without consent is 403 consent" || bad "web consent: $st"
st=$(c -o "$T/o/w.bin" -w '%{http_code}' -D "$T/w.h" "$base/api/attachment?id=$JPG&download=1")
[ "$st" = 200 ] && grep -qi '^Content-Disposition: attachment' "$T/w.h" && ok "a download with consent" || bad "web download: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" --data-binary "@$T/in/p.heic" \
  "$base/api/attach?case=C-1&name=p.heic")
[ "$st" = 400 ] && grep -q '"code":"photo"' "$T/w.json" && ok "a HEIC upload is 400 photo" || bad "web heic: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' -X POST -H "X-CSRF-Token: wrong" --data-binary "@$D/note.txt" \
  "$base/api/attach?case=C-1&name=n.txt")
[ "$st" = 403 ] && ok "an upload without the CSRF token is refused before its body" || bad "web csrf: $st"
head -c $((64 * 1024 * 1024 + 1)) /dev/zero >"$T/in/huge.bin"
st=$(c -o "$T/w.json" -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" --data-binary "@$T/in/huge.bin" \
  "$base/api/attach?case=C-1&name=huge.bin")
rm -f "$T/in/huge.bin"
[ "$st" = 413 ] && grep -q '"code":"too_large"' "$T/w.json" && ok "a file over 64 MiB is 413 too_large" || bad "web too large: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  --data-binary "{\"id\":\"$WID\"}" "$base/api/attachment/remove")
[ "$st" = 200 ] && ok "POST /api/attachment/remove" || bad "web remove: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/attachment/history?id=$WID")
grep -q '"removed":true' "$T/w.json" && ok "GET /api/attachment/history shows the removal" || bad "web history: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/attachments/history?case=C-1")
grep -q "\"$WID\"" "$T/w.json" && grep -q '"action":"remove"' "$T/w.json" && ok "GET /api/attachments/history: the case's attachment versions" || bad "web case history: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/case?id=$WID")
[ "$st" = 404 ] && ! grep -q '"key"' "$T/w.json" && ok "the generic record route does not hand out an attachment's key" || bad "web case by attachment id: $st"
st=$(c -o "$T/w.json" -w '%{http_code}' "$base/api/history?id=$WID")
[ "$st" = 404 ] && ok "nor does the generic history route" || bad "web history by attachment id: $st"
for f in "$V" "$V-wal"; do
  if grep -qa -- "KITH-TEST-LOCATION" "$f"; then bad "web upload: location in $(basename "$f")"; else ok "web upload: no location in $(basename "$f")"; fi
done
if grep -rqa "KITH-TEST" "$T" --exclude-dir=in --exclude-dir=o --exclude=out --exclude=err; then bad "web upload left plaintext in the temporary folder"; else ok "web upload: nothing in the temporary folder"; fi
finish
