/*
 * pprl_vault — the vault's side of `kith pprl encode --vault`: the cases an
 * organization may encode for a joint estimate.
 *
 * Only cases whose consent allows their use in statistics (consent.reporting
 * is true: "Consents to reporting (anonymous figures)") are taken; the others
 * are counted and left out, so the caller can say how many. Each taken case
 * becomes a record of a linkage dataset as kith_link_vault_dataset makes it
 * (names, sex, birth or age at intake, origin), which the encoder reads with
 * kith_dataset_values.
 *
 * Ownership: the vault is borrowed; *out is caller-owned (kith_dataset_free).
 * Messages carry refs and counts only.
 */
#ifndef KITH_CASEWORK_PPRL_VAULT_H
#define KITH_CASEWORK_PPRL_VAULT_H

#include <stddef.h>

#include "base/status.h"
#include "link/dataset.h"

struct kith_vault;

struct kith_pprl_vault_counts {
	size_t cases;	   /* readable cases in the vault */
	size_t taken;	   /* encoded */
	size_t no_consent; /* left out: consent does not allow use in statistics */
	size_t unusable;   /* left out: nothing to encode (no name, sex, birth or origin) */
};

/*
 * Builds a finished dataset of the consenting cases (record id = case ref,
 * every record in one list). KITH_OK; KITH_E_INVALID (no case may be used:
 * the message gives the counts); KITH_E_NOMEM. Outputs set only on success.
 */
int kith_pprl_vault_dataset(const struct kith_vault *v, struct kith_dataset **out,
			    struct kith_pprl_vault_counts *counts, struct kith_err *err) KITH_WUR;

#endif
