#!/usr/bin/env bash
# kill -9 inside an attachment's commit (casework/attach.h: one SQLite
# transaction writes the chunks and the record), and in the middle of its
# upload (while chunks are encrypted into the spool), as test_fault_kill.sh
# does for the other write paths: the shim (kill_shim.c, LD_PRELOAD) counts
# the calls that change the vault's files and sends SIGKILL at the Nth; a
# first run counts them (C). For N = 1..C (killed before the call) and once
# after the last call, on a fresh copy of the vault:
#   - the command died of SIGKILL at call N (the shim's mark says so),
#   - the vault then opens and shows the state before (no attachment) or
#     after (the attachment, whose bytes read back whole), never one between,
#   - nothing is left in the vault's folder but the vault, its -wal and -shm.
. "$(dirname "$0")/../cli/lib.sh"
: "${KITH_FAULT_SHIM:?}" "${KITH_SOURCE:?}"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export KITH_KILL_NOSYNC=1
printf 'kill attach words\n' >"$T/pass"
mkdir -p "$T/w" "$T/in"
W=$T/w/work.kith
kv() { "$KITH" "$@" --vault "$W" --passphrase-file "$T/pass"; }
fresh() { rm -f "$T/w/"*; cp "$T/pre.kith" "$W"; }
# the state: how many attachments C-1 has, and whether each reads back as the file
digest() {
  local ids n=0 okb=0 id
  kv attach list C-1 --all --json >"$T/list" 2>/dev/null || { echo "DOES NOT OPEN"; return; }
  ids=$(grep -oE '"id": *"[0-9a-f]{32}"' "$T/list" | grep -oE '[0-9a-f]{32}')
  for id in $ids; do
    n=$((n + 1))
    kv attach get "$id" 2>/dev/null | cmp -s - "$T/in/file" && okb=$((okb + 1))
  done
  echo "attachments $n, whole $okb"
}
leftovers() { ls -A "$T/w" | grep -vE '^work\.kith(-wal|-shm)?$'; }

"$KITH" init --vault "$T/pre.kith" --passphrase-file "$T/pass" --kdf test >/dev/null || bad "init"
printf '%s\n' '{"ref":"C-1","person":{"name":"윤해란","sex":"female"},"consent":{"sharing":true}}' >"$T/c.jsonl"
"$KITH" import "$T/c.jsonl" --vault "$T/pre.kith" --passphrase-file "$T/pass" >/dev/null || bad "import"
# a document of 2 chunks (64 KiB each)
head -c $((65536 + 777)) /dev/urandom >"$T/in/file"

total=0
# run NAME KILL_PATH: kill at every counted call on paths containing KILL_PATH
run() {
  local name=$1 kpath=$2
  fresh
  local before after calls
  before=$(digest)
  fresh
  rm -f "$T/mark"
  KITH_KILL_PATH=$kpath KITH_KILL_MARK="$T/mark" LD_PRELOAD="$KITH_FAULT_SHIM" \
    "$KITH" attach add C-1 "$T/in/file" --vault "$W" --passphrase-file "$T/pass" </dev/null >/dev/null 2>"$T/err" ||
    { bad "$name: fails without a kill"; sed 's/^/    /' "$T/err"; return; }
  after=$(digest)
  calls=$(cut -d' ' -f1 "$T/mark")
  [ "$before" = "attachments 0, whole 0" ] && [ "$after" = "attachments 1, whole 1" ] && [ "${calls:-0}" -ge 1 ] ||
    { bad "$name: before '$before', after '$after', $calls calls"; return; }
  local n mode wrong=0 nb=0 na=0
  for n in $(seq 1 "$calls") "$calls+"; do
    mode=0
    [ "$n" = "$calls+" ] && { n=$calls; mode=1; }
    fresh
    rm -f "$T/mark"
    KITH_KILL_PATH=$kpath KITH_KILL_AT=$n KITH_KILL_AFTER=$mode KITH_KILL_MARK="$T/mark" LD_PRELOAD="$KITH_FAULT_SHIM" \
      "$KITH" attach add C-1 "$T/in/file" --vault "$W" --passphrase-file "$T/pass" </dev/null >/dev/null 2>&1 &
    wait $! 2>/dev/null
    local rc=$?
    if [ "$rc" -ne 137 ] || [ "$(cut -d' ' -f1 "$T/mark" 2>/dev/null)" != "$n" ]; then
      bad "$name: kill $n/$calls did not land (exit $rc)"
      wrong=$((wrong + 1))
      continue
    fi
    total=$((total + 1))
    local left
    left=$(leftovers)
    [ -z "$left" ] || { bad "$name: kill $n left files: $left"; wrong=$((wrong + 1)); }
    local now
    now=$(digest)
    if [ "$now" = "$before" ]; then nb=$((nb + 1))
    elif [ "$now" = "$after" ]; then na=$((na + 1))
    else
      bad "$name: killed at call $n/$calls ($(cut -d' ' -f2 "$T/mark"), after=$mode): $now"
      wrong=$((wrong + 1))
    fi
  done
  [ "$wrong" -eq 0 ] && ok "$name: $((calls + 1)) kills ($calls calls), the state before $nb times, after $na"
}

# the vault's files: the commit window
run "attach add, in the commit" work.kith
# the spool (an O_TMPFILE in the vault's folder: "#inode (deleted)"), or its
# fallback name: the upload, before the commit
run "attach add, in the upload" "(deleted)"
echo "# $total kills landed"
finish
