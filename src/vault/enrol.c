/*
 * enrol — which devices' rows this vault reads: those whose enrolment the
 * organization key signed, and this device. An older vault without signed
 * enrolments is upgraded at its first unlock by this version.
 */
#include "vault/vault_impl.h"

#include <stdlib.h>
#include <string.h>

#include "vault/crypto.h"
#include "vault/store.h"

static int pk_cmp(const void *a, const void *b)
{
	return memcmp(a, b, KITH_STORE_PK_BYTES);
}

int vault_device_enrolled(const struct kith_vault *v, const uint8_t *pk)
{
	if (memcmp(pk, kith_crypto_keys_sign_pk(v->keys), KITH_CRYPTO_PK_BYTES) == 0)
		return 1;
	return v->ndevices && bsearch(pk, v->devices, v->ndevices, sizeof *v->devices, pk_cmp) != NULL;
}

/* ------------------------------------------------------------ enrolment */

/* Signs the enrolment of (sign_pk, box_pk) with k's organization key and
 * writes it (inside the caller's transaction). */
int vault_enrol_put(struct kith_store *s, const struct kith_crypto_keys *k, const uint8_t *sign_pk,
		    const uint8_t *box_pk, struct kith_err *err)
{
	uint8_t sig[KITH_CRYPTO_SIG_BYTES];
	int rc = kith_crypto_enrol_sign(k, sign_pk, box_pk, sig);
	if (rc)
		return kith_err_set(err, rc, "devices", "signing an enrolment failed");
	return kith_store_device_put(s, sign_pk, box_pk, sig, err);
}

int vault_enrol_valid(const struct kith_crypto_keys *k, const struct kith_store_device *d)
{
	const uint8_t *ospk = kith_crypto_keys_org_sign_pk(k);
	return ospk && d->has_auth &&
	       kith_crypto_enrol_verify(ospk, kith_crypto_keys_vault_id(k), d->sign_pk, d->box_pk, d->auth) ==
		   KITH_OK;
}

/*
 * Loads the enrolled devices: those whose enrolment the organization signed,
 * and this device. A vault from before signed enrolment (no valid signature
 * anywhere and no flag in the key bundle) is upgraded: every device it holds
 * is signed — trust on first unlock by this version — and the flag is sealed
 * into the main slot under the KEK (the old slot is shredded), so stripping
 * the signatures later cannot make it look old again. A device that does not
 * hold the organization secret cannot verify enrolments; it cannot read other
 * devices' rows either (they are sealed to the organization), so its list is
 * the file's.
 */
int vault_devices_load(struct kith_vault *v, const struct kith_crypto_key *kek, const uint8_t *old_nonce,
		       const uint8_t *old_box, struct kith_err *err)
{
	struct kith_store_device *d = NULL;
	size_t n = 0;
	int rc = kith_store_devices(v->store, &d, &n, err);
	if (rc)
		return rc;
	if (!kith_crypto_keys_holds_org(v->keys)) {
		v->devices = d;
		v->ndevices = n;
		return KITH_OK;
	}
	const uint8_t *self = kith_crypto_keys_sign_pk(v->keys);
	size_t valid = 0;
	int self_ok = 0;
	int *ok = calloc(n ? n : 1, sizeof *ok);
	if (!ok) {
		free(d);
		return kith_err_set(err, KITH_E_NOMEM, "devices", "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		ok[i] = vault_enrol_valid(v->keys, &d[i]);
		valid += (size_t)ok[i];
		if (ok[i] && memcmp(d[i].sign_pk, self, KITH_CRYPTO_PK_BYTES) == 0)
			self_ok = 1;
	}
	int upgrade = !kith_crypto_keys_enrol_signed(v->keys) && valid == 0;
	int reseal = !kith_crypto_keys_enrol_signed(v->keys);
	if (upgrade || reseal || !self_ok) {
		uint8_t nn[KITH_CRYPTO_NONCE_BYTES], nb[KITH_CRYPTO_SLOT_BOX_BYTES];
		int wrote = 0;
		if (!(rc = kith_crypto_keys_access(v->keys, 1))) {
			kith_crypto_keys_set_enrol_signed(v->keys, 1);
			if (!(rc = kith_store_begin(v->store, NULL))) {
				for (size_t i = 0; i < n && !rc; i++)
					if (upgrade && !ok[i])
						rc = vault_enrol_put(v->store, v->keys, d[i].sign_pk,
								     d[i].box_pk, NULL);
				if (!rc && !self_ok)
					rc = vault_enrol_put(v->store, v->keys, self,
							     kith_crypto_keys_box_pk(v->keys), NULL);
				if (!rc && reseal && kek)
					rc = kith_crypto_slot_seal_keys(v->keys, kek, nn, nb, NULL);
				if (!rc && reseal && kek)
					rc = kith_store_slot_put(v->store, SLOT_MAIN, nn, sizeof nn, nb,
								 sizeof nb, NULL);
				if (!rc && !(rc = kith_store_commit(v->store, NULL)))
					wrote = 1;
				else
					kith_store_rollback(v->store);
			}
			vault_keys_idle(v->keys);
		}
		if (wrote && reseal && kek && old_nonce) {
			struct kith_store_slot old = {.nonce_len = KITH_CRYPTO_NONCE_BYTES,
						      .box_len = KITH_CRYPTO_SLOT_BOX_BYTES};
			memcpy(old.nonce, old_nonce, KITH_CRYPTO_NONCE_BYTES);
			memcpy(old.box, old_box, KITH_CRYPTO_SLOT_BOX_BYTES);
			(void)vault_slots_shred(v->path, &old, 1, NULL);
			vault_checkpoint_soft(v->store);
		}
		if (!wrote && reseal)
			kith_crypto_keys_set_enrol_signed(v->keys, 0);
		/* a read-only or full file: the upgrade waits for the next unlock,
		 * and this one trusts what the file holds, as before the upgrade */
		rc = KITH_OK;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (ok[i] || upgrade) {
			d[m++] = d[i];
			if (upgrade && !ok[i] && memcmp(d[i].sign_pk, self, KITH_CRYPTO_PK_BYTES) != 0)
				v->devices_trusted++;
		} else if (memcmp(d[i].sign_pk, self, KITH_CRYPTO_PK_BYTES) != 0) {
			v->devices_refused++;
		}
	}
	free(ok);
	v->devices = d;
	v->ndevices = m;
	return KITH_OK;
}
