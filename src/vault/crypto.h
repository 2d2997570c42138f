/*
 * crypto — the cryptographic envelope of a vault (DESIGN.md "Cryptographic
 * envelope"; docs/vault-format.md step by step), built on libsodium only.
 *
 *   passphrase --Argon2id(salt, limits)--> KEK                  (kith_crypto_kek_derive)
 *   KEK --secretbox--> key bundle: device Ed25519 + X25519 secret keys,
 *                      organization X25519 secret key when held   (slots)
 *   record version: fresh data key --XChaCha20-Poly1305--> padded envelope
 *                   data key --crypto_box_seal--> organization
 *                   data key --XChaCha20-Poly1305(device wrap key)--> device
 *                   whole row --Ed25519--> signature              (kith_crypto_row_*)
 *   organization key backup file: Argon2id + secretbox             (kith_crypto_orgkey_*)
 *
 * Secret keys live only in sodium_malloc'd guarded memory. A struct
 * kith_crypto_keys keeps its secrets inaccessible (PROT_NONE) while idle: the
 * owner brackets every use with kith_crypto_keys_access(k, 1) ...
 * kith_crypto_keys_access(k, 0) (nesting allowed, from one thread; worker
 * threads may use the keys between the two calls). Public keys and ids are
 * plain memory and always readable.
 *
 * Ownership: every pointer argument is borrowed unless stated; objects returned
 * through **out are owned by the caller and freed with the named _free function
 * (which wipes). Functions are thread-safe on distinct outputs once
 * kith_process_init has run (sodium_init).
 */
#ifndef KITH_CORE_CRYPTO_H
#define KITH_CORE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"

#define KITH_CRYPTO_ID_BYTES 16		 /* record id, vault id */
#define KITH_CRYPTO_SALT_BYTES 16	 /* crypto_pwhash_SALTBYTES */
#define KITH_CRYPTO_PK_BYTES 32		 /* Ed25519 and X25519 public keys */
#define KITH_CRYPTO_SIG_BYTES 64	 /* crypto_sign_BYTES */
#define KITH_CRYPTO_NONCE_BYTES 24	 /* XChaCha20 / XSalsa20 nonces */
#define KITH_CRYPTO_WRAP_ORG_BYTES 80	 /* crypto_box_SEALBYTES + 32 */
#define KITH_CRYPTO_WRAP_DEV_BYTES 72	 /* nonce 24 + key 32 + tag 16 */
#define KITH_CRYPTO_BUNDLE_BYTES 180	 /* plaintext of a key slot */
#define KITH_CRYPTO_SLOT_BOX_BYTES 196	 /* bundle + crypto_secretbox_MACBYTES */
#define KITH_CRYPTO_AD_BYTES 52		 /* id 16 + version 4 + device pk 32 */
#define KITH_CRYPTO_PLAIN_MAX (4u << 20) /* largest envelope a row may carry */
#define KITH_CRYPTO_ORGKEY_FILE_BYTES 156
#define KITH_CRYPTO_ORGKEY_FORMAT 1

/* ------------------------------------------------------------ KDF */

/* Argon2id parameters as recorded in a vault header or a key file. */
struct kith_crypto_kdf {
	unsigned long long opslimit;
	size_t memlimit;
	int alg; /* crypto_pwhash_ALG_ARGON2ID13 */
	uint8_t salt[KITH_CRYPTO_SALT_BYTES];
};

/* A 32-byte secret key in guarded memory (a KEK). Opaque. */
struct kith_crypto_key;

/* Checks parameters read from a file before they are used: Argon2id13,
 * opslimit in [MIN, 64], memlimit in [MIN, SENSITIVE] (a hostile file cannot
 * ask for unbounded work). KITH_OK or KITH_E_CORRUPT. */
int kith_crypto_kdf_check(const struct kith_crypto_kdf *kdf, struct kith_err *err) KITH_WUR;

/*
 * Derives a KEK from pass[0..len) with Argon2id under kdf (checked first).
 * *out is set only on success; free with kith_crypto_key_free. KITH_OK,
 * KITH_E_INVALID (empty passphrase), KITH_E_CORRUPT (bad parameters),
 * KITH_E_NOMEM (guarded memory or Argon2id's memory could not be had).
 */
int kith_crypto_kek_derive(struct kith_crypto_key **out, const char *pass, size_t len,
			   const struct kith_crypto_kdf *kdf, struct kith_err *err) KITH_WUR;

/* Wipes and frees. NULL allowed. */
void kith_crypto_key_free(struct kith_crypto_key *k);

/* ------------------------------------------------------------ key bundles */

/* The organization key pair held outside a vault (recovered from a backup). */
struct kith_crypto_org;

/* A device's keys: Ed25519 signing pair, X25519 pair, the device wrap key
 * derived from the X25519 secret, the organization public key and, when held,
 * the organization secret key; plus the vault id they belong to. Opaque. */
struct kith_crypto_keys;

/*
 * Generates fresh device keys for vault `vault_id`. Organization:
 *   org == NULL && org_pk == NULL  a new organization pair, secret held (standalone)
 *   org == NULL && org_pk != NULL  only the public key (after duress; field mode)
 *   org != NULL                    the pair from a backup (recover); org_pk ignored
 * The keys are left idle (inaccessible). KITH_OK, KITH_E_NOMEM, KITH_E_CRYPTO.
 */
int kith_crypto_keys_generate(struct kith_crypto_keys **out, const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
			      const uint8_t *org_pk, const struct kith_crypto_org *org,
			      struct kith_err *err) KITH_WUR;

/* Wipes every secret and frees. NULL allowed. */
void kith_crypto_keys_free(struct kith_crypto_keys *k);

/* Makes the secrets readable (on = 1) or inaccessible again (on = 0; nested
 * calls count). Returns KITH_OK or KITH_E_CRYPTO (mprotect failed). */
int kith_crypto_keys_access(struct kith_crypto_keys *k, int on) KITH_WUR;

const uint8_t *kith_crypto_keys_sign_pk(const struct kith_crypto_keys *k);  /* 32 bytes */
const uint8_t *kith_crypto_keys_box_pk(const struct kith_crypto_keys *k);   /* 32 bytes */
const uint8_t *kith_crypto_keys_org_pk(const struct kith_crypto_keys *k);   /* 32 bytes */
const uint8_t *kith_crypto_keys_vault_id(const struct kith_crypto_keys *k); /* 16 bytes */
int kith_crypto_keys_holds_org(const struct kith_crypto_keys *k);
/* The organization's Ed25519 enrolment public key, derived from its secret
 * key: NULL when k does not hold the organization secret. */
const uint8_t *kith_crypto_keys_org_sign_pk(const struct kith_crypto_keys *k); /* 32 bytes */
/* Whether the key bundle says enrolments in this vault are signed (bit 1 of
 * the bundle's flags; sealed with the keys by kith_crypto_slot_seal_keys). */
int kith_crypto_keys_enrol_signed(const struct kith_crypto_keys *k);
void kith_crypto_keys_set_enrol_signed(struct kith_crypto_keys *k, int on);
/* Whether the key bundle says the vault is format 2 (bit 3 of the bundle's
 * flags; sealed with the keys): a file that says format 1 is then refused as
 * a downgrade. */
int kith_crypto_keys_format2(const struct kith_crypto_keys *k);
void kith_crypto_keys_set_format2(struct kith_crypto_keys *k, int on);
/* The device id: the first 8 bytes of the signing public key, lower-case hex. */
void kith_crypto_keys_device_id(const struct kith_crypto_keys *k, char hex[17]);

/* ------------------------------------------------------------ slots */

enum kith_crypto_slot_kind {
	KITH_CRYPTO_SLOT_KEYS = 1,   /* the key bundle */
	KITH_CRYPTO_SLOT_DURESS = 2, /* the duress marker: no key inside */
};

/* Wraps k's secrets under kek: nonce (random) and box. k must be accessible.
 * KITH_OK, KITH_E_NOMEM, KITH_E_CRYPTO. */
int kith_crypto_slot_seal_keys(const struct kith_crypto_keys *k, const struct kith_crypto_key *kek,
			       uint8_t nonce[KITH_CRYPTO_NONCE_BYTES],
			       uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES], struct kith_err *err) KITH_WUR;

/* Seals the duress marker of vault_id under kek; same size as a key slot. */
int kith_crypto_slot_seal_duress(const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
				 const struct kith_crypto_key *kek, uint8_t nonce[KITH_CRYPTO_NONCE_BYTES],
				 uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES], struct kith_err *err) KITH_WUR;

/* Random bytes of a slot's size: an unused duress slot looks like a used one. */
void kith_crypto_slot_random(uint8_t nonce[KITH_CRYPTO_NONCE_BYTES], uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES]);

/*
 * Opens a slot with kek. Returns KITH_CRYPTO_SLOT_KEYS (and sets *keys, idle,
 * when keys is not NULL; the caller owns them), KITH_CRYPTO_SLOT_DURESS, or
 * KITH_E_AUTH (not this KEK: wrong passphrase or random filler),
 * KITH_E_CORRUPT (authentic but malformed: unknown bundle version, keys that
 * do not match), KITH_E_NOMEM. vault_id receives the bundle's vault id on
 * success.
 */
int kith_crypto_slot_open(const struct kith_crypto_key *kek, const uint8_t nonce[KITH_CRYPTO_NONCE_BYTES],
			  const uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES], struct kith_crypto_keys **keys,
			  uint8_t vault_id[KITH_CRYPTO_ID_BYTES], struct kith_err *err) KITH_WUR;

/* ------------------------------------------------------------ rows */

/* One record version as stored. ct is caller-owned (free()) when made by
 * kith_crypto_row_seal, borrowed when passed to kith_crypto_row_open. */
struct kith_crypto_row {
	uint8_t id[KITH_CRYPTO_ID_BYTES];
	uint32_t version;
	uint8_t device[KITH_CRYPTO_PK_BYTES]; /* signing public key of the writer */
	uint8_t wrap_org[KITH_CRYPTO_WRAP_ORG_BYTES];
	uint8_t wrap_dev[KITH_CRYPTO_WRAP_DEV_BYTES];
	uint8_t nonce[KITH_CRYPTO_NONCE_BYTES];
	uint8_t sig[KITH_CRYPTO_SIG_BYTES];
	uint8_t *ct;
	size_t ct_len;
};

/* The smallest size bucket holding n bytes: 256, then four to each doubling
 * up to 65536 (2^e, 1.25 2^e, 1.5 2^e, 1.75 2^e: 256, 320, 384, 448, 512,
 * 640, ...), then multiples of 65536; 0 when n > KITH_CRYPTO_PLAIN_MAX.
 * Every power of two from 256 is a bucket (the buckets before 2026-12-07). */
size_t kith_crypto_bucket(size_t n);

/* ISO/IEC 7816-4 padding of buf's first len bytes to bucket (> len): one
 * 0x80, then zeros. */
void kith_crypto_pad(uint8_t *buf, size_t len, size_t bucket);

/*
 * Seals plain[0..len) (the envelope JSON) as version row->version of record
 * row->id written by k's device: pads to a bucket, encrypts under a fresh data
 * key with AD = id || version (big-endian) || device pk, wraps the data key for
 * the organization and for the device, signs the row. Fills every other field
 * of *row; row->ct is allocated (free()). k must be accessible. On failure
 * row->ct is NULL. KITH_OK, KITH_E_LIMIT (too large), KITH_E_NOMEM,
 * KITH_E_CRYPTO.
 */
int kith_crypto_row_seal(const struct kith_crypto_keys *k, struct kith_crypto_row *row, const void *plain,
			 size_t len, struct kith_err *err) KITH_WUR;

/* (Re-)signs *row as it stands with k's device key (kith_crypto_row_seal
 * does it; exposed so tests can tamper with a field and re-sign, reaching the
 * checks behind the signature). row->device must be k's. k must be accessible.
 * KITH_OK, KITH_E_NOMEM, KITH_E_CRYPTO. */
int kith_crypto_row_sign(const struct kith_crypto_keys *k, struct kith_crypto_row *row) KITH_WUR;

/*
 * Opens a row: the data key is unwrapped with the device wrap key when the row
 * is this device's, else with the organization secret key when held; the
 * signature is checked against row->device (the caller checks that this
 * device is enrolled); the body is decrypted and unpadded into plain (reset
 * first; a wiping buffer). k must be accessible.
 *   KITH_OK
 *   KITH_E_AUTH     no key to read it (another device's row, no organization secret)
 *   KITH_E_CORRUPT  *reason says which check failed ("bad signature",
 *                   "key unwrap failed", "authentication failed", "bad padding")
 *   KITH_E_NOMEM
 * plain is empty on failure.
 */
int kith_crypto_row_open(const struct kith_crypto_keys *k, const struct kith_crypto_row *row,
			 struct kith_sbuf *plain, const char **reason, struct kith_err *err) KITH_WUR;

/* ------------------------------------------------------------ signatures */

/* Detached Ed25519 signature of m by k's device. k must be accessible. */
int kith_crypto_sign(const struct kith_crypto_keys *k, const void *m, size_t len,
		     uint8_t sig[KITH_CRYPTO_SIG_BYTES]) KITH_WUR;

/* KITH_OK when sig is pk's signature of m, else KITH_E_CORRUPT. */
int kith_crypto_verify(const uint8_t pk[KITH_CRYPTO_PK_BYTES], const void *m, size_t len,
		       const uint8_t sig[KITH_CRYPTO_SIG_BYTES]) KITH_WUR;

/* ------------------------------------------------------------ enrolment */

/* Signs the enrolment of a device in k's vault with the organization's
 * enrolment key: Ed25519 over "kith-enrol-v1" || vault id || sign_pk ||
 * box_pk. k must be accessible. KITH_OK, KITH_E_NOTFOUND (k does not hold
 * the organization secret), KITH_E_CRYPTO. */
int kith_crypto_enrol_sign(const struct kith_crypto_keys *k, const uint8_t sign_pk[KITH_CRYPTO_PK_BYTES],
			   const uint8_t box_pk[KITH_CRYPTO_PK_BYTES],
			   uint8_t sig[KITH_CRYPTO_SIG_BYTES]) KITH_WUR;

/* KITH_OK when sig is the enrolment of (sign_pk, box_pk) in vault_id by the
 * organization enrolment key org_spk, else KITH_E_CORRUPT. */
int kith_crypto_enrol_verify(const uint8_t org_spk[KITH_CRYPTO_PK_BYTES],
			     const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
			     const uint8_t sign_pk[KITH_CRYPTO_PK_BYTES],
			     const uint8_t box_pk[KITH_CRYPTO_PK_BYTES],
			     const uint8_t sig[KITH_CRYPTO_SIG_BYTES]) KITH_WUR;

/* ------------------------------------------------------------ organization key backup */

/*
 * Appends an encrypted backup of k's organization key pair to out: magic
 * "KITHORGK", format, the Argon2id parameters (opslimit, memlimit, alg; a fresh
 * random salt) and the secretbox of the pair under the derived key. k must be
 * accessible. KITH_OK, KITH_E_NOTFOUND (k does not hold the organization
 * secret), KITH_E_INVALID (empty passphrase), KITH_E_NOMEM, KITH_E_CRYPTO.
 */
int kith_crypto_orgkey_export(const struct kith_crypto_keys *k, const char *pass, size_t pass_len,
			      unsigned long long opslimit, size_t memlimit, struct kith_sbuf *out,
			      struct kith_err *err) KITH_WUR;

/*
 * Reads a backup made by kith_crypto_orgkey_export. *out (caller-owned, free
 * with kith_crypto_org_free) is set only on success. KITH_OK, KITH_E_INVALID
 * (not a kith key file, a newer format, bad parameters), KITH_E_AUTH (wrong
 * passphrase or altered file), KITH_E_NOMEM.
 */
int kith_crypto_orgkey_import(struct kith_crypto_org **out, const void *data, size_t len, const char *pass,
			      size_t pass_len, struct kith_err *err) KITH_WUR;

const uint8_t *kith_crypto_org_pk(const struct kith_crypto_org *org); /* 32 bytes */
/* The Argon2id cost the backup file was written with (authenticated by the
 * file's secretbox: a changed cost derives another key and is refused). */
void kith_crypto_org_kdf(const struct kith_crypto_org *org, unsigned long long *opslimit, size_t *memlimit);
void kith_crypto_org_free(struct kith_crypto_org *org);

/* ------------------------------------------------------------ field devices (issue 12) */

#define KITH_CRYPTO_FIELD_SIGN_SK_BYTES 64 /* crypto_sign_SECRETKEYBYTES: seed || public key */
#define KITH_CRYPTO_FIELD_BOX_SK_BYTES 32  /* crypto_box_SECRETKEYBYTES */

/*
 * A field device's keys (docs/vault-format.md *Field vaults*): its own Ed25519
 * and X25519 secret keys (from an invitation), the organization's public key
 * and enrolment public key, no organization secret. Sealed into a slot, the
 * bundle carries org_spk where a standalone vault's carries org_sk (flag bit
 * 2). KITH_OK, KITH_E_CORRUPT (sign_sk's two halves do not match),
 * KITH_E_NOMEM. The keys are left idle.
 */
int kith_crypto_keys_field(struct kith_crypto_keys **out, const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
			   const uint8_t org_pk[KITH_CRYPTO_PK_BYTES],
			   const uint8_t org_spk[KITH_CRYPTO_PK_BYTES],
			   const uint8_t sign_sk[KITH_CRYPTO_FIELD_SIGN_SK_BYTES],
			   const uint8_t box_sk[KITH_CRYPTO_FIELD_BOX_SK_BYTES],
			   struct kith_err *err) KITH_WUR;

/* Whether k are a field device's keys (bundle flag bit 2). */
int kith_crypto_keys_is_field(const struct kith_crypto_keys *k);

/* Copies the device's secret keys out of k (accessible) into caller memory
 * that the caller wipes: for an invitation only. */
void kith_crypto_keys_device_secrets(const struct kith_crypto_keys *k,
				     uint8_t sign_sk[KITH_CRYPTO_FIELD_SIGN_SK_BYTES],
				     uint8_t box_sk[KITH_CRYPTO_FIELD_BOX_SK_BYTES]);

/* Ed25519 signature of m by the organization's enrolment key (k accessible).
 * The caller puts a domain string first. KITH_OK, KITH_E_NOTFOUND (k does not
 * hold the organization secret), KITH_E_CRYPTO. */
int kith_crypto_org_sign(const struct kith_crypto_keys *k, const void *m, size_t len,
			 uint8_t sig[KITH_CRYPTO_SIG_BYTES]) KITH_WUR;

/* kith_crypto_enrol_sign for the vault vault_id rather than k's own (a field
 * vault that headquarters enrols). */
int kith_crypto_enrol_sign_vault(const struct kith_crypto_keys *k,
				 const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
				 const uint8_t sign_pk[KITH_CRYPTO_PK_BYTES],
				 const uint8_t box_pk[KITH_CRYPTO_PK_BYTES],
				 uint8_t sig[KITH_CRYPTO_SIG_BYTES]) KITH_WUR;

/* Opens a crypto_box_seal sealed to the organization (k accessible): m gets
 * clen - 48 bytes. KITH_OK, KITH_E_NOTFOUND (k does not hold the organization
 * secret), KITH_E_AUTH (not sealed to it, or altered). */
int kith_crypto_org_unseal(const struct kith_crypto_keys *k, const uint8_t *c, size_t clen,
			   uint8_t *m) KITH_WUR;

/* ------------------------------------------------------------ format 2 (batches) */

/* The device wrap of a batch key (docs/vault-format.md *Format 2*): out =
 * n2 || XChaCha20-Poly1305(bk, ad, n2, wk) with wk the device wrap key (the
 * same key as format 1's wrap_dev; another AD). k accessible. KITH_OK,
 * KITH_E_CRYPTO. */
int kith_crypto_batch_wrap_dev(const struct kith_crypto_keys *k, const uint8_t bk[32], const uint8_t *ad,
			       size_t ad_len, uint8_t out[KITH_CRYPTO_WRAP_DEV_BYTES]) KITH_WUR;

/* Unwraps it: KITH_OK, or KITH_E_CORRUPT (another device's, or altered; bk zeroed). */
int kith_crypto_batch_unwrap_dev(const struct kith_crypto_keys *k,
				 const uint8_t in[KITH_CRYPTO_WRAP_DEV_BYTES], const uint8_t *ad,
				 size_t ad_len, uint8_t bk[32]) KITH_WUR;

/* Ed25519ph (RFC 8032; libsodium's multi-part crypto_sign_init/update/
 * final_create) of m by k's device, and its check (KITH_E_CORRUPT). */
int kith_crypto_sign_ph(const struct kith_crypto_keys *k, const void *m, size_t len,
			uint8_t sig[KITH_CRYPTO_SIG_BYTES]) KITH_WUR;
int kith_crypto_verify_ph(const uint8_t pk[KITH_CRYPTO_PK_BYTES], const void *m, size_t len,
			  const uint8_t sig[KITH_CRYPTO_SIG_BYTES]) KITH_WUR;

/* The rollback anchor's MAC: keyed BLAKE2b-256 of m under
 * crypto_kdf_derive_from_key(32, 1, "kithanch", wk). k accessible. */
int kith_crypto_anchor_mac(const struct kith_crypto_keys *k, const void *m, size_t len,
			   uint8_t mac[32]) KITH_WUR;

/* Bundle flag bit 4: the slot sealed with these keys has a rollback anchor
 * box beside it (anchor.c): a missing box is then reported. */
int kith_crypto_keys_anchored(const struct kith_crypto_keys *k);
void kith_crypto_keys_set_anchored(struct kith_crypto_keys *k, int on);

/* The key of a passphrase slot's rollback anchor: BLAKE2b-256 keyed with
 * crypto_kdf_derive_from_key(32, 1, "kithslta", KEK) of
 * crypto_kdf_derive_from_key(32, 2, "kithslta", wk). k accessible.
 * KITH_OK, KITH_E_CRYPTO. */
int kith_crypto_kek_anchor_key(const struct kith_crypto_key *kek, const struct kith_crypto_keys *k,
			       uint8_t out[32]) KITH_WUR;

#endif
