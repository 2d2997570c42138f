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

#include "vault/crypto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return kith_process_init();
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f = malloc(size ? size : 1);
	if (!f)
		return 0;
	memcpy(f, data, size);
	if (size >= 32) { /* offsets of the format: magic 8, format 4, alg 4, ops 8, mem 8 */
		uint64_t ops = be64(f + 16), mem = be64(f + 24);
		if (ops > 3 && ops <= 64)
			put_be64(f + 16, crypto_pwhash_argon2id_OPSLIMIT_MIN);
		if (mem > (64u << 10) && mem <= crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE)
			put_be64(f + 24, crypto_pwhash_argon2id_MEMLIMIT_MIN);
	}
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
