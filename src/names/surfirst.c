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
#include <string.h>

#include "names/jamo.h"
#include "names/latin.h"
#include "names/names.h"
#include "names/tables.h"

#define SF_MAX 64 /* bytes of a query read so; a longer one has no such reading */

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}

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
		 kith_names_encode(&f, utf8, sp, NULL) == KITH_OK && plain(&f) && f.n_syl == 1 &&
		 (f.flags & KITH_NAMES_F_SURONLY) && kith_names_encode(&g, rest, n, NULL) == KITH_OK &&
		 plain(&g) && (g.n_sur == 0 || g.n_syl == 1) && g.n_syl < KITH_NAMES_MAX_SYL;
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
		wipe(&g2, sizeof g2);
	}
	/* nothing new when the encoder read it so already */
	ok = ok && !(w.n_sur == 1 && !(w.flags & (KITH_NAMES_F_WESTERN | KITH_NAMES_F_AMBIG)) &&
		     w.n_syl == 1 + g.n_syl);
	if (ok) {
		struct kith_name r;
		memset(&r, 0, sizeof r);
		r.syl[0] = f.syl[0];
		r.lv[0] = f.lv[0];
		r.sur_pub = f.sur_pub;
		for (size_t i = 0; i < g.n_syl; i++) {
			r.syl[1 + i] = g.syl[i];
			r.lv[1 + i] = g.lv[i];
			memcpy(r.pat[1 + i], g.pat[i], sizeof r.pat[0]);
			r.post[1 + i] = g.post[i];
		}
		r.liai = (uint16_t)(g.liai << 1);
		r.n_syl = (uint8_t)(1 + g.n_syl);
		r.n_sur = 1;
		r.script = KITH_NAMES_SCRIPT_LATIN;
		r.latin_h = w.latin_h;
		memcpy(r.text, w.text, sizeof r.text);
		*out = r;
	}
	wipe(rest, sizeof rest);
	wipe(&w, sizeof w);
	wipe(&f, sizeof f);
	wipe(&g, sizeof g);
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
	if (na * nb < 2)
		return 0; /* one class each: kith_names_query_keys has them */
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++) {
			struct kith_name one = *q;
			one.syl[0] = a[i];
			one.syl[1] = b[j];
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
			wipe(&one, sizeof one);
		}
	return n;
}

double kith_names_vault_prior(const struct kith_name *q, size_t q0, const struct kith_name *c, size_t c0,
			      size_t n)
{
	if (q->script == KITH_NAMES_SCRIPT_HANGUL || q0 + n > q->n_syl || c0 + n > c->n_syl)
		return 1.0;
	double f = 1.0;
	for (size_t k = 0; k < n; k++) {
		size_t i = q0 + k, j = c0 + k;
		const struct kith_name_syl *x = &q->syl[i], *y = &c->syl[j];
		if (!((c->exact >> j) & 1) || ((q->exact >> i) & 1) || !q->pat[i][1] || i < q->n_sur ||
		    !(x->ini & y->ini) || !(x->vow & y->vow) || !(x->fin & y->fin) ||
		    (q->lv[i] & LATIN_LV_TYPO))
			continue;
		unsigned hs = jamo_syl((unsigned)__builtin_ctz(y->ini), (unsigned)__builtin_ctz(y->vow),
				       (unsigned)__builtin_ctz(y->fin));
		if (hs >= JAMO_NSYL)
			continue;
		/* the engine's score: the reading's log-posterior below the best */
		double engine = latin_model_factor(q->post[i] - latin_reading_post(hs, q->pat[i]));
		/* the likelihood: the pieces' cost above the least of the
		 * syllable's readings */
		int least = 1 << 20;
		for (uint32_t im = x->ini; im; im &= im - 1)
			for (uint32_t vm = x->vow; vm; vm &= vm - 1) {
				int cost = (int)latin_ini_cost(q->pat[i][0], (unsigned)__builtin_ctz(im)) +
					   (int)latin_vow_cost(q->pat[i][1], (unsigned)__builtin_ctz(vm));
				least = cost < least ? cost : least;
			}
		f *= latin_model_factor(latin_piece_cost(hs, q->pat[i]) - least) / engine;
	}
	return f;
}
