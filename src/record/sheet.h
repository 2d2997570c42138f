/*
 * Cases as a spreadsheet-friendly CSV: what a person opens in Excel or
 * LibreOffice by double-clicking, in English or Korean.
 *
 * Unlike the CSV of docs/formats.md (ids, JSON in cells, made to be read
 * back by kith import), this is made to be read by people: UTF-8 with a
 * byte-order mark (so Excel reads Hangul), CRLF line ends, column headers
 * and values as labels in the chosen language, every field in a column of
 * its own — a list of groups (journey, incidents, services, family) gets
 * numbered columns ("Journey 2: Place"), as many as the most items any of
 * the cases has — lists of values joined with "; ", yes/no as words, and
 * any cell a spreadsheet would run as a formula written with a leading
 * quote. Columns follow the schema (src/record/record.c). It is not read
 * back by kith.
 *
 * Ownership: bodies are borrowed; out is the caller's (plaintext: it wipes
 * when it grows; release it with kith_sbuf_release).
 */
#ifndef KITH_RECORD_SHEET_H
#define KITH_RECORD_SHEET_H

#include <stddef.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"

/*
 * Appends the sheet of the n case bodies to out, labels in lang ("en" or
 * "ko"). KITH_OK; KITH_E_INVALID (another lang, where "lang"); KITH_E_NOMEM
 * with out as it was on entry.
 */
int kith_sheet_write(json_t *const *bodies, size_t n, const char *lang, struct kith_sbuf *out,
		     struct kith_err *err) KITH_WUR;

#endif
