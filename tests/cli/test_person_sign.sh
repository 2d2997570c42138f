#!/usr/bin/env bash
# End to end: person signing keys (format 2; docs/vault-format.md *People*,
# "Person signing keys"). Two people on headquarters write with their own
# passphrases: each batch carries that person's key and signature, kith
# history says "signed by this person", kith verify finds nothing. A field
# vault's own person writes too; the field device's bundle carries the
# person's signature (KBP3) and headquarters verifies it and takes it. A
# person's signature changed in the file is found at unlock; once
# headquarters removed the field person, a bundle with a batch they signed
# later is refused.
# Fictional records only.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
H=$T/hq.kith
printf 'hq words\n' >"$T/hp"
printf 'kim words one\n' >"$T/kp"
printf 'lee words two\n' >"$T/lp"
printf 'field words\n' >"$T/fp"
printf 'field person words\n' >"$T/pp"
h() { "$KITH" "$@" --vault "$H" --passphrase-file "$T/hp"; }
hk() { "$KITH" "$@" --vault "$H" --passphrase-file "$T/kp"; }
hl() { "$KITH" "$@" --vault "$H" --passphrase-file "$T/lp"; }
f() { "$KITH" "$@" --vault "$T/f.kith" --passphrase-file "$T/fp"; }
fp() { "$KITH" "$@" --vault "$T/f.kith" --passphrase-file "$T/pp"; }

expect 0 "headquarters" -- "$KITH" init --vault "$H" --passphrase-file "$T/hp" --kdf test
expect 0 "Kim is added" -- h user add "Kim Sun-hui" --role caseworker --pass-file "$T/kp"
expect 0 "Lee is added" -- h user add "Lee Ok-ja" --role caseworker --pass-file "$T/lp"
expect 0 "Kim writes a case" -- hk add "$D/case1.json"
R1=$(cat "$T/out")
expect 0 "Lee writes another" -- hl add "$D/case2.json"
R2=$(cat "$T/out")
expect 0 "the admin writes one (main passphrase: no person key)" -- h add "$D/case1.json"
R3=$(cat "$T/out")
n=$(sqlite3 "$H" "SELECT count(*) FROM batches WHERE length(sig_per) = 64")
z=$(sqlite3 "$H" "SELECT count(*) FROM batches WHERE length(sig_per) = 0 AND substr(manifest, 95, 32) = zeroblob(32)")
[ "$n" = 2 ] && ok "two batches carry a person's signature" || bad "person-signed batches: $n"
[ "$z" -ge 3 ] && ok "the others carry zeros and no signature" || bad "unsigned batches: $z"
k=$(sqlite3 "$H" "SELECT count(DISTINCT substr(manifest, 95, 32)) FROM batches WHERE length(sig_per) = 64")
[ "$k" = 2 ] && ok "each person signs with their own key" || bad "distinct person keys: $k"
expect 0 "verify finds nothing" -- h verify
expect 0 "history of Kim's case" -- h history "$R1"
has "$T/out" "by Kim Sun-hui \(signed by this person\)" "signed by Kim"
expect 0 "history of Lee's case (json)" -- h history "$R2" --json
[ "$(jq -r '.[0].signed' "$T/out")" = person ] && ok "json: signed by the person" || bad "json signed: $(jq -c '.[0].signed' "$T/out")"
expect 0 "history of the admin's case" -- h history "$R3" --json
[ "$(jq -r '.[0].signed' "$T/out")" = device ] && ok "json: the device only" || bad "json signed (admin)"

# a flipped byte in one person's signature: found at unlock
cp "$H" "$T/copy.kith"
sqlite3 "$T/copy.kith" "UPDATE batches SET sig_per = zeroblob(64) WHERE rowid IN (SELECT rowid FROM batches WHERE length(sig_per) = 64 LIMIT 1)" 2>/dev/null ||
  sqlite3 "$T/copy.kith" "UPDATE batches SET sig_per = zeroblob(64) WHERE batch_id = (SELECT batch_id FROM batches WHERE length(sig_per) = 64 LIMIT 1)"
expect 4 "a forged person signature is reported" -- "$KITH" verify --vault "$T/copy.kith" --passphrase-file "$T/hp"
has "$T/out" "bad person signature" "as a bad person signature"

# a field vault with its own person
expect 0 "device add" -- h device add field1 --out "$T/f.kithinvite"
tail -n 1 "$T/out" >"$T/code"
expect 0 "the field vault joins" -- "$KITH" init --vault "$T/f.kith" --join "$T/f.kithinvite" --code-file "$T/code" --passphrase-file "$T/fp" --kdf test
expect 0 "a field worker is added there" -- f user add "Pak Mi-ran" --role caseworker --pass-file "$T/pp"
expect 0 "the field worker writes a case" -- fp add "$D/case2.json"
expect 0 "the field device sends its versions" -- f bundle export --out "$T/b1.kithbundle"
expect 0 "headquarters takes them (person record and signed batch)" -- h bundle import "$T/b1.kithbundle"
expect 0 "verify at headquarters finds nothing" -- h verify
n=$(sqlite3 "$H" "SELECT count(*) FROM batches WHERE length(sig_per) = 64")
[ "$n" = 3 ] && ok "headquarters keeps the field person's signature" || bad "person-signed batches at hq: $n"

# headquarters removes the field worker; the field device does not know yet,
# and the batch they sign after the removal is refused there
expect 0 "headquarters removes the field worker" -- h user remove "Pak Mi-ran"
sleep 1
expect 0 "the field worker writes again, after the removal" -- fp add "$D/case1.json"
expect 0 "the field device sends it" -- f bundle export --out "$T/b2.kithbundle"
expect 1 "the removed person's later batch is refused" -- h bundle import "$T/b2.kithbundle"
has "$T/err" "signed by a person after they were removed from the vault on 20" "with the date of removal"
hasnt "$T/err" "Pak" "and no name"
expect 0 "verify at headquarters still finds nothing" -- h verify

# a person enrolled on a format-1 vault, upgraded: no key in their record, so
# they write unsigned (nothing reported) until their passwd adds one
U=$T/up.kith
printf 'up words\n' >"$T/up"
printf 'choi words\n' >"$T/cp"
printf 'choi new words\n' >"$T/cp2"
expect 0 "a format-1 vault" -- "$KITH" init --vault "$U" --passphrase-file "$T/up" --kdf test --format 1
expect 0 "Choi is added" -- "$KITH" user add "Choi Eun-mi" --role caseworker --pass-file "$T/cp" --vault "$U" --passphrase-file "$T/up"
expect 0 "upgraded" -- "$KITH" upgrade --vault "$U" --passphrase-file "$T/up"
expect 0 "Choi writes" -- "$KITH" add "$D/case1.json" --vault "$U" --passphrase-file "$T/cp"
expect 0 "nothing reported" -- "$KITH" verify --vault "$U" --passphrase-file "$T/up"
n=$(sqlite3 "$U" "SELECT count(*) FROM batches WHERE length(sig_per) = 64")
[ "$n" = 0 ] && ok "no person signature yet" || bad "person-signed batches: $n"
expect 0 "Choi changes their passphrase" -- "$KITH" passwd --vault "$U" --passphrase-file "$T/cp" --new-passphrase-file "$T/cp2"
expect 0 "Choi writes again" -- "$KITH" add "$D/case2.json" --vault "$U" --passphrase-file "$T/cp2"
R4=$(cat "$T/out")
expect 0 "still nothing reported" -- "$KITH" verify --vault "$U" --passphrase-file "$T/up"
expect 0 "history" -- "$KITH" history "$R4" --vault "$U" --passphrase-file "$T/up"
has "$T/out" "by Choi Eun-mi \(signed by this person\)" "signed by Choi now"
finish
