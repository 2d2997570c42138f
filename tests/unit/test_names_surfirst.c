/* Unit tests of src/names/surfirst.c: a romanized query read with its first
 * word as the surname (kith_names_surname_first) and the keys of each class
 * of a two-syllable name's readings (kith_names_prefix_keys), which search
 * uses for a surname and the start of a given name, and the likelihood
 * weighing of a reading (kith_names_vault_prior). Names are invented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/status.h"
#include "names/names.h"

static struct kith_name enc(const char *s)
{
	struct kith_name n;
	assert_int_equal(kith_names_encode(&n, s, strlen(s), NULL), KITH_OK);
	return n;
}

static double sim(const struct kith_name *a, const char *b)
{
	struct kith_name y = enc(b);
	return kith_names_similarity(a, &y);
}

static int first_reading(struct kith_name *out, const char *s)
{
	return kith_names_surname_first(out, s, strlen(s));
}

static void test_surname_first_reading(void **state)
{
	(void)state;
	double same = kith_names_same_threshold();
	struct kith_name r;
	/* "Kwan Yoo": the engine reads 유관 (Yoo the surname, written last) */
	struct kith_name q = enc("Kwan Yoo");
	assert_true(sim(&q, "권유") < same);
	assert_int_equal(first_reading(&r, "Kwan Yoo"), 1);
	assert_int_equal(r.n_syl, 2);
	assert_int_equal(r.n_sur, 1);
	assert_true(sim(&r, "권유") >= same);
	/* "Nan Soo": a given name to the engine (난수); 남 + 수 so */
	q = enc("Nan Soo");
	assert_true(sim(&q, "남수") < same);
	assert_int_equal(first_reading(&r, "Nan Soo"), 1);
	assert_true(sim(&r, "남수") >= same);
	/* a syllable after the surname is a given syllable, not every surname a
	 * list publishes its spelling for ("Seo": 서, not 소) */
	assert_int_equal(first_reading(&r, "An Seo"), 1);
	assert_true(sim(&r, "안서") >= same);
	assert_true(sim(&r, "안소") < same);
	/* a surname of two syllables written first ("Seonu Shi Ram": the
	 * engine reads 남 the surname, in Western order, and keys it so) */
	assert_int_equal(first_reading(&r, "Seonu Shi Ram"), 1);
	assert_int_equal(r.n_syl, 4);
	assert_int_equal(r.n_sur, 2);
	assert_true(sim(&r, "선우시람") >= same);
	assert_int_equal(first_reading(&r, "Seonu Na"), 1);
	assert_int_equal(r.n_sur, 2);
	assert_int_equal(first_reading(&r, "Hwangbo Hyo"), 0); /* read so already */
	/* none when the engine reads it so already, for one word, or no name */
	assert_int_equal(first_reading(&r, "Kim Hye"), 0);
	assert_int_equal(first_reading(&r, "Minsu"), 0);
	assert_int_equal(first_reading(&r, "  "), 0);
	assert_int_equal(first_reading(&r, "김 민"), 0);
	assert_int_equal(first_reading(&r, "John Smith"), 0);
	char big[200];
	memset(big, 'a', sizeof big);
	big[3] = ' ';
	assert_int_equal(kith_names_surname_first(&r, big, sizeof big), 0);
}

/* Does any of a's keys equal one of b's? */
static int meet(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (a[i] == b[j])
				return 1;
	return 0;
}

static void test_prefix_keys(void **state)
{
	(void)state;
	/* "Chai" is 채 or 최, letters of two classes: the query's keys hold
	 * the lowest (채 + 해); its prefix keys reach 최해희 too */
	struct kith_name q = enc("Chai Hae"), c = enc("최해희");
	uint64_t qk[KITH_NAMES_MAX_QKEYS], pk[KITH_NAMES_MAX_QKEYS], ck[KITH_NAMES_MAX_KEYS];
	size_t nq = kith_names_query_keys(&q, qk), nc = kith_names_keys(&c, ck);
	size_t np = kith_names_prefix_keys(&q, pk, KITH_NAMES_MAX_QKEYS);
	assert_false(meet(qk, nq, ck, nc));
	assert_true(np >= 2);
	assert_true(meet(pk, np, ck, nc));
	for (size_t i = 0; i < np; i++)
		for (size_t j = i + 1; j < np; j++)
			assert_true(pk[i] != pk[j]);
	/* at most max; none for a name of one class each, Hangul, or three syllables */
	assert_true(kith_names_prefix_keys(&q, pk, 1) <= 1);
	struct kith_name h = enc("최해"), three = enc("Chai Hae-hee");
	assert_int_equal(kith_names_prefix_keys(&h, pk, KITH_NAMES_MAX_QKEYS), 0);
	assert_int_equal(kith_names_prefix_keys(&three, pk, KITH_NAMES_MAX_QKEYS), 0);
	/* a final that a longer name's keys move to its next syllable (선옥
	 * keyed as 서녹, 슬은 as 스른): the start of a given name keyed without
	 * it too ("Kin Sul" and "Chae Son", read with the first word as the
	 * surname, reach 김슬은 and 최선옥) */
	struct kith_name ks, se = enc("김슬은"), cs, so = enc("최선옥");
	assert_true(kith_names_surname_first(&ks, "Kin Sul", 7));
	nq = kith_names_query_keys(&ks, qk);
	nc = kith_names_keys(&se, ck);
	np = kith_names_prefix_keys(&ks, pk, KITH_NAMES_MAX_QKEYS);
	assert_false(meet(qk, nq, ck, nc));
	assert_true(meet(pk, np, ck, nc));
	assert_true(kith_names_surname_first(&cs, "Chae Son", 8));
	nc = kith_names_keys(&so, ck);
	np = kith_names_prefix_keys(&cs, pk, KITH_NAMES_MAX_QKEYS);
	assert_true(meet(pk, np, ck, nc));
}

static void test_vault_prior(void **state)
{
	(void)state;
	struct kith_name q = enc("Bak So-hyun"), so = enc("박소현"), seo = enc("박서현");
	/* the engine prefers 서, the more common syllable in names; the
	 * likelihood of the spelling prefers 소 */
	assert_true(kith_names_similarity(&q, &seo) >= kith_names_similarity(&q, &so));
	double a = kith_names_similarity(&q, &so) * kith_names_vault_prior(&q, NULL, 0, &so, 0, 3),
	       b = kith_names_similarity(&q, &seo) * kith_names_vault_prior(&q, NULL, 0, &seo, 0, 3);
	assert_true(a > b);
	assert_true(a <= 1.0);
	/* 1 for a query in Hangul, for syllables past either name's end, and
	 * for a name in Latin letters (no reading to weigh) */
	struct kith_name h = enc("박서현"), r = enc("Pak So-hyon");
	assert_true(kith_names_vault_prior(&h, NULL, 0, &so, 0, 3) == 1.0);
	assert_true(kith_names_vault_prior(&q, NULL, 0, &so, 1, 3) == 1.0);
	assert_true(kith_names_vault_prior(&q, NULL, 0, &r, 0, 3) == 1.0);
}

static int pieces(struct kith_names_pieces *pc, const char *s, const struct kith_name *q)
{
	return kith_names_query_pieces(pc, s, strlen(s), q);
}

/* The weighed similarity of query q (text t) against Hangul h. */
static double weighed(const char *t, const char *h)
{
	struct kith_name q = enc(t), c = enc(h);
	struct kith_names_pieces pc;
	int ok = pieces(&pc, t, &q);
	return kith_names_similarity(&q, &c) * kith_names_vault_prior(&q, ok ? &pc : NULL, 0, &c, 0, c.n_syl);
}

static void test_query_pieces(void **state)
{
	(void)state;
	struct kith_names_pieces pc;
	/* a name of two words, either of which may be the surname: the encoder
	 * keeps no pieces, search has them */
	struct kith_name q = enc("Kim Yong");
	assert_int_equal(q.pat[1][1], 0);
	assert_int_equal(pieces(&pc, "Kim Yong", &q), 1);
	assert_true(pc.pat[1][1] != 0);
	assert_true(weighed("Kim Yong", "김용") > weighed("Kim Yong", "김영"));
	assert_true(weighed("Kim Yong", "김용") <= 1.0);
	struct kith_name w = enc("Yong Kim"); /* written last, the surname: the same */
	assert_int_equal(pieces(&pc, "Yong Kim", &w), 1);
	assert_true(weighed("Yong Kim", "김용") > weighed("Yong Kim", "김영"));
	/* t, p, ch: after a vowel of the given name the aspirate ... */
	struct kith_name t = enc("Gim Yu-tae");
	assert_int_equal(pieces(&pc, "Gim Yu-tae", &t), 1);
	assert_true(pc.plain[2] > 0 && pc.asp[2] == 0);
	assert_true(weighed("Gim Yu-tae", "김유태") > weighed("Gim Yu-tae", "김유대"));
	/* ... at the start of the given name as the system the name follows
	 * writes it, and as either when it shows none */
	struct kith_name a = enc("Jeong Tae-uk"), b = enc("Ri Tae"), c = enc("Kim Tae-uk"),
			 d = enc("Ch\xC5\x8Fng Tae-uk"), e = enc("Jeong Ch\xC5\x8Fl-su");
	assert_int_equal(pieces(&pc, "Jeong Tae-uk", &a), 1);
	assert_true(pc.plain[1] > 0 && pc.asp[1] == 0);
	assert_int_equal(pieces(&pc, "Ri Tae", &b), 1);
	assert_true(pc.asp[1] > 0 && pc.plain[1] == 0);
	assert_int_equal(pieces(&pc, "Kim Tae-uk", &c), 1);
	assert_true(pc.asp[1] == 0 && pc.plain[1] == 0);
	assert_int_equal(pieces(&pc, "Ch\xC5\x8Fng Tae-uk", &d), 1);
	assert_true(pc.asp[1] > 0 && pc.plain[1] == 0);
	struct kith_name g = enc("Park Chae"), k = enc("Kim Chae-soon");
	assert_int_equal(pieces(&pc, "Park Chae", &g), 1); /* common English: Park */
	assert_true(pc.plain[1] > 0 && pc.asp[1] == 0);
	assert_int_equal(pieces(&pc, "Kim Chae-soon", &k), 1); /* ... oo */
	assert_true(pc.plain[1] > 0 && pc.asp[1] == 0);
	assert_int_equal(pieces(&pc, "Jeong Ch\xC5\x8Fl-su", &e), 1); /* both: neither */
	assert_true(pc.asp[1] == 0 && pc.plain[1] == 0);
	/* none for Cyrillic (ё writes 영 as often as 용), Hangul, a typo */
	struct kith_name y = enc("\xD0\x9A\xD0\xB8\xD0\xBC \xD0\x81\xD0\xBD"), h = enc("김용"),
			 x = enc("Park Ji-snug");
	assert_int_equal(pieces(&pc, "\xD0\x9A\xD0\xB8\xD0\xBC \xD0\x81\xD0\xBD", &y), 0);
	assert_int_equal(pieces(&pc, "김용", &h), 0);
	assert_int_equal(pieces(&pc, "Park Ji-snug", &x), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_surname_first_reading),
	    cmocka_unit_test(test_prefix_keys),
	    cmocka_unit_test(test_vault_prior),
	    cmocka_unit_test(test_query_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
