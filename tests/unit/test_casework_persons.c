/* Unit tests of src/casework/persons: lists, consent and persons for
 * estimation (every name here is invented). */
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
#include "casework/persons.h"
#include "record/caseio.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static int setup(void **state)
{
	struct fixture_vault *f = fixture_vault_new("persons");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

/* One case: name, organization (NULL: none), reporting consent (-1: unstated). */
static void put(struct kith_vault *v, const char *name, const char *org, int consent)
{
	json_t *b = json_pack("{s:{s:s}}", "person", "name", name);
	if (org)
		json_object_set_new(b, "source", json_pack("{s:s}", "organization", org));
	if (consent >= 0)
		json_object_set_new(b, "consent", json_pack("{s:b}", "reporting", consent));
	fixture_vault_put(v, "case", b);
	json_decref(b);
}

static void test_listmap_parse(void **state)
{
	(void)state;
	struct kith_err err;
	struct kith_persons_listmap *m = NULL;
	const char good[] = "organization,list\n# a comment\n Shelter A ,Shelter\nshelter a,Shelter\n";
	assert_int_equal(kith_persons_listmap_parse(good, strlen(good), "map.csv", &m, &err), KITH_OK);
	kith_persons_listmap_free(m);
	const char *bad[] = {
	    "org,list\nx,y\n",			/* header */
	    "organization,list\n",		/* no rows */
	    "organization,list\nx,\n",		/* empty list */
	    "organization,list\n ,y\n",		/* empty organization */
	    "organization,list\nx,y\nx,z\n",	/* a spelling twice */
	    "organization,list\nx,y,z\n",	/* ragged */
	    "organization,list\n\"x,y\n",	/* quoting */
	    "organization,list,extra\nx,y,z\n", /* columns */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		kith_err_clear(&err);
		m = NULL;
		int rc = kith_persons_listmap_parse(bad[i], strlen(bad[i]), "map.csv", &m, &err);
		if (rc >= 0)
			fail_msg("case %zu accepted", i);
		assert_null(m);
		assert_non_null(strstr(err.where, "map.csv"));
	}
}

static void test_consent_and_lists(void **state)
{
	struct fixture_vault *f = *state;
	put(f->v, "Kim Ok-sun", "Shelter A", 1);
	put(f->v, "Ri Chol-min", "Church B", 1);
	put(f->v, "Pak Un-hui", "Church B", 0);	  /* refused */
	put(f->v, "Han Song-i", "Shelter A", -1); /* unstated: not consent */
	put(f->v, "Jo Myong-ok", NULL, 1);	  /* on no list */
	struct kith_stats_memberships ms;
	struct kith_persons_report rep;
	struct kith_err err;
	assert_int_equal(kith_persons_memberships(f->v, NULL, &ms, &rep, &err), KITH_OK);
	assert_int_equal(rep.cases, 5);
	assert_int_equal(rep.no_consent, 2);
	assert_int_equal(rep.no_org, 1);
	assert_int_equal(rep.persons, 2);
	assert_int_equal(ms.n, 2);
	assert_int_equal(ms.n_lists, 2);
	assert_int_equal(rep.n_spellings, 2);
	kith_persons_report_release(&rep);
	kith_stats_memberships_release(&ms);

	/* written alike without a mapping: refused */
	put(f->v, "Choe Sun-hui", "shelter-a", 1);
	kith_err_clear(&err);
	assert_int_equal(kith_persons_memberships(f->v, NULL, &ms, &rep, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "lists");
	assert_null(ms.m);
	assert_int_equal(rep.n_spellings, 0);

	/* with a mapping: one list */
	const char map[] = "organization,list\nShelter A,Shelter\nshelter-a,Shelter\nChurch B,Church\n";
	struct kith_persons_listmap *m = NULL;
	assert_int_equal(kith_persons_listmap_parse(map, strlen(map), "map.csv", &m, &err), KITH_OK);
	struct kith_persons_opts o = {.lists = m};
	assert_int_equal(kith_persons_memberships(f->v, &o, &ms, &rep, &err), KITH_OK);
	assert_int_equal(ms.n_lists, 2);
	assert_int_equal(rep.persons, 3);
	assert_int_equal(rep.n_spellings, 3);
	kith_persons_report_release(&rep);
	kith_stats_memberships_release(&ms);
	kith_persons_listmap_free(m);
}

static void test_one_list(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_stats_memberships ms;
	struct kith_persons_report rep;
	struct kith_err err;
	assert_int_equal(kith_persons_memberships(f->v, NULL, &ms, &rep, &err),
			 KITH_E_INVALID); /* no cases */
	put(f->v, "Kim Ok-sun", "Shelter A", 1);
	put(f->v, "Ri Chol-min", "Church B", 0);
	kith_err_clear(&err);
	assert_int_equal(kith_persons_memberships(f->v, NULL, &ms, &rep, &err), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "two lists or more"));
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_listmap_parse),
	    cmocka_unit_test_setup_teardown(test_consent_and_lists, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_list, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
