/* Unit tests of src/casework/devices (issue 12): field devices recorded at
 * headquarters — add (invitation, code, enrolment, record; a second of one
 * name refused; a refused add leaves nothing), list, revoke (signed, once),
 * and what a vault without the organization key may do. KITH_KDF_TEST vaults;
 * invented names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "casework/devices.h"
#include "vault/field.h"
#include "vault/vault.h"

#define PASS "headquarters words"

struct fx {
	char dir[64];
	char hq[128];
	char field[128];
	struct kith_vault *v;
};

static void rm_vault(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[200];
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/kith-devices-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->hq, sizeof f->hq, "%s/hq.kith", f->dir);
	snprintf(f->field, sizeof f->field, "%s/field.kith", f->dir);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	struct kith_err err;
	if (kith_vault_create(f->hq, PASS, strlen(PASS), &o, &err) ||
	    kith_vault_open(&f->v, f->hq, PASS, strlen(PASS), NULL, NULL, &err))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	kith_vault_close(f->v);
	rm_vault(f->hq);
	rm_vault(f->field);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_add_list_revoke(void **state)
{
	struct fx *f = *state;
	struct kith_err err;
	struct kith_sbuf inv = KITH_SBUF_INIT;
	char code[KITH_FIELD_CODE_TEXT];
	struct kith_device_info *d = NULL;
	size_t n = 9;
	assert_int_equal(kith_devices_list(f->v, &d, &n, &err), KITH_OK);
	assert_int_equal(n, 0);
	free(d);

	assert_int_equal(kith_devices_add(f->v, "yanji-1", 1765000000, &inv, code, &err), KITH_OK);
	assert_int_equal(inv.len, KITH_FIELD_INVITE_BYTES);
	assert_int_equal(strlen(code), 19);
	char first[KITH_FIELD_CODE_TEXT];
	memcpy(first, code, sizeof first);
	/* a second of that name: refused, nothing appended, no code */
	assert_int_equal(kith_devices_add(f->v, "yanji-1", 1765000001, &inv, code, &err), KITH_E_EXISTS);
	assert_int_equal(inv.len, KITH_FIELD_INVITE_BYTES);
	assert_int_equal(kith_devices_add(f->v, "no spaces", 1765000001, &inv, code, &err), KITH_E_INVALID);
	assert_int_equal(inv.len, KITH_FIELD_INVITE_BYTES);
	assert_int_equal(code[0], 0);

	/* the invitation opens with the code and names the device */
	struct kith_field_invite *fi = NULL;
	char c2[KITH_FIELD_CODE_TEXT];
	struct kith_sbuf inv2 = KITH_SBUF_INIT;
	assert_int_equal(kith_devices_add(f->v, "shelter.2", 1765000002, &inv2, c2, &err), KITH_OK);
	assert_int_equal(kith_field_invite_open(&fi, inv2.buf, inv2.len, c2, strlen(c2), &err), KITH_OK);
	assert_string_equal(kith_field_invite_name(fi), "shelter.2");
	kith_field_invite_free(fi);
	/* one code does not open the other invitation */
	assert_int_equal(kith_field_invite_open(&fi, inv2.buf, inv2.len, first, strlen(first), &err),
			 KITH_E_AUTH);

	assert_int_equal(kith_devices_list(f->v, &d, &n, &err), KITH_OK);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].name, "yanji-1");
	assert_int_equal(d[0].added, 1765000000);
	assert_int_equal(d[0].revoked_at, 0);
	assert_int_equal(strlen(d[0].device_id), 16);
	free(d);

	assert_int_equal(kith_devices_revoke(f->v, "nobody", 1765100000, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_devices_revoke(f->v, "yanji-1", 1765100000, &err), KITH_OK);
	assert_int_equal(kith_devices_revoke(f->v, "yanji-1", 1765200000, &err), KITH_E_EXISTS);
	assert_non_null(strstr(err.msg, "2025-12-07 09:33 UTC")); /* 1765100000, as a date */
	assert_int_equal(kith_devices_list(f->v, &d, &n, &err), KITH_OK);
	assert_int_equal(n, 2);
	assert_int_equal(d[0].revoked_at, 1765100000);
	assert_int_equal(d[0].revocation_valid, 1);
	assert_int_equal(d[1].revoked_at, 0);
	free(d);
	/* the record's history keeps the enrolment and the revocation */
	const struct kith_record_view *rv = kith_vault_find(f->v, "device", "yanji-1");
	assert_non_null(rv);
	assert_int_equal(rv->version, 2);
	assert_string_equal(rv->action, "device-revoke");

	/* a field vault cannot add devices */
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	assert_int_equal(kith_field_invite_open(&fi, inv2.buf, inv2.len, c2, strlen(c2), &err), KITH_OK);
	assert_int_equal(kith_vault_create_field(f->field, "fw", 2, &o, fi, &err), KITH_OK);
	kith_field_invite_free(fi);
	struct kith_vault *fv = NULL;
	assert_int_equal(kith_vault_open(&fv, f->field, "fw", 2, NULL, NULL, &err), KITH_OK);
	struct kith_sbuf inv3 = KITH_SBUF_INIT;
	assert_int_equal(kith_devices_add(fv, "x", 1, &inv3, code, &err), KITH_E_NOTFOUND);
	assert_int_equal(inv3.len, 0);
	kith_vault_close(fv);
	kith_sbuf_release(&inv);
	kith_sbuf_release(&inv2);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_add_list_revoke, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
