/*
 * test_core_record — the record schema: every field's type error (walked from
 * the schema JSON itself, so a field added to the table is tested at once),
 * every vocabulary value, dates, unknown fields, error paths, the rules that
 * span fields, canonical form, consent, look-ups, and out-of-memory paths.
 * All people in here are invented.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record/record.h"

/* A case that uses every field, with one item in every list of groups (two in
 * family: a described relative and another case). */
static const char *full_case =
    "{\"ref\":\"SEO-2023-0042\","
    "\"person\":{\"name\":\"리춘화\",\"other_names\":[\"Ri Chun-hwa\",\"Lee Chunhwa\",\"李春花\"],"
    "\"sex\":\"female\",\"birth\":\"1994-03\",\"age_at_intake\":28,"
    "\"origin\":{\"province\":\"north_hamgyong\",\"place\":\"Hoeryong\"},"
    "\"languages\":[\"ko\",\"zh\"],\"citizenship\":\"DPRK\"},"
    "\"journey\":[{\"leg\":\"recruitment\",\"place\":\"Hoeryong\",\"country\":\"KP\",\"region\":\"North "
    "Hamgyong\","
    "\"date\":\"2015\",\"status\":\"in_transit\"},"
    "{\"leg\":\"exploitation\",\"place\":\"a village near Yanji\",\"country\":\"CN\",\"region\":\"Jilin\","
    "\"date\":\"2015-06\",\"status\":\"exploited\"}],"
    "\"incidents\":[{\"type\":\"forced_marriage\",\"exploitation\":[\"forced_marriage\",\"forced_labour\"],"
    "\"date\":\"2015-06-14\",\"place\":\"Yanji\",\"country\":\"CN\","
    "\"perpetrators\":[{\"role\":\"broker\",\"relation\":\"none\"},{\"role\":\"bought\",\"relation\":"
    "\"intimate_partner\"}],"
    "\"means\":[\"debt_bondage\",\"restricts_movement\",\"withholds_documents\",\"threat_of_law_"
    "enforcement\"],"
    "\"recruitment\":\"job_offer\",\"labour\":\"agriculture\",\"sexual_exploitation\":[\"remote_"
    "interactive\"],"
    "\"apps\":[\"wechat\"],\"flags\":[\"money_exchanged\",\"abduction_trafficking\"],"
    "\"displacement\":\"during_refuge\",\"description\":\"Sold to a farmer.\\nKept for three years.\"}],"
    "\"needs\":[\"shelter\",\"medical\",\"family_tracing\"],"
    "\"services\":[{\"type\":\"shelter\",\"date\":\"2023-01-05\",\"provider\":\"Safe House "
    "B\",\"status\":\"provided\"}],"
    "\"family\":[{\"relation\":\"child\",\"name\":\"김영수\",\"other_names\":[\"Kim "
    "Yong-su\"],\"sex\":\"male\","
    "\"birth\":\"2016\",\"notes\":\"left with the father's family\",\"status\":\"missing\"},"
    "{\"relation\":\"sibling\",\"case\":\"SEO-2021-0007\",\"status\":\"found\"}],"
    "\"consent\":{\"services\":true,\"reporting\":true,\"tracing\":true,\"sharing\":false,\"given_by\":"
    "\"self\","
    "\"date\":\"2023-01-04\"},"
    "\"source\":{\"organization\":\"Example Shelter\",\"interviewer\":\"staff 3\",\"date\":\"2023-01-04\"},"
    "\"status\":\"active\",\"assigned\":\"Caseworker Han\",\"follow_up\":\"2026-03-01\","
    "\"referrals\":[{\"date\":\"2026-03-02\",\"partner\":\"Seoul Shelter\",\"fields\":[\"needs\"],"
    "\"by\":\"Han\"}],\"narrative\":\"An invented testimony.\\n\\tSecond "
    "paragraph.\",\"notes\":\"none\"}";

static const char *full_trace =
    "{\"ref\":\"TR-7\",\"seeker\":{\"name\":\"박순이\",\"other_names\":[\"Pak Sun-i\"],\"sex\":\"female\","
    "\"birth\":\"1970\",\"contact\":\"through the shelter\",\"notes\":\"x\"},"
    "\"sought\":{\"name\":\"박명철\",\"other_names\":[\"Pak "
    "Myong-chol\"],\"sex\":\"male\",\"birth\":\"1998\","
    "\"age\":{\"years\":12,\"in_year\":2010},\"separation\":{\"place\":\"Musan\",\"country\":\"KP\",\"date\":"
    "\"2010-11\"},"
    "\"relation\":\"child\",\"details\":\"scar on the left hand\"},"
    "\"status\":\"open\",\"consent\":{\"tracing\":true,\"given_by\":\"self\",\"date\":\"2022-05-01\"},"
    "\"candidates\":[{\"case\":\"SEO-2023-0042\",\"state\":\"possible\",\"score\":0.61}]}";

static const char *full_link =
    "{\"cases\":[\"0123456789abcdef0123456789abcdef\",\"fedcba9876543210fedcba9876543210\"],"
    "\"status\":\"confirmed\",\"score\":0.93,\"method\":\"linkage\",\"reviewer\":\"analyst "
    "1\",\"reason\":\"same birth and origin\"}";

static const char *full_device =
    "{\"ref\":\"yanji-1\",\"sign_pk\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\","
    "\"box_pk\":\"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\","
    "\"vault\":\"0123456789abcdef0123456789abcdef\",\"added\":1765000000,\"revoked_at\":1765100000,"
    "\"revocation\":\"00\"}";
static const char *full_attachment =
    "{\"case\":[\"0123456789abcdef0123456789abcdef\"],\"name\":\"scan.jpg\",\"type\":\"image/jpeg\","
    "\"size\":1234,\"blob\":\"00112233445566778899aabbccddeeff\",\"key\":\"00\",\"stripped\":true,"
    "\"removed\":false,\"note\":\"consent form\"}";

static json_t *load(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		fail_msg("test JSON does not parse: %s at %d", e.text, e.position);
	return j;
}

static const char *full_draft = "{\"form\":\"#/new\",\"title\":\"New case\",\"data\":\"{}\",\"open\":true}";
static const char *full_keybackup = "{\"at\":1700000000,\"method\":\"file\"}";
static const char *full_export =
    "{\"at\":1700000000,\"format\":\"sheet\",\"lang\":\"ko\",\"consent\":\"sharing\","
    "\"cases\":3,\"left_out\":1,\"attachments\":2,\"by\":\"worker\"}";
static const char *full_person =
    "{\"name\":\"김 선생\",\"role\":\"reviewer\",\"pid\":\"0123456789abcdef0123456789abcdef\","
    "\"slot\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"main\":false,"
    "\"added\":1765000000,\"removed\":true,\"removed_at\":1765100000}";
static const char *full_view =
    "{\"case\":[\"0123456789abcdef0123456789abcdef\"],\"person\":\"0123456789abcdef0123456789abcdef\","
    "\"what\":\"show\",\"at\":1765000000}";

static const char *base_of(const char *kind)
{
	if (strcmp(kind, "device") == 0)
		return full_device;
	return strcmp(kind, "case") == 0	 ? full_case
	       : strcmp(kind, "trace") == 0	 ? full_trace
	       : strcmp(kind, "attachment") == 0 ? full_attachment
	       : strcmp(kind, "draft") == 0	 ? full_draft
	       : strcmp(kind, "keybackup") == 0	 ? full_keybackup
	       : strcmp(kind, "export") == 0	 ? full_export
	       : strcmp(kind, "person") == 0	 ? full_person
	       : strcmp(kind, "view") == 0	 ? full_view
						 : full_link;
}

static void expect_invalid(const char *kind, json_t *body, const char *where)
{
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_record_validate(kind, body, &err);
	if (rc != KITH_E_INVALID || strcmp(err.where, where) != 0)
		fail_msg("%s: expected invalid at '%s', got %d at '%s' (%s)", kind, where, rc, err.where,
			 err.msg);
	assert_int_equal(err.status, KITH_E_INVALID);
	assert_true(err.msg[0] != '\0');
}

static void expect_valid(const char *kind, json_t *body)
{
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_record_validate(kind, body, &err);
	if (rc != KITH_OK)
		fail_msg("%s: expected valid, got %d at '%s': %s", kind, rc, err.where, err.msg);
}

/* Navigates a path like "incidents[0].perpetrators[0].role" to the parent
 * object and the last key. Creates missing objects (never lists). */
static json_t *parent_of(json_t *body, const char *path, char *key, size_t keysz)
{
	json_t *cur = body;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	char *save = NULL;
	char *tok = strtok_r(buf, ".", &save);
	while (tok) {
		char *next = strtok_r(NULL, ".", &save);
		char *br = strchr(tok, '[');
		size_t idx = 0;
		if (br) {
			idx = (size_t)strtoul(br + 1, NULL, 10);
			*br = '\0';
		}
		if (!next && !br) {
			snprintf(key, keysz, "%s", tok);
			return cur;
		}
		json_t *child = json_object_get(cur, tok);
		if (!child) {
			assert_null(br);
			child = json_object();
			json_object_set_new(cur, tok, child);
		}
		if (br) {
			child = json_array_get(child, idx);
			assert_non_null(child);
		}
		cur = child;
		tok = next;
	}
	fail_msg("bad path %s", path);
	return NULL;
}

static void set_path(json_t *body, const char *path, json_t *v)
{
	char key[64];
	json_t *parent = parent_of(body, path, key, sizeof key);
	assert_int_equal(json_object_set_new(parent, key, v), 0);
}

/* full_case with `path` set to v (consumed) is refused, at path. */
static void case_refuses(const char *path, json_t *v)
{
	json_t *b = load(full_case);
	set_path(b, path, v);
	expect_invalid("case", b, path);
	json_decref(b);
}

/* A value of the wrong type for a schema type. */
static json_t *wrong_for(const char *type)
{
	if (strcmp(type, "int") == 0 || strcmp(type, "number") == 0 || strcmp(type, "bool") == 0)
		return json_string("1");
	if (strcmp(type, "group") == 0)
		return json_array();
	if (strcmp(type, "string_list") == 0 || strcmp(type, "enum_list") == 0 ||
	    strcmp(type, "list_of_groups") == 0 || strcmp(type, "id_list") == 0)
		return json_object();
	return json_integer(7); /* string, text, date, enum, ref */
}

/* A wrong *value* of the right type (outside the vocabulary, the range, the
 * form), or NULL when the type has none. */
static json_t *bad_value_for(const char *type, const json_t *field)
{
	if (strcmp(type, "enum") == 0)
		return json_string("not_a_value");
	if (strcmp(type, "enum_list") == 0)
		return json_pack("[s]", "not_a_value");
	if (strcmp(type, "date") == 0)
		return json_string("2019-02-29");
	if (strcmp(type, "ref") == 0)
		return json_string("bad ref");
	if (strcmp(type, "int") == 0)
		return json_integer(json_integer_value(json_object_get(field, "max")) + 1);
	if (strcmp(type, "number") == 0)
		return json_real(1.5);
	if (strcmp(type, "string") == 0 || strcmp(type, "text") == 0)
		return json_string("");
	return NULL;
}

struct walk {
	const char *kind;
	int fields, values;
};

static void walk_fields(struct walk *w, const json_t *fields, const char *prefix)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *type = json_string_value(json_object_get(f, "type"));
		char path[256];
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", name);
		assert_non_null(json_object_get(json_object_get(f, "label"), "en"));
		assert_non_null(json_object_get(json_object_get(f, "label"), "ko"));

		/* the wrong type */
		json_t *body = load(base_of(w->kind));
		set_path(body, path, wrong_for(type));
		expect_invalid(w->kind, body, path);
		json_decref(body);

		/* a wrong value of the right type */
		json_t *bad = bad_value_for(type, f);
		if (bad) {
			body = load(base_of(w->kind));
			set_path(body, path, bad);
			char want[300];
			snprintf(want, sizeof want, "%s%s", path,
				 strcmp(type, "enum_list") == 0 ? "[0]" : "");
			expect_invalid(w->kind, body, want);
			json_decref(body);
		}

		/* every vocabulary value is accepted */
		const json_t *values = json_object_get(f, "values");
		size_t k;
		json_t *val;
		json_array_foreach(values, k, val)
		{
			const char *id = json_string_value(json_object_get(val, "id"));
			assert_non_null(id);
			assert_true(strlen(json_string_value(json_object_get(val, "en"))) > 0);
			assert_true(strlen(json_string_value(json_object_get(val, "ko"))) > 0);
			body = load(base_of(w->kind));
			set_path(body, path,
				 strcmp(type, "enum") == 0 ? json_string(id) : json_pack("[s]", id));
			expect_valid(w->kind, body);
			json_decref(body);
			w->values++;
		}

		const json_t *sub = json_object_get(f, "fields");
		if (sub) {
			char sp[260];
			snprintf(sp, sizeof sp, "%s%s", path,
				 strcmp(type, "list_of_groups") == 0 ? "[0]" : "");
			walk_fields(w, sub, sp);
		}
		w->fields++;
	}
}

static void test_full_bodies_valid(void **state)
{
	(void)state;
	const char *kinds[] = {"case", "trace", "link"};
	for (size_t i = 0; i < 3; i++) {
		json_t *b = load(base_of(kinds[i]));
		expect_valid(kinds[i], b);
		json_decref(b);
	}
	json_t *minimal = load("{\"person\":{\"name\":\"Kang\"}}");
	expect_valid("case", minimal);
	json_decref(minimal);
}

static void test_every_field_from_schema(void **state)
{
	(void)state;
	json_t *schema = kith_record_schema_json();
	assert_non_null(schema);
	size_t i;
	json_t *k;
	int total_fields = 0, total_values = 0;
	json_array_foreach(json_object_get(schema, "kinds"), i, k)
	{
		struct walk w = {json_string_value(json_object_get(k, "kind")), 0, 0};
		walk_fields(&w, json_object_get(k, "fields"), "");
		assert_true(w.fields > 0);
		total_fields += w.fields;
		total_values += w.values;
	}
	print_message("schema walk: %d fields, %d vocabulary values\n", total_fields, total_values);
	/* case alone has more than 60 fields; the vocabularies more than 200 values */
	assert_true(total_fields > 80);
	assert_true(total_values > 200);
	json_decref(schema);
}

static void test_unknown_kind_and_not_object(void **state)
{
	(void)state;
	struct kith_err err;
	json_t *b = load(full_case);
	assert_int_equal(kith_record_validate("nosuchkind", b, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "kind");
	assert_int_equal(kith_record_validate(NULL, b, &err), KITH_E_INVALID);
	json_decref(b);
	json_t *arr = json_array();
	assert_int_equal(kith_record_validate("case", arr, &err), KITH_E_INVALID);
	assert_int_equal(kith_record_validate("case", NULL, NULL), KITH_E_INVALID);
	json_decref(arr);
	assert_true(kith_record_kind_valid("case") && kith_record_kind_valid("link") &&
		    kith_record_kind_valid("trace"));
	assert_false(kith_record_kind_valid("cases"));
	assert_true(kith_record_kind_has_ref("case"));
	assert_true(kith_record_kind_has_ref("trace"));
	assert_false(kith_record_kind_has_ref("link"));
	assert_false(kith_record_kind_has_ref("nope"));
	assert_false(kith_record_kind_has_ref(NULL));
}

static void test_unknown_fields(void **state)
{
	(void)state;
	struct {
		const char *path;
		const char *where;
	} t[] = {
	    {"nickname", "nickname"},
	    {"person.nickname", "person.nickname"},
	    {"person.origin.county", "person.origin.county"},
	    {"journey[1].vehicle", "journey[1].vehicle"},
	    {"incidents[0].perpetrators[1].name", "incidents[0].perpetrators[1].name"},
	    {"family[1].phone", "family[1].phone"},
	    {"consent.medical", "consent.medical"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		json_t *b = load(full_case);
		set_path(b, t[i].path, json_true());
		expect_invalid("case", b, t[i].where);
		json_decref(b);
	}
	/* a key that is not a plain name is not echoed */
	json_t *b = load(full_case);
	json_object_set_new(json_object_get(b, "person"), "이름\n", json_true());
	expect_invalid("case", b, "person.?");
	json_decref(b);
}

static void test_nested_paths(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	json_array_set_new(json_object_get(json_array_get(json_object_get(b, "incidents"), 0), "means"), 3,
			   json_string("blackmail"));
	expect_invalid("case", b, "incidents[0].means[3]");
	json_decref(b);

	case_refuses("journey[1].date", json_string("2015-13"));

	b = load(full_case);
	json_array_append_new(json_object_get(b, "journey"), json_pack("{s:s}", "date", "2016-02-30"));
	expect_invalid("case", b, "journey[2].date");
	json_decref(b);

	case_refuses("incidents[0].perpetrators[1].relation", json_string("uncle"));

	b = load(full_case);
	json_array_set_new(json_object_get(json_object_get(b, "person"), "other_names"), 2, json_integer(3));
	expect_invalid("case", b, "person.other_names[2]");
	json_decref(b);

	/* a list item that is not an object */
	b = load(full_case);
	json_array_append_new(json_object_get(b, "services"), json_string("shelter"));
	expect_invalid("case", b, "services[1]");
	json_decref(b);
}

static void test_required(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	json_object_del(b, "person");
	expect_invalid("case", b, "person");
	json_decref(b);

	b = load(full_case);
	json_object_del(json_object_get(b, "person"), "name");
	expect_invalid("case", b, "person.name");
	json_decref(b);

	case_refuses("person.name", json_string("  \t "));

	b = load(full_case);
	json_object_del(json_array_get(json_object_get(b, "services"), 0), "type");
	expect_invalid("case", b, "services[0].type");
	json_decref(b);

	const char *link_req[] = {"cases", "status", "method"};
	for (size_t i = 0; i < 3; i++) {
		b = load(full_link);
		json_object_del(b, link_req[i]);
		expect_invalid("link", b, link_req[i]);
		json_decref(b);
	}
	b = load(full_link);
	json_object_del(b, "score");
	json_object_del(b, "reviewer");
	json_object_del(b, "reason");
	expect_valid("link", b);
	json_decref(b);
}

static void test_dates(void **state)
{
	(void)state;
	struct {
		const char *s;
		int prec;
	} t[] = {
	    {"1994", 1},	{"1994-03", 2},	    {"1994-03-31", 3},	{"2000-02-29", 3},
	    {"2024-02-29", 3},	{"1900", 1},	    {"2100-12-31", 3},	{"1900-01-01", 3},
	    {"1899", -1},	{"2101", -1},	    {"1999-02-29", -1}, {"1900-02-29", -1},
	    {"2023-04-31", -1}, {"2023-13", -1},    {"2023-00", -1},	{"2023-01-00", -1},
	    {"2023-1-01", -1},	{"23-01-01", -1},   {"2023/01/01", -1}, {"2023-01-01T00:00", -1},
	    {"", -1},		{"abcd", -1},	    {"2023-", -1},	{"２０２３", -1},
	    {"-123", -1},	{"2023-06-1x", -1},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int y = -1, m = -1, d = -1;
		int p = kith_record_date_parse(t[i].s, strlen(t[i].s), &y, &m, &d);
		if (t[i].prec < 0) {
			if (p != KITH_E_INVALID)
				fail_msg("date '%s' accepted", t[i].s);
			assert_int_equal(y, -1);
		} else {
			if (p != t[i].prec)
				fail_msg("date '%s': precision %d", t[i].s, p);
		}
		json_t *b = load(full_case);
		set_path(b, "person.birth", json_string(t[i].s));
		if (t[i].prec < 0)
			expect_invalid("case", b, "person.birth");
		else
			expect_valid("case", b);
		json_decref(b);
	}
	int y, m, d;
	assert_int_equal(kith_record_date_parse("2019-07", 7, &y, &m, &d), 2);
	assert_int_equal(y, 2019);
	assert_int_equal(m, 7);
	assert_int_equal(d, 0);
	assert_int_equal(kith_record_date_parse(NULL, 4, NULL, NULL, NULL), KITH_E_INVALID);
}

static void test_strings(void **state)
{
	(void)state;
	json_t *b;
	/* control characters: none in short strings; \n and \t in free text */
	const char *bad_name[] = {"Kim\nMi", "Kim\tMi", "Kim\rMi", "a\x1b[31m", "del\x7f", "c1\xc2\x85x"};
	for (size_t i = 0; i < sizeof bad_name / sizeof bad_name[0]; i++) {
		case_refuses("person.name", json_string(bad_name[i]));
	}
	case_refuses("narrative", json_string("line\r\nline"));
	/* an embedded NUL (jansson allows it with a length) */
	case_refuses("notes", json_stringn("a\0b", 3));
	/* invalid UTF-8 slipped in without jansson's check */
	case_refuses("person.origin.place", json_string_nocheck("Mu\xffsan"));
	b = load(full_case);
	set_path(b, "person.origin.place", json_string_nocheck("\xed\xa0\x80"));
	expect_invalid("case", b, "person.origin.place");
	json_decref(b);

	/* caps: name 200 bytes, narrative 100 KiB */
	char name[202];
	memset(name, 'a', sizeof name);
	name[200] = '\0';
	b = load(full_case);
	set_path(b, "person.name", json_string(name));
	expect_valid("case", b);
	name[200] = 'a';
	name[201] = '\0';
	set_path(b, "person.name", json_string(name));
	expect_invalid("case", b, "person.name");
	json_decref(b);
	size_t cap = 100 * 1024;
	char *big = malloc(cap + 2);
	memset(big, 'x', cap + 1);
	big[cap] = '\0';
	b = load(full_case);
	set_path(b, "narrative", json_string(big));
	expect_valid("case", b);
	big[cap] = 'x';
	big[cap + 1] = '\0';
	set_path(b, "narrative", json_string(big));
	expect_invalid("case", b, "narrative");
	json_decref(b);
	free(big);

	/* the message never quotes the value */
	struct kith_err err;
	b = load(full_case);
	set_path(b, "person.sex", json_string("Secretname"));
	assert_int_equal(kith_record_validate("case", b, &err), KITH_E_INVALID);
	assert_null(strstr(err.msg, "Secretname"));
	assert_null(strstr(err.where, "Secretname"));
	json_decref(b);
}

static void test_numbers(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	set_path(b, "person.age_at_intake", json_integer(0));
	expect_valid("case", b);
	set_path(b, "person.age_at_intake", json_integer(120));
	expect_valid("case", b);
	set_path(b, "person.age_at_intake", json_integer(-1));
	expect_invalid("case", b, "person.age_at_intake");
	set_path(b, "person.age_at_intake", json_real(30.0));
	expect_invalid("case", b, "person.age_at_intake");
	json_decref(b);

	b = load(full_link);
	set_path(b, "score", json_integer(1));
	expect_valid("link", b);
	set_path(b, "score", json_real(0.0));
	expect_valid("link", b);
	set_path(b, "score", json_real(-0.01));
	expect_invalid("link", b, "score");
	json_decref(b);
}

static void test_lists(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	set_path(b, "needs", json_pack("[sss]", "medical", "legal", "medical"));
	expect_invalid("case", b, "needs[2]");
	set_path(b, "needs", json_array());
	expect_valid("case", b);
	json_decref(b);

	/* too many items */
	b = load(full_case);
	json_t *many = json_array();
	for (int i = 0; i < 101; i++)
		json_array_append_new(many, json_object());
	set_path(b, "journey", many);
	expect_invalid("case", b, "journey");
	json_decref(b);

	/* link cases: at least two, distinct, 32 lower-case hex */
	b = load(full_link);
	set_path(b, "cases", json_pack("[s]", "0123456789abcdef0123456789abcdef"));
	expect_invalid("link", b, "cases");
	set_path(b, "cases",
		 json_pack("[ss]", "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"));
	expect_invalid("link", b, "cases[1]");
	set_path(b, "cases",
		 json_pack("[ss]", "0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF"));
	expect_invalid("link", b, "cases[1]");
	set_path(b, "cases",
		 json_pack("[ss]", "0123456789abcdef0123456789abcde", "fedcba9876543210fedcba9876543210"));
	expect_invalid("link", b, "cases[0]");
	set_path(b, "cases",
		 json_pack("[sss]", "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210",
			   "00000000000000000000000000000000"));
	expect_valid("link", b);
	json_decref(b);
}

static void test_family_rule(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	set_path(b, "family[1].name", json_string("Pak")); /* a described relative tracing found */
	expect_valid("case", b);
	json_decref(b);

	b = load(full_case);
	set_path(b, "family", json_pack("[{s:s}]", "relation", "mother"));
	expect_invalid("case", b, "family[0]");
	set_path(b, "family", json_pack("[{s:s,s:s}]", "relation", "mother", "notes", "no name known"));
	expect_valid("case", b);
	set_path(b, "family", json_pack("[{s:s,s:s}]", "relation", "mother", "sex", "female"));
	expect_valid("case", b);
	set_path(b, "family", json_pack("[{s:s}]", "case", "SEO-1"));
	expect_invalid("case", b, "family[0].relation");
	json_decref(b);
}

static void test_trace_rules(void **state)
{
	(void)state;
	json_t *b = load(full_trace);
	json_t *sought = json_object_get(b, "sought");
	json_object_del(sought, "name");
	json_object_del(sought, "other_names");
	/* birth or age, sex and separation place: enough */
	expect_valid("trace", b);
	json_object_del(sought, "birth");
	expect_valid("trace", b);
	json_object_del(sought, "age");
	expect_invalid("trace", b, "sought");
	json_object_set_new(sought, "birth", json_string("1998"));
	json_object_del(sought, "sex");
	expect_invalid("trace", b, "sought");
	json_object_set_new(sought, "sex", json_string("male"));
	json_object_del(json_object_get(sought, "separation"), "place");
	expect_invalid("trace", b, "sought");
	json_decref(b);

	/* other names alone identify */
	b = load(full_trace);
	sought = json_object_get(b, "sought");
	json_object_del(sought, "name");
	json_object_del(sought, "separation");
	expect_valid("trace", b);
	set_path(b, "sought", json_object());
	expect_invalid("trace", b, "sought");
	json_object_del(b, "sought");
	expect_invalid("trace", b, "sought");
	json_decref(b);

	/* age needs both parts, in range */
	b = load(full_trace);
	json_object_del(json_object_get(json_object_get(b, "sought"), "age"), "in_year");
	expect_invalid("trace", b, "sought.age.in_year");
	set_path(b, "sought.age.in_year", json_integer(1899));
	expect_invalid("trace", b, "sought.age.in_year");
	json_decref(b);

	/* the seeker: a case or a name, not both */
	b = load(full_trace);
	set_path(b, "seeker.case", json_string("SEO-2023-0042"));
	expect_invalid("trace", b, "seeker");
	set_path(b, "seeker", json_pack("{s:s}", "case", "SEO-2023-0042"));
	expect_valid("trace", b);
	set_path(b, "seeker", json_pack("{s:s}", "contact", "via pastor"));
	expect_invalid("trace", b, "seeker");
	json_decref(b);

	/* candidates */
	b = load(full_trace);
	set_path(b, "candidates[0].state", json_string("maybe"));
	expect_invalid("trace", b, "candidates[0].state");
	json_decref(b);
}

static void test_size_cap(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	json_t *incidents = json_array();
	size_t len = 60 * 1024;
	char *desc = malloc(len + 1);
	memset(desc, 'y', len);
	desc[len] = '\0';
	for (int i = 0; i < 20; i++)
		json_array_append_new(incidents, json_pack("{s:s}", "description", desc));
	free(desc);
	set_path(b, "incidents", incidents);
	expect_invalid("case", b, "");
	json_decref(b);
}

/* A body of `count` incidents whose descriptions are `len` bytes of `c`. */
static json_t *case_with_descriptions(size_t count, size_t len, char c)
{
	json_t *b = load("{\"person\":{\"name\":\"Kim\"}}");
	json_t *incidents = json_array();
	char *desc = malloc(len + 1);
	memset(desc, c, len);
	desc[len] = '\0';
	for (size_t i = 0; i < count; i++)
		json_array_append_new(incidents, json_pack("{s:s}", "description", desc));
	free(desc);
	json_object_set_new(b, "incidents", incidents);
	return b;
}

static size_t canonical_len(const json_t *b)
{
	struct kith_sbuf s = KITH_SBUF_INIT;
	assert_int_equal(kith_record_canonical(b, &s, NULL), KITH_OK);
	size_t n = s.len;
	kith_sbuf_release(&s);
	return n;
}

static void test_size_cap_exact(void **state)
{
	(void)state;
	/* quotes take two bytes each once escaped: 17 x 32 KiB of them is over 1 MiB */
	json_t *b = case_with_descriptions(17, 32 * 1024, '"');
	assert_true(canonical_len(b) > KITH_RECORD_MAX_BYTES);
	expect_invalid("case", b, "");
	json_decref(b);
	/* plain text just under the cap is accepted, just over is refused */
	b = case_with_descriptions(16, 65000, 'y');
	size_t len = canonical_len(b);
	assert_true(len <= KITH_RECORD_MAX_BYTES);
	expect_valid("case", b);
	json_decref(b);
	size_t per = (KITH_RECORD_MAX_BYTES - len) / 16 + 65000 + 1;
	if (per <= 64 * 1024) {
		b = case_with_descriptions(16, per, 'y');
		assert_true(canonical_len(b) > KITH_RECORD_MAX_BYTES);
		expect_invalid("case", b, "");
		json_decref(b);
	}
	/* newlines and tabs escape too */
	b = case_with_descriptions(17, 32 * 1024, '\n');
	expect_invalid("case", b, "");
	json_decref(b);
}

static void test_validate_does_not_modify(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	char *before = json_dumps(b, JSON_COMPACT);
	assert_int_equal(kith_record_validate("case", b, NULL), KITH_OK);
	char *after = json_dumps(b, JSON_COMPACT);
	assert_string_equal(before, after);
	free(before);
	free(after);
	json_decref(b);
}

static void test_canonical(void **state)
{
	(void)state;
	json_t *a = load(
	    "{\"person\":{\"sex\":\"female\",\"name\":\"한설희\"},\"status\":\"active\",\"ref\":\"A-1\"}");
	json_t *b = load(
	    "{\"ref\":\"A-1\",\"status\":\"active\",\"person\":{\"name\":\"한설희\",\"sex\":\"female\"}}");
	struct kith_sbuf sa = KITH_SBUF_INIT, sb = KITH_SBUF_INIT;
	assert_int_equal(kith_record_canonical(a, &sa, NULL), KITH_OK);
	assert_int_equal(kith_record_canonical(b, &sb, NULL), KITH_OK);
	assert_string_equal(sa.buf, sb.buf);
	assert_string_equal(
	    sa.buf,
	    "{\"person\":{\"name\":\"한설희\",\"sex\":\"female\"},\"ref\":\"A-1\",\"status\":\"active\"}");
	/* appends, and is stable through a re-parse */
	json_t *c = load(full_case);
	struct kith_sbuf s1 = KITH_SBUF_INIT, s2 = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_adds(&s1, "prefix:"), 0);
	assert_int_equal(kith_record_canonical(c, &s1, NULL), KITH_OK);
	assert_memory_equal(s1.buf, "prefix:{", 8);
	json_t *c2 = load(s1.buf + 7);
	assert_int_equal(kith_record_canonical(c2, &s2, NULL), KITH_OK);
	assert_string_equal(s1.buf + 7, s2.buf);
	assert_null(strchr(s2.buf, '\n'));
	/* a trace with a real number */
	json_t *t = load(full_trace);
	kith_sbuf_reset(&s2);
	assert_int_equal(kith_record_canonical(t, &s2, NULL), KITH_OK);
	json_t *t2 = load(s2.buf);
	struct kith_sbuf s3 = KITH_SBUF_INIT;
	assert_int_equal(kith_record_canonical(t2, &s3, NULL), KITH_OK);
	assert_string_equal(s2.buf, s3.buf);
	/* not an object */
	json_t *arr = json_array();
	size_t before = s3.len;
	assert_int_equal(kith_record_canonical(arr, &s3, NULL), KITH_E_INVALID);
	assert_int_equal(s3.len, before);
	json_decref(arr);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(c2);
	json_decref(t);
	json_decref(t2);
	kith_sbuf_release(&sa);
	kith_sbuf_release(&sb);
	kith_sbuf_release(&s1);
	kith_sbuf_release(&s2);
	kith_sbuf_release(&s3);
}

/* Random JSON trees whose strings hold what needs escaping (quotes,
 * backslashes, every control character, DEL, 2- to 4-byte UTF-8), keys that
 * sort by their bytes and length ("a" before "a\u0001" before "aa"), NULs in
 * keys and strings, every kind of number: kith_record_canonical writes the
 * canonical form itself, and must write jansson's bytes exactly. */
static uint64_t canon_rng = 0x2545F4914F6CDD1Dull;

static uint32_t canon_rnd(uint32_t n)
{
	canon_rng ^= canon_rng << 13;
	canon_rng ^= canon_rng >> 7;
	canon_rng ^= canon_rng << 17;
	return (uint32_t)(canon_rng % n);
}

static size_t canon_text(char *out, size_t cap)
{
	static const char *const parts[] = {"a",  "b", "Z", "\"", "\\", "/",  "\x7f",
					    "한", "é", "😀", "李", " ",	"aa", "\n"};
	size_t n = 0, want = canon_rnd(6);
	for (size_t i = 0; i < want && n + 8 < cap; i++) {
		if (canon_rnd(4) == 0) {
			out[n++] = (char)canon_rnd(0x20); /* a control character, NUL too */
			continue;
		}
		const char *p = parts[canon_rnd((uint32_t)(sizeof parts / sizeof parts[0]))];
		memcpy(out + n, p, strlen(p));
		n += strlen(p);
	}
	out[n] = '\0';
	return n;
}

static json_t *canon_tree(int depth)
{
	char text[64];
	uint32_t kind = depth > 4 ? canon_rnd(6) : canon_rnd(8);
	switch (kind) {
	case 0:
		return json_null();
	case 1:
		return canon_rnd(2) ? json_true() : json_false();
	case 2: {
		static const json_int_t ints[] = {0, -1, 7, 1234567890123LL, INT64_MIN, INT64_MAX};
		return json_integer(ints[canon_rnd(6)]);
	}
	case 3: {
		static const double reals[] = {0.5, -2.0, 1e300, 3.141592653589793, 1e-7, 100.0};
		return json_real(reals[canon_rnd(6)]);
	}
	case 4:
	case 5: {
		size_t n = canon_text(text, sizeof text);
		return json_stringn(text, n);
	}
	case 6: {
		json_t *a = json_array();
		for (uint32_t i = canon_rnd(4); i > 0; i--)
			json_array_append_new(a, canon_tree(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (uint32_t i = canon_rnd(6); i > 0; i--) {
			size_t n = canon_text(text, sizeof text);
			json_object_setn_new(o, text, n, canon_tree(depth + 1));
		}
		return o;
	}
	}
}

static void test_canonical_same_as_jansson(void **state)
{
	(void)state;
	struct kith_sbuf mine = KITH_SBUF_INIT, theirs = KITH_SBUF_INIT;
	size_t nul_keys = 0;
	for (int round = 0; round < 20000; round++) {
		json_t *o = json_object();
		for (uint32_t i = 1 + canon_rnd(5); i > 0; i--) {
			char key[64];
			size_t n = canon_text(key, sizeof key);
			nul_keys += strlen(key) != n;
			json_object_setn_new(o, key, n, canon_tree(1));
		}
		kith_sbuf_reset(&mine);
		kith_sbuf_reset(&theirs);
		assert_int_equal(kith_sbuf_adds(&mine, "x"), 0);
		assert_int_equal(kith_sbuf_adds(&theirs, "x"), 0);
		int a = kith_record_canonical(o, &mine, NULL);
		int b = kith_record_canonical_jansson(o, &theirs, NULL);
		assert_int_equal(a, b);
		assert_int_equal(mine.len, theirs.len);
		assert_memory_equal(mine.buf, theirs.buf, mine.len);
		json_decref(o);
	}
	assert_true(nul_keys > 0); /* the fallback was taken too */
	/* a tree deeper than the writer goes alone */
	json_t *deep = json_object(), *at = deep;
	for (int i = 0; i < 100; i++) {
		json_t *inner = json_object();
		json_object_set_new(at, "k", inner);
		at = inner;
	}
	kith_sbuf_reset(&mine);
	kith_sbuf_reset(&theirs);
	assert_int_equal(kith_record_canonical(deep, &mine, NULL), KITH_OK);
	assert_int_equal(kith_record_canonical_jansson(deep, &theirs, NULL), KITH_OK);
	assert_string_equal(mine.buf, theirs.buf);
	json_decref(deep);
	/* the full bodies of this file */
	const char *bodies[] = {full_case, full_trace};
	for (size_t i = 0; i < 2; i++) {
		json_t *b = load(bodies[i]);
		kith_sbuf_reset(&mine);
		kith_sbuf_reset(&theirs);
		assert_int_equal(kith_record_canonical(b, &mine, NULL), KITH_OK);
		assert_int_equal(kith_record_canonical_jansson(b, &theirs, NULL), KITH_OK);
		assert_string_equal(mine.buf, theirs.buf);
		json_decref(b);
	}
	kith_sbuf_release(&mine);
	kith_sbuf_release(&theirs);
}

/* kith_record_canonical_set_ref gives the bytes of the canonical form of a
 * copy with its ref set, for top-level keys all around "ref" in byte order
 * (and an escape among them), an old ref or none, an empty object. */
static void test_canonical_set_ref(void **state)
{
	(void)state;
	static const char *const keys[] = {"ref",   "re", "reff", "rea",    "rez", "r",	 "\"", "re\"",
					   "ref\n", "a",  "z",	  "person", "",	   "rf", "REF"};
	struct kith_sbuf mine = KITH_SBUF_INIT, theirs = KITH_SBUF_INIT;
	for (int round = 0; round < 5000; round++) {
		json_t *o = json_object();
		for (uint32_t i = canon_rnd(6); i > 0; i--)
			json_object_set_new(o, keys[canon_rnd(15)], canon_tree(2));
		const char *ref = round % 2 ? "C-AB12-0007" : "x.y_z-1";
		kith_sbuf_reset(&mine);
		kith_sbuf_reset(&theirs);
		assert_int_equal(kith_sbuf_adds(&mine, "pre"), 0);
		assert_int_equal(kith_record_canonical(o, &mine, NULL), KITH_OK);
		assert_int_equal(kith_record_canonical_set_ref(&mine, 3, ref), KITH_OK);
		assert_int_equal(kith_record_set_ref(o, ref),
				 KITH_OK); /* jansson's copy drops NUL keys: in place */
		assert_int_equal(kith_record_canonical(o, &theirs, NULL), KITH_OK);
		if (strcmp(mine.buf + 3, theirs.buf) != 0)
			fail_msg("set_ref: %s\n  want %s", mine.buf + 3, theirs.buf);
		json_decref(o);
	}
	kith_sbuf_reset(&mine);
	assert_int_equal(kith_sbuf_adds(&mine, "{}"), 0);
	assert_int_equal(kith_record_canonical_set_ref(&mine, 0, "bad ref"), KITH_E_INVALID);
	assert_string_equal(mine.buf, "{}");
	kith_sbuf_release(&mine);
	kith_sbuf_release(&theirs);
}

/* What jansson and the validator say of a text: 1 valid, 0 not. */
static int slow_valid(const char *kind, const char *text, size_t len)
{
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	int ok = json_is_object(j) && kith_record_validate(kind, j, NULL) == KITH_OK;
	json_decref(j);
	return ok;
}

/* kith_record_text_ok says yes only when jansson and the validator do:
 * every kind's full body, then a quarter of a million random edits of
 * them (a byte changed, dropped, doubled; a piece of JSON spliced in), then
 * texts made to break each rule. It says yes to the canonical bodies of
 * cases, so that unlock does not need jansson for them. */
static void test_text_check(void **state)
{
	(void)state;
	static const char *const kinds[] = {"case",  "link",	  "trace",  "device", "attachment",
					    "draft", "keybackup", "export", "person", "view"};
	struct kith_sbuf c = KITH_SBUF_INIT;
	char *buf = malloc(1 << 16);
	assert_non_null(buf);
	size_t accepted = 0, edits = 0;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		json_t *b = load(base_of(kinds[k]));
		kith_sbuf_reset(&c);
		assert_int_equal(kith_record_canonical(b, &c, NULL), KITH_OK);
		json_decref(b);
		int ok = kith_record_text_ok(kinds[k], c.buf, c.len);
		if (strcmp(kinds[k], "case") == 0)
			assert_true(ok); /* what unlock reads most */
		if (ok)
			assert_true(slow_valid(kinds[k], c.buf, c.len));
		static const char *const splice[] = {" ",	   "\\u0041",	 "\\n",
						     "\\t",	   "\\\"",	 "\\/",
						     "0",	   "01",	 "-",
						     "1.5",	   "1e2",	 "true",
						     "null",	   "{}",	 "[]",
						     "\"\"",	   ",",		 ":",
						     "\"x\":1",	   "\xc2\x85",	 "\x7f",
						     "\xff",	   "\t",	 "\"a\",\"a\"",
						     "2019-02-29", "2020-02-29", "99999999999999999999"};
		for (int round = 0; round < 25000; round++) {
			size_t len = c.len, at = canon_rnd((uint32_t)len);
			memcpy(buf, c.buf, len);
			switch (canon_rnd(4)) {
			case 0:
				buf[at] = (char)canon_rnd(256);
				break;
			case 1:
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			case 2:
				memmove(buf + at + 1, buf + at, len - at);
				len++;
				break;
			default: {
				const char *p =
				    splice[canon_rnd((uint32_t)(sizeof splice / sizeof splice[0]))];
				size_t pl = strlen(p), cut = canon_rnd(4);
				if (at + cut > len)
					cut = len - at;
				memmove(buf + at + pl, buf + at + cut, len - at - cut);
				memcpy(buf + at, p, pl);
				len = len - cut + pl;
				break;
			}
			}
			edits++;
			if (kith_record_text_ok(kinds[k], buf, len)) {
				accepted++;
				if (!slow_valid(kinds[k], buf, len))
					fail_msg("%s: text check accepted what jansson or the validator "
						 "refuse: %.*s",
						 kinds[k], (int)len, buf);
			}
		}
	}
	assert_true(accepted > edits / 100); /* edits that stay valid are taken too */
	/* each rule broken on purpose: never a yes */
	static const char *const bad[] = {
	    "{\"person\":{\"name\":\"A\"},\"person\":{\"name\":\"B\"}}",     /* repeated key */
	    "{\"person\":{\"name\":\"  \"}}",				     /* blank name */
	    "{\"person\":{\"name\":\"\\n\"}}",				     /* blank, and a newline */
	    "{\"person\":{\"name\":\"A\",\"age_at_intake\":121}}",	     /* out of range */
	    "{\"person\":{\"name\":\"A\",\"age_at_intake\":012}}",	     /* leading zero */
	    "{\"person\":{\"name\":\"A\",\"age_at_intake\":12.0}}",	     /* a real */
	    "{\"person\":{\"name\":\"A\"},\"needs\":[\"legal\",\"legal\"]}", /* repeat */
	    "{\"person\":{\"name\":\"A\"},\"family\":[{\"relation\":\"sibling\"}]}", /* undescribed */
	    "{\"person\":{\"name\":\"A\",\"birth\":\"2019-02-29\"}}",		     /* no such day */
	    "{\"person\":{\"name\":\"A\"}}x",					     /* trailing byte */
	    "{\"person\":{\"name\":\"A\\u0000\"}}",				     /* NUL */
	    "{\"person\":{\"name\":\"\xc2\x85\"}}",				     /* C1 control */
	    "{\"person\":{\"name\":\"\xed\xa0\x80\"}}",				     /* a surrogate */
	    "{\"ref\":\"A B\",\"person\":{\"name\":\"A\"}}",			     /* bad ref */
	    "{\"notes\":\"x\"}",						     /* no person */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(kith_record_text_ok("case", bad[i], strlen(bad[i])));
		if (slow_valid("case", bad[i], strlen(bad[i])))
			fail_msg("bad text %zu is valid", i);
	}
	/* not sure is not invalid: jansson takes a space after the object */
	const char *spaced = "{\"person\":{\"name\":\"A\"}} ";
	assert_false(kith_record_text_ok("case", spaced, strlen(spaced)));
	assert_true(slow_valid("case", spaced, strlen(spaced)));
	const char *good =
	    "{\"person\":{\"name\":\"A \\\"B\\\" \\/ C\",\"birth\":\"2020-02-29\"},"
	    "\"family\":[{\"name\":\"X\",\"relation\":\"sibling\"}],\"narrative\":\"a\\nb\\tc\"}";
	assert_true(kith_record_text_ok("case", good, strlen(good)));
	assert_true(slow_valid("case", good, strlen(good)));
	free(buf);
	kith_sbuf_release(&c);
}

static void test_ref(void **state)
{
	(void)state;
	json_t *b = load("{\"person\":{\"name\":\"Jo\"}}");
	assert_null(kith_record_ref(b));
	assert_int_equal(kith_record_set_ref(b, "K-2024.001_a"), KITH_OK);
	assert_string_equal(kith_record_ref(b), "K-2024.001_a");
	expect_valid("case", b);
	assert_int_equal(kith_record_set_ref(b, "K-2"), KITH_OK);
	assert_string_equal(kith_record_ref(b), "K-2");
	assert_int_equal(kith_record_set_ref(b, "has space"), KITH_E_INVALID);
	assert_int_equal(kith_record_set_ref(b, ""), KITH_E_INVALID);
	assert_int_equal(kith_record_set_ref(b, NULL), KITH_E_INVALID);
	assert_string_equal(kith_record_ref(b), "K-2");
	char longref[65];
	memset(longref, 'r', 64);
	longref[64] = '\0';
	assert_int_equal(kith_record_set_ref(b, longref), KITH_E_INVALID);
	longref[63] = '\0';
	assert_int_equal(kith_record_set_ref(b, longref), KITH_OK);
	expect_valid("case", b);
	assert_true(kith_record_ref_valid("a"));
	assert_false(kith_record_ref_valid("사례1"));
	json_t *arr = json_array();
	assert_int_equal(kith_record_set_ref(arr, "x"), KITH_E_INVALID);
	assert_null(kith_record_ref(arr));
	assert_null(kith_record_ref(NULL));
	json_decref(arr);
	set_path(b, "ref", json_integer(3));
	assert_null(kith_record_ref(b));
	expect_invalid("case", b, "ref");
	json_decref(b);
}

static void test_case_names(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	const char *names[8];
	size_t n = kith_record_case_names(b, names, 8);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "리춘화");
	assert_string_equal(names[1], "Ri Chun-hwa");
	assert_string_equal(names[3], "李春花");
	assert_int_equal(kith_record_case_names(b, names, 2), 2);
	assert_int_equal(kith_record_case_names(b, names, 0), 0);
	json_decref(b);
	json_t *empty = json_object();
	assert_int_equal(kith_record_case_names(empty, names, 8), 0);
	json_decref(empty);
}

static void test_consent(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	assert_int_equal(kith_record_consent_allows(b, "services"), 1);
	assert_int_equal(kith_record_consent_allows(b, "tracing"), 1);
	assert_int_equal(kith_record_consent_allows(b, "sharing"), 0);
	assert_int_equal(kith_record_consent_allows(b, "given_by"), 0);
	assert_int_equal(kith_record_consent_allows(b, "date"), 0);
	assert_int_equal(kith_record_consent_allows(b, NULL), 0);
	json_object_del(json_object_get(b, "consent"), "reporting");
	assert_int_equal(kith_record_consent_allows(b, "reporting"), 0); /* unstated */
	set_path(b, "consent.services", json_string("yes"));		 /* not a boolean: no */
	assert_int_equal(kith_record_consent_allows(b, "services"), 0);
	json_object_del(b, "consent");
	assert_int_equal(kith_record_consent_allows(b, "services"), 0);
	json_decref(b);
	json_t *t = load(full_trace);
	assert_int_equal(kith_record_consent_allows(t, "tracing"), 1);
	json_decref(t);
	assert_int_equal(kith_record_consent_allows(NULL, "tracing"), 0);
}

static void test_schema_json(void **state)
{
	(void)state;
	json_t *s = kith_record_schema_json();
	assert_non_null(s);
	char *text = json_dumps(s, JSON_COMPACT);
	/* Korean labels are part of the product */
	const char *must[] = {"강간",
			      "성폭행",
			      "신체적 폭행",
			      "강제 결혼",
			      "자원·기회·서비스 거부",
			      "심리적·정서적 학대",
			      "함경북도",
			      "양강도",
			      "자강도",
			      "평안남도",
			      "황해북도",
			      "라선특별시",
			      "개성특별시",
			      "채무 속박",
			      "브로커",
			      "위챗",
			      "카카오톡",
			      "가족 찾기",
			      "\"type\":\"list_of_groups\"",
			      "\"type\":\"enum_list\"",
			      "\"type\":\"group\"",
			      "\"type\":\"date\"",
			      "\"type\":\"ref\"",
			      "\"kind\":\"trace\"",
			      "\"kind\":\"link\""};
	for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
		if (!strstr(text, must[i]))
			fail_msg("schema lacks %s", must[i]);
	free(text);
	/* the first case field is ref, then person with name required */
	json_t *kinds = json_object_get(s, "kinds");
	json_t *c = json_array_get(kinds, 0);
	assert_string_equal(json_string_value(json_object_get(c, "kind")), "case");
	json_t *f = json_object_get(c, "fields");
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "name")), "ref");
	json_t *person = json_array_get(f, 1);
	assert_true(json_is_true(json_object_get(person, "required")));
	json_t *name = json_array_get(json_object_get(person, "fields"), 0);
	assert_string_equal(json_string_value(json_object_get(name, "name")), "name");
	assert_int_equal(json_integer_value(json_object_get(name, "max_bytes")), 200);
	/* every vocabulary is listed with ids and labels */
	json_t *v = json_object_get(json_object_get(s, "vocabularies"), "province");
	assert_int_equal(json_array_size(v), 15);
	json_decref(s);
}

static void test_vocab_lookup(void **state)
{
	(void)state;
	struct {
		const char *vocab, *text, *id;
	} t[] = {
	    {"province", "north_hamgyong", "north_hamgyong"},
	    {"province", "North Hamgyong", "north_hamgyong"},
	    {"province", "Hamgyŏng-pukto", "north_hamgyong"},
	    {"province", "HAMGYONGBUK-DO", "north_hamgyong"},
	    {"province", "함경북도", "north_hamgyong"},
	    {"province", "함북", "north_hamgyong"},
	    {"province", "량강도", "ryanggang"},
	    {"province", "P’yŏngyang", "pyongyang"},
	    {"province", "나선", "rason"},
	    {"sex", "F", "female"},
	    {"sex", "여성", "female"},
	    {"sex", " Male ", "male"},
	    {"country", "kp", "KP"},
	    {"country", "China", "CN"},
	    {"country", "라오스", "LA"},
	    {"language", "Korean", "ko"},
	    {"case_status", "Follow-up", "follow_up"},
	    {"need", "Family tracing", "family_tracing"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *id = NULL;
		int rc = kith_record_vocab_lookup(t[i].vocab, t[i].text, &id);
		if (rc != KITH_OK || strcmp(id, t[i].id) != 0)
			fail_msg("lookup %s '%s' -> %d %s", t[i].vocab, t[i].text, rc, id ? id : "(null)");
	}
	const char *id = "untouched";
	assert_int_equal(kith_record_vocab_lookup("province", "Jilin", &id), KITH_E_NOTFOUND);
	assert_int_equal(kith_record_vocab_lookup("province", "", &id), KITH_E_NOTFOUND);
	assert_int_equal(kith_record_vocab_lookup("province", "---", &id), KITH_E_NOTFOUND);
	assert_int_equal(kith_record_vocab_lookup("planet", "mars", &id), KITH_E_NOTFOUND);
	assert_int_equal(kith_record_vocab_lookup("sex", "\xff", &id), KITH_E_NOTFOUND);
	assert_string_equal(id, "untouched");
	assert_string_equal(kith_record_vocab_label("incident_type", "rape", "ko"), "강간");
	assert_string_equal(kith_record_vocab_label("incident_type", "rape", "en"), "Rape");
	assert_null(kith_record_vocab_label("incident_type", "rape", "fr"));
	assert_null(kith_record_vocab_label("incident_type", "theft", "en"));
	assert_null(kith_record_vocab_label("nope", "rape", "en"));
}

/* ---- out of memory: jansson's allocator fails after `budget` allocations */

static long budget = -1;
static json_malloc_t real_malloc; /* the process's allocator (it wipes on free) */
static json_free_t real_free;

static void *tight_malloc(size_t n)
{
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return real_malloc(n);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	json_t *b = load(full_case);
	json_get_alloc_funcs(&real_malloc, &real_free);
	json_set_alloc_funcs(tight_malloc, real_free);
	int saw_fail = 0, saw_ok = 0;
	/* every failure point early on, then a growing stride: the schema makes
	 * tens of thousands of allocations */
	for (long k = 0; k < 1000000 && !saw_ok; k += 1 + k / 64) {
		budget = k;
		json_t *s = kith_record_schema_json();
		budget = -1;
		if (s) {
			saw_ok = 1;
			json_decref(s);
		} else {
			saw_fail = 1;
		}
	}
	assert_true(saw_fail && saw_ok);
	/* set_ref under a failing allocator leaves the body as it was */
	budget = 0;
	int rc = kith_record_set_ref(b, "NEW-1");
	budget = -1;
	assert_int_equal(rc, KITH_E_NOMEM);
	assert_string_equal(kith_record_ref(b), "SEO-2023-0042");
	json_set_alloc_funcs(real_malloc, real_free);
	json_decref(b);
}

/* Each date mistake gets its own message; limits are in characters. */
static void test_date_and_length_messages(void **state)
{
	(void)state;
	static const struct {
		const char *date, *msg;
	} cases[] = {
	    {"2019-13-45", "no month 13"},	    {"2019-02-30", "no day 30 in month 2"},
	    {"2020-02-30", "no day 30 in month 2"}, {"2019-04-45", "no day 45 (days are 1 to 31)"},
	    {"19", "a year has four digits"},	    {"1850", "date before 1900"},
	    {"2150-01", "date after 2100"},	    {"1990/01/02", "must be a date YYYY"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[256];
		snprintf(buf, sizeof buf, "{\"person\":{\"name\":\"가\",\"birth\":\"%s\"}}", cases[i].date);
		json_t *b = load(buf);
		struct kith_err err;
		kith_err_clear(&err);
		assert_int_equal(kith_record_validate("case", b, &err), KITH_E_INVALID);
		assert_string_equal(err.where, "person.birth");
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("%s: got '%s', want '%s'", cases[i].date, err.msg, cases[i].msg);
		json_decref(b);
	}
	json_t *ok = load("{\"person\":{\"name\":\"가\",\"birth\":\"2020-02-29\"}}");
	assert_int_equal(kith_record_validate("case", ok, NULL), KITH_OK);
	json_decref(ok);
	/* 200 Hangul syllables (600 bytes) are a name of 200 characters: allowed; 201 are not */
	char name[4 * 201 + 64];
	size_t n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(name + n, sizeof name - n, "가");
	char buf[1200];
	snprintf(buf, sizeof buf, "{\"person\":{\"name\":\"%s\"}}", name);
	json_t *b = load(buf);
	assert_int_equal(kith_record_validate("case", b, NULL), KITH_OK);
	json_decref(b);
	snprintf(buf, sizeof buf, "{\"person\":{\"name\":\"%s가\"}}", name);
	b = load(buf);
	struct kith_err err;
	assert_int_equal(kith_record_validate("case", b, &err), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "longer than 200 characters"));
	json_decref(b);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_bodies_valid),
	    cmocka_unit_test(test_every_field_from_schema),
	    cmocka_unit_test(test_unknown_kind_and_not_object),
	    cmocka_unit_test(test_unknown_fields),
	    cmocka_unit_test(test_nested_paths),
	    cmocka_unit_test(test_required),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_family_rule),
	    cmocka_unit_test(test_trace_rules),
	    cmocka_unit_test(test_size_cap),
	    cmocka_unit_test(test_size_cap_exact),
	    cmocka_unit_test(test_validate_does_not_modify),
	    cmocka_unit_test(test_canonical),
	    cmocka_unit_test(test_canonical_same_as_jansson),
	    cmocka_unit_test(test_text_check),
	    cmocka_unit_test(test_canonical_set_ref),
	    cmocka_unit_test(test_ref),
	    cmocka_unit_test(test_case_names),
	    cmocka_unit_test(test_consent),
	    cmocka_unit_test(test_schema_json),
	    cmocka_unit_test(test_vocab_lookup),
	    cmocka_unit_test(test_date_and_length_messages),
	    cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
