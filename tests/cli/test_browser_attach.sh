#!/usr/bin/env bash
# Attachments in a real browser (tests/browser/attach.test.mjs): Debian's
# chromium with playwright-core, as test_browser.sh; fails (never skips) when
# they cannot be had.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
export KITH KITH_BUILD="${KITH_BUILD:-$(mktemp -d)}"
export KITH_SOURCE="${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}"
exec bash "$KITH_SOURCE/tests/browser/run.sh" attach.test.mjs
