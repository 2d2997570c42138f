/*
 * api — the JSON routes of `kith serve` (the list is in api.h).
 *
 * Every route calls the functions the CLI calls: kith_vault_* for records,
 * kith_search_* for names, kith_caseio_* for files. Plaintext leaves only
 * through struct kith_web_response's wiping buffer; JSON is rendered into it
 * with json_dump_callback, so jansson's own output buffer never holds it.
 * (jansson's parsed values are wiped when freed: kith_process_init.)
 */
#include "web/api.h"
#include "web/api_attach.h"
#include "web/api_drafts.h"
#include "web/api_integrity.h"
#include "web/api_keys.h"
#include "web/api_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "record/caseio.h"
#include "record/record.h"
#include "casework/cases.h"
#include "casework/exchange.h"
#include "casework/figures.h"
#include "casework/together.h"
#include "casework/review.h"
#include "casework/tracelist.h"
#include "casework/people.h"
#include "web/api_centre.h"
#include "web/api_people.h"
#include "casework/search.h"
#include "vault/crypto.h"
#include "vault/store.h"
#include "vault/vault.h"
#include "casework/linkstatus.h"
#include "casework/linkvault.h"
#include "casework/propose.h"
#include "casework/trace.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500
#define SEARCH_DEFAULT 20
#define SEARCH_MAX 200
#define SEARCH_SLOTS KITH_WEB_API_SEARCH_MAX /* searches that can run at once (each has its own index) */

struct search_slot {
	pthread_mutex_t mu;
	struct kith_search *s; /* built on first use; freed by lock */
};

struct kith_web_api {
	char *path;
	struct kith_vault *v;
	struct search_slot slots[SEARCH_SLOTS];
	unsigned n_slots;      /* in use: one per request thread (each index is a copy of every name) */
	unsigned link_threads; /* threads of a linkage run (POST /links/propose); 0: the processors */
	const struct kith_estimate_opts *est; /* POST /estimate's options (borrowed), or NULL */
	atomic_uint next_slot;		      /* where the next search starts looking */
	struct {
		char name[64];
		uint8_t *data;
		size_t len;
		int own;
	} staged[KITH_TOGETHER_MAX_FILES]; /* encodings for POST /pprl/link */
	size_t n_staged;
	struct job *job; /* the last long run (GET /job) */
	unsigned long job_seq;
	/* what the file looked like when last checked (kith_web_api_check_outside) */
	struct stat seen[2]; /* the vault file and its -wal */
	int seen_ok[2];
	unsigned char slot_fp[crypto_generichash_BYTES]; /* hash of the main key slot (ciphertext) */
	int slot_fp_ok;
};

static void staged_clear(struct kith_web_api *a);
struct job;
static void job_drop(struct kith_web_api *a);

/* ---------------------------------------------------------------- responses */

void kith_web_response_release(struct kith_web_response *resp)
{
	if (resp->stream_free)
		resp->stream_free(resp->stream_cls);
	resp->stream = NULL;
	resp->stream_free = NULL;
	resp->stream_cls = NULL;
	kith_sbuf_release(&resp->body);
	resp->http = 200;
	resp->content_type = "application/json";
	resp->filename[0] = '\0';
}

/* A dump into a buffer whose failure sticks: jansson (2.14) ignores the
 * callback's failure while it writes an object's key and goes on, so one
 * failed write would drop a key from an output reported whole. */
struct sink {
	struct kith_sbuf *sb;
	int failed;
};

static int dump_cb(const char *buf, size_t size, void *data)
{
	struct sink *s = data;
	if (s->failed || kith_sbuf_add(s->sb, buf, size))
		s->failed = 1;
	return s->failed ? -1 : 0;
}

int kith_web_api_json(struct kith_web_response *resp, const json_t *j)
{
	kith_sbuf_reset(&resp->body);
	resp->content_type = "application/json";
	struct sink s = {&resp->body, 0};
	if (!j || json_dump_callback(j, dump_cb, &s, JSON_COMPACT | JSON_ENCODE_ANY) != 0 || s.failed) {
		kith_sbuf_reset(&resp->body);
		resp->http = 500;
		if (kith_sbuf_adds(
			&resp->body,
			"{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\",\"field\":null}}"))
			return KITH_E_NOMEM;
		return KITH_E_NOMEM;
	}
	return KITH_OK;
}

int kith_web_api_reply(struct kith_web_response *resp, json_t *j)
{
	if (!j)
		return kith_web_api_error(resp, 500, KITH_E_NOMEM, "internal", "out of memory", NULL);
	int rc = kith_web_api_json(resp, j);
	json_decref(j);
	return rc;
}

json_t *kith_web_api_body_object(const struct kith_web_request *req, struct kith_web_response *resp)
{
	json_error_t je;
	json_t *j = req->body && req->body_len
			? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je)
			: NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		kith_web_api_error(resp, 400, KITH_E_INVALID, "bad_json", "a JSON object is expected", NULL);
		return NULL;
	}
	return j;
}

int kith_web_api_error(struct kith_web_response *resp, unsigned http, int status, const char *code,
		       const char *message, const char *field)
{
	json_t *e = json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", code, "message",
			      message ? message : "", "field", field && *field ? field : NULL);
	resp->http = http;
	resp->filename[0] = '\0';
	int rc = kith_web_api_json(resp, e);
	resp->http = http;
	json_decref(e);
	return rc ? rc : status;
}

static unsigned http_of(int status)
{
	switch (status) {
	case KITH_E_INVALID:
		return 400;
	case KITH_E_AUTH:
		return 401;
	case KITH_E_CONSENT:
	case KITH_E_DENIED:
		return 403;
	case KITH_E_NOTFOUND:
		return 404;
	case KITH_E_EXISTS:
		return 409;
	case KITH_E_LIMIT:
		return 413;
	case KITH_E_LOCKED:
		return 423;
	case KITH_E_CORRUPT:
		return 422;
	case KITH_E_NOTVAULT:
		return 422;
	default:
		return 500;
	}
}

static const char *code_of(int status)
{
	switch (status) {
	case KITH_E_INVALID:
		return "invalid";
	case KITH_E_AUTH:
		return "auth";
	case KITH_E_NOTFOUND:
		return "not_found";
	case KITH_E_EXISTS:
		return "exists";
	case KITH_E_CORRUPT:
		return "corrupt";
	case KITH_E_NOTVAULT:
		return "not_vault";
	case KITH_E_LIMIT:
		return "limit";
	case KITH_E_IO:
		return "io";
	case KITH_E_LOCKED:
		return "locked";
	case KITH_E_CONSENT:
		return "consent";
	case KITH_E_CANCELLED:
		return "cancelled";
	case KITH_E_DENIED:
		return "denied";
	default:
		return "internal";
	}
}

int kith_web_api_fail(struct kith_web_response *resp, const struct kith_err *err)
{
	int st = err && err->status ? err->status : KITH_E_INTERNAL;
	const char *msg = err && err->msg[0] ? err->msg : kith_status_str(st);
	return kith_web_api_error(resp, http_of(st), st, code_of(st), msg, err ? err->where : NULL);
}

static int bad(struct kith_web_response *resp, const char *field, const char *msg)
{
	return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid", msg, field);
}

/* Room kept in the answer's buffer before a POST runs, so that a write that
 * was committed can always say so: the minimal answer of committed() needs no
 * allocation. */
#define COMMITTED_RESERVE 128

/*
 * The answer to a write that was committed: j (consumed) with HTTP `http`.
 * When j is NULL or cannot be encoded (out of memory), the minimal answer
 * {"committed":true,"id":ID|null} with the same HTTP status, written into the
 * room kith_web_api_handle reserved: never a 500 after the write, which a
 * client would take for a failure and send again (a duplicate). KITH_OK.
 */
static int committed(struct kith_web_response *resp, unsigned http, json_t *j, const char *id)
{
	int rc = j ? kith_web_api_json(resp, j) : KITH_E_NOMEM;
	json_decref(j);
	resp->http = http;
	resp->content_type = "application/json";
	resp->filename[0] = '\0';
	if (rc == KITH_OK)
		return KITH_OK;
	char min[COMMITTED_RESERVE];
	int hex = id && strlen(id) == KITH_VAULT_ID_HEX - 1 && strspn(id, "0123456789abcdef") == strlen(id);
	snprintf(min, sizeof min, "{\"committed\":true,\"id\":%s%s%s}", hex ? "\"" : "", hex ? id : "null",
		 hex ? "\"" : "");
	kith_sbuf_reset(&resp->body);
	if (kith_sbuf_adds(&resp->body, min)) /* fits the reserve: cannot fail after the handler's grow */
		resp->body.len = 0;
	return KITH_OK;
}

/* ------------------------------------------------------------- lifecycle */

int kith_web_api_new(struct kith_web_api **out, const char *path, struct kith_err *err)
{
	struct kith_web_api *a = calloc(1, sizeof *a);
	if (!a || !(a->path = strdup(path))) {
		free(a);
		return kith_err_set(err, KITH_E_NOMEM, "web", "out of memory");
	}
	for (size_t i = 0; i < SEARCH_SLOTS; i++) {
		if (pthread_mutex_init(&a->slots[i].mu, NULL)) {
			while (i-- > 0)
				pthread_mutex_destroy(&a->slots[i].mu);
			free(a->path);
			free(a);
			return kith_err_set(err, KITH_E_INTERNAL, "web", "cannot create a mutex");
		}
	}
	a->n_slots = KITH_WEB_API_SEARCH_DEFAULT;
	*out = a;
	return KITH_OK;
}

void kith_web_api_lock(struct kith_web_api *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < SEARCH_SLOTS; i++) {
		kith_search_free(a->slots[i].s);
		a->slots[i].s = NULL;
	}
	kith_vault_close(a->v);
	a->v = NULL;
	staged_clear(a);
	job_drop(a);
}

void kith_web_api_free(struct kith_web_api *a)
{
	if (!a)
		return;
	kith_web_api_lock(a);
	for (size_t i = 0; i < SEARCH_SLOTS; i++)
		pthread_mutex_destroy(&a->slots[i].mu);
	free(a->path);
	free(a);
}

void kith_web_api_set_link_threads(struct kith_web_api *a, unsigned n)
{
	a->link_threads = n;
}

void kith_web_api_set_estimate(struct kith_web_api *a, const struct kith_estimate_opts *o)
{
	a->est = o;
}

void kith_web_api_set_searches(struct kith_web_api *a, unsigned n)
{
	if (n < 1)
		n = 1;
	if (n > SEARCH_SLOTS)
		n = SEARCH_SLOTS;
	a->n_slots = n;
}

/* The vault file and its -wal, by stat. */
static void stat_file(const char *path, struct stat st[2], int ok[2])
{
	char wal[4096];
	snprintf(wal, sizeof wal, "%s-wal", path);
	memset(st, 0, 2 * sizeof *st);
	ok[0] = stat(path, &st[0]) == 0;
	ok[1] = stat(wal, &st[1]) == 0;
}

static int same_stat(const struct stat a[2], const int aok[2], const struct stat b[2], const int bok[2])
{
	for (int i = 0; i < 2; i++) {
		if (aok[i] != bok[i])
			return 0;
		if (aok[i] && (a[i].st_ino != b[i].st_ino || a[i].st_size != b[i].st_size ||
			       a[i].st_mtim.tv_sec != b[i].st_mtim.tv_sec ||
			       a[i].st_mtim.tv_nsec != b[i].st_mtim.tv_nsec))
			return 0;
	}
	return 1;
}

/* A hash of the main key slot as the file holds it now (ciphertext only).
 * 0, or -1 when the slot is gone or cannot be read. */
static int slot_fingerprint(const char *path, unsigned char fp[crypto_generichash_BYTES])
{
	struct kith_store *st = NULL;
	uint8_t n[KITH_CRYPTO_NONCE_BYTES], b[KITH_CRYPTO_SLOT_BOX_BYTES];
	if (kith_store_open(&st, path, NULL))
		return -1;
	int rc = kith_store_slot_get(st, "main", n, sizeof n, b, sizeof b, NULL);
	kith_store_close(st);
	if (rc)
		return -1;
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
	crypto_generichash_update(&h, n, sizeof n);
	crypto_generichash_update(&h, b, sizeof b);
	crypto_generichash_final(&h, fp, crypto_generichash_BYTES);
	return 0;
}

int kith_web_api_keys_destroyed(const struct kith_web_api *a)
{
	/* a panic shreds every key slot (zeros) and deletes it; a file that
	 * cannot be read is not called destroyed (the unlock says what is wrong) */
	struct kith_store *st = NULL;
	struct kith_store_slot *sl = NULL;
	size_t n = 0;
	if (kith_store_open(&st, a->path, NULL))
		return 0;
	int rc = kith_store_slots_all(st, &sl, &n, NULL);
	kith_store_close(st);
	if (rc)
		return 0;
	int alive = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sl[i].box_len && !alive; k++)
			alive = sl[i].box[k] != 0;
	free(sl);
	return !alive;
}

static void remember_file(struct kith_web_api *a)
{
	stat_file(a->path, a->seen, a->seen_ok);
	a->slot_fp_ok = slot_fingerprint(a->path, a->slot_fp) == 0;
}

int kith_web_api_unlocked(const struct kith_web_api *a)
{
	return a && a->v != NULL;
}

int kith_web_api_unlock(struct kith_web_api *a, const char *pass, size_t len, struct kith_err *err)
{
	struct kith_vault *v = NULL;
	int rc = kith_vault_open(&v, a->path, pass, len, NULL, NULL, err);
	if (rc)
		return rc;
	kith_web_api_lock(a);
	a->v = v;
	remember_file(a);
	return KITH_OK;
}

int kith_web_api_panic(struct kith_web_api *a, struct kith_err *err)
{
	kith_web_api_lock(a);
	return kith_vault_panic(a->path, err);
}

int kith_web_api_panic_with(struct kith_web_api *a, const char *pass, size_t len, struct kith_err *err)
{
	int rc = kith_web_api_unlock(a, pass, len, err);
	if (rc)
		return rc;
	return kith_web_api_panic(a, err);
}

int kith_web_api_refresh(struct kith_web_api *a)
{
	if (!a->v)
		return 0;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_vault_refresh(a->v, &err);
	if (rc == KITH_E_LOCKED) {
		kith_web_api_lock(a);
		return 1;
	}
	/* any other failure: the request answers from the index as it is (a
	 * write on a stale index is refused by the vault itself) */
	return 0;
}

int kith_web_api_check_outside(struct kith_web_api *a)
{
	if (!a->v)
		return 0;
	struct stat now[2];
	int ok[2];
	stat_file(a->path, now, ok);
	if (same_stat(now, ok, a->seen, a->seen_ok))
		return 0;
	unsigned char fp[crypto_generichash_BYTES];
	int fp_ok = slot_fingerprint(a->path, fp) == 0;
	if (fp_ok && a->slot_fp_ok && sodium_memcmp(fp, a->slot_fp, sizeof fp) == 0) {
		memcpy(a->seen, now, sizeof now);
		memcpy(a->seen_ok, ok, sizeof ok);
		return 0; /* a write, not a key change */
	}
	kith_web_api_lock(a);
	return 1;
}

/* ------------------------------------------------------------- helpers */

static const char *q(const struct kith_web_request *req, const char *key)
{
	return req->query ? req->query(req->query_cls, key) : NULL;
}

/* Parses a non-negative decimal query parameter; def when absent; -1 when malformed. */
static long long q_num(const struct kith_web_request *req, const char *key, long long def, long long max)
{
	const char *s = q(req, key);
	if (!s || !*s)
		return def;
	long long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > 1000000000LL)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v > max ? max : v;
}

static const char *str_at(const json_t *j, const char *a, const char *b)
{
	const json_t *x = json_object_get(j, a);
	if (b)
		x = json_object_get(x, b);
	return json_is_string(x) ? json_string_value(x) : "";
}

static json_t *view_json(const struct kith_record_view *r)
{
	json_t *body = kith_record_view_json(r);
	if (!body)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:o}", "id", r->id, "kind", r->kind, "ref",
			 r->ref ? r->ref : "", "version", (int)r->version, "at", (json_int_t)r->at, "device",
			 r->device ? r->device : "", "action", r->action ? r->action : "", "note",
			 r->note ? r->note : "", "body", body);
}

/* Parses the request body as a JSON object; on failure answers 400. */
static json_t *parse_body(const struct kith_web_request *req, struct kith_web_response *resp)
{
	json_error_t je;
	if (!req->body || req->body_len == 0) {
		bad(resp, NULL, "empty request body: a JSON object is expected");
		return NULL;
	}
	unsigned long failed = kith_json_alloc_failures();
	json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (kith_json_alloc_failures() != failed) { /* jansson may misreport it, or alter j */
		json_decref(j);
		kith_web_api_error(resp, 500, KITH_E_NOMEM, "internal", "out of memory", NULL);
		return NULL;
	}
	if (!j) {
		char msg[160];
		snprintf(msg, sizeof msg, "malformed JSON at line %d column %d", je.line, je.column);
		kith_web_api_error(resp, 400, KITH_E_INVALID, "bad_json", msg, NULL);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		bad(resp, NULL, "a JSON object is expected");
		return NULL;
	}
	return j;
}

/* ---------------------------------------------------------------- routes */

static int r_schema(struct kith_web_response *resp)
{
	return kith_web_api_reply(resp, kith_record_schema_json());
}

static int r_info(struct kith_web_api *a, struct kith_web_response *resp)
{
	struct kith_vault_info info;
	kith_vault_info(a->v, &info);
	size_t nd = 0, nc = 0;
	const struct kith_vault_damage *d = kith_vault_damaged(a->v, &nd);
	(void)kith_vault_records(a->v, "case", &nc);
	json_t *dam = json_array();
	for (size_t i = 0; dam && i < nd; i++)
		json_array_append_new(dam, json_pack("{s:s, s:s, s:i, s:s}", "id", d[i].id, "ref", d[i].ref,
						     "version", (int)d[i].version, "reason",
						     d[i].reason ? d[i].reason : ""));
	/* Only what this device can read. Whether it holds the organization
	 * secret, the rows it cannot read and the count of all rows would tell
	 * a duress vault (fresh keys, every old row unreadable) from a real one:
	 * they are left out (docs/threat-model.md, "Web UI"). */
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o?}", "vault_id", info.vault_id, "device_id",
			      info.device_id, "kdf", info.kdf_name ? info.kdf_name : "", "records",
			      (json_int_t)info.records, "cases", (json_int_t)nc, "damaged",
			      (json_int_t)info.damaged, "damaged_records", dam);
	kith_web_people_annotate(a->v, o, kith_vault_person(a->v)); /* api_people.c: who unlocked */
	return kith_web_api_reply(resp, o);
}

/* The case list, filtered, sorted and paged by casework/cases.h as `kith list`. */
static int r_cases(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	long long off = q_num(req, "offset", 0, (long long)1 << 40);
	long long lim = q_num(req, "limit", PAGE_DEFAULT, PAGE_MAX);
	const char *order = q(req, "order"), *sort = q(req, "sort");
	if (off < 0)
		return bad(resp, "offset", "offset must be a number");
	if (lim < 0)
		return bad(resp, "limit", "limit must be a number");
	if (lim == 0)
		lim = PAGE_DEFAULT;
	if (order && *order && strcmp(order, "asc") && strcmp(order, "desc"))
		return bad(resp, "order", "order must be asc or desc");
	struct kith_cases_query cq = {.offset = (size_t)off, .limit = (size_t)lim};
	if (sort && *sort && kith_cases_sort_parse(sort, &cq.sort))
		return bad(resp, "sort", "sort must be recent, ref, name or follow-up");
	/* "desc" is the natural order of each sort: newest first, A to Z */
	cq.reverse = order && !strcmp(order, cq.sort == KITH_CASES_RECENT ? "asc" : "desc");
	const char *f;
	cq.status = (f = q(req, "status")) && *f ? f : NULL;
	cq.province = (f = q(req, "province")) && *f ? f : NULL;
	cq.sex = (f = q(req, "sex")) && *f ? f : NULL;
	cq.need = (f = q(req, "need")) && *f ? f : NULL;
	f = q(req, "assigned");
	cq.assigned = f && !strcmp(f, "-") ? "" : f && *f ? f : NULL; /* "-": the unassigned cases */
	cq.has_conflict = (f = q(req, "has_conflict")) && !strcmp(f, "1");
	cq.due = (f = q(req, "due")) && !strcmp(f, "1");
	cq.today = (f = q(req, "today")) && *f ? f : NULL;
	struct kith_err err;
	kith_err_clear(&err);
	json_t *items = NULL;
	size_t total = 0;
	int rc = kith_cases_list(a->v, &cq, &items, &total, &err);
	if (rc == KITH_E_INVALID)
		return bad(resp, err.where, err.msg);
	if (rc)
		return kith_web_api_reply(resp, NULL);
	return kith_web_api_reply(resp,
				  json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset",
					    (json_int_t)off, "limit", (json_int_t)lim, "items", items));
}

static int r_search(struct kith_web_api *a, const struct kith_web_request *req,
		    struct kith_web_response *resp)
{
	const char *query = q(req, "q");
	long long lim = q_num(req, "limit", SEARCH_DEFAULT, SEARCH_MAX);
	long long off = q_num(req, "offset", 0, 100000000);
	if (!query || !*query)
		return bad(resp, "q", "give a name to search for");
	if (lim < 0)
		return bad(resp, "limit", "limit must be a number");
	if (off < 0)
		return bad(resp, "offset", "offset must be a number");
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_people_allow(a->v, KITH_PEOPLE_NAMES, &err)) /* casework/people.h */
		return kith_web_api_fail(resp, &err);
	/* a free slot of the pool, else wait for the one this search starts at */
	unsigned ns = a->n_slots;
	unsigned start = atomic_fetch_add_explicit(&a->next_slot, 1u, memory_order_relaxed) % ns;
	struct search_slot *slot = NULL;
	for (unsigned i = 0; i < ns && !slot; i++)
		if (pthread_mutex_trylock(&a->slots[(start + i) % ns].mu) == 0)
			slot = &a->slots[(start + i) % ns];
	if (!slot) {
		slot = &a->slots[start];
		pthread_mutex_lock(&slot->mu);
	}
	if (!slot->s && kith_search_new(&slot->s, a->v, &err)) {
		pthread_mutex_unlock(&slot->mu);
		return kith_web_api_fail(resp, &err);
	}
	struct kith_search_opts so = {(size_t)lim, (size_t)off, 0};
	struct kith_search_result sr = {NULL, 0, 0};
	int rc = kith_search_query(slot->s, query, strlen(query), &so, &sr, &err);
	const struct kith_search_hit *hits = sr.hits;
	size_t n = sr.n;
	if (rc) {
		pthread_mutex_unlock(&slot->mu);
		if (!err.where[0] || !strcmp(err.where, "query"))
			snprintf(err.where, sizeof err.where, "q");
		return kith_web_api_fail(resp, &err);
	}
	json_t *items = json_array();
	for (size_t i = 0; items && i < n; i++) {
		json_t *s = kith_cases_summary(hits[i].view);
		if (!s) {
			json_decref(items);
			items = NULL;
			break;
		}
		json_object_set_new(s, "matched", json_string(hits[i].matched ? hits[i].matched : ""));
		json_object_set_new(s, "score", json_real(hits[i].score));
		json_array_append_new(items, s);
	}
	pthread_mutex_unlock(&slot->mu);		      /* the hits are no longer needed */
	if (items && kith_people_filter(a->v, items, &err)) { /* a caseworker's own cases */
		json_decref(items);
		return kith_web_api_fail(resp, &err);
	}
	if (items && kith_cases_add_persons(a->v, items, &err)) { /* one person across merged cases */
		json_decref(items);
		items = NULL;
	}
	if (!items)
		return kith_web_api_reply(resp, NULL);
	return kith_web_api_reply(resp,
				  json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)sr.total, "offset",
					    (json_int_t)off, "limit", (json_int_t)lim, "items", items));
}

static int is_hex_id(const char *s)
{
	if (!s || strlen(s) != KITH_VAULT_ID_HEX - 1)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static int r_case(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	const char *ref = q(req, "ref"), *id = q(req, "id");
	const struct kith_record_view *r = NULL;
	if (id) {
		if (!is_hex_id(id))
			return bad(resp, "id", "id must be 32 lower-case hex digits");
		r = kith_vault_find_id(a->v, id);
		if (r && !strcmp(r->kind, "attachment"))
			r = NULL; /* its body holds the key of its bytes: api_attach.c answers for it */
	} else if (ref && *ref) {
		r = kith_vault_find(a->v, "case", ref);
	} else {
		return bad(resp, "ref", "give ref or id");
	}
	if (!r) {
		if (id ? kith_vault_find_damaged_id(a->v, id) : kith_vault_find_damaged(a->v, "case", ref))
			return kith_web_api_error(resp, 422, KITH_E_CORRUPT, "corrupt",
						  "this record failed verification: tampered or corrupted",
						  NULL);
		return kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "not_found", "no such record",
					  id ? "id" : "ref");
	}
	int prc = kith_web_people_gate(a->v, &r, "web", resp); /* api_people.c: roles; the view recorded */
	if (prc)
		return prc;
	json_t *o = view_json(r);
	kith_web_people_annotate(a->v, o, r->person);
	return kith_web_api_reply(resp, o);
}

static int r_history(struct kith_web_api *a, const struct kith_web_request *req,
		     struct kith_web_response *resp)
{
	const char *id = q(req, "id");
	if (!is_hex_id(id))
		return bad(resp, "id", "id must be 32 lower-case hex digits");
	struct kith_record_view *views = NULL;
	size_t n = 0;
	struct kith_err err;
	kith_err_clear(&err);
	const struct kith_record_view *cur = kith_vault_find_id(a->v, id);
	if (cur && !strcmp(cur->kind, "attachment")) /* the key of its bytes: GET /attachment/history */
		return kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "not_found", "no such record", "id");
	int prc = cur ? kith_web_people_gate(a->v, &cur, NULL, resp) /* api_people.c */
		  : kith_people_allow(a->v, KITH_PEOPLE_NAMES, &err) ? kith_web_api_fail(resp, &err)
								     : KITH_OK;
	if (prc)
		return prc;
	int rc = kith_vault_history(a->v, id, &views, &n, &err);
	if (rc && rc != KITH_E_CORRUPT)
		return kith_web_api_fail(resp, &err);
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		json_t *o = view_json(&views[i]);
		kith_web_people_annotate(a->v, o, views[i].person); /* api_people.c */
		int sig = kith_vault_version_signer(a->v, views[i].id, views[i].version, views[i].person);
		if (o) /* vault/person.h: "person", "device" or "other" */
			json_object_set_new(o, "signed",
					    json_string(sig == KITH_VAULT_SIGNED_PERSON	 ? "person"
							: sig == KITH_VAULT_SIGNED_OTHER ? "other"
											 : "device"));
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			arr = NULL;
		}
	}
	kith_vault_history_free(views, n);
	if (!arr)
		return kith_web_api_reply(resp, NULL);
	return kith_web_api_reply(
	    resp, json_pack("{s:s, s:o, s:b}", "id", id, "versions", arr, "damaged", rc == KITH_E_CORRUPT));
}

/* A failed put: the vault's version conflict (expect_version, where
 * "version") is a stale edit; anything else as it comes. */
const char *kith_web_api_who(struct kith_vault *v, const struct kith_web_request *req,
			     char buf[KITH_VAULT_DEVICE_HEX])
{
	if (req->reviewer)
		return req->reviewer;
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	memcpy(buf, info.device_id, KITH_VAULT_DEVICE_HEX);
	return buf;
}

static int put_fail(struct kith_web_response *resp, const struct kith_err *err)
{
	if (err->status == KITH_E_EXISTS && !strcmp(err->where, "version"))
		return kith_web_api_error(
		    resp, 409, KITH_E_EXISTS, "stale",
		    "the record was changed since this edit began: reload it and edit again",
		    "expect_version");
	return kith_web_api_fail(resp, err);
}

static const char *opt_str(const json_t *req, const char *key, struct kith_web_response *resp, int *bad_out)
{
	const json_t *x = json_object_get(req, key);
	if (!x || json_is_null(x))
		return NULL;
	if (!json_is_string(x)) {
		bad(resp, key, "must be a string");
		*bad_out = 1;
		return NULL;
	}
	return json_string_value(x);
}

/* The answer to a committed write of record `id`: {id, ref, version} with
 * HTTP `http`, or committed()'s minimal answer. */
static int answer_written(struct kith_web_api *a, struct kith_web_response *resp, unsigned http,
			  const char *id)
{
	const struct kith_record_view *r = kith_vault_find_id(a->v, id);
	json_t *j = r ? json_pack("{s:s, s:s, s:i}", "id", r->id, "ref", r->ref ? r->ref : "", "version",
				  (int)r->version)
		      : NULL;
	return committed(resp, http, j, id);
}

static int r_create(struct kith_web_api *a, const struct kith_web_request *req,
		    struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	int rc, isbad = 0;
	json_t *body = json_object_get(j, "body");
	const char *note = opt_str(j, "note", resp, &isbad);
	if (isbad) {
		json_decref(j);
		return KITH_E_INVALID;
	}
	if (!json_is_object(body)) {
		json_decref(j);
		return bad(resp, "body", "the case is missing: give {\"body\": {...}}");
	}
	struct kith_vault_put_opts o = {
	    .create_only = 1, .action = "create", .note = note && *note ? note : NULL};
	char ref[KITH_VAULT_REF_MAX] = "", id[KITH_VAULT_ID_HEX] = "";
	struct kith_err err;
	kith_err_clear(&err);
	rc = kith_people_allow(a->v, KITH_PEOPLE_WRITE, &err); /* casework/people.h */
	if (!rc)
		rc = kith_vault_put_alone(a->v, "case", body, &o, ref, id, NULL, NULL, &err);
	json_decref(j);
	if (rc)
		return kith_web_api_fail(resp, &err);
	return answer_written(a, resp, 201, id);
}

static int r_edit(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	int isbad = 0, rc;
	const char *id = opt_str(j, "id", resp, &isbad);
	const char *note = isbad ? NULL : opt_str(j, "note", resp, &isbad);
	json_t *body = json_object_get(j, "body");
	const json_t *ev = json_object_get(j, "expect_version");
	if (isbad) {
		rc = KITH_E_INVALID;
		goto out;
	}
	if (!is_hex_id(id)) {
		rc = bad(resp, "id", "id must be 32 lower-case hex digits");
		goto out;
	}
	if (!json_is_object(body)) {
		rc = bad(resp, "body", "the case is missing: give {\"body\": {...}}");
		goto out;
	}
	if (!json_is_integer(ev) || json_integer_value(ev) < 1 || json_integer_value(ev) > 0xffffffffLL) {
		rc = bad(resp, "expect_version", "expect_version must be the version the edit started from");
		goto out;
	}
	const struct kith_record_view *cur = kith_vault_find_id(a->v, id);
	if (!cur || strcmp(cur->kind, "case")) {
		rc = kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "not_found", "no such case", "id");
		goto out;
	}
	struct kith_err perr; /* casework/people.h */
	kith_err_clear(&perr);
	if (kith_people_allow_case(a->v, KITH_PEOPLE_WRITE, cur, &perr)) {
		rc = kith_web_api_fail(resp, &perr);
		goto out;
	}
	if (cur->version != (uint32_t)json_integer_value(ev)) {
		rc = kith_web_api_error(
		    resp, 409, KITH_E_EXISTS, "stale",
		    "the case was changed since this edit began: reload it and edit again", "expect_version");
		goto out;
	}
	struct kith_vault_put_opts o = {.id = id,
					.action = "edit",
					.note = note && *note ? note : NULL,
					.expect_version = (uint32_t)json_integer_value(ev)};
	char ref[KITH_VAULT_REF_MAX] = "", nid[KITH_VAULT_ID_HEX] = "";
	struct kith_err err;
	kith_err_clear(&err);
	rc = kith_vault_put_alone(a->v, "case", body, &o, ref, nid, NULL, NULL, &err);
	if (rc) {
		rc = put_fail(resp, &err);
		goto out;
	}
	rc = answer_written(a, resp, 200, nid);
out:
	json_decref(j);
	return rc;
}

/* ------------------------------------------------------ import / export */

static int r_import(struct kith_web_api *a, const struct kith_web_request *req,
		    struct kith_web_response *resp)
{
	const char *fmt = q(req, "format");
	const char *name = q(req, "name");
	enum kith_caseio_format f = KITH_CASEIO_AUTO;
	if (fmt && *fmt && (kith_caseio_format_parse(fmt, &f) != KITH_OK))
		return bad(resp, "format", "format must be json, jsonl or csv");
	if (!req->body || req->body_len == 0)
		return bad(resp, NULL, "the file is empty");
	/* the file name is shown in file:line:field errors: keep it short and plain */
	char label[64];
	snprintf(label, sizeof label, "%s", name && *name ? name : "upload");
	for (char *p = label; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == ':' || *p == '/' || *p == '\\')
			*p = '_';
	if (f == KITH_CASEIO_AUTO)
		f = kith_caseio_format_of_path(label);
	struct kith_err err;
	kith_err_clear(&err);
	json_t **bodies = NULL;
	size_t n = 0, *lines = NULL;
	int rc =
	    kith_caseio_parse_lines(f, "case", req->body, req->body_len, label, 0, &bodies, &lines, &n, &err);
	if (rc)
		return kith_web_api_fail(resp, &err);
	if (n == 0) {
		kith_caseio_free(bodies, n);
		free(lines);
		return bad(resp, NULL, "no cases in the file; nothing imported");
	}
	/* all or nothing: one batch of new cases, as `kith import` does */
	struct kith_exchange_import_result res;
	rc = kith_exchange_import_lines(a->v, bodies, lines, n, label, NULL, NULL, &res, &err);
	kith_caseio_free(bodies, n);
	free(lines);
	if (rc)
		return kith_web_api_fail(resp, &err);
	return committed(resp, 200,
			 json_pack("{s:I, s:I, s:I}", "records", (json_int_t)res.n, "created",
				   (json_int_t)res.n, "updated", (json_int_t)0),
			 NULL);
}

static int r_export(struct kith_web_api *a, const struct kith_web_request *req,
		    struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const char *fmt = str_at(j, "format", NULL);
	const char *consent = str_at(j, "consent", NULL);
	const char *lang = str_at(j, "lang", NULL); /* "" when not given: English */
	struct kith_exchange_export_opts eo = {0};
	if (!strcmp(fmt, "jsonl")) {
		eo.format = KITH_EXCHANGE_JSONL;
	} else if (!strcmp(fmt, "csv")) {
		eo.format = KITH_EXCHANGE_CSV;
	} else if (!strcmp(fmt, "sheet")) {
		eo.format = KITH_EXCHANGE_SHEET;
	} else {
		json_decref(j);
		return bad(resp, "format", "format must be jsonl, csv or sheet");
	}
	if (*lang && strcmp(lang, "en") && strcmp(lang, "ko")) {
		json_decref(j);
		return bad(resp, "lang", "lang must be en or ko");
	}
	eo.lang = !strcmp(lang, "ko") ? "ko" : "en";
	/* the page must choose: every case (the organization's own backup) or
	 * only those whose consent allows a use, as `kith export --consent` */
	if (strcmp(consent, "all") && !kith_exchange_consent_use_valid(consent)) {
		json_decref(j);
		return bad(resp, "consent", "consent must be all, services, reporting, tracing or sharing");
	}
	char use[16];
	snprintf(use, sizeof use, "%s", consent);
	json_decref(j);
	eo.consent = strcmp(use, "all") ? use : NULL;
	int csv = eo.format != KITH_EXCHANGE_JSONL;
	struct kith_err err;
	kith_err_clear(&err);
	kith_sbuf_reset(&resp->body);
	struct kith_exchange_export_result res;
	int rc = kith_exchange_export(a->v, &eo, &resp->body, &res, &err);
	if (!rc) { /* recorded before it is sent, as `kith export` does */
		char dev[KITH_VAULT_DEVICE_HEX];
		rc = kith_exchange_record(a->v, &eo, &res, 0, kith_web_api_who(a->v, req, dev), &err);
	}
	if (rc) {
		kith_sbuf_reset(&resp->body);
		return kith_web_api_fail(resp, &err);
	}
	resp->http = 200;
	resp->content_type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
	snprintf(resp->filename, sizeof resp->filename, "kith-cases.%s", csv ? "csv" : "jsonl");
	return KITH_OK;
}

/* ------------------------------------------------------ duplicate review */

/* Review goes through the linkage module's vault API (link/linkvault.h), as
 * `kith link review|confirm|reject|undo|propose` do: the same transitions and
 * the same records. */

/* One link of kith_link_vault_links_json, for the page: each case brief
 * replaced by the case's summary, and the reason of the latest decision. */
static json_t *link_item(struct kith_web_api *a, json_t *l)
{
	json_t *cases = json_array();
	if (!cases)
		return NULL;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(l, "cases"), i, c)
	{
		const char *cid = json_string_value(json_object_get(c, "id"));
		const struct kith_record_view *r = cid ? kith_vault_find_id(a->v, cid) : NULL;
		json_t *s =
		    r ? kith_cases_summary(r) : json_pack("{s:s, s:b}", "id", cid ? cid : "", "missing", 1);
		if (!s || json_array_append_new(cases, s)) {
			json_decref(cases);
			return NULL;
		}
	}
	const char *note = json_string_value(json_object_get(l, "note"));
	if (json_object_set_new(l, "cases", cases) ||
	    (note && *note && json_object_set_new(l, "reason", json_string(note))))
		return NULL;
	return l;
}

static int r_links(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	const char *want = q(req, "status");
	if (!want || !*want)
		want = "open";
	if (!kith_linkstatus_filter_valid(want))
		return bad(resp, "status",
			   "status must be open, proposed, confirmed, rejected, undone or all");
	long long lim = q_num(req, "limit", PAGE_DEFAULT, PAGE_MAX);
	long long off = q_num(req, "offset", 0, (long long)1 << 40);
	const char *ex = q(req, "explain");
	const char *only = q(req, "id");
	if (only && !is_hex_id(only))
		return bad(resp, "id", "id must be 32 lower-case hex digits");
	if (lim < 0 || off < 0)
		return bad(resp, lim < 0 ? "limit" : "offset", "must be a number");
	if (ex && strcmp(ex, "0") && strcmp(ex, "1"))
		return bad(resp, "explain", "explain must be 0 or 1");
	if (lim == 0)
		lim = PAGE_DEFAULT;
	struct kith_err err;
	kith_err_clear(&err);
	json_t *all = NULL;
	int rc = kith_link_vault_links_json(a->v, NULL, ex && !strcmp(ex, "1"), NULL, &all, &err);
	if (rc)
		return kith_web_api_fail(resp, &err);
	/* the reviewer's order and filters (casework/review.h) */
	struct kith_review_query rq = {0};
	if (kith_web_review_query(req->query, req->query_cls, &rq)) {
		json_decref(all);
		return bad(resp, "min_score", "min_score and max_score are numbers between 0 and 1");
	}
	json_t *sorted = NULL;
	rc = kith_review_order(all, &rq, &sorted, &err);
	json_decref(all);
	if (rc)
		return kith_web_api_fail(resp, &err);
	all = sorted;
	json_t *items = json_array();
	size_t total = 0, i;
	json_t *l;
	json_array_foreach(all, i, l)
	{
		const char *st = json_string_value(json_object_get(l, "status"));
		const char *lid = json_string_value(json_object_get(l, "id"));
		if (!items || !kith_linkstatus_shown(want, st) || (only && (!lid || strcmp(lid, only))))
			continue;
		if (total >= (size_t)off && total < (size_t)off + (size_t)lim &&
		    (!link_item(a, l) || json_array_append(items, l))) {
			json_decref(items);
			items = NULL;
		}
		total++;
	}
	json_decref(all);
	if (!items)
		return kith_web_api_reply(resp, NULL);
	return kith_web_api_reply(resp, json_pack("{s:I, s:o}", "total", (json_int_t)total, "items", items));
}

/* A decision on a link: confirmed, rejected, or undone ("proposed" is taken
 * as undone: the pair goes back for review). */
static int r_link(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	int isbad = 0, rc;
	const char *id = opt_str(j, "id", resp, &isbad);
	const char *status = isbad ? NULL : opt_str(j, "status", resp, &isbad);
	const char *reason = isbad ? NULL : opt_str(j, "reason", resp, &isbad);
	const json_t *ev = json_object_get(j, "expect_version");
	if (isbad) {
		rc = KITH_E_INVALID;
		goto out;
	}
	if (!is_hex_id(id)) {
		rc = bad(resp, "id", "id must be 32 lower-case hex digits");
		goto out;
	}
	status = kith_linkstatus_decision(status);
	if (!status) {
		rc = bad(resp, "status", "status must be confirmed, rejected or undone");
		goto out;
	}
	if (!json_is_integer(ev) || json_integer_value(ev) < 1 || json_integer_value(ev) > 0xffffffffLL) {
		rc = bad(resp, "expect_version", "expect_version must be the version shown");
		goto out;
	}
	const struct kith_record_view *cur = kith_vault_find_id(a->v, id);
	if (!cur || strcmp(cur->kind, "link")) {
		rc = kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "not_found", "no such link record", "id");
		goto out;
	}
	if (cur->version != (uint32_t)json_integer_value(ev)) {
		rc = kith_web_api_error(resp, 409, KITH_E_EXISTS, "stale",
					"this pair was decided elsewhere since it was shown: reload",
					"expect_version");
		goto out;
	}
	char nid[KITH_VAULT_ID_HEX] = "", dev[KITH_VAULT_DEVICE_HEX];
	struct kith_err err;
	kith_err_clear(&err);
	rc = kith_link_vault_set_status(a->v, id, status, kith_web_api_who(a->v, req, dev),
					reason && *reason ? reason : NULL, nid, &err);
	/* KITH_E_INVALID: a change the review rules do not allow (e.g. rejecting a confirmed link) */
	if (rc == KITH_E_INVALID)
		rc = kith_web_api_error(resp, 409, KITH_E_INVALID, "transition", err.msg, "status");
	else
		rc = rc ? put_fail(resp, &err) : answer_written(a, resp, 200, nid);
out:
	json_decref(j);
	return rc;
}

/* Runs record linkage over the vault's cases and proposes every likely
 * duplicate for review: kith_propose_vault, as `kith link propose` with no
 * option (the threads the server was given). */
static int r_link_run(struct kith_web_api *a, const struct kith_web_request *req,
		      struct kith_web_response *resp)
{
	char dev[KITH_VAULT_DEVICE_HEX];
	struct kith_propose_settings ps = {.threads = a->link_threads};
	struct kith_propose_result res;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_propose_vault(a->v, &ps, kith_web_api_who(a->v, req, dev), &res, &err);
	if (rc)
		return kith_web_api_fail(resp, &err);
	return committed(resp, 200,
			 json_pack("{s:I, s:I, s:I}", "cases", (json_int_t)res.cases, "proposed",
				   (json_int_t)res.proposed, "already_known", (json_int_t)res.already_known),
			 NULL);
}

/* A person proposes that cases are the same person: a new "link" record,
 * method "manual", status "proposed", for the review page. */
static int r_link_new(struct kith_web_api *a, const struct kith_web_request *req,
		      struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	int isbad = 0, rc;
	const char *reason = opt_str(j, "reason", resp, &isbad);
	const json_t *refs = json_object_get(j, "refs");
	if (isbad) {
		rc = KITH_E_INVALID;
		goto out;
	}
	if (!json_is_array(refs) || json_array_size(refs) < 2 ||
	    json_array_size(refs) > KITH_LINK_VAULT_MANUAL_MAX) {
		rc = bad(resp, "refs", "give the case numbers of 2 to 20 cases");
		goto out;
	}
	const char *list[KITH_LINK_VAULT_MANUAL_MAX];
	size_t i;
	const json_t *x;
	json_array_foreach(refs, i, x) list[i] = json_string_value(x); /* NULL: not a string, not found */
	char nid[KITH_VAULT_ID_HEX] = "", dev[KITH_VAULT_DEVICE_HEX];
	struct kith_err err;
	kith_err_clear(&err);
	rc = kith_link_vault_propose_refs(a->v, list, json_array_size(refs), reason,
					  kith_web_api_who(a->v, req, dev), nid, &err);
	if (rc == KITH_E_NOTFOUND)
		rc = kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "not_found", err.msg, err.where);
	else if (rc == KITH_E_INVALID)
		rc = bad(resp, "refs", err.msg);
	else
		rc = rc ? kith_web_api_fail(resp, &err) : answer_written(a, resp, 201, nid);
out:
	json_decref(j);
	return rc;
}

/* ---------------------------------------------------------------- tracing */

/* Family tracing goes through link/trace.h, as `kith trace` does. */

static int r_traces(struct kith_web_api *a, const struct kith_web_request *req,
		    struct kith_web_response *resp)
{
	long long lim = q_num(req, "limit", PAGE_DEFAULT, PAGE_MAX);
	long long off = q_num(req, "offset", 0, (long long)1 << 40);
	if (lim < 0 || off < 0)
		return bad(resp, lim < 0 ? "limit" : "offset", "must be a number");
	struct kith_tracelist_query tq = {.status = q(req, "status"),
					  .text = q(req, "q"),
					  .offset = (size_t)off,
					  .limit = lim ? (size_t)lim : PAGE_DEFAULT};
	struct kith_err err;
	kith_err_clear(&err);
	json_t *list = NULL;
	size_t total = 0;
	int rc = kith_tracelist_query(a->v, &tq, &list, &total, &err);
	if (rc == KITH_E_INVALID)
		return bad(resp, err.where, err.msg);
	if (rc)
		return kith_web_api_fail(resp, &err);
	return kith_web_api_reply(resp,
				  json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset",
					    (json_int_t)off, "limit", (json_int_t)tq.limit, "items", list));
}

static int r_trace_new(struct kith_web_api *a, const struct kith_web_request *req,
		       struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	json_t *body = json_object_get(j, "body");
	if (!json_is_object(body)) {
		json_decref(j);
		return bad(resp, "body", "the request is missing: give {\"body\": {...}}");
	}
	char refs[1][KITH_VAULT_REF_MAX];
	size_t bad_index = 0;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_trace_add(a->v, &body, 1, refs, &bad_index, &err);
	json_decref(j);
	if (rc)
		return kith_web_api_fail(resp, &err);
	const struct kith_record_view *r = kith_vault_find(a->v, "trace", refs[0]);
	return r ? answer_written(a, resp, 201, r->id) : committed(resp, 201, NULL, NULL);
}

/* One request with its candidates (kith_trace_match: writes nothing), each
 * candidate with its case's summary. A request that cannot be matched (its
 * consent, its seeker's case gone) is still shown, with match_error. */
static int r_trace(struct kith_web_api *a, const struct kith_web_request *req, struct kith_web_response *resp)
{
	const char *ref = q(req, "ref");
	if (!ref || !*ref)
		return bad(resp, "ref", "give the request's ref");
	const struct kith_record_view *r = kith_vault_find(a->v, "trace", ref);
	if (!r)
		return kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "not_found", "no such tracing request",
					  "ref");
	long long lim = q_num(req, "limit", KITH_TRACE_DEFAULT_LIMIT, 100);
	if (lim < 0)
		return bad(resp, "limit", "limit must be a number");
	struct kith_trace_opts o = {.limit = lim ? (size_t)lim : KITH_TRACE_DEFAULT_LIMIT,
				    .include_rejected = 1};
	struct kith_trace_result *res = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_trace_match(a->v, ref, &o, &res, &err);
	json_t *match = NULL, *merr = NULL;
	if (rc == KITH_OK) {
		match = kith_trace_result_json(res);
		kith_trace_result_free(res);
		if (!match)
			return kith_web_api_reply(resp, NULL);
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(match, "candidates"), i, c)
		{
			const char *cref = json_string_value(json_object_get(c, "ref"));
			const struct kith_record_view *cv = cref ? kith_vault_find(a->v, "case", cref) : NULL;
			json_t *s = cv ? kith_cases_summary(cv) : NULL;
			if (s)
				json_object_set_new(c, "case", s);
		}
	} else if (rc == KITH_E_NOMEM || rc == KITH_E_DB) {
		return kith_web_api_fail(resp, &err);
	} else {
		merr = json_pack("{s:s, s:s, s:s?}", "code", code_of(rc), "message", err.msg, "field",
				 err.where[0] ? err.where : NULL);
	}
	json_t *view = view_json(r);
	if (!view) {
		json_decref(match);
		json_decref(merr);
		return kith_web_api_reply(resp, NULL);
	}
	return kith_web_api_reply(
	    resp, json_pack("{s:o, s:o?, s:o?}", "request", view, "match", match, "match_error", merr));
}

static int r_trace_review(struct kith_web_api *a, const struct kith_web_request *req,
			  struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	int isbad = 0, rc;
	const char *ref = opt_str(j, "ref", resp, &isbad);
	const char *cref = isbad ? NULL : opt_str(j, "case", resp, &isbad);
	const char *verb = isbad ? NULL : opt_str(j, "verb", resp, &isbad);
	const char *note = isbad ? NULL : opt_str(j, "note", resp, &isbad);
	enum kith_trace_verb vb;
	if (isbad) {
		rc = KITH_E_INVALID;
	} else if (!ref || !*ref) {
		rc = bad(resp, "ref", "give the request's ref");
	} else if (!cref || !*cref) {
		rc = bad(resp, "case", "give the candidate case's ref");
	} else if (!verb || kith_trace_verb_parse(verb, &vb) != KITH_OK) {
		rc = bad(resp, "verb", "verb must be possible, confirm, reject or undo");
	} else {
		char dev[KITH_VAULT_DEVICE_HEX];
		struct kith_err err;
		kith_err_clear(&err);
		rc = kith_trace_review(a->v, ref, cref, vb, kith_web_api_who(a->v, req, dev),
				       note && *note ? note : NULL, &err);
		/* the input was checked above: what the review refuses now is a
		 * change its rules do not allow from the current state */
		if (rc == KITH_E_INVALID)
			rc = kith_web_api_error(resp, 409, KITH_E_INVALID, "transition", err.msg,
						err.where[0] ? err.where : "verb");
		else if (rc)
			rc = kith_web_api_fail(resp, &err);
		else {
			const struct kith_record_view *r = kith_vault_find(a->v, "trace", ref);
			rc = r ? answer_written(a, resp, 200, r->id) : committed(resp, 200, NULL, NULL);
		}
	}
	json_decref(j);
	return rc;
}

/* ------------------------------------------------------------- figures */

/* Figures go through casework/figures.h, as `kith report --vault` and
 * `kith estimate --vault` do: the same call, so the same figures. */

static json_t *report_info_json(const struct kith_figures_report_info *in)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "cases", (json_int_t)in->cases, "persons",
			 (json_int_t)in->persons, "no_consent", (json_int_t)in->no_consent, "left_out",
			 (json_int_t)in->left_out, "conflicts", (json_int_t)in->conflicts);
}

static int r_report_fields(struct kith_web_response *resp)
{
	json_t *f = json_array();
	for (const char *const *p = kith_figures_report_fields(); f && *p; p++)
		json_array_append_new(f, json_string(*p));
	return kith_web_api_reply(resp, f ? json_pack("{s:o}", "fields", f) : NULL);
}

/* POST /report {"by": [F] | [F, G], "format", "lang", "threshold", "k"}:
 * format "json" answers {"report", "svg", "info"} for the page; any other
 * format is a download, as `kith report --vault --format F` writes it. */
static int r_report(struct kith_web_api *a, const struct kith_web_request *req,
		    struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	struct kith_figures_report_opts fo = {0};
	char by[2][64], format[16], lang[8];
	const json_t *jby = json_object_get(j, "by");
	const json_t *jt = json_object_get(j, "threshold"), *jk = json_object_get(j, "k");
	snprintf(format, sizeof format, "%s",
		 *str_at(j, "format", NULL) ? str_at(j, "format", NULL) : "json");
	snprintf(lang, sizeof lang, "%s", *str_at(j, "lang", NULL) ? str_at(j, "lang", NULL) : "en");
	const char *why = NULL, *field = NULL;
	if (!kith_figures_report_ext(format))
		why = "format must be json, table, csv, hxl, svg, html or ctdc", field = "format";
	else if (strcmp(lang, "en") && strcmp(lang, "ko"))
		why = "lang must be en or ko", field = "lang";
	else if (jt && !json_is_null(jt) &&
		 (!json_is_integer(jt) || json_integer_value(jt) < 1 || json_integer_value(jt) > 1000))
		why = "threshold must be a number from 1 to 1000", field = "threshold";
	else if (jk && !json_is_null(jk) &&
		 (!json_is_integer(jk) || json_integer_value(jk) < 1 || json_integer_value(jk) > 1000000))
		why = "k must be a number from 1 to 1000000", field = "k";
	else if (strcmp(format, "ctdc") &&
		 (!json_is_array(jby) || json_array_size(jby) < 1 || json_array_size(jby) > 2))
		why = "by must list one field or two", field = "by";
	for (size_t i = 0; !why && strcmp(format, "ctdc") && i < json_array_size(jby); i++) {
		const json_t *s = json_array_get(jby, i);
		if (!json_is_string(s) || !*json_string_value(s) ||
		    strlen(json_string_value(s)) >= sizeof by[i]) {
			why = "by must list field names";
			field = "by";
		} else {
			snprintf(by[i], sizeof by[i], "%s", json_string_value(s));
			fo.by[i] = by[i];
			fo.n_by = i + 1;
		}
	}
	fo.threshold = json_is_integer(jt) ? (unsigned)json_integer_value(jt) : 0;
	fo.k = json_is_integer(jk) ? (unsigned)json_integer_value(jk) : 0;
	json_decref(j);
	if (why)
		return bad(resp, field, why);
	fo.lang = lang;
	fo.format = format;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_figures_report_info info;
	kith_sbuf_reset(&resp->body);
	if (strcmp(format, "json")) {
		int rc = kith_figures_report(a->v, &fo, &resp->body, &info, &err);
		if (rc) {
			kith_sbuf_reset(&resp->body);
			return kith_web_api_fail(resp, &err);
		}
		resp->http = 200;
		resp->content_type = kith_figures_report_mime(format);
		snprintf(resp->filename, sizeof resp->filename, "kith-report%s%s.%s",
			 !strcmp(format, "hxl")	   ? "-hxl"
			 : !strcmp(format, "ctdc") ? "-ctdc"
						   : "",
			 !strcmp(lang, "ko") && strcmp(format, "ctdc") ? "-ko" : "",
			 kith_figures_report_ext(format));
		return KITH_OK;
	}
	struct kith_sbuf jb = KITH_SBUF_INIT, svg = KITH_SBUF_INIT;
	int rc = kith_figures_report(a->v, &fo, &jb, &info, &err);
	fo.format = "svg";
	if (!rc)
		rc = kith_figures_report(a->v, &fo, &svg, &info, &err);
	json_t *rep = rc ? NULL : json_loadb(jb.buf ? jb.buf : "", jb.len, 0, NULL);
	kith_sbuf_release(&jb);
	if (rc) {
		kith_sbuf_release(&svg);
		return kith_web_api_fail(resp, &err);
	}
	json_t *out = rep ? json_pack("{s:o, s:s%, s:o}", "report", rep, "svg", svg.buf ? svg.buf : "",
				      svg.len, "info", report_info_json(&info))
			  : NULL;
	kith_sbuf_release(&svg);
	return kith_web_api_reply(resp, out);
}

/* ------------------------------------------------------------------ jobs */

/*
 * Long runs (the estimate, the joint linkage and estimate) run on a thread
 * of their own, one at a time, without the vault: the request that starts
 * one reads what it needs from the vault under the server's lock and answers
 * 202 {"job", "state": "running"} at once; GET /job says how far it is and,
 * once done, gives the result. Locking the vault forgets the job (its result
 * is freed by whichever of the api and the thread lets go last), so nothing
 * computed before a lock is shown after it.
 */
struct job {
	pthread_mutex_t mu;
	int refs;  /* the api's and the thread's */
	int state; /* 1 running, 2 done, 3 failed */
	unsigned long id;
	char kind[16];
	char stage[32];
	size_t done, total;
	json_t *result;
	struct kith_err err;
	/* inputs */
	struct kith_figures_estimate *e;
	char lang[3];
	struct kith_together_file files[KITH_TOGETHER_MAX_FILES];
	uint8_t *copies[KITH_TOGETHER_MAX_FILES];
	char names[KITH_TOGETHER_MAX_FILES][64];
	size_t nf;
	double unseen_rate; /* kith_together_opts's: 0 the default, negative none */
	pthread_t th;
};

static void job_unref(struct job *j)
{
	pthread_mutex_lock(&j->mu);
	int last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (!last)
		return;
	json_decref(j->result);
	kith_figures_estimate_free(j->e);
	for (size_t i = 0; i < j->nf; i++) {
		sodium_memzero(j->copies[i], j->files[i].len);
		free(j->copies[i]);
	}
	pthread_mutex_destroy(&j->mu);
	free(j);
}

/* Lets go of the current job (on lock, free, or before a new one). */
static void job_drop(struct kith_web_api *a)
{
	if (a->job)
		job_unref(a->job);
	a->job = NULL;
}

static void job_progress(void *pctx, const char *stage, size_t done, size_t total)
{
	struct job *j = pctx;
	pthread_mutex_lock(&j->mu);
	snprintf(j->stage, sizeof j->stage, "%s", stage ? stage : "");
	j->done = done;
	j->total = total;
	pthread_mutex_unlock(&j->mu);
}

static void draws_progress(void *pctx, size_t done, size_t total)
{
	job_progress(pctx, "linkage draws", done, total);
}

/* The estimate's answer: what was counted, the summaries in lang, the result
 * as `kith estimate --vault --json` prints it, the chart. NULL: no memory. */
static json_t *estimate_answer(const struct kith_figures_estimate *e, const char *lang)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	json_t *sums = json_array();
	for (size_t i = 0; sums && i < kith_figures_estimate_count(e); i++) {
		const char *why = kith_figures_estimate_error(e, i);
		kith_sbuf_reset(&sb);
		json_t *x;
		if (why)
			x = json_pack("{s:s, s:s}", "stratum", kith_figures_estimate_name(e, i), "error",
				      why);
		else if (kith_figures_estimate_summary(e, i, lang, &sb, &err))
			x = NULL;
		else
			x = json_pack("{s:s, s:s%}", "stratum", kith_figures_estimate_name(e, i), "text",
				      sb.buf ? sb.buf : "", sb.len);
		if (!x || json_array_append_new(sums, x)) {
			json_decref(sums);
			sums = NULL;
		}
	}
	kith_sbuf_reset(&sb);
	json_t *res = kith_figures_estimate_json(e);
	json_t *out = NULL;
	if (sums && res && !kith_figures_estimate_svg(e, &sb, &err)) {
		out = json_pack("{s:O, s:o, s:o, s:s%}", "counted", json_object_get(res, "counted"),
				"summaries", sums, "result", res, "svg", sb.buf ? sb.buf : "", sb.len);
	} else {
		json_decref(sums);
		json_decref(res);
	}
	kith_sbuf_release(&sb);
	return out;
}

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct kith_err err;
	kith_err_clear(&err);
	json_t *out = NULL;
	int rc;
	if (j->e) {
		rc = kith_figures_estimate_compute(j->e, &err);
		if (!rc && !(out = estimate_answer(j->e, j->lang)))
			rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
	} else {
		struct kith_together_opts o = {.estimate = 1,
					       .lang = j->lang,
					       .want_table_csv = 1,
					       .unseen_rate = j->unseen_rate,
					       .progress = draws_progress,
					       .pctx = j};
		job_progress(j, "linking", 0, 0);
		rc = kith_together_link(j->files, j->nf, &o, &out, &err);
	}
	pthread_mutex_lock(&j->mu);
	j->state = rc ? 3 : 2;
	j->result = out;
	j->err = err;
	pthread_mutex_unlock(&j->mu);
	job_unref(j);
	return NULL;
}

/* Starts j (its inputs set) as the api's job: 202 {"job", "state"}. */
static int job_start(struct kith_web_api *a, struct job *j, const char *kind, struct kith_web_response *resp)
{
	j->refs = 2;
	j->state = 1;
	j->id = ++a->job_seq;
	snprintf(j->kind, sizeof j->kind, "%s", kind);
	job_drop(a);
	a->job = j;
	pthread_attr_t at;
	int ok = pthread_attr_init(&at) == 0;
	ok = ok && pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED) == 0 &&
	     pthread_create(&j->th, &at, job_main, j) == 0;
	pthread_attr_destroy(&at);
	if (!ok) {
		j->refs = 1; /* no thread */
		job_drop(a);
		return kith_web_api_error(resp, 500, KITH_E_INTERNAL, "internal", "cannot start a thread",
					  NULL);
	}
	json_t *x = json_pack("{s:I, s:s, s:s}", "job", (json_int_t)j->id, "kind", kind, "state", "running");
	resp->http = 202;
	return kith_web_api_reply(resp, x);
}

static struct job *job_new(void)
{
	struct job *j = calloc(1, sizeof *j);
	if (j && pthread_mutex_init(&j->mu, NULL)) {
		free(j);
		j = NULL;
	}
	return j;
}

static int job_busy(const struct kith_web_api *a)
{
	if (!a->job)
		return 0;
	pthread_mutex_lock(&a->job->mu);
	int running = a->job->state == 1;
	pthread_mutex_unlock(&a->job->mu);
	return running;
}

/* GET /job: {"job", "kind", "state": running|done|failed, "stage", "done",
 * "total"} and, once done, "result"; once failed, "error" as the route's
 * errors are. 404 when there is none. */
static int r_job(struct kith_web_api *a, struct kith_web_response *resp)
{
	struct job *j = a->job;
	if (!j)
		return kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "not_found", "no job", NULL);
	pthread_mutex_lock(&j->mu);
	static const char *const states[] = {"", "running", "done", "failed"};
	json_t *x = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "job", (json_int_t)j->id, "kind", j->kind,
			      "state", states[j->state], "stage", j->stage, "done", (json_int_t)j->done,
			      "total", (json_int_t)j->total);
	if (x && j->state == 2)
		json_object_set(x, "result", j->result);
	struct kith_err err = j->err;
	int failed = j->state == 3;
	pthread_mutex_unlock(&j->mu);
	if (failed) {
		json_decref(x);
		return kith_web_api_fail(resp, &err);
	}
	return kith_web_api_reply(resp, x);
}

/* POST /estimate {"stratify", "lists", "lists_name", "lang"}: the estimate of
 * the vault's persons (a job: see GET /job), as `kith estimate --vault
 * --json` prints it ("result", with "counted": what was counted and left
 * out), the plain-language summary of the total and of each stratum in lang,
 * and the chart. The list mapping is the CSV text "organization,list"
 * (persons.h), sent with each run. Errors of the persons and the mapping are
 * answered at once. */
static int r_estimate(struct kith_web_api *a, const struct kith_web_request *req,
		      struct kith_web_response *resp)
{
	if (job_busy(a))
		return kith_web_api_error(resp, 409, KITH_E_EXISTS, "busy",
					  "an estimate or a linkage is running: wait for it", NULL);
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const json_t *jl = json_object_get(j, "lists");
	const char *lang = *str_at(j, "lang", NULL) ? str_at(j, "lang", NULL) : "en";
	const char *strat = str_at(j, "stratify", NULL);
	const char *lname = *str_at(j, "lists_name", NULL) ? str_at(j, "lists_name", NULL) : "lists";
	if (strcmp(lang, "en") && strcmp(lang, "ko")) {
		json_decref(j);
		return bad(resp, "lang", "lang must be en or ko");
	}
	if (jl && !json_is_null(jl) && !json_is_string(jl)) {
		json_decref(j);
		return bad(resp, "lists", "lists must be the CSV text of a list mapping");
	}
	struct job *jb = job_new();
	if (!jb) {
		json_decref(j);
		return kith_web_api_reply(resp, NULL);
	}
	struct kith_figures_estimate_opts fo = {
	    .stratify = *strat ? strat : NULL,
	    .lists = json_is_string(jl) && json_string_length(jl) ? json_string_value(jl) : NULL,
	    .lists_len = json_is_string(jl) ? json_string_length(jl) : 0,
	    .lists_name = lname,
	    .progress = job_progress,
	    .pctx = jb};
	fo.est = a->est;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_figures_estimate_prepare(a->v, &fo, &jb->e, &err);
	snprintf(jb->lang, sizeof jb->lang, "%s", lang);
	json_decref(j);
	if (rc) {
		jb->refs = 1;
		job_unref(jb);
		return kith_web_api_fail(resp, &err);
	}
	return job_start(a, jb, "estimate", resp);
}

/* --------------------------------------------------------- count together */

/* Encodings staged for a joint linkage: this organization's (from POST
 * /pprl/encode) and the others' (POST /pprl/files). They reveal no name
 * (together.h) but are wiped with the rest on lock. */
static void staged_clear(struct kith_web_api *a)
{
	for (size_t i = 0; i < a->n_staged; i++) {
		sodium_memzero(a->staged[i].data, a->staged[i].len);
		free(a->staged[i].data);
	}
	memset(a->staged, 0, sizeof a->staged);
	a->n_staged = 0;
}

/* Stages a copy of data as `name` (replacing a file of the same name, or this
 * organization's own encoding when own). */
static int staged_add(struct kith_web_api *a, const char *name, const void *data, size_t len, int own,
		      struct kith_err *err)
{
	size_t at = a->n_staged;
	for (size_t i = 0; i < a->n_staged; i++)
		if ((own && a->staged[i].own) || !strcmp(a->staged[i].name, name))
			at = i;
	if (at == KITH_TOGETHER_MAX_FILES)
		return kith_err_set(err, KITH_E_LIMIT, name, "at most %u encoding files at once",
				    KITH_TOGETHER_MAX_FILES);
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	memcpy(copy, data, len);
	if (at < a->n_staged) {
		sodium_memzero(a->staged[at].data, a->staged[at].len);
		free(a->staged[at].data);
	} else {
		a->n_staged++;
	}
	snprintf(a->staged[at].name, sizeof a->staged[at].name, "%s", name);
	a->staged[at].data = copy;
	a->staged[at].len = len;
	a->staged[at].own = own;
	return KITH_OK;
}

static json_t *staged_json(struct kith_web_api *a)
{
	json_t *items = json_array();
	for (size_t i = 0; items && i < a->n_staged; i++) {
		json_t *x = NULL;
		struct kith_err err;
		kith_err_clear(&err);
		if (kith_together_inspect(a->staged[i].data, a->staged[i].len, a->staged[i].name, &x, &err) ||
		    json_object_set_new(x, "own", json_boolean(a->staged[i].own)) ||
		    json_array_append_new(items, x)) {
			json_decref(items);
			return NULL;
		}
	}
	return items ? json_pack("{s:o}", "files", items) : NULL;
}

/* POST /pprl/encode {"org", "secret", "secret_name", "sign_key", "sign_name"}:
 * this organization's encoding of its consenting cases (kith pprl encode
 * --vault), staged for linkage and returned as base64 for the download. */
static int r_pprl_encode(struct kith_web_api *a, const struct kith_web_request *req,
			 struct kith_web_response *resp)
{
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const json_t *js = json_object_get(j, "secret"), *jk = json_object_get(j, "sign_key");
	const char *org = str_at(j, "org", NULL);
	const char *sn = *str_at(j, "secret_name", NULL) ? str_at(j, "secret_name", NULL) : "secret";
	const char *kn = *str_at(j, "sign_name", NULL) ? str_at(j, "sign_name", NULL) : "signing key";
	if (!json_is_string(js) || !json_string_length(js) || !json_is_string(jk) ||
	    !json_string_length(jk)) {
		json_decref(j);
		return bad(resp, !json_is_string(js) || !json_string_length(js) ? "secret" : "sign_key",
			   "give the shared secret file and this organization's signing key file");
	}
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf kpe = KITH_SBUF_INIT;
	struct kith_together_counts c;
	char orgc[80];
	snprintf(orgc, sizeof orgc, "%s", org);
	int rc = kith_together_encode(a->v, json_string_value(js), json_string_length(js), sn,
				      json_string_value(jk), json_string_length(jk), kn, org, NULL, &kpe,
				      NULL, &c, &err);
	json_decref(j); /* its strings are wiped when freed (kith_process_init) */
	if (!rc)
		rc = staged_add(a, "kith-encoding.kpe", kpe.buf, kpe.len, 1, &err);
	if (rc) {
		kith_sbuf_release(&kpe);
		return kith_web_api_fail(resp, &err);
	}
	size_t b64len = sodium_base64_ENCODED_LEN(kpe.len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64len);
	json_t *out = NULL;
	if (b64) {
		sodium_bin2base64(b64, b64len, (const unsigned char *)kpe.buf, kpe.len,
				  sodium_base64_VARIANT_ORIGINAL);
		out = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "organization", orgc, "filename",
				"kith-encoding.kpe", "data", b64, "cases", (json_int_t)c.cases, "encoded",
				(json_int_t)c.taken, "no_consent", (json_int_t)c.no_consent, "unusable",
				(json_int_t)c.unusable);
	}
	free(b64);
	kith_sbuf_release(&kpe);
	return kith_web_api_reply(resp, out);
}

/* POST /pprl/files?name=FILE (the raw file): another organization's encoding,
 * checked (its signature, schema and size) and staged. GET /pprl/files lists
 * what is staged; POST /pprl/files/clear forgets it all. */
static int r_pprl_file(struct kith_web_api *a, const struct kith_web_request *req,
		       struct kith_web_response *resp)
{
	const char *name = q(req, "name");
	if (!name || !*name)
		return bad(resp, "name", "give the file's name");
	if (strlen(name) >= sizeof a->staged[0].name || strchr(name, '/') || strchr(name, '\\'))
		return bad(resp, "name", "a file name of at most 63 bytes, without a folder");
	struct kith_err err;
	kith_err_clear(&err);
	json_t *info = NULL;
	int rc = kith_together_inspect((const uint8_t *)(req->body ? req->body : ""), req->body_len, name,
				       &info, &err);
	json_decref(info);
	if (!rc)
		rc = staged_add(a, name, req->body, req->body_len, 0, &err);
	if (rc)
		return kith_web_api_fail(resp, &err);
	return kith_web_api_reply(resp, staged_json(a));
}

/* POST /pprl/link {"lang", "unseen_rate"}: links every staged encoding and
 * estimates (kith pprl link --estimate), as a job (GET /job). unseen_rate is
 * --unseen-rate's: a number 0 .. 0.25 (0: none), absent or null the default. */
static int r_pprl_link(struct kith_web_api *a, const struct kith_web_request *req,
		       struct kith_web_response *resp)
{
	if (job_busy(a))
		return kith_web_api_error(resp, 409, KITH_E_EXISTS, "busy",
					  "an estimate or a linkage is running: wait for it", NULL);
	json_t *j = parse_body(req, resp);
	if (!j)
		return KITH_E_INVALID;
	const char *lg = str_at(j, "lang", NULL);
	int badlang = *lg && strcmp(lg, "en") && strcmp(lg, "ko");
	char lang[3];
	snprintf(lang, sizeof lang, "%s", *lg ? lg : "en");
	const json_t *ju = json_object_get(j, "unseen_rate");
	double unseen = json_is_number(ju) ? json_number_value(ju) : 0;
	int badrate = (ju && !json_is_null(ju) && !json_is_number(ju)) || unseen < 0 ||
		      unseen > KITH_TOGETHER_UNSEEN_RATE_MAX;
	if (json_is_number(ju) && unseen == 0)
		unseen = -1; /* none, as --unseen-rate 0 */
	json_decref(j);
	if (badlang)
		return bad(resp, "lang", "lang must be en or ko");
	if (badrate)
		return bad(resp, "unseen_rate", "the unseen rate is a number from 0 to 0.25");
	if (a->n_staged < 2)
		return kith_web_api_error(resp, 400, KITH_E_INVALID, "invalid",
					  "linkage needs two encoding files or more", "files");
	struct job *jb = job_new();
	if (!jb)
		return kith_web_api_reply(resp, NULL);
	snprintf(jb->lang, sizeof jb->lang, "%s", lang);
	jb->unseen_rate = unseen;
	for (size_t i = 0; i < a->n_staged; i++) {
		jb->copies[i] = malloc(a->staged[i].len ? a->staged[i].len : 1);
		if (!jb->copies[i]) {
			jb->refs = 1;
			job_unref(jb);
			return kith_web_api_reply(resp, NULL);
		}
		memcpy(jb->copies[i], a->staged[i].data, a->staged[i].len);
		snprintf(jb->names[i], sizeof jb->names[i], "%s", a->staged[i].name);
		jb->files[i] = (struct kith_together_file){jb->names[i], jb->copies[i], a->staged[i].len};
		jb->nf = i + 1;
	}
	return job_start(a, jb, "pprl_link", resp);
}

/* ---------------------------------------------------------------- router */

int kith_web_api_reads_only(const char *method, const char *path)
{
	/* the schema, and search: a search only reads the vault (its record
	 * table, generation and bodies; vault.h's readers change nothing) and
	 * runs on an index of its own from the pool, so several run at once
	 * under the server's shared lock while every writer waits. Every other
	 * route is exclusive. */
	return (!strcmp(method, "GET") || !strcmp(method, "HEAD")) &&
	       (!strcmp(path, "/schema") || !strcmp(path, "/search"));
}

int kith_web_api_handle(struct kith_web_api *a, const struct kith_web_request *req,
			struct kith_web_response *resp)
{
	const char *m = req->method, *p = req->path;
	int get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
	kith_sbuf_reset(&resp->body);
	resp->http = 200;
	resp->content_type = "application/json";
	resp->filename[0] = '\0';
	if (a->v && kith_web_people_route_gate(a->v, p, resp)) /* api_people.c: analysts see figures only */
		return KITH_E_DENIED;
	if (kith_web_attach_route(p)) /* api_attach.c */
		return kith_web_attach_handle(a, req, resp);

	static const struct {
		const char *path;
		int post;
	} routes[] = {
	    {"/schema", 0},
	    {"/info", 0},
	    {"/cases", 0},
	    {"/search", 0},
	    {"/case", 0},
	    {"/history", 0},
	    {"/links", 0},
	    {"/cases", 1},
	    {"/edit", 1},
	    {"/import", 1},
	    {"/export", 1},
	    {"/link", 1},
	    {"/links", 1},
	    {"/links/propose", 1},
	    {"/traces", 0},
	    {"/trace", 0},
	    {"/traces", 1},
	    {"/trace/review", 1},
	    {"/report/fields", 0},
	    {"/report", 1},
	    {"/estimate", 1},
	    {"/pprl/encode", 1},
	    {"/pprl/files", 0},
	    {"/pprl/files", 1},
	    {"/pprl/files/clear", 1},
	    {"/pprl/link", 1},
	    {"/job", 0},
	};
	if (kith_web_keys_route(p)) /* api_keys.c */
		return kith_web_keys_handle(a, req, resp);
	if (kith_web_api_people_route(p)) /* api_people.c */
		return a->v ? kith_web_api_people_handle(a->v, req, resp)
			    : kith_web_api_error(resp, 423, KITH_E_LOCKED, "locked", "the vault is locked",
						 NULL);
	if (kith_web_api_integrity_route(p)) /* api_integrity.c */
		return a->v ? kith_web_api_integrity_handle(a->v, req, resp)
			    : kith_web_api_error(resp, 423, KITH_E_LOCKED, "locked", "the vault is locked",
						 NULL);
	if (kith_web_api_drafts_route(p)) /* api_drafts.c */
		return a->v ? kith_web_api_drafts_handle(a->v, req, resp)
			    : kith_web_api_error(resp, 423, KITH_E_LOCKED, "locked", "the vault is locked",
						 NULL);
	if (kith_web_api_sync_route(p)) /* api_sync.c */
		return a->v ? kith_web_api_sync_handle(a->v, req, resp)
			    : kith_web_api_error(resp, 423, KITH_E_LOCKED, "locked", "the vault is locked",
						 NULL);
	int known = 0, allowed = 0;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strcmp(routes[i].path, p))
			continue;
		known = 1;
		if ((routes[i].post && post) || (!routes[i].post && get))
			allowed = 1;
	}
	int centre = kith_web_centre_route(p); /* api_centre.c */
	if (centre) {
		known = 1;
		allowed = centre == 2 ? post : get;
	}
	if (!known)
		return kith_web_api_error(resp, 404, KITH_E_NOTFOUND, "no_route", "no such API route", NULL);
	if (!allowed)
		return kith_web_api_error(resp, 405, KITH_E_INVALID, "method", "method not allowed here",
					  NULL);
	if (!strcmp(p, "/schema"))
		return r_schema(resp);
	if (!a->v)
		return kith_web_api_error(resp, 423, KITH_E_LOCKED, "locked", "the vault is locked", NULL);
	/* a POST may write: keep room for committed()'s answer before it does */
	if (post && kith_sbuf_grow(&resp->body, COMMITTED_RESERVE))
		return kith_web_api_error(resp, 500, KITH_E_NOMEM, "internal", "out of memory", NULL);
	if (centre) /* after the reserve: its writes answer as committed() does */
		return kith_web_centre_handle(a->v, req, resp);
	if (get) {
		if (!strcmp(p, "/info"))
			return r_info(a, resp);
		if (!strcmp(p, "/cases"))
			return r_cases(a, req, resp);
		if (!strcmp(p, "/search"))
			return r_search(a, req, resp);
		if (!strcmp(p, "/case"))
			return r_case(a, req, resp);
		if (!strcmp(p, "/history"))
			return r_history(a, req, resp);
		if (!strcmp(p, "/traces"))
			return r_traces(a, req, resp);
		if (!strcmp(p, "/trace"))
			return r_trace(a, req, resp);
		if (!strcmp(p, "/report/fields"))
			return r_report_fields(resp);
		if (!strcmp(p, "/pprl/files"))
			return kith_web_api_reply(resp, staged_json(a));
		if (!strcmp(p, "/job"))
			return r_job(a, resp);
		return r_links(a, req, resp);
	}
	if (!strcmp(p, "/cases"))
		return r_create(a, req, resp);
	if (!strcmp(p, "/edit"))
		return r_edit(a, req, resp);
	if (!strcmp(p, "/import"))
		return r_import(a, req, resp);
	if (!strcmp(p, "/export"))
		return r_export(a, req, resp);
	if (!strcmp(p, "/links"))
		return r_link_new(a, req, resp);
	if (!strcmp(p, "/links/propose"))
		return r_link_run(a, req, resp);
	if (!strcmp(p, "/traces"))
		return r_trace_new(a, req, resp);
	if (!strcmp(p, "/trace/review"))
		return r_trace_review(a, req, resp);
	if (!strcmp(p, "/report"))
		return r_report(a, req, resp);
	if (!strcmp(p, "/estimate"))
		return r_estimate(a, req, resp);
	if (!strcmp(p, "/pprl/encode"))
		return r_pprl_encode(a, req, resp);
	if (!strcmp(p, "/pprl/files"))
		return r_pprl_file(a, req, resp);
	if (!strcmp(p, "/pprl/files/clear")) {
		staged_clear(a);
		return kith_web_api_reply(resp, staged_json(a));
	}
	if (!strcmp(p, "/pprl/link"))
		return r_pprl_link(a, req, resp);
	return r_link(a, req, resp);
}

/* api_attach.h: what the attachment routes borrow. */
struct kith_vault *kith_web_api_vault(struct kith_web_api *a)
{
	return a ? a->v : NULL;
}

/* api_keys.h: a passphrase change rewrote the key slots */
void kith_web_api_keys_changed(struct kith_web_api *a)
{
	if (a && a->v)
		remember_file(a);
}

const char *kith_web_api_path(const struct kith_web_api *a)
{
	return a ? a->path : NULL;
}
