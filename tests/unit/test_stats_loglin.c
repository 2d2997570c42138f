/* Unit tests of src/stats/loglin: Rcapture's models reproduced, existence and
 * identifiability, model names, the profile likelihood and its derivative. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats/loglin.h"
#include "stats/table.h"

#include "fixture_stats.h"

/* fits a named model; returns the check state */
static int fit_named(const struct kith_stats_table *t, const char *name, struct kith_loglin **L,
		     struct kith_loglin_result *res)
{
	uint32_t terms[256];
	struct kith_loglin_spec spec;
	struct kith_err err;
	assert_int_equal(kith_loglin_parse_name(name, kith_stats_table_lists(t), &spec, terms, 256, &err),
			 KITH_OK);
	assert_int_equal(kith_loglin_new(L, t, &spec, &err), KITH_OK);
	int st = kith_loglin_check(*L, &err);
	assert_true(st >= 0);
	memset(res, 0, sizeof *res);
	if (st == KITH_LOGLIN_OK)
		assert_int_equal(kith_loglin_fit(*L, res, &err), KITH_OK);
	return st;
}

/* |x - ref| within half a unit of the printed digit */
#define NEAR(x, ref, half) assert_true(fabs((x) - (ref)) <= (half) + 1e-9)

/* Rcapture 1.4-4 closedp.t(hare): N, se, deviance, df, AIC, BIC (one decimal) */
static void test_rcapture_hare(void **state)
{
	(void)state;
	struct kith_stats_table *t = fixture_stats_table("hare");
	static const struct {
		const char *name;
		double n, se, dev, df, aic, bic;
	} ref[] = {
	    {"M0", 75.4, 3.5, 68.5, 61, 154.7, 159.1},
	    {"Mt", 75.1, 3.4, 58.3, 56, 154.5, 170.0},
	    {"Mh Chao", 79.8, 6.4, 58.0, 58, 150.2, 161.3},
	    {"Mh Poisson2", 81.5, 5.7, 59.1, 60, 147.3, 154.0},
	    {"Mh Darroch", 90.4, 11.6, 61.6, 60, 149.8, 156.4},
	    {"Mh Gamma3.5", 100.6, 21.7, 62.8, 60, 151.0, 157.6},
	    {"Mth Chao", 79.6, 6.3, 47.1, 52, 151.3, 175.7},
	    {"Mth Poisson2", 81.1, 5.6, 48.1, 55, 146.3, 164.1},
	    {"Mth Darroch", 90.5, 11.7, 50.7, 55, 148.9, 166.7},
	    {"Mth Gamma3.5", 101.6, 22.4, 52.0, 55, 150.1, 167.9},
	};
	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
		struct kith_loglin *L;
		struct kith_loglin_result r;
		assert_int_equal(fit_named(t, ref[i].name, &L, &r), KITH_LOGLIN_OK);
		assert_int_equal(r.state, KITH_LOGLIN_OK);
		if (fabs(r.n_hat - ref[i].n) > 0.05 + 1e-9 || fabs(r.se - ref[i].se) > 0.05 + 1e-9)
			print_error("%s: N %.4f se %.4f\n", ref[i].name, r.n_hat, r.se);
		NEAR(r.n_hat, ref[i].n, 0.05);
		NEAR(r.se, ref[i].se, 0.05);
		NEAR(r.deviance, ref[i].dev, 0.05);
		assert_true(r.df == ref[i].df);
		NEAR(r.aic, ref[i].aic, 0.05);
		if (strcmp(ref[i].name, "Mh Gamma3.5") != 0) /* no BIC printed by Rcapture for it */
			NEAR(r.bic, ref[i].bic, 0.05);
		kith_loglin_free(L);
	}
	kith_stats_table_free(t);
}

/* README: Kosovo Mt 7394.6; Mth Chao drops one eta on Kosovo's Mh */
static void test_kosovo(void **state)
{
	(void)state;
	struct kith_stats_table *t = fixture_stats_table("Kosovo");
	struct kith_loglin *L;
	struct kith_loglin_result r;
	assert_int_equal(fit_named(t, "Mt", &L, &r), KITH_LOGLIN_OK);
	NEAR(r.n_hat, 7394.6, 0.05);
	NEAR(r.se, 129.6, 0.05);
	kith_loglin_free(L);
	assert_int_equal(fit_named(t, "[123,14,34]", &L, &r), KITH_LOGLIN_OK);
	NEAR(r.n_hat, 10356.5, 0.05);
	NEAR(r.deviance, 9.3, 0.05);
	assert_true(r.df == 4);
	NEAR(r.aic, 132.7, 0.05);
	NEAR(r.bic, 203.0, 0.05);
	/* the fitted cells reproduce the sufficient statistics (the likelihood
	 * equations): total and each list's margin */
	size_t nc;
	const uint32_t *cells = kith_loglin_cells(L, &nc);
	const double *mu = kith_loglin_fitted(L);
	const double *y = kith_stats_table_counts(t);
	double tot = 0, lst[4] = {0};
	for (size_t i = 0; i < nc; i++) {
		tot += mu[i] - y[cells[i]];
		for (unsigned j = 0; j < 4; j++)
			if (cells[i] & (1u << j))
				lst[j] += mu[i] - y[cells[i]];
	}
	assert_true(fabs(tot) < 1e-6);
	for (unsigned j = 0; j < 4; j++)
		assert_true(fabs(lst[j]) < 1e-6);
	kith_loglin_free(L);
	kith_stats_table_free(t);
}

static void test_existence(void **state)
{
	(void)state;
	struct kith_stats_table *t = fixture_stats_table("Korea");
	struct kith_loglin *L;
	struct kith_loglin_result r;
	/* Korea: cell 011 = 0, so the model of all pairs has no MLE (Rcapture prints 1.8e11) */
	assert_int_equal(fit_named(t, "[12,13,23]", &L, &r), KITH_LOGLIN_NO_MLE);
	kith_loglin_free(L);
	assert_int_equal(fit_named(t, "[12,23]", &L, &r), KITH_LOGLIN_OK);
	NEAR(r.n_hat, 157.17, 0.005);
	kith_loglin_free(L);
	kith_stats_table_free(t);
	/* Australia: the BCD margin has a zero cell: [234,1] has no MLE */
	t = fixture_stats_table("Australia");
	assert_int_equal(fit_named(t, "[234,1]", &L, &r), KITH_LOGLIN_NO_MLE);
	kith_loglin_free(L);
	assert_int_equal(fit_named(t, "[23,24,34,1]", &L, &r), KITH_LOGLIN_OK);
	kith_loglin_free(L);
	kith_stats_table_free(t);
	/* Western: lists 1 and 2 never overlap: any model with the 12 term has no MLE */
	t = fixture_stats_table("Western");
	assert_int_equal(fit_named(t, "[12,3,4,5]", &L, &r), KITH_LOGLIN_NO_MLE);
	kith_loglin_free(L);
	assert_int_equal(fit_named(t, "[15,2,3,4]", &L, &r), KITH_LOGLIN_OK);
	NEAR(r.n_hat, 2483.4, 0.05);
	kith_loglin_free(L);
	kith_stats_table_free(t);
}

static void test_zero_cells_but_mle_exists(void **state)
{
	(void)state;
	/* zeros in cells 011 and 111 only: main effects still pinned by the
	 * positive cells: the MLE exists (the LP's quick exit); with the 23 term
	 * the margin of lists 2 and 3 is zero: no MLE. [12,13] makes lists 2 and 3
	 * independent given list 1: among those not on list 1 the three observed
	 * cells are then fitted exactly, and one of them is 0: no MLE, although
	 * no margin is zero (the LP proper decides); [12,3] has one. */
	double c[8] = {0, 10, 12, 5, 9, 4, 0, 0};
	struct kith_stats_table *t;
	struct kith_err err;
	assert_int_equal(kith_stats_table_new(&t, 3, NULL, c, &err), KITH_OK);
	struct kith_loglin *L;
	struct kith_loglin_result r;
	assert_int_equal(fit_named(t, "[1,2,3]", &L, &r), KITH_LOGLIN_OK);
	kith_loglin_free(L);
	assert_int_equal(fit_named(t, "[23,1]", &L, &r), KITH_LOGLIN_NO_MLE);
	kith_loglin_free(L);
	assert_int_equal(fit_named(t, "[12,13]", &L, &r), KITH_LOGLIN_NO_MLE);
	kith_loglin_free(L);
	assert_int_equal(fit_named(t, "[12,3]", &L, &r), KITH_LOGLIN_OK);
	assert_int_equal(r.state, KITH_LOGLIN_OK);
	kith_loglin_free(L);
	kith_stats_table_free(t);
}

static void test_sparse_structural_zeros(void **state)
{
	(void)state;
	/* lists B and C never overlap; list D is empty */
	double c[16] = {0};
	c[1] = 20;
	c[2] = 15;
	c[3] = 4;
	c[4] = 30;
	c[5] = 6;
	struct kith_stats_table *t;
	struct kith_err err;
	assert_int_equal(kith_stats_table_new(&t, 4, NULL, c, &err), KITH_OK);
	uint32_t pair23 = 0x6, pairs[2] = {0x6, 0x3};
	struct kith_loglin_spec strict = {.family = KITH_LOGLIN_HIER, .terms = &pair23, .n_terms = 1};
	struct kith_loglin_spec sparse = strict;
	sparse.flags = KITH_LOGLIN_SPARSE;
	struct kith_loglin *L;
	struct kith_loglin_result r;
	assert_int_equal(kith_loglin_new(&L, t, &strict, &err), KITH_OK);
	assert_int_equal(kith_loglin_check(L, &err), KITH_LOGLIN_NO_MLE); /* D is empty */
	kith_loglin_free(L);
	assert_int_equal(kith_loglin_new(&L, t, &sparse, &err), KITH_OK);
	/* SparseMSE: the empty list fails the check, yet the extended fit exists */
	assert_int_equal(kith_loglin_check(L, &err), KITH_LOGLIN_NO_MLE);
	assert_int_equal(kith_loglin_fit(L, &r, &err), KITH_OK);
	assert_int_equal(r.state, KITH_LOGLIN_OK);
	assert_int_equal(r.structural, 1);
	assert_true(r.n_hat > kith_stats_table_observed(t));
	kith_loglin_free(L);
	sparse.terms = pairs;
	sparse.n_terms = 2;
	assert_int_equal(kith_loglin_new(&L, t, &sparse, &err), KITH_OK);
	assert_int_equal(kith_loglin_fit(L, &r, &err), KITH_OK);
	assert_int_equal(r.state, KITH_LOGLIN_OK);
	kith_loglin_free(L);
	kith_stats_table_free(t);
}

static void test_not_identifiable(void **state)
{
	(void)state;
	/* nobody on two lists: with SPARSE every pair is a structural zero, which
	 * leaves 3 cells for 4 parameters */
	double c[8] = {0, 10, 12, 0, 9, 0, 0, 0};
	struct kith_stats_table *t;
	struct kith_err err;
	assert_int_equal(kith_stats_table_new(&t, 3, NULL, c, &err), KITH_OK);
	uint32_t pairs[3] = {3, 5, 6};
	struct kith_loglin_spec s = {
	    .family = KITH_LOGLIN_HIER, .terms = pairs, .n_terms = 3, .flags = KITH_LOGLIN_SPARSE};
	struct kith_loglin *L;
	assert_int_equal(kith_loglin_new(&L, t, &s, &err), KITH_OK);
	assert_int_equal(kith_loglin_check(L, &err), KITH_LOGLIN_NOT_IDENT);
	kith_loglin_free(L);
	/* the 3-way term of 3 lists is never identifiable */
	uint32_t all = 7;
	s.terms = &all;
	s.n_terms = 1;
	s.flags = 0;
	assert_int_equal(kith_loglin_new(&L, t, &s, &err), KITH_E_INVALID);
	/* heterogeneity needs 3 lists */
	double c2[4] = {0, 5, 6, 2};
	struct kith_stats_table *t2;
	assert_int_equal(kith_stats_table_new(&t2, 2, NULL, c2, &err), KITH_OK);
	struct kith_loglin_spec mh = {.family = KITH_LOGLIN_MH};
	assert_int_equal(kith_loglin_new(&L, t2, &mh, &err), KITH_E_INVALID);
	struct kith_loglin_spec mt = {.family = KITH_LOGLIN_MT};
	assert_int_equal(kith_loglin_new(&L, t2, &mt, &err), KITH_OK);
	struct kith_loglin_result r;
	assert_int_equal(kith_loglin_check(L, &err), KITH_LOGLIN_OK);
	assert_int_equal(kith_loglin_fit(L, &r, &err), KITH_OK);
	/* two lists, Lincoln-Petersen: N = n1 n2 / m = 7 * 8 / 2 = 28 */
	NEAR(r.n_hat, 28.0, 1e-6);
	kith_loglin_free(L);
	kith_stats_table_free(t2);
	kith_stats_table_free(t);
}

static void test_names(void **state)
{
	(void)state;
	struct kith_loglin_spec s;
	uint32_t terms[16];
	struct kith_err err;
	char buf[128];
	/* parse and print back: maximal terms, higher order first */
	const char *names[] = {"[123,14,34]",  "[12,13,4]", "[12,3]",	    "[234,1]",
			       "[124,134,23]", "[1,2,3,4]", "[12,15,45,3]", "M0",
			       "Mt",	       "Mh Chao",   "Mth Gamma3.5", "Mth Poisson2"};
	unsigned ks[] = {4, 4, 3, 4, 4, 4, 5, 4, 4, 4, 4, 4};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(kith_loglin_parse_name(names[i], ks[i], &s, terms, 16, &err), KITH_OK);
		int len = kith_loglin_name(&s, ks[i], buf, sizeof buf);
		assert_int_equal(len, (int)strlen(names[i]));
		assert_string_equal(buf, names[i]);
	}
	/* a non-maximal and unordered spec prints its generators */
	uint32_t t2[] = {0x3 /*12*/, 0x7 /*123*/, 0x9 /*14*/, 0xC /*34*/, 0x5 /*13*/};
	struct kith_loglin_spec h = {.family = KITH_LOGLIN_HIER, .terms = t2, .n_terms = 5};
	kith_loglin_name(&h, 4, buf, sizeof buf);
	assert_string_equal(buf, "[123,14,34]");
	/* main effects only */
	assert_int_equal(kith_loglin_parse_name("[]", 3, &s, terms, 16, &err), KITH_OK);
	assert_int_equal(s.n_terms, 0);
	kith_loglin_name(&s, 3, buf, sizeof buf);
	assert_string_equal(buf, "[1,2,3]");
	/* ten lists and more: numbers separated by dots */
	uint32_t t3[] = {(1u << 0) | (1u << 9), (1u << 1) | (1u << 2)};
	h.terms = t3;
	h.n_terms = 2;
	kith_loglin_name(&h, 11, buf, sizeof buf);
	assert_string_equal(buf, "[1.10,2.3,4,5,6,7,8,9,11]");
	assert_int_equal(kith_loglin_parse_name(buf, 11, &s, terms, 16, &err), KITH_OK);
	assert_int_equal(s.n_terms, 2);
	/* bad names */
	assert_int_equal(kith_loglin_parse_name("[15]", 4, &s, terms, 16, &err), KITH_E_INVALID);
	assert_int_equal(kith_loglin_parse_name("[11]", 4, &s, terms, 16, &err), KITH_E_INVALID);
	assert_int_equal(kith_loglin_parse_name("[1a]", 4, &s, terms, 16, &err), KITH_E_INVALID);
	assert_int_equal(kith_loglin_parse_name("Mq", 4, &s, terms, 16, &err), KITH_E_INVALID);
	assert_int_equal(kith_loglin_parse_name("[12,,3]", 4, &s, terms, 16, &err), KITH_E_INVALID);
	assert_int_equal(kith_loglin_parse_name("[12,13,14,23]", 4, &s, terms, 2, &err), KITH_E_LIMIT);
	/* sorting and dedup */
	uint32_t v[] = {0x1, 0x6, 0x3, 0x7, 0x3, 0x5};
	size_t n = kith_loglin_sort_terms(v, 6);
	assert_int_equal(n, 5);
	assert_int_equal(v[0], 0x7);
	assert_int_equal(v[1], 0x3);
	assert_int_equal(v[2], 0x5);
	assert_int_equal(v[3], 0x6);
	assert_int_equal(v[4], 0x1);
	assert_int_equal(kith_loglin_order(0x7), 3);
}

static void test_profile_derivative(void **state)
{
	(void)state;
	struct kith_stats_table *t = fixture_stats_table("Korea");
	const char *names[] = {"[12,23]", "Mth Chao", "Mt"};
	for (size_t i = 0; i < 3; i++) {
		struct kith_loglin *L;
		struct kith_loglin_result r;
		assert_int_equal(fit_named(t, names[i], &L, &r), KITH_LOGLIN_OK);
		struct kith_err err;
		double N[] = {130, 150, 180, 95 + 30}; /* both sides of 100 for Stirling's switch */
		for (size_t j = 0; j < 4; j++) {
			double l, d, lp, lm, h = 1e-3;
			assert_int_equal(kith_loglin_profile(L, N[j], &l, &d, &err), KITH_OK);
			assert_int_equal(kith_loglin_profile(L, N[j] + h, &lp, NULL, &err), KITH_OK);
			assert_int_equal(kith_loglin_profile(L, N[j] - h, &lm, NULL, &err), KITH_OK);
			double fd = (lp - lm) / (2 * h);
			if (fabs(fd - d) > 1e-4 * (1 + fabs(d)))
				print_error("%s N=%g: derivative %g, finite difference %g\n", names[i], N[j],
					    d, fd);
			assert_true(fabs(fd - d) <= 1e-4 * (1 + fabs(d)));
		}
		double l;
		assert_int_equal(kith_loglin_profile(L, 100, &l, NULL, &err), KITH_E_INVALID); /* below n */
		kith_loglin_free(L);
	}
	kith_stats_table_free(t);
}

static void test_profile_needs_fit(void **state)
{
	(void)state;
	double c[8] = {0, 10, 12, 5, 9, 4, 3, 2};
	struct kith_stats_table *t;
	struct kith_err err;
	assert_int_equal(kith_stats_table_new(&t, 3, NULL, c, &err), KITH_OK);
	struct kith_loglin_spec s = {0};
	struct kith_loglin *L;
	assert_int_equal(kith_loglin_new(&L, t, &s, &err), KITH_OK);
	double l;
	assert_int_equal(kith_loglin_profile(L, 60, &l, NULL, &err), KITH_E_INVALID);
	assert_null(kith_loglin_fitted(L));
	kith_loglin_free(L);
	kith_loglin_free(NULL);
	kith_stats_table_free(t);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rcapture_hare),
	    cmocka_unit_test(test_kosovo),
	    cmocka_unit_test(test_existence),
	    cmocka_unit_test(test_zero_cells_but_mle_exists),
	    cmocka_unit_test(test_sparse_structural_zeros),
	    cmocka_unit_test(test_not_identifiable),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_profile_derivative),
	    cmocka_unit_test(test_profile_needs_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
