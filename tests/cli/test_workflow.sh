#!/usr/bin/env bash
# End to end: the caseworker's day — `kith assign`, `kith due`, `kith list
# --assigned/--has-conflict/--due`, `kith referral`, and one person across
# merged cases in `kith show` and `kith list`. Every person is invented.
. "$(dirname "$0")/lib.sh"

for c in assign due referral; do
  expect 0 "$c --help" -- "$KITH" $c --help
  has "$T/out" "usage: kith $c" "$c --help prints usage"
done
expect 2 "assign without a ref" -- "$KITH" assign
expect 2 "assign with nothing to change" -- "$KITH" assign R-1
expect 2 "assign an empty name" -- "$KITH" assign R-1 ""
expect 2 "assign a name and --unassign" -- "$KITH" assign R-1 Kim --unassign
expect 2 "due with an argument" -- "$KITH" due now
expect 2 "referral without --to" -- "$KITH" referral R-1 --fields needs
expect 2 "referral without --fields" -- "$KITH" referral R-1 --to "Seoul Shelter"
expect 0 "referral --list-fields" -- "$KITH" referral --list-fields
has "$T/out" "^person.name" "the fields a referral may carry"
hasnt "$T/out" "consent|source" "never consent or source"

echo "test passphrase" >"$T/pass"
export KITH_VAULT="$T/v.kith"
P=(--passphrase-file "$T/pass")
expect 0 "init" -- "$KITH" init --kdf test "${P[@]}"
{
  echo '{"ref":"R-1","person":{"name":"김영희","sex":"female","birth":"1990"},"needs":["shelter"],"narrative":"invented testimony","consent":{"sharing":true}}'
  echo '{"ref":"R-2","person":{"name":"Kim Yong-hui","sex":"female","birth":"1991"},"consent":{"sharing":false}}'
  echo '{"ref":"R-3","person":{"name":"박철","sex":"male","birth":"1980"},"status":"closed"}'
  echo '{"ref":"R-4","person":{"name":"이순","sex":"female","birth":"1975"}}'
} >"$T/cases.jsonl"
expect 0 "import" -- "$KITH" import "$T/cases.jsonl" "${P[@]}"

# --- assignment and follow-up
expect 0 "assign R-1" -- "$KITH" assign R-1 "Caseworker Han" --follow-up 2026-03-01 --by lead "${P[@]}"
expect 0 "assign R-3 (closed)" -- "$KITH" assign R-3 "Caseworker Han" --follow-up 2026-02-01 "${P[@]}"
expect 0 "assign R-4" -- "$KITH" assign R-4 "Caseworker Oh" --follow-up 2026-03-05 "${P[@]}"
expect 1 "a date that does not exist" -- "$KITH" assign R-1 --follow-up 2026-02-30 "${P[@]}"
has "$T/err" "follow_up" "the error names follow_up"
expect 1 "an unknown case" -- "$KITH" assign NOPE Kim "${P[@]}"
has "$T/err" "ref" "the error names ref"
expect 0 "history shows the assignment" -- "$KITH" history R-1 "${P[@]}"
has "$T/out" "assign" "action assign in the history"
expect 0 "names used before" -- "$KITH" assign --names "${P[@]}"
has "$T/out" "^Caseworker Han	2$" "Han has two cases"
has "$T/out" "^Caseworker Oh	1$" "Oh has one"

# --- due
expect 0 "due on 2026-03-01" -- "$KITH" due --today 2026-03-01 "${P[@]}"
has "$T/out" "^today +2026-03-01 +R-1 " "R-1 is due today"
hasnt "$T/out" "R-3" "a closed case is never due"
hasnt "$T/out" "R-4" "a later follow-up is not due"
has "$T/err" "0 overdue, 1 due today" "the counts"
expect 0 "due on 2026-03-10" -- "$KITH" due --today 2026-03-10 --json "${P[@]}"
has "$T/out" '"total": 2' "two due"
expect 0 "due for Oh" -- "$KITH" due --today 2026-03-10 --assigned "Caseworker Oh" "${P[@]}"
has "$T/out" "^overdue +2026-03-05 +R-4 " "Oh's case is overdue"
hasnt "$T/out" "R-1" "Han's is not Oh's"
expect 0 "my cases" -- env KITH_REVIEWER="Caseworker Oh" "$KITH" due --mine --today 2026-03-10 "${P[@]}"
has "$T/out" "R-4" "--mine is the reviewer's"
expect 2 "due with a bad day" -- "$KITH" due --today 2026-13-45 "${P[@]}"
expect 0 "list --assigned" -- "$KITH" list --assigned "Caseworker Han" "${P[@]}"
has "$T/err" "^2 cases$" "Han's two cases"
expect 0 "list --due --sort follow-up" -- "$KITH" list --due --today 2026-03-10 --sort follow-up "${P[@]}"
has "$T/out" "^R-1 .*follow-up: 2026-03-01" "the earliest follow-up first"
expect 0 "unassign" -- "$KITH" assign R-4 --unassign --no-follow-up "${P[@]}"
expect 0 "list --assigned ''" -- "$KITH" list --assigned "" "${P[@]}"
has "$T/err" "^2 cases$" "R-2 and R-4 are unassigned"

# --- referral: consent, only the chosen fields, recorded
expect 1 "no consent to share" -- "$KITH" referral R-2 --to "Seoul Shelter" --fields person.name "${P[@]}"
has "$T/err" "consent" "refused for consent"
expect 1 "a field that is not on the list" -- "$KITH" referral R-1 --to "Seoul Shelter" --fields person.name,consent "${P[@]}"
has "$T/err" "fields" "the error names fields"
expect 0 "referral" -- "$KITH" referral R-1 --to "Seoul Shelter" --fields needs,person.name --by Han --date 2026-03-02 --json "${P[@]}"
has "$T/out" '"partner": "Seoul Shelter"' "the partner"
has "$T/out" '"field": "person.name"' "the name, as chosen"
has "$T/out" '"shelter"' "the needs, as chosen"
hasnt "$T/out" "invented testimony|1990|sharing" "nothing that was not chosen"
expect 0 "the referral is in the case" -- "$KITH" show R-1 --json "${P[@]}"
has "$T/out" '"partner": "Seoul Shelter"' "recorded partner"
expect 0 "and in its history" -- "$KITH" history R-1 "${P[@]}"
has "$T/out" "referral" "action referral"

# --- one person across merged cases
expect 0 "merge R-1 and R-2" -- "$KITH" link merge R-1 R-2 "${P[@]}"
expect 0 "show R-1" -- "$KITH" show R-1 "${P[@]}"
has "$T/out" "^same person: R-2$" "show names the other record"
has "$T/out" "kith link undo" "and how to undo"
expect 0 "list" -- "$KITH" list --sort ref "${P[@]}"
has "$T/out" "^R-1 .*same person: R-2" "the list names R-2 beside R-1"
has "$T/out" "^R-2 .*same person: R-1 +\(records disagree\)" "1990 and 1991 disagree"
expect 0 "search" -- "$KITH" search "Kim Yong-hui" "${P[@]}"
has "$T/out" "R-2 .*same person: R-1" "the search result names the other record"
expect 0 "search --json" -- "$KITH" search "Kim Yong-hui" --json "${P[@]}"
has "$T/out" '"same_person"' "in JSON too"
expect 0 "list --has-conflict" -- "$KITH" list --has-conflict "${P[@]}"
has "$T/err" "^2 cases$" "both records of the person"
id=$(sed -n 's/^  link \([0-9a-f]*\) .*/\1/p' <("$KITH" show R-1 "${P[@]}" 2>/dev/null))
expect 0 "undo the merge" -- "$KITH" link undo "$id" "${P[@]}"
expect 0 "show R-1 after undo" -- "$KITH" show R-1 "${P[@]}"
hasnt "$T/out" "same person" "two persons again"
finish
