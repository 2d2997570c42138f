#!/usr/bin/env bash
# CTest wrapper of the browser tests of the case at the centre
# (tests/browser/centre.test.mjs): merged persons, tracing and family
# entries, the due view, assignment, referral sheets, the review queue's
# filters, in Korean and English at desktop and phone sizes. Fails (never
# skips) when playwright-core or chromium cannot be had.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
export KITH KITH_BUILD="${KITH_BUILD:-$(mktemp -d)}"
exec bash "${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/browser/run.sh" centre.test.mjs
