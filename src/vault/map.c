/*
 * map — the vault's hash maps: a record or a staged version by its id, and by
 * (kind, ref). Keys are byte strings borrowed from the records (never copied),
 * compared in full; the hash is SipHash (crypto_shorthash) under a random key
 * per map, so a hostile file cannot choose refs that collide. Open addressing
 * with linear probing and backward-shift deletion.
 *
 * Not base/hmap: that one maps keys that are already 64-bit hashes and never
 * compares the bytes behind them, has no deletion, and uses a fixed mixer; a
 * record found by the wrong ref would be a silent wrong answer.
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void vault_map_init(struct map *m)
{
	memset(m, 0, sizeof *m);
	randombytes_buf(m->k, sizeof m->k);
}

void vault_map_free(struct map *m)
{
	if (m->e) {
		sodium_memzero(m->e, m->cap * sizeof *m->e);
		free(m->e);
	}
	sodium_memzero(m, sizeof *m);
}

static uint64_t map_hash(const struct map *m, const void *key, size_t n)
{
	uint8_t out[crypto_shorthash_BYTES];
	crypto_shorthash(out, key, n, m->k);
	uint64_t h;
	memcpy(&h, out, sizeof h);
	return h;
}

int vault_map_reserve(struct map *m, size_t extra)
{
	if (extra > SIZE_MAX / 4 - m->n)
		return KITH_E_NOMEM;
	size_t need = (m->n + extra) * 2;
	if (need <= m->cap)
		return KITH_OK;
	size_t cap = m->cap ? m->cap : 16;
	while (cap < need)
		cap *= 2;
	struct ment *e = calloc(cap, sizeof *e);
	if (!e)
		return KITH_E_NOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->e[i].key)
			continue;
		size_t j = (size_t)m->e[i].h & (cap - 1);
		while (e[j].key)
			j = (j + 1) & (cap - 1);
		e[j] = m->e[i];
	}
	if (m->e) {
		sodium_memzero(m->e, m->cap * sizeof *m->e);
		free(m->e);
	}
	m->e = e;
	m->cap = cap;
	return KITH_OK;
}

static struct ment *map_find(const struct map *m, const void *key, size_t n, uint64_t h)
{
	if (!m->cap)
		return NULL;
	size_t i = (size_t)h & (m->cap - 1);
	while (m->e[i].key) {
		if (m->e[i].h == h && m->e[i].klen == n && memcmp(m->e[i].key, key, n) == 0)
			return &m->e[i];
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
}

void *vault_map_get(const struct map *m, const void *key, size_t n)
{
	if (!m->cap)
		return NULL;
	struct ment *e = map_find(m, key, n, map_hash(m, key, n));
	return e ? e->val : NULL;
}

/* Inserts or replaces (the key pointer too). KITH_OK or KITH_E_NOMEM; never
 * fails after vault_map_reserve made room for it. */
int vault_map_put(struct map *m, const void *key, size_t n, void *val)
{
	if (vault_map_reserve(m, 1))
		return KITH_E_NOMEM;
	uint64_t h = map_hash(m, key, n);
	struct ment *e = map_find(m, key, n, h);
	if (!e) {
		size_t i = (size_t)h & (m->cap - 1);
		while (m->e[i].key)
			i = (i + 1) & (m->cap - 1);
		e = &m->e[i];
		e->h = h;
		e->klen = n;
		m->n++;
	}
	e->key = key;
	e->val = val;
	return KITH_OK;
}

int vault_map_add(struct map *m, const void *key, size_t n, void *val)
{
	if (vault_map_reserve(m, 1))
		return KITH_E_NOMEM;
	uint64_t h = map_hash(m, key, n);
	size_t i = (size_t)h & (m->cap - 1);
	for (; m->e[i].key; i = (i + 1) & (m->cap - 1))
		if (m->e[i].h == h && m->e[i].klen == n && memcmp(m->e[i].key, key, n) == 0)
			return 0;
	m->e[i] = (struct ment){.key = key, .klen = n, .h = h, .val = val};
	m->n++;
	return 1;
}

void vault_map_del(struct map *m, const void *key, size_t n)
{
	if (!m->cap)
		return;
	struct ment *e = map_find(m, key, n, map_hash(m, key, n));
	if (!e)
		return;
	size_t mask = m->cap - 1, i = (size_t)(e - m->e), j = i;
	for (;;) { /* backward-shift deletion keeps probe chains whole */
		j = (j + 1) & mask;
		if (!m->e[j].key)
			break;
		size_t k = (size_t)m->e[j].h & mask;
		int move = i <= j ? (k <= i || k > j) : (k <= i && k > j);
		if (move) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	memset(&m->e[i], 0, sizeof m->e[i]);
	m->n--;
}
