/*
 * triad — the evidence of a third record (see triad.h).
 *
 * The pairs at odds of 1/128 or more (the strong pairs) form a graph, kept
 * as sorted neighbour lists. A pair's triads are the records in both of its
 * records' lists (a lift or a cut), and, for a pair at or above even odds,
 * the strong neighbours of one record whose pair with the other record was
 * compared below 1/128 (a cut): those pairs are looked up once, in a pass
 * over every compared pair, through a map of the few that are asked for.
 */
#include "link/triad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/hmap.h"
#include "base/pool.h"

#define TRIAD_WMIN (-7.0f) /* odds below 1/128: neither judged again nor a strong neighbour */
#define TRIAD_FOUND (1ULL << 32)

struct nb {
	uint32_t c;
	float w;
};

static int nb_cmp(const void *x, const void *y)
{
	const struct nb *p = x, *q = y;
	return (p->c > q->c) - (p->c < q->c);
}

static uint64_t pair_key(uint32_t x, uint32_t y)
{
	uint32_t lo = x < y ? x : y, hi = x < y ? y : x;
	return (((uint64_t)lo << 32) | hi) + 1;
}

/* log2 of the factor (1 + kappa·o1·o2) / (1 + o1 + o2), from the two weights */
static double factor_bits(double kappa, float w1, float w2)
{
	double o1 = exp2(w1 > 60 ? 60 : w1), o2 = exp2(w2 > 60 ? 60 : w2);
	return log2(1 + kappa * o1 * o2) - log2(1 + o1 + o2);
}

/* The weight of the compared pair (x, y) below TRIAD_WMIN, if it was asked for and found. */
static int looked_up(const struct kith_hmap *q, uint32_t x, uint32_t y, float *w)
{
	const uint64_t *v = kith_hmap_get(q, pair_key(x, y));
	if (!v || !(*v & TRIAD_FOUND))
		return 0;
	uint32_t bits = (uint32_t)(*v & 0xffffffffULL);
	memcpy(w, &bits, sizeof *w);
	return 1;
}

/* The work of the passes over every pair, in chunks on the threads. */
#define TRIAD_CHUNK 65536

struct chunk_out {
	struct kith_triad_change *ch;
	size_t n, cap;
	int fail;
};

struct job {
	const struct kith_block_pair *pairs;
	const float *weight;
	size_t n;
	const size_t *off;
	const struct nb *nb;
	struct kith_hmap *q;
	const uint8_t *want;
	double kappa, share;
	struct chunk_out *out;
};

/* The weights of the pairs below TRIAD_WMIN that a cut asked for: each
 * pair's own slot of the map (every pair is compared once), keys unchanged. */
static void fill_chunk(size_t c, void *arg)
{
	const struct job *j = arg;
	size_t hi = (c + 1) * TRIAD_CHUNK < j->n ? (c + 1) * TRIAD_CHUNK : j->n;
	for (size_t i = c * TRIAD_CHUNK; i < hi; i++) {
		const struct kith_block_pair *p = &j->pairs[i];
		if (j->weight[i] >= TRIAD_WMIN || !j->want[p->a] || !j->want[p->b])
			continue;
		uint64_t *v = kith_hmap_get(j->q, pair_key(p->a, p->b));
		if (v) {
			uint32_t bits;
			memcpy(&bits, &j->weight[i], sizeof bits);
			*v = TRIAD_FOUND | bits;
		}
	}
}

/* Every change of a chunk's pairs, from the weights before any change. */
static void change_chunk(size_t c, void *arg)
{
	const struct job *j = arg;
	struct chunk_out *o = &j->out[c];
	const struct nb *nb = j->nb;
	size_t hi = (c + 1) * TRIAD_CHUNK < j->n ? (c + 1) * TRIAD_CHUNK : j->n;
	for (size_t i = c * TRIAD_CHUNK; i < hi && !o->fail; i++) {
		float w = j->weight[i];
		if (w < TRIAD_WMIN)
			continue;
		uint32_t a = j->pairs[i].a, b = j->pairs[i].b;
		double up = 0, down = 0;
		size_t x = j->off[a], xe = j->off[a + 1], y = j->off[b], ye = j->off[b + 1];
		while (x < xe || y < ye) {
			double d;
			float other;
			if (y >= ye || (x < xe && nb[x].c < nb[y].c)) {
				if (w >= 0 && nb[x].c != b && looked_up(j->q, b, nb[x].c, &other)) {
					d = factor_bits(j->kappa, nb[x].w, other);
					down = d < down ? d : down;
				}
				x++;
			} else if (x >= xe || nb[y].c < nb[x].c) {
				if (w >= 0 && nb[y].c != a && looked_up(j->q, a, nb[y].c, &other)) {
					d = factor_bits(j->kappa, nb[y].w, other);
					down = d < down ? d : down;
				}
				y++;
			} else {
				d = factor_bits(j->kappa, nb[x].w, nb[y].w);
				up = d > up ? d : up;
				down = d < down ? d : down;
				x++;
				y++;
			}
		}
		double bits = j->share * (w < 0 ? up : down);
		if (fabs(bits) < 1e-4)
			continue;
		if (o->n == o->cap) {
			size_t ncap = o->cap ? 2 * o->cap : 256;
			struct kith_triad_change *t = realloc(o->ch, ncap * sizeof *t);
			if (!t) {
				o->fail = 1;
				break;
			}
			o->ch = t;
			o->cap = ncap;
		}
		o->ch[o->n++] = (struct kith_triad_change){i, (float)bits};
	}
}

int kith_triad_apply(size_t n_records, const struct kith_block_pair *pairs, float *weight, size_t n,
		     double kappa, double share, unsigned threads, struct kith_triad_change **changes,
		     size_t *n_changes)
{
	*changes = NULL;
	*n_changes = 0;
	if (kappa <= 0 || share <= 0 || n == 0 || n_records == 0 || n_records >= UINT32_MAX)
		return KITH_OK;
	size_t *off = calloc(n_records + 1, sizeof *off), ns = 0;
	struct nb *nb = NULL;
	struct kith_triad_change *ch = NULL;
	struct kith_hmap q = KITH_HMAP_INIT;
	uint8_t *want = calloc(n_records, 1); /* a record of a pair that a cut asks for */
	size_t nch = 0;
	int rc = KITH_E_NOMEM;
	if (!off || !want)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (weight[i] >= TRIAD_WMIN) {
			off[pairs[i].a + 1]++;
			off[pairs[i].b + 1]++;
			ns++;
		}
	if (ns == 0) {
		rc = KITH_OK;
		goto out;
	}
	for (size_t r = 0; r < n_records; r++)
		off[r + 1] += off[r];
	nb = malloc(2 * ns * sizeof *nb);
	size_t *fill = malloc(n_records * sizeof *fill);
	if (!nb || !fill) {
		free(fill);
		goto out;
	}
	memcpy(fill, off, n_records * sizeof *fill);
	for (size_t i = 0; i < n; i++)
		if (weight[i] >= TRIAD_WMIN) {
			nb[fill[pairs[i].a]++] = (struct nb){pairs[i].b, weight[i]};
			nb[fill[pairs[i].b]++] = (struct nb){pairs[i].a, weight[i]};
		}
	free(fill);
	for (size_t r = 0; r < n_records; r++)
		if (off[r + 1] - off[r] > 1)
			qsort(nb + off[r], off[r + 1] - off[r], sizeof *nb, nb_cmp);

	/* the pairs a cut asks for: (b, c) for c a strong neighbour of a only, and (a, c) */
	for (size_t i = 0; i < n; i++) {
		if (weight[i] < 0)
			continue;
		uint32_t a = pairs[i].a, b = pairs[i].b;
		size_t x = off[a], xe = off[a + 1], y = off[b], ye = off[b + 1];
		while (x < xe || y < ye) {
			if (y >= ye || (x < xe && nb[x].c < nb[y].c)) {
				if (nb[x].c != b) {
					if (!kith_hmap_upsert(&q, pair_key(b, nb[x].c), 0))
						goto out;
					want[b] = want[nb[x].c] = 1;
				}
				x++;
			} else if (x >= xe || nb[y].c < nb[x].c) {
				if (nb[y].c != a) {
					if (!kith_hmap_upsert(&q, pair_key(a, nb[y].c), 0))
						goto out;
					want[a] = want[nb[y].c] = 1;
				}
				y++;
			} else {
				x++;
				y++;
			}
		}
	}
	struct job jb = {pairs, weight, n, off, nb, &q, want, kappa, share, NULL};
	size_t nc = (n + TRIAD_CHUNK - 1) / TRIAD_CHUNK;
	if (q.n)
		kith_pool_for(threads, nc, fill_chunk, &jb);
	jb.out = calloc(nc, sizeof *jb.out);
	if (!jb.out)
		goto out;
	kith_pool_for(threads, nc, change_chunk, &jb);
	for (size_t c = 0; c < nc; c++) {
		if (jb.out[c].fail) {
			for (size_t k = 0; k < nc; k++)
				free(jb.out[k].ch);
			free(jb.out);
			goto out;
		}
		nch += jb.out[c].n;
	}
	ch = nch ? malloc(nch * sizeof *ch) : NULL;
	if (nch && !ch) {
		for (size_t k = 0; k < nc; k++)
			free(jb.out[k].ch);
		free(jb.out);
		goto out;
	}
	nch = 0;
	for (size_t c = 0; c < nc; c++) {
		if (jb.out[c].n)
			memcpy(ch + nch, jb.out[c].ch, jb.out[c].n * sizeof *ch);
		nch += jb.out[c].n;
		free(jb.out[c].ch);
	}
	free(jb.out);
	for (size_t k = 0; k < nch; k++)
		weight[ch[k].pair] += ch[k].bits;
	*changes = ch;
	*n_changes = nch;
	ch = NULL;
	rc = KITH_OK;
out:
	free(off);
	free(want);
	free(nb);
	free(ch);
	kith_hmap_release(&q);
	return rc;
}

double kith_triad_bits(const struct kith_triad_change *changes, size_t n_changes, size_t i)
{
	size_t lo = 0, hi = n_changes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (changes[mid].pair < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n_changes && changes[lo].pair == i ? changes[lo].bits : 0;
}
