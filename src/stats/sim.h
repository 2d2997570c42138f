/*
 * sim — simulated capture tables for checking estimators against a known truth.
 *
 * kith_stats_sim_het draws a closed population of N people and k lists. Person
 * i has a capture factor u_i drawn uniformly from [factor_lo, factor_hi]; list
 * j records person i independently with probability min(1, p_j u_i). The
 * same u_i acts on every list, so people who are easy to reach are on many
 * lists: individual heterogeneity in capture (Otis et al.'s model Mh, or Mth
 * when the p_j differ), the case under which log-linear models without
 * heterogeneity terms underestimate N. The result is the 2^k table of capture
 * patterns (counts[0], the people on no list, is returned separately as the
 * truth the estimators must find).
 *
 * Deterministic for a seed (GSL's Mersenne Twister). No state is kept.
 */
#ifndef KITH_STATS_SIM_H
#define KITH_STATS_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "stats/table.h"

/* Defaults of struct kith_stats_sim_opts (a zero field means its default). */
#define KITH_STATS_SIM_PEOPLE 3000u
#define KITH_STATS_SIM_LISTS 4u
#define KITH_STATS_SIM_FACTOR_LO 0.4
#define KITH_STATS_SIM_FACTOR_HI 1.6

struct kith_stats_sim_opts {
	size_t people;	  /* N; 0 means 3,000; at most 10^8 */
	unsigned lists;	  /* k; 0 means 4; 2..16 */
	const double *p;  /* k base probabilities in (0, 1]; NULL means 0.10, 0.15, 0.20, ... (+0.05) */
	double factor_lo; /* person factor range; both 0 means [0.4, 1.6] */
	double factor_hi;
	uint64_t seed;
};

/*
 * Draws one population and its lists and makes the table of the observed
 * (lists named A, B, ...). *unseen gets the number of people on no list (may
 * be NULL). Returns KITH_OK; KITH_E_INVALID (bad sizes, probabilities or
 * factor range, or nobody observed); KITH_E_NOMEM. *out is set only on
 * success; free it with kith_stats_table_free.
 */
int kith_stats_sim_het(const struct kith_stats_sim_opts *o, struct kith_stats_table **out, size_t *unseen,
		       struct kith_err *err) KITH_WUR;

/*
 * The same population with a categorical covariate that drives capture:
 * person i also falls in one of n_strata strata (uniformly at random), and
 * list j records them with probability min(1, p_j u_i mult[s]). out[s] gets
 * the table of stratum s (NULL when nobody in it was observed) and unseen[s]
 * its people on no list (may be NULL). n_strata 1..64, mult > 0. Returns
 * KITH_OK; KITH_E_INVALID; KITH_E_NOMEM. On failure nothing is set.
 */
int kith_stats_sim_strata(const struct kith_stats_sim_opts *o, size_t n_strata, const double *mult,
			  struct kith_stats_table **out, size_t *unseen, struct kith_err *err) KITH_WUR;

#endif
