/*
 * together — "count together": this organization's encoding from its vault,
 * and the linkage and joint estimate over several organizations' encodings
 * (issue 16), as calls for the web page "Count together" (POST
 * /api/pprl/encode, /api/pprl/files, /api/pprl/link) and `kith pprl`.
 *
 * Encoding: only the cases whose consent allows use in statistics
 * (pprl_vault.h), keyed with the shared secret (the text of the file that
 * `kith pprl keygen --secret` writes; a trailing newline is not part of it)
 * and signed with this organization's signing key (the text that `kith pprl
 * keygen --sign-key` writes). The secret and the signing key are held in
 * guarded memory and wiped; neither appears in the encoding.
 *
 * Joint estimate: the encodings (files as bytes; hostile input, parsed by
 * pprl/kpe.h: each error names its file) are checked to share one secret and
 * settings, linked (pprl/match.h), counted by list pattern, and estimated
 * (stats/estimate.h); then `draws` resampled linkages carry the linkage's
 * uncertainty into the interval (each missed link of the corrected table
 * made with its posterior probability, the model BIC selects on the corrected
 * table refitted; the interval pools each draw's profile interval under that
 * model and under the draw's own BIC choice, a split normal on the log scale,
 * and takes its 2.5% and 97.5% points), as `kith pprl link --estimate` does.
 *
 * Ownership: outputs are the caller's. Messages name files and
 * organizations, never a person.
 */
#ifndef KITH_CASEWORK_TOGETHER_H
#define KITH_CASEWORK_TOGETHER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"

struct kith_vault;
struct kith_pprl_params;

#define KITH_TOGETHER_MAX_FILES 16u	    /* organizations linked at once */
#define KITH_TOGETHER_SECRET_FILE_MAX 4098u /* bytes of a secret file */
#define KITH_TOGETHER_SIGN_FILE_MAX 4096u   /* bytes of a signing key file */

struct kith_together_counts {
	size_t cases;	   /* readable cases in the vault */
	size_t taken;	   /* encoded */
	size_t no_consent; /* left out: consent does not allow use in statistics */
	size_t unusable;   /* left out: nothing to encode */
};

/*
 * Appends to out the signed encoding file of the vault's consenting cases,
 * for organization org (kith_kpe_check_org's rules). p NULL: the default,
 * hardened settings. secret_name and sign_name name the two inputs in errors.
 * ids, when not NULL, gets "row,id" lines: each encoded row's case ref (this
 * organization's own ids: it keeps them; they never go in the encoding).
 * KITH_OK; KITH_E_INVALID (a bad secret, signing key or organization name; no
 * case may be used: the message gives the counts), KITH_E_NOMEM,
 * KITH_E_CRYPTO. On failure out holds nothing new.
 */
int kith_together_encode(struct kith_vault *v, const char *secret, size_t secret_len, const char *secret_name,
			 const char *sign_key, size_t sign_len, const char *sign_name, const char *org,
			 const struct kith_pprl_params *p, struct kith_sbuf *out, struct kith_sbuf *ids,
			 struct kith_together_counts *counts, struct kith_err *err) KITH_WUR;

/*
 * What an encoding file says of itself: {"name", "organization", "records",
 * "key_id" (hex), "signer" (hex), "weak"}. KITH_OK with *out; the statuses of
 * kith_kpe_parse (the error names the file).
 */
int kith_together_inspect(const uint8_t *data, size_t len, const char *name, json_t **out,
			  struct kith_err *err) KITH_WUR;

struct kith_together_file {
	const char *name; /* for errors: the file's name */
	const uint8_t *data;
	size_t len;
};

/* The default rate of records split off their person with no candidate pair
 * to join them back (stats/unseen.h; the estimate's point, its interval the
 * band [0, twice it]); bench/README.md (est16, eighth session) measured it on
 * kith synth populations: real lists need their own (--unseen-rate). */
#define KITH_TOGETHER_UNSEEN_RATE 0.03
/* The largest rate a caller may give (twice it is stats/unseen.h's largest). */
#define KITH_TOGETHER_UNSEEN_RATE_MAX 0.25

struct kith_together_opts {
	int estimate;	    /* nonzero: run the estimate too */
	double unseen_rate; /* 0: KITH_TOGETHER_UNSEEN_RATE; negative: none (at most 0.25) */
	size_t draws;	    /* resampled linkages; 0: 20 */
	uint64_t seed;	    /* 0: 1 (as kith pprl link) */
	const char *lang;   /* the summary's language: en (NULL) or ko */
	unsigned threads;   /* linkage threads; 0: one per processor */
	int want_table_csv; /* nonzero: "table_csv", the table in kith estimate's CSV */
	/* progress of the resampled linkages (calling thread), or NULL */
	void (*progress)(void *pctx, size_t done, size_t total);
	void *pctx;
};

/*
 * Links 2..16 encodings and, with o->estimate, estimates. *out is
 * {"linkage": {records, lists, persons, pairs_compared, blocking,
 * candidate_pairs, uncertain_pairs, floor, threshold, match_share,
 * em_iterations, refused_by_guard, weak: [org...]}, "lists": [org...],
 * "table": [{"lists": [org...], "count"}], and with the estimate
 * "estimate": {model, model_draws, model_decided, n_hat, lo, hi (-1: none),
 * draws, draws_other_model, n_hat_median_draws, lo_with_linkage,
 * hi_with_linkage, unseen_rate, unseen_rate_max, method}, "result" (stats/estimate.h's
 * JSON of the point table), "summary" (the plain-language sentences in
 * o->lang), "svg" (the chart)}. KITH_OK; KITH_E_INVALID (fewer than two
 * files or more than 16, another secret or settings, one organization
 * twice — the error names the file), the statuses of kith_kpe_parse,
 * KITH_E_NOMEM; KITH_E_INVALID for an unseen rate above 0.25.
 */
int kith_together_link(const struct kith_together_file *files, size_t n, const struct kith_together_opts *o,
		       json_t **out, struct kith_err *err) KITH_WUR;

/*
 * Encodes record `rec` of ds (its first name, sex, birth, origin) with key and
 * settings p into filter (KITH_PPRL_WORDS words) as row i of an encoding
 * (kith_pprl_encode). KITH_OK or kith_pprl_encode's status.
 */
struct kith_pprl_key;
struct kith_dataset;
int kith_together_encode_record(const struct kith_pprl_key *key, const struct kith_pprl_params *p,
				const struct kith_dataset *ds, size_t rec, size_t i,
				uint64_t *filter) KITH_WUR;

/* The flags of an encoding file (pprl/kpe.h KITH_KPE_F_*) made with settings p. */
unsigned kith_together_kpe_flags(const struct kith_pprl_params *p);

/*
 * Whether encoding kf[i] can be linked with kf[0..i): the same shared secret
 * and name settings as kf[0], an organization none of them has. names[0..i]
 * name the files in errors. KITH_OK, or KITH_E_INVALID with where names[i].
 */
struct kith_kpe;
int kith_together_compatible(const struct kith_kpe *kf, size_t i, const char *const *names,
			     struct kith_err *err) KITH_WUR;

/* The candidate pairs of r whose posterior probability of a match is
 * between 0.02 and 0.98 (the "uncertain" of the summaries). */
struct kith_pprl_result;
size_t kith_together_uncertain(const struct kith_pprl_result *r);

/*
 * Appends to out the table of persons by the lists that recorded them, as
 * `kith estimate` reads it: a comment line, "ORG1,ORG2,...,count", then one
 * row of 0/1 per pattern with a count (nm[0..k) the lists, counts indexed by
 * pattern bits, as kith_pprl_patterns). KITH_OK or KITH_E_NOMEM (out as it was).
 */
int kith_together_table_csv(const char *const *nm, unsigned k, const double *counts,
			    struct kith_sbuf *out) KITH_WUR;

/*
 * The estimate part of kith_together_link for a linkage already run (the CLI
 * runs the linkage itself for its other outputs): sets "estimate", "result",
 * "summary", "text" (the models' table as `kith estimate` prints it) and
 * "svg" in root. Names the lists nm[0..k). KITH_OK, the estimate's
 * statuses, KITH_E_NOMEM.
 */
/*
 * The contingency table corrected for the linkage's own errors, in
 * expectation under its match model (r->post), for missed links: two
 * persons of disjoint lists whose best candidate pair has posterior p are
 * one person with probability p (after Ding & Fienberg 1994, Di Consiglio &
 * Tuoto 2015 and 2018, who correct the table with the linkage's estimated
 * error rates; a rival pair counts too). counts[0 .. 2^k), rounded to whole persons. KITH_OK, KITH_E_NOMEM.
 */
int kith_together_corrected(const struct kith_pprl_result *r, const uint32_t *source, unsigned k,
			    double *counts) KITH_WUR;

/*
 * The table the estimate chooses its model on (`--corrected-table`): that of
 * kith_together_corrected with the splits no candidate pair shows undone at
 * unseen_rate (as kith_together_opts.unseen_rate: 0 the default, negative
 * none; stats/unseen.h), rounded. *rate_used (may be NULL) gets the rate.
 * KITH_OK, KITH_E_NOMEM, KITH_E_INVALID (a rate above 0.25 or not finite).
 */
int kith_together_corrected_unseen(const struct kith_pprl_result *r, const uint32_t *source, unsigned k,
				   double unseen_rate, double *counts, double *rate_used) KITH_WUR;

/* kith_together_table_csv of that table, after comment lines saying what it
 * is and the rate used. KITH_OK or KITH_E_NOMEM (out as it was). */
int kith_together_corrected_csv(const char *const *nm, unsigned k, const double *counts, double rate,
				struct kith_sbuf *out) KITH_WUR;

int kith_together_estimate(const struct kith_pprl_result *r, const uint64_t *filters, const uint32_t *source,
			   const char *const *nm, unsigned k, const double *counts,
			   const struct kith_together_opts *o, json_t *root, struct kith_err *err) KITH_WUR;

#endif
