/*
 * api_integrity — what the check of the vault's file found (format 2: the
 * signed batches, their chains and the rollback anchors; docs/vault-format.md),
 * for the web UI, path after "/api":
 *   GET /integrity   admins only (casework/people.h): the JSON of
 *                    kith_vault_integrity_json (vault.h) — {ok, format, batches,
 *                    records, missing, unreadable, devices_refused, device,
 *                    findings: [{kind, text, batch?, device?, seq?, to?, missing?,
 *                    of?}], damaged: [{kind, id, ref, version, text}]}; batch and
 *                    device id prefixes and numbers, never a record's content.
 * Other roles get 403 "denied"; other methods 405. Needs the unlocked vault.
 */
#ifndef KITH_WEB_API_INTEGRITY_H
#define KITH_WEB_API_INTEGRITY_H

#include "vault/vault.h"
#include "web/api.h"

/* Whether `path` (after "/api") is this route (any method). */
int kith_web_api_integrity_route(const char *path);

/* Answers it over the open vault v. */
int kith_web_api_integrity_handle(struct kith_vault *v, const struct kith_web_request *req,
				  struct kith_web_response *resp);

#endif
