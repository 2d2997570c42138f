/*
 * field — invitations and field vaults on format 1 (field.h; the bytes are in
 * docs/vault-format.md *Field vaults and invitations*).
 */
#include "vault/field.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault/crypto.h"
#include "vault/store.h"
#include "vault/vault_impl.h"

static const char invite_magic[8] = {'K', 'I', 'T', 'H', 'I', 'N', 'V', 'T'};
static const char plain_tag[4] = {'I', 'N', 'V', '1'};
static const char revoke_domain[] = "kith-revoke-v1";
/* Crockford base 32: no I, L, O, U */
static const char code_alphabet[33] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The file: a plaintext header (the AEAD's associated data), then the AEAD. */
#define H_MAGIC 0  /* 8 */
#define H_FORMAT 8 /* 4, big-endian */
#define H_ALG 12   /* 4 */
#define H_OPS 16   /* 8 */
#define H_MEM 24   /* 8 */
#define H_SALT 32  /* 16 */
#define H_NONCE 48 /* 24 */
#define H_BYTES 72

/* The plaintext inside. */
#define P_TAG 0	      /* "INV1" */
#define P_VAULT 4     /* 16: the field vault's id */
#define P_ORG_PK 20   /* 32 */
#define P_ORG_SPK 52  /* 32 */
#define P_SIGN_SK 84  /* 64 */
#define P_BOX_SK 148  /* 32 */
#define P_AUTH 180    /* 64: the device's enrolment for the field vault */
#define P_HQ_SIGN 244 /* 32 */
#define P_HQ_BOX 276  /* 32 */
#define P_HQ_AUTH 308 /* 64: headquarters' device's enrolment for the field vault */
#define P_NAME 372    /* 64: the name, NUL-padded */
#define P_BYTES 436

_Static_assert(H_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == H_BYTES, "invite header");
_Static_assert(H_BYTES + P_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES == KITH_FIELD_INVITE_BYTES,
	       "invite size");
_Static_assert(P_NAME + KITH_FIELD_NAME_MAX == P_BYTES, "invite plaintext");

struct kith_field_invite {
	uint8_t *p; /* sodium_malloc(P_BYTES), read-only after open */
	char name[KITH_FIELD_NAME_MAX];
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

/* ------------------------------------------------------------ codes */

void kith_field_code_new(char code[KITH_FIELD_CODE_TEXT])
{
	size_t o = 0;
	for (int i = 0; i < KITH_FIELD_CODE_CHARS; i++) {
		if (i && i % 4 == 0)
			code[o++] = '-';
		code[o++] = code_alphabet[randombytes_uniform(32)];
	}
	code[o] = '\0';
}

int kith_field_code_norm(const char *in, size_t len, char out[KITH_FIELD_CODE_CHARS + 1],
			 struct kith_err *err)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == ' ' || c == '-' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (!c || !memchr(code_alphabet, c, 32)) {
			sodium_memzero(out, KITH_FIELD_CODE_CHARS + 1);
			return kith_err_set(err, KITH_E_INVALID, "code",
					    "the code holds a character that is not in its alphabet "
					    "(digits and letters but U)");
		}
		if (n == KITH_FIELD_CODE_CHARS) {
			sodium_memzero(out, KITH_FIELD_CODE_CHARS + 1);
			return kith_err_set(err, KITH_E_INVALID, "code",
					    "the code is longer than %d characters", KITH_FIELD_CODE_CHARS);
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != KITH_FIELD_CODE_CHARS) {
		sodium_memzero(out, KITH_FIELD_CODE_CHARS + 1);
		return kith_err_set(err, KITH_E_INVALID, "code", "the code has %zu characters, %d expected",
				    n, KITH_FIELD_CODE_CHARS);
	}
	return KITH_OK;
}

/* Argon2id(code) into key (32 bytes, guarded by the caller). */
static int code_key(uint8_t *key, const char *code16, const uint8_t *hdr, struct kith_err *err)
{
	struct kith_crypto_kdf kdf = {.opslimit = get_be(hdr + H_OPS, 8),
				      .memlimit = (size_t)get_be(hdr + H_MEM, 8),
				      .alg = (int)get_be(hdr + H_ALG, 4)};
	if (get_be(hdr + H_MEM, 8) > SIZE_MAX)
		return kith_err_set(err, KITH_E_INVALID, "kdf", "key derivation memory out of range");
	memcpy(kdf.salt, hdr + H_SALT, sizeof kdf.salt);
	if (kith_crypto_kdf_check(&kdf, err)) {
		if (err)
			err->status = KITH_E_INVALID; /* a parameter of the file, not a damaged vault */
		return KITH_E_INVALID;
	}
	if (crypto_pwhash(key, 32, code16, KITH_FIELD_CODE_CHARS, kdf.salt, kdf.opslimit, kdf.memlimit,
			  kdf.alg) != 0)
		return kith_err_set(err, KITH_E_NOMEM, "kdf", "Argon2id could not get its memory");
	return KITH_OK;
}

static int name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= KITH_FIELD_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------ headquarters */

static int hq_keys(struct kith_vault *hq, struct kith_crypto_keys **k, struct kith_err *err)
{
	*k = kith_vault_keys_borrow(hq);
	if (!*k)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	if (!kith_crypto_keys_holds_org(*k))
		return kith_err_set(err, KITH_E_NOTFOUND, "vault",
				    "this vault does not hold the organization key: only headquarters (or a "
				    "standalone vault) can enrol devices");
	if (kith_crypto_keys_access(*k, 1))
		return kith_err_set(err, KITH_E_CRYPTO, "vault", "the keys could not be made readable");
	return KITH_OK;
}

static void hq_done(struct kith_crypto_keys *k)
{
	vault_keys_idle(k);
}

int kith_field_invite_make(struct kith_vault *hq, const char *name, const char *code, struct kith_sbuf *file,
			   struct kith_field_device *dev, struct kith_err *err)
{
	if (!name || !name_ok(name, strlen(name)))
		return kith_err_set(err, KITH_E_INVALID, "name",
				    "a device name is 1 to 63 letters, digits, '.', '_' or '-'");
	char code16[KITH_FIELD_CODE_CHARS + 1];
	int rc = kith_field_code_norm(code, code ? strlen(code) : 0, code16, err);
	if (rc)
		return rc;
	struct kith_crypto_keys *k = NULL;
	if ((rc = hq_keys(hq, &k, err))) {
		sodium_memzero(code16, sizeof code16);
		return rc;
	}
	struct kith_store_header h;
	struct kith_crypto_keys *d = NULL;
	uint8_t *p = sodium_malloc(P_BYTES);
	uint8_t *key = sodium_malloc(32);
	uint8_t out[KITH_FIELD_INVITE_BYTES];
	if (!p || !key) {
		rc = kith_err_set(err, KITH_E_NOMEM, "invitation", "out of guarded memory");
		goto done;
	}
	sodium_memzero(p, P_BYTES);
	if ((rc = kith_store_header_get(kith_vault_store_borrow(hq), &h, err)))
		goto done;
	memset(dev, 0, sizeof *dev);
	memcpy(dev->name, name, strlen(name) + 1);
	randombytes_buf(dev->vault_id, sizeof dev->vault_id);
	if ((rc = kith_crypto_keys_generate(&d, dev->vault_id, kith_crypto_keys_org_pk(k), NULL, err)))
		goto done;
	memcpy(dev->sign_pk, kith_crypto_keys_sign_pk(d), 32);
	memcpy(dev->box_pk, kith_crypto_keys_box_pk(d), 32);
	if ((rc = kith_crypto_keys_access(d, 1))) {
		rc = kith_err_set(err, KITH_E_CRYPTO, "keys", "the keys could not be made readable");
		goto done;
	}
	memcpy(p + P_TAG, plain_tag, sizeof plain_tag);
	memcpy(p + P_VAULT, dev->vault_id, 16);
	memcpy(p + P_ORG_PK, kith_crypto_keys_org_pk(k), 32);
	memcpy(p + P_ORG_SPK, kith_crypto_keys_org_sign_pk(k), 32);
	kith_crypto_keys_device_secrets(d, p + P_SIGN_SK, p + P_BOX_SK);
	if (kith_crypto_keys_access(d, 0)) {
		/* wiped below */
	}
	memcpy(p + P_HQ_SIGN, kith_crypto_keys_sign_pk(k), 32);
	memcpy(p + P_HQ_BOX, kith_crypto_keys_box_pk(k), 32);
	memcpy(p + P_NAME, name, strlen(name));
	if (kith_crypto_enrol_sign_vault(k, dev->vault_id, dev->sign_pk, dev->box_pk, p + P_AUTH) ||
	    kith_crypto_enrol_sign_vault(k, dev->vault_id, p + P_HQ_SIGN, p + P_HQ_BOX, p + P_HQ_AUTH)) {
		rc = kith_err_set(err, KITH_E_CRYPTO, "invitation", "signing the enrolment failed");
		goto done;
	}
	/* the cost: headquarters' own, never below MODERATE but for a test vault */
	unsigned long long ops = h.opslimit;
	size_t mem = h.memlimit;
	if (h.kdf == KITH_KDF_TEST) {
		ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
		mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
	} else {
		if (ops < crypto_pwhash_argon2id_OPSLIMIT_MODERATE)
			ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		if (mem < crypto_pwhash_argon2id_MEMLIMIT_MODERATE)
			mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
	}
	memcpy(out + H_MAGIC, invite_magic, sizeof invite_magic);
	put_be32(out + H_FORMAT, KITH_FIELD_INVITE_FORMAT);
	put_be32(out + H_ALG, (uint32_t)crypto_pwhash_ALG_ARGON2ID13);
	put_be64(out + H_OPS, ops);
	put_be64(out + H_MEM, mem);
	randombytes_buf(out + H_SALT, 16);
	randombytes_buf(out + H_NONCE, 24);
	if ((rc = code_key(key, code16, out, err)))
		goto done;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + H_BYTES, NULL, p, P_BYTES, out, H_BYTES, NULL,
						       out + H_NONCE, key) != 0) {
		rc = kith_err_set(err, KITH_E_CRYPTO, "invitation", "sealing the invitation failed");
		goto done;
	}
	if (kith_sbuf_add(file, out, sizeof out))
		rc = kith_err_set(err, KITH_E_NOMEM, "invitation", "out of memory");
done:
	sodium_memzero(code16, sizeof code16);
	sodium_free(p);
	sodium_free(key);
	kith_crypto_keys_free(d);
	hq_done(k);
	return rc;
}

int kith_field_enrol_prepare(struct kith_vault *hq, const struct kith_field_device *dev,
			     struct kith_field_enrolment *out, struct kith_err *err)
{
	struct kith_crypto_keys *k = NULL;
	int rc = hq_keys(hq, &k, err);
	if (rc)
		return rc;
	memcpy(out->sign_pk, dev->sign_pk, 32);
	memcpy(out->box_pk, dev->box_pk, 32);
	if (kith_crypto_enrol_sign(k, dev->sign_pk, dev->box_pk, out->auth))
		rc = kith_err_set(err, KITH_E_CRYPTO, "devices", "signing the enrolment failed");
	hq_done(k);
	return rc;
}

int kith_field_enrol_hook(struct kith_store *s, void *enrolment, struct kith_err *err)
{
	const struct kith_field_enrolment *e = enrolment;
	return kith_store_device_put(s, e->sign_pk, e->box_pk, e->auth, err);
}

int kith_field_enrol_hq(struct kith_vault *hq, const struct kith_field_device *dev, struct kith_err *err)
{
	struct kith_crypto_keys *k = NULL;
	int rc = hq_keys(hq, &k, err);
	if (rc)
		return rc;
	uint8_t sig[KITH_CRYPTO_SIG_BYTES];
	struct kith_store *s = kith_vault_store_borrow(hq);
	if (kith_crypto_enrol_sign(k, dev->sign_pk, dev->box_pk, sig))
		rc = kith_err_set(err, KITH_E_CRYPTO, "devices", "signing the enrolment failed");
	else if (!(rc = kith_store_begin(s, err))) {
		if ((rc = kith_store_device_put(s, dev->sign_pk, dev->box_pk, sig, err)) ||
		    (rc = kith_store_commit(s, err)))
			kith_store_rollback(s);
	}
	hq_done(k);
	return rc;
}

static void revoke_message(uint8_t m[sizeof revoke_domain - 1 + 16 + 32 + 8], const uint8_t *vault_id,
			   const uint8_t sign_pk[32], int64_t at)
{
	size_t o = sizeof revoke_domain - 1;
	memcpy(m, revoke_domain, o);
	memcpy(m + o, vault_id, 16);
	memcpy(m + o + 16, sign_pk, 32);
	put_be64(m + o + 48, (uint64_t)at);
}

_Static_assert(KITH_FIELD_REVOKE_MSG == sizeof revoke_domain - 1 + 16 + 32 + 8, "revocation message");

void kith_field_revoke_message(uint8_t m[KITH_FIELD_REVOKE_MSG], const uint8_t vault_id[16],
			       const uint8_t sign_pk[32], int64_t at)
{
	revoke_message(m, vault_id, sign_pk, at);
}

int kith_field_revoke_sign(struct kith_vault *hq, const uint8_t sign_pk[32], int64_t at, uint8_t sig[64],
			   struct kith_err *err)
{
	struct kith_crypto_keys *k = NULL;
	int rc = hq_keys(hq, &k, err);
	if (rc)
		return rc;
	uint8_t m[sizeof revoke_domain - 1 + 16 + 32 + 8];
	revoke_message(m, kith_crypto_keys_vault_id(k), sign_pk, at);
	if (kith_crypto_org_sign(k, m, sizeof m, sig))
		rc = kith_err_set(err, KITH_E_CRYPTO, "devices", "signing the revocation failed");
	hq_done(k);
	return rc;
}

int kith_field_revoke_verify(struct kith_vault *hq, const uint8_t sign_pk[32], int64_t at,
			     const uint8_t sig[64])
{
	struct kith_crypto_keys *k = kith_vault_keys_borrow(hq);
	const uint8_t *ospk = k ? kith_crypto_keys_org_sign_pk(k) : NULL;
	if (!ospk)
		return KITH_E_CORRUPT;
	uint8_t m[sizeof revoke_domain - 1 + 16 + 32 + 8];
	revoke_message(m, kith_crypto_keys_vault_id(k), sign_pk, at);
	return kith_crypto_verify(ospk, m, sizeof m, sig);
}

/* ------------------------------------------------------------ field */

int kith_field_invite_open(struct kith_field_invite **out, const void *data, size_t len, const char *code,
			   size_t code_len, struct kith_err *err)
{
	const uint8_t *f = data;
	if (len < sizeof invite_magic || memcmp(f, invite_magic, sizeof invite_magic) != 0)
		return kith_err_set(err, KITH_E_INVALID, "invitation", "not a kith invitation");
	if (len < H_FORMAT + 4)
		return kith_err_set(err, KITH_E_INVALID, "invitation",
				    "the invitation is cut short (%zu bytes)", len);
	uint64_t format = get_be(f + H_FORMAT, 4);
	if (format != KITH_FIELD_INVITE_FORMAT)
		return kith_err_set(err, KITH_E_INVALID, "format",
				    "invitation format %llu is not one this kith reads (%d)",
				    (unsigned long long)format, KITH_FIELD_INVITE_FORMAT);
	if (len != KITH_FIELD_INVITE_BYTES)
		return kith_err_set(err, KITH_E_INVALID, "invitation",
				    "an invitation is %d bytes, this file has %zu", KITH_FIELD_INVITE_BYTES,
				    len);
	char code16[KITH_FIELD_CODE_CHARS + 1];
	int rc = kith_field_code_norm(code ? code : "", code ? code_len : 0, code16, err);
	if (rc)
		return rc;
	struct kith_field_invite *inv = calloc(1, sizeof *inv);
	uint8_t *key = sodium_malloc(32);
	if (inv)
		inv->p = sodium_malloc(P_BYTES);
	if (!inv || !inv->p || !key) {
		rc = kith_err_set(err, KITH_E_NOMEM, "invitation", "out of guarded memory");
		goto fail;
	}
	if ((rc = code_key(key, code16, f, err)))
		goto fail;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(inv->p, NULL, NULL, f + H_BYTES, len - H_BYTES, f,
						       H_BYTES, f + H_NONCE, key) != 0) {
		rc = kith_err_set(err, KITH_E_AUTH, "code",
				  "the code does not open this invitation (a wrong "
				  "code, or the file was altered)");
		goto fail;
	}
	const uint8_t *p = inv->p;
	if (memcmp(p + P_TAG, plain_tag, sizeof plain_tag) != 0) {
		rc = kith_err_set(err, KITH_E_CORRUPT, "invitation", "unknown invitation contents");
		goto fail;
	}
	const char *nm = (const char *)p + P_NAME;
	size_t nl = strnlen(nm, KITH_FIELD_NAME_MAX);
	int pad_ok = 1;
	for (size_t i = nl; i < KITH_FIELD_NAME_MAX; i++)
		pad_ok &= nm[i] == 0;
	if (!pad_ok || !name_ok(nm, nl)) {
		rc = kith_err_set(err, KITH_E_INVALID, "name",
				  "the device name in the invitation is malformed");
		goto fail;
	}
	memcpy(inv->name, nm, nl);
	inv->name[nl] = '\0';
	/* the device keys hold together, and both enrolments verify */
	struct kith_crypto_keys *k = NULL;
	if ((rc = kith_crypto_keys_field(&k, p + P_VAULT, p + P_ORG_PK, p + P_ORG_SPK, p + P_SIGN_SK,
					 p + P_BOX_SK, err)))
		goto fail;
	int enrol_bad = kith_crypto_enrol_verify(p + P_ORG_SPK, p + P_VAULT, kith_crypto_keys_sign_pk(k),
						 kith_crypto_keys_box_pk(k), p + P_AUTH) != KITH_OK ||
			kith_crypto_enrol_verify(p + P_ORG_SPK, p + P_VAULT, p + P_HQ_SIGN, p + P_HQ_BOX,
						 p + P_HQ_AUTH) != KITH_OK;
	kith_crypto_keys_free(k);
	if (enrol_bad) {
		rc = kith_err_set(err, KITH_E_CORRUPT, "enrolment",
				  "the organization's enrolment signature in the invitation does not verify");
		goto fail;
	}
	if (sodium_mprotect_readonly(inv->p) != 0) {
		rc = kith_err_set(err, KITH_E_CRYPTO, "invitation", "mprotect failed");
		goto fail;
	}
	sodium_memzero(code16, sizeof code16);
	sodium_free(key);
	*out = inv;
	return KITH_OK;
fail:
	sodium_memzero(code16, sizeof code16);
	sodium_free(key);
	kith_field_invite_free(inv);
	return rc;
}

void kith_field_invite_free(struct kith_field_invite *inv)
{
	if (!inv)
		return;
	if (inv->p) {
		(void)sodium_mprotect_readwrite(inv->p);
		sodium_free(inv->p);
	}
	sodium_memzero(inv, sizeof *inv);
	free(inv);
}

const char *kith_field_invite_name(const struct kith_field_invite *inv)
{
	return inv->name;
}

static int kdf_limits(enum kith_kdf kdf, unsigned long long *ops, size_t *mem)
{
	switch (kdf) {
	case KITH_KDF_MODERATE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
		return KITH_OK;
	case KITH_KDF_SENSITIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
		return KITH_OK;
	case KITH_KDF_INTERACTIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
		return KITH_OK;
	case KITH_KDF_TEST:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
		return KITH_OK;
	}
	return KITH_E_INVALID;
}

int kith_vault_create_field(const char *path, const char *pass, size_t pass_len,
			    const struct kith_vault_create_opts *opts, const struct kith_field_invite *inv,
			    struct kith_err *err)
{
	static const struct kith_vault_create_opts none = {0};
	if (!opts)
		opts = &none;
	if (!path || !*path)
		return kith_err_set(err, KITH_E_INVALID, "vault", "no vault path");
	if (!pass || pass_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "passphrase", "the passphrase is empty");
	if (!inv)
		return kith_err_set(err, KITH_E_INVALID, "invitation", "no invitation");
	struct kith_store_header h;
	memset(&h, 0, sizeof h);
	if (kdf_limits(opts->kdf, &h.opslimit, &h.memlimit))
		return kith_err_set(err, KITH_E_INVALID, "kdf", "unknown key derivation level %d",
				    (int)opts->kdf);
	if (opts->duress && opts->duress_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "duress", "the duress passphrase is empty");
	if (opts->duress && opts->duress_len == pass_len && sodium_memcmp(opts->duress, pass, pass_len) == 0)
		return kith_err_set(err, KITH_E_INVALID, "duress",
				    "the duress passphrase equals the passphrase");
	if (access(path, F_OK) == 0)
		return kith_err_set(err, KITH_E_EXISTS, "vault", "a file already exists at this path");
	const uint8_t *p = inv->p;
	/* format 1 until bundles carry batches: a bundle sends format-1 rows */
	h.format = opts->format ? opts->format : 2;
	if (h.format > KITH_STORE_FORMAT)
		return kith_err_set(err, KITH_E_INVALID, "format", "unknown vault format %u",
				    (unsigned)h.format);
	memcpy(h.vault_id, p + P_VAULT, sizeof h.vault_id);
	h.kdf = (int)opts->kdf;
	h.alg = crypto_pwhash_ALG_ARGON2ID13;
	randombytes_buf(h.salt, sizeof h.salt);
	memcpy(h.org_pk, p + P_ORG_PK, sizeof h.org_pk);

	struct kith_crypto_keys *k = NULL;
	int rc = kith_crypto_keys_field(&k, p + P_VAULT, p + P_ORG_PK, p + P_ORG_SPK, p + P_SIGN_SK,
					p + P_BOX_SK, err);
	if (rc)
		return rc;
	kith_crypto_keys_set_format2(k, h.format >= 2);
	/* two device rows: this device and headquarters' device, each with the
	 * organization's signature over the field vault's id */
	uint8_t dev[256];
	memcpy(dev, kith_crypto_keys_sign_pk(k), 32);
	memcpy(dev + 32, kith_crypto_keys_box_pk(k), 32);
	memcpy(dev + 64, p + P_AUTH, 64);
	memcpy(dev + 128, p + P_HQ_SIGN, 32);
	memcpy(dev + 160, p + P_HQ_BOX, 32);
	memcpy(dev + 192, p + P_HQ_AUTH, 64);
	rc = vault_write_new(path, &h, k, pass, pass_len, opts, dev, 2, err);
	kith_crypto_keys_free(k);
	return rc;
}

/* ------------------------------------------------------------ the vault's keys and store, for field.c and
 * bundle.c */

struct kith_crypto_keys *kith_vault_keys_borrow(struct kith_vault *v)
{
	return v && !v->dead ? v->keys : NULL;
}

struct kith_store *kith_vault_store_borrow(struct kith_vault *v)
{
	return v && !v->dead ? v->store : NULL;
}
