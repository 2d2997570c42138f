/*
 * api_sync — the web routes for field devices, bundles and conflicts (issue
 * 12; paths after "/api"), thin skins over casework/devices.h and
 * casework/conflicts.h, as `kith device list`, `kith bundle` and `kith
 * resolve` are:
 *   GET  /sync                      {holds_org_key, devices: [{name, device_id,
 *                                   added, revoked_at}], conflicts: [{kind, ref, id}]}
 *   GET  /sync/conflict?ref=R[&kind=K]  the conflict (kith_conflicts_get), 404 when none
 *   POST /sync/resolve {"ref", "kind", "take": {FIELD: SIDE}, "all": SIDE}
 *                                   {ref, version} (kith_conflicts_resolve)
 *   POST /sync/export {"to", "refs": [REF], "kind", "since", "all"}
 *                                   the bundle as a download (kith-BUNDLE.kithbundle),
 *                                   recorded as sent once it is made
 *   POST /sync/import (the bundle's bytes, application/octet-stream)
 *                                   {bundle, device, added, skipped, conflicts}
 * Every route needs the unlocked vault. Requests are borrowed; the response
 * is the caller's.
 */
#ifndef KITH_WEB_API_SYNC_H
#define KITH_WEB_API_SYNC_H

#include "vault/vault.h"
#include "web/api.h"

/* 1 for a GET route above, 2 for a POST route, 0 otherwise. */
int kith_web_api_sync_route(const char *path);

/* Answers one of the routes above over the open vault v. */
int kith_web_api_sync_handle(struct kith_vault *v, const struct kith_web_request *req,
			     struct kith_web_response *resp);

#endif
