/* Unit tests of src/casework/cases: the case list's filters, order and pages
 * (every name here is invented). */
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

#include "base/status.h"
#include "casework/cases.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static int setup(void **state)
{
	struct fixture_vault *f = fixture_vault_new("cases");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"R10\",\"person\":{\"name\":\"한지영\",\"sex\":\"female\",\"origin\":{"
	    "\"province\":\"ryanggang\"}},"
	    "\"status\":\"active\",\"needs\":[\"shelter\",\"legal\"]}");
	fixture_vault_put_json(f->v, "case",
			       "{\"ref\":\"R2\",\"person\":{\"name\":\"Kim "
			       "Ok-sun\",\"sex\":\"female\",\"origin\":{\"province\":\"chagang\"}},"
			       "\"status\":\"closed\"}");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"R9\",\"person\":{\"name\":\"가나다\",\"sex\":\"male\",\"origin\":{\"province\":"
	    "\"ryanggang\"}},"
	    "\"status\":\"active\",\"needs\":[\"legal\"]}");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

/* The refs of a list, joined with spaces. */
static const char *refs(const json_t *items, char *buf, size_t n)
{
	size_t i, o = 0;
	const json_t *x;
	buf[0] = '\0';
	json_array_foreach(items, i, x) o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? " " : "",
							      json_string_value(json_object_get(x, "ref")));
	return buf;
}

static void check(struct kith_vault *v, const struct kith_cases_query *q, const char *want, size_t want_total)
{
	json_t *items = NULL;
	size_t total = 0;
	struct kith_err err;
	assert_int_equal(kith_cases_list(v, q, &items, &total, &err), KITH_OK);
	char buf[128];
	assert_string_equal(refs(items, buf, sizeof buf), want);
	assert_int_equal(total, want_total);
	json_decref(items);
}

static void test_filters_and_order(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_cases_query q = {.sort = KITH_CASES_REF};
	check(f->v, &q, "R2 R9 R10", 3); /* numbers as numbers */
	q.reverse = 1;
	check(f->v, &q, "R10 R9 R2", 3);
	q = (struct kith_cases_query){.sort = KITH_CASES_NAME};
	check(f->v, &q, "R2 R9 R10", 3); /* Latin, then 가나다 before 한지영 */
	q = (struct kith_cases_query){.sort = KITH_CASES_REF, .status = "active"};
	check(f->v, &q, "R9 R10", 2);
	q.province = "양강도"; /* a Korean label */
	q.sex = "Male";	       /* an English label */
	check(f->v, &q, "R9", 1);
	q = (struct kith_cases_query){.sort = KITH_CASES_REF, .need = "legal"};
	check(f->v, &q, "R9 R10", 2);
	q = (struct kith_cases_query){.sort = KITH_CASES_REF, .offset = 1, .limit = 1};
	check(f->v, &q, "R9", 3); /* a page, with the true total */
	q.offset = 5;
	check(f->v, &q, "", 3);
}

static void test_bad_filter(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_cases_query q = {.status = "sleeping"};
	json_t *items = NULL;
	size_t total = 99;
	struct kith_err err;
	assert_int_equal(kith_cases_list(f->v, &q, &items, &total, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "status");
	assert_null(items);
	assert_int_equal(total, 99);
	enum kith_cases_sort s;
	assert_int_equal(kith_cases_sort_parse("name", &s), KITH_OK);
	assert_int_equal(s, KITH_CASES_NAME);
	assert_int_equal(kith_cases_sort_parse("size", &s), KITH_E_INVALID);
}

static void test_summary(void **state)
{
	struct fixture_vault *f = *state;
	const struct kith_record_view *r = kith_vault_find(f->v, "case", "R10");
	assert_non_null(r);
	json_t *s = kith_cases_summary(r);
	assert_string_equal(json_string_value(json_object_get(s, "name")), "한지영");
	assert_string_equal(json_string_value(json_object_get(s, "province")), "ryanggang");
	assert_int_equal(json_array_size(json_object_get(s, "needs")), 2);
	assert_null(json_object_get(s, "narrative"));
	json_decref(s);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_filters_and_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_filter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
