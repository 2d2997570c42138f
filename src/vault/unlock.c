/*
 * unlock — reads every current row of the file into the index: each row is
 * verified (its device enrolled, its signature), decrypted and parsed by
 * helper threads one chunk at a time while this thread reads the next chunk
 * from the file; the index is built on this thread in file order, then
 * sorted into creation order. A row that cannot be read is damage, never
 * dropped; memory that runs out is out of memory, never damage.
 */
#include "vault/sync.h"
#include "vault/vault_impl.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pool.h"
#include "base/sbuf.h"
#include "record/record.h"
#include "vault/crypto.h"
#include "vault/store.h"

/* ------------------------------------------------------------ reading rows */

static int blob_into(const struct kith_store_blob *b, uint8_t *out, size_t n)
{
	if (b->n != n || !b->p)
		return 0;
	memcpy(out, b->p, n);
	return 1;
}

/* Copies a stored row into a job; a malformed one is marked damaged. */
int vault_load_row(const struct kith_store_row *sr, struct job *j)
{
	memset(j, 0, sizeof *j);
	if (sr->id.n == ID_BYTES)
		memcpy(j->row.id, sr->id.p, ID_BYTES);
	if (sr->batch.p) { /* format 2: the row of a batch; its wraps and signature are the batch's */
		j->v2 = 1;
		int ok2 = sr->id.n == ID_BYTES && sr->version >= 1 && sr->version <= (int64_t)UINT32_MAX &&
			  sr->batch.n == BATCH_ID_BYTES && sr->i >= 0 && sr->i < (int64_t)UINT32_MAX &&
			  blob_into(&sr->device, j->row.device, sizeof j->row.device) &&
			  blob_into(&sr->nonce, j->row.nonce, sizeof j->row.nonce) && sr->wrap_org.n == 0 &&
			  sr->wrap_dev.n == 0 && sr->sig.n == 0 && sr->ct.p && sr->ct.n > 0;
		j->row.version =
		    sr->version >= 1 && sr->version <= (int64_t)UINT32_MAX ? (uint32_t)sr->version : 0;
		if (!ok2) {
			j->status = J_DAMAGED;
			j->reason = "malformed row";
			return KITH_OK;
		}
		memcpy(j->batch, sr->batch.p, BATCH_ID_BYTES);
		j->bi = (uint32_t)sr->i;
		goto copy_ct;
	}
	int ok = sr->id.n == ID_BYTES && sr->version >= 1 && sr->version <= (int64_t)UINT32_MAX &&
		 blob_into(&sr->device, j->row.device, sizeof j->row.device) &&
		 blob_into(&sr->wrap_org, j->row.wrap_org, sizeof j->row.wrap_org) &&
		 blob_into(&sr->wrap_dev, j->row.wrap_dev, sizeof j->row.wrap_dev) &&
		 blob_into(&sr->nonce, j->row.nonce, sizeof j->row.nonce) &&
		 blob_into(&sr->sig, j->row.sig, sizeof j->row.sig) && sr->ct.p && sr->ct.n > 0;
	j->row.version = sr->version >= 1 && sr->version <= (int64_t)UINT32_MAX ? (uint32_t)sr->version : 0;
	if (!ok) {
		j->status = J_DAMAGED;
		j->reason = "malformed row";
		return KITH_OK;
	}
copy_ct:
	j->row.ct = malloc(sr->ct.n);
	if (!j->row.ct)
		return KITH_E_NOMEM;
	memcpy(j->row.ct, sr->ct.p, sr->ct.n);
	j->row.ct_len = sr->ct.n;
	return KITH_OK;
}

static void job_clear(struct job *j)
{
	free(j->row.ct);
	j->row.ct = NULL;
	kith_wipe_free(j->mem, j->mem_len);
	j->mem = NULL;
}

/* Verifies, decrypts and parses one row (thread-safe: the keys and device
 * list are only read). */
void vault_decode_row(const struct kith_vault *v, struct job *j, struct kith_sbuf *plain)
{
	if (j->status != J_OK)
		return;
	if (!vault_device_enrolled(v, j->row.device)) {
		j->status = J_DAMAGED;
		j->reason = "unknown device";
		return;
	}
	const char *reason = NULL;
	const struct vbatch *b = j->v2 ? vault_v2_batch(v, j->batch) : NULL;
	j->b = b ? (size_t)(b - v->batches) + 1 : 0;
	int rc = j->v2 ? vault_v2_open_row(v, b, j->bi, &j->row, plain, &reason)
		       : kith_crypto_row_open(v->keys, &j->row, plain, &reason, NULL);
	if (rc == KITH_E_AUTH && !j->v2 && v->received) /* a row headquarters sent this field device */
		rc = kith_sync_received_open(v->received, v->keys, &j->row, plain, &reason);
	if (rc == KITH_E_AUTH) {
		j->status = J_UNREADABLE;
		return;
	}
	if (rc == KITH_E_CORRUPT) {
		j->status = J_DAMAGED;
		j->reason = reason;
		return;
	}
	if (rc) {
		j->status = rc;
		return;
	}
	struct env e;
	char hex[KITH_VAULT_DEVICE_HEX];
	sodium_bin2hex(hex, sizeof hex, j->row.device, 8);
	int sure = 0; /* the body checked in the same pass (below) */
	if (vault_env_parse(plain->buf, plain->len, &e, &sure) || e.device.n != 16 ||
	    memcmp(e.device.p, hex, 16) != 0) {
		kith_sbuf_reset(plain);
		j->status = J_DAMAGED;
		j->reason = "bad envelope";
		return;
	}
	rc = vault_mem_build(&e, j->row.id, j->row.device, j->row.version, &j->mem, &j->mem_len, &j->view);
	kith_sbuf_reset(plain);
	if (rc == KITH_E_CORRUPT) {
		j->status = J_DAMAGED;
		j->reason = "bad envelope";
		return;
	}
	if (rc) {
		j->status = rc;
		return;
	}
	/* The body is input even when authentic (a device's bug, or a key in the
	 * wrong hands): it must parse as every reader will parse it
	 * (kith_record_view_json), else the record is damaged, not a reader's
	 * "out of memory" later. A canonical body is read once by the text check
	 * (kith_record_text_ok: yes only when jansson and the schema check would
	 * say yes); anything it is not sure of goes through jansson below. */
	if (sure || (kith_record_kind_valid(j->view.kind) &&
		     kith_record_text_ok(j->view.kind, j->view.body, j->view.body_len))) {
		j->created = e.created;
		return;
	}
	json_error_t jerr;
	memset(&jerr, 0, sizeof jerr); /* jansson may fail an allocation before it fills it */
	unsigned long failed = kith_json_alloc_failures();
	json_t *parsed = json_loadb(j->view.body, j->view.body_len, JSON_REJECT_DUPLICATES, &jerr);
	/* ... and hold to its kind's schema, as it did when it was written: every
	 * reader (export, linkage, tracing) may rely on the schema */
	struct kith_err verr;
	int vrc = parsed && kith_record_kind_valid(j->view.kind)
		      ? kith_record_validate(j->view.kind, parsed, &verr)
		      : KITH_OK;
	/* memory that ran out while parsing or checking (jansson may then hand
	 * back a value with strings cut) is out of memory, never damage */
	int oom = vrc == KITH_E_NOMEM || kith_json_alloc_failures() != failed ||
		  (!parsed && json_error_code(&jerr) == json_error_out_of_memory);
	if (oom || !parsed || !json_is_object(parsed) || vrc == KITH_E_INVALID) {
		json_decref(parsed);
		kith_wipe_free(j->mem, j->mem_len);
		j->mem = NULL;
		j->mem_len = 0;
		if (oom) {
			j->status = KITH_E_NOMEM;
			return;
		}
		j->status = J_DAMAGED;
		j->reason = "bad body";
		return;
	}
	json_decref(parsed);
	j->created = e.created;
}

/* One chunk of rows to decode, shared by the helpers and this thread: each
 * takes the next row from the counter, with its own scratch buffer. */
struct chunk {
	const struct kith_vault *v;
	struct job *jobs;
	size_t n;
	atomic_size_t next;
};

static void decode_chunk(void *arg)
{
	struct chunk *c = arg;
	struct kith_sbuf scratch = KITH_SBUF_INIT;
	for (size_t i; (i = atomic_fetch_add(&c->next, 1)) < c->n;)
		vault_decode_row(c->v, &c->jobs[i], &scratch);
	kith_sbuf_release(&scratch);
}

/* Notes the person a version of b names (vbatch.person). */
static void batch_person_seen(struct vbatch *b, const char *person)
{
	if (vault_all_zero(b->per, 32) || b->persons == 2)
		return;
	const char *p = person ? person : "";
	if (!b->persons) {
		snprintf(b->person, sizeof b->person, "%s", p);
		b->persons = 1;
	} else if (strcmp(b->person, p) != 0) {
		b->persons = 2;
	}
}

/* Takes a decoded job into the index (before sorting). */
static int index_take(struct kith_vault *v, struct job *j)
{
	if (j->status < 0)
		return j->status;
	if (j->status == J_UNREADABLE) {
		v->unreadable++;
		return KITH_OK;
	}
	size_t ki = 0;
	if (j->status == J_OK) {
		int rc = vault_kind_intern(v, j->view.kind, &ki);
		if (rc == KITH_E_INVALID) {
			j->status = J_DAMAGED;
			j->reason = "bad envelope";
		} else if (rc) {
			return rc;
		}
	}
	/* one entry per id, whatever a hostile file holds (the store hands up
	 * one row per id; belt and braces) */
	if (j->status == J_DAMAGED)
		return vault_map_get(&v->ids, j->row.id, ID_BYTES)
			   ? KITH_OK
			   : vault_damage_add(v, j->row.id, j->row.version, j->reason);
	struct kindx *k = v->kinds[ki];
	struct rec *r = calloc(1, sizeof *r);
	if (!r || vault_kind_reserve(k, 1)) {
		free(r);
		return KITH_E_NOMEM;
	}
	memcpy(r->id, j->row.id, ID_BYTES);
	int added = vault_map_add(&v->ids, r->id, ID_BYTES, r);
	if (added != 1) { /* there already, or no memory */
		free(r);
		return added == 0 ? KITH_OK : added;
	}
	if (j->b && j->b <= v->nbatches) /* who the versions of a person-signed batch name */
		batch_person_seen(&v->batches[j->b - 1], j->view.person);
	r->kind = ki;
	r->created = j->created;
	r->mem = j->mem;
	r->mem_len = j->mem_len;
	j->mem = NULL;
	r->pos = k->n;
	k->views[k->n] = j->view;
	k->recs[k->n] = r;
	k->n++;
	return KITH_OK;
}

/* For each damaged record, the newest earlier version that still reads gives
 * its kind and ref. */
static int damage_resolve(struct kith_vault *v, struct kith_err *err)
{
	struct kith_sbuf plain = KITH_SBUF_INIT;
	int rc = KITH_OK;
	for (size_t i = 0; i < v->ndamage && !rc; i++) {
		if (v->dmg[i].has_kind || v->damage[i].version <= 1)
			continue;
		struct kith_store_cursor *c = NULL;
		rc = kith_store_rows_of(v->store, v->dmg[i].id, ID_BYTES, v->damage[i].version, &c, err);
		if (rc)
			break;
		struct kith_store_row sr;
		int more;
		while ((more = kith_store_cursor_next(c, &sr, err)) == 1) {
			struct job j;
			if ((rc = vault_load_row(&sr, &j)))
				break;
			vault_decode_row(v, &j, &plain);
			if (j.status < 0) {
				rc = j.status;
			} else if (j.status == J_OK) {
				size_t ki;
				if (vault_kind_intern(v, j.view.kind, &ki) == KITH_OK) {
					v->dmg[i].kind = ki;
					v->dmg[i].has_kind = 1;
					v->dmg[i].created = j.created;
					snprintf(v->damage[i].ref, sizeof v->damage[i].ref, "%s", j.view.ref);
				}
			}
			job_clear(&j);
			if (rc)
				break;
		}
		if (!rc && more < 0)
			rc = more;
		kith_store_cursor_free(c);
	}
	kith_sbuf_release(&plain);
	return rc;
}

/* Decrypts and indexes every current row. */
int vault_index_all(struct kith_vault *v, void (*progress)(size_t, size_t, void *), void *arg,
		    struct kith_err *err)
{
	size_t total = 0;
	int rc = kith_store_count(v->store, &v->rows, &total, err);
	if (!rc && !v->received && !kith_crypto_keys_holds_org(v->keys))
		rc = kith_sync_received_load(v->store, &v->received, err);
	if (rc)
		return rc;
	struct job *jobs = calloc(2 * CHUNK, sizeof *jobs);
	/* room for every id at once, not by doublings as they come */
	if (!jobs || vault_map_reserve(&v->ids, total)) {
		free(jobs);
		return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
	}
	struct kith_store_cursor *c = NULL;
	size_t done = 0;
	int held = 0;
	if (!(rc = kith_crypto_keys_access(v->keys, 1)))
		held = 1;
	/* format 2: the batches first (their signatures, keys, chains) */
	if (!rc)
		rc = vault_v2_load(v, err);
	if (!rc)
		rc = kith_store_rows_current(v->store, (const size_t[2]){v->rows, total}, &c, err);
	/* A pipeline of two chunks: the helpers decrypt one while this thread
	 * takes the one before into the index (index_take touches only the
	 * index, kinds and damage list; decoding reads only the keys, devices
	 * and batches), then reads the next from the file into its place, then
	 * joins them. */
	int more = 1;
	size_t n[2] = {0, 0};
	int cur = 0, pending = 0; /* pending: the other chunk is decoded, not yet indexed */
	struct kith_store_row sr;
	while (!rc && more == 1 && n[0] < CHUNK && (more = kith_store_cursor_next(c, &sr, err)) == 1)
		rc = vault_load_row(&sr, &jobs[n[0]++]);
	while (!rc && n[cur]) {
		struct chunk ctx = {.v = v, .jobs = jobs + (size_t)cur * CHUNK, .n = n[cur]};
		atomic_init(&ctx.next, 0);
		/* up to v->threads helpers, one per 8 rows, beside this thread */
		size_t helpers = (n[cur] + 7) / 8;
		if (helpers > v->threads)
			helpers = v->threads;
		struct kith_pool_bg p;
		kith_pool_start(&p, (unsigned)helpers + 1, decode_chunk, &ctx);
		struct job *other = jobs + (size_t)(1 - cur) * CHUNK;
		if (pending) {
			for (size_t i = 0; i < n[1 - cur] && !rc; i++)
				rc = index_take(v, &other[i]);
			for (size_t i = 0; i < n[1 - cur]; i++)
				job_clear(&other[i]);
			done += n[1 - cur];
			pending = 0;
			if (!rc && progress)
				progress(done, total, arg);
		}
		n[1 - cur] = 0;
		while (!rc && more == 1 && n[1 - cur] < CHUNK &&
		       (more = kith_store_cursor_next(c, &sr, err)) == 1)
			if ((rc = vault_load_row(&sr, &other[n[1 - cur]++])))
				break;
		(void)kith_pool_join(&p);
		pending = 1;
		cur = 1 - cur;
	}
	if (pending) { /* the last chunk decoded: into the index */
		size_t last = n[1 - cur];
		struct job *lj = jobs + (size_t)(1 - cur) * CHUNK;
		for (size_t i = 0; i < last && !rc; i++)
			rc = index_take(v, &lj[i]);
		done += last;
		if (!rc && progress)
			progress(done, total, arg);
	}
	/* A store error part-way (a damaged page): what was read stays usable,
	 * the rest is counted as missing and the vault refuses writes; an error
	 * before any row was read fails the open. Either way the user is told. */
	if (!rc && more < 0) {
		if (done == 0 || (more != KITH_E_CORRUPT && more != KITH_E_IO && more != KITH_E_DB)) {
			rc = more;
		} else {
			v->read_status = more;
			if (err)
				kith_err_clear(err);
		}
	}
	for (size_t i = 0; i < 2 * CHUNK; i++)
		job_clear(&jobs[i]);
	kith_store_cursor_free(c);
	free(jobs);
	if (!rc) {
		size_t seen = v->unreadable + v->ndamage;
		for (size_t ki = 0; ki < v->nkinds; ki++)
			seen += v->kinds[ki]->n;
		/* every id the index of the file lists must have been handed up */
		if (seen < total)
			v->missing = total - seen;
		else if (v->read_status)
			v->missing = 1;
	}
	if (!rc)
		rc = damage_resolve(v, err);
	if (held)
		vault_keys_idle(v->keys);
	if (rc) {
		if (err && err->status == 0)
			kith_err_set(err, rc, "vault", "%s while reading the records", kith_status_str(rc));
		return rc;
	}
	/* creation order, then the ref maps (the earliest record wins a ref
	 * that two records claim) */
	struct sortbuf sb = {0};
	for (size_t ki = 0; ki < v->nkinds; ki++) {
		struct kindx *k = v->kinds[ki];
		if (vault_sortbuf_reserve(&sb, k->n) || vault_map_reserve(&k->refs, k->n)) {
			vault_sortbuf_release(&sb);
			return kith_err_set(err, KITH_E_NOMEM, "vault", "out of memory");
		}
		vault_kind_sort_from(k, 0, &sb);
		for (size_t j = 0; j < k->n; j++) {
			const char *ref = k->views[j].ref;
			if (ref[0] && !vault_map_get(&k->refs, ref, strlen(ref)))
				(void)vault_map_put(&k->refs, ref, strlen(ref), k->recs[j]);
		}
	}
	vault_sortbuf_release(&sb);
	return KITH_OK;
}
