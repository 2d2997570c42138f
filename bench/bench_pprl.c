/*
 * bench_pprl — Dice comparisons of 1,024-bit encodings per second with the
 * linkage's kernel (tiled, every core), beside the physical limit measured in
 * the same run: a plain popcount loop over the same bytes (one filter read
 * per comparison, as the kernel's inner loop reads one). Prints the ratio.
 *   bench_pprl [N]   (N × N comparisons; default 20000)
 *   bench_pprl --pairs A.kpe B.kpe ...   the linkage's candidate pairs as CSV
 *     (list_a,row_a,list_b,row_b,dice,post,rival,birth_bin; rows 1-based), the
 *     match model's bands after "#" lines: what bench/pprl_est.py reads to
 *     measure the posteriors' calibration and the estimate's error against the
 *     truth (a benchmark only: the linkage never sees the truth)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pprl/encode.h"
#include "pprl/kpe.h"
#include "pprl/match.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dump_pairs(int nf, char **paths)
{
	struct kith_kpe kf[KITH_PPRL_MAX_LISTS];
	struct kith_err err;
	kith_err_clear(&err);
	size_t total = 0;
	if (nf < 2 || nf > (int)KITH_PPRL_MAX_LISTS)
		return 2;
	for (int j = 0; j < nf; j++) {
		if (kith_kpe_read(&kf[j], paths[j], &err)) {
			fprintf(stderr, "%s: %s\n", paths[j], err.msg);
			return 1;
		}
		total += kf[j].n;
	}
	uint64_t *f = aligned_alloc(64, total * KITH_PPRL_BITS / 8);
	uint32_t *src = malloc(total * sizeof *src);
	size_t *row = malloc(total * sizeof *row);
	if (!f || !src || !row)
		return 1;
	size_t at = 0;
	for (int j = 0; j < nf; j++) {
		memcpy(f + at * KITH_PPRL_WORDS, kf[j].filters, kf[j].n * KITH_PPRL_BITS / 8);
		for (size_t i = 0; i < kf[j].n; i++) {
			src[at + i] = (uint32_t)j;
			row[at + i] = i + 1;
		}
		at += kf[j].n;
	}
	struct kith_pprl_opts o;
	memset(&o, 0, sizeof o);
	o.seed = 1;
	struct kith_pprl_result r;
	if (kith_pprl_link(f, src, total, (unsigned)nf, &o, &r, &err)) {
		fprintf(stderr, "link: %s\n", err.msg);
		return 1;
	}
	const struct kith_pprl_model *m = &r.model;
	printf("# records %zu pairs %llu floor %.4f lambda %.6g lambda_best %.6g lambda_same %.6g\n", total,
	       (unsigned long long)r.all_pairs, m->floor, m->lambda, m->lambda_best, m->lambda_same);
	for (int b = 0; b < KITH_PPRL_BANDS; b++)
		printf("# band %d m %.6g u %.6g post %.6g post_best %.6g\n", b, m->m[b], m->u[b], m->post[b],
		       m->post_best[b]);
	for (int b = 0; b < KITH_PPRL_BIRTH_BINS; b++)
		printf("# birth %d m %.6g u %.6g\n", b, m->birth_m[b], m->birth_u[b]);
	printf("list_a,row_a,list_b,row_b,dice,post,rival,birth_bin\n");
	for (size_t i = 0; i < r.n_pairs; i++) {
		uint32_t a = r.pairs[i].a, b = r.pairs[i].b;
		printf("%s,%zu,%s,%zu,%.4f,%.5f,%d,%d\n", kf[src[a]].org, row[a], kf[src[b]].org, row[b],
		       r.pairs[i].dice, r.post[i], r.rival[i],
		       kith_pprl_birth_bin(f + (size_t)a * KITH_PPRL_WORDS, f + (size_t)b * KITH_PPRL_WORDS));
	}
	kith_pprl_result_release(&r);
	for (int j = 0; j < nf; j++)
		kith_kpe_release(&kf[j]);
	free(f);
	free(src);
	free(row);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--pairs"))
		return dump_pairs(argc - 2, argv + 2);
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
