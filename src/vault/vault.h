/*
 * vault — the encrypted case vault: one SQLite file, the envelope of DESIGN.md,
 * append-only record versions, and an in-memory index of the current versions
 * after unlock.
 *
 * Ownership (the whole API): a struct kith_vault owns every key, every
 * decrypted record and every view it hands out. Views (struct kith_record_view,
 * arrays of them, strings in them) are borrowed: valid until the next call that
 * changes the vault (a batch commit, even a refused one; passwd; panic;
 * kith_vault_refresh) or kith_vault_close. JSON
 * handed *to* the vault is borrowed (the vault copies what it keeps); JSON
 * handed *out* by a function whose name ends in _json is a new reference the
 * caller must json_decref. Passphrases are borrowed and never copied outside
 * guarded memory.
 *
 * Records. A record is a kind ("case", "link", "trace", ...; record.h defines
 * the kinds and their schemas), a random 128-bit id, a human `ref` unique among
 * records of its kind in the vault, and a chain of versions 1, 2, 3 ... Each
 * version holds the whole body; an edit adds a version and never overwrites.
 * A version also records when (`at`, Unix seconds), by which device, and an
 * `action` ("create", "edit", "merge", "undo", ... free for the caller) and an
 * optional `note`. All of that is inside the ciphertext: the file shows only
 * ids, version numbers, key wraps, signatures and padded ciphertext.
 *
 * Reading. kith_vault_open decrypts every current version it can read and
 * indexes it. A row that fails its signature or its authentication is not
 * indexed: it is listed in kith_vault_damaged() by id (and ref when an earlier
 * version was readable), and every other record stays readable. Rows written
 * by other devices whose data key this device cannot unwrap (field mode) are
 * skipped silently and counted in kith_vault_info().unreadable.
 */
#ifndef KITH_CORE_VAULT_H
#define KITH_CORE_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/status.h"

#define KITH_VAULT_ID_HEX 33  /* 32 hex digits + NUL */
#define KITH_VAULT_REF_MAX 64 /* bytes, with NUL */
#define KITH_VAULT_DEVICE_HEX 17
#define KITH_VAULT_PERSON_HEX 33 /* a person's id: 32 hex digits + NUL */

/* Argon2id cost, recorded in the vault header. MODERATE is the default; the
 * cheaper ones exist for tests and old laptops and must be asked for. */
enum kith_kdf {
	KITH_KDF_MODERATE = 0,	  /* crypto_pwhash_*_MODERATE (256 MiB, 3 passes) */
	KITH_KDF_SENSITIVE = 1,	  /* crypto_pwhash_*_SENSITIVE (1 GiB) */
	KITH_KDF_INTERACTIVE = 2, /* crypto_pwhash_*_INTERACTIVE (64 MiB) */
	KITH_KDF_TEST = 3,	  /* crypto_pwhash_*_MIN: tests and benchmarks only */
};

/* A struct kith_vault is not thread-safe: callers that share one between
 * threads (the web server) serialize every call, except that the readers
 * kith_vault_info, _records, _find, _find_id, _generation and
 * kith_record_view_json, which change nothing, may run at once with one
 * another while no other call runs (a reader-writer lock). Opening decrypts on several
 * threads internally (kith_vault_open_with's threads; the library reads no
 * environment variable). */
struct kith_vault;

struct kith_vault_create_opts {
	enum kith_kdf kdf;  /* 0: MODERATE */
	const char *duress; /* optional duress passphrase (NULL: none) */
	size_t duress_len;
	unsigned format; /* 0: 2 (signed batches; bundles carry them); 1: one signature per version */
};

struct kith_vault_info {
	char vault_id[KITH_VAULT_ID_HEX];      /* random, stable */
	char device_id[KITH_VAULT_DEVICE_HEX]; /* first 8 bytes of this device's signing key, hex */
	enum kith_kdf kdf;
	const char *kdf_name; /* "moderate", ... */
	unsigned long long opslimit;
	size_t memlimit;
	int holds_org_secret;	/* 1 in a standalone vault */
	size_t records;		/* readable current records, all kinds */
	size_t rows;		/* record versions in the file */
	size_t damaged;		/* records whose newest row failed verification */
	size_t unreadable;	/* records this device cannot decrypt */
	size_t missing;		/* records the file lists whose rows could not be read (a damaged
				   file): the vault then refuses writes; never 0 by mistake */
	size_t devices_refused; /* device rows without a valid enrolment signature: their rows
				   are damaged ("unknown device") */
	size_t devices_trusted; /* devices whose enrolment this unlock signed while upgrading a vault
				   from before signed enrolment (trust on first unlock) */
	int keys_destroyed;	/* another process destroyed the keys (panic): every call fails */
	int format;		/* 1 or 2 (docs/vault-format.md) */
	size_t batches;		/* format 2: signed batches in the file */
	size_t integrity;	/* format 2: what the check of the batches found wrong (a deleted
				   version, a dropped batch, a rolled-back log, a bad signature):
				   kith_vault_integrity(v, 0 .. integrity - 1) says what */
};

/* One version of one record, decrypted. Borrowed from the vault. */
struct kith_record_view {
	const char *id;	  /* 32 hex digits */
	uint32_t version; /* 1, 2, ... */
	const char *kind; /* "case", ... */
	const char *ref;  /* human reference, unique per kind */
	const char *body; /* canonical JSON text of the body */
	size_t body_len;
	int64_t at;	    /* Unix seconds when this version was written */
	const char *device; /* 16 hex digits: the writing device */
	const char *action; /* "create", "edit", ... */
	const char *note;   /* "" when none */
	size_t index;	    /* position in kith_vault_records() of its kind */
	const char *person; /* 32 hex digits: the writing person (people.c); "" or NULL: the
			       main slot's (unnamed) admin, and every version written before people */
};

/*
 * Creates a vault file at `path` (must not exist): fresh device keys and, as a
 * standalone vault, the organization key pair, wrapped under an Argon2id KEK of
 * `pass`. Returns KITH_OK, KITH_E_EXISTS (file exists), KITH_E_INVALID (empty
 * passphrase, duress equal to passphrase), KITH_E_IO, KITH_E_DB, KITH_E_NOMEM,
 * KITH_E_CRYPTO. On failure no file is left behind.
 */
int kith_vault_create(const char *path, const char *pass, size_t pass_len,
		      const struct kith_vault_create_opts *opts, struct kith_err *err) KITH_WUR;

/*
 * Opens and unlocks a vault, decrypting and indexing every readable current
 * record. With the duress passphrase it silently destroys this device's keys
 * (and the organization secret key), gives the vault fresh device keys under
 * the duress passphrase, and returns KITH_OK with a vault that shows no
 * records; records stay sealed to the organization key. Returns KITH_OK,
 * KITH_E_AUTH (wrong passphrase — nothing changed — or keys destroyed by panic),
 * KITH_E_NOTFOUND, KITH_E_NOTVAULT (not a SQLite file, or not a kith one, or a
 * newer format), KITH_E_CORRUPT (the header itself is damaged), KITH_E_IO,
 * KITH_E_DB, KITH_E_NOMEM. *out is set only on success. `progress`, if not
 * NULL, is called with (done, total, arg) while indexing.
 */
int kith_vault_open(struct kith_vault **out, const char *path, const char *pass, size_t pass_len,
		    void (*progress)(size_t done, size_t total, void *arg), void *progress_arg,
		    struct kith_err *err) KITH_WUR;

/* Options of kith_vault_open_with; zero is every processor and no progress. */
struct kith_vault_open_opts {
	unsigned threads; /* threads that decrypt at open and seal batches; 0: every online processor */
	void (*progress)(size_t done, size_t total, void *arg); /* NULL: none */
	void *progress_arg;
};

/* kith_vault_open with options (the command line passes KITH_THREADS through
 * threads); the same statuses. opts NULL: the defaults. */
int kith_vault_open_with(struct kith_vault **out, const char *path, const char *pass, size_t pass_len,
			 const struct kith_vault_open_opts *opts, struct kith_err *err) KITH_WUR;

/* Wipes every key and every decrypted byte, closes the file. NULL allowed. */
void kith_vault_close(struct kith_vault *v);

/*
 * Destroys this device's keys in the file at `path` without a passphrase:
 * every wrapped secret key and the passphrase verifiers are overwritten and
 * deleted (secure_delete), the WAL is checkpointed and truncated. Afterwards no
 * passphrase opens the vault (KITH_E_AUTH); record rows stay, sealed to the
 * organization key. Returns KITH_OK, KITH_E_NOTFOUND, KITH_E_NOTVAULT, KITH_E_IO,
 * KITH_E_DB.
 */
int kith_vault_panic(const char *path, struct kith_err *err) KITH_WUR;

/* Changes the passphrase: re-wraps the keys under a new salt, no record is
 * re-encrypted. A duress passphrase must be given again in `duress` to stay
 * (it is derived under the new salt); NULL removes the duress slot. KITH_OK,
 * KITH_E_INVALID (empty, or equal to the duress passphrase), KITH_E_DB,
 * KITH_E_CRYPTO. After the commit the old slots are overwritten in place;
 * when that fails the change stands and the call returns KITH_OK with a
 * warning in err (err->status 0, err->msg set: the old slots may remain).
 * kith_vault_recover does the same. */
int kith_vault_passwd(struct kith_vault *v, const char *new_pass, size_t new_len, const char *duress,
		      size_t duress_len, struct kith_err *err) KITH_WUR;

/* Writes an encrypted backup of the organization secret key to `out_path`
 * (0600), wrapped under an Argon2id key of `pass` (MODERATE). KITH_OK,
 * KITH_E_NOTFOUND (this device does not hold it), KITH_E_IO. */
int kith_vault_export_org_key(struct kith_vault *v, const char *out_path, const char *pass, size_t pass_len,
			      struct kith_err *err) KITH_WUR;

/* Whether `pass` opens this vault's main key slot (the web UI asks for the
 * current passphrase before a change or a backup). A duress passphrase is
 * wrong here: nothing is destroyed. KITH_OK, KITH_E_AUTH (wrong),
 * KITH_E_LOCKED (the keys were destroyed), KITH_E_DB, KITH_E_NOMEM. */
int kith_vault_check_passphrase(struct kith_vault *v, const char *pass, size_t pass_len,
				struct kith_err *err) KITH_WUR;

/* As kith_vault_export_org_key, into *out (appended; the caller releases it)
 * rather than a file: the web UI sends it as a download. The bytes are the
 * backup file, encrypted under `pass`. KITH_OK, KITH_E_INVALID (empty pass),
 * KITH_E_NOTFOUND (not held), KITH_E_LOCKED, KITH_E_NOMEM. */
struct kith_sbuf;
int kith_vault_export_org_key_buf(struct kith_vault *v, const char *pass, size_t pass_len,
				  struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* Recovers a vault whose device keys were destroyed (panic, duress) with the
 * organization key backup: new device keys under `new_pass`, every record
 * readable again through the organization wrap. The Argon2id cost is the
 * header's unless that is weaker than the backup file's own (authentic)
 * cost: a lowered header is never adopted. KITH_OK, KITH_E_AUTH (wrong
 * backup passphrase or a key of another organization), KITH_E_IO, KITH_E_DB. */
int kith_vault_recover(const char *path, const char *key_path, const char *key_pass, size_t key_pass_len,
		       const char *new_pass, size_t new_len, struct kith_err *err) KITH_WUR;

/* What kith_vault_recover_report did besides recovering (for the user). */
struct kith_vault_recover_report {
	int kdf_raised;		/* the header's cost was below the backup's: raised, and */
	const char *header_kdf; /* ... the header asked for this level ("test", ...) */
	const char *kdf;	/* the level the new passphrase is derived at */
	size_t devices_trusted; /* devices of a vault without signed enrolments, signed now */
	int duress_slot;	/* a duress slot was written (kith_vault_recover_slots) */
};
int kith_vault_recover_report(const char *path, const char *key_path, const char *key_pass,
			      size_t key_pass_len, const char *new_pass, size_t new_len,
			      struct kith_vault_recover_report *rep, struct kith_err *err) KITH_WUR;
/* As kith_vault_recover_report, and a duress slot under `duress` (NULL: the
 * duress slot is random filler, as in a vault without one). Every slot is
 * rewritten: main under new_pass, duress, and every person slot destroyed
 * (their passphrases are not known here: kith_people_reset gives each a new
 * one). KITH_E_INVALID also when duress is
 * empty or equals new_pass. */
int kith_vault_recover_slots(const char *path, const char *key_path, const char *key_pass,
			     size_t key_pass_len, const char *new_pass, size_t new_len, const char *duress,
			     size_t duress_len, struct kith_vault_recover_report *rep,
			     struct kith_err *err) KITH_WUR;

/*
 * Brings the vault up to date with its file. Another process may have written
 * (kith add while kith serve runs) or destroyed the keys (kith panic): a
 * server calls this before each request, holding its lock exclusively (it
 * changes the index; batches call it themselves). PRAGMA data_version tells
 * whether anything changed; if so the index is read again, whole (views
 * handed out before are invalid, the generation grows). KITH_OK; KITH_E_LOCKED when the keys were destroyed —
 * the vault has then wiped its keys and index, and every later call fails with KITH_E_LOCKED (close it);
 * KITH_E_INVALID (a batch is open); KITH_E_DB, KITH_E_IO, KITH_E_CORRUPT, KITH_E_NOMEM from reading the file.
 */
int kith_vault_refresh(struct kith_vault *v, struct kith_err *err) KITH_WUR;

/* Facts about the vault (never secrets). */
void kith_vault_info(const struct kith_vault *v, struct kith_vault_info *out);

/* The i-th finding of the check of a format-2 vault's signed batches at
 * unlock (kith_vault_info().integrity of them), as one line naming the
 * batch and device by id prefix and the count — never a record's content;
 * NULL past the end. Borrowed until the index is read again. */
const char *kith_vault_integrity(const struct kith_vault *v, size_t i);

/*
 * kith upgrade: converts the format-1 vault at path to format 2 in place, all
 * or nothing. Every version this vault can read is re-sealed into one signed
 * batch (flag "re-sealed from format 1"; each version keeps its id, number,
 * writer and envelope); versions it cannot read stay format-1 rows. The new
 * file is written beside the vault (path + ".format2.tmp"), opened and
 * compared record by record with the old index; only then is the old file
 * kept as path + ".format1" (with its -wal) and the new one renamed into
 * place. A field vault re-seals only its own versions that no bundle to
 * headquarters held; the rest stay the format-1 rows headquarters holds
 * (docs/vault-format.md *Upgrade*). KITH_OK; KITH_E_EXISTS (already format 2,
 * or a .format1 file in the way); the statuses of kith_vault_open;
 * KITH_E_CORRUPT (the new file did not verify: the old one is untouched); KITH_E_IO. *resealed (may be NULL)
 * counts the versions re-sealed.
 */
int kith_vault_upgrade(const char *path, const char *pass, size_t pass_len, size_t *resealed,
		       struct kith_err *err) KITH_WUR;
/* The same, saying also how many versions a field vault kept as format-1
 * rows (its own that it sent to headquarters, and those headquarters sent it). */
struct kith_vault_upgraded {
	size_t resealed, kept;
};
int kith_vault_upgrade_with(const char *path, const char *pass, size_t pass_len,
			    struct kith_vault_upgraded *out, struct kith_err *err) KITH_WUR;

/* The current versions of every readable record of `kind` ("case", ...), in
 * creation order (version 1's time, then id). *n is set; the array is borrowed. */
const struct kith_record_view *kith_vault_records(const struct kith_vault *v, const char *kind, size_t *n);

/* The current version of the record of `kind` with `ref`, or NULL. */
const struct kith_record_view *kith_vault_find(const struct kith_vault *v, const char *kind, const char *ref);

/* The current version of the record with id (32 hex digits), or NULL. */
const struct kith_record_view *kith_vault_find_id(const struct kith_vault *v, const char *id);

/*
 * Every version of the record with `id`, oldest first, decrypted from the file
 * on demand. *out is a caller-owned array of n views whose strings live in the
 * array's own storage: free with kith_vault_history_free. KITH_OK,
 * KITH_E_NOTFOUND, KITH_E_CORRUPT (a version failed verification: the views
 * before it are still returned, *n counts them), KITH_E_DB, KITH_E_NOMEM.
 */
int kith_vault_history(struct kith_vault *v, const char *id, struct kith_record_view **out, size_t *n,
		       struct kith_err *err) KITH_WUR;
void kith_vault_history_free(struct kith_record_view *views, size_t n);

/* Who signed a version's batch (vault/person.h), for history views: the
 * person `person` (the version's, its view's `person`) with their own key;
 * nobody but the device (the main passphrase, format 1, an upgrade); or a
 * person key that is not that person's (shown as such). */
enum { KITH_VAULT_SIGNED_NONE = 0, KITH_VAULT_SIGNED_PERSON = 1, KITH_VAULT_SIGNED_OTHER = 2 };
int kith_vault_version_signer(struct kith_vault *v, const char *id, uint32_t version, const char *person);

/* What the check of the file found, as JSON (integrity.c; the web UI's GET
 * /integrity and `kith verify --json`): {"ok", "format", "batches",
 * "records", "missing", "unreadable", "devices_refused", "device",
 * "findings": [{"kind", "text", "batch"?, "device"?, "seq"?, "to"?,
 * "missing"?, "of"?}], "damaged": [{"kind", "id", "ref", "version",
 * "text"}]}. Kinds: dropped_batch, broken_chain, duplicate_batch,
 * deleted_rows, bad_batch, anchor_missing, anchor_altered, anchor_behind,
 * rolled_back, person_unknown, person_removed, person_signer, other; damaged: changed_row, row_outside_batch,
 * bad_batch, damaged. Ids are prefixes (8 bytes, hex); never a record's content. KITH_OK with *out (the
 * caller's), KITH_E_NOMEM. */
int kith_vault_integrity_json(const struct kith_vault *v, json_t **out) KITH_WUR;

/* Ids (and refs, "" where unknown) of records whose newest row failed
 * verification. Borrowed; *n is set. */
struct kith_vault_damage {
	char id[KITH_VAULT_ID_HEX];
	char ref[KITH_VAULT_REF_MAX];
	uint32_t version;
	const char *reason; /* "bad signature", "authentication failed", ... */
};
const struct kith_vault_damage *kith_vault_damaged(const struct kith_vault *v, size_t *n);

/* The damage entry of the record of `kind` with `ref` (known when an earlier
 * version was readable), or of the record with `id`; NULL when it is not
 * damaged or unknown. Borrowed. */
const struct kith_vault_damage *kith_vault_find_damaged(const struct kith_vault *v, const char *kind,
							const char *ref);
const struct kith_vault_damage *kith_vault_find_damaged_id(const struct kith_vault *v, const char *id);

/*
 * Batches: every write goes through one, and a batch is all or nothing — one
 * SQLite transaction, and the in-memory index changes only when it commits.
 * A batch must be committed or freed before the next is begun.
 *
 * kith_vault_put validates `body` against the schema of `kind` (record.h),
 * assigns a ref when the body has none (kinds with refs), writes its canonical
 * form as a new record (ref unknown) or a new version (ref known, or `id`
 * given); `action`/`note` go into the version's encrypted metadata (NULL:
 * "create"/"edit" as fits, no note). The ref and id written are copied into
 * ref_out/id_out when not NULL. Returns KITH_OK, KITH_E_INVALID (schema: err
 * names the field), KITH_E_EXISTS (a second record with the ref in this batch
 * or vault when `create_only`), KITH_E_NOTFOUND (id given but unknown),
 * KITH_E_DB, KITH_E_CRYPTO, KITH_E_NOMEM. A failed put leaves the batch as it
 * was before the call (it can still be committed with the earlier puts).
 */
struct kith_vault_batch;

struct kith_vault_put_opts {
	const char *id;		 /* write a new version of this record (NULL: by ref) */
	int create_only;	 /* refuse if a record with this ref exists */
	const char *action;	 /* NULL: "create" or "edit" */
	const char *note;	 /* NULL: none */
	uint32_t expect_version; /* nonzero: refuse (KITH_E_EXISTS) unless the current version is this one */
	uint32_t min_version;	 /* nonzero: the new version is at least this (above conflicting versions kept
				    aside) */
};

int kith_vault_batch_begin(struct kith_vault *v, struct kith_vault_batch **out,
			   struct kith_err *err) KITH_WUR;
int kith_vault_put(struct kith_vault_batch *b, const char *kind, json_t *body,
		   const struct kith_vault_put_opts *opts, char ref_out[KITH_VAULT_REF_MAX],
		   char id_out[KITH_VAULT_ID_HEX], struct kith_err *err) KITH_WUR;
/* Commits: KITH_OK, or KITH_E_DB/KITH_E_IO with nothing written. Frees b either way. */
int kith_vault_batch_commit(struct kith_vault_batch *b, struct kith_err *err) KITH_WUR;
/* Abandons an uncommitted batch (rolls back). NULL allowed. */
void kith_vault_batch_free(struct kith_vault_batch *b);
/*
 * Streams a batch (an import): once it holds a few dozen versions, a thread
 * of its own takes the vault's write lock, checks that no other process wrote
 * since kith_vault_batch_begin (else the commit fails with KITH_E_EXISTS,
 * where "concurrent", as any batch would), and writes each row into the
 * batch's one transaction as soon as it is sealed, while the caller keeps
 * putting; the commit writes the rest, the signed manifest, and commits.
 * All or nothing as before: a batch freed, a failed commit or a killed
 * process leaves nothing of it in the file. An error on that thread (a lock
 * another process holds past the busy timeout, a full disk) is returned by
 * kith_vault_batch_commit. The contract: from this call until the commit or
 * kith_vault_batch_free, the caller calls nothing on the vault but
 * kith_vault_put on this batch (the thread uses the vault's SQLite
 * connection), and other processes wait for the write lock that long. Does
 * nothing with fewer than two threads (kith_vault_open_with). NULL allowed.
 */
void kith_vault_batch_stream(struct kith_vault_batch *b);

struct kith_store;

/* One version in a batch of its own (vault/putone.c): begins a batch, puts
 * body as kith_vault_put does (kind, body and opts borrowed, as there), sets
 * hook (may be NULL) to run inside the commit's transaction as
 * kith_vault_batch_hook does (blob.h), and commits. Use a batch of your own
 * when several versions must land together. Returns KITH_OK, or the first
 * failure of kith_vault_batch_begin, kith_vault_put, the hook or
 * kith_vault_batch_commit (statuses above) with nothing written: the batch is
 * freed either way. ref_out and id_out (may be NULL) are written only on
 * success. */
int kith_vault_put_alone(struct kith_vault *v, const char *kind, json_t *body,
			 const struct kith_vault_put_opts *opts, char ref_out[KITH_VAULT_REF_MAX],
			 char id_out[KITH_VAULT_ID_HEX],
			 int (*hook)(struct kith_store *, void *, struct kith_err *), void *hook_arg,
			 struct kith_err *err) KITH_WUR;

/* A counter that grows with every committed batch: caches built over the
 * records (the search index, linkage inputs) compare it to know they are stale. */
uint64_t kith_vault_generation(const struct kith_vault *v);

/*
 * People (vault/people.c; casework/people.h holds their records and roles).
 * Every passphrase slot unlocks the same device keys: the main slot (created
 * with the vault) and one slot per person, named "person:" + the person's
 * random id, derived with the vault's one Argon2id salt (so unlock costs one
 * Argon2id whatever the number of people). The person's name and role are in
 * an encrypted record of kind "person", which names the slot's digest: a slot
 * no live person record names does not unlock (KITH_E_AUTH). Every version
 * written records the unlocked person's id in its encrypted envelope.
 */
struct kith_vault_person_slot;
struct kith_store;

/* The person whose slot unlocked v: 32 hex digits, or "" for the main slot. */
const char *kith_vault_person(const struct kith_vault *v);

/* Seals the device keys under `pass` for a new person (fresh random id).
 * KITH_OK with *out (free with kith_vault_person_slot_free), the id in
 * pid and the slot's digest (64 hex digits) in digest; KITH_E_EXISTS when
 * the passphrase already opens a slot of this vault (another person's, the
 * main one or the duress one); KITH_E_INVALID (empty); KITH_E_LOCKED,
 * KITH_E_NOMEM, KITH_E_CRYPTO. Nothing is written: give the slot to
 * kith_vault_batch_hook(b, kith_vault_person_slot_hook, slot) with the batch
 * that writes the person's record. */
int kith_vault_person_slot_new(struct kith_vault *v, const char *pass, size_t len,
			       struct kith_vault_person_slot **out, char pid[KITH_VAULT_PERSON_HEX],
			       char digest[65], struct kith_err *err) KITH_WUR;
/* The public signing key (64 hex digits) of the person who will hold slot
 * (format 2: derived from the slot's passphrase and the device keys; vault/person.h),
 * for their record's "sign_pks". "" when the vault is format 1. */
void kith_vault_person_slot_spk(const struct kith_vault_person_slot *slot, char hex[65]);
/* Appends that key to a person record body's "sign_pks" (nothing in format
 * 1). KITH_OK, KITH_E_NOMEM. */
int kith_vault_person_sign_pks_add(json_t *body, const struct kith_vault_person_slot *slot) KITH_WUR;
/* As kith_vault_person_slot_new for an enrolled person `pid` whose slot is
 * gone (after kith recover): the same id, a new slot and digest.
 * KITH_E_EXISTS when their slot is still in the file. */
int kith_vault_person_slot_renew(struct kith_vault *v, const char *pid, const char *pass, size_t len,
				 struct kith_vault_person_slot **out, char digest[65],
				 struct kith_err *err) KITH_WUR;
int kith_vault_person_slot_hook(struct kith_store *s, void *slot, struct kith_err *err) KITH_WUR;
void kith_vault_person_slot_free(struct kith_vault_person_slot *slot);

/* Whether the person `pid` has a slot in the file (1) or not (0). */
int kith_vault_person_slot_present(struct kith_vault *v, const char *pid);

/* Destroys the person's slot: overwritten in the file and its log wherever
 * SQLite wrote it (as passwd does), then deleted. KITH_OK (also when there
 * was none), KITH_E_INVALID (it is the slot that unlocked v), KITH_E_DB,
 * KITH_E_IO. */
int kith_vault_person_slot_remove(struct kith_vault *v, const char *pid, struct kith_err *err) KITH_WUR;

/* Parses the body of a view (a new reference; NULL on out-of-memory). */
json_t *kith_record_view_json(const struct kith_record_view *view);

#endif
