/* Unit tests of src/casework/keystatus: a standalone vault holds its
 * organization key, and a panic on it is permanent until a backup is noted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/status.h"
#include "casework/keystatus.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static void test_standalone(void **state)
{
	(void)state;
	struct fixture_vault *f = fixture_vault_new("keyst");
	struct kith_vault *v = f->v;
	struct kith_err err;
	struct kith_keystatus ks;
	kith_keystatus_get(v, &ks);
	assert_int_equal(ks.holds_org_key, 1);
	assert_int_equal(ks.backed_up, 0);
	assert_int_equal(ks.last_backup_at, 0);
	assert_string_equal(ks.panic_effect, "permanent");
	assert_int_equal(kith_keystatus_note_backup(v, -1, NULL, &err), KITH_E_INVALID);
	assert_int_equal(kith_keystatus_note_backup(v, 1700000000, NULL, &err), 0);
	assert_int_equal(kith_keystatus_note_backup(v, 1800000000, "file", &err), 0);
	assert_int_equal(kith_keystatus_note_backup(v, 1750000000, "file", &err), 0);
	kith_vault_close(v);
	f->v = v = fixture_vault_open(f);
	kith_keystatus_get(v, &ks);
	assert_int_equal(ks.backed_up, 1);
	assert_int_equal(ks.backups, 3);
	assert_int_equal(ks.last_backup_at, 1800000000);
	assert_string_equal(ks.panic_effect, "recoverable");
	size_t n = 9;
	(void)kith_vault_records(v, "case", &n);
	assert_int_equal(n, 0);
	fixture_vault_free(f);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_standalone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
