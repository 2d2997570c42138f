#!/usr/bin/env bash
# A fresh pass of web attacks on `kith serve` (issue 10): malformed requests,
# Host / Origin / CSRF / cookie probes, path tricks and slow connections,
# each with the answers that count as holding. Prints a line per family with
# its count, and one line per probe that did not hold. Runs in a few seconds;
# the counts are in docs/threat-model.md ("Web UI"). Needs $KITH and curl.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
command -v curl >/dev/null || { echo "not ok - curl is missing (scripts/install-deps)"; exit 1; }

tmp=$(mktemp -d)
spid=""
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

total=0 held=0 failed=0
declare -A fam_total fam_held
probe_ok() { # probe_ok FAMILY WHAT GOT WANT-REGEX
	total=$((total + 1))
	fam_total[$1]=$((${fam_total[$1]:-0} + 1))
	if [[ "$3" =~ ^($4)$ ]]; then
		held=$((held + 1))
		fam_held[$1]=$((${fam_held[$1]:-0} + 1))
	else
		failed=$((failed + 1))
		echo "not ok - [$1] $2: got '$3', wanted $4"
	fi
}

printf 'correct horse\n' >"$tmp/pass"
"$KITH" init --vault "$tmp/v.kith" --passphrase-file "$tmp/pass" --kdf test >/dev/null 2>&1 || { echo "not ok - kith init"; exit 1; }
"$KITH" serve --vault "$tmp/v.kith" --port 0 >"$tmp/out" 2>"$tmp/err" &
spid=$!
for _ in $(seq 100); do
	base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$tmp/out" | head -1)
	[ -n "$base" ] && break
	sleep 0.05
done
[ -n "$base" ] || { echo "not ok - kith serve did not start: $(cat "$tmp/err")"; exit 1; }
port=${base##*:}
H="127.0.0.1:$port"

curl_() { curl --noproxy '*' -s -m 10 -o /dev/null -w '%{http_code}' "$@"; }
# raw TEXT: the status code of the answer to raw bytes ("" when the server
# closes without one, "-" when it cannot connect)
raw() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || { echo "-"; return; }
	printf '%b' "$1" >&"$fd" 2>/dev/null
	line=$(timeout 10 head -1 <&"$fd" 2>/dev/null | tr -d '\r')
	exec {fd}>&-
	echo "$line" | cut -s -d' ' -f2
}

# a session, unlocked, and a second (anonymous) one for cross-session tokens
jar="$tmp/jar"
csrf=$(curl --noproxy '*' -s -c "$jar" "$base/api/state" | grep -o '"csrf":"[^"]*"' | cut -d'"' -f4)
old_cookie=$(awk '/kith_session/ {print $7}' "$jar")
csrf=$(curl --noproxy '*' -s -b "$jar" -c "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	--data-binary '{"passphrase":"correct horse"}' "$base/api/unlock" | grep -o '"csrf":"[^"]*"' | cut -d'"' -f4)
cookie=$(awk '/kith_session/ {print $7}' "$jar")
[ -n "$cookie" ] && [ -n "$csrf" ] || { echo "not ok - could not unlock"; exit 1; }
jar2="$tmp/jar2"
csrf2=$(curl --noproxy '*' -s -c "$jar2" "$base/api/state" | grep -o '"csrf":"[^"]*"' | cut -d'"' -f4)

# --- malformed requests (raw bytes) -------------------------------------------------
M=malformed
big=$(head -c 70000 /dev/zero | tr '\0' a)
probe_ok $M "unknown method" "$(raw "BREW / HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '4[0-9][0-9]|501|'
probe_ok $M "no HTTP version" "$(raw "GET /\r\nHost: $H\r\n\r\n")" '4[0-9][0-9]|505|'
probe_ok $M "HTTP/2.0 in a text request" "$(raw "GET / HTTP/2.0\r\nHost: $H\r\nConnection: close\r\n\r\n")" '4[0-9][0-9]|505|'
probe_ok $M "HTTP/1.1 without Host" "$(raw "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")" '400|421|'
probe_ok $M "HTTP/1.0 without Host" "$(raw "GET / HTTP/1.0\r\n\r\n")" '400|421|'
probe_ok $M "header without a colon" "$(raw "GET / HTTP/1.1\r\nHost: $H\r\nNoColonHere\r\nConnection: close\r\n\r\n")" '400|'
probe_ok $M "obs-fold continuation of Host" "$(raw "GET / HTTP/1.1\r\nHost: evil.example\r\n $H\r\nConnection: close\r\n\r\n")" '400|421|'
probe_ok $M "a 70 kB header" "$(raw "GET / HTTP/1.1\r\nHost: $H\r\nX-Big: $big\r\nConnection: close\r\n\r\n")" '4[0-9][0-9]|'
probe_ok $M "a 70 kB path" "$(raw "GET /$big HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '4[0-9][0-9]|'
# a raw NUL (no browser sends one) ends the value inside libmicrohttpd: the
# client gets the page or the host it names before the NUL, as if it had
# sent that; it counts as held when nothing more is served
probe_ok $M "raw NUL byte in the path (read as /index.html)" "$(raw "GET /index.html\0.png HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '200|400|404|'
probe_ok $M "raw NUL byte in Host (read as the host before it)" "$(raw "GET / HTTP/1.1\r\nHost: $H\0evil\r\nConnection: close\r\n\r\n")" '200|400|421|'
probe_ok $M "raw NUL byte in Host before a good one" "$(raw "GET / HTTP/1.1\r\nHost: evil\0$H\r\nConnection: close\r\n\r\n")" '400|421|'
probe_ok $M "bare LF line ends, foreign Host" "$(raw "GET / HTTP/1.1\nHost: evil.example\nConnection: close\n\n")" '400|421|'
probe_ok $M "Content-Length negative" "$(raw "POST /api/lock HTTP/1.1\r\nHost: $H\r\nContent-Length: -5\r\nConnection: close\r\n\r\n")" '4[0-9][0-9]|'
probe_ok $M "Content-Length overflowing" "$(raw "POST /api/lock HTTP/1.1\r\nHost: $H\r\nContent-Length: 99999999999999999999999\r\nConnection: close\r\n\r\n")" '4[0-9][0-9]|'
probe_ok $M "two Content-Length values" "$(raw "POST /api/lock HTTP/1.1\r\nHost: $H\r\nContent-Length: 2\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{}")" '400|'
probe_ok $M "Content-Length and chunked" "$(raw "POST /api/lock HTTP/1.1\r\nHost: $H\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n")" '400|403|'
probe_ok $M "chunk size not hex" "$(raw "POST /api/lock HTTP/1.1\r\nHost: $H\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")" '4[0-9][0-9]|'
probe_ok $M "chunk size huge" "$(raw "POST /api/cases HTTP/1.1\r\nHost: $H\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nFFFFFFFFFFFFFFFF\r\n{}\r\n")" '4[0-9][0-9]|'
probe_ok $M "absolute-form URL to another host" "$(raw "GET http://evil.example/ HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '400|404|421|'
probe_ok $M "asterisk-form on GET" "$(raw "GET * HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '400|404|'
probe_ok $M "CONNECT" "$(raw "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nConnection: close\r\n\r\n")" '4[0-9][0-9]|501|'
probe_ok $M "TRACE" "$(raw "TRACE / HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '405|'
probe_ok $M "request smuggling: second request in the body" "$(raw "POST /api/lock HTTP/1.1\r\nHost: $H\r\nContent-Length: 0\r\nConnection: close\r\n\r\nPOST /api/panic HTTP/1.1\r\nHost: $H\r\n\r\n")" '401|403|415|'
probe_ok $M "control character in a header value" "$(raw "GET / HTTP/1.1\r\nHost: $H\r\nX-A: a\x01b\r\nConnection: close\r\n\r\n")" '200|400|'
probe_ok $M "a 40 MB declared body on /api/import" "$(raw "POST /api/import HTTP/1.1\r\nHost: $H\r\nContent-Length: 40000000\r\nConnection: close\r\n\r\n")" '413|'

# --- Host ----------------------------------------------------------------------------
F=host
for h in "evil.example" "evil.example:$port" "127.0.0.1" "127.0.0.1:1" "127.0.0.1:$port.evil.example" \
	"127.0.0.1:$port@evil.example" "evil.example@127.0.0.1:$port" "127.0.0.1.:$port" "localhost.:$port" \
	"0x7f.1:$port" "2130706433:$port" "127.1:$port" "[::ffff:127.0.0.1]:$port" "127.0.0.1:0$port" \
	"127.0.0.1:+$port" "" "127.0.0.1:$port,evil.example" "127.0.0.1:$port\tx"; do
	probe_ok $F "Host '$h'" "$(raw "GET /api/state HTTP/1.1\r\nHost: $h\r\nConnection: close\r\n\r\n")" '400|421'
done
probe_ok $F "two Host headers, good first" "$(raw "GET / HTTP/1.1\r\nHost: $H\r\nHost: evil.example\r\nConnection: close\r\n\r\n")" '400'
probe_ok $F "two Host headers, good last" "$(raw "GET / HTTP/1.1\r\nHost: evil.example\r\nHost: $H\r\nConnection: close\r\n\r\n")" '400|421'
probe_ok $F "Host in another case" "$(raw "GET / HTTP/1.1\r\nhOsT: LOCALHOST:$port\r\nConnection: close\r\n\r\n")" '200'
probe_ok $F "X-Forwarded-Host does not replace Host" "$(raw "GET / HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: $H\r\nConnection: close\r\n\r\n")" '421'

# --- Origin and Sec-Fetch-Site -------------------------------------------------------------
O=origin
for o in "http://evil.example" "null" "http://127.0.0.1:$port.evil.example" "http://127.0.0.1:$port/" \
	"https://127.0.0.1:$port" "HTTP://127.0.0.1:${port}x" "http://localhost:$port" "http://127.0.0.1:$port@evil.example" \
	"http://127.0.0.1" "file://" "http://[::1]:$port"; do
	probe_ok $O "GET with Origin '$o'" "$(curl_ -b "$jar" -H "Origin: $o" "$base/api/cases")" '403'
	probe_ok $O "POST with Origin '$o'" "$(curl_ -b "$jar" -H "Origin: $o" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' --data-binary '{"format":"csv"}' "$base/api/export")" '403'
done
probe_ok $O "an empty Origin" "$(curl_ -b "$jar" -H "Origin;" "$base/api/cases")" '403'
probe_ok $O "the server's own Origin" "$(curl_ -b "$jar" -H "Origin: http://$H" "$base/api/cases")" '200'
probe_ok $O "two Origin headers" "$(raw "GET / HTTP/1.1\r\nHost: $H\r\nOrigin: http://$H\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n")" '400'
for site in cross-site same-site "same-origin, cross-site" "SAME-ORIGIN"; do
	probe_ok $O "Sec-Fetch-Site: $site" "$(curl_ -b "$jar" -H "Sec-Fetch-Site: $site" "$base/api/cases")" '403'
done

# --- CSRF -----------------------------------------------------------------------------------------
C=csrf
for route in /api/lock /api/panic /api/cases /api/edit /api/export /api/links /api/traces /api/import /api/unlock; do
	ct='application/json'
	[ "$route" = /api/import ] && ct='text/csv'
	probe_ok $C "$route without a token" "$(curl_ -b "$jar" -H "Content-Type: $ct" --data-binary '{}' "$base$route")" '403'
	probe_ok $C "$route with another session's token" "$(curl_ -b "$jar" -H "X-CSRF-Token: $csrf2" -H "Content-Type: $ct" --data-binary '{}' "$base$route")" '403'
	probe_ok $C "$route with the token in the query" "$(curl_ -b "$jar" -H "Content-Type: $ct" --data-binary '{}' "$base$route?csrf=$csrf&X-CSRF-Token=$csrf")" '403'
done
# (the route answers 400 for a bad format once the token is good: nothing changes)
for tok in "" "${csrf,,}" "${csrf^^}" "${csrf}=" "${csrf:0:42}" "${csrf}A" "$csrf,$csrf" \
	"$(printf 'A%.0s' $(seq 43))" "$cookie"; do
	probe_ok $C "token '${tok:0:12}…' (${#tok})" "$(curl_ -b "$jar" -H "X-CSRF-Token: $tok" -H 'Content-Type: application/json' --data-binary '{"format":"x"}' "$base/api/export")" '403'
done
probe_ok $C "the right token (spaces around it are the header's, not the token's)" "$(curl_ -b "$jar" -H "X-CSRF-Token:  $csrf " -H 'Content-Type: application/json' --data-binary '{"format":"x"}' "$base/api/export")" '400|403'
probe_ok $C "two X-CSRF-Token headers" "$(raw "POST /api/lock HTTP/1.1\r\nHost: $H\r\nCookie: kith_session=$cookie\r\nX-CSRF-Token: $csrf\r\nX-CSRF-Token: $csrf\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")" '400'
probe_ok $C "a form post (text/plain) with the token" "$(curl_ -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: text/plain' --data-binary '{}' "$base/api/lock")" '415'
probe_ok $C "a form post (urlencoded) with the token" "$(curl_ -b "$jar" -H "X-CSRF-Token: $csrf" --data 'confirm=true' "$base/api/panic")" '415'

# --- cookies --------------------------------------------------------------------------------------
K=cookie
for c in "" "$old_cookie" "${cookie:0:42}" "${cookie}A" "$(printf '%s' "$cookie" | tr 'a-z' 'A-Z')" \
	"$(printf 'A%.0s' $(seq 43))" "$(printf '%%%.0s' $(seq 43))" "../$cookie" "$csrf" "$(printf '%s' "$cookie" | rev)"; do
	probe_ok $K "cookie '${c:0:12}…' (${#c})" "$(curl_ -H "Cookie: kith_session=$c" "$base/api/cases")" '401|400'
done
probe_ok $K "the session cookie twice in one header" "$(curl_ -H "Cookie: kith_session=$cookie; kith_session=$cookie" "$base/api/cases")" '400'
probe_ok $K "the session cookie in two headers" "$(raw "GET /api/cases HTTP/1.1\r\nHost: $H\r\nCookie: kith_session=$cookie\r\nCookie: a=b\r\nConnection: close\r\n\r\n")" '400'
probe_ok $K "the cookie twice, names in two cases" "$(curl_ -H "Cookie: kith_session=$old_cookie; KITH_SESSION=$cookie" "$base/api/cases")" '400'
probe_ok $K "the cookie under another name" "$(curl_ -H "Cookie: kith_sessionx=$cookie" "$base/api/cases")" '401'
probe_ok $K "the cookie as a query parameter" "$(curl_ "$base/api/cases?kith_session=$cookie")" '401'
probe_ok $K "the cookie with the right value" "$(curl_ -H "Cookie: kith_session=$cookie" "$base/api/cases")" '200'

# --- paths ------------------------------------------------------------------------------------------
P=path
for p in "/../etc/passwd" "/%2e%2e/etc/passwd" "/js/../../etc/passwd" "//etc/passwd" "/index.html/" \
	"/index.html%00" "/index.html%00.js" "/js/app.js%00.png" "/%69ndex.html%2500" "/index.html%2f" \
	"/js\\app.js" "/.git/config" "/INDEX.HTML" \
	"/index.html;.js" "/%" "/%zz" "/%0a" "/index.html%0d%0aSet-Cookie:%20x=y" "/api/%00state" "/api/state%00"; do
	probe_ok $P "path '$p'" "$(raw "GET $p HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '400|404|405'
done
# no normalization: an /api/ prefix stays an API route, a %2f stays inside the UI
probe_ok $P "path '/api/../index.html'" "$(raw "GET /api/../index.html HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '401|404'
probe_ok $P "path '/js%2fapp.js' (the UI's own file)" "$(raw "GET /js%2fapp.js HTTP/1.1\r\nHost: $H\r\nConnection: close\r\n\r\n")" '200|404'

for q in "q=%00" "q=a%00b" "q=%ff%fe" "q=$(head -c 3000 /dev/zero | tr '\0' a)" "limit=99999999999999999999" \
	"limit=-1" "limit=1e9" "q=a&q=b"; do
	probe_ok $P "search '${q:0:24}'" "$(curl_ -b "$jar" "$base/api/search?$q")" '400|413|414|200'
done

# --- slow connections ---------------------------------------------------------------------------------
S=slow
slow=()
for _ in $(seq 300); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || break
	printf 'POST /api/cases HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n\r\n{' "$H" >&"$fd" 2>/dev/null
	slow+=("$fd")
done
for _ in $(seq 300); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || break
	printf 'GET / HTTP/1.1\r\nHost: %s\r\nX-Slow: ' "$H" >&"$fd" 2>/dev/null
	slow+=("$fd")
done
probe_ok $S "${#slow[@]} slow connections open: the page" "$(curl_ "$base/")" '200'
probe_ok $S "${#slow[@]} slow connections open: the API" "$(curl_ -b "$jar" "$base/api/cases")" '200'
for fd in "${slow[@]}"; do exec {fd}>&-; done

# --- the server held --------------------------------------------------------------------------------
alive=$(curl_ -b "$jar" "$base/api/cases")
for f in $M $F $O $C $K $P $S; do echo "# $f: ${fam_held[$f]:-0} of ${fam_total[$f]:-0} held"; done
echo "# total: $held of $total probes held"
if [ "$alive" = 200 ] && kill -0 "$spid" 2>/dev/null && ! grep -q 'Sanitizer' "$tmp/err"; then
	echo "ok - the server is alive and answers after $total probes"
else
	echo "not ok - the server did not survive ($alive): $(head -5 "$tmp/err")"
	failed=$((failed + 1))
fi
[ "$failed" -eq 0 ] && echo "ok - every probe held" 
echo "$((held + (failed == 0 ? 1 : 0))) passed, $failed failed"
[ "$failed" -eq 0 ]
