/* Unit tests of src/vault/person (issue 12): a person's signing key pair is
 * a function of their slot's anchor key (the same key twice, another for
 * another slot); the keys of person record bodies ("sign_pks", malformed
 * entries skipped, removal dates); whether a key may sign a batch at a time
 * (no person holds it; removed before, at or after; the earliest removal of
 * several records of one key). No vault: the functions are pure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "base/status.h"
#include "vault/person.h"

static void test_keypair(void **state)
{
	(void)state;
	uint8_t ak[32], ak2[32], pk[32], pk2[32], pk3[32], sk[64];
	memset(ak, 1, sizeof ak);
	memset(ak2, 2, sizeof ak2);
	vault_person_keypair(ak, pk, sk);
	vault_person_keypair(ak, pk2, NULL);
	vault_person_keypair(ak2, pk3, NULL);
	assert_memory_equal(pk, pk2, 32);
	assert_memory_not_equal(pk, pk3, 32);
	/* the secret key signs for the public one (Ed25519ph, as manifests) */
	static const char m[] = "kith-batch-v2 manifest";
	uint8_t sig[64];
	crypto_sign_state st;
	crypto_sign_init(&st);
	crypto_sign_update(&st, (const uint8_t *)m, sizeof m);
	crypto_sign_final_create(&st, sig, NULL, sk);
	crypto_sign_init(&st);
	crypto_sign_update(&st, (const uint8_t *)m, sizeof m);
	assert_int_equal(crypto_sign_final_verify(&st, sig, pk), 0);
	crypto_sign_init(&st);
	crypto_sign_update(&st, (const uint8_t *)m, sizeof m);
	assert_int_not_equal(crypto_sign_final_verify(&st, sig, pk3), 0);
}

static void hex_of(const uint8_t pk[32], char out[65])
{
	sodium_bin2hex(out, 65, pk, 32);
}

static void test_keys_and_may_sign(void **state)
{
	(void)state;
	uint8_t a[32], b[32], c[32];
	memset(a, 0xa1, 32);
	memset(b, 0xb2, 32);
	memset(c, 0xc3, 32);
	char ha[65], hb[65];
	hex_of(a, ha);
	hex_of(b, hb);
	/* A: two keys and a malformed entry; B: removed at 1765000000 */
	json_t *ra = json_pack("{s:s, s:[s, s, i, s]}", "pid", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "sign_pks",
			       ha, "not hex", 7, hb);
	json_t *rb = json_pack("{s:s, s:[s], s:b, s:I}", "pid", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			       "sign_pks", hb, "removed", 1, "removed_at", (json_int_t)1765000000);
	json_t *rc = json_pack("{s:s, s:b}", "pid", "cccccccccccccccccccccccccccccccc", "removed", 1);
	struct vault_person_key *k = NULL;
	size_t n = 0, cap = 0;
	assert_int_equal(vault_person_keys_add(ra, &k, &n, &cap), KITH_OK);
	assert_int_equal(n, 2);
	assert_int_equal(vault_person_keys_add(rb, &k, &n, &cap), KITH_OK);
	assert_int_equal(vault_person_keys_add(rc, &k, &n, &cap), KITH_OK); /* no keys: nothing */
	assert_int_equal(n, 3);
	assert_string_equal(vault_person_find(k, n, a)->pid, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_null(vault_person_find(k, n, c));
	char why[128];
	assert_int_equal(vault_person_may_sign(k, n, a, 1800000000, why, sizeof why), KITH_OK);
	assert_int_equal(vault_person_may_sign(k, n, c, 1, why, sizeof why), KITH_E_NOTFOUND);
	assert_non_null(strstr(why, "no person of this vault holds"));
	/* b: listed twice (A's record names it too, not removed); the removal counts */
	assert_int_equal(vault_person_may_sign(k, n, b, 1765000000, why, sizeof why), KITH_OK);
	assert_int_equal(vault_person_may_sign(k, n, b, 1765000001, why, sizeof why), KITH_E_AUTH);
	assert_non_null(strstr(why, "removed from the vault on 2025-12-06 05:46 UTC"));
	free(k);
	json_decref(ra);
	json_decref(rb);
	json_decref(rc);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keypair),
	    cmocka_unit_test(test_keys_and_may_sign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
