/* Unit tests of src/base/strset: first-added order, one index a string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "base/strset.h"

static void test_index_and_find(void **state)
{
	(void)state;
	struct kith_strset s = KITH_STRSET_INIT;
	assert_int_equal(kith_strset_find(&s, "a"), -1);
	assert_int_equal(kith_strset_index(&s, "shelter"), 0);
	assert_int_equal(kith_strset_index(&s, "police"), 1);
	assert_int_equal(kith_strset_index(&s, "shelter"), 0); /* not added twice */
	assert_int_equal(kith_strset_index(&s, ""), 2);
	assert_int_equal(kith_strset_find(&s, "police"), 1);
	assert_int_equal(kith_strset_find(&s, "Police"), -1); /* exact bytes */
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[1], "police");
	char b[16];
	for (int i = 0; i < 100; i++) { /* past the first few growths */
		snprintf(b, sizeof b, "list %d", i);
		assert_int_equal(kith_strset_index(&s, b), 3 + i);
	}
	assert_int_equal(kith_strset_find(&s, "list 57"), 60);
	kith_strset_release(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
	kith_strset_release(&s); /* twice is allowed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_index_and_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
