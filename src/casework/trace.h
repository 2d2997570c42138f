/*
 * trace — family tracing: requests that describe a missing relative, matched
 * against every case of the vault, reviewed by a person, and turned into
 * family links between cases.
 *
 * A tracing request is a record of kind "trace" (record.h): who is looking
 * (`seeker`: a case ref, or a described person), who is sought (`sought`:
 * names in any script, sex, birth or age at a known time, place and date of
 * separation, relation to the seeker, details), a `status` (open,
 * possible_match, confirmed, closed), the seeker's `consent`, and the
 * reviewed `candidates` ({case, state: possible|confirmed|rejected, score}).
 *
 * Matching scores the request against every case with Fellegi–Sunter
 * weights (log2 Bayes factors, estimated from kith synth families and updated
 * from the reviewers' decisions in a vault; docs/tracing.md): the names across scripts
 * (names engine), sex, the birth-year window (an age "7 in 2003" is born
 * 1995-1996), the place of separation against the places of the case's
 * journey and incidents (folded, Jaro–Winkler, and a small gazetteer of the
 * Yanbian spellings: 연길 = Yanji = 延吉), the family the case names (a
 * missing mother whose name or case is the seeker's), the seeker's place of
 * origin, and relation consistency (a parent at least KITH_TRACE_MIN_PARENT_GAP
 * years older than the child; a candidate that breaks it is never proposed).
 * score = the posterior probability that the case is the person sought with a
 * prior of one in the number of cases considered. Every candidate carries the
 * weight of each field and a level that says why.
 *
 * Consent: a case whose consent does not allow tracing (consent.tracing not
 * true) is never scored, never listed and never linked; a request whose own
 * consent.tracing is not true is not matched (KITH_E_CONSENT).
 *
 * Review: kith_trace_review marks a candidate possible, confirmed or rejected,
 * or undoes the last review of that candidate. Confirming writes, in one
 * batch, a new version of the request (candidate confirmed, status
 * confirmed), of the seeker's case (a `family` entry {relation, case} naming
 * the found case, status found) and of the found case (a `family` entry with
 * the inverse relation naming the seeker's case, or, for a described seeker,
 * a note with the request's ref). Undoing a confirmation writes new versions
 * without those entries. Family links are `family` entries of case records,
 * never records of kind "link": a link record means "the same person".
 * Every step is a new version whose action is "trace-add", "trace-possible",
 * "trace-confirm", "trace-reject", "trace-undo", "trace-match",
 * "trace-close" or "trace-reopen" and whose
 * note names the request and case refs, so `kith history` shows it with the
 * device that wrote it.
 *
 * Ownership: the vault and every json_t argument are borrowed. Results
 * (struct kith_trace_result) are caller-owned: kith_trace_result_free. JSON
 * handed out is a new reference (json_decref). Nothing here logs; messages
 * carry refs, field paths and counts, never a name, place or date.
 */
#ifndef KITH_LINK_TRACE_H
#define KITH_LINK_TRACE_H

#include <stddef.h>

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"

#define KITH_TRACE_MIN_PARENT_GAP 12 /* years a parent is at least older than the child */
#define KITH_TRACE_DEFAULT_LIMIT 10  /* candidates returned by default */
#define KITH_TRACE_MAX_LIMIT 1000    /* candidates kept per request, at most */
#define KITH_TRACE_MAX_PARTS 8	     /* explained fields per candidate */

/* Options of a match; zero means the defaults. */
struct kith_trace_opts {
	size_t limit; /* candidates kept, best first (0: KITH_TRACE_DEFAULT_LIMIT) */
	double
	    min_score; /* drop candidates below this score (0: keep all; --all: 0.5 unless min_score_set) */
	int min_score_set;    /* min_score was given, 0 included (kith_trace_run_all) */
	int include_rejected; /* 1: also return candidates a reviewer rejected */
};

/*
 * One field's contribution to a candidate's weight. Strings are static and
 * stable (the web UI may translate them). Levels by field ("missing": one
 * side lacks the value, weight 0):
 *   name        same (its weight falls as more cases hold the name), similar, given name (a given
 *               name alone against the case's), surname only, different
 *   sex         agrees, differs
 *   birth       agrees, one year apart, two years apart, differs
 *   separation  same place, similar spelling, same region, not among the
 *               case's places, same country, not among the case's countries
 *   family      names the seeker's case, names another case, names the seeker,
 *               names someone like the seeker, names someone else,
 *               a relative of that kind is recorded
 *   origin      same province as the seeker, another province
 *   relation    ages consistent, not checked
 */
struct kith_trace_part {
	const char *field; /* "name", "sex", "birth", "separation", "family", "origin", "relation" */
	const char *level; /* see above */
	int level_id;	   /* enum kith_trace_level, -1 for "missing" and the levels weighing 0 */
	double weight;	   /* log2 Bayes factor added to the candidate's weight */
	double similarity; /* the best similarity behind the level, in [0, 1]; -1 when none */
};

struct kith_trace_candidate {
	char ref[KITH_VAULT_REF_MAX]; /* the case's ref */
	size_t index;		      /* position among the cases matched (vault: kith_vault_records order) */
	double score;		      /* posterior probability in [0, 1] */
	double weight;		      /* sum of the parts' weights */
	const char *state;	      /* stored review: "possible", "confirmed", "rejected", or NULL */
	int is_new;		      /* never reported by a recorded run nor reviewed (vault only) */
	size_t n_parts;
	struct kith_trace_part parts[KITH_TRACE_MAX_PARTS];
};

struct kith_trace_result {
	char ref[KITH_VAULT_REF_MAX]; /* the request's ref ("" for a request not in a vault) */
	size_t considered;	      /* cases scored */
	size_t no_consent;	      /* cases left out because consent does not allow tracing */
	size_t impossible;	      /* cases left out by relation consistency */
	size_t n;		      /* candidates, best first */
	struct kith_trace_candidate *c;
};

/* Frees a result. NULL allowed. */
void kith_trace_result_free(struct kith_trace_result *r);

/* ------------------------------------------------------------ weights */

/*
 * The levels that carry a weight, grouped by field (a field's levels are
 * exclusive; the separation's place levels and country levels are two
 * groups). The weight of a level is log2(m/u): m its share among the true
 * relatives, u among all other cases scored. The defaults were estimated
 * from kith synth families (bench_trace --estimate, docs/tracing.md); in a
 * vault they are updated with the reviewers' confirmations (m) and
 * rejections (u) — kith_trace_weights_update. "surname only" weighs
 * log2(0.18 / the surname's share), within [-1, 3], whatever its m and u.
 */
enum kith_trace_level {
	KITH_TL_NAME_SAME,
	KITH_TL_NAME_SIMILAR,
	KITH_TL_NAME_GIVEN,
	KITH_TL_NAME_SURNAME,
	KITH_TL_NAME_DIFFERENT,
	KITH_TL_SEX_AGREE,
	KITH_TL_SEX_DIFFER,
	KITH_TL_BIRTH_AGREE,
	KITH_TL_BIRTH_ONE,
	KITH_TL_BIRTH_TWO,
	KITH_TL_BIRTH_FAR,
	KITH_TL_SEP_SAME,
	KITH_TL_SEP_SIMILAR,
	KITH_TL_SEP_REGION,
	KITH_TL_SEP_ELSEWHERE,
	KITH_TL_SEP_COUNTRY,
	KITH_TL_SEP_OTHER_COUNTRY,
	KITH_TL_FAM_CASE,
	KITH_TL_FAM_OTHER_CASE,
	KITH_TL_FAM_NAME_SAME,
	KITH_TL_FAM_NAME_SAME_SURNAME,
	KITH_TL_FAM_NAME_SIMILAR,
	KITH_TL_FAM_NAME_OTHER,
	KITH_TL_FAM_UNNAMED,
	KITH_TL_ORIGIN_SAME,
	KITH_TL_ORIGIN_OTHER,
	KITH_TL_COUNT
};

struct kith_trace_weights {
	double m[KITH_TL_COUNT], u[KITH_TL_COUNT];
	double w[KITH_TL_COUNT]; /* log2(m/u) (kith_trace_weights_finish) */
};

/* Level counts among true relatives (m) and among the other cases scored (u). */
struct kith_trace_counts {
	double m[KITH_TL_COUNT], u[KITH_TL_COUNT];
};

/* The field and level names of a level (static strings). */
const char *kith_trace_level_field(enum kith_trace_level l);
const char *kith_trace_level_name(enum kith_trace_level l);

/* The default weights (estimated from kith synth families). */
void kith_trace_weights_default(struct kith_trace_weights *w);

/* Computes w from m and u. */
void kith_trace_weights_finish(struct kith_trace_weights *w);

/*
 * Updates weights with counts, as a Dirichlet prior of `strength_m` and
 * `strength_u` observations per field with the shares of *w: m of each
 * field group becomes (count + strength·m) / (total + strength), u likewise.
 * A group without counts keeps its m or u. Then kith_trace_weights_finish.
 */
void kith_trace_weights_update(struct kith_trace_weights *w, const struct kith_trace_counts *c,
			       double strength_m, double strength_u);

/*
 * The result as JSON: {ref, considered, no_consent, impossible, candidates:
 * [{ref, score, weight, state, new, explanation: [{field, level, weight,
 * similarity}]}]}. New reference, NULL on out-of-memory.
 */
json_t *kith_trace_result_json(const struct kith_trace_result *r);

/* ------------------------------------------------------------ without a vault */

/*
 * A prepared set of cases (names encoded, birth windows, places folded) to
 * match requests against, for benchmarks, tests and the vault functions
 * below. `cases` are validated case bodies (borrowed for the call; what is
 * needed is copied and wiped on free); a case without a ref gets "#<index>".
 * KITH_OK, KITH_E_NOMEM. A name the names engine refuses is skipped.
 */
struct kith_trace_cases;
int kith_trace_cases_new(struct kith_trace_cases **out, json_t *const *cases, size_t n,
			 struct kith_err *err) KITH_WUR;
void kith_trace_cases_free(struct kith_trace_cases *c);

/* The weights matching uses (kith_trace_cases_new sets the defaults). */
void kith_trace_cases_set_weights(struct kith_trace_cases *c, const struct kith_trace_weights *w);
const struct kith_trace_weights *kith_trace_cases_weights(const struct kith_trace_cases *c);

/*
 * Adds to *acc the levels of every case a request scores (the consenting,
 * possible cases, as kith_trace_match_body), to m for a case whose ref is in
 * true_refs[0..n_true) and to u for the others. For estimating weights from
 * labelled requests (bench_trace --estimate). KITH_OK or the errors of
 * kith_trace_match_body.
 */
int kith_trace_count_levels(const struct kith_trace_cases *cs, const json_t *trace,
			    const char *const *true_refs, size_t n_true, struct kith_trace_counts *acc,
			    struct kith_err *err) KITH_WUR;

/*
 * Scores the request `trace` (a valid "trace" body) against every case of
 * cs whose consent allows tracing, skipping the seeker's own case, and
 * returns the candidates best first (ties by case order). The seeker's case,
 * when seeker.case is given, is looked up in cs by ref. *out is set only on
 * success. KITH_OK, KITH_E_INVALID (kith_trace_check failed: err names the
 * field), KITH_E_NOTFOUND (seeker.case not in cs; where "seeker.case"),
 * KITH_E_CONSENT (the request's consent.tracing is not true; where
 * "consent.tracing"), KITH_E_NOMEM.
 */
int kith_trace_match_body(const struct kith_trace_cases *cs, const json_t *trace,
			  const struct kith_trace_opts *opts, struct kith_trace_result **out,
			  struct kith_err *err) KITH_WUR;

/*
 * Checks what the schema cannot: an age whose birth year would fall before
 * KITH_RECORD_YEAR_MIN or after the year it is given in; a birth date and an
 * age that disagree by more than a year; a separation before the birth; a
 * sex that contradicts the relation (a mother is female); a relation that
 * contradicts the birth years (a parent less than KITH_TRACE_MIN_PARENT_GAP
 * years older than the child). `seeker_case` is the seeker's case body or
 * NULL (then seeker.birth is used). KITH_OK or KITH_E_INVALID with
 * err->where the field ("sought.age", "sought.relation", ...).
 */
int kith_trace_check(const json_t *trace, const json_t *seeker_case, struct kith_err *err) KITH_WUR;

/* ------------------------------------------------------------ in a vault */

/*
 * Adds tracing requests (bodies borrowed) in one batch: each is validated
 * (record.h) and checked (kith_trace_check; seeker.case must be a case of v;
 * the request's own consent is the seeker's, whatever their case says), its
 * status set to "open" when absent, its ref assigned when absent (action
 * "trace-add"). The ref of body i is copied to refs[i] when refs is not NULL.
 * All or nothing. KITH_OK, KITH_E_INVALID / KITH_E_NOTFOUND (err->where is
 * the field, *bad_index (may be NULL) the index of the failing body),
 * KITH_E_EXISTS (a ref already used), KITH_E_DB, KITH_E_NOMEM.
 */
int kith_trace_add(struct kith_vault *v, json_t *const *bodies, size_t n, char (*refs)[KITH_VAULT_REF_MAX],
		   size_t *bad_index, struct kith_err *err) KITH_WUR;

/*
 * The requests of v as JSON, in creation order: [{ref, id, version, status,
 * seeker: {case} or {name}, sought: {name, relation}, candidates: {possible,
 * confirmed, rejected} counts, at}] for those whose status is `status`
 * (NULL: all). New reference in *out. KITH_OK, KITH_E_NOMEM.
 */
int kith_trace_list_json(struct kith_vault *v, const char *status, json_t **out,
			 struct kith_err *err) KITH_WUR;

/*
 * Matches the request `ref` against the cases of v (kith_trace_match_body),
 * with each candidate's stored review state and whether it is new: never
 * reported by an earlier recorded kith_trace_run_all (the refs reported are
 * kept in the notes of the request's "trace-match" versions) and not
 * reviewed. Rejected
 * candidates are left out unless opts->include_rejected. Writes nothing.
 * KITH_OK, KITH_E_NOTFOUND (no request `ref`, where "ref"; or its seeker
 * case is gone), KITH_E_CONSENT, KITH_E_INVALID, KITH_E_DB, KITH_E_NOMEM.
 */
int kith_trace_match(struct kith_vault *v, const char *ref, const struct kith_trace_opts *opts,
		     struct kith_trace_result **out, struct kith_err *err) KITH_WUR;

/*
 * Re-runs every open or possible_match request whose consent allows it.
 * For each, the candidates at or above opts->min_score (0.5 when it is 0 and
 * min_score_set is not) that are new
 * since its last run are reported; when `record` is 1 each request with new
 * candidates gets a version with action "trace-match" (the body unchanged,
 * the note "N new candidates"), so the next run reports only newer ones.
 * *out: {requests, skipped_consent, with_new, results: [kith_trace_result_json
 * of the new candidates of each request that has any]}. KITH_OK, KITH_E_DB,
 * KITH_E_NOMEM; a request that fails its checks is counted in "failed" with
 * its ref and the error's where, and the run goes on.
 */
int kith_trace_run_all(struct kith_vault *v, const struct kith_trace_opts *opts, int record, json_t **out,
		       struct kith_err *err) KITH_WUR;

/* What a reviewer does to a candidate. */
enum kith_trace_verb {
	KITH_TRACE_POSSIBLE, /* mark possible: request status open -> possible_match */
	KITH_TRACE_CONFIRM,  /* confirm: request confirmed, family entries in both cases (a
				described relative already there is updated: case, found) */
	KITH_TRACE_REJECT,   /* reject: the candidate is not shown again */
	KITH_TRACE_UNDO,     /* undo the candidate's review (a confirmation removes the family entries) */
};

/*
 * Reviews candidate case `case_ref` of request `ref` as `verb`, by
 * `reviewer` (stored in the version note with the refs; may be NULL) with an
 * optional `note`. One batch: the request, and for a confirmation or its
 * undoing both cases. Allowed: possible from none or rejected; confirm from
 * none or possible or rejected (only one confirmed candidate per request);
 * reject from none or possible; undo from possible, confirmed or rejected.
 * KITH_OK, KITH_E_NOTFOUND (request, case or seeker case unknown: where
 * "ref", "case" or "seeker.case"), KITH_E_CONSENT (the case does not consent
 * to tracing), KITH_E_INVALID (a change not allowed: the message says the
 * current state; the seeker's own case), KITH_E_DB, KITH_E_NOMEM. Nothing is
 * written on failure.
 */
int kith_trace_review(struct kith_vault *v, const char *ref, const char *case_ref, enum kith_trace_verb verb,
		      const char *reviewer, const char *note, struct kith_err *err) KITH_WUR;

/*
 * Closes request `ref` (status "closed": no longer matched by
 * kith_trace_run_all, reviews refused) or, with reopen, opens it again (the
 * status follows its candidates: confirmed, possible_match or open). A new
 * version with action "trace-close" or "trace-reopen" and the reviewer and
 * note in its note. KITH_OK, KITH_E_NOTFOUND (where "ref"), KITH_E_INVALID
 * (already closed / not closed), KITH_E_DB, KITH_E_NOMEM.
 */
int kith_trace_close(struct kith_vault *v, const char *ref, int reopen, const char *reviewer,
		     const char *note, struct kith_err *err) KITH_WUR;

/* Parses "possible", "confirm", "reject", "undo". KITH_OK or KITH_E_INVALID. */
int kith_trace_verb_parse(const char *s, enum kith_trace_verb *out) KITH_WUR;

#endif
