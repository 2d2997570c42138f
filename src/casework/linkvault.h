/*
 * linkvault — record linkage inside a vault: persons as reviewed links.
 *
 * A merge never deletes or edits a case. It is a record of kind "link"
 * (record.h) over two or more case ids, with a status that a person changes:
 *
 *   proposed --confirm--> confirmed --undo--> undone --confirm--> confirmed ...
 *   proposed --reject---> rejected  --undo--> undone
 *
 * Every change is a new version of the link record (action "propose",
 * "merge", "confirm", "reject" or "undo", the reviewer in the body, the note
 * in the version), so `kith history` shows who did what and when, and a wrong
 * merge is undone by a new version, never by erasing the old one.
 *
 * Persons are the connected components of the confirmed links (current
 * versions) over the cases; a case in no confirmed link is a person alone.
 *
 * The module prefix is kith_link_vault_ (the vault side of src/link).
 *
 * Ownership: the vault is borrowed; views of it (ids, refs) are valid until
 * the next change of the vault. Arrays and JSON handed out are the caller's
 * (free(), json_decref()).
 */
#ifndef KITH_LINK_LINKVAULT_H
#define KITH_LINK_LINKVAULT_H

#include <stddef.h>

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"
#include "link/dataset.h"
#include "link/link.h"
#include "link/linkcfg.h"

/*
 * For the estimation engine: the person of every case of vault v, in the
 * order of kith_vault_records(v, "case"). *person_of_case (caller-owned,
 * free()) holds n_cases numbers 0 .. persons-1, numbered in order of each
 * person's first case; cases joined by confirmed links (transitively) share a
 * number; every other case is a person alone. Links that are proposed,
 * rejected or undone do not join anything. Links naming cases that are no
 * longer readable are ignored for those cases. The number of persons is one
 * more than the largest number. KITH_OK or KITH_E_NOMEM; outputs set only on
 * success (*person_of_case is NULL and *n_cases 0 when the vault has no case).
 */
int kith_link_vault_persons(struct kith_vault *v, size_t **person_of_case, size_t *n_cases,
			    struct kith_err *err) KITH_WUR;

/*
 * A linkage dataset of the vault's cases: record i is case case_of_record[i]
 * (an index in kith_vault_records(v, "case")); id = the case ref, list =
 * source.organization ("unknown" when absent), names = person.name and
 * person.other_names, sex, birth (or age_at_intake with the year of
 * source.date), origin = person.origin.province or .place. The declared fields
 * and column roles of cfg do not apply (cases have none); its rules, mode and
 * model settings do. A case whose name cannot be encoded is linked without
 * it. *case_of_record is caller-owned (free()); the dataset is finished.
 * KITH_OK, KITH_E_INVALID (no cases), KITH_E_NOMEM.
 */
int kith_link_vault_dataset(const struct kith_vault *v, const struct kith_linkcfg *cfg,
			    struct kith_dataset **out, size_t **case_of_record,
			    struct kith_err *err) KITH_WUR;

/*
 * Stores a proposed link for every person of r (a run on the dataset of
 * kith_link_vault_dataset) with two or more cases, unless a link over the
 * same cases already exists (in any status: a rejected proposal is not made
 * again) or the cases are already one person by confirmed links. One batch:
 * all or nothing. score = the weakest member's match probability. *proposed
 * and *skipped (may be NULL) count them. KITH_OK, KITH_E_DB, KITH_E_NOMEM.
 */
int kith_link_vault_propose(struct kith_vault *v, const struct kith_link_result *r,
			    const struct kith_dataset *ds, const size_t *case_of_record, const char *reviewer,
			    size_t *proposed, size_t *skipped, struct kith_err *err) KITH_WUR;

/*
 * Links as JSON: an array of {id, version, status, score, method, reviewer,
 * reason, at, note, cases: [{id, ref, name}]} for every link whose status is
 * `status` (NULL: all), oldest first. With explain, each link also carries
 * "explanations": the waterfall (kith_link_explain JSON) of each pair of its
 * cases (at most 10), computed by running the linkage of cfg on the vault.
 * *out is a new reference. KITH_OK, KITH_E_NOMEM, or the errors of the run.
 */
int kith_link_vault_links_json(struct kith_vault *v, const char *status, int explain,
			       const struct kith_linkcfg *cfg, json_t **out, struct kith_err *err) KITH_WUR;

/*
 * Changes the status of the link whose id starts with `id_prefix` (at least 6
 * hex digits, unique) to "confirmed", "rejected" or "undone", as a new version
 * with reviewer in the body and note (may be NULL) in the version. Allowed:
 * confirm from proposed, rejected or undone; reject from proposed or undone;
 * undo from proposed, confirmed or rejected. The full id is copied to id_out.
 * KITH_OK, KITH_E_NOTFOUND (no such link), KITH_E_INVALID (ambiguous prefix,
 * bad status, a change that is not allowed: the message says the current
 * status), KITH_E_DB, KITH_E_NOMEM.
 */
int kith_link_vault_set_status(struct kith_vault *v, const char *id_prefix, const char *status,
			       const char *reviewer, const char *note, char id_out[KITH_VAULT_ID_HEX],
			       struct kith_err *err) KITH_WUR;

/*
 * Every version of the link whose id starts with id_prefix, oldest first, as
 * JSON: [{id, version, at, device, action, note, status, reviewer, cases}].
 * *out is a new reference. KITH_OK, KITH_E_INVALID / KITH_E_NOTFOUND (as
 * kith_link_vault_set_status), KITH_E_CORRUPT (a version failed verification:
 * *out holds the versions before it), KITH_E_DB, KITH_E_NOMEM.
 */
int kith_link_vault_history_json(struct kith_vault *v, const char *id_prefix, json_t **out,
				 struct kith_err *err) KITH_WUR;

/*
 * A manual merge: a confirmed link (method "manual") over the cases with refs
 * ref1 and ref2. KITH_OK, KITH_E_NOTFOUND (a ref), KITH_E_INVALID (the same
 * case twice), KITH_E_EXISTS (the two are already one person), KITH_E_DB,
 * KITH_E_NOMEM. The new link's id is copied to id_out.
 */
int kith_link_vault_merge(struct kith_vault *v, const char *ref1, const char *ref2, const char *reviewer,
			  const char *note, char id_out[KITH_VAULT_ID_HEX], struct kith_err *err) KITH_WUR;

/*
 * A person proposes that the cases with refs refs[0..n) are one person: a new
 * link record, method "manual", status "proposed", for review (the web UI's
 * "same person?" from a case page). 2 <= n <= KITH_LINK_VAULT_MANUAL_MAX.
 * KITH_OK with the link's id in id_out; KITH_E_INVALID (too few or too many
 * refs, where "refs"; the same case twice, where "refs[K]"), KITH_E_NOTFOUND
 * (no case with refs[K], where "refs[K]"), KITH_E_DB, KITH_E_NOMEM. Nothing
 * is written on failure.
 */
#define KITH_LINK_VAULT_MANUAL_MAX 20
int kith_link_vault_propose_refs(struct kith_vault *v, const char *const *refs, size_t n, const char *reason,
				 const char *reviewer, char id_out[KITH_VAULT_ID_HEX],
				 struct kith_err *err) KITH_WUR;

/* Persons of two cases or more as JSON: [{person, cases: [{id, ref, name}], links: [ids]}].
 * New reference, or NULL with err set. */
json_t *kith_link_vault_persons_json(struct kith_vault *v, struct kith_err *err);

#endif
