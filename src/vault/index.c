/*
 * index — the in-memory index of the current version of every readable
 * record (vault_impl.h says how it is laid out), and the damage list: the
 * records whose current version cannot be read, by id, with the kind and ref
 * of their newest readable version when one exists.
 */
#include "vault/sync.h"
#include "vault/vault_impl.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ index */

struct kindx *vault_kind_get(const struct kith_vault *v, const char *name, size_t *idx)
{
	for (size_t i = 0; i < v->nkinds; i++)
		if (strcmp(v->kinds[i]->name, name) == 0) {
			if (idx)
				*idx = i;
			return v->kinds[i];
		}
	return NULL;
}

int vault_kind_intern(struct kith_vault *v, const char *name, size_t *idx)
{
	if (vault_kind_get(v, name, idx))
		return KITH_OK;
	if (!vault_kind_name_ok(name) || v->nkinds >= KINDS_MAX)
		return KITH_E_INVALID;
	struct kindx **nk = realloc(v->kinds, (v->nkinds + 1) * sizeof *nk);
	if (!nk)
		return KITH_E_NOMEM;
	v->kinds = nk;
	struct kindx *k = calloc(1, sizeof *k);
	if (!k)
		return KITH_E_NOMEM;
	snprintf(k->name, sizeof k->name, "%s", name);
	vault_map_init(&k->refs);
	v->kinds[v->nkinds] = k;
	*idx = v->nkinds++;
	return KITH_OK;
}

int vault_kind_reserve(struct kindx *k, size_t extra)
{
	if (extra > SIZE_MAX / 4 - k->n)
		return KITH_E_NOMEM;
	if (k->n + extra <= k->cap)
		return KITH_OK;
	size_t cap = k->cap ? k->cap : 64;
	while (cap < k->n + extra)
		cap *= 2;
	struct kith_record_view *nv = malloc(cap * sizeof *nv);
	struct rec **nr = malloc(cap * sizeof *nr);
	if (!nv || !nr) {
		free(nv);
		free(nr);
		return KITH_E_NOMEM;
	}
	if (k->n) {
		memcpy(nv, k->views, k->n * sizeof *nv);
		memcpy(nr, k->recs, k->n * sizeof *nr);
	}
	free(k->views);
	free(k->recs);
	k->views = nv;
	k->recs = nr;
	k->cap = cap;
	return KITH_OK;
}

static void rec_free(struct rec *r)
{
	if (!r)
		return;
	kith_wipe_free(r->mem, r->mem_len);
	sodium_memzero(r, sizeof *r);
	free(r);
}

static int sortkey_cmp(const void *a, const void *b)
{
	const struct sortkey *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return memcmp(x->id, y->id, ID_BYTES);
}

static int rec_before(const struct rec *a, int64_t created, const uint8_t *id)
{
	if (a->created != created)
		return a->created < created;
	return memcmp(a->id, id, ID_BYTES) < 0;
}

/* The first position in k's first n records whose record does not come
 * before (created, id). */
size_t vault_kind_lower_bound(const struct kindx *k, size_t n, int64_t created, const uint8_t *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rec_before(k->recs[mid], created, id))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vault_sortbuf_reserve(struct sortbuf *b, size_t m)
{
	if (m <= b->cap)
		return KITH_OK;
	struct sortkey *k = malloc(m * sizeof *k);
	struct kith_record_view *v = malloc(m * sizeof *v);
	struct rec **r = malloc(m * sizeof *r);
	if (!k || !v || !r) {
		free(k);
		free(v);
		free(r);
		return KITH_E_NOMEM;
	}
	free(b->keys);
	free(b->views);
	free(b->recs);
	b->keys = k;
	b->views = v;
	b->recs = r;
	b->cap = m;
	return KITH_OK;
}

void vault_sortbuf_release(struct sortbuf *b)
{
	free(b->keys);
	free(b->views); /* pointers into records only, no plaintext */
	free(b->recs);
	memset(b, 0, sizeof *b);
}

/* Sorts positions [p, n) of k into creation order (b holds n - p). */
void vault_kind_sort_from(struct kindx *k, size_t p, struct sortbuf *b)
{
	size_t m = k->n - p;
	if (m == 0)
		return;
	for (size_t j = 0; j < m; j++) {
		b->keys[j].created = k->recs[p + j]->created;
		memcpy(b->keys[j].id, k->recs[p + j]->id, ID_BYTES);
		b->keys[j].idx = p + j;
	}
	qsort(b->keys, m, sizeof *b->keys, sortkey_cmp);
	for (size_t j = 0; j < m; j++) {
		b->views[j] = k->views[b->keys[j].idx];
		b->recs[j] = k->recs[b->keys[j].idx];
	}
	memcpy(k->views + p, b->views, m * sizeof *b->views);
	memcpy(k->recs + p, b->recs, m * sizeof *b->recs);
	for (size_t j = p; j < k->n; j++) {
		k->views[j].index = j;
		k->recs[j]->pos = j;
	}
}

static void kind_free(struct kindx *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		rec_free(k->recs[i]);
	free(k->views);
	free(k->recs);
	vault_map_free(&k->refs);
	free(k);
}

struct kith_record_view *vault_rec_view(const struct kith_vault *v, const struct rec *r)
{
	return &v->kinds[r->kind]->views[r->pos];
}

/* ------------------------------------------------------------ damage list */

int vault_damage_add(struct kith_vault *v, const uint8_t id[ID_BYTES], uint32_t version, const char *reason)
{
	if (v->ndamage == v->damage_cap) {
		size_t cap = v->damage_cap ? v->damage_cap * 2 : 8;
		struct kith_vault_damage *d = calloc(cap, sizeof *d);
		struct dmg *x = calloc(cap, sizeof *x);
		if (!d || !x) {
			free(d);
			free(x);
			return KITH_E_NOMEM;
		}
		if (v->ndamage) {
			memcpy(d, v->damage, v->ndamage * sizeof *d);
			memcpy(x, v->dmg, v->ndamage * sizeof *x);
		}
		kith_wipe_free(v->damage, v->damage_cap * sizeof *v->damage);
		free(v->dmg);
		v->damage = d;
		v->dmg = x;
		v->damage_cap = cap;
	}
	struct kith_vault_damage *d = &v->damage[v->ndamage];
	struct dmg *x = &v->dmg[v->ndamage];
	memset(d, 0, sizeof *d);
	memset(x, 0, sizeof *x);
	sodium_bin2hex(d->id, sizeof d->id, id, ID_BYTES);
	d->version = version;
	d->reason = reason;
	memcpy(x->id, id, ID_BYTES);
	v->ndamage++;
	return KITH_OK;
}

long vault_damage_find_id(const struct kith_vault *v, const uint8_t id[ID_BYTES])
{
	for (size_t i = 0; i < v->ndamage; i++)
		if (memcmp(v->dmg[i].id, id, ID_BYTES) == 0)
			return (long)i;
	return -1;
}

long vault_damage_find_ref(const struct kith_vault *v, size_t kind, const char *ref)
{
	for (size_t i = 0; i < v->ndamage; i++)
		if (v->dmg[i].has_kind && v->dmg[i].kind == kind && strcmp(v->damage[i].ref, ref) == 0)
			return (long)i;
	return -1;
}

void vault_damage_remove(struct kith_vault *v, long i)
{
	if (i < 0)
		return;
	size_t at = (size_t)i;
	memmove(&v->damage[at], &v->damage[at + 1], (v->ndamage - at - 1) * sizeof *v->damage);
	memmove(&v->dmg[at], &v->dmg[at + 1], (v->ndamage - at - 1) * sizeof *v->dmg);
	v->ndamage--;
	sodium_memzero(&v->damage[v->ndamage], sizeof *v->damage);
}

void vault_index_free(struct kith_vault *v)
{
	kith_sync_received_free(v->received);
	v->received = NULL;
	for (size_t i = 0; i < v->nkinds; i++)
		kind_free(v->kinds[i]);
	free(v->kinds);
	v->kinds = NULL;
	v->nkinds = 0;
	vault_map_free(&v->ids);
	vault_map_init(&v->ids);
	kith_wipe_free(v->damage, v->damage_cap * sizeof *v->damage);
	free(v->dmg);
	v->damage = NULL;
	v->dmg = NULL;
	v->ndamage = v->damage_cap = 0;
}
