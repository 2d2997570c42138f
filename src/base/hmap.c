/*
 * hmap — linear-probing hash map of nonzero 64-bit keys (see hmap.h).
 */
#include "base/hmap.h"

#include <stdlib.h>

static size_t slot_of(uint64_t key, size_t cap)
{
	uint64_t z = key * 0x9E3779B97F4A7C15ULL;
	return (size_t)(z ^ (z >> 29)) & (cap - 1);
}

static int rehash(struct kith_hmap *m, size_t cap)
{
	uint64_t *k = calloc(cap, sizeof *k), *v = calloc(cap, sizeof *v);
	if (!k || !v) {
		free(k);
		free(v);
		return KITH_E_NOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t s = slot_of(m->keys[i], cap);
		while (k[s])
			s = (s + 1) & (cap - 1);
		k[s] = m->keys[i];
		v[s] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = k;
	m->vals = v;
	m->cap = cap;
	return KITH_OK;
}

int kith_hmap_reserve(struct kith_hmap *m, size_t expected)
{
	size_t want = 16;
	while (want / 2 < expected) {
		if (want > SIZE_MAX / 4)
			return KITH_E_NOMEM;
		want *= 2;
	}
	if (want <= m->cap)
		return KITH_OK;
	return rehash(m, want);
}

uint64_t *kith_hmap_get(const struct kith_hmap *m, uint64_t key)
{
	if (!m->cap || !key)
		return NULL;
	size_t s = slot_of(key, m->cap);
	while (m->keys[s]) {
		if (m->keys[s] == key)
			return &m->vals[s];
		s = (s + 1) & (m->cap - 1);
	}
	return NULL;
}

uint64_t *kith_hmap_upsert(struct kith_hmap *m, uint64_t key, uint64_t init)
{
	if (!key)
		return NULL;
	uint64_t *v = kith_hmap_get(m, key);
	if (v)
		return v;
	if ((m->n + 1) * 2 > m->cap && kith_hmap_reserve(m, m->n + 1))
		return NULL;
	size_t s = slot_of(key, m->cap);
	while (m->keys[s])
		s = (s + 1) & (m->cap - 1);
	m->keys[s] = key;
	m->vals[s] = init;
	m->n++;
	return &m->vals[s];
}

void kith_hmap_release(struct kith_hmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
	m->cap = m->n = 0;
}
