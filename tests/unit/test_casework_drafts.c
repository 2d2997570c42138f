/* Unit tests of src/casework/drafts: a draft kept as typed, replaced by the
 * next save, closed when saved or abandoned, listed newest first, and never
 * seen where cases are read (every name here is invented). */
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
#include "casework/drafts.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static int setup(void **state)
{
	*state = fixture_vault_new("drafts");
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

static void reopen(struct fixture_vault *f)
{
	kith_vault_close(f->v);
	f->v = NULL;
	f->v = fixture_vault_open(f);
}

static void test_save_list_reopen(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	/* a half-filled form: not a valid case, kept as typed */
	const char *typed = "{\"person\":{\"name\":\"한미래\"},\"narrative\":\"그날 밤 강을\"}";
	assert_int_equal(kith_drafts_save(f->v, "#/new", "New case", typed, &err), 0);
	assert_int_equal(kith_drafts_count(f->v), 1);
	reopen(f); /* a crash or a power cut: the vault file is all there is */
	json_t *list = NULL;
	assert_int_equal(kith_drafts_list(f->v, 1, &list, &err), 0);
	assert_int_equal(json_array_size(list), 1);
	json_t *d = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(d, "form")), "#/new");
	assert_string_equal(json_string_value(json_object_get(d, "title")), "New case");
	assert_string_equal(json_string_value(json_object_get(d, "data")), typed);
	assert_true(json_integer_value(json_object_get(d, "at")) > 0);
	json_decref(list);
	/* without data */
	assert_int_equal(kith_drafts_list(f->v, 0, &list, &err), 0);
	assert_null(json_object_get(json_array_get(list, 0), "data"));
	json_decref(list);
}

static void test_save_again_is_one_record(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	assert_int_equal(kith_drafts_save(f->v, "#/new", NULL, "{\"a\":1}", &err), 0);
	assert_int_equal(kith_drafts_save(f->v, "#/new", NULL, "{\"a\":2}", &err), 0);
	assert_int_equal(kith_drafts_save(f->v, "#/case/K-1/edit", NULL, "{\"b\":1}", &err), 0);
	size_t n = 0;
	(void)kith_vault_records(f->v, "draft", &n);
	assert_int_equal(n, 2);
	json_t *list = NULL;
	assert_int_equal(kith_drafts_list(f->v, 1, &list, &err), 0);
	assert_int_equal(json_array_size(list), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *d = json_array_get(list, i);
		if (!strcmp(json_string_value(json_object_get(d, "form")), "#/new"))
			assert_string_equal(json_string_value(json_object_get(d, "data")), "{\"a\":2}");
	}
	json_decref(list);
}

static void test_discard(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	/* nothing to discard: fine, nothing written */
	assert_int_equal(kith_drafts_discard(f->v, "#/new", &err), 0);
	size_t n = 0;
	(void)kith_vault_records(f->v, "draft", &n);
	assert_int_equal(n, 0);
	assert_int_equal(kith_drafts_save(f->v, "#/new", NULL, "{\"a\":1}", &err), 0);
	assert_int_equal(kith_drafts_discard(f->v, "#/new", &err), 0);
	assert_int_equal(kith_drafts_count(f->v), 0);
	/* the closed version holds no typed text */
	const struct kith_record_view *r = kith_vault_records(f->v, "draft", &n);
	assert_int_equal(n, 1);
	assert_null(strstr(r[0].body, "\"a\""));
	/* a second discard writes nothing */
	uint64_t g = kith_vault_generation(f->v);
	assert_int_equal(kith_drafts_discard(f->v, "#/new", &err), 0);
	assert_int_equal(kith_vault_generation(f->v), g);
	/* the next save reuses the record */
	assert_int_equal(kith_drafts_save(f->v, "#/new", NULL, "{\"a\":3}", &err), 0);
	(void)kith_vault_records(f->v, "draft", &n);
	assert_int_equal(n, 1);
	assert_int_equal(kith_drafts_count(f->v), 1);
}

static void test_not_a_case(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	assert_int_equal(kith_drafts_save(f->v, "#/new", NULL, "{\"person\":{\"name\":\"한미래\"}}", &err),
			 0);
	size_t n = 9;
	(void)kith_vault_records(f->v, "case", &n);
	assert_int_equal(n, 0);
	struct kith_vault_info info;
	kith_vault_info(f->v, &info);
	assert_int_equal(info.records, 1);
}

static void test_bad_input(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	assert_int_equal(kith_drafts_save(f->v, "", NULL, "{}", &err), KITH_E_INVALID);
	assert_string_equal(err.where, "form");
	assert_int_equal(kith_drafts_save(f->v, "#/new", NULL, "{not json", &err), KITH_E_INVALID);
	assert_string_equal(err.where, "data");
	assert_int_equal(kith_drafts_save(f->v, "#/new", NULL, NULL, &err), KITH_E_INVALID);
	char *big = malloc(KITH_DRAFTS_DATA_MAX + 8);
	assert_non_null(big);
	memset(big, ' ', KITH_DRAFTS_DATA_MAX + 4);
	big[0] = '1';
	big[KITH_DRAFTS_DATA_MAX + 4] = '\0';
	assert_int_equal(kith_drafts_save(f->v, "#/new", NULL, big, &err), KITH_E_INVALID);
	free(big);
	char form[KITH_DRAFTS_FORM_MAX + 2];
	memset(form, 'x', sizeof form - 1);
	form[sizeof form - 1] = '\0';
	assert_int_equal(kith_drafts_save(f->v, form, NULL, "{}", &err), KITH_E_INVALID);
	assert_int_equal(kith_drafts_discard(f->v, NULL, &err), KITH_E_INVALID);
	size_t n = 0;
	(void)kith_vault_records(f->v, "draft", &n);
	assert_int_equal(n, 0);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_save_list_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_again_is_one_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_a_case, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
