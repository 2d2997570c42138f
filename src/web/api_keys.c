/*
 * api_keys — passphrase change, organization key backup and key status
 * from the web UI (see api_keys.h): thin skins over vault/vault.h and
 * casework/keystatus.h, as `kith passwd` and `kith init --org-key-backup`.
 */
#include "web/api_keys.h"
#include "web/api_attach.h" /* kith_web_api_vault */

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/sbuf.h"
#include "casework/keystatus.h"
#include "vault/vault.h"

#define PASS_MAX 1024 /* bytes of a passphrase given here */

int kith_web_keys_route(const char *path)
{
	return path && (!strcmp(path, "/keys") || kith_web_keys_secret(path));
}

int kith_web_keys_secret(const char *path)
{
	return path && (!strcmp(path, "/keys/passphrase") || !strcmp(path, "/keys/backup"));
}

static int status(struct kith_vault *v, struct kith_web_response *resp)
{
	struct kith_keystatus ks;
	kith_keystatus_get(v, &ks);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	return kith_web_api_reply(resp, json_pack("{s:b, s:b, s:I, s:I, s:s, s:s}", "holds_org_key",
						  ks.holds_org_key, "backed_up", ks.backed_up,
						  "last_backup_at", (json_int_t)ks.last_backup_at, "backups",
						  (json_int_t)ks.backups, "panic_effect", ks.panic_effect,
						  "kdf", info.kdf_name ? info.kdf_name : ""));
}

/* A passphrase member of j: its bytes (borrowed from j), or NULL with resp set. */
static const char *pass_of(const json_t *j, const char *key, size_t *len, int required,
			   struct kith_web_response *resp)
{
	const json_t *p = json_object_get(j, key);
	*len = 0;
	if (!p || json_is_null(p) || (json_is_string(p) && json_string_length(p) == 0)) {
		if (required)
			kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "this passphrase is empty",
					   key);
		return NULL;
	}
	if (!json_is_string(p) || json_string_length(p) > PASS_MAX) {
		kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid",
				   "a passphrase is a string of at most 1024 bytes", key);
		return NULL;
	}
	*len = json_string_length(p);
	return json_string_value(p);
}

/* Wipes every string of j in place (jansson wipes its blocks on free too). */
static void wipe_strings(json_t *j)
{
	const char *k;
	json_t *x;
	json_object_foreach(j, k, x)
	{
		if (json_is_string(x))
			sodium_memzero((void *)(uintptr_t)json_string_value(x), json_string_length(x));
	}
}

static int wrong_current(struct kith_web_response *resp, int rc, const struct kith_err *err)
{
	if (rc == KITH_E_AUTH)
		return kith_web_api_error(resp, 401, KITH_E_AUTH, "auth",
					  "the current passphrase is wrong; nothing changed", "current");
	return kith_web_api_fail(resp, err);
}

static int passwd(struct kith_web_api *a, struct kith_vault *v, const json_t *j,
		  struct kith_web_response *resp)
{
	size_t cl, nl, dl;
	const char *cur = pass_of(j, "current", &cl, 1, resp);
	if (!cur)
		return KITH_E_INVALID;
	const char *np = pass_of(j, "new", &nl, 1, resp);
	if (!np)
		return KITH_E_INVALID;
	const json_t *dj = json_object_get(j, "duress");
	const char *dp = pass_of(j, "duress", &dl, 0, resp);
	if (!dp && dj && !json_is_null(dj) && !(json_is_string(dj) && json_string_length(dj) == 0))
		return KITH_E_INVALID;
	if (nl == cl && sodium_memcmp(np, cur, nl) == 0)
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid",
					  "the new passphrase is the current one", "new");
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_vault_check_passphrase(v, cur, cl, &err);
	if (rc)
		return wrong_current(resp, rc, &err);
	rc = kith_vault_passwd(v, np, nl, dp, dl, &err);
	if (rc) {
		if (rc == KITH_E_INVALID)
			return kith_web_api_error(resp, 400, rc, "invalid", err.msg,
						  !strcmp(err.where, "duress") ? "duress" : "new");
		return kith_web_api_fail(resp, &err);
	}
	kith_web_api_keys_changed(a); /* the slots are ours: not a change from outside */
	json_t *out = json_pack("{s:b}", "ok", 1);
	if (out && err.msg[0]) /* changed, with a warning: the old slots may remain */
		json_object_set_new(out, "warning", json_string(err.msg));
	return kith_web_api_reply(resp, out);
}

static int backup(struct kith_vault *v, const json_t *j, struct kith_web_response *resp)
{
	size_t cl, bl;
	const char *cur = pass_of(j, "current", &cl, 1, resp);
	if (!cur)
		return KITH_E_INVALID;
	const char *bp = pass_of(j, "backup", &bl, 1, resp);
	if (!bp)
		return KITH_E_INVALID;
	if (bl == cl && sodium_memcmp(bp, cur, bl) == 0)
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid",
					  "the backup needs a passphrase of its own, not the vault's",
					  "backup");
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_vault_check_passphrase(v, cur, cl, &err);
	if (rc)
		return wrong_current(resp, rc, &err);
	struct kith_sbuf file = KITH_SBUF_INIT;
	rc = kith_vault_export_org_key_buf(v, bp, bl, &file, &err);
	if (rc == KITH_E_NOTFOUND) {
		kith_sbuf_release(&file);
		return kith_web_api_error(resp, 404, rc, "no_org_key",
					  "this device does not hold the organization key", NULL);
	}
	int64_t now = (int64_t)time(NULL);
	if (!rc)
		rc = kith_keystatus_note_backup(v, now, "web", &err);
	if (rc) {
		kith_sbuf_release(&file);
		return kith_web_api_fail(resp, &err);
	}
	kith_sbuf_reset(&resp->body);
	if (kith_sbuf_add(&resp->body, file.buf, file.len)) {
		kith_sbuf_release(&file);
		return kith_web_api_error(resp, 500, KITH_E_NOMEM, "internal", "out of memory", NULL);
	}
	kith_sbuf_release(&file);
	struct tm tm;
	time_t t = (time_t)now;
	gmtime_r(&t, &tm);
	resp->http = 200;
	resp->content_type = "application/octet-stream";
	snprintf(resp->filename, sizeof resp->filename, "kith-org-key-%04d%02d%02d.key", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday);
	return KITH_OK;
}

int kith_web_keys_handle(struct kith_web_api *a, const struct kith_web_request *req,
			 struct kith_web_response *resp)
{
	struct kith_vault *v = kith_web_api_vault(a);
	int get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
	int post = !strcmp(req->method, "POST");
	if (!v)
		return kith_web_api_error(resp, 423, KITH_E_LOCKED, "locked", "the vault is locked", NULL);
	if (!strcmp(req->path, "/keys"))
		return get ? status(v, resp)
			   : kith_web_api_error(resp, 405, KITH_E_INVALID, "method",
						"method not allowed here", NULL);
	if (!post)
		return kith_web_api_error(resp, 405, KITH_E_INVALID, "method", "method not allowed here",
					  NULL);
	const char *who = kith_vault_person(v);
	if (who && *who) /* a person's own slot: kith_vault_passwd and the check are the main slot's */
		return kith_web_api_error(resp, 403, KITH_E_INVALID, "main_slot_only",
					  "only the vault's main passphrase changes or backs up keys here",
					  NULL);
	json_error_t je;
	json_t *j = req->body && req->body_len
			? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je)
			: NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "bad_json", "a JSON object is expected",
					  NULL);
	}
	int rc = !strcmp(req->path, "/keys/passphrase") ? passwd(a, v, j, resp) : backup(v, j, resp);
	wipe_strings(j);
	json_decref(j);
	return rc;
}
