/*
 * api_drafts — the web routes that keep typing safe and say what a panic
 * does (paths after "/api"):
 *   GET  /drafts[?form=KEY]          the open drafts {items: [{form, title, at}]};
 *                                    with ?form= that one draft with its "data"
 *                                    (404 when it has none)
 *   POST /drafts {"form", "title", "data"}  keep what is typed (casework/drafts.h)
 *   POST /drafts/discard {"form"}    the form was saved or abandoned
 *   GET  /keystatus                  {holds_org_key, backed_up, last_backup_at,
 *                                    backups, panic_effect} (casework/keystatus.h)
 *   POST /activity {}                nothing but the request itself: the server
 *                                    counts every unlocked request as activity,
 *                                    so typing keeps the session (the idle lock)
 * Every route needs the unlocked vault. Requests are borrowed; the response
 * is the caller's (kith_web_response_release).
 */
#ifndef KITH_WEB_API_DRAFTS_H
#define KITH_WEB_API_DRAFTS_H

#include "vault/vault.h"
#include "web/api.h"

/* Whether `path` is one of the routes above (any method). */
int kith_web_api_drafts_route(const char *path);

/* Answers one of the routes above over the open vault v. Returns the status
 * written into resp (KITH_OK, KITH_E_INVALID, KITH_E_NOTFOUND, ...). */
int kith_web_api_drafts_handle(struct kith_vault *v, const struct kith_web_request *req,
			       struct kith_web_response *resp);

#endif
