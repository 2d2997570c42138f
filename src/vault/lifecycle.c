/*
 * lifecycle — what happens to a vault's keys over its life: panic destroys
 * them, a passphrase change re-wraps them, the organization key backup is
 * written, and recovery from it makes new device keys.
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/sbuf.h"
#include "vault/crypto.h"
#include "vault/store.h"

/* ------------------------------------------------------------ panic, passwd, backup, recover */

int kith_vault_panic(const char *path, struct kith_err *err)
{
	if (!path)
		return kith_err_set(err, KITH_E_INVALID, "vault", "no vault path");
	struct kith_store *s = NULL;
	struct kith_store_slot *old = NULL;
	size_t nold = 0;
	int rc = kith_store_open(&s, path, err);
	if (rc == KITH_E_IO) /* a full disk: SQLite cannot size its shared memory file */
		rc = kith_store_open_exclusive(&s, path, err);
	if (rc)
		return rc;
	rc = vault_slots_before(s, &old, &nold, err);
	kith_store_close(s);
	s = NULL;
	if (rc)
		return rc;
	/* 1. in place: needs no lock, no free space, and reaches every copy
	 * SQLite wrote into the file and the log */
	rc = vault_slots_shred(path, old, nold, err);
	sodium_memzero(old, nold * sizeof *old);
	free(old);
	if (rc)
		return rc;
	/* 2. best effort: the slot rows themselves go (a full disk or a busy
	 * writer only leaves them as zeros, which read as destroyed) */
	if (kith_store_open(&s, path, NULL) == KITH_OK) {
		kith_store_busy_timeout(s, 500);
		if (kith_store_begin(s, NULL) == KITH_OK) {
			if (kith_store_slots_destroy(s, NULL) || kith_store_commit(s, NULL))
				kith_store_rollback(s);
		}
		vault_checkpoint_soft(s);
		kith_store_close(s);
	}
	return KITH_OK;
}

/* Writes a new header salt and both slots: keys under pass, the duress marker
 * under duress (or random filler); then shreds the old slots in place.
 * enroll: k is a new device (recover): its enrolment is signed, and in a vault
 * where no enrolment holds a valid signature (never upgraded before its keys
 * were destroyed) every device is (trust on recovery, reported). */
static int rewrap(struct kith_vault *v, const char *path, struct kith_store *s, struct kith_store_header *h,
		  struct kith_crypto_keys *k, const char *pass, size_t pass_len, const char *duress_pass,
		  size_t duress_len, int enroll, size_t *trusted, struct kith_err *err)
{
	/* v (passwd, not recover): the main slot's rollback anchor goes under the
	 * new passphrase's key with it (anchor.c) */
	uint8_t *nak = v && v->slot_ak ? sodium_malloc(32) : NULL;
	if (v && v->slot_ak && !nak)
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	struct kith_store_header nh = *h;
	/* people.c: person slots share the salt; a passphrase change keeps it and them */
	int keep = !enroll && vault_people_any(s);
	if (!keep)
		randombytes_buf(nh.salt, sizeof nh.salt);
	struct kith_crypto_kdf kdf = vault_hdr_kdf(&nh);
	struct kith_crypto_key *kek = NULL;
	uint8_t n1[KITH_CRYPTO_NONCE_BYTES], b1[KITH_CRYPTO_SLOT_BOX_BYTES];
	uint8_t n2[KITH_CRYPTO_NONCE_BYTES], b2[KITH_CRYPTO_SLOT_BOX_BYTES];
	struct kith_store_slot *old = NULL;
	struct kith_store_device *d = NULL;
	size_t nold = 0, nd = 0;
	int rc =
	    keep ? vault_people_main_slots(s, &old, &nold, err) : vault_slots_before(s, &old, &nold, err);
	if (rc)
		return rc;
	if (enroll && (rc = kith_store_devices(s, &d, &nd, err)))
		goto out;
	kith_crypto_keys_set_enrol_signed(k, 1);
	if ((rc = kith_crypto_kek_derive(&kek, pass, pass_len, &kdf, err)))
		goto out;
	if (nak) /* the slot says it has a box beside it: a missing one is then reported */
		kith_crypto_keys_set_anchored(k, 1);
	if (!(rc = kith_crypto_keys_access(k, 1))) {
		rc = kith_crypto_slot_seal_keys(k, kek, n1, b1, err);
		if (!rc && nak && kith_crypto_kek_anchor_key(kek, k, nak))
			rc = kith_err_set(err, KITH_E_CRYPTO, "slot", "deriving the anchor key failed");
		vault_keys_idle(k);
	}
	kith_crypto_key_free(kek);
	kek = NULL;
	if (rc)
		goto out;
	if (duress_pass) {
		if ((rc = kith_crypto_kek_derive(&kek, duress_pass, duress_len, &kdf, err)) ||
		    (rc = kith_crypto_slot_seal_duress(nh.vault_id, kek, n2, b2, err)))
			goto out;
		kith_crypto_key_free(kek);
		kek = NULL;
	} else {
		kith_crypto_slot_random(n2, b2);
	}
	if ((rc = kith_store_begin(s, err)))
		goto out;
	if ((rc = kith_crypto_keys_access(k, 1))) {
		kith_store_rollback(s);
		goto out;
	}
	size_t valid = 0;
	for (size_t i = 0; i < nd; i++)
		valid += (size_t)vault_enrol_valid(k, &d[i]);
	for (size_t i = 0; i < nd && valid == 0 && !rc; i++) {
		rc = vault_enrol_put(s, k, d[i].sign_pk, d[i].box_pk, err);
		if (trusted)
			(*trusted)++;
	}
	if (!rc && enroll)
		rc = vault_enrol_put(s, k, kith_crypto_keys_sign_pk(k), kith_crypto_keys_box_pk(k), err);
	vault_keys_idle(k);
	if (rc || (rc = keep ? vault_people_main_destroy(s, err) : kith_store_slots_destroy(s, err)) ||
	    (rc = kith_store_header_put(s, &nh, err)) ||
	    (rc = kith_store_slot_put(s, SLOT_MAIN, n1, sizeof n1, b1, sizeof b1, err)) ||
	    (rc = kith_store_slot_put(s, SLOT_DURESS, n2, sizeof n2, b2, sizeof b2, err)) ||
	    (nak && (rc = vault_slot_anchor_rekey(v, s, nak, SLOT_MAIN, err))) ||
	    (rc = kith_store_commit(s, err))) {
		kith_store_rollback(s);
		goto out;
	}
	*h = nh;
	if (nak)
		vault_slot_anchor_install(v, nak, SLOT_MAIN);
	/* the old slots, wherever SQLite wrote them: a copy of the file made
	 * from now on does not open with the old passphrase. The change is
	 * committed whatever happens here, so a failure is a warning (KITH_OK,
	 * err->status 0 and a message), not a failure of the call. */
	struct kith_err serr;
	kith_err_clear(&serr);
	if (vault_slots_shred(path, old, nold, &serr))
		kith_err_set(
		    err, KITH_OK, "slots",
		    "the old key slots could not be overwritten (%s): they may remain in the file or "
		    "its log, and a copy of it may still open with the old passphrase",
		    serr.msg[0] ? serr.msg : kith_status_str(serr.status));
	vault_checkpoint_soft(s);
out:
	kith_crypto_key_free(kek);
	if (nak)
		sodium_free(nak);
	if (old)
		sodium_memzero(old, nold * sizeof *old);
	free(old);
	free(d);
	return rc;
}

int kith_vault_passwd(struct kith_vault *v, const char *new_pass, size_t new_len, const char *duress_pass,
		      size_t duress_len, struct kith_err *err)
{
	if (!v || !new_pass || new_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "passphrase", "the passphrase is empty");
	if (duress_pass && duress_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "duress", "the duress passphrase is empty");
	if (duress_pass && duress_len == new_len && sodium_memcmp(duress_pass, new_pass, new_len) == 0)
		return kith_err_set(err, KITH_E_INVALID, "duress",
				    "the duress passphrase equals the passphrase");
	if (v->batch)
		return kith_err_set(err, KITH_E_INVALID, "vault", "a batch is open");
	if (v->person[0] && duress_pass) /* people.c */
		return kith_err_set(err, KITH_E_INVALID, "duress",
				    "only the main passphrase has a duress passphrase");
	if (v->person[0])
		return vault_people_passwd(v, new_pass, new_len, err);
	int rc = vault_check(v, err);
	if (!rc && vault_people_any(v->store)) /* a person's passphrase would open main first */
		rc = vault_people_pass_unused(v, new_pass, new_len, duress_pass, duress_len, err);
	if (!rc)
		rc = rewrap(v, v->path, v->store, &v->hdr, v->keys, new_pass, new_len, duress_pass,
			    duress_len, 0, NULL, err);
	vault_stack_wipe();
	return rc;
}

int kith_vault_check_passphrase(struct kith_vault *v, const char *pass, size_t pass_len, struct kith_err *err)
{
	if (!v)
		return kith_err_set(err, KITH_E_INVALID, "vault", "no vault");
	if (v->dead)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	if (!pass || pass_len == 0)
		return kith_err_set(err, KITH_E_AUTH, "passphrase", "wrong passphrase");
	uint8_t n[KITH_CRYPTO_NONCE_BYTES], box[KITH_CRYPTO_SLOT_BOX_BYTES], vid[ID_BYTES];
	struct kith_crypto_key *kek = NULL;
	struct kith_crypto_keys *keys = NULL;
	int rc = kith_store_slot_get(v->store, SLOT_MAIN, n, sizeof n, box, sizeof box, err);
	if (rc == KITH_E_NOTFOUND || (!rc && vault_all_zero(box, sizeof box)))
		rc = kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	struct kith_crypto_kdf kdf = vault_hdr_kdf(&v->hdr);
	if (!rc)
		rc = kith_crypto_kek_derive(&kek, pass, pass_len, &kdf, err);
	if (!rc) {
		/* the main slot only: a duress passphrase typed here is wrong, never a duress */
		rc = kith_crypto_slot_open(kek, n, box, &keys, vid, err);
		if (rc == KITH_CRYPTO_SLOT_KEYS && memcmp(vid, v->hdr.vault_id, ID_BYTES) == 0)
			rc = KITH_OK;
		else if (rc >= 0 || rc == KITH_E_AUTH)
			rc = kith_err_set(err, KITH_E_AUTH, "passphrase", "wrong passphrase");
	}
	kith_crypto_keys_free(keys);
	kith_crypto_key_free(kek);
	sodium_memzero(box, sizeof box);
	vault_stack_wipe();
	return rc;
}

int kith_vault_export_org_key_buf(struct kith_vault *v, const char *pass, size_t pass_len,
				  struct kith_sbuf *out, struct kith_err *err)
{
	if (!v || !out)
		return kith_err_set(err, KITH_E_INVALID, "org key", "no output");
	if (!pass || pass_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "backup passphrase",
				    "the backup passphrase is empty");
	if (v->dead)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	if (!kith_crypto_keys_holds_org(v->keys))
		return kith_err_set(err, KITH_E_NOTFOUND, "org key",
				    "this device does not hold the organization key");
	int level =
	    v->hdr.kdf == KITH_KDF_TEST || v->hdr.kdf == KITH_KDF_SENSITIVE ? v->hdr.kdf : KITH_KDF_MODERATE;
	int rc = kith_crypto_keys_access(v->keys, 1);
	if (rc)
		return kith_err_set(err, rc, "org key", "guarded memory failed");
	rc = kith_crypto_orgkey_export(v->keys, pass, pass_len, vault_kdf_levels[level].ops,
				       vault_kdf_levels[level].mem, out, err);
	vault_keys_idle(v->keys);
	vault_stack_wipe();
	return rc;
}

int kith_vault_export_org_key(struct kith_vault *v, const char *out_path, const char *pass, size_t pass_len,
			      struct kith_err *err)
{
	if (!v || !out_path)
		return kith_err_set(err, KITH_E_INVALID, "org key", "no output path");
	if (v->dead)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	if (!kith_crypto_keys_holds_org(v->keys))
		return kith_err_set(err, KITH_E_NOTFOUND, "org key",
				    "this device does not hold the organization key");
	/* MODERATE, or the vault's own level when that is stronger; a vault made
	 * with the test level (tests, benchmarks) gets a test-level backup. */
	int level =
	    v->hdr.kdf == KITH_KDF_TEST || v->hdr.kdf == KITH_KDF_SENSITIVE ? v->hdr.kdf : KITH_KDF_MODERATE;
	struct kith_sbuf file = KITH_SBUF_INIT;
	int rc = kith_crypto_keys_access(v->keys, 1);
	if (rc)
		return kith_err_set(err, rc, "org key", "guarded memory failed");
	rc = kith_crypto_orgkey_export(v->keys, pass, pass_len, vault_kdf_levels[level].ops,
				       vault_kdf_levels[level].mem, &file, err);
	vault_keys_idle(v->keys);
	if (!rc)
		rc = kith_io_write_atomic(out_path, file.buf, file.len, err);
	kith_sbuf_release(&file);
	vault_stack_wipe();
	return rc;
}

static int vault_recover(const char *path, const char *key_path, const char *key_pass, size_t key_pass_len,
			 const char *new_pass, size_t new_len, const char *duress, size_t duress_len,
			 struct kith_vault_recover_report *rep, struct kith_err *err)
{
	if (!path || !key_path)
		return kith_err_set(err, KITH_E_INVALID, "vault", "no vault or key file path");
	if (!new_pass || new_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "passphrase", "the new passphrase is empty");
	if (duress && duress_len == 0)
		return kith_err_set(err, KITH_E_INVALID, "duress", "the duress passphrase is empty");
	if (duress && duress_len == new_len && sodium_memcmp(duress, new_pass, new_len) == 0)
		return kith_err_set(err, KITH_E_INVALID, "duress",
				    "the duress passphrase equals the passphrase");
	struct kith_sbuf file = KITH_SBUF_INIT;
	struct kith_crypto_org *org = NULL;
	struct kith_crypto_keys *k = NULL;
	struct kith_store *s = NULL;
	struct kith_store_header h;
	int rc = kith_io_read_file(key_path, ORGKEY_FILE_MAX, &file, err);
	if (rc == KITH_E_LIMIT)
		rc = kith_err_set(err, KITH_E_INVALID, "key file", "not a kith organization key file");
	if (rc || (rc = kith_crypto_orgkey_import(&org, file.buf, file.len, key_pass, key_pass_len, err)))
		goto out;
	if ((rc = kith_store_open(&s, path, err)) || (rc = kith_store_header_get(s, &h, err)) ||
	    (rc = vault_check_header(&h, err)))
		goto out;
	if (sodium_memcmp(kith_crypto_org_pk(org), h.org_pk, KITH_CRYPTO_PK_BYTES) != 0) {
		rc = kith_err_set(err, KITH_E_AUTH, "key file", "the key belongs to another organization");
		goto out;
	}
	/* The header's cost is plaintext anyone could have lowered (the real
	 * passphrase then fails, and the user recovers): never adopt one weaker
	 * than the backup's own, which is authentic. */
	unsigned long long bops;
	size_t bmem;
	kith_crypto_org_kdf(org, &bops, &bmem);
	int floor = vault_kdf_level_of(bops, bmem);
	if (rep) {
		rep->header_kdf = vault_kdf_levels[h.kdf].name;
		rep->kdf = vault_kdf_levels[h.kdf].name;
	}
	if (vault_kdf_rank(h.kdf) < vault_kdf_rank(floor)) {
		h.kdf = floor;
		h.opslimit = vault_kdf_levels[floor].ops;
		h.memlimit = vault_kdf_levels[floor].mem;
		if (rep) {
			rep->kdf_raised = 1;
			rep->kdf = vault_kdf_levels[floor].name;
		}
	}
	if ((rc = kith_crypto_keys_generate(&k, h.vault_id, NULL, org, err)))
		goto out;
	rc = rewrap(NULL, path, s, &h, k, new_pass, new_len, duress, duress ? duress_len : 0, 1,
		    rep ? &rep->devices_trusted : NULL, err);
	if (!rc && rep)
		rep->duress_slot = duress != NULL;
out:
	kith_store_close(s);
	kith_crypto_keys_free(k);
	kith_crypto_org_free(org);
	kith_sbuf_release(&file);
	return rc;
}

int kith_vault_recover_report(const char *path, const char *key_path, const char *key_pass,
			      size_t key_pass_len, const char *new_pass, size_t new_len,
			      struct kith_vault_recover_report *rep, struct kith_err *err)
{
	return kith_vault_recover_slots(path, key_path, key_pass, key_pass_len, new_pass, new_len, NULL, 0,
					rep, err);
}

int kith_vault_recover_slots(const char *path, const char *key_path, const char *key_pass,
			     size_t key_pass_len, const char *new_pass, size_t new_len, const char *duress,
			     size_t duress_len, struct kith_vault_recover_report *rep, struct kith_err *err)
{
	if (rep)
		memset(rep, 0, sizeof *rep);
	int rc = vault_recover(path, key_path, key_pass, key_pass_len, new_pass, new_len, duress, duress_len,
			       rep, err);
	vault_stack_wipe();
	return rc;
}

int kith_vault_recover(const char *path, const char *key_path, const char *key_pass, size_t key_pass_len,
		       const char *new_pass, size_t new_len, struct kith_err *err)
{
	return kith_vault_recover_report(path, key_path, key_pass, key_pass_len, new_pass, new_len, NULL,
					 err);
}
