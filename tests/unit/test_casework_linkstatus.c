/* Unit tests of src/casework/linkstatus: the words of a link's review
 * status, as `kith link review` and the web's review page take them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "casework/linkstatus.h"

static void test_valid(void **state)
{
	(void)state;
	assert_true(kith_linkstatus_valid("proposed"));
	assert_true(kith_linkstatus_valid("confirmed"));
	assert_true(kith_linkstatus_valid("rejected"));
	assert_true(kith_linkstatus_valid("undone"));
	assert_false(kith_linkstatus_valid("open"));
	assert_false(kith_linkstatus_valid("all"));
	assert_false(kith_linkstatus_valid("Confirmed"));
	assert_false(kith_linkstatus_valid(""));
	assert_false(kith_linkstatus_valid(NULL));
	assert_true(kith_linkstatus_filter_valid("open"));
	assert_true(kith_linkstatus_filter_valid("all"));
	assert_true(kith_linkstatus_filter_valid("undone"));
	assert_false(kith_linkstatus_filter_valid("merged"));
	assert_false(kith_linkstatus_filter_valid(NULL));
}

static void test_shown(void **state)
{
	(void)state;
	/* open: what still waits for a reviewer */
	assert_true(kith_linkstatus_shown("open", "proposed"));
	assert_true(kith_linkstatus_shown("open", "undone"));
	assert_false(kith_linkstatus_shown("open", "confirmed"));
	assert_false(kith_linkstatus_shown("open", "rejected"));
	assert_true(kith_linkstatus_shown("all", "rejected"));
	assert_true(kith_linkstatus_shown("confirmed", "confirmed"));
	assert_false(kith_linkstatus_shown("confirmed", "proposed"));
	assert_false(kith_linkstatus_shown("open", NULL)); /* a link without a status */
}

static void test_decision(void **state)
{
	(void)state;
	assert_string_equal(kith_linkstatus_decision("confirmed"), "confirmed");
	assert_string_equal(kith_linkstatus_decision("rejected"), "rejected");
	assert_string_equal(kith_linkstatus_decision("undone"), "undone");
	assert_string_equal(kith_linkstatus_decision("proposed"), "undone"); /* back for review */
	assert_null(kith_linkstatus_decision("open"));
	assert_null(kith_linkstatus_decision("all"));
	assert_null(kith_linkstatus_decision(""));
	assert_null(kith_linkstatus_decision(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_shown),
	    cmocka_unit_test(test_decision),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
