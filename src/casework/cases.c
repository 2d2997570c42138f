/*
 * The case list: see cases.h.
 */
#include "casework/cases.h"

#include "casework/people.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casework/linkvault.h"
#include "casework/workflow.h"
#include "record/record.h"

int kith_cases_sort_parse(const char *word, enum kith_cases_sort *out)
{
	if (!word || !strcmp(word, "recent"))
		*out = KITH_CASES_RECENT;
	else if (!strcmp(word, "ref"))
		*out = KITH_CASES_REF;
	else if (!strcmp(word, "name"))
		*out = KITH_CASES_NAME;
	else if (!strcmp(word, "follow-up") || !strcmp(word, "follow_up"))
		*out = KITH_CASES_FOLLOW_UP;
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
	    json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "id", r->id, "ref",
		      r->ref ? r->ref : "", "version", (int)r->version, "at", (json_int_t)r->at, "name",
		      nn ? names[0] : "", "sex", str_at(p, "sex"), "birth", str_at(p, "birth"), "province",
		      str_at(origin, "province"), "status", str_at(b, "status"), "needs", needs, "assigned",
		      str_at(b, "assigned"), "follow_up", str_at(b, "follow_up"));
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

/* Follow-up dates compare as text (YYYY-MM-DD); cases without one go last. */
static int by_follow_up(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	const char *fa = str_at(a->s, "follow_up"), *fb = str_at(b->s, "follow_up");
	if (!*fa != !*fb)
		return *fa ? -1 : 1;
	int c = strcmp(fa, fb);
	return c ? c : by_ref(x, y);
}

/* Two values of one person's cases disagree: both given and different
 * (birth compared by its year). */
static int differ(const char *a, const char *b, size_t n)
{
	if (!*a || !*b)
		return 0;
	return n ? strncmp(a, b, n) != 0 : strcmp(a, b) != 0;
}

/* Adds "same_person" and "conflict" to each of the n summaries (in the
 * order of the vault's cases) from the persons of the confirmed links. */
static int add_persons(struct kith_vault *v, json_t **all, size_t n, struct kith_err *err)
{
	size_t *person = NULL, np = 0;
	int rc = kith_link_vault_persons(v, &person, &np, err);
	if (rc)
		return rc;
	if (np != n) { /* a person per case, or none when there is no case */
		free(person);
		person = NULL;
	}
	size_t *first = NULL, *next = NULL; /* the cases of each person as a chain */
	if (person) {
		first = malloc(n * sizeof *first);
		next = malloc(n * sizeof *next);
		if (!first || !next)
			goto nomem;
		for (size_t i = 0; i < n; i++)
			first[i] = next[i] = SIZE_MAX;
		for (size_t i = n; i-- > 0;) {
			next[i] = first[person[i]];
			first[person[i]] = i;
		}
	}
	for (size_t i = 0; i < n; i++) {
		json_t *same = json_array();
		int conflict = 0;
		if (!same || json_object_set_new(all[i], "same_person", same))
			goto nomem;
		for (size_t k = person ? first[person[i]] : SIZE_MAX; k != SIZE_MAX; k = next[k]) {
			if (k == i)
				continue;
			if (json_array_append_new(same, json_string(str_at(all[k], "ref"))))
				goto nomem;
			conflict |= differ(str_at(all[i], "sex"), str_at(all[k], "sex"), 0) ||
				    differ(str_at(all[i], "birth"), str_at(all[k], "birth"), 4) ||
				    differ(str_at(all[i], "province"), str_at(all[k], "province"), 0);
		}
		if (json_object_set_new(all[i], "conflict", json_boolean(conflict)))
			goto nomem;
	}
	free(first);
	free(next);
	free(person);
	return KITH_OK;
nomem:
	free(first);
	free(next);
	free(person);
	return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
}

static int has_need(const json_t *s, const char *need)
{
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(s, "needs"), i,
			   x) if (json_is_string(x) && !strcmp(json_string_value(x), need)) return 1;
	return 0;
}

int kith_cases_list(struct kith_vault *v, const struct kith_cases_query *q, json_t **items, size_t *total,
		    struct kith_err *err)
{
	static const struct kith_cases_query every = {0};
	if (!q)
		q = &every;
	struct kith_person me; /* people.h: analysts see no case; caseworkers theirs */
	kith_people_me(v, &me);
	int rc = kith_people_allow(v, KITH_PEOPLE_NAMES, err);
	if (rc)
		return rc;
	const char *status, *province, *sex, *need;
	rc = filter_id("case_status", "status", q->status, &status, err);
	if (!rc)
		rc = filter_id("province", "province", q->province, &province, err);
	if (!rc)
		rc = filter_id("sex", "sex", q->sex, &sex, err);
	if (!rc)
		rc = filter_id("need", "need", q->need, &need, err);
	if (rc)
		return rc;
	char today[KITH_WORKFLOW_DATE_LEN];
	if (q->today) {
		if (strlen(q->today) != 10 || kith_record_date_parse(q->today, 10, NULL, NULL, NULL) != 3)
			return kith_err_set(err, KITH_E_INVALID, "today", "not a date YYYY-MM-DD");
		memcpy(today, q->today, sizeof today);
	} else {
		kith_workflow_today(today);
	}
	size_t n = 0, m = 0;
	const struct kith_record_view *r = kith_vault_records(v, "case", &n);
	struct entry *e = malloc((n ? n : 1) * sizeof *e);
	json_t **all = calloc(n ? n : 1, sizeof *all);
	json_t *out = json_array();
	if (!e || !all || !out)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if (!(all[i] = kith_cases_summary(&r[i])))
			goto nomem;
	rc = add_persons(v, all, n, err);
	if (rc)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		json_t *s = all[i];
		if ((status && strcmp(str_at(s, "status"), status)) ||
		    (province && strcmp(str_at(s, "province"), province)) ||
		    (sex && strcmp(str_at(s, "sex"), sex)) || (need && !has_need(s, need)) ||
		    (q->assigned && strcmp(str_at(s, "assigned"), q->assigned)) ||
		    (q->has_conflict && !json_is_true(json_object_get(s, "conflict"))) ||
		    (q->due && !kith_workflow_due_state(s, today)) || !kith_people_sees(&me, &r[i]))
			continue;
		e[m++] = (struct entry){s, &r[i]};
	}
	qsort(e, m, sizeof *e,
	      q->sort == KITH_CASES_REF		? by_ref
	      : q->sort == KITH_CASES_NAME	? by_name
	      : q->sort == KITH_CASES_FOLLOW_UP ? by_follow_up
						: by_recent);
	size_t end = q->limit && q->offset + q->limit < m ? q->offset + q->limit : m;
	for (size_t k = q->offset; k < end; k++) {
		size_t i = q->reverse ? m - 1 - k : k;
		if (json_array_append(out, e[i].s))
			goto nomem;
	}
	for (size_t i = 0; i < n; i++)
		json_decref(all[i]);
	free(all);
	free(e);
	*items = out;
	*total = m;
	return KITH_OK;
nomem:
	rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
fail:
	for (size_t i = 0; all && i < n; i++)
		json_decref(all[i]);
	free(all);
	free(e);
	json_decref(out);
	return rc;
}

int kith_cases_add_persons(struct kith_vault *v, json_t *items, struct kith_err *err)
{
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(v, "case", &n);
	json_t **all = calloc(n ? n : 1, sizeof *all);
	int rc = KITH_OK;
	if (!all)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	/* the summaries of the cases the items hold (others stay NULL: not needed) */
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const json_t *id = json_object_get(it, "id");
		const struct kith_record_view *cv =
		    json_is_string(id) ? kith_vault_find_id(v, json_string_value(id)) : NULL;
		if (cv && !strcmp(cv->kind, "case") && cv->index < n && !all[cv->index])
			all[cv->index] = json_incref(it);
	}
	size_t *person = NULL, np = 0;
	rc = kith_link_vault_persons(v, &person, &np, err);
	if (rc)
		goto out;
	/* the summaries of the other cases of these persons */
	unsigned char *wanted = np == n ? calloc(n ? n : 1, 1) : NULL;
	if (np == n && !wanted) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t k = 0; wanted && k < n; k++)
		if (all[k])
			wanted[person[k]] = 1;
	for (size_t k = 0; wanted && k < n; k++) {
		if (all[k] || !wanted[person[k]])
			continue;
		if (!(all[k] = kith_cases_summary(&r[k]))) {
			free(wanted);
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto out;
		}
	}
	free(wanted);
	free(person);
	person = NULL;
	/* a case whose summary is missing is alone as far as these items go */
	for (size_t k = 0; k < n; k++)
		if (!all[k] && !(all[k] = json_object())) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto out;
		}
	rc = add_persons(v, all, n, err);
	json_array_foreach(items, i, it)
	{
		if (!rc && !json_object_get(it, "same_person") &&
		    (json_object_set_new(it, "same_person", json_array()) ||
		     json_object_set_new(it, "conflict", json_false())))
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
out:
	free(person);
	for (size_t k = 0; k < n; k++)
		json_decref(all[k]);
	free(all);
	return rc;
}
