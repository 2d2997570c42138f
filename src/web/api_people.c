/*
 * api_people — people, roles and the view log over the web: see api_people.h.
 * Every rule is casework's (casework/people.h); this file parses and answers.
 */
#include "web/api_people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "casework/people.h"

int kith_web_api_people_route(const char *path)
{
	return !strcmp(path, "/me") || !strcmp(path, "/people") || !strcmp(path, "/people/add") ||
	       !strcmp(path, "/people/remove") || !strcmp(path, "/views");
}

static int r_me(struct kith_vault *v, struct kith_web_response *resp)
{
	struct kith_person me;
	kith_people_me(v, &me);
	json_t *o = kith_people_person_json(&me);
	static const struct {
		const char *key;
		enum kith_people_act act;
	} acts[] = {{"names", KITH_PEOPLE_NAMES},   {"write", KITH_PEOPLE_WRITE},
		    {"export", KITH_PEOPLE_EXPORT}, {"review", KITH_PEOPLE_REVIEW},
		    {"assign", KITH_PEOPLE_ASSIGN}, {"admin", KITH_PEOPLE_ADMIN}};
	json_t *may = json_object();
	for (size_t i = 0; may && i < sizeof acts / sizeof acts[0]; i++)
		json_object_set_new(may, acts[i].key,
				    json_boolean(kith_people_allow(v, acts[i].act, NULL) == KITH_OK));
	if (o && may)
		json_object_set_new(o, "may", may);
	else
		json_decref(may);
	return kith_web_api_reply(resp, o);
}

static int r_list(struct kith_vault *v, struct kith_web_response *resp)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_person *p = NULL;
	size_t n = 0;
	int rc = kith_people_list(v, &p, &n, &err);
	if (rc)
		return kith_web_api_fail(resp, &err);
	json_t *items = json_array();
	for (size_t i = 0; items && i < n; i++)
		if (json_array_append_new(items, kith_people_person_json(&p[i]))) {
			json_decref(items);
			items = NULL;
		}
	free(p);
	return kith_web_api_reply(resp, items ? json_pack("{s:o}", "items", items) : NULL);
}

static int r_add(struct kith_vault *v, const struct kith_web_request *req, struct kith_web_response *resp)
{
	json_t *j = kith_web_api_body_object(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *role_s = json_string_value(json_object_get(j, "role"));
	json_t *pj = json_object_get(j, "passphrase");
	const char *pass = json_string_value(pj);
	size_t pass_len = pass ? json_string_length(pj) : 0;
	struct kith_err err;
	kith_err_clear(&err);
	enum kith_role role = KITH_ROLE_NONE;
	int rc = kith_people_allow(v, KITH_PEOPLE_ADMIN, &err);
	if (!rc && !name)
		rc = kith_err_set(&err, KITH_E_INVALID, "name", "give the person's name");
	if (!rc)
		rc = kith_role_parse(role_s, &role, &err);
	if (!rc && (!pass || pass_len == 0))
		rc = kith_err_set(&err, KITH_E_INVALID, "passphrase", "give the person's passphrase");
	char pid[KITH_VAULT_PERSON_HEX] = "";
	if (!rc)
		rc = kith_people_add(v, name, role, pass, pass_len, (int64_t)time(NULL), pid, &err);
	if (pass) /* jansson's copy of the passphrase */
		sodium_memzero((char *)pass, pass_len);
	json_decref(j);
	if (rc)
		return kith_web_api_fail(resp, &err);
	resp->http = 201;
	return kith_web_api_reply(resp, json_pack("{s:s, s:s}", "id", pid, "role", kith_role_name(role)));
}

static int r_remove(struct kith_vault *v, const struct kith_web_request *req, struct kith_web_response *resp)
{
	json_t *j = kith_web_api_body_object(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const char *name = json_string_value(json_object_get(j, "name"));
	struct kith_err err;
	kith_err_clear(&err);
	int rc = name ? kith_people_remove(v, name, (int64_t)time(NULL), &err)
		      : kith_err_set(&err, KITH_E_INVALID, "name", "give the person's name");
	json_decref(j);
	if (rc)
		return kith_web_api_fail(resp, &err);
	return kith_web_api_reply(resp, json_pack("{s:b, s:s}", "removed", 1, "warning", err.msg));
}

static int r_views(struct kith_vault *v, const struct kith_web_request *req, struct kith_web_response *resp)
{
	const char *ref = req->query ? req->query(req->query_cls, "ref") : NULL;
	if (!ref || !*ref)
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", "give ref", "ref");
	struct kith_err err;
	kith_err_clear(&err);
	json_t *items = NULL;
	if (kith_people_views(v, ref, &items, &err))
		return kith_web_api_fail(resp, &err);
	return kith_web_api_reply(resp, json_pack("{s:o}", "items", items));
}

int kith_web_api_people_handle(struct kith_vault *v, const struct kith_web_request *req,
			       struct kith_web_response *resp)
{
	const char *p = req->path;
	int get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
	int post = !strcmp(req->method, "POST");
	int wants_post = !strcmp(p, "/people/add") || !strcmp(p, "/people/remove");
	if ((wants_post && !post) || (!wants_post && !get))
		return kith_web_api_error(resp, 405, KITH_E_INVALID, "method", "method not allowed here",
					  NULL);
	if (!strcmp(p, "/me"))
		return r_me(v, resp);
	if (!strcmp(p, "/people"))
		return r_list(v, resp);
	if (!strcmp(p, "/views"))
		return r_views(v, req, resp);
	if (!strcmp(p, "/people/add"))
		return r_add(v, req, resp);
	return r_remove(v, req, resp);
}

int kith_web_people_gate(struct kith_vault *v, const struct kith_record_view **r, const char *what,
			 struct kith_web_response *resp)
{
	struct kith_err err;
	kith_err_clear(&err);
	const char *kind = (*r)->kind;
	int is_case = !strcmp(kind, "case");
	int rc = !strcmp(kind, "person") || !strcmp(kind, "view")
		     ? kith_people_allow(v, KITH_PEOPLE_ADMIN, &err)
		 : is_case ? kith_people_allow_case(v, KITH_PEOPLE_NAMES, *r, &err)
			   : kith_people_allow(v, KITH_PEOPLE_NAMES, &err);
	if (!rc && is_case && what) {
		char id[KITH_VAULT_ID_HEX];
		snprintf(id, sizeof id, "%s", (*r)->id);
		rc = kith_people_viewed(v, *r, what, (int64_t)time(NULL), &err);
		*r = kith_vault_find_id(v, id);
		if (!rc && !*r)
			rc = kith_err_set(&err, KITH_E_NOTFOUND, "id", "no such record");
	}
	return rc ? kith_web_api_fail(resp, &err) : KITH_OK;
}

void kith_web_people_annotate(const struct kith_vault *v, json_t *o, const char *pid)
{
	json_t *p = kith_people_json(v, pid);
	if (o && p)
		json_object_set_new(o, "person", p);
	else
		json_decref(p);
}

int kith_web_people_route_gate(const struct kith_vault *v, const char *path, struct kith_web_response *resp)
{
	static const char *const figures[] = {"/schema",   "/info", "/me",	 "/report/fields", "/report",
					      "/estimate", "/job",  "/activity", "/keystatus"};
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
		if (!strcmp(path, figures[i]))
			return KITH_OK;
	if (!strncmp(path, "/pprl/", 6))
		return KITH_OK;
	struct kith_err err;
	kith_err_clear(&err);
	return kith_people_allow(v, KITH_PEOPLE_NAMES, &err) ? kith_web_api_fail(resp, &err) : KITH_OK;
}
