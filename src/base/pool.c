/*
 * Threads for data-parallel work: see pool.h.
 */
#include "base/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

unsigned kith_pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > KITH_POOL_MAX ? KITH_POOL_MAX : (unsigned)n;
}

unsigned kith_pool_threads(unsigned threads, size_t items)
{
	unsigned t = threads ? threads : kith_pool_cpus();
	if (t > KITH_POOL_MAX)
		t = KITH_POOL_MAX;
	if (items < t)
		t = items ? (unsigned)items : 1;
	return t;
}

struct run {
	void (*fn)(unsigned, void *);
	void *arg;
	unsigned t;
};

static void *trampoline(void *p)
{
	const struct run *r = p;
	r->fn(r->t, r->arg);
	return NULL;
}

unsigned kith_pool_run_indexed(unsigned threads, void (*fn)(unsigned t, void *arg), void *arg)
{
	if (threads > KITH_POOL_MAX)
		threads = KITH_POOL_MAX;
	struct run r[KITH_POOL_MAX];
	pthread_t tid[KITH_POOL_MAX];
	unsigned started = 0;
	for (unsigned t = 1; t < threads; t++) {
		r[started] = (struct run){fn, arg, t};
		if (pthread_create(&tid[started], NULL, trampoline, &r[started]) != 0)
			break; /* fewer threads: the same work */
		started++;
	}
	fn(0, arg);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	return started + 1;
}

struct plain {
	void (*fn)(void *);
	void *arg;
};

static void plain_fn(unsigned t, void *p)
{
	(void)t;
	const struct plain *pl = p;
	pl->fn(pl->arg);
}

unsigned kith_pool_run(unsigned threads, void (*fn)(void *arg), void *arg)
{
	struct plain pl = {fn, arg};
	return kith_pool_run_indexed(threads, plain_fn, &pl);
}

struct loop {
	void (*fn)(size_t, void *);
	void *arg;
	size_t n;
	atomic_size_t next;
};

static void loop_worker(void *p)
{
	struct loop *l = p;
	for (;;) {
		size_t i = atomic_fetch_add(&l->next, 1);
		if (i >= l->n)
			return;
		l->fn(i, l->arg);
	}
}

void kith_pool_for(unsigned threads, size_t n, void (*fn)(size_t i, void *arg), void *arg)
{
	struct loop l = {.fn = fn, .arg = arg, .n = n};
	atomic_init(&l.next, 0);
	if (n == 0)
		return;
	kith_pool_run(kith_pool_threads(threads, n), loop_worker, &l);
}

static void *bg_trampoline(void *p)
{
	const struct kith_pool_bg *bg = p;
	bg->fn(bg->arg);
	return NULL;
}

void kith_pool_start(struct kith_pool_bg *bg, unsigned threads, void (*fn)(void *arg), void *arg)
{
	bg->fn = fn;
	bg->arg = arg;
	bg->started = 0;
	if (threads > KITH_POOL_MAX)
		threads = KITH_POOL_MAX;
	for (unsigned t = 1; t < threads; t++) {
		if (pthread_create(&bg->tid[bg->started], NULL, bg_trampoline, bg) != 0)
			break; /* fewer threads: the same work */
		bg->started++;
	}
}

unsigned kith_pool_join(struct kith_pool_bg *bg)
{
	bg->fn(bg->arg);
	for (unsigned t = 0; t < bg->started; t++)
		pthread_join(bg->tid[t], NULL);
	unsigned ran = bg->started + 1;
	bg->started = 0;
	return ran;
}
