#!/usr/bin/env bash
# End to end: every error of `kith import` names the file, the line where the
# bad record starts and the field — a clash of refs on line 2, 3 and the last
# line, in the file itself (with the line of the record it repeats) or with a
# case already in the vault, in CSV (with quoted fields spanning lines) and in
# JSON Lines (with blank lines). Every name here is invented.
. "$(dirname "$0")/lib.sh"

printf 'import lines test words\n' >"$T/pass"
V=$T/v.kith
k() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
expect 0 "init" -- "$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test
echo '{"ref":"V-1","person":{"name":"김영수"}}' >"$T/seed.jsonl"
expect 0 "a case already in the vault" -- k import "$T/seed.jsonl"

# jl R: a case of ref R as a JSON line
jl() { printf '{"ref":"%s","person":{"name":"박민지"}}\n' "$1"; }
# refused NAME DESC ERROR WHY: kith import refuses the file $T/NAME (exit 1)
# and says NAME:ERROR on stderr (ERROR: a pattern, LINE:FIELD: REASON)
refused() {
  expect 1 "$2" -- k import "$T/$1"
  has "$T/err" "$1:$3" "$4"
}

# clashes inside the file, JSON Lines
{ jl A-1; jl A-1; jl A-3; } >"$T/l2.jsonl"
refused l2.jsonl "JSON Lines: a clash on line 2" "2:ref: the same ref as the record on line 1$" "names line 2 and line 1"
{ jl A-1; jl A-2; jl A-1; } >"$T/l3.jsonl"
refused l3.jsonl "JSON Lines: a clash on line 3" "3:ref: the same ref as the record on line 1$" "names line 3 and line 1"
{ jl A-1; echo; jl A-2; echo '   '; jl A-3; jl A-2; } >"$T/last.jsonl"
refused last.jsonl "JSON Lines: a clash on the last line, after blank lines" "6:ref: the same ref as the record on line 3$" "names line 6 and line 3"
{ jl A-1; jl A-2; jl A-2; jl A-1; } >"$T/two.jsonl"
refused two.jsonl "JSON Lines: two clashes" "3:ref: the same ref as the record on line 2$" "the first clash in the file is named"
# clashes with the vault, JSON Lines
{ jl V-1; jl A-2; } >"$T/v1.jsonl"
refused v1.jsonl "JSON Lines: line 1 is in the vault" "1:ref: a case with this ref is already in the vault$" "names line 1"
{ jl A-1; jl V-1; } >"$T/v2.jsonl"
refused v2.jsonl "JSON Lines: line 2 is in the vault" "2:ref: a case with this ref is already in the vault$" "names line 2"
{ jl A-1; echo; jl V-1; } >"$T/v3.jsonl"
refused v3.jsonl "JSON Lines: line 3 is in the vault" "3:ref: a case with this ref is already in the vault$" "names line 3"
has "$T/err" "nothing was imported" "says nothing was imported"

# CSV: the line is where the row starts; a quoted field may span lines
printf 'ref,name,notes\nA-1,박민지,x\nA-1,박민지,y\n' >"$T/c2.csv"
refused c2.csv "CSV: a clash on line 3 (the second row)" "3:ref: the same ref as the record on line 2$" "names line 3 and line 2"
printf 'ref,name,notes\nA-1,박민지,"one\ntwo\nthree"\nA-1,박민지,y\n' >"$T/c3.csv"
refused c3.csv "CSV: a clash after a field of three lines" "5:ref: the same ref as the record on line 2$" "names line 5, where the row starts"
printf 'ref,name,notes\r\nA-1,박민지,"a\r\nb"\r\nA-2,박민지,x\r\nA-3,박민지,"c\r\n\r\nd"\r\nA-2,박민지,z\r\n' >"$T/clast.csv"
refused clast.csv "CSV (CRLF): a clash on the last line" "8:ref: the same ref as the record on line 4$" "names line 8 and line 4"
printf 'ref,name,notes\nA-1,박민지,"x\ny"\nV-1,박민지,z\n' >"$T/cv.csv"
refused cv.csv "CSV: a row already in the vault" "4:ref: a case with this ref is already in the vault$" "names line 4"
printf 'ref,name\nV-1,박민지\n' >"$T/cv2.csv"
refused cv2.csv "CSV: the first row already in the vault" "2:ref: a case with this ref" "names line 2, not line 1"

# every other error after a multi-line field names the row's first line and the field
printf 'ref,name,notes,sex\nA-1,박민지,"a\nb",female\nA-2,박민지,x,bogus\n' >"$T/sex.csv"
refused sex.csv "CSV: a bad value after a multi-line field" "4:sex: " "names line 4 and the field"
printf 'ref,name,notes,sex\nA-1,박민지,"a\nb",female\nA-2,박민지,x\n' >"$T/short.csv"
refused short.csv "CSV: a short row after a multi-line field" "4: row has 3 fields" "names line 4"
printf 'ref,name,notes\nA-1,박민지,"a\nb"\nA-2,박민지,"open\n' >"$T/open.csv"
refused open.csv "CSV: a quote never closed" "4:notes: quoted field is not closed" "names the line where it opens"
printf 'ref,name,notes\nA-1,박민지,"a\nb"\nA-2,,x\n' >"$T/noname.csv"
refused noname.csv "CSV: a missing name after a multi-line field" "4:name: " "names line 4 and the name"
{ jl A-1; echo; echo '{"ref":"A-2","person":{"name":"박민지","sex":"x"}}'; } >"$T/sex.jsonl"
refused sex.jsonl "JSON Lines: a bad value on line 3" "3:person.sex: " "names line 3 and the field"
{ jl A-1; echo '{"ref":"A-2",'; } >"$T/cut.jsonl"
refused cut.jsonl "JSON Lines: a cut line" "2: invalid JSON" "names line 2"

expect 0 "nothing of it was imported" -- k list
has "$T/err" "^1 case$" "the vault holds the one case"
printf 'ref,name,notes\nA-1,박민지,"a\nb"\nA-2,박민지,x\n' >"$T/good.csv"
expect 0 "a good file imports" -- k import "$T/good.csv"
has "$T/out" "imported 2 cases: A-1 .. A-2" "both rows"

finish
