/*
 * kdf_budget.h — shared by the fuzz targets of files that carry Argon2id
 * parameters after an 8-byte magic, a 4-byte format and a 4-byte algorithm
 * (the organization key backup, the field device invitation): a copy of the
 * input whose opslimit (> 3) and memlimit (> 64 KiB) are lowered to
 * libsodium's minimum when they are inside Argon2id's valid range but above
 * a fuzzing budget, so the rest of the file is still exercised in
 * milliseconds. Out-of-range values are left as they are: their refusal is
 * cheap and is what is tested. The caller frees the copy; NULL when out of
 * memory.
 */
#ifndef KITH_FUZZ_KDF_BUDGET_H
#define KITH_FUZZ_KDF_BUDGET_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static inline uint64_t kdf_budget_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void kdf_budget_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint8_t *kdf_budget_copy(const uint8_t *data, size_t size)
{
	uint8_t *f = malloc(size ? size : 1);
	if (!f)
		return NULL;
	memcpy(f, data, size);
	if (size >= 32) { /* magic 8, format 4, alg 4, ops 8, mem 8 */
		uint64_t ops = kdf_budget_be64(f + 16), mem = kdf_budget_be64(f + 24);
		if (ops > 3 && ops <= 64)
			kdf_budget_put_be64(f + 16, crypto_pwhash_argon2id_OPSLIMIT_MIN);
		if (mem > (64u << 10) && mem <= crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE)
			kdf_budget_put_be64(f + 24, crypto_pwhash_argon2id_MEMLIMIT_MIN);
	}
	return f;
}

#endif
