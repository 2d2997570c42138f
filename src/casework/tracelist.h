/*
 * tracelist — the tracing requests as a caseworker works them: a page of
 * the list with a search and its total, and editing a request's
 * description (who seeks, who is sought, consent) while the tracing engine
 * keeps what it owns (status and candidates). Closing and reopening are
 * kith_trace_close (trace.h).
 *
 * Ownership: the vault is borrowed; JSON handed out is a new reference.
 */
#ifndef KITH_CASEWORK_TRACELIST_H
#define KITH_CASEWORK_TRACELIST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"

/* A query; zero is every request, oldest first, all of them. */
struct kith_tracelist_query {
	const char *status;   /* open, possible_match, confirmed, closed; NULL any */
	const char *text;     /* NULL or "": any; else a part of the ref, the sought's or the
				 seeker's name or the seeker's case (letters compared ignoring case),
				 or a name (no digit) that the names engine finds in the sought's or
				 the seeker's names (other names and the seeker's case's too) in any
				 spelling or script, as the case search does */
	size_t offset, limit; /* a page (limit 0: all) */
};

/*
 * The requests matching q in kith_trace_list_json's form and order, from
 * q->offset, at most q->limit: *items (new array), *total (every match).
 * KITH_OK, KITH_E_INVALID (where "status"), KITH_E_NOMEM.
 */
int kith_tracelist_query(struct kith_vault *v, const struct kith_tracelist_query *q, json_t **items,
			 size_t *total, struct kith_err *err) KITH_WUR;

/*
 * Replaces the description of request `ref` with body (borrowed: its ref,
 * if any, must be `ref`; its status and candidates are ignored — the
 * current version's are kept), validated and checked as kith_trace_add
 * does, as a new version (action "trace-edit", note "by WHO").
 * expect_version 0 or the version the caller saw. KITH_OK;
 * KITH_E_NOTFOUND (where "ref", or "seeker.case"); KITH_E_INVALID (where
 * the field); KITH_E_EXISTS (where "version": changed since); KITH_E_DB,
 * KITH_E_NOMEM. Nothing is written on failure.
 */
int kith_tracelist_edit(struct kith_vault *v, const char *ref, const json_t *body, uint32_t expect_version,
			const char *by, struct kith_err *err) KITH_WUR;

#endif
