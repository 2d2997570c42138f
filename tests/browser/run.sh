#!/usr/bin/env bash
# Runs the browser tests of kith's web UI (ui.test.mjs) with Debian's chromium
# and playwright-core from npm; axe-core (npm) checks every page. Installs them into
# tests/browser/node_modules (git-ignored) from the lock file, preferring
# npm's cache so a machine that installed it once works offline. If it cannot
# be installed, or chromium is missing, the run FAILS: it never skips.
#
# Environment: KITH (the binary) and KITH_BUILD (screenshots go to
# $KITH_BUILD/screenshots), or KITH_URL and KITH_PASS for a running server.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

fail() {
	echo "not ok - $1"
	echo "0 passed, 1 failed"
	exit 1
}

command -v node >/dev/null || fail "node is missing (scripts/install-deps installs nodejs and npm)"
command -v npm >/dev/null || fail "npm is missing (scripts/install-deps installs nodejs and npm)"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "chromium is missing (scripts/install-deps installs Debian's chromium)"

# every devDependency (playwright-core, axe-core) at the version package.json names
stale=0
for pkg in playwright-core axe-core; do
	want=$(sed -nE "s/.*\"$pkg\": \"([^\"]+)\".*/\\1/p" package.json | head -1)
	have=$(sed -nE 's/.*"version": "([^"]+)".*/\1/p' "node_modules/$pkg/package.json" 2>/dev/null | head -1)
	[ "$have" = "$want" ] || stale=1
done
if [ "$stale" = 1 ]; then
	export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 # playwright-core never downloads; belt and braces
	npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null 2>npm-install.log ||
		npm install --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null 2>>npm-install.log ||
		fail "cannot install playwright-core and axe-core with npm (see tests/browser/npm-install.log)"
	rm -f npm-install.log
fi

exec node "${1:-ui.test.mjs}"
