#!/usr/bin/env bash
# anonlink (data61/anonlink, the reference implementation of Bloom-filter
# linkage) beside kith's Dice kernel, in the same run, on the same filters:
# 1,024-bit filters made by the same generator as bench_pprl, each row
# compared with all N by anonlink's C++ entry point
# match_one_against_many_dice_k_top (k = 10, threshold 0.8), as its Python
# layer calls it, on one thread; then bench_pprl N. anonlink is not part of
# kith and nothing of it is kept: give a checkout of it (its
# anonlink/similarities/dice.cpp is compiled in a temporary folder with the
# small driver below, g++ -O3 -march=native).
#   bench/anonlink_peer.sh ANONLINK_CHECKOUT [BUILD_DIR] [N]
set -euo pipefail
src=${1:?usage: bench/anonlink_peer.sh ANONLINK_CHECKOUT [BUILD_DIR] [N]}
build=${2:-build/release}
n=${3:-20000}
[ -f "$src/anonlink/similarities/dice.cpp" ] || { echo "anonlink_peer: no anonlink/similarities/dice.cpp in $src" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/driver.cpp" <<'CPP'
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
extern "C" int match_one_against_many_dice_k_top(const char *, const char *, const uint32_t *, int, int,
						  uint32_t, double, unsigned int *, double *);
extern "C" double popcount_arrays(uint32_t *, const char *, int, int);
static double secs(clockid_t c)
{
	timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], nullptr, 10) : 20000;
	uint64_t *f = static_cast<uint64_t *>(aligned_alloc(64, n * 128));
	uint32_t *pc = static_cast<uint32_t *>(malloc(n * sizeof *pc));
	if (!f || !pc)
		return 1;
	uint64_t s = 1;
	for (size_t i = 0; i < n * 16; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		f[i] = (s >> 1) & (s << 7);
	}
	popcount_arrays(pc, reinterpret_cast<const char *>(f), (int)n, 128);
	unsigned idx[11];
	double sc[11];
	uint64_t hits = 0;
	double w0 = secs(CLOCK_MONOTONIC), c0 = secs(CLOCK_PROCESS_CPUTIME_ID);
	for (size_t i = 0; i < n; i++)
		hits += (uint64_t)match_one_against_many_dice_k_top(reinterpret_cast<const char *>(f + i * 16),
								    reinterpret_cast<const char *>(f), pc,
								    (int)n, 128, 10, 0.8, idx, sc);
	double w1 = secs(CLOCK_MONOTONIC), c1 = secs(CLOCK_PROCESS_CPUTIME_ID);
	double pairs = (double)n * (double)n;
	printf("anonlink dc-k-top, one thread: %.0f million/s wall, %.0f million per CPU second (hits %llu)\n",
	       pairs / (w1 - w0) / 1e6, pairs / (c1 - c0) / 1e6, (unsigned long long)hits);
	return 0;
}
CPP
g++ -O3 -march=native -DNDEBUG -std=c++17 -I"$src/anonlink/similarities" \
  "$src/anonlink/similarities/dice.cpp" "$tmp/driver.cpp" -o "$tmp/anonlink_dice"
"$tmp/anonlink_dice" "$n"
"$build/bench_pprl" "$n"
