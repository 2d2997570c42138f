/*
 * loglin — Poisson log-linear models of capture tables: designs, Newton fits,
 * existence (a linear program) and identifiability (rank), and the multinomial
 * profile likelihood. See loglin.h for the models and the conventions.
 */
#include "stats/loglin.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#define MAX_DESIGN ((size_t)1 << 24) /* doubles in one design matrix */
#define MAX_ITER 100
#define DEV_TOL 1e-11

struct kith_loglin {
	unsigned k;
	size_t m;	       /* design rows */
	size_t p;	       /* design columns, intercept first */
	uint32_t *cell;	       /* pattern of each row */
	double *y;	       /* count of each row */
	double n;	       /* observed total (all cells, also removed ones) */
	double *X;	       /* m x p, row-major */
	unsigned char *active; /* columns in use (Chao drops etas) */
	size_t nca;	       /* columns that are not heterogeneity columns */
	int chao;
	int empty_list; /* SPARSE: some list recorded no one */
	unsigned structural;
	int checked, state;
	int plain;     /* hierarchical, all cells: full rank by construction */
	int unchecked; /* the existence LP was too large: not decided */
	/* the fit */
	int fitted;
	unsigned char *fit_active;
	double *beta_fit; /* p, zero where inactive */
	double *mu_fit;	  /* m */
	/* profile warm start */
	int have_prof;
	double *beta_prof; /* p, then dprof (p) and a start (p) in the same block */
	/* the predictor: d beta / d n0 = H^-1 e0 at the last profile refit (all
	 * p columns, zero where inactive), and that refit's n0 */
	int have_dprof;
	double n0_prof;
	/* workspace */
	size_t pa;
	int loaded;   /* Xa and the compressed rows match `active` and `inf` */
	int factored; /* H holds the Cholesky factor of the last Newton step of irls */
	unsigned char *loaded_active;
	unsigned char *inf;		  /* Chao: etas at -infinity (zero sufficient statistic) */
	unsigned char *row_off;		  /* rows whose mean is 0 because of an infinite eta */
	size_t *idx;			  /* active columns */
	double *Xa;			  /* m x pa, active columns */
	size_t *rp;			  /* m + 1 row starts of the nonzeros of Xa (compressed rows) */
	unsigned *ci;			  /* their columns (< pa) */
	double *cv;			  /* their values */
	double *H;			  /* pa x pa */
	double *g, *beta, *trial, *delta; /* pa */
	double *eta, *mu;		  /* m */
};

unsigned kith_loglin_order(uint32_t term)
{
	return (unsigned)__builtin_popcount(term);
}

/* Model-name order: higher order first, then lexicographic in list numbers
 * (for sets of one size: the set holding the lowest differing list first). */
static int term_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	unsigned oa = kith_loglin_order(a), ob = kith_loglin_order(b);
	if (oa != ob)
		return oa > ob ? -1 : 1;
	if (a == b)
		return 0;
	uint32_t low = (a ^ b) & (~(a ^ b) + 1u);
	return (a & low) ? -1 : 1;
}

size_t kith_loglin_sort_terms(uint32_t *terms, size_t n)
{
	if (n == 0)
		return 0;
	qsort(terms, n, sizeof *terms, term_cmp);
	size_t w = 1;
	for (size_t i = 1; i < n; i++)
		if (terms[i] != terms[w - 1])
			terms[w++] = terms[i];
	return w;
}

/* Ascending order (columns of the design): lower order first. */
static int term_cmp_asc(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	unsigned oa = kith_loglin_order(a), ob = kith_loglin_order(b);
	if (oa != ob)
		return oa < ob ? -1 : 1;
	return term_cmp(pa, pb);
}

static double default_theta(const struct kith_loglin_spec *s)
{
	if (s->theta > 0)
		return s->theta;
	return s->het == KITH_LOGLIN_HET_GAMMA ? 3.5 : 2.0;
}

/* The downward closure of the spec's terms (all subsets of >= 2 lists), in
 * design order, into *out (malloc'ed). */
static int closure(const struct kith_loglin_spec *s, unsigned k, uint32_t **out, size_t *n_out,
		   struct kith_err *err)
{
	size_t cells = (size_t)1 << k;
	unsigned char *seen = calloc(cells, 1);
	size_t cap = 16, n = 0;
	uint32_t *v = malloc(cap * sizeof *v);
	if (!seen || !v)
		goto nomem;
	for (size_t i = 0; i < s->n_terms; i++) {
		uint32_t t = s->terms[i];
		if (kith_loglin_order(t) < 2 || t >= cells) {
			free(seen);
			free(v);
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "term %zu is not an interaction of lists 1..%u", i + 1, k);
		}
		if (t == cells - 1) {
			free(seen);
			free(v);
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "the %u-way interaction of all lists is not identifiable", k);
		}
		/* enumerate the subsets of t */
		for (uint32_t sub = t;; sub = (sub - 1) & t) {
			if (kith_loglin_order(sub) >= 2 && !seen[sub]) {
				seen[sub] = 1;
				if (n == cap) {
					uint32_t *nv = realloc(v, 2 * cap * sizeof *v);
					if (!nv)
						goto nomem;
					v = nv;
					cap *= 2;
				}
				v[n++] = sub;
			}
			if (sub == 0)
				break;
		}
	}
	free(seen);
	qsort(v, n, sizeof *v, term_cmp_asc);
	*out = v;
	*n_out = n;
	return KITH_OK;
nomem:
	free(seen);
	free(v);
	return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
}

void kith_loglin_free(struct kith_loglin *m)
{
	if (!m)
		return;
	free(m->cell);
	free(m->y);
	free(m->X);
	free(m->active);
	free(m->fit_active);
	free(m->beta_fit);
	free(m->mu_fit);
	free(m->beta_prof);
	free(m->idx);
	free(m->loaded_active);
	free(m->inf);
	free(m->row_off);
	free(m->Xa);
	free(m->rp);
	free(m->ci);
	free(m->cv);
	free(m->H);
	free(m->g);
	free(m->beta);
	free(m->trial);
	free(m->delta);
	free(m->eta);
	free(m->mu);
	free(m);
}

int kith_loglin_new(struct kith_loglin **out, const struct kith_stats_table *t,
		    const struct kith_loglin_spec *spec, struct kith_err *err)
{
	unsigned k = kith_stats_table_lists(t);
	const double *cnt = kith_stats_table_counts(t);
	size_t cells = (size_t)1 << k;
	int fam = spec->family;
	int het = spec->het;
	if (fam < KITH_LOGLIN_HIER || fam > KITH_LOGLIN_MTH)
		return kith_err_set(err, KITH_E_INVALID, NULL, "unknown model family %d", fam);
	if ((fam == KITH_LOGLIN_MH || fam == KITH_LOGLIN_MTH)) {
		if (het == KITH_LOGLIN_HET_NONE)
			het = KITH_LOGLIN_HET_CHAO;
		if (k < 3)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "heterogeneity models need at least 3 lists");
	} else {
		het = KITH_LOGLIN_HET_NONE;
	}
	if (het < KITH_LOGLIN_HET_NONE || het > KITH_LOGLIN_HET_GAMMA)
		return kith_err_set(err, KITH_E_INVALID, NULL, "unknown heterogeneity %d", het);
	double theta = default_theta(spec);
	if ((het == KITH_LOGLIN_HET_POISSON && !(theta > 1 && theta < 100)) ||
	    (het == KITH_LOGLIN_HET_GAMMA && !(theta > 0 && theta < 1e6)))
		return kith_err_set(err, KITH_E_INVALID, NULL, "theta %g is out of range", theta);

	uint32_t *terms = NULL;
	size_t nt = 0;
	if (fam == KITH_LOGLIN_HIER) {
		int rc = closure(spec, k, &terms, &nt, err);
		if (rc)
			return rc;
	}
	/* SPARSE: lists with no one, and two-list terms whose lists never meet */
	uint32_t removed_lists = 0;
	unsigned char *keep_term = NULL;
	unsigned structural = 0;
	int empty_list = 0;
	if (spec->flags & KITH_LOGLIN_SPARSE) {
		for (unsigned j = 0; j < k; j++)
			if (kith_stats_table_list_total(t, j) == 0) {
				removed_lists |= 1u << j;
				empty_list = 1;
			}
	}
	keep_term = malloc(nt ? nt : 1);
	if (!keep_term) {
		free(terms);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	memset(keep_term, 1, nt ? nt : 1);
	uint32_t zero_pairs[256];
	size_t nzp = 0;
	if (spec->flags & KITH_LOGLIN_SPARSE) {
		for (size_t i = 0; i < nt; i++) {
			if (kith_loglin_order(terms[i]) != 2)
				continue;
			double ov = 0;
			for (size_t c = 1; c < cells; c++)
				if ((c & terms[i]) == terms[i])
					ov += cnt[c];
			if (ov == 0 && nzp < 256) {
				zero_pairs[nzp++] = terms[i];
				keep_term[i] = 0;
				structural++;
			}
		}
	}
	/* rows */
	size_t m = 0;
	for (size_t c = 1; c < cells; c++) {
		int drop = (c & removed_lists) != 0;
		for (size_t z = 0; z < nzp && !drop; z++)
			drop = (c & zero_pairs[z]) == zero_pairs[z];
		if (!drop)
			m++;
	}
	/* columns */
	size_t p = 1, nca = 0;
	if (fam == KITH_LOGLIN_HIER) {
		for (unsigned j = 0; j < k; j++)
			if (!(removed_lists & (1u << j)))
				p++;
		for (size_t i = 0; i < nt; i++)
			if (keep_term[i] && !(terms[i] & removed_lists))
				p++;
		nca = p;
	} else {
		p += (fam == KITH_LOGLIN_M0 || fam == KITH_LOGLIN_MH) ? 1 : k;
		nca = p;
		if (het == KITH_LOGLIN_HET_CHAO)
			p += k - 2;
		else if (het != KITH_LOGLIN_HET_NONE)
			p += 1;
	}
	if (m == 0 || p > 4096 || m * p > MAX_DESIGN) {
		free(terms);
		free(keep_term);
		if (m == 0)
			return kith_err_set(err, KITH_E_INVALID, NULL, "no cells left to fit");
		return kith_err_set(err, KITH_E_LIMIT, NULL, "the design (%zu x %zu) is too large", m, p);
	}
	struct kith_loglin *L = calloc(1, sizeof *L);
	if (!L) {
		free(terms);
		free(keep_term);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	L->k = k;
	L->m = m;
	L->p = p;
	L->nca = nca;
	L->chao = het == KITH_LOGLIN_HET_CHAO;
	L->empty_list = empty_list;
	L->structural = structural;
	/* the indicator columns of a family of terms closed under subsets, without
	 * the k-way term, are independent on the 2^k - 1 observable cells
	 * (Moebius inversion): no rank check needed */
	L->plain = fam == KITH_LOGLIN_HIER && m == cells - 1 && p == 1 + k + nt;
	L->n = kith_stats_table_observed(t);
	L->cell = malloc(m * sizeof *L->cell);
	L->y = malloc(m * sizeof *L->y);
	L->X = calloc(m * p, sizeof *L->X);
	L->active = malloc(p);
	L->fit_active = malloc(p);
	L->beta_fit = calloc(p, sizeof(double));
	L->beta_prof = calloc(3 * p, sizeof(double));
	L->mu_fit = calloc(m, sizeof(double));
	L->idx = malloc(p * sizeof *L->idx);
	L->loaded_active = malloc(2 * p);
	L->inf = calloc(p, 1);
	L->row_off = calloc(m, 1);
	L->Xa = malloc(m * p * sizeof(double));
	L->rp = malloc((m + 1) * sizeof *L->rp);
	L->ci = malloc(m * p * sizeof *L->ci);
	L->cv = malloc(m * p * sizeof *L->cv);
	L->H = malloc(p * p * sizeof(double));
	L->g = malloc(p * sizeof(double));
	L->beta = malloc(p * sizeof(double));
	L->trial = malloc(p * sizeof(double));
	L->delta = malloc(p * sizeof(double));
	L->eta = malloc(m * sizeof(double));
	L->mu = malloc(m * sizeof(double));
	if (!L->cell || !L->y || !L->X || !L->active || !L->fit_active || !L->beta_fit || !L->beta_prof ||
	    !L->mu_fit || !L->idx || !L->loaded_active || !L->inf || !L->row_off || !L->Xa || !L->rp ||
	    !L->ci || !L->cv || !L->H || !L->g || !L->beta || !L->trial || !L->delta || !L->eta || !L->mu) {
		free(terms);
		free(keep_term);
		kith_loglin_free(L);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	memset(L->active, 1, p);
	size_t r = 0;
	for (size_t c = 1; c < cells; c++) {
		int drop = (c & removed_lists) != 0;
		for (size_t z = 0; z < nzp && !drop; z++)
			drop = (c & zero_pairs[z]) == zero_pairs[z];
		if (drop)
			continue;
		double *x = L->X + r * p;
		unsigned nb = kith_loglin_order((uint32_t)c);
		size_t col = 0;
		x[col++] = 1.0;
		if (fam == KITH_LOGLIN_HIER) {
			for (unsigned j = 0; j < k; j++)
				if (!(removed_lists & (1u << j)))
					x[col++] = (c >> j) & 1u ? 1.0 : 0.0;
			for (size_t i = 0; i < nt; i++)
				if (keep_term[i] && !(terms[i] & removed_lists))
					x[col++] = ((uint32_t)c & terms[i]) == terms[i] ? 1.0 : 0.0;
		} else {
			if (fam == KITH_LOGLIN_M0 || fam == KITH_LOGLIN_MH) {
				x[col++] = nb;
			} else {
				for (unsigned j = 0; j < k; j++)
					x[col++] = (c >> j) & 1u ? 1.0 : 0.0;
			}
			switch (het) {
			case KITH_LOGLIN_HET_CHAO:
				for (unsigned j = 3; j <= k; j++)
					x[col++] = nb + 1 > j ? (double)(nb + 1 - j) : 0.0;
				break;
			case KITH_LOGLIN_HET_POISSON:
				x[col++] = pow(theta, nb) - 1.0;
				break;
			case KITH_LOGLIN_HET_DARROCH:
				x[col++] = (double)nb * nb / 2.0;
				break;
			case KITH_LOGLIN_HET_GAMMA:
				x[col++] = log(theta) - log(theta + nb);
				break;
			default:
				break;
			}
		}
		L->cell[r] = (uint32_t)c;
		L->y[r] = cnt[c];
		r++;
	}
	free(terms);
	free(keep_term);
	*out = L;
	return KITH_OK;
}

int kith_loglin_unchecked(const struct kith_loglin *m)
{
	return m->unchecked;
}

double kith_loglin_observed(const struct kith_loglin *m)
{
	return m->n;
}

const uint32_t *kith_loglin_cells(const struct kith_loglin *m, size_t *n)
{
	*n = m->m;
	return m->cell;
}

const double *kith_loglin_fitted(const struct kith_loglin *m)
{
	return m->fitted ? m->mu_fit : NULL;
}

/* ---- existence and identifiability ---- */

/*
 * Phase one of the simplex method: is there e >= 0 with C e = g? C is q x nz
 * (row-major). Dantzig's rule, Bland's rule after many degenerate pivots.
 * Returns 1 (feasible), 0 (infeasible), 2 (undecided within the pivot cap),
 * or a negative status.
 */
static int lp_feasible(size_t q, size_t nz, const double *C, const double *g)
{
	size_t cols = nz + q + 1, rhs = nz + q;
	double *T = calloc((q + 1) * cols, sizeof *T);
	size_t *basis = malloc(q * sizeof *basis);
	if (!T || !basis) {
		free(T);
		free(basis);
		return KITH_E_NOMEM;
	}
	double scale = 1;
	for (size_t i = 0; i < q; i++) {
		double sgn = g[i] < 0 ? -1.0 : 1.0;
		for (size_t j = 0; j < nz; j++)
			T[i * cols + j] = sgn * C[i * nz + j];
		T[i * cols + nz + i] = 1.0;
		T[i * cols + rhs] = sgn * g[i];
		scale += fabs(g[i]);
		basis[i] = nz + i;
	}
	double *obj = T + q * cols;
	for (size_t j = 0; j < cols; j++) {
		if (j >= nz && j < rhs)
			continue;
		double s = 0;
		for (size_t i = 0; i < q; i++)
			s += T[i * cols + j];
		obj[j] = -s;
	}
	const double eps = 1e-11;
	size_t iter = 0, stall = 0;
	double last = obj[rhs];
	int bland = 0;
	size_t cap = 100 * (q + 1) + 1000;
	for (; iter < cap; iter++) {
		size_t e = cols;
		double best = -eps;
		for (size_t j = 0; j < rhs; j++) {
			if (obj[j] < best) {
				e = j;
				if (bland)
					break;
				best = obj[j];
			}
		}
		if (e == cols)
			break;
		size_t lv = q;
		double ratio = HUGE_VAL;
		for (size_t i = 0; i < q; i++) {
			double a = T[i * cols + e];
			if (a > eps) {
				double rt = T[i * cols + rhs] / a;
				if (rt < ratio - 1e-14 ||
				    (fabs(rt - ratio) <= 1e-14 && lv < q && basis[i] < basis[lv])) {
					ratio = rt;
					lv = i;
				}
			}
		}
		if (lv == q)
			break; /* unbounded: cannot happen in phase one */
		double piv = T[lv * cols + e];
		for (size_t j = 0; j < cols; j++)
			T[lv * cols + j] /= piv;
		for (size_t i = 0; i <= q; i++) {
			if (i == lv)
				continue;
			double f = T[i * cols + e];
			if (f == 0)
				continue;
			for (size_t j = 0; j < cols; j++)
				T[i * cols + j] -= f * T[lv * cols + j];
		}
		basis[lv] = e;
		if (obj[rhs] > last - 1e-15) {
			if (++stall > 50)
				bland = 1;
		} else {
			stall = 0;
		}
		last = obj[rhs];
	}
	double infeas = -obj[rhs];
	free(T);
	free(basis);
	if (iter >= cap)
		return 2; /* undecided */
	return infeas <= 1e-9 * scale ? 1 : 0;
}

/* Eigen-decomposition of the Gram matrix of the rows `sel` (or all rows when
 * sel is NULL) of the column-scaled active design Xs (m x pa): returns the
 * rank and, when nullv is not NULL, the null vectors as columns of nullv
 * (pa x pa, the first `pa - rank` columns used). */
static int gram_rank(const double *Xs, size_t m, size_t pa, const unsigned char *sel, int want_sel,
		     double *nullv, size_t *rank)
{
	gsl_matrix *G = gsl_matrix_calloc(pa, pa);
	gsl_vector *ev = gsl_vector_alloc(pa);
	gsl_matrix *V = nullv ? gsl_matrix_alloc(pa, pa) : NULL;
	int rc = KITH_OK;
	if (!G || !ev || (nullv && !V)) {
		rc = KITH_E_NOMEM;
		goto out;
	}
	for (size_t r = 0; r < m; r++) {
		if (sel && sel[r] != want_sel)
			continue;
		const double *x = Xs + r * pa;
		for (size_t a = 0; a < pa; a++) {
			if (x[a] == 0)
				continue;
			for (size_t b = 0; b <= a; b++)
				G->data[a * pa + b] += x[a] * x[b];
		}
	}
	for (size_t a = 0; a < pa; a++)
		for (size_t b = 0; b < a; b++)
			G->data[b * pa + a] = G->data[a * pa + b];
	if (nullv) {
		gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(pa);
		if (!w) {
			rc = KITH_E_NOMEM;
			goto out;
		}
		int e = gsl_eigen_symmv(G, ev, V, w);
		gsl_eigen_symmv_free(w);
		if (e) {
			rc = KITH_E_INTERNAL;
			goto out;
		}
	} else {
		gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(pa);
		if (!w) {
			rc = KITH_E_NOMEM;
			goto out;
		}
		int e = gsl_eigen_symm(G, ev, w);
		gsl_eigen_symm_free(w);
		if (e) {
			rc = KITH_E_INTERNAL;
			goto out;
		}
	}
	double mx = 0;
	for (size_t a = 0; a < pa; a++)
		mx = fmax(mx, fabs(ev->data[a]));
	size_t rk = 0, nn = 0;
	for (size_t a = 0; a < pa; a++) {
		if (ev->data[a] > 1e-10 * mx && mx > 0) {
			rk++;
		} else if (nullv) {
			for (size_t b = 0; b < pa; b++)
				nullv[b * pa + nn] = gsl_matrix_get(V, b, a);
			nn++;
		}
	}
	*rank = rk;
out:
	gsl_matrix_free(G);
	gsl_vector_free(ev);
	if (V)
		gsl_matrix_free(V);
	return rc;
}

int kith_loglin_check(struct kith_loglin *L, struct kith_err *err)
{
	if (L->checked)
		return L->state;
	memset(L->active, 1, L->p);
	L->loaded = 0; /* idx is rebuilt here */
	size_t m = L->m, pa = 0;
	for (size_t j = 0; j < L->p; j++)
		if (L->active[j])
			L->idx[pa++] = j;
	/* Chao: the existence of the model without its etas; an eta that would
	 * be infinite is set to 0 by the lower-bound rule (see chao_fit) */
	size_t pa_exist = L->chao ? L->nca : pa;
	if (m < pa) {
		L->checked = 1;
		return L->state = KITH_LOGLIN_NOT_IDENT;
	}
	double *Xs = malloc(m * pa * sizeof *Xs);
	unsigned char *pos = malloc(m);
	double *nullv = malloc(pa * pa * sizeof *nullv);
	double *B = NULL, *C = NULL, *g = NULL;
	int rc = KITH_OK, state = KITH_LOGLIN_OK;
	if (!Xs || !pos || !nullv) {
		rc = KITH_E_NOMEM;
		goto out;
	}
	for (size_t a = 0; a < pa; a++) {
		double s = 0;
		for (size_t r = 0; r < m; r++) {
			double v = L->X[r * L->p + L->idx[a]];
			s += v * v;
		}
		s = s > 0 ? 1.0 / sqrt(s) : 0.0;
		for (size_t r = 0; r < m; r++)
			Xs[r * pa + a] = L->X[r * L->p + L->idx[a]] * s;
	}
	size_t rank;
	rank = pa;
	if (!L->plain) {
		rc = gram_rank(Xs, m, pa, NULL, 0, NULL, &rank);
		if (rc)
			goto out;
	}
	if (rank < pa) {
		state = KITH_LOGLIN_NOT_IDENT;
		goto out;
	}
	if (L->empty_list) {
		state = KITH_LOGLIN_NO_MLE;
		goto out;
	}
	if (pa_exist < pa) { /* keep the first pa_exist columns of Xs */
		for (size_t r = 0; r < m; r++)
			memmove(Xs + r * pa_exist, Xs + r * pa, pa_exist * sizeof *Xs);
		pa = pa_exist;
	}
	/* a column with no negative entry, some positive one and a zero
	 * sufficient statistic: no positive x can match it */
	for (size_t a = 1; a < pa; a++) {
		int neg = 0, posv = 0;
		double stat = 0;
		for (size_t r = 0; r < m; r++) {
			double v = Xs[r * pa + a];
			neg |= v < 0;
			posv |= v > 0;
			stat += v * L->y[r];
		}
		if (!neg && posv && stat == 0) {
			state = KITH_LOGLIN_NO_MLE;
			goto out;
		}
	}
	size_t nz = 0;
	for (size_t r = 0; r < m; r++) {
		pos[r] = L->y[r] > 0;
		nz += !pos[r];
	}
	if (nz == 0)
		goto out;
	rc = gram_rank(Xs, m, pa, pos, 1, nullv, &rank);
	if (rc)
		goto out;
	size_t q = pa - rank;
	if (q == 0)
		goto out; /* the positive cells alone pin every parameter */
	if ((double)q * (double)(nz + q + 1) > 3e7 || (double)nz * (double)pa * (double)q > 5e8) {
		L->unchecked = 1; /* too large a program to solve here: fit, and say so */
		goto out;
	}
	/* B = X_Z N (nz x q); the LP: e >= 0 with B' e = -B' 1 */
	B = calloc(nz * q, sizeof *B);
	C = calloc(q * nz, sizeof *C);
	g = calloc(q, sizeof *g);
	if (!B || !C || !g) {
		rc = KITH_E_NOMEM;
		goto out;
	}
	size_t zi = 0;
	for (size_t r = 0; r < m; r++) {
		if (pos[r])
			continue;
		for (size_t c = 0; c < q; c++) {
			double s = 0;
			for (size_t a = 0; a < pa; a++)
				s += Xs[r * pa + a] * nullv[a * pa + c];
			B[zi * q + c] = s;
		}
		zi++;
	}
	for (size_t c = 0; c < q; c++) {
		double s = 0;
		for (size_t z = 0; z < nz; z++) {
			C[c * nz + z] = B[z * q + c];
			s += B[z * q + c];
		}
		g[c] = -s;
	}
	int f = lp_feasible(q, nz, C, g);
	if (f < 0) {
		rc = f;
		goto out;
	}
	if (f == 2)
		L->unchecked = 1;
	else
		state = f ? KITH_LOGLIN_OK : KITH_LOGLIN_NO_MLE;
out:
	free(Xs);
	free(pos);
	free(nullv);
	free(B);
	free(C);
	free(g);
	if (rc) {
		return kith_err_set(err, rc, NULL,
				    rc == KITH_E_NOMEM
					? "out of memory"
					: "the existence check failed (eigen solver or simplex)");
	}
	L->checked = 1;
	L->state = state;
	return state;
}

/* ---- Newton-Raphson (IRLS) ---- */

static void load_active(struct kith_loglin *L)
{
	if (L->loaded && memcmp(L->loaded_active, L->active, L->p) == 0 &&
	    memcmp(L->loaded_active + L->p, L->inf, L->p) == 0)
		return;
	memcpy(L->loaded_active, L->active, L->p);
	memcpy(L->loaded_active + L->p, L->inf, L->p);
	L->loaded = 1;
	size_t pa = 0;
	int any_inf = 0;
	for (size_t j = 0; j < L->p; j++) {
		if (L->active[j] && !L->inf[j])
			L->idx[pa++] = j;
		any_inf |= L->inf[j];
	}
	L->pa = pa;
	size_t nz = 0;
	for (size_t r = 0; r < L->m; r++) {
		int off = 0;
		for (size_t j = 0; any_inf && j < L->p && !off; j++)
			off = L->inf[j] && L->X[r * L->p + j] > 0;
		L->row_off[r] = (unsigned char)off;
		L->rp[r] = nz;
		for (size_t a = 0; a < pa; a++) {
			double v = off ? 0.0 : L->X[r * L->p + L->idx[a]];
			L->Xa[r * pa + a] = v;
			if (v != 0) {
				L->ci[nz] = (unsigned)a;
				L->cv[nz++] = v;
			}
		}
	}
	L->rp[L->m] = nz;
}

/* y = Xa b (compressed rows) */
static void design_mul(const struct kith_loglin *L, const double *b, double *y)
{
	for (size_t r = 0; r < L->m; r++) {
		double s = 0;
		for (size_t e = L->rp[r]; e < L->rp[r + 1]; e++)
			s += L->cv[e] * b[L->ci[e]];
		y[r] = s;
	}
}

/* g = Xa' v */
static void design_tmul(const struct kith_loglin *L, const double *v, double *g)
{
	memset(g, 0, L->pa * sizeof *g);
	for (size_t r = 0; r < L->m; r++) {
		double w = v[r];
		if (w == 0)
			continue;
		for (size_t e = L->rp[r]; e < L->rp[r + 1]; e++)
			g[L->ci[e]] += L->cv[e] * w;
	}
}

/* y log(y / mu) - (y - mu), without cancellation when y and mu are large
 * and close (the unobserved cell at a huge N). */
static double dev_term(double y, double mu)
{
	if (y <= 0)
		return mu;
	double x = (y - mu) / mu;
	if (fabs(x) < 1e-3)
		return mu * x * x * (0.5 + x * (-1.0 / 6 + x * (1.0 / 12 + x * (-1.0 / 20 + x / 30))));
	return mu * ((1 + x) * log1p(x) - x);
}

/* Deviance at coefficients b (length pa); fills eta and mu. With aug, the
 * unobserved cell (design row = intercept only) with count n0 is included and
 * its mean returned in *mu0. */
static double deviance_at(struct kith_loglin *L, const double *b, int aug, double n0, double *mu0)
{
	size_t m = L->m;
	design_mul(L, b, L->eta);
	double dev = 0;
	for (size_t r = 0; r < m; r++) {
		if (L->row_off[r]) { /* an infinite eta: mean 0, and y is 0 there */
			L->mu[r] = 0;
			continue;
		}
		double e = L->eta[r];
		if (!(e < 700))
			return HUGE_VAL;
		double mu = exp(e);
		L->mu[r] = mu;
		double y = L->y[r];
		dev += (y > 0 ? y * log(y / mu) : 0.0) - (y - mu);
	}
	if (aug) {
		if (!(b[0] < 700))
			return HUGE_VAL;
		double m0 = exp(b[0]);
		*mu0 = m0;
		dev += dev_term(n0, m0);
	}
	return 2 * dev;
}

/* H = Xa' diag(mu) Xa (+ mu0 at [0][0]) into L->H, lower triangle (the
 * Cholesky factorisation reads only that). */
static void information(struct kith_loglin *L, int aug, double mu0)
{
	size_t pa = L->pa;
	memset(L->H, 0, pa * pa * sizeof *L->H);
	for (size_t r = 0; r < L->m; r++) {
		double mu = L->mu[r];
		size_t e0 = L->rp[r], e1 = L->rp[r + 1];
		for (size_t e = e0; e < e1; e++) {
			double w = mu * L->cv[e];
			double *row = L->H + (size_t)L->ci[e] * pa;
			for (size_t f = e0; f <= e; f++)
				row[L->ci[f]] += w * L->cv[f];
		}
	}
	if (aug)
		L->H[0] += mu0;
}

/* x = (L L')^-1 g from the factor L that chol_solve leaves in H (with the
 * reciprocals of its diagonal on the diagonal); row-wise in both passes */
static void chol_subst(const double *H, size_t n, const double *g, double *x)
{
	for (size_t i = 0; i < n; i++) {
		const double *ri = H + i * n;
		double v = g[i];
		for (size_t k = 0; k < i; k++)
			v -= ri[k] * x[k];
		x[i] = v * ri[i];
	}
	for (size_t i = n; i-- > 0;) {
		const double *ri = H + i * n;
		double xi = x[i] * ri[i];
		x[i] = xi;
		for (size_t k = 0; k < i; k++)
			x[k] -= ri[k] * xi;
	}
}

/*
 * Solves H x = g by Cholesky's factorisation of H's lower triangle (row-major
 * n x n, overwritten with the factor, whose diagonal holds reciprocals). The
 * systems here have at most a few dozen unknowns and are solved some 100,000
 * times in a model search, where GSL's blocked routines (views, BLAS calls
 * per column) cost more than the arithmetic. Returns -1 when H is not
 * positive definite (a pivot <= 0), as gsl_linalg_cholesky_decomp1 refuses it.
 */
static int chol_solve(double *H, size_t n, const double *g, double *x)
{
	for (size_t j = 0; j < n; j++) {
		double *rj = H + j * n;
		double d = rj[j];
		for (size_t k = 0; k < j; k++)
			d -= rj[k] * rj[k];
		if (!(d > 0))
			return -1;
		double inv = 1 / sqrt(d);
		rj[j] = inv;
		for (size_t i = j + 1; i < n; i++) {
			double *ri = H + i * n;
			double v = ri[j];
			for (size_t k = 0; k < j; k++)
				v -= ri[k] * rj[k];
			ri[j] = v * inv;
		}
	}
	chol_subst(H, n, g, x);
	return 0;
}

/*
 * Fits the active columns. start: coefficients over all p columns (used for
 * the active ones), or NULL for R's start (mu = y + 0.1). Leaves the solution
 * in L->beta (pa) and mu in L->mu; *dev_out the deviance. Returns a state.
 */
static int irls(struct kith_loglin *L, const double *start, int aug, double n0, double *dev_out,
		unsigned *iters)
{
	/* the profile refits (aug) only need the deviance: a looser step test */
	double step_tol = aug ? 1e-5 : 1e-6;
	load_active(L);
	L->factored = 0;
	*iters = 0;
	size_t m = L->m, pa = L->pa;
	double mu0 = 0;
	if (!start) {
		/* R's glm: mu = y + 0.1, one weighted least-squares step on the
		 * working response z = eta + (y - mu) / mu */
		for (size_t r = 0; r < m; r++)
			L->mu[r] = L->y[r] + 0.1;
		mu0 = n0 + 0.1;
		information(L, aug, mu0);
		for (size_t r = 0; r < m; r++) {
			double mu = L->mu[r];
			L->eta[r] = mu * (log(mu) + (L->y[r] - mu) / mu); /* w * z */
		}
		design_tmul(L, L->eta, L->g);
		if (aug)
			L->g[0] += mu0 * (log(mu0) + (n0 - mu0) / mu0);
		if (chol_solve(L->H, pa, L->g, L->delta))
			return KITH_LOGLIN_NOT_IDENT;
		memcpy(L->beta, L->delta, pa * sizeof(double));
	} else {
		for (size_t a = 0; a < pa; a++)
			L->beta[a] = start[L->idx[a]];
	}
	double dev = deviance_at(L, L->beta, aug, n0, &mu0);
	if (!isfinite(dev)) {
		/* a bad start: fall back to R's */
		if (start)
			return irls(L, NULL, aug, n0, dev_out, iters);
		return KITH_LOGLIN_NO_CONVERGENCE;
	}
	unsigned it;
	int converged = 0;
	for (it = 1; it <= MAX_ITER; it++) {
		/* gradient X'(y - mu) and information at beta (mu is current) */
		for (size_t r = 0; r < m; r++)
			L->eta[r] = L->y[r] - L->mu[r];
		design_tmul(L, L->eta, L->g);
		if (aug)
			L->g[0] += n0 - mu0;
		information(L, aug, mu0);
		if (chol_solve(L->H, pa, L->g, L->delta))
			return KITH_LOGLIN_NOT_IDENT;
		L->factored = 1;
		double step = 1.0, nd = HUGE_VAL;
		for (int h = 0; h < 40; h++) {
			for (size_t a = 0; a < pa; a++)
				L->trial[a] = L->beta[a] + step * L->delta[a];
			nd = deviance_at(L, L->trial, aug, n0, &mu0);
			if (isfinite(nd) && nd <= dev + 1e-12 * (fabs(dev) + 1))
				break;
			step *= 0.5;
		}
		if (!isfinite(nd))
			return KITH_LOGLIN_NO_CONVERGENCE;
		double maxd = 0;
		for (size_t a = 0; a < pa; a++)
			maxd = fmax(maxd, fabs(step * L->delta[a]));
		memcpy(L->beta, L->trial, pa * sizeof(double));
		double change = fabs(nd - dev) / (fabs(nd) + 0.1);
		dev = nd;
		if (change < DEV_TOL && maxd < step_tol) {
			converged = 1;
			break;
		}
		if (nd <= dev && step < 1e-10) /* no progress possible */
			break;
	}
	/* mu and eta correspond to beta (the last accepted trial) */
	*dev_out = dev;
	*iters = it;
	return converged ? KITH_LOGLIN_OK : KITH_LOGLIN_NO_CONVERGENCE;
}

/*
 * Chao's lower bound as Rcapture fits it: fit, then drop the first negative
 * eta (in column order) and refit, until none is negative. An eta whose
 * sufficient statistic is 0 (nobody in the cells of its column) goes to
 * -infinity in R's glm: it counts as negative, and until it is dropped the fit
 * is the limit one (its cells at mean 0, the other parameters finite).
 * Starts from the columns active on entry.
 */
static int chao_fit(struct kith_loglin *L, int aug, double n0, double *dev, unsigned *iters)
{
	for (;;) {
		for (size_t j = L->nca; j < L->p; j++) {
			double s = 0;
			for (size_t r = 0; r < L->m && L->active[j]; r++)
				s += L->X[r * L->p + j] * L->y[r];
			L->inf[j] = L->active[j] && s == 0;
		}
		int st = irls(L, NULL, aug, n0, dev, iters);
		if (st != KITH_LOGLIN_OK) {
			memset(L->inf, 0, L->p);
			return st;
		}
		size_t neg = L->p;
		for (size_t j = L->nca; j < L->p && neg == L->p; j++) {
			if (!L->active[j])
				continue;
			if (L->inf[j]) {
				neg = j;
				break;
			}
			for (size_t a = 0; a < L->pa; a++)
				if (L->idx[a] == j && L->beta[a] < 0)
					neg = j;
		}
		if (neg == L->p) {
			memset(L->inf, 0, L->p); /* none is left: no inf either */
			return KITH_LOGLIN_OK;
		}
		L->active[neg] = 0;
	}
}

int kith_loglin_fit(struct kith_loglin *L, struct kith_loglin_result *res, struct kith_err *err)
{
	(void)err;
	memset(res, 0, sizeof *res);
	memset(L->active, 1, L->p);
	L->fitted = 0;
	L->have_prof = 0;
	double dev;
	unsigned iters;
	int st = L->chao ? chao_fit(L, 0, 0, &dev, &iters) : irls(L, NULL, 0, 0, &dev, &iters);
	res->state = st;
	res->iterations = iters;
	res->structural = L->structural;
	if (st != KITH_LOGLIN_OK)
		return KITH_OK;
	size_t m = L->m, pa = L->pa;
	double ll = 0;
	for (size_t r = 0; r < m; r++) {
		double y = L->y[r], mu = L->mu[r];
		ll += (y > 0 ? y * log(mu) : 0.0) - mu - lgamma(y + 1);
	}
	/* inverse information at the solution */
	information(L, 0, 0);
	gsl_matrix_view Hv = gsl_matrix_view_array(L->H, pa, pa);
	if (gsl_linalg_cholesky_decomp1(&Hv.matrix) || gsl_linalg_cholesky_invert(&Hv.matrix)) {
		res->state = KITH_LOGLIN_NOT_IDENT;
		return KITH_OK;
	}
	const double *V = L->H;
	double b0 = L->beta[0];
	double e0 = exp(b0);
	/* asymptotic bias (Rcapture's closedp.fitone) */
	double *psi = L->g;
	memset(psi, 0, pa * sizeof *psi);
	for (size_t r = 0; r < m; r++) {
		const double *x = L->Xa + r * pa;
		double qf = 0;
		for (size_t a = 0; a < pa; a++) {
			if (x[a] == 0)
				continue;
			double s = 0;
			for (size_t b = 0; b < pa; b++)
				s += V[a * pa + b] * x[b];
			qf += x[a] * s;
		}
		for (size_t a = 0; a < pa; a++)
			psi[a] += L->mu[r] * qf * x[a];
	}
	psi[0] -= 1.0;
	double v10 = 0;
	for (size_t b = 0; b < pa; b++)
		v10 -= V[b] * psi[b];
	res->bias = 0.5 * e0 * v10;
	res->n_hat = L->n + e0;
	res->se = sqrt(e0 + e0 * e0 * V[0]);
	res->deviance = dev;
	res->df = (double)m - (double)pa;
	res->loglik = ll;
	res->aic = -2 * ll + 2.0 * (double)pa;
	res->bic = -2 * ll + log(L->n) * (double)pa;
	res->intercept = b0;
	res->n_params = (unsigned)pa;
	res->dropped = 0;
	for (size_t j = L->nca; j < L->p; j++)
		res->dropped += !L->active[j];
	if (!isfinite(res->n_hat) || !isfinite(res->se)) {
		res->state = KITH_LOGLIN_NO_CONVERGENCE;
		return KITH_OK;
	}
	memcpy(L->fit_active, L->active, L->p);
	memset(L->beta_fit, 0, L->p * sizeof(double));
	for (size_t a = 0; a < pa; a++)
		L->beta_fit[L->idx[a]] = L->beta[a];
	memcpy(L->mu_fit, L->mu, m * sizeof(double));
	L->fitted = 1;
	return KITH_OK;
}

/* Cormack's correction term as Rcapture computes it, written without the
 * cancellation of n0 - N (= -n) when N is huge. */
static double cormack(double N, double n0, double n)
{
	if (N > 100) {
		if (n0 == 0 || n0 == 1)
			return -N + 0.5 * log(2 * M_PI * N);
		return -n - 0.5 * log1p(-n / N);
	}
	double a = n0 > 0 ? n0 * log(n0) : 0.0;
	return a + lgamma(N + 1) - N * log(N) - lgamma(n0 + 1);
}

/* d/dN of cormack(N, N - n). */
static double cormack_d(double N, double n0, double n)
{
	if (N > 100) {
		if (n0 == 0 || n0 == 1)
			return -1 + 0.5 / N;
		return -0.5 * n / (n0 * N);
	}
	double a = n0 > 0 ? log(n0) : -HUGE_VAL;
	return a - log(N) + gsl_sf_psi(N + 1) - gsl_sf_psi(n0 + 1);
}

int kith_loglin_profile(struct kith_loglin *L, double N, double *loglik, double *dloglik,
			struct kith_err *err)
{
	*loglik = -HUGE_VAL;
	if (dloglik)
		*dloglik = NAN;
	if (!L->fitted)
		return kith_err_set(err, KITH_E_INVALID, NULL, "profile likelihood before a fit");
	if (!(N >= L->n) || !isfinite(N))
		return kith_err_set(err, KITH_E_INVALID, NULL, "profile likelihood below the observed total");
	double n0 = N - L->n;
	/* Rcapture refits the full model (every eta back in for Chao) */
	memset(L->active, 1, L->p);
	if (!L->chao)
		memcpy(L->active, L->fit_active, L->p);
	const double *start = L->have_prof ? L->beta_prof : L->beta_fit;
	if (L->have_prof && L->have_dprof && !L->chao) {
		/* predict the refit at n0 from the last one: beta + (d beta / d n0)
		 * (n0 - n0_prof), so that Newton starts next to its solution */
		double *st = L->beta_prof + 2 * L->p;
		const double *dp = L->beta_prof + L->p;
		for (size_t j = 0; j < L->p; j++)
			st[j] = L->beta_prof[j] + dp[j] * (n0 - L->n0_prof);
		start = st;
	}
	double dev;
	unsigned iters;
	int st;
	if (L->chao) {
		st = chao_fit(L, 1, n0, &dev, &iters);
	} else {
		st = irls(L, start, 1, n0, &dev, &iters);
		if (st != KITH_LOGLIN_OK && start == L->beta_prof + 2 * L->p) {
			/* the prediction led astray (it extrapolates a line): from the
			 * last refit itself */
			memcpy(L->active, L->fit_active, L->p);
			st = irls(L, L->beta_prof, 1, n0, &dev, &iters);
		}
		if (st == KITH_LOGLIN_NO_CONVERGENCE && L->have_prof) {
			/* retry from R's start */
			memcpy(L->active, L->fit_active, L->p);
			st = irls(L, NULL, 1, n0, &dev, &iters);
		}
	}
	if (st != KITH_LOGLIN_OK)
		return kith_err_set(err, KITH_E_INTERNAL, NULL,
				    "the profile refit at N = %.1f did not converge", N);
	memset(L->beta_prof, 0, 2 * L->p * sizeof(double));
	for (size_t a = 0; a < L->pa; a++)
		L->beta_prof[L->idx[a]] = L->beta[a];
	L->have_prof = 1;
	L->have_dprof = 0;
	if (!L->chao && L->factored) {
		/* H^-1 e0 from the factor of the refit's last Newton step */
		memset(L->g, 0, L->pa * sizeof *L->g);
		L->g[0] = 1;
		chol_subst(L->H, L->pa, L->g, L->delta);
		double *dp = L->beta_prof + L->p;
		for (size_t a = 0; a < L->pa; a++)
			dp[L->idx[a]] = L->delta[a];
		L->have_dprof = 1;
		L->n0_prof = n0;
	}
	*loglik = -dev / 2 + cormack(N, n0, L->n);
	if (dloglik) {
		double mu0 = exp(L->beta[0]);
		*dloglik = (n0 > 0 ? -log1p((n0 - mu0) / mu0) : HUGE_VAL) + cormack_d(N, n0, L->n);
	}
	return KITH_OK;
}

/* ---- names ---- */

static int put(char *buf, size_t size, size_t *len, const char *s)
{
	size_t l = strlen(s);
	if (*len + l < size)
		memcpy(buf + *len, s, l + 1);
	*len += l;
	return 0;
}

int kith_loglin_name(const struct kith_loglin_spec *spec, unsigned k, char *buf, size_t size)
{
	char tmp[64];
	if (size)
		buf[0] = '\0';
	switch (spec->family) {
	case KITH_LOGLIN_M0:
		return snprintf(buf, size, "M0");
	case KITH_LOGLIN_MT:
		return snprintf(buf, size, "Mt");
	case KITH_LOGLIN_MH:
	case KITH_LOGLIN_MTH: {
		const char *f = spec->family == KITH_LOGLIN_MH ? "Mh" : "Mth";
		double th = default_theta(spec);
		switch (spec->het) {
		case KITH_LOGLIN_HET_NONE:
		case KITH_LOGLIN_HET_CHAO:
			return snprintf(buf, size, "%s Chao", f);
		case KITH_LOGLIN_HET_POISSON:
			return snprintf(buf, size, "%s Poisson%g", f, th);
		case KITH_LOGLIN_HET_DARROCH:
			return snprintf(buf, size, "%s Darroch", f);
		case KITH_LOGLIN_HET_GAMMA:
			return snprintf(buf, size, "%s Gamma%g", f, th);
		}
		return KITH_E_INVALID;
	}
	case KITH_LOGLIN_HIER:
		break;
	default:
		return KITH_E_INVALID;
	}
	if (k < 2 || k > KITH_STATS_MAX_LISTS)
		return KITH_E_INVALID;
	/* maximal terms of the closure, and the main effects they do not cover */
	size_t n = spec->n_terms;
	uint32_t *gen = malloc((n + k + 1) * sizeof *gen);
	if (!gen)
		return KITH_E_NOMEM;
	size_t ng = 0;
	uint32_t covered = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t t = spec->terms[i];
		if (kith_loglin_order(t) < 2 || t >= (1u << k)) {
			free(gen);
			return KITH_E_INVALID;
		}
		int maximal = 1;
		for (size_t j = 0; j < n && maximal; j++)
			if (spec->terms[j] != t && (spec->terms[j] & t) == t)
				maximal = 0;
		if (maximal)
			gen[ng++] = t;
		covered |= t;
	}
	for (unsigned j = 0; j < k; j++)
		if (!(covered & (1u << j)))
			gen[ng++] = 1u << j;
	ng = kith_loglin_sort_terms(gen, ng);
	size_t len = 0;
	put(buf, size, &len, "[");
	for (size_t i = 0; i < ng; i++) {
		if (i)
			put(buf, size, &len, ",");
		int first = 1;
		for (unsigned j = 0; j < k; j++) {
			if (!(gen[i] & (1u << j)))
				continue;
			snprintf(tmp, sizeof tmp, "%s%u", (k >= 10 && !first) ? "." : "", j + 1);
			put(buf, size, &len, tmp);
			first = 0;
		}
	}
	put(buf, size, &len, "]");
	free(gen);
	return (int)len;
}

int kith_loglin_parse_name(const char *name, unsigned k, struct kith_loglin_spec *spec, uint32_t *terms,
			   size_t cap, struct kith_err *err)
{
	memset(spec, 0, sizeof *spec);
	struct {
		const char *s;
		int fam, het;
	} fixed[] = {
	    {"M0", KITH_LOGLIN_M0, 0},
	    {"Mt", KITH_LOGLIN_MT, 0},
	    {"Mh Chao", KITH_LOGLIN_MH, KITH_LOGLIN_HET_CHAO},
	    {"Mh Poisson2", KITH_LOGLIN_MH, KITH_LOGLIN_HET_POISSON},
	    {"Mh Darroch", KITH_LOGLIN_MH, KITH_LOGLIN_HET_DARROCH},
	    {"Mh Gamma3.5", KITH_LOGLIN_MH, KITH_LOGLIN_HET_GAMMA},
	    {"Mth Chao", KITH_LOGLIN_MTH, KITH_LOGLIN_HET_CHAO},
	    {"Mth Poisson2", KITH_LOGLIN_MTH, KITH_LOGLIN_HET_POISSON},
	    {"Mth Darroch", KITH_LOGLIN_MTH, KITH_LOGLIN_HET_DARROCH},
	    {"Mth Gamma3.5", KITH_LOGLIN_MTH, KITH_LOGLIN_HET_GAMMA},
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (strcmp(name, fixed[i].s) == 0) {
			spec->family = fixed[i].fam;
			spec->het = fixed[i].het;
			return KITH_OK;
		}
	size_t len = strlen(name);
	if (len < 2 || name[0] != '[' || name[len - 1] != ']')
		return kith_err_set(err, KITH_E_INVALID, NULL, "unknown model name");
	size_t nt = 0;
	const char *p = name + 1, *end = name + len - 1;
	while (p < end) {
		uint32_t t = 0;
		const char *q = p;
		while (q < end && *q != ',') {
			unsigned v = 0;
			if (*q < '0' || *q > '9')
				return kith_err_set(err, KITH_E_INVALID, NULL, "bad character in model name");
			if (k >= 10) {
				while (q < end && *q >= '0' && *q <= '9') {
					v = v * 10 + (unsigned)(*q - '0');
					if (v > 99)
						break;
					q++;
				}
				if (q < end && *q == '.')
					q++;
			} else {
				v = (unsigned)(*q - '0');
				q++;
			}
			if (v < 1 || v > k)
				return kith_err_set(err, KITH_E_INVALID, NULL, "list %u is not one of 1..%u",
						    v, k);
			if (t & (1u << (v - 1)))
				return kith_err_set(err, KITH_E_INVALID, NULL, "list %u twice in a term", v);
			t |= 1u << (v - 1);
		}
		if (t == 0)
			return kith_err_set(err, KITH_E_INVALID, NULL, "empty term in model name");
		if (kith_loglin_order(t) >= 2) {
			if (nt == cap)
				return kith_err_set(err, KITH_E_LIMIT, NULL, "more than %zu terms", cap);
			terms[nt++] = t;
		}
		p = q < end ? q + 1 : q;
	}
	spec->family = KITH_LOGLIN_HIER;
	spec->terms = terms;
	spec->n_terms = nt;
	return KITH_OK;
}
