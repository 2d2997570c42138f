/*
 * refresh — other processes may write the same file: at the start of every
 * operation the vault compares SQLite's data version with the one its index
 * was built at, reads the index again when another process committed, and
 * drops its keys for good when that process destroyed them (panic).
 */
#include "vault/vault_impl.h"

#include <stdlib.h>

#include "vault/crypto.h"
#include "vault/store.h"

/* ------------------------------------------------------------ other processes */

/* Drops every key and decrypted byte: another process destroyed the keys. */
static void vault_kill(struct kith_vault *v)
{
	vault_index_free(v);
	vault_v2_free(v); /* the batch keys too */
	free(v->devices);
	v->devices = NULL;
	v->ndevices = 0;
	kith_crypto_keys_free(v->keys);
	v->keys = NULL;
	v->dead = 1;
	v->generation++;
}

/* Reads the index again from the file (another process wrote). */
static int vault_reload(struct kith_vault *v, struct kith_err *err)
{
	vault_index_free(v);
	free(v->devices);
	v->devices = NULL;
	v->ndevices = 0;
	v->rows = v->unreadable = v->missing = 0;
	v->devices_refused = v->devices_trusted = 0;
	v->read_status = 0;
	int rc = kith_store_header_get(v->store, &v->hdr, err);
	if (!rc)
		rc = vault_devices_load(v, NULL, NULL, NULL, err);
	if (!rc)
		rc = vault_index_all(v, NULL, NULL, err);
	v->generation++;
	return rc;
}

/* Whether the file still holds a key slot (panic elsewhere shreds them). */
static int slots_alive(struct kith_vault *v, struct kith_err *err)
{
	struct kith_store_slot *sl = NULL;
	size_t n = 0;
	int rc = kith_store_slots_all(v->store, &sl, &n, err);
	if (rc)
		return rc;
	int alive = 0;
	for (size_t i = 0; i < n; i++)
		alive |= sl[i].box_len > 0 && !vault_all_zero(sl[i].box, sl[i].box_len);
	free(sl);
	return alive;
}

/*
 * At the start of every operation: has another process committed since the
 * index was built (PRAGMA data_version)? If it destroyed the keys (panic),
 * the vault drops its keys and index and fails with KITH_E_LOCKED from now on;
 * else the index is read again.
 */
int vault_check(struct kith_vault *v, struct kith_err *err)
{
	if (v->dead)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	uint64_t dv = 0;
	int rc = kith_store_data_version(v->store, &dv, err);
	if (rc || dv == v->data_version)
		return rc;
	int alive = slots_alive(v, err);
	if (alive < 0)
		return alive;
	if (!alive) {
		vault_kill(v);
		return kith_err_set(err, KITH_E_LOCKED, "vault",
				    "the vault's keys were destroyed by another process");
	}
	if ((rc = vault_reload(v, err)))
		return rc;
	if (vault_people_bind(v, NULL)) { /* people.c: the person was removed meanwhile */
		vault_kill(v);
		return kith_err_set(err, KITH_E_LOCKED, "vault", "this person was removed from the vault");
	}
	v->data_version = dv;
	return KITH_OK;
}

/* The same question without acting on the answer (views stay valid):
 * KITH_OK when nothing changed, KITH_E_LOCKED when the keys are gone,
 * KITH_E_EXISTS (where "concurrent") when another process wrote. */
int vault_stale(struct kith_vault *v, struct kith_err *err)
{
	if (v->dead)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	uint64_t dv = 0;
	int rc = kith_store_data_version(v->store, &dv, err);
	if (rc || dv == v->data_version)
		return rc;
	int alive = slots_alive(v, err);
	if (alive < 0)
		return alive;
	if (!alive)
		return kith_err_set(err, KITH_E_LOCKED, "vault",
				    "the vault's keys were destroyed by another process");
	return kith_err_set(err, KITH_E_EXISTS, "concurrent",
			    "the vault was changed by another process: nothing was written; try again");
}

int kith_vault_refresh(struct kith_vault *v, struct kith_err *err)
{
	if (!v)
		return kith_err_set(err, KITH_E_INVALID, "vault", "no vault");
	if (v->batch)
		return kith_err_set(err, KITH_E_INVALID, "vault", "a batch is open");
	return vault_check(v, err);
}
