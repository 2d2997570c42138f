/* Unit tests of src/web/session: cookies, CSRF tokens, the idle lock and the
 * unlock attempt limit, with time passed in (no sleeping). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "web/session.h"

#define SEC 1000LL
#define OWNER "uid:1000"
#define STRANGER "uid:1001"

static int setup(void **state)
{
	if (kith_process_init())
		return -1;
	struct kith_web_sessions *s = NULL;
	if (kith_web_sessions_new(&s, 600 * SEC, NULL))
		return -1;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	kith_web_sessions_free(*state);
	return 0;
}

static void test_tokens_are_random_and_url_safe(void **state)
{
	struct kith_web_sessions *s = *state;
	char c1[KITH_WEB_TOKEN_B64], x1[KITH_WEB_TOKEN_B64], c2[KITH_WEB_TOKEN_B64], x2[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, 0, c1, x1, NULL), 0);
	assert_int_equal(kith_web_session_start(s, OWNER, 0, c2, x2, NULL), 0);
	assert_int_equal(strlen(c1), 43); /* 256 bits, base64url without padding */
	assert_int_equal(strlen(x1), 43);
	assert_string_not_equal(c1, c2);
	assert_string_not_equal(c1, x1);
	assert_string_not_equal(x1, x2);
	for (const char *p = c1; *p; p++)
		assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
}

static void test_find_and_csrf(void **state)
{
	struct kith_web_sessions *s = *state;
	char c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64], other_c[KITH_WEB_TOKEN_B64],
	    other_x[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, 0, c, x, NULL), 0);
	assert_int_equal(kith_web_session_start(s, OWNER, 0, other_c, other_x, NULL), 0);
	int h = kith_web_session_find(s, c, 1);
	assert_true(h >= 0);
	assert_false(kith_web_session_unlocked(s, h));
	assert_true(kith_web_session_csrf_ok(s, h, x));
	assert_false(kith_web_session_csrf_ok(s, h, other_x)); /* another session's token */
	assert_false(kith_web_session_csrf_ok(s, h, NULL));
	assert_false(kith_web_session_csrf_ok(s, h, ""));
	char bad[KITH_WEB_TOKEN_B64];
	memcpy(bad, x, sizeof bad);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	assert_false(kith_web_session_csrf_ok(s, h, bad));
	/* malformed cookies */
	assert_int_equal(kith_web_session_find(s, NULL, 1), KITH_E_AUTH);
	assert_int_equal(kith_web_session_find(s, "", 1), KITH_E_AUTH);
	assert_int_equal(kith_web_session_find(s, "short", 1), KITH_E_AUTH);
	assert_int_equal(kith_web_session_find(s, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", 1),
			 KITH_E_AUTH);
	assert_int_equal(kith_web_session_find(s, bad, 1), KITH_E_AUTH);
	/* an all-zero token must not match a free slot */
	assert_int_equal(kith_web_session_find(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1),
			 KITH_E_AUTH);
	char copy[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_csrf(s, h, copy), 0);
	assert_string_equal(copy, x);
}

static void test_unlock_rotates_tokens(void **state)
{
	struct kith_web_sessions *s = *state;
	char c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64], c2[KITH_WEB_TOKEN_B64], x2[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, 0, c, x, NULL), 0);
	int h = kith_web_session_find(s, c, 0);
	assert_int_equal(kith_web_session_unlock(s, h, 5 * SEC, c2, x2, NULL), 0);
	assert_string_not_equal(c, c2);
	assert_string_not_equal(x, x2);
	assert_int_equal(kith_web_session_find(s, c, 6 * SEC), KITH_E_AUTH); /* the old cookie is dead */
	assert_int_equal(kith_web_session_find(s, c2, 6 * SEC), h);
	assert_true(kith_web_session_unlocked(s, h));
	assert_false(kith_web_session_csrf_ok(s, h, x));
	assert_true(kith_web_session_csrf_ok(s, h, x2));
	kith_web_sessions_lock_all(s);
	assert_false(kith_web_session_unlocked(s, h));
	assert_int_equal(kith_web_session_find(s, c2, 7 * SEC), h); /* still a session, locked */
	kith_web_session_end(s, h);
	assert_int_equal(kith_web_session_find(s, c2, 8 * SEC), KITH_E_AUTH);
	assert_int_equal(kith_web_session_unlock(s, h, 9 * SEC, c2, x2, NULL), KITH_E_NOTFOUND);
}

static void test_idle_lock(void **state)
{
	struct kith_web_sessions *s = *state;
	char c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, 0, c, x, NULL), 0);
	int h = kith_web_session_find(s, c, 0);
	assert_false(kith_web_sessions_idle(s, 10000 * SEC)); /* nothing unlocked: nothing to lock */
	assert_int_equal(kith_web_session_unlock(s, h, 100 * SEC, c, x, NULL), 0);
	assert_false(kith_web_sessions_idle(s, 699 * SEC));
	assert_int_equal(kith_web_sessions_idle_left(s, 400 * SEC), 300 * SEC);
	kith_web_sessions_touch(s, 650 * SEC);
	assert_false(kith_web_sessions_idle(s, 1000 * SEC));
	assert_true(kith_web_sessions_idle(s, 1250 * SEC));
	assert_int_equal(kith_web_sessions_idle_left(s, 1300 * SEC), 0);
	kith_web_sessions_lock_all(s);
	assert_false(kith_web_sessions_idle(s, 5000 * SEC));
}

static void test_idle_lock_off(void **state)
{
	(void)state;
	struct kith_web_sessions *s = NULL;
	assert_int_equal(kith_web_sessions_new(&s, 0, NULL), 0);
	char c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, 0, c, x, NULL), 0);
	assert_int_equal(kith_web_session_unlock(s, kith_web_session_find(s, c, 0), 0, c, x, NULL), 0);
	assert_false(kith_web_sessions_idle(s, 1000000 * SEC));
	assert_int_equal(kith_web_sessions_idle_left(s, 5), -1);
	kith_web_sessions_free(s);
}

static void test_sessions_expire(void **state)
{
	struct kith_web_sessions *s = *state;
	char c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, 0, c, x, NULL), 0);
	assert_true(kith_web_session_find(s, c, KITH_WEB_SESSION_TTL_MS - 1) >= 0);
	/* used just now: alive for another TTL */
	assert_true(kith_web_session_find(s, c, 2 * KITH_WEB_SESSION_TTL_MS - 2) >= 0);
	assert_int_equal(kith_web_session_find(s, c, 4 * KITH_WEB_SESSION_TTL_MS), KITH_E_AUTH);
}

static void test_full_table_evicts_anonymous_first(void **state)
{
	struct kith_web_sessions *s = *state;
	char c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64], keep[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, 0, keep, x, NULL), 0);
	int h = kith_web_session_find(s, keep, 0);
	assert_int_equal(kith_web_session_unlock(s, h, 0, keep, x, NULL), 0);
	for (int i = 0; i < 3 * KITH_WEB_SESSIONS_MAX; i++)
		assert_int_equal(kith_web_session_start(s, OWNER, 1 + i, c, x, NULL), 0);
	assert_true(kith_web_session_find(s, c, 1000) >= 0);	   /* the newest is there */
	assert_int_equal(kith_web_session_find(s, keep, 1000), h); /* the unlocked one survived */
}

static void test_unlock_attempt_limit(void **state)
{
	struct kith_web_sessions *s = *state;
	int64_t t = 1000 * SEC;
	char c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, t, c, x, NULL), 0);
	int h = kith_web_session_find(s, c, t);
	/* five quick failures are allowed, the sixth must wait for the minute */
	for (int i = 0; i < KITH_WEB_UNLOCK_BURST; i++) {
		assert_int_equal(kith_web_unlock_wait(s, h, t), 0);
		kith_web_unlock_failed(s, h, t);
		t += SEC;
	}
	int64_t w = kith_web_unlock_wait(s, h, t);
	assert_true(w > 0);
	assert_int_equal(w, 1000 * SEC + KITH_WEB_UNLOCK_WINDOW_MS - t);
	t += w;
	assert_int_equal(kith_web_unlock_wait(s, h, t), 0);
	/* each further failure makes the wait grow */
	int64_t prev = 0;
	for (int i = 0; i < 12; i++) {
		kith_web_unlock_failed(s, h, t);
		w = kith_web_unlock_wait(s, h, t);
		assert_true(w >= prev);
		assert_true(w <= KITH_WEB_UNLOCK_DELAY_MAX_MS + KITH_WEB_UNLOCK_WINDOW_MS);
		prev = w;
		t += w;
	}
	assert_true(prev >= KITH_WEB_UNLOCK_DELAY_MAX_MS);
	/* a new session of the same client waits as long: the client is counted */
	kith_web_unlock_failed(s, h, t);
	char c2[KITH_WEB_TOKEN_B64], x2[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, t, c2, x2, NULL), 0);
	int h2 = kith_web_session_find(s, c2, t);
	assert_true(kith_web_unlock_wait(s, h2, t) > 0);
	/* a success resets the counters */
	assert_int_equal(kith_web_session_unlock(s, h2, t, c2, x2, NULL), 0);
	assert_int_equal(kith_web_unlock_wait(s, h2, t), 0);
	assert_int_equal(kith_web_unlock_wait(s, -1, t), KITH_WEB_UNLOCK_WINDOW_MS); /* bad handle */
}

/* Issue 10, finding 9: the failure counter was global, so a stranger's
 * guesses kept the owner at "try again in N seconds". */
static void test_stranger_never_locks_owner_out(void **state)
{
	struct kith_web_sessions *s = *state;
	int64_t t = 5000 * SEC;
	char c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64];
	char oc[KITH_WEB_TOKEN_B64], ox[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, t, oc, ox, NULL), 0);
	/* 200 guesses, a fresh session for each */
	for (int i = 0; i < 200; i++) {
		assert_int_equal(kith_web_session_start(s, STRANGER, t, c, x, NULL), 0);
		int h = kith_web_session_find(s, c, t);
		if (i >= KITH_WEB_UNLOCK_BURST)
			assert_true(kith_web_unlock_wait(s, h, t) > 0); /* fresh sessions do not help */
		kith_web_unlock_failed(s, h, t);
		t += 10;
	}
	int owner = kith_web_session_find(s, oc, t);
	assert_true(owner >= 0);
	assert_int_equal(kith_web_unlock_wait(s, owner, t), 0);
	/* and a new session of the owner is free too */
	assert_int_equal(kith_web_session_start(s, OWNER, t, c, x, NULL), 0);
	assert_int_equal(kith_web_unlock_wait(s, kith_web_session_find(s, c, t), t), 0);
	assert_string_equal(kith_web_session_client(s, owner), OWNER);
}

/* Issue 10, finding 9: the 32-slot session table could be flooded, pushing
 * the owner's session (on the lock screen) out. */
static void test_flood_keeps_owner_session(void **state)
{
	struct kith_web_sessions *s = *state;
	char oc[KITH_WEB_TOKEN_B64], ox[KITH_WEB_TOKEN_B64], c[KITH_WEB_TOKEN_B64], x[KITH_WEB_TOKEN_B64];
	assert_int_equal(kith_web_session_start(s, OWNER, 0, oc, ox, NULL), 0);
	/* one stranger: 10 tables' worth of sessions */
	for (int i = 0; i < 10 * KITH_WEB_SESSIONS_MAX; i++)
		assert_int_equal(kith_web_session_start(s, STRANGER, 1 + i, c, x, NULL), 0);
	assert_true(kith_web_session_find(s, c, 100000) >= 0);
	assert_true(kith_web_session_find(s, oc, 100000) >= 0);
	/* forty strangers, more than the table holds between them */
	char who[32];
	for (int i = 0; i < 40 * KITH_WEB_SESSIONS_PER_CLIENT; i++) {
		snprintf(who, sizeof who, "uid:%d", 2000 + i % 40);
		assert_int_equal(kith_web_session_start(s, who, 200000 + i, c, x, NULL), 0);
	}
	assert_true(kith_web_session_find(s, c, 300000) >= 0);
	assert_true(kith_web_session_find(s, oc, 300000) >= 0); /* still there, anonymous */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tokens_are_random_and_url_safe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_and_csrf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unlock_rotates_tokens, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_lock_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessions_expire, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_table_evicts_anonymous_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unlock_attempt_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stranger_never_locks_owner_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flood_keeps_owner_session, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
