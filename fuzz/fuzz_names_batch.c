/*
 * fuzz_names_batch — the batch input of `kith names ... --batch` (src/names/
 * batch.c) on any bytes, for every operation, in text and JSON. Beyond "no
 * crash": a failure leaves the output as it was, a success writes exactly one
 * line per line of input, and an error message never holds the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "names/batch.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return kith_process_init();
}

static size_t lines_in(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k + (n && s[n - 1] != '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	for (int op = KITH_NAMES_BATCH_COMPARE; op <= KITH_NAMES_BATCH_READ; op++) {
		for (int json = 0; json < 2; json++) {
			struct kith_names_batch_opts o = {
			    (enum kith_names_batch_op)op, KITH_NAMES_MR, op == 1 && !json, json, 3, "fuzz"};
			struct kith_sbuf out = KITH_SBUF_INIT;
			if (kith_sbuf_adds(&out, "x"))
				abort();
			struct kith_err err;
			kith_err_clear(&err);
			int rc = kith_names_batch(s, size, &o, &out, &err);
			if (rc) {
				if (out.len != 1 || out.buf[0] != 'x')
					abort(); /* nothing appended on failure */
				if (rc != KITH_E_INVALID && rc != KITH_E_LIMIT)
					abort();
				if (size >= 8 && memchr(s, 0, size) == NULL && memchr(s, '\n', 8) == NULL) {
					char probe[9];
					memcpy(probe, s, 8);
					probe[8] = '\0';
					if (strstr(err.msg, probe) || strstr(err.where, probe))
						abort();
				}
			} else if (lines_in(out.buf + 1, out.len - 1) != lines_in(s, size)) {
				abort(); /* one line out per line in */
			}
			kith_sbuf_release(&out);
		}
	}
	return 0;
}
