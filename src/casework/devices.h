/*
 * devices — field devices as headquarters sees them (issue 12): each is a
 * record of kind "device" (record.h; its ref is the device's name) holding its
 * public keys, the field vault's id, when it was added and, once revoked, when
 * and the organization's signature of the revocation. The record is encrypted
 * like any other: the file shows no device name. The device's enrolment is
 * also written into the vault's device table (vault/field.h), so its rows are
 * read once they arrive.
 *
 * Ownership: the vault is borrowed; the invitation bytes go into the caller's
 * buffer (a wiping kith_sbuf). Messages carry the device name (chosen by
 * headquarters, not a person's name) and never a key.
 */
#ifndef KITH_CASEWORK_DEVICES_H
#define KITH_CASEWORK_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "vault/field.h"
#include "vault/vault.h"

/*
 * Enrols a new field device `name` at `now`: appends the invitation (sealed
 * under a fresh one-time code, copied into `code`) to `invite`, writes the
 * enrolment and the device record. KITH_OK, KITH_E_EXISTS (a device of that
 * name), KITH_E_INVALID (name), KITH_E_NOTFOUND (the vault does not hold the
 * organization key), and the vault's write statuses.
 */
int kith_devices_add(struct kith_vault *v, const char *name, int64_t now, struct kith_sbuf *invite,
		     char code[KITH_FIELD_CODE_TEXT], struct kith_err *err) KITH_WUR;

/*
 * Revokes the device `name` at `now`: a new version of its record with
 * revoked_at and the organization's signature of the revocation. KITH_OK,
 * KITH_E_NOTFOUND (no such device), KITH_E_EXISTS (already revoked: err says
 * since when), and the vault's write statuses.
 */
int kith_devices_revoke(struct kith_vault *v, const char *name, int64_t now, struct kith_err *err) KITH_WUR;

/* One device as listed. Strings borrowed from the vault's views. */
struct kith_device_info {
	const char *name;   /* "" in a field vault (it knows the devices by key only) */
	char device_id[17]; /* the first 8 bytes of its signing key, hex, as kith_vault_info */
	int64_t added;
	int64_t revoked_at;   /* 0 when active */
	int revocation_valid; /* 1 when the revocation's signature verifies */
	int this_device;      /* a field vault: the device itself */
};

/* Every device record, by date added, then name; *out is malloc'd (free()), *n set.
 * In a field vault (no organization secret, no device records): every device
 * enrolled in its file — itself, headquarters' device, the writers of the
 * records headquarters sent — with the revocations headquarters carried to
 * it in bundles (date and whether the organization's signature for this
 * vault verifies), by device id, this device first; `added` is 0.
 * KITH_OK, KITH_E_NOMEM, KITH_E_DB, KITH_E_CORRUPT (a device record whose keys are not
 * hex: err names it). */
int kith_devices_list(struct kith_vault *v, struct kith_device_info **out, size_t *n,
		      struct kith_err *err) KITH_WUR;

/* 1 when v is a field vault (it holds the organization's public keys only). */
int kith_devices_is_field(struct kith_vault *v);

/* Headquarters: every device revoked with a signature that verifies, to
 * carry in bundles to field devices (vault/bundle.h); *out malloc'd (free()).
 * KITH_OK, KITH_E_NOMEM. */
struct kith_bundle_revocation;
int kith_devices_revocations(struct kith_vault *v, struct kith_bundle_revocation **out, size_t *n,
			     struct kith_err *err) KITH_WUR;

/* A revocation's time as a person reads it, "2026-12-07 02:41 UTC" (the Unix
 * time with "(Unix time)" if it cannot be written as a date). */
#define KITH_DEVICES_TIME_LEN 48
void kith_devices_time_text(int64_t t, char *out, size_t outsz);

/* What kith_devices_import_bundle did. */
struct kith_bundle_result {
	char bundle[17];		  /* the bundle's id: its first 8 bytes, hex */
	char device[KITH_FIELD_NAME_MAX]; /* the sender's device name, "" when it has no device record */
	size_t added, skipped;		  /* versions inserted; versions already here */
	size_t conflicts;		  /* versions kept aside as conflicts (casework/sync.h) */
	size_t revoked;			  /* a field vault: revocations headquarters sent, new here */
};

/*
 * Imports a bundle (vault/bundle.h) into v, all or nothing: parsed and checked
 * whole; a sender whose device record is revoked is refused for a bundle made
 * at or after the revocation, with the device's name and the date
 * (KITH_E_AUTH, where "sender"); then applied. res is filled as far as known.
 * The vault's index is read again at the next operation (kith_vault_refresh).
 */
int kith_devices_import_bundle(struct kith_vault *v, const void *data, size_t len,
			       struct kith_bundle_result *res, struct kith_err *err) KITH_WUR;

#endif
