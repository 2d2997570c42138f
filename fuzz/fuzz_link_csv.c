/*
 * fuzz_link_csv — linkage input (`kith link FILE...`): the CSV reader, the
 * column map, value normalization (names, sex, dates, ages, provinces,
 * declared fields) and, for small inputs, the whole pipeline. Beyond "no
 * crash": comparison vectors are symmetric, and every record is in exactly
 * one person.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return kith_process_init();
}

static const char cfg_text[] = "field.zip = exact\n"
			       "field.city = fuzzy tf\n"
			       "field.dob = date\n"
			       "ignore = note\n"
			       "u_samples = 1000\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_linkcfg cfg;
	kith_linkcfg_init(&cfg);
	if (kith_linkcfg_parse(&cfg, cfg_text, sizeof cfg_text - 1, "fuzz.cfg", NULL))
		abort();
	struct kith_dataset *ds;
	if (kith_dataset_new(&ds, &cfg, NULL))
		return 0;
	struct kith_err err;
	if (kith_dataset_add_csv(ds, (const char *)data, size, "fuzz.csv", NULL, &err) ||
	    kith_dataset_finish(ds, &err)) {
		if (!err.msg[0]) /* every failure explains itself */
			abort();
		kith_dataset_free(ds);
		return 0;
	}
	size_t n = kith_dataset_count(ds);
	if (n <= 40) {
		for (size_t a = 0; a < n; a++)
			for (size_t b = a + 1; b < n; b++)
				if (kith_dataset_gamma(ds, a, b) != kith_dataset_gamma(ds, b, a))
					abort();
		struct kith_link_opts o = {.threads = 1};
		struct kith_link_result r;
		if (kith_link_run(ds, &o, &r, &err) == KITH_OK) {
			if (r.n_records != n)
				abort();
			for (size_t i = 0; i < n; i++)
				if (r.clusters.cluster[i] >= r.clusters.n_clusters)
					abort();
			FILE *f = fopen("/dev/null", "w");
			if (f) {
				if (kith_link_write_clusters(&r, ds, f, &err) ||
				    kith_link_write_pairs(&r, ds, f, &err))
					abort();
				fclose(f);
			}
			if (n >= 2) {
				json_t *j = NULL;
				if (kith_link_explain(&r, ds, 0, 1, NULL, &j, &err) == KITH_OK)
					json_decref(j);
			}
			kith_link_result_release(&r);
		}
	}
	kith_dataset_free(ds);
	return 0;
}
