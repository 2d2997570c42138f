/*
 * fuzz_invite — the field device invitation that `kith init --join` reads
 * (vault/field.c kith_field_invite_open), opened with the code of the corpus
 * files ("0123-4567-89AB-CDEF"; made by tests/unit/test_vault_field.c with
 * KITH_WRITE_INVITE_CORPUS, at the smallest Argon2id cost). Properties beyond
 * "no crash, no leak": every failure is KITH_E_INVALID, KITH_E_AUTH or
 * KITH_E_CORRUPT with a message and a where; a success yields a name of 1 to
 * 63 letters, digits, '.', '_' or '-'. Parameters inside Argon2id's range but
 * above a fuzzing budget are lowered to the minimum first (as fuzz_orgkey).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "kdf_budget.h"
#include "vault/field.h"

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
	uint8_t *f = kdf_budget_copy(data, size);
	if (!f)
		return 0;
	static const char code[] = "0123-4567-89AB-CDEF";
	struct kith_field_invite *inv = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_field_invite_open(&inv, f, size, code, sizeof code - 1, &err);
	if (rc == KITH_OK) {
		const char *nm = kith_field_invite_name(inv);
		size_t n = strlen(nm);
		if (n == 0 || n > 63 ||
		    strspn(nm, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n)
			abort();
		kith_field_invite_free(inv);
	} else {
		if (rc != KITH_E_INVALID && rc != KITH_E_AUTH && rc != KITH_E_CORRUPT && rc != KITH_E_NOMEM)
			abort();
		if (!err.msg[0] || !err.where[0] || inv)
			abort();
	}
	free(f);
	return 0;
}
