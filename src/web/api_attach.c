/*
 * api_attach — the attachment routes (api_attach.h): thin skins over
 * casework/attach.h.
 */
#include "web/api_attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/attach.h"
#include "casework/exchange.h"
#include "vault/vault.h"

static const char *q(const struct kith_web_request *req, const char *key)
{
	return req->query ? req->query(req->query_cls, key) : NULL;
}

int kith_web_attach_route(const char *path)
{
	return path && (!strcmp(path, "/attachments") || !strcmp(path, "/attach") ||
			!strcmp(path, "/attachment") || !strcmp(path, "/attachment/history") ||
			!strcmp(path, "/attachment/remove") || !strcmp(path, "/attachments/history") ||
			!strcmp(path, "/attachment/purge") || !strcmp(path, "/attachments/export") ||
			!strcmp(path, "/attachments/export/plan") || !strcmp(path, "/exports"));
}

/* An error of the attachment routes: the codes the page translates. */
static int fail(struct kith_web_response *resp, const struct kith_err *err)
{
	if (err->status == KITH_E_LIMIT)
		return kith_web_api_error(resp, 413, err->status, "too_large", err->msg, "file");
	if (err->status == KITH_E_INVALID && !strcmp(err->where, "photo"))
		return kith_web_api_error(resp, 400, err->status, "photo", err->msg, "file");
	if (err->status == KITH_E_CONSENT)
		return kith_web_api_error(resp, 403, err->status, "consent", err->msg, "consent");
	return kith_web_api_fail(resp, err);
}

static int items_reply(struct kith_web_response *resp, const char *key, struct kith_attach_item *items,
		       size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, kith_attach_item_json(&items[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	free(items);
	if (!arr)
		return kith_web_api_reply(resp, NULL);
	return kith_web_api_reply(
	    resp, json_pack("{s:o, s:I}", key, arr, "max_bytes", (json_int_t)KITH_ATTACH_MAX_BYTES));
}

/* ------------------------------------------------------------ download stream */

struct dl {
	struct kith_web_api *a;
	struct kith_vault *v; /* the vault it was opened on */
	struct kith_attach_reader *r;
	const uint8_t *p; /* the rest of the current piece */
	size_t n;
};

static long dl_read(void *cls, char *buf, size_t max)
{
	struct dl *d = cls;
	if (kith_web_api_vault(d->a) != d->v)
		return -1; /* locked (or locked and opened again) meanwhile */
	if (!d->n) {
		struct kith_err err;
		kith_err_clear(&err);
		int k = kith_attach_next(d->r, d->v, &d->p, &d->n, &err);
		if (k <= 0)
			return k == 0 ? 0 : -1;
	}
	size_t m = d->n < max ? d->n : max;
	if (m > (size_t)0x7fffffff)
		m = 0x7fffffff;
	memcpy(buf, d->p, m);
	d->p += m;
	d->n -= m;
	return (long)m;
}

static void dl_free(void *cls)
{
	struct dl *d = cls;
	if (!d)
		return;
	kith_attach_reader_free(d->r);
	free(d);
}

static int r_get(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	const char *id = q(req, "id"), *ver = q(req, "version"), *dlq = q(req, "download");
	unsigned long version = 0;
	if (ver && *ver) {
		char *end;
		version = strtoul(ver, &end, 10);
		if (*end || version < 1 || version > 0xFFFFFFFFul)
			return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "a version number",
						  "version");
	}
	struct kith_vault *v = kith_web_api_vault(a);
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_item it;
	struct dl *d = calloc(1, sizeof *d);
	if (!d)
		return kith_web_api_error(resp, 500, KITH_E_NOMEM, "internal", "out of memory", NULL);
	/* a photo is viewed inline inside the organization; anything else is a
	 * download: the bytes leave the vault, so the consent rule holds */
	int download = dlq && !strcmp(dlq, "1");
	int rc = kith_attach_open(v, id, (uint32_t)version, download ? "sharing" : NULL, &d->r, &it, &err);
	if (!rc && !download && !it.photo) {
		kith_attach_reader_free(d->r);
		d->r = NULL;
		download = 1;
		rc = kith_attach_open(v, id, (uint32_t)version, "sharing", &d->r, &it, &err);
	}
	if (!rc) { /* the first piece now, so that a damaged attachment is an error, not a cut */
		int k = kith_attach_next(d->r, v, &d->p, &d->n, &err);
		rc = k < 0 ? k : KITH_OK;
	}
	if (rc) {
		dl_free(d);
		return fail(resp, &err);
	}
	d->a = a;
	d->v = v;
	resp->http = 200;
	resp->content_type = it.photo && !download
				 ? (strcmp(it.type, "image/png") ? "image/jpeg" : "image/png")
				 : "application/octet-stream";
	if (download) {
		const char *dot = strrchr(it.name, '.');
		char ext[12] = "";
		if (dot && strlen(dot) < sizeof ext) {
			int ok = 1;
			for (const char *c = dot + 1; *c; c++)
				ok &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				      (*c >= '0' && *c <= '9');
			if (ok)
				snprintf(ext, sizeof ext, "%s", dot);
		}
		snprintf(resp->filename, sizeof resp->filename, "attachment-%.8s%s", it.id, ext);
	}
	resp->stream = dl_read;
	resp->stream_free = dl_free;
	resp->stream_cls = d;
	return KITH_OK;
}

static int r_add(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	if (!req->upload)
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "no file", "file");
	if (req->upload_rc)
		return fail(resp, req->upload_err);
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_add_opts o = {
	    .name = q(req, "name"), .type = q(req, "type"), .note = q(req, "note")};
	char id[KITH_VAULT_ID_HEX];
	int rc = kith_attach_commit(kith_web_api_vault(a), q(req, "case"), req->upload, &o, id, &err);
	if (rc)
		return fail(resp, &err);
	return kith_web_api_reply(resp, json_pack("{s:s}", "id", id));
}

static int r_remove(struct kith_web_api *a, const struct kith_web_request *req,
		    struct kith_web_response *resp)
{
	json_error_t jerr;
	json_t *j = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *note = json_string_value(json_object_get(j, "note"));
	if (!id) {
		json_decref(j);
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "give the attachment's id",
					  "id");
	}
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_attach_remove(kith_web_api_vault(a), id, note, &err);
	json_decref(j);
	if (rc)
		return fail(resp, &err);
	return kith_web_api_reply(resp, json_pack("{s:b}", "ok", 1));
}

/* POST /attachment/purge {"id", "note", "confirm"}: confirm is the case
 * number the person typed (casework checks it). */
static int r_purge(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	json_error_t jerr;
	json_t *j = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *note = json_string_value(json_object_get(j, "note"));
	const char *confirm = json_string_value(json_object_get(j, "confirm"));
	if (!id || !confirm) {
		json_decref(j);
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid",
					  id ? "type the case number to confirm the purge"
					     : "give the attachment's id",
					  id ? "confirm" : "id");
	}
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_purge_result res = {0};
	int rc = kith_attach_purge(kith_web_api_vault(a), id, note, confirm, &res, &err);
	json_decref(j);
	if (rc)
		return fail(resp, &err);
	return kith_web_api_reply(resp, json_pack("{s:b, s:I, s:I}", "ok", 1, "chunks",
						  (json_int_t)res.chunks, "zeroed", (json_int_t)res.zeroed));
}

/* The export's options from the query: consent=USE (or none), case=REF. */
static void export_opts(const struct kith_web_request *req, struct kith_attach_export_opts *o,
			const char **one)
{
	const char *c = q(req, "consent");
	*one = q(req, "case");
	o->consent = c && *c && strcmp(c, "all") ? c : NULL;
	o->cases = *one && **one ? one : NULL;
	o->n_cases = o->cases ? 1 : 0;
}

static int export_fail(struct kith_web_response *resp, const struct kith_err *err)
{
	if (err->status == KITH_E_INVALID)
		return kith_web_api_error(resp, 400, err->status, "invalid", err->msg, err->where);
	return fail(resp, err);
}

/* GET /attachments/export/plan: what the export would hold and leave out. */
static int r_export_plan(struct kith_web_api *a, const struct kith_web_request *req,
			 struct kith_web_response *resp)
{
	struct kith_attach_export_opts o = {0};
	const char *one = NULL;
	export_opts(req, &o, &one);
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_export *x = NULL;
	struct kith_attach_export_result r = {0};
	int rc = kith_attach_export_new(kith_web_api_vault(a), &o, &x, &r, &err);
	kith_attach_export_free(x);
	if (rc)
		return export_fail(resp, &err);
	return kith_web_api_reply(
	    resp, json_pack("{s:I, s:I, s:I, s:I, s:I}", "files", (json_int_t)r.files, "cases",
			    (json_int_t)r.cases, "left_out", (json_int_t)r.left_out, "cases_left_out",
			    (json_int_t)r.cases_left_out, "bytes", (json_int_t)r.bytes));
}

struct xs {
	struct kith_web_api *a;
	struct kith_vault *v;
	struct kith_attach_export *x;
};

static long xs_read(void *cls, char *buf, size_t max)
{
	struct xs *d = cls;
	if (kith_web_api_vault(d->a) != d->v)
		return -1; /* locked meanwhile */
	struct kith_err err;
	kith_err_clear(&err);
	long k = kith_attach_export_read(d->x, d->v, (uint8_t *)buf, max, &err);
	return k < 0 ? -1 : k;
}

static void xs_free(void *cls)
{
	struct xs *d = cls;
	if (!d)
		return;
	kith_attach_export_free(d->x);
	free(d);
}

/* GET /attachments/export: the tar file, streamed (only what consent allows). */
static int r_export(struct kith_web_api *a, const struct kith_web_request *req,
		    struct kith_web_response *resp)
{
	struct kith_attach_export_opts o = {0};
	const char *one = NULL;
	export_opts(req, &o, &one);
	struct kith_err err;
	kith_err_clear(&err);
	struct xs *d = calloc(1, sizeof *d);
	if (!d)
		return kith_web_api_error(resp, 500, KITH_E_NOMEM, "internal", "out of memory", NULL);
	d->a = a;
	d->v = kith_web_api_vault(a);
	struct kith_attach_export_result r = {0};
	int rc = kith_attach_export_new(d->v, &o, &d->x, &r, &err);
	if (rc) {
		xs_free(d);
		return export_fail(resp, &err);
	}
	resp->http = 200;
	resp->content_type = "application/x-tar";
	snprintf(resp->filename, sizeof resp->filename, "attachments.tar");
	resp->stream = xs_read;
	resp->stream_free = xs_free;
	resp->stream_cls = d;
	return KITH_OK;
}

int kith_web_attach_handle(struct kith_web_api *a, const struct kith_web_request *req,
			   struct kith_web_response *resp)
{
	const char *m = req->method, *p = req->path;
	int get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
	int want_post =
	    !strcmp(p, "/attach") || !strcmp(p, "/attachment/remove") || !strcmp(p, "/attachment/purge");
	if ((want_post && !post) || (!want_post && !get))
		return kith_web_api_error(resp, 405, KITH_E_INVALID, "method", "method not allowed here",
					  NULL);
	struct kith_vault *v = kith_web_api_vault(a);
	if (!v)
		return kith_web_api_error(resp, 423, KITH_E_LOCKED, "locked", "the vault is locked", NULL);
	struct kith_err err;
	kith_err_clear(&err);
	if (!strcmp(p, "/attach"))
		return r_add(a, req, resp);
	if (!strcmp(p, "/attachment/remove"))
		return r_remove(a, req, resp);
	if (!strcmp(p, "/attachment/purge"))
		return r_purge(a, req, resp);
	if (!strcmp(p, "/attachments/export/plan"))
		return r_export_plan(a, req, resp);
	if (!strcmp(p, "/attachments/export"))
		return r_export(a, req, resp);
	if (!strcmp(p, "/exports")) /* the export log, beside the export of attachments */
		return kith_web_api_reply(resp, json_pack("{s:o}", "exports", kith_exchange_log(v)));
	if (!strcmp(p, "/attachment"))
		return r_get(a, req, resp);
	struct kith_attach_item *items = NULL;
	size_t n = 0;
	int rc;
	if (!strcmp(p, "/attachments")) {
		const char *all = q(req, "all");
		rc = kith_attach_list(v, q(req, "case"), all && !strcmp(all, "1"), &items, &n, &err);
		return rc ? fail(resp, &err) : items_reply(resp, "attachments", items, n);
	}
	if (!strcmp(p, "/attachments/history")) {
		rc = kith_attach_case_history(v, q(req, "case"), &items, &n, &err);
		if (rc == KITH_E_CORRUPT)
			rc = KITH_OK; /* the readable versions; the case's own history says it is damaged */
		return rc ? fail(resp, &err) : items_reply(resp, "versions", items, n);
	}
	rc = kith_attach_history(v, q(req, "id"), &items, &n, &err);
	return rc ? fail(resp, &err) : items_reply(resp, "versions", items, n);
}
