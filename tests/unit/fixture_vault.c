/*
 * The casework tests' vault fixture: see fixture_vault.h.
 */
#include "fixture_vault.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vault/store.h"

struct fixture_vault *fixture_vault_new(const char *name)
{
	struct fixture_vault *f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-%s-XXXXXX", name);
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	struct kith_err err;
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	if (kith_vault_create(f->path, FIXTURE_VAULT_PASS, strlen(FIXTURE_VAULT_PASS), &co, &err))
		fail_msg("create: %s %s", err.where, err.msg);
	f->v = fixture_vault_open(f);
	return f;
}

struct kith_vault *fixture_vault_open(const struct fixture_vault *f)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	if (kith_vault_open(&v, f->path, FIXTURE_VAULT_PASS, strlen(FIXTURE_VAULT_PASS), NULL, NULL, &err))
		fail_msg("open: %s %s", err.where, err.msg);
	return v;
}

void fixture_vault_free(struct fixture_vault *f)
{
	if (!f)
		return;
	kith_vault_close(f->v);
	kith_store_remove(f->path);
	if (rmdir(f->dir) != 0) { /* something else was written there */
		char cmd[96];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
		if (system(cmd) != 0)
			fail_msg("cannot remove %s", f->dir);
	}
	free(f);
}

void fixture_vault_put(struct kith_vault *v, const char *type, json_t *body)
{
	struct kith_err err;
	struct kith_vault_put_opts po = {0};
	if (kith_vault_put_alone(v, type, body, &po, NULL, NULL, NULL, NULL, &err))
		fail_msg("put %s: %s %s", type, err.where, err.msg);
}

void fixture_vault_put_case(struct kith_vault_batch *b, const char *ref, const char *name, const char *sex,
			    const char *birth, const char *province, const char *org)
{
	json_t *body =
	    json_pack("{s:s,s:{s:s,s:s,s:s,s:{s:s}},s:{s:s}}", "ref", ref, "person", "name", name, "sex", sex,
		      "birth", birth, "origin", "province", province, "source", "organization", org);
	struct kith_err err;
	if (!body || kith_vault_put(b, "case", body, NULL, NULL, NULL, &err))
		fail_msg("put %s: %s %s", ref, body ? err.where : "", body ? err.msg : "out of memory");
	json_decref(body);
}

void fixture_vault_put_crowd(struct kith_vault_batch *b)
{
	for (int i = 0; i < 40; i++) {
		char ref[16], name[32], by[8];
		snprintf(ref, sizeof ref, "C-%d", 100 + i);
		snprintf(name, sizeof name, "Person%c%c Name%c", 'a' + i % 26, 'a' + (i * 7) % 26,
			 'k' + i % 13);
		snprintf(by, sizeof by, "%d", 1950 + (i * 3) % 50);
		fixture_vault_put_case(b, ref, name, i % 2 ? "female" : "male", by,
				       i % 3 ? "ryanggang" : "north_hamgyong", i % 2 ? "shelter" : "police");
	}
}

void fixture_vault_put_json(struct kith_vault *v, const char *type, const char *json)
{
	json_error_t je;
	json_t *body = json_loads(json, 0, &je);
	if (!body)
		fail_msg("bad test json: %s", je.text);
	fixture_vault_put(v, type, body);
	json_decref(body);
}
