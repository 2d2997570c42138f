#!/usr/bin/env bash
# bench_web — name search through HTTP over a vault of 100,000 cases, with 32
# concurrent clients on loopback (wrk), beside the same search called
# in-process (bench_web, the limit), printed as ratios.
#
# usage: bench/bench_web.sh [BUILD_DIR] [CASES]
#   BUILD_DIR  a build with the kith binary and bench_web (default build/web)
#   CASES      vault size (default 100000)
# Target: HTTP p95 under 50 ms. The vault uses the cheap test KDF: the
# passphrase cost does not touch search. The cases are fictional: made by
# `kith synth --cases` when it exists, else by the generator below.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$src/build/web}" && pwd)
cases=${2:-100000}
kith=$build/kith
inproc=$build/bench_web
duration=${BENCH_SECONDS:-10}
for t in "$kith" "$inproc"; do [ -x "$t" ] || { echo "bench_web: build $t first" >&2; exit 2; }; done
command -v wrk >/dev/null || { echo "bench_web: wrk is missing (scripts/install-deps)" >&2; exit 2; }

# BENCH_DIR=DIR keeps the vault and the queries in DIR and reuses them on the
# next run with the same DIR (the fill takes most of the time at 100k).
tmp=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$tmp"
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	[ -n "${BENCH_DIR:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

printf 'bench passphrase\n' >"$tmp/pass"
if [ -s "$tmp/q" ] && [ -f "$tmp/v.kith" ] && [ -f "$tmp/filled" ]; then
	reuse=1
else
	reuse=0
	rm -f "$tmp/v.kith"*
fi
[ $reuse = 1 ] || "$kith" init --vault "$tmp/v.kith" --passphrase-file "$tmp/pass" --kdf test >/dev/null

# --- 100k fictional cases ---------------------------------------------------------
gen() { # N -> JSON Lines; Hangul names with one romanized spelling each
	awk -v n="$1" 'BEGIN {
	srand(42);
	ns = split("김 Kim Gim|이 Lee Ri Yi|박 Park Pak Bak|최 Choi Choe|정 Jung Jong Chong|강 Kang Gang|조 Cho Jo|윤 Yoon Yun|장 Jang Chang|임 Lim Rim Im|한 Han|오 Oh O|서 Seo So|신 Shin Sin|권 Kwon Kwŏn|황 Hwang|안 Ahn An|송 Song|류 Ryu Yoo Yu|홍 Hong|전 Jeon Chon|고 Ko Go|문 Moon Mun|손 Son|양 Yang Ryang|배 Bae Pae|백 Baek Paek|허 Heo Ho|남 Nam|방 Bang Pang", S, "|");
	ng = split("영 young yong|미 mi|선 sun son|희 hee hui|철 chul chol|수 su soo|진 jin chin|민 min|정 jung jong|호 ho|현 hyun hyon|숙 sook suk|순 soon sun|옥 ok|혜 hye|은 eun un|경 kyung kyong|남 nam|성 sung song|일 il|광 kwang|명 myung myong|춘 chun|금 keum kum|화 hwa|란 ran|향 hyang|국 kook kuk|복 bok pok|림 rim lim", G, "|");
	split("north_hamgyong south_hamgyong ryanggang chagang north_pyongan south_pyongan north_hwanghae south_hwanghae kangwon pyongyang", P, " ");
	split("active follow_up closed closed_referred", ST, " ");
	for (i = 1; i <= n; i++) {
		split(S[int(rand() * ns) + 1], s, " "); split(G[int(rand() * ng) + 1], a, " "); split(G[int(rand() * ng) + 1], b, " ");
		ra = a[2 + int(rand() * (length(a) - 1))]; rb = b[2 + int(rand() * (length(b) - 1))];
		rs = s[2 + int(rand() * (length(s) - 1))];
		u = rand(); rom = rs " " toupper(substr(ra, 1, 1)) substr(ra, 2) (u < 0.4 ? "-" rb : u < 0.8 ? " " toupper(substr(rb, 1, 1)) substr(rb, 2) : rb);
		printf "{\"ref\":\"B-%06d\",\"person\":{\"name\":\"%s%s%s\",\"other_names\":[\"%s\"],\"sex\":\"%s\",\"birth\":\"%d\",\"origin\":{\"province\":\"%s\"}},\"status\":\"%s\"}\n",
			i, s[1], a[1], b[1], rom, (rand() < 0.6 ? "female" : "male"), 1950 + int(rand() * 55), P[int(rand() * 10) + 1], ST[int(rand() * 4) + 1];
	}}'
}
t0=$(date +%s.%N)
if [ $reuse = 0 ]; then
	# kith synth writes about 1.2 records per person: ask for as many people as
	# cases, keep the first CASES records
	if "$kith" synth --help 2>/dev/null | grep -q -- '--cases' &&
		"$kith" synth --out "$tmp/synth" --people "$cases" --cases "$tmp/all.jsonl" >/dev/null 2>&1; then
		head -n "$cases" "$tmp/all.jsonl" >"$tmp/cases.jsonl"
	else
		gen "$cases" >"$tmp/cases.jsonl"
	fi
	[ -s "$tmp/cases.jsonl" ] || gen "$cases" >"$tmp/cases.jsonl"
	KITH_NO_PROGRESS=1 "$kith" import "$tmp/cases.jsonl" --vault "$tmp/v.kith" --passphrase-file "$tmp/pass" >/dev/null

	# queries: the names as recorded (Hangul and the lists' romanizations) of
	# every 250th case, and surnames alone
	awk 'NR % 250 == 1' "$tmp/cases.jsonl" | grep -oE '"name":"[^"]+"' | cut -d'"' -f4 >"$tmp/q"
	printf '%s\n' 김 Kim 리 Ri 방미선 "Pang Mi-son" "Bang Mi Sun" >>"$tmp/q"
	touch "$tmp/filled"
fi
t1=$(date +%s.%N)
nq=$(wc -l <"$tmp/q")

# --- in process: the limit --------------------------------------------------------
"$inproc" "$tmp/v.kith" "$tmp/pass" "$tmp/q" "${BENCH_ROUNDS:-1}" >"$tmp/inproc"
val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

# --- through HTTP --------------------------------------------------------------------
"$kith" serve --vault "$tmp/v.kith" --port 0 --idle-lock 0 >"$tmp/out" 2>/dev/null &
server=$!
for _ in $(seq 200); do base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$tmp/out" | head -1 || true); [ -n "$base" ] && break; sleep 0.05; done
jar=$tmp/jar
csrf=$(curl --noproxy '*' -s -c "$jar" "$base/api/state" | sed -E 's/.*"csrf":"([^"]+)".*/\1/')
curl --noproxy '*' -s -b "$jar" -c "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	--data-binary '{"passphrase":"bench passphrase"}' "$base/api/unlock" >/dev/null
cookie=$(awk '$6 == "kith_session" { print $7 }' "$jar")
# warm the indexes (one per request thread, each built on its first search),
# then the measured runs
for _ in 1 2 3 4; do curl --noproxy '*' -s -m 600 -b "$jar" "$base/api/search?q=Kim" >/dev/null; done
# one client: the cost of HTTP itself per search; 32 clients: the target
wrk -t1 -c1 -d"$(((duration + 1) / 2))s" --timeout 10s -s "$src/bench/web_search.lua" "$base" -- "$cookie" "$tmp/q" >"$tmp/wrk1"
wrk -t2 -c32 -d"${duration}s" --timeout 10s -s "$src/bench/web_search.lua" "$base" -- "$cookie" "$tmp/q" >"$tmp/wrk"
grep -q '^http_p95_ms' "$tmp/wrk" || { cat "$tmp/wrk"; exit 1; }

cases_n=$(val cases "$tmp/inproc")
ip50=$(val inproc_p50_ms "$tmp/inproc"); ip95=$(val inproc_p95_ms "$tmp/inproc")
imean=$(val inproc_mean_ms "$tmp/inproc"); iqps=$(val inproc_qps "$tmp/inproc")
hp50=$(val http_p50_ms "$tmp/wrk"); hp95=$(val http_p95_ms "$tmp/wrk"); hp99=$(val http_p99_ms "$tmp/wrk")
hqps=$(val http_qps "$tmp/wrk"); herr=$(val http_errors "$tmp/wrk"); hreq=$(val http_requests "$tmp/wrk")
s50=$(val http_p50_ms "$tmp/wrk1"); s95=$(val http_p95_ms "$tmp/wrk1"); sqps=$(val http_qps "$tmp/wrk1")

awk -v c="$cases_n" -v nq="$nq" -v t0="$t0" -v t1="$t1" -v open="$(val open_s "$tmp/inproc")" \
	-v idx="$(val index_ms "$tmp/inproc")" -v hits="$(val mean_hits "$tmp/inproc")" \
	-v ip50="$ip50" -v ip95="$ip95" -v imean="$imean" -v iqps="$iqps" \
	-v hp50="$hp50" -v hp95="$hp95" -v hp99="$hp99" -v hqps="$hqps" -v herr="$herr" -v hreq="$hreq" \
	-v s50="$s50" -v s95="$s95" -v sqps="$sqps" 'BEGIN {
	printf "bench_web: name search over %d cases, %d distinct queries (Hangul, romanized, surname only)\n", c, nq;
	printf "  vault fill (generate + kith import): %.1f s; unlock and index in process: %.2f s + %.0f ms; %.1f hits/query\n", t1 - t0, open, idx, hits;
	printf "  in process (the limit), one at a time: p50 %.2f ms, p95 %.2f ms, %.0f queries/s\n", ip50, ip95, iqps;
	printf "  HTTP, 1 client:                        p50 %.2f ms, p95 %.2f ms, %.0f queries/s; HTTP/in-process p50 %.2fx\n", s50, s95, sqps, s50 / ip50;
	printf "  HTTP, wrk 2 threads x 32 connections:  p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, %.0f queries/s (%d requests, %d errors)\n", hp50, hp95, hp99, hqps, hreq, herr;
	printf "  ratio HTTP/in-process: p50 %.1fx, p95 %.1fx; throughput %.2f of the in-process rate\n", hp50 / ip50, hp95 / ip95, hqps / iqps;
	printf "  queueing floor for 32 clients, one search at a time (the vault is serialized): 32 x in-process mean %.2f ms = %.1f ms; HTTP p95 / floor = %.2f\n", imean, 32 * imean, hp95 / (32 * imean);
	printf "  for p95 < 50 ms at 32 clients one search must take under %.2f ms in process (now %.2f ms)\n", 50 / 32, imean;
	printf "  target p95 < 50 ms: %s (p95 / target = %.2f)\n", (hp95 < 50 ? "met" : "NOT met"), hp95 / 50;
}'
