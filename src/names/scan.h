/*
 * scan — the text layer of the names engine: UTF-8 in, words out.
 *
 * Validates UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF), refuses control characters, normalizes with utf8proc
 * (canonical and compatibility decomposition and case folding, which is
 * equivalent to NFC for matching: Hangul is recomposed here), and splits the
 * name into words of one script: Latin (folded to a-z with 'O' for ŏ, 'U'
 * for ŭ, 'A' for ă, '-' between syllables, '\'' for aspiration), Hangul
 * syllables, Hanja, or another script. Spaces, punctuation and digits
 * separate words.
 */
#ifndef KITH_NAMES_SCAN_H
#define KITH_NAMES_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "names/names.h"

#define SCAN_MAX_WORDS 16

enum scan_kind { W_LATIN = 1, W_HANGUL, W_HANJA, W_OTHER };

struct scan_word {
	uint8_t kind;
	uint16_t off; /* into lat (Latin), hs (Hangul) or text (Hanja, other) */
	uint16_t len;
};

struct scan {
	char lat[KITH_NAMES_MAX_BYTES];
	uint16_t hs[KITH_NAMES_MAX_BYTES / 3 + 1];
	char text[KITH_NAMES_MAX_BYTES * 2]; /* every word folded, single spaces */
	size_t n_lat, n_hs, n_text;
	struct scan_word w[SCAN_MAX_WORDS];
	size_t n_w;
	size_t dropped_words; /* words past SCAN_MAX_WORDS */
};

/* Scans utf8[0..len). KITH_OK; KITH_E_INVALID (bad UTF-8, a control
 * character, empty, no letter: err says which and at which byte, never the
 * name); KITH_E_LIMIT (longer than KITH_NAMES_MAX_BYTES). */
int scan_name(struct scan *sc, const char *utf8, size_t len, struct kith_err *err);

#endif
