/*
 * link — the record-linkage engine's facade: from a prepared dataset to
 * persons, in one call, and the outputs of `kith link`.
 *
 *   dataset (dataset.h: CSV files or vault cases, normalized)
 *     -> blocking (block.h: rules, counted and capped before any scoring)
 *     -> u by random sampling, m and the prior by EM (fsmodel.h)
 *     -> a match weight and probability for every compared pair
 *     -> persons: greedy clustering with a guard against chaining (cluster.h)
 *
 * Outputs: clusters CSV (id,cluster,prob — every input id exactly once),
 * pairs CSV (every compared pair with its weight, probability and levels), a
 * JSON summary (records, pairs, persons, estimated parameters, time per
 * phase) and explanations of a pair (the waterfall of log2 Bayes factors).
 * The vault side (proposed links, review, persons) is linkvault.h.
 *
 * Ownership: the dataset is borrowed and must outlive the result; a struct
 * kith_link_result owns its arrays (kith_link_result_release). Writers append
 * to caller-owned FILE* or buffers; JSON functions return new references.
 */
#ifndef KITH_LINK_LINK_H
#define KITH_LINK_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "link/block.h"
#include "link/cluster.h"
#include "link/dataset.h"
#include "link/fsmodel.h"
#include "link/linkcfg.h"
#include "link/triad.h"

/* The weight of rivals in the competition of records of one list for a
 * record of another (link.c, compete; docs/linkage.md, "Rivals"), and the
 * most lists for which it is computed (a table of records × lists). */
#define KITH_LINK_RIVALS 0.05
#define KITH_LINK_RIVAL_LISTS 64
/* The least weight (bits) of a pair below the threshold that the clustering's persons lift to a
 * link (link.c, persons_move; docs/linkage.md, "Persons"). */
#define KITH_LINK_JOIN_FLOOR (-2.0)

enum kith_link_phase {
	KITH_LINK_PHASE_BLOCK,	 /* counting, generating and comparing pairs */
	KITH_LINK_PHASE_U,	 /* random sampling for u */
	KITH_LINK_PHASE_EM,	 /* EM sessions */
	KITH_LINK_PHASE_SCORE,	 /* weights of every pair */
	KITH_LINK_PHASE_CLUSTER, /* persons */
	KITH_LINK_PHASES
};

/* The name of a phase ("blocking", ...), static. */
const char *kith_link_phase_name(enum kith_link_phase p);

struct kith_link_opts {
	unsigned threads;	       /* 0: the online processors (at most 64) */
	enum kith_cluster_guard guard; /* 0: KITH_CLUSTER_LISTS */
	/* progress of the long phases, from the calling thread */
	void (*progress)(enum kith_link_phase phase, uint64_t done, uint64_t total, void *arg);
	void *progress_arg;
};

struct kith_link_result {
	size_t n_records;
	size_t n_rules;
	struct kith_linkcfg_rule rules[KITH_LINKCFG_MAX_RULES]; /* as applied (defaults filled in) */
	struct kith_block_report reports[KITH_LINKCFG_MAX_RULES];
	uint32_t rule_fields[KITH_LINKCFG_MAX_RULES]; /* fields each rule blocks on */
	struct kith_fsmodel model;
	struct kith_block_pair *pairs; /* every compared pair */
	float *weight;		       /* its match weight (bits) */
	size_t n_pairs;
	/* the pairs whose weight a third record changed (triad.h), sorted by pair, with the bits */
	struct kith_triad_change *triads;
	size_t n_triads;
	/* the pairs the clustering moved, sorted by pair, with the bits: links it kept in two persons
	 * (kith_link_run: the guard refused to join them), moved just below the threshold into the
	 * review tier (bits < 0), and pairs below the threshold (but not below KITH_LINK_JOIN_FLOOR)
	 * whose records it put in one person, moved to the threshold (bits > 0) */
	struct kith_triad_change *split;
	size_t n_split;
	uint64_t all_pairs; /* pairs that could be formed */
	double threshold;   /* match probability of a link (the "linked" tier) */
	size_t n_matches;   /* pairs at or above the threshold */
	/* The three tiers (docs/linkage.md, "Tiers"): linked (probability >= threshold), for review
	 * (review_threshold <= probability < threshold), distinct (below). Unless the configuration sets
	 * them, both are chosen from the model's own probabilities (kith_link_choose_tiers). The estimates
	 * take the match probabilities of the compared pairs as calibrated and blocking as missing no
	 * match. */
	double review_threshold;
	int threshold_auto, review_auto; /* chosen from the model (not set by the configuration) */
	size_t n_review;		 /* pairs in the review tier */
	double est_matches; /* expected matches among the compared pairs: the sum of probabilities */
	double est_precision, est_recall, est_f1; /* of the links at the threshold */
	double est_review_recall;		  /* of the links and the review tier together */
	struct kith_cluster_result clusters;
	double seconds[KITH_LINK_PHASES];
	unsigned threads;
	int link_only;
	/* training on a sample (linkcfg.h: train_records, train_block); n_train_rules 0: EM on the pairs
	 * above */
	size_t train_records;
	size_t n_train_rules;
	struct kith_linkcfg_rule train_rules[KITH_LINKCFG_MAX_RULES];
	struct kith_block_report train_reports[KITH_LINKCFG_MAX_RULES];
	size_t n_train_pairs;
	uint64_t train_all_pairs;
};

/*
 * The default blocking rules for the fields the dataset has: "name" (any
 * names-engine key of any name) with names, else "all" (then the pair cap
 * decides whether that is affordable). Writes up to KITH_LINKCFG_MAX_RULES
 * rules; returns how many.
 */
size_t kith_link_default_rules(const struct kith_dataset *ds, struct kith_linkcfg_rule *rules);

/*
 * Runs the whole linkage on a finished dataset with the dataset's
 * configuration (rules, mode, threshold, caps, seed, training sample). The
 * blocking rules are counted and checked against the cap first, so a refusal
 * comes before any comparison. Returns KITH_OK,
 * KITH_E_INVALID (a rule names a missing field, nothing to compare),
 * KITH_E_LIMIT (a blocking rule or the total over the pair cap: err names the
 * rule; nothing has been scored), KITH_E_NOMEM. *out is set only on success.
 */
int kith_link_run(const struct kith_dataset *ds, const struct kith_link_opts *o, struct kith_link_result *out,
		  struct kith_err *err) KITH_WUR;

void kith_link_result_release(struct kith_link_result *r);

/*
 * Chooses the tiers from the match weights of the compared pairs (bits,
 * weight[0..n)), taking each pair's probability 1/(1 + 2^-w) as calibrated:
 * the expected matches E are the sum of the probabilities; at a threshold t
 * the expected true links are the sum over the pairs at or above t, so the
 * estimated precision, recall and F1 follow. The link threshold is the one
 * of highest estimated F1 (a missed match and a false link cost the same),
 * but at least 0.5 (a link is more likely right than wrong); the review
 * threshold is the lowest probability that still leaves at most 1% of E
 * below it, but at least 0.1 (a reviewer sees no pair with less than a
 * one-in-ten chance) and at most the link threshold. A threshold given
 * (> 0) is kept. Sets threshold, review_threshold, *_auto, the estimates,
 * n_matches and n_review of r. Weights are binned by 1/64 bit: the result
 * does not depend on the order of the pairs. KITH_OK, or KITH_E_NOMEM (r
 * unchanged: thresholds chosen without the bins would be other ones).
 */
int kith_link_choose_tiers(struct kith_link_result *r, const float *weight, size_t n, double threshold,
			   double review_threshold) KITH_WUR;

/* Writes "id,cluster,prob\n" and one row per record, in input order (cluster
 * numbered from 1; prob empty for a person of one record). KITH_OK, KITH_E_IO. */
int kith_link_write_clusters(const struct kith_link_result *r, const struct kith_dataset *ds, FILE *f,
			     struct kith_err *err) KITH_WUR;

/* Writes "id1,id2,prob,cluster1,cluster2\n" and one row per pair of the review
 * tier (review_threshold <= probability < threshold), in the order of the
 * compared pairs; the clusters are those of --out. KITH_OK, KITH_E_IO. */
int kith_link_write_review(const struct kith_link_result *r, const struct kith_dataset *ds, FILE *f,
			   struct kith_err *err) KITH_WUR;

/* Writes "id1,id2,weight,prob,<field levels...>" for every compared pair
 * (level names; empty when missing). KITH_OK, KITH_E_IO. */
int kith_link_write_pairs(const struct kith_link_result *r, const struct kith_dataset *ds, FILE *f,
			  struct kith_err *err) KITH_WUR;

/* The summary: records, lists, pairs, blocking reports, persons, threshold,
 * model (lambda, prior, m/u/weight per level), time per phase. New reference,
 * NULL on out-of-memory. */
json_t *kith_link_summary_json(const struct kith_link_result *r, const struct kith_dataset *ds);

/*
 * Explains the pair of records a and b: prior, each field's level, m, u,
 * log2 Bayes factor and term-frequency adjustment, total weight and match
 * probability. As text appended to `text` (when not NULL) and as JSON
 * (returned when `json` is not NULL: *json is a new reference). KITH_OK or
 * KITH_E_NOMEM.
 */
int kith_link_explain(const struct kith_link_result *r, const struct kith_dataset *ds, size_t a, size_t b,
		      struct kith_sbuf *text, json_t **json, struct kith_err *err) KITH_WUR;

#endif
