/*
 * people — a passphrase slot per person (issue 12 item 4), beside the main
 * slot: each wraps the same device keys, under a KEK derived from the
 * person's passphrase with the vault's one Argon2id salt, so that one
 * Argon2id run at unlock tries every slot (the main one first, then the
 * people's, then duress). A person's slot is named "person:" followed by the
 * person's random id (32 hex digits, unrelated to any record id); the file
 * shows how many people have slots, never who they are or what they may do.
 *
 * Binding. Whoever can write the file could rename one person's slot to
 * another's id, and so be recorded as someone else. A slot therefore unlocks
 * only when a live record of kind "person" (encrypted and signed like any
 * record; casework/people.h writes it) names its id (`pid`) and its digest
 * (`slot`: BLAKE2b-256 of "kith-person-slot-v1" ‖ pid ‖ nonce ‖ box, hex) and
 * is not `removed`. The record and the slot are written in one transaction
 * (kith_vault_person_slot_hook).
 *
 * What destroys person slots: panic and duress (every slot, as before),
 * kith_vault_person_slot_remove (one, shredded in place as passwd shreds),
 * recovery from the organization key (the new device keys are sealed to the
 * main slot only: people are added again). A passphrase change of the main
 * slot keeps the salt and the person slots; a person's own change replaces
 * their slot and writes a new version of their record.
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "vault/blob.h"
#include "vault/crypto.h"
#include "vault/person.h"
#include "vault/store.h"

#define PREFIX "person:"
#define PREFIX_LEN 7
#define NAME_MAX_ (PREFIX_LEN + 32 + 1)

struct kith_vault_person_slot {
	char name[NAME_MAX_];
	uint8_t nonce[KITH_CRYPTO_NONCE_BYTES];
	uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES];
	uint8_t ak[32]; /* anchor.c: the key of this slot's rollback anchor */
	int anchored;	/* format 2: its box, written with the slot */
	uint8_t anc_nonce[VAULT_ANCHOR_NONCE], anc_box[VAULT_ANCHOR_BOX];
};

struct pslot {
	char pid[KITH_VAULT_PERSON_HEX];
	uint8_t nonce[KITH_CRYPTO_NONCE_BYTES];
	uint8_t box[KITH_CRYPTO_SLOT_BOX_BYTES];
};

static int hex32_ok(const char *s)
{
	return s && strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

static void slot_digest(const char *pid, const uint8_t *nonce, const uint8_t *box, uint8_t out[32])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"kith-person-slot-v1", 19);
	crypto_generichash_update(&st, (const uint8_t *)pid, 32);
	crypto_generichash_update(&st, nonce, KITH_CRYPTO_NONCE_BYTES);
	crypto_generichash_update(&st, box, KITH_CRYPTO_SLOT_BOX_BYTES);
	crypto_generichash_final(&st, out, 32);
}

static int db_err(sqlite3 *db, const char *what, struct kith_err *err)
{
	return kith_err_set(err, KITH_E_DB, "vault", "%s: %s", what, sqlite3_errmsg(db));
}

/* Every well-formed person slot (free() *out). Malformed rows are skipped:
 * they open nothing. */
static int person_slots(struct kith_store *s, struct pslot **out, size_t *n, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT name, nonce, box FROM slots WHERE substr(name, 1, 7) = 'person:'",
			       -1, &st, NULL) != SQLITE_OK)
		return db_err(db, "reading the key slots", err);
	struct pslot *a = NULL;
	size_t cap = 0, k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!name || strlen(name) != PREFIX_LEN + 32 || !hex32_ok(name + PREFIX_LEN) ||
		    sqlite3_column_bytes(st, 1) != KITH_CRYPTO_NONCE_BYTES ||
		    sqlite3_column_bytes(st, 2) != KITH_CRYPTO_SLOT_BOX_BYTES)
			continue;
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct pslot *na = realloc(a, nc * sizeof *na);
			if (!na) {
				sodium_memzero(a, k * sizeof *a);
				free(a);
				sqlite3_finalize(st);
				return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
			}
			a = na;
			cap = nc;
		}
		memcpy(a[k].pid, name + PREFIX_LEN, 33);
		memcpy(a[k].nonce, sqlite3_column_blob(st, 1), KITH_CRYPTO_NONCE_BYTES);
		memcpy(a[k].box, sqlite3_column_blob(st, 2), KITH_CRYPTO_SLOT_BOX_BYTES);
		k++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(a);
		return db_err(db, "reading the key slots", err);
	}
	*out = a;
	*n = k;
	return KITH_OK;
}

static void pslots_free(struct pslot *a, size_t n)
{
	if (a)
		sodium_memzero(a, n * sizeof *a);
	free(a);
}

const char *kith_vault_person(const struct kith_vault *v)
{
	return v ? v->person : "";
}

int vault_people_any(struct kith_store *s)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	int any = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM slots WHERE substr(name, 1, 7) = 'person:' LIMIT 1", -1,
			       &st, NULL) == SQLITE_OK)
		any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return any;
}

int vault_people_open(struct kith_vault *v, const struct kith_crypto_key *kek, struct kith_err *err)
{
	struct pslot *a = NULL;
	size_t n = 0;
	int rc = person_slots(v->store, &a, &n, err);
	if (rc)
		return rc;
	rc = KITH_E_AUTH;
	for (size_t i = 0; i < n; i++) {
		if (vault_all_zero(a[i].box, sizeof a[i].box))
			continue;
		struct kith_crypto_keys *k = NULL;
		uint8_t vid[ID_BYTES];
		int r = kith_crypto_slot_open(kek, a[i].nonce, a[i].box, &k, vid, NULL);
		if (r == KITH_E_NOMEM) {
			rc = kith_err_set(err, r, "vault", "out of memory");
			break;
		}
		if (r != KITH_CRYPTO_SLOT_KEYS)
			continue;
		if (memcmp(vid, v->hdr.vault_id, ID_BYTES) != 0 ||
		    memcmp(kith_crypto_keys_org_pk(k), v->hdr.org_pk, KITH_CRYPTO_PK_BYTES) != 0) {
			kith_crypto_keys_free(k);
			rc = kith_err_set(err, KITH_E_CORRUPT, "header",
					  "the vault header does not match its keys");
			break;
		}
		v->keys = k;
		memcpy(v->person, a[i].pid, sizeof v->person);
		slot_digest(a[i].pid, a[i].nonce, a[i].box, v->person_hash);
		rc = KITH_OK;
		break;
	}
	pslots_free(a, n);
	return rc;
}

/* The person record whose pid is `pid` (current version), or NULL. */
static const struct kith_record_view *person_record(const struct kith_vault *v, const char *pid,
						    json_t **body_out)
{
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(v, "person", &n);
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		const char *p = json_string_value(json_object_get(b, "pid"));
		if (p && strcmp(p, pid) == 0) {
			if (body_out)
				*body_out = b;
			else
				json_decref(b);
			return &r[i];
		}
		json_decref(b);
	}
	return NULL;
}

int vault_people_bind(struct kith_vault *v, struct kith_err *err)
{
	if (vault_v2_person_check(v)) /* person.h: each batch's person key */
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	if (!v->person[0])
		return KITH_OK;
	json_t *b = NULL;
	int ok = 0;
	if (person_record(v, v->person, &b)) {
		char hex[65];
		sodium_bin2hex(hex, sizeof hex, v->person_hash, 32);
		const char *slot = json_string_value(json_object_get(b, "slot"));
		ok = slot && strcmp(slot, hex) == 0 && !json_is_true(json_object_get(b, "removed"));
	}
	json_decref(b);
	if (!ok)
		return kith_err_set(err, KITH_E_AUTH, "passphrase",
				    "this passphrase's person is not enrolled in this vault (removed, or the "
				    "slot was tampered with)");
	return KITH_OK;
}

static int slots_named(struct kith_store *s, const char *where, const char *name,
		       struct kith_store_slot **out, size_t *n, struct kith_err *err)
{
	sqlite3 *db = kith_store_sqlite(s);
	sqlite3_stmt *st = NULL;
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT nonce, box FROM slots WHERE %s", where);
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(db, "reading the key slots", err);
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	struct kith_store_slot *a = calloc(2, sizeof *a);
	if (!a) {
		sqlite3_finalize(st);
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	}
	size_t k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < 2) {
		int nl = sqlite3_column_bytes(st, 0), bl = sqlite3_column_bytes(st, 1);
		if (nl < 0 || bl < 0 || nl > KITH_STORE_SLOT_MAX || bl > KITH_STORE_SLOT_MAX)
			continue;
		if (nl)
			memcpy(a[k].nonce, sqlite3_column_blob(st, 0), (size_t)nl);
		if (bl)
			memcpy(a[k].box, sqlite3_column_blob(st, 1), (size_t)bl);
		a[k].nonce_len = (size_t)nl;
		a[k].box_len = (size_t)bl;
		k++;
	}
	sqlite3_finalize(st);
	*out = a;
	*n = k;
	return KITH_OK;
}

int vault_people_main_slots(struct kith_store *s, struct kith_store_slot **out, size_t *n,
			    struct kith_err *err)
{
	return slots_named(s, "name IN ('" SLOT_MAIN "', '" SLOT_DURESS "')", NULL, out, n, err);
}

static int destroy_where(struct kith_store *s, const char *where, const char *name, struct kith_err *err)
{
	static const char *const steps[] = {
	    "UPDATE slots SET nonce = randomblob(length(nonce)), box = randomblob(length(box))",
	    "UPDATE slots SET nonce = zeroblob(length(nonce)), box = zeroblob(length(box))",
	    "DELETE FROM slots"};
	sqlite3 *db = kith_store_sqlite(s);
	for (size_t i = 0; i < 3; i++) {
		char sql[200];
		snprintf(sql, sizeof sql, "%s WHERE %s", steps[i], where);
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			return db_err(db, "destroying a key slot", err);
		if (name)
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_err(db, "destroying a key slot", err);
	}
	return KITH_OK;
}

int vault_people_main_destroy(struct kith_store *s, struct kith_err *err)
{
	return destroy_where(s, "name IN ('" SLOT_MAIN "', '" SLOT_DURESS "')", NULL, err);
}

/* Whether kek opens the main slot, the duress slot or a person slot other
 * than `except` (a pid, or NULL). */
static int kek_in_use(struct kith_vault *v, const struct kith_crypto_key *kek, const char *except, int *used,
		      struct kith_err *err)
{
	*used = 0;
	uint8_t nn[KITH_CRYPTO_NONCE_BYTES], bb[KITH_CRYPTO_SLOT_BOX_BYTES], vid[ID_BYTES];
	static const char *const fixed[] = {SLOT_MAIN, SLOT_DURESS};
	for (size_t i = 0; i < 2 && !*used; i++) {
		if (kith_store_slot_get(v->store, fixed[i], nn, sizeof nn, bb, sizeof bb, NULL) != KITH_OK ||
		    vault_all_zero(bb, sizeof bb))
			continue;
		int r = kith_crypto_slot_open(kek, nn, bb, NULL, vid, NULL);
		*used = r == KITH_CRYPTO_SLOT_KEYS || r == KITH_CRYPTO_SLOT_DURESS;
	}
	sodium_memzero(bb, sizeof bb);
	struct pslot *a = NULL;
	size_t n = 0;
	int rc = person_slots(v->store, &a, &n, err);
	for (size_t i = 0; !rc && i < n && !*used; i++) {
		if (except && strcmp(except, a[i].pid) == 0)
			continue;
		*used = kith_crypto_slot_open(kek, a[i].nonce, a[i].box, NULL, vid, NULL) ==
			KITH_CRYPTO_SLOT_KEYS;
	}
	pslots_free(a, n);
	return rc;
}

/* Seals v's keys under pass for the slot of pid; refuses a passphrase in use. */
static int seal_for(struct kith_vault *v, const char *pid, const char *pass, size_t len,
		    struct kith_vault_person_slot *sl, struct kith_err *err)
{
	struct kith_crypto_kdf kdf = vault_hdr_kdf(&v->hdr);
	struct kith_crypto_key *kek = NULL;
	int rc = kith_crypto_kek_derive(&kek, pass, len, &kdf, err);
	int used = 0;
	if (!rc)
		rc = kek_in_use(v, kek, NULL, &used, err);
	if (!rc && used)
		rc = kith_err_set(err, KITH_E_EXISTS, "passphrase",
				  "this passphrase cannot be used: choose another");
	if (!rc && !(rc = kith_crypto_keys_access(v->keys, 1))) {
		rc = kith_crypto_slot_seal_keys(v->keys, kek, sl->nonce, sl->box, err);
		if (!rc && kith_crypto_kek_anchor_key(kek, v->keys, sl->ak))
			rc = kith_err_set(err, KITH_E_CRYPTO, "slot", "deriving the anchor key failed");
		vault_keys_idle(v->keys);
	}
	kith_crypto_key_free(kek);
	snprintf(sl->name, sizeof sl->name, PREFIX "%s", pid);
	sl->anchored = !rc && v->fmt >= 2;
	if (sl->anchored)
		rc = vault_slot_anchor_make(v, sl->ak, sl->name, sl->anc_nonce, sl->anc_box, err);
	return rc;
}

int kith_vault_person_slot_new(struct kith_vault *v, const char *pass, size_t len,
			       struct kith_vault_person_slot **out, char pid[KITH_VAULT_PERSON_HEX],
			       char digest[65], struct kith_err *err)
{
	if (!v || !out)
		return kith_err_set(err, KITH_E_INVALID, "vault", "no vault");
	*out = NULL;
	if (v->dead)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	if (!pass || len == 0)
		return kith_err_set(err, KITH_E_INVALID, "passphrase", "the passphrase is empty");
	struct kith_vault_person_slot *sl = sodium_malloc(sizeof *sl);
	if (!sl)
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	uint8_t id[16];
	randombytes_buf(id, sizeof id);
	char p[KITH_VAULT_PERSON_HEX];
	sodium_bin2hex(p, sizeof p, id, sizeof id);
	int rc = seal_for(v, p, pass, len, sl, err);
	vault_stack_wipe();
	if (rc) {
		sodium_free(sl);
		return rc;
	}
	uint8_t d[32];
	slot_digest(p, sl->nonce, sl->box, d);
	sodium_bin2hex(digest, 65, d, sizeof d);
	memcpy(pid, p, sizeof p);
	*out = sl;
	return KITH_OK;
}

/* A new slot for a person whose slot is gone (kith recover destroys every
 * person slot): the same id, a new digest for their record. */
int kith_vault_person_slot_renew(struct kith_vault *v, const char *pid, const char *pass, size_t len,
				 struct kith_vault_person_slot **out, char digest[65], struct kith_err *err)
{
	if (!v || !out || !hex32_ok(pid))
		return kith_err_set(err, KITH_E_INVALID, "person", "not a person id");
	*out = NULL;
	if (v->dead)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	if (!pass || len == 0)
		return kith_err_set(err, KITH_E_INVALID, "passphrase", "the passphrase is empty");
	if (kith_vault_person_slot_present(v, pid))
		return kith_err_set(err, KITH_E_EXISTS, "person",
				    "this person has a passphrase slot: they change it with kith passwd");
	struct kith_vault_person_slot *sl = sodium_malloc(sizeof *sl);
	if (!sl)
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	int rc = seal_for(v, pid, pass, len, sl, err);
	vault_stack_wipe();
	if (rc) {
		sodium_free(sl);
		return rc;
	}
	uint8_t d[32];
	slot_digest(pid, sl->nonce, sl->box, d);
	sodium_bin2hex(digest, 65, d, sizeof d);
	*out = sl;
	return KITH_OK;
}

void kith_vault_person_slot_spk(const struct kith_vault_person_slot *slot, char hex[65])
{
	hex[0] = '\0';
	if (!slot || !slot->anchored) /* format 1: no anchor key, no person key */
		return;
	uint8_t pk[32];
	vault_person_keypair(slot->ak, pk, NULL);
	sodium_bin2hex(hex, 65, pk, sizeof pk);
}

/* Appends slot's person key to body's "sign_pks" (kept: batches signed with
 * the earlier ones stay attributed). */
int kith_vault_person_sign_pks_add(json_t *body, const struct kith_vault_person_slot *slot)
{
	char hex[65];
	kith_vault_person_slot_spk(slot, hex);
	if (!hex[0])
		return KITH_OK;
	json_t *a = json_object_get(body, "sign_pks");
	if (!json_is_array(a)) {
		a = json_array();
		if (!a || json_object_set_new(body, "sign_pks", a))
			return KITH_E_NOMEM;
	}
	return json_array_append_new(a, json_string(hex)) ? KITH_E_NOMEM : KITH_OK;
}

int kith_vault_person_slot_hook(struct kith_store *s, void *slot, struct kith_err *err)
{
	const struct kith_vault_person_slot *sl = slot;
	int rc = kith_store_slot_put(s, sl->name, sl->nonce, sizeof sl->nonce, sl->box, sizeof sl->box, err);
	char box[NAME_MAX_ + 8]; /* anchor.c: the slot's rollback anchor, beside it */
	snprintf(box, sizeof box, "anchor:%s", sl->name);
	if (!rc && sl->anchored)
		rc = kith_store_slot_put(s, box, sl->anc_nonce, sizeof sl->anc_nonce, sl->anc_box,
					 sizeof sl->anc_box, err);
	return rc;
}

void kith_vault_person_slot_free(struct kith_vault_person_slot *slot)
{
	if (slot)
		sodium_free(slot);
}

int kith_vault_person_slot_present(struct kith_vault *v, const char *pid)
{
	if (!v || !hex32_ok(pid))
		return 0;
	char name[NAME_MAX_];
	snprintf(name, sizeof name, PREFIX "%s", pid);
	struct kith_store_slot *a = NULL;
	size_t n = 0;
	int present = slots_named(v->store, "name = ?1", name, &a, &n, NULL) == KITH_OK && n > 0 &&
		      !vault_all_zero(a[0].box, a[0].box_len);
	free(a);
	return present;
}

/* Deletes the slot `name` (random, zero, delete) in one transaction, then
 * overwrites its old bytes wherever SQLite wrote them. */
static int slot_destroy(struct kith_vault *v, const char *name, struct kith_err *err)
{
	struct kith_store_slot *old = NULL;
	size_t nold = 0;
	int rc = slots_named(v->store, "name = ?1", name, &old, &nold, err);
	if (rc)
		return rc;
	if (nold == 0) {
		free(old);
		return KITH_OK;
	}
	if (!(rc = kith_store_begin(v->store, err))) {
		if ((rc = destroy_where(v->store, "name = ?1", name, err)) ||
		    (rc = kith_store_commit(v->store, err)))
			kith_store_rollback(v->store);
	}
	if (!rc) {
		struct kith_err serr;
		kith_err_clear(&serr);
		if (vault_slots_shred(v->path, old, nold, &serr))
			kith_err_set(err, KITH_OK, "slots",
				     "the old key slot could not be overwritten: it may remain in the file "
				     "or its log");
		vault_checkpoint_soft(v->store);
	}
	sodium_memzero(old, nold * sizeof *old);
	free(old);
	return rc;
}

int kith_vault_person_slot_remove(struct kith_vault *v, const char *pid, struct kith_err *err)
{
	if (!v || !hex32_ok(pid))
		return kith_err_set(err, KITH_E_INVALID, "person", "not a person id");
	if (v->batch)
		return kith_err_set(err, KITH_E_INVALID, "vault", "a batch is open");
	if (strcmp(pid, v->person) == 0)
		return kith_err_set(err, KITH_E_INVALID, "person",
				    "the person who unlocked cannot remove their own slot");
	char name[NAME_MAX_];
	snprintf(name, sizeof name, PREFIX "%s", pid);
	int rc = slot_destroy(v, name, err);
	char box[NAME_MAX_ + 8]; /* anchor.c: the slot's rollback anchor, if it committed */
	snprintf(box, sizeof box, "anchor:" PREFIX "%s", pid);
	struct kith_err aerr;
	kith_err_clear(&aerr);
	if (!rc && slot_destroy(v, box, &aerr))
		kith_err_set(err, KITH_OK, "slots",
			     "the removed person's rollback anchor could not be deleted");
	return rc;
}

int vault_people_pass_unused(struct kith_vault *v, const char *pass, size_t len, const char *dpass,
			     size_t dlen, struct kith_err *err)
{
	struct kith_crypto_kdf kdf = vault_hdr_kdf(&v->hdr);
	int rc = KITH_OK;
	for (int i = 0; i < 2 && !rc; i++) {
		const char *p = i ? dpass : pass;
		size_t l = i ? dlen : len;
		if (!p)
			continue;
		struct kith_crypto_key *kek = NULL;
		if ((rc = kith_crypto_kek_derive(&kek, p, l, &kdf, err)))
			break;
		struct pslot *a = NULL;
		size_t n = 0;
		rc = person_slots(v->store, &a, &n, err);
		uint8_t vid[ID_BYTES];
		for (size_t j = 0; !rc && j < n; j++)
			if (kith_crypto_slot_open(kek, a[j].nonce, a[j].box, NULL, vid, NULL) ==
			    KITH_CRYPTO_SLOT_KEYS)
				rc = kith_err_set(err, KITH_E_EXISTS, i ? "duress" : "passphrase",
						  "this passphrase cannot be used: choose another");
		pslots_free(a, n);
		kith_crypto_key_free(kek);
	}
	vault_stack_wipe();
	return rc;
}

int vault_people_passwd(struct kith_vault *v, const char *pass, size_t len, struct kith_err *err)
{
	int rc = vault_check(v, err);
	if (rc)
		return rc;
	json_t *body = NULL;
	const struct kith_record_view *r = person_record(v, v->person, &body);
	if (!r)
		return kith_err_set(err, KITH_E_NOTFOUND, "person", "this person's record is missing");
	char rid[KITH_VAULT_ID_HEX];
	snprintf(rid, sizeof rid, "%s", r->id);
	char name[NAME_MAX_];
	snprintf(name, sizeof name, PREFIX "%s", v->person);
	struct kith_store_slot *old = NULL;
	size_t nold = 0;
	struct kith_vault_person_slot *sl = sodium_malloc(sizeof *sl);
	struct kith_vault_batch *b = NULL;
	if (!sl) {
		json_decref(body);
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	}
	rc = seal_for(v, v->person, pass, len, sl, err);
	uint8_t d[32];
	char hex[65];
	if (!rc) {
		slot_digest(v->person, sl->nonce, sl->box, d);
		sodium_bin2hex(hex, sizeof hex, d, sizeof d);
		if (json_object_set_new(body, "slot", json_string(hex)) ||
		    kith_vault_person_sign_pks_add(body, sl))
			rc = kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	}
	if (!rc)
		rc = slots_named(v->store, "name = ?1", name, &old, &nold, err);
	if (!rc)
		rc = kith_vault_batch_begin(v, &b, err);
	if (!rc) {
		struct kith_vault_put_opts o = {.id = rid, .action = "passwd"};
		rc = kith_vault_put(b, "person", body, &o, NULL, NULL, err);
	}
	/* anchor.c: the commit seals this slot's rollback anchor under the new
	 * passphrase's key (the old one back if it fails) */
	uint8_t oak[32];
	int swap = !rc && v->slot_ak;
	if (swap) {
		memcpy(oak, v->slot_ak, 32);
		memcpy(v->slot_ak, sl->ak, 32);
	}
	if (!rc) {
		kith_vault_batch_hook(b, kith_vault_person_slot_hook, sl);
		rc = kith_vault_batch_commit(b, err);
		b = NULL;
	}
	if (swap && rc)
		memcpy(v->slot_ak, oak, 32);
	sodium_memzero(oak, sizeof oak);
	kith_vault_batch_free(b);
	if (!rc) {
		memcpy(v->person_hash, d, sizeof d);
		if (vault_slots_shred(v->path, old, nold, NULL))
			kith_err_set(err, KITH_OK, "slots",
				     "the old key slot could not be overwritten: it may remain in the file "
				     "or its log");
		vault_checkpoint_soft(v->store);
	}
	if (old)
		sodium_memzero(old, nold * sizeof *old);
	free(old);
	sodium_free(sl);
	json_decref(body);
	vault_stack_wipe();
	return rc;
}
