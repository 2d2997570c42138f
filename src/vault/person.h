/*
 * person — a person's own signing key in format 2 (per_spk / per_ssk;
 * docs/vault-format.md *People*, "Person signing keys"). The key pair is
 * derived from the anchor key of the person's passphrase slot (itself from
 * the slot's KEK and the device keys): only that passphrase on that device
 * makes it, and nothing more is stored. Its public half is in the person's
 * record ("sign_pks", every key they have had). A batch written with a
 * person's slot carries per_spk in its manifest and sig_per, the person's
 * Ed25519ph signature of the manifest; readers check the signature and that
 * the key is a person's of this vault, not removed before the batch.
 * Ownership: v->per_sk is sodium_malloc'd, wiped by vault_person_free.
 */
#ifndef KITH_VAULT_PERSON_H
#define KITH_VAULT_PERSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/status.h"

struct kith_vault;

/* The person key pair of a slot whose anchor key is ak: pk (32) and, when
 * sk is not NULL, the secret key (64, to wipe). */
void vault_person_keypair(const uint8_t ak[32], uint8_t pk[32], uint8_t *sk);

/* 1 when v writes as a person (a person slot unlocked v, format 2): v->per_sk
 * and v->per_pk are then set (derived once). 0: no person (the main slot,
 * format 1, duress), or out of memory. */
int vault_person_signer(struct kith_vault *v);

/* Ed25519ph of m by v's person (vault_person_signer(v) must be 1). */
int vault_person_sign(const struct kith_vault *v, const void *m, size_t len, uint8_t sig[64]);

void vault_person_free(struct kith_vault *v);

/* Every person key a vault knows, from its person records: the key, the
 * person's id, and when they were removed (0: not removed). */
struct vault_person_key {
	uint8_t pk[32];
	char pid[33];
	int64_t removed_at;
};

/* Appends the keys of one person record body (its "sign_pks"; malformed
 * entries skipped) to *a (realloc'd). KITH_OK, KITH_E_NOMEM. */
int vault_person_keys_add(const json_t *body, struct vault_person_key **a, size_t *n, size_t *cap);

/* Every person record of v (current versions). */
int vault_person_keys(const struct kith_vault *v, struct vault_person_key **a, size_t *n);

/* The entry of pk, or NULL. */
const struct vault_person_key *vault_person_find(const struct vault_person_key *a, size_t n,
						 const uint8_t pk[32]);

/* Whether a batch signed at `at` by pk may be taken: KITH_OK; KITH_E_NOTFOUND
 * (not a person of this vault: why says so); KITH_E_AUTH (signed after the
 * person's removal, in a later second: why gives the date). */
int vault_person_may_sign(const struct vault_person_key *a, size_t n, const uint8_t pk[32], int64_t at,
			  char *why, size_t whysz);

/* manifest.c: after the index is read (vault_people_bind), every batch
 * signed by a person whose key is not a person's of v, or dated after that
 * person's removal, is a finding of kith_vault_integrity. KITH_OK,
 * KITH_E_NOMEM. */
int vault_v2_person_check(struct kith_vault *v);

#endif
