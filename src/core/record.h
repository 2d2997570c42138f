/*
 * record — the record kinds of a vault, their schemas and controlled
 * vocabularies, validation, and the canonical JSON form.
 *
 * The schema is defined once, here (record.c): the validator, the CSV column
 * map, the web UI's generated forms (kith_record_schema_json) and the docs all
 * read the same table. Vocabulary ids are ours (lower-case ASCII, '_' for
 * spaces); each carries an English and a Korean label.
 *
 * Ownership: json_t arguments are borrowed unless the name says otherwise;
 * functions ending in _json return a new reference (json_decref it).
 */
#ifndef KITH_CORE_RECORD_H
#define KITH_CORE_RECORD_H

#include <stddef.h>

#include <jansson.h>

#include "core/sbuf.h"
#include "core/status.h"

#define KITH_RECORD_MAX_BYTES (1u << 20) /* canonical JSON of one body */

/*
 * Validates `body` as a record of `kind` ("case", "link", "trace"). An unknown
 * field, a wrong type, a value outside its vocabulary, a malformed date, a
 * string that is not valid UTF-8 or holds control characters, or a body larger
 * than KITH_RECORD_MAX_BYTES is refused with KITH_E_INVALID and err->where set
 * to the field's path ("person.sex", "journey[2].date", "incidents[0].means[3]")
 * and a message that says what is wrong without quoting the value. Unknown kind:
 * KITH_E_INVALID with where "kind". Does not modify body.
 */
int kith_record_validate(const char *kind, const json_t *body, struct kith_err *err) KITH_WUR;

/* Appends the canonical form of body (sorted keys, compact, UTF-8, no NaN) to
 * out. KITH_OK or KITH_E_NOMEM / KITH_E_INVALID. */
int kith_record_canonical(const json_t *body, struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* Whether records of `kind` carry a human `ref` (cases and tracing requests do). */
int kith_record_kind_has_ref(const char *kind);

/* The body's ref (borrowed), or NULL when absent. */
const char *kith_record_ref(const json_t *body);

/* Sets body's ref (copied). KITH_OK or KITH_E_NOMEM. */
int kith_record_set_ref(json_t *body, const char *ref) KITH_WUR;

/*
 * The names of a case to search and link on: the name as given, then every
 * other name, borrowed from body, at most `max`; returns how many.
 */
size_t kith_record_case_names(const json_t *body, const char **names, size_t max);

/* The whole schema as JSON for the web UI's generated forms: for every kind,
 * its fields in order with type, vocabulary (ids with "en" and "ko" labels),
 * repeatable groups, date precision. New reference, NULL on out-of-memory. */
json_t *kith_record_schema_json(void);

/* Whether a case's consent allows `use` ("services", "reporting", "tracing",
 * "sharing"): 1 yes, 0 no or unstated. */
int kith_record_consent_allows(const json_t *case_body, const char *use);

#endif
