/* Unit tests of src/base/prng: the published streams, reproducibility, range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/prng.h"

/* splitmix64 from state 0 (the reference implementation's first outputs). */
static void test_splitmix_reference(void **state)
{
	(void)state;
	assert_true(kith_prng_mix(0) == 0xE220A8397B1DCDAFULL);
	assert_true(kith_prng_mix(0x9E3779B97F4A7C15ULL) == 0x6E789E6AA1B965F4ULL);
	assert_true(kith_prng_mix(2 * 0x9E3779B97F4A7C15ULL) == 0x06C45D188009454FULL);
}

/* splitmix64 as a generator from state 0: the same reference outputs, and
 * the state advanced by the golden gamma each time. */
static void test_splitmix_stream(void **state)
{
	(void)state;
	uint64_t s = 0;
	assert_true(kith_prng_splitmix(&s) == 0xE220A8397B1DCDAFULL);
	assert_true(s == 0x9E3779B97F4A7C15ULL);
	assert_true(kith_prng_splitmix(&s) == 0x6E789E6AA1B965F4ULL);
	assert_true(kith_prng_splitmix(&s) == 0x06C45D188009454FULL);
	uint64_t a = 99, b = 99;
	unsigned counts[3] = {0};
	for (int i = 0; i < 30000; i++) {
		uint64_t x = kith_prng_splitmix_below(&a, 3);
		assert_true(x < 3);
		counts[x]++;
	}
	/* below draws from the same stream: a small n rejects almost never */
	assert_true(kith_prng_splitmix_below(&b, 1000) == kith_prng_mix(99) % 1000);
	for (int k = 0; k < 3; k++) /* 10000 expected; 5 standard deviations is ~ 410 */
		assert_true(counts[k] > 9500 && counts[k] < 10500);
	assert_true(kith_prng_splitmix_below(&a, 1) == 0);
}

/* xoshiro256** from the state {1, 2, 3, 4} (the reference outputs). */
static void test_xoshiro_reference(void **state)
{
	(void)state;
	struct kith_prng r = {{1, 2, 3, 4}};
	static const uint64_t want[] = {11520, 0, 1509978240, 1215971899390074240ULL};
	for (size_t i = 0; i < 4; i++)
		assert_true(kith_prng_next(&r) == want[i]);
}

static void test_seeded_streams(void **state)
{
	(void)state;
	struct kith_prng a, b, c;
	kith_prng_seed(&a, 42);
	kith_prng_seed(&b, 42);
	kith_prng_seed(&c, 43);
	int differ = 0;
	for (int i = 0; i < 100; i++) {
		uint64_t x = kith_prng_next(&a);
		assert_true(x == kith_prng_next(&b));
		differ |= x != kith_prng_next(&c);
	}
	assert_true(differ);
	/* the seed is spread by splitmix64 */
	kith_prng_seed(&a, 0);
	assert_true(a.s[0] == kith_prng_mix(0));
}

static void test_ranges(void **state)
{
	(void)state;
	struct kith_prng r;
	kith_prng_seed(&r, 7);
	unsigned counts[6] = {0};
	for (int i = 0; i < 60000; i++) {
		uint64_t x = kith_prng_below(&r, 6);
		assert_true(x < 6);
		counts[x]++;
		double u = kith_prng_unit(&r);
		assert_true(u >= 0.0 && u < 1.0);
	}
	for (int k = 0; k < 6; k++) /* 10000 expected; 5 standard deviations is ~ 460 */
		assert_true(counts[k] > 9400 && counts[k] < 10600);
	assert_true(kith_prng_below(&r, 1) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_splitmix_reference),
	    cmocka_unit_test(test_splitmix_stream),
	    cmocka_unit_test(test_xoshiro_reference),
	    cmocka_unit_test(test_seeded_streams),
	    cmocka_unit_test(test_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
