#define _GNU_SOURCE /* memmem */
/* Unit tests of src/web/api: every JSON route against a real vault (cheap
 * test KDF), without HTTP: locked answers, create, validation errors with
 * their field, stale edits, history, paging, search in Hangul and
 * romanization, import all or nothing, export, duplicate review and panic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "vault/vault.h"
#include "casework/together.h"
#include "stats/estimate.h"
#include "web/api.h"

#define PASS "correct horse"

struct fx {
	char dir[64];
	char path[128];
	struct kith_web_api *api;
	char link_id[KITH_VAULT_ID_HEX];
	char case_ids[2][KITH_VAULT_ID_HEX];
};

/* a query string "a=1&b=2" answered key by key */
static const char *query(void *cls, const char *key)
{
	static char vals[16][256]; /* enough live answers at once (MHD's stay valid for the request) */
	static unsigned turn;
	char *val = vals[turn++ % 16];
	const char *qs = cls;
	size_t kl = strlen(key);
	for (const char *p = qs; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(val, sizeof vals[0], "%.*s", (int)(len - kl - 1), p + kl + 1);
			return val;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

/* Calls the api; returns the HTTP status and the parsed JSON answer in *out
 * (NULL when the answer is not JSON, e.g. a download). */
static unsigned call(struct fx *f, const char *method, const char *path, const char *qs, const char *body,
		     json_t **out, struct kith_web_response *keep)
{
	struct kith_web_request req = {
	    .method = method,
	    .path = path,
	    .query = query,
	    .query_cls = (void *)(uintptr_t)(qs ? qs : ""),
	    .body = body,
	    .body_len = body ? strlen(body) : 0,
	};
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	(void)kith_web_api_handle(f->api, &req, &resp);
	unsigned http = resp.http;
	if (out)
		*out = resp.body.buf ? json_loadb(resp.body.buf, resp.body.len, 0, NULL) : NULL;
	if (keep)
		*keep = resp;
	else
		kith_web_response_release(&resp);
	return http;
}

static const char *err_code(const json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

static const char *err_field(const json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "field"));
}

/* Calls the api and checks its answer: HTTP status `http`, and the error's
 * code and field where they are not NULL. */
static void expect(struct fx *f, const char *method, const char *path, const char *qs, const char *body,
		   unsigned http, const char *code, const char *field)
{
	json_t *j = NULL;
	unsigned got = call(f, method, path, qs, body, &j, NULL);
	if (got != http)
		fail_msg("%s %s: HTTP %u, want %u", method, path, got, http);
	if (code)
		assert_string_equal(err_code(j), code);
	if (field)
		assert_string_equal(err_field(j), field);
	json_decref(j);
}

/* Seeds the vault before the api opens it: two cases and a proposed link. */
static void seed(struct fx *f)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	assert_int_equal(kith_vault_open(&v, f->path, PASS, strlen(PASS), NULL, NULL, &err), 0);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), 0);
	const char *cases[2] = {
	    "{\"ref\":\"S-1\",\"person\":{\"name\":\"방미선\",\"sex\":\"female\",\"birth\":\"1987\"}}",
	    "{\"ref\":\"S-2\",\"person\":{\"name\":\"Pang "
	    "Mi-son\",\"sex\":\"female\",\"birth\":\"1987-03\"}}",
	};
	for (int i = 0; i < 2; i++) {
		json_t *body = json_loads(cases[i], 0, NULL);
		assert_non_null(body);
		struct kith_vault_put_opts o = {.create_only = 1};
		assert_int_equal(kith_vault_put(b, "case", body, &o, NULL, f->case_ids[i], &err), 0);
		json_decref(body);
	}
	json_t *link = json_pack("{s:[s,s], s:s, s:f, s:s}", "cases", f->case_ids[0], f->case_ids[1],
				 "status", "proposed", "score", 0.93, "method", "linkage");
	assert_int_equal(kith_vault_put(b, "link", link, NULL, NULL, f->link_id, &err), 0);
	json_decref(link);
	assert_int_equal(kith_vault_batch_commit(b, &err), 0);
	kith_vault_close(v);
}

static int setup(void **state)
{
	if (kith_process_init())
		return -1;
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-webapi-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	struct kith_err err;
	if (kith_vault_create(f->path, PASS, strlen(PASS), &o, &err))
		return -1;
	seed(f);
	if (kith_web_api_new(&f->api, f->path, &err))
		return -1;
	/* the routes are tested here, not the estimator: short chains, few replicates */
	static const struct kith_estimate_opts est = {
	    .seed = 1234, .boot = 20, .lcm = {.burnin = 100, .iter = 400, .chains = 2}};
	kith_web_api_set_estimate(f->api, &est);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	kith_web_api_free(f->api);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void unlock(struct fx *f)
{
	struct kith_err err;
	assert_int_equal(kith_web_api_unlock(f->api, PASS, strlen(PASS), &err), 0);
	assert_true(kith_web_api_unlocked(f->api));
}

static void test_locked(void **state)
{
	struct fx *f = *state;
	json_t *j;
	struct kith_err err;
	assert_false(kith_web_api_unlocked(f->api));
	expect(f, "GET", "/cases", NULL, NULL, 423, "locked", NULL);
	assert_int_equal(call(f, "GET", "/schema", NULL, NULL, &j, NULL), 200);
	assert_non_null(json_object_get(j, "kinds"));
	json_decref(j);
	assert_int_equal(kith_web_api_unlock(f->api, "wrong", 5, &err), KITH_E_AUTH);
	assert_false(kith_web_api_unlocked(f->api));
	unlock(f);
	kith_web_api_lock(f->api);
	expect(f, "POST", "/cases", NULL, "{\"body\":{}}", 423, NULL, NULL);
}

static void test_routes_and_methods(void **state)
{
	struct fx *f = *state;
	unlock(f);
	expect(f, "GET", "/nope", NULL, NULL, 404, "no_route", NULL);
	expect(f, "POST", "/search", NULL, "{}", 405, NULL, NULL);
	expect(f, "GET", "/edit", NULL, NULL, 405, NULL, NULL);
}

static void test_create_validate_edit_history(void **state)
{
	struct fx *f = *state;
	json_t *j;
	unlock(f);
	expect(f, "POST", "/cases", NULL, "{\"body\":{\"person\":{\"name\":\"김영희\",\"sex\":\"robot\"}}}",
	       400, "invalid", "person.sex");
	expect(f, "POST", "/cases", NULL, "{\"body\":", 400, "bad_json", NULL);
	expect(f, "POST", "/cases", NULL, "{\"note\":5,\"body\":{}}", 400, NULL, "note");
	assert_int_equal(call(f, "POST", "/cases", NULL,
			      "{\"body\":{\"person\":{\"name\":\"김영희\"},\"status\":\"active\"}}", &j,
			      NULL),
			 201);
	const char *ref = json_string_value(json_object_get(j, "ref"));
	assert_non_null(ref);
	assert_true(*ref);
	char id[KITH_VAULT_ID_HEX];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(j, "id")));
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	char qs[128], body[512];
	snprintf(qs, sizeof qs, "ref=%s", ref);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/case", qs, NULL, &j, NULL), 200);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(json_object_get(j, "body"), "person"), "name")),
	    "김영희");
	json_decref(j);
	snprintf(body, sizeof body,
		 "{\"id\":\"%s\",\"expect_version\":1,\"note\":\"moved\",\"body\":{\"person\":{\"name\":"
		 "\"김영희\"},"
		 "\"status\":\"follow_up\",\"journey\":[{\"country\":\"CN\",\"date\":\"2019-03\"}]}}",
		 id);
	assert_int_equal(call(f, "POST", "/edit", NULL, body, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	json_decref(j);
	/* the same edit again started from version 1: stale */
	expect(f, "POST", "/edit", NULL, body, 409, "stale", NULL);
	snprintf(body, sizeof body,
		 "{\"id\":\"%s\",\"expect_version\":2,\"body\":{\"person\":{\"name\":\"x\"},\"journey\":[{"
		 "\"date\":\"2019-13\"}]}}",
		 id);
	expect(f, "POST", "/edit", NULL, body, 400, NULL, "journey[0].date");
	snprintf(qs, sizeof qs, "id=%s", id);
	assert_int_equal(call(f, "GET", "/history", qs, NULL, &j, NULL), 200);
	json_t *vs = json_object_get(j, "versions");
	assert_int_equal(json_array_size(vs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(vs, 1), "note")), "moved");
	assert_string_equal(json_string_value(json_object_get(json_array_get(vs, 1), "action")), "edit");
	json_decref(j);
	expect(f, "GET", "/history", "id=xyz", NULL, 400, NULL, NULL);
	expect(f, "GET", "/case", "ref=NOPE", NULL, 404, NULL, NULL);
}

static void test_list_and_search(void **state)
{
	struct fx *f = *state;
	json_t *j;
	unlock(f);
	assert_int_equal(call(f, "GET", "/cases", "limit=1", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	/* newest first by default: the vault's creation order reversed (both
	 * cases may carry the same second, so the order is the vault's, not the refs') */
	char first[16];
	snprintf(first, sizeof first, "%s",
		 json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "ref")));
	json_decref(j);
	assert_int_equal(call(f, "GET", "/cases", "order=asc", NULL, &j, NULL), 200);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 1), "ref")), first);
	assert_string_not_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "ref")), first);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/cases", "offset=1&order=asc", NULL, &j, NULL), 200);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "ref")), first);
	json_decref(j);
	expect(f, "GET", "/cases", "limit=x", NULL, 400, NULL, "limit");
	/* one person, two scripts: each query finds both records */
	assert_int_equal(call(f, "GET", "/search", "q=방미선", NULL, &j, NULL), 200);
	assert_true(json_array_size(json_object_get(j, "items")) >= 2);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/search", "q=Bang Mi Sun", NULL, &j, NULL), 200);
	assert_true(json_array_size(json_object_get(j, "items")) >= 2);
	json_decref(j);
	expect(f, "GET", "/search", "q=", NULL, 400, NULL, "q");
}

static void test_import_export(void **state)
{
	struct fx *f = *state;
	json_t *j;
	unlock(f);
	const char *bad = "ref,name,sex\nI-1,Kim,female\nI-2,Ri,robot\n";
	assert_int_equal(call(f, "POST", "/import", "format=csv&name=in.csv", bad, &j, NULL), 400);
	assert_string_equal(err_code(j), "invalid");
	assert_memory_equal(err_field(j), "in.csv:3:", 9);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/case", "ref=I-1", NULL, &j, NULL), 404); /* nothing written */
	json_decref(j);
	const char *good = "{\"ref\":\"I-1\",\"person\":{\"name\":\"Kim\"}}\n{\"ref\":\"I-2\",\"person\":{"
			   "\"name\":\"리영호\"}}\n";
	assert_int_equal(call(f, "POST", "/import", "format=jsonl&name=in.jsonl", good, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 2);
	json_decref(j);
	/* a ref that exists: all or nothing again */
	const char *dup =
	    "{\"ref\":\"I-3\",\"person\":{\"name\":\"A\"}}\n{\"ref\":\"S-1\",\"person\":{\"name\":\"B\"}}\n";
	expect(f, "POST", "/import", "format=jsonl&name=d.jsonl", dup, 409, NULL, NULL);
	expect(f, "GET", "/case", "ref=I-3", NULL, 404, NULL, NULL);
	expect(f, "POST", "/import", "format=yaml", good, 400, NULL, "format");

	struct kith_web_response resp;
	assert_int_equal(
	    call(f, "POST", "/export", NULL, "{\"format\":\"csv\",\"consent\":\"all\"}", NULL, &resp), 200);
	assert_string_equal(resp.filename, "kith-cases.csv");
	assert_non_null(strstr(resp.content_type, "text/csv"));
	assert_non_null(strstr(resp.body.buf, "I-2"));
	kith_web_response_release(&resp);
	assert_int_equal(
	    call(f, "POST", "/export", NULL, "{\"format\":\"jsonl\",\"consent\":\"all\"}", NULL, &resp), 200);
	size_t lines = 0;
	for (size_t i = 0; i < resp.body.len; i++)
		lines += resp.body.buf[i] == '\n';
	assert_int_equal(lines, 4);
	kith_web_response_release(&resp);
	expect(f, "POST", "/export", NULL, "{\"format\":\"xls\",\"consent\":\"all\"}", 400, NULL, NULL);
	/* the page must say which cases: no consent choice, no export */
	expect(f, "POST", "/export", NULL, "{\"format\":\"csv\"}", 400, NULL, "consent");
	expect(f, "POST", "/export", NULL, "{\"format\":\"csv\",\"consent\":\"gossip\"}", 400, NULL,
	       "consent");
}

/* The list's filters, order and pages, as `kith list` (casework/cases.h). */
static void test_case_list(void **state)
{
	struct fx *f = *state;
	json_t *j;
	unlock(f);
	const char *cases =
	    "{\"ref\":\"L-10\",\"person\":{\"name\":\"A\",\"origin\":{\"province\":\"ryanggang\"}},"
	    "\"status\":\"active\"}\n"
	    "{\"ref\":\"L-2\",\"person\":{\"name\":\"B\"},\"status\":\"closed\"}\n"
	    "{\"ref\":\"L-9\",\"person\":{\"name\":\"C\",\"origin\":{\"province\":\"ryanggang\"}}}\n";
	expect(f, "POST", "/import", "format=jsonl&name=l.jsonl", cases, 200, NULL, NULL);
	assert_int_equal(call(f, "GET", "/cases", "province=ryanggang&sort=ref&order=asc", NULL, &j, NULL),
			 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "ref")), "L-9");
	json_decref(j);
	assert_int_equal(call(f, "GET", "/cases", "province=ryanggang&sort=ref&order=desc&limit=1&offset=1",
			      NULL, &j, NULL),
			 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "ref")),
	    "L-9"); /* L-10, L-9: the second */
	json_decref(j);
	assert_int_equal(call(f, "GET", "/cases", "status=closed", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	expect(f, "GET", "/cases", "status=sleeping", NULL, 400, NULL, "status");
	expect(f, "GET", "/cases", "sort=size", NULL, 400, NULL, "sort");
}

/* The web export honours consent exactly as `kith export --consent`: a case
 * whose consent.sharing is not true is left out, and a family link to it is
 * dropped from the cases that are exported (the bug: the web wrote every case). */
static void test_export_consent(void **state)
{
	struct fx *f = *state;
	unlock(f);
	const char *cases =
	    "{\"ref\":\"C-1\",\"person\":{\"name\":\"Kim Ok-sun\"},\"consent\":{\"sharing\":true},"
	    "\"family\":[{\"relation\":\"child\",\"case\":\"C-2\"},{\"relation\":\"sibling\",\"case\":\"C-"
	    "3\"}]}\n"
	    "{\"ref\":\"C-2\",\"person\":{\"name\":\"Ri Chol-min\"},\"consent\":{\"sharing\":false}}\n"
	    "{\"ref\":\"C-3\",\"person\":{\"name\":\"Pak Un-hui\"}}\n";
	expect(f, "POST", "/import", "format=jsonl&name=c.jsonl", cases, 200, NULL, NULL);
	struct kith_web_response resp;
	assert_int_equal(
	    call(f, "POST", "/export", NULL, "{\"format\":\"jsonl\",\"consent\":\"sharing\"}", NULL, &resp),
	    200);
	assert_non_null(strstr(resp.body.buf, "C-1"));
	assert_null(strstr(resp.body.buf, "C-2"));
	assert_null(strstr(resp.body.buf, "Ri Chol-min"));
	assert_null(strstr(resp.body.buf, "C-3"));
	/* an entry that is a link only goes whole: a bare relation is not a valid entry */
	assert_null(strstr(resp.body.buf, "child"));
	assert_null(strstr(resp.body.buf, "sibling"));
	kith_web_response_release(&resp);
	assert_int_equal(
	    call(f, "POST", "/export", NULL, "{\"format\":\"csv\",\"consent\":\"sharing\"}", NULL, &resp),
	    200);
	assert_non_null(strstr(resp.body.buf, "C-1"));
	assert_null(strstr(resp.body.buf, "C-2"));
	assert_null(strstr(resp.body.buf, "C-3"));
	kith_web_response_release(&resp);
}

static void test_duplicate_review(void **state)
{
	struct fx *f = *state;
	json_t *j;
	char body[256];
	unlock(f);
	assert_int_equal(call(f, "GET", "/links", NULL, NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_t *l = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(l, "id")), f->link_id);
	assert_int_equal(json_array_size(json_object_get(l, "cases")), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(l, "cases"), 0), "ref")), "S-1");
	json_decref(j);
	snprintf(body, sizeof body,
		 "{\"id\":\"%s\",\"status\":\"confirmed\",\"reason\":\"same birth\",\"expect_version\":1}",
		 f->link_id);
	assert_int_equal(call(f, "POST", "/link", NULL, body, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	json_decref(j);
	assert_int_equal(call(f, "POST", "/link", NULL, body, &j, NULL), 409); /* decided meanwhile */
	json_decref(j);
	assert_int_equal(call(f, "GET", "/links", "status=proposed", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/links", "status=confirmed", NULL, &j, NULL), 200);
	l = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(l, "reason")), "same birth");
	assert_non_null(json_string_value(json_object_get(l, "reviewer")));
	json_decref(j);
	snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"proposed\",\"expect_version\":2}",
		 f->link_id);
	assert_int_equal(call(f, "POST", "/link", NULL, body, &j, NULL), 200); /* undo */
	json_decref(j);
	assert_int_equal(call(f, "GET", "/links", NULL, NULL, &j, NULL), 200); /* open: back for review */
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/links", "status=undone", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	/* the review rules of link/linkvault.h: a confirmed link is undone, not rejected */
	snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"confirmed\",\"expect_version\":3}",
		 f->link_id);
	expect(f, "POST", "/link", NULL, body, 200, NULL, NULL);
	snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"rejected\",\"expect_version\":4}",
		 f->link_id);
	expect(f, "POST", "/link", NULL, body, 409, "transition", NULL);
	snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"undone\",\"expect_version\":4}", f->link_id);
	expect(f, "POST", "/link", NULL, body, 200, NULL, NULL);
	expect(f, "GET", "/links", "explain=2", NULL, 400, NULL, NULL);
	expect(f, "GET", "/links", "id=nothex", NULL, 400, NULL, "id");
	/* one link, explained by the linkage engine field by field */
	char qs[96];
	snprintf(qs, sizeof qs, "status=all&explain=1&id=%s", f->link_id);
	assert_int_equal(call(f, "GET", "/links", qs, NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_t *ex = json_object_get(json_array_get(json_object_get(j, "items"), 0), "explanations");
	assert_int_equal(json_array_size(ex), 1);
	assert_true(json_array_size(json_object_get(json_array_get(ex, 0), "fields")) >= 2);
	json_decref(j);
	/* record linkage proposes from the page as `kith link propose` does */
	assert_int_equal(call(f, "POST", "/links/propose", NULL, "{}", &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "cases")), 2);
	json_decref(j);
	/* a person proposes a pair by case number */
	expect(f, "POST", "/links", NULL, "{\"refs\":[\"S-1\",\"S-2\"],\"reason\":\"same village\"}", 201,
	       NULL, NULL);
	assert_int_equal(call(f, "GET", "/links", NULL, NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	json_decref(j);
	expect(f, "POST", "/links", NULL, "{\"refs\":[\"S-1\"]}", 400, NULL, "refs");
	expect(f, "POST", "/links", NULL, "{\"refs\":[\"S-1\",\"NOPE\"]}", 404, NULL, "refs[1]");
	expect(f, "POST", "/links", NULL, "{\"refs\":[\"S-1\",\"S-1\"]}", 400, NULL, NULL);
	snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"merged\",\"expect_version\":5}", f->link_id);
	expect(f, "POST", "/link", NULL, body, 400, NULL, "status");
	snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"confirmed\",\"expect_version\":1}",
		 f->case_ids[0]);
	assert_int_equal(call(f, "POST", "/link", NULL, body, &j, NULL), 404); /* a case is not a link */
	json_decref(j);
}

/* Family tracing through link/trace.h: a request, its candidates, a review
 * that writes the family links, and every bad input. */
static void test_tracing(void **state)
{
	struct fx *f = *state;
	json_t *j;
	char body[512];
	unlock(f);
	expect(f, "POST", "/cases", NULL,
	       "{\"body\":{\"ref\":\"T-MOM\",\"person\":{\"name\":\"조선희\",\"sex\":\"female\","
	       "\"birth\":\"1965\"},\"consent\":{\"tracing\":true,\"given_by\":\"self\"}}}",
	       201, NULL, NULL);
	expect(f, "POST", "/cases", NULL,
	       "{\"body\":{\"ref\":\"T-KID\",\"person\":{\"name\":\"방은정\",\"sex\":\"female\","
	       "\"birth\":\"1996\"},\"consent\":{\"tracing\":true,\"given_by\":\"self\"}}}",
	       201, NULL, NULL);
	assert_int_equal(call(f, "GET", "/traces", NULL, NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	/* a request without the person sought is refused at its field */
	assert_int_equal(
	    call(f, "POST", "/traces", NULL, "{\"body\":{\"seeker\":{\"case\":\"T-MOM\"}}}", &j, NULL), 400);
	assert_non_null(err_field(j));
	json_decref(j);
	expect(f, "POST", "/traces", NULL, "{\"nobody\":1}", 400, NULL, "body");
	assert_int_equal(
	    call(f, "POST", "/traces", NULL,
		 "{\"body\":{\"seeker\":{\"case\":\"T-MOM\"},\"sought\":{\"name\":\"방은정\",\"sex\":"
		 "\"female\",\"birth\":\"1996\",\"relation\":\"child\"},\"consent\":{\"tracing\":true,"
		 "\"given_by\":\"self\"}}}",
		 &j, NULL),
	    201);
	char ref[64];
	snprintf(ref, sizeof ref, "%s", json_string_value(json_object_get(j, "ref")));
	json_decref(j);
	assert_true(ref[0] != '\0');
	assert_int_equal(call(f, "GET", "/traces", NULL, NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	char qs[128];
	snprintf(qs, sizeof qs, "ref=%s", ref);
	assert_int_equal(call(f, "GET", "/trace", qs, NULL, &j, NULL), 200);
	json_t *cands = json_object_get(json_object_get(j, "match"), "candidates");
	assert_true(json_array_size(cands) >= 1);
	int found = 0;
	for (size_t i = 0; i < json_array_size(cands); i++) {
		json_t *c = json_array_get(cands, i);
		const char *cr = json_string_value(json_object_get(c, "ref"));
		assert_string_not_equal(cr, "T-MOM"); /* never the seeker */
		assert_string_not_equal(cr, "S-1");   /* no consent to tracing: never scored */
		if (!strcmp(cr, "T-KID")) {
			found = 1;
			assert_non_null(json_object_get(c, "case")); /* the case's summary for the page */
			assert_true(json_array_size(json_object_get(c, "explanation")) >= 1);
		}
	}
	assert_true(found);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "request"), "ref")), ref);
	json_decref(j);
	/* confirm: family links in both cases */
	snprintf(body, sizeof body,
		 "{\"ref\":\"%s\",\"case\":\"T-KID\",\"verb\":\"confirm\",\"note\":\"met\"}", ref);
	expect(f, "POST", "/trace/review", NULL, body, 200, NULL, NULL);
	assert_int_equal(call(f, "GET", "/case", "ref=T-MOM", NULL, &j, NULL), 200);
	json_t *fam = json_object_get(json_object_get(j, "body"), "family");
	assert_int_equal(json_array_size(fam), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(fam, 0), "case")), "T-KID");
	json_decref(j);
	/* confirming twice is a transition the rules refuse */
	expect(f, "POST", "/trace/review", NULL, body, 409, NULL, NULL);
	snprintf(body, sizeof body, "{\"ref\":\"%s\",\"case\":\"T-KID\",\"verb\":\"undo\"}", ref);
	expect(f, "POST", "/trace/review", NULL, body, 200, NULL, NULL);
	assert_int_equal(call(f, "GET", "/case", "ref=T-MOM", NULL, &j, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "body"), "family")), 0);
	json_decref(j);
	/* bad inputs */
	snprintf(body, sizeof body, "{\"ref\":\"%s\",\"case\":\"T-KID\",\"verb\":\"adopt\"}", ref);
	expect(f, "POST", "/trace/review", NULL, body, 400, NULL, "verb");
	snprintf(body, sizeof body, "{\"ref\":\"%s\",\"case\":\"NOPE\",\"verb\":\"possible\"}", ref);
	expect(f, "POST", "/trace/review", NULL, body, 404, NULL, NULL);
	expect(f, "POST", "/trace/review", NULL, "{\"case\":\"T-KID\",\"verb\":\"possible\"}", 400, NULL,
	       "ref");
	expect(f, "GET", "/trace", "ref=NOPE", NULL, 404, NULL, NULL);
	expect(f, "GET", "/trace", NULL, NULL, 400, NULL, NULL);
	expect(f, "GET", "/traces", "status=lost", NULL, 400, NULL, NULL);
}

/* Starts a long run (202 and a job), then asks GET /job until it has ended;
 * returns the final HTTP status and, on success, the result in *out. An
 * error at the start is returned as it is. */
static unsigned run_job(struct fx *f, const char *path, const char *body, json_t **out)
{
	json_t *j = NULL;
	unsigned http = call(f, "POST", path, NULL, body, &j, NULL);
	if (http != 202) {
		*out = j;
		return http;
	}
	assert_string_equal(json_string_value(json_object_get(j, "state")), "running");
	json_decref(j);
	for (;;) {
		http = call(f, "GET", "/job", NULL, NULL, &j, NULL);
		if (http != 200 || strcmp(json_string_value(json_object_get(j, "state")), "running"))
			break;
		json_decref(j);
		usleep(20000); /* polling, as the page does: no threshold on time */
	}
	if (http == 200) {
		*out = json_incref(json_object_get(j, "result"));
		json_decref(j);
	} else {
		*out = j;
	}
	return http;
}

/* Fourteen cases of three organizations (invented people; as
 * tests/cli/test_estimate_vault.sh): linkage joins Anna Berg's three cases,
 * Eva Falk's two and Ivar Jung's two; C-13 and C-14 lack reporting consent;
 * C-12 has no organization. */
static const char figures_cases[] =
    "{\"ref\":\"C-1\",\"person\":{\"name\":\"Anna "
    "Berg\",\"sex\":\"female\",\"birth\":\"1980\",\"origin\":{\"province\":\"ryanggang\"}},\"source\":{"
    "\"organization\":\"shelter\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-2\",\"person\":{\"name\":\"Anna "
    "Berg\",\"sex\":\"female\",\"birth\":\"1980\",\"origin\":{\"province\":\"ryanggang\"}},\"source\":{"
    "\"organization\":\"police\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-3\",\"person\":{\"name\":\"Anna "
    "Berg\",\"birth\":\"1980\",\"origin\":{\"province\":\"ryanggang\"}},\"source\":{\"organization\":"
    "\"church\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-4\",\"person\":{\"name\":\"Eva "
    "Falk\",\"sex\":\"female\",\"birth\":\"1990\",\"origin\":{\"province\":\"chagang\"}},\"source\":{"
    "\"organization\":\"shelter\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-5\",\"person\":{\"name\":\"Eva "
    "Falk\",\"sex\":\"female\",\"birth\":\"1990\",\"origin\":{\"province\":\"chagang\"}},\"source\":{"
    "\"organization\":\"church\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-6\",\"person\":{\"name\":\"Ivar "
    "Jung\",\"sex\":\"male\",\"birth\":\"1955\",\"origin\":{\"province\":\"pyongyang\"}},\"source\":{"
    "\"organization\":\"police\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-7\",\"person\":{\"name\":\"Ivar "
    "Jung\",\"sex\":\"male\",\"birth\":\"1955\",\"origin\":{\"province\":\"pyongyang\"}},\"source\":{"
    "\"organization\":\"church\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-8\",\"person\":{\"name\":\"Gustav "
    "Holm\",\"sex\":\"male\",\"birth\":\"1960\",\"origin\":{\"province\":\"kangwon\"}},\"source\":{"
    "\"organization\":\"church\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-9\",\"person\":{\"name\":\"Olga "
    "Nyberg\",\"sex\":\"female\",\"birth\":\"1971\",\"origin\":{\"province\":\"north_hamgyong\"}},\"source\":"
    "{\"organization\":\"police\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-10\",\"person\":{\"name\":\"Petra "
    "Quist\",\"sex\":\"female\",\"birth\":\"1983\",\"origin\":{\"province\":\"south_hamgyong\"}},\"source\":{"
    "\"organization\":\"shelter\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-11\",\"person\":{\"name\":\"Rut "
    "Sand\",\"sex\":\"female\",\"birth\":\"1966\",\"origin\":{\"province\":\"kangwon\"}},\"source\":{"
    "\"organization\":\"police\"},\"consent\":{\"reporting\":true}}\n"
    "{\"ref\":\"C-12\",\"person\":{\"name\":\"Tove "
    "Ulv\",\"sex\":\"female\",\"birth\":\"1977\",\"origin\":{\"province\":\"chagang\"}},\"consent\":{"
    "\"reporting\":true}}\n"
    "{\"ref\":\"C-13\",\"person\":{\"name\":\"Vera "
    "Wik\",\"sex\":\"female\",\"birth\":\"1985\",\"origin\":{\"province\":\"kangwon\"}},\"source\":{"
    "\"organization\":\"police\"},\"consent\":{\"reporting\":false}}\n"
    "{\"ref\":\"C-14\",\"person\":{\"name\":\"Ylva "
    "Zorn\",\"sex\":\"female\",\"birth\":\"1988\",\"origin\":{\"province\":\"chagang\"}},\"source\":{"
    "\"organization\":\"church\"}}\n";

static void import_figures_cases(struct fx *f)
{
	expect(f, "POST", "/import", "format=jsonl&name=c.jsonl", figures_cases, 200, NULL, NULL);
}

/* The report page's route: persons after linkage, reporting consent only,
 * small cells withheld; downloads in every format; bad requests by field. */
static void test_report(void **state)
{
	struct fx *f = *state;
	json_t *j;
	unlock(f);
	import_figures_cases(f);
	assert_int_equal(call(f, "GET", "/report/fields", NULL, NULL, &j, NULL), 200);
	int has_sex = 0;
	for (size_t i = 0; i < json_array_size(json_object_get(j, "fields")); i++)
		has_sex |= !strcmp(json_string_value(json_array_get(json_object_get(j, "fields"), i)), "sex");
	assert_true(has_sex);
	json_decref(j);

	/* no suppression (threshold 1): 8 persons of the 14 cases + the 2 seeded; 6 women */
	assert_int_equal(call(f, "POST", "/report", NULL, "{\"by\":[\"sex\"],\"threshold\":1}", &j, NULL),
			 200);
	json_t *rep = json_object_get(j, "report"), *info = json_object_get(j, "info");
	assert_int_equal(json_integer_value(json_object_get(info, "no_consent")), 4);
	assert_int_equal(json_integer_value(json_object_get(info, "left_out")), 3);
	assert_int_equal(json_integer_value(json_object_get(rep, "total")), 8);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rep, "rows"), 0)), "Female");
	assert_int_equal(
	    json_integer_value(json_array_get(json_array_get(json_object_get(rep, "cells"), 0), 0)), 6);
	assert_non_null(strstr(json_string_value(json_object_get(j, "svg")), "<svg"));
	json_decref(j);

	/* the default threshold (11) withholds every cell of so small a table, and says so */
	assert_int_equal(call(f, "POST", "/report", NULL, "{\"by\":[\"sex\"],\"lang\":\"ko\"}", &j, NULL),
			 200);
	rep = json_object_get(j, "report");
	assert_true(json_is_null(json_array_get(json_array_get(json_object_get(rep, "cells"), 0), 0)));
	assert_true(json_integer_value(json_object_get(json_object_get(rep, "withheld"), "small")) > 0);
	const char *r0 = json_string_value(json_array_get(json_object_get(rep, "rows"), 0));
	const char *r1 = json_string_value(json_array_get(json_object_get(rep, "rows"), 1));
	assert_true(!strcmp(r0, "여성") || !strcmp(r1, "여성"));
	json_decref(j);

	/* downloads */
	static const struct {
		const char *body, *name, *type, *needle;
	} dl[] = {
	    {"{\"by\":[\"sex\"],\"format\":\"csv\"}", "kith-report.csv", "text/csv; charset=utf-8",
	     "small count"},
	    {"{\"by\":[\"origin\",\"sex\"],\"format\":\"hxl\"}", "kith-report-hxl.csv",
	     "text/csv; charset=utf-8", "#affected"},
	    {"{\"format\":\"ctdc\"}", "kith-report-ctdc.csv", "text/csv; charset=utf-8",
	     "yearOfRegistration"},
	    {"{\"by\":[\"sex\"],\"format\":\"html\",\"lang\":\"ko\"}", "kith-report-ko.html",
	     "text/html; charset=utf-8", "lang=\"ko\""},
	    {"{\"by\":[\"sex\"],\"format\":\"svg\"}", "kith-report.svg", "image/svg+xml", "<svg"},
	};
	for (size_t i = 0; i < sizeof dl / sizeof dl[0]; i++) {
		struct kith_web_response resp;
		assert_int_equal(call(f, "POST", "/report", NULL, dl[i].body, NULL, &resp), 200);
		assert_string_equal(resp.filename, dl[i].name);
		assert_string_equal(resp.content_type, dl[i].type);
		assert_non_null(strstr(resp.body.buf, dl[i].needle));
		/* no name of a person leaves in a report */
		assert_null(strstr(resp.body.buf, "Berg"));
		assert_null(strstr(resp.body.buf, "Wik"));
		kith_web_response_release(&resp);
	}

	/* bad requests name their field */
	static const struct {
		const char *body, *field;
	} badreq[] = {
	    {"{}", "by"},
	    {"{\"by\":[]}", "by"},
	    {"{\"by\":[\"sex\",\"origin\",\"year\"]}", "by"},
	    {"{\"by\":[3]}", "by"},
	    {"{\"by\":[\"sex\"],\"format\":\"xls\"}", "format"},
	    {"{\"by\":[\"sex\"],\"lang\":\"fr\"}", "lang"},
	    {"{\"by\":[\"sex\"],\"threshold\":0}", "threshold"},
	    {"{\"by\":[\"sex\"],\"threshold\":\"5\"}", "threshold"},
	    {"{\"format\":\"ctdc\",\"k\":-1}", "k"},
	};
	for (size_t i = 0; i < sizeof badreq / sizeof badreq[0]; i++) {
		expect(f, "POST", "/report", NULL, badreq[i].body, 400, NULL, badreq[i].field);
	}
	/* a field kith does not count by, and free text */
	expect(f, "POST", "/report", NULL, "{\"by\":[\"shoe_size\"]}", 400, "invalid", NULL);
	expect(f, "POST", "/report", NULL, "{\"by\":[\"person.name\"]}", 400, NULL, NULL);
	expect(f, "GET", "/report", NULL, NULL, 405, NULL, NULL);
}

/* The estimate route: what was counted first, lists named by organization,
 * the summary in the page's language, strata, the chart; a list mapping. */
static void test_estimate(void **state)
{
	struct fx *f = *state;
	json_t *j;
	unlock(f);
	import_figures_cases(f);
	assert_int_equal(run_job(f, "/estimate", "{\"lang\":\"ko\"}", &j), 200);
	json_t *c = json_object_get(j, "counted");
	assert_int_equal(json_integer_value(json_object_get(c, "persons")), 7);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(c, "left_out"), "no_reporting_consent")), 4);
	assert_string_equal(json_string_value(json_object_get(c, "list_mapping")), "derived");
	assert_int_equal(json_array_size(json_object_get(c, "lists")), 3);
	assert_true(json_number_value(json_object_get(json_object_get(j, "result"), "observed")) == 7.0);
	const char *s =
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "summaries"), 0), "text"));
	assert_non_null(s);
	assert_non_null(strstr(s, "명")); /* Korean */
	assert_non_null(strstr(json_string_value(json_object_get(j, "svg")), "<svg"));
	json_decref(j);

	/* a mapping that merges two organizations into one list of "Shelters" and drops none */
	assert_int_equal(
	    run_job(f, "/estimate",
		    "{\"lists\":\"organization,list\\nshelter,Shelter\\npolice,Police\\nchurch,Church\\n\","
		    "\"stratify\":\"person.sex\"}",
		    &j),
	    200);
	c = json_object_get(j, "counted");
	assert_string_equal(json_string_value(json_object_get(c, "list_mapping")), "given");
	assert_non_null(json_object_get(json_object_get(j, "result"), "strata"));
	assert_true(json_array_size(json_object_get(j, "summaries")) >= 2);
	json_t *l0 = json_array_get(json_object_get(c, "lists"), 0);
	assert_true(!strcmp(json_string_value(json_object_get(l0, "list")), "Church") ||
		    !strcmp(json_string_value(json_object_get(l0, "list")), "Police") ||
		    !strcmp(json_string_value(json_object_get(l0, "list")), "Shelter"));
	json_decref(j);

	/* a bad mapping names itself and its line */
	assert_int_equal(call(f, "POST", "/estimate", NULL,
			      "{\"lists\":\"org,list\\nshelter,S\\n\",\"lists_name\":\"map.csv\"}", &j, NULL),
			 400);
	assert_non_null(strstr(err_field(j), "map.csv"));
	json_decref(j);
	expect(f, "POST", "/estimate", NULL, "{\"lists\":5}", 400, NULL, "lists");
	expect(f, "POST", "/estimate", NULL, "{\"lang\":\"de\"}", 400, NULL, "lang");

	/* one long run at a time; the vault stays free meanwhile; a lock forgets it */
	expect(f, "POST", "/estimate", NULL, "{}", 202, NULL, NULL);
	unsigned again = call(f, "POST", "/estimate", NULL, "{}", &j, NULL);
	if (again == 409) /* the first still runs (it may have ended: then a second one starts) */
		assert_string_equal(err_code(j), "busy");
	json_decref(j);
	expect(f, "GET", "/cases", NULL, NULL, 200, NULL, NULL);
	kith_web_api_lock(f->api);
	unlock(f);
	expect(f, "GET", "/job", NULL, NULL, 404, NULL, NULL);
}

/* Count together: this vault's encoding (consent enforced; bad keys refused
 * by name), staged encodings (hostile files refused by name), linkage. */
static void test_pprl(void **state)
{
	struct fx *f = *state;
	json_t *j;
	unlock(f);
	import_figures_cases(f);
	/* a shared secret and a signing key as kith pprl keygen writes them */
	char secret[80], sign[32 + 2 * crypto_sign_SECRETKEYBYTES + 2];
	unsigned char s[32], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	randombytes_buf(s, sizeof s);
	sodium_bin2hex(secret, 65, s, sizeof s);
	crypto_sign_keypair(pk, sk);
	strcpy(sign, "kith-pprl-sign-v1 ");
	sodium_bin2hex(sign + strlen(sign), 2 * crypto_sign_SECRETKEYBYTES + 1, sk, sizeof sk);
	char body[1024];
	snprintf(body, sizeof body, "{\"org\":\"shelter\",\"secret\":\"%s\",\"sign_key\":\"%s\"}", secret,
		 sign);
	assert_int_equal(call(f, "POST", "/pprl/encode", NULL, body, &j, NULL), 200);
	/* 12 of the 16 cases consent (the 2 seeded and C-13, C-14 do not) */
	assert_int_equal(json_integer_value(json_object_get(j, "encoded")), 12);
	assert_int_equal(json_integer_value(json_object_get(j, "no_consent")), 4);
	const char *b64 = json_string_value(json_object_get(j, "data"));
	size_t cap = strlen(b64), len = 0;
	unsigned char *kpe = malloc(cap);
	assert_int_equal(
	    sodium_base642bin(kpe, cap, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL),
	    0);
	/* no name, no ref in the encoding */
	assert_null(memmem(kpe, len, "Berg", 4));
	assert_null(memmem(kpe, len, "C-1", 3));
	json_decref(j);
	assert_int_equal(call(f, "GET", "/pprl/files", NULL, NULL, &j, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(j, "files")), 1);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(j, "files"), 0), "own")));
	json_decref(j);

	/* bad keys and names, by field */
	snprintf(body, sizeof body,
		 "{\"org\":\"shelter\",\"secret\":\"%s\",\"sign_key\":\"%s\",\"sign_name\":\"k.txt\"}",
		 secret, secret);
	expect(f, "POST", "/pprl/encode", NULL, body, 400, NULL, "k.txt");
	snprintf(
	    body, sizeof body,
	    "{\"org\":\"shelter\",\"secret\":\"short\\n\",\"secret_name\":\"s.txt\",\"sign_key\":\"%s\"}",
	    sign);
	expect(f, "POST", "/pprl/encode", NULL, body, 400, NULL, "s.txt");
	snprintf(body, sizeof body, "{\"org\":\"a,b\",\"secret\":\"%s\",\"sign_key\":\"%s\"}", secret, sign);
	expect(f, "POST", "/pprl/encode", NULL, body, 400, NULL, NULL);
	expect(f, "POST", "/pprl/encode", NULL, "{\"org\":\"x\"}", 400, NULL, "secret");

	/* hostile files: refused, named; nothing staged */
	struct kith_web_request req = {.method = "POST",
				       .path = "/pprl/files",
				       .query = query,
				       .query_cls = (void *)"name=evil.kpe",
				       .body = "not an encoding",
				       .body_len = 15};
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	(void)kith_web_api_handle(f->api, &req, &resp);
	assert_true(resp.http >= 400 && resp.http < 500);
	assert_non_null(strstr(resp.body.buf, "evil.kpe"));
	kith_web_response_release(&resp);
	unsigned char *mut = malloc(len);
	memcpy(mut, kpe, len);
	mut[len / 2] ^= 1; /* a changed byte: the signature fails */
	req.query_cls = (void *)"name=changed.kpe";
	req.body = (const char *)mut;
	req.body_len = len;
	(void)kith_web_api_handle(f->api, &req, &resp);
	assert_true(resp.http >= 400 && resp.http < 500);
	assert_non_null(strstr(resp.body.buf, "changed.kpe"));
	kith_web_response_release(&resp);
	req.query_cls = (void *)"name=../x.kpe";
	req.body = (const char *)kpe;
	(void)kith_web_api_handle(f->api, &req, &resp);
	assert_int_equal(resp.http, 400);
	kith_web_response_release(&resp);
	/* the same file under another name stages (the linkage refuses one organization twice) */
	req.query_cls = (void *)"name=copy.kpe";
	(void)kith_web_api_handle(f->api, &req, &resp);
	assert_int_equal(resp.http, 200);
	kith_web_response_release(&resp);
	assert_int_equal(run_job(f, "/pprl/link", "{}", &j), 400);
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")), "twice"));
	json_decref(j);
	assert_int_equal(call(f, "POST", "/pprl/files/clear", NULL, "{}", &j, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(j, "files")), 0);
	json_decref(j);
	expect(f, "POST", "/pprl/link", NULL, "{}", 400, NULL, "files");

	/* the unseen rate (--unseen-rate): 0 .. 0.25, by field, checked before anything runs */
	expect(f, "POST", "/pprl/link", NULL, "{\"unseen_rate\":0.3}", 400, NULL, "unseen_rate");
	expect(f, "POST", "/pprl/link", NULL, "{\"unseen_rate\":-0.01}", 400, NULL, "unseen_rate");
	expect(f, "POST", "/pprl/link", NULL, "{\"unseen_rate\":\"0.03\"}", 400, NULL, "unseen_rate");
	/* two organizations: this vault's encoding as "other" (own), and as "shelter" (a file) */
	req.query_cls = (void *)"name=shelter.kpe";
	req.body = (const char *)kpe;
	req.body_len = len;
	(void)kith_web_api_handle(f->api, &req, &resp);
	assert_int_equal(resp.http, 200);
	kith_web_response_release(&resp);
	snprintf(body, sizeof body, "{\"org\":\"other\",\"secret\":\"%s\",\"sign_key\":\"%s\"}", secret,
		 sign);
	assert_int_equal(call(f, "POST", "/pprl/encode", NULL, body, &j, NULL), 200);
	json_decref(j);
	const char *rates[] = {"{\"unseen_rate\":0.05}", "{\"unseen_rate\":0}", "{\"unseen_rate\":null}",
			       "{}"};
	const double want[] = {0.05, 0, KITH_TOGETHER_UNSEEN_RATE, KITH_TOGETHER_UNSEEN_RATE};
	for (size_t i = 0; i < sizeof rates / sizeof *rates; i++) {
		assert_int_equal(run_job(f, "/pprl/link", rates[i], &j), 200);
		const json_t *u = json_object_get(j, "estimate");
		assert_non_null(u);
		assert_true(json_number_value(json_object_get(u, "unseen_rate")) == want[i]);
		assert_true(json_number_value(json_object_get(u, "unseen_rate_max")) == 2 * want[i]);
		json_decref(j);
	}
	assert_int_equal(call(f, "POST", "/pprl/files/clear", NULL, "{}", &j, NULL), 200);
	json_decref(j);
	/* locking forgets the staged files */
	req.query_cls = (void *)"name=mine.kpe";
	(void)kith_web_api_handle(f->api, &req, &resp);
	kith_web_response_release(&resp);
	kith_web_api_lock(f->api);
	unlock(f);
	assert_int_equal(call(f, "GET", "/pprl/files", NULL, NULL, &j, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(j, "files")), 0);
	json_decref(j);
	free(mut);
	free(kpe);
}

static void test_panic(void **state)
{
	struct fx *f = *state;
	struct kith_err err;
	unlock(f);
	assert_int_equal(kith_web_api_panic(f->api, &err), 0);
	assert_false(kith_web_api_unlocked(f->api));
	assert_int_equal(kith_web_api_unlock(f->api, PASS, strlen(PASS), &err), KITH_E_AUTH);
}

/* Issue 10, finding 2: a panic by another process (kith panic in a
 * terminal) must lock a running server; the server asks the api. */
static void test_panic_elsewhere(void **state)
{
	struct fx *f = *state;
	struct kith_err err;
	assert_int_equal(kith_web_api_check_outside(f->api), 0); /* locked: nothing to look at */
	unlock(f);
	assert_int_equal(kith_web_api_check_outside(f->api), 0);
	/* its own writes change the file, not the keys */
	expect(f, "POST", "/cases", NULL, "{\"body\":{\"ref\":\"PE-1\",\"person\":{\"name\":\"가상\"}}}", 201,
	       NULL, NULL);
	assert_int_equal(kith_web_api_check_outside(f->api), 0);
	assert_true(kith_web_api_unlocked(f->api));
	/* another process destroys the keys */
	assert_int_equal(kith_vault_panic(f->path, &err), 0);
	assert_int_equal(kith_web_api_check_outside(f->api), 1);
	assert_false(kith_web_api_unlocked(f->api));
	expect(f, "GET", "/cases", NULL, NULL, 423, NULL, NULL);
}

/* Issue 10, finding 2: a locked screen's panic needs the passphrase. */
static void test_panic_with_passphrase(void **state)
{
	struct fx *f = *state;
	struct kith_err err;
	assert_int_equal(kith_web_api_panic_with(f->api, "wrong", 5, &err), KITH_E_AUTH);
	assert_int_equal(kith_web_api_unlock(f->api, PASS, strlen(PASS), &err), 0); /* nothing destroyed */
	kith_web_api_lock(f->api);
	assert_int_equal(kith_web_api_panic_with(f->api, PASS, strlen(PASS), &err), 0);
	assert_false(kith_web_api_unlocked(f->api));
	assert_int_equal(kith_web_api_unlock(f->api, PASS, strlen(PASS), &err), KITH_E_AUTH);
}

/* Issue 10, finding 11: /api/info says nothing that tells a duress vault. */
static void test_info_fields(void **state)
{
	struct fx *f = *state;
	unlock(f);
	json_t *j = NULL;
	assert_int_equal(call(f, "GET", "/info", NULL, NULL, &j, NULL), 200);
	assert_null(json_object_get(j, "holds_org_secret"));
	assert_null(json_object_get(j, "unreadable"));
	assert_null(json_object_get(j, "rows"));
	assert_non_null(json_object_get(j, "cases"));
	json_decref(j);
}

static void test_error_helpers(void **state)
{
	(void)state;
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	struct kith_err err;
	kith_err_set(&err, KITH_E_LIMIT, "q", "query too long");
	assert_int_equal(kith_web_api_fail(&resp, &err), KITH_E_LIMIT);
	assert_int_equal(resp.http, 413);
	json_t *j = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	assert_string_equal(err_code(j), "limit");
	assert_string_equal(err_field(j), "q");
	json_decref(j);
	assert_int_equal(kith_web_api_error(&resp, 418, KITH_E_INVALID, "x", "say \"hi\"\n", NULL),
			 KITH_E_INVALID);
	j = json_loadb(resp.body.buf, resp.body.len, 0, NULL); /* messages are escaped */
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(json_object_get(j, "error"), "field")));
	json_decref(j);
	kith_web_response_release(&resp);
	assert_int_equal(resp.body.len, 0);
}

/* kith_web_api_reply: a value is answered and freed (ASan and valgrind see a
 * leak otherwise); NULL, a json_pack that failed, is the 500 out of memory. */
static void test_reply(void **state)
{
	(void)state;
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	assert_int_equal(kith_web_api_reply(&resp, json_pack("{s:i}", "n", 7)), KITH_OK);
	assert_int_equal(resp.http, 200);
	assert_string_equal(resp.content_type, "application/json");
	json_t *j = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 7);
	json_decref(j);
	kith_web_response_release(&resp);
	assert_int_equal(kith_web_api_reply(&resp, NULL), KITH_E_NOMEM);
	assert_int_equal(resp.http, 500);
	j = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	assert_string_equal(err_code(j), "internal");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
			    "out of memory");
	json_decref(j);
	kith_web_response_release(&resp);
}

/* The case at the centre (api_centre.c): one person's records, the review
 * queue's filters, assignment, due, referral, trace close. */
static void test_centre_routes(void **state)
{
	struct fx *f = *state;
	json_t *j = NULL;
	expect(f, "GET", "/person", "ref=S-1", NULL, 423, NULL, NULL);
	unlock(f);
	expect(f, "POST", "/person", "ref=S-1", "{}", 405, NULL, NULL);
	assert_int_equal(call(f, "GET", "/person", "ref=S-1", NULL, &j, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(j, "cases")), 1);
	json_decref(j);
	/* the review queue: score range and search */
	assert_int_equal(call(f, "GET", "/links", "status=all&min_score=0.95", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/links", "status=all&min_score=0.9&q=s-2", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/links", "status=all&q=zzz", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	expect(f, "GET", "/links", "min_score=2", NULL, 400, NULL, NULL);
	/* confirmed: one person, two records, in the person, the list and the search */
	char body[256];
	snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"confirmed\",\"expect_version\":1}",
		 f->link_id);
	expect(f, "POST", "/link", NULL, body, 200, NULL, NULL);
	assert_int_equal(call(f, "GET", "/person", "ref=S-1", NULL, &j, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(j, "cases")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "links")), 1);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/cases", "sort=ref", NULL, &j, NULL), 200);
	const json_t *it = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(it, "same_person"), 0)), "S-2");
	json_decref(j);
	assert_int_equal(call(f, "GET", "/search", "q=Pang", NULL, &j, NULL), 200);
	it = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(json_array_size(json_object_get(it, "same_person")), 1);
	json_decref(j);
	/* assignment, due, names used */
	expect(f, "POST", "/assign", NULL,
	       "{\"ref\":\"S-1\",\"assigned\":\"Han\",\"follow_up\":\"2026-03-01\"}", 200, NULL, NULL);
	expect(f, "POST", "/assign", NULL, "{\"ref\":\"S-1\",\"follow_up\":\"2026-02-30\"}", 400, NULL,
	       "follow_up");
	expect(f, "POST", "/assign", NULL, "{\"ref\":\"S-1\",\"assigned\":\"Oh\",\"expect_version\":1}", 409,
	       "stale", NULL);
	assert_int_equal(call(f, "GET", "/due", "today=2026-03-02", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "overdue"), 0), "ref")),
	    "S-1");
	json_decref(j);
	expect(f, "GET", "/due", "today=2026-13-45", NULL, 400, NULL, NULL);
	assert_int_equal(call(f, "GET", "/assignees", NULL, NULL, &j, NULL), 200);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "name")),
	    "Han");
	json_decref(j);
	assert_int_equal(call(f, "GET", "/cases", "assigned=-", NULL, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/cases", "due=1&today=2026-03-02&has_conflict=1", NULL, &j, NULL),
			 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 0); /* 1987 and 1987-03 agree */
	json_decref(j);
	/* a referral needs consent to sharing; its fields come from the list */
	assert_int_equal(call(f, "GET", "/referral/fields", NULL, NULL, &j, NULL), 200);
	assert_true(json_array_size(json_object_get(j, "items")) > 5);
	json_decref(j);
	expect(f, "POST", "/referral", NULL, "{\"ref\":\"S-1\",\"partner\":\"X\",\"fields\":[\"needs\"]}",
	       403, NULL, NULL);
	expect(f, "POST", "/referral", NULL, "{\"ref\":\"S-1\",\"partner\":\"X\",\"fields\":[3]}", 400, NULL,
	       NULL);
	expect(f, "POST", "/trace/close", NULL, "{\"ref\":\"T-9\"}", 404, NULL, NULL);
	expect(f, "POST", "/trace/edit", NULL, "{\"ref\":\"T-9\",\"body\":{}}", 404, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_routes_and_methods, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_validate_edit_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_and_search, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_import_export, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_export_consent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_review, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tracing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_estimate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pprl, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_panic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_panic_elsewhere, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_panic_with_passphrase, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_info_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_centre_routes, setup, teardown),
	    cmocka_unit_test(test_error_helpers),
	    cmocka_unit_test(test_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
