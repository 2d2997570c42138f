#!/usr/bin/env bash
# CTest wrapper of the browser tests of people (tests/browser/people.test.mjs):
# who unlocked in the header, the People page for admins, history naming the
# person, the view log on the case page, an analyst shown no name; in Korean
# and English at desktop and phone sizes. Fails (never skips) when
# playwright-core or chromium cannot be had.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
export KITH KITH_BUILD="${KITH_BUILD:-$(mktemp -d)}"
exec bash "${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/browser/run.sh" people.test.mjs
