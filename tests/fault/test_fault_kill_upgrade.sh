#!/usr/bin/env bash
# kill -9 inside kith upgrade of a format-1 field vault (docs/vault-format.md
# *Upgrade*): the shim (kill_shim.c) kills the process at the Nth call that
# changes a file whose name holds the vault's (the vault, its -wal, the copy
# PATH.format2.tmp, the kept PATH.format1), for every N of a first run's count
# (at most 120 of them, evenly spread) and once after the last. After each
# kill the vault opens with its passphrase and reads exactly as before (every
# record's current version, kith list --json); it is format 1 (then a new
# kith upgrade, once an old PATH.format1 left by the kill is moved away as the
# refusal says, succeeds and reads as before) or format 2 with the old file
# kept whole as PATH.format1. Fictional records only.
. "$(dirname "$0")/../cli/lib.sh"
: "${KITH_FAULT_SHIM:?}"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export KITH_KILL_NOSYNC=1
D=${KITH_SOURCE:-$(dirname "$0")/../..}/tests/cli/data
printf 'hq kill words\n' >"$T/hp"
printf 'field kill words\n' >"$T/fp"
H=$T/hq.kith
P=$T/pre.kith
h() { "$KITH" "$@" --vault "$H" --passphrase-file "$T/hp"; }
p() { "$KITH" "$@" --vault "$P" --passphrase-file "$T/fp"; }
{
  "$KITH" init --vault "$H" --format 1 --passphrase-file "$T/hp" --kdf test &&
    HREF=$(h add "$D/case2.json") &&
    h device add dev1 --out "$T/inv" >"$T/o" && tail -n 1 "$T/o" >"$T/code" &&
    "$KITH" init --vault "$P" --join "$T/inv" --code-file "$T/code" --passphrase-file "$T/fp" --kdf test --format 1 &&
    p add "$D/case1.json" && p import "$D/cases.jsonl" && p bundle export --out "$T/b1" &&
    h bundle import "$T/b1" && p add "$D/case2.json" &&
    h bundle export --to dev1 --case "$HREF" --out "$T/b2" && p bundle import "$T/b2"
} >/dev/null 2>"$T/err" && ok "a format-1 field vault with sent, unsent and received versions" ||
  { bad "the state before"; sed 's/^/    /' "$T/err"; }
p list --json >"$T/before.json" 2>/dev/null

W=$T/work.kith
w() { "$KITH" "$@" --vault "$W" --passphrase-file "$T/fp"; }
fresh() { rm -f "$W" "$W-wal" "$W-shm" "$W.format1" "$W.format1-wal"; rm -rf "$W.format2.tmp"; cp "$P" "$W"; }

fresh
rm -f "$T/mark"
KITH_KILL_PATH=work.kith KITH_KILL_MARK="$T/mark" LD_PRELOAD="$KITH_FAULT_SHIM" "$KITH" upgrade --vault "$W" \
  --passphrase-file "$T/fp" </dev/null >/dev/null 2>"$T/err" && ok "upgrade without a kill" ||
  { bad "upgrade fails without a kill"; sed 's/^/    /' "$T/err"; }
calls=$(cut -d' ' -f1 "$T/mark" 2>/dev/null)
[ -n "$calls" ] && [ "$calls" -gt 0 ] && ok "the upgrade makes $calls calls that change files" || bad "no calls counted"
calls=${calls:-1}
step=$(((calls + 119) / 120))
kills=0 as1=0 as2=0 wrong=0
for n in $(seq 1 "$step" "$calls") "$calls+"; do
  mode=0
  [ "$n" = "$calls+" ] && { n=$calls; mode=1; }
  fresh
  rm -f "$T/mark"
  KITH_KILL_PATH=work.kith KITH_KILL_AT=$n KITH_KILL_AFTER=$mode KITH_KILL_MARK="$T/mark" \
    LD_PRELOAD="$KITH_FAULT_SHIM" "$KITH" upgrade --vault "$W" --passphrase-file "$T/fp" </dev/null >/dev/null 2>&1 &
  wait $! 2>/dev/null
  rc=$?
  if [ "$rc" -ne 137 ] || [ "$(cut -d' ' -f1 "$T/mark" 2>/dev/null)" != "$n" ]; then
    bad "kill $n/$calls did not land (exit $rc)"
    wrong=$((wrong + 1))
    continue
  fi
  kills=$((kills + 1))
  what="killed at call $n/$calls ($(cut -d' ' -f2 "$T/mark"), after=$mode)"
  if ! w list --json >"$T/now.json" 2>"$T/err" || ! cmp -s "$T/now.json" "$T/before.json"; then
    bad "$what: the vault does not read as before"; sed 's/^/    /' "$T/err" | head -3
    wrong=$((wrong + 1))
    continue
  fi
  f=$(sqlite3 "$W" 'PRAGMA user_version')
  if [ "$f" = 2 ]; then
    as2=$((as2 + 1))
    if ! "$KITH" list --json --vault "$W.format1" --passphrase-file "$T/fp" >"$T/old.json" 2>/dev/null ||
      ! cmp -s "$T/old.json" "$T/before.json" || [ "$(sqlite3 "$W.format1" 'PRAGMA user_version')" != 1 ]; then
      bad "$what: format 2 without the old file kept whole"
      wrong=$((wrong + 1))
    fi
  elif [ "$f" = 1 ]; then
    as1=$((as1 + 1))
    # a kill after the old file was linked aside and before the rename leaves PATH.format1
    # beside the untouched vault: the next upgrade says to move it away
    if [ -e "$W.format1" ]; then
      w upgrade >/dev/null 2>"$T/err"
      grep -q "move it away" "$T/err" || { bad "$what: a second upgrade does not say what is in the way"; wrong=$((wrong + 1)); }
      mv "$W.format1" "$T/aside.kith"
      rm -f "$W.format1-wal"
    fi
    if ! w upgrade >/dev/null 2>"$T/err" || ! w list --json >"$T/now.json" 2>/dev/null ||
      ! cmp -s "$T/now.json" "$T/before.json"; then
      bad "$what: the upgrade run again does not give the same vault"; sed 's/^/    /' "$T/err" | head -3
      wrong=$((wrong + 1))
    fi
  else
    bad "$what: format '$f'"
    wrong=$((wrong + 1))
  fi
done
[ "$wrong" -eq 0 ] && ok "$kills kills in the upgrade: format 1 as before $as1 times (upgraded again after), format 2 with the old file kept $as2 times"
finish
