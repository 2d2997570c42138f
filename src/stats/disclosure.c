/*
 * disclosure — small-cell and secondary suppression, the attacker's linear
 * program, and k-anonymity of record-level exports (see disclosure.h).
 */
#include "stats/disclosure.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9

/* ---- the table's lines ---- */

struct lines {
	size_t n;     /* lines */
	size_t *off;  /* n + 1 offsets into ent/coef */
	size_t *ent;  /* entries of each line */
	double *coef; /* +1 for a part, -1 for the total */
};

static int active(size_t r, size_t c, size_t e)
{
	if (e < r * c)
		return 1;
	if (e < r * c + r)
		return c > 1;
	if (e < r * c + r + c)
		return r > 1;
	return r > 1 && c > 1;
}

static int lines_build(size_t r, size_t c, struct lines *L)
{
	size_t nl = (c > 1 ? r : 0) + (r > 1 ? c : 0) + (r > 1 && c > 1 ? 2 : 0);
	size_t cap = 2 * (r * c + r + c + 1) + 4;
	L->n = 0;
	L->off = malloc((nl + 1) * sizeof *L->off);
	L->ent = malloc(cap * sizeof *L->ent);
	L->coef = malloc(cap * sizeof *L->coef);
	if (!L->off || !L->ent || !L->coef)
		return KITH_E_NOMEM;
	size_t k = 0;
#define PUT(e, s) (L->ent[k] = (e), L->coef[k] = (s), k++)
	L->off[0] = 0;
	if (c > 1)
		for (size_t i = 0; i < r; i++) {
			for (size_t j = 0; j < c; j++)
				PUT(kith_disc_cell(c, i, j), 1.0);
			PUT(kith_disc_row(r, c, i), -1.0);
			L->off[++L->n] = k;
		}
	if (r > 1)
		for (size_t j = 0; j < c; j++) {
			for (size_t i = 0; i < r; i++)
				PUT(kith_disc_cell(c, i, j), 1.0);
			PUT(kith_disc_col(r, c, j), -1.0);
			L->off[++L->n] = k;
		}
	if (r > 1 && c > 1) {
		for (size_t i = 0; i < r; i++)
			PUT(kith_disc_row(r, c, i), 1.0);
		PUT(kith_disc_grand(r, c), -1.0);
		L->off[++L->n] = k;
		for (size_t j = 0; j < c; j++)
			PUT(kith_disc_col(r, c, j), 1.0);
		PUT(kith_disc_grand(r, c), -1.0);
		L->off[++L->n] = k;
	}
#undef PUT
	return KITH_OK;
}

static void lines_free(struct lines *L)
{
	free(L->off);
	free(L->ent);
	free(L->coef);
}

/* ---- a dense two-phase simplex (Bland's rule) ---- */

struct lp {
	size_t m, n;	     /* constraints, variables (without the artificials) */
	size_t w;	     /* row width: n + m + 1 (the last column is the right-hand side) */
	double *T;	     /* m rows of the tableau */
	size_t *basis;	     /* m */
	unsigned char *dead; /* redundant rows */
};

static void pivot(struct lp *P, double *z, size_t pr, size_t pc)
{
	double *row = P->T + pr * P->w, inv = 1.0 / row[pc];
	for (size_t j = 0; j < P->w; j++)
		row[j] *= inv;
	row[pc] = 1.0;
	for (size_t i = 0; i < P->m; i++) {
		if (i == pr || P->dead[i])
			continue;
		double *ri = P->T + i * P->w, f = ri[pc];
		if (fabs(f) < 1e-15)
			continue;
		for (size_t j = 0; j < P->w; j++)
			ri[j] -= f * row[j];
		ri[pc] = 0;
	}
	double f = z[pc];
	if (fabs(f) >= 1e-15) {
		for (size_t j = 0; j < P->w; j++)
			z[j] -= f * row[j];
		z[pc] = 0;
	}
	P->basis[pr] = pc;
}

/* Minimises the objective whose reduced costs are z (z[w-1] = -value) over
 * the columns < ncols. 0 at the optimum, 1 unbounded, -1 no progress. */
static int run(struct lp *P, double *z, size_t ncols)
{
	for (size_t it = 0; it < 100000; it++) {
		size_t pc = SIZE_MAX;
		for (size_t j = 0; j < ncols; j++)
			if (z[j] < -EPS) {
				pc = j;
				break;
			}
		if (pc == SIZE_MAX)
			return 0;
		size_t pr = SIZE_MAX;
		double best = HUGE_VAL;
		for (size_t i = 0; i < P->m; i++) {
			if (P->dead[i])
				continue;
			double a = P->T[i * P->w + pc];
			if (a <= EPS)
				continue;
			double ratio = P->T[i * P->w + P->w - 1] / a;
			if (ratio < best - EPS ||
			    (ratio < best + EPS && pr != SIZE_MAX && P->basis[i] < P->basis[pr])) {
				best = ratio;
				pr = i;
			}
		}
		if (pr == SIZE_MAX)
			return 1;
		pivot(P, z, pr, pc);
	}
	return -1;
}

/* Sets up A x = b, x >= 0 and finds a feasible basis. 0, or KITH_E_NOMEM /
 * KITH_E_INTERNAL (infeasible: the published table is inconsistent). */
static int lp_init(struct lp *P, size_t m, size_t n, const double *A, const double *b)
{
	P->m = m;
	P->n = n;
	P->w = n + m + 1;
	P->T = calloc(m * P->w, sizeof *P->T);
	P->basis = malloc((m ? m : 1) * sizeof *P->basis);
	P->dead = calloc(m ? m : 1, 1);
	double *z = calloc(P->w, sizeof *z);
	if (!P->T || !P->basis || !P->dead || !z) {
		free(z);
		return KITH_E_NOMEM;
	}
	for (size_t i = 0; i < m; i++) {
		double s = b[i] < 0 ? -1.0 : 1.0;
		double *row = P->T + i * P->w;
		for (size_t j = 0; j < n; j++)
			row[j] = s * A[i * n + j];
		row[n + i] = 1.0;
		row[P->w - 1] = s * b[i];
		P->basis[i] = n + i;
		for (size_t j = 0; j < P->w; j++)
			if (j < n || j == P->w - 1)
				z[j] -= row[j];
	}
	int rc = run(P, z, n);
	if (rc != 0 || z[P->w - 1] < -1e-6) {
		free(z);
		return KITH_E_INTERNAL;
	}
	/* drive the artificials out of the basis; a row where none can leave is redundant */
	for (size_t i = 0; i < m; i++) {
		if (P->basis[i] < n)
			continue;
		size_t pc = SIZE_MAX;
		for (size_t j = 0; j < n && pc == SIZE_MAX; j++)
			if (fabs(P->T[i * P->w + j]) > EPS)
				pc = j;
		if (pc == SIZE_MAX)
			P->dead[i] = 1;
		else
			pivot(P, z, i, pc);
	}
	free(z);
	return 0;
}

static void lp_free(struct lp *P)
{
	free(P->T);
	free(P->basis);
	free(P->dead);
}

/* min (sign = 1) or max (sign = -1) of variable t from the feasible basis. */
static int lp_extreme(const struct lp *P0, size_t t, double sign, double *out)
{
	struct lp P = *P0;
	P.T = malloc(P0->m * P0->w * sizeof *P.T);
	P.basis = malloc((P0->m ? P0->m : 1) * sizeof *P.basis);
	double *z = calloc(P0->w, sizeof *z);
	if (!P.T || !P.basis || !z) {
		free(P.T);
		free(P.basis);
		free(z);
		return KITH_E_NOMEM;
	}
	memcpy(P.T, P0->T, P0->m * P0->w * sizeof *P.T);
	memcpy(P.basis, P0->basis, P0->m * sizeof *P.basis);
	z[t] = sign;
	for (size_t i = 0; i < P.m; i++) {
		if (P.dead[i] || P.basis[i] != t)
			continue;
		const double *row = P.T + i * P.w;
		for (size_t j = 0; j < P.w; j++)
			z[j] -= sign * row[j];
	}
	int rc = run(&P, z, P.n);
	if (rc == 1)
		*out = sign > 0 ? -HUGE_VAL : HUGE_VAL;
	else
		*out = sign * -z[P.w - 1];
	free(P.T);
	free(P.basis);
	free(z);
	return rc < 0 ? KITH_E_INTERNAL : KITH_OK;
}

/* ---- the public functions ---- */

int kith_disc_totals(size_t r, size_t c, const double *cells, double *values, struct kith_err *err)
{
	if (!r || !c || kith_disc_entries(r, c) > KITH_DISC_MAX_ENTRIES)
		return kith_err_set(err, KITH_E_INVALID, NULL, "a table needs 1 to %u entries",
				    KITH_DISC_MAX_ENTRIES);
	memset(values, 0, kith_disc_entries(r, c) * sizeof *values);
	for (size_t i = 0; i < r; i++)
		for (size_t j = 0; j < c; j++) {
			double v = cells[kith_disc_cell(c, i, j)];
			if (!(v >= 0 && v <= 1e15 && v == floor(v)))
				return kith_err_set(err, KITH_E_INVALID, NULL, "cell %zu,%zu: not a count",
						    i + 1, j + 1);
			values[kith_disc_cell(c, i, j)] = v;
			values[kith_disc_row(r, c, i)] += v;
			values[kith_disc_col(r, c, j)] += v;
			values[kith_disc_grand(r, c)] += v;
		}
	return KITH_OK;
}

int kith_disc_audit(size_t r, size_t c, const double *values, const unsigned char *state, double *lo,
		    double *hi, struct kith_err *err)
{
	if (!r || !c || kith_disc_entries(r, c) > KITH_DISC_MAX_ENTRIES)
		return kith_err_set(err, KITH_E_INVALID, NULL, "a table needs 1 to %u entries",
				    KITH_DISC_MAX_ENTRIES);
	size_t ne = kith_disc_entries(r, c);
	struct lines L = {0};
	struct lp P = {0};
	size_t *var = malloc(ne * sizeof *var), nv = 0;
	double *A = NULL, *b = NULL;
	int rc = var ? lines_build(r, c, &L) : KITH_E_NOMEM;
	if (rc)
		goto done;
	for (size_t e = 0; e < ne; e++) {
		var[e] = SIZE_MAX;
		lo[e] = hi[e] = values[e];
		if (active(r, c, e) && state[e] != KITH_DISC_PUBLISHED)
			var[e] = nv++;
	}
	if (nv == 0)
		goto done;
	A = calloc(L.n * nv, sizeof *A);
	b = calloc(L.n ? L.n : 1, sizeof *b);
	if (!A || !b) {
		rc = KITH_E_NOMEM;
		goto done;
	}
	for (size_t l = 0; l < L.n; l++)
		for (size_t k = L.off[l]; k < L.off[l + 1]; k++) {
			size_t e = L.ent[k];
			if (var[e] != SIZE_MAX)
				A[l * nv + var[e]] = L.coef[k];
			else
				b[l] -= L.coef[k] * values[e];
		}
	rc = lp_init(&P, L.n, nv, A, b);
	for (size_t e = 0; e < ne && !rc; e++) {
		if (var[e] == SIZE_MAX)
			continue;
		rc = lp_extreme(&P, var[e], 1.0, &lo[e]);
		if (!rc)
			rc = lp_extreme(&P, var[e], -1.0, &hi[e]);
		if (!rc) {
			lo[e] = fmax(0, round(lo[e] * 1e6) / 1e6);
			if (isfinite(hi[e]))
				hi[e] = round(hi[e] * 1e6) / 1e6;
		}
	}
	/* twins of a one-way table (never published on their own) */
	for (size_t e = 0; e < ne && !rc; e++) {
		if (active(r, c, e))
			continue;
		size_t twin = e < r * c + r	  ? kith_disc_cell(c, e - r * c, 0)
			      : e < r * c + r + c ? kith_disc_row(r, c, 0)
						  : (r > 1 ? kith_disc_col(r, c, 0) : kith_disc_row(r, c, 0));
		if (r == 1 && c == 1)
			twin = 0;
		lo[e] = lo[twin];
		hi[e] = hi[twin];
	}
done:
	if (rc == KITH_E_NOMEM)
		kith_err_set(err, rc, NULL, "out of memory");
	else if (rc)
		kith_err_set(err, rc, NULL, "the disclosure audit's linear program failed");
	lp_free(&P);
	lines_free(&L);
	free(var);
	free(A);
	free(b);
	return rc;
}

/* The best complement in line l: the smallest published non-zero cell, then a
 * zero cell, then a total. SIZE_MAX when everything is withheld. */
static size_t complement(size_t r, size_t c, const struct lines *L, size_t l, const double *values,
			 const unsigned char *st)
{
	size_t best = SIZE_MAX;
	int best_rank = 3;
	for (size_t k = L->off[l]; k < L->off[l + 1]; k++) {
		size_t e = L->ent[k];
		if (!active(r, c, e) || st[e] != KITH_DISC_PUBLISHED)
			continue;
		int rank = e >= r * c ? 2 : values[e] > 0 ? 0 : 1;
		if (rank < best_rank || (rank == best_rank && values[e] < values[best])) {
			best = e;
			best_rank = rank;
		}
	}
	return best;
}

static void twins(size_t r, size_t c, unsigned char *st)
{
	if (c == 1)
		for (size_t i = 0; i < r; i++)
			st[kith_disc_row(r, c, i)] = st[kith_disc_cell(c, i, 0)];
	if (r == 1)
		for (size_t j = 0; j < c; j++)
			st[kith_disc_col(r, c, j)] = st[kith_disc_cell(c, 0, j)];
	if (r == 1 || c == 1)
		st[kith_disc_grand(r, c)] = r > 1 ? st[kith_disc_col(r, c, 0)] : st[kith_disc_row(r, c, 0)];
}

int kith_disc_suppress(size_t r, size_t c, const double *values, unsigned threshold, unsigned char *state,
		       struct kith_disc_summary *sum, struct kith_err *err)
{
	if (threshold == 0)
		threshold = KITH_DISC_THRESHOLD;
	if (!r || !c || kith_disc_entries(r, c) > KITH_DISC_MAX_ENTRIES || threshold > 1000)
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "a table needs 1 to %u entries and a threshold up to 1000",
				    KITH_DISC_MAX_ENTRIES);
	size_t ne = kith_disc_entries(r, c);
	unsigned char *st = calloc(ne, 1);
	double *lo = malloc(ne * sizeof *lo), *hi = malloc(ne * sizeof *hi);
	struct lines L = {0};
	int rc = st && lo && hi ? lines_build(r, c, &L) : KITH_E_NOMEM;
	if (rc)
		goto done;
	for (size_t e = 0; e < ne; e++) {
		double v = values[e];
		if (!(v >= 0 && v == floor(v))) {
			rc = kith_err_set(err, KITH_E_INVALID, NULL, "entry %zu: not a count", e + 1);
			goto done;
		}
		if (active(r, c, e) && v > 0 && v < threshold)
			st[e] = KITH_DISC_PRIMARY;
	}
	for (size_t round_ = 0; round_ <= ne; round_++) {
		/* no line with a single withheld entry */
		int changed = 1;
		while (changed) {
			changed = 0;
			for (size_t l = 0; l < L.n; l++) {
				size_t withheld = 0;
				for (size_t k = L.off[l]; k < L.off[l + 1]; k++)
					withheld += st[L.ent[k]] != KITH_DISC_PUBLISHED;
				if (withheld != 1)
					continue;
				size_t e = complement(r, c, &L, l, values, st);
				if (e != SIZE_MAX) {
					st[e] = KITH_DISC_SECONDARY;
					changed = 1;
				}
			}
		}
		/* the attacker's intervals */
		rc = kith_disc_audit(r, c, values, st, lo, hi, err);
		if (rc)
			goto done;
		size_t weak = SIZE_MAX;
		for (size_t e = 0; e < ne && weak == SIZE_MAX; e++)
			if (active(r, c, e) && st[e] != KITH_DISC_PUBLISHED &&
			    hi[e] - lo[e] < threshold - 1.0)
				weak = e;
		if (weak == SIZE_MAX)
			break;
		/* withhold one more entry in a line of the weak one */
		size_t add = SIZE_MAX;
		for (size_t l = 0; l < L.n && add == SIZE_MAX; l++)
			for (size_t k = L.off[l]; k < L.off[l + 1]; k++)
				if (L.ent[k] == weak) {
					add = complement(r, c, &L, l, values, st);
					break;
				}
		if (add == SIZE_MAX) {
			/* every line of it is withheld already: withhold anything left */
			for (size_t e = 0; e < ne && add == SIZE_MAX; e++)
				if (active(r, c, e) && st[e] == KITH_DISC_PUBLISHED)
					add = e;
			if (add == SIZE_MAX)
				break;
		}
		st[add] = KITH_DISC_SECONDARY;
	}
	twins(r, c, st);
	struct kith_disc_summary s = {0};
	for (size_t e = 0; e < ne; e++) {
		if (!active(r, c, e))
			continue;
		s.primary += st[e] == KITH_DISC_PRIMARY;
		s.secondary += st[e] == KITH_DISC_SECONDARY;
		if (e < r * c && st[e]) {
			s.cells_withheld++;
			s.people_withheld += values[e];
		}
	}
	memcpy(state, st, ne);
	if (sum)
		*sum = s;
done:
	if (rc == KITH_E_NOMEM)
		kith_err_set(err, rc, NULL, "out of memory");
	lines_free(&L);
	free(st);
	free(lo);
	free(hi);
	return rc;
}

const char *kith_disc_reason(int state, const char *lang)
{
	int ko = lang && strcmp(lang, "ko") == 0;
	switch (state) {
	case KITH_DISC_PRIMARY:
		return ko ? "작은 수" : "small count";
	case KITH_DISC_SECONDARY:
		return ko ? "다른 칸 보호" : "protects another cell";
	default:
		return ko ? "공개" : "published";
	}
}

/* ---- k-anonymity ---- */

struct krec {
	size_t i;
	uint64_t h;
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

static int cmp_krec(const void *a, const void *b)
{
	const struct krec *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static const char *val(const char *const *qi, const unsigned char *starred, size_t q, size_t i, size_t j)
{
	if (starred[i * q + j])
		return "*";
	return qi[i * q + j] ? qi[i * q + j] : "";
}

static int same(const char *const *qi, const unsigned char *starred, size_t q, size_t a, size_t b)
{
	for (size_t j = 0; j < q; j++)
		if (strcmp(val(qi, starred, q, a, j), val(qi, starred, q, b, j)) != 0)
			return 0;
	return 1;
}

/* Group sizes of the kept records into gsize[i] (0 for dropped). */
static int groups(size_t n, size_t q, const char *const *qi, const unsigned char *starred,
		  const unsigned char *keep, size_t *gsize)
{
	struct krec *v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return KITH_E_NOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		gsize[i] = 0;
		if (!keep[i])
			continue;
		uint64_t h = 1469598103934665603ull;
		for (size_t j = 0; j < q; j++)
			h = fnv(h, val(qi, starred, q, i, j));
		v[m++] = (struct krec){i, h};
	}
	qsort(v, m, sizeof *v, cmp_krec);
	/* runs of equal hash; inside one, exact comparison (collisions split) */
	for (size_t a = 0; a < m;) {
		size_t b = a;
		while (b < m && v[b].h == v[a].h)
			b++;
		for (size_t x = a; x < b; x++) {
			if (gsize[v[x].i])
				continue;
			size_t cnt = 0;
			for (size_t y = x; y < b; y++)
				cnt += same(qi, starred, q, v[x].i, v[y].i);
			for (size_t y = x; y < b; y++)
				if (same(qi, starred, q, v[x].i, v[y].i))
					gsize[v[y].i] = cnt;
		}
		a = b;
	}
	free(v);
	return KITH_OK;
}

int kith_disc_kanon(size_t n, size_t q, const char *const *qi, unsigned k, unsigned char *starred,
		    unsigned char *keep, struct kith_disc_kanon_summary *sum, struct kith_err *err)
{
	if (k == 0)
		k = KITH_DISC_K;
	if (q == 0 || q > 64 || k > 1000000)
		return kith_err_set(err, KITH_E_INVALID, NULL, "1 to 64 quasi-identifiers and k up to 10^6");
	unsigned char *st = calloc((n * q) > 0 ? n * q : 1, 1), *kp = malloc(n ? n : 1), *used = calloc(q, 1);
	size_t *gs = malloc((n ? n : 1) * sizeof *gs);
	int rc = st && kp && used && gs ? KITH_OK : KITH_E_NOMEM;
	struct kith_disc_kanon_summary s = {0};
	if (rc)
		goto done;
	memset(kp, 1, n ? n : 1);
	for (size_t pass = 0; pass <= q; pass++) {
		if ((rc = groups(n, q, qi, st, kp, gs)))
			goto done;
		size_t small = 0;
		for (size_t i = 0; i < n; i++)
			small += kp[i] && gs[i] < k;
		if (!small)
			break;
		if (pass == q) {
			for (size_t i = 0; i < n; i++)
				if (kp[i] && gs[i] < k) {
					kp[i] = 0;
					s.records_dropped++;
				}
			break;
		}
		/* the column with the most distinct values among the small groups' records */
		size_t best = SIZE_MAX, best_d = 0;
		for (size_t j = 0; j < q; j++) {
			if (used[j])
				continue;
			size_t d = 0;
			for (size_t i = 0; i < n; i++) {
				if (!kp[i] || gs[i] >= k)
					continue;
				int seen = 0;
				for (size_t i2 = 0; i2 < i && !seen; i2++)
					seen = kp[i2] && gs[i2] < k &&
					       strcmp(val(qi, st, q, i2, j), val(qi, st, q, i, j)) == 0;
				d += !seen;
			}
			if (best == SIZE_MAX || d > best_d) {
				best = j;
				best_d = d;
			}
		}
		if (best >= q)
			break; /* cannot happen: pass < q leaves a column unused */
		used[best] = 1;
		for (size_t i = 0; i < n; i++)
			if (kp[i] && gs[i] < k && !st[i * q + best]) {
				st[i * q + best] = 1;
				s.values_starred++;
			}
	}
	if ((rc = groups(n, q, qi, st, kp, gs)))
		goto done;
	for (size_t i = 0; i < n; i++)
		if (kp[i] && gs[i] < k) {
			kp[i] = 0;
			s.records_dropped++;
		}
	if ((rc = groups(n, q, qi, st, kp, gs)))
		goto done;
	for (size_t i = 0; i < n; i++)
		if (kp[i] && (s.smallest_group == 0 || gs[i] < s.smallest_group))
			s.smallest_group = gs[i];
	memcpy(starred, st, n * q);
	memcpy(keep, kp, n);
	if (sum)
		*sum = s;
done:
	if (rc)
		kith_err_set(err, rc, NULL, "out of memory");
	free(st);
	free(kp);
	free(used);
	free(gs);
	return rc;
}
