/*
 * scan — UTF-8 validation, normalization and word splitting for names.
 */
#include "names/scan.h"

#include <string.h>
#include <utf8proc.h>

#include "names/jamo.h"

/* Decodes one code point at s[*i]; -1 when the bytes are not valid UTF-8. */
static int32_t decode(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	if (c < 0x80) {
		(*i)++;
		return c;
	}
	size_t n;
	int32_t cp, min;
	if ((c & 0xE0) == 0xC0) {
		n = 2;
		cp = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3;
		cp = c & 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return -1;
	}
	if (*i + n > len)
		return -1;
	for (size_t k = 1; k < n; k++) {
		unsigned char d = s[*i + k];
		if ((d & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (d & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i += n;
	return cp;
}

enum { CYR_VOWEL = 1, CYR_K };

struct st {
	struct scan *sc;
	int kind;      /* of the open word, 0 when none */
	int pend_l;    /* a conjoining initial waiting for its vowel, -1 */
	int have_text; /* text has a word already */
	int cyr;       /* the last letter: CYR_VOWEL (а е и о у ы э ю я), CYR_K (к after one) */
};

static void close_word(struct st *t)
{
	struct scan *sc = t->sc;
	if (t->kind && sc->n_w < SCAN_MAX_WORDS) {
		struct scan_word *w = &sc->w[sc->n_w];
		size_t end = t->kind == W_LATIN ? sc->n_lat : t->kind == W_HANGUL ? sc->n_hs : sc->n_text;
		w->len = (uint16_t)(end - w->off);
		/* a Latin word of only separators is no word */
		int letters = 1;
		if (t->kind == W_LATIN) {
			letters = 0;
			for (size_t k = w->off; k < end; k++)
				if (sc->lat[k] != '-' && sc->lat[k] != '\'')
					letters = 1;
			if (!letters)
				sc->n_lat = w->off;
		}
		if (letters && w->len)
			sc->n_w++;
	} else if (t->kind) {
		sc->dropped_words++;
	}
	t->kind = 0;
	t->pend_l = -1;
	t->cyr = 0;
}

static void open_word(struct st *t, int kind)
{
	if (t->kind == kind)
		return;
	close_word(t);
	struct scan *sc = t->sc;
	t->kind = kind;
	if (sc->n_w < SCAN_MAX_WORDS) {
		struct scan_word *w = &sc->w[sc->n_w];
		w->kind = (uint8_t)kind;
		w->off = (uint16_t)(kind == W_LATIN ? sc->n_lat : kind == W_HANGUL ? sc->n_hs : sc->n_text);
		w->len = 0;
	}
	if (kind != W_LATIN && kind != W_HANGUL && t->have_text && sc->n_text < sizeof sc->text)
		sc->text[sc->n_text++] = ' ';
}

static void text_add(struct st *t, int32_t cp)
{
	struct scan *sc = t->sc;
	uint8_t buf[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
	if (n > 0 && sc->n_text + (size_t)n <= sizeof sc->text) {
		memcpy(sc->text + sc->n_text, buf, (size_t)n);
		sc->n_text += (size_t)n;
		t->have_text = 1;
	}
}

static void latin_add(struct st *t, char c)
{
	open_word(t, W_LATIN);
	struct scan *sc = t->sc;
	if (sc->n_lat < sizeof sc->lat)
		sc->lat[sc->n_lat++] = c;
}

static void hangul_add(struct st *t, unsigned s)
{
	open_word(t, W_HANGUL);
	struct scan *sc = t->sc;
	if (sc->n_hs < sizeof sc->hs / sizeof sc->hs[0])
		sc->hs[sc->n_hs++] = (uint16_t)s;
}

static int is_hanja(int32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F);
}

static int is_apostrophe(int32_t cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == '`' || cp == 0xB4 || cp == 0x2BC ||
	       cp == 0x2BB || cp == 0x2032;
}

static int is_hyphen(int32_t cp)
{
	return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63 || cp == 0xFF0D;
}

/* A lower-case Cyrillic letter (U+0430..U+044F), as Russian writes Korean
 * names (the Kontsevich system and the usual spellings: Ким, Пак, Ли, Чхве,
 * Цой, Чен Ын), into the folded Latin that latin.c reads: 'E' for е (ㅓ ㅔ ㅕ
 * ㅖ; вЕ is ㅚ ㅞ ㅙ), 'N' for н (ㄴ, and ㅇ at the end of a syllable), 'U' for
 * ы (ㅡ), х after к т п ч as aspiration, дж and чж as j; ъ and ь are
 * dropped. A word run together ("Сокхо", "Чиин", "Тоук") is read as Russian
 * writes it: a vowel letter after a vowel letter begins a syllable of its
 * own ('-': "Чиин" is 지인, "Тоук" 도욱, not 진, 둑; Cyrillic never doubles a
 * letter for length), and кх after a vowel is к closing a syllable and х
 * opening the next ("kh": "Сокхо" is 석호, "Токхый" 덕희), as Kontsevich
 * writes ㄱ before ㅎ; at a word's start кх is ㅋ. */
static void cyrillic(struct st *t, int32_t cp)
{
	/* у and ю are ㅜ and ㅠ only (ы is ㅡ, о is ㅓ or ㅗ): the Latin
	 * "oo" and "yoo", which read so ("u" would read ㅓ and ㅡ too) */
	static const char *const map[32] = {"a",  "b",	"w",  "g",  "d", "E", "j", "j",	 "i",	"i", "k",
					    "l",  "m",	"N",  "o",  "p", "r", "s", "t",	 "oo",	"p", "h",
					    "ch", "ch", "sh", "sh", "",	 "U", "",  "ae", "yoo", "ya"};
	struct scan *sc = t->sc;
	const char *m = map[cp - 0x430];
	char prev = t->kind == W_LATIN && sc->n_lat ? sc->lat[sc->n_lat - 1] : 0;
	/* а е и о у ы э ю я (ё is е with a mark, feed()) */
	int vowel = (cp >= 0x44B && cp <= 0x44F) || cp == 0x430 || cp == 0x435 || cp == 0x438 ||
		    cp == 0x43E || cp == 0x443;
	int was = prev ? t->cyr : 0;
	int after_v = was == CYR_VOWEL && strchr("aeiouEU", prev);
	t->cyr = vowel ? CYR_VOWEL : cp == 0x43A && after_v ? CYR_K : 0;
	if (vowel && after_v)
		latin_add(t, '-');
	if (cp == 0x445 && was == CYR_K && prev == 'k')
		m = "h"; /* кх after a vowel: ㄱ ㅎ */
	else if (cp == 0x445 && (prev == 'k' || prev == 't' || prev == 'p' ||
				 (prev == 'h' && sc->n_lat >= 2 && sc->lat[sc->n_lat - 2] == 'c')))
		m = "'"; /* кх, тх, пх, чх */
	else if (cp == 0x436 && prev == 'd') {
		sc->lat[sc->n_lat - 1] = 'j'; /* дж */
		return;
	} else if (cp == 0x436 && prev == 'h' && sc->n_lat >= 2 && sc->lat[sc->n_lat - 2] == 'c') {
		sc->n_lat--; /* чж: ㅈ */
		sc->lat[sc->n_lat - 1] = 'j';
		return;
	}
	if (!*m) {
		open_word(t, W_LATIN);
		return;
	}
	for (; *m; m++)
		latin_add(t, *m);
}

/* One code point after decomposition. */
static void feed(struct st *t, int32_t cp)
{
	struct scan *sc = t->sc;
	if (cp >= 'A' && cp <= 'Z')
		cp += 'a' - 'A';
	if (cp >= 'a' && cp <= 'z') {
		latin_add(t, (char)cp);
		return;
	}
	if (cp >= 0x1100 && cp <= 0x1112) { /* conjoining initial */
		if (t->kind != W_HANGUL)
			open_word(t, W_HANGUL);
		t->pend_l = cp - 0x1100;
		return;
	}
	if (cp >= 0x1161 && cp <= 0x1175) { /* conjoining vowel */
		if (t->kind == W_HANGUL && t->pend_l >= 0) {
			hangul_add(t, jamo_syl((unsigned)t->pend_l, (unsigned)(cp - 0x1161), 0));
			t->pend_l = -1;
		}
		return;
	}
	if (cp >= 0x11A8 && cp <= 0x11C2) { /* conjoining final: joins the syllable before */
		if (t->kind == W_HANGUL && t->pend_l < 0 &&
		    sc->n_hs > sc->w[sc->n_w < SCAN_MAX_WORDS ? sc->n_w : 0].off &&
		    jamo_T(sc->hs[sc->n_hs - 1]) == 0)
			sc->hs[sc->n_hs - 1] = (uint16_t)(sc->hs[sc->n_hs - 1] + (unsigned)(cp - 0x11A7));
		return;
	}
	if (cp >= 0x0300 && cp <= 0x036F) { /* a combining mark on the letter before */
		if (t->kind == W_LATIN && sc->n_lat) {
			char *last = &sc->lat[sc->n_lat - 1];
			int breve =
			    cp == 0x0306 || cp == 0x030C || cp == 0x0302 || cp == 0x0308 || cp == 0x0303;
			if (breve && *last == 'o')
				*last = 'O';
			else if (breve && *last == 'u')
				*last = 'U';
			else if ((cp == 0x0306 || cp == 0x030C) && *last == 'a')
				*last = 'A';
			else if (cp == 0x0308 && *last == 'E') /* Cyrillic ё: ㅕ or ㅛ (latin.c) */
				*last = 'Y';
		}
		return;
	}
	if (cp >= 0x430 && cp <= 0x44F) {
		cyrillic(t, cp);
		return;
	}
	if (is_hanja(cp)) {
		open_word(t, W_HANJA);
		text_add(t, cp);
		return;
	}
	utf8proc_category_t cat = utf8proc_category(cp);
	if (cat == UTF8PROC_CATEGORY_CF || (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME))
		return; /* format characters and other marks: ignored */
	if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) {
		if (cp >= 0x3131 && cp <= 0x318E)
			return; /* a lone compatibility jamo left over */
		open_word(t, W_OTHER);
		text_add(t, cp);
		return;
	}
	close_word(t); /* spaces, punctuation, digits, symbols */
}

int scan_name(struct scan *sc, const char *utf8, size_t len, struct kith_err *err)
{
	if (len > KITH_NAMES_MAX_BYTES)
		return kith_err_set(err, KITH_E_LIMIT, "name", "a name longer than %d bytes",
				    KITH_NAMES_MAX_BYTES);
	sc->n_lat = sc->n_hs = sc->n_text = sc->n_w = sc->dropped_words = 0;
	struct st t = {sc, 0, -1, 0, 0};
	const unsigned char *s = (const unsigned char *)utf8;
	size_t i = 0;
	int letters = 0, any = 0;
	while (i < len) {
		size_t at = i;
		int32_t cp = decode(s, len, &i);
		if (cp < 0)
			return kith_err_set(err, KITH_E_INVALID, "name", "invalid UTF-8 at byte %zu", at);
		if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
			return kith_err_set(err, KITH_E_INVALID, "name", "a control character at byte %zu",
					    at);
		if (cp != ' ')
			any = 1;
		if (cp >= JAMO_BASE && cp < JAMO_BASE + JAMO_NSYL) {
			hangul_add(&t, (unsigned)(cp - JAMO_BASE));
			t.pend_l = -1;
			letters = 1;
			continue;
		}
		if (cp < 0x80) {
			if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
				/* feed()'s path for a letter, inline: most names are these */
				if (t.kind == W_LATIN && sc->n_lat < sizeof sc->lat)
					sc->lat[sc->n_lat++] = (char)(cp | 0x20);
				else if (t.kind != W_LATIN)
					latin_add(&t, (char)(cp | 0x20));
				letters = 1;
			} else if (cp == '\'' || cp == '`') {
				if (t.kind == W_LATIN)
					latin_add(&t, '\'');
				else
					close_word(&t);
			} else if (cp == '-') {
				if (t.kind == W_LATIN)
					latin_add(&t, '-');
				else
					close_word(&t);
			} else {
				close_word(&t);
			}
			continue;
		}
		/* the breves of McCune–Reischauer, without a trip through utf8proc */
		if (cp == 0x14F || cp == 0x14E || cp == 0x16D || cp == 0x16C) {
			latin_add(&t, cp == 0x14F || cp == 0x14E ? 'O' : 'U');
			letters = 1;
			continue;
		}
		if (is_apostrophe(cp) || is_hyphen(cp)) {
			if (t.kind == W_LATIN)
				latin_add(&t, is_hyphen(cp) ? '-' : '\'');
			else
				close_word(&t);
			continue;
		}
		if (cp == 0x419 || cp == 0x439) { /* й, not и with a breve: a vowel's glide */
			cyrillic(&t, 0x439);
			letters = 1;
			continue;
		}
		utf8proc_int32_t buf[16];
		int bound = 0;
		utf8proc_ssize_t n = utf8proc_decompose_char(
		    cp, buf, 16,
		    (utf8proc_option_t)(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD), &bound);
		if (n < 0 || n > 16) {
			close_word(&t);
			continue;
		}
		for (utf8proc_ssize_t k = 0; k < n; k++) {
			int32_t d = buf[k];
			if (d >= JAMO_BASE && d < JAMO_BASE + JAMO_NSYL) {
				hangul_add(&t, (unsigned)(d - JAMO_BASE));
				letters = 1;
				continue;
			}
			utf8proc_category_t cat = utf8proc_category(d);
			if ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
			    (d >= 0x1100 && d <= 0x11FF))
				letters = 1;
			feed(&t, d);
		}
	}
	close_word(&t);
	if (!any)
		return kith_err_set(err, KITH_E_INVALID, "name", "an empty name");
	if (!letters || sc->n_w == 0)
		return kith_err_set(err, KITH_E_INVALID, "name", "a name without letters");
	return KITH_OK;
}
