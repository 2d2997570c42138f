/* Unit tests of src/stats/disclosure: small-cell and secondary suppression,
 * the attacker's bounds, and k-anonymity.
 *
 * The attack test plays the attacker with two methods independent of the
 * module's own linear program: the shuttle algorithm (bounds propagated along
 * every line until they stop moving) and, on small tables, an exhaustive
 * search over every integer completion of the withheld entries. Both must
 * fail to narrow any withheld entry below threshold - 1 after suppression,
 * and both must succeed on the same table with primary suppression only (so
 * the attack is real). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats/disclosure.h"

#define T 11u

/* ---- attacker 1: the shuttle algorithm on the published table ---- */
static void shuttle(size_t r, size_t c, const double *v, const unsigned char *st, double *lo, double *hi)
{
	size_t ne = kith_disc_entries(r, c);
	double grand = v[kith_disc_grand(r, c)];
	int grand_pub = st[kith_disc_grand(r, c)] == KITH_DISC_PUBLISHED;
	for (size_t e = 0; e < ne; e++) {
		lo[e] = st[e] ? 0 : v[e];
		hi[e] = st[e] ? (grand_pub ? grand : 1e18) : v[e];
	}
	/* lines as (parts, total) lists */
	size_t parts[64], np, tot;
	for (int iter = 0; iter < 200; iter++) {
		for (size_t l = 0; l < r + c + 2; l++) {
			np = 0;
			if (l < r) {
				if (c == 1)
					continue;
				for (size_t j = 0; j < c; j++)
					parts[np++] = kith_disc_cell(c, l, j);
				tot = kith_disc_row(r, c, l);
			} else if (l < r + c) {
				if (r == 1)
					continue;
				for (size_t i = 0; i < r; i++)
					parts[np++] = kith_disc_cell(c, i, l - r);
				tot = kith_disc_col(r, c, l - r);
			} else if (l == r + c) {
				if (r == 1 || c == 1)
					continue;
				for (size_t i = 0; i < r; i++)
					parts[np++] = kith_disc_row(r, c, i);
				tot = kith_disc_grand(r, c);
			} else {
				if (r == 1 || c == 1)
					continue;
				for (size_t j = 0; j < c; j++)
					parts[np++] = kith_disc_col(r, c, j);
				tot = kith_disc_grand(r, c);
			}
			double slo = 0, shi = 0;
			for (size_t p = 0; p < np; p++)
				slo += lo[parts[p]], shi += hi[parts[p]];
			lo[tot] = fmax(lo[tot], slo);
			hi[tot] = fmin(hi[tot], shi);
			for (size_t p = 0; p < np; p++) {
				size_t e = parts[p];
				lo[e] = fmax(lo[e], lo[tot] - (shi - hi[e]));
				hi[e] = fmin(hi[e], hi[tot] - (slo - lo[e]));
			}
		}
	}
}

/* ---- attacker 2: every integer completion of the withheld cells (r x c
 * with all totals published, cells withheld only) ---- */
struct brute {
	size_t r, c, n;
	size_t cell[16];
	double row_left[8], col_left[8];
	double seen_lo[16], seen_hi[16], x[16];
	long solutions;
};

static void search(struct brute *B, size_t k)
{
	if (k == B->n) {
		for (size_t i = 0; i < B->r; i++)
			if (B->row_left[i] != 0)
				return;
		for (size_t j = 0; j < B->c; j++)
			if (B->col_left[j] != 0)
				return;
		B->solutions++;
		for (size_t t = 0; t < B->n; t++) {
			B->seen_lo[t] = fmin(B->seen_lo[t], B->x[t]);
			B->seen_hi[t] = fmax(B->seen_hi[t], B->x[t]);
		}
		return;
	}
	size_t i = B->cell[k] / B->c, j = B->cell[k] % B->c;
	double lo = 0, hi = fmin(B->row_left[i], B->col_left[j]);
	/* the last withheld cell of its row (or column) takes what is left of it:
	 * the same solutions as trying every value, without the dead branches */
	int last_in_row = 1, last_in_col = 1;
	for (size_t t = k + 1; t < B->n; t++) {
		last_in_row &= B->cell[t] / B->c != i;
		last_in_col &= B->cell[t] % B->c != j;
	}
	if (last_in_row) {
		lo = fmax(lo, B->row_left[i]);
		hi = fmin(hi, B->row_left[i]);
	}
	if (last_in_col) {
		lo = fmax(lo, B->col_left[j]);
		hi = fmin(hi, B->col_left[j]);
	}
	for (double v = lo; v <= hi; v++) {
		B->x[k] = v;
		B->row_left[i] -= v;
		B->col_left[j] -= v;
		search(B, k + 1);
		B->row_left[i] += v;
		B->col_left[j] += v;
	}
}

static const double table_cells[4 * 5] = {
    /* province x year, counts of persons (invented) */
    40, 3, 25, 17, 60, /**/ 12, 30, 2, 44, 19, /**/ 5, 0, 33, 21, 18, /**/ 27, 16, 14, 1, 52,
};

static void test_one_way(void **state)
{
	(void)state;
	const double cells[4] = {50, 3, 40, 20};
	double v[10];
	unsigned char st[10];
	struct kith_disc_summary s;
	assert_int_equal(kith_disc_totals(4, 1, cells, v, NULL), KITH_OK);
	assert_int_equal(kith_disc_suppress(4, 1, v, 0, st, &s, NULL), KITH_OK);
	assert_int_equal(st[1], KITH_DISC_PRIMARY);
	assert_int_equal(st[3], KITH_DISC_SECONDARY); /* the smallest other count */
	assert_int_equal(st[0], KITH_DISC_PUBLISHED);
	assert_int_equal(st[kith_disc_col(4, 1, 0)], KITH_DISC_PUBLISHED); /* the total */
	assert_int_equal(s.primary, 1);
	assert_int_equal(s.secondary, 1);
	assert_int_equal(s.people_withheld, 23);
	double lo[10], hi[10];
	assert_int_equal(kith_disc_audit(4, 1, v, st, lo, hi, NULL), KITH_OK);
	assert_true(lo[1] == 0 && hi[1] == 23);
	assert_string_equal(kith_disc_reason(KITH_DISC_PRIMARY, "en"), "small count");
	assert_string_equal(kith_disc_reason(KITH_DISC_SECONDARY, "ko"), "다른 칸 보호");
}

static void test_attack_fails(void **state)
{
	(void)state;
	size_t r = 4, c = 5, ne = kith_disc_entries(r, c);
	double v[64], lo[64], hi[64], slo[64], shi[64];
	unsigned char st[64];
	assert_int_equal(kith_disc_totals(r, c, table_cells, v, NULL), KITH_OK);

	/* primary only: the attack recovers a withheld cell exactly */
	unsigned char prim[64] = {0};
	for (size_t e = 0; e < ne; e++)
		prim[e] = v[e] > 0 && v[e] < T ? KITH_DISC_PRIMARY : KITH_DISC_PUBLISHED;
	shuttle(r, c, v, prim, slo, shi);
	int recovered = 0;
	for (size_t e = 0; e < ne; e++)
		recovered += prim[e] && slo[e] == shi[e] && slo[e] == v[e];
	assert_true(recovered > 0);

	/* with secondary suppression: neither attacker narrows anything */
	struct kith_disc_summary s;
	assert_int_equal(kith_disc_suppress(r, c, v, T, st, &s, NULL), KITH_OK);
	assert_int_equal(s.primary, 4);
	assert_true(s.secondary >= 1);
	assert_int_equal(kith_disc_audit(r, c, v, st, lo, hi, NULL), KITH_OK);
	shuttle(r, c, v, st, slo, shi);
	for (size_t e = 0; e < ne; e++) {
		if (!st[e])
			continue;
		assert_true(lo[e] <= v[e] && v[e] <= hi[e]);
		assert_true(hi[e] - lo[e] >= T - 1);
		assert_true(shi[e] - slo[e] >= T - 1);
		/* the LP is at least as tight as the shuttle */
		assert_true(lo[e] >= slo[e] - 1e-6 && hi[e] <= shi[e] + 1e-6);
	}
	/* every published value is what it was */
	for (size_t e = 0; e < ne; e++)
		if (!st[e])
			assert_true(lo[e] == v[e] && hi[e] == v[e]);
}

static void test_attack_exhaustive(void **state)
{
	(void)state;
	const double cells[9] = {25, 4, 30, /**/ 18, 22, 2, /**/ 3, 40, 16};
	size_t r = 3, c = 3, ne = kith_disc_entries(r, c);
	double v[16], lo[16], hi[16];
	unsigned char st[16];
	assert_int_equal(kith_disc_totals(r, c, cells, v, NULL), KITH_OK);
	assert_int_equal(kith_disc_suppress(r, c, v, T, st, NULL, NULL), KITH_OK);
	assert_int_equal(kith_disc_audit(r, c, v, st, lo, hi, NULL), KITH_OK);
	struct brute B = {.r = r, .c = c};
	for (size_t i = 0; i < r; i++)
		B.row_left[i] = v[kith_disc_row(r, c, i)];
	for (size_t j = 0; j < c; j++)
		B.col_left[j] = v[kith_disc_col(r, c, j)];
	for (size_t e = 0; e < r * c; e++) {
		if (st[e]) {
			B.seen_lo[B.n] = HUGE_VAL;
			B.seen_hi[B.n] = -HUGE_VAL;
			B.cell[B.n++] = e;
		} else {
			B.row_left[e / c] -= v[e];
			B.col_left[e % c] -= v[e];
		}
	}
	for (size_t e = r * c; e < ne; e++)
		assert_int_equal(st[e], KITH_DISC_PUBLISHED); /* totals here are large */
	assert_true(B.n >= 4);
	search(&B, 0);
	assert_true(B.solutions > 1);
	for (size_t t = 0; t < B.n; t++) {
		assert_true(B.seen_hi[t] - B.seen_lo[t] >= T - 1);
		/* the LP bounds are the integer bounds */
		assert_true(B.seen_lo[t] == lo[B.cell[t]] && B.seen_hi[t] == hi[B.cell[t]]);
	}
}

static void test_small_totals(void **state)
{
	(void)state;
	/* a whole row is small: its total is withheld too, and the grand total
	 * and column totals do not give it away */
	const double cells[6] = {2, 3, 1, /**/ 30, 40, 50};
	double v[12], lo[12], hi[12];
	unsigned char st[12];
	assert_int_equal(kith_disc_totals(2, 3, cells, v, NULL), KITH_OK);
	assert_int_equal(kith_disc_suppress(2, 3, v, T, st, NULL, NULL), KITH_OK);
	assert_int_equal(st[kith_disc_row(2, 3, 0)], KITH_DISC_PRIMARY);
	assert_int_equal(kith_disc_audit(2, 3, v, st, lo, hi, NULL), KITH_OK);
	for (size_t e = 0; e < kith_disc_entries(2, 3); e++)
		if (st[e])
			assert_true(hi[e] - lo[e] >= T - 1);
}

static void test_bad(void **state)
{
	(void)state;
	double cells[2] = {1.5, 2}, v[6];
	unsigned char st[6];
	struct kith_err e;
	assert_int_equal(kith_disc_totals(2, 1, cells, v, &e), KITH_E_INVALID);
	assert_int_equal(kith_disc_totals(0, 1, cells, v, &e), KITH_E_INVALID);
	double ok[2] = {1, 2};
	assert_int_equal(kith_disc_totals(2, 1, ok, v, NULL), KITH_OK);
	assert_int_equal(kith_disc_suppress(2, 1, v, 5000, st, NULL, &e), KITH_E_INVALID);
	/* everything small: everything withheld, nothing recoverable */
	assert_int_equal(kith_disc_suppress(2, 1, v, 0, st, NULL, NULL), KITH_OK);
	assert_int_equal(st[0], KITH_DISC_PRIMARY);
	assert_int_equal(st[1], KITH_DISC_PRIMARY);
}

static void test_kanon(void **state)
{
	(void)state;
	/* 30 records: (sex, age band, province) */
	const char *qi[30 * 3];
	for (size_t i = 0; i < 30; i++) {
		qi[i * 3] = i < 27 ? "F" : "M";
		qi[i * 3 + 1] = i % 3 == 0 ? "18-20" : i % 3 == 1 ? "21-23" : "24-26";
		qi[i * 3 + 2] = i < 26 ? "North Hamgyong" : i == 26 ? "Kaesong" : "Ryanggang";
	}
	unsigned char starred[90], keep[30];
	struct kith_disc_kanon_summary s;
	assert_int_equal(kith_disc_kanon(30, 3, qi, 5, starred, keep, &s, NULL), KITH_OK);
	assert_true(s.smallest_group >= 5 || s.smallest_group == 0);
	/* check k-anonymity directly */
	for (size_t i = 0; i < 30; i++) {
		if (!keep[i])
			continue;
		size_t same = 0;
		for (size_t i2 = 0; i2 < 30; i2++) {
			if (!keep[i2])
				continue;
			int eq = 1;
			for (size_t j = 0; j < 3; j++) {
				const char *a = starred[i * 3 + j] ? "*" : qi[i * 3 + j];
				const char *b = starred[i2 * 3 + j] ? "*" : qi[i2 * 3 + j];
				eq &= strcmp(a, b) == 0;
			}
			same += eq;
		}
		assert_true(same >= 5);
	}
	/* the rare province and the three men cannot stand out */
	size_t kept = 0;
	for (size_t i = 0; i < 30; i++)
		kept += keep[i];
	assert_int_equal(kept + s.records_dropped, 30);
	assert_true(s.values_starred > 0);
	struct kith_err e;
	assert_int_equal(kith_disc_kanon(30, 0, qi, 5, starred, keep, NULL, &e), KITH_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_way),
	    cmocka_unit_test(test_attack_fails),
	    cmocka_unit_test(test_attack_exhaustive),
	    cmocka_unit_test(test_small_totals),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_kanon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
