/*
 * api_integrity — GET /integrity (see api_integrity.h): a thin skin over
 * kith_vault_integrity_json, as `kith verify --json`.
 */
#include "web/api_integrity.h"

#include <string.h>

#include "casework/people.h"

int kith_web_api_integrity_route(const char *path)
{
	return path && !strcmp(path, "/integrity");
}

int kith_web_api_integrity_handle(struct kith_vault *v, const struct kith_web_request *req,
				  struct kith_web_response *resp)
{
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
		return kith_web_api_error(resp, 405, KITH_E_INVALID, "method", "method not allowed here",
					  NULL);
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_people_allow(v, KITH_PEOPLE_ADMIN, &err))
		return kith_web_api_fail(resp, &err);
	json_t *j = NULL;
	if (kith_vault_integrity_json(v, &j))
		return kith_web_api_error(resp, 500, KITH_E_NOMEM, "internal", "out of memory", NULL);
	int rc = kith_web_api_json(resp, j);
	json_decref(j);
	return rc;
}
