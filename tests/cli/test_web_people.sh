#!/usr/bin/env bash
# End to end (issue 12 item 4) over `kith serve`: the passphrase chooses the
# person; /api/me says who and what they may do; an analyst is refused every
# route that shows a name (cases, case, search, history, export, links,
# traces) and gets figures; the admin lists and adds people and sees who
# opened a case; a case and its history name the person who wrote each
# version. Needs $KITH and curl. Every person is invented.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/web_lib.sh"
# every unlock here starts a new session: the passphrase chooses the person
unlock_as() {
	new_session
	unlock "$1"
}

V=$tmp/v.kith
printf 'admin words\n' >"$tmp/ap"
printf 'analyst words\n' >"$tmp/np"
printf 'caseworker words\n' >"$tmp/kp"
"$KITH" init --vault "$V" --passphrase-file "$tmp/ap" --kdf test >/dev/null 2>&1 || { echo "not ok - init"; exit 1; }
echo '{"ref":"W-1","person":{"name":"김영희","sex":"female","birth":"1990"}}' >"$tmp/c.jsonl"
"$KITH" import "$tmp/c.jsonl" --vault "$V" --passphrase-file "$tmp/ap" >/dev/null 2>&1
"$KITH" user add "Analyst Oh" --role analyst --pass-file "$tmp/np" --vault "$V" --passphrase-file "$tmp/ap" >/dev/null 2>&1
"$KITH" user add "김 선생" --role caseworker --pass-file "$tmp/kp" --vault "$V" --passphrase-file "$tmp/ap" >/dev/null 2>&1
"$KITH" assign W-1 "김 선생" --vault "$V" --passphrase-file "$tmp/ap" >/dev/null 2>&1

start "$V"

# --- the analyst
unlock_as "analyst words"
check '[ "$status" = 200 ]' "the analyst unlocks with their own passphrase"
req GET /api/me
check '[ "$status" = 200 ] && has "\"role\":\"analyst\"" && has "\"names\":false" && has "Analyst Oh"' "/api/me: the analyst, who may not read names"
for r in "/api/cases" "/api/case?ref=W-1" "/api/search?q=Kim" "/api/links" "/api/traces" "/api/people" "/api/due"; do
	req GET "$r"
	check '[ "$status" = 403 ] && has "\"code\":\"denied\"" && ! has "김영희"' "the analyst is refused $r"
done
post_json /api/export '{"format":"jsonl"}'
check '[ "$status" = 403 ] && ! has "김영희"' "the analyst is refused an export"
req GET /api/info
check '[ "$status" = 200 ] && has "\"person\"" && has "Analyst Oh"' "/api/info says who unlocked"
req GET /api/report/fields
check '[ "$status" = 200 ]' "the analyst reads the report's fields"

# --- the caseworker
unlock_as "caseworker words"
req GET /api/case?ref=W-1
check '[ "$status" = 200 ] && has "김영희"' "the caseworker opens the case assigned to them"
id=$(field id)
post_json /api/edit "{\"id\":\"$id\",\"expect_version\":2,\"body\":{\"ref\":\"W-1\",\"person\":{\"name\":\"김영희\",\"sex\":\"female\",\"birth\":\"1990\"},\"assigned\":\"김 선생\",\"assigned_person\":\"$(printf '%s' "$body" | grep -o '"assigned_person":"[0-9a-f]*"' | cut -d'"' -f4)\",\"notes\":\"visited\"}}"
check '[ "$status" = 200 ] || [ "$status" = 201 ]' "the caseworker edits it"
req GET "/api/history?id=$id"
check '[ "$status" = 200 ] && has "\"name\":\"김 선생\"" && has "\"role\":\"caseworker\""' "the history names the caseworker beside their version"
req GET /api/people
check '[ "$status" = 403 ]' "a caseworker may not list people"

# --- the admin
unlock_as "admin words"
req GET /api/people
check '[ "$status" = 200 ] && has "Analyst Oh" && has "\"main\":true"' "the admin lists people"
post_json /api/people/add '{"name":"Reviewer Lee","role":"reviewer","passphrase":"reviewer words"}'
check '[ "$status" = 201 ] && has "\"role\":\"reviewer\""' "the admin adds a reviewer"
post_json /api/people/add '{"name":"Reviewer Lee","role":"reviewer","passphrase":"other words"}'
check '[ "$status" = 409 ]' "a second person of that name is refused"
post_json /api/people/add '{"name":"X","role":"boss","passphrase":"x words"}'
check '[ "$status" = 400 ] && has "role"' "an unknown role is refused"
req GET "/api/views?ref=W-1"
check '[ "$status" = 200 ] && has "\"name\":\"김 선생\"" && has "\"what\":\"web\""' "the admin sees that the caseworker opened W-1"
post_json /api/people/remove '{"name":"Analyst Oh"}'
check '[ "$status" = 200 ]' "the admin removes the analyst"
new_session
post_json /api/unlock '{"passphrase":"analyst words"}'
check '[ "$status" = 401 ]' "the removed analyst's passphrase no longer unlocks"

finish
