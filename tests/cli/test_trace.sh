#!/usr/bin/env bash
# End to end: `kith trace` — add, list, match, possible/confirm/reject/undo,
# --all — with the acceptance case of issue 7 (a child separated in Yanbian
# around 2003, recorded years later under another spelling) and every bad
# input of the issue. Every person is invented.
. "$(dirname "$0")/lib.sh"

for sub in "" add list match possible confirm reject undo close reopen; do
  expect 0 "trace $sub --help" -- "$KITH" trace $sub --help
  has "$T/out" "usage: kith trace" "trace $sub --help prints usage"
done
expect 2 "trace without a subcommand" -- "$KITH" trace
expect 2 "trace with an unknown subcommand" -- "$KITH" trace frobnicate
expect 2 "match --limit 0" -- "$KITH" trace match T-1 --limit 0
expect 2 "match --min-score 2" -- "$KITH" trace match T-1 --min-score 2
expect 2 "confirm without a case" -- "$KITH" trace confirm T-1
expect 2 "list --status bogus" -- "$KITH" trace list --status bogus
expect 2 "list --offset -1" -- "$KITH" trace list --offset -1
expect 2 "list --offset x" -- "$KITH" trace list --offset x
expect 2 "list --limit 0" -- "$KITH" trace list --limit 0
expect 0 "trace list --help" -- "$KITH" trace list --help
has "$T/out" "--query TEXT" "list --help names --query"
has "$T/out" "--offset N" "list --help names --offset"

echo "test passphrase" >"$T/pass"
export KITH_VAULT="$T/v.kith"
P=(--passphrase-file "$T/pass")
expect 0 "init" -- "$KITH" init --kdf test "${P[@]}"

# The mother, her son recorded in 2015 under another spelling, a case with
# the same name that does not consent to tracing, one too old to be her
# child, and a crowd.
{
  echo '{"ref":"M-1","person":{"name":"방순자","other_names":["Pang Sun-ja"],"sex":"female","birth":"1970","origin":{"province":"north_hamgyong"}},"consent":{"tracing":true}}'
  echo '{"ref":"K-1","person":{"name":"Bang Cheol-su","sex":"male","age_at_intake":19,"origin":{"province":"north_hamgyong"}},"source":{"date":"2015-04-02","organization":"shelter"},"journey":[{"place":"Yanji","country":"CN","date":"2003"}],"family":[{"relation":"mother","name":"방순자","status":"missing"}],"consent":{"tracing":true}}'
  echo '{"ref":"N-1","person":{"name":"Pang Chol-su","sex":"male","birth":"1996"},"consent":{"tracing":false,"services":true}}'
  echo '{"ref":"O-1","person":{"name":"Pang Chol-su","sex":"male","birth":"1960"},"consent":{"tracing":true}}'
  for i in $(seq 1 30); do
    printf '{"ref":"X-%d","person":{"name":"Person%s Crowd","sex":"%s","birth":"%d"},"consent":{"tracing":true}}\n' \
      "$i" "$(printf '%03d' "$i")" "$([ $((i % 2)) -eq 0 ] && echo male || echo female)" $((1960 + i))
  done
} >"$T/cases.jsonl"
expect 0 "import the cases" -- "$KITH" import "$T/cases.jsonl" "${P[@]}"

# --- bad input: nothing is stored, the error names the file, line and field
cat >"$T/bad_age.json" <<'EOF'
{"seeker":{"case":"M-1"},"sought":{"name":"방철수","age":{"years":110,"in_year":2003}},"consent":{"tracing":true}}
EOF
expect 1 "an impossible age is refused" -- "$KITH" trace add "$T/bad_age.json" "${P[@]}"
has "$T/err" "bad_age.json:1:sought.age" "the error names file, line and field (age)"
cat >"$T/bad_rel.jsonl" <<'EOF'
{"ref":"T-ok","seeker":{"case":"M-1"},"sought":{"name":"방철수","birth":"1996","relation":"child"},"consent":{"tracing":true}}

{"seeker":{"case":"M-1"},"sought":{"name":"방철수","birth":"1965","relation":"child"},"consent":{"tracing":true}}
EOF
expect 1 "a relation contradicting the birth years is refused" -- "$KITH" trace add "$T/bad_rel.jsonl" "${P[@]}"
has "$T/err" "bad_rel.jsonl:3:sought.relation" "the error names line 3 and the relation"
cat >"$T/bad_ref.json" <<'EOF'
{"seeker":{"case":"NOPE-1"},"sought":{"name":"방철수"},"consent":{"tracing":true}}
EOF
expect 1 "an unknown case ref is refused" -- "$KITH" trace add "$T/bad_ref.json" "${P[@]}"
has "$T/err" "bad_ref.json:1:seeker.case" "the error names seeker.case"
cat >"$T/bad_none.json" <<'EOF'
{"seeker":{"case":"M-1"},"sought":{"relation":"child","details":"a scar"},"consent":{"tracing":true}}
EOF
expect 1 "a request that identifies no one is refused" -- "$KITH" trace add "$T/bad_none.json" "${P[@]}"
has "$T/err" "bad_none.json:1:sought" "the error names sought"
cat >"$T/bad_sex.json" <<'EOF'
{"seeker":{"name":"김영희"},"sought":{"name":"방순자","sex":"male","relation":"mother"},"consent":{"tracing":true}}
EOF
expect 1 "a male mother is refused" -- "$KITH" trace add "$T/bad_sex.json" "${P[@]}"
has "$T/err" "sought.sex" "the error names sought.sex"
expect 1 "a missing file" -- "$KITH" trace add "$T/nothing.json" "${P[@]}"
expect 0 "list after the failures" -- "$KITH" trace list --json "${P[@]}"
has "$T/out" '^\[\]$' "nothing was stored"

# --- the acceptance case: separated in Yanbian (연길 = Yanji) around 2003, about 7
cat >"$T/req.json" <<'EOF'
{"ref":"T-1","seeker":{"case":"M-1"},"sought":{"name":"방철수","sex":"male","age":{"years":7,"in_year":2003},"separation":{"place":"연길","country":"CN","date":"2003"},"relation":"child","details":"a scar on the left hand"},"consent":{"tracing":true,"given_by":"self"}}
EOF
expect 0 "add the request" -- "$KITH" trace add "$T/req.json" "${P[@]}"
has "$T/out" "^T-1$" "prints the request's ref"
expect 1 "the same ref twice" -- "$KITH" trace add "$T/req.json" "${P[@]}"
expect 0 "list" -- "$KITH" trace list "${P[@]}"
has "$T/out" "T-1 +open +M-1 +child" "list shows the open request"
expect 0 "match" -- "$KITH" trace match T-1 "${P[@]}"
has "$T/out" "^  1 +K-1 " "the son's case is the first candidate"
has "$T/out" "separation: same place" "explained: 연길 is Yanji"
has "$T/out" "family: names the seeker" "explained: his case names his mother"
hasnt "$T/out" "N-1" "a case without tracing consent never appears"
hasnt "$T/out" "O-1" "a case too old to be her child never appears"
expect 0 "match --json" -- "$KITH" trace match T-1 --json --limit 3 "${P[@]}"
has "$T/out" '"ref": "K-1"' "JSON names the candidate"
has "$T/out" '"score"' "JSON gives the score"
has "$T/out" '"explanation"' "JSON gives the explanation"
has "$T/out" '"no_consent": 1' "JSON counts the case left out for consent"
[ "$(grep -c '"weight"' "$T/out")" -ge 3 ] && ok "per-field weights" || bad "no per-field weights"
expect 1 "match an unknown request" -- "$KITH" trace match T-404 "${P[@]}"
has "$T/err" "ref" "the error names the ref"

# --- --all notices candidates once, and new cases later
expect 0 "--all" -- "$KITH" trace --all "${P[@]}"
has "$T/out" "request T-1: K-1" "--all reports the son"
expect 0 "--all again" -- "$KITH" trace --all "${P[@]}"
has "$T/out" "0 with new candidates" "nothing new the second time"
echo '{"ref":"K-2","person":{"name":"Pang Chol Su","sex":"male","birth":"1996"},"family":[{"relation":"mother","name":"방순자"}],"consent":{"tracing":true}}' >"$T/k2.json"
echo '{"ref":"N-2","person":{"name":"방철수","sex":"male","birth":"1996"},"family":[{"relation":"mother","name":"방순자"}],"consent":{"tracing":false}}' >"$T/n2.json"
expect 0 "add a new case" -- "$KITH" add "$T/k2.json" "${P[@]}"
expect 0 "add a new case without tracing consent" -- "$KITH" add "$T/n2.json" "${P[@]}"
expect 0 "--all --json" -- "$KITH" trace --all --json --dry-run "${P[@]}"
has "$T/out" '"ref": "K-2"' "the new case matching the old request is noticed"
hasnt "$T/out" '"ref": "K-1"' "the old candidate is not reported again"
hasnt "$T/out" '"ref": "N-2"' "the new case without consent is not reported"
expect 0 "--all after a dry run" -- "$KITH" trace all "${P[@]}"
has "$T/out" "request T-1: K-2" "a dry run recorded nothing"

# --- review
expect 1 "confirming a case without consent" -- "$KITH" trace confirm T-1 N-1 "${P[@]}"
has "$T/err" "consent" "the error says consent"
expect 1 "confirming an unknown case" -- "$KITH" trace confirm T-1 Q-1 "${P[@]}"
expect 1 "undoing what was never reviewed" -- "$KITH" trace undo T-1 K-1 "${P[@]}"
expect 0 "possible" -- "$KITH" trace possible T-1 K-1 "${P[@]}" --reviewer alice
has "$T/out" "possible_match" "the request is a possible match"
expect 0 "confirm" -- "$KITH" trace confirm T-1 K-1 "${P[@]}" --reviewer alice --note "met at the shelter"
has "$T/out" "now confirmed" "the request is confirmed"
expect 0 "show the son's case" -- "$KITH" show K-1 --json "${P[@]}"
has "$T/out" '"case": "M-1"' "the son's case links his mother's"
expect 0 "show the mother's case" -- "$KITH" show M-1 --json "${P[@]}"
has "$T/out" '"case": "K-1"' "the mother's case links her son's"
expect 1 "a second confirmation" -- "$KITH" trace confirm T-1 K-2 "${P[@]}"
expect 0 "history of the request" -- "$KITH" history T-1 --kind trace "${P[@]}"
has "$T/out" "trace-confirm" "the confirmation is in the history"
has "$T/out" "by alice" "with the reviewer"
has "$T/out" "device [0-9a-f]{16}" "and the device"
expect 0 "undo" -- "$KITH" trace undo T-1 K-1 "${P[@]}" --note "wrong person"
expect 0 "show the son's case after undo" -- "$KITH" show K-1 --json "${P[@]}"
hasnt "$T/out" '"case": "M-1"' "the link is gone"
expect 0 "history of the son's case" -- "$KITH" history K-1 "${P[@]}"
has "$T/out" "trace-confirm" "the confirmation stays in the history"
has "$T/out" "trace-undo" "and so does its undoing"
expect 0 "reject" -- "$KITH" trace reject T-1 K-2 "${P[@]}"
expect 0 "match after reject" -- "$KITH" trace match T-1 "${P[@]}"
hasnt "$T/out" "K-2" "a rejected candidate is not shown"
expect 0 "match --rejected" -- "$KITH" trace match T-1 --rejected "${P[@]}"
has "$T/out" "K-2 .*rejected" "unless asked for"

# --- close and reopen
expect 0 "close" -- "$KITH" trace close T-1 "${P[@]}" --note "family reunited elsewhere"
expect 1 "close twice" -- "$KITH" trace close T-1 "${P[@]}"
expect 1 "no review of a closed request" -- "$KITH" trace possible T-1 K-1 "${P[@]}"
has "$T/err" "closed" "the error says closed"
expect 0 "list closed" -- "$KITH" trace list --status closed "${P[@]}"
has "$T/out" "T-1 +closed" "the request is closed"
expect 0 "--all skips a closed request" -- "$KITH" trace --all --json --dry-run "${P[@]}"
has "$T/out" '"requests": 0' "no request matched"
expect 0 "reopen" -- "$KITH" trace reopen T-1 "${P[@]}"
expect 0 "history shows close and reopen" -- "$KITH" history T-1 --kind trace "${P[@]}"
has "$T/out" "trace-close" "close in the history"
has "$T/out" "trace-reopen" "reopen in the history"
expect 1 "close an unknown request" -- "$KITH" trace close T-404 "${P[@]}"

# --- stdin and a described seeker
expect 2 "stdin needs a passphrase file" -- "$KITH" trace add -
echo '{"ref":"T-2","seeker":{"name":"Bang Cheol-su","sex":"male","birth":"1996"},"sought":{"name":"Pang Sun-ja","sex":"female","relation":"mother"},"consent":{"tracing":true}}' |
  "$KITH" trace add - "${P[@]}" >"$T/out" 2>"$T/err" && ok "add from stdin" || bad "add from stdin"
expect 0 "match the described seeker's request" -- "$KITH" trace match T-2 "${P[@]}"
has "$T/out" "^  1 +M-1 " "the mother is found"

# --- the list: paging with its true total, search by ref and through the names engine
cat >"$T/req3.json" <<'EOF'
{"ref":"T-3","seeker":{"name":"리영희","sex":"female","birth":"1975"},"sought":{"name":"Ri Yong-ho","sex":"male","relation":"sibling"},"consent":{"tracing":true}}
EOF
expect 0 "add a third request" -- "$KITH" trace add "$T/req3.json" "${P[@]}"
expect 0 "list all" -- "$KITH" trace list "${P[@]}"
has "$T/err" "^3 requests$" "stderr gives the total"
first=$(awk 'NR == 2 {print $1}' "$T/out")
# (requests made in one second are in id order: the pages are checked as a set)
pages=
for o in 0 1 2; do
  expect 0 "list --offset $o --limit 1" -- "$KITH" trace list --offset $o --limit 1 "${P[@]}"
  has "$T/err" "^1 of 3 requests \(from $((o + 1))\)$" "page $((o + 1)) says the true total"
  pages="$pages $(awk 'NR == 2 {print $1}' "$T/out")"
done
[ "$(echo $pages | tr ' ' '\n' | sort | tr '\n' ' ')" = "T-1 T-2 T-3 " ] && ok "three pages, each request once" || bad "pages: $pages"
expect 0 "list --limit 1" -- "$KITH" trace list --limit 1 "${P[@]}"
[ "$(awk 'NR == 2 {print $1}' "$T/out")" = "$first" ] && ok "the first page holds the first of the whole list" ||
  bad "the first page holds $(awk 'NR == 2 {print $1}' "$T/out"), the whole list starts with $first"
expect 0 "list --offset past the end" -- "$KITH" trace list --offset 9 "${P[@]}"
has "$T/out" "no tracing requests" "an empty page"
has "$T/err" "^0 of 3 requests \(from 10\)$" "the empty page keeps the total"
expect 0 "list --json --limit 2" -- "$KITH" trace list --json --limit 2 "${P[@]}"
[ "$(grep -c '"ref": "T-' "$T/out")" = 2 ] && ok "JSON holds the page" || bad "JSON page: $(grep -c '"ref": "T-' "$T/out")"
expect 0 "--query a ref" -- "$KITH" trace list --query t-3 "${P[@]}"
has "$T/out" "^T-3 " "a ref finds its request"
has "$T/err" "^1 request$" "one match"
expect 0 "--query the seeker's case" -- "$KITH" trace list --query M-1 "${P[@]}"
has "$T/out" "^T-1 " "the seeker's case finds the request"
has "$T/err" "^1 request$" "only that one"
expect 0 "--query a South Korean spelling of a North Korean name" -- "$KITH" trace list --query "이영호" "${P[@]}"
has "$T/out" "^T-3 " "이영호 finds the sought Ri Yong-ho"
has "$T/err" "^1 request$" "and nothing else"
expect 0 "--query a romanized seeker" -- "$KITH" trace list --query "Ri Yeong-hui" "${P[@]}"
has "$T/out" "^T-3 " "Ri Yeong-hui finds the seeker 리영희"
expect 0 "--query the mother in Hangul" -- "$KITH" trace list --query "방순자" "${P[@]}"
has "$T/out" "^T-1 " "the seeker's case's name (M-1 방순자) finds T-1"
has "$T/out" "^T-2 " "the sought Pang Sun-ja is found in Hangul"
hasnt "$T/out" "^T-3 " "not the unrelated request"
expect 0 "--query with --status" -- "$KITH" trace list --query "방순자" --status closed "${P[@]}"
has "$T/out" "no tracing requests" "the filters combine"
expect 0 "--query that matches nothing" -- "$KITH" trace list --query "Nguyen Van An" "${P[@]}"
has "$T/err" "^0 requests$" "no match, total 0"
expect 0 "close T-3" -- "$KITH" trace close T-3 "${P[@]}"
expect 0 "list --status open" -- "$KITH" trace list --status open "${P[@]}"
hasnt "$T/out" "^T-3 " "a closed request is not open"
expect 0 "list --status closed" -- "$KITH" trace list --status closed "${P[@]}"
has "$T/out" "^T-3 +closed" "the closed request"

# --- add: a clash names both lines
R9='{"ref":"T-9","seeker":{"name":"김영희"},"sought":{"name":"김철호","relation":"sibling"},"consent":{"tracing":true}}'
printf '%s\n%s\n' "$R9" "$R9" >"$T/twice.jsonl"
expect 1 "a ref twice in one file" -- "$KITH" trace add "$T/twice.jsonl" "${P[@]}"
has "$T/err" "twice.jsonl:2:ref: the same ref as the record on line 1" "the error names both lines"
printf '\n%s\n' "${R9/T-9/T-3}" >"$T/clash.jsonl"
expect 1 "a ref already in the vault" -- "$KITH" trace add "$T/clash.jsonl" "${P[@]}"
has "$T/err" "clash.jsonl:2:" "the error names line 2"

# --- synth families: a labelled set, end to end
expect 0 "synth families" -- "$KITH" synth --out "$T/syn" --people 300 --families --seed 7 --cases "$T/syn/cases.jsonl"
export KITH_VAULT="$T/s.kith"
expect 0 "init the synth vault" -- "$KITH" init --kdf test "${P[@]}"
expect 0 "import synth cases" -- "$KITH" import "$T/syn/cases.jsonl" "${P[@]}"
expect 0 "add synth requests" -- "$KITH" trace add "$T/syn/trace_requests.jsonl" "${P[@]}"
expect 0 "--all on synth" -- "$KITH" trace --all --json "${P[@]}"
has "$T/out" '"requests": [1-9]' "synth requests were matched"

finish
