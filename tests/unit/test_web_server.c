/* Unit tests of src/web/server: the HTTP checks in front of the api, over a
 * real loopback socket — security headers, the Host check, sessions and
 * CSRF, body caps, the locked state, the idle lock driven by tick, and the
 * refusal of a non-loopback address without allow_remote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "vault/vault.h"
#include "web/server.h"

#define PASS "correct horse"

struct fx {
	char dir[64];
	char path[128];
	struct kith_web_server *srv;
	uint16_t port;
	char cookie[64];
	char csrf[64];
};

struct resp {
	int status;
	char head[4096];
	char *body;
};

/* One HTTP/1.0-style exchange: sends `raw` (with Host filled in when "%u" is
 * present), reads until the server closes. */
static int exchange(uint16_t port, const char *raw, size_t raw_len, struct resp *r)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
		close(fd);
		return -1;
	}
	size_t off = 0;
	while (off < raw_len) {
		ssize_t w = send(fd, raw + off, raw_len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server may answer early (413) and close */
		off += (size_t)w;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
		ssize_t n = recv(fd, buf + len, cap - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	memset(r, 0, sizeof *r);
	if (sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1) {
		free(buf);
		return -1;
	}
	char *end = strstr(buf, "\r\n\r\n");
	size_t hl = end ? (size_t)(end - buf) : len;
	snprintf(r->head, sizeof r->head, "%.*s", (int)hl, buf);
	r->body = strdup(end ? end + 4 : "");
	free(buf);
	return 0;
}

static int req(struct fx *f, const char *method, const char *path, const char *host, const char *extra,
	       const char *body, struct resp *r)
{
	char hostbuf[64];
	if (!host) {
		snprintf(hostbuf, sizeof hostbuf, "127.0.0.1:%u", (unsigned)f->port);
		host = hostbuf;
	}
	size_t bl = body ? strlen(body) : 0;
	size_t cap = 2048 + bl;
	char *raw = malloc(cap);
	int n = snprintf(raw, cap, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, path, host);
	if (f->cookie[0])
		n += snprintf(raw + n, cap - (size_t)n, "Cookie: kith_session=%s\r\n", f->cookie);
	if (extra)
		n += snprintf(raw + n, cap - (size_t)n, "%s", extra);
	if (body)
		n += snprintf(raw + n, cap - (size_t)n,
			      "Content-Type: application/json\r\nContent-Length: %zu\r\n", bl);
	snprintf(raw + n, cap - (size_t)n, "\r\n%s", body ? body : "");
	int rc = exchange(f->port, raw, strlen(raw), r);
	free(raw);
	return rc;
}

static const char *header(const struct resp *r, const char *name)
{
	static char val[512];
	const char *p = r->head;
	size_t nl = strlen(name);
	while ((p = strchr(p, '\n'))) {
		p++;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			size_t l = strcspn(v, "\r\n");
			snprintf(val, sizeof val, "%.*s", (int)l, v);
			return val;
		}
	}
	return NULL;
}

static void body_field(const struct resp *r, const char *key, char *out, size_t n)
{
	json_t *j = json_loads(r->body, 0, NULL);
	const char *v = json_string_value(json_object_get(j, key));
	snprintf(out, n, "%s", v ? v : "");
	json_decref(j);
}

static const char *code(const struct resp *r)
{
	static char c[64];
	json_t *j = json_loads(r->body, 0, NULL);
	const char *v = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
	snprintf(c, sizeof c, "%s", v ? v : "");
	json_decref(j);
	return c;
}

static void take_cookie(struct fx *f, const struct resp *r)
{
	const char *sc = header(r, "Set-Cookie");
	assert_non_null(sc);
	assert_memory_equal(sc, "kith_session=", 13);
	size_t l = strcspn(sc + 13, ";");
	snprintf(f->cookie, sizeof f->cookie, "%.*s", (int)l, sc + 13);
}

static int setup_opts(void **state, unsigned idle)
{
	if (kith_process_init())
		return -1;
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-websrv-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	struct kith_err err;
	if (kith_vault_create(f->path, PASS, strlen(PASS), &o, &err))
		return -1;
	struct kith_web_server_opts so = {.vault_path = f->path, .port = 0, .idle_lock = idle, .threads = 1};
	if (kith_web_server_start(&f->srv, &so, &err))
		return -1;
	f->port = kith_web_server_port(f->srv);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_opts(state, 0);
}

static int setup_idle(void **state)
{
	return setup_opts(state, 1);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	kith_web_server_stop(f->srv);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void start_session(struct fx *f)
{
	struct resp r;
	f->cookie[0] = '\0';
	assert_int_equal(req(f, "GET", "/api/state", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	take_cookie(f, &r);
	body_field(&r, "csrf", f->csrf, sizeof f->csrf);
	assert_int_equal(strlen(f->csrf), 43);
	free(r.body);
}

static void unlock(struct fx *f)
{
	struct resp r;
	char extra[128];
	snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\n", f->csrf);
	assert_int_equal(req(f, "POST", "/api/unlock", NULL, extra, "{\"passphrase\":\"" PASS "\"}", &r), 0);
	assert_int_equal(r.status, 200);
	take_cookie(f, &r);
	body_field(&r, "csrf", f->csrf, sizeof f->csrf);
	free(r.body);
}

static void test_headers_and_assets(void **state)
{
	struct fx *f = *state;
	struct resp r;
	assert_int_equal(req(f, "GET", "/", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<!doctype html>"));
	const char *csp = header(&r, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'self'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "unsafe"));
	assert_string_equal(header(&r, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(header(&r, "Referrer-Policy"), "no-referrer");
	assert_string_equal(header(&r, "Cache-Control"), "no-store");
	free(r.body);
	assert_int_equal(req(f, "GET", "/locales/ko.json", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(header(&r, "Content-Type"), "application/json"));
	free(r.body);
	assert_int_equal(req(f, "GET", "/etc/passwd", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	free(r.body);
	assert_int_equal(req(f, "POST", "/index.html", NULL, NULL, "{}", &r), 0);
	assert_int_equal(r.status, 405);
	free(r.body);
}

static void test_host_check(void **state)
{
	struct fx *f = *state;
	struct resp r;
	char h[64];
	snprintf(h, sizeof h, "attacker.example:%u", (unsigned)f->port);
	assert_int_equal(req(f, "GET", "/", h, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 421);
	assert_string_equal(code(&r), "host");
	free(r.body);
	assert_int_equal(req(f, "GET", "/", "127.0.0.1:1", NULL, NULL, &r), 0); /* another port */
	assert_int_equal(r.status, 421);
	free(r.body);
	snprintf(h, sizeof h, "LOCALHOST:%u", (unsigned)f->port);
	assert_int_equal(req(f, "GET", "/", h, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	free(r.body);
}

static void test_session_csrf_lock(void **state)
{
	struct fx *f = *state;
	struct resp r;
	assert_int_equal(req(f, "GET", "/api/cases", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 401);
	assert_string_equal(code(&r), "session");
	free(r.body);
	start_session(f);
	const char *sc = NULL;
	assert_int_equal(req(f, "GET", "/api/state", NULL, NULL, NULL, &r), 0);
	sc = header(&r, "Set-Cookie");
	assert_null(sc); /* a known session is not renewed by /api/state */
	free(r.body);
	assert_int_equal(req(f, "GET", "/api/cases", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 423);
	free(r.body);
	assert_int_equal(req(f, "POST", "/api/unlock", NULL, NULL, "{\"passphrase\":\"" PASS "\"}", &r), 0);
	assert_int_equal(r.status, 403);
	assert_string_equal(code(&r), "csrf");
	free(r.body);
	char before[64];
	snprintf(before, sizeof before, "%s", f->cookie);
	unlock(f);
	assert_string_not_equal(before, f->cookie);
	assert_int_equal(req(f, "GET", "/api/cases", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	char extra[160];
	snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\nOrigin: http://evil.example\r\n", f->csrf);
	assert_int_equal(req(f, "POST", "/api/lock", NULL, extra, "{}", &r), 0);
	assert_int_equal(r.status, 403);
	free(r.body);
	snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\nOrigin: http://127.0.0.1:%u\r\n", f->csrf,
		 (unsigned)f->port);
	assert_int_equal(req(f, "POST", "/api/lock", NULL, extra, "{}", &r), 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	assert_int_equal(req(f, "GET", "/api/cases", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 423);
	free(r.body);
	/* the cookie from before the unlock stays dead */
	snprintf(f->cookie, sizeof f->cookie, "%s", before);
	assert_int_equal(req(f, "GET", "/api/cases", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 401);
	free(r.body);
}

static void test_body_caps(void **state)
{
	struct fx *f = *state;
	struct resp r;
	start_session(f);
	char extra[200];
	snprintf(extra, sizeof extra,
		 "X-CSRF-Token: %s\r\nContent-Length: %u\r\nContent-Type: application/json\r\n", f->csrf,
		 (1u << 20) + 1);
	assert_int_equal(req(f, "POST", "/api/cases", NULL, extra, NULL, &r), 0);
	assert_int_equal(r.status, 413);
	assert_string_equal(code(&r), "too_large");
	free(r.body);
	/* chunked: the cap holds without a Content-Length */
	char hostbuf[64];
	snprintf(hostbuf, sizeof hostbuf, "127.0.0.1:%u", (unsigned)f->port);
	size_t n = (1u << 20) + 4096;
	char *raw = malloc(n + 1024);
	int h = snprintf(
	    raw, 1024,
	    "POST /api/cases HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nCookie: kith_session=%s\r\n"
	    "X-CSRF-Token: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n",
	    hostbuf, f->cookie, f->csrf, n);
	memset(raw + h, ' ', n);
	memcpy(raw + h + n, "\r\n0\r\n\r\n", 7);
	assert_int_equal(exchange(f->port, raw, (size_t)h + n + 7, &r), 0);
	assert_int_equal(r.status, 413);
	free(r.body);
	free(raw);
}

static void test_idle_lock_by_tick(void **state)
{
	struct fx *f = *state;
	struct resp r;
	start_session(f);
	unlock(f);
	assert_int_equal(kith_web_server_tick(f->srv), 0);
	sleep(2); /* idle lock is 1 s */
	assert_int_equal(kith_web_server_tick(f->srv), 1);
	assert_int_equal(kith_web_server_tick(f->srv), 0); /* once */
	assert_int_equal(req(f, "GET", "/api/cases", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 423);
	free(r.body);
}

static void test_remote_needs_consent(void **state)
{
	(void)state;
	struct kith_web_server *s = NULL;
	struct kith_err err;
	struct kith_web_server_opts o = {.vault_path = "/nonexistent", .listen = "0.0.0.0"};
	assert_int_equal(kith_web_server_start(&s, &o, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "--listen");
	o.listen = "not-an-address";
	assert_int_equal(kith_web_server_start(&s, &o, &err), KITH_E_INVALID);
	o.listen = NULL;
	o.vault_path = NULL;
	assert_int_equal(kith_web_server_start(&s, &o, &err), KITH_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_headers_and_assets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_csrf_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body_caps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_lock_by_tick, setup_idle, teardown),
	    cmocka_unit_test(test_remote_needs_consent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
