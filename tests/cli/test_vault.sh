#!/usr/bin/env bash
# End to end: the vault commands of the real binary, as a user runs them,
# with every bad input of the vault issue (docs/cli.md).
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")/data
V=$T/v.kith
printf 'correct horse battery staple\n' >"$T/pass"
printf 'duress words only\n' >"$T/duress"
printf 'wrong one\n' >"$T/wrong"
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }

# --- help and usage on every command
for c in init add import show edit history list search export passwd panic recover; do
  expect 0 "$c --help" -- "$KITH" $c --help
  has "$T/out" "usage: kith $c" "$c --help prints usage"
done
expect 2 "unknown command is a usage error" -- "$KITH" frobnicate
expect 2 "unknown option is a usage error" -- "$KITH" list --frob
expect 2 "no vault given" -- "$KITH" list --passphrase-file "$T/pass"

# --- init
printf 'backup words\n' >"$T/bpass"
expect 0 "init" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --duress-passphrase-file "$T/duress" --kdf test \
  --org-key-backup "$T/org.key" --backup-passphrase-file "$T/bpass"
[ -s "$T/org.key" ] && ok "init wrote the organization key backup" || bad "no key backup"
grep -qa 방미선 "$T/org.key" && bad "plaintext in key backup"
has "$T/out" "Argon2id" "init says which key derivation it chose"
has "$T/out" "organization" "init says where the organization key lives"
expect 1 "init refuses an existing file" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test
expect 1 "init refuses an empty passphrase" -- "$KITH" init --vault "$T/e.kith" --passphrase-file /dev/null --kdf test
[ ! -e "$T/e.kith" ] && ok "no file left by a failed init" || bad "a failed init left a file"

# --- add, show, edit, history
expect 0 "add a case from a file" -- k add "$D/case1.json"
REF1=$(cat "$T/out")
[ -n "$REF1" ] && ok "add prints the ref ($REF1)" || bad "add printed no ref"
expect 0 "add a case from stdin" -- sh -c "\"$KITH\" add - --vault \"$V\" --passphrase-file \"$T/pass\" < \"$D/case2.json\""
REF2=$(cat "$T/out")
expect 0 "show" -- k show "$REF1"
has "$T/out" "방미선" "show prints the name"
expect 0 "show --json" -- k show "$REF1" --json
has "$T/out" "\"name\": \"방미선\"" "show --json prints the body"
expect 1 "show an unknown ref" -- k show NO-SUCH-REF
has "$T/err" "NO-SUCH-REF" "the error names the ref"
expect 1 "add refuses an invalid case" -- k add "$D/bad_sex.json"
has "$T/err" "person.sex" "the error names the field"
expect 1 "add refuses an unknown field" -- k add "$D/bad_field.json"
has "$T/err" "person.shoe_size" "the error names the unknown field"
expect 1 "add refuses malformed JSON" -- k add "$D/not_json.txt"
expect 0 "edit adds a version" -- k edit "$REF1" "$D/case1_v2.json"
expect 0 "history" -- k history "$REF1"
[ "$(grep -c '^v' "$T/out")" -eq 2 ] && ok "history lists two versions" || bad "history: $(cat "$T/out")"
expect 0 "show after edit" -- k show "$REF1" --json
has "$T/out" "resettled" "show prints the new version"
expect 1 "edit an unknown ref" -- k edit NO-SUCH-REF "$D/case1_v2.json"

# --- import: JSON Lines and CSV, all or nothing
expect 0 "import JSON Lines" -- k import "$D/cases.jsonl"
expect 0 "import CSV" -- k import "$D/cases.csv"
expect 0 "list" -- k list --json
n_before=$(grep -c '"ref"' "$T/out")
[ "$n_before" -eq 8 ] && ok "list counts 2 + 3 + 3 cases" || bad "list counts $n_before cases"
cp "$V" "$T/before.kith"
expect 1 "import with a bad line fails" -- k import "$D/bad_line3.jsonl"
has "$T/err" "bad_line3.jsonl:3: ?incidents\[0\]\.type" "the error names file, line and field"
expect 1 "import CSV with a bad row fails" -- k import "$D/bad_row.csv"
has "$T/err" "bad_row.csv:3" "the CSV error names file and line"
expect 0 "list after failed imports" -- k list --json
[ "$(grep -c '"ref"' "$T/out")" -eq "$n_before" ] && ok "failed imports changed nothing" || bad "failed import changed the vault"

# --- search
expect 0 "search in Hangul" -- k search 방미선 --json
has "$T/out" "\"ref\": \"$REF1\"" "Hangul query finds the case"
expect 0 "search in romanization" -- k search "Pang Mi-son" --json --limit 3
first=$(grep -m1 '"ref"' "$T/out")
case "$first" in *"$REF1"*) ok "romanized query finds the Hangul case first";; *) bad "romanized query: first hit $first";; esac
expect 1 "search with an empty query" -- k search ""

# --- export (each is recorded in the vault: the tampering below uses the file as it was before)
cp "$V" "$T/before-export.kith"
expect 0 "export jsonl" -- k export --format jsonl -o "$T/out.jsonl"
has "$T/err" "plaintext" "export warns that the output is plaintext"
[ "$(wc -l <"$T/out.jsonl")" -eq 8 ] && ok "export writes every case" || bad "export wrote $(wc -l <"$T/out.jsonl") lines"
expect 0 "export csv to stdout" -- k export --format csv
has "$T/out" "^ref," "CSV export has a header"
expect 2 "export with a bad format" -- k export --format xml
expect 0 "export to /dev/null" -- k export --format jsonl -o /dev/null
[ -c /dev/null ] && ok "/dev/null is still a device" || bad "export replaced /dev/null with a file"
# --consent: a case that does not consent is left out, and so is the link to it
# from a family entry of a case that is exported (the ref would say they are related)
C="$T/consent.kith"
expect 0 "init a second vault" -- "$KITH" init --vault "$C" --passphrase-file "$T/pass" --kdf test
{
  echo '{"ref":"C-1","person":{"name":"한지영","sex":"female"},"family":[{"relation":"child","case":"C-2"}],"consent":{"sharing":true}}'
  echo '{"ref":"C-2","person":{"name":"한명철","sex":"male"},"family":[{"relation":"mother","case":"C-1"}],"consent":{"sharing":false}}'
} >"$T/consent.jsonl"
expect 0 "import cases with and without consent to share" -- "$KITH" import "$T/consent.jsonl" --vault "$C" --passphrase-file "$T/pass"
expect 0 "export --consent sharing" -- "$KITH" export --format jsonl --consent sharing --vault "$C" --passphrase-file "$T/pass"
has "$T/out" '"C-1"' "the consenting case is exported"
hasnt "$T/out" '"C-2"' "neither the other case nor the link to it"
hasnt "$T/out" '"relation": ?"child"' "a family entry that was only the link goes too (a bare relation is not a valid entry)"
expect 0 "export --consent sharing as CSV (it failed on the entry left bare)" -- "$KITH" export --format csv --consent sharing --vault "$C" --passphrase-file "$T/pass"
has "$T/out" 'C-1' "the consenting case is in the CSV"
hasnt "$T/out" 'C-2' "the other is not"
expect 2 "export --consent with an unknown use" -- "$KITH" export --format jsonl --consent gossip --vault "$C" --passphrase-file "$T/pass"

# --- nothing identifying on disk
for f in "$V" "$V-wal" "$V-shm" "$V-journal"; do
  [ -e "$f" ] || continue
  for word in 방미선 "Bang Mi" 회령 Hoeryong Yanbian 연길 "$REF1" "$REF2" narrative; do
    if grep -qa -- "$word" "$f"; then bad "'$word' found in $(basename "$f")"; fi
  done
done
ok "no name, place, ref or field name in the vault, WAL or shm"
if grep -rqa 방미선 "$T"/*.tmp "$T"/.kith* 2>/dev/null; then bad "plaintext in a temp file"; else ok "no plaintext temp files"; fi

# --- wrong passphrase, not a vault
sum_before=$(sha256sum "$V" | cut -d' ' -f1)
expect 1 "wrong passphrase" -- "$KITH" list --vault "$V" --passphrase-file "$T/wrong"
has "$T/err" "wrong passphrase" "says the passphrase is wrong"
[ "$(sha256sum "$V" | cut -d' ' -f1)" = "$sum_before" ] && ok "a wrong passphrase changes nothing" || bad "file changed"
head -c 4096 /dev/urandom >"$T/random.kith"
expect 1 "a random file is not a vault" -- "$KITH" list --vault "$T/random.kith" --passphrase-file "$T/pass"
has "$T/err" "not a kith vault" "says it is not a vault"
expect 1 "a missing vault" -- "$KITH" list --vault "$T/missing.kith" --passphrase-file "$T/pass"

# --- tampering: one row damaged, every other case readable
if command -v sqlite3 >/dev/null; then
  cp "$T/before-export.kith" "$T/t.kith"
  sqlite3 "$T/t.kith" "UPDATE rows SET ct = randomblob(length(ct)) WHERE rowid = (SELECT max(rowid) FROM rows);" 2>"$T/err" \
    && ok "tampered one row" || bad "could not tamper: $(cat "$T/err")"
  expect 0 "list of a tampered vault still works" -- "$KITH" list --vault "$T/t.kith" --passphrase-file "$T/pass" --json
  has "$T/err" "failed verification" "the damaged record is reported"
  [ "$(grep -c '"ref"' "$T/out")" -eq $((n_before - 1)) ] && ok "every other case stays readable" || bad "readable: $(grep -c '"ref"' "$T/out")"
else
  bad "sqlite3 missing (scripts/install-deps installs it)"
fi

# --- passwd
printf 'a new passphrase\n' >"$T/new"
expect 0 "passwd" -- k passwd --new-passphrase-file "$T/new" --duress-passphrase-file "$T/duress"
expect 1 "old passphrase fails after passwd" -- "$KITH" list --vault "$V" --passphrase-file "$T/pass"
expect 0 "new passphrase works" -- "$KITH" list --vault "$V" --passphrase-file "$T/new" --json
[ "$(grep -c '"ref"' "$T/out")" -eq "$n_before" ] && ok "records intact after passwd" || bad "records lost after passwd"
cp "$T/new" "$T/pass"

# --- duress: silently destroys the keys and shows an empty vault
cp "$V" "$T/d.kith"
expect 0 "duress passphrase opens" -- "$KITH" list --vault "$T/d.kith" --passphrase-file "$T/duress" --json
[ "$(tr -d ' \n' <"$T/out")" = "[]" ] && ok "duress shows an empty vault" || bad "duress showed: $(head -c 200 "$T/out")"
[ ! -s "$T/err" ] && ok "duress says nothing on stderr" || bad "duress printed: $(cat "$T/err")"
expect 1 "the real passphrase fails after duress" -- "$KITH" list --vault "$T/d.kith" --passphrase-file "$T/pass"
for word in 방미선 "$REF1"; do grep -qa -- "$word" "$T/d.kith" && bad "'$word' in vault after duress"; done
ok "duress vault still shows no plaintext"

# --- panic
cp "$V" "$T/p.kith"
expect 2 "panic needs --yes" -- "$KITH" panic --vault "$T/p.kith"
expect 0 "panic" -- "$KITH" panic --vault "$T/p.kith" --yes
expect 1 "no passphrase opens after panic" -- "$KITH" list --vault "$T/p.kith" --passphrase-file "$T/pass"
expect 1 "not the duress one either" -- "$KITH" list --vault "$T/p.kith" --passphrase-file "$T/duress"
expect 1 "recover with a wrong backup passphrase" -- "$KITH" recover --vault "$T/p.kith" --org-key "$T/org.key" \
  --key-passphrase-file "$T/wrong" --new-passphrase-file "$T/pass"
expect 0 "recover with the organization key backup" -- "$KITH" recover --vault "$T/p.kith" --org-key "$T/org.key" \
  --key-passphrase-file "$T/bpass" --new-passphrase-file "$T/pass"
expect 0 "records readable after recover" -- "$KITH" list --vault "$T/p.kith" --passphrase-file "$T/pass" --json
[ "$(grep -c '"ref"' "$T/out")" -eq "$n_before" ] && ok "recover brought back every case" || bad "after recover: $(grep -c '"ref"' "$T/out") cases"
expect 0 "recover after duress too" -- "$KITH" recover --vault "$T/d.kith" --org-key "$T/org.key" \
  --key-passphrase-file "$T/bpass" --new-passphrase-file "$T/pass"

# --- kill -9 during an import: all of it or none, earlier cases intact
awk 'BEGIN { for (i = 0; i < 30000; i++) printf "{\"person\":{\"name\":\"Kill Test %d\",\"sex\":\"female\"}}\n", i }' >"$T/big.jsonl"
"$KITH" import "$T/big.jsonl" --vault "$V" --passphrase-file "$T/pass" >/dev/null 2>&1 &
pid=$!
sleep 0.7
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
expect 0 "vault opens after kill -9" -- k list --json
n_after=$(grep -c '"ref"' "$T/out")
if [ "$n_after" -eq "$n_before" ] || [ "$n_after" -eq $((n_before + 30000)) ]; then
  ok "kill -9 left all of the import or none ($n_after cases)"
else
  bad "kill -9 left $n_after cases (before: $n_before)"
fi
expect 0 "earlier case intact after kill -9" -- k show "$REF1" --json
has "$T/out" "방미선" "the earlier case reads back"

finish
