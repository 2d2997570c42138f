/*
 * Persons and lists for estimation: who is on which organization's list,
 * from a vault's cases after record linkage, with consent enforced.
 *
 * A person is a set of cases joined by
 *   - the confirmed links of the review flow (kith link confirm / merge), and
 *   - the clusters of the linkage engine run on the vault's cases with the
 *     default configuration, except that two cases named together by a
 *     rejected or undone link are not joined by the engine: a reviewer's "no"
 *     wins over the model.
 * Linkage uses every case (it is the organization's own deduplication), but
 * only a case whose consent.reporting is true puts its person on a list: a
 * case without that consent (false or unstated) is left out of every figure,
 * and counted in the report. A person all of whose cases are left out is not
 * counted at all.
 *
 * A list is a recording organization (source.organization), named through a
 * list mapping: a table of organization spellings and the list each belongs
 * to (kith_persons_listmap_parse: CSV "organization,list"). Without one, each
 * spelling folded for case, spaces and punctuation is its own list, and two
 * spellings whose foldings are close (one inside the other, or at most two
 * letters apart) are refused: which list a case is on must be decided by a
 * person, not by how a name was typed. The mapping used is returned in the
 * report so that it is shown before any figure.
 *
 * Messages carry refs, counts and organization names (not identifying of the
 * people recorded), never a person's name or a value of another field.
 *
 * Ownership: every output is the caller's: kith_stats_memberships_release,
 * kith_persons_report_release, kith_persons_listmap_free.
 */
#ifndef KITH_CASEWORK_PERSONS_H
#define KITH_CASEWORK_PERSONS_H

#include <stddef.h>

#include "base/status.h"
#include "stats/table.h"
#include "vault/vault.h"

#define KITH_PERSONS_STRATUM_MAX 128 /* bytes of one stratum value */
#define KITH_PERSONS_ORG_MAX 200     /* bytes of one organization spelling or list name */

struct kith_persons_listmap;

/*
 * Parses a list mapping: CSV with the header "organization,list" and one row
 * per spelling (spellings compared exactly, after trimming spaces). label
 * names the input in errors ("FILE:LINE:field"). KITH_OK with *out set;
 * KITH_E_INVALID (a bad header, an empty or overlong cell, a spelling given
 * twice), KITH_E_NOMEM.
 */
int kith_persons_listmap_parse(const char *data, size_t len, const char *label,
			       struct kith_persons_listmap **out, struct kith_err *err) KITH_WUR;
void kith_persons_listmap_free(struct kith_persons_listmap *m);

/* Options; zero is no stratification and the derived mapping. */
struct kith_persons_opts {
	const char *stratify; /* a field of the case: person.sex, origin.province; a bare name
				 is looked up at the top, then under person */
	const struct kith_persons_listmap *lists; /* NULL: derived (see above) */
};

/* One organization spelling found in the counted cases and the list it went to. */
struct kith_persons_spelling {
	char *organization;
	char *list;
	size_t cases;
};

/* What was counted and what was left out, for the user to read first. */
struct kith_persons_report {
	size_t cases;	  /* current cases in the vault */
	size_t persons;	  /* persons counted (on at least one list) */
	size_t by_links;  /* joins from confirmed links */
	size_t by_engine; /* joins from record linkage */
	size_t vetoed;	  /* pairs a reviewer kept apart */
	int engine_ran;	  /* 0: record linkage could not run (engine_note says why) */
	char engine_note[160];
	size_t no_consent;			 /* cases left out: consent.reporting not true */
	size_t no_org;				 /* cases on no list: no source.organization */
	size_t unmapped;			 /* cases left out: organization not in the given mapping */
	struct kith_persons_spelling *spellings; /* the mapping as used */
	size_t n_spellings;
};

/*
 * Fills *out with one membership per (person, list) of the counted cases,
 * the lists named by the mapping, and with opts->stratify the stratum of
 * each person ("unknown" without a value). KITH_OK with *out and *rep
 * filled; otherwise *out and *rep are zeroed and err says why:
 * KITH_E_INVALID for the data (no cases; fewer than two lists; two
 * spellings too close to tell apart without a mapping — err->where
 * "lists"; a stratifying field that is not a single value, or that differs
 * between two cases of one person — err->where names the refs and the
 * field), KITH_E_NOMEM, KITH_E_DB.
 */
int kith_persons_memberships(struct kith_vault *v, const struct kith_persons_opts *opts,
			     struct kith_stats_memberships *out, struct kith_persons_report *rep,
			     struct kith_err *err) KITH_WUR;

/*
 * The persons of the vault's cases, as kith_persons_memberships forms them
 * (confirmed links, then record linkage unless a reviewer kept two cases
 * apart), without consent or lists: *person (malloc'ed, one entry per case
 * in the order of kith_vault_records(v, "case")) gets each case's person,
 * numbered 0 .. *n_persons - 1 in the order of their first case. Fills
 * rep's cases, by_links, by_engine, vetoed, engine_ran and engine_note.
 * KITH_OK, KITH_E_NOMEM, KITH_E_DB, KITH_E_INTERNAL.
 */
int kith_persons_of_cases(struct kith_vault *v, size_t **person, size_t *n_persons,
			  struct kith_persons_report *rep, struct kith_err *err) KITH_WUR;

/* Frees what a report owns and zeroes it. */
void kith_persons_report_release(struct kith_persons_report *rep);

#endif
