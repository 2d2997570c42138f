/*
 * hetero — individual heterogeneity in capture: what the lists can and cannot
 * tell about it, and how far it could move the estimate.
 *
 * When people differ in how easy they are to reach (a person-level effect
 * that raises or lowers every list's chance of recording them), people on one
 * list are more likely to be on the others, and every model that does not
 * allow for it counts too few. Four or five lists carry little information on
 * how much people differ, so the data often cannot tell no heterogeneity from
 * a strong one.
 *
 * kith_hetero_analyse fits, for a grid of settings v = 0, 0.05, ..., v_max,
 * the model Mt with a person effect e ~ Normal(0, v^2) on the log-odds of
 * being recorded, entered as Darroch's quasi-symmetric term with a fixed
 * coefficient (log E[e^(c e)] = v^2 c^2 / 2 for a pattern on c lists;
 * Darroch et al. 1993), and marks a setting "ruled out" when its deviance
 * exceeds the lowest of the grid by more than the chi-square(1) quantile at
 * the level (a likelihood-ratio test over v). It gives the upper
 * profile-likelihood limit of N (Cormack 1992, exact log-factorials) under the
 * strongest setting not ruled out: the largest N the lists cannot rule out.
 * It also compares M0 with Mh and Mt with Mth (likelihood-ratio tests of
 * Darroch's column with a free coefficient) and says in words which of three
 * cases holds: heterogeneity shown, the data cannot tell, or strong
 * heterogeneity ruled out. v_max = 0.5 is an assumption, stated in the
 * words: people one standard deviation above and below differ by a factor of
 * e^(2 v) = 2.7 in the odds of being recorded.
 *
 * Ownership: the result is a plain value; nothing is kept.
 */
#ifndef KITH_STATS_HETERO_H
#define KITH_STATS_HETERO_H

#include <stddef.h>

#include "base/status.h"
#include "stats/table.h"

#define KITH_HETERO_MAX_GRID 41u
/* The default largest heterogeneity considered: a standard deviation of 0.5
 * in the log-odds of being recorded. */
#define KITH_HETERO_VMAX 0.5

struct kith_hetero_opts {
	double v_max; /* largest sd of the person effect tried; 0 means 0.5; at most 2 */
	double level; /* of the likelihood-ratio tests; 0 means 0.95 */
};

enum kith_hetero_verdict {
	KITH_HETERO_SHOWN = 0,	 /* v = 0 is ruled out: people differ in reachability */
	KITH_HETERO_CANNOT_TELL, /* neither v = 0 nor v = v_max is ruled out */
	KITH_HETERO_SMALL,	 /* v = 0 is not ruled out, v = v_max is */
};

struct kith_hetero_setting {
	double v;	 /* sd of the person effect on the log-odds of being recorded */
	double n_hat;	 /* NaN when the fit failed */
	double deviance; /* Poisson deviance of the fit */
	int ruled_out;	 /* deviance above the best by more than the chi-square quantile */
};

struct kith_hetero_result {
	struct kith_hetero_setting grid[KITH_HETERO_MAX_GRID];
	size_t n_grid;
	double v_lo, v_hi;  /* the settings not ruled out (NaN when none could be fitted) */
	double n_lo, n_hi;  /* the estimates under them */
	double upper;	    /* the upper profile limit (at the level) of N under v_hi: the
			       largest N the lists cannot rule out; +inf when unbounded */
	double p_mh, p_mth; /* likelihood-ratio p-values: M0 vs Mh Darroch, Mt vs Mth Darroch */
	int verdict;	    /* enum kith_hetero_verdict */
};

/*
 * Analyses table t (at least 2 lists; the Mh/Mth tests need 3 and are NaN
 * otherwise). Returns KITH_OK; KITH_E_INVALID (bad options); KITH_E_NOMEM.
 * *res is written only on success.
 */
int kith_hetero_analyse(const struct kith_stats_table *t, const struct kith_hetero_opts *o,
			struct kith_hetero_result *res, struct kith_err *err) KITH_WUR;

/*
 * Fits Mt with a person effect of sd v (0 <= v <= 2) on the log-odds, as a
 * fixed offset. *n_hat and *deviance are NaN when the fit fails. KITH_OK,
 * KITH_E_INVALID (v out of [0, 2]), KITH_E_NOMEM.
 */
int kith_hetero_fit(const struct kith_stats_table *t, double v, double *n_hat, double *deviance,
		    struct kith_err *err) KITH_WUR;

/* The verdict in one sentence, in English ("en") or Korean ("ko"), into buf
 * (truncated to size, always terminated). */
void kith_hetero_words(const struct kith_hetero_result *r, const char *lang, char *buf, size_t size);

#endif
