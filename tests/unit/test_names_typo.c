/*
 * Unit tests of src/names: typos in romanized names (issue 13, item 2), one
 * test per class of typo — a letter doubled or added, a letter dropped, two
 * letters swapped, a hyphen a letter off, l and I, stray spaces, a capital
 * typed twice, a typo that reads as a syllable no name has — each scored
 * below the same spelling (KITH_NAMES_TYPO) and above the same-name
 * threshold, and never enough to take 박지성 for 박지선. Names are invented,
 * except 박지성 / 박지선, the pair the issue names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "names/names.h"

static struct kith_name enc(const char *s)
{
	struct kith_name n;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_names_encode(&n, s, strlen(s), &err);
	if (rc)
		fail_msg("encode failed (%s)", err.msg);
	return n;
}

static double sim(const char *a, const char *b)
{
	struct kith_name x = enc(a), y = enc(b);
	return kith_names_similarity(&x, &y);
}

/* a is b with a typo: the same name, below the same spelling */
static void typo_of(const char *a, const char *b)
{
	double s = sim(a, b), t = kith_names_same_threshold();
	if (s < t || s > KITH_NAMES_TYPO + 1e-9)
		fail_msg("sim(\"%s\", \"%s\") = %.3f, not in [%.2f, %.2f]", a, b, s, t, KITH_NAMES_TYPO);
}

/* a is not b */
static void not_same(const char *a, const char *b)
{
	double s = sim(a, b);
	if (s >= kith_names_same_threshold())
		fail_msg("sim(\"%s\", \"%s\") = %.3f: taken as the same name", a, b, s);
}

/* An unreadable chunk is read as its likeliest variant, every kind of typo
 * tried and costed, not the first that reads: "HHYON" is HYON (a letter
 * doubled), not HYHON (two letters swapped, 히헌). */
static void test_likeliest_variant(void **state)
{
	(void)state;
	typo_of("KIM WOL HHYON", "김월현");
	typo_of("KIM WOL HHYON", "Kim Wol-hyun");
	typo_of("Kim Jishli", "김지실"); /* swapped back, not Jishuli (a syllable more) */
	typo_of("Baek Jisn Mu", "백진무");
}

/* A letter on the wrong side of a hyphen: moved back when the chunks then
 * read as one syllable each. */
static void test_hyphen_a_letter_off(void **state)
{
	(void)state;
	typo_of("Park Kwangm-o", "박광모");
	typo_of("Yi Yu-nryong", "이윤룡");
	typo_of("Kin Jij-oo", "김지주");
	typo_of("Joe Seongs-oo", "조성수");
	/* a vowel is not moved: "Ho-ate" is not Hoa-te (화테) */
	not_same("Ho-ate Kim", "김화테");
}

/* A chunk between hyphens is one syllable: when it reads as more, the
 * variant that reads as one ("Yu-jeuong": jeoung). */
static void test_hyphen_chunk_one_syllable(void **state)
{
	(void)state;
	typo_of("I Yu-jeuong", "이유정");
	not_same("I Yu-jeuong", "이유재우옹");
}

/* Stray spaces inside a word, beside letters outside ASCII (ŏ, ŭ), and a
 * capital typed twice at the start of a word. */
static void test_spaces_and_capitals(void **state)
{
	(void)state;
	typo_of("Ŏm Ja ebom", "엄재범");
	typo_of("Chŏng Mi-so ok", "정미숙");
	typo_of("I SSeung", "이승");
	typo_of("HHann Huisu", "한희수");
	/* a capital I ending a word of small letters is an l */
	typo_of("So Hak ChoI", "서학철");
	/* a stray space the case does not show: a piece without a vowel
	 * joined to its neighbour, when that adds no syllable */
	typo_of("YA NG CHOCHO", "양초초");
	typo_of("C HO YEON HYUN", "조연현");
	not_same("Lee A Htyang", "이아탸앙");
}

/* A chunk read as a syllable that no name has ("Soel": 쇨), where one typo
 * undone reads as a syllable of names (설): both readings kept, the typo's at
 * KITH_NAMES_TYPO, the chunk's own as it was (a name kith romanizes reads
 * back to itself). */
static void test_rare_syllable(void **state)
{
	(void)state;
	typo_of("Seo Soel-hyang", "서설향");
	typo_of("Seo Soel-hyang", "Seo Seol-hyang");
	typo_of("Pak Soel-ji", "박설지");
	assert_true(sim("Seo Soel-hyang", "서쇨향") >= 0.98);
	not_same("Pak Soel-ji", "박술지");
}

/* A typo costs less than a different syllable, and never enough to merge
 * 박지성 and 박지선: each typo'd spelling is one of them, not both. */
static void test_never_merge(void **state)
{
	(void)state;
	static const char *const seong[] = {"Park Ji-seogn", "Park Jii-sseong", "Park Ji-seonng",
					    "PARK JI SEOGN", "Park Ji-snug"};
	static const char *const seon[] = {"Park Ji-ssun", "Park Ji-seno", "Park Ji-soen", "Park Ji-eson"};
	for (size_t i = 0; i < sizeof seong / sizeof seong[0]; i++) {
		typo_of(seong[i], "박지성");
		not_same(seong[i], "박지선");
	}
	for (size_t i = 0; i < sizeof seon / sizeof seon[0]; i++) {
		typo_of(seon[i], "박지선");
		not_same(seon[i], "박지성");
	}
	not_same("박지성", "박지선");
	not_same("Park Ji-sung", "박지선");
	not_same("Park Ji-seon", "박지성");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_likeliest_variant),
	    cmocka_unit_test(test_hyphen_a_letter_off),
	    cmocka_unit_test(test_hyphen_chunk_one_syllable),
	    cmocka_unit_test(test_spaces_and_capitals),
	    cmocka_unit_test(test_rare_syllable),
	    cmocka_unit_test(test_never_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
