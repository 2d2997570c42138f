/*
 * Persons and lists for estimation from a vault: see persons.h.
 */
#include "casework/persons.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/csv.h"
#include "base/strset.h"
#include "base/uf.h"
#include "casework/linkvault.h"
#include "link/link.h"
#include "link/linkcfg.h"
#include "record/record.h"

/* --------------------------------------------------------------- list map */

struct kith_persons_listmap {
	struct kith_strset org; /* spellings, trimmed */
	size_t *list;		/* list index of each spelling */
	struct kith_strset list_names;
};

void kith_persons_listmap_free(struct kith_persons_listmap *m)
{
	if (!m)
		return;
	kith_strset_release(&m->org);
	kith_strset_release(&m->list_names);
	free(m->list);
	free(m);
}

/* Copies s[0..len) without surrounding spaces into buf; its length, or -1 when it does not fit. */
static long trimmed(const char *s, size_t len, char *buf, size_t bufsz)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= bufsz)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return (long)len;
}

int kith_persons_listmap_parse(const char *data, size_t len, const char *label,
			       struct kith_persons_listmap **out, struct kith_err *err)
{
	struct kith_csv_opts co = {.header = 1,
				   .comments = 1,
				   .max_fields = 2,
				   .max_field_len = KITH_PERSONS_ORG_MAX,
				   .max_rows = 10000};
	struct kith_csv *c = NULL;
	int rc = kith_csv_open(&c, data, len, label, &co, err);
	if (rc)
		return rc;
	const struct kith_csv_row *h = kith_csv_header(c);
	int co_org = kith_csv_column(c, "organization"), co_list = kith_csv_column(c, "list");
	if (h->n != 2 || co_org < 0 || co_list < 0) {
		kith_csv_free(c);
		return kith_err_set(err, KITH_E_INVALID, label,
				    "a list mapping has the header \"organization,list\"");
	}
	struct kith_persons_listmap *m = calloc(1, sizeof *m);
	size_t cap = 0;
	if (!m) {
		kith_csv_free(c);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	struct kith_csv_row row;
	int got;
	while ((got = kith_csv_next(c, &row, err)) == 1) {
		char org[KITH_PERSONS_ORG_MAX], list[KITH_PERSONS_ORG_MAX];
		size_t io = (size_t)co_org, il = (size_t)co_list;
		if (trimmed(row.f[io], row.len[io], org, sizeof org) <= 0) {
			rc = kith_csv_field_error(c, &row, io, err, KITH_E_INVALID, "empty organization");
			break;
		}
		if (trimmed(row.f[il], row.len[il], list, sizeof list) <= 0) {
			rc = kith_csv_field_error(c, &row, il, err, KITH_E_INVALID, "empty list name");
			break;
		}
		if (kith_strset_find(&m->org, org) >= 0) {
			rc = kith_csv_field_error(c, &row, io, err, KITH_E_INVALID,
						  "this spelling is mapped twice");
			break;
		}
		if (m->org.n == cap) {
			cap = cap ? cap * 2 : 16;
			size_t *nl = realloc(m->list, cap * sizeof *nl);
			if (!nl) {
				rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
				break;
			}
			m->list = nl;
		}
		long li = kith_strset_index(&m->list_names, list);
		if (li < 0 || kith_strset_index(&m->org, org) < 0) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		m->list[m->org.n - 1] = (size_t)li;
	}
	if (!rc && got < 0)
		rc = got;
	if (!rc && m->org.n == 0)
		rc = kith_err_set(err, KITH_E_INVALID, label, "the list mapping has no rows");
	kith_csv_free(c);
	if (rc) {
		kith_persons_listmap_free(m);
		return rc;
	}
	*out = m;
	return KITH_OK;
}

/* A spelling folded for comparison: ASCII letters lower-cased, runs of spaces
 * and punctuation dropped, other bytes (Hangul, ...) kept. */
static void fold(const char *s, char *buf, size_t bufsz)
{
	size_t o = 0;
	for (; *s && o + 1 < bufsz; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x80 && !isalnum(ch))
			continue;
		buf[o++] = (char)(ch < 0x80 ? tolower(ch) : ch);
	}
	buf[o] = '\0';
}

/* Levenshtein distance of a and b, capped: returns cap + 1 when it is more. */
static size_t distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	size_t row[KITH_PERSONS_ORG_MAX + 1];
	if (lb > KITH_PERSONS_ORG_MAX)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = diag + (a[i - 1] != b[j - 1]);
			size_t v = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
			row[j] = cost < v ? cost : v;
			diag = up;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

/* Two folded spellings that a person must tell apart: one inside the other, or close. */
static int too_close(const char *a, const char *b)
{
	if (!*a || !*b)
		return 0;
	if (strstr(a, b) || strstr(b, a))
		return 1;
	size_t shorter = strlen(a) < strlen(b) ? strlen(a) : strlen(b);
	return shorter >= 5 && distance(a, b, 2) <= 2;
}

/* ------------------------------------------------------------- case fields */

/* The value of a dotted path in a case body as text in buf; 0 when missing. */
static int field_value(const json_t *body, const char *path, char *buf, size_t bufsz)
{
	const json_t *x = body;
	char part[64];
	const char *p = path;
	while (x && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len >= sizeof part)
			return 0;
		memcpy(part, p, len);
		part[len] = '\0';
		x = json_object_get(x, part);
		p = dot ? dot + 1 : p + len;
	}
	if (!x || json_is_null(x))
		return 0;
	if (json_is_string(x)) {
		const char *s = json_string_value(x);
		if (!*s || strcmp(s, "unknown") == 0)
			return 0;
		snprintf(buf, bufsz, "%s", s);
	} else if (json_is_integer(x)) {
		snprintf(buf, bufsz, "%lld", (long long)json_integer_value(x));
	} else if (json_is_boolean(x)) {
		snprintf(buf, bufsz, "%s", json_is_true(x) ? "true" : "false");
	} else {
		return -1; /* an object, array or real: not a category */
	}
	return 1;
}

/* A bare name is looked up at the top, then under person. */
static int stratum_of(const json_t *body, const char *field, char *buf, size_t bufsz)
{
	int rc = field_value(body, field, buf, bufsz);
	if (rc == 0 && !strchr(field, '.')) {
		char path[96];
		snprintf(path, sizeof path, "person.%s", field);
		rc = field_value(body, path, buf, bufsz);
	}
	return rc;
}

/* ------------------------------------------------------------------ vetoes */

/* Cases named together by a rejected or undone link: (a, b) pairs of case indices. */
struct vetoes {
	size_t (*p)[2];
	size_t n, cap;
};

static int veto_add(struct vetoes *vt, size_t a, size_t b)
{
	if (vt->n == vt->cap) {
		size_t cap = vt->cap ? vt->cap * 2 : 16;
		size_t(*np)[2] = realloc(vt->p, cap * sizeof *np);
		if (!np)
			return KITH_E_NOMEM;
		vt->p = np;
		vt->cap = cap;
	}
	vt->p[vt->n][0] = a < b ? a : b;
	vt->p[vt->n][1] = a < b ? b : a;
	vt->n++;
	return KITH_OK;
}

static int veto_cmp(const void *x, const void *y)
{
	const size_t *a = x, *b = y;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

static int vetoed(const struct vetoes *vt, size_t a, size_t b)
{
	size_t key[2] = {a < b ? a : b, a < b ? b : a};
	return vt->n && bsearch(key, vt->p, vt->n, sizeof vt->p[0], veto_cmp) != NULL;
}

static int collect_vetoes(const struct kith_vault *v, struct vetoes *vt)
{
	size_t nl;
	const struct kith_record_view *links = kith_vault_records(v, "link", &nl);
	for (size_t k = 0; k < nl; k++) {
		json_t *b = kith_record_view_json(&links[k]);
		if (!b)
			return KITH_E_NOMEM;
		const char *st = json_string_value(json_object_get(b, "status"));
		int rc = KITH_OK;
		if (st && (strcmp(st, "rejected") == 0 || strcmp(st, "undone") == 0)) {
			const json_t *arr = json_object_get(b, "cases");
			size_t m = json_array_size(arr);
			for (size_t i = 0; i < m && rc == KITH_OK; i++)
				for (size_t j = i + 1; j < m && rc == KITH_OK; j++) {
					const char *x = json_string_value(json_array_get(arr, i));
					const char *y = json_string_value(json_array_get(arr, j));
					const struct kith_record_view *cx =
					    x ? kith_vault_find_id(v, x) : NULL;
					const struct kith_record_view *cy =
					    y ? kith_vault_find_id(v, y) : NULL;
					if (cx && cy && !strcmp(cx->kind, "case") &&
					    !strcmp(cy->kind, "case") && cx->index != cy->index)
						rc = veto_add(vt, cx->index, cy->index);
				}
		}
		json_decref(b);
		if (rc)
			return rc;
	}
	if (vt->n)
		qsort(vt->p, vt->n, sizeof vt->p[0], veto_cmp);
	return KITH_OK;
}

/* ------------------------------------------------------------------ persons */

/*
 * Joins in uf the cases the linkage engine puts together, unless vetoed.
 * When the engine cannot run on these cases, says why in rep and returns
 * KITH_OK (persons then come from confirmed links only); KITH_E_NOMEM.
 */
static int engine_persons(const struct kith_vault *v, size_t n_cases, const struct vetoes *vt,
			  struct kith_uf *uf, struct kith_persons_report *rep, struct kith_err *err)
{
	rep->engine_ran = 1;
	if (n_cases < 2)
		return KITH_OK;
	struct kith_err lerr;
	kith_err_clear(&lerr);
	struct kith_linkcfg *cfg = malloc(sizeof *cfg);
	if (!cfg)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	kith_linkcfg_init(cfg);
	struct kith_dataset *ds = NULL;
	size_t *cor = NULL;
	int rc = kith_link_vault_dataset(v, cfg, &ds, &cor, &lerr);
	free(cfg);
	struct kith_link_result r;
	if (!rc) {
		struct kith_link_opts o;
		memset(&o, 0, sizeof o);
		rc = kith_link_run(ds, &o, &r, &lerr);
	}
	if (rc == KITH_E_NOMEM) {
		kith_dataset_free(ds);
		free(cor);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	if (rc) {
		rep->engine_ran = 0;
		snprintf(rep->engine_note, sizeof rep->engine_note, "%s", lerr.msg);
		kith_dataset_free(ds);
		free(cor);
		return KITH_OK;
	}
	/* members of each cluster in record order (counting sort), each joined
	 * to the first unless a veto names it with an earlier member */
	size_t nr = r.clusters.n_records, nc = r.clusters.n_clusters;
	size_t *start = calloc(nc + 1, sizeof *start), *first = malloc((nr ? nr : 1) * sizeof *first);
	if (!start || !first) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nr; i++)
		start[r.clusters.cluster[i] + 1]++;
	for (size_t c = 0; c < nc; c++)
		start[c + 1] += start[c];
	for (size_t i = 0; i < nr; i++)
		first[start[r.clusters.cluster[i]]++] = i; /* start[c] ends at the next cluster's start */
	size_t lo = 0;
	for (size_t c = 0; c < nc; c++) {
		size_t hi = start[c];
		for (size_t k = lo + 1; k < hi; k++) {
			int ok = 1;
			for (size_t j = lo; j < k && ok && vt->n; j++)
				if (vetoed(vt, cor[first[j]], cor[first[k]]))
					ok = 0;
			if (ok)
				rep->by_engine += (size_t)kith_uf_join(uf, cor[first[lo]], cor[first[k]]);
		}
		lo = hi;
	}
out:
	free(start);
	free(first);
	kith_link_result_release(&r);
	kith_dataset_free(ds);
	free(cor);
	return rc;
}

void kith_persons_report_release(struct kith_persons_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n_spellings; i++) {
		free(rep->spellings[i].organization);
		free(rep->spellings[i].list);
	}
	free(rep->spellings);
	memset(rep, 0, sizeof *rep);
}

/* The list of a spelling: through the mapping, or its folding. Fills list
 * (the list's name); returns 0, or 1 when the mapping does not name it. */
static int list_of(const struct kith_persons_listmap *map, const char *org, char *list, size_t listsz)
{
	char t[KITH_PERSONS_ORG_MAX];
	if (trimmed(org, strlen(org), t, sizeof t) < 0)
		t[0] = '\0';
	if (map) {
		long i = kith_strset_find(&map->org, t);
		if (i < 0)
			return 1;
		snprintf(list, listsz, "%s", map->list_names.v[map->list[i]]);
		return 0;
	}
	snprintf(list, listsz, "%s", t);
	return 0;
}

/* Records one counted case's spelling in the report. */
static int count_spelling(struct kith_persons_report *rep, size_t *cap, const char *org, const char *list)
{
	for (size_t i = 0; i < rep->n_spellings; i++)
		if (!strcmp(rep->spellings[i].organization, org)) {
			rep->spellings[i].cases++;
			return KITH_OK;
		}
	if (rep->n_spellings == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct kith_persons_spelling *ns = realloc(rep->spellings, nc * sizeof *ns);
		if (!ns)
			return KITH_E_NOMEM;
		rep->spellings = ns;
		*cap = nc;
	}
	struct kith_persons_spelling *s = &rep->spellings[rep->n_spellings];
	s->organization = strdup(org);
	s->list = strdup(list);
	s->cases = 1;
	rep->n_spellings++;
	return s->organization && s->list ? KITH_OK : KITH_E_NOMEM;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int spelling_cmp(const void *a, const void *b)
{
	const struct kith_persons_spelling *x = a, *y = b;
	int c = strcmp(x->list, y->list);
	return c ? c : strcmp(x->organization, y->organization);
}

/* Puts the lists in the order of their names, and renumbers the
 * memberships: the output does not depend on the order cases are read in. */
static int sort_lists(struct kith_strset *lists, struct kith_stats_membership *m, size_t nm)
{
	size_t n = lists->n;
	char **sorted = malloc((n ? n : 1) * sizeof *sorted);
	unsigned *newidx = malloc((n ? n : 1) * sizeof *newidx);
	if (!sorted || !newidx) {
		free(sorted);
		free(newidx);
		return KITH_E_NOMEM;
	}
	memcpy(sorted, lists->v, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, str_cmp);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (sorted[j] == lists->v[i])
				newidx[i] = (unsigned)j;
	for (size_t k = 0; k < nm; k++)
		m[k].list = newidx[m[k].list];
	memcpy(lists->v, sorted, n * sizeof *sorted);
	free(sorted);
	free(newidx);
	return KITH_OK;
}

/* Without a mapping, lists whose spellings fold close together are refused. */
static int check_derived(const struct kith_strset *lists, struct kith_err *err)
{
	for (size_t i = 0; i < lists->n; i++)
		for (size_t j = i + 1; j < lists->n; j++) {
			char a[KITH_PERSONS_ORG_MAX], b[KITH_PERSONS_ORG_MAX];
			fold(lists->v[i], a, sizeof a);
			fold(lists->v[j], b, sizeof b);
			if (too_close(a, b))
				return kith_err_set(err, KITH_E_INVALID, "lists",
						    "the organizations \"%s\" and \"%s\" are written alike: "
						    "say whether they are "
						    "one list with a list mapping (organization,list)",
						    lists->v[i], lists->v[j]);
		}
	return KITH_OK;
}

int kith_persons_of_cases(struct kith_vault *v, size_t **person_out, size_t *n_persons,
			  struct kith_persons_report *rep, struct kith_err *err)
{
	size_t n;
	(void)kith_vault_records(v, "case", &n);
	rep->cases = n;
	struct kith_uf uf = {0};
	struct vetoes vt = {0};
	size_t *confirmed = NULL, n_conf = 0, *rep_of = NULL, *person = NULL;
	int rc = kith_link_vault_persons(v, &confirmed, &n_conf, err);
	if (rc)
		goto done;
	if (n_conf != n) {
		rc = kith_err_set(err, KITH_E_INTERNAL, NULL, "persons and cases disagree");
		goto done;
	}
	rep_of = malloc((n ? n : 1) * sizeof *rep_of);
	person = malloc((n ? n : 1) * sizeof *person);
	if (!rep_of || !person || kith_uf_init(&uf, n)) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		rep_of[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		if (rep_of[confirmed[i]] == SIZE_MAX)
			rep_of[confirmed[i]] = i;
		else
			rep->by_links += (size_t)kith_uf_join(&uf, rep_of[confirmed[i]], i);
	}
	if (collect_vetoes(v, &vt)) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	rep->vetoed = vt.n;
	rc = engine_persons(v, n, &vt, &uf, rep, err);
	if (rc)
		goto done;
	/* number the persons in the order of their first case */
	for (size_t i = 0; i < n; i++)
		rep_of[i] = SIZE_MAX;
	size_t n_all = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = kith_uf_find(&uf, i);
		if (rep_of[r] == SIZE_MAX)
			rep_of[r] = n_all++;
		person[i] = rep_of[r];
	}
	*person_out = person;
	*n_persons = n_all;
	person = NULL;
done:
	free(person);
	free(rep_of);
	free(vt.p);
	kith_uf_release(&uf);
	free(confirmed);
	return rc;
}

int kith_persons_memberships(struct kith_vault *v, const struct kith_persons_opts *opts,
			     struct kith_stats_memberships *out, struct kith_persons_report *rep,
			     struct kith_err *err)
{
	static const struct kith_persons_opts defaults = {0};
	if (!opts)
		opts = &defaults;
	const char *stratify = opts->stratify;
	memset(out, 0, sizeof *out);
	memset(rep, 0, sizeof *rep);
	if (stratify && (!*stratify || strlen(stratify) > 90))
		return kith_err_set(err, KITH_E_INVALID, "stratify",
				    "give a field of the case (person.sex, person.origin.province)");
	size_t n;
	const struct kith_record_view *cs = kith_vault_records(v, "case", &n);
	rep->cases = n;
	if (n == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "the vault has no cases");

	struct kith_strset lists = {0}, strata = {0};
	size_t *rep_of = NULL, *person = NULL, *pcase = NULL;
	long *pstratum = NULL;
	struct kith_stats_membership *m = NULL;
	size_t spell_cap = 0, nm = 0, n_persons = 0;
	char *counted = NULL; /* persons on a list */

	/* persons from confirmed links and record linkage */
	size_t n_all = 0;
	int rc = KITH_OK;
	rep_of = malloc(n * sizeof *rep_of);
	if (!rep_of) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	rc = kith_persons_of_cases(v, &person, &n_all, rep, err);
	if (rc)
		goto fail;
	m = malloc(n * sizeof *m);
	counted = calloc(n_all ? n_all : 1, 1);
	pstratum = stratify ? malloc(n_all * sizeof *pstratum) : NULL;
	pcase = stratify ? malloc(n_all * sizeof *pcase) : NULL; /* the case that set it */
	if (!m || !counted || (stratify && (!pstratum || !pcase))) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	for (size_t p = 0; stratify && p < n_all; p++)
		pstratum[p] = -1;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *b = kith_record_view_json(&cs[i]);
		if (!b) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		size_t p = person[i];
		const char *org =
		    json_string_value(json_object_get(json_object_get(b, "source"), "organization"));
		char list[KITH_PERSONS_ORG_MAX];
		if (!kith_record_consent_allows(b, "reporting")) {
			rep->no_consent++;
		} else if (!org || !*org) {
			rep->no_org++;
		} else if (list_of(opts->lists, org, list, sizeof list)) {
			rep->unmapped++;
		} else {
			long l = kith_strset_index(&lists, list);
			if (l < 0 || count_spelling(rep, &spell_cap, org, list)) {
				rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			} else {
				m[nm].person = p;
				m[nm].list = (unsigned)l;
				m[nm].stratum = 0;
				nm++;
				counted[p] = 1;
			}
			if (!rc && stratify) {
				char val[KITH_PERSONS_STRATUM_MAX];
				int got = stratum_of(b, stratify, val, sizeof val);
				if (got < 0) {
					rc = kith_err_set(err, KITH_E_INVALID, cs[i].ref,
							  "%s is not a single value and cannot stratify",
							  stratify);
				} else if (got > 0) {
					long s = kith_strset_index(&strata, val);
					if (s < 0) {
						rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
					} else if (pstratum[p] < 0) {
						pstratum[p] = s;
						pcase[p] = i;
					} else if (pstratum[p] != s) {
						char where[2 * KITH_VAULT_REF_MAX + 8];
						snprintf(where, sizeof where, "%s, %s", cs[pcase[p]].ref,
							 cs[i].ref);
						rc = kith_err_set(
						    err, KITH_E_INVALID, where,
						    "one person, but the cases differ in %s: correct "
						    "one, or undo their link",
						    stratify);
					}
				}
			}
		}
		json_decref(b);
	}
	if (rc)
		goto fail;
	/* persons numbered again over those counted, so that the table's
	 * person count is theirs */
	size_t *renum = rep_of; /* reused */
	for (size_t p = 0; p < n_all; p++)
		renum[p] = counted[p] ? n_persons++ : SIZE_MAX;
	if (stratify) {
		long unknown = -1;
		for (size_t p = 0; p < n_all && !rc; p++)
			if (counted[p] && pstratum[p] < 0) {
				if (unknown < 0)
					unknown = kith_strset_index(&strata, "unknown");
				if (unknown < 0)
					rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
				pstratum[p] = unknown;
			}
	}
	for (size_t k = 0; k < nm && !rc; k++) {
		if (stratify)
			m[k].stratum = (size_t)pstratum[m[k].person];
		m[k].person = renum[m[k].person];
	}
	if (!rc && sort_lists(&lists, m, nm))
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	if (!rc && rep->n_spellings > 1)
		qsort(rep->spellings, rep->n_spellings, sizeof *rep->spellings, spelling_cmp);
	if (!rc && !opts->lists)
		rc = check_derived(&lists, err);
	if (!rc && lists.n < 2)
		rc =
		    kith_err_set(err, KITH_E_INVALID, "lists",
				 "the counted cases come from %zu list%s: estimation needs two lists or more "
				 "(source.organization, with reporting consent)",
				 lists.n, lists.n == 1 ? "" : "s");
	if (rc)
		goto fail;
	rep->persons = n_persons;
	out->m = m;
	out->n = nm;
	out->list_names = lists.v;
	out->n_lists = (unsigned)lists.n;
	out->stratum_names = stratify ? strata.v : NULL;
	out->n_strata = stratify ? strata.n : 0;
	m = NULL;
	memset(&lists, 0, sizeof lists);
	if (stratify)
		memset(&strata, 0, sizeof strata);
	goto done;
fail:
	kith_persons_report_release(rep);
done:
	free(m);
	free(counted);
	free(pstratum);
	free(pcase);
	kith_strset_release(&lists);
	kith_strset_release(&strata);
	free(rep_of);
	free(person);
	return rc;
}
