/*
 * linkvault — reviewed links between cases in a vault (see linkvault.h).
 */
#include "casework/linkvault.h"

#include "casework/people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record/record.h"
#include "link/compare.h"
#include "base/hmap.h"
#include "base/uf.h"

#define MAX_LINK_CASES 1000
#define MAX_EXPLAINED_PAIRS 10

/* --- case index */

struct cases {
	const struct kith_record_view *v;
	size_t n;
	struct kith_hmap by_id; /* hash(id) -> index + 1 */
};

static int cases_open(struct cases *c, const struct kith_vault *v)
{
	memset(c, 0, sizeof *c);
	c->v = kith_vault_records(v, "case", &c->n);
	if (kith_hmap_reserve(&c->by_id, c->n))
		return KITH_E_NOMEM;
	for (size_t i = 0; i < c->n; i++) {
		uint64_t *slot =
		    kith_hmap_upsert(&c->by_id, kith_compare_hash(c->v[i].id, strlen(c->v[i].id)), i + 1);
		if (!slot)
			return KITH_E_NOMEM;
	}
	return KITH_OK;
}

/* The case with this id, or -1 (also for NULL: a link body is input, and an
 * id that is not a string is no case). */
static long case_of_id(const struct cases *c, const char *id)
{
	if (!id)
		return -1;
	uint64_t *slot = kith_hmap_get(&c->by_id, kith_compare_hash(id, strlen(id)));
	if (slot && strcmp(c->v[*slot - 1].id, id) == 0)
		return (long)(*slot - 1);
	if (slot) /* a hash collision between two ids: look the slow way */
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(c->v[i].id, id) == 0)
				return (long)i;
	return -1;
}

static void cases_close(struct cases *c)
{
	kith_hmap_release(&c->by_id);
}

static const char *json_str_at(const json_t *o, const char *k)
{
	const json_t *x = json_object_get(o, k);
	return json_is_string(x) ? json_string_value(x) : NULL;
}

/* --- persons */

/* Union–find over the cases from the confirmed links (*out released by the caller). */
static int confirmed_parents(struct kith_vault *v, const struct cases *c, struct kith_uf *out,
			     struct kith_err *err)
{
	struct kith_uf parent;
	if (kith_uf_init(&parent, c->n))
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	size_t nl;
	const struct kith_record_view *links = kith_vault_records(v, "link", &nl);
	for (size_t k = 0; k < nl; k++) {
		json_t *b = kith_record_view_json(&links[k]);
		if (!b) {
			kith_uf_release(&parent);
			return kith_err_set(err, KITH_E_NOMEM, links[k].id, "out of memory");
		}
		const char *st = json_str_at(b, "status");
		if (st && strcmp(st, "confirmed") == 0) {
			const json_t *arr = json_object_get(b, "cases");
			long first = -1;
			for (size_t i = 0; i < json_array_size(arr); i++) {
				const char *id = json_string_value(json_array_get(arr, i));
				long ci = id ? case_of_id(c, id) : -1;
				if (ci < 0)
					continue; /* a case not readable here */
				if (first < 0) {
					first = ci;
					continue;
				}
				kith_uf_join(&parent, (size_t)first, (size_t)ci);
			}
		}
		json_decref(b);
	}
	*out = parent;
	return KITH_OK;
}

int kith_link_vault_persons(struct kith_vault *v, size_t **person_of_case, size_t *n_cases,
			    struct kith_err *err)
{
	struct cases c;
	if (cases_open(&c, v)) {
		cases_close(&c);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	if (c.n == 0) {
		cases_close(&c);
		*person_of_case = NULL;
		*n_cases = 0;
		return KITH_OK;
	}
	struct kith_uf parent;
	int rc = confirmed_parents(v, &c, &parent, err);
	if (rc) {
		cases_close(&c);
		return rc;
	}
	size_t *num = malloc(c.n * sizeof *num), *out = malloc(c.n * sizeof *out);
	if (!num || !out) {
		free(num);
		free(out);
		kith_uf_release(&parent);
		cases_close(&c);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; i < c.n; i++)
		num[i] = SIZE_MAX;
	size_t persons = 0;
	for (size_t i = 0; i < c.n; i++) {
		size_t r = kith_uf_find(&parent, i);
		if (num[r] == SIZE_MAX)
			num[r] = persons++;
		out[i] = num[r];
	}
	free(num);
	kith_uf_release(&parent);
	*person_of_case = out;
	*n_cases = c.n;
	cases_close(&c);
	return KITH_OK;
}

/* --- dataset */

int kith_link_vault_dataset(const struct kith_vault *v, const struct kith_linkcfg *cfg,
			    struct kith_dataset **out, size_t **case_of_record, struct kith_err *err)
{
	size_t n;
	const struct kith_record_view *cs = kith_vault_records(v, "case", &n);
	if (n == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "the vault has no cases");
	struct kith_linkcfg c = *cfg;
	memset(c.roles, 0, sizeof c.roles);
	c.n_fields = 0;
	c.n_ignore = 0;
	/* rules naming declared fields cannot apply to cases */
	struct kith_dataset *ds;
	int rc = kith_dataset_new(&ds, &c, err);
	if (rc)
		return rc;
	size_t *map = malloc(n * sizeof *map);
	if (!map) {
		kith_dataset_free(ds);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&cs[i]);
		if (!b) {
			rc = kith_err_set(err, KITH_E_NOMEM, cs[i].ref, "out of memory");
			break;
		}
		const json_t *p = json_object_get(b, "person");
		struct kith_dataset_input in;
		memset(&in, 0, sizeof in);
		in.id = cs[i].ref;
		in.source = json_str_at(json_object_get(b, "source"), "organization");
		in.n_names = kith_record_case_names(b, in.names, KITH_DATASET_MAX_NAMES);
		in.sex = json_str_at(p, "sex");
		in.birth = json_str_at(p, "birth");
		const json_t *age = json_object_get(p, "age_at_intake");
		const char *sdate = json_str_at(json_object_get(b, "source"), "date");
		if (!in.birth && json_is_integer(age) && sdate && strlen(sdate) >= 4) {
			in.age = (int)json_integer_value(age);
			in.age_in_year = atoi(sdate) > 0 ? (int)strtol(sdate, NULL, 10) : 0;
		}
		const json_t *origin = json_object_get(p, "origin");
		in.origin = json_str_at(origin, "province");
		if (in.origin && strcmp(in.origin, "unknown") == 0)
			in.origin = NULL;
		if (!in.origin)
			in.origin = json_str_at(origin, "place");
		struct kith_err e;
		rc = kith_dataset_add_record(ds, &in, &e);
		if (rc == KITH_E_INVALID ||
		    rc == KITH_E_LIMIT) { /* a name without letters: link without names */
			in.n_names = 0;
			rc = kith_dataset_add_record(ds, &in, &e);
		}
		json_decref(b);
		if (rc == KITH_E_INVALID || rc == KITH_E_LIMIT) { /* still unusable: leave it out */
			rc = KITH_OK;
			continue;
		}
		if (rc) {
			rc = kith_err_set(err, rc, cs[i].ref, "%s", e.msg);
			break;
		}
		map[m++] = i;
	}
	if (rc == KITH_OK)
		rc = kith_dataset_finish(ds, err);
	if (rc) {
		free(map);
		kith_dataset_free(ds);
		return rc;
	}
	*out = ds;
	*case_of_record = map;
	return KITH_OK;
}

/* --- links */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key of a set of case ids: the sorted ids concatenated. */
static int set_key(const char **ids, size_t n, struct kith_sbuf *out)
{
	qsort(ids, n, sizeof *ids, cmp_str);
	kith_sbuf_reset(out);
	for (size_t i = 0; i < n; i++)
		if (kith_sbuf_adds(out, ids[i]) || kith_sbuf_addc(out, ','))
			return KITH_E_NOMEM;
	return KITH_OK;
}

static const char *const statuses[] = {"proposed", "confirmed", "rejected", "undone"};

int kith_link_vault_propose(struct kith_vault *v, const struct kith_link_result *r,
			    const struct kith_dataset *ds, const size_t *case_of_record, const char *reviewer,
			    size_t *proposed, size_t *skipped, struct kith_err *err)
{
	struct cases c;
	int rc = KITH_OK;
	struct kith_uf parent = {0};
	size_t *first = NULL, *count = NULL;
	struct kith_hmap existing = KITH_HMAP_INIT;
	struct kith_sbuf key = KITH_SBUF_INIT;
	const char **ids = NULL;
	json_t *arr = NULL;
	struct kith_vault_batch *batch = NULL;
	size_t np = 0, ns = 0;
	if (cases_open(&c, v)) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	rc = confirmed_parents(v, &c, &parent, err);
	if (rc)
		goto out;
	/* existing links, by their set of cases */
	size_t nl;
	const struct kith_record_view *links = kith_vault_records(v, "link", &nl);
	ids = malloc(MAX_LINK_CASES * sizeof *ids);
	if (!ids) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nl; k++) {
		json_t *b = kith_record_view_json(&links[k]);
		if (!b) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto out;
		}
		const json_t *a = json_object_get(b, "cases");
		size_t m = 0;
		for (size_t i = 0; i < json_array_size(a) && m < MAX_LINK_CASES; i++)
			if (json_is_string(json_array_get(a, i)))
				ids[m++] = json_string_value(json_array_get(a, i));
		int bad = set_key(ids, m, &key) ||
			  !kith_hmap_upsert(&existing, kith_compare_hash(key.buf, key.len), 1);
		json_decref(b);
		if (bad) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto out;
		}
	}
	/* members of each person of the run */
	size_t n = r->n_records, nc = r->clusters.n_clusters;
	first = malloc((nc ? nc : 1) * sizeof *first);
	count = calloc(nc ? nc : 1, sizeof *count);
	size_t *next = malloc((n ? n : 1) * sizeof *next), *last = malloc((nc ? nc : 1) * sizeof *last);
	if (!first || !count || !next || !last) {
		free(next);
		free(last);
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = n; i-- > 0;) {
		size_t k = r->clusters.cluster[i];
		next[i] = count[k] ? first[k] : SIZE_MAX;
		first[k] = i;
		count[k]++;
	}
	free(last);
	rc = kith_vault_batch_begin(v, &batch, err);
	if (rc) {
		free(next);
		goto out;
	}
	for (size_t k = 0; k < nc && rc == KITH_OK; k++) {
		if (count[k] < 2)
			continue;
		size_t m = 0, root = SIZE_MAX;
		int one_person = 1;
		double score = 1.0;
		for (size_t i = first[k]; i != SIZE_MAX && m < MAX_LINK_CASES; i = next[i]) {
			size_t ci = case_of_record[i];
			ids[m++] = c.v[ci].id;
			size_t rt = kith_uf_find(&parent, ci);
			if (root == SIZE_MAX)
				root = rt;
			else if (rt != root)
				one_person = 0;
			if (r->clusters.prob[i] >= 0 && r->clusters.prob[i] < score)
				score = r->clusters.prob[i];
		}
		if (set_key(ids, m, &key)) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		if (one_person || kith_hmap_get(&existing, kith_compare_hash(key.buf, key.len))) {
			ns++;
			continue;
		}
		arr = json_array();
		for (size_t i = 0; arr && i < m; i++)
			if (json_array_append_new(arr, json_string(ids[i]))) {
				json_decref(arr);
				arr = NULL;
			}
		char reason[128];
		snprintf(reason, sizeof reason,
			 "kith link: %zu cases, weakest match probability %.4f (threshold %.2f)", m, score,
			 r->threshold);
		json_t *body = arr ? json_pack("{s:o,s:s,s:f,s:s,s:s,s:s}", "cases", arr, "status",
					       "proposed", "score", score, "method", "linkage", "reviewer",
					       reviewer ? reviewer : "kith link", "reason", reason)
				   : NULL;
		arr = NULL;
		if (!body) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		struct kith_vault_put_opts po = {.action = "propose"};
		rc = kith_vault_put(batch, "link", body, &po, NULL, NULL, err);
		json_decref(body);
		if (rc)
			break;
		if (!kith_hmap_upsert(&existing, kith_compare_hash(key.buf, key.len), 1)) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		np++;
	}
	free(next);
	if (rc == KITH_OK) {
		rc = kith_vault_batch_commit(batch, err);
		batch = NULL;
	}
	(void)ds;
out:
	kith_vault_batch_free(batch);
	free(ids);
	kith_uf_release(&parent);
	free(first);
	free(count);
	kith_hmap_release(&existing);
	kith_sbuf_release(&key);
	cases_close(&c);
	if (rc == KITH_OK) {
		if (proposed)
			*proposed = np;
		if (skipped)
			*skipped = ns;
	}
	return rc;
}

static json_t *case_brief(const struct cases *c, const char *id)
{
	long ci = case_of_id(c, id);
	if (ci < 0)
		return json_pack("{s:s,s:n,s:n}", "id", id, "ref", "name");
	json_t *b = kith_record_view_json(&c->v[ci]);
	const char *name = b ? json_str_at(json_object_get(b, "person"), "name") : NULL;
	json_t *o = json_pack("{s:s,s:s,s:s?}", "id", id, "ref", c->v[ci].ref, "name", name);
	json_decref(b);
	return o;
}

int kith_link_vault_links_json(struct kith_vault *v, const char *status, int explain,
			       const struct kith_linkcfg *cfg, json_t **out, struct kith_err *err)
{
	struct cases c;
	struct kith_dataset *ds = NULL;
	size_t *case_of_record = NULL, *rec_of_case = NULL;
	struct kith_link_result res;
	int have_res = 0, rc = KITH_OK;
	json_t *arr = json_array();
	if (!arr || cases_open(&c, v)) {
		json_decref(arr);
		cases_close(&c);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	size_t nl;
	const struct kith_record_view *links = kith_vault_records(v, "link", &nl);
	if (explain && nl && c.n > 1) {
		struct kith_linkcfg dflt;
		kith_linkcfg_init(&dflt);
		rc = kith_link_vault_dataset(v, cfg ? cfg : &dflt, &ds, &case_of_record, err);
		if (rc == KITH_OK)
			rc = kith_link_run(ds, NULL, &res, err);
		if (rc)
			goto out;
		have_res = 1;
		rec_of_case = malloc(c.n * sizeof *rec_of_case);
		if (!rec_of_case) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < c.n; i++)
			rec_of_case[i] = SIZE_MAX;
		for (size_t i = 0; i < kith_dataset_count(ds); i++)
			rec_of_case[case_of_record[i]] = i;
	}
	for (size_t k = 0; k < nl && rc == KITH_OK; k++) {
		json_t *b = kith_record_view_json(&links[k]);
		if (!b) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		const char *st = json_str_at(b, "status");
		if (status && (!st || strcmp(st, status) != 0)) {
			json_decref(b);
			continue;
		}
		json_t *o =
		    json_pack("{s:s,s:i,s:s?,s:O?,s:s?,s:s?,s:s?,s:I,s:s}", "id", links[k].id, "version",
			      (int)links[k].version, "status", st, "score", json_object_get(b, "score"),
			      "method", json_str_at(b, "method"), "reviewer", json_str_at(b, "reviewer"),
			      "reason", json_str_at(b, "reason"), "at", (json_int_t)links[k].at, "note",
			      links[k].note ? links[k].note : "");
		json_t *ca = json_array();
		const json_t *ids = json_object_get(b, "cases");
		int bad = !o || !ca;
		for (size_t i = 0; !bad && i < json_array_size(ids); i++) {
			const char *id = json_string_value(json_array_get(ids, i));
			if (id) /* an id that is not a string names no case: left out */
				bad = json_array_append_new(ca, case_brief(&c, id));
		}
		if (!bad && have_res) {
			json_t *ex = json_array();
			size_t pairs = 0;
			bad = !ex;
			for (size_t i = 0; !bad && i < json_array_size(ids); i++) {
				for (size_t j = i + 1;
				     !bad && j < json_array_size(ids) && pairs < MAX_EXPLAINED_PAIRS; j++) {
					long a = case_of_id(&c, json_string_value(json_array_get(ids, i)));
					long bb = case_of_id(&c, json_string_value(json_array_get(ids, j)));
					if (a < 0 || bb < 0 || rec_of_case[a] == SIZE_MAX ||
					    rec_of_case[bb] == SIZE_MAX)
						continue;
					json_t *e = NULL;
					rc = kith_link_explain(&res, ds, rec_of_case[a], rec_of_case[bb],
							       NULL, &e, err);
					bad = rc || json_array_append_new(ex, e);
					pairs++;
				}
			}
			if (bad)
				json_decref(ex);
			else
				bad = json_object_set_new(o, "explanations", ex);
		}
		if (!bad) {
			bad = json_object_set_new(o, "cases", ca);
			ca = NULL; /* stolen, even on failure */
		}
		if (!bad) {
			bad = json_array_append_new(arr, o);
			o = NULL;
		}
		json_decref(ca); /* case briefs: wiped when freed (kith_process_init) */
		json_decref(o);
		json_decref(b);
		if (bad && rc == KITH_OK)
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
out:
	if (have_res)
		kith_link_result_release(&res);
	kith_dataset_free(ds);
	free(case_of_record);
	free(rec_of_case);
	cases_close(&c);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return KITH_OK;
}

static int valid_hex_prefix(const char *s)
{
	size_t n = strlen(s);
	if (n < 6 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* The link whose id starts with prefix (6 to 32 hex digits, unique). */
static int find_link(struct kith_vault *v, const char *id_prefix, const struct kith_record_view **out,
		     struct kith_err *err)
{
	if (!valid_hex_prefix(id_prefix))
		return kith_err_set(err, KITH_E_INVALID, NULL, "a link id is 6 to 32 hex digits");
	size_t nl, plen = strlen(id_prefix);
	const struct kith_record_view *links = kith_vault_records(v, "link", &nl);
	const struct kith_record_view *hit = NULL;
	for (size_t k = 0; k < nl; k++) {
		if (strncasecmp(links[k].id, id_prefix, plen) != 0)
			continue;
		if (hit)
			return kith_err_set(err, KITH_E_INVALID, id_prefix,
					    "more than one link starts with these digits");
		hit = &links[k];
	}
	if (!hit)
		return kith_err_set(err, KITH_E_NOTFOUND, id_prefix, "no such link");
	*out = hit;
	return KITH_OK;
}

int kith_link_vault_history_json(struct kith_vault *v, const char *id_prefix, json_t **out,
				 struct kith_err *err)
{
	const struct kith_record_view *hit;
	int rc = find_link(v, id_prefix, &hit, err);
	if (rc)
		return rc;
	char id[KITH_VAULT_ID_HEX];
	snprintf(id, sizeof id, "%s", hit->id);
	struct kith_record_view *h = NULL;
	size_t n = 0;
	rc = kith_vault_history(v, id, &h, &n, err);
	if (rc && rc != KITH_E_CORRUPT)
		return rc;
	json_t *arr = json_array();
	int bad = !arr;
	for (size_t i = 0; !bad && i < n; i++) {
		json_t *b = kith_record_view_json(&h[i]);
		json_t *o = json_pack(
		    "{s:s,s:i,s:I,s:s,s:s,s:s,s:s?,s:s?,s:O?}", "id", id, "version", (int)h[i].version, "at",
		    (json_int_t)h[i].at, "device", h[i].device, "action", h[i].action, "note",
		    h[i].note ? h[i].note : "", "status", b ? json_str_at(b, "status") : NULL, "reviewer",
		    b ? json_str_at(b, "reviewer") : NULL, "cases", b ? json_object_get(b, "cases") : NULL);
		json_decref(b);
		bad = !o || json_array_append_new(arr, o);
	}
	kith_vault_history_free(h, n);
	if (bad) {
		json_decref(arr);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	*out = arr;
	return rc == KITH_E_CORRUPT
		   ? kith_err_set(err, KITH_E_CORRUPT, id, "a later version failed verification")
		   : KITH_OK;
}

int kith_link_vault_set_status(struct kith_vault *v, const char *id_prefix, const char *status,
			       const char *reviewer, const char *note, char id_out[KITH_VAULT_ID_HEX],
			       struct kith_err *err)
{
	if (kith_people_allow(v, KITH_PEOPLE_REVIEW, err)) /* people.h */
		return err ? err->status : KITH_E_DENIED;
	char rbuf[KITH_PEOPLE_NAME_MAX];
	reviewer = kith_people_reviewer(v, reviewer, rbuf, sizeof rbuf);
	int known = 0;
	for (size_t i = 1; i < 4; i++)
		known |= strcmp(status, statuses[i]) == 0;
	if (!known)
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "a link becomes confirmed, rejected or undone");
	const struct kith_record_view *hit;
	int frc = find_link(v, id_prefix, &hit, err);
	if (frc)
		return frc;
	json_t *b = kith_record_view_json(hit);
	if (!b)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	const char *cur = json_str_at(b, "status");
	cur = cur ? cur : "";
	int ok = 0;
	if (strcmp(status, "confirmed") == 0)
		ok = !strcmp(cur, "proposed") || !strcmp(cur, "rejected") || !strcmp(cur, "undone");
	else if (strcmp(status, "rejected") == 0)
		ok = !strcmp(cur, "proposed") || !strcmp(cur, "undone");
	else
		ok = !strcmp(cur, "proposed") || !strcmp(cur, "confirmed") || !strcmp(cur, "rejected");
	if (!ok) {
		int rc = kith_err_set(err, KITH_E_INVALID, hit->id, "the link is %s: it cannot become %s%s",
				      cur, status,
				      strcmp(status, "rejected") == 0 && strcmp(cur, "confirmed") == 0
					  ? " (undo a confirmed link instead)"
					  : "");
		json_decref(b);
		return rc;
	}
	char id[KITH_VAULT_ID_HEX];
	snprintf(id, sizeof id, "%s", hit->id);
	uint32_t version = hit->version;
	int rc =
	    json_object_set_new(b, "status", json_string(status)) ||
	    json_object_set_new(b, "reviewer", json_string(reviewer && *reviewer ? reviewer : "unknown"));
	if (rc) {
		json_decref(b);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	const char *action = strcmp(status, "confirmed") == 0  ? "confirm"
			     : strcmp(status, "rejected") == 0 ? "reject"
							       : "undo";
	struct kith_vault_put_opts po = {
	    .id = id, .action = action, .note = note && *note ? note : NULL, .expect_version = version};
	rc = kith_vault_put_alone(v, "link", b, &po, NULL, NULL, NULL, NULL, err);
	json_decref(b);
	if (rc == KITH_OK && id_out)
		memcpy(id_out, id, KITH_VAULT_ID_HEX);
	return rc;
}

int kith_link_vault_merge(struct kith_vault *v, const char *ref1, const char *ref2, const char *reviewer,
			  const char *note, char id_out[KITH_VAULT_ID_HEX], struct kith_err *err)
{
	if (kith_people_allow(v, KITH_PEOPLE_REVIEW, err)) /* people.h */
		return err ? err->status : KITH_E_DENIED;
	char rbuf[KITH_PEOPLE_NAME_MAX];
	reviewer = kith_people_reviewer(v, reviewer, rbuf, sizeof rbuf);
	const struct kith_record_view *a = kith_vault_find(v, "case", ref1),
				      *b = kith_vault_find(v, "case", ref2);
	if (!a)
		return kith_err_set(err, KITH_E_NOTFOUND, ref1, "no case with this ref");
	if (!b)
		return kith_err_set(err, KITH_E_NOTFOUND, ref2, "no case with this ref");
	if (strcmp(a->id, b->id) == 0)
		return kith_err_set(err, KITH_E_INVALID, ref1, "a case cannot be merged with itself");
	char ida[KITH_VAULT_ID_HEX], idb[KITH_VAULT_ID_HEX];
	snprintf(ida, sizeof ida, "%s", a->id);
	snprintf(idb, sizeof idb, "%s", b->id);
	size_t *person = NULL, n = 0;
	int rc = kith_link_vault_persons(v, &person, &n, err);
	if (rc)
		return rc;
	int same = person[a->index] == person[b->index];
	free(person);
	if (same)
		return kith_err_set(err, KITH_E_EXISTS, ref1, "the two cases are already one person");
	unsigned long failed = kith_json_alloc_failures(); /* json_pack may drop a member */
	json_t *body = json_pack("{s:[s,s],s:s,s:s,s:s,s:s*}", "cases", ida, idb, "status", "confirmed",
				 "method", "manual", "reviewer", reviewer && *reviewer ? reviewer : "unknown",
				 "reason", note && *note ? note : NULL);
	if (body && kith_json_alloc_failures() != failed) {
		json_decref(body);
		body = NULL;
	}
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	struct kith_vault_put_opts po = {.action = "merge", .note = note && *note ? note : NULL};
	rc = kith_vault_put_alone(v, "link", body, &po, NULL, id_out, NULL, NULL, err);
	json_decref(body);
	return rc;
}

json_t *kith_link_vault_persons_json(struct kith_vault *v, struct kith_err *err)
{
	size_t *person = NULL, n = 0;
	if (kith_link_vault_persons(v, &person, &n, err))
		return NULL;
	struct cases c;
	if (cases_open(&c, v)) {
		free(person);
		cases_close(&c);
		kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		return NULL;
	}
	size_t np = 0;
	for (size_t i = 0; i < n; i++)
		if (person[i] + 1 > np)
			np = person[i] + 1;
	size_t *count = calloc(np ? np : 1, sizeof *count);
	json_t *arr = json_array();
	json_t **items = calloc(np ? np : 1, sizeof *items);
	int bad = !count || !arr || !items;
	for (size_t i = 0; !bad && i < n; i++)
		count[person[i]]++;
	for (size_t i = 0; !bad && i < n; i++) {
		size_t p = person[i];
		if (count[p] < 2)
			continue;
		if (!items[p]) {
			items[p] =
			    json_pack("{s:I,s:[],s:[]}", "person", (json_int_t)p + 1, "cases", "links");
			if (!items[p] || json_array_append_new(arr, items[p])) {
				bad = 1;
				break;
			}
		}
		bad = json_array_append_new(json_object_get(items[p], "cases"), case_brief(&c, c.v[i].id));
	}
	/* the confirmed links that make each person */
	size_t nl;
	const struct kith_record_view *links = kith_vault_records(v, "link", &nl);
	for (size_t k = 0; !bad && k < nl; k++) {
		json_t *b = kith_record_view_json(&links[k]);
		if (!b) {
			bad = 1;
			break;
		}
		const char *st = json_str_at(b, "status");
		const json_t *ids = json_object_get(b, "cases");
		long ci =
		    json_array_size(ids) ? case_of_id(&c, json_string_value(json_array_get(ids, 0))) : -1;
		if (st && strcmp(st, "confirmed") == 0 && ci >= 0 && items[person[ci]])
			bad = json_array_append_new(json_object_get(items[person[ci]], "links"),
						    json_string(links[k].id));
		json_decref(b);
	}
	free(count);
	free(items);
	free(person);
	cases_close(&c);
	if (bad) {
		json_decref(arr);
		kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		return NULL;
	}
	return arr;
}

int kith_link_vault_propose_refs(struct kith_vault *v, const char *const *refs, size_t n, const char *reason,
				 const char *reviewer, char id_out[KITH_VAULT_ID_HEX], struct kith_err *err)
{
	if (n < 2 || n > KITH_LINK_VAULT_MANUAL_MAX)
		return kith_err_set(err, KITH_E_INVALID, "refs", "give the case numbers of 2 to %d cases",
				    KITH_LINK_VAULT_MANUAL_MAX);
	json_t *ids = json_array();
	json_t *body = json_pack("{s:o, s:s, s:s}", "cases", ids, "status", "proposed", "method", "manual");
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	int rc = KITH_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		char where[32];
		snprintf(where, sizeof where, "refs[%zu]", i);
		const struct kith_record_view *c = refs[i] ? kith_vault_find(v, "case", refs[i]) : NULL;
		if (!c) {
			rc = kith_err_set(err, KITH_E_NOTFOUND, where, "no case with this number");
			break;
		}
		for (size_t k = 0; k < json_array_size(ids); k++)
			if (!strcmp(json_string_value(json_array_get(ids, k)), c->id))
				rc = kith_err_set(err, KITH_E_INVALID, where,
						  "a case cannot be linked to itself");
		if (!rc && json_array_append_new(ids, json_string(c->id)))
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	if (!rc && reason && *reason && json_object_set_new(body, "reason", json_string(reason)))
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	if (!rc && reviewer && *reviewer && json_object_set_new(body, "reviewer", json_string(reviewer)))
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	struct kith_vault_put_opts po = {.action = "create"};
	if (!rc)
		rc = kith_vault_put_alone(v, "link", body, &po, NULL, id_out, NULL, NULL, err);
	json_decref(body);
	return rc;
}
