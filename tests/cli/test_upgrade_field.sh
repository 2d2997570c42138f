#!/usr/bin/env bash
# End to end: kith upgrade of a format-1 FIELD vault (docs/vault-format.md
# *Upgrade*, "A field vault"). A format-1 headquarters and a format-1 field
# device exchange bundles; the field vault is upgraded (a refused and a failed
# upgrade first: nothing changes); its bundles still go to headquarters and
# are accepted, nothing is lost, the versions it had sent stay as headquarters
# holds them; re-sent versions that headquarters' own upgrade re-sealed are
# skipped, both ways. Fictional records only.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
H=$T/hq.kith
F=$T/field.kith
printf 'hq upgrade words\n' >"$T/hp"
printf 'field upgrade words\n' >"$T/fp"
printf 'not the words\n' >"$T/wrong"
h() { "$KITH" "$@" --vault "$H" --passphrase-file "$T/hp"; }
f() { "$KITH" "$@" --vault "$F" --passphrase-file "$T/fp"; }
fmt() { sqlite3 "$1" 'PRAGMA user_version'; }
sum() { sha256sum "$F" | cut -d' ' -f1; }

expect 0 "a format-1 headquarters" -- "$KITH" init --vault "$H" --format 1 --passphrase-file "$T/hp" --kdf test
expect 0 "headquarters adds a case of its own" -- h add "$D/case2.json"
HREF=$(cat "$T/out")
expect 0 "device add" -- h device add dev1 --out "$T/dev1.kithinvite"
tail -n 1 "$T/out" >"$T/code"
expect 0 "a format-1 field vault" -- "$KITH" init --vault "$F" --join "$T/dev1.kithinvite" \
  --code-file "$T/code" --passphrase-file "$T/fp" --kdf test --format 1
[ "$(fmt "$F")" = 1 ] && ok "the field vault is format 1" || bad "not format 1"

# --- the field vault's life before the upgrade: two cases sent, one more and an edit not yet
expect 0 "field adds a case" -- f add "$D/case1.json"
FREF=$(cat "$T/out")
expect 0 "field imports two more" -- f import "$D/cases.jsonl"
expect 0 "field sends them" -- f bundle export --out "$T/b1.kithbundle"
expect 0 "headquarters takes them" -- h bundle import "$T/b1.kithbundle"
SENT=$(grep -oE '[0-9]+ versions added' "$T/out" | cut -d' ' -f1)
[ "${SENT:-0}" -ge 2 ] && ok "headquarters added $SENT versions" || bad "headquarters added ${SENT:-none}"
expect 0 "field edits a sent case (not sent yet)" -- f edit "$FREF" "$D/case1_v2.json"
expect 0 "field adds one more (not sent yet)" -- f add "$D/case2.json"
NEWREF=$(cat "$T/out")
expect 0 "headquarters sends its case to the device" -- h bundle export --to dev1 --case "$HREF" --out "$T/h1.kithbundle"
expect 0 "the device takes it" -- f bundle import "$T/h1.kithbundle"
expect 0 "list before" -- f list --json
cp "$T/out" "$T/before.json"
expect 0 "history before" -- f history "$FREF" --json
cp "$T/out" "$T/hist_before.json"
ROWS=$(sqlite3 "$F" 'SELECT count(*) FROM rows')
OLD=$(sum)

# --- refused and failed upgrades change nothing
expect 1 "upgrade with the wrong passphrase" -- "$KITH" upgrade --vault "$F" --passphrase-file "$T/wrong"
[ "$(sum)" = "$OLD" ] && [ "$(fmt "$F")" = 1 ] && ok "a refused upgrade leaves the file as it was" || bad "changed"
[ ! -e "$F.format2.tmp" ] && [ ! -e "$F.format1" ] && ok "and nothing beside it" || bad "leftovers"
mkdir "$F.format2.tmp" && touch "$F.format2.tmp/x"  # where the copy goes: not writable as a file
expect 1 "an upgrade whose copy cannot be written fails" -- f upgrade
has "$T/err" "format2.tmp" "the failure names the file in the way"
[ "$(sum)" = "$OLD" ] && [ "$(fmt "$F")" = 1 ] && ok "a failed upgrade leaves the file as it was" || bad "changed"
[ ! -e "$F.format1" ] && ok "and keeps no old file (nothing was replaced)" || bad "a .format1 file"
rm -rf "$F.format2.tmp"
expect 0 "the vault reads as before the failed upgrade" -- f list --json
cmp -s "$T/out" "$T/before.json" && ok "the same records" || bad "the records changed"

# --- the upgrade
expect 0 "upgrade the field vault" -- f upgrade
has "$T/out" "upgraded to format 2: 2 versions re-sealed" "the two unsent versions are re-sealed"
has "$T/out" "kept as they were" "the sent and received ones are kept"
[ "$(fmt "$F")" = 2 ] && ok "the field vault is format 2" || bad "not format 2"
[ "$(fmt "$F.format1")" = 1 ] && ok "the old file is kept as .format1" || bad "no old file"
[ ! -e "$F.format2.tmp" ] && ok "no temporary file left" || bad "the temporary file was left"
[ "$(sqlite3 "$F" 'SELECT count(*) FROM rows')" = "$ROWS" ] && ok "as many versions as before ($ROWS)" || bad "versions lost"
[ "$(sqlite3 "$F" 'SELECT count(*) FROM rows WHERE batch IS NOT NULL')" = 2 ] && ok "two in the signed batch" || bad "batch rows"
expect 0 "list after" -- f list --json
cmp -s "$T/out" "$T/before.json" && ok "the records read as before" || bad "the records changed"
hasnt "$T/err" "batch|rolled back" "no finding after the upgrade"
expect 0 "history after" -- f history "$FREF" --json
cmp -s "$T/out" "$T/hist_before.json" && ok "the history reads as before" || bad "the history changed"
grep -qa 방미선 "$F" && bad "a name in the upgraded field file" || ok "the upgraded field file shows no name"
expect 0 "the old file still opens" -- "$KITH" list --vault "$F.format1" --passphrase-file "$T/fp"

# --- its bundles go on to headquarters: a format-1 headquarters asks for its own upgrade
expect 0 "the upgraded field vault sends" -- f bundle export --out "$T/b2.kithbundle"
has "$T/out" ": 2 versions" "the two unsent versions, nothing sent before"
expect 1 "a format-1 headquarters refuses signed batches" -- h bundle import "$T/b2.kithbundle"
has "$T/err" "b2.kithbundle" "the refusal names the bundle"
has "$T/err" "run .kith upgrade." "and says to upgrade"
expect 0 "headquarters upgrades" -- h upgrade
expect 0 "headquarters takes the field vault's batch" -- h bundle import "$T/b2.kithbundle"
has "$T/out" "2 versions added" "both versions added"
expect 0 "headquarters opens clean" -- h list
hasnt "$T/err" "batch|damaged|rolled back" "no finding at headquarters"
has "$T/out" "$NEWREF" "the case added before the upgrade is at headquarters"
expect 0 "the edit made before the upgrade is at headquarters" -- h history "$FREF" --json
[ "$(jq length "$T/out")" = 2 ] && ok "both versions of the edited case" || bad "versions of the edited case"

# --- everything again (--all): the format-1 rows headquarters re-sealed in its own upgrade are
# skipped, not refused as "another version by the same device"
expect 0 "the field vault sends everything again" -- f bundle export --all --out "$T/b3.kithbundle"
expect 0 "headquarters takes it: nothing new" -- h bundle import "$T/b3.kithbundle"
has "$T/out" " 0 versions added" "no version added twice"
expect 0 "headquarters opens clean after it" -- h list
hasnt "$T/err" "batch|damaged" "no finding"

# --- and the other way: headquarters edits its case and sends it all again; the version the
# device holds as a format-1 row (headquarters re-sealed it) is skipped, the new one added
expect 0 "headquarters edits its case" -- h edit "$HREF" "$D/case1_v2.json"
expect 0 "headquarters sends the case again, whole" -- h bundle export --to dev1 --case "$HREF" --all --out "$T/h2.kithbundle"
expect 0 "the device takes it" -- f bundle import "$T/h2.kithbundle"
has "$T/out" "1 versions added, 1 already here" "the old version skipped, the edit added"
expect 0 "the device reads the edit" -- f history "$HREF" --json
[ "$(jq length "$T/out")" = 2 ] && ok "both versions of headquarters' case" || bad "versions of headquarters' case"

# --- new work after the upgrade goes on as usual
expect 0 "the field vault adds a case" -- f add "$D/case2.json"
expect 0 "and sends it" -- f bundle export --out "$T/b4.kithbundle"
expect 0 "headquarters takes it" -- h bundle import "$T/b4.kithbundle"
has "$T/out" "1 versions added" "one version added"
expect 0 "headquarters opens clean at the end" -- h list --json
hasnt "$T/err" "batch|damaged" "no finding at the end"
N=$(jq length "$T/out")
[ "$N" = "$(($(jq length "$T/before.json") + 1))" ] && ok "headquarters holds every case ($N)" || bad "headquarters holds $N cases"
expect 0 "the field vault opens clean at the end" -- f list
hasnt "$T/err" "batch|damaged|rolled back" "no finding in the field vault"
# --- a field vault that lost the record of what it sent re-seals versions headquarters holds as
# format-1 rows: the same envelopes, so headquarters takes the device's signed batch in their place
printf 'second field words\n' >"$T/gp"
G=$T/field2.kith
g() { "$KITH" "$@" --vault "$G" --passphrase-file "$T/gp"; }
expect 0 "device add dev2" -- h device add dev2 --out "$T/dev2.kithinvite"
tail -n 1 "$T/out" >"$T/code2"
expect 0 "a second format-1 field vault" -- "$KITH" init --vault "$G" --join "$T/dev2.kithinvite" \
  --code-file "$T/code2" --passphrase-file "$T/gp" --kdf test --format 1
expect 0 "it adds a case" -- g add "$D/case2.json"
expect 0 "and sends it" -- g bundle export --out "$T/g1.kithbundle"
expect 0 "headquarters takes it as a format-1 row" -- h bundle import "$T/g1.kithbundle"
sqlite3 "$G" 'DELETE FROM sent'
expect 0 "the second field vault is upgraded" -- g upgrade
has "$T/out" "1 version re-sealed" "its version, no longer known as sent, is re-sealed"
expect 0 "it sends its batch" -- g bundle export --out "$T/g2.kithbundle"
expect 0 "headquarters takes the batch in place of the format-1 row" -- h bundle import "$T/g2.kithbundle"
has "$T/out" "0 versions added, 1 already here" "the same version, not a new one"
expect 0 "headquarters opens clean" -- h list
hasnt "$T/err" "batch|damaged|missing" "the device's batch is whole at headquarters"
expect 0 "the first bundle again" -- h bundle import "$T/g1.kithbundle"
has "$T/out" "0 versions added, 1 already here" "its format-1 row is skipped now too"

# --- the same with headquarters upgraded first: two re-sealed copies, refused with the cause and
# the way out (the old file back, one export, upgrade again); --since does not help
printf 'third field words\n' >"$T/ep"
E=$T/field3.kith
e() { "$KITH" "$@" --vault "$E" --passphrase-file "$T/ep"; }
H2=$T/hq2.kith
h2() { "$KITH" "$@" --vault "$H2" --passphrase-file "$T/hp"; }
expect 0 "a second format-1 headquarters" -- "$KITH" init --vault "$H2" --passphrase-file "$T/hp" --kdf test --format 1
expect 0 "device add dev3" -- h2 device add dev3 --out "$T/dev3.kithinvite"
tail -n 1 "$T/out" >"$T/code3"
expect 0 "its format-1 field vault" -- "$KITH" init --vault "$E" --join "$T/dev3.kithinvite" \
  --code-file "$T/code3" --passphrase-file "$T/ep" --kdf test --format 1
expect 0 "it adds a case" -- e add "$D/case2.json"
expect 0 "and sends it" -- e bundle export --out "$T/e1.kithbundle"
expect 0 "headquarters takes it" -- h2 bundle import "$T/e1.kithbundle"
expect 0 "headquarters is upgraded (re-seals the device's version)" -- h2 upgrade
sqlite3 "$E" 'DELETE FROM sent'
expect 0 "the device, its sent table lost, is upgraded (re-seals it too)" -- e upgrade
expect 0 "it sends its batch" -- e bundle export --out "$T/e2.kithbundle"
expect 1 "headquarters refuses the second re-sealed copy" -- h2 bundle import "$T/e2.kithbundle"
has "$T/err" "re-sealed twice" "the refusal says why"
has "$T/err" "--since does not help" "and that --since does not help"
has "$T/err" "format1\) back in place" "and the way out"
rm -f "$E" "$E-wal" "$E-shm"
mv "$E.format1" "$E"
[ -f "$E.format1-wal" ] && mv "$E.format1-wal" "$E-wal"
expect 0 "the old file back, it exports once" -- e bundle export --out "$T/e3.kithbundle"
expect 0 "headquarters skips what it holds" -- h2 bundle import "$T/e3.kithbundle"
has "$T/out" "0 versions added, 1 already here" "nothing new"
expect 0 "upgraded again" -- e upgrade
has "$T/out" "0 versions re-sealed" "nothing re-sealed this time"
expect 0 "it adds a case" -- e add "$D/case1.json"
expect 0 "and sends it" -- e bundle export --out "$T/e4.kithbundle"
expect 0 "headquarters takes it" -- h2 bundle import "$T/e4.kithbundle"
has "$T/out" "1 versions added" "the new version"
expect 0 "headquarters finds nothing" -- h2 verify

expect 1 "a second upgrade is refused" -- f upgrade
has "$T/err" "already format 2" "the refusal says why"
finish
