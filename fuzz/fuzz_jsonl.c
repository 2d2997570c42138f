/*
 * fuzz_jsonl — JSON Lines import (`kith import x.jsonl`) for each record kind.
 * Beyond "no crash": an input that imports exports to JSON Lines that imports
 * again to equal bodies, and the second export is byte for byte the first.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/caseio.h"
#include "record/record.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return kith_process_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"case", "trace", "link"};
	for (size_t k = 0; k < 3; k++) {
		json_t **in = NULL, **back = NULL;
		size_t n = 0, m = 0;
		struct kith_err err;
		if (kith_caseio_parse(KITH_CASEIO_JSONL, kinds[k], (const char *)data, size, "fuzz.jsonl",
				      &in, &n, &err) != KITH_OK)
			continue;
		struct kith_sbuf a = KITH_SBUF_INIT, b = KITH_SBUF_INIT;
		if (kith_caseio_write_jsonl(in, n, &a, &err) != KITH_OK)
			abort();
		if (kith_caseio_parse(KITH_CASEIO_JSONL, kinds[k], a.buf ? a.buf : "", a.len, "again.jsonl",
				      &back, &m, &err) != KITH_OK ||
		    m != n)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!json_equal(in[i], back[i]))
				abort();
		if (kith_caseio_write_jsonl(back, m, &b, &err) != KITH_OK || a.len != b.len ||
		    (a.len && memcmp(a.buf, b.buf, a.len) != 0))
			abort();
		kith_sbuf_release(&a);
		kith_sbuf_release(&b);
		kith_caseio_free(in, n);
		kith_caseio_free(back, m);
	}
	return 0;
}
