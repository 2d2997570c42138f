/*
 * api — the JSON routes of `kith serve` over the vault: the same library
 * functions the CLI calls (vault, record, search, caseio), no second path.
 *
 * A struct kith_web_api holds the vault path and, while unlocked, the open
 * vault and its search index. It knows nothing of HTTP, cookies or threads:
 * the server (server.h) checks the session, the CSRF token and the Host
 * header, serializes every call with its mutex, and turns a struct
 * kith_web_response into an HTTP response. Tests call it directly.
 *
 * Routes (paths after "/api"; every answer is JSON unless noted; errors are
 * {"error": {"code", "message", "field"}}):
 *   GET  /schema                     the record schema (record.h)
 *   GET  /info                       counts and damaged records
 *   GET  /cases?offset=&limit=&order=asc|desc   a page of case summaries
 *   GET  /search?q=&limit=           ranked name search (Hangul or any romanization)
 *   GET  /case?ref= | ?id=           one record, current version
 *   GET  /history?id=                every version, oldest first
 *   POST /cases    {"body", "note"}  a new case (its ref must be new)
 *   POST /edit     {"id", "expect_version", "body", "note"}  a new version
 *   POST /import?format=json|jsonl|csv&name=FILE  (raw file body) all or nothing
 *   POST /export   {"format": "jsonl"|"csv"}  a download (not JSON)
 *   GET  /links?status=open|proposed|confirmed|rejected|undone|all&explain=0|1
 *                                    duplicate review (link/linkvault.h)
 *   POST /links    {"refs": [ref, ref, ...], "reason"}  propose a manual link
 *   POST /links/propose  {}          run record linkage, propose likely duplicates
 *   POST /link     {"id", "status": confirmed|rejected|undone, "reason",
 *                   "expect_version"}  decide or undo (kith_link_vault_set_status)
 *   GET  /traces?status=             family tracing requests (link/trace.h)
 *   POST /traces   {"body"}          a new tracing request (kith_trace_add)
 *   GET  /trace?ref=&limit=          one request and its candidates (kith_trace_match)
 *   POST /trace/review {"ref", "case", "verb": possible|confirm|reject|undo, "note"}
 *   GET  /report/fields              the fields a report counts by
 *   POST /report   {"by", "format", "lang", "threshold", "k"}  figures (casework/figures.h)
 *   POST /estimate {"stratify", "lists", "lists_name", "lang"}  a job (202): the estimate
 *   POST /pprl/encode {"org", "secret", "sign_key", ...}  this vault's encoding (together.h)
 *   GET|POST /pprl/files (?name=, raw .kpe), POST /pprl/files/clear  encodings staged
 *   POST /pprl/link {"lang"}         a job (202): linkage and joint estimate
 *   GET  /job                        the last job's stage, progress and result
 *   GET  /person, /due, /assignees, /referral/fields; POST /assign, /referral,
 *        /trace/edit, /trace/close   the case at the centre (api_centre.h)
 *
 * Threads: a struct kith_web_api is not thread-safe, like the vault it
 * holds (vault.h): the server serializes every call that touches the vault
 * with one lock. kith_web_api_reads_only() names the requests that only read
 * (GET /schema, GET /search): those may run at once under a shared lock.
 * Searches run on an index from a small pool (kith_web_api_set_searches; the
 * server keeps one per request thread), each index guarded by the api.
 *
 * Ownership: the api owns the vault (closed and wiped by lock, panic and
 * free). Requests are borrowed; a response's body is owned by the response
 * (a wiping buffer: release it with kith_web_response_release).
 */
#ifndef KITH_WEB_API_H
#define KITH_WEB_API_H

#include <stddef.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "vault/vault.h"

struct kith_web_api;

struct kith_web_request {
	const char *method; /* "GET", "POST" */
	const char *path;   /* after "/api", e.g. "/cases" */
	/* a query parameter's value, or NULL when absent */
	const char *(*query)(void *cls, const char *key);
	void *query_cls;
	const char *body; /* may hold plaintext: the server wipes it */
	size_t body_len;
	const char *reviewer;		   /* who decides link records: this device's id, or NULL */
	struct kith_attach_upload *upload; /* POST /attach: the file, streamed in (api_attach.h) */
	int upload_rc;			   /* ... and how its upload went */
	const struct kith_err *upload_err;
};

struct kith_web_response {
	unsigned http;		  /* 200, 400, ... */
	struct kith_sbuf body;	  /* the bytes to send (plaintext: wiped on release) */
	const char *content_type; /* static string */
	char filename[64];	  /* non-empty: send as a download with this name */
	/* a body produced while it is sent (api_attach.h): read(cls, buf, max)
	 * returns bytes (> 0), 0 at the end, < 0 to abort; the server calls it
	 * under its exclusive lock and frees cls with stream_free */
	long (*stream)(void *cls, char *buf, size_t max);
	void (*stream_free)(void *cls);
	void *stream_cls;
};

#define KITH_WEB_RESPONSE_INIT                                                                               \
	{                                                                                                    \
		200, KITH_SBUF_INIT, "application/json", "", NULL, NULL, NULL                                \
	}

#define KITH_WEB_API_SEARCH_MAX 8     /* searches that may run at once, at most */
#define KITH_WEB_API_SEARCH_DEFAULT 2 /* ... by default (the server sets its thread count) */

/* Creates the api for the vault file at `path` (copied), locked.
 * KITH_OK or KITH_E_NOMEM. */
int kith_web_api_new(struct kith_web_api **out, const char *path, struct kith_err *err) KITH_WUR;

/* How many searches may run at once (1 .. KITH_WEB_API_SEARCH_MAX; clamped).
 * Each has its own index, a copy of every encoded name, built on its first
 * search: the server sets this to its request threads. Call before serving. */
void kith_web_api_set_searches(struct kith_web_api *a, unsigned n);

/* The threads of a linkage run (POST /links/propose); 0, the default: the
 * online processors. Call before serving. */
void kith_web_api_set_link_threads(struct kith_web_api *a, unsigned n);

/* The options of POST /estimate's estimate (borrowed: they must outlive the
 * api; with them the job reports no progress), or NULL: the defaults, seed
 * 1234, as `kith estimate --vault`. For a caller that needs shorter runs than
 * the defaults' (the unit tests, under valgrind). Call before serving. */
struct kith_estimate_opts;
void kith_web_api_set_estimate(struct kith_web_api *a, const struct kith_estimate_opts *o);

/* Closes the vault (wiping it) and frees the api. NULL allowed. */
void kith_web_api_free(struct kith_web_api *a);

/*
 * Unlocks: kith_vault_open with the passphrase (borrowed; the duress
 * passphrase behaves as in the CLI). An already open vault is replaced only
 * when the new open succeeds. KITH_OK, or the statuses of kith_vault_open
 * (KITH_E_AUTH for a wrong passphrase); on failure the previous state stays.
 */
int kith_web_api_unlock(struct kith_web_api *a, const char *pass, size_t len, struct kith_err *err) KITH_WUR;

/* Locks: frees the search index and closes the vault (keys wiped). */
void kith_web_api_lock(struct kith_web_api *a);

/* Whether a vault is open. */
int kith_web_api_unlocked(const struct kith_web_api *a);

/* Panic: locks, then destroys this device's keys in the file
 * (kith_vault_panic). KITH_OK or its statuses. */
int kith_web_api_panic(struct kith_web_api *a, struct kith_err *err) KITH_WUR;

/* Panic confirmed by a passphrase (borrowed): the real one or the duress
 * one (which destroys the keys as it opens) must open the vault, then the
 * keys are destroyed as by kith_web_api_panic. KITH_OK, KITH_E_AUTH (wrong
 * passphrase: nothing destroyed), the statuses of kith_vault_open and
 * kith_vault_panic. */
int kith_web_api_panic_with(struct kith_web_api *a, const char *pass, size_t len,
			    struct kith_err *err) KITH_WUR;

/*
 * Brings the open vault up to date with its file (kith_vault_refresh): cases
 * another process wrote (kith add while the server runs) become visible and
 * editable. When the vault found its keys destroyed by another process
 * (kith panic), locks and returns 1; 0 otherwise, also when locked. Call
 * under the server's exclusive lock.
 */
int kith_web_api_refresh(struct kith_web_api *a);

/*
 * Notices a panic (or passphrase change) made by another process while the
 * vault is open here: when the vault file or its -wal changed since the last
 * look (stat), compares the main key slot with the one seen at unlock; when
 * it changed or is gone, locks (keys wiped) and returns 1. 0 otherwise, and
 * when locked. Cheap when nothing changed (two stat calls).
 */
int kith_web_api_check_outside(struct kith_web_api *a);

/*
 * Answers one API request into resp (which must be KITH_WEB_RESPONSE_INIT or
 * released). Every outcome, success or error, is a complete response; the
 * return value is the status behind it (KITH_OK, or the error's status), for
 * logs and tests. A locked api answers 423 {"error": {"code": "locked"}}
 * except for /schema.
 */
int kith_web_api_handle(struct kith_web_api *a, const struct kith_web_request *req,
			struct kith_web_response *resp);

/* Whether the request leaves the vault alone (GET or HEAD of /schema): 1, or
 * 0 when it calls the vault and so needs the server's lock alone. `path` is
 * after "/api". */
int kith_web_api_reads_only(const char *method, const char *path);

/* Whether a panic destroyed this device's keys in the vault file (its main
 * key slot is gone): the unlock page then says so rather than "wrong
 * passphrase". 1 yes, 0 no or unknown. */
int kith_web_api_keys_destroyed(const struct kith_web_api *a);

/* Sets resp to the error {"error": {"code", "message", "field"}} with HTTP
 * status `http` (field may be NULL or ""). Returns `status`. */
int kith_web_api_error(struct kith_web_response *resp, unsigned http, int status, const char *code,
		       const char *message, const char *field);

/* Sets resp from a library error: the HTTP status and code follow err->status
 * (400 invalid, 401 auth, 404 not found, 409 exists, 413 limit, 423 locked,
 * 500 otherwise), the field is err->where. Returns err->status. */
int kith_web_api_fail(struct kith_web_response *resp, const struct kith_err *err);

/* Sets resp to the JSON value j (borrowed), 200 unless resp->http was set
 * to something else before. KITH_OK or KITH_E_NOMEM (then a 500 error). */
int kith_web_api_json(struct kith_web_response *resp, const json_t *j);

/* Sets resp to j and frees it (consumed): what a route answers with a value
 * it built; a NULL j (json_pack or json_array that failed) is the 500 "out of
 * memory" error. KITH_OK, or KITH_E_NOMEM. */
int kith_web_api_reply(struct kith_web_response *resp, json_t *j);

/* The request's body as a JSON object (the caller's reference), or NULL
 * with a 400 "bad_json" error response written. */
json_t *kith_web_api_body_object(const struct kith_web_request *req, struct kith_web_response *resp);

/* Who acts in a request, as the history of what it writes records it: the
 * session's reviewer (req->reviewer), else this device's id, copied into
 * buf. Borrowed (req's string or buf). */
const char *kith_web_api_who(struct kith_vault *v, const struct kith_web_request *req,
			     char buf[KITH_VAULT_DEVICE_HEX]);

/* Wipes and frees the response body; resp is left as KITH_WEB_RESPONSE_INIT. */
void kith_web_response_release(struct kith_web_response *resp);

#endif
