#!/usr/bin/env bash
# kill -9 inside the commit window, for every write path of the real binary:
# import, edit, link confirm/merge/undo, trace confirm/undo, passwd, panic.
#
# A shim (kill_shim.c, LD_PRELOAD) counts the calls that change the vault's
# files (write, pwrite, fsync, fdatasync, ftruncate, rename, unlink on
# paths containing the vault's name) and sends SIGKILL at the Nth; a first
# run without a kill counts them (C). For N = 1..C (killed before the call)
# and once after the last call, on a fresh copy of the state before:
#   - the command died of SIGKILL, and the shim's mark names call N (the kill
#     landed there: no sleep, no race),
#   - the vault then opens and shows exactly the state before or the state
#     after (kith_fault_digest: every record without ids or times, the damage
#     list, which passphrase opens it; after panic: no passphrase opens it),
#     never one between.
. "$(dirname "$0")/../cli/lib.sh"
: "${KITH_FAULT_SHIM:?}" "${KITH_FAULT_DIGEST:?}"
# the shim comes before the sanitizer's runtime in the sanitizer build
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
printf 'kill test words\n' >"$T/pass"
printf 'kill test words, changed\n' >"$T/new"
export KITH_REVIEWER=reviewer-1
# the vault's syncs are counted but do not wait on the disk: a killed process
# loses nothing the page cache holds (kill_shim.c)
export KITH_KILL_NOSYNC=1

kv() { "$KITH" "$@" --vault "$V" --passphrase-file "$T/pass"; }
fresh() { rm -f "$T/work.kith" "$T/work.kith-wal" "$T/work.kith-shm"; cp "$1" "$T/work.kith"; }
digest() { "$KITH_FAULT_DIGEST" "$T/work.kith" "$T/pass" "$T/new"; }
link_id() { kv link review --all --json | grep -oE '"id": *"[0-9a-f]{32}"' | head -1 | grep -oE '[0-9a-f]{32}'; }

# --- the states before each operation (fictional people)
V=$T/base.kith
"$KITH" init --vault "$V" --passphrase-file "$T/pass" --kdf test >/dev/null || bad "init"
cat >"$T/base.jsonl" <<'JSONL'
{"ref":"M-1","person":{"name":"방순자","sex":"female","birth":"1970","origin":{"province":"north_hamgyong"}},"consent":{"tracing":true}}
{"ref":"K-1","person":{"name":"Bang Cheol-su","sex":"male","birth":"1996","origin":{"province":"north_hamgyong"}},"family":[{"relation":"mother","name":"방순자","status":"missing"}],"consent":{"tracing":true}}
{"ref":"A-1","person":{"name":"윤해란","sex":"female","birth":"1988"},"consent":{"tracing":true}}
{"ref":"A-2","person":{"name":"Yun Hae-ran","sex":"female","birth":"1988"},"consent":{"tracing":true}}
JSONL
kv import "$T/base.jsonl" >/dev/null || bad "base import"
cat >"$T/req.json" <<'JSON'
{"ref":"T-1","seeker":{"case":"M-1"},"sought":{"name":"방철수","sex":"male","age":{"years":7,"in_year":2003},"relation":"child"},"consent":{"tracing":true,"given_by":"self"}}
JSON
kv trace add "$T/req.json" >/dev/null || bad "base trace"
cat >"$T/edit.json" <<'JSON'
{"ref":"A-1","person":{"name":"윤해란","sex":"female","birth":"1988"},"status":"closed","consent":{"tracing":true}}
JSON
cat >"$T/more.jsonl" <<'JSONL'
{"person":{"name":"지영순","sex":"female","birth":"1961"}}
{"person":{"name":"Ri Kwang Ho","sex":"male","birth":"1979"}}
{"person":{"name":"강미옥","sex":"female","birth":"1990"}}
JSONL
cp "$V" "$T/pre_base.kith"
V=$T/pre_merged.kith; cp "$T/pre_base.kith" "$V"
kv link merge A-1 A-2 >/dev/null || bad "base merge"
LINK=$(link_id)
V=$T/pre_undone.kith; cp "$T/pre_merged.kith" "$V"
kv link undo "$LINK" >/dev/null || bad "base undo"
V=$T/pre_traced.kith; cp "$T/pre_base.kith" "$V"
kv trace confirm T-1 K-1 >/dev/null || bad "base trace confirm"
[ -n "$LINK" ] && ok "the states before are made" || bad "no link id"

V=$T/work.kith
total_kills=0
# check NAME PRE-STATE -- kith arguments (the vault is added; $PF: the passphrase file)
PF=(--passphrase-file "$T/pass")
check() {
  local name=$1 pre=$2
  shift 3
  local args=("$@" --vault "$T/work.kith")
  fresh "$pre"
  local before after calls
  before=$(digest)
  fresh "$pre"
  rm -f "$T/mark"
  KITH_KILL_PATH=work.kith KITH_KILL_MARK="$T/mark" LD_PRELOAD="$KITH_FAULT_SHIM" "$KITH" "${args[@]}" \
    </dev/null >/dev/null 2>"$T/err" || { bad "$name: fails without a kill"; sed 's/^/    /' "$T/err"; return; }
  after=$(digest)
  calls=$(cut -d' ' -f1 "$T/mark")
  if [ "$before" = "$after" ] || [ -z "$calls" ] || [ "$calls" -lt 1 ]; then
    bad "$name: the operation changed nothing ($calls calls)"
    return
  fi
  case "$after" in OPENED*" 0"|LOCKED) ;; *) bad "$name: after: $after"; return ;; esac
  local n mode landed_before=0 landed_after=0 wrong=0
  for n in $(seq 1 "$calls") "$calls+"; do
    mode=0
    [ "$n" = "$calls+" ] && { n=$calls; mode=1; }
    fresh "$pre"
    rm -f "$T/mark"
    # in the background: bash reports no "Killed" line for it
    KITH_KILL_PATH=work.kith KITH_KILL_AT=$n KITH_KILL_AFTER=$mode KITH_KILL_MARK="$T/mark" \
      LD_PRELOAD="$KITH_FAULT_SHIM" "$KITH" "${args[@]}" </dev/null >/dev/null 2>&1 &
    wait $! 2>/dev/null
    local rc=$?
    if [ "$rc" -ne 137 ] || [ "$(cut -d' ' -f1 "$T/mark" 2>/dev/null)" != "$n" ]; then
      bad "$name: kill $n/$calls did not land (exit $rc, mark: $(cat "$T/mark" 2>/dev/null))"
      wrong=$((wrong + 1))
      continue
    fi
    total_kills=$((total_kills + 1))
    local now
    now=$(digest)
    if [ "$now" = "$before" ]; then landed_before=$((landed_before + 1))
    elif [ "$now" = "$after" ]; then landed_after=$((landed_after + 1))
    else
      bad "$name: killed at call $n/$calls ($(cut -d' ' -f2 "$T/mark")${mode:+, after=$mode}): the vault shows neither state: $now"
      wrong=$((wrong + 1))
    fi
  done
  [ "$wrong" -eq 0 ] && ok "$name: $((calls + 1)) kills in the commit window ($calls calls), the state before $landed_before times, after $landed_after"
}

check "import" "$T/pre_base.kith" -- import "$T/more.jsonl" "${PF[@]}"
check "edit" "$T/pre_base.kith" -- edit A-1 "$T/edit.json" "${PF[@]}"
check "link merge" "$T/pre_base.kith" -- link merge A-1 A-2 "${PF[@]}"
check "link undo" "$T/pre_merged.kith" -- link undo "$LINK" "${PF[@]}"
check "link confirm" "$T/pre_undone.kith" -- link confirm "$LINK" "${PF[@]}"
check "trace confirm" "$T/pre_base.kith" -- trace confirm T-1 K-1 "${PF[@]}"
check "trace undo" "$T/pre_traced.kith" -- trace undo T-1 K-1 "${PF[@]}"
check "passwd" "$T/pre_base.kith" -- passwd --new-passphrase-file "$T/new" "${PF[@]}"
check "panic" "$T/pre_base.kith" -- panic --yes
echo "# $total_kills kills landed"
finish
