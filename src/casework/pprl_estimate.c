/*
 * pprl_estimate — the joint estimate with the linkage's uncertainty (see
 * pprl_estimate.h).
 */
#include "casework/pprl_estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/table.h"

#define PER_DRAW 400 /* points drawn from each draw's interval */

static const struct kith_estimate_row *selected(const struct kith_estimate_result *r)
{
	if (r->sel_bic != KITH_ESTIMATE_NONE)
		return &r->rows[r->sel_bic];
	for (size_t i = 0; i < r->n_rows; i++)
		if (r->rows[i].status == KITH_ESTIMATE_OK)
			return &r->rows[i];
	return NULL;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

int kith_pprl_joint_estimate(const struct kith_pprl_result *r, const uint64_t *f, const uint32_t *source,
			     const char *const *names, unsigned k, const double *counts, size_t draws,
			     uint64_t seed, struct kith_estimate_result **point, struct kith_pprl_joint *out,
			     void (*progress)(size_t done, size_t total, void *arg), void *arg,
			     struct kith_err *err)
{
	struct kith_pprl_joint j;
	memset(&j, 0, sizeof j);
	struct kith_stats_table *t = NULL;
	struct kith_estimate_result *res = NULL;
	struct kith_estimate_opts eo;
	memset(&eo, 0, sizeof eo);
	eo.seed = seed;
	int rc = kith_stats_table_new(&t, k, names, counts, err);
	if (!rc)
		rc = kith_estimate_run(t, &eo, &res, err);
	kith_stats_table_free(t);
	if (rc)
		return rc;
	const struct kith_estimate_row *sel0 = selected(res);
	j.n_hat = sel0 ? sel0->n_hat : NAN;
	j.lo = sel0 ? sel0->lo : NAN;
	j.hi = sel0 ? sel0->hi : NAN;
	snprintf(j.model, sizeof j.model, "%s", sel0 ? sel0->name : "none");

	double *pool = malloc((draws * PER_DRAW + 1) * sizeof *pool);
	double *nh = malloc((draws + 1) * sizeof *nh);
	uint32_t *cl = malloc((r->n ? r->n : 1) * sizeof *cl);
	double *cnt = malloc(((size_t)1 << k) * sizeof *cnt);
	if (!pool || !nh || !cl || !cnt) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	size_t np = 0;
	int unbounded = 0;
	uint64_t rs = seed ^ 0xD1CEu;
	for (size_t d = 0; d < draws; d++) {
		size_t ncl = 0;
		rc = kith_pprl_draw(r, f, source, seed + d + 1, cl, &ncl, err);
		if (rc)
			goto out;
		kith_pprl_patterns(cl, ncl, source, r->n, k, cnt);
		struct kith_estimate_opts o2;
		memset(&o2, 0, sizeof o2);
		o2.no_boot = 1;
		o2.no_lcm = 1;
		o2.top = 1;
		o2.seed = seed + d;
		struct kith_stats_table *t2 = NULL;
		struct kith_estimate_result *r2 = NULL;
		struct kith_err e2;
		kith_err_clear(&e2);
		/* a draw whose table cannot be estimated (a list left empty) gives no point */
		if (kith_stats_table_new(&t2, k, names, cnt, &e2) || kith_estimate_run(t2, &o2, &r2, &e2)) {
			kith_stats_table_free(t2);
			if (progress)
				progress(d + 1, draws, arg);
			continue;
		}
		kith_stats_table_free(t2);
		const struct kith_estimate_row *s = selected(r2);
		if (s && isfinite(s->n_hat) && s->n_hat > 0 && s->lo > 0) {
			nh[j.draws++] = s->n_hat;
			if (!isfinite(s->hi))
				unbounded = 1;
			double m = log(s->n_hat), sl = (m - log(s->lo)) / 1.959964,
			       sh = isfinite(s->hi) ? (log(s->hi) - m) / 1.959964 : sl;
			for (size_t i = 0; i < PER_DRAW; i++) {
				/* a split normal on the log scale through the draw's interval */
				double u1 = ((double)(splitmix(&rs) >> 11) + 0.5) * 0x1.0p-53;
				double u2 = ((double)(splitmix(&rs) >> 11) + 0.5) * 0x1.0p-53;
				double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
				pool[np++] = exp(m + z * (z < 0 ? sl : sh));
			}
		}
		kith_estimate_free(r2);
		if (progress)
			progress(d + 1, draws, arg);
	}
	j.n_hat_draws = j.lo_link = j.hi_link = NAN;
	if (j.draws) {
		qsort(nh, j.draws, sizeof *nh, cmp_d);
		j.n_hat_draws = nh[j.draws / 2];
		qsort(pool, np, sizeof *pool, cmp_d);
		j.lo_link = pool[(size_t)(0.025 * (double)(np - 1))];
		j.hi_link = unbounded ? INFINITY : pool[(size_t)(0.975 * (double)(np - 1))];
	}
	*point = res;
	res = NULL;
	*out = j;
out:
	kith_estimate_free(res);
	free(pool);
	free(nh);
	free(cl);
	free(cnt);
	return rc;
}
