/*
 * latin — reading one romanized chunk ("miseon", "sOn", "ch'ol", "jongun")
 * into Hangul syllables, each a set of the readings the spelling allows.
 *
 * The chunk is folded Latin: lower-case a-z, 'O' for ŏ, 'U' for ŭ, 'A' for
 * ă, and an apostrophe after k, t, p or ch for aspiration. Every spelling
 * system of names.h is covered by one grammar (initial, vowel, final); the
 * best segmentation is found by dynamic programming over the cost of each
 * piece and how common the syllable is in names ("jongun" is 정/종 + 은/운,
 * not 전 + 근).
 */
#ifndef KITH_NAMES_LATIN_H
#define KITH_NAMES_LATIN_H

#include <stddef.h>
#include <stdint.h>

#include "names/jamo.h"
#include "names/names.h"
#include "names/tables.h"

#define LATIN_MAX_CHUNK 40 /* longer chunks are not read as Korean */

/* Reads s[0..len) into at most `max` syllables (out, with their levels in
 * lv, and when pat is not NULL the table entries + 1 of each syllable's
 * initial and vowel pieces, for the spelling model below). When one_limit >= 0 and the whole chunk spells one
 * syllable with pieces costing at most one_limit (tenths summed, as in the tables), that one syllable is the
 * reading, however rare it is in names (a hyphen says "one syllable"; "Gae" alone is 개, not 가 + 에).
 * Returns the number of syllables, or -1 when the chunk cannot be read as Korean (or needs more than max
 * syllables). Pure: no allocation. */
int latin_read_chunk(const char *s, size_t len, struct kith_name_syl *out, uint8_t *lv, size_t max,
		     float one_limit, uint8_t (*pat)[2]);

/* latin_read_chunk, and the reading's cost in *cost_out (when not NULL): the
 * dynamic program's sum over the syllables of 0.5, the pieces' weights and
 * 0.3 a level below the commonest, the scale on which readings of one chunk
 * and of its typo variants are compared (names.c). */
int latin_read_chunk_cost(const char *s, size_t len, struct kith_name_syl *out, uint8_t *lv, size_t max,
			  float one_limit, uint8_t (*pat)[2], float *cost_out);

/* The spelling model: -ln P(piece | letter), relative to the letters the
 * piece writes in every system, in tenths of a nat, for the initial piece
 * (pat[k][0] of latin_read_chunk; 0: none) and the vowel piece (pat[k][1])
 * standing for the initial j or the vowel j. 0 for a letter the piece writes
 * as a rule, or an unknown piece. */
unsigned latin_ini_cost(unsigned pat, unsigned j);
unsigned latin_vow_cost(unsigned pat, unsigned j);

/* The spelling model's units, for names.c and surfirst.c: a reading's prior
 * is its syllable's level in given names (kith_names_syl_level),
 * LATIN_PRIOR_PER_LEVEL tenths of a nat a level; a reading LATIN_NAT_TENTH_COST
 * of the score below the best per tenth of a nat, at most LATIN_MAX_MODEL_COST
 * tenths; LATIN_LV_TYPO marks a syllable's level (kith_name.lv) read with a
 * typo undone. */
#define LATIN_PRIOR_PER_LEVEL 8
#define LATIN_NAT_TENTH_COST 0.0005
#define LATIN_MAX_MODEL_COST 80 /* at most 0.04 of the score */
#define LATIN_LV_TYPO 0x80

/* -ln P(pieces pat | Hangul syllable s): the initial and vowel pieces' costs,
 * tenths of a nat. */
static inline int latin_piece_cost(unsigned s, const uint8_t pat[2])
{
	return (int)latin_ini_cost(pat[0], jamo_L(s)) + (int)latin_vow_cost(pat[1], jamo_V(s));
}

/* The log-posterior of reading pieces pat as syllable s (its prior less the
 * pieces' cost), tenths of a nat. */
static inline int latin_reading_post(unsigned s, const uint8_t pat[2])
{
	return LATIN_PRIOR_PER_LEVEL * (int)kith_names_syl_level[s] - latin_piece_cost(s, pat);
}

/* The share of a syllable's score kept by a reading d tenths of a nat below
 * the best (d taken in 0 .. LATIN_MAX_MODEL_COST). */
static inline double latin_model_factor(int d)
{
	d = d < 0 ? 0 : d > LATIN_MAX_MODEL_COST ? LATIN_MAX_MODEL_COST : d;
	return 1.0 - LATIN_NAT_TENTH_COST * d;
}

/* The vowel piece pat as read in a name that follows a system (its own
 * index when the system changes nothing), for latin_vow_cost. */
unsigned latin_vow_systematic(unsigned pat);

/* The pieces that mark a system (latin_marks_system), as bit masks over the
 * entries of latin.c's tables (bit k: entry k, that is piece k + 1): vowels
 * (eo, eu, ŏ, ŭ, oe, ui, yi, yeo, wŏ ...), initials (kh, th, ph, k', t', p',
 * ch'), and the vowels that make a North surname after the initial "r" (Ri,
 * Ro, Ryang). Precomputed from the pieces' letters, since this runs for every
 * syllable read; latin_tables_ok checks them against the letters. */
#define LATIN_N_INIS 41
#define LATIN_N_VOWS 57
#define LATIN_INI_R 28 /* the entry "r" of the initials */
#define LATIN_VOWS_SYS 0xa10844202281cull
#define LATIN_INIS_SYS 0xc060c0020ull
#define LATIN_VOWS_NORTH_SUR 0x80000140000ull

/* 1 when an initial piece ipat or a vowel piece vpat (indexes + 1, 0: none)
 * is written only by a system (RR, MR, the North's style), not by the common
 * English spelling: eo, eu, ŏ, ŭ, oe, ui, yi, kh, th, ph, k', ...; for a
 * surname (`surname`), also Ri, Rim, Ro, Ryang. */
static inline int latin_marks_system(unsigned ipat, unsigned vpat, int surname)
{
	int v = vpat && vpat <= LATIN_N_VOWS;
	if (v && ((LATIN_VOWS_SYS >> (vpat - 1)) & 1u))
		return 1;
	if (ipat && ipat <= LATIN_N_INIS && ((LATIN_INIS_SYS >> (ipat - 1)) & 1u))
		return 1;
	return surname && ipat == LATIN_INI_R + 1 && v && ((LATIN_VOWS_NORTH_SUR >> (vpat - 1)) & 1u);
}

/* Liaison, inside one chunk: between vowels, n, l or m may close one
 * syllable or open the next ("Yuna" is 유나 or 연아, "Jinah" 지나 or 진아). Given the
 * spelled text of two neighbouring syllables (p: the first, q: the second)
 * and their sets x and y, widens both to keep either reading, and updates
 * their levels. Does nothing unless the spelling allows it. */
void latin_liaison(const char *p, size_t pl, const char *q, size_t ql, struct kith_name_syl *x, uint8_t *lx,
		   struct kith_name_syl *y, uint8_t *ly);

/* 1 when the grammar's tables and their first-character index agree (a
 * self-check for the unit test). */
int latin_tables_ok(void);

#endif
