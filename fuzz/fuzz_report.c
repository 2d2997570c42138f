/*
 * fuzz_report — libFuzzer target of the persons CSV that `kith report` reads
 * (src/stats/report.h): any bytes must give a table or a clean error with a
 * FILE:LINE:COLUMN where, never a crash, a leak or undefined behaviour. A
 * table that parses is counted by its first one or two fields and rendered
 * in every format (which runs the disclosure control's linear program on
 * odd tables), and exported as CTDC (k-anonymity).
 * Corpus: fuzz/corpus/report/ (replayed by ctest in the normal build).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/status.h"
#include "stats/report.h"

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
	struct kith_report_table t;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_report_table_parse(&t, (const char *)data, size, "fuzz.csv", &err);
	if (rc != KITH_OK) {
		if (rc == KITH_E_INVALID && strncmp(err.where, "fuzz.csv", 8) != 0)
			__builtin_trap();
		return 0;
	}
	for (size_t nb = 1; nb <= 2 && nb <= t.d.n_fields; nb++) {
		struct kith_report_opts o = {.by = {t.d.field_names[0], nb == 2 ? t.d.field_names[1] : NULL},
					     .n_by = nb,
					     .lang = size % 2 ? "ko" : "en",
					     .threshold = (unsigned)(size % 13) + 1};
		struct kith_report *r = NULL;
		if (kith_report_build(&t.d, &o, &r, NULL) != KITH_OK)
			continue;
		for (int f = KITH_REPORT_TABLE; f <= KITH_REPORT_JSON; f++) {
			struct kith_sbuf sb = KITH_SBUF_INIT;
			if (kith_report_render(r, (enum kith_report_format)f, &sb, NULL) != KITH_OK)
				__builtin_trap();
			kith_sbuf_release(&sb);
		}
		kith_report_free(r);
	}
	struct kith_sbuf sb = KITH_SBUF_INIT;
	if (kith_report_ctdc(&t.d, 3, &sb, NULL, NULL) == KITH_E_INVALID)
		__builtin_trap();
	kith_sbuf_release(&sb);
	kith_report_table_free(&t);
	return 0;
}
