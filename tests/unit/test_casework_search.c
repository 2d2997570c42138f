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

#define PASS "search test passphrase"

struct fixture {
	char dir[64];
	char path[96];
	struct kith_vault *v;
};

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
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-search-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	struct kith_err err;
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	assert_int_equal(kith_vault_create(f->path, PASS, strlen(PASS), &co, &err), 0);
	assert_int_equal(kith_vault_open(&f->v, f->path, PASS, strlen(PASS), NULL, NULL, &err), 0);
	static const char *const names[] = {"방미선", "김순희", "이영옥", "박정숙",
					    "최은주", "리명심", "김정숙", "한옥순"};
	put_cases(f->v, names, sizeof names / sizeof *names, "방미순");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	kith_vault_close(f->v);
	char p[128];
	snprintf(p, sizeof p, "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->path);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
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
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	struct fixture *f = *state;
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
	setenv("KITH_THREADS", "1", 1);
	assert_int_equal(kith_search_new(&one, f->v, &err), 0);
	setenv("KITH_THREADS", "3", 1);
	setenv("KITH_SEARCH_PARALLEL_FROM", "2", 1);
	assert_int_equal(kith_search_new(&many, f->v, &err), 0);
	unsetenv("KITH_THREADS");
	unsetenv("KITH_SEARCH_PARALLEL_FROM");
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
