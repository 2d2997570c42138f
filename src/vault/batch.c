/*
 * batch — writing: a batch stages new versions (kith_vault_put: refs given,
 * bodies checked and made canonical, envelopes built), seals and signs them
 * in the background once it holds SEAL_EARLY of them (the sealer), and
 * commits them as one SQLite transaction, then installs them in the index
 * (kith_vault_batch_commit). Nothing reaches the index or the file before
 * the commit; a failed commit leaves both as they were.
 */
#include "vault/vault_impl.h"
#include "vault/blob.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vault/crypto.h"
#include "base/csv.h"
#include "base/io.h"
#include "record/record.h"
#include "base/sbuf.h"
#include "vault/store.h"

static char retired; /* the address marks a ref given up in this batch (never written) */

/* ------------------------------------------------------------ batches */

static void staged_free(struct staged *s)
{
	if (!s)
		return;
	kith_wipe_free(s->env, s->env_cap);
	kith_wipe_free(s->mem, s->mem_len);
	free(s->row.ct);
	free(s->newrec);
	sodium_memzero(s, sizeof *s);
	free(s);
}

static void sealer_stop(struct kith_vault_batch *b, int drop);

static void sealer_push(struct kith_vault_batch *b, struct staged *s);

static void writer_stop(struct kith_vault_batch *b);

static void writer_start(struct kith_vault_batch *b);

void vault_batch_release(struct kith_vault_batch *b)
{
	writer_stop(b); /* before the sealer: it may wait for a version the sealer holds */
	if (b->in_tx)	/* a streamed batch not committed: nothing it wrote stays */
		kith_store_rollback(b->v->store);
	sealer_stop(b, 1);
	for (size_t i = 0; i < b->n; i++)
		staged_free(b->s[i]);
	free(b->s);
	vault_map_free(&b->ids);
	for (size_t i = 0; i < b->nkinds; i++)
		vault_map_free(&b->refs[i]);
	free(b->refs);
	free(b->seq);
	free(b->sl.q);
	kith_sbuf_release(&b->canon);
	if (b->sl_init) {
		pthread_mutex_destroy(&b->sl.mu);
		pthread_cond_destroy(&b->sl.cv);
		pthread_cond_destroy(&b->sl.done_cv);
		pthread_cond_destroy(&b->wr_cv);
	}
	if (b->keys_open)
		vault_keys_idle(b->v->keys);
	if (b->bk)
		sodium_free(b->bk); /* wipes */
	if (b->v)
		b->v->batch = NULL;
	free(b);
}

/* Gives the batch a ref map and a sequence slot for every kind of the vault. */
static int batch_sync(struct kith_vault_batch *b)
{
	size_t nk = b->v->nkinds;
	if (nk <= b->nkinds)
		return KITH_OK;
	struct map *r = realloc(b->refs, nk * sizeof *r);
	if (!r)
		return KITH_E_NOMEM;
	b->refs = r;
	uint64_t *q = realloc(b->seq, nk * sizeof *q);
	if (!q)
		return KITH_E_NOMEM;
	b->seq = q;
	for (size_t i = b->nkinds; i < nk; i++) {
		vault_map_init(&b->refs[i]);
		b->seq[i] = 0;
	}
	b->nkinds = nk;
	return KITH_OK;
}

int kith_vault_batch_begin(struct kith_vault *v, struct kith_vault_batch **out, struct kith_err *err)
{
	if (!v || !out)
		return kith_err_set(err, KITH_E_INVALID, "batch", "no vault");
	if (v->batch)
		return kith_err_set(err, KITH_E_INVALID, "batch", "a batch is already open");
	/* never read again here: the caller may hold views (kith_vault_refresh does) */
	int rc = vault_stale(v, err);
	if (rc)
		return rc;
	if (v->missing)
		return kith_err_set(err, KITH_E_CORRUPT, "vault",
				    "the vault file is damaged: %zu records could not be read, so nothing "
				    "is written (a new ref could repeat one of theirs)",
				    v->missing);
	struct kith_vault_batch *b = calloc(1, sizeof *b);
	if (!b)
		return kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
	b->v = v;
	vault_map_init(&b->ids);
	if (v->fmt >= 2) { /* format 2: one fresh key and id for the whole batch */
		if ((b->bk = sodium_malloc(32)) != NULL)
			randombytes_buf(b->bk, 32);
		randombytes_buf(b->batch_id, sizeof b->batch_id);
	}
	if ((v->fmt >= 2 && !b->bk) || batch_sync(b)) {
		vault_batch_release(b);
		return kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
	}
	v->batch = b;
	*out = b;
	return KITH_OK;
}

/* Whether ref is held, in this batch or the vault, by a record other than `self`. */
static int ref_taken(const struct kith_vault_batch *b, size_t ki, const char *ref, const uint8_t *self)
{
	const struct kith_vault *v = b->v;
	size_t len = strlen(ref);
	void *x = vault_map_get(&b->refs[ki], ref, len);
	if (x == &retired)
		return 0;
	if (x)
		return !self || memcmp(((struct staged *)x)->id, self, ID_BYTES) != 0;
	const struct rec *r = vault_map_get(&v->kinds[ki]->refs, ref, len);
	if (r)
		return !self || memcmp(r->id, self, ID_BYTES) != 0;
	long d = vault_damage_find_ref(v, ki, ref);
	return d >= 0 && (!self || memcmp(v->dmg[d].id, self, ID_BYTES) != 0);
}

static uint64_t seq_of(const char *ref, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (strncmp(ref, prefix, pl) != 0)
		return 0;
	const char *d = ref + pl;
	size_t nd = strlen(d);
	if (nd == 0 || nd > 18 || strspn(d, "0123456789") != nd)
		return 0;
	return strtoull(d, NULL, 10);
}

/* Assigns the next free ref "<K>-<DEV4>-<seq>" of this device for kind ki. */
static int ref_assign(struct kith_vault_batch *b, size_t ki, char ref[KITH_VAULT_REF_MAX], uint64_t *used)
{
	struct kith_vault *v = b->v;
	struct kindx *k = v->kinds[ki];
	char prefix[16];
	char letter = strcmp(k->name, "case") == 0    ? 'C'
		      : strcmp(k->name, "trace") == 0 ? 'T'
						      : (char)(k->name[0] - 'a' + 'A');
	if (letter < 'A' || letter > 'Z')
		letter = 'R';
	char dev[5];
	for (int i = 0; i < 4; i++) {
		char c = v->device_hex[i];
		dev[i] = c >= 'a' && c <= 'f' ? (char)(c - 'a' + 'A') : c;
	}
	dev[4] = '\0';
	snprintf(prefix, sizeof prefix, "%c-%s-", letter, dev);
	if (k->next_seq == 0) {
		uint64_t max = 0;
		for (size_t i = 0; i < k->n; i++) {
			uint64_t q = seq_of(k->views[i].ref, prefix);
			max = q > max ? q : max;
		}
		for (size_t i = 0; i < v->ndamage; i++)
			if (v->dmg[i].has_kind && v->dmg[i].kind == ki) {
				uint64_t q = seq_of(v->damage[i].ref, prefix);
				max = q > max ? q : max;
			}
		k->next_seq = max + 1;
	}
	uint64_t seq = b->seq[ki] > k->next_seq ? b->seq[ki] : k->next_seq;
	for (size_t tries = 0; tries < 1000000; tries++, seq++) {
		snprintf(ref, KITH_VAULT_REF_MAX, "%s%04llu", prefix, (unsigned long long)seq);
		if (!ref_taken(b, ki, ref, NULL)) {
			*used = seq;
			return KITH_OK;
		}
	}
	return KITH_E_LIMIT;
}

int kith_vault_put(struct kith_vault_batch *b, const char *kind, json_t *body,
		   const struct kith_vault_put_opts *opts, char ref_out[KITH_VAULT_REF_MAX],
		   char id_out[KITH_VAULT_ID_HEX], struct kith_err *err)
{
	static const struct kith_vault_put_opts none = {0};
	if (!opts)
		opts = &none;
	if (!b || !kind || !body)
		return kith_err_set(err, KITH_E_INVALID, "", "no batch, kind or body");
	struct kith_vault *v = b->v;
	/* The canonical form first, then the check of that text in one pass
	 * (kith_record_text_ok); only a body it is not sure of is walked by the
	 * validator, which also says what is wrong. The text check's yes means
	 * the validator's yes on the body: the canonical form re-read is the same
	 * tree (a body with a real number, a NUL or a control character is
	 * never a yes). */
	struct kith_sbuf *canon = &b->canon;
	kith_sbuf_reset(canon);
	int rc = !kith_record_kind_valid(kind)		  ? KITH_E_INVALID
		 : kith_sbuf_grow(canon, 4096) != KITH_OK ? KITH_E_NOMEM
							  : kith_record_canonical(body, canon, NULL);
	if (rc || !kith_record_text_ok(kind, canon->buf, canon->len)) {
		int vrc = kith_record_validate(kind, body, err);
		if (vrc)
			return vrc;
		if (rc)
			return kith_err_set(err, rc, "", "%s writing the canonical form",
					    kith_status_str(rc));
	}
	const char *note = opts->note ? opts->note : "";
	if (opts->action && (!opts->action[0] || !vault_text_ok(opts->action, ACTION_MAX)))
		return kith_err_set(err, KITH_E_INVALID, "action",
				    "the action must be 1 to %d bytes of UTF-8", ACTION_MAX);
	if (!vault_text_ok(note, NOTE_MAX))
		return kith_err_set(err, KITH_E_INVALID, "note", "the note must be at most %d bytes of UTF-8",
				    NOTE_MAX);
	int has_ref = kith_record_kind_has_ref(kind);
	const char *body_ref = has_ref ? kith_record_ref(body) : NULL;
	if (body_ref && strlen(body_ref) >= KITH_VAULT_REF_MAX)
		return kith_err_set(err, KITH_E_INVALID, "ref", "the ref is too long");
	size_t ki;
	rc = vault_kind_intern(v, kind, &ki);
	if (rc)
		return kith_err_set(err, rc, "kind",
				    rc == KITH_E_NOMEM ? "out of memory" : "bad record kind");
	if (batch_sync(b))
		return kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
	struct kindx *k = v->kinds[ki];

	/* the record this writes a version of, if any */
	struct staged *tst = NULL;
	struct rec *trec = NULL;
	long tdmg = -1;
	uint8_t id[ID_BYTES];
	if (opts->id) {
		if (vault_parse_id(opts->id, id))
			return kith_err_set(err, KITH_E_INVALID, "id", "an id is 32 lower-case hex digits");
		if (!(tst = vault_map_get(&b->ids, id, ID_BYTES)) &&
		    !(trec = vault_map_get(&v->ids, id, ID_BYTES)))
			tdmg = vault_damage_find_id(v, id);
		if (!tst && !trec && tdmg < 0)
			return kith_err_set(err, KITH_E_NOTFOUND, "id", "no record with this id");
		size_t tk = tst			    ? tst->kind
			    : trec		    ? trec->kind
			    : v->dmg[tdmg].has_kind ? v->dmg[tdmg].kind
						    : ki;
		if (tk != ki)
			return kith_err_set(err, KITH_E_INVALID, "kind",
					    "the record with this id is of another kind");
	} else if (body_ref) {
		void *x = vault_map_get(&b->refs[ki], body_ref, strlen(body_ref));
		if (x && x != &retired)
			tst = x;
		else if (!x && !(trec = vault_map_get(&k->refs, body_ref, strlen(body_ref))))
			tdmg = vault_damage_find_ref(v, ki, body_ref);
	}
	int found = tst || trec || tdmg >= 0;
	if (found && !opts->id && opts->create_only)
		return kith_err_set(err, KITH_E_EXISTS, "ref", "a record with this ref already exists");
	uint32_t cur_version = 0;
	const char *cur_ref = "";
	int64_t now = (int64_t)time(NULL), created = now;
	if (tst) {
		cur_version = tst->version;
		cur_ref = tst->ref;
		created = tst->created;
		memcpy(id, tst->id, ID_BYTES);
	} else if (trec) {
		cur_version = vault_rec_view(v, trec)->version;
		cur_ref = vault_rec_view(v, trec)->ref;
		created = trec->created;
		memcpy(id, trec->id, ID_BYTES);
	} else if (tdmg >= 0) {
		if (v->damage[tdmg].version == 0)
			return kith_err_set(
			    err, KITH_E_INVALID, "version",
			    "the record's newest row is malformed: it cannot take a new version");
		cur_version = v->damage[tdmg].version;
		cur_ref = v->damage[tdmg].ref;
		if (v->dmg[tdmg].has_kind)
			created = v->dmg[tdmg].created;
		memcpy(id, v->dmg[tdmg].id, ID_BYTES);
	} else {
		do
			randombytes_buf(id, sizeof id);
		while (vault_map_get(&v->ids, id, ID_BYTES) || vault_map_get(&b->ids, id, ID_BYTES) ||
		       vault_damage_find_id(v, id) >= 0);
	}
	if (opts->expect_version && opts->expect_version != cur_version)
		return kith_err_set(err, KITH_E_EXISTS, "version",
				    "version conflict: the record is at version %u", (unsigned)cur_version);
	if (cur_version == UINT32_MAX)
		return kith_err_set(err, KITH_E_LIMIT, "version", "the record has too many versions");

	char ref[KITH_VAULT_REF_MAX] = "";
	int ref_moves = 0;
	uint64_t seq_used = 0;
	if (has_ref) {
		if (body_ref) {
			snprintf(ref, sizeof ref, "%s", body_ref);
			if (found && strcmp(cur_ref, body_ref) != 0) {
				if (ref_taken(b, ki, ref, id))
					return kith_err_set(err, KITH_E_EXISTS, "ref",
							    "a record with this ref already exists");
				ref_moves = cur_ref[0] != '\0';
			}
		} else if (found && cur_ref[0]) {
			snprintf(ref, sizeof ref, "%s", cur_ref);
		} else if ((rc = ref_assign(b, ki, ref, &seq_used))) {
			return kith_err_set(err, rc, "ref", "no free ref number");
		}
	}

	/* the canonical body, with the ref set when the vault chose it (the
	 * same bytes as the canonical form of a copy with the ref set) */
	struct kith_sbuf env = KITH_SBUF_INIT;
	struct env fields = {0};
	if (has_ref && (!body_ref || strcmp(body_ref, ref) != 0)) {
		rc = kith_record_canonical_set_ref(canon, 0, ref);
		if (rc) {
			kith_sbuf_reset(canon);
			return kith_err_set(err, rc == KITH_E_NOMEM ? rc : KITH_E_INTERNAL, "ref",
					    rc == KITH_E_NOMEM ? "out of memory" : "the ref cannot be set");
		}
	}
	const char *action = opts->action ? opts->action : found ? "edit" : "create";
	rc = kith_sbuf_grow(&env, canon->len + strlen(note) * 6 + 512);
	if (!rc)
		rc = vault_env_write(&env, kind, ref, canon, now, v->device_hex, action, note, created,
				     v->person, &fields);
	kith_sbuf_reset(canon); /* wiped: the plaintext lives in the envelope only */
	struct staged *s = rc ? NULL : calloc(1, sizeof *s);
	if (!s) {
		kith_sbuf_release(&env);
		return kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
	}
	memcpy(s->id, id, ID_BYTES);
	s->version = cur_version + 1;
	if (opts->min_version > s->version) /* above every version kept aside (a resolution) */
		s->version = opts->min_version;
	s->kind = ki;
	s->target = trec;
	s->prev = tst;
	s->repairs = tdmg >= 0;
	s->created = created;
	/* the view's strings are built from the envelope by whoever seals it
	 * (seal_one), beside the sealing: off the caller's thread */
	snprintf(s->ref, sizeof s->ref, "%s", ref);
	s->env_len = env.len;
	s->env_cap = env.cap;
	s->env = kith_sbuf_detach(&env, NULL); /* the same buffer: fields still point into it */
	s->e = fields;
	if (!s->env) {
		staged_free(s);
		return kith_err_set(err, KITH_E_NOMEM, "", "out of memory");
	}
	/* room first, so that nothing below fails half-way */
	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 64;
		if (b->sl_init) /* the writer reads b->s under the mutex */
			pthread_mutex_lock(&b->sl.mu);
		struct staged **ns = realloc(b->s, nc * sizeof *ns);
		if (ns) {
			b->s = ns;
			b->cap = nc;
		}
		if (b->sl_init)
			pthread_mutex_unlock(&b->sl.mu);
		if (!ns) {
			staged_free(s);
			return kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
		}
	}
	if (vault_map_reserve(&b->ids, 1) || vault_map_reserve(&b->refs[ki], 2)) {
		staged_free(s);
		return kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
	}
	if (b->n >= UINT32_MAX - 1) {
		staged_free(s);
		return kith_err_set(err, KITH_E_LIMIT, "batch", "too many versions in one batch");
	}
	s->idx = (uint32_t)b->n;
	b->s[b->n++] = s;
	(void)vault_map_put(&b->ids, s->id, ID_BYTES, s);
	if (s->ref[0])
		(void)vault_map_put(&b->refs[ki], s->ref, strlen(s->ref), s);
	if (ref_moves && !(tst && vault_map_get(&b->refs[ki], cur_ref, strlen(cur_ref)) != tst))
		(void)vault_map_put(&b->refs[ki], cur_ref, strlen(cur_ref), &retired);
	if (seq_used)
		b->seq[ki] = seq_used + 1;
	sealer_push(b, s);
	if (ref_out)
		snprintf(ref_out, KITH_VAULT_REF_MAX, "%s", s->ref);
	if (id_out)
		sodium_bin2hex(id_out, KITH_VAULT_ID_HEX, s->id, ID_BYTES);
	return KITH_OK;
}

static void seal_one(struct kith_vault_batch *b, struct staged *s)
{
	/* the view's strings first, from the envelope this thread is about to
	 * seal (its fields as the put wrote them: no need to parse it again) */
	s->rc = vault_mem_build(&s->e, s->id, kith_crypto_keys_sign_pk(b->v->keys), s->version, &s->mem,
				&s->mem_len, &s->view);
	if (s->rc == KITH_E_CORRUPT)
		s->rc = KITH_E_INTERNAL; /* put checked every field: a bug */
	if (s->rc) {
		kith_wipe_free(s->env, s->env_cap);
		s->env = NULL;
		s->env_cap = 0;
		return;
	}
	memcpy(s->row.id, s->id, ID_BYTES);
	s->row.version = s->version;
	if (b->bk) { /* format 2: the row's key derives from the batch's; no signature of its own */
		memcpy(s->row.device, kith_crypto_keys_sign_pk(b->v->keys), KITH_CRYPTO_PK_BYTES);
		s->rc = vault_v2_seal_row(b->bk, b->batch_id, s->idx, &s->row, s->env, s->env_len, s->rh);
	} else {
		s->rc = kith_crypto_row_seal(b->v->keys, &s->row, s->env, s->env_len, NULL);
	}
	kith_wipe_free(s->env, s->env_cap); /* the plaintext is not needed any more */
	s->env = NULL;
	s->env_cap = 0;
}

/* Takes the next queued version, or NULL when the queue is empty and (when
 * `wait`) stopping. */
static struct staged *sealer_take(struct sealer *sl, int wait)
{
	pthread_mutex_lock(&sl->mu);
	while (wait && sl->next == sl->n && !sl->stop)
		pthread_cond_wait(&sl->cv, &sl->mu);
	struct staged *s = sl->next < sl->n ? sl->q[sl->next++] : NULL;
	pthread_mutex_unlock(&sl->mu);
	return s;
}

/* Seals a version taken from the queue and marks it sealed under the mutex:
 * whoever sees the mark under the mutex (sealer_wait) sees the row too. */
static void sealer_seal(struct kith_vault_batch *b, struct staged *s)
{
	seal_one(b, s);
	pthread_mutex_lock(&b->sl.mu);
	atomic_store_explicit(&s->sealed, 1, memory_order_relaxed);
	if (b->sl.waiting)
		pthread_cond_broadcast(&b->sl.done_cv);
	pthread_mutex_unlock(&b->sl.mu);
}

static void *sealer_main(void *arg)
{
	struct kith_vault_batch *b = arg;
	struct staged *s;
	while ((s = sealer_take(&b->sl, 1)) != NULL)
		sealer_seal(b, s);
	return NULL;
}

static void sealer_spawn(struct kith_vault_batch *b, size_t want)
{
	struct sealer *sl = &b->sl;
	if (want > THREADS_MAX)
		want = THREADS_MAX;
	while (sl->nth < want && pthread_create(&sl->th[sl->nth], NULL, sealer_main, b) == 0)
		sl->nth++;
}

/* Queues s (under the mutex). Without room it stays unqueued: the committer
 * (or the writer) seals it. A streaming batch's writer may take it from now
 * on. */
static void sealer_queue(struct kith_vault_batch *b, struct staged *s)
{
	struct sealer *sl = &b->sl;
	pthread_mutex_lock(&sl->mu);
	if (sl->n == sl->cap) {
		size_t nc = sl->cap ? sl->cap * 2 : 256;
		struct staged **nq = realloc(sl->q, nc * sizeof *nq);
		if (nq) {
			sl->q = nq;
			sl->cap = nc;
		}
	}
	if (sl->n < sl->cap) {
		sl->q[sl->n++] = s;
		s->queued = 1;
		/* a worker is woken once a few versions wait, not for each one (a
		 * wake-up per put cost more than the sealing it started); the
		 * commit wakes them all (sealer_kick) */
		if (sl->n - sl->next >= SEAL_WAKE)
			pthread_cond_signal(&sl->cv);
	}
	if (b->wr_on) {
		b->wr_pub = s->idx + 1;
		if (b->wr_waiting && b->wr_pub >= b->wr_wake)
			pthread_cond_signal(&b->wr_cv);
	}
	pthread_mutex_unlock(&sl->mu);
}

/* Starts background sealing of everything staged so far. 0 when it runs. */
static int sealer_start(struct kith_vault_batch *b)
{
	struct sealer *sl = &b->sl;
	if (b->sl_init)
		return 0;
	if (b->v->threads < 2 || pthread_mutex_init(&sl->mu, NULL))
		return -1;
	if (pthread_cond_init(&sl->cv, NULL)) {
		pthread_mutex_destroy(&sl->mu);
		return -1;
	}
	if (pthread_cond_init(&sl->done_cv, NULL)) {
		pthread_cond_destroy(&sl->cv);
		pthread_mutex_destroy(&sl->mu);
		return -1;
	}
	if (pthread_cond_init(&b->wr_cv, NULL)) {
		pthread_cond_destroy(&sl->done_cv);
		pthread_cond_destroy(&sl->cv);
		pthread_mutex_destroy(&sl->mu);
		return -1;
	}
	b->sl_init = 1;
	if (kith_crypto_keys_access(b->v->keys, 1) != KITH_OK)
		return -1; /* nothing queued: the commit seals on its own thread */
	b->keys_open = 1;
	for (size_t i = 0; i < b->n; i++)
		sealer_queue(b, b->s[i]);
	sealer_spawn(b, b->v->threads - 1);
	writer_start(b);
	return 0;
}

/* Wakes every worker (the commit: whatever is queued is wanted now). */
static void sealer_kick(struct kith_vault_batch *b)
{
	if (!b->sl_init)
		return;
	pthread_mutex_lock(&b->sl.mu);
	pthread_cond_broadcast(&b->sl.cv);
	pthread_mutex_unlock(&b->sl.mu);
}

/* After a put: queue the new version, or start once the batch is large. */
static void sealer_push(struct kith_vault_batch *b, struct staged *s)
{
	if (!b->sl_init) {
		if (b->n >= SEAL_EARLY)
			(void)sealer_start(b);
		return;
	}
	if (b->keys_open)
		sealer_queue(b, s);
}

/* Waits until s is sealed, sealing queued versions meanwhile. -1 when the
 * writer is told to stop first (one waiter at a time: the writer, or the
 * committer when there is none). */
static int sealer_wait(struct kith_vault_batch *b, struct staged *s)
{
	struct sealer *sl = &b->sl;
	for (;;) {
		pthread_mutex_lock(&sl->mu);
		int sealed = atomic_load_explicit(&s->sealed, memory_order_relaxed), stop = b->wr_stop;
		pthread_mutex_unlock(&sl->mu);
		if (sealed)
			return 0;
		if (stop)
			return -1;
		struct staged *t = sealer_take(sl, 0);
		if (t) {
			sealer_seal(b, t);
			continue;
		}
		pthread_mutex_lock(&sl->mu);
		sl->waiting = 1;
		while (!atomic_load_explicit(&s->sealed, memory_order_relaxed) && !b->wr_stop)
			pthread_cond_wait(&sl->done_cv, &sl->mu);
		sl->waiting = 0;
		pthread_mutex_unlock(&sl->mu);
	}
}

/* Stops the workers. drop: abandon what is queued (a batch freed or a failed
 * commit); else the calling thread seals the rest with them first. */
static void sealer_stop(struct kith_vault_batch *b, int drop)
{
	struct sealer *sl = &b->sl;
	if (!b->sl_init)
		return;
	pthread_mutex_lock(&sl->mu);
	sl->stop = 1;
	if (drop)
		sl->next = sl->n;
	pthread_cond_broadcast(&sl->cv);
	pthread_mutex_unlock(&sl->mu);
	struct staged *s;
	while (!drop && (s = sealer_take(sl, 0)) != NULL)
		sealer_seal(b, s);
	for (size_t i = 0; i < sl->nth; i++)
		pthread_join(sl->th[i], NULL);
	sl->nth = 0;
}

/* ------------------------------------------------------------ writing rows */

/* Writes s's row once it is sealed (sealing it here when no worker has it).
 * KITH_OK, the store's status, the sealing's, or 1 when the writer was told
 * to stop while it waited. */
static int row_write(struct kith_vault_batch *b, struct staged *s, struct kith_err *err)
{
	if (!s->queued && s->env) /* never queued: this thread alone has it */
		seal_one(b, s);
	else if (sealer_wait(b, s))
		return 1;
	if (s->rc)
		return kith_err_set(err, s->rc, "batch", "sealing a record failed: %s",
				    kith_status_str(s->rc));
	const struct kith_crypto_row *r = &s->row;
	struct kith_store_row sr = {
	    .id = {r->id, sizeof r->id},
	    .device = {r->device, sizeof r->device},
	    .wrap_org = {r->wrap_org, sizeof r->wrap_org},
	    .wrap_dev = {r->wrap_dev, sizeof r->wrap_dev},
	    .nonce = {r->nonce, sizeof r->nonce},
	    .ct = {r->ct, r->ct_len},
	    .sig = {r->sig, sizeof r->sig},
	    .version = r->version,
	};
	if (b->bk) { /* format 2: wraps and signature are the batch's */
		sr.wrap_org = sr.wrap_dev = sr.sig = (struct kith_store_blob){NULL, 0};
		sr.batch = (struct kith_store_blob){b->batch_id, sizeof b->batch_id};
		sr.i = s->idx;
	}
	int rc = kith_store_row_put(b->v->store, &sr, err);
	free(s->row.ct); /* written: the ciphertext is not needed any more */
	s->row.ct = NULL;
	return rc;
}

/* Opens the batch's transaction: the write lock, then the check that no
 * other process committed since the puts were checked against the index
 * (b->wr_concurrent when one did; the transaction is then rolled back). */
static int tx_open(struct kith_vault_batch *b, struct kith_err *err)
{
	struct kith_vault *v = b->v;
	int rc = kith_store_begin(v->store, err);
	if (rc)
		return rc;
	b->in_tx = 1;
	uint64_t dv = 0;
	if (!(rc = kith_store_data_version(v->store, &dv, err)) && dv != v->data_version) {
		b->wr_concurrent = 1;
		rc = KITH_E_EXISTS;
	}
	if (rc) {
		kith_store_rollback(v->store); /* else the next batch finds a transaction open */
		b->in_tx = 0;
	}
	return rc;
}

/* The writer thread of a streaming batch: the transaction, then every
 * published version in put order, until the commit says the last one is
 * published (wr_final) or the batch is dropped (wr_stop). */
static void *writer_main(void *arg)
{
	struct kith_vault_batch *b = arg;
	struct sealer *sl = &b->sl;
	int rc = tx_open(b, &b->wr_err);
	size_t i = 0;
	while (!rc) {
		pthread_mutex_lock(&sl->mu);
		b->wr_wake = i + SEAL_WAKE;
		while (i >= b->wr_pub && !b->wr_final && !b->wr_stop) {
			b->wr_waiting = 1;
			pthread_cond_wait(&b->wr_cv, &sl->mu);
		}
		b->wr_waiting = 0;
		struct staged *s = !b->wr_stop && i < b->wr_pub ? b->s[i] : NULL;
		pthread_mutex_unlock(&sl->mu);
		if (!s)
			break;
		if ((rc = row_write(b, s, &b->wr_err)) == 1) {
			rc = KITH_OK; /* stopped */
			break;
		}
		if (!rc && ++i % WRITEBACK_ROWS == 0)
			kith_store_wal_writeback(b->v->store); /* the log's pages on their way to disk */
		if (!rc)
			b->wr_done = i;
	}
	b->wr_rc = rc;
	return NULL;
}

/* Starts the writer of a streaming batch (the sealer runs; under no lock:
 * the caller's thread, between puts). Without a thread, the commit writes
 * every row as it does for any batch. */
static void writer_start(struct kith_vault_batch *b)
{
	if (!b->stream || b->wr_on || b->in_tx || !b->keys_open)
		return;
	pthread_mutex_lock(&b->sl.mu);
	b->wr_pub = b->n;
	b->wr_final = b->wr_stop = 0;
	b->wr_done = 0;
	b->wr_rc = KITH_OK;
	b->wr_on = pthread_create(&b->wr_th, NULL, writer_main, b) == 0;
	pthread_mutex_unlock(&b->sl.mu);
}

/* Joins the writer: after every published version (final) or at once (stop). */
static void writer_join(struct kith_vault_batch *b, int stop)
{
	if (!b->wr_on)
		return;
	pthread_mutex_lock(&b->sl.mu);
	if (stop)
		b->wr_stop = 1;
	else
		b->wr_final = 1;
	pthread_cond_broadcast(&b->wr_cv);
	pthread_cond_broadcast(&b->sl.done_cv);
	pthread_mutex_unlock(&b->sl.mu);
	pthread_join(b->wr_th, NULL);
	b->wr_on = 0;
}

static void writer_stop(struct kith_vault_batch *b)
{
	writer_join(b, 1);
}

/* Puts a committed version into the index (cannot fail: room was made). */
static void install(struct kith_vault *v, struct staged *s)
{
	struct rec *r = s->prev ? s->prev->installed : s->target;
	if (r) {
		struct kindx *k = v->kinds[r->kind];
		struct kith_record_view *view = &k->views[r->pos];
		/* the map's key points into the old strings: take it out first */
		if (view->ref[0] && vault_map_get(&k->refs, view->ref, strlen(view->ref)) == r)
			vault_map_del(&k->refs, view->ref, strlen(view->ref));
		size_t idx = view->index;
		*view = s->view;
		view->index = idx;
		kith_wipe_free(r->mem, r->mem_len);
		r->mem = s->mem;
		r->mem_len = s->mem_len;
		s->mem = NULL;
		if (view->ref[0] && !vault_map_get(&k->refs, view->ref, strlen(view->ref)))
			(void)vault_map_put(&k->refs, view->ref, strlen(view->ref), r);
		s->installed = r;
		return;
	}
	struct kindx *k = v->kinds[s->kind];
	r = s->newrec;
	s->newrec = NULL;
	memcpy(r->id, s->id, ID_BYTES);
	r->kind = s->kind;
	r->created = s->created;
	r->mem = s->mem;
	r->mem_len = s->mem_len;
	s->mem = NULL;
	r->pos = k->n;
	k->views[k->n] = s->view;
	k->views[k->n].index = k->n;
	k->recs[k->n] = r;
	k->n++;
	(void)vault_map_put(&v->ids, r->id, ID_BYTES, r);
	if (s->view.ref[0])
		(void)vault_map_put(&k->refs, k->views[r->pos].ref, strlen(s->view.ref), r);
	if (s->repairs)
		vault_damage_remove(v, vault_damage_find_id(v, r->id));
	s->installed = r;
}

/* Takes back what install() did for a version that added a record (the
 * commit it was installed beside failed): out of the maps, its strings and
 * record back to the staged version. The kind's count is the caller's. */
static void uninstall_new(struct kith_vault *v, struct staged *s)
{
	struct rec *r = s->installed;
	struct kindx *k = v->kinds[r->kind];
	const char *ref = k->views[r->pos].ref;
	if (ref[0] && vault_map_get(&k->refs, ref, strlen(ref)) == r)
		vault_map_del(&k->refs, ref, strlen(ref));
	vault_map_del(&v->ids, r->id, ID_BYTES);
	s->mem = r->mem;
	r->mem = NULL;
	s->newrec = r;
	s->installed = NULL;
}

/* The SQLite commit (and the log's restart after a large batch) on a
 * thread of its own, while the caller puts the batch into the index beside
 * it: the commit mostly waits for the disk. */
struct committer {
	struct kith_vault *v;
	int reset, rc;
	struct kith_err err;
};

static void *committer_main(void *arg)
{
	struct committer *c = arg;
	c->rc = kith_store_commit(c->v->store, &c->err);
	if (!c->rc && c->reset) /* the next open reads one frame of log, not this batch again */
		(void)kith_store_wal_reset(c->v->store, (uint32_t)c->v->fmt);
	return NULL;
}

/* Whether the batch may go into the index while its commit runs: a large
 * batch of new records only, each sorting after every record of its kind
 * already there (an import), so that a failed commit takes them out again
 * by uninstall_new and the counts alone. */
static int install_early_ok(const struct kith_vault_batch *b, const size_t *from)
{
	struct kith_vault *v = b->v;
	if (b->n < WAL_RESET_ROWS || v->threads < 2)
		return 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->s[i]->prev || b->s[i]->target || b->s[i]->repairs || !b->s[i]->newrec)
			return 0;
	for (size_t ki = 0; ki < v->nkinds; ki++)
		if (from[ki] < v->kinds[ki]->n)
			return 0;
	return 1;
}

int kith_vault_batch_commit(struct kith_vault_batch *b, struct kith_err *err)
{
	if (!b)
		return kith_err_set(err, KITH_E_INVALID, "batch", "no batch");
	struct kith_vault *v = b->v;
	int rc = KITH_OK, keys_held = 0, added_live = 0;
	size_t *nnew = NULL, *from = NULL;
	uint8_t *rh = NULL;
	struct vbatch added;
	struct sortbuf sb = {0};
	memset(&added, 0, sizeof added);
	if (b->n == 0)
		goto out;
	if (b->bk && !(rh = malloc(b->n * RH_BYTES))) {
		rc = kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
		goto out;
	}

	/* 1. make room in the index, so that step 3 cannot fail after the commit */
	nnew = calloc(v->nkinds, sizeof *nnew);
	from = calloc(v->nkinds, sizeof *from);
	if (!nnew || !from) {
		rc = kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
		goto out;
	}
	size_t total_new = 0;
	for (size_t ki = 0; ki < v->nkinds; ki++)
		from[ki] = v->kinds[ki]->n;
	for (size_t i = 0; i < b->n; i++) {
		struct staged *s = b->s[i];
		if (s->prev || s->target)
			continue;
		if (!(s->newrec = calloc(1, sizeof *s->newrec))) {
			rc = kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
			goto out;
		}
		nnew[s->kind]++;
		total_new++;
		size_t p = vault_kind_lower_bound(v->kinds[s->kind], v->kinds[s->kind]->n, s->created, s->id);
		from[s->kind] = p < from[s->kind] ? p : from[s->kind];
	}
	if (vault_map_reserve(&v->ids, total_new)) {
		rc = kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
		goto out;
	}
	for (size_t ki = 0; ki < v->nkinds; ki++) {
		struct kindx *k = v->kinds[ki];
		size_t staged_in_kind = 0;
		for (size_t i = 0; i < b->n; i++)
			staged_in_kind += b->s[i]->kind == ki;
		if (vault_kind_reserve(k, nnew[ki]) || vault_map_reserve(&k->refs, staged_in_kind) ||
		    (nnew[ki] && vault_sortbuf_reserve(&sb, k->n - from[ki] + nnew[ki]))) {
			rc = kith_err_set(err, KITH_E_NOMEM, "batch", "out of memory");
			goto out;
		}
	}

	/* 2. seal and sign every row over all cores, and write the rows in one
	 * transaction as they are ready */
	if ((rc = kith_crypto_keys_access(v->keys, 1))) {
		kith_err_set(err, rc, "batch", "guarded memory failed");
		goto out;
	}
	keys_held = 1;
	size_t written = 0;
	if (b->wr_on) { /* streaming: the writer has the transaction and the rows so far */
		pthread_mutex_lock(&b->sl.mu);
		b->wr_final = 1;
		pthread_cond_broadcast(&b->wr_cv);
		pthread_mutex_unlock(&b->sl.mu);
		sealer_spawn(b, v->threads);
		sealer_kick(b);
		for (struct staged *t; (t = sealer_take(&b->sl, 0)) != NULL;)
			sealer_seal(b, t); /* this thread seals beside the workers */
		writer_join(b, 0);
		written = b->wr_done;
		if ((rc = b->wr_rc) != KITH_OK && err)
			*err = b->wr_err;
	} else {
		b->stream = 0; /* the rows are written below, on this thread */
		if (b->n > 1 && sealer_start(b) == 0) {
			sealer_spawn(b, v->threads);
			sealer_kick(b);
		}
		rc = tx_open(b, err);
	}
	if (rc && b->wr_concurrent) {
		sealer_stop(b, 1);
		int r2 = vault_check(v, NULL);
		rc = r2 == KITH_E_LOCKED
			 ? kith_err_set(err, KITH_E_LOCKED, "vault",
					"the vault's keys were destroyed by another process")
			 : kith_err_set(err, KITH_E_EXISTS, "concurrent",
					"the vault was changed by another process: nothing was written; "
					"try again");
		goto out;
	}
	if (!rc && b->hook) /* blob.h: the attachment's chunks, in this transaction */
		rc = b->hook(v->store, b->hook_arg, err);
	for (size_t i = written; i < b->n && !rc; i++)
		rc = row_write(b, b->s[i], err);
	for (size_t i = 0; i < b->n && !rc && b->bk; i++)
		memcpy(rh + (size_t)i * RH_BYTES, b->s[i]->rh, RH_BYTES);
	if (!rc && b->bk) { /* format 2: the one signed manifest of the batch */
		rc = vault_v2_write_batch(v, b->batch_id, b->bk, b->flags, rh, (uint32_t)b->n, &added, err);
		added_live = rc == KITH_OK;
	}
	/* 3. the commit; 4. the index: for an import, beside the commit (taken
	 * out again if the commit fails), else after it */
	int early = 0;
	struct committer cm = {.v = v, .reset = b->n >= WAL_RESET_ROWS};
	pthread_t cth;
	if (!rc) {
		sealer_stop(b, 0); /* every row is sealed and written: the workers end */
		early = install_early_ok(b, from) && pthread_create(&cth, NULL, committer_main, &cm) == 0;
		if (early) {
			for (size_t i = 0; i < b->n; i++)
				install(v, b->s[i]);
			for (size_t ki = 0; ki < v->nkinds; ki++)
				if (nnew[ki])
					vault_kind_sort_from(v->kinds[ki], from[ki], &sb);
			pthread_join(cth, NULL);
			if ((rc = cm.rc) != KITH_OK) {
				if (err)
					*err = cm.err;
				for (size_t i = b->n; i-- > 0;)
					uninstall_new(v, b->s[i]);
				for (size_t ki = 0; ki < v->nkinds; ki++)
					v->kinds[ki]->n -= nnew[ki];
			}
		} else {
			committer_main(&cm);
			if ((rc = cm.rc) != KITH_OK && err)
				*err = cm.err;
		}
	}
	if (rc) {
		if (b->in_tx)
			kith_store_rollback(v->store);
		b->in_tx = 0;
		if (rc == KITH_E_EXISTS)
			rc = kith_err_set(err, KITH_E_DB, "batch",
					  "version conflict: the vault was changed by another process; "
					  "nothing was written");
		goto out;
	}
	b->in_tx = 0;
	if (added_live) {
		vault_v2_install(v, &added, b->bk);
		added_live = 0;
	}
	if (!early) {
		for (size_t i = 0; i < b->n; i++)
			install(v, b->s[i]);
		for (size_t ki = 0; ki < v->nkinds; ki++)
			if (nnew[ki])
				vault_kind_sort_from(v->kinds[ki], from[ki], &sb);
	}
	for (size_t ki = 0; ki < v->nkinds; ki++)
		if (ki < b->nkinds && b->seq[ki] > v->kinds[ki]->next_seq && v->kinds[ki]->next_seq)
			v->kinds[ki]->next_seq = b->seq[ki];
	v->rows += b->n;
	v->generation++;
out:
	writer_stop(b); /* after a failure (else joined already) */
	if (b->in_tx) { /* a failure before the commit */
		kith_store_rollback(v->store);
		b->in_tx = 0;
	}
	sealer_stop(b, 1); /* after a failure: the workers stop; else they are gone already */
	if (keys_held)
		vault_keys_idle(v->keys);
	vault_sortbuf_release(&sb);
	if (added_live)
		vault_v2_drop(&added);
	free(rh);
	free(nnew);
	free(from);
	vault_batch_release(b);
	return rc;
}

void kith_vault_batch_stream(struct kith_vault_batch *b)
{
	if (b && b->v->threads >= 2)
		b->stream = 1;
}

void kith_vault_batch_free(struct kith_vault_batch *b)
{
	if (b)
		vault_batch_release(b);
}

/* blob.h: the store, and a step inside a batch's commit transaction. */
struct kith_store *kith_vault_store(struct kith_vault *v)
{
	return v && !v->dead ? v->store : NULL;
}

void kith_vault_batch_hook(struct kith_vault_batch *b,
			   int (*fn)(struct kith_store *, void *, struct kith_err *), void *arg)
{
	b->hook = fn;
	b->hook_arg = arg;
}
