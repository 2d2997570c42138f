#!/usr/bin/env bash
# End to end: revocations carried to field devices (docs/bundle-format.md
# *Revocations*). Headquarters revokes one field device; its next bundle to
# another device carries the revocation, signed by the organization for that
# device's vault; the device then shows which device was revoked and when in
# kith device list (text and --json), and importing the bundle again records
# nothing new. Fictional records only.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
H=$T/hq.kith
printf 'hq words\n' >"$T/hp"
printf 'one words\n' >"$T/p1"
printf 'two words\n' >"$T/p2"
h() { "$KITH" "$@" --vault "$H" --passphrase-file "$T/hp"; }
f1() { "$KITH" "$@" --vault "$T/f1.kith" --passphrase-file "$T/p1"; }
f2() { "$KITH" "$@" --vault "$T/f2.kith" --passphrase-file "$T/p2"; }

expect 0 "headquarters" -- "$KITH" init --vault "$H" --passphrase-file "$T/hp" --kdf test
for n in 1 2; do
  expect 0 "device add dev$n" -- h device add "dev$n" --out "$T/dev$n.kithinvite"
  tail -n 1 "$T/out" >"$T/code$n"
  expect 0 "field vault $n joins" -- "$KITH" init --vault "$T/f$n.kith" --join "$T/dev$n.kithinvite" \
    --code-file "$T/code$n" --passphrase-file "$T/p$n" --kdf test
done
expect 0 "dev2 adds a case" -- f2 add "$D/case2.json"
REF=$(cat "$T/out")
expect 0 "dev2 sends it" -- f2 bundle export --out "$T/from2.kithbundle"
expect 0 "headquarters takes it" -- h bundle import "$T/from2.kithbundle"
expect 0 "the device list at headquarters" -- h device list --json
DEV2=$(jq -r '.[] | select(.name == "dev2") | .device' "$T/out")
DEV1=$(jq -r '.[] | select(.name == "dev1") | .device' "$T/out")
[ ${#DEV2} = 16 ] && ok "dev2's id is known" || bad "no id for dev2"

expect 0 "before any revocation the field device lists its devices" -- f1 device list
has "$T/out" "^$DEV1  this device +active" "itself, active"
hasnt "$T/out" "revoked" "nothing revoked"

expect 0 "headquarters revokes dev2" -- h device revoke dev2
expect 0 "headquarters sends dev2's case to dev1" -- h bundle export --to dev1 --case "$REF" --out "$T/to1.kithbundle"
expect 0 "dev1 takes it" -- f1 bundle import "$T/to1.kithbundle"
has "$T/out" "1 device revocation from headquarters recorded" "the import says a revocation came"
expect 0 "dev1 lists its devices" -- f1 device list
has "$T/out" "^$DEV2  device +revoked 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9] UTC" "dev2 shows as revoked, with the date"
has "$T/out" "^$DEV1  this device +active" "dev1 itself stays active"
hasnt "$T/out" "does not verify" "the organization's signature verifies"
expect 0 "--json" -- f1 device list --json
[ "$(jq -r ".[] | select(.device == \"$DEV2\") | .revoked" "$T/out")" = true ] && ok "--json: revoked" || bad "--json revoked"
[ "$(jq -r ".[] | select(.device == \"$DEV2\") | .revocation_valid" "$T/out")" = true ] && ok "--json: the signature verifies" || bad "--json revocation_valid"
[ "$(jq -r ".[] | select(.device == \"$DEV1\") | .this_device" "$T/out")" = true ] && ok "--json: this device" || bad "--json this_device"
hasnt "$T/out" "방미선|리영희|dev2" "the field list carries no name"
expect 0 "the same bundle again" -- f1 bundle import "$T/to1.kithbundle"
hasnt "$T/out" "revocation" "records no revocation twice"
[ "$(sqlite3 "$T/f1.kith" 'SELECT count(*) FROM revoked')" = 1 ] && ok "one revocation in the field file" || bad "revoked rows"
# a revoked device is not sent to; the revocation's time is the organization's, its signature
# binds it to this vault: a copied revoked row edited to another time no longer verifies
sqlite3 "$T/f1.kith" 'UPDATE revoked SET at = at + 1'
expect 0 "an edited revocation" -- f1 device list
has "$T/out" "signature does not verify" "is shown as not verifying"
# a device revoked before it wrote anything this vault holds is listed all the same
expect 0 "device add dev3" -- h device add dev3 --out "$T/dev3.kithinvite"
expect 0 "headquarters revokes dev3" -- h device revoke dev3
DEV3=$(h device list --json | jq -r '.[] | select(.name == "dev3") | .device')
expect 0 "headquarters sends dev1 what is new (nothing but the revocation)" -- h bundle export --to dev1 --case "$REF" --out "$T/to1b.kithbundle"
expect 0 "dev1 takes it" -- f1 bundle import "$T/to1b.kithbundle"
has "$T/out" "0 versions added.*" "no version"
has "$T/out" "1 device revocation from headquarters recorded" "one more revocation"
expect 0 "dev1 lists dev3" -- f1 device list
has "$T/out" "^$DEV3  device +revoked 20" "a device it never heard from, revoked"
expect 1 "headquarters does not send to the revoked device" -- h bundle export --to dev2 --case "$REF" --out "$T/to2.kithbundle"
has "$T/err" "revoked on" "and says so"
finish
