/*
 * hmap — an open-addressing hash map from nonzero 64-bit keys to 64-bit
 * values, for the linkage engine's counters and indexes (ids, term
 * frequencies, comparison patterns).
 *
 * Keys are already hashes (kith_compare_hash); 0 is reserved for empty slots.
 * The map doubles when half full. It holds no plaintext, only hashes and
 * numbers.
 *
 * Ownership: a struct kith_hmap owns its arrays; release with kith_hmap_release.
 */
#ifndef KITH_LINK_HMAP_H
#define KITH_LINK_HMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

struct kith_hmap {
	uint64_t *keys;
	uint64_t *vals;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

#define KITH_HMAP_INIT                                                                                       \
	{                                                                                                    \
		0, 0, 0, 0                                                                                   \
	}

/* Makes room for `expected` keys. KITH_OK or KITH_E_NOMEM (map unchanged). */
int kith_hmap_reserve(struct kith_hmap *m, size_t expected) KITH_WUR;

/* The value slot of key (nonzero), or NULL when absent. */
uint64_t *kith_hmap_get(const struct kith_hmap *m, uint64_t key);

/* The value slot of key (nonzero), inserted with value `init` when absent.
 * NULL on out-of-memory (map unchanged). */
uint64_t *kith_hmap_upsert(struct kith_hmap *m, uint64_t key, uint64_t init);

/* Iteration: slot i in [0, cap) holds a key when keys[i] != 0. */

/* Frees the arrays; m is left empty. */
void kith_hmap_release(struct kith_hmap *m);

#endif
