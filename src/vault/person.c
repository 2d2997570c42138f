/*
 * person — a person's own signing key in format 2 (person.h; the bytes:
 * docs/vault-format.md *People*, "Person signing keys").
 */
#include "vault/person.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vault/blob.h" /* kith_store_sqlite */
#include "vault/vault_impl.h"

static const char person_kdf_ctx[crypto_kdf_CONTEXTBYTES + 1] = "kithpers";

void vault_person_keypair(const uint8_t ak[32], uint8_t pk[32], uint8_t *sk)
{
	uint8_t seed[crypto_sign_SEEDBYTES], tmp[crypto_sign_SECRETKEYBYTES];
	crypto_kdf_derive_from_key(seed, sizeof seed, 1, person_kdf_ctx, ak);
	crypto_sign_seed_keypair(pk, sk ? sk : tmp, seed);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(tmp, sizeof tmp);
}

int vault_person_signer(struct kith_vault *v)
{
	if (!v || !v->person[0] || v->fmt < 2 || !v->slot_ak || v->per_state < 0)
		return 0;
	if (v->per_state > 0)
		return 1;
	if (!(v->per_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)))
		return 0;
	vault_person_keypair(v->slot_ak, v->per_pk, v->per_sk);
	/* only a key the person's record names: a person enrolled before person
	 * keys (a format-1 vault, upgraded) signs once theirs is in it (their
	 * passwd adds it) — else every batch of theirs would read as signed by
	 * no one of this vault */
	struct vault_person_key *keys = NULL;
	size_t nk = 0;
	const struct vault_person_key *e = NULL;
	if (vault_person_keys(v, &keys, &nk) == KITH_OK)
		e = vault_person_find(keys, nk, v->per_pk);
	v->per_state = e && !strcmp(e->pid, v->person) ? 1 : -1;
	free(keys);
	if (v->per_state < 0)
		vault_person_free(v);
	return v->per_state > 0;
}

int vault_person_sign(const struct kith_vault *v, const void *m, size_t len, uint8_t sig[64])
{
	if (!v->per_sk)
		return KITH_E_INVALID;
	crypto_sign_state st;
	int bad = crypto_sign_init(&st) != 0 || crypto_sign_update(&st, m, len) != 0 ||
		  crypto_sign_final_create(&st, sig, NULL, v->per_sk) != 0;
	sodium_memzero(&st, sizeof st);
	return bad ? KITH_E_CRYPTO : KITH_OK;
}

void vault_person_free(struct kith_vault *v)
{
	if (v->per_sk)
		sodium_free(v->per_sk); /* wipes */
	v->per_sk = NULL;
	sodium_memzero(v->per_pk, sizeof v->per_pk);
	if (v->per_state > 0)
		v->per_state = 0;
}

int vault_person_keys_add(const json_t *body, struct vault_person_key **a, size_t *n, size_t *cap)
{
	const char *pid = json_string_value(json_object_get(body, "pid"));
	const json_t *keys = json_object_get(body, "sign_pks");
	/* removed: from removed_at (from the start of time when it is missing) */
	json_int_t removed = 0;
	if (json_is_true(json_object_get(body, "removed"))) {
		removed = json_integer_value(json_object_get(body, "removed_at"));
		if (removed <= 0)
			removed = 1;
	}
	size_t i;
	const json_t *k;
	json_array_foreach(keys, i, k)
	{
		uint8_t pk[32];
		const char *h = json_string_value(k);
		size_t bl = 0;
		if (!h || strlen(h) != 64 || sodium_hex2bin(pk, sizeof pk, h, 64, NULL, &bl, NULL) != 0 ||
		    bl != 32)
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? 2 * *cap : 8;
			struct vault_person_key *na = realloc(*a, nc * sizeof *na);
			if (!na)
				return KITH_E_NOMEM;
			*a = na;
			*cap = nc;
		}
		struct vault_person_key *e = &(*a)[(*n)++];
		memcpy(e->pk, pk, 32);
		snprintf(e->pid, sizeof e->pid, "%s", pid ? pid : "");
		e->removed_at = (int64_t)removed;
	}
	return KITH_OK;
}

int vault_person_keys(const struct kith_vault *v, struct vault_person_key **a, size_t *n)
{
	*a = NULL;
	*n = 0;
	size_t cap = 0, nr = 0;
	const struct kith_record_view *r = kith_vault_records(v, "person", &nr);
	for (size_t i = 0; i < nr; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		int rc = b ? vault_person_keys_add(b, a, n, &cap) : KITH_E_NOMEM;
		json_decref(b);
		if (rc) {
			free(*a);
			*a = NULL;
			*n = 0;
			return rc;
		}
	}
	return KITH_OK;
}

const struct vault_person_key *vault_person_find(const struct vault_person_key *a, size_t n,
						 const uint8_t pk[32])
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(a[i].pk, pk, 32))
			return &a[i];
	return NULL;
}

int vault_person_may_sign(const struct vault_person_key *a, size_t n, const uint8_t pk[32], int64_t at,
			  char *why, size_t whysz)
{
	/* the earliest removal any record of that key names (a bundle may carry
	 * several versions of one person's record) */
	const struct vault_person_key *e = NULL;
	for (size_t i = 0; i < n; i++)
		if (!memcmp(a[i].pk, pk, 32) &&
		    (!e || (a[i].removed_at && (!e->removed_at || a[i].removed_at < e->removed_at))))
			e = &a[i];
	if (!e) {
		snprintf(why, whysz, "signed by a person key that no person of this vault holds");
		return KITH_E_NOTFOUND;
	}
	if (e->removed_at && at > e->removed_at) {
		char when[48];
		time_t tt = (time_t)e->removed_at;
		struct tm tm;
		if (!gmtime_r(&tt, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm))
			snprintf(when, sizeof when, "%lld (Unix time)", (long long)e->removed_at);
		snprintf(why, whysz, "signed by a person after they were removed from the vault on %s", when);
		return KITH_E_AUTH;
	}
	return KITH_OK;
}

int kith_vault_version_signer(struct kith_vault *v, const char *id, uint32_t version, const char *person)
{
	uint8_t rid[ID_BYTES];
	size_t bl = 0;
	if (!v || !v->store || v->fmt < 2 || !id || strlen(id) != 32 ||
	    sodium_hex2bin(rid, sizeof rid, id, 32, NULL, &bl, NULL) != 0 || bl != ID_BYTES)
		return KITH_VAULT_SIGNED_NONE;
	sqlite3 *db = kith_store_sqlite(v->store);
	sqlite3_stmt *st = NULL;
	const struct vbatch *b = NULL;
	if (sqlite3_prepare_v2(db, "SELECT batch FROM \"rows\" WHERE id = ?1 AND version = ?2", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, rid, sizeof rid, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, version);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == BATCH_ID_BYTES)
			b = vault_v2_batch(v, sqlite3_column_blob(st, 0));
	}
	sqlite3_finalize(st);
	if (!b || b->status == B_BAD || vault_all_zero(b->per, 32))
		return KITH_VAULT_SIGNED_NONE;
	struct vault_person_key *keys = NULL;
	size_t nk = 0;
	if (vault_person_keys(v, &keys, &nk))
		return KITH_VAULT_SIGNED_NONE;
	const struct vault_person_key *e = vault_person_find(keys, nk, b->per);
	int r = e && person && !strcmp(e->pid, person) ? KITH_VAULT_SIGNED_PERSON : KITH_VAULT_SIGNED_OTHER;
	free(keys);
	return r;
}
