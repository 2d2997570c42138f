#!/usr/bin/env bash
# End-to-end test of `kith estimate`: the table, --json, --plot, one row per
# person, standard input, and every bad input (FILE:LINE:COLUMN, exit 1) and
# usage error (exit 2). Needs $KITH and $KITH_SHARED; jq for the JSON checks.
set -u
: "${KITH:?set KITH to the kith binary}"
: "${KITH_SHARED:?set KITH_SHARED to the shared folder}"
export KITH_NO_PROGRESS=1
D="$KITH_SHARED/data/mse"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
# quick settings: fewer bootstrap replicates and a short sampler (the figures
# checked here do not depend on them; the unit tests check those that do)
Q=(--boot 100 --lcm-iter 2000 --lcm-burnin 500 --lcm-chains 2 --threads 2)

# --help
"$KITH" estimate --help >"$tmp/help" 2>&1
check "--help exits 0" "[ $? -eq 0 ]"
check "--help shows the usage" "grep -q 'usage: kith estimate' '$tmp/help'"

# the readable table on Kosovo
"$KITH" estimate "${Q[@]}" "$D/Kosovo.csv" >"$tmp/kosovo.txt" 2>"$tmp/err"
check "Kosovo exits 0" "[ $? -eq 0 ]"
check "Kosovo: observed and lists" "grep -q '4400 people observed on 4 lists: 1=EXH 2=ABA 3=OSCE 4=HRW' '$tmp/kosovo.txt'"
check "Kosovo: BIC model with its profile interval" \
	"grep -E '^  BIC +\[123,14,34\] +10356.5  \(8994.3, 12110.4\) profile' '$tmp/kosovo.txt' >/dev/null"
check "Kosovo: Mt 7394.6" "grep -E '^Mt +rcapture +7394.6 ' '$tmp/kosovo.txt' >/dev/null"
check "Kosovo: stepwise 14341.7 with a BCa interval" \
	"grep -E '^  stepwise +\[12,13,14,23,34\] +14341.7  \([0-9.]+, [0-9.]+\) bca' '$tmp/kosovo.txt' >/dev/null"
check "Kosovo: latent classes" "grep -E '^  LCM +LCM K=10 ' '$tmp/kosovo.txt' >/dev/null"
check "Kosovo: sensitivity line" "grep -q '^sensitivity: the defensible models' '$tmp/kosovo.txt'"
check "Kosovo: nothing on stderr off a terminal" "[ ! -s '$tmp/err' ]"

# --json
if command -v jq >/dev/null; then
	"$KITH" estimate "${Q[@]}" --json "$D/Kosovo.csv" >"$tmp/kosovo.json"
	check "--json exits 0" "[ $? -eq 0 ]"
	check "--json: lists and observed" "[ \"\$(jq -c '[.lists, .observed]' '$tmp/kosovo.json')\" = '[[\"EXH\",\"ABA\",\"OSCE\",\"HRW\"],4400]' ]"
	check "--json: selected.bic" "[ \"\$(jq -r '.selected.bic.model' '$tmp/kosovo.json')\" = '[123,14,34]' ]"
	check "--json: selected.bic n_hat and ci95" \
		"jq -e '(.selected.bic.n_hat - 10356.5 | fabs) < 0.05 and (.selected.bic.ci95[0] - 8994.3 | fabs) < 0.05 and (.selected.bic.ci95[1] - 12110.4 | fabs) < 0.05' '$tmp/kosovo.json' >/dev/null"
	check "--json: every selection present" \
		"jq -e '[.selected.bic, .selected.aic, .selected.stepwise, .selected.lcm] | all(.model and .n_hat and (.ci95 | length == 2))' '$tmp/kosovo.json' >/dev/null"
	check "--json: model fields" \
		"jq -e '.models | all(has(\"name\") and has(\"n_hat\") and has(\"se\") and has(\"ci95\") and has(\"aic\") and has(\"bic\") and has(\"deviance\") and has(\"df\") and has(\"status\"))' '$tmp/kosovo.json' >/dev/null"
	check "--json: Rcapture names" \
		"jq -e '[.models[].name] | index(\"Mth Gamma3.5\") and index(\"Mh Chao\") and index(\"M0\")' '$tmp/kosovo.json' >/dev/null"
	check "--json: sensitivity" \
		"jq -e '.sensitivity.lowest.n_hat <= .sensitivity.highest.n_hat and .sensitivity.ratio >= 1' '$tmp/kosovo.json' >/dev/null"
	"$KITH" estimate --boot 0 --no-lcm --json "$D/Korea.csv" >"$tmp/korea.json"
	check "Korea: the model of all pairs is no-mle, with no number" \
		"jq -e '.models[] | select(.name == \"[12,13,23]\") | .status == \"no-mle\" and .n_hat == null and .ci95 == null' '$tmp/korea.json' >/dev/null"
	check "Korea: BIC [12,23] 157.17 (129.0, 226.4)" \
		"jq -e '.selected.bic.model == \"[12,23]\" and (.selected.bic.n_hat - 157.17 | fabs) < 0.005 and (.selected.bic.ci95[0] - 129.0 | fabs) < 0.05 and (.selected.bic.ci95[1] - 226.4 | fabs) < 0.05' '$tmp/korea.json' >/dev/null"
	check "Korea: no LCM asked, none selected" "jq -e '.selected.lcm == null' '$tmp/korea.json' >/dev/null"
else
	echo "skip - jq is not installed: JSON checks skipped"
fi

# --plot
"$KITH" estimate --boot 0 --no-lcm --plot "$tmp/hare.svg" "$D/hare.csv" >"$tmp/hare.txt"
check "--plot exits 0" "[ $? -eq 0 ]"
check "--plot writes an SVG" "head -c 4 '$tmp/hare.svg' | grep -q '<svg' && tail -n 1 '$tmp/hare.svg' | grep -q '</svg>'"
check "hare: Mth Poisson2 81.1 (71.8, 93.8)" "grep -E '^Mth Poisson2 +rcapture +81.1 +5.6 .*\(71.8, 93.8\)' '$tmp/hare.txt' >/dev/null"

# one row per person, and standard input
printf 'ngo,church,clinic\n1,0,0\n1,1,0\n0,1,0\n0,1,1\n1,0,1\n0,0,1\n1,1,1\n0,1,0\n1,0,0\n0,0,1\n' >"$tmp/people.csv"
"$KITH" estimate --boot 0 --no-lcm "$tmp/people.csv" >"$tmp/people.txt"
check "one row per person" "grep -q '10 people observed on 3 lists: 1=ngo 2=church 3=clinic' '$tmp/people.txt'"
"$KITH" estimate --boot 0 --no-lcm - <"$D/Korea.csv" >"$tmp/stdin.txt"
check "standard input" "grep -q '123 people observed on 3 lists' '$tmp/stdin.txt'"

# bad inputs: exit 1 and FILE:LINE:COLUMN
expect_bad() { # name, content, expected where:message fragment
	printf '%b' "$2" >"$tmp/$1.csv"
	"$KITH" estimate --boot 0 --no-lcm "$tmp/$1.csv" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 1 ] && grep -qF "$tmp/$1.csv:$3" "$tmp/err"; then ok "bad input $1"; else
		bad "bad input $1 (exit $rc: $(cat "$tmp/err"))"; fi
	[ -s "$tmp/out" ] && bad "bad input $1 printed on stdout"
}
expect_bad value 'A,B,count\n1,2,3\n0,1,1\n' '2:B: value must be 0 or 1'
expect_bad negative 'A,B,count\n1,0,-3\n0,1,1\n1,1,1\n' '2:count: negative count'
expect_bad fraction 'A,B,count\n1,0,2.5\n0,1,1\n1,1,1\n' '2:count: count is not an integer'
expect_bad notnumber 'A,B,count\n1,0,many\n0,1,1\n1,1,1\n' '2:count: count is not a number'
expect_bad allzero '# comment\nA,B,count\n1,1,2\n0,0,5\n' '4:A: the all-zero pattern'
expect_bad duplicate 'A,B,count\n1,1,2\n1,0,1\n0,1,4\n1,1,3\n' '5:A: pattern given twice (first on line 2)'
expect_bad onelist 'A,count\n1,5\n' '1:A: 1 list columns'
expect_bad emptylist 'A,B,C,count\n1,1,0,3\n1,0,0,2\n0,1,0,4\n' '1:C: list has no one on it'
expect_bad empty '' '1: empty file'
expect_bad headeronly 'A,B,count\n' '2:A: no data rows'
expect_bad countfirst 'count,A,B\n3,1,1\n' '1:count: the count column must be the last column'
expect_bad ragged 'A,B,count\n1,1\n' '2: row has 2 fields'
many=$(for i in $(seq 1 17); do printf 'L%d,' "$i"; done)
expect_bad seventeen "${many}count\n$(for i in $(seq 1 17); do printf '1,'; done)1\n" '1:'
"$KITH" estimate --boot 0 --no-lcm "$tmp/nonexistent.csv" >/dev/null 2>"$tmp/err"
check "missing file exits 1" "[ $? -eq 1 ] && grep -q 'nonexistent.csv' '$tmp/err'"

# usage errors: exit 2
for args in "" "--bogus $D/Korea.csv" "--boot 5 $D/Korea.csv" "--max-order 0 $D/Korea.csv" \
	"--level 2 $D/Korea.csv" "--lcm-classes 1 $D/Korea.csv" "$D/Korea.csv $D/Kosovo.csv" \
	"--seed -1 $D/Korea.csv" "--lcm-iter 5 --lcm-thin 10 $D/Korea.csv"; do
	# shellcheck disable=SC2086
	KITH_VAULT= "$KITH" estimate $args >/dev/null 2>&1
	rc=$?
	if [ $rc -eq 2 ]; then ok "usage error: '$args'"; else bad "usage error '$args' exited $rc"; fi
done
# a maximum order above k - 1 is the user's error
"$KITH" estimate --boot 0 --no-lcm --max-order 3 "$D/Korea.csv" >/dev/null 2>"$tmp/err"
check "--max-order 3 on 3 lists exits 1" "[ $? -eq 1 ] && grep -q 'maximum order 3' '$tmp/err'"

# the plain-language summary first, in English and Korean
"$KITH" estimate "${Q[@]}" "$D/Kosovo.csv" | head -1 >"$tmp/sum_en"
check "summary (en) first" "grep -q '^About 10,400 people (likely between 9,000 and 12,100). 4,400 were on at least one of the 4 lists of EXH, ABA, OSCE and HRW.' '$tmp/sum_en'"
"$KITH" estimate "${Q[@]}" --lang ko "$D/Kosovo.csv" | head -1 >"$tmp/sum_ko"
check "summary (ko) first" "grep -q '^약 10,400명 (9,000명에서 12,100명 사이일 가능성이 높음). 4,400명이 4개 명단(EXH, ABA, OSCE, HRW) 중 적어도 하나에 있었습니다.' '$tmp/sum_ko'"
"$KITH" estimate "${Q[@]}" --lang fr "$D/Kosovo.csv" >/dev/null 2>&1
check "--lang fr is a usage error" "[ $? -eq 2 ]"

# heterogeneity: a simulated population (kith synth --mse-het), the plausible
# range and the verdict in words; the true N (3000) inside the range
"$KITH" synth --mse-het "$tmp/het.csv" --people 3000 --seed 3 >"$tmp/het.out"
check "synth --mse-het exits 0" "[ $? -eq 0 ]"
check "synth --mse-het: the truth in the comment line" "head -1 '$tmp/het.csv' | grep -q '^# dataset=synth-het seed=3 people=3000 unseen=1465$'"
check "synth --mse-het: header" "sed -n 2p '$tmp/het.csv' | grep -q '^A,B,C,D,count$'"
"$KITH" synth --mse-het "$tmp/het.csv" --out "$tmp/x" >/dev/null 2>&1
check "synth --mse-het with --out is a usage error" "[ $? -eq 2 ]"
"$KITH" estimate "${Q[@]}" "$tmp/het.csv" >"$tmp/het.txt"
check "het: plausible range line" "grep -qE '^plausible range: [0-9]+ \(.*\) to [0-9]+ \(.*\)$' '$tmp/het.txt'"
check "het: the range holds the truth" \
	"awk '/^plausible range/ { lo = \$3; for (i = 4; i <= NF; i++) if (\$i == \"to\") hi = \$(i + 1) } END { exit !(lo <= 3000 && hi >= 3000) }' '$tmp/het.txt'"
check "het: the verdict in words" "grep -q '^heterogeneity: The lists cannot tell whether some people are harder to reach' '$tmp/het.txt'"
"$KITH" estimate "${Q[@]}" --no-het "$tmp/het.csv" >"$tmp/het2.txt"
check "het: --no-het drops the analysis" "! grep -q '^heterogeneity:' '$tmp/het2.txt'"
"$KITH" estimate "${Q[@]}" --het-max 3 "$tmp/het.csv" >/dev/null 2>&1
check "het: --het-max out of range is a usage error" "[ $? -eq 2 ]"
if command -v jq >/dev/null; then
	"$KITH" estimate "${Q[@]}" --json "$tmp/het.csv" >"$tmp/het.json"
	check "het: JSON range and verdict" "jq -e '.range.high >= 3000 and .range.low <= 3000 and .range.heterogeneity.verdict == \"cannot-tell\" and (.range.heterogeneity | has(\"lcm_over_mt\")) and (.range.heterogeneity.words_ko | test(\"명단\"))' '$tmp/het.json' >/dev/null"
fi

# coverage by stratum from a vault (tests/cli/data/coverage_cases.jsonl: 80
# invented women, those from Ryanggang on each of three lists with
# probability 0.75, those from Kangwon 0.3; identical records of one person
# are joined by record linkage)
printf 'coverage test pass\n' >"$tmp/cpass"
"$KITH" init --vault "$tmp/cv.kith" --passphrase-file "$tmp/cpass" --kdf test >/dev/null 2>&1
"$KITH" import --vault "$tmp/cv.kith" --passphrase-file "$tmp/cpass" "$KITH_SOURCE/tests/cli/data/coverage_cases.jsonl" >/dev/null 2>&1
"$KITH" estimate --vault "$tmp/cv.kith" --passphrase-file "$tmp/cpass" --boot 0 --no-lcm --no-het \
	--stratify person.origin.province >"$tmp/cov.txt" 2>&1
check "coverage: exits 0" "[ $? -eq 0 ]"
check "coverage: one line per stratum" "grep -qE '^  kangwon +[0-9]+ of +[0-9]+ +[0-9.]+%$' '$tmp/cov.txt' && grep -qE '^  ryanggang +[0-9]+ of +[0-9]+ +[0-9.]+%$' '$tmp/cov.txt'"
check "coverage: Ryanggang reached more than Kangwon" \
	"[ \"\$(awk '/^  ryanggang/ { r = \$NF + 0 } /^  kangwon/ { k = \$NF + 0 } END { print (r > k) }' '$tmp/cov.txt')\" = 1 ]"
check "coverage: unequal reach named" "grep -q 'The lists reached the strata of person.origin.province unequally' '$tmp/cov.txt'"
# the same in JSON, with the latent-class model that takes the province as a covariate (short chains)
if command -v jq >/dev/null; then
	"$KITH" estimate --vault "$tmp/cv.kith" --passphrase-file "$tmp/cpass" --boot 0 --no-het --lcm-burnin 1000 \
		--lcm-iter 5000 --lcm-chains 2 --stratify person.origin.province --json >"$tmp/cov.json" 2>/dev/null
	check "coverage: JSON, the shares unequal as the text says" \
		"jq -e '.coverage.unequal == true and (.coverage.strata | length) == 2 and ([.coverage.strata[] | select(.stratum == \"ryanggang\") | .share] | .[0]) > ([.coverage.strata[] | select(.stratum == \"kangwon\") | .share] | .[0])' '$tmp/cov.json' >/dev/null"
	check "coverage: the covariate model's row and each province's posterior" \
		"jq -e '.total.lcm_covariate.model.model == \"LCM K=10 by person.origin.province\" and ([.total.lcm_covariate.strata[].observed] | add) == .total.observed and ([.coverage.strata[].lcm_covariate.median] | all(. > 0))' '$tmp/cov.json' >/dev/null"
fi

# every example of docs/estimate.md
. "${KITH_SOURCE:?set KITH_SOURCE}/tests/cli/doc_examples.sh"
doc_examples "$KITH_SOURCE/docs/estimate.md"

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
