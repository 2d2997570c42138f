/*
 * triad — the evidence of a third record: a pair (a, b) is judged again in
 * the light of every record c that blocking compared with both.
 *
 * The pairwise weights judge each pair alone. Yet a record c that matches a
 * and b well says a and b are likely one person though their own names
 * compare weakly (a typo'd romanization between two clean spellings), and a
 * record c that is surely a's and surely not b's says a and b are two people
 * though their own fields agree (namesakes born the same year). Over the
 * three records, with o_xy the odds of a pair, the partitions {abc}, {ab}{c},
 * {ac}{b}, {bc}{a} and {a}{b}{c} score kappa·o_ab·o_ac·o_bc, o_ab, o_ac,
 * o_bc and 1 (kappa the prior of a third record joining two that match,
 * relative to the pairwise priors, and the correlation of the three pairs'
 * evidence), so the odds of a ~ b become
 *
 *     o_ab' = o_ab · (1 + kappa · o_ac · o_bc) / (1 + o_ac + o_bc),
 *
 * a factor that depends on c's two pairs only. A pair below even odds takes
 * the largest factor of its triads (a lift), a pair at or above even odds the
 * smallest (a cut), each at a share of its bits (the triads of one record
 * share their evidence: the full change overstates it). Pairs at odds below
 * 1/128 are left alone; a record c counts only when both of its pairs were
 * compared (a pair that blocking never compared tells nothing). Every change
 * is computed from the weights before any change, so the result does not
 * depend on the order of the pairs.
 *
 * Ownership: pairs and weight are borrowed; *changes is caller-owned (free).
 */
#ifndef KITH_LINK_TRIAD_H
#define KITH_LINK_TRIAD_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "link/block.h"

/* kappa and the share of the bits taken (docs/linkage.md, "Triads"; chosen on
 * synth seeds 1, 2 and 3 at 10,000 people). */
#define KITH_TRIAD_KAPPA 3.0
#define KITH_TRIAD_SHARE 0.7

/* One pair's change: the index of the pair and the bits added to its weight. */
struct kith_triad_change {
	size_t pair;
	float bits;
};

/*
 * Applies the triads to weight[0..n) (bits, one per pair of pairs[0..n),
 * records numbered below n_records; each unordered pair at most once).
 * kappa > 0 and share in (0, 1]; kappa <= 0 changes nothing. The passes over
 * every pair run on `threads` threads (0: the online processors); the result
 * is the same for any number. On success
 * *changes (sorted by pair, NULL when none) and *n_changes list every changed
 * pair with its added bits. KITH_OK, or KITH_E_NOMEM (weight unchanged,
 * *changes NULL).
 */
int kith_triad_apply(size_t n_records, const struct kith_block_pair *pairs, float *weight, size_t n,
		     double kappa, double share, unsigned threads, struct kith_triad_change **changes,
		     size_t *n_changes) KITH_WUR;

/* The bits that a triad added to pair i, from a sorted list of changes; 0 when
 * it is not listed. */
double kith_triad_bits(const struct kith_triad_change *changes, size_t n_changes, size_t i);

#endif
