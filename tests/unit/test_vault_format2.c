/* Unit tests of format 2 of the vault envelope (src/vault/manifest.c,
 * docs/vault-format.md *Format 2*): a commit is one batch (one key, one
 * signed manifest); unlock checks the manifests; the file is then edited
 * with SQLite, as someone who holds it could, and every edit must be
 * reported by name: a changed row, a deleted row, a dropped batch, a
 * rolled-back device log, an altered manifest or anchor. Field vaults of
 * format 2 read only what they wrote; format-1 vaults still open and are
 * upgraded in place (kith_vault_upgrade).
 *
 * Every vault uses KITH_KDF_TEST. All names are invented. */
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
#include "base/sbuf.h"
#include "base/status.h"
#include "vault/crypto.h"
#include "vault/field.h"
#include "vault/store.h"
#include "vault/vault.h"

#define PASS "headquarters words"
#define FPASS "field worker words"
#define CODE "0123-4567-89AB-CDEF"

static void make_vault(const char *path, unsigned format)
{
	fixture_vault_create(path, PASS, &(struct kith_vault_create_opts){.format = format});
}

/* make_vault, then opened with PASS. */
static struct kith_vault *new_vault(const char *path, unsigned format)
{
	make_vault(path, format);
	return fixture_vault_open_path(path, PASS);
}

static json_t *case_body(const char *name)
{
	json_t *b = json_pack("{s:{s:s}, s:s}", "person", "name", name, "narrative",
			      "Walked to the border at night; a broker took the money.");
	assert_non_null(b);
	return b;
}

/* One batch of n cases named name-0 .. name-(n-1); the ids go to ids (n * 33). */
static void add_batch(struct kith_vault *v, const char *name, size_t n, char (*ids)[KITH_VAULT_ID_HEX])
{
	struct kith_vault_batch *b = NULL;
	struct kith_err err;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	for (size_t i = 0; i < n; i++) {
		char nm[64];
		snprintf(nm, sizeof nm, "%s-%zu", name, i);
		json_t *body = case_body(nm);
		if (kith_vault_put(b, "case", body, NULL, NULL, ids ? ids[i] : NULL, &err))
			fail_msg("put: %s", err.msg);
		json_decref(body);
	}
	if (kith_vault_batch_commit(b, &err))
		fail_msg("commit: %s", err.msg);
}

/* Whether one of the vault's integrity findings contains s. */
static int finding(const struct kith_vault *v, const char *s)
{
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	for (size_t i = 0; i < info.integrity; i++)
		if (strstr(kith_vault_integrity(v, i), s))
			return 1;
	for (size_t i = 0; i < info.integrity; i++)
		print_message("finding: %s\n", kith_vault_integrity(v, i));
	return 0;
}

static size_t findings(const struct kith_vault *v)
{
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	return info.integrity;
}

static void test_commit_is_one_batch(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, 2);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.format, 2);
	char ids[3][KITH_VAULT_ID_HEX];
	add_batch(v, "Ri Sun-ok", 3, ids);
	add_batch(v, "Kang Chol", 1, NULL);
	/* a new version of a record in a later batch */
	struct kith_vault_batch *b = NULL;
	json_t *body = case_body("Ri Sun-ok-0, edited");
	struct kith_vault_put_opts po = {.id = ids[0]};
	assert_int_equal(kith_vault_batch_begin(v, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", body, &po, NULL, NULL, NULL), KITH_OK);
	json_decref(body);
	assert_int_equal(kith_vault_batch_commit(b, NULL), KITH_OK);
	kith_vault_close(v);

	/* the file: 3 batches, numbered 1..3; rows carry no wraps or signature of their own */
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM batches"), 3);
	assert_int_equal(fixture_sql_int(f->path, "SELECT max(seq) FROM batches"), 3);
	assert_int_equal(fixture_sql_int(f->path,
					 "SELECT count(*) FROM \"rows\" WHERE batch IS NOT NULL AND "
					 "length(sig) = 0 AND length(wrap_org) = 0 AND length(wrap_dev) = 0"),
			 5);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM anchors WHERE seq = 3"), 1);
	assert_int_equal(fixture_sql_int(f->path, "PRAGMA user_version"), 2);
	assert_int_equal(fixture_sql_int(f->path, "SELECT format FROM header"), 2);

	v = fixture_vault_open_path(f->path, PASS);
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 4);
	assert_int_equal(info.batches, 3);
	assert_int_equal(info.integrity, 0);
	assert_int_equal(info.damaged, 0);
	const struct kith_record_view *r = kith_vault_find_id(v, ids[0]);
	assert_non_null(r);
	assert_int_equal(r->version, 2);
	assert_non_null(strstr(r->body, "edited"));
	/* history reads the older version from its own batch */
	struct kith_record_view *h = NULL;
	size_t hn = 0;
	assert_int_equal(kith_vault_history(v, ids[0], &h, &hn, NULL), KITH_OK);
	assert_int_equal(hn, 2);
	assert_null(strstr(h[0].body, "edited"));
	kith_vault_history_free(h, hn);
	/* a further commit after the reopen chains on (no finding) */
	add_batch(v, "Jo Myong-hui", 2, NULL);
	kith_vault_close(v);
	v = fixture_vault_open_path(f->path, PASS);
	assert_int_equal(findings(v), 0);
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 6);
	kith_vault_close(v);
	/* nothing readable in the file */
	char cmd[512];
	snprintf(cmd, sizeof cmd, "grep -qa 'Ri Sun-ok' %s %s-wal", f->path, f->path);
	assert_int_not_equal(system(cmd), 0);
}

/* Many commits: the batch table grows past its first allocation while the
 * vault is open and again at the next unlock. */
static void test_many_batches(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, 2);
	for (int i = 0; i < 40; i++)
		add_batch(v, "Ri Kyong-hui", 1, NULL);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.batches, 40);
	kith_vault_close(v);
	v = fixture_vault_open_path(f->path, PASS);
	kith_vault_info(v, &info);
	assert_int_equal(info.batches, 40);
	assert_int_equal(info.records, 40);
	assert_int_equal(info.integrity, 0);
	add_batch(v, "Ri Kyong-hui", 1, NULL);
	kith_vault_close(v);
	fixture_sql(f->path,
		    "DELETE FROM \"rows\" WHERE batch = (SELECT batch_id FROM batches WHERE seq = 17);"
		    "DELETE FROM batches WHERE seq = 17;");
	v = fixture_vault_open_path(f->path, PASS);
	assert_true(finding(v, "batch 17 of device "));
	assert_int_equal(findings(v), 1);
	kith_vault_close(v);
}

static void test_changed_row_and_manifest(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, 2);
	char a[2][KITH_VAULT_ID_HEX], b[1][KITH_VAULT_ID_HEX];
	add_batch(v, "Han Ok-ju", 2, a);
	add_batch(v, "Mun Yong-ho", 1, b);
	kith_vault_close(v);

	/* a byte of a row's ciphertext: that version is damaged, by name (the
	 * byte is always changed: 00, or 01 where it was 00 — a fixed 00 left
	 * one run in 256 unchanged) */
	char q[512];
	snprintf(q, sizeof q,
		 "UPDATE \"rows\" SET ct = CAST(substr(ct, 1, 40) || CASE WHEN substr(ct, 41, 1) = x'00' "
		 "THEN x'01' ELSE x'00' END || substr(ct, 42) AS BLOB) WHERE hex(id) = upper('%s')",
		 a[0]);
	fixture_sql(f->path, q);
	v = fixture_vault_open_path(f->path, PASS);
	size_t n = 0;
	const struct kith_vault_damage *d = kith_vault_damaged(v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].id, a[0]);
	assert_string_equal(d[0].reason, "not the row its batch signed");
	assert_non_null(kith_vault_find_id(v, a[1]));
	kith_vault_close(v);

	/* a row moved to another place in its batch: damaged too */
	snprintf(q, sizeof q, "UPDATE \"rows\" SET i = 7 WHERE hex(id) = upper('%s')", a[1]);
	fixture_sql(f->path, q);
	v = fixture_vault_open_path(f->path, PASS);
	assert_non_null(kith_vault_find_damaged_id(v, a[1]));
	assert_string_equal(kith_vault_find_damaged_id(v, a[1])->reason, "not in any signed batch");
	assert_true(finding(v, "1 of its 2 versions are missing"));
	kith_vault_close(v);

	/* a byte of the second batch's manifest: its signature fails, its rows are damaged */
	fixture_sql(f->path,
		    "UPDATE batches SET manifest = CAST(substr(manifest, 1, 200) || CASE WHEN "
		    "substr(manifest, 201, 1) = x'ff' THEN x'fe' ELSE x'ff' END || substr(manifest, 202) "
		    "AS BLOB) WHERE seq = 2");
	v = fixture_vault_open_path(f->path, PASS);
	assert_true(finding(v, "bad batch signature"));
	assert_non_null(kith_vault_find_damaged_id(v, b[0]));
	assert_string_equal(kith_vault_find_damaged_id(v, b[0])->reason, "bad batch signature");
	/* and the chain after it cannot be trusted: the anchor names batch 2 */
	assert_true(finding(v, "rolled back"));
	kith_vault_close(v);
}

static void test_deleted_row(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, 2);
	char ids[3][KITH_VAULT_ID_HEX];
	add_batch(v, "So Kyong-ae", 3, ids);
	kith_vault_close(v);
	char q[256];
	snprintf(q, sizeof q, "DELETE FROM \"rows\" WHERE hex(id) = upper('%s')", ids[1]);
	fixture_sql(f->path, q);
	v = fixture_vault_open_path(f->path, PASS);
	assert_int_equal(findings(v), 1);
	assert_true(finding(v, "(number 1 of device "));
	assert_true(finding(v, "1 of its 3 versions are missing"));
	/* the others still read */
	assert_non_null(kith_vault_find_id(v, ids[0]));
	assert_non_null(kith_vault_find_id(v, ids[2]));
	kith_vault_close(v);
}

static void test_dropped_batch_and_rollback(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, 2);
	add_batch(v, "Cha Song-i", 1, NULL);
	add_batch(v, "Pyon Hye-gyong", 2, NULL);
	add_batch(v, "Ok Chun-hwa", 1, NULL);
	add_batch(v, "Yang Il-nam", 1, NULL);
	kith_vault_close(v);

	/* batch 2 gone, with its rows: a dropped batch */
	fixture_sql(f->path,
		    "DELETE FROM \"rows\" WHERE batch = (SELECT batch_id FROM batches WHERE seq = 2);"
		    "DELETE FROM batches WHERE seq = 2;");
	v = fixture_vault_open_path(f->path, PASS);
	assert_true(finding(v, "batch 2 of device "));
	assert_true(finding(v, "is missing (dropped)"));
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.records, 3);
	kith_vault_close(v);

	/* the last batch gone too: the device log was rolled back below its anchor */
	fixture_sql(f->path,
		    "DELETE FROM \"rows\" WHERE batch = (SELECT batch_id FROM batches WHERE seq = 4);"
		    "DELETE FROM batches WHERE seq = 4;");
	v = fixture_vault_open_path(f->path, PASS);
	assert_true(finding(v, "was rolled back: its last batch was number 4, the file ends at 3"));
	kith_vault_close(v);

	/* the anchor moved back with it: its MAC fails */
	fixture_sql(f->path, "UPDATE anchors SET seq = 3");
	v = fixture_vault_open_path(f->path, PASS);
	assert_true(finding(v, "was altered"));
	kith_vault_close(v);

	/* the anchor deleted */
	fixture_sql(f->path, "DELETE FROM anchors");
	v = fixture_vault_open_path(f->path, PASS);
	assert_true(finding(v, "anchor of device "));
	assert_true(finding(v, "is missing"));
	kith_vault_close(v);
}

/* A format-2 file rewritten as format 1 (no batches to check, so no deleted
 * row would show) is refused: the key slot says format 2. */
static void test_downgrade_refused(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, 2);
	add_batch(v, "Im Chun-ok", 2, NULL);
	kith_vault_close(v);
	fixture_sql(
	    f->path,
	    "DROP INDEX rows_batch; ALTER TABLE \"rows\" DROP COLUMN i; ALTER TABLE \"rows\" DROP COLUMN "
	    "batch;"
	    "DROP TABLE batches; DROP TABLE anchors; UPDATE header SET format = 1; PRAGMA user_version = 1;");
	struct kith_err err;
	v = NULL;
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), KITH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "format 2 but its file says format 1"));
	assert_null(v);
}

static void test_format1_still_opens(void **state)
{
	struct fixture_files *f = *state;
	struct kith_vault *v = new_vault(f->path, 1);
	add_batch(v, "Kye Sun-hui", 2, NULL);
	kith_vault_close(v);
	assert_int_equal(fixture_sql_int(f->path, "PRAGMA user_version"), 1);
	assert_int_equal(fixture_sql_int(f->path, "SELECT count(*) FROM \"rows\" WHERE length(sig) = 64"), 2);
	v = fixture_vault_open_path(f->path, PASS);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.format, 1);
	assert_int_equal(info.records, 2);
	assert_int_equal(info.batches, 0);
	kith_vault_close(v);
}

static void test_field_vault_format2(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_vault(f->path, 2);
	struct kith_vault *hq = fixture_vault_open_path(f->path, PASS);
	add_batch(hq, "Headquarters-case", 2, NULL);
	struct kith_sbuf inv = KITH_SBUF_INIT;
	struct kith_field_device dev;
	assert_int_equal(kith_field_invite_make(hq, "hoeryong-2", CODE, &inv, &dev, &err), KITH_OK);
	assert_int_equal(kith_field_enrol_hq(hq, &dev, &err), KITH_OK);
	kith_vault_close(hq);
	struct kith_field_invite *fi = NULL;
	assert_int_equal(kith_field_invite_open(&fi, inv.buf, inv.len, CODE, strlen(CODE), &err), KITH_OK);
	kith_sbuf_release(&inv);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST, .format = 2};
	assert_int_equal(kith_vault_create_field(f->field, FPASS, strlen(FPASS), &o, fi, &err), KITH_OK);
	kith_field_invite_free(fi);

	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	struct kith_vault_info info;
	kith_vault_info(fv, &info);
	assert_int_equal(info.format, 2);
	assert_int_equal(info.holds_org_secret, 0);
	add_batch(fv, "Field-case", 1, NULL);
	kith_vault_close(fv);

	/* headquarters' batches in the field file (as a bundle of batches
	 * would bring them): signed, chained, and unreadable here */
	char q[512];
	snprintf(q, sizeof q,
		 "ATTACH '%s' AS h; INSERT INTO batches SELECT * FROM h.batches; "
		 "INSERT INTO \"rows\" SELECT * FROM h.\"rows\";",
		 f->path);
	fixture_sql(f->field, q);
	fv = fixture_vault_open_path(f->field, FPASS);
	kith_vault_info(fv, &info);
	assert_int_equal(info.records, 1);
	assert_int_equal(info.unreadable, 2);
	assert_int_equal(info.damaged, 0);
	assert_int_equal(info.integrity, 0);
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(fv, "case", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(r[0].body, "Field-case"));
	kith_vault_close(fv);

	/* headquarters reads the field device's batch through the organization wrap */
	snprintf(q, sizeof q,
		 "ATTACH '%s' AS fd; INSERT INTO \"rows\" SELECT * FROM fd.\"rows\" WHERE batch NOT IN "
		 "(SELECT batch_id FROM main.batches); INSERT INTO batches SELECT * FROM fd.batches WHERE "
		 "batch_id NOT IN (SELECT batch_id FROM main.batches);",
		 f->field);
	fixture_sql(f->path, q);
	hq = fixture_vault_open_path(f->path, PASS);
	kith_vault_info(hq, &info);
	assert_int_equal(info.records, 3);
	assert_int_equal(info.integrity, 0);
	kith_vault_close(hq);
}

static void test_upgrade(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	struct kith_vault *v = new_vault(f->path, 1);
	char ids[3][KITH_VAULT_ID_HEX];
	add_batch(v, "Nam Hyon-suk", 3, ids);
	add_batch(v, "Tae Kum-ok", 2, NULL);
	kith_vault_close(v);
	size_t n = 0;
	assert_int_equal(kith_vault_upgrade(f->path, "wrong", 5, &n, &err), KITH_E_AUTH);
	assert_int_equal(fixture_sql_int(f->path, "PRAGMA user_version"), 1);
	char p[256];
	snprintf(p, sizeof p, "%s.format2.tmp", f->path);
	assert_int_not_equal(access(p, F_OK), 0);
	assert_int_equal(kith_vault_upgrade(f->path, PASS, strlen(PASS), &n, &err), KITH_OK);
	assert_int_equal(n, 5);
	assert_int_equal(fixture_sql_int(f->path, "PRAGMA user_version"), 2);
	snprintf(p, sizeof p, "%s.format1", f->path);
	assert_int_equal(fixture_sql_int(p, "PRAGMA user_version"), 1);
	v = fixture_vault_open_path(f->path, PASS);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	assert_int_equal(info.format, 2);
	assert_int_equal(info.records, 5);
	assert_int_equal(info.batches, 1);
	assert_int_equal(info.integrity, 0);
	assert_non_null(strstr(kith_vault_find_id(v, ids[1])->body, "Nam Hyon-suk-1"));
	/* the next commit chains on the re-sealed batch */
	add_batch(v, "Ju Song-mi", 1, NULL);
	kith_vault_close(v);
	v = fixture_vault_open_path(f->path, PASS);
	assert_int_equal(findings(v), 0);
	kith_vault_close(v);
	assert_int_equal(kith_vault_upgrade(f->path, PASS, strlen(PASS), &n, &err), KITH_E_EXISTS);
	/* a deleted re-sealed version is reported like any other */
	snprintf(p, sizeof p, "DELETE FROM \"rows\" WHERE hex(id) = upper('%s')", ids[2]);
	fixture_sql(f->path, p);
	v = fixture_vault_open_path(f->path, PASS);
	assert_true(finding(v, "1 of its 5 versions are missing"));
	kith_vault_close(v);
}

/* ------------------------------------------------------------ a batch written from the document */

/* The vault's own device keys, opened with its passphrase. */
static struct kith_crypto_keys *own_keys(const char *path, struct kith_store_header *h)
{
	struct kith_store *s = NULL;
	uint8_t n[24], b[196], vid[16];
	assert_int_equal(kith_store_open(&s, path, NULL), KITH_OK);
	assert_int_equal(kith_store_header_get(s, h, NULL), KITH_OK);
	assert_int_equal(kith_store_slot_get(s, "main", n, sizeof n, b, sizeof b, NULL), KITH_OK);
	kith_store_close(s);
	struct kith_crypto_kdf kdf = {.opslimit = h->opslimit, .memlimit = h->memlimit, .alg = h->alg};
	memcpy(kdf.salt, h->salt, sizeof kdf.salt);
	struct kith_crypto_key *kek = NULL;
	assert_int_equal(kith_crypto_kek_derive(&kek, PASS, strlen(PASS), &kdf, NULL), KITH_OK);
	struct kith_crypto_keys *k = NULL;
	assert_int_equal(kith_crypto_slot_open(kek, n, b, &k, vid, NULL), KITH_CRYPTO_SLOT_KEYS);
	kith_crypto_key_free(kek);
	return k;
}

static void be(uint8_t *p, uint64_t x, int n)
{
	for (int i = n - 1; i >= 0; i--, x >>= 8)
		p[i] = (uint8_t)x;
}

static void lput(struct kith_sbuf *m, const void *p, size_t n)
{
	uint8_t l[8];
	be(l, n, 8);
	assert_int_equal(kith_sbuf_add(m, l, 8), 0);
	if (n)
		assert_int_equal(kith_sbuf_add(m, p, n), 0);
}

static void lhash(crypto_generichash_state *st, const void *p, size_t n)
{
	uint8_t l[8];
	be(l, n, 8);
	crypto_generichash_update(st, l, 8);
	crypto_generichash_update(st, p, n);
}

/* Writes one batch of one new case as docs/vault-format.md *Format 2* says,
 * with this file's own code (libsodium and SQLite through kith's store
 * only): the test that the document is enough to write a vault. With
 * `commit_other`, kc commits to another key than the one wrapped. */
static void write_batch_from_doc(const char *path, int commit_other, char id_hex[33])
{
	struct kith_store_header h;
	struct kith_crypto_keys *k = own_keys(path, &h);
	assert_int_equal(kith_crypto_keys_access(k, 1), KITH_OK);
	const uint8_t *dev = kith_crypto_keys_sign_pk(k);
	char devhex[17];
	kith_crypto_keys_device_id(k, devhex);
	uint8_t bk[32], bk2[32], batch_id[16], id[16], nonce[24], dk[32], kc[32], rh[32];
	randombytes_buf(bk, 32);
	randombytes_buf(bk2, 32);
	randombytes_buf(batch_id, 16);
	randombytes_buf(id, 16);
	sodium_bin2hex(id_hex, 33, id, 16);
	char env[512];
	snprintf(
	    env, sizeof env,
	    "{\"kind\":\"case\",\"ref\":\"C-DOC-0001\",\"body\":{\"person\":{\"name\":\"Written from the "
	    "document\"},\"ref\":\"C-DOC-0001\"},\"at\":1765000000,\"device\":\"%s\",\"action\":\"create\","
	    "\"note\":\"\",\"created\":1765000000}",
	    devhex);
	size_t len = strlen(env), bucket = kith_crypto_bucket(len + 1);
	uint8_t *ct = calloc(1, bucket + 16);
	assert_non_null(ct);
	memcpy(ct, env, len);
	ct[len] = 0x80;
	/* dk_0 = KDF(bk, 0 + 1, "kithrow2"); AD_0 = "kith-row-v2" | batch_id | i | id | v | device */
	uint8_t ad[11 + 16 + 4 + 16 + 4 + 32];
	memcpy(ad, "kith-row-v2", 11);
	memcpy(ad + 11, batch_id, 16);
	be(ad + 27, 0, 4);
	memcpy(ad + 31, id, 16);
	be(ad + 47, 1, 4);
	memcpy(ad + 51, dev, 32);
	randombytes_buf(nonce, sizeof nonce);
	assert_int_equal(crypto_kdf_derive_from_key(dk, 32, 1, "kithrow2", bk), 0);
	unsigned long long clen = 0;
	assert_int_equal(
	    crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, ct, bucket, ad, sizeof ad, NULL, nonce, dk),
	    0);
	uint8_t v4[4];
	be(v4, 1, 4);
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"kith-rowhash-v2", 15);
	lhash(&st, id, 16);
	lhash(&st, v4, 4);
	lhash(&st, dev, 32);
	lhash(&st, nonce, 24);
	lhash(&st, ct, (size_t)clen);
	crypto_generichash_final(&st, rh, 32);
	/* the wraps, the commitment, the manifest */
	uint8_t wrap_org[80], wrap_dev[72], wad[13 + 16], org[32], head[174], sig[64];
	assert_int_equal(crypto_box_seal(wrap_org, bk, 32, h.org_pk), 0);
	memcpy(wad, "kith-wrap-dev", 13);
	memcpy(wad + 13, batch_id, 16);
	assert_int_equal(kith_crypto_batch_wrap_dev(k, bk, wad, sizeof wad, wrap_dev), KITH_OK);
	assert_int_equal(crypto_kdf_derive_from_key(kc, 32, 0, "kithrow2", commit_other ? bk2 : bk), 0);
	crypto_generichash(org, 32, h.org_pk, 32, NULL, 0);
	memset(head, 0, sizeof head);
	memcpy(head, "kith-batch-v2", 13);
	memcpy(head + 14, org, 32);
	memcpy(head + 46, batch_id, 16);
	memcpy(head + 62, dev, 32);
	be(head + 126, 1, 8); /* seq 1, prev zeros: the device's first batch */
	be(head + 166, 1765000000, 8);
	struct kith_sbuf m = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_add(&m, head, sizeof head), 0);
	lput(&m, wrap_org, 80);
	lput(&m, wrap_dev, 72);
	lput(&m, NULL, 0);
	uint8_t n4[4];
	be(n4, 1, 4);
	assert_int_equal(kith_sbuf_add(&m, kc, 32), 0);
	assert_int_equal(kith_sbuf_add(&m, n4, 4), 0);
	assert_int_equal(kith_sbuf_add(&m, rh, 32), 0);
	assert_int_equal(m.len, 386u + 32u);
	assert_int_equal(kith_crypto_sign_ph(k, m.buf, m.len, sig), KITH_OK);
	/* the anchor: MAC of "kith-anchor-v2" | vault_id | device | seq | H(M) */
	uint8_t mh[32], am[14 + 16 + 32 + 8 + 32], mac[32];
	crypto_generichash(mh, 32, (const uint8_t *)m.buf, m.len, NULL, 0);
	memcpy(am, "kith-anchor-v2", 14);
	memcpy(am + 14, h.vault_id, 16);
	memcpy(am + 30, dev, 32);
	be(am + 62, 1, 8);
	memcpy(am + 70, mh, 32);
	assert_int_equal(kith_crypto_anchor_mac(k, am, sizeof am, mac), KITH_OK);
	struct kith_store *s = NULL;
	assert_int_equal(kith_store_open(&s, path, NULL), KITH_OK);
	assert_int_equal(kith_store_begin(s, NULL), KITH_OK);
	struct kith_store_batch b = {.batch_id = {batch_id, 16},
				     .device = {dev, 32},
				     .manifest = {(const uint8_t *)m.buf, m.len},
				     .sig_dev = {sig, 64},
				     .seq = 1};
	assert_int_equal(kith_store_batch_put(s, &b, NULL), KITH_OK);
	struct kith_store_row r = {.id = {id, 16},
				   .device = {dev, 32},
				   .nonce = {nonce, 24},
				   .ct = {ct, (size_t)clen},
				   .version = 1,
				   .batch = {batch_id, 16},
				   .i = 0};
	assert_int_equal(kith_store_row_put(s, &r, NULL), KITH_OK);
	assert_int_equal(kith_store_anchor_put(s, dev, 1, mh, mac, NULL), KITH_OK);
	assert_int_equal(kith_store_commit(s, NULL), KITH_OK);
	kith_store_close(s);
	kith_sbuf_release(&m);
	free(ct);
	assert_int_equal(kith_crypto_keys_access(k, 0), KITH_OK);
	kith_crypto_keys_free(k);
}

static void test_written_from_the_document(void **state)
{
	struct fixture_files *f = *state;
	char id[33];
	make_vault(f->path, 2);
	write_batch_from_doc(f->path, 0, id);
	struct kith_vault *v = fixture_vault_open_path(f->path, PASS);
	assert_int_equal(findings(v), 0);
	const struct kith_record_view *r = kith_vault_find_id(v, id);
	assert_non_null(r);
	assert_non_null(strstr(r->body, "Written from the document"));
	/* and kith's own next commit chains on it */
	add_batch(v, "Ma Yong-ja", 1, NULL);
	kith_vault_close(v);
	v = fixture_vault_open_path(f->path, PASS);
	assert_int_equal(findings(v), 0);
	kith_vault_close(v);

	/* Review 1: a signed batch whose commitment names another key than the
	 * one wrapped is refused whole */
	kith_store_remove(f->path);
	make_vault(f->path, 2);
	write_batch_from_doc(f->path, 1, id);
	v = fixture_vault_open_path(f->path, PASS);
	assert_true(finding(v, "batch key does not match its commitment"));
	assert_null(kith_vault_find_id(v, id));
	assert_non_null(kith_vault_find_damaged_id(v, id));
	assert_string_equal(kith_vault_find_damaged_id(v, id)->reason,
			    "batch key does not match its commitment");
	kith_vault_close(v);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    FIXTURE_FILES_TEST(test_commit_is_one_batch),
	    FIXTURE_FILES_TEST(test_many_batches),
	    FIXTURE_FILES_TEST(test_changed_row_and_manifest),
	    FIXTURE_FILES_TEST(test_deleted_row),
	    FIXTURE_FILES_TEST(test_dropped_batch_and_rollback),
	    FIXTURE_FILES_TEST(test_downgrade_refused),
	    FIXTURE_FILES_TEST(test_format1_still_opens),
	    FIXTURE_FILES_TEST(test_field_vault_format2),
	    FIXTURE_FILES_TEST(test_upgrade),
	    FIXTURE_FILES_TEST(test_written_from_the_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
