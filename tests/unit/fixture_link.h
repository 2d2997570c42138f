/*
 * A dataset for the unit tests of linkage: the settings of a linkcfg text and
 * one CSV text, read and finished, so that a test reads as its steps. Like
 * every fixture, it fails the running cmocka test on any error (include
 * <cmocka.h> first).
 *
 * Header only (static inline), for tests/unit/test_link_*.c.
 */
#ifndef KITH_TESTS_FIXTURE_LINK_H
#define KITH_TESTS_FIXTURE_LINK_H

#include <stddef.h>
#include <string.h>

#include "link/dataset.h"
#include "link/linkcfg.h"

/* A dataset with the settings of `cfg` (linkcfg text, read as "t.cfg"; NULL:
 * the defaults) and no records yet. Free with kith_dataset_free. */
static inline struct kith_dataset *fixture_link_new(const char *cfg)
{
	struct kith_linkcfg c;
	struct kith_err err;
	kith_linkcfg_init(&c);
	if (cfg && kith_linkcfg_parse(&c, cfg, strlen(cfg), "t.cfg", &err))
		fail_msg("t.cfg: %s: %s", err.where, err.msg);
	struct kith_dataset *ds = NULL;
	assert_int_equal(kith_dataset_new(&ds, &c, &err), KITH_OK);
	return ds;
}

/* fixture_link_new(cfg) with the len bytes of csv added under `name` (the
 * file name the records' list is named after) and the dataset finished. */
static inline struct kith_dataset *fixture_link_dataset(const char *cfg, const char *csv, size_t len,
							const char *name)
{
	struct kith_dataset *ds = fixture_link_new(cfg);
	struct kith_err err;
	if (kith_dataset_add_csv(ds, csv, len, name, NULL, &err) || kith_dataset_finish(ds, &err))
		fail_msg("%s: %s: %s", name, err.where, err.msg);
	return ds;
}

#endif
