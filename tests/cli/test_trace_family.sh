#!/usr/bin/env bash
# End to end: confirming a tracing match updates the family entries both
# cases already have (the mother's missing son becomes found, with a link to
# his case) instead of adding a second, nameless entry; undoing it restores
# them. Every person is invented.
. "$(dirname "$0")/lib.sh"

echo "test passphrase" >"$T/pass"
export KITH_VAULT="$T/v.kith"
P=(--passphrase-file "$T/pass")
expect 0 "init" -- "$KITH" init --kdf test "${P[@]}"
{
  echo '{"ref":"M-1","person":{"name":"방순자","sex":"female","birth":"1970"},"family":[{"relation":"child","name":"방영미","sex":"female","status":"missing"},{"relation":"child","name":"방철수","sex":"male","status":"missing"}],"consent":{"tracing":true}}'
  echo '{"ref":"K-1","person":{"name":"Bang Cheol-su","sex":"male","birth":"1996"},"family":[{"relation":"mother","name":"방순자","status":"missing"}],"consent":{"tracing":true}}'
} >"$T/cases.jsonl"
expect 0 "import" -- "$KITH" import "$T/cases.jsonl" "${P[@]}"
cat >"$T/req.json" <<'EOF2'
{"ref":"T-1","seeker":{"case":"M-1"},"sought":{"name":"방철수","sex":"male","birth":"1996","relation":"child"},"consent":{"tracing":true}}
EOF2
expect 0 "add the request" -- "$KITH" trace add "$T/req.json" "${P[@]}"
expect 0 "confirm" -- "$KITH" trace confirm T-1 K-1 "${P[@]}"

expect 0 "the mother's case" -- "$KITH" show M-1 --json "${P[@]}"
n=$(jq '.family | length' "$T/out")
[ "$n" = 2 ] && ok "still two children, no new entry" || bad "the mother's family has $n entries"
has <(jq -c '.family[] | select(.name == "방철수")' "$T/out") '"case":"K-1".*"status":"found"|"status":"found".*"case":"K-1"' \
  "her son is found, with his case"
has <(jq -c '.family[] | select(.name == "방영미")' "$T/out") '"status":"missing"' "her daughter is still missing"
hasnt <(jq -c '.family[] | select(.name == "방영미")' "$T/out") '"case"' "and not linked"

expect 0 "the son's case" -- "$KITH" show K-1 --json "${P[@]}"
n=$(jq '.family | length' "$T/out")
[ "$n" = 1 ] && ok "one mother, no new entry" || bad "the son's family has $n entries"
has <(jq -c '.family[0]' "$T/out") '"case":"M-1"' "his mother links her case"
has <(jq -c '.family[0]' "$T/out") '"name":"방순자"' "and keeps the name he gave"
has <(jq -c '.family[0]' "$T/out") '"status":"found"' "found"

expect 0 "undo" -- "$KITH" trace undo T-1 K-1 "${P[@]}"
expect 0 "the mother's case after undo" -- "$KITH" show M-1 --json "${P[@]}"
has <(jq -c '.family[] | select(.name == "방철수")' "$T/out") '"status":"missing"' "her son is missing again"
hasnt "$T/out" '"case"' "no link left"
expect 0 "the son's case after undo" -- "$KITH" show K-1 --json "${P[@]}"
has <(jq -c '.family[0]' "$T/out") '"status":"missing"' "his mother is missing again"
n=$(jq '.family | length' "$T/out")
[ "$n" = 1 ] && ok "still one entry" || bad "the son's family has $n entries"

# --- editing a request: the description changes, status and candidates stay
expect 0 "trace edit --help" -- "$KITH" trace edit --help
expect 2 "trace edit without a file" -- "$KITH" trace edit T-1 "${P[@]}"
cat >"$T/edit.json" <<'EOF2'
{"seeker":{"case":"M-1"},"sought":{"name":"방철수","sex":"male","birth":"1996","relation":"child","details":"a scar on the left hand"},"consent":{"tracing":true}}
EOF2
expect 0 "mark K-1 possible" -- "$KITH" trace possible T-1 K-1 "${P[@]}"
expect 0 "trace edit" -- "$KITH" trace edit T-1 "$T/edit.json" "${P[@]}"
expect 0 "the request after the edit" -- "$KITH" show T-1 --kind trace --json "${P[@]}"
has "$T/out" '"details": "a scar on the left hand"' "the new description"
has "$T/out" '"state": "possible"' "the reviewed candidates stay"
has "$T/out" '"status": "possible_match"' "and so does the status"
expect 0 "its history" -- "$KITH" history T-1 --kind trace "${P[@]}"
has "$T/out" "trace-edit" "the edit is in the history"
echo '{"seeker":{"case":"M-1"},"sought":{"name":"방철수","sex":"male","relation":"mother"}}' >"$T/bad_edit.json"
expect 1 "a male mother is refused" -- "$KITH" trace edit T-1 "$T/bad_edit.json" "${P[@]}"
has "$T/err" "bad_edit.json:1:sought" "the error names the file and the field"
echo '{"ref":"T-9","seeker":{"case":"M-1"},"sought":{"name":"방철수"}}' >"$T/ref_edit.json"
expect 1 "a request's ref cannot change" -- "$KITH" trace edit T-1 "$T/ref_edit.json" "${P[@]}"
echo 'not json' >"$T/junk.json"
expect 1 "a file that is not JSON" -- "$KITH" trace edit T-1 "$T/junk.json" "${P[@]}"
expect 0 "close" -- "$KITH" trace close T-1 "${P[@]}"
expect 0 "list --status closed" -- "$KITH" trace list --status closed "${P[@]}"
has "$T/out" "T-1" "closed"
finish
