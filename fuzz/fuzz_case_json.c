/*
 * fuzz_case_json — one case (or trace, or link) as a JSON object, as
 * `kith add --json` and the web UI hand it in: the importer, the validator and
 * the canonical form. Properties checked beyond "no crash": a body that passes
 * validates again after a trip through its canonical form, and the canonical
 * form of that re-parse is the same bytes; and kith's own writer of the
 * canonical form gives jansson's bytes for any JSON object the input holds.
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

static void check_canonical(const json_t *body, const char *kind)
{
	struct kith_sbuf a = KITH_SBUF_INIT, b = KITH_SBUF_INIT;
	if (kith_record_canonical(body, &a, NULL) != KITH_OK)
		abort();
	json_t *again = json_loadb(a.buf, a.len, JSON_REJECT_DUPLICATES, NULL);
	if (!again || kith_record_validate(kind, again, NULL) != KITH_OK)
		abort();
	if (kith_record_canonical(again, &b, NULL) != KITH_OK || a.len != b.len ||
	    memcmp(a.buf, b.buf, a.len) != 0)
		abort();
	json_decref(again);
	kith_sbuf_release(&a);
	kith_sbuf_release(&b);
}

/* kith_record_canonical writes what jansson's dump writes, byte for byte. */
static void check_writer(const uint8_t *data, size_t size)
{
	json_t *any = json_loadb((const char *)data, size, 0, NULL);
	if (!json_is_object(any)) {
		json_decref(any);
		return;
	}
	struct kith_sbuf a = KITH_SBUF_INIT, b = KITH_SBUF_INIT;
	int ra = kith_record_canonical(any, &a, NULL), rb = kith_record_canonical_jansson(any, &b, NULL);
	if (ra != rb || a.len != b.len || (a.len && memcmp(a.buf, b.buf, a.len) != 0))
		abort();
	json_decref(any);
	kith_sbuf_release(&a);
	kith_sbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"case", "trace", "link"};
	check_writer(data, size);
	for (size_t k = 0; k < 3; k++) {
		json_t **bodies = NULL;
		size_t n = 0;
		struct kith_err err;
		if (kith_caseio_parse(KITH_CASEIO_JSON, kinds[k], (const char *)data, size, "fuzz.json",
				      &bodies, &n, &err) != KITH_OK)
			continue;
		if (n != 1)
			abort();
		check_canonical(bodies[0], kinds[k]);
		const char *names[8];
		(void)kith_record_case_names(bodies[0], names, 8);
		(void)kith_record_consent_allows(bodies[0], "tracing");
		kith_caseio_free(bodies, n);
	}
	return 0;
}
