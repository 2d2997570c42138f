/*
 * fuzz_csv_import — CSV case import (`kith import x.csv`) through the shared
 * CSV reader, the column map and the validator. Beyond "no crash": cases that
 * import export to CSV that imports again, and exporting those gives the same
 * bytes (CSV cannot tell an empty list from an absent one, so equality is
 * checked after the first export); no exported cell starts with a formula
 * character.
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

/* Whether an unquoted or quoted cell of the export starts with = + - @. */
static int has_formula_cell(const char *s, size_t len)
{
	int at_start = 1, quoted = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (at_start) {
			size_t j = i;
			if (c == '"')
				j++;
			if (j < len && (s[j] == '=' || s[j] == '+' || s[j] == '-' || s[j] == '@'))
				return 1;
			at_start = 0;
		}
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == ',' || c == '\n'))
			at_start = 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t **in = NULL, **back = NULL, **third = NULL;
	size_t n = 0, m = 0, t = 0;
	struct kith_err err;
	if (kith_caseio_parse(KITH_CASEIO_CSV, "case", (const char *)data, size, "fuzz.csv", &in, &n, &err) !=
	    KITH_OK)
		return 0;
	struct kith_sbuf a = KITH_SBUF_INIT, b = KITH_SBUF_INIT, c = KITH_SBUF_INIT;
	if (kith_caseio_write_csv(in, n, &a, &err) != KITH_OK)
		abort();
	if (has_formula_cell(a.buf, a.len))
		abort();
	if (kith_caseio_parse(KITH_CASEIO_CSV, "case", a.buf, a.len, "again.csv", &back, &m, &err) !=
		KITH_OK ||
	    m != n)
		abort();
	if (kith_caseio_write_csv(back, m, &b, &err) != KITH_OK)
		abort();
	if (kith_caseio_parse(KITH_CASEIO_CSV, "case", b.buf, b.len, "third.csv", &third, &t, &err) !=
		KITH_OK ||
	    t != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!json_equal(back[i], third[i]))
			abort();
	if (kith_caseio_write_csv(third, t, &c, &err) != KITH_OK || b.len != c.len ||
	    memcmp(b.buf, c.buf, b.len) != 0)
		abort();
	kith_sbuf_release(&a);
	kith_sbuf_release(&b);
	kith_sbuf_release(&c);
	kith_caseio_free(in, n);
	kith_caseio_free(back, m);
	kith_caseio_free(third, t);
	return 0;
}
