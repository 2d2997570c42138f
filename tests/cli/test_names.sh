#!/usr/bin/env bash
# End-to-end test of `kith names`: romanize, compare, keys, read, every bad input.
. "$(dirname "$0")/lib.sh"

n() { "$KITH" names "$@"; }

# --- help
expect 0 "names --help" -- n --help
has "$T/out" "romanize" "the help lists the subcommands"
for s in romanize compare keys read; do
  expect 0 "names $s --help" -- n $s --help
  has "$T/out" "usage: kith names $s" "names $s --help prints its usage"
done
expect 2 "no subcommand" -- n
expect 2 "an unknown subcommand" -- n frobnicate
has "$T/err" "unknown subcommand" "says the subcommand is unknown"

# --- romanize
expect 0 "romanize in every system" -- n romanize 방미선
has "$T/out" "^rr +Bang Mi-seon$" "Revised Romanization"
has "$T/out" "^mr +Pang Mi-sŏn$" "McCune-Reischauer with breves"
has "$T/out" "^mr-plain +Pang Mi-son$" "McCune-Reischauer without diacritics"
has "$T/out" "^nk +Pang Mi Son$" "North Korean style, syllables apart"
has "$T/out" "^common +Bang Mi-sun$" "common English spelling"
expect 0 "romanize 김정은 nk" -- n romanize 김정은 --system nk
has "$T/out" "^Kim Jong Un$" "Kim Jong Un"
expect 0 "romanize 박동구 nk" -- n romanize 박동구 --system nk
has "$T/out" "^Pak Tong Gu$" "the North voices the later given syllable: Pak Tong Gu"
expect 0 "romanize 이설주 nk" -- n romanize 이설주 --system nk
has "$T/out" "^Ri Sol Ju$" "the North writes the surname 리"
expect 0 "romanize 이명박 common" -- n romanize 이명박 --system common
has "$T/out" "^Lee Myung-bak$" "Lee Myung-bak"
expect 0 "romanize 최수희 mr" -- n romanize 최수희 --system mr
has "$T/out" "^Ch'oe Su-hŭi$" "MR: aspiration apostrophe and breve"
expect 0 "romanize a surname alone" -- n romanize 박 --system common
has "$T/out" "^Park$" "Park"
expect 0 "romanize --json" -- n romanize 방미선 --json
has "$T/out" '"nk": "Pang Mi Son"' "JSON object by system"
expect 2 "an unknown system" -- n romanize 방미선 --system klingon
expect 1 "romanize Latin" -- n romanize "Bang Mi Sun"
has "$T/err" "not a name in Hangul" "says the name is not Hangul"
expect 2 "romanize without a name" -- n romanize

# --- compare
expect 0 "compare Hangul and MR" -- n compare 방미선 "Pang Mi-sŏn"
has "$T/out" "^1.000 same$" "the same name"
expect 0 "compare Western order" -- n compare "Mi Sun Bang" 방미선
has "$T/out" " same$" "Western order detected"
expect 0 "compare North and South" -- n compare 리설주 "Lee Seol-ju"
has "$T/out" " same$" "리/이 folded"
expect 0 "compare a near miss" -- n compare 김정일 김정은
has "$T/out" " different$" "김정일 is not 김정은"
expect 0 "compare another near miss" -- n compare "Park Ji-sung" 박지선
has "$T/out" " different$" "박지성 is not 박지선"
expect 0 "compare --json" -- n compare "Kim Jong Un" 김정은 --json
has "$T/out" '"same": true' "JSON decision"
has "$T/out" '"threshold": 0.8' "JSON threshold"
expect 2 "compare one name" -- n compare 김정은

# --- keys
expect 0 "keys of Hangul" -- n keys 방미선
cp "$T/out" "$T/k1"
expect 0 "keys of a romanization" -- n keys "Pang Mi Son"
if grep -qxFf <(grep -v surname "$T/k1") <(grep -v surname "$T/out"); then ok "two spellings share a key"; else bad "two spellings share no key"; fi
has "$T/out" "^surname [0-9a-f]{16} share 0.0030$" "surname key and census share"
expect 0 "keys --json" -- n keys "Kim Jong Un" --json
has "$T/out" '"surname_share": 0.215' "Kim: 21.5%"

# --- read
expect 0 "read Sun" -- n read "Kim Jong Un"
has "$T/out" "^김정은 " "Kim Jong Un reads first as 김정은"
expect 0 "read a Western-order name" -- n read "Mi-sun Bang"
has "$T/out" "^방미.* .*given name first" "Western order detected"
has "$T/out" "^방미선 " "방미선 is among the readings"
expect 0 "read --json" -- n read "Sun" --json --max 3
has "$T/out" '"hangul": "선"' "Sun reads as 선"
expect 1 "read a name that is not Korean" -- n read "John Smith"
has "$T/err" "not readable as a Korean name" "says so"
expect 2 "read --max 0" -- n read "Kim" --max 0

# --- bad input: a clear error, exit 1, never the name in the message
expect 1 "an empty name" -- n compare "" 김정은
has "$T/err" "A: an empty name" "says which name is empty"
expect 1 "only punctuation" -- n keys -- "--- ,,, !!!"
has "$T/err" "without letters" "says there is no letter"
expect 1 "invalid UTF-8" -- n keys "$(printf 'Kim\xffJong')"
has "$T/err" "invalid UTF-8 at byte 3" "says where the UTF-8 breaks"
expect 1 "a control character" -- n compare "$(printf 'Kim\tJong')" 김정은
has "$T/err" "control character" "refuses control characters"
hasnt "$T/err" "Kim" "the message does not hold the name"
# (a command-line argument is at most 128 KiB; the unit test and the fuzz
# corpus feed a 10 MB name to the library)
big=$(head -c 120000 /dev/zero | tr '\0' 'a')
expect 1 "a 120 KB name" -- n keys "$big"
has "$T/err" "longer than 4096 bytes" "refuses a name longer than 4096 bytes"

# --- issue 13: spellings, typos, other scripts
expect 0 "plain RR that was misread" -- n compare 김어진 "Kim Eo-jin"
has "$T/out" " same$" "Kim Eo-jin is 김어진"
expect 0 "a rare surname" -- n compare 호민수 "Ho Min-su"
has "$T/out" "^1.000 same$" "Ho Min-su is 호민수, fully"
expect 0 "MR capitals" -- n romanize 어민수 --system mr
has "$T/out" "^Ŏ Min-su$" "Ŏ, not ŏ"
expect 0 "a compound surname alone" -- n romanize 남궁 --system rr
has "$T/out" "^Namgung$" "Namgung, not Nam Gung"
expect 0 "the likely reading wins" -- n read "Bae Yong-joon" --max 2
has "$T/out" "^배용준 " "yong is 용 first"
expect 0 "a typo" -- n compare "Slochun Choe" 최솔춘
has "$T/out" " same$" "Slochun Choe is 최솔춘"
expect 0 "a typo never merges near misses" -- n compare "Park Ji-snug" 박지선
has "$T/out" " different$" "박지선 is not Park Ji-snug"
expect 0 "Cyrillic" -- n compare "Ким Чен Ын" 김정은
has "$T/out" " same$" "Ким Чен Ын is 김정은"
expect 0 "Hanja" -- n compare "李順姬" 이순희
has "$T/out" " same$" "李順姬 is 이순희"
expect 0 "pinyin" -- n compare "李顺姬" "Li Shunji"
has "$T/out" " same$" "李顺姬 is Li Shunji"
expect 0 "full-width letters" -- n compare "Ｋｉｍ Ｍｉｎｓｕ" 김민수
has "$T/out" " same$" "full-width Kim Minsu is 김민수"

# --- batch: one name (or pair) per line, one result per line
printf '방미선\tPang Mi-sŏn\n박지성\t박지선\r\nSlochun Choe\t최솔춘\n' >"$T/pairs.tsv"
expect 0 "compare --batch FILE" -- n compare --batch "$T/pairs.tsv"
[ "$(wc -l <"$T/out")" -eq 3 ] && ok "one line out per line in" || bad "batch lines: $(wc -l <"$T/out")"
has "$T/out" "^1.000 same$" "first pair the same"
has "$T/out" "^0.600 different$" "second pair different (CRLF taken)"
expect 0 "compare --batch - (stdin)" -- sh -c "n() { \"\$KITH\" names \"\$@\"; }; n compare --batch - --json <'$T/pairs.tsv'"
has "$T/out" '^\{"score": 1.000000, "same": true\}$' "JSON lines"
printf '방미선\n남궁민수\n' >"$T/names.txt"
expect 0 "romanize --batch" -- n romanize --batch "$T/names.txt" --system nk
has "$T/out" "^Pang Mi Son$" "one spelling a line"
expect 0 "romanize --batch, all systems" -- n romanize --batch "$T/names.txt"
has "$T/out" "^Bang Mi-seon	Pang Mi-sŏn	Pang Mi-son	Pang Mi Son	Bang Mi-sun$" "all systems, tab-separated"
expect 0 "read --batch" -- n read --batch "$T/names.txt" --max 1
expect 0 "keys --batch" -- n keys --batch "$T/names.txt"
[ "$(wc -l <"$T/out")" -eq 2 ] && ok "keys: a line per name" || bad "keys batch lines"
printf 'Kim Min-su\tKim Min-soo\n\nLee\tYi\n' >"$T/blank.tsv"
expect 1 "a batch with an empty line" -- n compare --batch "$T/blank.tsv"
has "$T/err" "blank.tsv:2: an empty line" "names file and line"
[ ! -s "$T/out" ] && ok "nothing written on a bad batch" || bad "a bad batch wrote output"
printf 'Kim Min-su\tKim Min-soo\nLee\t\xff\n' >"$T/bad.tsv"
expect 1 "a batch with bad UTF-8" -- n compare --batch "$T/bad.tsv"
has "$T/err" "bad.tsv:2:B: invalid UTF-8" "names file, line and field"
hasnt "$T/err" "Lee" "the message does not hold the name"
printf 'Kim Min-su\n' >"$T/one.tsv"
expect 1 "compare --batch without a tab" -- n compare --batch "$T/one.tsv"
has "$T/err" "one.tsv:1: give two names separated by a tab" "says what is wrong"
expect 1 "a batch file that is missing" -- n compare --batch "$T/missing.tsv"
expect 2 "--batch with a name too" -- n keys Kim --batch "$T/names.txt"
expect 0 "names compare --help mentions --batch" -- n compare --help
has "$T/out" "--batch FILE" "help lists --batch"

# --- search (issue 13): partial names, other scripts, case numbers, a true total and paging
V=$T/v.kith
printf 'search words\n' >"$T/pass"
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
expect 0 "init a vault" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test
{
  for s in 미 선 순 영 옥 정 숙 희 은 주; do for g in 민 수 지 현 경 진 혜 연 아 서; do
    printf '{"person": {"name": "김%s%s", "sex": "female"}}\n' "$s" "$g"
  done; done
  printf '{"person": {"name": "리명심", "sex": "female"}}\n'
  printf '{"person": {"name": "Nguyen Thi Lan", "sex": "female"}}\n'
  printf '{"person": {"name": "李顺姬", "sex": "female"}}\n'
} >"$T/many.jsonl"
expect 0 "import 103 cases" -- k import "$T/many.jsonl"
expect 0 "search a common surname" -- k search Kim --limit 20
has "$T/out" "^\(1-20 of 100\)$" "the true total (100), not the page size"
expect 0 "the next page" -- k search Kim --limit 20 --offset 20
has "$T/out" "^\(21-40 of 100\)$" "--offset pages"
expect 0 "past the end" -- k search Kim --offset 500
has "$T/out" "no results past 500: 100 in all" "says there is nothing past the end"
expect 0 "search --json" -- k search Kim --json --limit 5
has "$T/out" '"total": 100' "JSON carries the total"
expect 2 "a bad offset" -- k search Kim --offset -1
expect 0 "a given name alone" -- k search "Myong Sim"
first=$(head -1 "$T/out"); case "$first" in *리명심*) ok "Myong Sim finds 리명심 first";; *) bad "Myong Sim: $first";; esac
expect 0 "a word of a foreign name" -- k search "Nguyen Lan"
has "$T/out" "Nguyen Thi Lan" "Nguyen Lan finds Nguyen Thi Lan"
expect 0 "pinyin" -- k search "Li Shunji"
first=$(head -1 "$T/out"); case "$first" in *李顺姬*) ok "Li Shunji finds 李顺姬 first";; *) bad "Li Shunji: $first";; esac
expect 0 "Cyrillic" -- k search "Ли Мён Сим"
first=$(head -1 "$T/out"); case "$first" in *리명심*) ok "Ли Мён Сим finds 리명심 first";; *) bad "Cyrillic: $first";; esac
ref=$(k search "Myong Sim" --json | grep -m1 '"ref"' | sed 's/.*"ref": "\([^"]*\)".*/\1/')
expect 0 "a case number" -- k search "$ref"
first=$(head -1 "$T/out"); case "$first" in *"$ref"*리명심*) ok "the ref finds its case first";; *) bad "ref $ref: $first";; esac
hasnt "$T/out" "^0\.[0-8]" "no other person at a partial score"
expect 0 "a case number that does not exist" -- k search "R9999999"
has "$T/err" "no case matches" "no case, rather than another person at 68%"

finish
