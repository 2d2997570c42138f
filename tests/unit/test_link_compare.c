/* Unit tests of src/link/compare: folding, Jaro–Winkler, dates and their levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "link/compare.h"

static double jw(const char *a, const char *b)
{
	return kith_compare_jaro_winkler(a, strlen(a), b, strlen(b));
}

static void test_jaro_winkler_published_values(void **state)
{
	(void)state;
	/* Winkler's classic examples */
	assert_float_equal(jw("MARTHA", "MARHTA"), 0.961, 0.001);
	assert_float_equal(jw("DWAYNE", "DUANE"), 0.840, 0.001);
	assert_float_equal(jw("DIXON", "DICKSONX"), 0.813, 0.001);
	assert_float_equal(jw("same", "same"), 1.0, 1e-12);
	assert_float_equal(jw("", ""), 1.0, 1e-12);
	assert_float_equal(jw("abc", ""), 0.0, 1e-12);
	assert_float_equal(jw("abc", "xyz"), 0.0, 1e-12);
	/* symmetric */
	assert_float_equal(jw("crate", "trace"), jw("trace", "crate"), 1e-12);
	/* code points, not bytes: one Hangul syllable differs out of three */
	double h = jw("방미선", "방미순");
	assert_true(h > 0.8 && h < 1.0);
	assert_float_equal(h, jw("abc", "abd"), 1e-12);
}

static void test_jaro_winkler_long_and_invalid(void **state)
{
	(void)state;
	char a[400], b[400];
	memset(a, 'x', sizeof a);
	memset(b, 'x', sizeof b);
	b[300] = 'y'; /* past the compared prefix */
	assert_float_equal(kith_compare_jaro_winkler(a, sizeof a, b, sizeof b), 1.0, 1e-12);
	const char bad[] = {'a', (char)0xC3, 'b'};
	double s = kith_compare_jaro_winkler(bad, sizeof bad, "ab", 2);
	assert_true(s >= 0.0 && s <= 1.0);
}

static void fold_is(const char *in, const char *want)
{
	struct kith_sbuf sb = KITH_SBUF_INIT;
	struct kith_err err;
	assert_int_equal(kith_compare_fold(in, strlen(in), &sb, &err), KITH_OK);
	assert_string_equal(sb.buf ? sb.buf : "", want);
	kith_sbuf_release(&sb);
}

static void test_fold(void **state)
{
	(void)state;
	fold_is("Pang Mi-sŏn", "pang mi son");
	fold_is("  P'yŏngyang ", "pyongyang");
	fold_is("Ch’oe  Ŭn-hŭi", "choe un hui");
	fold_is("MÜLLER, Anna", "muller anna");
	fold_is("방미선", "방미선");
	fold_is("---", "");
	fold_is("", "");
	struct kith_sbuf sb = KITH_SBUF_INIT;
	struct kith_err err;
	const char bad[] = "ab\xff";
	assert_int_equal(kith_compare_fold(bad, 3, &sb, &err), KITH_E_INVALID);
	assert_int_equal(sb.len, 0);
	kith_sbuf_release(&sb);
}

static struct kith_compare_date date(const char *s)
{
	struct kith_compare_date d = {0, 0, 0};
	assert_int_equal(kith_compare_date_parse(s, strlen(s), &d), KITH_OK);
	return d;
}

static void test_date_parse(void **state)
{
	(void)state;
	struct kith_compare_date d = date("1985");
	assert_int_equal(d.year, 1985);
	assert_int_equal(d.month, 0);
	d = date("1985-07");
	assert_int_equal(d.month, 7);
	d = date(" 1985-07-09 ");
	assert_int_equal(d.day, 9);
	d = date("19850709");
	assert_int_equal(d.day, 9);
	d = date("2000/02/29");
	assert_int_equal(d.day, 29);
	d = date("1985.12.31");
	assert_int_equal(d.month, 12);
	const char *bad[] = {"",	 "abcd",       "1700",	     "2101",	 "1985-13",	"1985-02-30",
			     "19450493", "1900-02-29", "12/05/1980", "1985-7-9", "1985-07-09x", "1985-07/09"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kith_compare_date x = {1, 2, 3};
		assert_int_equal(kith_compare_date_parse(bad[i], strlen(bad[i]), &x), KITH_E_INVALID);
		assert_int_equal(x.year, 1); /* untouched */
	}
}

static void test_date_levels(void **state)
{
	(void)state;
	struct kith_compare_date a = date("1985-07-09");
	struct kith_compare_date x;
	x = date("1985-07-09");
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_EXACT);
	x = date("1985-07-08"); /* one digit */
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_TYPO);
	x = date("1958-07-09"); /* two digits swapped */
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_TYPO);
	x = date("1985-09-07"); /* day and month swapped */
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_TYPO);
	x = date("1985-03-21");
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_YEAR);
	x = date("1985");
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_YEAR);
	x = date("1986");
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_NEAR);
	x = date("1984-01-01");
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_NEAR);
	x = date("1990");
	assert_int_equal(kith_compare_date_level(&a, &x), KITH_COMPARE_DATE_OTHER);
	/* year-only records are never more than "same year" */
	struct kith_compare_date y1 = date("1985"), y2 = date("1985");
	assert_int_equal(kith_compare_date_level(&y1, &y2), KITH_COMPARE_DATE_YEAR);
}

static void test_hash(void **state)
{
	(void)state;
	assert_true(kith_compare_hash("", 0) != 0);
	assert_true(kith_compare_hash("a", 1) != kith_compare_hash("b", 1));
	assert_true(kith_compare_hash_mix(1, 2) != kith_compare_hash_mix(2, 1));
	assert_true(kith_compare_hash_mix(0, 0) != 0);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jaro_winkler_published_values),
	    cmocka_unit_test(test_jaro_winkler_long_and_invalid),
	    cmocka_unit_test(test_fold),
	    cmocka_unit_test(test_date_parse),
	    cmocka_unit_test(test_date_levels),
	    cmocka_unit_test(test_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
