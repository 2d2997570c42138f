/* Unit tests of src/core/search: ranked name search over a vault (every name
 * here is invented). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "casework/search.h"
#include "base/status.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static void put_cases(struct kith_vault *v, const char *const *names, size_t n, const char *other)
{
	struct kith_err err;
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), 0);
	for (size_t i = 0; i < n; i++) {
		json_t *body = json_pack("{s:{s:s, s:s}}", "person", "name", names[i], "sex", "female");
		if (other && i == 0)
			json_object_set_new(json_object_get(body, "person"), "other_names",
					    json_pack("[s]", other));
		struct kith_vault_put_opts po = {0};
		int rc = kith_vault_put(b, "case", body, &po, NULL, NULL, &err);
		if (rc)
			fail_msg("put %zu: %s %s", i, err.where, err.msg);
		json_decref(body);
	}
	assert_int_equal(kith_vault_batch_commit(b, &err), 0);
}

static int setup(void **state)
{
	struct fixture_vault *f = fixture_vault_new("search");
	static const char *const names[] = {"방미선", "김순희", "이영옥", "박정숙",
					    "최은주", "리명심", "김정숙", "한옥순"};
	put_cases(f->v, names, sizeof names / sizeof *names, "방미순");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

/* The vault's cases and `names` put after them (in that order: a tie goes to
 * the lower case number), and a search over them. */
static struct kith_search *search_with(struct fixture_vault *f, const char *const *names, size_t n)
{
	put_cases(f->v, names, n, NULL);
	struct kith_search *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_search_new(&s, f->v, &err), 0);
	return s;
}

/* The name as given of the first hit of `q`, or "" without hits. */
static const char *first(struct kith_search *s, const char *q, size_t *n)
{
	const struct kith_search_hit *h;
	struct kith_err err;
	int rc = kith_search_run(s, q, strlen(q), 0, 0, &h, n, &err);
	if (rc)
		fail_msg("search: %s", err.msg);
	for (size_t i = 1; i < *n; i++)
		assert_true(h[i - 1].score >= h[i].score);
	return *n ? h[0].name : "";
}

static void test_any_spelling_finds_the_hangul_case(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_search *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_search_new(&s, f->v, &err), 0);
	size_t n;
	const char *spellings[] = {"방미선",	  "Bang Mi-seon", "Pang Mi-sŏn",
				   "Bang Mi Sun", "Pang Mi Son",  "Mi Sun Bang"};
	for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++)
		assert_string_equal(first(s, spellings[i], &n), "방미선");
	/* North/South initial sound: 리명심 is found as 이명심 and as Ri Myong Sim */
	assert_string_equal(first(s, "이명심", &n), "리명심");
	assert_string_equal(first(s, "Ri Myong Sim", &n), "리명심");
	kith_search_free(s);
}

static void test_other_names_and_partial_queries(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_search *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_search_new(&s, f->v, &err), 0);
	const struct kith_search_hit *h;
	size_t n;
	/* an other name is searched too; the hit names the case by its name as given */
	assert_int_equal(kith_search_run(s, "방미순", strlen("방미순"), 0, 0, &h, &n, &err), 0);
	assert_true(n >= 1);
	assert_string_equal(h[0].name, "방미선");
	/* a surname alone finds both Kims, first */
	assert_int_equal(kith_search_run(s, "Kim", 3, 0, 0, &h, &n, &err), 0);
	assert_true(n >= 2);
	assert_true(!strncmp(h[0].name, "김", 3) && !strncmp(h[1].name, "김", 3));
	/* limit */
	assert_int_equal(kith_search_run(s, "Kim", 3, 1, 0, &h, &n, &err), 0);
	assert_int_equal(n, 1);
	/* a very high floor leaves nothing for a name not in the vault */
	assert_int_equal(kith_search_run(s, "Smith", 5, 0, 0.99, &h, &n, &err), 0);
	assert_int_equal(n, 0);
	kith_search_free(s);
}

static void test_bad_queries(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_search *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_search_new(&s, f->v, &err), 0);
	const struct kith_search_hit *h;
	size_t n = 77;
	assert_int_equal(kith_search_run(s, "", 0, 0, 0, &h, &n, &err), KITH_E_INVALID);
	assert_int_equal(kith_search_run(s, "\xff\xfe", 2, 0, 0, &h, &n, &err), KITH_E_INVALID);
	assert_int_equal(kith_search_run(s, "...", 3, 0, 0, &h, &n, &err), KITH_E_INVALID);
	assert_int_equal(n, 77); /* untouched on failure */
	size_t big = 10u << 20;
	char *q = malloc(big);
	memset(q, 'a', big);
	assert_int_equal(kith_search_run(s, q, big, 0, 0, &h, &n, &err), KITH_E_LIMIT);
	free(q);
	kith_search_free(s);
}

static void test_rebuilds_when_the_vault_changes(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_search *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_search_new(&s, f->v, &err), 0);
	size_t n;
	assert_string_not_equal(first(s, "Jang Gyeong-hui", &n), "장경희");
	static const char *const more[] = {"장경희"};
	put_cases(f->v, more, 1, NULL);
	assert_string_equal(first(s, "Jang Gyeong-hui", &n), "장경희");
	kith_search_free(s);
}

/* The threaded scan gives the same hits, in the same order, as one thread. */
static void test_threads_agree(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const sur[] = {"김", "이", "박", "최", "정", "강", "조", "윤"};
	static const char *const syl[] = {"미", "선", "순", "영", "옥", "정", "숙", "희", "은", "주"};
	const char *names[200];
	char buf[200][16];
	for (size_t i = 0; i < 200; i++) {
		snprintf(buf[i], sizeof buf[i], "%s%s%s", sur[i % 8], syl[(i / 8) % 10], syl[(i / 3) % 10]);
		names[i] = buf[i];
	}
	put_cases(f->v, names, 200, NULL);
	const char *queries[] = {"Kim",	      "Park Mi Sun", "이영희", "Choi Eun-ju",
				 "Jeong Suk", "Smith",	     "Miseon"};
	struct kith_search *one = NULL, *many = NULL;
	struct kith_err err;
	assert_int_equal(kith_search_new(&one, f->v, &err), 0);
	kith_search_tune(one, 1, 0);
	assert_int_equal(kith_search_new(&many, f->v, &err), 0);
	kith_search_tune(many, 3, 2); /* the threaded path on a small vault */
	for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
		for (size_t limit = 1; limit <= 300; limit += 299) {
			const struct kith_search_hit *a, *b;
			size_t na, nb;
			const char *qs = queries[q];
			assert_int_equal(kith_search_run(one, qs, strlen(qs), limit, 0.3, &a, &na, &err), 0);
			assert_int_equal(kith_search_run(many, qs, strlen(qs), limit, 0.3, &b, &nb, &err), 0);
			assert_int_equal(na, nb);
			for (size_t i = 0; i < na; i++) {
				assert_ptr_equal(a[i].view, b[i].view);
				assert_true(a[i].score == b[i].score);
			}
		}
	}
	kith_search_free(one);
	kith_search_free(many);
}

/* Whether the hits of query (a page) include the case named name. */
static int hits_include(struct kith_search *s, const char *query, const char *name)
{
	const struct kith_search_hit *h;
	size_t n;
	struct kith_err err;
	if (kith_search_run(s, query, strlen(query), 0, 0, &h, &n, &err))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(h[i].name, name) == 0)
			return 1;
	return 0;
}

/* Issue 13: what search must find, and a true total with paging. */
static void test_issue13_finds(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"김강범", "Somchai Jaidee", "Maria Lopez",	     "Nguyen Thi Lan",
					   "王建国", "정설혜",	       "Chanida Sukprasert", "채종현",
					   "정재윤", "박은림",	       "Hoang Van Hoa",	     "최은희"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	struct kith_err err;
	size_t n;
	/* a given name alone, a surname and part of a given name */
	assert_string_equal(first(s, "Myong Sim", &n), "리명심");
	assert_string_equal(first(s, "Sol Hye", &n), "정설혜");
	assert_string_equal(first(s, "강범", &n), "김강범");
	assert_string_equal(first(s, "김강", &n), "김강범");
	assert_string_equal(first(s, "Kim Kang", &n), "김강범");
	/* any word of a name that is not Korean */
	assert_string_equal(first(s, "Somchai", &n), "Somchai Jaidee");
	assert_string_equal(first(s, "Lopez", &n), "Maria Lopez");
	assert_string_equal(first(s, "Nguyen Lan", &n), "Nguyen Thi Lan");
	assert_string_equal(first(s, "Wang", &n), "王建国");
	assert_string_equal(first(s, "Wang Jianguo", &n), "王建国");
	/* names13, second pass: a word that the engine also reads as Korean,
	 * and a surname alone that is a word of a name (it reaches it) */
	assert_string_equal(first(s, "Chanida", &n), "Chanida Sukprasert");
	assert_true(hits_include(s, "Hoang", "Hoang Van Hoa"));
	/* a surname and the start of a given name, surname first */
	assert_string_equal(first(s, "Che Jong", &n), "채종현");
	/* a Hangul given name alone whose first syllable is also a surname */
	assert_string_equal(first(s, "은림", &n), "박은림");
	/* other scripts and forms */
	assert_string_equal(first(s, "Ким Сун Хи", &n), "김순희");
	assert_string_equal(first(s, "金順姬", &n), "김순희");
	assert_string_equal(first(s, "\xEF\xBC\xA2\xEF\xBD\x81\xEF\xBD\x8E\xEF\xBD\x87 Mi Sun", &n),
			    "방미선");
	/* typos: undone in the reading, or by the search when nothing else matches */
	assert_string_equal(first(s, "Bang Mi Snu", &n), "방미선");
	assert_string_equal(first(s, "Ri MyongS im", &n), "리명심");
	assert_string_equal(first(s, "Bang Mi Sn", &n), "방미선");   /* a letter dropped */
	assert_string_equal(first(s, "Bnag Mi Sun", &n), "방미선");  /* swapped */
	assert_string_equal(first(s, "Bang Mii Sun", &n), "방미선"); /* doubled */
	assert_string_equal(first(s, "Choi Eun-jo", &n), "최은주");  /* an o put back: Eun-joo */
	assert_string_equal(first(s, "Choi Eun-hul", &n), "최은희"); /* an l for an i: Hui */
	assert_string_equal(first(s, "Choi Eun-ee", &n), "최은희");  /* an h put back at the start */
	const struct kith_search_hit *th;
	assert_int_equal(kith_search_run(s, "Bang Mi Sn", 10, 0, 0, &th, &n, &err), 0);
	assert_true(n >= 1 && th[0].score <= 0.92 && th[0].score >= 0.8); /* a typo costs, a little */
	kith_search_free(s);
}

/* search13: partial queries ranked by search's own weights over the names
 * engine's alignments (kith_names_query_parts) */
static void test_search13_partial(void **state)
{
	struct fixture_vault *f = *state;
	/* (the other readings first: a tie goes to the lower case number) */
	static const char *const more[] = {
	    "이광수",	  "이광검", "정광리",	      "황해호",	      "황명",	  "Hoang Van Hoa",
	    "예소현",	  "김예화", "Le Thi Hoa",     "전지",	      "Cho Chen", "Chen Yufeng",
	    "Choe So Ŭn", "함은우", "Dang Thi Huong", "Vu Van Huong", "오미성",	  "구미오",
	    "정키",	  "함정키", "민수",	      "김민수",	      "지수",	  "이지수"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	size_t n;
	/* a surname written last is not read with the start of a given name:
	 * "Kwang Ri" is 정광리's given name, not Ri (이) + Kwang... */
	assert_string_equal(first(s, "Kwang Ri", &n), "정광리");
	assert_string_equal(first(s, "Mi O", &n), "구미오");
	/* words of a name written in Latin letters, which the engine reads as
	 * Korean too (황반화), reached and ranked above a reading of them */
	assert_string_equal(first(s, "Hoang Hoa", &n), "Hoang Van Hoa");
	assert_string_equal(first(s, "Hoang", &n), "Hoang Van Hoa");
	assert_string_equal(first(s, "Le", &n), "Le Thi Hoa");
	assert_string_equal(first(s, "Le Hoa", &n), "Le Thi Hoa");
	assert_string_equal(first(s, "Vu Huong", &n), "Vu Van Huong");
	/* ... its first word before a later one ("Cho Chen") */
	assert_string_equal(first(s, "Chen", &n), "Chen Yufeng");
	/* a query read with no surname (one word, or joined by a hyphen) is a
	 * given name: the name it also spells whole comes second */
	assert_string_equal(first(s, "Jeoung-ki", &n), "함정키");
	assert_string_equal(first(s, "Minsu", &n), "김민수");
	assert_string_equal(first(s, "Ji-su", &n), "이지수");
	/* ... and written apart, the whole name first */
	assert_string_equal(first(s, "Min Su", &n), "민수");
	assert_string_equal(first(s, "Ji Su", &n), "지수");
	/* every word, one letter too, and in order */
	assert_string_equal(first(s, "Ŭn U", &n), "함은우");
	kith_search_free(s);
}

/* search13, eighth session: a partial query's other readings */
static void test_search13_readings(void **state)
{
	struct fixture_vault *f = *state;
	/* (the other readings first: a tie goes to the lower case number) */
	static const char *const more[] = {
	    "문혜성", "박문해", "서무", "지서모", "석현선", "최숙혁",	       "채해성", "최해희",
	    "권유타", "남수연", "안소", "안서영", "서다",   "Suda Chaiyaporn", "최화",	 "Vu Minh Hoa"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	size_t n;
	/* a given name alone weighs as a surname with the start of a given
	 * name, and the better alignment wins: "Mun Hae" is 박문해's given name
	 * (문해) before 문혜성 (Mun + Hye, a vowel read otherwise) */
	assert_string_equal(first(s, "Mun Hae", &n), "박문해");
	/* ... in Hangul too: 서모 is 지서모's given name, not 서무 */
	assert_string_equal(first(s, "서모", &n), "지서모");
	/* a query of two words read with a surname is a given name alone too,
	 * its words joined: "Suk Hyok" is 숙혁 (the surname's reading, 석,
	 * keeps only surnames) */
	assert_string_equal(first(s, "Suk Hyok", &n), "최숙혁");
	/* ... and a surname with the start of a given name, its first word the
	 * surname as a list publishes its spelling: "Kwan" is 권 (the engine
	 * reads "Kwan Yoo" as 유관), "Nan" 남 (read as a given name 난수) */
	assert_string_equal(first(s, "Kwan Yoo", &n), "권유타");
	assert_string_equal(first(s, "Nan Soo", &n), "남수연");
	/* ... a syllable after it read as a given syllable, not as the surnames
	 * published for its spelling ("Seo" is 서, not the surname 소) */
	assert_string_equal(first(s, "An Seo", &n), "안서영");
	/* a surname whose letters fall in two classes reaches the names of
	 * each: "Chai" is 채 or 최 */
	assert_string_equal(first(s, "Chai Hae", &n), "최해희");
	/* a word as written in a name that is not Korean (or read so only
	 * with a typo undone) before a Korean reading of it: "Suda" is not 서다,
	 * "Hoa" not the given name 화 */
	assert_string_equal(first(s, "Suda", &n), "Suda Chaiyaporn");
	assert_string_equal(first(s, "Hoa", &n), "Vu Minh Hoa");
	kith_search_free(s);
}

static void test_search13_vault_prior(void **state)
{
	struct fixture_vault *f = *state;
	/* the other readings first: a tie goes to the lower case number */
	static const char *const more[] = {"박서현", "박정우", "박소현", "박종우"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	struct kith_err err;
	size_t n;
	/* each name of the vault is as likely as another: a spelling goes to
	 * the name it writes the more likely, not to the syllable more common
	 * in names ("So" writes 소 before 서, "Jong" 종 before 정) */
	assert_string_equal(first(s, "Bak So-hyun", &n), "박소현");
	assert_string_equal(first(s, "Bak Jong-u", &n), "박종우");
	/* the other names are still found, second */
	const struct kith_search_hit *h;
	assert_int_equal(kith_search_run(s, "Bak So-hyun", 11, 0, 0, &h, &n, &err), 0);
	assert_true(n >= 2);
	assert_string_equal(h[1].name, "박서현");
	/* a query in Hangul is exact: no spelling to weigh */
	assert_string_equal(first(s, "박서현", &n), "박서현");
	assert_string_equal(first(s, "박정우", &n), "박정우");
	kith_search_free(s);
}

/* search13, ninth session: a consonant dropped, put back (at a word's end:
 * "Gi" for Gim; at a syllable's start: "Sin-ong" for Sin-dong); a typo in a
 * query with breves */
static void test_search13_consonant_put_back(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"김영현", "리신동", "임나빈", "리보미", "서철연"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	struct kith_err err;
	size_t n;
	assert_string_equal(first(s, "Gi Yung-hyon", &n), "김영현"); /* m */
	assert_string_equal(first(s, "Lee Sin-ong", &n), "리신동");  /* d */
	assert_string_equal(first(s, "Leem Nain", &n), "임나빈");    /* b */
	assert_string_equal(first(s, "Yee Bo-i", &n), "리보미");     /* m */
	/* a typo in a query with letters other than ASCII (McCune-Reischauer's
	 * breves): its ASCII letters undone */
	assert_string_equal(first(s, "S\xC5\x8F Ch\xC5\x8Fyl\xC5\x8Fn", &n), "서철연");
	const struct kith_search_hit *th;
	assert_int_equal(kith_search_run(s, "Lee Sin-ong", 11, 10, 0, &th, &n, &err), 0);
	assert_true(n >= 1 && th[0].score <= 0.92); /* a typo costs, a little */
	kith_search_free(s);
}

/* search13, ninth session: two words of a name of three, its first and
 * last, before its first two ("Nguyen Lan" for Nguyen Thi Lan) */
static void test_search13_words_at_ends(void **state)
{
	struct fixture_vault *f = *state;
	/* the other first: a tie goes to the lower case number */
	static const char *const more[] = {"Nguyen Minh Hoa", "Nguyen Van Minh", "Tran Minh Dung",
					   "Tran Van Minh"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	size_t n;
	assert_string_equal(first(s, "Nguyen Minh", &n), "Nguyen Van Minh");
	assert_string_equal(first(s, "Tran Minh", &n), "Tran Van Minh");
	assert_string_equal(first(s, "Nguyen Hoa", &n), "Nguyen Minh Hoa");
	assert_string_equal(first(s, "Tran Dung", &n), "Tran Minh Dung");
	kith_search_free(s);
}

/* search13, tenth session: the likelihood of the spelling where the
 * engine keeps no pieces — a name of two syllables (its order may be
 * either), an initial written t or ch — in place of how common each
 * reading is in names, or of a tie */
static void test_search13_pieces_and_initials(void **state)
{
	struct fixture_vault *f = *state;
	/* the other reading first: a tie goes to the lower case number */
	static const char *const more[] = {"김영",   "김용", "정영", "정용",   "김유대", "김유태", "정대욱",
					   "정태욱", "이태", "이대", "김치원", "김지원", "박재",   "박채"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	size_t n;
	/* "yo" writes 용 in every system, 영 only in MR without breves and the
	 * North: the engine ranked 영 first, the more common syllable */
	assert_string_equal(first(s, "Kim Yong", &n), "김용");
	assert_string_equal(first(s, "Chong Yong", &n), "정용");
	/* ... and a Hangul query is exact */
	assert_string_equal(first(s, "김영", &n), "김영");
	/* t after a vowel in a given name: MR and the North write 대 "dae" */
	assert_string_equal(first(s, "Gim Yu-tae", &n), "김유태");
	assert_string_equal(first(s, "Kim Yu-dae", &n), "김유대");
	/* at the start of a given name, the system the name follows: RR's eo
	 * writes 대 "Dae"; the North's Ri writes 태 "Thae"; MR's breve writes
	 * 치 "Ch'i" */
	assert_string_equal(first(s, "Jeong Tae-uk", &n), "정태욱");
	assert_string_equal(first(s, "Ri Tae", &n), "이대");
	assert_string_equal(first(s, "Kim Chi-w\xC5\x8Fn", &n), "김지원");
	/* ... and the common English spelling (Park, oo, ee) writes 재 "Jae" */
	assert_string_equal(first(s, "Park Chae", &n), "박채");
	kith_search_free(s);
}

/* search13, tenth session: a typo variant does not drop a syllable typed
 * as one letter between hyphens ("Gyong-o" is Gyong-no with the n lost,
 * not 김경 with an o too many) */
static void test_search13_no_syllable_dropped(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"김경", "김경노", "이현", "이도현"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	size_t n;
	assert_string_equal(first(s, "Kin Gyong-o", &n), "김경노");
	assert_string_equal(first(s, "Rhie D-hyon", &n), "이도현");
	/* a letter too many inside a syllable is still dropped */
	assert_string_equal(first(s, "Kim Gyoxng", &n), "김경");
	kith_search_free(s);
}

/* search13, tenth session: a query of three words whose last may be a
 * surname ("Rae": 래, 내) is read in Korean order too, its given name's
 * words joined, whose keys reach the name (the ambiguous reading's keep
 * 래 as 내); its typo variants too ("Gim Suk Rea") */
static void test_search13_korean_order(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"김석래", "김선예", "김석애"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	struct kith_err err;
	size_t n;
	assert_string_equal(first(s, "Gim Suk Rea", &n), "김석래");
	/* the ambiguous reading's keys reach 김석애 (its 래 is read 애 too),
	 * so the query met a name and 김석래 was not looked for by surname */
	const struct kith_search_hit *h;
	assert_int_equal(kith_search_run(s, "Kim Seok Rae", 12, 10, 0, &h, &n, &err), 0);
	int found = 0;
	for (size_t i = 0; i < n; i++)
		found |= strcmp(h[i].name, "김석래") == 0 && h[i].score == 1.0;
	assert_true(found);
	kith_search_free(s);
}

/* A surname of two syllables written first with a given name in words
 * ("Seonu Shi Ram", read 남 + 선우시 in Western order), or last ("Hyo
 * Hwangbo", read as a given name of three syllables), is read as the
 * surname too; and the words of a query that are not in a row in a name in
 * Latin letters read as Korean ("Nam Yong", Nam Son Yong) are not the
 * given name of another case ("Nam Yong": 강남용). */
static void test_search13_compound_surnames_and_gaps(void **state)
{
	struct fixture_vault *f = *state;
	/* the other readings' cases first: a tie is ordered by case number */
	static const char *const more[] = {
	    "Nam Son Yong", "나서준", "Hwang-bo Tong Hyon", "선우시람", "선우나용", "황보효", "강남용",
	    "So Su Bin",    "김소빈", "Ri Son Hui",	    "김리희"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	size_t n;
	assert_string_equal(first(s, "Seonu Shi Ram", &n), "선우시람");
	assert_string_equal(first(s, "Seonu Na", &n), "선우나용");
	assert_string_equal(first(s, "Hyo Hwangbo", &n), "황보효");
	assert_string_equal(first(s, "Nam Yong", &n), "강남용");
	assert_string_equal(first(s, "So Bin", &n), "김소빈");
	assert_string_equal(first(s, "Ri Hui", &n), "김리희");
	/* a word of the Latin name alone, or its words in a row, as before */
	assert_string_equal(first(s, "Nam Son", &n), "Nam Son Yong");
	kith_search_free(s);
}

/* A name of three words read in Western order with its last word, which
 * may be a surname, as the surname ("Mun On Ri": 이문온) is read in Korean
 * order too, the second reading (its keys reach 문온리, which the first
 * reading meets only at 0.83: the other order's ㄹ is folded as a
 * surname's); full-width letters and spaces are read as the ASCII they
 * stand for by every reading. */
static void test_search13_western_order_and_fullwidth(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"Mun Un", "문온리", "이문석"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	struct kith_err err;
	static const char *const q[] = {"Mun On Ri", "Ｍｕｎ　Ｏｎ　Ｒｉ"};
	for (size_t k = 0; k < 2; k++) {
		const struct kith_search_hit *h;
		size_t n;
		assert_int_equal(kith_search_run(s, q[k], strlen(q[k]), 5, 0, &h, &n, &err), 0);
		assert_true(n > 0);
		assert_string_equal(h[0].name, "문온리");
		assert_true(h[0].score >= 0.99);
	}
	kith_search_free(s);
}

/* A space typed inside a word is undone as a typo ("Chai Ky oo Ree": 최큐리,
 * which the query as written does not reach). */
static void test_search13_space_in_a_word(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"최큐리", "최기우"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	size_t n;
	assert_string_equal(first(s, "Chai Ky oo Ree", &n), "최큐리");
	kith_search_free(s);
}

/* search13, twelfth session: among typo variants that read as names, the
 * likelier typo first (names.c's costs: a letter typed twice 0.5, a letter
 * left out or two swapped 1, another letter in excess 2); the other name is
 * put first in the vault, so that a tie would go to it */
static void test_search13_typo_costs(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"김태우", "김태원", "이지영", "김지영"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	struct kith_err err;
	const struct kith_search_hit *h;
	size_t n;
	/* Woon: Won with an o typed twice, not Woo with an n in excess */
	assert_int_equal(kith_search_run(s, "Kim Tae Woon", 12, 10, 0, &h, &n, &err), 0);
	assert_true(n >= 2);
	assert_string_equal(h[0].name, "김태원");
	assert_true(h[0].score > h[1].score && h[0].score <= 0.92);
	/* Ki: Kim with its m left out, not i with a K in excess */
	assert_int_equal(kith_search_run(s, "Ki Chi Yeong", 12, 10, 0, &h, &n, &err), 0);
	assert_true(n >= 2);
	assert_string_equal(h[0].name, "김지영");
	assert_true(h[0].score > h[1].score);
	kith_search_free(s);
}

/* search13, twelfth session: the spelling's likelihood of a surname and
 * the start of a given name that the encoder read in Western order ("Shim
 * Jong": Jong may be a surname) is taken in the order written, 심 + 종 ("o"
 * writes ㅗ in every system, ㅓ in some), not against 정 + 심 */
static void test_search13_prefix_in_the_order_written(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"심정석", "심종업"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	struct kith_err err;
	const struct kith_search_hit *h;
	size_t n;
	assert_int_equal(kith_search_run(s, "Shim Jong", 9, 10, 0, &h, &n, &err), 0);
	assert_true(n >= 2);
	assert_string_equal(h[0].name, "심종업");
	assert_true(h[0].score > h[1].score);
	kith_search_free(s);
}

/* search13, twelfth session: a query the encoder reads only with a typo
 * undone in a word that is no surname ("Jimn") is part of a name as a typo
 * variant is: its partial readings pay the typo, and the variants are tried
 * ("Rhie Jimn": 리지민 with its i and n swapped, not 이진원's surname and
 * start at 0.9); a surname as a list spells it ("Jhang") is no typo */
static void test_search13_typo_read_by_the_encoder(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const more[] = {"이진원", "리지민", "장연석", "정연수"};
	struct kith_search *s = search_with(f, more, sizeof more / sizeof *more);
	struct kith_err err;
	const struct kith_search_hit *h;
	size_t n;
	assert_int_equal(kith_search_run(s, "Rhie Jimn", 9, 10, 0, &h, &n, &err), 0);
	assert_true(n >= 1);
	assert_string_equal(h[0].name, "리지민");
	assert_true(h[0].score <= 0.92);
	for (size_t i = 1; i < n; i++)
		if (strcmp(h[i].name, "이진원") == 0)
			assert_true(h[i].score < 0.9);
	assert_int_equal(kith_search_run(s, "Jhang Youn", 10, 10, 0, &h, &n, &err), 0);
	assert_true(n >= 1);
	assert_string_equal(h[0].name, "장연석");
	assert_true(h[0].score >= 0.85);
	kith_search_free(s);
}

static void test_issue13_refs_and_paging(void **state)
{
	struct fixture_vault *f = *state;
	static const char *const syl[] = {"미", "선", "순", "영", "옥", "정", "숙", "희", "은", "주",
					  "민", "수", "지", "현", "경", "진", "혜", "연", "아", "서"};
	const char *names[500];
	char buf[500][16];
	for (size_t i = 0; i < 500; i++) {
		snprintf(buf[i], sizeof buf[i], "김%s%s", syl[i % 20], syl[(i / 20) % 20]);
		names[i] = buf[i];
	}
	put_cases(f->v, names, 500, NULL);
	struct kith_search *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_search_new(&s, f->v, &err), 0);
	/* the true total, not the page size ("50건" when there are 500) */
	struct kith_search_opts o = {50, 0, 0};
	struct kith_search_result r;
	assert_int_equal(kith_search_query(s, "Kim", 3, &o, &r, &err), 0);
	assert_int_equal(r.n, 50);
	assert_true(r.total >= 502); /* 500 and the fixture's two Kims */
	size_t total = r.total;
	/* pages: disjoint, in order, and together every hit once */
	const struct kith_record_view *seen[600];
	size_t k = 0;
	double last = 2;
	for (o.offset = 0; o.offset < total + 50; o.offset += 50) {
		assert_int_equal(kith_search_query(s, "Kim", 3, &o, &r, &err), 0);
		assert_int_equal(r.total, total);
		assert_int_equal(r.n, o.offset >= total ? 0 : total - o.offset < 50 ? total - o.offset : 50);
		for (size_t i = 0; i < r.n; i++) {
			assert_true(r.hits[i].score <= last);
			last = r.hits[i].score;
			for (size_t j = 0; j < k; j++)
				assert_ptr_not_equal(seen[j], r.hits[i].view);
			assert_true(k < 600);
			seen[k++] = r.hits[i].view;
		}
	}
	assert_int_equal(k, total);
	/* a case number finds its case, and no other person at 68% ("R0000031") */
	const char *ref = seen[137]->ref;
	o.offset = 0;
	assert_int_equal(kith_search_query(s, ref, strlen(ref), &o, &r, &err), 0);
	assert_true(r.n >= 1);
	assert_ptr_equal(r.hits[0].view, seen[137]);
	assert_true(r.hits[0].score == 1.0);
	for (size_t i = 1; i < r.n; i++)
		assert_true(strstr(r.hits[i].view->ref, ref) != NULL);
	assert_int_equal(kith_search_query(s, "R9999999", 8, &o, &r, &err), 0);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.n, 0);
	kith_search_free(s);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_any_spelling_finds_the_hangul_case, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_names_and_partial_queries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_queries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rebuilds_when_the_vault_changes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threads_agree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_issue13_finds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_issue13_refs_and_paging, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_partial, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_readings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_vault_prior, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_consonant_put_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_words_at_ends, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_pieces_and_initials, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_no_syllable_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_korean_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_compound_surnames_and_gaps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_western_order_and_fullwidth, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_space_in_a_word, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_typo_costs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_prefix_in_the_order_written, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search13_typo_read_by_the_encoder, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
