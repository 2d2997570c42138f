/*
 * unseen — a capture-pattern table with the splits no linkage could see
 * undone, in expectation, for a given rate.
 *
 * A linkage joins the records of one person only where it compares them. A
 * record whose name shares nothing with that person's other records (another
 * name altogether, a given name alone, a typo in another script) is never a
 * candidate pair with them: the person is counted as one person of fewer
 * lists plus a person of one list, and the estimate rises. No posterior sees
 * these splits. This module undoes them for a rate `beta` given from outside
 * (a setting, or a band of settings): each record of a person of two or more
 * lists is split off on its own with probability beta, independently; the
 * records left together stay one person (all split when at most one is
 * left). The expected observed table is then linear in the true one and
 * triangular in the patterns ordered by size, so it is inverted exactly,
 * largest patterns first; a count that would fall below zero is set to zero.
 * The number of records is kept unless a count is set to zero.
 *
 * counts are indexed by pattern bits as stats/table.h (counts[0] ignored).
 * No allocation; the caller owns both arrays.
 */
#ifndef KITH_STATS_UNSEEN_H
#define KITH_STATS_UNSEEN_H

#include "base/status.h"

/* The largest rate accepted (a record in two split off: beyond, nothing is identified). */
#define KITH_UNSEEN_MAX_RATE 0.5

/*
 * Writes to out[0 .. 2^k) the table whose records, each split off with
 * probability beta as above, give `counts` in expectation (out[0] = 0).
 * counts and out may not overlap. beta 0 copies. Returns KITH_OK, or
 * KITH_E_INVALID (k outside 2..16, beta outside [0, KITH_UNSEEN_MAX_RATE] or
 * not finite, a count negative or not finite): out is then unchanged.
 */
int kith_unseen_unsplit(const double *counts, unsigned k, double beta, double *out) KITH_WUR;

#endif
