/*
 * test_core_caseio — importers and exporters: JSON, JSON Lines and CSV input
 * with errors located as FILE:LINE:field, all-or-nothing results, caps, CSV
 * formula defusing, and round trips export -> import. Invented people only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "record/caseio.h"
#include "record/record.h"

#define SENTINEL ((json_t **)0x1)

static int parse(enum kith_caseio_format f, const char *kind, const char *text, const char *name, json_t ***b,
		 size_t *n, struct kith_err *err)
{
	kith_err_clear(err);
	*b = SENTINEL;
	*n = 12345;
	return kith_caseio_parse(f, kind, text, strlen(text), name, b, n, err);
}

static void expect_error(enum kith_caseio_format f, const char *kind, const char *text, const char *name,
			 int status, const char *where, const char *msg_part)
{
	json_t **b;
	size_t n;
	struct kith_err err;
	int rc = parse(f, kind, text, name, &b, &n, &err);
	if (rc != status || strcmp(err.where, where) != 0)
		fail_msg("expected %d at '%s', got %d at '%s': %s", status, where, rc, err.where, err.msg);
	if (msg_part && !strstr(err.msg, msg_part))
		fail_msg("message '%s' lacks '%s'", err.msg, msg_part);
	/* all or nothing: the outputs are untouched */
	assert_ptr_equal(b, SENTINEL);
	assert_int_equal(n, 12345);
}

static json_t **expect_ok(enum kith_caseio_format f, const char *kind, const char *text, size_t want)
{
	json_t **b;
	size_t n;
	struct kith_err err;
	int rc = parse(f, kind, text, "in", &b, &n, &err);
	if (rc != KITH_OK)
		fail_msg("expected success, got %d at '%s': %s", rc, err.where, err.msg);
	assert_int_equal(n, want);
	return b;
}

/* ------------------------------------------------------------ JSON */

static void test_json_one_object(void **state)
{
	(void)state;
	const char *text = "\xEF\xBB\xBF\n{\n  \"person\": {\"name\": \"최은별\", \"sex\": \"female\"},\n"
			   "  \"status\": \"active\"\n}\n";
	json_t **b = expect_ok(KITH_CASEIO_JSON, "case", text, 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b[0], "person"), "name")),
			    "최은별");
	kith_caseio_free(b, 1);

	/* a field error is located at the line where the object starts */
	expect_error(KITH_CASEIO_JSON, "case", "\n\n{\"person\": {\"name\": \"A\", \"sex\": \"woman?\"}}",
		     "one.json", KITH_E_INVALID, "one.json:3:person.sex", "vocabulary");
	/* syntax: the line of the error, the column in the message, nothing quoted */
	expect_error(KITH_CASEIO_JSON, "case", "{\n\"person\": {\"name\": \"A\"},\n\"notes\": Secretname\n}",
		     "one.json", KITH_E_INVALID, "one.json:3", "column");
	json_t **b2;
	size_t n2;
	struct kith_err err;
	assert_int_equal(parse(KITH_CASEIO_JSON, "case", "{\"notes\": Secretname}", "x", &b2, &n2, &err),
			 KITH_E_INVALID);
	assert_null(strstr(err.msg, "Secretname"));
	/* duplicate keys, trailing data, arrays, empty input, bad bytes */
	expect_error(KITH_CASEIO_JSON, "case", "{\"person\":{\"name\":\"A\",\"name\":\"B\"}}", "d.json",
		     KITH_E_INVALID, "d.json:1", "duplicate");
	expect_error(KITH_CASEIO_JSON, "case", "{\"person\":{\"name\":\"A\"}} {}", "d.json", KITH_E_INVALID,
		     "d.json:1", NULL);
	expect_error(KITH_CASEIO_JSON, "case", "[{\"person\":{\"name\":\"A\"}}]", "d.json", KITH_E_INVALID,
		     "d.json:1", "object");
	expect_error(KITH_CASEIO_JSON, "case", "", "d.json", KITH_E_INVALID, "d.json:1", NULL);
	expect_error(KITH_CASEIO_JSON, "case", "{\"person\":{\"name\":\"\xc3\x28\"}}", "d.json",
		     KITH_E_INVALID, "d.json:1", "UTF-8");
	expect_error(KITH_CASEIO_JSON, "case", "{\"person\":{\"name\":\"A\\u0000B\"}}", "d.json",
		     KITH_E_INVALID, "d.json:1", NULL);
	/* other kinds */
	b = expect_ok(KITH_CASEIO_JSON, "trace", "{\"seeker\":{\"name\":\"S\"},\"sought\":{\"name\":\"T\"}}",
		      1);
	kith_caseio_free(b, 1);
	expect_error(KITH_CASEIO_JSON, "trace", "{\"seeker\":{\"name\":\"S\"},\"sought\":{\"sex\":\"male\"}}",
		     "t.json", KITH_E_INVALID, "t.json:1:sought", "identify");
	expect_error(KITH_CASEIO_JSON, "spaceship", "{}", "t.json", KITH_E_INVALID, "kind", NULL);
}

static void test_json_nul_byte(void **state)
{
	(void)state;
	const char text[] = "{\"person\":{\"name\":\"A\0\"}}";
	json_t **b = SENTINEL;
	size_t n = 0;
	struct kith_err err;
	assert_int_equal(
	    kith_caseio_parse(KITH_CASEIO_JSON, "case", text, sizeof text - 1, "z.json", &b, &n, &err),
	    KITH_E_INVALID);
	assert_string_equal(err.where, "z.json:1");
	assert_non_null(strstr(err.msg, "NUL"));
	assert_ptr_equal(b, SENTINEL);
}

/* ------------------------------------------------------------ JSON Lines */

static void test_jsonl(void **state)
{
	(void)state;
	const char *text = "{\"person\":{\"name\":\"A\"}}\r\n"
			   "\n"
			   "   \t\n"
			   "{\"person\":{\"name\":\"B\",\"languages\":[\"ko\"]}}\n"
			   "{\"person\":{\"name\":\"C\"},\"needs\":[\"legal\"]}";
	json_t **b = expect_ok(KITH_CASEIO_JSONL, "case", text, 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b[2], "person"), "name")), "C");
	kith_caseio_free(b, 3);

	b = expect_ok(KITH_CASEIO_JSONL, "case", "", 0);
	assert_null(b);
	b = expect_ok(KITH_CASEIO_JSONL, "case", "\n\n", 0);
	assert_null(b);

	/* the error names file, line and field; nothing is returned */
	expect_error(KITH_CASEIO_JSONL, "case",
		     "{\"person\":{\"name\":\"A\"}}\n\n{\"person\":{\"name\":\"B\"},\"journey\":[{},{"
		     "\"date\":\"2019-02-30\"}]}\n",
		     "cases.jsonl", KITH_E_INVALID, "cases.jsonl:3:journey[1].date", "date");
	expect_error(KITH_CASEIO_JSONL, "case",
		     "{\"person\":{\"name\":\"A\"}}\n{\"person\":{\"name\":\"B\"}\n", "cases.jsonl",
		     KITH_E_INVALID, "cases.jsonl:2", "column");
	expect_error(KITH_CASEIO_JSONL, "case", "{\"person\":{\"name\":\"A\"}}\n[]\n", "cases.jsonl",
		     KITH_E_INVALID, "cases.jsonl:2", "object");
	/* an object spread over lines is not JSON Lines */
	expect_error(KITH_CASEIO_JSONL, "case", "{\n\"person\":{\"name\":\"A\"}}\n", "c.jsonl",
		     KITH_E_INVALID, "c.jsonl:1", NULL);
	expect_error(KITH_CASEIO_JSONL, "case",
		     "{\"person\":{\"name\":\"A\"}}\n{\"person\":{\"name\":\"\xff\"}}\n", "c.jsonl",
		     KITH_E_INVALID, "c.jsonl:2", "UTF-8");
	expect_error(KITH_CASEIO_JSONL, "case",
		     "{\"person\":{\"name\":\"A\"}}\n{\"person\":{\"name\":\"B\"},\"x\":1}\n", "c.jsonl",
		     KITH_E_INVALID, "c.jsonl:2:x", "unknown");
	expect_error(KITH_CASEIO_JSONL, "link",
		     "{\"cases\":[\"0123456789abcdef0123456789abcdef\"],\"status\":\"proposed\",\"method\":"
		     "\"manual\"}\n",
		     "l.jsonl", KITH_E_INVALID, "l.jsonl:1:cases", NULL);
}

static void test_jsonl_long_line(void **state)
{
	(void)state;
	size_t len = KITH_RECORD_MAX_BYTES + 64;
	char *text = malloc(len + 100);
	strcpy(text, "{\"person\":{\"name\":\"A\"}}\n{\"notes\":\"");
	size_t off = strlen(text);
	memset(text + off, 'n', len);
	strcpy(text + off + len, "\"}\n");
	expect_error(KITH_CASEIO_JSONL, "case", text, "big.jsonl", KITH_E_LIMIT, "big.jsonl:2", "longer");
	free(text);
}

static void test_record_cap(void **state)
{
	(void)state;
	const char *jl =
	    "{\"person\":{\"name\":\"A\"}}\n\n{\"person\":{\"name\":\"B\"}}\n{\"person\":{\"name\":\"C\"}}\n";
	const char *csv = "name\nA\nB\nC\n";
	json_t **b = SENTINEL;
	size_t n = 5;
	struct kith_err err;
	assert_int_equal(
	    kith_caseio_parse_max(KITH_CASEIO_JSONL, "case", jl, strlen(jl), "cap.jsonl", 2, &b, &n, &err),
	    KITH_E_LIMIT);
	assert_string_equal(err.where, "cap.jsonl:4");
	assert_int_equal(
	    kith_caseio_parse_max(KITH_CASEIO_CSV, "case", csv, strlen(csv), "cap.csv", 2, &b, &n, &err),
	    KITH_E_LIMIT);
	assert_ptr_equal(b, SENTINEL);
	assert_int_equal(n, 5);
	assert_int_equal(
	    kith_caseio_parse_max(KITH_CASEIO_JSONL, "case", jl, strlen(jl), "cap.jsonl", 3, &b, &n, &err),
	    KITH_OK);
	assert_int_equal(n, 3);
	kith_caseio_free(b, n);
	assert_int_equal(
	    kith_caseio_parse_max(KITH_CASEIO_CSV, "case", csv, strlen(csv), "cap.csv", 0, &b, &n, &err),
	    KITH_OK);
	assert_int_equal(n, 3);
	kith_caseio_free(b, n);
}

/* ------------------------------------------------------------ CSV */

static const char *csv_ok =
    "ref,name,other_names,sex,birth,age_at_intake,origin_province,origin_place,languages,citizenship,status,"
    "consent_services,consent_reporting,consent_tracing,consent_sharing,consent_given_by,consent_date,"
    "source_organization,source_interviewer,source_date,needs,narrative,notes,journey_json,incidents_json,"
    "family_json,services_json\n"
    "K-1,한미영,Han Mi-yong; Han Miyoung ,여성,1990-05,31,Hamgyŏng-pukto,Musan,ko;zh,DPRK,Follow-up,"
    "yes,TRUE,1,no,self,2021-03-01,Example NGO,staff 2,2021-03-01,shelter;legal,"
    "\"First line,\r\nsecond \"\"quoted\"\" line\",,"
    "\"[{\"\"leg\"\":\"\"transit\"\",\"\"country\"\":\"\"CN\"\",\"\"date\"\":\"\"2019\"\"}]\",,"
    "\"[{\"\"relation\"\":\"\"mother\"\",\"\"name\"\":\"\"Kang\"\"}]\",\"[{\"\"type\"\":\"\"shelter\"\"}]\"\n"
    "\n"
    ",Second Person,,,,,,,,,,,,,,,,,,,,,,,,,\n";

static void test_csv_import(void **state)
{
	(void)state;
	json_t **b = expect_ok(KITH_CASEIO_CSV, "case", csv_ok, 2);
	json_t *p = json_object_get(b[0], "person");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "한미영");
	json_t *on = json_object_get(p, "other_names");
	assert_int_equal(json_array_size(on), 2);
	assert_string_equal(json_string_value(json_array_get(on, 1)), "Han Miyoung");
	assert_string_equal(json_string_value(json_object_get(p, "sex")), "female");
	assert_int_equal(json_integer_value(json_object_get(p, "age_at_intake")), 31);
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "origin"), "province")),
			    "north_hamgyong");
	assert_int_equal(json_array_size(json_object_get(p, "languages")), 2);
	assert_string_equal(json_string_value(json_object_get(b[0], "status")), "follow_up");
	json_t *c = json_object_get(b[0], "consent");
	assert_true(json_is_true(json_object_get(c, "services")));
	assert_true(json_is_true(json_object_get(c, "reporting")));
	assert_true(json_is_true(json_object_get(c, "tracing")));
	assert_true(json_is_false(json_object_get(c, "sharing")));
	assert_string_equal(json_string_value(json_object_get(b[0], "narrative")),
			    "First line,\nsecond \"quoted\" line");
	assert_null(json_object_get(b[0], "notes"));
	assert_null(json_object_get(b[0], "incidents"));
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(b[0], "journey"), 0), "country")),
			    "CN");
	assert_int_equal(json_array_size(json_object_get(b[0], "family")), 1);
	/* the second row: only a name; no ref, no empty groups */
	assert_null(json_object_get(b[1], "ref"));
	assert_null(json_object_get(b[1], "consent"));
	assert_int_equal(json_object_size(b[1]), 1);
	assert_int_equal(json_object_size(json_object_get(b[1], "person")), 1);
	kith_caseio_free(b, 2);

	/* a subset of columns in any order, any case, spaces around names */
	b = expect_ok(KITH_CASEIO_CSV, "case", " SEX , Name\nmale,Jo\n", 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b[0], "person"), "sex")),
			    "male");
	kith_caseio_free(b, 1);
	/* header only: no records */
	b = expect_ok(KITH_CASEIO_CSV, "case", "name,sex\n", 0);
	assert_null(b);
}

static void test_csv_errors(void **state)
{
	(void)state;
	expect_error(KITH_CASEIO_CSV, "case", "name,nickname\nA,B\n", "in.csv", KITH_E_INVALID,
		     "in.csv:1:nickname", "unknown column");
	expect_error(KITH_CASEIO_CSV, "case", "ref,sex\nK,female\n", "in.csv", KITH_E_INVALID, "in.csv:1",
		     "'name'");
	expect_error(KITH_CASEIO_CSV, "case", "name,sex\nA,female\nB,woman-ish\n", "in.csv", KITH_E_INVALID,
		     "in.csv:3:sex", "vocabulary");
	expect_error(KITH_CASEIO_CSV, "case", "name,consent_services\nA,yes\nB,perhaps\n", "in.csv",
		     KITH_E_INVALID, "in.csv:3:consent_services", "yes or no");
	expect_error(KITH_CASEIO_CSV, "case", "name,age_at_intake\nA,thirty\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:age_at_intake", "whole number");
	expect_error(KITH_CASEIO_CSV, "case", "name,age_at_intake\nA,130\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:age_at_intake", "between");
	expect_error(KITH_CASEIO_CSV, "case", "name,birth\nA,1990-02-30\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:birth", "date");
	expect_error(KITH_CASEIO_CSV, "case", "name,languages\nA,ko;klingon\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:languages", NULL);
	expect_error(KITH_CASEIO_CSV, "case", "name,sex\n,female\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:name", "required");
	expect_error(KITH_CASEIO_CSV, "case", "name,sex\n\"  \",female\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:name", "blank");
	expect_error(KITH_CASEIO_CSV, "case", "name,notes\n\"A\nB\",x\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:name", "control");
	/* JSON cells: syntax and schema errors name the column, the item path in the message */
	expect_error(KITH_CASEIO_CSV, "case", "name,journey_json\nA,\"[{\"\"date\"\":}]\"\n", "in.csv",
		     KITH_E_INVALID, "in.csv:2:journey_json", "invalid JSON");
	expect_error(KITH_CASEIO_CSV, "case",
		     "name,journey_json\nA,\"[{},{\"\"date\"\":\"\"2019-13\"\"}]\"\n", "in.csv",
		     KITH_E_INVALID, "in.csv:2:journey_json", "journey[1].date");
	expect_error(KITH_CASEIO_CSV, "case", "name,family_json\nA,\"{\"\"relation\"\":\"\"mother\"\"}\"\n",
		     "in.csv", KITH_E_INVALID, "in.csv:2:family_json", "array");
	expect_error(KITH_CASEIO_CSV, "case",
		     "name,services_json\nA,\"[{\"\"type\"\":\"\"x\"\",\"\"type\"\":\"\"y\"\"}]\"\n",
		     "in.csv", KITH_E_INVALID, "in.csv:2:services_json", "duplicate");
	/* the reader's own errors: quoting, UTF-8, field count */
	expect_error(KITH_CASEIO_CSV, "case", "name,sex\nA,\"female\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:sex", NULL);
	expect_error(KITH_CASEIO_CSV, "case", "name,sex\n\xff,female\n", "in.csv", KITH_E_INVALID,
		     "in.csv:2:name", NULL);
	expect_error(KITH_CASEIO_CSV, "case", "name,sex\nA\n", "in.csv", KITH_E_INVALID, "in.csv:2", NULL);
	expect_error(KITH_CASEIO_CSV, "case", "", "in.csv", KITH_E_INVALID, "in.csv:1", NULL);
	expect_error(KITH_CASEIO_CSV, "case", "name,name\nA,B\n", "in.csv", KITH_E_INVALID, "in.csv:1:name",
		     NULL);
	/* the same column twice, differing only by spaces */
	expect_error(KITH_CASEIO_CSV, "case", "name,sex, name\nA,male,B\n", "in.csv", KITH_E_INVALID,
		     "in.csv:1: name", "twice");
	/* spaces around a defused reference */
	json_t **b = expect_ok(KITH_CASEIO_CSV, "case", "ref,name\n  '-12 ,A\n", 1);
	assert_string_equal(json_string_value(json_object_get(b[0], "ref")), "-12");
	kith_caseio_free(b, 1);
	/* CSV holds cases only */
	expect_error(KITH_CASEIO_CSV, "trace", "name\nA\n", "in.csv", KITH_E_INVALID, "in.csv", "cases only");
}

static void test_csv_all_or_nothing(void **state)
{
	(void)state;
	/* two good rows then a bad one: nothing comes back */
	expect_error(KITH_CASEIO_CSV, "case", "name,sex\nA,female\nB,male\nC,robot\n", "three.csv",
		     KITH_E_INVALID, "three.csv:4:sex", NULL);
	expect_error(KITH_CASEIO_JSONL, "case",
		     "{\"person\":{\"name\":\"A\"}}\n{\"person\":{\"name\":\"B\"}}\n{}\n", "three.jsonl",
		     KITH_E_INVALID, "three.jsonl:3:person", "required");
}

/* ------------------------------------------------------------ export */

static void test_csv_formula_defusing(void **state)
{
	(void)state;
	json_t *b = json_loads("{\"ref\":\"-12\",\"person\":{\"name\":\"=HYPERLINK(\\\"http://x\\\")\","
			       "\"other_names\":[\"+1 Kim\",\"@Lee\"],\"origin\":{\"place\":\"-Musan\"}},"
			       "\"notes\":\"'=already quoted\",\"narrative\":\"\\tTab first\"}",
			       0, NULL);
	assert_non_null(b);
	assert_int_equal(kith_record_validate("case", b, NULL), KITH_OK);
	struct kith_sbuf out = KITH_SBUF_INIT;
	assert_int_equal(kith_caseio_write_csv(&b, 1, &out, NULL), KITH_OK);
	const char *row = strchr(out.buf, '\n') + 1;
	/* every cell that a spreadsheet would evaluate starts with a quote */
	assert_non_null(strstr(row, "'-12,"));
	assert_non_null(strstr(row, "\"'=HYPERLINK(\"\"http://x\"\")\""));
	assert_non_null(strstr(row, ",'+1 Kim;@Lee,"));
	assert_non_null(strstr(row, ",'-Musan,"));
	assert_non_null(strstr(row, ",''=already quoted,"));
	assert_non_null(strstr(row, ",'\tTab first,"));
	/* no cell starts with a formula character */
	for (const char *p = row; *p; p++)
		if (*p == ',' && (p[1] == '=' || p[1] == '+' || p[1] == '-' || p[1] == '@'))
			fail_msg("undefused cell at %s", p);
	/* and the importer gives back the same values */
	json_t **back;
	size_t n;
	struct kith_err err;
	assert_int_equal(
	    kith_caseio_parse(KITH_CASEIO_CSV, "case", out.buf, out.len, "x.csv", &back, &n, &err), KITH_OK);
	assert_int_equal(n, 1);
	assert_true(json_equal(b, back[0]));
	kith_caseio_free(back, n);
	kith_sbuf_release(&out);
	json_decref(b);
}

static const char *round_trip_cases[] = {
    "{\"ref\":\"SEO-2023-0042\",\"person\":{\"name\":\"리춘화\",\"other_names\":[\"Ri Chun-hwa\",\"Lee; "
    "Chunhwa\",\" padded \"],"
    "\"sex\":\"female\",\"birth\":\"1994-03\",\"age_at_intake\":28,\"origin\":{\"province\":\"north_"
    "hamgyong\","
    "\"place\":\"Hoeryong\"},\"languages\":[\"ko\",\"zh\"],\"citizenship\":\"DPRK\"},"
    "\"journey\":[{\"leg\":\"exploitation\",\"place\":\"near Yanji, "
    "Jilin\",\"country\":\"CN\",\"date\":\"2015-06\","
    "\"status\":\"exploited\"}],\"incidents\":[{\"type\":\"forced_marriage\",\"perpetrators\":[{\"role\":"
    "\"broker\"}],"
    "\"means\":[\"debt_bondage\"],\"score_note\":null}],"
    "\"needs\":[\"shelter\"],\"services\":[{\"type\":\"medical\",\"status\":\"planned\"}],"
    "\"family\":[{\"relation\":\"child\",\"name\":\"김영수\",\"status\":\"missing\"}],"
    "\"consent\":{\"services\":true,\"reporting\":false,\"tracing\":true,\"sharing\":false,\"given_by\":"
    "\"self\",\"date\":\"2023-01-04\"},"
    "\"source\":{\"organization\":\"Example, \\\"Shelter\\\"\",\"interviewer\":\"staff "
    "3\",\"date\":\"2023-01-04\"},"
    "\"status\":\"closed_referred\",\"narrative\":\"Line one.\\nLine two, with a "
    "comma.\\n\\n\\tIndented.\",\"notes\":\"; ,\"}",
    "{\"person\":{\"name\":\"Only A Name\"}}",
    "{\"person\":{\"name\":\"[bracketed]\",\"other_names\":[\"[also]\"]},\"notes\":\"'quote first\"}",
};

static json_t *load_case(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		fail_msg("bad test JSON: %s", e.text);
	/* drop the deliberately invalid field used to check export refuses it */
	json_t *inc = json_object_get(j, "incidents");
	for (size_t i = 0; i < json_array_size(inc); i++)
		json_object_del(json_array_get(inc, i), "score_note");
	return j;
}

static void test_round_trips(void **state)
{
	(void)state;
	size_t n = sizeof round_trip_cases / sizeof round_trip_cases[0];
	json_t *in[8];
	for (size_t i = 0; i < n; i++) {
		in[i] = load_case(round_trip_cases[i]);
		struct kith_err err;
		if (kith_record_validate("case", in[i], &err))
			fail_msg("case %zu invalid at %s: %s", i, err.where, err.msg);
	}
	const int formats[] = {KITH_CASEIO_CSV, KITH_CASEIO_JSONL};
	for (size_t f = 0; f < 2; f++) {
		struct kith_sbuf out = KITH_SBUF_INIT;
		struct kith_err err;
		int rc = formats[f] == KITH_CASEIO_CSV ? kith_caseio_write_csv(in, n, &out, &err)
						       : kith_caseio_write_jsonl(in, n, &out, &err);
		assert_int_equal(rc, KITH_OK);
		json_t **back;
		size_t m;
		rc = kith_caseio_parse((enum kith_caseio_format)formats[f], "case", out.buf, out.len, "rt",
				       &back, &m, &err);
		if (rc)
			fail_msg("re-import failed at %s: %s\n%s", err.where, err.msg, out.buf);
		assert_int_equal(m, n);
		for (size_t i = 0; i < n; i++) {
			if (!json_equal(in[i], back[i])) {
				char *a = json_dumps(in[i], JSON_SORT_KEYS),
				     *b = json_dumps(back[i], JSON_SORT_KEYS);
				fail_msg("format %d case %zu differs:\n%s\n%s", formats[f], i, a, b);
			}
		}
		/* a second export is byte for byte the first */
		struct kith_sbuf again = KITH_SBUF_INIT;
		rc = formats[f] == KITH_CASEIO_CSV ? kith_caseio_write_csv(back, m, &again, &err)
						   : kith_caseio_write_jsonl(back, m, &again, &err);
		assert_int_equal(rc, KITH_OK);
		assert_string_equal(out.buf, again.buf);
		/* auto-detection finds the format */
		json_t **auto_back;
		size_t am;
		assert_int_equal(kith_caseio_parse(KITH_CASEIO_AUTO, "case", out.buf, out.len, "rt",
						   &auto_back, &am, &err),
				 KITH_OK);
		assert_int_equal(am, n);
		kith_caseio_free(auto_back, am);
		kith_caseio_free(back, m);
		kith_sbuf_release(&out);
		kith_sbuf_release(&again);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(in[i]);
}

static void test_export_refuses(void **state)
{
	(void)state;
	json_t *bad = json_loads(round_trip_cases[0], 0, NULL); /* keeps incidents[0].score_note */
	json_t *good = load_case(round_trip_cases[1]);
	json_t *list[2] = {good, bad};
	struct kith_sbuf out = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_adds(&out, "keep"), 0);
	struct kith_err err;
	assert_int_equal(kith_caseio_write_csv(list, 2, &out, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "record 2:incidents[0].score_note");
	assert_string_equal(out.buf, "keep");
	assert_int_equal(out.len, 4);
	json_t *arr = json_array();
	assert_int_equal(kith_caseio_jsonl_append(arr, &out, &err), KITH_E_INVALID);
	assert_string_equal(out.buf, "keep");
	json_decref(arr);
	json_decref(bad);
	json_decref(good);
	kith_sbuf_release(&out);
}

/* ------------------------------------------------------------ formats, files */

/* Each record's first line, and a ref given twice named on the later line
 * with the earlier one in the message. */
static void test_lines_and_clash(void **state)
{
	(void)state;
	struct kith_err err;
	json_t **b = NULL;
	size_t n = 0, *lines = NULL;
	const char *csv = "ref,name,notes\nA-1,x,\"a\nb\"\nA-2,y,z\n";
	assert_int_equal(kith_caseio_parse_lines(KITH_CASEIO_CSV, "case", csv, strlen(csv), "t.csv", 0, &b,
						 &lines, &n, &err),
			 KITH_OK);
	assert_int_equal(n, 2);
	assert_int_equal(lines[0], 2);
	assert_int_equal(lines[1], 4);
	kith_caseio_free(b, n);
	free(lines);
	const char *jl = "{\"ref\":\"A\",\"person\":{\"name\":\"x\"}}\n\n"
			 "{\"ref\":\"B\",\"person\":{\"name\":\"x\"}}\n"
			 "{\"ref\":\"A\",\"person\":{\"name\":\"x\"}}\n";
	kith_err_clear(&err);
	b = NULL;
	lines = NULL;
	assert_int_equal(kith_caseio_parse_lines(KITH_CASEIO_JSONL, "case", jl, strlen(jl), "t.jsonl", 0, &b,
						 &lines, &n, &err),
			 KITH_E_INVALID);
	assert_null(b);
	assert_null(lines);
	assert_string_equal(err.where, "t.jsonl:4:ref");
	assert_string_equal(err.msg, "the same ref as the record on line 1");
	/* the plain parse refuses it too */
	assert_int_equal(
	    kith_caseio_parse(KITH_CASEIO_JSONL, "case", jl, strlen(jl), "t.jsonl", &b, &n, &err),
	    KITH_E_INVALID);
}

static void test_formats(void **state)
{
	(void)state;
	enum kith_caseio_format f;
	assert_int_equal(kith_caseio_format_parse("jsonl", &f), KITH_OK);
	assert_int_equal(f, KITH_CASEIO_JSONL);
	assert_int_equal(kith_caseio_format_parse("NDJSON", &f), KITH_OK);
	assert_int_equal(f, KITH_CASEIO_JSONL);
	assert_int_equal(kith_caseio_format_parse("csv", &f), KITH_OK);
	assert_int_equal(f, KITH_CASEIO_CSV);
	assert_int_equal(kith_caseio_format_parse("xml", &f), KITH_E_INVALID);
	assert_int_equal(kith_caseio_format_parse(NULL, &f), KITH_E_INVALID);
	assert_int_equal(kith_caseio_format_of_path("a/b/cases.CSV"), KITH_CASEIO_CSV);
	assert_int_equal(kith_caseio_format_of_path("x.json"), KITH_CASEIO_JSON);
	assert_int_equal(kith_caseio_format_of_path("x.jsonl"), KITH_CASEIO_JSONL);
	assert_int_equal(kith_caseio_format_of_path("dir.csv/file"), KITH_CASEIO_AUTO);
	assert_int_equal(kith_caseio_format_of_path("-"), KITH_CASEIO_AUTO);
	assert_int_equal(kith_caseio_format_of_path("x.txt"), KITH_CASEIO_AUTO);

	/* auto: one object spread over lines is JSON; one per line JSON Lines; else CSV */
	json_t **b = expect_ok(KITH_CASEIO_AUTO, "case", "{\n \"person\": {\"name\": \"A\"}\n}\n", 1);
	kith_caseio_free(b, 1);
	b = expect_ok(KITH_CASEIO_AUTO, "case",
		      "{\"person\":{\"name\":\"A\"}}\n{\"person\":{\"name\":\"B\"}}\n", 2);
	kith_caseio_free(b, 2);
	b = expect_ok(KITH_CASEIO_AUTO, "case", "name\nA\nB\nC\n", 3);
	kith_caseio_free(b, 3);
}

static void test_read_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/kith-caseio-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/intake.csv", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs("name,sex\nA,female\nB,female\nC,mars\n", f);
	fclose(f);
	json_t **b = SENTINEL;
	size_t n = 7;
	struct kith_err err;
	assert_int_equal(kith_caseio_read_file(path, KITH_CASEIO_AUTO, "case", &b, &n, &err), KITH_E_INVALID);
	char want[300];
	snprintf(want, sizeof want, "%s:4:sex", path);
	assert_string_equal(err.where, want);
	assert_ptr_equal(b, SENTINEL);
	f = fopen(path, "wb");
	fputs("name,sex\nA,female\nB,female\n", f);
	fclose(f);
	assert_int_equal(kith_caseio_read_file(path, KITH_CASEIO_AUTO, "case", &b, &n, &err), KITH_OK);
	assert_int_equal(n, 2);
	kith_caseio_free(b, n);
	unlink(path);
	assert_int_equal(kith_caseio_read_file(path, KITH_CASEIO_AUTO, "case", &b, &n, &err),
			 KITH_E_NOTFOUND);
	rmdir(dir);
	kith_caseio_free(NULL, 0);
}

/* ------------------------------------------------------------ the documented examples */

/* The n-th fenced block of `lang` in text, copied (free it), or NULL. */
static char *fenced(const char *text, const char *lang)
{
	char open[32];
	snprintf(open, sizeof open, "```%s\n", lang);
	const char *b = strstr(text, open);
	if (!b)
		return NULL;
	b += strlen(open);
	const char *e = strstr(b, "```");
	if (!e)
		return NULL;
	return strndup(b, (size_t)(e - b));
}

static void test_docs_examples(void **state)
{
	(void)state;
	/* ctest sets KITH_SOURCE; by hand, the tree this file was compiled from */
	const char *src = getenv("KITH_SOURCE");
	char path[1024];
	if (src) {
		snprintf(path, sizeof path, "%s/docs/formats.md", src);
	} else {
		snprintf(path, sizeof path, "%s", __FILE__);
		char *t = strstr(path, "tests/unit/");
		if (t)
			snprintf(t, sizeof path - (size_t)(t - path), "docs/formats.md");
		else
			snprintf(path, sizeof path, "docs/formats.md");
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (set KITH_SOURCE to the source tree)", path);
	static char text[1 << 16];
	size_t len = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[len] = '\0';
	struct {
		const char *lang;
		enum kith_caseio_format fmt;
		size_t records;
	} blocks[] = {
	    {"json", KITH_CASEIO_JSON, 1},
	    {"jsonl", KITH_CASEIO_JSONL, 3},
	    {"csv", KITH_CASEIO_CSV, 3},
	};
	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
		char *ex = fenced(text, blocks[i].lang);
		if (!ex)
			fail_msg("docs/formats.md has no ```%s example", blocks[i].lang);
		json_t **b = expect_ok(blocks[i].fmt, "case", ex, blocks[i].records);
		kith_caseio_free(b, blocks[i].records);
		free(ex);
	}
}

/* ------------------------------------------------------------ out of memory */

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
	const char *inputs[] = {
	    csv_ok, "{\"person\":{\"name\":\"A\"}}\n{\"person\":{\"name\":\"B\"},\"needs\":[\"legal\"]}\n"};
	const enum kith_caseio_format fmts[] = {KITH_CASEIO_CSV, KITH_CASEIO_JSONL};
	json_get_alloc_funcs(&real_malloc, &real_free);
	json_set_alloc_funcs(tight_malloc, real_free);
	for (size_t i = 0; i < 2; i++) {
		int saw_fail = 0, saw_ok = 0;
		for (long k = 0; k < 100000 && !saw_ok; k++) {
			json_t **b = SENTINEL;
			size_t n = 99;
			struct kith_err err;
			budget = k;
			int rc = kith_caseio_parse(fmts[i], "case", inputs[i], strlen(inputs[i]), "oom", &b,
						   &n, &err);
			budget = -1;
			if (rc == KITH_OK) {
				saw_ok = 1;
				kith_caseio_free(b, n);
			} else {
				/* jansson's lexer reports a failed string allocation as
				 * a syntax error: the one other outcome allowed */
				int jansson_lexer = rc == KITH_E_INVALID && strstr(err.msg, "invalid JSON");
				if (rc != KITH_E_NOMEM && !jansson_lexer)
					fail_msg("budget %ld: status %d at %s: %s", k, rc, err.where,
						 err.msg);
				assert_ptr_equal(b, SENTINEL);
				saw_fail = 1;
			}
		}
		assert_true(saw_fail && saw_ok);
	}
	json_set_alloc_funcs(real_malloc, real_free);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_one_object),
	    cmocka_unit_test(test_json_nul_byte),
	    cmocka_unit_test(test_jsonl),
	    cmocka_unit_test(test_jsonl_long_line),
	    cmocka_unit_test(test_record_cap),
	    cmocka_unit_test(test_csv_import),
	    cmocka_unit_test(test_csv_errors),
	    cmocka_unit_test(test_csv_all_or_nothing),
	    cmocka_unit_test(test_csv_formula_defusing),
	    cmocka_unit_test(test_round_trips),
	    cmocka_unit_test(test_export_refuses),
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_lines_and_clash),
	    cmocka_unit_test(test_read_file),
	    cmocka_unit_test(test_docs_examples),
	    cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
