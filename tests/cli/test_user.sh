#!/usr/bin/env bash
# End to end (issue 12 item 4): people with names, roles and passphrases of
# their own. An admin enrols a caseworker, a reviewer and an analyst; each
# unlocks with their own passphrase; history names the person who wrote each
# version; the analyst is refused every path to a name but gets figures; the
# caseworker sees only the cases assigned to them and their own; review
# decisions name the reviewer; admins see who opened a case; a removed
# person's passphrase opens nothing and their slot's bytes are gone from the
# file; the file shows no person's name or role. Every person is invented.
. "$(dirname "$0")/lib.sh"
V=$T/v.kith
printf 'admin words\n' >"$T/ap"
printf 'caseworker words\n' >"$T/kp"
printf 'reviewer words\n' >"$T/rp"
printf 'analyst words\n' >"$T/np"
printf 'new caseworker words\n' >"$T/kp2"
ad() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/ap"; }
kw() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/kp"; }
rv() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/rp"; }
an() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/np"; }

expect 0 "user --help" -- "$KITH" user --help
has "$T/out" "usage: kith user add NAME --role ROLE" "user --help prints usage"
has "$T/out" "analyst .*never a name" "user --help names the roles"
expect 2 "user without an action" -- "$KITH" user --vault "$V"
expect 2 "user add without --role" -- "$KITH" user add x --vault "$V"
expect 2 "user add without a name" -- "$KITH" user add --role admin --vault "$V"
expect 2 "user frob" -- "$KITH" user frob --vault "$V"
expect 2 "--role on list" -- "$KITH" user list --role admin --vault "$V"
expect 0 "history --help names --views" -- "$KITH" history --help
has "$T/out" "--views" "history --help documents --views"

expect 0 "init" -- "$KITH" init --vault "$V" --passphrase-file "$T/ap" --kdf test
{
  echo '{"ref":"U-1","person":{"name":"김영희","sex":"female","birth":"1990"},"consent":{"sharing":true}}'
  echo '{"ref":"U-2","person":{"name":"박철","sex":"male","birth":"1980"}}'
} >"$T/cases.jsonl"
expect 0 "admin imports two cases" -- ad import "$T/cases.jsonl"
expect 0 "an existing vault: the main passphrase is an unnamed admin" -- ad user whoami
has "$T/out" "^admin \(admin\)" "whoami says admin"
expect 0 "user list before anyone is added" -- ad user list
has "$T/out" "main passphrase" "the main admin is listed"

expect 1 "an unknown role" -- ad user add "김 선생" --role boss --pass-file "$T/kp"
has "$T/err" "unknown role" "the error names the role"
expect 0 "add a caseworker" -- ad user add "김 선생" --role caseworker --pass-file "$T/kp"
has "$T/out" "김 선생 added as caseworker" "add says who and what"
expect 0 "add a reviewer" -- ad user add "Reviewer Lee" --role reviewer --pass-file "$T/rp"
expect 0 "add an analyst" -- ad user add "Analyst Oh" --role analyst --pass-file "$T/np"
expect 1 "a second person of the same name" -- ad user add "Analyst Oh" --role analyst --pass-file "$T/kp2"
has "$T/err" "name" "the error names the field"
expect 1 "a passphrase already in use" -- ad user add "Other" --role analyst --pass-file "$T/np"
has "$T/err" "cannot be used" "a passphrase that opens another slot is refused"
expect 1 "the main passphrase is in use too" -- ad user add "Other" --role analyst --pass-file "$T/ap"
expect 0 "user list --json" -- ad user list --json
has "$T/out" '"role": "caseworker"' "the caseworker is listed with their role"
has "$T/out" '"name": "Reviewer Lee"' "the reviewer is listed"

# the file shows no person's name or role
if grep -a -q -e "김 선생" -e "Reviewer Lee" -e "caseworker" -e "analyst" "$V" "$V-wal" 2>/dev/null; then
  bad "a name or a role is in the file"
else ok "the file shows no person's name or role"; fi

expect 0 "the caseworker unlocks with their own passphrase" -- kw user whoami
has "$T/out" "김 선생 \(caseworker\)" "whoami names the caseworker"
expect 1 "a caseworker may not list people" -- kw user list
has "$T/err" "caseworker" "the refusal names the role"
echo '{"ref":"U-3","person":{"name":"이순","sex":"female","birth":"1975"}}' >"$T/c3.json"
expect 0 "the caseworker adds a case" -- kw add "$T/c3.json"
expect 0 "history shows the person" -- ad history U-3
has "$T/out" "by 김 선생" "history names the caseworker who wrote version 1"
expect 0 "history --json has the person" -- ad history U-3 --json
has "$T/out" '"name": "김 선생"' "the JSON history names the person"
expect 0 "older versions: the main admin" -- ad history U-1
has "$T/out" "by admin" "a version by the main passphrase says admin"

# caseworker: their own cases and those assigned to them
expect 0 "the caseworker lists their cases" -- kw list
has "$T/out" "U-3" "their own case is listed"
hasnt "$T/out" "U-1|U-2" "other cases are not"
expect 1 "the caseworker may not open another case" -- kw show U-1
has "$T/err" "not assigned to you" "the refusal says why"
expect 1 "a caseworker may not assign" -- kw assign U-1 "김 선생"
expect 0 "the admin assigns U-1 to the caseworker" -- ad assign U-1 "김 선생"
expect 0 "the assignment records the person" -- ad show U-1 --json
has "$T/out" '"assigned_person": "[0-9a-f]{32}"' "assigned_person is the person's id"
expect 0 "now the caseworker opens U-1" -- kw show U-1
has "$T/out" "김영희" "the assigned case is shown"
expect 0 "the caseworker searches" -- kw search "Kim Yong Hui"
hasnt "$T/out" "U-2" "search shows no case of others"
expect 0 "the caseworker's due list: --mine is them" -- kw due --mine --json
has "$T/out" '"assigned": "김 선생"' "due --mine names the person who unlocked"
expect 1 "a caseworker may not export" -- kw export --format jsonl -o "$T/cw.jsonl"

# analyst: aggregate figures only, never a name
for c in list "show U-1" "history U-1" "search 김영희"; do
  # shellcheck disable=SC2086
  expect 1 "the analyst is refused: $c" -- an $c
  has "$T/err" "analyst" "the refusal of $c names the role"
  hasnt "$T/out" "김영희|박철|이순" "no name reaches the analyst through $c"
done
for c in "trace list" "link review" "due" "device list"; do
  # shellcheck disable=SC2086
  expect 1 "the analyst is refused: $c" -- an $c
  has "$T/err" "analyst" "the refusal of $c names the role"
done
expect 1 "a caseworker may not manage devices" -- kw device list
expect 1 "the analyst is refused export" -- an export --format jsonl -o "$T/an.jsonl"
[ ! -e "$T/an.jsonl" ] && ok "no export file for the analyst" || bad "an export file was written"
expect 1 "the analyst may not list person records" -- an list --kind person
expect 1 "the analyst may not add a case" -- an add "$T/c3.json"
expect 0 "the analyst gets aggregate figures" -- an report --by sex
hasnt "$T/out" "김영희|박철|이순" "the report carries no name"

# reviewer: link decisions name the reviewer
expect 0 "the reviewer merges two cases" -- rv link merge U-1 U-2
expect 0 "the link's history names the reviewer" -- ad link review --all --json
has "$T/out" "Reviewer Lee" "the decision names the reviewer"
expect 1 "a caseworker may not make a link decision" -- kw link merge U-1 U-3
has "$T/err" "duplicate and tracing decisions" "the refusal says what"

# who opened which case (admins only)
expect 0 "views of U-1" -- ad history U-1 --views
has "$T/out" "김 선생 +caseworker +show" "the caseworker's show is recorded"
expect 1 "a reviewer may not see the view log" -- rv history U-1 --views

# a person changes their own passphrase; the main slot is untouched
expect 0 "the caseworker changes their passphrase" -- kw passwd --new-passphrase-file "$T/kp2"
expect 1 "the old one no longer opens" -- kw user whoami
expect 0 "the new one does" -- "$KITH" user whoami --vault "$V" --passphrase-file "$T/kp2"
has "$T/out" "김 선생" "still the caseworker"
expect 0 "the admin's passphrase still opens" -- ad user whoami
expect 0 "the admin changes the main passphrase" -- ad passwd --new-passphrase-file "$T/ap"
expect 0 "the reviewer's slot survived it" -- rv user whoami
has "$T/out" "Reviewer Lee" "the reviewer unlocks"
expect 1 "the main passphrase may not become a person's" -- ad passwd --new-passphrase-file "$T/rp"

# removal: the slot is destroyed; history keeps the name
expect 1 "nobody removes the main admin" -- ad user remove admin
expect 0 "the admin removes the caseworker" -- ad user remove "김 선생"
has "$T/out" "removed" "remove says so"
expect 1 "the removed person cannot unlock" -- "$KITH" user whoami --vault "$V" --passphrase-file "$T/kp2"
has "$T/err" "wrong passphrase" "a removed person's passphrase is a wrong one"
expect 0 "history still names them" -- ad history U-3
has "$T/out" "by 김 선생" "a removed person's versions keep their name"
expect 0 "list shows them removed" -- ad user list
has "$T/out" "김 선생.*removed" "the list says removed"
expect 1 "removing them twice" -- ad user remove "김 선생"

# the main admin can be named: decisions and history then say the name
expect 0 "name the main admin" -- ad user name "Director Han"
expect 0 "whoami" -- ad user whoami
has "$T/out" "Director Han \(admin\)" "the main admin has a name"
expect 1 "a person may not name the main admin" -- rv user name "Someone"

# a vault created with its admin named
expect 0 "init --name" -- "$KITH" init --vault "$T/n.kith" --passphrase-file "$T/ap" --kdf test --name "Director Kim"
has "$T/out" "admin: Director Kim" "init says who the admin is"
expect 0 "whoami on the new vault" -- "$KITH" user whoami --vault "$T/n.kith" --passphrase-file "$T/ap"
has "$T/out" "Director Kim \(admin\)" "the first passphrase is the named admin"
expect 1 "init --name with a control character" -- "$KITH" init --vault "$T/n2.kith" --passphrase-file "$T/ap" --kdf test --name "$(printf 'a\tb')"

finish
