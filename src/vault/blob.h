/*
 * blob — the bytes of an attachment (casework/attach.h) in a vault: a stream
 * of chunks encrypted with libsodium's crypto_secretstream_xchacha20poly1305
 * under a fresh key per attachment version, stored in the vault file's
 * `blobs` table (docs/vault-format.md "Attachments").
 *
 * The blob's key never reaches the file by itself: the caller puts it (with
 * the blob id and the stream header, kith_blob_ref_hex) into the body of a
 * record of kind "attachment", so it is sealed to the organization and to the
 * writing device and signed like every record version. Panic, duress,
 * recover and field mode therefore hold for attachments as for records.
 *
 * Writing streams: kith_blob_writer_add encrypts whole chunks as they fill
 * (KITH_BLOB_CHUNK bytes of plaintext; the last is padded with zeros to a
 * full chunk, so the file shows a size to 64 KiB) into a spool file that is
 * unlinked as soon as it is made (only ciphertext, and nothing left after a
 * kill). kith_blob_writer_commit, given to kith_vault_batch_hook, copies the
 * chunks into the blobs table inside the batch's one transaction (creating
 * the table when missing): the record and its chunks land together or not at
 * all. At most one chunk of plaintext is held in memory, in guarded memory
 * that is wiped.
 *
 * Ownership: writers and readers are caller-owned (the _free functions wipe
 * them); a reader's chunk is borrowed until its next call. Stores are
 * borrowed. Not thread-safe: one thread per object, and the store's rules.
 */
#ifndef KITH_VAULT_BLOB_H
#define KITH_VAULT_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define KITH_BLOB_CHUNK 65536u /* plaintext bytes per chunk */
#define KITH_BLOB_ID_BYTES 16
#define KITH_BLOB_KEY_BYTES 32			   /* crypto_secretstream_xchacha20poly1305_KEYBYTES */
#define KITH_BLOB_HEADER_BYTES 24		   /* crypto_secretstream_xchacha20poly1305_HEADERBYTES */
#define KITH_BLOB_ID_HEX 33			   /* 32 hex digits + NUL */
#define KITH_BLOB_KEY_HEX 113			   /* key and header, 112 hex digits + NUL */
#define KITH_BLOB_CT_BYTES (KITH_BLOB_CHUNK + 17u) /* a stored chunk: + ABYTES */

struct kith_store;
struct kith_vault;
struct kith_vault_batch;
struct sqlite3;

/* ------------------------------------------------------------ writing */

struct kith_blob_writer;

/*
 * A new blob: a random id and a fresh key. The spool file is made in `dir`
 * (O_TMPFILE, else a random name unlinked at once). `max` caps the plaintext
 * size (0: no cap). KITH_OK, KITH_E_IO (the spool cannot be made),
 * KITH_E_NOMEM, KITH_E_CRYPTO. *out is set only on success.
 */
int kith_blob_writer_new(struct kith_blob_writer **out, const char *dir, uint64_t max,
			 struct kith_err *err) KITH_WUR;

/* Adds p[0..n) to the stream. KITH_OK; KITH_E_LIMIT (more than max bytes:
 * the writer is spent), KITH_E_IO (the spool), KITH_E_CRYPTO. */
int kith_blob_writer_add(struct kith_blob_writer *w, const void *p, size_t n, struct kith_err *err) KITH_WUR;

/* Ends the stream (the last chunk, padded, tagged final). KITH_OK,
 * KITH_E_IO, KITH_E_CRYPTO, KITH_E_INVALID (already finished or spent). */
int kith_blob_writer_finish(struct kith_blob_writer *w, struct kith_err *err) KITH_WUR;

/* Plaintext bytes added so far. */
uint64_t kith_blob_writer_size(const struct kith_blob_writer *w);

/* The blob id as hex, and its key and stream header as hex (a secret: wipe
 * the buffer). Valid once finished. */
void kith_blob_writer_id_hex(const struct kith_blob_writer *w, char hex[KITH_BLOB_ID_HEX]);
void kith_blob_writer_key_hex(const struct kith_blob_writer *w, char hex[KITH_BLOB_KEY_HEX]);

/*
 * The batch hook (kith_vault_batch_hook(b, kith_blob_writer_commit, w)):
 * inside the batch's transaction, creates the blobs table when missing and
 * inserts every chunk of the finished writer `arg`. KITH_OK, KITH_E_INVALID
 * (not finished), KITH_E_IO (reading the spool), KITH_E_DB.
 */
int kith_blob_writer_commit(struct kith_store *s, void *arg, struct kith_err *err) KITH_WUR;

/* Wipes and frees (the spool goes with it). NULL allowed. */
void kith_blob_writer_free(struct kith_blob_writer *w);

/* ------------------------------------------------------------ reading */

struct kith_blob_reader;

/*
 * Opens the blob `id_hex` of `size` plaintext bytes with key_hex (as
 * kith_blob_writer_key_hex gave it). KITH_OK, KITH_E_CORRUPT (malformed id
 * or key, or a bad stream header), KITH_E_NOMEM.
 */
int kith_blob_reader_new(struct kith_blob_reader **out, const char *id_hex, const char *key_hex,
			 uint64_t size, struct kith_err *err) KITH_WUR;

/*
 * The next chunk's plaintext (without padding) from store s: returns 1 with
 * *p, *n set (borrowed until the next call), 0 at the end, or a negative
 * status: KITH_E_CORRUPT (a chunk missing, of a wrong size, altered,
 * reordered, or the stream ends early or late), KITH_E_DB.
 */
int kith_blob_reader_next(struct kith_blob_reader *r, struct kith_store *s, const uint8_t **p, size_t *n,
			  struct kith_err *err) KITH_WUR;

/* Wipes and frees. NULL allowed. */
void kith_blob_reader_free(struct kith_blob_reader *r);

/* Chunks stored in the file for blob id_hex (0 when the table is missing):
 * for tests and checks. KITH_OK, KITH_E_DB. */
int kith_blob_count(struct kith_store *s, const char *id_hex, uint64_t *chunks,
		    struct kith_err *err) KITH_WUR;

/* ------------------------------------------------------------ purging */

/*
 * Purging makes blobs unreadable for good: their chunks are deleted from the
 * blobs table in the transaction that records the purge, and afterwards every
 * copy of their ciphertext left in the vault file and its -wal (old WAL
 * frames, freed pages) is overwritten with zeros in place (kith_store_scrub):
 * the key in the sealed record versions then opens nothing.
 *
 * kith_blob_purge_new reads the ciphertext of every chunk of the blobs
 * ids[0..n) (hex) from store s into memory (ciphertext, not secret): KITH_OK,
 * KITH_E_CORRUPT (a malformed id), KITH_E_LOCKED, KITH_E_DB, KITH_E_NOMEM.
 * kith_blob_purge_delete is the batch hook (kith_vault_batch_hook) that
 * deletes their rows: KITH_OK, KITH_E_DB. kith_blob_purge_shred, after the
 * commit, overwrites every run of 63 bytes or more of their ciphertext found
 * in the file of store s and its -wal; *bytes (may be NULL) counts the bytes
 * zeroed. KITH_OK, KITH_E_IO, KITH_E_NOMEM.
 */
struct kith_blob_purge;
int kith_blob_purge_new(struct kith_blob_purge **out, struct kith_store *s, const char *const *ids, size_t n,
			struct kith_err *err) KITH_WUR;
uint64_t kith_blob_purge_chunks(const struct kith_blob_purge *p);
int kith_blob_purge_delete(struct kith_store *s, void *arg, struct kith_err *err) KITH_WUR;
int kith_blob_purge_shred(struct kith_blob_purge *p, struct kith_store *s, uint64_t *bytes,
			  struct kith_err *err) KITH_WUR;
void kith_blob_purge_free(struct kith_blob_purge *p);

/* ------------------------------------------------------------ what the vault lends (vault.c, store.c) */

/* The vault's store (NULL when none or the keys are gone): blobs are read on
 * the vault's connection, under the vault's rules of threads. */
struct kith_store *kith_vault_store(struct kith_vault *v);

/* Runs fn(store, arg, err) inside b's commit transaction, after its checks
 * and before its rows are written; a failure rolls the whole batch back. */
void kith_vault_batch_hook(struct kith_vault_batch *b,
			   int (*fn)(struct kith_store *, void *, struct kith_err *), void *arg);

/* The store's SQLite connection (borrowed). */
struct sqlite3 *kith_store_sqlite(struct kith_store *s);

#endif
