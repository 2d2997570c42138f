#!/usr/bin/env bash
# End to end: `kith link` on CSV files and in a vault (propose, review,
# confirm, reject, undo, merge, persons), with every bad input of the issue.
. "$(dirname "$0")/lib.sh"

expect 0 "link --help" -- "$KITH" link --help
has "$T/out" "usage: kith link" "link --help prints usage"

# --- two small lists (invented names)
cat >"$T/a.csv" <<'EOF'
id,name,sex,birth_year,origin
a1,Anna Berg,female,1980,Ryanggang
a2,Carla Dahl,female,1975,North Hamgyong
a3,Eva Falk,female,1990,Chagang
a4,Gustav Holm,male,1960,Kangwon
EOF
cat >"$T/b.csv" <<'EOF'
id,name,sex,birth_year,origin
b1,Anna Berg,female,1980,양강도
b2,Karla Dahl,female,1976,함북
b3,Ivar Jung,male,1955,Pyongyang
EOF
expect 0 "link two files" -- "$KITH" link "$T/a.csv" "$T/b.csv" --out "$T/clusters.csv" --pairs "$T/pairs.csv"
has "$T/clusters.csv" "^id,cluster,prob$" "clusters header"
[ "$(tail -n +2 "$T/clusters.csv" | cut -d, -f1 | sort | uniq -d | wc -l)" -eq 0 ] && ok "no id twice" || bad "an id twice"
[ "$(tail -n +2 "$T/clusters.csv" | wc -l)" -eq 7 ] && ok "every id once" || bad "not every id"
c1=$(grep '^a1,' "$T/clusters.csv" | cut -d, -f2)
c2=$(grep '^b1,' "$T/clusters.csv" | cut -d, -f2)
[ -n "$c1" ] && [ "$c1" = "$c2" ] && ok "a1 and b1 are one person" || bad "a1 and b1 apart"
c3=$(grep '^a4,' "$T/clusters.csv" | cut -d, -f2)
[ "$c1" != "$c3" ] && ok "a1 and a4 are two persons" || bad "a1 and a4 joined"
has "$T/pairs.csv" "^id1,id2,weight,prob,name,sex,birth,origin,list$" "pairs header (one level per field; the list in dedupe over two lists)"
has "$T/pairs.csv" "^a1,b1,[0-9.]+,(0\.9|1\.0)" "the pair a1,b1 is scored high"
has "$T/err" "persons" "a summary on stderr"
expect 0 "clusters on stdout" -- "$KITH" link "$T/a.csv" "$T/b.csv" --out -
has "$T/out" "^a1,[0-9]+," "clusters written to stdout"
expect 0 "clusters and pairs to /dev/null" -- "$KITH" link "$T/a.csv" "$T/b.csv" --out /dev/null --pairs /dev/null
[ -c /dev/null ] && ok "/dev/null is still a device" || bad "link replaced /dev/null with a file"
expect 0 "--json summary" -- "$KITH" link "$T/a.csv" "$T/b.csv" --json
has "$T/out" '"records": 7' "summary counts the records"
has "$T/out" '"pairs_scored"' "summary counts the pairs"
has "$T/out" '"lambda"' "summary gives the prior"
has "$T/out" '"m": ' "summary gives m per level"
has "$T/out" '"blocking": \[' "summary reports the blocking rules"
expect 0 "--count reports each rule's pairs" -- "$KITH" link "$T/a.csv" "$T/b.csv" --count
has "$T/out" "^name " "the default rule is reported"

# --- explain
expect 0 "explain a pair" -- "$KITH" link explain a1 b1 "$T/a.csv" "$T/b.csv"
has "$T/out" "prior" "the waterfall starts with the prior"
has "$T/out" "^  name " "the waterfall has the name"
has "$T/out" "match probability" "the waterfall ends with the probability"
hasnt "$T/out" "Anna" "the explanation shows no name"
expect 0 "explain --json" -- "$KITH" link explain a1 b1 "$T/a.csv" "$T/b.csv" --json
has "$T/out" '"fields": \[' "explain JSON lists the fields"
expect 1 "explain an unknown id" -- "$KITH" link explain a1 zz "$T/a.csv" "$T/b.csv"
has "$T/err" "zz" "the error names the id"
expect 2 "explain with one id" -- "$KITH" link explain a1

# --- configuration: declared fields, mapped columns
cat >"$T/c.csv" <<'EOF'
rec_id,given,surname,postcode,dob,junk
r1,anna,berg,2000,19800304,x
r2,anna,berg,2000,19800304,y
r3,bob,ray,3000,19700101,z
EOF
cat >"$T/c.cfg" <<'EOF'
# columns and fields
id = rec_id
field.given = fuzzy
field.surname = fuzzy tf
field.postcode = exact
field.dob = date
ignore = junk
block = field:postcode
EOF
expect 0 "link with a configuration" -- "$KITH" link "$T/c.csv" --config "$T/c.cfg" --out "$T/cc.csv"
[ "$(grep -c '^r[12],1,' "$T/cc.csv")" -eq 2 ] && ok "declared fields link r1 and r2" || bad "r1 and r2 not linked: $(cat "$T/cc.csv")"

# --- bad input: a clear error naming file, line and column, exit 1
printf 'id,name\nx1,Ann\nx2\n' >"$T/ragged.csv"
expect 1 "ragged row" -- "$KITH" link "$T/ragged.csv"
has "$T/err" "ragged.csv:3" "the error names file and line"
printf 'id,name\nx1,"Ann\n' >"$T/quote.csv"
expect 1 "bad quoting" -- "$KITH" link "$T/quote.csv"
has "$T/err" "quote.csv:2" "quoting error names the line"
printf 'id,name\nx1,Ann\xff\n' >"$T/utf8.csv"
expect 1 "invalid UTF-8" -- "$KITH" link "$T/utf8.csv"
has "$T/err" "utf8.csv:2" "UTF-8 error names the line"
printf 'id,name\nx1,\xef\xbb\xbfAnn\n' >"$T/bom.csv"
expect 1 "a byte-order mark inside" -- "$KITH" link "$T/bom.csv"
has "$T/err" "bom.csv:2" "BOM error names the line"
printf '\xef\xbb\xbfid,name\nx1,Ann Lee\nx2,Bob Ray\n' >"$T/bomstart.csv"
expect 0 "a leading byte-order mark is fine" -- "$KITH" link "$T/bomstart.csv"
printf 'id,name,colour\nx1,Ann,red\n' >"$T/unknown.csv"
expect 1 "unknown column" -- "$KITH" link "$T/unknown.csv"
has "$T/err" "unknown.csv:1:colour" "the error names the column"
printf 'id,name\nx1,Ann Lee\nx2,Bob Ray\n' >"$T/d1.csv"
printf 'id,name\nx3,Cid Poe\nx1,Ann Lee\n' >"$T/d2.csv"
expect 1 "an id used twice" -- "$KITH" link "$T/d1.csv" "$T/d2.csv"
has "$T/err" "d2.csv:3:id" "the error names file, line and column"
has "$T/err" "first at .*d1.csv:2" "and where the id was first"
printf 'id,sex\nx1,robot\n' >"$T/sex.csv"
expect 1 "a bad value" -- "$KITH" link "$T/sex.csv"
has "$T/err" "sex.csv:2:sex" "the error names the column"
expect 1 "a missing file" -- "$KITH" link "$T/nope.csv"
has "$T/err" "nope.csv" "the error names the file"
printf 'id = x\nthreshold = 7\n' >"$T/bad.cfg"
expect 1 "bad configuration" -- "$KITH" link "$T/a.csv" --config "$T/bad.cfg"
has "$T/err" "bad.cfg:2" "the configuration error names the line"
printf 'id,name\nx1,Ann\n' >"$T/lone.csv"
printf 'field.postcode = exact\n' >"$T/pc.cfg"
expect 1 "a declared field no file has" -- "$KITH" link "$T/lone.csv" --config "$T/pc.cfg"
has "$T/err" "postcode" "the error names the field"
expect 1 "a rule naming a missing field" -- "$KITH" link "$T/a.csv" --block "field:postcode"
has "$T/err" "blocking rule 1" "the error names the rule"

# --- the pair cap is checked before scoring
{ echo "id,name,sex"; for i in $(seq 1 400); do echo "p$i,Person Number$i,female"; done; } >"$T/many.csv"
expect 1 "a rule over the cap" -- "$KITH" link "$T/many.csv" --block sex --max-pairs 1000
has "$T/err" "blocking rule 1 'sex'" "the error names the rule"
has "$T/err" "79800" "the error gives the count"
has "$T/err" "1000" "and the cap"
[ ! -e "$T/never.csv" ] && ok "nothing written" || bad "output written despite the cap"

# --- usage errors
expect 2 "no input" -- "$KITH" link
expect 2 "--threshold 2" -- "$KITH" link "$T/a.csv" --threshold 2
expect 2 "--max-pairs 0" -- "$KITH" link "$T/a.csv" --max-pairs 0
expect 2 "--mode other" -- "$KITH" link "$T/a.csv" --mode other
expect 2 "--guard other" -- "$KITH" link "$T/a.csv" --guard other
expect 2 "unknown option" -- "$KITH" link "$T/a.csv" --frob
expect 2 "files and a vault" -- "$KITH" link "$T/a.csv" --vault "$T/v.kith"

# --- quality on generated data: pairwise precision and recall from the truth
# (floors below what a scratch build with a stand-in names engine measured:
# precision 0.996, recall 0.60; the real engine should do at least as well)
expect 0 "synth 1500 people" -- "$KITH" synth --out "$T/s" --people 1500 --seed 21
expect 0 "link the generated records" -- "$KITH" link "$T/s/records.csv" --pairs "$T/s/pairs.csv" --threshold 0.9
awk -F, 'NR == FNR { if (FNR > 1) p[$1] = $2; next }
         FNR > 1 && $4 >= 0.9 { if (p[$1] == p[$2]) tp++; else fp++ }
         END { print tp + 0, fp + 0 }' "$T/s/truth.csv" "$T/s/pairs.csv" >"$T/s/pr"
read -r tp fp <"$T/s/pr"
total=$(tail -n +2 "$T/s/truth.csv" | cut -d, -f2 | sort | uniq -c | awk '{ t += $1 * ($1 - 1) / 2 } END { print t }')
echo "    synth: $tp true and $fp false links of $total true pairs"
awk -v tp="$tp" -v fp="$fp" 'BEGIN { exit !(tp + fp > 0 && tp / (tp + fp) >= 0.85) }' && ok "precision >= 0.85" || bad "precision $tp/$((tp + fp))"
awk -v tp="$tp" -v t="$total" 'BEGIN { exit !(t > 0 && tp / t >= 0.45) }' && ok "recall >= 0.45" || bad "recall $tp/$total"

# --- large data: the model from a sample, strict rules for scoring
expect 0 "--train-records with strict rules" -- "$KITH" link "$T/s/records.csv" --train-records 1000 \
  --block "name birth_year~1" --block "name origin" --json
[ "$(jq '.training.records' "$T/out")" = 1000 ] && ok "the summary reports the training sample" ||
  bad "training: $(jq -c '.training' "$T/out")"
[ "$(jq -r '.training.rules[0].rule' "$T/out")" = name ] && ok "training uses the default rule" ||
  bad "training rule: $(jq -c '.training.rules' "$T/out")"
[ "$(jq -r '[.blocking[].rule] | join(",")' "$T/out")" = "name birth_year~1,name origin" ] &&
  ok "scoring uses the strict rules" || bad "rules: $(jq -c '.blocking' "$T/out")"
expect 0 "--train-block" -- "$KITH" link "$T/s/records.csv" --train-block "surname birth_year~2" --json
[ "$(jq -r '.training.rules[0].rule' "$T/out")" = "surname birth_year~2" ] && ok "the training rule is used" ||
  bad "training rule: $(jq -c '.training.rules' "$T/out")"
expect 2 "--train-records 5" -- "$KITH" link "$T/s/records.csv" --train-records 5
expect 1 "a bad training rule" -- "$KITH" link "$T/s/records.csv" --train-block "name frob"
has "$T/err" "--train-block 1" "the error names the option"
expect 1 "a training rule over the cap" -- "$KITH" link "$T/s/records.csv" --train-block sex --max-pairs 100000
has "$T/err" "training: blocking rule 1 'sex'" "the error names the training rule"

# --- every example of docs/linkage.md runs (the FEBRL 4 configuration failed with
# "street_number: unknown column"; the demo commands). Two FEBRL-shaped lists, invented.
docs=$(dirname "$0")/../../docs/linkage.md
awk '/^Example \(FEBRL 4\):/ { f = 1; next } f && /^```/ { if (in_block) exit; in_block = 1; next } in_block' \
  "$docs" >"$T/febrl4.cfg"
has "$T/febrl4.cfg" "^id = rec_id" "the FEBRL 4 example is found in docs/linkage.md"
cat >"$T/f4a.csv" <<'EOF'
rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id
rec-1-org, mira, holt, 8, aster street, hill view, wendon, 4223, nsw, 19511111, 5300001
rec-2-org, tomas, berling, 12, quill circuit, low flats, parton, 4560, vic, 19611214, 4000002
rec-3-org, lena, voss, 3, ember road, , carwick, 2611, act, 19800302, 4100003
rec-4-org, otto, krane, 44, willow lane, rear, dunmore, 3000, vic, 19750615, 4200004
EOF
cat >"$T/f4b.csv" <<'EOF'
rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id
rec-1-dup-0, mira, hoit, 8, aster st, hill view, wendon, 4223, nsw, 19511111, 5300001
rec-2-dup-0, tomas, berling, 12, quill circ, low flats, parton, 4560, vic, 19611241, 4000002
rec-3-dup-0, lena, voss, 3, ember rd, , carwick, 2611, act, 19800302, 4100003
rec-4-dup-0, otto, krane, 44, willow ln, rear, dunmore, 3000, vic, 19750615, 4200004
EOF
expect 0 "the docs' FEBRL 4 configuration runs" -- "$KITH" link --config "$T/febrl4.cfg" "$T/f4a.csv" "$T/f4b.csv" \
  --out "$T/f4.csv"
c1=$(grep '^rec-3-org,' "$T/f4.csv" | cut -d, -f2)
c2=$(grep '^rec-3-dup-0,' "$T/f4.csv" | cut -d, -f2)
[ -n "$c1" ] && [ "$c1" = "$c2" ] && ok "the example links rec-3 to its duplicate" || bad "rec-3 apart: $(cat "$T/f4.csv")"
# the demo of `kith synth` (smaller)
expect 0 "docs: kith synth --cases" -- "$KITH" synth --people 300 --seed 1 --cases "$T/demo/cases.jsonl"
printf 'demo pass words\n' >"$T/dpass"
expect 0 "docs: kith init" -- "$KITH" init --vault "$T/demo.kith" --passphrase-file "$T/dpass" --kdf test
expect 0 "docs: kith import" -- "$KITH" import "$T/demo/cases.jsonl" --vault "$T/demo.kith" --passphrase-file "$T/dpass"
expect 0 "docs: kith link propose" -- "$KITH" link propose --vault "$T/demo.kith" --passphrase-file "$T/dpass"
expect 0 "docs: kith estimate --vault" -- "$KITH" estimate --vault "$T/demo.kith" --passphrase-file "$T/dpass"

# --- tiers: thresholds chosen from the model unless given
expect 0 "tiers in the summary" -- "$KITH" link "$T/s/records.csv" --json
[ "$(jq '.tiers.link_threshold_from_model' "$T/out")" = true ] && ok "the link threshold comes from the model" ||
  bad "tiers: $(jq -c '.tiers' "$T/out")"
jq -e '.tiers.link_threshold >= 0.5 and .tiers.review_threshold >= 0.1 and
       .tiers.review_threshold <= .tiers.link_threshold and .tiers.estimated_f1 > 0' "$T/out" >/dev/null &&
  ok "thresholds within their bounds" || bad "tiers: $(jq -c '.tiers' "$T/out")"
expect 0 "--review FILE" -- "$KITH" link "$T/s/records.csv" --review "$T/s/review.csv" --json
has "$T/s/review.csv" "^id1,id2,prob,cluster1,cluster2$" "review header"
[ "$(($(wc -l <"$T/s/review.csv") - 1))" = "$(jq '.tiers.review_pairs' "$T/out")" ] &&
  ok "one row per pair of the review tier" || bad "review rows"
expect 0 "a threshold given is kept" -- "$KITH" link "$T/s/records.csv" --threshold 0.95 --json
[ "$(jq '.tiers.link_threshold_from_model' "$T/out")" = false ] && ok "threshold 0.95 kept" || bad "tiers"

# --- in a vault: propose, review, confirm, reject, undo, merge, persons
printf 'link test pass words\n' >"$T/pass"
V=$T/v.kith
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
expect 0 "init" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test
cat >"$T/cases.jsonl" <<'EOF'
{"ref":"C-1","person":{"name":"Anna Berg","sex":"female","birth":"1980","origin":{"province":"ryanggang"}},"source":{"organization":"shelter"}}
{"ref":"C-2","person":{"name":"Anna Berg","sex":"female","birth":"1980","origin":{"province":"ryanggang"}},"source":{"organization":"police"}}
{"ref":"C-3","person":{"name":"Eva Falk","sex":"female","birth":"1990","origin":{"province":"chagang"}},"source":{"organization":"shelter"}}
{"ref":"C-4","person":{"name":"Eva Falk","sex":"female","birth":"1990","origin":{"province":"chagang"}},"source":{"organization":"church"}}
{"ref":"C-5","person":{"name":"Gustav Holm","sex":"male","birth":"1960","origin":{"province":"kangwon"}},"source":{"organization":"church"}}
{"ref":"C-6","person":{"name":"Ivar Jung","sex":"male","birth":"1955","origin":{"province":"pyongyang"}},"source":{"organization":"police"}}
EOF
expect 0 "import cases" -- k import "$T/cases.jsonl"
expect 0 "link on the vault" -- k link --out "$T/vc.csv"
has "$T/vc.csv" "^C-1," "vault linkage writes case refs"
expect 0 "propose" -- k link propose --reviewer tester
has "$T/out" "2 links proposed" "two links proposed"
expect 0 "propose again" -- k link propose --reviewer tester
has "$T/out" "0 links proposed" "nothing proposed twice"
expect 0 "review" -- k link review
has "$T/out" "C-1" "review shows the refs"
has "$T/out" "Anna Berg" "review shows the names"
has "$T/out" "probability" "review shows the explanation"
expect 0 "review --json" -- k link review --json
L1=$(jq -r '.[] | select(.cases[0].ref == "C-1" or .cases[1].ref == "C-1") | .id' "$T/out")
L2=$(jq -r '.[] | select(.cases[0].ref == "C-3" or .cases[1].ref == "C-3") | .id' "$T/out")
[ ${#L1} -eq 32 ] && [ ${#L2} -eq 32 ] && ok "review --json gives the link ids" || bad "no link ids: $L1 $L2"
expect 0 "persons before any decision" -- k link persons --json
has "$T/out" '^\[\]$' "no person of two cases yet"
expect 0 "confirm (by a prefix)" -- k link confirm "${L1:0:10}" --note "same photo" --reviewer rev-a
has "$T/out" "confirmed" "confirm says so"
expect 0 "reject" -- k link reject "$L2" --reviewer rev-b
expect 1 "reject a confirmed link" -- k link reject "$L1"
has "$T/err" "undo" "the error says to undo instead"
expect 1 "confirm an unknown link" -- k link confirm ffffffffffff
expect 1 "a link id too short" -- k link confirm abc
expect 2 "confirm without an id" -- k link confirm
expect 0 "persons" -- k link persons
has "$T/out" "C-1 C-2|C-2 C-1" "C-1 and C-2 are one person"
hasnt "$T/out" "C-3" "C-3 and C-4 are not (rejected)"
expect 0 "manual merge" -- k link merge C-5 C-6 --note "known to the caseworker" --reviewer rev-a
M=$(awk '{print $2}' "$T/out")
expect 1 "merge again" -- k link merge C-6 C-5
has "$T/err" "already one person" "merging again says they are one person"
expect 1 "merge an unknown case" -- k link merge C-5 C-99
has "$T/err" "C-99" "the error names the ref"
expect 0 "undo the merge" -- k link undo "$M" --note "wrong person" --reviewer rev-b
expect 0 "a merge without a note" -- k link merge C-3 C-6 --reviewer rev-c
M2=$(awk '{print $2}' "$T/out")
expect 0 "undo it" -- k link undo "$M2" --reviewer rev-c
expect 0 "persons after undo" -- k link persons --json
[ "$(jq 'length' "$T/out")" -eq 1 ] && ok "one person of two cases left" || bad "persons: $(cat "$T/out")"
expect 0 "history of the merge" -- k link history "$M"
has "$T/out" "merge" "history shows the merge"
has "$T/out" "undo" "history shows the undo"
has "$T/out" "wrong person" "history keeps the note"
has "$T/out" "rev-a" "history shows who merged"
has "$T/out" "rev-b" "history shows who undid"
expect 0 "history --json" -- k link history "$M" --json
[ "$(jq -r '[.[] | .action + ":" + .reviewer + ":" + .status] | join(" ")' "$T/out")" = "merge:rev-a:confirmed undo:rev-b:undone" ] &&
  ok "history: who did what, in order" || bad "history: $(jq -c . "$T/out")"
expect 0 "history of a reviewed proposal" -- k link history "$L1" --json
[ "$(jq -r '[.[] | .action + ":" + .reviewer] | join(" ")' "$T/out")" = "propose:tester confirm:rev-a" ] &&
  ok "a proposal's history: proposed by the run, confirmed by a reviewer" || bad "history: $(jq -c . "$T/out")"
expect 0 "review --all" -- k link review --all --json
[ "$(jq 'length' "$T/out")" -eq 4 ] && ok "four links in all, none deleted" || bad "links: $(jq 'length' "$T/out")"
expect 2 "review --status other" -- k link review --status maybe
finish
