/*
 * match — linkage of encodings: Dice similarity, blocking, a match model
 * with estimated weights, persons across any number of organizations, and
 * the capture patterns that estimation needs.
 *
 *   filters of every organization (kpe.h), with their list
 *     -> candidate pairs: every pair (small inputs) or locality-sensitive
 *        hashing over the filters' bits (Hamming LSH: bands of bit positions
 *        chosen from the encodings themselves), compared with Dice (popcount
 *        over 64-bit words, tiled for the cache, on every core)
 *     -> u: the Dice of random pairs (almost all of two people), its upper
 *        tail fitted (exponential) where the sample is thin: the floor
 *     -> a model of two fields by EM: the similarity band (0.01 wide) of the
 *        main region (name, sex, origin: Dice, or 0.9 × the overlap when
 *        higher) and the agreement of the birth regions (its u from rival
 *        pairs, its m from the top group's mutual best candidates), each group
 *        of candidates (mutual best candidates, one list, rivals) its own
 *        share of matches: the posterior probability of each candidate pair
 *     -> persons: strongest first; two records of one list together only when
 *        they are likely one person themselves, two persons only when their
 *        records of two lists are likely one person on average
 *
 * Blocking leaks nothing beyond the encodings: it is computed from them
 * alone, with no key and no plaintext.
 *
 * Ownership: filters and sources are borrowed for the call; a struct
 * kith_pprl_result owns its arrays (kith_pprl_result_release).
 */
#ifndef KITH_PPRL_MATCH_H
#define KITH_PPRL_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "link/cluster.h"
#include "pprl/encode.h"

#define KITH_PPRL_BANDS 100 /* Dice bands of the match model */
/* The birth regions of two records: 0 when either has none, else 1 + the
 * fifth of [0, 1] in which their overlap (common bits / the fewer bits)
 * falls: 1 disagree .. 5 agree. */
#define KITH_PPRL_BIRTH_BINS 6
/* groups of the main region's Dice for the birth's u: below 0.6, 0.6-0.7, 0.7-0.8, above */
#define KITH_PPRL_BIRTH_GROUPS 4
#define KITH_PPRL_MAX_LISTS 16u

enum kith_pprl_blocking { KITH_PPRL_BLOCK_AUTO, KITH_PPRL_BLOCK_NONE, KITH_PPRL_BLOCK_LSH };

struct kith_pprl_opts {
	unsigned threads;		  /* 0: the online processors */
	enum kith_pprl_blocking blocking; /* AUTO: every pair up to 2·10^9 pairs, else LSH */
	unsigned lsh_bands, lsh_rows;	  /* 0: 48 bands of 32 bits */
	size_t lsh_bucket_max;		  /* 0: 5000 records; a larger bucket is compared by its band's
					     other buckets only (counted in skipped) */
	double floor;			  /* 0: auto (0.5, or higher when random pairs reach it) */
	uint64_t u_sample;		  /* random pairs for u; 0: 4,000,000 */
	uint64_t seed;
	int no_wide;	  /* no AVX-512 kernel (tests, comparison) */
	size_t max_pairs; /* candidate pairs kept at most; 0: 200,000,000 */
	void (*progress)(const char *stage, uint64_t done, uint64_t total, void *arg);
	void *progress_arg;
};

struct kith_pprl_pair {
	uint32_t a, b; /* a < b */
	float dice;    /* the main region's similarity (Dice, or 0.9 × the overlap when higher) */
};

struct kith_pprl_model {
	double floor;		   /* pairs below are not links */
	double lambda;		   /* share of matches among all pairs */
	double m[KITH_PPRL_BANDS]; /* by band (Dice in [b/100, (b+1)/100)) */
	double u[KITH_PPRL_BANDS];
	double post[KITH_PPRL_BANDS]; /* posterior probability of a match */
	double threshold;	      /* the lowest Dice whose band's posterior is >= 0.5 */
	/* two records of one list: the same m and u, their own share of matches
	 * (a list rarely records one person twice: far fewer than across lists) */
	double post_same[KITH_PPRL_BANDS];
	double threshold_same; /* as threshold, for two records of one list */
	double lambda_same;    /* share of matches among the candidates of one list */
	/* two records of different lists, each the other's best candidate there
	 * (not a rival): the same m and u, their own share of matches */
	double post_best[KITH_PPRL_BANDS];
	double threshold_best;
	double lambda_best;
	/* the birth's evidence: P(bin | match) / P(bin | non-match) of the birth
	 * regions' bin (KITH_PPRL_BIRTH_BINS); m by the EM of two fields from the
	 * mutual best candidates of the top group (main region 0.8 and above) */
	double birth_m[KITH_PPRL_BIRTH_BINS], birth_u[KITH_PPRL_BIRTH_BINS];
	/* the birth's u by the main region's Dice (KITH_PPRL_BIRTH_GROUPS groups from
	 * KITH_PPRL_BIRTH_GROUP_EDGES): the birth is keyed by the given-name syllables, so two
	 * people whose names are more alike share more birth bits; birth_u is their pool */
	double birth_ug[KITH_PPRL_BIRTH_GROUPS][KITH_PPRL_BIRTH_BINS];
	double u_mean; /* mean Dice of random pairs */
	int iterations;
};

struct kith_pprl_result {
	size_t n;
	struct kith_pprl_pair *pairs; /* candidates at or above the floor, sorted by (a, b) */
	size_t n_pairs;
	uint8_t *rival;	    /* per pair: one of its records has a better candidate in the other's list */
	float *post;	    /* per pair: the posterior of a match, the birth's evidence included */
	uint64_t compared;  /* Dice computed while blocking */
	uint64_t all_pairs; /* n(n-1)/2 */
	uint64_t skipped;   /* LSH buckets over the cap: their records */
	int lsh;
	struct kith_pprl_model model;
	struct kith_cluster_result clusters;
	double seconds_block, seconds_model, seconds_cluster;
};

/*
 * Links n records (filters[i * KITH_PPRL_WORDS ...], 64-byte aligned;
 * source[i] < n_lists <= KITH_PPRL_MAX_LISTS). KITH_OK, KITH_E_INVALID (no
 * records, a source out of range, more than 2^31 records), KITH_E_LIMIT (more
 * candidate pairs than max_pairs: raise the floor or the LSH rows),
 * KITH_E_NOMEM. *out is set only on success.
 */
int kith_pprl_link(const uint64_t *filters, const uint32_t *source, size_t n, unsigned n_lists,
		   const struct kith_pprl_opts *o, struct kith_pprl_result *out,
		   struct kith_err *err) KITH_WUR;

void kith_pprl_result_release(struct kith_pprl_result *r);

/* The posterior match probability of a Dice value under the model: of two
 * records of different lists, or of one list when `same` is set. */
double kith_pprl_model_post(const struct kith_pprl_model *m, double dice);
double kith_pprl_model_post_same(const struct kith_pprl_model *m, double dice);

/* The likelihood ratio m / u of the birth bin k (kith_pprl_birth_bin) for a pair whose main
 * regions' similarity is sim (u by its group); bins 4 and 5 are one class, "agree"
 * (docs/pprl.md). 1 when u is 0. */
double kith_pprl_birth_ratio(const struct kith_pprl_model *m, int k, double sim);

/* The birth bin (KITH_PPRL_BIRTH_BINS) of two filters. */
int kith_pprl_birth_bin(const uint64_t a[KITH_PPRL_WORDS], const uint64_t b[KITH_PPRL_WORDS]);

/* Makes post[from..KITH_PPRL_BANDS) non-decreasing (a higher Dice is never
 * less likely a match) by its isotonic fit weighted by weight[b] (the
 * candidates in each band; bands with none weigh almost nothing), so that a
 * sparse band cannot cap the bands around it. */
void kith_pprl_model_monotone(double *post, const double *weight, int from);

/*
 * One draw of the linkage's uncertainty: every candidate pair is a link with
 * its posterior probability (independently), then the persons are formed as
 * by kith_pprl_link. cluster[n] receives each record's person (0-based);
 * *n_clusters is set. KITH_OK, KITH_E_NOMEM.
 */
int kith_pprl_draw(const struct kith_pprl_result *r, const uint64_t *filters, const uint32_t *source,
		   uint64_t seed, uint32_t *cluster, size_t *n_clusters, struct kith_err *err) KITH_WUR;

/* The capture patterns of persons: counts[0 .. 2^n_lists) (counts[0] = 0)
 * from each record's person and list. */
void kith_pprl_patterns(const uint32_t *cluster, size_t n_clusters, const uint32_t *source, size_t n,
			unsigned n_lists, double *counts);

/*
 * Counts the pairs of a[0..na) x b[0..nb) (filters as above) whose Dice is
 * at least `thr`, with the linkage's kernel on `threads` threads (0: all):
 * AVX-512 VPOPCNTQ where the processor has it, unless `scalar` (POPCNT on
 * 64-bit words); for benchmarks. Returns the count; *compared receives na*nb.
 */
uint64_t kith_pprl_dice_count(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, double thr,
			      unsigned threads, int scalar, uint64_t *compared);

/* The popcount of every word of a[0..n) (the physical limit of the kernel's
 * memory traffic and popcount), for benchmarks; returns the sum. */
uint64_t kith_pprl_popcount_all(const uint64_t *a, size_t n_words);

#endif
