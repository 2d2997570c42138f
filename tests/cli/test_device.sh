#!/usr/bin/env bash
# End to end (issue 12): headquarters invites a field device, the field worker
# joins with the invitation and its one-time code, adds cases; the field vault
# cannot read headquarters' records even when they are in its file, its file
# shows no name, and after a panic on it headquarters' organization key still
# reads everything it wrote. Device list and revocation. docs/cli.md.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
HQ=$T/hq.kith
F=$T/field.kith
printf 'headquarters words\n' >"$T/hp"
printf 'field worker words\n' >"$T/fp"
printf 'backup words\n' >"$T/bp"
hq() { "$KITH" "$@" --vault "$HQ" --passphrase-file "$T/hp"; }
fd() { "$KITH" "$@" --vault "$F" --passphrase-file "$T/fp"; }

expect 0 "device --help" -- "$KITH" device --help
has "$T/out" "usage: kith device add NAME" "device --help prints usage"
expect 0 "init --help names --join" -- "$KITH" init --help
has "$T/out" "--join INVITATION" "init --help documents --join"
expect 2 "device without an action" -- "$KITH" device --vault "$HQ"
expect 2 "device add without --out" -- "$KITH" device add x --vault "$HQ"
expect 2 "device frob" -- "$KITH" device frob --vault "$HQ"

expect 0 "init headquarters" -- "$KITH" init --vault "$HQ" --passphrase-file "$T/hp" --kdf test \
  --org-key-backup "$T/org.key" --backup-passphrase-file "$T/bp"
expect 0 "headquarters adds a case" -- hq add "$D/case2.json"
expect 0 "no devices yet" -- hq device list
has "$T/out" "no field devices" "an empty list says so"

# --- invite
expect 0 "device add" -- hq device add yanji-1 --out "$T/y.kithinvite"
tail -n 1 "$T/out" >"$T/code"
grep -qE '^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$' "$T/code" && ok "the code is the last word" \
  || bad "no code on the last line: $(cat "$T/code")"
[ "$(stat -c %s "$T/y.kithinvite")" -eq 524 ] && ok "the invitation is 524 bytes" || bad "invitation size"
[ "$(stat -c %a "$T/y.kithinvite")" = 600 ] && ok "the invitation is mode 0600" || bad "invitation mode"
grep -qa yanji "$T/y.kithinvite" && bad "the device name is readable in the invitation" \
  || ok "the invitation shows no name"
expect 1 "a second device of that name is refused" -- hq device add yanji-1 --out "$T/y2.kithinvite"
has "$T/err" "already enrolled" "the refusal says why"
[ -e "$T/y2.kithinvite" ] && bad "a refused add wrote a file" || ok "a refused add writes nothing"
expect 1 "a bad device name is refused" -- hq device add "two words" --out "$T/bad.kithinvite"
expect 2 "an existing --out is refused" -- hq device add other --out "$T/y.kithinvite"

# --- join: wrong and malformed codes, altered and foreign files
printf '0000-0000-0000-0000\n' >"$T/wrong"
expect 1 "a wrong code is refused" -- "$KITH" init --vault "$F" --join "$T/y.kithinvite" --code-file "$T/wrong" \
  --passphrase-file "$T/fp" --kdf test
has "$T/err" "does not open this invitation" "the refusal names the code"
[ -e "$F" ] && bad "a refused join left a file" || ok "a refused join leaves no file"
printf 'abc\n' >"$T/short"
expect 1 "a short code is refused" -- "$KITH" init --vault "$F" --join "$T/y.kithinvite" --code-file "$T/short" \
  --passphrase-file "$T/fp" --kdf test
has "$T/err" "3 characters, 16 expected" "the refusal counts the characters"
cp "$T/y.kithinvite" "$T/flip.kithinvite"
printf '\x01' | dd of="$T/flip.kithinvite" bs=1 seek=300 conv=notrunc 2>/dev/null
expect 1 "an altered invitation is refused" -- "$KITH" init --vault "$F" --join "$T/flip.kithinvite" \
  --code-file "$T/code" --passphrase-file "$T/fp" --kdf test
head -c 100 "$T/y.kithinvite" >"$T/cut.kithinvite"
expect 1 "a cut invitation is refused" -- "$KITH" init --vault "$F" --join "$T/cut.kithinvite" \
  --code-file "$T/code" --passphrase-file "$T/fp" --kdf test
has "$T/err" "524 bytes" "the refusal gives the size"
expect 1 "a case file is not an invitation" -- "$KITH" init --vault "$F" --join "$D/case1.json" \
  --code-file "$T/code" --passphrase-file "$T/fp" --kdf test
has "$T/err" "not a kith invitation" "the refusal says what the file is not"
expect 2 "--join with a key backup is a usage error" -- "$KITH" init --vault "$F" --join "$T/y.kithinvite" \
  --passphrase-file "$T/fp" --org-key-backup "$T/x.key" --backup-passphrase-file "$T/bp"

# lower-case code with spaces is the same code
tr 'A-Z-' 'a-z ' <"$T/code" >"$T/code.lower"
expect 0 "join" -- "$KITH" init --vault "$F" --join "$T/y.kithinvite" --code-file "$T/code.lower" \
  --passphrase-file "$T/fp" --kdf test
has "$T/out" "field vault .* for device yanji-1" "join names the device"
has "$T/out" "no organization secret" "join says what a field vault holds"

# --- the field vault at work
expect 0 "the field worker adds a case" -- fd add "$D/case1.json"
expect 0 "the field worker lists" -- fd list
has "$T/out" "방미선" "the field vault reads what it wrote"
hasnt "$T/out" "리영희" "the field vault has no headquarters case"
expect 1 "a field vault cannot invite" -- fd device add other --out "$T/o.kithinvite"
has "$T/err" "organization key" "the refusal says why"
grep -qa 방미선 "$F" "$F-wal" && bad "a name in the field vault's file" || ok "the field file shows no name"
printf 'field worker new words\n' >"$T/fp2"
expect 0 "passwd on the field vault" -- fd passwd --new-passphrase-file "$T/fp2"
mv "$T/fp2" "$T/fp"
expect 0 "the field vault opens under the new passphrase" -- fd list
has "$T/out" "방미선" "and still reads its case (the field key bundle re-sealed whole)"

# headquarters' rows in the field file (as a bundle will bring them) stay sealed
C='id, version, device, wrap_org, wrap_dev, nonce, ct, sig' # a format-2 headquarters: its batch rows
sqlite3 "$F" "ATTACH '$HQ' AS h; INSERT INTO rows ($C) SELECT $C FROM h.rows;" 2>"$T/err" \
  && ok "headquarters' rows copied into the field file" || bad "sqlite3: $(cat "$T/err")"
expect 0 "the field vault opens with foreign rows" -- fd list
has "$T/out" "방미선" "its own case still reads"
hasnt "$T/out" "리영희" "headquarters' case stays sealed to the organization"
expect 0 "show of the headquarters ref" -- fd list --json
hasnt "$T/out" "리영희" "nothing of it in JSON either"

# --- bundles: the field's versions reach headquarters, all or nothing, once
expect 0 "bundle --help" -- "$KITH" bundle --help
has "$T/out" "usage: kith bundle export" "bundle --help prints usage"
expect 0 "the field worker edits the case" -- fd edit C-"$(fd list --json | grep -o '"ref": *"C-[0-9A-F]*-[0-9]*"' | head -1 | sed 's/.*"C-//; s/"$//')" "$D/case1_v2.json"
expect 0 "bundle export" -- fd bundle export --out "$T/b1.kithbundle"
has "$T/out" "2 versions" "export counts the field's versions only"
for w in 방미선 yanji KITH_ORG KBE1; do
  grep -qa "$w" "$T/b1.kithbundle" && bad "'$w' readable in the bundle"
done
ok "the bundle shows no name, device or envelope"
cp "$HQ" "$T/hq.before"
cp "$T/b1.kithbundle" "$T/flip.kithbundle"
printf '\x01' | dd of="$T/flip.kithbundle" bs=1 seek=400 conv=notrunc 2>/dev/null
expect 1 "a flipped byte is refused" -- hq bundle import "$T/flip.kithbundle"
has "$T/err" "flip.kithbundle .*refused; nothing was imported" "the refusal names the bundle"
head -c 600 "$T/b1.kithbundle" >"$T/cut.kithbundle"
expect 1 "a cut bundle is refused" -- hq bundle import "$T/cut.kithbundle"
has "$T/err" "cut short" "the refusal says it is cut"
expect 1 "a case file is not a bundle" -- hq bundle import "$D/case1.json"
expect 0 "headquarters still lists one case" -- hq list
hasnt "$T/out" "방미선" "nothing of a refused bundle was written"
expect 1 "a field vault cannot import" -- fd bundle import "$T/b1.kithbundle"
has "$T/err" "not for this vault" "the refusal says why"
expect 0 "bundle import" -- hq bundle import "$T/b1.kithbundle"
has "$T/out" "from yanji-1: 2 versions added, 0 already here" "import names the device and counts"
expect 0 "headquarters lists the field's case" -- hq list
has "$T/out" "방미선" "headquarters reads the field worker's case"
has "$T/out" "v2" "with its second version"
expect 0 "importing twice" -- hq bundle import "$T/b1.kithbundle"
has "$T/out" "0 versions added, 2 already here" "importing twice changes nothing"
"$KITH" init --vault "$T/other.kith" --passphrase-file "$T/hp" --kdf test >/dev/null
"$KITH" add "$D/case2.json" --vault "$T/other.kith" --passphrase-file "$T/hp" >/dev/null
"$KITH" bundle export --vault "$T/other.kith" --passphrase-file "$T/hp" --out "$T/other.kithbundle" >/dev/null
expect 1 "another organization's bundle is refused" -- hq bundle import "$T/other.kithbundle"
has "$T/err" "not for this organization" "the refusal says whose it is not"

# --- device list and revoke at headquarters
expect 0 "device list" -- hq device list
has "$T/out" "^yanji-1 .* active" "the device is listed as active"
expect 0 "device revoke" -- hq device revoke yanji-1
has "$T/out" "device yanji-1 revoked on [0-9]{4}-" "revoke says when"
expect 1 "revoking twice is refused" -- hq device revoke yanji-1
has "$T/err" "revoked already" "the refusal says so"
expect 1 "revoking an unknown device" -- hq device revoke nobody
expect 0 "device list --json" -- hq device list --json
has "$T/out" '"revoked": true' "the list shows the revocation"
has "$T/out" '"revocation_valid": true' "the revocation is signed by the organization"
grep -qa yanji "$HQ" "$HQ-wal" && bad "a device name in headquarters' file" || ok "headquarters' file shows no device name"
expect 0 "the revoked device still writes locally" -- fd add "$D/case2.json"
expect 0 "and exports" -- fd bundle export --out "$T/b2.kithbundle"
expect 1 "a revoked device's later bundle is refused" -- hq bundle import "$T/b2.kithbundle"
has "$T/err" "device yanji-1, revoked on [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC" "the refusal names the device and the date of revocation"

# --- panic on the field device: headquarters' key still reads what it wrote
expect 0 "panic on the field vault" -- "$KITH" panic --vault "$F" --yes
expect 1 "the field vault no longer opens" -- fd list
printf 'new field words\n' >"$T/np"
expect 0 "recover with the organization key" -- "$KITH" recover --vault "$F" --org-key "$T/org.key" \
  --key-passphrase-file "$T/bp" --new-passphrase-file "$T/np"
expect 0 "list after recovery" -- "$KITH" list --vault "$F" --passphrase-file "$T/np"
has "$T/out" "방미선" "the organization reads the field worker's case after a panic"
has "$T/out" "리영희" "and its own"
finish
