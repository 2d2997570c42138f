/* Unit tests of src/link/triad: a pair judged again by a third record compared with both. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "link/triad.h"

/* The bits of the factor (1 + kappa·o1·o2) / (1 + o1 + o2), as triad.h states it. */
static double factor(double kappa, double w1, double w2)
{
	double o1 = exp2(w1), o2 = exp2(w2);
	return log2(1 + kappa * o1 * o2) - log2(1 + o1 + o2);
}

static void near(double x, double y, double eps)
{
	if (!(fabs(x - y) <= eps))
		fail_msg("%.6f is not %.6f", x, y);
}

static struct kith_triad_change *apply(size_t nr, const struct kith_block_pair *p, float *w, size_t n,
				       size_t *nch)
{
	struct kith_triad_change *ch = NULL;
	assert_int_equal(kith_triad_apply(nr, p, w, n, KITH_TRIAD_KAPPA, KITH_TRIAD_SHARE, 2, &ch, nch),
			 KITH_OK);
	return ch;
}

/* a ~ c and b ~ c both likely: a and b, whose own names compare weakly, are lifted. */
static void test_lift_through_a_third_record(void **state)
{
	(void)state;
	const struct kith_block_pair p[3] = {{0, 1, 0}, {0, 2, 0}, {1, 2, 0}}; /* ab, ac, bc */
	float w[3] = {-2.0f, 5.0f, 4.0f};
	size_t nch;
	struct kith_triad_change *ch = apply(3, p, w, 3, &nch);
	double lift = KITH_TRIAD_SHARE * factor(KITH_TRIAD_KAPPA, 5, 4);
	assert_true(lift > 2.0); /* from odds 1/4 to above even odds */
	near(w[0], -2.0 + lift, 1e-3);
	assert_true(w[0] > 0);
	/* ac and bc are at or above even odds: c's third, a or b, cuts them only if it is unlikely */
	near(w[1], 5.0 + KITH_TRIAD_SHARE * fmin(0, factor(KITH_TRIAD_KAPPA, -2, 4)), 1e-3);
	near(kith_triad_bits(ch, nch, 0), lift, 1e-3);
	near(kith_triad_bits(ch, nch, 5), 0, 0);
	free(ch);
}

/* a ~ c surely, b ~ c surely not: a and b, namesakes whose fields agree, are cut. */
static void test_cut_by_a_third_record(void **state)
{
	(void)state;
	/* the pair bc was compared far below 1/128 (so it is no strong neighbour of b) */
	const struct kith_block_pair p[3] = {{0, 1, 0}, {0, 2, 0}, {1, 2, 0}};
	float w[3] = {3.0f, 10.0f, -12.0f};
	size_t nch;
	struct kith_triad_change *ch = apply(3, p, w, 3, &nch);
	double cut = KITH_TRIAD_SHARE * factor(KITH_TRIAD_KAPPA, 10, -12);
	assert_true(cut < -6);
	near(w[0], 3.0 + cut, 1e-3);
	assert_true(w[0] < 0);
	near(w[2], -12.0f, 0); /* below 1/128: left alone */
	free(ch);
	/* the same without the pair bc: blocking never compared b and c, which tells nothing */
	float w2[2] = {3.0f, 10.0f};
	ch = apply(3, p, w2, 2, &nch);
	near(w2[0], 3.0f, 0);
	near(w2[1], 10.0f, 0);
	assert_int_equal(nch, 0);
	assert_null(ch);
}

/* A pair far below even odds is not lifted; kappa <= 0 changes nothing. */
static void test_far_below_and_off(void **state)
{
	(void)state;
	const struct kith_block_pair p[3] = {{0, 1, 0}, {0, 2, 0}, {1, 2, 0}};
	float w[3] = {-8.0f, 6.0f, 6.0f};
	size_t nch;
	struct kith_triad_change *ch = apply(3, p, w, 3, &nch);
	near(w[0], -8.0f, 0);
	free(ch);
	float w2[3] = {-2.0f, 6.0f, 6.0f};
	assert_int_equal(kith_triad_apply(3, p, w2, 3, 0, KITH_TRIAD_SHARE, 1, &ch, &nch), KITH_OK);
	near(w2[0], -2.0f, 0);
	assert_int_equal(nch, 0);
}

/* The result does not depend on the order of the pairs nor on which record is a. */
static void test_order_does_not_matter(void **state)
{
	(void)state;
	enum { NR = 40, NP = 300 };
	struct kith_block_pair p[NP], q[NP];
	float w[NP], v[NP];
	size_t n = 0;
	uint64_t x = 12345;
	for (uint32_t a = 0; a < NR && n < NP; a++)
		for (uint32_t b = a + 1; b < NR && n < NP; b++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((x >> 60) > 3)
				continue;
			p[n] = (struct kith_block_pair){a, b, 0};
			w[n] = (float)((double)((x >> 20) % 2400) / 100.0 - 14.0); /* -14 .. 10 bits */
			n++;
		}
	assert_true(n > 50);
	/* reversed order, each pair's records swapped */
	for (size_t i = 0; i < n; i++) {
		q[n - 1 - i] = (struct kith_block_pair){p[i].b, p[i].a, 0};
		v[n - 1 - i] = w[i];
	}
	size_t n1, n2;
	struct kith_triad_change *c1 = apply(NR, p, w, n, &n1), *c2 = apply(NR, q, v, n, &n2);
	assert_true(n1 > 0);
	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n; i++)
		near(w[i], v[n - 1 - i], 1e-5);
	free(c1);
	free(c2);
}

/* More pairs than one chunk of work: the same changes on one thread and on three. */
static void test_threads_do_not_matter(void **state)
{
	(void)state;
	enum { NR = 3000 };
	size_t np = 150000, n = 0;
	struct kith_block_pair *p = calloc(np, sizeof *p);
	float *w1 = calloc(np, sizeof *w1), *w3 = calloc(np, sizeof *w3);
	uint8_t *seen = calloc((size_t)NR * NR, 1);
	assert_true(p && w1 && w3 && seen);
	uint64_t x = 99;
	while (n < np) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		uint32_t a = (uint32_t)((x >> 33) % NR), b = (uint32_t)((x >> 13) % NR);
		if (a == b || seen[(size_t)a * NR + b])
			continue;
		seen[(size_t)a * NR + b] = seen[(size_t)b * NR + a] = 1;
		p[n] = (struct kith_block_pair){a, b, 0};
		w1[n] = w3[n] = (float)((double)((x >> 40) % 2600) / 100.0 - 16.0); /* -16 .. 10 bits */
		n++;
	}
	struct kith_triad_change *c1 = NULL, *c3 = NULL;
	size_t n1 = 0, n3 = 0;
	assert_int_equal(kith_triad_apply(NR, p, w1, n, KITH_TRIAD_KAPPA, KITH_TRIAD_SHARE, 1, &c1, &n1),
			 KITH_OK);
	assert_int_equal(kith_triad_apply(NR, p, w3, n, KITH_TRIAD_KAPPA, KITH_TRIAD_SHARE, 3, &c3, &n3),
			 KITH_OK);
	assert_true(n1 > 1000);
	assert_int_equal(n1, n3);
	for (size_t k = 0; k < n1; k++) {
		assert_int_equal(c1[k].pair, c3[k].pair);
		assert_true(c1[k].bits == c3[k].bits);
	}
	assert_memory_equal(w1, w3, n * sizeof *w1);
	for (size_t k = 1; k < n1; k++)
		assert_true(c1[k - 1].pair < c1[k].pair);
	free(c1);
	free(c3);
	free(p);
	free(w1);
	free(w3);
	free(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lift_through_a_third_record), cmocka_unit_test(test_cut_by_a_third_record),
	    cmocka_unit_test(test_far_below_and_off),		cmocka_unit_test(test_order_does_not_matter),
	    cmocka_unit_test(test_threads_do_not_matter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
