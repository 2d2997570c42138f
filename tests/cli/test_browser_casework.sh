#!/usr/bin/env bash
# CTest wrapper of the browser test of the attachment purge and the export
# with consent (tests/browser/casework.test.mjs), in Korean and English at
# desktop and phone sizes, with axe-core. Fails (never skips) when
# playwright-core or chromium cannot be had.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
export KITH KITH_BUILD="${KITH_BUILD:-$(mktemp -d)}"
exec bash "${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/browser/run.sh" casework.test.mjs
