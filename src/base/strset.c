/*
 * strset — distinct strings by index: see strset.h.
 */
#include "base/strset.h"

#include <stdlib.h>
#include <string.h>

long kith_strset_find(const struct kith_strset *set, const char *s)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i], s) == 0)
			return (long)i;
	return -1;
}

long kith_strset_index(struct kith_strset *set, const char *s)
{
	long f = kith_strset_find(set, s);
	if (f >= 0)
		return f;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		char **nv = realloc(set->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		set->v = nv;
		set->cap = cap;
	}
	char *d = strdup(s);
	if (!d)
		return -1;
	set->v[set->n] = d;
	return (long)set->n++;
}

void kith_strset_release(struct kith_strset *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
}
