/* Unit tests of src/stats/rdist: each variate's distribution against its
 * exact law by Pearson's chi-square (cells pooled to an expected count of at
 * least 20), on fixed seeds (so the outcome is fixed too), at the 0.001
 * level: a wrong method fails by orders of magnitude at these sample sizes.
 * Binomials cover both methods (inversion below n p = 10, BTRD above) and
 * both sides of p = 0.5; Poisson both methods. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "stats/rdist.h"

#define DRAWS 200000

/* chi-square p-value of observed counts h[0..m-1] against expected e[] */
static double pearson(const double *h, const double *e, size_t m)
{
	double chi = 0, eo = 0, ee = 0;
	int df = 0;
	for (size_t i = 0; i < m; i++) {
		eo += h[i];
		ee += e[i];
		if (ee >= 20 || i + 1 == m) {
			chi += (eo - ee) * (eo - ee) / ee;
			df++;
			eo = ee = 0;
		}
	}
	return gsl_cdf_chisq_Q(chi, df - 1);
}

static void check_binomial(unsigned n, double p, uint64_t seed)
{
	struct kith_rdist *r = malloc(sizeof *r);
	assert_non_null(r);
	kith_rdist_seed(r, seed);
	double *h = calloc(n + 1, sizeof *h), *e = calloc(n + 1, sizeof *e);
	assert_true(h && e);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t x = kith_rdist_binomial(r, n, p);
		assert_true(x <= n);
		h[x]++;
	}
	for (unsigned x = 0; x <= n; x++)
		e[x] = DRAWS * gsl_ran_binomial_pdf(x, p, n);
	double pv = pearson(h, e, n + 1);
	print_message("binomial(%u, %g): p = %.3f\n", n, p, pv);
	assert_true(pv > 0.001);
	free(h);
	free(e);
	free(r);
}

static void test_binomial(void **state)
{
	(void)state;
	check_binomial(5, 0.3, 1);
	check_binomial(30, 0.2, 2);	/* inversion */
	check_binomial(100, 0.5, 3);	/* BTRD at p = 0.5 */
	check_binomial(1000, 0.02, 4);	/* BTRD, np = 20 */
	check_binomial(1000, 0.3, 5);	/* BTRD, far from the mode */
	check_binomial(300, 0.95, 6);	/* p > 0.5 by symmetry */
	check_binomial(5000, 0.001, 7); /* inversion, n beyond the squaring */
	struct kith_rdist r;
	kith_rdist_seed(&r, 1);
	assert_int_equal(kith_rdist_binomial(&r, 0, 0.5), 0);
	assert_int_equal(kith_rdist_binomial(&r, 7, 0), 0);
	assert_int_equal(kith_rdist_binomial(&r, 7, 1), 7);
}

static void check_poisson(double mu, uint64_t seed)
{
	struct kith_rdist r;
	kith_rdist_seed(&r, seed);
	size_t m = (size_t)(mu + 10 * sqrt(mu) + 20);
	double *h = calloc(m + 1, sizeof *h), *e = calloc(m + 1, sizeof *e);
	assert_true(h && e);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t x = kith_rdist_poisson(&r, mu);
		h[x < m ? x : m]++;
	}
	for (size_t x = 0; x < m; x++)
		e[x] = DRAWS * gsl_ran_poisson_pdf((unsigned)x, mu);
	e[m] = DRAWS * gsl_cdf_poisson_Q((unsigned)m - 1, mu);
	double pv = pearson(h, e, m + 1);
	print_message("poisson(%g): p = %.3f\n", mu, pv);
	assert_true(pv > 0.001);
	free(h);
	free(e);
}

static void test_poisson(void **state)
{
	(void)state;
	check_poisson(0.5, 1);
	check_poisson(7, 2);
	check_poisson(37.5, 3);
	check_poisson(6000, 4);
}

/* continuous laws: 50 equiprobable cells of the exact distribution function */
static void check_cont(const char *what, double a, double b, uint64_t seed)
{
	struct kith_rdist r;
	kith_rdist_seed(&r, seed);
	double h[50] = {0}, e[50];
	for (int i = 0; i < DRAWS; i++) {
		double u;
		if (!strcmp(what, "normal"))
			u = gsl_cdf_ugaussian_P(kith_rdist_normal(&r));
		else if (!strcmp(what, "gamma"))
			u = gsl_cdf_gamma_P(kith_rdist_gamma(&r, a), a, 1);
		else if (!strcmp(what, "log-gamma"))
			u = gsl_cdf_gamma_P(exp(kith_rdist_log_gamma(&r, a)), a, 1);
		else
			u = gsl_cdf_beta_P(kith_rdist_beta(&r, a, b), a, b);
		int c = (int)(u * 50);
		h[c < 50 ? c : 49]++;
	}
	for (int c = 0; c < 50; c++)
		e[c] = DRAWS / 50.0;
	double pv = pearson(h, e, 50);
	print_message("%s(%g, %g): p = %.3f\n", what, a, b, pv);
	assert_true(pv > 0.001);
}

static void test_continuous(void **state)
{
	(void)state;
	check_cont("normal", 0, 0, 1);
	check_cont("gamma", 0.3, 0, 2);
	check_cont("gamma", 1, 0, 3);
	check_cont("gamma", 2.5, 0, 4);
	check_cont("gamma", 400, 0, 5);
	check_cont("log-gamma", 0.3, 0, 6);
	check_cont("log-gamma", 12, 0, 7);
	check_cont("beta", 1, 1, 8);
	check_cont("beta", 3, 40, 9);
	/* a tiny shape: the log stays finite where the draw underflows */
	struct kith_rdist r;
	kith_rdist_seed(&r, 10);
	for (int i = 0; i < 1000; i++)
		assert_true(isfinite(kith_rdist_log_gamma(&r, 1e-3)));
}

static void test_multinomial(void **state)
{
	(void)state;
	struct kith_rdist r;
	kith_rdist_seed(&r, 3);
	const double w[5] = {0.5, 0, 0.2, 0.2, 0.1};
	const unsigned order[5] = {0, 2, 3, 4, 1};
	double sum[5] = {0};
	unsigned out[5];
	for (int i = 0; i < 20000; i++) {
		uint64_t n = i % 3 == 0 ? 2 : i % 3 == 1 ? 9 : 300;
		kith_rdist_multinomial(&r, n, w, 5, i % 2 ? order : NULL, out);
		uint64_t t = 0;
		for (int k = 0; k < 5; k++)
			t += out[k];
		assert_int_equal(t, n);
		assert_int_equal(out[1], 0);
		for (int k = 0; k < 5; k++)
			sum[k] += out[k];
	}
	double all = sum[0] + sum[1] + sum[2] + sum[3] + sum[4];
	for (int k = 0; k < 5; k++)
		assert_true(fabs(sum[k] / all - w[k]) < 0.003);
}

static void test_seeded(void **state)
{
	(void)state;
	struct kith_rdist a, b;
	kith_rdist_seed(&a, 99);
	kith_rdist_seed(&b, 99);
	for (int i = 0; i < 100; i++)
		assert_true(kith_rdist_gamma(&a, 3) == kith_rdist_gamma(&b, 3));
	for (int i = 0; i < 1000; i++) {
		double u = kith_rdist_unit(&a);
		assert_true(u > 0 && u < 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_binomial),   cmocka_unit_test(test_poisson),
	    cmocka_unit_test(test_continuous), cmocka_unit_test(test_multinomial),
	    cmocka_unit_test(test_seeded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
