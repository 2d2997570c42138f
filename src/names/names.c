/*
 * names — encoding, comparison, blocking keys and readings of Korean names.
 *
 * A name is scanned into words (scan.c); Hangul words give one reading per
 * syllable, romanized words are read by latin.c into sets of readings. The
 * surname is found (first or last word, by census share: "Mi Sun Bang" is
 * Western order), narrowed to the surnames its spelling allows, and the
 * initial-sound rule (리/이, 로/노, 룡/용 ...) is folded at the start of the
 * surname and of the given name. Two names are compared syllable by syllable:
 * a syllable matches when its sets of initials, vowels and finals meet.
 */
#include "names/names.h"

#include <math.h>
#include <sodium.h>
#include <string.h>

#include "names/hanja.h"
#include "names/aliases.h"
#include "names/jamo.h"
#include "names/latin.h"
#include "names/scan.h"
#include "names/tables.h"

_Static_assert(sizeof(struct kith_name) <= 256, "struct kith_name must stay within 256 bytes");

#define SAME_THRESHOLD 0.80
#define GAP 0.5		/* factor for a syllable of one name with no counterpart */
#define ALT_ORDER 0.995 /* factor for the other order of an ambiguous name */

/* --- building an encoding */

struct build {
	struct kith_name_syl syl[KITH_NAMES_MAX_SYL];
	uint8_t lv[KITH_NAMES_MAX_SYL];
	uint8_t exact[KITH_NAMES_MAX_SYL];
	uint8_t pat[KITH_NAMES_MAX_SYL][2];
	uint8_t wfirst[KITH_NAMES_MAX_SYL]; /* the syllable starts a word */
	size_t n;
	size_t wstart[SCAN_MAX_WORDS], wlen[SCAN_MAX_WORDS]; /* Korean words, by syllables */
	uint8_t wkind[SCAN_MAX_WORDS];
	const char *wtext[SCAN_MAX_WORDS]; /* a Latin word's folded letters */
	size_t wtlen[SCAN_MAX_WORDS];
	size_t nw;
	int trunc, partial, hangul, latin;
	int typo;	 /* a word was read with a typo undone */
	int hanja;	 /* a word of Hanja was read */
	int more;	 /* (read_latin_word) another word follows the one read */
	int lone;	 /* a chunk of one consonant was read with a vowel put back */
	size_t n_failed; /* Latin words that could not be read as Korean */
	size_t failed_w; /* the scan word of the last failure */
	/* a word at an end that the grammar reads as a surname, with the other
	 * surnames lists publish for its spelling ("Chae": 채, and 최) */
	size_t alias_w[2]; /* its index among the words, or SIZE_MAX */
	const char *alias_text[2];
	size_t alias_len[2];
};

/* --- the spelling model (docs/names.md): a reading s of a romanized
 * syllable has the log-posterior prior(s) - cost(initial piece | s's initial)
 * - cost(vowel piece | s's vowel), tenths of a nat; the prior is the
 * syllable's level in given names, LATIN_PRIOR_PER_LEVEL tenths of a nat a level
 * (latin_reading_post, latin.h). */

/* the best latin_reading_post over the readings of x (the pieces' costs looked up
 * once per initial and vowel, not per reading) */
static int best_post(const struct kith_name_syl *x, const uint8_t pat[2])
{
	int best = -128;
	uint32_t fins = jamo_name_fins(x->fin);
	for (uint32_t im = x->ini; im; im &= im - 1) {
		unsigned l = (unsigned)__builtin_ctz(im);
		int ic = (int)latin_ini_cost(pat[0], l);
		for (uint32_t vm = x->vow; vm; vm &= vm - 1) {
			unsigned v = (unsigned)__builtin_ctz(vm);
			int cost = ic + (int)latin_vow_cost(pat[1], v);
			int top = -1;
			for (uint32_t fm = fins; fm; fm &= fm - 1) {
				int lv =
				    (int)kith_names_syl_level[jamo_syl(l, v, (unsigned)__builtin_ctz(fm))];
				top = lv > top ? lv : top;
			}
			if (top >= 0 && LATIN_PRIOR_PER_LEVEL * top - cost > best)
				best = LATIN_PRIOR_PER_LEVEL * top - cost;
		}
	}
	return best < -128 ? -128 : best > 127 ? 127 : best;
}

/* c typed twice at the end of a chunk, after the letter b, is c once: the g
 * of ng, an m, k or h ("Kyungg", "Jongg-ho", "Kimm", "Pakk"); not nn, ll,
 * rr (finals of the grammar, "Herr" a typo of its own) nor the tt, ss, ff,
 * dd of names that are not Korean ("Matt", "Ross") */
static int once_at_end(char b, char c)
{
	return (c == 'g' && b == 'n') || c == 'm' || c == 'k' || c == 'h';
}

/* --- typos (docs/names.md, "Typos"): a chunk read with one typo undone is
 * read as the variant whose reading costs least (latin_read_chunk_cost) plus
 * what undoing the typo costs; every kind of typo is tried, so that the first
 * variant that happens to read ("hyhon" for "hhyon") does not win over the
 * likely one ("hyon"). */

#define TYPO_SWAP 1.0f	  /* two neighbouring letters swapped back */
#define TYPO_DOUBLE 0.5f  /* a letter typed twice, once dropped */
#define TYPO_DROP 2.0f	  /* a letter typed in excess, dropped */
#define TYPO_LI 1.0f	  /* an l typed for an i (l and I look alike) */
#define TYPO_LI_ONLY 0.6f /* ... that was the chunk's only vowel: cheaper than a vowel put back */
#define TYPO_VOWEL 1.0f	  /* a vowel left out, put back */
/* each syllable of a variant: a typo does not add syllables ("Jishli" is Jishil, not Jishuli) */
#define TYPO_SYL 1.0f

/* whether c[0..n) has a vowel letter (a chunk without one is no syllable) */
static int has_vowel(const char *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr("aeiouOU", c[i]))
			return 1;
	return 0;
}

struct variant {
	int k; /* syllables, -1: none yet */
	float cost;
	struct kith_name_syl out[KITH_NAMES_MAX_SYL];
	uint8_t lv[KITH_NAMES_MAX_SYL];
	uint8_t pat[KITH_NAMES_MAX_SYL][2];
};

static double surname_set_share(const struct kith_name_syl *x, const struct kith_name_syl *x2,
				const struct kith_names_surname **best);

/* want for typo_variants: one syllable that is a surname */
#define WANT_SURNAME (-2)

/* Reads v[0..n) and keeps it in *best when it reads (as `want` syllables,
 * when want > 0; as a surname, when WANT_SURNAME) at a lower cost plus
 * `extra`. */
static void try_variant(const char *v, size_t n, size_t max, float one, float extra, int want,
			struct variant *best)
{
	struct kith_name_syl o[KITH_NAMES_MAX_SYL];
	uint8_t l[KITH_NAMES_MAX_SYL], p[KITH_NAMES_MAX_SYL][2];
	float cost = 0;
	int k = latin_read_chunk_cost(v, n, o, l, max, one, p, &cost);
	if (k < 0 || (want > 0 && k != want))
		return;
	if (want == WANT_SURNAME && (k != 1 || surname_set_share(&o[0], NULL, NULL) <= 0))
		return;
	cost += extra + TYPO_SYL * (float)k;
	if (best->k >= 0 && cost >= best->cost)
		return;
	best->k = k;
	best->cost = cost;
	memcpy(best->out, o, (size_t)k * sizeof o[0]);
	memcpy(best->lv, l, (size_t)k);
	memcpy(best->pat, p, (size_t)k * sizeof p[0]);
}

/* The best reading of c[0..n) with one typo undone (want > 0: read as that
 * many syllables): two neighbouring letters swapped back ("Slochun", "pnu"),
 * a letter dropped ("HHyon", "Soeul"), an l read as i ("Klm", "Rhle"), a
 * vowel put back after a consonant that no vowel follows ("Sngjin", "Sn":
 * the readings of every vowel that reads with as many syllables, joined,
 * since which one was lost is not known; in a word of two letters, "Sn", the
 * only repair). Out of line: its buffers stay off the stack of every reading. */
__attribute__((noinline, cold)) static void typo_variants(const char *c, size_t n, size_t max, float one,
							  int want, struct variant *best)
{
	char v[LATIN_MAX_CHUNK + 1];
	/* (a chunk of one letter: only a vowel put back, below) */
	if (n > LATIN_MAX_CHUNK || n < 1)
		return;
	for (size_t i = 0; n >= 3 && i + 1 < n; i++) {
		if (c[i] == c[i + 1])
			continue;
		memcpy(v, c, n);
		v[i] = c[i + 1];
		v[i + 1] = c[i];
		try_variant(v, n, max, one, TYPO_SWAP, want, best);
	}
	for (size_t i = 1; n >= 3 && i < n; i++) {
		if (i + 1 < n && c[i + 1] == c[i])
			continue; /* dropping either of two equal letters reads alike */
		memcpy(v, c, i);
		memcpy(v + i, c + i + 1, n - i - 1);
		try_variant(v, n - 1, max, one, c[i - 1] == c[i] ? TYPO_DOUBLE : TYPO_DROP, want, best);
	}
	memcpy(v, c, n);
	for (size_t i = 0; n >= 2 && i < n; i++) {
		/* in a word of two letters, an l beside a consonant ("Jl", "pl") */
		if (c[i] != 'l' || (n == 2 && strchr("aeiou", c[1 - i])))
			continue;
		v[i] = 'i';
		/* the one vowel of a chunk that has none ("Jl", "Hyo-pl") */
		try_variant(v, n, max, one, has_vowel(c, n) ? TYPO_LI : TYPO_LI_ONLY, want, best);
		v[i] = 'l';
	}
	if (n + 1 > LATIN_MAX_CHUNK)
		return;
	static const char vowels[] = "oeuia";
	for (size_t i = 1; i <= n; i++) {
		if (strchr("aeiouwy", c[i - 1]) || (i < n && strchr("aeiouwyh", c[i])) ||
		    (i < n && c[i - 1] == 'n' && c[i] == 'g'))
			continue; /* nor inside ch, sh, kh, ph, th, ng */
		memcpy(v, c, i);
		memcpy(v + i + 1, c + i, n - i);
		/* after a letter that ends the chunk and that no spelling
		 * writes as a final (h, j, s, d ...: "Kyungh", "Hyeonh"), the
		 * vowel's syllable was there: not charged as one a typo adds */
		float put = i == n && !strchr("nmlkptrgbc", c[n - 1]) ? TYPO_VOWEL - TYPO_SYL : TYPO_VOWEL;
		struct variant u = {.k = -1};
		for (size_t x = 0; x < sizeof vowels - 1; x++) {
			struct variant one_v = {.k = -1};
			v[i] = vowels[x];
			try_variant(v, n + 1, max, one, put, want > 0 || want == WANT_SURNAME ? want : u.k,
				    &one_v);
			if (one_v.k < 0)
				continue;
			if (u.k < 0) {
				u = one_v;
				continue;
			}
			for (int s2 = 0; s2 < u.k; s2++) {
				u.out[s2].ini |= one_v.out[s2].ini;
				u.out[s2].vow |= one_v.out[s2].vow;
				u.out[s2].fin |= one_v.out[s2].fin;
			}
			u.cost = one_v.cost < u.cost ? one_v.cost : u.cost;
		}
		if (u.k >= 0 && (best->k < 0 || u.cost < best->cost)) {
			for (int s2 = 0; s2 < u.k; s2++)
				u.lv[s2] = (uint8_t)jamo_set_level(&u.out[s2], NULL);
			*best = u;
		}
	}
}

/* c[0..n) read with one typo undone (typo_variants; want WANT_SURNAME: a
 * surname first, if one is in reach, else any reading; want > 0: that many
 * syllables) into out, lv and pat; the syllables, or -1. */
__attribute__((noinline, cold)) static int chunk_typo(const char *c, size_t n, struct kith_name_syl *out,
						      uint8_t *lv, size_t max, float one, uint8_t (*pat)[2],
						      int want, int *repaired)
{
	struct variant best = {.k = -1};
	typo_variants(c, n, max, one, want, &best);
	if (best.k < 0 && want == WANT_SURNAME)
		typo_variants(c, n, max, one, 0, &best);
	if (best.k < 0)
		return -1;
	memcpy(out, best.out, (size_t)best.k * sizeof out[0]);
	memcpy(lv, best.lv, (size_t)best.k);
	memcpy(pat, best.pat, (size_t)best.k * sizeof pat[0]);
	*repaired = 1;
	return best.k;
}

/* Reads one chunk; when it cannot be read and `repair` is set, the chunk
 * with one typo undone (typo_variants). */
static int read_chunk_repair(const char *c, size_t n, struct kith_name_syl *out, uint8_t *lv, size_t max,
			     float one, uint8_t (*pat)[2], int repair, int *repaired, float *cost)
{
	*cost = -1;
	int k = latin_read_chunk_cost(c, n, out, lv, max, one, pat, cost);
	/* a chunk of one consonant between hyphens lost its vowel ("So S-jin",
	 * "Rhie D-hyon"); one letter alone is an initial ("Kim S Jin") */
	int lone = n == 1 && one > 0 && c[0] >= 'a' && c[0] <= 'z' && !strchr("aeiouwy", c[0]);
	if (k >= 0 || !repair || (n < 2 && !lone) || n > LATIN_MAX_CHUNK)
		return k;
	*cost = -1;
	return chunk_typo(c, n, out, lv, max, one, pat, repair == 2 ? WANT_SURNAME : 0, repaired);
}

/* A chunk read as a syllable that no name has (level 0: "Soel" is 쇨) where
 * one typo undone reads as syllables of names at a lower cost, edit paid
 * ("Seol", 설): both readings are kept, the sets of that syllable joined and
 * its level marked LATIN_LV_TYPO. Since the chunk's own reading has only syllables
 * that no name has, a Hangul syllable of names that the joined set meets came
 * from the typo's reading, and scores KITH_NAMES_TYPO (syl_sim); the chunk's
 * own reading still scores as before (a name with that rare syllable reads
 * back to itself). The variant may differ from the reading only where the
 * reading has level 0. k syllables read at out[0..k) for `cost`. */
__attribute__((noinline, cold)) static void rare_repair(const char *c, size_t n, struct kith_name_syl *out,
							uint8_t *lv, uint8_t (*pat)[2], size_t k, size_t max,
							float one, float cost)
{
	struct variant best = {.k = -1};
	typo_variants(c, n, max, one, (int)k, &best);
	if (best.k != (int)k || best.cost >= cost + TYPO_SYL * (float)k)
		return;
	for (size_t i = 0; i < k; i++) {
		int same = out[i].ini == best.out[i].ini && out[i].vow == best.out[i].vow &&
			   out[i].fin == best.out[i].fin;
		if (!same && (lv[i] > 0 || best.lv[i] == 0))
			return; /* only a syllable no name has, read as one that names have */
	}
	for (size_t i = 0; i < k; i++) {
		if (out[i].ini == best.out[i].ini && out[i].vow == best.out[i].vow &&
		    out[i].fin == best.out[i].fin)
			continue;
		out[i].ini |= best.out[i].ini;
		out[i].vow |= best.out[i].vow;
		out[i].fin |= best.out[i].fin;
		lv[i] = (uint8_t)(LATIN_LV_TYPO | jamo_set_level(&out[i], NULL));
		pat[i][0] = pat[i][1] = 0; /* no spelling model for a joined set */
	}
}

/* Whether c[0..n) reads as one syllable between hyphens (*cost: its cost). */
static int reads_one(const char *c, size_t n, float *cost)
{
	struct kith_name_syl o[2];
	uint8_t l[2];
	*cost = 0;
	return n > 0 && latin_read_chunk_cost(c, n, o, l, 2, 1.0f, NULL, cost) == 1;
}

/* A hyphen a letter off ("Kwangm-o", "Seongs-oo", "Jij-oo", "Yu-nryong",
 * "J-iyoun", "Jeew-on", "Junu-"): when the chunks on either side of a hyphen
 * do not both read as one syllable, and with one letter moved across they
 * do, the letter is moved. A consonant moves either way; a y or w only to
 * open the chunk after ("Jee-won"); a vowel only into a chunk that has none
 * ("S-ook" is So-ok; "Ho-ate" is not Hoa-te). A hyphen at an end of the
 * word ("Junu-") is a letter off too. buf[0..n) is a folded word; returns 1
 * when something moved. */
__attribute__((noinline, cold)) static int hyphen_repair(char *buf, size_t n)
{
	int moved = 0;
	for (size_t h = 0; h < n; h++) {
		if (buf[h] != '-')
			continue;
		size_t a0 = h, b1 = h + 1;
		while (a0 > 0 && buf[a0 - 1] != '-')
			a0--;
		while (b1 < n && buf[b1] != '-')
			b1++;
		size_t la = h - a0, lb = b1 - h - 1;
		float ca, cb;
		/* a hyphen at an end of the word has one chunk beside it */
		int edge = (la == 0 && h == 0) || (lb == 0 && h + 1 == n);
		if ((la == 0 || lb == 0) && !edge)
			continue;
		if (la + lb == 0 || la + lb > LATIN_MAX_CHUNK ||
		    (!edge && reads_one(buf + a0, la, &ca) && reads_one(buf + h + 1, lb, &cb)))
			continue;
		char t[2 * LATIN_MAX_CHUNK + 2];
		memcpy(t, buf + a0, la + lb + 1);
		float best = -1;
		int dir = 0;
		/* the last letter of the first chunk opens the second, or the
		 * first letter of the second closes the first */
		for (int d = -1; d <= 1; d += 2) {
			if ((d < 0 && la < 2) || (d > 0 && lb < 2))
				continue;
			char mv = d < 0 ? t[la - 1] : t[la + 1];
			if (!((mv >= 'a' && mv <= 'z') || mv == 'O' || mv == 'U'))
				continue;
			if (strchr("aeiouOU", mv) ? has_vowel(d < 0 ? t + la + 1 : t, d < 0 ? lb : la)
						  : (strchr("wy", mv) && d > 0))
				continue; /* a vowel only into a chunk without one; y, w open */
			char u[2 * LATIN_MAX_CHUNK + 2];
			memcpy(u, t, la + lb + 1);
			size_t cut = d < 0 ? la - 1 : la + 1;
			if (d < 0) {
				u[la - 1] = '-';
				u[la] = t[la - 1];
			} else {
				u[la] = t[la + 1];
				u[la + 1] = '-';
			}
			if (reads_one(u, cut, &ca) && reads_one(u + cut + 1, la + lb - cut, &cb) &&
			    (best < 0 || ca + cb < best)) {
				best = ca + cb;
				dir = d;
			}
		}
		if (!dir)
			continue;
		if (dir < 0) {
			buf[h - 1] = '-';
			buf[h] = t[la - 1];
		} else {
			buf[h] = t[la + 1];
			buf[h + 1] = '-';
			h++;
		}
		moved = 1;
	}
	return moved;
}

/* the finals a romanized final "l" stands for (latin.c) */
#define FIN_L_SET (BIT(F_L) | BIT(F_LB) | BIT(F_LS) | BIT(F_LT) | BIT(F_LH))

/* Splits a folded Latin word into chunks and reads them; 0 or -1. With
 * `repair`, a chunk that cannot be read is read with one typo undone (2: the
 * word is at an end of the name, and a reading as a surname comes first).
 * `inner`: the word is neither the first nor the last (not a surname): a
 * syllable no name has may be read with a typo undone beside it (rare_repair;
 * a word of one syllable at an end is left as it is: "Kin" is a surname). */
static int read_latin_word(struct build *b, const char *w, size_t len, int repair, int inner)
{
	char buf[KITH_NAMES_MAX_BYTES];
	size_t n = 0;
	int hyphens = 0; /* a '-' in buf */
	/* "o'" and "u'" are typed breves; an apostrophe elsewhere (not after
	 * k, t, p or ch) separates syllables ("Han'guk") */
	for (size_t i = 0; i < len; i++) {
		char c = w[i];
		if (c == '\'') {
			char p = n ? buf[n - 1] : 0;
			/* the aspiration mark swapped with the o of oe ("Cho'e" is
			 * Ch'oe: ŏ is never followed by e in a syllable) */
			if (p == 'o' && n >= 2 && strchr("ktph", buf[n - 2]) && i + 1 < len &&
			    w[i + 1] == 'e') {
				buf[n - 1] = '\'';
				buf[n++] = 'o';
				b->typo = 1;
				continue;
			}
			if (p == 'o' || p == 'u') {
				buf[n - 1] = p == 'o' ? 'O' : 'U';
				continue;
			}
			if (p == 'k' || p == 't' || p == 'p' || p == 'h') {
				buf[n++] = '\'';
				continue;
			}
			c = '-';
		}
		/* a letter doubled that no system doubles is a typo ("IIn") */
		if (n && buf[n - 1] == c &&
		    (c == 'a' || c == 'i' || c == 'u' || c == 'y' || c == 'w' || c == 'O' || c == 'U') &&
		    !(c == 'a' && i + 1 < len && w[i + 1] == 'e')) /* "Haae" is Ha-ae */
			continue;
		/* nor an e after ae, oe or ue at the end of a chunk ("Taee",
		 * "Joee": Tae, Joe; kith writes 태이 Tae-i) */
		if (c == 'e' && n >= 2 && buf[n - 1] == 'e' && strchr("aou", buf[n - 2]) &&
		    (i + 1 == len || w[i + 1] == '-' || w[i + 1] == ' '))
			continue;
		/* nor a consonant at the end of a chunk (once_at_end) */
		if (n && buf[n - 1] == c && once_at_end(n >= 2 ? buf[n - 2] : 0, c) &&
		    (i + 1 == len || w[i + 1] == '-' || w[i + 1] == ' '))
			continue;
		/* nor does any system write a letter three times ("Soooo") */
		if (n >= 2 && buf[n - 1] == c && buf[n - 2] == c)
			continue;
		buf[n++] = c;
		hyphens |= c == '-';
	}
	int hyphen_tried = !hyphens; /* hyphen_repair, once, when a chunk does not read as one syllable */
	/* a hyphen at an end of the word: "Junu-" is Jun-u */
	if (hyphens && (buf[0] == '-' || buf[n - 1] == '-') && hyphen_repair(buf, n))
		b->typo = 1;
	struct kith_name_syl tmp[KITH_NAMES_MAX_SYL];
	uint8_t lv[KITH_NAMES_MAX_SYL];
	uint8_t pat[KITH_NAMES_MAX_SYL][2];
	struct {
		size_t at, len, first, k;
		float cost;
	} rare[KITH_NAMES_MAX_SYL]; /* chunks read as they are: rare_repair's candidates */
	size_t n_rare = 0;
	size_t got = 0;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && buf[j] != '-')
			j++;
		if (j > i) {
			/* (liaison is read inside a chunk only: across a hyphen it
			 * took "Jae-myung" for 재용, see data/names/README.md) */
			/* a chunk between hyphens is one syllable when it can be
			 * (any pieces); a word without hyphens only when its
			 * pieces are the standard ones */
			float cost;
			int rep = repair == 2 && hyphens ? 1 : repair;
			/* a chunk of one letter: not in initials ("S-J"), nor at the
			 * end of a word that another follows ("CHUL-K EUN", "Cho-h
			 * ye": a stray space, join_stray_space) */
			if (j - i == 1 && (!has_vowel(buf, n) || (j == n && b->more)))
				rep = 0;
			int k = read_chunk_repair(buf + i, j - i, tmp + got, lv + got,
						  KITH_NAMES_MAX_SYL - got, hyphens ? 1.0f : 0.0f, pat + got,
						  hyphen_tried ? rep : 0, &b->typo, &cost);
			if (!hyphen_tried && k != 1) {
				hyphen_tried = 1;
				if (hyphen_repair(buf, n)) { /* read the word again */
					b->typo = 1;
					got = n_rare = i = 0;
					continue;
				}
				if (k < 0 && rep)
					k = read_chunk_repair(buf + i, j - i, tmp + got, lv + got,
							      KITH_NAMES_MAX_SYL - got, 1.0f, pat + got, rep,
							      &b->typo, &cost);
			}
			if (k >= 1 && cost >= 0 && j - i >= 3 && (inner || hyphens || k >= 2) &&
			    (k == 1 || !hyphens) && n_rare < KITH_NAMES_MAX_SYL &&
			    memchr(lv + got, 0, (size_t)k)) { /* a syllable no name has */
				/* read again after the sound changes below */
				rare[n_rare].at = i;
				rare[n_rare].len = j - i;
				rare[n_rare].first = got;
				rare[n_rare].cost = cost;
				rare[n_rare++].k = (size_t)k;
			}
			/* a hyphen says one syllable: one typo undone that reads so
			 * ("Yu-jeuong" is Yu-jeoung) */
			if (k > 1 && hyphens &&
			    chunk_typo(buf + i, j - i, tmp + got, lv + got, KITH_NAMES_MAX_SYL - got, 1.0f,
				       pat + got, 1, &b->typo) == 1)
				k = 1;
			if (k < 0)
				return -1;
			if (j - i == 1 && !strchr("aeiouwyOU", buf[i]))
				b->lone = 1;
			got += (size_t)k;
		}
		i = j + 1;
	}
	if (!got)
		return -1;
	/* Spellings that write a sound change of the Hangul (docs/names.md):
	 * a ㄹ after the final ㅇ or ㅁ is said ㄴ, and spellings that follow
	 * the sound write it so ("Kyongni", "Kyung-ni" for 경리; "Chongno" for
	 * 종로); and 렬, 률 after a vowel or ㄴ are written 열, 율 (나열, 선율),
	 * a habit that people keep after other finals too ("Sung-yeol" for
	 * 성렬). Within one word, hyphens or not; the syllable's initial gets
	 * ㄹ beside what it was read as, without the spelling model's
	 * likelihood of the initial (as liaison does). */
	for (size_t k = 1; k < got; k++) {
		const struct kith_name_syl *p = &tmp[k - 1];
		struct kith_name_syl *x = &tmp[k];
		int nasal =
		    x->ini == BIT(I_N) && (p->fin & (BIT(F_NG) | BIT(F_M))) && !(p->fin & BIT(F_NONE));
		int yeol = x->ini == BIT(I_O) && !(x->vow & ~(BIT(V_YEO) | BIT(V_YU))) && x->fin == FIN_L_SET;
		if (!nasal && !yeol)
			continue;
		x->ini |= BIT(I_R);
		lv[k] = (uint8_t)jamo_set_level(x, NULL);
		pat[k][0] = 0;
	}
	for (size_t r = 0; r < n_rare; r++) {
		size_t z = 0; /* a syllable no name has */
		while (z < rare[r].k && rare[r].first + z < got && lv[rare[r].first + z] > 0)
			z++;
		if (rare[r].k && z < rare[r].k && rare[r].first + rare[r].k <= got)
			rare_repair(buf + rare[r].at, rare[r].len, tmp + rare[r].first, lv + rare[r].first,
				    pat + rare[r].first, rare[r].k, KITH_NAMES_MAX_SYL - rare[r].first,
				    hyphens ? 1.0f : 0.0f, rare[r].cost);
	}
	for (size_t k = 0; k < got; k++) {
		if (b->n == KITH_NAMES_MAX_SYL) {
			b->trunc = 1;
			break;
		}
		b->syl[b->n] = tmp[k];
		b->lv[b->n] = lv[k];
		b->exact[b->n] = 0;
		b->pat[b->n][0] = pat[k][0];
		b->pat[b->n][1] = pat[k][1];
		b->n++;
	}
	return 0;
}

/* Sum of the shares of the table's surnames in the set (initial-sound rule
 * folded), and the best of them. */
static double surname_set_share(const struct kith_name_syl *x, const struct kith_name_syl *x2,
				const struct kith_names_surname **best)
{
	struct kith_name_syl f = *x;
	jamo_fold(&f);
	double sum = 0, top = 0;
	if (best)
		*best = NULL;
	if (!x2) {
		/* one syllable: look each reading of the set up (those with
		 * a final that some surname has) */
		for (uint32_t im = f.ini; im; im &= im - 1)
			for (uint32_t vm = f.vow; vm; vm &= vm - 1)
				for (uint32_t fm = f.fin & JAMO_SURNAME_FINS; fm; fm &= fm - 1) {
					unsigned sy =
					    jamo_syl((unsigned)__builtin_ctz(im), (unsigned)__builtin_ctz(vm),
						     (unsigned)__builtin_ctz(fm));
					unsigned k = kith_names_surname_of[sy];
					if (!k)
						continue;
					const struct kith_names_surname *s = &kith_names_surnames[k - 1];
					sum += s->share;
					if (s->share > top) {
						top = s->share;
						if (best)
							*best = s;
					}
				}
		return sum;
	}
	for (size_t i = 0; i < kith_names_n_compounds; i++) {
		const struct kith_names_surname *s = &kith_names_surnames[kith_names_compounds[i]];
		if (!jamo_has(&f, s->s0) || !jamo_has(x2, (unsigned)s->s1 - 1u))
			continue;
		sum += s->share;
		if (s->share > top) {
			top = s->share;
			if (best)
				*best = s;
		}
	}
	return sum;
}

/* The share of word w read as a surname (one syllable, or a two-syllable
 * compound surname), 0 when it cannot be one. */
static double word_surname_share(const struct build *b, size_t w)
{
	if (b->wlen[w] == 1)
		return surname_set_share(&b->syl[b->wstart[w]], NULL, NULL);
	if (b->wlen[w] == 2)
		return surname_set_share(&b->syl[b->wstart[w]], &b->syl[b->wstart[w] + 1], NULL);
	return 0;
}

/* Narrows a romanized surname to the surnames its spelling allows (those
 * at least a twentieth as common as the most common of them). */
static void narrow_surname(struct kith_name_syl *x, struct kith_name_syl *x2)
{
	const struct kith_names_surname *best = NULL;
	surname_set_share(x, x2, &best);
	if (!best)
		return;
	struct kith_name_syl f = *x;
	jamo_fold(&f);
	struct kith_name_syl nx = {0, 0, 0};
	if (x2) {
		/* a compound surname: the best one */
		struct kith_name_syl one = jamo_single(best->s0), two = jamo_single((unsigned)best->s1 - 1u);
		nx.ini = one.ini & x->ini ? one.ini : x->ini;
		nx.vow = one.vow;
		nx.fin = one.fin;
		*x = nx;
		*x2 = two;
		return;
	}
	for (uint32_t im = f.ini; im; im &= im - 1)
		for (uint32_t vm = f.vow; vm; vm &= vm - 1)
			for (uint32_t fm = f.fin & JAMO_SURNAME_FINS; fm; fm &= fm - 1) {
				unsigned sy =
				    jamo_syl((unsigned)__builtin_ctz(im), (unsigned)__builtin_ctz(vm),
					     (unsigned)__builtin_ctz(fm));
				unsigned k = kith_names_surname_of[sy];
				const struct kith_names_surname *s = k ? &kith_names_surnames[k - 1] : NULL;
				if (!s)
					continue;
				struct kith_name_syl one = jamo_single(sy);
				/* reached through the fold: keep the spelling's own initial */
				nx.ini |= one.ini & x->ini ? one.ini : x->ini;
				nx.vow |= one.vow;
				nx.fin |= one.fin;
			}
	*x = nx;
}

static uint32_t fnv32(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

/* The code point of the UTF-8 character at s[*i] (valid: the scanner
 * checked it), and advances *i. */
static uint32_t utf8_next(const char *s, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
	for (size_t k = 1; k < n && *i + k < len; k++)
		cp = (cp << 6) | ((unsigned char)s[*i + k] & 0x3Fu);
	*i += n;
	return cp;
}

static void set_text(struct kith_name *out, const struct scan *sc)
{
	size_t n = 0;
	char *t = out->text;
	for (size_t w = 0; w < sc->n_w; w++) {
		const struct scan_word *sw = &sc->w[w];
		if (n && n + 1 < KITH_NAMES_TEXT)
			t[n++] = ' ';
		if (sw->kind == W_LATIN) {
			for (size_t k = 0; k < sw->len && n + 1 < KITH_NAMES_TEXT; k++) {
				char c = sc->lat[sw->off + k];
				if (c == '-' || c == '\'')
					continue;
				t[n++] = c == 'O' ? 'o' : c == 'U' ? 'u' : c == 'A' ? 'a' : c;
			}
		} else if (sw->kind == W_HANGUL) {
			for (size_t k = 0; k < sw->len && n + 4 < KITH_NAMES_TEXT; k++)
				n += jamo_put(sc->hs[sw->off + k], t + n);
		} else if (sw->kind == W_HANJA) {
			/* Chinese characters as pinyin without tones, a word's
			 * syllables run together ("李顺姬": "lishunji") */
			size_t k = 0;
			while (k < sw->len) {
				size_t at = k;
				const struct kith_names_hanja *h =
				    kith_names_hanja_find(utf8_next(sc->text + sw->off, sw->len, &k));
				const char *py = h && h->pinyin ? kith_names_pinyin[h->pinyin] : NULL;
				size_t pl = py ? strlen(py) : k - at;
				if (n + pl + 1 > KITH_NAMES_TEXT)
					break;
				memcpy(t + n, py ? py : sc->text + sw->off + at, pl);
				n += pl;
			}
		} else {
			/* whole UTF-8 characters only */
			size_t k = 0;
			while (k < sw->len) {
				size_t cl = 1;
				unsigned char c = (unsigned char)sc->text[sw->off + k];
				cl = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
				if (n + cl + 1 > KITH_NAMES_TEXT)
					break;
				memcpy(t + n, sc->text + sw->off + k, cl);
				n += cl;
				k += cl;
			}
		}
	}
	while (n && t[n - 1] == ' ')
		n--;
	t[n] = '\0';
	out->latin_h = fnv32(t, n);
}

static int encode_text(struct kith_name *out, const char *utf8, size_t len, int *lone, struct kith_err *err);
static const struct kith_names_alias *ambig_surname_alias(const struct kith_name *rn);

/* Reads a word of Hanja into its Korean readings (every reading of a
 * character, as a set: 金 is 금 or 김); 0, or -1 when a character has no
 * Korean reading. */
static int read_hanja_word(struct build *b, const char *w, size_t len)
{
	size_t i = 0, start = b->n;
	while (i < len) {
		const struct kith_names_hanja *h = kith_names_hanja_find(utf8_next(w, len, &i));
		if (!h) {
			b->n = start;
			return -1;
		}
		if (b->n == KITH_NAMES_MAX_SYL) {
			b->trunc = 1;
			break;
		}
		struct kith_name_syl x = jamo_single(h->hangul - 1u);
		if (h->hangul2) {
			struct kith_name_syl y = jamo_single(h->hangul2 - 1u);
			x.ini |= y.ini;
			x.vow |= y.vow;
			x.fin |= y.fin;
		}
		b->syl[b->n] = x;
		b->lv[b->n] = (uint8_t)jamo_set_level(&x, NULL);
		b->exact[b->n] = 0;
		b->pat[b->n][0] = b->pat[b->n][1] = 0;
		b->n++;
	}
	return b->n > start ? 0 : -1;
}

/* The published entry of aliases.c for the word w (lower case a-z, at most 15
 * letters), or NULL. */
static const struct kith_names_alias *alias_lookup(const char *w, size_t len);

/* w as read, when the list does not publish it as it is ("Hamm"): a letter
 * typed twice that no system doubles once ("Kwwan" is Kwan; not an a before
 * e: "Haae" is Ha-ae), and at its end an n or a letter of once_at_end typed
 * twice once ("Kwann", "Yoonn", "Backk" are Kwan, Yoon, Back), and an e
 * after ae, oe or ue, as read_latin_word reads it ("Chaee" is Chae) */
static const struct kith_names_alias *alias_lookup_read(const char *w, size_t len)
{
	const struct kith_names_alias *a = alias_lookup(w, len);
	if (a || len < 3 || len > 15)
		return a;
	char v[16];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)(w[i] - 'a') > 'z' - 'a') {
			n = len; /* not a list spelling */
			break;
		}
		if (n && v[n - 1] == w[i] &&
		    ((strchr("aiuyw", w[i]) && !(w[i] == 'a' && i + 1 < len && w[i + 1] == 'e')) ||
		     (i + 1 == len && (w[i] == 'n' || once_at_end(n >= 2 ? v[n - 2] : 0, w[i]) ||
				       (w[i] == 'e' && n >= 2 && strchr("aou", v[n - 2]))))))
			continue;
		v[n++] = w[i];
	}
	a = n < len ? alias_lookup(v, n) : NULL;
	sodium_memzero(v, sizeof v);
	return a;
}

static const struct kith_names_alias *alias_find(const char *w, size_t len)
{
	const struct kith_names_alias *a = alias_lookup_read(w, len);
	return a && a->pub ? a : NULL;
}

/* Any entry of aliases.c for w: published, or only written so by kith. */
static const struct kith_names_alias *alias_lookup(const char *w, size_t len)
{
	if (len == 0 || len > 15)
		return NULL;
	uint32_t h = 2166136261u; /* fnv32, and the letters checked on the way */
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)(w[i] - 'a') > 'z' - 'a')
			return NULL;
		h ^= (uint8_t)w[i];
		h *= 16777619u;
	}
	for (uint32_t k = 0; k < KITH_NAMES_ALIAS_SLOTS; k++) {
		unsigned e = kith_names_alias_slots[(h + k) % KITH_NAMES_ALIAS_SLOTS];
		if (!e)
			return NULL;
		const struct kith_names_alias *a = &kith_names_aliases[e - 1];
		if (a->hash != h || a->len != len)
			continue;
		size_t i = 0;
		while (i < len && a->spelling[i] == w[i])
			i++;
		if (i == len)
			return a;
	}
	return NULL;
}

/* The published surname spelling that w (lower case a-z, 3 to 15 letters)
 * is with one typo undone, or NULL: a letter typed twice once ("Herr" is
 * Her, "Yeee" Yee), an l read as i ("Kln" is Kin), two neighbouring letters
 * swapped back ("Cahe" is Chae); the cheapest (typo_variants' costs), the
 * first found on a tie. Another letter dropped is not tried: too many words
 * that are not Korean would become a surname so. Out of line. */
__attribute__((noinline, cold)) static const struct kith_names_alias *alias_typo(const char *w, size_t len)
{
	char v[16];
	if (len < 3 || len > 15)
		return NULL;
	for (size_t i = 1; i < len; i++) /* a letter typed twice */
		if (w[i] == w[i - 1]) {
			memcpy(v, w, i);
			memcpy(v + i, w + i + 1, len - i - 1);
			const struct kith_names_alias *a = alias_find(v, len - 1);
			if (a)
				return a;
		}
	memcpy(v, w, len);
	for (size_t i = 0; i < len; i++) { /* l for i */
		if (w[i] != 'l')
			continue;
		v[i] = 'i';
		const struct kith_names_alias *a = alias_find(v, len);
		if (a)
			return a;
		v[i] = 'l';
	}
	for (size_t i = 0; i + 1 < len; i++) { /* two letters swapped */
		if (w[i] == w[i + 1])
			continue;
		v[i] = w[i + 1];
		v[i + 1] = w[i];
		const struct kith_names_alias *a = alias_find(v, len);
		if (a)
			return a;
		v[i] = w[i];
		v[i + 1] = w[i + 1];
	}
	return NULL;
}

/* Adds to x (and x2, for a two-syllable surname) the surnames published for
 * the spelling of entry a. */
static void alias_union(const struct kith_names_alias *a, struct kith_name_syl *x, struct kith_name_syl *x2)
{
	x->ini |= a->x.ini;
	x->vow |= a->x.vow;
	x->fin |= a->x.fin;
	if (a->two) {
		x2->ini |= a->x2.ini;
		x2->vow |= a->x2.vow;
		x2->fin |= a->x2.fin;
	}
}

/* A word at either end of a name that the grammar cannot read as a surname
 * nor as a syllable common in given names, but that lists of surnames
 * publish as the spelling of one (aliases.c: "Kin" for 김, "Sea" for 서,
 * "Huang" for 황): the word becomes that surname (the union of the surnames
 * it is published for, and of the grammar's one syllable), replacing what
 * the grammar read from `start` on; 1 when so. A word that the grammar reads
 * as a surname or as a common given syllable is left so, and noted: should
 * it be taken as the surname, encode_text adds the other surnames published
 * for its spelling ("Chae": 채, and 최; "Kim Young" stays 김영, not 김양). */
static int surname_alias(struct build *b, const char *w, size_t len, size_t start, int read_ok, int typo_here)
{
	if (len == 0 || len > 15)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return 0; /* "Mi-seon", "Sŏ": no list spelling */
	size_t got = b->n - start;
	for (size_t i = 2; i < len && !typo_here; i++)
		typo_here = w[i] == w[i - 1] && w[i] == w[i - 2]; /* "Yeee": read as Yee */
	/* a word that reads only with a typo undone, or not at all, may be a
	 * published spelling with a typo ("Herr", "Kln", "Yeogn"): that
	 * surname, joined with the typo's reading of one syllable */
	const struct kith_names_alias *at = typo_here && !alias_find(w, len) ? alias_typo(w, len) : NULL;
	if (at)
		b->typo = 1;
	else if (read_ok && got == 1 &&
		 ((b->lv[start] & ~LATIN_LV_TYPO) >= 7 ||
		  surname_set_share(&b->syl[start], NULL, NULL) > 0)) {
		size_t slot = b->nw == 0 ? 0 : 1;
		b->alias_w[slot] = b->nw;
		b->alias_text[slot] = w;
		b->alias_len[slot] = len;
		return 0;
	} else if (read_ok && got == 2 && surname_set_share(&b->syl[start], &b->syl[start + 1], NULL) > 0)
		return 0;
	else
		at = alias_find(w, len);
	if (!at)
		return 0;
	unsigned two = at->two;
	struct kith_name_syl x = {0, 0, 0}, x2 = {0, 0, 0};
	if (read_ok && got == 1 && !two)
		x = b->syl[start];
	alias_union(at, &x, &x2);
	b->n = start;
	b->syl[b->n] = x;
	b->lv[b->n] = (uint8_t)jamo_set_level(&x, NULL);
	b->exact[b->n] = 0;
	b->pat[b->n][0] = b->pat[b->n][1] = 0;
	b->n++;
	if (two) {
		b->syl[b->n] = x2;
		b->lv[b->n] = (uint8_t)jamo_set_level(&x2, NULL);
		b->exact[b->n] = 0;
		b->pat[b->n][0] = b->pat[b->n][1] = 0;
		b->n++;
	}
	return 1;
}

/* The syllable x of word k (0: first, 1: last) widened by the surnames
 * published for its spelling; 1 when there are any. */
static int alias_widen(const struct build *b, size_t k, struct kith_name_syl *x)
{
	const struct kith_names_alias *at = alias_find(b->alias_text[k], b->alias_len[k]);
	if (!at || at->two)
		return 0;
	struct kith_name_syl x2 = {0, 0, 0};
	alias_union(at, x, &x2);
	return 1;
}

/* Reads the scanned words into b; the word repair_w (SIZE_MAX: none) is
 * read with a typo undone when it cannot be read as it is, at an end of the
 * name as a surname first when sur_first is set. */
static void build_words(struct build *b, const struct scan *sc, size_t repair_w, int sur_first)
{
	b->n = b->nw = b->n_failed = 0;
	b->trunc = b->partial = b->hangul = b->latin = b->typo = b->hanja = b->lone = 0;
	b->failed_w = SIZE_MAX;
	b->alias_w[0] = b->alias_w[1] = SIZE_MAX;
	for (size_t w = 0; w < sc->n_w; w++) {
		const struct scan_word *sw = &sc->w[w];
		size_t start = b->n;
		if (sw->kind == W_HANGUL) {
			for (size_t k = 0; k < sw->len; k++) {
				if (b->n == KITH_NAMES_MAX_SYL) {
					b->trunc = 1;
					break;
				}
				unsigned s = sc->hs[sw->off + k];
				b->syl[b->n] = jamo_single(s);
				b->lv[b->n] = kith_names_syl_level[s];
				b->exact[b->n] = 1;
				b->pat[b->n][0] = b->pat[b->n][1] = 0;
				b->n++;
			}
			b->hangul = 1;
		} else if (sw->kind == W_HANJA) {
			if (b->n < KITH_NAMES_MAX_SYL &&
			    read_hanja_word(b, sc->text + sw->off, sw->len) < 0) {
				b->partial = 1;
				b->n_failed++;
				b->failed_w = w;
			} else
				b->hanja = 1;
		} else if (sw->kind == W_LATIN) {
			int typo_before = b->typo;
			b->typo = 0;
			b->more = w + 1 < sc->n_w;
			int failed = b->n < KITH_NAMES_MAX_SYL &&
				     read_latin_word(b, sc->lat + sw->off, sw->len,
						     w != repair_w				 ? 0
						     : sur_first && (w == 0 || w + 1 == sc->n_w) ? 2
												 : 1,
						     w > 0 && w + 1 < sc->n_w) < 0;
			/* a word at an end that does not read, and that is a
			 * published surname spelling with a typo ("Herr"): read
			 * with a typo undone, to be joined with that surname */
			if (failed && w != repair_w && (w == 0 || w + 1 == sc->n_w) && b->n == start &&
			    alias_typo(sc->lat + sw->off, sw->len)) {
				failed = read_latin_word(b, sc->lat + sw->off, sw->len, 2, 0) < 0;
				b->typo = 1;
			}
			if ((w == 0 || w + 1 == sc->n_w) && b->n + 2 <= KITH_NAMES_MAX_SYL &&
			    surname_alias(b, sc->lat + sw->off, sw->len, start, !failed, b->typo))
				failed = 0;
			b->typo |= typo_before;
			if (failed) {
				b->partial = 1;
				b->n_failed++;
				b->failed_w = w;
			} else
				b->latin = 1;
		} else {
			continue;
		}
		for (size_t k = start; k < b->n; k++)
			b->wfirst[k] = k == start;
		if (b->n > start && b->nw < SCAN_MAX_WORDS) {
			b->wstart[b->nw] = start;
			b->wlen[b->nw] = b->n - start;
			b->wkind[b->nw] = sw->kind;
			b->wtext[b->nw] = sw->kind == W_LATIN ? sc->lat + sw->off : NULL;
			b->wtlen[b->nw] = sw->kind == W_LATIN ? sw->len : 0;
			b->nw++;
		}
	}
}

/* Whether syllables x and y (neighbours in one word, as read) hold the two
 * readings of liaison (latin_liaison): a consonant n, l or m that closes x
 * or opens y, x's final {C, none} and y's initial {C, ㅇ}. */
static int liaison_pair(const struct kith_name_syl *x, const struct kith_name_syl *y)
{
	static const struct {
		uint32_t fin, ini;
	} c[] = {{BIT(F_N), BIT(I_N)},
		 {BIT(F_L), BIT(I_R)},
		 {BIT(F_M), BIT(I_M)},
		 {BIT(F_G), BIT(I_G) | BIT(I_K)}};
	if (!(x->fin & BIT(F_NONE)))
		return 0;
	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
		if ((x->fin & c[k].fin) && y->ini == (c[k].ini | BIT(I_O)))
			return 1;
	return 0;
}

/* A romanized syllable ri read by liaison (rn->liai) against Hangul at hj:
 * the consonant is on one side at least, so the Hangul's final before hj or
 * its initial at hj must take it ("Yumi" is 유미 or 윰이: not 유이, nor 유리
 * through the initial-sound rule; on both sides, as Hangul writes an l
 * between vowels, "Zelo" is 젤로). 1 when they do (or no check applies). */
static int liaison_ok(const struct kith_name *rn, size_t ri, const struct kith_name *h, size_t hj)
{
	if (ri == 0 || hj == 0 || !((rn->liai >> ri) & 1u) || !((h->exact >> (hj - 1)) & 1u))
		return 1;
	uint32_t cfin = rn->syl[ri - 1].fin & ~BIT(F_NONE), cini = rn->syl[ri].ini & ~BIT(I_O);
	uint32_t hf = h->syl[hj - 1].fin, hi = h->syl[hj].ini;
	if (cini & BIT(I_G)) /* a k on one side only: Hangul does not write 옥경 for "Okyoung" */
		return ((hf & cfin) != 0) != ((hi & cini) != 0);
	return (hf & cfin) || (hi & cini);
}

/* A stray space, read from the letters' case: in "Pak So oSul" or "Kim WonW
 * on" a capital inside a word starts a word, and a word that starts with a
 * small letter belongs to the one before; a capital typed twice at the start
 * of a word ("I SSeung", "HHann") is once, and a capital I at the end of a
 * word in small letters is an l ("So Hak ChoI"). Writes the repaired name to o (cap
 * bytes) and returns its length, or 0 when the name shows no such sign. Only
 * ASCII letters are looked at; other bytes are copied as they are ("Ŏm Ja
 * ebom", "Chŏng Mi-so ok"). */
/* Does the word at s[i] start with its first two letters swapped, as the
 * case shows: a vowel in small letters, a capital, then small letters
 * without a vowel ("iJn", "aH", "aJng" for Jin, Ha, Jang)? Not when the
 * rest reads alone: "So oSul" is a space moved, Soo Sul. */
static int swapped_start(const char *s, size_t i, size_t len)
{
	if (i + 1 >= len || !strchr("aeiou", s[i]) || (unsigned char)(s[i + 1] - 'A') > 'Z' - 'A' ||
	    strchr("AEIOU", s[i + 1]))
		return 0;
	size_t j = i + 2;
	while (j < len && (unsigned char)(s[j] - 'a') <= 'z' - 'a' && !strchr("aeiou", s[j]))
		j++;
	return j == len || s[j] == ' ' || s[j] == '-';
}

static size_t case_repair(const char *s, size_t len, char *o, size_t cap, int *typo)
{
	int sign = 0, caps = 0;
	*typo = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((unsigned char)(c - 'A') <= 'Z' - 'A') {
			caps = 1;
			/* a capital typed twice at the start of a word: "SSeung" */
			if ((i == 0 || s[i - 1] == ' ') && i + 2 < len && s[i + 1] == c &&
			    (unsigned char)(s[i + 2] - 'a') <= 'z' - 'a')
				sign = 1;
			/* a capital after a small letter: "WonW on" */
			if (i && (unsigned char)(s[i - 1] - 'a') <= 'z' - 'a')
				sign = *typo = 1;
		} else if (caps && i >= 2 && s[i - 1] == ' ' && (unsigned char)(c - 'a') <= 'z' - 'a') {
			sign = *typo = 1; /* a word that starts small after a capital one: "Lee M in Won" */
		}
	}
	if (!sign || !caps || len + 1 > cap)
		return 0;
	size_t n = 0;
	int start = 1; /* at the start of a word */
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ' ') {
			/* a space before a word that starts small is stray */
			size_t j = i;
			while (j < len && s[j] == ' ')
				j++;
			if (n && j < len && s[j] >= 'a' && s[j] <= 'z' && !swapped_start(s, j, len)) {
				i = j - 1;
				continue;
			}
			if (n && o[n - 1] != ' ')
				o[n++] = ' ';
			start = 1;
			continue;
		}
		if (!start && c == 'I' && n && o[n - 1] >= 'a' && o[n - 1] <= 'z' &&
		    (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '-')) {
			if (n + 2 > cap)
				return 0;
			o[n++] = 'l'; /* a capital I that ends a small word is an l: "ChoI" */
			*typo = 1;
			continue;
		}
		if (!start && c >= 'A' && c <= 'Z' && n && o[n - 1] >= 'a' && o[n - 1] <= 'z')
			o[n++] = ' ';
		if (start && c >= 'A' && c <= 'Z' && i + 2 < len && s[i + 1] == c && s[i + 2] >= 'a' &&
		    s[i + 2] <= 'z')
			continue; /* the first of a capital typed twice */
		if (start && swapped_start(s, i, len)) {
			if (n + 3 > cap)
				return 0;
			o[n++] = s[i + 1]; /* the first two letters of a word swapped: "iJn" is Jin */
			o[n++] = c;
			i++;
			start = 0;
			*typo = 1;
			continue;
		}
		if (n + 2 > cap)
			return 0;
		o[n++] = c;
		start = 0;
	}
	return n;
}

int kith_names_encode(struct kith_name *out, const char *utf8, size_t len, struct kith_err *err)
{
	int lone = 0;
	int rc = encode_text(out, utf8, len, &lone, err);
	if (rc)
		return rc;
	char fixed[256];
	int typo = 0; /* a space moved or an I read as l; a capital typed twice is no typo (as "IIn") */
	size_t n = len < sizeof fixed ? case_repair(utf8, len, fixed, sizeof fixed, &typo) : 0;
	if (n) {
		struct kith_name alt;
		/* (a stray space that the case shows comes before a vowel put
		 * back into a chunk of one consonant: "O k-im" is Ok-im) */
		if (encode_text(&alt, fixed, n, NULL, NULL) == KITH_OK && alt.n_syl > 0 &&
		    !(alt.flags & KITH_NAMES_F_PARTIAL) &&
		    (alt.n_sur > 0 || lone || !(out->n_syl > 0 && !(out->flags & KITH_NAMES_F_PARTIAL)))) {
			if (typo)
				alt.flags |= KITH_NAMES_F_TYPO;
			*out = alt;
		}
		sodium_memzero(fixed, sizeof fixed);
	}
	return KITH_OK;
}

/* A stray space where the letters' case shows none ("YA NG CHOCHO"): the one
 * word that cannot be read, joined with the Latin word just before or after
 * it, when the name then reads without a typo and has a surname at an end.
 * On success *b is the reading (marked as a typo), sc's words are joined, and
 * 1 is returned; else both are as they were. */
__attribute__((noinline, cold)) static int join_stray_space(struct build *b, struct scan *sc)
{
	size_t f = b->failed_w;
	if (f >= sc->n_w || sc->w[f].kind != W_LATIN)
		return 0;
	/* a piece without a vowel ("NG", "C"), that adds no syllable to the
	 * word it joins (a piece with vowels is a typo of its own: "Htyang") */
	for (size_t k = 0; k < sc->w[f].len; k++)
		if (strchr("aeiouOUAE", sc->lat[sc->w[f].off + k]))
			return 0; /* (a y or w is no vowel alone: "HY ANG") */
	for (int d = -1; d <= 1; d += 2) {
		if ((d < 0 && f == 0) || (d > 0 && f + 1 >= sc->n_w))
			continue;
		size_t lo = d < 0 ? f - 1 : f, hi = lo + 1, o = d < 0 ? lo : hi;
		if (sc->w[lo].kind != W_LATIN || sc->w[hi].kind != W_LATIN ||
		    (size_t)sc->w[lo].off + sc->w[lo].len != sc->w[hi].off)
			continue;
		/* the neighbour's syllables, as read */
		size_t ow = 0, osyl = 0;
		for (size_t k = 0; k < o; k++)
			ow += k != f && sc->w[k].kind != W_OTHER; /* words of b before o */
		if (ow >= b->nw)
			continue;
		osyl = b->wlen[ow];
		struct scan_word saved[SCAN_MAX_WORDS];
		size_t nw = sc->n_w;
		memcpy(saved, sc->w, nw * sizeof saved[0]);
		sc->w[lo].len = (uint16_t)(sc->w[lo].len + sc->w[hi].len);
		memmove(&sc->w[hi], &sc->w[hi + 1], (nw - hi - 1) * sizeof saved[0]);
		sc->n_w--;
		struct build t;
		build_words(&t, sc, SIZE_MAX, 0);
		size_t jw = 0;
		for (size_t k = 0; k < lo; k++)
			jw += sc->w[k].kind != W_OTHER;
		if (t.n_failed == 0 && !t.typo && t.nw >= 2 && jw < t.nw && t.wlen[jw] == osyl &&
		    (word_surname_share(&t, 0) > 0 || word_surname_share(&t, t.nw - 1) > 0)) {
			t.typo = 1;
			*b = t;
			return 1;
		}
		memcpy(sc->w, saved, nw * sizeof saved[0]);
		sc->n_w = nw;
	}
	return 0;
}

/* Does a romanized word hold a hyphen between two letters ("Dong-hyeok")? */
static int inner_hyphen(const struct scan *sc)
{
	for (size_t w = 0; w < sc->n_w; w++) {
		const struct scan_word *sw = &sc->w[w];
		if (sw->kind != W_LATIN)
			continue;
		for (size_t k = 1; k + 1 < sw->len; k++)
			if (sc->lat[sw->off + k] == '-' && sc->lat[sw->off + k - 1] != '-' &&
			    sc->lat[sw->off + k + 1] != '-')
				return 1;
	}
	return 0;
}

/* (*lone, when not NULL: a chunk of one consonant was read with a vowel put
 * back) */
static int encode_text(struct kith_name *out, const char *utf8, size_t len, int *lone, struct kith_err *err)
{
	struct scan sc;
	int rc = scan_name(&sc, utf8, len, err);
	if (rc)
		return rc;
	struct build b; /* only the counters need a value: the arrays fill as they grow */
	build_words(&b, &sc, SIZE_MAX, 0);
	if (b.n_failed == 1 && b.nw >= 1 && !join_stray_space(&b, &sc)) {
		/* one word that cannot be read beside words that can: read it
		 * with a typo undone, kept only when a surname is then at either
		 * end ("Slochun Choe"; "Maria Lopez" stays a name that is not
		 * Korean) */
		struct build t;
		/* a word at an end is read as a surname first, unless the word
		 * at the other end is one ("Joh Gawng" is Joh Gwang, 조광, not
		 * Joh Gang read as 강 + 조) */
		size_t other = b.failed_w == 0 ? b.nw - 1 : 0;
		build_words(&t, &sc, b.failed_w, !(b.nw >= 1 && word_surname_share(&b, other) > 0));
		if (t.n_failed == 0 && t.nw >= 2 &&
		    (word_surname_share(&t, 0) > 0 || word_surname_share(&t, t.nw - 1) > 0))
			b = t;
	}
	if (sc.dropped_words)
		b.trunc = 1;
	if (lone)
		*lone = b.lone && b.n_failed == 0;
	/* one unreadable word among several read ones is a typo ("Bnag Mi Sun");
	 * more, or fewer read words, and the name is not Korean ("John Smith") */
	if (b.n_failed && (b.n_failed > 1 || b.nw < 2))
		b.n = 0;

	struct kith_name r;
	memset(&r, 0, sizeof r);
	set_text(&r, &sc);
	int has_hanja = 0, has_other = 0;
	for (size_t w = 0; w < sc.n_w; w++) {
		has_hanja |= sc.w[w].kind == W_HANJA;
		has_other |= sc.w[w].kind == W_OTHER;
	}
	if (b.n == 0) {
		r.script =
		    has_hanja && !has_other && !b.partial ? KITH_NAMES_SCRIPT_HANJA : KITH_NAMES_SCRIPT_OTHER;
		r.flags = b.partial ? KITH_NAMES_F_PARTIAL : 0;
		*out = r;
		return KITH_OK;
	}
	r.script = b.hanja && !b.hangul && !b.latin   ? KITH_NAMES_SCRIPT_HANJA
		   : b.hangul + b.latin + b.hanja > 1 ? KITH_NAMES_SCRIPT_MIXED
		   : b.hangul			      ? KITH_NAMES_SCRIPT_HANGUL
						      : KITH_NAMES_SCRIPT_LATIN;

	/* the surname and the order */
	size_t n_sur = 0;
	int western = 0, ambig = 0;
	size_t alt_first = 0, alt_sur = 0; /* the other reading: start word's syllable, surname length */
	if (b.n == 1) {
		/* one word alone ("Young", "Chae"): every surname published for it */
		if (b.nw == 1 && b.alias_w[0] == 0 && alias_widen(&b, 0, &b.syl[0]))
			b.lv[0] = (uint8_t)jamo_set_level(&b.syl[0], NULL);
		n_sur = surname_set_share(&b.syl[0], NULL, NULL) > 0 ? 1 : 0;
	} else if (b.nw == 1) {
		int hangul = b.wkind[0] == W_HANGUL || b.wkind[0] == W_HANJA;
		/* a compound surname alone (남궁, "Namgung") is not split */
		if (b.n >= 2 && surname_set_share(&b.syl[0], &b.syl[1], NULL) > 0)
			n_sur = 2;
		else if (hangul ? surname_set_share(&b.syl[0], NULL, NULL) > 0
				: (b.n >= 3 && surname_set_share(&b.syl[0], NULL, NULL) >= 0.003))
			n_sur = 1;
	} else {
		size_t last = b.nw - 1;
		double sk = word_surname_share(&b, 0), sw = word_surname_share(&b, last);
		if (sk == 0 && b.wkind[0] == W_HANGUL && b.wlen[0] >= 2 &&
		    surname_set_share(&b.syl[0], NULL, NULL) > 0) {
			/* "김정 은": the first Hangul word holds the surname */
			sk = surname_set_share(&b.syl[0], NULL, NULL);
			n_sur = 1;
		}
		int latin_ends = b.wkind[0] == W_LATIN && b.wkind[last] == W_LATIN;
		if (sk > 0 && sw > 0) {
			/* both ends can be a surname: Korean order unless the last is
			 * much the more common ("Sun Hee Kim"); both orders are kept */
			western = latin_ends && sw >= 0.001 && sw > 4 * sk && !n_sur;
			if (latin_ends) {
				ambig = 1;
				alt_sur = western ? b.wlen[0] : b.wlen[last];
				alt_first = western ? 0 : b.wstart[last];
			}
		} else if (sw > 0 && b.wkind[0] == W_LATIN) {
			/* "Mi Sun Bang", "Misun Bang"; but "Mi Sun" is a given name */
			western = sw >= 0.001 || b.wlen[0] >= 2;
		}
		if (western)
			n_sur = b.wlen[last];
		else if (sk > 0 && !n_sur)
			n_sur = b.wlen[0];
	}
	/* no surname at either end, but the first word, read as a common given
	 * syllable, is published as the spelling of surnames ("Young Kyeong-sun":
	 * "Young" is 영 to the grammar, and the lists give it for 양 and 용): it
	 * is the surname, as those; not in a name of two syllables ("Young
	 * Hee" is more likely a given name alone) */
	if (n_sur == 0 && b.nw >= 2 && b.n >= 3 && b.wkind[0] == W_LATIN && b.wlen[0] == 1 &&
	    b.alias_w[0] == 0) {
		struct kith_name_syl x = b.syl[0];
		if (alias_widen(&b, 0, &x) && surname_set_share(&x, NULL, NULL) > 0) {
			b.syl[0] = x;
			b.lv[0] = (uint8_t)jamo_set_level(&x, NULL);
			n_sur = 1;
		}
	}
	/* still none, and the first word, one syllable, is a published surname
	 * spelling with a typo undone ("Roo So Mee": Ro, 노): that surname,
	 * joined with the word's reading, and the name read with a typo; not in
	 * a name of two syllables ("Hee Jin" is a given name alone) */
	if (n_sur == 0 && b.nw >= 2 && b.n >= 3 && b.wkind[0] == W_LATIN && b.wlen[0] == 1 && b.wtext[0]) {
		const struct kith_names_alias *at =
		    alias_find(b.wtext[0], b.wtlen[0]) ? NULL : alias_typo(b.wtext[0], b.wtlen[0]);
		struct kith_name_syl x = b.syl[0], x2 = {0, 0, 0};
		if (at && !at->two) {
			alias_union(at, &x, &x2);
			if (surname_set_share(&x, NULL, NULL) > 0) {
				b.syl[0] = x;
				b.lv[0] = (uint8_t)jamo_set_level(&x, NULL);
				b.pat[0][0] = b.pat[0][1] = 0;
				n_sur = 1;
				b.typo = 1;
			}
		}
	}
	/* canonical order: surname first */
	size_t order[KITH_NAMES_MAX_SYL];
	size_t k = 0;
	if (western) {
		size_t last = b.nw - 1;
		for (size_t i = b.wstart[last]; i < b.n; i++)
			order[k++] = i;
		for (size_t i = 0; i < b.wstart[last]; i++)
			order[k++] = i;
	} else {
		for (size_t i = 0; i < b.n; i++)
			order[k++] = i;
	}
	for (size_t i = 0; i < b.n; i++) {
		r.syl[i] = b.syl[order[i]];
		r.lv[i] = b.lv[order[i]];
		if (b.exact[order[i]])
			r.exact = (uint16_t)(r.exact | (1u << i));
	}
	/* liaison inside a word (the sets as read, before any narrowing) */
	for (size_t i = 1; i < b.n; i++)
		if (order[i] == order[i - 1] + 1 && !b.exact[order[i]] && !b.exact[order[i - 1]] &&
		    !b.wfirst[order[i]] && liaison_pair(&b.syl[order[i - 1]], &b.syl[order[i]]))
			r.liai = (uint16_t)(r.liai | (1u << i));
	r.n_syl = (uint8_t)b.n;
	r.n_sur = (uint8_t)n_sur;
	if (ambig) {
		/* position, in canonical order, of the other reading's surname */
		size_t pos = 0;
		for (size_t i = 0; i < b.n; i++)
			if (order[i] == alt_first)
				pos = i;
		r.alt_rot = (uint8_t)pos;
		r.alt_sur = (uint8_t)alt_sur;
	}
	/* the other surnames published for the spelling of the surname word */
	if (!ambig && n_sur == 1 && b.n > 1 && !(r.exact & 1u)) {
		size_t sw = western ? b.nw - 1 : 0;
		for (size_t a = 0; a < 2; a++)
			if (b.alias_w[a] == sw && b.wlen[sw] == 1 && alias_widen(&b, a, &r.syl[0]))
				r.lv[0] = (uint8_t)jamo_set_level(&r.syl[0], NULL);
	}
	/* a romanized surname of one syllable whose spelling a list publishes
	 * (or kith writes) for surnames is one of those, exactly: syl_sim checks
	 * it against a Hangul surname ("Soh" is 소, not 서; "Hong" 홍 or 후, not
	 * 호), where the sets, read letter by letter, would allow more */
	if (!ambig && n_sur == 1 && !(r.exact & 1u)) {
		size_t sw = western ? b.nw - 1 : 0;
		const struct kith_names_alias *at = b.wkind[sw] == W_LATIN && b.wlen[sw] == 1
							? alias_lookup_read(b.wtext[sw], b.wtlen[sw])
							: NULL;
		if (at && !at->two && at->sur[0])
			r.sur_pub = (uint16_t)(at - kith_names_aliases + 1);
	}
	/* a romanized surname holds only the surnames its spelling allows
	 * (not when either end may be the surname) */
	if (!ambig && n_sur == 1 && b.n > 1 && !(r.exact & 1u))
		narrow_surname(&r.syl[0], NULL);
	else if (!ambig && n_sur == 2 && !(r.exact & 3u))
		narrow_surname(&r.syl[0], &r.syl[1]);
	/* the initial-sound rule, at the start of the surname and of the given
	 * name; when the order is ambiguous, of this order only: the other
	 * order folds its own (other_order), or "Kim Seok Rae" would meet
	 * 김석애 as 김석래 does */
	jamo_fold(&r.syl[0]);
	if (n_sur > 0 && n_sur < b.n)
		jamo_fold(&r.syl[n_sur]);
	/* the levels of the syllables that narrowing or folding changed */
	for (size_t i = 0; i < b.n; i++) {
		const struct kith_name_syl *was = &b.syl[order[i]], *now = &r.syl[i];
		if (!(r.exact & (1u << i)) &&
		    (was->ini != now->ini || was->vow != now->vow || was->fin != now->fin))
			r.lv[i] = (uint8_t)((r.lv[i] & LATIN_LV_TYPO) | jamo_set_level(now, NULL));
	}
	/* the spelling model, for the romanized syllables of the given name: the
	 * pieces, and the best log-posterior over the readings of the set */
	int systematic = 0; /* a piece that only a system writes (latin.c) */
	for (size_t i = 0; i < b.n; i++)
		if (!(r.exact & (1u << i)))
			systematic |= latin_marks_system(b.pat[order[i]][0], b.pat[order[i]][1], i == 0);
	for (size_t i = 0; i < b.n; i++) {
		/* a surname has no model, nor the initial of a given name (the
		 * initial-sound rule); when the order is ambiguous, in either
		 * order ("Ri Sung Won": Sung is a given syllable both ways) */
		int sur = i < n_sur, first_given = i == n_sur;
		if (ambig) {
			size_t p = (i + b.n - r.alt_rot) % b.n; /* position in the other order */
			sur |= p < r.alt_sur;
			first_given |= p == r.alt_sur;
		}
		if (sur || r.exact & (1u << i) || !b.pat[order[i]][1])
			continue;
		r.pat[i][0] = first_given ? 0 : b.pat[order[i]][0]; /* initial-sound rule: no model */
		r.pat[i][1] =
		    (uint8_t)(systematic ? latin_vow_systematic(b.pat[order[i]][1]) : b.pat[order[i]][1]);
		r.post[i] = (int8_t)best_post(&r.syl[i], r.pat[i]);
	}
	r.flags = (uint8_t)((western ? KITH_NAMES_F_WESTERN : 0) | (ambig ? KITH_NAMES_F_AMBIG : 0) |
			    (b.n == n_sur ? KITH_NAMES_F_SURONLY : 0) | (b.trunc ? KITH_NAMES_F_TRUNC : 0) |
			    (b.partial ? KITH_NAMES_F_PARTIAL : 0) | (b.typo ? KITH_NAMES_F_TYPO : 0) |
			    (inner_hyphen(&sc) ? KITH_NAMES_F_HYPHEN : 0));
	if (ambig) {
		/* a surname the list publishes for the spelling and the
		 * grammar's reading does not hold ("Chae": 최) */
		const struct kith_names_alias *at = ambig_surname_alias(&r);
		for (size_t e = 0; at && e < KITH_NAMES_ALIAS_SUR && at->sur[e]; e++) {
			struct kith_name_syl z = jamo_single((unsigned)at->sur[e] - 1u);
			if (!jamo_meet(&z, &r.syl[0])) {
				r.flags |= KITH_NAMES_F_PUBSUR;
				break;
			}
		}
	}
	*out = r;
	return KITH_OK;
}

/* Whether the first syllable of the Hangul name h is its surname: a surname
 * of the census table before a given name, or one syllable alone that a list
 * of surnames gives (읍, 궁, 영: rare surnames, compared as surnames). */
static int hangul_surname(const struct kith_name *h)
{
	if (h->n_sur == 1 && h->n_syl > 1)
		return 1;
	if (h->n_syl != 1)
		return 0;
	const struct kith_name_syl *y = &h->syl[0];
	/* the initial as written: the fold adds ㄴ and ㅇ to ㄹ, ㅇ to ㄴ */
	unsigned l = (y->ini & BIT(I_R)) ? I_R : (y->ini & BIT(I_N)) ? I_N : (unsigned)__builtin_ctz(y->ini);
	unsigned sy = jamo_syl(l, (unsigned)__builtin_ctz(y->vow), (unsigned)__builtin_ctz(y->fin));
	size_t lo = 0, hi = kith_names_n_listed_surnames;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (kith_names_listed_surnames[mid] < sy)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < kith_names_n_listed_surnames && kith_names_listed_surnames[lo] == sy;
}

/* Whether the Hangul surname of h is one of those the spelling of rn's
 * surname is published or written for (rn->sur_pub), the initial-sound
 * rule folded on both sides (Ri: 리, and 이). */
static int surname_published(const struct kith_name *rn, const struct kith_name *h)
{
	const struct kith_names_alias *at = &kith_names_aliases[rn->sur_pub - 1];
	const struct kith_name_syl *y = &h->syl[0];
	for (size_t k = 0; k < KITH_NAMES_ALIAS_SUR && at->sur[k]; k++) {
		struct kith_name_syl x = jamo_single((unsigned)at->sur[k] - 1u);
		jamo_fold(&x);
		if (jamo_meet(&x, y))
			return 1;
	}
	return 0;
}

/* --- comparing */

/* The list's entry for the surname word of a romanized name whose order is
 * ambiguous (a surname at both ends), in the order read first (its first
 * word; its last when written given name first), from its folded text; NULL
 * when the list has none or the name is of two syllables ("Chae Seok"). */
static const struct kith_names_alias *ambig_surname_alias(const struct kith_name *rn)
{
	if (!(rn->flags & KITH_NAMES_F_AMBIG) || rn->n_sur != 1 || rn->n_syl <= 2 || (rn->exact & 1u))
		return NULL;
	const char *t = rn->text, *w = t, *sp = strchr(t, ' ');
	if (!sp)
		return NULL;
	size_t len = (size_t)(sp - t);
	if (rn->flags & KITH_NAMES_F_WESTERN) {
		w = strrchr(t, ' ') + 1;
		len = strlen(w);
	}
	const struct kith_names_alias *at = alias_find(w, len);
	return at && !at->two && at->sur[0] ? at : NULL;
}

/* A romanized name rn whose order is ambiguous against Hangul h, whose
 * surname the sets of rn's first syllable do not meet but that lists publish
 * rn's surname spelling for ("Chae Min Ra" for 최민라: "Chae" is 채 to the
 * grammar, and 최 in the lists): *w is rn with h's surname added to that
 * syllable, as the name written unambiguously holds it ("Chae Min-ra"); 1,
 * else 0. Out of line: once a pair, for such names only. */
__attribute__((noinline)) static int published_widen(const struct kith_name *rn, const struct kith_name *h,
						     struct kith_name *w)
{
	const struct kith_name_syl *x = &rn->syl[0], *y = &h->syl[0];
	if (jamo_meet(x, y) || !hangul_surname(h))
		return 0;
	const struct kith_names_alias *at = ambig_surname_alias(rn);
	for (size_t k = 0; at && k < KITH_NAMES_ALIAS_SUR && at->sur[k]; k++) {
		struct kith_name_syl z = jamo_single((unsigned)at->sur[k] - 1u);
		jamo_fold(&z);
		if (!jamo_meet(&z, y))
			continue;
		*w = *rn;
		w->syl[0].ini |= y->ini;
		w->syl[0].vow |= y->vow;
		w->syl[0].fin |= y->fin;
		w->pat[0][0] = w->pat[0][1] = 0;
		return 1;
	}
	return 0;
}

#define NORTH_INNER 0.95 /* a syllable inside a name, North ㄹ against the South's ㄴ or ㅇ */

/* Does r (ㄹ) meet o as the initial-sound rule reads ㄹ at the start of a
 * word, vowel by vowel: ㅇ before i or y (림 임, 련 연), ㄴ before the other
 * vowels (라 나)? */
static int north_south(const struct kith_name_syl *r, const struct kith_name_syl *o)
{
	uint32_t vm = r->vow & o->vow;
	return (r->ini & BIT(I_R)) &&
	       (((o->ini & BIT(I_O)) && (vm & V_IY_MASK)) || ((o->ini & BIT(I_N)) && (vm & ~V_IY_MASK)));
}

/* Do x and y differ only as the North and the South write a syllable inside a
 * given name, ㄹ against the initial-sound rule's ㄴ or ㅇ (the North keeps
 * ㄹ; syllables romanized one by one in its way write each as if it began a
 * name: "Pak Song Ryon" for 박송연, "Pak Cho Ra" for 박초나), vowel by
 * vowel: not "Kim Seok Rae" for 김석애, whose ㅇ the rule gives only before
 * i or y. Out of line: only where the initials do not meet. */
__attribute__((noinline)) static int north_inner(const struct kith_name_syl *x, const struct kith_name_syl *y)
{
	return north_south(x, y) || north_south(y, x);
}

static double syl_sim(const struct kith_name *a, size_t i, const struct kith_name *b, size_t j)
{
	const struct kith_name_syl *x = &a->syl[i], *y = &b->syl[j];
	uint32_t im = x->ini & y->ini, vm = x->vow & y->vow, fm = x->fin & y->fin;
	if (im && vm && fm) {
		int ex = (a->exact >> i) & 1, ey = (b->exact >> j) & 1;
		if (ex && ey)
			return 1.0;
		int tx = (a->lv[i] & LATIN_LV_TYPO) != 0, ty = (b->lv[j] & LATIN_LV_TYPO) != 0;
		if (!ex && !ey) {
			/* two romanizations that agree only on some of their readings
			 * ("Suk" and "Seok" meet on 석) rank just below a reading that
			 * agrees with Hangul; one spelling agrees with itself */
			int same = x->ini == y->ini && x->vow == y->vow && x->fin == y->fin;
			if (same)
				return 1.0;
			/* one read with a typo undone (rare_repair), met on a
			 * syllable of names: through the typo's reading */
			struct kith_name_syl m = {im, vm, fm};
			if (tx != ty && jamo_set_level(&m, NULL) > 0)
				return KITH_NAMES_TYPO;
			return 0.995;
		}
		if (ex ? ty : tx) {
			/* a Hangul syllable of names against a set that joins a
			 * typo's reading: met through the typo (rare_repair) */
			unsigned hs =
			    ex ? jamo_syl((unsigned)__builtin_ctz(x->ini), (unsigned)__builtin_ctz(x->vow),
					  (unsigned)__builtin_ctz(x->fin))
			       : jamo_syl((unsigned)__builtin_ctz(y->ini), (unsigned)__builtin_ctz(y->vow),
					  (unsigned)__builtin_ctz(y->fin));
			/* else the chunk's own reading, all of whose syllables
			 * are of level 0 (no model: its pieces were cleared) */
			return kith_names_syl_level[hs] > 0 ? KITH_NAMES_TYPO : 1.0;
		}
		const struct kith_name *rn0 = ex ? b : a, *hn0 = ex ? a : b;
		if (!liaison_ok(rn0, ex ? j : i, hn0, ex ? i : j))
			return 0.7; /* the consonant on neither side */
		if (rn0->sur_pub && i == 0 && j == 0 && hangul_surname(hn0) && !surname_published(rn0, hn0))
			return 0.7; /* a surname this spelling is not written for */
		/* a romanization against Hangul: a reading less probable than the
		 * spelling's best ranks a little lower (the spelling model: "Yong"
		 * is 용 before 영, "Jong" 정 before 종) */
		const struct kith_name *rn = ex ? b : a;
		size_t ri = ex ? j : i;
		if (rn->pat[ri][1]) {
			unsigned hs =
			    ex ? jamo_syl((unsigned)__builtin_ctz(x->ini), (unsigned)__builtin_ctz(x->vow),
					  (unsigned)__builtin_ctz(x->fin))
			       : jamo_syl((unsigned)__builtin_ctz(y->ini), (unsigned)__builtin_ctz(y->vow),
					  (unsigned)__builtin_ctz(y->fin));
			return latin_model_factor(rn->post[ri] - latin_reading_post(hs, rn->pat[ri]));
		}
		unsigned lx = (ex ? a->lv[i] : b->lv[j]) & ~LATIN_LV_TYPO,
			 lmax = (ex ? b->lv[j] : a->lv[i]) & ~LATIN_LV_TYPO;
		return lmax > lx ? 1.0 - 0.002 * (double)(lmax - lx) : 1.0;
	}
	if (!im && vm && fm && !(((a->exact >> i) & (b->exact >> j)) & 1u) && north_inner(x, y))
		return NORTH_INNER;
	double s = im ? 1.0 : jamo_ini_class(x->ini, 0) == jamo_ini_class(y->ini, 0) ? 0.7 : 0.35;
	s *= vm ? 1.0 : jamo_vow_class(x->vow) == jamo_vow_class(y->vow) ? 0.7 : 0.35;
	s *= fm ? 1.0 : ((x->fin & 1u) || (y->fin & 1u)) ? 0.5 : 0.6;
	return s;
}

#define AT(n, rot, i) ((size_t)(((i) + (rot)) % (n)->n_syl))

/* Where the other order of n (KITH_NAMES_F_AMBIG, n_syl > 0) reads a
 * syllable otherwise than the encoder did: at[0] and at[1], the start of
 * that order's surname and given name, fold the initial-sound rule; the start
 * of the given name the encoder read is unfolded, where that order starts
 * none, unless liaison widened it. Returns that syllable's index, or n_syl
 * when none is to be unfolded. */
static size_t order_sites(const struct kith_name *n, size_t at[2])
{
	size_t ns = n->n_syl, own = n->n_sur;
	at[0] = n->alt_rot % ns;
	at[1] = (size_t)(n->alt_rot + n->alt_sur) % ns;
	return own > 0 && own < ns && own != at[0] && own != at[1] && !((n->liai >> own) & 1u) ? own : ns;
}

/* The syllables of n (KITH_NAMES_F_AMBIG) as its other order reads them, into
 * *v (a copy of n), at order_sites. The encoder folds its own order only: one
 * set per order. */
static void other_order(const struct kith_name *n, struct kith_name *v)
{
	*v = *n;
	if (!(n->flags & KITH_NAMES_F_AMBIG) || n->n_syl == 0)
		return;
	size_t at[2], own = order_sites(n, at);
	if (own < n->n_syl) {
		jamo_unfold(&v->syl[own]);
		v->lv[own] = (uint8_t)((n->lv[own] & LATIN_LV_TYPO) | jamo_set_level(&v->syl[own], NULL));
	}
	for (size_t k = 0; k < 2; k++) {
		struct kith_name_syl *y = &v->syl[at[k]];
		uint32_t was = y->ini;
		jamo_fold(y);
		if (y->ini != was && !((n->exact >> at[k]) & 1u))
			v->lv[at[k]] = (uint8_t)((n->lv[at[k]] & LATIN_LV_TYPO) | jamo_set_level(y, NULL));
	}
}

/* Does the other order of n read any syllable otherwise than n holds it
 * (other_order)? Most names: no (no ㄹ or ㄴ where the orders differ). */
static int other_order_differs(const struct kith_name *n)
{
	if (!(n->flags & KITH_NAMES_F_AMBIG) || n->n_syl == 0)
		return 0;
	size_t at[2], own = order_sites(n, at);
	if (own < n->n_syl) {
		struct kith_name_syl y = n->syl[own];
		jamo_unfold(&y);
		if (y.ini != n->syl[own].ini)
			return 1;
	}
	for (size_t k = 0; k < 2; k++) {
		struct kith_name_syl y = n->syl[at[k]];
		jamo_fold(&y);
		if (y.ini != n->syl[at[k]].ini)
			return 1;
	}
	return 0;
}

/* n as its other order reads it: n itself where that changes nothing, else
 * *v (other_order); order_done wipes *v after use. */
static const struct kith_name *order_view(const struct kith_name *n, struct kith_name *v)
{
	if (!other_order_differs(n))
		return n;
	other_order(n, v);
	return v;
}

static void order_done(const struct kith_name *p, struct kith_name *v)
{
	if (p == v)
		sodium_memzero(v, sizeof *v);
}

/* Aligns the syllables of a (from offset a0, la of them, rotated by ra) with
 * those of b: the best product of syllable scores, GAP per unmatched syllable. */
static double align(const struct kith_name *a, size_t ra, size_t a0, size_t la, const struct kith_name *b,
		    size_t rb, size_t b0, size_t lb)
{
	if (la == lb) {
		double p = 1.0;
		for (size_t i = 0; i < la && p > 0.01; i++)
			p *= syl_sim(a, AT(a, ra, a0 + i), b, AT(b, rb, b0 + i));
		/* with equal lengths an alignment with gaps has at least two, and
		 * scores at most GAP * GAP: below every decision the engine makes */
		return p;
	}
	double d[KITH_NAMES_MAX_SYL + 1][KITH_NAMES_MAX_SYL + 1];
	for (size_t i = 0; i <= la; i++)
		for (size_t j = 0; j <= lb; j++) {
			if (i == 0 && j == 0) {
				d[0][0] = 1.0;
				continue;
			}
			double v = 0;
			if (i && j)
				v = d[i - 1][j - 1] *
				    syl_sim(a, AT(a, ra, a0 + i - 1), b, AT(b, rb, b0 + j - 1));
			if (i && d[i - 1][j] * GAP > v)
				v = d[i - 1][j] * GAP;
			if (j && d[i][j - 1] * GAP > v)
				v = d[i][j - 1] * GAP;
			d[i][j] = v;
		}
	return d[la][lb];
}

static double jaro_winkler(const char *s, size_t n, const char *t, size_t m)
{
	if (!n || !m)
		return 0;
	if (n > 64)
		n = 64;
	if (m > 64)
		m = 64;
	size_t win = (n > m ? n : m) / 2;
	win = win ? win - 1 : 0;
	uint8_t ms[64] = {0}, mt[64] = {0};
	size_t match = 0;
	for (size_t i = 0; i < n; i++) {
		size_t lo = i > win ? i - win : 0, hi = i + win + 1 < m ? i + win + 1 : m;
		for (size_t j = lo; j < hi; j++)
			if (!mt[j] && s[i] == t[j]) {
				ms[i] = mt[j] = 1;
				match++;
				break;
			}
	}
	if (!match)
		return 0;
	size_t tr = 0, j = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ms[i])
			continue;
		while (!mt[j])
			j++;
		if (s[i] != t[j])
			tr++;
		j++;
	}
	double mm = (double)match;
	double jw = (mm / (double)n + mm / (double)m + (mm - (double)tr / 2) / mm) / 3;
	size_t pre = 0;
	while (pre < 4 && pre < n && pre < m && s[pre] == t[pre])
		pre++;
	return jw + (double)pre * 0.1 * (1 - jw);
}

static double text_sim(const struct kith_name *a, const struct kith_name *b)
{
	if (!a->text[0] || !b->text[0])
		return 0;
	if (a->latin_h == b->latin_h && strcmp(a->text, b->text) == 0)
		return 1.0;
	return jaro_winkler(a->text, strlen(a->text), b->text, strlen(b->text));
}

static double similarity_korean(const struct kith_name *a, const struct kith_name *b);

static int korean(const struct kith_name *n)
{
	return n->n_syl > 0;
}

/* A name in Chinese characters against one in Latin letters: their pinyin
 * and letters, spaces aside ("李顺姬" and "Li Shunji"): 1 when equal, else
 * a Jaro–Winkler below the same-name threshold unless nearly equal. */
static double pinyin_sim(const struct kith_name *a, const struct kith_name *b)
{
	const struct kith_name *h = a->script == KITH_NAMES_SCRIPT_HANJA ? a : b, *l = h == a ? b : a;
	if (h->script != KITH_NAMES_SCRIPT_HANJA || l->script != KITH_NAMES_SCRIPT_LATIN || !h->text[0] ||
	    !l->text[0])
		return 0;
	char x[KITH_NAMES_TEXT], y[KITH_NAMES_TEXT];
	size_t nx = 0, ny = 0;
	for (const char *p = h->text; *p; p++)
		if (*p != ' ')
			x[nx++] = *p;
	for (const char *p = l->text; *p; p++)
		if (*p != ' ')
			y[ny++] = *p;
	if (nx == ny && memcmp(x, y, nx) == 0)
		return 1.0;
	return 0.85 * jaro_winkler(x, nx, y, ny);
}

double kith_names_similarity(const struct kith_name *a, const struct kith_name *b)
{
	if ((a->script == KITH_NAMES_SCRIPT_HANJA) != (b->script == KITH_NAMES_SCRIPT_HANJA)) {
		double p = pinyin_sim(a, b);
		if (p >= 1.0)
			return p;
		if (!korean(a) || !korean(b))
			return p;
		double k = similarity_korean(a, b);
		return k > p ? k : p;
	}
	if (!korean(a) || !korean(b))
		return (korean(a) || korean(b)) ? 0 : text_sim(a, b);
	return similarity_korean(a, b);
}

/* Where the folded text t holds vowel letters that no romanization writes
 * together, the letter to drop at or before t[p], for up to two readings:
 * three vowels in a row, two of them the same letter ("seeok", "myeoong";
 * not "haeun", which "Ha-eun" folds to), or u before o ("suong": either).
 * Returns how many (0-2) and writes their offsets to d[]. */
static size_t vowel_typo_at(const char *t, size_t p, size_t run, size_t d[2])
{
	if (run >= 3 && t[p - 2] == t[p - 1]) {
		d[0] = p - 1;
		return 1;
	}
	if (run >= 3 && t[p - 1] == t[p]) {
		d[0] = p;
		return 1;
	}
	if (run == 2 && t[p - 1] == 'u' && t[p] == 'o') {
		d[0] = p - 1;
		d[1] = p;
		return 2;
	}
	return 0;
}

static double similarity_korean(const struct kith_name *a, const struct kith_name *b);

/* A romanized name r whose given name reads one syllable longer than h's
 * because a vowel typed twice or in excess splits a syllable in two
 * ("Seeungmin" is 시웅민 for 승민, "Won Seeok" 원시옥 for 원석, "Suong" 수옹
 * for 송). Korean given names are of two syllables, seldom three: a given
 * name of three syllables against one of two is read again with the excess
 * letter dropped, at the typo's factor; 0 when r is not such a name. Out of
 * line: once a pair, for such lengths and letters only. */
__attribute__((noinline)) static double split_vowel(const struct kith_name *r, const struct kith_name *h)
{
	size_t n = r->n_syl, ns = r->n_sur, len = strnlen(r->text, sizeof r->text);
	if (ns == 0 || ns != h->n_sur || n != (size_t)h->n_syl + 1 || n - ns != 3 || r->exact ||
	    (r->flags & (KITH_NAMES_F_TYPO | KITH_NAMES_F_PARTIAL)) || len + 1 >= sizeof r->text)
		return 0;
	const char *t = r->text;
	double best = 0;
	size_t run = 0;
	for (size_t p = 0; p < len; p++) {
		run = strchr("aeiou", t[p]) ? run + 1 : 0;
		size_t d[2], nd = run >= 2 ? vowel_typo_at(t, p, run, d) : 0;
		for (size_t k = 0; k < nd; k++) {
			char buf[KITH_NAMES_TEXT];
			memcpy(buf, t, d[k]);
			memcpy(buf + d[k], t + d[k] + 1, len - d[k] - 1);
			struct kith_name w;
			if (encode_text(&w, buf, len - 1, NULL, NULL) == KITH_OK && w.n_syl == h->n_syl &&
			    w.n_sur == h->n_sur && !(w.flags & (KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TYPO))) {
				double v = similarity_korean(&w, h);
				best = v > best ? v : best;
			}
			sodium_memzero(&w, sizeof w);
			sodium_memzero(buf, sizeof buf);
		}
	}
	return KITH_NAMES_TYPO * best;
}

/* A romanized name r whose hyphen a typo moved by a consonant ("Don-ghyeok"
 * for Dong-hyeok 동혁, "Or-a" for O-ra 오라, "Ji-nook" for Jin-ook 진욱):
 * read again with its words' hyphens dropped (r's folded text, the given
 * name run together as many write it: "Donghyeok"), at the typo's factor,
 * when that reading is another name than r's ("Ji-na" run together is 지나
 * still, and so never 진아; "Yu-na" never 연아). Only for a name of as many
 * syllables as h whose surname meets h's and whose given syllables meet h's
 * on their vowels (given_vowels_meet, tested by the caller): the hyphen
 * moves a consonant inside the given name. 0 when r is not such a name. Out
 * of line: once a pair, for such names only. */
__attribute__((noinline)) static double hyphen_moved(const struct kith_name *r, const struct kith_name *h)
{
	size_t n = r->n_syl, ns = r->n_sur;
	if (ns == 0 || ns != h->n_sur || n != h->n_syl || n - ns < 2 ||
	    (r->flags & (KITH_NAMES_F_TYPO | KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TRUNC)))
		return 0;
	for (size_t i = 0; i < ns; i++)
		if (syl_sim(r, i, h, i) < SAME_THRESHOLD)
			return 0;
	size_t len = strnlen(r->text, sizeof r->text);
	if (len + 1 >= sizeof r->text)
		return 0;
	struct kith_name w, rn = *r; /* (rn: r not read again from within) */
	rn.flags &= (uint8_t)~KITH_NAMES_F_HYPHEN;
	double v = 0;
	/* (a name read alike without its hyphens is not one whose hyphen moved:
	 * "Kyo-ni" is 교니 either way) */
	if (encode_text(&w, r->text, len, NULL, NULL) == KITH_OK && w.n_syl == n && w.n_sur == ns &&
	    !(w.flags & (KITH_NAMES_F_PARTIAL | KITH_NAMES_F_HYPHEN)) &&
	    similarity_korean(&w, &rn) < SAME_THRESHOLD)
		v = similarity_korean(&w, h);
	sodium_memzero(&w, sizeof w);
	sodium_memzero(&rn, sizeof rn);
	return KITH_NAMES_TYPO * v;
}

/* Do a's and b's syllables, as many on each side, meet on their vowels from
 * the given name on? A consonant moved across a hyphen leaves the vowels
 * where they were (hyphen_moved's first test, inline: most pairs of two
 * names fail it). */
static inline int given_vowels_meet(const struct kith_name *a, const struct kith_name *b)
{
	for (size_t i = a->n_sur; i < a->n_syl; i++)
		if (!(a->syl[i].vow & b->syl[i].vow))
			return 0;
	return 1;
}

static double similarity_korean(const struct kith_name *a, const struct kith_name *b)
{
	if (((a->flags | b->flags) & KITH_NAMES_F_PUBSUR) && ((a->exact ^ b->exact) & 1u)) {
		struct kith_name w;
		int ra = !(a->exact & 1u);
		/* (w's first syllable meets h's: published_widen is not met again) */
		if (published_widen(ra ? a : b, ra ? b : a, &w)) {
			double v = ra ? similarity_korean(&w, b) : similarity_korean(a, &w);
			sodium_memzero(&w, sizeof w);
			return v;
		}
	}
	double best = align(a, 0, 0, a->n_syl, b, 0, 0, b->n_syl);
	/* a name read with a typo undone scores at most KITH_NAMES_TYPO, except
	 * against the same text (a name is the same as itself) */
	double typo = ((a->flags | b->flags) & KITH_NAMES_F_TYPO) &&
			      !(a->latin_h == b->latin_h && strcmp(a->text, b->text) == 0)
			  ? KITH_NAMES_TYPO
			  : 1.0;
	/* the other order of an ambiguous name is kept at a small cost, so that
	 * the order the census chose wins a tie ("Jeong Chun" is 정춘 before 전정) */
	struct kith_name ao, bo; /* the other orders, each with its own folds */
	const struct kith_name *av = NULL, *bv = NULL;
	if (best < 1.0 && (a->flags & KITH_NAMES_F_AMBIG)) {
		av = order_view(a, &ao);
		double v = ALT_ORDER * align(av, a->alt_rot, 0, a->n_syl, b, 0, 0, b->n_syl);
		best = v > best ? v : best;
	}
	if (best < 1.0 && (b->flags & KITH_NAMES_F_AMBIG)) {
		bv = order_view(b, &bo);
		double v = ALT_ORDER * align(a, 0, 0, a->n_syl, bv, b->alt_rot, 0, b->n_syl);
		best = v > best ? v : best;
		if (av) {
			v = ALT_ORDER * align(av, a->alt_rot, 0, a->n_syl, bv, b->alt_rot, 0, b->n_syl);
			best = v > best ? v : best;
		}
		order_done(bv, &bo);
	}
	if (av)
		order_done(av, &ao);
	best *= typo;
	/* (split_vowel's lengths, tested here: a given name of three against two) */
	if (best < SAME_THRESHOLD && ((a->n_syl == b->n_syl + 1 && a->n_syl - a->n_sur == 3) ||
				      (b->n_syl == a->n_syl + 1 && b->n_syl - b->n_sur == 3))) {
		double v = a->n_syl > b->n_syl ? split_vowel(a, b) : split_vowel(b, a);
		best = v > best ? v : best;
	}
	/* (hyphen_moved's: a hyphen, as many syllables and surname syllables;
	 * w, read without hyphens, has none, and so is not read again) */
	if (best < SAME_THRESHOLD && ((a->flags | b->flags) & KITH_NAMES_F_HYPHEN) && a->n_syl == b->n_syl &&
	    a->n_sur == b->n_sur && a->n_sur && given_vowels_meet(a, b)) {
		double v = (a->flags & KITH_NAMES_F_HYPHEN) ? hyphen_moved(a, b) : 0;
		best = v > best ? v : best;
		v = best < SAME_THRESHOLD && (b->flags & KITH_NAMES_F_HYPHEN) ? hyphen_moved(b, a) : 0;
		best = v > best ? v : best;
	}
	return best;
}

double kith_names_same_threshold(void)
{
	return SAME_THRESHOLD;
}

/* Is every word of q's folded text (two bytes or more) a word of c's? */
static int words_within(const char *q, const char *c)
{
	size_t cl = strlen(c), seen = 0;
	const char *p = q;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		size_t wl = (size_t)(e - p);
		if (wl >= 2) {
			int found = 0;
			for (size_t i = 0; i + wl <= cl && !found; i++)
				found = (i == 0 || c[i - 1] == ' ') && (i + wl == cl || c[i + wl] == ' ') &&
					memcmp(c + i, p, wl) == 0;
			if (!found)
				return 0;
			seen++;
		}
		p = e;
	}
	return seen > 0;
}

/* read as Korean in whole, and not only with a typo undone (a reading
 * that a typo's repair found may be a name that is not Korean: "Vu Minh
 * Thuy" read as 부민투이) */
static int fully_korean(const struct kith_name *n)
{
	return korean(n) && !(n->flags & (KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TYPO));
}

#define TOKEN_SCORE 0.9	 /* every word of the query is a word of the name ("Nguyen Lan") */
#define PREFIX_SCORE 0.9 /* a surname and the start of the given name ("Kim Kang") */
#define GIVEN_LATIN 0.85 /* a romanized given name alone, read with a surname ("Myong Sim") */
#define GIVEN_OTHER 0.7	 /* a Hangul one (허준 against 양허준: below the same-name threshold) */

/* q read from rotation rot with a surname of ns syllables, against c's
 * surname and the start of its given name */
static double prefix_score(const struct kith_name *q, size_t rot, size_t ns, const struct kith_name *c)
{
	if (ns == 0 || ns != c->n_sur || q->n_syl <= ns || q->n_syl - ns >= (size_t)(c->n_syl - c->n_sur) + 1)
		return 0;
	size_t g = q->n_syl - ns;
	if ((q->flags & KITH_NAMES_F_AMBIG) && rot == q->alt_rot && rot != 0) {
		/* the other order, with its own folds */
		struct kith_name qo;
		const struct kith_name *qv = order_view(q, &qo);
		double v = PREFIX_SCORE * align(qv, rot, 0, ns, c, 0, 0, ns) *
			   align(qv, rot, ns, g, c, 0, c->n_sur, g);
		order_done(qv, &qo);
		return v;
	}
	return PREFIX_SCORE * align(q, rot, 0, ns, c, 0, 0, ns) * align(q, rot, ns, g, c, 0, c->n_sur, g);
}

static double query_korean(const struct kith_name *q, const struct kith_name *c)
{
	if (!korean(q) || !korean(c))
		return kith_names_similarity(q, c);
	if (q->flags & KITH_NAMES_F_SURONLY) {
		/* a surname alone: the candidate's surname */
		double s = 0;
		if (c->n_sur == q->n_sur && c->n_syl > q->n_sur)
			s = align(q, 0, 0, q->n_sur, c, 0, 0, q->n_sur);
		if ((c->flags & KITH_NAMES_F_AMBIG) && c->alt_sur == q->n_sur) {
			struct kith_name co;
			const struct kith_name *cv = order_view(c, &co);
			double v = align(q, 0, 0, q->n_sur, cv, c->alt_rot, 0, q->n_sur);
			s = v > s ? v : s;
			order_done(cv, &co);
		}
		if (c->n_syl == q->n_sur && c->n_sur == q->n_sur)
			s = kith_names_similarity(q, c) / 0.9; /* a surname alone against one alone */
		return 0.9 * s > 1 ? 1 : 0.9 * s;
	}
	double best = kith_names_similarity(q, c);
	if (best >= 1.0)
		return best;
	/* a full query at least as long as the candidate is not partial */
	if (q->n_sur > 0 && q->n_syl >= c->n_syl)
		return best;
	/* a surname and the start of a given name: 김강, "Kim Kang" for 김강범;
	 * written surname first (a part of a given name before the surname is
	 * not how a name is shortened): when the order is ambiguous, the
	 * reading whose surname is the first word only ("Che Jong" is 채 + 종,
	 * not 정 + 재, although 정 is the more common surname) */
	if (q->n_sur > 0) {
		int first_word = (q->flags & KITH_NAMES_F_AMBIG) && (q->flags & KITH_NAMES_F_WESTERN);
		double v =
		    first_word ? prefix_score(q, q->alt_rot, q->alt_sur, c) : prefix_score(q, 0, q->n_sur, c);
		best = v > best ? v : best;
	}
	/* the query as a given name alone (or read with a surname it does not
	 * have), in the order it was written ("Myong Sim" for 리명심) */
	size_t cg = c->n_sur, cl = c->n_syl - c->n_sur;
	if (cl > 0) {
		size_t rot = (q->flags & KITH_NAMES_F_WESTERN) ? q->n_sur : 0;
		double f = q->n_sur == 0					    ? 0.95
			   : q->script == KITH_NAMES_SCRIPT_LATIN && q->n_syl == cl ? GIVEN_LATIN
										    : GIVEN_OTHER;
		double v = f * align(q, rot, 0, q->n_syl, c, 0, cg, cl);
		if (rot && f < 0.95) {
			double w = f * align(q, 0, 0, q->n_syl, c, 0, cg, cl);
			v = w > v ? w : v;
		}
		best = v > best ? v : best;
	}
	return best;
}

double kith_names_query_score(const struct kith_name *q, const struct kith_name *c)
{
	double best = query_korean(q, c);
	/* any word of a name that is not Korean, or not read with a surname:
	 * "Somchai", "Lopez", "Nguyen Lan" for Nguyen Thi Lan */
	if (best < TOKEN_SCORE && (!fully_korean(q) || !fully_korean(c) || q->n_sur == 0 || c->n_sur == 0) &&
	    words_within(q->text, c->text))
		best = TOKEN_SCORE;
	return best;
}

/* Every word of q's text, one letter or more, is a word of c's, in the same
 * order ("Ŭn U" is not in "Choe So Ŭn", "Tong Ri" not in "Ri Tong Gun"): 1;
 * 2 when q's first word is c's first; 0 otherwise. */
int kith_names_query_words(const struct kith_name *q, const struct kith_name *c)
{
	size_t cl = strlen(c->text), from = 0;
	int all = 1, lead = 0, any = 0;
	for (const char *p = q->text + strspn(q->text, " "); *p && all; p += strspn(p, " ")) {
		size_t wl = strcspn(p, " ");
		int found = 0;
		for (size_t i = from; i + wl <= cl && !found; i++)
			if ((i == 0 || c->text[i - 1] == ' ') && (i + wl == cl || c->text[i + wl] == ' ') &&
			    memcmp(c->text + i, p, wl) == 0) {
				found = i == 0 ? 2 : 1;
				from = i + wl;
			}
		if (!any)
			lead = found == 2;
		any = 1;
		all = found != 0;
		p += wl;
	}
	return any && all ? 1 + lead : 0;
}

/* The parts of kith_names_query_score, for a caller that ranks them itself
 * (search): alignments with no factor for the kind of query. */
void kith_names_query_parts(const struct kith_name *q, const struct kith_name *c,
			    struct kith_names_query_parts *out)
{
	memset(out, 0, sizeof *out);
	out->whole = kith_names_similarity(q, c);
	out->token = out->whole < 1.0 &&
		     (!fully_korean(q) || !fully_korean(c) || q->n_sur == 0 || c->n_sur == 0) &&
		     words_within(q->text, c->text);
	if (!korean(q) || !korean(c) || (q->flags & KITH_NAMES_F_SURONLY) || out->whole >= 1.0 ||
	    (q->n_sur > 0 && q->n_syl >= c->n_syl))
		return;
	if ((q->flags & KITH_NAMES_F_AMBIG) && (q->flags & KITH_NAMES_F_WESTERN))
		out->prefix = prefix_score(q, q->alt_rot, q->alt_sur, c) / PREFIX_SCORE;
	else if (!(q->flags & KITH_NAMES_F_WESTERN))
		out->prefix = prefix_score(q, 0, q->n_sur, c) / PREFIX_SCORE;
	size_t gl = c->n_syl - c->n_sur;
	if (gl > 0)
		out->given = align(q, (q->flags & KITH_NAMES_F_WESTERN) ? q->n_sur : 0, 0, q->n_syl, c, 0,
				   c->n_sur, gl);
}

/* --- keys */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t key_of(uint64_t salt, const uint16_t *codes, size_t n)
{
	uint64_t h = mix64(salt * 0x9E3779B97F4A7C15ULL + n);
	for (size_t i = 0; i < n; i++)
		h = mix64(h ^ (codes[i] + 0x1000u * (i + 1)));
	return h ? h : 1;
}

static void add_key(uint64_t keys[KITH_NAMES_MAX_KEYS], size_t *n, uint64_t k)
{
	for (size_t i = 0; i < *n; i++)
		if (keys[i] == k)
			return;
	if (*n < KITH_NAMES_MAX_KEYS)
		keys[(*n)++] = k;
}

/* The keys of one reading of nm (rotated by rot, surname of n_sur
 * syllables): the whole name in order, surname + first given syllable,
 * surname + last given syllable, the given name, and the bag of syllables. */
static void reading_codes(const struct kith_name *nm, size_t rot, size_t n_sur,
			  uint16_t code[KITH_NAMES_MAX_SYL], struct kith_name_syl sy[KITH_NAMES_MAX_SYL]);

static void reading_keys(const struct kith_name *nm, size_t rot, size_t n_sur,
			 uint64_t keys[KITH_NAMES_MAX_KEYS], size_t *nk)
{
	uint16_t code[KITH_NAMES_MAX_SYL] = {0};
	size_t n = nm->n_syl;
	struct kith_name_syl sy[KITH_NAMES_MAX_SYL];
	reading_codes(nm, rot, n_sur, code, sy);
	add_key(keys, nk, key_of(1, code, n));
	if (n_sur > 0 && n_sur < n) {
		uint16_t two[KITH_NAMES_MAX_SYL + 1];
		memcpy(two, code, n_sur * sizeof *code);
		two[n_sur] = code[n_sur];
		add_key(keys, nk, key_of(3, two, n_sur + 1));
		if (n - n_sur >= 2) {
			two[n_sur] = code[n - 1];
			add_key(keys, nk, key_of(4, two, n_sur + 1));
			add_key(keys, nk, key_of(5, code + n_sur, n - n_sur));
		}
	}
	uint16_t bag[KITH_NAMES_MAX_SYL];
	memcpy(bag, code, n * sizeof *code);
	/* the bag of syllables does not depend on the order; the fold classes do */
	for (size_t i = 0; i < n; i++)
		bag[i] = (uint16_t)(jamo_ini_class(sy[i].ini, 1) * 100 + jamo_vow_class(sy[i].vow) * 10 +
				    jamo_fin_class(sy[i].fin));
	for (size_t i = 1; i < n; i++) /* at most 12: insertion sort */
		for (size_t j = i; j > 0 && bag[j] < bag[j - 1]; j--) {
			uint16_t t = bag[j];
			bag[j] = bag[j - 1];
			bag[j - 1] = t;
		}
	add_key(keys, nk, key_of(2, bag, n));
}

/* The coarse class code of each syllable of a reading (rotated by rot,
 * surname of n_sur syllables), liaison moved inside the given name; sy gets
 * the syllables so moved. */
static void codes_of(const struct kith_name *nm, size_t rot, size_t n_sur, uint16_t code[KITH_NAMES_MAX_SYL],
		     struct kith_name_syl sy[KITH_NAMES_MAX_SYL], int with_k);

static void reading_codes(const struct kith_name *nm, size_t rot, size_t n_sur,
			  uint16_t code[KITH_NAMES_MAX_SYL], struct kith_name_syl sy[KITH_NAMES_MAX_SYL])
{
	codes_of(nm, rot, n_sur, code, sy, 1);
}

/* reading_codes; with_k 0: a final ㄱ is not moved (kith_names_codes, whose
 * codes the PPRL encoding is made of, as before the keys moved it) */
static void codes_of(const struct kith_name *nm, size_t rot, size_t n_sur, uint16_t code[KITH_NAMES_MAX_SYL],
		     struct kith_name_syl sy[KITH_NAMES_MAX_SYL], int with_k)
{
	size_t n = nm->n_syl;
	for (size_t i = 0; i < n; i++)
		sy[i] = nm->syl[AT(nm, rot, i)];
	/* liaison inside the given name: a final ㄴ ㄹ ㅁ ㄱ before a syllable that
	 * starts with a vowel is keyed as the next syllable's initial, so 연아
	 * and "Yuna" (유나 or 연아) meet */
	for (size_t i = n_sur; i + 1 < n; i++) {
		static const uint32_t fins = BIT(F_N) | BIT(F_L) | BIT(F_M);
		uint32_t f = sy[i].fin & (with_k ? fins | BIT(F_G) : fins);
		if (!f || !(sy[i + 1].ini & BIT(I_O)))
			continue;
		unsigned t = (unsigned)__builtin_ctz(f);
		sy[i].fin = BIT(F_NONE);
		sy[i + 1].ini = t == F_N ? BIT(I_N) : t == F_L ? BIT(I_R) : t == F_M ? BIT(I_M) : BIT(I_G);
	}
	for (size_t i = 0; i < n; i++) {
		int fold = i == 0 || i == n_sur;
		code[i] = (uint16_t)(jamo_ini_class(sy[i].ini, fold) * 100 + jamo_vow_class(sy[i].vow) * 10 +
				     jamo_fin_class(sy[i].fin));
	}
}

size_t kith_names_codes(const struct kith_name *n, int alt, uint16_t codes[KITH_NAMES_MAX_SYL], size_t *n_sur)
{
	*n_sur = 0;
	if (!korean(n) || (alt && !(n->flags & KITH_NAMES_F_AMBIG)))
		return 0;
	size_t rot = alt ? n->alt_rot : 0, ns = alt ? n->alt_sur : n->n_sur;
	struct kith_name_syl sy[KITH_NAMES_MAX_SYL];
	if (alt) {
		struct kith_name o;
		const struct kith_name *v = order_view(n, &o);
		codes_of(v, rot, ns, codes, sy, 0);
		order_done(v, &o);
	} else {
		codes_of(n, rot, ns, codes, sy, 0);
	}
	*n_sur = ns;
	return n->n_syl;
}

/* The key of a name's syllables read as a given name alone, from rotation
 * rot: it meets the given-name key of a name that has a surname. */
static uint64_t given_key(const struct kith_name *nm, size_t rot)
{
	uint16_t code[KITH_NAMES_MAX_SYL] = {0};
	struct kith_name_syl sy[KITH_NAMES_MAX_SYL];
	/* the syllables that the name's own reading folded (the start of its
	 * surname and given name) and that this reading does not: the
	 * initial as written (은림 read as a given name alone: 림, not 림/임,
	 * whose ㅇ would move 은's final into the key as liaison does) */
	struct kith_name un = *nm;
	for (size_t i = 1; i < nm->n_syl; i++) {
		size_t at = AT(nm, rot, i);
		int folded = at == 0 || at == nm->n_sur;
		if (folded && !((nm->liai >> at) & 1u))
			jamo_unfold(&un.syl[at]);
	}
	reading_codes(&un, rot, 0, code, sy);
	return key_of(5, code, nm->n_syl);
}

static uint64_t word_key(const char *w, size_t n)
{
	return mix64(0x6e616d65ULL ^ ((uint64_t)fnv32(w, n) << 8)) | 1;
}

size_t kith_names_keys(const struct kith_name *n, uint64_t keys[KITH_NAMES_MAX_KEYS])
{
	size_t nk = 0;
	if (korean(n)) {
		reading_keys(n, 0, n->n_sur, keys, &nk);
		if (n->flags & KITH_NAMES_F_AMBIG) {
			struct kith_name o;
			const struct kith_name *v = order_view(n, &o);
			reading_keys(v, n->alt_rot, n->alt_sur, keys, &nk);
			order_done(v, &o);
		}
		return nk;
	}
	return kith_names_word_keys(n, keys); /* not Korean: every word of two bytes or more */
}

size_t kith_names_whole_keys(const struct kith_name *n, uint64_t keys[2])
{
	size_t nk = 0;
	uint16_t code[KITH_NAMES_MAX_SYL] = {0};
	struct kith_name_syl sy[KITH_NAMES_MAX_SYL];
	if (korean(n)) {
		reading_codes(n, 0, n->n_sur, code, sy);
		keys[nk++] = key_of(1, code, n->n_syl);
		if (n->flags & KITH_NAMES_F_AMBIG) {
			struct kith_name o;
			const struct kith_name *v = order_view(n, &o);
			reading_codes(v, n->alt_rot, n->alt_sur, code, sy);
			order_done(v, &o);
			uint64_t k = key_of(1, code, n->n_syl);
			if (k != keys[0])
				keys[nk++] = k;
		}
		return nk;
	}
	size_t len = strlen(n->text);
	if (len == 0)
		return 0;
	keys[nk++] = word_key(n->text, len);
	return nk;
}

size_t kith_names_word_keys(const struct kith_name *n, uint64_t keys[KITH_NAMES_MAX_KEYS])
{
	size_t nk = 0;
	const char *t = n->text;
	size_t len = strlen(t), p = 0;
	while (p < len && nk < KITH_NAMES_MAX_KEYS) {
		size_t q = p;
		while (q < len && t[q] != ' ')
			q++;
		if (q - p >= 2)
			add_key(keys, &nk, word_key(t + p, q - p));
		p = q + 1;
	}
	return nk;
}

size_t kith_names_query_keys(const struct kith_name *q, uint64_t keys[KITH_NAMES_MAX_QKEYS])
{
	uint64_t k[KITH_NAMES_MAX_KEYS];
	size_t n = 0, nk = kith_names_keys(q, k);
	for (size_t i = 0; i < nk; i++)
		keys[n++] = k[i];
	if (korean(q) && q->n_syl >= 2) {
		keys[n++] = given_key(q, (q->flags & KITH_NAMES_F_WESTERN) ? q->n_sur : 0);
		if (q->flags & KITH_NAMES_F_AMBIG)
			keys[n++] = given_key(q, (q->flags & KITH_NAMES_F_WESTERN) ? 0 : q->alt_rot);
	}
	/* the words, for a query that is not a Korean name with a surname (a
	 * Korean one is reached by its blocking keys; "kim" would reach a fifth
	 * of a vault) */
	if (korean(q)) {
		/* ... and for a query of one word, which may be one word of a
		 * name that is not Korean ("Chanida" reads as 찬이다 too) */
		nk = kith_names_word_keys(q, k);
		if (q->n_sur == 0 || (q->flags & (KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TYPO)) || nk == 1)
			for (size_t i = 0; i < nk && n < KITH_NAMES_MAX_QKEYS; i++)
				keys[n++] = k[i];
	}
	/* A syllable whose readings fall in different coarse classes has a key
	 * for one of them only: a Cyrillic н ends a syllable
	 * as ㄴ or ㅇ (Чон is 정 or 전), a Cyrillic е is ㅓ ㅔ ㅕ or ㅖ, a Hanja has
	 * readings of its own (說: 설, 세; 嚇: 하, 혁), liaison reads a
	 * consonant on either side (Чхану: 차누, 창우). The whole-name key of each
	 * way of reading up to three such syllables (at most 8 ways; a syllable
	 * that would make more keeps the key of its lowest reading), so that
	 * "Чон Вон" reaches 정원 and 金說份 김세빈. */
	size_t amb[3], na = 0, ways = 1;
	struct kith_name_syl alts[3][8];
	size_t n_alt[3];
	for (size_t i = 0; korean(q) && i < q->n_syl && na < 3; i++) {
		const struct kith_name_syl *x = &q->syl[i];
		/* where the initial-sound rule is folded, ㄴ ㄹ ㅇ are one class */
		int fold = i == 0 || i == q->n_sur ||
			   ((q->flags & KITH_NAMES_F_AMBIG) &&
			    (i == q->alt_rot || i == (size_t)(q->alt_rot + q->alt_sur) % q->n_syl));
		struct kith_name_syl one[8];
		size_t c = kith_names_class_readings(x, fold, one, 8);
		/* one class, or more ways than the keys can hold: the key of
		 * its lowest reading only */
		if (c < 2 || c > 8 || ways * c > 8)
			continue;
		memcpy(alts[na], one, sizeof one);
		n_alt[na] = c;
		amb[na++] = i;
		ways *= c;
	}
	for (size_t m = 0; na && m < ways && n + 2 <= KITH_NAMES_MAX_QKEYS; m++) {
		struct kith_name alt = *q;
		size_t r = m;
		for (size_t j = 0; j < na; j++) {
			alt.syl[amb[j]] = alts[j][r % n_alt[j]];
			r /= n_alt[j];
		}
		uint64_t wk[2];
		size_t nw = kith_names_whole_keys(&alt, wk);
		for (size_t i = 0; i < nw; i++)
			keys[n++] = wk[i];
	}
	/* a surname in a name whose order is ambiguous, whose spelling lists
	 * publish for other surnames too ("Chae Min Ra": the grammar's 채, and
	 * 최, which syl_sim meets through sur_pub): the whole key of the order
	 * read first with each of them, its other syllables as that order reads
	 * them (the encoder folds that order only) */
	const struct kith_names_alias *pub =
	    korean(q) && (q->flags & KITH_NAMES_F_PUBSUR) ? ambig_surname_alias(q) : NULL;
	if (pub && q->n_syl <= KITH_NAMES_MAX_SYL) {
		struct kith_name un = *q;
		for (size_t a = 0; a < KITH_NAMES_ALIAS_SUR && pub->sur[a] && n < KITH_NAMES_MAX_QKEYS; a++) {
			uint16_t code[KITH_NAMES_MAX_SYL] = {0};
			struct kith_name_syl sy[KITH_NAMES_MAX_SYL];
			un.syl[0] = jamo_single((unsigned)pub->sur[a] - 1u);
			jamo_fold(&un.syl[0]);
			reading_codes(&un, 0, 1, code, sy);
			keys[n++] = key_of(1, code, q->n_syl);
		}
		sodium_memzero(&un, sizeof un);
	}
	/* a surname and the start of a given name whose last syllable ends in
	 * ㄴ ㄹ ㅁ or ㄱ: a name that goes on with a vowel keys that final as the
	 * next syllable's initial (liaison, reading_codes), so 정신영's key of
	 * surname and first given syllable is 정 + 시: "Jeong Shin" has it too
	 * (last: the keys above reach whole names, and come first) */
	if (korean(q) && q->n_sur > 0 && q->n_syl > q->n_sur && q->n_syl <= 3 && n < KITH_NAMES_MAX_QKEYS) {
		int first_word = (q->flags & KITH_NAMES_F_AMBIG) && (q->flags & KITH_NAMES_F_WESTERN);
		size_t rot = first_word ? q->alt_rot : 0, ns = first_word ? q->alt_sur : q->n_sur;
		uint16_t code[KITH_NAMES_MAX_SYL] = {0};
		struct kith_name_syl sy[KITH_NAMES_MAX_SYL];
		struct kith_name one;
		if (first_word)
			other_order(q, &one);
		else
			one = *q;
		size_t last = AT(q, rot, ns);
		/* (a surname and one given syllable: a longer query meets a
		 * whole name by its own keys) */
		if (ns + 1 == q->n_syl && (one.syl[last].fin & (BIT(F_N) | BIT(F_L) | BIT(F_M) | BIT(F_G)))) {
			one.syl[last].fin = BIT(F_NONE);
			reading_codes(&one, rot, ns, code, sy);
			keys[n++] = key_of(3, code, ns + 1);
		}
	}
	/* no key twice */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < m && keys[j] != keys[i])
			j++;
		if (j == m)
			keys[m++] = keys[i];
	}
	return m;
}

uint64_t kith_names_surname_key(const struct kith_name *n)
{
	if (!korean(n) || n->n_sur == 0 || n->n_sur > 2)
		return 0;
	const struct kith_names_surname *best = NULL;
	surname_set_share(&n->syl[0], n->n_sur == 2 ? &n->syl[1] : NULL, &best);
	if (!best)
		return 0;
	return mix64(0x5355524eULL + ((uint64_t)best->s0 << 16) + best->s1) | 1;
}

double kith_names_surname_share(const struct kith_name *n)
{
	if (!korean(n) || n->n_sur == 0 || n->n_sur > 2)
		return 0;
	double s = surname_set_share(&n->syl[0], n->n_sur == 2 ? &n->syl[1] : NULL, NULL);
	return s > 1 ? 1 : s;
}

/* --- readings */

struct cand {
	char hangul[64];
	size_t len;
	double p;
};

static double reading_weight(const struct kith_name *nm, size_t i, unsigned s)
{
	if (i < nm->n_sur) {
		const struct kith_names_surname *sn = nm->n_sur == 1 ? kith_names_surname_find(s, 0) : NULL;
		if (nm->n_sur == 2) {
			/* a compound surname: weighed as a whole at its first syllable */
			return exp(0.1 * LATIN_PRIOR_PER_LEVEL * kith_names_syl_level[s]);
		}
		if (sn)
			return sn->share * 1000.0;
		const struct kith_names_surname *no = kith_names_surname_north(s);
		if (no)
			return no->share * 300.0;
		return 0.01;
	}
	/* the spelling model: prior x likelihood of the pieces (tenths of a nat) */
	return exp((double)latin_reading_post(s, nm->pat[i]) / 10.0);
}

int kith_names_read(const char *utf8, size_t len, struct kith_names_reading *out, size_t max, size_t *n,
		    struct kith_err *err)
{
	struct kith_name nm;
	int rc = kith_names_encode(&nm, utf8, len, err);
	if (rc)
		return rc;
	if (!korean(&nm))
		return kith_err_set(err, KITH_E_INVALID, "name", "not readable as a Korean name");
	enum { BEAM = 24 };
	struct cand beam[BEAM], next[BEAM];
	size_t nb = 1, nn;
	beam[0].len = 0;
	beam[0].p = 1.0;
	beam[0].hangul[0] = '\0';
	size_t ns = nm.n_syl > 20 ? 20 : nm.n_syl;
	for (size_t i = 0; i < ns; i++) {
		const struct kith_name_syl *x = &nm.syl[i];
		nn = 0;
		for (size_t c = 0; c < nb; c++)
			for (uint32_t im = x->ini; im; im &= im - 1)
				for (uint32_t vm = x->vow; vm; vm &= vm - 1)
					for (uint32_t fm = x->fin; fm; fm &= fm - 1) {
						unsigned s = jamo_syl((unsigned)__builtin_ctz(im),
								      (unsigned)__builtin_ctz(vm),
								      (unsigned)__builtin_ctz(fm));
						double p = beam[c].p * reading_weight(&nm, i, s);
						/* keep the BEAM best */
						size_t at = nn;
						if (nn == BEAM) {
							size_t worst = 0;
							for (size_t k = 1; k < nn; k++)
								if (next[k].p < next[worst].p)
									worst = k;
							if (next[worst].p >= p)
								continue;
							at = worst;
						} else {
							nn++;
						}
						next[at] = beam[c];
						if (next[at].len + 4 > sizeof next[at].hangul)
							continue;
						next[at].len += jamo_put(s, next[at].hangul + next[at].len);
						next[at].hangul[next[at].len] = '\0';
						next[at].p = p;
					}
		memcpy(beam, next, nn * sizeof *beam);
		nb = nn;
	}
	/* best first */
	for (size_t i = 1; i < nb; i++)
		for (size_t j = i; j > 0 && beam[j].p > beam[j - 1].p; j--) {
			struct cand t = beam[j];
			beam[j] = beam[j - 1];
			beam[j - 1] = t;
		}
	double sum = 0;
	for (size_t i = 0; i < nb; i++)
		sum += beam[i].p;
	size_t k = 0;
	for (; k < nb && k < max; k++) {
		memcpy(out[k].hangul, beam[k].hangul, beam[k].len + 1);
		out[k].score = sum > 0 ? beam[k].p / sum : 0;
		out[k].western = (nm.flags & KITH_NAMES_F_WESTERN) != 0;
	}
	*n = k;
	return KITH_OK;
}

size_t kith_names_class_readings(const struct kith_name_syl *y, int fold, struct kith_name_syl *out,
				 size_t max)
{
	unsigned cls[16];
	size_t c = 0;
	if (max > 16)
		max = 16;
	for (uint32_t im = y->ini; im; im &= im - 1)
		for (uint32_t vm = y->vow; vm; vm &= vm - 1)
			for (uint32_t fm = y->fin; fm; fm &= fm - 1) {
				/* the lowest bits: one reading */
				struct kith_name_syl r = {im & (~im + 1u), vm & (~vm + 1u), fm & (~fm + 1u)};
				unsigned cl = jamo_ini_class(r.ini, fold) * 256u +
					      jamo_vow_class(r.vow) * 16u + jamo_fin_class(r.fin);
				size_t j = 0;
				while (j < c && cls[j] != cl)
					j++;
				if (j < c)
					continue;
				if (c == max)
					return max + 1;
				cls[c] = cl;
				out[c++] = r;
			}
	return c;
}
