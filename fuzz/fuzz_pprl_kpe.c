/*
 * fuzz_pprl_kpe — libFuzzer target of the encoding-file reader
 * (src/pprl/kpe.h): any bytes give an encoding or a clean error naming the
 * file, never a crash, a leak or undefined behaviour. A file that parses is
 * also linked (two copies of it as two lists), to push odd filters through
 * the linkage. Corpus: fuzz/corpus/pprl_kpe/ (replayed by ctest).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "pprl/kpe.h"
#include "pprl/match.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return kith_process_init() == KITH_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_kpe e;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_kpe_parse(&e, data, size, "fuzz.kpe", &err);
	if (rc != KITH_OK) {
		if (strcmp(err.where, "fuzz.kpe") != 0)
			__builtin_trap();
		return 0;
	}
	if (e.n >= 1 && e.n <= 200) {
		size_t n = 2 * e.n;
		uint64_t *f = aligned_alloc(64, n * 128);
		uint32_t *src = malloc(n * sizeof *src);
		if (f && src) {
			memcpy(f, e.filters, e.n * 128);
			memcpy(f + e.n * KITH_PPRL_WORDS, e.filters, e.n * 128);
			for (size_t i = 0; i < n; i++)
				src[i] = i >= e.n;
			struct kith_pprl_result r;
			struct kith_pprl_opts o = {.threads = 1, .u_sample = 1000};
			if (kith_pprl_link(f, src, n, 2, &o, &r, NULL) == KITH_OK) {
				if (r.clusters.n_clusters < 1 || r.clusters.n_clusters > n)
					__builtin_trap();
				kith_pprl_result_release(&r);
			}
		}
		free(f);
		free(src);
	}
	kith_kpe_release(&e);
	return 0;
}
