#!/usr/bin/env bash
# End to end: `kith list` — filters, order, pages, other kinds, bad options
# (every name here is invented).
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "ok - skipped: no jq"; finish; exit; }

printf 'list test pass words\n' >"$T/pass"
V=$T/v.kith
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
expect 0 "init" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test
cat >"$T/cases.jsonl" <<'JSON'
{"ref":"R10","person":{"name":"한지영","sex":"female","origin":{"province":"ryanggang"}},"status":"active","needs":["shelter","legal"]}
{"ref":"R2","person":{"name":"Kim Ok-sun","sex":"female","origin":{"province":"chagang"}},"status":"closed"}
{"ref":"R9","person":{"name":"가나다","sex":"male","origin":{"province":"ryanggang"}},"status":"active","needs":["legal"]}
JSON
expect 0 "import" -- k import "$T/cases.jsonl"

expect 0 "list, text" -- k list
[ "$(wc -l <"$T/out")" = 3 ] && ok "three lines" || bad "$(cat "$T/out")"
has "$T/err" "^3 cases$" "the total on stderr"
expect 0 "--sort ref" -- k list --sort ref --json
[ "$(jq -r '[.[].ref] | join(" ")' "$T/out")" = "R2 R9 R10" ] && ok "case numbers in number order" || bad "$(jq -c '[.[].ref]' "$T/out")"
expect 0 "--sort ref --reverse" -- k list --sort ref --reverse --json
[ "$(jq -r '[.[].ref] | join(" ")' "$T/out")" = "R10 R9 R2" ] && ok "reversed" || bad "$(jq -c '[.[].ref]' "$T/out")"
expect 0 "--status active --province 양강도 (a Korean label)" -- k list --status active --province 양강도 --sort ref --json
[ "$(jq -r '[.[].ref] | join(" ")' "$T/out")" = "R9 R10" ] && ok "filters by status and province" || bad "$(jq -c '[.[].ref]' "$T/out")"
expect 0 "--need legal --sex Female" -- k list --need legal --sex Female --json
[ "$(jq -r '[.[].ref] | join(" ")' "$T/out")" = "R10" ] && ok "filters by need and sex" || bad "$(jq -c '[.[].ref]' "$T/out")"
expect 0 "a page" -- k list --sort ref --offset 1 --limit 1 --json
[ "$(jq -r '[.[].ref] | join(" ")' "$T/out")" = "R9" ] && ok "the second case" || bad "$(jq -c '[.[].ref]' "$T/out")"
has "$T/err" "1 of 3 cases \(from 2\)" "a page says where it is in the total"

expect 2 "an unknown status" -- k list --status sleeping
has "$T/err" "--status: not a value" "the error names the option"
expect 2 "an unknown sort" -- k list --sort size
expect 2 "a negative offset" -- k list --offset -1
expect 2 "filters on another kind" -- k list --kind link --status active
expect 0 "another kind lists without filters" -- k list --kind link --json
[ "$(tr -d ' \n' <"$T/out")" = "[]" ] && ok "no links yet" || bad "$(cat "$T/out")"
expect 0 "--help" -- "$KITH" list --help
has "$T/out" "--province" "the help lists the filters"
finish
