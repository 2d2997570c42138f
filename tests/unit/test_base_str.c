/* Unit tests of src/base/str: substring search ignoring ASCII case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/str.h"

static void test_contains_nocase(void **state)
{
	(void)state;
	assert_int_equal(kith_str_contains_nocase("C-0042", "c-00"), 1);
	assert_int_equal(kith_str_contains_nocase("c-0042", "C-0042"), 1); /* the whole */
	assert_int_equal(kith_str_contains_nocase("Pang Mi-son", "MI-SON"), 1);
	assert_int_equal(kith_str_contains_nocase("Pang Mi-son", "ng m"), 1);
	assert_int_equal(kith_str_contains_nocase("Pang Mi-son", "son"), 1);  /* at the end */
	assert_int_equal(kith_str_contains_nocase("Pang Mi-son", "sonx"), 0); /* past the end */
	assert_int_equal(kith_str_contains_nocase("Pang", "Pang Mi"), 0);     /* longer than hay */
	assert_int_equal(kith_str_contains_nocase("aab", "ab"), 1);	      /* after a false start */
	assert_int_equal(kith_str_contains_nocase("R0000031", "0031"), 1);
	assert_int_equal(kith_str_contains_nocase("R0000031", "0032"), 0);
	/* UTF-8 bytes compared as they are */
	assert_int_equal(kith_str_contains_nocase("방미선", "미선"), 1);
	assert_int_equal(kith_str_contains_nocase("방미선", "미산"), 0);
	assert_int_equal(kith_str_contains_nocase("ÉLISE", "élise"), 0); /* not ASCII: no case folding */
	assert_int_equal(kith_str_contains_nocase("x\xff", "X\xFF"), 1);
	/* absent and empty */
	assert_int_equal(kith_str_contains_nocase(NULL, "a"), 0);
	assert_int_equal(kith_str_contains_nocase(NULL, ""), 0);
	assert_int_equal(kith_str_contains_nocase("a", ""), 1);
	assert_int_equal(kith_str_contains_nocase("", ""), 0);
	assert_int_equal(kith_str_contains_nocase("", "a"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contains_nocase),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
