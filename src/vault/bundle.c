/*
 * bundle — format-1 rows between vaults of one organization (bundle.h; the
 * bytes: docs/bundle-format.md). Each row travels with its data key inside the
 * stream, so a reader checks every row with one AEAD pass and the bundle with
 * one signature, and a field device can read what headquarters sent it.
 */
#include "vault/bundle.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vault/blob.h" /* kith_store_sqlite */
#include "vault/crypto.h"
#include "vault/field.h"
#include "vault/manifest.h"
#include "vault/person.h"
#include "vault/store.h"
#include "vault/sync.h"
#include "vault/vault_impl.h"

static const char magic[8] = {'K', 'I', 'T', 'H', 'B', 'N', 'D', 'L'};
/* [format - 2]: format 2 carries format-1 rows, format 3 format-2 batches too */
static const char *const digest_domains[2] = {"kith-bundle-v2", "kith-bundle-v3"};
static const char *const sig_domains[2] = {"kith-bundle-sig-v2", "kith-bundle-sig-v3"};
#define SIG_DOMAIN_LEN 18

#define PRE_FORMAT 8
#define PRE_KEY 12 /* crypto_box_seal of the stream key: 80 */
#define PRE_HDR 92 /* secretstream header: 24 */
#define PRE_BYTES 116
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES

#define ENV_BYTES                                                                                            \
	132 /* "KBE2" org_id 32, sender 32, recipient 32, bundle id 16, created 8, devices 4, rows 4 */
#define DEV_BYTES 132 /* "KBD2" sign_pk 32, box_pk 32, enrolment 64 */
#define REV_BYTES 108 /* "KBV3" sign_pk 32, at 8, the organization's signature 64 */
#define ROW_HEAD                                                                                             \
	328 /* "KBR2" id 16, version 4, device 32, wrap_org 80, wrap_dev 72, nonce 24, sig 64, key 32 */
#define END_BYTES 104  /* "KBF2" rows 4, digest 32, sig 64 */
#define ENV3_BYTES 136 /* "KBE3" as "KBE2", then manifests 4 before rows 4 */
#define ROW3_HEAD 132  /* "KBR3" id 16, version 4, device 32, batch 16, i 4, nonce 24, key 32 */
#define MAN_HEAD 68    /* "KBM3" sig_dev 64, then the manifest */
#define MANP_HEAD 132  /* "KBP3" sig_dev 64, sig_per 64, then the manifest (a person signed) */
#define MAN_MIN (174 + 88 + 80 + 8 + 32 + 4)
#define MAN_MAX (MANP_HEAD + MAN_MIN + 80 + (size_t)32 * KITH_BUNDLE_MAX_ROWS)

/* The length of a manifest message's head: "KBP3" carries sig_per. */
static size_t man_head(const uint8_t *m)
{
	return memcmp(m, "KBP3", 4) == 0 ? MANP_HEAD : MAN_HEAD;
}
#define CT_MIN (256 + 16)
#define CT_MAX (KITH_CRYPTO_PLAIN_MAX + 16)

_Static_assert(PRE_HDR + crypto_secretstream_xchacha20poly1305_HEADERBYTES == PRE_BYTES, "prelude");
_Static_assert(PRE_KEY + crypto_box_SEALBYTES + 32 == PRE_HDR, "sealed key");
_Static_assert(4 + 16 + 4 + 32 + 80 + 72 + 24 + 64 + 32 == ROW_HEAD, "row head");
_Static_assert(4 + 32 + 32 + 32 + 16 + 8 + 4 + 4 == ENV_BYTES, "envelope");
_Static_assert(4 + 16 + 4 + 32 + 16 + 4 + 24 + 32 == ROW3_HEAD, "row head 3");

struct mkey {
	uint8_t id[16];
	size_t i;
};

struct kith_bundle {
	int format; /* 2 or 3 */
	size_t nm;  /* manifests (format 3): "KBM3" messages in man, at moff/mlen */
	uint8_t *man;
	size_t *moff, *mlen;
	struct vault_manifest *mf; /* nm parsed, borrowing man */
	struct mkey *mord;	   /* batch ids with their manifest's index, sorted */
	uint8_t id[16];
	uint8_t sender[32];
	uint8_t recipient[32];
	int64_t created;
	size_t n, nd;
	uint8_t *dev; /* nd device messages of DEV_BYTES */
	uint8_t *rev; /* nr revocation messages of REV_BYTES (counted with the devices) */
	size_t nr;
	uint8_t *data; /* every row message, back to back (secret: the data keys; wiped) */
	size_t data_len;
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

static void sig_message(int format, uint8_t m[SIG_DOMAIN_LEN + 32 + 32], const uint8_t digest[32],
			const uint8_t org_pk[32])
{
	memcpy(m, sig_domains[format - 2], SIG_DOMAIN_LEN);
	memcpy(m + SIG_DOMAIN_LEN, digest, 32);
	memcpy(m + SIG_DOMAIN_LEN + 32, org_pk, 32);
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

/* What an export gathers before it writes. */
struct gather {
	struct kith_vault *v;
	struct kith_store *s;
	struct kith_crypto_keys *k;
	const uint8_t *self;
	const struct kith_sync_sent *sent;
	int to_device;
	int all;
	const uint8_t *recipient; /* to a device: its signing key */
	uint8_t wk[32];		  /* this device's wrap key (its own rows' data keys) */
	struct kith_sbuf rows;	  /* row messages, each preceded by its length (4); holds data keys: wiped */
	struct kith_sbuf mans;	  /* manifest messages (format 3), each preceded by its length (4) */
	struct kith_sbuf mids;	  /* the batch ids of mans, 16 bytes each */
	size_t nman;
	struct kith_sbuf writers; /* 32-byte signing keys of the rows' writers (to a device) */
	sqlite3_stmt *man_st;	  /* SELECT manifest, sig_dev, sig_per FROM batches WHERE batch_id = ?1 */
	struct kith_sync_ver *vers;
	size_t n, cap;
	int64_t seq_lo, seq_hi;
};

static int writer_add(struct gather *g, const uint8_t *dev)
{
	for (size_t i = 0; i + 32 <= g->writers.len; i += 32)
		if (!memcmp(g->writers.buf + i, dev, 32))
			return KITH_OK;
	return kith_sbuf_add(&g->writers, dev, 32) ? KITH_E_NOMEM : KITH_OK;
}

static struct kith_store_blob col(sqlite3_stmt *st, int i)
{
	struct kith_store_blob b = {NULL, 0};
	if (sqlite3_column_type(st, i) == SQLITE_BLOB) {
		b.p = sqlite3_column_blob(st, i);
		b.n = (size_t)sqlite3_column_bytes(st, i);
	}
	return b;
}

/* The row at st's cursor (columns as ROW_COLS), borrowed until the next step. */
#define ROW_COLS "id, version, device, wrap_org, wrap_dev, nonce, ct, sig, batch, i"
#define ROW_COLS1 "id, version, device, wrap_org, wrap_dev, nonce, ct, sig, NULL, NULL" /* format 1 */
static void row_at(sqlite3_stmt *st, struct kith_store_row *r)
{
	r->id = col(st, 0);
	r->version = sqlite3_column_type(st, 1) == SQLITE_INTEGER ? sqlite3_column_int64(st, 1) : -1;
	r->device = col(st, 2);
	r->wrap_org = col(st, 3);
	r->wrap_dev = col(st, 4);
	r->nonce = col(st, 5);
	r->ct = col(st, 6);
	r->sig = col(st, 7);
	r->batch = col(st, 8);
	r->i = sqlite3_column_type(st, 9) == SQLITE_INTEGER ? sqlite3_column_int64(st, 9) : -1;
}

static int ver_add(struct gather *g, const uint8_t *id, uint32_t version, const uint8_t *device)
{
	if (g->n == g->cap) {
		size_t nc = g->cap ? 2 * g->cap : 256;
		struct kith_sync_ver *nv = realloc(g->vers, nc * sizeof *nv);
		if (!nv)
			return KITH_E_NOMEM;
		g->vers = nv;
		g->cap = nc;
	}
	memcpy(g->vers[g->n].id, id, 16);
	g->vers[g->n].version = version;
	memcpy(g->vers[g->n].device, device, 32);
	return KITH_OK;
}

/* Adds the manifest message of batch id (once). */
static int manifest_add(struct gather *g, const uint8_t *id, struct kith_err *err)
{
	for (size_t i = 0; i < g->nman; i++)
		if (!memcmp(g->mids.buf + 16 * i, id, 16))
			return KITH_OK;
	sqlite3_reset(g->man_st);
	sqlite3_bind_blob(g->man_st, 1, id, 16, SQLITE_STATIC);
	if (sqlite3_step(g->man_st) != SQLITE_ROW)
		return kith_err_set(err, KITH_E_CORRUPT, "bundle", "a version's batch is not in the vault");
	struct kith_store_blob m = col(g->man_st, 0), sig = col(g->man_st, 1), sp = col(g->man_st, 2);
	struct vault_manifest mf;
	int per = blob_ok(&sp, 64); /* a person signed it too: "KBP3" */
	if (!m.p || !blob_ok(&sig, 64) || vault_v2_manifest_parse(m.p, m.n, &mf) != KITH_OK ||
	    m.n > MAN_MAX - MANP_HEAD)
		return kith_err_set(err, KITH_E_CORRUPT, "bundle", "a batch of this vault is malformed");
	uint8_t head[4 + MANP_HEAD];
	size_t hl = per ? MANP_HEAD : MAN_HEAD;
	put_be32(head, (uint32_t)(hl + m.n));
	memcpy(head + 4, per ? "KBP3" : "KBM3", 4);
	memcpy(head + 8, sig.p, 64);
	if (per)
		memcpy(head + 72, sp.p, 64);
	if (kith_sbuf_add(&g->mans, head, 4 + hl) || kith_sbuf_add(&g->mans, m.p, m.n) ||
	    kith_sbuf_add(&g->mids, id, 16) || (g->to_device && writer_add(g, mf.device)))
		return kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
	g->nman++;
	return KITH_OK;
}

/* Appends the "KBR3" message of a version of a format-2 batch (its data key
 * inside). KITH_E_AUTH / KITH_E_CORRUPT: no key for it here (left out). */
static int row3_add(struct gather *g, const struct kith_store_row *r, struct kith_err *err)
{
	const struct vbatch *vb = vault_v2_batch(g->v, r->batch.p);
	struct kith_crypto_row cr;
	memset(&cr, 0, sizeof cr);
	memcpy(cr.id, r->id.p, 16);
	cr.version = (uint32_t)r->version;
	memcpy(cr.device, r->device.p, 32);
	memcpy(cr.nonce, r->nonce.p, 24);
	cr.ct = (uint8_t *)r->ct.p;
	cr.ct_len = r->ct.n;
	uint8_t head[4 + ROW3_HEAD];
	put_be32(head, (uint32_t)(ROW3_HEAD + r->ct.n));
	memcpy(head + 4, "KBR3", 4);
	memcpy(head + 8, r->id.p, 16);
	put_be32(head + 24, (uint32_t)r->version);
	memcpy(head + 28, r->device.p, 32);
	memcpy(head + 60, r->batch.p, 16);
	put_be32(head + 76, (uint32_t)r->i);
	memcpy(head + 80, r->nonce.p, 24);
	uint8_t rh[32];
	vault_v2_row_hash(&cr, rh);
	if (!vb || vb->status == B_BAD || (uint64_t)r->i >= vb->n ||
	    memcmp(rh, vb->rh + 32 * (size_t)r->i, 32))
		return KITH_E_CORRUPT; /* a damaged version of this file is not sent */
	int rc = vault_v2_row_key(g->v, vb, (uint32_t)r->i, &cr, head + 104);
	if (rc) {
		sodium_memzero(head, sizeof head);
		return rc;
	}
	rc = manifest_add(g, r->batch.p, err);
	if (!rc && (ver_add(g, cr.id, cr.version, cr.device) || kith_sbuf_add(&g->rows, head, sizeof head) ||
		    kith_sbuf_add(&g->rows, r->ct.p, r->ct.n) || (g->to_device && writer_add(g, cr.device))))
		rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
	sodium_memzero(head, sizeof head);
	if (!rc)
		g->n++;
	return rc;
}

/* Appends the versions of st's rows that go in the bundle. */
static int gather_rows(struct gather *g, sqlite3_stmt *st, struct kith_err *err)
{
	int rc = KITH_OK, s3;
	struct kith_store_row r;
	struct kith_crypto_row cr;
	while ((s3 = sqlite3_step(st)) == SQLITE_ROW) {
		row_at(st, &r);
		if (!blob_ok(&r.device, 32) || (!g->to_device && memcmp(r.device.p, g->self, 32) != 0))
			continue;
		if (g->to_device && !memcmp(r.device.p, g->recipient, 32))
			continue; /* the device's own versions: it holds them */
		if (r.batch.p) {  /* a version of a format-2 batch */
			if (!blob_ok(&r.id, 16) || !blob_ok(&r.batch, 16) || !blob_ok(&r.nonce, 24) ||
			    r.ct.n < CT_MIN || r.ct.n > CT_MAX || r.version < 1 || r.version > UINT32_MAX ||
			    r.i < 0 || r.i > UINT32_MAX)
				continue;
			if (kith_sync_sent_has(g->sent, r.id.p, (uint32_t)r.version, r.device.p))
				continue;
			rc = row3_add(g, &r, err);
			if (rc == KITH_E_CORRUPT || rc == KITH_E_AUTH)
				rc = KITH_OK; /* damaged or unreadable here: not sent */
			if (rc)
				return rc;
			continue;
		}
		if (!blob_ok(&r.id, 16) || !blob_ok(&r.wrap_org, 80) || !blob_ok(&r.wrap_dev, 72) ||
		    !blob_ok(&r.nonce, 24) || !blob_ok(&r.sig, 64) || r.ct.n < CT_MIN || r.ct.n > CT_MAX ||
		    r.version < 1 || r.version > UINT32_MAX)
			continue; /* a damaged row of this file is not sent */
		if (kith_sync_sent_has(g->sent, r.id.p, (uint32_t)r.version, r.device.p))
			continue;
		memset(&cr, 0, sizeof cr);
		memcpy(cr.id, r.id.p, 16);
		cr.version = (uint32_t)r.version;
		memcpy(cr.device, r.device.p, 32);
		memcpy(cr.wrap_org, r.wrap_org.p, 80);
		memcpy(cr.wrap_dev, r.wrap_dev.p, 72);
		uint8_t head[4 + ROW_HEAD];
		put_be32(head, (uint32_t)(ROW_HEAD + r.ct.n));
		memcpy(head + 4, "KBR2", 4);
		memcpy(head + 8, r.id.p, 16);
		put_be32(head + 24, (uint32_t)r.version);
		memcpy(head + 28, r.device.p, 32);
		memcpy(head + 60, r.wrap_org.p, 80);
		memcpy(head + 140, r.wrap_dev.p, 72);
		memcpy(head + 212, r.nonce.p, 24);
		memcpy(head + 236, r.sig.p, 64);
		/* the row's data key rides inside the stream */
		if (!memcmp(cr.device, g->self, 32))
			rc = kith_sync_unwrap(g->wk, &cr, cr.wrap_dev, sizeof cr.wrap_dev, head + 300);
		else
			rc = kith_sync_row_key(g->s, g->k, &cr, head + 300, NULL);
		if (rc == KITH_E_CORRUPT || rc == KITH_E_AUTH) {
			sodium_memzero(head, sizeof head);
			rc = KITH_OK; /* damaged or unreadable here: not sent */
			continue;
		}
		if (rc) {
			sodium_memzero(head, sizeof head);
			return kith_err_set(err, rc, "bundle", "reading a version's key failed");
		}
		int bad =
		    ver_add(g, cr.id, cr.version, cr.device) || kith_sbuf_add(&g->rows, head, sizeof head) ||
		    kith_sbuf_add(&g->rows, r.ct.p, r.ct.n) || (g->to_device && writer_add(g, cr.device));
		sodium_memzero(head, sizeof head);
		if (bad)
			return kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		g->n++;
	}
	if (s3 != SQLITE_DONE)
		return kith_err_set(err, KITH_E_DB, "bundle", "reading the rows: %s",
				    sqlite3_errmsg(kith_store_sqlite(g->s)));
	return rc;
}

/* To headquarters from a format-2 vault: every batch of this device with a
 * version not yet sent goes whole (its manifest, then its rows in order), in
 * the order of the device's log, so that headquarters checks the chain. */
static int gather_batches(struct gather *g, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(g->s);
	sqlite3_stmt *bs = NULL, *rs = NULL;
	int rc = KITH_OK, s3;
	if (sqlite3_prepare_v2(db, "SELECT batch_id, seq FROM batches WHERE device = ?1 ORDER BY seq", -1,
			       &bs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " ROW_COLS " FROM \"rows\" WHERE batch = ?1 ORDER BY i", -1, &rs,
			       NULL) != SQLITE_OK) {
		rc = kith_err_set(err, KITH_E_DB, "bundle", "reading the batches: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_blob(bs, 1, g->self, 32, SQLITE_STATIC);
	while (!rc && (s3 = sqlite3_step(bs)) == SQLITE_ROW) {
		struct kith_store_blob id = col(bs, 0);
		int64_t seq = sqlite3_column_int64(bs, 1);
		if (!blob_ok(&id, 16))
			continue;
		const struct vbatch *vb = vault_v2_batch(g->v, id.p);
		if (!vb || vb->status != B_OK) {
			char hex[17];
			sodium_bin2hex(hex, sizeof hex, id.p, 8);
			rc =
			    kith_err_set(err, KITH_E_CORRUPT, "bundle",
					 "batch %s (number %lld of this device) does not verify: nothing was "
					 "exported (kith list shows what the vault found)",
					 hex, (long long)seq);
			break;
		}
		/* the batch goes when one of its versions was not sent */
		int any = g->all;
		sqlite3_reset(rs);
		sqlite3_bind_blob(rs, 1, id.p, 16, SQLITE_STATIC);
		struct kith_store_row r;
		while (!any && sqlite3_step(rs) == SQLITE_ROW) {
			row_at(rs, &r);
			if (blob_ok(&r.id, 16) && blob_ok(&r.device, 32) && r.version >= 1 &&
			    r.version <= UINT32_MAX)
				any = !kith_sync_sent_has(g->sent, r.id.p, (uint32_t)r.version, r.device.p);
		}
		if (!any)
			continue;
		rc = manifest_add(g, id.p, err);
		uint32_t got = 0;
		sqlite3_reset(rs);
		while (!rc && (s3 = sqlite3_step(rs)) == SQLITE_ROW) {
			row_at(rs, &r);
			if (!blob_ok(&r.id, 16) || !blob_ok(&r.device, 32) || !blob_ok(&r.nonce, 24) ||
			    r.ct.n < CT_MIN || r.ct.n > CT_MAX || r.version < 1 || r.version > UINT32_MAX ||
			    r.i != (int64_t)got)
				break;
			rc = row3_add(g, &r, err);
			got++;
		}
		if (!rc && got != vb->n) {
			char hex[17];
			sodium_bin2hex(hex, sizeof hex, id.p, 8);
			rc = kith_err_set(err, KITH_E_CORRUPT, "bundle",
					  "batch %s (number %lld of this device) is not whole in the vault: "
					  "nothing was exported",
					  hex, (long long)seq);
		}
		if (!rc) {
			if (!g->seq_lo)
				g->seq_lo = seq;
			g->seq_hi = seq;
		}
	}
	if (!rc && s3 != SQLITE_DONE)
		rc = kith_err_set(err, KITH_E_DB, "bundle", "reading the batches: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(bs);
	sqlite3_finalize(rs);
	return rc;
}

void kith_bundle_sent_release(struct kith_bundle_sent *sent)
{
	if (!sent)
		return;
	free(sent->vers);
	memset(sent, 0, sizeof *sent);
}

int kith_bundle_mark_sent(struct kith_vault *v, const struct kith_bundle_sent *sent, struct kith_err *err)
{
	struct kith_store *s = kith_vault_store_borrow(v);
	if (!s)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	return kith_sync_mark_sent(s, sent->id, sent->recipient, sent->created, sent->vers, sent->n, err);
}

int kith_bundle_export(struct kith_vault *v, const struct kith_bundle_export_opts *opts, int64_t now,
		       struct kith_sbuf *out, struct kith_bundle_sent *sent, struct kith_err *err)
{
	static const struct kith_bundle_export_opts none = {0};
	if (!opts)
		opts = &none;
	memset(sent, 0, sizeof *sent);
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	struct kith_store *s = kith_vault_store_borrow(v);
	if (!k || !s)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	const uint8_t *org_pk = kith_crypto_keys_org_pk(k);
	const uint8_t *recipient = opts->to ? opts->to->sign_pk : org_pk;
	const uint8_t *seal_pk = opts->to ? opts->to->box_pk : org_pk;
	if (opts->to && !opts->to_vault)
		return kith_err_set(err, KITH_E_INVALID, "to", "a device's vault id is needed");
	/* a format-2 vault writes format 3 (its batches with their manifests) */
	int format = kith_store_format(s) >= 2 ? 3 : 2;
	struct gather g = {.v = v,
			   .s = s,
			   .k = k,
			   .self = kith_crypto_keys_sign_pk(k),
			   .to_device = opts->to != NULL,
			   .all = opts->all,
			   .recipient = recipient};
	struct kith_sync_sent *st = NULL;
	struct kith_sbuf devs = KITH_SBUF_INIT, revs = KITH_SBUF_INIT;
	sqlite3_stmt *sel = NULL;
	struct kith_store_device *d = NULL;
	size_t nd = 0;
	int held = 0;
	int rc = opts->all ? KITH_OK : kith_sync_sent_load(s, recipient, opts->since, &st, err);
	if (rc)
		return rc;
	g.sent = st;
	if ((rc = kith_crypto_keys_access(k, 1))) {
		rc = kith_err_set(err, KITH_E_CRYPTO, "vault", "the keys could not be made readable");
		goto done;
	}
	held = 1;
	kith_sync_wrap_key(k, g.wk);
	sqlite3 *db = kith_store_sqlite(s);
	if (format == 3 &&
	    sqlite3_prepare_v2(db, "SELECT manifest, sig_dev, sig_per FROM batches WHERE batch_id = ?1", -1,
			       &g.man_st, NULL) != SQLITE_OK) {
		rc = kith_err_set(err, KITH_E_DB, "bundle", "reading the batches: %s", sqlite3_errmsg(db));
		goto done;
	}
	/* one statement: a record's versions (to a device), or this device's every
	 * version, grouped by record (to headquarters; format 3: the versions of no
	 * batch, after the batches) */
	if (sqlite3_prepare_v2(
		db,
		opts->to ? (format == 3 ? "SELECT " ROW_COLS " FROM \"rows\" WHERE id = ?1 ORDER BY version"
					: "SELECT " ROW_COLS1 " FROM \"rows\" WHERE id = ?1 ORDER BY version")
		: format == 3 ? "SELECT " ROW_COLS " FROM \"rows\" WHERE device = ?1 AND batch IS "
				"NULL ORDER BY id, version"
			      : "SELECT " ROW_COLS1 " FROM \"rows\" WHERE device = ?1 ORDER BY id, version",
		-1, &sel, NULL) != SQLITE_OK) {
		rc = kith_err_set(err, KITH_E_DB, "bundle", "reading the rows: %s", sqlite3_errmsg(db));
		goto done;
	}
	if (opts->to) {
		for (size_t i = 0; !rc && i < opts->nids; i++) {
			sqlite3_reset(sel);
			sqlite3_bind_blob(sel, 1, opts->ids + 16 * i, 16, SQLITE_STATIC);
			rc = gather_rows(&g, sel, err);
		}
	} else {
		if (format == 3)
			rc = gather_batches(&g, err);
		sqlite3_bind_blob(sel, 1, g.self, 32, SQLITE_STATIC);
		if (!rc)
			rc = gather_rows(&g, sel, err);
	}
	if (rc)
		goto done;
	/* to a device: the organization's enrolment, for its vault, of every writer */
	if (opts->to && g.writers.len) {
		if ((rc = kith_store_devices(s, &d, &nd, err)))
			goto done;
		for (size_t w = 0; !rc && w + 32 <= g.writers.len; w += 32) {
			const uint8_t *spk = (const uint8_t *)g.writers.buf + w;
			size_t i = 0;
			while (i < nd && memcmp(d[i].sign_pk, spk, 32) != 0)
				i++;
			if (i == nd) {
				rc = kith_err_set(err, KITH_E_NOTFOUND, "device",
						  "a version's writer is not a device enrolled here");
				break;
			}
			uint8_t m[DEV_BYTES];
			memcpy(m, "KBD2", 4);
			memcpy(m + 4, d[i].sign_pk, 32);
			memcpy(m + 36, d[i].box_pk, 32);
			if (kith_crypto_enrol_sign_vault(k, opts->to_vault, d[i].sign_pk, d[i].box_pk,
							 m + 68))
				rc = kith_err_set(
				    err, KITH_E_NOTFOUND, "vault",
				    "only headquarters (the organization key) sends to a device");
			else if (kith_sbuf_add(&devs, m, sizeof m))
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		}
		if (rc)
			goto done;
	}
	/* to a device: the revocations, signed by the organization for its vault */
	for (size_t i = 0; opts->to && !rc && i < opts->nrevoked; i++) {
		const struct kith_bundle_revocation *r = &opts->revoked[i];
		uint8_t m[REV_BYTES], msg[KITH_FIELD_REVOKE_MSG];
		memcpy(m, "KBV3", 4);
		memcpy(m + 4, r->sign_pk, 32);
		put_be64(m + 36, (uint64_t)r->at);
		kith_field_revoke_message(msg, opts->to_vault, r->sign_pk, r->at);
		if (kith_crypto_org_sign(k, msg, sizeof msg, m + 44))
			rc = kith_err_set(err, KITH_E_NOTFOUND, "vault",
					  "only headquarters (the organization key) sends to a device");
		else if (kith_sbuf_add(&revs, m, sizeof m))
			rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
	}
	if (rc)
		goto done;

	uint8_t pre[PRE_BYTES], kst[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	memcpy(pre, magic, 8);
	put_be32(pre + PRE_FORMAT, (uint32_t)format);
	crypto_secretstream_xchacha20poly1305_keygen(kst);
	struct emit e = {.out = out, .ad = pre, .ad_len = PRE_BYTES};
	if (crypto_box_seal(pre + PRE_KEY, kst, sizeof kst, seal_pk) != 0 ||
	    crypto_secretstream_xchacha20poly1305_init_push(&e.st, pre + PRE_HDR, kst) != 0) {
		sodium_memzero(kst, sizeof kst);
		rc = kith_err_set(err, KITH_E_CRYPTO, "bundle", "sealing the bundle key failed");
		goto done;
	}
	sodium_memzero(kst, sizeof kst);
	crypto_generichash_init(&e.h, NULL, 0, 32);
	crypto_generichash_update(&e.h, (const uint8_t *)digest_domains[format - 2],
				  strlen(digest_domains[format - 2]));
	crypto_generichash_update(&e.h, pre, sizeof pre);
	size_t start = out->len;
	if (kith_sbuf_add(out, pre, sizeof pre)) {
		rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		goto done;
	}
	size_t ndev = devs.len / DEV_BYTES;
	uint8_t env[ENV3_BYTES];
	memcpy(env, format == 3 ? "KBE3" : "KBE2", 4);
	crypto_generichash(env + 4, 32, org_pk, 32, NULL, 0);
	memcpy(env + 36, g.self, 32);
	memcpy(env + 68, recipient, 32);
	randombytes_buf(env + 100, 16);
	put_be64(env + 116, (uint64_t)now);
	size_t nrev = revs.len / REV_BYTES;
	put_be32(env + 124, (uint32_t)(ndev + nrev));
	if (format == 3) {
		put_be32(env + 128, (uint32_t)g.nman);
		put_be32(env + 132, (uint32_t)g.n);
	} else {
		put_be32(env + 128, (uint32_t)g.n);
	}
	rc = emit(&e, env, format == 3 ? ENV3_BYTES : ENV_BYTES, 0);
	for (size_t i = 0; !rc && i < ndev; i++)
		rc = emit(&e, (const uint8_t *)devs.buf + i * DEV_BYTES, DEV_BYTES, 0);
	for (size_t i = 0; !rc && i < nrev; i++)
		rc = emit(&e, (const uint8_t *)revs.buf + i * REV_BYTES, REV_BYTES, 0);
	for (size_t o = 0; !rc && o < g.mans.len;) {
		size_t n = (size_t)get_be((const uint8_t *)g.mans.buf + o, 4);
		rc = emit(&e, (const uint8_t *)g.mans.buf + o + 4, n, 0);
		o += 4 + n;
	}
	for (size_t o = 0; !rc && o < g.rows.len;) {
		size_t n = (size_t)get_be((const uint8_t *)g.rows.buf + o, 4);
		rc = emit(&e, (const uint8_t *)g.rows.buf + o + 4, n, 0);
		o += 4 + n;
	}
	uint8_t end[END_BYTES], sm[SIG_DOMAIN_LEN + 64];
	memcpy(end, format == 3 ? "KBF3" : "KBF2", 4);
	put_be32(end + 4, (uint32_t)g.n);
	if (!rc) {
		crypto_generichash_state h2 = e.h; /* the digest covers everything before the end */
		crypto_generichash_final(&h2, end + 8, 32);
		sig_message(format, sm, end + 8, org_pk);
		rc = kith_crypto_sign(k, sm, sizeof sm, end + 40);
	}
	if (!rc)
		rc = emit(&e, end, sizeof end, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	sodium_memzero(&e.st, sizeof e.st);
	if (rc) {
		out->len = start;
		rc = kith_err_set(err, rc, "bundle", "writing the bundle failed");
		goto done;
	}
	memcpy(sent->id, env + 100, 16);
	memcpy(sent->recipient, recipient, 32);
	sent->created = now;
	sent->vers = g.vers;
	sent->n = g.n;
	sent->seq_lo = g.seq_lo;
	sent->seq_hi = g.seq_hi;
	g.vers = NULL;
done:
	sqlite3_finalize(sel);
	sqlite3_finalize(g.man_st);
	sodium_memzero(g.wk, sizeof g.wk);
	if (held)
		vault_keys_idle(k);
	free(d);
	kith_sync_sent_free(st);
	free(g.vers);
	sodium_memzero(g.rows.buf, g.rows.cap);
	kith_sbuf_release(&g.rows);
	kith_sbuf_release(&g.mans);
	kith_sbuf_release(&g.mids);
	kith_sbuf_release(&g.writers);
	kith_sbuf_release(&devs);
	kith_sbuf_release(&revs);
	return rc;
}

/* ------------------------------------------------------------ parse */

void kith_bundle_free(struct kith_bundle *b)
{
	if (!b)
		return;
	if (b->data)
		sodium_memzero(b->data, b->data_len);
	free(b->data);
	free(b->dev);
	free(b->rev);
	free(b->off);
	free(b->len);
	free(b->man);
	free(b->moff);
	free(b->mlen);
	free(b->mf);
	free(b->mord);
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
const uint8_t *kith_bundle_recipient(const struct kith_bundle *b)
{
	return b->recipient;
}
int64_t kith_bundle_created(const struct kith_bundle *b)
{
	return b->created;
}
size_t kith_bundle_rows(const struct kith_bundle *b)
{
	return b->n;
}
int kith_bundle_format(const struct kith_bundle *b)
{
	return b->format;
}

static int cmp_mord(const void *x, const void *y)
{
	return memcmp(((const struct mkey *)x)->id, ((const struct mkey *)y)->id, 16);
}

/* The manifest of batch id in b: its index, or -1. */
static long man_find(const struct kith_bundle *b, const uint8_t *id)
{
	size_t lo = 0, hi = b->nm;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(b->mord[mid].id, id, 16);
		if (!c)
			return (long)b->mord[mid].i;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The manifests of a format-3 bundle, once all are read: each parses, is of
 * this organization, signed by its device; no batch twice. */
static int manifests_check(struct kith_bundle *b, const uint8_t oid[32], struct kith_err *err)
{
	char where[32];
	b->mf = calloc(b->nm ? b->nm : 1, sizeof *b->mf);
	b->mord = calloc(b->nm ? b->nm : 1, sizeof *b->mord);
	if (!b->mf || !b->mord)
		return kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
	for (size_t i = 0; i < b->nm; i++) {
		const uint8_t *m = b->man + b->moff[i];
		size_t hl = man_head(m);
		snprintf(where, sizeof where, "manifest %zu", i + 1);
		if (b->mlen[i] < hl + MAN_MIN ||
		    vault_v2_manifest_parse(m + hl, b->mlen[i] - hl, &b->mf[i]) != KITH_OK)
			return kith_err_set(err, KITH_E_INVALID, where, "malformed batch manifest");
		if (sodium_memcmp(b->mf[i].org, oid, 32) != 0)
			return kith_err_set(err, KITH_E_INVALID, where, "a batch of another organization");
		if (vault_v2_manifest_verify(&b->mf[i], m + 4) != KITH_OK)
			return kith_err_set(err, KITH_E_AUTH, where, "the batch's signature does not verify");
		/* a person's key in the manifest comes with their signature ("KBP3"), and only then */
		int has_per = !sodium_is_zero(b->mf[i].per, 32);
		if (has_per != (hl == MANP_HEAD) ||
		    (has_per && vault_v2_manifest_verify_per(&b->mf[i], m + 68) != KITH_OK))
			return kith_err_set(err, KITH_E_AUTH, where,
					    "the batch's person signature does not verify");
		memcpy(b->mord[i].id, b->mf[i].batch_id, 16);
		b->mord[i].i = i;
	}
	if (b->nm)
		qsort(b->mord, b->nm, sizeof *b->mord, cmp_mord);
	for (size_t i = 1; i < b->nm; i++)
		if (!memcmp(b->mord[i].id, b->mord[i - 1].id, 16)) {
			snprintf(where, sizeof where, "manifest %zu", b->mord[i].i + 1);
			return kith_err_set(err, KITH_E_INVALID, where, "a batch carried twice");
		}
	return KITH_OK;
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
	if (format != 2 && format != 3)
		return kith_err_set(err, KITH_E_INVALID, "format",
				    "bundle format %llu is not one this kith reads (2 and 3)",
				    (unsigned long long)format);
	int v3 = format == 3;
	uint8_t kst[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	if (unseal(arg, f + PRE_KEY, PRE_HDR - PRE_KEY, kst) != KITH_OK)
		return kith_err_set(err, KITH_E_AUTH, "bundle",
				    "the bundle is not for this vault (not for this organization, or for "
				    "another device), or it was altered");
	crypto_secretstream_xchacha20poly1305_state st;
	int bad = crypto_secretstream_xchacha20poly1305_init_pull(&st, f + PRE_HDR, kst) != 0;
	sodium_memzero(kst, sizeof kst);
	if (bad)
		return kith_err_set(err, KITH_E_INVALID, "bundle", "the bundle's stream header is malformed");
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *)digest_domains[format - 2],
				  strlen(digest_domains[format - 2]));
	crypto_generichash_update(&h, f, PRE_BYTES);
	uint8_t oid[32];
	crypto_generichash(oid, 32, org_pk, 32, NULL, 0);

	struct kith_bundle *b = calloc(1, sizeof *b);
	size_t mcap = 4096;
	uint8_t *m = malloc(mcap); /* grows to the largest part, at most a row or a manifest */
	struct kith_sbuf rows = KITH_SBUF_INIT, mans = KITH_SBUF_INIT;
	int rc = KITH_OK;
	if (!b || !m) {
		rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		goto fail;
	}
	b->format = (int)format;
	size_t pos = PRE_BYTES, want = 0, wantd = 0, wantm = 0, idx = 0;
	size_t env_bytes = v3 ? ENV3_BYTES : ENV_BYTES, row_min = v3 ? ROW3_HEAD : ROW_HEAD;
	int done = 0;
	while (!done) {
		char where[32];
		if (idx == 0)
			snprintf(where, sizeof where, "envelope");
		else if (idx <= wantd)
			snprintf(where, sizeof where, "device %zu", idx);
		else if (idx <= wantd + wantm)
			snprintf(where, sizeof where, "manifest %zu", idx - wantd);
		else if (idx <= wantd + wantm + want)
			snprintf(where, sizeof where, "row %zu", idx - wantd - wantm);
		else
			snprintf(where, sizeof where, "end");
		if (len - pos < 4) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "the bundle is cut short");
			goto fail;
		}
		size_t clen = (size_t)get_be(f + pos, 4);
		size_t maxm = idx == 0			    ? env_bytes
			      : idx <= wantd		    ? DEV_BYTES
			      : idx <= wantd + wantm	    ? MAN_MAX
			      : idx <= wantd + wantm + want ? ROW_HEAD + CT_MAX
							    : END_BYTES;
		if (clen < ABYTES || clen - ABYTES > maxm) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "a part's length is out of bounds");
			goto fail;
		}
		if (len - pos - 4 < clen) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "the bundle is cut short");
			goto fail;
		}
		if (clen - ABYTES > mcap) {
			uint8_t *nm = malloc(clen - ABYTES);
			if (!nm) {
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
				goto fail;
			}
			sodium_memzero(m, mcap);
			free(m);
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
		if (idx <= wantd + wantm + want && (final || tag != 0)) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "the bundle ends before its rows");
			goto fail;
		}
		if (idx == 0) {
			if (mlen != env_bytes || memcmp(m, v3 ? "KBE3" : "KBE2", 4) != 0) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed envelope");
				goto fail;
			}
			if (sodium_memcmp(m + 4, oid, 32) != 0) {
				rc = kith_err_set(err, KITH_E_INVALID, where,
						  "the bundle is for another organization");
				goto fail;
			}
			memcpy(b->sender, m + 36, 32);
			memcpy(b->recipient, m + 68, 32);
			memcpy(b->id, m + 100, 16);
			b->created = (int64_t)get_be(m + 116, 8);
			wantd = (size_t)get_be(m + 124, 4);
			wantm = v3 ? (size_t)get_be(m + 128, 4) : 0;
			want = (size_t)get_be(m + (v3 ? 132 : 128), 4);
			if (want > KITH_BUNDLE_MAX_ROWS || wantd > KITH_BUNDLE_MAX_DEVICES ||
			    wantm > KITH_BUNDLE_MAX_ROWS) {
				rc = kith_err_set(err, KITH_E_LIMIT, where, "more than %u rows or %u devices",
						  KITH_BUNDLE_MAX_ROWS, KITH_BUNDLE_MAX_DEVICES);
				goto fail;
			}
			/* every part takes at least this much of the file */
			if (want > (len - pos) / (4 + row_min + CT_MIN + ABYTES) ||
			    wantd > (len - pos) / (4 + REV_BYTES + ABYTES) ||
			    wantm > (len - pos) / (4 + MAN_HEAD + MAN_MIN + ABYTES)) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "the bundle is cut short");
				goto fail;
			}
			b->off = calloc(want ? want : 1, sizeof *b->off);
			b->len = calloc(want ? want : 1, sizeof *b->len);
			b->dev = calloc(wantd ? wantd : 1, DEV_BYTES);
			b->rev = calloc(wantd ? wantd : 1, REV_BYTES);
			b->moff = calloc(wantm ? wantm : 1, sizeof *b->moff);
			b->mlen = calloc(wantm ? wantm : 1, sizeof *b->mlen);
			if (!b->off || !b->len || !b->dev || !b->rev || !b->moff || !b->mlen) {
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
				goto fail;
			}
		} else if (idx <= wantd) {
			if (mlen == REV_BYTES && !memcmp(m, "KBV3", 4)) {
				memcpy(b->rev + b->nr++ * REV_BYTES, m, REV_BYTES);
			} else if (mlen == DEV_BYTES && !memcmp(m, "KBD2", 4)) {
				memcpy(b->dev + b->nd++ * DEV_BYTES, m, DEV_BYTES);
			} else {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed device");
				goto fail;
			}
		} else if (idx <= wantd + wantm) {
			if (mlen < MAN_HEAD + MAN_MIN ||
			    (memcmp(m, "KBM3", 4) != 0 && memcmp(m, "KBP3", 4) != 0)) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed manifest");
				goto fail;
			}
			b->moff[idx - wantd - 1] = mans.len;
			b->mlen[idx - wantd - 1] = (size_t)mlen;
			if (kith_sbuf_add(&mans, m, (size_t)mlen)) {
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
				goto fail;
			}
			b->nm = idx - wantd;
		} else if (idx <= wantd + wantm + want) {
			int r3 = v3 && mlen >= 4 && !memcmp(m, "KBR3", 4);
			if (!r3 && (mlen < ROW_HEAD + CT_MIN || memcmp(m, "KBR2", 4) != 0)) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed row");
				goto fail;
			}
			if (r3 && (mlen < ROW3_HEAD + CT_MIN || mlen > ROW3_HEAD + CT_MAX)) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed row");
				goto fail;
			}
			if (idx == wantd + wantm + 1 && wantm) {
				/* the manifests are all read: check them before the rows */
				b->man = (uint8_t *)mans.buf;
				mans.buf = NULL;
				if ((rc = manifests_check(b, oid, err)))
					goto fail;
			}
			if (r3) {
				long mi = b->nm ? man_find(b, m + 56) : -1;
				uint32_t ri = (uint32_t)get_be(m + 72, 4);
				struct kith_crypto_row cr;
				memset(&cr, 0, sizeof cr);
				memcpy(cr.id, m + 4, 16);
				cr.version = (uint32_t)get_be(m + 20, 4);
				memcpy(cr.device, m + 24, 32);
				memcpy(cr.nonce, m + 76, 24);
				cr.ct = m + ROW3_HEAD;
				cr.ct_len = (size_t)mlen - ROW3_HEAD;
				uint8_t rh[32];
				if (mi < 0 || ri >= b->mf[mi].n) {
					rc = kith_err_set(err, KITH_E_INVALID, where,
							  "a version of no batch the bundle carries");
					goto fail;
				}
				vault_v2_row_hash(&cr, rh);
				if (sodium_memcmp(rh, b->mf[mi].rh + 32 * (size_t)ri, 32) != 0) {
					rc = kith_err_set(err, KITH_E_AUTH, where,
							  "not the version its batch's manifest lists");
					goto fail;
				}
			}
			b->off[idx - wantd - wantm - 1] = rows.len;
			b->len[idx - wantd - wantm - 1] = (size_t)mlen;
			if (kith_sbuf_grow(&rows, (size_t)mlen)) {
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
				goto fail;
			}
			memcpy(rows.buf + rows.len, m, (size_t)mlen);
			rows.len += (size_t)mlen;
		} else {
			if (!final || mlen != END_BYTES || memcmp(m, v3 ? "KBF3" : "KBF2", 4) != 0 ||
			    get_be(m + 4, 4) != want) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "malformed end of the bundle");
				goto fail;
			}
			if (wantm && !want && !b->man) {
				b->man = (uint8_t *)mans.buf;
				mans.buf = NULL;
				if ((rc = manifests_check(b, oid, err)))
					goto fail;
			}
			uint8_t dg[32], sm[SIG_DOMAIN_LEN + 64];
			crypto_generichash_final(&h, dg, 32);
			if (sodium_memcmp(dg, m + 8, 32) != 0) {
				rc = kith_err_set(err, KITH_E_AUTH, where,
						  "the bundle's digest does not match");
				goto fail;
			}
			sig_message((int)format, sm, dg, org_pk);
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
	b->data_len = rows.cap;
	rows.buf = NULL;
	sodium_memzero(m, mcap);
	free(m);
	kith_sbuf_release(&mans);
	sodium_memzero(&st, sizeof st);
	*out = b;
	return KITH_OK;
fail:
	sodium_memzero(&st, sizeof st);
	if (rows.buf)
		sodium_memzero(rows.buf, rows.cap);
	kith_sbuf_release(&rows);
	kith_sbuf_release(&mans);
	if (m)
		sodium_memzero(m, mcap);
	free(m);
	kith_bundle_free(b);
	return rc;
}

struct unseal_arg {
	struct kith_crypto_keys *k;
	int org;
};

static int vault_unseal(void *arg, const uint8_t *c, size_t clen, uint8_t *m)
{
	struct unseal_arg *u = arg;
	if (kith_crypto_keys_access(u->k, 1))
		return KITH_E_CRYPTO;
	int rc;
	if (u->org) {
		rc = kith_crypto_org_unseal(u->k, c, clen, m);
	} else {
		uint8_t ssk[KITH_CRYPTO_FIELD_SIGN_SK_BYTES], bsk[KITH_CRYPTO_FIELD_BOX_SK_BYTES];
		kith_crypto_keys_device_secrets(u->k, ssk, bsk);
		rc = crypto_box_seal_open(m, c, clen, kith_crypto_keys_box_pk(u->k), bsk) == 0 ? KITH_OK
											       : KITH_E_AUTH;
		sodium_memzero(ssk, sizeof ssk);
		sodium_memzero(bsk, sizeof bsk);
	}
	vault_keys_idle(u->k);
	return rc;
}

int kith_bundle_parse_for(struct kith_bundle **out, struct kith_vault *v, const void *data, size_t len,
			  struct kith_err *err)
{
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	if (!k)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	struct unseal_arg u = {.k = k, .org = kith_crypto_keys_holds_org(k)};
	int rc = kith_bundle_parse(out, data, len, kith_crypto_keys_org_pk(k), vault_unseal, &u, err);
	if (rc == KITH_E_AUTH && u.org && len >= PRE_BYTES && err && !strcmp(err->where, "bundle")) {
		/* headquarters may also be sent a bundle as a device (a standalone vault): try its own key */
		u.org = 0;
		struct kith_err e2;
		kith_err_clear(&e2);
		if (kith_bundle_parse(out, data, len, kith_crypto_keys_org_pk(k), vault_unseal, &u, &e2) ==
		    KITH_OK) {
			kith_err_clear(err);
			return KITH_OK;
		}
	}
	return rc;
}

/* ------------------------------------------------------------ apply */

static void row_of(const uint8_t *m, size_t n, struct kith_crypto_row *r, const uint8_t **dk)
{
	memset(r, 0, sizeof *r);
	memcpy(r->id, m + 4, 16);
	r->version = (uint32_t)get_be(m + 20, 4);
	memcpy(r->device, m + 24, 32);
	memcpy(r->wrap_org, m + 56, 80);
	memcpy(r->wrap_dev, m + 136, 72);
	memcpy(r->nonce, m + 208, 24);
	memcpy(r->sig, m + 232, 64);
	*dk = m + 296;
	r->ct = (uint8_t *)m + ROW_HEAD;
	r->ct_len = n - ROW_HEAD;
}

/* A row message of the bundle: a format-1 row ("KBR2") or a version of a
 * batch ("KBR3": batch, bi, mi = its manifest's index). */
struct arow {
	struct kith_crypto_row r;
	const uint8_t *dk;
	const uint8_t *batch; /* NULL: a format-1 row */
	uint32_t bi;
	long mi;
};

static void arow_of(const struct kith_bundle *b, size_t i, struct arow *a)
{
	const uint8_t *m = b->data + b->off[i];
	size_t n = b->len[i];
	memset(a, 0, sizeof *a);
	a->mi = -1;
	if (memcmp(m, "KBR3", 4) != 0) {
		row_of(m, n, &a->r, &a->dk);
		return;
	}
	memcpy(a->r.id, m + 4, 16);
	a->r.version = (uint32_t)get_be(m + 20, 4);
	memcpy(a->r.device, m + 24, 32);
	a->batch = m + 56;
	a->bi = (uint32_t)get_be(m + 72, 4);
	memcpy(a->r.nonce, m + 76, 24);
	a->dk = m + 100;
	a->r.ct = (uint8_t *)m + ROW3_HEAD;
	a->r.ct_len = n - ROW3_HEAD;
	a->mi = man_find(b, a->batch);
}

static int blob_eq(const struct kith_store_blob *b, const void *p, size_t n)
{
	return b->p && b->n == n && memcmp(b->p, p, n) == 0;
}

static int enrolled_in(const struct kith_store_device *d, size_t nd, const uint8_t *spk)
{
	for (size_t i = 0; i < nd; i++)
		if (!memcmp(d[i].sign_pk, spk, 32))
			return 1;
	return 0;
}

/* What the vault holds of one record, read once per record of the bundle. */
struct held {
	struct kith_sbuf rows; /* per version held: version (4), device (32), H(row) (32) */
	int others;	       /* a version by another device than the sender */
	int mine;	       /* a version by the sender */
	struct kith_crypto_row *kept;
	size_t nkept;
};

#define HELD_ENTRY 68

/* H of a row's bytes as stored: a version of a batch has no wraps or
 * signature of its own (0 bytes). */
static void row_hash(const struct kith_crypto_row *r, int in_batch, uint8_t out[32])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *)(in_batch ? "b" : "r"), 1);
	if (!in_batch) {
		crypto_generichash_update(&h, r->wrap_org, 80);
		crypto_generichash_update(&h, r->wrap_dev, 72);
		crypto_generichash_update(&h, r->sig, 64);
	}
	crypto_generichash_update(&h, r->nonce, 24);
	crypto_generichash_update(&h, r->ct, r->ct_len);
	crypto_generichash_final(&h, out, 32);
}

static int cmp_hex(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int held_load(struct kith_store *s, sqlite3_stmt *st, const uint8_t *id, const uint8_t *sender,
		     char (*cids)[33], size_t ncids, struct held *hd, struct kith_err *err)
{
	kith_sbuf_reset(&hd->rows);
	hd->others = hd->mine = 0;
	kith_sync_rows_free(hd->kept, hd->nkept);
	hd->kept = NULL;
	hd->nkept = 0;
	sqlite3_reset(st);
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	struct kith_store_row x;
	int s3;
	while ((s3 = sqlite3_step(st)) == SQLITE_ROW) {
		row_at(st, &x);
		int in_batch = x.batch.p != NULL;
		if (!blob_ok(&x.device, 32) || !blob_ok(&x.nonce, 24) || x.version < 1 ||
		    x.version > UINT32_MAX)
			continue;
		if (!in_batch &&
		    (!blob_ok(&x.wrap_org, 80) || !blob_ok(&x.wrap_dev, 72) || !blob_ok(&x.sig, 64)))
			continue;
		struct kith_crypto_row r;
		memset(&r, 0, sizeof r);
		if (!in_batch) {
			memcpy(r.wrap_org, x.wrap_org.p, 80);
			memcpy(r.wrap_dev, x.wrap_dev.p, 72);
			memcpy(r.sig, x.sig.p, 64);
		}
		memcpy(r.nonce, x.nonce.p, 24);
		r.ct = (uint8_t *)x.ct.p;
		r.ct_len = x.ct.n;
		uint8_t e[HELD_ENTRY];
		put_be32(e, (uint32_t)x.version);
		memcpy(e + 4, x.device.p, 32);
		row_hash(&r, in_batch, e + 36);
		if (kith_sbuf_add(&hd->rows, e, sizeof e))
			return kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		if (!blob_eq(&x.device, sender, 32))
			hd->others = 1;
		else
			hd->mine = 1;
	}
	if (s3 != SQLITE_DONE)
		return kith_err_set(err, KITH_E_DB, "bundle", "reading the rows: %s",
				    sqlite3_errmsg(kith_store_sqlite(s)));
	char hex[33];
	sodium_bin2hex(hex, sizeof hex, id, 16);
	if (!ncids || !bsearch(hex, cids, ncids, 33, cmp_hex))
		return KITH_OK; /* no version of it kept aside */
	return kith_sync_conflicts(s, id, &hd->kept, &hd->nkept, err);
}

/* Where row r goes: 0 insert, 1 same bytes held (skip), 2 keep aside as a
 * conflict, -1 the same device's other bytes at its place (refuse). */
static int classify(const struct held *hd, const struct arow *a)
{
	const struct kith_crypto_row *r = &a->r;
	uint8_t hr[32];
	row_hash(r, a->batch != NULL, hr);
	for (size_t o = 0; o + HELD_ENTRY <= hd->rows.len; o += HELD_ENTRY) {
		const uint8_t *e = (const uint8_t *)hd->rows.buf + o;
		if (get_be(e, 4) != r->version)
			continue;
		if (!memcmp(e + 36, hr, 32))
			return 1;
		return memcmp(e + 4, r->device, 32) == 0 ? -1 : 2;
	}
	/* a later version of a device whose earlier one was kept aside follows it */
	for (size_t i = 0; i < hd->nkept; i++)
		if (!memcmp(hd->kept[i].device, r->device, 32) && hd->kept[i].version < r->version)
			return 2;
	return 0;
}

/* Where row r goes beyond classify(): 3 replaces the format-1 row held at
 * its place (the same envelope, now under its device's signed batch). */
enum { W_INSERT = 0, W_SKIP = 1, W_CONFLICT = 2, W_REPLACE = 3 };

/* The same version on both sides, sealed two ways: `kith upgrade` re-seals a
 * vault's format-1 rows into a batch (flag "re-sealed"), while the device
 * that wrote them, or headquarters, still holds and sends them as they were
 * (bundle-format.md *Re-sealed versions*). For a row that classify() refuses
 * (the same device's other bytes at its place), when one side is a
 * format-1 row and the other a version of a re-sealed batch, both are
 * opened (the format-1 row's signature checked) and their envelopes
 * compared: W_SKIP (same; the vault keeps what it holds), W_REPLACE (same,
 * at headquarters, the held format-1 row giving way to the sender's signed
 * batch, which lists it), -1 (not the same, or one does not open: refused),
 * or a negative status (k must be accessible). */
static int resealed_same(struct kith_vault *v, struct kith_store *s, struct kith_crypto_keys *k,
			 const struct kith_bundle *b, const struct arow *a, const uint8_t *bk, int at_hq,
			 int *both, struct kith_err *err)
{
	*both = 0;
	if (kith_store_format(s) < 2)
		return -1;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(kith_store_sqlite(s),
			       "SELECT " ROW_COLS " FROM \"rows\" WHERE id = ?1 AND version = ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return kith_err_set(err, KITH_E_DB, "bundle", "reading the rows: %s",
				    sqlite3_errmsg(kith_store_sqlite(s)));
	sqlite3_bind_blob(st, 1, a->r.id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->r.version);
	int out = -1;
	struct kith_sbuf held = KITH_SBUF_INIT, came = KITH_SBUF_INIT;
	if (sqlite3_step(st) != SQLITE_ROW)
		goto done;
	struct kith_store_row x;
	row_at(st, &x);
	if (!blob_ok(&x.device, 32) || memcmp(x.device.p, a->r.device, 32) != 0 || !blob_ok(&x.nonce, 24))
		goto done;
	int held_v2 = x.batch.p != NULL, came_v2 = a->batch != NULL;
	if (held_v2 && came_v2) { /* two re-sealed copies (issue 12: a lost `sent` table) */
		const struct vbatch *vb = blob_ok(&x.batch, 16) ? vault_v2_batch(v, x.batch.p) : NULL;
		*both = vb && (vb->flags & MANIFEST_RESEALED) && a->mi >= 0 &&
			(b->mf[a->mi].flags & MANIFEST_RESEALED);
	}
	if (held_v2 == came_v2)
		goto done;
	struct kith_crypto_row hr;
	memset(&hr, 0, sizeof hr);
	memcpy(hr.id, a->r.id, 16);
	hr.version = a->r.version;
	memcpy(hr.device, a->r.device, 32);
	memcpy(hr.nonce, x.nonce.p, 24);
	hr.ct = (uint8_t *)x.ct.p;
	hr.ct_len = x.ct.n;
	const char *reason = NULL;
	uint8_t dk[32];
	if (held_v2) { /* the vault's own upgrade re-sealed it: its batch says so */
		const struct vbatch *vb = blob_ok(&x.batch, 16) ? vault_v2_batch(v, x.batch.p) : NULL;
		if (!vb || !(vb->flags & MANIFEST_RESEALED) || x.i < 0 || x.i > UINT32_MAX ||
		    vault_v2_open_row(v, vb, (uint32_t)x.i, &hr, &held, &reason) != KITH_OK)
			goto done;
		if (kith_sync_row_open(&a->r, a->dk, 1, &came, &reason) != KITH_OK)
			goto done;
	} else { /* a format-1 row here; the sender's upgrade re-sealed it */
		if (a->mi < 0 || !(b->mf[a->mi].flags & MANIFEST_RESEALED) || !blob_ok(&x.wrap_org, 80) ||
		    !blob_ok(&x.wrap_dev, 72) || !blob_ok(&x.sig, 64))
			goto done;
		memcpy(hr.wrap_org, x.wrap_org.p, 80);
		memcpy(hr.wrap_dev, x.wrap_dev.p, 72);
		memcpy(hr.sig, x.sig.p, 64);
		int r = kith_sync_row_key(s, k, &hr, dk, NULL);
		if (!r)
			r = kith_sync_row_open(&hr, dk, 1, &held, &reason);
		sodium_memzero(dk, sizeof dk);
		if (r)
			goto done;
		if (at_hq && bk)
			vault_v2_derive(bk, a->bi, dk);
		else
			memcpy(dk, a->dk, 32);
		r = vault_v2_open_with(dk, a->batch, a->bi, &a->r, &came, &reason);
		sodium_memzero(dk, sizeof dk);
		if (r)
			goto done;
	}
	if (held.len == came.len && sodium_memcmp(held.buf, came.buf, held.len) == 0)
		out = held_v2 || !at_hq ? W_SKIP : W_REPLACE;
done:
	sqlite3_finalize(st);
	kith_sbuf_release(&held);
	kith_sbuf_release(&came);
	return out;
}

/* What a vault does with each manifest of a format-3 bundle. */
enum { M_NEW = 0, M_HELD = 1 };

/* The manifests against the vault, before anything is written: each batch
 * is held byte for byte (skipped) or new; at headquarters a new batch of the
 * sender continues its log as this vault holds it (number, previous hash),
 * and its key opens and is the committed one (bk: 32 bytes per manifest). */
/* When `device` was revoked, as a field vault knows it: the revocations the
 * bundle carries (their signatures checked already) and those recorded
 * before (rev, nrev). 0: not revoked. */
static int64_t revoked_when(const struct kith_bundle *b, const struct kith_sync_revocation *rev, size_t nrev,
			    const uint8_t device[32])
{
	int64_t at = 0;
	for (size_t i = 0; i < b->nr; i++) {
		const uint8_t *m = b->rev + i * REV_BYTES;
		int64_t t = (int64_t)get_be(m + 36, 8);
		if (!memcmp(m + 4, device, 32) && (!at || t < at))
			at = t;
	}
	for (size_t i = 0; i < nrev; i++)
		if (!memcmp(rev[i].device, device, 32) && (!at || rev[i].at < at))
			at = rev[i].at;
	return at;
}

/* "2026-12-07 02:41 UTC" (the Unix time if it is no date). */
static void date_text(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, outsz, "%lld (Unix time)", (long long)t);
}

static int manifests_apply_check(struct kith_store *s, struct kith_crypto_keys *k,
				 const struct kith_bundle *b, int at_hq, const uint8_t *self,
				 const struct kith_store_device *d, size_t nd, uint8_t *mstate, uint8_t *bk,
				 char bname[17], struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *by_id = NULL, *tail = NULL;
	struct kith_sync_revocation *rev = NULL; /* a field vault: the revocations it holds */
	size_t nrev = 0;
	int rc = KITH_OK;
	if (sqlite3_prepare_v2(db, "SELECT manifest FROM batches WHERE batch_id = ?1", -1, &by_id, NULL) !=
		SQLITE_OK ||
	    sqlite3_prepare_v2(
		db, "SELECT seq, manifest FROM batches WHERE device = ?1 ORDER BY seq DESC LIMIT 1", -1,
		&tail, NULL) != SQLITE_OK) {
		rc = kith_err_set(err, KITH_E_DB, "bundle", "reading the batches: %s", sqlite3_errmsg(db));
		goto out;
	}
	int64_t last = -1; /* the sender's log at headquarters: its last number, and hash */
	uint8_t last_mh[32] = {0};
	char where[32], dev[17];
	if (!at_hq && (rc = kith_sync_revoked_list(s, &rev, &nrev, err)))
		goto out;
	for (size_t i = 0; !rc && i < b->nm; i++) {
		const struct vault_manifest *mf = &b->mf[i];
		snprintf(where, sizeof where, "manifest %zu", i + 1);
		sodium_bin2hex(dev, sizeof dev, mf->device, 8);
		int known = enrolled_in(d, nd, mf->device);
		for (size_t j = 0; !known && j < b->nd; j++)
			known = !memcmp(b->dev + j * DEV_BYTES + 4, mf->device, 32);
		if (at_hq && memcmp(mf->device, b->sender, 32) != 0) {
			rc = kith_err_set(err, KITH_E_CORRUPT, where,
					  "a batch of another device than the sender");
			break;
		}
		if (!known) {
			rc =
			    kith_err_set(err, KITH_E_CORRUPT, where, "a batch of a device not enrolled here");
			break;
		}
		sqlite3_reset(by_id);
		sqlite3_bind_blob(by_id, 1, mf->batch_id, 16, SQLITE_STATIC);
		if (sqlite3_step(by_id) == SQLITE_ROW) {
			if ((size_t)sqlite3_column_bytes(by_id, 0) != mf->len ||
			    memcmp(sqlite3_column_blob(by_id, 0), mf->m, mf->len) != 0) {
				rc = kith_err_set(
				    err, KITH_E_CORRUPT, where,
				    "bundle %s: batch %lld of device %s is not the one this vault "
				    "holds under its id: nothing was imported",
				    bname, (long long)mf->seq, dev);
				break;
			}
			mstate[i] = M_HELD;
			continue;
		}
		if (!at_hq) {
			if (!memcmp(mf->device, self, 32)) {
				rc =
				    kith_err_set(err, KITH_E_CORRUPT, where,
						 "bundle %s: a batch of this device that this vault does not "
						 "hold: nothing was imported",
						 bname);
				break;
			}
			/* a batch its device wrote once revoked: refused as headquarters
			 * refuses that device's bundles (a field vault knows it by key).
			 * Strictly after: a batch of the revocation's own second was
			 * written before it as often as after, and headquarters, which
			 * sends it, held it (else every later bundle holding it would be
			 * refused here for good) */
			int64_t ra = revoked_when(b, rev, nrev, mf->device);
			if (ra && mf->at > ra) {
				char when[48], wrote[48];
				date_text(ra, when, sizeof when);
				date_text(mf->at, wrote, sizeof wrote);
				rc = kith_err_set(err, KITH_E_AUTH, where,
						  "bundle %s: batch %lld of device %s was written on %s, "
						  "after that device was revoked on %s: refused, nothing was "
						  "imported",
						  bname, (long long)mf->seq, dev, wrote, when);
				break;
			}
			mstate[i] = M_NEW; /* a field vault keeps what it was sent of another's log */
			continue;
		}
		/* headquarters: the sender's log goes on from where this vault holds it */
		if (last < 0) {
			last = 0;
			sqlite3_reset(tail);
			sqlite3_bind_blob(tail, 1, b->sender, 32, SQLITE_STATIC);
			if (sqlite3_step(tail) == SQLITE_ROW) {
				last = sqlite3_column_int64(tail, 0);
				crypto_generichash(last_mh, 32, sqlite3_column_blob(tail, 1),
						   (size_t)sqlite3_column_bytes(tail, 1), NULL, 0);
			}
		}
		if (mf->seq <= last) {
			rc = kith_err_set(
			    err, KITH_E_CORRUPT, where,
			    "bundle %s: batch %lld of device %s is not the batch %lld this vault "
			    "holds: the device's log was rewritten (rolled back); nothing was "
			    "imported",
			    bname, (long long)mf->seq, dev, (long long)mf->seq);
			break;
		}
		if (mf->seq > last + 1) {
			rc = kith_err_set(
			    err, KITH_E_CORRUPT, where,
			    "bundle %s starts at batch %lld of device %s but this vault holds its "
			    "batches up to %lld: an earlier bundle is missing (import it first, or "
			    "have the device export with --all); nothing was imported",
			    bname, (long long)mf->seq, dev, (long long)last);
			break;
		}
		if (memcmp(mf->prev, last_mh, 32) != 0) {
			rc = kith_err_set(
			    err, KITH_E_CORRUPT, where,
			    "bundle %s: batch %lld of device %s does not follow the batch before "
			    "it: nothing was imported",
			    bname, (long long)mf->seq, dev);
			break;
		}
		int kr = vault_v2_manifest_key(k, mf, bk + 32 * i);
		if (kr) {
			rc = kith_err_set(
			    err, KITH_E_CORRUPT, where,
			    "bundle %s: the key of batch %lld of device %s does not open or is not "
			    "the one its manifest commits to: nothing was imported",
			    bname, (long long)mf->seq, dev);
			break;
		}
		mstate[i] = M_NEW;
		last = mf->seq;
		memcpy(last_mh, mf->mh, 32);
	}
out:
	free(rev);
	sqlite3_finalize(by_id);
	sqlite3_finalize(tail);
	return rc;
}

/* A person record's version carried in a bundle (its envelope in plain):
 * the keys it names, added to *a (person.h). */
static int person_row_keys(const struct kith_sbuf *plain, struct vault_person_key **a, size_t *n, size_t *cap,
			   const char *where, struct kith_err *err)
{
	json_t *env = json_loadb(plain->buf, plain->len, 0, NULL);
	int rc = env ? vault_person_keys_add(json_object_get(env, "body"), a, n, cap) : KITH_OK;
	json_decref(env);
	return rc ? kith_err_set(err, KITH_E_NOMEM, where, "out of memory") : KITH_OK;
}

/* At headquarters: the author the versions of one new person-signed batch
 * name (their envelopes' "person"): seen 0 none yet, 1 one (pid, "" for the
 * main slot), 2 several or malformed. */
struct batch_author {
	char pid[33];
	uint8_t seen;
};

static void author_seen(struct batch_author *a, const struct kith_sbuf *plain)
{
	struct env e;
	char pid[33] = "";
	int bad = vault_env_parse(plain->buf, plain->len, &e, NULL) != 0 || e.person.n >= sizeof pid;
	if (!bad && e.person.n)
		memcpy(pid, e.person.p, e.person.n);
	if (bad || (a->seen && strcmp(a->pid, pid) != 0)) {
		a->seen = 2;
	} else if (!a->seen) {
		memcpy(a->pid, pid, sizeof pid);
		a->seen = 1;
	}
}

/* At headquarters: every new batch a person signed names a person of this
 * vault — one it holds, or one whose record the bundle carries — not
 * removed before the batch (person.h). */
static int persons_check(struct kith_vault *v, const struct kith_bundle *b, const uint8_t *mstate,
			 const struct batch_author *authors, const struct vault_person_key *carried,
			 size_t ncarried, const char *bname, struct kith_err *err)
{
	struct vault_person_key *held = NULL, *all = NULL;
	size_t nheld = 0;
	int loaded = 0, rc = KITH_OK;
	for (size_t i = 0; !rc && i < b->nm; i++) {
		const struct vault_manifest *mf = &b->mf[i];
		if (mstate[i] != M_NEW || sodium_is_zero(mf->per, 32))
			continue;
		if (!loaded) {
			if (vault_person_keys(v, &held, &nheld) ||
			    !(all = malloc((nheld + ncarried + 1) * sizeof *all))) {
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
				break;
			}
			if (nheld)
				memcpy(all, held, nheld * sizeof *all);
			if (ncarried)
				memcpy(all + nheld, carried, ncarried * sizeof *all);
			loaded = 1;
		}
		char why[128] = "", where[32], dev[17];
		size_t nall = nheld + ncarried;
		int may = vault_person_may_sign(all, nall, mf->per, mf->at, why, sizeof why);
		const struct vault_person_key *e =
		    may == KITH_OK ? vault_person_find(all, nall, mf->per) : NULL;
		/* a person signs only what they wrote: every version names them */
		if (e && authors[i].seen && (authors[i].seen == 2 || strcmp(authors[i].pid, e->pid) != 0))
			snprintf(why, sizeof why,
				 "signed by one person's key, but its versions name another writer");
		else if (may == KITH_OK)
			continue;
		snprintf(where, sizeof where, "manifest %zu", i + 1);
		sodium_bin2hex(dev, sizeof dev, mf->device, 8);
		rc = kith_err_set(err, KITH_E_AUTH, where,
				  "bundle %s: batch %lld of device %s is %s: refused, nothing was imported",
				  bname, (long long)mf->seq, dev, why);
	}
	free(held);
	free(all);
	return rc;
}

int kith_bundle_apply(struct kith_vault *v, const struct kith_bundle *b, struct kith_bundle_applied *res,
		      struct kith_err *err)
{
	memset(res, 0, sizeof *res);
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	struct kith_store *s = kith_vault_store_borrow(v);
	if (!k || !s)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	char bname[17];
	sodium_bin2hex(bname, sizeof bname, b->id, 8);
	if (b->format >= 3 && kith_store_format(s) < 2)
		return kith_err_set(
		    err, KITH_E_INVALID, "format",
		    "bundle %s carries signed batches (bundle format 3) and this %svault is "
		    "format 1: run `kith upgrade` on this vault, then import the bundle again",
		    bname, kith_crypto_keys_is_field(k) ? "field " : "");
	const uint8_t *self = kith_crypto_keys_sign_pk(k);
	int at_hq = !memcmp(b->recipient, kith_crypto_keys_org_pk(k), 32);
	if (at_hq && !kith_crypto_keys_holds_org(k))
		return kith_err_set(
		    err, KITH_E_NOTFOUND, "vault",
		    "this vault does not hold the organization key: bundles to the organization go to "
		    "headquarters");
	if (!at_hq && memcmp(b->recipient, self, 32) != 0)
		return kith_err_set(err, KITH_E_AUTH, "recipient", "the bundle is for another device");
	const uint8_t *org_spk = kith_crypto_keys_org_sign_pk(k), *vid = kith_crypto_keys_vault_id(k);
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
		    kith_crypto_enrol_verify(org_spk, vid, d[i].sign_pk, d[i].box_pk, d[i].auth) == KITH_OK;
	if (!enrolled) {
		free(d);
		return kith_err_set(err, KITH_E_AUTH, "sender",
				    "the bundle's sender is not a device this organization enrolled here");
	}
	char where[32];
	/* the enrolments it carries (to a device): the organization's, for this vault */
	if (at_hq && (b->nd || b->nr))
		rc = kith_err_set(err, KITH_E_CORRUPT, "device 1",
				  "a bundle to headquarters carries no devices");
	/* the revocations it carries (to a device): the organization's, for this vault */
	for (size_t i = 0; !rc && i < b->nr; i++) {
		const uint8_t *m = b->rev + i * REV_BYTES;
		uint8_t msg[KITH_FIELD_REVOKE_MSG];
		kith_field_revoke_message(msg, vid, m + 4, (int64_t)get_be(m + 36, 8));
		snprintf(where, sizeof where, "device %zu", b->nd + i + 1);
		if (!org_spk || kith_crypto_verify(org_spk, msg, sizeof msg, m + 44) != KITH_OK)
			rc = kith_err_set(err, KITH_E_CORRUPT, where,
					  "bundle %s: a revocation the organization did not sign for this "
					  "vault: nothing was imported",
					  bname);
	}
	for (size_t i = 0; !rc && i < b->nd; i++) {
		const uint8_t *m = b->dev + i * DEV_BYTES;
		snprintf(where, sizeof where, "device %zu", i + 1);
		if (kith_crypto_enrol_verify(org_spk, vid, m + 4, m + 36, m + 68) != KITH_OK)
			rc = kith_err_set(err, KITH_E_CORRUPT, where,
					  "an enrolment the organization did not sign for this vault");
	}
	/* the manifests (format 3) */
	uint8_t *mstate = NULL, *bk = NULL;
	uint32_t *mnext = NULL;		     /* at headquarters: the next index of each new batch's rows */
	struct batch_author *authors = NULL; /* ... and who their versions name */
	int held_keys = 0;
	if (!rc && b->nm) {
		mstate = calloc(b->nm, 1);
		mnext = calloc(b->nm, sizeof *mnext);
		authors = calloc(b->nm, sizeof *authors);
		bk = sodium_malloc(32 * b->nm);
		if (!mstate || !mnext || !authors || !bk)
			rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		else if (kith_crypto_keys_access(k, 1))
			rc = kith_err_set(err, KITH_E_CRYPTO, "vault", "the keys could not be made readable");
		else {
			held_keys = 1;
			rc = manifests_apply_check(s, k, b, at_hq, self, d, nd, mstate, bk, bname, err);
		}
	}
	char(*cids)[33] = NULL; /* records with versions kept aside */
	size_t ncids = 0;
	if (!rc)
		rc = kith_sync_conflict_ids(v, &cids, &ncids, err);
	struct kith_sync_sent *to_sender = NULL;
	if (!rc && at_hq)
		rc = kith_sync_sent_load(s, b->sender, NULL, &to_sender, err);
	/* every row opens, and may be written by its writer, before anything is written */
	struct kith_sbuf plain = KITH_SBUF_INIT;
	struct vault_person_key *pks = NULL; /* at headquarters: the person keys the bundle's records name */
	size_t npks = 0, pks_cap = 0;
	struct held hd = {.rows = KITH_SBUF_INIT};
	uint8_t *where_to = NULL; /* per row: 0 insert, 1 skip, 2 keep aside */
	sqlite3_stmt *held_st = NULL;
	if (!rc &&
	    sqlite3_prepare_v2(kith_store_sqlite(s),
			       kith_store_format(s) >= 2 ? "SELECT " ROW_COLS " FROM \"rows\" WHERE id = ?1"
							 : "SELECT " ROW_COLS1 " FROM \"rows\" WHERE id = ?1",
			       -1, &held_st, NULL) != SQLITE_OK)
		rc = kith_err_set(err, KITH_E_DB, "bundle", "reading the rows: %s",
				  sqlite3_errmsg(kith_store_sqlite(s)));
	uint8_t wk[32];
	if (!rc) {
		where_to = calloc(b->n ? b->n : 1, 1);
		if (!where_to)
			rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
	}
	const uint8_t *prev_id = NULL;
	for (size_t i = 0; !rc && i < b->n; i++) {
		struct arow a;
		arow_of(b, i, &a);
		struct kith_crypto_row *r = &a.r;
		snprintf(where, sizeof where, "row %zu", i + 1);
		const char *reason = NULL;
		int known = enrolled_in(d, nd, r->device);
		for (size_t j = 0; !known && j < b->nd; j++)
			known = !memcmp(b->dev + j * DEV_BYTES + 4, r->device, 32);
		const struct vault_manifest *mf = a.mi >= 0 ? &b->mf[a.mi] : NULL;
		if (at_hq && memcmp(r->device, b->sender, 32) != 0) {
			rc = kith_err_set(err, KITH_E_CORRUPT, where,
					  "a row of another device than the sender");
		} else if (!known) {
			rc = kith_err_set(err, KITH_E_CORRUPT, where, "a row of a device not enrolled here");
		} else if (r->version == 0) {
			rc = kith_err_set(err, KITH_E_CORRUPT, where, "version 0");
		} else if (a.batch && (!mf || (!(mf->flags & MANIFEST_RESEALED) &&
					       memcmp(mf->device, r->device, 32) != 0))) {
			rc = kith_err_set(err, KITH_E_CORRUPT, where, "not written by its batch's device");
		} else if (a.batch && at_hq && mstate[a.mi] == M_NEW && a.bi != mnext[a.mi]++) {
			rc = kith_err_set(err, KITH_E_CORRUPT, where,
					  "a batch's versions out of order or twice: nothing was imported");
		} else if (a.batch && at_hq && mstate[a.mi] == M_HELD) {
			/* held whole, byte for byte (its manifest is, and lists this row's hash) */
		} else if (a.batch) {
			uint8_t dk[32];
			if (at_hq)
				vault_v2_derive(bk + 32 * a.mi, a.bi, dk);
			else
				memcpy(dk, a.dk, 32);
			int orc = vault_v2_open_with(dk, a.batch, a.bi, r, &plain, &reason);
			sodium_memzero(dk, sizeof dk);
			if (orc == KITH_E_CORRUPT)
				rc = kith_err_set(err, KITH_E_CORRUPT, where, "the row does not open: %s",
						  reason ? reason : "failed");
			else if (orc)
				rc = kith_err_set(err, orc, where, "out of memory");
		} else if ((rc = kith_sync_row_open(r, a.dk, !at_hq, &plain, &reason)) != KITH_OK) {
			if (rc == KITH_E_CORRUPT)
				rc = kith_err_set(err, KITH_E_CORRUPT, where, "the row does not open: %s",
						  reason ? reason : "failed");
			else
				rc = kith_err_set(err, rc, where, "out of memory");
		}
		if (!rc && a.batch && at_hq && mstate[a.mi] == M_NEW && !sodium_is_zero(mf->per, 32))
			author_seen(&authors[a.mi], &plain);
		if (!rc && at_hq && plain.len > 16 && !memcmp(plain.buf, "{\"kind\":\"person\"", 16))
			rc = person_row_keys(&plain, &pks, &npks, &pks_cap, where, err);
		if (rc)
			break;
		kith_sbuf_reset(&plain);
		if (!prev_id || memcmp(r->id, prev_id, 16) != 0)
			rc = held_load(s, held_st, r->id, b->sender, cids, ncids, &hd, err);
		prev_id = b->data + b->off[i] + 4;
		/* at headquarters a device adds versions only to the records it
		 * wrote or was sent: an enrolled device cannot supersede a record
		 * of another by its id */
		if (!rc && at_hq && hd.others && !hd.mine && !kith_sync_sent_record(to_sender, r->id))
			rc = kith_err_set(err, KITH_E_CORRUPT, where,
					  "a version of a record another device wrote: nothing was imported");
		int c = rc ? 0 : classify(&hd, &a), both = 0;
		if (c < 0) {
			if (!held_keys && kith_crypto_keys_access(k, 1) == KITH_OK)
				held_keys = 1;
			c = held_keys ? resealed_same(
					    v, s, k, b, &a,
					    a.batch && at_hq && mstate[a.mi] == M_NEW ? bk + 32 * a.mi : NULL,
					    at_hq, &both, err)
				      : -1;
			if (c < -1) { /* a status */
				rc = c;
				break;
			}
		}
		if (c < 0 && both) /* bundle-format.md *Re-sealed versions* */
			rc = kith_err_set(
			    err, KITH_E_CORRUPT, where,
			    "version %u of this record was re-sealed twice, by this vault's upgrade and by "
			    "the sender's (the sender lost its record of what it had sent before it was "
			    "upgraded): nothing was imported. --since does not help (the re-sealed batch "
			    "is the first of the sender's log). On the sender, if nothing was written "
			    "since its upgrade: put its old file (VAULT.format1) back in place of the "
			    "vault, export once (headquarters skips what it holds; the sender then knows "
			    "it was sent), and upgrade again (docs/bundle-format.md, \"Re-sealed "
			    "versions\")",
			    r->version);
		else if (c < 0)
			rc = kith_err_set(err, KITH_E_CORRUPT, where,
					  "the vault holds another version %u of this record by the same "
					  "device: nothing was imported",
					  r->version);
		else
			where_to[i] = (uint8_t)c;
	}
	/* at headquarters every new batch comes whole: the manifest's count of rows */
	for (size_t i = 0; !rc && at_hq && i < b->nm; i++)
		if (mstate[i] == M_NEW && mnext[i] != b->mf[i].n) {
			snprintf(where, sizeof where, "manifest %zu", i + 1);
			rc = kith_err_set(
			    err, KITH_E_CORRUPT, where,
			    "bundle %s: %u of the %u versions of batch %lld are not in it: nothing "
			    "was imported",
			    bname, b->mf[i].n - mnext[i], b->mf[i].n, (long long)b->mf[i].seq);
		}
	if (!rc && at_hq)
		rc = persons_check(v, b, mstate, authors, pks, npks, bname, err);
	free(pks);
	sqlite3_finalize(held_st);
	kith_sbuf_release(&plain);
	kith_sbuf_release(&hd.rows);
	kith_sync_rows_free(hd.kept, hd.nkept);
	kith_sync_sent_free(to_sender);
	free(cids);
	if (!rc && !at_hq) {
		if (!held_keys && kith_crypto_keys_access(k, 1))
			rc = kith_err_set(err, KITH_E_CRYPTO, "vault", "the keys could not be made readable");
		else {
			held_keys = 1;
			kith_sync_wrap_key(k, wk);
		}
	}
	if (!rc && !(rc = kith_store_begin(s, err))) {
		rc = kith_sync_tables(s, err);
		for (size_t i = 0; !rc && i < b->nd; i++) {
			const uint8_t *m = b->dev + i * DEV_BYTES;
			if (!memcmp(m + 4, self, 32))
				continue;
			rc = kith_store_device_put(s, m + 4, m + 36, m + 68, err);
		}
		for (size_t i = 0; !rc && i < b->nr; i++) {
			const uint8_t *m = b->rev + i * REV_BYTES;
			int added = 0;
			rc = kith_sync_revoked_put(s, m + 4, (int64_t)get_be(m + 36, 8), m + 44, &added, err);
			res->revoked += (size_t)added;
		}
		for (size_t i = 0; !rc && i < b->nm; i++) {
			if (mstate[i] != M_NEW)
				continue;
			const struct vault_manifest *mf = &b->mf[i];
			struct kith_store_batch sb = {
			    .batch_id = {mf->batch_id, 16},
			    .device = {mf->device, 32},
			    .manifest = {mf->m, mf->len},
			    .sig_dev = {b->man + b->moff[i] + 4, 64},
			    .sig_per = {b->man + b->moff[i] + 68,
					man_head(b->man + b->moff[i]) == MANP_HEAD ? 64 : 0},
			    .seq = mf->seq,
			};
			rc = kith_store_batch_put(s, &sb, err);
		}
		for (size_t i = 0; !rc && i < b->n; i++) {
			struct arow a;
			arow_of(b, i, &a);
			struct kith_crypto_row *r = &a.r;
			if (where_to[i] == W_SKIP) {
				res->skipped++;
				continue;
			}
			int replaced = where_to[i] == W_REPLACE;
			if (replaced && (rc = kith_store_row_delete(s, r->id, 16, r->version, err)))
				break;
			if (!at_hq && memcmp(r->device, self, 32) != 0) {
				uint8_t wrap[KITH_SYNC_WRAP_BYTES];
				kith_sync_wrap(wk, r, a.dk, wrap);
				rc = kith_sync_received_put(s, r, wrap, err);
				if (rc)
					break;
			}
			if (where_to[i] == 2) {
				rc = kith_sync_conflict_put_batch(s, r, a.batch, a.bi, err);
				res->conflicts++;
				continue;
			}
			struct kith_store_row sr = {.id = {r->id, 16},
						    .device = {r->device, 32},
						    .wrap_org = {r->wrap_org, a.batch ? 0 : 80},
						    .wrap_dev = {r->wrap_dev, a.batch ? 0 : 72},
						    .nonce = {r->nonce, 24},
						    .ct = {r->ct, r->ct_len},
						    .sig = {r->sig, a.batch ? 0 : 64},
						    .version = r->version,
						    .batch = {a.batch, a.batch ? 16 : 0},
						    .i = a.bi};
			rc = kith_store_row_put(s, &sr, NULL);
			if (rc == KITH_E_EXISTS) {
				/* an earlier row of this bundle took the place: another
				 * device's is kept aside; the same device's is refused */
				int same = 0;
				for (size_t e = 0; e < i && !same; e++) {
					const uint8_t *m = b->data + b->off[e];
					same = !memcmp(m + 4, r->id, 16) && get_be(m + 20, 4) == r->version &&
					       !memcmp(m + 24, r->device, 32);
				}
				if (same) {
					snprintf(where, sizeof where, "row %zu", i + 1);
					rc = kith_err_set(
					    err, KITH_E_CORRUPT, where,
					    "two versions %u of one record by one device: nothing was "
					    "imported",
					    r->version);
				} else {
					rc = kith_sync_conflict_put_batch(s, r, a.batch, a.bi, err);
					res->conflicts++;
				}
			} else if (rc)
				rc = kith_err_set(err, rc, "bundle", "writing a row failed");
			else if (replaced)
				res->skipped++; /* the same version, now under its device's batch */
			else
				res->added++;
		}
		/* the batches it brings count in the slot's anchor from now on, not
		 * only from the next commit: a file put back to before this import
		 * is then behind the box */
		if (!rc && b->nm) {
			const uint8_t **devs = calloc(b->nm, sizeof *devs);
			int64_t *seqs = calloc(b->nm, sizeof *seqs);
			size_t nn = 0;
			if (!devs || !seqs)
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
			for (size_t i = 0; !rc && i < b->nm; i++)
				if (mstate[i] == M_NEW) {
					devs[nn] = b->mf[i].device;
					seqs[nn++] = b->mf[i].seq;
				}
			if (!rc)
				rc = vault_slot_anchor_seal_import(v, devs, seqs, nn, err);
			free(devs);
			free(seqs);
		}
		if (!rc)
			rc = kith_store_commit(s, err);
		if (rc)
			kith_store_rollback(s);
	}
	if (held_keys) {
		sodium_memzero(wk, sizeof wk);
		vault_keys_idle(k);
	}
	if (bk)
		sodium_free(bk);
	free(mstate);
	free(mnext);
	free(authors);
	free(where_to);
	free(d);
	if (rc) {
		memset(res, 0, sizeof *res);
		return rc;
	}
	/* the rows went in under the index: the next operation on this handle
	 * reads it again, as after another process's commit (vault_check), so
	 * that its next write numbers versions after them; not now, since reading
	 * rows costs what an unlock costs and a command that imports and closes
	 * never needs it */
	v->data_version = UINT64_MAX;
	return KITH_OK;
}
