#!/usr/bin/env bash
# Regression tests of issue 10 ("Hold under attack"), web side, against the
# real `kith serve` with curl and raw sockets (bash /dev/tcp):
#   finding 2  — a locked screen's panic needs the passphrase; Host and
#                Origin checked on every request; `kith panic` in a terminal
#                locks a running server;
#   finding 9  — a stranger's wrong guesses and session flood never lock the
#                owner out (a stranger is another local user: needs root to
#                run curl as nobody, skipped with a message otherwise);
#   finding 11 — /api/info of a duress vault looks like any other; a second
#                Host header; %00 in a path; 600 slow connections.
# Finding 5 (keys in memory after lock) is tests/unit/test_web_server.c.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/web_lib.sh"
chmod 755 "$tmp" # another local user (nobody) runs curl from here

# raw REQUEST_TEXT -> $status (first line of the answer) from bash's /dev/tcp
raw() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || { status=""; return; }
	printf '%b' "$1" >&"$fd"
	status=$(timeout 10 head -1 <&"$fd" | tr -d '\r' | cut -d' ' -f2)
	exec {fd}>&-
}

printf 'correct horse\n' >"$tmp/pass"
printf 'duress words\n' >"$tmp/duress"
"$KITH" init --vault "$tmp/v.kith" --passphrase-file "$tmp/pass" --kdf test >/dev/null 2>&1 || { echo "not ok - kith init"; exit 1; }

# --- finding 2: panic from a locked screen -----------------------------------------

start "$tmp/v.kith"
new_session
post_json /api/panic '{"confirm":true}'
check '[ "$status" = 403 ] && has "\"code\":\"passphrase_needed\""' "an anonymous session's panic without the passphrase is refused (403 passphrase_needed)"
post_json /api/panic '{"confirm":true,"passphrase":"wrong horse"}'
check '[ "$status" = 401 ] && has "\"code\":\"auth\""' "a locked screen's panic with a wrong passphrase is refused (401)"
unlock "correct horse"
check '[ "$status" = 200 ]' "the keys are intact after the refused panics"
post_json /api/lock '{}'
new_session
post_json /api/panic '{"confirm":true,"passphrase":"correct horse"}'
check '[ "$status" = 200 ] && has "\"unlocked\":false"' "a locked screen's panic with the passphrase destroys the keys"
post_json /api/unlock '{"passphrase":"correct horse"}'
check '[ "$status" = 410 ]' "after it the passphrase opens nothing (410: the keys were destroyed)"

"$KITH" init --vault "$tmp/d.kith" --passphrase-file "$tmp/pass" --duress-passphrase-file "$tmp/duress" --kdf test >/dev/null 2>&1 || bad "kith init with a duress passphrase"
start "$tmp/d.kith"
new_session
post_json /api/panic '{"confirm":true,"passphrase":"duress words"}'
check '[ "$status" = 200 ]' "a locked screen's panic with the duress passphrase is accepted"
post_json /api/unlock '{"passphrase":"correct horse"}'
check '[ "$status" = 410 ]' "and the real passphrase opens nothing afterwards (410: the keys were destroyed)"

# --- finding 2: Host and Origin on every request --------------------------------------

"$KITH" init --vault "$tmp/w.kith" --passphrase-file "$tmp/pass" --kdf test >/dev/null 2>&1
start "$tmp/w.kith"
new_session
req GET /api/state -H 'Origin: http://evil.example'
check '[ "$status" = 403 ]' "a GET with a foreign Origin is refused (403)"
req GET / -H "Origin: http://localhost:$port"
check '[ "$status" = 403 ]' "a page asked from another origin of this machine is refused"
req GET /api/state -H 'Origin: null'
check '[ "$status" = 403 ]' "Origin: null is refused"
req GET /api/state -H "Origin: http://127.0.0.1:$port"
check '[ "$status" = 200 ]' "the server's own Origin is accepted"

# --- the class of finding 2: what an anonymous session may do to the owner's --------------

new_session
unlock "correct horse"
owner_jar=$jar owner_csrf=$csrf
jar="$tmp/jar.anon"
new_session
post_json /api/lock '{}'
check '[ "$status" = 200 ] && has "\"unlocked\":false"' "an anonymous session's lock answers as locked"
jar=$owner_jar csrf=$owner_csrf
req GET /api/cases
check '[ "$status" = 200 ]' "and leaves the owner's unlocked session alone"

# --- finding 2: kith panic in a terminal locks the running server ------------------------

post_json /api/cases '{"body":{"ref":"W-1","person":{"name":"가상 인물"}}}'
check '[ "$status" = 201 ]' "an unlocked server writes a case"
req GET /api/cases
check '[ "$status" = 200 ] && has "W-1"' "and lists it"
# issue 10, finding 8 (the server's side): a case the CLI writes while the
# server runs is seen, and the server's own writes go on working
printf '{"ref":"W-CLI","person":{"name":"가상 인물 둘"}}' >"$tmp/cli-case.json"
"$KITH" add "$tmp/cli-case.json" --vault "$tmp/w.kith" --passphrase-file "$tmp/pass" >/dev/null 2>&1
check '[ $? -eq 0 ]' "kith add in a terminal, the server running"
req GET /api/cases
check '[ "$status" = 200 ] && has "W-CLI"' "the server lists the case the CLI wrote"
post_json /api/cases '{"body":{"ref":"W-CLI","person":{"name":"가상"}}}'
check '[ "$status" = 409 ]' "and refuses the CLI's case number for a new case (409)"
post_json /api/cases '{"body":{"ref":"W-3","person":{"name":"가상 인물 셋"}}}'
check '[ "$status" = 201 ]' "and its own writes go on (201, not 500)"
"$KITH" panic --vault "$tmp/w.kith" --yes >/dev/null 2>&1
check '[ $? -eq 0 ]' "kith panic in a terminal, the server running"
req GET /api/cases
check '[ "$status" = 423 ] && ! has "W-1"' "the server locks at its next request: no plaintext after a panic elsewhere (423)"
req GET /api/state
check 'has "\"unlocked\":false"' "and says it is locked"
post_json /api/cases '{"body":{"ref":"W-2","person":{"name":"가상 인물"}}}'
check '[ "$status" = 423 ]' "and accepts no case"

# --- finding 11: /api/info of a duress vault ----------------------------------------------

"$KITH" init --vault "$tmp/e.kith" --passphrase-file "$tmp/pass" --duress-passphrase-file "$tmp/duress" --kdf test >/dev/null 2>&1
start "$tmp/e.kith"
new_session
unlock "correct horse"
post_json /api/cases '{"body":{"ref":"E-1","person":{"name":"가상 인물"}}}'
req GET /api/info
real_keys=$(printf '%s' "$body" | grep -oE '"[a-z_]+":' | sort | tr -d '\n')
check '! has holds_org_secret && ! has unreadable && ! has "\"rows\""' "/api/info says nothing that tells a duress vault (no holds_org_secret, unreadable, rows)"
post_json /api/lock '{}'
unlock "duress words"
req GET /api/info
duress_keys=$(printf '%s' "$body" | grep -oE '"[a-z_]+":' | sort | tr -d '\n')
check '[ "$status" = 200 ] && [ "$real_keys" = "$duress_keys" ] && ! has holds_org_secret' "a duress unlock's /api/info has the same fields as a real one's"

# --- finding 11: a second Host header, %00 --------------------------------------------------

raw "GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
check '[ "$status" = 400 ]' "a second Host header after a good one is refused ($status)"
raw "GET /api/state HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1:$port\r\nConnection: close\r\n\r\n"
check '[ "$status" = 400 ] || [ "$status" = 421 ]' "a second Host header before a good one is refused ($status)"
raw "GET / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nCookie: kith_session=a\r\nCookie: kith_session=b\r\nConnection: close\r\n\r\n"
check '[ "$status" = 400 ]' "a second Cookie header is refused ($status)"
raw "GET / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nCookie: kith_session=a; kith_session=b\r\nConnection: close\r\n\r\n"
check '[ "$status" = 400 ]' "a second session cookie in one header is refused ($status)"
req GET '/index.html%00.png' --path-as-is
check '[ "$status" = 400 ]' "%00 does not cut a static path short (400, not index.html)"
req GET '/js/app.js%00' --path-as-is
check '[ "$status" = 400 ]' "%00 at the end of a path is refused"
req GET '/api/search?q=a%00b'
check '[ "$status" = 400 ]' "%00 in a query is refused"

# --- finding 11: 600 slow connections -----------------------------------------------------------

if [ "$(ulimit -n)" -lt 700 ] && ! ulimit -n 1024 2>/dev/null; then
	echo "ok - SKIP 600 slow connections: cannot open 700 files (ulimit -n $(ulimit -n))"
else
	slow=()
	opened=0
	for _ in $(seq 600); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || break
		printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nX-Slow: ' "$port" >&"$fd" 2>/dev/null
		slow+=("$fd")
		opened=$((opened + 1))
	done
	status=$(curl_ -o /dev/null -w '%{http_code}' "$base/")
	check '[ "$opened" = 600 ] && [ "$status" = 200 ]' "with 600 slow connections open ($opened), the UI still answers ($status)"
	status=$(curl_ -o /dev/null -w '%{http_code}' -b "$jar" "$base/api/state")
	check '[ "$status" = 200 ]' "and so does the API"
	for fd in "${slow[@]}"; do exec {fd}>&-; done
fi

# --- finding 9: a stranger on the same computer --------------------------------------------------

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_stranger() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	"$KITH" init --vault "$tmp/s.kith" --passphrase-file "$tmp/pass" --kdf test >/dev/null 2>&1
	start "$tmp/s.kith"
	new_session # the owner's lock screen
	owner_jar=$jar owner_csrf=$csrf
	mkdir -m 777 "$tmp/stranger"
	sj="$tmp/stranger/jar"
	for i in $(seq 12); do
		rm -f "$sj"
		as_stranger curl --noproxy '*' -s -m 20 -c "$sj" -o "$tmp/stranger/b" "$base/api/state"
		scsrf=$(grep -o '"csrf":"[^"]*"' "$tmp/stranger/b" | cut -d'"' -f4)
		as_stranger curl --noproxy '*' -s -m 20 -b "$sj" -o /dev/null -H "X-CSRF-Token: $scsrf" \
			-H 'Content-Type: application/json' --data-binary '{"passphrase":"guess'"$i"'"}' "$base/api/unlock"
	done
	rm -f "$sj"
	as_stranger curl --noproxy '*' -s -m 20 -c "$sj" -o "$tmp/stranger/b" "$base/api/state"
	scsrf=$(grep -o '"csrf":"[^"]*"' "$tmp/stranger/b" | cut -d'"' -f4)
	st=$(as_stranger curl --noproxy '*' -s -m 20 -b "$sj" -o /dev/null -w '%{http_code}' -H "X-CSRF-Token: $scsrf" \
		-H 'Content-Type: application/json' --data-binary '{"passphrase":"guess"}' "$base/api/unlock")
	check '[ "$st" = 429 ]' "a stranger guessing from fresh sessions is slowed down all the same ($st)"
	urls=()
	for i in $(seq 400); do urls+=("$base/api/state"); done
	as_stranger curl --noproxy '*' -s -m 60 "${urls[@]}" >/dev/null
	ok "a stranger opened 400 sessions"
	jar=$owner_jar csrf=$owner_csrf
	unlock "correct horse"
	check '[ "$status" = 200 ]' "the owner still unlocks from the session opened before the flood and the guesses"
else
	echo "ok - SKIP a stranger's guesses: needs root and setpriv to act as another user"
fi

finish
