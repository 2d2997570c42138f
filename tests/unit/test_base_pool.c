/* Unit tests of src/base/pool: every item once, whatever the thread count. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/pool.h"

static void mark(size_t i, void *arg)
{
	atomic_int *seen = arg;
	atomic_fetch_add(&seen[i], 1);
}

static void test_for_each_once(void **state)
{
	(void)state;
	enum { N = 10000 };
	static const unsigned threads[] = {0, 1, 2, 3, 64, 1000};
	for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
		atomic_int *seen = calloc(N, sizeof *seen);
		assert_non_null(seen);
		kith_pool_for(threads[t], N, mark, seen);
		for (size_t i = 0; i < N; i++)
			assert_int_equal(atomic_load(&seen[i]), 1);
		free(seen);
	}
	kith_pool_for(4, 0, mark, NULL); /* no items: fn is not called */
}

static void count(void *arg)
{
	atomic_fetch_add((atomic_int *)arg, 1);
}

static void test_run(void **state)
{
	(void)state;
	atomic_int n;
	atomic_init(&n, 0);
	unsigned ran = kith_pool_run(3, count, &n);
	assert_int_equal(ran, 3);
	assert_int_equal(atomic_load(&n), 3);
	atomic_init(&n, 0);
	assert_int_equal(kith_pool_run(0, count, &n), 1); /* 0 means this thread alone */
	assert_int_equal(atomic_load(&n), 1);
}

struct seen_t {
	atomic_int by_t[KITH_POOL_MAX];
	atomic_int calls;
	pthread_t caller;
};

static void note_t(unsigned t, void *arg)
{
	struct seen_t *s = arg;
	assert_true(t < KITH_POOL_MAX);
	assert_true((t == 0) == (pthread_equal(pthread_self(), s->caller) != 0));
	atomic_fetch_add(&s->by_t[t], 1);
	atomic_fetch_add(&s->calls, 1);
}

/* Each t in [0, threads) once; t = 0 on this thread; capped at KITH_POOL_MAX. */
static void test_run_indexed(void **state)
{
	(void)state;
	static const unsigned threads[] = {0, 1, 2, 5, KITH_POOL_MAX, 1000};
	for (size_t k = 0; k < sizeof threads / sizeof *threads; k++) {
		struct seen_t s;
		for (unsigned t = 0; t < KITH_POOL_MAX; t++)
			atomic_init(&s.by_t[t], 0);
		atomic_init(&s.calls, 0);
		s.caller = pthread_self();
		unsigned ran = kith_pool_run_indexed(threads[k], note_t, &s);
		unsigned want = threads[k] == 0 ? 1 : threads[k] > KITH_POOL_MAX ? KITH_POOL_MAX : threads[k];
		assert_int_equal(ran, want); /* this machine starts a few threads */
		assert_int_equal(atomic_load(&s.calls), want);
		for (unsigned t = 0; t < KITH_POOL_MAX; t++)
			assert_int_equal(atomic_load(&s.by_t[t]), t < want);
	}
}

struct bg_work {
	atomic_int *seen;
	size_t n;
	atomic_size_t next;
};

static void bg_worker(void *arg)
{
	struct bg_work *w = arg;
	for (size_t i; (i = atomic_fetch_add(&w->next, 1)) < w->n;)
		atomic_fetch_add(&w->seen[i], 1);
}

/* Started in the background, joined later: every item once, and the caller
 * ran its share (a join with threads 1 is this thread alone). */
static void test_start_join(void **state)
{
	(void)state;
	enum { N = 5000 };
	static const unsigned threads[] = {0, 1, 2, 5, 1000};
	for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
		struct bg_work w = {.n = N};
		w.seen = calloc(N, sizeof *w.seen);
		assert_non_null(w.seen);
		atomic_init(&w.next, 0);
		struct kith_pool_bg bg;
		kith_pool_start(&bg, threads[t], bg_worker, &w);
		unsigned ran = kith_pool_join(&bg);
		assert_true(ran >= 1 && ran <= KITH_POOL_MAX);
		if (threads[t] <= 1)
			assert_int_equal(ran, 1);
		for (size_t i = 0; i < N; i++)
			assert_int_equal(atomic_load(&w.seen[i]), 1);
		free(w.seen);
	}
}

static void test_threads(void **state)
{
	(void)state;
	assert_true(kith_pool_cpus() >= 1);
	assert_int_equal(kith_pool_threads(8, 3), 3);
	assert_int_equal(kith_pool_threads(8, 0), 1);
	assert_int_equal(kith_pool_threads(5000, 100000), KITH_POOL_MAX);
	assert_int_equal(kith_pool_threads(0, 100000), kith_pool_cpus());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_for_each_once), cmocka_unit_test(test_run),
	    cmocka_unit_test(test_run_indexed),	  cmocka_unit_test(test_start_join),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
