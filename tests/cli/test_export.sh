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

# every export is recorded: when, format, language, consent filter, counts, who
expect 0 "export --log" -- k export --log
has "$T/out" "sheet ko  consent all +[0-9]+ cases, 0 left out" "the Korean sheet is in the log"
has "$T/out" "csv +en  consent sharing +1 cases, 2 left out, 0 attachments" "the consent filter and what it left out are in the log"
expect 0 "export --log --json" -- k export --log --json
has "$T/out" '"consent": "sharing"' "JSON gives the consent filter"
has "$T/out" '"by": "' "and who exported"
n_log=$(grep -c '"format"' "$T/out")
expect 2 "a bad format is not recorded" -- k export --format xlsx
expect 0 "the log again" -- k export --log --json
[ "$(grep -c '"format"' "$T/out")" = "$n_log" ] && ok "a refused export is not recorded" || bad "a refused export was recorded"

# attachments beside the cases, with the same consent
printf 'a signed consent form\n' >"$T/form.txt"
expect 0 "attach to the sharing case" -- k attach add E-1 "$T/form.txt"
expect 0 "attach to a case without consent" -- k attach add E-2 "$T/form.txt"
expect 0 "export --consent sharing --attachments" -- k export --format sheet --consent sharing -o "$T/s2.csv" --attachments "$T/att.tar"
has "$T/err" "1 attachment written to .*att.tar; 1 left out" "says how many attachments were left out"
[ "$(tar tf "$T/att.tar" | wc -l)" = 1 ] && tar tf "$T/att.tar" | grep -q "^E-1/" && ok "only the sharing case's attachment" || bad "tar: $(tar tf "$T/att.tar")"
expect 0 "the log records the attachments" -- k export --log
has "$T/out" "sheet en  consent sharing +1 cases, 2 left out, 1 attachments" "the attachments count is in the log"

# bad options
expect 2 "an unknown format" -- k export --format xlsx
expect 2 "an unknown language" -- k export --format sheet --lang fr
expect 2 "an unknown consent use" -- k export --format sheet --consent gossip
expect 0 "--help" -- "$KITH" export --help
has "$T/out" "sheet" "the help names the sheet"
finish
