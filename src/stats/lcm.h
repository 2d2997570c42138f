/*
 * lcm — the Bayesian non-parametric latent-class model of Manrique-Vallier
 * (2016, Biometrics 72: 1246-1254), the model of HRDAG's LCMCR package.
 *
 * People fall in latent classes with stick-breaking (truncated Dirichlet
 * process) weights nu over K classes (prior concentration alpha ~
 * Gamma(a_alpha, b_alpha), 0.25 and 0.25 as LCMCR); within a class the lists
 * record independently with probabilities lambda_jk ~ Beta(1, 1). The prior on
 * the population size is p(N) proportional to 1/N. The Gibbs sampler is
 * LCMCR's: classes of the observed people drawn cell by cell (multinomial),
 * lambda, the stick-breaking weights, then the data augmentation for the
 * unobserved: n0 ~ NegativeBinomial(n, 1 - P(unobserved)) and their classes,
 * and alpha. Each chain starts as LCMCR does (lambda at the lists' observed
 * shares, a warm-up of 500 sweeps without alpha). The estimate is the
 * posterior median of N = n + n0 over all chains, with quantiles for the
 * interval and the potential scale reduction R-hat (Gelman & Rubin 1992,
 * split chains) as a convergence diagnostic. Chains run on POSIX threads, each
 * with its own xoshiro256** stream (base/prng.h, variates from stats/rdist.h)
 * seeded from (seed, chain): the result depends on the seed and the options,
 * not on the number of threads.
 *
 * With covariates (kith_lcm_estimate_strata): people also carry a categorical
 * covariate (a stratum: sex, province, year of crossing...). The classes'
 * capture probabilities lambda are shared by every stratum, but each stratum
 * has its own class weights (its own stick-breaking draw, all with the same
 * alpha) and its own unobserved count, each with the prior 1/N_s. So a
 * covariate that drives capture moves people between classes of different
 * reachability stratum by stratum, while the strata pool what they tell about
 * the classes. The total is N = sum of the N_s, with per-stratum posteriors
 * beside it. With one stratum this is the model above. It assumes every list
 * could record people of every stratum (a list with nobody in a stratum is
 * read as one that reaches them rarely).
 *
 * The sweep visits capture patterns, not people: the classes of a pattern's
 * count are one multinomial draw (conditional binomials, the likeliest class
 * first), so its cost does not grow with the number of people.
 *
 * Ownership: nothing is kept; the result is a plain value.
 */
#ifndef KITH_STATS_LCM_H
#define KITH_STATS_LCM_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "stats/table.h"

struct kith_lcm_opts {
	unsigned classes; /* K; 0 means 10 */
	size_t iter;	  /* sweeps per chain after burn-in; 0 means 50000 */
	size_t burnin;	  /* sweeps per chain discarded first; 0 means 10000 */
	size_t thin;	  /* keep every thin-th sweep; 0 means 10 */
	unsigned chains;  /* 0 means 4 */
	uint64_t seed;
	double a_alpha, b_alpha; /* 0 means 0.25 */
	double level;		 /* interval level; 0 means 0.95 */
	unsigned threads;	 /* 0 means one per online processor */
	/* progress in sweeps, from the calling thread only; may be NULL */
	void (*progress)(void *pctx, size_t done, size_t total);
	void *pctx;
};

struct kith_lcm_result {
	double median, lo, hi, mean; /* of N over the kept draws of every chain */
	double rhat;		     /* split-chain R-hat of N; NaN with one draw per chain */
	size_t draws;		     /* kept draws over all chains */
	size_t sweeps;		     /* sweeps run over all chains (warm-up included) */
	size_t capped;		     /* draws of n0 capped at KITH_STATS_MAX_TOTAL */
	unsigned classes, chains;
};

/* One stratum's posterior (kith_lcm_estimate_strata). */
struct kith_lcm_stratum {
	double observed;
	double median, lo, hi;
};

/*
 * Runs the sampler on table t. Returns KITH_OK; KITH_E_INVALID (classes not in
 * 2..100, chains not in 1..64, thin larger than iter, more than 10^9 sweeps in
 * all); KITH_E_NOMEM; KITH_E_INTERNAL (a thread could not start). *res is
 * written only on success.
 */
int kith_lcm_estimate(const struct kith_stats_table *t, const struct kith_lcm_opts *o,
		      struct kith_lcm_result *res, struct kith_err *err) KITH_WUR;

/*
 * The model with a categorical covariate: t[0..n-1] are the tables of the n
 * strata (n in 1..1000; all with the same lists; a stratum may have nobody
 * observed). *res is the posterior of the total; strata (n entries, may be
 * NULL) gets each stratum's. The same statuses as kith_lcm_estimate, and
 * KITH_E_INVALID when the tables' lists differ or nobody is observed at all.
 * Outputs are written only on success.
 */
int kith_lcm_estimate_strata(const struct kith_stats_table *const *t, size_t n, const struct kith_lcm_opts *o,
			     struct kith_lcm_result *res, struct kith_lcm_stratum *strata,
			     struct kith_err *err) KITH_WUR;

#endif
