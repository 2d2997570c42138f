/*
 * server — the HTTP side of `kith serve`: libmicrohttpd, the embedded web UI
 * (assets.h), and every check that stands between a browser and the vault.
 *
 * What a request goes through, in order:
 *   1. the Host header must be one of 127.0.0.1:PORT, localhost:PORT or
 *      [::1]:PORT (DNS rebinding), unless remote clients are allowed; a
 *      cross-site Sec-Fetch-Site or a foreign Origin on a POST is refused;
 *   2. the body is capped (1 MiB, 16 MiB for an import) and the connection
 *      times out (MHD_OPTION_CONNECTION_TIMEOUT);
 *   3. static files (GET, HEAD) come from the compiled-in table;
 *   4. every /api route but /api/state needs a live session cookie
 *      (session.h), every POST its X-CSRF-Token, every vault route an
 *      unlocked session; unlock attempts are rate-limited;
 *   5. the vault route itself is answered by api.h.
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
#define KITH_WEB_TIMEOUT 60 /* seconds a connection may sit idle */

struct kith_web_server;

/* Zero means the default for every field but vault_path. */
struct kith_web_server_opts {
	const char *vault_path; /* required: the vault file */
	const char *listen;	/* address to bind; NULL: "127.0.0.1" */
	uint16_t port;		/* 0: pick a free port */
	int allow_remote;	/* required for a non-loopback address; disables the Host check */
	unsigned idle_lock;	/* seconds without activity before the vault locks; 0: 600 */
	int no_idle_lock;	/* 1: never lock for idleness (tests, benchmarks) */
	unsigned threads;	/* polling threads; 0: 2 */
	unsigned timeout;	/* connection timeout in seconds; 0: KITH_WEB_TIMEOUT */
	size_t body_max;	/* 0: KITH_WEB_BODY_MAX */
	size_t import_max;	/* 0: KITH_WEB_IMPORT_MAX */
};

/*
 * Starts serving. Returns KITH_OK with *out set, KITH_E_INVALID (a bad
 * address, or a non-loopback one without allow_remote; err->where names the
 * option), KITH_E_IO (the port is taken or cannot be bound), KITH_E_NOMEM.
 * The vault is not opened: the first browser unlocks it.
 */
int kith_web_server_start(struct kith_web_server **out, const struct kith_web_server_opts *opts,
			  struct kith_err *err) KITH_WUR;

/* The port actually bound (useful with port 0). */
uint16_t kith_web_server_port(const struct kith_web_server *s);

/* The address bound, as given ("127.0.0.1"). Borrowed. */
const char *kith_web_server_address(const struct kith_web_server *s);

/* Housekeeping, about once a second: locks the vault (kith_vault_close wipes
 * the keys) once the idle time has passed. Returns 1 if it just locked. */
int kith_web_server_tick(struct kith_web_server *s);

/* Stops the daemon, closes the vault, wipes and frees everything. NULL allowed. */
void kith_web_server_stop(struct kith_web_server *s);

#endif
