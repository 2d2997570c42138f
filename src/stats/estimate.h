/*
 * estimate — the whole multiple systems estimation of one table in one call:
 * a panel of every defensible model and how far they disagree.
 *
 * The panel: Rcapture's models (M0, Mt, Mh and Mth with Chao, Poisson2,
 * Darroch and Gamma3.5 heterogeneity) with profile intervals; the hierarchical
 * log-linear models ranked best by BIC and by AIC (the top few of each, or all
 * of them) with profile intervals; the model of all two-list interactions; the
 * stepwise model of Chan, Silverman & Vincent (2021) with its BCa bootstrap
 * interval (the bootstrap re-runs the selection); and the latent-class model of
 * Manrique-Vallier (2016) with its posterior interval. Every model is checked
 * for existence and identifiability first: those that fail carry a status and
 * no number.
 *
 * Selected: the BIC and AIC choices among hierarchical models, the stepwise
 * model and the latent-class model. Sensitivity: the lowest and the highest
 * estimate among the defensible models, which are the four selected ones
 * (unless a warning, such as chains that disagree, disqualifies one) and every
 * panel model that is "ok" with an AIC or BIC within `delta` (2) of the best
 * log-linear model by that criterion.
 *
 * Plausible range: the sensitivity widened by what the data cannot rule out
 * (see hetero.h): Chao's lower bound below, and above the upper limit of the
 * model with the strongest individual heterogeneity in capture that the lists
 * do not rule out, with a verdict in words (shown, cannot tell, small).
 *
 * Ownership: a result is opaque-free plain data owned by the caller; free it
 * with kith_estimate_free. It copies the list names; it keeps no pointer to
 * the table.
 */
#ifndef KITH_STATS_ESTIMATE_H
#define KITH_STATS_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "stats/hetero.h"
#include "stats/interval.h"
#include "stats/lcm.h"
#include "stats/table.h"

struct kith_estimate_opts {
	unsigned max_order;	  /* hierarchical models; 0 means k - 1 for k <= 5, 2 up to 11, else 1 */
	int all_models;		  /* nonzero: every hierarchical model in the panel */
	size_t top;		  /* hierarchical models per criterion in the panel; 0 means 5 */
	double pthresh;		  /* stepwise threshold; 0 means 0.02 */
	size_t boot;		  /* bootstrap replicates; 0 means 1000 */
	int no_boot;		  /* nonzero: no bootstrap (the stepwise model gets a profile interval) */
	int no_lcm;		  /* nonzero: no latent-class model */
	uint64_t seed;		  /* bootstrap and sampler seed */
	unsigned threads;	  /* 0 means one per online processor */
	double level;		  /* 0 means 0.95 */
	double delta;		  /* defensible window in AIC/BIC units; 0 means 2 */
	int no_hetero;		  /* nonzero: no heterogeneity analysis (the range is the sensitivity) */
	double hetero_vmax;	  /* largest person heterogeneity tried (sd of log-odds); 0 means 0.5 */
	struct kith_lcm_opts lcm; /* classes, iter, burnin, thin, chains (zero: defaults); seed,
				     threads and level are taken from above */
	/* the latent-class model with a covariate (lcm.h, kith_lcm_estimate_strata):
	 * the tables of the strata of the table being estimated (the same lists),
	 * their names and the covariate's name; with 2 strata or more and no_lcm
	 * unset it is a row of the panel ("LCM K=10 by FIELD") and selected like
	 * the plain one. The pointers are borrowed for the call. */
	const struct kith_stats_table *const *strata;
	const char *const *strata_names;
	size_t n_strata;
	const char *covariate;
	/* progress: stage is "models", "bootstrap" or "latent classes"; calling thread only */
	void (*progress)(void *pctx, const char *stage, size_t done, size_t total);
	void *pctx;
};

enum kith_estimate_status {
	KITH_ESTIMATE_OK = 0,
	KITH_ESTIMATE_NO_MLE,
	KITH_ESTIMATE_NOT_IDENTIFIABLE,
	KITH_ESTIMATE_WARNING,
};

/* One model of the panel. Numbers that do not apply are NaN. */
struct kith_estimate_row {
	char *name;	    /* Rcapture notation ("Mth Chao", "[12,13,3]") or "LCM K=10" */
	const char *method; /* "rcapture", "hierarchical", "stepwise", "lcm" (static) */
	double n_hat, se, deviance, df, aic, bic;
	double lo, hi;	     /* interval; hi is +inf when unbounded */
	const char *ci_kind; /* "profile", "bca", "posterior", or NULL (static) */
	int status;	     /* enum kith_estimate_status */
	char note[160];	     /* why a warning, or how a model was treated */
	int defensible;
};

#define KITH_ESTIMATE_NONE ((size_t)-1)

struct kith_estimate_result {
	unsigned k;
	char **lists; /* k names */
	double observed;
	struct kith_estimate_row *rows;
	size_t n_rows;
	size_t sel_bic, sel_aic, sel_stepwise, sel_lcm; /* rows, or KITH_ESTIMATE_NONE */
	size_t lowest, highest;				/* sensitivity, or KITH_ESTIMATE_NONE */
	/* what was run */
	unsigned max_order;
	int exhaustive;
	size_t models_fitted;
	double level;
	int boot_run;
	size_t boot_replicates;
	uint64_t seed;
	struct kith_boot_result boot; /* reps not kept */
	int lcm_run;
	struct kith_lcm_result lcm;
	/* the latent-class model with the covariate (opts.strata): its posterior
	 * of the total, and of each stratum (n_cov_strata entries, owned) */
	int lcm_cov_run;
	size_t sel_lcm_cov; /* its row, or KITH_ESTIMATE_NONE */
	struct kith_lcm_result lcm_cov;
	struct kith_lcm_stratum *cov_strata;
	char **cov_names;
	size_t n_cov_strata;
	char covariate[64];
	/* heterogeneity and the plausible range: from the lowest defensible
	 * estimate or Chao's lower bound (Mth Chao, else Mh Chao) to the highest
	 * defensible estimate or the upper limit of Mt with the strongest person
	 * heterogeneity the lists do not rule out (hetero.h), whichever is further */
	int hetero_run;
	struct kith_hetero_result hetero;
	double range_lo, range_hi; /* NaN when nothing could be estimated */
	char range_lo_from[64], range_hi_from[96];
	double elapsed; /* seconds */
};

/*
 * Runs everything on t. Returns KITH_OK; KITH_E_INVALID (bad options);
 * KITH_E_NOMEM; KITH_E_INTERNAL. A model or method that fails on this table
 * is a row with a status, not an error. *out is set only on success.
 */
int kith_estimate_run(const struct kith_stats_table *t, const struct kith_estimate_opts *o,
		      struct kith_estimate_result **out, struct kith_err *err) KITH_WUR;

void kith_estimate_free(struct kith_estimate_result *r);

/* A status's name: "ok", "no-mle", "not-identifiable", "warning". */
const char *kith_estimate_status_name(int status);

/* The result as JSON (lists, observed, models, selected, sensitivity,
 * settings); *out is a new reference (json_decref it). KITH_OK or KITH_E_NOMEM. */
int kith_estimate_json(const struct kith_estimate_result *r, json_t **out, struct kith_err *err) KITH_WUR;

/* The result as a readable table appended to out. KITH_OK or KITH_E_NOMEM. */
int kith_estimate_text(const struct kith_estimate_result *r, struct kith_sbuf *out,
		       struct kith_err *err) KITH_WUR;

/* The panel as an SVG chart appended to out (title borrowed). KITH_OK or KITH_E_NOMEM. */
int kith_estimate_svg(const struct kith_estimate_result *r, const char *title, struct kith_sbuf *out,
		      struct kith_err *err) KITH_WUR;

#endif
