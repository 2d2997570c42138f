/* Unit tests of src/casework/people (issue 12 item 4): roles and what each may
 * do — the allow matrix; an analyst refused every path to a name (list,
 * export) while figures stay open; a caseworker's list holding their own and
 * their assigned cases only; link decisions refused to caseworkers and named
 * after the reviewer; the view log; names unique; nobody removes themselves or
 * the main admin; people listed with the unnamed main admin first. Every
 * person and case is invented. */
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
#include <sodium.h>

#include "base/sbuf.h"
#include "casework/cases.h"
#include "casework/exchange.h"
#include "casework/linkvault.h"
#include "casework/people.h"
#include "casework/workflow.h"
#include "fixture_vault.h"
#include "vault/vault.h"

#define CW "caseworker words"
#define RV "reviewer words"
#define AN "analyst words"

static struct kith_vault *open_as(const struct fixture_vault *f, const char *pass)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_vault_open(&v, f->path, pass, strlen(pass), NULL, NULL, &err))
		fail_msg("open: %s", err.msg);
	return v;
}

static void add(struct kith_vault *v, const char *name, enum kith_role role, const char *pass, int64_t now)
{
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_people_add(v, name, role, pass, strlen(pass), now, NULL, &err))
		fail_msg("add: %s", err.msg);
}

/* A vault with three cases by the admin, and three people. */
static struct fixture_vault *world(void)
{
	struct fixture_vault *f = fixture_vault_new("ppl");
	fixture_vault_put_json(f->v, "case",
			       "{\"ref\":\"P-1\",\"person\":{\"name\":\"김영희\",\"sex\":\"female\"}}");
	fixture_vault_put_json(f->v, "case",
			       "{\"ref\":\"P-2\",\"person\":{\"name\":\"박철\",\"sex\":\"male\"}}");
	add(f->v, "김 선생", KITH_ROLE_CASEWORKER, CW, 1765000001);
	add(f->v, "Reviewer Lee", KITH_ROLE_REVIEWER, RV, 1765000002);
	add(f->v, "Analyst Oh", KITH_ROLE_ANALYST, AN, 1765000003);
	return f;
}

static void test_allow_matrix(void **state)
{
	(void)state;
	struct fixture_vault *f = world();
	static const struct {
		const char *pass;
		int may[7]; /* FIGURES NAMES WRITE EXPORT REVIEW ASSIGN ADMIN */
	} rows[] = {
	    {FIXTURE_VAULT_PASS, {1, 1, 1, 1, 1, 1, 1}},
	    {CW, {1, 1, 1, 0, 0, 0, 0}},
	    {RV, {1, 1, 1, 1, 1, 1, 0}},
	    {AN, {1, 0, 0, 0, 0, 0, 0}},
	};
	for (size_t i = 0; i < 4; i++) {
		struct kith_vault *v = open_as(f, rows[i].pass);
		for (int act = 0; act < 7; act++) {
			struct kith_err err;
			kith_err_clear(&err);
			int rc = kith_people_allow(v, (enum kith_people_act)act, &err);
			if ((rc == KITH_OK) != rows[i].may[act])
				fail_msg("row %zu act %d: %d", i, act, rc);
			if (rc)
				assert_int_equal(rc, KITH_E_DENIED);
		}
		kith_vault_close(v);
	}
	fixture_vault_free(f);
}

static void test_analyst_never_a_name(void **state)
{
	(void)state;
	struct fixture_vault *f = world();
	struct kith_vault *v = open_as(f, AN);
	struct kith_person me;
	kith_people_me(v, &me);
	assert_int_equal(me.role, KITH_ROLE_ANALYST);
	assert_string_equal(me.name, "Analyst Oh");
	json_t *items = NULL;
	size_t total = 0;
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(kith_cases_list(v, NULL, &items, &total, &err), KITH_E_DENIED);
	assert_null(items);
	assert_non_null(strstr(err.msg, "analyst"));
	struct kith_sbuf out = KITH_SBUF_INIT;
	struct kith_exchange_export_opts eo = {.format = KITH_EXCHANGE_JSONL};
	struct kith_exchange_export_result res;
	assert_int_equal(kith_exchange_export(v, &eo, &out, &res, &err), KITH_E_DENIED);
	assert_int_equal(out.len, 0);
	kith_sbuf_release(&out);
	json_t *arr = json_pack("[{s:s}]", "id", kith_vault_find(v, "case", "P-1")->id);
	assert_int_equal(kith_people_filter(v, arr, &err), KITH_E_DENIED);
	json_decref(arr);
	struct kith_person *pl = NULL;
	size_t n = 0;
	assert_int_equal(kith_people_list(v, &pl, &n, &err), KITH_E_DENIED);
	kith_vault_close(v);
	fixture_vault_free(f);
}

static void test_caseworker_own_and_assigned(void **state)
{
	(void)state;
	struct fixture_vault *f = world();
	struct kith_vault *v = open_as(f, CW);
	fixture_vault_put_json(v, "case",
			       "{\"ref\":\"P-3\",\"person\":{\"name\":\"이순\",\"sex\":\"female\"}}");
	json_t *items = NULL;
	size_t total = 0;
	assert_int_equal(kith_cases_list(v, NULL, &items, &total, NULL), KITH_OK);
	assert_int_equal(total, 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "ref")), "P-3");
	json_decref(items);
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(
	    kith_people_allow_case(v, KITH_PEOPLE_NAMES, kith_vault_find(v, "case", "P-1"), &err),
	    KITH_E_DENIED);
	assert_string_equal(err.where, "P-1");
	struct kith_workflow_assign wa = {.assigned = "김 선생"};
	assert_int_equal(kith_workflow_assign(v, "P-1", &wa, 0, NULL), KITH_E_DENIED);
	kith_vault_close(v);

	v = open_as(f, RV); /* a reviewer assigns P-1 to the caseworker */
	assert_int_equal(kith_workflow_assign(v, "P-1", &wa, 0, NULL), KITH_OK);
	json_t *b = kith_record_view_json(kith_vault_find(v, "case", "P-1"));
	char pid[KITH_VAULT_PERSON_HEX];
	assert_int_equal(kith_people_pid_of(v, "김 선생", pid), 1);
	assert_string_equal(json_string_value(json_object_get(b, "assigned_person")), pid);
	json_decref(b);
	kith_vault_close(v);

	v = open_as(f, CW);
	assert_int_equal(kith_cases_list(v, NULL, &items, &total, NULL), KITH_OK);
	assert_int_equal(total, 2); /* P-1 (assigned) and P-3 (their own) */
	json_decref(items);
	kith_vault_close(v);
	fixture_vault_free(f);
}

static void test_review_names_the_reviewer(void **state)
{
	(void)state;
	struct fixture_vault *f = world();
	struct kith_vault *v = open_as(f, CW);
	char id[KITH_VAULT_ID_HEX];
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(kith_link_vault_merge(v, "P-1", "P-2", "someone", NULL, id, &err), KITH_E_DENIED);
	assert_non_null(strstr(err.msg, "duplicate and tracing decisions"));
	kith_vault_close(v);
	v = open_as(f, RV);
	assert_int_equal(kith_link_vault_merge(v, "P-1", "P-2", "typed name", NULL, id, NULL), KITH_OK);
	const struct kith_record_view *l = kith_vault_find_id(v, id);
	assert_non_null(l);
	json_t *b = kith_record_view_json(l);
	assert_string_equal(json_string_value(json_object_get(b, "reviewer")), "Reviewer Lee");
	json_decref(b);
	char who[KITH_PEOPLE_NAME_MAX];
	assert_string_equal(kith_people_display(v, l->person, who, sizeof who), "Reviewer Lee");
	kith_vault_close(v);
	fixture_vault_free(f);
}

static void test_views(void **state)
{
	(void)state;
	struct fixture_vault *f = world();
	struct kith_vault *v = open_as(f, RV);
	assert_int_equal(kith_people_viewed(v, kith_vault_find(v, "case", "P-2"), "show", 1765000100, NULL),
			 KITH_OK);
	json_t *views = NULL;
	assert_int_equal(kith_people_views(v, "P-2", &views, NULL), KITH_E_DENIED);
	kith_vault_close(v);
	v = f->v; /* the admin */
	assert_int_equal(kith_vault_refresh(v, NULL), KITH_OK);
	assert_int_equal(
	    kith_people_viewed(v, kith_vault_find(v, "case", "P-2"), "history", 1765000200, NULL), KITH_OK);
	assert_int_equal(kith_people_views(v, "P-2", &views, NULL), KITH_OK);
	assert_int_equal(json_array_size(views), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(views, 0), "name")),
			    "Reviewer Lee");
	assert_string_equal(json_string_value(json_object_get(json_array_get(views, 0), "role")), "reviewer");
	assert_string_equal(json_string_value(json_object_get(json_array_get(views, 1), "role")), "admin");
	json_decref(views);
	assert_int_equal(kith_people_views(v, "P-9", &views, NULL), KITH_E_NOTFOUND);
	fixture_vault_free(f);
}

static void test_people_management(void **state)
{
	(void)state;
	struct fixture_vault *f = world();
	struct kith_vault *v = f->v;
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(kith_people_add(v, "김 선생", KITH_ROLE_ADMIN, "other words", 11, 1, NULL, &err),
			 KITH_E_EXISTS);
	assert_string_equal(err.where, "name");
	assert_int_equal(kith_people_add(v, "", KITH_ROLE_ADMIN, "other words", 11, 1, NULL, NULL),
			 KITH_E_INVALID);
	assert_int_equal(kith_people_add(v, "a\nb", KITH_ROLE_ADMIN, "other words", 11, 1, NULL, NULL),
			 KITH_E_INVALID);
	assert_int_equal(kith_people_add(v, "X", KITH_ROLE_NONE, "other words", 11, 1, NULL, NULL),
			 KITH_E_INVALID);
	enum kith_role r;
	assert_int_equal(kith_role_parse("boss", &r, NULL), KITH_E_INVALID);
	assert_int_equal(kith_role_parse("reviewer", &r, NULL), KITH_OK);
	assert_int_equal(r, KITH_ROLE_REVIEWER);
	assert_string_equal(kith_role_label_ko(KITH_ROLE_REVIEWER), "검토자");

	struct kith_person *pl = NULL;
	size_t n = 0;
	assert_int_equal(kith_people_list(v, &pl, &n, NULL), KITH_OK);
	assert_int_equal(n, 4);
	assert_true(pl[0].main);
	assert_string_equal(pl[0].name, "");
	assert_int_equal(pl[0].role, KITH_ROLE_ADMIN);
	assert_string_equal(pl[1].name, "김 선생");
	assert_true(pl[1].has_slot);
	free(pl);

	struct kith_vault *gone = open_as(f, CW); /* open while they are removed */
	assert_int_equal(kith_people_remove(v, "nobody", 2, NULL), KITH_E_NOTFOUND);
	assert_int_equal(kith_people_remove(v, "김 선생", 2, NULL), KITH_OK);
	assert_int_equal(kith_people_remove(v, "김 선생", 3, NULL), KITH_E_NOTFOUND);
	assert_int_equal(kith_vault_refresh(gone, NULL), KITH_E_LOCKED); /* their open vault locks */
	assert_int_equal(kith_people_allow(gone, KITH_PEOPLE_NAMES, NULL) == KITH_OK, 0);
	kith_vault_close(gone);
	assert_int_equal(kith_people_list(v, &pl, &n, NULL), KITH_OK);
	assert_true(pl[1].removed);
	assert_false(pl[1].has_slot);
	free(pl);
	/* the name is free again */
	assert_int_equal(kith_people_add(v, "김 선생", KITH_ROLE_REVIEWER, "other words", 11, 4, NULL, NULL),
			 KITH_OK);
	assert_int_equal(kith_people_name_main(v, "Director Han", 5, NULL), KITH_OK);
	struct kith_person me;
	kith_people_me(v, &me);
	assert_string_equal(me.name, "Director Han");
	assert_int_equal(me.role, KITH_ROLE_ADMIN);
	char who[KITH_PEOPLE_NAME_MAX];
	assert_string_equal(kith_people_display(v, "", who, sizeof who), "Director Han");
	assert_string_equal(kith_people_display(v, "0123456789abcdef0123456789abcdef", who, sizeof who),
			    "person 01234567");

	struct kith_vault *a = open_as(f, RV); /* a reviewer manages nobody, removes nobody */
	assert_int_equal(kith_people_remove(a, "Analyst Oh", 6, NULL), KITH_E_DENIED);
	assert_int_equal(kith_people_name_main(a, "Someone", 6, NULL), KITH_E_DENIED);
	kith_vault_close(a);
	fixture_vault_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_allow_matrix),
	    cmocka_unit_test(test_analyst_never_a_name),
	    cmocka_unit_test(test_caseworker_own_and_assigned),
	    cmocka_unit_test(test_review_names_the_reviewer),
	    cmocka_unit_test(test_views),
	    cmocka_unit_test(test_people_management),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
