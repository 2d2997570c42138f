#!/usr/bin/env bash
# End to end: format 2 of the vault (docs/vault-format.md *Format 2*) and
# kith upgrade of a format-1 vault, as a user runs them; then the file edited
# with sqlite3 as someone who holds it could: every edit is named.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
V=$T/v.kith
printf 'upgrade test words\n' >"$T/pass"
printf 'not the words\n' >"$T/wrong"
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }

expect 0 "upgrade --help" -- "$KITH" upgrade --help
has "$T/out" "usage: kith upgrade" "upgrade --help prints usage"
has "$T/out" "format1" "the help names the old file kept"
expect 2 "upgrade with an argument is a usage error" -- "$KITH" upgrade extra --vault "$V"
expect 2 "init --format 3 is a usage error" -- "$KITH" init --vault "$V" --format 3 --passphrase-file "$T/pass" --kdf test
[ ! -e "$V" ] && ok "no file left by a refused init" || bad "a refused init left a file"

# --- a format-1 vault with records and an edit
expect 0 "init a format-1 vault" -- "$KITH" init --vault "$V" --format 1 --passphrase-file "$T/pass" --kdf test
expect 0 "add" -- k add "$D/case1.json"
REF1=$(cat "$T/out")
expect 0 "import" -- k import "$D/cases.jsonl"
expect 0 "edit" -- k edit "$REF1" "$D/case1_v2.json"
[ "$(sqlite3 "$V" 'PRAGMA user_version')" = 1 ] && ok "the vault is format 1" || bad "not format 1"
expect 0 "list before" -- k list --json
cp "$T/out" "$T/before.json"
expect 0 "history before" -- k history "$REF1" --json
cp "$T/out" "$T/hist_before.json"

expect 1 "upgrade with the wrong passphrase" -- "$KITH" upgrade --vault "$V" --passphrase-file "$T/wrong"
[ "$(sqlite3 "$V" 'PRAGMA user_version')" = 1 ] && ok "a refused upgrade changes nothing" || bad "changed"
[ ! -e "$V.format2.tmp" ] && [ ! -e "$V.format1" ] && ok "and leaves no file beside it" || bad "leftovers"

expect 0 "upgrade" -- k upgrade
has "$T/out" "upgraded to format 2" "upgrade says what it did"
has "$T/out" "re-sealed" "upgrade counts the versions"
[ "$(sqlite3 "$V" 'PRAGMA user_version')" = 2 ] && ok "the vault is format 2" || bad "not format 2"
[ "$(sqlite3 "$V.format1" 'PRAGMA user_version')" = 1 ] && ok "the old file is kept as .format1" || bad "no old file"
[ ! -e "$V.format2.tmp" ] && ok "no temporary file left" || bad "the temporary file was left"
[ "$(sqlite3 "$V" 'SELECT count(*) FROM rows WHERE batch IS NULL')" = 0 ] \
  && ok "every version re-sealed into a batch" || bad "format-1 rows left"
expect 0 "list after" -- k list --json
cmp -s "$T/out" "$T/before.json" && ok "the records read as before" || bad "the records changed"
expect 0 "history after" -- k history "$REF1" --json
cmp -s "$T/out" "$T/hist_before.json" && ok "the history reads as before" || bad "the history changed"
grep -qa 방미선 "$V" && bad "a name in the upgraded file" || ok "the upgraded file shows no name"
expect 0 "the old file still opens" -- "$KITH" list --vault "$V.format1" --passphrase-file "$T/pass"
expect 1 "a second upgrade is refused" -- k upgrade
has "$T/err" "already format 2" "the refusal says why"

# --- a new vault is format 2, and writes batches
W=$T/w.kith
w() { "$KITH" "$@" --vault "$W" --passphrase-file "$T/pass"; }
expect 0 "init --format 2" -- "$KITH" init --vault "$W" --format 2 --passphrase-file "$T/pass" --kdf test
expect 0 "add 1" -- w add "$D/case1.json"
expect 0 "import" -- w import "$D/cases.jsonl"
expect 0 "add 2" -- w add "$D/case2.json"
[ "$(sqlite3 "$W" 'SELECT count(*) FROM batches')" = 3 ] && ok "three commits, three signed batches" || bad "batches"
N=$(sqlite3 "$W" 'SELECT count(*) FROM rows')

# a deleted version: named by its batch
cp "$W" "$T/keep.kith"
sqlite3 "$W" "DELETE FROM rows WHERE rowid = (SELECT min(rowid) FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE seq = 2))"
expect 4 "a deleted version is reported" -- w list
has "$T/err" "of its [0-9]+ versions are missing" "the report names the batch and the count"
cp "$T/keep.kith" "$W"

# a dropped batch (the middle one, with its versions)
sqlite3 "$W" "DELETE FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE seq = 2); DELETE FROM batches WHERE seq = 2"
expect 4 "a dropped batch is reported" -- w list
has "$T/err" "batch 2 of device [0-9a-f]+ is missing \(dropped\)" "the report names the batch number and device"
cp "$T/keep.kith" "$W"

# a rolled-back log (the last batch gone)
sqlite3 "$W" "DELETE FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE seq = 3); DELETE FROM batches WHERE seq = 3"
expect 4 "a rolled-back log is reported" -- w list
has "$T/err" "rolled back: its last batch was number 3, the file ends at 2" "the report says how far"
cp "$T/keep.kith" "$W"

# a changed byte of a version
sqlite3 "$W" "UPDATE rows SET nonce = zeroblob(24) WHERE rowid = (SELECT max(rowid) FROM rows)"
expect 0 "a changed version is damage, the rest reads" -- w list
has "$T/err" "failed verification: not the row its batch signed" "the damage says which check failed"
[ "$(sqlite3 "$W" 'SELECT count(*) FROM rows')" = "$N" ] && ok "reading changed nothing" || bad "rows changed"
cp "$T/keep.kith" "$W"

# mixed fleets: a format-2 headquarters (this upgraded vault) sends bundles of format 3 (its
# batches); a format-1 field vault refuses them, naming the bundle and saying to run kith
# upgrade, after which it takes them; a
# format-2 one takes them; the format-1 device's own bundles (format 2) go in at headquarters
printf 'field one words\n' >"$T/p1"
printf 'field two words\n' >"$T/p2"
for n in 1 2; do
  expect 0 "device add dev$n" -- w device add "dev$n" --out "$T/dev$n.kithinvite"
  tail -n 1 "$T/out" >"$T/code$n"
done
expect 0 "a format-1 field vault (--format 1)" -- "$KITH" init --vault "$T/f1.kith" --join "$T/dev1.kithinvite" \
  --code-file "$T/code1" --passphrase-file "$T/p1" --kdf test --format 1
expect 0 "a field vault of the default format" -- "$KITH" init --vault "$T/f2.kith" --join "$T/dev2.kithinvite" \
  --code-file "$T/code2" --passphrase-file "$T/p2" --kdf test
[ "$(sqlite3 "$T/f2.kith" 'PRAGMA user_version')" = 2 ] && ok "a field vault is format 2 by default" || bad "not format 2"
f1() { "$KITH" "$@" --vault "$T/f1.kith" --passphrase-file "$T/p1"; }
f2() { "$KITH" "$@" --vault "$T/f2.kith" --passphrase-file "$T/p2"; }
ref=$(w list --json 2>/dev/null | jq -r '.[0].ref')
expect 0 "headquarters sends a case to the format-1 device" -- w bundle export --to dev1 --case "$ref" --out "$T/b1.kithbundle"
[ "$(od -An -tu1 -j11 -N1 "$T/b1.kithbundle" | tr -d ' ')" = 3 ] && ok "a format-2 vault writes bundle format 3" || bad "not format 3"
expect 1 "the format-1 field vault refuses batches" -- f1 bundle import "$T/b1.kithbundle"
has "$T/err" "run .kith upgrade." "the refusal says to upgrade the field vault"
has "$T/err" "b1.kithbundle" "the refusal names the bundle"
expect 0 "the format-1 field vault adds a case" -- f1 add "$D/case2.json"
expect 0 "and sends it (bundle format 2)" -- f1 bundle export --out "$T/from1.kithbundle"
[ "$(od -An -tu1 -j11 -N1 "$T/from1.kithbundle" | tr -d ' ')" = 2 ] && ok "a format-1 vault writes bundle format 2" || bad "not format 2"
expect 0 "the format-2 headquarters takes format-1 rows" -- w bundle import "$T/from1.kithbundle"
has "$T/out" "1 versions added" "headquarters counts the version"
expect 0 "the format-1 field vault is upgraded (tests/cli/test_upgrade_field.sh)" -- f1 upgrade
expect 0 "and takes the batches it refused" -- f1 bundle import "$T/b1.kithbundle"
expect 0 "and reads the case" -- f1 list
has "$T/out" "$ref" "the case headquarters sent is listed"
expect 0 "headquarters sends the case to the format-2 device" -- w bundle export --to dev2 --case "$ref" --out "$T/b2.kithbundle"
expect 0 "the format-2 field vault takes the batches" -- f2 bundle import "$T/b2.kithbundle"
expect 0 "and reads the case" -- f2 list
has "$T/out" "$ref" "the case headquarters sent is listed"
expect 0 "the format-2 field vault edits it and sends it back" -- f2 edit "$ref" "$D/case1_v2.json"
expect 0 "export" -- f2 bundle export --out "$T/from2.kithbundle"
expect 0 "headquarters takes the device's batch" -- w bundle import "$T/from2.kithbundle"
expect 0 "headquarters opens clean" -- w list
hasnt "$T/err" "batch" "no finding about batches"

# a format-1 headquarters and a format-2 field device: refused by name, "run kith upgrade";
# after the upgrade the same bundle goes in
printf 'field three words\n' >"$T/p3"
H1=$T/hq1.kith
h1() { "$KITH" "$@" --vault "$H1" --passphrase-file "$T/pass"; }
expect 0 "a format-1 headquarters" -- "$KITH" init --vault "$H1" --format 1 --passphrase-file "$T/pass" --kdf test
expect 0 "device add dev3" -- h1 device add dev3 --out "$T/dev3.kithinvite"
tail -n 1 "$T/out" >"$T/code3"
expect 0 "a format-2 field vault joins it" -- "$KITH" init --vault "$T/f3.kith" --join "$T/dev3.kithinvite" \
  --code-file "$T/code3" --passphrase-file "$T/p3" --kdf test
expect 0 "the device adds a case" -- "$KITH" add "$D/case2.json" --vault "$T/f3.kith" --passphrase-file "$T/p3"
expect 0 "and sends it" -- "$KITH" bundle export --out "$T/from3.kithbundle" --vault "$T/f3.kith" --passphrase-file "$T/p3"
expect 1 "the format-1 headquarters refuses batches" -- h1 bundle import "$T/from3.kithbundle"
has "$T/err" "from3.kithbundle" "the refusal names the bundle"
has "$T/err" "run .kith upgrade." "the refusal says to upgrade"
expect 0 "headquarters upgrades" -- h1 upgrade
expect 0 "and takes the bundle" -- h1 bundle import "$T/from3.kithbundle"
has "$T/out" "1 versions added" "the version went in"
expect 0 "headquarters opens clean" -- h1 list
hasnt "$T/err" "batch" "no finding about batches"
finish
