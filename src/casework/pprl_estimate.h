/*
 * pprl_estimate — the joint estimate of `kith pprl link --estimate` (and of
 * the web API to come): multiple systems estimation on the table of the
 * decided linkage, then on resampled linkages, so that the interval carries
 * the linkage's own uncertainty.
 *
 * Each draw links every candidate pair that is not a rival with its
 * posterior probability (pprl/match.h kith_pprl_draw), forms the persons
 * again, rebuilds the table and fits the log-linear panel (no bootstrap, no
 * latent classes); the BIC-selected estimate and its profile interval are
 * kept. The interval "with the linkage's uncertainty" is the 2.5% and 97.5%
 * points of the pooled draws' intervals (each a split normal on the log
 * scale through its interval), its point the median of the draws.
 *
 * Ownership: every input is borrowed; *point is caller-owned
 * (kith_estimate_free).
 */
#ifndef KITH_CASEWORK_PPRL_ESTIMATE_H
#define KITH_CASEWORK_PPRL_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "pprl/match.h"
#include "stats/estimate.h"

struct kith_pprl_joint {
	char model[64];		 /* the BIC-selected model of the decided linkage ("none") */
	double n_hat, lo, hi;	 /* its estimate and interval (hi +inf when unbounded; NaN: none) */
	size_t draws;		 /* draws that gave an estimate */
	double n_hat_draws;	 /* median over the draws */
	double lo_link, hi_link; /* the pooled interval with the linkage's uncertainty */
};

/*
 * Runs the full estimate on counts[0 .. 2^k) of lists names[0 .. k) (*point:
 * the panel, as `kith estimate` prints it) and `draws` resampled linkages of
 * r (filters f and sources as given to kith_pprl_link). progress (may be
 * NULL) is called after each draw. KITH_OK, KITH_E_INVALID (a bad table),
 * KITH_E_NOMEM, KITH_E_INTERNAL; outputs set only on success.
 */
int kith_pprl_joint_estimate(const struct kith_pprl_result *r, const uint64_t *f, const uint32_t *source,
			     const char *const *names, unsigned k, const double *counts, size_t draws,
			     uint64_t seed, struct kith_estimate_result **point, struct kith_pprl_joint *out,
			     void (*progress)(size_t done, size_t total, void *arg), void *arg,
			     struct kith_err *err) KITH_WUR;

#endif
