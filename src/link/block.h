/*
 * block — blocking: which pairs of records are compared at all.
 *
 * A rule (struct kith_linkcfg_rule) lists components that two records must
 * share: a name key of the names engine, the surname key, a birth year within
 * a window, sex, origin, the list, a declared field's value, prefix or year.
 * Every record gets, for each rule, the set of its combined keys (the cross
 * product of its component values, hashed) and, for a windowed year, the
 * year. Two records are a candidate pair of the rule when their key sets meet
 * and their years are within the window.
 *
 * The work is done in two steps so that a rule that would yield too many
 * pairs is refused before anything is scored: kith_block_count counts each
 * rule's candidates (an exact count, or an upper bound with a year window in
 * link mode) from the sizes of its key groups, and refuses a rule — naming it —
 * or a total above the cap. kith_block_pairs then generates every pair once
 * (a pair is emitted by the first rule that finds it, through its smallest
 * shared key), skips pairs of one list in link mode, computes each pair's
 * comparison vector on all threads, and records in its top 16 bits which rules
 * found it (the EM sessions need that).
 *
 * Results do not depend on the number of threads: work is cut into units of
 * a fixed size and the units' outputs are joined in order.
 *
 * Ownership: the dataset and options are borrowed; the pair array is
 * caller-owned (free with free()).
 */
#ifndef KITH_LINK_BLOCK_H
#define KITH_LINK_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "link/dataset.h"
#include "link/linkcfg.h"

#define KITH_BLOCK_GAMMA_MASK 0x0000FFFFFFFFFFFFULL /* 12 fields x 4 bits */
#define KITH_BLOCK_RULE_SHIFT 48		    /* rule bits 48..63 */
#define KITH_BLOCK_MAX_KEYS 64			    /* combined keys per record and rule */

/* A compared pair: records a < b, and gamma | rules << 48. */
struct kith_block_pair {
	uint32_t a;
	uint32_t b;
	uint64_t g;
};

struct kith_block_report {
	char rule[KITH_LINKCFG_RULE_MAX];
	uint64_t candidates; /* pairs sharing a key (exact, or an upper bound: see `exact`) */
	int exact;	     /* candidates is exact */
	uint64_t pairs;	     /* pairs this rule emitted (not found by an earlier rule) */
	size_t records;	     /* records that have every component */
	double seconds;	     /* time spent generating and comparing */
};

struct kith_block_opts {
	const struct kith_linkcfg_rule *rules;
	size_t n_rules;	    /* 1 .. KITH_LINKCFG_MAX_RULES */
	uint64_t max_pairs; /* 0: KITH_LINKCFG_DEFAULT_MAX_PAIRS */
	int link_only;	    /* skip pairs of records from one list */
	unsigned threads;   /* 0: 1 */
	/* called from the calling thread as units finish (done, total candidates) */
	void (*progress)(uint64_t done, uint64_t total, void *arg);
	void *progress_arg;
	/* NULL: every record; else only records i with include[i] != 0 take part */
	const uint8_t *include;
};

/*
 * Counts every rule's candidate pairs into reports[0..n_rules) and checks the
 * caps. Returns KITH_OK, KITH_E_INVALID (a rule names a field the dataset does
 * not have: err names the rule), KITH_E_LIMIT (a rule's candidates, or the sum
 * over rules, exceed max_pairs: err->where is the rule and the message gives
 * the count and the cap), KITH_E_NOMEM.
 */
int kith_block_count(const struct kith_dataset *ds, const struct kith_block_opts *o,
		     struct kith_block_report *reports, struct kith_err *err) KITH_WUR;

/*
 * Counts as kith_block_count (same errors, nothing generated when a cap is
 * exceeded), then generates and compares every pair. *pairs (caller-owned,
 * free()) and *n are set only on success; reports are filled in either case.
 */
int kith_block_pairs(const struct kith_dataset *ds, const struct kith_block_opts *o,
		     struct kith_block_pair **pairs, size_t *n, struct kith_block_report *reports,
		     struct kith_err *err) KITH_WUR;

/* The number of pairs that could be formed at all (every pair, or every pair
 * across lists in link mode). */
uint64_t kith_block_all_pairs(const struct kith_dataset *ds, int link_only);

#endif
