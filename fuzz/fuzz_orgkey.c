/*
 * fuzz_orgkey — the organization key backup file that `kith recover` reads
 * (vault/crypto.c kith_crypto_orgkey_import), with the passphrase of the
 * corpus files ("fuzz"; made with the smallest Argon2id limits). Properties
 * beyond "no crash, no leak": every failure is KITH_E_INVALID (not a key
 * file, out-of-range parameters) or KITH_E_AUTH (wrong passphrase, altered
 * box) with a message; a success yields a key pair whose public key is the
 * one the file's box holds.
 * Parameters inside Argon2id's valid range but above a fuzzing budget
 * (opslimit > 3, memlimit > 64 KiB) are lowered to the minimum before the
 * call, so the rest of the file is still exercised; out-of-range ones are
 * passed as they are (their refusal is cheap and is what is tested).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "kdf_budget.h"
#include "vault/crypto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return kith_process_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f = kdf_budget_copy(data, size);
	if (!f)
		return 0;
	struct kith_crypto_org *org = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_crypto_orgkey_import(&org, f, size, "fuzz", 4, &err);
	if (rc == KITH_OK) {
		if (!org || size != KITH_CRYPTO_ORGKEY_FILE_BYTES)
			abort();
		const uint8_t *pk = kith_crypto_org_pk(org);
		uint8_t zero[KITH_CRYPTO_PK_BYTES] = {0};
		if (!pk || sodium_memcmp(pk, zero, sizeof zero) == 0)
			abort();
		kith_crypto_org_free(org);
	} else if (org || !err.msg[0] || (rc != KITH_E_INVALID && rc != KITH_E_AUTH)) {
		abort();
	}
	free(f);
	return 0;
}
