/* Unit tests of streaming batches (kith_vault_batch_stream, src/vault/batch.c):
 * a writer thread takes the write lock and writes sealed rows into the
 * batch's one transaction while the caller keeps putting. What must hold
 * whatever the threads do: all or nothing (a batch freed, a put that fails,
 * a close with the batch open, an error on the writer thread each leave
 * nothing of the batch in the file), an error on the writer thread reaches
 * the caller at the commit, another process's commit since the batch began
 * is refused as for any batch, and what commits reads back whole (every row
 * checked against its signed manifest at the next unlock).
 *
 * Every vault uses KITH_KDF_TEST and is opened with 2 threads (streaming
 * needs two). All names are invented. No timing is measured. */
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

#include "base/status.h"
#include "vault/blob.h"
#include "vault/store.h"
#include "vault/vault.h"

#include "fixture_vault.h"

#define MANY 300 /* more than the few dozen puts after which the writer starts */

/* The fixture's vault, closed: each test opens its own handles with the
 * threads it needs. */
static int setup(void **state)
{
	struct fixture_vault *f = fixture_vault_new("stream");
	kith_vault_close(f->v);
	f->v = NULL;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

static struct kith_vault *open2(const struct fixture_vault *f)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	struct kith_vault_open_opts o = {.threads = 2};
	int rc = kith_vault_open_with(&v, f->path, FIXTURE_VAULT_PASS, strlen(FIXTURE_VAULT_PASS), &o, &err);
	if (rc)
		fail_msg("open: %s", err.msg);
	return v;
}

/* An invented case (about 2 KB); ref NULL: the vault numbers it. */
static json_t *a_case(size_t i, const char *ref)
{
	char name[64], narrative[2400];
	snprintf(name, sizeof name, "Ko Sun-ae %zu", i);
	int at = snprintf(narrative, sizeof narrative, "Case %zu: ", i);
	while (at > 0 && (size_t)at < sizeof narrative - 80)
		at += snprintf(narrative + at, sizeof narrative - (size_t)at,
			       "Crossed at night with two others and stayed %zu days. ", i % 40);
	json_t *b =
	    json_pack("{s:{s:s, s:s}, s:s}", "person", "name", name, "sex", "female", "narrative", narrative);
	if (ref)
		json_object_set_new(b, "ref", json_string(ref));
	return b;
}

static int put_case(struct kith_vault_batch *b, size_t i, const char *ref, int create_only,
		    struct kith_err *err)
{
	json_t *body = a_case(i, ref);
	struct kith_vault_put_opts po = {.create_only = create_only};
	int rc = kith_vault_put(b, "case", body, &po, NULL, NULL, err);
	json_decref(body);
	return rc;
}

/* Begins a batch on v, streams it, and puts cases 0 .. n - 1 (the vault
 * numbers them). */
static struct kith_vault_batch *streamed(struct kith_vault *v, size_t n)
{
	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	kith_vault_batch_stream(b);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(put_case(b, i, NULL, 1, &err), KITH_OK);
	return b;
}

/* Records and integrity findings after a fresh unlock. */
static size_t records_now(const struct fixture_vault *f, size_t *integrity)
{
	struct kith_vault *v = open2(f);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	if (integrity)
		*integrity = info.integrity;
	assert_int_equal(info.damaged, 0);
	assert_int_equal(info.missing, 0);
	kith_vault_close(v);
	return info.records;
}

/* A streamed batch commits every row, in one batch, and reads back whole. */
static void test_stream_commits_all(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v = open2(f);
	struct kith_err err;
	struct kith_vault_batch *b = streamed(v, MANY);
	/* a second version of a record staged earlier in the same batch */
	assert_int_equal(put_case(b, 7, "C-STREAM-7", 1, &err), KITH_OK);
	assert_int_equal(put_case(b, 8, "C-STREAM-7", 0, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	size_t n = 0;
	kith_vault_records(v, "case", &n);
	assert_int_equal(n, MANY + 1);
	/* the same handle writes again (no transaction was left open) */
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	assert_int_equal(put_case(b, 1000, NULL, 1, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v);
	size_t integrity = 99;
	assert_int_equal(records_now(f, &integrity), MANY + 2);
	assert_int_equal(integrity, 0);
	v = open2(f);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.batches, 2);
	assert_int_equal(info.rows, MANY + 3);
	kith_vault_close(v);
}

/* A small streamed batch (the writer never starts) commits as any batch. */
static void test_stream_small(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v = open2(f);
	struct kith_err err;
	struct kith_vault_batch *b = streamed(v, 3);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v);
	assert_int_equal(records_now(f, NULL), 3);
}

/* Freed after the writer wrote rows: nothing of the batch stays; the handle
 * writes again afterwards. */
static void test_stream_free_leaves_nothing(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v = open2(f);
	struct kith_err err;
	struct kith_vault_batch *b = streamed(v, MANY);
	kith_vault_batch_free(b);
	size_t n = 9;
	kith_vault_records(v, "case", &n);
	assert_int_equal(n, 0);
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	assert_int_equal(put_case(b, 1, NULL, 1, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v);
	assert_int_equal(records_now(f, NULL), 1);
}

/* An import whose put fails midway (a ref given twice) and is then dropped,
 * as kith import does: nothing is written. A failed put alone leaves the
 * batch as it was: committed, it holds the puts before. */
static void test_stream_put_fails_midway(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v = open2(f);
	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	kith_vault_batch_stream(b);
	assert_int_equal(put_case(b, 0, "C-TWICE-1", 1, &err), KITH_OK);
	for (size_t i = 1; i < MANY; i++)
		assert_int_equal(put_case(b, i, NULL, 1, &err), KITH_OK);
	assert_int_equal(put_case(b, MANY, "C-TWICE-1", 1, &err), KITH_E_EXISTS);
	kith_vault_batch_free(b);
	assert_int_equal(records_now(f, NULL), 0);

	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	kith_vault_batch_stream(b);
	assert_int_equal(put_case(b, 0, "C-TWICE-2", 1, &err), KITH_OK);
	for (size_t i = 1; i < MANY; i++)
		assert_int_equal(put_case(b, i, NULL, 1, &err), KITH_OK);
	assert_int_equal(put_case(b, MANY, "C-TWICE-2", 1, &err), KITH_E_EXISTS);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v);
	assert_int_equal(records_now(f, NULL), MANY);
}

/* Closed with the batch open: the batch is dropped, nothing written. */
static void test_stream_close_open_batch(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v = open2(f);
	(void)streamed(v, MANY); /* left open: closing the vault drops it */
	kith_vault_close(v);
	assert_int_equal(records_now(f, NULL), 0);
}

/* Another process committed after the batch began, before the writer took
 * the lock: refused at the commit as any batch is; only the other's record
 * is in the file. */
static void test_stream_concurrent_refused(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v1 = open2(f), *v2 = open2(f);
	struct kith_vault_batch *b = NULL, *b2 = NULL;
	struct kith_err err;
	b = streamed(v1, 5); /* too few for the writer to start */
	assert_int_equal(kith_vault_batch_begin(v2, &b2, &err), KITH_OK);
	assert_int_equal(put_case(b2, 500, "C-OTHER-1", 1, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b2, &err), KITH_OK);
	for (size_t i = 5; i < MANY; i++) /* the writer starts and finds the other's commit */
		assert_int_equal(put_case(b, i, NULL, 1, &err), KITH_OK);
	memset(&err, 0, sizeof err);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_E_EXISTS);
	assert_string_equal(err.where, "concurrent");
	kith_vault_close(v1);
	kith_vault_close(v2);
	assert_int_equal(records_now(f, NULL), 1);
}

/* The writer holds the write lock until the commit: another process's
 * commit meanwhile waits, and fails once its busy timeout passes. */
static void test_stream_holds_lock(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v1 = open2(f), *v2 = open2(f);
	struct kith_vault_batch *b = NULL, *b2 = NULL;
	struct kith_err err;
	b = streamed(v1, MANY);
	/* the lock is taken by the writer thread: wait until it is, probing
	 * with a connection of its own that never writes (no timing: the probe
	 * is repeated until it is refused) */
	struct kith_store *probe = NULL;
	assert_int_equal(kith_store_open(&probe, f->path, &err), KITH_OK);
	kith_store_busy_timeout(probe, 0);
	int held = 0;
	for (int tries = 0; tries < 100000 && !held; tries++) {
		held = kith_store_begin(probe, &err) != KITH_OK;
		kith_store_rollback(probe);
		if (!held)
			usleep(1000);
	}
	kith_store_close(probe);
	assert_true(held);
	kith_store_busy_timeout(kith_vault_store(v2), 0);
	assert_int_equal(kith_vault_batch_begin(v2, &b2, &err), KITH_OK);
	assert_int_equal(put_case(b2, 900, NULL, 1, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b2, &err), KITH_E_DB);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v2);
	kith_vault_close(v1);
	assert_int_equal(records_now(f, NULL), MANY);
}

/* An error on the writer thread (another process holds the write lock past
 * the busy timeout) reaches the caller at the commit; nothing is written,
 * and the handle writes again once the lock is free. */
static void test_stream_writer_error(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v1 = open2(f);
	struct kith_store *other = NULL;
	struct kith_err err;
	assert_int_equal(kith_store_open(&other, f->path, &err), KITH_OK);
	assert_int_equal(kith_store_begin(other, &err), KITH_OK); /* holds the write lock */
	kith_store_busy_timeout(kith_vault_store(v1), 1);
	struct kith_vault_batch *b = NULL;
	b = streamed(v1, MANY);
	memset(&err, 0, sizeof err);
	int rc = kith_vault_batch_commit(b, &err);
	assert_int_equal(rc, KITH_E_DB);
	assert_int_equal(err.status, KITH_E_DB);
	assert_true(err.msg[0] != '\0');
	kith_store_rollback(other);
	kith_store_close(other);
	size_t n = 9;
	kith_vault_records(v1, "case", &n);
	assert_int_equal(n, 0);
	kith_store_busy_timeout(kith_vault_store(v1), KITH_STORE_BUSY_MS);
	b = streamed(v1, MANY);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v1);
	assert_int_equal(records_now(f, NULL), MANY);
}

/* Frames of the -wal that SQLite would take as the log when it opens it
 * (their salts are the header's, in a row from the first), and the file's
 * size. */
static size_t wal_live_frames(const char *path, long *size)
{
	char p[256];
	snprintf(p, sizeof p, "%s-wal", path);
	FILE *fp = fopen(p, "rb");
	assert_non_null(fp);
	uint8_t h[32];
	size_t live = 0;
	if (fread(h, 1, sizeof h, fp) == sizeof h) {
		uint32_t page = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11];
		uint8_t fh[24];
		for (long at = 32; page >= 512 && page <= 65536; at += 24 + (long)page) {
			if (fseek(fp, at, SEEK_SET) != 0 || fread(fh, 1, sizeof fh, fp) != sizeof fh ||
			    memcmp(fh + 8, h + 16, 8) != 0)
				break;
			live++;
		}
	}
	fseek(fp, 0, SEEK_END);
	*size = ftell(fp);
	fclose(fp);
	return live;
}

/* After a large commit the log is started over (store.h,
 * kith_store_wal_reset): the next opener finds one or two live frames, not
 * the batch's hundreds; the log file keeps its size (never truncated) and
 * the vault reads back whole. */
static void test_stream_log_restarted(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v = open2(f);
	struct kith_err err;
	struct kith_vault_batch *b = streamed(v, 1100); /* more than WAL_RESET_ROWS */
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	long size = 0;
	size_t live = wal_live_frames(f->path, &size);
	assert_true(live >= 1 && live <= 4);
	assert_true(size > 1100L * 2000); /* the batch's frames are still there, stale */
	/* a small log: nothing worth a transaction */
	assert_int_equal(kith_store_wal_reset(kith_vault_store(v), 2), 0);
	kith_vault_close(v);
	assert_int_equal(records_now(f, NULL), 1100);
	/* a small batch leaves its frames live (no extra transaction) */
	v = open2(f);
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(put_case(b, i, NULL, 1, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	assert_true(wal_live_frames(f->path, &size) > 4);
	kith_vault_close(v);
}

/* One thread: streaming does nothing, the batch commits as before. */
static void test_stream_one_thread(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_vault *v = NULL;
	struct kith_err err;
	struct kith_vault_open_opts o = {.threads = 1};
	assert_int_equal(
	    kith_vault_open_with(&v, f->path, FIXTURE_VAULT_PASS, strlen(FIXTURE_VAULT_PASS), &o, &err),
	    KITH_OK);
	struct kith_vault_batch *b = NULL;
	b = streamed(v, 100);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v);
	assert_int_equal(records_now(f, NULL), 100);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stream_commits_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_small, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_free_leaves_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_put_fails_midway, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_close_open_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_concurrent_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_holds_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_writer_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_log_restarted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_one_thread, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
