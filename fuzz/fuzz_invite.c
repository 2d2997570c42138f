/*
 * fuzz_invite — the field device invitation that `kith init --join` reads
 * (vault/field.c kith_field_invite_open), opened with the code of the corpus
 * files ("0123-4567-89AB-CDEF"; made by tests/unit/test_vault_field.c with
 * KITH_WRITE_INVITE_CORPUS, at the smallest Argon2id cost). Properties beyond
 * "no crash, no leak": every failure is KITH_E_INVALID, KITH_E_AUTH or
 * KITH_E_CORRUPT with a message and a where; a success yields a name of 1 to
 * 63 letters, digits, '.', '_' or '-'. Parameters inside Argon2id's range but
 * above a fuzzing budget are lowered to the minimum first (as fuzz_orgkey).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "vault/field.h"

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
	if (size >= 32) { /* magic 8, format 4, alg 4, ops 8, mem 8 */
		uint64_t ops = be64(f + 16), mem = be64(f + 24);
		if (ops > 3 && ops <= 64)
			put_be64(f + 16, crypto_pwhash_argon2id_OPSLIMIT_MIN);
		if (mem > (64u << 10) && mem <= crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE)
			put_be64(f + 24, crypto_pwhash_argon2id_MEMLIMIT_MIN);
	}
	static const char code[] = "0123-4567-89AB-CDEF";
	struct kith_field_invite *inv = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_field_invite_open(&inv, f, size, code, sizeof code - 1, &err);
	if (rc == KITH_OK) {
		const char *nm = kith_field_invite_name(inv);
		size_t n = strlen(nm);
		if (n == 0 || n > 63 ||
		    strspn(nm, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n)
			abort();
		kith_field_invite_free(inv);
	} else {
		if (rc != KITH_E_INVALID && rc != KITH_E_AUTH && rc != KITH_E_CORRUPT && rc != KITH_E_NOMEM)
			abort();
		if (!err.msg[0] || !err.where[0] || inv)
			abort();
	}
	free(f);
	return 0;
}
