/*
 * read — what the index shows (records by kind, a record by ref or id, the
 * damage list) and a record's history, read from the file on demand.
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "vault/crypto.h"
#include "vault/store.h"

/* ------------------------------------------------------------ reading */

void kith_vault_info(const struct kith_vault *v, struct kith_vault_info *out)
{
	memset(out, 0, sizeof *out);
	if (!v)
		return;
	sodium_bin2hex(out->vault_id, sizeof out->vault_id, v->hdr.vault_id, ID_BYTES);
	memcpy(out->device_id, v->device_hex, sizeof out->device_id);
	out->kdf = (enum kith_kdf)v->hdr.kdf;
	out->kdf_name = vault_kdf_levels[v->hdr.kdf].name;
	out->opslimit = v->hdr.opslimit;
	out->memlimit = v->hdr.memlimit;
	out->holds_org_secret = v->keys ? kith_crypto_keys_holds_org(v->keys) : 0;
	out->missing = v->missing;
	out->devices_refused = v->devices_refused;
	out->devices_trusted = v->devices_trusted;
	out->keys_destroyed = v->dead;
	for (size_t i = 0; i < v->nkinds; i++)
		out->records += v->kinds[i]->n;
	out->rows = v->rows;
	out->damaged = v->ndamage;
	out->unreadable = v->unreadable;
	out->format = v->fmt;
	out->integrity = v->nintegrity;
	out->batches = v->nbatches;
}

const char *kith_vault_integrity(const struct kith_vault *v, size_t i)
{
	return v && i < v->nintegrity ? v->integrity[i] : NULL;
}

const struct kith_record_view *kith_vault_records(const struct kith_vault *v, const char *kind, size_t *n)
{
	const struct kindx *k = v && kind ? vault_kind_get(v, kind, NULL) : NULL;
	if (n)
		*n = k ? k->n : 0;
	return k && k->n ? k->views : NULL;
}

const struct kith_record_view *kith_vault_find(const struct kith_vault *v, const char *kind, const char *ref)
{
	const struct kindx *k = v && kind && ref && *ref ? vault_kind_get(v, kind, NULL) : NULL;
	if (!k)
		return NULL;
	const struct rec *r = vault_map_get(&k->refs, ref, strlen(ref));
	return r ? vault_rec_view(v, r) : NULL;
}

int vault_parse_id(const char *hex, uint8_t id[ID_BYTES])
{
	if (!hex || strlen(hex) != 2 * ID_BYTES)
		return -1;
	for (size_t i = 0; i < 2 * ID_BYTES; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return -1;
	size_t bin_len = 0;
	return sodium_hex2bin(id, ID_BYTES, hex, 2 * ID_BYTES, NULL, &bin_len, NULL) == 0 &&
		       bin_len == ID_BYTES
		   ? 0
		   : -1;
}

const struct kith_record_view *kith_vault_find_id(const struct kith_vault *v, const char *id)
{
	uint8_t bin[ID_BYTES];
	if (!v || vault_parse_id(id, bin))
		return NULL;
	const struct rec *r = vault_map_get(&v->ids, bin, ID_BYTES);
	return r ? vault_rec_view(v, r) : NULL;
}

const struct kith_vault_damage *kith_vault_damaged(const struct kith_vault *v, size_t *n)
{
	if (n)
		*n = v ? v->ndamage : 0;
	return v && v->ndamage ? v->damage : NULL;
}

const struct kith_vault_damage *kith_vault_find_damaged(const struct kith_vault *v, const char *kind,
							const char *ref)
{
	size_t k = 0;
	if (!v || !kind || !ref || !*ref || !vault_kind_get(v, kind, &k))
		return NULL;
	long i = vault_damage_find_ref(v, k, ref);
	return i < 0 ? NULL : &v->damage[i];
}

const struct kith_vault_damage *kith_vault_find_damaged_id(const struct kith_vault *v, const char *id)
{
	uint8_t bin[ID_BYTES];
	if (!v || vault_parse_id(id, bin))
		return NULL;
	long i = vault_damage_find_id(v, bin);
	return i < 0 ? NULL : &v->damage[i];
}

uint64_t kith_vault_generation(const struct kith_vault *v)
{
	return v ? v->generation : 0;
}

json_t *kith_record_view_json(const struct kith_record_view *view)
{
	if (!view || !view->body)
		return NULL;
	unsigned long failed = kith_json_alloc_failures();
	json_t *j = json_loadb(view->body, view->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (j && kith_json_alloc_failures() != failed) { /* jansson may have altered it */
		json_decref(j);
		j = NULL;
	}
	return j;
}

#define HIST_HDR 16 /* a size_t with the block's size, kept 16-aligned */

int kith_vault_history(struct kith_vault *v, const char *id, struct kith_record_view **out, size_t *n,
		       struct kith_err *err)
{
	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	uint8_t bin[ID_BYTES];
	if (!v || !out || !n || vault_parse_id(id, bin))
		return kith_err_set(err, KITH_E_NOTFOUND, "id", "no record with this id");
	if (v->dead)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	struct kith_store_cursor *c = NULL;
	int rc = kith_store_rows_of(v->store, bin, ID_BYTES, 0, &c, err);
	if (rc)
		return rc;
	struct job *got = NULL;
	size_t cnt = 0, cap = 0, strings = 0, skipped = 0;
	struct kith_sbuf plain = KITH_SBUF_INIT;
	if ((rc = kith_crypto_keys_access(v->keys, 1))) {
		kith_store_cursor_free(c);
		return kith_err_set(err, rc, "vault", "guarded memory failed");
	}
	struct kith_store_row sr;
	int more;
	while ((more = kith_store_cursor_next(c, &sr, err)) == 1) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct job *ng = realloc(got, nc * sizeof *ng);
			if (!ng) {
				rc = kith_err_set(err, KITH_E_NOMEM, "history", "out of memory");
				break;
			}
			memset(ng + cap, 0, (nc - cap) * sizeof *ng);
			got = ng;
			cap = nc;
		}
		struct job *j = &got[cnt];
		if ((rc = vault_load_row(&sr, j))) {
			kith_err_set(err, rc, "history", "out of memory");
			break;
		}
		vault_decode_row(v, j, &plain);
		free(j->row.ct);
		j->row.ct = NULL;
		if (j->status == J_UNREADABLE) {
			skipped++;
			continue;
		}
		if (j->status == J_DAMAGED) {
			rc = kith_err_set(err, KITH_E_CORRUPT, id, "version %u failed verification: %s",
					  (unsigned)j->row.version, j->reason);
			break;
		}
		if (j->status < 0) {
			rc = kith_err_set(err, j->status, "history", "%s", kith_status_str(j->status));
			break;
		}
		strings += j->mem_len;
		cnt++;
	}
	if (!rc && more < 0)
		rc = more;
	vault_keys_idle(v->keys);
	kith_store_cursor_free(c);
	kith_sbuf_release(&plain);
	/* versions run 1, 2, ... up to the one the index shows: a gap, or a
	 * record the index holds whose rows the file no longer yields, is a
	 * damaged file (fuzz_vault found an index and a table that disagree) */
	const struct kith_record_view *cur = kith_vault_find_id(v, id);
	size_t seq = 0;
	while (seq < cnt && got[seq].view.version == seq + 1)
		seq++;
	if (!rc && !skipped && (seq < cnt || (cur && cur->version > cnt))) {
		rc = kith_err_set(err, KITH_E_CORRUPT, id,
				  "version %zu of this record is missing from the file", seq + 1);
		for (size_t i = seq; i < cnt; i++)
			strings -= got[i].mem_len;
		cnt = seq;
	}
	if (!rc && cnt == 0)
		rc = kith_err_set(err, KITH_E_NOTFOUND, "id", "no readable record with this id");
	char *block = NULL;
	size_t total = HIST_HDR + cnt * sizeof(struct kith_record_view) + strings;
	if (cnt && (block = malloc(total)) == NULL) {
		rc = kith_err_set(err, KITH_E_NOMEM, "history", "out of memory");
		cnt = 0;
	}
	if (block) {
		memcpy(block, &total, sizeof total);
		struct kith_record_view *views = (struct kith_record_view *)(void *)(block + HIST_HDR);
		char *p = block + HIST_HDR + cnt * sizeof *views;
		for (size_t i = 0; i < cnt; i++) {
			const char *base = got[i].mem;
			memcpy(p, base, got[i].mem_len);
			views[i] = got[i].view;
			views[i].id = p + (got[i].view.id - base);
			views[i].kind = p + (got[i].view.kind - base);
			views[i].ref = p + (got[i].view.ref - base);
			views[i].body = p + (got[i].view.body - base);
			views[i].device = p + (got[i].view.device - base);
			views[i].action = p + (got[i].view.action - base);
			views[i].note = p + (got[i].view.note - base);
			views[i].person = p + (got[i].view.person - base); /* people.c */
			views[i].index = i;
			p += got[i].mem_len;
		}
		*out = views;
		*n = cnt;
	}
	for (size_t i = 0; i < cap; i++)
		kith_wipe_free(got[i].mem, got[i].mem_len);
	free(got);
	return rc;
}

void kith_vault_history_free(struct kith_record_view *views, size_t n)
{
	(void)n;
	if (!views)
		return;
	char *block = (char *)views - HIST_HDR;
	size_t total;
	memcpy(&total, block, sizeof total);
	kith_wipe_free(block, total);
}
