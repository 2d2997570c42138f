/*
 * tracelist — paging, search and editing of tracing requests: see tracelist.h.
 */
#include "casework/tracelist.h"

#include <stdio.h>
#include <string.h>

#include "base/sbuf.h"
#include "base/str.h"
#include "casework/trace.h"
#include "names/names.h"
#include "record/record.h"

/* The score from which a name matches the query: the floor of the case
 * search (casework/search.c), so the two searches agree. */
#define NAME_FLOOR 0.55

static const char *sget(const json_t *o, const char *k)
{
	const json_t *x = json_object_get(o, k);
	return json_is_string(x) ? json_string_value(x) : NULL;
}

/* Whether a name (a string) matches the encoded query q. */
static int name_matches(const struct kith_name *q, const json_t *name)
{
	const char *s = json_string_value(name);
	struct kith_name n;
	if (!q || !s || kith_names_encode(&n, s, strlen(s), NULL))
		return 0;
	return kith_names_query_score(q, &n) >= NAME_FLOOR;
}

/* Whether the names of a person (name and other_names of a JSON object) match q. */
static int person_matches(const struct kith_name *q, const json_t *p)
{
	if (name_matches(q, json_object_get(p, "name")))
		return 1;
	const json_t *on = json_object_get(p, "other_names");
	for (size_t k = 0; k < json_array_size(on); k++)
		if (name_matches(q, json_array_get(on, k)))
			return 1;
	return 0;
}

/* Whether the request it (a list item) matches the query: its ref, the
 * seeker's case or a part of a name, else through the names engine (q, NULL
 * for a query that holds a digit or that the engine does not read) the
 * sought's or the seeker's names in any spelling, the seeker's case's
 * person's names included. */
static int matches(struct kith_vault *v, const json_t *it, const char *text, const struct kith_name *q)
{
	const json_t *so = json_object_get(it, "sought"), *se = json_object_get(it, "seeker");
	if (kith_str_contains_nocase(sget(it, "ref"), text) ||
	    kith_str_contains_nocase(sget(so, "name"), text) ||
	    kith_str_contains_nocase(sget(se, "name"), text) ||
	    kith_str_contains_nocase(sget(se, "case"), text))
		return 1;
	if (!q)
		return 0;
	const char *ref = sget(it, "ref");
	const struct kith_record_view *tv = ref ? kith_vault_find(v, "trace", ref) : NULL;
	json_t *body = tv ? kith_record_view_json(tv) : NULL;
	int hit = body && (person_matches(q, json_object_get(body, "sought")) ||
			   person_matches(q, json_object_get(body, "seeker")));
	const char *sref = sget(json_object_get(body, "seeker"), "case");
	if (!hit && sref) {
		const struct kith_record_view *cv = kith_vault_find(v, "case", sref);
		json_t *c = cv ? kith_record_view_json(cv) : NULL;
		hit = c && person_matches(q, json_object_get(c, "person"));
		json_decref(c);
	}
	json_decref(body);
	return hit;
}

int kith_tracelist_query(struct kith_vault *v, const struct kith_tracelist_query *q, json_t **items,
			 size_t *total, struct kith_err *err)
{
	static const struct kith_tracelist_query every = {0};
	if (!q)
		q = &every;
	const char *st = q->status && *q->status ? q->status : NULL;
	if (st && strcmp(st, "open") && strcmp(st, "possible_match") && strcmp(st, "confirmed") &&
	    strcmp(st, "closed"))
		return kith_err_set(err, KITH_E_INVALID, "status",
				    "status must be open, possible_match, confirmed or closed");
	json_t *all = NULL;
	int rc = kith_trace_list_json(v, st, &all, err);
	if (rc)
		return rc;
	/* a query with a digit is a number (a ref), not a name */
	struct kith_name qn;
	const char *text = q->text && *q->text ? q->text : NULL;
	int by_name = text && !strpbrk(text, "0123456789") &&
		      kith_names_encode(&qn, text, strlen(text), NULL) == KITH_OK;
	json_t *out = json_array();
	size_t m = 0, i;
	json_t *it;
	json_array_foreach(all, i, it)
	{
		if (text && !matches(v, it, text, by_name ? &qn : NULL))
			continue;
		if (m >= q->offset && (!q->limit || m < q->offset + q->limit) &&
		    (!out || json_array_append(out, it))) {
			json_decref(out);
			out = NULL;
		}
		m++;
	}
	json_decref(all);
	if (!out)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	*items = out;
	*total = m;
	return KITH_OK;
}

int kith_tracelist_edit(struct kith_vault *v, const char *ref, const json_t *body, uint32_t expect_version,
			const char *by, struct kith_err *err)
{
	const struct kith_record_view *tv = ref ? kith_vault_find(v, "trace", ref) : NULL;
	if (!tv)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no tracing request with this ref");
	if (!json_is_object(body))
		return kith_err_set(err, KITH_E_INVALID, "body", "the request must be a JSON object");
	const char *bref = sget(body, "ref");
	if (bref && strcmp(bref, tv->ref))
		return kith_err_set(err, KITH_E_INVALID, "ref", "a request's ref cannot change");
	if (expect_version && expect_version != tv->version)
		return kith_err_set(err, KITH_E_EXISTS, "version",
				    "the request was changed: it is at version %u", (unsigned)tv->version);
	json_t *cur = kith_record_view_json(tv), *nb = json_deep_copy(body), *sc = NULL;
	struct kith_sbuf note = KITH_SBUF_INIT;
	int rc = KITH_OK;
	char id[KITH_VAULT_ID_HEX];
	snprintf(id, sizeof id, "%s", tv->id);
	uint32_t ver = tv->version;
	if (!cur || !nb)
		goto nomem;
	/* the engine's part stays as it is */
	json_object_del(nb, "status");
	json_object_del(nb, "candidates");
	if (json_object_set_new(nb, "ref", json_string(tv->ref)) ||
	    (json_object_get(cur, "status") &&
	     json_object_set(nb, "status", json_object_get(cur, "status"))) ||
	    (json_object_get(cur, "candidates") &&
	     json_object_set(nb, "candidates", json_object_get(cur, "candidates"))))
		goto nomem;
	rc = kith_record_validate("trace", nb, err);
	const char *sref = sget(json_object_get(nb, "seeker"), "case");
	if (!rc && sref) {
		const struct kith_record_view *sv = kith_vault_find(v, "case", sref);
		if (!sv)
			rc = kith_err_set(err, KITH_E_NOTFOUND, "seeker.case", "no case with this ref");
		else if (!(sc = kith_record_view_json(sv)))
			goto nomem;
	}
	if (!rc)
		rc = kith_trace_check(nb, sc, err);
	if (rc)
		goto out;
	if (json_equal(nb, cur))
		goto out; /* nothing changed: nothing written */
	if (kith_sbuf_addf(&note, "trace %s edit by %s", tv->ref, by && *by ? by : "unknown"))
		goto nomem;
	struct kith_vault_put_opts po = {
	    .id = id, .action = "trace-edit", .note = note.buf, .expect_version = ver};
	rc = kith_vault_put_alone(v, "trace", nb, &po, NULL, NULL, NULL, NULL, err);
	goto out;
nomem:
	rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
out:
	kith_sbuf_release(&note);
	json_decref(sc);
	json_decref(nb);
	json_decref(cur);
	return rc;
}
