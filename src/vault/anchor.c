/*
 * anchor — the rollback anchor bound to a passphrase slot (format 2;
 * docs/vault-format.md, *Format 2*, "The slot's anchor"; design-format2.md
 * Review 5). Beside each passphrase slot that has committed, a box sealed
 * under a key derived from that slot's KEK says how far this device's log
 * went (its last batch's number and manifest hash) and how many batches the
 * file held, the last time that passphrase committed. At unlock, a file
 * behind its box is reported: this device's log cut short, or batches of any
 * device deleted. The box lives in the slots table, so panic, duress and
 * recover destroy it with the slots (a box that outlived them would let a
 * coerced passphrase be checked against the file).
 */
#include "vault/vault_impl.h"
#include "vault/person.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault/crypto.h"
#include "vault/manifest.h"
#include "vault/store.h"

#define BOX_PREFIX "anchor:"
#define PAYLOAD_BYTES (1 + 8 + 32 + 8)
#define BOX_BYTES VAULT_ANCHOR_BOX
_Static_assert(VAULT_ANCHOR_BOX == PAYLOAD_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES, "box size");
_Static_assert(VAULT_ANCHOR_NONCE == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce size");
static const char ad_domain[] = "kith-slot-anchor-v1";

int vault_integrity_add(struct kith_vault *v, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char **n = realloc(v->integrity, (v->nintegrity + 1) * sizeof *n);
	if (!n)
		return KITH_E_NOMEM;
	v->integrity = n;
	if (!(n[v->nintegrity] = strdup(buf)))
		return KITH_E_NOMEM;
	v->nintegrity++;
	return KITH_OK;
}

static void put64(uint8_t *p, uint64_t x)
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

struct devseq {
	const uint8_t *device;
	int64_t seq;
};

static int by_devseq(const void *a, const void *b)
{
	const struct devseq *x = a, *y = b;
	int c = memcmp(x->device, y->device, 32);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* How far the other devices' logs reach in the file: the sum over devices
 * but this one of their highest batch number (a batch dropped inside a log is
 * reported by the chain check and does not lower it; a log cut short does),
 * plus the bad batches. This device's own log is checked by its number.
 * more[0..nmore): batches a bundle import is writing (verified, not yet in
 * v's table), counted as well. */
static int extent_more(const struct kith_vault *v, const uint8_t *const *more_dev, const int64_t *more_seq,
		       size_t nmore, uint64_t *out)
{
	const uint8_t *self = kith_crypto_keys_sign_pk(v->keys);
	*out = 0;
	struct devseq *a = malloc((v->nbatches + nmore ? v->nbatches + nmore : 1) * sizeof *a);
	if (!a)
		return KITH_E_NOMEM;
	size_t n = 0;
	for (size_t i = 0; i < v->nbatches; i++) {
		if (v->batches[i].status == B_BAD)
			(*out)++;
		else if (memcmp(v->batches[i].device, self, 32) != 0)
			a[n++] = (struct devseq){v->batches[i].device, v->batches[i].seq};
	}
	for (size_t i = 0; i < nmore; i++)
		if (memcmp(more_dev[i], self, 32) != 0)
			a[n++] = (struct devseq){more_dev[i], more_seq[i]};
	qsort(a, n, sizeof *a, by_devseq);
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || memcmp(a[i].device, a[i + 1].device, 32) != 0)
			*out += a[i].seq > 0 ? (uint64_t)a[i].seq : 0;
	free(a);
	return KITH_OK;
}

static int extent_of(const struct kith_vault *v, uint64_t *out)
{
	return extent_more(v, NULL, NULL, 0, out);
}

/* AD = "kith-slot-anchor-v1" ‖ vault_id ‖ this device's sign_pk ‖ box name. */
static size_t ad_of(const uint8_t *vault_id, const uint8_t *sign_pk, const char *name, uint8_t *ad,
		    size_t cap)
{
	size_t dl = sizeof ad_domain - 1, nl = strlen(name);
	if (dl + ID_BYTES + 32 + nl > cap)
		return 0;
	memcpy(ad, ad_domain, dl);
	memcpy(ad + dl, vault_id, ID_BYTES);
	memcpy(ad + dl + ID_BYTES, sign_pk, 32);
	memcpy(ad + dl + ID_BYTES + 32, name, nl);
	return dl + ID_BYTES + 32 + nl;
}

static int box_name(char *out, size_t cap, const char *slot)
{
	int n = snprintf(out, cap, BOX_PREFIX "%s", slot);
	return n > 0 && (size_t)n < cap;
}

int vault_slot_anchor_key(struct kith_vault *v, const struct kith_crypto_key *kek, struct kith_err *err)
{
	vault_slot_anchor_free(v);
	char slot[48];
	snprintf(slot, sizeof slot, "%s%s", v->person[0] ? "person:" : SLOT_MAIN, v->person);
	if (!box_name(v->slot_anchor, sizeof v->slot_anchor, slot))
		return kith_err_set(err, KITH_E_INVALID, "slot", "a key slot name is too long");
	v->slot_ak = sodium_malloc(32);
	if (!v->slot_ak)
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	int bad = kith_crypto_keys_access(v->keys, 1) != KITH_OK;
	if (!bad) {
		bad = kith_crypto_kek_anchor_key(kek, v->keys, v->slot_ak) != KITH_OK;
		vault_keys_idle(v->keys);
	}
	if (bad) {
		vault_slot_anchor_free(v);
		return kith_err_set(err, KITH_E_CRYPTO, "slot", "deriving the anchor key failed");
	}
	return KITH_OK;
}

void vault_slot_anchor_free(struct kith_vault *v)
{
	vault_person_free(v); /* person.c: derived from this key */
	if (v->slot_ak)
		sodium_free(v->slot_ak); /* wiped by sodium_free */
	v->slot_ak = NULL;
	v->slot_anchor[0] = 0;
}

void vault_slot_anchor_install(struct kith_vault *v, const uint8_t ak[32], const char *slot)
{
	if (!v->slot_ak)
		return;
	memcpy(v->slot_ak, ak, 32);
	if (slot)
		(void)box_name(v->slot_anchor, sizeof v->slot_anchor, slot);
}

/* Seals (seq, mh, total) under ak as the box `name` of device sign_pk. */
static int seal_box(const uint8_t *vault_id, const uint8_t *sign_pk, const uint8_t ak[32], const char *name,
		    int64_t seq, const uint8_t mh[32], uint64_t total, uint8_t nonce[VAULT_ANCHOR_NONCE],
		    uint8_t box[VAULT_ANCHOR_BOX], struct kith_err *err)
{
	uint8_t pl[PAYLOAD_BYTES];
	uint8_t ad[sizeof ad_domain + ID_BYTES + 32 + 64];
	size_t adl = ad_of(vault_id, sign_pk, name, ad, sizeof ad);
	if (!adl)
		return kith_err_set(err, KITH_E_INVALID, "slot", "a key slot name is too long");
	pl[0] = 1;
	put64(pl + 1, (uint64_t)(seq > 0 ? seq : 0));
	if (mh)
		memcpy(pl + 9, mh, 32);
	else
		memset(pl + 9, 0, 32);
	put64(pl + 41, total);
	randombytes_buf(nonce, VAULT_ANCHOR_NONCE);
	unsigned long long bl = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(box, &bl, pl, sizeof pl, ad, adl, NULL, nonce, ak);
	sodium_memzero(pl, sizeof pl);
	return KITH_OK;
}

static int seal_into(const struct kith_vault *v, struct kith_store *s, const uint8_t ak[32], const char *name,
		     int64_t seq, const uint8_t mh[32], uint64_t total, struct kith_err *err)
{
	uint8_t nonce[VAULT_ANCHOR_NONCE], box[VAULT_ANCHOR_BOX];
	int rc = seal_box(v->hdr.vault_id, kith_crypto_keys_sign_pk(v->keys), ak, name, seq, mh, total, nonce,
			  box, err);
	return rc ? rc : kith_store_slot_put(s, name, nonce, sizeof nonce, box, sizeof box, err);
}

int vault_slot_anchor_make(struct kith_vault *v, const uint8_t ak[32], const char *slot,
			   uint8_t nonce[VAULT_ANCHOR_NONCE], uint8_t box[VAULT_ANCHOR_BOX],
			   struct kith_err *err)
{
	char name[sizeof v->slot_anchor];
	uint64_t ext;
	if (!box_name(name, sizeof name, slot))
		return kith_err_set(err, KITH_E_INVALID, "slot", "a key slot name is too long");
	if (extent_of(v, &ext))
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	return seal_box(v->hdr.vault_id, kith_crypto_keys_sign_pk(v->keys), ak, name, v->own_seq,
			v->own_seq ? v->own_mh : NULL, ext, nonce, box, err);
}

int vault_slot_anchor_first(const uint8_t vault_id[ID_BYTES], const struct kith_crypto_keys *k,
			    const struct kith_crypto_key *kek, uint8_t nonce[VAULT_ANCHOR_NONCE],
			    uint8_t box[VAULT_ANCHOR_BOX], struct kith_err *err)
{
	uint8_t ak[32];
	int bad = kith_crypto_keys_access((struct kith_crypto_keys *)k, 1) != KITH_OK;
	if (!bad) {
		bad = kith_crypto_kek_anchor_key(kek, k, ak) != KITH_OK;
		vault_keys_idle((struct kith_crypto_keys *)k);
	}
	if (bad)
		return kith_err_set(err, KITH_E_CRYPTO, "slot", "deriving the anchor key failed");
	int rc = seal_box(vault_id, kith_crypto_keys_sign_pk(k), ak, VAULT_ANCHOR_MAIN, 0, NULL, 0, nonce,
			  box, err);
	sodium_memzero(ak, sizeof ak);
	return rc;
}

int vault_slot_anchor_seal(struct kith_vault *v, int64_t seq, const uint8_t mh[32], struct kith_err *err)
{
	if (!v->slot_ak || !v->slot_anchor[0] || !v->keys)
		return KITH_OK;
	uint64_t ext;
	if (extent_of(v, &ext))
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	return seal_into(v, v->store, v->slot_ak, v->slot_anchor, seq, mh, ext, err);
}

int vault_slot_anchor_seal_import(struct kith_vault *v, const uint8_t *const *devices, const int64_t *seqs,
				  size_t n, struct kith_err *err)
{
	if (!v->slot_ak || !v->slot_anchor[0] || !v->keys || v->fmt < 2 || n == 0)
		return KITH_OK;
	uint64_t ext;
	if (extent_more(v, devices, seqs, n, &ext))
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	return seal_into(v, v->store, v->slot_ak, v->slot_anchor, v->own_seq, v->own_seq ? v->own_mh : NULL,
			 ext, err);
}

int vault_slot_anchor_rekey(struct kith_vault *v, struct kith_store *s, const uint8_t ak[32],
			    const char *slot, struct kith_err *err)
{
	char name[sizeof v->slot_anchor];
	if (!v->slot_ak || v->fmt < 2 || !box_name(name, sizeof name, slot))
		return KITH_OK;
	uint64_t ext;
	if (extent_of(v, &ext))
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	return seal_into(v, s, ak, name, v->own_seq, v->own_seq ? v->own_mh : NULL, ext, err);
}

int vault_slot_anchor_check(struct kith_vault *v, int own_reported, struct kith_err *err)
{
	if (!v->slot_ak || !v->slot_anchor[0] || v->fmt < 2)
		return KITH_OK;
	uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES], box[BOX_BYTES], pl[PAYLOAD_BYTES];
	int rc = kith_store_slot_get(v->store, v->slot_anchor, nonce, sizeof nonce, box, sizeof box, err);
	if (rc == KITH_E_NOTFOUND) {
		if (err)
			kith_err_clear(err);
		/* a slot sealed with flag bit 4 was given its box at the same time */
		return kith_crypto_keys_anchored(v->keys)
			   ? vault_integrity_add(
				 v, "the rollback anchor of this passphrase slot is missing: the "
				    "file may have been rolled back")
			   : KITH_OK;
	}
	uint8_t ad[sizeof ad_domain + ID_BYTES + 32 + 64];
	size_t adl = ad_of(v->hdr.vault_id, kith_crypto_keys_sign_pk(v->keys), v->slot_anchor, ad, sizeof ad);
	unsigned long long pll = 0;
	if (rc == KITH_E_CORRUPT ||
	    (!rc && (!adl ||
		     crypto_aead_xchacha20poly1305_ietf_decrypt(pl, &pll, NULL, box, sizeof box, ad, adl,
								nonce, v->slot_ak) != 0 ||
		     pll != sizeof pl || pl[0] != 1))) {
		if (err)
			kith_err_clear(err);
		return vault_integrity_add(v, "the rollback anchor of this passphrase slot was altered");
	}
	if (rc)
		return rc;
	int64_t seq = (int64_t)(get64(pl + 1) & INT64_MAX);
	uint64_t total = get64(pl + 41);
	uint8_t mh[32];
	memcpy(mh, pl + 9, 32);
	sodium_memzero(pl, sizeof pl);
	char dev[17];
	sodium_bin2hex(dev, sizeof dev, kith_crypto_keys_sign_pk(v->keys), 8);
	if (!own_reported && seq > v->own_seq) {
		rc = vault_integrity_add(
		    v,
		    "the log of device %s was rolled back: its last batch was number %lld, the "
		    "file ends at %lld",
		    dev, (long long)seq, (long long)v->own_seq);
	} else if (!own_reported && seq > 0) {
		const uint8_t *self = kith_crypto_keys_sign_pk(v->keys);
		int found = 0;
		for (size_t i = 0; i < v->nbatches && !found; i++) {
			const struct vbatch *b = &v->batches[i];
			found = b->status != B_BAD && b->seq == seq && memcmp(b->device, self, 32) == 0 &&
				memcmp(b->mh, mh, 32) == 0;
		}
		if (!found)
			rc = vault_integrity_add(
			    v, "the log of device %s was rolled back: its batch %lld was replaced", dev,
			    (long long)seq);
	}
	uint64_t ext = 0;
	if (!rc && extent_of(v, &ext))
		rc = KITH_E_NOMEM;
	if (!rc && total > ext)
		rc = vault_integrity_add(v,
					 "the file was rolled back: this passphrase slot saw %llu batches of "
					 "other devices, the file "
					 "holds %llu",
					 (unsigned long long)total, (unsigned long long)ext);
	return rc;
}
