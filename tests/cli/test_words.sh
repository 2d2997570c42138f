#!/usr/bin/env bash
# Korean particles (web/js/particles.js) and the locale files: node, no browser.
set -uo pipefail
src="${KITH_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}"
command -v node >/dev/null || { echo "not ok - node is missing (scripts/install-deps)"; exit 1; }
KITH_SOURCE="$src" exec node "$src/tests/browser/words.test.mjs"
