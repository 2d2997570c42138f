/*
 * upgrade — kith upgrade: a format-1 vault becomes format 2 in place, all or
 * nothing (docs/vault-format.md *Upgrade*). The file is copied beside the
 * vault (VACUUM INTO, converted to the format-2 layout), every version the
 * vault can read is re-sealed there into one signed batch (flag "re-sealed
 * from format 1"; each keeps its id, number, writer and envelope), versions
 * it cannot read stay format-1 rows (a field vault re-seals only its own
 * versions not yet sent to headquarters: reseal()). The copy is then opened again and
 * compared record by record with what it held before; only then is the old
 * file kept as PATH.format1 (hard links: the old vault whole, with its -wal)
 * and the new one renamed over PATH. A failure or a crash at any point
 * leaves the old vault as it was.
 */
#include "vault/vault_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault/crypto.h"
#include "vault/store.h"
#include "vault/sync.h"

#define PATH_MAX_UP 4000

static void hash_str(crypto_generichash_state *st, const char *s, size_t n)
{
	uint8_t l[8];
	for (int i = 0; i < 8; i++)
		l[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	crypto_generichash_update(st, l, sizeof l);
	crypto_generichash_update(st, (const uint8_t *)s, n);
}

static int cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* A digest of every readable record (every field of its view), sorted, and
 * the counts of damaged and unreadable ones: what must not change. */
struct picture {
	uint8_t *h;
	size_t n, damaged, unreadable;
};

static int picture_take(const struct kith_vault *v, struct picture *p)
{
	memset(p, 0, sizeof *p);
	size_t total = 0;
	for (size_t k = 0; k < v->nkinds; k++)
		total += v->kinds[k]->n;
	p->h = malloc((total ? total : 1) * 32);
	if (!p->h)
		return KITH_E_NOMEM;
	for (size_t k = 0; k < v->nkinds; k++)
		for (size_t i = 0; i < v->kinds[k]->n; i++) {
			const struct kith_record_view *r = &v->kinds[k]->views[i];
			crypto_generichash_state st;
			char num[64];
			snprintf(num, sizeof num, "%u %lld", (unsigned)r->version, (long long)r->at);
			crypto_generichash_init(&st, NULL, 0, 32);
			hash_str(&st, r->id, strlen(r->id));
			hash_str(&st, r->kind, strlen(r->kind));
			hash_str(&st, r->ref, strlen(r->ref));
			hash_str(&st, r->body, r->body_len);
			hash_str(&st, num, strlen(num));
			hash_str(&st, r->device, strlen(r->device));
			hash_str(&st, r->action, strlen(r->action));
			hash_str(&st, r->note, strlen(r->note));
			crypto_generichash_final(&st, p->h + 32 * p->n++, 32);
		}
	qsort(p->h, p->n, 32, cmp32);
	p->damaged = v->ndamage;
	p->unreadable = v->unreadable;
	return KITH_OK;
}

static int picture_same(const struct picture *a, const struct picture *b)
{
	return a->n == b->n && a->damaged == b->damaged && a->unreadable == b->unreadable &&
	       (a->n == 0 || memcmp(a->h, b->h, 32 * a->n) == 0);
}

/* Re-seals every readable format-1 version of v (the copy) into one batch,
 * in one transaction. A field vault re-seals only its own versions that no
 * bundle to headquarters held (vault-format.md *Upgrade*, "A field vault"):
 * the ones it sent stay the format-1 rows headquarters holds, byte for byte,
 * and the versions headquarters sent it stay as they came (it holds their
 * keys in `received`, not the organization's). */
static int reseal(struct kith_vault *v, size_t *count, size_t *kept, struct kith_err *err)
{
	int field = kith_crypto_keys_is_field(v->keys);
	const uint8_t *self = kith_crypto_keys_sign_pk(v->keys);
	struct kith_sync_sent *sent = NULL;
	struct kith_sbuf ids = KITH_SBUF_INIT, plain = KITH_SBUF_INIT, rhs = KITH_SBUF_INIT;
	struct kith_store_cursor *c = NULL;
	struct kith_store_row sr;
	struct job j;
	memset(&j, 0, sizeof j);
	uint8_t *bk = sodium_malloc(32);
	uint8_t batch_id[BATCH_ID_BYTES];
	struct vbatch added;
	memset(&added, 0, sizeof added);
	int rc = KITH_OK, more, in_tx = 0, held = 0;
	uint32_t n = 0;
	if (!bk)
		return kith_err_set(err, KITH_E_NOMEM, "upgrade", "out of guarded memory");
	randombytes_buf(bk, 32);
	randombytes_buf(batch_id, sizeof batch_id);
	*kept = 0;
	/* what went to headquarters (no table yet: nothing) */
	if (field && (rc = kith_sync_sent_load(v->store, kith_crypto_keys_org_pk(v->keys), NULL, &sent, err)))
		goto out;
	if ((rc = kith_store_rows_current(v->store, NULL, &c, err)))
		goto out;
	while ((more = kith_store_cursor_next(c, &sr, err)) == 1)
		if (sr.id.n == ID_BYTES && kith_sbuf_add(&ids, sr.id.p, ID_BYTES)) {
			rc = kith_err_set(err, KITH_E_NOMEM, "upgrade", "out of memory");
			goto out;
		}
	kith_store_cursor_free(c);
	c = NULL;
	if (more < 0) {
		rc = more;
		goto out;
	}
	if ((rc = kith_crypto_keys_access(v->keys, 1)))
		goto out;
	held = 1;
	if ((rc = kith_store_begin(v->store, err)))
		goto out;
	in_tx = 1;
	for (size_t at = 0; at + ID_BYTES <= ids.len && !rc; at += ID_BYTES) {
		/* every version of this record, read whole before any is replaced */
		struct job *jobs = NULL;
		size_t nj = 0, cap = 0;
		if ((rc = kith_store_rows_of(v->store, (const uint8_t *)ids.buf + at, ID_BYTES, 0, &c, err)))
			break;
		while ((more = kith_store_cursor_next(c, &sr, err)) == 1) {
			if (nj == cap) {
				cap = cap ? cap * 2 : 8;
				struct job *nx = realloc(jobs, cap * sizeof *nx);
				if (!nx) {
					rc = kith_err_set(err, KITH_E_NOMEM, "upgrade", "out of memory");
					break;
				}
				jobs = nx;
			}
			if ((rc = vault_load_row(&sr, &jobs[nj])))
				break;
			nj++;
		}
		kith_store_cursor_free(c);
		c = NULL;
		if (!rc && more < 0)
			rc = more;
		for (size_t q = 0; q < nj && !rc; q++) {
			struct job *x = &jobs[q];
			if (x->v2 || x->status != J_OK)
				continue; /* unreadable or damaged: it stays as it is */
			if (field && (memcmp(x->row.device, self, 32) != 0 ||
				      kith_sync_sent_has(sent, x->row.id, x->row.version, x->row.device))) {
				(*kept)++; /* headquarters holds it (or sent it) as this row */
				continue;
			}
			vault_decode_row(v, x, &plain);
			if (x->status < 0) {
				rc = x->status;
				break;
			}
			if (x->status != J_OK)
				continue;
			const char *reason = NULL;
			if (kith_crypto_row_open(v->keys, &x->row, &plain, &reason, NULL) != KITH_OK)
				continue;
			struct kith_crypto_row nr;
			memset(&nr, 0, sizeof nr);
			memcpy(nr.id, x->row.id, ID_BYTES);
			nr.version = x->row.version;
			memcpy(nr.device, x->row.device, sizeof nr.device); /* the writer stays named */
			uint8_t rh[RH_BYTES];
			rc = vault_v2_seal_row(bk, batch_id, n, &nr, plain.buf, plain.len, rh);
			kith_sbuf_reset(&plain);
			if (rc) {
				kith_err_set(err, rc, "upgrade", "re-sealing a version failed");
				break;
			}
			struct kith_store_row out = {
			    .id = {nr.id, ID_BYTES},
			    .device = {nr.device, sizeof nr.device},
			    .nonce = {nr.nonce, sizeof nr.nonce},
			    .ct = {nr.ct, nr.ct_len},
			    .version = nr.version,
			    .batch = {batch_id, sizeof batch_id},
			    .i = n,
			};
			rc = kith_store_row_delete(v->store, nr.id, ID_BYTES, nr.version, err);
			if (!rc)
				rc = kith_store_row_put(v->store, &out, err);
			free(nr.ct);
			if (!rc && kith_sbuf_add(&rhs, rh, sizeof rh))
				rc = kith_err_set(err, KITH_E_NOMEM, "upgrade", "out of memory");
			n++;
		}
		for (size_t q = 0; q < nj; q++) {
			free(jobs[q].row.ct);
			kith_wipe_free(jobs[q].mem, jobs[q].mem_len);
		}
		free(jobs);
	}
	if (!rc && n)
		rc = vault_v2_write_batch(v, batch_id, bk, MANIFEST_RESEALED, (const uint8_t *)rhs.buf, n,
					  &added, err);
	if (!rc)
		rc = kith_store_commit(v->store, err);
	if (!rc)
		in_tx = 0;
out:
	if (in_tx)
		kith_store_rollback(v->store);
	vault_v2_drop(&added);
	kith_store_cursor_free(c);
	if (held)
		vault_keys_idle(v->keys);
	kith_sbuf_release(&ids);
	kith_sbuf_release(&plain);
	kith_sbuf_release(&rhs);
	kith_sync_sent_free(sent);
	sodium_free(bk);
	if (!rc)
		*count = n;
	return rc;
}

static int open_quiet(struct kith_vault **out, const char *path, const char *pass, size_t len,
		      struct kith_err *err)
{
	struct kith_vault_open_opts o = {0};
	return kith_vault_open_with(out, path, pass, len, &o, err);
}

static int side(char *out, const char *path, const char *sfx)
{
	return snprintf(out, PATH_MAX_UP, "%s%s", path, sfx) < PATH_MAX_UP ? 0 : -1;
}

static int exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static void sync_dir_of(const char *path)
{
	char d[PATH_MAX_UP];
	snprintf(d, sizeof d, "%s", path);
	char *slash = strrchr(d, '/');
	if (slash)
		*(slash == d ? slash + 1 : slash) = '\0';
	else
		snprintf(d, sizeof d, ".");
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static int upgrade(const char *path, const char *pass, size_t pass_len, size_t *resealed, size_t *kept,
		   struct kith_err *err)
{
	char tmp[PATH_MAX_UP], bak[PATH_MAX_UP], bakwal[PATH_MAX_UP], wal[PATH_MAX_UP], shm[PATH_MAX_UP];
	if (!path || side(tmp, path, ".format2.tmp") || side(bak, path, ".format1") ||
	    side(bakwal, path, ".format1-wal") || side(wal, path, "-wal") || side(shm, path, "-shm"))
		return kith_err_set(err, KITH_E_INVALID, "vault", "the vault path is too long");
	if (!pass || pass_len == 0)
		return kith_err_set(err, KITH_E_AUTH, "passphrase", "wrong passphrase");
	struct kith_store *old = NULL;
	struct kith_vault *nv = NULL;
	struct picture before = {0}, after = {0};
	int rc = kith_store_open(&old, path, err);
	if (rc)
		return rc;
	if (kith_store_format(old) >= 2) {
		kith_store_close(old);
		return kith_err_set(err, KITH_E_EXISTS, "upgrade", "the vault is already format 2");
	}
	if (exists(bak) || exists(bakwal)) {
		kith_store_close(old);
		return kith_err_set(err, KITH_E_EXISTS, "upgrade",
				    "%s exists (an earlier upgrade's old file): move it away first", bak);
	}
	/* a leftover of a crashed upgrade is this function's own: never a vault in place */
	kith_store_remove(tmp);
	/* every committed frame in the file, then a copy in the format-2 layout */
	if ((rc = kith_store_checkpoint_full(old, err)) || (rc = kith_store_copy_format2(old, tmp, err)))
		goto fail;
	kith_store_close(old);
	old = NULL;
	/* the copy opens with the passphrase, reads as the vault did, and is re-sealed */
	if ((rc = open_quiet(&nv, tmp, pass, pass_len, err)))
		goto fail;
	if (nv->missing || nv->nintegrity) {
		rc = kith_err_set(
		    err, KITH_E_CORRUPT, "upgrade",
		    "the vault file is damaged (%zu records could not be read): nothing was changed",
		    nv->missing);
		goto fail;
	}
	if ((rc = picture_take(nv, &before)) || (rc = reseal(nv, resealed, kept, err)))
		goto fail;
	kith_vault_close(nv);
	nv = NULL;
	/* verified by opening it again: every record as before, every batch sound */
	if ((rc = open_quiet(&nv, tmp, pass, pass_len, err)))
		goto fail;
	if ((rc = picture_take(nv, &after)))
		goto fail;
	if (!picture_same(&before, &after) || nv->nintegrity || nv->missing) {
		rc = kith_err_set(
		    err, KITH_E_CORRUPT, "upgrade",
		    "the converted vault did not read as the old one (%zu records before, %zu after, "
		    "%zu findings): nothing was changed",
		    before.n, after.n, nv->nintegrity);
		goto fail;
	}
	kith_vault_close(nv);
	nv = NULL;
	if ((rc = kith_store_settle(tmp, err)))
		goto fail;
	/* the old vault kept whole under PATH.format1 (hard links), then the new
	 * one in its place; the old -wal was checkpointed into the old file above,
	 * so PATH alone is complete at every step */
	if (link(path, bak) != 0 || (exists(wal) && link(wal, bakwal) != 0)) {
		int e = errno;
		unlink(bak);
		rc = kith_err_set(err, KITH_E_IO, "upgrade", "cannot keep the old file as %s: %s", bak,
				  strerror(e));
		goto fail;
	}
	sync_dir_of(path);
	(void)unlink(wal);
	(void)unlink(shm);
	if (rename(tmp, path) != 0) {
		int e = errno;
		rc = kith_err_set(err, KITH_E_IO, "upgrade", "cannot put the new file in place: %s",
				  strerror(e));
		goto fail;
	}
	sync_dir_of(path);
	free(before.h);
	free(after.h);
	return KITH_OK;
fail:
	kith_vault_close(nv);
	kith_store_close(old);
	kith_store_remove(tmp);
	free(before.h);
	free(after.h);
	return rc;
}

int kith_vault_upgrade_with(const char *path, const char *pass, size_t pass_len,
			    struct kith_vault_upgraded *out, struct kith_err *err)
{
	size_t n = 0, kept = 0;
	int rc = upgrade(path, pass, pass_len, &n, &kept, err);
	vault_stack_wipe();
	if (!rc && out) {
		out->resealed = n;
		out->kept = kept;
	}
	return rc;
}

int kith_vault_upgrade(const char *path, const char *pass, size_t pass_len, size_t *resealed,
		       struct kith_err *err)
{
	struct kith_vault_upgraded u = {0};
	int rc = kith_vault_upgrade_with(path, pass, pass_len, &u, err);
	if (!rc && resealed)
		*resealed = u.resealed;
	return rc;
}
