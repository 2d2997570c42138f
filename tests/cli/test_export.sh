#!/usr/bin/env bash
# End to end: `kith export` in its three formats, with and without the
# consent filter, and its bad options (every name here is invented).
. "$(dirname "$0")/lib.sh"

printf 'export test pass words\n' >"$T/pass"
V=$T/v.kith
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
expect 0 "init" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test
cat >"$T/cases.jsonl" <<'JSON'
{"ref":"E-1","person":{"name":"한지영","sex":"female","languages":["ko","zh"]},"journey":[{"country":"CN","date":"2012"},{"country":"TH","date":"2013"}],"consent":{"sharing":true},"notes":"=HYPERLINK(\"http://x\")","family":[{"relation":"child","case":"E-2"}]}
{"ref":"E-2","person":{"name":"한명철","sex":"male"},"consent":{"sharing":false}}
{"ref":"E-3","person":{"name":"Pak Un-hui"}}
JSON
expect 0 "import" -- k import "$T/cases.jsonl"

# the three formats; jsonl and csv are read back by import
expect 0 "export jsonl" -- k export --format jsonl -o "$T/all.jsonl"
[ "$(wc -l <"$T/all.jsonl")" = 3 ] && ok "three cases in JSON Lines" || bad "$(wc -l <"$T/all.jsonl") lines"
expect 0 "export csv" -- k export --format csv -o "$T/all.csv"
V2=$T/v2.kith
expect 0 "init a second vault" -- "$KITH" init --vault "$V2" --passphrase-file "$T/pass" --kdf test
expect 0 "the csv imports again" -- "$KITH" import "$T/all.csv" --vault "$V2" --passphrase-file "$T/pass"
expect 0 "export sheet (English)" -- k export --format sheet -o "$T/sheet.csv"
[ "$(head -c 3 "$T/sheet.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] && ok "the sheet starts with a byte-order mark" || bad "no BOM"
grep -q $'\r$' "$T/sheet.csv" && ok "CRLF line ends" || bad "no CRLF"
has "$T/sheet.csv" "Case number,Name as given" "English labels as headers"
has "$T/sheet.csv" "Journey 2: Country" "a column per journey stage"
has "$T/sheet.csv" "Female" "values as labels"
has "$T/sheet.csv" "Korean; Chinese" "lists of values joined"
has "$T/sheet.csv" "'=HYPERLINK" "a formula cell is defused"
hasnt "$T/sheet.csv" "journey_json|female" "no JSON in cells, no ids"
expect 0 "export sheet (Korean)" -- k export --format sheet --lang ko -o "$T/sheet-ko.csv"
has "$T/sheet-ko.csv" "사례 번호" "Korean labels"
has "$T/sheet-ko.csv" "여성" "Korean values"
expect 1 "a sheet is not read back by import" -- "$KITH" import "$T/sheet.csv" --vault "$V2" --passphrase-file "$T/pass"

# the consent filter, the same for every format
for f in jsonl csv sheet; do
  expect 0 "export $f --consent sharing" -- k export --format "$f" --consent sharing -o "$T/shared.$f"
  has "$T/shared.$f" "E-1" "$f: the consenting case is exported"
  hasnt "$T/shared.$f" "E-2|E-3|한명철|Pak Un-hui" "$f: the others are not, nor the link to one"
  has "$T/err" "2 cases left out: their consent does not allow sharing" "$f: says how many were left out"
done

# bad options
expect 2 "an unknown format" -- k export --format xlsx
expect 2 "an unknown language" -- k export --format sheet --lang fr
expect 2 "an unknown consent use" -- k export --format sheet --consent gossip
expect 0 "--help" -- "$KITH" export --help
has "$T/out" "sheet" "the help names the sheet"
finish
