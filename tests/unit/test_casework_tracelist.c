/* Unit tests of src/casework/tracelist: a page of the tracing requests with
 * its true total, the status filter, and the search by ref, by case number
 * and through the names engine (a name in another spelling or script finds
 * the sought, the seeker and the seeker's case's person). Every person is
 * invented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "casework/trace.h"
#include "casework/tracelist.h"
#include "fixture_vault.h"

static void add_trace(struct kith_vault *v, const char *json)
{
	json_error_t je;
	json_t *t = json_loads(json, 0, &je);
	assert_non_null(t);
	char refs[1][KITH_VAULT_REF_MAX];
	size_t bad = 0;
	struct kith_err err;
	if (kith_trace_add(v, &t, 1, refs, &bad, &err))
		fail_msg("trace add: %s %s", err.where, err.msg);
	json_decref(t);
}

/* The refs of a query's page, joined with spaces (sorted: requests made in
 * one second are in id order), and its total. */
static const char *page(struct kith_vault *v, const char *status, const char *text, size_t off, size_t lim,
			size_t *total)
{
	static char out[256];
	struct kith_tracelist_query q = {.status = status, .text = text, .offset = off, .limit = lim};
	json_t *items = NULL;
	struct kith_err err;
	assert_int_equal(kith_tracelist_query(v, &q, &items, total, &err), KITH_OK);
	const char *refs[16];
	size_t n = json_array_size(items);
	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		refs[i] = json_string_value(json_object_get(json_array_get(items, i), "ref"));
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful */
		for (size_t j = i; j > 0 && strcmp(refs[j - 1], refs[j]) > 0; j--) {
			const char *t = refs[j];
			refs[j] = refs[j - 1];
			refs[j - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, refs[i]);
	}
	json_decref(items);
	return out;
}

static void test_query(void **state)
{
	(void)state;
	struct fixture_vault *f = fixture_vault_new("tlist");
	struct kith_vault *v = f->v;
	fixture_vault_put_json(
	    v, "case",
	    "{\"ref\":\"M-1\",\"person\":{\"name\":\"방순자\",\"sex\":\"female\",\"birth\":\"1970\"},"
	    "\"consent\":{\"tracing\":true}}");
	add_trace(
	    v,
	    "{\"ref\":\"T-1\",\"seeker\":{\"case\":\"M-1\"},\"sought\":{\"name\":\"방철수\",\"sex\":\"male\","
	    "\"relation\":\"child\"},\"consent\":{\"tracing\":true}}");
	add_trace(
	    v,
	    "{\"ref\":\"T-2\",\"seeker\":{\"name\":\"Kim Yong-hui\",\"sex\":\"female\"},\"sought\":{\"name\":"
	    "\"Ri Chol\",\"other_names\":[\"Li "
	    "Zhe\"],\"relation\":\"sibling\"},\"consent\":{\"tracing\":true}}");
	add_trace(v,
		  "{\"ref\":\"T-3\",\"seeker\":{\"name\":\"Pak Un-hui\"},\"sought\":{\"name\":\"Nguyen Thi "
		  "Lan\",\"relation\":\"other\"},\"consent\":{\"tracing\":true}}");
	size_t total = 0;
	/* every request, and pages of them with the true total */
	assert_string_equal(page(v, NULL, NULL, 0, 0, &total), "T-1 T-2 T-3");
	assert_int_equal(total, 3);
	char seen[64] = "";
	for (size_t o = 0; o < 3; o++) { /* pages of one: each request once */
		const char *p = page(v, NULL, NULL, o, 1, &total);
		assert_int_equal(total, 3);
		assert_int_equal(strlen(p), 3);
		assert_null(strstr(seen, p));
		strcat(seen, p);
	}
	assert_string_equal(page(v, NULL, NULL, 5, 2, &total), "");
	assert_int_equal(total, 3);
	/* by ref and by the seeker's case number, letters in any case */
	assert_string_equal(page(v, NULL, "t-2", 0, 0, &total), "T-2");
	assert_string_equal(page(v, NULL, "m-1", 0, 0, &total), "T-1");
	/* through the names engine */
	assert_string_equal(page(v, NULL, "Pang Chol-su", 0, 0, &total), "T-1"); /* the sought 방철수 */
	assert_string_equal(page(v, NULL, "Bang Sun Ja", 0, 0, &total),
			    "T-1");					   /* the seeker's case's person */
	assert_string_equal(page(v, NULL, "이철", 0, 0, &total), "T-2");   /* the sought Ri Chol */
	assert_string_equal(page(v, NULL, "김영희", 0, 0, &total), "T-2"); /* the seeker */
	assert_string_equal(page(v, NULL, "nguyen lan", 0, 0, &total), "T-3"); /* a name that is not Korean */
	assert_string_equal(page(v, NULL, "Choe Myong-nam", 0, 0, &total), "");
	assert_int_equal(total, 0);
	/* the status filter, with the search */
	struct kith_err err;
	assert_int_equal(kith_trace_close(v, "T-2", 0, "tester", "found", &err), KITH_OK);
	assert_string_equal(page(v, "closed", NULL, 0, 0, &total), "T-2");
	assert_string_equal(page(v, "open", NULL, 0, 0, &total), "T-1 T-3");
	assert_string_equal(page(v, "open", "이철", 0, 0, &total), "");
	struct kith_tracelist_query bad = {.status = "lost"};
	json_t *items = NULL;
	assert_int_equal(kith_tracelist_query(v, &bad, &items, &total, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "status");
	fixture_vault_free(f);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
