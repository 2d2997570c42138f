/*
 * trace — family tracing: checking requests, scoring them against cases with
 * fixed Fellegi–Sunter weights, and the review workflow that writes family
 * links into both cases (see trace.h for the contract, docs/tracing.md for
 * the weights and why).
 *
 * A prepared case (struct tcase) holds only what matching reads: its ref,
 * consent, sex, birth-year window, encoded names, folded places and family
 * entries. Folded places and names are wiped when the set is freed.
 */
#include "casework/trace.h"

#include "casework/people.h"

#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/record.h"
#include "base/sbuf.h"
#include "link/compare.h"
#include "names/names.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_NAMES 8
#define MAX_PLACES 16
#define MAX_FAMILY 8
#define MAX_FAM_NAMES 3

/* ---------------------------------------------------------------- weights (log2 Bayes factors) */

#define W_SURNAME_MIN -1.0
#define W_SURNAME_MAX 3.0
#define W_SURNAME_UNKNOWN 1.0
#define NAME_SIMILAR 0.70

/*
 * Every weighted level: its field, its name, its group (levels of one group
 * are exclusive; m and u are shares within it) and the default m and u.
 * DEFAULTS: estimated by `bench_trace --people 20000 --estimate` (m among the
 * true children of 1,795 requests, u among the 16.8 million other cases they
 * scored) on kith synth families, seeds 1-3; the levels synth never produces
 * or too rarely (seen fewer than 5 times on a side: a family entry naming a
 * case, a place of separation in a case's journey, a child's birth two years
 * off) keep the values chosen by hand before, marked "hand". Weights =
 * log2(m/u) within [W_ESTIMATED_MIN, W_ESTIMATED_MAX].
 */
static const struct {
	const char *field, *level;
	int group;
	double m, u;
} levels[KITH_TL_COUNT] = {
    [KITH_TL_NAME_SAME] = {"name", "same", 0, 0.8376, 2.626e-5},
    [KITH_TL_NAME_SIMILAR] = {"name", "similar", 0, 0.00519, 8.913e-6},
    [KITH_TL_NAME_GIVEN] = {"name", "given name", 0, 0.01631, 6.655e-6},
    [KITH_TL_NAME_SURNAME] = {"name", "surname only", 0, 0.1253, 0.09377},
    [KITH_TL_NAME_DIFFERENT] = {"name", "different", 0, 0.01557, 0.9062},
    [KITH_TL_SEX_AGREE] = {"sex", "agrees", 1, 0.9928, 0.4970},
    [KITH_TL_SEX_DIFFER] = {"sex", "differs", 1, 0.0072, 0.5030},
    [KITH_TL_BIRTH_AGREE] = {"birth", "agrees", 2, 0.9683, 0.07439},
    [KITH_TL_BIRTH_ONE] = {"birth", "one year apart", 2, 0.0317, 0.06556},
    [KITH_TL_BIRTH_TWO] = {"birth", "two years apart", 2, 0.03,
			   0.075},				      /* hand: never among synth's children */
    [KITH_TL_BIRTH_FAR] = {"birth", "differs", 2, 0.01, 0.645},	      /* hand: never among synth's children */
    [KITH_TL_SEP_SAME] = {"separation", "same place", 3, 0.40, 0.05}, /* hand */
    [KITH_TL_SEP_SIMILAR] = {"separation", "similar spelling", 3, 0.01, 0.0025}, /* hand */
    [KITH_TL_SEP_REGION] = {"separation", "same region", 3, 0.10, 0.05},	 /* hand */
    [KITH_TL_SEP_ELSEWHERE] = {"separation", "not among the case's places", 3, 0.9998, 1.0},
    [KITH_TL_SEP_COUNTRY] = {"separation", "same country", 4, 0.6, 0.49},			  /* hand */
    [KITH_TL_SEP_OTHER_COUNTRY] = {"separation", "not among the case's countries", 4, 0.4, 0.51}, /* hand */
    [KITH_TL_FAM_CASE] = {"family", "names the seeker's case", 5, 0.4, 0.0001},			  /* hand */
    [KITH_TL_FAM_OTHER_CASE] = {"family", "names another case", 5, 0.01, 0.08},			  /* hand */
    [KITH_TL_FAM_NAME_SAME] = {"family", "names the seeker", 5, 0.8184, 2.383e-4},
    /* a case that names the seeker but shares only the surname with the child sought is a sibling
     * as often as the child: not independent of the name, so a level of its own */
    [KITH_TL_FAM_NAME_SAME_SURNAME] = {"family", "names the seeker; only the surname agrees", 5, 0.1140,
				       2.405e-4},
    [KITH_TL_FAM_NAME_SIMILAR] = {"family", "names someone like the seeker", 5, 0.04, 0.01}, /* hand */
    [KITH_TL_FAM_NAME_OTHER] = {"family", "names someone else", 5, 0.0644, 0.99951},
    [KITH_TL_FAM_UNNAMED] = {"family", "a relative of that kind is recorded", 5, 0.05, 0.035}, /* hand */
    [KITH_TL_ORIGIN_SAME] = {"origin", "same province as the seeker", 6, 0.9447, 0.3163},
    [KITH_TL_ORIGIN_OTHER] = {"origin", "another province", 6, 0.0553, 0.6837},
};
#define N_GROUPS 7

/* A level is estimated once seen at least this often among the true relatives and among the others;
 * until then it keeps its m and u (synth never produces some levels: they keep the defaults). */
#define MIN_LEVEL_COUNT 5
/* An estimated weight stays within these bits: one field must not veto or decide alone on the strength
 * of a level synth never gets wrong (a birth two years off, never seen among 1,800 true children) */
#define W_ESTIMATED_MIN -8.0
#define W_ESTIMATED_MAX 12.0

const char *kith_trace_level_field(enum kith_trace_level l)
{
	return (unsigned)l < KITH_TL_COUNT ? levels[l].field : "";
}

const char *kith_trace_level_name(enum kith_trace_level l)
{
	return (unsigned)l < KITH_TL_COUNT ? levels[l].level : "";
}

void kith_trace_weights_finish(struct kith_trace_weights *w)
{
	for (int l = 0; l < KITH_TL_COUNT; l++) {
		double x = w->m[l] > 0 && w->u[l] > 0 ? log2(w->m[l] / w->u[l]) : 0;
		w->w[l] = x < W_ESTIMATED_MIN ? W_ESTIMATED_MIN : x > W_ESTIMATED_MAX ? W_ESTIMATED_MAX : x;
	}
}

void kith_trace_weights_default(struct kith_trace_weights *w)
{
	for (int l = 0; l < KITH_TL_COUNT; l++) {
		w->m[l] = levels[l].m;
		w->u[l] = levels[l].u;
	}
	kith_trace_weights_finish(w);
}

static void update_side(double *v, const double *c, double strength)
{
	for (int g = 0; g < N_GROUPS; g++) {
		double tot = 0, prior = 0;
		for (int l = 0; l < KITH_TL_COUNT; l++)
			if (levels[l].group == g) {
				tot += c[l];
				prior += v[l];
			}
		if (tot <= 0 || prior <= 0)
			continue;
		for (int l = 0; l < KITH_TL_COUNT; l++)
			if (levels[l].group == g)
				v[l] = (c[l] + strength * v[l] / prior) / (tot + strength);
	}
}

void kith_trace_weights_update(struct kith_trace_weights *w, const struct kith_trace_counts *c,
			       double strength_m, double strength_u)
{
	struct kith_trace_weights old = *w;
	update_side(w->m, c->m, strength_m);
	update_side(w->u, c->u, strength_u);
	kith_trace_weights_finish(w);
	for (int l = 0; l < KITH_TL_COUNT; l++) {
		if (c->m[l] < MIN_LEVEL_COUNT || c->u[l] < MIN_LEVEL_COUNT) {
			w->m[l] = old.m[l];
			w->u[l] = old.u[l];
			w->w[l] = old.w[l];
		}
		w->w[l] = w->w[l] < W_ESTIMATED_MIN   ? W_ESTIMATED_MIN
			  : w->w[l] > W_ESTIMATED_MAX ? W_ESTIMATED_MAX
						      : w->w[l];
	}
}

/* ---------------------------------------------------------------- small helpers */

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int year_of(const char *s)
{
	int y = 0;
	if (!s || kith_record_date_parse(s, strlen(s), &y, NULL, NULL) < 0)
		return 0;
	return y;
}

static int this_year(void)
{
	time_t t = time(NULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return KITH_RECORD_YEAR_MAX;
	return tm.tm_year + 1900;
}

/* A birth-year window; lo == 0 means unknown. */
struct win {
	int lo, hi;
};

/* A described person's window: birth, else age {years, in_year}. */
static struct win person_window(const json_t *o)
{
	struct win w = {0, 0};
	int y = year_of(sget(o, "birth"));
	if (y) {
		w.lo = w.hi = y;
		return w;
	}
	const json_t *age = json_object_get(o, "age");
	if (json_is_object(age)) {
		json_int_t a = json_integer_value(json_object_get(age, "years"));
		json_int_t in = json_integer_value(json_object_get(age, "in_year"));
		if (in > 0) {
			w.hi = (int)(in - a);
			w.lo = w.hi - 1;
		}
	}
	return w;
}

/* A case's window: person.birth, else age_at_intake in the year of source.date. */
static struct win case_window(const json_t *c)
{
	const json_t *p = json_object_get(c, "person");
	struct win w = {0, 0};
	int y = year_of(sget(p, "birth"));
	if (y) {
		w.lo = w.hi = y;
		return w;
	}
	const json_t *a = json_object_get(p, "age_at_intake");
	int sy = year_of(sget(json_object_get(c, "source"), "date"));
	if (json_is_integer(a) && sy) {
		w.hi = sy - (int)json_integer_value(a);
		w.lo = w.hi - 1;
	}
	return w;
}

static int win_gap(struct win a, struct win b)
{
	if (!a.lo || !b.lo)
		return -1;
	if (a.hi < b.lo)
		return b.lo - a.hi;
	if (b.hi < a.lo)
		return a.lo - b.hi;
	return 0;
}

enum { SEX_NONE = 0, SEX_F = 1, SEX_M = 2 };

static int sex_of(const char *s)
{
	if (!s)
		return SEX_NONE;
	if (!strcmp(s, "female"))
		return SEX_F;
	if (!strcmp(s, "male"))
		return SEX_M;
	return SEX_NONE;
}

enum rel { REL_NONE = 0, REL_MOTHER, REL_FATHER, REL_CHILD, REL_SIBLING, REL_SPOUSE, REL_OTHER };

static const char *const rel_names[] = {"", "mother", "father", "child", "sibling", "spouse", "other"};

static enum rel rel_of(const char *s)
{
	if (!s)
		return REL_NONE;
	for (size_t i = 1; i < N_OF(rel_names); i++)
		if (!strcmp(s, rel_names[i]))
			return (enum rel)i;
	return REL_NONE;
}

/* The word for r; "other" for none. */
static const char *rel_name(enum rel r)
{
	return r == REL_NONE ? "other" : rel_names[r];
}

/* The relation of the seeker to the person sought, given the relation of
 * the sought to the seeker and the seeker's sex. */
static enum rel rel_inverse(enum rel r, int seeker_sex)
{
	switch (r) {
	case REL_CHILD:
		return seeker_sex == SEX_F ? REL_MOTHER : seeker_sex == SEX_M ? REL_FATHER : REL_OTHER;
	case REL_MOTHER:
	case REL_FATHER:
		return REL_CHILD;
	case REL_SIBLING:
		return REL_SIBLING;
	case REL_SPOUSE:
		return REL_SPOUSE;
	default:
		return REL_OTHER;
	}
}

/* ---------------------------------------------------------------- places */

/* A small gazetteer of the places where separations happen, in the
 * spellings families use (Hangul, Chinese, pinyin, Korean readings), folded
 * as fold_place leaves them (lower case, no marks, administrative suffix
 * dropped). A place found here is compared by id; its parent makes a
 * regional agreement. */
struct gaz {
	const char *id;
	const char *parent;
	const char *aliases; /* folded, '|'-separated */
};

static const struct gaz gazetteer[] = {
    {"jilin", NULL, "jilin|길림|길림성|吉林|吉林省|kirin|kilrim|jilin sheng|jilin province"},
    {"yanbian", "jilin",
     "yanbian|연변|延边|延邊|yeonbyeon|yonbyon|yanbian korean autonomous|연변조선족자치주|延边朝鲜族自治州"},
    {"yanji", "yanbian", "yanji|연길|延吉|yeongil|yongil|yangil|yanki|yenki"},
    {"helong", "yanbian", "helong|화룡|和龙|和龍|hwaryong|hwalyong"},
    {"tumen", "yanbian", "tumen|도문|图们|圖們|domun|tomun"},
    {"longjing", "yanbian", "longjing|룡정|용정|龙井|龍井|ryongjong|yongjeong|yongjong|ryongjeong"},
    {"hunchun", "yanbian", "hunchun|훈춘|珲春|琿春|hunchoon"},
    {"antu", "yanbian", "antu|안도|安图|安圖|ando"},
    {"wangqing", "yanbian", "wangqing|왕청|汪清|wangcheong|wangchong"},
    {"dunhua", "yanbian", "dunhua|돈화|敦化|donhwa"},
    {"changbai", "jilin",
     "changbai|장백|长白|长白朝鲜族自治县|jangbaek|changbaek|changbai korean autonomous"},
    {"changchun", "jilin", "changchun|장춘|长春|jangchun"},
    {"baishan", "jilin", "baishan|백산|白山|baeksan"},
    {"liaoning", NULL, "liaoning|료녕|요녕|辽宁|ryonyong|yoryeong"},
    {"shenyang", "liaoning", "shenyang|심양|선양|沈阳|simyang|seonyang"},
    {"dandong", "liaoning", "dandong|단동|丹东|dandong shi"},
    {"heilongjiang", NULL, "heilongjiang|흑룡강|헤이룽장|黑龙江|heukryonggang|hukryonggang"},
    {"harbin", "heilongjiang", "harbin|하얼빈|할빈|哈尔滨|halbin"},
    {"mudanjiang", "heilongjiang", "mudanjiang|목단강|牡丹江|mokdangang"},
    {"beijing", NULL, "beijing|북경|베이징|北京|bukgyeong|peking"},
    {"qingdao", NULL, "qingdao|청도|칭다오|青岛|cheongdo"},
};

/* Folds s and drops a trailing administrative word ("city", "시", ...). */
static int fold_place(const char *s, struct kith_sbuf *out)
{
	kith_sbuf_reset(out);
	if (kith_compare_fold(s, strlen(s), out, NULL))
		return -1;
	static const char *const suffix[] = {" city", " shi", " county", " xian", " prefecture",
					     "시",    "현",   "市",	 "县"};
	for (size_t i = 0; i < N_OF(suffix); i++) {
		size_t k = strlen(suffix[i]);
		if (out->len > k + 1 && !memcmp(out->buf + out->len - k, suffix[i], k)) {
			out->len -= k;
			while (out->len && out->buf[out->len - 1] == ' ')
				out->len--;
			out->buf[out->len] = '\0';
			break;
		}
	}
	return out->len ? 0 : -1;
}

/* The gazetteer entry a folded place names, or -1. */
static int gaz_find(const char *f)
{
	size_t fl = strlen(f);
	for (size_t i = 0; i < N_OF(gazetteer); i++) {
		const char *a = gazetteer[i].aliases;
		while (*a) {
			const char *e = strchr(a, '|');
			size_t l = e ? (size_t)(e - a) : strlen(a);
			if (l == fl && !memcmp(a, f, l))
				return (int)i;
			a += l + (e ? 1 : 0);
		}
	}
	return -1;
}

static int gaz_parent(int i)
{
	if (i < 0 || !gazetteer[i].parent)
		return -1;
	for (size_t k = 0; k < N_OF(gazetteer); k++)
		if (!strcmp(gazetteer[k].id, gazetteer[i].parent))
			return (int)k;
	return -1;
}

/* 3 same place, 2 similar spelling, 1 same region, 0 different. */
static int place_level(const char *fa, int ga, const char *fb, int gb)
{
	if (ga >= 0 && gb >= 0) {
		if (ga == gb)
			return 3;
		int pa = gaz_parent(ga), pb = gaz_parent(gb);
		if (pa == gb || pb == ga || (pa >= 0 && pa == pb))
			return 1;
		return 0;
	}
	if (!strcmp(fa, fb))
		return 3;
	double jw = kith_compare_jaro_winkler(fa, strlen(fa), fb, strlen(fb));
	return jw >= 0.92 ? 2 : 0;
}

/* ---------------------------------------------------------------- prepared cases */

struct tfam {
	enum rel rel;
	char case_ref[KITH_VAULT_REF_MAX];
	struct kith_name names[MAX_FAM_NAMES];
	uint8_t n_names;
};

struct tcase {
	char ref[KITH_VAULT_REF_MAX];
	int consent;
	int sex;
	struct win birth;
	const char *origin; /* static vocabulary id or NULL */
	uint8_t n_names, n_places, n_family;
	struct kith_name names[MAX_NAMES];
	char *places[MAX_PLACES]; /* folded */
	int gaz[MAX_PLACES];
	char countries[MAX_PLACES][3];
	uint8_t n_countries;
	struct tfam family[MAX_FAMILY];
};

struct kith_trace_cases {
	struct tcase *c;
	size_t n;
	struct kith_trace_weights w;
};

void kith_trace_cases_set_weights(struct kith_trace_cases *c, const struct kith_trace_weights *w)
{
	c->w = *w;
}

const struct kith_trace_weights *kith_trace_cases_weights(const struct kith_trace_cases *c)
{
	return &c->w;
}

static void tcase_release(struct tcase *t)
{
	for (size_t i = 0; i < t->n_places; i++)
		kith_wipe_free_str(t->places[i]);
	sodium_memzero(t, sizeof *t);
}

void kith_trace_cases_free(struct kith_trace_cases *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->n; i++)
		tcase_release(&cs->c[i]);
	free(cs->c);
	free(cs);
}

static uint8_t encode_names(struct kith_name *out, size_t max, const char *const *names, size_t n)
{
	uint8_t k = 0;
	for (size_t i = 0; i < n && k < max; i++) {
		if (!names[i] || !*names[i])
			continue;
		if (kith_names_encode(&out[k], names[i], strlen(names[i]), NULL) == KITH_OK)
			k++;
	}
	return k;
}

/* The names of a described person: name then other_names. */
static size_t described_names(const json_t *o, const char **names, size_t max)
{
	size_t n = 0;
	const char *s = sget(o, "name");
	if (s && max)
		names[n++] = s;
	const json_t *on = json_object_get(o, "other_names");
	for (size_t i = 0; i < json_array_size(on) && n < max; i++) {
		s = json_string_value(json_array_get(on, i));
		if (s)
			names[n++] = s;
	}
	return n;
}

static const char *vocab_id(const char *vocab, const char *s)
{
	const char *id = NULL;
	if (!s || kith_record_vocab_lookup(vocab, s, &id) != KITH_OK)
		return NULL;
	return id;
}

static int add_place(struct tcase *t, const char *s, struct kith_sbuf *tmp)
{
	if (!s || t->n_places >= MAX_PLACES || fold_place(s, tmp))
		return KITH_OK;
	for (size_t i = 0; i < t->n_places; i++)
		if (!strcmp(t->places[i], tmp->buf))
			return KITH_OK;
	char *p = strdup(tmp->buf);
	if (!p)
		return KITH_E_NOMEM;
	t->gaz[t->n_places] = gaz_find(p);
	t->places[t->n_places++] = p;
	return KITH_OK;
}

static void add_country(struct tcase *t, const char *c)
{
	if (!c || strlen(c) != 2 || t->n_countries >= MAX_PLACES)
		return;
	for (size_t i = 0; i < t->n_countries; i++)
		if (!strcmp(t->countries[i], c))
			return;
	memcpy(t->countries[t->n_countries++], c, 3);
}

static int prepare_case(struct tcase *t, const json_t *c, size_t index, struct kith_sbuf *tmp)
{
	memset(t, 0, sizeof *t);
	const char *ref = kith_record_ref(c);
	if (ref)
		snprintf(t->ref, sizeof t->ref, "%s", ref);
	else
		snprintf(t->ref, sizeof t->ref, "#%zu", index);
	t->consent = kith_record_consent_allows(c, "tracing");
	const json_t *p = json_object_get(c, "person");
	t->sex = sex_of(sget(p, "sex"));
	t->birth = case_window(c);
	t->origin = sget(json_object_get(p, "origin"), "province");
	t->origin = t->origin ? vocab_id("province", t->origin) : NULL;
	/* "unknown" and "other" say that the province is not known: missing, not another province */
	if (t->origin && (!strcmp(t->origin, "unknown") || !strcmp(t->origin, "other")))
		t->origin = NULL;
	const char *names[MAX_NAMES];
	size_t nn = kith_record_case_names(c, names, MAX_NAMES);
	t->n_names = encode_names(t->names, MAX_NAMES, names, nn);
	int rc = add_place(t, sget(json_object_get(p, "origin"), "place"), tmp);
	const json_t *j = json_object_get(c, "journey");
	for (size_t i = 0; !rc && i < json_array_size(j); i++) {
		const json_t *st = json_array_get(j, i);
		rc = add_place(t, sget(st, "place"), tmp);
		if (!rc)
			rc = add_place(t, sget(st, "region"), tmp);
		add_country(t, sget(st, "country"));
	}
	const json_t *inc = json_object_get(c, "incidents");
	for (size_t i = 0; !rc && i < json_array_size(inc); i++) {
		rc = add_place(t, sget(json_array_get(inc, i), "place"), tmp);
		add_country(t, sget(json_array_get(inc, i), "country"));
	}
	const json_t *fam = json_object_get(c, "family");
	for (size_t i = 0; !rc && i < json_array_size(fam) && t->n_family < MAX_FAMILY; i++) {
		const json_t *f = json_array_get(fam, i);
		struct tfam *tf = &t->family[t->n_family];
		tf->rel = rel_of(sget(f, "relation"));
		const char *cr = sget(f, "case");
		if (cr)
			snprintf(tf->case_ref, sizeof tf->case_ref, "%s", cr);
		const char *fn[MAX_FAM_NAMES];
		size_t k = described_names(f, fn, MAX_FAM_NAMES);
		tf->n_names = encode_names(tf->names, MAX_FAM_NAMES, fn, k);
		t->n_family++;
	}
	return rc;
}

int kith_trace_cases_new(struct kith_trace_cases **out, json_t *const *cases, size_t n, struct kith_err *err)
{
	struct kith_trace_cases *cs = calloc(1, sizeof *cs);
	if (!cs)
		return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	cs->c = n ? calloc(n, sizeof *cs->c) : NULL;
	if (n && !cs->c) {
		free(cs);
		return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	}
	kith_trace_weights_default(&cs->w);
	struct kith_sbuf tmp = KITH_SBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		int rc = prepare_case(&cs->c[i], cases[i], i, &tmp);
		cs->n = i + 1;
		if (rc) {
			kith_sbuf_release(&tmp);
			kith_trace_cases_free(cs);
			return kith_err_set(err, rc, "trace", "out of memory");
		}
	}
	kith_sbuf_release(&tmp);
	*out = cs;
	return KITH_OK;
}

static const struct tcase *find_tcase(const struct kith_trace_cases *cs, const char *ref, size_t *idx)
{
	for (size_t i = 0; ref && i < cs->n; i++)
		if (!strcmp(cs->c[i].ref, ref)) {
			if (idx)
				*idx = i;
			return &cs->c[i];
		}
	return NULL;
}

/* ---------------------------------------------------------------- checks */

/* The seeker's window and sex: from the seeker's case when given. */
static struct win seeker_window(const json_t *trace, const json_t *seeker_case)
{
	if (seeker_case)
		return case_window(seeker_case);
	return person_window(json_object_get(trace, "seeker"));
}

/* Whether a parent/child pair of windows is impossible: the parent is less
 * than KITH_TRACE_MIN_PARENT_GAP years older even at the most favourable
 * reading. Sets *gap to the largest possible difference. */
static int parent_gap_bad(struct win parent, struct win child, int *gap)
{
	if (!parent.lo || !child.lo)
		return 0;
	*gap = child.hi - parent.lo;
	return *gap < KITH_TRACE_MIN_PARENT_GAP;
}

int kith_trace_check(const json_t *trace, const json_t *seeker_case, struct kith_err *err)
{
	const json_t *so = json_object_get(trace, "sought");
	int now = this_year();
	int by = year_of(sget(so, "birth"));
	if (by > now)
		return kith_err_set(err, KITH_E_INVALID, "sought.birth", "is in the future");
	const json_t *age = json_object_get(so, "age");
	if (json_is_object(age)) {
		json_int_t a = json_integer_value(json_object_get(age, "years"));
		json_int_t in = json_integer_value(json_object_get(age, "in_year"));
		if (in > now)
			return kith_err_set(err, KITH_E_INVALID, "sought.age.in_year", "is in the future");
		if (in - a < KITH_RECORD_YEAR_MIN)
			return kith_err_set(err, KITH_E_INVALID, "sought.age",
					    "is impossible: the birth year it gives is before %d",
					    KITH_RECORD_YEAR_MIN);
		if (by && (by > in - a + 1 || by < in - a - 1))
			return kith_err_set(err, KITH_E_INVALID, "sought.age",
					    "disagrees with sought.birth by %lld years",
					    (long long)(by > in - a ? by - (in - a) : (in - a) - by));
	}
	struct win sw = person_window(so);
	int sep = year_of(sget(json_object_get(so, "separation"), "date"));
	if (sep && sw.lo && sep < sw.lo)
		return kith_err_set(err, KITH_E_INVALID, "sought.separation.date",
				    "is before the birth of the person sought");
	if (sep > now)
		return kith_err_set(err, KITH_E_INVALID, "sought.separation.date", "is in the future");
	enum rel r = rel_of(sget(so, "relation"));
	int ssex = sex_of(sget(so, "sex"));
	if ((r == REL_MOTHER && ssex == SEX_M) || (r == REL_FATHER && ssex == SEX_F))
		return kith_err_set(err, KITH_E_INVALID, "sought.sex",
				    "contradicts sought.relation (a %s is %s)", rel_name(r),
				    r == REL_MOTHER ? "female" : "male");
	struct win kw = seeker_window(trace, seeker_case);
	int gap = 0;
	if (r == REL_CHILD && parent_gap_bad(kw, sw, &gap))
		return kith_err_set(
		    err, KITH_E_INVALID, "sought.relation",
		    "contradicts the birth years: a parent is at least %d years older than the "
		    "child, these are at most %d years apart",
		    KITH_TRACE_MIN_PARENT_GAP, gap);
	if ((r == REL_MOTHER || r == REL_FATHER) && parent_gap_bad(sw, kw, &gap))
		return kith_err_set(
		    err, KITH_E_INVALID, "sought.relation",
		    "contradicts the birth years: a parent is at least %d years older than the "
		    "child, these are at most %d years apart",
		    KITH_TRACE_MIN_PARENT_GAP, gap);
	return KITH_OK;
}

/* ---------------------------------------------------------------- matching */

struct query {
	struct kith_name names[MAX_NAMES];
	uint8_t n_names;
	int sex;
	struct win birth;
	int sep_year;
	char *sep_place; /* folded, or NULL */
	int sep_gaz;
	char sep_country[3];
	enum rel rel;
	/* the seeker */
	const struct tcase *seeker;
	struct kith_name seeker_names[MAX_NAMES];
	uint8_t n_seeker_names;
	int seeker_sex;
	struct win seeker_birth;
	const char *seeker_origin;
	enum rel inverse; /* the seeker's relation to the person sought */
	const struct kith_trace_weights *w;
};

static void query_release(struct query *q)
{
	kith_wipe_free_str(q->sep_place);
	sodium_memzero(q, sizeof *q);
}

static double best_sim(const struct kith_name *a, size_t na, const struct kith_name *b, size_t nb)
{
	double best = -1;
	for (size_t i = 0; i < na; i++)
		for (size_t k = 0; k < nb; k++) {
			double s = kith_names_similarity(&a[i], &b[k]);
			if (s > best)
				best = s;
		}
	return best;
}

static int surname_agrees(const struct kith_name *a, size_t na, const struct kith_name *b, size_t nb,
			  double *share)
{
	for (size_t i = 0; i < na; i++) {
		uint64_t ka = kith_names_surname_key(&a[i]);
		if (!ka)
			continue;
		for (size_t k = 0; k < nb; k++)
			if (kith_names_surname_key(&b[k]) == ka) {
				*share = kith_names_surname_share(&a[i]);
				return 1;
			}
	}
	return 0;
}

/* A given name written alone on one side (no surname read, not a surname
 * alone) against the given name of a full name on the other: the best
 * kith_names_query_score of the short name against the full one, -1 when no
 * pair is of that kind. A mother remembers her son as 철수; a shelter writes
 * "Myong Sim" for 리명심. */
static double given_alone(const struct kith_name *a, size_t na, const struct kith_name *b, size_t nb)
{
	double best = -1;
	for (size_t i = 0; i < na; i++)
		for (size_t k = 0; k < nb; k++) {
			const struct kith_name *x = &a[i], *y = &b[k];
			if (x->n_syl > y->n_syl || (x->n_syl == y->n_syl && x->n_sur > y->n_sur)) {
				const struct kith_name *t = x;
				x = y;
				y = t;
			}
			if (x->n_syl >= y->n_syl || (x->flags & KITH_NAMES_F_SURONLY) || !y->n_sur ||
			    x->n_syl + y->n_sur != y->n_syl)
				continue;
			double s = kith_names_query_score(x, y);
			if (s > best)
				best = s;
		}
	return best;
}

static void part(struct kith_trace_candidate *c, const char *field, const char *level, double w, double sim)
{
	if (c->n_parts >= KITH_TRACE_MAX_PARTS)
		return;
	struct kith_trace_part *p = &c->parts[c->n_parts++];
	p->field = field;
	p->level = level;
	p->level_id = -1;
	p->weight = w;
	p->similarity = sim;
	c->weight += w;
}

/* Whether the seeker could be the parent of a case (or the reverse):
 * 0 fine or unknown, 1 impossible. */
static int impossible(const struct query *q, const struct tcase *t)
{
	int gap;
	if (q->rel == REL_CHILD && parent_gap_bad(q->seeker_birth, t->birth, &gap))
		return 1;
	if ((q->rel == REL_MOTHER || q->rel == REL_FATHER) && parent_gap_bad(t->birth, q->seeker_birth, &gap))
		return 1;
	/* the person sought was alive at the separation: a birth year one after the separation's is
	 * possible (a year given for a date late in the year before, the birth field's own tolerance) */
	if (q->sep_year && t->birth.lo && t->birth.lo > q->sep_year + 1)
		return 1;
	return 0;
}

/* A weighted level: its field and name from the table, its weight from the query's weights. */
static void lpart(struct kith_trace_candidate *c, const struct query *q, enum kith_trace_level l, double sim)
{
	part(c, levels[l].field, levels[l].level, q->w->w[l], sim);
	c->parts[c->n_parts - 1].level_id = (int)l;
}

static void score_case(const struct query *q, const struct tcase *t, struct kith_trace_candidate *c)
{
	/* name */
	if (!q->n_names || !t->n_names) {
		part(c, "name", "missing", 0, -1);
	} else {
		double s = best_sim(q->names, q->n_names, t->names, t->n_names);
		double share = 0;
		if (s >= kith_names_same_threshold())
			lpart(c, q, KITH_TL_NAME_SAME, s);
		else if (s >= NAME_SIMILAR)
			lpart(c, q, KITH_TL_NAME_SIMILAR, s);
		else if ((s = given_alone(q->names, q->n_names, t->names, t->n_names)) >= NAME_SIMILAR)
			lpart(c, q, KITH_TL_NAME_GIVEN, s);
		else if (surname_agrees(q->names, q->n_names, t->names, t->n_names, &share)) {
			double w = share > 0 ? log2(0.18 / share) : W_SURNAME_UNKNOWN;
			w = w < W_SURNAME_MIN ? W_SURNAME_MIN : w > W_SURNAME_MAX ? W_SURNAME_MAX : w;
			part(c, "name", "surname only", w, s);
			c->parts[c->n_parts - 1].level_id = KITH_TL_NAME_SURNAME;
		} else
			lpart(c, q, KITH_TL_NAME_DIFFERENT, s);
	}
	/* sex */
	if (!q->sex || !t->sex)
		part(c, "sex", "missing", 0, -1);
	else if (q->sex == t->sex)
		lpart(c, q, KITH_TL_SEX_AGREE, -1);
	else
		lpart(c, q, KITH_TL_SEX_DIFFER, -1);
	/* birth */
	int g = win_gap(q->birth, t->birth);
	if (g < 0)
		part(c, "birth", "missing", 0, -1);
	else if (g == 0)
		lpart(c, q, KITH_TL_BIRTH_AGREE, -1);
	else if (g == 1)
		lpart(c, q, KITH_TL_BIRTH_ONE, -1);
	else if (g == 2)
		lpart(c, q, KITH_TL_BIRTH_TWO, -1);
	else
		lpart(c, q, KITH_TL_BIRTH_FAR, -1);
	/* separation place */
	if (q->sep_place && t->n_places) {
		int best = 0;
		for (size_t i = 0; i < t->n_places; i++) {
			int l = place_level(q->sep_place, q->sep_gaz, t->places[i], t->gaz[i]);
			if (l > best)
				best = l;
		}
		if (best == 3)
			lpart(c, q, KITH_TL_SEP_SAME, -1);
		else if (best == 2)
			lpart(c, q, KITH_TL_SEP_SIMILAR, -1);
		else if (best == 1)
			lpart(c, q, KITH_TL_SEP_REGION, -1);
		else
			lpart(c, q, KITH_TL_SEP_ELSEWHERE, -1);
	} else if (q->sep_country[0] && t->n_countries) {
		int in = 0;
		for (size_t i = 0; i < t->n_countries; i++)
			in |= !strcmp(t->countries[i], q->sep_country);
		lpart(c, q, in ? KITH_TL_SEP_COUNTRY : KITH_TL_SEP_OTHER_COUNTRY, -1);
	} else
		part(c, "separation", "missing", 0, -1);
	/* family: does the case name the seeker as its missing relative? */
	double fw = 0, fsim = -1;
	int fl = -1, found = 0;
	for (size_t i = 0; i < t->n_family; i++) {
		const struct tfam *f = &t->family[i];
		/* a seeker of unknown sex looking for a child may be either parent */
		int rel_ok = f->rel == q->inverse || (q->rel == REL_CHILD && q->inverse == REL_OTHER &&
						      (f->rel == REL_MOTHER || f->rel == REL_FATHER));
		if (!rel_ok)
			continue;
		int l;
		double s = -1;
		if (f->case_ref[0]) {
			if (q->seeker && !strcmp(f->case_ref, q->seeker->ref))
				l = KITH_TL_FAM_CASE;
			else
				l = KITH_TL_FAM_OTHER_CASE;
		} else if (f->n_names && q->n_seeker_names) {
			s = best_sim(f->names, f->n_names, q->seeker_names, q->n_seeker_names);
			if (s >= kith_names_same_threshold())
				l = KITH_TL_FAM_NAME_SAME;
			else if (s >= NAME_SIMILAR)
				l = KITH_TL_FAM_NAME_SIMILAR;
			else
				l = KITH_TL_FAM_NAME_OTHER;
		} else {
			l = KITH_TL_FAM_UNNAMED;
		}
		double w = q->w->w[l];
		if (!found || w > fw) {
			fw = w;
			fl = l;
			fsim = s;
		}
		found = 1;
	}
	if (fl == KITH_TL_FAM_NAME_SAME && c->n_parts && c->parts[0].level_id == KITH_TL_NAME_SURNAME)
		fl = KITH_TL_FAM_NAME_SAME_SURNAME;
	if (fl < 0)
		part(c, "family", "missing", 0, fsim);
	else
		lpart(c, q, (enum kith_trace_level)fl, fsim);
	/* origin of the seeker's family */
	if (q->seeker_origin && t->origin && q->rel != REL_SPOUSE && q->rel != REL_OTHER) {
		int same = !strcmp(q->seeker_origin, t->origin);
		lpart(c, q, same ? KITH_TL_ORIGIN_SAME : KITH_TL_ORIGIN_OTHER, -1);
	} else
		part(c, "origin", "missing", 0, -1);
	/* relation consistency (an impossible case never gets here) */
	part(c, "relation", q->seeker_birth.lo && t->birth.lo ? "ages consistent" : "not checked", 0, -1);
}

/*
 * The weight of "same name" depends on how common the name is: the Bayes
 * factor of agreement is m/u, and u grows with the number of people who hold
 * the name. Among the candidates of one request the holders of the name are
 * those at the level "same" (the person sought among them), so a name held by
 * k cases weighs the weight of "same" less log2(k) (one bit less for two
 * holders, three for eight), never less than "similar": ten
 * cases named 김영희 are ten equal candidates until birth, sex or place tell
 * them apart.
 */
static void same_name_weights(const struct kith_trace_weights *wt, struct kith_trace_candidate *all, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += all[i].n_parts && !strcmp(all[i].parts[0].level, "same");
	if (k <= 1)
		return;
	double w = wt->w[KITH_TL_NAME_SAME] - log2((double)k), floor = wt->w[KITH_TL_NAME_SIMILAR];
	if (w < floor)
		w = floor;
	for (size_t i = 0; i < n; i++) {
		struct kith_trace_part *p = &all[i].parts[0];
		if (!all[i].n_parts || strcmp(p->level, "same"))
			continue;
		all[i].weight += w - p->weight;
		p->weight = w;
	}
}

static int cand_cmp(const void *a, const void *b)
{
	const struct kith_trace_candidate *x = a, *y = b;
	if (x->weight > y->weight)
		return -1;
	if (x->weight < y->weight)
		return 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int build_query(struct query *q, const struct kith_trace_cases *cs, const json_t *trace,
		       const json_t *seeker_case, struct kith_err *err)
{
	memset(q, 0, sizeof *q);
	q->w = &cs->w;
	const json_t *so = json_object_get(trace, "sought");
	const json_t *sk = json_object_get(trace, "seeker");
	const char *names[MAX_NAMES];
	size_t nn = described_names(so, names, MAX_NAMES);
	q->n_names = encode_names(q->names, MAX_NAMES, names, nn);
	q->sex = sex_of(sget(so, "sex"));
	q->birth = person_window(so);
	const json_t *sep = json_object_get(so, "separation");
	q->sep_year = year_of(sget(sep, "date"));
	q->sep_gaz = -1;
	const char *sp = sget(sep, "place");
	if (sp) {
		struct kith_sbuf tmp = KITH_SBUF_INIT;
		if (!fold_place(sp, &tmp)) {
			q->sep_place = strdup(tmp.buf);
			if (!q->sep_place) {
				kith_sbuf_release(&tmp);
				return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			}
			q->sep_gaz = gaz_find(q->sep_place);
		}
		kith_sbuf_release(&tmp);
	}
	const char *cc = sget(sep, "country");
	if (cc && strlen(cc) == 2)
		memcpy(q->sep_country, cc, 3);
	q->rel = rel_of(sget(so, "relation"));
	const char *sref = sget(sk, "case");
	if (sref) {
		q->seeker = find_tcase(cs, sref, NULL);
		if (!q->seeker)
			return kith_err_set(err, KITH_E_NOTFOUND, "seeker.case", "no case with this ref");
		memcpy(q->seeker_names, q->seeker->names, sizeof q->seeker_names);
		q->n_seeker_names = q->seeker->n_names;
		q->seeker_sex = q->seeker->sex;
		q->seeker_birth = q->seeker->birth;
		q->seeker_origin = q->seeker->origin;
	} else {
		nn = described_names(sk, names, MAX_NAMES);
		q->n_seeker_names = encode_names(q->seeker_names, MAX_NAMES, names, nn);
		q->seeker_sex = sex_of(sget(sk, "sex"));
		q->seeker_birth = person_window(sk);
	}
	(void)seeker_case;
	q->inverse = rel_inverse(q->rel, q->seeker_sex);
	return KITH_OK;
}

void kith_trace_result_free(struct kith_trace_result *r)
{
	if (!r)
		return;
	if (r->c) {
		sodium_memzero(r->c, r->n * sizeof *r->c);
		free(r->c);
	}
	free(r);
}

/* Matches with an optional filter on stored reviews (vault). */
static int match_impl(const struct kith_trace_cases *cs, const json_t *trace, const json_t *seeker_case,
		      const struct kith_trace_opts *opts, struct kith_trace_result **out,
		      struct kith_err *err)
{
	struct kith_trace_opts o = opts ? *opts : (struct kith_trace_opts){0};
	if (!o.limit)
		o.limit = KITH_TRACE_DEFAULT_LIMIT;
	if (o.limit > KITH_TRACE_MAX_LIMIT)
		o.limit = KITH_TRACE_MAX_LIMIT;
	if (!json_is_true(json_object_get(json_object_get(trace, "consent"), "tracing")))
		return kith_err_set(err, KITH_E_CONSENT, "consent.tracing",
				    "the person seeking has not consented to tracing");
	int rc = kith_trace_check(trace, seeker_case, err);
	if (rc)
		return rc;
	struct query q;
	rc = build_query(&q, cs, trace, seeker_case, err);
	if (rc) {
		query_release(&q);
		return rc;
	}
	struct kith_trace_result *r = calloc(1, sizeof *r);
	struct kith_trace_candidate *all = cs->n ? calloc(cs->n, sizeof *all) : NULL;
	if (!r || (cs->n && !all)) {
		free(r);
		free(all);
		query_release(&q);
		return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	}
	const char *tref = kith_record_ref(trace);
	snprintf(r->ref, sizeof r->ref, "%s", tref ? tref : "");
	size_t n = 0;
	for (size_t i = 0; i < cs->n; i++) {
		const struct tcase *t = &cs->c[i];
		if (t == q.seeker)
			continue;
		if (!t->consent) {
			r->no_consent++;
			continue;
		}
		r->considered++;
		if (impossible(&q, t)) {
			r->impossible++;
			continue;
		}
		struct kith_trace_candidate *c = &all[n++];
		memcpy(c->ref, t->ref, sizeof c->ref);
		c->index = i;
		score_case(&q, t, c);
	}
	query_release(&q);
	same_name_weights(&cs->w, all, n);
	qsort(all, n, sizeof *all, cand_cmp);
	double prior = -log2((double)(r->considered ? r->considered : 1));
	for (size_t i = 0; i < n; i++)
		all[i].score = 1.0 / (1.0 + exp2(-(all[i].weight + prior)));
	size_t keep = 0;
	for (size_t i = 0; i < n && keep < o.limit; i++)
		if (all[i].score >= o.min_score)
			all[keep++] = all[i];
	if (keep < n)
		sodium_memzero(all + keep, (n - keep) * sizeof *all);
	r->n = keep;
	r->c = all;
	*out = r;
	return KITH_OK;
}

static int in_refs(const char *ref, const char *const *refs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(refs[k], ref))
			return 1;
	return 0;
}

/* kith_trace_count_levels over every stride-th case, and always over the cases in true_refs and
 * false_refs (to m and u). */
static int count_levels(const struct kith_trace_cases *cs, const json_t *trace, const char *const *true_refs,
			size_t n_true, const char *const *false_refs, size_t n_false, size_t stride,
			struct kith_trace_counts *acc, struct kith_err *err)
{
	if (!json_is_true(json_object_get(json_object_get(trace, "consent"), "tracing")))
		return kith_err_set(err, KITH_E_CONSENT, "consent.tracing",
				    "the person seeking has not consented to tracing");
	int rc = kith_trace_check(trace, NULL, err);
	if (rc)
		return rc;
	struct query q;
	rc = build_query(&q, cs, trace, NULL, err);
	if (rc) {
		query_release(&q);
		return rc;
	}
	struct kith_trace_candidate c;
	for (size_t i = 0; i < cs->n; i++) {
		const struct tcase *t = &cs->c[i];
		if (t == q.seeker || !t->consent || impossible(&q, t))
			continue;
		int truth = in_refs(t->ref, true_refs, n_true);
		if (!truth && i % stride && !in_refs(t->ref, false_refs, n_false))
			continue;
		memset(&c, 0, sizeof c);
		score_case(&q, t, &c);
		for (size_t p = 0; p < c.n_parts; p++) {
			int l = c.parts[p].level_id;
			if (l >= 0 && l < KITH_TL_COUNT)
				(truth ? acc->m : acc->u)[l] += 1;
		}
	}
	sodium_memzero(&c, sizeof c);
	query_release(&q);
	return KITH_OK;
}

int kith_trace_count_levels(const struct kith_trace_cases *cs, const json_t *trace,
			    const char *const *true_refs, size_t n_true, struct kith_trace_counts *acc,
			    struct kith_err *err)
{
	return count_levels(cs, trace, true_refs, n_true, NULL, 0, 1, acc, err);
}

int kith_trace_match_body(const struct kith_trace_cases *cs, const json_t *trace,
			  const struct kith_trace_opts *opts, struct kith_trace_result **out,
			  struct kith_err *err)
{
	return match_impl(cs, trace, NULL, opts, out, err);
}

json_t *kith_trace_result_json(const struct kith_trace_result *r)
{
	json_t *arr = json_array();
	json_t *o =
	    json_pack("{s:s,s:I,s:I,s:I}", "ref", r->ref, "considered", (json_int_t)r->considered,
		      "no_consent", (json_int_t)r->no_consent, "impossible", (json_int_t)r->impossible);
	if (!arr || !o || json_object_set(o, "candidates", arr)) {
		json_decref(arr);
		json_decref(o);
		return NULL;
	}
	json_decref(arr);
	for (size_t i = 0; i < r->n; i++) {
		const struct kith_trace_candidate *c = &r->c[i];
		json_t *ex = json_array();
		for (size_t k = 0; ex && k < c->n_parts; k++) {
			const struct kith_trace_part *p = &c->parts[k];
			json_t *pj = json_pack("{s:s,s:s,s:f}", "field", p->field, "level", p->level,
					       "weight", round(p->weight * 100) / 100);
			if (pj && p->similarity >= 0)
				json_object_set_new(pj, "similarity",
						    json_real(round(p->similarity * 1000) / 1000));
			if (!pj || json_array_append_new(ex, pj)) {
				json_decref(ex);
				ex = NULL;
			}
		}
		json_t *cj =
		    ex ? json_pack("{s:s,s:f,s:f,s:o,s:b,s:o}", "ref", c->ref, "score",
				   round(c->score * 10000) / 10000, "weight", round(c->weight * 100) / 100,
				   "state", c->state ? json_string(c->state) : json_null(), "new", c->is_new,
				   "explanation", ex)
		       : NULL;
		if (!cj || json_array_append_new(arr, cj)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* ---------------------------------------------------------------- vault: reading */

static void free_bodies(json_t **b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(b[i]);
	free(b);
}

/* The cases of v as a prepared set. */
static int learn_from_reviews(struct kith_vault *v, struct kith_trace_cases *cs, struct kith_err *err);

static int vault_cases(struct kith_vault *v, struct kith_trace_cases **out, struct kith_err *err)
{
	size_t n = 0;
	const struct kith_record_view *views = kith_vault_records(v, "case", &n);
	json_t **b = n ? calloc(n, sizeof *b) : NULL;
	if (n && !b)
		return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	for (size_t i = 0; i < n; i++) {
		b[i] = kith_record_view_json(&views[i]);
		if (!b[i]) {
			free_bodies(b, i);
			return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
		}
	}
	int rc = kith_trace_cases_new(out, b, n, err);
	free_bodies(b, n);
	if (rc == KITH_OK)
		rc = learn_from_reviews(v, *out, err);
	if (rc) {
		kith_trace_cases_free(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * The reviewers' decisions as they accumulate: for up to LEARN_REQUESTS
 * requests with a confirmed or rejected candidate, the levels of the
 * confirmed cases count to m, those of the rejected cases and of a sample of
 * the other cases scored (every case up to LEARN_SAMPLE of them) to u. The
 * defaults are a prior of LEARN_STRENGTH_M observations for m — a few dozen
 * confirmations move it — and LEARN_STRENGTH_U for u (rejected candidates
 * are the likeliest non-matches, not typical ones: they must not make
 * agreement on a name look common), and a level moves only once seen
 * MIN_LEVEL_COUNT times on both sides.
 */
#define LEARN_REQUESTS 32
#define LEARN_SAMPLE 2000
#define LEARN_STRENGTH_M 50.0
#define LEARN_STRENGTH_U 5000.0

static int learn_from_reviews(struct kith_vault *v, struct kith_trace_cases *cs, struct kith_err *err)
{
	size_t n = 0, used = 0;
	const struct kith_record_view *views = kith_vault_records(v, "trace", &n);
	struct kith_trace_counts cnt;
	memset(&cnt, 0, sizeof cnt);
	size_t stride = cs->n > LEARN_SAMPLE ? cs->n / LEARN_SAMPLE : 1;
	for (size_t i = 0; i < n && used < LEARN_REQUESTS; i++) {
		json_t *b = kith_record_view_json(&views[i]);
		if (!b)
			return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
		const char *yes[8], *no[32];
		size_t ny = 0, nn = 0, k;
		json_t *c;
		json_array_foreach(json_object_get(b, "candidates"), k, c)
		{
			const char *st = sget(c, "state"), *ref = sget(c, "case");
			if (!st || !ref)
				continue;
			if (!strcmp(st, "confirmed") && ny < N_OF(yes))
				yes[ny++] = ref;
			else if (!strcmp(st, "rejected") && nn < N_OF(no))
				no[nn++] = ref;
		}
		int rc = KITH_OK;
		if (ny || nn) {
			/* a request that no longer passes its checks teaches nothing */
			int r2 = count_levels(cs, b, yes, ny, no, nn, stride, &cnt, NULL);
			if (r2 == KITH_OK)
				used++;
			else if (r2 == KITH_E_NOMEM)
				rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
		}
		json_decref(b);
		if (rc)
			return rc;
	}
	if (used)
		kith_trace_weights_update(&cs->w, &cnt, LEARN_STRENGTH_M, LEARN_STRENGTH_U);
	return KITH_OK;
}

static json_t *case_body(struct kith_vault *v, const char *ref, const struct kith_record_view **view)
{
	const struct kith_record_view *cv = ref ? kith_vault_find(v, "case", ref) : NULL;
	if (view)
		*view = cv;
	return cv ? kith_record_view_json(cv) : NULL;
}

/* The refs reported by recorded runs: the notes "reported A B C" of the
 * request's "trace-match" versions, appended space-separated to out. */
static int reported_refs(struct kith_vault *v, const char *id, struct kith_sbuf *out, struct kith_err *err)
{
	struct kith_record_view *h = NULL;
	size_t n = 0;
	int rc = kith_vault_history(v, id, &h, &n, err);
	if (rc && rc != KITH_E_CORRUPT)
		return rc;
	rc = KITH_OK;
	for (size_t i = 0; !rc && i < n; i++)
		if (h[i].action && !strcmp(h[i].action, "trace-match") && h[i].note &&
		    !strncmp(h[i].note, "reported ", 9))
			rc = kith_sbuf_addf(out, " %s ", h[i].note + 9);
	kith_vault_history_free(h, n);
	return rc ? kith_err_set(err, rc, "trace", "out of memory") : KITH_OK;
}

static int in_reported(const struct kith_sbuf *rep, const char *ref)
{
	if (!rep->len)
		return 0;
	char key[KITH_VAULT_REF_MAX + 2];
	snprintf(key, sizeof key, " %s ", ref);
	return strstr(rep->buf, key) != NULL;
}

static const json_t *stored_candidate(const json_t *trace, const char *case_ref, size_t *idx)
{
	const json_t *cands = json_object_get(trace, "candidates");
	for (size_t i = 0; i < json_array_size(cands); i++) {
		const json_t *c = json_array_get(cands, i);
		const char *r = sget(c, "case");
		if (r && !strcmp(r, case_ref)) {
			if (idx)
				*idx = i;
			return c;
		}
	}
	return NULL;
}

static const char *static_state(const char *s)
{
	if (!s)
		return NULL;
	if (!strcmp(s, "possible"))
		return "possible";
	if (!strcmp(s, "confirmed"))
		return "confirmed";
	if (!strcmp(s, "rejected"))
		return "rejected";
	return NULL;
}

/* Matches a stored request; cs prepared by the caller. */
static int vault_match(struct kith_vault *v, const struct kith_trace_cases *cs,
		       const struct kith_record_view *tv, const struct kith_trace_opts *opts,
		       struct kith_trace_result **out, struct kith_err *err)
{
	json_t *tb = kith_record_view_json(tv);
	if (!tb)
		return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	json_t *sc = NULL;
	const char *sref = sget(json_object_get(tb, "seeker"), "case");
	if (sref) {
		sc = case_body(v, sref, NULL);
		if (!sc) {
			json_decref(tb);
			return kith_err_set(err, KITH_E_NOTFOUND, "seeker.case", "no case with this ref");
		}
	}
	struct kith_trace_opts o = opts ? *opts : (struct kith_trace_opts){0};
	size_t want = o.limit ? o.limit : KITH_TRACE_DEFAULT_LIMIT;
	o.limit = KITH_TRACE_MAX_LIMIT; /* filter rejected ones after */
	struct kith_trace_result *r = NULL;
	int rc = match_impl(cs, tb, sc, &o, &r, err);
	struct kith_sbuf rep = KITH_SBUF_INIT;
	if (!rc)
		rc = reported_refs(v, tv->id, &rep, err);
	if (!rc) {
		size_t k = 0;
		for (size_t i = 0; i < r->n; i++) {
			struct kith_trace_candidate *c = &r->c[i];
			c->state = static_state(sget(stored_candidate(tb, c->ref, NULL), "state"));
			if (c->state && !strcmp(c->state, "rejected") && !(opts && opts->include_rejected))
				continue;
			c->is_new = !c->state && !in_reported(&rep, c->ref);
			if (k < want)
				r->c[k++] = *c;
		}
		r->n = k;
	}
	kith_sbuf_release(&rep);
	json_decref(sc);
	json_decref(tb);
	if (rc) {
		kith_trace_result_free(r);
		return rc;
	}
	*out = r;
	return KITH_OK;
}

int kith_trace_match(struct kith_vault *v, const char *ref, const struct kith_trace_opts *opts,
		     struct kith_trace_result **out, struct kith_err *err)
{
	const struct kith_record_view *tv = ref ? kith_vault_find(v, "trace", ref) : NULL;
	if (!tv)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no tracing request with this ref");
	struct kith_trace_cases *cs = NULL;
	int rc = vault_cases(v, &cs, err);
	if (rc)
		return rc;
	rc = vault_match(v, cs, tv, opts, out, err);
	kith_trace_cases_free(cs);
	return rc;
}

int kith_trace_list_json(struct kith_vault *v, const char *status, json_t **out, struct kith_err *err)
{
	size_t n = 0;
	const struct kith_record_view *views = kith_vault_records(v, "trace", &n);
	json_t *arr = json_array();
	if (!arr)
		return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&views[i]);
		if (!b)
			goto nomem;
		const char *st = sget(b, "status");
		if (!st)
			st = "open";
		if (status && strcmp(status, st)) {
			json_decref(b);
			continue;
		}
		const json_t *sk = json_object_get(b, "seeker"), *so = json_object_get(b, "sought");
		size_t np = 0, nc = 0, nr = 0;
		const json_t *cands = json_object_get(b, "candidates");
		for (size_t k = 0; k < json_array_size(cands); k++) {
			const char *s = sget(json_array_get(cands, k), "state");
			np += s && !strcmp(s, "possible");
			nc += s && !strcmp(s, "confirmed");
			nr += s && !strcmp(s, "rejected");
		}
		json_t *seeker = sget(sk, "case") ? json_pack("{s:s}", "case", sget(sk, "case"))
						  : json_pack("{s:s?}", "name", sget(sk, "name"));
		json_t *o = json_pack(
		    "{s:s,s:s,s:I,s:s,s:o,s:{s:s?,s:s?},s:{s:I,s:I,s:I},s:I,s:b}", "ref", views[i].ref, "id",
		    views[i].id, "version", (json_int_t)views[i].version, "status", st, "seeker", seeker,
		    "sought", "name", sget(so, "name"), "relation", sget(so, "relation"), "candidates",
		    "possible", (json_int_t)np, "confirmed", (json_int_t)nc, "rejected", (json_int_t)nr, "at",
		    (json_int_t)views[i].at, "consent",
		    json_is_true(json_object_get(json_object_get(b, "consent"), "tracing")));
		json_decref(b);
		if (!o || json_array_append_new(arr, o))
			goto nomem;
	}
	*out = arr;
	return KITH_OK;
nomem:
	json_decref(arr);
	return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
}

/* ---------------------------------------------------------------- vault: writing */

int kith_trace_add(struct kith_vault *v, json_t *const *bodies, size_t n, char (*refs)[KITH_VAULT_REF_MAX],
		   size_t *bad_index, struct kith_err *err)
{
	struct kith_vault_batch *b = NULL;
	int rc = kith_vault_batch_begin(v, &b, err);
	if (rc)
		return rc;
	size_t i = 0;
	for (; i < n; i++) {
		unsigned long failed = kith_json_alloc_failures(); /* a copy may drop members */
		json_t *body = json_deep_copy(bodies[i]);
		if (body && kith_json_alloc_failures() != failed) {
			json_decref(body);
			body = NULL;
		}
		if (!body) {
			rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			break;
		}
		if (!json_object_get(body, "status") &&
		    json_object_set_new(body, "status", json_string("open"))) {
			json_decref(body);
			rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			break;
		}
		rc = kith_record_validate("trace", body, err);
		json_t *sc = NULL;
		const char *sref = sget(json_object_get(body, "seeker"), "case");
		if (!rc && sref) {
			sc = case_body(v, sref, NULL);
			if (!sc)
				rc = kith_err_set(err, KITH_E_NOTFOUND, "seeker.case",
						  "no case with this ref");
		}
		if (!rc)
			rc = kith_trace_check(body, sc, err);
		json_decref(sc);
		if (!rc) {
			struct kith_vault_put_opts po = {.create_only = 1, .action = "trace-add"};
			rc = kith_vault_put(b, "trace", body, &po, refs ? refs[i] : NULL, NULL, err);
		}
		json_decref(body);
		if (rc)
			break;
	}
	if (rc) {
		if (bad_index)
			*bad_index = i;
		kith_vault_batch_free(b);
		return rc;
	}
	return kith_vault_batch_commit(b, err);
}

int kith_trace_run_all(struct kith_vault *v, const struct kith_trace_opts *opts, int record, json_t **out,
		       struct kith_err *err)
{
	struct kith_trace_opts o = opts ? *opts : (struct kith_trace_opts){0};
	if (!o.min_score_set && o.min_score <= 0)
		o.min_score = 0.5;
	o.include_rejected = 0;
	size_t n = 0;
	const struct kith_record_view *views = kith_vault_records(v, "trace", &n);
	struct kith_trace_cases *cs = NULL;
	int rc = vault_cases(v, &cs, err);
	if (rc)
		return rc;
	json_t *res = json_array(), *failed = json_array();
	/* what to record: (view index, note) pairs, written after the loop */
	size_t *rec_idx = n ? calloc(n, sizeof *rec_idx) : NULL;
	char **rec_note = n ? calloc(n, sizeof *rec_note) : NULL;
	size_t n_rec = 0, requests = 0, skipped = 0;
	if (!res || !failed || (n && (!rec_idx || !rec_note))) {
		rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *tb = kith_record_view_json(&views[i]);
		if (!tb) {
			rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			break;
		}
		const char *st = sget(tb, "status");
		int live = !st || !strcmp(st, "open") || !strcmp(st, "possible_match");
		int consent = json_is_true(json_object_get(json_object_get(tb, "consent"), "tracing"));
		json_decref(tb);
		if (!live)
			continue;
		if (!consent) {
			skipped++;
			continue;
		}
		requests++;
		struct kith_trace_result *r = NULL;
		struct kith_err e;
		kith_err_clear(&e);
		int mrc = vault_match(v, cs, &views[i], &o, &r, &e);
		if (mrc == KITH_E_NOMEM || mrc == KITH_E_DB) {
			rc = kith_err_set(err, mrc, e.where, "%s", e.msg);
			break;
		}
		if (mrc) {
			if (json_array_append_new(failed, json_pack("{s:s,s:s,s:s}", "ref", views[i].ref,
								    "where", e.where, "error", e.msg)))
				rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			continue;
		}
		size_t k = 0;
		struct kith_sbuf note = KITH_SBUF_INIT;
		int arc = kith_sbuf_adds(&note, "reported");
		for (size_t c = 0; c < r->n; c++)
			if (r->c[c].is_new) {
				r->c[k++] = r->c[c];
				if (!arc)
					arc = kith_sbuf_addf(&note, " %s", r->c[c].ref);
			}
		r->n = k;
		if (k) {
			json_t *rj = kith_trace_result_json(r);
			if (arc || !rj || json_array_append_new(res, rj))
				rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			if (!rc && record) {
				size_t len;
				rec_note[n_rec] = kith_sbuf_detach(&note, &len);
				if (!rec_note[n_rec])
					rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
				else
					rec_idx[n_rec++] = i;
			}
		}
		kith_sbuf_release(&note);
		kith_trace_result_free(r);
	}
	if (!rc && n_rec) {
		struct kith_vault_batch *b = NULL;
		rc = kith_vault_batch_begin(v, &b, err);
		for (size_t k = 0; !rc && k < n_rec; k++) {
			const struct kith_record_view *tv = &views[rec_idx[k]];
			json_t *tb = kith_record_view_json(tv);
			struct kith_vault_put_opts po = {.id = tv->id,
							 .action = "trace-match",
							 .note = rec_note[k],
							 .expect_version = tv->version};
			rc = tb ? kith_vault_put(b, "trace", tb, &po, NULL, NULL, err)
				: kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			json_decref(tb);
		}
		if (rc)
			kith_vault_batch_free(b);
		else if (b)
			rc = kith_vault_batch_commit(b, err);
	}
	if (!rc) {
		*out = json_pack("{s:I,s:I,s:I,s:O,s:O}", "requests", (json_int_t)requests, "skipped_consent",
				 (json_int_t)skipped, "with_new", (json_int_t)json_array_size(res), "failed",
				 failed, "results", res);
		if (!*out)
			rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	}
done:
	for (size_t k = 0; k < n_rec; k++)
		kith_wipe_free_str(rec_note[k]);
	free(rec_note);
	free(rec_idx);
	json_decref(res);
	json_decref(failed);
	kith_trace_cases_free(cs);
	return rc;
}

int kith_trace_verb_parse(const char *s, enum kith_trace_verb *out)
{
	static const char *const names[] = {"possible", "confirm", "reject", "undo"};
	for (size_t i = 0; s && i < N_OF(names); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum kith_trace_verb)i;
			return KITH_OK;
		}
	return KITH_E_INVALID;
}

/* The request's status from its candidates (closed stays closed). */
static const char *status_from(const json_t *cands)
{
	int poss = 0;
	for (size_t i = 0; i < json_array_size(cands); i++) {
		const char *s = sget(json_array_get(cands, i), "state");
		if (s && !strcmp(s, "confirmed"))
			return "confirmed";
		poss |= s && !strcmp(s, "possible");
	}
	return poss ? "possible_match" : "open";
}

/* A new family entry in a case body (consumes nothing; entry is copied). */
static int family_add(json_t *body, json_t *entry)
{
	json_t *fam = json_object_get(body, "family");
	if (!fam) {
		fam = json_array();
		if (!fam || json_object_set_new(body, "family", fam))
			return KITH_E_NOMEM;
	}
	for (size_t i = 0; i < json_array_size(fam); i++)
		if (json_equal(json_array_get(fam, i), entry))
			return KITH_OK;
	return json_array_append(fam, entry) ? KITH_E_NOMEM : KITH_OK;
}

/* Removes the family entries equal to entry; returns how many. */
static size_t family_remove(json_t *body, const json_t *entry)
{
	json_t *fam = json_object_get(body, "family");
	size_t removed = 0;
	for (size_t i = json_array_size(fam); i-- > 0;)
		if (json_equal(json_array_get(fam, i), entry)) {
			json_array_remove(fam, i);
			removed++;
		}
	if (fam && !json_array_size(fam))
		json_object_del(body, "family");
	return removed;
}

/* Whether a family entry describes the relative (more than notes). */
static int described(const json_t *e)
{
	return json_object_get(e, "name") || json_object_get(e, "other_names") || json_object_get(e, "sex") ||
	       json_object_get(e, "birth");
}

/* The names a family entry may describe someone by: a case's names or a
 * described person's, at most max, borrowed. */
static size_t names_of(const json_t *o, const char **names, size_t max)
{
	const json_t *p = json_object_get(o, "person");
	return p ? kith_record_case_names(o, names, max) : described_names(o, names, max);
}

/*
 * The described family entry of body that a confirmation finds: relation
 * `relation`, no case, whereabouts missing, unknown or unstated, and (when
 * both sides have names) a name like one of who[0..nw) — the best of them.
 * Its index, or -1.
 */
static long family_described(const json_t *body, const char *relation, const json_t *const *who, size_t nw)
{
	const json_t *fam = json_object_get(body, "family");
	const char *wn[16];
	size_t n = 0;
	for (size_t i = 0; i < nw; i++)
		if (who[i])
			n += names_of(who[i], wn + n, 16 - n);
	struct kith_name *we = n ? calloc(n, sizeof *we) : NULL;
	uint8_t ne = we ? encode_names(we, n, wn, n) : 0;
	long best = -1;
	double best_s = -2;
	for (size_t i = 0; i < json_array_size(fam); i++) {
		const json_t *e = json_array_get(fam, i);
		const char *st = sget(e, "status");
		if (json_object_get(e, "case") || !sget(e, "relation") ||
		    strcmp(sget(e, "relation"), relation) ||
		    (st && strcmp(st, "missing") && strcmp(st, "unknown")))
			continue;
		const char *en[8];
		size_t k = described_names(e, en, 8);
		struct kith_name ee[8];
		uint8_t nee = encode_names(ee, 8, en, k);
		double sc = nee && ne ? best_sim(ee, nee, we, ne) : -1;
		if (nee && ne && sc < kith_names_same_threshold() * 0.5)
			continue; /* names someone else */
		if (sc > best_s) {
			best_s = sc;
			best = (long)i;
		}
	}
	free(we);
	return best;
}

/* Confirms: the described entry of body for `relation` (see above) gets the
 * case and "found", else entry is added. */
static int family_confirm(json_t *body, json_t *entry, const json_t *const *who, size_t nw)
{
	long i = family_described(body, sget(entry, "relation"), who, nw);
	if (i < 0 || !sget(entry, "case"))
		return family_add(body, entry);
	json_t *e = json_array_get(json_object_get(body, "family"), (size_t)i);
	if (json_object_set(e, "case", json_object_get(entry, "case")) ||
	    json_object_set_new(e, "status", json_string("found")))
		return KITH_E_NOMEM;
	return KITH_OK;
}

/* Undoes family_confirm: a described entry naming the case loses the case
 * and is missing again; entries equal to entry are removed. */
static int family_unconfirm(json_t *body, const json_t *entry)
{
	family_remove(body, entry);
	json_t *fam = json_object_get(body, "family");
	const char *c = sget(entry, "case"), *rel = sget(entry, "relation");
	for (size_t i = 0; c && rel && i < json_array_size(fam); i++) {
		json_t *e = json_array_get(fam, i);
		if (!sget(e, "case") || strcmp(sget(e, "case"), c) || !sget(e, "relation") ||
		    strcmp(sget(e, "relation"), rel) || !described(e))
			continue;
		if (json_object_del(e, "case") || json_object_set_new(e, "status", json_string("missing")))
			return KITH_E_NOMEM;
	}
	return KITH_OK;
}

static const char *verb_action(enum kith_trace_verb verb)
{
	static const char *const a[] = {"trace-possible", "trace-confirm", "trace-reject", "trace-undo"};
	return a[verb];
}

/* The family entries a confirmation writes: in the seeker's case (naming the
 * found case) and in the found case (naming the seeker's case, or the
 * request's ref for a described seeker). New references. */
static int family_entries(const json_t *tb, const json_t *seeker_case, const char *tref, const char *case_ref,
			  json_t **in_seeker, json_t **in_found)
{
	const json_t *so = json_object_get(tb, "sought");
	const char *sref = sget(json_object_get(tb, "seeker"), "case");
	enum rel r = rel_of(sget(so, "relation"));
	int ssex = seeker_case ? sex_of(sget(json_object_get(seeker_case, "person"), "sex"))
			       : sex_of(sget(json_object_get(tb, "seeker"), "sex"));
	enum rel inv = rel_inverse(r, ssex);
	*in_seeker = NULL;
	*in_found = NULL;
	if (sref) {
		*in_seeker =
		    json_pack("{s:s,s:s,s:s}", "relation", rel_name(r), "case", case_ref, "status", "found");
		*in_found =
		    json_pack("{s:s,s:s,s:s}", "relation", rel_name(inv), "case", sref, "status", "found");
		return *in_seeker && *in_found ? KITH_OK : KITH_E_NOMEM;
	}
	char note[KITH_VAULT_REF_MAX + 32];
	snprintf(note, sizeof note, "tracing request %s", tref);
	*in_found = json_pack("{s:s,s:s,s:s}", "relation", rel_name(inv), "notes", note, "status", "found");
	return *in_found ? KITH_OK : KITH_E_NOMEM;
}

int kith_trace_review(struct kith_vault *v, const char *ref, const char *case_ref, enum kith_trace_verb verb,
		      const char *reviewer, const char *note, struct kith_err *err)
{
	if (kith_people_allow(v, KITH_PEOPLE_REVIEW, err)) /* people.h */
		return err ? err->status : KITH_E_DENIED;
	char rbuf[KITH_PEOPLE_NAME_MAX];
	reviewer = kith_people_reviewer(v, reviewer, rbuf, sizeof rbuf);
	const struct kith_record_view *tv = ref ? kith_vault_find(v, "trace", ref) : NULL;
	if (!tv)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no tracing request with this ref");
	const struct kith_record_view *cv = NULL, *sv = NULL;
	json_t *tb = NULL, *cb = NULL, *sb = NULL, *in_seeker = NULL, *in_found = NULL;
	struct kith_vault_batch *b = NULL;
	struct kith_sbuf vnote = KITH_SBUF_INIT;
	int rc = KITH_OK;
	char tref[KITH_VAULT_REF_MAX], tid[KITH_VAULT_ID_HEX];
	uint32_t tver = tv->version;
	snprintf(tref, sizeof tref, "%s", tv->ref);
	snprintf(tid, sizeof tid, "%s", tv->id);
	tb = kith_record_view_json(tv);
	if (!tb)
		return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	cb = case_body(v, case_ref, &cv);
	if (!cb) { /* a case found whose body could not be parsed: out of memory */
		rc = cv ? kith_err_set(err, KITH_E_NOMEM, "case", "out of memory")
			: kith_err_set(err, KITH_E_NOTFOUND, "case", "no case with this ref");
		goto out;
	}
	const char *st = sget(tb, "status");
	if (st && !strcmp(st, "closed")) {
		rc = kith_err_set(err, KITH_E_INVALID, "ref", "the tracing request is closed");
		goto out;
	}
	const char *sref = sget(json_object_get(tb, "seeker"), "case");
	if (sref) {
		if (!strcmp(sref, case_ref)) {
			rc = kith_err_set(err, KITH_E_INVALID, "case", "is the seeker's own case");
			goto out;
		}
		sb = case_body(v, sref, &sv);
		if (!sb) {
			rc = sv ? kith_err_set(err, KITH_E_NOMEM, "seeker.case", "out of memory")
				: kith_err_set(err, KITH_E_NOTFOUND, "seeker.case", "no case with this ref");
			goto out;
		}
	}
	if ((verb == KITH_TRACE_POSSIBLE || verb == KITH_TRACE_CONFIRM) &&
	    !kith_record_consent_allows(cb, "tracing")) {
		rc = kith_err_set(err, KITH_E_CONSENT, "case", "the case's consent does not allow tracing");
		goto out;
	}
	size_t ci = 0;
	const json_t *cand = stored_candidate(tb, case_ref, &ci);
	const char *cur = cand ? sget(cand, "state") : NULL;
	const char *now = cur ? cur : "none";
	json_t *cands = json_object_get(tb, "candidates");
	int allowed = 0;
	const char *next = NULL;
	switch (verb) {
	case KITH_TRACE_POSSIBLE:
		allowed = !cur || !strcmp(cur, "rejected");
		next = "possible";
		break;
	case KITH_TRACE_CONFIRM:
		allowed = !cur || strcmp(cur, "confirmed");
		next = "confirmed";
		for (size_t i = 0; allowed && i < json_array_size(cands); i++) {
			const char *s = sget(json_array_get(cands, i), "state");
			if (s && !strcmp(s, "confirmed")) {
				rc = kith_err_set(
				    err, KITH_E_INVALID, "ref",
				    "the request already has a confirmed candidate: undo it first");
				goto out;
			}
		}
		break;
	case KITH_TRACE_REJECT:
		allowed = !cur || !strcmp(cur, "possible");
		next = "rejected";
		break;
	case KITH_TRACE_UNDO:
		allowed = cur != NULL;
		break;
	}
	if (!allowed) {
		rc = kith_err_set(err, KITH_E_INVALID, "case", "cannot %s a candidate whose review is %s",
				  verb == KITH_TRACE_UNDO ? "undo" : verb_action(verb) + 6, now);
		goto out;
	}
	int was_confirmed = cur && !strcmp(cur, "confirmed");
	/* the score, for the record (a case left out by relation consistency has none) */
	double score = -1;
	if (next) {
		struct kith_trace_cases *cs = NULL;
		struct kith_trace_result *r = NULL;
		struct kith_trace_opts mo = {.limit = KITH_TRACE_MAX_LIMIT, .include_rejected = 1};
		rc = vault_cases(v, &cs, err);
		if (!rc) {
			struct kith_err e;
			int mrc = match_impl(cs, tb, sb, &mo, &r, &e);
			if (mrc == KITH_OK) {
				for (size_t i = 0; i < r->n; i++)
					if (!strcmp(r->c[i].ref, case_ref))
						score = r->c[i].score;
			} else if (mrc == KITH_E_NOMEM) { /* else the review went without its score */
				rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			}
			kith_trace_result_free(r);
		}
		kith_trace_cases_free(cs);
		if (rc)
			goto out;
	}
	/* the request's new body */
	if (cand)
		json_array_remove(cands, ci);
	if (next) {
		json_t *c = json_pack("{s:s,s:s}", "case", case_ref, "state", next);
		if (c && score >= 0 &&
		    json_object_set_new(c, "score", json_real(round(score * 10000) / 10000))) {
			json_decref(c);
			c = NULL; /* answered below: out of memory */
		}
		if (!cands) {
			cands = json_array();
			if (!cands || json_object_set_new(tb, "candidates", cands)) {
				json_decref(c);
				rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
				goto out;
			}
		}
		if (!c || json_array_append_new(cands, c)) {
			rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			goto out;
		}
	}
	if (cands && !json_array_size(cands))
		json_object_del(tb, "candidates");
	if (json_object_set_new(tb, "status", json_string(status_from(json_object_get(tb, "candidates"))))) {
		rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
		goto out;
	}
	if (kith_sbuf_addf(&vnote, "trace %s case %s %s by %s%s%s", tref, case_ref, verb_action(verb) + 6,
			   reviewer && *reviewer ? reviewer : "unknown", note && *note ? ": " : "",
			   note ? note : "")) {
		rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
		goto out;
	}
	rc = kith_vault_batch_begin(v, &b, err);
	if (rc)
		goto out;
	struct kith_vault_put_opts po = {
	    .id = tid, .action = verb_action(verb), .note = vnote.buf, .expect_version = tver};
	rc = kith_vault_put(b, "trace", tb, &po, NULL, NULL, err);
	if (!rc && (verb == KITH_TRACE_CONFIRM || was_confirmed)) {
		if (family_entries(tb, sb, tref, case_ref, &in_seeker, &in_found)) {
			rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
			goto out;
		}
		if (verb == KITH_TRACE_CONFIRM) {
			/* a relative already described in either case is that entry, now found */
			const json_t *seeker_who[1] = {sb},
				     *found_who[2] = {json_object_get(tb, "sought"), cb};
			rc = family_confirm(cb, in_found, seeker_who, 1);
			if (!rc && sb)
				rc = family_confirm(sb, in_seeker, found_who, 2);
		} else {
			rc = family_unconfirm(cb, in_found);
			if (!rc && sb)
				rc = family_unconfirm(sb, in_seeker);
		}
		if (rc) {
			rc = kith_err_set(err, rc, "trace", "out of memory");
			goto out;
		}
		struct kith_vault_put_opts pc = {.id = cv->id,
						 .action = verb_action(verb),
						 .note = vnote.buf,
						 .expect_version = cv->version};
		rc = kith_vault_put(b, "case", cb, &pc, NULL, NULL, err);
		if (!rc && sb) {
			struct kith_vault_put_opts ps = {.id = sv->id,
							 .action = verb_action(verb),
							 .note = vnote.buf,
							 .expect_version = sv->version};
			rc = kith_vault_put(b, "case", sb, &ps, NULL, NULL, err);
		}
	}
	if (!rc) {
		rc = kith_vault_batch_commit(b, err);
		b = NULL;
	}
out:
	kith_vault_batch_free(b);
	kith_sbuf_release(&vnote);
	json_decref(in_seeker);
	json_decref(in_found);
	json_decref(sb);
	json_decref(cb);
	json_decref(tb);
	return rc;
}

int kith_trace_close(struct kith_vault *v, const char *ref, int reopen, const char *reviewer,
		     const char *note, struct kith_err *err)
{
	const struct kith_record_view *tv = ref ? kith_vault_find(v, "trace", ref) : NULL;
	if (!tv)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no tracing request with this ref");
	json_t *tb = kith_record_view_json(tv);
	if (!tb)
		return kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
	const char *st = sget(tb, "status");
	int closed = st && !strcmp(st, "closed");
	int rc = KITH_OK;
	struct kith_sbuf vnote = KITH_SBUF_INIT;
	if (closed != reopen) {
		rc = kith_err_set(err, KITH_E_INVALID, "ref",
				  reopen ? "the request is not closed" : "the request is already closed");
		goto out;
	}
	const char *next = reopen ? status_from(json_object_get(tb, "candidates")) : "closed";
	if (json_object_set_new(tb, "status", json_string(next)) ||
	    kith_sbuf_addf(&vnote, "trace %s %s by %s%s%s", tv->ref, reopen ? "reopen" : "close",
			   reviewer && *reviewer ? reviewer : "unknown", note && *note ? ": " : "",
			   note ? note : "")) {
		rc = kith_err_set(err, KITH_E_NOMEM, "trace", "out of memory");
		goto out;
	}
	struct kith_vault_put_opts po = {.id = tv->id,
					 .action = reopen ? "trace-reopen" : "trace-close",
					 .note = vnote.buf,
					 .expect_version = tv->version};
	rc = kith_vault_put_alone(v, "trace", tb, &po, NULL, NULL, NULL, NULL, err);
out:
	kith_sbuf_release(&vnote);
	json_decref(tb);
	return rc;
}
