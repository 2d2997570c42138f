/*
 * table — the input of multiple systems estimation: a 2^k contingency table of
 * capture patterns over k lists (2 <= k <= 16).
 *
 * A pattern is a bit mask: bit j (value 1u << j) set means "on list j", where
 * list j is the j-th list column of the input (0-based here; 1-based in model
 * names such as "[12,3]"). counts[0], the people on no list, is unknown and kept
 * at 0; estimating it is the point of the whole exercise.
 *
 * Three ways in:
 *   - a CSV contingency table: one 0/1 column per list, then a `count` column,
 *     one row per pattern (missing patterns count 0); a leading `#` comment
 *     line is allowed (the format of /work/shared/data/mse);
 *   - a CSV of individuals: one 0/1 column per list and no `count` column, one
 *     row per person;
 *   - memberships built in memory (person, list, stratum), e.g. from a vault
 *     after record linkage: kith_stats_table_from_memberships.
 * The CSV readers treat input as hostile (core/csv.h) and report the first bad
 * value as FILE:LINE:COLUMN.
 *
 * Ownership: a struct kith_stats_table is opaque and owns its names and counts;
 * free it with kith_stats_table_free. Accessors return borrowed pointers valid
 * until the table is freed. Tables are immutable after creation, so one table
 * may be read by many threads at once.
 */
#ifndef KITH_STATS_TABLE_H
#define KITH_STATS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define KITH_STATS_MIN_LISTS 2u
#define KITH_STATS_MAX_LISTS 16u
/* Cap on the observed total of one table (the samplers count in 32 bits). */
#define KITH_STATS_MAX_TOTAL 1000000000.0
/* Cap on the size of an input file. */
#define KITH_STATS_MAX_FILE ((size_t)64 << 20)
/* Cap on the length of a list name, in bytes. */
#define KITH_STATS_MAX_NAME 128u

struct kith_stats_table;

/*
 * Makes a table of k lists from counts[0 .. 2^k) (counts[0] is ignored and
 * stored as 0). names may be NULL (lists are then named A, B, ...) or hold k
 * non-empty names. Counts must be finite non-negative integers with a total
 * of at least 1 and at most KITH_STATS_MAX_TOTAL. Unlike the CSV readers, a
 * list with no one on it is accepted here (bootstrap samples and strata have
 * them). Returns KITH_OK, KITH_E_INVALID (bad k, count or name; err says
 * which), KITH_E_NOMEM. *out is set only on success.
 */
int kith_stats_table_new(struct kith_stats_table **out, unsigned k, const char *const *names,
			 const double *counts, struct kith_err *err) KITH_WUR;

/*
 * A copy of t with other counts (counts[0 .. 2^k), same rules as
 * kith_stats_table_new). Returns KITH_OK, KITH_E_INVALID, KITH_E_NOMEM.
 */
int kith_stats_table_with_counts(struct kith_stats_table **out, const struct kith_stats_table *t,
				 const double *counts, struct kith_err *err) KITH_WUR;

/*
 * A copy of t without its empty lists (a stratum in which some organization
 * recorded no one). Fails with KITH_E_INVALID when fewer than two lists are
 * left. Returns KITH_OK, KITH_E_INVALID, KITH_E_NOMEM.
 */
int kith_stats_table_drop_empty(struct kith_stats_table **out, const struct kith_stats_table *t,
				struct kith_err *err) KITH_WUR;

/*
 * Parses a CSV table (aggregated, or one row per person when there is no
 * `count` column; see the top of this file) from data[0..len). `name` (the
 * file name) prefixes every error's where: "NAME:LINE:COLUMN". Errors, all
 * KITH_E_INVALID unless said: an empty file, fewer than 2 or more than 16 lists,
 * a `count` column that is not the last, a value other than 0/1, a negative or
 * non-integer or too large count, the all-zero pattern, a pattern given twice,
 * a list with no one on it, no data rows; KITH_E_LIMIT (a CSV cap),
 * KITH_E_NOMEM. *out is set only on success.
 */
int kith_stats_table_parse(struct kith_stats_table **out, const char *data, size_t len, const char *name,
			   struct kith_err *err) KITH_WUR;

/* Reads and parses the file at path ("-" = standard input), at most
 * KITH_STATS_MAX_FILE bytes. Statuses as kith_stats_table_parse plus those of
 * kith_io_read_file (KITH_E_NOTFOUND, KITH_E_IO, KITH_E_LIMIT). */
int kith_stats_table_read(struct kith_stats_table **out, const char *path, struct kith_err *err) KITH_WUR;

/* Frees t. NULL is allowed. */
void kith_stats_table_free(struct kith_stats_table *t);

/* The number of lists k. */
unsigned kith_stats_table_lists(const struct kith_stats_table *t);

/* The name of list j (0 <= j < k), borrowed. */
const char *kith_stats_table_list_name(const struct kith_stats_table *t, unsigned j);

/* The counts, 2^k entries indexed by pattern, counts[0] == 0; borrowed. */
const double *kith_stats_table_counts(const struct kith_stats_table *t);

/* The number of people observed (the sum of the counts). */
double kith_stats_table_observed(const struct kith_stats_table *t);

/* How many people list j recorded. */
double kith_stats_table_list_total(const struct kith_stats_table *t, unsigned j);

/* ---- memberships: tables built in memory ---- */

/* One person on one list. `person` is any id (a cluster index after record
 * linkage); `stratum` is ignored when there are no strata. */
struct kith_stats_membership {
	size_t person;
	unsigned list;
	size_t stratum;
};

/*
 * Memberships with their list and stratum names, as the vault side produces
 * them for `kith estimate --vault`. Every array is malloc'ed and owned by the
 * struct; kith_stats_memberships_release frees them all (strings with free).
 */
struct kith_stats_memberships {
	struct kith_stats_membership *m;
	size_t n;
	char **list_names; /* n_lists names */
	unsigned n_lists;
	char **stratum_names; /* n_strata names; NULL and 0 without --stratify */
	size_t n_strata;
};

/* Frees everything ms owns and zeroes it. NULL is allowed. */
void kith_stats_memberships_release(struct kith_stats_memberships *ms);

/*
 * Builds tables from n memberships over n_lists lists (named list_names[0 ..
 * n_lists)). A person on several lists counts once, in the pattern of all
 * their lists; repeated (person, list) pairs are harmless. With n_strata == 0
 * the result is one table; otherwise every person must carry one stratum
 * (< n_strata) in all their memberships, and the result holds n_strata + 1
 * tables: out[0] the total, out[1 + s] stratum s. A stratum in which no one
 * was recorded gets NULL; a stratum table may have empty lists (see
 * kith_stats_table_drop_empty). Errors: KITH_E_INVALID (a list index out of
 * range, a stratum out of range, a person in two strata, no one at all, bad
 * names), KITH_E_NOMEM. On success *out is an array of *n_out tables; free it
 * with kith_stats_tables_free. Messages carry indices and counts only.
 */
int kith_stats_table_from_memberships(struct kith_stats_table ***out, size_t *n_out,
				      const struct kith_stats_membership *m, size_t n,
				      const char *const *list_names, unsigned n_lists, size_t n_strata,
				      struct kith_err *err) KITH_WUR;

/* Frees an array from kith_stats_table_from_memberships (NULL entries allowed). */
void kith_stats_tables_free(struct kith_stats_table **tables, size_t n);

#endif
