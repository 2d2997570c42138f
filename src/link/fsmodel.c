/*
 * fsmodel — u by random sampling, m and the prior by EM on comparison
 * patterns, weights and explanations (see fsmodel.h).
 *
 * EM runs on the distinct comparison patterns with their counts (as fastLink
 * does), so its cost does not grow with the number of pairs.
 */
#include "link/fsmodel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/hmap.h"
#include "base/pool.h"
#include "base/prng.h"

#define BLOCK_SAMPLES 65536u
#define TOL 1e-7
#define M_FLOOR 1e-4
#define MIN_SESSION_FIELDS                                                                                   \
	3 /* a session needs this many free fields (a mixture on one or two is not identified) */

struct ucount {
	uint64_t c[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	uint64_t b[KITH_LINKCFG_MAX_LEVELS][KITH_LINKCFG_MAX_LEVELS]; /* [list level][birth level] */
};

/* sampled pairs with both births needed at a list level before its own birth u is taken */
#define BIRTH_U_MIN 1000.0

struct usample {
	const struct kith_dataset *ds;
	int link_only;
	uint64_t samples;
	uint64_t seed;
	size_t n_blocks;
	size_t n_fields;
	int birth_field, list_field; /* the joint counts of birth and list (-1: none) */
	struct ucount *counts;	     /* per block */
	int exhaustive;
};

static void count_pair(struct ucount *c, uint64_t g, const struct usample *s)
{
	for (size_t f = 0; f < s->n_fields; f++) {
		unsigned l = kith_dataset_level(g, f);
		if (l != KITH_DATASET_MISSING)
			c->c[f][l]++;
	}
	if (s->birth_field >= 0) {
		unsigned lb = kith_dataset_level(g, (size_t)s->birth_field);
		unsigned ll = kith_dataset_level(g, (size_t)s->list_field);
		if (lb != KITH_DATASET_MISSING && ll != KITH_DATASET_MISSING)
			c->b[ll][lb]++;
	}
}

static void run_block(struct usample *s, size_t k)
{
	struct ucount *c = &s->counts[k];
	memset(c, 0, sizeof *c);
	size_t n = kith_dataset_count(s->ds);
	if (s->exhaustive) {
		/* block k covers outer records [k*n/blocks, (k+1)*n/blocks) */
		size_t lo = k * n / s->n_blocks, hi = (k + 1) * n / s->n_blocks;
		for (size_t a = lo; a < hi; a++)
			for (size_t b = a + 1; b < n; b++) {
				if (s->link_only &&
				    kith_dataset_source(s->ds, a) == kith_dataset_source(s->ds, b))
					continue;
				count_pair(c, kith_dataset_gamma(s->ds, a, b), s);
			}
		return;
	}
	/* random numbers: one splitmix64 stream per block of samples */
	uint64_t st = s->seed ^ (0xA0761D6478BD642FULL * (k + 1));
	uint64_t want = BLOCK_SAMPLES;
	if ((uint64_t)(k + 1) * BLOCK_SAMPLES > s->samples)
		want = s->samples - (uint64_t)k * BLOCK_SAMPLES;
	for (uint64_t i = 0; i < want; i++) {
		size_t a, b;
		int tries = 0;
		do {
			a = (size_t)kith_prng_splitmix_below(&st, n);
			b = (size_t)kith_prng_splitmix_below(&st, n);
			tries++;
		} while ((a == b ||
			  (s->link_only && kith_dataset_source(s->ds, a) == kith_dataset_source(s->ds, b))) &&
			 tries < 1000);
		if (a == b ||
		    (s->link_only && kith_dataset_source(s->ds, a) == kith_dataset_source(s->ds, b)))
			continue;
		count_pair(c, kith_dataset_gamma(s->ds, a, b), s);
	}
}

static void u_block(size_t k, void *arg)
{
	run_block(arg, k);
}

int kith_fsmodel_estimate_u(struct kith_fsmodel *md, const struct kith_dataset *ds, int link_only,
			    uint64_t samples, uint64_t seed, unsigned threads, struct kith_err *err)
{
	size_t n = kith_dataset_count(ds);
	if (n < 2)
		return kith_err_set(err, KITH_E_INVALID, NULL, "fewer than two records");
	uint64_t all = kith_block_all_pairs(ds, link_only);
	if (all == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "no pair of records from different lists");
	if (!samples) { /* 20 per record, at least 100,000 and at most a million */
		samples = 20 * (uint64_t)n;
		if (samples < 100000)
			samples = 100000;
		if (samples > KITH_LINKCFG_DEFAULT_U_SAMPLES)
			samples = KITH_LINKCFG_DEFAULT_U_SAMPLES;
	}
	size_t nf;
	const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
	memset(md, 0, sizeof *md);
	md->n_fields = nf;
	for (size_t f = 0; f < nf; f++)
		md->n_levels[f] = fields[f].n_levels;
	struct usample s;
	memset(&s, 0, sizeof s);
	s.ds = ds;
	s.link_only = link_only;
	s.seed = seed;
	s.n_fields = nf;
	s.birth_field = s.list_field = -1;
	for (size_t f = 0; f < nf; f++) {
		if (fields[f].kind == KITH_DS_BIRTH && !fields[f].fixed)
			s.birth_field = (int)f;
		if (fields[f].kind == KITH_DS_LIST)
			s.list_field = (int)f;
	}
	if (s.list_field < 0)
		s.birth_field = -1;
	s.exhaustive = all <= samples;
	s.samples = samples;
	if (s.exhaustive) {
		s.n_blocks = n < 64 ? 1 : 64;
	} else {
		s.n_blocks = (size_t)((samples + BLOCK_SAMPLES - 1) / BLOCK_SAMPLES);
	}
	s.counts = calloc(s.n_blocks, sizeof *s.counts);
	if (!s.counts)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	kith_pool_for(threads ? threads : 1, s.n_blocks, u_block, &s);
	struct ucount tot;
	memset(&tot, 0, sizeof tot);
	for (size_t k = 0; k < s.n_blocks; k++)
		for (size_t f = 0; f < nf; f++)
			for (int l = 0; l < md->n_levels[f]; l++)
				tot.c[f][l] += s.counts[k].c[f][l];
	for (size_t k = 0; k < s.n_blocks; k++)
		for (int i = 0; i < KITH_LINKCFG_MAX_LEVELS; i++)
			for (int l = 0; l < KITH_LINKCFG_MAX_LEVELS; l++)
				tot.b[i][l] += s.counts[k].b[i][l];
	free(s.counts);
	for (size_t f = 0; f < nf; f++) {
		uint64_t sum = 0;
		int L = md->n_levels[f];
		for (int l = 0; l < L; l++)
			sum += tot.c[f][l];
		/* a pseudo-count of one pair spread over the levels keeps unseen levels above 0 */
		for (int l = 0; l < L; l++)
			md->u[f][l] = ((double)tot.c[f][l] + 1.0 / L) / ((double)sum + 1.0);
	}
	md->cond_field = md->cond_on = -1;
	for (size_t f = 0; f < nf; f++) {
		if (fields[f].kind == KITH_DS_SEX)
			md->cond_field = (int)f;
		if (fields[f].kind == KITH_DS_NAME)
			md->cond_on = (int)f;
	}
	if (md->cond_on < 0)
		md->cond_field = -1;
	if (md->cond_field >= 0) /* until estimate_m: the plain u */
		for (int k = 0; k < KITH_LINKCFG_MAX_LEVELS; k++)
			memcpy(md->u_cond[k], md->u[md->cond_field], sizeof md->u_cond[k]);
	/* the birth at each list level; a list level with fewer than BIRTH_U_MIN
	 * sampled pairs that give both births keeps the plain u */
	md->birth_field = s.birth_field;
	md->list_field = s.list_field;
	if (md->birth_field >= 0) {
		size_t bf = (size_t)md->birth_field;
		int L = md->n_levels[bf];
		double all_b = 0, tot_l[KITH_LINKCFG_MAX_LEVELS] = {0};
		for (int k = 0; k < md->n_levels[md->list_field]; k++) {
			for (int l = 0; l < L; l++)
				tot_l[k] += (double)tot.b[k][l];
			all_b += tot_l[k];
		}
		for (int k = 0; k < KITH_LINKCFG_MAX_LEVELS; k++) {
			md->list_share[k] = all_b > 0 ? tot_l[k] / all_b : 0;
			if (k < md->n_levels[md->list_field] && tot_l[k] >= BIRTH_U_MIN)
				for (int l = 0; l < L; l++)
					md->u_birth[k][l] =
					    ((double)tot.b[k][l] + 1.0 / L) / (tot_l[k] + 1.0);
			else
				memcpy(md->u_birth[k], md->u[bf], sizeof md->u_birth[k]);
			if (!(k < md->n_levels[md->list_field] && tot_l[k] >= BIRTH_U_MIN))
				md->list_share[k] = 0; /* not conditioned: correct_u leaves it */
		}
		memcpy(md->u_birth_raw, md->u_birth, sizeof md->u_birth_raw);
	}
	md->u_pairs = s.exhaustive ? all : samples;
	md->u_exhaustive = s.exhaustive;
	return KITH_OK;
}

/* --- EM on patterns */

struct pattern {
	uint64_t g; /* levels | rules << 48 */
	double count;
};

static int cmp_pattern(const void *x, const void *y)
{
	uint64_t a = ((const struct pattern *)x)->g, b = ((const struct pattern *)y)->g;
	return a < b ? -1 : a > b;
}

struct em {
	const struct pattern *p;
	size_t n;
	size_t nf;
	const int *n_levels;
	double (*m)[KITH_LINKCFG_MAX_LEVELS];
	double (*u)[KITH_LINKCFG_MAX_LEVELS];
	const double (*fixed_w)[KITH_LINKCFG_MAX_LEVELS];
	uint32_t active; /* m estimated */
	uint32_t free_u; /* u estimated too (among the pairs EM sees): fields blocked on */
	uint32_t used;	 /* fields in the likelihood (active, fixed m, fixed weights) */
	uint32_t fixed_w_mask;
	uint64_t rule_bit; /* 0: every pattern */
	int cond_field, cond_on;
	const double (*u_cond)[KITH_LINKCFG_MAX_LEVELS];
	int birth_field, list_field;
	const double (*u_birth)[KITH_LINKCFG_MAX_LEVELS];
	double lambda;	 /* within the set */
	double expected; /* expected matches */
	int iterations;
	int converged;
};

static double pattern_log2bf(const struct em *e, uint64_t g)
{
	double s = 0;
	for (size_t f = 0; f < e->nf; f++) {
		if (!(e->used >> f & 1))
			continue;
		unsigned l = kith_dataset_level(g, f);
		if (l == KITH_DATASET_MISSING)
			continue;
		if (e->fixed_w_mask >> f & 1)
			s += e->fixed_w[f][l];
		else if ((int)f == e->cond_field &&
			 kith_dataset_level(g, (size_t)e->cond_on) != KITH_DATASET_MISSING)
			s += log2(e->m[f][l]) - log2(e->u_cond[kith_dataset_level(g, (size_t)e->cond_on)][l]);
		else if ((int)f == e->birth_field && !(e->free_u >> f & 1) &&
			 kith_dataset_level(g, (size_t)e->list_field) != KITH_DATASET_MISSING)
			s += log2(e->m[f][l]) -
			     log2(e->u_birth[kith_dataset_level(g, (size_t)e->list_field)][l]);
		else
			s += log2(e->m[f][l]) - log2(e->u[f][l]);
	}
	return s;
}

static double posterior_from_bits(double log2_odds)
{
	if (log2_odds > 60)
		return 1.0;
	if (log2_odds < -60)
		return 0.0;
	double o = exp2(log2_odds);
	return o / (1.0 + o);
}

static void run_em(struct em *e)
{
	double num[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	double unum[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	e->converged = 0;
	for (int it = 0; it < KITH_FSMODEL_MAX_ITER; it++) {
		memset(num, 0, sizeof num);
		memset(unum, 0, sizeof unum);
		double tot = 0, match = 0;
		double prior = log2(e->lambda / (1 - e->lambda));
		for (size_t i = 0; i < e->n; i++) {
			uint64_t g = e->p[i].g;
			if (e->rule_bit && !(g & e->rule_bit))
				continue;
			double c = e->p[i].count;
			double post = posterior_from_bits(prior + pattern_log2bf(e, g));
			tot += c;
			match += c * post;
			for (size_t f = 0; f < e->nf; f++) {
				if (!(e->active >> f & 1))
					continue;
				unsigned l = kith_dataset_level(g, f);
				if (l != KITH_DATASET_MISSING) {
					num[f][l] += c * post;
					unum[f][l] += c * (1 - post);
				}
			}
		}
		if (tot <= 0)
			return;
		double delta = 0;
		for (size_t f = 0; f < e->nf; f++) {
			if (!(e->active >> f & 1))
				continue;
			double den = 0;
			for (int l = 0; l < e->n_levels[f]; l++)
				den += num[f][l];
			if (den <= 0)
				continue;
			double z = 0;
			double nm[KITH_LINKCFG_MAX_LEVELS];
			for (int l = 0; l < e->n_levels[f]; l++) {
				nm[l] = num[f][l] / den;
				if (nm[l] < M_FLOOR)
					nm[l] = M_FLOOR;
				z += nm[l];
			}
			for (int l = 0; l < e->n_levels[f]; l++) {
				nm[l] /= z;
				double d = fabs(nm[l] - e->m[f][l]);
				if (d > delta)
					delta = d;
				e->m[f][l] = nm[l];
			}
			if (!(e->free_u >> f & 1))
				continue;
			double uden = 0;
			for (int l = 0; l < e->n_levels[f]; l++)
				uden += unum[f][l];
			if (uden <= 0)
				continue;
			for (int l = 0; l < e->n_levels[f]; l++) {
				double nu = (unum[f][l] + 1.0 / e->n_levels[f]) / (uden + 1.0);
				double d = fabs(nu - e->u[f][l]);
				if (d > delta)
					delta = d;
				e->u[f][l] = nu;
			}
		}
		double lam = match / tot;
		if (lam < 1e-12)
			lam = 1e-12;
		if (lam > 1 - 1e-9)
			lam = 1 - 1e-9;
		double dl = fabs(lam - e->lambda) / (e->lambda > 1e-12 ? e->lambda : 1e-12);
		e->lambda = lam;
		e->expected = match;
		e->iterations = it + 1;
		if (delta < TOL && dl < TOL * 10) {
			e->converged = 1;
			return;
		}
	}
}

static void init_m(double *m, int L)
{
	/* top level 0.85, the rest geometric towards the lowest */
	double rest = 0.15, z = 0;
	for (int l = 0; l < L - 1; l++)
		z += pow(2.0, l);
	for (int l = 0; l < L - 1; l++)
		m[l] = rest * pow(2.0, l) / z;
	m[L - 1] = 0.85;
}

void kith_fsmodel_weights(struct kith_fsmodel *md, const struct kith_dataset *ds)
{
	size_t nf;
	const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
	for (size_t f = 0; f < md->n_fields && f < nf; f++)
		for (int l = 0; l < md->n_levels[f]; l++)
			md->w[f][l] =
			    fields[f].fixed ? fields[f].weights[l] : log2(md->m[f][l]) - log2(md->u[f][l]);
	if (md->cond_field >= 0) {
		size_t f = (size_t)md->cond_field;
		for (int k = 0; k < KITH_LINKCFG_MAX_LEVELS; k++)
			for (int l = 0; l < md->n_levels[f]; l++)
				md->w_cond[k][l] = fields[f].fixed
						       ? fields[f].weights[l]
						       : log2(md->m[f][l]) - log2(md->u_cond[k][l]);
	}
	if (md->birth_field >= 0) {
		size_t f = (size_t)md->birth_field;
		for (int k = 0; k < KITH_LINKCFG_MAX_LEVELS; k++)
			for (int l = 0; l < md->n_levels[f]; l++)
				md->w_birth[k][l] = log2(md->m[f][l]) - log2(md->u_birth[k][l]);
	}
	md->prior_bits = log2(md->lambda) - log2(1 - md->lambda);
	md->tf_max = kith_dataset_config(ds)->tf_max > 0 ? kith_dataset_config(ds)->tf_max
							 : KITH_LINKCFG_DEFAULT_TF_MAX;
}

/* compared non-matches needed before u of a blocked field's levels is taken from them */
#define BLOCKED_U_MIN 1000.0

/* One estimation of m and λ over the distinct patterns (with u as md has it). */
static void estimate_m_once(struct kith_fsmodel *md, const struct kith_dataset *ds, struct pattern *pat,
			    size_t np, size_t n_pairs, const uint32_t *rule_fields, size_t n_rules,
			    uint64_t all_pairs)
{
	size_t nf;
	const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
	double n_rec = (double)(md->train_records ? md->train_records : kith_dataset_count(ds));
	memset(md->low_compared_bits, 0, sizeof md->low_compared_bits);

	/* sex among the compared pairs at each name level: pairs that blocking
	 * brought together by their names share a given name or its start, and
	 * given names are gendered, so even at the level "different" they agree
	 * on sex far more often than random pairs (the matches among them only
	 * make agreement look a little commoner) */
	if (md->cond_field >= 0) {
		size_t cf = (size_t)md->cond_field, co = (size_t)md->cond_on;
		double cnt[KITH_LINKCFG_MAX_LEVELS][KITH_LINKCFG_MAX_LEVELS], tot[KITH_LINKCFG_MAX_LEVELS];
		memset(cnt, 0, sizeof cnt);
		memset(tot, 0, sizeof tot);
		for (size_t i = 0; i < np; i++) {
			unsigned ln = kith_dataset_level(pat[i].g, co), ls = kith_dataset_level(pat[i].g, cf);
			if (ln == KITH_DATASET_MISSING || ls == KITH_DATASET_MISSING)
				continue;
			cnt[ln][ls] += pat[i].count;
			tot[ln] += pat[i].count;
		}
		int L = md->n_levels[cf];
		for (int k = 0; k < md->n_levels[co]; k++) {
			if (tot[k] >= 100)
				for (int l = 0; l < L; l++)
					md->u_cond[k][l] = (cnt[k][l] + 1.0 / L) / (tot[k] + 1.0);
			else
				memcpy(md->u_cond[k], md->u[cf], sizeof md->u_cond[k]);
		}
	}

	uint32_t all_fields = nf >= 32 ? 0xFFFFFFFFu : (1u << nf) - 1;
	uint32_t fixed_w = 0;
	double fixed_weights[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	memset(fixed_weights, 0, sizeof fixed_weights);
	for (size_t f = 0; f < nf; f++) {
		init_m(md->m[f], md->n_levels[f]);
		if (fields[f].fixed) {
			fixed_w |= 1u << f;
			for (int l = 0; l < md->n_levels[f]; l++)
				fixed_weights[f][l] = fields[f].weights[l];
		}
	}
	double msum[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	double mwt[KITH_LINKCFG_MAX_FIELDS];
	memset(msum, 0, sizeof msum);
	memset(mwt, 0, sizeof mwt);
	int iterations = 0, converged = 1;
	uint32_t estimated = 0;
	for (size_t r = 0; r < n_rules; r++) {
		uint32_t act = all_fields & ~rule_fields[r] & ~fixed_w;
		if (__builtin_popcount(act) < MIN_SESSION_FIELDS)
			continue; /* too few fields to tell matches from non-matches */
		double m[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
		for (size_t f = 0; f < nf; f++)
			init_m(m[f], md->n_levels[f]);
		/* start from about one match per record among the session's pairs, as
		 * the final EM does: a high start lets EM settle on a large wrong class
		 * (with a field often missing, "the pairs without it" is one) */
		uint64_t rbit = 1ULL << (KITH_BLOCK_RULE_SHIFT + r);
		double sess = 0;
		for (size_t i = 0; i < np; i++)
			if (pat[i].g & rbit)
				sess += pat[i].count;
		double slam0 = sess > 0 ? 0.5 * n_rec / sess : 0.3;
		if (slam0 > 0.3)
			slam0 = 0.3;
		if (slam0 < 1e-6)
			slam0 = 1e-6;
		/* The fields the rule blocks on take part too, with their u estimated
		 * among the session's non-matches (their u from random pairs would be
		 * far too low here): their agreement is the strongest evidence there
		 * is, and without it a session whose matches are rare (one pair in
		 * thousands among namesakes of a large population) finds a wrong
		 * class. Their m is not kept from the session (an exact rule makes it
		 * degenerate); the final EM estimates it. */
		uint32_t blocked = rule_fields[r] & all_fields & ~fixed_w;
		double us[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
		memcpy(us, md->u, sizeof us);
		for (size_t f = 0; f < nf; f++) {
			if (!(blocked >> f & 1))
				continue;
			double cnt[KITH_LINKCFG_MAX_LEVELS] = {0}, tot = 0;
			for (size_t i = 0; i < np; i++) {
				unsigned l = kith_dataset_level(pat[i].g, f);
				if ((pat[i].g & rbit) && l != KITH_DATASET_MISSING) {
					cnt[l] += pat[i].count;
					tot += pat[i].count;
				}
			}
			for (int l = 0; l < md->n_levels[f]; l++)
				us[f][l] = (cnt[l] + 1.0 / md->n_levels[f]) / (tot + 1.0);
		}
		struct em e = {
		    .p = pat,
		    .n = np,
		    .nf = nf,
		    .n_levels = md->n_levels,
		    .m = m,
		    .u = us,
		    .fixed_w = (const double(*)[KITH_LINKCFG_MAX_LEVELS])fixed_weights,
		    .active = act | blocked,
		    .free_u = blocked,
		    .used = act | blocked | (fixed_w & ~rule_fields[r]),
		    .fixed_w_mask = fixed_w,
		    .rule_bit = rbit,
		    .lambda = slam0,
		    .cond_field = md->cond_field,
		    .cond_on = md->cond_on,
		    .u_cond = (const double(*)[KITH_LINKCFG_MAX_LEVELS])md->u_cond,
		    .birth_field = md->birth_field,
		    .list_field = md->list_field,
		    .u_birth = (const double(*)[KITH_LINKCFG_MAX_LEVELS])md->u_birth,
		};
		run_em(&e);
		iterations += e.iterations;
		converged &= e.converged;
		if (e.expected <= 0)
			continue;
		for (size_t f = 0; f < nf; f++) {
			if (!(act >> f & 1))
				continue;
			for (int l = 0; l < md->n_levels[f]; l++)
				msum[f][l] += e.expected * m[f][l];
			mwt[f] += e.expected;
			estimated |= 1u << f;
		}
	}
	for (size_t f = 0; f < nf; f++) {
		if (fixed_w >> f & 1) {
			md->m_source[f] = KITH_FSMODEL_M_FIXED;
		} else if (estimated >> f & 1) {
			for (int l = 0; l < md->n_levels[f]; l++)
				md->m[f][l] = msum[f][l] / mwt[f];
			md->m_source[f] = KITH_FSMODEL_M_SESSIONS;
		} else {
			md->m_source[f] = KITH_FSMODEL_M_FINAL;
		}
	}
	/* final: over every compared pair. The fields every rule blocks on agree
	 * among compared pairs far more often than u (random pairs) says, and EM
	 * with that u would take the excess for matches: they take part with their
	 * u estimated too, as the levels among the compared non-matches (a
	 * two-class model with free m and u for them is identified by the other
	 * fields, whose m and u are known by now). Their m is the result; the
	 * weights keep the u of random pairs, which goes with the prior over all
	 * pairs. Without another field to lean on, they are left out and their m
	 * comes afterwards from the estimated matches. The fields no session
	 * estimated are free here. */
	uint32_t always = all_fields;
	for (size_t r = 0; r < n_rules; r++)
		always &= rule_fields[r];
	uint32_t others = all_fields & ~always;
	int lean = others != 0 && (always & ~fixed_w) != 0;
	uint32_t used = lean ? all_fields : others;
	uint32_t act = used & ~estimated & ~fixed_w;
	double ufin[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	memcpy(ufin, md->u, sizeof ufin);
	uint32_t free_u = lean ? always & ~fixed_w : 0;
	for (size_t f = 0; f < nf; f++) {
		if (!(free_u >> f & 1))
			continue;
		/* start: the levels among all compared pairs */
		double cnt[KITH_LINKCFG_MAX_LEVELS] = {0}, tot = 0;
		for (size_t i = 0; i < np; i++) {
			unsigned l = kith_dataset_level(pat[i].g, f);
			if (l != KITH_DATASET_MISSING) {
				cnt[l] += pat[i].count;
				tot += pat[i].count;
			}
		}
		for (int l = 0; l < md->n_levels[f]; l++)
			ufin[f][l] = (cnt[l] + 1.0 / md->n_levels[f]) / (tot + 1.0);
	}
	/* start from about one match per record among the compared pairs: starting
	 * high lets EM settle on a large wrong class */
	double lambda0 = 0.5 * n_rec / (double)n_pairs;
	if (lambda0 > 0.5)
		lambda0 = 0.5;
	if (lambda0 < 1e-6)
		lambda0 = 1e-6;
	struct em e = {
	    .p = pat,
	    .n = np,
	    .nf = nf,
	    .n_levels = md->n_levels,
	    .m = md->m,
	    .u = ufin,
	    .fixed_w = (const double(*)[KITH_LINKCFG_MAX_LEVELS])fixed_weights,
	    .active = act,
	    .free_u = free_u,
	    .used = used,
	    .fixed_w_mask = fixed_w,
	    .rule_bit = 0,
	    .lambda = lambda0,
	    .cond_field = md->cond_field,
	    .cond_on = md->cond_on,
	    .u_cond = (const double(*)[KITH_LINKCFG_MAX_LEVELS])md->u_cond,
	    .birth_field = md->birth_field,
	    .list_field = md->list_field,
	    .u_birth = (const double(*)[KITH_LINKCFG_MAX_LEVELS])md->u_birth,
	};
	run_em(&e);
	iterations += e.iterations;
	converged &= e.converged;
	/* m of the always-blocked fields: their levels among the estimated matches */
	uint32_t after = lean ? 0 : always & ~fixed_w;
	if (after) {
		double num[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
		memset(num, 0, sizeof num);
		double prior = log2(e.lambda / (1 - e.lambda));
		for (size_t i = 0; i < np; i++) {
			double post = posterior_from_bits(prior + pattern_log2bf(&e, pat[i].g));
			for (size_t f = 0; f < nf; f++) {
				unsigned l = kith_dataset_level(pat[i].g, f);
				if ((after >> f & 1) && l != KITH_DATASET_MISSING)
					num[f][l] += pat[i].count * post;
			}
		}
		for (size_t f = 0; f < nf; f++) {
			if (!(after >> f & 1))
				continue;
			double den = 0, z = 0;
			for (int l = 0; l < md->n_levels[f]; l++)
				den += num[f][l];
			if (den <= 0)
				continue; /* no estimated match has a value: keep the initial m */
			for (int l = 0; l < md->n_levels[f]; l++) {
				md->m[f][l] = num[f][l] / den < M_FLOOR ? M_FLOOR : num[f][l] / den;
				z += md->m[f][l];
			}
			for (int l = 0; l < md->n_levels[f]; l++)
				md->m[f][l] /= z;
			md->m_source[f] = KITH_FSMODEL_M_FINAL;
		}
	}
	/* The weights of a field every rule blocks on, above its lowest level:
	 * u as the share of all non-matching pairs that are compared at that
	 * level, not the share of random pairs. A random pair of records at the
	 * level "weak" or "partial" seldom shares a blocking key, so random pairs
	 * hold 4-11 times more of them than blocking ever compares (synth, 40,000
	 * people), and with their u those levels weighed 2-3.5 bits too little
	 * for the pairs that are scored, which all share a key: a weak name with
	 * the same birth year and province, 75 % matches, scored 0.34. The
	 * compared non-matches at a level over all non-matches is that level's u
	 * given blocking; the matches are all compared (the prior assumes so).
	 * Taken even where it is above u of random pairs: at the levels "exact"
	 * and "similar" blocking compares every such pair, so the count is the
	 * whole population's, while random pairs hold a few dozen of them, most
	 * of them matches, and u_raw − λ·m (correct_u) turned their sampling
	 * noise into a u 8-30 times too low (10,000 synth people: exact 3.5e-6,
	 * similar 3.3e-7 against 2.6e-5 and 1.1e-5 true; pairs of a similar name
	 * and no other agreement scored 0.96 where 65 % are matches). The lowest level keeps u of
	 * random pairs, so a pair blocking never compared (the clustering guard
	 * computes such pairs) gains nothing from it. With a training sample the
	 * same share is taken among the sample's pairs: the sample is uniform, so
	 * the share of non-matching pairs that share a name key at a level is
	 * the population's, and every scoring rule for large data blocks on the
	 * name (`name` or `fullname`, whose key is one of the name's keys): a
	 * pair scored there shares a key as the training pairs do (the stricter
	 * rules' other components are the levels of other fields). Not with
	 * fewer compared non-matches than BLOCKED_U_MIN (their levels would be
	 * noise, and with none at all every agreeing level infinitely strong). */
	if (lean && (double)n_pairs - e.expected >= BLOCKED_U_MIN && (double)all_pairs > (double)n_pairs) {
		double frac = ((double)n_pairs - e.expected) / ((double)all_pairs - e.expected);
		for (size_t f = 0; f < nf; f++) {
			if (!(free_u >> f & 1))
				continue;
			for (int l = 1; l < md->n_levels[f]; l++) {
				/* with a training sample, still no higher than u of random pairs:
				 * there λ·m is negligible beside u_raw (no noise amplified), and
				 * uncapped the million synth records lost links F1 0.6365 -> 0.6242
				 * (seed 1101; tuning seed 1002: 0.6188 either way) */
				double ub = ufin[f][l] * frac;
				if (!md->train_records || ub < md->u[f][l])
					md->u[f][l] = ub;
			}
			/* the lowest level, for compared pairs (low_compared_bits); not with a training
			 * sample, where the levels above keep their cap too */
			if (!md->train_records) {
				double ub = ufin[f][0] * frac;
				md->low_compared_bits[f] =
				    ub > 0 && ub < md->u[f][0] ? log2(md->u[f][0] / ub) : 0;
			}
		}
	}
	/* the expected matches among compared pairs, over all pairs: the prior
	 * (blocking is taken to miss no match) */
	md->lambda = e.expected / (double)(all_pairs ? all_pairs : 1);
	if (md->lambda < 1e-15)
		md->lambda = 1e-15;
	if (md->lambda > 0.5)
		md->lambda = 0.5;
	md->expected_matches = e.expected;
	md->iterations = iterations;
	md->converged = converged;
	kith_fsmodel_weights(md, ds);
}

/*
 * Random pairs are a mixture: a level occurs among them with probability
 * λ·m + (1 − λ)·u, so their level frequencies (u_raw) hold the matches too.
 * Where matches are not negligible among random pairs — a few thousand
 * people, or a name as rare as the matches are common — u_raw of the
 * agreeing levels is mostly made of matches (2,554 synth records: u of an
 * exact name 4.5·10⁻⁴ from random pairs, of which λ·m = 4.3·10⁻⁴ are the
 * matches themselves), and the weight of agreement is too low by bits. With
 * λ and m from EM, u = (u_raw − λ·m) / (1 − λ), kept at or above U_FLOOR
 * of u_raw (a λ or m slightly too high must not make agreement infinitely
 * strong) and renormalized.
 */
#define U_FLOOR 0.02
#define U_ROUNDS 2

static void correct_u(struct kith_fsmodel *md, const struct kith_dataset *ds,
		      double uraw[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS])
{
	size_t nf;
	const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
	double lam = md->lambda;
	for (size_t f = 0; f < md->n_fields && f < nf; f++) {
		if (fields[f].fixed)
			continue;
		double z = 0;
		for (int l = 0; l < md->n_levels[f]; l++) {
			double u = (uraw[f][l] - lam * md->m[f][l]) / (1 - lam);
			if (u < U_FLOOR * uraw[f][l])
				u = U_FLOOR * uraw[f][l];
			md->u[f][l] = u;
			z += u;
		}
		for (int l = 0; l < md->n_levels[f]; l++)
			md->u[f][l] /= z;
	}
	/* the birth at each list level: of the random pairs at list level k, a
	 * share λ·m_list[k] / list_share[k] are matches, with the birth levels m */
	if (md->birth_field >= 0) {
		size_t bf = (size_t)md->birth_field, lf = (size_t)md->list_field;
		for (int k = 0; k < md->n_levels[lf]; k++) {
			if (md->list_share[k] <= 0)
				continue;
			double q = lam * md->m[lf][k] / md->list_share[k]; /* matches among them */
			if (q > 0.5)
				q = 0.5;
			double z = 0;
			for (int l = 0; l < md->n_levels[bf]; l++) {
				double u = (md->u_birth_raw[k][l] - q * md->m[bf][l]) / (1 - q);
				if (u < U_FLOOR * md->u_birth_raw[k][l])
					u = U_FLOOR * md->u_birth_raw[k][l];
				md->u_birth[k][l] = u;
				z += u;
			}
			for (int l = 0; l < md->n_levels[bf]; l++)
				md->u_birth[k][l] /= z;
		}
	}
}

int kith_fsmodel_estimate_m(struct kith_fsmodel *md, const struct kith_dataset *ds,
			    const struct kith_block_pair *pairs, size_t n_pairs, const uint32_t *rule_fields,
			    size_t n_rules, uint64_t all_pairs, struct kith_err *err)
{
	if (n_pairs == 0)
		return kith_err_set(
		    err, KITH_E_INVALID, NULL,
		    "the blocking rules compare no pair: nothing to estimate (loosen the rules)");
	/* distinct patterns with counts */
	struct kith_hmap map = KITH_HMAP_INIT;
	for (size_t i = 0; i < n_pairs; i++) {
		uint64_t *v = kith_hmap_upsert(&map, pairs[i].g + 1, 0); /* +1: a pattern may be 0 */
		if (!v) {
			kith_hmap_release(&map);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
		(*v)++;
	}
	struct pattern *pat = malloc((map.n ? map.n : 1) * sizeof *pat);
	if (!pat) {
		kith_hmap_release(&map);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	size_t np = 0;
	for (size_t s = 0; s < map.cap; s++) {
		if (!map.keys[s])
			continue;
		pat[np].g = map.keys[s] - 1;
		pat[np].count = (double)map.vals[s];
		np++;
	}
	kith_hmap_release(&map);
	/* sort patterns so the sums do not depend on hash order */
	qsort(pat, np, sizeof *pat, cmp_pattern);
	double uraw[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	memcpy(uraw, md->u, sizeof uraw);
	/* the birth given the list only with a training sample (fsmodel.h, birth_field) */
	if (!md->train_records)
		md->birth_field = -1;
	estimate_m_once(md, ds, pat, np, n_pairs, rule_fields, n_rules, all_pairs);
	for (int k = 0; k < U_ROUNDS; k++) {
		int it = md->iterations, conv = md->converged;
		correct_u(md, ds, uraw);
		estimate_m_once(md, ds, pat, np, n_pairs, rule_fields, n_rules, all_pairs);
		md->iterations += it;
		md->converged &= conv;
	}
	free(pat);
	return KITH_OK;
}

static int cond_applies(const struct kith_fsmodel *md, uint64_t g, size_t f)
{
	if (md->cond_field < 0 || (int)f != md->cond_field)
		return 0;
	unsigned ln = kith_dataset_level(g, (size_t)md->cond_on);
	return ln != KITH_DATASET_MISSING ? (int)ln + 1 : 0; /* name level + 1 */
}

/* the list level + 1 when the birth of pattern g takes its u given the list, else 0 */
static int birth_applies(const struct kith_fsmodel *md, uint64_t g, size_t f)
{
	if (md->birth_field < 0 || (int)f != md->birth_field)
		return 0;
	unsigned ll = kith_dataset_level(g, (size_t)md->list_field);
	return ll != KITH_DATASET_MISSING ? (int)ll + 1 : 0;
}

static double weight_of(const struct kith_fsmodel *md, const struct kith_dataset *ds, size_t a, size_t b,
			uint64_t g, int compared)
{
	double s = md->prior_bits;
	for (size_t f = 0; f < md->n_fields; f++) {
		unsigned l = kith_dataset_level(g, f);
		if (l == KITH_DATASET_MISSING)
			continue;
		int c = cond_applies(md, g, f), cb = birth_applies(md, g, f);
		s += c ? md->w_cond[c - 1][l] : cb ? md->w_birth[cb - 1][l] : md->w[f][l];
		if (compared && l == 0)
			s += md->low_compared_bits[f];
		s += kith_dataset_tf_bits(ds, a, b, g, f);
	}
	return s;
}

double kith_fsmodel_weight(const struct kith_fsmodel *md, const struct kith_dataset *ds, size_t a, size_t b,
			   uint64_t g)
{
	return weight_of(md, ds, a, b, g, 0);
}

double kith_fsmodel_weight_compared(const struct kith_fsmodel *md, const struct kith_dataset *ds, size_t a,
				    size_t b, uint64_t g)
{
	return weight_of(md, ds, a, b, g, 1);
}

double kith_fsmodel_prob(double weight)
{
	return posterior_from_bits(weight);
}

double kith_fsmodel_explain(const struct kith_fsmodel *md, const struct kith_dataset *ds, size_t a, size_t b,
			    int compared, struct kith_fsmodel_term *terms, size_t *n)
{
	size_t nf;
	const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
	uint64_t g = kith_dataset_gamma(ds, a, b);
	double s = md->prior_bits;
	for (size_t f = 0; f < md->n_fields && f < nf; f++) {
		struct kith_fsmodel_term *t = &terms[f];
		memset(t, 0, sizeof *t);
		t->field = fields[f].name;
		unsigned l = kith_dataset_level(g, f);
		t->level = l;
		kith_dataset_describe(ds, a, b, f, t->detail, sizeof t->detail);
		if (l == KITH_DATASET_MISSING) {
			t->level_name = "missing";
			continue;
		}
		t->level_name = fields[f].level_names[l];
		t->m = md->m[f][l];
		int c = cond_applies(md, g, f), cb = birth_applies(md, g, f);
		t->u = c ? md->u_cond[c - 1][l] : cb ? md->u_birth[cb - 1][l] : md->u[f][l];
		t->bits = c ? md->w_cond[c - 1][l] : cb ? md->w_birth[cb - 1][l] : md->w[f][l];
		if (compared && l == 0 && md->low_compared_bits[f] != 0) {
			t->bits += md->low_compared_bits[f];
			t->u = t->m / exp2(t->bits);
		}
		t->tf_bits = kith_dataset_tf_bits(ds, a, b, g, f);
		s += t->bits + t->tf_bits;
	}
	*n = md->n_fields;
	return s;
}
