/*
 * The published capture–recapture tables of the repository (data/mse/, see
 * data/README.md) for the unit tests of stats. Like every fixture, it fails
 * the running cmocka test on any error (include <cmocka.h> first).
 *
 * Header only (static inline), for tests/unit/test_stats_*.c.
 */
#ifndef KITH_TESTS_FIXTURE_STATS_H
#define KITH_TESTS_FIXTURE_STATS_H

#include <stdio.h>
#include <stdlib.h>

#include "stats/table.h"

/* The table data/mse/NAME.csv under $KITH_SHARED (the repository; CTest sets
 * it). Without KITH_SHARED the test is skipped, as the stats tests' own
 * readers of data/mse/ do; a table that does not read fails it. Free with
 * kith_stats_table_free. */
static inline struct kith_stats_table *fixture_stats_table(const char *name)
{
	const char *shared = getenv("KITH_SHARED");
	if (!shared)
		skip();
	char path[1024];
	snprintf(path, sizeof path, "%s/data/mse/%s.csv", shared, name);
	struct kith_stats_table *t = NULL;
	struct kith_err err;
	if (kith_stats_table_read(&t, path, &err) != KITH_OK)
		fail_msg("%s: %s", err.where, err.msg);
	return t;
}

#endif
