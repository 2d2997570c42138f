/*
 * hetero — heterogeneity diagnosis and the estimates it cannot rule out
 * (see hetero.h).
 */
#include "stats/hetero.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>

#include "stats/loglin.h"
#include "stats/summary.h"

/* Darroch's quasi-symmetric term with a fixed coefficient: log E[e^(c e)]
 * for a person effect e ~ Normal(0, s2) on the log-odds of capture. */
static double offset_of(unsigned c, double s2)
{
	return s2 * c * c / 2.0;
}

static double dev_term(double y, double mu)
{
	return y > 0 ? 2 * (y * log(y / mu) - (y - mu)) : 2 * mu;
}

/* Fits Mt + the fixed offset by Newton-Raphson. With aug, the unobserved
 * cell enters with count n0 (its row is the intercept alone): the refit of
 * the multinomial profile likelihood. *dev gets the Poisson deviance, *b0 the
 * intercept; returns 0, 1 when the fit failed, KITH_E_NOMEM. */
static int fit_offset(const struct kith_stats_table *t, double s2, int aug, double n0, double *dev_out,
		      double *b0_out)
{
	unsigned k = kith_stats_table_lists(t);
	const double *y = kith_stats_table_counts(t);
	size_t cells = (size_t)1 << k, p = k + 1;
	double *off = malloc(cells * sizeof *off);
	gsl_matrix *H = gsl_matrix_alloc(p, p);
	gsl_vector *g = gsl_vector_alloc(p), *d = gsl_vector_alloc(p), *b = gsl_vector_calloc(p);
	int rc = 1;
	if (!off || !H || !g || !d || !b) {
		rc = KITH_E_NOMEM;
		goto done;
	}
	double n = kith_stats_table_observed(t);
	for (size_t c = 0; c < cells; c++)
		off[c] = offset_of((unsigned)__builtin_popcount((unsigned)c), s2);
	gsl_vector_set(b, 0, log((n + (aug ? n0 : 0)) / (double)cells));
	double dev = HUGE_VAL;
	for (int it = 0; it < 200; it++) {
		double dv = 0;
		gsl_matrix_set_zero(H);
		gsl_vector_set_zero(g);
		for (size_t c = aug ? 0 : 1; c < cells; c++) {
			double eta = gsl_vector_get(b, 0) + off[c];
			for (unsigned j = 0; j < k; j++)
				if (c >> j & 1u)
					eta += gsl_vector_get(b, j + 1);
			double mu = exp(eta), yc = c ? y[c] : n0;
			dv += dev_term(yc, mu);
			for (size_t a = 0; a < p; a++) {
				if (a && !(c >> (a - 1) & 1u))
					continue;
				*gsl_vector_ptr(g, a) += yc - mu;
				for (size_t e = 0; e < p; e++)
					if (!e || c >> (e - 1) & 1u)
						*gsl_matrix_ptr(H, a, e) += mu;
			}
		}
		if (!isfinite(dv))
			goto done;
		if (fabs(dev - dv) <= 1e-12 * (fabs(dv) + 1e-3)) {
			*dev_out = dv;
			*b0_out = gsl_vector_get(b, 0);
			rc = 0;
			break;
		}
		dev = dv;
		if (gsl_linalg_cholesky_decomp1(H) || gsl_linalg_cholesky_solve(H, g, d))
			goto done;
		gsl_vector_add(b, d);
	}
done:
	free(off);
	if (H)
		gsl_matrix_free(H);
	if (g)
		gsl_vector_free(g);
	if (d)
		gsl_vector_free(d);
	if (b)
		gsl_vector_free(b);
	return rc;
}

/* The multinomial profile log-likelihood of N (Cormack 1992), exact. */
static int profile_at(const struct kith_stats_table *t, double s2, double N, double *ll)
{
	double n = kith_stats_table_observed(t), n0 = N - n, dev, b0;
	int rc = fit_offset(t, s2, 1, n0, &dev, &b0);
	if (rc)
		return rc;
	*ll = -dev / 2 + (n0 > 0 ? n0 * log(n0) : 0) + lgamma(N + 1) - N * log(N) - lgamma(n0 + 1);
	return 0;
}

/* The upper profile limit of N at setting s2, from the estimate n_hat. */
static int upper_limit(const struct kith_stats_table *t, double s2, double n_hat, double level, double *hi)
{
	double crit = gsl_cdf_chisq_Pinv(level, 1) / 2, top, ll;
	int rc = profile_at(t, s2, n_hat, &top);
	if (rc)
		return rc;
	double a = n_hat, b = n_hat;
	for (int i = 0; i < 60; i++) {
		b = kith_stats_table_observed(t) + 2 * (b - kith_stats_table_observed(t)) + 1;
		if ((rc = profile_at(t, s2, b, &ll)))
			return rc;
		if (ll < top - crit)
			break;
		a = b;
		if (i == 59) {
			*hi = INFINITY;
			return 0;
		}
	}
	for (int i = 0; i < 60 && b - a > 0.01; i++) {
		double m = (a + b) / 2;
		if ((rc = profile_at(t, s2, m, &ll)))
			return rc;
		if (ll < top - crit)
			b = m;
		else
			a = m;
	}
	*hi = (a + b) / 2;
	return 0;
}

int kith_hetero_fit(const struct kith_stats_table *t, double v, double *n_hat, double *deviance,
		    struct kith_err *err)
{
	if (!(v >= 0 && v <= 2))
		return kith_err_set(err, KITH_E_INVALID, NULL, "heterogeneity setting not in [0, 2]");
	*n_hat = *deviance = NAN;
	double dev, b0;
	int rc = fit_offset(t, v * v, 0, 0, &dev, &b0);
	if (rc == KITH_E_NOMEM)
		return kith_err_set(err, rc, NULL, "out of memory");
	if (rc == 0) {
		*deviance = dev;
		*n_hat = kith_stats_table_observed(t) + exp(b0);
	}
	return KITH_OK;
}

/* The likelihood-ratio p-value of adding Darroch's column to M0 / Mt. */
static double lr_p(const struct kith_stats_table *t, enum kith_loglin_family base,
		   enum kith_loglin_family het)
{
	double dev[2];
	enum kith_loglin_family fam[2] = {base, het};
	for (int i = 0; i < 2; i++) {
		struct kith_loglin_spec s = {.family = fam[i], .het = i ? KITH_LOGLIN_HET_DARROCH : 0};
		struct kith_loglin *L = NULL;
		struct kith_loglin_result f;
		if (kith_loglin_new(&L, t, &s, NULL) || kith_loglin_fit(L, &f, NULL) || f.state) {
			kith_loglin_free(L);
			return NAN;
		}
		dev[i] = f.deviance;
		kith_loglin_free(L);
	}
	double x = dev[0] - dev[1];
	return x > 0 ? gsl_cdf_chisq_Q(x, 1) : 1.0;
}

int kith_hetero_analyse(const struct kith_stats_table *t, const struct kith_hetero_opts *opts,
			struct kith_hetero_result *res, struct kith_err *err)
{
	struct kith_hetero_opts o = {0};
	if (opts)
		o = *opts;
	if (o.v_max == 0)
		o.v_max = KITH_HETERO_VMAX;
	if (o.level == 0)
		o.level = 0.95;
	if (!(o.v_max > 0 && o.v_max <= 2) || !(o.level > 0 && o.level < 1))
		return kith_err_set(err, KITH_E_INVALID, NULL, "bad heterogeneity range or level");
	struct kith_hetero_result R;
	memset(&R, 0, sizeof R);
	double step =
	    o.v_max / (KITH_HETERO_MAX_GRID - 1) > 0.05 ? o.v_max / (KITH_HETERO_MAX_GRID - 1) : 0.05;
	double best = HUGE_VAL;
	for (double v = 0; v <= o.v_max + 1e-9 && R.n_grid < KITH_HETERO_MAX_GRID; v += step) {
		struct kith_hetero_setting *s = &R.grid[R.n_grid++];
		s->v = fmin(v, o.v_max);
		int rc = kith_hetero_fit(t, s->v, &s->n_hat, &s->deviance, err);
		if (rc)
			return rc;
		if (isfinite(s->deviance))
			best = fmin(best, s->deviance);
	}
	double crit = gsl_cdf_chisq_Pinv(o.level, 1);
	R.v_lo = R.v_hi = R.n_lo = R.n_hi = NAN;
	for (size_t i = 0; i < R.n_grid; i++) {
		struct kith_hetero_setting *s = &R.grid[i];
		s->ruled_out = !isfinite(s->deviance) || s->deviance > best + crit;
		if (s->ruled_out)
			continue;
		if (isnan(R.v_lo))
			R.v_lo = s->v, R.n_lo = s->n_hat;
		R.v_hi = s->v;
		R.n_lo = fmin(R.n_lo, s->n_hat);
		R.n_hi = isnan(R.n_hi) ? s->n_hat : fmax(R.n_hi, s->n_hat);
	}
	R.upper = NAN;
	if (!isnan(R.v_hi)) {
		int rc = upper_limit(t, R.v_hi * R.v_hi, R.n_hi, o.level, &R.upper);
		if (rc == KITH_E_NOMEM)
			return kith_err_set(err, rc, NULL, "out of memory");
		if (rc)
			R.upper = NAN;
	}
	R.p_mh = R.p_mth = NAN;
	if (kith_stats_table_lists(t) >= 3) {
		R.p_mh = lr_p(t, KITH_LOGLIN_M0, KITH_LOGLIN_MH);
		R.p_mth = lr_p(t, KITH_LOGLIN_MT, KITH_LOGLIN_MTH);
	}
	int zero_out = R.n_grid == 0 || R.grid[0].ruled_out;
	int max_out = R.n_grid == 0 || R.grid[R.n_grid - 1].ruled_out;
	if (zero_out || R.p_mth < 1 - o.level)
		R.verdict = KITH_HETERO_SHOWN;
	else if (!max_out)
		R.verdict = KITH_HETERO_CANNOT_TELL;
	else
		R.verdict = KITH_HETERO_SMALL;
	*res = R;
	return KITH_OK;
}

void kith_hetero_words(const struct kith_hetero_result *r, const char *lang, char *buf, size_t size)
{
	int ko = lang && strcmp(lang, "ko") == 0;
	double vmax = r->n_grid ? r->grid[r->n_grid - 1].v : KITH_HETERO_VMAX;
	char up[48];
	kith_summary_round(r->upper, 0, lang, up, sizeof up);
	switch (r->verdict) {
	case KITH_HETERO_SHOWN:
		snprintf(
		    buf, size,
		    ko ? "명단들은 어떤 사람들이 다른 사람들보다 기록되기 어렵다는 것을 보여 줍니다. 이를 "
			 "무시하는 모형은 너무 적게 셉니다(개인 차이를 넣은 Mt 모형으로는 %s명까지)."
		       : "The lists show that some people are harder to reach than others: models that "
			 "ignore it count too few (Mt with a person effect allows up to %s).",
		    up);
		break;
	case KITH_HETERO_CANNOT_TELL:
		snprintf(
		    buf, size,
		    ko ? "명단들로는 어떤 사람들이 다른 사람들보다 기록되기 어려운지 알 수 없습니다. 찾기 "
			 "쉬운 "
			 "사람과 어려운 사람의 기록될 가능성이 %.1f배까지 다르다면 전체는 %s명까지일 수 "
			 "있습니다."
		       : "The lists cannot tell whether some people are harder to reach than others. If the "
			 "easier and the harder to reach differ by up to %.1f times in their odds of being "
			 "recorded, the total could be as high as %s.",
		    exp(2 * vmax), up);
		break;
	default:
		snprintf(
		    buf, size,
		    ko ? "명단들은 사람들 사이의 큰 차이(기록될 가능성 %.1f배 이상)를 배제합니다. 자료가 "
			 "허용하는 최대는 %s명입니다."
		       : "The lists rule out large differences between people (above %.1f times in their "
			 "odds of being recorded); they allow up to %s.",
		    exp(2 * r->v_hi), up);
		break;
	}
}
