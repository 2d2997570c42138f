/*
 * jamo — Hangul syllables and their letters (jamo), as the names engine needs
 * them: a syllable is an index from U+AC00 made of an initial (19), a vowel
 * (21) and a final (28, 0 = none); sets of readings are bit masks over each.
 *
 * Initials: ㄱ0 ㄲ1 ㄴ2 ㄷ3 ㄸ4 ㄹ5 ㅁ6 ㅂ7 ㅃ8 ㅅ9 ㅆ10 ㅇ11 ㅈ12 ㅉ13 ㅊ14 ㅋ15 ㅌ16 ㅍ17 ㅎ18
 * Vowels:   ㅏ0 ㅐ1 ㅑ2 ㅒ3 ㅓ4 ㅔ5 ㅕ6 ㅖ7 ㅗ8 ㅘ9 ㅙ10 ㅚ11 ㅛ12 ㅜ13 ㅝ14 ㅞ15 ㅟ16 ㅠ17 ㅡ18 ㅢ19 ㅣ20
 * Finals:   -0 ㄱ1 ㄲ2 ㄳ3 ㄴ4 ㄵ5 ㄶ6 ㄷ7 ㄹ8 ㄺ9 ㄻ10 ㄼ11 ㄽ12 ㄾ13 ㄿ14 ㅀ15 ㅁ16 ㅂ17 ㅄ18 ㅅ19
 *           ㅆ20 ㅇ21 ㅈ22 ㅊ23 ㅋ24 ㅌ25 ㅍ26 ㅎ27
 */
#ifndef KITH_NAMES_JAMO_H
#define KITH_NAMES_JAMO_H

#include <stddef.h>
#include <stdint.h>

#include "names/names.h"
#include "names/tables.h"

#define JAMO_NL 19
#define JAMO_NV 21
#define JAMO_NT 28
#define JAMO_NSYL 11172
#define JAMO_BASE 0xAC00

enum { I_G, I_KK, I_N, I_D, I_TT, I_R, I_M, I_B, I_PP, I_S, I_SS, I_O, I_J, I_JJ, I_CH, I_K, I_T, I_P, I_H };
enum {
	V_A,
	V_AE,
	V_YA,
	V_YAE,
	V_EO,
	V_E,
	V_YEO,
	V_YE,
	V_O,
	V_WA,
	V_WAE,
	V_OE,
	V_YO,
	V_U,
	V_WO,
	V_WE,
	V_WI,
	V_YU,
	V_EU,
	V_UI,
	V_I
};
enum {
	F_NONE,
	F_G,
	F_KK,
	F_GS,
	F_N,
	F_NJ,
	F_NH,
	F_D,
	F_L,
	F_LG,
	F_LM,
	F_LB,
	F_LS,
	F_LT,
	F_LP,
	F_LH,
	F_M,
	F_B,
	F_BS,
	F_S,
	F_SS,
	F_NG,
	F_J,
	F_CH,
	F_K,
	F_T,
	F_P,
	F_H
};

#define BIT(x) (1u << (x))
/* vowels before which the initial-sound rule turns ㄹ and ㄴ into ㅇ */
#define V_IY_MASK (BIT(V_I) | BIT(V_YA) | BIT(V_YEO) | BIT(V_YO) | BIT(V_YU) | BIT(V_YE) | BIT(V_YAE))

static inline unsigned jamo_L(unsigned s)
{
	return s / (JAMO_NV * JAMO_NT);
}
static inline unsigned jamo_V(unsigned s)
{
	return (s / JAMO_NT) % JAMO_NV;
}
static inline unsigned jamo_T(unsigned s)
{
	return s % JAMO_NT;
}
static inline unsigned jamo_syl(unsigned l, unsigned v, unsigned t)
{
	return (l * JAMO_NV + v) * JAMO_NT + t;
}

static inline int jamo_popcount(uint32_t x)
{
	return __builtin_popcount(x);
}

/* The syllable's one-syllable set. */
static inline struct kith_name_syl jamo_single(unsigned s)
{
	struct kith_name_syl r = {BIT(jamo_L(s)), BIT(jamo_V(s)), BIT(jamo_T(s))};
	return r;
}

static inline int jamo_has(const struct kith_name_syl *x, unsigned s)
{
	return (x->ini & BIT(jamo_L(s))) && (x->vow & BIT(jamo_V(s))) && (x->fin & BIT(jamo_T(s)));
}

/* Do the sets of x and y share a syllable (an initial, a vowel and a final
 * each in both)? */
static inline int jamo_meet(const struct kith_name_syl *x, const struct kith_name_syl *y)
{
	return (x->ini & y->ini) && (x->vow & y->vow) && (x->fin & y->fin);
}

/* The initial-sound rule, folded: at the start of a surname or a given name ㄹ
 * may be written ㅇ (before i/y) or ㄴ, and ㄴ may be written ㅇ (before i/y). */
static inline void jamo_fold(struct kith_name_syl *x)
{
	uint32_t iy = x->vow & V_IY_MASK, other = x->vow & ~V_IY_MASK;
	if (x->ini & BIT(I_R)) {
		if (iy)
			x->ini |= BIT(I_O);
		if (other)
			x->ini |= BIT(I_N);
	}
	if ((x->ini & BIT(I_N)) && iy)
		x->ini |= BIT(I_O);
}

/* The initial of a Hangul syllable folded by jamo_fold, as written: the
 * fold adds ㅇ and ㄴ to ㄹ, and ㅇ to ㄴ. */
static inline void jamo_unfold(struct kith_name_syl *x)
{
	if (x->ini & BIT(I_R))
		x->ini = BIT(I_R);
	else if (x->ini & BIT(I_N))
		x->ini = BIT(I_N);
}

/* Coarse classes, for blocking keys: every Latin spelling of a letter falls
 * in one class (of the set's lowest letter). Initials: ㄱㄲㅋ K, ㄷㄸㅌ T, ㅂㅃㅍ
 * P, ㅈㅉㅊ J, ㅅㅆ S, ㄴ N, ㄹ R, ㅁ M, ㅎ H, ㅇ O; at the start of a surname or
 * given name (fold_pos) ㄴ ㄹ ㅇ are one class (initial-sound rule). Vowels: A
 * ㅏ; E ㅐㅔㅒㅖ; O ㅓㅗㅜㅡㅝ; Y ㅕㅛㅠ; YA ㅑ; I ㅣㅢㅟ; WA ㅘ; WE ㅙㅚㅞ. Finals: none,
 * K, N, T, L, M, P, NG. 0 for an empty set. Inline: the comparison of two
 * syllables that do not meet calls them. */
enum {
	JAMO_C_K = 1,
	JAMO_C_T,
	JAMO_C_P,
	JAMO_C_J,
	JAMO_C_S,
	JAMO_C_N,
	JAMO_C_R,
	JAMO_C_M,
	JAMO_C_H,
	JAMO_C_O,
	JAMO_C_LO
};

static inline unsigned jamo_ini_class(uint32_t mask, int fold_pos)
{
	static const uint8_t cls[JAMO_NL] = {JAMO_C_K, JAMO_C_K, JAMO_C_N, JAMO_C_T, JAMO_C_T,
					     JAMO_C_R, JAMO_C_M, JAMO_C_P, JAMO_C_P, JAMO_C_S,
					     JAMO_C_S, JAMO_C_O, JAMO_C_J, JAMO_C_J, JAMO_C_J,
					     JAMO_C_K, JAMO_C_T, JAMO_C_P, JAMO_C_H};
	if (!mask)
		return 0;
	if (fold_pos && (mask & (BIT(I_N) | BIT(I_R) | BIT(I_O))))
		return JAMO_C_LO;
	return cls[__builtin_ctz(mask)];
}

static inline unsigned jamo_vow_class(uint32_t mask)
{
	static const uint8_t cls[JAMO_NV] = {1, 2, 5, 2, 3, 2, 4, 2, 3, 8, 9, 9, 4, 3, 3, 9, 7, 4, 3, 7, 7};
	return mask ? cls[__builtin_ctz(mask)] : 0;
}

static inline unsigned jamo_fin_class(uint32_t mask)
{
	static const uint8_t cls[JAMO_NT] = {0, 1, 1, 1, 2, 2, 2, 3, 4, 1, 5, 4, 4, 4,
					     6, 4, 5, 6, 6, 3, 3, 7, 3, 3, 1, 3, 6, 3};
	return mask ? cls[__builtin_ctz(mask)] : 0;
}

/* The best level (0-9) of any syllable in the set; *best gets it (or the first
 * syllable of the set when none is known). Inline: the reader calls it for
 * every candidate syllable. */
/* The finals that names use (a romanized final stands for the rare ones too,
 * "k" for ㄲ ㅋ ㄳ ㄺ: no name syllable is more common with them). */
#define JAMO_NAME_FINS                                                                                       \
	(BIT(F_NONE) | BIT(F_G) | BIT(F_N) | BIT(F_D) | BIT(F_L) | BIT(F_M) | BIT(F_B) | BIT(F_S) | BIT(F_NG))

/* The finals of a set worth looking at for its most common reading. */
static inline uint32_t jamo_name_fins(uint32_t fin)
{
	return (fin & JAMO_NAME_FINS) ? (fin & JAMO_NAME_FINS) : fin;
}

#define JAMO_MAX_LEVEL 9u /* the highest level of kith_names_syl_level */

static inline unsigned jamo_set_level(const struct kith_name_syl *x, unsigned *best)
{
	unsigned lv = 0, b = JAMO_NSYL;
	uint32_t fins = jamo_name_fins(x->fin);
	for (uint32_t im = x->ini; im; im &= im - 1) {
		unsigned l = (unsigned)__builtin_ctz(im);
		for (uint32_t vm = x->vow; vm; vm &= vm - 1) {
			unsigned v = (unsigned)__builtin_ctz(vm);
			for (uint32_t fm = fins; fm; fm &= fm - 1) {
				unsigned s = jamo_syl(l, v, (unsigned)__builtin_ctz(fm));
				unsigned sl = kith_names_syl_level[s];
				if (b == JAMO_NSYL || sl > lv) {
					lv = sl;
					b = s;
					if (lv == JAMO_MAX_LEVEL)
						goto done; /* none later is higher (the first best is kept) */
				}
			}
		}
	}
done:
	if (best)
		*best = b == JAMO_NSYL ? 0 : b;
	return lv;
}

/* The finals of every surname in the table (kith_names_surname_of): a
 * reading with another final is no surname, so the lookups skip it (checked
 * by jamo_surname_fins_ok, run by the unit test). */
#define JAMO_SURNAME_FINS (BIT(F_NONE) | BIT(F_G) | BIT(F_N) | BIT(F_L) | BIT(F_M) | BIT(F_NG))

/* 1 when every surname of the table has a final in JAMO_SURNAME_FINS. */
int jamo_surname_fins_ok(void);

/* Appends the UTF-8 of syllable s to out (3 bytes); returns the length. */
size_t jamo_put(unsigned s, char out[3]);

#endif
