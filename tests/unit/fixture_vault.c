/*
 * The casework tests' vault fixture: see fixture_vault.h.
 */
#define _XOPEN_SOURCE 700 /* nftw */
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
#include <ftw.h>
#include <sqlite3.h>

int fixture_dir_make(char dir[64], const char *name)
{
	snprintf(dir, 64, "/tmp/kith-%s-XXXXXX", name);
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fixture_dir_remove(const char *dir)
{
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fail_msg("cannot remove %s", dir);
}

int fixture_files_setup(void **state)
{
	struct fixture_files *f = calloc(1, sizeof *f);
	if (!f || fixture_dir_make(f->dir, "unit")) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	snprintf(f->hq, sizeof f->hq, "%s/hq.kith", f->dir);
	snprintf(f->field, sizeof f->field, "%s/field.kith", f->dir);
	snprintf(f->field2, sizeof f->field2, "%s/field2.kith", f->dir);
	snprintf(f->other, sizeof f->other, "%s/other.kith", f->dir);
	snprintf(f->key, sizeof f->key, "%s/org.key", f->dir);
	*state = f;
	return 0;
}

int fixture_files_teardown(void **state)
{
	struct fixture_files *f = *state;
	kith_vault_close(f->v);
	fixture_dir_remove(f->dir);
	free(f);
	return 0;
}

void fixture_vault_create(const char *path, const char *pass, const struct kith_vault_create_opts *o)
{
	struct kith_vault_create_opts co = {0};
	if (o)
		co = *o;
	co.kdf = KITH_KDF_TEST;
	struct kith_err err;
	if (kith_vault_create(path, pass, strlen(pass), &co, &err))
		fail_msg("create %s: %s %s", path, err.where, err.msg);
}

struct kith_vault *fixture_vault_open_path(const char *path, const char *pass)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	if (kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, &err))
		fail_msg("open %s: %s %s", path, err.where, err.msg);
	return v;
}

void fixture_sql(const char *path, const char *q)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql %s: %s", q, msg ? msg : "?");
	sqlite3_close(db);
}

long long fixture_sql_int(const char *path, const char *q)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long long x = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return x;
}

struct fixture_vault *fixture_vault_new(const char *name)
{
	struct fixture_vault *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(fixture_dir_make(f->dir, name), 0);
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	fixture_vault_create(f->path, FIXTURE_VAULT_PASS, NULL);
	f->v = fixture_vault_open(f);
	return f;
}

struct kith_vault *fixture_vault_open(const struct fixture_vault *f)
{
	return fixture_vault_open_path(f->path, FIXTURE_VAULT_PASS);
}

void fixture_vault_free(struct fixture_vault *f)
{
	if (!f)
		return;
	kith_vault_close(f->v);
	fixture_dir_remove(f->dir);
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
