/*
 * select — hierarchical model enumeration and ranking, and SparseMSE's
 * stepwise selection (see select.h).
 */
#include "stats/select.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "base/pool.h"

/* ---- enumeration ---- */

struct enum_state {
	const uint32_t *T; /* candidate terms, ascending order */
	size_t nT;
	unsigned char *in; /* 2^k flags */
	uint32_t *cur;
	size_t ncur;
	size_t count, limit;
	/* emission (NULL when only counting) */
	struct kith_select_model *out;
	int nomem;
};

static int allowed(const unsigned char *in, uint32_t t)
{
	for (uint32_t rest = t; rest; rest &= rest - 1) {
		uint32_t sub = t & ~(rest & (~rest + 1u));
		if (kith_loglin_order(sub) >= 2 && !in[sub])
			return 0;
	}
	return 1;
}

static void enumerate(struct enum_state *s, size_t i)
{
	if (s->count > s->limit || s->nomem)
		return;
	if (i == s->nT) {
		if (s->out) {
			struct kith_select_model *m = &s->out[s->count];
			m->terms = malloc((s->ncur ? s->ncur : 1) * sizeof *m->terms);
			if (!m->terms) {
				s->nomem = 1;
				return;
			}
			memcpy(m->terms, s->cur, s->ncur * sizeof *m->terms);
			m->n_terms = s->ncur;
		}
		s->count++;
		return;
	}
	enumerate(s, i + 1);
	uint32_t t = s->T[i];
	if (allowed(s->in, t)) {
		s->in[t] = 1;
		s->cur[s->ncur++] = t;
		enumerate(s, i + 1);
		s->ncur--;
		s->in[t] = 0;
	}
}

static int term_asc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	unsigned ox = kith_loglin_order(x), oy = kith_loglin_order(y);
	if (ox != oy)
		return ox < oy ? -1 : 1;
	return (x > y) - (x < y);
}

/* All terms of order 2..max_order, ascending order. */
static uint32_t *candidate_terms(unsigned k, unsigned max_order, size_t *n)
{
	size_t cells = (size_t)1 << k, c = 0;
	for (size_t t = 1; t < cells; t++) {
		unsigned o = kith_loglin_order((uint32_t)t);
		c += o >= 2 && o <= max_order;
	}
	uint32_t *T = malloc((c ? c : 1) * sizeof *T);
	if (!T)
		return NULL;
	c = 0;
	for (size_t t = 1; t < cells; t++) {
		unsigned o = kith_loglin_order((uint32_t)t);
		if (o >= 2 && o <= max_order)
			T[c++] = (uint32_t)t;
	}
	qsort(T, c, sizeof *T, term_asc);
	*n = c;
	return T;
}

size_t kith_select_count(unsigned k, unsigned max_order, size_t limit)
{
	size_t nT;
	uint32_t *T = candidate_terms(k, max_order, &nT);
	unsigned char *in = calloc((size_t)1 << k, 1);
	uint32_t *cur = malloc((nT ? nT : 1) * sizeof *cur);
	size_t count = 0;
	if (T && in && cur) {
		struct enum_state s = {.T = T, .nT = nT, .in = in, .cur = cur, .limit = limit};
		enumerate(&s, 0);
		count = s.count;
	}
	free(T);
	free(in);
	free(cur);
	return count;
}

/* ---- fitting many models in parallel ---- */

struct fit_shared {
	const struct kith_stats_table *t;
	struct kith_select_model *models;
	size_t n;
	int intervals;
	double level;
	atomic_size_t next, done;
	atomic_int error;
	void (*progress)(void *pctx, size_t done, size_t total);
	void *pctx;
	size_t base, total; /* for progress */
};

static int fit_one(const struct kith_stats_table *t, struct kith_select_model *m, int intervals, double level)
{
	unsigned k = kith_stats_table_lists(t);
	struct kith_loglin_spec spec = {.family = KITH_LOGLIN_HIER, .terms = m->terms, .n_terms = m->n_terms};
	int len = kith_loglin_name(&spec, k, NULL, 0);
	if (len < 0)
		return len;
	m->name = malloc((size_t)len + 1);
	if (!m->name)
		return KITH_E_NOMEM;
	kith_loglin_name(&spec, k, m->name, (size_t)len + 1);
	struct kith_loglin *L = NULL;
	int rc = kith_loglin_new(&L, t, &spec, NULL);
	if (rc)
		return rc == KITH_E_NOMEM ? rc : KITH_E_INTERNAL;
	int st = kith_loglin_check(L, NULL);
	if (st == KITH_E_NOMEM) {
		kith_loglin_free(L);
		return st;
	}
	if (st < 0) /* a solver failed on this model: it cannot be trusted */
		st = KITH_LOGLIN_NO_CONVERGENCE;
	m->unchecked = kith_loglin_unchecked(L);
	m->state = st;
	m->fit.state = st;
	if (st == KITH_LOGLIN_OK) {
		rc = kith_loglin_fit(L, &m->fit, NULL);
		if (rc) {
			kith_loglin_free(L);
			return rc;
		}
		m->state = m->fit.state;
		if (m->state == KITH_LOGLIN_OK) {
			m->bias_warning = fabs(m->fit.bias) > 0.1 * m->fit.n_hat;
			if (intervals && kith_interval_profile(L, &m->fit, level, &m->ci, NULL) == KITH_OK)
				m->has_ci = 1;
		}
	}
	kith_loglin_free(L);
	return KITH_OK;
}

/* A worker; thread 0 (the calling one) reports progress. */
static void fit_worker(unsigned thread, void *arg)
{
	struct fit_shared *S = arg;
	for (;;) {
		if (atomic_load(&S->error))
			break;
		size_t i = atomic_fetch_add(&S->next, 1);
		if (i >= S->n)
			break;
		int rc = fit_one(S->t, &S->models[i], S->intervals, S->level);
		if (rc) {
			atomic_store(&S->error, rc);
			break;
		}
		size_t d = atomic_fetch_add(&S->done, 1) + 1;
		if (S->progress && thread == 0)
			S->progress(S->pctx, S->base + d, S->total);
	}
}

static int fit_models(const struct kith_stats_table *t, struct kith_select_model *models, size_t n,
		      const struct kith_select_opts *o, size_t base, size_t total)
{
	struct fit_shared S = {.t = t,
			       .models = models,
			       .n = n,
			       .intervals = o->intervals,
			       .level = o->level,
			       .progress = o->progress,
			       .pctx = o->pctx,
			       .base = base,
			       .total = total};
	atomic_init(&S.next, 0);
	atomic_init(&S.done, 0);
	atomic_init(&S.error, 0);
	kith_pool_run_indexed(kith_pool_threads(o->threads, n), fit_worker, &S);
	return atomic_load(&S.error);
}

void kith_select_result_release(struct kith_select_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n_models; i++) {
		free(res->models[i].terms);
		free(res->models[i].name);
	}
	free(res->models);
	memset(res, 0, sizeof *res);
}

static int rankable(const struct kith_select_model *m)
{
	return m->state == KITH_LOGLIN_OK && !m->bias_warning && !m->unchecked;
}

static void rank(struct kith_select_result *r)
{
	r->best_aic = r->best_bic = SIZE_MAX;
	for (size_t i = 0; i < r->n_models; i++) {
		const struct kith_select_model *m = &r->models[i];
		if (!rankable(m))
			continue;
		if (r->best_aic == SIZE_MAX || m->fit.aic < r->models[r->best_aic].fit.aic)
			r->best_aic = i;
		if (r->best_bic == SIZE_MAX || m->fit.bic < r->models[r->best_bic].fit.bic)
			r->best_bic = i;
	}
}

/* ---- search (beyond the exhaustive limit) ---- */

static int same_terms(const struct kith_select_model *m, const uint32_t *t, size_t n)
{
	return m->n_terms == n && (n == 0 || memcmp(m->terms, t, n * sizeof *t) == 0);
}

static int add_model(struct kith_select_result *r, size_t *cap, const uint32_t *t, size_t n, size_t *idx)
{
	for (size_t i = 0; i < r->n_models; i++)
		if (same_terms(&r->models[i], t, n)) {
			*idx = i;
			return 0;
		}
	if (r->n_models == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		struct kith_select_model *nm = realloc(r->models, nc * sizeof *nm);
		if (!nm)
			return KITH_E_NOMEM;
		r->models = nm;
		*cap = nc;
	}
	struct kith_select_model *m = &r->models[r->n_models];
	memset(m, 0, sizeof *m);
	m->terms = malloc((n ? n : 1) * sizeof *t);
	if (!m->terms)
		return KITH_E_NOMEM;
	memcpy(m->terms, t, n * sizeof *t);
	m->n_terms = n;
	m->state = -1; /* not fitted yet */
	*idx = r->n_models++;
	return 1;
}

static double crit_of(const struct kith_select_model *m, int bic)
{
	return bic ? m->fit.bic : m->fit.aic;
}

static int search(const struct kith_stats_table *t, const struct kith_select_opts *o, unsigned max_order,
		  struct kith_select_result *r, size_t *cap, int bic)
{
	unsigned k = kith_stats_table_lists(t);
	size_t nT;
	uint32_t *T = candidate_terms(k, max_order, &nT);
	unsigned char *in = calloc((size_t)1 << k, 1);
	uint32_t *cur = malloc((nT + 1) * sizeof *cur), *nb = malloc((nT + 1) * sizeof *nb);
	size_t *batch = malloc((nT + 1) * sizeof *batch);
	int rc = KITH_OK;
	if (!T || !in || !cur || !nb || !batch) {
		rc = KITH_E_NOMEM;
		goto out;
	}
	size_t ncur = 0, curi;
	int added = add_model(r, cap, cur, 0, &curi);
	if (added < 0) {
		rc = added;
		goto out;
	}
	if (r->models[curi].state == -1) {
		rc = fit_models(t, &r->models[curi], 1, o, 0, 0);
		if (rc)
			goto out;
	}
	for (int step = 0; step < 10000; step++) {
		/* neighbours: one term in (hierarchy kept) or one maximal term out */
		size_t nbatch = 0, first_new = r->n_models;
		for (size_t i = 0; i < nT; i++) {
			uint32_t term = T[i];
			size_t nn = 0;
			if (in[term]) {
				int maximal = 1;
				for (size_t j = 0; j < ncur && maximal; j++)
					if (cur[j] != term && (cur[j] & term) == term)
						maximal = 0;
				if (!maximal)
					continue;
				for (size_t j = 0; j < ncur; j++)
					if (cur[j] != term)
						nb[nn++] = cur[j];
			} else {
				if (!allowed(in, term))
					continue;
				memcpy(nb, cur, ncur * sizeof *nb);
				nn = ncur;
				nb[nn++] = term;
				qsort(nb, nn, sizeof *nb, term_asc);
			}
			size_t idx;
			int a = add_model(r, cap, nb, nn, &idx);
			if (a < 0) {
				rc = a;
				goto out;
			}
			batch[nbatch++] = idx;
		}
		if (r->n_models > first_new) {
			rc = fit_models(t, &r->models[first_new], r->n_models - first_new, o, 0, 0);
			if (rc)
				goto out;
		}
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < nbatch; i++) {
			const struct kith_select_model *m = &r->models[batch[i]];
			if (!rankable(m))
				continue;
			if (best == SIZE_MAX || crit_of(m, bic) < crit_of(&r->models[best], bic))
				best = batch[i];
		}
		const struct kith_select_model *cm = &r->models[curi];
		if (best == SIZE_MAX || (rankable(cm) && crit_of(&r->models[best], bic) >= crit_of(cm, bic)))
			break;
		/* move */
		curi = best;
		for (size_t i = 0; i < ncur; i++)
			in[cur[i]] = 0;
		ncur = r->models[best].n_terms;
		memcpy(cur, r->models[best].terms, ncur * sizeof *cur);
		for (size_t i = 0; i < ncur; i++)
			in[cur[i]] = 1;
	}
out:
	free(T);
	free(in);
	free(cur);
	free(nb);
	free(batch);
	return rc;
}

int kith_select_hierarchical(const struct kith_stats_table *t, const struct kith_select_opts *o,
			     struct kith_select_result *res, struct kith_err *err)
{
	struct kith_select_opts def = {0};
	if (!o)
		o = &def;
	unsigned k = kith_stats_table_lists(t);
	unsigned mo = o->max_order ? o->max_order : (k <= 5 ? k - 1 : k <= 11 ? 2 : 1);
	if (mo < 1 || mo > k - 1)
		return kith_err_set(err, KITH_E_INVALID, NULL, "maximum order %u; it must be in 1..%u", mo,
				    k - 1);
	size_t limit = o->max_models ? o->max_models : KITH_SELECT_MAX_EXHAUSTIVE;
	struct kith_select_result r = {0};
	r.max_order = mo;
	size_t count = kith_select_count(k, mo, limit);
	int rc = KITH_OK;
	if (count == 0)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	if (count <= limit) {
		r.exhaustive = 1;
		r.models = calloc(count, sizeof *r.models);
		size_t nT;
		uint32_t *T = candidate_terms(k, mo, &nT);
		unsigned char *in = calloc((size_t)1 << k, 1);
		uint32_t *cur = malloc((nT ? nT : 1) * sizeof *cur);
		if (!r.models || !T || !in || !cur) {
			free(T);
			free(in);
			free(cur);
			free(r.models);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
		struct enum_state s = {
		    .T = T, .nT = nT, .in = in, .cur = cur, .limit = count, .out = r.models};
		enumerate(&s, 0);
		free(T);
		free(in);
		free(cur);
		r.n_models = s.count;
		if (s.nomem) {
			kith_select_result_release(&r);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
		rc = fit_models(t, r.models, r.n_models, o, 0, r.n_models);
	} else {
		size_t cap = 0;
		rc = search(t, o, mo, &r, &cap, 1);
		if (!rc)
			rc = search(t, o, mo, &r, &cap, 0);
	}
	if (rc) {
		kith_select_result_release(&r);
		return kith_err_set(err, rc, NULL,
				    rc == KITH_E_NOMEM ? "out of memory"
						       : "a model could not be fitted (internal error)");
	}
	r.fits = r.n_models;
	rank(&r);
	*res = r;
	return KITH_OK;
}

/* ---- stepwise (SparseMSE) ---- */

static int fit_pairs(const struct kith_stats_table *t, const uint32_t *pairs, size_t n,
		     struct kith_loglin **L, struct kith_loglin_result *res)
{
	struct kith_loglin_spec spec = {
	    .family = KITH_LOGLIN_HIER, .terms = pairs, .n_terms = n, .flags = KITH_LOGLIN_SPARSE};
	int rc = kith_loglin_new(L, t, &spec, NULL);
	if (rc)
		return rc;
	return kith_loglin_fit(*L, res, NULL);
}

static double pois_p(double nstar, double pstar)
{
	double le = pstar > 0 ? gsl_cdf_poisson_P((unsigned)nstar, pstar) : 1.0;
	double ge;
	if (nstar == 0)
		ge = 1.0;
	else
		ge = pstar > 0 ? gsl_cdf_poisson_Q((unsigned)nstar - 1, pstar) : 0.0;
	return le < ge ? le : ge;
}

int kith_select_stepwise(const struct kith_stats_table *t, double pthresh, struct kith_select_stepwise *out,
			 struct kith_err *err)
{
	if (pthresh == 0)
		pthresh = 0.02;
	if (!(pthresh > 0 && pthresh <= 1))
		return kith_err_set(err, KITH_E_INVALID, NULL, "p-value threshold %g is not in (0, 1]",
				    pthresh);
	unsigned k = kith_stats_table_lists(t);
	const double *cnt = kith_stats_table_counts(t);
	size_t cells = (size_t)1 << k;
	uint32_t ints[KITH_STATS_MAX_LISTS * (KITH_STATS_MAX_LISTS - 1) / 2];
	double nstar[sizeof ints / sizeof ints[0]];
	unsigned char included[sizeof ints / sizeof ints[0]] = {0};
	size_t nints = 0;
	for (unsigned i = 0; i < k; i++)
		for (unsigned j = i + 1; j < k; j++) {
			uint32_t pr = (1u << i) | (1u << j);
			double s = 0;
			for (size_t c = 1; c < cells; c++)
				if ((c & pr) == pr)
					s += cnt[c];
			nstar[nints] = s;
			ints[nints++] = pr;
		}
	struct kith_select_stepwise r;
	memset(&r, 0, sizeof r);
	struct kith_loglin *L = NULL;
	int rc = fit_pairs(t, r.pairs, 0, &L, &r.fit);
	if (rc)
		goto fail;
	if (pthresh < 1) {
		for (size_t cycle = 0; cycle < nints && r.fit.state == KITH_LOGLIN_OK; cycle++) {
			size_t nrows;
			const uint32_t *rows = kith_loglin_cells(L, &nrows);
			const double *mu = kith_loglin_fitted(L);
			double best = 2;
			size_t bj = nints;
			for (size_t j = 0; j < nints; j++) {
				if (included[j])
					continue;
				double pstar = 0;
				for (size_t q = 0; q < nrows; q++)
					if ((rows[q] & ints[j]) == ints[j])
						pstar += mu[q];
				double pv = pois_p(nstar[j], pstar);
				if (pv < pthresh && pv < best) {
					/* only a candidate that could enter needs the check */
					uint32_t cand[sizeof ints / sizeof ints[0]];
					memcpy(cand, r.pairs, r.n_pairs * sizeof *cand);
					cand[r.n_pairs] = ints[j];
					struct kith_loglin_spec spec = {.family = KITH_LOGLIN_HIER,
									.terms = cand,
									.n_terms = r.n_pairs + 1,
									.flags = KITH_LOGLIN_SPARSE};
					struct kith_loglin *C = NULL;
					rc = kith_loglin_new(&C, t, &spec, NULL);
					if (rc)
						goto fail;
					int st = kith_loglin_check(C, NULL);
					int unchecked = kith_loglin_unchecked(C);
					kith_loglin_free(C);
					if (st == KITH_E_NOMEM) {
						rc = st;
						goto fail;
					}
					if (st != KITH_LOGLIN_OK || unchecked)
						pv = 1;
				}
				if (pv < best) {
					best = pv;
					bj = j;
				}
			}
			if (bj == nints || best >= pthresh)
				break;
			included[bj] = 1;
			r.pairs[r.n_pairs++] = ints[bj];
			r.steps++;
			kith_loglin_free(L);
			L = NULL;
			rc = fit_pairs(t, r.pairs, r.n_pairs, &L, &r.fit);
			if (rc)
				goto fail;
		}
	}
	struct kith_loglin_spec spec = {.family = KITH_LOGLIN_HIER, .terms = r.pairs, .n_terms = r.n_pairs};
	kith_loglin_name(&spec, k, r.name, sizeof r.name);
	kith_loglin_free(L);
	*out = r;
	return KITH_OK;
fail:
	kith_loglin_free(L);
	return kith_err_set(err, rc == KITH_E_NOMEM ? KITH_E_NOMEM : KITH_E_INTERNAL, NULL,
			    rc == KITH_E_NOMEM ? "out of memory" : "the stepwise selection failed");
}

int kith_select_stepwise_estimator(const struct kith_stats_table *t, void *ctx, double *n_hat)
{
	double p = ctx ? *(const double *)ctx : 0.02;
	/* no one on two lists (a bootstrap sample can be so): no recapture, no
	 * finite estimate; the fit would diverge towards +inf */
	unsigned k = kith_stats_table_lists(t);
	const double *cnt = kith_stats_table_counts(t);
	int overlap = 0;
	for (size_t c = 1; c < ((size_t)1 << k) && !overlap; c++)
		overlap = cnt[c] > 0 && kith_loglin_order((uint32_t)c) >= 2;
	if (!overlap) {
		*n_hat = HUGE_VAL;
		return 0;
	}
	struct kith_select_stepwise s;
	if (kith_select_stepwise(t, p, &s, NULL) != KITH_OK || s.fit.state != KITH_LOGLIN_OK)
		return -1;
	*n_hat = s.fit.n_hat;
	return 0;
}
