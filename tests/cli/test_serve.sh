#!/usr/bin/env bash
# End-to-end tests of `kith serve` with curl: the security headers, the
# session cookie, and every bad input the API must refuse cleanly — a wrong
# Host, a missing or wrong CSRF token, a cross-site request, a missing or
# expired session, a locked vault, malformed JSON, oversized bodies, stale
# edits, bad imports, too many wrong passphrases, the idle lock and panic.
# Needs $KITH and curl. Prints one line per check; exits non-zero on failure.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/web_lib.sh"

printf 'correct horse\n' >"$tmp/pass"
"$KITH" init --vault "$tmp/v.kith" --passphrase-file "$tmp/pass" --kdf test >/dev/null 2>&1 || { echo "not ok - kith init"; exit 1; }

# --- command line --------------------------------------------------------------

"$KITH" serve --help >"$tmp/help"
check '[ $? -eq 0 ] && grep -q -- --idle-lock "$tmp/help"' "kith serve --help prints the options"

timeout 5 "$KITH" serve --vault "$tmp/v.kith" --listen 0.0.0.0 --port 0 >/dev/null 2>"$tmp/e"
rc=$?
check '[ $rc -ne 0 ] && grep -q allow-remote "$tmp/e"' "--listen 0.0.0.0 without --allow-remote is refused"
timeout 5 "$KITH" serve --vault "$tmp/v.kith" --bind 0.0.0.0 --allow-remote --port 0 >/dev/null 2>"$tmp/e"
rc=$?
check '[ $rc -ne 0 ] && grep -q -- --allow-host "$tmp/e"' "--bind 0.0.0.0 --allow-remote without --allow-host is refused (the Host check needs the names)"
timeout 5 "$KITH" serve --vault "$tmp/v.kith" --allow-host kith.test --port 0 >/dev/null 2>"$tmp/e"
check '[ $? -ne 0 ] && grep -q -- --allow-remote "$tmp/e"' "--allow-host without --allow-remote is refused"
timeout 5 "$KITH" serve --vault "$tmp/v.kith" --bind 0.0.0.0 --allow-remote --allow-host 'evil"x' --port 0 >/dev/null 2>"$tmp/e"
check '[ $? -ne 0 ] && grep -q -- --allow-host "$tmp/e"' "a malformed --allow-host name is refused"
"$KITH" serve --vault "$tmp/v.kith" --bind 0.0.0.0 --allow-remote --allow-host kith.test --port 0 >"$tmp/o" 2>"$tmp/e" &
rpid=$!
for _ in $(seq 100); do grep -q 'http://' "$tmp/o" && break; sleep 0.05; done
rport=$(grep -oE 'http://0\.0\.0\.0:[0-9]+' "$tmp/o" | head -1 | sed 's/.*://')
rs1=$(curl_ -o /dev/null -w '%{http_code}' -H "Host: kith.test:$rport" "http://127.0.0.1:$rport/api/state")
rs2=$(curl_ -o /dev/null -w '%{http_code}' -H "Host: rebound.example:$rport" "http://127.0.0.1:$rport/api/state")
rs3=$(curl_ -o /dev/null -w '%{http_code}' "http://127.0.0.1:$rport/")
kill -TERM "$rpid"
wait "$rpid"
rc=$?
check '[ $rc -eq 0 ] && [ -n "$rport" ] && grep -q WARNING "$tmp/e"' "--bind 0.0.0.0 --allow-remote --allow-host serves, with a printed warning"
check '[ "$rs1" = 200 ] && [ "$rs3" = 200 ]' "with --allow-remote, an --allow-host name and 127.0.0.1 are accepted ($rs1 $rs3)"
check '[ "$rs2" = 421 ]' "with --allow-remote, any other Host is refused: no DNS rebinding ($rs2)"
timeout 5 "$KITH" serve --vault "$tmp/none.kith" --port 0 >/dev/null 2>&1
check '[ $? -eq 1 ]' "a missing vault file is a user error"
timeout 5 "$KITH" serve --vault "$tmp/v.kith" --port 70000 >/dev/null 2>&1
check '[ $? -eq 2 ]' "a port out of range is a usage error"

start "$tmp/v.kith"
port=${base##*:}
check '[ -n "$port" ] && [ "$port" != 0 ]' "--port 0 picks a free port and prints the address ($base)"

# --- static files and headers --------------------------------------------------

req GET /
check '[ "$status" = 200 ] && has "<!doctype html>"' "GET / serves the UI"
csp=$(hdr Content-Security-Policy)
check '[[ "$csp" == *"default-src '"'self'"'"* && "$csp" == *"script-src '"'self'"'"* && "$csp" == *"frame-ancestors '"'none'"'"* && "$csp" == *"form-action '"'self'"'"* && "$csp" == *"base-uri '"'none'"'"* && "$csp" != *unsafe-inline* ]]' "strict Content-Security-Policy"
check '[ "$(hdr X-Content-Type-Options)" = nosniff ] && [ "$(hdr Referrer-Policy)" = no-referrer ] && [ "$(hdr Cache-Control)" = no-store ]' "nosniff, no-referrer, no-store"
req GET /js/app.js
check '[ "$status" = 200 ] && [[ "$(hdr Content-Type)" == text/javascript* ]]' "JS modules are served with a JavaScript type"
req GET /../../../etc/passwd --path-as-is
check '[ "$status" = 404 ]' "a path outside the UI is 404"
req GET /nope.html
check '[ "$status" = 404 ] && has "\"code\":\"not_found\""' "an unknown page is a JSON 404"
grep -rhoE '(src|href)="(https?:)?//[^"]*"' "${KITH_SOURCE:-.}/web" >"$tmp/ext" 2>/dev/null
check '[ ! -s "$tmp/ext" ]' "the UI references nothing outside the machine"

# --- Host header (DNS rebinding) and cross-site requests ---------------------------

req GET /api/state -H "Host: evil.example:$port"
check '[ "$status" = 421 ] && has "\"code\":\"host\""' "a foreign Host header is refused (421)"
req GET / -H "Host: evil.example"
check '[ "$status" = 421 ]' "a foreign Host is refused for pages too"
req GET /api/state -H "Host: localhost:$port"
check '[ "$status" = 200 ]' "Host localhost:PORT is accepted"

# --- sessions and CSRF ---------------------------------------------------------------

rm -f "$jar"
csrf=""
post_json /api/unlock '{"passphrase":"correct horse"}'
check '[ "$status" = 401 ] && has "\"code\":\"session\""' "unlock without a session cookie is refused"
new_session
check '[ -n "$csrf" ] && has "\"unlocked\":false"' "GET /api/state starts an anonymous session with a CSRF token"
cookie=$(hdr Set-Cookie)
check '[[ "$cookie" == kith_session=* && "$cookie" == *HttpOnly* && "$cookie" == *"SameSite=Strict"* && "$cookie" == *"Path=/"* ]]' "the cookie is HttpOnly, SameSite=Strict, Path=/"
tok=$(printf '%s' "$cookie" | sed -E 's/^kith_session=([^;]*).*/\1/')
check '[ ${#tok} -eq 43 ]' "the session token is 256 bits (43 base64url characters)"
good_csrf=$csrf
csrf=""
post_json /api/unlock '{"passphrase":"correct horse"}'
check '[ "$status" = 403 ] && has "\"code\":\"csrf\""' "a missing CSRF token is refused"
csrf="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
post_json /api/unlock '{"passphrase":"correct horse"}'
check '[ "$status" = 403 ] && has "\"code\":\"csrf\""' "a wrong CSRF token is refused"
csrf=$good_csrf
post_json /api/unlock '{"passphrase":"correct horse"}' -H 'Origin: http://evil.example'
check '[ "$status" = 403 ] && has "\"code\":\"cross_site\""' "a POST with a foreign Origin is refused"
post_json /api/unlock '{"passphrase":"correct horse"}' -H 'Sec-Fetch-Site: cross-site'
check '[ "$status" = 403 ]' "a POST marked Sec-Fetch-Site: cross-site is refused"
req POST /api/unlock -H 'Content-Type: text/plain' --data-binary '{"passphrase":"correct horse"}'
check '[ "$status" = 415 ]' "a POST that is not JSON is refused (415)"
req GET /api/cases
check '[ "$status" = 423 ] && has "\"code\":\"locked\""' "the API answers 423 while the vault is locked"
req GET /api/schema
check '[ "$status" = 200 ] && has "\"vocabularies\""' "the schema is readable while locked"

# --- unlock ----------------------------------------------------------------------

post_json /api/unlock '{"passphrase":'
check '[ "$status" = 400 ] && has "\"code\":\"bad_json\""' "malformed JSON is refused (400 bad_json)"
post_json /api/unlock '{"pass":"x"}'
check '[ "$status" = 400 ] && has "\"field\":\"passphrase\""' "a missing passphrase names the field"
post_json /api/unlock '{"passphrase":"wrong horse"}'
check '[ "$status" = 401 ] && has "\"code\":\"auth\""' "a wrong passphrase is 401"
old_cookie=$(grep kith_session "$jar" | awk '{print $7}')
unlock "correct horse"
check '[ "$status" = 200 ] && has "\"unlocked\":true"' "the right passphrase unlocks"
new_cookie=$(grep kith_session "$jar" | awk '{print $7}')
check '[ -n "$new_cookie" ] && [ "$new_cookie" != "$old_cookie" ]' "unlocking renews the session cookie"
status=$(curl_ -o /dev/null -w '%{http_code}' -b "kith_session=$old_cookie" "$base/api/cases")
check '[ "$status" = 401 ]' "the pre-unlock cookie no longer works (expired session)"
status=$(curl_ -o /dev/null -w '%{http_code}' -b "kith_session=$(printf 'x%.0s' $(seq 43))" "$base/api/cases")
check '[ "$status" = 401 ]' "an invented cookie is refused"

# --- cases -------------------------------------------------------------------------

case1='{"body":{"ref":"T-1","person":{"name":"방미선","other_names":["Pang Mi-sŏn"],"sex":"female","birth":"1987"},"status":"active"}}'
post_json /api/cases "$case1"
check '[ "$status" = 201 ] && [ "$(field ref)" = T-1 ]' "a case is created (201)"
id=$(field id)
post_json /api/cases "$case1"
check '[ "$status" = 409 ] && has "\"code\":\"exists\""' "a second case with the same ref is refused (409)"
post_json /api/cases '{"body":{"person":{"name":"X","sex":"robot"}}}'
check '[ "$status" = 400 ] && [ "$(field field)" = person.sex ]' "a value outside its vocabulary names the field (person.sex)"
post_json /api/cases '{"body":{"person":{"name":"X","birth":"1987-13"}}}'
check '[ "$status" = 400 ] && [ "$(field field)" = person.birth ]' "a malformed date names the field"
post_json /api/cases '{"body":{"person":{"name":"X"},"journey":[{},{"date":"20x"}]}}'
check '[ "$status" = 400 ] && [ "$(field field)" = "journey[1].date" ]' "an error in a repeatable group names its index"
post_json /api/cases '[1,2]'
check '[ "$status" = 400 ]' "a body that is not an object is refused"
post_json /api/cases '{"body":{"person":{"name":"X"}},"body":{}}'
check '[ "$status" = 400 ] && has "\"code\":\"bad_json\""' "duplicate keys are refused"
post_json /api/cases '{}'
check '[ "$status" = 400 ] && [ "$(field field)" = body ]' "a missing body is refused"
req POST /api/cases -H 'Content-Type: application/json'
check '[ "$status" = 400 ]' "an empty body is refused"
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' ' ' >"$tmp/big"
req POST /api/cases -H 'Content-Type: application/json' --data-binary @"$tmp/big"
check '[ "$status" = 413 ] && has "\"code\":\"too_large\""' "a body over 1 MiB is refused (413)"
req POST /api/cases -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big"
check '[ "$status" = 413 ]' "a chunked body over 1 MiB is refused (413)"

req GET "/api/case?ref=T-1"
check '[ "$status" = 200 ] && has "\"version\":1" && has "방미선"' "GET /api/case?ref= returns the case"
req GET "/api/case?ref=NOPE"
check '[ "$status" = 404 ]' "an unknown ref is 404"
req GET "/api/case?id=../../etc"
check '[ "$status" = 400 ] && [ "$(field field)" = id ]' "a malformed id is refused"
req GET "/api/case"
check '[ "$status" = 400 ]' "a case request without ref or id is refused"

post_json /api/edit "{\"id\":\"$id\",\"expect_version\":1,\"body\":{\"ref\":\"T-1\",\"person\":{\"name\":\"방미선\"},\"status\":\"follow_up\"},\"note\":\"t\"}"
check '[ "$status" = 200 ] && has "\"version\":2"' "an edit adds version 2"
post_json /api/edit "{\"id\":\"$id\",\"expect_version\":1,\"body\":{\"ref\":\"T-1\",\"person\":{\"name\":\"x\"}}}"
check '[ "$status" = 409 ] && has "\"code\":\"stale\""' "a stale edit (expect_version 1 of 2) is refused (409)"
post_json /api/edit "{\"id\":\"$id\",\"body\":{\"person\":{\"name\":\"x\"}}}"
check '[ "$status" = 400 ] && [ "$(field field)" = expect_version ]' "an edit without expect_version is refused"
post_json /api/edit "{\"id\":\"00000000000000000000000000000000\",\"expect_version\":1,\"body\":{\"person\":{\"name\":\"x\"}}}"
check '[ "$status" = 404 ]' "an edit of an unknown id is 404"
req GET "/api/history?id=$id"
check '[ "$status" = 200 ] && [ "$(printf "%s" "$body" | grep -o "\"version\":" | wc -l)" = 2 ]' "history lists both versions"
req GET "/api/history?id=zz"
check '[ "$status" = 400 ]' "history with a malformed id is refused"
req GET "/api/cases?offset=0&limit=10"
check '[ "$status" = 200 ] && has "\"total\":1"' "the case list is paged"
req GET "/api/cases?limit=-1"
check '[ "$status" = 400 ] && [ "$(field field)" = limit ]' "a bad limit is refused"

# --- search --------------------------------------------------------------------------

req GET "/api/search?q=%EB%B0%A9%EB%AF%B8%EC%84%A0"
check '[ "$status" = 200 ] && has "\"ref\":\"T-1\""' "search in Hangul finds the case"
req GET "/api/search?q=Bang%20Mi%20Sun"
check '[ "$status" = 200 ] && has "\"ref\":\"T-1\""' "search in a romanization finds the case"
# searches run at once (a shared lock, one index each) while a write waits its turn
searchers=()
cp "$jar" "$tmp/jar.par" # a copy: the write below rewrites $jar while the searches read it
for i in $(seq 1 12); do
  curl_ -b "$tmp/jar.par" -o "$tmp/par$i" -w '%{http_code}\n' "$base/api/search?q=Bang%20Mi%20Sun" >"$tmp/parst$i" &
  searchers+=($!)
done
post_json /api/cases '{"body":{"person":{"name":"차은비","sex":"female"}}}'
wrote=$status
wait "${searchers[@]}"
par_ok=0
for i in $(seq 1 12); do
  [ "$(cat "$tmp/parst$i")" = 200 ] && grep -qF '"ref":"T-1"' "$tmp/par$i" && par_ok=$((par_ok + 1))
done
check '[ "$par_ok" = 12 ] && [ "$wrote" = 200 -o "$wrote" = 201 ]' "12 searches at once all answer, and a write in between lands ($par_ok, $wrote)"
for i in $(seq 1 12); do
  grep -qF '"ref":"T-1"' "$tmp/par$i" || echo "    search $i: status $(cat "$tmp/parst$i") body $(head -c 300 "$tmp/par$i")"
done
req GET "/api/search?q=Cha%20Eun-bi"
check '[ "$status" = 200 ] && has "차은비"' "a search after the write sees the new case"
req GET "/api/search?q="
check '[ "$status" = 400 ] && [ "$(field field)" = q ]' "an empty query is refused"
req GET "/api/search?q=%FF%FE"
check '[ "$status" = 400 ]' "a query that is not UTF-8 is refused"
req GET "/api/search?q=$(head -c 5000 /dev/zero | tr '\0' a)"
check '[ "$status" = 413 ] || [ "$status" = 400 ] || [ "$status" = 414 ]' "an overlong query is refused ($status)"

# --- import and export ------------------------------------------------------------------

printf 'ref,name,sex\nI-1,Kim Young-hee,female\nI-2,Ri Yong-ho,robot\n' >"$tmp/bad.csv"
req POST "/api/import?format=csv&name=bad.csv" -H 'Content-Type: text/csv' --data-binary @"$tmp/bad.csv"
where=$(field field)
check '[ "$status" = 400 ] && [[ "$where" == bad.csv:3:* ]]' "a bad CSV import names file:line:field ($where)"
req GET "/api/case?ref=I-1"
check '[ "$status" = 404 ]' "a failed import writes nothing (all or nothing)"
printf 'ref,name,sex\nI-1,Kim Young-hee,female\nI-2,Ri Yong-ho,male\n' >"$tmp/good.csv"
req POST "/api/import?format=csv&name=good.csv" -H 'Content-Type: text/csv' --data-binary @"$tmp/good.csv"
check '[ "$status" = 200 ] && has "\"created\":2"' "a good CSV imports every row"
req POST "/api/import?format=csv&name=good.csv" -H 'Content-Type: text/csv' --data-binary @"$tmp/good.csv"
check '[ "$status" = 409 ]' "importing the same refs again is refused"
req POST "/api/import?format=xml" --data-binary 'x'
check '[ "$status" = 400 ] && [ "$(field field)" = format ]' "an unknown import format is refused"
printf '{"person":{"name":"a"}}\n{"person":\n' >"$tmp/broken.jsonl"
req POST "/api/import?format=jsonl&name=broken.jsonl" --data-binary @"$tmp/broken.jsonl"
check '[ "$status" = 400 ] && [[ "$(field field)" == broken.jsonl:2* ]]' "a syntax error in JSON Lines names its line"
head -c $((17 * 1024 * 1024)) /dev/zero >"$tmp/huge"
req POST "/api/import?format=csv" --data-binary @"$tmp/huge"
check '[ "$status" = 413 ]' "an import over 16 MiB is refused (413)"
post_json /api/export '{"format":"csv"}'
check '[ "$status" = 400 ] && [ "$(field field)" = consent ]' "an export that does not say which cases (consent) is refused"
post_json /api/export '{"format":"csv","consent":"sharing"}'
check '[ "$status" = 200 ] && ! has "I-2"' "an export with the sharing filter leaves out cases without sharing consent"
post_json /api/export '{"format":"csv","consent":"all"}'
check '[ "$status" = 200 ] && [[ "$(hdr Content-Disposition)" == attachment* ]] && [[ "$(hdr Content-Type)" == text/csv* ]] && has "I-2"' "export downloads a CSV attachment"
post_json /api/export '{"format":"jsonl","consent":"all"}'
n_lines=$(printf "%s\n" "$body" | grep -c "\"ref\"")
check '[ "$status" = 200 ] && [ "$n_lines" = 4 ]' "export JSON Lines has one line per case ($n_lines)"
post_json /api/export '{"format":"pdf","consent":"all"}'
check '[ "$status" = 400 ]' "an unknown export format is refused"

# --- duplicate review ----------------------------------------------------------------------

req GET "/api/links?status=proposed"
check '[ "$status" = 200 ] && has "\"items\""' "the review list answers"
req GET "/api/links?status=maybe"
check '[ "$status" = 400 ]' "an unknown review status is refused"
post_json /api/link '{"id":"nothex","status":"confirmed","expect_version":1}'
check '[ "$status" = 400 ] && [ "$(field field)" = id ]' "a review decision with a bad id is refused"
post_json /api/link '{"id":"00000000000000000000000000000000","status":"merged","expect_version":1}'
check '[ "$status" = 400 ] && [ "$(field field)" = status ]' "a review decision with an unknown status is refused"

post_json /api/links '{"refs":["T-1","I-1"],"reason":"same village"}'
check '[ "$status" = 201 ]' "a person can propose two cases for duplicate review"
req GET "/api/links?status=proposed"
check '[ "$status" = 200 ] && has "\"total\":1" && has "\"method\":\"manual\""' "the proposed pair is listed for review"
lid=$(printf '%s' "$body" | grep -o '"id":"[0-9a-f]\{32\}","version"' | head -1 | cut -d'"' -f4)
post_json /api/link "{\"id\":\"$lid\",\"status\":\"confirmed\",\"expect_version\":1}"
check '[ "$status" = 200 ] && has "\"version\":2"' "a reviewer confirms the pair"
post_json /api/link "{\"id\":\"$lid\",\"status\":\"rejected\",\"expect_version\":1}"
check '[ "$status" = 409 ] && has "\"code\":\"stale\""' "a decision on a pair decided meanwhile is refused"
post_json /api/links '{"refs":["T-1","NOPE"]}'
check '[ "$status" = 404 ] && [ "$(field field)" = "refs[1]" ]' "proposing an unknown case names it"
post_json /api/link "{\"id\":\"$lid\",\"status\":\"rejected\",\"expect_version\":2}"
check '[ "$status" = 409 ] && has "\"code\":\"transition\""' "a confirmed pair cannot be rejected (undo it first), as in kith link"
post_json /api/link "{\"id\":\"$lid\",\"status\":\"undone\",\"expect_version\":2}"
req GET "/api/links"
check '[ "$status" = 200 ] && has "\"total\":1" && has "\"status\":\"undone\""' "an undone pair is back in the review list"
post_json /api/links/propose '{}'
check '[ "$status" = 200 ] && has "\"proposed\""' "record linkage runs from the page"

# --- family tracing --------------------------------------------------------------------------

post_json /api/traces '{"body":{"seeker":{"name":"가상 찾는이"},"sought":{"name":"가상 인물","relation":"child"},"consent":{"tracing":true}}}'
check '[ "$status" = 201 ]' "a tracing request is saved"
tref=$(field ref)
req GET "/api/traces"
check '[ "$status" = 200 ] && has "\"total\":1"' "the tracing requests are listed"
req GET "/api/trace?ref=$tref"
check '[ "$status" = 200 ] && has "\"candidates\"" && [ "$(hdr Cache-Control)" = no-store ]' "a tracing request shows its candidates, never cached"
post_json /api/traces '{"body":{"seeker":{"name":"가상 찾는이"}}}'
check '[ "$status" = 400 ] && [ -n "$(field field)" ]' "a tracing request without the person sought is refused at its field"
post_json /api/traces '{"body":'
check '[ "$status" = 400 ] && has "\"code\":\"bad_json\""' "a malformed tracing request is refused"
post_json /api/trace/review "{\"ref\":\"$tref\",\"case\":\"T-1\",\"verb\":\"adopt\"}"
check '[ "$status" = 400 ] && [ "$(field field)" = verb ]' "an unknown tracing review verb is refused"
post_json /api/trace/review "{\"ref\":\"NOPE\",\"case\":\"T-1\",\"verb\":\"possible\"}"
check '[ "$status" = 404 ]' "a review of an unknown tracing request is 404"
good_csrf=$csrf
csrf=wrong
post_json /api/trace/review '{}'
csrf=$good_csrf
check '[ "$status" = 403 ]' "a tracing review with a wrong CSRF token is refused"

# --- routes and methods ----------------------------------------------------------------------

req GET /api/nothing
check '[ "$status" = 404 ] && has "\"code\":\"no_route\""' "an unknown API route is 404"
req DELETE /api/cases
check '[ "$status" = 405 ]' "an unsupported method is 405"
req GET /api/lock
check '[ "$status" = 405 ]' "lock only by POST"

# --- lock ---------------------------------------------------------------------------------------

post_json /api/lock '{}'
check '[ "$status" = 200 ] && has "\"unlocked\":false"' "lock answers unlocked=false"
req GET /api/cases
check '[ "$status" = 423 ]' "after lock the vault routes answer 423"

# --- too many wrong passphrases ------------------------------------------------------------------

for i in 1 2 3 4 5; do post_json /api/unlock '{"passphrase":"wrong"}'; done
check '[ "$status" = 401 ]' "five wrong passphrases are each refused as wrong"
post_json /api/unlock '{"passphrase":"correct horse"}'
check '[ "$status" = 429 ] && has "\"code\":\"rate_limited\"" && has "retry_after"' "the sixth attempt within a minute must wait (429), even with the right passphrase"

# --- idle lock --------------------------------------------------------------------------------------

start "$tmp/v.kith" --idle-lock 1
new_session
unlock "correct horse"
req GET /api/cases
check '[ "$status" = 200 ]' "a second server (idle lock 1 s) unlocks"
# the timer itself is tested on an injected clock (test_web_server, test_web_session);
# here only that the binary's tick runs it: wait for it, polling the state
# (which does not count as use), at most 10 s
for _ in $(seq 100); do
	req GET /api/state
	has '"unlocked":false' && break
	sleep 0.1
done
req GET /api/cases
check '[ "$status" = 423 ]' "after the idle time the vault is locked (keys wiped)"
req GET /api/state
check 'has "\"unlocked\":false"' "the state says locked after the idle lock"

# --- panic ----------------------------------------------------------------------------------------------

# a server with the default idle lock: on the 1 s one above, a loaded machine
# let the lock fire between the unlock and the panic (a flaky test)
start "$tmp/v.kith"
new_session
unlock "correct horse"
post_json /api/panic '{}'
check '[ "$status" = 400 ] && [ "$(field field)" = confirm ]' "panic without confirmation is refused"
post_json /api/panic '{"confirm":true}'
check '[ "$status" = 200 ] && has "\"unlocked\":false"' "panic with confirmation destroys the keys"
post_json /api/unlock '{"passphrase":"correct horse"}'
check '[ "$status" = 410 ] && [ "$(field code)" = keys_destroyed ]' "after panic the passphrase no longer opens the vault, and the page is told the keys were destroyed (410), not a wrong passphrase"

# --- duress passphrase: behaves as in the CLI ---------------------------------------------------------

printf 'duress words\n' >"$tmp/duress"
if "$KITH" init --vault "$tmp/d.kith" --passphrase-file "$tmp/pass" --duress-passphrase-file "$tmp/duress" --kdf test >/dev/null 2>&1; then
	start "$tmp/d.kith"
	new_session
	unlock "correct horse"
	post_json /api/cases '{"body":{"ref":"D-1","person":{"name":"가상 인물"}}}'
	post_json /api/lock '{}'
	unlock "duress words"
	check '[ "$status" = 200 ] && has "\"unlocked\":true"' "the duress passphrase opens the vault, like any other"
	req GET /api/cases
	check '[ "$status" = 200 ] && has "\"total\":0"' "and shows an empty vault"
	post_json /api/lock '{}'
	post_json /api/unlock '{"passphrase":"correct horse"}'
	check '[ "$status" = 401 ]' "after the duress passphrase the real one no longer opens this device's vault"
else
	bad "kith init --duress-passphrase-file"
fi

# --- SIGTERM: a clean stop that wipes the keys -------------------------------------------------------

start "$tmp/d.kith"
spid=${pids[-1]}
new_session
unlock "duress words"
kill -TERM "$spid"
wait "$spid"
rc=$?
check '[ $rc -eq 0 ] && grep -q "keys wiped" "$tmp/err"' "SIGTERM stops kith serve cleanly (exit 0) and wipes the keys"
check '! curl_ -o /dev/null "$base/" 2>/dev/null' "after SIGTERM nothing listens"

finish
