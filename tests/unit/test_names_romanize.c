/*
 * Unit tests of src/names/romanize: each system on names whose published
 * forms are known, surnames alone and single syllables (as the synthetic
 * list generator calls it), North Korean surname forms, and bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/sbuf.h"
#include "names/names.h"

static void expect(const char *hangul, enum kith_names_system sys, const char *want)
{
	struct kith_sbuf o = KITH_SBUF_INIT;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_names_romanize(hangul, strlen(hangul), sys, &o, &err);
	if (rc)
		fail_msg("romanize failed: %s", err.msg);
	if (strcmp(o.buf, want) != 0)
		fail_msg("system %d: got '%s', wanted '%s'", (int)sys, o.buf, want);
	kith_sbuf_release(&o);
}

static void test_revised(void **state)
{
	(void)state;
	expect("방미선", KITH_NAMES_RR, "Bang Mi-seon");
	expect("김정은", KITH_NAMES_RR, "Gim Jeong-eun");
	expect("한복남", KITH_NAMES_RR, "Han Bok-nam");	 /* no sound change in names */
	expect("최설리", KITH_NAMES_RR, "Choe Seol-li"); /* ㄹㄹ is ll */
	expect("남궁민수", KITH_NAMES_RR, "Namgung Min-su");
	/* issue 13: a compound surname alone is not split */
	expect("남궁", KITH_NAMES_RR, "Namgung");
	expect("남궁", KITH_NAMES_MR, "Namgung");
	/* issue 13: MR's ŏ and ŭ take their capitals */
	expect("어민수", KITH_NAMES_MR, "\xC5\x8E Min-su");
	expect("을지문덕", KITH_NAMES_MR, "\xC5\xACl Chi-mun-d\xC5\x8Fk");
}

static void test_mccune_reischauer(void **state)
{
	(void)state;
	expect("방미선", KITH_NAMES_MR, "Pang Mi-s\xC5\x8Fn");
	expect("김정은", KITH_NAMES_MR, "Kim Ch\xC5\x8Fng-\xC5\xADn");
	expect("김대중", KITH_NAMES_MR, "Kim Tae-jung"); /* voiced after a vowel */
	expect("박정희", KITH_NAMES_MR, "Pak Ch\xC5\x8Fng-h\xC5\xADi");
	expect("이승만", KITH_NAMES_MR, "Yi S\xC5\xADng-man");
	expect("최수희", KITH_NAMES_MR, "Ch'oe Su-h\xC5\xADi");
	expect("방미선", KITH_NAMES_MR_PLAIN, "Pang Mi-son");
	expect("최수희", KITH_NAMES_MR_PLAIN, "Choe Su-hui");
}

static void test_north_korean(void **state)
{
	(void)state;
	expect("김정은", KITH_NAMES_NK, "Kim Jong Un");
	expect("김일성", KITH_NAMES_NK, "Kim Il Song");
	expect("박동구", KITH_NAMES_NK, "Pak Tong Gu");
	expect("김계관", KITH_NAMES_NK, "Kim Kye Gwan");
	expect("장성택", KITH_NAMES_NK, "Jang Song Thaek");
	expect("이설주", KITH_NAMES_NK, "Ri Sol Ju"); /* the surname in its North form */
	expect("임춘희", KITH_NAMES_NK, "Rim Chun Hui");
	expect("방미선", KITH_NAMES_NK, "Pang Mi Son");
}

static void test_common(void **state)
{
	(void)state;
	expect("이명박", KITH_NAMES_COMMON, "Lee Myung-bak");
	expect("박지성", KITH_NAMES_COMMON, "Park Ji-sung");
	expect("최수희", KITH_NAMES_COMMON, "Choi Soo-hee");
	expect("윤영준", KITH_NAMES_COMMON, "Yoon Young-joon");
	expect("정현우", KITH_NAMES_COMMON, "Jung Hyun-woo");
	expect("방미선", KITH_NAMES_COMMON, "Bang Mi-sun");
}

static void test_parts(void **state)
{
	(void)state;
	/* a surname alone, a given syllable alone (the synthetic generator's calls) */
	expect("박", KITH_NAMES_COMMON, "Park");
	expect("박", KITH_NAMES_MR, "Pak");
	expect("리", KITH_NAMES_NK, "Ri");
	expect("미", KITH_NAMES_RR, "Mi");
	expect("선", KITH_NAMES_NK, "Son");
	expect("김 정은", KITH_NAMES_RR, "Gim Jeong-eun"); /* a space after the surname */
}

static void test_bad_input(void **state)
{
	(void)state;
	struct kith_sbuf o = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_adds(&o, "kept"), KITH_OK);
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(kith_names_romanize("Bang Mi Sun", 11, KITH_NAMES_RR, &o, &err), KITH_E_INVALID);
	assert_int_equal(kith_names_romanize("", 0, KITH_NAMES_RR, &o, &err), KITH_E_INVALID);
	assert_int_equal(kith_names_romanize("\xff", 1, KITH_NAMES_RR, &o, &err), KITH_E_INVALID);
	assert_int_equal(kith_names_romanize("방", 3, (enum kith_names_system)99, &o, &err), KITH_E_INVALID);
	const char *long_name = "가나다라마바사아자차카타파하"; /* 14 syllables */
	assert_int_equal(kith_names_romanize(long_name, strlen(long_name), KITH_NAMES_RR, &o, &err),
			 KITH_E_LIMIT);
	assert_string_equal(o.buf, "kept"); /* on failure out is as it was */
	kith_sbuf_release(&o);
}

/* Every romanization of a name reads back as that name. */
static void test_round_trip(void **state)
{
	(void)state;
	const char *names[] = {"방미선", "김정은",   "리설주", "최룡해", "박동구",
			       "윤석열", "황보영희", "한강",   "오진우"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		for (int sys = KITH_NAMES_RR; sys <= KITH_NAMES_COMMON; sys++) {
			struct kith_sbuf o = KITH_SBUF_INIT;
			assert_int_equal(kith_names_romanize(names[i], strlen(names[i]),
							     (enum kith_names_system)sys, &o, NULL),
					 KITH_OK);
			struct kith_name a, b;
			assert_int_equal(kith_names_encode(&a, names[i], strlen(names[i]), NULL), KITH_OK);
			assert_int_equal(kith_names_encode(&b, o.buf, o.len, NULL), KITH_OK);
			double s = kith_names_similarity(&a, &b);
			if (s < kith_names_same_threshold())
				fail_msg("%s as '%s' (system %d): %.3f", names[i], o.buf, sys, s);
			kith_sbuf_release(&o);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_revised),	 cmocka_unit_test(test_mccune_reischauer),
	    cmocka_unit_test(test_north_korean), cmocka_unit_test(test_common),
	    cmocka_unit_test(test_parts),	 cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
