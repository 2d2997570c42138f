#!/usr/bin/env bash
# End to end (issue 12, items 1-3): headquarters sends one case to one field
# device (sealed to it only: the device reads it; its file shows nothing of
# another case); two devices edit that case apart and send it back; both
# versions are kept and the case is flagged; a person resolves it field by
# field into a new version. --since and "not yet sent". docs/cli.md.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
HQ=$T/hq.kith
F1=$T/f1.kith
F2=$T/f2.kith
printf 'headquarters words\n' >"$T/hp"
printf 'field one words\n' >"$T/p1"
printf 'field two words\n' >"$T/p2"
printf 'backup words\n' >"$T/bp"
hq() { "$KITH" "$@" --vault "$HQ" --passphrase-file "$T/hp"; }
f1() { "$KITH" "$@" --vault "$F1" --passphrase-file "$T/p1"; }
f2() { "$KITH" "$@" --vault "$F2" --passphrase-file "$T/p2"; }

expect 0 "bundle --help" -- "$KITH" bundle --help
has "$T/out" "--to hq|DEVICE" "bundle --help documents --to"
has "$T/out" "--since BUNDLE" "bundle --help documents --since"
expect 0 "resolve --help" -- "$KITH" resolve --help
has "$T/out" "--take FIELD=SIDE" "resolve --help documents --take"

expect 0 "init headquarters" -- "$KITH" init --vault "$HQ" --passphrase-file "$T/hp" --kdf test \
  --org-key-backup "$T/org.key" --backup-passphrase-file "$T/bp"
expect 0 "headquarters adds the case it will send" -- hq add "$D/case1.json"
ref=$(grep -oE 'C-[0-9A-Z]{4}-[0-9]{4}' "$T/out" | head -n 1)
[ -n "$ref" ] && ok "the case has a ref" || bad "no ref in: $(cat "$T/out")"
expect 0 "headquarters adds a case it keeps" -- hq add "$D/case2.json"
for n in 1 2; do
  expect 0 "device add f$n" -- hq device add "f$n" --out "$T/f$n.kithinvite"
  tail -n 1 "$T/out" >"$T/code$n"
  expect 0 "join f$n" -- "$KITH" init --vault "$T/f$n.kith" --join "$T/f$n.kithinvite" --code-file "$T/code$n" \
    --passphrase-file "$T/p$n" --kdf test
done

# --- HQ -> device
expect 1 "--case without --to a device" -- hq bundle export --out "$T/x.kithbundle" --case "$ref"
expect 1 "a device needs records named" -- hq bundle export --to f1 --out "$T/x.kithbundle"
has "$T/err" "--case REF or --kind" "the refusal says how"
expect 1 "an unknown device" -- hq bundle export --to nobody --case "$ref" --out "$T/x.kithbundle"
expect 0 "send the case to f1" -- hq bundle export --to f1 --case "$ref" --out "$T/to1.kithbundle"
has "$T/out" "1 versions" "one version went"
grep -qa 방미선 "$T/to1.kithbundle" && bad "a name in the bundle" || ok "the bundle shows no name"
expect 0 "send it again: nothing new" -- hq bundle export --to f1 --case "$ref" --out "$T/to1b.kithbundle"
has "$T/out" ": 0 versions" "a version already sent is not sent again"
expect 1 "f2 cannot open f1's bundle" -- f2 bundle import "$T/to1.kithbundle"
has "$T/err" "not for this vault" "the refusal says why"
expect 0 "f1 imports" -- f1 bundle import "$T/to1.kithbundle"
has "$T/out" "1 versions added" "f1 counts the version"
expect 0 "f1 imports it twice" -- f1 bundle import "$T/to1.kithbundle"
has "$T/out" "0 versions added, 1 already here" "twice changes nothing"
expect 0 "f1 lists" -- f1 list
has "$T/out" "$ref" "f1 reads the case headquarters sent"
hasnt "$T/out" "리영희" "f1 does not have the case headquarters kept"
grep -qa 리영희 "$F1" "$F1-wal" && bad "another case's name in f1's file" || ok "f1's file shows no other record"
grep -qa 방미선 "$F1" "$F1-wal" && bad "a name in f1's file" || ok "f1's file shows no name"
expect 0 "send it to f2" -- hq bundle export --to f2 --kind case --out "$T/to2.kithbundle"
bundle2=$(grep -oE '[0-9a-f]{32}' "$T/out" | head -n 1)
expect 0 "f2 imports" -- f2 bundle import "$T/to2.kithbundle"
expect 0 "--since sends again what went after an earlier bundle" -- \
  hq bundle export --to f2 --kind case --since "$bundle2" --out "$T/to2b.kithbundle"
has "$T/out" ": 0 versions" "nothing went after it"
expect 0 "--all sends everything again" -- hq bundle export --to f2 --kind case --all --out "$T/to2c.kithbundle"
has "$T/out" ": 2 versions" "both cases"
expect 1 "--since an unknown bundle" -- hq bundle export --to f2 --kind case --since 00000000000000000000000000000000 \
  --out "$T/to2d.kithbundle"

# --- both devices edit the case apart
f1 show "$ref" --json >"$T/c1.json" 2>/dev/null
sed 's/"회령"/"무산"/' "$T/c1.json" >"$T/c1e.json"
expect 0 "f1 edits the place" -- f1 edit "$ref" "$T/c1e.json"
f2 show "$ref" --json >"$T/c2.json" 2>/dev/null
sed 's/"1986"/"1985"/' "$T/c2.json" >"$T/c2e.json"
expect 0 "f2 edits the birth year" -- f2 edit "$ref" "$T/c2e.json"
expect 0 "f1 sends" -- f1 bundle export --out "$T/from1.kithbundle"
has "$T/out" ": 1 versions" "f1 sends its one version"
expect 0 "f1 sends again: nothing new" -- f1 bundle export --out "$T/from1b.kithbundle"
has "$T/out" ": 0 versions" "not yet sent is remembered"
expect 0 "f2 sends" -- f2 bundle export --out "$T/from2.kithbundle"
expect 0 "headquarters imports f1's" -- hq bundle import "$T/from1.kithbundle"
has "$T/out" "1 versions added" "f1's edit is the case's new version"
expect 0 "headquarters imports f2's" -- hq bundle import "$T/from2.kithbundle"
has "$T/out" "1 kept as conflicts" "f2's edit is kept as a conflict"
expect 0 "importing it twice" -- hq bundle import "$T/from2.kithbundle"
expect 0 "list --has-conflict" -- hq list --has-conflict
has "$T/out" "$ref" "the case is flagged"
expect 0 "resolve lists" -- hq resolve
has "$T/out" "$ref" "resolve lists the case"
expect 0 "resolve shows both" -- hq resolve "$ref"
has "$T/out" "side B" "two sides"
has "$T/out" "person" "the field that differs"
has "$T/out" "무산" "side A's value"
has "$T/out" "1985" "side B's value"
expect 1 "a field must be chosen" -- hq resolve "$ref" --take notes=A
expect 1 "an unknown side" -- hq resolve "$ref" --take person=Z
expect 0 "resolve: take B's person, A for the rest" -- hq resolve "$ref" --take person=B --all A
has "$T/out" "resolved: version" "a new version"
expect 0 "no conflict left" -- hq list --has-conflict
hasnt "$T/out" "$ref" "the case is no longer flagged"
expect 0 "the resolution" -- hq show "$ref" --json
has "$T/out" "1985" "B's person was taken"
expect 0 "history keeps every version" -- hq history "$ref"
has "$T/out" "resolve" "the resolution is in the history"
expect 1 "nothing left to resolve" -- hq resolve "$ref"

# --- tampered and cut bundles are refused by name, nothing written
cp "$T/from1.kithbundle" "$T/flip.kithbundle"
printf '\x01' | dd of="$T/flip.kithbundle" bs=1 seek=400 conv=notrunc 2>/dev/null
expect 1 "a flipped byte" -- hq bundle import "$T/flip.kithbundle"
has "$T/err" "flip.kithbundle" "the refusal names the bundle"
head -c 300 "$T/from1.kithbundle" >"$T/cut.kithbundle"
expect 1 "a cut bundle" -- hq bundle import "$T/cut.kithbundle"
has "$T/err" "cut short" "the refusal says it is cut"

# --- format 3 (the default vaults are format 2): headquarters keeps each device's signed
# manifests, so it takes a device's batches in the order of its log, and a rewritten log is refused
[ "$(sqlite3 "$F1" 'PRAGMA user_version')" = 2 ] && ok "field vaults are format 2" || bad "f1 is not format 2"
[ "$(od -An -tu1 -j11 -N1 "$T/from1.kithbundle" | tr -d ' ')" = 3 ] && ok "its bundles are format 3" || bad "not format 3"
n1=$(sqlite3 "$HQ" "SELECT count(*) FROM batches WHERE device NOT IN (SELECT device FROM anchors)")
[ "$n1" -ge 1 ] && ok "headquarters keeps a device's manifests ($n1)" || bad "no manifest of a device at headquarters"
expect 0 "f1 adds a case" -- f1 add "$D/case2.json"
expect 0 "f1 sends it (bundle A)" -- f1 bundle export --out "$T/A.kithbundle"
expect 0 "f1 adds another" -- f1 add "$D/case1.json"
expect 0 "f1 sends it (bundle B)" -- f1 bundle export --out "$T/B.kithbundle"
expect 1 "B before A: refused" -- hq bundle import "$T/B.kithbundle"
has "$T/err" "B.kithbundle" "the refusal names the bundle"
has "$T/err" "an earlier bundle is missing" "the refusal says why"
expect 0 "A" -- hq bundle import "$T/A.kithbundle"
expect 0 "then B" -- hq bundle import "$T/B.kithbundle"
has "$T/out" "1 versions added" "B's version went in"
expect 0 "B again changes nothing" -- hq bundle import "$T/B.kithbundle"
has "$T/out" "0 versions added" "nothing added twice"
expect 0 "headquarters opens clean after them" -- hq list
hasnt "$T/err" "batch" "no finding about batches"
# f1's file rolled back to before B (a copy), then a different batch under B's number
cp "$F1" "$T/f1.keep"
[ -e "$F1-wal" ] && cp "$F1-wal" "$T/f1.keep-wal"
expect 0 "f1 adds one more" -- f1 add "$D/case2.json"
expect 0 "f1 sends it (bundle C)" -- f1 bundle export --out "$T/C.kithbundle"
cp "$T/f1.keep" "$F1"
rm -f "$F1-wal" "$F1-shm"
[ -e "$T/f1.keep-wal" ] && cp "$T/f1.keep-wal" "$F1-wal"
expect 0 "the rolled-back f1 writes another version" -- f1 add "$D/case1.json"
expect 0 "and sends it (bundle D)" -- f1 bundle export --out "$T/D.kithbundle"
expect 0 "C" -- hq bundle import "$T/C.kithbundle"
expect 1 "D rewrites f1's log: refused" -- hq bundle import "$T/D.kithbundle"
has "$T/err" "D.kithbundle" "the refusal names the bundle"
has "$T/err" "rolled back" "the refusal says the log was rewritten"
finish
