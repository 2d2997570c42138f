#!/usr/bin/env bash
# End to end (issue 12, design-format2.md Review 5): the rollback anchor bound
# to the passphrase slot. A format-2 vault commits three batches; copies of
# the file are taken after the second and the third. Then, with sqlite3 as
# someone who holds the file could:
#   - the batch tables (rows, batches, anchors) put back from the older copy,
#     the slots kept: reported as a rolled-back log (the table's own anchor,
#     also put back, agrees with the older tables: only the slot's anchor sees it);
#   - the slot's anchor put back from the older copy, the rest kept: nothing
#     to report (the file is ahead of what that passphrase saw);
#   - the slot's anchor altered, or deleted: reported;
#   - the whole file replaced by the older copy: NOT reported — the limit that
#     docs/threat-model.md states (nothing inside one file can see it);
#   - another device's log cut short (a field device's last batch deleted at
#     headquarters): not covered by that device's table anchor, reported by
#     the slot's anchor (the logs' reach);
#   - passwd, a person's passwd, a person added and reset: no false finding.
# Every case is invented.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
command -v sqlite3 >/dev/null || { echo "FAIL - sqlite3 is missing"; exit 1; }
printf 'admin words\n' >"$T/pass"
printf 'new admin words\n' >"$T/pass2"
printf 'caseworker words\n' >"$T/kp"
printf 'caseworker new words\n' >"$T/kp2"
W=$T/w.kith
w() { "$KITH" "$@" --vault "$W" --passphrase-file "$T/pass"; }
settle() { sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; }

expect 0 "init --format 2" -- "$KITH" init --vault "$W" --format 2 --passphrase-file "$T/pass" --kdf test
[ "$(sqlite3 "$W" "SELECT count(*) FROM slots WHERE name = 'anchor:main'")" = 1 ] &&
  ok "a new format-2 vault has the main slot's anchor" || bad "no anchor:main slot row"
expect 0 "a new vault verifies" -- w verify
expect 0 "add 1" -- w add "$D/case1.json"
expect 0 "import" -- w import "$D/cases.jsonl"
settle "$W"
cp "$W" "$T/c2.kith"
expect 0 "add 2" -- w add "$D/case2.json"
settle "$W"
cp "$W" "$T/c3.kith"
expect 0 "three batches verify" -- w verify
has "$T/out" "no finding: format 2, 3 batches" "three batches, nothing found"

restore() { cp "$T/c3.kith" "$W"; rm -f "$W-wal" "$W-shm"; }
# older batch tables, current slots
restore
sqlite3 "$W" "ATTACH '$T/c2.kith' AS old; DELETE FROM rows; INSERT INTO rows SELECT * FROM old.rows;
  DELETE FROM batches; INSERT INTO batches SELECT * FROM old.batches;
  DELETE FROM anchors; INSERT INTO anchors SELECT * FROM old.anchors;"
expect 4 "older tables under current slots: verify exits 4" -- w verify
has "$T/out" "^rolled_back: the log of device [0-9a-f]+ was rolled back: its last batch was number 3, the file ends at 2" \
  "the slot's anchor reports the rolled-back log"
[ "$(wc -l <"$T/out")" -eq 1 ] && ok "one finding" || bad "findings: $(wc -l <"$T/out") $(cat -A "$T/out")"

# the slot's anchor from the older copy, current tables: nothing to report
restore
sqlite3 "$W" "ATTACH '$T/c2.kith' AS old; DELETE FROM slots WHERE name = 'anchor:main';
  INSERT INTO slots SELECT * FROM old.slots WHERE name = 'anchor:main';"
expect 0 "an older slot anchor with current tables: nothing found" -- w verify

# both the tables and the slot's anchor from the older copy (a whole-file rollback in parts)
restore
sqlite3 "$W" "ATTACH '$T/c2.kith' AS old; DELETE FROM rows; INSERT INTO rows SELECT * FROM old.rows;
  DELETE FROM batches; INSERT INTO batches SELECT * FROM old.batches;
  DELETE FROM anchors; INSERT INTO anchors SELECT * FROM old.anchors;
  DELETE FROM slots WHERE name = 'anchor:main'; INSERT INTO slots SELECT * FROM old.slots WHERE name = 'anchor:main';"
expect 0 "tables and slot anchor all from the older copy: not detected (the stated limit)" -- w verify
cp "$T/c2.kith" "$W"
rm -f "$W-wal" "$W-shm"
expect 0 "the whole older file: not detected (the stated limit)" -- w verify

# the slot's anchor altered, then deleted
restore
sqlite3 "$W" "UPDATE slots SET box = randomblob(65) WHERE name = 'anchor:main'"
expect 4 "an altered slot anchor: verify exits 4" -- w verify
has "$T/out" "^anchor_altered: the rollback anchor of this passphrase slot was altered" "reported as altered"
restore
sqlite3 "$W" "DELETE FROM slots WHERE name = 'anchor:main'"
expect 4 "a deleted slot anchor: verify exits 4" -- w verify
has "$T/out" "^anchor_missing: the rollback anchor of this passphrase slot is missing" "reported as missing"
restore
sqlite3 "$W" "ATTACH '$T/c2.kith' AS old; DELETE FROM rows; INSERT INTO rows SELECT * FROM old.rows;
  DELETE FROM batches; INSERT INTO batches SELECT * FROM old.batches;
  DELETE FROM anchors; INSERT INTO anchors SELECT * FROM old.anchors;
  DELETE FROM slots WHERE name = 'anchor:main';"
expect 4 "older tables and the slot anchor deleted: still reported" -- w verify
has "$T/out" "anchor_missing" "as a missing anchor"

# another device's log cut short: a field device's batches reach this file
# (copied with sqlite3 as a bundle of batches would bring them); its table
# anchor is in its own file, not here; the slot's anchor counts how far every
# device's log reached
restore
printf 'field words\n' >"$T/fp"
expect 0 "device add" -- w device add f1 --out "$T/f1.kithinvite"
tail -n 1 "$T/out" >"$T/code1"
settle "$W"
cp "$W" "$T/enrolled.kith"
F=$T/f1.kith
expect 0 "a format-2 field vault joins" -- "$KITH" init --vault "$F" --join "$T/f1.kithinvite" --code-file "$T/code1" \
  --passphrase-file "$T/fp" --kdf test --format 2
expect 0 "the field device adds a case" -- "$KITH" add "$D/case1.json" --vault "$F" --passphrase-file "$T/fp"
expect 0 "and another" -- "$KITH" add "$D/case2.json" --vault "$F" --passphrase-file "$T/fp"
settle "$F"
sqlite3 "$W" "ATTACH '$F' AS f; INSERT INTO batches SELECT * FROM f.batches;
  INSERT INTO rows SELECT * FROM f.rows WHERE batch IS NOT NULL;"
expect 0 "headquarters reads the field device's batches" -- w verify
expect 0 "headquarters commits (its slot's anchor counts them)" -- w add "$D/case1_v2.json"
settle "$W"
fdev=$(sqlite3 "$F" 'SELECT hex(device) FROM batches LIMIT 1')
nb=$(sqlite3 "$W" 'SELECT count(*) FROM batches')
sqlite3 "$W" "DELETE FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE device = x'$fdev' ORDER BY seq DESC LIMIT 1);
  DELETE FROM batches WHERE batch_id = (SELECT batch_id FROM batches WHERE device = x'$fdev' ORDER BY seq DESC LIMIT 1);"
[ "$(sqlite3 "$W" 'SELECT count(*) FROM batches')" = $((nb - 1)) ] && ok "the field device's last batch is gone" || bad "batches: $(sqlite3 "$W" 'SELECT count(*) FROM batches')"
expect 4 "another device's log cut short: verify exits 4" -- w verify
fb=$(sqlite3 "$F" 'SELECT count(*) FROM batches')
has "$T/out" "^rolled_back: the file was rolled back: this passphrase slot saw $fb batches of other devices, the file holds $((fb - 1))" \
  "the logs' reach is reported"

# a bundle import moves the slot's anchor at once: the field device's batches
# come in by `kith bundle import` and headquarters commits nothing after it;
# the batch tables put back to before the import are reported
cp "$T/enrolled.kith" "$W"
rm -f "$W-wal" "$W-shm"
expect 0 "the field device sends its batches" -- "$KITH" bundle export --out "$T/f1.kithbundle" --vault "$F" --passphrase-file "$T/fp"
settle "$W"
cp "$W" "$T/pre_import.kith"
expect 0 "headquarters imports them" -- w bundle import "$T/f1.kithbundle"
has "$T/out" "versions added" "the versions went in"
expect 0 "headquarters verifies after the import" -- w verify
settle "$W"
sqlite3 "$W" "ATTACH '$T/pre_import.kith' AS old; DELETE FROM rows; INSERT INTO rows SELECT * FROM old.rows;
  DELETE FROM batches; INSERT INTO batches SELECT * FROM old.batches;"
expect 4 "the tables put back to before the import: verify exits 4" -- w verify
has "$T/out" "^rolled_back: the file was rolled back: this passphrase slot saw $fb batches of other devices, the file holds 0" \
  "the import's batches are counted by the slot's anchor"
expect 4 "list says so too" -- w list
has "$T/err" "rolled back" "the error names the rollback"
# the import again into the put-back file: taken, and nothing is reported any more
expect 0 "the bundle imported again" -- w bundle import "$T/f1.kithbundle"
expect 0 "verifies clean" -- w verify

# no false findings: passwd, a person and their passwd, recover-free reset path
restore
expect 0 "passwd" -- "$KITH" passwd --vault "$W" --passphrase-file "$T/pass" --new-passphrase-file "$T/pass2"
w2() { "$KITH" "$@" --vault "$W" --passphrase-file "$T/pass2"; }
expect 0 "after passwd: nothing found" -- w2 verify
[ "$(sqlite3 "$W" "SELECT count(*) FROM slots WHERE name = 'anchor:main'")" = 1 ] && ok "the anchor moved with the slot" || bad "anchor:main"
expect 0 "add a caseworker" -- w2 user add "김 선생" --role caseworker --pass-file "$T/kp"
[ "$(sqlite3 "$W" "SELECT count(*) FROM slots WHERE name LIKE 'anchor:person:%'")" = 1 ] &&
  ok "the person's slot has its anchor" || bad "no person anchor"
expect 0 "the caseworker verifies" -- "$KITH" verify --vault "$W" --passphrase-file "$T/kp"
expect 0 "the caseworker adds a case" -- "$KITH" add "$D/case2.json" --vault "$W" --passphrase-file "$T/kp"
expect 0 "the caseworker changes their passphrase" -- "$KITH" passwd --vault "$W" --passphrase-file "$T/kp" --new-passphrase-file "$T/kp2"
expect 0 "with the new one: nothing found" -- "$KITH" verify --vault "$W" --passphrase-file "$T/kp2"
expect 0 "the admin: nothing found" -- w2 verify
expect 0 "remove the caseworker" -- w2 user remove "김 선생"
[ "$(sqlite3 "$W" "SELECT count(*) FROM slots WHERE name LIKE '%person:%'")" = 0 ] &&
  ok "their slot and its anchor are gone" || bad "person rows left"
expect 0 "panic" -- "$KITH" panic --vault "$W" --yes
[ "$(sqlite3 "$W" "SELECT count(*) FROM slots")" = 0 ] && ok "panic destroys the anchors with the slots" || bad "slots left after panic"
finish
