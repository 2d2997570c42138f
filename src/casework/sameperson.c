/*
 * sameperson — one person's records: see sameperson.h.
 */
#include "casework/sameperson.h"

#include <stdlib.h>
#include <string.h>

#include "casework/cases.h"
#include "casework/linkvault.h"

/* The index of case id among the vault's cases, or -1. */
static long case_index(const struct kith_vault *v, const char *id)
{
	const struct kith_record_view *r = id ? kith_vault_find_id(v, id) : NULL;
	return r && !strcmp(r->kind, "case") ? (long)r->index : -1;
}

static int by_ref(const void *x, const void *y)
{
	const char *a = json_string_value(json_object_get(*(json_t *const *)x, "ref"));
	const char *b = json_string_value(json_object_get(*(json_t *const *)y, "ref"));
	return strcmp(a ? a : "", b ? b : "");
}

int kith_sameperson_of(struct kith_vault *v, const char *ref, json_t **out, struct kith_err *err)
{
	const struct kith_record_view *self = ref ? kith_vault_find(v, "case", ref) : NULL;
	if (!self)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no case with this ref");
	size_t n = 0, np = 0, *person = NULL;
	const struct kith_record_view *cases = kith_vault_records(v, "case", &n);
	size_t me = self->index;
	int rc = kith_link_vault_persons(v, &person, &np, err);
	if (rc)
		return rc;
	json_t *list = json_array(), *links = json_array(), *o = NULL;
	json_t **others = calloc(n ? n : 1, sizeof *others);
	size_t no = 0;
	if (!list || !links || !others || np != n)
		goto nomem;
	json_t *s = kith_cases_summary(self);
	if (!s || json_array_append_new(list, s))
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if (i != me && person[i] == person[me] && !(others[no++] = kith_cases_summary(&cases[i])))
			goto nomem;
	qsort(others, no, sizeof *others, by_ref);
	for (size_t i = 0; i < no; i++) {
		int bad = json_array_append_new(list, others[i]);
		others[i] = NULL;
		if (bad)
			goto nomem;
	}
	size_t nl = 0;
	const struct kith_record_view *lv = kith_vault_records(v, "link", &nl);
	for (size_t k = 0; no && k < nl; k++) {
		json_t *b = kith_record_view_json(&lv[k]);
		if (!b)
			goto nomem;
		const json_t *st = json_object_get(b, "status"), *ids = json_object_get(b, "cases");
		if (!json_is_string(st) || strcmp(json_string_value(st), "confirmed") ||
		    case_index(v, json_string_value(json_array_get(ids, 0))) < 0 ||
		    person[case_index(v, json_string_value(json_array_get(ids, 0)))] != person[me]) {
			json_decref(b);
			continue;
		}
		const json_t *rv = json_object_get(b, "reviewer");
		json_t *refs = json_array();
		json_t *l =
		    json_pack("{s:s, s:i, s:s, s:I, s:o}", "id", lv[k].id, "version", (int)lv[k].version,
			      "reviewer", json_is_string(rv) ? json_string_value(rv) : "", "at",
			      (json_int_t)lv[k].at, "cases", refs);
		size_t i;
		const json_t *id;
		int bad = !l || json_array_append_new(links, l);
		json_array_foreach(ids, i, id)
		{
			long ci = bad ? -1 : case_index(v, json_string_value(id));
			const char *r = ci >= 0 && (size_t)ci < n ? cases[ci].ref : NULL;
			if (r && json_array_append_new(refs, json_string(r)))
				bad = 1;
		}
		json_decref(b);
		if (bad)
			goto nomem;
	}
	o = json_pack("{s:s, s:o, s:o}", "ref", self->ref, "cases", list, "links", links);
	list = links = NULL;
	if (!o)
		goto nomem;
	free(others);
	free(person);
	*out = o;
	return KITH_OK;
nomem:
	for (size_t i = 0; others && i < no; i++)
		json_decref(others[i]);
	free(others);
	free(person);
	json_decref(list);
	json_decref(links);
	return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
}
