/* Unit tests of src/vault/field (issue 12): one-time codes, invitations made
 * at headquarters and opened in the field (wrong code, altered and cut files,
 * foreign formats), the field vault they create (no organization secret, its
 * own rows readable, a second unlock), revocation signatures.
 *
 * Every vault uses KITH_KDF_TEST. With KITH_WRITE_INVITE_CORPUS=DIR set, the
 * invitation test also writes the seed corpus of fuzz/fuzz_invite.c into DIR
 * (code FUZZ_CODE, the smallest Argon2id cost): that is how
 * fuzz/corpus/invite/ was made. All names are invented. */
#define _GNU_SOURCE
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
#include "vault/field.h"
#include "vault/vault.h"

#define PASS "headquarters words"
#define FPASS "field worker words"
#define FUZZ_CODE "0123-4567-89AB-CDEF"

static struct kith_vault *make_hq(const char *path)
{
	fixture_vault_create(path, PASS, NULL);
	return fixture_vault_open_path(path, PASS);
}

static void write_corpus(const char *name, const void *p, size_t n)
{
	const char *dir = getenv("KITH_WRITE_INVITE_CORPUS");
	if (!dir)
		return;
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

static void test_codes(void **state)
{
	(void)state;
	struct kith_err err;
	char code[KITH_FIELD_CODE_TEXT], norm[KITH_FIELD_CODE_CHARS + 1];
	for (int i = 0; i < 50; i++) {
		kith_field_code_new(code);
		assert_int_equal(strlen(code), 19);
		assert_true(code[4] == '-' && code[9] == '-' && code[14] == '-');
		assert_null(strpbrk(code, "ILOUilou"));
		assert_int_equal(kith_field_code_norm(code, strlen(code), norm, &err), KITH_OK);
		assert_int_equal(strlen(norm), 16);
	}
	/* typed loosely: lower case, spaces, O for 0 and l for 1 */
	const char *typed = "o123 4567 89ab cdef";
	assert_int_equal(kith_field_code_norm(typed, strlen(typed), norm, &err), KITH_OK);
	assert_string_equal(norm, "0123456789ABCDEF");
	const char *ones = "iL1I-0000-0000-0000";
	assert_int_equal(kith_field_code_norm(ones, strlen(ones), norm, &err), KITH_OK);
	assert_memory_equal(norm, "1111", 4);
	/* U is not in the alphabet; too short; too long; an embedded NUL */
	assert_int_equal(kith_field_code_norm("U123-4567-89AB-CDEF", 19, norm, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "code");
	assert_int_equal(kith_field_code_norm("0123", 4, norm, &err), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "4 characters, 16 expected"));
	assert_int_equal(kith_field_code_norm("0123456789ABCDEF0", 17, norm, &err), KITH_E_INVALID);
	assert_int_equal(kith_field_code_norm("0123\0"
					      "4567",
					      9, norm, &err),
			 KITH_E_INVALID);
}

static void test_invite_roundtrip_and_refusals(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	struct kith_vault *hq = make_hq(f->hq);
	struct kith_sbuf inv = KITH_SBUF_INIT;
	struct kith_field_device dev;
	assert_int_equal(kith_field_invite_make(hq, "bad name", FUZZ_CODE, &inv, &dev, &err), KITH_E_INVALID);
	assert_int_equal(kith_field_invite_make(hq, "x", "short", &inv, &dev, &err), KITH_E_INVALID);
	assert_int_equal(inv.len, 0);
	assert_int_equal(kith_field_invite_make(hq, "yanji-1", FUZZ_CODE, &inv, &dev, &err), KITH_OK);
	assert_int_equal(inv.len, KITH_FIELD_INVITE_BYTES);
	assert_string_equal(dev.name, "yanji-1");
	assert_null(memmem(inv.buf, inv.len, "yanji", 5));
	write_corpus("valid", inv.buf, inv.len);

	struct kith_field_invite *fi = NULL;
	assert_int_equal(kith_field_invite_open(&fi, inv.buf, inv.len, FUZZ_CODE, strlen(FUZZ_CODE), &err),
			 KITH_OK);
	assert_string_equal(kith_field_invite_name(fi), "yanji-1");
	kith_field_invite_free(fi);
	fi = NULL;
	/* the code as typed loosely opens it too */
	assert_int_equal(kith_field_invite_open(&fi, inv.buf, inv.len, "0123 4567 89ab cdef", 19, &err),
			 KITH_OK);
	kith_field_invite_free(fi);
	fi = NULL;

	/* the wrong code */
	const char *wrong = "0123-4567-89AB-CDEE";
	assert_int_equal(kith_field_invite_open(&fi, inv.buf, inv.len, wrong, strlen(wrong), &err),
			 KITH_E_AUTH);
	assert_null(fi);
	/* every single flipped byte is refused, none crashes or opens */
	uint8_t *copy = malloc(inv.len);
	assert_non_null(copy);
	for (size_t i = 0; i < inv.len; i += 7) {
		memcpy(copy, inv.buf, inv.len);
		copy[i] ^= 0x01;
		int rc = kith_field_invite_open(&fi, copy, inv.len, FUZZ_CODE, strlen(FUZZ_CODE), &err);
		assert_true(rc == KITH_E_INVALID || rc == KITH_E_AUTH);
		assert_null(fi);
	}
	memcpy(copy, inv.buf, inv.len);
	copy[200] ^= 0x40;
	write_corpus("ct_flipped", copy, inv.len);
	/* the format field: a newer format is named */
	memcpy(copy, inv.buf, inv.len);
	copy[11] = 2;
	write_corpus("format_2", copy, inv.len);
	assert_int_equal(kith_field_invite_open(&fi, copy, inv.len, FUZZ_CODE, strlen(FUZZ_CODE), &err),
			 KITH_E_INVALID);
	assert_string_equal(err.where, "format");
	/* Argon2id limits out of range: refused before any work */
	memcpy(copy, inv.buf, inv.len);
	memset(copy + 16, 0xff, 8);
	assert_int_equal(kith_field_invite_open(&fi, copy, inv.len, FUZZ_CODE, strlen(FUZZ_CODE), &err),
			 KITH_E_INVALID);
	write_corpus("ops_out_of_range", copy, inv.len);
	/* cut short, too long, empty, another file */
	assert_int_equal(kith_field_invite_open(&fi, inv.buf, 100, FUZZ_CODE, 19, &err), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "524 bytes"));
	write_corpus("cut", inv.buf, 100);
	assert_int_equal(kith_field_invite_open(&fi, inv.buf, 4, FUZZ_CODE, 19, &err), KITH_E_INVALID);
	assert_int_equal(kith_field_invite_open(&fi, "", 0, FUZZ_CODE, 19, &err), KITH_E_INVALID);
	assert_int_equal(kith_field_invite_open(&fi, "{\"person\":{}}", 13, FUZZ_CODE, 19, &err),
			 KITH_E_INVALID);
	write_corpus("magic_only", "KITHINVT", 8);
	free(copy);

	/* a vault without the organization secret cannot invite: the field vault */
	assert_int_equal(kith_field_invite_open(&fi, inv.buf, inv.len, FUZZ_CODE, 19, &err), KITH_OK);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	assert_int_equal(kith_vault_create_field(f->field, FPASS, strlen(FPASS), &o, fi, &err), KITH_OK);
	assert_int_equal(kith_vault_create_field(f->field, FPASS, strlen(FPASS), &o, fi, &err),
			 KITH_E_EXISTS);
	kith_field_invite_free(fi);
	struct kith_vault *fv = NULL;
	assert_int_equal(kith_vault_open(&fv, f->field, FPASS, strlen(FPASS), NULL, NULL, &err), KITH_OK);
	struct kith_vault_info info;
	kith_vault_info(fv, &info);
	assert_int_equal(info.holds_org_secret, 0);
	char dev_hex[17];
	sodium_bin2hex(dev_hex, sizeof dev_hex, dev.sign_pk, 8);
	assert_string_equal(info.device_id, dev_hex);
	struct kith_sbuf other = KITH_SBUF_INIT;
	struct kith_field_device dev2;
	assert_int_equal(kith_field_invite_make(fv, "other", FUZZ_CODE, &other, &dev2, &err),
			 KITH_E_NOTFOUND);
	assert_int_equal(other.len, 0);

	/* the field vault writes and reads its own records, across unlocks */
	json_t *body = json_pack("{s:{s:s, s:s}, s:{s:b}}", "person", "name", "Kim Ok-sun", "sex", "female",
				 "consent", "services", 1);
	struct kith_vault_batch *b = NULL;
	char ref[KITH_VAULT_REF_MAX];
	assert_int_equal(kith_vault_batch_begin(fv, &b, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", body, NULL, ref, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(body);
	kith_vault_close(fv);
	fv = NULL;
	assert_int_equal(kith_vault_open(&fv, f->field, "wrong", 5, NULL, NULL, &err), KITH_E_AUTH);
	assert_int_equal(kith_vault_open(&fv, f->field, FPASS, strlen(FPASS), NULL, NULL, &err), KITH_OK);
	assert_non_null(kith_vault_find(fv, "case", ref));
	kith_vault_info(fv, &info);
	assert_int_equal(info.damaged, 0);
	assert_int_equal(info.devices_refused, 0);
	kith_vault_close(fv);

	/* revocation: signed by headquarters' organization key, bound to the date */
	uint8_t sig[64];
	assert_int_equal(kith_field_revoke_sign(hq, dev.sign_pk, 1765000000, sig, &err), KITH_OK);
	assert_int_equal(kith_field_revoke_verify(hq, dev.sign_pk, 1765000000, sig), KITH_OK);
	assert_int_equal(kith_field_revoke_verify(hq, dev.sign_pk, 1765000001, sig), KITH_E_CORRUPT);
	uint8_t other_pk[32]; /* another device's key (dev2 was never made: the field vault may not invite) */
	randombytes_buf(other_pk, sizeof other_pk);
	assert_int_equal(kith_field_revoke_verify(hq, other_pk, 1765000000, sig), KITH_E_CORRUPT);

	kith_sbuf_release(&inv);
	kith_sbuf_release(&other);
	kith_vault_close(hq);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
#define T(fn) FIXTURE_FILES_TEST(fn)
	const struct CMUnitTest tests[] = {
	    T(test_codes),
	    T(test_invite_roundtrip_and_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
