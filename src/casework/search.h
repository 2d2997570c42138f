/*
 * search — ranked search of a vault's cases by name, in any script.
 *
 * A struct kith_search is an index over the names of a vault's current cases
 * (the name as given and every other name), encoded by the names engine with
 * its blocking keys. It is rebuilt automatically when the vault's generation
 * changes. A query in Hangul or any romanization, whole or partial (surname
 * only, given name only), is scored against every candidate its blocking keys
 * reach (a surname alone: every name of that surname) and, when it has no
 * usable key or its keys are very common, against every name; hits are ranked
 * best first, one per case (its best-scoring name).
 *
 * Ownership: the index borrows the vault (which must outlive it) and owns its
 * encoded names (wiped on free). Hits are borrowed from the index until the
 * next search or kith_search_free; each hit's view is borrowed from the vault.
 */
#ifndef KITH_CORE_SEARCH_H
#define KITH_CORE_SEARCH_H

#include <stddef.h>

#include "base/status.h"
#include "vault/vault.h"

struct kith_search;

struct kith_search_hit {
	const struct kith_record_view *view; /* the case */
	const char *name;		     /* the case's name as given */
	const char *matched;		     /* the name that matched best */
	double score;			     /* in [0, 1] */
};

int kith_search_new(struct kith_search **out, struct kith_vault *v, struct kith_err *err) KITH_WUR;

/* Runs a query; at most `limit` hits (0: 20) with score >= min_score (0 means
 * the engine's default floor). KITH_OK, KITH_E_INVALID (empty query, bad
 * UTF-8: err says so), KITH_E_LIMIT (query too long), KITH_E_NOMEM. */
int kith_search_run(struct kith_search *s, const char *query, size_t len, size_t limit, double min_score,
		    const struct kith_search_hit **hits, size_t *n, struct kith_err *err) KITH_WUR;

void kith_search_free(struct kith_search *s);

#endif
