#!/usr/bin/env bash
# CTest wrapper of the browser tests of every form's draft and of the keys
# page (tests/browser/forms.test.mjs): the tracing request form, the review
# reason, the assignment, the duplicate proposal and the referral sheet kept
# as drafts (reload, kill -9, language switch, leaving, edit conflicts), and
# the passphrase change and organization key backup, in Korean and English
# at desktop and phone sizes, axe-core on each. Fails (never skips) when
# playwright-core or chromium cannot be had.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
export KITH KITH_BUILD="${KITH_BUILD:-$(mktemp -d)}"
exec bash "${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/browser/run.sh" forms.test.mjs
