/*
 * estimate — the panel of multiple systems estimates of one table, its
 * selections and sensitivity, and its text, JSON and SVG forms (see
 * estimate.h).
 */
#include "stats/estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats/loglin.h"
#include "stats/plot.h"
#include "stats/select.h"
#include "stats/summary.h"

struct rows {
	struct kith_estimate_row *v;
	size_t n, cap;
};

static struct kith_estimate_row *push_row(struct rows *rs, const char *name, const char *method)
{
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? 2 * rs->cap : 32;
		struct kith_estimate_row *nv = realloc(rs->v, nc * sizeof *nv);
		if (!nv)
			return NULL;
		rs->v = nv;
		rs->cap = nc;
	}
	struct kith_estimate_row *r = &rs->v[rs->n];
	memset(r, 0, sizeof *r);
	r->name = strdup(name);
	if (!r->name)
		return NULL;
	rs->n++;
	r->method = method;
	r->n_hat = r->se = r->deviance = r->df = r->aic = r->bic = r->lo = r->hi = NAN;
	return r;
}

const char *kith_estimate_status_name(int status)
{
	switch (status) {
	case KITH_ESTIMATE_OK:
		return "ok";
	case KITH_ESTIMATE_NO_MLE:
		return "no-mle";
	case KITH_ESTIMATE_NOT_IDENTIFIABLE:
		return "not-identifiable";
	default:
		return "warning";
	}
}

static void note_add(struct kith_estimate_row *r, const char *s)
{
	size_t l = strlen(r->note);
	snprintf(r->note + l, sizeof r->note - l, "%s%s", l ? "; " : "", s);
}

/* Fills a latent-class model's row from its result l: the posterior median and
 * interval, `what` (how it was run) as the first note, and a warning when the
 * chains disagree or the unobserved count hit its cap. */
static void lcm_row(struct kith_estimate_row *row, const struct kith_lcm_result *l, const char *what)
{
	row->n_hat = l->median;
	row->lo = l->lo;
	row->hi = l->hi;
	row->ci_kind = "posterior";
	row->status = KITH_ESTIMATE_OK;
	note_add(row, what);
	if (!(l->rhat < 1.1)) {
		row->status = KITH_ESTIMATE_WARNING;
		note_add(row, "chains disagree (R-hat >= 1.1): run longer");
	}
	if (l->capped) {
		row->status = KITH_ESTIMATE_WARNING;
		note_add(row, "the unobserved count hit its cap");
	}
}

/* Fills a row from a fitted log-linear model: numbers, status, and a
 * profile interval (when with_ci: computed on L, or taken from pre when it is
 * not NULL; pre_ok says whether that interval could be followed). */
static void fill_from_fit(struct kith_estimate_row *row, struct kith_loglin *L,
			  const struct kith_loglin_result *f, int check_state, double level, int with_ci,
			  const struct kith_interval *pre, int pre_ok)
{
	if (check_state == KITH_LOGLIN_NO_MLE) {
		row->status = KITH_ESTIMATE_NO_MLE;
		note_add(row, "the MLE does not exist (Fienberg-Rinaldo linear program)");
		return;
	}
	if (check_state == KITH_LOGLIN_NO_CONVERGENCE) {
		row->status = KITH_ESTIMATE_WARNING;
		note_add(row, "the existence check failed");
		return;
	}
	if (check_state == KITH_LOGLIN_NOT_IDENT || f->state == KITH_LOGLIN_NOT_IDENT) {
		row->status = KITH_ESTIMATE_NOT_IDENTIFIABLE;
		note_add(row, "the design is rank deficient");
		return;
	}
	if (f->state != KITH_LOGLIN_OK) {
		row->status = KITH_ESTIMATE_WARNING;
		note_add(row, "the fit did not converge");
		return;
	}
	row->n_hat = f->n_hat;
	row->se = f->se;
	row->deviance = f->deviance;
	row->df = f->df;
	row->aic = f->aic;
	row->bic = f->bic;
	row->status = KITH_ESTIMATE_OK;
	if (fabs(f->bias) > 0.1 * f->n_hat) {
		char b[96];
		snprintf(b, sizeof b, "large asymptotic bias (%.0f%% of the estimate)",
			 100 * fabs(f->bias) / f->n_hat);
		note_add(row, b);
		row->status = KITH_ESTIMATE_WARNING;
	}
	if (f->dropped) {
		char b[64];
		snprintf(b, sizeof b, "%u negative eta set to 0", f->dropped);
		note_add(row, b);
	}
	if (!with_ci)
		return;
	struct kith_interval ci;
	if (pre ? (ci = *pre, pre_ok) : kith_interval_profile(L, f, level, &ci, NULL) == KITH_OK) {
		row->lo = ci.lo;
		row->hi = ci.hi;
		row->ci_kind = "profile";
		if (ci.hi_open) {
			note_add(row, "no finite upper limit");
			row->status = KITH_ESTIMATE_WARNING;
		}
	} else {
		note_add(row, "the profile likelihood could not be followed");
		row->status = KITH_ESTIMATE_WARNING;
	}
}

static int add_model(struct rows *rs, const struct kith_stats_table *t, const struct kith_loglin_spec *spec,
		     const char *method, double level)
{
	unsigned k = kith_stats_table_lists(t);
	char stack[256];
	int len = kith_loglin_name(spec, k, NULL, 0);
	if (len < 0)
		return KITH_E_INTERNAL;
	char *name = (size_t)len < sizeof stack ? stack : malloc((size_t)len + 1);
	if (!name)
		return KITH_E_NOMEM;
	kith_loglin_name(spec, k, name, (size_t)len + 1);
	struct kith_estimate_row *row = push_row(rs, name, method);
	if (name != stack)
		free(name);
	if (!row)
		return KITH_E_NOMEM;
	struct kith_loglin *L = NULL;
	int rc = kith_loglin_new(&L, t, spec, NULL);
	if (rc) {
		if (rc == KITH_E_NOMEM)
			return rc;
		row->status = KITH_ESTIMATE_NOT_IDENTIFIABLE;
		note_add(row, "the model cannot be built for this table");
		return KITH_OK;
	}
	int st = kith_loglin_check(L, NULL);
	struct kith_loglin_result f = {0};
	if (st == KITH_E_NOMEM) {
		kith_loglin_free(L);
		return st;
	}
	if (st < 0)
		st = KITH_LOGLIN_NO_CONVERGENCE;
	if (st == KITH_LOGLIN_OK) {
		rc = kith_loglin_fit(L, &f, NULL);
		if (rc) {
			kith_loglin_free(L);
			return rc;
		}
	}
	fill_from_fit(row, L, &f, st, level, 1, NULL, 0);
	if (st == KITH_LOGLIN_OK && kith_loglin_unchecked(L) && isfinite(row->n_hat)) {
		note_add(row, "existence not checked: the linear program is too large");
		row->status = KITH_ESTIMATE_WARNING;
	}
	kith_loglin_free(L);
	return KITH_OK;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct prog_bridge {
	const struct kith_estimate_opts *o;
	const char *stage;
};

static void bridge(void *p, size_t done, size_t total)
{
	struct prog_bridge *b = p;
	b->o->progress(b->o->pctx, b->stage, done, total);
}

/* The sampler's options of a run: o->lcm with the run's seed, threads and
 * level, its progress reported through pb. */
static struct kith_lcm_opts lcm_opts(const struct kith_estimate_opts *o, struct prog_bridge *pb)
{
	struct kith_lcm_opts lo = o->lcm;
	lo.seed = o->seed;
	lo.threads = o->threads;
	lo.level = o->level;
	lo.progress = o->progress ? bridge : NULL;
	lo.pctx = pb;
	return lo;
}

struct idx_sort {
	size_t i;
	double key;
};

static int cmp_key(const void *a, const void *b)
{
	const struct idx_sort *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static int rankable(const struct kith_select_model *m)
{
	return m->state == KITH_LOGLIN_OK && !m->bias_warning;
}

void kith_estimate_free(struct kith_estimate_result *r)
{
	if (!r)
		return;
	if (r->lists)
		for (unsigned j = 0; j < r->k; j++)
			free(r->lists[j]);
	free(r->lists);
	for (size_t i = 0; i < r->n_rows; i++)
		free(r->rows[i].name);
	free(r->rows);
	for (size_t i = 0; r->cov_names && i < r->n_cov_strata; i++)
		free(r->cov_names[i]);
	free(r->cov_names);
	free(r->cov_strata);
	free(r);
}

int kith_estimate_run(const struct kith_stats_table *t, const struct kith_estimate_opts *opts,
		      struct kith_estimate_result **out, struct kith_err *err)
{
	struct kith_estimate_opts o = {0};
	if (opts)
		o = *opts;
	if (o.level == 0)
		o.level = 0.95;
	if (o.delta == 0)
		o.delta = 2;
	if (o.top == 0)
		o.top = 5;
	if (o.pthresh == 0)
		o.pthresh = 0.02;
	if (!(o.level > 0 && o.level < 1) || !(o.delta > 0) || !(o.pthresh > 0 && o.pthresh <= 1))
		return kith_err_set(err, KITH_E_INVALID, NULL, "bad level, delta or p-value threshold");
	double t0 = now_s();
	unsigned k = kith_stats_table_lists(t);
	struct kith_estimate_result *R = calloc(1, sizeof *R);
	struct rows rs = {0};
	struct kith_select_result sel = {0};
	int have_sel = 0;
	int rc = KITH_OK;
	if (!R)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	R->k = k;
	R->observed = kith_stats_table_observed(t);
	R->level = o.level;
	R->seed = o.seed;
	R->sel_bic = R->sel_aic = R->sel_stepwise = R->sel_lcm = KITH_ESTIMATE_NONE;
	R->sel_lcm_cov = KITH_ESTIMATE_NONE;
	R->lowest = R->highest = KITH_ESTIMATE_NONE;
	R->lists = calloc(k, sizeof *R->lists);
	if (!R->lists)
		goto nomem;
	for (unsigned j = 0; j < k; j++)
		if (!(R->lists[j] = strdup(kith_stats_table_list_name(t, j))))
			goto nomem;

	/* 1. Rcapture's models */
	{
		struct kith_loglin_spec specs[10] = {
		    {.family = KITH_LOGLIN_M0},
		    {.family = KITH_LOGLIN_MT},
		    {.family = KITH_LOGLIN_MH, .het = KITH_LOGLIN_HET_CHAO},
		    {.family = KITH_LOGLIN_MH, .het = KITH_LOGLIN_HET_POISSON},
		    {.family = KITH_LOGLIN_MH, .het = KITH_LOGLIN_HET_DARROCH},
		    {.family = KITH_LOGLIN_MH, .het = KITH_LOGLIN_HET_GAMMA},
		    {.family = KITH_LOGLIN_MTH, .het = KITH_LOGLIN_HET_CHAO},
		    {.family = KITH_LOGLIN_MTH, .het = KITH_LOGLIN_HET_POISSON},
		    {.family = KITH_LOGLIN_MTH, .het = KITH_LOGLIN_HET_DARROCH},
		    {.family = KITH_LOGLIN_MTH, .het = KITH_LOGLIN_HET_GAMMA},
		};
		size_t ns = k >= 3 ? 10 : 2;
		for (size_t i = 0; i < ns; i++) {
			rc = add_model(&rs, t, &specs[i], "rcapture", o.level);
			if (rc)
				goto fail;
		}
	}

	/* 2. hierarchical models */
	{
		struct prog_bridge pb = {&o, "models"};
		struct kith_select_opts so = {.max_order = o.max_order,
					      .threads = o.threads,
					      .intervals = o.all_models, /* then computed on every thread */
					      .level = o.level,
					      .progress = o.progress ? bridge : NULL,
					      .pctx = &pb};
		rc = kith_select_hierarchical(t, &so, &sel, err);
		if (rc)
			goto fail_err;
		have_sel = 1;
		R->max_order = sel.max_order;
		R->exhaustive = sel.exhaustive;
		R->models_fitted = sel.fits;
		size_t nm = sel.n_models;
		struct idx_sort *ord = malloc((nm ? nm : 1) * sizeof *ord);
		unsigned char *pick = calloc(nm ? nm : 1, 1);
		if (!ord || !pick) {
			free(ord);
			free(pick);
			goto nomem;
		}
		if (o.all_models) {
			for (size_t i = 0; i < nm; i++)
				pick[i] = 1;
		} else {
			/* the top by BIC, the top by AIC, and the model of all pairs */
			for (int crit = 0; crit < 2; crit++) {
				size_t c = 0;
				for (size_t i = 0; i < nm; i++)
					if (rankable(&sel.models[i]))
						ord[c++] = (struct idx_sort){i, crit ? sel.models[i].fit.aic
										     : sel.models[i].fit.bic};
				qsort(ord, c, sizeof *ord, cmp_key);
				for (size_t i = 0; i < c && i < o.top; i++)
					pick[ord[i].i] = 1;
			}
		}
		/* panel order: by BIC, models without a BIC last */
		size_t c = 0;
		for (size_t i = 0; i < nm; i++)
			if (pick[i])
				ord[c++] = (struct idx_sort){i, sel.models[i].state == KITH_LOGLIN_OK
								    ? sel.models[i].fit.bic
								    : HUGE_VAL};
		qsort(ord, c, sizeof *ord, cmp_key);
		for (size_t j = 0; j < c && !rc; j++) {
			const struct kith_select_model *m = &sel.models[ord[j].i];
			struct kith_loglin_spec spec = {
			    .family = KITH_LOGLIN_HIER, .terms = m->terms, .n_terms = m->n_terms};
			size_t before = rs.n;
			if (o.all_models) {
				/* the fit and the interval of the selection, not again */
				struct kith_estimate_row *row = push_row(&rs, m->name, "hierarchical");
				if (!row) {
					rc = KITH_E_NOMEM;
				} else {
					int st = m->state;
					int chk = st == KITH_LOGLIN_NO_MLE || st == KITH_LOGLIN_NOT_IDENT
						      ? st
						      : KITH_LOGLIN_OK;
					fill_from_fit(row, NULL, &m->fit, chk, o.level, 1, &m->ci, m->has_ci);
					if (st == KITH_LOGLIN_OK && m->unchecked && isfinite(row->n_hat)) {
						note_add(
						    row,
						    "existence not checked: the linear program is too large");
						row->status = KITH_ESTIMATE_WARNING;
					}
				}
			} else {
				rc = add_model(&rs, t, &spec, "hierarchical", o.level);
			}
			if (!rc) {
				if (ord[j].i == sel.best_bic)
					R->sel_bic = before;
				if (ord[j].i == sel.best_aic)
					R->sel_aic = before;
			}
		}
		free(ord);
		free(pick);
		if (rc)
			goto fail;
		/* the model of all two-list interactions, as Rcapture's "(c1+...+ck)^2" */
		if (k >= 3 && sel.max_order >= 2 && !o.all_models) {
			uint32_t pairs[KITH_STATS_MAX_LISTS * (KITH_STATS_MAX_LISTS - 1) / 2];
			size_t np = 0;
			for (unsigned i = 0; i < k; i++)
				for (unsigned j = i + 1; j < k; j++)
					pairs[np++] = (1u << i) | (1u << j);
			struct kith_loglin_spec spec = {
			    .family = KITH_LOGLIN_HIER, .terms = pairs, .n_terms = np};
			char nm2[1024];
			kith_loglin_name(&spec, k, nm2, sizeof nm2);
			int dup = 0;
			for (size_t i = 0; i < rs.n; i++)
				dup |= strcmp(rs.v[i].name, nm2) == 0;
			if (!dup) {
				rc = add_model(&rs, t, &spec, "hierarchical", o.level);
				if (rc)
					goto fail;
			}
		}
	}

	/* 3. stepwise, with its bootstrap */
	{
		struct kith_select_stepwise sw;
		rc = kith_select_stepwise(t, o.pthresh, &sw, err);
		if (rc)
			goto fail_err;
		struct kith_estimate_row *row = push_row(&rs, sw.name, "stepwise");
		if (!row)
			goto nomem;
		size_t idx = rs.n - 1;
		R->sel_stepwise = idx;
		if (sw.fit.structural) {
			char b[96];
			snprintf(b, sizeof b, "%u pair(s) of lists that never overlap as structural zeros",
				 sw.fit.structural);
			note_add(row, b);
		}
		if (sw.fit.state != KITH_LOGLIN_OK) {
			row->status = KITH_ESTIMATE_WARNING;
			note_add(row, "the stepwise fit did not converge");
		} else {
			row->n_hat = sw.fit.n_hat;
			row->se = sw.fit.se;
			row->deviance = sw.fit.deviance;
			row->df = sw.fit.df;
			/* SparseMSE counts a structural zero as a parameter */
			row->aic = sw.fit.aic + 2.0 * sw.fit.structural;
			row->bic = sw.fit.bic + log(R->observed) * sw.fit.structural;
			row->status = KITH_ESTIMATE_OK;
			if (!o.no_boot) {
				struct prog_bridge pb = {&o, "bootstrap"};
				struct kith_boot_opts bo = {.replicates = o.boot,
							    .seed = o.seed,
							    .threads = o.threads,
							    .level = o.level,
							    .progress = o.progress ? bridge : NULL,
							    .pctx = &pb};
				double pth = o.pthresh;
				struct kith_err be;
				kith_err_clear(&be);
				int brc = kith_interval_bca(t, sw.fit.n_hat, kith_select_stepwise_estimator,
							    &pth, &bo, &R->boot, &be);
				if (brc == KITH_E_NOMEM)
					goto nomem;
				R->boot_replicates = o.boot ? o.boot : 1000;
				if (brc == KITH_OK) {
					R->boot_run = 1;
					row->lo = R->boot.lo;
					row->hi = R->boot.hi;
					row->ci_kind = "bca";
					if (R->boot.failed) {
						char b[96];
						snprintf(b, sizeof b,
							 "%zu bootstrap replicates could not be estimated",
							 R->boot.failed);
						note_add(row, b);
					}
					if (R->boot.jack_failed)
						note_add(row, "jackknife failed: no acceleration (a = 0)");
				} else {
					row->status = KITH_ESTIMATE_WARNING;
					note_add(row, "the bootstrap failed");
				}
			} else {
				struct kith_loglin_spec spec = {.family = KITH_LOGLIN_HIER,
								.terms = sw.pairs,
								.n_terms = sw.n_pairs,
								.flags = KITH_LOGLIN_SPARSE};
				struct kith_loglin *L = NULL;
				struct kith_loglin_result f;
				if (kith_loglin_new(&L, t, &spec, NULL) == KITH_OK &&
				    kith_loglin_fit(L, &f, NULL) == KITH_OK && f.state == KITH_LOGLIN_OK) {
					struct kith_interval ci;
					if (kith_interval_profile(L, &f, o.level, &ci, NULL) == KITH_OK) {
						row->lo = ci.lo;
						row->hi = ci.hi;
						row->ci_kind = "profile";
					}
				}
				kith_loglin_free(L);
			}
		}
	}

	/* 4. the latent-class model */
	if (!o.no_lcm) {
		struct prog_bridge pb = {&o, "latent classes"};
		struct kith_lcm_opts lo = lcm_opts(&o, &pb);
		rc = kith_lcm_estimate(t, &lo, &R->lcm, err);
		if (rc)
			goto fail_err;
		R->lcm_run = 1;
		char name[64];
		snprintf(name, sizeof name, "LCM K=%u", R->lcm.classes);
		struct kith_estimate_row *row = push_row(&rs, name, "lcm");
		if (!row)
			goto nomem;
		char b[96];
		snprintf(b, sizeof b, "posterior median of %zu draws, %u chains, R-hat %.3f", R->lcm.draws,
			 R->lcm.chains, R->lcm.rhat);
		lcm_row(row, &R->lcm, b);
		R->sel_lcm = rs.n - 1;
	}
	/* 4b. the latent-class model with the covariate */
	if (!o.no_lcm && o.strata && o.n_strata >= 2) {
		struct prog_bridge pb = {&o, "latent classes"};
		struct kith_lcm_opts lo = lcm_opts(&o, &pb);
		R->cov_strata = calloc(o.n_strata, sizeof *R->cov_strata);
		R->cov_names = calloc(o.n_strata, sizeof *R->cov_names);
		if (!R->cov_strata || !R->cov_names)
			goto nomem;
		R->n_cov_strata = o.n_strata;
		for (size_t i = 0; i < o.n_strata; i++) {
			char b[32];
			snprintf(b, sizeof b, "%zu", i + 1);
			const char *nm = o.strata_names && o.strata_names[i] ? o.strata_names[i] : b;
			if (!(R->cov_names[i] = strdup(nm)))
				goto nomem;
		}
		snprintf(R->covariate, sizeof R->covariate, "%s", o.covariate ? o.covariate : "stratum");
		rc = kith_lcm_estimate_strata(o.strata, o.n_strata, &lo, &R->lcm_cov, R->cov_strata, err);
		if (rc == KITH_E_NOMEM)
			goto fail_err;
		char name[128];
		snprintf(name, sizeof name, "LCM K=%u by %s", lo.classes ? lo.classes : 10, R->covariate);
		struct kith_estimate_row *row = push_row(&rs, name, "lcm");
		if (!row)
			goto nomem;
		if (rc) { /* the strata's tables do not fit the model: a row that says so */
			row->status = KITH_ESTIMATE_WARNING;
			note_add(row, err && err->msg[0] ? err->msg : "the strata could not be estimated");
			kith_err_clear(err);
			rc = KITH_OK;
		} else {
			R->lcm_cov_run = 1;
			char b[128];
			snprintf(b, sizeof b,
				 "classes' weights by %zu strata of %.40s; %zu draws, %u chains, R-hat %.3f",
				 o.n_strata, R->covariate, R->lcm_cov.draws, R->lcm_cov.chains,
				 R->lcm_cov.rhat);
			lcm_row(row, &R->lcm_cov, b);
			R->sel_lcm_cov = rs.n - 1;
		}
	}

	/* 5. defensible models and the sensitivity */
	{
		double min_aic = HUGE_VAL, min_bic = HUGE_VAL;
		for (size_t i = 0; i < rs.n; i++) {
			const struct kith_estimate_row *r = &rs.v[i];
			if (r->status != KITH_ESTIMATE_OK || !isfinite(r->aic))
				continue;
			min_aic = fmin(min_aic, r->aic);
			min_bic = fmin(min_bic, r->bic);
		}
		size_t picks[4] = {R->sel_bic, R->sel_aic, R->sel_stepwise, R->sel_lcm};
		for (size_t i = 0; i < rs.n; i++) {
			struct kith_estimate_row *r = &rs.v[i];
			if (!isfinite(r->n_hat))
				continue;
			int d = r->status == KITH_ESTIMATE_OK && isfinite(r->aic) &&
				(r->aic <= min_aic + o.delta || r->bic <= min_bic + o.delta);
			/* a selected estimate is defensible unless it carries a
			 * warning (a sampler that did not converge, ...) */
			for (int j = 0; j < 4; j++)
				d |= picks[j] == i && r->status == KITH_ESTIMATE_OK;
			d |= R->sel_lcm_cov == i && r->status == KITH_ESTIMATE_OK;
			r->defensible = d;
			if (!d)
				continue;
			if (R->lowest == KITH_ESTIMATE_NONE || r->n_hat < rs.v[R->lowest].n_hat)
				R->lowest = i;
			if (R->highest == KITH_ESTIMATE_NONE || r->n_hat > rs.v[R->highest].n_hat)
				R->highest = i;
		}
	}
	/* 6. heterogeneity and the plausible range */
	R->range_lo = R->range_hi = NAN;
	if (R->lowest != KITH_ESTIMATE_NONE) {
		R->range_lo = rs.v[R->lowest].n_hat;
		R->range_hi = rs.v[R->highest].n_hat;
		snprintf(R->range_lo_from, sizeof R->range_lo_from, "%s", rs.v[R->lowest].name);
		snprintf(R->range_hi_from, sizeof R->range_hi_from, "%s", rs.v[R->highest].name);
	}
	for (size_t i = 0; i < rs.n; i++) {
		/* Chao's lower bound: Mth Chao, or Mh Chao when Mth has no number */
		const struct kith_estimate_row *r = &rs.v[i];
		int mth = strcmp(r->name, "Mth Chao") == 0, mh = strcmp(r->name, "Mh Chao") == 0;
		if (!(mth || mh) || r->status != KITH_ESTIMATE_OK)
			continue;
		if (mh) {
			int mth_ok = 0;
			for (size_t j = 0; j < rs.n; j++)
				mth_ok |= strcmp(rs.v[j].name, "Mth Chao") == 0 &&
					  rs.v[j].status == KITH_ESTIMATE_OK;
			if (mth_ok)
				continue;
		}
		if (isnan(R->range_lo) || r->n_hat < R->range_lo) {
			R->range_lo = r->n_hat;
			snprintf(R->range_lo_from, sizeof R->range_lo_from, "%s (lower bound)", r->name);
		}
		if (isnan(R->range_hi))
			R->range_hi = r->n_hat,
			snprintf(R->range_hi_from, sizeof R->range_hi_from, "%s", r->name);
	}
	if (!o.no_hetero && k <= 10) {
		struct kith_hetero_opts ho = {.v_max = o.hetero_vmax, .level = o.level};
		rc = kith_hetero_analyse(t, &ho, &R->hetero, err);
		if (rc)
			goto fail_err;
		R->hetero_run = 1;
		double up = R->hetero.upper;
		if (!isnan(up) && (isnan(R->range_hi) || up > R->range_hi)) {
			R->range_hi = up;
			snprintf(R->range_hi_from, sizeof R->range_hi_from,
				 "upper limit of Mt with person heterogeneity %.2f", R->hetero.v_hi);
		}
		if (isnan(R->range_lo) && !isnan(R->hetero.n_lo)) {
			R->range_lo = R->hetero.n_lo;
			snprintf(R->range_lo_from, sizeof R->range_lo_from, "Mt");
		}
	}
	/* a covariate that drives capture: the upper limit of the latent-class
	 * model with it, as the heterogeneity grid's upper limit above (what the
	 * lists cannot rule out when capture depends on the covariate) */
	if (R->sel_lcm_cov != KITH_ESTIMATE_NONE && rs.v[R->sel_lcm_cov].status == KITH_ESTIMATE_OK) {
		const struct kith_estimate_row *r = &rs.v[R->sel_lcm_cov];
		if (isfinite(r->hi) && (isnan(R->range_hi) || r->hi > R->range_hi)) {
			R->range_hi = r->hi;
			snprintf(R->range_hi_from, sizeof R->range_hi_from, "upper limit of %.70s", r->name);
		}
	}
	kith_select_result_release(&sel);
	R->rows = rs.v;
	R->n_rows = rs.n;
	R->elapsed = now_s() - t0;
	*out = R;
	return KITH_OK;
nomem:
	rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	goto cleanup;
fail:
	rc =
	    kith_err_set(err, rc, NULL, rc == KITH_E_NOMEM ? "out of memory" : "a model could not be fitted");
	goto cleanup;
fail_err:
cleanup:
	if (have_sel)
		kith_select_result_release(&sel);
	for (size_t i = 0; i < rs.n; i++)
		free(rs.v[i].name);
	free(rs.v);
	kith_estimate_free(R);
	return rc;
}

/* ---- JSON ---- */

/* The latent-class posterior median over Mt's estimate: a latent-class model
 * that finds groups reachable unequally lands above Mt; NaN without both. */
static double lcm_over_mt(const struct kith_estimate_result *R)
{
	if (R->sel_lcm == KITH_ESTIMATE_NONE || R->rows[R->sel_lcm].status != KITH_ESTIMATE_OK)
		return NAN;
	for (size_t i = 0; i < R->n_rows; i++)
		if (strcmp(R->rows[i].name, "Mt") == 0 && R->rows[i].n_hat > 0)
			return R->rows[R->sel_lcm].n_hat / R->rows[i].n_hat;
	return NAN;
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *interval_json(const struct kith_estimate_row *r)
{
	if (!isfinite(r->lo))
		return json_null();
	return json_pack("[oo]", num(r->lo), num(r->hi));
}

static json_t *pick_json(const struct kith_estimate_result *R, size_t i)
{
	if (i == KITH_ESTIMATE_NONE)
		return json_null();
	const struct kith_estimate_row *r = &R->rows[i];
	return json_pack("{s:s, s:o, s:o, s:s?, s:s}", "model", r->name, "n_hat", num(r->n_hat), "ci95",
			 interval_json(r), "ci_kind", r->ci_kind, "status",
			 kith_estimate_status_name(r->status));
}

int kith_estimate_json(const struct kith_estimate_result *R, json_t **out, struct kith_err *err)
{
	json_t *root = json_object(), *lists = json_array(), *models = json_array();
	if (!root || !lists || !models)
		goto nomem;
	for (unsigned j = 0; j < R->k; j++)
		if (json_array_append_new(lists, json_string(R->lists[j])))
			goto nomem;
	for (size_t i = 0; i < R->n_rows; i++) {
		const struct kith_estimate_row *r = &R->rows[i];
		json_t *m = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s?, s:o, s:o, s:o, s:o, s:s, s:s, s:b}",
				      "name", r->name, "method", r->method, "n_hat", num(r->n_hat), "se",
				      num(r->se), "ci95", interval_json(r), "ci_kind", r->ci_kind, "aic",
				      num(r->aic), "bic", num(r->bic), "deviance", num(r->deviance), "df",
				      num(r->df), "status", kith_estimate_status_name(r->status), "note",
				      r->note, "defensible", r->defensible);
		if (!m || json_array_append_new(models, m))
			goto nomem;
	}
	json_t *selected = json_pack("{s:o, s:o, s:o, s:o}", "bic", pick_json(R, R->sel_bic), "aic",
				     pick_json(R, R->sel_aic), "stepwise", pick_json(R, R->sel_stepwise),
				     "lcm", pick_json(R, R->sel_lcm));
	json_t *sens = json_null();
	if (R->lowest != KITH_ESTIMATE_NONE) {
		json_t *names = json_array();
		if (!names)
			goto nomem;
		for (size_t i = 0; i < R->n_rows; i++)
			if (R->rows[i].defensible)
				json_array_append_new(names, json_string(R->rows[i].name));
		const struct kith_estimate_row *lo = &R->rows[R->lowest], *hi = &R->rows[R->highest];
		sens = json_pack("{s:{s:s, s:s, s:o}, s:{s:s, s:s, s:o}, s:o, s:o}", "lowest", "model",
				 lo->name, "method", lo->method, "n_hat", num(lo->n_hat), "highest", "model",
				 hi->name, "method", hi->method, "n_hat", num(hi->n_hat), "ratio",
				 num(hi->n_hat / lo->n_hat), "defensible", names);
	}
	json_t *boot =
	    R->boot_run ? json_pack("{s:I, s:I, s:I, s:o, s:o}", "replicates", (json_int_t)R->boot_replicates,
				    "used", (json_int_t)R->boot.used, "failed", (json_int_t)R->boot.failed,
				    "z0", num(R->boot.z0), "a", num(R->boot.a))
			: json_null();
	json_t *lcm =
	    R->lcm_run
		? json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "classes", (json_int_t)R->lcm.classes, "chains",
			    (json_int_t)R->lcm.chains, "draws", (json_int_t)R->lcm.draws, "sweeps",
			    (json_int_t)R->lcm.sweeps, "rhat", num(R->lcm.rhat), "mean", num(R->lcm.mean))
		: json_null();
	char seed[32];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)R->seed);
	json_t *settings =
	    json_pack("{s:I, s:b, s:I, s:o, s:s, s:o, s:o}", "max_order", (json_int_t)R->max_order,
		      "exhaustive", R->exhaustive, "models_fitted", (json_int_t)R->models_fitted, "level",
		      num(R->level), "seed", seed, "bootstrap", boot, "lcm", lcm);
	json_t *range = json_null();
	if (!isnan(R->range_lo)) {
		json_t *het = json_null();
		if (R->hetero_run) {
			const struct kith_hetero_result *h = &R->hetero;
			static const char *verdicts[] = {"shown", "cannot-tell", "small"};
			char en[512], ko[768];
			kith_hetero_words(h, "en", en, sizeof en);
			kith_hetero_words(h, "ko", ko, sizeof ko);
			json_t *grid = json_array();
			for (size_t i = 0; grid && i < h->n_grid; i++)
				json_array_append_new(grid, json_pack("{s:o, s:o, s:o, s:b}", "sd",
								      num(h->grid[i].v), "n_hat",
								      num(h->grid[i].n_hat), "deviance",
								      num(h->grid[i].deviance), "ruled_out",
								      h->grid[i].ruled_out));
			het =
			    json_pack("{s:s, s:s, s:s, s:[oo], s:o, s:o, s:o, s:o, s:o}", "verdict",
				      verdicts[h->verdict], "words_en", en, "words_ko", ko,
				      "sd_not_ruled_out", num(h->v_lo), num(h->v_hi), "upper", num(h->upper),
				      "p_m0_mh", num(h->p_mh), "p_mt_mth", num(h->p_mth), "lcm_over_mt",
				      num(lcm_over_mt(R)), "settings", grid ? grid : json_null());
		}
		range = json_pack("{s:o, s:s, s:o, s:s, s:o}", "low", num(R->range_lo), "low_from",
				  R->range_lo_from, "high", num(R->range_hi), "high_from", R->range_hi_from,
				  "heterogeneity", het ? het : json_null());
	}
	json_t *summary = NULL;
	{
		struct kith_sbuf en = KITH_SBUF_INIT, ko = KITH_SBUF_INIT;
		if (kith_estimate_summary(R, "en", &en, NULL) == KITH_OK &&
		    kith_estimate_summary(R, "ko", &ko, NULL) == KITH_OK) {
			en.buf[--en.len] = '\0'; /* the final newline */
			ko.buf[--ko.len] = '\0';
			summary = json_pack("{s:s, s:s}", "en", en.buf, "ko", ko.buf);
		}
		kith_sbuf_release(&en);
		kith_sbuf_release(&ko);
	}
	if (!selected || !sens || !settings || !range || !summary)
		goto nomem;
	if (json_object_set_new(root, "lists", lists) ||
	    json_object_set_new(root, "observed", num(R->observed)) ||
	    json_object_set_new(root, "models", models) || json_object_set_new(root, "selected", selected) ||
	    json_object_set_new(root, "sensitivity", sens) || json_object_set_new(root, "range", range) ||
	    json_object_set_new(root, "summary", summary) ||
	    json_object_set_new(root, "settings", settings)) {
		lists = models = NULL;
		goto nomem;
	}
	if (R->sel_lcm_cov != KITH_ESTIMATE_NONE) {
		/* the latent-class model with the covariate: the total's row and
		 * each stratum's posterior */
		json_t *st = json_array();
		for (size_t i = 0; st && i < R->n_cov_strata && R->lcm_cov_run; i++) {
			const struct kith_lcm_stratum *q = &R->cov_strata[i];
			if (json_array_append_new(st, json_pack("{s:s, s:o, s:o, s:[oo]}", "stratum",
								R->cov_names[i], "observed", num(q->observed),
								"median", num(q->median), "ci95", num(q->lo),
								num(q->hi))))
				break;
		}
		json_t *cov = json_pack(
		    "{s:s, s:o, s:o, s:o}", "covariate", R->covariate, "model", pick_json(R, R->sel_lcm_cov),
		    "rhat", num(R->lcm_cov_run ? R->lcm_cov.rhat : NAN), "strata", st ? st : json_null());
		if (!cov || json_object_set_new(root, "lcm_covariate", cov))
			goto nomem;
	}
	*out = root;
	return KITH_OK;
nomem:
	json_decref(root);
	json_decref(lists);
	json_decref(models);
	return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory building JSON");
}

/* ---- text ---- */

static void fmt(double v, int dec, char *b, size_t sz)
{
	if (isnan(v))
		snprintf(b, sz, "-");
	else if (!isfinite(v))
		snprintf(b, sz, "inf");
	else
		snprintf(b, sz, "%.*f", dec, v);
}

static void fmt_ci(const struct kith_estimate_row *r, char *b, size_t sz)
{
	char lo[32], hi[32];
	if (!isfinite(r->lo)) {
		snprintf(b, sz, "-");
		return;
	}
	fmt(r->lo, 1, lo, sizeof lo);
	if (isfinite(r->hi))
		fmt(r->hi, 1, hi, sizeof hi);
	else
		snprintf(hi, sizeof hi, "unbounded");
	snprintf(b, sz, "(%s, %s)", lo, hi);
}

int kith_estimate_text(const struct kith_estimate_result *R, struct kith_sbuf *out, struct kith_err *err)
{
	int rc = kith_sbuf_addf(out, "%.0f people observed on %u lists:", R->observed, R->k);
	for (unsigned j = 0; j < R->k && !rc; j++)
		rc = kith_sbuf_addf(out, " %u=%s", j + 1, R->lists[j]);
	size_t w = 5;
	for (size_t i = 0; i < R->n_rows; i++)
		if (strlen(R->rows[i].name) > w)
			w = strlen(R->rows[i].name);
	if (w > 40)
		w = 40;
	if (!rc)
		rc = kith_sbuf_addf(out, "\n\n%-*s  %-12s %10s %9s %9s %5s %9s %9s  %-24s %s\n", (int)w,
				    "model", "method", "N", "se", "deviance", "df", "AIC", "BIC",
				    "95% interval", "status");
	for (size_t i = 0; i < R->n_rows && !rc; i++) {
		const struct kith_estimate_row *r = &R->rows[i];
		char a[32], b[32], c[32], d[32], e[32], f[32], ci[80];
		fmt(r->n_hat, 1, a, sizeof a);
		fmt(r->se, 1, b, sizeof b);
		fmt(r->deviance, 1, c, sizeof c);
		fmt(r->df, 0, d, sizeof d);
		fmt(r->aic, 1, e, sizeof e);
		fmt(r->bic, 1, f, sizeof f);
		fmt_ci(r, ci, sizeof ci);
		char mark[16] = "";
		if (r->defensible)
			snprintf(mark, sizeof mark, " *");
		rc = kith_sbuf_addf(out, "%-*s  %-12s %10s %9s %9s %5s %9s %9s  %-24s %s%s\n", (int)w,
				    r->name, r->method, a, b, c, d, e, f, ci,
				    kith_estimate_status_name(r->status), mark);
	}
	const char *label[4] = {"BIC", "AIC", "stepwise", "LCM"};
	size_t sel[4] = {R->sel_bic, R->sel_aic, R->sel_stepwise, R->sel_lcm};
	if (!rc)
		rc = kith_sbuf_addf(out, "\nselected (%.0f%% intervals):\n", 100 * R->level);
	for (int j = 0; j < 4 && !rc; j++) {
		if (sel[j] == KITH_ESTIMATE_NONE) {
			rc = kith_sbuf_addf(out, "  %-9s none\n", label[j]);
			continue;
		}
		const struct kith_estimate_row *r = &R->rows[sel[j]];
		char a[32], ci[80];
		fmt(r->n_hat, 1, a, sizeof a);
		fmt_ci(r, ci, sizeof ci);
		rc = kith_sbuf_addf(out, "  %-9s %-*s %10s  %s %s\n", label[j], (int)w, r->name, a, ci,
				    r->ci_kind ? r->ci_kind : "");
	}
	if (!rc && R->lowest != KITH_ESTIMATE_NONE) {
		const struct kith_estimate_row *lo = &R->rows[R->lowest], *hi = &R->rows[R->highest];
		rc = kith_sbuf_addf(
		    out,
		    "\nsensitivity: the defensible models (*) range from %.1f (%s, %s) to %.1f (%s, %s),"
		    " a factor of %.2f\n",
		    lo->n_hat, lo->name, lo->method, hi->n_hat, hi->name, hi->method, hi->n_hat / lo->n_hat);
	}
	if (!rc && !isnan(R->range_lo)) {
		char hi[32];
		fmt(R->range_hi, 0, hi, sizeof hi);
		rc = kith_sbuf_addf(out, "plausible range: %.0f (%s) to %s (%s)\n", R->range_lo,
				    R->range_lo_from, hi, R->range_hi_from);
	}
	if (!rc && R->hetero_run) {
		char words[512];
		kith_hetero_words(&R->hetero, "en", words, sizeof words);
		rc = kith_sbuf_addf(out, "heterogeneity: %s (M0 vs Mh p = %.3f, Mt vs Mth p = %.3f", words,
				    R->hetero.p_mh, R->hetero.p_mth);
		double ratio = lcm_over_mt(R);
		if (!rc && isfinite(ratio))
			rc = kith_sbuf_addf(out, "; latent classes / Mt = %.3f", ratio);
		if (!rc)
			rc = kith_sbuf_adds(out, ")\n");
	}
	if (!rc)
		rc =
		    kith_sbuf_addf(out, "\n%zu hierarchical models %s up to order %u;", R->models_fitted,
				   R->exhaustive ? "(all of them)" : "(visited by the search)", R->max_order);
	if (!rc && R->boot_run)
		rc = kith_sbuf_addf(out, " bootstrap %zu replicates (%zu used), z0 %.3f, a %.4f;",
				    R->boot_replicates, R->boot.used, R->boot.z0, R->boot.a);
	if (!rc && R->lcm_run)
		rc = kith_sbuf_addf(out, " latent classes K=%u, %u chains, %zu draws, R-hat %.3f;",
				    R->lcm.classes, R->lcm.chains, R->lcm.draws, R->lcm.rhat);
	if (!rc)
		rc = kith_sbuf_addf(out, " seed %llu\n", (unsigned long long)R->seed);
	int notes = 0;
	for (size_t i = 0; i < R->n_rows && !rc; i++) {
		const struct kith_estimate_row *r = &R->rows[i];
		if (!r->note[0])
			continue;
		if (!notes++)
			rc = kith_sbuf_adds(out, "notes:\n");
		if (!rc)
			rc = kith_sbuf_addf(out, "  %s: %s\n", r->name, r->note);
	}
	if (rc)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	return KITH_OK;
}

int kith_estimate_svg(const struct kith_estimate_result *R, const char *title, struct kith_sbuf *out,
		      struct kith_err *err)
{
	struct kith_plot_row *pr = calloc(R->n_rows ? R->n_rows : 1, sizeof *pr);
	char(*labels)[96] = calloc(R->n_rows ? R->n_rows : 1, sizeof *labels);
	if (!pr || !labels) {
		free(pr);
		free(labels);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	size_t sel[4] = {R->sel_bic, R->sel_aic, R->sel_stepwise, R->sel_lcm};
	for (size_t i = 0; i < R->n_rows; i++) {
		const struct kith_estimate_row *r = &R->rows[i];
		snprintf(labels[i], sizeof labels[i], "%s%s%s", r->name,
			 strcmp(r->method, "stepwise") == 0 ? " (stepwise)" : "", r->defensible ? " *" : "");
		pr[i].label = labels[i];
		pr[i].status = kith_estimate_status_name(r->status);
		pr[i].n_hat = r->n_hat;
		pr[i].lo = r->lo;
		pr[i].hi = r->hi;
		for (int j = 0; j < 4; j++)
			pr[i].highlight |= sel[j] == i;
	}
	int rc = kith_plot_svg(out, pr, R->n_rows, title, R->observed, err);
	free(pr);
	free(labels);
	return rc;
}
