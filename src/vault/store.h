/*
 * store — the SQLite file of a vault: schema, pragmas, and the rows, slots,
 * devices and header tables (docs/vault-format.md). The store knows nothing of
 * keys or plaintext: every value it reads or writes is a random id, a number,
 * a public key, a key wrap, a signature or ciphertext.
 *
 * A store is one sqlite3 connection opened with
 *   PRAGMA application_id = KITH_STORE_APPLICATION_ID, user_version = format,
 *   journal_mode = WAL, synchronous = FULL, secure_delete = ON,
 *   temp_store = MEMORY, cell_size_check = ON, a busy timeout,
 *   SQLITE_DBCONFIG_DEFENSIVE on and SQLITE_DBCONFIG_TRUSTED_SCHEMA off;
 * a file with triggers or views is refused (a hostile file could hide code in
 * them).
 *
 * Ownership: a struct kith_store owns its connection and prepared statements;
 * a cursor borrows its store (free the cursor first) and hands out rows whose
 * blobs are borrowed until the next kith_store_cursor_next or _free. Blobs
 * passed in are borrowed. Not thread-safe: one thread per store.
 */
#ifndef KITH_CORE_STORE_H
#define KITH_CORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define KITH_STORE_APPLICATION_ID 0x6B697468 /* "kith" */
#define KITH_STORE_FORMAT 2		     /* the newest format this kith reads and writes */
#define KITH_STORE_ID_BYTES 16
#define KITH_STORE_SALT_BYTES 16
#define KITH_STORE_PK_BYTES 32
#define KITH_STORE_AUTH_BYTES 64   /* an enrolment signature */
#define KITH_STORE_SLOT_MAX 256	   /* largest nonce or box a slot may hold */
#define KITH_STORE_BUSY_MS 10000   /* how long a statement waits for another connection's lock */
#define KITH_STORE_PAGE_SIZE 16384 /* bytes per page of a new vault file (store.c says why) */

struct kith_store;
struct kith_store_cursor;

/* The one row of the header table. */
struct kith_store_header {
	uint32_t format; /* 1 or 2 (KITH_STORE_FORMAT) */
	uint8_t vault_id[KITH_STORE_ID_BYTES];
	int kdf; /* enum kith_kdf */
	unsigned long long opslimit;
	size_t memlimit;
	int alg;
	uint8_t salt[KITH_STORE_SALT_BYTES];
	uint8_t org_pk[KITH_STORE_PK_BYTES];
};

struct kith_store_blob {
	const uint8_t *p;
	size_t n;
};

/* A row of the rows table. version is as stored (the caller checks its range). */
struct kith_store_row {
	struct kith_store_blob id, device, wrap_org, wrap_dev, nonce, ct, sig;
	int64_t version;
	/* format 2: the batch (16 bytes) a row was written in and its index; batch.p
	 * NULL for a format-1 row (wrap_org, wrap_dev and sig are then empty) */
	struct kith_store_blob batch;
	int64_t i;
};

/* A row of the batches table (format 2): blobs as stored (the caller checks sizes). */
struct kith_store_batch {
	struct kith_store_blob batch_id, device, manifest, sig_dev, sig_per;
	int64_t seq;
};

struct kith_store_device {
	uint8_t sign_pk[KITH_STORE_PK_BYTES];
	uint8_t box_pk[KITH_STORE_PK_BYTES];
	uint8_t auth[KITH_STORE_AUTH_BYTES]; /* the organization's enrolment signature */
	int has_auth;			     /* 0: none, or not 64 bytes */
};

/* A key slot's bytes as stored (for kith_store_shred). */
struct kith_store_slot {
	uint8_t nonce[KITH_STORE_SLOT_MAX], box[KITH_STORE_SLOT_MAX];
	size_t nonce_len, box_len;
};

/*
 * Creates a new vault file at `path` (mode 0600) with the schema, the
 * application id and the format, with its journal in memory (no -wal, no
 * -journal file) until kith_store_wal; the tables are empty. *out is set
 * only on success. KITH_OK, KITH_E_EXISTS (the file, or a leftover -wal/-shm
 * of one, exists), KITH_E_IO, KITH_E_DB, KITH_E_NOMEM. On failure nothing is
 * left at path.
 */
int kith_store_create(struct kith_store **out, const char *path, struct kith_err *err) KITH_WUR;

/*
 * Opens an existing vault file. Nothing is written to the file. KITH_OK,
 * KITH_E_NOTFOUND, KITH_E_NOTVAULT (not SQLite; SQLite without kith's
 * application id; a format newer than KITH_STORE_FORMAT), KITH_E_CORRUPT
 * (kith's id but a damaged or foreign schema), KITH_E_IO, KITH_E_DB,
 * KITH_E_NOMEM. *out is set only on success.
 */
int kith_store_open(struct kith_store **out, const char *path, struct kith_err *err) KITH_WUR;

/* The same, holding the file exclusively from the first read (SQLite keeps
 * the WAL index in this process's memory): opens a vault whose -shm cannot
 * be created or grown (a full disk), as long as no other process has it
 * open (else KITH_E_DB, busy). */
int kith_store_open_exclusive(struct kith_store **out, const char *path, struct kith_err *err) KITH_WUR;

/* Closes (rolls back an open transaction). NULL allowed. */
void kith_store_close(struct kith_store *s);

/* The same with the format's schema: 1, or 2 (the batches and anchors tables,
 * rows with their batch). */
int kith_store_create_format(struct kith_store **out, const char *path, uint32_t format,
			     struct kith_err *err) KITH_WUR;

/* Removes a vault file and its -wal and -shm (after a failed create). */
void kith_store_remove(const char *path);

/* Transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK). begin and commit:
 * KITH_OK, KITH_E_DB, KITH_E_IO. rollback is always safe to call. */
int kith_store_begin(struct kith_store *s, struct kith_err *err) KITH_WUR;
int kith_store_commit(struct kith_store *s, struct kith_err *err) KITH_WUR;
void kith_store_rollback(struct kith_store *s);

/* Header. get: KITH_OK, KITH_E_CORRUPT (missing, or fields of a wrong size or
 * range), KITH_E_DB. put replaces it: KITH_OK, KITH_E_DB. */
int kith_store_header_get(struct kith_store *s, struct kith_store_header *h, struct kith_err *err) KITH_WUR;
int kith_store_header_put(struct kith_store *s, const struct kith_store_header *h,
			  struct kith_err *err) KITH_WUR;

/* Key slots by name ("main", "duress"). get copies exactly nonce_len and
 * box_len bytes: KITH_OK, KITH_E_NOTFOUND (no such slot), KITH_E_CORRUPT
 * (other sizes), KITH_E_DB. put inserts or replaces: KITH_OK, KITH_E_DB. */
int kith_store_slot_get(struct kith_store *s, const char *name, uint8_t *nonce, size_t nonce_len,
			uint8_t *box, size_t box_len, struct kith_err *err) KITH_WUR;
int kith_store_slot_put(struct kith_store *s, const char *name, const uint8_t *nonce, size_t nonce_len,
			const uint8_t *box, size_t box_len, struct kith_err *err) KITH_WUR;

/* Overwrites every slot with random bytes, then deletes it (secure_delete
 * zeroes the freed space). Call inside a transaction, then checkpoint.
 * KITH_OK, KITH_E_DB. */
int kith_store_slots_destroy(struct kith_store *s, struct kith_err *err) KITH_WUR;

/* Enrolls a device without a signature (ignored when already there): a
 * device only its own key bundle vouches for (after duress). KITH_OK, KITH_E_DB. */
int kith_store_device_add(struct kith_store *s, const uint8_t sign_pk[KITH_STORE_PK_BYTES],
			  const uint8_t box_pk[KITH_STORE_PK_BYTES], struct kith_err *err) KITH_WUR;

/* Enrolls a device with its enrolment signature, or replaces the one it had
 * (an older file gets the auth column first). KITH_OK, KITH_E_DB. */
int kith_store_device_put(struct kith_store *s, const uint8_t sign_pk[KITH_STORE_PK_BYTES],
			  const uint8_t box_pk[KITH_STORE_PK_BYTES],
			  const uint8_t auth[KITH_STORE_AUTH_BYTES], struct kith_err *err) KITH_WUR;

/* Every device row, sorted by signing key, with its enrolment signature when
 * it has one (the caller verifies it): *out is malloc'd (free()), *n set.
 * KITH_OK, KITH_E_CORRUPT (a key of a wrong size), KITH_E_DB, KITH_E_NOMEM. */
int kith_store_devices(struct kith_store *s, struct kith_store_device **out, size_t *n,
		       struct kith_err *err) KITH_WUR;

/* Inserts a row. KITH_OK, KITH_E_EXISTS (that id and version are already
 * there), KITH_E_DB, KITH_E_IO. */
int kith_store_row_put(struct kith_store *s, const struct kith_store_row *r, struct kith_err *err) KITH_WUR;

/* Counts rows (record versions) and distinct record ids. */
int kith_store_count(struct kith_store *s, size_t *rows, size_t *records, struct kith_err *err) KITH_WUR;

/* Cursors: the newest version of every record (in storage order; a version
 * column that is not an integer is handed up as -1 for the caller to refuse),
 * or every version
 * of one record (oldest first, below `below` when nonzero). next returns 1 with
 * *row set, 0 at the end, or a negative status (KITH_E_CORRUPT, KITH_E_DB).
 * counts (optional): kith_store_count's rows and records, when the caller has
 * just counted them (else they are counted here). */
int kith_store_rows_current(struct kith_store *s, const size_t *counts, struct kith_store_cursor **out,
			    struct kith_err *err) KITH_WUR;
int kith_store_rows_of(struct kith_store *s, const uint8_t *id, size_t id_len, int64_t below,
		       struct kith_store_cursor **out, struct kith_err *err) KITH_WUR;
int kith_store_cursor_next(struct kith_store_cursor *c, struct kith_store_row *row,
			   struct kith_err *err) KITH_WUR;
void kith_store_cursor_free(struct kith_store_cursor *c);

/* Reads an integer pragma of this connection ("secure_delete", "synchronous",
 * "application_id", ...; name: lower-case letters and '_' only), for checks
 * and diagnostics. KITH_OK, KITH_E_INVALID (bad name), KITH_E_DB. */
int kith_store_pragma(struct kith_store *s, const char *name, long long *value,
		      struct kith_err *err) KITH_WUR;

/* Copies what it can of the WAL into the file (a passive checkpoint: it never
 * waits for readers). The WAL file is never truncated or deleted (by kith or,
 * with SQLITE_FCNTL_PERSIST_WAL, by SQLite): its old frames stay where
 * kith_store_shred overwrites them in place. KITH_OK, KITH_E_DB. */
int kith_store_checkpoint(struct kith_store *s, struct kith_err *err) KITH_WUR;

/* After a large commit: when a passive checkpoint copied the whole log into
 * the file (no reader holds an older snapshot), one small transaction that
 * rewrites the format number (the same value) starts the log over. The next
 * opener then reads a log of one frame instead of the whole one (SQLite
 * re-reads and checksums every frame of a log it finds on opening), and its
 * reads go to the file. The log is neither truncated nor deleted: its old
 * frames, now stale, stay where kith_store_shred reaches them. 1 when the log
 * was started over, 0 when not (nothing to do, a reader, or a failure: the
 * file is as it was either way). Outside a transaction. */
int kith_store_wal_reset(struct kith_store *s, uint32_t format);

/* Asks the kernel to start writing the log's dirty pages to disk, without
 * waiting: a large transaction's log then reaches the disk while rows are
 * still being added, and the commit's sync has little left to wait for.
 * Durability is the commit's sync as before; this changes only when the
 * bytes go. Does nothing where the system has no sync_file_range. Any
 * thread holding the store (the transaction's writer). */
void kith_store_wal_writeback(struct kith_store *s);

/* Switches a file made by kith_store_create to WAL mode, after its first
 * transaction (the key slots) went straight into the file. KITH_OK, KITH_E_DB. */
int kith_store_wal(struct kith_store *s, struct kith_err *err) KITH_WUR;

/* Every key slot's bytes (nonce and box, any size up to KITH_STORE_SLOT_MAX).
 * *out malloc'd (free()). KITH_OK, KITH_E_DB, KITH_E_NOMEM. */
int kith_store_slots_all(struct kith_store *s, struct kith_store_slot **out, size_t *n,
			 struct kith_err *err) KITH_WUR;

/* PRAGMA data_version: changes when another connection commits. KITH_OK, KITH_E_DB. */
int kith_store_data_version(struct kith_store *s, uint64_t *out, struct kith_err *err) KITH_WUR;

/* Sets how long a statement waits for another connection's lock. */
void kith_store_busy_timeout(struct kith_store *s, int ms);

/*
 * Overwrites with zeros, in place, every occurrence of each needle (16 bytes
 * or more: a slot's nonce or box) in the vault file at `path` and in its
 * -wal, page by page; in the WAL, two words inside the zeroed span are set so
 * that the frame's checksum is unchanged (no committed frame becomes invalid).
 * No SQLite lock is taken and no byte is allocated: it works while other
 * processes read or write the file and on a full file system (on a
 * copy-on-write file system or flash, the old blocks may survive below the
 * file: docs/threat-model.md). Repeats until a pass finds nothing; fdatasync.
 * *found (may be NULL) counts the overwrites. KITH_OK, KITH_E_IO, KITH_E_NOMEM.
 */
int kith_store_shred(const char *path, const struct kith_store_blob *needles, size_t n, size_t *found,
		     struct kith_err *err) KITH_WUR;

/*
 * The walk of kith_store_shred with the caller deciding what to overwrite:
 * fn(page, n, &comp, arg) sees each page of the vault file at `path` and of
 * its -wal (in the WAL, a frame's page), zeroes in place what it must and
 * returns how many bytes it zeroed (0: the page is left as it was); when it
 * zeroed, it sets comp to an 8-aligned offset of 8 zeroed bytes, where the
 * WAL frame's checksum is made whole again. Passes until one zeroes nothing;
 * fdatasync. *found (may be NULL) counts the bytes. KITH_OK, KITH_E_IO,
 * KITH_E_NOMEM. The same limits as kith_store_shred (no lock; the blocks
 * below a copy-on-write file system may survive).
 */
typedef size_t (*kith_store_scrub_fn)(uint8_t *page, size_t n, size_t *comp, void *arg);
int kith_store_scrub(const char *path, kith_store_scrub_fn fn, void *arg, size_t *found,
		     struct kith_err *err) KITH_WUR;

/* ------------------------------------------------------------ format 2 */

/* 1 or 2: the layout of the file (a format-2 file may hold format-1 rows). */
int kith_store_format(const struct kith_store *s);

/* Inserts a batch manifest. KITH_OK, KITH_E_EXISTS, KITH_E_INVALID (format 1), KITH_E_DB. */
int kith_store_batch_put(struct kith_store *s, const struct kith_store_batch *b,
			 struct kith_err *err) KITH_WUR;

/* Calls fn for every batch (blobs borrowed for the call); a nonzero return
 * stops and is returned. Nothing in a format-1 file. */
int kith_store_batches_each(struct kith_store *s, int (*fn)(void *arg, const struct kith_store_batch *b),
			    void *arg, struct kith_err *err) KITH_WUR;

/* Calls fn with (batch, i) of every row written in a batch (from the index:
 * no ciphertext is read). */
int kith_store_batch_rows_each(struct kith_store *s,
			       int (*fn)(void *arg, const struct kith_store_blob *batch, int64_t i),
			       void *arg, struct kith_err *err) KITH_WUR;

/* A device's rollback anchor: KITH_OK, KITH_E_NOTFOUND, KITH_E_CORRUPT, KITH_E_DB. */
int kith_store_anchor_get(struct kith_store *s, const uint8_t device[KITH_STORE_PK_BYTES], int64_t *seq,
			  uint8_t mh[32], uint8_t mac[32], struct kith_err *err) KITH_WUR;
int kith_store_anchor_put(struct kith_store *s, const uint8_t device[KITH_STORE_PK_BYTES], int64_t seq,
			  const uint8_t mh[32], const uint8_t mac[32], struct kith_err *err) KITH_WUR;

/* Deletes one row (kith upgrade, replacing a format-1 row by its re-sealed one). */
int kith_store_row_delete(struct kith_store *s, const uint8_t *id, size_t id_len, int64_t version,
			  struct kith_err *err) KITH_WUR;

/* Writes a consistent copy of the vault to dst (VACUUM INTO: every table,
 * slot and attachment chunk) and converts the copy to the format-2 layout
 * (its rows stay format-1 rows). dst must not exist; on failure nothing is
 * left there. KITH_OK, KITH_E_EXISTS, KITH_E_IO, KITH_E_DB. */
int kith_store_copy_format2(struct kith_store *s, const char *dst, struct kith_err *err) KITH_WUR;

/* A full checkpoint: every frame of the -wal is in the file afterwards (the
 * log is kept). KITH_E_DB when another process holds a snapshot. */
int kith_store_checkpoint_full(struct kith_store *s, struct kith_err *err) KITH_WUR;

/* Leaves the closed vault at path as one file: its log checkpointed and
 * removed (journal mode DELETE; the next kith_store_open returns it to
 * WAL). For kith upgrade's new file, before it is renamed into place. */
int kith_store_settle(const char *path, struct kith_err *err) KITH_WUR;

#endif
