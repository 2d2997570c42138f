# What the end-to-end tests of `kith serve` share (sourced, not run): a
# temporary folder removed at exit with every server started, the tally, and
# curl helpers that keep a session's cookie jar and CSRF token.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/web_lib.sh"
#   start "$vault" [serve options...]   -> $base, $port, $spid
#   new_session; unlock 'passphrase'    -> $jar, $csrf
#   req GET /api/state; post_json /api/x '{"a":1}'   -> $status, $body, $headers
#   check '[ "$status" = 200 ]' "what it proves"
#   finish                              -> prints the tally; exits 1 on a failure
#
# CURL_TIMEOUT (seconds, default 20) bounds each request. Needs $KITH and curl.

: "${KITH:?set KITH to the kith binary}"
command -v curl >/dev/null || {
	echo "not ok - curl is missing (scripts/install-deps)"
	exit 1
}

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

pass=0
fail=0
jar="$tmp/jar"
ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
bad() {
	fail=$((fail + 1))
	echo "not ok - $1"
}
# check 'shell condition' "what it proves": the condition is eval'ed; a
# failure shows the last response's status and the start of its body
check() { if eval "$1"; then ok "$2"; else bad "$2 [status=${status:-} body=${body:0:300}]"; fi; }

curl_() { curl --noproxy '*' -s -m "${CURL_TIMEOUT:-20}" "$@"; }

# req METHOD PATH [curl args...]: sets $status, $body and $headers (with the
# cookie jar $jar and, for POST, the CSRF token $csrf); $tmp/b holds the bytes
req() {
	local method=$1 path=$2
	shift 2
	local args=(-X "$method" -b "$jar" -c "$jar" -D "$tmp/h" -o "$tmp/b" -w '%{http_code}')
	[ "$method" = POST ] && args+=(-H "X-CSRF-Token: ${csrf:-}")
	status=$(curl_ "${args[@]}" "$@" "$base$path")
	body=$(tr -d '\0' <"$tmp/b" 2>/dev/null) # a download may hold NUL bytes
	headers=$(tr -d '\r' <"$tmp/h" 2>/dev/null)
}
post_json() {
	local p=$1 d=$2
	shift 2
	req POST "$p" -H 'Content-Type: application/json' --data-binary "$d" "$@"
}
# the first string value of a JSON field in $body
field() { printf '%s' "$body" | grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
has() { grep -qF -- "$1" <<<"$body"; } # no pipe: grep -q leaving early must not fail it
hdr() { printf '%s\n' "$headers" | grep -i "^$1:" | head -1 | cut -d' ' -f2-; }

# a fresh anonymous session in $jar with its $csrf
new_session() {
	rm -f "$jar"
	req GET /api/state
	csrf=$(field csrf)
}
unlock() {
	post_json /api/unlock "{\"passphrase\":\"$1\"}"
	[ "$status" = 200 ] && csrf=$(field csrf)
}

# start VAULT [serve options...]: `kith serve` on a free port -> $base,
# $port, $spid (also in $pids, stopped at exit); exits 1 if it does not start
start() {
	local v=$1
	shift
	# emptied now: the background job's redirection may come after the
	# first look, and the previous server's address would be read
	: >"$tmp/out"
	base=""
	"$KITH" serve --vault "$v" --port 0 "$@" >"$tmp/out" 2>"$tmp/err" &
	spid=$!
	pids+=("$spid")
	for _ in $(seq 200); do
		base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$tmp/out" | head -1)
		[ -n "$base" ] && break
		sleep 0.05
	done
	[ -n "$base" ] || {
		echo "not ok - kith serve did not start: $(cat "$tmp/err")"
		exit 1
	}
	port=${base##*:}
}
stop() {
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
