/* Unit tests of src/stats/select: the hierarchical enumeration and ranking
 * (Rcapture's closedpMS), and SparseMSE's stepwise selection. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats/select.h"
#include "stats/table.h"

#include "fixture_stats.h"

#define NEAR(x, ref, half)                                                                                   \
	do {                                                                                                 \
		if (!(fabs((x) - (ref)) <= (half) + 1e-9))                                                   \
			print_error("%s = %.4f, expected %.4f\n", #x, (double)(x), (double)(ref));           \
		assert_true(fabs((x) - (ref)) <= (half) + 1e-9);                                             \
	} while (0)

static void test_counts(void **state)
{
	(void)state;
	/* Rcapture's closedpMS: 8 models for 3 lists (order 2), 113 for 4 lists
	 * (order 3), 1024 for 5 lists (order 2); all hierarchical models of 5
	 * lists without the 5-way term: 6893 (6894 with it); 2^15 pairwise
	 * models of 6 lists */
	assert_int_equal(kith_select_count(3, 2, 100000), 8);
	assert_int_equal(kith_select_count(4, 3, 100000), 113);
	assert_int_equal(kith_select_count(4, 2, 100000), 64);
	assert_int_equal(kith_select_count(5, 2, 100000), 1024);
	assert_int_equal(kith_select_count(5, 4, 100000), 6893);
	assert_int_equal(kith_select_count(6, 2, 100000), 32768);
	assert_int_equal(kith_select_count(6, 3, 1000), 1001); /* stops past the limit */
	assert_int_equal(kith_select_count(3, 1, 100), 1);
}

/* README: Kosovo BIC-best [123,14,34] 10356.5; Korea BIC-best [12,23] 157.17 */
static void test_bic_readme(void **state)
{
	(void)state;
	if (!getenv("KITH_SHARED"))
		skip();
	struct kith_select_opts o = {.threads = 2};
	struct kith_select_result r;
	struct kith_err err;
	struct kith_stats_table *t = fixture_stats_table("Kosovo");
	assert_int_equal(kith_select_hierarchical(t, &o, &r, &err), KITH_OK);
	assert_int_equal(r.n_models, 113);
	assert_int_equal(r.max_order, 3);
	assert_true(r.exhaustive);
	assert_string_equal(r.models[r.best_bic].name, "[123,14,34]");
	NEAR(r.models[r.best_bic].fit.n_hat, 10356.5, 0.05);
	NEAR(r.models[r.best_bic].fit.bic, 203.0, 0.05);
	assert_string_equal(r.models[r.best_aic].name, "[123,134]");
	NEAR(r.models[r.best_aic].fit.n_hat, 12741.0, 0.05);
	kith_select_result_release(&r);
	kith_stats_table_free(t);
	t = fixture_stats_table("Korea");
	assert_int_equal(kith_select_hierarchical(t, &o, &r, &err), KITH_OK);
	assert_int_equal(r.n_models, 8);
	assert_string_equal(r.models[r.best_bic].name, "[12,23]");
	NEAR(r.models[r.best_bic].fit.n_hat, 157.17, 0.005);
	/* the model of all pairs is enumerated but has no MLE */
	int found = 0;
	for (size_t i = 0; i < r.n_models; i++)
		if (strcmp(r.models[i].name, "[12,13,23]") == 0) {
			found = 1;
			assert_int_equal(r.models[i].state, KITH_LOGLIN_NO_MLE);
		}
	assert_true(found);
	kith_select_result_release(&r);
	kith_stats_table_free(t);
}

/* Rcapture's closedpMS.t minimum BIC / AIC where its choice has an MLE
 * (reference_estimates.csv "loglin BIC-best"); the 5-list ones at order 2 */
static void test_bic_aic_reference(void **state)
{
	(void)state;
	if (!getenv("KITH_SHARED"))
		skip();
	static const struct {
		const char *table;
		unsigned order;
		const char *bic, *aic;
		double n_bic, n_aic;
	} ref[] = {
	    {"HAV", 2, "[1,2,3]", "[12,23]", 388.5, 526.7},
	    {"HIV", 3, "[1,2,3,4]", "[12,3,4]", 11124.6, 12318.5},
	    {"lesbian", 3, "[12,14,23,24,34]", "[124,134,23]", 6349.0, 9908.6},
	    {"Diabetes", 3, "[13,24,34]", "[12,13,23,24,34]", 2472.2, 2771.2},
	    {"Congenital", 2, "[12,13,45]", "[12,13,24,45]", 620.5, 634.5},
	    {"UKdat_5", 2, "[12,13,23,25,34]", NULL, 22991.3, 0},
	    {"Western", 2, "[15,2,3,4]", NULL, 2483.4, 0},
	    {"NewOrl_5", 2, "[1,2,3,4,5]", NULL, 1034.2, 0},
	};
	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
		struct kith_stats_table *t = fixture_stats_table(ref[i].table);
		struct kith_select_opts o = {.max_order = ref[i].order, .threads = 2};
		struct kith_select_result r;
		struct kith_err err;
		assert_int_equal(kith_select_hierarchical(t, &o, &r, &err), KITH_OK);
		if (strcmp(r.models[r.best_bic].name, ref[i].bic) != 0)
			print_error("%s: BIC-best %s, Rcapture %s\n", ref[i].table, r.models[r.best_bic].name,
				    ref[i].bic);
		assert_string_equal(r.models[r.best_bic].name, ref[i].bic);
		NEAR(r.models[r.best_bic].fit.n_hat, ref[i].n_bic, 0.05);
		if (ref[i].aic) {
			assert_string_equal(r.models[r.best_aic].name, ref[i].aic);
			NEAR(r.models[r.best_aic].fit.n_hat, ref[i].n_aic, 0.05);
		}
		kith_select_result_release(&r);
		kith_stats_table_free(t);
	}
}

/* MultipleSystemsEstimation's BIC with order 3 for 5 lists: [123,25,34] 25311.3 */
static void test_bic_order3(void **state)
{
	(void)state;
	if (!getenv("KITH_SHARED"))
		skip();
	struct kith_stats_table *t = fixture_stats_table("UKdat_5");
	struct kith_select_opts o = {.max_order = 3, .threads = 2};
	struct kith_select_result r;
	struct kith_err err;
	assert_int_equal(kith_select_hierarchical(t, &o, &r, &err), KITH_OK);
	assert_string_equal(r.models[r.best_bic].name, "[123,25,34]");
	NEAR(r.models[r.best_bic].fit.n_hat, 25311.3, 0.05);
	kith_select_result_release(&r);
	o.max_order = 5;
	assert_int_equal(kith_select_hierarchical(t, &o, &r, &err), KITH_E_INVALID);
	kith_stats_table_free(t);
}

/* beyond the exhaustive limit: the greedy search */
static void test_search(void **state)
{
	(void)state;
	if (!getenv("KITH_SHARED"))
		skip();
	struct kith_stats_table *t = fixture_stats_table("Kosovo");
	struct kith_select_opts o = {.max_models = 20, .threads = 2};
	struct kith_select_result r;
	struct kith_err err;
	assert_int_equal(kith_select_hierarchical(t, &o, &r, &err), KITH_OK);
	assert_false(r.exhaustive);
	assert_true(r.n_models < 113);
	assert_true(r.best_bic != SIZE_MAX);
	/* from main effects the search reaches the exhaustive choice here */
	assert_string_equal(r.models[r.best_bic].name, "[123,14,34]");
	kith_select_result_release(&r);
	kith_stats_table_free(t);
}

/* SparseMSE estimatepopulation.0 / MultipleSystemsEstimation stepwise p = 0.02 */
static void test_stepwise_reference(void **state)
{
	(void)state;
	if (!getenv("KITH_SHARED"))
		skip();
	static const struct {
		const char *table, *model;
		double n;
		unsigned structural;
	} ref[] = {
	    {"NewOrl", "[45,1,2,3,6,7,8]", 1183.7, 0}, /* selects D:E */
	    {"NewOrl_5", "[1,2,3,4,5]", 1034.2, 0},
	    {"Western", "[15,2,3,4]", 2483.4, 0}, /* selects A:E */
	    {"UKdat_5", "[12,13,24,25,35,45]", 11313.0, 0},
	    {"UKdat", "[12,13,24,25,35,36,45]", 11418.0, 0},
	    {"Kosovo", "[12,13,14,23,34]", 14341.7, 0},
	    {"Korea", "[12,3]", 268.8, 0},
	    {"Ned_5", "[12,13,15,24,34,35]", 121521.6, 1}, /* K:R never overlap */
	    {"Ned", "[12,16,23,25,34,36,45,46]", 111139.4, 2},
	    {"lesbian", "[14,23,24,34]", 5350.5, 0},
	    {"Congenital", "[13,45,2]", 609.9, 0},
	    {"Diabetes", "[24,34,1]", 2279.2, 0},
	    {"HAV", "[1,2,3]", 388.5, 0},
	    {"Australia", "[12,23,24]", 6496.0, 0},
	};
	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
		struct kith_stats_table *t = fixture_stats_table(ref[i].table);
		struct kith_select_stepwise s;
		struct kith_err err;
		assert_int_equal(kith_select_stepwise(t, 0.02, &s, &err), KITH_OK);
		assert_int_equal(s.fit.state, KITH_LOGLIN_OK);
		if (strcmp(s.name, ref[i].model) != 0 || fabs(s.fit.n_hat - ref[i].n) > 0.05)
			print_error("%s: %s %.2f, SparseMSE %s %.1f\n", ref[i].table, s.name, s.fit.n_hat,
				    ref[i].model, ref[i].n);
		assert_string_equal(s.name, ref[i].model);
		NEAR(s.fit.n_hat, ref[i].n, 0.05);
		assert_int_equal(s.fit.structural, ref[i].structural);
		double est;
		double p = 0.02;
		assert_int_equal(kith_select_stepwise_estimator(t, &p, &est), 0);
		NEAR(est, s.fit.n_hat, 1e-9);
		kith_stats_table_free(t);
	}
}

static void test_stepwise_edges(void **state)
{
	(void)state;
	struct kith_err err;
	struct kith_stats_table *t;
	/* no one on two lists: an infinite estimate for the bootstrap */
	double c[8] = {0, 10, 12, 0, 9, 0, 0, 0};
	assert_int_equal(kith_stats_table_new(&t, 3, NULL, c, &err), KITH_OK);
	double est = 0;
	assert_int_equal(kith_select_stepwise_estimator(t, NULL, &est), 0);
	assert_true(isinf(est));
	struct kith_select_stepwise s;
	assert_int_equal(kith_select_stepwise(t, 2, &s, &err), KITH_E_INVALID);
	kith_stats_table_free(t);
	/* an empty list: main effects only (every candidate fails the check) */
	double d[16] = {0};
	d[1] = 20;
	d[2] = 15;
	d[3] = 4;
	d[4] = 30;
	d[5] = 6;
	d[6] = 1;
	d[7] = 2;
	assert_int_equal(kith_stats_table_new(&t, 4, NULL, d, &err), KITH_OK);
	assert_int_equal(kith_select_stepwise(t, 0.02, &s, &err), KITH_OK);
	assert_int_equal(s.n_pairs, 0);
	assert_int_equal(s.fit.state, KITH_LOGLIN_OK);
	kith_stats_table_free(t);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_bic_readme),
	    cmocka_unit_test(test_bic_aic_reference),
	    cmocka_unit_test(test_bic_order3),
	    cmocka_unit_test(test_search),
	    cmocka_unit_test(test_stepwise_reference),
	    cmocka_unit_test(test_stepwise_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
