/*
 * match — linkage of encodings (see match.h).
 */
#include "pprl/match.h"

#include <math.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pool.h"
#include "base/uf.h"
#include "base/prng.h"

#define TILE 256		     /* records per tile: 32 KiB of filters */
#define EXHAUSTIVE_MAX 2000000000ULL /* pairs compared without blocking, at most */
#define Q 4096u			     /* Dice thresholds in fixed point */
#define BIRTH_PRIOR 50.0	     /* pairs: the weight of the pooled u in each group's */
#define CAND_SLACK 0.1		     /* the kernel's threshold below the floor */
#define RIVAL_BIRTH_MIN 200	     /* rival pairs from which the birth's u is taken, at least */
#define RIVAL_MARGIN 0.05f /* a rival is this much worse than the best: closer, it may be a duplicate */
#define BAND_PRIOR 20.0	   /* pairs: the weight of the band's own share in its birth-read share */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* want, or every processor when 0; at most KITH_POOL_MAX */
static unsigned n_threads(unsigned want)
{
	return kith_pool_threads(want, SIZE_MAX);
}

/* --- the kernel */

#if defined(__x86_64__)
#define KERNEL_TARGET __attribute__((target("popcnt")))
#else
#define KERNEL_TARGET
#endif

KERNEL_TARGET static inline unsigned andpop(const uint64_t *a, const uint64_t *b)
{
	unsigned c = 0;
	for (unsigned w = 0; w < KITH_PPRL_WORDS; w++)
		c += (unsigned)__builtin_popcountll(a[w] & b[w]);
	return c;
}

#if defined(__x86_64__)
#include <immintrin.h>
#define WIDE_TARGET __attribute__((target("avx512f,avx512vpopcntdq")))
#define HAVE_WIDE 1
/* popcount(a & b) of one filter held in two registers against b (64-byte aligned) */
WIDE_TARGET static inline unsigned andpop_wide(__m512i a0, __m512i a1, const uint64_t *b)
{
	__m512i x = _mm512_popcnt_epi64(_mm512_and_si512(a0, _mm512_load_si512((const void *)b)));
	__m512i y = _mm512_popcnt_epi64(_mm512_and_si512(a1, _mm512_load_si512((const void *)(b + 8))));
	return (unsigned)_mm512_reduce_add_epi64(_mm512_add_epi64(x, y));
}
/* popcount(a & b_k) for four consecutive filters b[0..4): the four lane
 * vectors are packed in 16-bit fields (each field sums to at most 1024) and
 * reduced once */
WIDE_TARGET static inline void andpop_wide4(__m512i a0, __m512i a1, const uint64_t *b, unsigned c[4])
{
	__m512i acc = _mm512_setzero_si512();
	for (int k = 0; k < 4; k++) {
		const uint64_t *x = b + (size_t)k * KITH_PPRL_WORDS;
		__m512i v = _mm512_add_epi64(
		    _mm512_popcnt_epi64(_mm512_and_si512(a0, _mm512_load_si512((const void *)x))),
		    _mm512_popcnt_epi64(_mm512_and_si512(a1, _mm512_load_si512((const void *)(x + 8)))));
		acc = _mm512_add_epi64(acc, _mm512_slli_epi64(v, (unsigned)(16 * k)));
	}
	uint64_t t = (uint64_t)_mm512_reduce_add_epi64(acc);
	c[0] = (unsigned)(t & 0xFFFF);
	c[1] = (unsigned)(t >> 16 & 0xFFFF);
	c[2] = (unsigned)(t >> 32 & 0xFFFF);
	c[3] = (unsigned)(t >> 48);
}
static int have_wide(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
}
#else
#define HAVE_WIDE 0
static int have_wide(void)
{
	return 0;
}
#endif

KERNEL_TARGET static unsigned popf(const uint64_t *a)
{
	unsigned c = 0;
	for (unsigned w = 0; w < KITH_PPRL_WORDS; w++)
		c += (unsigned)__builtin_popcountll(a[w]);
	return c;
}

struct pairvec {
	struct kith_pprl_pair *p;
	size_t n, cap;
	int oom;
};

static void pv_push(struct pairvec *v, uint32_t a, uint32_t b, float d)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4096;
		void *np = realloc(v->p, nc * sizeof *v->p);
		if (!np) {
			v->oom = 1;
			return;
		}
		v->p = np;
		v->cap = nc;
	}
	v->p[v->n++] = (struct kith_pprl_pair){a, b, d};
}

/* Compares rows [i0,i1) with [j0,j1) (j > i when the ranges are the same);
 * keeps pairs with 2c·Q >= fq·(pa+pb). Returns the comparisons made. */
KERNEL_TARGET static uint64_t tile(const uint64_t *f, const uint16_t *pop, size_t i0, size_t i1, size_t j0,
				   size_t j1, unsigned fq, struct pairvec *out)
{
	uint64_t cmp = 0;
	for (size_t i = i0; i < i1; i++) {
		const uint64_t *a = f + i * KITH_PPRL_WORDS;
		unsigned pa = pop[i];
		size_t js = j0 > i + 1 ? j0 : i + 1;
		for (size_t j = js; j < j1; j++) {
			unsigned c = andpop(a, f + j * KITH_PPRL_WORDS);
			if (2u * c * Q >= fq * (pa + pop[j]) && pa + pop[j]) {
				unsigned s = pa + pop[j];
				pv_push(out, (uint32_t)i, (uint32_t)j, (float)(2.0 * c / s));
			}
		}
		cmp += j1 > js ? j1 - js : 0;
	}
	return cmp;
}

#if HAVE_WIDE
WIDE_TARGET static uint64_t tile_wide(const uint64_t *f, const uint16_t *pop, size_t i0, size_t i1, size_t j0,
				      size_t j1, unsigned fq, struct pairvec *out)
{
	uint64_t cmp = 0;
	for (size_t i = i0; i < i1; i++) {
		const uint64_t *a = f + i * KITH_PPRL_WORDS;
		__m512i a0 = _mm512_load_si512((const void *)a),
			a1 = _mm512_load_si512((const void *)(a + 8));
		unsigned pa = pop[i];
		size_t js = j0 > i + 1 ? j0 : i + 1;
		size_t j = js;
		for (; j + 4 <= j1; j += 4) {
			unsigned c4[4];
			andpop_wide4(a0, a1, f + j * KITH_PPRL_WORDS, c4);
			for (unsigned k = 0; k < 4; k++) {
				unsigned sum = pa + pop[j + k];
				if (2u * c4[k] * Q >= fq * sum && sum)
					pv_push(out, (uint32_t)i, (uint32_t)(j + k),
						(float)(2.0 * c4[k] / sum));
			}
		}
		for (; j < j1; j++) {
			unsigned c = andpop_wide(a0, a1, f + j * KITH_PPRL_WORDS);
			unsigned sum = pa + pop[j];
			if (2u * c * Q >= fq * sum && sum)
				pv_push(out, (uint32_t)i, (uint32_t)j, (float)(2.0 * c / sum));
		}
		cmp += j1 > js ? j1 - js : 0;
	}
	return cmp;
}
#endif

/*
 * The similarity of the main regions of two filters (the birth region left
 * out): their Dice, or 0.9 × their overlap coefficient (common bits over the
 * fewer bits) when that is higher. A record known by other names as well
 * carries their tokens too, so its filter holds nearly all of the bits of a
 * record of the same person under one of those names, and their Dice is low
 * (about 2/3 with one other name); the overlap sees the containment. The
 * factor keeps a small filter inside a large one below an equal pair (tuning
 * seeds 340 and 440: 0.85, 0.9, 0.95 and the overlap alone tried; 0.9 best,
 * F1 ratio +0.008 on average; bench/README.md, issue 16, fifth session).
 */
#define OVERLAP_WEIGHT 0.9
KERNEL_TARGET static double main_sim(const uint64_t *a, const uint64_t *b)
{
	unsigned pa = 0, pb = 0, c = 0;
	for (unsigned w = 0; w < KITH_PPRL_MAIN_BITS / 64; w++) {
		pa += (unsigned)__builtin_popcountll(a[w]);
		pb += (unsigned)__builtin_popcountll(b[w]);
		c += (unsigned)__builtin_popcountll(a[w] & b[w]);
	}
	unsigned lo = pa < pb ? pa : pb;
	double dice = pa + pb ? 2.0 * c / (pa + pb) : 0.0, ov = lo ? OVERLAP_WEIGHT * c / lo : 0.0;
	return dice > ov ? dice : ov;
}

/* --- threads */

struct shared {
	const uint64_t *f;
	const uint16_t *pop;
	size_t n;
	unsigned fq;
	atomic_size_t next;
	size_t total; /* units of work */
	atomic_uint_fast64_t compared;
	atomic_size_t done;
	/* LSH */
	unsigned bands, rows;
	const uint16_t *positions; /* bands × rows */
	size_t bucket_max;
	atomic_uint_fast64_t skipped;
	int wide; /* the AVX-512 kernel */
	uint64_t elig_mask[KITH_PPRL_WORDS];
	unsigned n_elig;
	int oom;
};

struct worker {
	struct shared *s;
	struct pairvec v;
	const struct kith_pprl_opts *o;
	int reporter;
};

static void report(struct worker *w, const char *stage)
{
	if (w->reporter && w->o && w->o->progress)
		w->o->progress(stage, atomic_load(&w->s->done), w->s->total, w->o->progress_arg);
}

static void all_pairs_worker(unsigned thread, void *arg)
{
	struct worker *w = (struct worker *)arg + thread;
	struct shared *s = w->s;
	size_t tiles = (s->n + TILE - 1) / TILE;
	for (;;) {
		size_t I = atomic_fetch_add(&s->next, 1);
		if (I >= tiles)
			break;
		uint64_t cmp = 0;
		size_t i0 = I * TILE, i1 = i0 + TILE < s->n ? i0 + TILE : s->n;
		for (size_t J = I; J < tiles; J++) {
			size_t j0 = J * TILE, j1 = j0 + TILE < s->n ? j0 + TILE : s->n;
#if HAVE_WIDE
			if (s->wide)
				cmp += tile_wide(s->f, s->pop, i0, i1, j0, j1, s->fq, &w->v);
			else
#endif
				cmp += tile(s->f, s->pop, i0, i1, j0, j1, s->fq, &w->v);
		}
		atomic_fetch_add(&s->compared, cmp);
		atomic_fetch_add(&s->done, tiles - I);
		report(w, "comparing");
		if (w->v.oom)
			break;
	}
}

struct keyed {
	uint64_t key;
	uint32_t idx;
};

static int cmp_keyed(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static uint64_t band_key(const struct shared *s, size_t t, const uint64_t *a)
{
	const uint16_t *pos = s->positions + t * s->rows;
	uint64_t k = 0;
	for (unsigned r = 0; r < s->rows; r++)
		k = k << 1 | (a[pos[r] / 64] >> (pos[r] % 64) & 1u);
	return k;
}

/* Whether records a and b share the key of a band before t (the pair was
 * compared there, and is kept from there only). */
static int earlier_band(const struct shared *s, size_t t, const uint64_t *a, const uint64_t *b)
{
	for (size_t u = 0; u < t; u++)
		if (band_key(s, u, a) == band_key(s, u, b))
			return 1;
	return 0;
}

static void lsh_worker(unsigned thread, void *arg)
{
	struct worker *w = (struct worker *)arg + thread;
	struct shared *s = w->s;
	struct keyed *ks = malloc(s->n * sizeof *ks);
	if (!ks) {
		w->v.oom = 1;
		return;
	}
	for (;;) {
		size_t t = atomic_fetch_add(&s->next, 1);
		if (t >= s->bands)
			break;
		for (size_t i = 0; i < s->n; i++)
			ks[i] = (struct keyed){band_key(s, t, s->f + i * KITH_PPRL_WORDS), (uint32_t)i};
		qsort(ks, s->n, sizeof *ks, cmp_keyed);
		uint64_t cmp = 0;
		for (size_t i = 0; i < s->n;) {
			size_t j = i + 1;
			while (j < s->n && ks[j].key == ks[i].key)
				j++;
			size_t sz = j - i;
			if (sz > s->bucket_max) {
				atomic_fetch_add(&s->skipped, sz);
			} else {
				for (size_t x = i; x < j; x++) {
					uint32_t a = ks[x].idx;
					const uint64_t *fa = s->f + (size_t)a * KITH_PPRL_WORDS;
					for (size_t y = x + 1; y < j; y++) {
						uint32_t b = ks[y].idx;
						unsigned c = andpop(fa, s->f + (size_t)b * KITH_PPRL_WORDS);
						unsigned sum = s->pop[a] + s->pop[b];
						if (sum && 2u * c * Q >= s->fq * sum &&
						    !earlier_band(s, t, fa,
								  s->f + (size_t)b * KITH_PPRL_WORDS))
							pv_push(&w->v, a < b ? a : b, a < b ? b : a,
								(float)(2.0 * c / sum));
					}
				}
				cmp += sz * (sz - 1) / 2;
			}
			i = j;
		}
		atomic_fetch_add(&s->compared, cmp);
		atomic_fetch_add(&s->done, 1);
		report(w, "blocking (LSH)");
		if (w->v.oom)
			break;
	}
	free(ks);
}

static int cmp_pair(const void *x, const void *y)
{
	const struct kith_pprl_pair *a = x, *b = y;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* --- the model */

static int band_of(double d)
{
	int b = (int)(d * KITH_PPRL_BANDS);
	return b < 0 ? 0 : b >= KITH_PPRL_BANDS ? KITH_PPRL_BANDS - 1 : b;
}

double kith_pprl_model_post(const struct kith_pprl_model *m, double dice)
{
	if (dice < m->floor)
		return 0;
	return m->post[band_of(dice)];
}

double kith_pprl_model_post_same(const struct kith_pprl_model *m, double dice)
{
	if (dice < m->floor)
		return 0;
	return m->post_same[band_of(dice)];
}

static int cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

/* u from random pairs, with an exponential upper tail; sets floor and u_mean. */
static int fit_u(const uint64_t *f, const uint16_t *pop, size_t n, uint64_t samples, uint64_t seed,
		 double floor_opt, struct kith_pprl_model *m, double *kfloor)
{
	if (samples < 1000)
		samples = 1000;
	double *d = malloc(samples * sizeof *d);
	if (!d)
		return KITH_E_NOMEM;
	uint64_t s = seed ^ 0x75u;
	double sum = 0;
	for (uint64_t k = 0; k < samples; k++) {
		size_t a = kith_prng_splitmix(&s) % n, b = kith_prng_splitmix(&s) % (n - 1);
		if (b >= a)
			b++;
		unsigned sp = pop[a] + pop[b];
		d[k] = sp ? 2.0 * andpop(f + a * KITH_PPRL_WORDS, f + b * KITH_PPRL_WORDS) / sp : 0;
		sum += d[k];
	}
	m->u_mean = sum / (double)samples;
	qsort(d, samples, sizeof *d, cmp_dbl);
	/* survival points at 1e-1 .. as deep as 30 sampled pairs reach */
	double xs[8], ys[8];
	int np = 0;
	for (double p = 1e-1; p * (double)samples >= 30 && np < 8; p /= 10) {
		size_t idx = (size_t)((1 - p) * (double)samples);
		xs[np] = d[idx < samples ? idx : samples - 1];
		ys[np] = log(p);
		np++;
	}
	/* the floor: a high quantile of random pairs, but below the matches, which are
	 * about 1/n of all pairs */
	double pf = 50.0 / (double)n;
	double q999 = d[(size_t)((1 - (pf < 0.5 ? pf : 0.5)) * (double)(samples - 1))];
	/* least squares log S = a + c·d over the upper points (c < 0) */
	double a = 0, c = -50;
	int from = np > 3 ? np - 3 : 0;
	if (np - from >= 2) {
		double mx = 0, my = 0;
		for (int i = from; i < np; i++) {
			mx += xs[i];
			my += ys[i];
		}
		mx /= np - from;
		my /= np - from;
		double sxx = 0, sxy = 0;
		for (int i = from; i < np; i++) {
			sxx += (xs[i] - mx) * (xs[i] - mx);
			sxy += (xs[i] - mx) * (ys[i] - my);
		}
		if (sxx > 0 && sxy < 0)
			c = sxy / sxx;
		a = my - c * mx;
	} else if (np >= 1) {
		a = ys[np - 1] - c * xs[np - 1];
	}
	m->floor = floor_opt > 0 ? floor_opt : q999 > 0.7 ? 0.7 : q999 > 0.5 ? q999 : 0.5;
	m->floor = ceil(m->floor * KITH_PPRL_BANDS - 1e-9) / KITH_PPRL_BANDS; /* a band boundary */
	*kfloor = m->floor;
	if (floor_opt <= 0) {
		/* the model's floor: the same quantile of the main regions' similarity of random pairs
		 * (main_sim), clamped alike */
		size_t ns = samples < 400000 ? samples : 400000;
		uint64_t s2 = seed ^ 0x5151u;
		for (size_t k2 = 0; k2 < ns; k2++) {
			size_t x = kith_prng_splitmix(&s2) % n, y = kith_prng_splitmix(&s2) % (n - 1);
			if (y >= x)
				y++;
			d[k2] = main_sim(f + x * KITH_PPRL_WORDS, f + y * KITH_PPRL_WORDS);
		}
		qsort(d, ns, sizeof *d, cmp_dbl);
		double qs = d[(size_t)((1 - (pf < 0.5 ? pf : 0.5)) * (double)(ns - 1))];
		m->floor = qs > 0.7 ? 0.7 : qs > 0.5 ? qs : 0.5;
		m->floor = ceil(m->floor * KITH_PPRL_BANDS - 1e-9) / KITH_PPRL_BANDS;
	}
	/* u by band: empirical below the last survival point, the fitted tail above */
	double edge = np ? xs[np - 1] : 0;
	size_t k = 0;
	for (int b = 0; b < KITH_PPRL_BANDS; b++) {
		double lo = (double)b / KITH_PPRL_BANDS, hi = (double)(b + 1) / KITH_PPRL_BANDS;
		if (lo >= edge) {
			double s0 = exp(a + c * lo), s1 = b + 1 == KITH_PPRL_BANDS ? 0 : exp(a + c * hi);
			m->u[b] = s0 > s1 ? s0 - s1 : 0;
		} else {
			size_t cnt = 0;
			while (k < samples && d[k] < hi) {
				k++;
				cnt++;
			}
			m->u[b] = (double)cnt / (double)samples;
		}
	}
	free(d);
	return KITH_OK;
}

/*
 * Pool adjacent violators. Clipping each band to the one above it
 * instead let one sparse top band (a single candidate whose posterior came
 * out at 0.43) cap every band below it, and no pair was linked at all.
 */
void kith_pprl_model_monotone(double *post, const double *c, int fb)
{
	double val[KITH_PPRL_BANDS], wt[KITH_PPRL_BANDS];
	int len[KITH_PPRL_BANDS], top = 0;
	for (int b = fb; b < KITH_PPRL_BANDS; b++) {
		val[top] = post[b];
		wt[top] = (c[b] > 0 ? c[b] : 0) + 1e-6;
		len[top] = 1;
		top++;
		while (top > 1 && val[top - 2] > val[top - 1]) {
			double w = wt[top - 2] + wt[top - 1];
			val[top - 2] = (val[top - 2] * wt[top - 2] + val[top - 1] * wt[top - 1]) / w;
			wt[top - 2] = w;
			len[top - 2] += len[top - 1];
			top--;
		}
	}
	int b = fb;
	for (int k = 0; k < top; k++)
		for (int j = 0; j < len[k]; j++)
			post[b++] = val[k];
}

/*
 * EM over the Dice bands of the candidates (weights c[b]): the shape of the
 * non-matches is that of the rival pairs rv[b] (a pair one of whose records
 * has a better candidate in the other's list: almost always two people),
 * its tail continued geometrically where rivals are too few; the number of
 * matches, their distribution m[b] and the number of non-matches are
 * estimated.
 */
static void fit_em(struct kith_pprl_model *m, const double *c, const double *rv, uint64_t all_pairs)
{
	int fb = band_of(m->floor);
	double u[KITH_PPRL_BANDS] = {0}, r[KITH_PPRL_BANDS] = {0};
	int last = fb;
	for (int b = fb; b < KITH_PPRL_BANDS; b++)
		if (rv[b] >= 3)
			last = b;
	/* the decay of the last bands with enough rivals */
	double ratio = 0.7;
	int from = last - 4 > fb ? last - 4 : fb;
	if (last > from && rv[from] > 0 && rv[last] > 0) {
		ratio = pow(rv[last] / rv[from], 1.0 / (last - from));
		if (ratio > 0.8)
			ratio = 0.8;
	}
	for (int b = fb; b < KITH_PPRL_BANDS; b++)
		u[b] = b <= last ? rv[b] : u[b - 1] * ratio;
	double z = 0, tot = 0;
	for (int b = fb; b < KITH_PPRL_BANDS; b++) {
		u[b] += 1e-9;
		z += u[b];
		tot += c[b];
	}
	for (int b = fb; b < KITH_PPRL_BANDS; b++)
		u[b] /= z;
	/* the number of non-matches: the rivals' shape scaled to the lowest
	 * bands, where matches are too few to count (the median ratio) */
	double ratios[4];
	int nr = 0;
	for (int b = fb; b < KITH_PPRL_BANDS && nr < 4; b++)
		if (rv[b] >= 3 && c[b] > 0)
			ratios[nr++] = c[b] / u[b];
	for (int i = 1; i < nr; i++) /* sort 4 values */
		for (int j = i; j > 0 && ratios[j] < ratios[j - 1]; j--) {
			double t = ratios[j];
			ratios[j] = ratios[j - 1];
			ratios[j - 1] = t;
		}
	double U = nr ? (nr % 2 ? ratios[nr / 2] : (ratios[nr / 2 - 1] + ratios[nr / 2]) / 2) : tot;
	/* EM for the matches: their number and distribution, with the
	 * non-matches fixed above */
	double M = 0;
	for (int b = fb; b < KITH_PPRL_BANDS; b++) {
		double x = c[b] - U * u[b];
		m->m[b] = x > 0 ? x : 0;
		M += m->m[b];
	}
	if (M <= 0) {
		for (int b = fb; b < KITH_PPRL_BANDS; b++)
			m->m[b] = 1.0 / (KITH_PPRL_BANDS - fb);
		M = 1;
	} else {
		for (int b = fb; b < KITH_PPRL_BANDS; b++)
			m->m[b] /= M;
	}
	int it;
	for (it = 0; it < 5000; it++) {
		double Mn = 0;
		for (int b = fb; b < KITH_PPRL_BANDS; b++) {
			double p = M * m->m[b], q = U * u[b];
			r[b] = p + q > 0 ? p / (p + q) : 0;
			Mn += c[b] * r[b];
		}
		for (int b = fb; b < KITH_PPRL_BANDS; b++)
			m->m[b] = Mn > 0 ? c[b] * r[b] / Mn : 0;
		double change = fabs(Mn - M);
		M = Mn;
		if (change < 1e-9 * (tot + 1))
			break;
	}
	m->iterations = it + 1;
	m->lambda = all_pairs ? M / (double)all_pairs : 0;
	for (int b = 0; b < KITH_PPRL_BANDS; b++) {
		m->u[b] = b < fb ? 0 : u[b] * U / (all_pairs ? (double)all_pairs : 1);
		if (b < fb)
			m->post[b] = 0;
		else if (c[b] <= 0)
			m->post[b] = b > fb ? m->post[b - 1] : 0; /* no data: as the band below */
		else {
			double p = M * m->m[b], q = U * u[b];
			m->post[b] = p + q > 0 ? p / (p + q) : 0;
		}
	}
	kith_pprl_model_monotone(m->post, c, fb);
	m->threshold = 1.0;
	for (int b = fb; b < KITH_PPRL_BANDS; b++)
		if (m->post[b] >= 0.5) {
			m->threshold = (double)b / KITH_PPRL_BANDS;
			if (m->threshold < m->floor)
				m->threshold = m->floor;
			break;
		}
}

/* Rival pairs by band: pairs one of whose records has a better candidate in
 * the other record's list. */
static int rivals(const struct kith_pprl_pair *p, size_t np, const uint32_t *source, size_t n, unsigned k,
		  const double *wt, int cross_only, double *rv, uint8_t *is_rival)
{
	float *best = calloc(n * k, sizeof *best);
	if (!best)
		return KITH_E_NOMEM;
	for (size_t i = 0; i < np; i++) {
		float *x = &best[(size_t)p[i].a * k + source[p[i].b]],
		      *y = &best[(size_t)p[i].b * k + source[p[i].a]];
		if (p[i].dice > *x)
			*x = p[i].dice;
		if (p[i].dice > *y)
			*y = p[i].dice;
	}
	for (size_t i = 0; i < np; i++)
		if (p[i].dice + RIVAL_MARGIN < best[(size_t)p[i].a * k + source[p[i].b]] ||
		    p[i].dice + RIVAL_MARGIN < best[(size_t)p[i].b * k + source[p[i].a]]) {
			if (!cross_only || source[p[i].a] != source[p[i].b])
				rv[band_of(p[i].dice)] += wt ? wt[i] : 1.0;
			is_rival[i] = 1;
		}
	free(best);
	return KITH_OK;
}

/* --- clustering */

struct scorer {
	const uint64_t *f;
	const uint32_t *source;
	const struct kith_pprl_model *m;
	double cross_min;
};

#define BIRTH_PRESENT 8u /* bits set in a birth region with a birth: ~12 at least; flips alone ~3 */

int kith_pprl_birth_bin(const uint64_t a[KITH_PPRL_WORDS], const uint64_t b[KITH_PPRL_WORDS])
{
	unsigned pa = 0, pb = 0, c = 0;
	for (unsigned w = KITH_PPRL_MAIN_BITS / 64; w < KITH_PPRL_WORDS; w++) {
		pa += (unsigned)__builtin_popcountll(a[w]);
		pb += (unsigned)__builtin_popcountll(b[w]);
		c += (unsigned)__builtin_popcountll(a[w] & b[w]);
	}
	if (pa < BIRTH_PRESENT || pb < BIRTH_PRESENT)
		return 0;
	int k = (int)(5.0 * c / (pa < pb ? pa : pb));
	return 1 + (k > 4 ? 4 : k);
}

/*
 * The probability of birth bin k under a distribution d over the bins, bins 4 and 5 taken as one
 * class ("agree"). The birth is keyed by pairs of the name's syllables (encode.c), so a match whose
 * names differ in a syllable shares fewer birth keys: at a main-region similarity of 0.6-0.75 its
 * births fall in bin 4 more often than in 5, while the m of the bins is estimated on the top group
 * (0.8 and above), where equal names put nearly all matches in bin 5. Apart, bin 4 got the top
 * group's small m and such matches posteriors of 0.41-0.69 where 0.94-0.96 of them were true
 * (tuning seeds 1, 2, 3, 140 at 2,500 people); as one class, 0.73-0.95.
 */
static double birth_p(const double *d, int k)
{
	return k >= 4 ? d[4] + d[5] : d[k];
}

static int birth_group(double dice)
{
	return dice < 0.6 ? 0 : dice < 0.7 ? 1 : dice < 0.8 ? 2 : 3;
}

double kith_pprl_birth_ratio(const struct kith_pprl_model *m, int k, double sim)
{
	if (k < 0 || k >= KITH_PPRL_BIRTH_BINS)
		return 1;
	double u = birth_p(m->birth_ug[birth_group(sim)], k);
	return u > 0 ? birth_p(m->birth_m, k) / u : 1;
}

/* p with the birth's evidence of bin k, for a pair whose main region's Dice is dice */
static double with_birth(const struct kith_pprl_model *m, double p, int k, double dice)
{
	double u = birth_p(m->birth_ug[birth_group(dice)], k);
	if (p <= 0 || u <= 0)
		return p;
	if (p > 1 - 1e-9) /* a band without non-matches: the birth can still say no */
		p = 1 - 1e-9;
	double o = p / (1 - p) * kith_pprl_birth_ratio(m, k, dice);
	return o / (1 + o);
}

/* The guard's question about two records of a person-to-be that no link
 * joins: of one list, whether they are likely one person themselves; of two
 * lists, whether they would be linked as each other's best candidates (the
 * birth's evidence included in both). */
static double score_pair(uint32_t a, uint32_t b, void *arg)
{
	const struct scorer *s = arg;
	const uint64_t *fa = s->f + (size_t)a * KITH_PPRL_WORDS, *fb = s->f + (size_t)b * KITH_PPRL_WORDS;
	double d = main_sim(fa, fb);
	int k = kith_pprl_birth_bin(fa, fb);
	if (d < s->m->floor)
		return 0;
	if (s->source[a] == s->source[b])
		return with_birth(s->m, kith_pprl_model_post_same(s->m, d), k, d);
	if (d < s->cross_min)
		return 0;
	return with_birth(s->m, s->m->post_best[band_of(d)], k, d) >= 0.5 ? 1.0 : 0.0;
}

/* The evidence that two records of a person-to-be are one person themselves: of one list,
 * the one-list posterior; of two lists, the posterior as each other's best candidates; the
 * birth's evidence included; 0 below the floor. */
static double pair_score(const struct scorer *s, uint32_t a, uint32_t b)
{
	const uint64_t *fa = s->f + (size_t)a * KITH_PPRL_WORDS, *fb = s->f + (size_t)b * KITH_PPRL_WORDS;
	double d = main_sim(fa, fb);
	if (d < s->m->floor)
		return 0;
	int k = kith_pprl_birth_bin(fa, fb);
	if (s->source[a] == s->source[b])
		return with_birth(s->m, kith_pprl_model_post_same(s->m, d), k, d);
	return with_birth(s->m, s->m->post_best[band_of(d)], k, d);
}

static int cmp_cedge(const void *x, const void *y)
{
	const struct kith_cluster_edge *a = x, *b = y;
	if (a->prob != b->prob)
		return a->prob > b->prob ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/*
 * Persons from the decided links, strongest first: two persons are joined
 * when every two of their records of one list are likely one person
 * themselves, and their records of two lists are, on average, likely one
 * person (the mean of pair_score over those pairs at least CROSS_MEAN): one record
 * whose name the others do not share (a typo, a name read in another order)
 * no longer keeps apart the persons that every other record joins, and a
 * chain of links still does not join records that are unlike on the whole.
 * Two records of one list in doubt (a one-list posterior of ONE_LIST_WEAK or
 * more: equal names, a birth missing on one) are joined when the records of
 * two lists are one person with a mean of ONE_LIST_CROSS: a list that
 * recorded one woman twice, once without her birth, whose other lists' records
 * both meet (bench/README.md, issue 16, tenth session). The mean asked of the
 * records of two lists is CROSS_MEAN, a little below 0.5: a woman recorded
 * with births two years apart in two lists and without a birth in a third
 * (posteriors 0.994, 0.994 and 0.003) averages 0.5 over the pairs that decide
 * the last join, and at 0.5 rounding decided it (twelfth session:
 * test_guard_mean; F1 ratio +0.0006 on the tuning runs).
 */
#define ONE_LIST_WEAK 0.3
#define ONE_LIST_CROSS 0.9
#define CROSS_MEAN 0.45
static int cluster_mean(size_t n, const uint32_t *source, struct kith_cluster_edge *e, size_t ne,
			const struct scorer *sc, struct kith_cluster_result *out, struct kith_err *err)
{
	struct kith_uf uf = {0};
	uint32_t *next = malloc((n ? n : 1) * sizeof *next), *tail = malloc((n ? n : 1) * sizeof *tail);
	uint32_t *cl = malloc((n ? n : 1) * sizeof *cl), *size = malloc((n ? n : 1) * sizeof *size);
	double *prob = malloc((n ? n : 1) * sizeof *prob);
	int rc = KITH_OK;
	if (!next || !tail || !cl || !size || !prob || kith_uf_init(&uf, n)) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	qsort(e, ne, sizeof *e, cmp_cedge);
	for (size_t i = 0; i < n; i++) {
		next[i] = UINT32_MAX;
		tail[i] = (uint32_t)i;
		size[i] = 1;
		prob[i] = -1;
	}
	size_t merges = 0, refused = 0, scored = 0;
	for (size_t k = 0; k < ne; k++) {
		uint32_t ra = (uint32_t)kith_uf_find(&uf, e[k].a), rb = (uint32_t)kith_uf_find(&uf, e[k].b);
		if (ra == rb)
			continue;
		int ok = 1, weak = 0;
		double sum = 0, cnt = 0, left = (double)size[ra] * size[rb];
		for (uint32_t x = ra; ok && x != UINT32_MAX; x = next[x])
			for (uint32_t y = rb; y != UINT32_MAX; y = next[y]) {
				/* were every pair left one person, the mean would stay below CROSS_MEAN */
				if (sum + left < CROSS_MEAN * (cnt + left)) {
					ok = 0;
					break;
				}
				left -= 1;
				double p = pair_score(sc, x, y);
				scored++;
				if (source[x] != source[y]) {
					sum += p;
					cnt += 1;
				} else if (!(p >= 0.5)) {
					if (p >= ONE_LIST_WEAK) {
						weak = 1; /* in doubt: the records of two lists decide */
						continue;
					}
					ok = 0;
					break;
				}
			}
		if (ok && cnt > 0 && sum < CROSS_MEAN * cnt)
			ok = 0;
		if (ok && weak && !(cnt > 0 && sum >= ONE_LIST_CROSS * cnt))
			ok = 0;
		if (!ok) {
			refused++;
			continue;
		}
		if (rb < ra) {
			uint32_t t = ra;
			ra = rb;
			rb = t;
		}
		kith_uf_join(&uf, ra, rb);
		size[ra] += size[rb];
		next[tail[ra]] = rb;
		tail[ra] = tail[rb];
		merges++;
	}
	for (size_t k = 0; k < ne; k++) {
		if (kith_uf_find(&uf, e[k].a) != kith_uf_find(&uf, e[k].b))
			continue;
		if (e[k].prob > prob[e[k].a])
			prob[e[k].a] = e[k].prob;
		if (e[k].prob > prob[e[k].b])
			prob[e[k].b] = e[k].prob;
	}
	for (size_t i = 0; i < n; i++)
		tail[i] = UINT32_MAX;
	size_t nc = 0, largest = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = kith_uf_find(&uf, i);
		if (tail[r] == UINT32_MAX)
			tail[r] = (uint32_t)nc++;
		cl[i] = tail[r];
		if (size[r] > largest)
			largest = size[r];
	}
	*out = (struct kith_cluster_result){.cluster = cl,
					    .prob = prob,
					    .n_records = n,
					    .n_clusters = nc,
					    .merges = merges,
					    .refused = refused,
					    .scored = scored,
					    .largest = largest};
	cl = NULL;
	prob = NULL;
out:
	kith_uf_release(&uf);
	free(next);
	free(tail);
	free(cl);
	free(size);
	free(prob);
	return rc;
}

/*
 * The share of matches in one band read from the births of its pairs: EM of
 * l in sum_k c[k] log(l·m(k) + (1 − l)·u(k)) over the birth bins, the band's
 * share from the bands' model (l0) counting as BAND_PRIOR pairs.
 */
static double band_share(const double *c, double n, const double *mb, const double *ub, double l0)
{
	double l = l0;
	for (int it = 0; it < 200; it++) {
		double sr = 0;
		for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++) {
			double x = l * birth_p(mb, k), y = (1 - l) * birth_p(ub, k);
			if (c[k] > 0 && x + y > 0)
				sr += c[k] * x / (x + y);
		}
		double nl = (sr + BAND_PRIOR * l0) / (n + BAND_PRIOR), change = fabs(nl - l);
		l = nl;
		if (change < 1e-9)
			break;
	}
	return l;
}

/*
 * The share of matches of one group of candidates (g[i] == want) under the
 * joint model's m and u (bands md/ud, birth bins mb/ub), by EM; then the
 * group's band posterior post[] (births left out, non-decreasing in Dice)
 * and the lowest Dice whose band reaches 0.5. by_band: each band's share is
 * then read from the births of its own pairs (band_share), for the mutual
 * best candidates: their non-matches are namesakes, far more alike in name
 * than the non-matches of all pairs whose band distribution md/ud describe.
 */
static double fit_group(const struct kith_pprl_result *r, const uint8_t *g, int want, const uint8_t *bin,
			const double *wt, const double *md, const double *ud, const double *mb,
			double (*ub)[KITH_PPRL_BIRTH_BINS], double start, int by_band, double *post,
			double *threshold)
{
	const struct kith_pprl_model *m = &r->model;
	int fb = band_of(m->floor);
	double c[KITH_PPRL_BANDS] = {0}, sw = 0, lam = start > 1e-3 ? start : 1e-3;
	for (size_t i = 0; i < r->n_pairs; i++)
		if (g[i] == want) {
			c[band_of(r->pairs[i].dice)] += wt ? wt[i] : 1.0;
			sw += wt ? wt[i] : 1.0;
		}
	for (int it = 0; it < 1000 && sw > 0; it++) {
		double sp = 0;
		for (size_t i = 0; i < r->n_pairs; i++) {
			if (g[i] != want)
				continue;
			int b = band_of(r->pairs[i].dice);
			int bg = birth_group(r->pairs[i].dice);
			double x = lam * md[b] * birth_p(mb, bin[i]),
			       y = (1 - lam) * ud[b] * birth_p(ub[bg], bin[i]);
			sp += (wt ? wt[i] : 1.0) * (x + y > 0 ? x / (x + y) : 0);
		}
		double nl = sp / sw, change = fabs(nl - lam);
		lam = nl < 1e-6 ? 1e-6 : nl > 1 - 1e-6 ? 1 - 1e-6 : nl;
		if (change < 1e-9)
			break;
	}
	for (int b = 0; b < KITH_PPRL_BANDS; b++) {
		double x = lam * md[b], y = (1 - lam) * ud[b];
		if (b < fb)
			post[b] = 0;
		else if (c[b] <= 0 || x + y <= 0)
			post[b] = b > fb ? post[b - 1] : 0;
		else
			post[b] = x / (x + y);
	}
	if (by_band) {
		double ck[KITH_PPRL_BANDS][KITH_PPRL_BIRTH_BINS];
		memset(ck, 0, sizeof ck);
		for (size_t i = 0; i < r->n_pairs; i++)
			if (g[i] == want)
				ck[band_of(r->pairs[i].dice)][bin[i]] += wt ? wt[i] : 1.0;
		for (int b = fb; b < KITH_PPRL_BANDS; b++)
			if (c[b] > 0)
				post[b] = band_share(ck[b], c[b], mb,
						     ub[birth_group((b + 0.5) / KITH_PPRL_BANDS)], post[b]);
	}
	kith_pprl_model_monotone(post, c, fb);
	*threshold = 1.0;
	for (int b = fb; b < KITH_PPRL_BANDS; b++)
		if (post[b] >= 0.5) {
			*threshold =
			    (double)b / KITH_PPRL_BANDS < m->floor ? m->floor : (double)b / KITH_PPRL_BANDS;
			break;
		}
	return lam;
}

/*
 * The match model of two fields, by EM over the candidates of two lists (of
 * all candidates when there is one list): the Dice band of the main region
 * (name, sex, origin) and the birth bin, independent given match status.
 * The birth's u is that of random pairs of two lists (almost all two people,
 * whose births are unrelated) and stays fixed; the share of matches, m and
 * u of the bands and m of the birth bins are estimated, started from the
 * one-field fit (fit_em). The band posterior (births left out) is made
 * monotone; the pairs of one list get their own share of matches (fit_sub);
 * every candidate's posterior, the birth's evidence included, goes to
 * r->post. wt: the LSH weight of each pair, or NULL.
 */
static int fit_joint(struct kith_pprl_result *r, const uint64_t *f, const uint32_t *source, const double *wt,
		     int split, uint64_t seed)
{
	size_t np = r->n_pairs, n = r->n;
	struct kith_pprl_model *m = &r->model;
	int fb = band_of(m->floor);
	uint8_t *bin = malloc(np ? np : 1);
	r->post = malloc((np ? np : 1) * sizeof *r->post);
	if (!bin || !r->post) {
		free(bin);
		return KITH_E_NOMEM;
	}
	double ub[KITH_PPRL_BIRTH_BINS], mb[KITH_PPRL_BIRTH_BINS], tu = 0;
	for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
		ub[k] = 0.5;
	uint64_t st = seed ^ 0xB1B7u;
	for (size_t t = 0, tries = 0; t < 200000 && tries < 2000000; tries++) {
		size_t x = (size_t)(kith_prng_splitmix(&st) % n), y = (size_t)(kith_prng_splitmix(&st) % n);
		if (x == y || (split && source[x] == source[y]))
			continue;
		ub[kith_pprl_birth_bin(f + x * KITH_PPRL_WORDS, f + y * KITH_PPRL_WORDS)] += 1;
		t++;
	}
	for (size_t i = 0; i < np; i++)
		bin[i] = (uint8_t)kith_pprl_birth_bin(f + (size_t)r->pairs[i].a * KITH_PPRL_WORDS,
						      f + (size_t)r->pairs[i].b * KITH_PPRL_WORDS);
	/* the birth is keyed by the given-name syllables (encode.c): two people whose names are
	 * alike share birth bits more often than random pairs do, the more so the more alike. The
	 * birth's u by group of the main region's Dice is that of the rival pairs of the group
	 * (two people with names alike, as fit_em has them), shrunk toward the pool of all rival
	 * pairs (or random pairs when rivals are few) with the weight of BIRTH_PRIOR pairs */
	double ug[KITH_PPRL_BIRTH_GROUPS][KITH_PPRL_BIRTH_BINS];
	{
		double rb[KITH_PPRL_BIRTH_GROUPS][KITH_PPRL_BIRTH_BINS], ng[KITH_PPRL_BIRTH_GROUPS] = {0},
									 pool[KITH_PPRL_BIRTH_BINS] = {0};
		double nr = 0;
		memset(rb, 0, sizeof rb);
		for (size_t i = 0; i < np; i++)
			if (r->rival[i] && (!split || source[r->pairs[i].a] != source[r->pairs[i].b])) {
				int g = birth_group(r->pairs[i].dice);
				rb[g][bin[i]] += 1;
				ng[g] += 1;
				pool[bin[i]] += 1;
				nr += 1;
			}
		for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
			tu += ub[k];
		for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
			ub[k] /= tu;
		if (nr >= RIVAL_BIRTH_MIN)
			for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
				ub[k] = (pool[k] + 0.5) / (nr + 0.5 * KITH_PPRL_BIRTH_BINS);
		for (int g = 0; g < KITH_PPRL_BIRTH_GROUPS; g++)
			for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
				ug[g][k] = (rb[g][k] + BIRTH_PRIOR * ub[k]) / (ng[g] + BIRTH_PRIOR);
		for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
			mb[k] = ub[k];
	}
	/* the start: the one-field fit's shapes and share */
	double md[KITH_PPRL_BANDS] = {0}, ud[KITH_PPRL_BANDS] = {0}, c[KITH_PPRL_BANDS] = {0};
	double zm = 0, zu = 0, sw = 0, sp = 0;
	for (int bnd = fb; bnd < KITH_PPRL_BANDS; bnd++) {
		zm += m->m[bnd];
		zu += m->u[bnd];
	}
	for (int bnd = fb; bnd < KITH_PPRL_BANDS; bnd++) {
		md[bnd] = zm > 0 ? m->m[bnd] / zm : 1.0 / (KITH_PPRL_BANDS - fb);
		ud[bnd] = zu > 0 ? m->u[bnd] / zu : 1.0 / (KITH_PPRL_BANDS - fb);
	}
	for (size_t i = 0; i < np; i++) {
		if (split && source[r->pairs[i].a] == source[r->pairs[i].b])
			continue;
		double w = wt ? wt[i] : 1.0;
		int bnd = band_of(r->pairs[i].dice);
		c[bnd] += w;
		sw += w;
		sp += w * m->post[bnd];
	}
	/* a list records a person once, as a rule: the pairs of two lists hold at most
	 * sum over two lists of the smaller list's size matches (one list: n / 2) */
	double lam_max = 1 - 1e-6;
	if (sw > 0) {
		size_t size[KITH_PPRL_MAX_LISTS] = {0};
		unsigned nl = 0;
		for (size_t i = 0; i < n; i++) {
			size[source[i]]++;
			if (source[i] + 1 > nl)
				nl = source[i] + 1;
		}
		double most = 0;
		for (unsigned x = 0; x < nl; x++)
			for (unsigned y = x + 1; y < nl; y++)
				most += (double)(size[x] < size[y] ? size[x] : size[y]);
		if (!split)
			most = (double)n / 2;
		if (most / sw < lam_max)
			lam_max = most / sw;
	}
	double lam = sw > 0 ? sp / sw : 0;
	if (lam < 1e-3)
		lam = 1e-3;
	if (lam > lam_max)
		lam = lam_max;
	int it;
	for (it = 0; it < 1000 && sw > 0; it++) {
		double am[KITH_PPRL_BANDS] = {0}, au[KITH_PPRL_BANDS] = {0}, bm[KITH_PPRL_BIRTH_BINS];
		double tm = 0, tn = 0, tb = 0;
		for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
			bm[k] = 0.5;
		for (size_t i = 0; i < np; i++) {
			if (split && source[r->pairs[i].a] == source[r->pairs[i].b])
				continue;
			double w = wt ? wt[i] : 1.0;
			int bnd = band_of(r->pairs[i].dice), k = bin[i], bg = birth_group(r->pairs[i].dice);
			double x = lam * md[bnd] * birth_p(mb, k),
			       y = (1 - lam) * ud[bnd] * birth_p(ug[bg], k);
			double p = x + y > 0 ? x / (x + y) : 0;
			am[bnd] += w * p;
			au[bnd] += w * (1 - p);
			/* the birth's m from the mutual best candidates of the top group only (main
			 * region alike, no better candidate): elsewhere the matches are a few in a
			 * hundred, and at 6,000 people the EM took namesakes whose births disagree
			 * for matches (m of "disagree" 0.03-0.05 where the truth has 0.000) */
			if (bg == KITH_PPRL_BIRTH_GROUPS - 1 && !r->rival[i])
				bm[k] += w * p;
		}
		for (int bnd = fb; bnd < KITH_PPRL_BANDS; bnd++) {
			tm += am[bnd];
			tn += au[bnd];
		}
		for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
			tb += bm[k];
		double nl = tm / sw, change = fabs(nl - lam);
		lam = nl < 1e-6 ? 1e-6 : nl > lam_max ? lam_max : nl;
		for (int bnd = fb; bnd < KITH_PPRL_BANDS; bnd++) {
			md[bnd] = tm > 0 ? am[bnd] / tm : 0;
			ud[bnd] = tn > 0 ? au[bnd] / tn : 0;
		}
		for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
			mb[k] = bm[k] / tb;
		if (change < 1e-9)
			break;
	}
	m->iterations += it;
	for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++) {
		m->birth_m[k] = mb[k];
		m->birth_u[k] = ub[k];
		for (int g = 0; g < KITH_PPRL_BIRTH_GROUPS; g++)
			m->birth_ug[g][k] = ug[g][k];
	}
	m->lambda = r->all_pairs ? lam * sw / (double)r->all_pairs : 0;
	for (int bnd = 0; bnd < KITH_PPRL_BANDS; bnd++) {
		m->m[bnd] = bnd < fb ? 0 : md[bnd];
		m->u[bnd] = bnd < fb ? 0 : ud[bnd];
	}
	/* each group its own share of matches: mutual best candidates of two
	 * lists (1), two records of one list (2); rival pairs (0) that of all
	 * pairs of two lists */
	uint8_t *g = malloc(np ? np : 1);
	if (!g) {
		free(bin);
		return KITH_E_NOMEM;
	}
	for (size_t i = 0; i < np; i++)
		g[i] = split && source[r->pairs[i].a] == source[r->pairs[i].b] ? 2 : r->rival[i] ? 0 : 1;
	if (split) {
		m->lambda_best =
		    fit_group(r, g, 1, bin, wt, md, ud, mb, ug, lam, 1, m->post_best, &m->threshold_best);
		/* rival pairs: the share of all pairs of two lists (a record recorded twice by one
		 * list makes its match in another list a rival; their own share would be ~0) */
		for (size_t i = 0; i < np; i++)
			g[i] = g[i] == 2 ? 2 : 0;
		(void)fit_group(r, g, 0, bin, wt, md, ud, mb, ug, lam, 0, m->post, &m->threshold);
		for (size_t i = 0; i < np; i++)
			g[i] = g[i] == 2 ? 2 : r->rival[i] ? 0 : 1;
		m->lambda_same =
		    fit_group(r, g, 2, bin, wt, md, ud, mb, ug, 0.05, 0, m->post_same, &m->threshold_same);
	} else {
		for (size_t i = 0; i < np; i++)
			g[i] = 0;
		(void)fit_group(r, g, 0, bin, wt, md, ud, mb, ug, lam, 0, m->post, &m->threshold);
		memcpy(m->post_best, m->post, sizeof m->post);
		memcpy(m->post_same, m->post, sizeof m->post);
		m->threshold_best = m->threshold_same = m->threshold;
		m->lambda_best = m->lambda_same = lam;
	}
	for (size_t i = 0; i < np; i++) {
		int bnd = band_of(r->pairs[i].dice);
		const double *pg = g[i] == 2 ? m->post_same : g[i] == 1 ? m->post_best : m->post;
		r->post[i] = (float)with_birth(m, pg[bnd], bin[i], r->pairs[i].dice);
	}
	free(g);
	free(bin);
	return KITH_OK;
}

static int cluster(const struct kith_pprl_result *r, const uint64_t *f, const uint32_t *source,
		   uint64_t *draw_seed, struct kith_cluster_result *out, struct kith_err *err)
{
	struct kith_cluster_edge *e = malloc((r->n_pairs ? r->n_pairs : 1) * sizeof *e);
	if (!e)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	size_t ne = 0;
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct kith_pprl_pair *q = &r->pairs[i];
		double p = r->post[i];
		/* a draw links a pair with its probability, unless one of its records has a better
		 * candidate in the other's list (a rival: two people, as the model has it) */
		int link = draw_seed
			       ? !r->rival[i] && (double)(kith_prng_splitmix(draw_seed) >> 11) * 0x1.0p-53 < p
			       : p >= 0.5;
		/* strongest first: within one band (one posterior) the higher Dice
		 * first, so a record joins its best candidate of another list */
		if (link)
			e[ne++] = (struct kith_cluster_edge){q->a, q->b, p * (1 - 1e-6) + 1e-6 * q->dice};
	}
	struct scorer sc = {f, source, &r->model, 0};
	/* decided links: every two records of a person are checked, those of two lists against
	 * the Dice from which best candidates are linked (a chain of links does not join two
	 * records that could not be linked themselves); a draw keeps the guard of one list (its
	 * links below 0.5 would stop the strict guard) */
	sc.cross_min = r->model.threshold_best;
	struct kith_cluster_opts co = {
	    .guard = draw_seed ? KITH_CLUSTER_LISTS : KITH_CLUSTER_STRICT, .prob = score_pair, .arg = &sc};
	int rc = draw_seed ? kith_cluster_run(r->n, source, e, ne, &co, out, err)
			   : cluster_mean(r->n, source, e, ne, &sc, out, err);
	free(e);
	return rc;
}

/* 1 / the probability that LSH compared this pair: bands of `rows` bits drawn
 * from the eligible positions, on which the pair differs in h of ne. */
static double lsh_weight(const struct shared *s, const uint64_t *f, const struct kith_pprl_pair *p)
{
	const uint64_t *a = f + (size_t)p->a * KITH_PPRL_WORDS, *b = f + (size_t)p->b * KITH_PPRL_WORDS;
	unsigned h = 0;
	for (unsigned w = 0; w < KITH_PPRL_WORDS; w++)
		h += (unsigned)__builtin_popcountll((a[w] ^ b[w]) & s->elig_mask[w]);
	double agree = s->n_elig ? 1 - (double)h / s->n_elig : 1;
	double pb = pow(agree, s->rows), pc = 1 - pow(1 - pb, s->bands);
	return pc > 1e-3 ? 1 / pc : 1e3;
}

/* --- the whole run */

int kith_pprl_link(const uint64_t *filters, const uint32_t *source, size_t n, unsigned n_lists,
		   const struct kith_pprl_opts *o, struct kith_pprl_result *out, struct kith_err *err)
{
	static const struct kith_pprl_opts defaults = {0};
	if (!o)
		o = &defaults;
	if (n < 2)
		return kith_err_set(err, KITH_E_INVALID, NULL, "fewer than two records");
	if (n > 0x7FFFFFFFu)
		return kith_err_set(err, KITH_E_INVALID, NULL, "more than 2^31 records");
	if (n_lists < 1 || n_lists > KITH_PPRL_MAX_LISTS)
		return kith_err_set(err, KITH_E_INVALID, NULL, "1 to %u lists", KITH_PPRL_MAX_LISTS);
	for (size_t i = 0; i < n; i++)
		if (source[i] >= n_lists)
			return kith_err_set(err, KITH_E_INVALID, NULL, "record %zu: list out of range", i);
	struct kith_pprl_result r;
	memset(&r, 0, sizeof r);
	r.n = n;
	r.all_pairs = (uint64_t)n * (n - 1) / 2;
	int rc = KITH_OK;
	uint16_t *pop = malloc(n * sizeof *pop);
	uint16_t *positions = NULL;
	unsigned nt = n_threads(o->threads);
	struct worker ws[KITH_POOL_MAX];
	memset(ws, 0, sizeof ws);
	if (!pop)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	for (size_t i = 0; i < n; i++)
		pop[i] = (uint16_t)popf(filters + i * KITH_PPRL_WORDS);

	double t0 = now(), kfloor = 0;
	rc = fit_u(filters, pop, n, o->u_sample ? o->u_sample : 4000000u, o->seed, o->floor, &r.model,
		   &kfloor);
	if (rc) {
		kith_err_set(err, rc, NULL, "out of memory");
		goto out_pop;
	}
	double t1 = now();

	struct shared s;
	memset(&s, 0, sizeof s);
	s.f = filters;
	s.pop = pop;
	s.n = n;
	/* the kernel keeps pairs a little below the floor on the whole filter: a candidate is a pair
	 * whose main region (name, sex, origin) reaches the floor, and a birth keyed by other
	 * given-name syllables (encode.c) lowers the whole filter's Dice of a pair alike in name */
	s.fq = (unsigned)ceil((kfloor - CAND_SLACK) * Q);
	s.wide = have_wide() && !o->no_wide;
	r.lsh = o->blocking == KITH_PPRL_BLOCK_LSH ||
		(o->blocking == KITH_PPRL_BLOCK_AUTO && r.all_pairs > EXHAUSTIVE_MAX);
	for (unsigned t = 0; t < nt; t++)
		ws[t] = (struct worker){.s = &s, .o = o, .reporter = t == 0};
	if (!r.lsh) {
		size_t tiles = (n + TILE - 1) / TILE;
		s.total = tiles * (tiles + 1) / 2;
		kith_pool_run_indexed(nt, all_pairs_worker, ws); /* worker t uses ws[t]; 0 reports */
	} else {
		s.bands = o->lsh_bands ? o->lsh_bands : 48;
		s.rows = o->lsh_rows ? o->lsh_rows : 32;
		if (s.rows > 64)
			s.rows = 64;
		s.bucket_max = o->lsh_bucket_max ? o->lsh_bucket_max : 5000;
		s.total = s.bands;
		/* positions: bits set in 20-80% of the records, from the encodings alone */
		uint32_t cnt[KITH_PPRL_BITS] = {0};
		for (size_t i = 0; i < n; i++)
			for (unsigned b = 0; b < KITH_PPRL_BITS; b++)
				cnt[b] += (uint32_t)(filters[i * KITH_PPRL_WORDS + b / 64] >> (b % 64) & 1u);
		uint16_t elig[KITH_PPRL_BITS];
		unsigned ne = 0;
		for (unsigned b = 0; b < KITH_PPRL_BITS; b++)
			if (cnt[b] >= n / 20 && cnt[b] <= n - n / 20)
				elig[ne++] = (uint16_t)b;
		if (ne < s.rows)
			for (unsigned b = ne = 0; b < KITH_PPRL_BITS; b++)
				elig[ne++] = (uint16_t)b;
		for (unsigned i = 0; i < ne; i++)
			s.elig_mask[elig[i] / 64] |= (uint64_t)1 << (elig[i] % 64);
		s.n_elig = ne;
		positions = malloc((size_t)s.bands * s.rows * sizeof *positions);
		if (!positions) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto out_pop;
		}
		uint64_t st = o->seed ^ 0x15Bu;
		for (unsigned t = 0; t < s.bands; t++) {
			/* a partial Fisher-Yates draw of `rows` distinct positions */
			for (unsigned k = 0; k < s.rows; k++) {
				unsigned j = k + (unsigned)(kith_prng_splitmix(&st) % (ne - k));
				uint16_t tmp = elig[k];
				elig[k] = elig[j];
				elig[j] = tmp;
				positions[t * s.rows + k] = elig[k];
			}
		}
		s.positions = positions;
		kith_pool_run_indexed(nt, lsh_worker, ws);
	}
	r.compared = atomic_load(&s.compared);
	r.skipped = atomic_load(&s.skipped);
	size_t total = 0;
	int oom = 0;
	for (unsigned t = 0; t < nt; t++) {
		total += ws[t].v.n;
		oom |= ws[t].v.oom;
	}
	size_t cap = o->max_pairs ? o->max_pairs : 200000000u;
	if (oom) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out_ws;
	}
	r.pairs = malloc((total ? total : 1) * sizeof *r.pairs);
	if (!r.pairs) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out_ws;
	}
	for (unsigned t = 0; t < nt; t++) {
		if (ws[t].v.n)
			memcpy(r.pairs + r.n_pairs, ws[t].v.p, ws[t].v.n * sizeof *r.pairs);
		r.n_pairs += ws[t].v.n;
	}
	qsort(r.pairs, r.n_pairs, sizeof *r.pairs, cmp_pair);
	/* the match model reads the Dice of the main region (name, sex, origin):
	 * the birth is weighed on its own (fit_birth), so that a birth that
	 * disagrees is not taken for one that is missing */
	size_t u = 0;
	for (size_t i = 0; i < r.n_pairs; i++)
		if (!u || r.pairs[u - 1].a != r.pairs[i].a || r.pairs[u - 1].b != r.pairs[i].b) {
			struct kith_pprl_pair q = r.pairs[i];
			q.dice = (float)main_sim(filters + (size_t)q.a * KITH_PPRL_WORDS,
						 filters + (size_t)q.b * KITH_PPRL_WORDS);
			if (q.dice >= r.model.floor)
				r.pairs[u++] = q;
		}
	r.n_pairs = u;
	if (r.n_pairs > cap) {
		rc = kith_err_set(err, KITH_E_LIMIT, NULL,
				  "%zu candidate pairs above the floor %.2f (cap %zu): raise --floor",
				  r.n_pairs, r.model.floor, cap);
		goto out_ws;
	}
	double t2 = now();
	double c[KITH_PPRL_BANDS] = {0}, rv[KITH_PPRL_BANDS] = {0};
	double *wt = r.lsh ? malloc((r.n_pairs ? r.n_pairs : 1) * sizeof *wt) : NULL;
	if (r.lsh && !wt) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out_ws;
	}
	/* the model is fitted on pairs of different lists (on all when there is
	 * one list); the pairs of one list get their own share of matches */
	double cs[KITH_PPRL_BANDS] = {0};
	size_t n_cross = 0;
	for (size_t i = 0; i < r.n_pairs; i++)
		n_cross += source[r.pairs[i].a] != source[r.pairs[i].b];
	int split = n_lists > 1 && n_cross > 0;
	for (size_t i = 0; i < r.n_pairs; i++) {
		double w = wt ? (wt[i] = lsh_weight(&s, filters, &r.pairs[i])) : 1.0;
		if (split && source[r.pairs[i].a] == source[r.pairs[i].b])
			cs[band_of(r.pairs[i].dice)] += w;
		else
			c[band_of(r.pairs[i].dice)] += w;
	}
	r.rival = calloc(r.n_pairs ? r.n_pairs : 1, 1);
	rc = r.rival ? rivals(r.pairs, r.n_pairs, source, n, n_lists, wt, split, rv, r.rival) : KITH_E_NOMEM;
	if (!rc) {
		fit_em(&r.model, c, rv, r.all_pairs);
		rc = fit_joint(&r, filters, source, wt, split, o->seed);
	}
	free(wt);
	if (rc) {
		kith_err_set(err, rc, NULL, "out of memory");
		goto out_ws;
	}
	double t3 = now();
	if (o->progress)
		o->progress("persons", 0, 1, o->progress_arg);
	rc = cluster(&r, filters, source, NULL, &r.clusters, err);
	if (rc)
		goto out_ws;
	if (o->progress)
		o->progress("persons", 1, 1, o->progress_arg);
	r.seconds_block = t2 - t1 + (t1 - t0);
	r.seconds_model = t3 - t2;
	r.seconds_cluster = now() - t3;
	*out = r;
	r.pairs = NULL;
	r.rival = NULL;
	r.post = NULL;
out_ws:
	for (unsigned t = 0; t < nt; t++)
		free(ws[t].v.p);
	free(r.pairs);
	free(r.rival);
	free(r.post);
	free(positions);
out_pop:
	free(pop);
	return rc;
}

void kith_pprl_result_release(struct kith_pprl_result *r)
{
	if (!r)
		return;
	free(r->pairs);
	free(r->rival);
	free(r->post);
	kith_cluster_result_release(&r->clusters);
	memset(r, 0, sizeof *r);
}

int kith_pprl_draw(const struct kith_pprl_result *r, const uint64_t *filters, const uint32_t *source,
		   uint64_t seed, uint32_t *cl, size_t *n_clusters, struct kith_err *err)
{
	struct kith_cluster_result c;
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
	int rc = cluster(r, filters, source, &s, &c, err);
	if (rc)
		return rc;
	memcpy(cl, c.cluster, r->n * sizeof *cl);
	*n_clusters = c.n_clusters;
	kith_cluster_result_release(&c);
	return KITH_OK;
}

void kith_pprl_patterns(const uint32_t *cl, size_t n_clusters, const uint32_t *source, size_t n,
			unsigned n_lists, double *counts)
{
	memset(counts, 0, ((size_t)1 << n_lists) * sizeof *counts);
	uint32_t *pat = calloc(n_clusters ? n_clusters : 1, sizeof *pat);
	if (!pat) /* a caller that cannot spare this much has bigger problems; count nothing */
		return;
	for (size_t i = 0; i < n; i++)
		if (cl[i] < n_clusters)
			pat[cl[i]] |= 1u << source[i];
	for (size_t c = 0; c < n_clusters; c++)
		if (pat[c])
			counts[pat[c]] += 1;
	free(pat);
}

/* --- benchmarks */

struct count_shared {
	const uint64_t *a, *b;
	const uint16_t *pa, *pb;
	size_t na, nb;
	unsigned fq;
	int wide;
	atomic_size_t next;
	atomic_uint_fast64_t hits;
};

KERNEL_TARGET static uint64_t count_tile(const struct count_shared *s, size_t i0, size_t i1, size_t j0,
					 size_t j1)
{
	uint64_t hits = 0;
	for (size_t i = i0; i < i1; i++) {
		const uint64_t *x = s->a + i * KITH_PPRL_WORDS;
		unsigned px = s->pa[i];
		for (size_t j = j0; j < j1; j++) {
			unsigned c = andpop(x, s->b + j * KITH_PPRL_WORDS);
			hits += 2u * c * Q >= s->fq * (px + s->pb[j]);
		}
	}
	return hits;
}

#if HAVE_WIDE
WIDE_TARGET static uint64_t count_tile_wide(const struct count_shared *s, size_t i0, size_t i1, size_t j0,
					    size_t j1)
{
	uint64_t hits = 0;
	for (size_t i = i0; i < i1; i++) {
		const uint64_t *x = s->a + i * KITH_PPRL_WORDS;
		__m512i a0 = _mm512_load_si512((const void *)x),
			a1 = _mm512_load_si512((const void *)(x + 8));
		unsigned px = s->pa[i];
		size_t j = j0;
		for (; j + 4 <= j1; j += 4) {
			unsigned c4[4];
			andpop_wide4(a0, a1, s->b + j * KITH_PPRL_WORDS, c4);
			for (unsigned k = 0; k < 4; k++)
				hits += 2u * c4[k] * Q >= s->fq * (px + s->pb[j + k]);
		}
		for (; j < j1; j++) {
			unsigned c = andpop_wide(a0, a1, s->b + j * KITH_PPRL_WORDS);
			hits += 2u * c * Q >= s->fq * (px + s->pb[j]);
		}
	}
	return hits;
}
#endif

static void count_worker(void *arg)
{
	struct count_shared *s = arg;
	size_t tiles = (s->na + TILE - 1) / TILE;
	for (;;) {
		size_t I = atomic_fetch_add(&s->next, 1);
		if (I >= tiles)
			break;
		uint64_t hits = 0;
		size_t i0 = I * TILE, i1 = i0 + TILE < s->na ? i0 + TILE : s->na;
		for (size_t j0 = 0; j0 < s->nb; j0 += TILE) {
			size_t j1 = j0 + TILE < s->nb ? j0 + TILE : s->nb;
#if HAVE_WIDE
			if (s->wide)
				hits += count_tile_wide(s, i0, i1, j0, j1);
			else
#endif
				hits += count_tile(s, i0, i1, j0, j1);
		}
		atomic_fetch_add(&s->hits, hits);
	}
}

uint64_t kith_pprl_dice_count(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, double thr,
			      unsigned threads, int scalar, uint64_t *compared)
{
	uint16_t *pa = malloc((na ? na : 1) * sizeof *pa), *pb = malloc((nb ? nb : 1) * sizeof *pb);
	if (!pa || !pb) {
		free(pa);
		free(pb);
		*compared = 0;
		return 0;
	}
	for (size_t i = 0; i < na; i++)
		pa[i] = (uint16_t)popf(a + i * KITH_PPRL_WORDS);
	for (size_t i = 0; i < nb; i++)
		pb[i] = (uint16_t)popf(b + i * KITH_PPRL_WORDS);
	struct count_shared s = {.a = a, .b = b, .pa = pa, .pb = pb, .na = na, .nb = nb};
	s.fq = (unsigned)ceil(thr * Q);
	s.wide = !scalar && have_wide();
	unsigned nt = n_threads(threads);
	kith_pool_run(nt, count_worker, &s);
	free(pa);
	free(pb);
	*compared = (uint64_t)na * nb;
	return atomic_load(&s.hits);
}

KERNEL_TARGET uint64_t kith_pprl_popcount_all(const uint64_t *a, size_t n_words)
{
	uint64_t c = 0;
	for (size_t i = 0; i < n_words; i++)
		c += (uint64_t)__builtin_popcountll(a[i]);
	return c;
}
