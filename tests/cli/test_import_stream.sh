#!/usr/bin/env bash
# End to end: an import large enough to be streamed (kith_vault_batch_stream:
# a writer thread writes rows into the import's one transaction while the
# rest is put) is still all or nothing. 300 cases import whole and read back
# (`kith verify` finds every batch in order); 300 more whose line 250 names a
# case already in the vault stop with that line and leave the vault as it was;
# a third import after it works. Every name here is invented.
. "$(dirname "$0")/lib.sh"

printf 'import stream test words\n' >"$T/pass"
V=$T/v.kith
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
expect 0 "init" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test

# cases FROM TO [CLASH_AT]: JSON Lines of cases S-FROM..S-TO; line CLASH_AT
# (counted from 1) gets the ref S-1, already in the vault
cases() {
  local i line=0
  for ((i = $1; i <= $2; i++)); do
    line=$((line + 1))
    local ref="S-$i"
    [ "${3:-0}" -eq "$line" ] && ref="S-1"
    printf '{"ref":"%s","person":{"name":"Ri Kum-hui %d","sex":"female"},"narrative":"Crossed at night with two others; stayed %d days in a farmhouse."}\n' "$ref" "$i" "$((i % 40))"
  done
}

cases 1 300 >"$T/a.jsonl"
expect 0 "300 cases import" -- k import "$T/a.jsonl"
has "$T/out" "imported 300 cases: S-1 \.\. S-300" "all 300 imported"
expect 0 "list" -- k list
[ "$(grep -c 'S-' "$T/out")" -eq 300 ] && ok "300 cases listed" || bad "300 cases listed ($(grep -c 'S-' "$T/out"))"
expect 0 "verify" -- k verify
has "$T/out" "no finding: format 2, 1 batches, 300 records checked" "verify finds nothing wrong"

cases 301 600 250 >"$T/b.jsonl"
expect 1 "300 more with line 250 already in the vault" -- k import "$T/b.jsonl"
has "$T/err" "b.jsonl:250:ref: a case with this ref is already in the vault" "names line 250"
has "$T/err" "nothing was imported" "says nothing was imported"
expect 0 "list after the failed import" -- k list
[ "$(grep -c 'S-' "$T/out")" -eq 300 ] && ok "still 300 cases: nothing of the failed import" \
  || bad "still 300 cases ($(grep -c 'S-' "$T/out"))"
hasnt "$T/out" "S-301|S-549" "none of the failed import's cases"

cases 301 400 >"$T/c.jsonl"
expect 0 "a third import after the failed one" -- k import "$T/c.jsonl"
expect 0 "list" -- k list
[ "$(grep -c 'S-' "$T/out")" -eq 400 ] && ok "400 cases" || bad "400 cases ($(grep -c 'S-' "$T/out"))"
finish
