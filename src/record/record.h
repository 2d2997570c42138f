/*
 * record — the record kinds of a vault, their schemas and controlled
 * vocabularies, validation, and the canonical JSON form.
 *
 * The schema is defined once, here (record.c): the validator, the CSV column
 * map, the web UI's generated forms (kith_record_schema_json) and the docs all
 * read the same table. Vocabulary ids are ours (lower-case ASCII, '_' for
 * spaces; countries alone use upper-case ISO 3166 codes such as "KP", beside
 * "other"); each carries an English and a Korean label. docs/data-model.md
 * lists every field and vocabulary.
 *
 * Ownership: json_t arguments are borrowed unless the name says otherwise;
 * functions ending in _json return a new reference (json_decref it).
 */
#ifndef KITH_CORE_RECORD_H
#define KITH_CORE_RECORD_H

#include <stddef.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"

#define KITH_RECORD_MAX_BYTES (1u << 20) /* canonical JSON of one body */
#define KITH_RECORD_YEAR_MIN 1900	 /* dates are refused outside these years */
#define KITH_RECORD_YEAR_MAX 2100

/*
 * Validates `body` as a record of `kind` ("case", "link", "trace"). An unknown
 * field, a wrong type, a value outside its vocabulary, a malformed date, a
 * string that is not valid UTF-8 or holds control characters, or a body larger
 * than KITH_RECORD_MAX_BYTES is refused with KITH_E_INVALID and err->where set
 * to the field's path ("person.sex", "journey[2].date", "incidents[0].means[3]")
 * and a message that says what is wrong without quoting the value. Unknown kind:
 * KITH_E_INVALID with where "kind". KITH_E_NOMEM when jansson runs out of
 * memory measuring the body. Does not modify body.
 */
int kith_record_validate(const char *kind, const json_t *body, struct kith_err *err) KITH_WUR;

/* Appends the canonical form of body (sorted keys, compact, UTF-8, no NaN) to
 * out. KITH_OK or KITH_E_NOMEM / KITH_E_INVALID. */
int kith_record_canonical(const json_t *body, struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* The same bytes written by jansson's own dump (json_dump_callback with
 * JSON_COMPACT | JSON_SORT_KEYS), as kith_record_canonical did before it
 * wrote them itself: kept for the tests and fuzzers that compare the two. */
int kith_record_canonical_jansson(const json_t *body, struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/*
 * Whether the JSON text s[0..len) is surely a valid record of `kind`: 1 only
 * when json_loadb(s, len, JSON_REJECT_DUPLICATES) gives an object that
 * kith_record_validate(kind, ...) accepts. 0 means "not sure", not "invalid":
 * the caller then parses with jansson and validates, which says what is
 * wrong. Reads the text once and builds nothing: meant for canonical bodies
 * (compact, no reals), which it reads at a tenth of jansson's cost; anything
 * else gets 0. Thread-safe, allocates nothing.
 */
int kith_record_text_ok(const char *kind, const char *s, size_t len);

/* The same check of the record text at the start of s[0..len) that more
 * text may follow (a body inside an envelope): its length when it is surely
 * a valid record of `kind` (kith_record_text_ok of those bytes would say 1),
 * else 0 ("not sure"). */
size_t kith_record_text_ok_prefix(const char *kind, const char *s, size_t len);

/* Sets the ref of a canonical form written by kith_record_canonical (the
 * text from `start` to the end of canon): the same bytes as the canonical
 * form of the body with kith_record_set_ref(body, ref), without the copy of
 * the tree. KITH_OK; KITH_E_INVALID when ref is not a valid reference or the
 * text is not an object; KITH_E_NOMEM (canon unchanged). */
int kith_record_canonical_set_ref(struct kith_sbuf *canon, size_t start, const char *ref) KITH_WUR;

/* Whether `kind` is a record kind this schema knows ("case", "link", "trace"). */
int kith_record_kind_valid(const char *kind);

/* Whether records of `kind` carry a human `ref` (cases and tracing requests do). */
int kith_record_kind_has_ref(const char *kind);

/* The body's ref (borrowed), or NULL when absent. */
const char *kith_record_ref(const json_t *body);

/* Sets body's ref (copied). KITH_OK or KITH_E_NOMEM; KITH_E_INVALID when body
 * is not an object or ref is not a valid reference (see kith_record_ref_valid).
 * On failure body is unchanged. */
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

/* Whether `ref` is a valid human reference: 1 to 63 bytes of [A-Za-z0-9._-]. */
int kith_record_ref_valid(const char *ref);

/*
 * Parses a record date s[0..len): "YYYY", "YYYY-MM" or "YYYY-MM-DD", with a
 * real day of the month and a year in [KITH_RECORD_YEAR_MIN, KITH_RECORD_YEAR_MAX].
 * Returns its precision (1 year, 2 month, 3 day) and sets the non-NULL outputs
 * (0 for the parts not given), or KITH_E_INVALID with the outputs untouched.
 */
int kith_record_date_parse(const char *s, size_t len, int *year, int *month, int *day);

/*
 * Finds the vocabulary id that `text` names in vocabulary `vocab` ("sex",
 * "province", "country", ...; the names are listed in kith_record_schema_json
 * and docs/data-model.md): an exact id, or, ignoring case, marks, spaces,
 * '-', '_', '.' and "'", an id, an English or Korean label or a usual
 * spelling ("Hamgyŏng-pukto", "함북" -> "north_hamgyong"). *id is set to the
 * static id string. KITH_OK, KITH_E_NOTFOUND (no such vocabulary or value),
 * KITH_E_NOMEM. Importers use it for CSV cells; JSON bodies hold ids only.
 */
int kith_record_vocab_lookup(const char *vocab, const char *text, const char **id) KITH_WUR;

/* The label of vocabulary id `id` in `lang` ("en" or "ko"), static, or NULL
 * when the vocabulary, the id or the language is unknown. */
const char *kith_record_vocab_label(const char *vocab, const char *id, const char *lang);

#endif
