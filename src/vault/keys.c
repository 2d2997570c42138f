/*
 * keys — the key slots on disk and what destroys them: old slots are
 * overwritten in place wherever SQLite wrote them (kith_store_shred), the
 * stack that held a KEK is wiped, and duress replaces every slot with fresh
 * device keys that hold no organization secret.
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <stdlib.h>

#include "vault/crypto.h"
#include "vault/store.h"

/* Makes the keys inaccessible again. A failure of mprotect only leaves them
 * readable a little longer (they are still wiped on close). */
void vault_keys_idle(struct kith_crypto_keys *k)
{
	if (kith_crypto_keys_access(k, 0)) {
		/* nothing more to do */
	}
}

/* ------------------------------------------------------------ key slots on disk */

int vault_all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Overwrites in place, in the file and its -wal, every copy of the slots'
 * bytes that SQLite wrote (kith_store_shred): what makes panic, duress and
 * passwd destroy the old slots whatever other processes do, with no free
 * space needed. */
int vault_slots_shred(const char *path, const struct kith_store_slot *sl, size_t n, struct kith_err *err)
{
	/* every slot, however many (people and their rollback anchors) */
	struct kith_store_blob *nd = n ? malloc(2 * n * sizeof *nd) : NULL;
	if (n && !nd)
		return kith_err_set(err, KITH_E_NOMEM, "slots", "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (sl[i].nonce_len >= 16 && !vault_all_zero(sl[i].nonce, sl[i].nonce_len))
			nd[k++] = (struct kith_store_blob){sl[i].nonce, sl[i].nonce_len};
		if (sl[i].box_len >= 16 && !vault_all_zero(sl[i].box, sl[i].box_len))
			nd[k++] = (struct kith_store_blob){sl[i].box, sl[i].box_len};
	}
	int rc = k ? kith_store_shred(path, nd, k, NULL, err) : KITH_OK;
	free(nd);
	return rc;
}

/* A passive checkpoint whose failure changes nothing (the log is kept). */
void vault_checkpoint_soft(struct kith_store *s)
{
	if (kith_store_checkpoint(s, NULL)) {
		/* the next one copies it */
	}
}

/* The slot bytes now in the file (free() *out). */
int vault_slots_before(struct kith_store *s, struct kith_store_slot **out, size_t *n, struct kith_err *err)
{
	*out = NULL;
	*n = 0;
	return kith_store_slots_all(s, out, n, err);
}

/* The stack below the caller held the KEK's derivation, slot boxes and
 * bundles: wipe it (libsodium wipes its own buffers; this reaches what the
 * compiler spilled). */
#define STACK_WIPE_BYTES (64u << 10)

void vault_stack_wipe(void)
{
	sodium_stackzero(STACK_WIPE_BYTES);
}

/* ------------------------------------------------------------ duress */

/* Duress: destroys every key slot (in place, whatever the file system's free
 * space), and enrolls fresh device keys (no organization secret) under the
 * duress KEK as the new main slot. When the file cannot take the new slot
 * (a full disk), the fresh keys live only in memory: the vault still opens
 * empty, and the next unlock finds the keys destroyed. Nothing is reported. */
int vault_duress(struct kith_vault *v, const struct kith_crypto_key *kek, struct kith_err *err)
{
	struct kith_store_slot *old = NULL;
	size_t nold = 0;
	int rc = vault_slots_before(v->store, &old, &nold, err);
	if (rc)
		return rc;
	struct kith_crypto_keys *k = NULL;
	if ((rc = kith_crypto_keys_generate(&k, v->hdr.vault_id, v->hdr.org_pk, NULL, err))) {
		free(old);
		return rc;
	}
	uint8_t n1[KITH_CRYPTO_NONCE_BYTES], b1[KITH_CRYPTO_SLOT_BOX_BYTES];
	uint8_t n2[KITH_CRYPTO_NONCE_BYTES], b2[KITH_CRYPTO_SLOT_BOX_BYTES];
	rc = kith_crypto_keys_access(k, 1);
	if (!rc) {
		rc = kith_crypto_slot_seal_keys(k, kek, n1, b1, err);
		vault_keys_idle(k);
	}
	kith_crypto_slot_random(n2, b2);
	if (rc) {
		kith_crypto_keys_free(k);
		free(old);
		return rc;
	}
	kith_store_busy_timeout(v->store, 500);
	if (!kith_store_begin(v->store, NULL)) {
		if (kith_store_slots_destroy(v->store, NULL) ||
		    kith_store_slot_put(v->store, SLOT_MAIN, n1, sizeof n1, b1, sizeof b1, NULL) ||
		    kith_store_slot_put(v->store, SLOT_DURESS, n2, sizeof n2, b2, sizeof b2, NULL) ||
		    kith_store_device_add(v->store, kith_crypto_keys_sign_pk(k), kith_crypto_keys_box_pk(k),
					  NULL) ||
		    kith_store_commit(v->store, NULL))
			kith_store_rollback(v->store);
	}
	kith_store_busy_timeout(v->store, KITH_STORE_BUSY_MS);
	(void)vault_slots_shred(v->path, old, nold, NULL);
	sodium_memzero(old, nold * sizeof *old);
	free(old);
	vault_checkpoint_soft(v->store);
	v->keys = k;
	return KITH_OK;
}
