/*
 * disclosure — statistical disclosure control for published tables and
 * record-level exports: no published figure may point at a person.
 *
 * Tables (counts by one or two fields, with their totals):
 *   - primary suppression: every count from 1 to threshold - 1 is withheld
 *     (default threshold 11: the Counter-Trafficking Data Collaborative
 *     publishes its Global Dataset k-anonymized with k = 11, so no published
 *     group is smaller than 11; zeros are published);
 *   - secondary suppression: further cells are withheld until no line of the
 *     table (a row or a column with its total, or the totals with the grand
 *     total) has a single withheld entry, and then until an attacker who
 *     solves the table as a linear program (every withheld entry >= 0, every
 *     line adding up) cannot narrow any withheld entry to an interval shorter
 *     than threshold - 1: kith_disc_audit computes those intervals (a dense
 *     two-phase simplex; two-way tables with margins are totally unimodular,
 *     so the bounds are the integer bounds too). Complements are the smallest
 *     published non-zero cells of the line (a total only when no cell is
 *     left), so as little as possible is lost.
 *   - a report: every withheld entry with its reason (primary, secondary).
 *
 * Record-level exports: kith_disc_kanon makes the quasi-identifiers of n
 * records k-anonymous (every combination of their values shared by at least
 * k records; default k = 11 as CTDC): values of the column with the most
 * distinct values among the records still in small groups are replaced by
 * "*" for those records, column after column; records still in a group
 * smaller than k after every column is starred are dropped. The result says
 * how many values and records were withheld.
 *
 * Layout of a table of r rows and c columns: the r*c cells row by row, then
 * the r row totals, then the c column totals, then the grand total: entries
 * (r + 1)(c + 1) in all, indexed as kith_disc_cell/row/col/grand say. A
 * one-way table is r x 1: its row totals are the cells themselves and are
 * never published separately.
 *
 * Ownership: plain arrays in, plain arrays out (caller-allocated); nothing kept.
 */
#ifndef KITH_STATS_DISCLOSURE_H
#define KITH_STATS_DISCLOSURE_H

#include <stddef.h>

#include "base/status.h"

#define KITH_DISC_THRESHOLD 11u
#define KITH_DISC_K 11u
#define KITH_DISC_MAX_ENTRIES 4096u

enum kith_disc_state {
	KITH_DISC_PUBLISHED = 0,
	KITH_DISC_PRIMARY = 1,	 /* a count from 1 to threshold - 1 */
	KITH_DISC_SECONDARY = 2, /* withheld so that the others cannot be recovered */
};

struct kith_disc_summary {
	size_t primary, secondary; /* entries withheld, by reason */
	size_t cells_withheld;	   /* of the r*c cells */
	double people_withheld;	   /* the sum of the withheld cells */
};

/* Indices of the layout above. */
static inline size_t kith_disc_cell(size_t c, size_t i, size_t j)
{
	return i * c + j;
}
static inline size_t kith_disc_row(size_t r, size_t c, size_t i)
{
	return r * c + i;
}
static inline size_t kith_disc_col(size_t r, size_t c, size_t j)
{
	return r * c + r + j;
}
static inline size_t kith_disc_grand(size_t r, size_t c)
{
	return r * c + r + c;
}
static inline size_t kith_disc_entries(size_t r, size_t c)
{
	return (r + 1) * (c + 1);
}

/*
 * Fills values[0 .. kith_disc_entries(r, c)) from the r*c cells: the totals.
 * cells must be finite non-negative integers. KITH_OK or KITH_E_INVALID.
 */
int kith_disc_totals(size_t r, size_t c, const double *cells, double *values, struct kith_err *err) KITH_WUR;

/*
 * Decides what to withhold in the table of r x c cells (values as
 * kith_disc_totals makes them) with the threshold (0 means 11): state[0 ..
 * entries) gets enum kith_disc_state per entry, *sum the counts. Returns
 * KITH_OK; KITH_E_INVALID (r or c is 0, more than KITH_DISC_MAX_ENTRIES
 * entries, a bad value, threshold above 1000); KITH_E_NOMEM; KITH_E_INTERNAL
 * (the linear program failed). Outputs written only on success.
 */
int kith_disc_suppress(size_t r, size_t c, const double *values, unsigned threshold, unsigned char *state,
		       struct kith_disc_summary *sum, struct kith_err *err) KITH_WUR;

/*
 * The attacker's view: for every withheld entry e (state[e] != PUBLISHED),
 * the smallest and largest value consistent with the published entries and
 * the table's additivity, into lo[e] and hi[e] (hi may be +inf); published
 * entries get their value. Returns KITH_OK, KITH_E_INVALID, KITH_E_NOMEM,
 * KITH_E_INTERNAL.
 */
int kith_disc_audit(size_t r, size_t c, const double *values, const unsigned char *state, double *lo,
		    double *hi, struct kith_err *err) KITH_WUR;

/* "published", "small count", "protects another cell". */
const char *kith_disc_reason(int state, const char *lang);

struct kith_disc_kanon_summary {
	size_t values_starred; /* quasi-identifier values replaced by "*" */
	size_t records_dropped;
	size_t smallest_group; /* among the records kept (0 when none kept) */
};

/*
 * Makes the q quasi-identifier columns of n records k-anonymous (k 0 means
 * 11). qi[i * q + j] is record i's value in column j (borrowed strings; NULL
 * counts as ""); starred[i * q + j] is set nonzero where the value must be
 * published as "*"; keep[i] nonzero for the records to publish. Returns
 * KITH_OK, KITH_E_INVALID (q 0 or above 64, k above 10^6), KITH_E_NOMEM.
 */
int kith_disc_kanon(size_t n, size_t q, const char *const *qi, unsigned k, unsigned char *starred,
		    unsigned char *keep, struct kith_disc_kanon_summary *sum, struct kith_err *err) KITH_WUR;

#endif
