#!/usr/bin/env bash
# End-to-end test of `kith report` on a CSV of invented persons
# (tests/cli/data/report_persons.csv: 300 rows, made up by a seeded script):
# the table, cross-tables, every format, Korean, the CTDC export, -o, and
# every bad input and usage error. Needs $KITH and $KITH_SOURCE.
set -u
: "${KITH:?set KITH to the kith binary}"
: "${KITH_SOURCE:?set KITH_SOURCE to the source tree}"
P="$KITH_SOURCE/tests/cli/data/report_persons.csv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

"$KITH" report --help >"$tmp/help"
check "--help exits 0" "[ $? -eq 0 ] && grep -q 'usage: kith report' '$tmp/help'"
"$KITH" --help 2>&1 | grep -q '^ *report ' && ok "listed in kith --help" || bad "listed in kith --help"

# one field: small cells withheld, with a complement, and the note
"$KITH" report --by origin "$P" >"$tmp/origin.txt"
check "by origin exits 0" "[ $? -eq 0 ]"
check "title" "head -1 '$tmp/origin.txt' | grep -q '^Persons by province of origin$'"
check "Kaesong (2 persons) withheld" "grep -qE '^Kaesong +x$' '$tmp/origin.txt'"
check "a published count" "grep -qE '^North Hamgyong +143$' '$tmp/origin.txt'"
check "total" "grep -qE '^Total +300$' '$tmp/origin.txt'"
check "the note says what was withheld" "grep -q 'Cells under 11 are withheld (x): 2 small count' '$tmp/origin.txt'"

# a cross-table: no published cell from 1 to 10
"$KITH" report --by origin,sex --format csv "$P" >"$tmp/cross.csv"
check "cross csv header" "head -1 '$tmp/cross.csv' | grep -q '^origin,sex,count,withheld$'"
check "no published count from 1 to 10" "! awk -F, 'NR > 1 && \$3 != \"\" && \$3 > 0 && \$3 < 11' '$tmp/cross.csv' | grep -q ."
check "withheld cells say why" "grep -q ',,small count$' '$tmp/cross.csv' && grep -q ',,protects another cell$' '$tmp/cross.csv'"
# the same with --threshold 5: fewer withheld
"$KITH" report --by origin,sex --format csv --threshold 5 "$P" >"$tmp/cross5.csv"
check "--threshold 5 withholds less" "[ \$(grep -c ',,' '$tmp/cross5.csv') -lt \$(grep -c ',,' '$tmp/cross.csv') ]"

# HXL
"$KITH" report --by origin,sex --format hxl "$P" >"$tmp/h.csv"
check "HXL hashtag row" "sed -n 2p '$tmp/h.csv' | grep -q '^#adm1+name,#affected+f,#affected+m,#affected+total$'"
"$KITH" report --by age_band --format hxl "$P" >"$tmp/age.csv"
check "HXL age attributes" "sed -n 2p '$tmp/age.csv' | grep -q '#affected+adults+age_18_20'"

# Korean, HTML, SVG, JSON, -o
"$KITH" report --by sex --lang ko "$P" >"$tmp/ko.txt"
check "Korean table" "grep -q '^성별별 인원$' '$tmp/ko.txt' && grep -qE '^여성 +256$' '$tmp/ko.txt'"
"$KITH" report --by origin,sex --format html --lang ko -o "$tmp/r.html" "$P"
check "-o writes the HTML page" "[ $? -eq 0 ] && grep -q '<html lang=\"ko\">' '$tmp/r.html' && grep -q '<svg' '$tmp/r.html'"
check "the page has no script" "! grep -qi '<script' '$tmp/r.html'"
"$KITH" report --by year --format svg "$P" >"$tmp/y.svg"
check "SVG chart" "head -1 '$tmp/y.svg' | grep -q '^<svg xmlns=\"http://www.w3.org/2000/svg\"'"
"$KITH" report --by needs --format json "$P" >"$tmp/needs.json"
check "JSON of a multi-valued field" "grep -q '\"additive\":false' '$tmp/needs.json' && grep -q '\"total\":300' '$tmp/needs.json'"
if command -v jq >/dev/null; then
	check "JSON parses" "jq -e '.persons == 300' '$tmp/needs.json' >/dev/null"
fi

# CTDC export: the published columns, k-anonymous
"$KITH" report --format ctdc "$P" >"$tmp/ctdc.csv" 2>"$tmp/ctdc.err"
check "ctdc exits 0" "[ $? -eq 0 ]"
check "ctdc header = the published columns" "head -1 '$tmp/ctdc.csv' | tr , '\n' | diff -q - '$KITH_SOURCE/tests/data/standards/ctdc_global_kanon_columns.txt' >/dev/null"
check "ctdc says what it withheld" "grep -q 'k-anonymous with k = 11' '$tmp/ctdc.err'"

# bad input and usage
printf 'sex,origin\nfemale,"unbalanced\n' >"$tmp/bad.csv"
"$KITH" report --by sex "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
check "bad CSV: exit 1, nothing on stdout" "[ $? -eq 1 ] && [ ! -s '$tmp/out' ] && grep -q 'bad.csv:' '$tmp/err'"
"$KITH" report --by nope "$P" >"$tmp/out" 2>"$tmp/err"
check "unknown field: exit 1" "[ $? -eq 1 ] && grep -q 'no field named nope' '$tmp/err'"
"$KITH" report "$P" >/dev/null 2>&1
check "no --by: usage error" "[ $? -eq 2 ]"
"$KITH" report --by a,b,c "$P" >/dev/null 2>&1
check "three fields: usage error" "[ $? -eq 2 ]"
"$KITH" report --by sex --format xlsx "$P" >/dev/null 2>&1
check "unknown format: usage error" "[ $? -eq 2 ]"
"$KITH" report --by sex --threshold 0 "$P" >/dev/null 2>&1
check "threshold 0: usage error" "[ $? -eq 2 ]"
"$KITH" report --by sex "$tmp/missing.csv" >/dev/null 2>"$tmp/err"
check "missing file: exit 1" "[ $? -eq 1 ]"
"$KITH" report --by sex -o "$tmp/nodir/x.txt" "$P" >/dev/null 2>&1
check "unwritable output: nonzero, no file" "[ $? -ne 0 ] && [ ! -e '$tmp/nodir/x.txt' ]"

# from a vault: persons after linkage, only with reporting consent, the
# others counted as left out; the same persons as kith estimate counts
if command -v jq >/dev/null; then
	printf 'report vault pass words\n' >"$tmp/pass"
	V="$tmp/v.kith"
	"$KITH" synth --cases "$tmp/sc/cases.jsonl" --people 400 --lists 3 --seed 5 >/dev/null
	# the first 25 records lose their consent to reporting
	jq -c 'if (.ref | ltrimstr("R") | tonumber) <= 25 then .consent.reporting = false else . end' \
		"$tmp/sc/cases.jsonl" >"$tmp/cases.jsonl"
	"$KITH" init --vault "$V" --passphrase-file "$tmp/pass" --kdf test >/dev/null 2>&1
	"$KITH" import --vault "$V" --passphrase-file "$tmp/pass" "$tmp/cases.jsonl" >/dev/null 2>&1
	check "vault made" "[ $? -eq 0 ]"
	kv() { "$KITH" "$@" --vault "$V" --passphrase-file "$tmp/pass"; }
	kv report --by sex --format json >"$tmp/vsex.json" 2>"$tmp/verr"
	check "report --vault exits 0" "[ $? -eq 0 ]"
	records=$(wc -l <"$tmp/cases.jsonl")
	persons=$(jq '.persons' "$tmp/vsex.json")
	left=$(jq '.left_out' "$tmp/vsex.json")
	check "persons counted once: fewer persons ($persons) than records ($records)" "[ $persons -gt 0 ] && [ $persons -lt $records ]"
	check "persons without reporting consent are left out ($left) and said" "[ $left -ge 1 ]"
	kv estimate --boot 0 --no-lcm --no-het --json >"$tmp/vest.json" 2>/dev/null
	check "the same persons as kith estimate counts" "[ \"\$(jq '.observed' '$tmp/vest.json')\" = $persons ]"
	kv report --by origin,sex --format csv >"$tmp/vcross.csv" 2>/dev/null
	check "vault cross-table: no published count from 1 to 10" "! awk -F, 'NR > 1 && \$3 != \"\" && \$3 > 0 && \$3 < 11' '$tmp/vcross.csv' | grep -q ."
	kv report --by origin --lang ko >"$tmp/vko.txt" 2>/dev/null
	check "vault, Korean labels and the left-out note" "grep -q '함경북도\\|함북' '$tmp/vko.txt' && grep -q '동의가 없는 $left명은 빠졌습니다' '$tmp/vko.txt'"
	kv report --format ctdc >"$tmp/vctdc.csv" 2>/dev/null
	check "vault CTDC export: the published columns" "head -1 '$tmp/vctdc.csv' | tr , '\n' | diff -q - '$KITH_SOURCE/tests/data/standards/ctdc_global_kanon_columns.txt' >/dev/null"
	kv report --by narrative >/dev/null 2>"$tmp/verr"
	check "free text is never counted" "[ $? -eq 1 ] && grep -q 'not a field kith reports by' '$tmp/verr'"
fi

# every example of docs/report.md
. "$KITH_SOURCE/tests/cli/doc_examples.sh"
KITH_SHARED=${KITH_SHARED:-$KITH_SOURCE/../shared} doc_examples "$KITH_SOURCE/docs/report.md"

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
