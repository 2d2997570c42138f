/*
 * fuzz_pprl_trust — libFuzzer target of the trust-file reader of `kith pprl
 * link --trust` (src/pprl/kpe.h kith_kpe_trust_check): any bytes give a
 * verdict or a clean error naming the file, never a crash.
 * Corpus: fuzz/corpus/pprl_trust/ (replayed by ctest).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/status.h"
#include "pprl/kpe.h"

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
	memset(&e, 0, sizeof e);
	strcpy(e.org, "shelter-a");
	memset(e.signer, 0xab, sizeof e.signer);
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_kpe_trust_check(&e, (const char *)data, size, "trust.txt", &err);
	if (rc != KITH_OK && strncmp(err.where, "trust.txt", 9) != 0)
		__builtin_trap();
	return 0;
}
