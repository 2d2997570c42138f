/*
 * sync — what bundles leave behind in a vault: versions sent, data keys
 * received, conflicting versions kept (sync.h; docs/bundle-format.md).
 */
#include "vault/sync.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "vault/blob.h"	      /* kith_store_sqlite */
#include "vault/field.h"      /* kith_vault_keys_borrow */
#include "vault/vault_impl.h" /* vault_keys_idle */

static const char tables_sql[] =
    "CREATE TABLE IF NOT EXISTS bundles(id BLOB PRIMARY KEY, recipient BLOB NOT NULL,"
    " created INTEGER NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS sent(bundle BLOB NOT NULL, id BLOB NOT NULL, version INTEGER NOT NULL,"
    " device BLOB NOT NULL, PRIMARY KEY (bundle, id, version, device)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS received(id BLOB NOT NULL, version INTEGER NOT NULL, device BLOB NOT NULL,"
    " wrap BLOB NOT NULL, PRIMARY KEY (id, version, device)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS conflicts(id BLOB NOT NULL, version INTEGER NOT NULL, device BLOB NOT NULL,"
    " wrap_org BLOB NOT NULL, wrap_dev BLOB NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL,"
    " sig BLOB NOT NULL, resolved INTEGER NOT NULL DEFAULT 0, batch BLOB, i INTEGER,"
    " PRIMARY KEY (id, version, device)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS revoked(device BLOB PRIMARY KEY, at INTEGER NOT NULL, sig BLOB NOT NULL)"
    " WITHOUT ROWID;";

static const char wrap_kdf_ctx[crypto_kdf_CONTEXTBYTES + 1] = "kithdwrp";
static const char row_domain[] = "kith-row-v1";

static int db_fail(sqlite3 *db, const char *what, struct kith_err *err)
{
	return kith_err_set(err, KITH_E_DB, "vault", "%s: %s", what, db ? sqlite3_errmsg(db) : "no store");
}

/* A statement on a table that may not exist yet: SQLITE_OK with *st NULL when
 * the table is missing (nothing was ever recorded). */
static int prepare_opt(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	*st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
	if (rc == SQLITE_ERROR && strstr(sqlite3_errmsg(db), "no such table")) {
		*st = NULL;
		return SQLITE_OK;
	}
	return rc;
}

int kith_sync_tables(struct kith_store *s, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	if (!db || sqlite3_exec(db, tables_sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "making the bundle tables", err);
	/* a conflicts table from before format-3 bundles: the batch of a kept version */
	sqlite3_stmt *st = NULL;
	int old =
	    sqlite3_prepare_v2(db, "SELECT batch, i FROM conflicts LIMIT 0", -1, &st, NULL) != SQLITE_OK;
	sqlite3_finalize(st);
	if (old &&
	    sqlite3_exec(
		db,
		"ALTER TABLE conflicts ADD COLUMN batch BLOB; ALTER TABLE conflicts ADD COLUMN i INTEGER;",
		NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "making the bundle tables", err);
	return KITH_OK;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* ------------------------------------------------------------ sent */

int kith_sync_mark_sent(struct kith_store *s, const uint8_t bundle[16], const uint8_t recipient[32],
			int64_t created, const struct kith_sync_ver *vers, size_t n, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	int rc = kith_store_begin(s, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	if ((rc = kith_sync_tables(s, err)))
		goto fail;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO bundles(id, recipient, created, seq) VALUES "
			       "(?1, ?2, ?3, (SELECT coalesce(max(seq), 0) + 1 FROM bundles))",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(db, "recording the bundle", err);
		goto fail;
	}
	sqlite3_bind_blob(st, 1, bundle, 16, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, recipient, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, created);
	int s3 = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (s3 == SQLITE_CONSTRAINT) {
		rc = kith_err_set(err, KITH_E_EXISTS, "bundle", "that bundle is already recorded");
		goto fail;
	}
	if (s3 != SQLITE_DONE) {
		rc = db_fail(db, "recording the bundle", err);
		goto fail;
	}
	if (sqlite3_prepare_v2(
		db, "INSERT OR IGNORE INTO sent(bundle, id, version, device) VALUES (?1, ?2, ?3, ?4)", -1,
		&st, NULL) != SQLITE_OK) {
		rc = db_fail(db, "recording the bundle", err);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_blob(st, 1, bundle, 16, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, vers[i].id, 16, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, vers[i].version);
		sqlite3_bind_blob(st, 4, vers[i].device, 32, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_fail(db, "recording the bundle", err);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	return kith_store_commit(s, err);
fail:
	sqlite3_finalize(st);
	kith_store_rollback(s);
	return rc;
}

/* A sorted array of (id 16, version 4 BE, device 32) keys. */
#define VER_KEY 52
struct kith_sync_sent {
	uint8_t *keys;
	size_t n;
};

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, VER_KEY);
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static void ver_key(uint8_t k[VER_KEY], const uint8_t id[16], uint32_t version, const uint8_t device[32])
{
	memcpy(k, id, 16);
	put_be32(k + 16, version);
	memcpy(k + 20, device, 32);
}

int kith_sync_sent_load(struct kith_store *s, const uint8_t recipient[32], const uint8_t *since,
			struct kith_sync_sent **out, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	struct kith_sync_sent *t = calloc(1, sizeof *t);
	if (!t)
		return kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
	int64_t after = 0;
	sqlite3_stmt *st = NULL;
	int rc = KITH_OK;
	if (since) {
		if (prepare_opt(db, "SELECT seq FROM bundles WHERE id = ?1 AND recipient = ?2", &st) !=
		    SQLITE_OK) {
			rc = db_fail(db, "reading the bundles sent", err);
			goto fail;
		}
		int found = 0;
		if (st) {
			sqlite3_bind_blob(st, 1, since, 16, SQLITE_STATIC);
			sqlite3_bind_blob(st, 2, recipient, 32, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW) {
				after = sqlite3_column_int64(st, 0);
				found = 1;
			}
			sqlite3_finalize(st);
			st = NULL;
		}
		if (!found) {
			rc =
			    kith_err_set(err, KITH_E_NOTFOUND, "since",
					 "no bundle with that id was sent from this vault to that recipient");
			goto fail;
		}
	}
	if (prepare_opt(db,
			"SELECT s.id, s.version, s.device FROM sent s JOIN bundles b ON b.id = s.bundle "
			"WHERE b.recipient = ?1 AND b.seq <= ?2",
			&st) != SQLITE_OK) {
		rc = db_fail(db, "reading the bundles sent", err);
		goto fail;
	}
	size_t cap = 0;
	if (st) {
		sqlite3_bind_blob(st, 1, recipient, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, since ? after : INT64_MAX);
		int s3;
		while ((s3 = sqlite3_step(st)) == SQLITE_ROW) {
			if (sqlite3_column_bytes(st, 0) != 16 || sqlite3_column_bytes(st, 2) != 32)
				continue;
			if (t->n == cap) {
				size_t nc = cap ? 2 * cap : 256;
				uint8_t *nk = realloc(t->keys, nc * VER_KEY);
				if (!nk) {
					rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
					goto fail;
				}
				t->keys = nk;
				cap = nc;
			}
			ver_key(t->keys + t->n * VER_KEY, sqlite3_column_blob(st, 0),
				(uint32_t)sqlite3_column_int64(st, 1), sqlite3_column_blob(st, 2));
			t->n++;
		}
		sqlite3_finalize(st);
		st = NULL;
		if (s3 != SQLITE_DONE) {
			rc = db_fail(db, "reading the bundles sent", err);
			goto fail;
		}
	}
	if (t->n)
		qsort(t->keys, t->n, VER_KEY, cmp_key);
	*out = t;
	return KITH_OK;
fail:
	sqlite3_finalize(st);
	kith_sync_sent_free(t);
	return rc;
}

int kith_sync_sent_has(const struct kith_sync_sent *t, const uint8_t id[16], uint32_t version,
		       const uint8_t device[32])
{
	uint8_t k[VER_KEY];
	ver_key(k, id, version, device);
	return t && t->n && bsearch(k, t->keys, t->n, VER_KEY, cmp_key) != NULL;
}

int kith_sync_sent_record(const struct kith_sync_sent *t, const uint8_t id[16])
{
	if (!t || !t->n)
		return 0;
	/* the keys are sorted by id first: a binary search on the first 16 bytes */
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_id(t->keys + mid * VER_KEY, id);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void kith_sync_sent_free(struct kith_sync_sent *t)
{
	if (!t)
		return;
	free(t->keys);
	free(t);
}

/* ------------------------------------------------------------ keys */

void kith_sync_wrap_key(const struct kith_crypto_keys *k, uint8_t wk[32])
{
	uint8_t ssk[KITH_CRYPTO_FIELD_SIGN_SK_BYTES], bsk[KITH_CRYPTO_FIELD_BOX_SK_BYTES];
	kith_crypto_keys_device_secrets(k, ssk, bsk);
	crypto_kdf_derive_from_key(wk, 32, 1, wrap_kdf_ctx, bsk);
	sodium_memzero(ssk, sizeof ssk);
	sodium_memzero(bsk, sizeof bsk);
}

static void row_ad(uint8_t ad[KITH_CRYPTO_AD_BYTES], const struct kith_crypto_row *r)
{
	memcpy(ad, r->id, 16);
	put_be32(ad + 16, r->version);
	memcpy(ad + 20, r->device, 32);
}

void kith_sync_wrap(const uint8_t wk[32], const struct kith_crypto_row *r, const uint8_t dk[32],
		    uint8_t wrap[KITH_SYNC_WRAP_BYTES])
{
	uint8_t ad[KITH_CRYPTO_AD_BYTES];
	row_ad(ad, r);
	randombytes_buf(wrap, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(wrap + 24, NULL, dk, 32, ad, sizeof ad, NULL, wrap, wk);
}

int kith_sync_unwrap(const uint8_t wk[32], const struct kith_crypto_row *r, const uint8_t *wrap, size_t n,
		     uint8_t dk[32])
{
	if (n != KITH_SYNC_WRAP_BYTES)
		return KITH_E_CORRUPT;
	uint8_t ad[KITH_CRYPTO_AD_BYTES];
	row_ad(ad, r);
	unsigned long long dl = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(dk, &dl, NULL, wrap + 24, n - 24, ad, sizeof ad, wrap,
						       wk) != 0 ||
	    dl != 32) {
		sodium_memzero(dk, 32);
		return KITH_E_CORRUPT;
	}
	return KITH_OK;
}

int kith_sync_row_key(struct kith_store *s, const struct kith_crypto_keys *k, const struct kith_crypto_row *r,
		      uint8_t dk[32], struct kith_err *err)
{
	uint8_t wk[32];
	if (memcmp(r->device, kith_crypto_keys_sign_pk(k), 32) == 0) {
		kith_sync_wrap_key(k, wk);
		int rc = kith_sync_unwrap(wk, r, r->wrap_dev, sizeof r->wrap_dev, dk);
		sodium_memzero(wk, sizeof wk);
		return rc ? kith_err_set(err, KITH_E_CORRUPT, "row", "key unwrap failed") : KITH_OK;
	}
	if (kith_crypto_keys_holds_org(k)) {
		if (kith_crypto_org_unseal(k, r->wrap_org, sizeof r->wrap_org, dk) != KITH_OK)
			return kith_err_set(err, KITH_E_CORRUPT, "row", "key unwrap failed");
		return KITH_OK;
	}
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (prepare_opt(db, "SELECT wrap FROM received WHERE id = ?1 AND version = ?2 AND device = ?3",
			&st) != SQLITE_OK)
		return db_fail(db, "reading the received keys", err);
	if (!st)
		return kith_err_set(err, KITH_E_AUTH, "row", "no key for a row of another device");
	sqlite3_bind_blob(st, 1, r->id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->version);
	sqlite3_bind_blob(st, 3, r->device, 32, SQLITE_STATIC);
	int rc = kith_err_set(err, KITH_E_AUTH, "row", "no key for a row of another device");
	if (sqlite3_step(st) == SQLITE_ROW) {
		kith_sync_wrap_key(k, wk);
		rc = kith_sync_unwrap(wk, r, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
				      dk);
		sodium_memzero(wk, sizeof wk);
		if (rc)
			rc = kith_err_set(err, KITH_E_CORRUPT, "row", "key unwrap failed");
		else if (err)
			kith_err_clear(err);
	}
	sqlite3_finalize(st);
	return rc;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void msg_field(const void *p, size_t n, uint8_t *buf, size_t *at)
{
	put_be64(buf + *at, n);
	memcpy(buf + *at + 8, p, n);
	*at += 8 + n;
}

/* The row's signature (docs/vault-format.md *Record versions*, step 7). */
static int row_sig_ok(const struct kith_crypto_row *r)
{
	size_t n = sizeof row_domain - 1 + 7 * 8 + 16 + 4 + 32 + 80 + 72 + 24 + r->ct_len, at = 0;
	uint8_t *m = malloc(n), v[4];
	if (!m)
		return -1;
	put_be32(v, r->version);
	memcpy(m, row_domain, sizeof row_domain - 1);
	at = sizeof row_domain - 1;
	msg_field(r->id, 16, m, &at);
	msg_field(v, 4, m, &at);
	msg_field(r->device, 32, m, &at);
	msg_field(r->wrap_org, 80, m, &at);
	msg_field(r->wrap_dev, 72, m, &at);
	msg_field(r->nonce, 24, m, &at);
	msg_field(r->ct, r->ct_len, m, &at);
	int ok = crypto_sign_verify_detached(r->sig, m, at, r->device) == 0;
	free(m);
	return ok;
}

int kith_sync_row_open(const struct kith_crypto_row *r, const uint8_t dk[32], int check_sig,
		       struct kith_sbuf *plain, const char **reason)
{
	kith_sbuf_reset(plain);
	*reason = NULL;
	size_t ab = crypto_aead_xchacha20poly1305_ietf_ABYTES;
	if (r->ct_len < 256 + ab || r->ct_len > KITH_CRYPTO_PLAIN_MAX + ab ||
	    kith_crypto_bucket(r->ct_len - ab) != r->ct_len - ab) {
		*reason = "bad padding";
		return KITH_E_CORRUPT;
	}
	if (check_sig) {
		int ok = row_sig_ok(r);
		if (ok < 0)
			return KITH_E_NOMEM;
		if (!ok) {
			*reason = "bad signature";
			return KITH_E_CORRUPT;
		}
	}
	if (kith_sbuf_grow(plain, r->ct_len - ab))
		return KITH_E_NOMEM;
	uint8_t ad[KITH_CRYPTO_AD_BYTES];
	row_ad(ad, r);
	unsigned long long ml = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain->buf, &ml, NULL, r->ct,
						       r->ct_len, ad, sizeof ad, r->nonce, dk) != 0) {
		kith_sbuf_reset(plain);
		*reason = "authentication failed";
		return KITH_E_CORRUPT;
	}
	const unsigned char *u = (const unsigned char *)plain->buf;
	size_t ul = (size_t)ml;
	while (ul > 0 && u[ul - 1] == 0)
		ul--;
	if (ul == 0 || u[ul - 1] != 0x80) {
		sodium_memzero(plain->buf, (size_t)ml);
		kith_sbuf_reset(plain);
		*reason = "bad padding";
		return KITH_E_CORRUPT;
	}
	ul--;
	sodium_memzero(plain->buf + ul, (size_t)ml - ul);
	plain->len = ul;
	plain->buf[ul] = '\0';
	return KITH_OK;
}

/* ------------------------------------------------------------ received, conflicts */

int kith_sync_received_put(struct kith_store *s, const struct kith_crypto_row *r,
			   const uint8_t wrap[KITH_SYNC_WRAP_BYTES], struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		db, "INSERT OR IGNORE INTO received(id, version, device, wrap) VALUES (?1, ?2, ?3, ?4)", -1,
		&st, NULL) != SQLITE_OK)
		return db_fail(db, "storing a received key", err);
	sqlite3_bind_blob(st, 1, r->id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->version);
	sqlite3_bind_blob(st, 3, r->device, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, wrap, KITH_SYNC_WRAP_BYTES, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? KITH_OK : db_fail(db, "storing a received key", err);
	sqlite3_finalize(st);
	return rc;
}

int kith_sync_conflict_put(struct kith_store *s, const struct kith_crypto_row *r, struct kith_err *err)
{
	return kith_sync_conflict_put_batch(s, r, NULL, 0, err);
}

int kith_sync_conflict_put_batch(struct kith_store *s, const struct kith_crypto_row *r, const uint8_t *batch,
				 uint32_t i, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		db,
		"INSERT OR IGNORE INTO conflicts(id, version, device, wrap_org, wrap_dev, nonce, ct, "
		"sig, batch, i) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		-1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "keeping a conflicting version", err);
	sqlite3_bind_blob(st, 1, r->id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->version);
	sqlite3_bind_blob(st, 3, r->device, 32, SQLITE_STATIC);
	/* a version of a batch has its batch's key and signature: no wraps of its own */
	sqlite3_bind_blob(st, 4, r->wrap_org, batch ? 0 : 80, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, r->wrap_dev, batch ? 0 : 72, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, r->nonce, 24, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, r->ct, (int)r->ct_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, r->sig, batch ? 0 : 64, SQLITE_STATIC);
	if (batch) {
		sqlite3_bind_blob(st, 9, batch, 16, SQLITE_STATIC);
		sqlite3_bind_int64(st, 10, i);
	}
	int rc =
	    sqlite3_step(st) == SQLITE_DONE ? KITH_OK : db_fail(db, "keeping a conflicting version", err);
	sqlite3_finalize(st);
	return rc;
}

void kith_sync_rows_free(struct kith_crypto_row *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		free(rows[i].ct);
	free(rows);
}

static int col_into(sqlite3_stmt *st, int c, uint8_t *dst, size_t n)
{
	if ((size_t)sqlite3_column_bytes(st, c) != n)
		return 0;
	memcpy(dst, sqlite3_column_blob(st, c), n);
	return 1;
}

int kith_sync_conflicts(struct kith_store *s, const uint8_t *id, struct kith_crypto_row **out, size_t *n,
			struct kith_err *err)
{
	return kith_sync_conflicts_kept(s, id, out, NULL, n, err);
}

int kith_sync_conflicts_kept(struct kith_store *s, const uint8_t *id, struct kith_crypto_row **out,
			     struct kith_sync_kept **kept_out, size_t *n, struct kith_err *err)
{
	*out = NULL;
	if (kept_out)
		*kept_out = NULL;
	*n = 0;
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (prepare_opt(db,
			id ? "SELECT id, version, device, wrap_org, wrap_dev, nonce, ct, sig, batch, i FROM "
			     "conflicts "
			     "WHERE resolved = 0 AND id = ?1 ORDER BY id, device, version"
			   : "SELECT id, version, device, wrap_org, wrap_dev, nonce, ct, sig, batch, i FROM "
			     "conflicts "
			     "WHERE resolved = 0 ORDER BY id, device, version",
			&st) != SQLITE_OK) {
		/* a conflicts table from before format-3 bundles (made again at the next import) */
		if (sqlite3_prepare_v2(db, "SELECT batch FROM conflicts LIMIT 0", -1, &st, NULL) !=
			SQLITE_OK &&
		    strstr(sqlite3_errmsg(db), "no such column")) {
			sqlite3_finalize(st);
			st = NULL;
			if (prepare_opt(
				db,
				id ? "SELECT id, version, device, wrap_org, wrap_dev, nonce, ct, sig, NULL, "
				     "NULL FROM conflicts WHERE resolved = 0 AND id = ?1 ORDER BY id, "
				     "device, version"
				   : "SELECT id, version, device, wrap_org, wrap_dev, nonce, ct, sig, NULL, "
				     "NULL FROM conflicts WHERE resolved = 0 ORDER BY id, device, version",
				&st) != SQLITE_OK)
				return db_fail(db, "reading the conflicts", err);
		} else {
			sqlite3_finalize(st);
			return db_fail(db, "reading the conflicts", err);
		}
	}
	if (!st)
		return KITH_OK;
	if (id)
		sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	struct kith_crypto_row *rows = NULL;
	struct kith_sync_kept *kept = NULL;
	size_t cnt = 0, cap = 0;
	int rc = KITH_OK, s3;
	while ((s3 = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? 2 * cap : 8;
			struct kith_crypto_row *nr = realloc(rows, nc * sizeof *nr);
			if (nr)
				rows = nr;
			struct kith_sync_kept *nk = nr ? realloc(kept, nc * sizeof *nk) : NULL;
			if (!nr || !nk) {
				rc = kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
				break;
			}
			kept = nk;
			cap = nc;
		}
		struct kith_crypto_row *r = &rows[cnt];
		memset(r, 0, sizeof *r);
		size_t cl = (size_t)sqlite3_column_bytes(st, 6);
		sqlite3_int64 ver = sqlite3_column_int64(st, 1);
		int in_batch = sqlite3_column_bytes(st, 8) == 16 &&
			       sqlite3_column_type(st, 9) == SQLITE_INTEGER &&
			       sqlite3_column_int64(st, 9) >= 0 && sqlite3_column_int64(st, 9) <= UINT32_MAX;
		if (!col_into(st, 0, r->id, 16) || !col_into(st, 2, r->device, 32) ||
		    (!in_batch && (!col_into(st, 3, r->wrap_org, 80) || !col_into(st, 4, r->wrap_dev, 72) ||
				   !col_into(st, 7, r->sig, 64))) ||
		    !col_into(st, 5, r->nonce, 24) || cl == 0 || ver < 1 || ver > UINT32_MAX)
			continue; /* a malformed kept version is not shown */
		kept[cnt].i = in_batch ? sqlite3_column_int64(st, 9) : -1;
		if (in_batch)
			memcpy(kept[cnt].batch, sqlite3_column_blob(st, 8), 16);
		r->version = (uint32_t)ver;
		r->ct = malloc(cl);
		if (!r->ct) {
			rc = kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
			break;
		}
		memcpy(r->ct, sqlite3_column_blob(st, 6), cl);
		r->ct_len = cl;
		cnt++;
	}
	if (!rc && s3 != SQLITE_DONE)
		rc = db_fail(db, "reading the conflicts", err);
	sqlite3_finalize(st);
	if (rc) {
		kith_sync_rows_free(rows, cnt);
		free(kept);
		return rc;
	}
	*out = rows;
	if (kept_out)
		*kept_out = kept;
	else
		free(kept);
	*n = cnt;
	return KITH_OK;
}

int kith_sync_conflict_resolve(struct kith_store *s, const uint8_t id[16], uint32_t by, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "UPDATE conflicts SET resolved = ?2 WHERE id = ?1 AND resolved = 0", -1,
			       &st, NULL) != SQLITE_OK)
		return db_fail(db, "marking the conflict resolved", err);
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, by);
	int rc =
	    sqlite3_step(st) == SQLITE_DONE ? KITH_OK : db_fail(db, "marking the conflict resolved", err);
	sqlite3_finalize(st);
	return rc;
}

/* ------------------------------------------------------------ the field read path */

#define RCV_KEY (VER_KEY + KITH_SYNC_WRAP_BYTES)
struct kith_sync_received {
	uint8_t *e; /* sorted: key VER_KEY, then the wrap */
	size_t n;
};

int kith_sync_received_load(struct kith_store *s, struct kith_sync_received **out, struct kith_err *err)
{
	*out = NULL;
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (prepare_opt(db, "SELECT id, version, device, wrap FROM received", &st) != SQLITE_OK)
		return db_fail(db, "reading the received keys", err);
	if (!st)
		return KITH_OK;
	struct kith_sync_received *t = calloc(1, sizeof *t);
	size_t cap = 0;
	int rc = t ? KITH_OK : kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory"), s3 = SQLITE_DONE;
	while (!rc && (s3 = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 16 || sqlite3_column_bytes(st, 2) != 32 ||
		    sqlite3_column_bytes(st, 3) != KITH_SYNC_WRAP_BYTES)
			continue;
		if (t->n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			uint8_t *ne = realloc(t->e, nc * RCV_KEY);
			if (!ne) {
				rc = kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
				break;
			}
			t->e = ne;
			cap = nc;
		}
		uint8_t *p = t->e + t->n * RCV_KEY;
		ver_key(p, sqlite3_column_blob(st, 0), (uint32_t)sqlite3_column_int64(st, 1),
			sqlite3_column_blob(st, 2));
		memcpy(p + VER_KEY, sqlite3_column_blob(st, 3), KITH_SYNC_WRAP_BYTES);
		t->n++;
	}
	if (!rc && s3 != SQLITE_DONE)
		rc = db_fail(db, "reading the received keys", err);
	sqlite3_finalize(st);
	if (rc) {
		kith_sync_received_free(t);
		return rc;
	}
	if (t->n)
		qsort(t->e, t->n, RCV_KEY, cmp_key);
	*out = t;
	return KITH_OK;
}

int kith_sync_received_open(const struct kith_sync_received *t, const struct kith_crypto_keys *k,
			    const struct kith_crypto_row *r, struct kith_sbuf *plain, const char **reason)
{
	uint8_t key[VER_KEY];
	ver_key(key, r->id, r->version, r->device);
	const uint8_t *e = t && t->n ? bsearch(key, t->e, t->n, RCV_KEY, cmp_key) : NULL;
	if (!e)
		return KITH_E_AUTH;
	uint8_t wk[32], dk[32];
	kith_sync_wrap_key(k, wk);
	int rc = kith_sync_unwrap(wk, r, e + VER_KEY, KITH_SYNC_WRAP_BYTES, dk);
	sodium_memzero(wk, sizeof wk);
	if (rc) {
		*reason = "key unwrap failed";
		return KITH_E_CORRUPT;
	}
	rc = kith_sync_row_open(r, dk, 1, plain, reason);
	sodium_memzero(dk, sizeof dk);
	return rc;
}

int kith_sync_received_key(const struct kith_sync_received *t, const struct kith_crypto_keys *k,
			   const struct kith_crypto_row *r, uint8_t dk[32])
{
	uint8_t key[VER_KEY];
	ver_key(key, r->id, r->version, r->device);
	const uint8_t *e = t && t->n ? bsearch(key, t->e, t->n, RCV_KEY, cmp_key) : NULL;
	if (!e)
		return KITH_E_AUTH;
	uint8_t wk[32];
	kith_sync_wrap_key(k, wk);
	int rc = kith_sync_unwrap(wk, r, e + VER_KEY, KITH_SYNC_WRAP_BYTES, dk);
	sodium_memzero(wk, sizeof wk);
	return rc ? KITH_E_CORRUPT : KITH_OK;
}

void kith_sync_received_free(struct kith_sync_received *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

/* ------------------------------------------------------------ conflicts, for casework */

int kith_sync_conflict_ids(struct kith_vault *v, char (**ids)[33], size_t *n, struct kith_err *err)
{
	*ids = NULL;
	*n = 0;
	struct kith_store *s = kith_vault_store_borrow(v);
	if (!s)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (prepare_opt(db, "SELECT DISTINCT id FROM conflicts WHERE resolved = 0 ORDER BY id", &st) !=
	    SQLITE_OK)
		return db_fail(db, "reading the conflicts", err);
	if (!st)
		return KITH_OK;
	char(*out)[33] = NULL;
	size_t cnt = 0, cap = 0;
	int rc = KITH_OK, s3;
	while ((s3 = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 16)
			continue;
		if (cnt == cap) {
			size_t nc = cap ? 2 * cap : 16;
			char(*no)[33] = realloc(out, nc * sizeof *no);
			if (!no) {
				rc = kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
				break;
			}
			out = no;
			cap = nc;
		}
		sodium_bin2hex(out[cnt], 33, sqlite3_column_blob(st, 0), 16);
		cnt++;
	}
	if (!rc && s3 != SQLITE_DONE)
		rc = db_fail(db, "reading the conflicts", err);
	sqlite3_finalize(st);
	if (rc) {
		free(out);
		return rc;
	}
	*ids = out;
	*n = cnt;
	return KITH_OK;
}

void kith_sync_branches_free(struct kith_sync_branch *b, size_t n)
{
	if (!b)
		return;
	for (size_t i = 0; i < n; i++)
		if (b[i].envelope) {
			sodium_memzero(b[i].envelope, b[i].envelope_len);
			free(b[i].envelope);
		}
	free(b);
}

int kith_sync_branches(struct kith_vault *v, const char *id_hex, struct kith_sync_branch **out, size_t *n,
		       struct kith_err *err)
{
	*out = NULL;
	*n = 0;
	uint8_t id[16];
	size_t got = 0;
	if (!id_hex || strlen(id_hex) != 32 || sodium_hex2bin(id, 16, id_hex, 32, NULL, &got, NULL) ||
	    got != 16)
		return kith_err_set(err, KITH_E_INVALID, "id", "not a record id");
	struct kith_store *s = kith_vault_store_borrow(v);
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	if (!s || !k)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	struct kith_crypto_row *rows = NULL;
	struct kith_sync_kept *kept = NULL;
	size_t nr = 0;
	int rc = kith_sync_conflicts_kept(s, id, &rows, &kept, &nr, err);
	if (rc)
		return rc;
	struct kith_sync_branch *b = calloc(nr ? nr : 1, sizeof *b);
	if (!b) {
		free(kept);
		kith_sync_rows_free(rows, nr);
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	}
	if (kith_crypto_keys_access(k, 1)) {
		free(b);
		free(kept);
		kith_sync_rows_free(rows, nr);
		return kith_err_set(err, KITH_E_CRYPTO, "vault", "the keys could not be made readable");
	}
	struct kith_sbuf plain = KITH_SBUF_INIT;
	size_t cnt = 0;
	/* rows are ordered by device, then version: the last of each device is its head */
	for (size_t i = 0; i < nr && !rc; i++) {
		if (i + 1 < nr && !memcmp(rows[i].device, rows[i + 1].device, 32))
			continue;
		uint8_t dk[32];
		const char *reason = NULL;
		int orc;
		if (kept && kept[i].i >= 0) { /* a version of a signed batch: checked against its manifest */
			orc = vault_v2_open_row(v, vault_v2_batch(v, kept[i].batch), (uint32_t)kept[i].i,
						&rows[i], &plain, &reason);
		} else {
			if (kith_sync_row_key(s, k, &rows[i], dk, NULL) != KITH_OK)
				continue;
			orc = kith_sync_row_open(&rows[i], dk, 1, &plain, &reason);
			sodium_memzero(dk, sizeof dk);
		}
		if (orc == KITH_E_NOMEM) {
			rc = kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
			break;
		}
		if (orc)
			continue;
		b[cnt].envelope = malloc(plain.len + 1);
		if (!b[cnt].envelope) {
			rc = kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
			break;
		}
		memcpy(b[cnt].envelope, plain.buf, plain.len + 1);
		b[cnt].envelope_len = plain.len + 1;
		sodium_bin2hex(b[cnt].device, sizeof b[cnt].device, rows[i].device, 8);
		b[cnt].version = rows[i].version;
		cnt++;
	}
	kith_sbuf_release(&plain);
	vault_keys_idle(k);
	free(kept);
	kith_sync_rows_free(rows, nr);
	if (rc) {
		kith_sync_branches_free(b, cnt);
		return rc;
	}
	*out = b;
	*n = cnt;
	return KITH_OK;
}

int kith_sync_resolve_hook(struct kith_store *s, void *arg, struct kith_err *err)
{
	const struct kith_sync_resolution *r = arg;
	int rc = kith_sync_tables(s, err);
	return rc ? rc : kith_sync_conflict_resolve(s, r->id, r->by, err);
}

/* ------------------------------------------------------------ revocations (a field vault) */

int kith_sync_revoked_put(struct kith_store *s, const uint8_t device[32], int64_t at, const uint8_t sig[64],
			  int *added, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	*added = 0;
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO revoked(device, at, sig) VALUES (?1, ?2, ?3)", -1,
			       &st, NULL) != SQLITE_OK)
		return db_fail(db, "recording a revocation", err);
	sqlite3_bind_blob(st, 1, device, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_blob(st, 3, sig, 64, SQLITE_STATIC);
	int s3 = sqlite3_step(st);
	sqlite3_finalize(st);
	if (s3 != SQLITE_DONE)
		return db_fail(db, "recording a revocation", err);
	*added = sqlite3_changes(db) > 0;
	return KITH_OK;
}

int kith_sync_revoked_list(struct kith_store *s, struct kith_sync_revocation **out, size_t *n,
			   struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	if (prepare_opt(db, "SELECT device, at, sig FROM revoked", &st) != SQLITE_OK)
		return db_fail(db, "reading the revocations", err);
	if (!st)
		return KITH_OK; /* none ever received */
	struct kith_sync_revocation *a = NULL;
	size_t cap = 0, k = 0;
	int s3, rc = KITH_OK;
	while ((s3 = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 32 || sqlite3_column_bytes(st, 2) != 64)
			continue; /* not a revocation this kith wrote: not shown */
		if (k == cap) {
			cap = cap ? 2 * cap : 8;
			struct kith_sync_revocation *na = realloc(a, cap * sizeof *na);
			if (!na) {
				rc = kith_err_set(err, KITH_E_NOMEM, "devices", "out of memory");
				break;
			}
			a = na;
		}
		memcpy(a[k].device, sqlite3_column_blob(st, 0), 32);
		a[k].at = sqlite3_column_int64(st, 1);
		memcpy(a[k].sig, sqlite3_column_blob(st, 2), 64);
		k++;
	}
	if (!rc && s3 != SQLITE_DONE)
		rc = db_fail(db, "reading the revocations", err);
	sqlite3_finalize(st);
	if (rc) {
		free(a);
		return rc;
	}
	*out = a;
	*n = k;
	return KITH_OK;
}
