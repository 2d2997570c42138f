/*
 * workflow — the caseworker's day: who a case is assigned to, when it is
 * next followed up, which cases are due, and referral sheets for partner
 * organizations. One library for `kith assign|due|referral` and the web UI.
 *
 * Assignment and follow-up are fields of the case (`assigned`: the
 * caseworker's name, free text until people exist; `follow_up`: a full date
 * YYYY-MM-DD), written as a new version with action "assign", so history
 * shows who assigned whom and when. A due case has a follow-up date on or
 * before today and a status that is not closed (closed, closed_referred).
 *
 * A referral sheet carries only the fields chosen for that referral, from a
 * fixed list (kith_workflow_referral_fields: never consent, source or the
 * referral history), and only when the case's consent.sharing is true. Each
 * sheet made is recorded in the case: a "referrals" entry {date, partner,
 * fields, by} in a new version with action "referral". The sheet itself is
 * not stored.
 *
 * Messages carry refs, field names and counts, never a name or a value.
 * Ownership: the vault is borrowed; JSON handed out is a new reference.
 */
#ifndef KITH_CASEWORK_WORKFLOW_H
#define KITH_CASEWORK_WORKFLOW_H

#include <stddef.h>

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"

#define KITH_WORKFLOW_NAME_MAX 200 /* bytes of a caseworker's or partner's name */
#define KITH_WORKFLOW_DATE_LEN 11  /* "YYYY-MM-DD" and its NUL */

/* Today's local date as "YYYY-MM-DD". */
void kith_workflow_today(char out[KITH_WORKFLOW_DATE_LEN]);

/* What kith_workflow_assign changes; a NULL member is left as it is, "" clears it. */
struct kith_workflow_assign {
	const char *assigned;  /* the caseworker's name (trimmed; 1..200 bytes, no control characters) */
	const char *follow_up; /* a full date YYYY-MM-DD */
	const char *by;	       /* who did it, for the version note (may be NULL) */
};

/*
 * Sets the assignment and follow-up date of case `ref` as a new version
 * (action "assign"; expect_version 0 or the version the caller saw).
 * KITH_OK (also when nothing changed: then nothing is written);
 * KITH_E_NOTFOUND (where "ref"); KITH_E_INVALID (where "assigned" or
 * "follow_up": an empty-after-trim, overlong or control-character name, a
 * date that is not a real YYYY-MM-DD); KITH_E_EXISTS (where "version": the
 * case changed since expect_version); KITH_E_DB, KITH_E_NOMEM. Nothing is
 * written on failure.
 */
int kith_workflow_assign(struct kith_vault *v, const char *ref, const struct kith_workflow_assign *a,
			 uint32_t expect_version, struct kith_err *err) KITH_WUR;

/*
 * The caseworker names used before, for a choice list: [{name, cases}] of
 * every distinct `assigned` of the current cases, by name. New reference,
 * or NULL when out of memory.
 */
json_t *kith_workflow_assignees(const struct kith_vault *v);

/*
 * Whether a case body is due on `today` ("YYYY-MM-DD"): 0 not due (no
 * follow-up, a later one, or closed), 1 due today, 2 overdue.
 */
int kith_workflow_due_state(const json_t *case_body, const char *today);

/*
 * The due view: {today, assigned, overdue: [summaries], due_today:
 * [summaries], total} of the open cases whose follow-up is on or before
 * today (NULL: kith_workflow_today), assigned to `assigned` (NULL: anyone),
 * oldest follow-up first. Summaries are kith_cases_summary's. New reference
 * in *out. KITH_OK, KITH_E_INVALID (where "today": not a real date),
 * KITH_E_NOMEM.
 */
int kith_workflow_due(struct kith_vault *v, const char *today, const char *assigned, json_t **out,
		      struct kith_err *err) KITH_WUR;

/* The fields a referral sheet may carry, in the order the sheet shows them:
 * [{field, en, ko}] (field a dotted path such as "person.name"). New
 * reference, or NULL when out of memory. */
json_t *kith_workflow_referral_fields(void);

struct kith_workflow_referral {
	const char *partner;	   /* the partner organization (1..200 bytes) */
	const char *const *fields; /* chosen from kith_workflow_referral_fields, at least one */
	size_t n_fields;
	const char *by;	  /* who made the referral (may be NULL) */
	const char *date; /* YYYY-MM-DD; NULL: today */
};

/*
 * Makes the referral sheet of case `ref` with only the chosen fields and
 * records the referral in the case (see above). *sheet: {ref, partner,
 * date, by, fields: [{field, en, ko, value}]} — a field the case does not
 * have is listed with value null. KITH_OK; KITH_E_NOTFOUND (where "ref");
 * KITH_E_CONSENT (consent.sharing is not true); KITH_E_INVALID (where
 * "partner", "fields" — none, or one not on the list, named in the message
 * — or "date"); KITH_E_DB, KITH_E_NOMEM. Nothing is written on failure and
 * *sheet is set only on success.
 */
int kith_workflow_referral(struct kith_vault *v, const char *ref, const struct kith_workflow_referral *r,
			   json_t **sheet, struct kith_err *err) KITH_WUR;

#endif
