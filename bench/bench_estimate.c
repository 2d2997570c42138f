/*
 * bench_estimate — how fast multiple systems estimation runs, each figure
 * printed beside a limit or a peer measured in the same run:
 *
 *  1. every hierarchical model of a 5-list table, each with its profile
 *     likelihood interval (UKdat_5 and Congenital, orders 2 and 4), against
 *     the 1 s budget and against the cost of one log-linear fit;
 *  2. a 1000-replicate BCa bootstrap re-running the stepwise selection on
 *     UKdat_5 on all processors, against the 10 s budget and against the
 *     same work on one thread;
 *  3. the latent-class sampler's sweeps per second on UKdat_5 and Kosovo
 *     with 10 classes, against a naive sampler that draws every person's
 *     class one by one (LCMCR's original per-individual sweep), run here.
 *
 * usage: bench_estimate [SHARED_DIR]   (default $KITH_SHARED, else . : the folder holding data/)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats/estimate.h"
#include "stats/interval.h"
#include "stats/lcm.h"
#include "stats/loglin.h"
#include "stats/select.h"
#include "stats/table.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU seconds of this process (the machine is shared: wall time is not ours) */
static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static struct kith_stats_table *load(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/data/mse/%s.csv", dir, name);
	struct kith_stats_table *t = NULL;
	struct kith_err err;
	if (kith_stats_table_read(&t, path, &err) != KITH_OK) {
		fprintf(stderr, "bench: %s: %s\n", err.where, err.msg);
		exit(1);
	}
	return t;
}

/* seconds per check + fit of one model, averaged over reps, with its profile
 * interval too when `interval` */
static double one_fit(const struct kith_stats_table *t, const char *name, int reps, int interval)
{
	uint32_t terms[64];
	struct kith_loglin_spec spec;
	struct kith_err err;
	if (kith_loglin_parse_name(name, kith_stats_table_lists(t), &spec, terms, 64, &err))
		return NAN;
	double t0 = now();
	for (int i = 0; i < reps; i++) {
		struct kith_loglin *L;
		struct kith_loglin_result r;
		struct kith_interval ci;
		if (kith_loglin_new(&L, t, &spec, &err) || kith_loglin_check(L, &err) < 0 ||
		    kith_loglin_fit(L, &r, &err) ||
		    (interval && kith_interval_profile(L, &r, 0.95, &ci, &err))) {
			fprintf(stderr, "bench: %s failed\n", interval ? "interval" : "fit");
			exit(1);
		}
		kith_loglin_free(L);
	}
	return (now() - t0) / reps;
}

static void bench_models(const char *dir, const char *table, unsigned order)
{
	struct kith_stats_table *t = load(dir, table);
	struct kith_select_opts o = {.max_order = order, .intervals = 1};
	struct kith_select_result r;
	struct kith_err err;
	double t0 = now(), c0 = cpu_now();
	if (kith_select_hierarchical(t, &o, &r, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	double dt = now() - t0, cpu = cpu_now() - c0;
	size_t ok = 0, cis = 0;
	for (size_t i = 0; i < r.n_models; i++) {
		ok += r.models[i].state == KITH_LOGLIN_OK;
		cis += r.models[i].has_ci;
	}
	/* the peer: the BIC model of the run, checked and fitted alone on one
	 * thread, and its profile interval alone */
	const char *name = r.best_bic != SIZE_MAX ? r.models[r.best_bic].name : "[]";
	double fit = one_fit(t, name, 2000, 0);
	double ci = one_fit(t, name, 200, 1);
	printf(
	    "%-10s order %u: %5zu models (%zu with an MLE, %zu profile intervals) in %.3f s on %u threads: "
	    "%.2f x the 1 s budget; %.0f us per model = %.1f x one check+fit (%.0f us) or %.2f x one "
	    "check+fit+interval (%.0f us) of the BIC model %s\n",
	    table, order, r.n_models, ok, cis, dt, kith_interval_cpus(), dt / 1.0,
	    1e6 * dt / (double)r.n_models, dt / (double)r.n_models / fit, 1e6 * fit,
	    dt / (double)r.n_models / ci, 1e6 * ci, name);
	printf("%-10s order %u: %.3f CPU seconds in all (the machine is shared: on %u idle cores at least "
	       "%.3f s of wall time, %.2f x the 1 s budget)\n",
	       table, order, cpu, kith_interval_cpus(), cpu / kith_interval_cpus(),
	       cpu / kith_interval_cpus());
	kith_select_result_release(&r);
	kith_stats_table_free(t);
}

/* `kith estimate --all` (the whole panel with every hierarchical model and
 * its interval, no bootstrap, no sampler, no heterogeneity grid) against the
 * parallel selection with intervals alone, in the same run */
static void bench_all(const char *dir, const char *table)
{
	struct kith_stats_table *t = load(dir, table);
	struct kith_select_opts so = {.max_order = 4, .intervals = 1};
	struct kith_select_result r;
	struct kith_err err;
	double t0 = now();
	if (kith_select_hierarchical(t, &so, &r, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	double sel = now() - t0;
	kith_select_result_release(&r);
	struct kith_estimate_opts eo = {.all_models = 1, .no_boot = 1, .no_lcm = 1, .no_hetero = 1};
	struct kith_estimate_result *R = NULL;
	t0 = now();
	if (kith_estimate_run(t, &eo, &R, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	double all = now() - t0;
	printf("%-10s --all (estimate panel, %zu rows): %.3f s = %.2f x the parallel selection with "
	       "intervals (%.3f s)\n",
	       table, R->n_rows, all, all / sel, sel);
	kith_estimate_free(R);
	kith_stats_table_free(t);
}

static void bench_bootstrap(const char *dir)
{
	struct kith_stats_table *t = load(dir, "UKdat_5");
	struct kith_select_stepwise s;
	struct kith_err err;
	if (kith_select_stepwise(t, 0.02, &s, &err))
		exit(1);
	double p = 0.02;
	struct kith_boot_opts o = {.replicates = 1000, .seed = 1234};
	struct kith_boot_result b;
	double t0 = now();
	if (kith_interval_bca(t, s.fit.n_hat, kith_select_stepwise_estimator, &p, &o, &b, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	double dt = now() - t0;
	o.threads = 1;
	struct kith_boot_result b1;
	t0 = now();
	if (kith_interval_bca(t, s.fit.n_hat, kith_select_stepwise_estimator, &p, &o, &b1, &err))
		exit(1);
	double d1 = now() - t0;
	printf("UKdat_5 BCa bootstrap, 1000 replicates + %s jackknife, stepwise re-run each: %.3f s on %u "
	       "threads: "
	       "%.3f x the 10 s budget; one thread %.3f s (speed-up %.2f); interval (%.1f, %.1f), same on "
	       "both: %s\n",
	       "delete-one", dt, kith_interval_cpus(), dt / 10.0, d1, d1 / dt, b.lo, b.hi,
	       b.lo == b1.lo && b.hi == b1.hi ? "yes" : "NO");
	kith_stats_table_free(t);
}

/* The naive peer of the sampler: the same Gibbs sweep, but every person's
 * class drawn one by one (observed and unobserved), as LCMCR's original
 * per-individual sam_z did. Returns sweeps per second. */
static double naive_lcm(const struct kith_stats_table *t, unsigned K, size_t sweeps)
{
	unsigned J = kith_stats_table_lists(t);
	const double *cnt = kith_stats_table_counts(t);
	size_t n = (size_t)kith_stats_table_observed(t);
	uint32_t *x = malloc(n * sizeof *x);
	double *lam = malloc((size_t)J * K * sizeof *lam), *nu = malloc(K * sizeof *nu),
	       *pr = malloc(K * sizeof *pr);
	double *a1 = malloc((size_t)J * K * sizeof *a1), *tot = malloc(K * sizeof *tot);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!x || !lam || !nu || !pr || !a1 || !tot || !r)
		exit(1);
	size_t i = 0;
	for (size_t c = 1; c < ((size_t)1 << J); c++)
		for (double m = 0; m < cnt[c]; m++)
			x[i++] = (uint32_t)c;
	for (size_t q = 0; q < (size_t)J * K; q++)
		lam[q] = 0.3;
	for (unsigned k = 0; k < K; k++)
		nu[k] = 1.0 / K;
	double alpha = 0.3 / K, n0 = 0;
	double t0 = now();
	for (size_t s = 0; s < sweeps; s++) {
		memset(a1, 0, (size_t)J * K * sizeof *a1);
		memset(tot, 0, K * sizeof *tot);
		for (size_t p = 0; p < n + (size_t)n0; p++) {
			uint32_t xi = p < n ? x[p] : 0;
			double sum = 0;
			for (unsigned k = 0; k < K; k++) {
				double v = nu[k];
				for (unsigned j = 0; j < J; j++)
					v *= (xi >> j) & 1u ? lam[j * K + k] : 1 - lam[j * K + k];
				pr[k] = v;
				sum += v;
			}
			double u = gsl_rng_uniform(r) * sum, acc = 0;
			unsigned k = 0;
			for (; k + 1 < K; k++) {
				acc += pr[k];
				if (u < acc)
					break;
			}
			tot[k]++;
			for (unsigned j = 0; j < J; j++)
				if ((xi >> j) & 1u)
					a1[j * K + k]++;
		}
		for (unsigned j = 0; j < J; j++)
			for (unsigned k = 0; k < K; k++)
				lam[j * K + k] =
				    gsl_ran_beta(r, 1 + a1[j * K + k], 1 + tot[k] - a1[j * K + k]);
		double rest = (double)n + n0, lacc = 0;
		for (unsigned k = 0; k + 1 < K; k++) {
			rest -= tot[k];
			double v = gsl_ran_beta(r, 1 + tot[k], alpha + rest);
			nu[k] = exp(lacc) * v;
			lacc += log1p(-v);
		}
		nu[K - 1] = exp(lacc);
		double pz = 0;
		for (unsigned k = 0; k < K; k++) {
			double v = nu[k];
			for (unsigned j = 0; j < J; j++)
				v *= 1 - lam[j * K + k];
			pz += v;
		}
		n0 = (double)gsl_ran_negative_binomial(r, 1 - pz, (double)n);
		alpha = gsl_ran_gamma(r, 0.25 + K - 1, 1 / (0.25 - lacc));
	}
	double dt = now() - t0;
	free(x);
	free(lam);
	free(nu);
	free(pr);
	free(a1);
	free(tot);
	gsl_rng_free(r);
	return (double)sweeps / dt;
}

static void bench_lcm(const char *dir, const char *table, double lcmcr_seconds)
{
	struct kith_stats_table *t = load(dir, table);
	struct kith_lcm_opts o = {
	    .classes = 10, .chains = 1, .threads = 1, .burnin = 20000, .iter = 80000, .thin = 10, .seed = 1};
	struct kith_lcm_result r;
	struct kith_err err;
	double t0 = now(), c0 = cpu_now();
	if (kith_lcm_estimate(t, &o, &r, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	double ours = (double)r.sweeps / (now() - t0), ours_cpu = (double)r.sweeps / (cpu_now() - c0);
	double naive = naive_lcm(t, 10, 3000);
	printf("%-10s latent classes K=10, one chain: %.0f sweeps/s (%.0f per CPU second); naive per-person "
	       "sampler here: %.0f sweeps/s (%.1f x faster); LCMCR's reference run: 510,000 sweeps in %.1f s "
	       "= %.0f/s on its machine (bench/lcmcr_peer.sh runs LCMCR here)\n",
	       table, ours, ours_cpu, naive, ours / naive, lcmcr_seconds, 510000 / lcmcr_seconds);
	kith_stats_table_free(t);
}

int main(int argc, char **argv)
{
	if (kith_process_init())
		return 3;
	const char *dir = argc > 1 ? argv[1] : getenv("KITH_SHARED");
	if (!dir)
		dir = "."; /* the repository root, which holds data/ */
	printf("bench_estimate: %u online processors\n", kith_interval_cpus());
	bench_models(dir, "UKdat_5", 2);
	bench_models(dir, "UKdat_5", 4);
	bench_models(dir, "Congenital", 2);
	bench_models(dir, "Congenital", 4);
	bench_all(dir, "Congenital");
	bench_bootstrap(dir);
	bench_lcm(dir, "UKdat_5", 9.7);
	bench_lcm(dir, "Kosovo", 9.7);
	return 0;
}
