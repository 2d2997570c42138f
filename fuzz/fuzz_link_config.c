/*
 * fuzz_link_config — the linkage configuration (`kith link --config FILE`):
 * the key = value parser and blocking rules, then the rules applied to a small
 * fixed dataset. Beyond "no crash": a failed parse leaves the configuration
 * unchanged, and every error names the line.
 */
#include <stdint.h>
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

static const char csv[] = "id,name,sex,birth_year,origin,zip,city,dob\n"
			  "a,Anna Berg,female,1980,Ryanggang,2000,perth,1980-03-04\n"
			  "b,Anna Berg,female,1980,양강도,2000,perth,1980-03-04\n"
			  "c,Carl Dahl,male,1970,North Hamgyong,3000,sydney,1970\n"
			  "d,Karl Dahl,male,1971,함북,3000,sydny,1971-01-01\n"
			  "e,Eva Falk,female,1990,,4000,hobart,\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_linkcfg cfg, before;
	kith_linkcfg_init(&cfg);
	before = cfg;
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_linkcfg_parse(&cfg, (const char *)data, size, "fuzz.cfg", &err)) {
		if (memcmp(&cfg, &before, sizeof cfg) != 0 || strncmp(err.where, "fuzz.cfg", 8) != 0 ||
		    !err.msg[0])
			abort();
		return 0;
	}
	if (cfg.u_samples > 5000)
		cfg.u_samples = 5000;
	struct kith_dataset *ds;
	if (kith_dataset_new(&ds, &cfg, NULL))
		return 0;
	if (kith_dataset_add_csv(ds, csv, sizeof csv - 1, "fixed.csv", NULL, &err) == KITH_OK &&
	    kith_dataset_finish(ds, &err) == KITH_OK) {
		struct kith_link_opts o = {.threads = 1};
		struct kith_link_result r;
		if (kith_link_run(ds, &o, &r, &err) == KITH_OK) {
			if (r.n_records != 5)
				abort();
			kith_link_result_release(&r);
		}
	}
	kith_dataset_free(ds);
	return 0;
}
