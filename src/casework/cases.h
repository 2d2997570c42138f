/*
 * The case list: one summary per case, filtered, sorted and paged the same
 * way for `kith list` and the web UI's list.
 *
 * A summary is a JSON object {id, ref, version, at, name, sex, birth,
 * province, status, needs, assigned, follow_up}: the first name of the case
 * (the name as given), vocabulary ids (the caller shows labels), at = Unix
 * seconds of the current version. Nothing of the narrative, notes or
 * incidents. In a list, each summary also has "same_person": the refs of
 * the other cases of its person (confirmed links, linkvault.h; [] when
 * alone) and "conflict": whether those cases disagree on sex, birth year or
 * province of origin.
 *
 * Ownership: every json_t returned is a new reference (json_decref it).
 */
#ifndef KITH_CASEWORK_CASES_H
#define KITH_CASEWORK_CASES_H

#include <stddef.h>

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"

enum kith_cases_sort {
	KITH_CASES_RECENT = 0, /* most recently written first (then ref) */
	KITH_CASES_REF,	       /* case number, numbers inside compared as numbers (R2 < R10) */
	KITH_CASES_NAME,       /* name as given, in Unicode order (가나다, then Latin) */
	KITH_CASES_FOLLOW_UP,  /* follow-up date, earliest first, cases without one last */
};

/* A query; zero is every case, most recent first, all of them. */
struct kith_cases_query {
	/* filters: a vocabulary id or label (any language) or NULL for any */
	const char *status;   /* case_status */
	const char *province; /* person.origin.province */
	const char *sex;      /* person.sex */
	const char *need;     /* one of needs[] */
	const char *assigned; /* the caseworker, exactly; "" for unassigned cases; NULL any */
	int has_conflict;     /* 1: only cases whose person's records disagree (see above) */
	int due;	      /* 1: only due cases (workflow.h: follow-up on or before today, open) */
	const char *today;    /* for due: "YYYY-MM-DD"; NULL: today */
	enum kith_cases_sort sort;
	int reverse;   /* the other way round */
	size_t offset; /* skip this many of the matching cases */
	size_t limit;  /* at most this many (0: all) */
};

/* The words of kith_cases_sort ("recent", "ref", "name", "follow-up"): KITH_OK or KITH_E_INVALID. */
int kith_cases_sort_parse(const char *word, enum kith_cases_sort *out) KITH_WUR;

/* The summary of one record (see above); for a kind without a person, the
 * name is "". New reference, or NULL when out of memory. */
json_t *kith_cases_summary(const struct kith_record_view *r);

/*
 * The summaries of the cases matching q, in its order, from q->offset, at
 * most q->limit: *items (a new array) and *total (every match, whatever the
 * page). KITH_OK; KITH_E_INVALID for a filter value that is not in its
 * vocabulary (err->where "status", "province", "sex" or "need"; "today" for
 * a date that is not YYYY-MM-DD); KITH_E_NOMEM. Outputs are written only on
 * success.
 */
int kith_cases_list(struct kith_vault *v, const struct kith_cases_query *q, json_t **items, size_t *total,
		    struct kith_err *err) KITH_WUR;

/*
 * Adds "same_person" and "conflict" (as a list has them) to every summary
 * of items (an array of kith_cases_summary objects, changed in place;
 * a summary whose id is not a current case gets [] and false), for search
 * results. KITH_OK, KITH_E_NOMEM (items may then be partly annotated).
 */
int kith_cases_add_persons(struct kith_vault *v, json_t *items, struct kith_err *err) KITH_WUR;

#endif
