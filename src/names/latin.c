/*
 * latin — one grammar for every romanization of Korean names, and a dynamic
 * program that segments a chunk into syllables.
 */
#include "names/latin.h"

#include <string.h>

#include "names/jamo.h"

/* A piece of spelling: its text, what it costs to read it so (tenths; the
 * grammar's weight), the letters it may stand for, and the spelling model's
 * likelihood of this spelling for each of them: a letter listed in lj costs
 * lp tenths of a nat, -ln P(spelling | letter) relative to the letters it
 * writes in every system (those not listed, 0). See docs/names.md. */
struct pat {
	char s[4]; /* in place: the reader compares its letters for every piece it tries */
	uint8_t len;
	uint8_t cost; /* tenths */
	uint32_t mask;
	uint8_t lj[3]; /* letters that this spelling writes less often */
	uint8_t lp[3]; /* their cost, tenths of a nat; 0: unused */
};

#define P(s, cost, mask)                                                                                     \
	{                                                                                                    \
		s, (uint8_t)(sizeof(s) - 1), cost, mask, {0, 0, 0},                                          \
		{                                                                                            \
			0, 0, 0                                                                              \
		}                                                                                            \
	}
/* with the likelihood of up to three letters it writes less often */
#define PL(s, cost, mask, j1, c1, j2, c2, j3, c3)                                                            \
	{                                                                                                    \
		s, (uint8_t)(sizeof(s) - 1), cost, mask, {j1, j2, j3},                                       \
		{                                                                                            \
			c1, c2, c3                                                                           \
		}                                                                                            \
	}

/* -ln of a relative likelihood, tenths of a nat */
#define L50 7
#define L40 9
#define L35 10
#define L30 12
#define L25 14
#define L20 16
#define L10 23

/* Initial consonants (no entry: the syllable starts with a vowel, ㅇ). Every
 * table is sorted by its first character (see range()). */
static const struct pat inis[] = {
    P("N", 0, BIT(I_N)), /* Cyrillic н (scan.c) */
    P("b", 0, BIT(I_B)),
    P("bb", 5, BIT(I_PP)),
    P("c", 8, BIT(I_G) | BIT(I_K) | BIT(I_J) | BIT(I_CH)), /* and ch with its h dropped: "Hyŏn-cin" */
    PL("ch", 0, BIT(I_J) | BIT(I_CH), I_J, L40, 0, 0, 0, 0),
    P("ch'", 0, BIT(I_CH)),
    P("chh", 3, BIT(I_CH)),
    P("d", 0, BIT(I_D)),
    P("dd", 5, BIT(I_TT)),
    P("dh", 3, BIT(I_D)), /* a personal spelling: "Dhang" */
    P("f", 5, BIT(I_P)),
    P("g", 0, BIT(I_G)),
    P("gg", 5, BIT(I_KK)),
    P("gh", 5, BIT(I_G)),
    P("h", 0, BIT(I_H)),
    P("j", 0, BIT(I_J)),
    P("jj", 3, BIT(I_JJ)),
    P("k", 0, BIT(I_G) | BIT(I_K)),
    P("kh", 0, BIT(I_K)),
    P("k'", 0, BIT(I_K)),
    P("kk", 3, BIT(I_KK)),
    P("l", 0, BIT(I_R)),
    P("m", 0, BIT(I_M)),
    P("n", 0, BIT(I_N)),
    P("p", 0, BIT(I_B) | BIT(I_P)),
    P("ph", 0, BIT(I_P)),
    P("p'", 0, BIT(I_P)),
    P("pp", 3, BIT(I_PP)),
    P("r", 0, BIT(I_R)),
    P("rh", 2, BIT(I_R)),
    PL("s", 0, BIT(I_S) | BIT(I_SS), I_SS, L20, 0, 0, 0, 0),
    P("ss", 3, BIT(I_SS)),
    PL("sh", 1, BIT(I_S) | BIT(I_SS), I_SS, L10, 0, 0, 0, 0),
    P("t", 0, BIT(I_D) | BIT(I_T)),
    P("th", 0, BIT(I_T)),
    P("t'", 0, BIT(I_T)),
    P("tt", 3, BIT(I_TT)),
    P("ts", 8, BIT(I_CH) | BIT(I_JJ)),
    P("tch", 3, BIT(I_JJ)),
    P("v", 8, BIT(I_B)),
    P("z", 5, BIT(I_J)),
};

static const struct pat vows[] = {
    P("A", 3, BIT(V_EO)),
    /* Cyrillic е (scan.c): ㅓ in the usual Russian spellings (Чен for 정), ㅔ, ㅕ, ㅖ */
    PL("E", 0, BIT(V_EO) | BIT(V_E) | BIT(V_YEO) | BIT(V_YE), V_YEO, L50, V_YE, L50, 0, 0),
    P("O", 0, BIT(V_EO)), P("U", 0, BIT(V_EU)), P("Ui", 0, BIT(V_UI)), P("a", 0, BIT(V_A)),
    P("ah", 3, BIT(V_A)), PL("ae", 0, BIT(V_AE) | BIT(V_YE), V_YE, L10, 0, 0, 0, 0), P("ai", 3, BIT(V_AE)),
    P("ay", 5, BIT(V_AE)), PL("e", 0, BIT(V_E) | BIT(V_AE) | BIT(V_YE), V_AE, L30, V_YE, L30, 0, 0),
    P("eo", 0, BIT(V_EO)), P("eou", 3, BIT(V_EO)), /* a personal spelling: "Jeoung" */
    P("eu", 0, BIT(V_EU)), P("eh", 5, BIT(V_E) | BIT(V_AE)),
    P("ew", 5, BIT(V_U)), /* a personal spelling: "Chew" */
    P("ee", 0, BIT(V_I) | BIT(V_UI)), P("eui", 0, BIT(V_UI)),
    PL("i", 0, BIT(V_I) | BIT(V_UI), V_UI, L20, 0, 0, 0, 0), P("ie", 5, BIT(V_I)),
    PL("o", 0, BIT(V_O) | BIT(V_EO), V_EO, L50, 0, 0, 0, 0),
    PL("oh", 3, BIT(V_O) | BIT(V_EO), V_EO, L20, 0, 0, 0, 0), P("oo", 0, BIT(V_U)),
    /* "Koung" for 경 is a personal spelling too (Kim Yeon-koung) */
    PL("ou", 3, BIT(V_U) | BIT(V_O) | BIT(V_EO) | BIT(V_YEO), V_O, L30, V_EO, L20, V_YEO, L20),
    P("oa", 5, BIT(V_WA)), PL("oe", 0, BIT(V_OE) | BIT(V_WAE) | BIT(V_WE), V_WAE, L20, V_WE, L20, 0, 0),
    P("oi", 2, BIT(V_OE)), P("oy", 5, BIT(V_OE)),
    PL("u", 0, BIT(V_U) | BIT(V_EU) | BIT(V_EO), V_EU, L35, V_EO, L25, 0, 0),
    PL("uh", 3, BIT(V_EO) | BIT(V_U) | BIT(V_EU), V_U, L20, V_EU, L20, 0, 0),
    PL("ui", 0, BIT(V_UI) | BIT(V_WI), V_WI, L30, 0, 0, 0, 0), P("wa", 0, BIT(V_WA)),
    PL("we", 0, BIT(V_WE) | BIT(V_WAE) | BIT(V_OE), V_WAE, L30, V_OE, L50, 0, 0), P("wo", 0, BIT(V_WO)),
    P("wO", 0, BIT(V_WO)), P("wE", 0, BIT(V_OE) | BIT(V_WE) | BIT(V_WAE)), /* Cyrillic ве: Чхве is 최 */
    PL("wu", 3, BIT(V_U) | BIT(V_WO), V_WO, L50, 0, 0, 0, 0), P("wi", 0, BIT(V_WI)), P("wae", 0, BIT(V_WAE)),
    P("weo", 0, BIT(V_WO)), P("woo", 1, BIT(V_U)), P("wee", 5, BIT(V_WI)),
    PL("y", 10, BIT(V_I) | BIT(V_EU), V_EU, L30, 0, 0, 0, 0), P("ya", 0, BIT(V_YA)), P("yO", 0, BIT(V_YEO)),
    P("yA", 3, BIT(V_YEO)), PL("yo", 0, BIT(V_YO) | BIT(V_YEO), V_YEO, L30, 0, 0, 0, 0),
    PL("yu", 0, BIT(V_YU) | BIT(V_YEO), V_YEO, L20, 0, 0, 0, 0),
    PL("ye", 0, BIT(V_YE) | BIT(V_YAE) | BIT(V_E), V_YAE, L30, V_E, L20, 0, 0),
    PL("yi", 3, BIT(V_I) | BIT(V_UI), V_UI, L50, 0, 0, 0, 0), P("yae", 0, BIT(V_YAE)),
    P("yeo", 0, BIT(V_YEO)), P("you", 3, BIT(V_YU) | BIT(V_YEO)), P("yoo", 0, BIT(V_YU)),
    PL("yuh", 3, BIT(V_YEO) | BIT(V_YU), V_YU, L20, 0, 0, 0, 0),
    PL("yue", 5, BIT(V_YO) | BIT(V_YEO), V_YEO, L50, 0, 0, 0, 0), /* a personal spelling: "Yueng" */
    PL("Y", 0, BIT(V_YEO) | BIT(V_YO), V_YO, L50, 0, 0, 0, 0), /* Cyrillic ё (scan.c): ㅕ, ㅛ (용 효) rarer */
};

/* The pieces "u" and "e" read in a name that elsewhere follows a system (RR,
 * MR, the North's style: see latin_marks_system): every system writes ㅓ
 * "eo", "ŏ" or "o" and ㅐ "ae", so "u" for ㅓ and "e" for ㅐ are the common
 * English habit, far less likely in such a name (Ri Sung Won is 리승원 rather
 * than 리성원; Choe Je-hui 최제희 rather than 최재희). */
static const struct pat vows_sys[] = {
    PL("u", 0, BIT(V_U) | BIT(V_EU) | BIT(V_EO), V_EU, L35, V_EO, 33, 0, 0),
    PL("e", 0, BIT(V_E) | BIT(V_AE) | BIT(V_YE), V_AE, 33, V_YE, L30, 0, 0),
};

/* A final letter stands for every final pronounced so (the romanization of
 * names writes the seven sounds, not the spelling): "k" is ㄱ ㄲ ㅋ ㄳ ㄺ, "n"
 * ㄴ ㄵ ㄶ, "l" ㄹ ㄼ ㄽ ㄾ ㅀ, "m" ㅁ ㄻ, "p" ㅂ ㅍ ㅄ ㄿ, "t" ㄷ ㅅ ㅆ ㅈ ㅊ ㅌ ㅎ. */
#define FK (BIT(F_G) | BIT(F_KK) | BIT(F_K) | BIT(F_GS) | BIT(F_LG))
#define FN (BIT(F_N) | BIT(F_NJ) | BIT(F_NH))
#define FL (BIT(F_L) | BIT(F_LB) | BIT(F_LS) | BIT(F_LT) | BIT(F_LH))
#define FM (BIT(F_M) | BIT(F_LM))
#define FP (BIT(F_B) | BIT(F_P) | BIT(F_BS) | BIT(F_LP))
#define FT (BIT(F_S) | BIT(F_SS) | BIT(F_D) | BIT(F_J) | BIT(F_CH) | BIT(F_T) | BIT(F_H))

static const struct pat fins[] = {
    P("N", 0, FN | BIT(F_NG)), /* Cyrillic н: ㄴ, and ㅇ (Kontsevich: Пхеньян) */
    P("b", 5, FP),
    P("c", 8, FK),
    P("ck", 3, FK),
    P("g", 20, FK), /* a final ㄱ is "k" in every system: "Bogeom" is 보검 */
    P("k", 0, FK),
    P("l", 0, FL),
    P("ll", 3, FL),
    P("le", 8, FL),
    P("m", 0, FM),
    P("mm", 3, FM),
    P("me", 8, FM),
    P("n", 0, FN),
    P("nn", 3, FN),
    P("ng", 0, BIT(F_NG)),
    P("ne", 8, FN), /* English spelling's silent e, at the end of a chunk only ("June") */
    P("p", 0, FP),
    P("r", 8, FL),
    P("rk", 3, FK),
    P("t", 5, FT),
};

/* For each first character, the [start, end) of its entries in the table
 * above (kept in step by latin_tables_ok(), run by the unit test). */
static const uint8_t inis_at[128][2] = {
    ['N'] = {0, 1},   ['b'] = {1, 3},	['c'] = {3, 7},	  ['d'] = {7, 10},  ['f'] = {10, 11},
    ['g'] = {11, 14}, ['h'] = {14, 15}, ['j'] = {15, 17}, ['k'] = {17, 21}, ['l'] = {21, 22},
    ['m'] = {22, 23}, ['n'] = {23, 24}, ['p'] = {24, 28}, ['r'] = {28, 30}, ['s'] = {30, 33},
    ['t'] = {33, 39}, ['v'] = {39, 40}, ['z'] = {40, 41}};
static const uint8_t vows_at[128][2] = {
    ['A'] = {0, 1},   ['E'] = {1, 2},	['O'] = {2, 3},	  ['U'] = {3, 5},
    ['a'] = {5, 10},  ['e'] = {10, 18}, ['i'] = {18, 20}, ['o'] = {20, 28},
    ['u'] = {28, 31}, ['w'] = {31, 42}, ['y'] = {42, 56}, ['Y'] = {56, 57}};
static const uint8_t fins_at[128][2] = {
    ['N'] = {0, 1},  ['b'] = {1, 2},   ['c'] = {2, 4},	 ['g'] = {4, 5},   ['k'] = {5, 6},  ['l'] = {6, 9},
    ['m'] = {9, 12}, ['n'] = {12, 16}, ['p'] = {16, 17}, ['r'] = {17, 19}, ['t'] = {19, 20}};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Whether the piece p is written at s[at]. The caller found p by the first
 * letter (range()), and s is followed by at least LATIN_PIECE_MAX - 1 zero
 * bytes: a piece (at most LATIN_PIECE_MAX letters, none of them zero) that
 * runs past the end meets a zero and does not match. */
#define LATIN_PIECE_MAX 3
static int match(const char *s, size_t at, const struct pat *p)
{
	return p->len < 2 || (s[at + 1] == p->s[1] && (p->len < 3 || s[at + 2] == p->s[2]));
}

/* The entries of a table that start with c: [*lo, *hi). */
static void range(const uint8_t at[128][2], char c, size_t *lo, size_t *hi)
{
	unsigned char u = (unsigned char)c;
	*lo = u < 128 ? at[u][0] : 0;
	*hi = u < 128 ? at[u][1] : 0;
}

static int table_ok(const struct pat *t, size_t n, const uint8_t at[128][2])
{
	for (size_t k = 0; k < n; k++)
		if (t[k].len == 0 || t[k].len > LATIN_PIECE_MAX || strlen(t[k].s) != t[k].len)
			return 0; /* match() reads at most LATIN_PIECE_MAX letters */
	for (unsigned c = 0; c < 128; c++) {
		size_t lo = n, hi = n, k;
		for (k = 0; k < n && (unsigned char)t[k].s[0] != c; k++)
			;
		lo = k;
		while (k < n && (unsigned char)t[k].s[0] == c)
			k++;
		hi = k;
		for (; k < n; k++)
			if ((unsigned char)t[k].s[0] == c)
				return 0; /* not grouped by first character */
		if (lo == n)
			lo = hi = 0;
		if (at[c][0] != lo || at[c][1] != hi)
			return 0;
	}
	return 1;
}

static int is_vowel_letter(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' || c == 'w' || c == 'O' ||
	       c == 'U' || c == 'A' || c == 'E' || c == 'Y'; /* E, Y: the Cyrillic е ("Е" is 예), ё */
}

struct cell {
	float cost;
	uint8_t from; /* start of the last syllable */
	uint8_t nsyl;
	struct kith_name_syl syl; /* the last syllable */
	uint8_t lv;
	uint8_t fin_cons; /* the last syllable ends in a consonant other than ng */
	uint8_t pi, pv;	  /* the last syllable's pieces: initial and vowel entry + 1 */
};

int latin_read_chunk(const char *in, size_t len, struct kith_name_syl *out, uint8_t *lv, size_t max,
		     float one_limit, uint8_t (*pat)[2])
{
	return latin_read_chunk_cost(in, len, out, lv, max, one_limit, pat, NULL);
}

int latin_read_chunk_cost(const char *in, size_t len, struct kith_name_syl *out, uint8_t *lv, size_t max,
			  float one_limit, uint8_t (*pat)[2], float *cost_out)
{
	if (len == 0 || len > LATIN_MAX_CHUNK)
		return -1;
	char s[LATIN_MAX_CHUNK + LATIN_PIECE_MAX];
	memcpy(s, in, len);
	memset(s + len, 0, LATIN_PIECE_MAX); /* see match() */
	for (size_t i = 0; i + 1 < len; i++) /* "whang" is ㅎ + wa */
		if (s[i] == 'w' && s[i + 1] == 'h') {
			s[i] = 'h';
			s[i + 1] = 'w';
		}
	struct cell c[LATIN_MAX_CHUNK + 1];
	for (size_t i = 0; i <= len; i++)
		c[i].cost = -1;
	c[0].cost = 0;
	c[0].nsyl = 0;
	c[0].fin_cons = 0;
	/* the best reading as one syllable, and the cost of its letters alone */
	struct cell one = {-1, 0, 0, {0, 0, 0}, 0, 0, 0, 0};
	float one_pieces = 0;
	for (size_t i = 0; i < len; i++) {
		if (c[i].cost < 0)
			continue;
		/* initials: the entries that match, plus "none" */
		size_t ilo, ihi;
		range(inis_at, s[i], &ilo, &ihi);
		for (size_t a = ilo; a <= ihi; a++) {
			const struct pat *ip = a < ihi ? &inis[a] : NULL;
			size_t at = i;
			uint32_t imask = BIT(I_O);
			float icost = 0;
			if (ip) {
				if (!match(s, i, ip))
					continue;
				at += ip->len;
				imask = ip->mask;
				icost = (float)ip->cost * 0.1f;
				/* "n" + "g..." reads better as the final "ng" */
				if (i > 0 && s[i - 1] == 'n' && s[i] == 'g')
					icost += 1.0f;
			} else {
				if (!is_vowel_letter(s[i]))
					continue;
				if (c[i].fin_cons)
					icost += 0.2f;
			}
			if (at >= len)
				continue;
			size_t vlo, vhi;
			range(vows_at, s[at], &vlo, &vhi);
			for (size_t b = vlo; b < vhi; b++) {
				if (!match(s, at, &vows[b]))
					continue;
				size_t at2 = at + vows[b].len;
				/* a silent h ("ahn", "oh") only before a consonant or the end */
				if (vows[b].s[vows[b].len - 1] == 'h' && vows[b].len > 1 && at2 < len &&
				    is_vowel_letter(s[at2]))
					continue;
				size_t flo = 0, fhi = 0;
				if (at2 < len)
					range(fins_at, s[at2], &flo, &fhi);
				for (size_t f = flo; f <= fhi; f++) {
					const struct pat *fp = f < fhi ? &fins[f] : NULL;
					size_t end = at2;
					uint32_t fmask = BIT(F_NONE);
					float fcost = 0;
					if (fp) {
						if (!match(s, at2, fp))
							continue;
						if (fp->s[fp->len - 1] == 'e' && at2 + fp->len != len)
							continue;
						end += fp->len;
						fmask = fp->mask;
						fcost = (float)fp->cost * 0.1f;
					}
					if (c[i].nsyl >= max)
						continue;
					struct kith_name_syl sy = {imask, vows[b].mask, fmask};
					if (imask == BIT(I_R) && vows[b].s[0] == 'i')
						sy.vow &= ~BIT(V_UI); /* "Ri" is 리, not the 릐 of "Rui" */
					float base =
					    c[i].cost + 0.5f + icost + (float)vows[b].cost / 10.0f + fcost;
					unsigned lv1 = 10; /* sy's level, once looked up */
					if (i == 0 && end == len && one_limit >= 0 &&
					    base - 0.5f <= one_limit &&
					    (one.cost < 0 || base < one_pieces + 0.5f)) {
						lv1 = jamo_set_level(&sy, NULL);
						one = (struct cell){base,
								    0,
								    1,
								    sy,
								    (uint8_t)lv1,
								    0,
								    (uint8_t)(ip ? a + 1 : 0),
								    (uint8_t)(b + 1)};
						one_pieces = base - 0.5f;
					}
					if (c[end].cost >= 0 && base >= c[end].cost)
						continue; /* cannot do better: skip the level lookup */
					unsigned level =
					    lv1 <= JAMO_MAX_LEVEL ? lv1 : jamo_set_level(&sy, NULL);
					float cost = base + (float)(9 - level) * 0.3f;
					if (c[end].cost < 0 || cost < c[end].cost) {
						c[end].cost = cost;
						c[end].from = (uint8_t)i;
						c[end].nsyl = (uint8_t)(c[i].nsyl + 1);
						c[end].syl = sy;
						c[end].lv = (uint8_t)level;
						c[end].fin_cons = fmask != BIT(F_NONE) && fmask != BIT(F_NG);
						c[end].pi = (uint8_t)(ip ? a + 1 : 0);
						c[end].pv = (uint8_t)(b + 1);
					}
				}
			}
		}
	}
	if (one.cost >= 0 && max >= 1) {
		/* a chunk that spells one syllable in standard pieces is one
		 * syllable ("Eo" in Kim Eo-jin, "Gae" alone), however rare */
		out[0] = one.syl;
		lv[0] = one.lv;
		if (pat) {
			pat[0][0] = one.pi;
			pat[0][1] = one.pv;
		}
		if (cost_out)
			*cost_out = one.cost + (float)(9 - (int)one.lv) * 0.3f;
		return 1;
	}
	if (c[len].cost < 0)
		return -1;
	if (cost_out)
		*cost_out = c[len].cost;
	int n = c[len].nsyl;
	size_t at = len;
	size_t start[LATIN_MAX_CHUNK];
	for (int k = n - 1; k >= 0; k--) {
		out[k] = c[at].syl;
		lv[k] = c[at].lv;
		if (pat) {
			pat[k][0] = c[at].pi;
			pat[k][1] = c[at].pv;
		}
		at = c[at].from;
		start[k] = at;
	}
	for (int k = 0; k + 1 < n; k++) {
		size_t b = start[k + 1];
		uint32_t was = out[k + 1].ini;
		latin_liaison(s + start[k], b - start[k], s + b, (k + 2 < n ? start[k + 2] : len) - b,
			      &out[k], &lv[k], &out[k + 1], &lv[k + 1]);
		if (pat && out[k + 1].ini != was)
			pat[k + 1][0] = 0; /* widened by liaison: no likelihood of the initial */
	}
	return n;
}

void latin_liaison(const char *p, size_t pl, const char *q, size_t ql, struct kith_name_syl *x, uint8_t *lx,
		   struct kith_name_syl *y, uint8_t *ly)
{
	char cons = 0;
	if (pl >= 3 && y->ini == BIT(I_O) && p[pl - 1] == 'n' && p[pl - 2] == 'n' && x->fin == FN) {
		/* "Eunn|im": the second n of nn may open the next syllable
		 * (은님), the first closing this one */
		y->ini |= BIT(I_N);
		*ly = (uint8_t)jamo_set_level(y, NULL);
		return;
	}
	if (pl >= 2 && y->ini == BIT(I_O) && is_vowel_letter(p[pl - 2]))
		cons = p[pl - 1]; /* "yun|a": the final may open the next syllable */
	else if (ql >= 2 && x->fin == BIT(F_NONE) && is_vowel_letter(q[1]))
		cons = q[0]; /* "yu|na": the initial may close the syllable before */
	/* a Cyrillic н: "Юна" is 유나 or 윤아 too, and н closes a syllable as ㄴ
	 * or ㅇ: "Чона" is 조나, 존아 or 정아 */
	uint32_t fin_n = cons == 'N' ? FN | BIT(F_NG) : FN;
	if (cons == 'N')
		cons = 'n';
	/* and a k: "Okyoung" is 오경 or 옥영, "Hyokun" 혁운 or 효군 */
	uint32_t fin = cons == 'n' ? fin_n : cons == 'l' ? FL : cons == 'm' ? FM : cons == 'k' ? FK : 0;
	uint32_t ini = cons == 'n'   ? BIT(I_N)
		       : cons == 'l' ? BIT(I_R)
		       : cons == 'm' ? BIT(I_M)
		       : cons == 'k' ? BIT(I_G) | BIT(I_K)
				     : 0;
	if (!fin || (x->fin != fin && x->fin != BIT(F_NONE)) || (y->ini != ini && y->ini != BIT(I_O)))
		return;
	x->fin = fin | BIT(F_NONE);
	y->ini = ini | BIT(I_O);
	*lx = (uint8_t)jamo_set_level(x, NULL);
	*ly = (uint8_t)jamo_set_level(y, NULL);
}

/* the entries "u" and "e" of vows[] (latin_tables_ok checks them) */
#define VOW_U 28
#define VOW_E 10

static int marks_ok(void);

int latin_tables_ok(void)
{
	if (!marks_ok())
		return 0;
	if (strcmp(vows[VOW_U].s, vows_sys[0].s) != 0 || strcmp(vows[VOW_E].s, vows_sys[1].s) != 0)
		return 0;
	return table_ok(inis, N_OF(inis), inis_at) && table_ok(vows, N_OF(vows), vows_at) &&
	       table_ok(fins, N_OF(fins), fins_at);
}

static unsigned lik_of(const struct pat *p, unsigned j)
{
	for (size_t k = 0; k < 3 && p->lp[k]; k++)
		if (p->lj[k] == j)
			return p->lp[k];
	return 0;
}

unsigned latin_ini_cost(unsigned pat, unsigned j)
{
	return pat && pat <= N_OF(inis) ? lik_of(&inis[pat - 1], j) : 0;
}

unsigned latin_vow_cost(unsigned pat, unsigned j)
{
	if (pat > N_OF(vows) && pat <= N_OF(vows) + N_OF(vows_sys))
		return lik_of(&vows_sys[pat - N_OF(vows) - 1], j);
	return pat && pat <= N_OF(vows) ? lik_of(&vows[pat - 1], j) : 0;
}

unsigned latin_vow_systematic(unsigned pat)
{
	return pat == VOW_U + 1	  ? (unsigned)N_OF(vows) + 1
	       : pat == VOW_E + 1 ? (unsigned)N_OF(vows) + 2
				  : pat;
}

/* latin_marks_system by the pieces' letters: the definition, which
 * latin_tables_ok checks the masks below against */
static int marks_by_letters(unsigned ipat, unsigned vpat, int surname)
{
	const char *v = vpat && vpat <= N_OF(vows) ? vows[vpat - 1].s : "";
	const char *c = ipat && ipat <= N_OF(inis) ? inis[ipat - 1].s : "";
	switch (v[0]) {
	case 'O':
	case 'U':
		return 1; /* ŏ, ŭ */
	case 'e':	  /* eo, eu, eui */
		if ((v[1] == 'o' && !v[2]) || (v[1] == 'u' && (!v[2] || (v[2] == 'i' && !v[3]))))
			return 1;
		break;
	case 'o': /* oe */
	case 'u': /* ui */
		if (v[1] == (v[0] == 'o' ? 'e' : 'i') && !v[2])
			return 1;
		break;
	case 'y': /* yeo, yŏ, yi */
		if ((v[1] == 'e' && v[2] == 'o' && !v[3]) || ((v[1] == 'O' || v[1] == 'i') && !v[2]))
			return 1;
		break;
	case 'w': /* wŏ, weo */
		if ((v[1] == 'O' && !v[2]) || (v[1] == 'e' && v[2] == 'o' && !v[3]))
			return 1;
		break;
	default:
		break;
	}
	/* kh, th, ph, k', t', p', ch' */
	if ((c[0] == 'k' || c[0] == 't' || c[0] == 'p') && (c[1] == 'h' || c[1] == '\'') && !c[2])
		return 1;
	if (c[0] == 'c' && c[1] == 'h' && c[2] == '\'')
		return 1;
	/* the North's surnames: Ri, Rim, Ro, Ryang (not Ryu, the common spelling of 류) */
	return surname && c[0] == 'r' && !c[1] &&
	       ((v[0] == 'i' && !v[1]) || (v[0] == 'o' && !v[1]) || (v[0] == 'y' && v[1] == 'a' && !v[2]));
}

static int marks_ok(void)
{
	_Static_assert(N_OF(vows) <= 64 && N_OF(inis) <= 64,
		       "the masks of latin_marks_system hold 64 entries");
	for (unsigned i = 0; i <= N_OF(inis) + 1; i++)
		for (unsigned v = 0; v <= N_OF(vows) + 2; v++)
			for (int sur = 0; sur < 2; sur++)
				if (latin_marks_system(i, v, sur) != marks_by_letters(i, v, sur))
					return 0;
	return 1;
}
