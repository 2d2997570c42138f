/* Unit tests of src/vault/people (issue 12 item 4): a passphrase slot per
 * person, which unlocks only while a person record names it; the person's id
 * in every version written; slots renamed in the file refused; removal that
 * leaves none of the slot's bytes in the file; a passphrase already in use
 * refused; the main passphrase change keeps the people's slots; a person's
 * own change; panic destroys them all. Every vault uses KITH_KDF_TEST; all
 * names are invented. */
#define _GNU_SOURCE
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
#include <sodium.h>
#include <sqlite3.h>

#include "base/status.h"
#include "vault/blob.h"
#include "vault/vault.h"

#define PASS "admin words"
#define APASS "person a words"
#define BPASS "person b words"
#define DURESS "duress words"

struct fx {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-people-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	struct kith_vault_create_opts o = {
	    .kdf = KITH_KDF_TEST, .duress = DURESS, .duress_len = strlen(DURESS)};
	if (kith_vault_create(f->path, PASS, strlen(PASS), &o, NULL))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[200];
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct kith_vault *open_as(const struct fx *f, const char *pass, int want)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_vault_open(&v, f->path, pass, strlen(pass), NULL, NULL, &err);
	if (rc != want)
		fail_msg("open: %d, wanted %d (%s)", rc, want, err.msg);
	return v;
}

/* What casework/people.c does: a person record and the slot in one batch.
 * digest_override: write another digest into the record (a slot no record names). */
static void add_person(struct kith_vault *v, const char *name, const char *pass,
		       char pid[KITH_VAULT_PERSON_HEX], const char *digest_override)
{
	struct kith_vault_person_slot *slot = NULL;
	char digest[65];
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(kith_vault_person_slot_new(v, pass, strlen(pass), &slot, pid, digest, &err),
			 KITH_OK);
	json_t *body =
	    json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", name, "role", "caseworker", "pid", pid, "slot",
		      digest_override ? digest_override : digest, "added", (json_int_t)1765000000);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "person", body, NULL, NULL, NULL, &err), KITH_OK);
	kith_vault_batch_hook(b, kith_vault_person_slot_hook, slot);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(body);
	kith_vault_person_slot_free(slot);
}

static void put_draft(struct kith_vault *v, const char *title, char id[KITH_VAULT_ID_HEX])
{
	json_t *body = json_pack("{s:s, s:s, s:s}", "form", "#/new", "title", title, "data", "{}");
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "draft", body, NULL, NULL, id, NULL), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, NULL), KITH_OK);
	json_decref(body);
}

/* The slot's box bytes of pid (196), read with SQLite. */
static size_t slot_box(const struct fx *f, const char *pid, uint8_t *out, size_t cap)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT box FROM slots WHERE name = 'person:%s'", pid);
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		n = (size_t)sqlite3_column_bytes(st, 0);
		if (n > cap)
			n = cap;
		memcpy(out, sqlite3_column_blob(st, 0), n);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static int file_has(const char *path, const uint8_t *needle, size_t n)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 0;
	static uint8_t buf[1 << 22];
	size_t got = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	return got >= n && memmem(buf, got, needle, n) != NULL;
}

static void test_person_unlocks_and_is_recorded(void **state)
{
	struct fx *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	assert_string_equal(kith_vault_person(v), "");
	char pa[KITH_VAULT_PERSON_HEX], id[KITH_VAULT_ID_HEX], id2[KITH_VAULT_ID_HEX];
	add_person(v, "김 선생", APASS, pa, NULL);
	assert_int_equal(strlen(pa), 32);
	assert_int_equal(kith_vault_person_slot_present(v, pa), 1);
	put_draft(v, "by admin", id);
	kith_vault_close(v);

	v = open_as(f, APASS, KITH_OK);
	assert_string_equal(kith_vault_person(v), pa);
	const struct kith_record_view *r = kith_vault_find_id(v, id);
	assert_non_null(r);
	assert_string_equal(r->person, ""); /* the main slot writes no person */
	put_draft(v, "by a person", id2);
	r = kith_vault_find_id(v, id2);
	assert_string_equal(r->person, pa);
	kith_vault_close(v);

	/* read back from the file: the envelope carries it, history too */
	v = open_as(f, PASS, KITH_OK);
	r = kith_vault_find_id(v, id2);
	assert_non_null(r);
	assert_string_equal(r->person, pa);
	struct kith_record_view *h = NULL;
	size_t n = 0;
	assert_int_equal(kith_vault_history(v, id2, &h, &n, NULL), KITH_OK);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].person, pa);
	kith_vault_history_free(h, n);
	kith_vault_close(v);
	/* the file shows no name */
	assert_false(file_has(f->path, (const uint8_t *)"김 선생", strlen("김 선생")));
}

static void test_slot_must_be_named(void **state)
{
	struct fx *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	char pa[KITH_VAULT_PERSON_HEX], pb[KITH_VAULT_PERSON_HEX];
	add_person(v, "A", APASS, pa, "00000000000000000000000000000000000000000000000000000000000000ff");
	add_person(v, "B", BPASS, pb, NULL);
	kith_vault_close(v);
	/* a slot whose record names another digest does not unlock */
	assert_null(open_as(f, APASS, KITH_E_AUTH));
	v = open_as(f, BPASS, KITH_OK);
	kith_vault_close(v);
	/* renaming B's slot to A's id (someone who can write the file) fails */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	char sql[300];
	snprintf(
	    sql, sizeof sql,
	    "DELETE FROM slots WHERE name = 'person:%s'; UPDATE slots SET name = 'person:%s' WHERE name = "
	    "'person:%s'",
	    pa, pa, pb);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(open_as(f, BPASS, KITH_E_AUTH));
	v = open_as(f, PASS, KITH_OK); /* the main slot is untouched */
	kith_vault_close(v);
}

static void test_passphrase_in_use(void **state)
{
	struct fx *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	char pa[KITH_VAULT_PERSON_HEX], digest[65];
	add_person(v, "A", APASS, pa, NULL);
	struct kith_vault_person_slot *slot = NULL;
	const char *used[] = {PASS, DURESS, APASS};
	for (size_t i = 0; i < 3; i++) {
		struct kith_err err;
		kith_err_clear(&err);
		assert_int_equal(
		    kith_vault_person_slot_new(v, used[i], strlen(used[i]), &slot, pa, digest, &err),
		    KITH_E_EXISTS);
		assert_null(slot);
		assert_null(strstr(err.msg, used[i])); /* never the passphrase */
	}
	assert_int_equal(kith_vault_person_slot_new(v, "", 0, &slot, pa, digest, NULL), KITH_E_INVALID);
	/* the main passphrase may not become a person's either */
	assert_int_equal(kith_vault_passwd(v, APASS, strlen(APASS), NULL, 0, NULL), KITH_E_EXISTS);
	kith_vault_close(v);
}

static void test_remove_shreds(void **state)
{
	struct fx *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	char pa[KITH_VAULT_PERSON_HEX], pb[KITH_VAULT_PERSON_HEX];
	add_person(v, "A", APASS, pa, NULL);
	add_person(v, "B", BPASS, pb, NULL);
	kith_vault_close(v);
	uint8_t box[256];
	size_t n = slot_box(f, pa, box, sizeof box);
	assert_int_equal(n, 196);
	v = open_as(f, BPASS, KITH_OK);
	assert_int_equal(kith_vault_person_slot_remove(v, pb, NULL), KITH_E_INVALID); /* not oneself */
	assert_int_equal(kith_vault_person_slot_remove(v, pa, NULL), KITH_OK);
	assert_int_equal(kith_vault_person_slot_present(v, pa), 0);
	assert_int_equal(kith_vault_person_slot_remove(v, pa, NULL), KITH_OK); /* gone already */
	kith_vault_close(v);
	char wal[200];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	assert_false(file_has(f->path, box, n));
	assert_false(file_has(wal, box, n));
	assert_null(open_as(f, APASS, KITH_E_AUTH));
	v = open_as(f, BPASS, KITH_OK);
	kith_vault_close(v);
}

static void test_passwd_keeps_people(void **state)
{
	struct fx *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	char pa[KITH_VAULT_PERSON_HEX];
	add_person(v, "A", APASS, pa, NULL);
	assert_int_equal(kith_vault_passwd(v, "new admin words", 15, DURESS, strlen(DURESS), NULL), KITH_OK);
	kith_vault_close(v);
	assert_null(open_as(f, PASS, KITH_E_AUTH));
	v = open_as(f, "new admin words", KITH_OK);
	kith_vault_close(v);
	v = open_as(f, APASS, KITH_OK);
	assert_string_equal(kith_vault_person(v), pa);
	/* a person changes their own: only their slot changes */
	assert_int_equal(kith_vault_passwd(v, "a's new words", 13, DURESS, strlen(DURESS), NULL),
			 KITH_E_INVALID);
	assert_int_equal(kith_vault_passwd(v, "new admin words", 15, NULL, 0, NULL), KITH_E_EXISTS);
	assert_int_equal(kith_vault_passwd(v, "a's new words", 13, NULL, 0, NULL), KITH_OK);
	kith_vault_close(v);
	assert_null(open_as(f, APASS, KITH_E_AUTH));
	v = open_as(f, "a's new words", KITH_OK);
	assert_string_equal(kith_vault_person(v), pa);
	kith_vault_close(v);
	v = open_as(f, "new admin words", KITH_OK);
	assert_string_equal(kith_vault_person(v), "");
	kith_vault_close(v);
}

static void test_panic_destroys_people(void **state)
{
	struct fx *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	char pa[KITH_VAULT_PERSON_HEX];
	add_person(v, "A", APASS, pa, NULL);
	kith_vault_close(v);
	assert_int_equal(kith_vault_panic(f->path, NULL), KITH_OK);
	assert_null(open_as(f, APASS, KITH_E_AUTH));
	assert_null(open_as(f, PASS, KITH_E_AUTH));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_person_unlocks_and_is_recorded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_must_be_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_passphrase_in_use, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_shreds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_passwd_keeps_people, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_panic_destroys_people, setup, teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
