/*
 * fuzz_web_api — the JSON bodies of every POST route of the web API
 * (web/api.h), through kith_web_api_handle with no socket: the first byte
 * picks the route (and, for /import, the format), the rest is the body.
 * The api is unlocked over a small vault made in $TMPDIR (kdf "test"),
 * remade every 256 inputs so that what the fuzzer stores does not grow
 * without end. Properties beyond "no crash, no leak": every answer is a
 * complete response with an HTTP status of 200-499 (a 5xx answer to a
 * request body is a bug), and a JSON answer parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_tmp.h"
#include "vault/store.h"
#include "vault/vault.h"
#include "web/api.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASS "fuzz"

static char dir[4096], path[4200];
static struct kith_web_api *api;
static unsigned runs;

/* one literal per case, each on one line (clang's -Wstring-concatenation
 * takes literals split over lines in an array for a missing comma) */
/* clang-format off */
static const char seed_cases[][200] = {
    "{\"body\":{\"ref\":\"C-1\",\"person\":{\"name\":\"김은별\",\"sex\":\"female\",\"birth\":\"1990\"},\"consent\":{\"tracing\":true,\"sharing\":true}}}",
    "{\"body\":{\"ref\":\"C-2\",\"person\":{\"name\":\"Kim Un Byol\",\"sex\":\"female\",\"birth\":\"1990\"},\"consent\":{\"tracing\":true}}}",
    "{\"body\":{\"ref\":\"C-3\",\"person\":{\"name\":\"오명철\",\"sex\":\"male\",\"birth\":\"1975\"}}}",
};
/* clang-format on */

static void cleanup(void)
{
	kith_web_api_free(api);
	kith_store_remove(path);
	rmdir(dir);
}

static const char *no_query(void *cls, const char *key)
{
	(void)cls;
	(void)key;
	return NULL;
}

static const char *import_query(void *cls, const char *key)
{
	if (!strcmp(key, "format"))
		return cls;
	if (!strcmp(key, "name"))
		return "fuzz.txt";
	return NULL;
}

static void fresh_vault(void)
{
	kith_web_api_free(api);
	api = NULL;
	kith_store_remove(path);
	struct kith_err err;
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	if (kith_vault_create(path, PASS, strlen(PASS), &co, &err) || kith_web_api_new(&api, path, &err) ||
	    kith_web_api_unlock(api, PASS, strlen(PASS), &err))
		abort();
	for (size_t i = 0; i < sizeof seed_cases / sizeof seed_cases[0]; i++) {
		struct kith_web_request req = {
		    "POST",	     "/cases", no_query, NULL, seed_cases[i], strlen(seed_cases[i]),
		    "fuzz-reviewer", NULL,     0,	 NULL};
		struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
		if (kith_web_api_handle(api, &req, &resp) != KITH_OK)
			abort();
		kith_web_response_release(&resp);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_begin(dir, sizeof dir, cleanup);
	snprintf(path, sizeof path, "%s/v.kith", dir);
	fresh_vault();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const routes[] = {"/cases", "/edit", "/import", "/export",
					     "/links", "/link", "/traces", "/trace/review"};
	static const char *const formats[] = {"jsonl", "json", "csv", "auto", "bogus"};
	if (size < 1)
		return 0;
	if (++runs % 256 == 0)
		fresh_vault();
	size_t r = data[0] % (sizeof routes / sizeof routes[0]);
	const char *fmt = formats[(data[0] >> 3) % (sizeof formats / sizeof formats[0])];
	struct kith_web_request req = {
	    .method = "POST",
	    .path = routes[r],
	    .query = strcmp(routes[r], "/import") ? no_query : import_query,
	    .query_cls = (void *)(uintptr_t)fmt,
	    .body = (const char *)data + 1,
	    .body_len = size - 1,
	    .reviewer = "fuzz-reviewer",
	};
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	(void)kith_web_api_handle(api, &req, &resp);
	if (resp.http < 200 || resp.http >= 500)
		abort();
	if (resp.content_type && !strcmp(resp.content_type, "application/json")) {
		json_t *j = json_loadb(resp.body.buf ? resp.body.buf : "", resp.body.len, 0, NULL);
		if (!j)
			abort();
		json_decref(j);
	}
	kith_web_response_release(&resp);
	return 0;
}
