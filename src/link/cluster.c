/*
 * cluster — greedy merging of match links with a guard (see cluster.h).
 *
 * Union–find (base/uf: the representative is a set's smallest record) keeps
 * the sets; each set also keeps the list of its members (a linked list
 * through `next`, from the representative) so the guard can test every pair
 * across the two sets being merged.
 */
#include "link/cluster.h"

#include <stdlib.h>
#include <string.h>

#include "base/hmap.h"
#include "base/uf.h"

static int cmp_edge(const void *x, const void *y)
{
	const struct kith_cluster_edge *a = x, *b = y;
	if (a->prob != b->prob)
		return a->prob > b->prob ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

static uint64_t pair_key(uint32_t a, uint32_t b)
{
	if (a > b) {
		uint32_t t = a;
		a = b;
		b = t;
	}
	return (((uint64_t)a << 32) | b) + 1;
}

void kith_cluster_result_release(struct kith_cluster_result *r)
{
	if (!r)
		return;
	free(r->cluster);
	free(r->prob);
	memset(r, 0, sizeof *r);
}

int kith_cluster_run(size_t n, const uint32_t *source, const struct kith_cluster_edge *edges, size_t n_edges,
		     const struct kith_cluster_opts *opts, struct kith_cluster_result *out,
		     struct kith_err *err)
{
	struct kith_cluster_opts dflt = {0};
	if (!opts)
		opts = &dflt;
	enum kith_cluster_guard guard = opts->guard;
	double gp = opts->guard_prob > 0 ? opts->guard_prob : 0.5;
	if (n >= UINT32_MAX)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "too many records");
	for (size_t i = 0; i < n_edges; i++)
		if (edges[i].a >= n || edges[i].b >= n || edges[i].a == edges[i].b)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "link %zu names a record out of range or itself", i);
	struct kith_cluster_edge *e = malloc((n_edges ? n_edges : 1) * sizeof *e);
	struct kith_uf uf = {0};
	uint32_t *size = malloc((n ? n : 1) * sizeof *size);
	uint32_t *next = malloc((n ? n : 1) * sizeof *next);
	uint32_t *tail = malloc((n ? n : 1) * sizeof *tail);
	uint32_t *cl = malloc((n ? n : 1) * sizeof *cl);
	double *prob = malloc((n ? n : 1) * sizeof *prob);
	struct kith_hmap set = KITH_HMAP_INIT;
	int rc = KITH_OK;
	if (!e || kith_uf_init(&uf, n) || !size || !next || !tail || !cl || !prob ||
	    kith_hmap_reserve(&set, n_edges)) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (n_edges)
		memcpy(e, edges, n_edges * sizeof *e);
	qsort(e, n_edges, sizeof *e, cmp_edge);
	for (size_t i = 0; i < n_edges; i++) {
		if (!kith_hmap_upsert(&set, pair_key(e[i].a, e[i].b), i + 1)) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		size[i] = 1;
		next[i] = UINT32_MAX;
		tail[i] = (uint32_t)i;
		prob[i] = -1;
	}
	size_t merges = 0, refused = 0, scored = 0;
	for (size_t k = 0; k < n_edges; k++) {
		uint32_t ra = (uint32_t)kith_uf_find(&uf, e[k].a), rb = (uint32_t)kith_uf_find(&uf, e[k].b);
		if (ra == rb)
			continue;
		int ok = 1;
		if (guard != KITH_CLUSTER_NONE) {
			for (uint32_t x = ra; ok && x != UINT32_MAX; x = next[x]) {
				for (uint32_t y = rb; y != UINT32_MAX; y = next[y]) {
					if (guard == KITH_CLUSTER_LISTS && source[x] != source[y])
						continue;
					const uint64_t *link = kith_hmap_get(&set, pair_key(x, y));
					if (link && e[*link - 1].prob >= gp)
						continue; /* a link as strong as the guard asks */
					if (link) {
						ok = 0;
						break;
					}
					scored++;
					if (!opts->prob || !(opts->prob(x, y, opts->arg) >= gp)) {
						ok = 0;
						break;
					}
				}
			}
		}
		if (!ok) {
			refused++;
			continue;
		}
		if (rb < ra) { /* ra: the smaller, which kith_uf_join keeps as the root */
			uint32_t t = ra;
			ra = rb;
			rb = t;
		}
		kith_uf_join(&uf, ra, rb);
		size[ra] += size[rb];
		next[tail[ra]] = rb;
		tail[ra] = tail[rb];
		merges++;
	}
	/* each record's strongest link inside its person */
	for (size_t k = 0; k < n_edges; k++) {
		if (kith_uf_find(&uf, e[k].a) != kith_uf_find(&uf, e[k].b))
			continue;
		if (e[k].prob > prob[e[k].a])
			prob[e[k].a] = e[k].prob;
		if (e[k].prob > prob[e[k].b])
			prob[e[k].b] = e[k].prob;
	}
	/* number persons in order of their first record */
	for (size_t i = 0; i < n; i++)
		tail[i] = UINT32_MAX; /* reused: root -> person number */
	size_t nc = 0, largest = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = kith_uf_find(&uf, i);
		if (tail[r] == UINT32_MAX)
			tail[r] = (uint32_t)nc++;
		cl[i] = tail[r];
		if (size[r] > largest)
			largest = size[r];
	}
	out->cluster = cl;
	out->prob = prob;
	out->n_records = n;
	out->n_clusters = nc;
	out->merges = merges;
	out->refused = refused;
	out->scored = scored;
	out->largest = largest;
	cl = NULL;
	prob = NULL;
out:
	kith_hmap_release(&set);
	free(e);
	kith_uf_release(&uf);
	free(size);
	free(next);
	free(tail);
	free(cl);
	free(prob);
	return rc;
}
