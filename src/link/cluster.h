/*
 * cluster — pairwise matches into persons, with a guard against chaining.
 *
 * Taking the connected components of the match graph (single linkage) lets
 * one wrong link chain two people together, and long chains of fair links
 * join strangers: A~B and B~C put A and C in one person however unlike they
 * are. kith merges greedily, strongest link first, and refuses a merge that
 * would break the guard:
 *
 *   KITH_CLUSTER_LISTS (default): a person may hold two records of the same
 *     list only if those two records are themselves likely the same: their
 *     own match probability (from the links, or computed on demand for a pair
 *     that blocking never compared) is at least the guard probability (0.5 by
 *     default: not more likely two people than one). A list rarely records one
 *     person twice, so two of its records that the model thinks are two people
 *     stay apart, whatever chain of other lists' records joins them. Records
 *     of different lists may be joined through others (transitively).
 *   KITH_CLUSTER_STRICT: the same test for every two records of a person,
 *     whatever their lists.
 *   KITH_CLUSTER_NONE: connected components (for comparison only).
 *
 * Because links are taken strongest first, when a chain must be cut it is cut
 * at its weakest link. The result is deterministic: ties are broken by record
 * index.
 *
 * Ownership: inputs are borrowed; the result's arrays are owned by the result
 * (kith_cluster_result_release).
 */
#ifndef KITH_LINK_CLUSTER_H
#define KITH_LINK_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

enum kith_cluster_guard {
	KITH_CLUSTER_LISTS = 0,
	KITH_CLUSTER_STRICT = 1,
	KITH_CLUSTER_NONE = 2,
};

/* A match: records a != b with match probability prob. */
struct kith_cluster_edge {
	uint32_t a;
	uint32_t b;
	double prob;
};

struct kith_cluster_result {
	uint32_t *cluster; /* per record: 0-based person, numbered in order of first record */
	double *prob;	   /* per record: strongest link to another member; -1 for a person of one record */
	size_t n_records;
	size_t n_clusters;
	size_t merges;	/* links that joined two persons */
	size_t refused; /* links refused by the guard */
	size_t scored;	/* pairs the guard scored on demand */
	size_t largest; /* records in the largest person */
};

struct kith_cluster_opts {
	enum kith_cluster_guard guard;
	double guard_prob; /* 0: 0.5 */
	/* the match probability of a pair without a link (NULL: 0) */
	double (*prob)(uint32_t a, uint32_t b, void *arg);
	void *arg;
};

/*
 * Clusters n records (source[i] = the list of record i) given the match
 * links edges[0..n_edges) (each at or above the caller's threshold; a pair
 * may appear once). opts NULL means the defaults with no scorer. KITH_OK,
 * KITH_E_INVALID (a link names a record out of range or itself),
 * KITH_E_NOMEM. *out is set only on success.
 */
int kith_cluster_run(size_t n, const uint32_t *source, const struct kith_cluster_edge *edges, size_t n_edges,
		     const struct kith_cluster_opts *opts, struct kith_cluster_result *out,
		     struct kith_err *err) KITH_WUR;

void kith_cluster_result_release(struct kith_cluster_result *r);

#endif
