/*
 * api_drafts — routes for drafts, activity and the key status (see
 * api_drafts.h): thin skins over casework/drafts.h and casework/keystatus.h.
 */
#include "web/api_drafts.h"

#include <string.h>

#include "casework/drafts.h"
#include "casework/keystatus.h"

int kith_web_api_drafts_route(const char *path)
{
	return path && (!strcmp(path, "/drafts") || !strcmp(path, "/drafts/discard") ||
			!strcmp(path, "/keystatus") || !strcmp(path, "/activity"));
}

static int method(struct kith_web_response *resp)
{
	return kith_web_api_error(resp, 405, KITH_E_INVALID, "method", "method not allowed here", NULL);
}

/* The request's JSON object, or NULL with resp set to the error. */
static int get_drafts(struct kith_vault *v, const struct kith_web_request *req,
		      struct kith_web_response *resp)
{
	const char *form = req->query ? req->query(req->query_cls, "form") : NULL;
	json_t *list = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_drafts_list(v, form != NULL, &list, &err))
		return kith_web_api_fail(resp, &err);
	if (!form)
		return kith_web_api_reply(resp, json_pack("{s:o}", "items", list));
	size_t i;
	json_t *d;
	json_array_foreach(list, i, d)
	{
		if (!strcmp(json_string_value(json_object_get(d, "form")), form)) {
			int rc = kith_web_api_json(resp, d);
			json_decref(list);
			return rc;
		}
	}
	json_decref(list);
	return kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "not_found", "no draft for this form", "form");
}

int kith_web_api_drafts_handle(struct kith_vault *v, const struct kith_web_request *req,
			       struct kith_web_response *resp)
{
	const char *p = req->path;
	int get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
	int post = !strcmp(req->method, "POST");
	struct kith_err err;
	kith_err_clear(&err);
	if (!strcmp(p, "/keystatus")) {
		if (!get)
			return method(resp);
		struct kith_keystatus ks;
		kith_keystatus_get(v, &ks);
		return kith_web_api_reply(resp, json_pack("{s:b, s:b, s:I, s:I, s:s}", "holds_org_key",
							  ks.holds_org_key, "backed_up", ks.backed_up,
							  "last_backup_at", (json_int_t)ks.last_backup_at,
							  "backups", (json_int_t)ks.backups, "panic_effect",
							  ks.panic_effect));
	}
	if (!strcmp(p, "/activity")) {
		if (!post)
			return method(resp);
		return kith_web_api_reply(resp, json_pack("{s:b}", "ok", 1));
	}
	if (!strcmp(p, "/drafts") && get)
		return get_drafts(v, req, resp);
	if (!post)
		return method(resp);
	json_t *j = kith_web_api_body_object(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const json_t *form = json_object_get(j, "form"), *data = json_object_get(j, "data");
	const json_t *title = json_object_get(j, "title");
	int rc;
	if (!json_is_string(form)) {
		rc = kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "give the form's key", "form");
	} else if (!strcmp(p, "/drafts/discard")) {
		rc = kith_drafts_discard(v, json_string_value(form), &err);
		rc = rc ? kith_web_api_fail(resp, &err)
			: kith_web_api_reply(resp, json_pack("{s:b}", "ok", 1));
	} else if (!json_is_string(data) || (title && !json_is_string(title))) {
		rc = kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid",
					"give the draft's data (JSON text) and title as strings", "data");
	} else {
		rc = kith_drafts_save(v, json_string_value(form), json_string_value(title),
				      json_string_value(data), &err);
		rc = rc ? kith_web_api_fail(resp, &err)
			: kith_web_api_reply(resp, json_pack("{s:b}", "ok", 1));
	}
	json_decref(j);
	return rc;
}
