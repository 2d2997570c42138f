/* Unit tests of src/casework/report: the vault's persons as field values for
 * reports — one person once (a confirmed link joins two cases), only cases
 * with reporting consent, persons without it counted as left out, fields by
 * name with labels, disagreeing cases made unknown, free text refused, and
 * the CTDC age bands. Every name is invented. */
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
#include "casework/linkvault.h"
#include "casework/report.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static int setup(void **state)
{
	struct fixture_vault *f = fixture_vault_new("report");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

static const char *cell(const struct kith_report_table *t, size_t p, size_t f)
{
	return t->d.values[p * t->d.n_fields + f];
}

static void test_persons(void **state)
{
	struct fixture_vault *f = *state;
	/* Mira Holt twice (two organizations, one with consent), Sina Vale once
	 * without consent, Lena Dorn with two needs, Ada Wren whose two cases
	 * disagree on sex */
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"A-1\",\"person\":{\"name\":\"Mira Holt\",\"sex\":\"female\",\"birth\":\"1990\","
	    "\"origin\":{\"province\":\"ryanggang\"}},\"source\":{\"organization\":\"shelter\","
	    "\"date\":\"2019-05-01\"},\"needs\":[\"shelter\"],\"consent\":{\"reporting\":true}}");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"A-2\",\"person\":{\"name\":\"Mira Holt\",\"sex\":\"female\",\"birth\":\"1990\","
	    "\"origin\":{\"province\":\"ryanggang\"}},\"source\":{\"organization\":\"church\"},"
	    "\"consent\":{\"reporting\":false}}");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"B-1\",\"person\":{\"name\":\"Sina Vale\",\"sex\":\"female\"},"
	    "\"source\":{\"organization\":\"shelter\"},\"consent\":{\"reporting\":false}}");
	fixture_vault_put_json(
	    f->v, "case",
	    "{\"ref\":\"C-1\",\"person\":{\"name\":\"Lena Dorn\",\"sex\":\"female\",\"birth\":\"2004-06\"},"
	    "\"source\":{\"organization\":\"church\",\"date\":\"2020-03\"},"
	    "\"needs\":[\"medical\",\"legal\"],\"consent\":{\"reporting\":true}}");
	fixture_vault_put_json(f->v, "case",
			       "{\"ref\":\"D-1\",\"person\":{\"name\":\"Ada Wren\",\"sex\":\"female\"},"
			       "\"source\":{\"organization\":\"shelter\"},\"consent\":{\"reporting\":true}}");
	fixture_vault_put_json(f->v, "case",
			       "{\"ref\":\"D-2\",\"person\":{\"name\":\"Ada Wren\",\"sex\":\"male\"},"
			       "\"source\":{\"organization\":\"police\"},\"consent\":{\"reporting\":true}}");
	/* a reviewer's confirmed links make Ada Wren's and Mira Holt's cases one person each */
	struct kith_err err;
	char id[KITH_VAULT_ID_HEX];
	int mrc = kith_link_vault_merge(f->v, "D-1", "D-2", "tester", NULL, id, &err);
	assert_true(mrc == KITH_OK || mrc == KITH_E_EXISTS); /* linkage may join them already */
	mrc = kith_link_vault_merge(f->v, "A-1", "A-2", "tester", NULL, id, &err);
	assert_true(mrc == KITH_OK || mrc == KITH_E_EXISTS);

	const char *fields[] = {"sex", "origin", "needs", "org", "year", "age_band"};
	struct kith_report_table t;
	struct kith_casework_report_info info;
	assert_int_equal(kith_casework_report_persons(f->v, fields, 6, NULL, &t, &info, &err), KITH_OK);
	assert_int_equal(info.cases, 6);
	assert_int_equal(info.no_consent, 2);
	/* persons: Mira (with consent on A-1), Lena, Ada; Sina left out */
	assert_int_equal(t.d.n_persons, 3);
	assert_int_equal(info.left_out, 1);
	assert_int_equal(t.d.left_out, 1);
	assert_true(t.d.consent_checked);
	int mira = -1, lena = -1, ada = -1;
	for (size_t p = 0; p < t.d.n_persons; p++) {
		if (strcmp(cell(&t, p, 1), "ryanggang") == 0)
			mira = (int)p;
		else if (strstr(cell(&t, p, 2), "medical"))
			lena = (int)p;
		else
			ada = (int)p;
	}
	assert_true(mira >= 0 && lena >= 0 && ada >= 0);
	/* Mira: the church case has no consent, so only the shelter counts */
	assert_string_equal(cell(&t, (size_t)mira, 3), "shelter");
	assert_string_equal(cell(&t, (size_t)mira, 4), "2019");
	assert_string_equal(cell(&t, (size_t)mira, 5), "27-29");
	/* Lena: two needs; born 2004-06, registered 2020-03: 15 -> 9-17 */
	assert_non_null(strstr(cell(&t, (size_t)lena, 2), "medical"));
	assert_non_null(strstr(cell(&t, (size_t)lena, 2), ";"));
	assert_string_equal(cell(&t, (size_t)lena, 5), "9-17");
	/* Ada: her cases disagree on sex: unknown; two organizations */
	assert_string_equal(cell(&t, (size_t)ada, 0), "");
	assert_true(info.conflicts >= 1);
	assert_non_null(strstr(cell(&t, (size_t)ada, 3), ";"));
	kith_report_table_free(&t);

	/* labels in Korean */
	const char *sexf[] = {"sex"};
	assert_int_equal(kith_casework_report_persons(f->v, sexf, 1, "ko", &t, &info, &err), KITH_OK);
	int ko = 0;
	for (size_t p = 0; p < t.d.n_persons; p++)
		ko |= strcmp(cell(&t, p, 0), "female") != 0 && cell(&t, p, 0)[0] != '\0';
	assert_true(ko);
	kith_report_table_free(&t);

	/* free text and unknown fields are refused */
	const char *bad[] = {"narrative"};
	assert_int_equal(kith_casework_report_persons(f->v, bad, 1, NULL, &t, &info, &err), KITH_E_INVALID);
	const char *name[] = {"person.name"};
	assert_int_equal(kith_casework_report_persons(f->v, name, 1, NULL, &t, &info, &err), KITH_E_INVALID);
	assert_int_equal(kith_casework_report_persons(f->v, sexf, 1, "fr", &t, &info, &err), KITH_E_INVALID);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {cmocka_unit_test_setup_teardown(test_persons, setup, teardown)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
