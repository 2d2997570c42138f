/*
 * bundle — format-1 rows between vaults of one organization (bundle.h; the
 * bytes: docs/vault-format.md *Bundles (format 1)*).
 */
#include "vault/bundle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vault/crypto.h"
#include "vault/field.h"
#include "vault/store.h"

static const char magic[8] = {'K', 'I', 'T', 'H', 'B', 'N', 'D', 'L'};
static const char digest_domain[] = "kith-bundle-v1";
static const char sig_domain[] = "kith-bundle-sig-v1";

#define PRE_FORMAT 8
#define PRE_KEY 12 /* crypto_box_seal of the stream key: 80 */
#define PRE_HDR 92 /* secretstream header: 24 */
#define PRE_BYTES 116
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES

#define ENV_BYTES 96  /* "KBE1" org_id 32, sender 32, bundle id 16, created 8, rows 4 */
#define ROW_HEAD 296  /* "KBR1" id 16, version 4, device 32, wrap_org 80, wrap_dev 72, nonce 24, sig 64 */
#define END_BYTES 104 /* "KBF1" rows 4, digest 32, sig 64 */
#define CT_MIN (256 + 16)
#define CT_MAX (KITH_CRYPTO_PLAIN_MAX + 16)

_Static_assert(PRE_HDR + crypto_secretstream_xchacha20poly1305_HEADERBYTES == PRE_BYTES, "prelude");
_Static_assert(PRE_KEY + crypto_box_SEALBYTES + 32 == PRE_HDR, "sealed key");
_Static_assert(4 + 16 + 4 + 32 + 80 + 72 + 24 + 64 == ROW_HEAD, "row head");

struct kith_bundle {
	uint8_t id[16];
	uint8_t sender[32];
	int64_t created;
	size_t n;
	uint8_t *data; /* every row message, back to back */
	size_t *off, *len;
};

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void digest_msg(crypto_generichash_state *h, const uint8_t *m, size_t n)
{
	uint8_t l[8];
	put_be64(l, n);
	crypto_generichash_update(h, l, 8);
	crypto_generichash_update(h, m, n);
}

static void sig_message(uint8_t m[sizeof sig_domain - 1 + 32 + 32], const uint8_t digest[32],
			const uint8_t org_pk[32])
{
	memcpy(m, sig_domain, sizeof sig_domain - 1);
	memcpy(m + sizeof sig_domain - 1, digest, 32);
	memcpy(m + sizeof sig_domain - 1 + 32, org_pk, 32);
}

/* ------------------------------------------------------------ export */

struct emit {
	crypto_secretstream_xchacha20poly1305_state st;
	crypto_generichash_state h;
	struct kith_sbuf *out;
	const uint8_t *ad;
	size_t ad_len;
};

static int emit(struct emit *e, const uint8_t *m, size_t n, unsigned char tag)
{
	digest_msg(&e->h, m, n);
	size_t at = e->out->len;
	if (kith_sbuf_grow(e->out, 4 + n + ABYTES))
		return KITH_E_NOMEM;
	uint8_t *p = (uint8_t *)e->out->buf + at;
	put_be32(p, (uint32_t)(n + ABYTES));
	if (crypto_secretstream_xchacha20poly1305_push(&e->st, p + 4, NULL, m, n, e->ad, e->ad_len, tag) != 0)
		return KITH_E_CRYPTO;
	e->ad = NULL;
	e->ad_len = 0;
	e->out->len = at + 4 + n + ABYTES;
	return KITH_OK;
}

static int blob_ok(const struct kith_store_blob *b, size_t n)
{
	return b->p && b->n == n;
}

/* Appends this device's versions of record `id` as row messages to rows. */
static int collect_rows(struct kith_store *s, const uint8_t *id, const uint8_t *self, struct kith_sbuf *rows,
			size_t *count, struct kith_err *err)
{
	struct kith_store_cursor *c = NULL;
	int rc = kith_store_rows_of(s, id, 16, 0, &c, err);
	if (rc)
		return rc;
	struct kith_store_row r;
	while ((rc = kith_store_cursor_next(c, &r, err)) == 1) {
		if (!blob_ok(&r.device, 32) || memcmp(r.device.p, self, 32) != 0)
			continue;
		if (!blob_ok(&r.id, 16) || !blob_ok(&r.wrap_org, 80) || !blob_ok(&r.wrap_dev, 72) ||
		    !blob_ok(&r.nonce, 24) || !blob_ok(&r.sig, 64) || r.ct.n < CT_MIN || r.ct.n > CT_MAX ||
		    r.version < 1 || r.version > UINT32_MAX)
			continue; /* a damaged row of this file is not sent */
		uint8_t head[ROW_HEAD + 4];
		put_be32(head, (uint32_t)(ROW_HEAD + r.ct.n));
		memcpy(head + 4, "KBR1", 4);
		memcpy(head + 8, r.id.p, 16);
		put_be32(head + 24, (uint32_t)r.version);
		memcpy(head + 28, r.device.p, 32);
		memcpy(head + 60, r.wrap_org.p, 80);
		memcpy(head + 140, r.wrap_dev.p, 72);
		memcpy(head + 212, r.nonce.p, 24);
		memcpy(head + 236, r.sig.p, 64);
		if (kith_sbuf_add(rows, head, sizeof head) || kith_sbuf_add(rows, r.ct.p, r.ct.n)) {
			rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
			break;
		}
		(*count)++;
	}
	kith_store_cursor_free(c);
	return rc < 0 ? rc : KITH_OK;
}

int kith_bundle_export(struct kith_vault *v, int64_t now, struct kith_sbuf *out, size_t *nrows,
		       struct kith_err *err)
{
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	struct kith_store *s = kith_vault_store_borrow(v);
	if (!k || !s)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	const uint8_t *self = kith_crypto_keys_sign_pk(k);
	const uint8_t *org_pk = kith_crypto_keys_org_pk(k);
	/* the ids of every record, then every version of each that this device wrote */
	struct kith_sbuf ids = KITH_SBUF_INIT, rows = KITH_SBUF_INIT;
	size_t count = 0;
	struct kith_store_cursor *c = NULL;
	int rc = kith_store_rows_current(s, &c, err);
	if (rc)
		return rc;
	struct kith_store_row r;
	while ((rc = kith_store_cursor_next(c, &r, err)) == 1)
		if (blob_ok(&r.id, 16) && kith_sbuf_add(&ids, r.id.p, 16)) {
			rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
			break;
		}
	kith_store_cursor_free(c);
	if (rc < 0)
		goto done;
	rc = KITH_OK;
	for (size_t i = 0; !rc && i + 16 <= ids.len; i += 16)
		rc = collect_rows(s, (const uint8_t *)ids.buf + i, self, &rows, &count, err);
	if (rc)
		goto done;

	uint8_t pre[PRE_BYTES], kst[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	memcpy(pre, magic, 8);
	put_be32(pre + PRE_FORMAT, KITH_BUNDLE_FORMAT);
	crypto_secretstream_xchacha20poly1305_keygen(kst);
	struct emit e = {.out = out, .ad = pre, .ad_len = PRE_BYTES};
	if (crypto_box_seal(pre + PRE_KEY, kst, sizeof kst, org_pk) != 0 ||
	    crypto_secretstream_xchacha20poly1305_init_push(&e.st, pre + PRE_HDR, kst) != 0) {
		sodium_memzero(kst, sizeof kst);
		rc = kith_err_set(err, KITH_E_CRYPTO, "bundle", "sealing the bundle key failed");
		goto done;
	}
	sodium_memzero(kst, sizeof kst);
	crypto_generichash_init(&e.h, NULL, 0, 32);
	crypto_generichash_update(&e.h, (const uint8_t *)digest_domain, sizeof digest_domain - 1);
	crypto_generichash_update(&e.h, pre, sizeof pre);
	size_t start = out->len;
	if (kith_sbuf_add(out, pre, sizeof pre)) {
		rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		goto done;
	}
	uint8_t env[ENV_BYTES];
	memcpy(env, "KBE1", 4);
	crypto_generichash(env + 4, 32, org_pk, 32, NULL, 0);
	memcpy(env + 36, self, 32);
	randombytes_buf(env + 68, 16);
	put_be64(env + 84, (uint64_t)now);
	put_be32(env + 92, (uint32_t)count);
	rc = emit(&e, env, sizeof env, 0);
	for (size_t o = 0; !rc && o < rows.len;) {
		size_t n = (size_t)get_be((const uint8_t *)rows.buf + o, 4);
		rc = emit(&e, (const uint8_t *)rows.buf + o + 4, n, 0);
		o += 4 + n;
	}
	uint8_t end[END_BYTES], sm[sizeof sig_domain - 1 + 64];
	memcpy(end, "KBF1", 4);
	put_be32(end + 4, (uint32_t)count);
	if (!rc) {
		crypto_generichash_state h2 = e.h; /* the digest covers everything before the end */
		crypto_generichash_final(&h2, end + 8, 32);
		sig_message(sm, end + 8, org_pk);
		if (kith_crypto_keys_access(k, 1))
			rc = KITH_E_CRYPTO;
		else {
			rc = kith_crypto_sign(k, sm, sizeof sm, end + 40);
			if (kith_crypto_keys_access(k, 0)) {
				/* wiped at close */
			}
		}
	}
	if (!rc)
		rc = emit(&e, end, sizeof end, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	sodium_memzero(&e.st, sizeof e.st);
	if (rc) {
		out->len = start;
		rc = kith_err_set(err, rc, "bundle", "writing the bundle failed");
		goto done;
	}
	*nrows = count;
done:
	kith_sbuf_release(&ids);
	kith_sbuf_release(&rows);
	return rc;
}

/* ------------------------------------------------------------ parse */

void kith_bundle_free(struct kith_bundle *b)
{
	if (!b)
		return;
	free(b->data);
	free(b->off);
	free(b->len);
	free(b);
}

const uint8_t *kith_bundle_id(const struct kith_bundle *b)
{
	return b->id;
}
const uint8_t *kith_bundle_sender(const struct kith_bundle *b)
{
	return b->sender;
}
int64_t kith_bundle_created(const struct kith_bundle *b)
{
	return b->created;
}
size_t kith_bundle_rows(const struct kith_bundle *b)
{
	return b->n;
}

int kith_bundle_parse(struct kith_bundle **out, const void *data, size_t len, const uint8_t org_pk[32],
		      kith_bundle_unseal_fn unseal, void *arg, struct kith_err *err)
{
	const uint8_t *f = data;
	if (len < 8 || memcmp(f, magic, 8) != 0)
		return kith_err_set(err, KITH_E_INVALID, "bundle", "not a kith bundle");
	if (len < PRE_BYTES)
		return kith_err_set(err, KITH_E_INVALID, "bundle", "the bundle is cut short");
	uint64_t format = get_be(f + PRE_FORMAT, 4);
	if (format != KITH_BUNDLE_FORMAT)
		return kith_err_set(err, KITH_E_INVALID, "format",
				    "bundle format %llu is not one this kith reads (%d)",
				    (unsigned long long)format, KITH_BUNDLE_FORMAT);
	uint8_t kst[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	if (unseal(arg, f + PRE_KEY, PRE_HDR - PRE_KEY, kst) != KITH_OK)
		return kith_err_set(err, KITH_E_AUTH, "bundle",
				    "the bundle is not for this organization, or it was altered");
	crypto_secretstream_xchacha20poly1305_state st;
	int bad = crypto_secretstream_xchacha20poly1305_init_pull(&st, f + PRE_HDR, kst) != 0;
	sodium_memzero(kst, sizeof kst);
	if (bad)
		return kith_err_set(err, KITH_E_INVALID, "bundle", "the bundle's stream header is malformed");
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *)digest_domain, sizeof digest_domain - 1);
	crypto_generichash_update(&h, f, PRE_BYTES);

	struct kith_bundle *b = calloc(1, sizeof *b);
	size_t mcap = 4096;
	uint8_t *m = malloc(mcap); /* grows to the largest part, at most a row */
	struct kith_sbuf rows = KITH_SBUF_INIT;
	int rc = KITH_OK;
	if (!b || !m) {
		rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		goto fail;
	}
	size_t pos = PRE_BYTES, want = 0, idx = 0, cap = 0;
	int done = 0;
	while (!done) {
		char where[32];
		if (idx == 0)
			snprintf(where, sizeof where, "envelope");
		else if (idx <= want)
			snprintf(where, sizeof where, "row %zu", idx);
		else
			snprintf(where, sizeof where, "end");
		if (len - pos < 4) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "the bundle is cut short");
			goto fail;
		}
		size_t clen = (size_t)get_be(f + pos, 4);
		size_t maxm = idx == 0 ? ENV_BYTES : idx <= want ? ROW_HEAD + CT_MAX : END_BYTES;
		if (clen < ABYTES || clen - ABYTES > maxm) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "a part's length is out of bounds");
			goto fail;
		}
		if (len - pos - 4 < clen) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "the bundle is cut short");
			goto fail;
		}
		if (clen - ABYTES > mcap) {
			uint8_t *nm = realloc(m, clen - ABYTES);
			if (!nm) {
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
				goto fail;
			}
			m = nm;
			mcap = clen - ABYTES;
		}
		unsigned char tag = 0;
		unsigned long long mlen = 0;
		if (crypto_secretstream_xchacha20poly1305_pull(&st, m, &mlen, &tag, f + pos + 4, clen,
							       idx == 0 ? f : NULL,
							       idx == 0 ? PRE_BYTES : 0) != 0) {
			rc = kith_err_set(err, KITH_E_AUTH, where,
					  "the bundle was altered (it does not authenticate)");
			goto fail;
		}
		pos += 4 + clen;
		int final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
		if (idx <= want && (final || tag != 0)) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "the bundle ends before its rows");
			goto fail;
		}
		if (idx == 0) {
			uint8_t oid[32];
			crypto_generichash(oid, 32, org_pk, 32, NULL, 0);
			if (mlen != ENV_BYTES || memcmp(m, "KBE1", 4) != 0) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed envelope");
				goto fail;
			}
			if (sodium_memcmp(m + 4, oid, 32) != 0) {
				rc = kith_err_set(err, KITH_E_INVALID, where,
						  "the bundle is for another organization");
				goto fail;
			}
			memcpy(b->sender, m + 36, 32);
			memcpy(b->id, m + 68, 16);
			b->created = (int64_t)get_be(m + 84, 8);
			want = (size_t)get_be(m + 92, 4);
			if (want > KITH_BUNDLE_MAX_ROWS) {
				rc = kith_err_set(err, KITH_E_LIMIT, where, "more than %u rows",
						  KITH_BUNDLE_MAX_ROWS);
				goto fail;
			}
			/* every row takes at least this much of the file */
			if (want > (len - pos) / (4 + ROW_HEAD + CT_MIN + ABYTES)) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "the bundle is cut short");
				goto fail;
			}
			cap = want;
			b->off = calloc(cap ? cap : 1, sizeof *b->off);
			b->len = calloc(cap ? cap : 1, sizeof *b->len);
			if (!b->off || !b->len) {
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
				goto fail;
			}
		} else if (idx <= want) {
			if (mlen < ROW_HEAD + CT_MIN || memcmp(m, "KBR1", 4) != 0) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed row");
				goto fail;
			}
			b->off[idx - 1] = rows.len;
			b->len[idx - 1] = (size_t)mlen;
			if (kith_sbuf_add(&rows, m, (size_t)mlen)) {
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
				goto fail;
			}
		} else {
			if (!final || mlen != END_BYTES || memcmp(m, "KBF1", 4) != 0 ||
			    get_be(m + 4, 4) != want) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed end of the bundle");
				goto fail;
			}
			uint8_t dg[32], sm[sizeof sig_domain - 1 + 64];
			crypto_generichash_final(&h, dg, 32);
			if (sodium_memcmp(dg, m + 8, 32) != 0) {
				rc = kith_err_set(err, KITH_E_AUTH, where,
						  "the bundle's digest does not match");
				goto fail;
			}
			sig_message(sm, dg, org_pk);
			if (kith_crypto_verify(b->sender, sm, sizeof sm, m + 40) != KITH_OK) {
				rc = kith_err_set(err, KITH_E_AUTH, where,
						  "the sender's signature does not verify");
				goto fail;
			}
			if (pos != len) {
				rc = kith_err_set(err, KITH_E_INVALID, where,
						  "bytes after the end of the bundle");
				goto fail;
			}
			done = 1;
			continue;
		}
		digest_msg(&h, m, (size_t)mlen);
		idx++;
	}
	b->n = want;
	b->data = (uint8_t *)rows.buf;
	rows.buf = NULL;
	free(m);
	sodium_memzero(&st, sizeof st);
	*out = b;
	return KITH_OK;
fail:
	sodium_memzero(&st, sizeof st);
	kith_sbuf_release(&rows);
	free(m);
	kith_bundle_free(b);
	return rc;
}

static int vault_unseal(void *arg, const uint8_t *c, size_t clen, uint8_t *m)
{
	struct kith_crypto_keys *k = arg;
	if (kith_crypto_keys_access(k, 1))
		return KITH_E_CRYPTO;
	int rc = kith_crypto_org_unseal(k, c, clen, m);
	if (kith_crypto_keys_access(k, 0)) {
		/* wiped at close */
	}
	return rc;
}

int kith_bundle_parse_for(struct kith_bundle **out, struct kith_vault *v, const void *data, size_t len,
			  struct kith_err *err)
{
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	if (!k)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	if (!kith_crypto_keys_holds_org(k))
		return kith_err_set(
		    err, KITH_E_NOTFOUND, "vault",
		    "this vault does not hold the organization key: bundles go to headquarters");
	return kith_bundle_parse(out, data, len, kith_crypto_keys_org_pk(k), vault_unseal, k, err);
}

/* ------------------------------------------------------------ apply */

static void row_of(const uint8_t *m, size_t n, struct kith_crypto_row *r)
{
	memset(r, 0, sizeof *r);
	memcpy(r->id, m + 4, 16);
	r->version = (uint32_t)get_be(m + 20, 4);
	memcpy(r->device, m + 24, 32);
	memcpy(r->wrap_org, m + 56, 80);
	memcpy(r->wrap_dev, m + 136, 72);
	memcpy(r->nonce, m + 208, 24);
	memcpy(r->sig, m + 232, 64);
	r->ct = (uint8_t *)m + ROW_HEAD;
	r->ct_len = n - ROW_HEAD;
}

static int blob_eq(const struct kith_store_blob *b, const void *p, size_t n)
{
	return b->p && b->n == n && memcmp(b->p, p, n) == 0;
}

/* 1 when the file holds exactly this row, 0 when it holds another at its
 * (id, version), negative on error. */
static int same_row(struct kith_store *s, const struct kith_crypto_row *r, struct kith_err *err)
{
	struct kith_store_cursor *c = NULL;
	int rc = kith_store_rows_of(s, r->id, 16, 0, &c, err);
	if (rc)
		return rc;
	struct kith_store_row x;
	int same = 0;
	while ((rc = kith_store_cursor_next(c, &x, err)) == 1) {
		if (x.version != r->version)
			continue;
		same = blob_eq(&x.device, r->device, 32) && blob_eq(&x.wrap_org, r->wrap_org, 80) &&
		       blob_eq(&x.wrap_dev, r->wrap_dev, 72) && blob_eq(&x.nonce, r->nonce, 24) &&
		       blob_eq(&x.sig, r->sig, 64) && blob_eq(&x.ct, r->ct, r->ct_len);
		break;
	}
	kith_store_cursor_free(c);
	return rc < 0 ? rc : same;
}

/* 1 when a version of record id in the file was written by another device
 * than sender, 0 when not, negative on error. */
static int others_wrote(struct kith_store *s, const uint8_t *id, const uint8_t *sender, struct kith_err *err)
{
	struct kith_store_cursor *c = NULL;
	int rc = kith_store_rows_of(s, id, 16, 0, &c, err);
	if (rc)
		return rc;
	struct kith_store_row x;
	int other = 0;
	while (!other && (rc = kith_store_cursor_next(c, &x, err)) == 1)
		other = !blob_eq(&x.device, sender, 32);
	kith_store_cursor_free(c);
	return rc < 0 ? rc : other;
}

int kith_bundle_apply(struct kith_vault *v, const struct kith_bundle *b, size_t *added, size_t *skipped,
		      struct kith_err *err)
{
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	struct kith_store *s = kith_vault_store_borrow(v);
	if (!k || !s)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	if (!kith_crypto_keys_holds_org(k))
		return kith_err_set(
		    err, KITH_E_NOTFOUND, "vault",
		    "this vault does not hold the organization key: bundles go to headquarters");
	*added = *skipped = 0;
	/* the sender: enrolled here by the organization */
	struct kith_store_device *d = NULL;
	size_t nd = 0;
	int rc = kith_store_devices(s, &d, &nd, err);
	if (rc)
		return rc;
	int enrolled = 0;
	for (size_t i = 0; i < nd && !enrolled; i++)
		enrolled =
		    memcmp(d[i].sign_pk, b->sender, 32) == 0 && d[i].has_auth &&
		    kith_crypto_enrol_verify(kith_crypto_keys_org_sign_pk(k), kith_crypto_keys_vault_id(k),
					     d[i].sign_pk, d[i].box_pk, d[i].auth) == KITH_OK;
	free(d);
	if (!enrolled)
		return kith_err_set(err, KITH_E_AUTH, "sender",
				    "the bundle's sender is not a device this organization enrolled here");
	/* every row opens, before anything is written */
	struct kith_sbuf plain = KITH_SBUF_INIT;
	if (kith_crypto_keys_access(k, 1))
		return kith_err_set(err, KITH_E_CRYPTO, "vault", "the keys could not be made readable");
	char where[32];
	for (size_t i = 0; !rc && i < b->n; i++) {
		struct kith_crypto_row r;
		row_of(b->data + b->off[i], b->len[i], &r);
		snprintf(where, sizeof where, "row %zu", i + 1);
		const char *reason = NULL;
		if (memcmp(r.device, b->sender, 32) != 0)
			rc = kith_err_set(err, KITH_E_CORRUPT, where,
					  "a row of another device than the sender");
		else if (r.version == 0)
			rc = kith_err_set(err, KITH_E_CORRUPT, where, "version 0");
		else if (kith_crypto_row_open(k, &r, &plain, &reason, NULL) != KITH_OK)
			rc = kith_err_set(err, KITH_E_CORRUPT, where, "the row does not open: %s",
					  reason ? reason : "failed");
		else {
			/* a device adds versions only to the records it alone wrote: an
			 * enrolled device cannot supersede a record of another by its id */
			int o = others_wrote(s, r.id, b->sender, err);
			if (o == 1)
				rc = kith_err_set(
				    err, KITH_E_CORRUPT, where,
				    "a version of a record another device wrote: nothing was imported");
			else if (o < 0)
				rc = o;
		}
	}
	if (kith_crypto_keys_access(k, 0)) {
		/* wiped at close */
	}
	kith_sbuf_release(&plain);
	if (rc)
		return rc;
	if ((rc = kith_store_begin(s, err)))
		return rc;
	for (size_t i = 0; !rc && i < b->n; i++) {
		struct kith_crypto_row r;
		row_of(b->data + b->off[i], b->len[i], &r);
		struct kith_store_row sr = {.id = {r.id, 16},
					    .device = {r.device, 32},
					    .wrap_org = {r.wrap_org, 80},
					    .wrap_dev = {r.wrap_dev, 72},
					    .nonce = {r.nonce, 24},
					    .ct = {r.ct, r.ct_len},
					    .sig = {r.sig, 64},
					    .version = r.version};
		rc = kith_store_row_put(s, &sr, NULL);
		if (rc == KITH_OK) {
			(*added)++;
		} else if (rc == KITH_E_EXISTS) {
			int same = same_row(s, &r, err);
			snprintf(where, sizeof where, "row %zu", i + 1);
			if (same == 1) {
				(*skipped)++;
				rc = KITH_OK;
			} else if (same == 0) {
				rc = kith_err_set(
				    err, KITH_E_CORRUPT, where,
				    "the vault holds another version %u of this record: nothing was "
				    "imported",
				    r.version);
			} else {
				rc = same;
			}
		} else {
			rc = kith_err_set(err, rc, "bundle", "writing a row failed");
		}
	}
	if (!rc)
		rc = kith_store_commit(s, err);
	if (rc) {
		kith_store_rollback(s);
		*added = *skipped = 0;
	}
	return rc;
}
