/*
 * api_centre — the routes of the case at the centre: see api_centre.h.
 */
#include "web/api_centre.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/sameperson.h"
#include "casework/trace.h"
#include "casework/tracelist.h"
#include "casework/workflow.h"

#define REFERRAL_FIELDS_MAX 32

static const struct {
	const char *path;
	int kind; /* 1 GET, 2 POST */
} routes[] = {
    {"/person", 1},	     {"/due", 1},      {"/assignees", 1},  {"/assign", 2},
    {"/referral/fields", 1}, {"/referral", 2}, {"/trace/edit", 2}, {"/trace/close", 2},
};

int kith_web_centre_route(const char *path)
{
	for (size_t i = 0; path && i < sizeof routes / sizeof routes[0]; i++)
		if (!strcmp(routes[i].path, path))
			return routes[i].kind;
	return 0;
}

static const char *q(const struct kith_web_request *req, const char *key)
{
	const char *s = req->query ? req->query(req->query_cls, key) : NULL;
	return s && *s ? s : NULL;
}

static int bad(struct kith_web_response *resp, const char *field, const char *msg)
{
	return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", msg, field);
}

/* A library error; a stale expect_version is 409 "stale" as /edit answers it. */
static int fail(struct kith_web_response *resp, const struct kith_err *err)
{
	if (err->status == KITH_E_EXISTS && !strcmp(err->where, "version"))
		return kith_web_api_error(resp, 409, KITH_E_EXISTS, "stale",
					  "the record was changed since this page was loaded: reload it",
					  "expect_version");
	return kith_web_api_fail(resp, err);
}

static json_t *parse_body(const struct kith_web_request *req, struct kith_web_response *resp)
{
	if (!req->body || !req->body_len) {
		bad(resp, NULL, "empty request body: a JSON object is expected");
		return NULL;
	}
	json_error_t je;
	unsigned long failed = kith_json_alloc_failures();
	json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (kith_json_alloc_failures() != failed) {
		json_decref(j);
		kith_web_api_error(resp, 500, KITH_E_NOMEM, "internal", "out of memory", NULL);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		kith_web_api_error(resp, 400, KITH_E_INVALID, "bad_json", "a JSON object is expected", NULL);
		return NULL;
	}
	return j;
}

/* A member that must be a string or null/absent: 0, or -1 (answered). */
static int opt_str(const json_t *j, const char *key, const char **out, struct kith_web_response *resp)
{
	const json_t *x = json_object_get(j, key);
	*out = NULL;
	if (!x || json_is_null(x))
		return 0;
	if (!json_is_string(x)) {
		bad(resp, key, "must be a string");
		return -1;
	}
	*out = json_string_value(x);
	return 0;
}

/* expect_version: absent 0; else a positive integer. 0, or -1 (answered). */
static int opt_version(const json_t *j, uint32_t *out, struct kith_web_response *resp)
{
	const json_t *x = json_object_get(j, "expect_version");
	*out = 0;
	if (!x || json_is_null(x))
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > UINT32_MAX) {
		bad(resp, "expect_version", "must be a version number");
		return -1;
	}
	*out = (uint32_t)json_integer_value(x);
	return 0;
}

/*
 * The answer to a committed write: j (consumed), or, when j is NULL or cannot
 * be encoded, {"committed":true,"id":ID|null} in the room kith_web_api_handle
 * reserved before the write (api.c's committed(): never a 500 after a write,
 * which a client would send again). KITH_OK.
 */
static int committed(struct kith_web_response *resp, json_t *j, const char *id)
{
	int rc = j ? kith_web_api_json(resp, j) : KITH_E_NOMEM;
	json_decref(j);
	resp->http = 200;
	resp->content_type = "application/json";
	resp->filename[0] = '\0';
	if (rc == KITH_OK)
		return KITH_OK;
	char min[128];
	snprintf(min, sizeof min, "{\"committed\":true,\"id\":%s%s%s}", id ? "\"" : "", id ? id : "null",
		 id ? "\"" : "");
	kith_sbuf_reset(&resp->body);
	if (kith_sbuf_adds(&resp->body, min)) /* fits the reserve */
		resp->body.len = 0;
	return KITH_OK;
}

static int written(struct kith_vault *v, const char *kind, const char *ref, struct kith_web_response *resp)
{
	const struct kith_record_view *r = kith_vault_find(v, kind, ref);
	if (!r)
		return committed(resp, NULL, NULL);
	return committed(resp,
			 json_pack("{s:s, s:s, s:i}", "id", r->id, "ref", r->ref ? r->ref : "", "version",
				   (int)r->version),
			 r->id);
}

static int r_assign(struct kith_vault *v, const struct kith_web_request *req, struct kith_web_response *resp)
{
	char dev[KITH_VAULT_DEVICE_HEX];
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const char *ref, *as, *fu;
	uint32_t ev;
	int rc = KITH_E_INVALID;
	if (opt_str(j, "ref", &ref, resp) || opt_str(j, "assigned", &as, resp) ||
	    opt_str(j, "follow_up", &fu, resp) || opt_version(j, &ev, resp))
		goto out;
	if (!ref || !*ref) {
		rc = bad(resp, "ref", "give the case's ref");
		goto out;
	}
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_workflow_assign wa = {
	    .assigned = as, .follow_up = fu, .by = kith_web_api_who(v, req, dev)};
	rc = kith_workflow_assign(v, ref, &wa, ev, &err);
	rc = rc ? fail(resp, &err) : written(v, "case", ref, resp);
out:
	json_decref(j);
	return rc;
}

static int r_referral(struct kith_vault *v, const struct kith_web_request *req,
		      struct kith_web_response *resp)
{
	char dev[KITH_VAULT_DEVICE_HEX];
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const char *ref, *partner, *date, *fields[REFERRAL_FIELDS_MAX];
	int rc = KITH_E_INVALID;
	if (opt_str(j, "ref", &ref, resp) || opt_str(j, "partner", &partner, resp) ||
	    opt_str(j, "date", &date, resp))
		goto out;
	const json_t *fa = json_object_get(j, "fields");
	if (!ref || !*ref) {
		rc = bad(resp, "ref", "give the case's ref");
		goto out;
	}
	if (!json_is_array(fa) || json_array_size(fa) > REFERRAL_FIELDS_MAX) {
		rc = bad(resp, "fields", "fields must be a list of field names");
		goto out;
	}
	size_t n = json_array_size(fa);
	for (size_t i = 0; i < n; i++)
		if (!(fields[i] = json_string_value(json_array_get(fa, i)))) {
			rc = bad(resp, "fields", "fields must be a list of field names");
			goto out;
		}
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_workflow_referral r = {.partner = partner,
					   .fields = fields,
					   .n_fields = n,
					   .by = kith_web_api_who(v, req, dev),
					   .date = date};
	json_t *sheet = NULL;
	rc = kith_workflow_referral(v, ref, &r, &sheet, &err);
	if (rc) {
		rc = fail(resp, &err);
	} else {
		const struct kith_record_view *cv = kith_vault_find(v, "case", ref);
		rc = committed(resp, sheet, cv ? cv->id : NULL);
	}
out:
	json_decref(j);
	return rc;
}

static int r_trace_edit(struct kith_vault *v, const struct kith_web_request *req,
			struct kith_web_response *resp)
{
	char dev[KITH_VAULT_DEVICE_HEX];
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const char *ref;
	uint32_t ev;
	int rc = KITH_E_INVALID;
	if (opt_str(j, "ref", &ref, resp) || opt_version(j, &ev, resp))
		goto out;
	const json_t *body = json_object_get(j, "body");
	if (!ref || !*ref) {
		rc = bad(resp, "ref", "give the request's ref");
		goto out;
	}
	if (!json_is_object(body)) {
		rc = bad(resp, "body", "the request is missing: give {\"body\": {...}}");
		goto out;
	}
	struct kith_err err;
	kith_err_clear(&err);
	rc = kith_tracelist_edit(v, ref, body, ev, kith_web_api_who(v, req, dev), &err);
	rc = rc ? fail(resp, &err) : written(v, "trace", ref, resp);
out:
	json_decref(j);
	return rc;
}

static int r_trace_close(struct kith_vault *v, const struct kith_web_request *req,
			 struct kith_web_response *resp)
{
	char dev[KITH_VAULT_DEVICE_HEX];
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const char *ref, *note;
	int rc = KITH_E_INVALID;
	if (opt_str(j, "ref", &ref, resp) || opt_str(j, "note", &note, resp))
		goto out;
	const json_t *ro = json_object_get(j, "reopen");
	if (!ref || !*ref) {
		rc = bad(resp, "ref", "give the request's ref");
		goto out;
	}
	if (ro && !json_is_boolean(ro)) {
		rc = bad(resp, "reopen", "must be true or false");
		goto out;
	}
	struct kith_err err;
	kith_err_clear(&err);
	rc = kith_trace_close(v, ref, json_is_true(ro), kith_web_api_who(v, req, dev),
			      note && *note ? note : NULL, &err);
	if (rc == KITH_E_INVALID && !strcmp(err.where, "ref"))
		rc = kith_web_api_error(resp, 409, KITH_E_INVALID, "transition", err.msg, "ref");
	else
		rc = rc ? fail(resp, &err) : written(v, "trace", ref, resp);
out:
	json_decref(j);
	return rc;
}

int kith_web_centre_handle(struct kith_vault *v, const struct kith_web_request *req,
			   struct kith_web_response *resp)
{
	const char *p = req->path;
	struct kith_err err;
	kith_err_clear(&err);
	if (!strcmp(p, "/person")) {
		json_t *o = NULL;
		if (!q(req, "ref"))
			return bad(resp, "ref", "give the case's ref");
		int rc = kith_sameperson_of(v, q(req, "ref"), &o, &err);
		return rc ? kith_web_api_fail(resp, &err) : kith_web_api_reply(resp, o);
	}
	if (!strcmp(p, "/due")) {
		json_t *o = NULL;
		int rc = kith_workflow_due(v, q(req, "today"), q(req, "assigned"), &o, &err);
		return rc ? kith_web_api_fail(resp, &err) : kith_web_api_reply(resp, o);
	}
	if (!strcmp(p, "/assignees"))
		return kith_web_api_reply(resp, json_pack("{s:o?}", "items", kith_workflow_assignees(v)));
	if (!strcmp(p, "/referral/fields"))
		return kith_web_api_reply(resp,
					  json_pack("{s:o?}", "items", kith_workflow_referral_fields()));
	if (!strcmp(p, "/assign"))
		return r_assign(v, req, resp);
	if (!strcmp(p, "/referral"))
		return r_referral(v, req, resp);
	if (!strcmp(p, "/trace/edit"))
		return r_trace_edit(v, req, resp);
	if (!strcmp(p, "/trace/close"))
		return r_trace_close(v, req, resp);
	return kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "no_route", "no such API route", NULL);
}

static int score_of(const char *s, double *out)
{
	if (!s || !*s)
		return 0;
	char *end;
	double d = strtod(s, &end);
	if (*end || !(d >= 0 && d <= 1))
		return -1;
	*out = d;
	return 0;
}

int kith_web_review_query(const char *(*query)(void *cls, const char *key), void *cls,
			  struct kith_review_query *rq)
{
	*rq = (struct kith_review_query){0};
	if (!query)
		return 0;
	if (score_of(query(cls, "min_score"), &rq->min_score) ||
	    score_of(query(cls, "max_score"), &rq->max_score))
		return -1;
	rq->text = query(cls, "q");
	return 0;
}
