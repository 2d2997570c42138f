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
 *
 * Secrets and libmicrohttpd. A request body reaches us as a pointer into
 * MHD's per-connection read buffer (its memory pool); we copy each piece and
 * wipe MHD's bytes in place at once. Unlock and panic bodies are copied into
 * guarded memory (sodium_malloc, KITH_WEB_SECRET_BODY_MAX), other bodies
 * into a wiping buffer. What MHD may still hold, which we cannot reach:
 * bytes it moved within its buffer before handing them over (pipelined
 * requests, a buffer grown while reading), and the kernel's socket buffers.
 * After a request that handled a passphrase, the stack the request ran on is
 * overwritten (scrub_stack): Argon2id, BLAKE2b and secretbox may leave words
 * of the passphrase or of the derived key on the stack of the thread that ran
 * them, depending on how libsodium was built; the scrub holds for any build.
 *
 * Connections. The socket context of every connection (struct sock,
 * MHD_OPTION_NOTIFY_CONNECTION) records when it opened, which polling thread
 * owns it and whether it ever completed a request. MHD gives each polling
 * thread an equal share of KITH_WEB_CONNECTIONS_MAX; when a new connection
 * finds its thread's share nearly used up, the oldest connection of that
 * thread that never completed a request (else the oldest) is shut down.
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np: writer preference */
#include "web/server.h"
#include "web/api_keys.h"

#include <arpa/inet.h>
#include <ctype.h>
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
#include "web/api_attach.h"
#include "casework/attach.h"
#include "web/assets.h"
#include "web/peer.h"
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
	char hosts[5 + KITH_WEB_ALLOW_HOSTS_MAX][300]; /* accepted Host header values */
	size_t n_hosts;
	int64_t (*clock_ms)(void *cls);
	void *clock_cls;
	/* connections (struct sock), under conn_mu */
	pthread_mutex_t conn_mu;
	struct sock *socks;
	unsigned per_thread; /* MHD's share of connections per polling thread */
};

/* One connection (MHD's socket context), from accept to close. */
struct sock {
	struct sock *prev, *next;
	int fd;
	pthread_t thread;		  /* the polling thread that owns it */
	int64_t since;			  /* when it opened, ms */
	int served;			  /* completed the headers of a request at least once */
	int cut;			  /* shut down to make room */
	int nul;			  /* the current request's path or query held %00 */
	char client[KITH_WEB_CLIENT_MAX]; /* "" until first needed */
};

/* One request's state between the access handler's calls. */
struct conn {
	struct kith_sbuf body; /* may hold a case: wiped */
	char *secret;	       /* unlock and panic: the body in guarded memory */
	size_t secret_len;
	size_t cap;
	int too_big;
	struct kith_attach_upload *up; /* POST /api/attach: streamed into the encryption */
	int up_rc, up_done;
	struct kith_err up_err;
};

static int64_t mono_ms(void *cls)
{
	(void)cls;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_of(const struct kith_web_server *s)
{
	return s->clock_ms(s->clock_cls);
}

/* Overwrites the stack below the caller's frame, where the request just
 * handled ran (Argon2id and secretbox may leave key material there). Large
 * enough for the deepest unlock path, also under AddressSanitizer. */
static __attribute__((noinline)) void scrub_stack(void)
{
	unsigned char pad[256 * 1024];
	sodium_memzero(pad, sizeof pad);
	__asm__ __volatile__("" : : "r"(pad) : "memory");
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

/* Queues r, the body of resp, with the security headers, resp's content type
 * and download name and set_cookie (NULL: none); releases resp and r. */
static enum MHD_Result queue_resp(struct MHD_Connection *c, struct MHD_Response *r,
				  struct kith_web_response *resp, const char *set_cookie)
{
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
	return queue_resp(c, r, resp, set_cookie);
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

struct count {
	const char *key;
	unsigned n;
};

static enum MHD_Result count_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)value;
	struct count *k = cls;
	(void)kind; /* MHD looks names up without regard to case: so do we */
	if (key && !strcasecmp(key, k->key))
		k->n++;
	return MHD_YES;
}

static unsigned count_of(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key)
{
	struct count k = {key, 0};
	MHD_get_connection_values(c, kind, count_cb, &k);
	return k.n;
}

/* A header that must come once and comes more than once: its name, or NULL.
 * (A proxy, a browser and kith may each read a different copy.) */
static const char *repeated_header(struct MHD_Connection *c)
{
	static const char *const once[] = {MHD_HTTP_HEADER_HOST,
					   "Origin",
					   MHD_HTTP_HEADER_CONTENT_TYPE,
					   MHD_HTTP_HEADER_CONTENT_LENGTH,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING,
					   "X-CSRF-Token",
					   "Sec-Fetch-Site",
					   MHD_HTTP_HEADER_COOKIE,
					   NULL};
	for (size_t i = 0; once[i]; i++)
		if (count_of(c, MHD_HEADER_KIND, once[i]) > 1)
			return once[i];
	if (count_of(c, MHD_COOKIE_KIND, COOKIE_NAME) > 1)
		return COOKIE_NAME;
	return NULL;
}

static enum MHD_Result nul_cb(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
			      const char *value, size_t value_size)
{
	(void)kind;
	int *bad = cls;
	if ((key && strlen(key) != key_size) || (value && strlen(value) != value_size))
		*bad = 1;
	return MHD_YES;
}

/* A header or query value with a NUL byte inside, where libmicrohttpd
 * reports a length past it: a C string would end there. (libmicrohttpd
 * 0.9.75 itself ends a raw header value or path at a NUL before we see it:
 * a client that sends raw bytes gets what it would get for the shorter
 * value, which it could ask for anyway; a browser cannot send a NUL.) */
static int nul_inside(struct MHD_Connection *c)
{
	int bad = 0;
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, nul_cb, &bad);
	MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, nul_cb, &bad);
	return bad;
}

/* The Host header is one of ours: always, also with allow_remote. */
static int host_ok(const struct kith_web_server *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!h)
		return 0;
	for (size_t i = 0; i < s->n_hosts; i++)
		if (!strcasecmp(h, s->hosts[i]))
			return 1;
	return 0;
}

/* An Origin that is not this server (any request), or a browser's own word
 * that an API request comes from another site. */
static int cross_site(struct MHD_Connection *c, int api_route)
{
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (api_route && site && strcmp(site, "same-origin") && strcmp(site, "none"))
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
	return json_pack("{s:b, s:s, s:I, s:I, s:b}", "unlocked", unlocked, "csrf", csrf, "idle_lock",
			 (json_int_t)s->idle_lock, "idle_left", (json_int_t)(left < 0 ? -1 : left / 1000),
			 "keys_destroyed", !unlocked && kith_web_api_keys_destroyed(s->api));
}

/* The connection's socket context. */
static struct sock *sock_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* The client of the connection (peer.h), found once per connection. */
static const char *client_of(struct MHD_Connection *c)
{
	struct sock *k = sock_of(c);
	if (!k)
		return "?";
	if (!k->client[0])
		kith_web_peer_client(k->fd, k->client);
	return k->client;
}

static enum MHD_Result r_state(struct kith_web_server *s, struct MHD_Connection *c, int h, int64_t now)
{
	char cookie[KITH_WEB_TOKEN_B64], csrf[KITH_WEB_TOKEN_B64], hdr[128];
	const char *set = NULL;
	if (h < 0) {
		if (kith_web_session_start(s->sessions, client_of(c), now, cookie, csrf, NULL))
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

static enum MHD_Result send_wait(struct MHD_Connection *c, int64_t wait)
{
	char msg[128];
	snprintf(msg, sizeof msg, "too many wrong passphrases: try again in %lld seconds",
		 (long long)((wait + 999) / 1000));
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	json_t *e = json_pack("{s:{s:s, s:s, s:n, s:I}}", "error", "code", "rate_limited", "message", msg,
			      "field", "retry_after", (json_int_t)((wait + 999) / 1000));
	(void)kith_web_api_json(&resp, e);
	json_decref(e);
	resp.http = 429;
	return send_resp(c, &resp, NULL);
}

/*
 * Reads the secret body {"passphrase": "...", ...}: *pass gets the passphrase
 * in guarded memory (NULL when absent or not a non-empty string), *confirm
 * whether "confirm" is true. jansson's copy of the string is wiped at once
 * (its blocks are wiped on free as well: kith_process_init). 0, or -1 for a
 * body that is not a JSON object (*bad_json set when it is not JSON) or
 * when out of memory (*pass NULL, *oom set).
 */
static int read_secret(struct conn *cn, char **pass, size_t *len, int *confirm, int *bad_json, int *oom)
{
	*pass = NULL;
	*len = 0;
	*confirm = 0;
	*bad_json = 0;
	*oom = 0;
	json_error_t je;
	json_t *j = json_loadb(cn->secret ? cn->secret : "", cn->secret_len, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		*bad_json = !j;
		json_decref(j);
		return -1;
	}
	*confirm = json_is_true(json_object_get(j, "confirm"));
	json_t *p = json_object_get(j, "passphrase");
	if (json_is_string(p) && json_string_length(p) > 0) {
		size_t n = json_string_length(p);
		char *buf = sodium_malloc(n + 1);
		if (buf) {
			memcpy(buf, json_string_value(p), n);
			buf[n] = '\0';
			*pass = buf;
			*len = n;
		} else {
			*oom = 1;
		}
	}
	if (json_is_string(p))
		sodium_memzero((void *)(uintptr_t)json_string_value(p), json_string_length(p));
	json_decref(j);
	return *oom ? -1 : 0;
}

static enum MHD_Result r_unlock(struct kith_web_server *s, struct MHD_Connection *c, int h, struct conn *cn,
				int64_t now)
{
	int64_t wait = kith_web_unlock_wait(s->sessions, h, now);
	if (wait > 0)
		return send_wait(c, wait);
	char *pass;
	size_t len;
	int confirm, bad_json, oom;
	int rc = read_secret(cn, &pass, &len, &confirm, &bad_json, &oom);
	if (oom)
		return send_error(c, 500, "internal", "out of memory", NULL);
	if (rc || !pass) {
		sodium_free(pass);
		return send_error(c, 400, bad_json ? "bad_json" : "invalid", "give {\"passphrase\": \"...\"}",
				  "passphrase");
	}
	struct kith_err err;
	kith_err_clear(&err);
	rc = kith_web_api_unlock(s->api, pass, len, &err);
	sodium_free(pass);
	if (rc == KITH_E_AUTH && kith_web_api_keys_destroyed(s->api))
		return send_error(c, 410, "keys_destroyed",
				  "this vault's keys were destroyed on this device (panic)", "passphrase");
	if (rc == KITH_E_AUTH) {
		kith_web_unlock_failed(s->sessions, h, now);
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

/* Lock. Only a session that unlocked the vault locks it for everyone: an
 * anonymous one (any local process can have one) would otherwise lock the
 * owner out again and again; to it the vault is locked already. */
static enum MHD_Result r_lock(struct kith_web_server *s, struct MHD_Connection *c, int h, int64_t now)
{
	if (kith_web_session_unlocked(s->sessions, h)) {
		kith_web_api_lock(s->api);
		kith_web_sessions_lock_all(s->sessions);
	}
	char csrf[KITH_WEB_TOKEN_B64];
	if (kith_web_session_csrf(s->sessions, h, csrf))
		return send_error(c, 500, "internal", "session vanished", NULL);
	return send_json(c, 200, state_json(s, h, csrf, now), NULL);
}

/*
 * Panic. A session that unlocked the vault has proved the passphrase: its
 * confirmation is enough. Any other session — the locked screen, which any
 * local process can reach — must give the passphrase or the duress
 * passphrase, which a page cannot script: otherwise a stranger could destroy
 * the keys of a vault whose records exist nowhere else (a standalone vault
 * without a backup of its organization key). A wrong passphrase counts as a
 * failed unlock.
 */
static enum MHD_Result r_panic(struct kith_web_server *s, struct MHD_Connection *c, int h, struct conn *cn,
			       int64_t now)
{
	char *pass;
	size_t len;
	int confirm, bad_json, oom;
	int rc = read_secret(cn, &pass, &len, &confirm, &bad_json, &oom);
	if (oom)
		return send_error(c, 500, "internal", "out of memory", NULL);
	if (rc || !confirm) {
		sodium_free(pass);
		return send_error(c, 400, "invalid", "a panic must be confirmed: {\"confirm\": true}",
				  "confirm");
	}
	int proved = kith_web_session_unlocked(s->sessions, h) && kith_web_api_unlocked(s->api);
	struct kith_err err;
	kith_err_clear(&err);
	if (proved) {
		sodium_free(pass);
		kith_web_sessions_lock_all(s->sessions);
		rc = kith_web_api_panic(s->api, &err);
	} else {
		if (!pass)
			return send_error(c, 403, "passphrase_needed",
					  "the vault is locked: a panic needs the passphrase", "passphrase");
		int64_t wait = kith_web_unlock_wait(s->sessions, h, now);
		if (wait > 0) {
			sodium_free(pass);
			return send_wait(c, wait);
		}
		rc = kith_web_api_panic_with(s->api, pass, len, &err);
		sodium_free(pass);
		if (rc == KITH_E_AUTH) {
			kith_web_unlock_failed(s->sessions, h, now);
			return send_error(c, 401, "auth", "wrong passphrase", "passphrase");
		}
		kith_web_sessions_lock_all(s->sessions);
	}
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

/* ------------------------------------------------------------- attachments (api_attach.h) */

/* A download produced while it is sent: each piece is read under the
 * exclusive lock (the vault may be locked or replaced between pieces). */
struct streamer {
	struct kith_web_server *s;
	long (*read)(void *cls, char *buf, size_t max);
	void (*free)(void *cls);
	void *cls;
};

static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct streamer *st = cls;
	pthread_rwlock_wrlock(&st->s->vault_rw);
	long n = st->read(st->cls, buf, max);
	pthread_rwlock_unlock(&st->s->vault_rw);
	return n > 0	? (ssize_t)n
	       : n == 0 ? MHD_CONTENT_READER_END_OF_STREAM
			: MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free_cb(void *cls)
{
	struct streamer *st = cls;
	st->free(st->cls);
	free(st);
}

static enum MHD_Result send_stream(struct kith_web_server *s, struct MHD_Connection *c,
				   struct kith_web_response *resp)
{
	struct streamer *st = malloc(sizeof *st);
	if (!st) {
		kith_web_response_release(resp);
		return MHD_NO;
	}
	*st = (struct streamer){s, resp->stream, resp->stream_free, resp->stream_cls};
	resp->stream = NULL;
	resp->stream_free = NULL; /* the streamer owns it now */
	resp->stream_cls = NULL;
	struct MHD_Response *r =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_cb, st, stream_free_cb);
	if (!r) {
		stream_free_cb(st);
		kith_web_response_release(resp);
		return MHD_NO;
	}
	return queue_resp(c, r, resp, NULL);
}

/* Headers of POST /api/attach: the session and the CSRF token are checked
 * before a byte of the file is read, then the upload begins (its ciphertext
 * spooled beside the vault). */
static enum MHD_Result attach_begin(struct kith_web_server *s, struct MHD_Connection *c, struct conn *cn)
{
	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
	pthread_mutex_lock(&s->sess_mu);
	int64_t now = now_of(s);
	int h = kith_web_session_find(s->sessions, cookie, now);
	int csrf = h >= 0 &&
		   kith_web_session_csrf_ok(s->sessions, h,
					    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token"));
	pthread_mutex_unlock(&s->sess_mu);
	if (h < 0)
		return send_error(c, 401, "session", "no session or the session expired: reload the page",
				  NULL);
	if (!csrf)
		return send_error(c, 403, "csrf", "missing or wrong CSRF token: reload the page", NULL);
	const char *path = kith_web_api_path(s->api);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path ? path : ".");
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	kith_err_clear(&cn->up_err);
	if (kith_attach_upload_new(&cn->up, dir, 0, &cn->up_err))
		return send_error(c, 500, "internal", "cannot begin the upload", NULL);
	return MHD_YES;
}

/* ------------------------------------------------------------- dispatch */

static enum MHD_Result api(struct kith_web_server *s, struct MHD_Connection *c, const char *url,
			   const char *method, struct conn *cn)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	int post = !strcmp(method, "POST");
	if (!get && !post)
		return send_error(c, 405, "method", "method not allowed", NULL);
	if (cross_site(c, 1))
		return send_error(c, 403, "cross_site", "request from another site refused", NULL);
	if (cn->too_big)
		return send_error(c, 413, "too_large", "request body too large", NULL);
	if (post && strcmp(url, "/api/import") && strcmp(url, "/api/pprl/files") &&
	    strcmp(url, "/api/attach") && strcmp(url, "/api/sync/import")) {
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
	int64_t now = now_of(s);
	/* the idle lock is done by the tick; a request that comes first and
	 * may not close the vault itself finds it locked all the same */
	int idle = shared ? kith_web_sessions_idle(s->sessions, now) : idle_check(s, now);
	/* another process may have written (kith add) or destroyed the keys
	 * (kith panic): refresh, and lock at once when the keys are gone (the
	 * vault says so; the key-slot check is the web's own second look) */
	if (!shared && (kith_web_api_refresh(s->api) || kith_web_api_check_outside(s->api)))
		kith_web_sessions_lock_all(s->sessions);
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
	    .body = cn->secret ? cn->secret : cn->body.buf, /* api_keys.c's passphrases */
	    .body_len = cn->secret ? cn->secret_len : cn->body.len,
	    .upload = cn->up,
	    .upload_rc = cn->up_rc,
	    .upload_err = &cn->up_err,
	};
	int needs_vault = strcmp(req.path, "/schema") != 0;
	if (needs_vault &&
	    (idle || !(kith_web_session_unlocked(s->sessions, h) && kith_web_api_unlocked(s->api)))) {
		ret = send_error(c, 423, "locked", "the vault is locked", NULL);
		goto out_sess;
	}
	if (needs_vault)
		kith_web_sessions_touch(s->sessions, now);
	/* the key routes (api_keys.c) check a passphrase: wrong ones count with
	 * the unlock limits */
	int keys_pass = post && kith_web_keys_secret(req.path);
	if (keys_pass) {
		int64_t wait = kith_web_unlock_wait(s->sessions, h, now);
		if (wait > 0) {
			ret = send_wait(c, wait);
			goto out_sess;
		}
	}
	pthread_mutex_unlock(&s->sess_mu);
	/* the vault call itself: shared or exclusive as decided above */
	struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
	int hrc = kith_web_api_handle(s->api, &req, &resp);
	if (keys_pass && resp.http == 401) {
		pthread_mutex_lock(&s->sess_mu);
		kith_web_unlock_failed(s->sessions, h, now_of(s));
		pthread_mutex_unlock(&s->sess_mu);
	}
	/* a vault that found its keys destroyed by another process answers
	 * KITH_E_LOCKED from then on: lock (exclusive requests only; a search
	 * under the shared lock leaves it to the next one or the tick) */
	if (hrc == KITH_E_LOCKED && !shared && kith_web_api_unlocked(s->api))
		kith_web_api_lock(s->api);
	if (needs_vault && !kith_web_api_unlocked(s->api)) {
		/* the api is locked now (the vault found its keys gone) */
		pthread_mutex_lock(&s->sess_mu);
		kith_web_sessions_lock_all(s->sessions);
		pthread_mutex_unlock(&s->sess_mu);
	}
	ret = resp.stream ? send_stream(s, c, &resp) : send_resp(c, &resp, NULL);
	pthread_rwlock_unlock(&s->vault_rw);
	return ret;
out_sess:
	pthread_mutex_unlock(&s->sess_mu);
	pthread_rwlock_unlock(&s->vault_rw);
	return ret;
}

static int secret_route(const char *url)
{
	return !strcmp(url, "/api/unlock") || !strcmp(url, "/api/panic") ||
	       (!strncmp(url, "/api", 4) && kith_web_keys_secret(url + 4));
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
		struct sock *k = sock_of(c);
		int nul = 0;
		if (k) {
			k->served = 1;
			nul = k->nul;
			k->nul = 0;
		}
		/* file uploads: cases, and other organizations' encodings */
		cn->cap = secret_route(url) ? KITH_WEB_SECRET_BODY_MAX
			  : strcmp(url, "/api/import") && strcmp(url, "/api/pprl/files") &&
				  strcmp(url, "/api/sync/import") /* a bundle: api_sync.h */
			      ? s->body_max
			      : s->import_max;
		if (!strcmp(url, "/api/attach"))
			cn->cap = KITH_ATTACH_MAX_BYTES;
		if (secret_route(url)) {
			cn->secret = sodium_malloc(KITH_WEB_SECRET_BODY_MAX + 1);
			if (!cn->secret)
				return MHD_NO;
		}
		const char *twice = repeated_header(c);
		if (twice) {
			char msg[96];
			snprintf(msg, sizeof msg, "the %s header is given more than once", twice);
			return send_error(c, 400, "duplicate_header", msg, twice);
		}
		if (!host_ok(s, c))
			return send_error(c, 421, "host",
					  "wrong Host header: open the address kith serve printed", NULL);
		if (nul || nul_inside(c))
			return send_error(c, 400, "bad_url", "a NUL byte (%00) in the address or a header",
					  NULL);
		if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH) &&
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
			return send_error(
			    c, 400, "framing",
			    "both Content-Length and Transfer-Encoding: the body's end is ambiguous", NULL);
		if (cross_site(c, 0))
			return send_error(c, 403, "cross_site", "request from another site refused", NULL);
		const char *cl =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > cn->cap) {
			cn->too_big = 1;
			return send_error(c, 413, "too_large", "request body too large", NULL);
		}
		if (!strcmp(url, "/api/attach") && !strcmp(method, "POST"))
			return attach_begin(s, c, cn);
		return MHD_YES;
	}
	if (cn->up) { /* an attachment: each piece straight into the encryption */
		if (*upload_size && !cn->up_rc)
			cn->up_rc = kith_attach_upload_add(cn->up, upload, *upload_size, &cn->up_err);
		else if (!*upload_size && !cn->up_rc && !cn->up_done) {
			cn->up_done = 1;
			cn->up_rc = kith_attach_upload_finish(cn->up, &cn->up_err);
		}
		if (*upload_size) {
			sodium_memzero((void *)(uintptr_t)upload, *upload_size);
			*upload_size = 0;
			return MHD_YES;
		}
	}
	if (*upload_size) {
		if (!cn->too_big && (cn->body.len + cn->secret_len + *upload_size > cn->cap)) {
			cn->too_big = 1;
			kith_sbuf_release(&cn->body);
		}
		if (!cn->too_big && cn->secret) {
			memcpy(cn->secret + cn->secret_len, upload, *upload_size);
			cn->secret_len += *upload_size;
			cn->secret[cn->secret_len] = '\0';
		} else if (!cn->too_big && kith_sbuf_add(&cn->body, upload, *upload_size)) {
			cn->too_big = 1;
			kith_sbuf_release(&cn->body);
		}
		/* MHD's copy, in its read buffer: wiped once we have ours */
		sodium_memzero((void *)(uintptr_t)upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strncmp(url, "/api/", 5)) {
		enum MHD_Result r = api(s, c, url, method, cn);
		if (cn->secret)
			scrub_stack();
		return r;
	}
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
	kith_attach_upload_free(cn->up); /* wipes; its spool goes with it */
	sodium_free(cn->secret);	 /* wipes */
	free(cn);
	*con_cls = NULL;
}

/* %XX decoding as MHD's own, except that a %00 marks the request as bad
 * (on_request refuses it): a C string would end at the NUL, so that
 * "/index.html%00.png" would be read as "/index.html". */
static size_t unescape(void *cls, struct MHD_Connection *c, char *str)
{
	(void)cls;
	for (const char *p = str; (p = strchr(p, '%')); p++) {
		if (p[1] == '0' && p[2] == '0') {
			struct sock *k = sock_of(c);
			if (k)
				k->nul = 1;
			else
				str[0] = '\0'; /* cannot mark it: leave nothing to match */
			break;
		}
	}
	return MHD_http_unescape(str);
}

/* Shuts down, to make room, the oldest connection of `thread` that never
 * completed a request, else its oldest. Caller holds conn_mu. */
static void make_room(struct kith_web_server *s, pthread_t thread)
{
	struct sock *pick = NULL;
	for (int pass = 0; pass < 2 && !pick; pass++)
		for (struct sock *k = s->socks; k; k = k->next)
			if (!k->cut && pthread_equal(k->thread, thread) && (pass == 1 || !k->served) &&
			    (!pick || k->since < pick->since))
				pick = k;
	if (pick) {
		pick->cut = 1;
		shutdown(pick->fd, SHUT_RDWR); /* its thread sees the end and closes it */
	}
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct kith_web_server *s = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct sock *k = calloc(1, sizeof *k);
		if (!k)
			return; /* unknown to us: never cut, never marked */
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k->fd = ci ? ci->connect_fd : -1;
		k->thread = pthread_self();
		k->since = now_of(s);
		pthread_mutex_lock(&s->conn_mu);
		unsigned mine = 0;
		for (struct sock *o = s->socks; o; o = o->next)
			mine += !o->cut && pthread_equal(o->thread, k->thread);
		unsigned margin = s->per_thread / 8 + 1;
		if (mine + margin >= s->per_thread)
			make_room(s, k->thread);
		k->next = s->socks;
		if (s->socks)
			s->socks->prev = k;
		s->socks = k;
		pthread_mutex_unlock(&s->conn_mu);
		*socket_context = k;
		return;
	}
	struct sock *k = *socket_context;
	if (!k)
		return;
	pthread_mutex_lock(&s->conn_mu);
	if (k->prev)
		k->prev->next = k->next;
	else
		s->socks = k->next;
	if (k->next)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&s->conn_mu);
	free(k);
	*socket_context = NULL;
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

/* A name for --allow-host: letters, digits, '.', '-' (a DNS name or an IPv4
 * address) or a [bracketed] IPv6 address, then an optional :port. */
static int host_name_ok(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 253)
		return 0;
	const char *p = n;
	if (*p == '[') {
		const char *end = strchr(p, ']');
		if (!end || end == p + 1)
			return 0;
		for (const char *q = p + 1; q < end; q++)
			if (!strchr("0123456789abcdefABCDEF:.", *q))
				return 0;
		p = end + 1;
	} else {
		const char *q = p;
		while (*q && *q != ':' && (isalnum((unsigned char)*q) || *q == '.' || *q == '-'))
			q++;
		if (q == p)
			return 0;
		p = q;
	}
	if (*p == '\0')
		return 1;
	if (*p != ':' || !p[1] || strlen(p + 1) > 5)
		return 0;
	for (const char *q = p + 1; *q; q++)
		if (*q < '0' || *q > '9')
			return 0;
	return atoi(p + 1) > 0 && atoi(p + 1) <= 65535;
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
	if (o->n_allow_hosts && !o->allow_remote)
		return kith_err_set(err, KITH_E_INVALID, "--allow-host",
				    "names for remote clients need --allow-remote");
	if (o->n_allow_hosts > KITH_WEB_ALLOW_HOSTS_MAX)
		return kith_err_set(err, KITH_E_INVALID, "--allow-host", "at most %d names",
				    KITH_WEB_ALLOW_HOSTS_MAX);
	for (size_t i = 0; i < o->n_allow_hosts; i++)
		if (!host_name_ok(o->allow_hosts[i]))
			return kith_err_set(err, KITH_E_INVALID, "--allow-host",
					    "not a host name, an IPv4 address or a [bracketed] IPv6 "
					    "address, with an optional :port");
	int wildcard = (!v6 && in4.sin_addr.s_addr == htonl(INADDR_ANY)) ||
		       (v6 && IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr));
	if (wildcard && !o->n_allow_hosts)
		return kith_err_set(err, KITH_E_INVALID, "--allow-host",
				    "every address (%s) is bound: give the names clients will use "
				    "with --allow-host (the Host header is always checked)",
				    addr);

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
	if (pthread_mutex_init(&s->conn_mu, NULL)) {
		pthread_mutex_destroy(&s->sess_mu);
		pthread_rwlock_destroy(&s->vault_rw);
		free(s);
		return kith_err_set(err, KITH_E_INTERNAL, "web", "cannot create a mutex");
	}
	s->clock_ms = o->clock_ms ? o->clock_ms : mono_ms;
	s->clock_cls = o->clock_ms ? o->clock_cls : NULL;
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
	kith_web_api_set_link_threads(s->api, o->link_threads);
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
	if (strcmp(addr, "127.0.0.1") && strcmp(addr, "::1") && !wildcard)
		snprintf(s->hosts[s->n_hosts++], sizeof s->hosts[0], v6 ? "[%s]:%u" : "%s:%u", addr,
			 (unsigned)s->port);
	for (size_t i = 0; i < o->n_allow_hosts; i++) {
		const char *n = o->allow_hosts[i];
		const char *colon = strrchr(n, ':');
		int has_port = colon && (n[0] != '[' || colon > strchr(n, ']'));
		if (has_port)
			snprintf(s->hosts[s->n_hosts++], sizeof s->hosts[0], "%s", n);
		else
			snprintf(s->hosts[s->n_hosts++], sizeof s->hosts[0], "%s:%u", n, (unsigned)s->port);
	}

	unsigned threads = o->threads ? o->threads : 2;
	s->per_thread = KITH_WEB_CONNECTIONS_MAX / threads;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | (v6 ? MHD_USE_IPv6 : 0);
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
				o->timeout ? o->timeout : (unsigned)KITH_WEB_TIMEOUT,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
				on_connection, s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, s,
				MHD_OPTION_CONNECTION_LIMIT, KITH_WEB_CONNECTIONS_MAX, MHD_OPTION_END);
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
	pthread_mutex_destroy(&s->conn_mu);
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
	pthread_rwlock_wrlock(&s->vault_rw);
	pthread_mutex_lock(&s->sess_mu);
	int locked = idle_check(s, now_of(s));
	if (!locked && kith_web_api_check_outside(s->api)) {
		kith_web_sessions_lock_all(s->sessions);
		locked = 2;
	}
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
	pthread_mutex_destroy(&s->conn_mu);
	pthread_mutex_destroy(&s->sess_mu);
	pthread_rwlock_destroy(&s->vault_rw);
	free(s);
}
