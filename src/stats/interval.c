/*
 * interval — profile likelihood intervals and the BCa bootstrap (see interval.h).
 */
#include "stats/interval.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_roots.h>

#include "base/pool.h"
#include "base/prng.h"

unsigned kith_interval_cpus(void)
{
	return kith_pool_cpus();
}

/* ---- profile likelihood ---- */

/* The maximum of the profile needs less precision than the limits: the
 * log-likelihood is flat there to second order, so an N off by a relative
 * 1e-6 changes the threshold by about (1e-6 N)^2 / (2 var) */
#define MAX_EPSREL 1e-6

struct prof_ctx {
	struct kith_loglin *m;
	double target; /* subtracted from the log-likelihood */
	int failed;
	unsigned evals;
	double best_x, best_l; /* the highest log-likelihood seen */
};

static void prof_both(double N, void *p, double *f, double *df)
{
	struct prof_ctx *c = p;
	double ll, d;
	c->evals++;
	if (kith_loglin_profile(c->m, N, &ll, &d, NULL) != KITH_OK || !isfinite(ll)) {
		c->failed = 1;
		*f = GSL_NAN;
		*df = GSL_NAN;
		return;
	}
	if (ll > c->best_l) {
		c->best_l = ll;
		c->best_x = N;
	}
	*f = ll - c->target;
	*df = d;
}

static double prof_f(double N, void *p)
{
	double f, d;
	prof_both(N, p, &f, &d);
	return f;
}

static double prof_df(double N, void *p)
{
	double f, d;
	prof_both(N, p, &f, &d);
	return d;
}

/* Brent's root of f on [a, b] (f(a), f(b) of opposite signs). */
static int brent_root(gsl_function *F, double a, double b, double epsrel, double *root)
{
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!s)
		return KITH_E_NOMEM;
	int rc = KITH_E_INTERNAL;
	if (gsl_root_fsolver_set(s, F, a, b) == GSL_SUCCESS) {
		for (int it = 0; it < 200; it++) {
			if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
				break;
			double lo = gsl_root_fsolver_x_lower(s), hi = gsl_root_fsolver_x_upper(s);
			if (gsl_root_test_interval(lo, hi, 1e-7, epsrel) == GSL_SUCCESS) {
				*root = gsl_root_fsolver_root(s);
				rc = KITH_OK;
				break;
			}
		}
	}
	gsl_root_fsolver_free(s);
	return rc;
}

/*
 * Newton's method (GSL) for f(N) = loglik - target from x0, kept to the side
 * (lo_side: N in (lo, hi)). Returns KITH_OK with *root, or an error when an
 * iterate leaves the side or the method stalls; the caller then brackets.
 */
static int newton_root(struct prof_ctx *c, double x0, double lo, double hi, double *root)
{
	gsl_function_fdf FDF = {prof_f, prof_df, prof_both, c};
	gsl_root_fdfsolver *s = gsl_root_fdfsolver_alloc(gsl_root_fdfsolver_newton);
	if (!s)
		return KITH_E_NOMEM;
	int rc = KITH_E_INTERNAL;
	if (gsl_root_fdfsolver_set(s, &FDF, x0) == GSL_SUCCESS) {
		double x = x0;
		for (int it = 0; it < 30; it++) {
			if (gsl_root_fdfsolver_iterate(s) != GSL_SUCCESS || c->failed)
				break;
			double x1 = gsl_root_fdfsolver_root(s);
			if (!(x1 > lo && x1 < hi))
				break;
			if (gsl_root_test_delta(x1, x, 1e-6, 1e-10) == GSL_SUCCESS) {
				*root = x1;
				rc = KITH_OK;
				break;
			}
			x = x1;
		}
	}
	gsl_root_fdfsolver_free(s);
	c->failed = 0;
	return rc;
}

int kith_interval_profile(struct kith_loglin *m, const struct kith_loglin_result *fit, double level,
			  struct kith_interval *ci, struct kith_err *err)
{
	if (level == 0)
		level = 0.95;
	if (!(level > 0 && level < 1))
		return kith_err_set(err, KITH_E_INVALID, NULL, "confidence level %g is not in (0, 1)", level);
	if (!fit || fit->state != KITH_LOGLIN_OK)
		return kith_err_set(err, KITH_E_INVALID, NULL, "no fitted model for a profile interval");
	double dark = exp(fit->intercept);
	double n = kith_loglin_observed(m);
	struct prof_ctx c = {.m = m, .best_l = -HUGE_VAL};
	gsl_function F = {prof_f, &c};
	gsl_function D = {prof_df, &c};
	struct kith_interval out = {0};
	double f, d;

	/* 1. the maximum: the root of the derivative. A Newton guess with the
	 * Poisson variance as curvature gives a tight bracket for Brent. */
	double x = fit->n_hat, a, b, nmax;
	prof_both(x, &c, &f, &d);
	if (c.failed)
		goto failed;
	double var = fit->se * fit->se;
	if (!(var > 0) || !isfinite(var))
		var = fmax(x - n, 1.0);
	if (d == 0) {
		nmax = x;
	} else {
		/* walk from x towards the root until the derivative changes sign */
		double dir = d > 0 ? 1 : -1;
		double step = fabs(d) * var;
		step = fmin(fmax(step, 1e-6 * (x - n) + 1e-9), 0.5 * (x - n) + 1);
		double prev = x, y = x, dy = d;
		int at_n = 0, found = 0;
		for (int i = 0; i < 200; i++) {
			y = prev + dir * step;
			if (dir < 0 && y <= n) {
				y = n + (prev - n) / 4;
				if (prev - n < 1e-9 * fmax(1.0, n)) {
					at_n = 1;
					break;
				}
			}
			prof_both(y, &c, &f, &dy);
			if (c.failed)
				goto failed;
			if ((dir > 0 && dy <= 0) || (dir < 0 && dy >= 0)) {
				found = 1;
				break;
			}
			prev = y;
			step *= 2;
		}
		if (at_n) {
			nmax = n;
		} else if (!found) {
			goto failed;
		} else if (dy == 0) {
			nmax = y;
		} else {
			a = dir > 0 ? prev : y;
			b = dir > 0 ? y : prev;
			if (brent_root(&D, a, b, MAX_EPSREL, &nmax) != KITH_OK || c.failed)
				goto failed;
		}
	}
	/* the highest point seen: the root finder's last steps were all next
	 * to nmax, where the log-likelihood is flat to second order */
	double lmax = c.best_l;
	if (!(c.best_x == nmax)) {
		double lm;
		prof_both(nmax, &c, &lm, &d);
		if (c.failed)
			goto failed;
		if (lm >= lmax)
			lmax = lm;
		else
			nmax = c.best_x;
	}
	double crit = gsl_cdf_chisq_Pinv(level, 1.0) / 2;
	c.target = lmax - crit;
	out.n_max = nmax;
	/* a Wald guess on the log scale of the dark figure for the starts */
	double sl = dark > 0 ? fit->se / dark : 1;
	double z = gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
	if (!(sl > 0) || !isfinite(sl))
		sl = 1;

	/* 2. lower limit: Newton from the Wald guess; when it cannot find a
	 * root above n, the likelihood at n decides (Rcapture: the limit is n) */
	if (nmax <= n) {
		out.lo = n;
		out.lo_at_n = 1;
	} else {
		double x0 = n + (nmax - n) * exp(-z * sl);
		if (newton_root(&c, x0, n, nmax, &out.lo) != KITH_OK) {
			double flo = prof_f(n, &c);
			if (c.failed)
				goto failed;
			if (flo >= 0) {
				out.lo = n;
				out.lo_at_n = 1;
			} else if (brent_root(&F, n, nmax, 1e-11, &out.lo) != KITH_OK || c.failed) {
				goto failed;
			}
		}
	}

	/* 3. upper limit: Newton from the Wald guess; if that fails, widen a
	 * bracket until the likelihood falls below the threshold */
	double x0 = n + (nmax - n) * exp(z * sl);
	if (!(x0 > nmax) || !isfinite(x0))
		x0 = nmax + fmax(fit->se, 1.0);
	if (newton_root(&c, x0, nmax, HUGE_VAL, &out.hi) != KITH_OK) {
		double step = fmax(fmax(fit->n_hat - n, fit->se), 1.0);
		double lo = nmax, hi = nmax + step, fhi = prof_f(hi, &c);
		if (c.failed)
			goto failed;
		int open = 0;
		while (fhi >= 0) {
			lo = hi;
			step *= 2;
			hi = nmax + step;
			if (!isfinite(hi) || hi > 1e300) {
				open = 1;
				break;
			}
			fhi = prof_f(hi, &c);
			if (c.failed) {
				/* numbers too large for the refit: the likelihood never fell */
				if (hi > 1e15 * fmax(fit->n_hat, 1.0)) {
					open = 1;
					c.failed = 0;
					break;
				}
				goto failed;
			}
		}
		if (open) {
			out.hi = HUGE_VAL;
			out.hi_open = 1;
		} else if (brent_root(&F, lo, hi, 1e-11, &out.hi) != KITH_OK || c.failed) {
			goto failed;
		}
	}
	out.evals = c.evals;
	*ci = out;
	return KITH_OK;
failed:
	return kith_err_set(err, KITH_E_INTERNAL, NULL,
			    "the profile likelihood could not be followed (a refit failed)");
}

/* ---- quantiles and BCa limits ---- */

double kith_interval_quantile(const double *x, size_t n, double p, int type7)
{
	if (n == 1)
		return x[0];
	double nppm = type7 ? (double)(n - 1) * p + 1.0 : (double)n * p + (p + 1.0) / 3.0;
	double fuzz = 4 * DBL_EPSILON;
	double j = floor(nppm + fuzz);
	double h = nppm - j;
	if (fabs(h) < fuzz)
		h = 0;
	/* x_j, x_{j+1} with 1-based j, clamped to the ends */
	double jl = j < 1 ? 1 : (j > (double)n ? (double)n : j);
	double jh = j + 1 < 1 ? 1 : (j + 1 > (double)n ? (double)n : j + 1);
	double lo = x[(size_t)jl - 1], hi = x[(size_t)jh - 1];
	if (h == 0)
		return lo;
	return (1 - h) * lo + h * hi;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int kith_interval_bca_limits(const double *reps, size_t n, double est, double a, const double *alpha,
			     size_t na, double *out, double *z0out)
{
	double *s = malloc((n ? n : 1) * sizeof *s);
	if (!s)
		return KITH_E_NOMEM;
	size_t u = 0, below = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(reps[i]))
			continue;
		s[u++] = reps[i];
		below += reps[i] < est;
	}
	if (u == 0) {
		free(s);
		return KITH_E_INVALID;
	}
	qsort(s, u, sizeof *s, cmp_double);
	/* a share of 0 or 1 would make z0 infinite: keep it half a replicate in */
	double share = (double)below / (double)u;
	double half = 0.5 / (double)u;
	if (share < half)
		share = half;
	if (share > 1 - half)
		share = 1 - half;
	double z0 = gsl_cdf_ugaussian_Pinv(share);
	for (size_t i = 0; i < na; i++) {
		double za = gsl_cdf_ugaussian_Pinv(alpha[i]);
		double za0 = za + z0;
		double zq = gsl_cdf_ugaussian_P(z0 + za0 / (1 - a * za0));
		out[i] = kith_interval_quantile(s, u, zq, 0);
	}
	if (z0out)
		*z0out = z0;
	free(s);
	return KITH_OK;
}

/* ---- the bootstrap ---- */

struct boot_shared {
	const struct kith_stats_table *t;
	kith_interval_estimator f;
	void *ctx;
	uint64_t seed;
	size_t B;	    /* replicates */
	size_t ncells;	    /* jackknife tasks (cells with a count) */
	size_t *jcell;	    /* their patterns */
	double *reps;	    /* B */
	double *jack;	    /* ncells */
	atomic_size_t next; /* next task: [0, B) replicates, [B, B + ncells) jackknife */
	atomic_size_t done;
	atomic_int error; /* a negative status from a worker (out of memory) */
	/* progress, reported by the calling thread only */
	void (*progress)(void *pctx, size_t done, size_t total);
	void *pctx;
	size_t total;
};

/* A worker; thread 0 (the calling one) reports progress between tasks. */
static void boot_worker(unsigned thread, void *arg)
{
	struct boot_shared *S = arg;
	unsigned k = kith_stats_table_lists(S->t);
	size_t cells = (size_t)1 << k;
	const double *cnt = kith_stats_table_counts(S->t);
	double n = kith_stats_table_observed(S->t);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double *p = malloc(cells * sizeof *p);
	double *c = malloc(cells * sizeof *c);
	unsigned *draw = malloc(cells * sizeof *draw);
	if (!r || !p || !c || !draw) {
		atomic_store(&S->error, KITH_E_NOMEM);
		goto out;
	}
	for (size_t i = 0; i < cells; i++)
		p[i] = cnt[i] / n;
	for (;;) {
		if (atomic_load(&S->error))
			break;
		size_t task = atomic_fetch_add(&S->next, 1);
		if (task >= S->B + S->ncells)
			break;
		if (task < S->B) {
			uint64_t sd = kith_prng_mix(S->seed ^ kith_prng_mix(task + 1));
			gsl_rng_set(r, (unsigned long)(sd & 0xffffffffu) ^ (unsigned long)(sd >> 32));
			/* cell 0 has probability 0 */
			gsl_ran_multinomial(r, cells - 1, (unsigned)n, p + 1, draw + 1);
			c[0] = 0;
			for (size_t i = 1; i < cells; i++)
				c[i] = draw[i];
		} else {
			memcpy(c, cnt, cells * sizeof *c);
			c[S->jcell[task - S->B]] -= 1;
		}
		struct kith_stats_table *bt = NULL;
		double est = NAN;
		int rc = kith_stats_table_with_counts(&bt, S->t, c, NULL);
		if (rc == KITH_E_NOMEM) {
			atomic_store(&S->error, KITH_E_NOMEM);
			break;
		}
		if (rc == KITH_OK && S->f(bt, S->ctx, &est) != 0)
			est = NAN;
		if (!(est >= 0)) /* NaN or negative: no estimate; +inf is kept */
			est = NAN;
		kith_stats_table_free(bt);
		if (task < S->B)
			S->reps[task] = est;
		else
			S->jack[task - S->B] = est;
		size_t d = atomic_fetch_add(&S->done, 1) + 1;
		if (S->progress && thread == 0)
			S->progress(S->pctx, d, S->total);
	}
out:
	gsl_rng_free(r);
	free(p);
	free(c);
	free(draw);
}

int kith_interval_bca(const struct kith_stats_table *t, double n_hat, kith_interval_estimator f, void *ctx,
		      const struct kith_boot_opts *o, struct kith_boot_result *res, struct kith_err *err)
{
	struct kith_boot_opts def = {0};
	if (!o)
		o = &def;
	size_t B = o->replicates ? o->replicates : 1000;
	double level = o->level == 0 ? 0.95 : o->level;
	if (!(level > 0 && level < 1))
		return kith_err_set(err, KITH_E_INVALID, NULL, "confidence level %g is not in (0, 1)", level);
	if (B > 10000000)
		return kith_err_set(err, KITH_E_INVALID, NULL, "%zu replicates; at most 10000000", B);
	if (!isfinite(n_hat))
		return kith_err_set(err, KITH_E_INVALID, NULL, "no point estimate to bootstrap");
	unsigned threads = o->threads ? o->threads : kith_pool_cpus();
	unsigned k = kith_stats_table_lists(t);
	size_t cells = (size_t)1 << k;
	const double *cnt = kith_stats_table_counts(t);
	struct boot_shared S = {.t = t, .f = f, .ctx = ctx, .seed = o->seed, .B = B};
	atomic_init(&S.next, 0);
	atomic_init(&S.done, 0);
	atomic_init(&S.error, 0);
	int rc = KITH_OK;
	S.reps = malloc(B * sizeof *S.reps);
	S.jcell = malloc(cells * sizeof *S.jcell);
	S.jack = malloc(cells * sizeof *S.jack);
	if (!S.reps || !S.jcell || !S.jack) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t c = 1; c < cells; c++)
		if (cnt[c] > 0)
			S.jcell[S.ncells++] = c;
	size_t total = B + S.ncells;
	S.progress = o->progress;
	S.pctx = o->pctx;
	S.total = total;
	/* the calling thread works too, and reports progress between tasks */
	kith_pool_run_indexed(threads, boot_worker, &S);
	if (o->progress)
		o->progress(o->pctx, atomic_load(&S.done), total);
	if (atomic_load(&S.error)) {
		rc = kith_err_set(err, atomic_load(&S.error), NULL, "out of memory in the bootstrap");
		goto out;
	}
	struct kith_boot_result r = {0};
	for (size_t b = 0; b < B; b++) {
		if (!isnan(S.reps[b]))
			r.used++;
		else
			r.failed++;
	}
	if (r.used < 10) {
		rc = kith_err_set(err, KITH_E_INVALID, NULL,
				  "only %zu of %zu bootstrap replicates could be estimated", r.used, B);
		goto out;
	}
	/* acceleration from the jackknife, each delete-one estimate weighted by
	 * the number of people it stands for */
	double wsum = 0, mean = 0;
	for (size_t i = 0; i < S.ncells; i++) {
		if (!isfinite(S.jack[i])) /* an infinite delete-one estimate cannot weigh in either */
			r.jack_failed++;
		else {
			wsum += cnt[S.jcell[i]];
			mean += cnt[S.jcell[i]] * S.jack[i];
		}
	}
	r.a = 0;
	if (r.jack_failed == 0 && wsum > 0) {
		mean /= wsum;
		double s2 = 0, s3 = 0;
		for (size_t i = 0; i < S.ncells; i++) {
			double d = mean - S.jack[i], w = cnt[S.jcell[i]];
			s2 += w * d * d;
			s3 += w * d * d * d;
		}
		if (s2 > 0)
			r.a = s3 / (6 * pow(s2, 1.5));
	}
	double alpha[2] = {(1 - level) / 2, 1 - (1 - level) / 2}, lim[2];
	rc = kith_interval_bca_limits(S.reps, B, n_hat, r.a, alpha, 2, lim, &r.z0);
	if (rc) {
		rc = kith_err_set(err, rc, NULL, "no usable bootstrap replicate");
		goto out;
	}
	r.lo = lim[0];
	r.hi = lim[1];
	if (o->keep_reps) {
		r.reps = S.reps;
		S.reps = NULL;
	}
	*res = r;
out:
	free(S.reps);
	free(S.jcell);
	free(S.jack);
	return rc;
}
