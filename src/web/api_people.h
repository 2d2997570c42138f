/*
 * api_people — the web routes of people, roles and the view log (issue 12
 * item 4; casework/people.h), paths after "/api":
 *   GET  /me                         the person who unlocked: {id, name, role,
 *                                    main, may: {names, write, export, review,
 *                                    assign, admin}} (the UI hides what is refused;
 *                                    casework refuses it anyway)
 *   GET  /people                     every person (admins): {items: [{id, name,
 *                                    role, main, removed, slot, added, removed_at}]}
 *   POST /people/add {"name", "role", "passphrase"}  enrol a person (admins)
 *   POST /people/remove {"name"}     remove a person, shredding their slot (admins)
 *   GET  /views?ref=                 who opened case ref (admins): {items: [...]}
 * and the gate of the routes that show one record (GET /case, GET /history).
 * Every route needs the unlocked vault. Requests are borrowed; the response
 * is the caller's. Passphrases in request bodies are wiped by the server.
 */
#ifndef KITH_WEB_API_PEOPLE_H
#define KITH_WEB_API_PEOPLE_H

#include <jansson.h>

#include "vault/vault.h"
#include "web/api.h"

/* Whether `path` is one of the routes above (any method). */
int kith_web_api_people_route(const char *path);

/* Answers one of the routes above over the open vault v. */
int kith_web_api_people_handle(struct kith_vault *v, const struct kith_web_request *req,
			       struct kith_web_response *resp);

/*
 * May the unlocked person read the record *r (person and view records: admins;
 * a case: as casework/people.h says)? When `what` is not NULL and *r is a case,
 * the view is recorded, and *r is found again (the write re-reads the index).
 * KITH_OK, or the refusal written into resp (its status returned).
 */
int kith_web_people_gate(struct kith_vault *v, const struct kith_record_view **r, const char *what,
			 struct kith_web_response *resp);

/* Every route but aggregate figures (schema, info, me, report, estimate,
 * pprl, job, activity, keystatus) shows names: a person whose role may not
 * read cases (an analyst) is refused there (403, code "denied"). KITH_OK or
 * the refusal written into resp. */
int kith_web_people_route_gate(const struct kith_vault *v, const char *path, struct kith_web_response *resp);

/* Adds "person": {id, name, role, main, known} for pid to the object o. */
void kith_web_people_annotate(const struct kith_vault *v, json_t *o, const char *pid);

#endif
