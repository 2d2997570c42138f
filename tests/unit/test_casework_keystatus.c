/* Unit tests of src/casework/keystatus: a standalone vault holds its
 * organization key, and a panic on it is permanent until a backup is noted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/status.h"
#include "casework/keystatus.h"
#include "vault/vault.h"

#define PASS "keystatus test passphrase"

static void test_standalone(void **state)
{
	(void)state;
	char dir[64], path[96], p[128];
	snprintf(dir, sizeof dir, "/tmp/kith-keyst-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v.kith", dir);
	struct kith_err err;
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	assert_int_equal(kith_vault_create(path, PASS, strlen(PASS), &co, &err), 0);
	struct kith_vault *v = NULL;
	assert_int_equal(kith_vault_open(&v, path, PASS, strlen(PASS), NULL, NULL, &err), 0);
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
	assert_int_equal(kith_vault_open(&v, path, PASS, strlen(PASS), NULL, NULL, &err), 0);
	kith_keystatus_get(v, &ks);
	assert_int_equal(ks.backed_up, 1);
	assert_int_equal(ks.backups, 3);
	assert_int_equal(ks.last_backup_at, 1800000000);
	assert_string_equal(ks.panic_effect, "recoverable");
	size_t n = 9;
	(void)kith_vault_records(v, "case", &n);
	assert_int_equal(n, 0);
	kith_vault_close(v);
	const char *sfx[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
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
