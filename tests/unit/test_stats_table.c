/* Unit tests of src/stats/table: the contingency-table readers and builders,
 * including every bad input the importer must name by FILE:LINE:COLUMN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats/table.h"

static int parse(const char *csv, struct kith_stats_table **t, struct kith_err *err)
{
	kith_err_clear(err);
	return kith_stats_table_parse(t, csv, strlen(csv), "t.csv", err);
}

static void test_aggregated(void **state)
{
	(void)state;
	const char *csv = "# dataset=Korea\n"
			  "b,c,d,count\n"
			  "1,1,1,12\n1,1,0,1\n1,0,1,0\n1,0,0,3\n0,1,1,0\n0,1,0,2\n0,0,1,105\n";
	struct kith_stats_table *t;
	struct kith_err err;
	assert_int_equal(parse(csv, &t, &err), KITH_OK);
	assert_int_equal(kith_stats_table_lists(t), 3);
	assert_string_equal(kith_stats_table_list_name(t, 0), "b");
	assert_string_equal(kith_stats_table_list_name(t, 2), "d");
	const double *c = kith_stats_table_counts(t);
	/* bit j = list j: "1,1,1" = 7, "1,0,0" = 1, "0,0,1" = 4 */
	assert_true(c[7] == 12);
	assert_true(c[1] == 3);
	assert_true(c[4] == 105);
	assert_true(c[0] == 0);
	assert_true(kith_stats_table_observed(t) == 123);
	assert_true(kith_stats_table_list_total(t, 0) == 16);
	kith_stats_table_free(t);
}

static void test_missing_patterns_count_zero(void **state)
{
	(void)state;
	struct kith_stats_table *t;
	struct kith_err err;
	assert_int_equal(parse("A,B,count\n1,1,4\n1,0,5\n0,1,7\n", &t, &err), KITH_OK);
	assert_true(kith_stats_table_observed(t) == 16);
	kith_stats_table_free(t);
	assert_int_equal(parse("A,B,C,count\r\n1,0,0,2\r\n0,1,0,3\r\n0,0,1,1\r\n", &t, &err), KITH_OK);
	const double *c = kith_stats_table_counts(t);
	assert_true(c[3] == 0 && c[7] == 0 && c[2] == 3);
	kith_stats_table_free(t);
}

static void test_individual_rows(void **state)
{
	(void)state;
	struct kith_stats_table *t;
	struct kith_err err;
	const char *csv = "ngo1,ngo2,church\n1,0,0\n1,1,0\n1,1,0\n0,0,1\n0,1,1\n";
	assert_int_equal(parse(csv, &t, &err), KITH_OK);
	assert_int_equal(kith_stats_table_lists(t), 3);
	const double *c = kith_stats_table_counts(t);
	assert_true(c[1] == 1);
	assert_true(c[3] == 2);
	assert_true(c[4] == 1);
	assert_true(c[6] == 1);
	assert_true(kith_stats_table_observed(t) == 5);
	kith_stats_table_free(t);
}

static void test_shared_file(void **state)
{
	(void)state;
	const char *shared = getenv("KITH_SHARED");
	if (!shared)
		skip();
	char path[1024];
	snprintf(path, sizeof path, "%s/data/mse/Kosovo.csv", shared);
	struct kith_stats_table *t;
	struct kith_err err;
	assert_int_equal(kith_stats_table_read(&t, path, &err), KITH_OK);
	assert_int_equal(kith_stats_table_lists(t), 4);
	assert_true(kith_stats_table_observed(t) == 4400);
	kith_stats_table_free(t);
	assert_int_equal(kith_stats_table_read(&t, "/nonexistent/x.csv", &err), KITH_E_NOTFOUND);
}

/* A bad input and the where/message the reader must give. */
struct bad {
	const char *csv;
	const char *where;
	const char *msg_part;
};

static void test_bad_inputs(void **state)
{
	(void)state;
	static const struct bad cases[] = {
	    {"A,B,count\n1,2,3\n", "t.csv:2:B", "0 or 1"},
	    {"A,B,count\n1,x,3\n", "t.csv:2:B", "0 or 1"},
	    {"A,B,count\n1,0,-3\n0,1,1\n", "t.csv:2:count", "negative"},
	    {"A,B,count\n1,0,2.5\n0,1,1\n", "t.csv:2:count", "not an integer"},
	    {"A,B,count\n1,0,abc\n0,1,1\n", "t.csv:2:count", "not a number"},
	    {"A,B,count\n1,0,\n", "t.csv:2:count", "empty count"},
	    {"A,B,count\n1,1,2\n0,0,5\n", "t.csv:3:A", "all-zero"},
	    {"A,B\n1,1\n0,0\n", "t.csv:3:A", "all-zero"},
	    {"A,B,count\n1,1,2\n1,0,1\n1,1,3\n", "t.csv:4:A", "twice"},
	    {"A,count\n1,5\n", "t.csv:1:A", "between 2 and 16"},
	    {"A,B,C,count\n1,1,0,3\n1,0,0,2\n", "t.csv:1:C", "no one"},
	    {"A,B,C\n1,1,0\n", "t.csv:1:C", "no one"},
	    {"", "t.csv:1", "empty"},
	    {"# only a comment\n", "t.csv:2", "empty"},
	    {"A,B,count\n", "t.csv:2:A", "no data"},
	    {"count,A,B\n3,1,1\n", "t.csv:1:count", "last column"},
	    {"A,B,count\n1,1,2,9\n", "t.csv:2", "fields"},
	    {"A,B,count\n1,1,1e12\n", "t.csv:2:count", "larger"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kith_stats_table *t = NULL;
		struct kith_err err;
		int rc = parse(cases[i].csv, &t, &err);
		if (rc != KITH_E_INVALID || strcmp(err.where, cases[i].where) != 0 ||
		    !strstr(err.msg, cases[i].msg_part))
			print_error("case %zu: rc %d where '%s' msg '%s'\n", i, rc, err.where, err.msg);
		assert_int_equal(rc, KITH_E_INVALID);
		assert_string_equal(err.where, cases[i].where);
		assert_non_null(strstr(err.msg, cases[i].msg_part));
		assert_null(t);
	}
}

static void test_too_many_lists(void **state)
{
	(void)state;
	char csv[512];
	size_t l = 0;
	for (int j = 0; j < 17; j++)
		l += (size_t)snprintf(csv + l, sizeof csv - l, "L%d,", j);
	l += (size_t)snprintf(csv + l, sizeof csv - l, "count\n");
	for (int j = 0; j < 17; j++)
		l += (size_t)snprintf(csv + l, sizeof csv - l, "1,");
	snprintf(csv + l, sizeof csv - l, "1\n");
	struct kith_stats_table *t = NULL;
	struct kith_err err;
	assert_int_equal(parse(csv, &t, &err), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "17 list columns"));
	assert_non_null(strstr(err.where, "t.csv:1"));
}

static void test_new_and_copies(void **state)
{
	(void)state;
	double c[8] = {0, 5, 0, 2, 7, 0, 1, 3}; /* list 1 (bit 1) has 2 + 1 + 3 = 6 */
	double z[8] = {0, 5, 0, 0, 7, 0, 0, 0}; /* list 1 empty */
	struct kith_stats_table *t, *u, *v;
	struct kith_err err;
	assert_int_equal(kith_stats_table_new(&t, 3, NULL, c, &err), KITH_OK);
	assert_string_equal(kith_stats_table_list_name(t, 1), "B");
	assert_int_equal(kith_stats_table_with_counts(&u, t, z, &err), KITH_OK);
	assert_true(kith_stats_table_list_total(u, 1) == 0);
	assert_int_equal(kith_stats_table_drop_empty(&v, u, &err), KITH_OK);
	assert_int_equal(kith_stats_table_lists(v), 2);
	assert_string_equal(kith_stats_table_list_name(v, 1), "C");
	assert_true(kith_stats_table_counts(v)[1] == 5);
	assert_true(kith_stats_table_counts(v)[2] == 7);
	kith_stats_table_free(v);
	double one[8] = {0, 4, 0, 0, 0, 0, 0, 0};
	kith_stats_table_free(u);
	assert_int_equal(kith_stats_table_with_counts(&u, t, one, &err), KITH_OK);
	assert_int_equal(kith_stats_table_drop_empty(&v, u, &err), KITH_E_INVALID);
	kith_stats_table_free(u);
	double bad[8] = {0, 1.5, 0, 0, 0, 0, 0, 0};
	assert_int_equal(kith_stats_table_with_counts(&u, t, bad, &err), KITH_E_INVALID);
	double none[8] = {0};
	assert_int_equal(kith_stats_table_with_counts(&u, t, none, &err), KITH_E_INVALID);
	assert_int_equal(kith_stats_table_new(&u, 1, NULL, c, &err), KITH_E_INVALID);
	assert_int_equal(kith_stats_table_new(&u, 17, NULL, c, &err), KITH_E_INVALID);
	const char *names[3] = {"a", "", "c"};
	assert_int_equal(kith_stats_table_new(&u, 3, names, c, &err), KITH_E_INVALID);
	kith_stats_table_free(t);
	kith_stats_table_free(NULL);
}

static void test_memberships(void **state)
{
	(void)state;
	const char *lists[3] = {"org1", "org2", "org3"};
	/* person 10: lists 0,1 stratum 0; person 3: list 2 stratum 1 (twice);
	 * person 7: lists 0,2 stratum 1; person 99: list 1 stratum 0 */
	struct kith_stats_membership m[] = {
	    {10, 0, 0}, {3, 2, 1}, {10, 1, 0}, {7, 0, 1}, {3, 2, 1}, {99, 1, 0}, {7, 2, 1},
	};
	struct kith_stats_table **tabs;
	size_t n;
	struct kith_err err;
	assert_int_equal(kith_stats_table_from_memberships(&tabs, &n, m, 7, lists, 3, 2, &err), KITH_OK);
	assert_int_equal(n, 3);
	const double *tot = kith_stats_table_counts(tabs[0]);
	assert_true(kith_stats_table_observed(tabs[0]) == 4);
	assert_true(tot[3] == 1 && tot[4] == 1 && tot[5] == 1 && tot[2] == 1);
	assert_true(kith_stats_table_observed(tabs[1]) == 2);
	assert_true(kith_stats_table_observed(tabs[2]) == 2);
	assert_string_equal(kith_stats_table_list_name(tabs[2], 2), "org3");
	kith_stats_tables_free(tabs, n);
	/* without strata: one table */
	assert_int_equal(kith_stats_table_from_memberships(&tabs, &n, m, 7, lists, 3, 0, &err), KITH_OK);
	assert_int_equal(n, 1);
	kith_stats_tables_free(tabs, n);
	/* an empty stratum is NULL */
	assert_int_equal(kith_stats_table_from_memberships(&tabs, &n, m, 7, lists, 3, 3, &err), KITH_OK);
	assert_null(tabs[3]);
	kith_stats_tables_free(tabs, n);
	/* a person in two strata */
	struct kith_stats_membership bad[] = {{5, 0, 0}, {5, 1, 1}};
	assert_int_equal(kith_stats_table_from_memberships(&tabs, &n, bad, 2, lists, 3, 2, &err),
			 KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "person 5"));
	struct kith_stats_membership badlist[] = {{5, 3, 0}};
	assert_int_equal(kith_stats_table_from_memberships(&tabs, &n, badlist, 1, lists, 3, 0, &err),
			 KITH_E_INVALID);
	assert_int_equal(kith_stats_table_from_memberships(&tabs, &n, m, 0, lists, 3, 0, &err),
			 KITH_E_INVALID);
	assert_int_equal(kith_stats_table_from_memberships(&tabs, &n, m, 7, lists, 1, 0, &err),
			 KITH_E_INVALID);
	struct kith_stats_membership badstr[] = {{5, 0, 9}};
	assert_int_equal(kith_stats_table_from_memberships(&tabs, &n, badstr, 1, lists, 3, 2, &err),
			 KITH_E_INVALID);
}

static void test_release_memberships(void **state)
{
	(void)state;
	struct kith_stats_memberships ms;
	memset(&ms, 0, sizeof ms);
	ms.m = malloc(2 * sizeof *ms.m);
	ms.n = 2;
	ms.n_lists = 2;
	ms.list_names = calloc(2, sizeof *ms.list_names);
	ms.list_names[0] = strdup("a");
	ms.list_names[1] = strdup("b");
	ms.n_strata = 1;
	ms.stratum_names = calloc(1, sizeof *ms.stratum_names);
	ms.stratum_names[0] = strdup("x");
	kith_stats_memberships_release(&ms);
	assert_null(ms.m);
	assert_int_equal(ms.n, 0);
	kith_stats_memberships_release(NULL);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aggregated),		cmocka_unit_test(test_missing_patterns_count_zero),
	    cmocka_unit_test(test_individual_rows),	cmocka_unit_test(test_shared_file),
	    cmocka_unit_test(test_bad_inputs),		cmocka_unit_test(test_too_many_lists),
	    cmocka_unit_test(test_new_and_copies),	cmocka_unit_test(test_memberships),
	    cmocka_unit_test(test_release_memberships),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
