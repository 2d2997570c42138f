/*
 * sync — what bundles leave behind in a vault (issue 12; docs/bundle-format.md
 * *What the vault records*): which versions went out in which bundle, the
 * data keys of rows headquarters sent to this field device, and versions kept
 * aside because they conflict with the version the vault holds at the same
 * (record, version). Four tables, made on first use beside the rows:
 *
 *   bundles(id, recipient, created, seq)      a bundle this vault wrote
 *   sent(bundle, id, version, device)         the versions in it
 *   received(id, version, device, wrap)       a row's data key for this device
 *   conflicts(id, version, device, <row>, resolved)  a version kept aside
 *   revoked(device, at, sig)                  a revocation headquarters sent
 *
 * Every value is a random id, a number, a public key, a key wrap or
 * ciphertext, as in the rows table. Ownership: every pointer is borrowed;
 * outputs named _free are the caller's.
 */
#ifndef KITH_VAULT_SYNC_H
#define KITH_VAULT_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "vault/crypto.h"
#include "vault/store.h"
#include "vault/vault.h"

#define KITH_SYNC_WRAP_BYTES 72 /* nonce 24 + data key 32 + tag 16 */

/* Makes the four tables when missing (inside the caller's transaction).
 * KITH_OK, KITH_E_DB. */
int kith_sync_tables(struct kith_store *s, struct kith_err *err) KITH_WUR;

/* One version named by (id, version, device). */
struct kith_sync_ver {
	uint8_t id[16];
	uint32_t version;
	uint8_t device[32];
};

/* Records bundle `bundle` to `recipient` (a device's signing key, or the
 * organization's public key) made at `created`, holding vers[0..n), in one
 * transaction. KITH_OK, KITH_E_EXISTS (that bundle id is recorded), KITH_E_DB. */
int kith_sync_mark_sent(struct kith_store *s, const uint8_t bundle[16], const uint8_t recipient[32],
			int64_t created, const struct kith_sync_ver *vers, size_t n,
			struct kith_err *err) KITH_WUR;

/* Whether (id, version, device) went to recipient in a bundle recorded after
 * `since` (NULL: in any bundle): 1 yes, 0 no, negative status. KITH_E_NOTFOUND
 * when `since` is not a bundle of this vault to that recipient. */
struct kith_sync_sent;
int kith_sync_sent_load(struct kith_store *s, const uint8_t recipient[32], const uint8_t *since,
			struct kith_sync_sent **out, struct kith_err *err) KITH_WUR;
int kith_sync_sent_has(const struct kith_sync_sent *t, const uint8_t id[16], uint32_t version,
		       const uint8_t device[32]);
/* Whether any version of record id went to recipient (HQ: a record sent to a
 * device, which that device may then edit). */
int kith_sync_sent_record(const struct kith_sync_sent *t, const uint8_t id[16]);
void kith_sync_sent_free(struct kith_sync_sent *t);

/* The data key dk of row r (k accessible): the vault's own row (wrap_dev), a
 * row received for this device (the received table, wk = this device's wrap
 * key), else the organization's (wrap_org, when held). KITH_OK, KITH_E_AUTH
 * (no key here), KITH_E_CORRUPT (a wrap that does not open), KITH_E_DB. */
int kith_sync_row_key(struct kith_store *s, const struct kith_crypto_keys *k, const struct kith_crypto_row *r,
		      uint8_t dk[32], struct kith_err *err) KITH_WUR;

/* This device's wrap key (k accessible): 32 bytes into wk (the caller wipes). */
void kith_sync_wrap_key(const struct kith_crypto_keys *k, uint8_t wk[32]);

/* wrap = nonce || XChaCha20-Poly1305(dk, AD of r, wk), and its inverse
 * (KITH_OK or KITH_E_CORRUPT). */
void kith_sync_wrap(const uint8_t wk[32], const struct kith_crypto_row *r, const uint8_t dk[32],
		    uint8_t wrap[KITH_SYNC_WRAP_BYTES]);
int kith_sync_unwrap(const uint8_t wk[32], const struct kith_crypto_row *r, const uint8_t *wrap, size_t n,
		     uint8_t dk[32]) KITH_WUR;

/* Decrypts r's body under dk and unpads it into plain (a wiping buffer; reset
 * first). Checks the signature too when check_sig. KITH_OK, KITH_E_CORRUPT
 * (*reason says which check failed), KITH_E_NOMEM. */
int kith_sync_row_open(const struct kith_crypto_row *r, const uint8_t dk[32], int check_sig,
		       struct kith_sbuf *plain, const char **reason) KITH_WUR;

/* Stores a received row's wrap for this device (inside a transaction).
 * KITH_OK, KITH_E_DB. */
int kith_sync_received_put(struct kith_store *s, const struct kith_crypto_row *r,
			   const uint8_t wrap[KITH_SYNC_WRAP_BYTES], struct kith_err *err) KITH_WUR;

/* Keeps r aside as a conflicting version (inside a transaction): ignored when
 * the same (id, version, device) is already kept. KITH_OK, KITH_E_DB. */
int kith_sync_conflict_put(struct kith_store *s, const struct kith_crypto_row *r,
			   struct kith_err *err) KITH_WUR;

/* The same, for a version of a format-2 batch (bundle-format.md *Format 3*):
 * its batch (16 bytes) and index are kept, its wraps and signature are the
 * batch's (stored empty). */
int kith_sync_conflict_put_batch(struct kith_store *s, const struct kith_crypto_row *r, const uint8_t *batch,
				 uint32_t i, struct kith_err *err) KITH_WUR;

/* Where a kept version was written: a batch and its index, or i = -1 (a
 * format-1 row, with its own wraps and signature). */
struct kith_sync_kept {
	uint8_t batch[16];
	int64_t i;
};

/* Every conflicting version of record id not yet resolved (all records when id
 * is NULL), as rows (ct malloc'd: free with kith_sync_rows_free). KITH_OK,
 * KITH_E_DB, KITH_E_NOMEM. */
int kith_sync_conflicts(struct kith_store *s, const uint8_t *id, struct kith_crypto_row **out, size_t *n,
			struct kith_err *err) KITH_WUR;
void kith_sync_rows_free(struct kith_crypto_row *rows, size_t n);
/* The same with where each was written (*kept: malloc'd, parallel to *out;
 * NULL: not wanted). */
int kith_sync_conflicts_kept(struct kith_store *s, const uint8_t *id, struct kith_crypto_row **out,
			     struct kith_sync_kept **kept, size_t *n, struct kith_err *err) KITH_WUR;

/* Marks the kept versions of record id resolved by version `by` (inside a
 * transaction). KITH_OK, KITH_E_DB. */
int kith_sync_conflict_resolve(struct kith_store *s, const uint8_t id[16], uint32_t by,
			       struct kith_err *err) KITH_WUR;

/* The read path of a field vault: rows of other devices it received keys
 * for. load (before the index is read): every received wrap, in memory.
 * open: KITH_E_AUTH when r is not among them, else as kith_sync_row_open
 * after unwrapping with k's wrap key (k accessible; thread-safe). */
struct kith_sync_received;
int kith_sync_received_load(struct kith_store *s, struct kith_sync_received **out,
			    struct kith_err *err) KITH_WUR;
int kith_sync_received_open(const struct kith_sync_received *t, const struct kith_crypto_keys *k,
			    const struct kith_crypto_row *r, struct kith_sbuf *plain,
			    const char **reason) KITH_WUR;
/* The data key of r (a version of a format-2 batch sent to this field
 * device): KITH_OK, KITH_E_AUTH (none), KITH_E_CORRUPT (does not unwrap). */
int kith_sync_received_key(const struct kith_sync_received *t, const struct kith_crypto_keys *k,
			   const struct kith_crypto_row *r, uint8_t dk[32]) KITH_WUR;
void kith_sync_received_free(struct kith_sync_received *t);

/* ------------------------------------------------------------ revocations (a field vault) */

/* A device's revocation as headquarters sent it to this field vault
 * (bundle-format.md *Revocations*): the organization's signature over
 * "kith-revoke-v1" || this vault's id || device || at (vault/field.h). */
struct kith_sync_revocation {
	uint8_t device[32];
	int64_t at;
	uint8_t sig[64];
};

/* Records one (inside the caller's transaction; the tables made): a device
 * revoked already keeps its first record. *added: 1 when it was new.
 * KITH_OK, KITH_E_DB. */
int kith_sync_revoked_put(struct kith_store *s, const uint8_t device[32], int64_t at, const uint8_t sig[64],
			  int *added, struct kith_err *err) KITH_WUR;

/* Every revocation recorded (*out malloc'd: free()). KITH_OK, KITH_E_DB,
 * KITH_E_NOMEM. */
int kith_sync_revoked_list(struct kith_store *s, struct kith_sync_revocation **out, size_t *n,
			   struct kith_err *err) KITH_WUR;

/* ------------------------------------------------------------ conflicts, for casework */

/* The records of v with kept conflicting versions not yet resolved: *ids is
 * malloc'd (free()), n sorted ids of 33 chars (hex + NUL). KITH_OK, KITH_E_DB,
 * KITH_E_NOMEM, KITH_E_LOCKED. */
int kith_sync_conflict_ids(struct kith_vault *v, char (**ids)[33], size_t *n, struct kith_err *err) KITH_WUR;

/* The newest kept version of each device that conflicts with record id_hex:
 * device (16 hex), version, and its envelope JSON (decrypted; a wiping copy
 * freed with kith_sync_branches_free). A kept version this vault cannot read
 * is left out. KITH_OK, KITH_E_INVALID (id), KITH_E_DB, KITH_E_NOMEM,
 * KITH_E_LOCKED, KITH_E_CRYPTO. */
struct kith_sync_branch {
	char device[17];
	uint32_t version;
	char *envelope;
	size_t envelope_len;
};
int kith_sync_branches(struct kith_vault *v, const char *id_hex, struct kith_sync_branch **out, size_t *n,
		       struct kith_err *err) KITH_WUR;
void kith_sync_branches_free(struct kith_sync_branch *b, size_t n);

/* A batch hook (kith_vault_batch_hook) that marks record arg->id's kept
 * versions resolved by version arg->by, in the batch's transaction. */
struct kith_sync_resolution {
	uint8_t id[16];
	uint32_t by;
};
int kith_sync_resolve_hook(struct kith_store *s, void *arg, struct kith_err *err);

#endif
