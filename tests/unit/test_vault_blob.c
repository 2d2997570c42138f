/* Unit tests of src/vault/blob: a stream written through a batch's hook and
 * read back (empty, one byte, exactly one chunk, several chunks, any size
 * of pieces); the size cap; a rolled-back batch leaves no chunk; a chunk
 * altered, dropped, swapped or of another blob is refused; the key is
 * needed (another key fails); nothing of the plaintext is in the file. */
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

#include "vault/blob.h"
#include "vault/vault.h"

static char dir[64];
static char path[128];
static const char pass[] = "blob test words";

static struct kith_vault *open_v(void)
{
	struct kith_vault *v;
	struct kith_err err;
	if (kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, &err))
		fail_msg("open: %s %s", err.where, err.msg);
	return v;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/kith-blob-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v.kith", dir);
	struct kith_err err;
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	assert_int_equal(kith_vault_create(path, pass, strlen(pass), &co, &err), KITH_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[160];
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* Writes n bytes in pieces of `piece` and commits them with a record (the
 * blob needs a batch with a put). Returns the commit's status. */
static int write_blob(struct kith_vault *v, const uint8_t *data, size_t n, size_t piece, uint64_t max,
		      char id[KITH_BLOB_ID_HEX], char key[KITH_BLOB_KEY_HEX], int fail_after)
{
	struct kith_blob_writer *w = NULL;
	struct kith_err err;
	assert_int_equal(kith_blob_writer_new(&w, dir, max, &err), KITH_OK);
	int rc = KITH_OK;
	for (size_t i = 0; i < n && !rc; i += piece)
		rc = kith_blob_writer_add(w, data + i, n - i < piece ? n - i : piece, &err);
	if (rc) {
		kith_blob_writer_free(w);
		return rc;
	}
	assert_int_equal(kith_blob_writer_finish(w, &err), KITH_OK);
	assert_int_equal(kith_blob_writer_size(w), n);
	kith_blob_writer_id_hex(w, id);
	kith_blob_writer_key_hex(w, key);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	json_t *c = json_pack("{s:{s:s}}", "person", "name", "Blob Test");
	assert_int_equal(kith_vault_put(b, "case", c, NULL, NULL, NULL, &err), KITH_OK);
	json_decref(c);
	if (fail_after) {
		kith_vault_batch_free(b); /* abandoned: nothing may stay */
		kith_blob_writer_free(w);
		return KITH_E_CANCELLED;
	}
	kith_vault_batch_hook(b, kith_blob_writer_commit, w);
	rc = kith_vault_batch_commit(b, &err);
	kith_blob_writer_free(w);
	return rc;
}

static int read_blob(struct kith_vault *v, const char *id, const char *key, uint64_t size, uint8_t *out,
		     size_t *got)
{
	struct kith_blob_reader *r = NULL;
	struct kith_err err;
	int rc = kith_blob_reader_new(&r, id, key, size, &err);
	if (rc)
		return rc;
	*got = 0;
	const uint8_t *p;
	size_t n;
	while ((rc = kith_blob_reader_next(r, kith_vault_store(v), &p, &n, &err)) == 1) {
		memcpy(out + *got, p, n);
		*got += n;
	}
	kith_blob_reader_free(r);
	return rc;
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	static uint8_t data[3 * KITH_BLOB_CHUNK + 100], back[sizeof data];
	fill(data, sizeof data, 7);
	const size_t sizes[] = {0, 1, KITH_BLOB_CHUNK - 1, KITH_BLOB_CHUNK, KITH_BLOB_CHUNK + 1, sizeof data};
	const size_t pieces[] = {1000, 7, KITH_BLOB_CHUNK, 100000};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char id[KITH_BLOB_ID_HEX], key[KITH_BLOB_KEY_HEX];
		size_t piece = pieces[i % 4];
		assert_int_equal(write_blob(v, data, sizes[i], piece, 0, id, key, 0), KITH_OK);
		size_t got = 0;
		assert_int_equal(read_blob(v, id, key, sizes[i], back, &got), 0);
		assert_int_equal(got, sizes[i]);
		assert_memory_equal(back, data, got);
		uint64_t chunks = 0;
		struct kith_err err;
		assert_int_equal(kith_blob_count(kith_vault_store(v), id, &chunks, &err), KITH_OK);
		assert_int_equal(chunks, sizes[i] ? (sizes[i] + KITH_BLOB_CHUNK - 1) / KITH_BLOB_CHUNK : 1);
		/* another key, or a size that claims another chunk count, fails */
		char other[KITH_BLOB_KEY_HEX];
		memcpy(other, key, sizeof other);
		other[0] = other[0] == 'a' ? 'b' : 'a';
		assert_int_equal(read_blob(v, id, other, sizes[i], back, &got), KITH_E_CORRUPT);
		if (sizes[i]) /* (0 and one chunk both are one chunk: the record's size, signed, tells them
				 apart) */
			assert_int_equal(read_blob(v, id, key, sizes[i] + KITH_BLOB_CHUNK, back, &got),
					 KITH_E_CORRUPT);
		if (sizes[i] > KITH_BLOB_CHUNK) /* ends early: the last chunk read is not FINAL */
			assert_int_equal(read_blob(v, id, key, sizes[i] - KITH_BLOB_CHUNK, back, &got),
					 KITH_E_CORRUPT);
	}
	kith_vault_close(v);
}

static void test_cap_and_rollback(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	static uint8_t data[2 * KITH_BLOB_CHUNK];
	fill(data, sizeof data, 9);
	char id[KITH_BLOB_ID_HEX], key[KITH_BLOB_KEY_HEX];
	assert_int_equal(write_blob(v, data, sizeof data, 4096, KITH_BLOB_CHUNK, id, key, 0), KITH_E_LIMIT);
	assert_int_equal(write_blob(v, data, 5000, 4096, 0, id, key, 1), KITH_E_CANCELLED);
	uint64_t chunks = 9;
	struct kith_err err;
	assert_int_equal(kith_blob_count(kith_vault_store(v), id, &chunks, &err), KITH_OK);
	assert_int_equal(chunks, 0); /* the abandoned batch left nothing */
	/* a finished writer is over; an unfinished one cannot commit */
	struct kith_blob_writer *w = NULL;
	assert_int_equal(kith_blob_writer_new(&w, dir, 0, &err), KITH_OK);
	assert_int_equal(kith_blob_writer_commit(kith_vault_store(v), w, &err), KITH_E_INVALID);
	assert_int_equal(kith_blob_writer_finish(w, &err), KITH_OK);
	assert_int_equal(kith_blob_writer_add(w, data, 1, &err), KITH_E_INVALID);
	kith_blob_writer_free(w);
	kith_vault_close(v);
}

static void test_tamper(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	static uint8_t data[3 * KITH_BLOB_CHUNK], back[sizeof data];
	fill(data, sizeof data, 11);
	char a[KITH_BLOB_ID_HEX], ka[KITH_BLOB_KEY_HEX], b[KITH_BLOB_ID_HEX], kb[KITH_BLOB_KEY_HEX];
	assert_int_equal(write_blob(v, data, sizeof data, 65536, 0, a, ka, 0), KITH_OK);
	assert_int_equal(write_blob(v, data, sizeof data, 65536, 0, b, kb, 0), KITH_OK);
	sqlite3 *db = (sqlite3 *)kith_store_sqlite(kith_vault_store(v));
	size_t got;
	/* swap chunks 0 and 1 of a */
	char sql[512];
	snprintf(sql, sizeof sql,
		 "UPDATE blobs SET n = 9 WHERE id = x'%s' AND n = 0; UPDATE blobs SET n = 0 WHERE id = x'%s' "
		 "AND n = 1;"
		 "UPDATE blobs SET n = 1 WHERE id = x'%s' AND n = 9;",
		 a, a, a);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(read_blob(v, a, ka, sizeof data, back, &got), KITH_E_CORRUPT);
	/* b's chunk 1 in place of a's (same key? no: another blob) */
	snprintf(sql, sizeof sql,
		 "DELETE FROM blobs WHERE id = x'%s'; INSERT INTO blobs SELECT x'%s', n, ct FROM blobs WHERE "
		 "id = x'%s';",
		 a, a, b);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(read_blob(v, a, ka, sizeof data, back, &got), KITH_E_CORRUPT);
	/* one flipped byte in b's last chunk; a dropped chunk */
	assert_int_equal(read_blob(v, b, kb, sizeof data, back, &got), 0);
	snprintf(sql, sizeof sql, "UPDATE blobs SET ct = zeroblob(length(ct)) WHERE id = x'%s' AND n = 2;",
		 b);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(read_blob(v, b, kb, sizeof data, back, &got), KITH_E_CORRUPT);
	snprintf(sql, sizeof sql, "DELETE FROM blobs WHERE id = x'%s' AND n = 1;", b);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(read_blob(v, b, kb, sizeof data, back, &got), KITH_E_CORRUPT);
	/* malformed references */
	struct kith_blob_reader *r = NULL;
	struct kith_err err;
	assert_int_equal(kith_blob_reader_new(&r, "zz", kb, 1, &err), KITH_E_CORRUPT);
	assert_int_equal(kith_blob_reader_new(&r, b, "00", 1, &err), KITH_E_CORRUPT);
	kith_vault_close(v);
}

static void test_no_plaintext_in_file(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	static uint8_t data[2 * KITH_BLOB_CHUNK];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = "KITH-BLOB-PLAINTEXT "[i % 20];
	char id[KITH_BLOB_ID_HEX], key[KITH_BLOB_KEY_HEX];
	assert_int_equal(write_blob(v, data, sizeof data, 3000, 0, id, key, 0), KITH_OK);
	kith_vault_close(v);
	const char *files[] = {"", "-wal"};
	for (int f = 0; f < 2; f++) {
		char p[160];
		snprintf(p, sizeof p, "%s%s", path, files[f]);
		FILE *fp = fopen(p, "rb");
		if (!fp)
			continue;
		static uint8_t buf[1 << 22];
		size_t n = fread(buf, 1, sizeof buf, fp);
		fclose(fp);
		for (size_t i = 0; i + 20 <= n; i++)
			if (!memcmp(buf + i, "KITH-BLOB-PLAINTEXT ", 20))
				fail_msg("plaintext at %zu of %s", i, p);
	}
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_cap_and_rollback),
	    cmocka_unit_test(test_tamper),
	    cmocka_unit_test(test_no_plaintext_in_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
