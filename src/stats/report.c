/*
 * report — cross-tables of persons with disclosure control and their
 * renderings (see report.h).
 */
#include "stats/report.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "stats/summary.h"

struct field {
	size_t idx; /* column of the data */
	char **cat; /* category labels, sorted; "" is unknown (last) */
	size_t n_cat;
	int multi;
	char *name;
};

/* display names of the fields and categories kith knows */
static const struct {
	const char *id, *en, *ko;
} NAMES[] = {
    {"sex", "sex", "성별"},
    {"age_band", "age band", "나이대"},
    {"origin", "province of origin", "출신 지역"},
    {"year", "year", "연도"},
    {"year_of_crossing", "year of crossing", "국경을 넘은 해"},
    {"org", "organization", "기관"},
    {"needs", "needs", "필요"},
    {"services", "services", "서비스"},
    {"status", "status", "상태"},
    {"incident_type", "incident type", "사건 유형"},
    {"means_of_control", "means of control", "통제 수단"},
    {"female", "female", "여성"},
    {"male", "male", "남성"},
};

static const char *display(const char *id, int ko)
{
	for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
		if (strcmp(NAMES[i].id, id) == 0)
			return ko ? NAMES[i].ko : NAMES[i].en;
	return id;
}

struct kith_report {
	struct field f[2];
	size_t n_by;
	size_t r, c;	   /* table shape (c = 1 with one field) */
	double *v;	   /* kith_disc_entries(r, c) */
	unsigned char *st; /* states */
	size_t persons, left_out;
	int consent_checked;
	int additive;
	unsigned threshold;
	int ko;
	char *title, *source;
	struct kith_disc_summary withheld;
};

/* ---- words ---- */

static const char *W(const struct kith_report *r, const char *en, const char *ko)
{
	return r->ko ? ko : en;
}

/* ---- categories ---- */

static int is_unknown(const char *s)
{
	return !s || !*s;
}

/* leading number of a label ("18-20" -> 18), or NAN */
static double lead_num(const char *s)
{
	if (!s || !isdigit((unsigned char)*s))
		return NAN;
	return strtod(s, NULL);
}

static int cat_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	if (is_unknown(x) != is_unknown(y))
		return is_unknown(x) ? 1 : -1;
	double nx = lead_num(x), ny = lead_num(y);
	if (!isnan(nx) && !isnan(ny) && nx != ny)
		return nx < ny ? -1 : 1;
	if (isnan(nx) != isnan(ny))
		return isnan(nx) ? 1 : -1;
	return strcmp(x, y);
}

/* Calls fn for every category of value s (split at ';', trimmed; "" once
 * when unknown). Returns the first nonzero fn result. */
static int each_cat(const char *s, int multi, int (*fn)(void *ctx, const char *c, size_t len), void *ctx)
{
	if (is_unknown(s))
		return fn(ctx, "", 0);
	if (!multi)
		return fn(ctx, s, strlen(s));
	int any = 0;
	while (*s) {
		const char *e = strchr(s, ';');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		const char *a = s;
		size_t l = len;
		while (l && isspace((unsigned char)*a))
			a++, l--;
		while (l && isspace((unsigned char)a[l - 1]))
			l--;
		if (l) {
			int rc = fn(ctx, a, l);
			if (rc)
				return rc;
			any = 1;
		}
		s += len + (e ? 1 : 0);
		if (!e)
			break;
	}
	return any ? 0 : fn(ctx, "", 0);
}

struct collect {
	struct field *f;
	size_t cap;
};

static int add_cat(void *ctx, const char *c, size_t len)
{
	struct collect *C = ctx;
	struct field *f = C->f;
	for (size_t i = 0; i < f->n_cat; i++)
		if (strlen(f->cat[i]) == len && memcmp(f->cat[i], c, len) == 0)
			return 0;
	if (f->n_cat >= KITH_REPORT_MAX_CATEGORIES)
		return KITH_E_LIMIT;
	if (f->n_cat == C->cap) {
		size_t nc = C->cap ? 2 * C->cap : 16;
		char **n = realloc(f->cat, nc * sizeof *n);
		if (!n)
			return KITH_E_NOMEM;
		f->cat = n;
		C->cap = nc;
	}
	char *s = strndup(c, len);
	if (!s)
		return KITH_E_NOMEM;
	f->cat[f->n_cat++] = s;
	return 0;
}

static size_t cat_index(const struct field *f, const char *c, size_t len)
{
	for (size_t i = 0; i < f->n_cat; i++)
		if (strlen(f->cat[i]) == len && memcmp(f->cat[i], c, len) == 0)
			return i;
	return 0;
}

struct mark {
	const struct field *f;
	unsigned char *hit;
};

static int mark_cat(void *ctx, const char *c, size_t len)
{
	struct mark *M = ctx;
	M->hit[cat_index(M->f, c, len)] = 1;
	return 0;
}

void kith_report_free(struct kith_report *r)
{
	if (!r)
		return;
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < r->f[k].n_cat; i++)
			free(r->f[k].cat[i]);
		free(r->f[k].cat);
		free(r->f[k].name);
	}
	free(r->v);
	free(r->st);
	free(r->title);
	free(r->source);
	free(r);
}

int kith_report_build(const struct kith_report_data *d, const struct kith_report_opts *o,
		      struct kith_report **out, struct kith_err *err)
{
	if (!o || o->n_by < 1 || o->n_by > 2)
		return kith_err_set(err, KITH_E_INVALID, NULL, "give one or two fields to count by");
	if (o->lang && strcmp(o->lang, "en") != 0 && strcmp(o->lang, "ko") != 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "language must be en or ko");
	if (o->threshold > 1000)
		return kith_err_set(err, KITH_E_INVALID, NULL, "the threshold must be at most 1000");
	if (o->n_by == 2 && strcmp(o->by[0], o->by[1]) == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "the same field twice");
	struct kith_report *R = calloc(1, sizeof *R);
	unsigned char *hit[2] = {NULL, NULL};
	int rc = KITH_OK;
	if (!R)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	R->n_by = o->n_by;
	R->threshold = o->threshold ? o->threshold : KITH_DISC_THRESHOLD;
	R->ko = o->lang && strcmp(o->lang, "ko") == 0;
	R->persons = d->n_persons;
	R->left_out = d->left_out;
	R->consent_checked = d->consent_checked;
	for (size_t k = 0; k < o->n_by; k++) {
		size_t idx = SIZE_MAX;
		for (size_t j = 0; j < d->n_fields; j++)
			if (d->field_names[j] && strcmp(d->field_names[j], o->by[k]) == 0)
				idx = j;
		if (idx == SIZE_MAX) {
			kith_report_free(R);
			return kith_err_set(err, KITH_E_INVALID, NULL, "no field named %s", o->by[k]);
		}
		struct field *f = &R->f[k];
		f->idx = idx;
		if (!(f->name = strdup(o->by[k])))
			goto nomem;
		for (size_t p = 0; p < d->n_persons; p++) {
			const char *s = d->values[p * d->n_fields + idx];
			if (s && strchr(s, ';'))
				f->multi = 1;
		}
		struct collect C = {f, 0};
		for (size_t p = 0; p < d->n_persons && !rc; p++)
			rc = each_cat(d->values[p * d->n_fields + idx], f->multi, add_cat, &C);
		if (rc == KITH_E_LIMIT) {
			kith_report_free(R);
			return kith_err_set(err, KITH_E_INVALID, NULL, "field %s has more than %u categories",
					    o->by[k], KITH_REPORT_MAX_CATEGORIES);
		}
		if (rc)
			goto nomem;
		if (f->n_cat == 0 && add_cat(&C, "", 0))
			goto nomem;
		qsort(f->cat, f->n_cat, sizeof *f->cat, cat_cmp);
	}
	R->r = R->f[0].n_cat;
	R->c = o->n_by == 2 ? R->f[1].n_cat : 1;
	R->additive = !R->f[0].multi && !(o->n_by == 2 && R->f[1].multi);
	size_t ne = kith_disc_entries(R->r, R->c);
	if (ne > KITH_DISC_MAX_ENTRIES) {
		kith_report_free(R);
		return kith_err_set(err, KITH_E_INVALID, NULL, "the table would have more than %u entries",
				    KITH_DISC_MAX_ENTRIES);
	}
	R->v = calloc(ne, sizeof *R->v);
	R->st = calloc(ne, 1);
	hit[0] = calloc(R->r, 1);
	hit[1] = calloc(R->c, 1);
	if (!R->v || !R->st || !hit[0] || !hit[1])
		goto nomem;
	for (size_t p = 0; p < d->n_persons; p++) {
		memset(hit[0], 0, R->r);
		memset(hit[1], 0, R->c);
		struct mark M0 = {&R->f[0], hit[0]}, M1 = {&R->f[1], hit[1]};
		each_cat(d->values[p * d->n_fields + R->f[0].idx], R->f[0].multi, mark_cat, &M0);
		if (o->n_by == 2)
			each_cat(d->values[p * d->n_fields + R->f[1].idx], R->f[1].multi, mark_cat, &M1);
		else
			hit[1][0] = 1;
		for (size_t i = 0; i < R->r; i++) {
			if (!hit[0][i])
				continue;
			R->v[kith_disc_row(R->r, R->c, i)] += 1;
			for (size_t j = 0; j < R->c; j++)
				if (hit[1][j])
					R->v[kith_disc_cell(R->c, i, j)] += 1;
		}
		for (size_t j = 0; j < R->c; j++)
			if (hit[1][j])
				R->v[kith_disc_col(R->r, R->c, j)] += 1;
	}
	R->v[kith_disc_grand(R->r, R->c)] = (double)d->n_persons;
	if (R->additive) {
		rc = kith_disc_suppress(R->r, R->c, R->v, R->threshold, R->st, &R->withheld, err);
		if (rc) {
			free(hit[0]);
			free(hit[1]);
			kith_report_free(R);
			return rc;
		}
	} else {
		for (size_t e = 0; e < ne; e++)
			if (R->v[e] > 0 && R->v[e] < R->threshold) {
				R->st[e] = KITH_DISC_PRIMARY;
				R->withheld.primary++;
				if (e < R->r * R->c) {
					R->withheld.cells_withheld++;
					R->withheld.people_withheld += R->v[e];
				}
			}
	}
	if (o->title) {
		if (!(R->title = strdup(o->title)))
			goto nomem;
	} else {
		char t[256];
		if (o->n_by == 2)
			snprintf(t, sizeof t, R->ko ? "%s 및 %s별 인원" : "Persons by %s and %s",
				 display(o->by[0], R->ko), display(o->by[1], R->ko));
		else
			snprintf(t, sizeof t, R->ko ? "%s별 인원" : "Persons by %s",
				 display(o->by[0], R->ko));
		if (!(R->title = strdup(t)))
			goto nomem;
	}
	if (o->source && !(R->source = strdup(o->source)))
		goto nomem;
	free(hit[0]);
	free(hit[1]);
	*out = R;
	return KITH_OK;
nomem:
	free(hit[0]);
	free(hit[1]);
	kith_report_free(R);
	return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
}

void kith_report_counts(const struct kith_report *r, struct kith_report_counts *c)
{
	c->rows = r->r;
	c->cols = r->c;
	c->persons = r->persons;
	c->left_out = r->left_out;
	c->additive = r->additive;
	c->withheld = r->withheld;
}

static const char *label(const struct kith_report *r, const char *s)
{
	return is_unknown(s) ? W(r, "unknown", "모름") : display(s, r->ko);
}

const char *kith_report_row_label(const struct kith_report *r, size_t i)
{
	return i < r->r ? label(r, r->f[0].cat[i]) : NULL;
}

const char *kith_report_col_label(const struct kith_report *r, size_t j)
{
	if (j >= r->c)
		return NULL;
	return r->n_by == 2 ? label(r, r->f[1].cat[j]) : W(r, "persons", "인원");
}

double kith_report_cell(const struct kith_report *r, size_t i, size_t j, int *state)
{
	size_t e = i == SIZE_MAX
		       ? (j == SIZE_MAX ? kith_disc_grand(r->r, r->c) : kith_disc_col(r->r, r->c, j))
		   : j == SIZE_MAX ? kith_disc_row(r->r, r->c, i)
				   : kith_disc_cell(r->c, i, j);
	if (state)
		*state = r->st[e];
	return r->v[e];
}

int kith_report_format_parse(const char *s)
{
	static const char *names[] = {"table", "csv", "hxl", "svg", "html", "json"};
	for (int i = 0; i < 6; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return strcmp(s, "ctdc") == 0 ? -2 : -1;
}

/* ---- helpers for the renderers ---- */

/* entry index of (i, j) where SIZE_MAX means the total */
static size_t entry(const struct kith_report *r, size_t i, size_t j)
{
	if (i == SIZE_MAX)
		return j == SIZE_MAX ? kith_disc_grand(r->r, r->c) : kith_disc_col(r->r, r->c, j);
	if (j == SIZE_MAX)
		return kith_disc_row(r->r, r->c, i);
	return kith_disc_cell(r->c, i, j);
}

static int csv_field(struct kith_sbuf *out, const char *s)
{
	/* a field that a spreadsheet would run as a formula is prefixed with ' */
	int quote = strpbrk(s, ",\"\r\n") != NULL, formula = strchr("=+-@\t", *s) != NULL && *s;
	int rc = 0;
	if (quote)
		rc = kith_sbuf_addc(out, '"');
	if (!rc && formula)
		rc = kith_sbuf_addc(out, '\'');
	for (const char *p = s; *p && !rc; p++)
		rc = *p == '"' ? kith_sbuf_adds(out, "\"\"") : kith_sbuf_addc(out, *p);
	if (!rc && quote)
		rc = kith_sbuf_addc(out, '"');
	return rc;
}

static void fmt_count(const struct kith_report *r, size_t e, char *b, size_t n)
{
	if (r->st[e])
		snprintf(b, n, "x");
	else
		snprintf(b, n, "%.0f", r->v[e]);
}

/* display width of a UTF-8 string (Hangul and other wide characters count 2) */
static size_t width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p < 0x80) {
			w++;
			p++;
			continue;
		}
		int len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		unsigned cp = *p & (len == 4 ? 0x07 : len == 3 ? 0x0f : 0x1f);
		for (int i = 1; i < len && p[i]; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
			     (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
			     (cp >= 0xff00 && cp <= 0xff60)
			 ? 2
			 : 1;
		for (int i = 0; i < len && *p; i++)
			p++;
	}
	return w;
}

static int pad(struct kith_sbuf *out, const char *s, size_t w, int right)
{
	size_t sw = width(s);
	int rc = 0;
	if (right)
		for (size_t i = sw; i < w && !rc; i++)
			rc = kith_sbuf_addc(out, ' ');
	if (!rc)
		rc = kith_sbuf_adds(out, s);
	if (!right)
		for (size_t i = sw; i < w && !rc; i++)
			rc = kith_sbuf_addc(out, ' ');
	return rc;
}

/* the notes: persons counted, left out, what was withheld and why */
static int notes(const struct kith_report *r, struct kith_sbuf *out, const char *pre, const char *post)
{
	int rc = r->consent_checked
		     ? kith_sbuf_addf(
			   out,
			   r->ko ? "%s보고 동의가 있는 %zu명을 셌습니다(한 사람은 한 번). 동의가 없는 "
				   "%zu명은 빠졌습니다.%s"
				 : "%sCounted: %zu persons with consent to reporting (each person once). "
				   "Left out: %zu without it.%s",
			   pre, r->persons, r->left_out, post)
		     : kith_sbuf_addf(out, r->ko ? "%s%zu명을 셌습니다.%s" : "%sCounted: %zu persons.%s", pre,
				      r->persons, post);
	if (!rc)
		rc = kith_sbuf_addf(
		    out,
		    r->ko ? "%s%u명 미만인 칸은 공개하지 않습니다(x): 작은 수 %zu칸, 그 칸들을 합계에서 "
			    "되찾을 수 "
			    "없도록 %zu칸을 더 가렸습니다.%s"
			  : "%sCells under %u are withheld (x): %zu small count(s), and %zu more so that "
			    "they cannot be worked out from the totals.%s",
		    pre, r->threshold, r->withheld.primary, r->withheld.secondary, post);
	if (!rc && !r->additive)
		rc = kith_sbuf_addf(
		    out,
		    r->ko ? "%s한 사람이 여러 항목에 들어갈 수 있어 칸의 합은 합계와 다릅니다.%s"
			  : "%sA person may fall in several categories: the cells do not add up "
			    "to the totals.%s",
		    pre, post);
	return rc;
}

static int render_table(const struct kith_report *r, struct kith_sbuf *out)
{
	size_t w0 = width(display(r->f[0].name, r->ko));
	for (size_t i = 0; i < r->r; i++)
		if (width(kith_report_row_label(r, i)) > w0)
			w0 = width(kith_report_row_label(r, i));
	const char *tot = W(r, "Total", "합계");
	if (width(tot) > w0)
		w0 = width(tot);
	size_t *wc = calloc(r->c + 1, sizeof *wc);
	if (!wc)
		return KITH_E_NOMEM;
	char b[64];
	for (size_t j = 0; j <= r->c; j++) {
		wc[j] = width(j < r->c ? kith_report_col_label(r, j) : tot);
		for (size_t i = 0; i <= r->r; i++) {
			fmt_count(r, entry(r, i < r->r ? i : SIZE_MAX, j < r->c ? j : SIZE_MAX), b, sizeof b);
			if (strlen(b) > wc[j])
				wc[j] = strlen(b);
		}
	}
	int rc = kith_sbuf_addf(out, "%s\n\n", r->title);
	if (!rc)
		rc = pad(out, display(r->f[0].name, r->ko), w0, 0);
	int show_cols = r->n_by == 2;
	for (size_t j = 0; j < r->c && !rc && show_cols; j++) {
		rc = kith_sbuf_adds(out, "  ");
		if (!rc)
			rc = pad(out, kith_report_col_label(r, j), wc[j], 1);
	}
	if (!rc)
		rc = kith_sbuf_adds(out, "  ");
	if (!rc)
		rc = pad(out, show_cols ? tot : W(r, "persons", "인원"), wc[r->c], 1);
	if (!rc)
		rc = kith_sbuf_addc(out, '\n');
	for (size_t i = 0; i <= r->r && !rc; i++) {
		size_t ii = i < r->r ? i : SIZE_MAX;
		rc = pad(out, ii == SIZE_MAX ? tot : kith_report_row_label(r, i), w0, 0);
		for (size_t j = 0; j < r->c && !rc && show_cols; j++) {
			fmt_count(r, entry(r, ii, j), b, sizeof b);
			rc = kith_sbuf_adds(out, "  ");
			if (!rc)
				rc = pad(out, b, wc[j], 1);
		}
		fmt_count(r, entry(r, ii, show_cols ? SIZE_MAX : 0), b, sizeof b);
		if (!show_cols && ii == SIZE_MAX)
			fmt_count(r, kith_disc_grand(r->r, r->c), b, sizeof b);
		if (!rc)
			rc = kith_sbuf_adds(out, "  ");
		if (!rc)
			rc = pad(out, b, wc[r->c], 1);
		if (!rc)
			rc = kith_sbuf_addc(out, '\n');
	}
	if (!rc)
		rc = kith_sbuf_addc(out, '\n');
	if (!rc)
		rc = notes(r, out, "", "\n");
	if (!rc && r->source)
		rc = kith_sbuf_addf(out, "%s\n", r->source);
	free(wc);
	return rc;
}

/* CSV: one row per cell and per total, long format */
static int render_csv(const struct kith_report *r, struct kith_sbuf *out)
{
	int rc = csv_field(out, r->f[0].name);
	if (!rc && r->n_by == 2)
		rc = kith_sbuf_addc(out, ',') || csv_field(out, r->f[1].name);
	if (!rc)
		rc = kith_sbuf_adds(out, ",count,withheld\n");
	const char *tot = W(r, "Total", "합계");
	for (size_t i = 0; i <= r->r && !rc; i++)
		for (size_t j = 0; j <= r->c && !rc; j++) {
			if (r->n_by == 1 && j == 0 && r->c == 1 && 0)
				continue;
			if (r->n_by == 1 && j == r->c)
				continue; /* the row total of a one-way table is the cell */
			size_t ii = i < r->r ? i : SIZE_MAX, jj = j < r->c ? j : SIZE_MAX;
			size_t e = entry(r, ii, jj);
			if (r->n_by == 1 && ii == SIZE_MAX)
				e = kith_disc_grand(r->r, r->c);
			rc = csv_field(out, ii == SIZE_MAX ? tot : kith_report_row_label(r, i));
			if (!rc && r->n_by == 2)
				rc = kith_sbuf_addc(out, ',') ||
				     csv_field(out, jj == SIZE_MAX ? tot : kith_report_col_label(r, j));
			if (!rc)
				rc = r->st[e]
					 ? kith_sbuf_addf(out, ",,%s\n", kith_disc_reason(r->st[e], "en"))
					 : kith_sbuf_addf(out, ",%.0f,\n", r->v[e]);
		}
	return rc;
}

/* ---- HXL ---- */

static int field_is(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (strcasecmp(name, *names) == 0)
			return 1;
	return 0;
}

static const char *const SEX[] = {"sex", "gender", NULL};
static const char *const AGE[] = {"age_band", "age_group", "ageband", "age", NULL};

static void slug(const char *s, char *b, size_t n, size_t fallback)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < n; p++) {
		if (isalnum(*p))
			b[o++] = (char)tolower(*p);
		else if (*p < 0x80 && o && b[o - 1] != '_')
			b[o++] = '_';
	}
	while (o && b[o - 1] == '_')
		o--;
	b[o] = '\0';
	if (!o || !isalpha((unsigned char)b[0]))
		snprintf(b, n, "c%zu%s%s", fallback, o ? "_" : "", o ? s : "");
	/* the fallback may have copied non-slug bytes: keep it clean */
	for (char *p = b; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
}

/* the hashtag of a field's column */
static void field_tag(const char *name, char *b, size_t n)
{
	static const char *const ADM1[] = {"origin", "province", "province_of_origin", "adm1", NULL};
	static const char *const ORG[] = {"org", "organization", "organisation", "source", NULL};
	static const char *const COUNTRY[] = {"country", "citizenship", "country_of_exploitation", NULL};
	static const char *const DATE[] = {"year", "date", "year_of_crossing", "year_of_registration", NULL};
	static const char *const STATUS[] = {"status", NULL};
	if (field_is(name, ADM1))
		snprintf(b, n, "#adm1+name");
	else if (field_is(name, ORG))
		snprintf(b, n, "#org+name");
	else if (field_is(name, COUNTRY))
		snprintf(b, n, "#country+name");
	else if (field_is(name, DATE))
		snprintf(b, n, "#date");
	else if (field_is(name, STATUS))
		snprintf(b, n, "#status");
	else {
		char s[64];
		slug(name, s, sizeof s, 0);
		snprintf(b, n, "#x_%s", s);
	}
}

/* the attributes of a category of field `name` on a count column */
static void cat_attrs(const char *name, const char *cat, size_t j, char *b, size_t n)
{
	if (is_unknown(cat)) {
		snprintf(b, n, "+x_unknown");
		return;
	}
	if (field_is(name, SEX)) {
		char c = (char)tolower((unsigned char)cat[0]);
		if (strcmp(cat, "여") == 0 || strcmp(cat, "여성") == 0)
			c = 'f';
		if (strcmp(cat, "남") == 0 || strcmp(cat, "남성") == 0)
			c = 'm';
		snprintf(b, n, "%s", c == 'f' ? "+f" : c == 'm' ? "+m" : "+i");
		return;
	}
	if (field_is(name, AGE)) {
		double lo = lead_num(cat), hi = NAN;
		const char *dash = strpbrk(cat, "-–");
		if (dash) {
			const char *q = dash;
			while (*q && !isdigit((unsigned char)*q))
				q++;
			hi = lead_num(q);
		}
		if (!isnan(lo) && !isnan(hi))
			snprintf(b, n, "%s+age_%.0f_%.0f",
				 hi < 18    ? "+children"
				 : lo >= 18 ? "+adults"
					    : "",
				 lo, hi);
		else if (!isnan(lo))
			snprintf(b, n, "%s+age_%.0f_plus", lo >= 18 ? "+adults" : "", lo);
		else {
			char s[64];
			slug(cat, s, sizeof s, j);
			snprintf(b, n, "+x_%s", s);
		}
		return;
	}
	char s[64];
	slug(cat, s, sizeof s, j);
	snprintf(b, n, "+x_%s", s);
}

static int render_hxl(const struct kith_report *r, struct kith_sbuf *out)
{
	/* rows: the first field, unless it is sex or age and the second is not
	 * (or there is none): then transposed, so that sex and age become
	 * attributes of the count columns */
	int attr0 = field_is(r->f[0].name, SEX) || field_is(r->f[0].name, AGE);
	int attr1 = r->n_by == 2 && (field_is(r->f[1].name, SEX) || field_is(r->f[1].name, AGE));
	int transpose = attr0 && !attr1;
	size_t R_ = transpose ? r->c : r->r, C_ = transpose ? r->r : r->c;
	const struct field *rf = transpose ? (r->n_by == 2 ? &r->f[1] : NULL) : &r->f[0];
	const struct field *cf = transpose ? &r->f[0] : (r->n_by == 2 ? &r->f[1] : NULL);
	const char *tot = W(r, "Total", "합계");
	int rc = 0;
	/* names */
	if (rf)
		rc = csv_field(out, display(rf->name, r->ko)) || kith_sbuf_addc(out, ',');
	for (size_t j = 0; cf && j < C_ && !rc; j++)
		rc = csv_field(out, label(r, cf->cat[j])) || kith_sbuf_addc(out, ',');
	if (!rc)
		rc = csv_field(out, cf ? tot : W(r, "persons", "인원")) || kith_sbuf_addc(out, '\n');
	/* hashtags */
	char tag[160], attrs[128];
	if (rf && !rc) {
		field_tag(rf->name, tag, sizeof tag);
		rc = kith_sbuf_addf(out, "%s,", tag);
	}
	for (size_t j = 0; cf && j < C_ && !rc; j++) {
		cat_attrs(cf->name, cf->cat[j], j, attrs, sizeof attrs);
		rc = kith_sbuf_addf(out, "#affected%s,", attrs);
	}
	if (!rc)
		rc = kith_sbuf_adds(out, cf ? "#affected+total\n" : "#affected\n");
	/* rows, then the totals */
	size_t nrows = rf ? R_ + 1 : 1;
	for (size_t i = 0; i < nrows && !rc; i++) {
		size_t ii = rf && i < R_ ? i : SIZE_MAX;
		if (rf)
			rc = csv_field(out, ii == SIZE_MAX ? tot : label(r, rf->cat[i])) ||
			     kith_sbuf_addc(out, ',');
		for (size_t j = 0; cf && j <= C_ && !rc; j++) {
			size_t jj = j < C_ ? j : SIZE_MAX;
			size_t e = transpose ? entry(r, jj, ii) : entry(r, ii, jj);
			if (r->n_by == 1 && (ii == SIZE_MAX) == (jj == SIZE_MAX) && ii == SIZE_MAX)
				e = kith_disc_grand(r->r, r->c);
			if (r->n_by == 1 && transpose && jj != SIZE_MAX)
				e = kith_disc_cell(r->c, jj, 0);
			if (r->st[e])
				rc = kith_sbuf_adds(out, j < C_ ? "," : "");
			else
				rc = kith_sbuf_addf(out, "%.0f%s", r->v[e], j < C_ ? "," : "");
		}
		if (!cf && !rc) {
			size_t e = ii == SIZE_MAX ? kith_disc_grand(r->r, r->c) : kith_disc_cell(r->c, ii, 0);
			rc = r->st[e] ? 0 : kith_sbuf_addf(out, "%.0f", r->v[e]);
		}
		if (!rc)
			rc = kith_sbuf_addc(out, '\n');
	}
	return rc;
}

/* ---- SVG ---- */

static const char *const PALETTE[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
				      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

static int render_svg(const struct kith_report *r, struct kith_sbuf *out)
{
	/* horizontal stacked bars: one bar per row category, one segment per
	 * column category; withheld cells are left out of the bar and said */
	const double left = 180, barw = 420, rowh = 26, top = 50;
	size_t legend = r->n_by == 2 ? r->c : 0;
	double height = top + rowh * (double)r->r + 40 + 18 * (double)legend;
	double max = 1;
	for (size_t i = 0; i < r->r; i++) {
		double s = 0;
		for (size_t j = 0; j < r->c; j++)
			if (!r->st[kith_disc_cell(r->c, i, j)])
				s += r->v[kith_disc_cell(r->c, i, j)];
		max = fmax(max, s);
	}
	int rc = kith_sbuf_addf(
	    out,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"%.0f\" "
	    "viewBox=\"0 0 720 %.0f\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n"
	    "<title>",
	    height, height);
	if (!rc)
		rc = kith_sbuf_add_html(out, r->title);
	if (!rc)
		rc = kith_sbuf_adds(
		    out, "</title>\n<text x=\"10\" y=\"24\" font-size=\"15\" font-weight=\"bold\">");
	if (!rc)
		rc = kith_sbuf_add_html(out, r->title);
	if (!rc)
		rc = kith_sbuf_adds(out, "</text>\n");
	for (size_t i = 0; i < r->r && !rc; i++) {
		double y = top + rowh * (double)i, x = left;
		rc =
		    kith_sbuf_addf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">", left - 8, y + 15);
		if (!rc)
			rc = kith_sbuf_add_html(out, kith_report_row_label(r, i));
		if (!rc)
			rc = kith_sbuf_adds(out, "</text>\n");
		int any_withheld = 0;
		for (size_t j = 0; j < r->c && !rc; j++) {
			size_t e = kith_disc_cell(r->c, i, j);
			if (r->st[e]) {
				any_withheld = 1;
				continue;
			}
			double w = barw * r->v[e] / max;
			if (w <= 0)
				continue;
			rc = kith_sbuf_addf(
			    out, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\"/>\n",
			    x, y + 3, w, rowh - 8, PALETTE[j % 10]);
			x += w;
		}
		size_t te = r->n_by == 2 ? kith_disc_row(r->r, r->c, i) : kith_disc_cell(r->c, i, 0);
		if (!rc) {
			if (r->st[te])
				rc = kith_sbuf_addf(out,
						    "<text x=\"%.1f\" y=\"%.0f\" fill=\"#555\">%s</text>\n",
						    x + 6, y + 15, W(r, "withheld", "비공개"));
			else
				rc = kith_sbuf_addf(
				    out, "<text x=\"%.1f\" y=\"%.0f\">%.0f%s</text>\n", x + 6, y + 15,
				    r->v[te], any_withheld ? W(r, " (part withheld)", " (일부 비공개)") : "");
		}
	}
	double ly = top + rowh * (double)r->r + 20;
	for (size_t j = 0; j < legend && !rc; j++) {
		rc = kith_sbuf_addf(
		    out,
		    "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/><text "
		    "x=\"%.0f\" y=\"%.0f\">",
		    left, ly + 18 * (double)j - 10, PALETTE[j % 10], left + 18, ly + 18 * (double)j);
		if (!rc)
			rc = kith_sbuf_add_html(out, kith_report_col_label(r, j));
		if (!rc)
			rc = kith_sbuf_adds(out, "</text>\n");
	}
	if (!rc)
		rc = kith_sbuf_adds(out, "</svg>\n");
	return rc;
}

/* ---- HTML ---- */

static int render_html(const struct kith_report *r, struct kith_sbuf *out)
{
	int rc = kith_sbuf_addf(out,
				"<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
				"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
				"style-src 'unsafe-inline'; img-src data:\">\n<title>",
				r->ko ? "ko" : "en");
	if (!rc)
		rc = kith_sbuf_add_html(out, r->title);
	if (!rc)
		rc = kith_sbuf_adds(
		    out,
		    "</title>\n<style>body{font-family:sans-serif;max-width:52em;margin:2em auto;color:#111}"
		    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:.25em "
		    ".6em}td{text-align:right}th{background:#eee}td.w{color:#777;text-align:center}"
		    "p.note{font-size:.9em;color:#333}@media "
		    "print{body{margin:0}}</style>\n</head>\n<body>\n<h1>");
	if (!rc)
		rc = kith_sbuf_add_html(out, r->title);
	if (!rc)
		rc = kith_sbuf_adds(out, "</h1>\n");
	if (!rc)
		rc = render_svg(r, out);
	if (!rc)
		rc = kith_sbuf_adds(out, "<table>\n<tr><th>");
	if (!rc)
		rc = kith_sbuf_add_html(out, display(r->f[0].name, r->ko));
	for (size_t j = 0; j < r->c && !rc && r->n_by == 2; j++) {
		rc = kith_sbuf_adds(out, "</th><th>");
		if (!rc)
			rc = kith_sbuf_add_html(out, kith_report_col_label(r, j));
	}
	if (!rc)
		rc = kith_sbuf_addf(out, "</th><th>%s</th></tr>\n",
				    r->n_by == 2 ? W(r, "Total", "합계") : W(r, "persons", "인원"));
	for (size_t i = 0; i <= r->r && !rc; i++) {
		size_t ii = i < r->r ? i : SIZE_MAX;
		rc = kith_sbuf_adds(out, "<tr><th>");
		if (!rc)
			rc = kith_sbuf_add_html(out, ii == SIZE_MAX ? W(r, "Total", "합계")
								    : kith_report_row_label(r, i));
		if (!rc)
			rc = kith_sbuf_adds(out, "</th>");
		size_t last = r->n_by == 2 ? r->c + 1 : 1;
		for (size_t j = 0; j < last && !rc; j++) {
			size_t jj = r->n_by == 2 ? (j < r->c ? j : SIZE_MAX) : 0;
			size_t e = entry(r, ii, jj);
			if (r->n_by == 1 && ii == SIZE_MAX)
				e = kith_disc_grand(r->r, r->c);
			if (r->st[e])
				rc = kith_sbuf_addf(out, "<td class=\"w\" title=\"%s\">x</td>",
						    kith_disc_reason(r->st[e], r->ko ? "ko" : "en"));
			else
				rc = kith_sbuf_addf(out, "<td>%.0f</td>", r->v[e]);
		}
		if (!rc)
			rc = kith_sbuf_adds(out, "</tr>\n");
	}
	if (!rc)
		rc = kith_sbuf_adds(out, "</table>\n");
	if (!rc)
		rc = notes(r, out, "<p class=\"note\">", "</p>\n");
	if (!rc && r->source) {
		rc = kith_sbuf_adds(out, "<p class=\"note\">");
		if (!rc)
			rc = kith_sbuf_add_html(out, r->source);
		if (!rc)
			rc = kith_sbuf_adds(out, "</p>\n");
	}
	if (!rc)
		rc = kith_sbuf_adds(out, "</body>\n</html>\n");
	return rc;
}

/* ---- JSON (by hand: a few fields, strings escaped) ---- */

static int json_str(struct kith_sbuf *out, const char *s)
{
	int rc = kith_sbuf_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
		if (*p == '"' || *p == '\\')
			rc = kith_sbuf_addc(out, '\\') || kith_sbuf_addc(out, (char)*p);
		else if (*p < 0x20)
			rc = kith_sbuf_addf(out, "\\u%04x", *p);
		else
			rc = kith_sbuf_addc(out, (char)*p);
	}
	return rc || kith_sbuf_addc(out, '"');
}

static int json_num(const struct kith_report *r, struct kith_sbuf *out, size_t e)
{
	return r->st[e] ? kith_sbuf_adds(out, "null") : kith_sbuf_addf(out, "%.0f", r->v[e]);
}

static int render_json(const struct kith_report *r, struct kith_sbuf *out)
{
	int rc = kith_sbuf_adds(out, "{\"title\":");
	if (!rc)
		rc = json_str(out, r->title);
	if (!rc)
		rc = kith_sbuf_adds(out, ",\"by\":[");
	for (size_t k = 0; k < r->n_by && !rc; k++)
		rc = (k ? kith_sbuf_addc(out, ',') : 0) || json_str(out, r->f[k].name);
	if (!rc)
		rc = kith_sbuf_adds(out, "],\"rows\":[");
	for (size_t i = 0; i < r->r && !rc; i++)
		rc = (i ? kith_sbuf_addc(out, ',') : 0) || json_str(out, kith_report_row_label(r, i));
	if (!rc)
		rc = kith_sbuf_adds(out, "],\"cols\":[");
	for (size_t j = 0; j < r->c && !rc; j++)
		rc = (j ? kith_sbuf_addc(out, ',') : 0) || json_str(out, kith_report_col_label(r, j));
	if (!rc)
		rc = kith_sbuf_adds(out, "],\"cells\":[");
	for (size_t i = 0; i < r->r && !rc; i++) {
		rc = kith_sbuf_adds(out, i ? ",[" : "[");
		for (size_t j = 0; j < r->c && !rc; j++)
			rc = (j ? kith_sbuf_addc(out, ',') : 0) ||
			     json_num(r, out, kith_disc_cell(r->c, i, j));
		if (!rc)
			rc = kith_sbuf_addc(out, ']');
	}
	if (!rc)
		rc = kith_sbuf_adds(out, "],\"row_totals\":[");
	for (size_t i = 0; i < r->r && !rc; i++)
		rc = (i ? kith_sbuf_addc(out, ',') : 0) ||
		     json_num(r, out,
			      r->n_by == 2 ? kith_disc_row(r->r, r->c, i) : kith_disc_cell(r->c, i, 0));
	if (!rc)
		rc = kith_sbuf_adds(out, "],\"col_totals\":[");
	for (size_t j = 0; j < r->c && !rc; j++)
		rc = (j ? kith_sbuf_addc(out, ',') : 0) ||
		     json_num(r, out, r->r > 1 ? kith_disc_col(r->r, r->c, j) : kith_disc_cell(r->c, 0, j));
	if (!rc)
		rc = kith_sbuf_adds(out, "],\"total\":");
	if (!rc)
		rc = json_num(r, out, kith_disc_grand(r->r, r->c));
	if (!rc)
		rc = kith_sbuf_addf(
		    out,
		    ",\"persons\":%zu,\"left_out\":%zu,\"additive\":%s,\"threshold\":%u,"
		    "\"withheld\":{\"small\":%zu,\"secondary\":%zu,\"cells\":%zu},\"withheld_cells\":[",
		    r->persons, r->left_out, r->additive ? "true" : "false", r->threshold,
		    r->withheld.primary, r->withheld.secondary, r->withheld.cells_withheld);
	int first = 1;
	for (size_t i = 0; i < r->r && !rc; i++)
		for (size_t j = 0; j < r->c && !rc; j++) {
			size_t e = kith_disc_cell(r->c, i, j);
			if (!r->st[e])
				continue;
			rc = kith_sbuf_adds(out, first ? "{\"row\":" : ",{\"row\":");
			first = 0;
			if (!rc)
				rc = json_str(out, kith_report_row_label(r, i));
			if (!rc)
				rc = kith_sbuf_adds(out, ",\"col\":");
			if (!rc)
				rc = json_str(out, kith_report_col_label(r, j));
			if (!rc)
				rc = kith_sbuf_addf(out, ",\"reason\":\"%s\"}",
						    kith_disc_reason(r->st[e], "en"));
		}
	if (!rc)
		rc = kith_sbuf_adds(out, "]}\n");
	return rc;
}

int kith_report_render(const struct kith_report *r, enum kith_report_format fmt, struct kith_sbuf *out,
		       struct kith_err *err)
{
	int rc;
	switch (fmt) {
	case KITH_REPORT_TABLE:
		rc = render_table(r, out);
		break;
	case KITH_REPORT_CSV:
		rc = render_csv(r, out);
		break;
	case KITH_REPORT_HXL:
		rc = render_hxl(r, out);
		break;
	case KITH_REPORT_SVG:
		rc = render_svg(r, out);
		break;
	case KITH_REPORT_HTML:
		rc = render_html(r, out);
		break;
	case KITH_REPORT_JSON:
		rc = render_json(r, out);
		break;
	default:
		return kith_err_set(err, KITH_E_INVALID, NULL, "unknown report format");
	}
	return rc ? kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory") : KITH_OK;
}

/* ---- CTDC ---- */

static const char *const CTDC[] = {
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "majorityEntry",
    "citizenship",
    "meansOfControlDebtBondage",
    "meansOfControlTakesEarnings",
    "meansOfControlRestrictsFinancialAccess",
    "meansOfControlThreats",
    "meansOfControlPsychologicalAbuse",
    "meansOfControlPhysicalAbuse",
    "meansOfControlSexualAbuse",
    "meansOfControlFalsePromises",
    "meansOfControlPsychoactiveSubstances",
    "meansOfControlRestrictsMovement",
    "meansOfControlRestrictsMedicalCare",
    "meansOfControlExcessiveWorkingHours",
    "meansOfControlUsesChildren",
    "meansOfControlThreatOfLawEnforcement",
    "meansOfControlWithholdsNecessities",
    "meansOfControlWithholdsDocuments",
    "meansOfControlOther",
    "meansOfControlNotSpecified",
    "meansOfControlConcatenated",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
    "typeOfExploitConcatenated",
    "typeOfLabourAgriculture",
    "typeOfLabourAquafarming",
    "typeOfLabourBegging",
    "typeOfLabourConstruction",
    "typeOfLabourDomesticWork",
    "typeOfLabourHospitality",
    "typeOfLabourIllicitActivities",
    "typeOfLabourManufacturing",
    "typeOfLabourMiningOrDrilling",
    "typeOfLabourPeddling",
    "typeOfLabourTransportation",
    "typeOfLabourOther",
    "typeOfLabourNotSpecified",
    "typeOfLabourConcatenated",
    "typeOfSexProstitution",
    "typeOfSexPornography",
    "typeOfSexRemoteInteractiveServices",
    "typeOfSexPrivateSexualServices",
    "typeOfSexConcatenated",
    "isAbduction",
    "RecruiterRelationship",
    "CountryOfExploitation",
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
    "recruiterRelationUnknown",
};
#define N_CTDC (sizeof CTDC / sizeof *CTDC)

const char *const *kith_report_ctdc_columns(size_t *n)
{
	*n = N_CTDC;
	return CTDC;
}

static size_t ctdc_col(const char *name)
{
	for (size_t i = 0; i < N_CTDC; i++)
		if (strcmp(CTDC[i], name) == 0)
			return i;
	return SIZE_MAX;
}

/* "debt_bondage" -> "DebtBondage" (ASCII; other bytes dropped) */
static void camel(const char *s, size_t len, char *b, size_t n)
{
	size_t o = 0;
	int up = 1;
	for (size_t i = 0; i < len && o + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c)) {
			up = 1;
			continue;
		}
		b[o++] = (char)(up ? toupper(c) : c);
		up = 0;
	}
	b[o] = '\0';
}

static size_t field_of(const struct kith_report_data *d, const char *name)
{
	for (size_t j = 0; j < d->n_fields; j++)
		if (d->field_names[j] && strcmp(d->field_names[j], name) == 0)
			return j;
	return SIZE_MAX;
}

/* one flag family: columns PREFIX<Camel(value)> set to 1, the concatenation
 * in CONCAT, NotSpecified when the field is unknown */
struct flags {
	const char *prefix;
	char **row; /* the output row, N_CTDC strings */
	struct kith_sbuf concat;
	int any;
};

static int set_cell(char **row, size_t col, const char *v)
{
	if (col == SIZE_MAX)
		return 0;
	free(row[col]);
	row[col] = strdup(v);
	return row[col] ? 0 : KITH_E_NOMEM;
}

static int flag_cat(void *ctx, const char *c, size_t len)
{
	struct flags *F = ctx;
	if (!len)
		return 0;
	static const struct {
		const char *from, *to;
	} alias[] = {
	    {"forced_labour", "isForcedLabour"},      {"sexual_exploitation", "isSexualExploit"},
	    {"other_exploitation", "isOtherExploit"}, {"forced_marriage", "isForcedMarriage"},
	    {"forced_military", "isForcedMilitary"},  {"organ_removal", "isOrganRemoval"},
	    {"slavery", "isSlaveryAndPractices"},     {"mining", "typeOfLabourMiningOrDrilling"},
	};
	char name[128], cm[96];
	camel(c, len, cm, sizeof cm);
	snprintf(name, sizeof name, "%s%s", F->prefix, cm);
	if (strcmp(F->prefix, "is") == 0 && strcmp(cm, "Other") == 0)
		snprintf(name, sizeof name, "isOtherExploit");
	for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
		if (strlen(alias[i].from) == len && memcmp(alias[i].from, c, len) == 0 &&
		    strncmp(alias[i].to, F->prefix, strlen(F->prefix)) == 0)
			snprintf(name, sizeof name, "%s", alias[i].to);
	size_t col = ctdc_col(name);
	if (col == SIZE_MAX)
		return 0;
	F->any = 1;
	if (set_cell(F->row, col, "1"))
		return KITH_E_NOMEM;
	if (F->concat.len && kith_sbuf_addc(&F->concat, ';'))
		return KITH_E_NOMEM;
	return kith_sbuf_adds(&F->concat, name + strlen(F->prefix)) ? KITH_E_NOMEM : 0;
}

static int ctdc_flags(const struct kith_report_data *d, size_t p, const char *field, const char *prefix,
		      const char *concat_col, const char *notspec_col, char **row)
{
	/* the family's columns are 0 when the field is known */
	size_t fi = field_of(d, field);
	const char *v = fi == SIZE_MAX ? NULL : d->values[p * d->n_fields + fi];
	if (is_unknown(v)) {
		if (notspec_col)
			return set_cell(row, ctdc_col(notspec_col), "1");
		return 0;
	}
	for (size_t i = 0; i < N_CTDC; i++)
		if (strncmp(CTDC[i], prefix, strlen(prefix)) == 0 && !strstr(CTDC[i], "Concatenated") &&
		    (strcmp(prefix, "is") != 0 || (strcmp(CTDC[i], "isAbduction") != 0)))
			if (set_cell(row, i, "0"))
				return KITH_E_NOMEM;
	struct flags F = {.prefix = prefix, .row = row, .concat = KITH_SBUF_INIT};
	int rc = each_cat(v, 1, flag_cat, &F);
	if (!rc && concat_col && F.concat.len)
		rc = set_cell(row, ctdc_col(concat_col), F.concat.buf);
	kith_sbuf_release(&F.concat);
	return rc;
}

int kith_report_ctdc(const struct kith_report_data *d, unsigned k, struct kith_sbuf *out,
		     struct kith_disc_kanon_summary *sum, struct kith_err *err)
{
	size_t n = d->n_persons;
	size_t nn = n ? n : 1;
	char **rows = calloc(nn * N_CTDC, sizeof *rows);
	const char **qi = calloc(nn * 5, sizeof *qi);
	unsigned char *starred = calloc(nn * 5, 1), *keep = calloc(nn, 1);
	int rc = rows && qi && starred && keep ? KITH_OK : KITH_E_NOMEM;
	static const struct {
		const char *field, *col;
	} plain[] = {
	    {"year", "yearOfRegistration"},
	    {"age_band", "ageBroad"},
	    {"citizenship", "citizenship"},
	    {"country_of_exploitation", "CountryOfExploitation"},
	};
	for (size_t p = 0; p < n && !rc; p++) {
		char **row = rows + p * N_CTDC;
		rc = set_cell(row, ctdc_col("Datasource"), "Case Management");
		for (size_t i = 0; i < sizeof plain / sizeof *plain && !rc; i++) {
			size_t fi = field_of(d, plain[i].field);
			const char *v = fi == SIZE_MAX ? NULL : d->values[p * d->n_fields + fi];
			if (!is_unknown(v))
				rc = set_cell(row, ctdc_col(plain[i].col), v);
		}
		size_t fs = field_of(d, "sex");
		const char *sx = fs == SIZE_MAX ? NULL : d->values[p * d->n_fields + fs];
		if (!rc && !is_unknown(sx)) {
			char c = (char)tolower((unsigned char)sx[0]);
			rc = set_cell(row, ctdc_col("gender"), c == 'f' ? "Female" : c == 'm' ? "Male" : "");
		}
		size_t fa = field_of(d, "age_band");
		const char *ab = fa == SIZE_MAX ? NULL : d->values[p * d->n_fields + fa];
		if (!rc && !is_unknown(ab) && !isnan(lead_num(ab)))
			rc =
			    set_cell(row, ctdc_col("majorityStatus"), lead_num(ab) >= 18 ? "Adult" : "Minor");
		if (!rc)
			rc = ctdc_flags(d, p, "means_of_control", "meansOfControl",
					"meansOfControlConcatenated", "meansOfControlNotSpecified", row);
		if (!rc)
			rc = ctdc_flags(d, p, "exploitation", "is", "typeOfExploitConcatenated", NULL, row);
		if (!rc && row[ctdc_col("isForcedLabour")] && row[ctdc_col("isSexualExploit")])
			rc = set_cell(row, ctdc_col("isSexAndLabour"),
				      strcmp(row[ctdc_col("isForcedLabour")], "1") == 0 &&
					      strcmp(row[ctdc_col("isSexualExploit")], "1") == 0
					  ? "1"
					  : "0");
		if (!rc)
			rc = ctdc_flags(d, p, "labour", "typeOfLabour", "typeOfLabourConcatenated",
					"typeOfLabourNotSpecified", row);
		if (!rc)
			rc = ctdc_flags(d, p, "sexual_exploitation", "typeOfSex", "typeOfSexConcatenated",
					NULL, row);
		if (!rc)
			rc = ctdc_flags(d, p, "recruiter_relation", "recruiterRelation",
					"RecruiterRelationship", NULL, row);
		size_t fb = field_of(d, "abduction");
		const char *abd = fb == SIZE_MAX ? NULL : d->values[p * d->n_fields + fb];
		if (!rc && !is_unknown(abd)) {
			int yes = strchr("yYtT1", abd[0]) != NULL;
			rc = set_cell(row, ctdc_col("isAbduction"), yes ? "1" : "0");
		}
		static const char *const qcols[5] = {"yearOfRegistration", "gender", "ageBroad",
						     "citizenship", "CountryOfExploitation"};
		for (size_t j = 0; j < 5; j++)
			qi[p * 5 + j] = row[ctdc_col(qcols[j])];
	}
	struct kith_disc_kanon_summary s = {0};
	if (!rc && n)
		rc = kith_disc_kanon(n, 5, qi, k, starred, keep, &s, err);
	if (rc == KITH_E_NOMEM)
		kith_err_set(err, rc, NULL, "out of memory");
	for (size_t i = 0; i < N_CTDC && !rc; i++)
		rc = (i ? kith_sbuf_addc(out, ',') : 0) || kith_sbuf_adds(out, CTDC[i]) ? KITH_E_NOMEM : 0;
	if (!rc)
		rc = kith_sbuf_addc(out, '\n') ? KITH_E_NOMEM : 0;
	static const char *const qcols[5] = {"yearOfRegistration", "gender", "ageBroad", "citizenship",
					     "CountryOfExploitation"};
	for (size_t p = 0; p < n && !rc; p++) {
		if (!keep[p])
			continue;
		char **row = rows + p * N_CTDC;
		for (size_t j = 0; j < 5; j++)
			if (starred[p * 5 + j]) {
				size_t col = ctdc_col(qcols[j]);
				free(row[col]);
				row[col] = NULL;
			}
		for (size_t i = 0; i < N_CTDC && !rc; i++)
			rc = (i ? kith_sbuf_addc(out, ',') : 0) || csv_field(out, row[i] ? row[i] : "");
		if (!rc)
			rc = kith_sbuf_addc(out, '\n');
		if (rc)
			rc = KITH_E_NOMEM;
	}
	if (rc == KITH_E_NOMEM)
		kith_err_set(err, rc, NULL, "out of memory");
	if (rows)
		for (size_t i = 0; i < n * N_CTDC; i++)
			free(rows[i]);
	free(rows);
	free(qi);
	free(starred);
	free(keep);
	if (!rc && sum)
		*sum = s;
	return rc;
}

/* ---- a CSV of persons ---- */

void kith_report_table_free(struct kith_report_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->names && i < t->d.n_fields; i++)
		free(t->names[i]);
	free(t->names);
	for (size_t i = 0; t->values && i < t->d.n_persons * t->d.n_fields; i++)
		kith_wipe_free_str(t->values[i]);
	free(t->values);
	memset(t, 0, sizeof *t);
}

int kith_report_table_parse(struct kith_report_table *out, const char *data, size_t len, const char *name,
			    struct kith_err *err)
{
	struct kith_report_table t;
	memset(&t, 0, sizeof t);
	struct kith_csv_opts co = {.header = 1, .comments = 1, .max_rows = 10000000};
	struct kith_csv *c = NULL;
	int rc = kith_csv_open(&c, data, len, name, &co, err);
	if (rc)
		return rc;
	const struct kith_csv_row *h = kith_csv_header(c);
	size_t nf = h->n, cap = 0;
	t.names = calloc(nf ? nf : 1, sizeof *t.names);
	if (!t.names)
		rc = KITH_E_NOMEM;
	for (size_t i = 0; i < nf && !rc; i++) {
		if (!(t.names[i] = strdup(h->f[i])))
			rc = KITH_E_NOMEM;
		t.d.n_fields = i + 1;
	}
	struct kith_csv_row row;
	int got = 0;
	while (!rc && (got = kith_csv_next(c, &row, err)) == 1) {
		if (t.d.n_persons == cap) {
			size_t nc = cap ? 2 * cap : 256;
			char **nv = realloc(t.values, nc * nf * sizeof *nv);
			if (!nv) {
				rc = KITH_E_NOMEM;
				break;
			}
			t.values = nv;
			cap = nc;
		}
		char **v = t.values + t.d.n_persons * nf;
		for (size_t i = 0; i < nf; i++)
			v[i] = NULL;
		t.d.n_persons++;
		for (size_t i = 0; i < nf && !rc; i++)
			if (!(v[i] = strdup(row.f[i])))
				rc = KITH_E_NOMEM;
	}
	if (!rc && got < 0)
		rc = got;
	else if (rc == KITH_E_NOMEM)
		kith_err_set(err, rc, NULL, "out of memory");
	kith_csv_free(c);
	if (rc) {
		kith_report_table_free(&t);
		return rc;
	}
	t.d.field_names = (const char *const *)t.names;
	t.d.values = (const char *const *)t.values;
	*out = t;
	return KITH_OK;
}
