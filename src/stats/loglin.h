/*
 * loglin — log-linear models of a capture table: the Poisson GLM on the 2^k - 1
 * observable cells, the estimate N = n + exp(intercept), the existence and
 * identifiability of the maximum likelihood estimate, and the multinomial
 * profile likelihood that interval.h turns into confidence intervals.
 *
 * Models (the parametrisations of Rcapture, Baillargeon & Rivest 2007):
 *   M0       intercept + number of captures of the pattern
 *   Mt       intercept + one main effect per list
 *   Mh, Mth  M0 / Mt + heterogeneity columns in the number of captures c:
 *            Chao (lower bound): max(c - j + 1, 0) for j = 3..k, with negative
 *              coefficients set to 0 (the column is dropped and the model refit,
 *              first negative first, as Rcapture does);
 *            Poisson(theta): theta^c - 1 (theta = 2 gives "Poisson2");
 *            Darroch: c^2 / 2;
 *            Gamma(theta): log(theta) - log(theta + c) (theta = 3.5).
 *   hierarchical: main effects + every interaction term of a set closed under
 *            taking subsets, named in Rcapture's notation "[123,14,34]" (the
 *            maximal terms, highest order first, lists numbered 1..k in
 *            column order; with 10 or more lists the numbers of a term are
 *            separated by '.', as in "[1.10,2]").
 *
 * Existence (Fienberg & Rinaldo 2012; Haberman 1974): the MLE exists iff some
 * strictly positive vector x has the observed sufficient statistics X'x = X'y.
 * kith_loglin_check decides it exactly with a linear program (a small simplex)
 * after reducing it to the cells with zero counts, and checks the rank of the
 * design (identifiability). The SPARSE flag gives SparseMSE's extended MLE
 * (Chan, Silverman & Vincent 2021): a two-list term whose lists never overlap
 * is a structural zero (its cells leave the design) instead of a failure.
 *
 * Ownership: struct kith_loglin is opaque; it borrows nothing after
 * kith_loglin_new returns (the counts are copied). One object serves one
 * thread at a time; distinct objects are independent.
 */
#ifndef KITH_STATS_LOGLIN_H
#define KITH_STATS_LOGLIN_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "stats/table.h"

enum kith_loglin_family {
	KITH_LOGLIN_HIER = 0,
	KITH_LOGLIN_M0,
	KITH_LOGLIN_MT,
	KITH_LOGLIN_MH,
	KITH_LOGLIN_MTH,
};

enum kith_loglin_het {
	KITH_LOGLIN_HET_NONE = 0,
	KITH_LOGLIN_HET_CHAO,
	KITH_LOGLIN_HET_POISSON,
	KITH_LOGLIN_HET_DARROCH,
	KITH_LOGLIN_HET_GAMMA,
};

/* Flags of struct kith_loglin_spec. */
#define KITH_LOGLIN_SPARSE 1u /* SparseMSE's structural zeros (see above) */

/* What model to fit. Zero means: a hierarchical model with main effects only. */
struct kith_loglin_spec {
	enum kith_loglin_family family;
	enum kith_loglin_het het; /* Mh and Mth only; NONE means Chao there */
	double theta;		  /* Poisson/Gamma theta; 0 means 2 / 3.5 */
	const uint32_t *terms;	  /* hierarchical: interaction terms (masks of >= 2 lists), borrowed */
	size_t n_terms;		  /* their subsets are added, duplicates ignored */
	unsigned flags;
};

/* The outcome of the checks and the fit (struct kith_loglin_result.state). */
enum kith_loglin_state {
	KITH_LOGLIN_OK = 0,
	KITH_LOGLIN_NO_MLE = 1,	       /* the MLE does not exist (boundary of the cone) */
	KITH_LOGLIN_NOT_IDENT = 2,     /* the design is rank deficient */
	KITH_LOGLIN_NO_CONVERGENCE = 3 /* the iterations did not converge */
};

struct kith_loglin_result {
	int state;	 /* enum kith_loglin_state; the numbers below only when OK */
	double n_hat;	 /* n + exp(intercept) */
	double se;	 /* sqrt(exp(b0) + exp(2 b0) var(b0)), Rcapture's formula */
	double deviance; /* Poisson deviance */
	double df;	 /* cells - parameters */
	double loglik;	 /* Poisson log-likelihood (with the log y! terms) */
	double aic, bic; /* -2 loglik + 2 p, -2 loglik + log(n) p */
	double bias;	 /* asymptotic bias of n_hat (Rcapture's closedpMS) */
	double intercept;
	unsigned n_params;   /* parameters fitted, with the intercept */
	unsigned iterations; /* Newton iterations of the last fit */
	unsigned dropped;    /* Chao: eta columns set to zero */
	unsigned structural; /* SPARSE: terms treated as structural zeros */
};

struct kith_loglin;

/*
 * Builds the design of `spec` for table t. Errors: KITH_E_INVALID (k < 3 for
 * heterogeneity models, a term naming a list >= k or with fewer than 2 lists,
 * a hierarchical model containing the k-way term, a bad theta), KITH_E_LIMIT
 * (a design larger than 2^16 x 2^12), KITH_E_NOMEM. *out is set only on
 * success; free it with kith_loglin_free.
 */
int kith_loglin_new(struct kith_loglin **out, const struct kith_stats_table *t,
		    const struct kith_loglin_spec *spec, struct kith_err *err) KITH_WUR;

/* Frees m. NULL is allowed. */
void kith_loglin_free(struct kith_loglin *m);

/*
 * Checks identifiability (rank of the design) and existence of the MLE (the
 * linear program). Returns KITH_LOGLIN_OK, KITH_LOGLIN_NOT_IDENT or
 * KITH_LOGLIN_NO_MLE (>= 0), or a negative status (KITH_E_NOMEM,
 * KITH_E_INTERNAL when the eigen solver fails). The answer is cached. OK
 * may come with kith_loglin_unchecked() set on very large tables.
 * With SPARSE, a list that recorded no one makes the model fail the check (as
 * SparseMSE's checkident does) although kith_loglin_fit can still fit it.
 */
int kith_loglin_check(struct kith_loglin *m, struct kith_err *err) KITH_WUR;

/*
 * Fits the model by Newton-Raphson (iteratively reweighted least squares,
 * Cholesky through GSL), started as R's glm starts, and fills *res. Does not
 * run kith_loglin_check: call it first unless an extended fit is wanted.
 * Returns KITH_OK with res->state OK, NOT_IDENT (a singular information
 * matrix) or NO_CONVERGENCE; or KITH_E_NOMEM.
 */
int kith_loglin_fit(struct kith_loglin *m, struct kith_loglin_result *res, struct kith_err *err) KITH_WUR;

/*
 * The multinomial profile log-likelihood of N >= n (Cormack 1992, as Rcapture's
 * closedpCI computes it): the model refitted to the table completed with N - n
 * people in the unobserved cell, its Poisson deviance D and
 * loglik = -D/2 + log(n0^n0 N! / (N^N n0!)), n0 = N - n (with Stirling's
 * approximation above N = 100, as Rcapture). When dloglik is not NULL it gets
 * the derivative in N, -log(n0 / mu0) + d/dN of the second term (the refit's
 * own dependence on N drops out at the optimum: the envelope theorem). Needs
 * a successful fit first. Returns KITH_OK, KITH_E_INVALID (N < n, no fit
 * yet), or KITH_E_INTERNAL when the refit fails (*loglik is then -inf).
 */
int kith_loglin_profile(struct kith_loglin *m, double N, double *loglik, double *dloglik,
			struct kith_err *err) KITH_WUR;

/*
 * After kith_loglin_check returned KITH_LOGLIN_OK: nonzero when existence was
 * not decided because the linear program was too large (q (nz + q) above
 * 3e7 with q the null space of the positive cells and nz the zero cells, or
 * beyond the simplex's pivot cap). The fit can still be tried; its numbers
 * then carry that caveat.
 */
int kith_loglin_unchecked(const struct kith_loglin *m);

/* The observed total n of the table the model was built on. */
double kith_loglin_observed(const struct kith_loglin *m);

/* After a fit: the rows of the design (patterns, count *n), and the fitted
 * means of those rows. Borrowed; valid until the next fit or profile call. */
const uint32_t *kith_loglin_cells(const struct kith_loglin *m, size_t *n);
const double *kith_loglin_fitted(const struct kith_loglin *m);

/*
 * Writes the model's name ("M0", "Mt", "Mh Chao", "Mth Poisson2",
 * "Mth Gamma3.5", "[12,13,3]") into buf. Returns the length it needed
 * (as snprintf), or KITH_E_INVALID for a bad spec.
 */
int kith_loglin_name(const struct kith_loglin_spec *spec, unsigned k, char *buf, size_t size);

/*
 * Parses a name (as kith_loglin_name writes it, and "[]" for main effects
 * only) into spec. Hierarchical terms go to terms[0 .. cap); *n_terms gets
 * their number. Returns KITH_OK, KITH_E_INVALID (err says why), KITH_E_LIMIT
 * (more than cap terms).
 */
int kith_loglin_parse_name(const char *name, unsigned k, struct kith_loglin_spec *spec, uint32_t *terms,
			   size_t cap, struct kith_err *err) KITH_WUR;

/* The number of lists in a term mask. */
unsigned kith_loglin_order(uint32_t term);

/*
 * Sorts terms as model names show them: higher order first, then
 * lexicographically by list numbers; removes duplicates. Returns the new count.
 */
size_t kith_loglin_sort_terms(uint32_t *terms, size_t n);

#endif
