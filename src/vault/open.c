/*
 * open — creating a vault file, unlocking it (one Argon2id run, the main
 * slot or the duress one, the devices, then every row: unlock.c) and closing
 * it (every key and plaintext wiped).
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pool.h"
#include "vault/crypto.h"
#include "vault/store.h"

/* ------------------------------------------------------------ open, create, close */

static struct kith_vault *vault_new(unsigned threads)
{
	struct kith_vault *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	vault_map_init(&v->ids);
	vault_map_init(&v->batch_ids);
	v->threads = kith_pool_threads(threads, KITH_POOL_MAX); /* 0: every processor */
	return v;
}

/* ------------------------------------------------------------ open, create, close */

static int vault_open(struct kith_vault **out, const char *path, const char *pass, size_t pass_len,
		      const struct kith_vault_open_opts *o, struct kith_err *err)
{
	void (*progress)(size_t, size_t, void *) = o->progress;
	void *progress_arg = o->progress_arg;
	if (!out || !path)
		return kith_err_set(err, KITH_E_INVALID, "vault", "no vault path");
	if (!pass || pass_len == 0)
		return kith_err_set(err, KITH_E_AUTH, "passphrase", "wrong passphrase");
	struct kith_vault *v = vault_new(o->threads);
	if (!v || !(v->path = strdup(path))) {
		kith_vault_close(v);
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	}
	struct kith_crypto_key *kek = NULL;
	uint8_t mn[KITH_CRYPTO_NONCE_BYTES], mb[KITH_CRYPTO_SLOT_BOX_BYTES];
	uint8_t dn[KITH_CRYPTO_NONCE_BYTES], db[KITH_CRYPTO_SLOT_BOX_BYTES];
	int rc = kith_store_open(&v->store, path, err);
	if (rc == KITH_E_IO) /* a full disk (no room for -shm): duress must still work */
		rc = kith_store_open_exclusive(&v->store, path, err);
	if (rc || (rc = kith_store_header_get(v->store, &v->hdr, err)) ||
	    (rc = vault_check_header(&v->hdr, err)) ||
	    (rc = kith_store_data_version(v->store, &v->data_version, err)))
		goto fail;
	if ((int)v->hdr.format != kith_store_format(v->store)) {
		rc = kith_err_set(err, KITH_E_CORRUPT, "header",
				  "the vault header is damaged (format %u, a format-%d file)",
				  (unsigned)v->hdr.format, kith_store_format(v->store));
		goto fail;
	}
	v->fmt = (int)v->hdr.format;
	int has_main =
	    (rc = kith_store_slot_get(v->store, SLOT_MAIN, mn, sizeof mn, mb, sizeof mb, err)) == KITH_OK;
	if (rc && rc != KITH_E_NOTFOUND)
		goto fail;
	int has_duress =
	    (rc = kith_store_slot_get(v->store, SLOT_DURESS, dn, sizeof dn, db, sizeof db, err)) == KITH_OK;
	if (rc && rc != KITH_E_NOTFOUND)
		goto fail;
	/* a slot shredded in place by a panic reads as zeros */
	has_main = has_main && !vault_all_zero(mb, sizeof mb);
	has_duress = has_duress && !vault_all_zero(db, sizeof db);
	if (!has_main && !has_duress) {
		rc = kith_err_set(
		    err, KITH_E_AUTH, "vault",
		    "this vault's keys were destroyed: restore them with the organization key backup");
		goto fail;
	}
	struct kith_crypto_kdf kdf = vault_hdr_kdf(&v->hdr);
	if ((rc = kith_crypto_kek_derive(&kek, pass, pass_len, &kdf, err)))
		goto fail;
	uint8_t vid[ID_BYTES];
	int is_duress = 0;
	if (has_main) {
		rc = kith_crypto_slot_open(kek, mn, mb, &v->keys, vid, err);
		if (rc == KITH_CRYPTO_SLOT_KEYS) {
			if (memcmp(vid, v->hdr.vault_id, ID_BYTES) != 0 ||
			    memcmp(kith_crypto_keys_org_pk(v->keys), v->hdr.org_pk, KITH_CRYPTO_PK_BYTES) !=
				0) {
				rc = kith_err_set(err, KITH_E_CORRUPT, "header",
						  "the vault header does not match its keys");
				goto fail;
			}
		} else if (rc < 0 && rc != KITH_E_AUTH) {
			goto fail;
		}
	}
	if (!v->keys && (rc = vault_people_open(v, kek, err)) && rc != KITH_E_AUTH)
		goto fail;
	/* a format-2 vault's keys say so (bundle flag bit 3): its file rewritten as
	 * format 1 (no manifests to check) is refused */
	if (v->keys && kith_crypto_keys_format2(v->keys) && v->fmt < 2) {
		rc =
		    kith_err_set(err, KITH_E_CORRUPT, "header",
				 "this vault is format 2 but its file says format 1: the file was rewritten; "
				 "restore it from a copy");
		goto fail;
	}
	if (v->keys && v->fmt >= 2)
		kith_crypto_keys_set_format2(v->keys, 1); /* every later seal of the slot carries it */
	if (!v->keys && has_duress) {
		rc = kith_crypto_slot_open(kek, dn, db, NULL, vid, NULL);
		is_duress = rc == KITH_CRYPTO_SLOT_DURESS && memcmp(vid, v->hdr.vault_id, ID_BYTES) == 0;
	}
	if (!v->keys && !is_duress) {
		rc = kith_err_set(err, KITH_E_AUTH, "passphrase", "wrong passphrase");
		goto fail;
	}
	if (is_duress && (rc = vault_duress(v, kek, err)))
		goto fail;
	/* anchor.c: the rollback anchor of the slot that opened (format 2) */
	if (!is_duress && v->fmt >= 2 && (rc = vault_slot_anchor_key(v, kek, err)))
		goto fail;
	int main_slot = !is_duress && !v->person[0]; /* people.c: only the main slot is resealed */
	if ((rc = vault_devices_load(v, main_slot ? kek : NULL, main_slot ? mn : NULL, main_slot ? mb : NULL,
				     err)))
		goto fail;
	kith_crypto_key_free(kek);
	kek = NULL;
	sodium_memzero(mb, sizeof mb);
	sodium_memzero(db, sizeof db);
	kith_crypto_keys_device_id(v->keys, v->device_hex);
	/* v->data_version was read before anything else: a commit by another
	 * process while the index was read makes the next check read it again */
	if ((rc = vault_index_all(v, progress, progress_arg, err)) || (rc = vault_people_bind(v, err)))
		goto fail;
	v->generation = 1;
	*out = v;
	return KITH_OK;
fail:
	sodium_memzero(mb, sizeof mb);
	sodium_memzero(db, sizeof db);
	kith_crypto_key_free(kek);
	kith_vault_close(v);
	return rc;
}

int kith_vault_open_with(struct kith_vault **out, const char *path, const char *pass, size_t pass_len,
			 const struct kith_vault_open_opts *opts, struct kith_err *err)
{
	static const struct kith_vault_open_opts defaults = {0};
	int rc = vault_open(out, path, pass, pass_len, opts ? opts : &defaults, err);
	vault_stack_wipe();
	return rc;
}

int kith_vault_open(struct kith_vault **out, const char *path, const char *pass, size_t pass_len,
		    void (*progress)(size_t done, size_t total, void *arg), void *progress_arg,
		    struct kith_err *err)
{
	struct kith_vault_open_opts o = {.progress = progress, .progress_arg = progress_arg};
	return kith_vault_open_with(out, path, pass, pass_len, &o, err);
}

/* Checks what kith init and kith init --join share: a path, a passphrase, a
 * duress passphrase unlike it, no file in the way. */
static int create_args(const char *path, const char *pass, size_t pass_len,
		       const struct kith_vault_create_opts *opts, struct kith_err *err)
{
	if (!path || !*path)
		return kith_err_set(err, KITH_E_INVALID, "vault", "no vault path");
	if (!pass || pass_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "passphrase", "the passphrase is empty");
	if ((unsigned)opts->kdf >= KDF_LEVELS)
		return kith_err_set(err, KITH_E_INVALID, "kdf", "unknown key derivation level %d",
				    (int)opts->kdf);
	if (opts->format > KITH_STORE_FORMAT)
		return kith_err_set(err, KITH_E_INVALID, "format", "unknown vault format %u",
				    (unsigned)opts->format);
	if (opts->duress && opts->duress_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "duress", "the duress passphrase is empty");
	if (opts->duress && opts->duress_len == pass_len && sodium_memcmp(opts->duress, pass, pass_len) == 0)
		return kith_err_set(err, KITH_E_INVALID, "duress",
				    "the duress passphrase equals the passphrase");
	if (access(path, F_OK) == 0)
		return kith_err_set(err, KITH_E_EXISTS, "vault", "a file already exists at this path");
	return KITH_OK;
}

int vault_write_new(const char *path, const struct kith_store_header *h, struct kith_crypto_keys *k,
		    const char *pass, size_t pass_len, const struct kith_vault_create_opts *opts,
		    const uint8_t *devices, size_t ndevices, struct kith_err *err)
{
	struct kith_crypto_key *kek = NULL;
	struct kith_store *s = NULL;
	uint8_t n1[KITH_CRYPTO_NONCE_BYTES], b1[KITH_CRYPTO_SLOT_BOX_BYTES];
	uint8_t n2[KITH_CRYPTO_NONCE_BYTES], b2[KITH_CRYPTO_SLOT_BOX_BYTES];
	struct kith_crypto_kdf kdf = vault_hdr_kdf(h);
	int rc = kith_crypto_kek_derive(&kek, pass, pass_len, &kdf, err);
	if (rc)
		goto out;
	if ((rc = kith_crypto_keys_access(k, 1))) {
		rc = kith_err_set(err, KITH_E_CRYPTO, "keys", "the keys could not be made readable");
		goto out;
	}
	uint8_t an[VAULT_ANCHOR_NONCE], ab[VAULT_ANCHOR_BOX]; /* anchor.c: format 2's slot anchor */
	int anchored = h->format >= 2;
	kith_crypto_keys_set_anchored(k, anchored);
	rc = kith_crypto_slot_seal_keys(k, kek, n1, b1, err);
	vault_keys_idle(k);
	if (!rc && anchored)
		rc = vault_slot_anchor_first(h->vault_id, k, kek, an, ab, err);
	kith_crypto_key_free(kek);
	kek = NULL;
	if (rc)
		goto out;
	if (opts->duress) {
		if ((rc = kith_crypto_kek_derive(&kek, opts->duress, opts->duress_len, &kdf, err)) ||
		    (rc = kith_crypto_slot_seal_duress(h->vault_id, kek, n2, b2, err)))
			goto out;
	} else {
		kith_crypto_slot_random(n2, b2);
	}
	if ((rc = kith_store_create_format(&s, path, h->format, err)))
		goto out;
	/* the first transaction goes straight into the file (no -wal yet) */
	if ((rc = kith_store_begin(s, err)) || (rc = kith_store_header_put(s, h, err)) ||
	    (rc = kith_store_slot_put(s, SLOT_MAIN, n1, sizeof n1, b1, sizeof b1, err)) ||
	    (rc = kith_store_slot_put(s, SLOT_DURESS, n2, sizeof n2, b2, sizeof b2, err)) ||
	    (anchored && (rc = kith_store_slot_put(s, VAULT_ANCHOR_MAIN, an, sizeof an, ab, sizeof ab, err))))
		goto undo;
	for (size_t i = 0; i < ndevices; i++)
		if ((rc = kith_store_device_put(s, devices + 128 * i, devices + 128 * i + 32,
						devices + 128 * i + 64, err)))
			goto undo;
	if ((rc = kith_store_commit(s, err)) || (rc = kith_store_wal(s, err)))
		goto undo;
	kith_store_close(s);
	goto out;
undo:
	kith_store_close(s);
	kith_store_remove(path);
out:
	sodium_memzero(b1, sizeof b1);
	kith_crypto_key_free(kek);
	return rc;
}

static int vault_create(const char *path, const char *pass, size_t pass_len,
			const struct kith_vault_create_opts *opts, struct kith_err *err)
{
	static const struct kith_vault_create_opts none = {0};
	if (!opts)
		opts = &none;
	int rc = create_args(path, pass, pass_len, opts, err);
	if (rc)
		return rc;
	struct kith_store_header h;
	memset(&h, 0, sizeof h);
	/* format 2 unless asked: its bundles carry its batches (bundle format 3) */
	h.format = opts->format ? opts->format : 2;
	randombytes_buf(h.vault_id, sizeof h.vault_id);
	h.kdf = (int)opts->kdf;
	h.opslimit = vault_kdf_levels[opts->kdf].ops;
	h.memlimit = vault_kdf_levels[opts->kdf].mem;
	h.alg = crypto_pwhash_ALG_ARGON2ID13;
	randombytes_buf(h.salt, sizeof h.salt);

	struct kith_crypto_keys *k = NULL;
	uint8_t dev[128];
	rc = kith_crypto_keys_generate(&k, h.vault_id, NULL, NULL, err);
	if (rc)
		return rc;
	kith_crypto_keys_set_enrol_signed(k, 1);
	kith_crypto_keys_set_format2(k, h.format >= 2);
	memcpy(h.org_pk, kith_crypto_keys_org_pk(k), sizeof h.org_pk);
	memcpy(dev, kith_crypto_keys_sign_pk(k), 32);
	memcpy(dev + 32, kith_crypto_keys_box_pk(k), 32);
	if ((rc = kith_crypto_keys_access(k, 1)))
		goto out;
	if (kith_crypto_enrol_sign(k, dev, dev + 32, dev + 64))
		rc = kith_err_set(err, KITH_E_CRYPTO, "devices", "signing the enrolment failed");
	vault_keys_idle(k);
	if (!rc)
		rc = vault_write_new(path, &h, k, pass, pass_len, opts, dev, 1, err);
out:
	kith_crypto_keys_free(k);
	return rc;
}

int kith_vault_create(const char *path, const char *pass, size_t pass_len,
		      const struct kith_vault_create_opts *opts, struct kith_err *err)
{
	int rc = vault_create(path, pass, pass_len, opts, err);
	vault_stack_wipe();
	return rc;
}

void kith_vault_close(struct kith_vault *v)
{
	if (!v)
		return;
	if (v->batch)
		vault_batch_release(v->batch);
	vault_index_free(v);
	vault_map_free(&v->ids);
	vault_v2_free(v);
	vault_slot_anchor_free(v);
	vault_map_free(&v->batch_ids);
	free(v->devices);
	kith_crypto_keys_free(v->keys);
	kith_store_close(v->store);
	free(v->path);
	sodium_memzero(v, sizeof *v);
	free(v);
}
