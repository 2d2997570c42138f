/*
 * hanja — the Korean and Mandarin readings of Chinese characters (generated
 * from Unihan by data/names/gen_hanja.py into hanja.c): 金 is 금 or 김 and
 * "jin", 李 is 리 (이 by the initial-sound rule) and "li"; a simplified form
 * (顺) reads as its traditional one (順: 순, "shun").
 */
#ifndef KITH_NAMES_HANJA_H
#define KITH_NAMES_HANJA_H

#include <stddef.h>
#include <stdint.h>

struct kith_names_hanja {
	uint16_t cp;	  /* code point (U+4E00..U+9FFF) */
	uint16_t hangul;  /* its Korean reading: Hangul syllable index + 1 */
	uint16_t hangul2; /* another reading (+ 1), 0 when none */
	uint16_t pinyin;  /* index into kith_names_pinyin, 0 when none */
};

extern const struct kith_names_hanja kith_names_hanja[];
extern const size_t kith_names_n_hanja;
extern const char *const kith_names_pinyin[];
extern const size_t kith_names_n_pinyin;

/* The entry of code point cp, or NULL. */
const struct kith_names_hanja *kith_names_hanja_find(uint32_t cp);

#endif
