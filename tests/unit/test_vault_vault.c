/* Unit tests of src/core/vault through vault.h: create/open/close, records and
 * versions, batches, refs, duress, panic, passwd, org-key backup and recovery,
 * tampering, hostile files, and what the file shows.
 *
 * Every vault here uses KITH_KDF_TEST (Argon2id at crypto_pwhash's minimum):
 * these tests open vaults dozens of times, also under valgrind, and check the
 * construction around the KDF, not Argon2id's cost (bench_vault measures the
 * real levels). sqlite3 is used directly only to tamper with files and to
 * look at what the vault wrote. All names and places are invented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "fixture_vault.h"
#include "base/status.h"
#include "base/sbuf.h"
#include "vault/crypto.h"
#include "vault/store.h"
#include "vault/vault.h"
#include "vault/vault_impl.h"
#include "record/record.h"

#define PASS "correct horse battery"
#define DURESS "blue sky over the river"

static void make_vault(const char *path, const char *duress)
{
	struct kith_vault_create_opts o = {.duress = duress, .duress_len = duress ? strlen(duress) : 0};
	fixture_vault_create(path, PASS, &o);
}

/* make_vault, then opened with PASS. */
static struct kith_vault *new_vault(const char *path, const char *duress)
{
	make_vault(path, duress);
	return fixture_vault_open_path(path, PASS);
}

/* A format-1 vault (the rows' own signatures and wraps are what a test flips). */
static void make_vault1(const char *path)
{
	fixture_vault_create(path, PASS, &(struct kith_vault_create_opts){.format = 1});
}

/* Opened with `threads` threads (the library's option, not the environment). */
static struct kith_vault *open_threads(const char *path, const char *pass, unsigned threads)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	struct kith_vault_open_opts o = {.threads = threads};
	int rc = kith_vault_open_with(&v, path, pass, strlen(pass), &o, &err);
	if (rc)
		fail_msg("open: %d %s", rc, err.msg);
	return v;
}

static int open_rc(const char *path, const char *pass)
{
	struct kith_vault *v = NULL;
	int rc = kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, NULL);
	if (rc == KITH_OK)
		kith_vault_close(v);
	else
		assert_null(v);
	return rc;
}

static json_t *case_body(const char *name, const char *place, const char *ref)
{
	json_t *b =
	    json_pack("{s:{s:s, s:{s:s}}, s:s}", "person", "name", name, "origin", "place", place,
		      "narrative", "Crossed the river in winter; stayed with a family for two months.");
	assert_non_null(b);
	if (ref)
		assert_int_equal(json_object_set_new(b, "ref", json_string(ref)), 0);
	return b;
}

/* Puts one case and commits; returns its ref and id. */
static void add_case(struct kith_vault *v, const char *name, const char *ref,
		     char ref_out[KITH_VAULT_REF_MAX], char id_out[KITH_VAULT_ID_HEX])
{
	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	json_t *body = case_body(name, "Onsong county", ref);
	int rc = kith_vault_put(b, "case", body, NULL, ref_out, id_out, &err);
	json_decref(body);
	if (rc)
		fail_msg("put: %s %s", err.where, err.msg);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
}

static size_t case_count(const struct kith_vault *v)
{
	size_t n = 99;
	(void)kith_vault_records(v, "case", &n);
	return n;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		*len = 0;
		return NULL;
	}
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)n, fp);
	fclose(fp);
	return buf;
}

/* Fails the test unless the file at path holds the n bytes of `before`
 * (read_all's, freed here). */
static void file_unchanged(const char *path, char *before, size_t n)
{
	size_t m;
	char *after = read_all(path, &m);
	assert_int_equal(m, n);
	assert_memory_equal(before, after, n);
	free(before);
	free(after);
}

static int file_contains(const char *path, const char *needle)
{
	size_t len, m = strlen(needle);
	char *buf = read_all(path, &len);
	int found = 0;
	for (size_t i = 0; buf && i + m <= len && !found; i++)
		found = memcmp(buf + i, needle, m) == 0;
	free(buf);
	return found;
}

/* Flips one byte of a column of a row, as someone with the file might. */
static void flip(const char *path, const char *id_hex, unsigned version, const char *column, int offset)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char q[256];
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(q, sizeof q, "SELECT %s FROM \"rows\" WHERE hex(id) = upper('%s') AND version = %u", column,
		 id_hex, version);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_bytes(st, 0);
	unsigned char *blob = malloc((size_t)n);
	assert_non_null(blob);
	memcpy(blob, sqlite3_column_blob(st, 0), (size_t)n);
	sqlite3_finalize(st);
	blob[offset < 0 ? n + offset : offset] ^= 0x01;
	snprintf(q, sizeof q, "UPDATE \"rows\" SET %s = ?1 WHERE hex(id) = upper('%s') AND version = %u",
		 column, id_hex, version);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, blob, n, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(blob);
}

/* ------------------------------------------------------------ tests */

static void test_create_open_close(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	struct kith_vault_create_opts bad = {
	    .kdf = KITH_KDF_TEST, .duress = PASS, .duress_len = strlen(PASS)};
	assert_int_equal(kith_vault_create(f->path, PASS, strlen(PASS), &bad, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "duress"); /* the message names the duress passphrase */
	assert_string_equal(err.msg, "the duress passphrase equals the passphrase");
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(kith_vault_create(f->path, "", 0, NULL, &err), KITH_E_INVALID);
	assert_int_equal(access(f->path, F_OK), -1);
	struct kith_vault_create_opts badkdf = {.kdf = (enum kith_kdf)9};
	assert_int_equal(kith_vault_create(f->path, PASS, strlen(PASS), &badkdf, &err), KITH_E_INVALID);

	make_vault(f->path, NULL);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(kith_vault_create(f->path, PASS, strlen(PASS), NULL, &err), KITH_E_EXISTS);

	/* the KDF is recorded in the header */
	assert_int_equal(fixture_sql_int(f->path, "SELECT kdf FROM header"), KITH_KDF_TEST);
	assert_int_equal(fixture_sql_int(f->path, "SELECT opslimit FROM header"), 1);
	assert_int_equal(fixture_sql_int(f->path, "SELECT memlimit FROM header"), 8192);
	assert_int_equal(fixture_sql_int(f->path, "SELECT alg FROM header"),
			 2); /* crypto_pwhash_ALG_ARGON2ID13 */
	assert_int_equal(fixture_sql_int(f->path, "SELECT length(salt) FROM header"), 16);
	/* the main and the duress slot (random filler), and in format 2 the main
	 * slot's rollback anchor box (anchor.c) */
	assert_int_equal(
	    fixture_sql_int(f->path, "SELECT count(*) FROM slots WHERE name NOT LIKE 'anchor:%'"), 2);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM slots WHERE name LIKE 'anchor:%'"),
			 1);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM devices"), 1);

	struct kith_vault *v = fixture_vault_open_path(f->path, PASS);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.kdf, KITH_KDF_TEST);
	assert_string_equal(info.kdf_name, "test");
	assert_int_equal(info.opslimit, 1);
	assert_int_equal(info.memlimit, 8192);
	assert_int_equal(info.holds_org_secret, 1);
	assert_int_equal(info.records, 0);
	assert_int_equal(info.rows, 0);
	assert_int_equal(strlen(info.vault_id), 32);
	assert_int_equal(strlen(info.device_id), 16);
	assert_true(kith_vault_generation(v) > 0);
	kith_vault_close(v);
	kith_vault_close(NULL);

	assert_int_equal(open_rc(f->dir, PASS), KITH_E_NOTVAULT);
	char missing[200];
	snprintf(missing, sizeof missing, "%s/none.kith", f->dir);
	assert_int_equal(open_rc(missing, PASS), KITH_E_NOTFOUND);
	assert_int_equal(kith_vault_open(&v, f->path, "", 0, NULL, NULL, &err), KITH_E_AUTH);
}

static void test_wrong_passphrase_changes_nothing(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, DURESS);
	char ref[KITH_VAULT_REF_MAX];
	add_case(v, "Ri Yong-ho", NULL, ref, NULL);
	kith_vault_close(v);
	size_t n1;
	char *before = read_all(f->path, &n1);
	struct kith_err err;
	v = NULL;
	assert_int_equal(kith_vault_open(&v, f->path, "correct horse battery!", 22, NULL, NULL, &err),
			 KITH_E_AUTH);
	assert_null(v);
	assert_string_equal(err.msg, "wrong passphrase");
	file_unchanged(f->path, before, n1);
	v = fixture_vault_open_path(f->path, PASS);
	assert_int_equal(case_count(v), 1);
	kith_vault_close(v);
}

static void test_records_versions_history(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	uint64_t gen = kith_vault_generation(v);

	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	char r1[KITH_VAULT_REF_MAX], r2[KITH_VAULT_REF_MAX], r3[KITH_VAULT_REF_MAX], id1[KITH_VAULT_ID_HEX];
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	struct kith_vault_batch *b2 = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b2, &err), KITH_E_INVALID); /* one at a time */
	json_t *c1 = case_body("Kim Chol-su", "Hyesan", NULL);
	json_t *c2 = case_body("Pak Mi-ran", "Musan", NULL);
	json_t *c3 = case_body("Choe Un-hui", "Kimchaek", "HQ-2019-17");
	struct kith_vault_put_opts note = {.note = "intake at the shelter"};
	assert_int_equal(kith_vault_put(b, "case", c1, &note, r1, id1, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", c2, NULL, r2, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", c3, NULL, r3, NULL, &err), KITH_OK);
	/* the vault numbers refs: C-<first 4 hex of the device id, upper case>-<4+ digits> */
	char want[32];
	char dev4[5];
	for (int i = 0; i < 4; i++)
		dev4[i] =
		    (char)(info.device_id[i] >= 'a' ? info.device_id[i] - 'a' + 'A' : info.device_id[i]);
	dev4[4] = '\0';
	snprintf(want, sizeof want, "C-%s-0001", dev4);
	assert_string_equal(r1, want);
	snprintf(want, sizeof want, "C-%s-0002", dev4);
	assert_string_equal(r2, want);
	assert_string_equal(r3, "HQ-2019-17");
	assert_int_equal(strlen(id1), 32);
	/* nothing shows before the commit */
	assert_int_equal(case_count(v), 0);
	assert_null(kith_vault_find(v, "case", r1));
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	assert_true(kith_vault_generation(v) > gen);

	assert_int_equal(case_count(v), 3);
	const struct kith_record_view *view = kith_vault_find(v, "case", r1);
	assert_non_null(view);
	assert_string_equal(view->id, id1);
	assert_int_equal(view->version, 1);
	assert_string_equal(view->kind, "case");
	assert_string_equal(view->ref, r1);
	assert_string_equal(view->action, "create");
	assert_string_equal(view->note, "intake at the shelter");
	assert_string_equal(view->device, info.device_id);
	assert_true(view->at > 1600000000);
	assert_non_null(strstr(view->body, "Kim Chol-su"));
	assert_non_null(strstr(view->body, r1)); /* the assigned ref is in the body too */
	assert_int_equal(strlen(view->body), view->body_len);
	assert_ptr_equal(kith_vault_find_id(v, id1), view);
	assert_null(kith_vault_find_id(v, "0123"));
	assert_null(kith_vault_find(v, "trace", r1));
	json_t *back = kith_record_view_json(view);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(json_object_get(back, "person"), "name")),
			    "Kim Chol-su");
	json_decref(back);
	size_t n;
	const struct kith_record_view *all = kith_vault_records(v, "case", &n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(all[i].index, i);
	assert_null(kith_vault_records(v, "link", &n));
	assert_int_equal(n, 0);

	/* an edit by ref adds version 2; expect_version guards against a lost update */
	json_t *e1 = case_body("Kim Chol-su", "Hyesan city", r1);
	struct kith_vault_put_opts stale = {.expect_version = 2};
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", e1, &stale, NULL, NULL, &err), KITH_E_EXISTS);
	struct kith_vault_put_opts ok = {.expect_version = 1, .note = "moved"};
	char id_again[KITH_VAULT_ID_HEX];
	assert_int_equal(kith_vault_put(b, "case", e1, &ok, NULL, id_again, &err), KITH_OK);
	assert_string_equal(id_again, id1);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	view = kith_vault_find(v, "case", r1);
	assert_int_equal(view->version, 2);
	assert_string_equal(view->action, "edit");
	assert_non_null(strstr(view->body, "Hyesan city"));
	assert_int_equal(case_count(v), 3);

	/* an edit by id, without a ref in the body, keeps the ref */
	json_t *e2 = case_body("Kim Chol Su", "Hyesan city", NULL);
	struct kith_vault_put_opts byid = {.id = id1, .action = "merge"};
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", e2, &byid, r3, NULL, &err), KITH_OK);
	assert_string_equal(r3, r1);
	struct kith_vault_put_opts unknown = {.id = "00000000000000000000000000000000"};
	assert_int_equal(kith_vault_put(b, "case", e2, &unknown, NULL, NULL, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);

	struct kith_record_view *h = NULL;
	size_t hn = 0;
	assert_int_equal(kith_vault_history(v, id1, &h, &hn, &err), KITH_OK);
	assert_int_equal(hn, 3);
	for (size_t i = 0; i < hn; i++) {
		assert_int_equal(h[i].version, i + 1);
		assert_string_equal(h[i].id, id1);
		assert_string_equal(h[i].ref, r1);
	}
	assert_string_equal(h[0].action, "create");
	assert_string_equal(h[0].note, "intake at the shelter");
	assert_non_null(strstr(h[0].body, "\"Hyesan\""));
	assert_string_equal(h[1].note, "moved");
	assert_string_equal(h[2].action, "merge");
	assert_non_null(strstr(h[2].body, "Kim Chol Su"));
	kith_vault_history_free(h, hn);
	assert_int_equal(kith_vault_history(v, "00000000000000000000000000000000", &h, &hn, &err),
			 KITH_E_NOTFOUND);
	assert_null(h);
	kith_vault_info(v, &info);
	assert_int_equal(info.rows, 5);
	assert_int_equal(info.records, 3);
	kith_vault_close(v);

	/* all of it again after a reopen */
	v = fixture_vault_open_path(f->path, PASS);
	kith_vault_info(v, &info);
	assert_int_equal(info.rows, 5);
	assert_int_equal(info.records, 3);
	view = kith_vault_find(v, "case", r1);
	assert_non_null(view);
	assert_int_equal(view->version, 3);
	assert_string_equal(view->action, "merge");
	assert_non_null(kith_vault_find(v, "case", "HQ-2019-17"));
	/* a new ref continues the numbering */
	char r4[KITH_VAULT_REF_MAX];
	add_case(v, "Han Song-i", NULL, r4, NULL);
	snprintf(want, sizeof want, "C-%s-0003", dev4);
	assert_string_equal(r4, want);
	kith_vault_close(v);
	json_decref(c1);
	json_decref(c2);
	json_decref(c3);
	json_decref(e1);
	json_decref(e2);
}

static void test_batch_rollback_and_failed_put(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	char ref[KITH_VAULT_REF_MAX];
	add_case(v, "So Yong-nam", NULL, ref, NULL);
	kith_vault_close(v);
	size_t n1;
	char *before = read_all(f->path, &n1);
	v = fixture_vault_open_path(f->path, PASS);
	uint64_t gen = kith_vault_generation(v);

	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	json_t *c = case_body("Jo Myong-chol", "Hoeryong", NULL);
	assert_int_equal(kith_vault_put(b, "case", c, NULL, NULL, NULL, &err), KITH_OK);
	json_t *e = case_body("So Yong-nam", "Chongjin", ref);
	assert_int_equal(kith_vault_put(b, "case", e, NULL, NULL, NULL, &err), KITH_OK);
	kith_vault_batch_free(b);
	assert_int_equal(case_count(v), 1);
	assert_int_equal(kith_vault_find(v, "case", ref)->version, 1);
	assert_int_equal(kith_vault_generation(v), gen);
	kith_vault_close(v);
	file_unchanged(f->path, before, n1);

	/* a failed put leaves the batch as it was: the good puts still commit */
	v = fixture_vault_open_path(f->path, PASS);
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", c, NULL, NULL, NULL, &err), KITH_OK);
	json_t *bad = json_pack("{s:{s:s, s:s}}", "person", "name", "X", "sex", "not-a-sex");
	assert_int_equal(kith_vault_put(b, "case", bad, NULL, NULL, NULL, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "person.sex");
	assert_int_equal(kith_vault_put(b, "nokind", c, NULL, NULL, NULL, &err), KITH_E_INVALID);
	struct kith_vault_put_opts badnote = {.note = "\xff\xfe"};
	assert_int_equal(kith_vault_put(b, "case", c, &badnote, NULL, NULL, &err), KITH_E_INVALID);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	assert_int_equal(case_count(v), 2);
	/* an empty batch commits nothing */
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	/* a large batch (sealed in the background as it grows) freed, or left
	 * open at close, leaves nothing */
	kith_vault_close(v);
	v = open_threads(f->path, PASS, 3);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
		for (int i = 0; i < 150; i++)
			assert_int_equal(kith_vault_put(b, "case", c, NULL, NULL, NULL, &err), KITH_OK);
		if (round == 0)
			kith_vault_batch_free(b);
	}
	assert_int_equal(case_count(v), 2);
	kith_vault_close(v); /* with the second batch still open */
	v = fixture_vault_open_path(f->path, PASS);
	assert_int_equal(case_count(v), 2);
	kith_vault_close(v);
	json_decref(c);
	json_decref(e);
	json_decref(bad);
}

static void test_ref_uniqueness(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	struct kith_vault_put_opts co = {.create_only = 1};
	json_t *a = case_body("Ryu Jong-suk", "Kanggye", "K-1");
	json_t *a2 = case_body("Yu Jong Suk", "Kanggye", "K-1");
	json_t *bb = case_body("Kang Ok-sil", "Sinuiju", "K-2");
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", a, &co, NULL, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", a2, &co, NULL, NULL, &err), KITH_E_EXISTS);
	assert_string_equal(err.where, "ref");
	char id_a[KITH_VAULT_ID_HEX], id_b[KITH_VAULT_ID_HEX];
	assert_int_equal(kith_vault_put(b, "case", a2, NULL, NULL, id_a, &err),
			 KITH_OK); /* version 2 of K-1 */
	assert_int_equal(kith_vault_put(b, "case", bb, &co, NULL, id_b, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	assert_int_equal(case_count(v), 2);
	assert_int_equal(kith_vault_find(v, "case", "K-1")->version, 2);

	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", a, &co, NULL, NULL, &err), KITH_E_EXISTS);
	/* renaming K-2 to K-1 through its id collides */
	struct kith_vault_put_opts byid = {.id = id_b};
	assert_int_equal(kith_vault_put(b, "case", a, &byid, NULL, NULL, &err), KITH_E_EXISTS);
	/* renaming K-1 to K-9 frees K-1 for a new record in the same batch */
	json_t *a9 = case_body("Yu Jong Suk", "Kanggye", "K-9");
	struct kith_vault_put_opts ida = {.id = id_a};
	assert_int_equal(kith_vault_put(b, "case", a9, &ida, NULL, NULL, &err), KITH_OK);
	char id_new[KITH_VAULT_ID_HEX];
	assert_int_equal(kith_vault_put(b, "case", a, &co, NULL, id_new, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	assert_int_equal(case_count(v), 3);
	assert_string_equal(kith_vault_find(v, "case", "K-9")->id, id_a);
	assert_string_equal(kith_vault_find(v, "case", "K-1")->id, id_new);
	assert_int_equal(kith_vault_find(v, "case", "K-1")->version, 1);
	kith_vault_close(v);
	v = fixture_vault_open_path(f->path, PASS);
	assert_string_equal(kith_vault_find(v, "case", "K-9")->id, id_a);
	assert_string_equal(kith_vault_find(v, "case", "K-1")->id, id_new);
	kith_vault_close(v);
	json_decref(a);
	json_decref(a2);
	json_decref(a9);
	json_decref(bb);
}

static void test_duress_and_recover(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, DURESS);
	char r1[KITH_VAULT_REF_MAX], r2[KITH_VAULT_REF_MAX];
	add_case(v, "Kim Hye-suk", NULL, r1, NULL);
	add_case(v, "Ri Chun-hui", NULL, r2, NULL);
	struct kith_err err;
	assert_int_equal(kith_vault_export_org_key(v, f->key, "usb stick", 9, &err), KITH_OK);
	struct stat st;
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	kith_vault_close(v);

	/* coerced unlock: an empty vault, and the keys are gone */
	v = fixture_vault_open_path(f->path, DURESS);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 0);
	assert_int_equal(info.holds_org_secret, 0);
	assert_int_equal(info.unreadable, 2);
	assert_null(kith_vault_find(v, "case", r1));
	assert_int_equal(kith_vault_export_org_key(v, f->key, "x", 1, &err), KITH_E_NOTFOUND);
	char r3[KITH_VAULT_REF_MAX];
	add_case(v, "Decoy Person", NULL, r3, NULL);
	assert_int_equal(case_count(v), 1);
	kith_vault_close(v);
	assert_int_equal(open_rc(f->path, PASS), KITH_E_AUTH);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM slots"), 2);
	v = fixture_vault_open_path(f->path, DURESS); /* now the main passphrase of the new device */
	assert_int_equal(case_count(v), 1);
	assert_non_null(kith_vault_find(v, "case", r3));
	kith_vault_close(v);

	/* headquarters' backup restores everything, written before and after */
	assert_int_equal(kith_vault_recover(f->path, f->key, "usb stick!", 10, "new pass", 8, &err),
			 KITH_E_AUTH);
	assert_int_equal(kith_vault_recover(f->path, f->key, "usb stick", 9, "new pass", 8, &err), KITH_OK);
	assert_int_equal(open_rc(f->path, DURESS), KITH_E_AUTH);
	v = fixture_vault_open_path(f->path, "new pass");
	kith_vault_info(v, &info);
	/* the decoy written under duress comes from a device no organization key
	 * enrolled (the duress path has none): like any such row, it is damaged */
	assert_int_equal(info.records, 2);
	assert_int_equal(info.unreadable, 0);
	assert_int_equal(info.damaged, 1);
	assert_int_equal(info.holds_org_secret, 1);
	assert_non_null(kith_vault_find(v, "case", r1));
	assert_non_null(kith_vault_find(v, "case", r2));
	assert_null(kith_vault_find(v, "case", r3));
	assert_string_equal(kith_vault_damaged(v, NULL)[0].reason, "unknown device");
	assert_non_null(strstr(kith_vault_find(v, "case", r1)->body, "Kim Hye-suk"));
	struct kith_record_view *h = NULL;
	size_t hn = 0;
	assert_int_equal(kith_vault_history(v, kith_vault_find(v, "case", r1)->id, &h, &hn, &err), KITH_OK);
	assert_int_equal(hn, 1); /* read through the organization wrap */
	assert_non_null(strstr(h[0].body, "Kim Hye-suk"));
	kith_vault_history_free(h, hn);
	kith_vault_close(v);

	/* rows signed by devices that are not enrolled are refused */
	fixture_sql(f->path, "DELETE FROM devices");
	v = fixture_vault_open_path(f->path, "new pass");
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 0);
	assert_int_equal(info.damaged, 3);
	size_t n = 0;
	const struct kith_vault_damage *d = kith_vault_damaged(v, &n);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].reason, "unknown device");
	kith_vault_close(v);
}

static void test_panic_and_recover(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, DURESS);
	char r1[KITH_VAULT_REF_MAX];
	add_case(v, "Mun Song-mi", NULL, r1, NULL);
	struct kith_err err;
	assert_int_equal(kith_vault_export_org_key(v, f->key, "backup pass", 11, &err), KITH_OK);
	kith_vault_close(v);

	assert_int_equal(kith_vault_panic(f->path, &err), KITH_OK);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM slots"), 0);
	char wal[200];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	struct stat st;
	assert_true(stat(wal, &st) != 0 || st.st_size == 0);
	assert_int_equal(open_rc(f->path, PASS), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, DURESS), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, "anything"), KITH_E_AUTH);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM \"rows\""),
			 1); /* the rows stay, sealed */

	/* a key of another organization is refused */
	char other[200], other_key[200];
	snprintf(other, sizeof other, "%s/other.kith", f->dir);
	snprintf(other_key, sizeof other_key, "%s/other.key", f->dir);
	make_vault(other, NULL);
	v = fixture_vault_open_path(other, PASS);
	assert_int_equal(kith_vault_export_org_key(v, other_key, "backup pass", 11, &err), KITH_OK);
	kith_vault_close(v);
	assert_int_equal(kith_vault_recover(f->path, other_key, "backup pass", 11, "p2", 2, &err),
			 KITH_E_AUTH);
	assert_int_equal(kith_vault_recover(f->path, f->dir, "backup pass", 11, "p2", 2, &err) < 0, 1);

	assert_int_equal(kith_vault_recover(f->path, f->key, "backup pass", 11, "p2", 2, &err), KITH_OK);
	v = fixture_vault_open_path(f->path, "p2");
	assert_int_equal(case_count(v), 1);
	assert_non_null(strstr(kith_vault_find(v, "case", r1)->body, "Mun Song-mi"));
	kith_vault_close(v);
	assert_int_equal(kith_vault_panic(f->dir, &err) < 0, 1);
}

static void test_passwd(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, DURESS);
	char r1[KITH_VAULT_REF_MAX];
	add_case(v, "Paek Kum-sun", NULL, r1, NULL);
	struct kith_err err;
	assert_int_equal(kith_vault_passwd(v, "", 0, NULL, 0, &err), KITH_E_INVALID);
	assert_int_equal(kith_vault_passwd(v, "same", 4, "same", 4, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "duress");
	assert_string_equal(err.msg, "the duress passphrase equals the passphrase");
	assert_int_equal(kith_vault_passwd(v, "the new one", 11, "x", 0, &err), KITH_E_INVALID);
	assert_string_equal(err.msg, "the duress passphrase is empty");
	assert_int_equal(kith_vault_passwd(v, "the new one", 11, "new duress", 10, &err), KITH_OK);
	assert_non_null(kith_vault_find(v, "case", r1)); /* still readable in this session */
	kith_vault_close(v);
	assert_int_equal(open_rc(f->path, PASS), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, DURESS), KITH_E_AUTH); /* the old duress went with the old salt */
	v = fixture_vault_open_path(f->path, "the new one");
	assert_int_equal(case_count(v), 1);
	assert_non_null(strstr(kith_vault_find(v, "case", r1)->body, "Paek Kum-sun"));
	/* without a duress passphrase the duress slot is filler */
	assert_int_equal(kith_vault_passwd(v, "third", 5, NULL, 0, &err), KITH_OK);
	kith_vault_close(v);
	assert_int_equal(open_rc(f->path, "new duress"), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, "the new one"), KITH_E_AUTH);
	v = fixture_vault_open_path(f->path, "third");
	assert_int_equal(case_count(v), 1);
	kith_vault_close(v);
}

static void test_passwd_keeps_duress_when_given(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	char r1[KITH_VAULT_REF_MAX];
	add_case(v, "Yun Hyang-mi", NULL, r1, NULL);
	assert_int_equal(kith_vault_passwd(v, "p-new", 5, "d-new", 5, NULL), KITH_OK);
	kith_vault_close(v);
	v = fixture_vault_open_path(f->path, "d-new");
	assert_int_equal(case_count(v), 0);
	kith_vault_close(v);
	assert_int_equal(open_rc(f->path, "p-new"), KITH_E_AUTH);
}

/* The web UI's checks: the current passphrase opens the main slot only (a
 * duress passphrase is wrong there and destroys nothing); the backup into a
 * buffer is the same file kith_vault_recover reads. */
static void test_check_passphrase_and_backup_buf(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, DURESS);
	char r1[KITH_VAULT_REF_MAX];
	add_case(v, "Cha Un-hui", NULL, r1, NULL);
	struct kith_err err;
	assert_int_equal(kith_vault_check_passphrase(v, PASS, strlen(PASS), &err), KITH_OK);
	assert_int_equal(kith_vault_check_passphrase(v, "nope", 4, &err), KITH_E_AUTH);
	assert_int_equal(kith_vault_check_passphrase(v, "", 0, &err), KITH_E_AUTH);
	assert_int_equal(kith_vault_check_passphrase(v, DURESS, strlen(DURESS), &err), KITH_E_AUTH);
	assert_non_null(kith_vault_find(v, "case", r1)); /* the duress passphrase destroyed nothing */
	struct kith_sbuf buf = KITH_SBUF_INIT;
	assert_int_equal(kith_vault_export_org_key_buf(v, "", 0, &buf, &err), KITH_E_INVALID);
	assert_int_equal(kith_vault_export_org_key_buf(v, "usb stick", 9, &buf, &err), KITH_OK);
	assert_true(buf.len > 64);
	for (size_t i = 0; i + 9 <= buf.len; i++) /* the passphrase is not in the file */
		assert_int_not_equal(memcmp((const char *)buf.buf + i, "usb stick", 9), 0);
	FILE *out = fopen(f->key, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(buf.buf, 1, buf.len, out), buf.len);
	fclose(out);
	kith_sbuf_release(&buf);
	kith_vault_close(v);
	assert_int_equal(open_rc(f->path, PASS), KITH_OK); /* still opens: nothing was destroyed */
	assert_int_equal(kith_vault_panic(f->path, &err), KITH_OK);
	assert_int_equal(kith_vault_recover(f->path, f->key, "usb stick", 9, "new pass", 8, &err), KITH_OK);
	v = fixture_vault_open_path(f->path, "new pass");
	assert_non_null(kith_vault_find(v, "case", r1));
	kith_vault_close(v);
}

static void test_tampering(void **state)
{
	struct fixture_files *f = *state;
	make_vault1(f->path);
	struct kith_vault *v = fixture_vault_open_path(f->path, PASS);
	char ra[KITH_VAULT_REF_MAX], rb[KITH_VAULT_REF_MAX], rc_[KITH_VAULT_REF_MAX];
	char ia[KITH_VAULT_ID_HEX], ib[KITH_VAULT_ID_HEX], ic[KITH_VAULT_ID_HEX];
	add_case(v, "Ham Jin-ok", NULL, ra, ia);
	add_case(v, "Ham Jin-ok", ra, NULL, NULL); /* version 2 of A */
	add_case(v, "Sin Kwang-il", NULL, rb, ib);
	add_case(v, "Tak Mi-hyang", NULL, rc_, ic);
	kith_vault_close(v);

	/* format 1 (kith init --format 1); format 2's batches: test_vault_format2.c */
	flip(f->path, ia, 2, "ct", 40); /* A: newest version's ciphertext */
	flip(f->path, ib, 1, "sig", 3); /* B: its only version's signature */
	v = fixture_vault_open_path(f->path, PASS);
	size_t n = 0;
	const struct kith_vault_damage *d = kith_vault_damaged(v, &n);
	assert_int_equal(n, 2);
	int seen_a = 0, seen_b = 0;
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(d[i].reason, "bad signature");
		if (strcmp(d[i].id, ia) == 0) {
			seen_a = 1;
			assert_string_equal(d[i].ref, ra); /* version 1 still reads */
			assert_int_equal(d[i].version, 2);
		} else if (strcmp(d[i].id, ib) == 0) {
			seen_b = 1;
			assert_string_equal(d[i].ref, "");
			assert_int_equal(d[i].version, 1);
		}
	}
	assert_true(seen_a && seen_b);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.damaged, 2);
	assert_int_equal(info.records, 1);
	assert_null(kith_vault_find(v, "case", ra));
	assert_null(kith_vault_find_id(v, ib));
	/* the damage is found by ref (known from version 1) and by id */
	assert_non_null(kith_vault_find_damaged(v, "case", ra));
	assert_string_equal(kith_vault_find_damaged(v, "case", ra)->id, ia);
	assert_null(kith_vault_find_damaged(v, "trace", ra));
	assert_null(kith_vault_find_damaged(v, "case", rc_));
	assert_null(kith_vault_find_damaged(v, "case", ""));
	assert_string_equal(kith_vault_find_damaged_id(v, ib)->id, ib);
	assert_null(kith_vault_find_damaged_id(v, ic));
	assert_null(kith_vault_find_damaged_id(v, "not hex"));
	assert_non_null(kith_vault_find(v, "case", rc_));
	assert_non_null(strstr(kith_vault_find(v, "case", rc_)->body, "Tak Mi-hyang"));

	/* history stops at the damaged version and returns the ones before it */
	struct kith_record_view *h = NULL;
	size_t hn = 0;
	struct kith_err err;
	assert_int_equal(kith_vault_history(v, ia, &h, &hn, &err), KITH_E_CORRUPT);
	assert_int_equal(hn, 1);
	assert_int_equal(h[0].version, 1);
	kith_vault_history_free(h, hn);

	/* the damaged ref is still taken; writing a new version repairs the record */
	struct kith_vault_batch *b = NULL;
	json_t *body = case_body("Ham Jin-ok", "Onsong", ra);
	struct kith_vault_put_opts co = {.create_only = 1};
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", body, &co, NULL, NULL, &err), KITH_E_EXISTS);
	char id_out[KITH_VAULT_ID_HEX];
	assert_int_equal(kith_vault_put(b, "case", body, NULL, NULL, id_out, &err), KITH_OK);
	assert_string_equal(id_out, ia);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(body);
	assert_int_equal(kith_vault_find(v, "case", ra)->version, 3);
	kith_vault_damaged(v, &n);
	assert_int_equal(n, 1);
	kith_vault_close(v);

	/* a flipped byte of the body ciphertext, the device wrap, or a row
	 * claiming an unknown device, each damage only their record */
	flip(f->path, ic, 1, "wrap_dev", 30);
	fixture_sql(f->path, "UPDATE \"rows\" SET version = 'x' WHERE version = 3");
	v = fixture_vault_open_path(f->path, PASS);
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 0);
	d = kith_vault_damaged(v, &n);
	assert_int_equal(n, 3);
	int malformed = 0;
	for (size_t i = 0; i < n; i++)
		malformed += strcmp(d[i].reason, "malformed row") == 0;
	assert_int_equal(malformed, 1);
	kith_vault_close(v);
}

static void test_not_a_vault(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	FILE *fp = fopen(f->path, "wb");
	assert_non_null(fp);
	for (int i = 0; i < 5000; i++)
		fputc((i * 131 + 7) & 0xff, fp);
	fclose(fp);
	struct kith_vault *v = NULL;
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_NOTVAULT);
	assert_non_null(strstr(err.msg, "not a kith vault"));
	assert_int_equal(kith_vault_panic(f->path, &err), KITH_E_NOTVAULT);
	unlink(f->path);
	fixture_sql(f->path, "PRAGMA user_version = 0");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_NOTVAULT);
	assert_non_null(strstr(err.msg, "application id"));
	unlink(f->path);

	/* newer format */
	make_vault(f->path, NULL);
	fixture_sql(f->path, "PRAGMA user_version = 3");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_NOTVAULT);
	assert_string_equal(err.msg, "vault format 3 is newer than this kith");
	fixture_sql(f->path, "PRAGMA user_version = 1");
	/* a damaged header */
	fixture_sql(f->path, "UPDATE header SET memlimit = 1");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_CORRUPT);
	fixture_sql(f->path, "UPDATE header SET memlimit = 8192, org_pk = zeroblob(32)");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_CORRUPT);
	fixture_sql(f->path, "DELETE FROM header");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_CORRUPT);
}

static void test_nothing_readable_in_the_file(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	char ref[KITH_VAULT_REF_MAX];
	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	json_t *body = json_pack("{s:{s:s, s:[s], s:{s:s}}, s:s, s:s}", "person", "name", "Hwang Pyol-nim",
				 "other_names", "황별님", "origin", "place", "Yonsa-ri Seventh Work Team",
				 "narrative", "Was sold near Longjing to a farmer.", "ref", "ZX-PLANTED-77");
	assert_int_equal(kith_vault_put(b, "case", body, NULL, ref, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(body);
	add_case(v, "Second Planted-Name", NULL, ref, NULL);
	char wal[200];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	const char *needles[] = {"Hwang Pyol-nim", "황별님", "Yonsa-ri",  "Longjing", "ZX-PLANTED-77",
				 "Planted-Name",   ref,	     "narrative", "person"};
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
		assert_false(file_contains(f->path, needles[i]));
		assert_false(file_contains(wal, needles[i]));
	}
	struct stat st;
	assert_int_equal(stat(wal, &st), 0);
	assert_true(st.st_size > 0); /* the scan did look at a journal with the commits in it */
	kith_vault_close(v);
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
		assert_false(file_contains(f->path, needles[i]));
	/* and the records are there */
	v = fixture_vault_open_path(f->path, PASS);
	assert_non_null(kith_vault_find(v, "case", "ZX-PLANTED-77"));
	kith_vault_close(v);
}

static void progress_cb(size_t done, size_t total, void *arg)
{
	size_t *seen = arg;
	assert_true(done <= total);
	seen[0]++;
	seen[1] = done;
	seen[2] = total;
}

/* The same view whatever the number of threads, in creation order. */
static void test_threads_and_order(void **state)
{
	struct fixture_files *f = *state;
	make_vault(f->path, NULL);
	struct kith_vault *v = open_threads(f->path, PASS, 4);
	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	for (int i = 0; i < 300; i++) {
		char name[64];
		snprintf(name, sizeof name, "Person Number %d", i);
		json_t *c = case_body(name, "Somewhere", NULL);
		assert_int_equal(kith_vault_put(b, "case", c, NULL, NULL, NULL, &err), KITH_OK);
		json_decref(c);
	}
	json_t *link =
	    json_pack("{s:[s,s], s:s, s:s}", "cases", "0123456789abcdef0123456789abcdef",
		      "fedcba9876543210fedcba9876543210", "status", "confirmed", "method", "manual");
	int lrc = kith_vault_put(b, "link", link, NULL, NULL, NULL, &err);
	if (lrc)
		fail_msg("link: %s %s", err.where, err.msg);
	json_decref(link);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	size_t n;
	const struct kith_record_view *r = kith_vault_records(v, "case", &n);
	assert_int_equal(n, 300);
	for (size_t i = 1; i < n; i++)
		assert_true(r[i - 1].at < r[i].at ||
			    (r[i - 1].at == r[i].at && strcmp(r[i - 1].id, r[i].id) < 0));
	const struct kith_record_view *l = kith_vault_records(v, "link", &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].ref, "");
	kith_vault_close(v);

	size_t seen1[3] = {0};
	struct kith_vault *v1 = NULL;
	struct kith_vault_open_opts one = {.threads = 1, .progress = progress_cb, .progress_arg = seen1};
	assert_int_equal(kith_vault_open_with(&v1, f->path, PASS, strlen(PASS), &one, &err), KITH_OK);
	struct kith_vault *v7 = open_threads(f->path, PASS, 7);
	assert_true(seen1[0] >= 1);
	assert_int_equal(seen1[1], 301);
	assert_int_equal(seen1[2], 301);
	size_t n1, n7;
	const struct kith_record_view *a = kith_vault_records(v1, "case", &n1);
	const struct kith_record_view *c = kith_vault_records(v7, "case", &n7);
	assert_int_equal(n1, 300);
	assert_int_equal(n7, 300);
	for (size_t i = 0; i < n1; i++) {
		assert_string_equal(a[i].id, c[i].id);
		assert_string_equal(a[i].ref, c[i].ref);
		assert_string_equal(a[i].body, c[i].body);
		assert_int_equal(a[i].index, i);
	}
	kith_vault_close(v1);
	kith_vault_close(v7);
}

/* ------------------------------------------------------------ attacks (issue 10) */

static struct kith_store_header file_header(const char *path)
{
	struct kith_store *s = NULL;
	struct kith_store_header h;
	assert_int_equal(kith_store_open(&s, path, NULL), KITH_OK);
	assert_int_equal(kith_store_header_get(s, &h, NULL), KITH_OK);
	kith_store_close(s);
	return h;
}

static struct kith_crypto_key *file_kek(const char *path, const char *pass)
{
	struct kith_store_header h = file_header(path);
	struct kith_crypto_kdf kdf = {.opslimit = h.opslimit, .memlimit = h.memlimit, .alg = h.alg};
	memcpy(kdf.salt, h.salt, sizeof kdf.salt);
	struct kith_crypto_key *kek = NULL;
	assert_int_equal(kith_crypto_kek_derive(&kek, pass, strlen(pass), &kdf, NULL), KITH_OK);
	return kek;
}

/* The keys of the vault's own device, as its passphrase opens them: to write
 * rows that are authentic but hostile (a device's bug, a stolen key). */
static struct kith_crypto_keys *own_keys(const char *path, const char *pass)
{
	struct kith_crypto_key *kek = file_kek(path, pass);
	struct kith_store *s = NULL;
	uint8_t n[24], b[196], vid[16];
	assert_int_equal(kith_store_open(&s, path, NULL), KITH_OK);
	assert_int_equal(kith_store_slot_get(s, "main", n, sizeof n, b, sizeof b, NULL), KITH_OK);
	kith_store_close(s);
	struct kith_crypto_keys *k = NULL;
	assert_int_equal(kith_crypto_slot_open(kek, n, b, &k, vid, NULL), KITH_CRYPTO_SLOT_KEYS);
	kith_crypto_key_free(kek);
	return k;
}

/* An attacker's device for the vault's organization, made from the header's
 * public key alone. */
static struct kith_crypto_keys *stranger_keys(const char *path)
{
	struct kith_store_header h = file_header(path);
	struct kith_crypto_keys *k = NULL;
	assert_int_equal(kith_crypto_keys_generate(&k, h.vault_id, h.org_pk, NULL, NULL), KITH_OK);
	return k;
}

/* Seals an envelope as version `version` of record id by k and inserts it,
 * enrolling k without a signature first when `enrol`. */
static void put_row(const char *path, struct kith_crypto_keys *k, const uint8_t id[16], uint32_t version,
		    const char *env, int enrol)
{
	struct kith_crypto_row r;
	memset(&r, 0, sizeof r);
	memcpy(r.id, id, 16);
	r.version = version;
	assert_int_equal(kith_crypto_keys_access(k, 1), KITH_OK);
	assert_int_equal(kith_crypto_row_seal(k, &r, env, strlen(env), NULL), KITH_OK);
	assert_int_equal(kith_crypto_keys_access(k, 0), KITH_OK);
	struct kith_store *s = NULL;
	assert_int_equal(kith_store_open(&s, path, NULL), KITH_OK);
	assert_int_equal(kith_store_begin(s, NULL), KITH_OK);
	if (enrol)
		assert_int_equal(
		    kith_store_device_add(s, kith_crypto_keys_sign_pk(k), kith_crypto_keys_box_pk(k), NULL),
		    KITH_OK);
	struct kith_store_row sr = {.id = {r.id, 16},
				    .device = {r.device, 32},
				    .wrap_org = {r.wrap_org, sizeof r.wrap_org},
				    .wrap_dev = {r.wrap_dev, sizeof r.wrap_dev},
				    .nonce = {r.nonce, sizeof r.nonce},
				    .ct = {r.ct, r.ct_len},
				    .sig = {r.sig, sizeof r.sig},
				    .version = r.version};
	assert_int_equal(kith_store_row_put(s, &sr, NULL), KITH_OK);
	assert_int_equal(kith_store_commit(s, NULL), KITH_OK);
	kith_store_close(s);
	free(r.ct);
}

static void envelope(char *out, size_t cap, const struct kith_crypto_keys *k, const char *kind,
		     const char *ref, const char *body)
{
	char dev[17];
	kith_crypto_keys_device_id(k, dev);
	snprintf(out, cap,
		 "{\"kind\":\"%s\",\"ref\":\"%s\",\"body\":%s,\"at\":1700000000,\"device\":\"%s\","
		 "\"action\":\"edit\",\"note\":\"\",\"created\":1700000000}",
		 kind, ref, body, dev);
}

static void id_bin(const char *hex, uint8_t id[16])
{
	size_t n = 0;
	assert_int_equal(sodium_hex2bin(id, 16, hex, 32, NULL, &n, NULL), 0);
	assert_int_equal(n, 16);
}

/* Finding 1: someone who can write the file, with no passphrase, enrols a
 * device of their own and writes a version 2 of a case (consent switched on)
 * and a new case: both are damaged, by ref where it is known, never shown. */
static void test_forged_device_rows(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	char r1[KITH_VAULT_REF_MAX], id1[KITH_VAULT_ID_HEX], r2[KITH_VAULT_REF_MAX];
	add_case(v, "Ok Sun-hwa", NULL, r1, id1);
	add_case(v, "Pak Chol-ung", NULL, r2, NULL);
	kith_vault_close(v);

	struct kith_crypto_keys *evil = stranger_keys(f->path);
	char env[1024], body[512];
	uint8_t id[16];
	id_bin(id1, id);
	snprintf(body, sizeof body,
		 "{\"consent\":{\"sharing\":true,\"tracing\":true},\"narrative\":\"FORGED\","
		 "\"person\":{\"name\":\"Ok Sun-hwa\"},\"ref\":\"%s\"}",
		 r1);
	envelope(env, sizeof env, evil, "case", r1, body);
	put_row(f->path, evil, id, 2, env, 1);
	uint8_t id2[16];
	randombytes_buf(id2, sizeof id2);
	envelope(env, sizeof env, evil, "case", "C-EVIL-0001",
		 "{\"narrative\":\"FORGED\",\"person\":{\"name\":\"Nobody\"},\"ref\":\"C-EVIL-0001\"}");
	put_row(f->path, evil, id2, 1, env, 0);
	/* a signature of the right size, made by the attacker's own key: no better */
	fixture_sql(f->path, "UPDATE devices SET auth = randomblob(64) WHERE auth IS NULL");
	kith_crypto_keys_free(evil);

	v = fixture_vault_open_path(f->path, PASS);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 1);
	assert_int_equal(info.damaged, 2);
	assert_int_equal(info.devices_refused, 1);
	assert_null(kith_vault_find(v, "case", r1));
	assert_null(kith_vault_find(v, "case", "C-EVIL-0001"));
	assert_non_null(kith_vault_find(v, "case", r2));
	const struct kith_vault_damage *d = kith_vault_find_damaged(v, "case", r1);
	assert_non_null(d);
	assert_string_equal(d->reason, "unknown device");
	assert_int_equal(d->version, 2);
	size_t n = 0;
	const struct kith_record_view *all = kith_vault_records(v, "case", &n);
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(all[i].body, "FORGED"));
	/* history shows the real version and stops at the forged one */
	struct kith_record_view *h = NULL;
	size_t hn = 0;
	assert_int_equal(kith_vault_history(v, id1, &h, &hn, NULL), KITH_E_CORRUPT);
	assert_int_equal(hn, 1);
	assert_null(strstr(h[0].body, "FORGED"));
	kith_vault_history_free(h, hn);
	/* a new version by the owner repairs the record */
	add_case(v, "Ok Sun-hwa", r1, NULL, NULL);
	assert_non_null(kith_vault_find(v, "case", r1));
	kith_vault_close(v);
}

/* A vault from before signed enrolment: the first unlock signs the devices it
 * holds (trust on first unlock) and seals a flag into the key slot; after
 * that, stripping every signature does not bring the trust back. */
static void test_enrolment_upgrade(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	char r1[KITH_VAULT_REF_MAX];
	add_case(v, "Yun Ok-ju", NULL, r1, NULL);
	kith_vault_close(v);
	/* make it old: no auth column, no flag in the key bundle, and a second
	 * device (a recovered one) that wrote a case */
	struct kith_crypto_keys *k = own_keys(f->path, PASS), *other = stranger_keys(f->path);
	char env[1024];
	uint8_t id[16];
	randombytes_buf(id, sizeof id);
	envelope(env, sizeof env, other, "case", "C-OLD-0001",
		 "{\"person\":{\"name\":\"Ha Myong-sil\"},\"ref\":\"C-OLD-0001\"}");
	put_row(f->path, other, id, 1, env, 1);
	kith_crypto_keys_set_enrol_signed(k, 0);
	struct kith_crypto_key *kek = file_kek(f->path, PASS);
	uint8_t n1[24], b1[196];
	assert_int_equal(kith_crypto_keys_access(k, 1), KITH_OK);
	assert_int_equal(kith_crypto_slot_seal_keys(k, kek, n1, b1, NULL), KITH_OK);
	assert_int_equal(kith_crypto_keys_access(k, 0), KITH_OK);
	kith_crypto_key_free(kek);
	struct kith_store *s = NULL;
	assert_int_equal(kith_store_open(&s, f->path, NULL), KITH_OK);
	assert_int_equal(kith_store_begin(s, NULL), KITH_OK);
	assert_int_equal(kith_store_slot_put(s, "main", n1, sizeof n1, b1, sizeof b1, NULL), KITH_OK);
	assert_int_equal(kith_store_commit(s, NULL), KITH_OK);
	kith_store_close(s);
	fixture_sql(f->path, "ALTER TABLE devices DROP COLUMN auth");
	kith_crypto_keys_free(k);
	kith_crypto_keys_free(other);

	v = fixture_vault_open_path(f->path, PASS);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 2);
	assert_int_equal(info.devices_trusted, 1);
	kith_vault_close(v);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM devices WHERE length(auth) = 64"), 2);
	k = own_keys(f->path, PASS);
	assert_true(kith_crypto_keys_enrol_signed(k));
	kith_crypto_keys_free(k);
	v = fixture_vault_open_path(f->path, PASS);
	kith_vault_info(v, &info);
	assert_int_equal(info.devices_trusted, 0);
	kith_vault_close(v);

	/* strip every signature and add a device: nothing is trusted by default now */
	fixture_sql(f->path, "UPDATE devices SET auth = NULL");
	struct kith_crypto_keys *evil = stranger_keys(f->path);
	randombytes_buf(id, sizeof id);
	envelope(env, sizeof env, evil, "case", "C-EVIL-0002",
		 "{\"person\":{\"name\":\"Nobody\"},\"ref\":\"C-EVIL-0002\"}");
	put_row(f->path, evil, id, 1, env, 1);
	kith_crypto_keys_free(evil);
	v = fixture_vault_open_path(f->path, PASS);
	kith_vault_info(v, &info);
	assert_int_equal(info.devices_trusted, 0);
	assert_int_equal(info.devices_refused, 2);
	assert_int_equal(info.records, 1); /* the vault's own case; the other device's lost its enrolment */
	assert_null(kith_vault_find(v, "case", "C-EVIL-0002"));
	kith_vault_close(v);
}

/* Finding 10: a body that is authentic but hostile is damaged by ref and the
 * rest stay readable; every view that is indexed parses. */
static void test_hostile_bodies(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	char r1[KITH_VAULT_REF_MAX], id1[KITH_VAULT_ID_HEX];
	add_case(v, "Jo Kyong-hui", NULL, r1, id1);
	add_case(v, "An Chang-su", NULL, NULL, NULL);
	kith_vault_close(v);
	struct kith_crypto_keys *k = own_keys(f->path, PASS);
	static const char *const bodies[] = {
	    "{\"person\":{\"name\":\"\\ud800\"},\"ref\":\"C-H-1\"}",	     /* lone surrogate */
	    "{\"person\":{\"name\":\"a\"},\"person\":{},\"ref\":\"C-H-2\"}", /* duplicate key */
	    "{\"n\":1e999999,\"ref\":\"C-H-3\"}",			     /* a number jansson refuses */
	    "{\"n\":01,\"ref\":\"C-H-4\"}",				     /* not JSON's grammar */
	    "{\"s\":\"\\u0000\",\"ref\":\"C-H-5\"}",			     /* NUL */
	    /* canonical JSON that breaks the schema: the one-pass check of
	     * unlock (kith_record_text_ok) must not take any of them */
	    "{\"person\":{\"age_at_intake\":200,\"name\":\"a\"},\"ref\":\"C-H-6\"}",
	    "{\"person\":{\"name\":\"a\"},\"ref\":\"C-H-7\",\"x\":1}",
	    "{\"needs\":[\"legal\",\"legal\"],\"person\":{\"name\":\"a\"},\"ref\":\"C-H-8\"}",
	    "{\"person\":{\"birth\":\"2019-02-29\",\"name\":\"a\"},\"ref\":\"C-H-9\"}",
	    "{\"person\":{\"name\":\" \\n\"},\"ref\":\"C-H-10\"}",
	    "{\"person\":{\"name\":\"\xc2\x85\"},\"ref\":\"C-H-11\"}",
	    "{\"family\":[{\"relation\":\"mother\"}],\"person\":{\"name\":\"a\"},\"ref\":\"C-H-12\"}",
	    "{\"person\":{\"name\":\"a\"},\"ref\":\"C-H-13\",\"status\":\"nope\"}",
	};
	char env[1024];
	uint8_t id[16];
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		randombytes_buf(id, sizeof id);
		char ref[16];
		snprintf(ref, sizeof ref, "C-H-%zu", i + 1);
		envelope(env, sizeof env, k, "case", ref, bodies[i]);
		put_row(f->path, k, id, 1, env, 0);
	}
	/* a valid body that is not in canonical form (spaces, keys out of
	 * order, an escaped letter) is read by jansson and indexed */
	randombytes_buf(id, sizeof id);
	envelope(env, sizeof env, k, "case", "C-H-OK",
		 "{ \"ref\" : \"C-H-OK\", \"person\": {\"name\": \"\\u0041n Ok\"} }");
	put_row(f->path, k, id, 1, env, 0);
	/* and a new version of a good case whose body is hostile: damaged by ref */
	id_bin(id1, id);
	char body[256];
	snprintf(body, sizeof body, "{\"person\":{\"name\":\"\\udfff\"},\"ref\":\"%s\"}", r1);
	envelope(env, sizeof env, k, "case", r1, body);
	put_row(f->path, k, id, 2, env, 0);
	kith_crypto_keys_free(k);

	v = fixture_vault_open_path(f->path, PASS);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 2);
	assert_int_equal(info.damaged, 14);
	for (int i = 6; i <= 13; i++) {
		char ref[16];
		snprintf(ref, sizeof ref, "C-H-%d", i);
		assert_null(kith_vault_find(v, "case", ref));
	}
	const struct kith_record_view *ok = kith_vault_find(v, "case", "C-H-OK");
	assert_non_null(ok);
	assert_string_equal(ok->body, "{ \"ref\" : \"C-H-OK\", \"person\": {\"name\": \"\\u0041n Ok\"} }");
	const struct kith_vault_damage *d = kith_vault_find_damaged(v, "case", r1);
	assert_non_null(d);
	assert_string_equal(d->reason, "bad body");
	size_t n = 0;
	const struct kith_record_view *all = kith_vault_records(v, "case", &n);
	for (size_t i = 0; i < n; i++) {
		json_t *j = kith_record_view_json(&all[i]);
		assert_non_null(j);
		json_decref(j);
	}
	kith_vault_close(v);
}

/* Finding 8: two handles on one file (two processes) never give one ref to
 * two cases; each sees the other's writes; a batch checked against an index
 * that another writer made stale is refused and can be retried. */
static void test_two_writers(void **state)
{
	struct fixture_files *f = *state;
	make_vault(f->path, NULL);
	struct kith_vault *a = fixture_vault_open_path(f->path, PASS),
			  *b = fixture_vault_open_path(f->path, PASS);
	char ra[KITH_VAULT_REF_MAX], rb[KITH_VAULT_REF_MAX], rc1[KITH_VAULT_REF_MAX];
	add_case(a, "Kang Sun-ok", NULL, ra, NULL);
	struct kith_vault_batch *bb = NULL;
	struct kith_err err;
	/* b's index is stale: it refuses to write until it has read the file again */
	assert_int_equal(kith_vault_batch_begin(b, &bb, &err), KITH_E_EXISTS);
	assert_string_equal(err.where, "concurrent");
	assert_int_equal(kith_vault_refresh(b, NULL), KITH_OK);
	add_case(b, "Kang Sun-ok's sister", NULL, rb, NULL);
	assert_string_not_equal(ra, rb);
	assert_int_equal(kith_vault_refresh(a, NULL), KITH_OK);
	assert_non_null(kith_vault_find(a, "case", rb));
	assert_int_equal(case_count(a), 2);

	/* b numbers a case, then a writes before b commits */
	assert_int_equal(kith_vault_batch_begin(b, &bb, NULL), KITH_OK);
	json_t *body = case_body("Third Person", "Musan", NULL);
	char staged[KITH_VAULT_REF_MAX];
	assert_int_equal(kith_vault_put(bb, "case", body, NULL, staged, NULL, &err), KITH_OK);
	add_case(a, "Fourth Person", NULL, rc1, NULL);
	assert_string_equal(staged, rc1); /* the same number, chosen from the same index */
	assert_int_equal(kith_vault_batch_commit(bb, &err), KITH_E_EXISTS);
	assert_string_equal(err.where, "concurrent");
	bb = NULL;
	assert_int_equal(kith_vault_batch_begin(b, &bb, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(bb, "case", body, NULL, staged, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(bb, &err), KITH_OK);
	assert_string_not_equal(staged, rc1);
	json_decref(body);
	kith_vault_close(a);
	kith_vault_close(b);

	struct kith_vault *v = fixture_vault_open_path(f->path, PASS);
	size_t n = 0;
	const struct kith_record_view *all = kith_vault_records(v, "case", &n);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(all[i].ref, all[j].ref);
	kith_vault_close(v);
}

/* A panic in another process: the open vault drops its keys and index and
 * every later call fails with KITH_E_LOCKED. */
static void test_panic_elsewhere_locks(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	add_case(v, "Min Hyang", NULL, NULL, NULL);
	assert_int_equal(kith_vault_panic(f->path, NULL), KITH_OK);
	assert_int_equal(kith_vault_refresh(v, NULL), KITH_E_LOCKED);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_E_LOCKED);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.keys_destroyed, 1);
	assert_int_equal(info.records, 0);
	kith_vault_close(v);
}

/* Finding 3: with another process holding a read transaction, panic succeeds,
 * and neither the file nor its log holds the old slot's bytes: a copy of the
 * main file alone does not open. */
static void test_panic_with_reader(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, DURESS);
	add_case(v, "Paek Un-mi", NULL, NULL, NULL);
	kith_vault_close(v);
	uint8_t n[24], box[196];
	struct kith_store *s = NULL;
	assert_int_equal(kith_store_open(&s, f->path, NULL), KITH_OK);
	assert_int_equal(kith_store_slot_get(s, "main", n, sizeof n, box, sizeof box, NULL), KITH_OK);
	kith_store_close(s);

	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM slots", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	struct kith_err err;
	assert_int_equal(kith_vault_panic(f->path, &err), KITH_OK);
	char copy[200];
	snprintf(copy, sizeof copy, "%s/other.kith", f->dir);
	size_t len = 0;
	char *raw = read_all(f->path, &len);
	FILE *fp = fopen(copy, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(raw, 1, len, fp), len);
	fclose(fp);
	free(raw);
	sqlite3_finalize(st);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);

	char wal[200];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	const char *files[] = {f->path, wal, copy};
	for (size_t i = 0; i < 3; i++) {
		raw = read_all(files[i], &len);
		for (size_t j = 0; raw && j + sizeof box <= len; j++)
			assert_false(memcmp(raw + j, box, sizeof box) == 0);
		free(raw);
	}
	sqlite3_close(db);
	assert_int_equal(open_rc(copy, PASS), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, PASS), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, DURESS), KITH_E_AUTH);
}

/* Opens the closed vault's file at the first byte of the rows table's root
 * page, to damage it (the -wal and -shm removed: checkpointed at close, the
 * file holds it all); *page_size set. Close it with fclose. */
static FILE *at_rows_root(const char *path, long long *page_size)
{
	char p[200];
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	long long root = fixture_sql_int(path, "SELECT rootpage FROM sqlite_schema WHERE name = 'rows'");
	*page_size = fixture_sql_int(path, "PRAGMA page_size");
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	FILE *fp = fopen(path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, (long)((root - 1) * *page_size), SEEK_SET), 0);
	return fp;
}

/* Finding 7: a damaged page of the rows table is never an empty vault. */
static void test_damaged_pages_never_empty(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	add_case(v, "One", NULL, NULL, NULL);
	add_case(v, "Two", NULL, NULL, NULL);
	kith_vault_close(v);
	long long psz;
	FILE *fp = at_rows_root(f->path, &psz);
	fputc(0x00, fp); /* the page type byte of the rows table's only leaf */
	fclose(fp);
	struct kith_err err;
	struct kith_vault *bad = NULL;
	int rc = kith_vault_open(&bad, f->path, PASS, strlen(PASS), NULL, NULL, &err);
	assert_int_not_equal(rc, KITH_OK); /* was: KITH_OK with 0 cases */
	assert_null(bad);
	assert_int_equal(rc, KITH_E_CORRUPT);
}

/* Finding 7, part-way: rows after a damaged page are counted as missing; the
 * vault says how many and refuses writes. */
static void test_damaged_pages_counted(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	for (int i = 0; i < 60; i++) {
		json_t *body = case_body("Many", "Hyesan", NULL);
		assert_int_equal(kith_vault_put(b, "case", body, NULL, NULL, NULL, NULL), KITH_OK);
		json_decref(body);
	}
	assert_int_equal(kith_vault_batch_commit(b, NULL), KITH_OK);
	kith_vault_close(v);
	long long psz;
	FILE *fp = at_rows_root(f->path, &psz);
	unsigned char hdr[12];
	assert_int_equal(fread(hdr, 1, 12, fp), 12);
	assert_int_equal(hdr[0], 0x05); /* an interior page: its right-most child is the last leaf */
	long last = (long)hdr[8] << 24 | hdr[9] << 16 | hdr[10] << 8 | hdr[11];
	assert_int_equal(fseek(fp, (last - 1) * (long)psz, SEEK_SET), 0);
	fputc(0x00, fp);
	fclose(fp);
	v = fixture_vault_open_path(f->path, PASS);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_true(info.missing > 0);
	assert_int_equal(info.records + info.missing + info.damaged, 60);
	assert_true(info.records > 0);
	struct kith_err err;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "could not be read"));
	kith_vault_close(v);
}

/* Finding 11: the process is not dumpable (no core file, no ptrace or
 * /proc/<pid>/mem by other processes of the user) and core dumps are off.
 * (This kernel's /proc/self/status has no "Dumpable" line: prctl tells.) */
static void test_process_not_dumpable(void **state)
{
	(void)state;
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 0);
}

/* Scans every readable mapping of this process for 32 bytes that, XORed
 * with mask, equal masked. The KEK itself is never held by the test: only
 * KEK ^ mask, so the test's own copy cannot match. */
static size_t scan_memory(const uint8_t masked[32], const uint8_t mask[32])
{
	FILE *maps = fopen("/proc/self/maps", "r");
	int mem = open("/proc/self/mem", O_RDONLY);
	if (!maps || mem < 0) {
		if (maps)
			fclose(maps);
		return 0;
	}
	size_t hits = 0;
	char line[512];
	static uint8_t buf[1 << 20];
	uint8_t first = masked[0] ^ mask[0];
	while (fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perm[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) != 3 || perm[0] != 'r')
			continue;
		if (strstr(line, "[vvar]") || strstr(line, "[vsyscall]"))
			continue;
		for (unsigned long at = lo; at < hi; at += sizeof buf - 32) {
			size_t want = hi - at < sizeof buf ? hi - at : sizeof buf;
			ssize_t got = pread(mem, buf, want, (off_t)at);
			if (got < 32)
				break;
			for (size_t i = 0; i + 32 <= (size_t)got; i++) {
				if (buf[i] != first)
					continue;
				size_t k = 1;
				while (k < 32 && (uint8_t)(buf[i + k] ^ mask[k]) == masked[k])
					k++;
				hits += k == 32;
			}
			if ((size_t)got < want || at + want >= hi)
				break;
		}
	}
	fclose(maps);
	close(mem);
	return hits;
}

/* Finding 5: after unlock, passwd, recover and close, no copy of a
 * passphrase-derived key is left in the process's memory (stacks included). */
static void test_no_kek_left_in_memory(void **state)
{
#if defined(__SANITIZE_ADDRESS__)
	/* the sanitizer's shadow and allocator reserve terabytes of readable
	 * address space: the scan is for the ordinary build (and valgrind) */
	skip();
#endif
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, NULL);
	assert_int_equal(kith_vault_export_org_key(v, f->key, "usb stick", 9, NULL), KITH_OK);
	assert_int_equal(kith_vault_passwd(v, "second pass", 11, NULL, 0, NULL), KITH_OK);
	kith_vault_close(v);
	v = fixture_vault_open_path(f->path, "second pass");
	kith_vault_close(v);
	/* the KEK of "second pass", derived into guarded memory and masked there */
	struct kith_store_header h = file_header(f->path);
	uint8_t mask[32], masked[32];
	randombytes_buf(mask, sizeof mask);
	uint8_t *g = sodium_malloc(32);
	assert_non_null(g);
	assert_int_equal(crypto_pwhash(g, 32, "second pass", 11, h.salt, h.opslimit, h.memlimit, h.alg), 0);
	for (int i = 0; i < 32; i++)
		masked[i] = g[i] ^ mask[i];
	sodium_free(g);		/* wipes */
	sodium_stackzero(4096); /* what crypto_pwhash left in this test's own frames */
	assert_int_equal(scan_memory(masked, mask), 0);
}

static void span_equal(struct span a, struct span b)
{
	assert_int_equal(a.n, b.n);
	if (a.n)
		assert_memory_equal(a.p, b.p, a.n);
}

/* The fields vault_env_write hands its caller (the sealer uses them instead
 * of parsing the envelope it just wrote) are what vault_env_parse finds in
 * the same bytes: with escapes in every string, with and without a person. */
static void test_envelope_fields_as_parsed(void **state)
{
	(void)state;
	static const struct {
		const char *kind, *ref, *body, *device, *action, *note, *person;
	} c[] = {
	    {"case", "R0000001", "{\"name\":\"방미선\"}", "0123456789abcdef", "create", "", NULL},
	    {"case", "", "{}", "0123456789abcdef", "edit", "a \"quoted\" note\\ \n\t\x01", "p1"},
	    {"review", "R\"2\"", "{\"a\":[1,2,{\"b\":\"}\"}]}", "fedcba9876543210", "merge", "노트", ""},
	    {"case", "R0000002", "{\"person\":{\"name\":\"방미선\"},\"ref\":\"R0000002\"}",
	     "0123456789abcdef", "create", "", NULL},
	};
	int sure_seen = 0;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct kith_sbuf body = KITH_SBUF_INIT, sb = KITH_SBUF_INIT;
		assert_int_equal(kith_sbuf_adds(&body, c[i].body), KITH_OK);
		struct env w, p;
		assert_int_equal(vault_env_write(&sb, c[i].kind, c[i].ref, &body, 1700000000 + (int64_t)i,
						 c[i].device, c[i].action, c[i].note, 1600000000, c[i].person,
						 &w),
				 KITH_OK);
		size_t len = 0;
		char *buf = kith_sbuf_detach(&sb, &len);
		int sure = -1;
		assert_int_equal(vault_env_parse(buf, len, &p, &sure), 0);
		/* the body checked in the same pass says what the check alone says */
		assert_int_equal(sure, kith_record_text_ok(c[i].kind, c[i].body, strlen(c[i].body)));
		sure_seen += sure;
		span_equal(w.kind, p.kind);
		span_equal(w.ref, p.ref);
		span_equal(w.body, p.body);
		span_equal(w.device, p.device);
		span_equal(w.action, p.action);
		span_equal(w.note, p.note);
		span_equal(w.person, p.person);
		assert_true(w.at == p.at && w.created == p.created);
		assert_int_equal(w.have, p.have);
		/* the spans point into the detached buffer */
		assert_true(w.body.p >= buf && w.body.p + w.body.n <= buf + len);
		free(buf);
		kith_sbuf_release(&body);
	}
	assert_int_equal(sure_seen, 1); /* the last body is a valid case, the others not */
}

/* vault_map_add: inserts once, never replaces; a deleted key can be added
 * again; the map grows past its first size without losing a key. */
static void test_map_add(void **state)
{
	(void)state;
	struct map m;
	vault_map_init(&m);
	static uint8_t keys[3000][16];
	for (size_t i = 0; i < 3000; i++) {
		memset(keys[i], 0, 16);
		memcpy(keys[i], &i, sizeof i);
		assert_int_equal(vault_map_add(&m, keys[i], 16, keys[i]), 1);
	}
	for (size_t i = 0; i < 3000; i++) {
		assert_int_equal(vault_map_add(&m, keys[i], 16, keys[0]), 0); /* there: unchanged */
		assert_ptr_equal(vault_map_get(&m, keys[i], 16), keys[i]);
	}
	assert_int_equal(m.n, 3000);
	vault_map_del(&m, keys[7], 16);
	assert_null(vault_map_get(&m, keys[7], 16));
	assert_int_equal(vault_map_add(&m, keys[7], 16, keys[8]), 1);
	assert_ptr_equal(vault_map_get(&m, keys[7], 16), keys[8]);
	for (size_t i = 0; i < 3000; i++) /* the deletion kept every other probe chain whole */
		if (i != 7)
			assert_ptr_equal(vault_map_get(&m, keys[i], 16), keys[i]);
	vault_map_free(&m);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
#define T(fn) FIXTURE_FILES_TEST(fn)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_envelope_fields_as_parsed),
	    cmocka_unit_test(test_map_add),
	    T(test_create_open_close),
	    T(test_wrong_passphrase_changes_nothing),
	    T(test_records_versions_history),
	    T(test_batch_rollback_and_failed_put),
	    T(test_ref_uniqueness),
	    T(test_duress_and_recover),
	    T(test_panic_and_recover),
	    T(test_passwd),
	    T(test_passwd_keeps_duress_when_given),
	    T(test_check_passphrase_and_backup_buf),
	    T(test_tampering),
	    T(test_not_a_vault),
	    T(test_nothing_readable_in_the_file),
	    T(test_threads_and_order),
	    T(test_forged_device_rows),
	    T(test_enrolment_upgrade),
	    T(test_hostile_bodies),
	    T(test_two_writers),
	    T(test_panic_elsewhere_locks),
	    T(test_panic_with_reader),
	    T(test_damaged_pages_never_empty),
	    T(test_damaged_pages_counted),
	    T(test_process_not_dumpable),
	    T(test_no_kek_left_in_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
