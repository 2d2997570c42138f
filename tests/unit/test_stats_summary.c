/* Unit tests of src/stats/summary: the plain-language sentences of an
 * estimate in English and Korean, on Kosovo (the example: "about
 * 10,400 people; likely between 9,000 and 12,100; 4,400 were on at least one
 * list", lists named) and the rounding. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats/estimate.h"
#include "stats/summary.h"

static void test_round(void **state)
{
	(void)state;
	char b[48];
	kith_summary_round(10356.5, 0, "en", b, sizeof b);
	assert_string_equal(b, "10,400");
	kith_summary_round(8994.3, kith_summary_unit(10356.5), "en", b, sizeof b);
	assert_string_equal(b, "9,000");
	kith_summary_round(157.17, 0, "en", b, sizeof b);
	assert_string_equal(b, "157");
	kith_summary_round(1234567, 0, "en", b, sizeof b);
	assert_string_equal(b, "1,230,000");
	kith_summary_round(INFINITY, 0, "en", b, sizeof b);
	assert_string_equal(b, "no upper limit");
	kith_summary_round(INFINITY, 0, "ko", b, sizeof b);
	assert_string_equal(b, "상한 없음");
	kith_summary_round(NAN, 0, "en", b, sizeof b);
	assert_string_equal(b, "-");
}

static void test_kosovo(void **state)
{
	(void)state;
	const char *shared = getenv("KITH_SHARED");
	if (!shared)
		skip();
	char path[1024];
	snprintf(path, sizeof path, "%s/data/mse/Kosovo.csv", shared);
	struct kith_stats_table *t = NULL;
	assert_int_equal(kith_stats_table_read(&t, path, NULL), KITH_OK);
	struct kith_estimate_opts o = {.seed = 1, .no_boot = 1, .no_lcm = 1, .threads = 2};
	struct kith_estimate_result *R = NULL;
	assert_int_equal(kith_estimate_run(t, &o, &R, NULL), KITH_OK);
	struct kith_sbuf en = KITH_SBUF_INIT, ko = KITH_SBUF_INIT;
	assert_int_equal(kith_estimate_summary(R, "en", &en, NULL), KITH_OK);
	assert_int_equal(kith_estimate_summary(R, "ko", &ko, NULL), KITH_OK);
	assert_non_null(strstr(en.buf,
			       "About 10,400 people (likely between 9,000 and 12,100). 4,400 were on at "
			       "least one of the 4 lists of EXH, ABA, OSCE and HRW."));
	assert_non_null(strstr(ko.buf,
			       "약 10,400명 (9,000명에서 12,100명 사이일 가능성이 높음). 4,400명이 4개 "
			       "명단(EXH, ABA, OSCE, HRW) 중 적어도 하나에 있었습니다."));
	assert_non_null(strstr(en.buf, "the total lies between"));
	assert_int_equal(en.buf[en.len - 1], '\n');
	struct kith_err e;
	assert_int_equal(kith_estimate_summary(R, "fr", &en, &e), KITH_E_INVALID);
	kith_sbuf_release(&en);
	kith_sbuf_release(&ko);
	kith_estimate_free(R);
	kith_stats_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_round), cmocka_unit_test(test_kosovo)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
