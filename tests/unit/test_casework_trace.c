/* Unit tests of src/link/trace: the checks of a tracing request, matching
 * (names, ages, places, family, consent, relation consistency), and the
 * review workflow in a real (test-KDF) vault. Every person is invented. */
#include <math.h>
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

#include "vault/vault.h"

#include "fixture_vault.h"
#include "casework/trace.h"

static struct fixture_vault *fx; /* closed between tests: each opens its own handle */

/* The mother (M-1) looks for her son, separated in Yanji in 2003 at about 7;
 * he was recorded in 2015 as K-1 (age 19, a family entry naming his mother).
 * N-1 has the same name but does not consent to tracing; O-1 is too old to
 * be her child; D-1 is a girl of the right age with another name. */
static const char *const cases_json[] = {
    "{\"ref\":\"M-1\",\"person\":{\"name\":\"Pak Sunja\",\"sex\":\"female\",\"birth\":\"1970\","
    "\"origin\":{\"province\":\"north_hamgyong\"}},\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"K-1\",\"person\":{\"name\":\"Pak Chulsu\",\"sex\":\"male\",\"age_at_intake\":19,"
    "\"origin\":{\"province\":\"north_hamgyong\"}},\"source\":{\"date\":\"2015-04-02\"},"
    "\"journey\":[{\"place\":\"Yanji\",\"country\":\"CN\"}],"
    "\"family\":[{\"relation\":\"mother\",\"name\":\"Pak Sunja\",\"status\":\"missing\"}],"
    "\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"N-1\",\"person\":{\"name\":\"Pak Chulsu\",\"sex\":\"male\",\"birth\":\"1996\"},"
    "\"consent\":{\"tracing\":false,\"services\":true}}",
    "{\"ref\":\"O-1\",\"person\":{\"name\":\"Pak Chulsu\",\"sex\":\"male\",\"birth\":\"1962\"},"
    "\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"D-1\",\"person\":{\"name\":\"Ri Okhui\",\"sex\":\"female\",\"birth\":\"1996\"},"
    "\"consent\":{\"tracing\":true}}",
};
#define N_CASES (sizeof cases_json / sizeof cases_json[0])

static const char good_trace[] =
    "{\"ref\":\"T-1\",\"seeker\":{\"case\":\"M-1\"},\"sought\":{\"name\":\"Pak Chulsu\",\"sex\":\"male\","
    "\"age\":{\"years\":7,\"in_year\":2003},\"separation\":{\"place\":\"연길\",\"country\":\"CN\","
    "\"date\":\"2003\"},\"relation\":\"child\"},\"consent\":{\"tracing\":true}}";

static json_t *js(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (!j)
		fail_msg("bad test json: %s", e.text);
	return j;
}

static struct kith_vault *open_v(void)
{
	return fixture_vault_open(fx);
}

static int setup(void **state)
{
	(void)state;
	fx = fixture_vault_new("trace");
	struct kith_vault *v = fx->v;
	struct kith_err err;
	struct kith_vault_batch *b;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	for (size_t i = 0; i < N_CASES; i++) {
		json_t *c = js(cases_json[i]);
		if (kith_vault_put(b, "case", c, NULL, NULL, NULL, &err))
			fail_msg("put %zu: %s %s", i, err.where, err.msg);
		json_decref(c);
	}
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v);
	fx->v = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_vault_free(fx);
	fx = NULL;
	return 0;
}

/* ------------------------------------------------------------ checks */

static void check_is(const char *trace, const char *seeker_case, int status, const char *where)
{
	json_t *t = js(trace), *s = seeker_case ? js(seeker_case) : NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_trace_check(t, s, &err);
	assert_int_equal(rc, status);
	if (where)
		assert_string_equal(err.where, where);
	json_decref(t);
	json_decref(s);
}

static void test_check(void **state)
{
	(void)state;
	check_is(good_trace, cases_json[0], KITH_OK, NULL);
	/* an age that puts the birth before 1900 */
	check_is("{\"seeker\":{\"name\":\"A\"},\"sought\":{\"name\":\"B\",\"age\":{\"years\":110,"
		 "\"in_year\":2003}}}",
		 NULL, KITH_E_INVALID, "sought.age");
	/* an age in the future */
	check_is("{\"seeker\":{\"name\":\"A\"},\"sought\":{\"name\":\"B\",\"age\":{\"years\":3,"
		 "\"in_year\":2099}}}",
		 NULL, KITH_E_INVALID, "sought.age.in_year");
	/* birth and age disagree */
	check_is("{\"seeker\":{\"name\":\"A\"},\"sought\":{\"name\":\"B\",\"birth\":\"1990\","
		 "\"age\":{\"years\":7,\"in_year\":2003}}}",
		 NULL, KITH_E_INVALID, "sought.age");
	/* separated before being born */
	check_is("{\"seeker\":{\"name\":\"A\"},\"sought\":{\"name\":\"B\",\"birth\":\"2005\","
		 "\"separation\":{\"date\":\"2003\"}}}",
		 NULL, KITH_E_INVALID, "sought.separation.date");
	/* a mother who is male */
	check_is("{\"seeker\":{\"name\":\"A\"},\"sought\":{\"name\":\"B\",\"sex\":\"male\","
		 "\"relation\":\"mother\"}}",
		 NULL, KITH_E_INVALID, "sought.sex");
	/* a child born before the seeker (described seeker) */
	check_is("{\"seeker\":{\"name\":\"A\",\"birth\":\"1990\"},\"sought\":{\"name\":\"B\","
		 "\"birth\":\"1985\",\"relation\":\"child\"}}",
		 NULL, KITH_E_INVALID, "sought.relation");
	/* a mother younger than the seeker + 12, from the seeker's case */
	check_is("{\"seeker\":{\"case\":\"X\"},\"sought\":{\"name\":\"B\",\"birth\":\"1975\","
		 "\"relation\":\"mother\"}}",
		 "{\"person\":{\"name\":\"C\",\"birth\":\"1980\"}}", KITH_E_INVALID, "sought.relation");
	/* a parent exactly 12 years older is fine */
	check_is("{\"seeker\":{\"name\":\"A\",\"birth\":\"1980\"},\"sought\":{\"name\":\"B\","
		 "\"birth\":\"1992\",\"relation\":\"child\"}}",
		 NULL, KITH_OK, NULL);
}

static void test_verb_parse(void **state)
{
	(void)state;
	enum kith_trace_verb v;
	assert_int_equal(kith_trace_verb_parse("confirm", &v), KITH_OK);
	assert_int_equal(v, KITH_TRACE_CONFIRM);
	assert_int_equal(kith_trace_verb_parse("undo", &v), KITH_OK);
	assert_int_equal(v, KITH_TRACE_UNDO);
	assert_int_equal(kith_trace_verb_parse("delete", &v), KITH_E_INVALID);
	assert_int_equal(kith_trace_verb_parse(NULL, &v), KITH_E_INVALID);
}

/* ------------------------------------------------------------ matching without a vault */

static struct kith_trace_cases *prepare(void)
{
	json_t *c[N_CASES];
	for (size_t i = 0; i < N_CASES; i++)
		c[i] = js(cases_json[i]);
	struct kith_trace_cases *cs = NULL;
	struct kith_err err;
	assert_int_equal(kith_trace_cases_new(&cs, c, N_CASES, &err), KITH_OK);
	for (size_t i = 0; i < N_CASES; i++)
		json_decref(c[i]);
	return cs;
}

static const struct kith_trace_part *part_of(const struct kith_trace_candidate *c, const char *field)
{
	for (size_t i = 0; i < c->n_parts; i++)
		if (!strcmp(c->parts[i].field, field))
			return &c->parts[i];
	return NULL;
}

/* A sibling names the seeker too: a case naming her whose name agrees with the child sought only by
 * the surname has a family level of its own, weaker than "names the seeker", so the child recorded
 * under his name (without naming his mother) comes first. */
static void test_sibling_naming_the_seeker(void **state)
{
	(void)state;
	static const char *const cj[] = {
	    "{\"ref\":\"M-1\",\"person\":{\"name\":\"Pak Sunja\",\"sex\":\"female\",\"birth\":\"1970\","
	    "\"origin\":{\"province\":\"north_hamgyong\"}},\"consent\":{\"tracing\":true}}",
	    "{\"ref\":\"S-1\",\"person\":{\"name\":\"Pak Yongho\",\"sex\":\"male\",\"birth\":\"1994\","
	    "\"origin\":{\"province\":\"north_hamgyong\"}},"
	    "\"family\":[{\"relation\":\"mother\",\"name\":\"Pak Sunja\",\"status\":\"missing\"}],"
	    "\"consent\":{\"tracing\":true}}",
	    "{\"ref\":\"C-1\",\"person\":{\"name\":\"박철수\",\"sex\":\"male\",\"birth\":\"1996\"},"
	    "\"consent\":{\"tracing\":true}}",
	};
	json_t *c[3];
	for (size_t i = 0; i < 3; i++)
		c[i] = js(cj[i]);
	struct kith_trace_cases *cs = NULL;
	struct kith_err err;
	assert_int_equal(kith_trace_cases_new(&cs, c, 3, &err), KITH_OK);
	for (size_t i = 0; i < 3; i++)
		json_decref(c[i]);
	json_t *t =
	    js("{\"ref\":\"T-1\",\"seeker\":{\"case\":\"M-1\"},\"sought\":{\"name\":\"Pak Chulsu\","
	       "\"sex\":\"male\",\"birth\":\"1996\",\"relation\":\"child\"},\"consent\":{\"tracing\":true}}");
	struct kith_trace_result *r = NULL;
	assert_int_equal(kith_trace_match_body(cs, t, NULL, &r, &err), KITH_OK);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->c[0].ref, "C-1");
	assert_string_equal(r->c[1].ref, "S-1");
	const struct kith_trace_part *p = part_of(&r->c[1], "family");
	assert_string_equal(p->level, "names the seeker; only the surname agrees");
	p = part_of(&r->c[1], "name");
	assert_string_equal(p->level, "surname only");
	kith_trace_result_free(r);
	json_decref(t);
	kith_trace_cases_free(cs);
}

static void test_match_body(void **state)
{
	(void)state;
	struct kith_trace_cases *cs = prepare();
	json_t *t = js(good_trace);
	struct kith_trace_result *r = NULL;
	struct kith_err err;
	assert_int_equal(kith_trace_match_body(cs, t, NULL, &r, &err), KITH_OK);
	/* M-1 is the seeker; N-1 has no consent; O-1 is older than his mother */
	assert_int_equal(r->no_consent, 1);
	assert_int_equal(r->considered, 3);
	assert_int_equal(r->impossible, 1);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->c[0].ref, "K-1");
	assert_string_equal(r->c[1].ref, "D-1");
	assert_true(r->c[0].score > 0.9);
	assert_true(r->c[0].score > r->c[1].score);
	for (size_t i = 0; i < r->n; i++) {
		assert_string_not_equal(r->c[i].ref, "N-1");
		assert_string_not_equal(r->c[i].ref, "O-1");
		assert_string_not_equal(r->c[i].ref, "M-1");
	}
	/* the explanation: 연길 is Yanji; age 7 in 2003 agrees with 19 in 2015;
	 * the case names the seeker as its missing mother; same province */
	const struct kith_trace_part *p = part_of(&r->c[0], "separation");
	assert_non_null(p);
	assert_string_equal(p->level, "same place");
	p = part_of(&r->c[0], "birth");
	assert_string_equal(p->level, "agrees");
	p = part_of(&r->c[0], "family");
	assert_string_equal(p->level, "names the seeker");
	p = part_of(&r->c[0], "origin");
	assert_string_equal(p->level, "same province as the seeker");
	p = part_of(&r->c[1], "sex");
	assert_string_equal(p->level, "differs");
	double sum = 0;
	for (size_t i = 0; i < r->c[0].n_parts; i++)
		sum += r->c[0].parts[i].weight;
	assert_true(sum > r->c[0].weight - 1e-9 && sum < r->c[0].weight + 1e-9);
	/* JSON form */
	json_t *j = kith_trace_result_json(r);
	assert_non_null(j);
	json_t *c0 = json_array_get(json_object_get(j, "candidates"), 0);
	assert_string_equal(json_string_value(json_object_get(c0, "ref")), "K-1");
	assert_true(json_array_size(json_object_get(c0, "explanation")) >= 6);
	json_decref(j);
	kith_trace_result_free(r);

	/* limit and min_score */
	struct kith_trace_opts o = {.limit = 1};
	assert_int_equal(kith_trace_match_body(cs, t, &o, &r, &err), KITH_OK);
	assert_int_equal(r->n, 1);
	kith_trace_result_free(r);
	o = (struct kith_trace_opts){.min_score = 0.99999};
	assert_int_equal(kith_trace_match_body(cs, t, &o, &r, &err), KITH_OK);
	assert_true(r->n <= 1);
	kith_trace_result_free(r);

	/* places: the prefecture is the same region as Yanji; "Yanji City" and 延吉 are Yanji */
	static const char *const places[][2] = {{"Yanbian Korean Autonomous Prefecture", "same region"},
						{"Yanji City", "same place"},
						{"延吉", "same place"},
						{"Yanjii", "similar spelling"},
						{"Tumen", "same region"},
						{"Shenyang", "not among the case's places"}};
	for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
		json_object_set_new(json_object_get(json_object_get(t, "sought"), "separation"), "place",
				    json_string(places[i][0]));
		assert_int_equal(kith_trace_match_body(cs, t, NULL, &r, &err), KITH_OK);
		assert_string_equal(r->c[0].ref, "K-1");
		p = part_of(&r->c[0], "separation");
		if (strcmp(p->level, places[i][1]))
			fail_msg("place %zu: %s, wanted %s", i, p->level, places[i][1]);
		kith_trace_result_free(r);
	}

	/* a request without the seeker's consent is not matched */
	json_object_set_new(json_object_get(t, "consent"), "tracing", json_false());
	assert_int_equal(kith_trace_match_body(cs, t, NULL, &r, &err), KITH_E_CONSENT);
	assert_string_equal(err.where, "consent.tracing");
	json_decref(t);

	/* an unknown seeker case */
	t = js("{\"seeker\":{\"case\":\"Z-9\"},\"sought\":{\"name\":\"Pak "
	       "Chulsu\"},\"consent\":{\"tracing\":true}}");
	assert_int_equal(kith_trace_match_body(cs, t, NULL, &r, &err), KITH_E_NOTFOUND);
	assert_string_equal(err.where, "seeker.case");
	json_decref(t);

	/* a described seeker: no family or origin evidence, still finds him */
	t = js(
	    "{\"seeker\":{\"name\":\"Pak Sunja\",\"sex\":\"female\",\"birth\":\"1970\"},\"sought\":{\"name\":"
	    "\"Pak "
	    "Chulsu\",\"sex\":\"male\",\"birth\":\"1996\",\"relation\":\"child\"},\"consent\":{\"tracing\":"
	    "true}}");
	assert_int_equal(kith_trace_match_body(cs, t, NULL, &r, &err), KITH_OK);
	assert_true(r->n >= 1);
	assert_string_equal(r->c[0].ref, "K-1");
	kith_trace_result_free(r);
	json_decref(t);
	kith_trace_cases_free(cs);
}

/* ------------------------------------------------------------ the vault workflow */

static int family_names(struct kith_vault *v, const char *case_ref, const char *other)
{
	const struct kith_record_view *cv = kith_vault_find(v, "case", case_ref);
	assert_non_null(cv);
	json_t *b = kith_record_view_json(cv);
	int n = 0;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(b, "family"), i, f)
	{
		const char *c = json_string_value(json_object_get(f, "case"));
		n += c && !strcmp(c, other);
	}
	json_decref(b);
	return n;
}

static const char *trace_status(struct kith_vault *v, const char *ref, char *buf, size_t n)
{
	const struct kith_record_view *tv = kith_vault_find(v, "trace", ref);
	assert_non_null(tv);
	json_t *b = kith_record_view_json(tv);
	snprintf(buf, n, "%s", json_string_value(json_object_get(b, "status")));
	json_decref(b);
	return buf;
}

static void test_vault_workflow(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	char st[32];
	size_t bad = 99;
	/* all or nothing: the second request names an unknown case */
	json_t *t[2] = {js(good_trace), js("{\"seeker\":{\"case\":\"Z-9\"},\"sought\":{\"name\":\"X\"}}")};
	char refs[2][KITH_VAULT_REF_MAX];
	assert_int_equal(kith_trace_add(v, t, 2, refs, &bad, &err), KITH_E_NOTFOUND);
	assert_int_equal(bad, 1);
	assert_string_equal(err.where, "seeker.case");
	size_t n = 0;
	kith_vault_records(v, "trace", &n);
	assert_int_equal(n, 0);
	/* a request that identifies no one (schema) */
	json_decref(t[1]);
	t[1] = js("{\"seeker\":{\"name\":\"A\"},\"sought\":{\"relation\":\"child\"}}");
	assert_int_equal(kith_trace_add(v, t + 1, 1, NULL, &bad, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "sought");
	assert_int_equal(kith_trace_add(v, t, 1, refs, &bad, &err), KITH_OK);
	assert_string_equal(refs[0], "T-1");
	assert_string_equal(trace_status(v, "T-1", st, sizeof st), "open");
	json_decref(t[0]);
	json_decref(t[1]);

	/* list */
	json_t *list = NULL;
	assert_int_equal(kith_trace_list_json(v, NULL, &list, &err), KITH_OK);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(kith_trace_list_json(v, "confirmed", &list, &err), KITH_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	/* match: K-1 first, new */
	struct kith_trace_result *r = NULL;
	assert_int_equal(kith_trace_match(v, "T-1", NULL, &r, &err), KITH_OK);
	assert_string_equal(r->c[0].ref, "K-1");
	assert_true(r->c[0].is_new);
	assert_null(r->c[0].state);
	kith_trace_result_free(r);
	assert_int_equal(kith_trace_match(v, "T-404", NULL, &r, &err), KITH_E_NOTFOUND);

	/* --all records what it reported; a second run reports nothing new */
	json_t *all = NULL;
	assert_int_equal(kith_trace_run_all(v, NULL, 1, &all, &err), KITH_OK);
	assert_int_equal(json_integer_value(json_object_get(all, "with_new")), 1);
	json_decref(all);
	assert_int_equal(kith_trace_run_all(v, NULL, 1, &all, &err), KITH_OK);
	assert_int_equal(json_integer_value(json_object_get(all, "with_new")), 0);
	json_decref(all);
	/* a new case matching the old request is noticed */
	struct kith_vault_batch *b;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	json_t *c = js(
	    "{\"ref\":\"K-2\",\"person\":{\"name\":\"Pak Chulsu\",\"sex\":\"male\",\"birth\":\"1996\"},"
	    "\"family\":[{\"relation\":\"mother\",\"name\":\"Pak Sunja\"}],\"consent\":{\"tracing\":true}}");
	assert_int_equal(kith_vault_put(b, "case", c, NULL, NULL, NULL, &err), KITH_OK);
	json_decref(c);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	assert_int_equal(kith_trace_run_all(v, NULL, 1, &all, &err), KITH_OK);
	assert_int_equal(json_integer_value(json_object_get(all, "with_new")), 1);
	json_t *cands = json_object_get(json_array_get(json_object_get(all, "results"), 0), "candidates");
	assert_int_equal(json_array_size(cands), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(cands, 0), "ref")), "K-2");
	json_decref(all);

	/* review: consent, the seeker's own case, unknown refs */
	assert_int_equal(kith_trace_review(v, "T-1", "N-1", KITH_TRACE_CONFIRM, "tester", NULL, &err),
			 KITH_E_CONSENT);
	assert_int_equal(kith_trace_review(v, "T-1", "M-1", KITH_TRACE_CONFIRM, "tester", NULL, &err),
			 KITH_E_INVALID);
	assert_int_equal(kith_trace_review(v, "T-1", "Q-1", KITH_TRACE_CONFIRM, "tester", NULL, &err),
			 KITH_E_NOTFOUND);
	assert_string_equal(err.where, "case");
	assert_int_equal(kith_trace_review(v, "T-9", "K-1", KITH_TRACE_CONFIRM, "tester", NULL, &err),
			 KITH_E_NOTFOUND);
	assert_int_equal(kith_trace_review(v, "T-1", "K-1", KITH_TRACE_UNDO, "tester", NULL, &err),
			 KITH_E_INVALID);

	/* possible, then confirm: family links in both cases */
	assert_int_equal(kith_trace_review(v, "T-1", "K-1", KITH_TRACE_POSSIBLE, "tester", NULL, &err),
			 KITH_OK);
	assert_string_equal(trace_status(v, "T-1", st, sizeof st), "possible_match");
	assert_int_equal(
	    kith_trace_review(v, "T-1", "K-1", KITH_TRACE_CONFIRM, "tester", "met in person", &err), KITH_OK);
	assert_string_equal(trace_status(v, "T-1", st, sizeof st), "confirmed");
	assert_int_equal(family_names(v, "K-1", "M-1"), 1);
	assert_int_equal(family_names(v, "M-1", "K-1"), 1);
	/* only one confirmed candidate */
	assert_int_equal(kith_trace_review(v, "T-1", "K-2", KITH_TRACE_CONFIRM, "tester", NULL, &err),
			 KITH_E_INVALID);
	/* the match shows the review */
	assert_int_equal(kith_trace_match(v, "T-1", NULL, &r, &err), KITH_OK);
	assert_string_equal(r->c[0].state, "confirmed");
	kith_trace_result_free(r);

	/* undo the confirmation: the links go, the history stays */
	assert_int_equal(kith_trace_review(v, "T-1", "K-1", KITH_TRACE_UNDO, "tester", "wrong person", &err),
			 KITH_OK);
	assert_string_equal(trace_status(v, "T-1", st, sizeof st), "open");
	assert_int_equal(family_names(v, "K-1", "M-1"), 0);
	assert_int_equal(family_names(v, "M-1", "K-1"), 0);
	const struct kith_record_view *kv = kith_vault_find(v, "case", "K-1");
	struct kith_record_view *h = NULL;
	size_t nh = 0;
	assert_int_equal(kith_vault_history(v, kv->id, &h, &nh, &err), KITH_OK);
	assert_int_equal(nh, 3);
	assert_string_equal(h[1].action, "trace-confirm");
	assert_string_equal(h[2].action, "trace-undo");
	assert_non_null(strstr(h[1].note, "T-1"));
	kith_vault_history_free(h, nh);

	/* reject: left out of the match unless asked for */
	assert_int_equal(kith_trace_review(v, "T-1", "K-2", KITH_TRACE_REJECT, "tester", NULL, &err),
			 KITH_OK);
	assert_int_equal(kith_trace_match(v, "T-1", NULL, &r, &err), KITH_OK);
	for (size_t i = 0; i < r->n; i++)
		assert_string_not_equal(r->c[i].ref, "K-2");
	kith_trace_result_free(r);
	struct kith_trace_opts o = {.include_rejected = 1};
	assert_int_equal(kith_trace_match(v, "T-1", &o, &r, &err), KITH_OK);
	int seen = 0;
	for (size_t i = 0; i < r->n; i++)
		seen |= !strcmp(r->c[i].ref, "K-2") && r->c[i].state && !strcmp(r->c[i].state, "rejected");
	assert_true(seen);
	kith_trace_result_free(r);
	assert_int_equal(kith_trace_review(v, "T-1", "K-2", KITH_TRACE_REJECT, "tester", NULL, &err),
			 KITH_E_INVALID);

	/* a closed request refuses reviews and is not re-run; reopening restores its status */
	assert_int_equal(kith_trace_review(v, "T-1", "K-1", KITH_TRACE_POSSIBLE, "tester", NULL, &err),
			 KITH_OK);
	assert_int_equal(kith_trace_close(v, "T-1", 0, "tester", "found elsewhere", &err), KITH_OK);
	assert_string_equal(trace_status(v, "T-1", st, sizeof st), "closed");
	assert_int_equal(kith_trace_close(v, "T-1", 0, "tester", NULL, &err), KITH_E_INVALID);
	assert_int_equal(kith_trace_review(v, "T-1", "K-1", KITH_TRACE_UNDO, "tester", NULL, &err),
			 KITH_E_INVALID);
	assert_int_equal(kith_trace_run_all(v, NULL, 0, &all, &err), KITH_OK);
	assert_int_equal(json_integer_value(json_object_get(all, "requests")), 0);
	json_decref(all);
	assert_int_equal(kith_trace_close(v, "T-1", 1, "tester", NULL, &err), KITH_OK);
	assert_string_equal(trace_status(v, "T-1", st, sizeof st), "possible_match");
	assert_int_equal(kith_trace_close(v, "T-1", 1, "tester", NULL, &err), KITH_E_INVALID);
	assert_int_equal(kith_trace_close(v, "T-404", 0, "tester", NULL, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_trace_review(v, "T-1", "K-1", KITH_TRACE_UNDO, "tester", NULL, &err), KITH_OK);

	/* everything survives closing and opening the vault */
	kith_vault_close(v);
	v = open_v();
	assert_string_equal(trace_status(v, "T-1", st, sizeof st), "open");
	kith_vault_close(v);
}

/* A described seeker: the found case gets a note with the request's ref. */
static void test_described_seeker(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	json_t *t =
	    js("{\"ref\":\"T-2\",\"seeker\":{\"name\":\"Ri Okhui\",\"sex\":\"female\"},\"sought\":{\"name\":"
	       "\"Pak Sunja\",\"sex\":\"female\",\"relation\":\"mother\"},\"consent\":{\"tracing\":true}}");
	assert_int_equal(kith_trace_add(v, &t, 1, NULL, NULL, &err), KITH_OK);
	json_decref(t);
	assert_int_equal(kith_trace_review(v, "T-2", "M-1", KITH_TRACE_CONFIRM, NULL, NULL, &err), KITH_OK);
	const struct kith_record_view *mv = kith_vault_find(v, "case", "M-1");
	json_t *b = kith_record_view_json(mv);
	json_t *fam = json_object_get(b, "family");
	int found = 0;
	size_t i;
	json_t *f;
	json_array_foreach(fam, i, f)
	{
		const char *notes = json_string_value(json_object_get(f, "notes"));
		found |= notes && strstr(notes, "T-2") &&
			 !strcmp(json_string_value(json_object_get(f, "relation")), "child");
	}
	assert_true(found);
	json_decref(b);
	assert_int_equal(kith_trace_review(v, "T-2", "M-1", KITH_TRACE_UNDO, NULL, NULL, &err), KITH_OK);
	b = kith_record_view_json(kith_vault_find(v, "case", "M-1"));
	assert_null(json_object_get(b, "family"));
	json_decref(b);
	kith_vault_close(v);
}

/* ------------------------------------------------------------ held-out findings (issue 13, point 6) */

/* A second small world: the seeker S-1 (born 1972, North Hamgyong) lost her son in 2003. */
static const char *const held_json[] = {
    "{\"ref\":\"S-1\",\"person\":{\"name\":\"Kang Yongsuk\",\"sex\":\"female\",\"birth\":\"1972\","
    "\"origin\":{\"province\":\"north_hamgyong\"}},\"consent\":{\"tracing\":true}}",
    /* born the year after the separation year: possible (a year late by the birth field's tolerance) */
    "{\"ref\":\"Y-1\",\"person\":{\"name\":\"Kang Myongho\",\"sex\":\"male\",\"birth\":\"2004\"},"
    "\"consent\":{\"tracing\":true}}",
    /* born two years after: impossible */
    "{\"ref\":\"Y-2\",\"person\":{\"name\":\"Kang Myongho\",\"sex\":\"male\",\"birth\":\"2005\"},"
    "\"consent\":{\"tracing\":true}}",
    /* the given name alone */
    "{\"ref\":\"G-1\",\"person\":{\"name\":\"Myong-ho\",\"sex\":\"male\",\"birth\":\"2000\"},"
    "\"consent\":{\"tracing\":true}}",
    /* origins that say nothing */
    "{\"ref\":\"U-1\",\"person\":{\"name\":\"Ri Sangchol\",\"sex\":\"male\",\"birth\":\"2000\","
    "\"origin\":{\"province\":\"unknown\"}},\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"U-2\",\"person\":{\"name\":\"Ri Sangchol\",\"sex\":\"male\",\"birth\":\"2000\","
    "\"origin\":{\"province\":\"other\"}},\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"U-3\",\"person\":{\"name\":\"Ri Sangchol\",\"sex\":\"male\",\"birth\":\"2000\","
    "\"origin\":{\"province\":\"chagang\"}},\"consent\":{\"tracing\":true}}",
    /* a common name: four cases are 김영철 */
    "{\"ref\":\"C-1\",\"person\":{\"name\":\"김영철\",\"sex\":\"male\",\"birth\":\"2000\"},"
    "\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"C-2\",\"person\":{\"name\":\"Kim Yong-chol\",\"sex\":\"male\",\"birth\":\"1999\"},"
    "\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"C-3\",\"person\":{\"name\":\"KIM YONG CHOL\",\"sex\":\"male\"},"
    "\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"C-4\",\"person\":{\"name\":\"김영철\",\"sex\":\"male\",\"birth\":\"1998\"},"
    "\"consent\":{\"tracing\":true}}",
};
#define N_HELD (sizeof held_json / sizeof held_json[0])

static struct kith_trace_result *held_match(const char *sought)
{
	json_t *c[N_HELD];
	for (size_t i = 0; i < N_HELD; i++)
		c[i] = js(held_json[i]);
	struct kith_trace_cases *cs = NULL;
	struct kith_err err;
	assert_int_equal(kith_trace_cases_new(&cs, c, N_HELD, &err), KITH_OK);
	for (size_t i = 0; i < N_HELD; i++)
		json_decref(c[i]);
	char buf[1024];
	snprintf(buf, sizeof buf,
		 "{\"ref\":\"T-H\",\"seeker\":{\"case\":\"S-1\"},\"sought\":{%s,\"sex\":\"male\","
		 "\"separation\":{\"place\":\"Yanji\",\"country\":\"CN\",\"date\":\"2003\"},"
		 "\"relation\":\"child\"},\"consent\":{\"tracing\":true}}",
		 sought);
	json_t *t = js(buf);
	struct kith_trace_result *r = NULL;
	struct kith_trace_opts o = {.limit = 100};
	assert_int_equal(kith_trace_match_body(cs, t, &o, &r, &err), KITH_OK);
	json_decref(t);
	kith_trace_cases_free(cs);
	return r;
}

static const struct kith_trace_candidate *cand(const struct kith_trace_result *r, const char *ref)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->c[i].ref, ref))
			return &r->c[i];
	return NULL;
}

/* A birth year one after the separation year is possible, two after is not. */
static void test_born_year_after_separation(void **state)
{
	(void)state;
	struct kith_trace_result *r = held_match("\"name\":\"강명호\"");
	assert_non_null(cand(r, "Y-1"));
	assert_null(cand(r, "Y-2"));
	assert_int_equal(r->impossible, 1);
	kith_trace_result_free(r);
}

/* A given name alone that is the person's given name is not "different". */
static void test_given_name_alone(void **state)
{
	(void)state;
	struct kith_trace_result *r = held_match("\"name\":\"강명호\"");
	const struct kith_trace_candidate *g = cand(r, "G-1");
	assert_non_null(g);
	const struct kith_trace_part *p = part_of(g, "name");
	assert_string_equal(p->level, "given name");
	assert_true(p->weight > 0);
	/* and it ranks above the cases with another name */
	const struct kith_trace_candidate *u = cand(r, "U-3");
	assert_non_null(u);
	assert_true(g->weight > u->weight);
	kith_trace_result_free(r);
	/* the other way round: the request gives the given name alone */
	r = held_match("\"name\":\"명호\"");
	g = cand(r, "Y-1");
	assert_non_null(g);
	assert_string_equal(part_of(g, "name")->level, "given name");
	assert_string_not_equal(part_of(cand(r, "U-3"), "name")->level, "given name");
	kith_trace_result_free(r);
}

/* An origin "unknown" or "other" is missing information, not another province. */
static void test_origin_unknown_is_missing(void **state)
{
	(void)state;
	struct kith_trace_result *r = held_match("\"name\":\"리상철\"");
	assert_string_equal(part_of(cand(r, "U-1"), "origin")->level, "missing");
	assert_string_equal(part_of(cand(r, "U-2"), "origin")->level, "missing");
	assert_true(part_of(cand(r, "U-1"), "origin")->weight == 0);
	assert_string_equal(part_of(cand(r, "U-3"), "origin")->level, "another province");
	assert_true(cand(r, "U-1")->weight > cand(r, "U-3")->weight);
	kith_trace_result_free(r);
}

/* The weight of "same name" depends on how common the name is. */
static void test_same_name_weight_by_frequency(void **state)
{
	(void)state;
	struct kith_trace_result *r = held_match("\"name\":\"김영철\"");
	const struct kith_trace_part *common = part_of(cand(r, "C-1"), "name");
	assert_string_equal(common->level, "same");
	kith_trace_result_free(r);
	r = held_match("\"name\":\"리상철\"");
	/* three cases hold 리상철, four 김영철 */
	const struct kith_trace_part *three = part_of(cand(r, "U-1"), "name");
	assert_string_equal(three->level, "same");
	kith_trace_result_free(r);
	r = held_match("\"name\":\"강명호\"");
	const struct kith_trace_part *one = part_of(cand(r, "Y-1"), "name");
	assert_string_equal(one->level, "same");
	double w1 = one->weight;
	kith_trace_result_free(r);
	r = held_match("\"name\":\"김영철\"");
	double w4 = part_of(cand(r, "C-1"), "name")->weight;
	kith_trace_result_free(r);
	r = held_match("\"name\":\"리상철\"");
	double w3 = part_of(cand(r, "U-1"), "name")->weight;
	kith_trace_result_free(r);
	assert_true(w1 > w3);
	assert_true(w3 > w4);
	assert_true(fabs(w1 - w4 - 2.0) < 1e-9); /* log2 of four holders */
}

/* kith trace --all --min-score 0 means 0, as match does. */
static void test_run_all_min_score_zero(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	json_t *t = js("{\"ref\":\"T-Z\",\"seeker\":{\"case\":\"M-1\"},\"sought\":{\"name\":\"Pak Chulsu\","
		       "\"sex\":\"male\",\"age\":{\"years\":7,\"in_year\":2003},\"relation\":\"child\"},"
		       "\"consent\":{\"tracing\":true}}");
	assert_int_equal(kith_trace_add(v, &t, 1, NULL, NULL, &err), KITH_OK);
	json_decref(t);
	size_t counts[2];
	for (int set = 0; set < 2; set++) {
		struct kith_trace_opts o = {.min_score = 0, .min_score_set = set};
		json_t *out = NULL;
		assert_int_equal(kith_trace_run_all(v, &o, 0, &out, &err), KITH_OK);
		counts[set] = 0;
		size_t i;
		json_t *res;
		json_array_foreach(json_object_get(out, "results"), i, res)
		{
			if (strcmp(json_string_value(json_object_get(res, "ref")), "T-Z"))
				continue;
			counts[set] = json_array_size(json_object_get(res, "candidates"));
			size_t k;
			json_t *c;
			json_array_foreach(json_object_get(res, "candidates"), k, c)
			{
				if (!set)
					assert_true(json_real_value(json_object_get(c, "score")) >= 0.5);
			}
		}
		json_decref(out);
	}
	assert_true(counts[1] > counts[0]); /* D-1, a girl with another name, scores below 0.5 */
	kith_vault_close(v);
}

/* Weights learn from reviewers' confirmations as they accumulate: after five
 * requests confirmed K-1 (whose birth agrees with each), the weight of a
 * birth that agrees is no longer the default one. */
static void test_weights_learn_from_reviews(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	struct kith_trace_weights dw;
	kith_trace_weights_default(&dw);
	struct kith_trace_result *r = NULL;
	assert_int_equal(kith_trace_match(v, "T-Z", NULL, &r, &err), KITH_OK);
	const struct kith_trace_candidate *k = cand(r, "K-1");
	assert_non_null(k);
	double before = part_of(k, "birth")->weight;
	assert_true(fabs(before - dw.w[KITH_TL_BIRTH_AGREE]) < 1e-9);
	kith_trace_result_free(r);
	for (int i = 0; i < 5; i++) {
		char buf[512], ref[16];
		snprintf(ref, sizeof ref, "T-L%d", i);
		snprintf(buf, sizeof buf,
			 "{\"ref\":\"%s\",\"seeker\":{\"case\":\"M-1\"},\"sought\":{\"name\":\"Pak Chulsu\","
			 "\"sex\":\"male\",\"age\":{\"years\":7,\"in_year\":2003},\"relation\":\"child\"},"
			 "\"consent\":{\"tracing\":true}}",
			 ref);
		json_t *t = js(buf);
		assert_int_equal(kith_trace_add(v, &t, 1, NULL, NULL, &err), KITH_OK);
		json_decref(t);
		assert_int_equal(kith_trace_review(v, ref, "K-1", KITH_TRACE_CONFIRM, NULL, NULL, &err),
				 KITH_OK);
	}
	assert_int_equal(kith_trace_match(v, "T-Z", NULL, &r, &err), KITH_OK);
	k = cand(r, "K-1");
	assert_non_null(k);
	double after = part_of(k, "birth")->weight;
	print_message("birth agrees: %.3f before, %.3f after five confirmations\n", before, after);
	assert_true(fabs(after - before) > 1e-3);
	kith_trace_result_free(r);
	for (int i = 0; i < 5; i++) {
		char ref[16];
		snprintf(ref, sizeof ref, "T-L%d", i);
		assert_int_equal(kith_trace_review(v, ref, "K-1", KITH_TRACE_UNDO, NULL, NULL, &err),
				 KITH_OK);
	}
	kith_vault_close(v);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_verb_parse),
	    cmocka_unit_test(test_match_body),
	    cmocka_unit_test(test_sibling_naming_the_seeker),
	    cmocka_unit_test(test_vault_workflow),
	    cmocka_unit_test(test_described_seeker),
	    cmocka_unit_test(test_born_year_after_separation),
	    cmocka_unit_test(test_given_name_alone),
	    cmocka_unit_test(test_origin_unknown_is_missing),
	    cmocka_unit_test(test_same_name_weight_by_frequency),
	    cmocka_unit_test(test_run_all_min_score_zero),
	    cmocka_unit_test(test_weights_learn_from_reviews),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
