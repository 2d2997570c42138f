/*
 * drafts — what a person is typing into a form, kept encrypted in the vault
 * as it is typed, so that an idle lock, a closed tab, a crash or a power cut
 * loses nothing: after unlocking, the web UI offers the draft back.
 *
 * A draft is a vault record of its own kind ("draft", record.h) holding the
 * form's key (the page it belongs to, e.g. "#/new" or "#/case/K-7/edit"), a
 * title, the form's own JSON text as typed (half-filled forms included: it
 * is not validated as a case) and whether it is open. One record per form
 * key: saving again adds a version; saving the form or abandoning it closes
 * the draft (a version without the typed text). Versions are append-only, so
 * earlier drafts stay in the record's encrypted history, like every other
 * record's versions; nothing of a draft is ever written in plaintext.
 *
 * Drafts never leave the vault: export, figures, search, linkage and tracing
 * read the kinds "case" and "trace" only, never "draft".
 *
 * Ownership: every pointer argument is borrowed; kith_drafts_list returns a
 * new jansson reference the caller owns (json_decref).
 */
#ifndef KITH_CASEWORK_DRAFTS_H
#define KITH_CASEWORK_DRAFTS_H

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"

#define KITH_DRAFTS_FORM_MAX 200	  /* bytes of a form key */
#define KITH_DRAFTS_DATA_MAX (768 * 1024) /* bytes of the typed JSON text (a record holds 1 MiB) */

/*
 * Saves `data` (the form's JSON text, as typed) as the open draft of `form`,
 * with an optional `title` (NULL: none). A form that had a draft gets a new
 * version of the same record. Returns KITH_OK, KITH_E_INVALID (form empty or
 * longer than KITH_DRAFTS_FORM_MAX, data not JSON text or longer than
 * KITH_DRAFTS_DATA_MAX; err names the field), KITH_E_DB, KITH_E_CRYPTO,
 * KITH_E_NOMEM. On failure nothing was written.
 */
int kith_drafts_save(struct kith_vault *v, const char *form, const char *title, const char *data,
		     struct kith_err *err) KITH_WUR;

/*
 * Closes the open draft of `form` (the form was saved or abandoned): a new
 * version without the typed text. KITH_OK also when the form has no open
 * draft (nothing written); otherwise as kith_drafts_save.
 */
int kith_drafts_discard(struct kith_vault *v, const char *form, struct kith_err *err) KITH_WUR;

/*
 * The open drafts, newest first: [{"form", "title", "at" (Unix seconds of
 * the last save), "data" (the JSON text)}], into *out (a new reference).
 * `with_data` 0 leaves "data" out. KITH_OK or KITH_E_NOMEM (*out untouched).
 */
int kith_drafts_list(const struct kith_vault *v, int with_data, json_t **out, struct kith_err *err) KITH_WUR;

/* The number of open drafts. */
size_t kith_drafts_count(const struct kith_vault *v);

#endif
