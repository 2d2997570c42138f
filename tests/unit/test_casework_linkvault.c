/* Unit tests of src/link/linkvault: proposed links, review, undo, manual
 * merges and persons in a real (test-KDF) vault. KITH_KDF_TEST keeps the
 * Argon2id cost at its minimum: these tests are about links, not the KDF. */
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
#include "link/link.h"
#include "casework/linkvault.h"

static struct fixture_vault *fx; /* closed between tests: each opens its own handle */

static struct kith_vault *open_v(void)
{
	return fixture_vault_open(fx);
}

static int setup(void **state)
{
	(void)state;
	fx = fixture_vault_new("linkvault");
	struct kith_vault *v = fx->v;
	struct kith_err err;
	struct kith_vault_batch *b;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	/* three people recorded twice by two organizations (invented names), and strangers */
	fixture_vault_put_case(b, "C-1", "Anna Berg", "female", "1980", "ryanggang", "shelter");
	fixture_vault_put_case(b, "C-2", "Anna Berg", "female", "1980", "ryanggang", "police");
	fixture_vault_put_case(b, "C-3", "Carla Dahl", "female", "1975-03-02", "north_hamgyong", "shelter");
	fixture_vault_put_case(b, "C-4", "Karla Dahl", "female", "1975-03-02", "north_hamgyong", "police");
	fixture_vault_put_case(b, "C-5", "Eva Falk", "female", "1990", "chagang", "shelter");
	fixture_vault_put_case(b, "C-6", "Eva Falk", "female", "1990", "chagang", "church");
	fixture_vault_put_case(b, "C-7", "Gustav Holm", "male", "1960", "kangwon", "church");
	fixture_vault_put_case(b, "C-8", "Ivar Jung", "male", "1955", "pyongyang", "police");
	fixture_vault_put_crowd(b); /* so the model has non-matches to learn from */
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

static size_t person_of(struct kith_vault *v, const size_t *person, const char *ref)
{
	const struct kith_record_view *c = kith_vault_find(v, "case", ref);
	assert_non_null(c);
	return person[c->index];
}

static void test_review_flow(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	/* before any link: every case a person alone */
	size_t *person = NULL, n = 0;
	assert_int_equal(kith_link_vault_persons(v, &person, &n, &err), KITH_OK);
	assert_int_equal(n, 48);
	assert_int_equal(person[47], 47);
	free(person);

	/* propose */
	struct kith_linkcfg cfg;
	kith_linkcfg_init(&cfg);
	struct kith_dataset *ds;
	size_t *cor;
	assert_int_equal(kith_link_vault_dataset(v, &cfg, &ds, &cor, &err), KITH_OK);
	assert_int_equal(kith_dataset_count(ds), 48);
	assert_int_equal(kith_dataset_n_sources(ds), 3);
	struct kith_link_result r;
	assert_int_equal(kith_link_run(ds, NULL, &r, &err), KITH_OK);
	size_t np = 0, ns = 0;
	assert_int_equal(kith_link_vault_propose(v, &r, ds, cor, "tester", &np, &ns, &err), KITH_OK);
	assert_true(np >= 2);
	/* proposing again adds nothing */
	size_t np2 = 9;
	assert_int_equal(kith_link_vault_propose(v, &r, ds, cor, "tester", &np2, &ns, &err), KITH_OK);
	assert_int_equal(np2, 0);
	assert_int_equal(ns, np);
	kith_link_result_release(&r);
	kith_dataset_free(ds);
	free(cor);

	/* proposed links do not join persons */
	assert_int_equal(kith_link_vault_persons(v, &person, &n, &err), KITH_OK);
	assert_true(person_of(v, person, "C-1") != person_of(v, person, "C-2"));
	free(person);

	/* the review list carries refs, names and explanations */
	json_t *links;
	assert_int_equal(kith_link_vault_links_json(v, "proposed", 1, &cfg, &links, &err), KITH_OK);
	assert_int_equal(json_array_size(links), np);
	char anna[KITH_VAULT_ID_HEX] = "", eva[KITH_VAULT_ID_HEX] = "";
	for (size_t i = 0; i < json_array_size(links); i++) {
		json_t *l = json_array_get(links, i);
		json_t *cs = json_object_get(l, "cases");
		assert_int_equal(json_array_size(cs), 2);
		assert_non_null(json_object_get(l, "explanations"));
		assert_int_equal(json_array_size(json_object_get(l, "explanations")), 1);
		const char *ref = json_string_value(json_object_get(json_array_get(cs, 0), "ref"));
		const char *name = json_string_value(json_object_get(json_array_get(cs, 0), "name"));
		assert_non_null(name);
		if (!strcmp(ref, "C-1") || !strcmp(ref, "C-2"))
			snprintf(anna, sizeof anna, "%s", json_string_value(json_object_get(l, "id")));
		if (!strcmp(ref, "C-5") || !strcmp(ref, "C-6"))
			snprintf(eva, sizeof eva, "%s", json_string_value(json_object_get(l, "id")));
	}
	json_decref(links);
	assert_true(anna[0] && eva[0]);

	/* confirm one (by a prefix of its id), reject another */
	char full[KITH_VAULT_ID_HEX];
	char prefix[9];
	memcpy(prefix, anna, 8);
	prefix[8] = '\0';
	assert_int_equal(
	    kith_link_vault_set_status(v, prefix, "confirmed", "reviewer-a", "same intake photo", full, &err),
	    KITH_OK);
	assert_string_equal(full, anna);
	assert_int_equal(kith_link_vault_set_status(v, eva, "rejected", "reviewer-b", NULL, NULL, &err),
			 KITH_OK);
	/* not allowed: reject a confirmed link (undo it instead), confirm twice */
	assert_int_equal(kith_link_vault_set_status(v, anna, "rejected", "x", NULL, NULL, &err),
			 KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "undo"));
	assert_int_equal(kith_link_vault_set_status(v, anna, "confirmed", "x", NULL, NULL, &err),
			 KITH_E_INVALID);
	assert_int_equal(kith_link_vault_set_status(v, "abc", "confirmed", "x", NULL, NULL, &err),
			 KITH_E_INVALID);
	assert_int_equal(kith_link_vault_set_status(v, "ffffffffff", "confirmed", "x", NULL, NULL, &err),
			 KITH_E_NOTFOUND);
	assert_int_equal(kith_link_vault_set_status(v, anna, "deleted", "x", NULL, NULL, &err),
			 KITH_E_INVALID);

	assert_int_equal(kith_link_vault_persons(v, &person, &n, &err), KITH_OK);
	assert_int_equal(person_of(v, person, "C-1"), person_of(v, person, "C-2"));
	assert_true(person_of(v, person, "C-5") != person_of(v, person, "C-6"));
	free(person);

	/* a manual merge: C-2 with C-7 (say the reviewer knows better), then chaining makes C-1 join */
	char mid[KITH_VAULT_ID_HEX];
	assert_int_equal(
	    kith_link_vault_merge(v, "C-2", "C-7", "reviewer-a", "same person, new information", mid, &err),
	    KITH_OK);
	assert_int_equal(kith_link_vault_merge(v, "C-1", "C-7", "x", NULL, NULL, &err), KITH_E_EXISTS);
	assert_int_equal(kith_link_vault_merge(v, "C-1", "C-1", "x", NULL, NULL, &err), KITH_E_INVALID);
	assert_int_equal(kith_link_vault_merge(v, "C-1", "C-999", "x", NULL, NULL, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_link_vault_persons(v, &person, &n, &err), KITH_OK);
	assert_int_equal(person_of(v, person, "C-1"), person_of(v, person, "C-7"));
	free(person);

	/* the wrong merge is undone: a new version, nothing deleted */
	assert_int_equal(
	    kith_link_vault_set_status(v, mid, "undone", "reviewer-a", "merged by mistake", NULL, &err),
	    KITH_OK);
	assert_int_equal(kith_link_vault_persons(v, &person, &n, &err), KITH_OK);
	assert_true(person_of(v, person, "C-1") != person_of(v, person, "C-7"));
	assert_int_equal(person_of(v, person, "C-1"), person_of(v, person, "C-2"));
	free(person);
	struct kith_record_view *hist;
	size_t nh;
	assert_int_equal(kith_vault_history(v, mid, &hist, &nh, &err), KITH_OK);
	assert_int_equal(nh, 2);
	assert_string_equal(hist[0].action, "merge");
	assert_string_equal(hist[1].action, "undo");
	assert_string_equal(hist[1].note, "merged by mistake");
	assert_non_null(strstr(hist[0].body, "\"status\":\"confirmed\""));
	assert_non_null(strstr(hist[1].body, "\"status\":\"undone\""));
	kith_vault_history_free(hist, nh);
	assert_int_equal(kith_vault_history(v, anna, &hist, &nh, &err), KITH_OK);
	assert_int_equal(nh, 2);
	assert_string_equal(hist[0].action, "propose");
	assert_string_equal(hist[1].action, "confirm");
	assert_non_null(strstr(hist[1].body, "reviewer-a"));
	kith_vault_history_free(hist, nh);

	/* persons as JSON: the confirmed pair, with its link */
	json_t *pj = kith_link_vault_persons_json(v, &err);
	assert_non_null(pj);
	assert_int_equal(json_array_size(pj), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(pj, 0), "cases")), 2);
	assert_int_equal(json_array_size(json_object_get(json_array_get(pj, 0), "links")), 1);
	json_decref(pj);

	/* the rejected proposal is not proposed again */
	assert_int_equal(kith_link_vault_dataset(v, &cfg, &ds, &cor, &err), KITH_OK);
	assert_int_equal(kith_link_run(ds, NULL, &r, &err), KITH_OK);
	assert_int_equal(kith_link_vault_propose(v, &r, ds, cor, "tester", &np2, &ns, &err), KITH_OK);
	assert_int_equal(np2, 0);
	kith_link_result_release(&r);
	kith_dataset_free(ds);
	free(cor);
	/* every link, every status */
	assert_int_equal(kith_link_vault_links_json(v, NULL, 0, NULL, &links, &err), KITH_OK);
	assert_int_equal(json_array_size(links), np + 1);
	json_decref(links);
	kith_vault_close(v);
}

/* A person's own proposal (the web UI's "same person?"): checked refs, one
 * proposed link, nothing written when a ref is wrong. */
static void test_propose_refs(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	char id[KITH_VAULT_ID_HEX] = "";
	size_t before = 0, after = 0;
	(void)kith_vault_records(v, "link", &before);
	const char *one[] = {"C-7"};
	assert_int_equal(kith_link_vault_propose_refs(v, one, 1, NULL, "rev", id, &err), KITH_E_INVALID);
	const char *missing[] = {"C-7", "C-999"};
	assert_int_equal(kith_link_vault_propose_refs(v, missing, 2, NULL, "rev", id, &err), KITH_E_NOTFOUND);
	assert_string_equal(err.where, "refs[1]");
	const char *twice[] = {"C-7", "C-7"};
	assert_int_equal(kith_link_vault_propose_refs(v, twice, 2, NULL, "rev", id, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "refs[1]");
	const char *notstr[] = {"C-7", NULL};
	assert_int_equal(kith_link_vault_propose_refs(v, notstr, 2, NULL, "rev", id, &err), KITH_E_NOTFOUND);
	(void)kith_vault_records(v, "link", &after);
	assert_int_equal(after, before); /* nothing written */
	const char *good[] = {"C-7", "C-5"};
	assert_int_equal(kith_link_vault_propose_refs(v, good, 2, "same birth and village", "rev", id, &err),
			 KITH_OK);
	const struct kith_record_view *l = kith_vault_find_id(v, id);
	assert_non_null(l);
	json_t *b = kith_record_view_json(l);
	assert_string_equal(json_string_value(json_object_get(b, "status")), "proposed");
	assert_string_equal(json_string_value(json_object_get(b, "method")), "manual");
	assert_int_equal(json_array_size(json_object_get(b, "cases")), 2);
	json_decref(b);
	kith_vault_close(v);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_review_flow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_propose_refs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
