/*
 * vault_impl.h — the vault's private header: the vault object, its index,
 * its batches, and the functions its files share. Only the .c files of src/vault include
 * it; every other area sees vault.h (and store.h, crypto.h) alone.
 *
 * The files, one idea each (the layers below are store.c, the SQLite file,
 * and crypto.c, the envelope's cryptography):
 *   map.c       the hash maps of records by id and by ref (byte keys, SipHash)
 *   kdf.c       the Argon2id cost levels and the header's check
 *   envelope.c  the envelope JSON of a row: written at put, parsed at read
 *   index.c     the in-memory index of records by kind, id and ref; the damage list
 *   unlock.c    reading, verifying and decrypting every row into the index
 *   keys.c      key slots on disk: shredding, duress
 *   enrol.c     device enrolment: signed, verified, upgraded
 *   open.c      create, open, close
 *   refresh.c   coping with other processes (data version, panic elsewhere)
 *   lifecycle.c panic, passphrase change, organization key backup and recovery
 *   read.c      reading: records, find, damage, history
 *   batch.c     batches: put, the background sealer, commit
 *   manifest.c  format 2: batch keys, row sealing, signed manifests, the
 *               verification of batches, chains and anchors at unlock
 *   upgrade.c   kith upgrade: a format-1 vault re-sealed into format 2
 *
 * The index. Records are grouped by kind; each kind holds a contiguous array
 * of views (what kith_vault_records hands out) in creation order, and a
 * parallel array of struct rec (one allocation per record, so hash maps can
 * point at it while the arrays are re-sorted). A record's strings — id, kind,
 * ref, device, action, note and the canonical body — live in one block
 * (rec->mem) that is wiped when freed. Two hash maps (SipHash with a random
 * key, via crypto_shorthash) find a record by id and by (kind, ref); their keys
 * are borrowed from the records.
 *
 * Threads. The per-row public-key work dominates: sealing and signing
 * (a batch starts sealing in the background once it holds SEAL_EARLY puts,
 * and the commit writes rows as they are ready) and verifying and decrypting
 * at unlock (helpers decrypt one chunk while the calling thread reads the
 * next) are spread over the machine's cores (the count is the caller's:
 * kith_vault_open_with). Each row is independent, each result goes to its own
 * slot, and everything that orders, writes or indexes runs on the calling
 * thread in put order, so the result is the same whatever the thread count.
 * The vault itself is not thread-safe: one thread at a time calls into it.
 */
#ifndef KITH_VAULT_IMPL_H
#define KITH_VAULT_IMPL_H

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/pool.h"
#include "base/sbuf.h"
#include "base/status.h"
#include "vault/crypto.h"
#include "vault/store.h"
#include "vault/vault.h"

#define SLOT_MAIN "main"     /* the key slot of the keys */
#define SLOT_DURESS "duress" /* the duress marker's slot (or random filler) */

/* The Argon2id cost of each enum kith_vault_kdf level (kdf.c). */
struct vault_kdf_level {
	const char *name;
	unsigned long long ops;
	size_t mem;
};
#define KDF_LEVELS 4
extern const struct vault_kdf_level vault_kdf_levels[KDF_LEVELS];

#define ID_BYTES KITH_CRYPTO_ID_BYTES
#define KIND_MAX 32   /* bytes of a kind name */
#define KINDS_MAX 256 /* distinct kinds in one vault */
#define ACTION_MAX 64
#define NOTE_MAX 4096
#define CHUNK 4096		  /* rows decrypted per round at unlock */
#define THREADS_MAX KITH_POOL_MAX /* the sealer's threads at most */
#define JSON_DEPTH_MAX 512
#define ORGKEY_FILE_MAX 4096

struct ment {
	const void *key; /* borrowed; NULL: empty */
	size_t klen;
	uint64_t h;
	void *val;
};

struct map {
	struct ment *e;
	size_t cap; /* power of two, or 0 */
	size_t n;
	uint8_t k[crypto_shorthash_KEYBYTES];
};

struct rec {
	uint8_t id[ID_BYTES];
	size_t kind;
	size_t pos;	 /* in its kind's arrays */
	int64_t created; /* `at` of version 1 */
	char *mem;	 /* the view's strings; wiped when freed */
	size_t mem_len;
};

struct kindx {
	char name[KIND_MAX + 1];
	struct kith_record_view *views; /* creation order */
	struct rec **recs;		/* parallel to views */
	size_t n, cap;
	struct map refs;   /* ref -> struct rec * */
	uint64_t next_seq; /* next ref number of this device; 0: not computed */
};

struct dmg {
	uint8_t id[ID_BYTES];
	size_t kind;
	int has_kind;
	int64_t created;
};

/* Format 2: a batch as verified at unlock (manifest.c). */
enum { B_OK = 0, B_UNREADABLE = 1, B_BAD = 2 };
#define BATCH_ID_BYTES 16
#define RH_BYTES 32
#define MANIFEST_RESEALED 1 /* flags bit 0: re-sealed from format 1 by kith upgrade */

struct vbatch {
	uint8_t id[BATCH_ID_BYTES];
	uint8_t device[KITH_CRYPTO_PK_BYTES];
	int64_t seq;
	uint8_t prev[32], mh[32];
	uint32_t n;
	uint8_t flags;
	uint8_t *rh;	    /* n row hashes (malloc) */
	uint8_t *present;   /* n flags: the row is in the file (unlock only) */
	int status;	    /* B_* */
	const char *reason; /* B_BAD: why */
	size_t key;	    /* B_OK: its batch key is v->bkeys + 32 * key */
	uint8_t per[32];    /* the signing person's key (per_spk; zeros: none), sig_per verified */
	int64_t at;	    /* the manifest's time */
	/* unlock (index_take), when per is set: the person its indexed versions
	 * name (pid, "" for the main slot), and whether they name one (1) or
	 * several (2); 0: none indexed (vault_v2_person_check compares) */
	char person[KITH_VAULT_PERSON_HEX];
	uint8_t persons;
};

struct kith_vault {
	char *path;
	int fmt; /* 1 or 2: the file's format (header.format) */
	/* format 2 (manifest.c): every batch, its keys, what the check found */
	struct vbatch *batches;
	size_t nbatches, batches_cap;
	struct map batch_ids; /* batch id -> index + 1 (as a pointer) */
	uint8_t *bkeys;	      /* sodium_malloc: 32 bytes per readable batch */
	size_t nbkeys, bkeys_cap;
	int64_t own_seq;    /* this device's last batch: seq (0: none) */
	uint8_t own_mh[32]; /* ... and its manifest hash */
	char **integrity;   /* what the check of batches found (kith_vault_integrity) */
	size_t nintegrity;
	uint8_t *slot_ak;     /* anchor.c: sodium_malloc(32), the unlocked slot's anchor key, or NULL */
	char slot_anchor[64]; /* ... and the name of its anchor box ("anchor:main", ...) */
	struct kith_store *store;
	struct kith_crypto_keys *keys;
	struct kith_store_header hdr;
	struct kith_store_device *devices; /* sorted by signing key */
	size_t ndevices;
	char device_hex[KITH_VAULT_DEVICE_HEX];
	struct kindx **kinds;
	size_t nkinds;
	struct map ids;			  /* id -> struct rec * */
	struct kith_vault_damage *damage; /* public part */
	struct dmg *dmg;		  /* parallel */
	size_t ndamage, damage_cap;
	size_t rows, unreadable;
	uint64_t generation;
	unsigned threads;
	struct kith_vault_batch *batch;
	uint64_t data_version;	/* PRAGMA data_version when the index last matched the file */
	size_t devices_trusted; /* enrolments signed at the upgrade of an older vault */
	size_t devices_refused; /* device rows without a valid enrolment signature */
	size_t missing;		/* records the file lists whose rows could not be read */
	int read_status;	/* the store error that stopped the scan (0: none) */
	int dead;		/* keys destroyed by another process: calls fail with KITH_E_LOCKED */
	struct kith_sync_received *received; /* a field vault: keys of rows sent to it (sync.h) */
	char person[KITH_VAULT_PERSON_HEX];  /* people.c: the person whose slot unlocked; "": main */
	uint8_t person_hash[32];	     /* people.c: the digest of that slot, bound at unlock */
	uint8_t *per_sk; /* person.c: sodium_malloc(64), that person's signing key (lazily), or NULL */
	uint8_t per_pk[32];
	int per_state; /* person.c: 0 not derived yet, 1 signs, -1 does not (no key in the record) */
};

struct span {
	const char *p;
	size_t n;
};

struct env {
	struct span kind, ref, body, device, action, note; /* strings raw (escapes intact), body whole */
	struct span person; /* people.c: the writing person's id, absent for the main slot's */
	int64_t at, created;
	unsigned have;
};

struct staged {
	uint8_t id[ID_BYTES];
	uint32_t version;
	size_t kind;
	struct rec *target;  /* the indexed record this is a new version of */
	struct staged *prev; /* or the staged version before this one */
	int repairs;	     /* a new version of a damaged record */
	int64_t created;
	char *env; /* the envelope plaintext (wiped after sealing) */
	size_t env_cap, env_len;
	struct env e;		      /* its fields, as vault_env_write wrote them (pointing into env) */
	char ref[KITH_VAULT_REF_MAX]; /* the ref it is staged under (b->refs' key) */
	char *mem;		      /* the view's strings, built by the sealer (seal_one) */
	size_t mem_len;
	struct kith_record_view view;
	struct kith_crypto_row row;
	uint32_t idx;	      /* format 2: position in the batch */
	uint8_t rh[RH_BYTES]; /* format 2: the row's hash for the manifest */
	int rc;
	struct rec *newrec; /* reserved before the commit when it adds a record */
	struct rec *installed;
	int queued;	   /* handed to the background sealer (under its mutex) */
	atomic_int sealed; /* row, rc final (a queued version: set under the sealer's mutex) */
};

/*
 * Background sealing. Once a batch holds SEAL_EARLY puts, threads - 1
 * workers start sealing and signing staged versions while the caller keeps
 * putting; at commit one more starts, and the calling thread writes the
 * sealed rows to the file in order as they become ready (sealing one itself
 * when it would otherwise wait). A worker touches only the staged version it
 * took (its envelope, row, status and `sealed`); the queue is guarded by the
 * mutex.
 */
#define SEAL_EARLY 64
#define WAL_RESET_ROWS 1024 /* a committed batch this large starts the log over (store.h) */
#define WRITEBACK_ROWS 2048 /* a streamed batch starts its log on its way to disk this often */
#define SEAL_WAKE 32	    /* queued versions that wake a worker */

struct sealer {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* work queued, or stop */
	pthread_cond_t done_cv; /* a version was sealed while the committer waits */
	int waiting;
	struct staged **q; /* staged versions in put order */
	size_t n, cap, next;
	int stop;
	pthread_t th[THREADS_MAX];
	size_t nth;
};

struct kith_vault_batch {
	struct kith_vault *v;
	struct staged **s;
	size_t n, cap;
	struct map ids;	  /* id -> latest struct staged * */
	struct map *refs; /* per kind: ref -> latest struct staged *, or &retired */
	uint64_t *seq;	  /* per kind: next ref number; 0: not used */
	size_t nkinds;
	struct sealer sl;
	int sl_init;						     /* mutex and condition initialized */
	int keys_open;						     /* the batch holds the keys accessible */
	int (*hook)(struct kith_store *, void *, struct kith_err *); /* blob.h: in the commit's transaction */
	void *hook_arg;
	/* format 2: the batch's key (sodium_malloc) and id */
	uint8_t *bk;
	uint8_t batch_id[BATCH_ID_BYTES];
	uint8_t flags;		/* MANIFEST_RESEALED for kith upgrade */
	struct kith_sbuf canon; /* kith_vault_put's canonical body, kept between puts (wiped) */
	/* Streaming (kith_vault_batch_stream): once the sealer runs, a writer
	 * thread opens the batch's transaction (the write lock, the check that
	 * no other process wrote) and writes each sealed row in put order while
	 * the caller keeps putting; the commit writes the rest, the manifest and
	 * commits. b->s, its growth and wr_pub are guarded by sl.mu while the
	 * writer runs; the writer alone touches the store until it is joined. */
	int stream; /* asked for */
	int wr_on;  /* the writer thread runs (joined by the commit or the release) */
	int in_tx;  /* the batch's transaction is open on the store */
	pthread_t wr_th;
	pthread_cond_t wr_cv; /* versions published, final or stop (under sl.mu) */
	size_t wr_pub;	      /* versions the writer may take */
	size_t wr_wake;	      /* the writer waits until wr_pub reaches this */
	int wr_waiting, wr_final, wr_stop;
	size_t wr_done;	   /* versions written (the writer's until joined) */
	int wr_rc;	   /* the writer's status (its message in wr_err) */
	int wr_concurrent; /* the writer found another process's commit */
	struct kith_err wr_err;
};

struct sortkey {
	int64_t created;
	uint8_t id[ID_BYTES];
	size_t idx;
};

/* Scratch space for re-sorting the tail of a kind. */
struct sortbuf {
	struct sortkey *keys;
	struct kith_record_view *views;
	struct rec **recs;
	size_t cap;
};

enum { J_OK = 0, J_UNREADABLE = 1, J_DAMAGED = 2 };

struct job {
	struct kith_crypto_row row; /* ct: an owned copy */
	int v2;			    /* a format-2 row: batch and bi set */
	uint8_t batch[BATCH_ID_BYTES];
	uint32_t bi;
	size_t b;   /* decoded format-2 rows: index + 1 of its batch in v->batches (0: none) */
	int status; /* J_* or a negative kith status */
	const char *reason;
	char *mem;
	size_t mem_len;
	struct kith_record_view view;
	int64_t created;
};

/* ------------------------------------------------------------ map.c */

/* An empty map with a fresh random hash key. */
void vault_map_init(struct map *m);

/* Frees and wipes the table (the keys are borrowed: not freed). */
void vault_map_free(struct map *m);

/* Room for `extra` more keys. KITH_OK or KITH_E_NOMEM (map unchanged). */
int vault_map_reserve(struct map *m, size_t extra);

/* The value of key (n bytes), or NULL. */
void *vault_map_get(const struct map *m, const void *key, size_t n);

/* Inserts or replaces (the key pointer too). KITH_OK or KITH_E_NOMEM; never
 * fails after vault_map_reserve made room for it. */
int vault_map_put(struct map *m, const void *key, size_t n, void *val);

/* Inserts key when it is not there yet (one hash, one probe): 1 added, 0
 * there already (nothing changed), KITH_E_NOMEM. */
int vault_map_add(struct map *m, const void *key, size_t n, void *val);

/* Removes key when present. */
void vault_map_del(struct map *m, const void *key, size_t n);

/* ------------------------------------------------------------ kdf.c */

struct kith_crypto_kdf vault_hdr_kdf(const struct kith_store_header *h);

int vault_check_header(const struct kith_store_header *h, struct kith_err *err);

/* Argon2id levels by strength (the enum is not ordered so). */
int vault_kdf_rank(int level);

/* The level whose cost a backup file was written with: MODERATE for any
 * vault but a test-level (TEST) or SENSITIVE one (kith_vault_export_org_key). */
int vault_kdf_level_of(unsigned long long ops, size_t mem);

/* ------------------------------------------------------------ envelope.c */

/* Parses the envelope {"kind","ref","body","at","device","action","note",
 * "created"} in any key order; unknown keys are skipped (a later format may
 * add some). sure (optional): set to 1 when the body was also found surely
 * valid for the kind in the same pass (kith_record_text_ok's yes; the kind
 * must come before the body, as kith writes it), else 0: not checked. */
int vault_env_parse(const char *s, size_t n, struct env *e, int *sure);

int vault_kind_name_ok(const char *s);

/*
 * Builds a record's string block from a parsed envelope: id, device, kind,
 * ref, action, note, body, each NUL-terminated; fills the view's pointers.
 * -1 when a field is malformed (the envelope is then "bad envelope").
 */
int vault_mem_build(const struct env *e, const uint8_t id[ID_BYTES], const uint8_t *device_pk,
		    uint32_t version, char **out, size_t *out_len, struct kith_record_view *view);

int vault_text_ok(const char *s, size_t max);

/* The envelope of a version: kind, ref, body, at, device, action, note, and
 * the creation time of the record. e (optional): filled as vault_env_parse
 * would fill it from the bytes written, pointing into sb's buffer (valid
 * while the buffer neither grows nor is freed; kith_sbuf_detach keeps it),
 * so that the writer need not parse its own envelope again. */
int vault_env_write(struct kith_sbuf *sb, const char *kind, const char *ref, const struct kith_sbuf *body,
		    int64_t at, const char *device, const char *action, const char *note, int64_t created,
		    const char *person, struct env *e);

/* ------------------------------------------------------------ index.c */

struct kindx *vault_kind_get(const struct kith_vault *v, const char *name, size_t *idx);

int vault_kind_intern(struct kith_vault *v, const char *name, size_t *idx);

int vault_kind_reserve(struct kindx *k, size_t extra);

/* The first position in k's first n records whose record does not come
 * before (created, id). */
size_t vault_kind_lower_bound(const struct kindx *k, size_t n, int64_t created, const uint8_t *id);

int vault_sortbuf_reserve(struct sortbuf *b, size_t m);

void vault_sortbuf_release(struct sortbuf *b);

/* Sorts positions [p, n) of k into creation order (b holds n - p). */
void vault_kind_sort_from(struct kindx *k, size_t p, struct sortbuf *b);

struct kith_record_view *vault_rec_view(const struct kith_vault *v, const struct rec *r);

int vault_damage_add(struct kith_vault *v, const uint8_t id[ID_BYTES], uint32_t version, const char *reason);

long vault_damage_find_id(const struct kith_vault *v, const uint8_t id[ID_BYTES]);

long vault_damage_find_ref(const struct kith_vault *v, size_t kind, const char *ref);

void vault_damage_remove(struct kith_vault *v, long i);

void vault_index_free(struct kith_vault *v);

/* ------------------------------------------------------------ unlock.c */

/* Copies a stored row into a job; a malformed one is marked damaged. */
int vault_load_row(const struct kith_store_row *sr, struct job *j);

/* Verifies, decrypts and parses one row (thread-safe: the keys and device
 * list are only read). */
void vault_decode_row(const struct kith_vault *v, struct job *j, struct kith_sbuf *plain);

/* Decrypts and indexes every current row. */
int vault_index_all(struct kith_vault *v, void (*progress)(size_t, size_t, void *), void *arg,
		    struct kith_err *err);

/* ------------------------------------------------------------ keys.c */

/* Makes the keys inaccessible again. A failure of mprotect only leaves them
 * readable a little longer (they are still wiped on close). */
void vault_keys_idle(struct kith_crypto_keys *k);

int vault_all_zero(const uint8_t *p, size_t n);

/* Overwrites in place, in the file and its -wal, every copy of the slots'
 * bytes that SQLite wrote (kith_store_shred): what makes panic, duress and
 * passwd destroy the old slots whatever other processes do, with no free
 * space needed. */
int vault_slots_shred(const char *path, const struct kith_store_slot *sl, size_t n, struct kith_err *err);

/* A passive checkpoint whose failure changes nothing (the log is kept). */
void vault_checkpoint_soft(struct kith_store *s);

/* The slot bytes now in the file (free() *out). */
int vault_slots_before(struct kith_store *s, struct kith_store_slot **out, size_t *n, struct kith_err *err);

void vault_stack_wipe(void);

/* Duress: destroys every key slot (in place, whatever the file system's free
 * space), and enrolls fresh device keys (no organization secret) under the
 * duress KEK as the new main slot. When the file cannot take the new slot
 * (a full disk), the fresh keys live only in memory: the vault still opens
 * empty, and the next unlock finds the keys destroyed. Nothing is reported. */
int vault_duress(struct kith_vault *v, const struct kith_crypto_key *kek, struct kith_err *err);

/* ------------------------------------------------------------ enrol.c */

int vault_device_enrolled(const struct kith_vault *v, const uint8_t *pk);

/* Signs the enrolment of (sign_pk, box_pk) with k's organization key and
 * writes it (inside the caller's transaction). */
int vault_enrol_put(struct kith_store *s, const struct kith_crypto_keys *k, const uint8_t *sign_pk,
		    const uint8_t *box_pk, struct kith_err *err);

int vault_enrol_valid(const struct kith_crypto_keys *k, const struct kith_store_device *d);

/*
 * Loads the enrolled devices: those whose enrolment the organization signed,
 * and this device. A vault from before signed enrolment (no valid signature
 * anywhere and no flag in the key bundle) is upgraded: every device it holds
 * is signed — trust on first unlock by this version — and the flag is sealed
 * into the main slot under the KEK (the old slot is shredded), so stripping
 * the signatures later cannot make it look old again. A device that does not
 * hold the organization secret cannot verify enrolments; it cannot read other
 * devices' rows either (they are sealed to the organization), so its list is
 * the file's.
 */
int vault_devices_load(struct kith_vault *v, const struct kith_crypto_key *kek, const uint8_t *old_nonce,
		       const uint8_t *old_box, struct kith_err *err);

/* ------------------------------------------------------------ refresh.c */

/*
 * At the start of every operation: has another process committed since the
 * index was built (PRAGMA data_version)? If it destroyed the keys (panic),
 * the vault drops its keys and index and fails with KITH_E_LOCKED from now on;
 * else the index is read again.
 */
int vault_check(struct kith_vault *v, struct kith_err *err);

/* The same question without acting on the answer (views stay valid):
 * KITH_OK when nothing changed, KITH_E_LOCKED when the keys are gone,
 * KITH_E_EXISTS (where "concurrent") when another process wrote. */
int vault_stale(struct kith_vault *v, struct kith_err *err);

/* ------------------------------------------------------------ read.c */

int vault_parse_id(const char *hex, uint8_t id[ID_BYTES]);

/* ------------------------------------------------------------ manifest.c */

/* Seals a format-2 row: row->id, version and device set by the caller;
 * pads plain, encrypts it under dk_i = KDF(bk, i + 1, "kithrow2") with a
 * random nonce and the row's AD; sets row->nonce, row->ct (malloc) and the
 * row hash. Thread-safe. KITH_OK, KITH_E_LIMIT, KITH_E_NOMEM, KITH_E_CRYPTO. */
int vault_v2_seal_row(const uint8_t bk[32], const uint8_t batch_id[BATCH_ID_BYTES], uint32_t i,
		      struct kith_crypto_row *row, const void *plain, size_t len, uint8_t rh[RH_BYTES]);

/* The new batch's manifest, signed, its batch row written and this device's
 * anchor moved (inside the caller's transaction); *added is the batch's
 * entry, reserved in v and installed by vault_v2_install after the commit.
 * v->keys accessible. rh: n hashes in row order. */
int vault_v2_write_batch(struct kith_vault *v, const uint8_t batch_id[BATCH_ID_BYTES], const uint8_t bk[32],
			 uint8_t flags, const uint8_t *rh, uint32_t n, struct vbatch *added,
			 struct kith_err *err);

/* Installs a committed batch (room made by vault_v2_write_batch: cannot fail). */
void vault_v2_install(struct kith_vault *v, struct vbatch *added, const uint8_t bk[32]);

/* Drops a reserved, uncommitted batch entry. */
void vault_v2_drop(struct vbatch *added);

/* Verifies every batch of the file (format 2): signatures, keys, the key
 * commitment, each device's chain, this device's anchor, every row present.
 * What is wrong goes to v->integrity; rows of bad batches read as damaged. */
int vault_v2_load(struct kith_vault *v, struct kith_err *err);

/* anchor.c: the rollback anchor bound to the passphrase slot that unlocked
 * (docs/vault-format.md, *Format 2*, "The slot's anchor").
 * vault_slot_anchor_key: derives its key from the KEK that opened v's slot
 * ("main", or "person:<pid>" when v->person is set) into v (sodium_malloc). vault_slot_anchor_seal:
 * writes the box (inside the caller's transaction) saying this device's log
 * ends at (seq, mh), its new batch, and how far every device's log reaches
 * (the sum of their highest numbers); nothing without a key. vault_slot_anchor_check: at unlock, after the
 * chains (v->own_seq, the batches), compares the file with the box; own_reported: the table's anchor already
 * reported this device's log, so only the rest is said. vault_slot_anchor_rekey: the box of `slot` written
 * again under ak (a new KEK's kith_crypto_kek_anchor_key: passwd) into s, in the caller's transaction; the
 * caller installs ak with vault_slot_anchor_install after the commit. Nothing when v has no anchor key
 * (format 1, duress). vault_slot_anchor_free: wipes the key. */
int vault_slot_anchor_key(struct kith_vault *v, const struct kith_crypto_key *kek, struct kith_err *err);
int vault_slot_anchor_seal(struct kith_vault *v, int64_t seq, const uint8_t mh[32], struct kith_err *err);
int vault_slot_anchor_check(struct kith_vault *v, int own_reported, struct kith_err *err);
int vault_slot_anchor_rekey(struct kith_vault *v, struct kith_store *s, const uint8_t ak[32],
			    const char *slot, struct kith_err *err);
void vault_slot_anchor_install(struct kith_vault *v, const uint8_t ak[32], const char *slot);
void vault_slot_anchor_free(struct kith_vault *v);
/* The box of `slot` for v's state now under ak, into nonce and box (a new
 * person slot's: people.c writes both in one transaction). */
#define VAULT_ANCHOR_NONCE 24
#define VAULT_ANCHOR_BOX 65
int vault_slot_anchor_make(struct kith_vault *v, const uint8_t ak[32], const char *slot,
			   uint8_t nonce[VAULT_ANCHOR_NONCE], uint8_t box[VAULT_ANCHOR_BOX],
			   struct kith_err *err);
/* The main slot's first box (a new format-2 vault: no batch yet) under kek's
 * anchor key, into nonce and box, to be written as VAULT_ANCHOR_MAIN in the
 * transaction that writes the slot (kith init). */
#define VAULT_ANCHOR_MAIN "anchor:main"
int vault_slot_anchor_first(const uint8_t vault_id[ID_BYTES], const struct kith_crypto_keys *k,
			    const struct kith_crypto_key *kek, uint8_t nonce[VAULT_ANCHOR_NONCE],
			    uint8_t box[VAULT_ANCHOR_BOX], struct kith_err *err);
/* Adds a finding to v->integrity (manifest.c). */
int vault_integrity_add(struct kith_vault *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees the batches, their keys (wiped) and the integrity list. */
void vault_v2_free(struct kith_vault *v);

/* The batch a row names, or NULL. */
const struct vbatch *vault_v2_batch(const struct kith_vault *v, const uint8_t id[BATCH_ID_BYTES]);

/* Checks a format-2 row against its batch and decrypts it into plain:
 * KITH_OK, KITH_E_AUTH (no key), KITH_E_CORRUPT (*reason), KITH_E_NOMEM. */
int vault_v2_open_row(const struct kith_vault *v, const struct vbatch *b, uint32_t i,
		      const struct kith_crypto_row *row, struct kith_sbuf *plain, const char **reason);

/* ------------------------------------------------------------ people.c */

/* After the main slot refused kek: tries every person slot. KITH_OK with
 * v->keys, v->person and v->person_hash set; KITH_E_AUTH when none opens;
 * KITH_E_DB, KITH_E_NOMEM, KITH_E_CORRUPT. */
int vault_people_open(struct kith_vault *v, const struct kith_crypto_key *kek, struct kith_err *err);

/* After the index is read: a person's slot must be named by that person's
 * record (same slot digest, not removed), else KITH_E_AUTH. KITH_OK for the
 * main slot. */
int vault_people_bind(struct kith_vault *v, struct kith_err *err);

/* Whether the file holds person slots (passwd then keeps the salt and them). */
int vault_people_any(struct kith_store *s);

/* The main and duress slots' bytes only (free() *out), and their
 * destruction (random, zero, delete), leaving person slots alone. */
int vault_people_main_slots(struct kith_store *s, struct kith_store_slot **out, size_t *n,
			    struct kith_err *err);
int vault_people_main_destroy(struct kith_store *s, struct kith_err *err);

/* A person's own passphrase change (kith_vault_passwd when a person slot
 * unlocked): a new slot and a new version of the person's record. */
int vault_people_passwd(struct kith_vault *v, const char *pass, size_t len, struct kith_err *err);

/* KITH_E_EXISTS when pass (or dpass, when not NULL) opens a person slot. */
int vault_people_pass_unused(struct kith_vault *v, const char *pass, size_t len, const char *dpass,
			     size_t dlen, struct kith_err *err);

/* ------------------------------------------------------------ batch.c */

/* Drops a batch's staged versions and stops its sealer (kith_vault_close). */
void vault_batch_release(struct kith_vault_batch *b);

/* ------------------------------------------------------------ open.c */

/*
 * Writes a new vault file (kith init, kith init --join): header h, the main
 * slot sealing k under pass, the duress slot (marker under opts->duress, or
 * random filler), and the devices given (sign_pk, box_pk, auth; 128 bytes
 * each), in one transaction straight into the file, then WAL. The format is
 * h->format. On failure nothing is left at path.
 */
int vault_write_new(const char *path, const struct kith_store_header *h, struct kith_crypto_keys *k,
		    const char *pass, size_t pass_len, const struct kith_vault_create_opts *opts,
		    const uint8_t *devices, size_t ndevices, struct kith_err *err);

#endif
