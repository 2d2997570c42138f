/*
 * sim — capture tables with individual heterogeneity (see sim.h).
 */
#include "stats/sim.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

static int sim(const struct kith_stats_sim_opts *opts, size_t ns, const double *mult,
	       struct kith_stats_table **out, size_t *unseen, struct kith_err *err)
{
	struct kith_stats_sim_opts o = {0};
	if (opts)
		o = *opts;
	if (o.people == 0)
		o.people = KITH_STATS_SIM_PEOPLE;
	if (o.lists == 0)
		o.lists = KITH_STATS_SIM_LISTS;
	if (o.factor_lo == 0 && o.factor_hi == 0) {
		o.factor_lo = KITH_STATS_SIM_FACTOR_LO;
		o.factor_hi = KITH_STATS_SIM_FACTOR_HI;
	}
	if (o.lists < KITH_STATS_MIN_LISTS || o.lists > KITH_STATS_MAX_LISTS || o.people > 100000000u)
		return kith_err_set(err, KITH_E_INVALID, NULL, "people must be at most 10^8 and lists 2..16");
	if (!(o.factor_lo >= 0 && o.factor_hi >= o.factor_lo && isfinite(o.factor_hi)))
		return kith_err_set(err, KITH_E_INVALID, NULL, "bad person factor range");
	unsigned k = o.lists;
	double p[KITH_STATS_MAX_LISTS];
	for (unsigned j = 0; j < k; j++) {
		p[j] = o.p ? o.p[j] : 0.10 + 0.05 * j;
		if (!(p[j] > 0 && p[j] <= 1))
			return kith_err_set(err, KITH_E_INVALID, NULL, "list %u: probability not in (0, 1]",
					    j + 1);
	}
	if (ns < 1 || ns > 64)
		return kith_err_set(err, KITH_E_INVALID, NULL, "1..64 strata");
	for (size_t q = 0; mult && q < ns; q++)
		if (!(mult[q] > 0 && isfinite(mult[q])))
			return kith_err_set(err, KITH_E_INVALID, NULL, "stratum %zu: bad multiplier", q + 1);
	size_t cells = (size_t)1 << k;
	double *counts = calloc(cells * ns, sizeof *counts);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!counts || !r) {
		free(counts);
		if (r)
			gsl_rng_free(r);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	gsl_rng_set(r, (unsigned long)(o.seed ^ (o.seed >> 32)));
	double width = o.factor_hi - o.factor_lo;
	for (size_t i = 0; i < o.people; i++) {
		size_t q = ns > 1 ? (size_t)gsl_rng_uniform_int(r, (unsigned long)ns) : 0;
		double u = (o.factor_lo + width * gsl_rng_uniform(r)) * (mult ? mult[q] : 1.0);
		uint32_t pat = 0;
		for (unsigned j = 0; j < k; j++)
			if (gsl_rng_uniform(r) < fmin(1.0, p[j] * u))
				pat |= 1u << j;
		counts[q * cells + pat] += 1;
	}
	gsl_rng_free(r);
	size_t miss_all = 0;
	for (size_t q = 0; q < ns; q++)
		miss_all += (size_t)counts[q * cells];
	int rc =
	    miss_all == o.people ? kith_err_set(err, KITH_E_INVALID, NULL, "nobody was observed") : KITH_OK;
	for (size_t q = 0; q < ns; q++)
		out[q] = NULL;
	for (size_t q = 0; !rc && q < ns; q++) {
		double *c = counts + q * cells, seen = 0;
		size_t miss = (size_t)c[0];
		c[0] = 0;
		for (size_t x = 1; x < cells; x++)
			seen += c[x];
		if (seen > 0)
			rc = kith_stats_table_new(&out[q], k, NULL, c, err);
		if (unseen)
			unseen[q] = miss;
	}
	if (rc)
		for (size_t q = 0; q < ns; q++) {
			kith_stats_table_free(out[q]);
			out[q] = NULL;
		}
	free(counts);
	return rc;
}

int kith_stats_sim_het(const struct kith_stats_sim_opts *opts, struct kith_stats_table **out, size_t *unseen,
		       struct kith_err *err)
{
	return sim(opts, 1, NULL, out, unseen, err);
}

int kith_stats_sim_strata(const struct kith_stats_sim_opts *o, size_t n_strata, const double *mult,
			  struct kith_stats_table **out, size_t *unseen, struct kith_err *err)
{
	return sim(o, n_strata, mult, out, unseen, err);
}
