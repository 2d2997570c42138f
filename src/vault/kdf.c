/*
 * kdf — the Argon2id cost levels a vault may be made with (vault.h, enum
 * kith_vault_kdf), the header's settings checked against them, and their
 * order of strength.
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <string.h>

#include "vault/crypto.h"
#include "vault/store.h"

/* ------------------------------------------------------------ KDF levels */

const struct vault_kdf_level vault_kdf_levels[KDF_LEVELS] = {
    [KITH_KDF_MODERATE] = {"moderate", crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
			   crypto_pwhash_argon2id_MEMLIMIT_MODERATE},
    [KITH_KDF_SENSITIVE] = {"sensitive", crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE,
			    crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE},
    [KITH_KDF_INTERACTIVE] = {"interactive", crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE},
    [KITH_KDF_TEST] = {"test", crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN},
};

struct kith_crypto_kdf vault_hdr_kdf(const struct kith_store_header *h)
{
	struct kith_crypto_kdf k = {.opslimit = h->opslimit, .memlimit = h->memlimit, .alg = h->alg};
	memcpy(k.salt, h->salt, sizeof k.salt);
	return k;
}

int vault_check_header(const struct kith_store_header *h, struct kith_err *err)
{
	if (h->format < 1 || h->format > KITH_STORE_FORMAT)
		return kith_err_set(err, KITH_E_CORRUPT, "header", "the vault header is damaged (format)");
	if (h->kdf < 0 || (size_t)h->kdf >= KDF_LEVELS || vault_kdf_levels[h->kdf].ops != h->opslimit ||
	    vault_kdf_levels[h->kdf].mem != h->memlimit || h->alg != crypto_pwhash_ALG_ARGON2ID13)
		return kith_err_set(err, KITH_E_CORRUPT, "header",
				    "the key derivation settings in the header are damaged");
	return KITH_OK;
}

/* Argon2id levels by strength (the enum is not ordered so). */
int vault_kdf_rank(int level)
{
	switch (level) {
	case KITH_KDF_TEST:
		return 0;
	case KITH_KDF_INTERACTIVE:
		return 1;
	case KITH_KDF_MODERATE:
		return 2;
	default:
		return 3;
	}
}

/* The level whose cost a backup file was written with: MODERATE for any
 * vault but a test-level (TEST) or SENSITIVE one (kith_vault_export_org_key). */
int vault_kdf_level_of(unsigned long long ops, size_t mem)
{
	for (size_t i = 0; i < KDF_LEVELS; i++)
		if (vault_kdf_levels[i].ops == ops && vault_kdf_levels[i].mem == mem)
			return (int)i;
	return KITH_KDF_MODERATE;
}
