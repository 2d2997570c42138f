/*
 * api_centre — the routes of the case at the centre and the caseworker's
 * day (issue 14), over casework only (paths after "/api"):
 *   GET  /person?ref=                one person's records and links (sameperson.h)
 *   GET  /due?assigned=&today=       the due view (workflow.h)
 *   GET  /assignees                  caseworker names used before
 *   POST /assign {"ref", "assigned", "follow_up", "expect_version"}
 *                                    null or absent: unchanged; "": cleared
 *   GET  /referral/fields            the fields a referral sheet may carry
 *   POST /referral {"ref", "partner", "fields": [..], "date"}  the sheet, recorded
 *   POST /trace/edit {"ref", "body", "expect_version"}  a request's new description
 *   POST /trace/close {"ref", "reopen", "note"}         close or reopen a request
 * and the query of the review queue (GET /links: min_score, max_score, q).
 * Answers as api.h does; the vault is borrowed and must be open.
 */
#ifndef KITH_WEB_API_CENTRE_H
#define KITH_WEB_API_CENTRE_H

#include "casework/review.h"
#include "vault/vault.h"
#include "web/api.h"

/* 1 when path is a GET route here, 2 a POST route, 0 neither. */
int kith_web_centre_route(const char *path);

/* Answers one request of a route here (its method checked by the caller). */
int kith_web_centre_handle(struct kith_vault *v, const struct kith_web_request *req,
			   struct kith_web_response *resp);

/* The review queue's filters from the query: 0, or -1 for a malformed score. */
int kith_web_review_query(const char *(*query)(void *cls, const char *key), void *cls,
			  struct kith_review_query *rq);

#endif
