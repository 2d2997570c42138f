/*
 * Union-find (disjoint sets) over the integers 0 .. n-1, with path halving
 * and union by smaller index, so that the root of a set is always its
 * smallest member: results do not depend on the order of the joins.
 *
 * Ownership: a struct kith_uf owns its array; kith_uf_release frees it.
 */
#ifndef KITH_BASE_UF_H
#define KITH_BASE_UF_H

#include <stddef.h>

#include "base/status.h"

struct kith_uf {
	size_t *parent; /* n entries */
	size_t n;
};

/* Makes n singletons. KITH_OK, or KITH_E_NOMEM with *uf zeroed. */
int kith_uf_init(struct kith_uf *uf, size_t n) KITH_WUR;

/* The root (smallest member) of x's set; x < uf->n. */
size_t kith_uf_find(struct kith_uf *uf, size_t x);

/* Joins the sets of a and b; 1 when they were apart, 0 when already one. */
int kith_uf_join(struct kith_uf *uf, size_t a, size_t b);

/* Frees the array and zeroes *uf. A zeroed struct is allowed. */
void kith_uf_release(struct kith_uf *uf);

#endif
