/*
 * keystatus — what a panic would do to this vault, in facts a person can act
 * on: whether the vault holds its organization's secret key (a standalone
 * vault does: a panic destroys it with the device keys) and whether that key
 * was backed up, and when. The vault knows the first (kith_vault_info); the
 * second is recorded here, as a record of kind "keybackup" written when a
 * backup is made (kith init --org-key-backup), so it is encrypted like every
 * record and readable only after unlocking.
 */
#ifndef KITH_CASEWORK_KEYSTATUS_H
#define KITH_CASEWORK_KEYSTATUS_H

#include <stdint.h>

#include "base/status.h"
#include "vault/vault.h"

struct kith_keystatus {
	int holds_org_key;	/* 1: a panic destroys the organization's secret key too */
	int backed_up;		/* 1: a backup of the organization key was recorded */
	int64_t last_backup_at; /* Unix seconds of the newest backup (0: none) */
	size_t backups;		/* how many were recorded */
	/* what a panic does, in one word: "recoverable" (the organization key is
	 * not held here, or it was backed up) or "permanent" (held and never
	 * backed up: every record is lost) */
	const char *panic_effect;
};

/* Fills *out from the vault's key info and its keybackup records. */
void kith_keystatus_get(const struct kith_vault *v, struct kith_keystatus *out);

/*
 * Records that the organization key was backed up at `at` (Unix seconds) by
 * `method` ("file", ...; NULL: "file"). KITH_OK, KITH_E_INVALID (at < 0),
 * KITH_E_DB, KITH_E_CRYPTO, KITH_E_NOMEM; nothing written on failure.
 */
int kith_keystatus_note_backup(struct kith_vault *v, int64_t at, const char *method,
			       struct kith_err *err) KITH_WUR;

#endif
