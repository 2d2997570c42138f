/*
 * Cases in and out of a vault: import (all or nothing) and export with the
 * consent filter. The one place where the command line and the web UI bring
 * cases in or take them out, so that consent is enforced once for every path
 * out of a vault (DESIGN.md "Layout").
 *
 * Ownership: bodies given to kith_exchange_import are borrowed (the vault
 * canonicalizes a copy); the export's output buffer is the caller's and holds
 * plaintext: it wipes when it grows (base/sbuf.h) and must be released.
 */
#ifndef KITH_CASEWORK_EXCHANGE_H
#define KITH_CASEWORK_EXCHANGE_H

#include <stddef.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "vault/vault.h"

/* Called after each case put, with (done, total). */
typedef void (*kith_exchange_progress_fn)(size_t done, size_t total, void *arg);

struct kith_exchange_import_result {
	size_t n;			/* cases imported */
	char first[KITH_VAULT_REF_MAX]; /* ref of the first and the last */
	char last[KITH_VAULT_REF_MAX];
};

/*
 * Adds bodies[0..n) as new cases in one batch: all or nothing. A case whose
 * ref exists already is refused with err->where "LABEL:record K" (K counted
 * from 1, in the order of the file). label names the input in errors ("upload",
 * a file name). progress may be NULL.
 * KITH_OK with *res filled; KITH_E_INVALID (n == 0: nothing to import),
 * KITH_E_EXISTS, KITH_E_DB, KITH_E_IO, KITH_E_NOMEM with nothing written.
 */
int kith_exchange_import(struct kith_vault *v, json_t *const *bodies, size_t n, const char *label,
			 kith_exchange_progress_fn progress, void *progress_arg,
			 struct kith_exchange_import_result *res, struct kith_err *err) KITH_WUR;

/*
 * The same for bodies read by kith_caseio_parse_lines: lines[K] is the line
 * where body K starts, and a case whose ref is already in the vault is refused
 * with err->where "LABEL:LINE:ref" (lines NULL: as kith_exchange_import).
 */
int kith_exchange_import_lines(struct kith_vault *v, json_t *const *bodies, const size_t *lines, size_t n,
			       const char *label, kith_exchange_progress_fn progress, void *progress_arg,
			       struct kith_exchange_import_result *res, struct kith_err *err) KITH_WUR;

enum kith_exchange_format {
	KITH_EXCHANGE_JSONL = 0, /* canonical bodies, one a line */
	KITH_EXCHANGE_CSV = 1,	 /* the columns of docs/formats.md */
	KITH_EXCHANGE_SHEET = 2, /* for a spreadsheet: labels, one column per field (record/sheet.h) */
};

/* Options of an export; zero is JSON Lines of every case. */
struct kith_exchange_export_opts {
	enum kith_exchange_format format;
	/* NULL: every case (the organization's own backup); otherwise a consent
	 * use (services, reporting, tracing, sharing): only cases whose consent
	 * allows it, and a family entry's link to a case left out is dropped (the
	 * ref alone would say that the two people are related). */
	const char *consent;
	const char *lang; /* the sheet's labels: "en" (NULL) or "ko" */
};

struct kith_exchange_export_result {
	size_t written;	 /* cases in the output */
	size_t left_out; /* cases the consent filter kept back */
};

/* Whether use is a consent use the filter knows (services, reporting,
 * tracing, sharing): 1 or 0. */
int kith_exchange_consent_use_valid(const char *use);

/*
 * Appends the current version of every case that the options let through to
 * out (CSV with its header line). KITH_OK with *res filled; KITH_E_INVALID (an
 * unknown consent use, err->where "consent"), KITH_E_NOMEM; on failure out is
 * as it was on entry (its length restored).
 */
int kith_exchange_export(const struct kith_vault *v, const struct kith_exchange_export_opts *opts,
			 struct kith_sbuf *out, struct kith_exchange_export_result *res,
			 struct kith_err *err) KITH_WUR;

/*
 * Records that an export was made (a record of kind "export": when, format,
 * language, consent filter — "all" when none — how many cases went out and
 * how many were left out, attachments, by whom), so that what left the vault
 * and under which consent can be shown later (kith_exchange_log). Call it
 * after the file was written. KITH_OK, KITH_E_DB, KITH_E_NOMEM.
 */
int kith_exchange_record(struct kith_vault *v, const struct kith_exchange_export_opts *opts,
			 const struct kith_exchange_export_result *res, size_t attachments, const char *by,
			 struct kith_err *err) KITH_WUR;

/* Every recorded export, oldest first, as a new JSON array of {"at",
 * "format", "lang", "consent", "cases", "left_out", "attachments", "by"};
 * NULL on out-of-memory. */
json_t *kith_exchange_log(const struct kith_vault *v);

#endif
