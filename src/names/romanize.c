/*
 * romanize — a Hangul name in Revised Romanization, McCune–Reischauer (with and
 * without breves), the North Korean official style and common English
 * spellings, name-aware: surname first, then the given name's syllables,
 * without the sound changes of running text (as the rules for names say),
 * except MR's and the North's voicing of k, t, p, ch inside a given name.
 */
#include <string.h>

#include "names/jamo.h"
#include "names/names.h"
#include "names/scan.h"
#include "names/tables.h"

static const char *const rr_ini[JAMO_NL] = {"g",  "kk", "n", "d",  "tt", "r", "m", "b", "pp", "s",
					    "ss", "",	"j", "jj", "ch", "k", "t", "p", "h"};
static const char *const rr_vow[JAMO_NV] = {"a",  "ae", "ya", "yae", "eo", "e",	 "yeo",
					    "ye", "o",	"wa", "wae", "oe", "yo", "u",
					    "wo", "we", "wi", "yu",  "eu", "ui", "i"};
static const char *const fin7[JAMO_NT] = {"",  "k",  "k", "k", "n", "n", "n", "t", "l", "k",
					  "m", "l",  "l", "l", "p", "l", "m", "p", "p", "t",
					  "t", "ng", "t", "t", "k", "t", "p", "t"};
static const char *const mr_vow[JAMO_NV] = {
    "a",  "ae", "ya", "yae",	   "\xC5\x8F", "e",  "y\xC5\x8F", "ye",	      "o",	   "wa", "wae",
    "oe", "yo", "u",  "w\xC5\x8F", "we",       "wi", "yu",	  "\xC5\xAD", "\xC5\xADi", "i"};
static const char *const mrp_vow[JAMO_NV] = {"a",  "ae", "ya", "yae", "o",  "e",  "yo",
					     "ye", "o",	 "wa", "wae", "oe", "yo", "u",
					     "wo", "we", "wi", "yu",  "u",  "ui", "i"};
/* MR initials: at the start of a word, and voiced inside a given name */
static const char *const mr_ini0[JAMO_NL] = {"k",  "kk", "n",  "t",   "tt",  "r",  "m",	 "p",  "pp", "s",
					     "ss", "",	 "ch", "tch", "ch'", "k'", "t'", "p'", "h"};
static const char *const mr_ini1[JAMO_NL] = {"g",  "kk", "n", "d",   "tt",  "r",  "m",	"b",  "pp", "s",
					     "ss", "",	 "j", "tch", "ch'", "k'", "t'", "p'", "h"};
static const char *const nk_ini0[JAMO_NL] = {"k",  "kk", "n", "t",  "tt", "r",	"m",  "p",  "pp", "s",
					     "ss", "",	 "j", "jj", "ch", "kh", "th", "ph", "h"};
static const char *const nk_ini1[JAMO_NL] = {"g",  "kk", "n", "d",  "tt", "r",	"m",  "b",  "pp", "s",
					     "ss", "",	 "j", "jj", "ch", "kh", "th", "ph", "h"};

static int add(struct kith_sbuf *o, const char *s)
{
	return kith_sbuf_adds(o, s);
}

/* Does the syllable before end in a vowel or ㄴ ㅁ ㅇ (after ㄹ the next
 * consonant is tensed in Sino-Korean names, not voiced: Sŏl-chu)? */
static int voiced_before(int prev)
{
	if (prev < 0)
		return 0;
	unsigned t = jamo_T((unsigned)prev);
	return t == F_NONE || t == F_N || t == F_M || t == F_NG;
}

static int common_syl(unsigned s, int later, struct kith_sbuf *o)
{
	unsigned l = jamo_L(s), v = jamo_V(s), t = jamo_T(s);
	const char *ini = rr_ini[l];
	if (l == I_G)
		ini = later ? "g" : "k";
	else if (l == I_TT)
		ini = "dd";
	else if (l == I_PP)
		ini = "bb";
	else if (l == I_S && (v == V_I || v == V_WI))
		ini = "sh";
	const char *vow = rr_vow[v];
	switch (v) {
	case V_EO:
		vow = t == F_NONE ? "eo" : "u";
		break;
	case V_YEO:
		if (l == I_O)
			vow = t == F_NG ? "you" : "yeo";
		else
			vow = t == F_NONE ? "yeo" : "yu";
		break;
	case V_U:
		vow = l == I_O ? "woo" : "oo";
		break;
	case V_YU:
		vow = l == I_O ? "yoo" : "yu";
		break;
	case V_UI:
		vow = l == I_O ? "eui" : "ee";
		break;
	default:
		break;
	}
	int rc = add(o, ini) | add(o, vow) | add(o, fin7[t]);
	return rc;
}

/* One syllable in system sys. later: not the first syllable of its word;
 * prev: the syllable before in the given name (-1 if none). */
static int syl(enum kith_names_system sys, unsigned s, int later, int prev, struct kith_sbuf *o)
{
	unsigned l = jamo_L(s), v = jamo_V(s), t = jamo_T(s);
	int voiced = later && voiced_before(prev);
	const char *ini;
	int rc = 0;
	switch (sys) {
	case KITH_NAMES_RR:
		ini = rr_ini[l];
		if (l == I_R && prev >= 0 && jamo_T((unsigned)prev) == F_L)
			ini = "l";
		return add(o, ini) | add(o, rr_vow[v]) | add(o, fin7[t]);
	case KITH_NAMES_MR:
	case KITH_NAMES_MR_PLAIN:
		ini = voiced ? mr_ini1[l] : mr_ini0[l];
		if (l == I_S && v == V_WI)
			ini = "sh";
		if (l == I_R && prev >= 0 && jamo_T((unsigned)prev) == F_L)
			ini = "l";
		if (sys == KITH_NAMES_MR_PLAIN) {
			char plain[8];
			size_t k = 0;
			for (const char *p = ini; *p; p++)
				if (*p != '\'')
					plain[k++] = *p;
			plain[k] = '\0';
			return add(o, plain) | add(o, mrp_vow[v]) | add(o, fin7[t]);
		}
		return add(o, ini) | add(o, mr_vow[v]) | add(o, fin7[t]);
	case KITH_NAMES_NK:
		ini = voiced ? nk_ini1[l] : nk_ini0[l];
		return add(o, ini) | add(o, mrp_vow[v]) | add(o, fin7[t]);
	case KITH_NAMES_COMMON:
		return common_syl(s, later, o);
	}
	return rc;
}

static void cap_from(struct kith_sbuf *o, size_t at)
{
	if (at < o->len && o->buf[at] >= 'a' && o->buf[at] <= 'z')
		o->buf[at] = (char)(o->buf[at] - 'a' + 'A');
	/* ŏ U+014F and ŭ U+016D: their capitals are the code point before */
	else if (at + 1 < o->len && (unsigned char)o->buf[at] == 0xC5 &&
		 ((unsigned char)o->buf[at + 1] == 0x8F || (unsigned char)o->buf[at + 1] == 0xAD))
		o->buf[at + 1] = (char)((unsigned char)o->buf[at + 1] - 1);
}

int kith_names_romanize(const char *utf8, size_t len, enum kith_names_system sys, struct kith_sbuf *out,
			struct kith_err *err)
{
	if ((unsigned)sys > KITH_NAMES_COMMON)
		return kith_err_set(err, KITH_E_INVALID, "system", "unknown romanization system");
	struct scan sc;
	int rc = scan_name(&sc, utf8, len, err);
	if (rc)
		return rc;
	unsigned s[KITH_NAMES_MAX_SYL];
	size_t n = 0, first_word = 0;
	for (size_t w = 0; w < sc.n_w; w++) {
		if (sc.w[w].kind != W_HANGUL)
			return kith_err_set(err, KITH_E_INVALID, "name", "not a name in Hangul");
		if (w == 0)
			first_word = sc.w[w].len;
		for (size_t k = 0; k < sc.w[w].len; k++) {
			if (n == KITH_NAMES_MAX_SYL)
				return kith_err_set(err, KITH_E_LIMIT, "name", "more than %d syllables",
						    KITH_NAMES_MAX_SYL);
			s[n++] = sc.hs[sc.w[w].off + k];
		}
	}
	if (n == 0)
		return kith_err_set(err, KITH_E_INVALID, "name", "not a name in Hangul");
	/* the surname */
	size_t n_sur = 0;
	if (sc.n_w > 1 && first_word <= 2)
		n_sur = first_word;
	else if ((n >= 3 || (n == 2 && sc.n_w == 1)) && kith_names_surname_find(s[0], s[1] + 1u))
		n_sur = 2; /* a compound surname, also alone (남궁: Namgung) */
	else if (n >= 2 || kith_names_surname_find(s[0], 0))
		n_sur = 1;
	struct kith_sbuf o = KITH_SBUF_INIT;
	if (n_sur) {
		const struct kith_names_surname *sn =
		    kith_names_surname_find(s[0], n_sur == 2 ? s[1] + 1u : 0);
		if (sys == KITH_NAMES_COMMON && sn) {
			rc |= add(&o, sn->common);
		} else {
			unsigned s0 = s[0];
			if (sys == KITH_NAMES_NK && n_sur == 1 && sn && sn->north)
				s0 = (unsigned)sn->north - 1u;
			if (sys == KITH_NAMES_MR || sys == KITH_NAMES_MR_PLAIN) {
				/* McCune–Reischauer writes 이 as Yi */
				if (s0 == jamo_syl(I_O, V_I, F_NONE))
					rc |= add(&o, "yi");
				else
					rc |= syl(sys, s0, 0, -1, &o);
			} else {
				rc |= syl(sys, s0, 0, -1, &o);
			}
			if (n_sur == 2)
				rc |= syl(sys, s[1], 1, (int)s0, &o);
		}
		cap_from(&o, 0);
	}
	int prev = -1;
	for (size_t i = n_sur; i < n; i++) {
		int later = i > n_sur;
		if (i == n_sur && o.len)
			rc |= kith_sbuf_addc(&o, ' ');
		else if (later)
			rc |= sys == KITH_NAMES_NK ? kith_sbuf_addc(&o, ' ') : kith_sbuf_addc(&o, '-');
		size_t at = o.len;
		unsigned si = s[i];
		/* the North writes the initial sound as it is; the South's rule
		 * gives the first given syllable as written */
		rc |= syl(sys, si, later, prev, &o);
		if (!later || sys == KITH_NAMES_NK)
			cap_from(&o, at);
		prev = (int)si;
	}
	if (rc) {
		kith_sbuf_release(&o);
		return kith_err_set(err, KITH_E_NOMEM, "romanize", "out of memory");
	}
	rc = kith_sbuf_add(out, o.buf ? o.buf : "", o.len);
	kith_sbuf_release(&o);
	if (rc)
		return kith_err_set(err, KITH_E_NOMEM, "romanize", "out of memory");
	return KITH_OK;
}
