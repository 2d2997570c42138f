/*
 * session — browser sessions, CSRF tokens, the idle lock and the unlock
 * attempt limit of `kith serve` (see session.h for the model).
 *
 * The slots live in one sodium_malloc block (guarded pages, wiped by
 * sodium_free). A slot's cookie and CSRF token are 32 random bytes each; the
 * browser sees them as base64url text, and a presented cookie is decoded and
 * compared with every live slot by sodium_memcmp, so the time taken does not
 * depend on where the first differing byte is.
 */
#include "web/session.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Failed unlock attempts of one session or one client. */
struct limiter {
	int64_t fails_at[KITH_WEB_UNLOCK_BURST]; /* ring of the latest failures */
	unsigned fails;				 /* consecutive failures since the last success */
};

struct slot {
	int live;
	int unlocked;
	int64_t used; /* last request, ms */
	unsigned char cookie[KITH_WEB_TOKEN_BYTES];
	unsigned char csrf[KITH_WEB_TOKEN_BYTES];
	char client[KITH_WEB_CLIENT_MAX];
	struct limiter lim;
};

struct client {
	char key[KITH_WEB_CLIENT_MAX]; /* "" when the entry is free */
	int64_t used;		       /* last failure, ms */
	struct limiter lim;
};

struct kith_web_sessions {
	struct slot *slots; /* KITH_WEB_SESSIONS_MAX, in sodium_malloc memory */
	int64_t idle_lock_ms;
	int64_t activity; /* last authenticated request, ms */
	struct client clients[KITH_WEB_CLIENTS_MAX];
};

static void to_b64(char out[KITH_WEB_TOKEN_B64], const unsigned char tok[KITH_WEB_TOKEN_BYTES])
{
	sodium_bin2base64(out, KITH_WEB_TOKEN_B64, tok, KITH_WEB_TOKEN_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Decodes a token; 0 on success, -1 when it is not exactly 32 bytes of base64url. */
static int from_b64(unsigned char tok[KITH_WEB_TOKEN_BYTES], const char *text)
{
	if (!text)
		return -1;
	size_t tl = strlen(text);
	if (tl != KITH_WEB_TOKEN_B64 - 1)
		return -1;
	size_t n = 0;
	const char *end = NULL;
	if (sodium_base642bin(tok, KITH_WEB_TOKEN_BYTES, text, tl, NULL, &n, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	if (n != KITH_WEB_TOKEN_BYTES || end != text + tl)
		return -1;
	return 0;
}

static int valid(const struct kith_web_sessions *s, int h)
{
	return s && h >= 0 && h < KITH_WEB_SESSIONS_MAX && s->slots[h].live;
}

int kith_web_sessions_new(struct kith_web_sessions **out, int64_t idle_lock_ms, struct kith_err *err)
{
	struct kith_web_sessions *s = calloc(1, sizeof *s);
	if (!s)
		return kith_err_set(err, KITH_E_NOMEM, "session", "out of memory");
	s->slots = sodium_malloc(sizeof(struct slot) * KITH_WEB_SESSIONS_MAX);
	if (!s->slots) {
		free(s);
		return kith_err_set(err, KITH_E_NOMEM, "session", "out of memory");
	}
	sodium_memzero(s->slots, sizeof(struct slot) * KITH_WEB_SESSIONS_MAX);
	s->idle_lock_ms = idle_lock_ms > 0 ? idle_lock_ms : 0;
	*out = s;
	return KITH_OK;
}

void kith_web_sessions_free(struct kith_web_sessions *s)
{
	if (!s)
		return;
	sodium_free(s->slots); /* wipes */
	sodium_memzero(s, sizeof *s);
	free(s);
}

static void new_tokens(struct slot *sl, char cookie[KITH_WEB_TOKEN_B64], char csrf[KITH_WEB_TOKEN_B64])
{
	randombytes_buf(sl->cookie, sizeof sl->cookie);
	randombytes_buf(sl->csrf, sizeof sl->csrf);
	to_b64(cookie, sl->cookie);
	to_b64(csrf, sl->csrf);
}

static int same_client(const struct slot *sl, const char *client)
{
	return sl->live && !strncmp(sl->client, client, KITH_WEB_CLIENT_MAX - 1);
}

/* The least recently used live slot of `client` (NULL: any client) that is
 * anonymous, else any of them; -1 when there is none. */
static int lru_of(const struct kith_web_sessions *s, const char *client)
{
	int pick = -1;
	for (int pass = 0; pass < 2 && pick < 0; pass++) {
		for (int i = 0; i < KITH_WEB_SESSIONS_MAX; i++) {
			const struct slot *sl = &s->slots[i];
			if (!sl->live || (client && !same_client(sl, client)) || (pass == 0 && sl->unlocked))
				continue;
			if (pick < 0 || sl->used < s->slots[pick].used)
				pick = i;
		}
	}
	return pick;
}

int kith_web_session_start(struct kith_web_sessions *s, const char *client, int64_t now,
			   char cookie[KITH_WEB_TOKEN_B64], char csrf[KITH_WEB_TOKEN_B64],
			   struct kith_err *err)
{
	if (!client || !*client)
		client = "-";
	int pick = -1, mine = 0;
	for (int i = 0; i < KITH_WEB_SESSIONS_MAX; i++) {
		struct slot *sl = &s->slots[i];
		if (sl->live && now - sl->used >= KITH_WEB_SESSION_TTL_MS)
			sodium_memzero(sl, sizeof *sl); /* expired */
		if (same_client(sl, client))
			mine++;
	}
	if (mine >= KITH_WEB_SESSIONS_PER_CLIENT) {
		/* a client floods only its own sessions */
		pick = lru_of(s, client);
	} else {
		for (int i = 0; i < KITH_WEB_SESSIONS_MAX && pick < 0; i++)
			if (!s->slots[i].live)
				pick = i;
	}
	if (pick < 0) {
		/* full: the client holding the most sessions gives one up */
		int most = -1, most_n = 0;
		for (int i = 0; i < KITH_WEB_SESSIONS_MAX; i++) {
			int n = 0;
			for (int j = 0; j < KITH_WEB_SESSIONS_MAX; j++)
				n += same_client(&s->slots[j], s->slots[i].client);
			if (n > most_n) {
				most_n = n;
				most = i;
			}
		}
		if (most >= 0)
			pick = lru_of(s, s->slots[most].client);
	}
	if (!KITH_ALWAYS(pick >= 0))
		return kith_err_set(err, KITH_E_INTERNAL, "session", "no session slot");
	struct slot *sl = &s->slots[pick];
	sodium_memzero(sl, sizeof *sl);
	sl->live = 1;
	sl->used = now;
	snprintf(sl->client, sizeof sl->client, "%s", client);
	new_tokens(sl, cookie, csrf);
	return KITH_OK;
}

int kith_web_session_find(struct kith_web_sessions *s, const char *cookie, int64_t now)
{
	unsigned char tok[KITH_WEB_TOKEN_BYTES];
	if (from_b64(tok, cookie) != 0) {
		sodium_memzero(tok, sizeof tok);
		return KITH_E_AUTH;
	}
	int found = -1;
	for (int i = 0; i < KITH_WEB_SESSIONS_MAX; i++) {
		int same = sodium_memcmp(tok, s->slots[i].cookie, sizeof tok) == 0;
		if (same && s->slots[i].live && found < 0)
			found = i;
	}
	sodium_memzero(tok, sizeof tok);
	if (found < 0)
		return KITH_E_AUTH;
	struct slot *sl = &s->slots[found];
	if (now - sl->used >= KITH_WEB_SESSION_TTL_MS) {
		sodium_memzero(sl, sizeof *sl);
		return KITH_E_AUTH;
	}
	sl->used = now;
	return found;
}

int kith_web_session_csrf_ok(const struct kith_web_sessions *s, int h, const char *token)
{
	if (!valid(s, h))
		return 0;
	unsigned char tok[KITH_WEB_TOKEN_BYTES];
	int ok = from_b64(tok, token) == 0 && sodium_memcmp(tok, s->slots[h].csrf, sizeof tok) == 0;
	sodium_memzero(tok, sizeof tok);
	return ok;
}

int kith_web_session_csrf(const struct kith_web_sessions *s, int h, char csrf[KITH_WEB_TOKEN_B64])
{
	if (!valid(s, h))
		return KITH_E_NOTFOUND;
	to_b64(csrf, s->slots[h].csrf);
	return KITH_OK;
}

int kith_web_session_unlocked(const struct kith_web_sessions *s, int h)
{
	return valid(s, h) && s->slots[h].unlocked;
}

int kith_web_session_unlock(struct kith_web_sessions *s, int h, int64_t now, char cookie[KITH_WEB_TOKEN_B64],
			    char csrf[KITH_WEB_TOKEN_B64], struct kith_err *err)
{
	if (!valid(s, h))
		return kith_err_set(err, KITH_E_NOTFOUND, "session", "no such session");
	struct slot *sl = &s->slots[h];
	new_tokens(sl, cookie, csrf);
	sl->unlocked = 1;
	sl->used = now;
	s->activity = now;
	memset(&sl->lim, 0, sizeof sl->lim);
	for (size_t i = 0; i < KITH_WEB_CLIENTS_MAX; i++)
		if (s->clients[i].key[0] && !strcmp(s->clients[i].key, sl->client))
			memset(&s->clients[i], 0, sizeof s->clients[i]);
	return KITH_OK;
}

void kith_web_sessions_lock_all(struct kith_web_sessions *s)
{
	for (int i = 0; i < KITH_WEB_SESSIONS_MAX; i++)
		s->slots[i].unlocked = 0;
}

void kith_web_session_end(struct kith_web_sessions *s, int h)
{
	if (valid(s, h))
		sodium_memzero(&s->slots[h], sizeof s->slots[h]);
}

void kith_web_sessions_touch(struct kith_web_sessions *s, int64_t now)
{
	s->activity = now;
}

static int any_unlocked(const struct kith_web_sessions *s)
{
	for (int i = 0; i < KITH_WEB_SESSIONS_MAX; i++)
		if (s->slots[i].live && s->slots[i].unlocked)
			return 1;
	return 0;
}

int kith_web_sessions_idle(const struct kith_web_sessions *s, int64_t now)
{
	return s->idle_lock_ms > 0 && any_unlocked(s) && now - s->activity >= s->idle_lock_ms;
}

int64_t kith_web_sessions_idle_left(const struct kith_web_sessions *s, int64_t now)
{
	if (s->idle_lock_ms == 0)
		return -1;
	if (!any_unlocked(s))
		return 0;
	int64_t left = s->activity + s->idle_lock_ms - now;
	return left > 0 ? left : 0;
}

static int64_t limiter_wait(const struct limiter *l, int64_t now)
{
	if (l->fails < KITH_WEB_UNLOCK_BURST)
		return 0;
	/* the oldest of the latest BURST failures is the next slot of the ring */
	int64_t oldest = l->fails_at[l->fails % KITH_WEB_UNLOCK_BURST];
	int64_t newest = l->fails_at[(l->fails - 1) % KITH_WEB_UNLOCK_BURST];
	int64_t until = oldest + KITH_WEB_UNLOCK_WINDOW_MS;
	if (l->fails > KITH_WEB_UNLOCK_BURST) {
		int64_t delay = KITH_WEB_UNLOCK_DELAY_MS;
		for (unsigned i = KITH_WEB_UNLOCK_BURST + 1;
		     i < l->fails && delay < KITH_WEB_UNLOCK_DELAY_MAX_MS; i++)
			delay *= 2;
		if (delay > KITH_WEB_UNLOCK_DELAY_MAX_MS)
			delay = KITH_WEB_UNLOCK_DELAY_MAX_MS;
		if (newest + delay > until)
			until = newest + delay;
	}
	return until > now ? until - now : 0;
}

static void limiter_failed(struct limiter *l, int64_t now)
{
	l->fails_at[l->fails % KITH_WEB_UNLOCK_BURST] = now;
	if (l->fails < 1000000u)
		l->fails++;
}

static const struct client *client_find(const struct kith_web_sessions *s, const char *key)
{
	for (size_t i = 0; i < KITH_WEB_CLIENTS_MAX; i++)
		if (s->clients[i].key[0] && !strncmp(s->clients[i].key, key, KITH_WEB_CLIENT_MAX - 1))
			return &s->clients[i];
	return NULL;
}

int64_t kith_web_unlock_wait(const struct kith_web_sessions *s, int h, int64_t now)
{
	if (!valid(s, h))
		return KITH_WEB_UNLOCK_WINDOW_MS;
	int64_t w = limiter_wait(&s->slots[h].lim, now);
	const struct client *c = client_find(s, s->slots[h].client);
	int64_t wc = c ? limiter_wait(&c->lim, now) : 0;
	return wc > w ? wc : w;
}

void kith_web_unlock_failed(struct kith_web_sessions *s, int h, int64_t now)
{
	if (!valid(s, h))
		return;
	struct slot *sl = &s->slots[h];
	limiter_failed(&sl->lim, now);
	struct client *c = (struct client *)(uintptr_t)client_find(s, sl->client);
	if (!c) {
		/* a free entry, else the one whose wait ended longest ago (or the
		 * least recently failed): forgetting it lets that client start over */
		for (size_t i = 0; i < KITH_WEB_CLIENTS_MAX && !c; i++)
			if (!s->clients[i].key[0])
				c = &s->clients[i];
		for (int pass = 0; pass < 2 && !c; pass++)
			for (size_t i = 0; i < KITH_WEB_CLIENTS_MAX; i++)
				if ((pass == 1 || limiter_wait(&s->clients[i].lim, now) == 0) &&
				    (!c || s->clients[i].used < c->used))
					c = &s->clients[i];
		memset(c, 0, sizeof *c);
		snprintf(c->key, sizeof c->key, "%s", sl->client);
	}
	c->used = now;
	limiter_failed(&c->lim, now);
}

const char *kith_web_session_client(const struct kith_web_sessions *s, int h)
{
	return valid(s, h) ? s->slots[h].client : "";
}
