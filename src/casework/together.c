/*
 * together — this organization's encoding from its vault, and the linkage and
 * joint estimate over several organizations' encodings (see together.h).
 */
#include "casework/together.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/prng.h"
#include "casework/pprl_vault.h"
#include "link/dataset.h"
#include "pprl/encode.h"
#include "pprl/kpe.h"
#include "pprl/match.h"
#include "stats/estimate.h"
#include "stats/interval.h"
#include "stats/loglin.h"
#include "stats/summary.h"
#include "stats/table.h"
#include "stats/unseen.h"

#define SIGN_TAG "kith-pprl-sign-v1 "

/* ---------------------------------------------------------------- encode */

static int secret_key(const char *s, size_t len, const char *name, struct kith_pprl_key **key,
		      struct kith_err *err)
{
	if (len > KITH_TOGETHER_SECRET_FILE_MAX)
		return kith_err_set(err, KITH_E_INVALID, name, "too large for a shared secret file");
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	int rc = kith_pprl_key_new(key, (const uint8_t *)s, len, err);
	if (rc)
		snprintf(err->where, sizeof err->where, "%s", name);
	return rc;
}

static int sign_key(const char *s, size_t len, const char *name, uint8_t **sk, uint8_t pk[32],
		    struct kith_err *err)
{
	size_t tl = strlen(SIGN_TAG), bin = 0;
	const char *end = NULL;
	*sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (!*sk)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	int ok = len <= KITH_TOGETHER_SIGN_FILE_MAX && len > tl && !strncmp(s, SIGN_TAG, tl) &&
		 sodium_hex2bin(*sk, crypto_sign_SECRETKEYBYTES, s + tl, len - tl, "\r\n", &bin, &end) == 0 &&
		 bin == crypto_sign_SECRETKEYBYTES;
	if (!ok) {
		sodium_free(*sk);
		*sk = NULL;
		return kith_err_set(err, KITH_E_INVALID, name,
				    "not a kith pprl signing key (kith pprl keygen --sign-key)");
	}
	crypto_sign_ed25519_sk_to_pk(pk, *sk);
	return KITH_OK;
}

int kith_together_encode_record(const struct kith_pprl_key *key, const struct kith_pprl_params *p,
				const struct kith_dataset *ds, size_t rec, size_t i, uint64_t *filter)
{
	struct kith_dataset_values dv;
	kith_dataset_values(ds, rec, &dv);
	struct kith_pprl_input in = {.name = dv.n_names ? dv.names[0] : NULL,
				     .sex = dv.sex,
				     .birth_year = dv.birth_year,
				     .birth_approx = dv.birth_approx,
				     .birth_month = dv.birth_month,
				     .birth_day = dv.birth_day,
				     .origin = dv.origin,
				     .origin_len = dv.origin_len};
	for (size_t j = 1; j < dv.n_names && in.n_other < KITH_PPRL_MAX_OTHER; j++)
		in.other[in.n_other++] = dv.names[j];
	return kith_pprl_encode(key, p, &in, i, filter);
}

unsigned kith_together_kpe_flags(const struct kith_pprl_params *p)
{
	return ((p->weak & KITH_PPRL_WEAK_NOFOLD) ? 0 : KITH_KPE_F_FOLDED) |
	       ((p->weak & KITH_PPRL_WEAK_SURNAME) ? KITH_KPE_F_SURNAME : 0) |
	       (p->allow_weak ? KITH_KPE_F_WEAK : 0);
}

int kith_together_encode(struct kith_vault *v, const char *secret, size_t secret_len, const char *secret_name,
			 const char *sign, size_t sign_len, const char *sign_name, const char *org,
			 const struct kith_pprl_params *pp, struct kith_sbuf *out, struct kith_sbuf *ids,
			 struct kith_together_counts *counts, struct kith_err *err)
{
	memset(counts, 0, sizeof *counts);
	struct kith_pprl_params def;
	memset(&def, 0, sizeof def);
	const struct kith_pprl_params *p = pp ? pp : &def;
	int rc = kith_kpe_check_org(org ? org : "", err);
	if (!rc)
		rc = kith_pprl_params_check(p, err);
	if (rc) {
		if (!err->where[0])
			snprintf(err->where, sizeof err->where, "org");
		return rc;
	}
	struct kith_pprl_key *key = NULL;
	uint8_t *sk = NULL;
	struct kith_kpe e;
	memset(&e, 0, sizeof e);
	rc = secret_key(secret ? secret : "", secret ? secret_len : 0, secret_name, &key, err);
	if (!rc)
		rc = sign_key(sign ? sign : "", sign ? sign_len : 0, sign_name, &sk, e.signer, err);
	struct kith_dataset *ds = NULL;
	struct kith_pprl_vault_counts vc = {0};
	if (!rc) {
		kith_pprl_key_id(key, e.key_id);
		rc = kith_pprl_vault_dataset(v, &ds, &vc, err);
	}
	size_t n = rc ? 0 : kith_dataset_count(ds);
	if (!rc) {
		e.filters = aligned_alloc(64, (n ? n : 1) * KITH_PPRL_BITS / 8);
		if (!e.filters)
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; !rc && i < n; i++) {
		rc = kith_together_encode_record(key, p, ds, i, i, e.filters + i * KITH_PPRL_WORDS);
		if (rc)
			kith_err_set(err, rc, NULL, "encoding failed");
	}
	if (!rc) {
		snprintf(e.org, sizeof e.org, "%s", org);
		e.n = n;
		e.flip = kith_pprl_params_flip(p);
		e.flags = kith_together_kpe_flags(p);
		size_t mark = out->len;
		rc = kith_kpe_write(&e, sk, out, err);
		if (rc && out->len > mark) {
			sodium_memzero(out->buf + mark, out->len - mark);
			out->len = mark;
		}
	}
	if (!rc && ids) {
		int e2 = kith_sbuf_adds(ids, "row,id\n");
		for (size_t i = 0; !e2 && i < n; i++)
			e2 = kith_sbuf_addf(ids, "%zu,%s\n", i + 1, kith_dataset_id(ds, i));
		if (e2)
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	if (!rc) {
		counts->cases = vc.cases;
		counts->taken = vc.taken;
		counts->no_consent = vc.no_consent;
		counts->unusable = vc.unusable;
	}
	if (e.filters)
		sodium_memzero(e.filters, n * KITH_PPRL_BITS / 8);
	free(e.filters);
	kith_dataset_free(ds);
	sodium_free(sk);
	kith_pprl_key_free(key);
	return rc;
}

/* ---------------------------------------------------------------- inspect */

static json_t *hex_json(const uint8_t *b, size_t n)
{
	char hex[2 * 64 + 1];
	sodium_bin2hex(hex, sizeof hex, b, n);
	return json_string(hex);
}

int kith_together_inspect(const uint8_t *data, size_t len, const char *name, json_t **out,
			  struct kith_err *err)
{
	struct kith_kpe e;
	int rc = kith_kpe_parse(&e, data, len, name, err);
	if (rc)
		return rc;
	*out = json_pack("{s:s, s:s, s:I, s:o, s:o, s:b}", "name", name, "organization", e.org, "records",
			 (json_int_t)e.n, "key_id", hex_json(e.key_id, KITH_PPRL_KEYID_BYTES), "signer",
			 hex_json(e.signer, 32), "weak", (e.flags & KITH_KPE_F_WEAK) != 0);
	kith_kpe_release(&e);
	return *out ? KITH_OK : kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
}

/* ---------------------------------------------------------------- link */

static const struct kith_estimate_row *selected(const struct kith_estimate_result *r)
{
	if (r->sel_bic != KITH_ESTIMATE_NONE)
		return &r->rows[r->sel_bic];
	for (size_t i = 0; i < r->n_rows; i++)
		if (r->rows[i].status == KITH_ESTIMATE_OK)
			return &r->rows[i];
	return NULL;
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

struct merge {
	uint32_t x, y; /* persons, x < y */
	float p;
};

static int cmp_merge(const void *a, const void *b)
{
	const struct merge *u = a, *v = b;
	if (u->x != v->x)
		return u->x < v->x ? -1 : 1;
	if (u->y != v->y)
		return u->y < v->y ? -1 : 1;
	return u->p > v->p ? -1 : u->p < v->p;
}

/* The persons of the decided linkage (pat[c]: the lists of person c) and the
 * missed links the model sees between them: for every two persons of
 * disjoint lists with a candidate pair of two lists, their best pair's
 * posterior (one entry per two persons), sorted by posterior, highest first. */
static int cmp_merge_p(const void *a, const void *b)
{
	const struct merge *u = a, *v = b;
	if (u->p != v->p)
		return u->p > v->p ? -1 : 1;
	if (u->x != v->x)
		return u->x < v->x ? -1 : 1;
	return u->y < v->y ? -1 : u->y > v->y;
}

static int missed_links(const struct kith_pprl_result *r, const uint32_t *source, uint32_t **pat_out,
			struct merge **mg_out, size_t *nm_out)
{
	size_t n = r->n, nc = r->clusters.n_clusters;
	const uint32_t *cl = r->clusters.cluster;
	uint32_t *pat = calloc(nc ? nc : 1, sizeof *pat);
	struct merge *mg = malloc((r->n_pairs ? r->n_pairs : 1) * sizeof *mg);
	if (!pat || !mg) {
		free(pat);
		free(mg);
		return KITH_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		pat[cl[i]] |= 1u << source[i];
	size_t nm = 0;
	for (size_t i = 0; i < r->n_pairs; i++) {
		uint32_t a = r->pairs[i].a, b = r->pairs[i].b;
		float p = r->post[i];
		/* rival pairs too: their posterior has its own share of matches (bench/README.md,
		 * est16: 10-54 true pairs a population were rivals between persons of disjoint lists) */
		if (source[a] == source[b] || cl[a] == cl[b])
			continue;
		if (!(pat[cl[a]] & pat[cl[b]]) && p > 0) {
			uint32_t x = cl[a] < cl[b] ? cl[a] : cl[b], y = cl[a] < cl[b] ? cl[b] : cl[a];
			mg[nm++] = (struct merge){x, y, p};
		}
	}
	qsort(mg, nm, sizeof *mg, cmp_merge);
	size_t u = 0;
	for (size_t i = 0; i < nm; i++)
		if (!u || mg[i].x != mg[u - 1].x || mg[i].y != mg[u - 1].y)
			mg[u++] = mg[i]; /* the best pair of the two persons only */
	qsort(mg, u, sizeof *mg, cmp_merge_p);
	*pat_out = pat;
	*mg_out = mg;
	*nm_out = u;
	return KITH_OK;
}

/*
 * The table corrected for the linkage's own errors, in expectation under
 * its match model (after Ding & Fienberg 1994 and Di Consiglio & Tuoto 2015,
 * who correct the counts of a capture-recapture table with the linkage's
 * estimated rates of missed and false links), for the missed links only:
 * two persons of disjoint lists whose records have a candidate pair of
 * posterior p (a rival too) are one person with probability p (the best pair
 * of the two persons: a pattern each moves p to their union). Counts
 * rounded, none below 0. counts[0..2^k).
 */
int kith_together_corrected(const struct kith_pprl_result *r, const uint32_t *source, unsigned k,
			    double *counts)
{
	uint32_t *pat = NULL;
	struct merge *mg = NULL;
	size_t nm = 0, nc = r->clusters.n_clusters;
	if (missed_links(r, source, &pat, &mg, &nm))
		return KITH_E_NOMEM;
	memset(counts, 0, ((size_t)1 << k) * sizeof *counts);
	for (size_t c = 0; c < nc; c++)
		counts[pat[c]] += 1;
	for (size_t i = 0; i < nm; i++) {
		double p = mg[i].p;
		counts[pat[mg[i].x]] -= p;
		counts[pat[mg[i].y]] -= p;
		counts[pat[mg[i].x] | pat[mg[i].y]] += p;
	}
	/* false links are not split off: the posteriors of decided links are under-confident
	 * (splitting each with 1 - p raised the estimate by 10-20% in bench/pprl.sh where the
	 * linkage's precision was 0.95; bench/README.md) */
	for (size_t pt = 1; pt < ((size_t)1 << k); pt++)
		counts[pt] = counts[pt] > 0 ? floor(counts[pt] + 0.5) : 0;
	counts[0] = 0;
	free(pat);
	free(mg);
	return KITH_OK;
}

static uint32_t uf_find(uint32_t *up, uint32_t x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];
		x = up[x];
	}
	return x;
}

/*
 * One draw of the correction: the decided persons, and each missed link of
 * missed_links() (highest posterior first) made with its posterior
 * probability when the two persons' lists are still disjoint. counts[0..2^k).
 * up[] and pt[] are scratch of nc entries each.
 */
static void corrected_draw(size_t nc, const uint32_t *pat, const struct merge *mg, size_t nm, unsigned k,
			   uint64_t *rs, uint32_t *up, uint32_t *pt, double *counts)
{
	for (size_t c = 0; c < nc; c++) {
		up[c] = (uint32_t)c;
		pt[c] = pat[c];
	}
	for (size_t i = 0; i < nm; i++) {
		if ((double)(kith_prng_splitmix(rs) >> 11) * 0x1.0p-53 >= mg[i].p)
			continue;
		uint32_t x = uf_find(up, mg[i].x), y = uf_find(up, mg[i].y);
		if (x == y || (pt[x] & pt[y]))
			continue;
		up[y] = x;
		pt[x] |= pt[y];
	}
	memset(counts, 0, ((size_t)1 << k) * sizeof *counts);
	for (size_t c = 0; c < nc; c++)
		if (up[c] == c)
			counts[pt[c]] += 1;
	counts[0] = 0;
}

/* counts with the splits no candidate pair could show undone for rate beta
 * (stats/unseen.h), rounded to whole persons as a table needs; unchanged for
 * beta 0 or a table the rate cannot be undone in. */
static void unsplit_round(double *counts, unsigned k, double beta)
{
	double tmp[1u << KITH_PPRL_MAX_LISTS];
	if (!(beta > 0) || kith_unseen_unsplit(counts, k, beta, tmp))
		return;
	for (uint32_t p = 1; p < (1u << k); p++)
		counts[p] = floor(tmp[p] + 0.5);
}

/* The rate of kith_together_opts.unseen_rate: 0 the default, negative none. */
static double unseen_rate_of(double r)
{
	return r < 0 ? 0 : r > 0 ? r : KITH_TOGETHER_UNSEEN_RATE;
}

int kith_together_corrected_unseen(const struct kith_pprl_result *r, const uint32_t *source, unsigned k,
				   double unseen_rate, double *counts, double *rate_used)
{
	double rate = unseen_rate_of(unseen_rate);
	if (!isfinite(rate) || rate > KITH_TOGETHER_UNSEEN_RATE_MAX)
		return KITH_E_INVALID;
	if (kith_together_corrected(r, source, k, counts))
		return KITH_E_NOMEM;
	unsplit_round(counts, k, rate);
	if (rate_used)
		*rate_used = rate;
	return KITH_OK;
}

int kith_together_corrected_csv(const char *const *nm, unsigned k, const double *counts, double rate,
				struct kith_sbuf *out)
{
	size_t len0 = out->len;
	int rc = kith_sbuf_addf(
	    out,
	    "# kith pprl link --corrected-table: the table the joint estimate chooses its model on\n"
	    "# (--estimate: model_draws, n_hat_corrected_model_draws). The decided linkage's persons,\n"
	    "# corrected in expectation for the links it missed (two persons of disjoint lists are one\n"
	    "# with their best candidate pair's posterior), then for the records no candidate pair\n"
	    "# could join (each record of a person of two or more lists split off at a rate of %.4g,\n"
	    "# --unseen-rate%s, undone in expectation); counts rounded.\n",
	    rate, rate > 0 ? "" : ": none");
	if (!rc)
		rc = kith_together_table_csv(nm, k, counts, out);
	if (rc && out->buf) {
		sodium_memzero(out->buf + len0, out->len - len0);
		out->len = len0;
	}
	return rc ? KITH_E_NOMEM : KITH_OK;
}

/* The BIC-selected estimate of one table, quickly (no bootstrap, no latent
 * classes): *nh, *lo, *hi (NAN when nothing fits); name[64] the model. */
static void quick_estimate(const char *const *nm, unsigned k, const double *cnt, uint64_t seed, double *nh,
			   double *lo, double *hi, char *name)
{
	struct kith_estimate_opts o2;
	memset(&o2, 0, sizeof o2);
	o2.no_boot = 1;
	o2.no_lcm = 1;
	o2.top = 1;
	o2.seed = seed;
	struct kith_stats_table *t2 = NULL;
	struct kith_estimate_result *r2 = NULL;
	struct kith_err e2;
	kith_err_clear(&e2);
	*nh = *lo = *hi = NAN;
	if (name)
		snprintf(name, 64, "none");
	if (kith_stats_table_new(&t2, k, nm, cnt, &e2) || kith_estimate_run(t2, &o2, &r2, &e2)) {
		kith_stats_table_free(t2);
		return;
	}
	kith_stats_table_free(t2);
	const struct kith_estimate_row *s = selected(r2);
	if (s && isfinite(s->n_hat) && s->n_hat > 0) {
		*nh = s->n_hat;
		*lo = s->lo;
		*hi = s->hi;
		if (name)
			snprintf(name, 64, "%s", s->name);
	}
	kith_estimate_free(r2);
}

/* The estimate of one table under the model named `model` (a name as the
 * panel writes it: "Mt", "Mth Chao", "[12,13,3]"): *nh, *lo, *hi, NAN when the
 * model cannot be fitted to this table. */
static void fixed_estimate(const char *const *nm, unsigned k, const double *cnt, const char *model,
			   double *nh, double *lo, double *hi)
{
	struct kith_stats_table *t = NULL;
	struct kith_loglin *L = NULL;
	struct kith_loglin_spec spec;
	struct kith_loglin_result f;
	struct kith_interval ci;
	uint32_t terms[256];
	*nh = *lo = *hi = NAN;
	memset(&spec, 0, sizeof spec);
	memset(&f, 0, sizeof f);
	if (kith_loglin_parse_name(model, k, &spec, terms, sizeof terms / sizeof *terms, NULL) ||
	    kith_stats_table_new(&t, k, nm, cnt, NULL))
		goto out;
	if (kith_loglin_new(&L, t, &spec, NULL) || kith_loglin_check(L, NULL) != KITH_LOGLIN_OK ||
	    kith_loglin_fit(L, &f, NULL) || f.state != KITH_LOGLIN_OK || !(f.n_hat > 0))
		goto out;
	*nh = f.n_hat;
	if (kith_interval_profile(L, &f, 0.95, &ci, NULL) == KITH_OK) {
		*lo = ci.lo;
		*hi = ci.hi;
	}
out:
	kith_loglin_free(L);
	kith_stats_table_free(t);
}

/* Appends `per` draws of one estimate's sampling distribution (a split normal
 * on the log scale from its profile interval) to pool; *unbounded set when
 * the interval has no upper end. */
static void pool_interval(double m1, double l1, double h1, size_t per, uint64_t *rs, double *pool, size_t *np,
			  int *unbounded)
{
	if (!isfinite(h1))
		*unbounded = 1;
	double m = log(m1), sl = (m - log(l1)) / 1.959964, sh = isfinite(h1) ? (log(h1) - m) / 1.959964 : sl;
	for (size_t i = 0; i < per; i++) {
		double u1 = ((double)(kith_prng_splitmix(rs) >> 11) + 0.5) * 0x1.0p-53;
		double u2 = ((double)(kith_prng_splitmix(rs) >> 11) + 0.5) * 0x1.0p-53;
		double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		pool[(*np)++] = exp(m + z * (z < 0 ? sl : sh));
	}
}

/*
 * The estimate with the linkage's own uncertainty. The table estimated is
 * the decided linkage's corrected for the links it missed
 * (kith_together_corrected: in expectation under the match model); the
 * decided table's estimate is reported beside it. The model is the one BIC
 * selects on the corrected table (the closest the linkage gets to the true
 * table, on which `kith estimate` would select), not on the decided table,
 * whose missed links change the selection. Then `draws` draws of that
 * correction: each missed link of the model made with its posterior
 * probability (the decided links kept), the table rebuilt; the point is the
 * median of the draws fitted with that model; the interval pools, for each
 * draw, the profile interval (a split normal on the log scale) of that model
 * and of the model BIC selects on the draw itself (the selection's own
 * uncertainty), and takes its 2.5% and 97.5% points. The splits no candidate
 * pair shows (records whose names share nothing with their person's others)
 * are undone in expectation (stats/unseen.h) at the rate o->unseen_rate for
 * the model's choice, and at rates evenly spaced over [0, 2 rate] in the
 * draws: a stated band, since the encodings cannot show that rate.
 */
int kith_together_estimate(const struct kith_pprl_result *r, const uint64_t *f, const uint32_t *source,
			   const char *const *nm, unsigned k, const double *counts,
			   const struct kith_together_opts *o, json_t *root, struct kith_err *err)
{
	(void)f;
	size_t draws = o->draws ? o->draws : 20;
	uint64_t seed = o->seed ? o->seed : 1;
	double rate = unseen_rate_of(o->unseen_rate);
	if (!isfinite(rate) || rate > KITH_TOGETHER_UNSEEN_RATE_MAX)
		return kith_err_set(err, KITH_E_INVALID, NULL, "the unseen rate is outside 0 .. %.2f",
				    KITH_TOGETHER_UNSEEN_RATE_MAX);
	struct kith_stats_table *t = NULL;
	struct kith_estimate_result *res = NULL;
	struct kith_estimate_opts eo;
	memset(&eo, 0, sizeof eo);
	eo.seed = seed;
	double corr[1u << KITH_PPRL_MAX_LISTS];
	if (kith_together_corrected(r, source, k, corr))
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	double nd0, dlo, dhi, nf0, flo, fhi;
	char dmodel[64], cmodel[64];
	quick_estimate(nm, k, counts, seed, &nd0, &dlo, &dhi, dmodel);
	/* the draws fit the model BIC selects on the corrected table: each draw's own selection
	 * turned on BIC differences of a few tenths with three lists and jumped to a model whose
	 * estimate was twice the others' (bench/README.md, issue 16); the decided table's
	 * selection is thrown by its missed links */
	double corr_r[1u << KITH_PPRL_MAX_LISTS];
	memcpy(corr_r, corr, ((size_t)1 << k) * sizeof *corr_r);
	unsplit_round(corr_r, k, rate);
	quick_estimate(nm, k, corr_r, seed, &nf0, &flo, &fhi, cmodel);
	int fixed = isfinite(nf0);
	/* the point (n_hat, lo, hi) and the models' table from the same corrected table as the
	 * draws and --corrected-table: missed links, then the unseen splits at the rate (until the
	 * twelfth session it was the table before the unseen splits, and n_hat disagreed with the
	 * interval) */
	int rc = kith_stats_table_new(&t, k, nm, corr_r, err);
	if (!rc)
		rc = kith_estimate_run(t, &eo, &res, err);
	kith_stats_table_free(t);
	if (rc)
		return rc;
	json_t *rj = NULL;
	struct kith_sbuf sb = KITH_SBUF_INIT, svg = KITH_SBUF_INIT, text = KITH_SBUF_INIT;
	rc = kith_estimate_json(res, &rj, err);
	if (!rc)
		rc = kith_estimate_summary(res, o->lang ? o->lang : "en", &sb, err);
	if (!rc)
		rc = kith_estimate_text(res, &text, err);
	if (!rc) {
		char title[160];
		snprintf(title, sizeof title,
			 "Joint estimate: %.0f observed on %u lists (corrected for missed links and unseen "
			 "splits)",
			 res->observed, res->k);
		rc = kith_estimate_svg(res, title, &svg, err);
	}
	if (!rc) {
		json_object_set_new(root, "result", rj);
		json_object_set_new(root, "summary", json_stringn(sb.buf ? sb.buf : "", sb.len));
		json_object_set_new(root, "svg", json_stringn(svg.buf ? svg.buf : "", svg.len));
		json_object_set_new(root, "text", json_stringn(text.buf ? text.buf : "", text.len));
	} else {
		json_decref(rj);
	}
	kith_sbuf_release(&sb);
	kith_sbuf_release(&svg);
	kith_sbuf_release(&text);
	const struct kith_estimate_row *sel0 = selected(res);
	double n0 = sel0 ? sel0->n_hat : NAN, lo0 = sel0 ? sel0->lo : NAN, hi0 = sel0 ? sel0->hi : NAN;
	char selname[64];
	snprintf(selname, sizeof selname, "%s", sel0 ? sel0->name : "none");
	kith_estimate_free(res);
	if (rc)
		return rc;

	uint32_t *pat = NULL;
	struct merge *mg = NULL;
	size_t nmg = 0, nc = r->clusters.n_clusters;
	size_t per = 200;
	double *pool = malloc((2 * draws * per + 1) * sizeof *pool);
	double *nh = malloc((draws + 1) * sizeof *nh);
	uint32_t *up = malloc((nc ? nc : 1) * sizeof *up), *pt = malloc((nc ? nc : 1) * sizeof *pt);
	double cnt[1u << KITH_PPRL_MAX_LISTS];
	if (!pool || !nh || !up || !pt || missed_links(r, source, &pat, &mg, &nmg)) {
		free(pool);
		free(nh);
		free(up);
		free(pt);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	size_t np = 0, nd = 0, other = 0;
	int unbounded = 0;
	uint64_t rs = seed ^ 0xD1CEu, ds = seed * 0x9E3779B97F4A7C15ULL + 1;
	for (size_t d = 0; d < draws; d++) {
		corrected_draw(nc, pat, mg, nmg, k, &ds, up, pt, cnt);
		/* the unseen splits: the rates of the band [0, 2 rate], one a draw, evenly spaced */
		unsplit_round(cnt, k, 2 * rate * ((double)d + 0.5) / (double)draws);
		double m1 = NAN, l1 = NAN, h1 = NAN, m2, l2, h2;
		char dm[64];
		if (fixed)
			fixed_estimate(nm, k, cnt, cmodel, &m1, &l1, &h1);
		quick_estimate(nm, k, cnt, seed + d, &m2, &l2, &h2, dm);
		if (!(isfinite(m1) && l1 > 0)) { /* the model does not fit this draw: its own */
			m1 = m2;
			l1 = l2;
			h1 = h2;
		}
		if (isfinite(m1) && l1 > 0) {
			nh[nd++] = m1;
			pool_interval(m1, l1, h1, per, &rs, pool, &np, &unbounded);
			if (isfinite(m2) && l2 > 0 && strcmp(dm, cmodel) != 0) {
				other++;
				pool_interval(m2, l2, h2, per, &rs, pool, &np, &unbounded);
			} else {
				pool_interval(m1, l1, h1, per, &rs, pool, &np, &unbounded);
			}
		}
		if (o->progress)
			o->progress(o->pctx, d + 1, draws);
	}
	free(up);
	free(pt);
	free(pat);
	free(mg);
	double med = NAN, lo = NAN, hi = NAN;
	if (nd) {
		qsort(nh, nd, sizeof *nh, cmp_d);
		med = nh[nd / 2];
		qsort(pool, np, sizeof *pool, cmp_d);
		lo = pool[(size_t)(0.025 * (double)(np - 1))];
		hi = unbounded ? INFINITY : pool[(size_t)(0.975 * (double)(np - 1))];
	}
	free(pool);
	free(nh);
	json_t *u = json_pack(
	    "{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:f, s:f, s:f, s:f, "
	    "s:f, "
	    "s:s}",
	    "model", selname, "model_draws", fixed ? cmodel : "BIC-selected in each draw", "model_decided",
	    dmodel, "n_hat_corrected_model_draws", isfinite(nf0) ? nf0 : -1.0, "lo_corrected_model_draws",
	    isfinite(flo) ? flo : -1.0, "hi_corrected_model_draws", isfinite(fhi) ? fhi : -1.0, "n_hat",
	    isfinite(n0) ? n0 : -1.0, "lo", isfinite(lo0) ? lo0 : -1.0, "hi", isfinite(hi0) ? hi0 : -1.0,
	    "n_hat_decided", isfinite(nd0) ? nd0 : -1.0, "lo_decided", isfinite(dlo) ? dlo : -1.0,
	    "hi_decided", isfinite(dhi) ? dhi : -1.0, "missed_links", (json_int_t)nmg, "draws",
	    (json_int_t)nd, "draws_other_model", (json_int_t)other, "n_hat_median_draws",
	    isfinite(med) ? med : -1.0, "lo_with_linkage", isfinite(lo) ? lo : -1.0, "hi_with_linkage",
	    isfinite(hi) ? hi : -1.0, "unseen_rate", rate, "unseen_rate_max", 2 * rate, "method",
	    "the table corrected for the links the linkage missed (two persons of disjoint lists are one "
	    "with their best candidate pair's posterior probability); each draw makes every such link with "
	    "its probability, keeps the decided links and rebuilds the table, then undoes in expectation the "
	    "splits no candidate pair shows (records whose names share nothing with their person's other "
	    "records): each record of a person of two or more lists split off on its own at a rate, the "
	    "draws' rates evenly spaced over [0, unseen_rate_max]; the point is the median of the draws "
	    "fitted with the model BIC selects on the corrected table at unseen_rate (model_draws, "
	    "n_hat_corrected_model_draws); the interval pools, for each draw, the profile interval (split "
	    "normal on the log scale) of that model and of the model BIC selects on the draw "
	    "(draws_other_model: how many selected another) and takes its 2.5% and 97.5% points. The rate "
	    "is a setting, not an estimate: the encodings cannot show it. The interval holds the true "
	    "table's estimate only if the lists' rate of such records is within the band");
	if (!u)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	json_object_set_new(root, "estimate", u);
	return KITH_OK;
}

int kith_together_compatible(const struct kith_kpe *kf, size_t i, const char *const *names,
			     struct kith_err *err)
{
	const struct kith_kpe *e = &kf[i];
	if (i > 0 && sodium_memcmp(e->key_id, kf[0].key_id, KITH_PPRL_KEYID_BYTES) != 0)
		return kith_err_set(err, KITH_E_INVALID, names[i],
				    "encoded with another secret than %s (organization %s); every "
				    "organization must encode with the same shared secret",
				    names[0], kf[0].org);
	if ((e->flags & KITH_KPE_F_FOLDED) != (kf[0].flags & KITH_KPE_F_FOLDED) ||
	    (e->flags & KITH_KPE_F_SURNAME) != (kf[0].flags & KITH_KPE_F_SURNAME))
		return kith_err_set(err, KITH_E_INVALID, names[i], "encoded with other settings than %s",
				    names[0]);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(kf[j].org, e->org))
			return kith_err_set(err, KITH_E_INVALID, names[i],
					    "organization %s appears twice (also %s)", e->org, names[j]);
	return KITH_OK;
}

size_t kith_together_uncertain(const struct kith_pprl_result *r)
{
	size_t uncertain = 0;
	for (size_t i = 0; i < r->n_pairs; i++) {
		double p = kith_pprl_model_post(&r->model, r->pairs[i].dice);
		uncertain += p > 0.02 && p < 0.98;
	}
	return uncertain;
}

int kith_together_table_csv(const char *const *nm, unsigned k, const double *counts, struct kith_sbuf *out)
{
	size_t len0 = out->len;
	int rc = kith_sbuf_adds(out, "# kith pprl link: persons by the organizations that recorded them\n");
	for (unsigned j = 0; !rc && j < k; j++)
		rc = kith_sbuf_addf(out, "%s,", nm[j]);
	if (!rc)
		rc = kith_sbuf_adds(out, "count\n");
	for (size_t pt = ((size_t)1 << k) - 1; !rc && pt > 0; pt--) {
		if (counts[pt] <= 0)
			continue;
		for (unsigned j = 0; !rc && j < k; j++)
			rc = kith_sbuf_adds(out, (pt >> j & 1u) ? "1," : "0,");
		if (!rc)
			rc = kith_sbuf_addf(out, "%.0f\n", counts[pt]);
	}
	if (rc && out->buf) { /* nothing new on failure */
		sodium_memzero(out->buf + len0, out->len - len0);
		out->len = len0;
	}
	return rc ? KITH_E_NOMEM : KITH_OK;
}

int kith_together_link(const struct kith_together_file *files, size_t nf, const struct kith_together_opts *o,
		       json_t **out, struct kith_err *err)
{
	*out = NULL;
	if (nf < 2)
		return kith_err_set(err, KITH_E_INVALID, "files", "linkage needs two encoding files or more");
	if (nf > KITH_TOGETHER_MAX_FILES || nf > KITH_PPRL_MAX_LISTS)
		return kith_err_set(err, KITH_E_INVALID, "files", "at most %u encoding files at once",
				    KITH_TOGETHER_MAX_FILES);
	struct kith_kpe kf[KITH_PPRL_MAX_LISTS];
	memset(kf, 0, sizeof kf);
	size_t loaded = 0, total = 0;
	int rc = KITH_OK;
	json_t *weak = json_array();
	if (!weak)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	for (; loaded < nf; loaded++) {
		const char *name = files[loaded].name;
		rc = kith_kpe_parse(&kf[loaded], files[loaded].data, files[loaded].len, name, err);
		if (rc)
			break;
		const struct kith_kpe *e = &kf[loaded];
		const char *names[KITH_PPRL_MAX_LISTS];
		for (size_t j = 0; j <= loaded; j++)
			names[j] = files[j].name;
		rc = kith_together_compatible(kf, loaded, names, err);
		if (rc) {
			loaded++;
			break;
		}
		if (e->flags & KITH_KPE_F_WEAK)
			json_array_append_new(weak, json_string(e->org));
		total += e->n;
	}
	const char *nm[KITH_PPRL_MAX_LISTS];
	for (size_t j = 0; j < nf; j++)
		nm[j] = kf[j].org;
	uint64_t *f = NULL;
	uint32_t *source = NULL;
	struct kith_pprl_result r;
	memset(&r, 0, sizeof r);
	json_t *root = NULL;
	if (!rc) {
		f = aligned_alloc(64, (total ? total : 1) * KITH_PPRL_BITS / 8);
		source = malloc((total ? total : 1) * sizeof *source);
		if (!f || !source)
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	if (!rc) {
		size_t at = 0;
		for (size_t j = 0; j < nf; j++) {
			memcpy(f + at * KITH_PPRL_WORDS, kf[j].filters, kf[j].n * KITH_PPRL_BITS / 8);
			for (size_t i = 0; i < kf[j].n; i++)
				source[at + i] = (uint32_t)j;
			at += kf[j].n;
		}
		struct kith_pprl_opts lo;
		memset(&lo, 0, sizeof lo);
		lo.seed = o->seed ? o->seed : 1;
		lo.threads = o->threads;
		rc = kith_pprl_link(f, source, total, (unsigned)nf, &lo, &r, err);
	}
	double counts[1u << KITH_PPRL_MAX_LISTS];
	if (!rc) {
		kith_pprl_patterns(r.clusters.cluster, r.clusters.n_clusters, source, total, (unsigned)nf,
				   counts);
		size_t uncertain = kith_together_uncertain(&r);
		json_t *lists = json_array(), *table = json_array();
		for (size_t j = 0; lists && j < nf; j++)
			json_array_append_new(lists, json_string(nm[j]));
		for (size_t pt = ((size_t)1 << nf) - 1; table && pt > 0; pt--) {
			if (counts[pt] <= 0)
				continue;
			json_t *on = json_array();
			for (size_t j = 0; on && j < nf; j++)
				if (pt >> j & 1u)
					json_array_append_new(on, json_string(nm[j]));
			json_array_append_new(
			    table, json_pack("{s:o, s:I}", "lists", on, "count", (json_int_t)counts[pt]));
		}
		root = json_pack(
		    "{s:{s:I, s:I, s:I, s:I, s:s, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:O}, s:o, s:o}",
		    "linkage", "records", (json_int_t)total, "lists", (json_int_t)nf, "persons",
		    (json_int_t)r.clusters.n_clusters, "pairs_compared", (json_int_t)r.compared, "blocking",
		    r.lsh ? "lsh" : "none", "candidate_pairs", (json_int_t)r.n_pairs, "uncertain_pairs",
		    (json_int_t)uncertain, "floor", r.model.floor, "threshold", r.model.threshold,
		    "match_share", r.model.lambda, "em_iterations", (json_int_t)r.model.iterations,
		    "refused_by_guard", (json_int_t)r.clusters.refused, "weak", weak, "lists", lists, "table",
		    table);
		if (!root)
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	if (!rc && o->want_table_csv) {
		struct kith_sbuf sb = KITH_SBUF_INIT;
		int e2 = kith_together_table_csv(nm, (unsigned)nf, counts, &sb);
		if (e2 || json_object_set_new(root, "table_csv", json_stringn(sb.buf ? sb.buf : "", sb.len)))
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		kith_sbuf_release(&sb);
	}
	if (!rc && o->estimate)
		rc = kith_together_estimate(&r, f, source, nm, (unsigned)nf, counts, o, root, err);
	kith_pprl_result_release(&r);
	for (size_t j = 0; j < loaded && j < nf; j++)
		kith_kpe_release(&kf[j]);
	free(f);
	free(source);
	json_decref(weak);
	if (rc) {
		json_decref(root);
		return rc;
	}
	*out = root;
	return KITH_OK;
}
