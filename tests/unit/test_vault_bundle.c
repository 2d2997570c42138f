/* Unit tests of src/vault/bundle (issue 12): a field vault's versions carried
 * to headquarters — export, parse and apply; twice is a no-op; a flipped byte
 * anywhere, a cut file, trailing bytes, another organization, an unenrolled
 * sender, a version of a record another device wrote: refused with nothing
 * written. KITH_KDF_TEST
 * vaults; invented names. */
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
#include "vault/blob.h"
#include "vault/bundle.h"
#include "vault/crypto.h"
#include "vault/store.h"
#include "vault/sync.h"
#include "vault/field.h"
#include "vault/vault.h"
#include "vault/vault_impl.h" /* a forged author: the test stands in for a changed binary */

#define PASS "hq words"
#define FPASS "field words"
#define CODE "0123-4567-89AB-CDEF"

static void add_case(struct kith_vault *v, const char *name, char ref[KITH_VAULT_REF_MAX])
{
	struct kith_err err;
	json_t *body = json_pack("{s:{s:s, s:s}, s:{s:b}}", "person", "name", name, "sex", "female",
				 "consent", "services", 1);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", body, NULL, ref, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(body);
}

/* A field vault at path, created with FPASS from the invitation inv (CODE). */
static void join_field(const char *path, const struct kith_sbuf *inv, const struct kith_vault_create_opts *o)
{
	struct kith_err err;
	struct kith_field_invite *fi = NULL;
	assert_int_equal(kith_field_invite_open(&fi, inv->buf, inv->len, CODE, strlen(CODE), &err), KITH_OK);
	assert_int_equal(kith_vault_create_field(path, FPASS, strlen(FPASS), o, fi, &err), KITH_OK);
	kith_field_invite_free(fi);
}

/* Headquarters of vault format `format` (0: the default), and a field vault
 * it invited and enrolled. */
static void make_pair_format(struct fixture_files *f, unsigned format)
{
	struct kith_err err;
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST, .format = format};
	assert_int_equal(kith_vault_create(f->hq, PASS, strlen(PASS), &o, &err), KITH_OK);
	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	struct kith_sbuf inv = KITH_SBUF_INIT;
	struct kith_field_device dev;
	assert_int_equal(kith_field_invite_make(hq, "f1", CODE, &inv, &dev, &err), KITH_OK);
	assert_int_equal(kith_field_enrol_hq(hq, &dev, &err), KITH_OK);
	kith_vault_close(hq);
	join_field(f->field, &inv, &o);
	kith_sbuf_release(&inv);
}

static void make_pair(struct fixture_files *f)
{
	make_pair_format(f, 0);
}

/* Writes into the field vault fv's file a row at `version` of record id with
 * the envelope env, sealed and signed by fv's own keys (replace: instead of
 * the version there): what a compromised device could send. */
static void put_forged_row(struct kith_vault *fv, const uint8_t id[16], uint32_t version, const char *env,
			   int replace)
{
	struct kith_err err;
	struct kith_crypto_keys *k = kith_vault_keys_borrow(fv);
	struct kith_store *st = kith_vault_store_borrow(fv);
	struct kith_crypto_row row;
	memset(&row, 0, sizeof row);
	memcpy(row.id, id, 16);
	row.version = version;
	memcpy(row.device, kith_crypto_keys_sign_pk(k), 32);
	assert_int_equal(kith_crypto_keys_access(k, 1), KITH_OK);
	assert_int_equal(kith_crypto_row_seal(k, &row, env, strlen(env), &err), KITH_OK);
	assert_int_equal(kith_crypto_keys_access(k, 0), KITH_OK);
	struct kith_store_row sr = {.id = {row.id, 16},
				    .device = {row.device, 32},
				    .wrap_org = {row.wrap_org, 80},
				    .wrap_dev = {row.wrap_dev, 72},
				    .nonce = {row.nonce, 24},
				    .ct = {row.ct, row.ct_len},
				    .sig = {row.sig, 64},
				    .version = version};
	assert_int_equal(kith_store_begin(st, &err), KITH_OK);
	if (replace)
		assert_int_equal(kith_store_row_delete(st, id, 16, version, &err), KITH_OK);
	assert_int_equal(kith_store_row_put(st, &sr, &err), KITH_OK);
	assert_int_equal(kith_store_commit(st, &err), KITH_OK);
	free(row.ct);
}

/* every version this device wrote, to headquarters, recorded as sent */
static int export_hq(struct kith_vault *v, int64_t now, struct kith_sbuf *out, size_t *rows,
		     struct kith_err *err)
{
	struct kith_bundle_sent sent;
	struct kith_bundle_export_opts o = {.all = 1};
	int rc = kith_bundle_export(v, &o, now, out, &sent, err);
	*rows = sent.n;
	kith_bundle_sent_release(&sent);
	return rc;
}

static int apply(struct kith_vault *v, struct kith_bundle *b, size_t *added, size_t *skipped,
		 struct kith_err *err)
{
	struct kith_bundle_applied a;
	int rc = kith_bundle_apply(v, b, &a, err);
	*added = a.added;
	*skipped = a.skipped;
	return rc;
}

static size_t count_cases(const char *path, const char *pass)
{
	struct kith_vault *v = fixture_vault_open_path(path, pass);
	size_t n = 0;
	(void)kith_vault_records(v, "case", &n);
	kith_vault_close(v);
	return n;
}

static void test_export_import_once(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair(f);
	char r1[KITH_VAULT_REF_MAX], r2[KITH_VAULT_REF_MAX];
	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	add_case(fv, "Han Yu-ri", r1);
	add_case(fv, "Jo Mi-ae", r2);
	struct kith_sbuf b1 = KITH_SBUF_INIT;
	size_t rows = 0;
	assert_int_equal(export_hq(fv, 1765000000, &b1, &rows, &err), KITH_OK);
	assert_int_equal(rows, 2);
	assert_null(memmem(b1.buf, b1.len, "Han", 3));
	/* the field vault itself cannot open it: sealed to the organization key */
	struct kith_bundle *pb = NULL;
	assert_int_equal(kith_bundle_parse_for(&pb, fv, b1.buf, b1.len, &err), KITH_E_AUTH);
	kith_vault_close(fv);

	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	assert_int_equal(kith_bundle_parse_for(&pb, hq, b1.buf, b1.len, &err), KITH_OK);
	assert_int_equal(kith_bundle_rows(pb), 2);
	assert_int_equal(kith_bundle_created(pb), 1765000000);
	size_t added = 9, skipped = 9;
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_OK);
	assert_int_equal(added, 2);
	assert_int_equal(skipped, 0);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_OK);
	assert_int_equal(added, 0);
	assert_int_equal(skipped, 2);
	kith_bundle_free(pb);
	kith_vault_close(hq);
	hq = fixture_vault_open_path(f->hq, PASS);
	assert_non_null(kith_vault_find(hq, "case", r1));
	assert_non_null(kith_vault_find(hq, "case", r2));
	struct kith_vault_info info;
	kith_vault_info(hq, &info);
	assert_int_equal(info.damaged, 0);

	/* every flipped byte, and every cut, is refused before anything is written */
	uint8_t *c = malloc(b1.len + 1);
	assert_non_null(c);
	for (size_t i = 0; i < b1.len; i += 13) {
		memcpy(c, b1.buf, b1.len);
		c[i] ^= 0x20;
		pb = NULL;
		int rc = kith_bundle_parse_for(&pb, hq, c, b1.len, &err);
		assert_true(rc == KITH_E_INVALID || rc == KITH_E_AUTH);
		assert_null(pb);
	}
	for (size_t n = 0; n < b1.len; n += 97) {
		int rc = kith_bundle_parse_for(&pb, hq, b1.buf, n, &err);
		assert_true(rc == KITH_E_INVALID || rc == KITH_E_AUTH);
	}
	memcpy(c, b1.buf, b1.len);
	c[b1.len] = 0;
	assert_int_equal(kith_bundle_parse_for(&pb, hq, c, b1.len + 1, &err), KITH_E_INVALID);
	free(c);
	kith_vault_close(hq);
	kith_sbuf_release(&b1);
}

static void test_refusals(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair(f);
	char r[KITH_VAULT_REF_MAX];
	/* another organization's vault: its bundle is not for this one */
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	assert_int_equal(kith_vault_create(f->other, PASS, strlen(PASS), &o, &err), KITH_OK);
	struct kith_vault *ov = fixture_vault_open_path(f->other, PASS);
	add_case(ov, "Seo Ji-hye", r);
	struct kith_sbuf bo = KITH_SBUF_INIT;
	size_t rows = 0;
	assert_int_equal(export_hq(ov, 1, &bo, &rows, &err), KITH_OK);
	kith_vault_close(ov);
	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	struct kith_bundle *pb = NULL;
	assert_int_equal(kith_bundle_parse_for(&pb, hq, bo.buf, bo.len, &err), KITH_E_AUTH);
	assert_non_null(strstr(err.msg, "not for this vault"));
	kith_vault_close(hq);

	/* a sender headquarters never enrolled in its own file (an invitation
	 * made without kith_field_enrol_hq): refused until it is enrolled */
	kith_store_remove(f->field);
	hq = fixture_vault_open_path(f->hq, PASS);
	struct kith_sbuf inv = KITH_SBUF_INIT;
	struct kith_field_device dev;
	assert_int_equal(kith_field_invite_make(hq, "f2", CODE, &inv, &dev, &err), KITH_OK);
	kith_vault_close(hq);
	join_field(f->field, &inv, &o);
	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	add_case(fv, "Moon Eun-ha", r);
	struct kith_sbuf bf = KITH_SBUF_INIT;
	assert_int_equal(export_hq(fv, 2, &bf, &rows, &err), KITH_OK);
	kith_vault_close(fv);
	hq = fixture_vault_open_path(f->hq, PASS);
	assert_int_equal(kith_bundle_parse_for(&pb, hq, bf.buf, bf.len, &err), KITH_OK);
	size_t added = 0, skipped = 0;
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_E_AUTH);
	assert_string_equal(err.where, "sender");
	/* enrolled now: applied */
	assert_int_equal(kith_field_enrol_hq(hq, &dev, &err), KITH_OK);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_OK);
	assert_int_equal(added, 1);
	kith_bundle_free(pb);
	kith_vault_close(hq);
	assert_int_equal(count_cases(f->hq, PASS), 1);
	kith_sbuf_release(&inv);
	kith_sbuf_release(&bo);
	kith_sbuf_release(&bf);
}

/* An enrolled device that signs a version of a record headquarters wrote (a
 * compromised field laptop superseding a case by its id): refused whole. */
static void test_no_version_of_anothers_record(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair(f);
	char r[KITH_VAULT_REF_MAX];
	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	add_case(hq, "Pyo Hye-won", r);
	uint8_t id[16];
	assert_int_equal(
	    sodium_hex2bin(id, sizeof id, kith_vault_find(hq, "case", r)->id, 32, NULL, NULL, NULL), 0);
	kith_vault_close(hq);

	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	add_case(fv, "Yang Sun-ok", r);
	put_forged_row(fv, id, 2,
		       "{\"kind\":\"case\",\"ref\":\"C-0000-0001\",\"body\":{},\"at\":1,"
		       "\"device\":\"0000000000000000\",\"action\":\"edit\",\"note\":\"\",\"created\":1}",
		       0);
	struct kith_sbuf bb = KITH_SBUF_INIT;
	size_t rows = 0;
	assert_int_equal(export_hq(fv, 3, &bb, &rows, &err), KITH_OK);
	assert_int_equal(rows, 2);
	kith_vault_close(fv);

	hq = fixture_vault_open_path(f->hq, PASS);
	struct kith_bundle *pb = NULL;
	assert_int_equal(kith_bundle_parse_for(&pb, hq, bb.buf, bb.len, &err), KITH_OK);
	size_t added = 0, skipped = 0;
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "another device wrote"));
	assert_int_equal(added, 0);
	kith_bundle_free(pb);
	kith_vault_close(hq);
	assert_int_equal(count_cases(f->hq, PASS), 1); /* its own, untouched; the field's not added */
	kith_sbuf_release(&bb);
}

/* Headquarters sends one of its cases to the field device: sealed to the
 * device (headquarters itself cannot open it), the device reads the case
 * after import, an enrolment signed for another vault is refused by its
 * place ("device 1"), and the rows' keys are kept wrapped for the device. */
static void test_to_device(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair(f);
	char r[KITH_VAULT_REF_MAX], other[KITH_VAULT_REF_MAX];
	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	add_case(hq, "Tak Yeong-mi", r);
	add_case(hq, "Kye Sun-hui", other);
	uint8_t id[16], vid[16];
	assert_int_equal(sodium_hex2bin(id, 16, kith_vault_find(hq, "case", r)->id, 32, NULL, NULL, NULL), 0);
	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	struct kith_store_device to;
	memset(&to, 0, sizeof to);
	memcpy(to.sign_pk, kith_crypto_keys_sign_pk(kith_vault_keys_borrow(fv)), 32);
	memcpy(to.box_pk, kith_crypto_keys_box_pk(kith_vault_keys_borrow(fv)), 32);
	memcpy(vid, kith_crypto_keys_vault_id(kith_vault_keys_borrow(fv)), 16);
	struct kith_bundle_export_opts o = {.to = &to, .to_vault = vid, .ids = id, .nids = 1};
	struct kith_sbuf good = KITH_SBUF_INIT, bad = KITH_SBUF_INIT;
	struct kith_bundle_sent sent;
	assert_int_equal(kith_bundle_export(hq, &o, 5, &good, &sent, &err), KITH_OK);
	assert_int_equal(sent.n, 1);
	assert_memory_equal(sent.recipient, to.sign_pk, 32);
	kith_bundle_sent_release(&sent);
	assert_null(memmem(good.buf, good.len, "Tak", 3));
	/* enrolments signed for another vault's id */
	uint8_t wrong[16];
	memcpy(wrong, vid, 16);
	wrong[0] ^= 1;
	o.to_vault = wrong;
	assert_int_equal(kith_bundle_export(hq, &o, 6, &bad, &sent, &err), KITH_OK);
	kith_bundle_sent_release(&sent);
	struct kith_bundle *pb = NULL;
	/* headquarters cannot open a bundle sealed to the device */
	assert_int_equal(kith_bundle_parse_for(&pb, hq, good.buf, good.len, &err), KITH_E_AUTH);
	kith_vault_close(hq);

	struct kith_bundle_applied ap;
	assert_int_equal(kith_bundle_parse_for(&pb, fv, bad.buf, bad.len, &err), KITH_OK);
	assert_int_equal(kith_bundle_apply(fv, pb, &ap, &err), KITH_E_CORRUPT);
	assert_string_equal(err.where, "device 1");
	kith_bundle_free(pb);
	assert_null(kith_vault_find(fv, "case", r));
	assert_int_equal(kith_bundle_parse_for(&pb, fv, good.buf, good.len, &err), KITH_OK);
	assert_memory_equal(kith_bundle_recipient(pb), to.sign_pk, 32);
	assert_int_equal(kith_bundle_apply(fv, pb, &ap, &err), KITH_OK);
	assert_int_equal(ap.added, 1);
	assert_int_equal(kith_bundle_apply(fv, pb, &ap, &err), KITH_OK);
	assert_int_equal(ap.skipped, 1);
	kith_bundle_free(pb);
	kith_vault_close(fv);
	fv = fixture_vault_open_path(f->field, FPASS);
	const struct kith_record_view *rv = kith_vault_find(fv, "case", r);
	assert_non_null(rv); /* read with the key it was sent */
	assert_non_null(strstr(rv->body, "Tak Yeong-mi"));
	assert_null(kith_vault_find(fv, "case", other));
	kith_vault_close(fv);
	kith_sbuf_release(&good);
	kith_sbuf_release(&bad);
}

/* ------------------------------------------------------------ rewriting a bundle
 * A bundle opened with headquarters' keys, its messages edited, and sealed
 * and signed again by the sender: what a device that holds its own keys (a
 * compromised laptop, a bug) could send. Format 3 only. */
#define MSGS_MAX 64

struct msgs {
	uint8_t pre[116];
	uint8_t *m[MSGS_MAX];
	size_t n[MSGS_MAX];
	size_t k;
};

static uint32_t be32_of(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void be32_put(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void msgs_open(const struct kith_sbuf *b, struct kith_vault *hq, struct msgs *out)
{
	memset(out, 0, sizeof *out);
	const uint8_t *p = (const uint8_t *)b->buf;
	assert_true(b->len > 116);
	memcpy(out->pre, p, 116);
	struct kith_crypto_keys *k = kith_vault_keys_borrow(hq);
	uint8_t kst[32];
	assert_int_equal(kith_crypto_keys_access(k, 1), KITH_OK);
	if (kith_crypto_keys_holds_org(k)) {
		assert_int_equal(kith_crypto_org_unseal(k, p + 12, 80, kst), KITH_OK);
	} else { /* a bundle to a field device: its own box key */
		uint8_t ssk[KITH_CRYPTO_FIELD_SIGN_SK_BYTES], bsk[KITH_CRYPTO_FIELD_BOX_SK_BYTES];
		kith_crypto_keys_device_secrets(k, ssk, bsk);
		assert_int_equal(crypto_box_seal_open(kst, p + 12, 80, kith_crypto_keys_box_pk(k), bsk), 0);
		sodium_memzero(ssk, sizeof ssk);
		sodium_memzero(bsk, sizeof bsk);
	}
	assert_int_equal(kith_crypto_keys_access(k, 0), KITH_OK);
	crypto_secretstream_xchacha20poly1305_state st;
	assert_int_equal(crypto_secretstream_xchacha20poly1305_init_pull(&st, p + 92, kst), 0);
	size_t off = 116;
	unsigned char tag = 0;
	while (off < b->len) {
		assert_true(out->k < MSGS_MAX && off + 4 <= b->len);
		size_t cl = be32_of(p + off);
		off += 4;
		assert_true(cl >= 17 && off + cl <= b->len);
		out->m[out->k] = malloc(cl);
		unsigned long long ml = 0;
		assert_int_equal(
		    crypto_secretstream_xchacha20poly1305_pull(&st, out->m[out->k], &ml, &tag, p + off, cl,
							       out->k ? NULL : out->pre, out->k ? 0 : 116),
		    0);
		out->n[out->k++] = (size_t)ml;
		off += cl;
	}
	assert_int_equal(tag, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

static void msgs_drop(struct msgs *ms, size_t i)
{
	free(ms->m[i]);
	memmove(ms->m + i, ms->m + i + 1, (ms->k - i - 1) * sizeof *ms->m);
	memmove(ms->n + i, ms->n + i + 1, (ms->k - i - 1) * sizeof *ms->n);
	ms->k--;
}

static void msgs_free(struct msgs *ms)
{
	for (size_t i = 0; i < ms->k; i++)
		free(ms->m[i]);
	ms->k = 0;
}

/* The index of the j-th message whose tag is `tag` (0-based), or -1. */
static long msgs_find(const struct msgs *ms, const char *tag, size_t j)
{
	for (size_t i = 0; i < ms->k; i++)
		if (ms->n[i] >= 4 && !memcmp(ms->m[i], tag, 4) && j-- == 0)
			return (long)i;
	return -1;
}

/* Seals the messages again to org_pk (a new stream key), the envelope's row
 * count and the end (count, digest, signature) made anew by the sender. */
static void msgs_seal_to(struct msgs *ms, struct kith_vault *sender, const uint8_t *seal_pk,
			 struct kith_sbuf *out);

static void msgs_seal(struct msgs *ms, struct kith_vault *sender, struct kith_sbuf *out)
{
	msgs_seal_to(ms, sender, kith_crypto_keys_org_pk(kith_vault_keys_borrow(sender)), out);
}

/* The same, the stream sealed to seal_pk (a device's box key). */
static void msgs_seal_to(struct msgs *ms, struct kith_vault *sender, const uint8_t *seal_pk,
			 struct kith_sbuf *out)
{
	struct kith_crypto_keys *k = kith_vault_keys_borrow(sender);
	const uint8_t *org_pk = kith_crypto_keys_org_pk(k);
	uint32_t rows = 0;
	for (size_t i = 0; i < ms->k; i++)
		rows += ms->n[i] >= 4 && (!memcmp(ms->m[i], "KBR3", 4) || !memcmp(ms->m[i], "KBR2", 4));
	assert_true(ms->n[0] == 136 && !memcmp(ms->m[0], "KBE3", 4));
	be32_put(ms->m[0] + 132, rows);
	uint8_t kst[32];
	crypto_secretstream_xchacha20poly1305_keygen(kst);
	crypto_secretstream_xchacha20poly1305_state st;
	assert_int_equal(crypto_box_seal(ms->pre + 12, kst, 32, seal_pk), 0);
	assert_int_equal(crypto_secretstream_xchacha20poly1305_init_push(&st, ms->pre + 92, kst), 0);
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *)"kith-bundle-v3", 14);
	crypto_generichash_update(&h, ms->pre, 116);
	kith_sbuf_reset(out);
	assert_int_equal(kith_sbuf_add(out, ms->pre, 116), 0);
	size_t last = ms->k - 1;
	assert_true(ms->n[last] == 104 && !memcmp(ms->m[last], "KBF3", 4));
	for (size_t i = 0; i < last; i++) {
		uint8_t l[8] = {0};
		for (int b = 0; b < 8; b++)
			l[b] = (uint8_t)((uint64_t)ms->n[i] >> (56 - 8 * b));
		crypto_generichash_update(&h, l, 8);
		crypto_generichash_update(&h, ms->m[i], ms->n[i]);
	}
	uint8_t *end = ms->m[last];
	be32_put(end + 4, rows);
	crypto_generichash_final(&h, end + 8, 32);
	uint8_t sm[18 + 32 + 32];
	memcpy(sm, "kith-bundle-sig-v3", 18);
	memcpy(sm + 18, end + 8, 32);
	memcpy(sm + 50, org_pk, 32);
	assert_int_equal(kith_crypto_keys_access(k, 1), KITH_OK);
	assert_int_equal(kith_crypto_sign(k, sm, sizeof sm, end + 40), KITH_OK);
	assert_int_equal(kith_crypto_keys_access(k, 0), KITH_OK);
	for (size_t i = 0; i < ms->k; i++) {
		uint8_t *c = malloc(ms->n[i] + 17);
		unsigned long long cl = 0;
		crypto_secretstream_xchacha20poly1305_push(
		    &st, c, &cl, ms->m[i], ms->n[i], i ? NULL : ms->pre, i ? 0 : 116,
		    i == last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
			      : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
		uint8_t l[4];
		be32_put(l, (uint32_t)cl);
		assert_int_equal(kith_sbuf_add(out, l, 4), 0);
		assert_int_equal(kith_sbuf_add(out, c, (size_t)cl), 0);
		free(c);
	}
}

/* two cases in one commit: one batch of two versions */
static void add_two(struct kith_vault *v)
{
	struct kith_err err;
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	for (int i = 0; i < 2; i++) {
		json_t *body =
		    json_pack("{s:{s:s, s:s}, s:{s:b}}", "person", "name", i ? "Ra Eun-ju" : "Cha Song-mi",
			      "sex", "female", "consent", "services", 1);
		assert_int_equal(kith_vault_put(b, "case", body, NULL, NULL, NULL, &err), KITH_OK);
		json_decref(body);
	}
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
}

/* Parses `bundle` at hq and applies it: refused as corrupt at `where`, the
 * message holding `phrase`, the bundle's id when `named`, and no name of a
 * case. Nothing is written (the callers count the cases afterwards). */
static void expect_refused(struct kith_vault *hq, const struct kith_sbuf *bundle, const char *where,
			   const char *phrase, int named)
{
	struct kith_err err;
	struct kith_bundle *pb = NULL;
	size_t added = 0, skipped = 0;
	assert_int_equal(kith_bundle_parse_for(&pb, hq, bundle->buf, bundle->len, &err), KITH_OK);
	char bname[17];
	sodium_bin2hex(bname, sizeof bname, kith_bundle_id(pb), 8);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_E_CORRUPT);
	assert_string_equal(err.where, where);
	assert_non_null(strstr(err.msg, phrase));
	if (named)
		assert_non_null(strstr(err.msg, bname));
	assert_null(strstr(err.msg, "Cha"));
	kith_bundle_free(pb);
}

/* A batch whose versions are not all in the bundle is refused by name, at
 * headquarters, with nothing written; so is one whose versions come out of
 * order. The untouched bundle then goes in. */
static void test_incomplete_batch(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair(f);
	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	add_two(fv);
	struct kith_sbuf good = KITH_SBUF_INIT, bad = KITH_SBUF_INIT;
	size_t rows = 0;
	assert_int_equal(export_hq(fv, 7, &good, &rows, &err), KITH_OK);
	assert_int_equal(rows, 2);
	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	struct msgs ms;
	for (int cut = 0; cut < 2; cut++) {
		/* cut 0: its last version left out; cut 1: its first (the rest out of order) */
		msgs_open(&good, hq, &ms);
		assert_int_equal(msgs_find(&ms, "KBM3", 1), -1); /* one batch */
		long r = msgs_find(&ms, "KBR3", cut ? 0 : 1);
		assert_true(r > 0);
		msgs_drop(&ms, (size_t)r);
		msgs_seal(&ms, fv, &bad);
		msgs_free(&ms);
		if (cut == 0)
			expect_refused(hq, &bad, "manifest 1", "1 of the 2 versions of batch 1 are not in it",
				       1);
		else
			expect_refused(hq, &bad, "row 1", "out of order", 0);
	}
	kith_vault_close(hq);
	assert_int_equal(count_cases(f->hq, PASS), 0);
	hq = fixture_vault_open_path(f->hq, PASS);
	struct kith_bundle *pb = NULL;
	size_t added = 0, skipped = 0;
	assert_int_equal(kith_bundle_parse_for(&pb, hq, good.buf, good.len, &err), KITH_OK);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_OK);
	assert_int_equal(added, 2);
	kith_bundle_free(pb);
	kith_vault_close(hq);
	kith_vault_close(fv);
	assert_int_equal(count_cases(f->hq, PASS), 2);
	kith_sbuf_release(&good);
	kith_sbuf_release(&bad);
}

/* A manifest whose key commitment is not its batch key's (signed by its
 * device all the same): refused by name at headquarters, nothing written. */
static void test_wrong_key_commitment(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair(f);
	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	add_two(fv);
	struct kith_sbuf good = KITH_SBUF_INIT, bad = KITH_SBUF_INIT;
	size_t rows = 0;
	assert_int_equal(export_hq(fv, 8, &good, &rows, &err), KITH_OK);
	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	struct msgs ms;
	msgs_open(&good, hq, &ms);
	long mi = msgs_find(&ms, "KBM3", 0);
	assert_true(mi > 0);
	uint8_t *m = ms.m[mi] + 68; /* the manifest M, after its tag and sig_dev */
	size_t mlen = ms.n[mi] - 68;
	assert_true(mlen > 386);
	m[350] ^= 1; /* kc */
	struct kith_crypto_keys *fk = kith_vault_keys_borrow(fv);
	assert_int_equal(kith_crypto_keys_access(fk, 1), KITH_OK);
	assert_int_equal(kith_crypto_sign_ph(fk, m, mlen, ms.m[mi] + 4), KITH_OK);
	assert_int_equal(kith_crypto_keys_access(fk, 0), KITH_OK);
	msgs_seal(&ms, fv, &bad);
	msgs_free(&ms);
	expect_refused(hq, &bad, "manifest 1", "is not the one its manifest commits to", 1);
	kith_vault_close(hq);
	kith_vault_close(fv);
	assert_int_equal(count_cases(f->hq, PASS), 0);
	kith_sbuf_release(&good);
	kith_sbuf_release(&bad);
}

/* A person enrolled on the field vault: their slot and record (with their
 * signing key when `keyed`), as casework/people.c writes them. */
static void field_person(struct kith_vault *fv, const char *name, const char *pass, int keyed)
{
	struct kith_vault_person_slot *slot = NULL;
	char pid[KITH_VAULT_PERSON_HEX], digest[65];
	assert_int_equal(kith_vault_person_slot_new(fv, pass, strlen(pass), &slot, pid, digest, NULL),
			 KITH_OK);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", name, "role", "caseworker", "pid", pid,
				 "slot", digest, "added", (json_int_t)1765000000);
	if (keyed)
		assert_int_equal(kith_vault_person_sign_pks_add(body, slot), KITH_OK);
	struct kith_vault_batch *b = NULL;
	assert_int_equal(kith_vault_batch_begin(fv, &b, NULL), KITH_OK);
	assert_int_equal(kith_vault_put(b, "person", body, NULL, NULL, NULL, NULL), KITH_OK);
	kith_vault_batch_hook(b, kith_vault_person_slot_hook, slot);
	assert_int_equal(kith_vault_batch_commit(b, NULL), KITH_OK);
	json_decref(body);
	kith_vault_person_slot_free(slot);
}

/* Person signatures in bundles (format 3, "KBP3"): a field person's batch
 * travels with their signature and headquarters takes it; the signature
 * changed, or dropped (a person key without its signature), is refused at
 * parse; a batch signed by a key no person record holds is refused at
 * headquarters by batch and device, with nothing written. */
static void test_person_signed_batches(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair(f);
	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	field_person(fv, "Kang Hye-jin", "kang words", 1);
	kith_vault_close(fv);
	fv = fixture_vault_open_path(f->field, "kang words");
	char r[KITH_VAULT_REF_MAX];
	add_case(fv, "Cha Song-mi", r);
	struct kith_sbuf good = KITH_SBUF_INIT, bad = KITH_SBUF_INIT;
	size_t rows = 0;
	assert_int_equal(export_hq(fv, 7, &good, &rows, &err), KITH_OK);
	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	struct kith_bundle *pb = NULL;
	for (int how = 0; how < 2; how++) { /* 0: sig_per changed; 1: dropped (sent as KBM3) */
		struct msgs ms;
		msgs_open(&good, hq, &ms);
		long mi = msgs_find(&ms, "KBP3", 0);
		assert_true(mi > 0);
		assert_int_equal(msgs_find(&ms, "KBP3", 1),
				 -1); /* the person's batch; the records' are the admin's */
		if (how == 0) {
			ms.m[mi][4 + 64 + 10] ^= 1;
		} else {
			memcpy(ms.m[mi], "KBM3", 4);
			memmove(ms.m[mi] + 68, ms.m[mi] + 132, ms.n[mi] - 132);
			ms.n[mi] -= 64;
		}
		msgs_seal(&ms, fv, &bad);
		msgs_free(&ms);
		assert_int_equal(kith_bundle_parse_for(&pb, hq, bad.buf, bad.len, &err), KITH_E_AUTH);
		assert_true(!strncmp(err.where, "manifest ", 9));
		assert_non_null(strstr(err.msg, "person signature does not verify"));
	}
	assert_int_equal(kith_bundle_parse_for(&pb, hq, good.buf, good.len, &err), KITH_OK);
	size_t added = 0, skipped = 0;
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_OK);
	kith_bundle_free(pb);
	kith_vault_close(fv);
	kith_vault_close(hq);
	hq = fixture_vault_open_path(f->hq, PASS);
	assert_null(kith_vault_integrity(hq, 0)); /* the person's key is in the record it brought */
	size_t before = count_cases(f->hq, PASS);

	/* a batch whose person key is no person's of this vault: the device's
	 * keys without the person's passphrase, a key of its own, signed by both */
	fv = fixture_vault_open_path(f->field, "kang words");
	add_case(fv, "Ra Eun-ju", r);
	kith_sbuf_reset(&bad);
	assert_int_equal(export_hq(fv, 8, &bad, &rows, &err), KITH_OK);
	struct msgs ms;
	msgs_open(&bad, hq, &ms);
	long mi = msgs_find(&ms, "KBP3", 1); /* the new batch */
	assert_true(mi > 0);
	uint8_t *m = ms.m[mi] + 132, fpk[32], fsk[64];
	size_t mlen = ms.n[mi] - 132;
	crypto_sign_keypair(fpk, fsk);
	memcpy(m + 94, fpk, 32);
	struct kith_crypto_keys *fk = kith_vault_keys_borrow(fv);
	assert_int_equal(kith_crypto_keys_access(fk, 1), KITH_OK);
	assert_int_equal(kith_crypto_sign_ph(fk, m, mlen, ms.m[mi] + 4), KITH_OK);
	assert_int_equal(kith_crypto_keys_access(fk, 0), KITH_OK);
	crypto_sign_state sst;
	crypto_sign_init(&sst);
	crypto_sign_update(&sst, m, mlen);
	crypto_sign_final_create(&sst, ms.m[mi] + 68, NULL, fsk);
	msgs_seal(&ms, fv, &bad);
	msgs_free(&ms);
	assert_int_equal(kith_bundle_parse_for(&pb, hq, bad.buf, bad.len, &err), KITH_OK);
	char bname[17];
	sodium_bin2hex(bname, sizeof bname, kith_bundle_id(pb), 8);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_E_AUTH);
	assert_true(!strncmp(err.where, "manifest ", 9));
	assert_non_null(strstr(err.msg, "no person of this vault holds"));
	assert_non_null(strstr(err.msg, bname));
	assert_null(strstr(err.msg, "Kang"));
	kith_bundle_free(pb);
	kith_vault_close(fv);

	/* a batch signed with the person's own key whose versions name another
	 * writer (a changed binary holding Kang's passphrase): refused whole */
	fv = fixture_vault_open_path(f->field, "kang words");
	add_case(fv, "Bo Yeon-hee", r); /* Kang's key is derived and checked here */
	memset(fv->person, 0, sizeof fv->person);
	memset(fv->person, 'a', 32);
	add_case(fv, "Min Ji-a", r);
	kith_sbuf_reset(&bad);
	assert_int_equal(export_hq(fv, 9, &bad, &rows, &err), KITH_OK);
	assert_int_equal(kith_bundle_parse_for(&pb, hq, bad.buf, bad.len, &err), KITH_OK);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_E_AUTH);
	assert_true(!strncmp(err.where, "manifest ", 9));
	assert_non_null(strstr(err.msg, "signed by one person's key, but its versions name another writer"));
	assert_null(strstr(err.msg, "Kang"));
	kith_bundle_free(pb);
	kith_vault_close(fv);
	kith_vault_close(hq);
	assert_int_equal(count_cases(f->hq, PASS), before);
	kith_sbuf_release(&good);
	kith_sbuf_release(&bad);
}

/* Headquarters carries revocations to a field device: recorded once, with
 * the organization's signature for that device's vault; one whose time was
 * changed (re-signed by headquarters' device, not by the organization) is
 * refused by name with nothing written; a bundle to headquarters carrying one
 * is refused. */
static void test_revocations_to_device(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair(f);
	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	struct kith_store_device to;
	memset(&to, 0, sizeof to);
	memcpy(to.sign_pk, kith_crypto_keys_sign_pk(kith_vault_keys_borrow(fv)), 32);
	memcpy(to.box_pk, kith_crypto_keys_box_pk(kith_vault_keys_borrow(fv)), 32);
	uint8_t vid[16];
	memcpy(vid, kith_crypto_keys_vault_id(kith_vault_keys_borrow(fv)), 16);
	struct kith_bundle_revocation rv[2];
	memset(rv, 0, sizeof rv);
	randombytes_buf(rv[0].sign_pk, 32);
	randombytes_buf(rv[1].sign_pk, 32);
	rv[0].at = 1765000000;
	rv[1].at = 1765000100;
	struct kith_bundle_export_opts o = {.to = &to, .to_vault = vid, .revoked = rv, .nrevoked = 2};
	struct kith_sbuf good = KITH_SBUF_INIT, bad = KITH_SBUF_INIT;
	struct kith_bundle_sent sent;
	assert_int_equal(kith_bundle_export(hq, &o, 9, &good, &sent, &err), KITH_OK);
	assert_int_equal(sent.n, 0);
	kith_bundle_sent_release(&sent);

	/* the second revocation's time moved by one second */
	struct msgs ms;
	msgs_open(&good, fv, &ms);
	long ri = msgs_find(&ms, "KBV3", 1);
	assert_true(ri > 0);
	assert_int_equal(ms.n[ri], 108);
	ms.m[ri][43] ^= 1;
	msgs_seal_to(&ms, hq, to.box_pk, &bad);
	msgs_free(&ms);
	struct kith_bundle *pb = NULL;
	struct kith_bundle_applied ap;
	assert_int_equal(kith_bundle_parse_for(&pb, fv, bad.buf, bad.len, &err), KITH_OK);
	char bname[17];
	sodium_bin2hex(bname, sizeof bname, kith_bundle_id(pb), 8);
	assert_int_equal(kith_bundle_apply(fv, pb, &ap, &err), KITH_E_CORRUPT);
	assert_string_equal(err.where, "device 2");
	assert_non_null(strstr(err.msg, "revocation the organization did not sign"));
	assert_non_null(strstr(err.msg, bname));
	kith_bundle_free(pb);
	struct kith_sync_revocation *got = NULL;
	size_t ng = 9;
	assert_int_equal(kith_sync_revoked_list(kith_vault_store_borrow(fv), &got, &ng, &err), KITH_OK);
	assert_int_equal(ng, 0); /* nothing written */
	free(got);

	assert_int_equal(kith_bundle_parse_for(&pb, fv, good.buf, good.len, &err), KITH_OK);
	assert_int_equal(kith_bundle_apply(fv, pb, &ap, &err), KITH_OK);
	assert_int_equal(ap.revoked, 2);
	assert_int_equal(kith_bundle_apply(fv, pb, &ap, &err), KITH_OK);
	assert_int_equal(ap.revoked, 0);
	kith_bundle_free(pb);
	assert_int_equal(kith_sync_revoked_list(kith_vault_store_borrow(fv), &got, &ng, &err), KITH_OK);
	assert_int_equal(ng, 2);
	for (size_t i = 0; i < ng; i++) {
		size_t j = memcmp(got[i].device, rv[0].sign_pk, 32) == 0 ? 0 : 1;
		assert_memory_equal(got[i].device, rv[j].sign_pk, 32);
		assert_int_equal(got[i].at, rv[j].at);
		assert_int_equal(kith_field_revoke_verify(fv, got[i].device, got[i].at, got[i].sig), KITH_OK);
		/* signed for this vault: not headquarters' own revocation */
		assert_int_not_equal(kith_field_revoke_verify(hq, got[i].device, got[i].at, got[i].sig),
				     KITH_OK);
	}
	free(got);

	/* a device's bundle to headquarters that carries a revocation */
	struct kith_sbuf up = KITH_SBUF_INIT;
	size_t rows = 0;
	char r[KITH_VAULT_REF_MAX];
	kith_vault_close(fv); /* its index is stale after the imports */
	fv = fixture_vault_open_path(f->field, FPASS);
	add_case(fv, "Eom Ji-won", r);
	assert_int_equal(export_hq(fv, 10, &up, &rows, &err), KITH_OK);
	msgs_open(&up, hq, &ms);
	assert_true(ms.k < MSGS_MAX);
	memmove(ms.m + 2, ms.m + 1, (ms.k - 1) * sizeof *ms.m);
	memmove(ms.n + 2, ms.n + 1, (ms.k - 1) * sizeof *ms.n);
	ms.k++;
	ms.m[1] = calloc(1, 108);
	memcpy(ms.m[1], "KBV3", 4);
	ms.n[1] = 108;
	be32_put(ms.m[0] + 124, 1); /* d = 1 */
	msgs_seal(&ms, fv, &bad);
	msgs_free(&ms);
	assert_int_equal(kith_bundle_parse_for(&pb, hq, bad.buf, bad.len, &err), KITH_OK);
	assert_int_equal(kith_bundle_apply(hq, pb, &ap, &err), KITH_E_CORRUPT);
	assert_string_equal(err.where, "device 1");
	kith_bundle_free(pb);
	kith_vault_close(fv);
	kith_vault_close(hq);
	assert_int_equal(count_cases(f->hq, PASS), 0);
	kith_sbuf_release(&good);
	kith_sbuf_release(&bad);
	kith_sbuf_release(&up);
}

/* A version headquarters re-sealed at its `kith upgrade` and the device sends
 * again as its format-1 row: the same envelope is skipped (nothing added,
 * nothing refused); another envelope at that version, signed by the same
 * device, is still refused as another version by the same device. */
static void test_resealed_versions(void **state)
{
	struct fixture_files *f = *state;
	struct kith_err err;
	make_pair_format(f, 1); /* format-1 headquarters and field vault */
	struct kith_vault *fv = fixture_vault_open_path(f->field, FPASS);
	char r[KITH_VAULT_REF_MAX];
	add_case(fv, "Gil So-yeon", r);
	struct kith_sbuf b1 = KITH_SBUF_INIT, forged = KITH_SBUF_INIT;
	size_t rows = 0, added = 0, skipped = 0;
	assert_int_equal(export_hq(fv, 11, &b1, &rows, &err), KITH_OK);
	assert_int_equal(rows, 1);
	/* the device's file gets another envelope at the same version, signed by it */
	uint8_t id[16];
	assert_int_equal(sodium_hex2bin(id, 16, kith_vault_find(fv, "case", r)->id, 32, NULL, NULL, NULL), 0);
	char env[256];
	snprintf(
	    env, sizeof env,
	    "{\"kind\":\"case\",\"ref\":\"%s\",\"body\":{},\"at\":2,\"device\":\"%s\",\"action\":\"create\","
	    "\"note\":\"\",\"created\":2}",
	    r, kith_vault_find(fv, "case", r)->device);
	put_forged_row(fv, id, 1, env, 1);
	assert_int_equal(export_hq(fv, 12, &forged, &rows, &err), KITH_OK);
	assert_int_equal(rows, 1);
	kith_vault_close(fv);

	struct kith_vault *hq = fixture_vault_open_path(f->hq, PASS);
	struct kith_bundle *pb = NULL;
	assert_int_equal(kith_bundle_parse_for(&pb, hq, b1.buf, b1.len, &err), KITH_OK);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_OK);
	assert_int_equal(added, 1);
	kith_bundle_free(pb);
	kith_vault_close(hq);
	size_t resealed = 0;
	assert_int_equal(kith_vault_upgrade(f->hq, PASS, strlen(PASS), &resealed, &err), KITH_OK);
	assert_true(resealed >= 1);
	hq = fixture_vault_open_path(f->hq, PASS);
	/* the same row again: skipped, though headquarters now holds it re-sealed */
	assert_int_equal(kith_bundle_parse_for(&pb, hq, b1.buf, b1.len, &err), KITH_OK);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_OK);
	assert_int_equal(added, 0);
	assert_int_equal(skipped, 1);
	kith_bundle_free(pb);
	/* another envelope at that version: refused, nothing written */
	assert_int_equal(kith_bundle_parse_for(&pb, hq, forged.buf, forged.len, &err), KITH_OK);
	assert_int_equal(apply(hq, pb, &added, &skipped, &err), KITH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "another version 1 of this record by the same device"));
	kith_bundle_free(pb);
	kith_vault_close(hq);
	hq = fixture_vault_open_path(f->hq, PASS);
	const struct kith_record_view *rv = kith_vault_find(hq, "case", r);
	assert_non_null(rv);
	assert_non_null(strstr(rv->body, "Gil So-yeon"));
	struct kith_vault_info info;
	kith_vault_info(hq, &info);
	assert_int_equal(info.integrity, 0);
	assert_int_equal(info.damaged, 0);
	kith_vault_close(hq);
	kith_sbuf_release(&b1);
	kith_sbuf_release(&forged);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
#define T(fn) FIXTURE_FILES_TEST(fn)
	const struct CMUnitTest tests[] = {
	    T(test_export_import_once),
	    T(test_refusals),
	    T(test_no_version_of_anothers_record),
	    T(test_to_device),
	    T(test_incomplete_batch),
	    T(test_wrong_key_commitment),
	    T(test_revocations_to_device),
	    T(test_person_signed_batches),
	    T(test_resealed_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
