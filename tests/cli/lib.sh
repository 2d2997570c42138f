# Shared helpers for the end-to-end tests of the kith binary. Source it.
# Every test runs in its own temporary folder (also TMPDIR), removed at exit.
set -u
: "${KITH:?KITH must point to the kith binary}"
T=$(mktemp -d)
export TMPDIR=$T
export KITH_NO_PROGRESS=1
unset KITH_VAULT
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; }

# expect CODE DESCRIPTION -- command...: runs the command, checks its exit code;
# its stdout is in $T/out and stderr in $T/err afterwards.
expect() {
  local want=$1 what=$2
  shift 3
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok "$what"; else
    bad "$what (exit $got, wanted $want)"; sed 's/^/    err: /' "$T/err" | head -5; fi
}

# has FILE PATTERN DESCRIPTION: grep -E in a file
has() { if grep -qE -- "$2" "$1"; then ok "$3"; else bad "$3 (no '$2' in $(basename "$1"))"; sed 's/^/    | /' "$1" | head -5; fi; }
hasnt() { if grep -qE -- "$2" "$1"; then bad "$3 ('$2' found in $(basename "$1"))"; else ok "$3"; fi; }

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
