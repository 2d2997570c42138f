/*
 * fsmodel — the Fellegi–Sunter model of record linkage: m- and u-probabilities
 * of every comparison level, the prior, match weights and their explanation.
 *
 * Estimation follows Splink's recipe, which avoids the classic failure of a
 * plain EM that settles on the wrong classes:
 *   1. u (the level frequencies among non-matching pairs) from a random sample
 *      of record pairs — nearly all random pairs are non-matches — or from
 *      every pair when there are fewer than the sample size;
 *   2. m (the level frequencies among matches) by expectation–maximisation
 *      with u held fixed, one session per blocking rule over the pairs that
 *      rule finds; a session estimates the m of the fields the rule does not
 *      block on (at least three: a two-class mixture over one or two fields
 *      is not identified, and such sessions are skipped), and a field's m is
 *      the average of its sessions, weighted by each session's expected
 *      matches. The fields the rule blocks on take part with their u
 *      estimated too, among the session's non-matches (their random-pair u
 *      would be far too low, as they agree by construction), and their m is
 *      not kept: their agreement is what lets EM find the matches when they
 *      are rare among the pairs (namesakes in a large population);
 *   3. the fields no session estimated (those every rule blocks on, usually
 *      the name, and all fields when the sessions had too few), and the prior,
 *      by a final EM over all compared pairs with the other m fixed; a field
 *      every rule blocks on has its u among the compared non-matches
 *      estimated alongside (the weights keep its random-pair u, which goes
 *      with the prior over all pairs). The prior λ (probability that two
 *      random records match) is the expected matches over all pairs, the
 *      blocking recall taken as 1. EM starts from about one match per record
 *      among the pairs it sees; md->train_records, when set, is the number of
 *      records those pairs come from (training on a sample, link.h).
 * Two dependences are modelled: sex given the name (cond_field below) and the
 * birth given the list (birth_field below).
 *
 * The match weight of a pair is log2(λ/(1−λ)) plus, for every field, log2(m/u)
 * of its level (0 when missing), plus the term-frequency adjustment
 * (kith_dataset_tf_bits); its match probability is 1/(1 + 2^−weight).
 *
 * Ownership: struct kith_fsmodel is a plain value owned by the caller. The
 * dataset and pair arrays are borrowed.
 */
#ifndef KITH_LINK_FSMODEL_H
#define KITH_LINK_FSMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "link/block.h"
#include "link/dataset.h"
#include "link/linkcfg.h"

#define KITH_FSMODEL_MAX_ITER 500

enum kith_fsmodel_msource {
	KITH_FSMODEL_M_SESSIONS = 0, /* averaged over the blocking rules' EM sessions */
	KITH_FSMODEL_M_FINAL = 1,    /* the final EM (blocked on by every rule) */
	KITH_FSMODEL_M_FIXED = 2,    /* weights fixed by the configuration */
};

struct kith_fsmodel {
	size_t n_fields;
	int n_levels[KITH_LINKCFG_MAX_FIELDS];
	double m[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	double u[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS];
	double w[KITH_LINKCFG_MAX_FIELDS][KITH_LINKCFG_MAX_LEVELS]; /* log2 Bayes factor of each level */
	enum kith_fsmodel_msource m_source[KITH_LINKCFG_MAX_FIELDS];
	double lambda;		 /* prior probability that two random records match */
	double prior_bits;	 /* log2(lambda / (1 - lambda)) */
	uint64_t u_pairs;	 /* pairs sampled for u (or all pairs) */
	int u_exhaustive;	 /* u from every pair */
	int iterations;		 /* EM iterations, all sessions */
	int converged;		 /* every EM converged */
	double expected_matches; /* among the compared pairs */
	size_t train_records;	 /* records whose pairs EM sees (0: all; set between u and m) */
	double tf_max;		 /* cap of term-frequency adjustments, bits */
	/* Sex given the name: given names are gendered (Korean ones strongly), so
	 * two different people whose names share a given name are nearly always of
	 * one sex, and sex agreement is then little evidence. For a pair with both
	 * names, the sex field uses u_cond[name level] — the sex levels among the
	 * compared pairs at that name level, "different" included (blocking on
	 * names brings namesakes together even there) — instead of u. cond_field
	 * < 0 without a name or a sex. */
	int cond_field;							 /* the sex field, or -1 */
	int cond_on;							 /* the name field */
	double u_cond[KITH_LINKCFG_MAX_LEVELS][KITH_LINKCFG_MAX_LEVELS]; /* [name level][sex level] */
	double w_cond[KITH_LINKCFG_MAX_LEVELS][KITH_LINKCFG_MAX_LEVELS];
	/* Birth given the list: whether a record gives a full date, a year or an
	 * age depends on its list, so among non-matching pairs the birth levels
	 * differ between two records of one list and of two (synth, 40,000 people:
	 * "dates differ" 3.2 % of the non-matches within a list, 0.6 % across;
	 * "same year" 1.4 % and 2.4 %). With one u, EM on a training sample took
	 * that dependence for the match class (bench/README.md, link13 sixth
	 * pass). With a training sample (train_records), the birth field uses
	 * u_birth[list level] — the birth levels among random pairs at that list
	 * level, less the matches among them (correct_u) — instead of u. Not
	 * without one: there the list's share of matches outweighs the
	 * dependence, and the conditioned u (the truth: agreement across lists
	 * 0.2 bits weaker) lost links F1 0.0013 at 40,000 synth people (tuning
	 * seeds 2, 3). birth_field < 0 without a birth or a list field, or
	 * without a training sample (set by kith_fsmodel_estimate_m). */
	int birth_field;						  /* the birth field, or -1 */
	int list_field;							  /* the list field */
	double u_birth[KITH_LINKCFG_MAX_LEVELS][KITH_LINKCFG_MAX_LEVELS]; /* [list level][birth level] */
	double w_birth[KITH_LINKCFG_MAX_LEVELS][KITH_LINKCFG_MAX_LEVELS];
	double u_birth_raw[KITH_LINKCFG_MAX_LEVELS][KITH_LINKCFG_MAX_LEVELS]; /* before correct_u */
	double list_share[KITH_LINKCFG_MAX_LEVELS]; /* random pairs with both births at each list level */
	/* The lowest level of a field every rule blocks on (the name's "different"), for a pair
	 * blocking compared: log2 of u among random pairs over u among the compared non-matches,
	 * added to w (0 for other fields). A compared pair at that level shares a key (a given name,
	 * a reading) although its similarity is low — 1 non-matching pair in 230 is compared at that
	 * level, not 1 in 1 — and its weight is the m over that u (kith_fsmodel_weight_compared); a
	 * pair blocking never compared (the clustering guard's) keeps u of random pairs. */
	double low_compared_bits[KITH_LINKCFG_MAX_FIELDS];
};

/*
 * Estimates u from `samples` random pairs (every pair when there are fewer),
 * drawn with `seed` on `threads` threads (the result does not depend on the
 * thread count). Sets n_fields, n_levels, u, u_pairs and u_exhaustive in *md.
 * KITH_OK, KITH_E_INVALID (fewer than two records, or no pair across lists in
 * link mode), KITH_E_NOMEM.
 */
int kith_fsmodel_estimate_u(struct kith_fsmodel *md, const struct kith_dataset *ds, int link_only,
			    uint64_t samples, uint64_t seed, unsigned threads, struct kith_err *err) KITH_WUR;

/*
 * Estimates m and λ by EM over the compared pairs (after
 * kith_fsmodel_estimate_u), as described at the top. rule_fields[r] is the
 * bit set of fields that blocking rule r blocks on (pairs carry their rules in
 * their top bits, block.h). all_pairs is the number of pairs that could be
 * formed (kith_block_all_pairs). Fixed-weight fields keep their weights. Sets
 * m, w, m_source, lambda, prior_bits, iterations, converged, expected_matches.
 * KITH_OK, KITH_E_INVALID (no pairs), KITH_E_NOMEM.
 */
int kith_fsmodel_estimate_m(struct kith_fsmodel *md, const struct kith_dataset *ds,
			    const struct kith_block_pair *pairs, size_t n_pairs, const uint32_t *rule_fields,
			    size_t n_rules, uint64_t all_pairs, struct kith_err *err) KITH_WUR;

/* Recomputes w from m and u (and the fixed weights of the dataset's fields). */
void kith_fsmodel_weights(struct kith_fsmodel *md, const struct kith_dataset *ds);

/* The match weight (bits) of pair (a, b) with comparison vector g. */
double kith_fsmodel_weight(const struct kith_fsmodel *md, const struct kith_dataset *ds, size_t a, size_t b,
			   uint64_t g);

/* The match weight of pair (a, b) that blocking compared (low_compared_bits added). */
double kith_fsmodel_weight_compared(const struct kith_fsmodel *md, const struct kith_dataset *ds, size_t a,
				    size_t b, uint64_t g);

/* 1 / (1 + 2^-weight). */
double kith_fsmodel_prob(double weight);

/* One line of an explanation (the waterfall). */
struct kith_fsmodel_term {
	const char *field;	/* borrowed from the dataset */
	const char *level_name; /* "exact", "missing", ... */
	unsigned level;		/* KITH_DATASET_MISSING when missing */
	double m, u;		/* 0 when missing */
	double bits;		/* log2 Bayes factor of the level */
	double tf_bits;		/* term-frequency adjustment */
	char detail[96];	/* a similarity, never a value */
};

/*
 * Explains the pair (a, b): one term per field into terms[0..*n) (room for
 * KITH_LINKCFG_MAX_FIELDS), and returns the total weight (prior included).
 * compared: blocking compared the pair (its weight is kith_fsmodel_weight_compared).
 */
double kith_fsmodel_explain(const struct kith_fsmodel *md, const struct kith_dataset *ds, size_t a, size_t b,
			    int compared, struct kith_fsmodel_term *terms, size_t *n);

#endif
