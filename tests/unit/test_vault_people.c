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

#include "fixture_vault.h"
#include "base/status.h"
#include "vault/blob.h"
#include "vault/vault.h"
#include "vault/vault_impl.h" /* a forged author: the test stands in for a changed binary */

#define PASS "admin words"
#define APASS "person a words"
#define BPASS "person b words"
#define DURESS "duress words"

/* The folder, and a vault with a duress passphrase at f->path. */
static int setup(void **state)
{
	if (fixture_files_setup(state))
		return -1;
	struct fixture_files *f = *state;
	struct kith_vault_create_opts o = {
	    .kdf = KITH_KDF_TEST, .duress = DURESS, .duress_len = strlen(DURESS)};
	if (kith_vault_create(f->path, PASS, strlen(PASS), &o, NULL)) {
		fixture_files_teardown(state);
		return -1;
	}
	return 0;
}

static struct kith_vault *open_as(const struct fixture_files *f, const char *pass, int want)
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
static size_t slot_box(const struct fixture_files *f, const char *pid, uint8_t *out, size_t cap)
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
	struct fixture_files *f = *state;
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
	struct fixture_files *f = *state;
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
	struct fixture_files *f = *state;
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
	struct fixture_files *f = *state;
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
	struct fixture_files *f = *state;
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
	struct fixture_files *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	char pa[KITH_VAULT_PERSON_HEX];
	add_person(v, "A", APASS, pa, NULL);
	kith_vault_close(v);
	assert_int_equal(kith_vault_panic(f->path, NULL), KITH_OK);
	assert_null(open_as(f, APASS, KITH_E_AUTH));
	assert_null(open_as(f, PASS, KITH_E_AUTH));
}

/* Whether any finding of the file's check holds phrase. */
static int finding(const struct kith_vault *v, const char *phrase)
{
	for (size_t i = 0; kith_vault_integrity(v, i); i++)
		if (strstr(kith_vault_integrity(v, i), phrase))
			return 1;
	return 0;
}

/* As add_person, with the person's signing key in the record ("sign_pks",
 * as casework/people.c writes it); removed_at: a removal already recorded. */
static void add_signer(struct kith_vault *v, const char *name, const char *pass,
		       char pid[KITH_VAULT_PERSON_HEX], int64_t removed_at)
{
	struct kith_vault_person_slot *slot = NULL;
	char digest[65];
	assert_int_equal(kith_vault_person_slot_new(v, pass, strlen(pass), &slot, pid, digest, NULL),
			 KITH_OK);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", name, "role", "caseworker", "pid", pid,
				 "slot", digest, "added", (json_int_t)1765000000);
	assert_int_equal(kith_vault_person_sign_pks_add(body, slot), KITH_OK);
	assert_int_equal(json_array_size(json_object_get(body, "sign_pks")), 1);
	if (removed_at) { /* removed, but the slot still unlocks: the test's shortcut to a later batch */
		json_object_set_new(body, "removed_at", json_integer(removed_at));
		json_object_set_new(body, "removed", json_true());
	}
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "person", body, NULL, NULL, NULL, NULL), KITH_OK);
	kith_vault_batch_hook(b, kith_vault_person_slot_hook, slot);
	assert_int_equal(kith_vault_batch_commit(b, NULL), KITH_OK);
	json_decref(body);
	kith_vault_person_slot_free(slot);
}

/* Format 2, person signing keys (vault/person.h): two people's batches each
 * carry their own key and signature, verified at unlock and shown as theirs;
 * the admin's (main passphrase) carry zeros and no signature and are taken;
 * a person signature changed in the file makes its batch bad; a key that no
 * person record holds, and a batch dated after the person's removal, are
 * findings. */
static void test_person_signatures(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	char pa[KITH_VAULT_PERSON_HEX], pb[KITH_VAULT_PERSON_HEX], pc[KITH_VAULT_PERSON_HEX],
	    pd[KITH_VAULT_PERSON_HEX];
	add_signer(v, "A", APASS, pa, 0);
	add_signer(v, "B", BPASS, pb, 0);
	add_signer(v, "C", "person c words", pc, 0);
	add_signer(v, "D", "person d words", pd, 0);
	char pe[KITH_VAULT_PERSON_HEX], ie[KITH_VAULT_ID_HEX];
	add_person(v, "E", "person e words", pe, NULL); /* no key in the record (before person keys) */
	char ia[KITH_VAULT_ID_HEX], ib[KITH_VAULT_ID_HEX], ic[KITH_VAULT_ID_HEX], id[KITH_VAULT_ID_HEX],
	    im[KITH_VAULT_ID_HEX];
	put_draft(v, "by the admin", im);
	kith_vault_close(v);
	v = open_as(f, APASS, KITH_OK);
	put_draft(v, "by A", ia);
	kith_vault_close(v);
	v = open_as(f, BPASS, KITH_OK);
	put_draft(v, "by B", ib);
	kith_vault_close(v);
	v = open_as(f, "person c words", KITH_OK);
	put_draft(v, "by C", ic);
	kith_vault_close(v);
	v = open_as(f, "person d words", KITH_OK);
	put_draft(v, "by D", id);
	kith_vault_close(v);
	v = open_as(f, "person e words", KITH_OK);
	put_draft(v, "by E", ie); /* unsigned: E's record names no key */
	kith_vault_close(v);
	/* then C's record loses its key (C's batch: a key no person holds), and
	 * D's says D was removed before D's batch (a removal that reached this
	 * vault late, as from headquarters) */
	v = open_as(f, PASS, KITH_OK);
	size_t np = 0;
	const struct kith_record_view *pr = kith_vault_records(v, "person", &np);
	char rid[2][KITH_VAULT_ID_HEX];
	json_t *body[2] = {NULL, NULL};
	for (size_t i = 0; i < np; i++)
		for (int w = 0; w < 2; w++)
			if (strstr(pr[i].body, w ? pd : pc)) {
				snprintf(rid[w], sizeof rid[w], "%s", pr[i].id);
				body[w] = kith_record_view_json(&pr[i]);
			}
	assert_non_null(body[0]);
	assert_non_null(body[1]);
	json_object_del(body[0], "sign_pks");
	json_object_set_new(body[1], "removed", json_true());
	json_object_set_new(body[1], "removed_at", json_integer(1765000000));
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	for (int w = 0; w < 2; w++) {
		struct kith_vault_put_opts po = {.id = rid[w]};
		assert_int_equal(kith_vault_put(b, "person", body[w], &po, NULL, NULL, NULL), KITH_OK);
		json_decref(body[w]);
	}
	assert_int_equal(kith_vault_batch_commit(b, NULL), KITH_OK);
	kith_vault_close(v);

	v = open_as(f, PASS, KITH_OK);
	assert_true(finding(v, "signed by a person after they were removed from the vault on 2025-12-06"));
	assert_int_equal(kith_vault_version_signer(v, ia, 1, pa), KITH_VAULT_SIGNED_PERSON);
	assert_int_equal(kith_vault_version_signer(v, ib, 1, pb), KITH_VAULT_SIGNED_PERSON);
	assert_int_equal(kith_vault_version_signer(v, ia, 1, pb), KITH_VAULT_SIGNED_OTHER);
	assert_int_equal(kith_vault_version_signer(v, im, 1, ""), KITH_VAULT_SIGNED_NONE);
	assert_int_equal(kith_vault_version_signer(v, ie, 1, pe), KITH_VAULT_SIGNED_NONE);
	assert_false(finding(v, "bad person signature"));
	assert_true(finding(v, "signed by a person key that no person of this vault holds")); /* C's */
	size_t nf = 0;
	while (kith_vault_integrity(v, nf))
		nf++;
	assert_int_equal(nf, 2); /* C's key, D's late batch; A's, B's, E's and the admin's are taken */
	size_t nd = 0;
	(void)kith_vault_damaged(v, &nd);
	assert_int_equal(nd, 0);
	kith_vault_close(v);

	/* two batches carry a person key and a signature; A's and B's keys differ */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "SELECT count(*), count(DISTINCT substr(manifest, 95, 32)) FROM batches "
			       "WHERE length(sig_per) = 64",
			       -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 4); /* A, B, C, D */
	assert_int_equal(sqlite3_column_int(st, 1), 4);
	sqlite3_finalize(st);
	/* a forged signature: B's batch's, replaced by zeros */
	char sql[300];
	snprintf(sql, sizeof sql,
		 "UPDATE batches SET sig_per = zeroblob(64) WHERE batch_id = (SELECT batch FROM \"rows\" "
		 "WHERE lower(hex(id)) = '%s' AND version = 1)",
		 ib);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_close(db);
	v = open_as(f, PASS, KITH_OK);
	assert_true(finding(v, "bad person signature"));
	(void)kith_vault_damaged(v, &nd);
	assert_int_equal(nd, 1);
	assert_string_equal(kith_vault_damaged(v, &nd)[0].id, ib);
	kith_vault_close(v);
}

/* A person signs only what they wrote (manifest.c): a batch signed with A's
 * key whose versions name B (a changed binary holding A's passphrase) is a
 * finding "person_signer" at every unlock, and the version's signer reads
 * as another's; A's own batches and B's are taken. */
static void test_forged_author(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = open_as(f, PASS, KITH_OK);
	char pa[KITH_VAULT_PERSON_HEX], pb[KITH_VAULT_PERSON_HEX];
	add_signer(v, "A", APASS, pa, 0);
	add_signer(v, "B", BPASS, pb, 0);
	kith_vault_close(v);
	v = open_as(f, BPASS, KITH_OK);
	char ib[KITH_VAULT_ID_HEX];
	put_draft(v, "by B", ib);
	kith_vault_close(v);
	v = open_as(f, APASS, KITH_OK);
	char ia[KITH_VAULT_ID_HEX], ix[KITH_VAULT_ID_HEX];
	put_draft(v, "by A", ia);		 /* A's key is derived and checked at this commit */
	memcpy(v->person, pb, sizeof v->person); /* the next batch: written as B, signed by A */
	put_draft(v, "claims B", ix);
	kith_vault_close(v);

	v = open_as(f, PASS, KITH_OK);
	assert_true(finding(v, "signed by one person's key, its versions name another writer"));
	size_t nf = 0;
	while (kith_vault_integrity(v, nf))
		nf++;
	assert_int_equal(nf, 1); /* A's own batch and B's are taken */
	assert_int_equal(kith_vault_version_signer(v, ix, 1, pb), KITH_VAULT_SIGNED_OTHER);
	assert_int_equal(kith_vault_version_signer(v, ia, 1, pa), KITH_VAULT_SIGNED_PERSON);
	assert_int_equal(kith_vault_version_signer(v, ib, 1, pb), KITH_VAULT_SIGNED_PERSON);
	json_t *j = NULL;
	assert_int_equal(kith_vault_integrity_json(v, &j), KITH_OK);
	json_t *fs = json_object_get(j, "findings");
	assert_int_equal(json_array_size(fs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(fs, 0), "kind")),
			    "person_signer");
	json_decref(j);
	kith_vault_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_person_unlocks_and_is_recorded, setup,
					    fixture_files_teardown),
	    cmocka_unit_test_setup_teardown(test_slot_must_be_named, setup, fixture_files_teardown),
	    cmocka_unit_test_setup_teardown(test_passphrase_in_use, setup, fixture_files_teardown),
	    cmocka_unit_test_setup_teardown(test_remove_shreds, setup, fixture_files_teardown),
	    cmocka_unit_test_setup_teardown(test_passwd_keeps_people, setup, fixture_files_teardown),
	    cmocka_unit_test_setup_teardown(test_panic_destroys_people, setup, fixture_files_teardown),
	    cmocka_unit_test_setup_teardown(test_person_signatures, setup, fixture_files_teardown),
	    cmocka_unit_test_setup_teardown(test_forged_author, setup, fixture_files_teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
