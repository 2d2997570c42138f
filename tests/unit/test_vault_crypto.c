/* Unit tests of src/core/crypto: the envelope (KDF, slots, rows, signatures,
 * padding, organization key backup). The KDF runs at crypto_pwhash's minimum
 * cost here: these tests check the construction, not Argon2id's strength, and
 * must stay fast under valgrind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "vault/crypto.h"
#include "base/sbuf.h"
#include "base/status.h"

static int contains(const uint8_t *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

static const char envelope[] =
    "{\"kind\":\"case\",\"ref\":\"C-0000-0001\",\"body\":{\"person\":{\"name\":\"x\"}}}";

static struct kith_crypto_kdf test_kdf(void)
{
	struct kith_crypto_kdf k = {.opslimit = crypto_pwhash_OPSLIMIT_MIN,
				    .memlimit = crypto_pwhash_MEMLIMIT_MIN,
				    .alg = crypto_pwhash_ALG_ARGON2ID13};
	memset(k.salt, 7, sizeof k.salt);
	return k;
}

static struct kith_crypto_keys *new_keys(const uint8_t *org_pk, const struct kith_crypto_org *org)
{
	uint8_t vid[KITH_CRYPTO_ID_BYTES];
	memset(vid, 1, sizeof vid);
	struct kith_crypto_keys *k = NULL;
	assert_int_equal(kith_crypto_keys_generate(&k, vid, org_pk, org, NULL), KITH_OK);
	assert_int_equal(kith_crypto_keys_access(k, 1), KITH_OK);
	return k;
}

static void drop_keys(struct kith_crypto_keys *k)
{
	assert_int_equal(kith_crypto_keys_access(k, 0), KITH_OK);
	kith_crypto_keys_free(k);
}

static void seal(struct kith_crypto_keys *k, struct kith_crypto_row *row, uint32_t version, const char *plain)
{
	memset(row, 0, sizeof *row);
	randombytes_buf(row->id, sizeof row->id);
	row->version = version;
	assert_int_equal(kith_crypto_row_seal(k, row, plain, strlen(plain), NULL), KITH_OK);
}

static int open_row(struct kith_crypto_keys *k, const struct kith_crypto_row *row, struct kith_sbuf *out,
		    const char **reason)
{
	return kith_crypto_row_open(k, row, out, reason, NULL);
}

static void test_row_round_trip(void **state)
{
	(void)state;
	struct kith_crypto_keys *k = new_keys(NULL, NULL);
	assert_true(kith_crypto_keys_holds_org(k));
	struct kith_crypto_row row;
	seal(k, &row, 3, envelope);
	assert_memory_equal(row.device, kith_crypto_keys_sign_pk(k), KITH_CRYPTO_PK_BYTES);
	assert_int_equal(row.ct_len, 256 + 16);
	assert_false(contains(row.ct, row.ct_len, "person"));
	struct kith_sbuf out = KITH_SBUF_INIT;
	const char *reason = NULL;
	assert_int_equal(open_row(k, &row, &out, &reason), KITH_OK);
	assert_int_equal(out.len, strlen(envelope));
	assert_string_equal(out.buf, envelope);
	char dev[17];
	kith_crypto_keys_device_id(k, dev);
	assert_int_equal(strlen(dev), 16);
	kith_sbuf_release(&out);
	free(row.ct);
	drop_keys(k);
}

static void test_other_device_and_wrong_keys(void **state)
{
	(void)state;
	struct kith_crypto_keys *a = new_keys(NULL, NULL);
	/* a device of the same organization without its secret: cannot read a's rows */
	struct kith_crypto_keys *field = new_keys(kith_crypto_keys_org_pk(a), NULL);
	/* a device of another organization holding that one's secret */
	struct kith_crypto_keys *stranger = new_keys(NULL, NULL);
	struct kith_crypto_row row;
	seal(a, &row, 1, envelope);
	struct kith_sbuf out = KITH_SBUF_INIT;
	const char *reason = NULL;
	assert_int_equal(open_row(field, &row, &out, &reason), KITH_E_AUTH);
	assert_int_equal(out.len, 0);
	assert_int_equal(open_row(stranger, &row, &out, &reason), KITH_E_CORRUPT);
	assert_string_equal(reason, "key unwrap failed");
	assert_int_equal(out.len, 0);

	/* headquarters: the organization pair from a backup reads it via the org wrap */
	struct kith_sbuf file = KITH_SBUF_INIT;
	assert_int_equal(kith_crypto_orgkey_export(a, "hq pass", 7, crypto_pwhash_OPSLIMIT_MIN,
						   crypto_pwhash_MEMLIMIT_MIN, &file, NULL),
			 KITH_OK);
	struct kith_crypto_org *org = NULL;
	assert_int_equal(kith_crypto_orgkey_import(&org, file.buf, file.len, "hq pass", 7, NULL), KITH_OK);
	struct kith_crypto_keys *hq = new_keys(NULL, org);
	assert_memory_equal(kith_crypto_keys_org_pk(hq), kith_crypto_keys_org_pk(a), 32);
	assert_int_equal(open_row(hq, &row, &out, &reason), KITH_OK);
	assert_string_equal(out.buf, envelope);

	kith_crypto_org_free(org);
	kith_sbuf_release(&file);
	kith_sbuf_release(&out);
	free(row.ct);
	drop_keys(a);
	drop_keys(field);
	drop_keys(stranger);
	drop_keys(hq);
}

/* Flipping any byte of a row is refused: first by the signature; behind it
 * (the field changed and the row re-signed by the same device) by the key
 * wrap or the body's authentication. */
static void test_tampering_detected(void **state)
{
	(void)state;
	struct kith_crypto_keys *k = new_keys(NULL, NULL);
	struct kith_crypto_keys *hq = new_keys(NULL, NULL); /* unrelated */
	(void)hq;
	struct kith_crypto_row row;
	seal(k, &row, 1, envelope);
	struct kith_sbuf out = KITH_SBUF_INIT;
	const char *reason;
	struct {
		uint8_t *p;
		size_t n;
		const char *behind;
	} fields[] = {
	    {row.ct, row.ct_len, "authentication failed"},
	    {row.nonce, sizeof row.nonce, "authentication failed"},
	    {row.id, sizeof row.id, "key unwrap failed"},
	    {(uint8_t *)&row.version, sizeof row.version, "key unwrap failed"},
	    {row.wrap_dev, sizeof row.wrap_dev, "key unwrap failed"},
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		size_t at = fields[i].n / 2;
		fields[i].p[at] ^= 0x20;
		assert_int_equal(open_row(k, &row, &out, &reason), KITH_E_CORRUPT);
		assert_string_equal(reason, "bad signature");
		assert_int_equal(kith_crypto_row_sign(k, &row), KITH_OK);
		assert_int_equal(open_row(k, &row, &out, &reason), KITH_E_CORRUPT);
		assert_string_equal(reason, fields[i].behind);
		assert_int_equal(out.len, 0);
		fields[i].p[at] ^= 0x20;
		assert_int_equal(kith_crypto_row_sign(k, &row), KITH_OK);
		assert_int_equal(open_row(k, &row, &out, &reason), KITH_OK);
	}
	/* the signature itself, and the writer's key */
	row.sig[10] ^= 1;
	assert_int_equal(open_row(k, &row, &out, &reason), KITH_E_CORRUPT);
	assert_string_equal(reason, "bad signature");
	row.sig[10] ^= 1;
	row.wrap_org[5] ^= 1;
	assert_int_equal(open_row(k, &row, &out, &reason), KITH_E_CORRUPT);
	assert_string_equal(reason, "bad signature");
	row.wrap_org[5] ^= 1;
	/* a wrong-size ciphertext is refused before any work */
	row.ct_len -= 1;
	assert_int_equal(open_row(k, &row, &out, &reason), KITH_E_CORRUPT);
	assert_string_equal(reason, "bad padding");
	row.ct_len += 1;
	assert_int_equal(open_row(k, &row, &out, &reason), KITH_OK);

	/* a row claiming another writer's key is checked against that key */
	struct kith_crypto_keys *org_reader = new_keys(NULL, NULL);
	memcpy(row.device, kith_crypto_keys_sign_pk(org_reader), 32);
	assert_int_equal(open_row(k, &row, &out, &reason), KITH_E_CORRUPT);
	assert_string_equal(reason, "bad signature");

	kith_sbuf_release(&out);
	free(row.ct);
	drop_keys(k);
	drop_keys(hq);
	drop_keys(org_reader);
}

static void test_padding_buckets(void **state)
{
	(void)state;
	assert_int_equal(kith_crypto_bucket(0), 256);
	assert_int_equal(kith_crypto_bucket(256), 256);
	/* four buckets to each doubling: 256, 320, 384, 448, 512, 640, ... */
	assert_int_equal(kith_crypto_bucket(257), 320);
	assert_int_equal(kith_crypto_bucket(320), 320);
	assert_int_equal(kith_crypto_bucket(321), 384);
	assert_int_equal(kith_crypto_bucket(449), 512);
	assert_int_equal(kith_crypto_bucket(513), 640);
	assert_int_equal(kith_crypto_bucket(1000), 1024);
	assert_int_equal(kith_crypto_bucket(1025), 1280);
	assert_int_equal(kith_crypto_bucket(2000), 2048);
	assert_int_equal(kith_crypto_bucket(4097), 5120);
	assert_int_equal(kith_crypto_bucket(49153), 57344);
	/* every power of two is still a bucket: rows written before read as they are */
	for (size_t p = 256; p <= 65536; p *= 2)
		assert_int_equal(kith_crypto_bucket(p), p);
	/* at most a quarter more than asked for, and the buckets rise */
	for (size_t n = 1, prev = 256; n <= 65536; n++) {
		size_t b = kith_crypto_bucket(n);
		assert_true(b >= n && b >= prev);
		assert_true(n <= 256 || b * 4 <= n * 5 + 4);
		prev = b;
	}
	assert_int_equal(kith_crypto_bucket(65536), 65536);
	assert_int_equal(kith_crypto_bucket(65537), 131072);
	assert_int_equal(kith_crypto_bucket(200000), 262144);
	assert_int_equal(kith_crypto_bucket(KITH_CRYPTO_PLAIN_MAX), KITH_CRYPTO_PLAIN_MAX);
	assert_int_equal(kith_crypto_bucket(KITH_CRYPTO_PLAIN_MAX + 1), 0);

	struct kith_crypto_keys *k = new_keys(NULL, NULL);
	/* the 0x80 marker needs one byte: 255 fits 256, 256 needs 320 */
	static const size_t sizes[] = {1, 255, 256, 511, 1500, 65535, 65536, 70000};
	static const size_t want[] = {256, 256, 320, 512, 1536, 65536, 131072, 131072};
	struct kith_sbuf out = KITH_SBUF_INIT;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *p = malloc(sizes[i] + 1);
		assert_non_null(p);
		memset(p, 'a' + (int)i, sizes[i]);
		p[sizes[i]] = '\0';
		struct kith_crypto_row row;
		seal(k, &row, 1, p);
		assert_int_equal(row.ct_len, want[i] + 16);
		const char *reason;
		assert_int_equal(open_row(k, &row, &out, &reason), KITH_OK);
		assert_int_equal(out.len, sizes[i]);
		assert_memory_equal(out.buf, p, sizes[i]);
		free(row.ct);
		free(p);
	}
	/* too large */
	struct kith_crypto_row row = {.version = 1};
	char *big = calloc(1, KITH_CRYPTO_PLAIN_MAX);
	assert_non_null(big);
	assert_int_equal(kith_crypto_row_seal(k, &row, big, KITH_CRYPTO_PLAIN_MAX, NULL), KITH_E_LIMIT);
	assert_null(row.ct);
	free(big);
	kith_sbuf_release(&out);
	drop_keys(k);
}

static void test_kdf_and_slots(void **state)
{
	(void)state;
	struct kith_crypto_kdf kdf = test_kdf();
	struct kith_crypto_key *kek = NULL, *kek2 = NULL, *wrong = NULL;
	struct kith_err err;
	assert_int_equal(kith_crypto_kek_derive(&kek, "", 0, &kdf, &err), KITH_E_INVALID);
	assert_int_equal(kith_crypto_kek_derive(&kek, "correct horse", 13, &kdf, NULL), KITH_OK);
	assert_int_equal(kith_crypto_kek_derive(&kek2, "correct horse", 13, &kdf, NULL), KITH_OK);
	assert_int_equal(kith_crypto_kek_derive(&wrong, "correct horsf", 13, &kdf, NULL), KITH_OK);

	/* hostile parameters are refused before any work */
	struct kith_crypto_kdf bad = kdf;
	bad.memlimit = (size_t)1 << 40;
	assert_int_equal(kith_crypto_kdf_check(&bad, &err), KITH_E_CORRUPT);
	bad = kdf;
	bad.opslimit = 1000000;
	assert_int_equal(kith_crypto_kdf_check(&bad, NULL), KITH_E_CORRUPT);
	bad = kdf;
	bad.alg = crypto_pwhash_ALG_ARGON2I13;
	assert_int_equal(kith_crypto_kdf_check(&bad, NULL), KITH_E_CORRUPT);

	struct kith_crypto_keys *k = new_keys(NULL, NULL);
	uint8_t nonce[KITH_CRYPTO_NONCE_BYTES], box[KITH_CRYPTO_SLOT_BOX_BYTES];
	assert_int_equal(kith_crypto_slot_seal_keys(k, kek, nonce, box, NULL), KITH_OK);
	uint8_t vid[KITH_CRYPTO_ID_BYTES];
	struct kith_crypto_keys *back = NULL;
	assert_int_equal(kith_crypto_slot_open(wrong, nonce, box, &back, vid, &err), KITH_E_AUTH);
	assert_null(back);
	assert_int_equal(kith_crypto_slot_open(kek2, nonce, box, &back, vid, NULL), KITH_CRYPTO_SLOT_KEYS);
	assert_non_null(back);
	assert_memory_equal(vid, kith_crypto_keys_vault_id(k), sizeof vid);
	assert_memory_equal(kith_crypto_keys_sign_pk(back), kith_crypto_keys_sign_pk(k), 32);
	assert_memory_equal(kith_crypto_keys_box_pk(back), kith_crypto_keys_box_pk(k), 32);
	assert_memory_equal(kith_crypto_keys_org_pk(back), kith_crypto_keys_org_pk(k), 32);
	assert_true(kith_crypto_keys_holds_org(back));
	/* the unwrapped keys read what the originals sealed */
	assert_int_equal(kith_crypto_keys_access(back, 1), KITH_OK);
	struct kith_crypto_row row;
	seal(k, &row, 1, envelope);
	struct kith_sbuf out = KITH_SBUF_INIT;
	const char *reason;
	assert_int_equal(open_row(back, &row, &out, &reason), KITH_OK);
	free(row.ct);
	kith_sbuf_release(&out);
	drop_keys(back);

	/* a tampered slot is refused like a wrong passphrase */
	box[50] ^= 1;
	assert_int_equal(kith_crypto_slot_open(kek, nonce, box, NULL, vid, NULL), KITH_E_AUTH);

	/* duress marker and random filler */
	assert_int_equal(kith_crypto_slot_seal_duress(kith_crypto_keys_vault_id(k), wrong, nonce, box, NULL),
			 KITH_OK);
	assert_int_equal(kith_crypto_slot_open(wrong, nonce, box, NULL, vid, NULL), KITH_CRYPTO_SLOT_DURESS);
	assert_int_equal(kith_crypto_slot_open(kek, nonce, box, NULL, vid, NULL), KITH_E_AUTH);
	kith_crypto_slot_random(nonce, box);
	assert_int_equal(kith_crypto_slot_open(kek, nonce, box, NULL, vid, NULL), KITH_E_AUTH);

	drop_keys(k);
	kith_crypto_key_free(kek);
	kith_crypto_key_free(kek2);
	kith_crypto_key_free(wrong);
}

static void test_orgkey_file(void **state)
{
	(void)state;
	struct kith_crypto_keys *k = new_keys(NULL, NULL);
	struct kith_sbuf f = KITH_SBUF_INIT;
	assert_int_equal(kith_crypto_orgkey_export(k, "backup", 6, crypto_pwhash_OPSLIMIT_MIN,
						   crypto_pwhash_MEMLIMIT_MIN, &f, NULL),
			 KITH_OK);
	assert_int_equal(f.len, KITH_CRYPTO_ORGKEY_FILE_BYTES);
	assert_memory_equal(f.buf, "KITHORGK", 8);
	struct kith_crypto_org *org = NULL;
	struct kith_err err;
	assert_int_equal(kith_crypto_orgkey_import(&org, f.buf, f.len, "backuq", 6, &err), KITH_E_AUTH);
	assert_null(org);
	assert_int_equal(kith_crypto_orgkey_import(&org, f.buf, f.len - 1, "backup", 6, &err),
			 KITH_E_INVALID);
	assert_int_equal(kith_crypto_orgkey_import(&org, "garbage", 7, "backup", 6, &err), KITH_E_INVALID);
	f.buf[11] = 9; /* format 9 */
	assert_int_equal(kith_crypto_orgkey_import(&org, f.buf, f.len, "backup", 6, &err), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "newer"));
	f.buf[11] = 1;
	f.buf[100] ^= 4; /* the sealed pair */
	assert_int_equal(kith_crypto_orgkey_import(&org, f.buf, f.len, "backup", 6, &err), KITH_E_AUTH);
	f.buf[100] ^= 4;
	assert_int_equal(kith_crypto_orgkey_import(&org, f.buf, f.len, "backup", 6, &err), KITH_OK);
	assert_memory_equal(kith_crypto_org_pk(org), kith_crypto_keys_org_pk(k), 32);
	kith_crypto_org_free(org);

	/* a device without the organization secret has nothing to export */
	struct kith_crypto_keys *field = new_keys(kith_crypto_keys_org_pk(k), NULL);
	assert_false(kith_crypto_keys_holds_org(field));
	assert_int_equal(kith_crypto_orgkey_export(field, "backup", 6, crypto_pwhash_OPSLIMIT_MIN,
						   crypto_pwhash_MEMLIMIT_MIN, &f, NULL),
			 KITH_E_NOTFOUND);
	drop_keys(field);
	kith_sbuf_release(&f);
	drop_keys(k);
}

static void test_signatures(void **state)
{
	(void)state;
	struct kith_crypto_keys *k = new_keys(NULL, NULL);
	uint8_t sig[KITH_CRYPTO_SIG_BYTES];
	assert_int_equal(kith_crypto_sign(k, "bundle", 6, sig), KITH_OK);
	assert_int_equal(kith_crypto_verify(kith_crypto_keys_sign_pk(k), "bundle", 6, sig), KITH_OK);
	assert_int_equal(kith_crypto_verify(kith_crypto_keys_sign_pk(k), "bundlf", 6, sig), KITH_E_CORRUPT);
	sig[0] ^= 1;
	assert_int_equal(kith_crypto_verify(kith_crypto_keys_sign_pk(k), "bundle", 6, sig), KITH_E_CORRUPT);
	drop_keys(k);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_row_round_trip),     cmocka_unit_test(test_other_device_and_wrong_keys),
	    cmocka_unit_test(test_tampering_detected), cmocka_unit_test(test_padding_buckets),
	    cmocka_unit_test(test_kdf_and_slots),      cmocka_unit_test(test_orgkey_file),
	    cmocka_unit_test(test_signatures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
