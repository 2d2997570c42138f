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
#include <jansson.h>
#include <sodium.h>

#include "fixture_vault.h"
#include "base/sbuf.h"
#include "base/status.h"
#include "casework/conflicts.h"
#include "casework/devices.h"
#include "vault/crypto.h"
#include "vault/field.h"
#include "vault/vault.h"

#define PASS "headquarters words"

/* The folder, and headquarters' vault at f->hq, open as f->v. */
static int setup(void **state)
{
	if (fixture_files_setup(state))
		return -1;
	struct fixture_files *f = *state;
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	struct kith_err err;
	if (kith_vault_create(f->hq, PASS, strlen(PASS), &o, &err) ||
	    kith_vault_open(&f->v, f->hq, PASS, strlen(PASS), NULL, NULL, &err)) {
		fixture_files_teardown(state);
		return -1;
	}
	return 0;
}

static void test_add_list_revoke(void **state)
{
	struct fixture_files *f = *state;
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

/* A field vault at `path` joined with the invitation headquarters made for `name`. */
static struct kith_vault *join(struct fixture_files *f, const char *name, const char *path)
{
	struct kith_err err;
	char code[KITH_FIELD_CODE_TEXT];
	struct kith_sbuf inv = KITH_SBUF_INIT;
	assert_int_equal(kith_devices_add(f->v, name, 1765000000, &inv, code, &err), KITH_OK);
	struct kith_field_invite *fi = NULL;
	assert_int_equal(kith_field_invite_open(&fi, inv.buf, inv.len, code, strlen(code), &err), KITH_OK);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	assert_int_equal(kith_vault_create_field(path, "fw", 2, &o, fi, &err), KITH_OK);
	kith_field_invite_free(fi);
	kith_sbuf_release(&inv);
	struct kith_vault *fv = NULL;
	assert_int_equal(kith_vault_open(&fv, path, "fw", 2, NULL, NULL, &err), KITH_OK);
	return fv;
}

/* Issue 12: a field vault refuses, as headquarters does, versions written by
 * a device after headquarters revoked it. Device a's batch is dated by its
 * own clock (now); headquarters then revokes a with an earlier date (a device
 * whose clock ran ahead, or whose batch reached headquarters late) and sends
 * a's case to device b with the revocation: b refuses the bundle, naming the
 * batch's device by id and both dates, and writes nothing (not even the
 * revocation). */
static void test_field_refuses_revoked_writer(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	struct kith_vault *fa = join(f, "field-a", f->field);
	struct kith_vault *fb = join(f, "field-b", f->field2);
	json_t *body = json_pack("{s:{s:s, s:s}, s:{s:b}}", "person", "name", "Pyon Un-hui", "sex", "female",
				 "consent", "services", 1);
	char ref[KITH_VAULT_REF_MAX];
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(fa, &b, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", body, NULL, ref, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(body);
	struct kith_conflicts_export_opts up = {0};
	struct kith_sbuf bytes = KITH_SBUF_INIT, down = KITH_SBUF_INIT;
	struct kith_bundle_sent sent;
	assert_int_equal(kith_conflicts_export(fa, &up, 1765000100, &bytes, &sent, &err), KITH_OK);
	kith_bundle_sent_release(&sent);
	struct kith_bundle_result res;
	assert_int_equal(kith_devices_import_bundle(f->v, bytes.buf, bytes.len, &res, &err), KITH_OK);
	assert_int_equal(res.added, 1);
	assert_int_equal(kith_vault_refresh(f->v, &err), KITH_OK);
	assert_int_equal(kith_devices_revoke(f->v, "field-a", 1765100000, &err), KITH_OK);
	const char *refs[1] = {ref};
	struct kith_conflicts_export_opts to_b = {.to = "field-b", .refs = refs, .nrefs = 1};
	assert_int_equal(kith_conflicts_export(f->v, &to_b, 1765100100, &down, &sent, &err), KITH_OK);
	assert_int_equal(sent.n, 1);
	kith_bundle_sent_release(&sent);

	assert_int_equal(kith_devices_import_bundle(fb, down.buf, down.len, &res, &err), KITH_E_AUTH);
	assert_string_equal(err.where, "manifest 1");
	assert_non_null(strstr(err.msg, "revoked on 2025-12-07 09:33 UTC")); /* 1765100000 */
	assert_non_null(strstr(err.msg, res.bundle));
	char aid[17];
	sodium_bin2hex(aid, sizeof aid, kith_crypto_keys_sign_pk(kith_vault_keys_borrow(fa)), 8);
	assert_non_null(strstr(err.msg, aid));
	assert_null(strstr(err.msg, "Pyon"));
	assert_int_equal(kith_vault_refresh(fb, &err), KITH_OK);
	size_t n = 9;
	(void)kith_vault_records(fb, "case", &n);
	assert_int_equal(n, 0);
	struct kith_device_info *d = NULL;
	assert_int_equal(kith_devices_list(fb, &d, &n, &err), KITH_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(d[i].revoked_at, 0); /* all or nothing: the revocation is not kept */
	free(d);
	kith_vault_close(fa);
	kith_vault_close(fb);
	kith_sbuf_release(&bytes);
	kith_sbuf_release(&down);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_add_list_revoke, setup, fixture_files_teardown),
	    cmocka_unit_test_setup_teardown(test_field_refuses_revoked_writer, setup, fixture_files_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
