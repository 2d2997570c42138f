/* Unit tests of src/link/hmap: the 64-bit key hash map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/hmap.h"

static void test_insert_grow_get(void **state)
{
	(void)state;
	struct kith_hmap m = KITH_HMAP_INIT;
	assert_null(kith_hmap_get(&m, 5));
	assert_null(kith_hmap_upsert(&m, 0, 1)); /* 0 is reserved */
	for (uint64_t k = 1; k <= 10000; k++) {
		uint64_t *v = kith_hmap_upsert(&m, k * 0x10001, k);
		assert_non_null(v);
		assert_int_equal(*v, k);
	}
	assert_int_equal(m.n, 10000);
	assert_true(m.cap >= 20000);
	for (uint64_t k = 1; k <= 10000; k++) {
		uint64_t *v = kith_hmap_get(&m, k * 0x10001);
		assert_non_null(v);
		assert_int_equal(*v, k);
	}
	/* upsert of a present key keeps its value */
	uint64_t *v = kith_hmap_upsert(&m, 0x10001, 99);
	assert_int_equal(*v, 1);
	(*v)++;
	assert_int_equal(*kith_hmap_get(&m, 0x10001), 2);
	assert_null(kith_hmap_get(&m, 3));
	size_t seen = 0;
	for (size_t i = 0; i < m.cap; i++)
		seen += m.keys[i] != 0;
	assert_int_equal(seen, 10000);
	kith_hmap_release(&m);
	assert_int_equal(m.cap, 0);
	assert_null(kith_hmap_get(&m, 1));
}

static void test_reserve(void **state)
{
	(void)state;
	struct kith_hmap m = KITH_HMAP_INIT;
	assert_int_equal(kith_hmap_reserve(&m, 100), KITH_OK);
	size_t cap = m.cap;
	assert_true(cap >= 200);
	for (uint64_t k = 1; k <= 100; k++)
		assert_non_null(kith_hmap_upsert(&m, k, 0));
	assert_int_equal(m.cap, cap); /* no growth within the reservation */
	kith_hmap_release(&m);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_insert_grow_get),
	    cmocka_unit_test(test_reserve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
