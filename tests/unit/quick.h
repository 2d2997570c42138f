/*
 * quick.h — whether a unit test should take its short path: under valgrind
 * (about fifty times slower) or with KITH_TEST_QUICK set. A test's short path
 * runs the same code on less data or fewer iterations; the figures it checks
 * against published references are checked on the full path only, which the
 * plain and sanitizer suites run.
 */
#ifndef KITH_TEST_QUICK_H
#define KITH_TEST_QUICK_H

#include <stdlib.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

static inline int test_quick(void)
{
	return RUNNING_ON_VALGRIND || getenv("KITH_TEST_QUICK") != NULL;
}

#endif
