/* Unit tests of src/stats/sim and src/stats/hetero: the simulated populations
 * with individual capture heterogeneity, the fixed-heterogeneity fits, the
 * verdict, and (a few seeds of bench/bench_hetero.c) that the plausible range
 * of kith_estimate_run holds the true N where every model's point estimate
 * and the latent-class interval miss it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats/estimate.h"
#include "stats/hetero.h"
#include "stats/loglin.h"
#include "stats/sim.h"

static void test_sim_deterministic(void **state)
{
	(void)state;
	struct kith_stats_sim_opts o = {.seed = 7};
	struct kith_stats_table *a = NULL, *b = NULL;
	size_t ua = 0, ub = 0;
	assert_int_equal(kith_stats_sim_het(&o, &a, &ua, NULL), KITH_OK);
	assert_int_equal(kith_stats_sim_het(&o, &b, &ub, NULL), KITH_OK);
	assert_int_equal(kith_stats_table_lists(a), 4);
	assert_int_equal(ua, ub);
	assert_memory_equal(kith_stats_table_counts(a), kith_stats_table_counts(b), 16 * sizeof(double));
	assert_true(fabs(kith_stats_table_observed(a) + (double)ua - 3000) < 0.5);
	o.seed = 8;
	struct kith_stats_table *c = NULL;
	assert_int_equal(kith_stats_sim_het(&o, &c, NULL, NULL), KITH_OK);
	assert_memory_not_equal(kith_stats_table_counts(a), kith_stats_table_counts(c), 16 * sizeof(double));
	kith_stats_table_free(a);
	kith_stats_table_free(b);
	kith_stats_table_free(c);
}

static void test_sim_bad_options(void **state)
{
	(void)state;
	struct kith_stats_table *t = NULL;
	struct kith_err e;
	double p[4] = {0.1, 0.2, 1.5, 0.1};
	struct kith_stats_sim_opts o = {.p = p};
	assert_int_equal(kith_stats_sim_het(&o, &t, NULL, &e), KITH_E_INVALID);
	o = (struct kith_stats_sim_opts){.lists = 17};
	assert_int_equal(kith_stats_sim_het(&o, &t, NULL, &e), KITH_E_INVALID);
	o = (struct kith_stats_sim_opts){.factor_lo = 2, .factor_hi = 1};
	assert_int_equal(kith_stats_sim_het(&o, &t, NULL, &e), KITH_E_INVALID);
	assert_null(t);
}

/* Without heterogeneity the setting v = 0 is Mt itself. */
static void test_fit_zero_is_mt(void **state)
{
	(void)state;
	struct kith_stats_sim_opts o = {.seed = 3, .factor_lo = 1, .factor_hi = 1};
	struct kith_stats_table *t = NULL;
	assert_int_equal(kith_stats_sim_het(&o, &t, NULL, NULL), KITH_OK);
	double n_hat, dev;
	assert_int_equal(kith_hetero_fit(t, 0, &n_hat, &dev, NULL), KITH_OK);
	struct kith_loglin_spec s = {.family = KITH_LOGLIN_MT};
	struct kith_loglin *L = NULL;
	struct kith_loglin_result f;
	assert_int_equal(kith_loglin_new(&L, t, &s, NULL), KITH_OK);
	assert_int_equal(kith_loglin_fit(L, &f, NULL), KITH_OK);
	assert_true(fabs(n_hat - f.n_hat) < 1e-6 * f.n_hat);
	assert_true(fabs(dev - f.deviance) < 1e-6);
	/* a stronger setting gives a larger estimate */
	double n2, d2;
	assert_int_equal(kith_hetero_fit(t, 0.5, &n2, &d2, NULL), KITH_OK);
	assert_true(n2 > n_hat);
	assert_int_equal(kith_hetero_fit(t, 3, &n2, &d2, NULL), KITH_E_INVALID);
	kith_loglin_free(L);
	kith_stats_table_free(t);
}

/* Strong heterogeneity with many lists is shown; none is not. */
static void test_verdicts(void **state)
{
	(void)state;
	double p[6] = {0.3, 0.3, 0.3, 0.3, 0.3, 0.3};
	struct kith_stats_sim_opts o = {
	    .seed = 1, .people = 20000, .lists = 6, .p = p, .factor_lo = 0.1, .factor_hi = 3};
	struct kith_stats_table *t = NULL;
	struct kith_hetero_result r;
	assert_int_equal(kith_stats_sim_het(&o, &t, NULL, NULL), KITH_OK);
	assert_int_equal(kith_hetero_analyse(t, NULL, &r, NULL), KITH_OK);
	assert_int_equal(r.verdict, KITH_HETERO_SHOWN);
	assert_true(r.grid[0].ruled_out);
	char w[512];
	kith_hetero_words(&r, "en", w, sizeof w);
	assert_non_null(strstr(w, "harder to reach"));
	kith_hetero_words(&r, "ko", w, sizeof w);
	assert_non_null(strstr(w, "명단"));
	kith_stats_table_free(t);

	o = (struct kith_stats_sim_opts){
	    .seed = 2, .people = 20000, .lists = 6, .p = p, .factor_lo = 1, .factor_hi = 1};
	assert_int_equal(kith_stats_sim_het(&o, &t, NULL, NULL), KITH_OK);
	assert_int_equal(kith_hetero_analyse(t, NULL, &r, NULL), KITH_OK);
	assert_int_equal(r.verdict, KITH_HETERO_SMALL);
	assert_false(r.grid[0].ruled_out);
	assert_true(r.upper < 20000 * 1.05);
	kith_stats_table_free(t);
}

/* The population (N = 3,000, four lists, factor in [0.4, 1.6]): on
 * these seeds the point estimates of M0, Mt and the latent classes all fall
 * short of 3,000; the plausible range must still hold it. Four seeds here,
 * twenty in bench/bench_hetero.c. */
static void test_range_holds_truth(void **state)
{
	(void)state;
	const uint64_t seeds[] = {3, 5, 11, 14};
	for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
		struct kith_stats_sim_opts so = {.seed = seeds[i]};
		struct kith_stats_table *t = NULL;
		size_t unseen = 0;
		assert_int_equal(kith_stats_sim_het(&so, &t, &unseen, NULL), KITH_OK);
		double truth = kith_stats_table_observed(t) + (double)unseen;
		struct kith_estimate_opts eo = {.seed = 1,
						.no_boot = 1,
						.threads = 2,
						.lcm = {.iter = 10000, .burnin = 2000, .chains = 2}};
		struct kith_estimate_result *R = NULL;
		assert_int_equal(kith_estimate_run(t, &eo, &R, NULL), KITH_OK);
		assert_true(R->hetero_run);
		/* the models without heterogeneity and the latent classes miss */
		for (size_t j = 0; j < R->n_rows; j++)
			if (strcmp(R->rows[j].name, "Mt") == 0 || strcmp(R->rows[j].method, "lcm") == 0)
				assert_true(R->rows[j].n_hat < truth);
		assert_true(R->range_lo <= truth);
		assert_true(R->range_hi >= truth);
		/* and the range is not absurd: within 25% of the truth on each side */
		assert_true(R->range_lo > 0.75 * truth);
		assert_true(R->range_hi < 1.25 * truth);
		kith_estimate_free(R);
		kith_stats_table_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sim_deterministic), cmocka_unit_test(test_sim_bad_options),
	    cmocka_unit_test(test_fit_zero_is_mt),    cmocka_unit_test(test_verdicts),
	    cmocka_unit_test(test_range_holds_truth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
