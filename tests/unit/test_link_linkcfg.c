/* Unit tests of src/link/linkcfg: the key = value configuration and blocking rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "link/linkcfg.h"

static int parse(struct kith_linkcfg *c, const char *text, struct kith_err *err)
{
	kith_linkcfg_init(c);
	return kith_linkcfg_parse(c, text, strlen(text), "t.cfg", err);
}

static void test_febrl_config(void **state)
{
	(void)state;
	const char *t = "\xEF\xBB\xBF# FEBRL 4\n"
			"id = rec_id\n"
			"field.given_name = fuzzy levels=0.9,0.75\n"
			"field.surname = fuzzy tf   # common surnames count less\n"
			"field.date_of_birth = date\n"
			"field.postcode = exact weights=6.5,-2\r\n"
			"ignore = address_2 street_number\n"
			"\n"
			"block = field:surname\n"
			"block =   prefix:given_name:3    year:date_of_birth~1\n"
			"mode = link\n"
			"threshold = 0.95\n"
			"max_pairs = 1000\n"
			"seed = 42\n"
			"u_samples = 5000\n"
			"tf_max = 3\n"
			"rivals = 0.2\n"
			"name_levels = 0.9 0.7\n";
	struct kith_linkcfg c;
	struct kith_err err;
	assert_int_equal(parse(&c, t, &err), KITH_OK);
	assert_string_equal(c.roles[KITH_ROLE_ID][0], "rec_id");
	assert_int_equal(c.n_fields, 4);
	const struct kith_linkcfg_field *f = kith_linkcfg_field_find(&c, "GIVEN_NAME");
	assert_non_null(f);
	assert_int_equal(f->type, KITH_LINKCFG_FUZZY);
	assert_float_equal(f->levels[0], 0.9, 1e-12);
	assert_float_equal(f->levels[1], 0.75, 1e-12);
	f = kith_linkcfg_field_find(&c, "surname");
	assert_true(f->tf);
	f = kith_linkcfg_field_find(&c, "postcode");
	assert_int_equal(f->n_weights, 2);
	assert_float_equal(f->weights[0], 6.5, 1e-12);
	assert_int_equal(c.n_ignore, 2);
	assert_int_equal(c.n_rules, 2);
	assert_string_equal(c.rules[1].text, "prefix:given_name:3 year:date_of_birth~1");
	assert_int_equal(c.rules[1].n_comp, 2);
	assert_int_equal(c.rules[1].comp[0].kind, KITH_BLOCK_PREFIX);
	assert_int_equal(c.rules[1].comp[0].prefix, 3);
	assert_int_equal(c.rules[1].comp[1].kind, KITH_BLOCK_YEAR);
	assert_int_equal(c.rules[1].comp[1].window, 1);
	assert_int_equal(c.mode, KITH_LINKCFG_LINK);
	assert_float_equal(c.threshold, 0.95, 1e-12);
	assert_int_equal(c.max_pairs, 1000);
	assert_int_equal(c.seed, 42);
	assert_int_equal(c.u_samples, 5000);
	assert_float_equal(c.tf_max, 3, 1e-12);
	assert_float_equal(c.rivals, 0.2, 1e-12);
	assert_float_equal(c.name_levels[1], 0.7, 1e-12);
	/* rivals: auto is 0 (the default), off is negative */
	assert_int_equal(parse(&c, "rivals = off\n", &err), KITH_OK);
	assert_true(c.rivals < 0);
	assert_int_equal(parse(&c, "rivals = auto\n", &err), KITH_OK);
	assert_float_equal(c.rivals, 0, 1e-12);
}

static void test_roles_with_several_columns(void **state)
{
	(void)state;
	struct kith_linkcfg c;
	struct kith_err err;
	assert_int_equal(parse(&c, "name = given_name surname\nother_names = alias1 alias2\n", &err),
			 KITH_OK);
	assert_string_equal(c.roles[KITH_ROLE_NAME][0], "given_name");
	assert_string_equal(c.roles[KITH_ROLE_NAME][1], "surname");
	assert_string_equal(c.roles[KITH_ROLE_OTHER_NAMES][1], "alias2");
	assert_int_equal(parse(&c, "name = a b c d e\n", &err), KITH_E_LIMIT);
	assert_string_equal(err.where, "t.cfg:1");
}

struct bad_case {
	const char *text;
	int status;
	const char *where;
	const char *in_msg;
};

static void test_errors_name_the_line(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
	    {"id = x\n\nfrobnicate = 1\n", KITH_E_INVALID, "t.cfg:3", "unknown key"},
	    {"just words\n", KITH_E_INVALID, "t.cfg:1", "key = value"},
	    {"= 3\n", KITH_E_INVALID, "t.cfg:1", "key is missing"},
	    {"field.x = fancy\n", KITH_E_INVALID, "t.cfg:1", "exact, fuzzy or date"},
	    {"field.x =\n", KITH_E_INVALID, "t.cfg:1", "a type is needed"},
	    {"field.x = exact weights=1,2,3\n", KITH_E_INVALID, "t.cfg:1", "needs 2 numbers"},
	    {"field.x = fuzzy weights=1,2\n", KITH_E_INVALID, "t.cfg:1", "needs 4 numbers"},
	    {"field.x = exact weights=1,nan\n", KITH_E_INVALID, "t.cfg:1", "weights="},
	    {"field.x = fuzzy levels=0.5,0.9\n", KITH_E_INVALID, "t.cfg:1", "T1 > T2"},
	    {"field.x = exact levels=0.9,0.5\n", KITH_E_INVALID, "t.cfg:1", "fuzzy fields"},
	    {"field.x = date tf\n", KITH_E_INVALID, "t.cfg:1", "tf applies"},
	    {"field.x = exact\nfield.X = fuzzy\n", KITH_E_INVALID, "t.cfg:2", "declared twice"},
	    {"field.name = fuzzy\n", KITH_E_INVALID, "t.cfg:1", "recognized column"},
	    {"field.x = exact bogus\n", KITH_E_INVALID, "t.cfg:1", "unknown option"},
	    {"block = name frob\n", KITH_E_INVALID, "t.cfg:1", "component 2"},
	    {"block = all name\n", KITH_E_INVALID, "t.cfg:1", "'all'"},
	    {"block = birth_year~1 year:d~2\n", KITH_E_INVALID, "t.cfg:1", "one year component"},
	    {"block = prefix:x:0\n", KITH_E_INVALID, "t.cfg:1", "prefix:COLUMN:N"},
	    {"block = birth_year~11\n", KITH_E_INVALID, "t.cfg:1", "window"},
	    {"block =\n", KITH_E_INVALID, "t.cfg:1", "empty blocking rule"},
	    {"block = a b c d e\n", KITH_E_INVALID, "t.cfg:1", "component 1"},
	    {"block = name sex origin source birth_year\n", KITH_E_LIMIT, "t.cfg:1", "at most 4"},
	    {"mode = both\n", KITH_E_INVALID, "t.cfg:1", "dedupe or link"},
	    {"threshold = 1\n", KITH_E_INVALID, "t.cfg:1", "probability"},
	    {"threshold = 0.5x\n", KITH_E_INVALID, "t.cfg:1", "probability"},
	    {"threshold = automatic\n", KITH_E_INVALID, "t.cfg:1", "auto or a probability"},
	    {"review_threshold = 0\n", KITH_E_INVALID, "t.cfg:1", "review_threshold"},
	    {"max_pairs = -5\n", KITH_E_INVALID, "t.cfg:1", "positive"},
	    {"max_pairs = 0\n", KITH_E_INVALID, "t.cfg:1", "positive"},
	    {"u_samples = 10\n", KITH_E_INVALID, "t.cfg:1", "u_samples"},
	    {"rivals = 0\n", KITH_E_INVALID, "t.cfg:1", "rivals"},
	    {"rivals = 11\n", KITH_E_INVALID, "t.cfg:1", "rivals"},
	    {"rivals = some\n", KITH_E_INVALID, "t.cfg:1", "rivals"},
	    {"seed = x\n", KITH_E_INVALID, "t.cfg:1", "seed"},
	    {"name_levels = 0.5\n", KITH_E_INVALID, "t.cfg:1", "name_levels"},
	    {"id = a\nsex = b\x01\n", KITH_E_INVALID, "t.cfg:2", "control character"},
	    {"id = a\n\xEF\xBB\xBFsex = b\n", KITH_E_INVALID, "t.cfg:2", "byte-order mark"},
	    {"id = a\nsex = \xC3\x28\n", KITH_E_INVALID, "t.cfg:2", "invalid UTF-8"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kith_linkcfg c;
		struct kith_err err;
		kith_err_clear(&err);
		int rc = parse(&c, cases[i].text, &err);
		if (rc != cases[i].status || strcmp(err.where, cases[i].where) != 0 ||
		    !strstr(err.msg, cases[i].in_msg))
			print_error("case %zu: rc %d where '%s' msg '%s'\n", i, rc, err.where, err.msg);
		assert_int_equal(rc, cases[i].status);
		assert_string_equal(err.where, cases[i].where);
		assert_non_null(strstr(err.msg, cases[i].in_msg));
	}
}

static void test_nul_and_long_lines(void **state)
{
	(void)state;
	struct kith_linkcfg c;
	struct kith_err err;
	const char nul[] = "id = a\nsex\0= b\n";
	kith_linkcfg_init(&c);
	assert_int_equal(kith_linkcfg_parse(&c, nul, sizeof nul - 1, "t.cfg", &err), KITH_E_INVALID);
	assert_string_equal(err.where, "t.cfg:2");
	char longl[3000];
	memset(longl, 'a', sizeof longl);
	memcpy(longl, "id = ", 5);
	longl[sizeof longl - 1] = '\0';
	assert_int_equal(parse(&c, longl, &err), KITH_E_LIMIT);
	assert_string_equal(err.where, "t.cfg:1");
	char many[4096] = "";
	for (int i = 0; i < KITH_LINKCFG_MAX_RULES + 1; i++)
		strcat(many, "block = name\n");
	assert_int_equal(parse(&c, many, &err), KITH_E_LIMIT);
	char buf[64];
	snprintf(buf, sizeof buf, "t.cfg:%d", KITH_LINKCFG_MAX_RULES + 1);
	assert_string_equal(err.where, buf);
}

static void test_failure_leaves_config_unchanged(void **state)
{
	(void)state;
	struct kith_linkcfg c, before;
	struct kith_err err;
	assert_int_equal(parse(&c, "threshold = 0.8\nblock = name\n", &err), KITH_OK);
	before = c;
	assert_int_equal(
	    kith_linkcfg_parse(&c, "threshold = 0.7\nblock = sex\nbogus = 1\n", 40, "u.cfg", &err),
	    KITH_E_INVALID);
	assert_memory_equal(&c, &before, sizeof c);
	/* a later file adds to an earlier one */
	assert_int_equal(kith_linkcfg_parse(&c, "block = sex\n", 12, "u.cfg", &err), KITH_OK);
	assert_int_equal(c.n_rules, 2);
	assert_float_equal(c.threshold, 0.8, 1e-12);
}

static void test_training_keys(void **state)
{
	(void)state;
	struct kith_linkcfg c;
	struct kith_err err;
	kith_linkcfg_init(&c);
	const char *t = "train_records = 20000\ntrain_block = name\ntrain_block = surname birth_year~2\n";
	assert_int_equal(kith_linkcfg_parse(&c, t, strlen(t), "t.cfg", &err), KITH_OK);
	assert_int_equal(c.train_records, 20000);
	assert_int_equal(c.n_train_rules, 2);
	assert_string_equal(c.train_rules[1].text, "surname birth_year~2");
	assert_int_equal(c.n_rules, 0); /* the scoring rules stay the defaults */
	const char *bad = "train_records = 5\n";
	assert_int_equal(kith_linkcfg_parse(&c, bad, strlen(bad), "b.cfg", &err), KITH_E_INVALID);
	assert_string_equal(err.where, "b.cfg:1");
	assert_int_equal(c.train_records, 20000); /* unchanged */
	const char *bad2 = "train_block = name nonsense\n";
	assert_int_equal(kith_linkcfg_parse(&c, bad2, strlen(bad2), "b.cfg", &err), KITH_E_INVALID);
}

static void test_rule_parse(void **state)
{
	(void)state;
	struct kith_linkcfg_rule r;
	struct kith_err err;
	assert_int_equal(kith_linkcfg_rule_parse(&r, "  name   birth_year~1 ", &err), KITH_OK);
	assert_string_equal(r.text, "name birth_year~1");
	assert_int_equal(r.n_comp, 2);
	assert_int_equal(r.comp[0].kind, KITH_BLOCK_NAME);
	assert_int_equal(r.comp[1].kind, KITH_BLOCK_BIRTH_YEAR);
	assert_int_equal(r.comp[1].window, 1);
	assert_int_equal(kith_linkcfg_rule_parse(&r, "all", &err), KITH_OK);
	assert_int_equal(r.n_comp, 0);
	assert_int_equal(kith_linkcfg_rule_parse(&r, "surname sex origin source", &err), KITH_OK);
	assert_int_equal(r.n_comp, 4);
	assert_int_equal(kith_linkcfg_rule_parse(&r, "field:postcode", &err), KITH_OK);
	assert_string_equal(r.comp[0].column, "postcode");
	assert_int_equal(kith_linkcfg_rule_parse(&r, "field:", &err), KITH_E_INVALID);
	assert_int_equal(kith_linkcfg_rule_parse(&r, "year:d:3", &err), KITH_E_INVALID);
	assert_int_equal(kith_linkcfg_rule_parse(&r, "birth_yearx", &err), KITH_E_INVALID);
	char longr[400];
	memset(longr, 'n', sizeof longr);
	longr[sizeof longr - 1] = '\0';
	assert_int_equal(kith_linkcfg_rule_parse(&r, longr, &err), KITH_E_LIMIT);
}

static void test_load_file(void **state)
{
	(void)state;
	struct kith_linkcfg c;
	struct kith_err err;
	kith_linkcfg_init(&c);
	assert_int_equal(kith_linkcfg_load(&c, "/nonexistent/kith.cfg", &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_linkcfg_type_levels(KITH_LINKCFG_DATE), 5);
	assert_string_equal(kith_linkcfg_role_name(KITH_ROLE_AGE_IN_YEAR), "age_in_year");
}

/* The tiers' thresholds: auto (0, chosen from the model) or a probability. */
static void test_tier_thresholds(void **state)
{
	(void)state;
	struct kith_linkcfg c;
	struct kith_err err;
	assert_int_equal(parse(&c, "threshold = 0.8\nreview_threshold = 0.2\n", &err), KITH_OK);
	assert_float_equal(c.threshold, 0.8, 1e-12);
	assert_float_equal(c.review_threshold, 0.2, 1e-12);
	assert_int_equal(parse(&c, "threshold = auto\nreview_threshold = auto\n", &err), KITH_OK);
	assert_true(c.threshold == 0 && c.review_threshold == 0);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_febrl_config),
	    cmocka_unit_test(test_roles_with_several_columns),
	    cmocka_unit_test(test_errors_name_the_line),
	    cmocka_unit_test(test_nul_and_long_lines),
	    cmocka_unit_test(test_failure_leaves_config_unchanged),
	    cmocka_unit_test(test_rule_parse),
	    cmocka_unit_test(test_training_keys),
	    cmocka_unit_test(test_tier_thresholds),
	    cmocka_unit_test(test_load_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
