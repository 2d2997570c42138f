/*
 * api_attach — the attachment routes of `kith serve` over casework/attach.h
 * (paths after "/api"):
 *   GET  /attachments?case=REF[&all=1]     the case's attachments, oldest first
 *                                          {"attachments": [...], "max_bytes"}
 *   POST /attach?case=REF&name=NAME[&type=T]  the file as the raw body, streamed
 *                                          into the encryption by the server as it
 *                                          arrives (never held whole); {"id"}
 *   GET  /attachment?id=ID[&version=N][&download=1]  the bytes, streamed out: a
 *                                          photo inline (image/jpeg, image/png);
 *                                          anything else, or download=1, as a download
 *                                          and only with the case's consent to sharing
 *   GET  /attachment/history?id=ID         every version {"versions": [...]}
 *   GET  /attachments/history?case=REF     every version of every attachment of the
 *                                          case, by time (the case's history page)
 *   POST /attachment/remove {"id", "note"} a new version with removed true
 *   POST /attachment/purge {"id", "note", "confirm"}  destroys its bytes for good
 *                                          (confirm: the case number, typed);
 *                                          {"ok", "chunks", "zeroed"}
 *   GET  /attachments/export/plan[?consent=USE][&case=REF]  what the export holds:
 *                                          {"files", "cases", "left_out",
 *                                          "cases_left_out", "bytes"}
 *   GET  /attachments/export[?consent=USE][&case=REF]  the tar file, streamed:
 *                                          only cases whose consent allows sharing
 *   GET  /exports                          the recorded exports of cases, oldest first
 *                                          {"exports": [{at, format, lang, consent, cases,
 *                                          left_out, attachments, by}]} (exchange.h)
 * Errors as api.h; a file over the cap is 413 "too_large", a refused or
 * malformed photo 400 "photo", a download without consent 403 "consent".
 *
 * Ownership and threads as api.h: called under the server's exclusive lock;
 * a download's stream (struct kith_web_response.stream) reads the vault
 * again under that lock for every piece and stops when the vault was locked
 * or replaced meanwhile.
 */
#ifndef KITH_WEB_API_ATTACH_H
#define KITH_WEB_API_ATTACH_H

#include "web/api.h"

struct kith_vault;

/* Whether path (after "/api") is one of these routes. */
int kith_web_attach_route(const char *path);

/* Answers one of these routes (kith_web_api_handle calls it). */
int kith_web_attach_handle(struct kith_web_api *a, const struct kith_web_request *req,
			   struct kith_web_response *resp);

/* What api.c lends: the open vault (NULL when locked) and the vault's path. */
struct kith_vault *kith_web_api_vault(struct kith_web_api *a);
const char *kith_web_api_path(const struct kith_web_api *a);

#endif
