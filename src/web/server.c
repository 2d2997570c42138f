/*
 * server — libmicrohttpd plumbing, the security checks and the static UI of
 * `kith serve` (the order of checks and the threading are in server.h).
 *
 * libmicrohttpd's memory rules as used here: the access handler is called
 * once with *con_cls == NULL (headers only), then once per piece of body
 * (we copy it and set *upload_data_size to 0), then once with
 * *upload_data_size == 0, when we answer. Our per-request state (struct conn)
 * is freed, and its body buffer wiped, in the completion callback. Static
 * responses point at the compiled-in assets (MHD_RESPMEM_PERSISTENT); API
 * responses hand MHD a buffer that our free callback wipes before freeing,
 * since it may hold plaintext case data.
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np: writer preference */
#include "web/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#include "base/sbuf.h"
#include "web/api.h"
#include "web/assets.h"
#include "web/session.h"

#define COOKIE_NAME "kith_session"

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
			  "font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
			  "form-action 'self'; base-uri 'none'";

struct kith_web_server {
	struct MHD_Daemon *d;
	/* Locks, always taken in this order: vault_rw, then sess_mu.
	 * vault_rw: exclusive for every request that calls the vault (which is
	 * not thread-safe, vault.h) and for unlock, lock, panic and the idle
	 * lock; shared only for GET /api/state and /api/schema, which do not
	 * (kith_web_api_reads_only).
	 * sess_mu: the session table, held only for session bookkeeping. */
	pthread_rwlock_t vault_rw;
	pthread_mutex_t sess_mu;
	struct kith_web_api *api;
	struct kith_web_sessions *sessions;
	char *address;
	uint16_t port;
	int allow_remote;
	size_t body_max, import_max;
	unsigned idle_lock;
	char hosts[4][80]; /* accepted Host header values */
	size_t n_hosts;
};

/* One request's state between the access handler's calls. */
struct conn {
	struct kith_sbuf body; /* may hold a passphrase or a case: wiped */
	size_t cap;
	int too_big;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------- responses */

struct wiped {
	size_t len;
	char data[];
};

static void wiped_free(void *cls)
{
	struct wiped *w = cls;
	sodium_memzero(w->data, w->len);
	free(w);
}

static void add_security_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

/* Sends resp (its body is copied into a wiping buffer, then released). */
static enum MHD_Result send_resp(struct MHD_Connection *c, struct kith_web_response *resp,
				 const char *set_cookie)
{
	size_t len = resp->body.len;
	struct wiped *w = malloc(sizeof *w + len + 1);
	if (!w) {
		kith_web_response_release(resp);
		return MHD_NO;
	}
	w->len = len;
	if (len)
		memcpy(w->data, resp->body.buf, len);
	w->data[len] = '\0';
	struct MHD_Response *r =
	    MHD_create_response_from_buffer_with_free_callback_cls(len, w->data, wiped_free, w);
	if (!r) {
		wiped_free(w);
		kith_web_response_release(resp);
		return MHD_NO;
	}
	add_security_headers(r);
	MHD_add_response_header(r, "Content-Type", resp->content_type);
	if (resp->filename[0]) {
		char cd[128];
		snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", resp->filename);
		MHD_add_response_header(r, "Content-Disposition", cd);
	}
	if (set_cookie)
		MHD_add_response_header(r, "Set-Cookie", set_cookie);
	unsigned http = resp->http;
	kith_web_response_release(resp);
	enum MHD_Result ret = MHD_queue_response(c, http, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned http, const char *code, const char *msg,
				  const char *field)
{
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	(void)kith_web_api_error(&resp, http, KITH_E_INVALID, code, msg, field);
	return send_resp(c, &resp, NULL);
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned http, json_t *j, const char *set_cookie)
{
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	(void)kith_web_api_json(&resp, j);
	if (resp.http == 200)
		resp.http = http;
	json_decref(j);
	return send_resp(c, &resp, set_cookie);
}

static enum MHD_Result send_asset(struct MHD_Connection *c, const char *url)
{
	if (!strcmp(url, "/"))
		url = "/index.html";
	for (const struct kith_web_asset *a = kith_web_assets; a->path; a++) {
		if (strcmp(a->path, url))
			continue;
		struct MHD_Response *r = MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data,
									 MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		add_security_headers(r);
		MHD_add_response_header(r, "Content-Type", a->content_type);
		enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return ret;
	}
	return send_error(c, 404, "not_found", "no such page", NULL);
}

/* ----------------------------------------------------------------- checks */

static int host_ok(const struct kith_web_server *s, struct MHD_Connection *c)
{
	if (s->allow_remote)
		return 1;
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!h)
		return 0;
	for (size_t i = 0; i < s->n_hosts; i++)
		if (!strcasecmp(h, s->hosts[i]))
			return 1;
	return 0;
}

/* A browser's own word that the request comes from another site, or an Origin
 * that is not this server: refused for every state change. */
static int cross_site(struct MHD_Connection *c)
{
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
		return 1;
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (origin) {
		if (!host || strncmp(origin, "http://", 7) || strcasecmp(origin + 7, host))
			return 1;
	}
	return 0;
}

static const char *query_value(void *cls, const char *key)
{
	return MHD_lookup_connection_value(cls, MHD_GET_ARGUMENT_KIND, key);
}

static void cookie_header(char *out, size_t n, const char *token)
{
	snprintf(out, n, COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict", token);
}

/* Locks the vault when the idle time has passed. Caller holds vault_rw
 * exclusively and sess_mu. */
static int idle_check(struct kith_web_server *s, int64_t now)
{
	if (!kith_web_sessions_idle(s->sessions, now))
		return 0;
	kith_web_api_lock(s->api);
	kith_web_sessions_lock_all(s->sessions);
	return 1;
}

/* ------------------------------------------------------- session routes */

static json_t *state_json(struct kith_web_server *s, int h, const char *csrf, int64_t now)
{
	int unlocked = kith_web_session_unlocked(s->sessions, h) && kith_web_api_unlocked(s->api);
	int64_t left = kith_web_sessions_idle_left(s->sessions, now);
	return json_pack("{s:b, s:s, s:I, s:I}", "unlocked", unlocked, "csrf", csrf, "idle_lock",
			 (json_int_t)s->idle_lock, "idle_left", (json_int_t)(left < 0 ? -1 : left / 1000));
}

static enum MHD_Result r_state(struct kith_web_server *s, struct MHD_Connection *c, int h, int64_t now)
{
	char cookie[KITH_WEB_TOKEN_B64], csrf[KITH_WEB_TOKEN_B64], hdr[128];
	const char *set = NULL;
	if (h < 0) {
		if (kith_web_session_start(s->sessions, now, cookie, csrf, NULL))
			return send_error(c, 500, "internal", "cannot start a session", NULL);
		cookie_header(hdr, sizeof hdr, cookie);
		set = hdr;
	} else if (kith_web_session_csrf(s->sessions, h, csrf)) {
		return send_error(c, 500, "internal", "session vanished", NULL);
	}
	enum MHD_Result r = send_json(c, 200, state_json(s, h, csrf, now), set);
	sodium_memzero(cookie, sizeof cookie);
	sodium_memzero(hdr, sizeof hdr);
	return r;
}

static enum MHD_Result r_unlock(struct kith_web_server *s, struct MHD_Connection *c, int h, struct conn *cn,
				int64_t now)
{
	int64_t wait = kith_web_unlock_wait(s->sessions, now);
	if (wait > 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "too many wrong passphrases: try again in %lld seconds",
			 (long long)((wait + 999) / 1000));
		struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
		json_t *e = json_pack("{s:{s:s, s:s, s:n, s:I}}", "error", "code", "rate_limited", "message",
				      msg, "field", "retry_after", (json_int_t)((wait + 999) / 1000));
		(void)kith_web_api_json(&resp, e);
		json_decref(e);
		resp.http = 429;
		return send_resp(c, &resp, NULL);
	}
	json_error_t je;
	json_t *j = json_loadb(cn->body.buf ? cn->body.buf : "", cn->body.len, JSON_REJECT_DUPLICATES, &je);
	json_t *p = json_object_get(j, "passphrase");
	if (!j || !json_is_string(p) || json_string_length(p) == 0) {
		const char *code = j ? "invalid" : "bad_json";
		if (p && json_is_string(p))
			sodium_memzero((void *)(uintptr_t)json_string_value(p), json_string_length(p));
		json_decref(j);
		return send_error(c, 400, code, "give {\"passphrase\": \"...\"}", "passphrase");
	}
	/* the passphrase goes to guarded memory; jansson's copy is wiped at once */
	size_t len = json_string_length(p);
	char *pass = sodium_malloc(len + 1);
	if (pass) {
		memcpy(pass, json_string_value(p), len);
		pass[len] = '\0';
	}
	sodium_memzero((void *)(uintptr_t)json_string_value(p), len);
	json_decref(j);
	if (!pass)
		return send_error(c, 500, "internal", "out of memory", NULL);
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_web_api_unlock(s->api, pass, len, &err);
	sodium_free(pass);
	if (rc == KITH_E_AUTH) {
		kith_web_unlock_failed(s->sessions, now);
		return send_error(c, 401, "auth", "wrong passphrase", "passphrase");
	}
	if (rc) {
		struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
		(void)kith_web_api_fail(&resp, &err);
		return send_resp(c, &resp, NULL);
	}
	/* a new vault handle: every other session is locked out of it */
	kith_web_sessions_lock_all(s->sessions);
	char cookie[KITH_WEB_TOKEN_B64], csrf[KITH_WEB_TOKEN_B64], hdr[128];
	if (kith_web_session_unlock(s->sessions, h, now, cookie, csrf, NULL)) {
		kith_web_api_lock(s->api);
		return send_error(c, 500, "internal", "cannot renew the session", NULL);
	}
	cookie_header(hdr, sizeof hdr, cookie);
	enum MHD_Result r = send_json(c, 200, state_json(s, h, csrf, now), hdr);
	sodium_memzero(cookie, sizeof cookie);
	sodium_memzero(hdr, sizeof hdr);
	return r;
}

static enum MHD_Result r_lock(struct kith_web_server *s, struct MHD_Connection *c, int h, int64_t now)
{
	kith_web_api_lock(s->api);
	kith_web_sessions_lock_all(s->sessions);
	char csrf[KITH_WEB_TOKEN_B64];
	if (kith_web_session_csrf(s->sessions, h, csrf))
		return send_error(c, 500, "internal", "session vanished", NULL);
	return send_json(c, 200, state_json(s, h, csrf, now), NULL);
}

static enum MHD_Result r_panic(struct kith_web_server *s, struct MHD_Connection *c, int h, struct conn *cn,
			       int64_t now)
{
	json_t *j = json_loadb(cn->body.buf ? cn->body.buf : "", cn->body.len, 0, NULL);
	int confirmed = json_is_true(json_object_get(j, "confirm"));
	json_decref(j);
	if (!confirmed)
		return send_error(c, 400, "invalid", "a panic must be confirmed: {\"confirm\": true}",
				  "confirm");
	kith_web_sessions_lock_all(s->sessions);
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_web_api_panic(s->api, &err);
	if (rc) {
		struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
		(void)kith_web_api_fail(&resp, &err);
		return send_resp(c, &resp, NULL);
	}
	char csrf[KITH_WEB_TOKEN_B64];
	if (kith_web_session_csrf(s->sessions, h, csrf))
		return send_error(c, 500, "internal", "session vanished", NULL);
	return send_json(c, 200, state_json(s, h, csrf, now), NULL);
}

/* ------------------------------------------------------------- dispatch */

static enum MHD_Result api(struct kith_web_server *s, struct MHD_Connection *c, const char *url,
			   const char *method, struct conn *cn)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	int post = !strcmp(method, "POST");
	if (!get && !post)
		return send_error(c, 405, "method", "method not allowed", NULL);
	if (post && cross_site(c))
		return send_error(c, 403, "cross_site", "request from another site refused", NULL);
	if (cn->too_big)
		return send_error(c, 413, "too_large", "request body too large", NULL);
	if (post && strcmp(url, "/api/import")) {
		const char *ct =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (!ct || strncasecmp(ct, "application/json", 16))
			return send_error(c, 415, "content_type",
					  "send JSON (Content-Type: application/json)", NULL);
	}

	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
	int shared = (get && !strcmp(url, "/api/state")) || kith_web_api_reads_only(method, url + 4);
	enum MHD_Result ret;
	if (shared)
		pthread_rwlock_rdlock(&s->vault_rw);
	else
		pthread_rwlock_wrlock(&s->vault_rw);
	pthread_mutex_lock(&s->sess_mu);
	int64_t now = now_ms();
	/* the idle lock is done by the tick; a request that comes first and
	 * may not close the vault itself finds it locked all the same */
	int idle = shared ? kith_web_sessions_idle(s->sessions, now) : idle_check(s, now);
	int h = kith_web_session_find(s->sessions, cookie, now);
	if (!strcmp(url, "/api/state")) {
		ret = get ? r_state(s, c, h, now) : send_error(c, 405, "method", "method not allowed", NULL);
		goto out_sess;
	}
	if (h < 0) {
		ret =
		    send_error(c, 401, "session", "no session or the session expired: reload the page", NULL);
		goto out_sess;
	}
	if (post && !kith_web_session_csrf_ok(
			s->sessions, h, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token"))) {
		ret = send_error(c, 403, "csrf", "missing or wrong CSRF token: reload the page", NULL);
		goto out_sess;
	}
	if (!strcmp(url, "/api/unlock") || !strcmp(url, "/api/lock") || !strcmp(url, "/api/panic")) {
		/* exclusive: nothing else runs, sess_mu stays held */
		if (!post)
			ret = send_error(c, 405, "method", "method not allowed", NULL);
		else if (url[5] == 'u')
			ret = r_unlock(s, c, h, cn, now);
		else if (url[5] == 'l')
			ret = r_lock(s, c, h, now);
		else
			ret = r_panic(s, c, h, cn, now);
		goto out_sess;
	}
	struct kith_web_request req = {
	    .method = method,
	    .path = url + 4,
	    .query = query_value,
	    .query_cls = c,
	    .body = cn->body.buf,
	    .body_len = cn->body.len,
	};
	int needs_vault = strcmp(req.path, "/schema") != 0;
	if (needs_vault &&
	    (idle || !(kith_web_session_unlocked(s->sessions, h) && kith_web_api_unlocked(s->api)))) {
		ret = send_error(c, 423, "locked", "the vault is locked", NULL);
		goto out_sess;
	}
	if (needs_vault)
		kith_web_sessions_touch(s->sessions, now);
	pthread_mutex_unlock(&s->sess_mu);
	/* the vault call itself: shared or exclusive as decided above */
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	(void)kith_web_api_handle(s->api, &req, &resp);
	ret = send_resp(c, &resp, NULL);
	pthread_rwlock_unlock(&s->vault_rw);
	return ret;
out_sess:
	pthread_mutex_unlock(&s->sess_mu);
	pthread_rwlock_unlock(&s->vault_rw);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size,
				  void **con_cls)
{
	(void)version;
	struct kith_web_server *s = cls;
	struct conn *cn = *con_cls;
	if (!cn) {
		/* headers only: refuse early what must not be read at all */
		cn = calloc(1, sizeof *cn);
		if (!cn)
			return MHD_NO;
		*con_cls = cn;
		cn->cap = strcmp(url, "/api/import") ? s->body_max : s->import_max;
		if (!host_ok(s, c))
			return send_error(c, 421, "host",
					  "wrong Host header: open the address kith serve printed", NULL);
		const char *cl =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > cn->cap) {
			cn->too_big = 1;
			return send_error(c, 413, "too_large", "request body too large", NULL);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cn->too_big && cn->body.len + *upload_size > cn->cap) {
			cn->too_big = 1;
			kith_sbuf_release(&cn->body);
		}
		if (!cn->too_big && kith_sbuf_add(&cn->body, upload, *upload_size)) {
			cn->too_big = 1;
			kith_sbuf_release(&cn->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strncmp(url, "/api/", 5))
		return api(s, c, url, method, cn);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_error(c, 405, "method", "method not allowed", NULL);
	return send_asset(c, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct conn *cn = *con_cls;
	if (!cn)
		return;
	kith_sbuf_release(&cn->body);
	free(cn);
	*con_cls = NULL;
}

/* --------------------------------------------------------------- lifecycle */

static int is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
	return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
}

int kith_web_server_start(struct kith_web_server **out, const struct kith_web_server_opts *o,
			  struct kith_err *err)
{
	if (!o || !o->vault_path || !*o->vault_path)
		return kith_err_set(err, KITH_E_INVALID, "--vault", "no vault given");
	const char *addr = o->listen && *o->listen ? o->listen : "127.0.0.1";
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	struct sockaddr *sa;
	int v6 = 0;
	memset(&in4, 0, sizeof in4);
	memset(&in6, 0, sizeof in6);
	if (inet_pton(AF_INET, addr, &in4.sin_addr) == 1) {
		in4.sin_family = AF_INET;
		in4.sin_port = htons(o->port);
		sa = (struct sockaddr *)&in4;
	} else if (inet_pton(AF_INET6, addr, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons(o->port);
		sa = (struct sockaddr *)&in6;
		v6 = 1;
	} else {
		return kith_err_set(err, KITH_E_INVALID, "--listen", "not an IPv4 or IPv6 address");
	}
	if (!is_loopback(sa) && !o->allow_remote)
		return kith_err_set(
		    err, KITH_E_INVALID, "--listen",
		    "a non-loopback address exposes the vault to the network: add --allow-remote to "
		    "mean it");

	struct kith_web_server *s = calloc(1, sizeof *s);
	if (!s)
		return kith_err_set(err, KITH_E_NOMEM, "web", "out of memory");
	int rc;
	/* writers first: a steady stream of searches must not starve the idle
	 * lock or an edit */
	pthread_rwlockattr_t ra;
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	int bad_rw = pthread_rwlock_init(&s->vault_rw, &ra);
	pthread_rwlockattr_destroy(&ra);
	if (bad_rw) {
		free(s);
		return kith_err_set(err, KITH_E_INTERNAL, "web", "cannot create a lock");
	}
	if (pthread_mutex_init(&s->sess_mu, NULL)) {
		pthread_rwlock_destroy(&s->vault_rw);
		free(s);
		return kith_err_set(err, KITH_E_INTERNAL, "web", "cannot create a mutex");
	}
	s->allow_remote = o->allow_remote;
	s->body_max = o->body_max ? o->body_max : KITH_WEB_BODY_MAX;
	s->import_max = o->import_max ? o->import_max : KITH_WEB_IMPORT_MAX;
	s->idle_lock = o->no_idle_lock ? 0 : (o->idle_lock ? o->idle_lock : KITH_WEB_DEFAULT_IDLE_LOCK);
	if (!(s->address = strdup(addr))) {
		rc = kith_err_set(err, KITH_E_NOMEM, "web", "out of memory");
		goto fail;
	}
	if ((rc = kith_web_api_new(&s->api, o->vault_path, err)))
		goto fail;
	/* searches read only: one index per request thread, so they run at once */
	kith_web_api_set_searches(s->api, o->threads ? o->threads : 2);
	if ((rc = kith_web_sessions_new(&s->sessions, (int64_t)s->idle_lock * 1000, err)))
		goto fail;

	/* Bind the socket here, not in libmicrohttpd, so that the port (when 0
	 * picks one) and the accepted Host values are known before the first
	 * request can arrive. */
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	socklen_t salen = v6 ? (socklen_t)sizeof in6 : (socklen_t)sizeof in4;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) || bind(fd, sa, salen) ||
	    listen(fd, 128) || getsockname(fd, sa, &salen)) {
		if (fd >= 0)
			close(fd);
		rc = kith_err_set(err, KITH_E_IO, "--port",
				  "cannot listen on %s port %u (taken, or not allowed)", addr,
				  (unsigned)o->port);
		goto fail;
	}
	s->port = ntohs(v6 ? in6.sin6_port : in4.sin_port);
	const char *names[] = {"127.0.0.1", "localhost", "[::1]", NULL};
	for (size_t i = 0; names[i]; i++)
		snprintf(s->hosts[s->n_hosts++], sizeof s->hosts[0], "%s:%u", names[i], (unsigned)s->port);
	if (strcmp(addr, "127.0.0.1") && strcmp(addr, "::1"))
		snprintf(s->hosts[s->n_hosts++], sizeof s->hosts[0], v6 ? "[%s]:%u" : "%s:%u", addr,
			 (unsigned)s->port);

	unsigned threads = o->threads ? o->threads : 2;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | (v6 ? MHD_USE_IPv6 : 0);
	s->d = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE,
	    threads, MHD_OPTION_CONNECTION_TIMEOUT, o->timeout ? o->timeout : (unsigned)KITH_WEB_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
	if (!s->d) {
		close(fd);
		rc = kith_err_set(err, KITH_E_IO, "--port", "cannot serve on %s port %u", addr,
				  (unsigned)s->port);
		goto fail;
	}
	*out = s;
	return KITH_OK;
fail:
	kith_web_sessions_free(s->sessions);
	kith_web_api_free(s->api);
	free(s->address);
	pthread_mutex_destroy(&s->sess_mu);
	pthread_rwlock_destroy(&s->vault_rw);
	free(s);
	return rc;
}

uint16_t kith_web_server_port(const struct kith_web_server *s)
{
	return s->port;
}

const char *kith_web_server_address(const struct kith_web_server *s)
{
	return s->address;
}

int kith_web_server_tick(struct kith_web_server *s)
{
	/* a cheap look first: the exclusive lock only when the vault must close */
	pthread_mutex_lock(&s->sess_mu);
	int due = kith_web_sessions_idle(s->sessions, now_ms());
	pthread_mutex_unlock(&s->sess_mu);
	if (!due)
		return 0;
	pthread_rwlock_wrlock(&s->vault_rw);
	pthread_mutex_lock(&s->sess_mu);
	int locked = idle_check(s, now_ms());
	pthread_mutex_unlock(&s->sess_mu);
	pthread_rwlock_unlock(&s->vault_rw);
	return locked;
}

void kith_web_server_stop(struct kith_web_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	kith_web_api_free(s->api);
	kith_web_sessions_free(s->sessions);
	free(s->address);
	pthread_mutex_destroy(&s->sess_mu);
	pthread_rwlock_destroy(&s->vault_rw);
	free(s);
}
