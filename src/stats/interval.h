/*
 * interval — confidence intervals for a population size: the multinomial
 * profile likelihood interval of one log-linear model, and the BCa bootstrap
 * interval of any estimator (typically one that re-runs model selection).
 *
 * Profile likelihood (Cormack 1992; Rcapture's closedpCI): the interval is the
 * set of N whose profile log-likelihood is within chi2_1(level)/2 of its
 * maximum. The maximum is found with GSL's Brent minimiser, the limits with
 * GSL's Brent root finder. The upper limit is searched adaptively: the
 * bracket doubles until the likelihood falls below the threshold, with no cap
 * but the numbers themselves; when the likelihood never falls that far (the
 * interval is unbounded) hi is +infinity and hi_open is set, never a silent cap.
 *
 * BCa bootstrap (Efron 1987; DiCiccio & Efron 1996), as SparseMSE's
 * estimatepopulation: B multinomial resamples of the observed table, each
 * re-estimated by the caller's estimator (so model selection is repeated);
 * the acceleration from the delete-one-person jackknife, weighted by the cell
 * counts; the bias correction z0 from the share of replicates below the
 * estimate; limits as quantiles (Hyndman & Fan type 8) at the adjusted levels.
 * Replicate b draws from its own GSL Mersenne Twister seeded from (seed, b),
 * so the result does not depend on the number of threads; threads are POSIX
 * threads, one RNG each.
 *
 * Ownership: no function keeps a pointer it was given. A result's `reps`
 * array (when asked for) is malloc'ed and owned by the caller: free() it.
 */
#ifndef KITH_STATS_INTERVAL_H
#define KITH_STATS_INTERVAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "stats/loglin.h"
#include "stats/table.h"

/* A profile likelihood interval. */
struct kith_interval {
	double lo, hi;	/* hi is +inf when hi_open */
	double n_max;	/* the N that maximises the multinomial profile likelihood */
	int lo_at_n;	/* the lower limit is the observed total (the likelihood never fell) */
	int hi_open;	/* no finite upper limit */
	unsigned evals; /* profile likelihood evaluations */
};

/*
 * The profile likelihood interval at `level` (0 means 0.95) of a model that
 * kith_loglin_fit has fitted with state OK; fit is that result. Returns KITH_OK,
 * KITH_E_INVALID (level not in (0,1), no fit), KITH_E_INTERNAL (a refit or a
 * GSL solver failed; err says which). *ci is written only on success.
 */
int kith_interval_profile(struct kith_loglin *m, const struct kith_loglin_result *fit, double level,
			  struct kith_interval *ci, struct kith_err *err) KITH_WUR;

/*
 * An estimator for the bootstrap: estimates the population of table t into
 * *n_hat and returns 0 (+inf is allowed: a resample that supports no finite
 * estimate, which then counts above every finite one), or returns nonzero
 * when it cannot (that replicate is then left out and counted). Called
 * concurrently from several threads with the same ctx, which it must only
 * read.
 */
typedef int (*kith_interval_estimator)(const struct kith_stats_table *t, void *ctx, double *n_hat);

struct kith_boot_opts {
	size_t replicates; /* 0 means 1000 */
	uint64_t seed;	   /* any value; 0 is a seed like another */
	unsigned threads;  /* 0 means one per online processor */
	double level;	   /* 0 means 0.95 */
	int keep_reps;	   /* nonzero: return the replicates in result.reps */
	/* progress, called from the calling thread only; may be NULL */
	void (*progress)(void *pctx, size_t done, size_t total);
	void *pctx;
};

struct kith_boot_result {
	double lo, hi;	     /* the BCa limits */
	double z0, a;	     /* bias correction and acceleration */
	size_t used, failed; /* replicates used, and left out because the estimator failed */
	size_t jack_failed;  /* jackknife estimates that failed (then a = 0) */
	double *reps;	     /* with keep_reps: the replicates, `used + failed` of them (NaN = failed) */
};

/*
 * Runs the BCa bootstrap of `f` around its estimate n_hat on table t.
 * Returns KITH_OK; KITH_E_INVALID (bad options, or fewer than 10 usable
 * replicates); KITH_E_NOMEM; KITH_E_INTERNAL (a thread could not start).
 * *res is written only on success.
 */
int kith_interval_bca(const struct kith_stats_table *t, double n_hat, kith_interval_estimator f, void *ctx,
		      const struct kith_boot_opts *o, struct kith_boot_result *res,
		      struct kith_err *err) KITH_WUR;

/*
 * The BCa limits of sorted-or-not replicates reps[0..n) (NaN entries are
 * skipped, +inf ones kept) around `est` with acceleration a, at lower-tail probabilities
 * alpha[0..na) into out[0..na): SparseMSE's bcaconfvalues. z0 is written when
 * not NULL. Returns KITH_OK, KITH_E_INVALID (no finite replicate), KITH_E_NOMEM.
 */
int kith_interval_bca_limits(const double *reps, size_t n, double est, double a, const double *alpha,
			     size_t na, double *out, double *z0) KITH_WUR;

/* Quantile of sorted x[0..n) at probability p, Hyndman & Fan type 8 (type 7
 * when `type7`), as R's quantile(). n >= 1. */
double kith_interval_quantile(const double *sorted, size_t n, double p, int type7);

/* Online processors, at least 1 and at most KITH_POOL_MAX (kith_pool_cpus). */
unsigned kith_interval_cpus(void);

#endif
