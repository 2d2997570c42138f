/* Unit tests of src/core/store: the SQLite file of a vault — schema, pragmas,
 * the application id and format checks, rows, slots, devices, transactions.
 * sqlite3 is used directly only to build hostile files and to look at what
 * the store wrote. */
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
#include <sqlite3.h>

#include "fixture_vault.h"
#include "base/status.h"
#include "vault/store.h"

static struct kith_store_header header(void)
{
	struct kith_store_header h;
	memset(&h, 0, sizeof h);
	h.format = KITH_STORE_FORMAT;
	memset(h.vault_id, 0xa1, sizeof h.vault_id);
	h.kdf = 3;
	h.opslimit = 1;
	h.memlimit = 8192;
	h.alg = 2;
	memset(h.salt, 0x55, sizeof h.salt);
	memset(h.org_pk, 0x66, sizeof h.org_pk);
	return h;
}

static void put_row(struct kith_store *s, uint8_t idbyte, int64_t version, int expect)
{
	uint8_t id[16], dev[32], wo[80], wd[72], nonce[24], ct[272], sig[64];
	memset(id, idbyte, sizeof id);
	memset(dev, 1, sizeof dev);
	memset(wo, 2, sizeof wo);
	memset(wd, 3, sizeof wd);
	memset(nonce, 4, sizeof nonce);
	memset(ct, (int)version, sizeof ct);
	memset(sig, 6, sizeof sig);
	struct kith_store_row r = {.id = {id, sizeof id},
				   .device = {dev, sizeof dev},
				   .wrap_org = {wo, sizeof wo},
				   .wrap_dev = {wd, sizeof wd},
				   .nonce = {nonce, sizeof nonce},
				   .ct = {ct, sizeof ct},
				   .sig = {sig, sizeof sig},
				   .version = version};
	assert_int_equal(kith_store_row_put(s, &r, NULL), expect);
}

static void test_create_schema_and_pragmas(void **state)
{
	struct fixture_files *f = *state;
	struct kith_store *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_store_create(&s, f->path, &err), KITH_OK);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	long long v;
	assert_int_equal(kith_store_pragma(s, "secure_delete", &v, NULL), KITH_OK);
	assert_int_equal(v, 1);
	assert_int_equal(kith_store_pragma(s, "synchronous", &v, NULL), KITH_OK);
	assert_int_equal(v, 2); /* FULL */
	assert_int_equal(kith_store_pragma(s, "temp_store", &v, NULL), KITH_OK);
	assert_int_equal(v, 2); /* MEMORY */
	assert_int_equal(kith_store_pragma(s, "busy_timeout", &v, NULL), KITH_OK);
	assert_true(v > 0);
	assert_int_equal(kith_store_pragma(s, "application_id", &v, NULL), KITH_OK);
	assert_int_equal(v, KITH_STORE_APPLICATION_ID);
	assert_int_equal(kith_store_pragma(s, "user_version; drop", &v, &err), KITH_E_INVALID);
	struct kith_store_header h = header(), back;
	assert_int_equal(kith_store_header_get(s, &back, &err), KITH_E_CORRUPT); /* not written yet */
	assert_int_equal(kith_store_header_put(s, &h, NULL), KITH_OK);
	/* no journal file before the switch to WAL: the first writes (the key
	 * slots) go straight into the file */
	char side[160];
	snprintf(side, sizeof side, "%s-wal", f->path);
	assert_int_not_equal(access(side, F_OK), 0);
	snprintf(side, sizeof side, "%s-journal", f->path);
	assert_int_not_equal(access(side, F_OK), 0);
	assert_int_equal(kith_store_wal(s, NULL), KITH_OK);
	kith_store_close(s);

	/* what a look at the file shows */
	assert_int_equal(fixture_sql_int(f->path, "PRAGMA application_id"), KITH_STORE_APPLICATION_ID);
	assert_int_equal(fixture_sql_int(f->path, "PRAGMA user_version"),
			 1); /* kith_store_create: format 1 */
	assert_int_equal(
	    fixture_sql_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
				     "('header', 'slots', 'devices', 'rows')"),
	    4);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM pragma_table_info('rows')"), 8);
	FILE *fp = fopen(f->path, "rb");
	assert_non_null(fp);
	unsigned char hdr[20];
	assert_int_equal(fread(hdr, 1, sizeof hdr, fp), sizeof hdr);
	fclose(fp);
	assert_int_equal(hdr[18], 2); /* WAL, persistent in the file header */
	assert_int_equal(hdr[19], 2);

	assert_int_equal(kith_store_create(&s, f->path, &err), KITH_E_EXISTS);
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_OK);
	assert_int_equal(kith_store_header_get(s, &back, NULL), KITH_OK);
	assert_memory_equal(&back, &h, sizeof h);
	kith_store_close(s);
}

static void test_not_a_vault(void **state)
{
	struct fixture_files *f = *state;
	struct kith_store *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_store_open(&s, f->dir, &err), KITH_E_NOTVAULT);

	/* random bytes */
	FILE *fp = fopen(f->path, "wb");
	assert_non_null(fp);
	for (int i = 0; i < 8192; i++)
		fputc((i * 7919 + 13) & 0xff, fp);
	fclose(fp);
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_E_NOTVAULT);
	assert_non_null(strstr(err.msg, "not a SQLite database"));
	kith_store_remove(f->path);

	/* an empty file and an ordinary SQLite database */
	fp = fopen(f->path, "wb");
	fclose(fp);
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_E_NOTVAULT);
	assert_non_null(strstr(err.msg, "application id"));
	kith_store_remove(f->path);
	fixture_sql(f->path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
	struct stat before, after;
	assert_int_equal(stat(f->path, &before), 0);
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_E_NOTVAULT);
	assert_non_null(strstr(err.msg, "application id"));
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(fixture_sql_int(f->path, "PRAGMA application_id"), 0);
	fp = fopen(f->path, "rb");
	assert_non_null(fp);
	unsigned char hdr[20];
	assert_int_equal(fread(hdr, 1, sizeof hdr, fp), sizeof hdr);
	fclose(fp);
	assert_int_equal(hdr[18], 1); /* still a rollback-journal database: not switched to WAL */
	kith_store_remove(f->path);
}

static void test_newer_format_and_foreign_schema(void **state)
{
	struct fixture_files *f = *state;
	struct kith_store *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_store_create(&s, f->path, NULL), KITH_OK);
	kith_store_close(s);
	fixture_sql(f->path, "PRAGMA user_version = 7");
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_E_NOTVAULT);
	assert_string_equal(err.msg, "vault format 7 is newer than this kith");
	fixture_sql(f->path, "PRAGMA user_version = 0");
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_E_CORRUPT);
	fixture_sql(f->path,
		    "PRAGMA user_version = 1; CREATE TRIGGER t AFTER INSERT ON slots BEGIN DELETE FROM "
		    "devices; END;");
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "triggers"));
	fixture_sql(f->path, "DROP TRIGGER t; DROP TABLE devices;");
	assert_int_equal(kith_store_open(&s, f->path, &err), KITH_E_CORRUPT);
	kith_store_remove(f->path);

	/* a leftover journal of an earlier database blocks create */
	char wal[160];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	FILE *fp = fopen(wal, "wb");
	fclose(fp);
	assert_int_equal(kith_store_create(&s, f->path, &err), KITH_E_EXISTS);
	assert_int_equal(access(f->path, F_OK), -1);
	unlink(wal);
}

static void test_rows_and_transactions(void **state)
{
	struct fixture_files *f = *state;
	struct kith_store *s = NULL;
	assert_int_equal(kith_store_create(&s, f->path, NULL), KITH_OK);
	assert_int_equal(kith_store_begin(s, NULL), KITH_OK);
	put_row(s, 0xaa, 1, KITH_OK);
	put_row(s, 0xaa, 2, KITH_OK);
	put_row(s, 0xbb, 1, KITH_OK);
	put_row(s, 0xaa, 3, KITH_OK);
	put_row(s, 0xaa, 2, KITH_E_EXISTS);
	assert_int_equal(kith_store_commit(s, NULL), KITH_OK);
	size_t rows = 0, records = 0;
	assert_int_equal(kith_store_count(s, &rows, &records, NULL), KITH_OK);
	assert_int_equal(rows, 4);
	assert_int_equal(records, 2);

	/* rolled back: nothing */
	assert_int_equal(kith_store_begin(s, NULL), KITH_OK);
	put_row(s, 0xcc, 1, KITH_OK);
	kith_store_rollback(s);
	assert_int_equal(kith_store_count(s, &rows, &records, NULL), KITH_OK);
	assert_int_equal(rows, 4);

	struct kith_store_cursor *c = NULL;
	struct kith_store_row r;
	assert_int_equal(kith_store_rows_current(s, NULL, &c, NULL), KITH_OK);
	int n = 0;
	while (kith_store_cursor_next(c, &r, NULL) == 1) {
		if (r.id.p[0] == 0xaa) {
			assert_int_equal(r.version, 3);
			assert_int_equal(r.ct.p[0], 3); /* the columns of the newest version */
		} else {
			assert_int_equal(r.version, 1);
		}
		assert_int_equal(r.id.n, 16);
		assert_int_equal(r.sig.n, 64);
		n++;
	}
	assert_int_equal(n, 2);
	kith_store_cursor_free(c);
	/* the caller's counts (unlock counted them already): the same rows */
	assert_int_equal(kith_store_rows_current(s, (const size_t[2]){rows, records}, &c, NULL), KITH_OK);
	n = 0;
	while (kith_store_cursor_next(c, &r, NULL) == 1)
		n += r.id.p[0] == 0xaa ? (int)r.version * 10 : 1;
	assert_int_equal(n, 31); /* aa's version 3, and the other record */
	kith_store_cursor_free(c);

	uint8_t id[16];
	memset(id, 0xaa, sizeof id);
	assert_int_equal(kith_store_rows_of(s, id, sizeof id, 0, &c, NULL), KITH_OK);
	int64_t want = 1;
	while (kith_store_cursor_next(c, &r, NULL) == 1)
		assert_int_equal(r.version, want++);
	assert_int_equal(want, 4);
	kith_store_cursor_free(c);
	assert_int_equal(kith_store_rows_of(s, id, sizeof id, 3, &c, NULL), KITH_OK);
	n = 0;
	while (kith_store_cursor_next(c, &r, NULL) == 1)
		n++;
	assert_int_equal(n, 2);
	kith_store_cursor_free(c);
	kith_store_close(s);

	/* a hostile version column is handed up as it is, for the vault to judge */
	fixture_sql(f->path, "UPDATE \"rows\" SET version = 'x' WHERE version = 1 AND id = "
			     "x'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'");
	assert_int_equal(kith_store_open(&s, f->path, NULL), KITH_OK);
	assert_int_equal(kith_store_rows_current(s, NULL, &c, NULL), KITH_OK);
	int bad = 0;
	while (kith_store_cursor_next(c, &r, NULL) == 1)
		bad += r.version < 1;
	assert_int_equal(bad, 1);
	kith_store_cursor_free(c);
	kith_store_close(s);
	/* two versions that are not numbers: still one row per id */
	fixture_sql(f->path, "UPDATE \"rows\" SET version = 'y' WHERE version = 1 AND id = "
			     "x'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';"
			     "UPDATE \"rows\" SET version = 'z' WHERE version = 2 AND id = "
			     "x'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';");
	assert_int_equal(kith_store_open(&s, f->path, NULL), KITH_OK);
	assert_int_equal(kith_store_rows_current(s, NULL, &c, NULL), KITH_OK);
	n = 0;
	while (kith_store_cursor_next(c, &r, NULL) == 1)
		n++;
	assert_int_equal(n, 2);
	kith_store_cursor_free(c);
	kith_store_close(s);
}

static int copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	int rc = a && b ? 0 : -1;
	char buf[65536];
	size_t n;
	while (!rc && (n = fread(buf, 1, sizeof buf, a)) > 0)
		rc = fwrite(buf, 1, n, b) == n ? 0 : -1;
	if (a)
		fclose(a);
	if (b && fclose(b))
		rc = -1;
	return rc;
}

/* The longest run of byte b in the first MiB of a file (0 when missing). */
static size_t longest_run(const char *path, unsigned char b)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 0;
	static unsigned char buf[1 << 20];
	size_t len = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	size_t run = 0, longest = 0;
	for (size_t i = 0; i < len; i++) {
		run = buf[i] == b ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	return longest;
}

static void test_slots_devices_and_destroy(void **state)
{
	struct fixture_files *f = *state;
	struct kith_store *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_store_create(&s, f->path, NULL), KITH_OK);
	assert_int_equal(kith_store_wal(s, NULL), KITH_OK);
	uint8_t nonce[24], box[196], n2[24], b2[196];
	memset(nonce, 0x11, sizeof nonce);
	memset(box, 0x5a, sizeof box);
	assert_int_equal(kith_store_slot_get(s, "main", n2, sizeof n2, b2, sizeof b2, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_store_begin(s, NULL), KITH_OK);
	assert_int_equal(kith_store_slot_put(s, "main", nonce, sizeof nonce, box, sizeof box, NULL), KITH_OK);
	assert_int_equal(kith_store_slot_put(s, "duress", nonce, sizeof nonce, box, sizeof box, NULL),
			 KITH_OK);
	uint8_t pk1[32], pk2[32];
	memset(pk1, 0x22, sizeof pk1);
	memset(pk2, 0x21, sizeof pk2);
	assert_int_equal(kith_store_device_add(s, pk1, pk2, NULL), KITH_OK);
	assert_int_equal(kith_store_device_add(s, pk2, pk1, NULL), KITH_OK);
	assert_int_equal(kith_store_device_add(s, pk1, pk2, NULL), KITH_OK); /* again: ignored */
	assert_int_equal(kith_store_commit(s, NULL), KITH_OK);
	assert_int_equal(kith_store_slot_get(s, "main", n2, sizeof n2, b2, sizeof b2, NULL), KITH_OK);
	assert_memory_equal(b2, box, sizeof box);
	assert_int_equal(kith_store_slot_get(s, "main", n2, sizeof n2, b2, sizeof b2 - 1, &err),
			 KITH_E_CORRUPT);
	struct kith_store_device *d = NULL;
	size_t nd = 0;
	assert_int_equal(kith_store_devices(s, &d, &nd, NULL), KITH_OK);
	assert_int_equal(nd, 2);
	assert_memory_equal(d[0].sign_pk, pk2, 32); /* sorted by key */
	assert_memory_equal(d[1].box_pk, pk2, 32);
	free(d);

	/* an enrolment signature is kept with the device (an older file gets the column) */
	uint8_t auth[64];
	memset(auth, 0x33, sizeof auth);
	assert_int_equal(kith_store_device_put(s, pk1, pk2, auth, NULL), KITH_OK);
	assert_int_equal(kith_store_devices(s, &d, &nd, NULL), KITH_OK);
	assert_int_equal(nd, 2);
	assert_false(d[0].has_auth);
	assert_true(d[1].has_auth);
	assert_memory_equal(d[1].auth, auth, 64);
	free(d);

	/* a row written after the slots: its frame follows theirs in the log */
	uint8_t id[16], pk[32], wo[80], wd[72], nn[24], ct[300], sg[64];
	memset(id, 0x44, sizeof id);
	memset(pk, 1, sizeof pk), memset(wo, 2, sizeof wo), memset(wd, 3, sizeof wd);
	memset(nn, 4, sizeof nn), memset(ct, 5, sizeof ct), memset(sg, 6, sizeof sg);
	struct kith_store_row row = {.id = {id, 16},
				     .device = {pk, 32},
				     .wrap_org = {wo, 80},
				     .wrap_dev = {wd, 72},
				     .nonce = {nn, 24},
				     .ct = {ct, sizeof ct},
				     .sig = {sg, 64},
				     .version = 1};
	assert_int_equal(kith_store_begin(s, NULL), KITH_OK);
	assert_int_equal(kith_store_row_put(s, &row, NULL), KITH_OK);
	assert_int_equal(kith_store_commit(s, NULL), KITH_OK);
	struct kith_store_slot *sl = NULL;
	size_t nsl = 0;
	assert_int_equal(kith_store_slots_all(s, &sl, &nsl, NULL), KITH_OK);
	assert_int_equal(nsl, 2);
	assert_int_equal(sl[0].box_len, sizeof box);
	assert_memory_equal(sl[0].box, box, sizeof box);
	free(sl);

	/* shred in place while this connection stays open (another process
	 * reading): every copy in the file and the log becomes zeros */
	char wal[160], shm[160];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	snprintf(shm, sizeof shm, "%s-shm", f->path);
	struct kith_store_blob needles[] = {{box, sizeof box}, {nonce, sizeof nonce}};
	size_t found = 0;
	assert_int_equal(kith_store_shred(f->path, needles, 2, &found, &err), KITH_OK);
	assert_true(found >= 2);
	assert_false(longest_run(wal, 0x5a) >= 16);
	assert_false(longest_run(f->path, 0x5a) >= 16);
	/* the log's checksums still hold: a copy of the file and its log taken
	 * now (nothing checkpointed yet), recovered from the log alone (no -shm,
	 * as after a crash), keeps the row committed after the slots */
	char copy[200], copy_wal[220];
	snprintf(copy, sizeof copy, "%s.copy", f->path);
	snprintf(copy_wal, sizeof copy_wal, "%s.copy-wal", f->path);
	assert_int_equal(copy_file(f->path, copy), 0);
	assert_int_equal(copy_file(wal, copy_wal), 0);
	kith_store_close(s);
	(void)shm;
	assert_int_equal(kith_store_open(&s, copy, NULL), KITH_OK);
	size_t copy_rows = 0;
	assert_int_equal(kith_store_count(s, &copy_rows, NULL, NULL), KITH_OK);
	assert_int_equal(copy_rows, 1);
	kith_store_close(s);
	kith_store_remove(copy);
	assert_int_equal(kith_store_open(&s, f->path, NULL), KITH_OK);
	size_t rows = 0;
	assert_int_equal(kith_store_count(s, &rows, NULL, NULL), KITH_OK);
	assert_int_equal(rows, 1);
	assert_int_equal(kith_store_slot_get(s, "main", n2, sizeof n2, b2, sizeof b2, NULL), KITH_OK);
	for (size_t i = 0; i < sizeof b2; i++)
		assert_int_not_equal(b2[i], 0x5a);

	/* destroy: overwritten and deleted; the log is kept (never truncated) */
	assert_int_equal(kith_store_begin(s, NULL), KITH_OK);
	assert_int_equal(kith_store_slots_destroy(s, NULL), KITH_OK);
	assert_int_equal(kith_store_commit(s, NULL), KITH_OK);
	assert_int_equal(kith_store_checkpoint(s, NULL), KITH_OK);
	assert_int_equal(kith_store_slot_get(s, "main", n2, sizeof n2, b2, sizeof b2, NULL), KITH_E_NOTFOUND);
	kith_store_close(s);
	struct stat st;
	assert_int_equal(stat(wal, &st), 0); /* persistent: SQLite did not delete it at close */
	assert_false(longest_run(f->path, 0x5a) >= 16);
	assert_false(longest_run(wal, 0x5a) >= 16);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    FIXTURE_FILES_TEST(test_create_schema_and_pragmas),
	    FIXTURE_FILES_TEST(test_not_a_vault),
	    FIXTURE_FILES_TEST(test_newer_format_and_foreign_schema),
	    FIXTURE_FILES_TEST(test_rows_and_transactions),
	    FIXTURE_FILES_TEST(test_slots_devices_and_destroy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
