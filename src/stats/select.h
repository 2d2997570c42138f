/*
 * select — choosing among log-linear models: every hierarchical model up to a
 * maximum interaction order ranked by AIC and BIC, and the stepwise method of
 * Chan, Silverman & Vincent (2021) as SparseMSE's estimatepopulation does it.
 *
 * Hierarchical enumeration: all models that contain every main effect and a
 * set of interactions of order 2..max_order closed under taking subsets (the
 * 8 models of Rcapture's closedpMS for 3 lists and order 2, 113 for 4 lists
 * and order 3, 7,580 for 5 lists and order 4). Each model is checked first
 * (kith_loglin_check): a model whose MLE does not exist or that is not
 * identifiable is kept with that state and never ranked. The ranking is over
 * models that are OK and whose asymptotic bias is below 10% of the estimate
 * (the models Rcapture fits "without warning"), and whose existence was
 * decided. With 12 or more lists (4,095 cells and more) the default order is 1:
 * every fit then touches tens of thousands of cells. When the number of models
 * exceeds the exhaustive limit (65,536 by default: all of them for k <= 5,
 * pairwise models for k = 6), a search is run instead: from main effects, the
 * single term added or removed (keeping the hierarchy) that lowers the
 * criterion most is taken until none does, once for BIC and once for AIC; the
 * models it visits are the ones reported.
 *
 * Stepwise (SparseMSE 2.0.1, stepwisefit): start from main effects; at each
 * step, for every two-list term not yet in, the statistic is the number of
 * people on both lists, whose Poisson mean under the current model is the sum
 * of the fitted cells on both lists; its p-value is min(P(X <= n*), P(X >= n*)).
 * A candidate whose model fails the existence/identifiability check gets p = 1.
 * The lowest p-value (first in list order on ties) enters if below the
 * threshold (0.02), else the search stops. Two lists that never overlap
 * enter as a structural zero (KITH_LOGLIN_SPARSE).
 *
 * Ownership: results own their arrays; release them with the named function.
 */
#ifndef KITH_STATS_SELECT_H
#define KITH_STATS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "stats/interval.h"
#include "stats/loglin.h"
#include "stats/table.h"

#define KITH_SELECT_MAX_EXHAUSTIVE 65536u

struct kith_select_opts {
	unsigned max_order; /* 0 means k - 1 for k <= 5, 2 for 6 to 11 lists, 1 beyond */
	size_t max_models;  /* exhaustive limit; 0 means KITH_SELECT_MAX_EXHAUSTIVE */
	unsigned threads;   /* 0 means one per online processor */
	int intervals;	    /* nonzero: a profile interval for every model that is OK */
	double level;	    /* of those intervals; 0 means 0.95 */
	void (*progress)(void *pctx, size_t done, size_t total); /* calling thread only; may be NULL */
	void *pctx;
};

struct kith_select_model {
	uint32_t *terms; /* the interaction terms (closed under subsets), design order */
	size_t n_terms;
	char *name; /* Rcapture notation */
	struct kith_loglin_result fit;
	int state;	  /* enum kith_loglin_state (also set when no fit was tried) */
	int bias_warning; /* |bias| > 10% of the estimate */
	int unchecked;	  /* existence not decided (kith_loglin_unchecked) */
	int has_ci;
	struct kith_interval ci; /* with opts.intervals, when has_ci */
};

struct kith_select_result {
	struct kith_select_model *models;
	size_t n_models;
	size_t best_aic, best_bic; /* indices into models, or SIZE_MAX when none qualifies */
	int exhaustive;		   /* 1: every model up to max_order; 0: the search's models */
	unsigned max_order;
	size_t fits; /* log-linear fits run (models, not counting intervals) */
};

/*
 * Fits every hierarchical model of t up to the maximum order (or searches, see
 * above) and ranks them. Returns KITH_OK; KITH_E_INVALID (max_order not in
 * 1..k-1); KITH_E_NOMEM; KITH_E_INTERNAL (a thread could not start, or a
 * check failed). *res is written only on success; release it with
 * kith_select_result_release.
 */
int kith_select_hierarchical(const struct kith_stats_table *t, const struct kith_select_opts *o,
			     struct kith_select_result *res, struct kith_err *err) KITH_WUR;

void kith_select_result_release(struct kith_select_result *res);

/* The number of hierarchical models of k lists up to max_order, counting stops
 * at `limit` + 1. */
size_t kith_select_count(unsigned k, unsigned max_order, size_t limit);

struct kith_select_stepwise {
	uint32_t pairs[KITH_STATS_MAX_LISTS * (KITH_STATS_MAX_LISTS - 1) / 2]; /* in order of entry */
	size_t n_pairs;
	char name[1024]; /* e.g. "[45,1,2,3,6,7,8]"; pairs as structural zeros included */
	struct kith_loglin_result fit;
	unsigned steps;
};

/*
 * SparseMSE's stepwise selection with threshold pthresh (0 means 0.02) and its
 * fit. Returns KITH_OK (out->fit.state tells whether the final fit
 * converged), KITH_E_INVALID (pthresh not in (0, 1)), KITH_E_NOMEM,
 * KITH_E_INTERNAL.
 */
int kith_select_stepwise(const struct kith_stats_table *t, double pthresh, struct kith_select_stepwise *out,
			 struct kith_err *err) KITH_WUR;

/* A kith_interval_estimator running the stepwise selection; ctx points to a
 * double holding pthresh (or is NULL for 0.02). A table in which no one is
 * on two lists has an infinite estimate (+inf). */
int kith_select_stepwise_estimator(const struct kith_stats_table *t, void *ctx, double *n_hat);

#endif
