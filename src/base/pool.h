/*
 * Threads for data-parallel work: run one worker function on several
 * threads at once (this one included) and wait for all of them.
 *
 * The work is shared through the worker's argument (typically an atomic
 * counter of the next item), so when the system cannot start a thread the
 * same work is done by fewer threads, with the same results: a worker must
 * not assume how many threads run it. The library never reads a thread
 * count from the environment: callers pass one (0 = every online processor).
 */
#ifndef KITH_BASE_POOL_H
#define KITH_BASE_POOL_H

#include <pthread.h>
#include <stddef.h>

#define KITH_POOL_MAX 64 /* threads at most */

/* The number of online processors, at least 1 and at most KITH_POOL_MAX. */
unsigned kith_pool_cpus(void);

/* threads, or kith_pool_cpus() when 0, capped at KITH_POOL_MAX and at `items`
 * (items 0 counts as 1). */
unsigned kith_pool_threads(unsigned threads, size_t items);

/*
 * Calls fn(arg) on `threads` threads at once — this thread and threads - 1
 * others — and returns when all have returned. Returns how many ran (at
 * least 1: this thread always runs fn).
 */
unsigned kith_pool_run(unsigned threads, void (*fn)(void *arg), void *arg);

/*
 * As kith_pool_run, but fn learns which thread it is: fn(t, arg) with t = 0
 * on the calling thread (the one that may report progress) and t in
 * [1, threads) on the others, each t once. A t whose thread cannot be started
 * is not called: per-thread state indexed by t must be optional, and the work
 * shared through arg. Returns how many ran.
 */
unsigned kith_pool_run_indexed(unsigned threads, void (*fn)(unsigned t, void *arg), void *arg);

/*
 * Calls fn(i, arg) once for every i in [0, n), spread over `threads`
 * threads (0 = every processor) that take the next i from a shared counter.
 * fn must be safe to run at once for different i.
 */
void kith_pool_for(unsigned threads, size_t n, void (*fn)(size_t i, void *arg), void *arg);

/*
 * kith_pool_run in two halves, so that this thread can do other work while
 * the helpers run (the vault's unlock reads the next rows from the file while
 * helpers decrypt the last): kith_pool_start starts threads - 1 helpers on
 * fn(arg) and returns at once; kith_pool_join calls fn(arg) on this thread,
 * then waits for the helpers, and returns how many threads ran fn (at least
 * 1). A helper that cannot be started only means fewer threads. Every start
 * must be joined before the struct goes out of scope.
 */
struct kith_pool_bg {
	void (*fn)(void *arg);
	void *arg;
	pthread_t tid[KITH_POOL_MAX];
	unsigned started;
};
void kith_pool_start(struct kith_pool_bg *bg, unsigned threads, void (*fn)(void *arg), void *arg);
unsigned kith_pool_join(struct kith_pool_bg *bg);

#endif
