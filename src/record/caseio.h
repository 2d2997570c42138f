/*
 * caseio — records in and out of files: one case as JSON, JSON Lines, and CSV
 * with documented columns (docs/formats.md).
 *
 * Importers treat their input as an attack: the whole input is checked (valid
 * UTF-8, no NUL, caps on size, line length and count), parsed with duplicate
 * keys refused, and every record validated against its kind's schema
 * (record.h). They return every body or none: on the first error nothing is
 * returned, and err->where says where, as "FILE:LINE:field" (e.g.
 * "cases.jsonl:3:person.sex", "intake.csv:12:sex"), or "FILE:LINE" for an
 * error of syntax, with the column in the message. Messages never quote a
 * value. The line of a field in a JSON file is the line where its object starts.
 *
 * Exporters append to a wiping buffer (struct kith_sbuf): JSON Lines of
 * canonical bodies, or CSV with the import columns, in which a cell that a
 * spreadsheet would read as a formula (starting with = + - @, tab or CR) is
 * defused with a leading single quote that the importer removes again.
 *
 * Ownership: input buffers and names are borrowed. An importer's result is a
 * caller-owned array of new json_t references: release it with
 * kith_caseio_free. Bodies passed to exporters are borrowed.
 */
#ifndef KITH_CORE_CASEIO_H
#define KITH_CORE_CASEIO_H

#include <stddef.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"

#define KITH_CASEIO_MAX_FILE ((size_t)1 << 30) /* bytes of one input file */
#define KITH_CASEIO_MAX_RECORDS 1000000u       /* records in one input */

enum kith_caseio_format {
	KITH_CASEIO_AUTO = 0, /* by file extension, else by content */
	KITH_CASEIO_JSON,     /* one object */
	KITH_CASEIO_JSONL,    /* one object per line */
	KITH_CASEIO_CSV,      /* cases only, columns of docs/formats.md */
};

/* Parses a format name: "json", "jsonl" (or "ndjson"), "csv", "auto".
 * KITH_OK or KITH_E_INVALID. */
int kith_caseio_format_parse(const char *name, enum kith_caseio_format *out) KITH_WUR;

/* The format a path's extension names (.json, .jsonl, .ndjson, .csv; any
 * case), or KITH_CASEIO_AUTO. */
enum kith_caseio_format kith_caseio_format_of_path(const char *path);

/*
 * Parses data[0..len) in format `fmt` into validated bodies of `kind`
 * ("case", "trace", "link"; CSV holds cases only). With KITH_CASEIO_AUTO the
 * content decides: a first non-blank line that is a whole JSON object means
 * JSON Lines, another '{' means one JSON object, anything else CSV. `name`
 * (the file name, for errors) may be NULL ("input"). On success *bodies is a
 * new array of *n new references (NULL and 0 for an input without records).
 * Returns KITH_OK, KITH_E_INVALID (syntax, schema, unknown or missing CSV
 * column, unknown kind), KITH_E_LIMIT (more than KITH_CASEIO_MAX_RECORDS
 * records, a line or input too long), KITH_E_NOMEM. On failure *bodies and *n
 * are untouched.
 */
int kith_caseio_parse(enum kith_caseio_format fmt, const char *kind, const char *data, size_t len,
		      const char *name, json_t ***bodies, size_t *n, struct kith_err *err) KITH_WUR;

/* The same with a lower cap on the number of records (the web UI's uploads,
 * tests): max_records 0 or above KITH_CASEIO_MAX_RECORDS means that cap. One
 * record more is KITH_E_LIMIT at its line. */
int kith_caseio_parse_max(enum kith_caseio_format fmt, const char *kind, const char *data, size_t len,
			  const char *name, size_t max_records, json_t ***bodies, size_t *n,
			  struct kith_err *err) KITH_WUR;

/* The same, also giving the line where each record starts: *lines is a
 * caller-owned array of *n line numbers (release it with free(); NULL when
 * *n is 0). Every parse refuses a ref given twice in the input: err->where
 * is "FILE:LINE:ref" for the later record, and the message names the line of
 * the earlier one. */
int kith_caseio_parse_lines(enum kith_caseio_format fmt, const char *kind, const char *data, size_t len,
			    const char *name, size_t max_records, json_t ***bodies, size_t **lines, size_t *n,
			    struct kith_err *err) KITH_WUR;

/* The same for a file ("-" is standard input, named "stdin" in errors), read
 * with a cap of KITH_CASEIO_MAX_FILE bytes into a wiping buffer. Also returns
 * KITH_E_NOTFOUND and KITH_E_IO (err->where is the path). */
int kith_caseio_read_file(const char *path, enum kith_caseio_format fmt, const char *kind, json_t ***bodies,
			  size_t *n, struct kith_err *err) KITH_WUR;

/* Releases every body and the array. NULL is allowed. */
void kith_caseio_free(json_t **bodies, size_t n);

/* Appends one body as a line of JSON Lines: its canonical form and '\n'.
 * KITH_OK, KITH_E_INVALID (not an object), KITH_E_NOMEM; out is unchanged on
 * failure. */
int kith_caseio_jsonl_append(const json_t *body, struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* Appends the CSV header line (every column, in the documented order). */
int kith_caseio_csv_header(struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* Appends one case as a CSV line under that header. Lists of free text are
 * joined with ';' (a JSON array when an item holds ';' or surrounding
 * spaces); journey, incidents, family and services are JSON arrays in their
 * cells. KITH_OK, KITH_E_INVALID (not an object), KITH_E_NOMEM; out is
 * unchanged on failure. */
int kith_caseio_csv_append(const json_t *case_body, struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* Whole exports: every body, in order; CSV with its header. Same statuses;
 * err->where names the index of a failing body ("record 12"). */
int kith_caseio_write_jsonl(json_t *const *bodies, size_t n, struct kith_sbuf *out,
			    struct kith_err *err) KITH_WUR;
int kith_caseio_write_csv(json_t *const *bodies, size_t n, struct kith_sbuf *out,
			  struct kith_err *err) KITH_WUR;

/* Whether a spreadsheet would read the cell s[0..len) as a formula (it
 * starts with =, +, -, @, a tab or CR, after any single quotes): exporters
 * write such a cell with one more leading quote. 1 or 0. */
int kith_caseio_formula_cell(const char *s, size_t len);

#endif
