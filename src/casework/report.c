/*
 * report (casework) — the vault's persons as field values for reports, with
 * reporting consent enforced (see report.h).
 */
#include "casework/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/strset.h"
#include "casework/persons.h"
#include "record/record.h"

enum kind { PATH, YEAR_OF, AGE_BAND };

static const struct spec {
	const char *name, *path, *vocab;
	int multi;
	enum kind kind;
} SPECS[] = {
    {"sex", "person.sex", "sex", 0, PATH},
    {"origin", "person.origin.province", "province", 0, PATH},
    {"org", "source.organization", NULL, 1, PATH},
    {"year", "source.date", NULL, 0, YEAR_OF},
    {"year_of_crossing", "journey.0.date", NULL, 0, YEAR_OF},
    {"age_band", "person.birth", NULL, 0, AGE_BAND},
    {"status", "status", "case_status", 0, PATH},
    {"needs", "needs[]", "need", 1, PATH},
    {"services", "services[].type", "need", 1, PATH},
    {"incident_type", "incidents[].type", "incident_type", 1, PATH},
    {"means_of_control", "incidents[].means[]", "means_of_control", 1, PATH},
    {"exploitation", "incidents[].exploitation[]", "exploitation", 1, PATH},
    {"labour", "incidents[].labour", "labour", 1, PATH},
    {"sexual_exploitation", "incidents[].sexual_exploitation[]", "sexual_exploitation", 1, PATH},
    {"country_of_exploitation", "incidents[].country", "country", 1, PATH},
    {"recruiter_relation", "incidents[].perpetrators[].relation", "perpetrator_relation", 1, PATH},
};
#define N_SPECS (sizeof SPECS / sizeof *SPECS)

const char *const *kith_casework_report_fields(void)
{
	static const char *names[N_SPECS + 1];
	for (size_t i = 0; i < N_SPECS; i++)
		names[i] = SPECS[i].name;
	names[N_SPECS] = NULL;
	return names;
}

/* a small set of distinct strings: past 64, `overflow` and no more */
struct vals {
	struct kith_strset set;
	int overflow;
};

static int vals_add(struct vals *s, const char *x)
{
	if (kith_strset_find(&s->set, x) >= 0)
		return 0;
	if (s->set.n == 64) {
		s->overflow = 1;
		return 0;
	}
	return kith_strset_index(&s->set, x) < 0 ? KITH_E_NOMEM : 0;
}

static void vals_clear(struct vals *s)
{
	kith_strset_release(&s->set);
	s->overflow = 0;
}

/* Collects the scalar values at path (segments split at '.', "x[]" walks an
 * array, a number indexes one) under j into s, as strings. */
static int collect(const json_t *j, const char *path, struct vals *s)
{
	if (!j)
		return 0;
	if (!*path) {
		char b[64];
		if (json_is_string(j))
			return *json_string_value(j) ? vals_add(s, json_string_value(j)) : 0;
		if (json_is_integer(j)) {
			snprintf(b, sizeof b, "%lld", (long long)json_integer_value(j));
			return vals_add(s, b);
		}
		if (json_is_boolean(j))
			return vals_add(s, json_is_true(j) ? "true" : "false");
		return 0;
	}
	const char *dot = strchr(path, '.');
	size_t len = dot ? (size_t)(dot - path) : strlen(path);
	const char *rest = dot ? dot + 1 : "";
	char seg[64];
	if (len >= sizeof seg)
		return 0;
	memcpy(seg, path, len);
	seg[len] = '\0';
	int all = len > 2 && strcmp(seg + len - 2, "[]") == 0;
	if (all)
		seg[len - 2] = '\0';
	const json_t *x;
	if (seg[0] >= '0' && seg[0] <= '9')
		x = json_array_get(j, (size_t)strtoul(seg, NULL, 10));
	else if (*seg)
		x = json_object_get(j, seg);
	else
		x = j;
	if (!all)
		return collect(x, rest, s);
	for (size_t i = 0; i < json_array_size(x); i++) {
		int rc = collect(json_array_get(x, i), rest, s);
		if (rc)
			return rc;
	}
	return 0;
}

/* CTDC's age bands */
static const char *band_of(int age)
{
	static const struct {
		int lo, hi;
		const char *name;
	} bands[] = {{0, 8, "0-8"},	{9, 17, "9-17"},   {18, 20, "18-20"},
		     {21, 23, "21-23"}, {24, 26, "24-26"}, {27, 29, "27-29"},
		     {30, 38, "30-38"}, {39, 47, "39-47"}, {48, 200, "48+"}};
	for (size_t i = 0; i < sizeof bands / sizeof *bands; i++)
		if (age >= bands[i].lo && age <= bands[i].hi)
			return bands[i].name;
	return NULL;
}

/* the values of one field in one case body */
static int case_values(const json_t *b, const struct spec *sp, struct vals *s)
{
	if (sp->kind == PATH)
		return collect(b, sp->path, s);
	struct vals d = {0};
	int rc = collect(b, sp->path, &d);
	int y = 0, m = 0, day = 0;
	if (!rc && d.set.n == 1 && kith_record_date_parse(d.set.v[0], strlen(d.set.v[0]), &y, &m, &day) > 0) {
		char buf[16];
		if (sp->kind == YEAR_OF) {
			snprintf(buf, sizeof buf, "%d", y);
			rc = vals_add(s, buf);
		} else {
			/* age at registration (source.date), in whole years when the
			 * precision allows, else by the years alone */
			struct vals r = {0};
			int ry = 0, rm = 0, rd = 0;
			rc = collect(b, "source.date", &r);
			if (!rc && r.set.n == 1 &&
			    kith_record_date_parse(r.set.v[0], strlen(r.set.v[0]), &ry, &rm, &rd) > 0) {
				int age = ry - y;
				if (m && rm && (rm < m || (rm == m && day && rd && rd < day)))
					age--;
				const char *band = age >= 0 ? band_of(age) : NULL;
				if (band)
					rc = vals_add(s, band);
			}
			vals_clear(&r);
		}
	}
	vals_clear(&d);
	return rc;
}

int kith_casework_report_persons(struct kith_vault *v, const char *const *fields, size_t n_fields,
				 const char *lang, struct kith_report_table *out,
				 struct kith_casework_report_info *info, struct kith_err *err)
{
	if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "ko") != 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "language must be en or ko");
	if (n_fields == 0 || n_fields > 32)
		return kith_err_set(err, KITH_E_INVALID, NULL, "give 1 to 32 fields");
	const struct spec *sp[32];
	for (size_t f = 0; f < n_fields; f++) {
		sp[f] = NULL;
		for (size_t i = 0; i < N_SPECS; i++)
			if (strcmp(SPECS[i].name, fields[f]) == 0)
				sp[f] = &SPECS[i];
		if (!sp[f])
			return kith_err_set(err, KITH_E_INVALID, "by",
					    "%s is not a field kith reports by (see docs/report.md)",
					    fields[f]);
	}
	size_t n;
	const struct kith_record_view *cs = kith_vault_records(v, "case", &n);
	if (n == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "the vault has no cases");
	struct kith_persons_report prep;
	memset(&prep, 0, sizeof prep);
	size_t *person = NULL, n_all = 0;
	int rc = kith_persons_of_cases(v, &person, &n_all, &prep, err);
	kith_persons_report_release(&prep);
	if (rc)
		return rc;
	struct kith_casework_report_info in = {.cases = n};
	struct vals *pv = calloc((n_all ? n_all : 1) * n_fields, sizeof *pv);
	unsigned char *counted = calloc(n_all ? n_all : 1, 1);
	struct kith_report_table t;
	memset(&t, 0, sizeof t);
	if (!pv || !counted)
		goto nomem;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *b = kith_record_view_json(&cs[i]);
		if (!b)
			goto nomem;
		if (!kith_record_consent_allows(b, "reporting")) {
			in.no_consent++;
			json_decref(b);
			continue;
		}
		size_t p = person[i];
		counted[p] = 1;
		for (size_t f = 0; f < n_fields && !rc; f++)
			rc = case_values(b, sp[f], &pv[p * n_fields + f]);
		json_decref(b);
	}
	if (rc)
		goto nomem;
	/* the table: counted persons in order */
	for (size_t p = 0; p < n_all; p++)
		in.persons += counted[p];
	in.left_out = n_all - in.persons;
	t.names = calloc(n_fields, sizeof *t.names);
	t.values = calloc((in.persons ? in.persons : 1) * n_fields, sizeof *t.values);
	if (!t.names || !t.values)
		goto nomem;
	t.d.n_fields = n_fields;
	for (size_t f = 0; f < n_fields; f++)
		if (!(t.names[f] = strdup(fields[f])))
			goto nomem;
	size_t row = 0;
	for (size_t p = 0; p < n_all; p++) {
		if (!counted[p])
			continue;
		for (size_t f = 0; f < n_fields; f++) {
			struct vals *s = &pv[p * n_fields + f];
			struct kith_sbuf sb = KITH_SBUF_INIT;
			int bad = 0;
			if (!sp[f]->multi && s->set.n > 1) {
				in.conflicts++;
			} else {
				for (size_t k = 0; k < s->set.n && !bad; k++) {
					const char *shown = s->set.v[k];
					if (lang && sp[f]->vocab) {
						const char *l =
						    kith_record_vocab_label(sp[f]->vocab, s->set.v[k], lang);
						if (l)
							shown = l;
					}
					/* a ';' inside a value would split it: never in ids or labels, but be
					 * safe */
					for (const char *c = shown; *c && !bad; c++)
						bad = kith_sbuf_addc(&sb, *c == ';' ? ',' : *c);
					if (!bad && k + 1 < s->set.n)
						bad = kith_sbuf_addc(&sb, ';');
				}
			}
			if (bad) {
				kith_sbuf_release(&sb);
				goto nomem;
			}
			t.values[row * n_fields + f] = kith_sbuf_detach(&sb, NULL);
			if (!t.values[row * n_fields + f] && !(t.values[row * n_fields + f] = strdup("")))
				goto nomem;
		}
		row++;
		t.d.n_persons = row;
	}
	t.d.field_names = (const char *const *)t.names;
	t.d.values = (const char *const *)t.values;
	t.d.left_out = in.left_out;
	t.d.consent_checked = 1;
	for (size_t i = 0; i < n_all * n_fields; i++)
		vals_clear(&pv[i]);
	free(pv);
	free(counted);
	free(person);
	*out = t;
	if (info)
		*info = in;
	return KITH_OK;
nomem:
	if (pv)
		for (size_t i = 0; i < n_all * n_fields; i++)
			vals_clear(&pv[i]);
	free(pv);
	free(counted);
	free(person);
	kith_report_table_free(&t);
	return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
}
