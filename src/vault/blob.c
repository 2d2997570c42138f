/*
 * blob — an attachment's bytes as a chunked secretstream in the vault file
 * (blob.h; docs/vault-format.md "Attachments").
 *
 * Stream: header h = crypto_secretstream_xchacha20poly1305_init_push(key);
 * chunk i (0, 1, ...) = push(plaintext chunk i padded to KITH_BLOB_CHUNK, AD =
 * blob id (16) || i (8 bytes big-endian), tag MESSAGE, FINAL for the last).
 * Row (id, n = i, ct) of the blobs table. A blob of size S has
 * max(1, ceil(S / KITH_BLOB_CHUNK)) chunks; the reader checks the count, the
 * tags and the AD, so a dropped, repeated, swapped or foreign chunk fails.
 */
#include "vault/blob.h"

#include "base/io.h"
#include "vault/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#define AD_BYTES (KITH_BLOB_ID_BYTES + 8)

static const char create_sql[] = "CREATE TABLE IF NOT EXISTS blobs(id BLOB NOT NULL, n INTEGER NOT NULL, "
				 "ct BLOB NOT NULL, PRIMARY KEY (id, n))";

/* Secrets of a writer or a reader, in one guarded allocation. */
struct secrets {
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t key[KITH_BLOB_KEY_BYTES];
	uint8_t plain[KITH_BLOB_CHUNK];
};

struct kith_blob_writer {
	struct secrets *sec;
	uint8_t id[KITH_BLOB_ID_BYTES];
	uint8_t header[KITH_BLOB_HEADER_BYTES];
	size_t fill;	 /* plaintext bytes in sec->plain */
	uint64_t size;	 /* plaintext bytes added */
	uint64_t max;	 /* 0: no cap */
	uint64_t chunks; /* written to the spool */
	int fd;
	int finished, spent;
	uint8_t *ct; /* one chunk of ciphertext (not secret) */
};

static void ad_of(uint8_t ad[AD_BYTES], const uint8_t id[KITH_BLOB_ID_BYTES], uint64_t i)
{
	memcpy(ad, id, KITH_BLOB_ID_BYTES);
	for (int k = 0; k < 8; k++)
		ad[KITH_BLOB_ID_BYTES + k] = (uint8_t)(i >> (56 - 8 * k));
}

static int spool_open(const char *dir, struct kith_err *err)
{
	if (!dir || !*dir)
		dir = ".";
#ifdef O_TMPFILE
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/.kith-spool-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		return kith_err_set(err, KITH_E_IO, "attachment", "the spool folder's path is too long");
	int fd2 = mkstemp(path);
	if (fd2 < 0)
		return kith_err_set(err, KITH_E_IO, "attachment", "cannot make a spool file: %s",
				    strerror(errno));
	(void)unlink(path); /* only ciphertext, and gone at close or kill */
	return fd2;
}

int kith_blob_writer_new(struct kith_blob_writer **out, const char *dir, uint64_t max, struct kith_err *err)
{
	struct kith_blob_writer *w = calloc(1, sizeof *w);
	if (!w)
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	w->fd = -1;
	w->max = max;
	w->sec = sodium_malloc(sizeof *w->sec);
	w->ct = malloc(KITH_BLOB_CT_BYTES);
	if (!w->sec || !w->ct) {
		kith_blob_writer_free(w);
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	}
	randombytes_buf(w->id, sizeof w->id);
	crypto_secretstream_xchacha20poly1305_keygen(w->sec->key);
	if (crypto_secretstream_xchacha20poly1305_init_push(&w->sec->st, w->header, w->sec->key)) {
		kith_blob_writer_free(w);
		return kith_err_set(err, KITH_E_CRYPTO, "attachment", "secretstream init failed");
	}
	int fd = spool_open(dir, err);
	if (fd < 0) {
		kith_blob_writer_free(w);
		return fd;
	}
	w->fd = fd;
	*out = w;
	return KITH_OK;
}

/* Encrypts the buffered chunk (padded) to the spool. */
static int push_chunk(struct kith_blob_writer *w, unsigned char tag, struct kith_err *err)
{
	uint8_t ad[AD_BYTES];
	ad_of(ad, w->id, w->chunks);
	if (w->fill < KITH_BLOB_CHUNK)
		sodium_memzero(w->sec->plain + w->fill, KITH_BLOB_CHUNK - w->fill);
	unsigned long long clen = 0;
	if (crypto_secretstream_xchacha20poly1305_push(&w->sec->st, w->ct, &clen, w->sec->plain,
						       KITH_BLOB_CHUNK, ad, sizeof ad, tag) ||
	    clen != KITH_BLOB_CT_BYTES) {
		w->spent = 1;
		return kith_err_set(err, KITH_E_CRYPTO, "attachment", "secretstream push failed");
	}
	sodium_memzero(w->sec->plain, KITH_BLOB_CHUNK);
	w->fill = 0;
	if (kith_io_write_all(w->fd, w->ct, KITH_BLOB_CT_BYTES)) {
		w->spent = 1;
		return kith_err_set(err, KITH_E_IO, "attachment", "writing the spool failed: %s",
				    strerror(errno));
	}
	w->chunks++;
	return KITH_OK;
}

int kith_blob_writer_add(struct kith_blob_writer *w, const void *p, size_t n, struct kith_err *err)
{
	if (!w || w->finished || w->spent)
		return kith_err_set(err, KITH_E_INVALID, "attachment", "the upload is over");
	if (w->max && (n > w->max || w->size > w->max - n)) {
		w->spent = 1;
		return kith_err_set(err, KITH_E_LIMIT, "attachment", "the file is larger than %llu MiB",
				    (unsigned long long)(w->max >> 20));
	}
	const uint8_t *q = p;
	while (n) {
		if (w->fill == KITH_BLOB_CHUNK) { /* full, and more comes: not the last */
			int rc = push_chunk(w, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, err);
			if (rc)
				return rc;
		}
		size_t k = KITH_BLOB_CHUNK - w->fill;
		if (k > n)
			k = n;
		memcpy(w->sec->plain + w->fill, q, k);
		w->fill += k;
		w->size += k;
		q += k;
		n -= k;
	}
	return KITH_OK;
}

int kith_blob_writer_finish(struct kith_blob_writer *w, struct kith_err *err)
{
	if (!w || w->finished || w->spent)
		return kith_err_set(err, KITH_E_INVALID, "attachment", "the upload is over");
	int rc = push_chunk(w, crypto_secretstream_xchacha20poly1305_TAG_FINAL, err);
	if (rc)
		return rc;
	w->finished = 1;
	return KITH_OK;
}

uint64_t kith_blob_writer_size(const struct kith_blob_writer *w)
{
	return w ? w->size : 0;
}

void kith_blob_writer_id_hex(const struct kith_blob_writer *w, char hex[KITH_BLOB_ID_HEX])
{
	sodium_bin2hex(hex, KITH_BLOB_ID_HEX, w->id, sizeof w->id);
}

void kith_blob_writer_key_hex(const struct kith_blob_writer *w, char hex[KITH_BLOB_KEY_HEX])
{
	sodium_bin2hex(hex, 2 * KITH_BLOB_KEY_BYTES + 1, w->sec->key, KITH_BLOB_KEY_BYTES);
	sodium_bin2hex(hex + 2 * KITH_BLOB_KEY_BYTES, 2 * KITH_BLOB_HEADER_BYTES + 1, w->header,
		       KITH_BLOB_HEADER_BYTES);
}

static int db_fail(sqlite3 *db, const char *what, struct kith_err *err)
{
	return kith_err_set(err, KITH_E_DB, "attachment", "%s: %s", what, sqlite3_errmsg(db));
}

int kith_blob_writer_commit(struct kith_store *s, void *arg, struct kith_err *err)
{
	struct kith_blob_writer *w = arg;
	sqlite3 *db = (sqlite3 *)kith_store_sqlite(s);
	if (!w || !w->finished || !db)
		return kith_err_set(err, KITH_E_INVALID, "attachment", "the upload is not finished");
	if (sqlite3_exec(db, create_sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "making the blobs table", err);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "INSERT INTO blobs(id, n, ct) VALUES (?1, ?2, ?3)", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(db, "storing the attachment", err);
	int rc = KITH_OK;
	for (uint64_t i = 0; i < w->chunks && !rc; i++) {
		off_t at = (off_t)(i * KITH_BLOB_CT_BYTES);
		size_t got = 0;
		while (got < KITH_BLOB_CT_BYTES) {
			ssize_t k = pread(w->fd, w->ct + got, KITH_BLOB_CT_BYTES - got, at + (off_t)got);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			got += (size_t)k;
		}
		if (got != KITH_BLOB_CT_BYTES) {
			rc = kith_err_set(err, KITH_E_IO, "attachment", "reading the spool failed");
			break;
		}
		sqlite3_reset(st);
		sqlite3_bind_blob(st, 1, w->id, sizeof w->id, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_blob(st, 3, w->ct, (int)KITH_BLOB_CT_BYTES, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "storing the attachment", err);
	}
	sqlite3_finalize(st);
	return rc;
}

void kith_blob_writer_free(struct kith_blob_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	sodium_free(w->sec); /* wipes */
	free(w->ct);
	free(w);
}

/* ------------------------------------------------------------ reading */

struct kith_blob_reader {
	struct secrets *sec;
	uint8_t id[KITH_BLOB_ID_BYTES];
	uint64_t size, chunks, next;
};

int kith_blob_reader_new(struct kith_blob_reader **out, const char *id_hex, const char *key_hex,
			 uint64_t size, struct kith_err *err)
{
	uint8_t header[KITH_BLOB_HEADER_BYTES];
	size_t bin = 0;
	const char *end = NULL;
	if (!id_hex || !key_hex || strlen(id_hex) != 2 * KITH_BLOB_ID_BYTES ||
	    strlen(key_hex) != 2 * (KITH_BLOB_KEY_BYTES + KITH_BLOB_HEADER_BYTES))
		return kith_err_set(err, KITH_E_CORRUPT, "attachment", "a malformed blob reference");
	struct kith_blob_reader *r = calloc(1, sizeof *r);
	if (!r)
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	if (!(r->sec = sodium_malloc(sizeof *r->sec))) {
		free(r);
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	}
	int bad = sodium_hex2bin(r->id, sizeof r->id, id_hex, 2 * KITH_BLOB_ID_BYTES, NULL, &bin, &end) ||
		  bin != sizeof r->id ||
		  sodium_hex2bin(r->sec->key, KITH_BLOB_KEY_BYTES, key_hex, 2 * KITH_BLOB_KEY_BYTES, NULL,
				 &bin, &end) ||
		  bin != KITH_BLOB_KEY_BYTES ||
		  sodium_hex2bin(header, sizeof header, key_hex + 2 * KITH_BLOB_KEY_BYTES,
				 2 * KITH_BLOB_HEADER_BYTES, NULL, &bin, &end) ||
		  bin != sizeof header ||
		  crypto_secretstream_xchacha20poly1305_init_pull(&r->sec->st, header, r->sec->key);
	if (bad) {
		kith_blob_reader_free(r);
		return kith_err_set(err, KITH_E_CORRUPT, "attachment", "a malformed blob reference");
	}
	r->size = size;
	r->chunks = size ? (size + KITH_BLOB_CHUNK - 1) / KITH_BLOB_CHUNK : 1;
	*out = r;
	return KITH_OK;
}

int kith_blob_reader_next(struct kith_blob_reader *r, struct kith_store *s, const uint8_t **p, size_t *n,
			  struct kith_err *err)
{
	if (r->next >= r->chunks)
		return 0;
	sqlite3 *db = (sqlite3 *)kith_store_sqlite(s);
	if (!db)
		return kith_err_set(err, KITH_E_LOCKED, "attachment", "the vault is locked");
	sqlite3_stmt *st = NULL;
	int prc = sqlite3_prepare_v2(db, "SELECT ct FROM blobs WHERE id = ?1 AND n = ?2", -1, &st, NULL);
	if (prc != SQLITE_OK) {
		/* no table: a file whose attachments were taken away */
		int missing = strstr(sqlite3_errmsg(db), "no such table") != NULL;
		sqlite3_finalize(st);
		return missing ? kith_err_set(err, KITH_E_CORRUPT, "attachment",
					      "the attachment's bytes are missing")
			       : db_fail(db, "reading the attachment", err);
	}
	sqlite3_bind_blob(st, 1, r->id, sizeof r->id, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->next);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? kith_err_set(err, KITH_E_CORRUPT, "attachment",
							"chunk %llu of the attachment is missing",
							(unsigned long long)r->next)
					 : db_fail(db, "reading the attachment", err);
	}
	const uint8_t *ct = sqlite3_column_blob(st, 0);
	size_t ct_len = (size_t)sqlite3_column_bytes(st, 0);
	uint8_t ad[AD_BYTES];
	ad_of(ad, r->id, r->next);
	unsigned long long mlen = 0;
	unsigned char tag = 0;
	int last = r->next + 1 == r->chunks;
	if (!ct || ct_len != KITH_BLOB_CT_BYTES ||
	    crypto_secretstream_xchacha20poly1305_pull(&r->sec->st, r->sec->plain, &mlen, &tag, ct, ct_len,
						       ad, sizeof ad) ||
	    mlen != KITH_BLOB_CHUNK ||
	    tag != (last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
			 : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)) {
		sqlite3_finalize(st);
		r->next = r->chunks; /* the stream is broken: no more */
		return kith_err_set(err, KITH_E_CORRUPT, "attachment",
				    "the attachment failed authentication");
	}
	sqlite3_finalize(st);
	uint64_t off = r->next * KITH_BLOB_CHUNK;
	*p = r->sec->plain;
	*n = last ? (size_t)(r->size - off) : KITH_BLOB_CHUNK;
	r->next++;
	return 1;
}

void kith_blob_reader_free(struct kith_blob_reader *r)
{
	if (!r)
		return;
	sodium_free(r->sec);
	free(r);
}

int kith_blob_count(struct kith_store *s, const char *id_hex, uint64_t *chunks, struct kith_err *err)
{
	sqlite3 *db = (sqlite3 *)kith_store_sqlite(s);
	uint8_t id[KITH_BLOB_ID_BYTES];
	size_t bin = 0;
	*chunks = 0;
	if (!db || !id_hex || sodium_hex2bin(id, sizeof id, id_hex, strlen(id_hex), NULL, &bin, NULL) ||
	    bin != sizeof id)
		return kith_err_set(err, KITH_E_INVALID, "attachment", "a malformed blob id");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM blobs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return KITH_OK; /* no table yet */
	}
	sqlite3_bind_blob(st, 1, id, sizeof id, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*chunks = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return KITH_OK;
}

/* ------------------------------------------------------------ purging */

#define WIN 32		 /* bytes of a window looked up while scanning */
#define STEP 32		 /* needles every STEP bytes: a run of WIN + STEP - 1 holds one */
#define GROUP_CHUNKS 256 /* chunks looked for in one walk of the file */

struct needle {
	uint64_t h;
	uint32_t chunk, off; /* chunk UINT32_MAX: an empty slot */
};

struct kith_blob_purge {
	uint8_t (*ids)[KITH_BLOB_ID_BYTES];
	size_t n_ids;
	uint8_t *ct; /* every chunk's ciphertext, one after another */
	size_t chunks;
	/* the group being looked for */
	struct needle *tab;
	size_t mask, lo, hi;
	uint64_t pow; /* B^(WIN-1) */
};

#define HASH_B 0x100000001b3ull

static uint64_t hash_win(const uint8_t *p)
{
	uint64_t h = 0;
	for (size_t i = 0; i < WIN; i++)
		h = h * HASH_B + p[i];
	return h;
}

static const uint8_t *chunk_ct(const struct kith_blob_purge *p, size_t c)
{
	return p->ct + c * KITH_BLOB_CT_BYTES;
}

int kith_blob_purge_new(struct kith_blob_purge **out, struct kith_store *s, const char *const *ids, size_t n,
			struct kith_err *err)
{
	sqlite3 *db = (sqlite3 *)kith_store_sqlite(s);
	if (!db)
		return kith_err_set(err, KITH_E_LOCKED, "attachment", "the vault is locked");
	struct kith_blob_purge *p = calloc(1, sizeof *p);
	if (!p || (n && !(p->ids = calloc(n, sizeof *p->ids)))) {
		free(p);
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	}
	int rc = KITH_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		size_t bin = 0;
		if (!ids[i] ||
		    sodium_hex2bin(p->ids[p->n_ids], KITH_BLOB_ID_BYTES, ids[i], strlen(ids[i]), NULL, &bin,
				   NULL) ||
		    bin != KITH_BLOB_ID_BYTES)
			rc = kith_err_set(err, KITH_E_CORRUPT, "attachment", "a malformed blob id");
		else
			p->n_ids++;
	}
	sqlite3_stmt *st = NULL;
	if (!rc && sqlite3_prepare_v2(db, "SELECT ct FROM blobs WHERE id = ?1 ORDER BY n", -1, &st, NULL) !=
		       SQLITE_OK) {
		sqlite3_finalize(st);
		st = NULL; /* no table: nothing stored, nothing to look for */
	}
	for (size_t i = 0; st && !rc && i < p->n_ids; i++) {
		sqlite3_reset(st);
		sqlite3_bind_blob(st, 1, p->ids[i], KITH_BLOB_ID_BYTES, SQLITE_STATIC);
		int step;
		while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
			const void *ct = sqlite3_column_blob(st, 0);
			if (!ct || (size_t)sqlite3_column_bytes(st, 0) != KITH_BLOB_CT_BYTES)
				continue; /* not a chunk kith wrote: deleted all the same */
			uint8_t *grown = realloc(p->ct, (p->chunks + 1) * KITH_BLOB_CT_BYTES);
			if (!grown) {
				rc = kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
				break;
			}
			p->ct = grown;
			memcpy(p->ct + p->chunks * KITH_BLOB_CT_BYTES, ct, KITH_BLOB_CT_BYTES);
			p->chunks++;
		}
		if (!rc && step != SQLITE_DONE)
			rc = db_fail(db, "reading the attachment", err);
	}
	sqlite3_finalize(st);
	if (rc) {
		kith_blob_purge_free(p);
		return rc;
	}
	p->pow = 1;
	for (size_t i = 1; i < WIN; i++)
		p->pow *= HASH_B;
	*out = p;
	return KITH_OK;
}

uint64_t kith_blob_purge_chunks(const struct kith_blob_purge *p)
{
	return p ? p->chunks : 0;
}

int kith_blob_purge_delete(struct kith_store *s, void *arg, struct kith_err *err)
{
	struct kith_blob_purge *p = arg;
	sqlite3 *db = (sqlite3 *)kith_store_sqlite(s);
	if (!db)
		return kith_err_set(err, KITH_E_LOCKED, "attachment", "the vault is locked");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM blobs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
		int missing = strstr(sqlite3_errmsg(db), "no such table") != NULL;
		sqlite3_finalize(st);
		return missing ? KITH_OK : db_fail(db, "deleting the attachment", err);
	}
	int rc = KITH_OK;
	for (size_t i = 0; i < p->n_ids && !rc; i++) {
		sqlite3_reset(st);
		sqlite3_bind_blob(st, 1, p->ids[i], KITH_BLOB_ID_BYTES, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "deleting the attachment", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The table of needles of chunks [lo, hi). */
static int group_table(struct kith_blob_purge *p, size_t lo, size_t hi)
{
	size_t per = (KITH_BLOB_CT_BYTES - WIN) / STEP + 1, want = (hi - lo) * per * 2, cap = 64;
	while (cap < want)
		cap <<= 1;
	struct needle *t = malloc(cap * sizeof *t);
	if (!t)
		return KITH_E_NOMEM;
	for (size_t i = 0; i < cap; i++)
		t[i].chunk = UINT32_MAX;
	for (size_t c = lo; c < hi; c++)
		for (size_t o = 0; o + WIN <= KITH_BLOB_CT_BYTES; o += STEP) {
			uint64_t h = hash_win(chunk_ct(p, c) + o);
			size_t k = (size_t)(h ^ (h >> 29)) & (cap - 1);
			while (t[k].chunk != UINT32_MAX)
				k = (k + 1) & (cap - 1);
			t[k] = (struct needle){h, (uint32_t)c, (uint32_t)o};
		}
	free(p->tab);
	p->tab = t;
	p->mask = cap - 1;
	p->lo = lo;
	p->hi = hi;
	return KITH_OK;
}

/* Where the window at w (WIN bytes) is in the group's ciphertext: 1 with
 * *c, *o set, or 0. */
static int lookup(const struct kith_blob_purge *p, uint64_t h, const uint8_t *w, size_t *c, size_t *o)
{
	for (size_t k = (size_t)(h ^ (h >> 29)) & p->mask; p->tab[k].chunk != UINT32_MAX;
	     k = (k + 1) & p->mask)
		if (p->tab[k].h == h && !memcmp(chunk_ct(p, p->tab[k].chunk) + p->tab[k].off, w, WIN)) {
			*c = p->tab[k].chunk;
			*o = p->tab[k].off;
			return 1;
		}
	return 0;
}

/* kith_store_scrub_fn: zeroes every run of the group's ciphertext in the page. */
static size_t scrub_page(uint8_t *page, size_t n, size_t *comp, void *arg)
{
	const struct kith_blob_purge *p = arg;
	size_t zeroed = 0;
	if (n < WIN)
		return 0;
	uint64_t h = hash_win(page);
	for (size_t i = 0; i + WIN <= n;) {
		size_t c, o;
		if (lookup(p, h, page + i, &c, &o)) {
			const uint8_t *ct = chunk_ct(p, c);
			size_t l = i, r = i + WIN, cl = o, cr = o + WIN;
			while (l > 0 && cl > 0 && page[l - 1] == ct[cl - 1])
				l--, cl--;
			while (r < n && cr < KITH_BLOB_CT_BYTES && page[r] == ct[cr])
				r++, cr++;
			memset(page + l, 0, r - l);
			zeroed += r - l;
			size_t a = (l + 7) & ~(size_t)7;
			if (*comp == SIZE_MAX && a + 8 <= r)
				*comp = a;
			i = r;
			if (i + WIN <= n)
				h = hash_win(page + i);
			continue;
		}
		if (i + WIN < n)
			h = (h - page[i] * p->pow) * HASH_B + page[i + WIN];
		i++;
	}
	return zeroed;
}

int kith_blob_purge_shred(struct kith_blob_purge *p, struct kith_store *s, uint64_t *bytes,
			  struct kith_err *err)
{
	sqlite3 *db = (sqlite3 *)kith_store_sqlite(s);
	const char *path = db ? sqlite3_db_filename(db, "main") : NULL;
	if (!path || !*path)
		return kith_err_set(err, KITH_E_LOCKED, "attachment", "the vault is locked");
	uint64_t total = 0;
	for (size_t lo = 0; lo < p->chunks; lo += GROUP_CHUNKS) {
		size_t hi = lo + GROUP_CHUNKS < p->chunks ? lo + GROUP_CHUNKS : p->chunks, found = 0;
		if (group_table(p, lo, hi))
			return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
		int rc = kith_store_scrub(path, scrub_page, p, &found, err);
		if (rc)
			return rc;
		total += found;
	}
	if (bytes)
		*bytes = total;
	return KITH_OK;
}

void kith_blob_purge_free(struct kith_blob_purge *p)
{
	if (!p)
		return;
	free(p->tab);
	free(p->ct);
	free(p->ids);
	free(p);
}
