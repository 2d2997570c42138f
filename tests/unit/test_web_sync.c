/* Unit tests of src/web/api_sync (issue 12): the web's devices, bundles and
 * conflicts — GET /sync lists the devices; POST /sync/export sends a case to
 * a field device as a download that the device reads; two devices' edits made
 * apart come back through POST /sync/import; the case is flagged; GET
 * /sync/conflict shows both sides; POST /sync/resolve joins them; refusals
 * (a flipped byte, a field never chosen, wrong methods). KITH_KDF_TEST vaults;
 * invented names. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "base/sbuf.h"
#include "casework/conflicts.h"
#include "casework/devices.h"
#include "vault/bundle.h"
#include "vault/field.h"
#include "vault/vault.h"
#include "web/api.h"

#define PASS "hq words"

struct fx {
	char dir[64];
	char hq[128], f[2][128];
	char ref[KITH_VAULT_REF_MAX];
	struct kith_web_api *api;
};

static const char *query(void *cls, const char *key)
{
	static char val[256];
	const char *qs = cls;
	size_t kl = strlen(key);
	for (const char *p = qs; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(val, sizeof val, "%.*s", (int)(len - kl - 1), p + kl + 1);
			return val;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

/* Calls the api with body[0..len); the answer's JSON in *out (NULL when not
 * JSON), its bytes in *bytes when asked. */
static unsigned call(struct fx *f, const char *method, const char *path, const char *qs, const void *body,
		     size_t len, json_t **out, struct kith_sbuf *bytes)
{
	struct kith_web_request req = {.method = method,
				       .path = path,
				       .query = query,
				       .query_cls = (void *)(uintptr_t)(qs ? qs : ""),
				       .body = body,
				       .body_len = len};
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	(void)kith_web_api_refresh(f->api); /* as the server does before every request */
	(void)kith_web_api_handle(f->api, &req, &resp);
	unsigned http = resp.http;
	if (out)
		*out = resp.body.buf && !strncmp(resp.content_type, "application/json", 16)
			   ? json_loadb(resp.body.buf, resp.body.len, 0, NULL)
			   : NULL;
	if (bytes)
		assert_int_equal(kith_sbuf_add(bytes, resp.body.buf, resp.body.len), 0);
	kith_web_response_release(&resp);
	return http;
}

static unsigned post_json(struct fx *f, const char *path, const char *body, json_t **out,
			  struct kith_sbuf *bytes)
{
	return call(f, "POST", path, NULL, body, strlen(body), out, bytes);
}

static struct kith_vault *open_v(const char *path, const char *pass)
{
	struct kith_err err;
	struct kith_vault *v = NULL;
	assert_int_equal(kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, &err), KITH_OK);
	return v;
}

static const char *fpass(int i)
{
	return i ? "field two words" : "field one words";
}

static int setup(void **state)
{
	if (kith_process_init())
		return -1;
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-websync-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->hq, sizeof f->hq, "%s/hq.kith", f->dir);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	struct kith_err err;
	if (kith_vault_create(f->hq, PASS, strlen(PASS), &o, &err))
		return -1;
	struct kith_vault *hq = open_v(f->hq, PASS);
	json_t *body = json_pack("{s:{s:s, s:s, s:s}, s:{s:b}}", "person", "name", "Ri Ok-sun", "sex",
				 "female", "birth", "1984", "consent", "services", 1);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(hq, &b, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", body, NULL, f->ref, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(body);
	char dir[sizeof f->dir]; /* a copy: f->f lies in *f too (-Wrestrict) */
	memcpy(dir, f->dir, sizeof dir);
	for (int i = 0; i < 2; i++) {
		snprintf(f->f[i], sizeof f->f[i], "%s/f%d.kith", dir, i);
		char name[8], code[KITH_FIELD_CODE_TEXT];
		snprintf(name, sizeof name, "f%d", i);
		struct kith_sbuf inv = KITH_SBUF_INIT;
		assert_int_equal(kith_devices_add(hq, name, 1765000000, &inv, code, &err), KITH_OK);
		struct kith_field_invite *fi = NULL;
		assert_int_equal(kith_field_invite_open(&fi, inv.buf, inv.len, code, strlen(code), &err),
				 KITH_OK);
		assert_int_equal(kith_vault_create_field(f->f[i], fpass(i), strlen(fpass(i)), &o, fi, &err),
				 KITH_OK);
		kith_field_invite_free(fi);
		kith_sbuf_release(&inv);
	}
	kith_vault_close(hq);
	if (kith_web_api_new(&f->api, f->hq, &err) || kith_web_api_unlock(f->api, PASS, strlen(PASS), &err))
		return -1;
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

/* The field vault i imports bundle bytes, edits the case with `edit`
 * applied to its person, and exports its versions for headquarters. */
static void field_round(struct fx *f, int i, const struct kith_sbuf *in, const char *key, const char *val,
			struct kith_sbuf *out)
{
	struct kith_vault *v = open_v(f->f[i], fpass(i));
	struct kith_bundle_result res;
	struct kith_err err;
	assert_int_equal(kith_devices_import_bundle(v, in->buf, in->len, &res, &err), KITH_OK);
	assert_int_equal(res.added, 1);
	assert_int_equal(kith_vault_refresh(v, &err), KITH_OK);
	const struct kith_record_view *rv = kith_vault_find(v, "case", f->ref);
	assert_non_null(rv); /* it reads what headquarters sent */
	json_t *body = kith_record_view_json(rv);
	json_object_set_new(json_object_get(body, "person"), key, json_string(val));
	struct kith_vault_put_opts po = {.id = rv->id};
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", body, &po, NULL, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(body);
	struct kith_conflicts_export_opts xo = {0};
	struct kith_bundle_sent sent;
	assert_int_equal(kith_conflicts_export(v, &xo, 1765000100, out, &sent, &err), KITH_OK);
	assert_int_equal(sent.n, 1);
	kith_bundle_sent_release(&sent);
	kith_vault_close(v);
}

static void test_send_receive_resolve(void **state)
{
	struct fx *f = *state;
	json_t *j = NULL;
	assert_int_equal(call(f, "GET", "/sync", NULL, NULL, 0, &j, NULL), 200);
	assert_true(json_is_true(json_object_get(j, "holds_org_key")));
	assert_int_equal(json_array_size(json_object_get(j, "devices")), 2);
	for (int i = 0; i < 2; i++) { /* each device by its name (was: empty names) */
		char want[8];
		snprintf(want, sizeof want, "f%d", i);
		json_t *d = json_array_get(json_object_get(j, "devices"), (size_t)i);
		assert_string_equal(json_string_value(json_object_get(d, "name")), want);
		assert_int_equal(strlen(json_string_value(json_object_get(d, "device_id"))), 16);
	}
	assert_int_equal(json_array_size(json_object_get(j, "conflicts")), 0);
	json_decref(j);
	assert_int_equal(call(f, "POST", "/sync", NULL, "{}", 2, &j, NULL), 405);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/sync/export", NULL, NULL, 0, &j, NULL), 405);
	json_decref(j);

	/* the case to each device, as downloads */
	struct kith_sbuf to[2] = {KITH_SBUF_INIT, KITH_SBUF_INIT}, back[2] = {KITH_SBUF_INIT, KITH_SBUF_INIT};
	char req[200];
	for (int i = 0; i < 2; i++) {
		snprintf(req, sizeof req, "{\"to\":\"f%d\",\"refs\":[\"%s\"]}", i, f->ref);
		assert_int_equal(post_json(f, "/sync/export", req, NULL, &to[i]), 200);
		assert_null(memmem(to[i].buf, to[i].len, "Ri Ok", 5));
	}
	assert_int_equal(post_json(f, "/sync/export", "{\"to\":\"nobody\",\"refs\":[\"x\"]}", &j, NULL), 404);
	json_decref(j);
	/* both edit it apart, and send their versions back */
	field_round(f, 0, &to[0], "birth", "1983", &back[0]);
	field_round(f, 1, &to[1], "sex", "male", &back[1]);
	/* a flipped byte is refused, nothing written */
	back[0].buf[back[0].len / 2] ^= 1;
	assert_int_equal(call(f, "POST", "/sync/import", NULL, back[0].buf, back[0].len, &j, NULL), 401);
	json_decref(j);
	back[0].buf[back[0].len / 2] ^= 1;
	assert_int_equal(call(f, "POST", "/sync/import", NULL, back[0].buf, back[0].len, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "added")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "device")), "f0");
	json_decref(j);
	assert_int_equal(call(f, "POST", "/sync/import", NULL, back[1].buf, back[1].len, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "conflicts")), 1);
	json_decref(j);

	/* flagged, and shown side by side */
	assert_int_equal(call(f, "GET", "/sync", NULL, NULL, 0, &j, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(j, "conflicts")), 1);
	json_decref(j);
	char qs[100];
	snprintf(qs, sizeof qs, "ref=%s", f->ref);
	assert_int_equal(call(f, "GET", "/sync/conflict", qs, NULL, 0, &j, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(j, "sides")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "fields"), 0)), "person");
	json_t *b = json_object_get(json_array_get(json_object_get(j, "sides"), 1), "body");
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "person"), "sex")), "male");
	json_decref(j);

	/* a field left unchosen, then B's person */
	snprintf(req, sizeof req, "{\"ref\":\"%s\",\"take\":{}}", f->ref);
	assert_int_equal(post_json(f, "/sync/resolve", req, &j, NULL), 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "field")),
			    "person");
	json_decref(j);
	snprintf(req, sizeof req, "{\"ref\":\"%s\",\"take\":{\"person\":\"B\"}}", f->ref);
	assert_int_equal(post_json(f, "/sync/resolve", req, &j, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/sync/conflict", qs, NULL, 0, &j, NULL), 404);
	json_decref(j);
	assert_int_equal(call(f, "GET", "/case", qs, NULL, 0, &j, NULL), 200);
	json_t *p = json_object_get(json_object_get(j, "body"), "person");
	assert_string_equal(json_string_value(json_object_get(p, "sex")), "male");
	json_decref(j);
	for (int i = 0; i < 2; i++) {
		kith_sbuf_release(&to[i]);
		kith_sbuf_release(&back[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_send_receive_resolve, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
