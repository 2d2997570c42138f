#!/usr/bin/env bash
# CTest wrapper of the browser tests: unlock -> intake -> search in Hangul and
# romanization -> edit -> history -> lock in Korean and English, import and
# export, idle lock and panic, driven in Debian's chromium (tests/browser/).
# Screenshots of every page land in $KITH_BUILD/screenshots. Fails (never
# skips) when playwright-core or chromium cannot be had.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
export KITH KITH_BUILD="${KITH_BUILD:-$(mktemp -d)}"
exec bash "${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/browser/run.sh"
