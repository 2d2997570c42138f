/*
 * bundle — a device's format-1 rows carried to a vault that holds the
 * organization key (a field vault to headquarters), as one encrypted, signed
 * file (issue 12; docs/vault-format.md *Bundles (format 1)*; the format-2
 * bundle of docs/design-format2.md will carry batches the same way).
 *
 *   export: kith_bundle_export  every row this device wrote -> file bytes
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
#include "vault/vault.h"

#define KITH_BUNDLE_FORMAT 1
#define KITH_BUNDLE_MAX_ROWS 10000000u

struct kith_bundle;

/* Opens the sealed stream key: c is crypto_box_seal output (80 bytes), m gets
 * 32 bytes. Returns KITH_OK or a negative status. The vault's is
 * kith_crypto_org_unseal with its keys; the fuzz target brings its own. */
typedef int (*kith_bundle_unseal_fn)(void *arg, const uint8_t *c, size_t clen, uint8_t *m);

/*
 * Writes every row of the open vault v that this device wrote (every version)
 * as a bundle for the organization: appended to out. *rows is set to their
 * number. KITH_OK, KITH_E_LOCKED, KITH_E_DB, KITH_E_NOMEM, KITH_E_CRYPTO.
 */
int kith_bundle_export(struct kith_vault *v, int64_t now, struct kith_sbuf *out, size_t *rows,
		       struct kith_err *err) KITH_WUR;

/*
 * Reads a bundle (hostile input) sealed to org_pk, opening its key with
 * unseal(arg, ...). Checks, before returning anything: the magic and format,
 * every length against the file and its bounds, the stream (a cut file fails:
 * "the bundle is cut short"), the envelope (the organization id is H(org_pk)),
 * the count of rows, and the sender's Ed25519 signature over the whole
 * plaintext and the recipient. *out is set only on success.
 *   KITH_E_INVALID  not a bundle, another format, a malformed part (err->where
 *                   names it: "bundle", "format", "envelope", "row N", "end")
 *   KITH_E_AUTH     not sealed to this organization, or altered (the stream
 *                   does not authenticate), or the signature does not verify
 *   KITH_E_LIMIT    more rows or bytes than the bounds
 *   KITH_E_NOMEM
 */
int kith_bundle_parse(struct kith_bundle **out, const void *data, size_t len, const uint8_t org_pk[32],
		      kith_bundle_unseal_fn unseal, void *arg, struct kith_err *err) KITH_WUR;

/* The parsed bundle's facts: id (16 bytes), the sender's signing key (32), when
 * it was made (the sender's clock), its number of rows. */
const uint8_t *kith_bundle_id(const struct kith_bundle *b);
const uint8_t *kith_bundle_sender(const struct kith_bundle *b);
int64_t kith_bundle_created(const struct kith_bundle *b);
size_t kith_bundle_rows(const struct kith_bundle *b);

/* kith_bundle_parse with the vault's own organization key (it must hold it:
 * KITH_E_NOTFOUND otherwise). */
int kith_bundle_parse_for(struct kith_bundle **out, struct kith_vault *v, const void *data, size_t len,
			  struct kith_err *err) KITH_WUR;

/*
 * Applies a parsed bundle to v, all or nothing: the sender must be enrolled in
 * v (an organization signature over v's id), every row must be the sender's,
 * open (signature, unwrap with the organization key, authentication,
 * padding); then, in one transaction, every row v lacks is inserted; a row v
 * holds with the same bytes is skipped (importing twice changes nothing); a
 * row v holds with other bytes refuses the whole bundle. *added and *skipped
 * are set. The vault's index is not re-read: close and reopen v to see the
 * rows. KITH_OK, KITH_E_AUTH (sender not enrolled), KITH_E_CORRUPT (a row that
 * does not open, is another device's, or conflicts; err->where "row N"),
 * KITH_E_NOTFOUND (v does not hold the organization key), KITH_E_DB.
 */
int kith_bundle_apply(struct kith_vault *v, const struct kith_bundle *b, size_t *added, size_t *skipped,
		      struct kith_err *err) KITH_WUR;

void kith_bundle_free(struct kith_bundle *b);

#endif
