/*
 * strset — a small set of distinct strings in the order they were first
 * added, each known by its index: list names, organizations' spellings, the
 * values of a field. Lookups are linear (the sets this serves hold tens of
 * strings, not thousands).
 *
 * Ownership: a struct kith_strset owns its strings (copies of what was
 * added); release it with kith_strset_release. v[i] for i < n may be read.
 */
#ifndef KITH_BASE_STRSET_H
#define KITH_BASE_STRSET_H

#include <stddef.h>

#include "base/status.h"

struct kith_strset {
	char **v; /* n strings */
	size_t n, cap;
};

#define KITH_STRSET_INIT                                                                                     \
	{                                                                                                    \
		0, 0, 0                                                                                      \
	}

/* The index of s, or -1 when absent. */
long kith_strset_find(const struct kith_strset *set, const char *s);

/* The index of s, added (copied) when new; -1 on out of memory (set unchanged). */
long kith_strset_index(struct kith_strset *set, const char *s);

/* Frees the strings and the array; set is left empty. */
void kith_strset_release(struct kith_strset *set);

#endif
