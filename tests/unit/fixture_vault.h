/*
 * A vault for the unit tests of casework and the vault: a temporary folder
 * with one vault in it, created with the test KDF and opened, and removed
 * again afterwards; and the pieces of it for tests that hold several vaults
 * (a folder, a vault at a path, SQL on the file). Every helper but
 * fixture_dir_make fails the running cmocka test on error, so a test reads as
 * its steps.
 *
 * Linked into every tests/unit/test_casework_*.c and test_vault_*.c
 * (cmake/tests.cmake).
 */
#ifndef KITH_TESTS_FIXTURE_VAULT_H
#define KITH_TESTS_FIXTURE_VAULT_H

#include <jansson.h>

#include "vault/vault.h"

#define FIXTURE_VAULT_PASS "fixture vault passphrase"

struct fixture_vault {
	char dir[64];	      /* /tmp/kith-<name>-XXXXXX */
	char path[96];	      /* dir/v.kith */
	struct kith_vault *v; /* open (NULL once closed by the test) */
};

/* A temporary folder of the test's own: dir becomes /tmp/kith-<name>-XXXXXX
 * (`name`: a few letters). 0, or -1 when it cannot be made (what a cmocka
 * setup returns). */
int fixture_dir_make(char dir[64], const char *name);

/* Removes dir and everything in it: vaults with their -wal and -shm, keys,
 * bundles. */
void fixture_dir_remove(const char *dir);

/* Creates a vault at path with pass, the test KDF and o's other options
 * (NULL: none). */
void fixture_vault_create(const char *path, const char *pass, const struct kith_vault_create_opts *o);

/* Opens the vault at path with pass (close it with kith_vault_close). */
struct kith_vault *fixture_vault_open_path(const char *path, const char *pass);

/* Runs the SQL q on the vault file at path, as someone who holds the file
 * could. */
void fixture_sql(const char *path, const char *q);

/* The first column of the first row of q on the file at path. */
long long fixture_sql_int(const char *path, const char *q);

/*
 * A folder of the test's own with the names of the files a test may make in
 * it, as cmocka's state: fixture_files_setup and fixture_files_teardown are a
 * test's setup and teardown (FIXTURE_FILES_TEST(fn) registers fn with them).
 * The setup makes the folder only; the teardown closes v when a test left a
 * vault there, and removes the folder with everything in it.
 */
struct fixture_files {
	char dir[64];	      /* /tmp/kith-unit-XXXXXX */
	char path[128];	      /* dir/v.kith */
	char hq[128];	      /* dir/hq.kith */
	char field[128];      /* dir/field.kith */
	char field2[128];     /* dir/field2.kith */
	char other[128];      /* dir/other.kith */
	char key[128];	      /* dir/org.key */
	struct kith_vault *v; /* a vault the test keeps open, or NULL */
};
int fixture_files_setup(void **state);
int fixture_files_teardown(void **state);
#define FIXTURE_FILES_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_files_setup, fixture_files_teardown)

/* Makes the folder, creates the vault and opens it as f->v. Free with
 * fixture_vault_free. `name` (a few letters) names the folder. */
struct fixture_vault *fixture_vault_new(const char *name);

/* Closes f->v when open, removes the vault's files and the folder, frees f. */
void fixture_vault_free(struct fixture_vault *f);

/* Opens the vault again: a handle of its own (close it with kith_vault_close). */
struct kith_vault *fixture_vault_open(const struct fixture_vault *f);

/* Adds one record of `type` in a batch of its own (body borrowed). */
void fixture_vault_put(struct kith_vault *v, const char *type, json_t *body);

/* The same from JSON text. */
void fixture_vault_put_json(struct kith_vault *v, const char *type, const char *json);

/* Adds to batch b a case of what linkage compares: ref, person name, sex,
 * birth, origin province and source organization. */
void fixture_vault_put_case(struct kith_vault_batch *b, const char *ref, const char *name, const char *sex,
			    const char *birth, const char *province, const char *org);

/* Adds to batch b forty invented strangers (C-100 to C-139, no two alike,
 * recorded by "shelter" or "police"): the non-matches a linkage model
 * learns from. */
void fixture_vault_put_crowd(struct kith_vault_batch *b);

#endif
