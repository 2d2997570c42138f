/*
 * lcm — Gibbs sampler of the non-parametric latent-class capture-recapture
 * model (Manrique-Vallier 2016), see lcm.h.
 */
#include "stats/lcm.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/pool.h"
#include "base/prng.h"
#include "stats/interval.h"

#define WARMUP 500

struct lcm_shared {
	unsigned J, K;
	size_t M;	 /* cells with a count */
	uint32_t *cell;	 /* their patterns */
	unsigned *count; /* their counts */
	double n;
	struct kith_lcm_opts o;
	size_t per_chain; /* kept draws per chain */
	double *draws;	  /* chains x per_chain */
	size_t *capped;	  /* per chain */
	atomic_uint next_chain;
	atomic_size_t sweeps;
	atomic_int error;
	size_t total_sweeps;
};

/* log of a Gamma(a, 1) draw, stable for small a (as LCMCR's dan_log_gamma_1). */
static double log_gamma_draw(gsl_rng *r, double a)
{
	if (a >= 1)
		return log(gsl_ran_gamma(r, a, 1.0));
	double u = gsl_rng_uniform_pos(r);
	return log(gsl_ran_gamma(r, a + 1.0, 1.0)) + log(u) / a;
}

static double log_sum(double a, double b)
{
	return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

struct chain {
	const struct lcm_shared *S;
	gsl_rng *r;
	double *lambda;		   /* J x K */
	double *nu, *lognu, *prob; /* K */
	unsigned *cz;		   /* M x K */
	unsigned *c0;		   /* K */
	double *classtot;	   /* K */
	double *aux1;		   /* J x K */
	double alpha;
	double n0;
	size_t capped;
};

static void draw_classes(struct chain *c, unsigned cnt, const double *p, unsigned *out)
{
	unsigned K = c->S->K;
	if (cnt > 8) {
		gsl_ran_multinomial(c->r, K, cnt, p, out);
		return;
	}
	memset(out, 0, K * sizeof *out);
	double sum = 0;
	for (unsigned k = 0; k < K; k++)
		sum += p[k];
	for (unsigned i = 0; i < cnt; i++) {
		double u = gsl_rng_uniform(c->r) * sum, acc = 0;
		unsigned k = 0;
		for (; k + 1 < K; k++) {
			acc += p[k];
			if (u < acc)
				break;
		}
		out[k]++;
	}
}

static void sweep(struct chain *c, int sample_alpha)
{
	const struct lcm_shared *S = c->S;
	unsigned J = S->J, K = S->K;
	/* classes of the observed, cell by cell */
	for (size_t m = 0; m < S->M; m++) {
		uint32_t x = S->cell[m];
		for (unsigned k = 0; k < K; k++) {
			double pr = c->nu[k];
			for (unsigned j = 0; j < J; j++) {
				double l = c->lambda[j * K + k];
				pr *= (x >> j) & 1u ? l : 1.0 - l;
			}
			c->prob[k] = pr;
		}
		draw_classes(c, S->count[m], c->prob, c->cz + m * K);
	}
	/* lambda */
	for (unsigned k = 0; k < K; k++)
		c->classtot[k] = c->c0[k];
	memset(c->aux1, 0, (size_t)J * K * sizeof *c->aux1);
	for (size_t m = 0; m < S->M; m++) {
		uint32_t x = S->cell[m];
		const unsigned *z = c->cz + m * K;
		for (unsigned k = 0; k < K; k++) {
			if (!z[k])
				continue;
			c->classtot[k] += z[k];
			for (unsigned j = 0; j < J; j++)
				if ((x >> j) & 1u)
					c->aux1[j * K + k] += z[k];
		}
	}
	for (unsigned j = 0; j < J; j++)
		for (unsigned k = 0; k < K; k++) {
			double a1 = c->aux1[j * K + k];
			double a0 = c->classtot[k] - a1;
			c->lambda[j * K + k] = gsl_ran_beta(c->r, 1.0 + a1, 1.0 + a0);
		}
	/* stick-breaking weights */
	double acc = 0, lacc = 0, N = S->n + c->n0;
	for (unsigned k = 0; k + 1 < K; k++) {
		acc += c->classtot[k];
		double a = 1.0 + c->classtot[k];
		double b = c->alpha + (N - acc);
		double g1 = log_gamma_draw(c->r, a), g2 = log_gamma_draw(c->r, b);
		double gs = log_sum(g1, g2);
		c->lognu[k] = g1 - gs + lacc;
		lacc += g2 - gs;
		c->nu[k] = exp(c->lognu[k]);
	}
	c->lognu[K - 1] = lacc;
	c->nu[K - 1] = exp(lacc);
	/* the unobserved: how many, and their classes */
	double pz = 0;
	for (unsigned k = 0; k < K; k++) {
		double pr = c->nu[k];
		for (unsigned j = 0; j < J; j++)
			pr *= 1.0 - c->lambda[j * K + k];
		c->prob[k] = pr;
		pz += pr;
	}
	if (pz > 1)
		pz = 1;
	double n0 = 0;
	if (pz > 0) {
		/* negative binomial(n, 1 - pz) as a gamma mixture of Poissons */
		double lam = pz >= 1 ? HUGE_VAL : gsl_ran_gamma(c->r, S->n, pz / (1.0 - pz));
		if (!(lam < KITH_STATS_MAX_TOTAL)) {
			n0 = KITH_STATS_MAX_TOTAL;
			c->capped++;
		} else {
			n0 = gsl_ran_poisson(c->r, lam);
		}
	}
	c->n0 = n0;
	if (n0 > 0)
		draw_classes(c, (unsigned)n0, c->prob, c->c0);
	else
		memset(c->c0, 0, K * sizeof *c->c0);
	if (sample_alpha)
		c->alpha =
		    gsl_ran_gamma(c->r, S->o.a_alpha + K - 1.0, 1.0 / (S->o.b_alpha - c->lognu[K - 1]));
}

/* One chain; `reporter` on the calling thread, which reports progress. */
static int run_chain(struct lcm_shared *S, unsigned ch, int reporter)
{
	unsigned J = S->J, K = S->K;
	struct chain c = {.S = S};
	int rc = KITH_OK;
	c.r = gsl_rng_alloc(gsl_rng_mt19937);
	c.lambda = malloc((size_t)J * K * sizeof *c.lambda);
	c.aux1 = malloc((size_t)J * K * sizeof *c.aux1);
	c.nu = malloc(K * sizeof *c.nu);
	c.lognu = malloc(K * sizeof *c.lognu);
	c.prob = malloc(K * sizeof *c.prob);
	c.classtot = malloc(K * sizeof *c.classtot);
	c.cz = calloc(S->M * K, sizeof *c.cz);
	c.c0 = calloc(K, sizeof *c.c0);
	if (!c.r || !c.lambda || !c.aux1 || !c.nu || !c.lognu || !c.prob || !c.classtot || !c.cz || !c.c0) {
		rc = KITH_E_NOMEM;
		goto out;
	}
	uint64_t sd = kith_prng_mix(S->o.seed ^ kith_prng_mix((uint64_t)ch + 0x51ed2701u));
	gsl_rng_set(c.r, (unsigned long)((sd & 0xffffffffu) ^ (sd >> 32)));
	/* LCMCR's start */
	for (unsigned j = 0; j < J; j++) {
		double s = 0;
		for (size_t m = 0; m < S->M; m++)
			if ((S->cell[m] >> j) & 1u)
				s += S->count[m];
		for (unsigned k = 0; k < K; k++)
			c.lambda[j * K + k] = s / S->n;
	}
	for (unsigned k = 0; k < K; k++) {
		c.nu[k] = K > 4 ? (k < 4 ? 0.25 * 0.9 : 0.1 / (K - 4)) : 1.0 / K;
		c.lognu[k] = log(c.nu[k]);
	}
	c.alpha = 0.3 / K;
	/* chain 0 starts as LCMCR; the others start with n, 4n, 16n, ... people
	 * unobserved, so that R-hat can see chains stuck in different modes */
	if (ch > 0) {
		double n0 = S->n * pow(4.0, (double)(ch - 1));
		if (n0 > KITH_STATS_MAX_TOTAL / 2)
			n0 = KITH_STATS_MAX_TOTAL / 2;
		c.n0 = floor(n0);
		for (unsigned k = 0; k < K; k++)
			c.prob[k] = c.nu[k];
		draw_classes(&c, (unsigned)c.n0, c.prob, c.c0);
	}
	size_t total = WARMUP + S->o.burnin + S->o.iter, kept = 0;
	double *dr = S->draws + (size_t)ch * S->per_chain;
	for (size_t s = 0; s < total; s++) {
		sweep(&c, s >= WARMUP);
		if (s >= WARMUP + S->o.burnin && (s - WARMUP - S->o.burnin + 1) % S->o.thin == 0 &&
		    kept < S->per_chain)
			dr[kept++] = S->n + c.n0;
		if ((s & 1023) == 1023) {
			size_t d = atomic_fetch_add(&S->sweeps, 1024) + 1024;
			if (S->o.progress && reporter)
				S->o.progress(S->o.pctx, d, S->total_sweeps);
			if (atomic_load(&S->error))
				break;
		}
	}
	atomic_fetch_add(&S->sweeps, total & 1023);
	S->capped[ch] = c.capped;
out:
	gsl_rng_free(c.r);
	free(c.lambda);
	free(c.aux1);
	free(c.nu);
	free(c.lognu);
	free(c.prob);
	free(c.classtot);
	free(c.cz);
	free(c.c0);
	return rc;
}

static void chain_worker(unsigned thread, void *arg)
{
	struct lcm_shared *S = arg;
	for (;;) {
		unsigned ch = atomic_fetch_add(&S->next_chain, 1);
		if (ch >= S->o.chains || atomic_load(&S->error))
			break;
		int rc = run_chain(S, ch, thread == 0);
		if (rc) {
			atomic_store(&S->error, rc);
			break;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Split-chain potential scale reduction of draws (chains x L). */
static double split_rhat(const double *d, unsigned chains, size_t L)
{
	size_t h = L / 2;
	unsigned m = 2 * chains;
	if (h < 2)
		return NAN;
	double W = 0, mm = 0;
	double *means = malloc(m * sizeof *means);
	if (!means)
		return NAN;
	for (unsigned c = 0; c < chains; c++)
		for (unsigned half = 0; half < 2; half++) {
			const double *x = d + (size_t)c * L + half * h;
			double mean = 0, var = 0;
			for (size_t i = 0; i < h; i++)
				mean += x[i];
			mean /= (double)h;
			for (size_t i = 0; i < h; i++)
				var += (x[i] - mean) * (x[i] - mean);
			var /= (double)(h - 1);
			means[2 * c + half] = mean;
			W += var;
		}
	W /= m;
	for (unsigned i = 0; i < m; i++)
		mm += means[i];
	mm /= m;
	double B = 0;
	for (unsigned i = 0; i < m; i++)
		B += (means[i] - mm) * (means[i] - mm);
	B = B * (double)h / (m - 1);
	free(means);
	if (!(W > 0))
		return B > 0 ? HUGE_VAL : 1.0;
	double vplus = (double)(h - 1) / (double)h * W + B / (double)h;
	return sqrt(vplus / W);
}

int kith_lcm_estimate(const struct kith_stats_table *t, const struct kith_lcm_opts *o,
		      struct kith_lcm_result *res, struct kith_err *err)
{
	struct lcm_shared S;
	memset(&S, 0, sizeof S);
	if (o)
		S.o = *o;
	if (!S.o.classes)
		S.o.classes = 10;
	if (!S.o.iter)
		S.o.iter = 50000;
	if (!S.o.burnin)
		S.o.burnin = 10000;
	if (!S.o.thin)
		S.o.thin = 10;
	if (!S.o.chains)
		S.o.chains = 4;
	if (S.o.a_alpha == 0)
		S.o.a_alpha = 0.25;
	if (S.o.b_alpha == 0)
		S.o.b_alpha = 0.25;
	if (S.o.level == 0)
		S.o.level = 0.95;
	if (S.o.classes < 2 || S.o.classes > 100)
		return kith_err_set(err, KITH_E_INVALID, NULL, "%u latent classes; 2..100 are allowed",
				    S.o.classes);
	if (S.o.chains < 1 || S.o.chains > 64)
		return kith_err_set(err, KITH_E_INVALID, NULL, "%u chains; 1..64 are allowed", S.o.chains);
	if (S.o.thin > S.o.iter)
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "thinning %zu is larger than the %zu iterations", S.o.thin, S.o.iter);
	if (!(S.o.level > 0 && S.o.level < 1) || !(S.o.a_alpha > 0) || !(S.o.b_alpha > 0))
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "bad level or prior of the latent-class model");
	double sweeps_all = ((double)WARMUP + (double)S.o.burnin + (double)S.o.iter) * S.o.chains;
	if (sweeps_all > 1e9)
		return kith_err_set(err, KITH_E_INVALID, NULL, "more than 10^9 sweeps of the sampler in all");
	unsigned J = kith_stats_table_lists(t);
	size_t cells = (size_t)1 << J;
	const double *cnt = kith_stats_table_counts(t);
	S.J = J;
	S.K = S.o.classes;
	S.n = kith_stats_table_observed(t);
	S.per_chain = S.o.iter / S.o.thin;
	S.total_sweeps = (size_t)sweeps_all;
	S.cell = malloc(cells * sizeof *S.cell);
	S.count = malloc(cells * sizeof *S.count);
	S.draws = malloc(S.per_chain * S.o.chains * sizeof *S.draws);
	S.capped = calloc(S.o.chains, sizeof *S.capped);
	int rc = KITH_OK;
	if (!S.cell || !S.count || !S.draws || !S.capped) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t c = 1; c < cells; c++)
		if (cnt[c] > 0) {
			S.cell[S.M] = (uint32_t)c;
			S.count[S.M++] = (unsigned)cnt[c];
		}
	atomic_init(&S.next_chain, 0);
	atomic_init(&S.sweeps, 0);
	atomic_init(&S.error, 0);
	kith_pool_run_indexed(kith_pool_threads(S.o.threads, S.o.chains), chain_worker, &S);
	if (atomic_load(&S.error)) {
		rc = kith_err_set(err, atomic_load(&S.error), NULL, "out of memory in the sampler");
		goto out;
	}
	if (S.o.progress)
		S.o.progress(S.o.pctx, S.total_sweeps, S.total_sweeps);
	struct kith_lcm_result r = {0};
	size_t nd = S.per_chain * S.o.chains;
	r.draws = nd;
	r.sweeps = S.total_sweeps;
	r.classes = S.K;
	r.chains = S.o.chains;
	for (unsigned c = 0; c < S.o.chains; c++)
		r.capped += S.capped[c];
	r.rhat = split_rhat(S.draws, S.o.chains, S.per_chain);
	double mean = 0;
	for (size_t i = 0; i < nd; i++)
		mean += S.draws[i];
	r.mean = mean / (double)nd;
	qsort(S.draws, nd, sizeof *S.draws, cmp_double);
	r.median = kith_interval_quantile(S.draws, nd, 0.5, 1);
	r.lo = kith_interval_quantile(S.draws, nd, (1 - S.o.level) / 2, 1);
	r.hi = kith_interval_quantile(S.draws, nd, 1 - (1 - S.o.level) / 2, 1);
	*res = r;
out:
	free(S.cell);
	free(S.count);
	free(S.draws);
	free(S.capped);
	return rc;
}
