#!/usr/bin/env bash
# End to end (issue 12 leftover): kith recover rewrites every key slot and
# says what became of each. A vault with a duress passphrase and two people
# (invented) is panicked, then recovered: the main slot opens under the new
# passphrase, the duress slot under --duress-passphrase-file (and destroys the
# keys as a duress unlock does), each person is named as having lost their
# slot, their old passphrase opens nothing, and `kith user reset` gives one a
# new passphrase that opens the vault as that person; the other still has
# none. Format 1 and format 2 alike.
. "$(dirname "$0")/lib.sh"
printf 'admin words\n' >"$T/ap"
printf 'duress words\n' >"$T/dp"
printf 'caseworker words\n' >"$T/kp"
printf 'reviewer words\n' >"$T/rp"
printf 'backup words\n' >"$T/bp"
printf 'new admin words\n' >"$T/ap2"
printf 'new duress words\n' >"$T/dp2"
printf 'new caseworker words\n' >"$T/kp2"

expect 0 "recover --help" -- "$KITH" recover --help
has "$T/out" "duress-passphrase-file" "recover --help names --duress-passphrase-file"
has "$T/out" "kith user reset NAME" "recover --help says how a person gets a slot back"
expect 0 "user --help" -- "$KITH" user --help
has "$T/out" "kith user reset NAME" "user --help names reset"

for fmt in 1 2; do
  V=$T/v$fmt.kith
  ad() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/ap"; }
  expect 0 "init (format $fmt)" -- "$KITH" init --vault "$V" --passphrase-file "$T/ap" --kdf test \
    --duress-passphrase-file "$T/dp" --org-key-backup "$T/org$fmt.key" --backup-passphrase-file "$T/bp" \
    --format "$fmt"
  echo '{"ref":"R-1","person":{"name":"이가은","sex":"female","birth":"1991"}}' >"$T/c.jsonl"
  expect 0 "import a case" -- ad import "$T/c.jsonl"
  expect 0 "add a caseworker" -- ad user add "김 선생" --role caseworker --pass-file "$T/kp"
  expect 0 "add a reviewer" -- ad user add "박 선생" --role reviewer --pass-file "$T/rp"
  expect 0 "the caseworker unlocks" -- "$KITH" user whoami --vault "$V" --passphrase-file "$T/kp"
  expect 0 "panic" -- "$KITH" panic --vault "$V" --yes
  expect 1 "nothing opens after panic" -- "$KITH" user whoami --vault "$V" --passphrase-file "$T/kp"
  : >"$T/empty"
  expect 1 "recover with an empty duress passphrase" -- "$KITH" recover --vault "$V" --org-key "$T/org$fmt.key" \
    --key-passphrase-file "$T/bp" --new-passphrase-file "$T/ap2" --duress-passphrase-file "$T/empty"
  expect 1 "recover with a duress passphrase equal to the new one" -- "$KITH" recover --vault "$V" \
    --org-key "$T/org$fmt.key" --key-passphrase-file "$T/bp" --new-passphrase-file "$T/ap2" \
    --duress-passphrase-file "$T/ap2"
  expect 0 "recover (format $fmt)" -- "$KITH" recover --vault "$V" --org-key "$T/org$fmt.key" \
    --key-passphrase-file "$T/bp" --new-passphrase-file "$T/ap2" --duress-passphrase-file "$T/dp2"
  has "$T/out" "^slot main: restored" "recover reports the main slot"
  has "$T/out" "^slot duress: restored" "recover reports the duress slot"
  has "$T/out" "^slot person 김 선생 \(caseworker\): destroyed; .*kith user reset" "recover names the caseworker's slot"
  has "$T/out" "^slot person 박 선생 \(reviewer\): destroyed" "recover names the reviewer's slot"
  [ "$(grep -c '^slot ' "$T/out")" -eq 4 ] && ok "one line per slot" || bad "slot lines: $(grep -c '^slot ' "$T/out")"
  expect 1 "the caseworker's old passphrase opens nothing" -- "$KITH" user whoami --vault "$V" --passphrase-file "$T/kp"
  expect 1 "the old admin passphrase opens nothing" -- "$KITH" user whoami --vault "$V" --passphrase-file "$T/ap"
  ad2() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/ap2"; }
  expect 0 "the new main passphrase opens" -- ad2 list --json
  has "$T/out" "R-1" "the case reads after recover"
  expect 0 "user list after recover" -- ad2 user list
  has "$T/out" "김 선생 .*no passphrase slot" "list says the caseworker has no slot"
  expect 0 "reset the caseworker" -- ad2 user reset "김 선생" --pass-file "$T/kp2"
  has "$T/out" "new passphrase slot" "reset says so"
  expect 1 "a second reset is refused (the slot exists)" -- ad2 user reset "김 선생" --pass-file "$T/kp2"
  has "$T/err" "has a passphrase slot" "the refusal says why"
  expect 1 "reset of nobody" -- ad2 user reset "nobody" --pass-file "$T/kp2"
  expect 1 "reset with a passphrase in use" -- ad2 user reset "박 선생" --pass-file "$T/ap2"
  expect 0 "the caseworker unlocks with the new passphrase" -- "$KITH" user whoami --vault "$V" --passphrase-file "$T/kp2"
  has "$T/out" "김 선생 \(caseworker\)" "as the caseworker"
  expect 1 "a caseworker cannot reset" -- "$KITH" user reset "박 선생" --vault "$V" --passphrase-file "$T/kp2" \
    --pass-file "$T/rp"
  expect 1 "the reviewer still has no slot" -- "$KITH" user whoami --vault "$V" --passphrase-file "$T/rp"
  expect 0 "the duress passphrase opens (empty)" -- "$KITH" list --vault "$V" --passphrase-file "$T/dp2" --json
  [ "$(tr -d ' \n' <"$T/out")" = "[]" ] && ok "duress shows an empty vault" || bad "duress showed: $(head -c 200 "$T/out")"
  expect 1 "after duress the new main passphrase fails" -- ad2 list
done

# without --duress-passphrase-file: no duress slot, said so
V=$T/n.kith
expect 0 "init without people" -- "$KITH" init --vault "$V" --passphrase-file "$T/ap" --kdf test \
  --org-key-backup "$T/orgn.key" --backup-passphrase-file "$T/bp"
expect 0 "panic" -- "$KITH" panic --vault "$V" --yes
expect 0 "recover without duress" -- "$KITH" recover --vault "$V" --org-key "$T/orgn.key" \
  --key-passphrase-file "$T/bp" --new-passphrase-file "$T/ap2"
has "$T/out" "^slot duress: none" "recover says there is no duress slot"
has "$T/out" "^slot person: none enrolled" "recover says no person was enrolled"
finish
