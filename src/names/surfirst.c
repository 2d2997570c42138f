/*
 * surfirst — a romanized query read with its first word as the surname, for
 * search (helper search13, issue 13).
 *
 * The encoder chooses one order for a name of two words and reads a name of
 * two syllables without a surname when its first word is not a surname to
 * the grammar ("Nan Soo": 난수; "Young Seul": 영슬), in Western order when
 * the last word is the more common surname ("Kwan Yoo": 유관), and without
 * the surnames a list publishes for a spelling when both ends may be
 * surnames ("Sung Shi": 성 + 시, not 송). A search query of a surname and
 * the start of a given name is written so too: this is its other reading.
 *
 * And kith_names_vault_prior: a romanized query's match against a Hangul
 * name weighed by the likelihood of the spelling (the vault's names the
 * prior) rather than by the probability of the reading (the table of name
 * syllables the prior).
 */
#include <sodium.h>
#include <string.h>

#include "names/jamo.h"
#include "names/latin.h"
#include "names/names.h"
#include "names/tables.h"

#define SF_MAX 64 /* bytes of a query read so; a longer one has no such reading */

static int plain(const struct kith_name *n)
{
	return n->script == KITH_NAMES_SCRIPT_LATIN && n->n_syl > 0 &&
	       !(n->flags & (KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TYPO | KITH_NAMES_F_TRUNC));
}

int kith_names_surname_first(struct kith_name *out, const char *utf8, size_t len)
{
	while (len && utf8[0] == ' ') {
		utf8++;
		len--;
	}
	while (len && utf8[len - 1] == ' ')
		len--;
	if (len == 0 || len > SF_MAX)
		return 0;
	size_t sp = 0;
	while (sp < len && utf8[sp] != ' ')
		sp++;
	if (sp == len)
		return 0;
	/* the rest, its words joined by hyphens: a given name */
	char rest[SF_MAX + 4];
	size_t n = 0;
	for (size_t i = sp; i < len; i++) {
		if (utf8[i] == ' ') {
			if (n && rest[n - 1] != '-')
				rest[n++] = '-';
			continue;
		}
		rest[n++] = utf8[i];
	}
	struct kith_name w, f, g;
	int ok = kith_names_encode(&w, utf8, len, NULL) == KITH_OK && plain(&w) &&
		 kith_names_encode(&f, utf8, sp, NULL) == KITH_OK && plain(&f) &&
		 (f.flags & KITH_NAMES_F_SURONLY) && f.n_sur == f.n_syl && f.n_syl <= 2 &&
		 kith_names_encode(&g, rest, n, NULL) == KITH_OK && plain(&g) &&
		 (g.n_sur == 0 || g.n_syl == 1) && g.n_syl + f.n_syl <= KITH_NAMES_MAX_SYL;
	/* a syllable alone is read as a surname, with every surname a list
	 * publishes its spelling for ("Seo": 서 and 소): before another
	 * syllable it is the first of a given name ("Seo-ga": 서 + 가) */
	if (ok && g.n_syl == 1 && n + 3 <= SF_MAX) {
		struct kith_name g2;
		memcpy(rest + n, "-ga", 3);
		ok = kith_names_encode(&g2, rest, n + 3, NULL) == KITH_OK && plain(&g2) && g2.n_syl == 2 &&
		     g2.n_sur == 0;
		if (ok) {
			g2.n_syl = 1;
			g2.liai = 0;
			g = g2;
		}
		sodium_memzero(&g2, sizeof g2);
	}
	/* nothing new when the encoder read it so already */
	ok = ok && !(w.n_sur == f.n_syl && !(w.flags & (KITH_NAMES_F_WESTERN | KITH_NAMES_F_AMBIG)) &&
		     w.n_syl == f.n_syl + g.n_syl);
	if (ok) {
		struct kith_name r;
		size_t ns = f.n_syl;
		memset(&r, 0, sizeof r);
		for (size_t i = 0; i < ns; i++) {
			r.syl[i] = f.syl[i];
			r.lv[i] = f.lv[i];
		}
		r.sur_pub = f.sur_pub;
		for (size_t i = 0; i < g.n_syl; i++) {
			r.syl[ns + i] = g.syl[i];
			r.lv[ns + i] = g.lv[i];
			memcpy(r.pat[ns + i], g.pat[i], sizeof r.pat[0]);
			r.post[ns + i] = g.post[i];
		}
		r.liai = (uint16_t)(g.liai << ns);
		r.n_syl = (uint8_t)(ns + g.n_syl);
		r.n_sur = (uint8_t)ns;
		r.script = KITH_NAMES_SCRIPT_LATIN;
		r.latin_h = w.latin_h;
		memcpy(r.text, w.text, sizeof r.text);
		*out = r;
	}
	sodium_memzero(rest, sizeof rest);
	sodium_memzero(&w, sizeof w);
	sodium_memzero(&f, sizeof f);
	sodium_memzero(&g, sizeof g);
	return ok;
}

#define PK_WAYS 4 /* readings of one syllable, of distinct coarse classes, keyed */

size_t kith_names_prefix_keys(const struct kith_name *q, uint64_t *keys, size_t max)
{
	if (q->n_syl != 2 || q->n_sur != 1 || (q->flags & KITH_NAMES_F_AMBIG))
		return 0;
	struct kith_name_syl a[PK_WAYS], b[PK_WAYS];
	size_t na = kith_names_class_readings(&q->syl[0], 1, a, PK_WAYS),
	       nb = kith_names_class_readings(&q->syl[1], 1, b, PK_WAYS), n = 0;
	na = na > PK_WAYS ? PK_WAYS : na; /* more classes: the first PK_WAYS */
	nb = nb > PK_WAYS ? PK_WAYS : nb;
	/* a final that a name's keys move to the next syllable when it starts
	 * with a vowel (names.c, codes_of: 선옥 is keyed as 서녹, 슬은 as
	 * 스른): the start of such a given name is keyed without it too */
	const uint32_t liaison = BIT(F_N) | BIT(F_L) | BIT(F_M) | BIT(F_G);
	int moved = (q->syl[1].fin & liaison) != 0;
	if (na * nb < 2 && !moved)
		return 0; /* one class each: kith_names_query_keys has them */
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			for (int m = 0; m <= moved; m++) {
				struct kith_name one = *q;
				one.syl[0] = a[i];
				one.syl[1] = b[j];
				if (m)
					one.syl[1].fin = BIT(F_NONE);
				one.liai = 0;
				uint64_t k[KITH_NAMES_MAX_KEYS];
				size_t nk = kith_names_keys(&one, k);
				for (size_t x = 0; x < nk; x++) {
					size_t y = 0;
					while (y < n && keys[y] != k[x])
						y++;
					if (y == n && n < max)
						keys[n++] = k[x];
				}
				sodium_memzero(&one, sizeof one);
			}
	return n;
}

#define PC_MAX 80 /* bytes of a query whose pieces are read; a longer one has none */

/* Is utf8[i..] a separator of words (an ASCII space, an ideographic
 * space)? Its length, or 0. */
static size_t space_at(const char *utf8, size_t len, size_t i)
{
	if (utf8[i] == ' ')
		return 1;
	if (i + 2 < len && (unsigned char)utf8[i] == 0xE3 && (unsigned char)utf8[i + 1] == 0x80 &&
	    (unsigned char)utf8[i + 2] == 0x80)
		return 3;
	return 0;
}

/* Do the sets of syllable x (of the query) lie within those of y (the same
 * text read as a given syllable), its initial met? */
static int within(const struct kith_name_syl *x, const struct kith_name_syl *y)
{
	return (x->ini & y->ini) && (x->vow & y->vow) == x->vow && (x->fin & y->fin) == x->fin;
}

/* Is syllable i of q the first of a given name, in either order? The
 * engine gives its initial no model (the initial-sound rule), nor does
 * search: "ch" is ㅈ as often as ㅊ there in the lists kith meets (MR and
 * the North write ㅈ "ch"). */
static int first_given(const struct kith_name *q, size_t i)
{
	if (i == q->n_sur || q->n_sur == 0)
		return i == q->n_sur;
	return (q->flags & KITH_NAMES_F_AMBIG) && i == (size_t)(q->alt_rot + q->alt_sur) % q->n_syl;
}

#define CTX_COST 23 /* tenths of a nat: a reading one system in ten writes so (latin.c's L10) */

/* The letter at utf8[*i] folded to lower-case ASCII (full-width forms too),
 * or 0 for another character; *i moves past it. */
static char ascii_at(const char *utf8, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)utf8[*i];
	if (c < 0x80) {
		(*i)++;
		return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : (char)c;
	}
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	char r = 0;
	if (n == 3 && *i + 2 < len && c == 0xEF) { /* U+FF01..FF5E: full-width ASCII */
		unsigned cp = ((c & 0x0Fu) << 12) | (((unsigned char)utf8[*i + 1] & 0x3Fu) << 6) |
			      ((unsigned char)utf8[*i + 2] & 0x3Fu);
		if (cp >= 0xFF01 && cp <= 0xFF5E) {
			unsigned a = cp - 0xFF01 + 0x21;
			r = (char)(a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a);
		}
	}
	*i += n;
	return r;
}

/* Which system a romanized name follows, as far as it shows (*rr: Revised
 * Romanization or the common English spelling, which write ㄷ ㅈ ㅂ "d",
 * "j", "b"; *mr: McCune–Reischauer or the North's style, which write them
 * "t", "ch", "p" at the start of a word and their aspirates "t'", "th"):
 * eo or eu, or a surname written with g, d, b or j (Gim, Bak, Jeong), is
 * the first; a breve (ŏ, ŭ), an apostrophe of aspiration, th or ph in a
 * given name, or a surname as the North or MR writes it (Ri, Rim, Ro,
 * Ryang, Pak), the second. The surname is the first word, the last when
 * western. */
static void systems(const char *utf8, size_t len, int western, int *rr, int *mr, int *north)
{
	char w[PC_MAX];			   /* the text folded, words apart by one space */
	size_t n = 0, words = 0, last = 0; /* last: where the last word starts */
	*rr = *mr = *north = 0;
	for (size_t i = 0; i < len && n + 1 < sizeof w;) {
		unsigned char c = (unsigned char)utf8[i];
		if (i + 1 < len && c == 0xC5) {
			unsigned d = (unsigned char)utf8[i + 1];
			*mr |= d == 0x8E || d == 0x8F || d == 0xAC || d == 0xAD; /* Ŏ ŏ Ŭ ŭ */
		}
		size_t sp = space_at(utf8, len, i);
		if (sp) {
			i += sp;
			if (n && w[n - 1] != ' ')
				w[n++] = ' ';
			continue;
		}
		char a = ascii_at(utf8, len, &i);
		if (a == '\'' && n &&
		    (w[n - 1] == 'k' || w[n - 1] == 't' || w[n - 1] == 'p' || w[n - 1] == 'h'))
			*mr = 1;
		if (a >= 'a' && a <= 'z') {
			if (!n || w[n - 1] == ' ') {
				words++;
				last = n;
			}
			w[n++] = a;
		} else if (a == '-' && n && w[n - 1] != ' ')
			w[n++] = '-';
	}
	while (n && w[n - 1] == ' ')
		n--;
	if (!words)
		return;
	size_t s0 = western ? last : 0, s1 = s0;
	while (s1 < n && w[s1] != ' ')
		s1++;
	for (size_t i = 0; i + 1 < n; i++) {
		if (w[i] == 'e' && (w[i + 1] == 'o' || w[i + 1] == 'u'))
			*rr = 1;
		/* th, ph before a vowel, in a given name */
		if ((i < s0 || i >= s1) && (w[i] == 't' || w[i] == 'p') && w[i + 1] == 'h' && i + 2 < n &&
		    strchr("aeiouwy", w[i + 2]))
			*north = 1;
	}
	static const char *const sur[] = {"ri", "rim", "ro", "ryang", "pak"};
	for (size_t k = 0; k < sizeof sur / sizeof sur[0]; k++)
		if (strlen(sur[k]) == s1 - s0 && memcmp(w + s0, sur[k], s1 - s0) == 0)
			*north = 1;
	if (s1 > s0 + 1 && strchr("gdbj", w[s0]) && strchr("aeiouwy", w[s0 + 1]))
		*rr = 1;
	/* the common English spelling: a surname only it writes so, oo, ee */
	static const char *const common[] = {"choi", "park", "lee", "shin", "yoon", "ahn", "lim", "moon"};
	for (size_t k = 0; k < sizeof common / sizeof common[0]; k++)
		if (strlen(common[k]) == s1 - s0 && memcmp(w + s0, common[k], s1 - s0) == 0)
			*rr = 1;
	for (size_t i = 0; i + 1 < n; i++)
		if ((w[i] == 'o' && w[i + 1] == 'o') || (w[i] == 'e' && w[i + 1] == 'e'))
			*rr = 1;
	sodium_memzero(w, sizeof w);
}

/* Fills pc->plain and pc->asp for the syllables of q (a joined reading a,
 * syllable i of q at a's 1 + (i + r) % n) whose initial is written t, p or
 * ch: inside a given name after a vowel or a nasal, MR and the North voice
 * the plain consonant ("Yu-dae", "Tong-gu"), so t and p are the aspirate
 * in every system ("Yu-tae": 유태, not 유대; ch is weighed so by latin.c
 * already); at the start of the given name, the system the name follows
 * decides, where it shows one and not the other. */
static void weigh_initials(struct kith_names_pieces *pc, const struct kith_name *q, const struct kith_name *a,
			   size_t r, int rr, int mr, int north)
{
	const uint32_t t = 1u << I_D | 1u << I_T, p = 1u << I_B | 1u << I_P, ch = 1u << I_J | 1u << I_CH;
	const uint32_t voiced =
	    1u << F_NONE | 1u << F_N | 1u << F_NJ | 1u << F_NH | 1u << F_M | 1u << F_LM | 1u << F_NG;
	size_t n = q->n_syl;
	for (size_t i = q->n_sur; i < n; i++) {
		uint32_t ini = a->syl[1 + (i + r) % n].ini;
		if (ini != t && ini != p && ini != ch)
			continue;
		if (first_given(q, i)) {
			int m = mr || (north && ini == t); /* MR-plain and the North write 채 "Chae" */
			if (rr != m && ini != p)
				*(rr ? &pc->plain[i] : &pc->asp[i]) = CTX_COST;
		} else if (ini != ch && i > 0 && !(q->syl[i - 1].fin & ~voiced)) {
			pc->plain[i] = CTX_COST;
		}
	}
}

int kith_names_query_pieces(struct kith_names_pieces *out, const char *utf8, size_t len,
			    const struct kith_name *q)
{
	memset(out, 0, sizeof *out);
	size_t n = q->n_syl;
	if (!plain(q) || n + 1 > KITH_NAMES_MAX_SYL || len == 0 || len > PC_MAX)
		return 0;
	/* Cyrillic: the pieces' weights are those of the Latin spellings (ё
	 * writes 영 more often than "yo" does) */
	for (size_t i = 0; i + 1 < len; i++)
		if ((unsigned char)utf8[i] == 0xD0 || (unsigned char)utf8[i] == 0xD1)
			return 0;
	/* the words joined by hyphens after a syllable of no interest ("Ga-Kim-
	 * Chi-won"): read so, every syllable is a given syllable after another,
	 * and keeps both its pieces */
	char t[PC_MAX + 8];
	size_t m = 3;
	memcpy(t, "ga-", 3);
	for (size_t i = 0; i < len;) {
		size_t sp = space_at(utf8, len, i);
		if (sp) {
			if (t[m - 1] != '-')
				t[m++] = '-';
			i += sp;
			continue;
		}
		t[m++] = utf8[i++];
	}
	while (m > 0 && t[m - 1] == '-')
		m--;
	struct kith_name a;
	int ok =
	    kith_names_encode(&a, t, m, NULL) == KITH_OK && plain(&a) && a.n_sur == 0 && a.n_syl == n + 1;
	/* the query's syllable i is the joined reading's 1 + (i + r) % n: r
	 * moves a surname written last to the front */
	size_t r = 0, tried = 0;
	if (ok) {
		r = (q->flags & KITH_NAMES_F_WESTERN) ? n - q->n_sur : 0;
		for (; tried < n; tried++, r = (r + 1) % n) {
			size_t i = 0;
			while (i < n && within(&q->syl[i], &a.syl[1 + (i + r) % n]) &&
			       a.pat[1 + (i + r) % n][1])
				i++;
			if (i == n)
				break;
		}
		ok = tried < n;
	}
	if (ok) {
		/* a name that follows a system (latin_marks_system): the North's
		 * surnames (Ri, Rim) mark it too, which the joined reading, whose
		 * first syllable is no surname, does not see */
		int sys = 0, north = 0;
		for (size_t k = 1; k <= n; k++)
			sys |= latin_marks_system(a.pat[k][0], a.pat[k][1], 0) || a.pat[k][1] > LATIN_N_VOWS;
		for (size_t i = 0; i < q->n_sur; i++) {
			const uint8_t *p = a.pat[1 + (i + r) % n];
			north |= latin_marks_system(p[0], p[1], 1);
		}
		for (size_t i = 0; i < n; i++) {
			const uint8_t *p = a.pat[1 + (i + r) % n];
			out->pat[i][0] = first_given(q, i) ? 0 : p[0];
			out->pat[i][1] = (uint8_t)(north && !sys ? latin_vow_systematic(p[1]) : p[1]);
		}
		int rr, mr, nk;
		systems(utf8, len, (q->flags & KITH_NAMES_F_WESTERN) != 0, &rr, &mr, &nk);
		weigh_initials(out, q, &a, r, rr, mr, nk);
	}
	sodium_memzero(t, sizeof t);
	sodium_memzero(&a, sizeof a);
	return ok;
}

/* The engine's factor for a romanized syllable x read without pieces
 * against a Hangul syllable of level lx (names.c, syl_sim): a reading
 * less common than the spelling's commonest ranks a little lower. */
static double level_factor(unsigned lmax, unsigned lx)
{
	return lmax > lx ? 1.0 - 0.002 * (double)(lmax - lx) : 1.0;
}

/* The cost of reading syllable i's initial as l (kith_names_pieces' plain
 * and asp). */
static int ctx_cost(const struct kith_names_pieces *pc, size_t i, unsigned l)
{
	if (!pc)
		return 0;
	if (l == I_D || l == I_B || l == I_J)
		return pc->plain[i];
	if (l == I_T || l == I_P || l == I_CH)
		return pc->asp[i];
	return 0;
}

double kith_names_vault_prior(const struct kith_name *q, const struct kith_names_pieces *pc, size_t q0,
			      const struct kith_name *c, size_t c0, size_t n)
{
	if (q->script == KITH_NAMES_SCRIPT_HANGUL || n > q->n_syl || c0 + n > c->n_syl)
		return 1.0;
	double f = 1.0;
	for (size_t k = 0; k < n; k++) {
		size_t i = (q0 + k) % q->n_syl, j = c0 + k;
		const struct kith_name_syl *x = &q->syl[i], *y = &c->syl[j];
		const uint8_t *own = q->pat[i][1] ? q->pat[i] : NULL;
		const uint8_t *lik = pc && pc->pat[i][1] ? pc->pat[i] : own;
		/* a surname against a surname keeps the engine's weight (its
		 * spellings are habits of their own: Lee, Park) */
		if (!lik || !((c->exact >> j) & 1) || ((q->exact >> i) & 1) ||
		    (j < c->n_sur && q->n_sur > 0) || !jamo_meet(x, y) || (q->lv[i] & LATIN_LV_TYPO))
			continue;
		unsigned hs = jamo_syl((unsigned)__builtin_ctz(y->ini), (unsigned)__builtin_ctz(y->vow),
				       (unsigned)__builtin_ctz(y->fin));
		if (hs >= JAMO_NSYL)
			continue;
		/* the engine's score: the reading's log-posterior below the best,
		 * or, without pieces, its level below the commonest reading's */
		double engine = own ? latin_model_factor(q->post[i] - latin_reading_post(hs, own))
				    : level_factor(q->lv[i] & ~LATIN_LV_TYPO, c->lv[j] & ~LATIN_LV_TYPO);
		/* the likelihood: the pieces' cost above the least of the
		 * syllable's readings */
		int least = 1 << 20;
		for (uint32_t im = x->ini; im; im &= im - 1)
			for (uint32_t vm = x->vow; vm; vm &= vm - 1) {
				unsigned l = (unsigned)__builtin_ctz(im);
				int cost = (int)latin_ini_cost(lik[0], l) + ctx_cost(pc, i, l) +
					   (int)latin_vow_cost(lik[1], (unsigned)__builtin_ctz(vm));
				least = cost < least ? cost : least;
			}
		int cost = latin_piece_cost(hs, lik) + ctx_cost(pc, i, (unsigned)__builtin_ctz(y->ini));
		f *= latin_model_factor(cost - least) / engine;
	}
	return f;
}
