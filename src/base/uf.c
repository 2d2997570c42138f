/*
 * Union-find: see uf.h.
 */
#include "base/uf.h"

#include <stdlib.h>

int kith_uf_init(struct kith_uf *uf, size_t n)
{
	uf->n = 0;
	uf->parent = malloc((n ? n : 1) * sizeof *uf->parent);
	if (!uf->parent)
		return KITH_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		uf->parent[i] = i;
	uf->n = n;
	return KITH_OK;
}

size_t kith_uf_find(struct kith_uf *uf, size_t x)
{
	size_t *p = uf->parent;
	while (p[x] != x) {
		p[x] = p[p[x]];
		x = p[x];
	}
	return x;
}

int kith_uf_join(struct kith_uf *uf, size_t a, size_t b)
{
	size_t ra = kith_uf_find(uf, a), rb = kith_uf_find(uf, b);
	if (ra == rb)
		return 0;
	if (ra < rb)
		uf->parent[rb] = ra;
	else
		uf->parent[ra] = rb;
	return 1;
}

void kith_uf_release(struct kith_uf *uf)
{
	free(uf->parent);
	uf->parent = NULL;
	uf->n = 0;
}
