/*
 * search — ranked name search over a vault's cases.
 *
 * The index holds one entry per (case, name): the name as given and every
 * other name, each pre-encoded by the names engine. A query is encoded once
 * and scored against every entry with kith_names_query_score (a partial query
 * — a surname or a given name alone — is scored as such); each case keeps its
 * best entry. A whole name (surname and given name) is scored against the
 * entries that share one of its blocking keys (the names engine promises that
 * two spellings of one name share one) and, when none of those is a spelling
 * of it, also against the names of its surname (near misses: a typo in every
 * syllable shares no key); a surname alone against the entries of that
 * surname; anything else (a given name alone, a name the engine reads
 * only in part), or a key so common that it reaches a third of the index, by
 * a linear pass over every entry, on every core (KITH_THREADS caps how many),
 * each thread on its own run of cases. Only the best `limit` hits are ordered.
 * The index is rebuilt when the vault's generation changes.
 */
#include "casework/search.h"

#include <pthread.h>
#include <stdint.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"
#include "base/sbuf.h"
#include "names/names.h"

#define NAMES_PER_CASE 16
#define DEFAULT_LIMIT 20
#define DEFAULT_FLOOR 0.55
#define MAX_THREADS 8
#define PARALLEL_FROM 16384 /* entries; below this one thread is faster */
#define TOPK_MAX 256	    /* limits above this are ordered with qsort */

struct entry {
	struct kith_name enc;
	size_t rec;	  /* index into the vault's case records */
	size_t name_off;  /* offset of the name in `names` */
	size_t first_off; /* offset of the case's name as given */
};

/* One blocking key of one entry; the index holds them sorted by key. */
struct posting {
	uint64_t key;
	uint32_t entry;
};

struct kith_search {
	struct kith_vault *v;
	struct posting *post; /* sorted by key */
	size_t n_post;
	uint32_t *stamp; /* per entry: the query that last reached it */
	uint32_t query_no;
	uint64_t gen;
	int built;
	struct entry *e;
	size_t n, cap;
	struct kith_sbuf names; /* NUL-separated name strings (plaintext: wiped) */
	double *best;		/* per case: best score of this query */
	size_t *best_entry;
	size_t n_cases;
	struct kith_search_hit *hits;
	size_t n_hits;
	unsigned threads;
	size_t parallel_from; /* entries */
};

/* One thread's share of a query: entries [lo, hi), whole cases only. */
struct scan_job {
	struct kith_search *s;
	const struct kith_name *q;
	size_t lo, hi;
};

static void drop_index(struct kith_search *s)
{
	kith_wipe_free(s->e, s->cap * sizeof *s->e);
	s->e = NULL;
	s->n = s->cap = 0;
	kith_sbuf_release(&s->names);
	free(s->post);
	free(s->stamp);
	s->post = NULL;
	s->stamp = NULL;
	s->n_post = 0;
	s->query_no = 0;
	free(s->best);
	free(s->best_entry);
	s->best = NULL;
	s->best_entry = NULL;
	free(s->hits);
	s->hits = NULL;
	s->n_hits = 0;
	s->n_cases = 0;
	s->built = 0;
}

static int add_entry(struct kith_search *s, size_t rec, const char *name, size_t first_off, size_t *off_out)
{
	struct kith_name enc;
	if (kith_names_encode(&enc, name, strlen(name), NULL))
		return KITH_OK; /* a name the engine cannot read is not searchable; not an error */
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct entry *ne = malloc(cap * sizeof *ne);
		if (!ne)
			return KITH_E_NOMEM;
		if (s->e) {
			memcpy(ne, s->e, s->n * sizeof *ne);
			kith_wipe_free(s->e, s->cap * sizeof *s->e);
		}
		s->e = ne;
		s->cap = cap;
	}
	size_t off = s->names.len;
	if (kith_sbuf_add(&s->names, name, strlen(name) + 1))
		return KITH_E_NOMEM;
	struct entry *e = &s->e[s->n++];
	e->enc = enc;
	e->rec = rec;
	e->name_off = off;
	e->first_off = first_off == SIZE_MAX ? off : first_off;
	if (off_out)
		*off_out = off;
	return KITH_OK;
}

static int by_key(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->entry > y->entry) - (x->entry < y->entry);
}

/* Every entry's blocking keys and surname key, sorted. */
static int build_postings(struct kith_search *s)
{
	if (s->n > UINT32_MAX)
		return KITH_E_LIMIT;
	s->post = malloc((s->n ? s->n : 1) * (KITH_NAMES_MAX_KEYS + 1) * sizeof *s->post);
	s->stamp = calloc(s->n ? s->n : 1, sizeof *s->stamp);
	if (!s->post || !s->stamp)
		return KITH_E_NOMEM;
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t keys[KITH_NAMES_MAX_KEYS];
		size_t nk = kith_names_keys(&s->e[i].enc, keys);
		for (size_t j = 0; j < nk; j++)
			s->post[k++] = (struct posting){keys[j], (uint32_t)i};
		uint64_t sk = kith_names_surname_key(&s->e[i].enc);
		if (sk)
			s->post[k++] = (struct posting){sk, (uint32_t)i};
	}
	s->n_post = k;
	qsort(s->post, k, sizeof *s->post, by_key);
	return KITH_OK;
}

/* The first posting of `key`, and how many there are. */
static size_t postings_of(const struct kith_search *s, uint64_t key, size_t *count)
{
	size_t lo = 0, hi = s->n_post;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->post[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < s->n_post && s->post[end].key == key)
		end++;
	*count = end - lo;
	return lo;
}

static int build(struct kith_search *s, struct kith_err *err)
{
	drop_index(s);
	size_t n = 0;
	const struct kith_record_view *recs = kith_vault_records(s->v, "case", &n);
	s->best = calloc(n ? n : 1, sizeof *s->best);
	s->best_entry = calloc(n ? n : 1, sizeof *s->best_entry);
	s->hits = calloc(n ? n : 1, sizeof *s->hits);
	if (!s->best || !s->best_entry || !s->hits)
		goto nomem;
	s->n_cases = n;
	for (size_t i = 0; i < n; i++) {
		json_t *body = kith_record_view_json(&recs[i]);
		if (!body)
			goto nomem;
		const char *names[NAMES_PER_CASE];
		size_t k = kith_record_case_names(body, names, NAMES_PER_CASE);
		size_t first = SIZE_MAX;
		int rc = KITH_OK;
		for (size_t j = 0; j < k && !rc; j++) {
			size_t off = SIZE_MAX;
			rc = add_entry(s, i, names[j], first, &off);
			if (j == 0)
				first = off;
		}
		json_decref(body);
		if (rc)
			goto nomem;
	}
	if (build_postings(s))
		goto nomem;
	s->gen = kith_vault_generation(s->v);
	s->built = 1;
	return KITH_OK;
nomem:
	drop_index(s);
	return kith_err_set(err, KITH_E_NOMEM, "search", "out of memory building the search index");
}

int kith_search_new(struct kith_search **out, struct kith_vault *v, struct kith_err *err)
{
	struct kith_search *s = calloc(1, sizeof *s);
	if (!s)
		return kith_err_set(err, KITH_E_NOMEM, "search", "out of memory");
	s->v = v;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("KITH_THREADS");
	if (env && atol(env) > 0)
		cpus = atol(env);
	s->threads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (unsigned)cpus;
	/* KITH_SEARCH_PARALLEL_FROM lowers the threshold: the tests use it to run
	 * the threaded path on a small vault */
	env = getenv("KITH_SEARCH_PARALLEL_FROM");
	s->parallel_from = env && atol(env) > 0 ? (size_t)atol(env) : PARALLEL_FROM;
	int rc = build(s, err);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return KITH_OK;
}

static void scan(struct kith_search *s, const struct kith_name *q, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		double sc = kith_names_query_score(q, &s->e[i].enc);
		size_t r = s->e[i].rec;
		if (sc > s->best[r]) {
			s->best[r] = sc;
			s->best_entry[r] = i;
		}
	}
}

static void *scan_thread(void *arg)
{
	struct scan_job *j = arg;
	scan(j->s, j->q, j->lo, j->hi);
	return NULL;
}

/* Scores every entry; on several threads when the index is large. A thread
 * that cannot be started leaves its share to this one. */
static void scan_all(struct kith_search *s, const struct kith_name *q)
{
	unsigned t = s->n < s->parallel_from ? 1 : s->threads;
	struct scan_job jobs[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	int started[MAX_THREADS] = {0};
	size_t lo = 0;
	for (unsigned k = 0; k < t; k++) {
		size_t hi = k + 1 == t ? s->n : s->n / t * (k + 1);
		if (hi < lo)
			hi = lo;
		while (hi < s->n && hi > lo && s->e[hi].rec == s->e[hi - 1].rec)
			hi++; /* a case's entries stay with one thread */
		jobs[k] = (struct scan_job){s, q, lo, hi};
		lo = hi;
	}
	for (unsigned k = 1; k < t; k++)
		started[k] = pthread_create(&tid[k], NULL, scan_thread, &jobs[k]) == 0;
	scan(s, q, jobs[0].lo, jobs[0].hi);
	for (unsigned k = 1; k < t; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			scan(s, q, jobs[k].lo, jobs[k].hi);
	}
}

/* Scores the entries of `nk` keys not yet reached by this query; the best
 * score seen, or -1 when the keys reach more entries than a linear pass
 * should cost (nothing scored then). */
static double score_postings(struct kith_search *s, const struct kith_name *q, const uint64_t *keys,
			     size_t nk)
{
	size_t first[KITH_NAMES_MAX_KEYS + 1], count[KITH_NAMES_MAX_KEYS + 1], total = 0;
	for (size_t j = 0; j < nk; j++) {
		first[j] = postings_of(s, keys[j], &count[j]);
		total += count[j];
	}
	if (total > s->n / 3 + 64)
		return -1; /* a key that common: the linear pass on every core is faster */
	double top = 0;
	for (size_t j = 0; j < nk; j++) {
		for (size_t p = first[j]; p < first[j] + count[j]; p++) {
			uint32_t i = s->post[p].entry;
			if (s->stamp[i] == s->query_no)
				continue;
			s->stamp[i] = s->query_no;
			double sc = kith_names_query_score(q, &s->e[i].enc);
			size_t r = s->e[i].rec;
			if (sc > s->best[r]) {
				s->best[r] = sc;
				s->best_entry[r] = i;
			}
			if (sc > top)
				top = sc;
		}
	}
	return top;
}

/* Scores the entries the query's keys reach (see the top of the file); 0
 * when the query must be scored against every entry instead. */
static int scan_keyed(struct kith_search *s, const struct kith_name *q)
{
	uint64_t keys[KITH_NAMES_MAX_KEYS + 1];
	size_t nk = 0;
	uint64_t sk = kith_names_surname_key(q);
	int suronly = (q->flags & KITH_NAMES_F_SURONLY) != 0;
	if (suronly) {
		if (sk)
			keys[nk++] = sk;
	} else if (q->n_syl >= 2 && q->n_sur > 0 && !(q->flags & KITH_NAMES_F_PARTIAL)) {
		nk = kith_names_keys(q, keys);
	}
	if (nk == 0)
		return 0;
	if (++s->query_no == 0) { /* the stamps wrapped: start them again */
		memset(s->stamp, 0, s->n * sizeof *s->stamp);
		s->query_no = 1;
	}
	double top = score_postings(s, q, keys, nk);
	if (top < 0)
		return 0;
	if (suronly || top >= kith_names_same_threshold())
		return 1;
	/* No spelling of the whole name: near misses (a typo in every syllable
	 * shares no key of the name) are looked for among the names of the same
	 * surname, and by the linear pass when the surname is not known. */
	if (!sk)
		return 0;
	return score_postings(s, q, &sk, 1) >= 0;
}

static int by_score(const void *a, const void *b)
{
	const struct kith_search_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->view->ref, y->view->ref);
}

int kith_search_run(struct kith_search *s, const char *query, size_t len, size_t limit, double min_score,
		    const struct kith_search_hit **hits, size_t *n, struct kith_err *err)
{
	if (!s->built || s->gen != kith_vault_generation(s->v)) {
		int rc = build(s, err);
		if (rc)
			return rc;
	}
	struct kith_name q;
	int rc = kith_names_encode(&q, query, len, err);
	if (rc) {
		if (err && !err->where[0])
			kith_err_set(err, rc, "query", "%s",
				     err->msg[0] ? err->msg : "the query is not a name");
		return rc;
	}
	if (!limit)
		limit = DEFAULT_LIMIT;
	if (min_score <= 0)
		min_score = DEFAULT_FLOOR;
	for (size_t i = 0; i < s->n_cases; i++)
		s->best[i] = -1;
	if (!scan_keyed(s, &q))
		scan_all(s, &q);
	sodium_memzero(&q, sizeof q);
	size_t recs_n = 0;
	const struct kith_record_view *recs = kith_vault_records(s->v, "case", &recs_n);
	/* With a small limit only the best `limit` hits are kept, in order, by
	 * insertion (a common surname alone can match a fifth of the cases). */
	size_t cap = limit <= TOPK_MAX ? limit : s->n_cases;
	size_t k = 0;
	for (size_t i = 0; i < s->n_cases && i < recs_n; i++) {
		if (s->best[i] < min_score)
			continue;
		const struct entry *e = &s->e[s->best_entry[i]];
		struct kith_search_hit h = {&recs[i], s->names.buf + e->first_off, s->names.buf + e->name_off,
					    s->best[i]};
		if (cap == s->n_cases) {
			s->hits[k++] = h;
			continue;
		}
		if (k == cap && by_score(&h, &s->hits[k - 1]) >= 0)
			continue;
		size_t at = k < cap ? k++ : k - 1;
		while (at > 0 && by_score(&h, &s->hits[at - 1]) < 0) {
			s->hits[at] = s->hits[at - 1];
			at--;
		}
		s->hits[at] = h;
	}
	if (cap == s->n_cases)
		qsort(s->hits, k, sizeof *s->hits, by_score);
	*hits = s->hits;
	*n = k < limit ? k : limit;
	return KITH_OK;
}

void kith_search_free(struct kith_search *s)
{
	if (!s)
		return;
	drop_index(s);
	free(s);
}
