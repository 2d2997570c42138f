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

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "base/status.h"
#include "vault/vault.h"

#define PASS "correct horse battery"
#define DURESS "blue sky over the river"

struct fx {
	char dir[64];
	char path[128];
	char key[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-vault-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	snprintf(f->key, sizeof f->key, "%s/org.key", f->dir);
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
	unlink(f->key);
	snprintf(p, sizeof p, "%s/other.kith", f->dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/other.key", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void make_vault(const char *path, const char *duress)
{
	struct kith_vault_create_opts o = {
	    .kdf = KITH_KDF_TEST, .duress = duress, .duress_len = duress ? strlen(duress) : 0};
	struct kith_err err;
	int rc = kith_vault_create(path, PASS, strlen(PASS), &o, &err);
	if (rc)
		fail_msg("create: %s", err.msg);
}

static struct kith_vault *open_ok(const char *path, const char *pass)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	int rc = kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, &err);
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

static void sql(const char *path, const char *q)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg ? msg : "?");
	sqlite3_close(db);
}

static long long sql_int(const char *path, const char *q)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long long r = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
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
	struct fx *f = *state;
	struct kith_err err;
	struct kith_vault_create_opts bad = {
	    .kdf = KITH_KDF_TEST, .duress = PASS, .duress_len = strlen(PASS)};
	assert_int_equal(kith_vault_create(f->path, PASS, strlen(PASS), &bad, &err), KITH_E_INVALID);
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
	assert_int_equal(sql_int(f->path, "SELECT kdf FROM header"), KITH_KDF_TEST);
	assert_int_equal(sql_int(f->path, "SELECT opslimit FROM header"), 1);
	assert_int_equal(sql_int(f->path, "SELECT memlimit FROM header"), 8192);
	assert_int_equal(sql_int(f->path, "SELECT alg FROM header"), 2); /* crypto_pwhash_ALG_ARGON2ID13 */
	assert_int_equal(sql_int(f->path, "SELECT length(salt) FROM header"), 16);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM slots"), 2); /* duress slot: random filler */
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM devices"), 1);

	struct kith_vault *v = open_ok(f->path, PASS);
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
	struct fx *f = *state;
	make_vault(f->path, DURESS);
	struct kith_vault *v = open_ok(f->path, PASS);
	char ref[KITH_VAULT_REF_MAX];
	add_case(v, "Ri Yong-ho", NULL, ref, NULL);
	kith_vault_close(v);
	size_t n1, n2;
	char *before = read_all(f->path, &n1);
	struct kith_err err;
	v = NULL;
	assert_int_equal(kith_vault_open(&v, f->path, "correct horse battery!", 22, NULL, NULL, &err),
			 KITH_E_AUTH);
	assert_null(v);
	assert_string_equal(err.msg, "wrong passphrase");
	char *after = read_all(f->path, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	free(before);
	free(after);
	v = open_ok(f->path, PASS);
	assert_int_equal(case_count(v), 1);
	kith_vault_close(v);
}

static void test_records_versions_history(void **state)
{
	struct fx *f = *state;
	make_vault(f->path, NULL);
	struct kith_vault *v = open_ok(f->path, PASS);
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
	v = open_ok(f->path, PASS);
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
	struct fx *f = *state;
	make_vault(f->path, NULL);
	struct kith_vault *v = open_ok(f->path, PASS);
	char ref[KITH_VAULT_REF_MAX];
	add_case(v, "So Yong-nam", NULL, ref, NULL);
	kith_vault_close(v);
	size_t n1, n2;
	char *before = read_all(f->path, &n1);
	v = open_ok(f->path, PASS);
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
	char *after = read_all(f->path, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	free(before);
	free(after);

	/* a failed put leaves the batch as it was: the good puts still commit */
	v = open_ok(f->path, PASS);
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
	setenv("KITH_THREADS", "3", 1);
	kith_vault_close(v);
	v = open_ok(f->path, PASS);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
		for (int i = 0; i < 150; i++)
			assert_int_equal(kith_vault_put(b, "case", c, NULL, NULL, NULL, &err), KITH_OK);
		if (round == 0)
			kith_vault_batch_free(b);
	}
	assert_int_equal(case_count(v), 2);
	kith_vault_close(v); /* with the second batch still open */
	unsetenv("KITH_THREADS");
	v = open_ok(f->path, PASS);
	assert_int_equal(case_count(v), 2);
	kith_vault_close(v);
	json_decref(c);
	json_decref(e);
	json_decref(bad);
}

static void test_ref_uniqueness(void **state)
{
	struct fx *f = *state;
	make_vault(f->path, NULL);
	struct kith_vault *v = open_ok(f->path, PASS);
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
	v = open_ok(f->path, PASS);
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
	struct fx *f = *state;
	make_vault(f->path, DURESS);
	struct kith_vault *v = open_ok(f->path, PASS);
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
	v = open_ok(f->path, DURESS);
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
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM slots"), 2);
	v = open_ok(f->path, DURESS); /* now the main passphrase of the new device */
	assert_int_equal(case_count(v), 1);
	assert_non_null(kith_vault_find(v, "case", r3));
	kith_vault_close(v);

	/* headquarters' backup restores everything, written before and after */
	assert_int_equal(kith_vault_recover(f->path, f->key, "usb stick!", 10, "new pass", 8, &err),
			 KITH_E_AUTH);
	assert_int_equal(kith_vault_recover(f->path, f->key, "usb stick", 9, "new pass", 8, &err), KITH_OK);
	assert_int_equal(open_rc(f->path, DURESS), KITH_E_AUTH);
	v = open_ok(f->path, "new pass");
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 3);
	assert_int_equal(info.unreadable, 0);
	assert_int_equal(info.damaged, 0);
	assert_int_equal(info.holds_org_secret, 1);
	assert_non_null(kith_vault_find(v, "case", r1));
	assert_non_null(kith_vault_find(v, "case", r2));
	assert_non_null(kith_vault_find(v, "case", r3));
	assert_non_null(strstr(kith_vault_find(v, "case", r1)->body, "Kim Hye-suk"));
	struct kith_record_view *h = NULL;
	size_t hn = 0;
	assert_int_equal(kith_vault_history(v, kith_vault_find(v, "case", r1)->id, &h, &hn, &err), KITH_OK);
	assert_int_equal(hn, 1); /* read through the organization wrap */
	assert_non_null(strstr(h[0].body, "Kim Hye-suk"));
	kith_vault_history_free(h, hn);
	kith_vault_close(v);

	/* rows signed by devices that are not enrolled are refused */
	sql(f->path, "DELETE FROM devices");
	v = open_ok(f->path, "new pass");
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
	struct fx *f = *state;
	make_vault(f->path, DURESS);
	struct kith_vault *v = open_ok(f->path, PASS);
	char r1[KITH_VAULT_REF_MAX];
	add_case(v, "Mun Song-mi", NULL, r1, NULL);
	struct kith_err err;
	assert_int_equal(kith_vault_export_org_key(v, f->key, "backup pass", 11, &err), KITH_OK);
	kith_vault_close(v);

	assert_int_equal(kith_vault_panic(f->path, &err), KITH_OK);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM slots"), 0);
	char wal[200];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	struct stat st;
	assert_true(stat(wal, &st) != 0 || st.st_size == 0);
	assert_int_equal(open_rc(f->path, PASS), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, DURESS), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, "anything"), KITH_E_AUTH);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM \"rows\""), 1); /* the rows stay, sealed */

	/* a key of another organization is refused */
	char other[200], other_key[200];
	snprintf(other, sizeof other, "%s/other.kith", f->dir);
	snprintf(other_key, sizeof other_key, "%s/other.key", f->dir);
	make_vault(other, NULL);
	v = open_ok(other, PASS);
	assert_int_equal(kith_vault_export_org_key(v, other_key, "backup pass", 11, &err), KITH_OK);
	kith_vault_close(v);
	assert_int_equal(kith_vault_recover(f->path, other_key, "backup pass", 11, "p2", 2, &err),
			 KITH_E_AUTH);
	assert_int_equal(kith_vault_recover(f->path, f->dir, "backup pass", 11, "p2", 2, &err) < 0, 1);

	assert_int_equal(kith_vault_recover(f->path, f->key, "backup pass", 11, "p2", 2, &err), KITH_OK);
	v = open_ok(f->path, "p2");
	assert_int_equal(case_count(v), 1);
	assert_non_null(strstr(kith_vault_find(v, "case", r1)->body, "Mun Song-mi"));
	kith_vault_close(v);
	assert_int_equal(kith_vault_panic(f->dir, &err) < 0, 1);
}

static void test_passwd(void **state)
{
	struct fx *f = *state;
	make_vault(f->path, DURESS);
	struct kith_vault *v = open_ok(f->path, PASS);
	char r1[KITH_VAULT_REF_MAX];
	add_case(v, "Paek Kum-sun", NULL, r1, NULL);
	struct kith_err err;
	assert_int_equal(kith_vault_passwd(v, "", 0, NULL, 0, &err), KITH_E_INVALID);
	assert_int_equal(kith_vault_passwd(v, "same", 4, "same", 4, &err), KITH_E_INVALID);
	assert_int_equal(kith_vault_passwd(v, "the new one", 11, "new duress", 10, &err), KITH_OK);
	assert_non_null(kith_vault_find(v, "case", r1)); /* still readable in this session */
	kith_vault_close(v);
	assert_int_equal(open_rc(f->path, PASS), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, DURESS), KITH_E_AUTH); /* the old duress went with the old salt */
	v = open_ok(f->path, "the new one");
	assert_int_equal(case_count(v), 1);
	assert_non_null(strstr(kith_vault_find(v, "case", r1)->body, "Paek Kum-sun"));
	/* without a duress passphrase the duress slot is filler */
	assert_int_equal(kith_vault_passwd(v, "third", 5, NULL, 0, &err), KITH_OK);
	kith_vault_close(v);
	assert_int_equal(open_rc(f->path, "new duress"), KITH_E_AUTH);
	assert_int_equal(open_rc(f->path, "the new one"), KITH_E_AUTH);
	v = open_ok(f->path, "third");
	assert_int_equal(case_count(v), 1);
	kith_vault_close(v);
}

static void test_passwd_keeps_duress_when_given(void **state)
{
	struct fx *f = *state;
	make_vault(f->path, NULL);
	struct kith_vault *v = open_ok(f->path, PASS);
	char r1[KITH_VAULT_REF_MAX];
	add_case(v, "Yun Hyang-mi", NULL, r1, NULL);
	assert_int_equal(kith_vault_passwd(v, "p-new", 5, "d-new", 5, NULL), KITH_OK);
	kith_vault_close(v);
	v = open_ok(f->path, "d-new");
	assert_int_equal(case_count(v), 0);
	kith_vault_close(v);
	assert_int_equal(open_rc(f->path, "p-new"), KITH_E_AUTH);
}

static void test_tampering(void **state)
{
	struct fx *f = *state;
	make_vault(f->path, NULL);
	struct kith_vault *v = open_ok(f->path, PASS);
	char ra[KITH_VAULT_REF_MAX], rb[KITH_VAULT_REF_MAX], rc_[KITH_VAULT_REF_MAX];
	char ia[KITH_VAULT_ID_HEX], ib[KITH_VAULT_ID_HEX], ic[KITH_VAULT_ID_HEX];
	add_case(v, "Ham Jin-ok", NULL, ra, ia);
	add_case(v, "Ham Jin-ok", ra, NULL, NULL); /* version 2 of A */
	add_case(v, "Sin Kwang-il", NULL, rb, ib);
	add_case(v, "Tak Mi-hyang", NULL, rc_, ic);
	kith_vault_close(v);

	flip(f->path, ia, 2, "ct", 40); /* A: newest version's ciphertext */
	flip(f->path, ib, 1, "sig", 3); /* B: its only version's signature */
	v = open_ok(f->path, PASS);
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
	sql(f->path, "UPDATE \"rows\" SET version = 'x' WHERE version = 3");
	v = open_ok(f->path, PASS);
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
	struct fx *f = *state;
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
	sql(f->path, "PRAGMA user_version = 0");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_NOTVAULT);
	assert_non_null(strstr(err.msg, "application id"));
	unlink(f->path);

	/* newer format */
	make_vault(f->path, NULL);
	sql(f->path, "PRAGMA user_version = 2");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_NOTVAULT);
	assert_string_equal(err.msg, "vault format 2 is newer than this kith");
	sql(f->path, "PRAGMA user_version = 1");
	/* a damaged header */
	sql(f->path, "UPDATE header SET memlimit = 1");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_CORRUPT);
	sql(f->path, "UPDATE header SET memlimit = 8192, org_pk = zeroblob(32)");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_CORRUPT);
	sql(f->path, "DELETE FROM header");
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_CORRUPT);
}

static void test_nothing_readable_in_the_file(void **state)
{
	struct fx *f = *state;
	make_vault(f->path, NULL);
	struct kith_vault *v = open_ok(f->path, PASS);
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
	v = open_ok(f->path, PASS);
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
	struct fx *f = *state;
	make_vault(f->path, NULL);
	setenv("KITH_THREADS", "4", 1);
	struct kith_vault *v = open_ok(f->path, PASS);
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

	setenv("KITH_THREADS", "1", 1);
	size_t seen1[3] = {0};
	struct kith_vault *v1 = NULL;
	assert_int_equal(kith_vault_open(&v1, f->path, PASS, strlen(PASS), progress_cb, seen1, &err),
			 KITH_OK);
	setenv("KITH_THREADS", "7", 1);
	struct kith_vault *v7 = open_ok(f->path, PASS);
	unsetenv("KITH_THREADS");
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

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_create_open_close),
	    T(test_wrong_passphrase_changes_nothing),
	    T(test_records_versions_history),
	    T(test_batch_rollback_and_failed_put),
	    T(test_ref_uniqueness),
	    T(test_duress_and_recover),
	    T(test_panic_and_recover),
	    T(test_passwd),
	    T(test_passwd_keeps_duress_when_given),
	    T(test_tampering),
	    T(test_not_a_vault),
	    T(test_nothing_readable_in_the_file),
	    T(test_threads_and_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
