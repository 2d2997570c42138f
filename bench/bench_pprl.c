/*
 * bench_pprl — Dice comparisons of 1,024-bit encodings per second with the
 * linkage's kernel (tiled, every core), beside the physical limit measured in
 * the same run: a plain popcount loop over the same bytes (one filter read
 * per comparison, as the kernel's inner loop reads one). Prints the ratio.
 *   bench_pprl [N]   (N × N comparisons; default 20000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pprl/encode.h"
#include "pprl/match.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
	uint64_t *f = aligned_alloc(64, n * 128);
	if (!f)
		return 1;
	uint64_t s = 1;
	for (size_t i = 0; i < n * KITH_PPRL_WORDS; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		f[i] = (s >> 1) & (s << 7); /* about a quarter of the bits set */
	}
	uint64_t cmp = 0, cmp2 = 0, cmp1 = 0;
	double t0 = now();
	uint64_t hits = kith_pprl_dice_count(f, n, f, n, 0.8, 0, 0, &cmp);
	double t1 = now();
	uint64_t hits2 = kith_pprl_dice_count(f, n, f, n, 0.8, 0, 1, &cmp2);
	double t2 = now();
	uint64_t hits1 = kith_pprl_dice_count(f, n, f, n, 0.8, 1, 0, &cmp1);
	double t3 = now();
	/* the limit: popcount of 64-bit words over as many 128-byte filters as comparisons, from L1 */
	uint64_t sum = 0, reps = cmp / 256;
	double t4 = now();
	for (uint64_t r = 0; r < reps; r++)
		sum += kith_pprl_popcount_all(f + (r % 64) * KITH_PPRL_WORDS * 4, 4 * KITH_PPRL_WORDS);
	double t5 = now();
	double wide = (double)cmp / (t1 - t0), scal = (double)cmp2 / (t2 - t1),
	       one = (double)cmp1 / (t3 - t2);
	double lim = (double)(reps * 4) / (t5 - t4);
	printf("pairs %llu (>= 0.8: %llu %llu %llu)\n", (unsigned long long)cmp, (unsigned long long)hits,
	       (unsigned long long)hits2, (unsigned long long)hits1);
	printf("dice 1024-bit, AVX-512 kernel, all cores: %8.0f million/s\n", wide / 1e6);
	printf("dice 1024-bit, AVX-512 kernel, one core:  %8.0f million/s\n", one / 1e6);
	printf("dice 1024-bit, POPCNT kernel, all cores:  %8.0f million/s\n", scal / 1e6);
	printf("plain popcount loop (64-bit words), one core, 128 bytes per item: %.0f million/s (checksum "
	       "%llu)\n",
	       lim / 1e6, (unsigned long long)(sum & 0xFF));
	printf("ratios: AVX-512 one core / popcount loop one core %.2f; all cores / one core %.2f\n",
	       one / lim, wide / one);
	free(f);
	return 0;
}
