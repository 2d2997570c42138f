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

/* How a query may use threads: at most `threads` (0: every processor), and
 * only over an index of at least parallel_from names (0: the default; the
 * tests lower it to run the threaded path on a small vault). The library
 * reads no environment variable: the command line passes KITH_THREADS. */
void kith_search_tune(struct kith_search *s, unsigned threads, size_t parallel_from);

/* What to return of a query; zero is the defaults. */
struct kith_search_opts {
	size_t limit;	  /* hits on this page, at most (0: 20) */
	size_t offset;	  /* hits to skip, best first (paging) */
	double min_score; /* the floor (0: the engine's default, 0.55) */
};

/* One page of a query's hits, and how many there are in all. */
struct kith_search_result {
	const struct kith_search_hit *hits; /* borrowed from the index until the next query */
	size_t n;			    /* hits on this page */
	size_t total;			    /* cases matching, on every page */
};

/* Runs a query. A query with a digit is a case number: the case whose ref is
 * the query (case aside) scores 1, cases whose ref contains it 0.9, and
 * names are not searched ("R0000031"). Anything else is a name, whole or in
 * part: every case whose best name scores at least the floor is counted in
 * total, and the page [offset, offset + limit) of them is returned, best
 * first (ties by ref). KITH_OK, KITH_E_INVALID (empty query, bad UTF-8: err
 * says so), KITH_E_LIMIT (query too long), KITH_E_NOMEM. On failure *res is
 * unchanged. */
int kith_search_query(struct kith_search *s, const char *query, size_t len,
		      const struct kith_search_opts *opts, struct kith_search_result *res,
		      struct kith_err *err) KITH_WUR;

/* kith_search_query's first page: at most `limit` hits (0: 20) with score >=
 * min_score (0: the default floor); *n hits. */
int kith_search_run(struct kith_search *s, const char *query, size_t len, size_t limit, double min_score,
		    const struct kith_search_hit **hits, size_t *n, struct kith_err *err) KITH_WUR;

void kith_search_free(struct kith_search *s);

#endif
