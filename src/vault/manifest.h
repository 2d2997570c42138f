/*
 * manifest — the parts of format 2 that bundles use (manifest.c; the bytes:
 * docs/vault-format.md *Format 2*, docs/bundle-format.md *Format 3*): a
 * manifest parsed as hostile input, its Ed25519ph signature, the key
 * commitment, a version's data key, and a row opened under a given key.
 * Ownership: a parsed manifest borrows the bytes it was parsed from.
 */
#ifndef KITH_VAULT_MANIFEST_H
#define KITH_VAULT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "vault/crypto.h"
#include "vault/vault_impl.h"

struct vault_manifest {
	const uint8_t *m; /* the bytes (borrowed) */
	size_t len;
	uint8_t batch_id[BATCH_ID_BYTES], device[32], org[32], prev[32], mh[32];
	uint8_t per[32]; /* per_spk: the signing person's key, zeros when none */
	int64_t seq, at;
	uint8_t flags;
	uint32_t n;
	const uint8_t *rh;	 /* n row hashes, in m */
	const uint8_t *kc;	 /* the key commitment, in m */
	const uint8_t *wrap_org; /* 80 bytes, in m */
};

/* Parses manifest bytes (hostile): KITH_OK or KITH_E_INVALID. */
int vault_v2_manifest_parse(const uint8_t *m, size_t len, struct vault_manifest *out);

/* Ed25519ph of the manifest by its device: KITH_OK or KITH_E_AUTH. */
int vault_v2_manifest_verify(const struct vault_manifest *mf, const uint8_t sig[KITH_CRYPTO_SIG_BYTES]);

/* Ed25519ph of the manifest by its person (per, not zero): KITH_OK or KITH_E_AUTH. */
int vault_v2_manifest_verify_per(const struct vault_manifest *mf, const uint8_t sig[KITH_CRYPTO_SIG_BYTES]);

/* The batch key from wrap_org (k holds the organization secret) checked
 * against the commitment: KITH_OK, KITH_E_NOTFOUND (no organization secret
 * here), KITH_E_CORRUPT (does not unwrap, or not the committed key). */
int vault_v2_manifest_key(const struct kith_crypto_keys *k, const struct vault_manifest *mf, uint8_t bk[32]);

/* dk_i = crypto_kdf_derive_from_key(32, i + 1, "kithrow2", bk). */
void vault_v2_derive(const uint8_t bk[32], uint32_t i, uint8_t dk[32]);

/* H("kith-rowhash-v2" ...) of a row, as the manifest lists it. */
void vault_v2_row_hash(const struct kith_crypto_row *row, uint8_t rh[RH_BYTES]);

/* Decrypts and unpads row i of batch batch_id under its data key dk into plain
 * (reset first). KITH_OK, KITH_E_CORRUPT (*reason), KITH_E_NOMEM. */
int vault_v2_open_with(const uint8_t dk[32], const uint8_t batch_id[BATCH_ID_BYTES], uint32_t i,
		       const struct kith_crypto_row *row, struct kith_sbuf *plain, const char **reason);

/* The data key of row i of batch b in v: derived from the batch key, or (a
 * field vault) the key headquarters sent for it. KITH_OK, KITH_E_AUTH (no key
 * here), KITH_E_CORRUPT. */
int vault_v2_row_key(const struct kith_vault *v, const struct vbatch *b, uint32_t i,
		     const struct kith_crypto_row *row, uint8_t dk[32]);

/* anchor.c: the slot's rollback anchor written again (inside the caller's
 * transaction) by a bundle import that brings batches: devices[i] (32 bytes)
 * and seqs[i] are the new batches, counted with those v holds in how far the
 * other devices' logs reach (vault-format.md *Format 2*, "The slot's
 * anchor"); this device's own log as v holds it. Nothing without a slot
 * anchor key (format 1, duress). KITH_OK, KITH_E_NOMEM, KITH_E_DB. */
int vault_slot_anchor_seal_import(struct kith_vault *v, const uint8_t *const *devices, const int64_t *seqs,
				  size_t n, struct kith_err *err);

#endif
