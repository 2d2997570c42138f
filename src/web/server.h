/*
 * server — the HTTP side of `kith serve`: libmicrohttpd, the embedded web UI
 * (assets.h), and every check that stands between a browser and the vault.
 *
 * What a request goes through, in order:
 *   1. exactly one Host header, one of 127.0.0.1:PORT, localhost:PORT,
 *      [::1]:PORT, the bound address and (with allow_remote) the names given
 *      in allow_hosts — always, DNS rebinding being the attack; a header that
 *      must come once (Host, Origin, Content-Type, Content-Length,
 *      Transfer-Encoding, X-CSRF-Token, Sec-Fetch-Site, Cookie, and the
 *      session cookie itself) coming twice is refused; a %00 anywhere in the
 *      path or the query is refused (a C string would end there);
 *   2. an Origin, on any request, must be http:// + the Host; on /api a
 *      cross-site Sec-Fetch-Site is refused;
 *   3. the body is capped (1 MiB, 16 MiB for an import, 4 KiB for unlock and
 *      panic, read into guarded memory) and the connection times out
 *      (MHD_OPTION_CONNECTION_TIMEOUT); when a polling thread's share of
 *      connections is nearly used up, its oldest connection that never
 *      completed a request (else its oldest) is cut, so slow or idle
 *      connections cannot keep the owner out;
 *   4. static files (GET, HEAD) come from the compiled-in table;
 *   5. every /api route but /api/state needs a live session cookie
 *      (session.h), every POST its X-CSRF-Token, every vault route an
 *      unlocked session; unlock attempts are limited per session and per
 *      client (peer.h); a panic from a session that is not unlocked needs the
 *      passphrase (or the duress passphrase);
 *   6. the vault route itself is answered by api.h, after a look at whether
 *      another process destroyed the keys (kith_web_api_check_outside).
 * Every response carries the Content-Security-Policy, nosniff, no-referrer,
 * frame denial and Cache-Control: no-store. Errors are JSON
 * {"error": {"code", "message", "field"}}.
 *
 * Threads: libmicrohttpd runs its own polling threads
 * (MHD_USE_INTERNAL_POLLING_THREAD with a pool of `threads`). The vault is
 * not thread-safe (vault.h), so every request that calls it — and unlock,
 * lock, panic and the idle lock — holds the server's lock alone; only the
 * session state and the schema share it (kith_web_api_reads_only). Static
 * files take no lock, so the page itself loads while a search runs.
 * The session table has its own mutex, taken after the vault lock and only
 * for bookkeeping. Static files need no lock. The idle lock is driven by
 * kith_web_server_tick, which the caller runs about once a second (cmd_serve's
 * main loop).
 *
 * Ownership: the server copies the options' strings and owns the api, the
 * sessions and the daemon; kith_web_server_stop wipes and frees them all.
 */
#ifndef KITH_WEB_SERVER_H
#define KITH_WEB_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define KITH_WEB_DEFAULT_PORT 8470
#define KITH_WEB_DEFAULT_IDLE_LOCK 600 /* seconds */
#define KITH_WEB_BODY_MAX (1u << 20)
#define KITH_WEB_IMPORT_MAX (16u << 20)
#define KITH_WEB_SECRET_BODY_MAX 4096u /* unlock and panic bodies, in guarded memory */
#define KITH_WEB_TIMEOUT 60	       /* seconds a connection may sit idle */
#define KITH_WEB_CONNECTIONS_MAX 512u  /* connections at once, shared by the polling threads */
#define KITH_WEB_ALLOW_HOSTS_MAX 16

struct kith_web_server;

/* Zero means the default for every field but vault_path. */
struct kith_web_server_opts {
	const char *vault_path; /* required: the vault file */
	const char *listen;	/* address to bind; NULL: "127.0.0.1" */
	uint16_t port;		/* 0: pick a free port */
	int allow_remote;	/* required for a non-loopback address */
	/* with allow_remote: the Host names clients may use ("kith.lan",
	 * "192.0.2.7", "name:port"; the port is the bound one when not given);
	 * required when the bound address is a wildcard (0.0.0.0, ::) */
	const char *const *allow_hosts;
	size_t n_allow_hosts;
	unsigned idle_lock; /* seconds without activity before the vault locks; 0: 600 */
	int no_idle_lock;   /* 1: never lock for idleness (tests, benchmarks) */
	unsigned threads;   /* polling threads; 0: 2 */
	unsigned timeout;   /* connection timeout in seconds; 0: KITH_WEB_TIMEOUT */
	size_t body_max;    /* 0: KITH_WEB_BODY_MAX */
	size_t import_max;  /* 0: KITH_WEB_IMPORT_MAX */
	/* the clock of sessions and the idle lock, in milliseconds (monotonic);
	 * NULL: CLOCK_MONOTONIC. Tests pass their own, so nothing sleeps. */
	int64_t (*clock_ms)(void *cls);
	void *clock_cls;
	/* threads of a linkage run (POST /links/propose); 0: the online processors */
	unsigned link_threads;
};

/*
 * Starts serving. Returns KITH_OK with *out set, KITH_E_INVALID (a bad
 * address, a non-loopback one without allow_remote, allow_hosts without
 * allow_remote, a wildcard address without allow_hosts, a malformed host
 * name; err->where names the option), KITH_E_IO (the port is taken or cannot be bound), KITH_E_NOMEM.
 * The vault is not opened: the first browser unlocks it.
 */
int kith_web_server_start(struct kith_web_server **out, const struct kith_web_server_opts *opts,
			  struct kith_err *err) KITH_WUR;

/* The port actually bound (useful with port 0). */
uint16_t kith_web_server_port(const struct kith_web_server *s);

/* The address bound, as given ("127.0.0.1"). Borrowed. */
const char *kith_web_server_address(const struct kith_web_server *s);

/* Housekeeping, about once a second: locks the vault (kith_vault_close wipes
 * the keys) once the idle time has passed, or when another process destroyed
 * the keys (kith panic in a terminal). Returns 1 if it just locked for
 * idleness, 2 if for the keys destroyed elsewhere. */
int kith_web_server_tick(struct kith_web_server *s);

/* Stops the daemon, closes the vault, wipes and frees everything. NULL allowed. */
void kith_web_server_stop(struct kith_web_server *s);

#endif
