/*
 * attach — files attached to a case: photos, scans, audio, documents. The one
 * place where the CLI (`kith attach`) and the web (api_attach.c) add, list,
 * read and remove them, so that the photo stripping, the size cap and the
 * consent rule hold on every path.
 *
 * An attachment is a record of kind "attachment" (record.h) whose body names
 * its case (`case`: the case's id), its file `name` and `type`, its `size`,
 * whether photo metadata was `stripped`, and where its bytes are: `blob`, the
 * id of a chunked secretstream in the vault file, and `key`, that stream's key
 * and header (vault/blob.h). The key lives only inside the sealed, signed
 * record version: panic, duress, recover and field mode hold for the bytes as
 * for the record. Each version of the record is a version in the history;
 * removal is a new version with `removed` true (the bytes stay, like every
 * old version of a record, readable through `kith attach get --version`).
 *
 * Adding streams: kith_attach_upload_add takes the file in pieces of any
 * size; a JPEG or PNG (judged by its bytes, never by its name) goes through
 * the metadata stripper (record/imgstrip.h) and everything goes straight into
 * the encryption (blob.h); nothing but ciphertext touches the disk before the
 * commit, and one SQLite transaction writes the chunks and the record
 * together (kill -9 at any point leaves either nothing or the whole
 * attachment). Other image formats that carry location (HEIC, TIFF, WebP,
 * GIF, AVIF) are refused: convert them to JPEG or PNG first.
 *
 * Consent: the bytes of an attachment leave the vault (a download to a file,
 * an export) only when the case's consent allows sharing (consent.sharing);
 * kith_attach_open with use NULL reads for viewing inside the organization
 * (the case page, tracing candidates).
 *
 * Ownership: the vault is borrowed; uploads and readers are caller-owned
 * (the _free functions wipe them); arrays handed out are caller-owned
 * (free()). Messages carry ids, sizes and counts, never a name.
 */
#ifndef KITH_CASEWORK_ATTACH_H
#define KITH_CASEWORK_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"

#define KITH_ATTACH_MAX_BYTES (64ull << 20) /* the default cap of one attachment */
#define KITH_ATTACH_NAME_MAX 200	    /* bytes of a file name */
#define KITH_ATTACH_TYPE_MAX 100

/* ------------------------------------------------------------ adding */

struct kith_attach_upload;

/*
 * Begins an upload whose ciphertext is spooled in `dir` (the vault's folder;
 * an unlinked file). max: the size cap (0: KITH_ATTACH_MAX_BYTES). KITH_OK,
 * KITH_E_IO, KITH_E_NOMEM, KITH_E_CRYPTO.
 */
int kith_attach_upload_new(struct kith_attach_upload **out, const char *dir, uint64_t max,
			   struct kith_err *err) KITH_WUR;

/* Adds p[0..n) of the file. KITH_OK; KITH_E_LIMIT (over the cap: "the file is
 * larger than N MiB"), KITH_E_INVALID (a refused image format, or a malformed
 * photo: err->where "photo"), KITH_E_IO, KITH_E_CRYPTO. After a failure the
 * upload is spent: free it. */
int kith_attach_upload_add(struct kith_attach_upload *u, const void *p, size_t n,
			   struct kith_err *err) KITH_WUR;

/* Ends the file: the same statuses (a photo cut short is KITH_E_INVALID). */
int kith_attach_upload_finish(struct kith_attach_upload *u, struct kith_err *err) KITH_WUR;

/* Bytes received so far (before stripping). */
uint64_t kith_attach_upload_received(const struct kith_attach_upload *u);

/* Wipes and frees. NULL allowed. */
void kith_attach_upload_free(struct kith_attach_upload *u);

struct kith_attach_add_opts {
	const char *name; /* the file's name (its last path component is kept); required */
	const char *type; /* a media type for what is not a photo (NULL: from the name) */
	const char *note; /* NULL: none */
};

/*
 * Attaches the finished upload to the case `case_ref` (a ref or a case id):
 * one batch, one transaction, the chunks and the record. id_out (may be NULL)
 * receives the attachment's id. KITH_OK; KITH_E_NOTFOUND (no such case),
 * KITH_E_INVALID (no name, a name or type too long or with control
 * characters, an upload not finished), KITH_E_EXISTS (the vault changed
 * meanwhile: nothing written), KITH_E_DB, KITH_E_IO, KITH_E_NOMEM,
 * KITH_E_CRYPTO. Nothing is written on failure.
 */
int kith_attach_commit(struct kith_vault *v, const char *case_ref, struct kith_attach_upload *u,
		       const struct kith_attach_add_opts *o, char id_out[KITH_VAULT_ID_HEX],
		       struct kith_err *err) KITH_WUR;

/* ------------------------------------------------------------ listing */

struct kith_attach_item {
	char id[KITH_VAULT_ID_HEX];
	char case_id[KITH_VAULT_ID_HEX];
	uint32_t version;
	int64_t at; /* when this version was written */
	char name[KITH_ATTACH_NAME_MAX + 1];
	char type[KITH_ATTACH_TYPE_MAX + 1];
	uint64_t size;
	int photo;    /* a stripped JPEG or PNG: shown inline */
	int stripped; /* metadata was removed */
	int removed;
	char action[32];
	int purged; /* its bytes were destroyed (kith_attach_purge) */
};

/*
 * The attachments of a case (a ref or an id), oldest first; removed ones only
 * when `removed` is 1. *out is caller-owned (free()), *n set. KITH_OK,
 * KITH_E_NOTFOUND (no such case), KITH_E_NOMEM.
 */
int kith_attach_list(const struct kith_vault *v, const char *case_ref, int removed,
		     struct kith_attach_item **out, size_t *n, struct kith_err *err) KITH_WUR;

/* Every version of attachment `id`, oldest first (its history). *out
 * caller-owned (free()). KITH_OK, KITH_E_NOTFOUND, KITH_E_CORRUPT, KITH_E_DB,
 * KITH_E_NOMEM. */
int kith_attach_history(struct kith_vault *v, const char *id, struct kith_attach_item **out, size_t *n,
			struct kith_err *err) KITH_WUR;

/* Every version of every attachment of a case (a ref or an id), removed
 * ones too, by time (then version): the attachments' part of the case's
 * history. *out caller-owned (free()). KITH_OK, KITH_E_NOTFOUND (no such
 * case), KITH_E_CORRUPT (a version failed verification: the readable ones
 * are returned), KITH_E_DB, KITH_E_NOMEM. */
int kith_attach_case_history(struct kith_vault *v, const char *case_ref, struct kith_attach_item **out,
			     size_t *n, struct kith_err *err) KITH_WUR;

/* An item as JSON {"id", "case", "version", "at", "name", "type", "size",
 * "photo", "stripped", "removed", "action", "purged"}: a new reference, NULL on
 * out-of-memory. */
json_t *kith_attach_item_json(const struct kith_attach_item *it);

/* ------------------------------------------------------------ reading */

struct kith_attach_reader;

/*
 * Opens attachment `id` for reading: its current version, or `version` when
 * nonzero (an older one, also a removed one). use: NULL to view inside the
 * organization; "sharing" (any consent use of exchange.h) when the bytes
 * leave the vault — refused unless the case's consent allows it. *item (may
 * be NULL) receives what it is. KITH_OK; KITH_E_NOTFOUND (no such
 * attachment, version, or removed and version 0), KITH_E_CONSENT,
 * KITH_E_CORRUPT, KITH_E_DB, KITH_E_NOMEM.
 */
int kith_attach_open(struct kith_vault *v, const char *id, uint32_t version, const char *use,
		     struct kith_attach_reader **out, struct kith_attach_item *item,
		     struct kith_err *err) KITH_WUR;

/* The next piece of the file: 1 with *p, *n (borrowed until the next call),
 * 0 at the end, or KITH_E_CORRUPT (altered or missing bytes), KITH_E_DB,
 * KITH_E_LOCKED (the vault was locked meanwhile). The vault must be the one
 * it was opened on. */
int kith_attach_next(struct kith_attach_reader *r, struct kith_vault *v, const uint8_t **p, size_t *n,
		     struct kith_err *err) KITH_WUR;

/* Wipes and frees. NULL allowed. */
void kith_attach_reader_free(struct kith_attach_reader *r);

/* ------------------------------------------------------------ removing */

/* Removes attachment `id` from its case: a new version with `removed` true.
 * KITH_OK, KITH_E_NOTFOUND (unknown or already removed), KITH_E_EXISTS,
 * KITH_E_DB, KITH_E_NOMEM. */
int kith_attach_remove(struct kith_vault *v, const char *id, const char *note, struct kith_err *err) KITH_WUR;

/* ------------------------------------------------------------ exporting */

/*
 * An export of attachments as one tar file (POSIX ustar), streamed: the
 * bytes leave the vault, so only attachments of cases whose consent allows
 * sharing (consent.sharing) go in — and, when `consent` names another use,
 * that use too — and the rest are counted as left out. Each current
 * (not removed) attachment is the entry "REF/ID8-NAME" (the case's ref, the
 * first 8 hex digits of the attachment's id, its file name with '/', '\\'
 * and control characters made '_'), mode 0600, with its time.
 */
struct kith_attach_export_opts {
	const char *const *cases; /* refs or ids; NULL: every case */
	size_t n_cases;
	const char *consent; /* NULL or "sharing": sharing only; else sharing and this use */
};

struct kith_attach_export_result {
	size_t files;	       /* attachments written */
	size_t cases;	       /* cases they belong to */
	size_t left_out;       /* attachments of cases whose consent does not allow it */
	size_t cases_left_out; /* those cases */
	uint64_t bytes;	       /* the file's bytes, once planned: what _read will give */
};

struct kith_attach_export;

/*
 * Plans the export: which attachments go in. *res (may be NULL) is filled
 * now (the counts are known before a byte is read). KITH_OK; KITH_E_INVALID
 * (an unknown consent use, where "consent"); KITH_E_NOTFOUND (a case in
 * opts->cases that does not exist, where "case"); KITH_E_NOMEM.
 */
int kith_attach_export_new(struct kith_vault *v, const struct kith_attach_export_opts *o,
			   struct kith_attach_export **out, struct kith_attach_export_result *res,
			   struct kith_err *err) KITH_WUR;

/* The next bytes of the tar file into buf[0..max): how many (> 0), 0 at the
 * end, or a negative status: KITH_E_CORRUPT (an attachment that fails
 * authentication or whose size is not its record's), KITH_E_CONSENT (consent
 * withdrawn meanwhile), KITH_E_NOTFOUND (removed meanwhile), KITH_E_DB,
 * KITH_E_LOCKED, KITH_E_NOMEM — the file is then not whole: discard it. */
long kith_attach_export_read(struct kith_attach_export *x, struct kith_vault *v, uint8_t *buf, size_t max,
			     struct kith_err *err);

/* Wipes and frees. NULL allowed. */
void kith_attach_export_free(struct kith_attach_export *x);

/* ------------------------------------------------------------ purging */

struct kith_attach_purge_result {
	uint64_t chunks; /* chunks deleted */
	uint64_t zeroed; /* bytes of their ciphertext overwritten in the file and its -wal */
};

/*
 * Purges attachment `id` (current or removed): its bytes become unreadable
 * for good, in every version. One batch writes a new version (action
 * "purge", note `note`, required: why) with `removed` and `purged` true and
 * no blob or key, and deletes the chunks of every version's blob; after the
 * commit every copy of their ciphertext left in the vault file and its -wal
 * is overwritten (vault/blob.h). The name, type, size and history stay: the
 * case's history says what was purged, when and why. It is an
 * administrator's decision, confirmed: `confirm` is the case number the
 * person typed, which must be the attachment's case's ref (where "confirm"),
 * or NULL when the caller confirmed otherwise (the CLI's --yes). *res may be
 * NULL. Only an administrator (casework/people.h). KITH_OK; KITH_E_DENIED
 * (not an administrator); KITH_E_INVALID (no note, a wrong confirmation),
 * KITH_E_NOTFOUND (unknown, or purged already), KITH_E_EXISTS (changed
 * meanwhile), KITH_E_DB, KITH_E_IO, KITH_E_NOMEM. Nothing is written on
 * failure before the commit; a failure of the overwrite after it is KITH_E_IO
 * with the purge recorded and the chunks deleted.
 */
int kith_attach_purge(struct kith_vault *v, const char *id, const char *note, const char *confirm,
		      struct kith_attach_purge_result *res, struct kith_err *err) KITH_WUR;

#endif
