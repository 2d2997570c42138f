#!/usr/bin/env bash
# CTest wrapper of the browser tests of the file check (tests/browser/integrity.test.mjs):
# a tampered format-2 vault's banner and File check page for admins, in Korean
# and English, none for a caseworker. Fails (never skips) when playwright-core
# or chromium cannot be had.
set -uo pipefail
: "${KITH:?set KITH to the kith binary}"
export KITH KITH_BUILD="${KITH_BUILD:-$(mktemp -d)}"
exec bash "${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/browser/run.sh" integrity.test.mjs
