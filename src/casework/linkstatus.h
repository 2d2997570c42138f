/*
 * linkstatus — the words of a link record's review status, once for `kith
 * link review|confirm|reject|undo` and the web's review page (GET /links,
 * POST /link): which statuses exist, which a filter shows, which a decision
 * may set. The transitions themselves are linkvault.h's.
 */
#ifndef KITH_CASEWORK_LINKSTATUS_H
#define KITH_CASEWORK_LINKSTATUS_H

/* The statuses a link record has, in this order of its review. */
#define KITH_LINKSTATUS_WORDS "proposed, confirmed, rejected or undone"

/* 1 when s is a link status (proposed, confirmed, rejected, undone), else 0. */
int kith_linkstatus_valid(const char *s);

/* 1 when f is a filter of the review list: a status, "open" (proposed, or
 * undone and so back for review) or "all"; else 0. */
int kith_linkstatus_filter_valid(const char *f);

/* 1 when a link of status st is shown under filter f (kith_linkstatus_filter_valid). */
int kith_linkstatus_shown(const char *f, const char *st);

/* The status a reviewer's decision d sets: "confirmed", "rejected" or
 * "undone" as given, "proposed" taken as "undone" (the pair goes back for
 * review); NULL for anything else (NULL allowed). A static string. */
const char *kith_linkstatus_decision(const char *d);

#endif
