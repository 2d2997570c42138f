#!/usr/bin/env bash
# End to end: `kith synth`, the generator of fictional labelled data.
. "$(dirname "$0")/lib.sh"

expect 0 "synth --help" -- "$KITH" synth --help
has "$T/out" "usage: kith synth" "synth --help prints usage"

# --- outputs
expect 0 "synth 600 people" -- "$KITH" synth --out "$T/a" --people 600 --seed 3
for f in records.csv truth.csv; do
  [ -s "$T/a/$f" ] && ok "wrote $f" || bad "no $f"
done
[ ! -e "$T/a/families.csv" ] && ok "no families without --families" || bad "families.csv without --families"
has "$T/a/records.csv" "^id,source,name,other_names,sex,birth_year,birth_date,origin,age,age_in_year$" "records header"
has "$T/a/truth.csv" "^record,person$" "truth header"
[ "$(wc -l <"$T/a/records.csv")" -eq "$(wc -l <"$T/a/truth.csv")" ] && ok "one truth line per record" || bad "truth and records differ in length"
has "$T/a/records.csv" ",(shelter-seoul|police-bangkok|church-yanbian|resettlement)," "records name their lists"
has "$T/a/records.csv" ",(김|이|박|최|정|리)" "some names in Hangul"
has "$T/a/records.csv" ",[A-Z][a-z]+ [A-Z]" "some names romanized"
has "$T/out" "600 people" "the summary gives the population"
ls -A "$T/a" | grep -q tmp && bad "temporary files left behind" || ok "no temporary files left"

# --- deterministic for a seed, different for another
expect 0 "synth again, same seed" -- "$KITH" synth --out "$T/b" --people 600 --seed 3
cmp -s "$T/a/records.csv" "$T/b/records.csv" && ok "same seed, same records" || bad "same seed, different records"
cmp -s "$T/a/truth.csv" "$T/b/truth.csv" && ok "same seed, same truth" || bad "same seed, different truth"
expect 0 "synth, another seed" -- "$KITH" synth --out "$T/c" --people 600 --seed 4
cmp -s "$T/a/records.csv" "$T/c/records.csv" && bad "another seed, same records" || ok "another seed, other records"

# --- families, tracing requests, cases
expect 0 "synth --families --cases --json" -- "$KITH" synth --out "$T/f" --people 1500 --seed 9 --families --lists 3 \
  --cases "$T/f/cases.jsonl" --json
has "$T/f/families.csv" "^mother,child,separation_place,separation_year,trace$" "families header"
has "$T/f/trace_requests.jsonl" '"relation":"child"' "tracing requests seek children"
has "$T/f/cases.jsonl" '"organization":"' "cases carry their list as source.organization"
has "$T/out" '"traces": [1-9]' "the JSON summary counts tracing requests"
has "$T/out" '"lists": \[' "the JSON summary lists the lists"
n_rec=$(($(wc -l <"$T/f/records.csv") - 1))
n_cases=$(wc -l <"$T/f/cases.jsonl")
[ "$n_rec" -eq "$n_cases" ] && ok "one case per record" || bad "$n_cases cases for $n_rec records"
if command -v jq >/dev/null; then
  jq -e . "$T/f/cases.jsonl" >/dev/null 2>&1 && ok "cases are JSON Lines" || bad "cases are not JSON"
  jq -e . "$T/f/trace_requests.jsonl" >/dev/null 2>&1 && ok "tracing requests are JSON Lines" || bad "traces are not JSON"
fi

# --- the cases import into a vault as valid case records
printf 'synthetic pass words\n' >"$T/pass"
expect 0 "init a vault" -- "$KITH" init --vault "$T/v.kith" --passphrase-file "$T/pass" --kdf test
expect 0 "import the generated cases" -- "$KITH" import "$T/f/cases.jsonl" --vault "$T/v.kith" --passphrase-file "$T/pass"
has "$T/out" "imported $n_cases case" "every case imported"

# --- the demo's commands, exactly (the folder of --cases is made if missing)
expect 0 "demo: synth --cases into a new folder" -- bash -c "cd '$T' && '$KITH' synth --people 2000 --seed 1 --cases demo/cases.jsonl"
[ -s "$T/demo/cases.jsonl" ] && ok "demo/cases.jsonl written" || bad "no demo/cases.jsonl"
expect 0 "demo: init" -- "$KITH" init --vault "$T/demo/v.kith" --passphrase-file "$T/pass" --kdf test
expect 0 "demo: import" -- "$KITH" import "$T/demo/cases.jsonl" --vault "$T/demo/v.kith" --passphrase-file "$T/pass"
has "$T/out" "imported $(wc -l <"$T/demo/cases.jsonl") case" "demo: every case imported"
expect 0 "demo: link propose" -- "$KITH" link propose --vault "$T/demo/v.kith" --passphrase-file "$T/pass" --reviewer demo
has "$T/out" "links proposed" "demo: links proposed"
expect 0 "demo: estimate from the vault" -- "$KITH" estimate --vault "$T/demo/v.kith" --passphrase-file "$T/pass" --boot 0 --no-lcm
has "$T/out" "people observed on 4 lists" "demo: estimate over the four lists"

# --- bad input
expect 2 "no output given" -- "$KITH" synth --people 10
expect 2 "--people 0" -- "$KITH" synth --out "$T/x" --people 0
expect 2 "--people not a number" -- "$KITH" synth --out "$T/x" --people many
expect 2 "--lists 17" -- "$KITH" synth --out "$T/x" --lists 17
expect 2 "--seed -1" -- "$KITH" synth --out "$T/x" --seed -1
expect 2 "unknown option" -- "$KITH" synth --out "$T/x" --frob
expect 2 "stray argument" -- "$KITH" synth --out "$T/x" extra
printf 'x' >"$T/file"
expect 4 "--out is a file" -- "$KITH" synth --out "$T/file/sub"
expect 4 "--cases in a folder that cannot be made" -- "$KITH" synth --cases "$T/file/sub/c.jsonl"
has "$T/err" "cannot make the folder" "the error says so"
finish
