/*
 * fuzz_mse_table — libFuzzer target of the contingency-table reader
 * (src/stats/table.h): any bytes must give a table or a clean error with a
 * FILE:LINE:COLUMN where, never a crash, a leak or undefined behaviour. A
 * small table that parses is also fitted (Mt, with the existence check and
 * its profile interval), to push odd counts through the numerical code.
 * Corpus: fuzz/corpus/mse_table/ (replayed by ctest in the normal build).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/status.h"
#include "stats/interval.h"
#include "stats/loglin.h"
#include "stats/table.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* GSL's abort handler off, as in every kith program */
	return kith_process_init() == KITH_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_stats_table *t = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_stats_table_parse(&t, (const char *)data, size, "fuzz.csv", &err);
	if (rc != KITH_OK) {
		/* an error names where it happened */
		if (strncmp(err.where, "fuzz.csv", 8) != 0)
			__builtin_trap();
		return 0;
	}
	unsigned k = kith_stats_table_lists(t);
	double n = 0;
	const double *c = kith_stats_table_counts(t);
	for (size_t p = 1; p < ((size_t)1 << k); p++)
		n += c[p];
	if (n != kith_stats_table_observed(t) || c[0] != 0)
		__builtin_trap();
	if (k <= 6) {
		struct kith_loglin_spec spec = {.family = KITH_LOGLIN_MT};
		struct kith_loglin *L = NULL;
		if (kith_loglin_new(&L, t, &spec, NULL) == KITH_OK) {
			struct kith_loglin_result r;
			if (kith_loglin_check(L, NULL) == KITH_LOGLIN_OK &&
			    kith_loglin_fit(L, &r, NULL) == KITH_OK && r.state == KITH_LOGLIN_OK) {
				struct kith_interval ci;
				if (kith_interval_profile(L, &r, 0.95, &ci, NULL) == KITH_OK &&
				    ci.lo > r.n_hat + 1e-6)
					__builtin_trap();
			}
			kith_loglin_free(L);
		}
	}
	kith_stats_table_free(t);
	return 0;
}
