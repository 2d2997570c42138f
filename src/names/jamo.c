/*
 * jamo — Hangul letters, their coarse classes (for blocking keys), syllable
 * levels and the surname lookups over the generated tables.
 */
#include "names/jamo.h"

#include "names/hanja.h"
#include "names/tables.h"

/* ㄱㄲㅋ K, ㄷㄸㅌ T, ㅂㅃㅍ P, ㅈㅉㅊ J, ㅅㅆ S, ㄴ N, ㄹ R, ㅁ M, ㅎ H, ㅇ O; at the
 * start of a surname or given name ㄴ ㄹ ㅇ are one class (initial-sound rule). */
enum { C_K = 1, C_T, C_P, C_J, C_S, C_N, C_R, C_M, C_H, C_O, C_LO };

unsigned jamo_ini_class(uint32_t mask, int fold_pos)
{
	static const uint8_t cls[JAMO_NL] = {C_K, C_K, C_N, C_T, C_T, C_R, C_M, C_P, C_P, C_S,
					     C_S, C_O, C_J, C_J, C_J, C_K, C_T, C_P, C_H};
	if (!mask)
		return 0;
	if (fold_pos && (mask & (BIT(I_N) | BIT(I_R) | BIT(I_O))))
		return C_LO;
	return cls[__builtin_ctz(mask)];
}

unsigned jamo_vow_class(uint32_t mask)
{
	/* A ㅏ; E ㅐㅔㅒㅖ; O ㅓㅗㅜㅡㅝ; Y ㅕㅛㅠ; YA ㅑ; I ㅣㅢㅟ; WA ㅘ; WE ㅙㅚㅞ */
	static const uint8_t cls[JAMO_NV] = {1, 2, 5, 2, 3, 2, 4, 2, 3, 8, 9, 9, 4, 3, 3, 9, 7, 4, 3, 7, 7};
	return mask ? cls[__builtin_ctz(mask)] : 0;
}

unsigned jamo_fin_class(uint32_t mask)
{
	/* 0 none; 1 K; 2 N; 3 T; 4 L; 5 M; 6 P; 7 NG */
	static const uint8_t cls[JAMO_NT] = {0, 1, 1, 1, 2, 2, 2, 3, 4, 1, 5, 4, 4, 4,
					     6, 4, 5, 6, 6, 3, 3, 7, 3, 3, 1, 3, 6, 3};
	return mask ? cls[__builtin_ctz(mask)] : 0;
}

size_t jamo_put(unsigned s, char out[3])
{
	unsigned c = JAMO_BASE + s;
	out[0] = (char)(0xE0 | (c >> 12));
	out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[2] = (char)(0x80 | (c & 0x3F));
	return 3;
}

const struct kith_names_surname *kith_names_surname_find(unsigned s0, unsigned s1p)
{
	size_t lo = 0, hi = kith_names_n_surnames;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct kith_names_surname *e = &kith_names_surnames[mid];
		if (e->s0 < s0 || (e->s0 == s0 && e->s1 < s1p))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < kith_names_n_surnames && kith_names_surnames[lo].s0 == s0 &&
	    kith_names_surnames[lo].s1 == s1p)
		return &kith_names_surnames[lo];
	return NULL;
}

const struct kith_names_surname *kith_names_surname_north(unsigned s0)
{
	for (size_t i = 0; i < kith_names_n_surnames; i++)
		if (kith_names_surnames[i].north == s0 + 1)
			return &kith_names_surnames[i];
	return NULL;
}

const struct kith_names_hanja *kith_names_hanja_find(uint32_t cp)
{
	size_t lo = 0, hi = kith_names_n_hanja;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (kith_names_hanja[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < kith_names_n_hanja && kith_names_hanja[lo].cp == cp ? &kith_names_hanja[lo] : NULL;
}

int jamo_surname_fins_ok(void)
{
	for (unsigned s = 0; s < JAMO_NSYL; s++)
		if (kith_names_surname_of[s] && !(BIT(jamo_T(s)) & JAMO_SURNAME_FINS))
			return 0;
	return 1;
}
