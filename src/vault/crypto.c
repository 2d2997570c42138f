/*
 * crypto — the envelope of a vault on libsodium: Argon2id KEKs, key bundles
 * in slots, sealed and signed record rows, and the organization key backup.
 * docs/vault-format.md describes every byte; this file is its implementation.
 */
#include "vault/crypto.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Guarded secrets of a device. */
struct keymem {
	uint8_t sign_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t box_sk[crypto_box_SECRETKEYBYTES];
	uint8_t wrap[crypto_aead_xchacha20poly1305_ietf_KEYBYTES]; /* device wrap key */
	uint8_t org_sk[crypto_box_SECRETKEYBYTES];
	uint8_t org_ssk[crypto_sign_SECRETKEYBYTES]; /* enrolment signing key, derived from org_sk */
	uint8_t seed[crypto_sign_SEEDBYTES];	     /* scratch, wiped after use */
};

struct kith_crypto_keys {
	struct keymem *m; /* sodium_malloc; PROT_NONE while uses == 0 */
	int uses;
	int has_org;
	int enrol_signed; /* bundle flag bit 1: enrolments are signed (format note in vault-format.md) */
	int field;	  /* bundle flag bit 2: a field device's keys, org_spk carried in the bundle */
	int fmt2;	  /* bundle flag bit 3: the vault is format 2 (a format-1 file is a downgrade) */
	int anchored;	  /* bundle flag bit 4: this slot has a rollback anchor box (anchor.c) */
	uint8_t org_spk[KITH_CRYPTO_PK_BYTES]; /* enrolment public key (when has_org or field) */
	uint8_t vault_id[KITH_CRYPTO_ID_BYTES];
	uint8_t sign_pk[KITH_CRYPTO_PK_BYTES];
	uint8_t box_pk[KITH_CRYPTO_PK_BYTES];
	uint8_t org_pk[KITH_CRYPTO_PK_BYTES];
};

struct kith_crypto_key {
	uint8_t *k; /* sodium_malloc(32), read-only */
};

struct kith_crypto_org {
	uint8_t pk[KITH_CRYPTO_PK_BYTES];
	uint8_t *sk;		     /* sodium_malloc(32), read-only */
	unsigned long long opslimit; /* the backup file's own Argon2id cost (authentic: */
	size_t memlimit;	     /* other values derive another key and fail) */
};

/* The device wrap key is derived from the device's X25519 secret key with
 * crypto_kdf_derive_from_key(subkey 1, context "kithdwrp"). */
#define WRAP_KDF_ID 1
static const char wrap_kdf_ctx[crypto_kdf_CONTEXTBYTES + 1] = "kithdwrp";

/* The organization's Ed25519 enrolment key pair is derived from its X25519
 * secret key: seed = crypto_kdf_derive_from_key(subkey 2, context "kithorgs"). */
#define ORG_SIGN_KDF_ID 2
static const char org_sign_kdf_ctx[crypto_kdf_CONTEXTBYTES + 1] = "kithorgs";
static const char enrol_domain[] = "kith-enrol-v1";

/* Key bundle layout (KITH_CRYPTO_BUNDLE_BYTES), inside the slot's secretbox. */
#define B_TYPE 0     /* 'K' keys, 'D' duress marker */
#define B_VERSION 1  /* 1 */
#define B_FLAGS 2    /* bit 0: organization secret held */
#define B_VAULT 4    /* 16 */
#define B_ORG_PK 20  /* 32 */
#define B_SIGN_SK 52 /* 64 */
#define B_BOX_SK 116 /* 32 */
#define B_ORG_SK 148 /* 32, zero when not held */
#define BUNDLE_VERSION 1

static const char row_domain[] = "kith-row-v1";
static const char orgkey_magic[8] = {'K', 'I', 'T', 'H', 'O', 'R', 'G', 'K'};
#define ORGKEY_PLAIN 68 /* "ORG1" + pk + sk */

_Static_assert(KITH_CRYPTO_SALT_BYTES == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(KITH_CRYPTO_SIG_BYTES == crypto_sign_BYTES, "signature size");
_Static_assert(KITH_CRYPTO_PK_BYTES == crypto_sign_PUBLICKEYBYTES, "sign pk size");
_Static_assert(KITH_CRYPTO_PK_BYTES == crypto_box_PUBLICKEYBYTES, "box pk size");
_Static_assert(KITH_CRYPTO_WRAP_ORG_BYTES == crypto_box_SEALBYTES + 32, "org wrap size");
_Static_assert(KITH_CRYPTO_WRAP_DEV_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + 32 +
						 crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "device wrap size");
_Static_assert(KITH_CRYPTO_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "aead nonce");
_Static_assert(KITH_CRYPTO_NONCE_BYTES == crypto_secretbox_NONCEBYTES, "secretbox nonce");
_Static_assert(KITH_CRYPTO_SLOT_BOX_BYTES == KITH_CRYPTO_BUNDLE_BYTES + crypto_secretbox_MACBYTES, "slot");
_Static_assert(B_ORG_SK + 32 == KITH_CRYPTO_BUNDLE_BYTES, "bundle layout");
_Static_assert(KITH_CRYPTO_ORGKEY_FILE_BYTES ==
		   8 + 4 + 4 + 8 + 8 + 16 + 24 + ORGKEY_PLAIN + crypto_secretbox_MACBYTES,
	       "key file layout");

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* ------------------------------------------------------------ KDF */

int kith_crypto_kdf_check(const struct kith_crypto_kdf *kdf, struct kith_err *err)
{
	if (kdf->alg != crypto_pwhash_ALG_ARGON2ID13)
		return kith_err_set(err, KITH_E_CORRUPT, "kdf", "unknown key derivation algorithm %d",
				    kdf->alg);
	if (kdf->opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || kdf->opslimit > 64)
		return kith_err_set(err, KITH_E_CORRUPT, "kdf", "key derivation passes out of range");
	if (kdf->memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
	    kdf->memlimit > crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE)
		return kith_err_set(err, KITH_E_CORRUPT, "kdf", "key derivation memory out of range");
	return KITH_OK;
}

int kith_crypto_kek_derive(struct kith_crypto_key **out, const char *pass, size_t len,
			   const struct kith_crypto_kdf *kdf, struct kith_err *err)
{
	if (!pass || len == 0)
		return kith_err_set(err, KITH_E_INVALID, "passphrase", "the passphrase is empty");
	int rc = kith_crypto_kdf_check(kdf, err);
	if (rc)
		return rc;
	struct kith_crypto_key *k = calloc(1, sizeof *k);
	if (!k)
		return kith_err_set(err, KITH_E_NOMEM, "kdf", "out of memory");
	k->k = sodium_malloc(32);
	if (!k->k) {
		free(k);
		return kith_err_set(err, KITH_E_NOMEM, "kdf", "out of guarded memory");
	}
	if (crypto_pwhash(k->k, 32, pass, len, kdf->salt, kdf->opslimit, kdf->memlimit, kdf->alg) != 0) {
		kith_crypto_key_free(k);
		return kith_err_set(err, KITH_E_NOMEM, "kdf", "key derivation needs %zu MiB of memory",
				    kdf->memlimit >> 20);
	}
	(void)sodium_mprotect_readonly(k->k);
	*out = k;
	return KITH_OK;
}

void kith_crypto_key_free(struct kith_crypto_key *k)
{
	if (!k)
		return;
	if (k->k) {
		(void)sodium_mprotect_readwrite(k->k);
		sodium_free(k->k); /* wipes */
	}
	free(k);
}

/* ------------------------------------------------------------ keys */

static struct kith_crypto_keys *keys_alloc(void)
{
	struct kith_crypto_keys *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->m = sodium_malloc(sizeof *k->m);
	if (!k->m) {
		free(k);
		return NULL;
	}
	sodium_memzero(k->m, sizeof *k->m);
	return k;
}

/* Completes keys whose secret parts are set in k->m (writable): public keys,
 * wrap key; then makes them idle. */
static int keys_finish(struct kith_crypto_keys *k)
{
	if (crypto_sign_ed25519_sk_to_pk(k->sign_pk, k->m->sign_sk) != 0 ||
	    crypto_scalarmult_base(k->box_pk, k->m->box_sk) != 0 ||
	    crypto_kdf_derive_from_key(k->m->wrap, sizeof k->m->wrap, WRAP_KDF_ID, wrap_kdf_ctx,
				       k->m->box_sk) != 0)
		return KITH_E_CRYPTO;
	if (k->has_org) {
		int bad = crypto_kdf_derive_from_key(k->m->seed, sizeof k->m->seed, ORG_SIGN_KDF_ID,
						     org_sign_kdf_ctx, k->m->org_sk) != 0 ||
			  crypto_sign_seed_keypair(k->org_spk, k->m->org_ssk, k->m->seed) != 0;
		sodium_memzero(k->m->seed, sizeof k->m->seed);
		if (bad)
			return KITH_E_CRYPTO;
	}
	if (sodium_mprotect_noaccess(k->m) != 0)
		return KITH_E_CRYPTO;
	k->uses = 0;
	return KITH_OK;
}

int kith_crypto_keys_generate(struct kith_crypto_keys **out, const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
			      const uint8_t *org_pk, const struct kith_crypto_org *org, struct kith_err *err)
{
	struct kith_crypto_keys *k = keys_alloc();
	if (!k)
		return kith_err_set(err, KITH_E_NOMEM, "keys", "out of guarded memory");
	memcpy(k->vault_id, vault_id, KITH_CRYPTO_ID_BYTES);
	uint8_t pk_unused[crypto_sign_PUBLICKEYBYTES];
	int bad = crypto_sign_keypair(pk_unused, k->m->sign_sk) != 0;
	bad |= crypto_box_keypair(k->box_pk, k->m->box_sk) != 0;
	if (org) {
		memcpy(k->org_pk, org->pk, sizeof k->org_pk);
		memcpy(k->m->org_sk, org->sk, sizeof k->m->org_sk);
		k->has_org = 1;
	} else if (org_pk) {
		memcpy(k->org_pk, org_pk, sizeof k->org_pk);
		k->has_org = 0;
	} else {
		bad |= crypto_box_keypair(k->org_pk, k->m->org_sk) != 0;
		k->has_org = 1;
	}
	if (bad || keys_finish(k)) {
		kith_crypto_keys_free(k);
		return kith_err_set(err, KITH_E_CRYPTO, "keys", "key generation failed");
	}
	*out = k;
	return KITH_OK;
}

void kith_crypto_keys_free(struct kith_crypto_keys *k)
{
	if (!k)
		return;
	if (k->m) {
		(void)sodium_mprotect_readwrite(k->m);
		sodium_free(k->m); /* wipes */
	}
	sodium_memzero(k, sizeof *k);
	free(k);
}

int kith_crypto_keys_access(struct kith_crypto_keys *k, int on)
{
	if (on) {
		if (k->uses++ == 0 && sodium_mprotect_readonly(k->m) != 0) {
			k->uses--;
			return KITH_E_CRYPTO;
		}
		return KITH_OK;
	}
	if (KITH_NEVER(k->uses <= 0))
		return KITH_E_INTERNAL;
	if (--k->uses == 0 && sodium_mprotect_noaccess(k->m) != 0)
		return KITH_E_CRYPTO;
	return KITH_OK;
}

const uint8_t *kith_crypto_keys_sign_pk(const struct kith_crypto_keys *k)
{
	return k->sign_pk;
}
const uint8_t *kith_crypto_keys_box_pk(const struct kith_crypto_keys *k)
{
	return k->box_pk;
}
const uint8_t *kith_crypto_keys_org_pk(const struct kith_crypto_keys *k)
{
	return k->org_pk;
}
const uint8_t *kith_crypto_keys_vault_id(const struct kith_crypto_keys *k)
{
	return k->vault_id;
}
int kith_crypto_keys_holds_org(const struct kith_crypto_keys *k)
{
	return k->has_org;
}
const uint8_t *kith_crypto_keys_org_sign_pk(const struct kith_crypto_keys *k)
{
	return k->has_org || k->field ? k->org_spk : NULL;
}
int kith_crypto_keys_enrol_signed(const struct kith_crypto_keys *k)
{
	return k->enrol_signed;
}
int kith_crypto_keys_format2(const struct kith_crypto_keys *k)
{
	return k->fmt2;
}

void kith_crypto_keys_set_format2(struct kith_crypto_keys *k, int on)
{
	k->fmt2 = on != 0;
}

int kith_crypto_keys_anchored(const struct kith_crypto_keys *k)
{
	return k->anchored;
}

void kith_crypto_keys_set_anchored(struct kith_crypto_keys *k, int on)
{
	k->anchored = on != 0;
}

void kith_crypto_keys_set_enrol_signed(struct kith_crypto_keys *k, int on)
{
	k->enrol_signed = on != 0;
}

static void enrol_message(uint8_t m[sizeof enrol_domain - 1 + 16 + 32 + 32],
			  const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
			  const uint8_t sign_pk[KITH_CRYPTO_PK_BYTES],
			  const uint8_t box_pk[KITH_CRYPTO_PK_BYTES])
{
	size_t o = sizeof enrol_domain - 1;
	memcpy(m, enrol_domain, o);
	memcpy(m + o, vault_id, KITH_CRYPTO_ID_BYTES);
	memcpy(m + o + 16, sign_pk, KITH_CRYPTO_PK_BYTES);
	memcpy(m + o + 48, box_pk, KITH_CRYPTO_PK_BYTES);
}

int kith_crypto_enrol_sign(const struct kith_crypto_keys *k, const uint8_t sign_pk[KITH_CRYPTO_PK_BYTES],
			   const uint8_t box_pk[KITH_CRYPTO_PK_BYTES], uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	if (!k->has_org)
		return KITH_E_NOTFOUND;
	uint8_t m[sizeof enrol_domain - 1 + 80];
	enrol_message(m, k->vault_id, sign_pk, box_pk);
	return crypto_sign_detached(sig, NULL, m, sizeof m, k->m->org_ssk) == 0 ? KITH_OK : KITH_E_CRYPTO;
}

int kith_crypto_enrol_verify(const uint8_t org_spk[KITH_CRYPTO_PK_BYTES],
			     const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
			     const uint8_t sign_pk[KITH_CRYPTO_PK_BYTES],
			     const uint8_t box_pk[KITH_CRYPTO_PK_BYTES],
			     const uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	uint8_t m[sizeof enrol_domain - 1 + 80];
	enrol_message(m, vault_id, sign_pk, box_pk);
	return crypto_sign_verify_detached(sig, m, sizeof m, org_spk) == 0 ? KITH_OK : KITH_E_CORRUPT;
}

void kith_crypto_keys_device_id(const struct kith_crypto_keys *k, char hex[17])
{
	sodium_bin2hex(hex, 17, k->sign_pk, 8);
}

/* ------------------------------------------------------------ slots */

static int slot_seal(const uint8_t *bundle, const struct kith_crypto_key *kek,
		     uint8_t nonce[KITH_CRYPTO_NONCE_BYTES], uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES],
		     struct kith_err *err)
{
	randombytes_buf(nonce, KITH_CRYPTO_NONCE_BYTES);
	if (crypto_secretbox_easy(box, bundle, KITH_CRYPTO_BUNDLE_BYTES, nonce, kek->k) != 0)
		return kith_err_set(err, KITH_E_CRYPTO, "slot", "sealing the key slot failed");
	return KITH_OK;
}

int kith_crypto_slot_seal_keys(const struct kith_crypto_keys *k, const struct kith_crypto_key *kek,
			       uint8_t nonce[KITH_CRYPTO_NONCE_BYTES],
			       uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES], struct kith_err *err)
{
	uint8_t *b = sodium_malloc(KITH_CRYPTO_BUNDLE_BYTES);
	if (!b)
		return kith_err_set(err, KITH_E_NOMEM, "slot", "out of guarded memory");
	sodium_memzero(b, KITH_CRYPTO_BUNDLE_BYTES);
	b[B_TYPE] = 'K';
	b[B_VERSION] = BUNDLE_VERSION;
	int field = !k->has_org && k->field;
	b[B_FLAGS] = (uint8_t)((k->has_org ? 1 : 0) | (k->enrol_signed ? 2 : 0) | (field ? 4 : 0) |
			       (k->fmt2 ? 8 : 0) | (k->anchored ? 16 : 0));
	memcpy(b + B_VAULT, k->vault_id, KITH_CRYPTO_ID_BYTES);
	memcpy(b + B_ORG_PK, k->org_pk, KITH_CRYPTO_PK_BYTES);
	memcpy(b + B_SIGN_SK, k->m->sign_sk, sizeof k->m->sign_sk);
	memcpy(b + B_BOX_SK, k->m->box_sk, sizeof k->m->box_sk);
	if (k->has_org)
		memcpy(b + B_ORG_SK, k->m->org_sk, sizeof k->m->org_sk);
	else if (field)
		memcpy(b + B_ORG_SK, k->org_spk, sizeof k->org_spk); /* field: org_spk */
	int rc = slot_seal(b, kek, nonce, box, err);
	sodium_free(b);
	return rc;
}

int kith_crypto_slot_seal_duress(const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
				 const struct kith_crypto_key *kek, uint8_t nonce[KITH_CRYPTO_NONCE_BYTES],
				 uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES], struct kith_err *err)
{
	uint8_t b[KITH_CRYPTO_BUNDLE_BYTES];
	randombytes_buf(b, sizeof b);
	b[B_TYPE] = 'D';
	b[B_VERSION] = BUNDLE_VERSION;
	b[B_FLAGS] = 0;
	b[3] = 0;
	memcpy(b + B_VAULT, vault_id, KITH_CRYPTO_ID_BYTES);
	int rc = slot_seal(b, kek, nonce, box, err);
	sodium_memzero(b, sizeof b);
	return rc;
}

void kith_crypto_slot_random(uint8_t nonce[KITH_CRYPTO_NONCE_BYTES], uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES])
{
	randombytes_buf(nonce, KITH_CRYPTO_NONCE_BYTES);
	randombytes_buf(box, KITH_CRYPTO_SLOT_BOX_BYTES);
}

int kith_crypto_slot_open(const struct kith_crypto_key *kek, const uint8_t nonce[KITH_CRYPTO_NONCE_BYTES],
			  const uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES], struct kith_crypto_keys **keys,
			  uint8_t vault_id[KITH_CRYPTO_ID_BYTES], struct kith_err *err)
{
	uint8_t *b = sodium_malloc(KITH_CRYPTO_BUNDLE_BYTES);
	if (!b)
		return kith_err_set(err, KITH_E_NOMEM, "slot", "out of guarded memory");
	int rc;
	if (crypto_secretbox_open_easy(b, box, KITH_CRYPTO_SLOT_BOX_BYTES, nonce, kek->k) != 0) {
		rc = kith_err_set(err, KITH_E_AUTH, "slot", "wrong passphrase");
		goto out;
	}
	if (b[B_VERSION] != BUNDLE_VERSION || (b[B_TYPE] != 'K' && b[B_TYPE] != 'D')) {
		rc = kith_err_set(err, KITH_E_CORRUPT, "slot", "unknown key bundle version %u", b[B_VERSION]);
		goto out;
	}
	memcpy(vault_id, b + B_VAULT, KITH_CRYPTO_ID_BYTES);
	if (b[B_TYPE] == 'D') {
		rc = KITH_CRYPTO_SLOT_DURESS;
		goto out;
	}
	if (keys) {
		struct kith_crypto_keys *k = keys_alloc();
		if (!k) {
			rc = kith_err_set(err, KITH_E_NOMEM, "slot", "out of guarded memory");
			goto out;
		}
		memcpy(k->vault_id, b + B_VAULT, KITH_CRYPTO_ID_BYTES);
		memcpy(k->org_pk, b + B_ORG_PK, KITH_CRYPTO_PK_BYTES);
		memcpy(k->m->sign_sk, b + B_SIGN_SK, sizeof k->m->sign_sk);
		memcpy(k->m->box_sk, b + B_BOX_SK, sizeof k->m->box_sk);
		k->has_org = b[B_FLAGS] & 1;
		k->enrol_signed = (b[B_FLAGS] & 2) != 0;
		k->field = !k->has_org && (b[B_FLAGS] & 4) != 0;
		k->fmt2 = (b[B_FLAGS] & 8) != 0;
		k->anchored = (b[B_FLAGS] & 16) != 0;
		if (k->field)
			memcpy(k->org_spk, b + B_ORG_SK, sizeof k->org_spk);
		int bad = 0;
		if (k->has_org) {
			uint8_t pk[KITH_CRYPTO_PK_BYTES];
			memcpy(k->m->org_sk, b + B_ORG_SK, sizeof k->m->org_sk);
			bad = crypto_scalarmult_base(pk, k->m->org_sk) != 0 ||
			      sodium_memcmp(pk, k->org_pk, sizeof pk) != 0;
		}
		if (bad || keys_finish(k)) {
			kith_crypto_keys_free(k);
			rc = kith_err_set(err, KITH_E_CORRUPT, "slot",
					  "the key bundle does not hold together");
			goto out;
		}
		*keys = k;
	}
	rc = KITH_CRYPTO_SLOT_KEYS;
out:
	sodium_free(b);
	return rc;
}

/* ------------------------------------------------------------ rows */

size_t kith_crypto_bucket(size_t n)
{
	if (n > KITH_CRYPTO_PLAIN_MAX)
		return 0;
	if (n <= 256)
		return 256;
	if (n <= 65536) { /* a quarter of the power of two at or below n: 2^e, 1.25 2^e, ... 2^(e+1) */
		size_t p = 256;
		while (p * 2 <= n)
			p *= 2;
		size_t step = p / 4;
		return (n + step - 1) / step * step;
	}
	return (n + 65535) / 65536 * 65536;
}

void kith_crypto_pad(uint8_t *buf, size_t len, size_t bucket)
{
	buf[len] = 0x80;
	memset(buf + len + 1, 0, bucket - len - 1);
}

static void row_ad(uint8_t ad[KITH_CRYPTO_AD_BYTES], const struct kith_crypto_row *r)
{
	memcpy(ad, r->id, KITH_CRYPTO_ID_BYTES);
	put_be32(ad + KITH_CRYPTO_ID_BYTES, r->version);
	memcpy(ad + KITH_CRYPTO_ID_BYTES + 4, r->device, KITH_CRYPTO_PK_BYTES);
}

static uint8_t *put_field(uint8_t *p, const void *data, size_t len)
{
	put_be64(p, (uint64_t)len);
	memcpy(p + 8, data, len);
	return p + 8 + len;
}

/* The signed message: the domain string, then every stored field as a
 * 64-bit big-endian length and its bytes, in column order. Allocated. */
static uint8_t *row_message(const struct kith_crypto_row *r, size_t *len)
{
	size_t n = sizeof row_domain - 1 + 7 * 8 + KITH_CRYPTO_ID_BYTES + 4 + KITH_CRYPTO_PK_BYTES +
		   KITH_CRYPTO_WRAP_ORG_BYTES + KITH_CRYPTO_WRAP_DEV_BYTES + KITH_CRYPTO_NONCE_BYTES +
		   r->ct_len;
	uint8_t *m = malloc(n);
	if (!m)
		return NULL;
	uint8_t v[4];
	put_be32(v, r->version);
	memcpy(m, row_domain, sizeof row_domain - 1);
	uint8_t *p = m + sizeof row_domain - 1;
	p = put_field(p, r->id, KITH_CRYPTO_ID_BYTES);
	p = put_field(p, v, 4);
	p = put_field(p, r->device, KITH_CRYPTO_PK_BYTES);
	p = put_field(p, r->wrap_org, KITH_CRYPTO_WRAP_ORG_BYTES);
	p = put_field(p, r->wrap_dev, KITH_CRYPTO_WRAP_DEV_BYTES);
	p = put_field(p, r->nonce, KITH_CRYPTO_NONCE_BYTES);
	p = put_field(p, r->ct, r->ct_len);
	*len = (size_t)(p - m);
	return m;
}

int kith_crypto_row_seal(const struct kith_crypto_keys *k, struct kith_crypto_row *row, const void *plain,
			 size_t len, struct kith_err *err)
{
	row->ct = NULL;
	row->ct_len = 0;
	size_t bucket = len < KITH_CRYPTO_PLAIN_MAX ? kith_crypto_bucket(len + 1) : 0;
	if (bucket == 0)
		return kith_err_set(err, KITH_E_LIMIT, "row", "the record is larger than %u bytes",
				    (unsigned)KITH_CRYPTO_PLAIN_MAX);
	uint8_t *ct = malloc(bucket + crypto_aead_xchacha20poly1305_ietf_ABYTES);
	if (!ct)
		return kith_err_set(err, KITH_E_NOMEM, "row", "out of memory");
	memcpy(ct, plain, len);
	kith_crypto_pad(ct, len, bucket);
	memcpy(row->device, k->sign_pk, KITH_CRYPTO_PK_BYTES);
	uint8_t ad[KITH_CRYPTO_AD_BYTES];
	row_ad(ad, row);

	uint8_t dk[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	crypto_aead_xchacha20poly1305_ietf_keygen(dk);
	randombytes_buf(row->nonce, sizeof row->nonce);
	unsigned long long clen = 0;
	/* in place: the plaintext is overwritten by its ciphertext */
	int bad = crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, ct, bucket, ad, sizeof ad, NULL,
							     row->nonce, dk) != 0;
	randombytes_buf(row->wrap_dev, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	bad |= crypto_aead_xchacha20poly1305_ietf_encrypt(
		   row->wrap_dev + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, dk, sizeof dk, ad,
		   sizeof ad, NULL, row->wrap_dev, k->m->wrap) != 0;
	bad |= crypto_box_seal(row->wrap_org, dk, sizeof dk, k->org_pk) != 0;
	sodium_memzero(dk, sizeof dk);
	if (bad) {
		free(ct);
		return kith_err_set(err, KITH_E_CRYPTO, "row", "encryption failed");
	}
	row->ct = ct;
	row->ct_len = (size_t)clen;
	int rc = kith_crypto_row_sign(k, row);
	if (rc) {
		free(ct);
		row->ct = NULL;
		row->ct_len = 0;
		return kith_err_set(err, rc, "row", rc == KITH_E_NOMEM ? "out of memory" : "signing failed");
	}
	return KITH_OK;
}

int kith_crypto_row_sign(const struct kith_crypto_keys *k, struct kith_crypto_row *row)
{
	size_t mlen;
	uint8_t *m = row_message(row, &mlen);
	if (!m)
		return KITH_E_NOMEM;
	int bad = crypto_sign_detached(row->sig, NULL, m, mlen, k->m->sign_sk) != 0;
	free(m);
	return bad ? KITH_E_CRYPTO : KITH_OK;
}

/* The signature check. For this device's own rows the signature is
 * recomputed and compared: Ed25519 (RFC 8032) is deterministic, so the one
 * valid signature this device makes of a message is the stored one; signing
 * costs less than half a verification. A mismatch falls back to a full
 * verification (a libsodium built with ED25519_NONDETERMINISTIC). */
static int row_signature_ok(const struct kith_crypto_keys *k, const struct kith_crypto_row *row, int own,
			    int *nomem)
{
	size_t mlen;
	uint8_t *m = row_message(row, &mlen);
	if (!m) {
		*nomem = 1;
		return 0;
	}
	int ok = 0;
	if (own) {
		uint8_t sig[crypto_sign_BYTES];
		if (crypto_sign_detached(sig, NULL, m, mlen, k->m->sign_sk) == 0 &&
		    sodium_memcmp(sig, row->sig, sizeof sig) == 0)
			ok = 1;
	}
	if (!ok)
		ok = crypto_sign_verify_detached(row->sig, m, mlen, row->device) == 0;
	free(m);
	return ok;
}

int kith_crypto_row_open(const struct kith_crypto_keys *k, const struct kith_crypto_row *row,
			 struct kith_sbuf *plain, const char **reason, struct kith_err *err)
{
	static const char *const r_sig = "bad signature", *const r_unwrap = "key unwrap failed",
				 *const r_auth = "authentication failed", *const r_pad = "bad padding";
	kith_sbuf_reset(plain);
	*reason = NULL;
	int own = sodium_memcmp(row->device, k->sign_pk, KITH_CRYPTO_PK_BYTES) == 0;
	if (!own && !k->has_org)
		return kith_err_set(err, KITH_E_AUTH, "row", "no key for a row of another device");
	size_t abytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
	if (row->ct_len < 256 + abytes || row->ct_len > KITH_CRYPTO_PLAIN_MAX + abytes ||
	    kith_crypto_bucket(row->ct_len - abytes) != row->ct_len - abytes) {
		*reason = r_pad;
		return kith_err_set(err, KITH_E_CORRUPT, "row", "%s", r_pad);
	}
	int nomem = 0;
	if (!row_signature_ok(k, row, own, &nomem)) {
		if (nomem)
			return kith_err_set(err, KITH_E_NOMEM, "row", "out of memory");
		*reason = r_sig;
		return kith_err_set(err, KITH_E_CORRUPT, "row", "%s", r_sig);
	}
	uint8_t ad[KITH_CRYPTO_AD_BYTES];
	row_ad(ad, row);
	uint8_t dk[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	int bad;
	if (own) {
		unsigned long long dlen = 0;
		bad = crypto_aead_xchacha20poly1305_ietf_decrypt(
			  dk, &dlen, NULL, row->wrap_dev + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
			  KITH_CRYPTO_WRAP_DEV_BYTES - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad,
			  sizeof ad, row->wrap_dev, k->m->wrap) != 0 ||
		      dlen != sizeof dk;
	} else {
		bad = crypto_box_seal_open(dk, row->wrap_org, KITH_CRYPTO_WRAP_ORG_BYTES, k->org_pk,
					   k->m->org_sk) != 0;
	}
	if (bad) {
		sodium_memzero(dk, sizeof dk);
		*reason = r_unwrap;
		return kith_err_set(err, KITH_E_CORRUPT, "row", "%s", r_unwrap);
	}
	size_t plen = row->ct_len - abytes;
	if (kith_sbuf_grow(plain, plen)) {
		sodium_memzero(dk, sizeof dk);
		return kith_err_set(err, KITH_E_NOMEM, "row", "out of memory");
	}
	unsigned long long mlen = 0;
	bad = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain->buf, &mlen, NULL, row->ct,
							 row->ct_len, ad, sizeof ad, row->nonce, dk) != 0;
	sodium_memzero(dk, sizeof dk);
	if (bad) {
		kith_sbuf_reset(plain);
		*reason = r_auth;
		return kith_err_set(err, KITH_E_CORRUPT, "row", "%s", r_auth);
	}
	/* Unpadding as sodium_unpad, without its constant-time walk over the
	 * whole bucket: the plaintext length is no secret from this process, and
	 * the bytes were authenticated above. */
	const unsigned char *u = (const unsigned char *)plain->buf;
	size_t ulen = (size_t)mlen;
	while (ulen > 0 && u[ulen - 1] == 0)
		ulen--;
	if (ulen == 0 || u[ulen - 1] != 0x80) {
		kith_sbuf_reset(plain);
		*reason = r_pad;
		return kith_err_set(err, KITH_E_CORRUPT, "row", "%s", r_pad);
	}
	ulen--;
	sodium_memzero(plain->buf + ulen, (size_t)mlen - ulen);
	plain->len = ulen;
	plain->buf[ulen] = '\0';
	return KITH_OK;
}

/* ------------------------------------------------------------ signatures */

int kith_crypto_sign(const struct kith_crypto_keys *k, const void *m, size_t len,
		     uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	return crypto_sign_detached(sig, NULL, m, len, k->m->sign_sk) == 0 ? KITH_OK : KITH_E_CRYPTO;
}

int kith_crypto_verify(const uint8_t pk[KITH_CRYPTO_PK_BYTES], const void *m, size_t len,
		       const uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	return crypto_sign_verify_detached(sig, m, len, pk) == 0 ? KITH_OK : KITH_E_CORRUPT;
}

/* ------------------------------------------------------------ organization key backup */

/* Key file layout (KITH_CRYPTO_ORGKEY_FILE_BYTES, big-endian integers):
 *   0 magic "KITHORGK" | 8 format u32 | 12 alg u32 | 16 opslimit u64 |
 *   24 memlimit u64 | 32 salt 16 | 48 nonce 24 | 72 secretbox("ORG1" pk sk) 84 */
#define KF_FORMAT 8
#define KF_ALG 12
#define KF_OPS 16
#define KF_MEM 24
#define KF_SALT 32
#define KF_NONCE 48
#define KF_BOX 72

int kith_crypto_orgkey_export(const struct kith_crypto_keys *k, const char *pass, size_t pass_len,
			      unsigned long long opslimit, size_t memlimit, struct kith_sbuf *out,
			      struct kith_err *err)
{
	if (!k->has_org)
		return kith_err_set(err, KITH_E_NOTFOUND, "org key",
				    "this device does not hold the organization key");
	struct kith_crypto_kdf kdf = {
	    .opslimit = opslimit, .memlimit = memlimit, .alg = crypto_pwhash_ALG_ARGON2ID13};
	randombytes_buf(kdf.salt, sizeof kdf.salt);
	struct kith_crypto_key *key = NULL;
	int rc = kith_crypto_kek_derive(&key, pass, pass_len, &kdf, err);
	if (rc)
		return rc;
	uint8_t file[KITH_CRYPTO_ORGKEY_FILE_BYTES];
	memcpy(file, orgkey_magic, sizeof orgkey_magic);
	put_be32(file + KF_FORMAT, KITH_CRYPTO_ORGKEY_FORMAT);
	put_be32(file + KF_ALG, (uint32_t)kdf.alg);
	put_be64(file + KF_OPS, kdf.opslimit);
	put_be64(file + KF_MEM, kdf.memlimit);
	memcpy(file + KF_SALT, kdf.salt, sizeof kdf.salt);
	randombytes_buf(file + KF_NONCE, crypto_secretbox_NONCEBYTES);
	uint8_t *p = sodium_malloc(ORGKEY_PLAIN);
	if (!p) {
		kith_crypto_key_free(key);
		return kith_err_set(err, KITH_E_NOMEM, "org key", "out of guarded memory");
	}
	memcpy(p, "ORG1", 4);
	memcpy(p + 4, k->org_pk, 32);
	memcpy(p + 36, k->m->org_sk, 32);
	int bad = crypto_secretbox_easy(file + KF_BOX, p, ORGKEY_PLAIN, file + KF_NONCE, key->k) != 0;
	sodium_free(p);
	kith_crypto_key_free(key);
	if (bad)
		return kith_err_set(err, KITH_E_CRYPTO, "org key", "encryption failed");
	if (kith_sbuf_add(out, file, sizeof file))
		return kith_err_set(err, KITH_E_NOMEM, "org key", "out of memory");
	return KITH_OK;
}

int kith_crypto_orgkey_import(struct kith_crypto_org **out, const void *data, size_t len, const char *pass,
			      size_t pass_len, struct kith_err *err)
{
	const uint8_t *f = data;
	if (len < KF_ALG || memcmp(f, orgkey_magic, sizeof orgkey_magic) != 0)
		return kith_err_set(err, KITH_E_INVALID, "key file", "not a kith organization key file");
	uint32_t format = get_be32(f + KF_FORMAT);
	if (format > KITH_CRYPTO_ORGKEY_FORMAT)
		return kith_err_set(err, KITH_E_INVALID, "key file",
				    "key file format %u is newer than this kith", (unsigned)format);
	if (format != KITH_CRYPTO_ORGKEY_FORMAT || len != KITH_CRYPTO_ORGKEY_FILE_BYTES)
		return kith_err_set(err, KITH_E_INVALID, "key file", "malformed organization key file");
	struct kith_crypto_kdf kdf;
	kdf.alg = (int)get_be32(f + KF_ALG);
	kdf.opslimit = get_be64(f + KF_OPS);
	uint64_t mem = get_be64(f + KF_MEM);
	kdf.memlimit = mem > SIZE_MAX ? SIZE_MAX : (size_t)mem;
	memcpy(kdf.salt, f + KF_SALT, sizeof kdf.salt);
	if (kith_crypto_kdf_check(&kdf, NULL))
		return kith_err_set(err, KITH_E_INVALID, "key file",
				    "the key file's key derivation parameters are out of range");
	struct kith_crypto_key *key = NULL;
	int rc = kith_crypto_kek_derive(&key, pass, pass_len, &kdf, err);
	if (rc)
		return rc;
	struct kith_crypto_org *org = calloc(1, sizeof *org);
	uint8_t *p = sodium_malloc(ORGKEY_PLAIN);
	if (org)
		org->sk = sodium_malloc(32);
	if (!org || !p || !org->sk) {
		rc = kith_err_set(err, KITH_E_NOMEM, "key file", "out of guarded memory");
		goto fail;
	}
	if (crypto_secretbox_open_easy(p, f + KF_BOX, ORGKEY_PLAIN + crypto_secretbox_MACBYTES, f + KF_NONCE,
				       key->k) != 0) {
		rc = kith_err_set(err, KITH_E_AUTH, "key file", "wrong passphrase for the key file");
		goto fail;
	}
	uint8_t pk[32];
	if (memcmp(p, "ORG1", 4) != 0 || crypto_scalarmult_base(pk, p + 36) != 0 ||
	    sodium_memcmp(pk, p + 4, 32) != 0) {
		rc =
		    kith_err_set(err, KITH_E_AUTH, "key file", "the key file does not hold a valid key pair");
		goto fail;
	}
	memcpy(org->pk, pk, 32);
	org->opslimit = kdf.opslimit;
	org->memlimit = kdf.memlimit;
	memcpy(org->sk, p + 36, 32);
	(void)sodium_mprotect_readonly(org->sk);
	sodium_free(p);
	kith_crypto_key_free(key);
	*out = org;
	return KITH_OK;
fail:
	if (p)
		sodium_free(p);
	kith_crypto_org_free(org);
	kith_crypto_key_free(key);
	return rc;
}

const uint8_t *kith_crypto_org_pk(const struct kith_crypto_org *org)
{
	return org->pk;
}

void kith_crypto_org_kdf(const struct kith_crypto_org *org, unsigned long long *opslimit, size_t *memlimit)
{
	*opslimit = org->opslimit;
	*memlimit = org->memlimit;
}

void kith_crypto_org_free(struct kith_crypto_org *org)
{
	if (!org)
		return;
	if (org->sk) {
		(void)sodium_mprotect_readwrite(org->sk);
		sodium_free(org->sk);
	}
	free(org);
}

/* ------------------------------------------------------------ field devices (issue 12) */

int kith_crypto_keys_field(struct kith_crypto_keys **out, const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
			   const uint8_t org_pk[KITH_CRYPTO_PK_BYTES],
			   const uint8_t org_spk[KITH_CRYPTO_PK_BYTES],
			   const uint8_t sign_sk[KITH_CRYPTO_FIELD_SIGN_SK_BYTES],
			   const uint8_t box_sk[KITH_CRYPTO_FIELD_BOX_SK_BYTES], struct kith_err *err)
{
	struct kith_crypto_keys *k = keys_alloc();
	if (!k)
		return kith_err_set(err, KITH_E_NOMEM, "keys", "out of guarded memory");
	memcpy(k->vault_id, vault_id, KITH_CRYPTO_ID_BYTES);
	memcpy(k->org_pk, org_pk, KITH_CRYPTO_PK_BYTES);
	memcpy(k->org_spk, org_spk, KITH_CRYPTO_PK_BYTES);
	memcpy(k->m->sign_sk, sign_sk, sizeof k->m->sign_sk);
	memcpy(k->m->box_sk, box_sk, sizeof k->m->box_sk);
	k->field = 1;
	k->enrol_signed = 1;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	int bad = crypto_sign_ed25519_sk_to_pk(pk, k->m->sign_sk) != 0 ||
		  sodium_memcmp(pk, sign_sk + crypto_sign_SEEDBYTES, sizeof pk) != 0;
	if (bad || keys_finish(k)) {
		kith_crypto_keys_free(k);
		return kith_err_set(err, KITH_E_CORRUPT, "keys", "the device keys do not hold together");
	}
	*out = k;
	return KITH_OK;
}

int kith_crypto_keys_is_field(const struct kith_crypto_keys *k)
{
	return k->field;
}

void kith_crypto_keys_device_secrets(const struct kith_crypto_keys *k,
				     uint8_t sign_sk[KITH_CRYPTO_FIELD_SIGN_SK_BYTES],
				     uint8_t box_sk[KITH_CRYPTO_FIELD_BOX_SK_BYTES])
{
	memcpy(sign_sk, k->m->sign_sk, sizeof k->m->sign_sk);
	memcpy(box_sk, k->m->box_sk, sizeof k->m->box_sk);
}

int kith_crypto_org_sign(const struct kith_crypto_keys *k, const void *m, size_t len,
			 uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	if (!k->has_org)
		return KITH_E_NOTFOUND;
	return crypto_sign_detached(sig, NULL, m, len, k->m->org_ssk) == 0 ? KITH_OK : KITH_E_CRYPTO;
}

int kith_crypto_enrol_sign_vault(const struct kith_crypto_keys *k,
				 const uint8_t vault_id[KITH_CRYPTO_ID_BYTES],
				 const uint8_t sign_pk[KITH_CRYPTO_PK_BYTES],
				 const uint8_t box_pk[KITH_CRYPTO_PK_BYTES],
				 uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	uint8_t m[sizeof enrol_domain - 1 + 16 + 32 + 32];
	enrol_message(m, vault_id, sign_pk, box_pk);
	return kith_crypto_org_sign(k, m, sizeof m, sig);
}

int kith_crypto_org_unseal(const struct kith_crypto_keys *k, const uint8_t *c, size_t clen, uint8_t *m)
{
	if (!k->has_org)
		return KITH_E_NOTFOUND;
	return crypto_box_seal_open(m, c, clen, k->org_pk, k->m->org_sk) == 0 ? KITH_OK : KITH_E_AUTH;
}

/* ------------------------------------------------------------ format 2 (batches) */

int kith_crypto_batch_wrap_dev(const struct kith_crypto_keys *k, const uint8_t bk[32], const uint8_t *ad,
			       size_t ad_len, uint8_t out[KITH_CRYPTO_WRAP_DEV_BYTES])
{
	randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	return crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
							  NULL, bk, 32, ad, ad_len, NULL, out,
							  k->m->wrap) == 0
		   ? KITH_OK
		   : KITH_E_CRYPTO;
}

int kith_crypto_batch_unwrap_dev(const struct kith_crypto_keys *k,
				 const uint8_t in[KITH_CRYPTO_WRAP_DEV_BYTES], const uint8_t *ad,
				 size_t ad_len, uint8_t bk[32])
{
	unsigned long long len = 0;
	int bad = crypto_aead_xchacha20poly1305_ietf_decrypt(
		      bk, &len, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		      KITH_CRYPTO_WRAP_DEV_BYTES - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad, ad_len,
		      in, k->m->wrap) != 0 ||
		  len != 32;
	if (bad)
		sodium_memzero(bk, 32);
	return bad ? KITH_E_CORRUPT : KITH_OK;
}

int kith_crypto_sign_ph(const struct kith_crypto_keys *k, const void *m, size_t len,
			uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	crypto_sign_state st;
	int bad = crypto_sign_init(&st) != 0 || crypto_sign_update(&st, m, len) != 0 ||
		  crypto_sign_final_create(&st, sig, NULL, k->m->sign_sk) != 0;
	sodium_memzero(&st, sizeof st);
	return bad ? KITH_E_CRYPTO : KITH_OK;
}

int kith_crypto_verify_ph(const uint8_t pk[KITH_CRYPTO_PK_BYTES], const void *m, size_t len,
			  const uint8_t sig[KITH_CRYPTO_SIG_BYTES])
{
	crypto_sign_state st;
	int bad = crypto_sign_init(&st) != 0 || crypto_sign_update(&st, m, len) != 0 ||
		  crypto_sign_final_verify(&st, sig, pk) != 0;
	return bad ? KITH_E_CORRUPT : KITH_OK;
}

#define ANCHOR_KDF_ID 1
static const char anchor_kdf_ctx[crypto_kdf_CONTEXTBYTES + 1] = "kithanch";

int kith_crypto_anchor_mac(const struct kith_crypto_keys *k, const void *m, size_t len, uint8_t mac[32])
{
	uint8_t ak[32];
	int bad = crypto_kdf_derive_from_key(ak, sizeof ak, ANCHOR_KDF_ID, anchor_kdf_ctx, k->m->wrap) != 0 ||
		  crypto_generichash(mac, 32, m, len, ak, sizeof ak) != 0;
	sodium_memzero(ak, sizeof ak);
	return bad ? KITH_E_CRYPTO : KITH_OK;
}

/* The key of a passphrase slot's rollback anchor (anchor.c): keyed BLAKE2b
 * of a KDF subkey of the device's wrap key under a KDF subkey of the KEK —
 * only that passphrase with these keys seals or opens it, so a box left in
 * the file after panic or passwd shredded the slots tests no passphrase. */
static const char slot_anchor_ctx[crypto_kdf_CONTEXTBYTES + 1] = "kithslta";

int kith_crypto_kek_anchor_key(const struct kith_crypto_key *kek, const struct kith_crypto_keys *k,
			       uint8_t out[32])
{
	uint8_t a[32], b[32];
	int bad = crypto_kdf_derive_from_key(a, sizeof a, 1, slot_anchor_ctx, kek->k) != 0 ||
		  crypto_kdf_derive_from_key(b, sizeof b, 2, slot_anchor_ctx, k->m->wrap) != 0 ||
		  crypto_generichash(out, 32, b, sizeof b, a, sizeof a) != 0;
	sodium_memzero(a, sizeof a);
	sodium_memzero(b, sizeof b);
	return bad ? KITH_E_CRYPTO : KITH_OK;
}
