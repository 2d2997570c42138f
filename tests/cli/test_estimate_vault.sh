#!/usr/bin/env bash
# End to end: `kith estimate --vault V [--lists MAP] [--stratify FIELD]` —
# persons from the vault's cases (confirmed links and record linkage, a
# rejected link wins over the model), only cases with reporting consent,
# lists = recording organizations through an explicit mapping; bad inputs.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "ok - skipped: no jq"; finish; exit; }

printf 'estimate vault pass words\n' >"$T/pass"
V=$T/v.kith
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
Q=(--boot 0 --no-lcm)
expect 0 "init" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test

# Three organizations (invented people). Anna Berg is on all three lists,
# Eva Falk on two, Ivar Jung on two but the reviewer will say no, the rest on one.
cat >"$T/cases.jsonl" <<'EOF'
{"ref":"C-1","person":{"name":"Anna Berg","sex":"female","birth":"1980","origin":{"province":"ryanggang"}},"source":{"organization":"shelter"},"consent":{"reporting":true}}
{"ref":"C-2","person":{"name":"Anna Berg","sex":"female","birth":"1980","origin":{"province":"ryanggang"}},"source":{"organization":"police"},"consent":{"reporting":true}}
{"ref":"C-3","person":{"name":"Anna Berg","birth":"1980","origin":{"province":"ryanggang"}},"source":{"organization":"church"},"consent":{"reporting":true}}
{"ref":"C-4","person":{"name":"Eva Falk","sex":"female","birth":"1990","origin":{"province":"chagang"}},"source":{"organization":"shelter"},"consent":{"reporting":true}}
{"ref":"C-5","person":{"name":"Eva Falk","sex":"female","birth":"1990","origin":{"province":"chagang"}},"source":{"organization":"church"},"consent":{"reporting":true}}
{"ref":"C-6","person":{"name":"Ivar Jung","sex":"male","birth":"1955","origin":{"province":"pyongyang"}},"source":{"organization":"police"},"consent":{"reporting":true}}
{"ref":"C-7","person":{"name":"Ivar Jung","sex":"male","birth":"1955","origin":{"province":"pyongyang"}},"source":{"organization":"church"},"consent":{"reporting":true}}
{"ref":"C-8","person":{"name":"Gustav Holm","sex":"male","birth":"1960","origin":{"province":"kangwon"}},"source":{"organization":"church"},"consent":{"reporting":true}}
{"ref":"C-9","person":{"name":"Olga Nyberg","sex":"female","birth":"1971","origin":{"province":"north_hamgyong"}},"source":{"organization":"police"},"consent":{"reporting":true}}
{"ref":"C-10","person":{"name":"Petra Quist","sex":"female","birth":"1983","origin":{"province":"south_hamgyong"}},"source":{"organization":"shelter"},"consent":{"reporting":true}}
{"ref":"C-11","person":{"name":"Rut Sand","sex":"female","birth":"1966","origin":{"province":"kangwon"}},"source":{"organization":"police"},"consent":{"reporting":true}}
{"ref":"C-12","person":{"name":"Tove Ulv","sex":"female","birth":"1977","origin":{"province":"chagang"}},"consent":{"reporting":true}}
{"ref":"C-13","person":{"name":"Vera Wik","sex":"female","birth":"1985","origin":{"province":"kangwon"}},"source":{"organization":"police"},"consent":{"reporting":false}}
{"ref":"C-14","person":{"name":"Ylva Zorn","sex":"female","birth":"1988","origin":{"province":"chagang"}},"source":{"organization":"church"}}
EOF
expect 0 "import" -- k import "$T/cases.jsonl"

# record linkage alone joins the three Anna Bergs, the two Eva Falks and the two Ivar Jungs
expect 0 "estimate from the vault" -- k estimate "${Q[@]}" --json
[ "$(jq '.observed' "$T/out")" = 7 ] && ok "7 persons on lists (14 cases, 1 without an organization, 2 without reporting consent)" ||
  bad "observed $(jq '.observed' "$T/out")"
[ "$(jq '.counted.left_out.no_reporting_consent' "$T/out")" = 2 ] && ok "two cases left out for want of reporting consent (false, and unstated)" ||
  bad "left out $(jq -c '.counted.left_out' "$T/out")"
[ "$(jq '.counted.left_out.no_organization' "$T/out")" = 1 ] && ok "one case on no list" || bad "$(jq -c '.counted' "$T/out")"
[ "$(jq -r '.counted.list_mapping' "$T/out")" = derived ] && ok "the mapping is said to be derived" || bad "$(jq -c '.counted' "$T/out")"
[ "$(jq -c '.lists | sort' "$T/out")" = '["church","police","shelter"]' ] && ok "lists are the organizations" ||
  bad "lists $(jq -c '.lists' "$T/out")"
[ "$(jq '.counted.cases' "$T/out")" = 14 ] && [ "$(jq '.counted.joins_linkage' "$T/out")" = 4 ] && [ "$(jq '.counted.joins_confirmed' "$T/out")" = 0 ] &&
  ok "the output says how cases became persons" || bad "$(jq -c '.counted' "$T/out")"

# the reviewer says Ivar Jung's two cases are two people: a rejected link wins
expect 0 "propose" -- k link propose --reviewer tester
expect 0 "review --json" -- k link review --json
L=$(jq -r '.[] | select([.cases[].ref] | index("C-6")) | .id' "$T/out")
[ ${#L} -eq 32 ] && ok "the Ivar Jung link was proposed" || bad "no link over C-6: $(cat "$T/out")"
expect 0 "reject it" -- k link reject "$L" --reviewer rev-a
expect 0 "estimate after the rejection" -- k estimate "${Q[@]}" --json
[ "$(jq '.observed' "$T/out")" = 8 ] && ok "the rejected pair stays two persons" || bad "observed $(jq '.observed' "$T/out")"
[ "$(jq '.counted.vetoed_pairs' "$T/out")" = 1 ] && ok "the vetoed pair is counted" || bad "$(jq -c '.counted' "$T/out")"

# a manual merge (without a note) of two cases the model keeps apart joins them
expect 0 "merge C-9 and C-11" -- k link merge C-9 C-11 --reviewer rev-a
expect 0 "estimate after the merge" -- k estimate "${Q[@]}" --json
[ "$(jq '.observed' "$T/out")" = 7 ] && ok "a confirmed merge joins two cases" || bad "observed $(jq '.observed' "$T/out")"
[ "$(jq '.counted.joins_confirmed' "$T/out")" = 1 ] && ok "the confirmed join is counted" || bad "$(jq -c '.counted' "$T/out")"

# the text output names the lists
expect 0 "estimate, text" -- k estimate "${Q[@]}"
has "$T/out" "7 people observed on 3 lists" "the table counts persons and lists"
has "$T/out" "Lists \(each organization as written\)" "the lists are shown before the figures"
has "$T/out" 'police +<- "police" \(4 cases\)' "each list with the spellings mapped to it and their cases"
has "$T/out" "Left out: 2 cases without consent to reporting" "what was left out and why"
hasnt "$T/out" "Vera|Ylva" "no name of a case left out"

# organizations written in several ways: refused without a mapping, mapped with one
V3=$T/v3.kith
expect 0 "init a third vault" -- "$KITH" init --vault "$V3" --passphrase-file "$T/pass" --kdf test
sed -e 's/"organization":"police"}/"organization":"Police Dept."}/' -e '/"C-2"/s/"Police Dept."/"police dept"/' "$T/cases.jsonl" >"$T/spelled.jsonl"
expect 0 "import cases with two spellings of one organization" -- "$KITH" import "$T/spelled.jsonl" --vault "$V3" --passphrase-file "$T/pass"
expect 1 "estimate with spellings written alike" -- "$KITH" estimate "${Q[@]}" --vault "$V3" --passphrase-file "$T/pass"
has "$T/err" 'lists: the organizations "Police Dept." and "police dept" are written alike' "the refusal names both spellings and asks for a mapping"
printf 'organization,list\nPolice Dept.,Police\npolice dept,Police\nshelter,Shelter\nchurch,Church\n' >"$T/map.csv"
expect 0 "estimate with a list mapping" -- "$KITH" estimate "${Q[@]}" --vault "$V3" --passphrase-file "$T/pass" --lists "$T/map.csv" --json
[ "$(jq -c '.lists | sort' "$T/out")" = '["Church","Police","Shelter"]' ] && ok "lists named by the mapping" || bad "lists $(jq -c '.lists' "$T/out")"
[ "$(jq '.observed' "$T/out")" = 7 ] && ok "the same persons as with one spelling" || bad "observed $(jq '.observed' "$T/out")"
[ "$(jq -r '.counted.list_mapping' "$T/out")" = given ] && ok "the mapping is said to be given" || bad "$(jq -c '.counted' "$T/out")"
printf 'organization,list\nPolice Dept.,Police\nshelter,Shelter\nchurch,Church\n' >"$T/short.csv"
expect 0 "a mapping that leaves a spelling out" -- "$KITH" estimate "${Q[@]}" --vault "$V3" --passphrase-file "$T/pass" --lists "$T/short.csv" --json
[ "$(jq '.counted.left_out.unmapped' "$T/out")" = 1 ] && ok "the case whose spelling is not mapped is left out and counted" || bad "$(jq -c '.counted' "$T/out")"
printf 'organization,list\nPolice Dept.,Police\nPolice Dept.,Other\n' >"$T/twice.csv"
expect 1 "a spelling mapped twice" -- "$KITH" estimate "${Q[@]}" --vault "$V3" --passphrase-file "$T/pass" --lists "$T/twice.csv"
has "$T/err" "twice.csv:3:organization: this spelling is mapped twice" "the error names file, line and field"
printf 'org,name\nx,y\n' >"$T/hdr.csv"
expect 1 "a mapping with the wrong header" -- "$KITH" estimate "${Q[@]}" --vault "$V3" --passphrase-file "$T/pass" --lists "$T/hdr.csv"
has "$T/err" 'organization,list' "the error says which header"

# --stratify: a person's cases vote; a missing value does not disagree
expect 0 "--stratify person.sex" -- k estimate "${Q[@]}" --stratify person.sex --json
[ "$(jq -r '[.strata[].stratum] | sort | join(",")' "$T/out")" = "female,male" ] &&
  ok "strata female and male" || bad "strata $(jq -c '[.strata[].stratum]' "$T/out")"
[ "$(jq '.total.observed' "$T/out")" = 7 ] && ok "the total over strata" || bad "total $(jq '.total.observed' "$T/out")"
# coverage by stratum: in the JSON (what the web page shows) as in the text
[ "$(jq -r '.coverage.field' "$T/out")" = person.sex ] && [ "$(jq '.coverage.strata | length' "$T/out")" = 2 ] &&
  ok "coverage by stratum in the JSON" || bad "coverage $(jq -c '.coverage' "$T/out")"
[ "$(jq '[.coverage.strata[].observed] | add' "$T/out")" = 7 ] && ok "coverage: the strata's observed add up to the total" ||
  bad "coverage observed $(jq -c '[.coverage.strata[].observed]' "$T/out")"
jq -e '.coverage.words_en | test("reached the strata of person.sex")' "$T/out" >/dev/null &&
  jq -e '.coverage.words_ko | test("person.sex의 층")' "$T/out" >/dev/null &&
  ok "coverage: the sentence in both languages" || bad "words $(jq -c '.coverage.words_en, .coverage.words_ko' "$T/out")"
W=$(jq -r '.coverage.words_en' "$T/out")
expect 0 "--stratify person.sex, text" -- k estimate "${Q[@]}" --stratify person.sex
has "$T/out" "coverage by person.sex" "coverage by stratum in the text"
grep -qF "$W" "$T/out" && ok "the text says what the JSON says" || bad "text and JSON differ"
# the latent-class model with the stratifying field as a covariate (short chains)
L=(--boot 0 --lcm-burnin 500 --lcm-iter 2000 --lcm-chains 2)
expect 0 "--stratify with latent classes" -- k estimate "${L[@]}" --stratify person.sex --json
[ "$(jq -r '.total.lcm_covariate.model.model' "$T/out")" = "LCM K=10 by person.sex" ] &&
  [ "$(jq '.total.lcm_covariate.strata | length' "$T/out")" = 2 ] &&
  ok "the total has the covariate model, with each stratum's posterior" || bad "$(jq -c '.total.lcm_covariate' "$T/out")"
jq -e '.coverage.strata[0].lcm_covariate.median > 0 and .coverage.lcm_covariate.n_hat >= 7' "$T/out" >/dev/null &&
  ok "coverage carries the covariate model's figures" || bad "$(jq -c '.coverage' "$T/out")"
expect 0 "--stratify with latent classes, text in Korean" -- k estimate "${L[@]}" --stratify person.sex --lang ko
has "$T/out" "person.sex별 도달률" "coverage in Korean"
has "$T/out" "LCM K=10 by person.sex" "the covariate model is a row of the panel"
expect 0 "--stratify sex (a bare name under person)" -- k estimate "${Q[@]}" --stratify sex --json
[ "$(jq '.strata | length' "$T/out")" = 2 ] && ok "bare field name works" || bad "strata $(jq -c '.strata' "$T/out")"
expect 0 "--stratify a field no case has" -- k estimate "${Q[@]}" --stratify person.nothing --json
[ "$(jq -r '.strata[0].stratum' "$T/out")" = unknown ] && ok "everyone in stratum unknown" || bad "$(cat "$T/out")"

# bad inputs: a person whose cases disagree; a field that is not one value
expect 0 "merge C-1 (female) with C-6 (male)" -- k link merge C-1 C-6 --reviewer rev-b
expect 1 "--stratify with a disagreeing person" -- k estimate "${Q[@]}" --stratify person.sex
has "$T/err" "C-[0-9]+, C-[0-9]+: one person, but the cases differ in person.sex" "the error names two case refs"
hasnt "$T/err" "Anna|Ivar|female|male" "the error shows no name or value"
expect 1 "--stratify an object" -- k estimate "${Q[@]}" --stratify person.origin
has "$T/err" "not a single value" "an object cannot stratify"
expect 2 "--stratify empty" -- k estimate "${Q[@]}" --stratify ""

# one organization only: no estimate
V2=$T/v2.kith
expect 0 "init a second vault" -- "$KITH" init --vault "$V2" --passphrase-file "$T/pass" --kdf test
head -2 "$T/cases.jsonl" | sed 's/"police"/"shelter"/' >"$T/one.jsonl"
expect 0 "import one organization" -- "$KITH" import "$T/one.jsonl" --vault "$V2" --passphrase-file "$T/pass"
expect 1 "one list" -- "$KITH" estimate "${Q[@]}" --vault "$V2" --passphrase-file "$T/pass"
has "$T/err" "two lists or more" "the error says why"
expect 1 "wrong passphrase" -- "$KITH" estimate "${Q[@]}" --vault "$V2" --passphrase-file "$T/cases.jsonl"
finish
