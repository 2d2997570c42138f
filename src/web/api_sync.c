/*
 * api_sync — devices, bundles and conflicts over the web (api_sync.h).
 */
#include "web/api_sync.h"

#include <string.h>
#include <time.h>

#include "casework/conflicts.h"
#include "casework/devices.h"
#include "casework/keystatus.h"

#define MAX_REFS 1000
#define MAX_TAKES 64

int kith_web_api_sync_route(const char *path)
{
	if (!path)
		return 0;
	if (!strcmp(path, "/sync") || !strcmp(path, "/sync/conflict"))
		return 1;
	if (!strcmp(path, "/sync/resolve") || !strcmp(path, "/sync/export") || !strcmp(path, "/sync/import"))
		return 2;
	return 0;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int get_sync(struct kith_vault *v, struct kith_web_response *resp)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_keystatus ks;
	kith_keystatus_get(v, &ks);
	struct kith_device_info *d = NULL;
	size_t nd = 0;
	json_t *conf = NULL;
	if (kith_devices_list(v, &d, &nd, &err) || kith_conflicts_list(v, &conf, &err)) {
		free(d);
		return kith_web_api_fail(resp, &err);
	}
	/* A field vault knows devices by key only: no name (null, not ""), this
	 * device marked, and whether each revocation headquarters carried verifies. */
	int field = kith_devices_is_field(v);
	json_t *devs = json_array();
	for (size_t i = 0; devs && i < nd; i++)
		json_array_append_new(
		    devs, json_pack("{s:o, s:s, s:I, s:I, s:b, s:b}", "name",
				    d[i].name && *d[i].name ? json_string(d[i].name) : json_null(),
				    "device_id", d[i].device_id, "added", (json_int_t)d[i].added,
				    "revoked_at", (json_int_t)d[i].revoked_at, "revocation_valid",
				    d[i].revocation_valid, "this_device", d[i].this_device));
	free(d);
	return kith_web_api_reply(resp,
				  devs ? json_pack("{s:b, s:b, s:o, s:o}", "holds_org_key", ks.holds_org_key,
						   "field", field, "devices", devs, "conflicts", conf)
				       : NULL);
}

static int post_export(struct kith_vault *v, const struct kith_web_request *req,
		       struct kith_web_response *resp)
{
	json_t *j = kith_web_api_body_object(req, resp);
	if (!j)
		return KITH_E_INVALID;
	static const char *const none[1] = {NULL};
	const char *refs[MAX_REFS];
	struct kith_conflicts_export_opts o = {.refs = refs};
	const char *to = str(j, "to");
	o.to = to && *to ? to : NULL;
	o.kind = str(j, "kind") && *str(j, "kind") ? str(j, "kind") : NULL;
	o.since = str(j, "since") && *str(j, "since") ? str(j, "since") : NULL;
	o.all = json_is_true(json_object_get(j, "all"));
	json_t *ra = json_object_get(j, "refs");
	size_t i;
	json_t *r;
	json_array_foreach(ra, i, r)
	{
		if (!json_is_string(r) || o.nrefs == MAX_REFS) {
			json_decref(j);
			return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid",
						  "refs: up to 1000 refs", "refs");
		}
		refs[o.nrefs++] = json_string_value(r);
	}
	if (!o.nrefs)
		o.refs = none;
	struct kith_err err;
	kith_err_clear(&err);
	kith_sbuf_reset(&resp->body);
	struct kith_bundle_sent sent;
	int rc = kith_conflicts_export(v, &o, (int64_t)time(NULL), &resp->body, &sent, &err);
	if (!rc)
		rc = kith_bundle_mark_sent(v, &sent, &err);
	json_decref(j);
	if (rc) {
		kith_bundle_sent_release(&sent);
		kith_sbuf_reset(&resp->body);
		return kith_web_api_fail(resp, &err);
	}
	resp->http = 200;
	resp->content_type = "application/octet-stream";
	char hex[33];
	for (int k = 0; k < 16; k++)
		snprintf(hex + 2 * k, 3, "%02x", sent.id[k]);
	snprintf(resp->filename, sizeof resp->filename, "kith-%s.kithbundle", hex);
	kith_bundle_sent_release(&sent);
	return KITH_OK;
}

static int post_import(struct kith_vault *v, const struct kith_web_request *req,
		       struct kith_web_response *resp)
{
	if (!req->body || !req->body_len)
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "send the bundle's bytes",
					  NULL);
	struct kith_bundle_result res;
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_devices_import_bundle(v, req->body, req->body_len, &res, &err))
		return kith_web_api_fail(resp, &err);
	/* the index now, under this exclusive request, not in a later shared one */
	if (kith_vault_refresh(v, &err))
		return kith_web_api_fail(resp, &err);
	return kith_web_api_reply(resp,
				  json_pack("{s:s, s:s, s:I, s:I, s:I}", "bundle", res.bundle, "device",
					    res.device, "added", (json_int_t)res.added, "skipped",
					    (json_int_t)res.skipped, "conflicts", (json_int_t)res.conflicts));
}

static int post_resolve(struct kith_vault *v, const struct kith_web_request *req,
			struct kith_web_response *resp)
{
	json_t *j = kith_web_api_body_object(req, resp);
	if (!j)
		return KITH_E_INVALID;
	char buf[MAX_TAKES][128];
	const char *takes[MAX_TAKES];
	size_t n = 0;
	const char *field;
	json_t *side;
	json_object_foreach(json_object_get(j, "take"), field, side)
	{
		if (n == MAX_TAKES || !json_is_string(side) ||
		    (size_t)snprintf(buf[n], sizeof buf[n], "%s=%s", field, json_string_value(side)) >=
			sizeof buf[n]) {
			json_decref(j);
			return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "take: {FIELD: SIDE}",
						  "take");
		}
		takes[n] = buf[n];
		n++;
	}
	const char *ref = str(j, "ref"), *kind = str(j, "kind"), *all = str(j, "all");
	struct kith_err err;
	kith_err_clear(&err);
	uint32_t version = 0;
	int rc = ref ? kith_conflicts_resolve(v, kind && *kind ? kind : "case", ref, takes, n,
					      all && *all ? all : NULL, &version, &err)
		     : kith_err_set(&err, KITH_E_INVALID, "ref", "which record?");
	json_t *out = rc ? NULL : json_pack("{s:s, s:i}", "ref", ref, "version", (int)version);
	json_decref(j);
	if (rc)
		return kith_web_api_fail(resp, &err);
	return kith_web_api_reply(resp, out);
}

int kith_web_api_sync_handle(struct kith_vault *v, const struct kith_web_request *req,
			     struct kith_web_response *resp)
{
	const char *p = req->path;
	int kind = kith_web_api_sync_route(p);
	int get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
	int post = !strcmp(req->method, "POST");
	if ((kind == 1 && !get) || (kind == 2 && !post))
		return kith_web_api_error(resp, 405, KITH_E_INVALID, "method", "method not allowed here",
					  NULL);
	if (!strcmp(p, "/sync"))
		return get_sync(v, resp);
	if (!strcmp(p, "/sync/conflict")) {
		const char *ref = req->query ? req->query(req->query_cls, "ref") : NULL;
		const char *k = req->query ? req->query(req->query_cls, "kind") : NULL;
		struct kith_err err;
		kith_err_clear(&err);
		json_t *c = NULL;
		if (!ref)
			return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "which record?",
						  "ref");
		if (kith_conflicts_get(v, k && *k ? k : "case", ref, &c, &err))
			return kith_web_api_fail(resp, &err);
		return kith_web_api_reply(resp, c);
	}
	if (!strcmp(p, "/sync/export"))
		return post_export(v, req, resp);
	if (!strcmp(p, "/sync/import"))
		return post_import(v, req, resp);
	return post_resolve(v, req, resp);
}
