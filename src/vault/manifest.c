/*
 * manifest — format 2 of the envelope (docs/vault-format.md *Format 2*;
 * docs/design-format2.md): a batch of versions is sealed under one fresh
 * batch key, wrapped once for the organization and once for the device;
 * each version's data key is derived from it (crypto_kdf, subkey i + 1);
 * one manifest per batch — the hash of every row, the hash of the device's
 * previous manifest, its number, the key commitment — is signed once
 * (Ed25519ph). At unlock the manifests are verified, not the rows: a row
 * is checked against its manifest's hash; a deleted row, a dropped batch
 * and a device log rolled back below this device's anchor are reported
 * (kith_vault_integrity).
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vault/blob.h" /* kith_store_sqlite */
#include "vault/crypto.h"
#include "vault/manifest.h"
#include "vault/person.h"
#include "vault/store.h"
#include "vault/sync.h"

static const char batch_domain[] = "kith-batch-v2";
static const char row_domain[] = "kith-row-v2";
static const char rowhash_domain[] = "kith-rowhash-v2";
static const char wrapdev_domain[] = "kith-wrap-dev";
static const char anchor_domain[] = "kith-anchor-v2";
static const char row_kdf_ctx[crypto_kdf_CONTEXTBYTES + 1] = "kithrow2";

/* manifest layout: fixed head, then L(wrap_org) L(wrap_dev) L(wrap_to), kc, n, rh */
#define M_FLAGS 13
#define M_ORG 14
#define M_BATCH 46
#define M_DEV 62
#define M_PER 94
#define M_SEQ 126
#define M_PREV 134
#define M_AT 166
#define M_WRAPS 174
#define ROWS_MAX 100000000u /* versions in one batch at most */

static void be32(uint8_t *p, uint32_t x)
{
	for (int i = 3; i >= 0; i--, x >>= 8)
		p[i] = (uint8_t)x;
}

static void be64(uint8_t *p, uint64_t x)
{
	for (int i = 7; i >= 0; i--, x >>= 8)
		p[i] = (uint8_t)x;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void hash_field(crypto_generichash_state *st, const void *p, size_t n)
{
	uint8_t l[8];
	be64(l, n);
	crypto_generichash_update(st, l, sizeof l);
	crypto_generichash_update(st, p, n);
}

static void row_hash(const struct kith_crypto_row *row, uint8_t rh[RH_BYTES])
{
	crypto_generichash_state st;
	uint8_t v[4];
	be32(v, row->version);
	crypto_generichash_init(&st, NULL, 0, RH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)rowhash_domain, sizeof rowhash_domain - 1);
	hash_field(&st, row->id, sizeof row->id);
	hash_field(&st, v, sizeof v);
	hash_field(&st, row->device, sizeof row->device);
	hash_field(&st, row->nonce, sizeof row->nonce);
	hash_field(&st, row->ct, row->ct_len);
	crypto_generichash_final(&st, rh, RH_BYTES);
}

#define ROW_AD_BYTES (sizeof row_domain - 1 + BATCH_ID_BYTES + 4 + ID_BYTES + 4 + KITH_CRYPTO_PK_BYTES)

static void row_ad(uint8_t ad[ROW_AD_BYTES], const uint8_t batch_id[BATCH_ID_BYTES], uint32_t i,
		   const struct kith_crypto_row *row)
{
	uint8_t *p = ad;
	memcpy(p, row_domain, sizeof row_domain - 1);
	p += sizeof row_domain - 1;
	memcpy(p, batch_id, BATCH_ID_BYTES);
	p += BATCH_ID_BYTES;
	be32(p, i);
	p += 4;
	memcpy(p, row->id, ID_BYTES);
	p += ID_BYTES;
	be32(p, row->version);
	p += 4;
	memcpy(p, row->device, KITH_CRYPTO_PK_BYTES);
}

int vault_v2_seal_row(const uint8_t bk[32], const uint8_t batch_id[BATCH_ID_BYTES], uint32_t i,
		      struct kith_crypto_row *row, const void *plain, size_t len, uint8_t rh[RH_BYTES])
{
	row->ct = NULL;
	row->ct_len = 0;
	if (i >= ROWS_MAX)
		return KITH_E_LIMIT;
	size_t bucket = len < KITH_CRYPTO_PLAIN_MAX ? kith_crypto_bucket(len + 1) : 0;
	if (bucket == 0)
		return KITH_E_LIMIT;
	uint8_t *ct = malloc(bucket + crypto_aead_xchacha20poly1305_ietf_ABYTES);
	if (!ct)
		return KITH_E_NOMEM;
	memcpy(ct, plain, len);
	kith_crypto_pad(ct, len, bucket); /* as format 1 */
	uint8_t dk[32], ad[ROW_AD_BYTES];
	row_ad(ad, batch_id, i, row);
	randombytes_buf(row->nonce, sizeof row->nonce);
	unsigned long long clen = 0;
	int bad = crypto_kdf_derive_from_key(dk, sizeof dk, (uint64_t)i + 1, row_kdf_ctx, bk) != 0 ||
		  crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, ct, bucket, ad, sizeof ad, NULL,
							     row->nonce, dk) != 0;
	sodium_memzero(dk, sizeof dk);
	if (bad) {
		kith_wipe_free(ct, bucket);
		return KITH_E_CRYPTO;
	}
	row->ct = ct;
	row->ct_len = (size_t)clen;
	row_hash(row, rh);
	return KITH_OK;
}

int vault_v2_open_with(const uint8_t dk[32], const uint8_t batch_id[BATCH_ID_BYTES], uint32_t i,
		       const struct kith_crypto_row *row, struct kith_sbuf *plain, const char **reason)
{
	static const char *const r_auth = "authentication failed", *const r_pad = "bad padding";
	kith_sbuf_reset(plain);
	size_t abytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
	if (row->ct_len < 256 + abytes || row->ct_len > KITH_CRYPTO_PLAIN_MAX + abytes ||
	    kith_crypto_bucket(row->ct_len - abytes) != row->ct_len - abytes) {
		*reason = r_pad;
		return KITH_E_CORRUPT;
	}
	size_t plen = row->ct_len - abytes;
	if (kith_sbuf_grow(plain, plen))
		return KITH_E_NOMEM;
	uint8_t ad[ROW_AD_BYTES];
	row_ad(ad, batch_id, i, row);
	unsigned long long mlen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain->buf, &mlen, NULL, row->ct,
						       row->ct_len, ad, sizeof ad, row->nonce, dk) != 0) {
		kith_sbuf_reset(plain);
		*reason = r_auth;
		return KITH_E_CORRUPT;
	}
	const unsigned char *u = (const unsigned char *)plain->buf;
	size_t ulen = (size_t)mlen;
	while (ulen > 0 && u[ulen - 1] == 0)
		ulen--;
	if (ulen == 0 || u[ulen - 1] != 0x80) {
		kith_sbuf_reset(plain);
		*reason = r_pad;
		return KITH_E_CORRUPT;
	}
	ulen--;
	sodium_memzero(plain->buf + ulen, (size_t)mlen - ulen);
	plain->len = ulen;
	plain->buf[ulen] = '\0';
	return KITH_OK;
}

void vault_v2_derive(const uint8_t bk[32], uint32_t i, uint8_t dk[32])
{
	crypto_kdf_derive_from_key(dk, 32, (uint64_t)i + 1, row_kdf_ctx, bk);
}

void vault_v2_row_hash(const struct kith_crypto_row *row, uint8_t rh[RH_BYTES])
{
	row_hash(row, rh);
}

int vault_v2_row_key(const struct kith_vault *v, const struct vbatch *b, uint32_t i,
		     const struct kith_crypto_row *row, uint8_t dk[32])
{
	if (!b || i >= b->n || b->status == B_BAD)
		return KITH_E_CORRUPT;
	if (b->status == B_OK) {
		vault_v2_derive(v->bkeys + b->key * 32, i, dk);
		return KITH_OK;
	}
	/* a field vault: the key headquarters sent for this version (sync.h) */
	return v->received ? kith_sync_received_key(v->received, v->keys, row, dk) : KITH_E_AUTH;
}

int vault_v2_open_row(const struct kith_vault *v, const struct vbatch *b, uint32_t i,
		      const struct kith_crypto_row *row, struct kith_sbuf *plain, const char **reason)
{
	static const char *const r_none = "not in any signed batch",
				 *const r_hash = "not the row its batch signed",
				 *const r_key = "key unwrap failed",
				 *const r_dev = "not written by its batch's device";
	kith_sbuf_reset(plain);
	*reason = NULL;
	if (!b || i >= b->n) {
		*reason = r_none;
		return KITH_E_CORRUPT;
	}
	if (b->status == B_BAD) {
		*reason = b->reason;
		return KITH_E_CORRUPT;
	}
	if (!(b->flags & MANIFEST_RESEALED) && memcmp(row->device, b->device, KITH_CRYPTO_PK_BYTES) != 0) {
		*reason = r_dev;
		return KITH_E_CORRUPT;
	}
	uint8_t rh[RH_BYTES];
	row_hash(row, rh);
	if (memcmp(rh, b->rh + (size_t)i * RH_BYTES, RH_BYTES) != 0) {
		*reason = r_hash;
		return KITH_E_CORRUPT;
	}
	uint8_t dk[32];
	int rc = vault_v2_row_key(v, b, i, row, dk);
	if (rc == KITH_E_CORRUPT)
		*reason = r_key;
	if (rc)
		return rc;
	rc = vault_v2_open_with(dk, b->id, i, row, plain, reason);
	sodium_memzero(dk, sizeof dk);
	return rc;
}

/* ------------------------------------------------------------ manifests in bundles */

int vault_v2_manifest_parse(const uint8_t *m, size_t len, struct vault_manifest *out)
{
	memset(out, 0, sizeof *out);
	if (!m || len < M_WRAPS + 3 * 8 + 32 + 4 || memcmp(m, batch_domain, sizeof batch_domain - 1) != 0)
		return KITH_E_INVALID;
	size_t at = M_WRAPS, wl[3], wo[3];
	for (int k = 0; k < 3; k++) {
		if (at + 8 > len || get64(m + at) > len - at - 8)
			return KITH_E_INVALID;
		wl[k] = (size_t)get64(m + at);
		wo[k] = at + 8;
		at += 8 + wl[k];
	}
	if (wl[0] != KITH_CRYPTO_WRAP_ORG_BYTES || wl[1] != KITH_CRYPTO_WRAP_DEV_BYTES ||
	    (wl[2] != 0 && wl[2] != KITH_CRYPTO_WRAP_ORG_BYTES) || at + 36 > len)
		return KITH_E_INVALID;
	out->kc = m + at;
	out->n = get32(m + at + 32);
	at += 36;
	if (out->n > ROWS_MAX || (len - at) != (size_t)out->n * RH_BYTES)
		return KITH_E_INVALID;
	out->m = m;
	out->len = len;
	out->rh = m + at;
	out->wrap_org = m + wo[0];
	memcpy(out->batch_id, m + M_BATCH, BATCH_ID_BYTES);
	memcpy(out->device, m + M_DEV, 32);
	memcpy(out->org, m + M_ORG, 32);
	memcpy(out->prev, m + M_PREV, 32);
	memcpy(out->per, m + M_PER, 32);
	out->seq = (int64_t)get64(m + M_SEQ);
	out->at = (int64_t)get64(m + M_AT);
	out->flags = m[M_FLAGS];
	if (out->seq < 1)
		return KITH_E_INVALID;
	crypto_generichash(out->mh, 32, m, len, NULL, 0);
	return KITH_OK;
}

int vault_v2_manifest_verify(const struct vault_manifest *mf, const uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	return kith_crypto_verify_ph(mf->device, mf->m, mf->len, sig) == KITH_OK ? KITH_OK : KITH_E_AUTH;
}

int vault_v2_manifest_verify_per(const struct vault_manifest *mf, const uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	return kith_crypto_verify_ph(mf->per, mf->m, mf->len, sig) == KITH_OK ? KITH_OK : KITH_E_AUTH;
}

int vault_v2_manifest_key(const struct kith_crypto_keys *k, const struct vault_manifest *mf, uint8_t bk[32])
{
	int r = kith_crypto_org_unseal(k, mf->wrap_org, KITH_CRYPTO_WRAP_ORG_BYTES, bk);
	if (r == KITH_E_NOTFOUND)
		return r;
	if (r)
		return KITH_E_CORRUPT;
	uint8_t kc2[32];
	crypto_kdf_derive_from_key(kc2, sizeof kc2, 0, row_kdf_ctx, bk);
	if (sodium_memcmp(kc2, mf->kc, 32) != 0) {
		sodium_memzero(bk, 32);
		return KITH_E_CORRUPT;
	}
	return KITH_OK;
}

/* ------------------------------------------------------------ the batch table in memory */

const struct vbatch *vault_v2_batch(const struct kith_vault *v, const uint8_t id[BATCH_ID_BYTES])
{
	uintptr_t x = (uintptr_t)vault_map_get(&v->batch_ids, id, BATCH_ID_BYTES);
	return x ? &v->batches[x - 1] : NULL;
}

/* Room for one more batch and one more key. */
static int batches_reserve(struct kith_vault *v)
{
	if (v->nbatches == v->batches_cap) {
		/* a new array and a new map over it, the old ones dropped only after
		 * both are made: the map's keys point into the array */
		size_t nc = v->batches_cap ? v->batches_cap * 2 : 16;
		struct vbatch *nb = malloc(nc * sizeof *nb);
		struct map nm;
		vault_map_init(&nm);
		if (!nb || vault_map_reserve(&nm, nc)) {
			free(nb);
			vault_map_free(&nm);
			return KITH_E_NOMEM;
		}
		if (v->nbatches)
			memcpy(nb, v->batches, v->nbatches * sizeof *nb);
		for (size_t i = 0; i < v->nbatches; i++)
			(void)vault_map_put(&nm, nb[i].id, BATCH_ID_BYTES, (void *)(uintptr_t)(i + 1));
		free(v->batches);
		vault_map_free(&v->batch_ids);
		v->batch_ids = nm;
		v->batches = nb;
		v->batches_cap = nc;
	}
	if (v->nbkeys == v->bkeys_cap) {
		size_t nc = v->bkeys_cap ? v->bkeys_cap * 2 : 16;
		uint8_t *nk = sodium_malloc(nc * 32);
		if (!nk)
			return KITH_E_NOMEM;
		if (v->bkeys) {
			memcpy(nk, v->bkeys, v->nbkeys * 32);
			sodium_free(v->bkeys);
		}
		v->bkeys = nk;
		v->bkeys_cap = nc;
	}
	return vault_map_reserve(&v->batch_ids, 1);
}

void vault_v2_free(struct kith_vault *v)
{
	for (size_t i = 0; i < v->nbatches; i++) {
		free(v->batches[i].rh);
		free(v->batches[i].present);
	}
	free(v->batches);
	v->batches = NULL;
	v->nbatches = v->batches_cap = 0;
	vault_map_free(&v->batch_ids);
	vault_map_init(&v->batch_ids);
	if (v->bkeys)
		sodium_free(v->bkeys); /* wipes */
	v->bkeys = NULL;
	v->nbkeys = v->bkeys_cap = 0;
	for (size_t i = 0; i < v->nintegrity; i++)
		free(v->integrity[i]);
	free(v->integrity);
	v->integrity = NULL;
	v->nintegrity = 0;
	v->own_seq = 0;
	memset(v->own_mh, 0, sizeof v->own_mh);
}

static void hex8(char out[17], const uint8_t *p, size_t n)
{
	sodium_bin2hex(out, 17, p, n > 8 ? 8 : n);
}

/* ------------------------------------------------------------ person signatures */

int vault_v2_person_check(struct kith_vault *v)
{
	if (v->fmt < 2)
		return KITH_OK;
	struct vault_person_key *keys = NULL;
	size_t nk = 0;
	int loaded = 0, rc = KITH_OK;
	for (size_t i = 0; !rc && i < v->nbatches; i++) {
		const struct vbatch *b = &v->batches[i];
		/* a field vault holds some of headquarters' batches, not its people */
		if (b->status == B_BAD || vault_all_zero(b->per, 32) ||
		    (b->status == B_UNREADABLE && !kith_crypto_keys_holds_org(v->keys) &&
		     memcmp(b->device, kith_crypto_keys_sign_pk(v->keys), 32) != 0))
			continue;
		if (!loaded && (rc = vault_person_keys(v, &keys, &nk)))
			break;
		loaded = 1;
		char why[128], id[17], dev[17];
		hex8(id, b->id, BATCH_ID_BYTES);
		hex8(dev, b->device, 32);
		if (vault_person_may_sign(keys, nk, b->per, b->at, why, sizeof why) != KITH_OK) {
			rc = vault_integrity_add(v, "batch %s (number %lld of device %s): %s", id,
						 (long long)b->seq, dev, why);
			continue;
		}
		/* a person signs only what they wrote: every version of the batch
		 * names the key's person (a forged author is a finding; the
		 * versions stay readable, as a dropped batch's do) */
		const struct vault_person_key *e = vault_person_find(keys, nk, b->per);
		if (e && b->persons && (b->persons == 2 || strcmp(b->person, e->pid) != 0))
			rc = vault_integrity_add(
			    v,
			    "batch %s (number %lld of device %s): signed by one person's key, "
			    "its versions name %s",
			    id, (long long)b->seq, dev,
			    b->persons == 2 ? "several writers" : "another writer");
	}
	free(keys);
	return rc;
}

/* ------------------------------------------------------------ writing a batch */

static void org_id(const struct kith_vault *v, uint8_t out[32])
{
	crypto_generichash(out, 32, v->hdr.org_pk, sizeof v->hdr.org_pk, NULL, 0);
}

static void anchor_message(const struct kith_vault *v, const uint8_t *device, int64_t seq,
			   const uint8_t mh[32], uint8_t m[sizeof anchor_domain - 1 + ID_BYTES + 32 + 8 + 32])
{
	uint8_t *p = m;
	memcpy(p, anchor_domain, sizeof anchor_domain - 1);
	p += sizeof anchor_domain - 1;
	memcpy(p, v->hdr.vault_id, ID_BYTES);
	p += ID_BYTES;
	memcpy(p, device, 32);
	p += 32;
	be64(p, (uint64_t)seq);
	p += 8;
	memcpy(p, mh, 32);
}

static int add_field(struct kith_sbuf *m, const void *p, size_t n)
{
	uint8_t l[8];
	be64(l, n);
	return kith_sbuf_add(m, l, sizeof l) || (n && kith_sbuf_add(m, p, n)) ? KITH_E_NOMEM : KITH_OK;
}

int vault_v2_write_batch(struct kith_vault *v, const uint8_t batch_id[BATCH_ID_BYTES], const uint8_t bk[32],
			 uint8_t flags, const uint8_t *rh, uint32_t n, struct vbatch *added,
			 struct kith_err *err)
{
	memset(added, 0, sizeof *added);
	if (batches_reserve(v))
		return kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
	const uint8_t *dev = kith_crypto_keys_sign_pk(v->keys);
	uint8_t head[M_WRAPS], wrap_org[KITH_CRYPTO_WRAP_ORG_BYTES], wrap_dev[KITH_CRYPTO_WRAP_DEV_BYTES];
	uint8_t ad[sizeof wrapdev_domain - 1 + BATCH_ID_BYTES], kc[32], nb[4], sig[KITH_CRYPTO_SIG_BYTES],
	    sig_per[KITH_CRYPTO_SIG_BYTES];
	memcpy(head, batch_domain, sizeof batch_domain - 1);
	head[M_FLAGS] = flags;
	org_id(v, head + M_ORG);
	memcpy(head + M_BATCH, batch_id, BATCH_ID_BYTES);
	memcpy(head + M_DEV, dev, 32);
	/* per_spk: the person whose slot unlocked (person.c); zeros: no person */
	int per = vault_person_signer(v);
	if (per)
		memcpy(head + M_PER, v->per_pk, 32);
	else
		memset(head + M_PER, 0, 32);
	int64_t seq = v->own_seq + 1;
	be64(head + M_SEQ, (uint64_t)seq);
	memcpy(head + M_PREV, v->own_mh, 32);
	be64(head + M_AT, (uint64_t)time(NULL));
	memcpy(ad, wrapdev_domain, sizeof wrapdev_domain - 1);
	memcpy(ad + sizeof wrapdev_domain - 1, batch_id, BATCH_ID_BYTES);
	be32(nb, n);
	if (crypto_box_seal(wrap_org, bk, 32, v->hdr.org_pk) != 0 ||
	    kith_crypto_batch_wrap_dev(v->keys, bk, ad, sizeof ad, wrap_dev) != KITH_OK ||
	    crypto_kdf_derive_from_key(kc, sizeof kc, 0, row_kdf_ctx, bk) != 0)
		return kith_err_set(err, KITH_E_CRYPTO, "batch", "wrapping the batch key failed");
	struct kith_sbuf m = KITH_SBUF_INIT;
	int rc = kith_sbuf_grow(&m, M_WRAPS + 300 + (size_t)n * RH_BYTES) ||
			 kith_sbuf_add(&m, head, sizeof head) || add_field(&m, wrap_org, sizeof wrap_org) ||
			 add_field(&m, wrap_dev, sizeof wrap_dev) || add_field(&m, NULL, 0) ||
			 kith_sbuf_add(&m, kc, sizeof kc) || kith_sbuf_add(&m, nb, sizeof nb) ||
			 (n && kith_sbuf_add(&m, rh, (size_t)n * RH_BYTES))
		     ? KITH_E_NOMEM
		     : KITH_OK;
	added->rh = n ? malloc((size_t)n * RH_BYTES) : NULL;
	if (rc || (n && !added->rh)) {
		kith_sbuf_release(&m);
		free(added->rh);
		added->rh = NULL;
		return kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
	}
	if (kith_crypto_sign_ph(v->keys, m.buf, m.len, sig) != KITH_OK ||
	    (per && vault_person_sign(v, m.buf, m.len, sig_per) != KITH_OK)) {
		kith_sbuf_release(&m);
		vault_v2_drop(added);
		return kith_err_set(err, KITH_E_CRYPTO, "batch", "signing the batch failed");
	}
	memcpy(added->id, batch_id, BATCH_ID_BYTES);
	memcpy(added->device, dev, 32);
	added->seq = seq;
	memcpy(added->prev, v->own_mh, 32);
	memcpy(added->per, head + M_PER, 32);
	added->at = (int64_t)get64(head + M_AT);
	crypto_generichash(added->mh, 32, (const uint8_t *)m.buf, m.len, NULL, 0);
	added->n = n;
	added->flags = flags;
	if (n)
		memcpy(added->rh, rh, (size_t)n * RH_BYTES);
	added->status = B_OK;
	struct kith_store_batch sb = {
	    .batch_id = {batch_id, BATCH_ID_BYTES},
	    .device = {dev, 32},
	    .manifest = {(const uint8_t *)m.buf, m.len},
	    .sig_dev = {sig, sizeof sig},
	    .sig_per = {per ? sig_per : NULL, per ? sizeof sig_per : 0},
	    .seq = seq,
	};
	uint8_t am[sizeof anchor_domain - 1 + ID_BYTES + 32 + 8 + 32], mac[32];
	anchor_message(v, dev, seq, added->mh, am);
	rc = kith_store_batch_put(v->store, &sb, err);
	if (!rc && kith_crypto_anchor_mac(v->keys, am, sizeof am, mac) != KITH_OK)
		rc = kith_err_set(err, KITH_E_CRYPTO, "batch", "the anchor's MAC failed");
	if (!rc)
		rc = kith_store_anchor_put(v->store, dev, seq, added->mh, mac, err);
	if (!rc) /* anchor.c: the same under the unlocked passphrase's key */
		rc = vault_slot_anchor_seal(v, seq, added->mh, err);
	kith_sbuf_release(&m);
	if (rc)
		vault_v2_drop(added);
	return rc;
}

void vault_v2_drop(struct vbatch *added)
{
	free(added->rh);
	added->rh = NULL;
}

void vault_v2_install(struct kith_vault *v, struct vbatch *added, const uint8_t bk[32])
{
	added->key = v->nbkeys;
	memcpy(v->bkeys + 32 * v->nbkeys++, bk, 32);
	v->batches[v->nbatches] = *added;
	(void)vault_map_put(&v->batch_ids, v->batches[v->nbatches].id, BATCH_ID_BYTES,
			    (void *)(uintptr_t)(v->nbatches + 1));
	v->nbatches++;
	v->own_seq = added->seq;
	memcpy(v->own_mh, added->mh, 32);
	added->rh = NULL;
}

/* ------------------------------------------------------------ verifying at unlock */

struct load {
	struct kith_vault *v;
	uint8_t org[32];
	int own_ok; /* this device's signatures are recomputed, not verified */
};

/* Parses and checks one stored batch into b (status set; never fails but
 * for memory). */
static int batch_check(struct load *L, const struct kith_store_batch *sb, struct vbatch *b)
{
	struct kith_vault *v = L->v;
	memset(b, 0, sizeof *b);
	b->status = B_BAD;
	memcpy(b->id, sb->batch_id.p, BATCH_ID_BYTES);
	const uint8_t *m = sb->manifest.p;
	size_t len = sb->manifest.n;
	if (!m || len < M_WRAPS + 3 * 8 + 32 + 4 || memcmp(m, batch_domain, sizeof batch_domain - 1) != 0) {
		b->reason = "malformed batch manifest";
		return KITH_OK;
	}
	size_t at = M_WRAPS, wl[3], wo[3];
	for (int k = 0; k < 3; k++) {
		if (at + 8 > len || get64(m + at) > len - at - 8) {
			b->reason = "malformed batch manifest";
			return KITH_OK;
		}
		wl[k] = (size_t)get64(m + at);
		wo[k] = at + 8;
		at += 8 + wl[k];
	}
	if (wl[0] != KITH_CRYPTO_WRAP_ORG_BYTES || wl[1] != KITH_CRYPTO_WRAP_DEV_BYTES ||
	    (wl[2] != 0 && wl[2] != KITH_CRYPTO_WRAP_ORG_BYTES) || at + 36 > len) {
		b->reason = "malformed batch manifest";
		return KITH_OK;
	}
	const uint8_t *kc = m + at;
	uint32_t n = get32(m + at + 32);
	at += 36;
	if (n > ROWS_MAX || (len - at) != (size_t)n * RH_BYTES) {
		b->reason = "malformed batch manifest";
		return KITH_OK;
	}
	memcpy(b->device, m + M_DEV, 32);
	b->seq = (int64_t)get64(m + M_SEQ);
	memcpy(b->prev, m + M_PREV, 32);
	memcpy(b->per, m + M_PER, 32);
	b->at = (int64_t)get64(m + M_AT);
	b->flags = m[M_FLAGS];
	b->n = n;
	crypto_generichash(b->mh, 32, m, len, NULL, 0);
	if (memcmp(m + M_BATCH, b->id, BATCH_ID_BYTES) != 0 || sb->device.n != 32 || !sb->device.p ||
	    memcmp(sb->device.p, b->device, 32) != 0 || sb->seq != b->seq || b->seq < 1) {
		b->reason = "batch row does not match its manifest";
		return KITH_OK;
	}
	if (memcmp(m + M_ORG, L->org, 32) != 0) {
		b->reason = "batch of another organization";
		return KITH_OK;
	}
	if (!vault_device_enrolled(v, b->device)) {
		b->reason = "unknown device";
		return KITH_OK;
	}
	if (sb->sig_dev.n != KITH_CRYPTO_SIG_BYTES || !sb->sig_dev.p) {
		b->reason = "bad batch signature";
		return KITH_OK;
	}
	int own = memcmp(b->device, kith_crypto_keys_sign_pk(v->keys), 32) == 0, sig_ok = 0;
	if (own) { /* Ed25519 is deterministic: the one signature this device makes */
		uint8_t sig[KITH_CRYPTO_SIG_BYTES];
		sig_ok = kith_crypto_sign_ph(v->keys, m, len, sig) == KITH_OK &&
			 sodium_memcmp(sig, sb->sig_dev.p, sizeof sig) == 0;
	}
	if (!sig_ok)
		sig_ok = kith_crypto_verify_ph(b->device, m, len, sb->sig_dev.p) == KITH_OK;
	if (!sig_ok) {
		b->reason = "bad batch signature";
		return KITH_OK;
	}
	/* the person's signature (person.h): with a person key, sig_per of M by
	 * it; without (zeros: the main slot, an upgrade), none */
	if (vault_all_zero(b->per, 32)
		? sb->sig_per.n != 0
		: sb->sig_per.n != KITH_CRYPTO_SIG_BYTES || !sb->sig_per.p ||
		      kith_crypto_verify_ph(b->per, m, len, sb->sig_per.p) != KITH_OK) {
		b->reason = "bad person signature";
		return KITH_OK;
	}
	if (n && !(b->rh = malloc((size_t)n * RH_BYTES)))
		return KITH_E_NOMEM;
	if (n)
		memcpy(b->rh, m + at, (size_t)n * RH_BYTES);
	if (n && !(b->present = calloc(n, 1)))
		return KITH_E_NOMEM;
	/* the batch key: this device's wrap, else the organization's */
	uint8_t bk[32], ad[sizeof wrapdev_domain - 1 + BATCH_ID_BYTES], kc2[32];
	memcpy(ad, wrapdev_domain, sizeof wrapdev_domain - 1);
	memcpy(ad + sizeof wrapdev_domain - 1, b->id, BATCH_ID_BYTES);
	int have = own && kith_crypto_batch_unwrap_dev(v->keys, m + wo[1], ad, sizeof ad, bk) == KITH_OK;
	if (!have) {
		int r = kith_crypto_org_unseal(v->keys, m + wo[0], wl[0], bk);
		if (r == KITH_E_NOTFOUND) {
			b->status = B_UNREADABLE;
			return KITH_OK;
		}
		if (r) {
			b->reason = "key unwrap failed";
			return KITH_OK;
		}
	}
	/* the key commitment (design-format2.md Review 1): the key every reader
	 * unwraps is the one the writer committed to */
	crypto_kdf_derive_from_key(kc2, sizeof kc2, 0, row_kdf_ctx, bk);
	if (sodium_memcmp(kc, kc2, 32) != 0) {
		sodium_memzero(bk, sizeof bk);
		b->reason = "batch key does not match its commitment";
		return KITH_OK;
	}
	b->key = v->nbkeys;
	memcpy(v->bkeys + 32 * v->nbkeys++, bk, 32);
	sodium_memzero(bk, sizeof bk);
	b->status = B_OK;
	return KITH_OK;
}

static int load_one(void *arg, const struct kith_store_batch *sb)
{
	struct load *L = arg;
	struct kith_vault *v = L->v;
	if (sb->batch_id.n != BATCH_ID_BYTES || !sb->batch_id.p) {
		char dev[17] = "?";
		if (sb->device.p && sb->device.n == 32)
			hex8(dev, sb->device.p, 32);
		return vault_integrity_add(v, "a malformed batch of device %s (its versions read as damaged)",
					   dev);
	}
	if (batches_reserve(v))
		return KITH_E_NOMEM;
	struct vbatch *b = &v->batches[v->nbatches];
	int rc = batch_check(L, sb, b);
	if (rc) {
		free(b->rh);
		free(b->present);
		return rc;
	}
	(void)vault_map_put(&v->batch_ids, b->id, BATCH_ID_BYTES, (void *)(uintptr_t)(v->nbatches + 1));
	v->nbatches++;
	if (b->status == B_BAD) {
		char id[17];
		hex8(id, b->id, BATCH_ID_BYTES);
		return vault_integrity_add(v, "batch %s: %s (its versions read as damaged)", id, b->reason);
	}
	return KITH_OK;
}

static int present_one(void *arg, const struct kith_store_blob *batch, int64_t i)
{
	struct kith_vault *v = arg;
	if (batch->n != BATCH_ID_BYTES || !batch->p || i < 0)
		return KITH_OK; /* the row itself reads as damaged */
	uintptr_t x = (uintptr_t)vault_map_get(&v->batch_ids, batch->p, BATCH_ID_BYTES);
	if (x && (uint64_t)i < v->batches[x - 1].n && v->batches[x - 1].present)
		v->batches[x - 1].present[i] = 1;
	return KITH_OK;
}

/* Versions of a batch kept aside as conflicts (sync.h: another device's
 * version holds their place in rows) are in the file too. */
static int kept_present(struct kith_vault *v, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(v->store);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT batch, i FROM conflicts WHERE batch IS NOT NULL", -1, &st, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(st);
		return KITH_OK; /* no conflicts table, or one from before format-2 bundles */
	}
	int s3;
	while ((s3 = sqlite3_step(st)) == SQLITE_ROW) {
		struct kith_store_blob b = {sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)};
		(void)present_one(v, &b, sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	if (s3 != SQLITE_DONE)
		return kith_err_set(err, KITH_E_DB, "vault", "reading the kept versions: %s",
				    sqlite3_errmsg(db));
	return KITH_OK;
}

struct seqkey {
	uint8_t device[32];
	int64_t seq;
	size_t idx;
};

static int by_device_seq(const void *a, const void *b)
{
	const struct seqkey *x = a, *y = b;
	int c = memcmp(x->device, y->device, 32);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* A batch of another device in a vault without the organization secret (a
 * field vault): headquarters sent some of its versions (bundle-format.md
 * *Format 3*), never the device's whole log nor every row of it, so neither
 * its chain nor its missing rows are checked here — headquarters checks them. */
static int partial(const struct kith_vault *v, const struct vbatch *b)
{
	return b->status == B_UNREADABLE && !kith_crypto_keys_holds_org(v->keys) &&
	       memcmp(b->device, kith_crypto_keys_sign_pk(v->keys), 32) != 0;
}

/* Each device's log: numbers 1, 2, ... without gap, each naming the hash of
 * the manifest before it. */
static int chains_check(struct kith_vault *v)
{
	size_t n = 0;
	struct seqkey *keys = malloc((v->nbatches ? v->nbatches : 1) * sizeof *keys);
	size_t *ord = malloc((v->nbatches ? v->nbatches : 1) * sizeof *ord);
	if (!keys || !ord) {
		free(keys);
		free(ord);
		return KITH_E_NOMEM;
	}
	for (size_t i = 0; i < v->nbatches; i++)
		if (v->batches[i].status != B_BAD && !partial(v, &v->batches[i])) {
			memcpy(keys[n].device, v->batches[i].device, 32);
			keys[n].seq = v->batches[i].seq;
			keys[n++].idx = i;
		}
	qsort(keys, n, sizeof *keys, by_device_seq);
	for (size_t i = 0; i < n; i++)
		ord[i] = keys[i].idx;
	free(keys);
	const uint8_t *self = kith_crypto_keys_sign_pk(v->keys);
	int rc = KITH_OK;
	for (size_t a = 0; a < n && !rc;) {
		size_t z = a;
		while (z < n && memcmp(v->batches[ord[z]].device, v->batches[ord[a]].device, 32) == 0)
			z++;
		char dev[17];
		hex8(dev, v->batches[ord[a]].device, 32);
		int64_t expect = 1;
		const uint8_t *prev_mh = NULL;
		for (size_t k = a; k < z && !rc; k++) {
			const struct vbatch *b = &v->batches[ord[k]];
			if (b->seq < expect) {
				rc = vault_integrity_add(v, "device %s wrote two batches numbered %lld", dev,
							 (long long)b->seq);
				continue;
			}
			if (b->seq > expect)
				rc = b->seq == expect + 1
					 ? vault_integrity_add(v,
							       "batch %lld of device %s is missing (dropped)",
							       (long long)expect, dev)
					 : vault_integrity_add(
					       v, "batches %lld to %lld of device %s are missing (dropped)",
					       (long long)expect, (long long)(b->seq - 1), dev);
			else if (prev_mh ? memcmp(b->prev, prev_mh, 32) != 0 : !vault_all_zero(b->prev, 32))
				rc = vault_integrity_add(
				    v, "batch %lld of device %s does not follow the batch before it",
				    (long long)b->seq, dev);
			expect = b->seq + 1;
			prev_mh = b->mh;
		}
		if (memcmp(v->batches[ord[a]].device, self, 32) == 0) {
			v->own_seq = v->batches[ord[z - 1]].seq;
			memcpy(v->own_mh, v->batches[ord[z - 1]].mh, 32);
		}
		a = z;
	}
	free(ord);
	return rc;
}

/* This device's anchor: the last batch it wrote, MAC'd under its own key.
 * A file whose log of this device ends before it was rolled back. */
static int anchor_check(struct kith_vault *v, struct kith_err *err)
{
	const uint8_t *self = kith_crypto_keys_sign_pk(v->keys);
	int64_t seq = 0;
	uint8_t mh[32], mac[32], mac2[32];
	char dev[17];
	hex8(dev, self, 32);
	int rc = kith_store_anchor_get(v->store, self, &seq, mh, mac, err);
	if (rc == KITH_E_NOTFOUND) {
		if (err)
			kith_err_clear(err);
		return v->own_seq ? vault_integrity_add(
					v,
					"the anchor of device %s is missing: its log may have been rolled "
					"back (the file ends at its batch %lld)",
					dev, (long long)v->own_seq)
				  : KITH_OK;
	}
	if (rc == KITH_E_CORRUPT) {
		if (err)
			kith_err_clear(err);
		return vault_integrity_add(v, "the anchor of device %s is malformed", dev);
	}
	if (rc)
		return rc;
	uint8_t am[sizeof anchor_domain - 1 + ID_BYTES + 32 + 8 + 32];
	anchor_message(v, self, seq, mh, am);
	if (kith_crypto_anchor_mac(v->keys, am, sizeof am, mac2) != KITH_OK)
		return KITH_E_CRYPTO;
	if (sodium_memcmp(mac, mac2, 32) != 0)
		return vault_integrity_add(v, "the anchor of device %s was altered", dev);
	if (seq > v->own_seq)
		return vault_integrity_add(
		    v,
		    "the log of device %s was rolled back: its last batch was number %lld, the "
		    "file ends at %lld",
		    dev, (long long)seq, (long long)v->own_seq);
	for (size_t i = 0; i < v->nbatches; i++) {
		const struct vbatch *b = &v->batches[i];
		if (b->status != B_BAD && b->seq == seq && memcmp(b->device, self, 32) == 0 &&
		    memcmp(b->mh, mh, 32) == 0)
			return seq == v->own_seq
				   ? KITH_OK
				   : vault_integrity_add(v,
							 "the anchor of device %s names batch %lld, but "
							 "the file goes on to %lld",
							 dev, (long long)seq, (long long)v->own_seq);
	}
	return vault_integrity_add(v, "the log of device %s was rolled back: its batch %lld was replaced",
				   dev, (long long)seq);
}

int vault_v2_load(struct kith_vault *v, struct kith_err *err)
{
	vault_v2_free(v);
	if (v->fmt < 2)
		return KITH_OK;
	struct load L = {.v = v};
	org_id(v, L.org);
	int rc = kith_store_batches_each(v->store, load_one, &L, err);
	if (rc == KITH_E_NOMEM)
		kith_err_set(err, rc, "vault", "out of memory");
	if (!rc)
		rc = chains_check(v);
	size_t found = v->nintegrity;
	if (!rc)
		rc = anchor_check(v, err);
	if (!rc) /* anchor.c: the passphrase slot's own anchor */
		rc = vault_slot_anchor_check(v, v->nintegrity > found, err);
	if (!rc)
		rc = kith_store_batch_rows_each(v->store, present_one, v, err);
	if (!rc)
		rc = kept_present(v, err);
	for (size_t i = 0; i < v->nbatches && !rc; i++) {
		struct vbatch *b = &v->batches[i];
		if (b->status == B_BAD || !b->present || partial(v, b))
			continue;
		uint32_t miss = 0;
		for (uint32_t k = 0; k < b->n; k++)
			miss += !b->present[k];
		if (miss) {
			char id[17], dev[17];
			hex8(id, b->id, BATCH_ID_BYTES);
			hex8(dev, b->device, 32);
			rc = vault_integrity_add(
			    v, "batch %s (number %lld of device %s): %u of its %u versions are missing", id,
			    (long long)b->seq, dev, miss, b->n);
		}
	}
	for (size_t i = 0; i < v->nbatches; i++) {
		free(v->batches[i].present);
		v->batches[i].present = NULL;
	}
	if (rc && err && err->status == 0)
		kith_err_set(err, rc, "vault", "%s while checking the batches", kith_status_str(rc));
	return rc;
}
