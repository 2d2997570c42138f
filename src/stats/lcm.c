/*
 * lcm — Gibbs sampler of the non-parametric latent-class capture-recapture
 * model (Manrique-Vallier 2016), see lcm.h.
 */
#include "stats/lcm.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/pool.h"
#include "base/prng.h"
#include "stats/interval.h"
#include "stats/rdist.h"

#define WARMUP 500

struct lcm_shared {
	unsigned J, K;
	size_t S;	    /* strata */
	size_t P;	    /* distinct observed patterns over all strata */
	uint32_t *pat;	    /* P patterns */
	size_t *cell_at;    /* S + 1: stratum s's cells are cell_at[s] .. cell_at[s + 1] - 1 */
	size_t M;	    /* cells with a count, over all strata */
	unsigned *cell_pat; /* M: the pattern (index into pat) of each cell */
	unsigned *count;    /* M: its count */
	double *n_s;	    /* S: observed per stratum */
	double n;
	struct kith_lcm_opts o;
	size_t per_chain; /* kept draws per chain */
	double *draws;	  /* chains x per_chain: the total */
	double *sdraws;	  /* S x chains x per_chain when S > 1, else NULL */
	size_t *capped;	  /* per chain */
	atomic_uint next_chain;
	atomic_size_t sweeps;
	atomic_int error;
	size_t total_sweeps;
};

static double log_sum(double a, double b)
{
	return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

struct chain {
	const struct lcm_shared *S;
	struct kith_rdist r;
	double *lambda;	    /* K x J: class k's probabilities together */
	double *lik;	    /* P x K: P(pattern | class) */
	double *miss;	    /* K: P(on no list | class) */
	double *half;	    /* 2^(J/2) + 2^(J - J/2): products over half the lists */
	double *nu;	    /* S x K */
	double *lognu_last; /* S: log of the last weight */
	unsigned *order;    /* S x K: classes by weight, largest first */
	double *w;	    /* K */
	unsigned *cz;	    /* M x K */
	unsigned *c0;	    /* S x K */
	double *tot;	    /* S x K: people per stratum and class (observed and not) */
	double *classtot;   /* K */
	double *aux1;	    /* K x J */
	double *n0;	    /* S */
	double alpha;
	size_t capped;
};

/* insertion sort of the classes by weight, largest first (K is small) */
static void sort_classes(const double *nu, unsigned K, unsigned *ord)
{
	for (unsigned i = 0; i < K; i++) {
		unsigned c = ord[i], j = i;
		while (j > 0 && nu[ord[j - 1]] < nu[c]) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = c;
	}
}

/* draws the stick-breaking weights of stratum s from its class totals:
 * V_k ~ Beta(1 + t_k, alpha + people in later classes), nu_k = V_k prod(1 - V_l),
 * l < k. The product is kept as a number while both shapes are at least 1
 * (then it cannot underflow: each factor is a share of the people left), and
 * in logs from two log-gamma draws (LCMCR's way) once a shape is below 1,
 * where a Gamma draw can underflow to 0. */
static void draw_weights(struct chain *c, size_t s)
{
	unsigned K = c->S->K;
	const double *tot = c->tot + s * K;
	double *nu = c->nu + s * K;
	double N = c->S->n_s[s] + c->n0[s], acc = 0;
	double prod = 1, lprod = 0; /* lprod: what the product lost to logs */
	int logs = 0;
	for (unsigned k = 0; k + 1 < K; k++) {
		acc += tot[k];
		double a = 1.0 + tot[k], b = c->alpha + (N - acc);
		if (!logs && b >= 1) {
			double g1 = kith_rdist_gamma(&c->r, a), g2 = kith_rdist_gamma(&c->r, b);
			double gs = g1 + g2;
			nu[k] = prod * (g1 / gs);
			prod *= g2 / gs;
			continue;
		}
		if (!logs) {
			lprod = log(prod);
			logs = 1;
		}
		double g1 = kith_rdist_log_gamma(&c->r, a), g2 = kith_rdist_log_gamma(&c->r, b);
		double gs = log_sum(g1, g2);
		nu[k] = exp(g1 - gs + lprod);
		lprod += g2 - gs;
	}
	if (!logs)
		lprod = log(prod);
	nu[K - 1] = exp(lprod);
	c->lognu_last[s] = lprod;
}

/* the unobserved of stratum s: how many, and their classes */
static void draw_unobserved(struct chain *c, size_t s)
{
	const struct lcm_shared *S = c->S;
	unsigned K = S->K;
	const double *nu = c->nu + s * K;
	double pz = 0;
	for (unsigned k = 0; k < K; k++) {
		c->w[k] = nu[k] * c->miss[k];
		pz += c->w[k];
	}
	if (pz > 1)
		pz = 1;
	double n0 = 0;
	if (pz > 0 && S->n_s[s] > 0) {
		/* negative binomial(n_s, 1 - pz) as a gamma mixture of Poissons */
		double lam = pz >= 1 ? HUGE_VAL : kith_rdist_gamma(&c->r, S->n_s[s]) * (pz / (1.0 - pz));
		if (!(lam < KITH_STATS_MAX_TOTAL / (double)S->S)) {
			n0 = floor(KITH_STATS_MAX_TOTAL / (double)S->S);
			c->capped++;
		} else {
			n0 = (double)kith_rdist_poisson(&c->r, lam);
		}
	} else if (pz > 0) {
		/* nobody observed in this stratum: the posterior of N_s under the
		 * prior 1/N_s has no mass away from 0 */
		n0 = 0;
	}
	c->n0[s] = n0;
	unsigned *c0 = c->c0 + s * K;
	if (n0 > 0)
		kith_rdist_multinomial(&c->r, (uint64_t)n0, c->w, K, c->order + s * K, c0);
	else
		memset(c0, 0, K * sizeof *c0);
}

static void sweep(struct chain *c, int sample_alpha)
{
	const struct lcm_shared *S = c->S;
	unsigned J = S->J, K = S->K;
	/* P(pattern | class) for the patterns observed (P(none | class) is
	 * c->miss, kept with lambda):
	 * the products over the low and the high half of the lists first, when
	 * that is less work than every pattern's own product */
	unsigned jl = J / 2, jh = J - jl;
	int halves = S->P * J > (((size_t)1 << jl) + ((size_t)1 << jh)) * 2;
	for (unsigned k = 0; k < K; k++) {
		const double *l = c->lambda + (size_t)k * J;
		if (halves) {
			double *lo = c->half, *hi = c->half + ((size_t)1 << jl);
			lo[0] = 1;
			for (unsigned j = 0; j < jl; j++)
				for (size_t x = 0; x < ((size_t)1 << j); x++) {
					lo[x | ((size_t)1 << j)] = lo[x] * l[j];
					lo[x] *= 1.0 - l[j];
				}
			hi[0] = 1;
			for (unsigned j = 0; j < jh; j++)
				for (size_t x = 0; x < ((size_t)1 << j); x++) {
					hi[x | ((size_t)1 << j)] = hi[x] * l[jl + j];
					hi[x] *= 1.0 - l[jl + j];
				}
			uint32_t mask = (1u << jl) - 1;
			for (size_t p = 0; p < S->P; p++) {
				uint32_t x = S->pat[p];
				c->lik[p * K + k] = lo[x & mask] * hi[x >> jl];
			}
			continue;
		}
		for (size_t p = 0; p < S->P; p++) {
			uint32_t x = S->pat[p];
			double pr = 1;
			for (unsigned j = 0; j < J; j++)
				pr *= (x >> j) & 1u ? l[j] : 1.0 - l[j];
			c->lik[p * K + k] = pr;
		}
	}
	/* classes of the observed, cell by cell; class totals per stratum */
	for (size_t s = 0; s < S->S; s++) {
		const double *nu = c->nu + s * K;
		double *tot = c->tot + s * K;
		const unsigned *c0 = c->c0 + s * K;
		for (unsigned k = 0; k < K; k++)
			tot[k] = c0[k];
		for (size_t m = S->cell_at[s]; m < S->cell_at[s + 1]; m++) {
			const double *lk = c->lik + (size_t)S->cell_pat[m] * K;
			for (unsigned k = 0; k < K; k++)
				c->w[k] = nu[k] * lk[k];
			unsigned *z = c->cz + m * K;
			kith_rdist_multinomial(&c->r, S->count[m], c->w, K, c->order + s * K, z);
			for (unsigned k = 0; k < K; k++)
				tot[k] += z[k];
		}
	}
	/* lambda, from the people of every stratum */
	memset(c->classtot, 0, K * sizeof *c->classtot);
	for (size_t s = 0; s < S->S; s++)
		for (unsigned k = 0; k < K; k++)
			c->classtot[k] += c->tot[s * K + k];
	memset(c->aux1, 0, (size_t)J * K * sizeof *c->aux1);
	for (size_t m = 0; m < S->M; m++) {
		uint32_t x = S->pat[S->cell_pat[m]];
		const unsigned *z = c->cz + m * K;
		for (unsigned k = 0; k < K; k++) {
			if (!z[k])
				continue;
			double *a = c->aux1 + (size_t)k * J;
			for (unsigned j = 0; j < J; j++)
				if ((x >> j) & 1u)
					a[j] += z[k];
		}
	}
	for (unsigned k = 0; k < K; k++) {
		const double *a = c->aux1 + (size_t)k * J;
		double *l = c->lambda + (size_t)k * J;
		for (unsigned j = 0; j < J; j++)
			l[j] = kith_rdist_beta(&c->r, 1.0 + a[j], 1.0 + (c->classtot[k] - a[j]));
	}
	/* per stratum: the weights, then the unobserved; alpha from all */
	for (unsigned k = 0; k < K; k++) {
		const double *l = c->lambda + (size_t)k * J;
		double q = 1;
		for (unsigned j = 0; j < J; j++)
			q *= 1.0 - l[j];
		c->miss[k] = q;
	}
	double lsum = 0;
	for (size_t s = 0; s < S->S; s++) {
		draw_weights(c, s);
		sort_classes(c->nu + s * K, K, c->order + s * K);
		draw_unobserved(c, s);
		lsum += c->lognu_last[s];
	}
	if (sample_alpha)
		c->alpha =
		    kith_rdist_gamma(&c->r, S->o.a_alpha + (double)S->S * (K - 1.0)) / (S->o.b_alpha - lsum);
}

/* One chain; `reporter` on the calling thread, which reports progress. */
static int run_chain(struct lcm_shared *S, unsigned ch, int reporter)
{
	unsigned J = S->J, K = S->K;
	size_t NS = S->S;
	struct chain c = {.S = S};
	int rc = KITH_OK;
	c.lambda = malloc((size_t)J * K * sizeof *c.lambda);
	c.aux1 = malloc((size_t)J * K * sizeof *c.aux1);
	c.lik = malloc((S->P ? S->P : 1) * K * sizeof *c.lik);
	c.miss = malloc(K * sizeof *c.miss);
	c.half = malloc((((size_t)1 << (J / 2)) + ((size_t)1 << (J - J / 2))) * sizeof *c.half);
	c.nu = malloc(NS * K * sizeof *c.nu);
	c.lognu_last = calloc(NS, sizeof *c.lognu_last);
	c.order = malloc(NS * K * sizeof *c.order);
	c.w = malloc(K * sizeof *c.w);
	c.tot = calloc(NS * K, sizeof *c.tot);
	c.classtot = calloc(K, sizeof *c.classtot);
	c.cz = calloc((S->M ? S->M : 1) * K, sizeof *c.cz);
	c.c0 = calloc(NS * K, sizeof *c.c0);
	c.n0 = calloc(NS, sizeof *c.n0);
	if (!c.lambda || !c.aux1 || !c.lik || !c.miss || !c.half || !c.nu || !c.lognu_last || !c.order ||
	    !c.w || !c.tot || !c.classtot || !c.cz || !c.c0 || !c.n0) {
		rc = KITH_E_NOMEM;
		goto out;
	}
	kith_rdist_seed(&c.r, kith_prng_mix(S->o.seed ^ kith_prng_mix((uint64_t)ch + 0x51ed2701u)));
	/* LCMCR's start */
	for (unsigned j = 0; j < J; j++) {
		double sh = 0;
		for (size_t m = 0; m < S->M; m++)
			if ((S->pat[S->cell_pat[m]] >> j) & 1u)
				sh += S->count[m];
		for (unsigned k = 0; k < K; k++)
			c.lambda[(size_t)k * J + j] = sh / S->n;
	}
	for (unsigned k = 0; k < K; k++) {
		c.miss[k] = 1;
		for (unsigned j = 0; j < J; j++)
			c.miss[k] *= 1.0 - c.lambda[(size_t)k * J + j];
	}
	for (size_t s = 0; s < NS; s++)
		for (unsigned k = 0; k < K; k++) {
			c.nu[s * K + k] = K > 4 ? (k < 4 ? 0.25 * 0.9 : 0.1 / (K - 4)) : 1.0 / K;
			c.order[s * K + k] = k;
		}
	c.alpha = 0.3 / K;
	/* chain 0 starts as LCMCR; the others start with n, 4n, 16n, ... people
	 * unobserved, so that R-hat can see chains stuck in different modes */
	if (ch > 0)
		for (size_t s = 0; s < NS; s++) {
			double n0 = S->n_s[s] * pow(4.0, (double)(ch - 1));
			if (n0 > KITH_STATS_MAX_TOTAL / 2 / (double)NS)
				n0 = KITH_STATS_MAX_TOTAL / 2 / (double)NS;
			c.n0[s] = floor(n0);
			if (c.n0[s] > 0)
				kith_rdist_multinomial(&c.r, (uint64_t)c.n0[s], c.nu + s * K, K, NULL,
						       c.c0 + s * K);
		}
	size_t total = WARMUP + S->o.burnin + S->o.iter, kept = 0;
	double *dr = S->draws + (size_t)ch * S->per_chain;
	size_t stride = (size_t)S->o.chains * S->per_chain;
	for (size_t s = 0; s < total; s++) {
		sweep(&c, s >= WARMUP);
		if (s >= WARMUP + S->o.burnin && (s - WARMUP - S->o.burnin + 1) % S->o.thin == 0 &&
		    kept < S->per_chain) {
			double N = 0;
			for (size_t q = 0; q < NS; q++) {
				double Nq = S->n_s[q] + c.n0[q];
				N += Nq;
				if (S->sdraws)
					S->sdraws[q * stride + (size_t)ch * S->per_chain + kept] = Nq;
			}
			dr[kept++] = N;
		}
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
	free(c.lambda);
	free(c.aux1);
	free(c.lik);
	free(c.miss);
	free(c.half);
	free(c.nu);
	free(c.lognu_last);
	free(c.order);
	free(c.w);
	free(c.tot);
	free(c.classtot);
	free(c.cz);
	free(c.c0);
	free(c.n0);
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

int kith_lcm_estimate_strata(const struct kith_stats_table *const *t, size_t n, const struct kith_lcm_opts *o,
			     struct kith_lcm_result *res, struct kith_lcm_stratum *strata,
			     struct kith_err *err)
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
	if (n < 1 || n > 1000)
		return kith_err_set(err, KITH_E_INVALID, NULL, "%zu strata; 1..1000 are allowed", n);
	unsigned J = kith_stats_table_lists(t[0]);
	for (size_t s = 1; s < n; s++)
		if (kith_stats_table_lists(t[s]) != J)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "the strata's tables have different lists");
	size_t cells = (size_t)1 << J;
	S.J = J;
	S.K = S.o.classes;
	S.S = n;
	S.per_chain = S.o.iter / S.o.thin;
	S.total_sweeps = (size_t)sweeps_all;
	size_t nd = S.per_chain * S.o.chains;
	size_t maxcells = 0;
	for (size_t s = 0; s < n; s++) {
		const double *cnt = kith_stats_table_counts(t[s]);
		for (size_t c = 1; c < cells; c++)
			maxcells += cnt[c] > 0;
	}
	S.pat = malloc(((maxcells < cells ? maxcells : cells) + 1) * sizeof *S.pat);
	unsigned *pat_of = malloc(cells * sizeof *pat_of); /* pattern -> index, or UINT_MAX */
	S.cell_at = calloc(n + 1, sizeof *S.cell_at);
	S.cell_pat = malloc((maxcells + 1) * sizeof *S.cell_pat);
	S.count = malloc((maxcells + 1) * sizeof *S.count);
	S.n_s = calloc(n, sizeof *S.n_s);
	S.draws = malloc(nd * sizeof *S.draws);
	S.sdraws = n > 1 ? malloc(n * nd * sizeof *S.sdraws) : NULL;
	S.capped = calloc(S.o.chains, sizeof *S.capped);
	int rc = KITH_OK;
	if (!S.pat || !pat_of || !S.cell_at || !S.cell_pat || !S.count || !S.n_s || !S.draws ||
	    (n > 1 && !S.sdraws) || !S.capped) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < cells; c++)
		pat_of[c] = UINT32_MAX;
	for (size_t s = 0; s < n; s++) {
		const double *cnt = kith_stats_table_counts(t[s]);
		S.cell_at[s] = S.M;
		for (size_t c = 1; c < cells; c++)
			if (cnt[c] > 0) {
				if (pat_of[c] == UINT32_MAX) {
					pat_of[c] = (unsigned)S.P;
					S.pat[S.P++] = (uint32_t)c;
				}
				S.cell_pat[S.M] = pat_of[c];
				S.count[S.M++] = (unsigned)cnt[c];
				S.n_s[s] += cnt[c];
			}
		S.n += S.n_s[s];
	}
	S.cell_at[n] = S.M;
	if (!(S.n > 0)) {
		rc = kith_err_set(err, KITH_E_INVALID, NULL, "nobody observed");
		goto out;
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
	for (size_t s = 0; strata && s < n; s++) {
		double *d = S.sdraws ? S.sdraws + s * nd : S.draws;
		if (S.sdraws)
			qsort(d, nd, sizeof *d, cmp_double);
		strata[s].observed = S.n_s[s];
		strata[s].median = kith_interval_quantile(d, nd, 0.5, 1);
		strata[s].lo = kith_interval_quantile(d, nd, (1 - S.o.level) / 2, 1);
		strata[s].hi = kith_interval_quantile(d, nd, 1 - (1 - S.o.level) / 2, 1);
	}
	*res = r;
out:
	free(S.pat);
	free(pat_of);
	free(S.cell_at);
	free(S.cell_pat);
	free(S.count);
	free(S.n_s);
	free(S.draws);
	free(S.sdraws);
	free(S.capped);
	return rc;
}

int kith_lcm_estimate(const struct kith_stats_table *t, const struct kith_lcm_opts *o,
		      struct kith_lcm_result *res, struct kith_err *err)
{
	return kith_lcm_estimate_strata(&t, 1, o, res, NULL, err);
}
