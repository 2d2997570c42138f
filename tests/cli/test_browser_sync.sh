#!/usr/bin/env bash
# CTest wrapper of the browser tests of devices, bundles and conflicts
# (tests/browser/sync.test.mjs): the conflict banner and the side-by-side
# view with a choice per field, the devices page, in Korean and English at
# desktop and phone sizes. Fails (never skips) when playwright-core or
# chromium cannot be had.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
export KITH KITH_BUILD="${KITH_BUILD:-$(mktemp -d)}"
exec bash "${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/browser/run.sh" sync.test.mjs
