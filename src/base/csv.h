/*
 * csv — a reader of RFC 4180 CSV that treats its input as hostile.
 *
 * One reader serves every importer (case import, linkage input, contingency
 * tables). It reads from a memory buffer the caller keeps alive, checks every
 * byte (valid UTF-8, no NUL, balanced quotes, caps on field size, field count
 * and row count) and reports errors as `NAME:LINE:COLUMN` with the header's
 * column name where there is a header. A leading UTF-8 byte-order mark is
 * skipped (spreadsheets write one); one anywhere else is an error. Line ends
 * may be LF or CRLF. Blank lines are skipped; so are lines starting with '#'
 * when opts.comments is set.
 *
 * Ownership: the reader borrows `data` and `name` for its lifetime; a row's
 * field pointers belong to the reader and stay valid until the next call of
 * kith_csv_next or kith_csv_free. The reader's field buffer is wiped when it
 * grows and when it is freed, since fields may hold names.
 */
#ifndef KITH_CORE_CSV_H
#define KITH_CORE_CSV_H

#include <stddef.h>

#include "base/status.h"

struct kith_csv;

struct kith_csv_opts {
	char sep;	      /* field separator; 0 means ',' */
	int header;	      /* nonzero: the first row is a header, kept for errors and lookups */
	int comments;	      /* nonzero: skip lines whose first byte is '#' */
	size_t max_fields;    /* 0 means 1024 */
	size_t max_field_len; /* bytes; 0 means 1 MiB */
	size_t max_rows;      /* data rows; 0 means no cap */
};

struct kith_csv_row {
	size_t n;	      /* number of fields */
	const char *const *f; /* NUL-terminated fields, unquoted */
	const size_t *len;    /* their lengths in bytes */
	size_t line;	      /* 1-based line where the row starts */
};

/* Opens a reader on data[0..len). With opts->header, reads the header at once:
 * duplicate or empty column names are errors. Returns KITH_OK, KITH_E_INVALID
 * (bad header, empty input), KITH_E_NOMEM. *out is set only on success. */
int kith_csv_open(struct kith_csv **out, const char *data, size_t len, const char *name,
		  const struct kith_csv_opts *opts, struct kith_err *err) KITH_WUR;

/* Reads the next data row. Returns 1 with *row filled, 0 at the end, or a
 * negative status: KITH_E_INVALID (bad quoting, invalid UTF-8, a row whose field
 * count differs from the header's, a NUL byte), KITH_E_LIMIT (a cap), KITH_E_NOMEM.
 * After an error the reader stays in error and returns it again. */
int kith_csv_next(struct kith_csv *c, struct kith_csv_row *row, struct kith_err *err) KITH_WUR;

/* The header row (n == 0 without opts.header). */
const struct kith_csv_row *kith_csv_header(const struct kith_csv *c);

/* Index of the header column named `name` (ASCII case-insensitive, surrounding
 * spaces ignored), or -1. */
int kith_csv_column(const struct kith_csv *c, const char *name);

/* Writes "NAME:LINE:COLUMN" (column = header name, or its 1-based number) into
 * err->where, for a caller that finds a bad value in a field it parsed. */
int kith_csv_field_error(const struct kith_csv *c, const struct kith_csv_row *row, size_t col,
			 struct kith_err *err, int status, const char *fmt, ...) KITH_PRINTF(6, 7);

/* Frees the reader and wipes its buffers. NULL is allowed. */
void kith_csv_free(struct kith_csv *c);

/* Checks that s[0..len) is valid UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF). Returns the byte offset of the first bad byte, or len if valid. */
size_t kith_utf8_check(const char *s, size_t len);

/* Appends `s` to `out` as a CSV field (quoted when it holds the separator, a
 * quote, CR or LF). Returns KITH_OK or KITH_E_NOMEM. */
struct kith_sbuf;
int kith_csv_write_field(struct kith_sbuf *out, const char *s, size_t len) KITH_WUR;

#endif
