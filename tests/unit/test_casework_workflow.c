/* Unit tests of src/casework/workflow, sameperson, review and tracelist: the
 * caseworker's day (assignment, due, referral sheets), one person across
 * merged cases, the review queue's order and the tracing list's pages and
 * edits (every name here is invented). */
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
#include "casework/linkvault.h"
#include "casework/review.h"
#include "casework/sameperson.h"
#include "casework/trace.h"
#include "casework/tracelist.h"
#include "casework/workflow.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static int setup(void **state)
{
	struct fixture_vault *f = fixture_vault_new("workflow");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"R-1\",\"person\":{\"name\":\"김영희\",\"sex\":\"female\",\"birth\":\"1990\"},"
	    "\"needs\":[\"shelter\"],\"narrative\":\"invented\",\"consent\":{\"sharing\":true}}");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"R-2\",\"person\":{\"name\":\"Kim Yong-hui\",\"sex\":\"female\",\"birth\":\"1991\"}}");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"R-3\",\"person\":{\"name\":\"박철\",\"sex\":\"male\"},\"status\":\"closed\"}");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"R-4\",\"person\":{\"name\":\"Kim Yong-hui\",\"sex\":\"female\",\"birth\":\"1990\"}}");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

static const char *str(const json_t *o, const char *k)
{
	const json_t *x = json_object_get(o, k);
	return json_is_string(x) ? json_string_value(x) : "";
}

static json_t *body_of(struct kith_vault *v, const char *ref)
{
	const struct kith_record_view *r = kith_vault_find(v, "case", ref);
	assert_non_null(r);
	json_t *b = kith_record_view_json(r);
	assert_non_null(b);
	return b;
}

static void test_assign(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	struct kith_workflow_assign a = {
	    .assigned = "  Caseworker Han ", .follow_up = "2026-03-01", .by = "lead"};
	assert_int_equal(kith_workflow_assign(f->v, "R-1", &a, 0, &err), KITH_OK);
	json_t *b = body_of(f->v, "R-1");
	assert_string_equal(str(b, "assigned"), "Caseworker Han");
	assert_string_equal(str(b, "follow_up"), "2026-03-01");
	json_decref(b);
	const struct kith_record_view *r = kith_vault_find(f->v, "case", "R-1");
	assert_int_equal(r->version, 2);
	assert_string_equal(r->action, "assign");
	/* the same again writes nothing */
	assert_int_equal(kith_workflow_assign(f->v, "R-1", &a, 0, &err), KITH_OK);
	assert_int_equal(kith_vault_find(f->v, "case", "R-1")->version, 2);
	/* a stale version, bad inputs: nothing written, the field named */
	assert_int_equal(
	    kith_workflow_assign(f->v, "R-1", &(struct kith_workflow_assign){.assigned = "Oh"}, 1, &err),
	    KITH_E_EXISTS);
	assert_string_equal(err.where, "version");
	assert_int_equal(kith_workflow_assign(
			     f->v, "R-1", &(struct kith_workflow_assign){.follow_up = "2026-02-30"}, 0, &err),
			 KITH_E_INVALID);
	assert_string_equal(err.where, "follow_up");
	assert_int_equal(
	    kith_workflow_assign(f->v, "R-1", &(struct kith_workflow_assign){.follow_up = "2026"}, 0, &err),
	    KITH_E_INVALID);
	assert_int_equal(kith_workflow_assign(
			     f->v, "R-1", &(struct kith_workflow_assign){.assigned = "a\tb\x01"}, 0, &err),
			 KITH_E_INVALID);
	assert_string_equal(err.where, "assigned");
	assert_int_equal(kith_workflow_assign(f->v, "NOPE", &a, 0, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_vault_find(f->v, "case", "R-1")->version, 2);
	/* clearing */
	assert_int_equal(
	    kith_workflow_assign(f->v, "R-1", &(struct kith_workflow_assign){.follow_up = ""}, 0, &err),
	    KITH_OK);
	b = body_of(f->v, "R-1");
	assert_null(json_object_get(b, "follow_up"));
	assert_string_equal(str(b, "assigned"), "Caseworker Han");
	json_decref(b);
}

static void test_due(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	assert_int_equal(kith_workflow_assign(
			     f->v, "R-1", &(struct kith_workflow_assign){"Han", "2026-03-01", NULL}, 0, &err),
			 0);
	assert_int_equal(kith_workflow_assign(
			     f->v, "R-2", &(struct kith_workflow_assign){"Oh", "2026-02-01", NULL}, 0, &err),
			 0);
	assert_int_equal(kith_workflow_assign(
			     f->v, "R-3", &(struct kith_workflow_assign){"Han", "2026-01-01", NULL}, 0, &err),
			 0);
	assert_int_equal(kith_workflow_assign(
			     f->v, "R-4", &(struct kith_workflow_assign){"Han", "2026-04-01", NULL}, 0, &err),
			 0);
	json_t *d = NULL;
	assert_int_equal(kith_workflow_due(f->v, "2026-03-01", NULL, &d, &err), KITH_OK);
	/* R-3 is closed; R-4 later; R-2 overdue, R-1 today */
	assert_int_equal(json_integer_value(json_object_get(d, "total")), 2);
	assert_int_equal(json_array_size(json_object_get(d, "overdue")), 1);
	assert_string_equal(str(json_array_get(json_object_get(d, "overdue"), 0), "ref"), "R-2");
	assert_string_equal(str(json_array_get(json_object_get(d, "due_today"), 0), "ref"), "R-1");
	json_decref(d);
	assert_int_equal(kith_workflow_due(f->v, "2026-03-01", "Han", &d, &err), KITH_OK);
	assert_int_equal(json_integer_value(json_object_get(d, "total")), 1);
	json_decref(d);
	assert_int_equal(kith_workflow_due(f->v, "2026-13-45", NULL, &d, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "today");
	/* names used before, with their counts */
	json_t *n = kith_workflow_assignees(f->v);
	assert_int_equal(json_array_size(n), 2);
	assert_string_equal(str(json_array_get(n, 0), "name"), "Han");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(n, 0), "cases")), 3);
	json_decref(n);
	/* the list's filters: assigned, due, follow-up order */
	struct kith_cases_query q = {.assigned = "Han", .sort = KITH_CASES_FOLLOW_UP};
	json_t *items = NULL;
	size_t total = 0;
	assert_int_equal(kith_cases_list(f->v, &q, &items, &total, &err), KITH_OK);
	assert_int_equal(total, 3);
	assert_string_equal(str(json_array_get(items, 0), "ref"), "R-3");
	assert_string_equal(str(json_array_get(items, 2), "ref"), "R-4");
	json_decref(items);
	q = (struct kith_cases_query){.due = 1, .today = "2026-02-15"};
	assert_int_equal(kith_cases_list(f->v, &q, &items, &total, &err), KITH_OK);
	assert_int_equal(total, 1);
	json_decref(items);
	q = (struct kith_cases_query){.today = "15 Feb"};
	assert_int_equal(kith_cases_list(f->v, &q, &items, &total, &err), KITH_E_INVALID);
}

static void test_referral(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	const char *fields[] = {"needs", "person.name", "needs"};
	struct kith_workflow_referral r = {
	    .partner = "Seoul Shelter", .fields = fields, .n_fields = 3, .by = "Han", .date = "2026-03-02"};
	json_t *sheet = NULL;
	assert_int_equal(kith_workflow_referral(f->v, "R-1", &r, &sheet, &err), KITH_OK);
	/* only the chosen fields, in the sheet's order, each once */
	const json_t *fs = json_object_get(sheet, "fields");
	assert_int_equal(json_array_size(fs), 2);
	assert_string_equal(str(json_array_get(fs, 0), "field"), "person.name");
	assert_string_equal(json_string_value(json_object_get(json_array_get(fs, 0), "value")), "김영희");
	char *dump = json_dumps(sheet, 0);
	assert_null(strstr(dump, "invented"));
	assert_null(strstr(dump, "1990"));
	assert_null(strstr(dump, "sharing"));
	free(dump);
	json_decref(sheet);
	/* recorded in the case */
	const struct kith_record_view *v = kith_vault_find(f->v, "case", "R-1");
	assert_string_equal(v->action, "referral");
	json_t *b = body_of(f->v, "R-1");
	const json_t *ref0 = json_array_get(json_object_get(b, "referrals"), 0);
	assert_string_equal(str(ref0, "partner"), "Seoul Shelter");
	assert_int_equal(json_array_size(json_object_get(ref0, "fields")), 2);
	json_decref(b);
	/* consent, unknown fields, no fields, no partner: refused, nothing written */
	uint32_t ver = kith_vault_find(f->v, "case", "R-1")->version;
	assert_int_equal(kith_workflow_referral(f->v, "R-2", &r, &sheet, &err), KITH_E_CONSENT);
	const char *bad[] = {"consent"};
	r.fields = bad;
	r.n_fields = 1;
	assert_int_equal(kith_workflow_referral(f->v, "R-1", &r, &sheet, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "fields");
	r.n_fields = 0;
	assert_int_equal(kith_workflow_referral(f->v, "R-1", &r, &sheet, &err), KITH_E_INVALID);
	r.fields = fields;
	r.n_fields = 1;
	r.partner = " ";
	assert_int_equal(kith_workflow_referral(f->v, "R-1", &r, &sheet, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "partner");
	assert_int_equal(kith_vault_find(f->v, "case", "R-1")->version, ver);
	json_t *lf = kith_workflow_referral_fields();
	assert_true(json_array_size(lf) > 5);
	json_decref(lf);
}

static void test_same_person(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	char id[KITH_VAULT_ID_HEX];
	assert_int_equal(kith_link_vault_merge(f->v, "R-2", "R-1", "lead", NULL, id, &err), KITH_OK);
	json_t *p = NULL;
	assert_int_equal(kith_sameperson_of(f->v, "R-2", &p, &err), KITH_OK);
	const json_t *cs = json_object_get(p, "cases");
	assert_int_equal(json_array_size(cs), 2);
	assert_string_equal(str(json_array_get(cs, 0), "ref"), "R-2");
	assert_string_equal(str(json_array_get(cs, 1), "ref"), "R-1");
	assert_int_equal(json_array_size(json_object_get(p, "links")), 1);
	assert_string_equal(str(json_array_get(json_object_get(p, "links"), 0), "id"), id);
	json_decref(p);
	assert_int_equal(kith_sameperson_of(f->v, "R-3", &p, &err), KITH_OK);
	assert_int_equal(json_array_size(json_object_get(p, "cases")), 1);
	assert_int_equal(json_array_size(json_object_get(p, "links")), 0);
	json_decref(p);
	assert_int_equal(kith_sameperson_of(f->v, "NOPE", &p, &err), KITH_E_NOTFOUND);
	/* the list: each names the other; 1990 and 1991 disagree */
	struct kith_cases_query q = {.has_conflict = 1, .sort = KITH_CASES_REF};
	json_t *items = NULL;
	size_t total = 0;
	assert_int_equal(kith_cases_list(f->v, &q, &items, &total, &err), KITH_OK);
	assert_int_equal(total, 2);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(json_array_get(items, 0), "same_person"), 0)),
	    "R-2");
	json_decref(items);
	/* search results: annotated the same way */
	const struct kith_record_view *r4 = kith_vault_find(f->v, "case", "R-4");
	const struct kith_record_view *r2 = kith_vault_find(f->v, "case", "R-2");
	json_t *hits = json_pack("[o,o]", kith_cases_summary(r4), kith_cases_summary(r2));
	assert_int_equal(kith_cases_add_persons(f->v, hits, &err), KITH_OK);
	assert_int_equal(json_array_size(json_object_get(json_array_get(hits, 0), "same_person")), 0);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(json_array_get(hits, 1), "same_person"), 0)),
	    "R-1");
	assert_true(json_is_true(json_object_get(json_array_get(hits, 1), "conflict")));
	json_decref(hits);
	/* undone: two persons again */
	assert_int_equal(kith_link_vault_set_status(f->v, id, "undone", "lead", NULL, id, &err), KITH_OK);
	assert_int_equal(kith_sameperson_of(f->v, "R-2", &p, &err), KITH_OK);
	assert_int_equal(json_array_size(json_object_get(p, "cases")), 1);
	json_decref(p);
}

static void test_review_order(void **state)
{
	(void)state;
	json_error_t je;
	json_t *links = json_loads(
	    "[{\"id\":\"a\",\"score\":0.6,\"at\":1,\"cases\":[{\"ref\":\"R-1\",\"name\":\"Kim\"}]},"
	    "{\"id\":\"b\",\"score\":0.9,\"at\":2,\"cases\":[{\"ref\":\"R-2\",\"name\":\"Pak\"}]},"
	    "{\"id\":\"c\",\"at\":3,\"cases\":[{\"ref\":\"R-3\",\"name\":\"kim\"}]},"
	    "{\"id\":\"d\",\"score\":0.6,\"at\":0,\"cases\":[{\"ref\":\"R-4\",\"name\":\"Lee\"}]}]",
	    0, &je);
	assert_non_null(links);
	struct kith_err err;
	json_t *o = NULL;
	assert_int_equal(kith_review_order(links, NULL, &o, &err), KITH_OK);
	char got[16] = "";
	for (size_t i = 0; i < json_array_size(o); i++)
		strcat(got, str(json_array_get(o, i), "id"));
	assert_string_equal(got, "cbda"); /* a person's proposal, then by score, then oldest */
	json_decref(o);
	struct kith_review_query q = {.min_score = 0.5, .max_score = 0.7};
	assert_int_equal(kith_review_order(links, &q, &o, &err), KITH_OK);
	assert_int_equal(json_array_size(o), 2);
	json_decref(o);
	q = (struct kith_review_query){.text = "KIM"};
	assert_int_equal(kith_review_order(links, &q, &o, &err), KITH_OK);
	assert_int_equal(json_array_size(o), 2);
	json_decref(o);
	q = (struct kith_review_query){.min_score = 0.8, .max_score = 0.2};
	assert_int_equal(kith_review_order(links, &q, &o, &err), KITH_E_INVALID);
	json_decref(links);
}

static void test_tracelist(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	json_error_t je;
	json_t *t[3];
	t[0] = json_loads(
	    "{\"ref\":\"T-1\",\"seeker\":{\"case\":\"R-1\"},\"sought\":{\"name\":\"방철수\",\"relation\":"
	    "\"sibling\"},\"consent\":{\"tracing\":true}}",
	    0, &je);
	t[1] = json_loads(
	    "{\"ref\":\"T-2\",\"seeker\":{\"name\":\"Lee Sun\"},\"sought\":{\"name\":\"Lee Mi\"}}", 0, &je);
	t[2] = json_loads("{\"ref\":\"T-3\",\"seeker\":{\"name\":\"Pak\"},\"sought\":{\"name\":\"Pak Ok\"}}",
			  0, &je);
	assert_int_equal(kith_trace_add(f->v, t, 3, NULL, NULL, &err), KITH_OK);
	struct kith_tracelist_query q = {.offset = 1, .limit = 1};
	json_t *items = NULL;
	size_t total = 0;
	assert_int_equal(kith_tracelist_query(f->v, &q, &items, &total, &err), KITH_OK);
	assert_int_equal(total, 3);
	assert_int_equal(json_array_size(items), 1);
	json_decref(items);
	q = (struct kith_tracelist_query){.text = "lee"};
	assert_int_equal(kith_tracelist_query(f->v, &q, &items, &total, &err), KITH_OK);
	assert_int_equal(total, 1);
	json_decref(items);
	q = (struct kith_tracelist_query){.status = "bogus"};
	assert_int_equal(kith_tracelist_query(f->v, &q, &items, &total, &err), KITH_E_INVALID);
	/* an edit keeps the engine's status; a wrong ref or seeker is refused */
	json_object_set_new(json_object_get(t[1], "sought"), "details", json_string("a scar"));
	json_object_set_new(t[1], "status", json_string("confirmed"));
	assert_int_equal(kith_tracelist_edit(f->v, "T-2", t[1], 1, "Han", &err), KITH_OK);
	const struct kith_record_view *v = kith_vault_find(f->v, "trace", "T-2");
	assert_int_equal(v->version, 2);
	assert_string_equal(v->action, "trace-edit");
	json_t *b = kith_record_view_json(v);
	assert_string_equal(str(b, "status"), "open");
	assert_string_equal(str(json_object_get(b, "sought"), "details"), "a scar");
	json_decref(b);
	assert_int_equal(kith_tracelist_edit(f->v, "T-2", t[1], 1, "Han", &err), KITH_E_EXISTS);
	assert_int_equal(kith_tracelist_edit(f->v, "T-3", t[1], 0, "Han", &err), KITH_E_INVALID);
	assert_string_equal(err.where, "ref");
	json_object_set_new(t[0], "seeker", json_pack("{s:s}", "case", "NOPE"));
	assert_int_equal(kith_tracelist_edit(f->v, "T-1", t[0], 0, "Han", &err), KITH_E_NOTFOUND);
	assert_string_equal(err.where, "seeker.case");
	for (int i = 0; i < 3; i++)
		json_decref(t[i]);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_assign, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_referral, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_person, setup, teardown),
	    cmocka_unit_test(test_review_order),
	    cmocka_unit_test_setup_teardown(test_tracelist, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
