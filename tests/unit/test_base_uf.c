/* Unit tests of src/base/uf: disjoint sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/uf.h"

static void test_joins(void **state)
{
	(void)state;
	struct kith_uf uf;
	assert_int_equal(kith_uf_init(&uf, 6), KITH_OK);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(kith_uf_find(&uf, i), i);
	assert_int_equal(kith_uf_join(&uf, 4, 2), 1);
	assert_int_equal(kith_uf_join(&uf, 2, 4), 0); /* already one */
	assert_int_equal(kith_uf_join(&uf, 5, 4), 1);
	assert_int_equal(kith_uf_join(&uf, 1, 3), 1);
	/* the root is the smallest member, whatever the order of the joins */
	assert_int_equal(kith_uf_find(&uf, 5), 2);
	assert_int_equal(kith_uf_find(&uf, 3), 1);
	assert_int_equal(kith_uf_join(&uf, 3, 5), 1);
	for (size_t i = 1; i < 6; i++)
		assert_int_equal(kith_uf_find(&uf, i), 1);
	assert_int_equal(kith_uf_find(&uf, 0), 0);
	kith_uf_release(&uf);
	assert_null(uf.parent);
	kith_uf_release(&uf); /* a released struct may be released again */
}

static void test_empty(void **state)
{
	(void)state;
	struct kith_uf uf;
	assert_int_equal(kith_uf_init(&uf, 0), KITH_OK);
	assert_int_equal(uf.n, 0);
	kith_uf_release(&uf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_joins),
	    cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
