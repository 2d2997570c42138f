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

void fixture_vault_put_json(struct kith_vault *v, const char *type, const char *json)
{
	json_error_t je;
	json_t *body = json_loads(json, 0, &je);
	if (!body)
		fail_msg("bad test json: %s", je.text);
	fixture_vault_put(v, type, body);
	json_decref(body);
}
