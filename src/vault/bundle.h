/*
 * bundle — format-1 rows carried between vaults of one organization as one
 * encrypted, signed file: a field vault's to headquarters, and records
 * headquarters sends to one field device (issue 12; the bytes:
 * docs/bundle-format.md; the format-2 bundle of docs/design-format2.md will
 * carry batches the same way).
 *
 *   export: kith_bundle_export  the versions not yet sent -> file bytes
 *           kith_bundle_mark_sent  records what went in it, once written
 *   import: kith_bundle_parse   file bytes -> parsed bundle (hostile input:
 *                               structure, lengths, the sender's signature)
 *           kith_bundle_apply   checks every row with the vault's keys, then
 *                               inserts the rows it lacks in one transaction
 *
 * Ownership: a struct kith_bundle owns copies of every row (free with
 * kith_bundle_free). Buffers and vaults are borrowed.
 */
#ifndef KITH_VAULT_BUNDLE_H
#define KITH_VAULT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "vault/store.h"
#include "vault/sync.h"
#include "vault/vault.h"

#define KITH_BUNDLE_FORMAT 3 /* the newest written (by a format-2 vault); 2 is read and written too */
#define KITH_BUNDLE_MAX_ROWS 10000000u
#define KITH_BUNDLE_MAX_DEVICES 100000u

struct kith_bundle;

/* Opens the sealed stream key: c is crypto_box_seal output (80 bytes), m gets
 * 32 bytes. Returns KITH_OK or a negative status. The vault's is
 * kith_crypto_org_unseal (headquarters) or the device's own box key (a field
 * vault); the fuzz target brings its own. */
typedef int (*kith_bundle_unseal_fn)(void *arg, const uint8_t *c, size_t clen, uint8_t *m);

/* What to send (zero: everything this device wrote that headquarters was not
 * sent yet). */
struct kith_bundle_export_opts {
	/* a field device enrolled here (HQ -> device): its keys and its vault's
	 * id; NULL: the organization (headquarters) */
	const struct kith_store_device *to;
	const uint8_t *to_vault; /* 16 bytes, with `to` */
	const uint8_t *ids;	 /* with `to`: the records to send, 16 bytes each */
	size_t nids;
	const uint8_t *since; /* 16 bytes: leave out only what went to this recipient up to that bundle */
	int all;	      /* 1: leave out nothing already sent */
	/* with `to`: the devices revoked at headquarters, carried to the device
	 * with the organization's signature for its vault (bundle-format.md
	 * *Revocations*) */
	const struct kith_bundle_revocation *revoked;
	size_t nrevoked;
};

/* A device's revocation (its signing key, the time). */
struct kith_bundle_revocation {
	uint8_t sign_pk[32];
	int64_t at;
};

/* What an export put in the bundle, for kith_bundle_mark_sent once the file
 * is written (caller-owned: kith_bundle_sent_release). */
struct kith_bundle_sent {
	uint8_t id[16];
	uint8_t recipient[32];
	int64_t created;
	struct kith_sync_ver *vers;
	size_t n;
	/* format 3 to headquarters: the first and last number of this device's
	 * batches it carries (0: none) */
	int64_t seq_lo, seq_hi;
};

/*
 * Writes a bundle from the open vault v, appended to out (docs/bundle-format.md):
 *   to headquarters: every version this device wrote that no bundle to the
 *     organization held (or, with since, none up to that bundle; with all, every one);
 *   to a device: every version of the records opts->ids that it was not sent (and did not write),
 *     with the organization's enrolment (for its vault) of every writer, the
 *     stream sealed to its key only.
 * *sent is filled (record it with kith_bundle_mark_sent after the file is
 * written). KITH_OK, KITH_E_LOCKED, KITH_E_NOTFOUND (since: not a bundle of
 * this vault to that recipient; a writer not enrolled here), KITH_E_DB,
 * KITH_E_NOMEM, KITH_E_CRYPTO, KITH_E_CORRUPT (a version whose key does not
 * unwrap). On failure out is as it was.
 */
int kith_bundle_export(struct kith_vault *v, const struct kith_bundle_export_opts *opts, int64_t now,
		       struct kith_sbuf *out, struct kith_bundle_sent *sent, struct kith_err *err) KITH_WUR;

/* Records in v that the versions of `sent` went in that bundle (one
 * transaction). KITH_OK, KITH_E_EXISTS, KITH_E_DB. */
int kith_bundle_mark_sent(struct kith_vault *v, const struct kith_bundle_sent *sent,
			  struct kith_err *err) KITH_WUR;
void kith_bundle_sent_release(struct kith_bundle_sent *sent);

/*
 * Reads a bundle (hostile input) of the organization org_pk, opening its key
 * with unseal(arg, ...). Checks, before returning anything: the magic and
 * format, every length against the file and its bounds, the stream (a cut
 * file fails: "the bundle is cut short"), the envelope (the organization id
 * is H(org_pk)), the counts, and the sender's Ed25519 signature over the
 * whole plaintext and the organization. *out is set only on success.
 *   KITH_E_INVALID  not a bundle, another format, a malformed part (err->where
 *                   names it: "bundle", "format", "envelope", "device N",
 *                   "row N", "end")
 *   KITH_E_AUTH     not sealed to this key, or altered (the stream does not
 *                   authenticate), or the signature does not verify
 *   KITH_E_LIMIT    more rows or devices than the bounds
 *   KITH_E_NOMEM
 */
int kith_bundle_parse(struct kith_bundle **out, const void *data, size_t len, const uint8_t org_pk[32],
		      kith_bundle_unseal_fn unseal, void *arg, struct kith_err *err) KITH_WUR;

/* The parsed bundle's facts: id (16 bytes), the sender's signing key (32),
 * the recipient (32: the organization's public key, or a device's signing
 * key), when it was made (the sender's clock), its number of rows. */
const uint8_t *kith_bundle_id(const struct kith_bundle *b);
const uint8_t *kith_bundle_sender(const struct kith_bundle *b);
const uint8_t *kith_bundle_recipient(const struct kith_bundle *b);
int64_t kith_bundle_created(const struct kith_bundle *b);
size_t kith_bundle_rows(const struct kith_bundle *b);
/* 2 (format-1 rows) or 3 (format-2 batches with their manifests, and
 * format-1 rows). */
int kith_bundle_format(const struct kith_bundle *b);

/* kith_bundle_parse with the vault's own key: the organization's at
 * headquarters, the device's own in a field vault. */
int kith_bundle_parse_for(struct kith_bundle **out, struct kith_vault *v, const void *data, size_t len,
			  struct kith_err *err) KITH_WUR;

struct kith_bundle_applied {
	size_t added;	  /* versions inserted */
	size_t skipped;	  /* versions already here, byte for byte */
	size_t conflicts; /* versions kept aside: another version holds their place */
	size_t revoked;	  /* a field vault: revocations it did not hold before */
};

/*
 * Applies a parsed bundle to v, all or nothing. The bundle must be for v (the
 * organization at headquarters, this device in a field vault); the sender must
 * be enrolled in v (an organization signature over v's id). At headquarters
 * every row must be the sender's, of a record only it wrote or that was sent
 * to it; in a field vault the enrolments carried are checked (organization
 * signature for this vault) and added, and every row's writer must be
 * enrolled. Every row is opened with the data key the bundle carries
 * (authentication and padding; in a field vault the signature too) before
 * anything is written; then, in one transaction: a row v lacks is inserted; a
 * row v holds with the same bytes is skipped (importing twice changes
 * nothing); a row of another device where v holds a version at the same
 * (record, version), or following such a row, is kept aside as a conflict
 * (vault/sync.h); the same device's other bytes at its own (record, version)
 * refuse the whole bundle. The vault's index is read again at the start of
 * the next operation (kith_vault_refresh, or any write): views are stale
 * until then. KITH_OK, KITH_E_AUTH (not for this vault, sender
 * not enrolled), KITH_E_CORRUPT (err->where "row N" or "device N"),
 * KITH_E_DB, KITH_E_NOMEM.
 */
int kith_bundle_apply(struct kith_vault *v, const struct kith_bundle *b, struct kith_bundle_applied *res,
		      struct kith_err *err) KITH_WUR;

void kith_bundle_free(struct kith_bundle *b);

#endif
