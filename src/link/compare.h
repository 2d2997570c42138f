/*
 * compare — the field comparators of record linkage: string folding,
 * Jaro–Winkler similarity, dates with precision and their agreement levels.
 *
 * These are pure functions over borrowed bytes; none allocates on the hot
 * path (kith_compare_jaro_winkler, kith_compare_date_level), so the scoring
 * threads of the linkage engine call them on millions of pairs. The Korean
 * names engine (src/names) compares names; Jaro–Winkler serves Latin-script
 * names (Western lists such as FEBRL) and the other free-text fields.
 *
 * Ownership: every pointer argument is borrowed; kith_compare_fold appends to
 * a caller-owned wiping buffer.
 */
#ifndef KITH_LINK_COMPARE_H
#define KITH_LINK_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"

/* Strings longer than this (in code points) are compared on their first
 * KITH_COMPARE_MAX_CHARS code points only. */
#define KITH_COMPARE_MAX_CHARS 128

/*
 * Appends to `out` the folded form of s[0..len) used by the string
 * comparators: NFKC, case folded, combining marks removed ("Sŏn" -> "son"),
 * apostrophes and right single quotes dropped ("P'yŏng" -> "pyong"), every
 * other punctuation or space run turned into one space, trimmed. Hangul and
 * other scripts pass through (NFC). s must be valid UTF-8. Returns KITH_OK,
 * KITH_E_INVALID (invalid UTF-8) or KITH_E_NOMEM; on failure out is unchanged
 * beyond its old length.
 */
int kith_compare_fold(const char *s, size_t len, struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/*
 * Jaro–Winkler similarity in [0, 1] of two UTF-8 strings (prefix scale 0.1,
 * prefix up to 4, the boost applied only when the Jaro similarity exceeds
 * 0.7, as Winkler 1990). Two empty strings score 1; one empty string scores 0.
 * Compares code points (bytes when both strings are ASCII). Invalid UTF-8 is
 * read byte by byte, never past len.
 */
double kith_compare_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

/* A date with its precision: year only, year and month, or a full date. */
struct kith_compare_date {
	int16_t year;  /* 0: missing */
	uint8_t month; /* 0: not given */
	uint8_t day;   /* 0: not given */
};

/*
 * Parses a date s[0..len) (surrounding spaces ignored): "YYYY", "YYYY-MM",
 * "YYYY-MM-DD", "YYYYMMDD", "YYYY/MM/DD", "YYYY.MM.DD", with a real day of
 * the month and a year in 1800..2100. Returns KITH_OK, or KITH_E_INVALID with
 * *out untouched. An empty string is KITH_E_INVALID too: the caller decides
 * whether a field may be missing.
 */
int kith_compare_date_parse(const char *s, size_t len, struct kith_compare_date *out);

/*
 * Agreement levels of two dates (both present):
 *   KITH_COMPARE_DATE_EXACT  both full dates, equal
 *   KITH_COMPARE_DATE_TYPO   both full dates, one digit changed, two adjacent
 *                            digits swapped, or day and month swapped
 *   KITH_COMPARE_DATE_YEAR   same year otherwise
 *   KITH_COMPARE_DATE_NEAR   years one apart
 *   KITH_COMPARE_DATE_OTHER  anything else
 */
enum kith_compare_date_level {
	KITH_COMPARE_DATE_OTHER = 0,
	KITH_COMPARE_DATE_NEAR = 1,
	KITH_COMPARE_DATE_YEAR = 2,
	KITH_COMPARE_DATE_TYPO = 3,
	KITH_COMPARE_DATE_EXACT = 4,
};
enum kith_compare_date_level kith_compare_date_level(const struct kith_compare_date *a,
						     const struct kith_compare_date *b);

/* 64-bit FNV-1a hash of bytes (not for secrets; for grouping and blocking),
 * never 0 (0 is reserved for "no value"). */
uint64_t kith_compare_hash(const void *data, size_t len);

/* Mixes a value into a running 64-bit hash (order matters), never 0. */
uint64_t kith_compare_hash_mix(uint64_t h, uint64_t v);

#endif
