#!/usr/bin/env bash
# End to end through HTTP: the figures page's routes give exactly the figures
# of the command line for the same vault and options (report in every format,
# the estimate), and the count-together routes encode this vault, take other
# organizations' encodings (hostile uploads refused by file name) and link
# and estimate as `kith pprl link --estimate` does on the same files.
# Needs $KITH, curl and jq. Prints one line per check; exits non-zero on failure.
set -uo pipefail

command -v jq >/dev/null || { echo "not ok - jq is missing"; exit 1; }
CURL_TIMEOUT=600 # a linkage and estimate run in one request
. "$(dirname "${BASH_SOURCE[0]}")/web_lib.sh"

# run_job PATH BODY: a long run (202 and a job), then GET /api/job until it
# ends; $status and $body are the job's result (200) or its error, or the
# start's answer when it did not start.
run_job() {
	post_json "$1" "$2"
	[ "$status" = 202 ] || return 0
	check '[ "$(printf "%s" "$body" | jq -r .state)" = running ]' "$1 answers at once with a job"
	while :; do
		sleep 0.2
		req GET /api/job
		[ "$status" = 200 ] && [ "$(printf '%s' "$body" | jq -r .state)" = running ] && continue
		break
	done
	[ "$status" = 200 ] && body=$(printf '%s' "$body" | jq -c .result)
}

# --- a vault of invented people: 400 persons on 3 lists, 25 records without reporting consent
printf 'figures pass words\n' >"$tmp/pass"
V="$tmp/v.kith"
"$KITH" synth --out "$tmp/sc" --cases "$tmp/sc/cases.jsonl" --people 400 --lists 3 --seed 5 >/dev/null 2>&1
# each invented person's cases agree on sex (a third are men), so that the
# estimate by sex runs; one case is changed below to make them disagree
jq -Rn '[inputs | split(",") | select(.[0] != "record") | {(.[0]): .[1]}] | add' "$tmp/sc/truth.csv" >"$tmp/truth.json"
jq -c --slurpfile t "$tmp/truth.json" \
	'.person.sex = (if (($t[0][.ref] | ltrimstr("P") | tonumber) % 3 == 0) then "male" else "female" end)
	 | if (.ref | ltrimstr("R") | tonumber) <= 25 then .consent.reporting = false else . end' \
	"$tmp/sc/cases.jsonl" >"$tmp/cases.jsonl"
"$KITH" init --vault "$V" --passphrase-file "$tmp/pass" --kdf test >/dev/null 2>&1
"$KITH" import --vault "$V" --passphrase-file "$tmp/pass" "$tmp/cases.jsonl" >/dev/null 2>&1
check '[ $? -eq 0 ]' "vault made"
kv() { "$KITH" "$@" --vault "$V" --passphrase-file "$tmp/pass"; }

start "$V"
req GET /api/state
csrf=$(printf '%s' "$body" | jq -r .csrf)
post_json /api/unlock '{"passphrase":"figures pass words"}'
csrf=$(printf '%s' "$body" | jq -r .csrf)
check '[ "$status" = 200 ]' "unlocked through HTTP"

# --- the report: the page's numbers are the CLI's
for by in sex origin origin,sex age_band,sex needs year; do
	json=$(printf '%s' "$by" | jq -Rc 'split(",")')
	post_json /api/report "{\"by\":$json,\"format\":\"json\"}"
	printf '%s' "$body" | jq -S .report >"$tmp/web.json"
	kv report --by "$by" --format json 2>/dev/null | jq -S . >"$tmp/cli.json"
	check '[ "$status" = 200 ] && [ -s "$tmp/cli.json" ] && cmp -s "$tmp/web.json" "$tmp/cli.json"' \
		"report by $by: the API's table (cells, totals, withheld) equals kith report's"
done
post_json /api/report '{"by":["origin","sex"],"format":"json"}'
left=$(printf '%s' "$body" | jq .info.left_out)
check '[ "$left" -gt 0 ] && [ "$(printf "%s" "$body" | jq .report.left_out)" = "$left" ]' "persons without reporting consent left out and counted ($left)"
check 'printf "%s" "$body" | jq -e ".svg | startswith(\"<svg\")" >/dev/null' "the chart comes with the table"
for f in csv hxl ctdc html svg table; do
	for lang in en ko; do
		req POST /api/report -H 'Content-Type: application/json' \
			--data-binary "{\"by\":[\"origin\",\"sex\"],\"format\":\"$f\",\"lang\":\"$lang\"}"
		cp "$tmp/b" "$tmp/web.$f"
		kv report --by origin,sex --format "$f" --lang "$lang" -o "$tmp/cli.$f" 2>/dev/null
		check '[ "$status" = 200 ] && cmp -s "$tmp/web.$f" "$tmp/cli.$f"' "download $f ($lang) is byte for byte kith report's"
	done
done
req POST /api/report -H 'Content-Type: application/json' --data-binary '{"by":["sex"],"format":"hxl"}'
check '[[ "$(hdr Content-Disposition)" == *kith-report-hxl.csv* ]]' "the HXL download is named"
post_json /api/report '{"by":["person.name"],"format":"json"}'
check '[ "$status" = 400 ]' "free text is never counted"
post_json /api/report '{"by":["sex"],"format":"xlsx"}'
check '[ "$status" = 400 ] && [ "$(printf "%s" "$body" | jq -r .error.field)" = format ]' "a bad format names the field"

# --- the estimate: the page's figures are kith estimate --vault's
run_job /api/estimate '{"lang":"en"}'
printf '%s' "$body" >"$tmp/west.json"
kv estimate --json >"$tmp/cest.json" 2>/dev/null
check '[ "$status" = 200 ] && [ "$(jq -c "[.observed, .lists, (.models | map([.name, .n_hat]))]" "$tmp/cest.json")" = "$(jq -c ".result | [.observed, .lists, (.models | map([.name, .n_hat]))]" "$tmp/west.json")" ]' \
	"estimate: observed, lists and every model's estimate equal kith estimate --vault's"
check '[ "$(jq -c .counted "$tmp/west.json")" = "$(jq -c .counted "$tmp/cest.json")" ]' "what was counted and left out equals the CLI's"
kv estimate 2>/dev/null | sed -n '/^About/,/^$/p' | head -1 >"$tmp/csum.txt"
check 'grep -qF "$(jq -r ".summaries[0].text" "$tmp/west.json" | head -1 | cut -c1-60)" "$tmp/csum.txt"' "the plain-language sentence is the CLI's"
# stratified: the page answers as the CLI does, when the persons' cases agree
# on sex and, after one case is changed, when they do not (refused by both,
# naming the cases)
run_job /api/estimate '{"lang":"ko","stratify":"person.sex"}'
kv estimate --stratify person.sex --json >"$tmp/cstrat.json" 2>"$tmp/cerr"
crc=$?
check '[ "$status" = 200 ] && [ $crc -eq 0 ] && printf "%s" "$body" | jq -e ".summaries | length >= 2" >/dev/null' "stratified by sex, as the CLI"
printf '%s' "$body" | jq -c '.result.coverage' >"$tmp/wcov.json"
check '[ "$(jq -c .coverage "$tmp/cstrat.json")" = "$(cat "$tmp/wcov.json")" ] && jq -e ".strata | length >= 2" "$tmp/wcov.json" >/dev/null' \
	"coverage by stratum (and the covariate model's figures) equal the CLI's"
kv show R0000035 --json 2>/dev/null | jq '.person.sex = (if .person.sex == "male" then "female" else "male" end)' |
	kv edit R0000035 - >/dev/null 2>&1
run_job /api/estimate '{"lang":"ko","stratify":"person.sex"}'
kv estimate --stratify person.sex --json >/dev/null 2>"$tmp/cerr"
crc=$?
check '[ "$status" = 400 ] && [ $crc -eq 1 ] && grep -q R0000035 "$tmp/cerr" && grep -qF "$(printf "%s" "$body" | jq -r .error.field)" "$tmp/cerr"' \
	"a person whose cases disagree on sex: refused by the page as by the CLI, naming the cases"
orgs=$(jq -r '.counted.lists[].organization' "$tmp/west.json")
map="organization,list"
for o in $orgs; do map="$map\\n$o,List $o"; done
run_job /api/estimate "{\"lists\":\"$map\\n\"}"
check '[ "$status" = 200 ] && [ "$(printf "%s" "$body" | jq -r .counted.list_mapping)" = given ]' "a list mapping from the page"
run_job /api/estimate '{"lists":"org,list\nA,B\n","lists_name":"mine.csv"}'
check '[ "$status" = 400 ] && printf "%s" "$body" | jq -r .error.field | grep -q mine.csv' "a bad mapping is refused, naming the file"

# --- count together
cd "$tmp" || exit 1
"$KITH" pprl keygen --secret secret.txt 2>/dev/null
"$KITH" pprl keygen --sign-key org.key >/dev/null 2>&1
"$KITH" pprl keygen --secret other.txt 2>/dev/null
js() { jq -Rs . <"$1"; }
post_json /api/pprl/encode "{\"org\":\"shelter\",\"secret\":$(js secret.txt),\"secret_name\":\"secret.txt\",\"sign_key\":$(js org.key),\"sign_name\":\"org.key\"}"
printf '%s' "$body" | jq -r .data | base64 -d >web.kpe
kv pprl encode --secret-file secret.txt --sign-key org.key --org shelter --out cli.kpe 2>/dev/null
check '[ "$status" = 200 ] && [ "$("$KITH" pprl inspect web.kpe | grep -i records)" = "$("$KITH" pprl inspect cli.kpe | grep -i records)" ]' "the page's encoding holds the records kith pprl encode --vault writes"
check '[ "$(printf "%s" "$body" | jq .no_consent)" -ge 25 ]' "cases without consent to statistics left out and counted"
check '! grep -qaF "R1" web.kpe || ! grep -qaE "\"ref\"|R[0-9]+," web.kpe' "no case ref in the encoding"
post_json /api/pprl/encode "{\"org\":\"shelter\",\"secret\":$(js org.key),\"secret_name\":\"org.key\",\"sign_key\":$(js org.key),\"sign_name\":\"org.key\"}"
check '[ "$status" = 400 ] || [ "$status" = 200 ]' "a signing key as the secret: answered"
post_json /api/pprl/encode "{\"org\":\"shelter\",\"secret\":$(js secret.txt),\"sign_key\":$(js secret.txt),\"sign_name\":\"mykey.txt\"}"
check '[ "$status" = 400 ] && [ "$(printf "%s" "$body" | jq -r .error.field)" = mykey.txt ]' "not a signing key: refused, naming the file"
# two other organizations from the same synthetic population, encoded by the CLI
"$KITH" synth --out syn --people 300 --lists 3 --seed 9 >/dev/null 2>&1
srcs=$(tail -n +2 syn/records.csv | cut -d, -f2 | sort -u | head -2)
others=()
for s in $srcs; do
	"$KITH" pprl encode --secret-file secret.txt --sign-key org.key --org "org$s" --source "$s" --out "o$s.kpe" syn/records.csv 2>/dev/null
	others+=("o$s.kpe")
	req POST "/api/pprl/files?name=o$s.kpe" -H 'Content-Type: application/octet-stream' --data-binary "@o$s.kpe"
done
check '[ "$status" = 200 ] && [ "$(printf "%s" "$body" | jq ".files | length")" = 3 ]' "three encodings staged (this vault's and two others')"
echo "not an encoding" >text.kpe
req POST "/api/pprl/files?name=text.kpe" -H 'Content-Type: application/octet-stream' --data-binary @text.kpe
check '[ "$status" -ge 400 ] && printf "%s" "$body" | jq -r ".error.field + .error.message" | grep -q text.kpe' "a file that is not an encoding is refused by name"
head -c $((17 * 1024 * 1024)) /dev/zero >big.kpe
req POST "/api/pprl/files?name=big.kpe" -H 'Content-Type: application/octet-stream' --data-binary @big.kpe
check '[ "$status" = 413 ]' "an upload over 16 MiB is refused (413)"
"$KITH" pprl encode --secret-file other.txt --sign-key org.key --org strangers --source "$(echo "$srcs" | head -1)" --out strangers.kpe syn/records.csv 2>/dev/null
req POST "/api/pprl/files?name=strangers.kpe" -H 'Content-Type: application/octet-stream' --data-binary @strangers.kpe
run_job /api/pprl/link '{"lang":"en"}'
check '[ "$status" = 400 ] && printf "%s" "$body" | jq -r .error.message | grep -q "another secret"' "an encoding made with another secret is refused at linkage"
post_json /api/pprl/files/clear '{}'
check '[ "$(printf "%s" "$body" | jq ".files | length")" = 0 ]' "staged files forgotten"
for f in web.kpe "${others[@]}"; do
	req POST "/api/pprl/files?name=$f" -H 'Content-Type: application/octet-stream' --data-binary "@$f"
done
run_job /api/pprl/link '{"lang":"ko"}'
printf '%s' "$body" >wlink.json
"$KITH" pprl link web.kpe "${others[@]}" --estimate --json --table ctab.csv 2>/dev/null | sed -n '/^{/,$p' >clink.json
check '[ "$status" = 200 ] && [ "$(jq .linkage.persons wlink.json)" = "$(jq .persons clink.json)" ]' "linkage: the same persons as kith pprl link ($(jq .linkage.persons wlink.json))"
check '[ "$(jq -c "[.estimate.n_hat, .estimate.lo_with_linkage, .estimate.hi_with_linkage]" wlink.json)" = "$(jq -c "[.estimate.n_hat, .estimate.lo_with_linkage, .estimate.hi_with_linkage]" clink.json)" ]' \
	"joint estimate and its interval with the linkage's uncertainty equal the CLI's"
check '[ "$(jq -r .table_csv wlink.json)" = "$(cat ctab.csv)" ]' "the table equals kith pprl link --table"
check 'jq -r .summary wlink.json | grep -q "명"' "the joint summary in Korean"

finish
