/*
 * conflicts — bundles and the conflicts they bring, as a user works with them
 * (issue 12): which records headquarters sends to a field device, and a
 * person's resolution of two versions of one record written apart (docs/cli.md
 * `kith bundle`, `kith resolve`). The CLI and the web call these only.
 *
 * A record has a conflict when a bundle brought a version of it that another
 * version holds the place of (vault/sync.h keeps it aside): side A is the
 * version the vault shows, B (C, ...) the newest kept version of each other
 * device. A resolution is a new version of the record whose parents are all of
 * them: A's body with, for each top-level field where the sides differ, the
 * value of the side chosen (a field absent from that side is removed).
 *
 * Ownership: the vault is borrowed; json_t results are new references.
 */
#ifndef KITH_CASEWORK_CONFLICTS_H
#define KITH_CASEWORK_CONFLICTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "vault/bundle.h"
#include "vault/vault.h"

/* What kith_conflicts_export sends. Zero: every version this device wrote
 * that headquarters was not sent yet. */
struct kith_conflicts_export_opts {
	const char *to;		 /* NULL or "hq": headquarters; else a device's name (HQ -> device) */
	const char *const *refs; /* with a device: these records (cases or tracing requests, by ref) */
	size_t nrefs;
	const char *kind;  /* with a device: every record of this kind ("case", "trace") */
	const char *since; /* 32 hex digits: a bundle this vault made to that recipient */
	int all;	   /* 1: send again what was sent */
};

/*
 * Writes a bundle (appended to out) and fills *sent (record it with
 * kith_bundle_mark_sent once the file is written; release it either way).
 * KITH_OK, KITH_E_INVALID (opts: a device without records, since not hex),
 * KITH_E_NOTFOUND (no such device, ref, or earlier bundle), KITH_E_AUTH (the
 * device is revoked), and kith_bundle_export's statuses.
 */
int kith_conflicts_export(struct kith_vault *v, const struct kith_conflicts_export_opts *opts, int64_t now,
			  struct kith_sbuf *out, struct kith_bundle_sent *sent,
			  struct kith_err *err) KITH_WUR;

/* The refs of records (of every kind) with a conflict, as a JSON array of
 * {"kind","ref","id"}. KITH_OK, KITH_E_DB, KITH_E_NOMEM. */
int kith_conflicts_list(struct kith_vault *v, json_t **out, struct kith_err *err) KITH_WUR;

/* Whether record id (hex) has a conflict, for lists: a sorted id set loaded once. */
int kith_conflicts_ids(struct kith_vault *v, char (**ids)[33], size_t *n, struct kith_err *err) KITH_WUR;
int kith_conflicts_has(char (*ids)[33], size_t n, const char *id);

/*
 * The conflict of record `ref` of `kind`: {"kind","ref","id","sides":[{"side":
 * "A","device","version","at","body"}, ...],"fields":[names where the sides
 * differ]}. KITH_OK, KITH_E_NOTFOUND (no such record, or it has no conflict),
 * KITH_E_NOMEM, KITH_E_DB.
 */
int kith_conflicts_get(struct kith_vault *v, const char *kind, const char *ref, json_t **out,
		       struct kith_err *err) KITH_WUR;

/*
 * Resolves the conflict of `ref`: takes[i] is "FIELD=SIDE" (SIDE a letter of
 * kith_conflicts_get), all_side (NULL or a side letter) chooses for every
 * field not named. Every differing field must be chosen. Writes the new
 * version (action "resolve", a note naming the versions it joins) above every
 * side's version and marks the kept versions resolved, in one transaction;
 * *version is set. KITH_OK, KITH_E_NOTFOUND, KITH_E_INVALID (a field or side
 * not in the conflict, a field left unchosen: err->where names it),
 * KITH_E_EXISTS (the record changed meanwhile), the vault's write statuses.
 */
int kith_conflicts_resolve(struct kith_vault *v, const char *kind, const char *ref, const char *const *takes,
			   size_t ntakes, const char *all_side, uint32_t *version,
			   struct kith_err *err) KITH_WUR;

#endif
