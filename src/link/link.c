/*
 * link — the linkage pipeline and its outputs (see link.h).
 */
#include "link/link.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/csv.h"
#include "base/hmap.h"
#include "base/pool.h"
#include "base/prng.h"
#include "base/uf.h"
#include "link/triad.h"

static const char *const phase_names[KITH_LINK_PHASES] = {"blocking", "u_sampling", "em", "scoring",
							  "clustering"};

const char *kith_link_phase_name(enum kith_link_phase p)
{
	return (unsigned)p < KITH_LINK_PHASES ? phase_names[p] : "?";
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add_rule(struct kith_linkcfg_rule *rules, size_t *n, const char *text)
{
	if (*n < KITH_LINKCFG_MAX_RULES && kith_linkcfg_rule_parse(&rules[*n], text, NULL) == KITH_OK)
		(*n)++;
}

size_t kith_link_default_rules(const struct kith_dataset *ds, struct kith_linkcfg_rule *rules)
{
	size_t n = 0;
	/* With names: "name" alone. Blocking on the name only keeps the other
	 * fields' levels among non-matching compared pairs as random pairs have
	 * them (a rule that also asked for birth years within one year would make
	 * near births common among namesakes, and EM would take them for
	 * matches); the pair cap guards the cost. */
	if (kith_dataset_has(ds, KITH_DS_NAME))
		add_rule(rules, &n, "name");
	else
		add_rule(rules, &n, "all");
	return n;
}

/* The fields a rule blocks on, as a bit set of field indexes. */
static uint32_t fields_of_rule(const struct kith_dataset *ds, const struct kith_linkcfg_rule *r)
{
	size_t nf;
	const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
	uint32_t bits = 0;
	for (size_t c = 0; c < r->n_comp; c++) {
		const struct kith_linkcfg_comp *comp = &r->comp[c];
		for (size_t f = 0; f < nf; f++) {
			int hit = 0;
			switch (comp->kind) {
			case KITH_BLOCK_NAME:
			case KITH_BLOCK_SURNAME:
			case KITH_BLOCK_FULLNAME:
				hit = fields[f].kind == KITH_DS_NAME;
				break;
			case KITH_BLOCK_BIRTH_YEAR:
				hit = fields[f].kind == KITH_DS_BIRTH;
				break;
			case KITH_BLOCK_SEX:
				hit = fields[f].kind == KITH_DS_SEX;
				break;
			case KITH_BLOCK_ORIGIN:
				hit = fields[f].kind == KITH_DS_ORIGIN;
				break;
			case KITH_BLOCK_SOURCE:
				hit = fields[f].kind == KITH_DS_LIST;
				break;
			case KITH_BLOCK_FIELD:
			case KITH_BLOCK_PREFIX:
			case KITH_BLOCK_YEAR:
				hit = fields[f].kind >= KITH_DS_EXACT && fields[f].kind <= KITH_DS_DATE &&
				      strcasecmp(fields[f].name, comp->column) == 0;
				break;
			}
			if (hit)
				bits |= 1u << f;
		}
	}
	return bits;
}

struct progress_bridge {
	const struct kith_link_opts *o;
};

static void block_progress(uint64_t done, uint64_t total, void *arg)
{
	const struct kith_link_opts *o = arg;
	o->progress(KITH_LINK_PHASE_BLOCK, done, total, o->progress_arg);
}

#define SCORE_CHUNK 16384 /* pairs a thread takes at a time */

struct score_job {
	const struct kith_fsmodel *md;
	const struct kith_dataset *ds;
	const struct kith_block_pair *pairs;
	float *w;
	size_t n;
};

static void score_chunk(size_t c, void *arg)
{
	const struct score_job *j = arg;
	size_t hi = (c + 1) * SCORE_CHUNK < j->n ? (c + 1) * SCORE_CHUNK : j->n;
	for (size_t i = c * SCORE_CHUNK; i < hi; i++)
		j->w[i] = (float)kith_fsmodel_weight_compared(j->md, j->ds, j->pairs[i].a, j->pairs[i].b,
							      j->pairs[i].g & KITH_BLOCK_GAMMA_MASK);
}

/* Each pair's weight on its own: the same whichever thread computes it. */
static void score_all(const struct kith_fsmodel *md, const struct kith_dataset *ds,
		      const struct kith_block_pair *p, float *w, size_t n, unsigned threads)
{
	struct score_job job = {md, ds, p, w, n};
	kith_pool_for(threads ? threads : 1, (n + SCORE_CHUNK - 1) / SCORE_CHUNK, score_chunk, &job);
}

/* The guard's scorer: a pair that blocking did not compare, scored now. */
struct guard_ctx {
	const struct kith_fsmodel *md;
	const struct kith_dataset *ds;
};

static double guard_prob(uint32_t a, uint32_t b, void *arg)
{
	const struct guard_ctx *g = arg;
	return kith_fsmodel_prob(kith_fsmodel_weight(g->md, g->ds, a, b, kith_dataset_gamma(g->ds, a, b)));
}

/*
 * EM on a sample: the training rules' pairs among a uniform random sample of
 * records (seeded), so that m and the prior come from loose blocking while
 * the scored pairs come from the (strict) blocking rules. A uniform sample of
 * records keeps a pair of records with the probability (k/n)^2 whether they
 * match or not: m, u and the share of matches among all pairs are the same in
 * the sample as in the whole.
 */
static int train(const struct kith_dataset *ds, const struct kith_linkcfg *cfg, struct kith_link_result *r,
		 struct kith_err *err)
{
	size_t n = r->n_records;
	uint64_t want = cfg->train_records ? cfg->train_records : KITH_LINKCFG_DEFAULT_TRAIN_RECORDS;
	size_t k = want < n ? (size_t)want : n;
	uint8_t *inc = NULL;
	uint32_t *perm = NULL;
	if (k < n) {
		inc = calloc(n, 1);
		perm = malloc(n * sizeof *perm);
		if (!inc || !perm) {
			free(inc);
			free(perm);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
		for (size_t i = 0; i < n; i++)
			perm[i] = (uint32_t)i;
		uint64_t st = cfg->seed ^ 0x747261696E696E67ULL; /* partial Fisher-Yates */
		for (size_t i = 0; i < k; i++) {
			size_t j = i + (size_t)(kith_prng_splitmix(&st) % (uint64_t)(n - i));
			uint32_t t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
			inc[perm[i]] = 1;
		}
		free(perm);
	}
	/* pairs possible in the sample */
	uint64_t all = 0;
	if (r->link_only) {
		size_t ns = kith_dataset_n_sources(ds);
		uint64_t *per = calloc(ns ? ns : 1, sizeof *per);
		if (!per) {
			free(inc);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
		for (size_t i = 0; i < n; i++)
			if (!inc || inc[i])
				per[kith_dataset_source(ds, i)]++;
		uint64_t sq = 0;
		for (size_t s = 0; s < ns; s++)
			sq += per[s] * per[s];
		all = ((uint64_t)k * k - sq) / 2;
		free(per);
	} else {
		all = (uint64_t)k * (k - 1) / 2;
	}
	if (cfg->n_train_rules) {
		memcpy(r->train_rules, cfg->train_rules, cfg->n_train_rules * sizeof cfg->train_rules[0]);
		r->n_train_rules = cfg->n_train_rules;
	} else {
		r->n_train_rules = kith_link_default_rules(ds, r->train_rules);
	}
	uint32_t tf[KITH_LINKCFG_MAX_RULES];
	for (size_t i = 0; i < r->n_train_rules; i++)
		tf[i] = fields_of_rule(ds, &r->train_rules[i]);
	struct kith_block_opts bo = {
	    .rules = r->train_rules,
	    .n_rules = r->n_train_rules,
	    .max_pairs = cfg->max_pairs,
	    .link_only = r->link_only,
	    .threads = r->threads,
	    .include = inc,
	};
	struct kith_block_pair *tp = NULL;
	size_t tn = 0;
	int rc = kith_block_pairs(ds, &bo, &tp, &tn, r->train_reports, err);
	free(inc);
	if (rc) {
		if (err && rc == KITH_E_LIMIT) {
			char where[sizeof err->where];
			snprintf(where, sizeof where, "training: %s", err->where);
			snprintf(err->where, sizeof err->where, "%s", where);
		}
		return rc;
	}
	r->train_records = k;
	r->n_train_pairs = tn;
	r->train_all_pairs = all;
	r->model.train_records = k;
	if (tn == 0) {
		free(tp);
		return kith_err_set(err, KITH_E_INVALID, "training",
				    "the training rules compare no pair among the %zu sampled records "
				    "(train_records, train_block)",
				    k);
	}
	rc = kith_fsmodel_estimate_m(&r->model, ds, tp, tn, tf, r->n_train_rules, all ? all : 1, err);
	free(tp);
	return rc;
}

/* --- tiers */

#define TIER_BINS_PER_BIT 64
#define TIER_MIN_BITS (-64)
#define TIER_MAX_BITS 64
#define TIER_BINS ((TIER_MAX_BITS - TIER_MIN_BITS) * TIER_BINS_PER_BIT)
#define TIER_EDGE_MAX_BITS 30.0 /* the highest threshold, as a weight (see kith_link_choose_tiers) */

static long tier_bin(double w)
{
	long b = (long)floor((w - TIER_MIN_BITS) * TIER_BINS_PER_BIT);
	return b < 0 ? 0 : b >= TIER_BINS ? TIER_BINS - 1 : b;
}

static double bin_low_weight(long b)
{
	return TIER_MIN_BITS + (double)b / TIER_BINS_PER_BIT;
}

int kith_link_choose_tiers(struct kith_link_result *r, const float *weight, size_t n, double threshold,
			   double review_threshold)
{
	static const double link_floor = 0.5, review_floor = 0.1, review_miss = 0.01;
	double *cnt = calloc(TIER_BINS, sizeof *cnt), *sp = calloc(TIER_BINS, sizeof *sp);
	double e = 0;
	if (!cnt || !sp) {
		/* without the bins the thresholds would be other ones, and the links too */
		free(cnt);
		free(sp);
		return KITH_E_NOMEM;
	}
	/* a pair's probability is taken at the middle of its bin (within 0.6 % of its own): one exp2
	 * per bin, not per pair */
	for (size_t i = 0; i < n; i++)
		cnt[tier_bin(weight[i])] += 1;
	for (long b = 0; b < TIER_BINS; b++) {
		sp[b] =
		    cnt[b] > 0 ? cnt[b] * kith_fsmodel_prob(bin_low_weight(b) + 0.5 / TIER_BINS_PER_BIT) : 0;
		e += sp[b];
	}
	r->est_matches = e;
	r->threshold_auto = !(threshold > 0);
	r->review_auto = !(review_threshold > 0);
	if (r->threshold_auto) {
		/* scan from the strongest bin down: links and their expected true ones above each edge */
		double links = 0, tp = 0, best = -1;
		double wfloor = log2(link_floor / (1 - link_floor));
		long best_b = tier_bin(wfloor);
		for (long b = TIER_BINS - 1; b >= 0 && bin_low_weight(b) >= wfloor; b--) {
			links += cnt[b];
			tp += sp[b];
			double f1 = links + e > 0 ? 2 * tp / (links + e) : 0;
			if (f1 > best) {
				best = f1;
				best_b = b;
			}
		}
		/* above ~40 bits a probability is 1.0 in a double and its weight infinite: no pair would
		 * reach it, so the edge is at most 30 bits (1 − 10⁻⁹; only certain pairs lie between) */
		double wb = bin_low_weight(best_b);
		threshold = kith_fsmodel_prob(wb > TIER_EDGE_MAX_BITS ? TIER_EDGE_MAX_BITS : wb);
		if (threshold < link_floor)
			threshold = link_floor;
	}
	if (r->review_auto) {
		double below = e, rfloor = log2(review_floor / (1 - review_floor));
		long b = TIER_BINS - 1;
		for (; b > 0 && bin_low_weight(b) > rfloor; b--) {
			below -= sp[b];
			if (below <= review_miss * e)
				break;
		}
		double wb = bin_low_weight(b);
		review_threshold = kith_fsmodel_prob(wb > TIER_EDGE_MAX_BITS ? TIER_EDGE_MAX_BITS : wb);
		if (review_threshold < review_floor)
			review_threshold = review_floor;
	}
	if (review_threshold > threshold)
		review_threshold = threshold;
	r->threshold = threshold;
	r->review_threshold = review_threshold;
	free(cnt);
	free(sp);
	/* counts and expected true pairs of the tiers; the expected matches below the review threshold
	 * are E minus those above, so only the pairs above need their probability (few) */
	double wt = log2(threshold / (1 - threshold)), wr = log2(review_threshold / (1 - review_threshold));
	double tp = 0, tpr = 0;
	r->n_matches = r->n_review = 0;
	for (size_t i = 0; i < n; i++) {
		if (weight[i] < wr)
			continue;
		if (weight[i] >= wt) {
			r->n_matches++;
			tp += kith_fsmodel_prob(weight[i]);
		} else {
			r->n_review++;
			tpr += kith_fsmodel_prob(weight[i]);
		}
	}
	r->est_precision = r->n_matches ? tp / (double)r->n_matches : 1;
	r->est_recall = e > 0 ? tp / e : 1;
	r->est_f1 = (double)r->n_matches + e > 0 ? 2 * tp / ((double)r->n_matches + e) : 1;
	r->est_review_recall = e > 0 ? (tp + tpr) / e : 1;
	return KITH_OK;
}

/*
 * One person is recorded at most about once per list, so the records of one
 * list compete for a record of another: when a record without a birth year
 * has two exact namesakes in list L, both links cannot be right. A pair
 * (a, b) of two lists keeps its odds o against its rivals: the odds of a's
 * other candidates in b's list (and of b's in a's list; the larger sum), so
 * o' = o / (1 + kappa · rivals) and a pair without rivals keeps its
 * probability. Records of one list that are themselves likely one person (a
 * list's rare duplicates, linked at p ≥ 0.5) are not each other's rivals.
 * kappa < 1: the rivals' own odds are those of their comparison pattern,
 * which is what made them rivals, so they are counted at a fraction
 * (KITH_LINK_RIVALS; synth seeds 1, 3 and 5 — docs/linkage.md, "Rivals").
 */
static int compete(const struct kith_dataset *ds, const struct kith_block_pair *pairs, float *weight,
		   size_t n, double kappa)
{
	size_t nr = kith_dataset_count(ds), ns = kith_dataset_n_sources(ds);
	if (kappa <= 0 || ns < 2 || ns > KITH_LINK_RIVAL_LISTS || nr == 0 || nr >= UINT32_MAX)
		return KITH_OK;
	const float wmin = -7.0f; /* odds below 1/128 do not compete */
	double *sum = calloc(nr * ns, sizeof *sum);
	struct kith_uf dup = {0};
	struct kith_hmap grp = KITH_HMAP_INIT; /* (record, duplicate group) -> summed odds */
	uint8_t *big = calloc(nr, 1);	       /* in a group of two records or more */
	int rc = KITH_E_NOMEM;
	if (!sum || !big || kith_uf_init(&dup, nr))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (weight[i] >= 0 &&
		    kith_dataset_source(ds, pairs[i].a) == kith_dataset_source(ds, pairs[i].b)) {
			kith_uf_join(&dup, pairs[i].a, pairs[i].b);
			big[pairs[i].a] = big[pairs[i].b] = 1;
		}
	for (size_t i = 0; i < n; i++) {
		if (weight[i] < wmin)
			continue;
		uint32_t a = pairs[i].a, b = pairs[i].b;
		uint32_t sa = kith_dataset_source(ds, a), sb = kith_dataset_source(ds, b);
		if (sa == sb)
			continue;
		double o = exp2(weight[i] > 60 ? 60 : weight[i]);
		sum[(size_t)a * ns + sb] += o;
		sum[(size_t)b * ns + sa] += o;
		for (int side = 0; side < 2; side++) {
			uint32_t x = side ? b : a, y = side ? a : b;
			if (!big[y])
				continue;
			uint64_t key = (((uint64_t)x << 32) | (uint64_t)kith_uf_find(&dup, y)) + 1;
			uint64_t *v = kith_hmap_upsert(&grp, key, 0);
			if (!v)
				goto out;
			double d;
			memcpy(&d, v, sizeof d);
			d += o;
			memcpy(v, &d, sizeof d);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (weight[i] < wmin)
			continue;
		uint32_t a = pairs[i].a, b = pairs[i].b;
		uint32_t sa = kith_dataset_source(ds, a), sb = kith_dataset_source(ds, b);
		if (sa == sb)
			continue;
		double o = exp2(weight[i] > 60 ? 60 : weight[i]), rv = 0;
		for (int side = 0; side < 2; side++) {
			uint32_t x = side ? b : a, y = side ? a : b;
			double own = o;
			if (big[y]) {
				const uint64_t *v = kith_hmap_get(
				    &grp, (((uint64_t)x << 32) | (uint64_t)kith_uf_find(&dup, y)) + 1);
				if (v)
					memcpy(&own, v, sizeof own);
			}
			double r = sum[(size_t)x * ns + (side ? sa : sb)] - own;
			if (r > rv)
				rv = r;
		}
		if (rv > 0)
			weight[i] -= (float)log2(1 + kappa * rv);
	}
	rc = KITH_OK;
out:
	free(sum);
	free(big);
	kith_uf_release(&dup);
	kith_hmap_release(&grp);
	return rc;
}

/*
 * A link is two records of one person: a pair at or above the threshold whose records the
 * clustering keeps in two persons — joining them would put together two records of one list that
 * are not themselves likely one person, through the pair or the persons each already holds — is
 * not linked but for review, just below the threshold (1/64 bit: the tiers' bin). At 10,000 synth
 * people such refused links are true 30-45 % of the time at probabilities of 0.5-0.7
 * (docs/linkage.md, "Persons"). Conversely (twelfth session) a compared pair below the threshold
 * whose records the clustering put in one person through other links is linked, moved to the
 * threshold, unless its own weight is below KITH_LINK_JOIN_FLOOR bits: the persons say so, and at
 * 10,000 synth people such pairs are true about two times in three. Over two lists or more only:
 * the guard rests on a list seldom recording one person twice, which says nothing within a single
 * list (FEBRL 3), where a refusal only cuts a chain. The estimates keep each pair's probability
 * before the move: the move changes the tiers, not what the model expects of the pair.
 */
static int persons_move(struct kith_link_result *r, double wt)
{
	size_t n = 0, nj = 0;
	const uint32_t *cl = r->clusters.cluster;
	for (size_t i = 0; i < r->n_pairs; i++) {
		int one = cl[r->pairs[i].a] == cl[r->pairs[i].b];
		n += r->weight[i] >= wt && !one;
		nj += r->weight[i] < wt && r->weight[i] >= KITH_LINK_JOIN_FLOOR && one;
	}
	if (n + nj == 0)
		return KITH_OK;
	r->split = malloc((n + nj) * sizeof *r->split);
	if (!r->split)
		return KITH_E_NOMEM;
	float to = (float)(wt - 1.0 / TIER_BINS_PER_BIT), up = (float)wt;
	while ((double)to >= wt)
		to = nextafterf(to, -INFINITY);
	while ((double)up < wt)
		up = nextafterf(up, INFINITY);
	double rw = log2(r->review_threshold / (1 - r->review_threshold));
	double moved = 0, joined = 0;
	size_t left_review = 0;
	for (size_t i = 0; i < r->n_pairs; i++) {
		int one = cl[r->pairs[i].a] == cl[r->pairs[i].b];
		if (r->weight[i] >= wt && !one) {
			moved += kith_fsmodel_prob(r->weight[i]);
			r->split[r->n_split++] = (struct kith_triad_change){i, to - r->weight[i]};
			r->weight[i] = to;
		} else if (r->weight[i] < wt && r->weight[i] >= KITH_LINK_JOIN_FLOOR && one) {
			joined += kith_fsmodel_prob(r->weight[i]);
			left_review += r->weight[i] >= rw;
			r->split[r->n_split++] = (struct kith_triad_change){i, up - r->weight[i]};
			r->weight[i] = up;
		}
	}
	double tp = r->est_precision * (double)r->n_matches - moved + joined;
	r->n_matches = r->n_matches - n + nj;
	r->n_review = r->n_review + n - left_review;
	r->est_precision = r->n_matches ? tp / (double)r->n_matches : 1;
	r->est_recall = r->est_matches > 0 ? tp / r->est_matches : 1;
	r->est_f1 =
	    (double)r->n_matches + r->est_matches > 0 ? 2 * tp / ((double)r->n_matches + r->est_matches) : 1;
	return KITH_OK;
}

int kith_link_run(const struct kith_dataset *ds, const struct kith_link_opts *o, struct kith_link_result *out,
		  struct kith_err *err)
{
	const struct kith_linkcfg *cfg = kith_dataset_config(ds);
	struct kith_link_result *r = calloc(1, sizeof *r);
	if (!r)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	struct kith_link_opts dflt = {0};
	if (!o)
		o = &dflt;
	r->threads = o->threads ? o->threads : kith_pool_cpus();
	if (r->threads > 64)
		r->threads = 64;
	r->n_records = kith_dataset_count(ds);
	r->link_only = cfg->mode == KITH_LINKCFG_LINK;
	r->threshold = cfg->threshold > 0 ? cfg->threshold : KITH_LINKCFG_DEFAULT_THRESHOLD;
	r->review_threshold = cfg->review_threshold > 0 ? cfg->review_threshold : r->threshold;
	if (cfg->n_rules) {
		memcpy(r->rules, cfg->rules, cfg->n_rules * sizeof cfg->rules[0]);
		r->n_rules = cfg->n_rules;
	} else {
		r->n_rules = kith_link_default_rules(ds, r->rules);
	}
	for (size_t i = 0; i < r->n_rules; i++)
		r->rule_fields[i] = fields_of_rule(ds, &r->rules[i]);
	r->all_pairs = kith_block_all_pairs(ds, r->link_only);
	int rc;
	if (r->all_pairs == 0) {
		rc = kith_err_set(err, KITH_E_INVALID, NULL,
				  r->link_only ? "link mode needs records from at least two lists"
					       : "fewer than two records");
		goto fail;
	}

	double t0 = now();
	struct kith_block_opts bo = {
	    .rules = r->rules,
	    .n_rules = r->n_rules,
	    .max_pairs = cfg->max_pairs,
	    .link_only = r->link_only,
	    .threads = r->threads,
	    .progress = o->progress ? block_progress : NULL,
	    .progress_arg = (void *)o,
	};
	rc = kith_block_pairs(ds, &bo, &r->pairs, &r->n_pairs, r->reports, err);
	if (rc)
		goto fail;
	r->seconds[KITH_LINK_PHASE_BLOCK] = now() - t0;

	t0 = now();
	rc = kith_fsmodel_estimate_u(&r->model, ds, r->link_only, cfg->u_samples, cfg->seed, r->threads, err);
	if (rc)
		goto fail;
	r->seconds[KITH_LINK_PHASE_U] = now() - t0;

	t0 = now();
	if (cfg->train_records || cfg->n_train_rules) {
		rc = train(ds, cfg, r, err);
		if (rc)
			goto fail;
	} else if (r->n_pairs) {
		rc = kith_fsmodel_estimate_m(&r->model, ds, r->pairs, r->n_pairs, r->rule_fields, r->n_rules,
					     r->all_pairs, err);
		if (rc)
			goto fail;
	} else {
		/* nothing compared: the initial m and a tiny prior; every record is its own person */
		for (size_t f = 0; f < r->model.n_fields; f++)
			for (int l = 0; l < r->model.n_levels[f]; l++)
				r->model.m[f][l] =
				    l == r->model.n_levels[f] - 1 ? 0.9 : 0.1 / (r->model.n_levels[f] - 1);
		r->model.lambda = 1.0 / (double)(r->all_pairs + 1);
		kith_fsmodel_weights(&r->model, ds);
	}
	r->seconds[KITH_LINK_PHASE_EM] = now() - t0;

	t0 = now();
	r->weight = malloc((r->n_pairs ? r->n_pairs : 1) * sizeof *r->weight);
	if (!r->weight) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	score_all(&r->model, ds, r->pairs, r->weight, r->n_pairs, r->threads);
	rc = compete(ds, r->pairs, r->weight, r->n_pairs,
		     cfg->rivals < 0   ? 0
		     : cfg->rivals > 0 ? cfg->rivals
				       : KITH_LINK_RIVALS);
	if (rc) {
		kith_err_set(err, rc, NULL, "out of memory");
		goto fail;
	}
	rc = kith_triad_apply(r->n_records, r->pairs, r->weight, r->n_pairs,
			      cfg->triads < 0	? 0
			      : cfg->triads > 0 ? cfg->triads
						: KITH_TRIAD_KAPPA,
			      KITH_TRIAD_SHARE, r->threads, &r->triads, &r->n_triads);
	if (rc) {
		kith_err_set(err, rc, NULL, "out of memory");
		goto fail;
	}
	if (o->progress)
		o->progress(KITH_LINK_PHASE_SCORE, r->n_pairs, r->n_pairs, o->progress_arg);
	r->seconds[KITH_LINK_PHASE_SCORE] = now() - t0;

	t0 = now();
	rc = kith_link_choose_tiers(r, r->weight, r->n_pairs, cfg->threshold, cfg->review_threshold);
	if (rc) {
		kith_err_set(err, rc, NULL, "out of memory");
		goto fail;
	}
	double wt = log2(r->threshold / (1 - r->threshold)); /* probability threshold as a weight */
	size_t ne = 0;
	for (size_t i = 0; i < r->n_pairs; i++)
		ne += r->weight[i] >= wt;
	struct kith_cluster_edge *edges = malloc((ne ? ne : 1) * sizeof *edges);
	uint32_t *src = malloc((r->n_records ? r->n_records : 1) * sizeof *src);
	if (!edges || !src) {
		free(edges);
		free(src);
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	ne = 0;
	for (size_t i = 0; i < r->n_pairs; i++) {
		if (r->weight[i] >= wt) {
			edges[ne].a = r->pairs[i].a;
			edges[ne].b = r->pairs[i].b;
			edges[ne].prob = kith_fsmodel_prob(r->weight[i]);
			ne++;
		}
	}
	for (size_t i = 0; i < r->n_records; i++)
		src[i] = kith_dataset_source(ds, i);
	r->n_matches = ne;
	struct guard_ctx gc = {&r->model, ds};
	struct kith_cluster_opts co = {
	    .guard = o->guard, .guard_prob = cfg->guard_threshold, .prob = guard_prob, .arg = &gc};
	rc = kith_cluster_run(r->n_records, src, edges, ne, &co, &r->clusters, err);
	free(edges);
	free(src);
	if (rc)
		goto fail;
	if (kith_dataset_n_sources(ds) >= 2 && persons_move(r, wt)) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	r->seconds[KITH_LINK_PHASE_CLUSTER] = now() - t0;
	*out = *r;
	free(r);
	return KITH_OK;
fail:
	kith_link_result_release(r);
	free(r);
	return rc;
}

void kith_link_result_release(struct kith_link_result *r)
{
	if (!r)
		return;
	free(r->pairs);
	free(r->weight);
	free(r->triads);
	free(r->split);
	kith_cluster_result_release(&r->clusters);
	r->pairs = NULL;
	r->weight = NULL;
	r->triads = NULL;
	r->n_triads = 0;
	r->split = NULL;
	r->n_split = 0;
	r->n_pairs = 0;
}

/* --- writers */

static int put_field(FILE *f, const char *s)
{
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_csv_write_field(&sb, s, strlen(s));
	if (rc == KITH_OK && sb.len && fwrite(sb.buf, 1, sb.len, f) != sb.len)
		rc = KITH_E_IO;
	kith_sbuf_release(&sb);
	return rc;
}

int kith_link_write_clusters(const struct kith_link_result *r, const struct kith_dataset *ds, FILE *f,
			     struct kith_err *err)
{
	if (fputs("id,cluster,prob\n", f) < 0)
		return kith_err_set(err, KITH_E_IO, NULL, "cannot write the clusters");
	for (size_t i = 0; i < r->n_records; i++) {
		int rc = put_field(f, kith_dataset_id(ds, i));
		if (rc)
			return kith_err_set(err, rc, NULL, "cannot write the clusters");
		double p = r->clusters.prob[i];
		int w = p >= 0 ? fprintf(f, ",%u,%.6f\n", r->clusters.cluster[i] + 1, p)
			       : fprintf(f, ",%u,\n", r->clusters.cluster[i] + 1);
		if (w < 0)
			return kith_err_set(err, KITH_E_IO, NULL, "cannot write the clusters");
	}
	return KITH_OK;
}

int kith_link_write_review(const struct kith_link_result *r, const struct kith_dataset *ds, FILE *f,
			   struct kith_err *err)
{
	double wt = log2(r->threshold / (1 - r->threshold));
	double wr = log2(r->review_threshold / (1 - r->review_threshold));
	int bad = fputs("id1,id2,prob,cluster1,cluster2\n", f) < 0;
	for (size_t i = 0; i < r->n_pairs && !bad; i++) {
		if (r->weight[i] >= wt || r->weight[i] < wr)
			continue;
		const struct kith_block_pair *p = &r->pairs[i];
		bad = put_field(f, kith_dataset_id(ds, p->a)) || fputc(',', f) < 0 ||
		      put_field(f, kith_dataset_id(ds, p->b)) ||
		      fprintf(f, ",%.6f,%u,%u\n", kith_fsmodel_prob(r->weight[i]),
			      r->clusters.cluster[p->a] + 1, r->clusters.cluster[p->b] + 1) < 0;
	}
	return bad ? kith_err_set(err, KITH_E_IO, NULL, "cannot write the pairs for review") : KITH_OK;
}

int kith_link_write_pairs(const struct kith_link_result *r, const struct kith_dataset *ds, FILE *f,
			  struct kith_err *err)
{
	size_t nf;
	const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
	int bad = fputs("id1,id2,weight,prob", f) < 0;
	for (size_t k = 0; k < nf && !bad; k++)
		bad = fputc(',', f) < 0 || put_field(f, fields[k].name) != KITH_OK;
	bad = bad || fputc('\n', f) < 0;
	for (size_t i = 0; i < r->n_pairs && !bad; i++) {
		const struct kith_block_pair *p = &r->pairs[i];
		bad = put_field(f, kith_dataset_id(ds, p->a)) || fputc(',', f) < 0 ||
		      put_field(f, kith_dataset_id(ds, p->b)) ||
		      fprintf(f, ",%.4f,%.6f", (double)r->weight[i], kith_fsmodel_prob(r->weight[i])) < 0;
		for (size_t k = 0; k < nf && !bad; k++) {
			unsigned l = kith_dataset_level(p->g, k);
			bad =
			    fprintf(f, ",%s", l == KITH_DATASET_MISSING ? "" : fields[k].level_names[l]) < 0;
		}
		bad = bad || fputc('\n', f) < 0;
	}
	if (bad)
		return kith_err_set(err, KITH_E_IO, NULL, "cannot write the pairs");
	return KITH_OK;
}

/* --- JSON */

static int set_new(json_t *o, const char *k, json_t *v)
{
	return !v || json_object_set_new(o, k, v);
}

json_t *kith_link_summary_json(const struct kith_link_result *r, const struct kith_dataset *ds)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	int bad = 0;
	bad |= set_new(j, "records", json_integer((json_int_t)r->n_records));
	json_t *lists = json_array();
	const size_t *sizes = kith_dataset_source_sizes(ds);
	for (uint32_t s = 0; lists && s < kith_dataset_n_sources(ds); s++)
		bad |= json_array_append_new(lists,
					     json_pack("{s:s,s:I}", "name", kith_dataset_source_name(ds, s),
						       "records", (json_int_t)sizes[s]));
	bad |= set_new(j, "lists", lists);
	bad |= set_new(j, "mode", json_string(r->link_only ? "link" : "dedupe"));
	bad |= set_new(j, "pairs_possible", json_integer((json_int_t)r->all_pairs));
	bad |= set_new(j, "pairs_scored", json_integer((json_int_t)r->n_pairs));
	json_t *blocking = json_array();
	for (size_t i = 0; blocking && i < r->n_rules; i++)
		bad |= json_array_append_new(
		    blocking,
		    json_pack("{s:s,s:I,s:b,s:I,s:I,s:f}", "rule", r->reports[i].rule, "candidates",
			      (json_int_t)r->reports[i].candidates, "candidates_exact", r->reports[i].exact,
			      "pairs", (json_int_t)r->reports[i].pairs, "records",
			      (json_int_t)r->reports[i].records, "seconds", r->reports[i].seconds));
	bad |= set_new(j, "blocking", blocking);
	if (r->n_train_rules) {
		json_t *tr = json_array();
		for (size_t i = 0; tr && i < r->n_train_rules; i++)
			bad |= json_array_append_new(
			    tr, json_pack("{s:s,s:I,s:I,s:I}", "rule", r->train_reports[i].rule, "candidates",
					  (json_int_t)r->train_reports[i].candidates, "pairs",
					  (json_int_t)r->train_reports[i].pairs, "records",
					  (json_int_t)r->train_reports[i].records));
		bad |= set_new(j, "training",
			       json_pack("{s:I,s:I,s:I,s:o}", "records", (json_int_t)r->train_records,
					 "pairs_possible", (json_int_t)r->train_all_pairs, "pairs",
					 (json_int_t)r->n_train_pairs, "rules", tr ? tr : json_null()));
	}
	bad |= set_new(j, "threshold", json_real(r->threshold));
	bad |= set_new(
	    j, "tiers",
	    json_pack("{s:f,s:b,s:f,s:b,s:I,s:I,s:f,s:f,s:f,s:f,s:f}", "link_threshold", r->threshold,
		      "link_threshold_from_model", r->threshold_auto, "review_threshold", r->review_threshold,
		      "review_threshold_from_model", r->review_auto, "linked_pairs", (json_int_t)r->n_matches,
		      "review_pairs", (json_int_t)r->n_review, "expected_matches", r->est_matches,
		      "estimated_precision", r->est_precision, "estimated_recall", r->est_recall,
		      "estimated_f1", r->est_f1, "estimated_recall_with_review", r->est_review_recall));
	bad |= set_new(j, "matches", json_integer((json_int_t)r->n_matches));
	bad |= set_new(j, "clusters", json_integer((json_int_t)r->clusters.n_clusters));
	bad |= set_new(j, "largest_cluster", json_integer((json_int_t)r->clusters.largest));
	bad |= set_new(j, "links_refused_by_guard", json_integer((json_int_t)r->clusters.refused));
	json_t *model = json_object();
	if (model) {
		bad |= set_new(model, "lambda", json_real(r->model.lambda));
		bad |= set_new(model, "prior_weight", json_real(r->model.prior_bits));
		bad |= set_new(model, "expected_matches_among_scored", json_real(r->model.expected_matches));
		bad |= set_new(model, "u_pairs", json_integer((json_int_t)r->model.u_pairs));
		bad |= set_new(model, "u_exhaustive", json_boolean(r->model.u_exhaustive));
		bad |= set_new(model, "em_iterations", json_integer(r->model.iterations));
		bad |= set_new(model, "em_converged", json_boolean(r->model.converged));
		size_t nf;
		const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
		json_t *fa = json_array();
		static const char *const msrc[] = {"em_sessions", "em_final", "fixed"};
		for (size_t f = 0; fa && f < r->model.n_fields && f < nf; f++) {
			json_t *levels = json_array();
			for (int l = r->model.n_levels[f] - 1; levels && l >= 0; l--)
				bad |= json_array_append_new(
				    levels, json_pack("{s:s,s:f,s:f,s:f}", "level", fields[f].level_names[l],
						      "m", r->model.m[f][l], "u", r->model.u[f][l], "weight",
						      r->model.w[f][l]));
			json_t *fo =
			    json_pack("{s:s,s:I,s:b,s:s,s:o}", "field", fields[f].name, "records_with_value",
				      (json_int_t)fields[f].present, "tf", fields[f].tf, "m_from",
				      msrc[r->model.m_source[f]], "levels", levels);
			if (fo && (int)f == r->model.cond_field) {
				/* u and weight of sex at each name level */
				size_t nl = (size_t)r->model.n_levels[r->model.cond_on];
				json_t *uc = json_object();
				for (size_t k = nl; uc && k-- > 0;) {
					json_t *lv = json_array();
					for (int l = r->model.n_levels[f] - 1; lv && l >= 0; l--)
						bad |= json_array_append_new(
						    lv, json_pack("{s:s,s:f,s:f}", "level",
								  fields[f].level_names[l], "u",
								  r->model.u_cond[k][l], "weight",
								  r->model.w_cond[k][l]));
					bad |= set_new(uc, fields[r->model.cond_on].level_names[k], lv);
				}
				bad |= set_new(fo, "given_name_level", uc);
			}
			if (fo && (int)f == r->model.birth_field) {
				/* u and weight of the birth at each list level */
				size_t nl = (size_t)r->model.n_levels[r->model.list_field];
				json_t *ub = json_object();
				for (size_t k = nl; ub && k-- > 0;) {
					json_t *lv = json_array();
					for (int l = r->model.n_levels[f] - 1; lv && l >= 0; l--)
						bad |= json_array_append_new(
						    lv, json_pack("{s:s,s:f,s:f}", "level",
								  fields[f].level_names[l], "u",
								  r->model.u_birth[k][l], "weight",
								  r->model.w_birth[k][l]));
					bad |= set_new(ub, fields[r->model.list_field].level_names[k], lv);
				}
				bad |= set_new(fo, "given_list_level", ub);
			}
			bad |= json_array_append_new(fa, fo);
		}
		bad |= set_new(model, "fields", fa);
	}
	bad |= set_new(j, "model", model);
	json_t *t = json_object();
	double total = 0;
	for (int p = 0; t && p < KITH_LINK_PHASES; p++) {
		bad |= set_new(t, phase_names[p], json_real(r->seconds[p]));
		total += r->seconds[p];
	}
	if (t)
		bad |= set_new(t, "total", json_real(total));
	bad |= set_new(j, "seconds", t);
	bad |= set_new(j, "threads", json_integer(r->threads));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int kith_link_explain(const struct kith_link_result *r, const struct kith_dataset *ds, size_t a, size_t b,
		      struct kith_sbuf *text, json_t **json, struct kith_err *err)
{
	struct kith_fsmodel_term terms[KITH_LINKCFG_MAX_FIELDS];
	size_t n;
	size_t pi = SIZE_MAX;
	for (size_t i = 0; r->weight && i < r->n_pairs && pi == SIZE_MAX; i++)
		if ((r->pairs[i].a == a && r->pairs[i].b == b) || (r->pairs[i].a == b && r->pairs[i].b == a))
			pi = i;
	double total = kith_fsmodel_explain(&r->model, ds, a, b, pi != SIZE_MAX, terms, &n);
	/* the triads' share (kith_triad_apply), then the rivals' (compete): the scored weight of a
	 * compared pair less its own evidence and the triads' */
	double rivals = 0, triads = 0, split = 0;
	if (pi != SIZE_MAX) {
		triads = kith_triad_bits(r->triads, r->n_triads, pi);
		split = kith_triad_bits(r->split, r->n_split, pi);
		double d = (double)r->weight[pi] - triads - split - total;
		rivals = d < -1e-3 ? d : 0;
	}
	total += rivals + triads + split;
	double prob = kith_fsmodel_prob(total);
	int bad = 0;
	if (text) {
		bad |= kith_sbuf_addf(text, "%s  vs  %s\n", kith_dataset_id(ds, a), kith_dataset_id(ds, b));
		bad |= kith_sbuf_addf(text, "  %-12s %-10s %-44s %8s %8s %8s\n", "field", "level",
				      "comparison", "m", "u", "log2 BF");
		bad |= kith_sbuf_addf(text, "  %-12s %-10s %-44s %8s %8s %+8.2f\n", "prior", "",
				      "two random records match", "", "", r->model.prior_bits);
		for (size_t i = 0; i < n; i++) {
			const struct kith_fsmodel_term *t = &terms[i];
			if (t->level == KITH_DATASET_MISSING)
				bad |= kith_sbuf_addf(text, "  %-12s %-10s %-44s %8s %8s %+8.2f\n", t->field,
						      "missing", "", "", "", 0.0);
			else
				bad |=
				    kith_sbuf_addf(text, "  %-12s %-10s %-44s %8.4f %8.5f %+8.2f\n", t->field,
						   t->level_name, t->detail, t->m, t->u, t->bits);
			if (t->tf_bits != 0)
				bad |= kith_sbuf_addf(text, "  %-12s %-10s %-44s %8s %8s %+8.2f\n", "", "",
						      "term frequency (how common the value is)", "", "",
						      t->tf_bits);
		}
		if (rivals != 0)
			bad |= kith_sbuf_addf(text, "  %-12s %-10s %-44s %8s %8s %+8.2f\n", "rivals", "",
					      "other records of one list as likely", "", "", rivals);
		if (triads != 0)
			bad |= kith_sbuf_addf(text, "  %-12s %-10s %-44s %8s %8s %+8.2f\n", "triads", "",
					      "a third record compared with both", "", "", triads);
		if (split != 0)
			bad |= kith_sbuf_addf(text, "  %-12s %-10s %-44s %8s %8s %+8.2f\n", "persons", "",
					      split < 0 ? "kept in two persons: for review"
							: "joined in one person: linked",
					      "", "", split);
		bad |= kith_sbuf_addf(text, "  %-12s %-10s %-44s %8s %8s %+8.2f\n", "total", "",
				      "match weight", "", "", total);
		bad |= kith_sbuf_addf(text, "  match probability %.6f (threshold %.3f: %s)\n", prob,
				      r->threshold, prob >= r->threshold ? "a match" : "not a match");
	}
	if (json) {
		json_t *j =
		    json_pack("{s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:b}", "id1", kith_dataset_id(ds, a),
			      "id2", kith_dataset_id(ds, b), "prior", r->model.prior_bits, "rivals_bits",
			      rivals, "triads_bits", triads, "persons_bits", split, "weight", total, "prob",
			      prob, "threshold", r->threshold, "match", prob >= r->threshold);
		json_t *fa = json_array();
		for (size_t i = 0; j && fa && i < n; i++) {
			const struct kith_fsmodel_term *t = &terms[i];
			json_t *o = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f}", "field", t->field, "level",
					      t->level_name, "comparison", t->detail, "m", t->m, "u", t->u,
					      "bits", t->bits, "tf_bits", t->tf_bits);
			bad |= !o || json_array_append_new(fa, o);
		}
		bad |= !j || !fa || json_object_set_new(j, "fields", fa);
		if (bad) {
			json_decref(j);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
		*json = j;
	}
	if (bad)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	return KITH_OK;
}
