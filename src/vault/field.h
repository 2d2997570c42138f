/*
 * field — field devices on format 1 (issue 12; docs/vault-format.md *Field
 * vaults and invitations*): headquarters invites a device with an enrolment
 * file sealed under a one-time code; the device joins by creating a field
 * vault whose key bundle carries the organization's public and enrolment
 * public keys and no organization secret.
 *
 *   headquarters: kith_field_invite_make  -> invitation bytes + code
 *                 kith_field_enrol_hq     -> the device enrolled in HQ's file
 *   field:        kith_field_invite_open  -> the parsed invitation (hostile input)
 *                 kith_vault_create_field -> FIELD.kith
 *
 * Ownership: a struct kith_field_invite keeps the device's secret keys in
 * guarded memory; free it with kith_field_invite_free (wipes). Buffers are
 * borrowed. Not thread-safe on one invitation.
 */
#ifndef KITH_VAULT_FIELD_H
#define KITH_VAULT_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "vault/vault.h"

struct kith_store;

#define KITH_FIELD_CODE_CHARS 16 /* Crockford base 32, 80 bits */
#define KITH_FIELD_CODE_TEXT 20	 /* "XXXX-XXXX-XXXX-XXXX" + NUL */
#define KITH_FIELD_NAME_MAX 64	 /* with NUL: a device name is a ref, [A-Za-z0-9._-]{1,63} */
#define KITH_FIELD_INVITE_BYTES 524
#define KITH_FIELD_INVITE_FORMAT 1

struct kith_field_invite;

/* What headquarters records about a device it invites (public values). */
struct kith_field_device {
	char name[KITH_FIELD_NAME_MAX];
	uint8_t sign_pk[32];
	uint8_t box_pk[32];
	uint8_t vault_id[16]; /* the field vault's id, chosen by headquarters */
};

/* A fresh one-time code: 16 random Crockford base-32 characters (80 bits)
 * written in four groups of four with '-'. */
void kith_field_code_new(char code[KITH_FIELD_CODE_TEXT]);

/* Normalizes a typed code: spaces and '-' dropped, lower case raised, O read
 * as 0 and I, L as 1. KITH_OK, or KITH_E_INVALID (a character outside the
 * alphabet, or not 16 of them; the message says which, never the code). */
int kith_field_code_norm(const char *in, size_t len, char out[KITH_FIELD_CODE_CHARS + 1],
			 struct kith_err *err) KITH_WUR;

/*
 * Headquarters: makes a field device named `name` for the organization of the
 * open vault hq (which must hold the organization secret): fresh device keys,
 * a fresh field vault id, the organization's enrolment signatures of the
 * device and of headquarters' own device for that field vault. Seals them
 * under Argon2id(code) at hq's cost (the MODERATE cost at least, the test cost
 * only for a test vault) into `file` (appended, KITH_FIELD_INVITE_BYTES).
 * The device's secret keys exist only in guarded memory during the call.
 * KITH_OK, KITH_E_NOTFOUND (hq does not hold the organization secret),
 * KITH_E_INVALID (name), KITH_E_LOCKED, KITH_E_NOMEM, KITH_E_CRYPTO.
 */
int kith_field_invite_make(struct kith_vault *hq, const char *name, const char *code, struct kith_sbuf *file,
			   struct kith_field_device *dev, struct kith_err *err) KITH_WUR;

/*
 * Headquarters: writes dev's enrolment (signed for hq's own vault id) into
 * hq's device table, in a transaction of its own. KITH_OK, KITH_E_NOTFOUND,
 * KITH_E_DB, KITH_E_LOCKED.
 */
int kith_field_enrol_hq(struct kith_vault *hq, const struct kith_field_device *dev,
			struct kith_err *err) KITH_WUR;

/* The enrolment of dev in hq's own device table, to write inside a batch's
 * transaction: kith_field_enrol_prepare signs it (KITH_OK, KITH_E_NOTFOUND,
 * KITH_E_LOCKED, KITH_E_CRYPTO); kith_field_enrol_hook, given to
 * kith_vault_batch_hook with the prepared struct, writes it (KITH_E_DB), so
 * that the device row and its record land together or not at all. */
struct kith_field_enrolment {
	uint8_t sign_pk[32], box_pk[32], auth[64];
};
int kith_field_enrol_prepare(struct kith_vault *hq, const struct kith_field_device *dev,
			     struct kith_field_enrolment *out, struct kith_err *err) KITH_WUR;
int kith_field_enrol_hook(struct kith_store *s, void *enrolment, struct kith_err *err) KITH_WUR;

/* Headquarters: the organization's signature of the revocation of the device
 * with signing key sign_pk at `at` (Unix seconds):
 * Ed25519("kith-revoke-v1" || hq vault id || sign_pk || at (8, big-endian)). */
int kith_field_revoke_sign(struct kith_vault *hq, const uint8_t sign_pk[32], int64_t at, uint8_t sig[64],
			   struct kith_err *err) KITH_WUR;
/* The message a revocation signs, for the vault vault_id (headquarters' own,
 * or a field vault's when headquarters carries the revocation to it in a
 * bundle: bundle-format.md *Revocations*). */
#define KITH_FIELD_REVOKE_MSG (14 + 16 + 32 + 8)
void kith_field_revoke_message(uint8_t m[KITH_FIELD_REVOKE_MSG], const uint8_t vault_id[16],
			       const uint8_t sign_pk[32], int64_t at);
/* KITH_OK when sig is that revocation by hq's organization, else KITH_E_CORRUPT. */
int kith_field_revoke_verify(struct kith_vault *hq, const uint8_t sign_pk[32], int64_t at,
			     const uint8_t sig[64]);

/*
 * Field: reads an invitation (hostile input: every byte checked) and opens it
 * with `code` (as typed: normalized here). *out is set only on success.
 *   KITH_E_INVALID  not an invitation, a newer format, Argon2id parameters out
 *                   of range, a malformed code, a malformed name
 *   KITH_E_AUTH     the wrong code, or an altered file (indistinguishable)
 *   KITH_E_CORRUPT  authentic but inconsistent: keys that do not hold
 *                   together, an enrolment signature that does not verify
 *   KITH_E_NOMEM
 * err->where names the field ("invitation", "code", "kdf", "name", ...).
 */
int kith_field_invite_open(struct kith_field_invite **out, const void *data, size_t len, const char *code,
			   size_t code_len, struct kith_err *err) KITH_WUR;

void kith_field_invite_free(struct kith_field_invite *inv);

/* The device name inside an opened invitation (NUL-terminated). */
const char *kith_field_invite_name(const struct kith_field_invite *inv);

/*
 * Field: creates the field vault `path` (must not exist) from an opened
 * invitation: header (the invitation's vault id, the organization public key),
 * the main slot (the device keys, flag bits 1 and 2: org_spk, no org_sk) under
 * Argon2id(pass) at opts->kdf, the duress slot (a marker or random filler),
 * and two enrolled devices: this one and headquarters', each with the
 * organization's signature for this vault. The same statuses as
 * kith_vault_create; on failure no file is left behind.
 */
int kith_vault_create_field(const char *path, const char *pass, size_t pass_len,
			    const struct kith_vault_create_opts *opts, const struct kith_field_invite *inv,
			    struct kith_err *err) KITH_WUR;

/* For this module only: the open vault's keys and store (borrowed; NULL when
 * the vault's keys were destroyed). Defined in field.c. */
struct kith_crypto_keys *kith_vault_keys_borrow(struct kith_vault *v);
struct kith_store *kith_vault_store_borrow(struct kith_vault *v);

#endif
