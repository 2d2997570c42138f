#!/usr/bin/env bash
# Runs bench_link on every linkage set: FEBRL 3 and 4, historical_figures_50k
# (decompressed here with gzip -dc to a temporary file: zlib is not a kith
# dependency) and kith synth data. Usage:
#   bench/link.sh [BUILD_DIR] [--big]
# BUILD_DIR holds bench_link (default build/release). --big adds the
# million-record deduplication.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/release}
shift || true
shared=${KITH_SHARED:-$here}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gzip -dc "$shared/data/linkage/historical_figures_50k.csv.gz" >"$tmp/historical.csv"
"$build/bench_link" --data "$shared/data/linkage" --historical "$tmp/historical.csv" "$@"
