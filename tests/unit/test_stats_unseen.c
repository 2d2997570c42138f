/* Unit tests of src/stats/unseen: the splits no linkage saw, undone in
 * expectation. The forward model is written here again, the slow way (every
 * person pattern, every subset of its records kept), so the test checks the
 * inversion against an independent statement of the model. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/status.h"
#include "stats/unseen.h"

static unsigned popc(uint32_t x)
{
	unsigned c = 0;
	for (; x; x &= x - 1)
		c++;
	return c;
}

/* The expected observed table of true counts mu, each record of a person of
 * two lists or more split off with probability beta. */
static void forward(const double *mu, unsigned k, double beta, double *y)
{
	uint32_t n = 1u << k;
	memset(y, 0, n * sizeof *y);
	for (uint32_t s = 1; s < n; s++) {
		if (popc(s) < 2) {
			y[s] += mu[s];
			continue;
		}
		for (uint32_t t = s;; t = (t - 1) & s) { /* t: the records kept together */
			double p = pow(1 - beta, popc(t)) * pow(beta, popc(s) - popc(t));
			if (popc(t) >= 2)
				y[t] += mu[s] * p;
			for (unsigned j = 0; j < k; j++) /* each other record on its own */
				if ((s >> j & 1) && (!(t >> j & 1) || popc(t) < 2))
					y[1u << j] += mu[s] * p;
			if (!t)
				break;
		}
	}
}

static void test_inverts_the_model(void **state)
{
	(void)state;
	for (unsigned k = 2; k <= 5; k++) {
		double mu[32], y[32], back[32];
		uint32_t n = 1u << k;
		mu[0] = 0;
		for (uint32_t p = 1; p < n; p++)
			mu[p] = 40.0 + 17.0 * (double)((p * 7) % 11) / (double)popc(p);
		for (int b = 0; b <= 3; b++) {
			double beta = 0.03 * b;
			forward(mu, k, beta, y);
			assert_int_equal(kith_unseen_unsplit(y, k, beta, back), KITH_OK);
			double rec_y = 0, rec_b = 0;
			for (uint32_t p = 1; p < n; p++) {
				assert_true(fabs(back[p] - mu[p]) < 1e-9 * mu[p]);
				rec_y += y[p] * popc(p);
				rec_b += back[p] * popc(p);
			}
			assert_true(fabs(rec_y - rec_b) < 1e-9 * rec_y); /* the records are kept */
		}
	}
}

static void test_rate_moves_singletons(void **state)
{
	(void)state;
	/* three lists: 100 on each pair, 50 on all, 200 singletons each */
	double y[8] = {0, 200, 200, 100, 200, 100, 100, 50}, out[8];
	assert_int_equal(kith_unseen_unsplit(y, 3, 0, out), KITH_OK);
	for (int p = 1; p < 8; p++)
		assert_true(out[p] == y[p]);
	assert_int_equal(kith_unseen_unsplit(y, 3, 0.05, out), KITH_OK);
	assert_true(out[7] > 50 && out[3] > 100);
	assert_true(out[1] < 200 && out[2] < 200 && out[4] < 200);
	/* a rate that would take more singletons than there are: clamped, never negative */
	double few[8] = {0, 1, 1, 100, 1, 100, 100, 50};
	assert_int_equal(kith_unseen_unsplit(few, 3, 0.2, out), KITH_OK);
	for (int p = 1; p < 8; p++)
		assert_true(out[p] >= 0);
	assert_true(out[1] == 0);
}

static void test_refuses(void **state)
{
	(void)state;
	double y[8] = {0, 1, 1, 1, 1, 1, 1, 1}, out[8] = {0};
	assert_int_equal(kith_unseen_unsplit(y, 1, 0.01, out), KITH_E_INVALID);
	assert_int_equal(kith_unseen_unsplit(y, 17, 0.01, out), KITH_E_INVALID);
	assert_int_equal(kith_unseen_unsplit(y, 3, -0.01, out), KITH_E_INVALID);
	assert_int_equal(kith_unseen_unsplit(y, 3, 0.51, out), KITH_E_INVALID);
	assert_int_equal(kith_unseen_unsplit(y, 3, NAN, out), KITH_E_INVALID);
	y[5] = -1;
	assert_int_equal(kith_unseen_unsplit(y, 3, 0.01, out), KITH_E_INVALID);
	assert_true(out[1] == 0); /* unchanged */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inverts_the_model),
	    cmocka_unit_test(test_rate_moves_singletons),
	    cmocka_unit_test(test_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
