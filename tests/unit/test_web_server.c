/* Unit tests of src/web/server: the HTTP checks in front of the api, over a
 * real loopback socket — security headers, the Host check, sessions and
 * CSRF, body caps, the locked state, the idle lock driven by tick (on an
 * injected clock: nothing sleeps), the refusal of a non-loopback address
 * without allow_remote, the client found for a loopback peer (peer.h), and
 * a scan of this process's whole memory for the passphrase and the KEK after
 * the vault locks (issue 10, finding 5). */
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
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <sodium.h>

#include "vault/store.h"
#include "vault/vault.h"
#include "web/peer.h"
#include "web/server.h"

#define PASS "correct horse"

struct fx {
	char dir[64];
	char path[128];
	struct kith_web_server *srv;
	uint16_t port;
	char cookie[64];
	char csrf[64];
	atomic_llong clock; /* the server's clock, ms: tests move it */
};

static int64_t fake_clock(void *cls)
{
	struct fx *f = cls;
	return (int64_t)atomic_load(&f->clock);
}

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

static int setup_with(void **state, unsigned idle, const char *pass, size_t pass_len)
{
	if (kith_process_init())
		return -1;
	struct fx *f = calloc(1, sizeof *f);
	atomic_store(&f->clock, 1000000);
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-websrv-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/v.kith", f->dir);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	struct kith_err err;
	if (kith_vault_create(f->path, pass, pass_len, &o, &err))
		return -1;
	struct kith_web_server_opts so = {.vault_path = f->path,
					  .port = 0,
					  .idle_lock = idle,
					  .threads = 1,
					  .clock_ms = fake_clock,
					  .clock_cls = f};
	if (kith_web_server_start(&f->srv, &so, &err))
		return -1;
	f->port = kith_web_server_port(f->srv);
	*state = f;
	return 0;
}

static int setup_opts(void **state, unsigned idle)
{
	return setup_with(state, idle, PASS, strlen(PASS));
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
	atomic_fetch_add(&f->clock, 999); /* idle lock is 1 s */
	assert_int_equal(kith_web_server_tick(f->srv), 0);
	assert_int_equal(req(f, "GET", "/api/cases", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200); /* activity: the timer starts again */
	free(r.body);
	atomic_fetch_add(&f->clock, 1000);
	assert_int_equal(kith_web_server_tick(f->srv), 1);
	assert_int_equal(kith_web_server_tick(f->srv), 0); /* once */
	assert_int_equal(req(f, "GET", "/api/cases", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 423);
	free(r.body);
}

/* Typing is activity: a draft saved or an activity ping every 0.5 s of the
 * injected clock, for 30 idle periods, keeps the vault open; the draft comes
 * back; silence then locks. */
static void test_typing_keeps_session(void **state)
{
	struct fx *f = *state;
	struct resp r;
	char extra[128];
	start_session(f);
	unlock(f);
	snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\n", f->csrf);
	for (int i = 0; i < 60; i++) {
		atomic_fetch_add(&f->clock, 500); /* idle lock is 1 s */
		assert_int_equal(kith_web_server_tick(f->srv), 0);
		if (i % 2)
			assert_int_equal(req(f, "POST", "/api/activity", NULL, extra, "{}", &r), 0);
		else
			assert_int_equal(req(f, "POST", "/api/drafts", NULL, extra,
					     "{\"form\":\"#/new\",\"data\":\"{\\\"n\\\":1}\"}", &r),
					 0);
		assert_int_equal(r.status, 200);
		free(r.body);
	}
	assert_int_equal(req(f, "GET", "/api/drafts?form=%23%2Fnew", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"form\":\"#/new\""));
	free(r.body);
	atomic_fetch_add(&f->clock, 1000);
	assert_int_equal(kith_web_server_tick(f->srv), 1);
	assert_int_equal(req(f, "POST", "/api/activity", NULL, extra, "{}", &r), 0);
	assert_int_equal(r.status, 423);
	free(r.body);
}

/* After a panic the unlock says the keys were destroyed, never "wrong passphrase". */
static void test_unlock_after_panic(void **state)
{
	struct fx *f = *state;
	struct resp r;
	char extra[128];
	start_session(f);
	unlock(f);
	snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\n", f->csrf);
	assert_int_equal(req(f, "GET", "/api/keystatus", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"panic_effect\":\"permanent\""));
	free(r.body);
	assert_int_equal(req(f, "POST", "/api/panic", NULL, extra, "{\"confirm\":true}", &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"keys_destroyed\":true"));
	free(r.body);
	start_session(f);
	snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\n", f->csrf);
	assert_int_equal(req(f, "POST", "/api/unlock", NULL, extra, "{\"passphrase\":\"" PASS "\"}", &r), 0);
	assert_int_equal(r.status, 410);
	assert_string_equal(code(&r), "keys_destroyed");
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

static void test_allow_hosts(void **state)
{
	(void)state;
	struct kith_web_server *s = NULL;
	struct kith_err err;
	const char *bad[] = {"evil\"x", "", "a b", "[::1", "name:99999", "name:", "x/y"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *one[] = {bad[i]};
		struct kith_web_server_opts o = {.vault_path = "/nonexistent",
						 .listen = "0.0.0.0",
						 .allow_remote = 1,
						 .allow_hosts = one,
						 .n_allow_hosts = 1};
		assert_int_equal(kith_web_server_start(&s, &o, &err), KITH_E_INVALID);
		assert_string_equal(err.where, "--allow-host");
	}
	/* a wildcard address needs names; names need allow_remote */
	struct kith_web_server_opts o = {
	    .vault_path = "/nonexistent", .listen = "0.0.0.0", .allow_remote = 1};
	assert_int_equal(kith_web_server_start(&s, &o, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "--allow-host");
	const char *good[] = {"kith.lan"};
	struct kith_web_server_opts o2 = {
	    .vault_path = "/nonexistent", .allow_hosts = good, .n_allow_hosts = 1};
	assert_int_equal(kith_web_server_start(&s, &o2, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "--allow-host");
}

/* The kernel's socket table, as /proc/net/tcp prints it (little-endian). */
static void test_peer_uid_from_table(void **state)
{
	(void)state;
	const char *table =
	    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
	    "inode\n"
	    "   0: 0100007F:2116 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
	    "   1: 0100007F:D431 0100007F:2116 01 00000000:00000000 00:00000000 00000000  1001        0 2 1\n"
	    "   2: 0100007F:2116 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1\n"
	    "garbage line\n";
	FILE *f = fmemopen((void *)(uintptr_t)table, strlen(table), "r");
	assert_non_null(f);
	struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons(0x2116)};
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(0xD431)};
	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uid_t uid = 0;
	int little = htonl(1) != 1;
	int rc = kith_web_peer_uid_in(f, (struct sockaddr *)&local, (struct sockaddr *)&peer, &uid);
	if (little) {
		assert_int_equal(rc, 0);
		assert_int_equal(uid, 1001); /* the peer's end, not ours (uid 0) */
	}
	rewind(f);
	peer.sin_port = htons(1);
	assert_int_equal(kith_web_peer_uid_in(f, (struct sockaddr *)&local, (struct sockaddr *)&peer, &uid),
			 -1);
	fclose(f);
}

/* A real loopback connection: the client is this process's user. */
static void test_peer_client_of_a_connection(void **state)
{
	(void)state;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &al), 0);
	int cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&a, sizeof a), 0);
	int sfd = accept(lfd, NULL, NULL);
	assert_true(sfd >= 0);
	char client[KITH_WEB_CLIENT_MAX], want[KITH_WEB_CLIENT_MAX];
	kith_web_peer_client(sfd, client);
	snprintf(want, sizeof want, "uid:%lu", (unsigned long)getuid());
	if (access("/proc/net/tcp", R_OK) == 0)
		assert_string_equal(client, want);
	else
		assert_string_equal(client, "ip:127.0.0.1");
	kith_web_peer_client(-1, client);
	assert_string_equal(client, "?");
	close(sfd);
	close(cfd);
	close(lfd);
}

/* ------------------------------------------------ keys in memory after lock */

/* Everything the test itself must hold that the scan must not count: in
 * one guarded allocation, whose bytes are blanked in every chunk read. */
struct secrets {
	char pass[48];
	size_t pass_len;
	unsigned char kek[crypto_secretbox_KEYBYTES];
	char req[1024];
	unsigned char planted[crypto_secretbox_KEYBYTES]; /* positive control */
};

/* Overwrites the stack below this frame: the test's own Argon2id runs
 * (creating the vault, computing the KEK) leave the KEK there too. */
static __attribute__((noinline)) void scrub_own_stack(void)
{
	unsigned char pad[256 * 1024];
	sodium_memzero(pad, sizeof pad);
	__asm__ __volatile__("" : : "r"(pad) : "memory");
}

static struct secrets *test_secrets;

struct region {
	uintptr_t lo, hi;
	char name[96];
};

#define SCAN_CHUNK (1u << 20)
#define SCAN_REGIONS 4096

/*
 * Reads every mapping of this process through /proc/self/mem and counts the
 * places where needle a, then b, occurs. The secrets block and the scan's
 * own buffer are left out; mappings over 256 MiB (AddressSanitizer's shadow)
 * are skipped, as are [vvar] and [vsyscall]. *scanned gets the bytes read.
 */
static void scan_memory(const struct secrets *sec, const void *a, size_t al, const void *b, size_t bl,
			int *hits_a, int *hits_b, size_t *scanned)
{
	static struct region regs[SCAN_REGIONS];
	size_t nr = 0;
	FILE *maps = fopen("/proc/self/maps", "r");
	assert_non_null(maps);
	char line[512];
	while (nr < SCAN_REGIONS && fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perms[8], name[96] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %95s", &lo, &hi, perms, name) < 3)
			continue;
		if (!strcmp(name, "[vvar]") || !strcmp(name, "[vsyscall]") || !strcmp(name, "[vvar_vclock]"))
			continue;
		if (hi - lo > (256ul << 20))
			continue;
		if (perms[0] != 'r' && hi - lo > (1ul << 20))
			continue; /* big reservations; small PROT_NONE pages (guards) are read */
		regs[nr].lo = lo;
		regs[nr].hi = hi;
		snprintf(regs[nr].name, sizeof regs[nr].name, "%s", name[0] ? name : "[anon]");
		nr++;
	}
	fclose(maps);
	unsigned char *buf =
	    mmap(NULL, SCAN_CHUNK + 64, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	int fd = open("/proc/self/mem", O_RDONLY);
	assert_true(fd >= 0);
	uintptr_t bl_lo = (uintptr_t)buf, bl_hi = bl_lo + SCAN_CHUNK + 64;
	uintptr_t s_lo = (uintptr_t)sec, s_hi = s_lo + sizeof *sec;
	size_t over = (al > bl ? al : bl) - 1;
	*hits_a = *hits_b = 0;
	*scanned = 0;
	for (size_t i = 0; i < nr; i++) {
		if (regs[i].lo < bl_hi && regs[i].hi > bl_lo)
			continue;
		for (uintptr_t at = regs[i].lo; at < regs[i].hi; at += SCAN_CHUNK) {
			size_t want =
			    regs[i].hi - at < SCAN_CHUNK + over ? regs[i].hi - at : SCAN_CHUNK + over;
			ssize_t got = pread(fd, buf, want, (off_t)at);
			if (got <= 0)
				break;
			/* blank the test's own secrets */
			for (uintptr_t p = at; p < at + (size_t)got; p++)
				if (p >= s_lo && p < s_hi)
					buf[p - at] = 0;
			size_t lim = (size_t)got < SCAN_CHUNK ? (size_t)got : SCAN_CHUNK;
			*scanned += lim;
			for (size_t k = 0; k < lim; k++) {
				if (k + al <= (size_t)got && buf[k] == *(const unsigned char *)a &&
				    !memcmp(buf + k, a, al)) {
					(*hits_a)++;
					print_message("  needle A at %#lx in %s\n", (unsigned long)(at + k),
						      regs[i].name);
				}
				if (k + bl <= (size_t)got && buf[k] == *(const unsigned char *)b &&
				    !memcmp(buf + k, b, bl)) {
					(*hits_b)++;
					print_message("  needle B at %#lx in %s\n", (unsigned long)(at + k),
						      regs[i].name);
				}
			}
		}
	}
	close(fd);
	sodium_memzero(buf, SCAN_CHUNK + 64);
	munmap(buf, SCAN_CHUNK + 64);
}

static int setup_secret(void **state)
{
	if (kith_process_init())
		return -1;
	struct secrets *sec = sodium_malloc(sizeof *sec);
	if (!sec)
		return -1;
	sodium_memzero(sec, sizeof *sec);
	/* random, so that no copy sits in the binary's read-only data */
	unsigned char raw[18];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(sec->pass, sizeof sec->pass, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	sec->pass_len = strlen(sec->pass);
	if (setup_with(state, 600, sec->pass, sec->pass_len))
		return -1;
	struct fx *f = *state;
	/* the KEK as the server derives it: Argon2id of the passphrase under
	 * the header's salt and cost */
	struct kith_store *st = NULL;
	struct kith_store_header h;
	if (kith_store_open(&st, f->path, NULL) || kith_store_header_get(st, &h, NULL))
		return -1;
	kith_store_close(st);
	if (crypto_pwhash(sec->kek, sizeof sec->kek, sec->pass, sec->pass_len, h.salt, h.opslimit, h.memlimit,
			  h.alg))
		return -1;
	scrub_own_stack();
	test_secrets = sec;
	return 0;
}
static int teardown_secret(void **state)
{
	int rc = teardown(state);
	sodium_free(test_secrets);
	test_secrets = NULL;
	return rc;
}

/* A connection kept open, as a browser keeps it (keep-alive): MHD keeps
 * its buffers for the next request. */
static int keep_open(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

/* One request on a kept-open connection; reads the answer by its
 * Content-Length. */
static void exchange_on(int fd, const char *raw, size_t len, struct resp *r)
{
	assert_int_equal(send(fd, raw, len, MSG_NOSIGNAL), (ssize_t)len);
	char buf[8192];
	size_t got = 0;
	char *end = NULL;
	while (!end && got < sizeof buf - 1) {
		ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
		assert_true(n > 0);
		got += (size_t)n;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	assert_non_null(end);
	memset(r, 0, sizeof *r);
	assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &r->status), 1);
	size_t hl = (size_t)(end - buf);
	snprintf(r->head, sizeof r->head, "%.*s", (int)hl, buf);
	const char *cl = header(r, "Content-Length");
	size_t want = cl ? (size_t)strtoul(cl, NULL, 10) : 0;
	while (got - hl - 4 < want && got < sizeof buf - 1) {
		ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
		assert_true(n > 0);
		got += (size_t)n;
	}
	buf[got] = '\0';
	r->body = strdup(end + 4);
}

/* POST /api/unlock with the secret passphrase on the kept-open connection
 * fd, the request built in the secrets block (no formatted copy of the
 * passphrase elsewhere). */
static void unlock_secret(struct fx *f, struct secrets *sec, int fd)
{
	int n = snprintf(sec->req, sizeof sec->req,
			 "POST /api/unlock HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			 "Cookie: kith_session=%s\r\nX-CSRF-Token: %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 (unsigned)f->port, f->cookie, f->csrf, sec->pass_len + 17);
	size_t len = (size_t)n;
	memcpy(sec->req + len, "{\"passphrase\":\"", 15);
	len += 15;
	memcpy(sec->req + len, sec->pass, sec->pass_len);
	len += sec->pass_len;
	memcpy(sec->req + len, "\"}", 2);
	len += 2;
	struct resp r;
	exchange_on(fd, sec->req, len, &r);
	assert_int_equal(r.status, 200);
	take_cookie(f, &r);
	body_field(&r, "csrf", f->csrf, sizeof f->csrf);
	free(r.body);
}

/* Issue 10, finding 5: after the idle lock (and POST /api/lock) the KEK was
 * still on the stack of the server thread that ran the unlock, and the
 * passphrase in libmicrohttpd's read buffer. */
static void test_no_key_in_memory_after_lock(void **state)
{
	struct fx *f = *state;
	struct secrets *sec = test_secrets;
	int ha, hb;
	size_t scanned;
	/* the scan works: copies planted in the heap are found ... */
	unsigned char *copy = malloc(sizeof sec->kek + sizeof sec->pass);
	memcpy(copy, sec->kek, sizeof sec->kek);
	memcpy(copy + sizeof sec->kek, sec->pass, sec->pass_len);
	scan_memory(sec, sec->kek, sizeof sec->kek, sec->pass, sec->pass_len, &ha, &hb, &scanned);
	assert_true(ha >= 1 && hb >= 1);
	/* finding them left copies in vector registers, which a variadic call
	 * (print_message) saves on this stack */
	scrub_own_stack();
	assert_true(scanned > (1u << 20));
	sodium_memzero(copy, sizeof sec->kek + sizeof sec->pass);
	free(copy);
	/* ... and the test itself holds no other copy */
	scan_memory(sec, sec->kek, sizeof sec->kek, sec->pass, sec->pass_len, &ha, &hb, &scanned);
	assert_int_equal(ha, 0);
	assert_int_equal(hb, 0);

	struct resp r;
	char extra[128];
	start_session(f);
	int conn = keep_open(f->port);
	unlock_secret(f, sec, conn);
	snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\n", f->csrf);
	assert_int_equal(req(f, "POST", "/api/lock", NULL, extra, "{}", &r), 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	scan_memory(sec, sec->kek, sizeof sec->kek, sec->pass, sec->pass_len, &ha, &hb, &scanned);
	print_message("after POST /api/lock: KEK %d, passphrase %d times in %zu bytes\n", ha, hb, scanned);
	assert_int_equal(ha, 0);
	assert_int_equal(hb, 0);

	/* the idle lock, on the injected clock */
	unlock_secret(f, sec, conn);
	atomic_fetch_add(&f->clock, 600 * 1000);
	assert_int_equal(kith_web_server_tick(f->srv), 1);
	scan_memory(sec, sec->kek, sizeof sec->kek, sec->pass, sec->pass_len, &ha, &hb, &scanned);
	print_message("after the idle lock: KEK %d, passphrase %d times in %zu bytes\n", ha, hb, scanned);
	assert_int_equal(ha, 0);
	assert_int_equal(hb, 0);
	close(conn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_headers_and_assets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_typing_keeps_session, setup_idle, teardown),
	    cmocka_unit_test_setup_teardown(test_unlock_after_panic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_csrf_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body_caps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_lock_by_tick, setup_idle, teardown),
	    cmocka_unit_test(test_remote_needs_consent),
	    cmocka_unit_test(test_allow_hosts),
	    cmocka_unit_test(test_peer_uid_from_table),
	    cmocka_unit_test(test_peer_client_of_a_connection),
	    cmocka_unit_test_setup_teardown(test_no_key_in_memory_after_lock, setup_secret, teardown_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
