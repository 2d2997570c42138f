/*
 * synth — fictional labelled data: a population, K lists that record it
 * their own way, families separated in Yanbian and tracing requests (see
 * synth.h).
 *
 * Generation runs person by person from one seeded xoshiro256** stream, so
 * the output depends only on the options. Records are shuffled before ids
 * are given, so their order says nothing about who is whom.
 */
#include "synth/synth.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "base/prng.h"
#include "base/sbuf.h"

#include "names/names.h"

/* --- random numbers (base/prng's xoshiro256**) */

static int chance(struct kith_prng *r, double p)
{
	return kith_prng_unit(r) < p;
}

static double normal(struct kith_prng *r)
{
	double u1 = kith_prng_unit(r), u2 = kith_prng_unit(r);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int range(struct kith_prng *r, int lo, int hi) /* inclusive */
{
	return lo + (int)kith_prng_below(r, (uint64_t)(hi - lo + 1));
}

/* Index drawn from weights w[0..n). */
static size_t pick(struct kith_prng *r, const double *w, size_t n, double total)
{
	double x = kith_prng_unit(r) * total;
	for (size_t i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* --- tables (facts: approximate 2015 census shares in percent; syllables invented into names) */

struct surname {
	const char *hangul; /* South Korean form */
	double share;
	const char *north; /* North Korean form where it differs */
};

static const struct surname surnames[] = {
    {"김", 21.5, NULL},	  {"이", 14.7, "리"},	{"박", 8.4, NULL},    {"최", 4.7, NULL},    {"정", 4.3, NULL},
    {"강", 2.4, NULL},	  {"조", 2.1, NULL},	{"윤", 2.0, NULL},    {"장", 2.0, NULL},    {"임", 1.7, "림"},
    {"한", 1.5, NULL},	  {"오", 1.5, NULL},	{"서", 1.5, NULL},    {"신", 1.5, NULL},    {"권", 1.4, NULL},
    {"황", 1.4, NULL},	  {"안", 1.4, NULL},	{"송", 1.3, NULL},    {"전", 1.1, NULL},    {"홍", 1.1, NULL},
    {"유", 1.1, "류"},	  {"고", 0.9, NULL},	{"문", 0.9, NULL},    {"양", 0.9, "량"},    {"손", 0.9, NULL},
    {"배", 0.8, NULL},	  {"백", 0.7, NULL},	{"허", 0.6, NULL},    {"남", 0.5, NULL},    {"심", 0.5, NULL},
    {"노", 0.4, "로"},	  {"하", 0.4, NULL},	{"곽", 0.4, NULL},    {"성", 0.4, NULL},    {"차", 0.4, NULL},
    {"주", 0.4, NULL},	  {"우", 0.4, NULL},	{"구", 0.4, NULL},    {"민", 0.3, NULL},    {"진", 0.3, NULL},
    {"나", 0.3, "라"},	  {"지", 0.3, NULL},	{"엄", 0.3, NULL},    {"채", 0.3, NULL},    {"원", 0.3, NULL},
    {"천", 0.2, NULL},	  {"방", 0.2, NULL},	{"공", 0.2, NULL},    {"현", 0.2, NULL},    {"함", 0.2, NULL},
    {"변", 0.2, NULL},	  {"염", 0.2, "렴"},	{"여", 0.1, "려"},    {"추", 0.1, NULL},    {"도", 0.1, NULL},
    {"석", 0.1, NULL},	  {"마", 0.1, NULL},	{"길", 0.1, NULL},    {"연", 0.1, "련"},    {"위", 0.1, NULL},
    {"표", 0.1, NULL},	  {"명", 0.1, NULL},	{"기", 0.1, NULL},    {"반", 0.1, NULL},    {"왕", 0.1, NULL},
    {"금", 0.1, NULL},	  {"옥", 0.1, NULL},	{"육", 0.1, "륙"},    {"인", 0.1, NULL},    {"탁", 0.1, NULL},
    {"남궁", 0.04, NULL}, {"황보", 0.02, NULL}, {"제갈", 0.01, NULL}, {"선우", 0.01, NULL},
};
#define N_SURNAMES (sizeof surnames / sizeof surnames[0])

static const char *const female1[] = {"미", "영", "순", "정", "은", "혜", "경", "금", "옥", "춘", "명", "선",
				      "향", "설", "연", "복", "성", "진", "수", "지", "현", "화", "란", "예",
				      "초", "단", "봉", "송", "매", "숙", "해", "효", "희", "윤", "소", "유",
				      "아", "나", "보", "채", "하", "서", "민", "주", "인", "애", "월", "덕",
				      "분", "말", "귀", "태", "신", "청", "은", "향"};
static const char *const female2[] = {"선", "순", "희", "옥", "숙", "화", "향", "실", "금", "영", "미", "경",
				      "정", "자", "애", "련", "란", "주", "진", "심", "녀", "월", "님", "아",
				      "림", "빈", "연", "은", "혜", "인", "윤", "서", "하", "나", "리", "랑",
				      "초", "단", "비", "래", "현", "분", "덕", "매", "임", "희"};
static const char *const male1[] = {"영", "철", "성", "광", "명", "정", "동", "국", "경", "상", "진", "용",
				    "학", "문", "남", "기", "창", "인", "혁", "대", "충", "세", "원", "만",
				    "태", "준", "현", "재", "석", "호", "승", "주", "일", "종", "강", "춘",
				    "봉", "덕", "수", "길", "효", "명", "진", "혜", "금", "복"};
static const char *const male2[] = {"철", "호", "남", "일", "수", "진", "혁", "국", "민", "석", "학",
				    "성", "준", "룡", "길", "범", "훈", "식", "만", "복", "선", "광",
				    "웅", "건", "태", "우", "현", "규", "재", "경", "영", "춘", "덕",
				    "봉", "삼", "근", "환", "무", "명", "혁", "산", "표"};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Given-name first syllables that North Koreans write with ㄹ. */
static const char *const north_initial[][2] = {
    {"연", "련"}, {"용", "룡"}, {"예", "례"}, {"영", "령"}, {"이", "리"}, {"유", "류"}, {"양", "량"},
};

struct province {
	const char *id;
	double share;
	const char *spellings[5];
};

static const struct province provinces[] = {
    {"north_hamgyong", 50, {"North Hamgyong", "함경북도", "함북", "Hamgyŏng-pukto", "Hamgyeongbuk-do"}},
    {"ryanggang", 25, {"Ryanggang", "양강도", "량강도", "Yanggang", "Ryanggang-do"}},
    {"south_hamgyong", 8, {"South Hamgyong", "함경남도", "함남", "Hamgyŏng-namdo", "Hamgyeongnam-do"}},
    {"chagang", 3, {"Chagang", "자강도", "Jagang", "Chagang-do", "자강도"}},
    {"north_pyongan", 3, {"North Pyongan", "평안북도", "평북", "P'yŏngan-pukto", "Pyeonganbuk-do"}},
    {"south_pyongan", 3, {"South Pyongan", "평안남도", "평남", "P'yŏngan-namdo", "Pyeongannam-do"}},
    {"kangwon", 2, {"Kangwon", "강원도", "Kangwon-do", "Gangwon", "강원도"}},
    {"north_hwanghae", 2, {"North Hwanghae", "황해북도", "황북", "Hwanghae-pukto", "Hwanghaebuk-do"}},
    {"south_hwanghae", 2, {"South Hwanghae", "황해남도", "황남", "Hwanghae-namdo", "Hwanghaenam-do"}},
    {"pyongyang", 2, {"Pyongyang", "평양", "평양시", "P'yŏngyang", "Pyeongyang"}},
};
#define N_PROVINCES (sizeof provinces / sizeof provinces[0])

/* Places in Yanbian where separations are set, as written in Hangul and Latin. */
static const char *const sep_places[][2] = {
    {"연길", "Yanji"},	 {"화룡", "Helong"}, {"도문", "Tumen"},	   {"룡정", "Longjing"},
    {"훈춘", "Hunchun"}, {"안도", "Antu"},   {"왕청", "Wangqing"}, {"돈화", "Dunhua"},
};

enum script { S_HANGUL, S_RR, S_MR, S_MR_PLAIN, S_NK, S_COMMON, S_COUNT };

/* How a list writes and errs. */
struct profile {
	const char *name;
	double script[S_COUNT];	      /* weights */
	double north;		      /* Hangul in North Korean spelling */
	double western;		      /* romanized in Western order */
	double caps;		      /* romanized in capitals */
	double b_date, b_year, b_age; /* birth as a full date, a year, an age; the rest missing */
	double off_by_one;
	double origin_missing;
	double typo;
	double sex_missing;
	double base;	   /* capture probability of an average person */
	double other_name; /* a second spelling as another name */
};

static const struct profile profiles[4] = {
    {"shelter-seoul",
     {75, 25, 0, 0, 0, 0},
     0.10,
     0.05,
     0.0,
     0.30,
     0.55,
     0.0,
     0.08,
     0.15,
     0.04,
     0.02,
     0.30,
     0.15},
    {"police-bangkok",
     {0, 20, 5, 30, 0, 45},
     0.0,
     0.50,
     0.20,
     0.0,
     0.45,
     0.35,
     0.15,
     0.40,
     0.12,
     0.05,
     0.18,
     0.10},
    {"church-yanbian",
     {60, 0, 0, 0, 25, 15},
     0.60,
     0.10,
     0.0,
     0.0,
     0.60,
     0.20,
     0.12,
     0.20,
     0.08,
     0.03,
     0.22,
     0.20},
    {"resettlement",
     {90, 10, 0, 0, 0, 0},
     0.05,
     0.0,
     0.0,
     0.85,
     0.10,
     0.0,
     0.03,
     0.05,
     0.02,
     0.01,
     0.35,
     0.25},
};

/* Processing order of lists for dependencies: 0 (shelter), 2 (church), 1 (police), 3 (resettlement), 4+. */
static unsigned list_order(unsigned k, unsigned lists)
{
	static const unsigned first[4] = {0, 2, 1, 3};
	if (lists >= 4 && k < 4)
		return first[k];
	return k;
}

/* --- people */

struct person {
	uint8_t surname;
	uint8_t female;
	uint8_t g1, g2;		    /* given-name syllables */
	uint8_t alias_g1, alias_g2; /* children: a name given later (alias_used) */
	uint8_t alias_used;
	uint8_t province;
	int16_t year;
	uint8_t month, day;
	float z;	  /* visibility */
	uint32_t mother;  /* index + 1, 0: none */
	int16_t sep_year; /* children: year of separation */
	uint8_t sep_place;
};

struct rec {
	uint32_t person;
	uint8_t list;
	uint32_t name_off, other_off; /* arena; other_off = UINT32_MAX when none */
	uint8_t sex;		      /* 0 missing, 1 female, 2 male */
	uint8_t birth_kind;	      /* 0 missing, 1 year, 2 date, 3 age */
	int16_t year;
	uint8_t month, day;
	int16_t age, age_year;
	int16_t rec_year;
	uint8_t origin;	   /* province + 1, 0 missing */
	uint8_t origin_sp; /* spelling index */
};

/* --- Hangul and romanization */

static unsigned hangul_code(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if ((p[0] & 0xF0) != 0xE0)
		return 0;
	return ((unsigned)(p[0] & 0x0F) << 12) | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
}

static void hangul_put(unsigned c, char out[4])
{
	out[0] = (char)(0xE0 | (c >> 12));
	out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[2] = (char)(0x80 | (c & 0x3F));
	out[3] = '\0';
}

/* Romanizes one syllable (or a surname) in `sys`, capitalized. */
static int romanize(const char *hangul, enum script sys, struct kith_sbuf *out)
{
	size_t old = out->len;
	int rc = 0;
	static const enum kith_names_system map[S_COUNT] = {KITH_NAMES_RR, KITH_NAMES_RR,
							    KITH_NAMES_MR, KITH_NAMES_MR_PLAIN,
							    KITH_NAMES_NK, KITH_NAMES_COMMON};
	rc = kith_names_romanize(hangul, strlen(hangul), map[sys], out, NULL);
	if (rc)
		return KITH_E_NOMEM;
	if (out->len > old && out->buf[old] >= 'a' && out->buf[old] <= 'z')
		out->buf[old] = (char)(out->buf[old] - 'a' + 'A');
	return KITH_OK;
}

/* --- the generator */

struct gen {
	const struct kith_synth_opts *o;
	struct kith_prng r;
	/* the habits added for issue 13 (more typos, a given name alone, another name) draw from their
	 * own stream, so the population, the capture and every other value stay as they were for a seed */
	struct kith_prng r2;
	int on_r2; /* spell() draws from r2 */
	struct person *people;
	size_t n_people;
	struct rec *recs;
	size_t n_recs, cap_recs;
	struct kith_sbuf arena;
	struct kith_sbuf tmp;
	unsigned lists;
	char list_names[KITH_SYNTH_MAX_LISTS][32];
};

static const struct profile *prof(unsigned list)
{
	return &profiles[list % 4];
}

static void given_syllables(const struct person *p, int alias, const char **s1, const char **s2)
{
	uint8_t g1 = alias ? p->alias_g1 : p->g1, g2 = alias ? p->alias_g2 : p->g2;
	*s1 = p->female ? female1[g1] : male1[g1];
	*s2 = p->female ? female2[g2] : male2[g2];
}

static const char *north_first(const char *s1)
{
	for (size_t i = 0; i < N_OF(north_initial); i++)
		if (strcmp(s1, north_initial[i][0]) == 0)
			return north_initial[i][1];
	return s1;
}

/* A typo in Hangul: a vowel or a final consonant of one given syllable changes. */
static void hangul_typo(struct kith_prng *r, char syl[4])
{
	unsigned c = hangul_code(syl);
	if (c < 0xAC00 || c > 0xD7A3)
		return;
	c -= 0xAC00;
	unsigned L = c / (21 * 28), V = (c / 28) % 21, T = c % 28;
	if (chance(r, 0.5)) {
		static const unsigned swap[21] = {4,  5, 2,  3,	 8,  1,	 12, 5,	 4,  9, 10,
						  11, 6, 18, 14, 15, 16, 17, 13, 19, 20};
		V = swap[V];
	} else {
		T = T == 4 ? 21 : T == 21 ? 4 : T == 0 ? 4 : 0; /* ㄴ <-> ㅇ, or gained/lost */
	}
	hangul_put(0xAC00 + (L * 21 + V) * 28 + T, syl);
}

/* A typo in Latin letters, never on the first letter. */
static void latin_typo(struct kith_prng *r, struct kith_sbuf *b, size_t start)
{
	size_t len = b->len - start;
	if (len < 3)
		return;
	size_t i = start + 1 + (size_t)kith_prng_below(r, len - 1);
	char c = b->buf[i];
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return;
	int op = (int)kith_prng_below(r, 4);
	if (op == 0) { /* vowel confusion or a neighbouring letter */
		static const char vow[] = "aeiou";
		char lc = (char)(c | 0x20);
		char rep =
		    strchr(vow, lc) ? vow[kith_prng_below(r, 5)] : (char)('a' + kith_prng_below(r, 26));
		b->buf[i] = (c >= 'A' && c <= 'Z') ? (char)(rep - 'a' + 'A') : rep;
	} else if (op == 1 && i + 1 < b->len) { /* transposition */
		char d = b->buf[i + 1];
		if ((d | 0x20) >= 'a' && (d | 0x20) <= 'z') {
			b->buf[i + 1] = c;
			b->buf[i] = d;
		}
	} else if (op == 2) { /* deletion */
		memmove(b->buf + i, b->buf + i + 1, b->len - i);
		b->len--;
	} else { /* doubling */
		if (kith_sbuf_addc(b, ' ') == KITH_OK) {
			memmove(b->buf + i + 1, b->buf + i, b->len - i - 1);
			b->buf[b->len] = '\0';
		}
	}
}

/* More slips of fast typing (issue 13), never on the first letter: a letter
 * inserted, l and I confused, a stray space inside a word. */
static void latin_slip(struct kith_prng *r, struct kith_sbuf *b, size_t start)
{
	size_t len = b->len - start;
	if (len < 4)
		return;
	size_t i = start + 1 + (size_t)kith_prng_below(r, len - 2);
	char c = b->buf[i], prev = b->buf[i - 1];
	int op = (int)kith_prng_below(r, 3);
	if (op == 1) { /* l/I: the first l or I or i after the first letter, else nothing */
		for (size_t k = start + 1; k < b->len; k++) {
			char d = b->buf[k];
			if (d == 'l' || d == 'I' || d == 'i') {
				b->buf[k] = d == 'l' ? 'I' : 'l';
				return;
			}
		}
		return;
	}
	if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || prev == ' ' || prev == '-')
		return;
	char ins = op == 0 ? (char)('a' + kith_prng_below(r, 26)) : ' ';
	if (op == 0 && c >= 'A' && c <= 'Z')
		ins = (char)(ins - 'a' + 'A');
	if (kith_sbuf_addc(b, ' ') == KITH_OK) {
		memmove(b->buf + i + 1, b->buf + i, b->len - i - 1);
		b->buf[i] = ins;
		b->buf[b->len] = '\0';
	}
}

static enum script pick_script(struct kith_prng *r, const struct profile *pf)
{
	double tot = 0;
	for (int s = 0; s < S_COUNT; s++)
		tot += pf->script[s];
	return (enum script)pick(r, pf->script, S_COUNT, tot);
}

/*
 * Writes one spelling of person p's name (alias: the later given name) into
 * g->tmp as the list would write it.
 */
static int spell(struct gen *g, const struct person *p, int alias, const struct profile *pf, enum script sys,
		 int allow_typo, int given_only)
{
	struct kith_prng *r = g->on_r2 ? &g->r2 : &g->r;
	kith_sbuf_reset(&g->tmp);
	const char *sur = surnames[p->surname].hangul;
	const char *s1, *s2;
	given_syllables(p, alias, &s1, &s2);
	char g1[8], g2[8];
	snprintf(g1, sizeof g1, "%s", s1);
	snprintf(g2, sizeof g2, "%s", s2);
	int north = sys == S_HANGUL ? chance(r, pf->north) : sys == S_NK;
	if (north) {
		if (surnames[p->surname].north)
			sur = surnames[p->surname].north;
		snprintf(g1, sizeof g1, "%s", north_first(s1));
	}
	int typo = allow_typo && chance(r, pf->typo);
	if (sys == S_HANGUL) {
		if (typo)
			hangul_typo(r, chance(r, 0.5) ? g1 : g2);
		int rc = (given_only ? 0 : kith_sbuf_adds(&g->tmp, sur)) | kith_sbuf_adds(&g->tmp, g1) |
			 kith_sbuf_adds(&g->tmp, g2);
		return rc ? KITH_E_NOMEM : KITH_OK;
	}
	struct kith_sbuf a = KITH_SBUF_INIT, b = KITH_SBUF_INIT, c = KITH_SBUF_INIT;
	int rc = romanize(sur, sys, &a) | romanize(g1, sys, &b) | romanize(g2, sys, &c);
	if (rc == KITH_OK) {
		/* given name: "Mi-sun", "Misun", "Mi Sun"; the North Korean style writes syllables apart */
		double x = kith_prng_unit(r);
		char sep = sys == S_NK ? ' ' : x < 0.45 ? '-' : x < 0.70 ? '\0' : ' ';
		if (sep != ' ' && c.len && c.buf[0] >= 'A' && c.buf[0] <= 'Z')
			c.buf[0] = (char)(c.buf[0] - 'A' + 'a');
		struct kith_sbuf given = KITH_SBUF_INIT;
		rc |= kith_sbuf_add(&given, b.buf ? b.buf : "", b.len);
		if (sep)
			rc |= kith_sbuf_addc(&given, sep);
		rc |= kith_sbuf_add(&given, c.buf ? c.buf : "", c.len);
		int west = chance(r, pf->western);
		size_t start = g->tmp.len;
		if (given_only) {
			rc |= kith_sbuf_add(&g->tmp, given.buf ? given.buf : "", given.len);
		} else if (west) {
			rc |= kith_sbuf_add(&g->tmp, given.buf ? given.buf : "", given.len);
			rc |= kith_sbuf_addc(&g->tmp, ' ');
			rc |= kith_sbuf_add(&g->tmp, a.buf ? a.buf : "", a.len);
		} else {
			rc |= kith_sbuf_add(&g->tmp, a.buf ? a.buf : "", a.len);
			rc |= kith_sbuf_addc(&g->tmp, ' ');
			rc |= kith_sbuf_add(&g->tmp, given.buf ? given.buf : "", given.len);
		}
		kith_sbuf_release(&given);
		if (rc == KITH_OK && typo)
			latin_typo(r, &g->tmp, start);
		if (rc == KITH_OK && allow_typo && chance(&g->r2, pf->typo * 0.6))
			latin_slip(&g->r2, &g->tmp, start);
		if (rc == KITH_OK && chance(r, pf->caps))
			for (size_t i = start; i < g->tmp.len; i++)
				if (g->tmp.buf[i] >= 'a' && g->tmp.buf[i] <= 'z')
					g->tmp.buf[i] = (char)(g->tmp.buf[i] - 'a' + 'A');
	}
	kith_sbuf_release(&a);
	kith_sbuf_release(&b);
	kith_sbuf_release(&c);
	return rc ? KITH_E_NOMEM : KITH_OK;
}

static int arena_take(struct gen *g, uint32_t *off)
{
	if (g->arena.len + g->tmp.len + 1 > UINT32_MAX - 1)
		return KITH_E_LIMIT;
	*off = (uint32_t)g->arena.len;
	if (kith_sbuf_add(&g->arena, g->tmp.buf ? g->tmp.buf : "", g->tmp.len) ||
	    kith_sbuf_addc(&g->arena, '\0'))
		return KITH_E_NOMEM;
	return KITH_OK;
}

static int add_record(struct gen *g, uint32_t pi, unsigned list, int min_year)
{
	struct kith_prng *r = &g->r;
	const struct person *p = &g->people[pi];
	const struct profile *pf = prof(list);
	if (g->n_recs == g->cap_recs) {
		size_t nc = g->cap_recs ? g->cap_recs * 2 : 4096;
		struct rec *nr = realloc(g->recs, nc * sizeof *nr);
		if (!nr)
			return KITH_E_NOMEM;
		g->recs = nr;
		g->cap_recs = nc;
	}
	struct rec *x = &g->recs[g->n_recs];
	memset(x, 0, sizeof *x);
	x->person = pi;
	x->list = (uint8_t)list;
	int is_child = p->mother != 0;
	int lo = p->year + 14 > min_year ? p->year + 14 : min_year;
	if (is_child && p->sep_year + 5 > lo)
		lo = p->sep_year + 5;
	if (lo > 2024)
		lo = 2024;
	x->rec_year = (int16_t)range(r, lo, 2024);
	/* name: children renamed in China are mostly recorded under the later name */
	int alias = is_child && p->alias_used && chance(r, 0.8);
	enum script sys = pick_script(r, pf);
	/* habits of issue 13, from the second stream: a given name alone, or another name (an adult
	 * woman's name in China or by marriage: another surname and given name, the old name among the
	 * other names more often than not) */
	static const double given_only_p[4] = {0.01, 0.04, 0.05, 0.01},
			    renamed_p[4] = {0.01, 0.04, 0.06, 0.02};
	double hu = kith_prng_unit(&g->r2);
	int given_only = hu < given_only_p[list % 4];
	int renamed =
	    !given_only && !is_child && p->female && hu < given_only_p[list % 4] + renamed_p[list % 4];
	int keep_old = renamed && chance(&g->r2, 0.6);
	struct person other = *p;
	if (renamed) {
		other.surname = (uint8_t)kith_prng_below(&g->r2, 12); /* a common surname */
		other.g1 = (uint8_t)kith_prng_below(&g->r2, N_OF(female1));
		other.g2 = (uint8_t)kith_prng_below(&g->r2, N_OF(female2));
	}
	/* the name as before (the main stream draws what it always drew), then the habit's variant
	 * from the second stream in its place */
	int rc = spell(g, p, alias, pf, sys, 1, 0);
	if (rc == KITH_OK && (given_only || renamed)) {
		g->on_r2 = 1;
		rc = spell(g, renamed ? &other : p, alias, pf, sys, 1, given_only);
		g->on_r2 = 0;
	}
	if (rc == KITH_OK)
		rc = arena_take(g, &x->name_off);
	x->other_off = UINT32_MAX;
	int other_name = chance(r, pf->other_name) || (alias && chance(r, 0.4));
	if (rc == KITH_OK && (other_name || keep_old)) {
		g->on_r2 = !other_name; /* the old name of a renamed woman: from the second stream */
		enum script s2 = (enum script)kith_prng_below(g->on_r2 ? &g->r2 : r, S_COUNT);
		rc = spell(g, p, 0, pf, s2, 0, 0); /* alias: the childhood name */
		g->on_r2 = 0;
		if (rc == KITH_OK)
			rc = arena_take(g, &x->other_off);
	}
	if (rc)
		return rc;
	/* sex */
	x->sex = chance(r, pf->sex_missing) ? 0 : (p->female ^ chance(r, 0.005)) ? 1 : 2;
	/* birth */
	double u = kith_prng_unit(r);
	double pdate = pf->b_date, pyear = pf->b_year, page = pf->b_age;
	if (is_child) { /* children are mostly recorded with an age */
		page = 0.70;
		pyear = 0.15;
		pdate = 0.05;
	}
	int year = p->year;
	if (chance(r, pf->off_by_one))
		year += chance(r, 0.5) ? 1 : -1;
	if (u < pdate) {
		x->birth_kind = 2;
		x->year = (int16_t)year;
		x->month = p->month;
		x->day = p->day;
		if (chance(r, pf->typo / 2)) { /* a slip in the day */
			int d = p->day + (chance(r, 0.5) ? 1 : -1);
			x->day = (uint8_t)(d < 1 ? 2 : d > 28 ? 27 : d);
		}
	} else if (u < pdate + pyear) {
		x->birth_kind = 1;
		x->year = (int16_t)year;
	} else if (u < pdate + pyear + page) {
		x->birth_kind = 3;
		int age = x->rec_year - p->year - (chance(r, 0.5) ? 1 : 0); /* before or after the birthday */
		if (chance(r, pf->off_by_one))
			age += chance(r, 0.5) ? 1 : -1;
		x->age = (int16_t)(age < 0 ? 0 : age > 120 ? 120 : age);
		x->age_year = x->rec_year;
	}
	/* origin */
	if (!chance(r, pf->origin_missing)) {
		unsigned pv = p->province;
		if (chance(r, 0.03))
			pv = (unsigned)kith_prng_below(r, N_PROVINCES);
		x->origin = (uint8_t)(pv + 1);
		x->origin_sp = (uint8_t)kith_prng_below(r, 5);
	}
	g->n_recs++;
	return KITH_OK;
}

static int make_people(struct gen *g)
{
	struct kith_prng *r = &g->r;
	size_t n = g->n_people;
	size_t n_children = g->o->families ? n * 15 / 100 : 0;
	size_t n_adults = n - n_children;
	double sw[N_SURNAMES], stot = 0, pw[N_PROVINCES], ptot = 0;
	for (size_t i = 0; i < N_SURNAMES; i++)
		stot += sw[i] = surnames[i].share;
	for (size_t i = 0; i < N_PROVINCES; i++)
		ptot += pw[i] = provinces[i].share;
	for (size_t i = 0; i < n; i++) {
		struct person *p = &g->people[i];
		p->surname = (uint8_t)pick(r, sw, N_SURNAMES, stot);
		p->female = (uint8_t)chance(r, i < n_adults ? 0.80 : 0.5);
		p->g1 = (uint8_t)kith_prng_below(r, p->female ? N_OF(female1) : N_OF(male1));
		p->g2 = (uint8_t)kith_prng_below(r, p->female ? N_OF(female2) : N_OF(male2));
		p->province = (uint8_t)pick(r, pw, N_PROVINCES, ptot);
		/* adults: mostly born 1965-1995 */
		int y = (int)lround(1981 + 10 * normal(r));
		p->year = (int16_t)(y < 1940 ? 1940 : y > 2006 ? 2006 : y);
		p->month = (uint8_t)range(r, 1, 12);
		p->day = (uint8_t)range(r, 1, 28);
		p->z = (float)normal(r);
	}
	if (!n_children)
		return KITH_OK;
	/* mothers: women of the adults born 1960-1988, each with one to three children */
	size_t c = n_adults;
	for (size_t i = 0; i < n_adults && c < n; i++) {
		struct person *m = &g->people[i];
		if (!m->female || m->year < 1960 || m->year > 1988 || !chance(r, 0.45))
			continue;
		int kids = 1 + (int)kith_prng_below(r, 3);
		for (int k = 0; k < kids && c < n; k++, c++) {
			struct person *ch = &g->people[c];
			ch->mother = (uint32_t)i + 1;
			ch->surname = chance(r, 0.7) ? m->surname : ch->surname; /* the father's otherwise */
			int lo = m->year + 18, hi = m->year + 35;
			if (hi > 2008)
				hi = 2008;
			if (lo < 1990)
				lo = 1990;
			if (lo > hi)
				lo = hi;
			ch->year = (int16_t)range(r, lo, hi);
			ch->province = m->province;
			ch->sep_year = (int16_t)(2003 + (int)lround(2.5 * normal(r)));
			if (ch->sep_year <= ch->year)
				ch->sep_year = (int16_t)(ch->year + 1);
			if (ch->sep_year > 2012)
				ch->sep_year = 2012;
			ch->sep_place = (uint8_t)kith_prng_below(r, N_OF(sep_places));
			ch->alias_used = (uint8_t)chance(r, 0.3);
			ch->alias_g1 = (uint8_t)kith_prng_below(r, ch->female ? N_OF(female1) : N_OF(male1));
			ch->alias_g2 = (uint8_t)kith_prng_below(r, ch->female ? N_OF(female2) : N_OF(male2));
			ch->z = (float)(normal(r) - 0.3);
		}
	}
	g->n_people = c; /* people beyond c were never made children: drop them */
	return KITH_OK;
}

static double logistic(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

static int capture(struct gen *g, struct kith_synth_summary *sum)
{
	struct kith_prng *r = &g->r;
	for (size_t i = 0; i < g->n_people; i++) {
		const struct person *p = &g->people[i];
		int on[KITH_SYNTH_MAX_LISTS] = {0};
		int any = 0;
		for (unsigned k = 0; k < g->lists; k++) {
			unsigned l = list_order(k, g->lists);
			const struct profile *pf = prof(l);
			double base = pf->base * (p->mother ? 0.7 : 1.0);
			double x = log(base / (1 - base)) + 1.0 * p->z;
			if (l == 3 && on[0])
				x += 1.0; /* the shelter refers people on */
			if (l == 1 && g->lists > 2 && on[2])
				x -= 0.7; /* hidden by the church, less often caught */
			if (!chance(r, logistic(x)))
				continue;
			on[l] = 1;
			any = 1;
			int rc = add_record(g, (uint32_t)i, l, 2005);
			if (rc)
				return rc;
			sum->per_list[l]++;
			if (chance(r, 0.03)) { /* recorded twice by the same list */
				rc = add_record(g, (uint32_t)i, l, 2005);
				if (rc)
					return rc;
				sum->per_list[l]++;
			}
		}
		sum->recorded += (uint64_t)any;
	}
	return KITH_OK;
}

/* --- writing */

static int put_csv(FILE *f, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (!quote)
		return fputs(s, f) < 0;
	if (fputc('"', f) < 0)
		return 1;
	for (; *s; s++)
		if ((*s == '"' && fputc('"', f) < 0) || fputc(*s, f) < 0)
			return 1;
	return fputc('"', f) < 0;
}

static void rec_id(char out[16], size_t i)
{
	snprintf(out, 16, "R%07zu", i + 1);
}

static int write_records(struct gen *g, const uint32_t *order, FILE *f)
{
	if (fputs("id,source,name,other_names,sex,birth_year,birth_date,origin,age,age_in_year\n", f) < 0)
		return 1;
	for (size_t k = 0; k < g->n_recs; k++) {
		const struct rec *x = &g->recs[order[k]];
		char id[16], by[8] = "", bd[16] = "", age[8] = "", ay[8] = "";
		rec_id(id, k);
		if (x->birth_kind == 1)
			snprintf(by, sizeof by, "%d", x->year);
		else if (x->birth_kind == 2)
			snprintf(bd, sizeof bd, "%04d-%02d-%02d", x->year, x->month, x->day);
		else if (x->birth_kind == 3) {
			snprintf(age, sizeof age, "%d", x->age);
			snprintf(ay, sizeof ay, "%d", x->age_year);
		}
		const char *origin = x->origin ? provinces[x->origin - 1].spellings[x->origin_sp] : "";
		int bad = fprintf(f, "%s,%s,", id, g->list_names[x->list]) < 0 ||
			  put_csv(f, g->arena.buf + x->name_off) || fputc(',', f) < 0 ||
			  (x->other_off != UINT32_MAX && put_csv(f, g->arena.buf + x->other_off)) ||
			  fprintf(f, ",%s,%s,%s,",
				  x->sex == 1	? "female"
				  : x->sex == 2 ? "male"
						: "",
				  by, bd) < 0 ||
			  put_csv(f, origin) || fprintf(f, ",%s,%s\n", age, ay) < 0;
		if (bad)
			return 1;
	}
	return 0;
}

static int write_truth(struct gen *g, const uint32_t *order, FILE *f)
{
	if (fputs("record,person\n", f) < 0)
		return 1;
	for (size_t k = 0; k < g->n_recs; k++) {
		char id[16];
		rec_id(id, k);
		if (fprintf(f, "%s,P%07u\n", id, g->recs[order[k]].person + 1) < 0)
			return 1;
	}
	return 0;
}

static json_t *case_json(struct gen *g, const struct rec *x, const char *ref)
{
	struct kith_prng *r = &g->r;
	const struct person *p = &g->people[x->person];
	json_t *person = json_object(), *body = json_object();
	if (!person || !body) {
		json_decref(person);
		json_decref(body);
		return NULL;
	}
	int bad = json_object_set_new(person, "name", json_string(g->arena.buf + x->name_off));
	if (x->other_off != UINT32_MAX)
		bad |=
		    json_object_set_new(person, "other_names", json_pack("[s]", g->arena.buf + x->other_off));
	bad |= json_object_set_new(person, "sex",
				   json_string(x->sex == 1   ? "female"
					       : x->sex == 2 ? "male"
							     : "unknown"));
	char d[16];
	if (x->birth_kind == 1 || x->birth_kind == 2) {
		if (x->birth_kind == 1)
			snprintf(d, sizeof d, "%04d", x->year);
		else
			snprintf(d, sizeof d, "%04d-%02d-%02d", x->year, x->month, x->day);
		bad |= json_object_set_new(person, "birth", json_string(d));
	} else if (x->birth_kind == 3) {
		bad |= json_object_set_new(person, "age_at_intake", json_integer(x->age));
	}
	if (x->origin)
		bad |= json_object_set_new(person, "origin",
					   json_pack("{s:s}", "province", provinces[x->origin - 1].id));
	bad |= json_object_set_new(body, "ref", json_string(ref));
	bad |= json_object_set_new(body, "person", person);
	char sd[16];
	snprintf(sd, sizeof sd, "%04d-%02d-%02d", x->rec_year, range(r, 1, 12), range(r, 1, 28));
	char who[32];
	snprintf(who, sizeof who, "interviewer-%d", range(r, 1, 9));
	bad |= json_object_set_new(body, "source",
				   json_pack("{s:s,s:s,s:s}", "organization", g->list_names[x->list],
					     "interviewer", who, "date", sd));
	bad |= json_object_set_new(body, "consent",
				   json_pack("{s:b,s:b,s:b,s:b,s:s,s:s}", "services", 1, "reporting",
					     chance(r, 0.95), "tracing", chance(r, 0.85), "sharing",
					     chance(r, 0.7), "given_by",
					     p->mother && x->age < 18 ? "guardian" : "self", "date", sd));
	static const char *const status[] = {"active", "follow_up", "closed", "closed_referred"};
	bad |= json_object_set_new(body, "status", json_string(status[kith_prng_below(r, 4)]));
	/* a journey and a narrative from templates: invented, and no names in them */
	int left = x->rec_year - range(r, 1, 8);
	if (left <= p->year + 10)
		left = p->year + 10;
	if (left > x->rec_year)
		left = x->rec_year;
	char y1[8], y2[8];
	snprintf(y1, sizeof y1, "%04d", left);
	snprintf(y2, sizeof y2, "%04d", x->rec_year);
	static const char *const countries[] = {"LA", "TH", "VN", "MN"};
	const char *via = countries[kith_prng_below(r, 4)];
	bad |= json_object_set_new(body, "journey",
				   json_pack("[{s:s,s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s}]", "leg", "escape",
					     "country", "CN", "region", "Jilin", "date", y1, "status",
					     "in_hiding", "leg", "transit", "country", via, "date", y2,
					     "status", "in_transit"));
	static const char *const jobs[] = {"a restaurant kitchen", "a farm",	    "a garment workshop",
					   "a household",	   "a karaoke bar", "a fish market"};
	static const char *const how[] = {
	    "crossed the Tumen river at night", "was brought across by a broker",
	    "followed a relative across the river", "crossed the frozen river in winter"};
	char narrative[512];
	snprintf(narrative, sizeof narrative,
		 "Fictional case generated by kith synth. Left %s in %s and %s. Worked in %s for %d years, "
		 "then travelled towards %s with help from a church network. Asked for %s.",
		 provinces[p->province].spellings[0], y1, how[kith_prng_below(r, 4)],
		 jobs[kith_prng_below(r, 6)], range(r, 1, 9), via,
		 chance(r, 0.5) ? "shelter and medical care" : "legal help and documents");
	bad |= json_object_set_new(body, "narrative", json_string(narrative));
	if (p->mother && chance(r, 0.5)) {
		const struct person *m = &g->people[p->mother - 1];
		char mn[64];
		snprintf(mn, sizeof mn, "%s%s%s", surnames[m->surname].hangul, female1[m->g1],
			 female2[m->g2]);
		bad |= json_object_set_new(
		    body, "family",
		    json_pack("[{s:s,s:s,s:s}]", "relation", "mother", "name", mn, "status", "missing"));
	}
	if (bad) {
		json_decref(body);
		return NULL;
	}
	return body;
}

static int write_json_line(FILE *f, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s)
		return 1;
	int bad = fputs(s, f) < 0 || fputc('\n', f) < 0;
	free(s);
	return bad;
}

static int write_cases(struct gen *g, const uint32_t *order, FILE *f, struct kith_err *err)
{
	for (size_t k = 0; k < g->n_recs; k++) {
		char id[16];
		rec_id(id, k);
		json_t *b = case_json(g, &g->recs[order[k]], id);
		if (!b)
			return kith_err_set(err, KITH_E_NOMEM, "cases", "out of memory");
		struct kith_err e;
		if (kith_record_validate("case", b, &e)) { /* a bug in the generator */
			json_decref(b);
			return kith_err_set(err, KITH_E_INTERNAL, "cases",
					    "generated case %s is invalid at %s: %s", id, e.where, e.msg);
		}
		int bad = write_json_line(f, b);
		json_decref(b);
		if (bad)
			return kith_err_set(err, KITH_E_IO, "cases", "cannot write the cases");
	}
	return KITH_OK;
}

/* Families and tracing requests. first_rec[p] = the first record id (+1) of person p, 0 if none. */
static int write_families(struct gen *g, const uint32_t *first_rec, FILE *fam, FILE *traces, int with_cases,
			  struct kith_synth_summary *sum, struct kith_err *err)
{
	struct kith_prng *r = &g->r;
	if (fam && fputs("mother,child,separation_place,separation_year,trace\n", fam) < 0)
		return kith_err_set(err, KITH_E_IO, "families", "cannot write the families");
	size_t t = 0;
	for (size_t i = 0; i < g->n_people; i++) {
		const struct person *c = &g->people[i];
		if (!c->mother)
			continue;
		sum->families++;
		const struct person *m = &g->people[c->mother - 1];
		char tref[24] = "";
		int traced = first_rec[c->mother - 1] && chance(r, 0.7);
		if (traced) {
			snprintf(tref, sizeof tref, "T-SYN-%06zu", ++t);
			json_t *seeker;
			if (with_cases) {
				char mid[16];
				rec_id(mid, first_rec[c->mother - 1] - 1);
				seeker = json_pack("{s:s}", "case", mid);
			} else {
				char mn[64], my[8];
				snprintf(mn, sizeof mn, "%s%s%s", surnames[m->surname].hangul, female1[m->g1],
					 female2[m->g2]);
				snprintf(my, sizeof my, "%04d", m->year);
				seeker = json_pack("{s:s,s:s,s:s}", "name", mn, "sex", "female", "birth", my);
			}
			/* the childhood name, as the mother remembers and writes it */
			const struct profile *pf = prof(2);
			int rc = spell(g, c, 0, pf, chance(r, 0.8) ? S_HANGUL : S_RR, 0, 0);
			if (rc) {
				json_decref(seeker);
				return kith_err_set(err, rc, "traces", "out of memory");
			}
			json_t *sought = json_pack("{s:s,s:s,s:s}", "name", g->tmp.buf, "sex",
						   c->female ? "female" : "male", "relation", "child");
			char sy[8];
			snprintf(sy, sizeof sy, "%04d", c->sep_year);
			int bad = !seeker || !sought;
			if (!bad && chance(r, 0.7))
				bad |=
				    json_object_set_new(sought, "age",
							json_pack("{s:i,s:i}", "years", c->sep_year - c->year,
								  "in_year", (int)c->sep_year));
			else if (!bad)
				bad |= json_object_set_new(sought, "birth", json_sprintf("%04d", c->year));
			if (!bad)
				bad |= json_object_set_new(sought, "separation",
							   json_pack("{s:s,s:s,s:s}", "place",
								     sep_places[c->sep_place][chance(r, 0.5)],
								     "country", "CN", "date", sy));
			char cd[16];
			snprintf(cd, sizeof cd, "%04d-%02d-%02d", range(r, 2012, 2024), range(r, 1, 12),
				 range(r, 1, 28));
			json_t *tr = bad ? NULL
					 : json_pack("{s:s,s:o,s:o,s:s,s:{s:b,s:s,s:s}}", "ref", tref,
						     "seeker", seeker, "sought", sought, "status", "open",
						     "consent", "tracing", 1, "given_by", "self", "date", cd);
			if (!tr) {
				if (bad) {
					json_decref(seeker);
					json_decref(sought);
				}
				return kith_err_set(err, KITH_E_NOMEM, "traces", "out of memory");
			}
			struct kith_err e;
			if (kith_record_validate("trace", tr, &e)) {
				json_decref(tr);
				return kith_err_set(err, KITH_E_INTERNAL, "traces",
						    "generated trace %s is invalid at %s: %s", tref, e.where,
						    e.msg);
			}
			int wb = traces && write_json_line(traces, tr);
			json_decref(tr);
			if (wb)
				return kith_err_set(err, KITH_E_IO, "traces",
						    "cannot write the tracing requests");
			sum->traces++;
		}
		if (fam && fprintf(fam, "P%07u,P%07zu,%s,%d,%s\n", c->mother, i + 1,
				   sep_places[c->sep_place][1], c->sep_year, tref) < 0)
			return kith_err_set(err, KITH_E_IO, "families", "cannot write the families");
	}
	return KITH_OK;
}

int kith_synth_write(const struct kith_synth_opts *o, FILE *records, FILE *truth, FILE *families,
		     FILE *traces, FILE *cases, struct kith_synth_summary *sum, struct kith_err *err)
{
	struct kith_synth_opts opts = *o;
	if (!opts.people)
		opts.people = 1000;
	if (!opts.lists)
		opts.lists = 4;
	if (opts.lists > KITH_SYNTH_MAX_LISTS || opts.lists < 1)
		return kith_err_set(err, KITH_E_INVALID, "lists", "between 1 and %d lists",
				    KITH_SYNTH_MAX_LISTS);
	if (opts.people > KITH_SYNTH_MAX_PEOPLE || opts.people < 2)
		return kith_err_set(err, KITH_E_INVALID, "people", "between 2 and %u people",
				    KITH_SYNTH_MAX_PEOPLE);
	struct kith_synth_summary s;
	memset(&s, 0, sizeof s);
	struct gen g;
	memset(&g, 0, sizeof g);
	g.o = &opts;
	g.lists = opts.lists;
	kith_prng_seed(&g.r, opts.seed);
	kith_prng_seed(&g.r2, opts.seed ^ 0x6b697468ULL);
	for (unsigned l = 0; l < g.lists; l++) {
		if (l < 4)
			snprintf(g.list_names[l], sizeof g.list_names[l], "%s", profiles[l].name);
		else
			snprintf(g.list_names[l], sizeof g.list_names[l], "%s-%u", profiles[l % 4].name,
				 l / 4 + 1);
		memcpy(s.list_names[l], g.list_names[l], sizeof s.list_names[l]);
	}
	s.lists = g.lists;
	g.n_people = (size_t)opts.people;
	g.people = calloc(g.n_people, sizeof *g.people);
	uint32_t *order = NULL, *first = NULL;
	int rc = KITH_OK;
	if (!g.people) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	make_people(&g);
	rc = capture(&g, &s);
	if (rc) {
		rc = kith_err_set(err, rc, NULL, "out of memory");
		goto out;
	}
	s.people = g.n_people;
	s.records = g.n_recs;
	/* shuffle */
	order = malloc((g.n_recs ? g.n_recs : 1) * sizeof *order);
	first = calloc(g.n_people, sizeof *first);
	if (!order || !first) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < g.n_recs; i++)
		order[i] = (uint32_t)i;
	for (size_t i = g.n_recs; i > 1; i--) {
		size_t j = (size_t)kith_prng_below(&g.r, i);
		uint32_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	{
		uint64_t *per = calloc(g.n_people, sizeof *per);
		if (!per) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < g.n_recs; k++) {
			uint32_t p = g.recs[order[k]].person;
			per[p]++;
			if (!first[p])
				first[p] = (uint32_t)k + 1;
		}
		for (size_t p = 0; p < g.n_people; p++)
			s.true_pairs += per[p] * (per[p] ? per[p] - 1 : 0) / 2;
		free(per);
	}
	if (records && write_records(&g, order, records)) {
		rc = kith_err_set(err, KITH_E_IO, "records", "cannot write the records");
		goto out;
	}
	if (truth && write_truth(&g, order, truth)) {
		rc = kith_err_set(err, KITH_E_IO, "truth", "cannot write the truth");
		goto out;
	}
	if (opts.families && (families || traces)) {
		rc = write_families(&g, first, families, traces, cases != NULL, &s, err);
		if (rc)
			goto out;
	}
	if (cases) {
		rc = write_cases(&g, order, cases, err);
		if (rc)
			goto out;
	}
	if (sum)
		*sum = s;
out:
	free(order);
	free(first);
	free(g.people);
	free(g.recs);
	kith_sbuf_release(&g.arena);
	kith_sbuf_release(&g.tmp);
	return rc;
}
