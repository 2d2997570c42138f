/*
 * sameperson — one person across the cases that confirmed "same person"
 * links join (linkvault.h), for the case page, `kith show` and the list:
 * every record of the person, and the links that make it, each of which a
 * person may undo (kith_link_vault_set_status "undone").
 *
 * Only confirmed links join cases here (not the linkage engine's clusters:
 * what a caseworker sees as one person is what a person decided).
 *
 * Ownership: the vault is borrowed; JSON handed out is a new reference.
 */
#ifndef KITH_CASEWORK_SAMEPERSON_H
#define KITH_CASEWORK_SAMEPERSON_H

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"

/*
 * The person of case `ref`: {ref, cases: [summary (cases.h) of every case
 * of the person, `ref` first, then by ref], links: [{id, version, reviewer,
 * at, cases: [refs]}] (the confirmed links among them, oldest first)}. A
 * case alone gives one case and no link. KITH_OK with *out set;
 * KITH_E_NOTFOUND (where "ref"), KITH_E_NOMEM.
 */
int kith_sameperson_of(struct kith_vault *v, const char *ref, json_t **out, struct kith_err *err) KITH_WUR;

#endif
