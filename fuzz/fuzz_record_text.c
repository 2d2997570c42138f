/*
 * fuzz_record_text — kith_record_text_ok, the single-pass check of a body's
 * JSON text that unlock runs instead of jansson and the validator. It may
 * say "not sure" of anything, but a yes must be right: the property checked
 * is that every text it accepts, json_loadb (JSON_REJECT_DUPLICATES) parses
 * into an object and kith_record_validate accepts. The same of
 * kith_record_text_ok_prefix (the check of a body inside an envelope, more
 * text after it): a length it gives is a text kith_record_text_ok accepts,
 * and a whole text kith_record_text_ok accepts is a prefix of its own length.
 *
 * Input: byte 0 picks the kind (its value modulo the ten kinds), the rest is
 * the text.
 */
#include <stdint.h>
#include <stdlib.h>

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
	static const char *const kinds[] = {"case",  "link",	  "trace",  "device", "attachment",
					    "draft", "keybackup", "export", "person", "view"};
	if (size < 1)
		return 0;
	const char *kind = kinds[data[0] % 10];
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	size_t pre = kith_record_text_ok_prefix(kind, text, len);
	if (pre > len || (pre && !kith_record_text_ok(kind, text, pre)))
		abort();
	if (!kith_record_text_ok(kind, text, len))
		return 0;
	if (pre != len)
		abort();
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j) || kith_record_validate(kind, j, NULL) != KITH_OK)
		abort();
	json_decref(j);
	return 0;
}
