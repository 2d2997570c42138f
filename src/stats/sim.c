/*
 * sim — capture tables with individual heterogeneity (see sim.h).
 */
#include "stats/sim.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

int kith_stats_sim_het(const struct kith_stats_sim_opts *opts, struct kith_stats_table **out, size_t *unseen,
		       struct kith_err *err)
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
	size_t cells = (size_t)1 << k;
	double *counts = calloc(cells, sizeof *counts);
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
		double u = o.factor_lo + width * gsl_rng_uniform(r);
		uint32_t pat = 0;
		for (unsigned j = 0; j < k; j++)
			if (gsl_rng_uniform(r) < fmin(1.0, p[j] * u))
				pat |= 1u << j;
		counts[pat] += 1;
	}
	gsl_rng_free(r);
	size_t miss = (size_t)counts[0];
	counts[0] = 0;
	int rc = miss == o.people ? kith_err_set(err, KITH_E_INVALID, NULL, "nobody was observed")
				  : kith_stats_table_new(out, k, NULL, counts, err);
	free(counts);
	if (rc == KITH_OK && unseen)
		*unseen = miss;
	return rc;
}
