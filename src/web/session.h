/*
 * session — the security state of `kith serve` that is not HTTP: browser
 * sessions (a random 256-bit cookie and a CSRF token each), whether the vault
 * is unlocked for a session, the idle timer that locks the vault, and the limit
 * on unlock attempts.
 *
 * Model. The server holds one vault. Every browser first gets an *anonymous*
 * session (GET /api/state), which carries a CSRF token so that even the
 * unlock and panic requests are CSRF-checked. A correct passphrase *unlocks*
 * that session: its cookie and CSRF token are replaced by fresh ones (no
 * session fixation). Locking (the lock button, the idle timer, a panic) turns
 * every session back into an anonymous one; the cookies stay valid, the vault
 * keys are gone. A session unused for KITH_WEB_SESSION_TTL_MS is forgotten.
 *
 * Clients. Every session belongs to a *client*: a short text the server
 * derives from the connection ("uid:1000" for a loopback peer whose socket
 * owner is known, "ip:ADDR" otherwise). A client holds at most
 * KITH_WEB_SESSIONS_PER_CLIENT sessions: its next one replaces its own least
 * recently used, so one client cannot flood the table and push another's
 * session out. Unlock attempts are limited per session and per client, never
 * globally: a stranger's wrong guesses delay only the stranger.
 *
 * Time is passed in by the caller (milliseconds of a monotonic clock), so the
 * rules are tested without sleeping. Nothing here locks: the server calls
 * every function under its one mutex.
 *
 * Ownership: a struct kith_web_sessions owns its tokens (guarded memory,
 * wiped on free). Token strings handed out are copied into caller buffers.
 */
#ifndef KITH_WEB_SESSION_H
#define KITH_WEB_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define KITH_WEB_TOKEN_BYTES 32 /* 256 bits from randombytes_buf */
#define KITH_WEB_TOKEN_B64 44	/* base64url without padding (43) + NUL */
#define KITH_WEB_SESSIONS_MAX 256
#define KITH_WEB_SESSIONS_PER_CLIENT 16
#define KITH_WEB_CLIENTS_MAX 64 /* clients whose unlock failures are remembered */
#define KITH_WEB_CLIENT_MAX 64	/* a client's text, with NUL (longer is cut) */
#define KITH_WEB_SESSION_TTL_MS (12LL * 3600 * 1000)

/* Unlock attempts, counted for the session and for its client separately:
 * KITH_WEB_UNLOCK_BURST failures within KITH_WEB_UNLOCK_WINDOW_MS block
 * further attempts until the window has passed; every failure after the burst
 * also adds a delay that doubles, from KITH_WEB_UNLOCK_DELAY_MS up to
 * KITH_WEB_UNLOCK_DELAY_MAX_MS. A success resets the session's and the
 * client's counts. */
#define KITH_WEB_UNLOCK_BURST 5
#define KITH_WEB_UNLOCK_WINDOW_MS (60LL * 1000)
#define KITH_WEB_UNLOCK_DELAY_MS (15LL * 1000)
#define KITH_WEB_UNLOCK_DELAY_MAX_MS (3600LL * 1000)

struct kith_web_sessions;

/* Creates the table. idle_lock_ms: the vault locks after this long without an
 * authenticated request (0: never). KITH_OK or KITH_E_NOMEM. */
int kith_web_sessions_new(struct kith_web_sessions **out, int64_t idle_lock_ms,
			  struct kith_err *err) KITH_WUR;

/* Wipes every token and frees the table. NULL allowed. */
void kith_web_sessions_free(struct kith_web_sessions *s);

/*
 * Starts an anonymous session of `client` (borrowed text; NULL or "" is the
 * client "") and writes its cookie and CSRF token (base64url text) into the
 * buffers. A client that already holds KITH_WEB_SESSIONS_PER_CLIENT sessions
 * loses its own least recently used one (an anonymous one first). Otherwise,
 * when the table is full, the least recently used anonymous session of the
 * client holding the most sessions is forgotten. KITH_OK or KITH_E_INTERNAL.
 */
int kith_web_session_start(struct kith_web_sessions *s, const char *client, int64_t now,
			   char cookie[KITH_WEB_TOKEN_B64], char csrf[KITH_WEB_TOKEN_B64],
			   struct kith_err *err) KITH_WUR;

/*
 * Finds the session whose cookie is `cookie` (base64url text, may be NULL),
 * comparing in constant time, and marks it used at `now`. Returns the session's
 * handle (>= 0), or KITH_E_AUTH when there is no such live session (unknown,
 * malformed, forgotten or expired).
 */
int kith_web_session_find(struct kith_web_sessions *s, const char *cookie, int64_t now);

/* Whether `token` (the X-CSRF-Token header, may be NULL) is the CSRF token of
 * session h, compared with sodium_memcmp. 1 yes, 0 no. */
int kith_web_session_csrf_ok(const struct kith_web_sessions *s, int h, const char *token);

/* Copies session h's CSRF token. KITH_OK or KITH_E_NOTFOUND (bad handle). */
int kith_web_session_csrf(const struct kith_web_sessions *s, int h, char csrf[KITH_WEB_TOKEN_B64]);

/* Whether session h is unlocked. */
int kith_web_session_unlocked(const struct kith_web_sessions *s, int h);

/*
 * Marks session h unlocked after a correct passphrase: new cookie, new CSRF
 * token (written out), the idle timer restarted, the attempt counter reset.
 * KITH_OK, KITH_E_NOTFOUND (bad handle), KITH_E_CRYPTO.
 */
int kith_web_session_unlock(struct kith_web_sessions *s, int h, int64_t now, char cookie[KITH_WEB_TOKEN_B64],
			    char csrf[KITH_WEB_TOKEN_B64], struct kith_err *err) KITH_WUR;

/* Turns every session back into an anonymous one (the vault was locked). */
void kith_web_sessions_lock_all(struct kith_web_sessions *s);

/* Forgets session h (its cookie stops working). */
void kith_web_session_end(struct kith_web_sessions *s, int h);

/* Records vault activity at `now` (an authenticated API request). */
void kith_web_sessions_touch(struct kith_web_sessions *s, int64_t now);

/* Whether the vault should be locked for idleness at `now`: some session is
 * unlocked and no activity for idle_lock_ms. */
int kith_web_sessions_idle(const struct kith_web_sessions *s, int64_t now);

/* Milliseconds until the idle lock (0 when due or nothing is unlocked; -1 when
 * idle locking is off). */
int64_t kith_web_sessions_idle_left(const struct kith_web_sessions *s, int64_t now);

/* May session h attempt an unlock at `now`? 0 yes; otherwise the
 * milliseconds to wait (> 0): the longer of the session's and its client's
 * waits. A bad handle waits KITH_WEB_UNLOCK_WINDOW_MS. */
int64_t kith_web_unlock_wait(const struct kith_web_sessions *s, int h, int64_t now);

/* Records a failed unlock attempt of session h (and of its client) at `now`. */
void kith_web_unlock_failed(struct kith_web_sessions *s, int h, int64_t now);

/* The client of session h (borrowed; "" for a bad handle). */
const char *kith_web_session_client(const struct kith_web_sessions *s, int h);

#endif
