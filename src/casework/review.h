/*
 * review — the duplicate review queue in the order a reviewer works it:
 * proposals a person made (no score) first, then by score, highest first,
 * then oldest first; filtered by a score range and a search over the cases'
 * refs and names. Works on the links of kith_link_vault_links_json.
 *
 * Ownership: links is borrowed; the array handed out is a new reference
 * holding the same link objects.
 */
#ifndef KITH_CASEWORK_REVIEW_H
#define KITH_CASEWORK_REVIEW_H

#include <jansson.h>

#include "base/status.h"

/* A filter; zero is every link. */
struct kith_review_query {
	double min_score, max_score; /* a range in [0, 1]; max 0 means 1. A link without a
					score (a person's proposal) passes only a range from 0 */
	const char *text;	     /* NULL or "": any; else a part of a case's ref or name (letters
					compared ignoring case) */
};

/*
 * *out: the links of `links` that pass q, in the order above. KITH_OK,
 * KITH_E_INVALID (where "min_score"/"max_score": outside [0, 1] or min >
 * max), KITH_E_NOMEM.
 */
int kith_review_order(const json_t *links, const struct kith_review_query *q, json_t **out,
		      struct kith_err *err) KITH_WUR;

#endif
