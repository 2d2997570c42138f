/* Unit tests of src/vault/putone (kith_vault_put_alone): one version in a
 * batch of its own — written and visible at once; a new version by id; the
 * hook run inside the commit's transaction, and its failure rolling the
 * version back with it; a refused put writing nothing and leaving the
 * outputs as they were; refused while another batch is open. Every vault
 * uses KITH_KDF_TEST; all names are invented. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "base/status.h"
#include "fixture_vault.h"
#include "vault/blob.h"
#include "vault/vault.h"

static int setup(void **state)
{
	*state = fixture_vault_new("putone");
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

static json_t *case_body(const char *name)
{
	json_t *b =
	    json_pack("{s:{s:s, s:{s:s}}}", "person", "name", name, "origin", "place", "Onsong county");
	assert_non_null(b);
	return b;
}

/* A hook that leaves a mark in the file (a table) and returns *status. */
struct probe {
	int calls;
	int status;
};

static int probe_hook(struct kith_store *s, void *arg, struct kith_err *err)
{
	struct probe *p = arg;
	p->calls++;
	if (sqlite3_exec(kith_store_sqlite(s), "CREATE TABLE putone_probe(x)", NULL, NULL, NULL) != SQLITE_OK)
		return kith_err_set(err, KITH_E_DB, "probe", "create failed");
	return p->status ? kith_err_set(err, p->status, "probe", "refused by the test") : KITH_OK;
}

static int has_probe_table(struct kith_vault *v)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(kith_store_sqlite(kith_vault_store(v)),
					    "SELECT 1 FROM sqlite_master WHERE name = 'putone_probe'", -1,
					    &st, NULL),
			 SQLITE_OK);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static void writes_one_version(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	kith_err_clear(&err);
	char ref[KITH_VAULT_REF_MAX] = "", id[KITH_VAULT_ID_HEX] = "";
	json_t *body = case_body("Ri Sol-hui");
	assert_int_equal(kith_vault_put_alone(f->v, "case", body, NULL, ref, id, NULL, NULL, &err), KITH_OK);
	json_decref(body);
	assert_true(ref[0] != '\0');
	assert_int_equal(strlen(id), KITH_VAULT_ID_HEX - 1);
	const struct kith_record_view *r = kith_vault_find(f->v, "case", ref);
	assert_non_null(r);
	assert_string_equal(r->id, id);
	assert_int_equal(r->version, 1);

	/* a new version of the same record, by id; outputs may be NULL */
	char idc[KITH_VAULT_ID_HEX];
	snprintf(idc, sizeof idc, "%s", id);
	struct kith_vault_put_opts o = {.id = idc, .action = "edit", .expect_version = 1};
	body = case_body("Ri Sol-hui");
	assert_int_equal(json_object_set_new(body, "ref", json_string(ref)), 0);
	assert_int_equal(kith_vault_put_alone(f->v, "case", body, &o, NULL, NULL, NULL, NULL, &err), KITH_OK);
	json_decref(body);
	r = kith_vault_find(f->v, "case", ref);
	assert_non_null(r);
	assert_int_equal(r->version, 2);
	size_t n = 0;
	(void)kith_vault_records(f->v, "case", &n);
	assert_int_equal(n, 1);
}

static void hook_runs_in_the_commit(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	kith_err_clear(&err);
	struct probe p = {0};
	char ref[KITH_VAULT_REF_MAX] = "";
	json_t *body = case_body("Pak Chol-su");
	assert_int_equal(kith_vault_put_alone(f->v, "case", body, NULL, ref, NULL, probe_hook, &p, &err),
			 KITH_OK);
	json_decref(body);
	assert_int_equal(p.calls, 1);
	assert_true(has_probe_table(f->v));
	assert_non_null(kith_vault_find(f->v, "case", ref));
}

static void hook_failure_writes_nothing(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	kith_err_clear(&err);
	struct probe p = {.status = KITH_E_IO};
	char ref[KITH_VAULT_REF_MAX] = "unchanged", id[KITH_VAULT_ID_HEX] = "unchanged";
	uint64_t gen = kith_vault_generation(f->v);
	json_t *body = case_body("Kim Yong-ae");
	assert_int_equal(kith_vault_put_alone(f->v, "case", body, NULL, ref, id, probe_hook, &p, &err),
			 KITH_E_IO);
	json_decref(body);
	assert_int_equal(p.calls, 1);
	assert_string_equal(err.where, "probe");
	assert_false(has_probe_table(f->v)); /* the hook's write rolled back with the version */
	size_t n = 0;
	(void)kith_vault_records(f->v, "case", &n);
	assert_int_equal(n, 0);
	assert_string_equal(ref, "unchanged");
	assert_string_equal(id, "unchanged");
	assert_int_equal(kith_vault_generation(f->v), gen);

	/* the vault takes the next write as usual */
	p.status = KITH_OK;
	body = case_body("Kim Yong-ae");
	assert_int_equal(kith_vault_put_alone(f->v, "case", body, NULL, ref, id, probe_hook, &p, &err),
			 KITH_OK);
	json_decref(body);
	(void)kith_vault_records(f->v, "case", &n);
	assert_int_equal(n, 1);
}

static void refused_put_writes_nothing(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	kith_err_clear(&err);
	struct probe p = {0};
	char ref[KITH_VAULT_REF_MAX] = "unchanged";
	json_t *bad = json_pack("{s:{s:s, s:s}}", "person", "name", "Han Mi-ok", "sex", "not-a-sex");
	assert_non_null(bad);
	assert_int_equal(kith_vault_put_alone(f->v, "case", bad, NULL, ref, NULL, probe_hook, &p, &err),
			 KITH_E_INVALID);
	json_decref(bad);
	assert_int_equal(p.calls, 0);
	assert_string_equal(ref, "unchanged");
	size_t n = 0;
	(void)kith_vault_records(f->v, "case", &n);
	assert_int_equal(n, 0);

	/* an id no record has */
	struct kith_vault_put_opts o = {.id = "0123456789abcdef0123456789abcdef"};
	json_t *body = case_body("Han Mi-ok");
	assert_int_equal(kith_vault_put_alone(f->v, "case", body, &o, ref, NULL, NULL, NULL, &err),
			 KITH_E_NOTFOUND);
	json_decref(body);
	assert_string_equal(ref, "unchanged");
}

static void refused_while_a_batch_is_open(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(f->v, &b, &err), KITH_OK);
	json_t *body = case_body("Jo Un-ha");
	assert_int_equal(kith_vault_put_alone(f->v, "case", body, NULL, NULL, NULL, NULL, NULL, &err),
			 KITH_E_INVALID);
	kith_vault_batch_free(b);
	/* the open batch, not this call, was the obstacle */
	assert_int_equal(kith_vault_put_alone(f->v, "case", body, NULL, NULL, NULL, NULL, NULL, &err),
			 KITH_OK);
	json_decref(body);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(writes_one_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(hook_runs_in_the_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(hook_failure_writes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(refused_put_writes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(refused_while_a_batch_is_open, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
