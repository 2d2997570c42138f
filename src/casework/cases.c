/*
 * The case list: see cases.h.
 */
#include "casework/cases.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

int kith_cases_sort_parse(const char *word, enum kith_cases_sort *out)
{
	if (!word || !strcmp(word, "recent"))
		*out = KITH_CASES_RECENT;
	else if (!strcmp(word, "ref"))
		*out = KITH_CASES_REF;
	else if (!strcmp(word, "name"))
		*out = KITH_CASES_NAME;
	else
		return KITH_E_INVALID;
	return KITH_OK;
}

static const char *str_at(const json_t *j, const char *key)
{
	const json_t *x = json_object_get(j, key);
	return json_is_string(x) ? json_string_value(x) : "";
}

json_t *kith_cases_summary(const struct kith_record_view *r)
{
	json_t *b = kith_record_view_json(r);
	if (!b)
		return NULL;
	const json_t *p = json_object_get(b, "person");
	const json_t *origin = json_object_get(p, "origin");
	const char *names[1] = {0};
	size_t nn = p ? kith_record_case_names(b, names, 1) : 0;
	json_t *needs = json_object_get(b, "needs");
	needs = json_is_array(needs) ? json_incref(needs) : json_array();
	/* "o" steals needs, also when json_pack fails */
	json_t *o =
	    json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "id", r->id, "ref",
		      r->ref ? r->ref : "", "version", (int)r->version, "at", (json_int_t)r->at, "name",
		      nn ? names[0] : "", "sex", str_at(p, "sex"), "birth", str_at(p, "birth"), "province",
		      str_at(origin, "province"), "status", str_at(b, "status"), "needs", needs);
	json_decref(b);
	return o;
}

/* The vocabulary id of a filter value (id or label in any language), or an error. */
static int filter_id(const char *vocab, const char *field, const char *value, const char **id,
		     struct kith_err *err)
{
	*id = NULL;
	if (!value)
		return KITH_OK;
	if (kith_record_vocab_lookup(vocab, value, id) != KITH_OK || !*id)
		return kith_err_set(err, KITH_E_INVALID, field, "not a value of the list '%s'", vocab);
	return KITH_OK;
}

struct entry {
	json_t *s; /* summary */
	const struct kith_record_view *r;
};

/* Refs compared with runs of digits as numbers: "R2" < "R10". */
static int ref_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = 0, lb = 0;
			while (isdigit((unsigned char)a[la]))
				la++;
			while (isdigit((unsigned char)b[lb]))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int by_ref(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	return ref_cmp(a->r->ref ? a->r->ref : "", b->r->ref ? b->r->ref : "");
}

static int by_recent(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	if (a->r->at != b->r->at)
		return a->r->at > b->r->at ? -1 : 1;
	return -by_ref(x, y);
}

static int by_name(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(str_at(a->s, "name"), str_at(b->s, "name"));
	return c ? c : by_ref(x, y);
}

static int has_need(const json_t *s, const char *need)
{
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(s, "needs"), i,
			   x) if (json_is_string(x) && !strcmp(json_string_value(x), need)) return 1;
	return 0;
}

int kith_cases_list(const struct kith_vault *v, const struct kith_cases_query *q, json_t **items,
		    size_t *total, struct kith_err *err)
{
	static const struct kith_cases_query all = {0};
	if (!q)
		q = &all;
	const char *status, *province, *sex, *need;
	int rc = filter_id("case_status", "status", q->status, &status, err);
	if (!rc)
		rc = filter_id("province", "province", q->province, &province, err);
	if (!rc)
		rc = filter_id("sex", "sex", q->sex, &sex, err);
	if (!rc)
		rc = filter_id("need", "need", q->need, &need, err);
	if (rc)
		return rc;
	size_t n = 0, m = 0;
	const struct kith_record_view *r = kith_vault_records(v, "case", &n);
	struct entry *e = malloc((n ? n : 1) * sizeof *e);
	json_t *out = json_array();
	if (!e || !out)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		json_t *s = kith_cases_summary(&r[i]);
		if (!s)
			goto nomem;
		if ((status && strcmp(str_at(s, "status"), status)) ||
		    (province && strcmp(str_at(s, "province"), province)) ||
		    (sex && strcmp(str_at(s, "sex"), sex)) || (need && !has_need(s, need))) {
			json_decref(s);
			continue;
		}
		e[m++] = (struct entry){s, &r[i]};
	}
	qsort(e, m, sizeof *e,
	      q->sort == KITH_CASES_REF	   ? by_ref
	      : q->sort == KITH_CASES_NAME ? by_name
					   : by_recent);
	size_t end = q->limit && q->offset + q->limit < m ? q->offset + q->limit : m;
	for (size_t k = q->offset; k < end; k++) {
		size_t i = q->reverse ? m - 1 - k : k;
		if (json_array_append(out, e[i].s))
			goto nomem;
	}
	for (size_t i = 0; i < m; i++)
		json_decref(e[i].s);
	free(e);
	*items = out;
	*total = m;
	return KITH_OK;
nomem:
	for (size_t i = 0; e && i < m; i++)
		json_decref(e[i].s);
	free(e);
	json_decref(out);
	return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
}
