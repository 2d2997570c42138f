/*
 * store — the SQLite file of a vault (sqlite3 API directly). See store.h for
 * the contract and docs/vault-format.md for the tables.
 */
#define _GNU_SOURCE /* memmem */
#include "vault/store.h"
#include "vault/blob.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS KITH_STORE_BUSY_MS
#define STR2(x) #x
#define STR(x) STR2(x)
#define KITH_STORE_PAGE_SIZE_STR STR(KITH_STORE_PAGE_SIZE)

struct kith_store {
	sqlite3 *db;
	sqlite3_stmt *row_insert;
	int dev_auth; /* the devices table has its auth column */
	int v2;	      /* format 2: rows carry batch and i; batches and anchors exist */
	int wal_fd;   /* the log, opened by kith_store_wal_writeback; -1: not yet */
};

/* The newest version of every id, for a scan that skips older rows before
 * reading their large columns. Open addressing on the id's first 8 bytes
 * (ids are random). */
struct newest {
	uint8_t id[KITH_STORE_ID_BYTES];
	int64_t version;
	int used;
};

struct kith_store_cursor {
	struct kith_store *s;
	sqlite3_stmt *st;
	struct newest *tab; /* NULL: no filter */
	size_t cap;
};

static const char schema_sql[] = "CREATE TABLE header("
				 " one INTEGER PRIMARY KEY CHECK (one = 1),"
				 " format INTEGER NOT NULL,"
				 " vault_id BLOB NOT NULL,"
				 " kdf INTEGER NOT NULL,"
				 " opslimit INTEGER NOT NULL,"
				 " memlimit INTEGER NOT NULL,"
				 " alg INTEGER NOT NULL,"
				 " salt BLOB NOT NULL,"
				 " org_pk BLOB NOT NULL);"
				 "CREATE TABLE slots("
				 " name TEXT PRIMARY KEY,"
				 " nonce BLOB NOT NULL,"
				 " box BLOB NOT NULL) WITHOUT ROWID;"
				 "CREATE TABLE devices("
				 " sign_pk BLOB PRIMARY KEY,"
				 " box_pk BLOB NOT NULL,"
				 " auth BLOB) WITHOUT ROWID;"
				 "CREATE TABLE \"rows\"("
				 " id BLOB NOT NULL,"
				 " version INTEGER NOT NULL,"
				 " device BLOB NOT NULL,"
				 " wrap_org BLOB NOT NULL,"
				 " wrap_dev BLOB NOT NULL,"
				 " nonce BLOB NOT NULL,"
				 " ct BLOB NOT NULL,"
				 " sig BLOB NOT NULL,"
				 " PRIMARY KEY (id, version));";

/* Format 2 (docs/vault-format.md *Format 2*): the rows table gains the batch
 * a row was written in and its index there (NULL for a format-1 row), and
 * two tables hold the signed batch manifests and the rollback anchors. */
static const char schema2_sql[] = "ALTER TABLE \"rows\" ADD COLUMN batch BLOB;"
				  "ALTER TABLE \"rows\" ADD COLUMN i INTEGER;"
				  "CREATE UNIQUE INDEX rows_batch ON \"rows\"(batch, i);"
				  "CREATE TABLE batches("
				  " batch_id BLOB PRIMARY KEY,"
				  " device BLOB NOT NULL,"
				  " seq INTEGER NOT NULL,"
				  " manifest BLOB NOT NULL,"
				  " sig_dev BLOB NOT NULL,"
				  " sig_per BLOB NOT NULL) WITHOUT ROWID;"
				  "CREATE TABLE anchors("
				  " device BLOB PRIMARY KEY,"
				  " seq INTEGER NOT NULL,"
				  " mh BLOB NOT NULL,"
				  " mac BLOB NOT NULL) WITHOUT ROWID;";

static const char session_sql[] = "PRAGMA synchronous = FULL;"
				  "PRAGMA secure_delete = ON;"
				  "PRAGMA temp_store = MEMORY;"
				  "PRAGMA cell_size_check = ON;"
				  "PRAGMA cache_size = -32768;"; /* 32 MiB of ciphertext pages */

static const char row_cols[] = "id, version, device, wrap_org, wrap_dev, nonce, ct, sig";
static const char row_cols2[] = "id, version, device, wrap_org, wrap_dev, nonce, ct, sig, batch, i";

static int db_status(int rc)
{
	if (rc == SQLITE_IOERR_NOMEM) /* an I/O error only by its family: memory ran out */
		return KITH_E_NOMEM;
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		return KITH_E_NOTVAULT;
	case SQLITE_CORRUPT:
		return KITH_E_CORRUPT;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return KITH_E_IO;
	case SQLITE_NOMEM:
		return KITH_E_NOMEM;
	case SQLITE_CONSTRAINT:
		return KITH_E_EXISTS;
	default:
		return KITH_E_DB;
	}
}

/* SQLite's messages name tables and columns, never values. */
static int db_fail(sqlite3 *db, int rc, const char *what, struct kith_err *err)
{
	int st = db_status(rc);
	if (st == KITH_E_NOTVAULT)
		return kith_err_set(err, st, "vault", "not a kith vault: the file is not a SQLite database");
	if (st == KITH_E_EXISTS)
		st = KITH_E_DB;
	return kith_err_set(err, st, "vault", "%s: %s (sqlite %d)", what, db ? sqlite3_errmsg(db) : "", rc);
}

static int exec(sqlite3 *db, const char *sql, const char *what, struct kith_err *err)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? KITH_OK : db_fail(db, rc, what, err);
}

static int pragma_int(sqlite3 *db, const char *sql, long long *out, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KITH_OK : db_fail(db, rc, "reading the file header", err);
}

static int connect(sqlite3 **out, const char *path, struct kith_err *err)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int st = db_fail(db, rc, "cannot open the vault", err);
		sqlite3_close(db);
		return st;
	}
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
	(void)sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* The -wal file is never deleted or truncated by SQLite: a deleted
	 * file's blocks keep what it held (key slots) where no later overwrite
	 * reaches them; a kept one is overwritten in place (kith_store_shred). */
	int persist = 1;
	(void)sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	*out = db;
	return KITH_OK;
}

static int wal_mode(sqlite3 *db, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	int ok = 0;
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *m = sqlite3_column_text(st, 0);
		ok = m && strcmp((const char *)m, "wal") == 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "setting the journal mode", err);
	if (!ok)
		return kith_err_set(err, KITH_E_DB, "vault",
				    "the file system does not allow a write-ahead log");
	return KITH_OK;
}

static int store_new(struct kith_store **out, sqlite3 *db, long long format, struct kith_err *err)
{
	struct kith_store *s = calloc(1, sizeof *s);
	if (!s)
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	s->db = db;
	s->wal_fd = -1;
	long long cols = 0;
	if (pragma_int(db, "SELECT count(*) FROM pragma_table_info('devices') WHERE name = 'auth'", &cols,
		       NULL) == KITH_OK)
		s->dev_auth = cols > 0;
	s->v2 = format >= 2; /* check_schema made sure of the columns */
	char sql[256];
	snprintf(sql, sizeof sql, "INSERT INTO \"rows\" (%s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8%s)",
		 s->v2 ? row_cols2 : row_cols, s->v2 ? ", ?9, ?10" : "");
	int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->row_insert, NULL);
	if (rc != SQLITE_OK) {
		int st = db_fail(db, rc, "preparing statements", err);
		free(s);
		return st;
	}
	*out = s;
	return KITH_OK;
}

static int path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 || errno != ENOENT;
}

int kith_store_create(struct kith_store **out, const char *path, struct kith_err *err)
{
	return kith_store_create_format(out, path, 1, err);
}

int kith_store_create_format(struct kith_store **out, const char *path, uint32_t format, struct kith_err *err)
{
	if (format < 1 || format > KITH_STORE_FORMAT)
		return kith_err_set(err, KITH_E_INVALID, "vault", "unknown vault format %u",
				    (unsigned)format);
	char side[4200];
	if (strlen(path) > 4096)
		return kith_err_set(err, KITH_E_INVALID, "vault", "the path is too long");
	snprintf(side, sizeof side, "%s-wal", path);
	int wal = path_exists(side);
	snprintf(side, sizeof side, "%s-shm", path);
	if (path_exists(path))
		return kith_err_set(err, KITH_E_EXISTS, "vault", "a file already exists at this path");
	if (wal || path_exists(side))
		return kith_err_set(err, KITH_E_EXISTS, "vault",
				    "the journal of an earlier database (-wal/-shm) exists at this path");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		return kith_err_set(err, e == EEXIST ? KITH_E_EXISTS : KITH_E_IO, "vault",
				    "cannot create the file: %s", strerror(e));
	}
	close(fd);
	sqlite3 *db = NULL;
	int rc = connect(&db, path, err);
	if (rc)
		goto fail;
	char sql[4096];
	snprintf(sql, sizeof sql,
		 "BEGIN IMMEDIATE; PRAGMA application_id = %d; PRAGMA user_version = %u; %s %s COMMIT;",
		 KITH_STORE_APPLICATION_ID, (unsigned)format, schema_sql, format >= 2 ? schema2_sql : "");
	/* No write-ahead log yet: what the vault writes first (its key slots)
	 * goes straight into the file, whose pages are later overwritten in
	 * place, and never into a journal (kith_store_wal switches). */
	/* 16 KiB pages: a row of a case (2-4 KB of ciphertext) left most of a
	 * 4 KiB page empty; five share a 16 KiB page, and SQLite inserts the same
	 * rows twice as fast (bench/README.md, "Format 2: speed"). Set before the
	 * first table: a file keeps the page size it was created with. */
	if ((rc = exec(db, "PRAGMA page_size = " KITH_STORE_PAGE_SIZE_STR, "setting the page size", err)) ||
	    (rc = exec(db, "PRAGMA journal_mode = MEMORY", "setting the journal mode", err)) ||
	    (rc = exec(db, sql, "creating the schema", err)) ||
	    (rc = exec(db, session_sql, "setting pragmas", err)))
		goto fail;
	if ((rc = store_new(out, db, format, err)))
		goto fail;
	return KITH_OK;
fail:
	sqlite3_close(db);
	kith_store_remove(path);
	return rc;
}

static int check_schema(sqlite3 *db, long long format, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_schema", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "reading the schema", err);
	static const char *const tables[] = {"header", "slots", "devices", "rows", "batches", "anchors"};
	int seen = 0, foreign = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (!type || !name)
			continue;
		if (strcmp(type, "table") == 0) {
			for (int i = 0; i < 6; i++)
				if (strcmp(name, tables[i]) == 0)
					seen |= 1 << i;
		} else if (strcmp(type, "index") != 0) {
			foreign = 1; /* triggers and views */
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, rc, "reading the schema", err);
	if (foreign)
		return kith_err_set(err, KITH_E_CORRUPT, "vault",
				    "the vault file holds triggers or views: refused");
	if ((seen & 0xf) != 0xf || (format >= 2 && seen != 0x3f))
		return kith_err_set(err, KITH_E_CORRUPT, "vault", "the vault file lacks its tables");
	/* and the columns kith reads, in order: a file whose schema text was
	 * changed is damaged, not a fault of kith ("no such column" later) */
	static const char *const cols[][2] = {
	    {"header", "one,format,vault_id,kdf,opslimit,memlimit,alg,salt,org_pk"},
	    {"slots", "name,nonce,box"},
	    {"devices", "sign_pk,box_pk"}, /* ",auth" once upgraded */
	    {"rows", "id,version,device,wrap_org,wrap_dev,nonce,ct,sig"},
	    {"batches", "batch_id,device,seq,manifest,sig_dev,sig_per"},
	    {"anchors", "device,seq,mh,mac"},
	};
	for (size_t i = 0; i < (format >= 2 ? 6 : 4); i++) {
		rc = sqlite3_prepare_v2(db, "SELECT group_concat(name, ',') FROM pragma_table_info(?1)", -1,
					&st, NULL);
		if (rc != SQLITE_OK)
			return db_fail(db, rc, "reading the schema", err);
		sqlite3_bind_text(st, 1, cols[i][0], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		const char *got = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
		int ok =
		    got && (i == 3 && format >= 2
				? strcmp(got, "id,version,device,wrap_org,wrap_dev,nonce,ct,sig,batch,i") == 0
				: (strcmp(got, cols[i][1]) == 0 ||
				   (i == 2 && strcmp(got, "sign_pk,box_pk,auth") == 0)));
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(db, rc, "reading the schema", err);
		if (!ok)
			return kith_err_set(err, KITH_E_CORRUPT, "vault",
					    "the vault file's %s table is damaged (its columns)", cols[i][0]);
	}
	return KITH_OK;
}

static int store_open(struct kith_store **out, const char *path, int exclusive, struct kith_err *err);

int kith_store_open(struct kith_store **out, const char *path, struct kith_err *err)
{
	return store_open(out, path, 0, err);
}

int kith_store_open_exclusive(struct kith_store **out, const char *path, struct kith_err *err)
{
	return store_open(out, path, 1, err);
}

static int store_open(struct kith_store **out, const char *path, int exclusive, struct kith_err *err)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		int e = errno;
		return kith_err_set(err, e == ENOENT ? KITH_E_NOTFOUND : KITH_E_IO, "vault",
				    "cannot open the vault: %s", strerror(e));
	}
	if (!S_ISREG(sb.st_mode))
		return kith_err_set(err, KITH_E_NOTVAULT, "vault", "not a kith vault: not a regular file");
	sqlite3 *db = NULL;
	int rc = connect(&db, path, err);
	if (rc)
		return rc;
	/* exclusive before the first read: the WAL index lives in this
	 * process's heap, no -shm is created or grown */
	if (exclusive && (rc = exec(db, "PRAGMA locking_mode = EXCLUSIVE", "locking the vault", err)))
		goto fail;
	long long app = 0, version = 0;
	if ((rc = pragma_int(db, "PRAGMA application_id", &app, err)))
		goto fail;
	if (app != KITH_STORE_APPLICATION_ID) {
		rc = kith_err_set(err, KITH_E_NOTVAULT, "vault",
				  "not a kith vault: a SQLite database without kith's application id");
		goto fail;
	}
	if ((rc = pragma_int(db, "PRAGMA user_version", &version, err)))
		goto fail;
	if (version > KITH_STORE_FORMAT) {
		rc = kith_err_set(err, KITH_E_NOTVAULT, "vault", "vault format %lld is newer than this kith",
				  version);
		goto fail;
	}
	if (version < 1) {
		rc = kith_err_set(err, KITH_E_CORRUPT, "vault", "the vault format is missing");
		goto fail;
	}
	if ((rc = check_schema(db, version, err)) || (rc = wal_mode(db, err)) ||
	    (rc = exec(db, session_sql, "setting pragmas", err)) || (rc = store_new(out, db, version, err)))
		goto fail;
	return KITH_OK;
fail:
	sqlite3_close(db);
	return rc;
}

void kith_store_close(struct kith_store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->row_insert);
	if (sqlite3_get_autocommit(s->db) == 0)
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(s->db);
	if (s->wal_fd >= 0)
		close(s->wal_fd);
	free(s);
}

void kith_store_remove(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[4200];
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		(void)unlink(p);
	}
}

int kith_store_begin(struct kith_store *s, struct kith_err *err)
{
	return exec(s->db, "BEGIN IMMEDIATE", "starting a transaction", err);
}

int kith_store_commit(struct kith_store *s, struct kith_err *err)
{
	return exec(s->db, "COMMIT", "committing", err);
}

void kith_store_rollback(struct kith_store *s)
{
	if (sqlite3_get_autocommit(s->db) == 0)
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int blob_copy(sqlite3_stmt *st, int col, uint8_t *out, size_t len)
{
	if (sqlite3_column_type(st, col) != SQLITE_BLOB || (size_t)sqlite3_column_bytes(st, col) != len)
		return 0;
	memcpy(out, sqlite3_column_blob(st, col), len);
	return 1;
}

int kith_store_header_get(struct kith_store *s, struct kith_store_header *h, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    s->db,
	    "SELECT format, vault_id, kdf, opslimit, memlimit, alg, salt, org_pk FROM header "
	    "WHERE one = 1",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "reading the header", err);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		int r = rc == SQLITE_DONE
			    ? kith_err_set(err, KITH_E_CORRUPT, "header", "the vault header is missing")
			    : db_fail(s->db, rc, "reading the header", err);
		sqlite3_finalize(st);
		return r;
	}
	struct kith_store_header t;
	memset(&t, 0, sizeof t);
	long long format = sqlite3_column_int64(st, 0), kdf = sqlite3_column_int64(st, 2),
		  ops = sqlite3_column_int64(st, 3), mem = sqlite3_column_int64(st, 4),
		  alg = sqlite3_column_int64(st, 5);
	int ok = blob_copy(st, 1, t.vault_id, sizeof t.vault_id) && blob_copy(st, 6, t.salt, sizeof t.salt) &&
		 blob_copy(st, 7, t.org_pk, sizeof t.org_pk) && format >= 0 && format <= 0xffff && kdf >= 0 &&
		 kdf <= 255 && ops >= 0 && mem >= 0 && (unsigned long long)mem <= SIZE_MAX && alg >= 0 &&
		 alg <= 255;
	sqlite3_finalize(st);
	if (!ok)
		return kith_err_set(err, KITH_E_CORRUPT, "header", "the vault header is damaged");
	t.format = (uint32_t)format;
	t.kdf = (int)kdf;
	t.opslimit = (unsigned long long)ops;
	t.memlimit = (size_t)mem;
	t.alg = (int)alg;
	*h = t;
	return KITH_OK;
}

int kith_store_header_put(struct kith_store *s, const struct kith_store_header *h, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    s->db,
	    "INSERT OR REPLACE INTO header (one, format, vault_id, kdf, opslimit, memlimit, alg, "
	    "salt, org_pk) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, h->format);
		sqlite3_bind_blob(st, 2, h->vault_id, sizeof h->vault_id, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, h->kdf);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)h->opslimit);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)h->memlimit);
		sqlite3_bind_int64(st, 6, h->alg);
		sqlite3_bind_blob(st, 7, h->salt, sizeof h->salt, SQLITE_STATIC);
		sqlite3_bind_blob(st, 8, h->org_pk, sizeof h->org_pk, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KITH_OK : db_fail(s->db, rc, "writing the header", err);
}

int kith_store_slot_get(struct kith_store *s, const char *name, uint8_t *nonce, size_t nonce_len,
			uint8_t *box, size_t box_len, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT nonce, box FROM slots WHERE name = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "reading a key slot", err);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	int r;
	if (rc == SQLITE_DONE)
		r = kith_err_set(err, KITH_E_NOTFOUND, "slot", "no %s key slot", name);
	else if (rc != SQLITE_ROW)
		r = db_fail(s->db, rc, "reading a key slot", err);
	else if (!blob_copy(st, 0, nonce, nonce_len) || !blob_copy(st, 1, box, box_len))
		r = kith_err_set(err, KITH_E_CORRUPT, "slot", "the %s key slot is damaged", name);
	else
		r = KITH_OK;
	sqlite3_finalize(st);
	return r;
}

int kith_store_slot_put(struct kith_store *s, const char *name, const uint8_t *nonce, size_t nonce_len,
			const uint8_t *box, size_t box_len, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    s->db, "INSERT OR REPLACE INTO slots (name, nonce, box) VALUES (?1, ?2, ?3)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, nonce, (int)nonce_len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, box, (int)box_len, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KITH_OK : db_fail(s->db, rc, "writing a key slot", err);
}

int kith_store_slots_destroy(struct kith_store *s, struct kith_err *err)
{
	return exec(s->db,
		    "UPDATE slots SET nonce = randomblob(length(nonce)), box = randomblob(length(box));"
		    "UPDATE slots SET nonce = zeroblob(length(nonce)), box = zeroblob(length(box));"
		    "DELETE FROM slots;",
		    "destroying the key slots", err);
}

int kith_store_device_add(struct kith_store *s, const uint8_t sign_pk[KITH_STORE_PK_BYTES],
			  const uint8_t box_pk[KITH_STORE_PK_BYTES], struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO devices (sign_pk, box_pk) VALUES (?1, ?2)",
				    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, sign_pk, KITH_STORE_PK_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, box_pk, KITH_STORE_PK_BYTES, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KITH_OK : db_fail(s->db, rc, "enrolling the device", err);
}

int kith_store_device_put(struct kith_store *s, const uint8_t sign_pk[KITH_STORE_PK_BYTES],
			  const uint8_t box_pk[KITH_STORE_PK_BYTES],
			  const uint8_t auth[KITH_STORE_AUTH_BYTES], struct kith_err *err)
{
	if (!s->dev_auth) {
		int rc = exec(s->db, "ALTER TABLE devices ADD COLUMN auth BLOB",
			      "upgrading the devices table", err);
		if (rc)
			return rc;
		s->dev_auth = 1;
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    s->db, "INSERT OR REPLACE INTO devices (sign_pk, box_pk, auth) VALUES (?1, ?2, ?3)", -1, &st,
	    NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, sign_pk, KITH_STORE_PK_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, box_pk, KITH_STORE_PK_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, auth, KITH_STORE_AUTH_BYTES, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KITH_OK : db_fail(s->db, rc, "enrolling the device", err);
}

int kith_store_devices(struct kith_store *s, struct kith_store_device **out, size_t *n, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc =
	    sqlite3_prepare_v2(s->db,
			       s->dev_auth ? "SELECT sign_pk, box_pk, auth FROM devices ORDER BY sign_pk"
					   : "SELECT sign_pk, box_pk, NULL FROM devices ORDER BY sign_pk",
			       -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "reading the devices", err);
	struct kith_store_device *a = NULL;
	size_t len = 0, cap = 0;
	int r = KITH_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct kith_store_device *na = len < 1u << 20 ? realloc(a, nc * sizeof *a) : NULL;
			if (!na) {
				r = kith_err_set(err, KITH_E_NOMEM, "devices",
						 "out of memory (or too many devices)");
				break;
			}
			a = na;
			cap = nc;
		}
		memset(&a[len], 0, sizeof a[len]);
		if (!blob_copy(st, 0, a[len].sign_pk, KITH_STORE_PK_BYTES) ||
		    !blob_copy(st, 1, a[len].box_pk, KITH_STORE_PK_BYTES)) {
			r = kith_err_set(err, KITH_E_CORRUPT, "devices", "a device key is damaged");
			break;
		}
		/* an auth of another size is as good as none: the device is not enrolled */
		a[len].has_auth = blob_copy(st, 2, a[len].auth, KITH_STORE_AUTH_BYTES);
		len++;
	}
	if (r == KITH_OK && rc != SQLITE_DONE)
		r = db_fail(s->db, rc, "reading the devices", err);
	sqlite3_finalize(st);
	if (r) {
		free(a);
		return r;
	}
	*out = a;
	*n = len;
	return KITH_OK;
}

int kith_store_slots_all(struct kith_store *s, struct kith_store_slot **out, size_t *n, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT nonce, box FROM slots", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "reading the key slots", err);
	struct kith_store_slot *a = NULL;
	size_t len = 0, cap = 0;
	int r = KITH_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct kith_store_slot *na = len < 64 ? realloc(a, nc * sizeof *a) : NULL;
			if (!na) {
				r = kith_err_set(err, KITH_E_NOMEM, "slots",
						 "out of memory (or too many slots)");
				break;
			}
			a = na;
			cap = nc;
		}
		struct kith_store_slot *e = &a[len];
		memset(e, 0, sizeof *e);
		for (int c = 0; c < 2; c++) {
			size_t nb = (size_t)sqlite3_column_bytes(st, c);
			const void *p = sqlite3_column_blob(st, c);
			uint8_t *dst = c == 0 ? e->nonce : e->box;
			size_t *dn = c == 0 ? &e->nonce_len : &e->box_len;
			if (!p || nb > KITH_STORE_SLOT_MAX)
				nb = 0;
			if (nb)
				memcpy(dst, p, nb);
			*dn = nb;
		}
		len++;
	}
	if (r == KITH_OK && rc != SQLITE_DONE)
		r = db_fail(s->db, rc, "reading the key slots", err);
	sqlite3_finalize(st);
	if (r) {
		free(a);
		return r;
	}
	*out = a;
	*n = len;
	return KITH_OK;
}

int kith_store_row_put(struct kith_store *s, const struct kith_store_row *r, struct kith_err *err)
{
	sqlite3_stmt *st = s->row_insert;
	const struct kith_store_blob *b[] = {&r->id,	&r->device, &r->wrap_org, &r->wrap_dev,
					     &r->nonce, &r->ct,	    &r->sig};
	static const int col[] = {1, 3, 4, 5, 6, 7, 8};
	for (int i = 0; i < 7; i++) {
		if (b[i]->n > 0x7fffffff)
			return kith_err_set(err, KITH_E_LIMIT, "row", "a row is too large");
		sqlite3_bind_blob(st, col[i], b[i]->p ? (const void *)b[i]->p : "", (int)b[i]->n,
				  SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 2, r->version);
	if (r->batch.p && !s->v2)
		return kith_err_set(err, KITH_E_INVALID, "row", "a batch row in a format-1 vault");
	if (s->v2 && r->batch.p) {
		sqlite3_bind_blob(st, 9, r->batch.p, (int)r->batch.n, SQLITE_STATIC);
		sqlite3_bind_int64(st, 10, r->i);
	}
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE)
		return KITH_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return kith_err_set(err, KITH_E_EXISTS, "row",
				    "version %lld of this record is already in the vault",
				    (long long)r->version);
	return db_fail(s->db, rc, "writing a row", err);
}

int kith_store_count(struct kith_store *s, size_t *rows, size_t *records, struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc =
	    sqlite3_prepare_v2(s->db, "SELECT count(*), count(DISTINCT id) FROM \"rows\"", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows)
			*rows = (size_t)sqlite3_column_int64(st, 0);
		if (records)
			*records = (size_t)sqlite3_column_int64(st, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? KITH_OK : db_fail(s->db, rc, "counting rows", err);
}

static int cursor_new(struct kith_store *s, const char *sql, struct kith_store_cursor **out,
		      sqlite3_stmt **st, struct kith_err *err)
{
	struct kith_store_cursor *c = calloc(1, sizeof *c);
	if (!c)
		return kith_err_set(err, KITH_E_NOMEM, "rows", "out of memory");
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &c->st, NULL);
	if (rc != SQLITE_OK) {
		free(c);
		return db_fail(s->db, rc, "reading rows", err);
	}
	c->s = s;
	*st = c->st;
	*out = c;
	return KITH_OK;
}

static size_t newest_slot(const struct newest *tab, size_t cap, const uint8_t *id)
{
	uint64_t h;
	memcpy(&h, id, sizeof h);
	size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);
	while (tab[i].used && memcmp(tab[i].id, id, KITH_STORE_ID_BYTES) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

int kith_store_rows_current(struct kith_store *s, const size_t *counts, struct kith_store_cursor **out,
			    struct kith_err *err)
{
	/* Two passes. The primary-key index alone gives the newest version of
	 * each id; then the table is read in storage order (sequential on disk),
	 * and a row that is not the newest of its id is skipped after reading
	 * only its first two columns (its ciphertext pages are never read).
	 * When there are as many rows as ids (no record has two versions: a
	 * vault of imported cases), every row is its id's newest: one pass, no
	 * filter (a row without an id is not counted as an id: two passes). */
	size_t rows = counts ? counts[0] : 0, records = counts ? counts[1] : 0;
	int rc = counts ? KITH_OK : kith_store_count(s, &rows, &records, err);
	if (rc)
		return rc;
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT %s FROM \"rows\"", s->v2 ? row_cols2 : row_cols);
	sqlite3_stmt *st = NULL;
	if (rows == records)
		return cursor_new(s, sql, out, &st, err);
	size_t cap = 16;
	while (cap < records * 2 + 16)
		cap *= 2;
	struct newest *tab = calloc(cap, sizeof *tab);
	if (!tab)
		return kith_err_set(err, KITH_E_NOMEM, "rows", "out of memory");
	rc = sqlite3_prepare_v2(s->db, "SELECT id, max(version) FROM \"rows\" GROUP BY id", -1, &st, NULL);
	size_t seen = 0;
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		if (sqlite3_column_type(st, 0) != SQLITE_BLOB ||
		    sqlite3_column_bytes(st, 0) != KITH_STORE_ID_BYTES || seen * 2 + 16 > cap)
			continue; /* a malformed id: the scan hands it up as it is */
		const uint8_t *id = sqlite3_column_blob(st, 0);
		size_t i = newest_slot(tab, cap, id);
		memcpy(tab[i].id, id, KITH_STORE_ID_BYTES);
		tab[i].version =
		    sqlite3_column_type(st, 1) == SQLITE_INTEGER ? sqlite3_column_int64(st, 1) : -1;
		tab[i].used = 1;
		seen++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(tab);
		return db_fail(s->db, rc, "reading rows", err);
	}
	rc = cursor_new(s, sql, out, &st, err);
	if (rc) {
		free(tab);
		return rc;
	}
	(*out)->tab = tab;
	(*out)->cap = cap;
	return KITH_OK;
}

int kith_store_rows_of(struct kith_store *s, const uint8_t *id, size_t id_len, int64_t below,
		       struct kith_store_cursor **out, struct kith_err *err)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT %s FROM \"rows\" WHERE id = ?1 AND (?2 = 0 OR version < ?2) ORDER BY version",
		 s->v2 ? row_cols2 : row_cols);
	sqlite3_stmt *st = NULL;
	int rc = cursor_new(s, sql, out, &st, err);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, id, (int)id_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, below);
	return KITH_OK;
}

static struct kith_store_blob col_blob(sqlite3_stmt *st, int i)
{
	struct kith_store_blob b = {NULL, 0};
	if (sqlite3_column_type(st, i) == SQLITE_BLOB) {
		b.p = sqlite3_column_blob(st, i);
		b.n = (size_t)sqlite3_column_bytes(st, i);
	}
	return b;
}

int kith_store_cursor_next(struct kith_store_cursor *c, struct kith_store_row *row, struct kith_err *err)
{
	int rc;
	for (;;) {
		rc = sqlite3_step(c->st);
		if (rc == SQLITE_DONE)
			return 0;
		if (rc != SQLITE_ROW)
			return db_fail(c->s->db, rc, "reading rows", err);
		row->id = col_blob(c->st, 0);
		row->version =
		    sqlite3_column_type(c->st, 1) == SQLITE_INTEGER ? sqlite3_column_int64(c->st, 1) : -1;
		if (!c->tab || row->id.n != KITH_STORE_ID_BYTES)
			break;
		struct newest *e = &c->tab[newest_slot(c->tab, c->cap, row->id.p)];
		if (!e->used)
			break;
		if (e->used == 1 && e->version == row->version) {
			e->used = 2; /* handed up: one row per id, whatever the file holds */
			break;	     /* the newest (-1 on both sides: a version that is not a number) */
		}
	}
	row->device = col_blob(c->st, 2);
	row->wrap_org = col_blob(c->st, 3);
	row->wrap_dev = col_blob(c->st, 4);
	row->nonce = col_blob(c->st, 5);
	row->ct = col_blob(c->st, 6);
	row->sig = col_blob(c->st, 7);
	row->batch = (struct kith_store_blob){NULL, 0};
	row->i = -1;
	if (c->s->v2 && sqlite3_column_type(c->st, 8) != SQLITE_NULL) {
		row->batch = col_blob(c->st, 8);
		if (!row->batch.p) /* not a blob: malformed, never a format-1 row */
			row->batch = (struct kith_store_blob){(const uint8_t *)"", 0};
		row->i =
		    sqlite3_column_type(c->st, 9) == SQLITE_INTEGER ? sqlite3_column_int64(c->st, 9) : -1;
	}
	/* a column on overflow pages is read into memory SQLite allocates: on
	 * failure it reads as NULL, which must not pass for a malformed row */
	if (sqlite3_errcode(c->s->db) == SQLITE_NOMEM)
		return kith_err_set(err, KITH_E_NOMEM, "rows", "out of memory");
	return 1;
}

void kith_store_cursor_free(struct kith_store_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	free(c->tab);
	free(c);
}

int kith_store_checkpoint(struct kith_store *s, struct kith_err *err)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "checkpointing the write-ahead log", err);
	return KITH_OK;
}

int kith_store_wal_reset(struct kith_store *s, uint32_t format)
{
	int log = 0, done = 0;
	if (sqlite3_get_autocommit(s->db) == 0 ||
	    sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) != SQLITE_OK ||
	    log < 0 || done < log)
		return 0; /* a reader still needs the log (or none): it stays as it is */
	if (log < 64)
		return 0; /* under 1 MiB of log (16 KiB pages): not worth a transaction */
	char sql[96];
	snprintf(sql, sizeof sql, "BEGIN IMMEDIATE; PRAGMA user_version = %u; COMMIT;", (unsigned)format);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		kith_store_rollback(s);
		return 0;
	}
	return 1;
}

void kith_store_wal_writeback(struct kith_store *s)
{
#ifdef SYNC_FILE_RANGE_WRITE
	if (s->wal_fd < 0) {
		const char *wal = sqlite3_filename_wal(sqlite3_db_filename(s->db, "main"));
		/* a descriptor of the log only: SQLite locks the database file and
		 * the shared-memory file, never the log, so closing this one
		 * releases none of its locks */
		if (!wal || !wal[0] || (s->wal_fd = open(wal, O_RDONLY | O_CLOEXEC)) < 0)
			return;
	}
	(void)sync_file_range(s->wal_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)s;
#endif
}

int kith_store_wal(struct kith_store *s, struct kith_err *err)
{
	return wal_mode(s->db, err);
}

int kith_store_data_version(struct kith_store *s, uint64_t *out, struct kith_err *err)
{
	long long v = 0;
	int rc = pragma_int(s->db, "PRAGMA data_version", &v, err);
	if (!rc)
		*out = (uint64_t)v;
	return rc;
}

void kith_store_busy_timeout(struct kith_store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

/* ------------------------------------------------------------ shredding in place */

static uint32_t rd32(const uint8_t *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void wr32(uint8_t *p, uint32_t v, int be)
{
	for (int i = 0; i < 4; i++)
		p[be ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
}

/* SQLite's WAL frame checksum (walChecksumBytes) of one page from (0, 0).
 * The real checksum chains from the frame before and the frame header, but
 * it is linear: what a change of the page does to it does not depend on them. */
static void wal_cks(const uint8_t *d, size_t n, int be, uint32_t out[2])
{
	uint32_t s1 = 0, s2 = 0;
	for (size_t i = 0; i + 8 <= n; i += 8) {
		s1 += rd32(d + i, be) + s2;
		s2 += rd32(d + i + 4, be) + s1;
	}
	out[0] = s1;
	out[1] = s2;
}

/* After zeroing secrets in a WAL page: sets the 8 bytes at `at` (8-aligned,
 * inside a zeroed span) so that the page's checksum is what it was, so the
 * frame and every frame after it stay valid (no committed frame is lost at
 * the next recovery) and no other byte of the log changes. The two words are
 * the solution of a 2x2 system over Z/2^32 (its determinant is 1). Returns 0,
 * or -1 when it could not (the span is left zero). */
static int wal_compensate(uint8_t *page, size_t n, size_t at, const uint32_t want[2], int be)
{
	uint32_t b[2], u[2], w[2];
	wr32(page + at, 0, be);
	wr32(page + at + 4, 0, be);
	wal_cks(page, n, be, b);
	wr32(page + at, 1, be);
	wal_cks(page, n, be, u);
	wr32(page + at, 0, be);
	wr32(page + at + 4, 1, be);
	wal_cks(page, n, be, w);
	u[0] -= b[0], u[1] -= b[1], w[0] -= b[0], w[1] -= b[1];
	uint32_t r0 = want[0] - b[0], r1 = want[1] - b[1];
	uint32_t det = u[0] * w[1] - w[0] * u[1];
	if ((det & 1) == 0) {
		wr32(page + at + 4, 0, be);
		return -1;
	}
	uint32_t inv = det; /* Newton: each step doubles the correct low bits */
	for (int i = 0; i < 5; i++)
		inv *= 2 - det * inv;
	uint32_t x = inv * (w[1] * r0 - w[0] * r1), y = inv * (u[0] * r1 - u[1] * r0);
	wr32(page + at, x, be);
	wr32(page + at + 4, y, be);
	uint32_t got[2];
	wal_cks(page, n, be, got);
	if (got[0] != want[0] || got[1] != want[1]) {
		wr32(page + at, 0, be);
		wr32(page + at + 4, 0, be);
		return -1;
	}
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return rd32(p, 1);
}

/* Where the pages of the file open as fd lie: the page size, the offset of
 * the first page (frame), a frame's header to skip before its page, and the
 * WAL's byte order. wal: the file is a write-ahead log. A layout this does
 * not know (a damaged header) becomes plain 64 KiB chunks: wal is cleared. */
struct page_layout {
	size_t psz, first, skip;
	int be, wal;
};

static struct page_layout page_layout(int fd, int wal)
{
	uint8_t hdr[100];
	ssize_t got = pread(fd, hdr, sizeof hdr, 0);
	struct page_layout l = {.psz = 4096, .be = 1, .wal = wal};
	if (wal && got >= 32) {
		uint32_t magic = be32(hdr);
		l.psz = be32(hdr + 8);
		l.be = (magic & 1) != 0;
		if ((magic & ~1u) != 0x377f0682u)
			l.psz = 0;
		l.first = 32;
		l.skip = 24;
	} else if (!wal && got >= 100 && memcmp(hdr, "SQLite format 3", 16) == 0) {
		l.psz = (size_t)hdr[16] << 8 | hdr[17];
		if (l.psz == 1)
			l.psz = 65536;
	}
	if (l.psz < 512 || l.psz > 65536 || (l.psz & (l.psz - 1))) {
		/* not a page layout this knows: plain chunks (that shred overlaps by a slot) */
		l = (struct page_layout){.psz = 65536, .be = 1};
	}
	return l;
}

/* Zeroes every occurrence of the needles in one file, page by page (a key
 * slot's cell never spans pages). wal: the file is a write-ahead log (frames
 * of 24 + page bytes after a 32-byte header; checksums kept valid). */
int kith_store_pragma(struct kith_store *s, const char *name, long long *value, struct kith_err *err)
{
	size_t n = strlen(name);
	if (n == 0 || n > 40 || strspn(name, "abcdefghijklmnopqrstuvwxyz_") != n)
		return kith_err_set(err, KITH_E_INVALID, "pragma", "not a pragma name");
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA %s", name);
	return pragma_int(s->db, sql, value, err);
}

/* blob.h: the connection, for the blobs table. */
sqlite3 *kith_store_sqlite(struct kith_store *s)
{
	return s ? s->db : NULL;
}

/* One file of kith_store_scrub: shred_file's walk with fn deciding what to
 * zero in each page. */
static int scrub_file(const char *path, int wal, kith_store_scrub_fn fn, void *arg, size_t *found,
		      struct kith_err *err)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return KITH_OK;
		return kith_err_set(err, KITH_E_IO, "vault", "cannot open the vault to overwrite: %s",
				    strerror(errno));
	}
	const struct page_layout l = page_layout(fd, wal);
	const size_t psz = l.psz, first = l.first, skip = l.skip, stride = skip + psz;
	const int be = l.be;
	wal = l.wal;
	uint8_t *frame = malloc(stride), *orig = malloc(psz);
	if (!frame || !orig) {
		free(frame);
		free(orig);
		close(fd);
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	}
	int rc = KITH_OK, dirty_file = 0;
	for (off_t pos = (off_t)first;; pos += (off_t)stride) {
		ssize_t n = pread(fd, frame, stride, pos);
		if (n < 0) {
			rc = kith_err_set(err, KITH_E_IO, "vault", "reading the vault: %s", strerror(errno));
			break;
		}
		if ((size_t)n <= skip)
			break;
		uint8_t *page = frame + skip;
		size_t plen = (size_t)n - skip, comp = SIZE_MAX;
		memcpy(orig, page, plen);
		size_t z = fn(page, plen, &comp, arg);
		if (z) {
			*found += z;
			if (wal && plen == psz && comp != SIZE_MAX && comp % 8 == 0 && comp + 8 <= plen) {
				uint32_t want[2];
				wal_cks(orig, psz, be, want);
				(void)wal_compensate(page, psz, comp, want, be);
			}
			if (pwrite(fd, page, plen, pos + (off_t)skip) != (ssize_t)plen) {
				rc =
				    kith_err_set(err, KITH_E_IO, "vault", "overwriting: %s", strerror(errno));
				break;
			}
			dirty_file = 1;
		}
		if ((size_t)n < stride)
			break;
	}
	/* (ciphertext of key slots: not secret, but no copy is left in freed memory either) */
	sodium_memzero(orig, psz);
	sodium_memzero(frame, stride);
	free(frame);
	free(orig);
	if (!rc && dirty_file && fdatasync(fd) != 0)
		rc = kith_err_set(err, KITH_E_IO, "vault", "syncing the vault: %s", strerror(errno));
	close(fd);
	return rc;
}

int kith_store_scrub(const char *path, kith_store_scrub_fn fn, void *arg, size_t *found, struct kith_err *err)
{
	char side[4200];
	if (!path || strlen(path) > 4096)
		return kith_err_set(err, KITH_E_INVALID, "vault", "the path is too long");
	size_t total = 0;
	snprintf(side, sizeof side, "%s-wal", path);
	for (int pass = 0; pass < 4; pass++) {
		size_t hits = 0;
		int rc = scrub_file(path, 0, fn, arg, &hits, err);
		if (!rc)
			rc = scrub_file(side, 1, fn, arg, &hits, err);
		if (rc)
			return rc;
		total += hits;
		if (hits == 0)
			break;
	}
	if (found)
		*found = total;
	return KITH_OK;
}

/* kith_store_shred's pass over one page: every needle found is zeroed; the
 * first 8-aligned word inside a zeroed run is where the WAL checksum may be
 * compensated. */
struct needles {
	const struct kith_store_blob *p;
	size_t n;
};

static size_t needles_zero(uint8_t *page, size_t plen, size_t *comp, void *arg)
{
	const struct needles *nd = arg;
	size_t hits = 0;
	for (size_t k = 0; k < nd->n; k++) {
		const struct kith_store_blob *b = &nd->p[k];
		if (b->n < 16 || b->n > plen)
			continue;
		for (size_t at = 0; at + b->n <= plen;) {
			uint8_t *m = memmem(page + at, plen - at, b->p, b->n);
			if (!m)
				break;
			size_t o = (size_t)(m - page);
			memset(m, 0, b->n);
			hits++;
			size_t al = (o + 7) & ~(size_t)7;
			if (*comp == SIZE_MAX && al + 8 <= o + b->n)
				*comp = al;
			at = o + b->n;
		}
	}
	return hits;
}

int kith_store_shred(const char *path, const struct kith_store_blob *needles, size_t n, size_t *found,
		     struct kith_err *err)
{
	struct needles nd = {needles, n};
	return kith_store_scrub(path, needles_zero, &nd, found, err);
}

/* ------------------------------------------------------------ format 2: batches and anchors */

int kith_store_format(const struct kith_store *s)
{
	return s->v2 ? 2 : 1;
}

int kith_store_batch_put(struct kith_store *s, const struct kith_store_batch *b, struct kith_err *err)
{
	if (!s->v2)
		return kith_err_set(err, KITH_E_INVALID, "batch", "a batch in a format-1 vault");
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "INSERT INTO batches (batch_id, device, seq, manifest, sig_dev, sig_per) "
				    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "writing a batch", err);
	if (b->manifest.n > 0x7fffffff) {
		sqlite3_finalize(st);
		return kith_err_set(err, KITH_E_LIMIT, "batch", "a batch is too large");
	}
	sqlite3_bind_blob(st, 1, b->batch_id.p, (int)b->batch_id.n, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, b->device.p, (int)b->device.n, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, b->seq);
	sqlite3_bind_blob(st, 4, b->manifest.p, (int)b->manifest.n, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, b->sig_dev.p ? (const void *)b->sig_dev.p : "", (int)b->sig_dev.n,
			  SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, b->sig_per.p ? (const void *)b->sig_per.p : "", (int)b->sig_per.n,
			  SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return KITH_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return kith_err_set(err, KITH_E_EXISTS, "batch", "this batch is already in the vault");
	return db_fail(s->db, rc, "writing a batch", err);
}

int kith_store_batches_each(struct kith_store *s, int (*fn)(void *arg, const struct kith_store_batch *b),
			    void *arg, struct kith_err *err)
{
	if (!s->v2)
		return KITH_OK;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    s->db, "SELECT batch_id, device, seq, manifest, sig_dev, sig_per FROM batches", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "reading the batches", err);
	int r = KITH_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kith_store_batch b = {
		    .batch_id = col_blob(st, 0),
		    .device = col_blob(st, 1),
		    .seq = sqlite3_column_type(st, 2) == SQLITE_INTEGER ? sqlite3_column_int64(st, 2) : -1,
		    .manifest = col_blob(st, 3),
		    .sig_dev = col_blob(st, 4),
		    .sig_per = col_blob(st, 5),
		};
		if (sqlite3_errcode(s->db) == SQLITE_NOMEM) {
			r = kith_err_set(err, KITH_E_NOMEM, "batches", "out of memory");
			break;
		}
		if ((r = fn(arg, &b)) != KITH_OK)
			break;
	}
	if (r == KITH_OK && rc != SQLITE_DONE)
		r = db_fail(s->db, rc, "reading the batches", err);
	sqlite3_finalize(st);
	return r;
}

int kith_store_batch_rows_each(struct kith_store *s,
			       int (*fn)(void *arg, const struct kith_store_blob *batch, int64_t i),
			       void *arg, struct kith_err *err)
{
	if (!s->v2)
		return KITH_OK;
	sqlite3_stmt *st = NULL;
	/* the index rows_batch covers it: no row's ciphertext is read */
	int rc =
	    sqlite3_prepare_v2(s->db, "SELECT batch, i FROM \"rows\" WHERE batch IS NOT NULL", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "reading the rows' batches", err);
	int r = KITH_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kith_store_blob b = col_blob(st, 0);
		int64_t i = sqlite3_column_type(st, 1) == SQLITE_INTEGER ? sqlite3_column_int64(st, 1) : -1;
		if ((r = fn(arg, &b, i)) != KITH_OK)
			break;
	}
	if (r == KITH_OK && rc != SQLITE_DONE)
		r = db_fail(s->db, rc, "reading the rows' batches", err);
	sqlite3_finalize(st);
	return r;
}

int kith_store_anchor_get(struct kith_store *s, const uint8_t device[KITH_STORE_PK_BYTES], int64_t *seq,
			  uint8_t mh[32], uint8_t mac[32], struct kith_err *err)
{
	if (!s->v2)
		return kith_err_set(err, KITH_E_NOTFOUND, "anchor", "no anchor");
	sqlite3_stmt *st = NULL;
	int rc =
	    sqlite3_prepare_v2(s->db, "SELECT seq, mh, mac FROM anchors WHERE device = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "reading the anchors", err);
	sqlite3_bind_blob(st, 1, device, KITH_STORE_PK_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	int r;
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_type(st, 0) == SQLITE_INTEGER ? sqlite3_column_int64(st, 0) : -1;
		r = blob_copy(st, 1, mh, 32) && blob_copy(st, 2, mac, 32)
			? KITH_OK
			: kith_err_set(err, KITH_E_CORRUPT, "anchor", "a malformed anchor");
	} else if (rc == SQLITE_DONE) {
		r = kith_err_set(err, KITH_E_NOTFOUND, "anchor", "no anchor");
	} else {
		r = db_fail(s->db, rc, "reading the anchors", err);
	}
	sqlite3_finalize(st);
	return r;
}

int kith_store_anchor_put(struct kith_store *s, const uint8_t device[KITH_STORE_PK_BYTES], int64_t seq,
			  const uint8_t mh[32], const uint8_t mac[32], struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "INSERT OR REPLACE INTO anchors (device, seq, mh, mac) "
				    "VALUES (?1, ?2, ?3, ?4)",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "writing the anchor", err);
	sqlite3_bind_blob(st, 1, device, KITH_STORE_PK_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_blob(st, 3, mh, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, mac, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? KITH_OK : db_fail(s->db, rc, "writing the anchor", err);
}

int kith_store_row_delete(struct kith_store *s, const uint8_t *id, size_t id_len, int64_t version,
			  struct kith_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc =
	    sqlite3_prepare_v2(s->db, "DELETE FROM \"rows\" WHERE id = ?1 AND version = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "deleting a row", err);
	sqlite3_bind_blob(st, 1, id, (int)id_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? KITH_OK : db_fail(s->db, rc, "deleting a row", err);
}

int kith_store_copy_format2(struct kith_store *s, const char *dst, struct kith_err *err)
{
	if (path_exists(dst))
		return kith_err_set(err, KITH_E_EXISTS, "upgrade", "%s already exists", dst);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "VACUUM INTO ?1", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, dst, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		int r = db_fail(s->db, rc, "copying the vault", err);
		kith_store_remove(dst);
		return r;
	}
	(void)chmod(dst, 0600);
	sqlite3 *db = NULL;
	if ((rc = connect(&db, dst, err)))
		goto fail;
	char sql[2048];
	snprintf(sql, sizeof sql,
		 "BEGIN IMMEDIATE; %s PRAGMA user_version = 2; UPDATE header SET format = 2; COMMIT;",
		 schema2_sql);
	if ((rc = exec(db, sql, "converting the copy", err)))
		goto fail;
	sqlite3_close(db);
	return KITH_OK;
fail:
	sqlite3_close(db);
	kith_store_remove(dst);
	return rc;
}

int kith_store_checkpoint_full(struct kith_store *s, struct kith_err *err)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_FULL, &log, &done);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "checkpointing the write-ahead log", err);
	if (log != done)
		return kith_err_set(err, KITH_E_DB, "vault",
				    "another process is using the vault: close it first");
	return KITH_OK;
}

int kith_store_settle(const char *path, struct kith_err *err)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int st = db_fail(db, rc, "cannot open the vault", err);
		sqlite3_close(db);
		return st;
	}
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
	sqlite3_stmt *st = NULL;
	int ok = 0;
	rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = DELETE", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *m = sqlite3_column_text(st, 0);
		ok = m && strcmp((const char *)m, "delete") == 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	int r = rc != SQLITE_OK ? db_fail(db, rc, "setting the journal mode", err)
		: !ok		? kith_err_set(err, KITH_E_DB, "vault", "another process is using the file")
				: KITH_OK;
	sqlite3_close(db);
	if (!r) {
		char side[4096];
		snprintf(side, sizeof side, "%s-wal", path);
		(void)unlink(side);
		snprintf(side, sizeof side, "%s-shm", path);
		(void)unlink(side);
	}
	return r;
}
