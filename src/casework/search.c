/*
 * search — ranked name search over a vault's cases.
 *
 * The index holds one entry per (case, name): the name as given and every
 * other name, each pre-encoded by the names engine. A query with a digit is a
 * case number and is matched on the refs only (the ref itself first, then
 * refs that contain it). A name query is encoded once and scored by rank():
 * the names engine's alignments (kith_names_query_parts) weighed by kind — a
 * whole name, a surname and the start of a given name (surname written
 * first), a given name alone, a word of a name that is not Korean, the words
 * of a name written in Latin letters (kith_names_query_words); each case keeps
 * its best entry. A query is scored
 * against the entries that share one of its query keys (kith_names_query_keys:
 * the blocking keys, which two spellings of one name share, the key of the
 * query as a given name alone, the words of a query read without a surname)
 * and, when none of those is a spelling of it, also against the names of its
 * surname (near misses: a typo in every syllable shares no key); and the
 * names written in Latin letters that have a rare word of the query (at most
 * WORD_RARE names: "Hoang Hoa" for Hoang Van Hoa, which reads as Korean and
 * has no word key of its own); a surname
 * alone against the entries of that surname; a query with no key, or keys so
 * common that they reach a third of the index, by a linear pass over every
 * entry, on every core (kith_search_tune caps how many), each thread on its own
 * run of cases. Every case above the floor is counted (the true total); only
 * the best offset + limit hits are ordered, and the page from offset returned.
 * The index is rebuilt when the vault's generation changes.
 */
#include "casework/search.h"

#include <stdint.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "base/pool.h"
#include "base/sbuf.h"
#include "names/jamo.h"
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
	struct posting *wpost; /* the words of every name written in Latin letters, sorted by key */
	size_t n_wpost;
	uint32_t *stamp; /* per entry: the query that last reached it */
	uint32_t query_no;
	uint64_t gen;
	int built;
	struct entry *e;
	size_t n, cap;
	struct kith_sbuf names; /* NUL-separated name strings (plaintext: wiped) */
	double *best;		/* per case: best score of this query */
	size_t *best_entry;
	size_t *first_name; /* per case: offset of its name as given in `names`, SIZE_MAX if none */
	size_t n_cases;
	struct kith_search_hit *hits;
	size_t n_hits;
	unsigned threads;
	size_t parallel_from; /* entries */
	double factor;	      /* scores of this query are multiplied by it (1; less for a typo undone) */
	size_t post_cap;      /* postings one keyed scoring may reach (SIZE_MAX; less for a typo variant) */
	int mode;	      /* rank()'s mode for this reading of the query (0; RANK_AS_GIVEN) */
	const struct kith_names_pieces *pc; /* the spelling pieces of this reading (NULL: none) */
	int typod; /* the query is read with a typo undone outside a surname (typo_outside_surname) */
};

/* A query's entries cut in shares of whole cases, one a thread. */
struct scan_job {
	struct kith_search *s;
	const struct kith_name *q;
	size_t lo[MAX_THREADS + 1]; /* share k is entries [lo[k], lo[k + 1]) */
};

static void drop_index(struct kith_search *s)
{
	kith_wipe_free(s->e, s->cap * sizeof *s->e);
	s->e = NULL;
	s->n = s->cap = 0;
	kith_sbuf_release(&s->names);
	free(s->post);
	free(s->wpost);
	free(s->stamp);
	s->post = NULL;
	s->wpost = NULL;
	s->n_wpost = 0;
	s->stamp = NULL;
	s->n_post = 0;
	s->query_no = 0;
	free(s->best);
	free(s->best_entry);
	free(s->first_name);
	s->best = NULL;
	s->best_entry = NULL;
	s->first_name = NULL;
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
	s->post = malloc((s->n ? s->n : 1) * (2 * KITH_NAMES_MAX_KEYS + 1) * sizeof *s->post);
	s->stamp = calloc(s->n ? s->n : 1, sizeof *s->stamp);
	if (!s->post || !s->stamp)
		return KITH_E_NOMEM;
	size_t k = 0, nw = 0, wcap = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t keys[KITH_NAMES_MAX_KEYS];
		size_t nk = kith_names_keys(&s->e[i].enc, keys);
		for (size_t j = 0; j < nk; j++)
			s->post[k++] = (struct posting){keys[j], (uint32_t)i};
		/* the words of a name read as Korean only in part, without a
		 * surname or with a typo undone ("Nguyen Thi Lan", "Somchai Jaidee",
		 * "Vu Minh Thuy": those of a name that is not Korean are its keys
		 * already), for a query of one of them */
		const struct kith_name *en = &s->e[i].enc;
		if (en->n_syl > 0 &&
		    ((en->flags & (KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TYPO)) || en->n_sur == 0)) {
			nk = kith_names_word_keys(&s->e[i].enc, keys);
			for (size_t j = 0; j < nk; j++)
				s->post[k++] = (struct posting){keys[j], (uint32_t)i};
		}
		uint64_t sk = kith_names_surname_key(&s->e[i].enc);
		if (sk)
			s->post[k++] = (struct posting){sk, (uint32_t)i};
		/* every word of a name written in Latin letters, read as Korean
		 * or not ("Hoang Van Hoa" reads as 황반화): a rare word of a
		 * query reaches it ("Hoang Hoa", "Le") */
		if (en->script == KITH_NAMES_SCRIPT_LATIN ||
		    (en->script == KITH_NAMES_SCRIPT_OTHER && en->n_syl == 0)) {
			nk = kith_names_word_keys(en, keys);
			if (nw + nk > wcap) {
				size_t cap = wcap ? wcap * 2 : 1024;
				struct posting *np = realloc(s->wpost, cap * sizeof *np);
				if (!np)
					return KITH_E_NOMEM;
				s->wpost = np;
				wcap = cap;
			}
			for (size_t j = 0; j < nk; j++)
				s->wpost[nw++] = (struct posting){keys[j], (uint32_t)i};
		}
	}
	s->n_post = k;
	s->n_wpost = nw;
	qsort(s->post, k, sizeof *s->post, by_key);
	if (nw)
		qsort(s->wpost, nw, sizeof *s->wpost, by_key);
	return KITH_OK;
}

/* The first of n postings `post` with `key`, and how many there are. */
static size_t find_postings(const struct posting *post, size_t n, uint64_t key, size_t *count)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (post[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < n && post[end].key == key)
		end++;
	*count = end - lo;
	return lo;
}

static size_t postings_of(const struct kith_search *s, uint64_t key, size_t *count)
{
	return find_postings(s->post, s->n_post, key, count);
}

static int build(struct kith_search *s, struct kith_err *err)
{
	drop_index(s);
	size_t n = 0;
	const struct kith_record_view *recs = kith_vault_records(s->v, "case", &n);
	s->best = calloc(n ? n : 1, sizeof *s->best);
	s->best_entry = calloc(n ? n : 1, sizeof *s->best_entry);
	s->first_name = malloc((n ? n : 1) * sizeof *s->first_name);
	s->hits = calloc(n ? n : 1, sizeof *s->hits);
	if (!s->best || !s->best_entry || !s->hits || !s->first_name)
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
		s->first_name[i] = first;
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

void kith_search_tune(struct kith_search *s, unsigned threads, size_t parallel_from)
{
	unsigned t = threads ? threads : kith_pool_cpus();
	s->threads = t > MAX_THREADS ? MAX_THREADS : t;
	s->parallel_from = parallel_from ? parallel_from : PARALLEL_FROM;
}

int kith_search_new(struct kith_search **out, struct kith_vault *v, struct kith_err *err)
{
	struct kith_search *s = calloc(1, sizeof *s);
	if (!s)
		return kith_err_set(err, KITH_E_NOMEM, "search", "out of memory");
	s->v = v;
	kith_search_tune(s, 0, 0);
	s->factor = 1.0;
	s->post_cap = SIZE_MAX;
	int rc = build(s, err);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return KITH_OK;
}

/* How search ranks the kinds of partial query (the names engine gives the
 * alignments, kith_names_query_parts; these are search's weights). */
#define RANK_PREFIX 0.9	      /* a surname written first and the start of a given name ("Kim Kang") */
#define RANK_GIVEN 0.9	      /* a given name alone, read with a surname ("Myong Sim", 명심) */
#define RANK_GIVEN_OTHER 0.7  /* ... of another length than the name's given name */
#define RANK_GIVEN_NOSUR 0.95 /* a query read with no surname at all */
#define RANK_SECOND 0.995     /* the second reading of a query, where it meets the first */
#define RANK_TOKEN 0.9	      /* every word of the query is a word of a name that is not Korean */
#define RANK_WORDS 0.905      /* ... or of a name written in Latin letters, read as Korean or not */
#define RANK_WORDS_LEAD 0.906 /* ... the first of them its first word ("Chen": Chen Yufeng, Cho Chen) */
#define RANK_FOREIGN 0.96     /* ... of a name not read as Korean (or only with a typo undone) */
#define RANK_FOREIGN_LEAD 0.961
#define RANK_WORDS_GAP 0.899 /* ... of a Korean name, its words not in a row ("Nam Yong": Nam Son Yong) */
#define RANK_ENDS 0.001	     /* ... of a name not read as Korean, its last word the last ("Nguyen Lan") */

#define RANK_WORDS_ALSO 1 /* rank(): also as the words of the name (score_words) */
#define RANK_AS_GIVEN 2	  /* rank(): only as a given name alone (the query's words joined) */

/* Are the first and the last of two words or more of text q the first and
 * the last of more words of text c (folded texts, words apart by spaces)? The
 * way a name of three words is shortened ("Nguyen Lan" for Nguyen Thi Lan). */
static int words_at_ends(const char *q, size_t qn, const char *c, size_t cn)
{
	size_t qf = 0, cf = 0, ql = qn, cl = cn, qw = 1, cw = 1;
	while (qf < qn && q[qf] != ' ')
		qf++;
	while (cf < cn && c[cf] != ' ')
		cf++;
	while (ql > 0 && q[ql - 1] != ' ')
		ql--;
	while (cl > 0 && c[cl - 1] != ' ')
		cl--;
	for (size_t i = 0; i < qn; i++)
		qw += q[i] == ' ';
	for (size_t i = 0; i < cn; i++)
		cw += c[i] == ' ';
	return qf < qn && cw > qw && qf == cf && memcmp(q, c, qf) == 0 && qn - ql == cn - cl &&
	       memcmp(q + ql, c + cl, qn - ql) == 0;
}

/* Are the words of text q, together, words of text c in a row (folded
 * texts, words apart by spaces)? */
static int words_adjacent(const char *q, size_t qn, const char *c, size_t cn)
{
	for (size_t i = 0; i + qn <= cn; i++)
		if ((i == 0 || c[i - 1] == ' ') && (i + qn == cn || c[i + qn] == ' ') &&
		    memcmp(c + i, q, qn) == 0)
			return 1;
	return 0;
}

#define LV_KOREAN 8 /* how common in Korean names (kith_name.lv) a syllable of a Korean name is */

/* Is every syllable of name c one common in Korean names (Ri Son Hui; not
 * Le Thi Hoa, Hoang Van Hoa, whose middle words are rare as Korean)? */
static int korean_syllables(const struct kith_name *c)
{
	for (size_t i = 0; i < c->n_syl; i++)
		if (c->lv[i] < LV_KOREAN)
			return 0;
	return c->n_syl > 0;
}

/* Does every syllable of q, in its own order, meet c's (a query of the
 * same length whose order is ambiguous meets c in the other order if not)? */
static int same_order(const struct kith_name *q, const struct kith_name *c)
{
	for (size_t i = 0; i < q->n_syl && i < c->n_syl; i++)
		if (!jamo_meet(&q->syl[i], &c->syl[i]))
			return 0;
	return 1;
}

/* The score of query q against a case's name c, in [0, 1]. mode: 0, or
 * RANK_WORDS_ALSO for the names a rare word of the query reached, or
 * RANK_AS_GIVEN for the reading of a query as a given name alone (see
 * score_as_given). */
static double rank(const struct kith_name *q, const struct kith_names_pieces *pc, const struct kith_name *c,
		   int mode, int typod)
{
	double best;
	if (mode == RANK_AS_GIVEN) {
		size_t cl = (size_t)(c->n_syl - c->n_sur);
		if (q->n_syl == 0 || c->n_sur == 0 || cl != q->n_syl)
			return 0;
		struct kith_names_query_parts p;
		kith_names_query_parts(q, c, &p);
		return RANK_GIVEN * RANK_SECOND * p.given *
		       kith_names_vault_prior(q, pc, 0, c, c->n_sur, q->n_syl);
	}
	int words = mode == RANK_WORDS_ALSO;
	if (q->n_syl == 0 || c->n_syl == 0 || (q->flags & KITH_NAMES_F_SURONLY)) {
		best = kith_names_query_score(q, c);
	} else {
		struct kith_names_query_parts p;
		kith_names_query_parts(q, c, &p);
		/* the vault's names are the prior: each reading weighed by how
		 * likely the query's spelling is for it (kith_names_vault_prior) */
		size_t cl = (size_t)(c->n_syl - c->n_sur);
		size_t rot = (q->flags & KITH_NAMES_F_AMBIG) && !same_order(q, c) ? q->alt_rot : 0;
		if (q->n_syl == c->n_syl)
			p.whole *= kith_names_vault_prior(q, pc, rot, c, 0, q->n_syl);
		/* the prefix and the given name are read in the order written:
		 * a query the encoder read in Western order turned back */
		size_t written = (q->flags & KITH_NAMES_F_WESTERN) ? q->n_sur : 0;
		if (q->n_syl < c->n_syl)
			p.prefix *= kith_names_vault_prior(q, pc, written, c, 0, q->n_syl);
		if (q->n_syl <= cl)
			p.given *= kith_names_vault_prior(q, pc, written, c, c->n_sur, q->n_syl);
		best = p.whole;
		/* a query read with no surname is a given name: a name it
		 * spells whole, surname and all, is met only as such a reading
		 * ("Jeoung-ki": 함정키's given name, 정키's name) */
		if (q->n_sur == 0 && c->n_sur > 0)
			best *= RANK_GIVEN_NOSUR * RANK_SECOND;
		double v = RANK_PREFIX * p.prefix;
		best = v > best ? v : best;
		if (cl > 0) {
			double f = q->n_sur == 0    ? RANK_GIVEN_NOSUR
				   : q->n_syl == cl ? RANK_GIVEN
						    : RANK_GIVEN_OTHER;
			v = f * p.given;
			best = v > best ? v : best;
		}
		if (p.token && best < RANK_TOKEN)
			best = RANK_TOKEN;
		/* a query read only with a typo undone is part of a name as a
		 * typo variant is (KITH_NAMES_TYPO): its whole reading pays the
		 * typo already, a partial one is as good as text written so
		 * ("Rhie Jimn" is not 이진원's surname and start, 0.9) */
		if (typod && (q->flags & KITH_NAMES_F_TYPO) && best > p.whole) {
			double w = p.whole;
			best = KITH_NAMES_TYPO * best > w ? KITH_NAMES_TYPO * best : w;
		}
	}
	/* the words of the query as they are written in a name in Latin
	 * letters: above a reading of them alone ("Le" for Le Thi Hoa, not
	 * 예소현), its first word first ("Chen": Chen Yufeng before Cho Chen) */
	int foreign = c->n_syl == 0 || (c->flags & (KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TYPO));
	if (words && best < RANK_FOREIGN_LEAD + RANK_ENDS &&
	    (c->script == KITH_NAMES_SCRIPT_LATIN || (foreign && c->script == KITH_NAMES_SCRIPT_OTHER))) {
		int w = kith_names_query_words(q, c);
		double v = w == 2   ? (foreign ? RANK_FOREIGN_LEAD : RANK_WORDS_LEAD)
			   : w == 1 ? (foreign ? RANK_FOREIGN : RANK_WORDS)
				    : 0;
		size_t qn = strnlen(q->text, KITH_NAMES_TEXT), cn = strnlen(c->text, KITH_NAMES_TEXT);
		if (w == 2 && foreign && cn < KITH_NAMES_TEXT - 1 && words_at_ends(q->text, qn, c->text, cn))
			v += RANK_ENDS;
		if (w && !foreign && korean_syllables(c) && !words_adjacent(q->text, qn, c->text, cn))
			v = RANK_WORDS_GAP;
		best = v > best ? v : best;
	}
	return best;
}

static void scan(struct kith_search *s, const struct kith_name *q, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		double sc = s->factor * rank(q, s->pc, &s->e[i].enc, s->mode, s->typod);
		size_t r = s->e[i].rec;
		if (sc > s->best[r]) {
			s->best[r] = sc;
			s->best_entry[r] = i;
		}
	}
}

static void scan_share(size_t k, void *arg)
{
	const struct scan_job *j = arg;
	scan(j->s, j->q, j->lo[k], j->lo[k + 1]);
}

/* Scores every entry; on several threads when the index is large. A thread
 * that cannot be started leaves its share to the others. */
static void scan_all(struct kith_search *s, const struct kith_name *q)
{
	unsigned t = s->n < s->parallel_from ? 1 : s->threads;
	struct scan_job job = {.s = s, .q = q};
	for (unsigned k = 0; k < t; k++) {
		size_t lo = job.lo[k], hi = k + 1 == t ? s->n : s->n / t * (k + 1);
		if (hi < lo)
			hi = lo;
		while (hi < s->n && hi > lo && s->e[hi].rec == s->e[hi - 1].rec)
			hi++; /* a case's entries stay with one thread */
		job.lo[k + 1] = hi;
	}
	kith_pool_for(t, t, scan_share, &job);
}

/* Scores entry i for query q (once a query: the stamps); its score. */
static double score_entry(struct kith_search *s, const struct kith_name *q, uint32_t i, int words)
{
	s->stamp[i] = s->query_no;
	double sc = s->factor * rank(q, s->pc, &s->e[i].enc, words ? words : s->mode, s->typod);
	size_t r = s->e[i].rec;
	if (sc > s->best[r]) {
		s->best[r] = sc;
		s->best_entry[r] = i;
	}
	return sc;
}

#define WORD_RARE 64 /* names of one word, at most, that a query's word reaches (wpost) */

/* The names written in Latin letters that have a rare word of the query
 * ("Hoang", "Le Hoa", "Chen"): a word that many names share is left to the
 * keys (a surname's). */
static void score_words(struct kith_search *s, const struct kith_name *q)
{
	uint64_t wk[KITH_NAMES_MAX_KEYS];
	size_t nw = s->n_wpost ? kith_names_word_keys(q, wk) : 0;
	for (size_t j = 0; j < nw; j++) {
		size_t count = 0, first = find_postings(s->wpost, s->n_wpost, wk[j], &count);
		if (count > WORD_RARE)
			continue;
		for (size_t p = first; p < first + count; p++)
			if (s->stamp[s->wpost[p].entry] != s->query_no)
				(void)score_entry(s, q, s->wpost[p].entry, 1);
	}
}

/* Scores the entries of `nk` keys not yet reached by this query; the best
 * score seen, or -1 when the keys reach more entries than a linear pass
 * should cost (nothing scored then). */
static double score_postings(struct kith_search *s, const struct kith_name *q, const uint64_t *keys,
			     size_t nk)
{
	size_t first[KITH_NAMES_MAX_QKEYS + 1], count[KITH_NAMES_MAX_QKEYS + 1], total = 0;
	for (size_t j = 0; j < nk; j++) {
		first[j] = postings_of(s, keys[j], &count[j]);
		total += count[j];
	}
	if (total > s->n / 3 + 64 || total > s->post_cap)
		return -1; /* a key that common: the linear pass on every core is faster */
	double top = 0;
	for (size_t j = 0; j < nk; j++) {
		for (size_t p = first[j]; p < first[j] + count[j]; p++) {
			uint32_t i = s->post[p].entry;
			if (s->stamp[i] == s->query_no)
				continue;
			double sc = score_entry(s, q, i, 0);
			if (sc > top)
				top = sc;
		}
	}
	return top;
}

/* Scores the entries the query's keys reach (see the top of the file); 0
 * when the query must be scored against every entry instead. */
/* near: also the names of the query's surname when its keys find no
 * spelling of it (the typo variants skip that: it is the costly part). */
static int scan_keyed(struct kith_search *s, const struct kith_name *q, int near)
{
	uint64_t keys[KITH_NAMES_MAX_QKEYS + 1];
	size_t nk = 0;
	uint64_t sk = kith_names_surname_key(q);
	int suronly = (q->flags & KITH_NAMES_F_SURONLY) != 0;
	if (suronly) {
		if (sk)
			keys[nk++] = sk;
		/* and its word: a name that is not Korean, or read without a
		 * surname, with that word ("Hoang" for Hoang Van Hoa; such
		 * names alone have word postings, so "Kim" reaches no more) */
		uint64_t wk[KITH_NAMES_MAX_KEYS];
		size_t nw = kith_names_word_keys(q, wk);
		for (size_t i = 0; i < nw && nk < KITH_NAMES_MAX_QKEYS; i++)
			keys[nk++] = wk[i];
	} else {
		nk = kith_names_query_keys(q, keys);
	}
	if (nk == 0)
		return 0;
	if (++s->query_no == 0) { /* the stamps wrapped: start them again */
		memset(s->stamp, 0, s->n * sizeof *s->stamp);
		s->query_no = 1;
	}
	if (near)
		score_words(s, q); /* (not for each typo variant) */
	double top = score_postings(s, q, keys, nk);
	if (top < 0)
		return 0;
	if (suronly || top >= kith_names_same_threshold())
		return 1;
	/* No spelling of the whole name: near misses (a typo in every syllable
	 * shares no key of the name) are looked for among the names of the same
	 * surname, and by the linear pass when the surname is not known. */
	if (!sk || !near)
		return near ? 0 : 1;
	return score_postings(s, q, &sk, 1) >= 0;
}

/* The case's name as given ("" when it has none the engine reads). */
static const char *first_name_of(const struct kith_search *s, size_t rec)
{
	size_t off = s->first_name[rec];
	return off == SIZE_MAX || off >= s->names.len ? "" : s->names.buf + off;
}

static int by_score(const void *a, const void *b)
{
	const struct kith_search_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->view->ref, y->view->ref);
}

/* A query with a digit is a case number. */
static int is_ref_query(const char *q, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (q[i] >= '0' && q[i] <= '9')
			return 1;
	return 0;
}

/* Does ref contain q (ASCII case aside)? 2 when it is q, 1 when it holds it. */
static int ref_match(const char *ref, const char *q, size_t len)
{
	size_t rl = strlen(ref);
	if (len == 0 || len > rl)
		return 0;
	for (size_t i = 0; i + len <= rl; i++) {
		size_t k = 0;
		while (k < len) {
			char a = ref[i + k], b = q[k];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
			k++;
		}
		if (k == len)
			return rl == len ? 2 : 1;
	}
	return 0;
}

#define TYPO_MAX_LEN 40	   /* bytes: a longer romanized query is not tried with typos undone */
#define TYPO_POSTINGS 1024 /* postings a typo variant may reach */

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* What undoing each kind of typo costs, in names.c's units (its TYPO_*:
 * nats), and the share of the score a unit takes (the spelling model's
 * LATIN_NAT_TENTH_COST a tenth of a nat): among variants that read as
 * names, the likelier typo first ("Kim Tae Woon": Won with an o typed
 * twice, 김태원, before Woo with an n in excess, 김태우). */
#define TYPO_UNIT 0.005
#define TYPO_C_TWICE 0.5 /* a letter typed twice, once dropped */
#define TYPO_C_DROP 2.0	 /* another letter typed in excess, dropped */
#define TYPO_C_SWAP 1.0	 /* two neighbouring letters swapped back */
#define TYPO_C_LI 1.0	 /* an l read as the i it looks like */
#define TYPO_C_PUT 1.0	 /* a letter left out, put back */
#define TYPO_C_SPACE 1.0 /* a space typed inside a word, dropped */

#define TYPO_SEEN 512 /* encodings of variants remembered, so that one is scored once */

/* The variants of one query already scored: many read the same ("Kim Minsu"
 * with an h or a y put back, a letter doubled and dropped), and scoring the
 * same encoding again at no higher factor finds nothing new. */
struct seen {
	uint64_t h[TYPO_SEEN];
	double f[TYPO_SEEN]; /* the factor it was scored at */
	size_t n;
};

/* 1 when the encoding was scored already at factor f or higher (or the
 * memory is full: scored anyway, 0); remembers it otherwise. Only a whole
 * Korean reading with a surname counts, and its syllables, not its text: the
 * text of such a name changes its score only through the typo cap, which a
 * variant pays anyway (s->factor). */
static int seen_before(struct seen *sn, const struct kith_name *q, double f)
{
	if (q->script != KITH_NAMES_SCRIPT_LATIN || (q->flags & KITH_NAMES_F_PARTIAL) || q->n_sur == 0)
		return 0;
	const unsigned char *b = (const unsigned char *)q;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < offsetof(struct kith_name, latin_h); i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	for (size_t i = 0; i < sn->n; i++)
		if (sn->h[i] == h) {
			if (sn->f[i] >= f)
				return 1;
			sn->f[i] = f;
			return 0;
		}
	if (sn->n < TYPO_SEEN) {
		sn->h[sn->n] = h;
		sn->f[sn->n++] = f;
	}
	return 0;
}

/* A variant of three words or more whose order is ambiguous ("Gim Suk Rae":
 * Rae may be a surname), read in Korean order, its given name's words
 * joined by hyphens ("Gim Suk-rae"): the keys of the ambiguous reading
 * can miss the name (the initial of a syllable that may start the other
 * order's surname is keyed as ㄴ ㄹ ㅇ together, 래 as 내), and a variant
 * has no look-up by surname to make up for it. */
static void score_korean_order(struct kith_search *s, const char *v, size_t n, const struct kith_name *q,
			       struct seen *sn)
{
	if (!(q->flags & KITH_NAMES_F_AMBIG) || q->n_syl < 3 || n > TYPO_MAX_LEN + 1)
		return;
	char k[TYPO_MAX_LEN + 2];
	size_t m = 0, words = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == ' ') {
			if (m && k[m - 1] != ' ' && k[m - 1] != '-')
				k[m++] = words++ ? '-' : ' ';
			continue;
		}
		k[m++] = v[i];
	}
	struct kith_name r;
	if (words >= 2 && kith_names_encode(&r, k, m, NULL) == KITH_OK && r.n_syl == q->n_syl &&
	    !(r.flags & (KITH_NAMES_F_AMBIG | KITH_NAMES_F_SURONLY)) &&
	    (!sn || !seen_before(sn, &r, s->factor))) {
		struct kith_names_pieces pc;
		if (kith_names_query_pieces(&pc, k, m, &r))
			s->pc = &pc;
		/* read in Western order first: this order second */
		double factor = s->factor;
		if (q->flags & KITH_NAMES_F_WESTERN)
			s->factor *= RANK_SECOND;
		(void)scan_keyed(s, &r, 0);
		s->factor = factor;
		s->pc = NULL;
	}
	sodium_memzero(&r, sizeof r);
	sodium_memzero(k, sizeof k);
}

/* Scores one variant of the query through its keys only (no linear pass). */
static void score_variant(struct kith_search *s, const char *v, size_t n, struct seen *sn, double cost)
{
	s->factor = KITH_NAMES_TYPO * (1.0 - TYPO_UNIT * cost);
	struct kith_name q;
	/* (a surname alone would reach a fifth of a vault, for every variant) */
	if (kith_names_encode(&q, v, n, NULL) == KITH_OK && q.n_syl > 0 &&
	    !(q.flags & KITH_NAMES_F_SURONLY) && !seen_before(sn, &q, s->factor)) {
		(void)scan_keyed(s, &q, 0);
		score_korean_order(s, v, n, &q, sn);
	}
	sodium_memzero(&q, sizeof q);
}

/* A romanized query that meets no name: the query with one typo undone — two
 * neighbouring letters swapped back, a letter dropped (not one that stands
 * alone between hyphens or spaces), an l read as i, a
 * vowel or a consonant put back (n, g, h, and the finals and initials a
 * name drops most: m, l, k, b, d, j, s — "Gi" for Gim, "Sin-ong" for
 * Sin-dong; the vault's names, through the keys, say which variant is a
 * name) — each scored through its keys at KITH_NAMES_TYPO of its score
 * (names.h), so that a typo costs less than another syllable, less what
 * undoing that kind of typo costs (TYPO_C_*: a letter typed twice least,
 * another letter in excess most). Only ASCII
 * letters are undone (the others, "ŏ" in "Sŏ Chŏylŏn", stay whole); no
 * query with a digit; at most TYPO_MAX_LEN bytes. */
static void score_typos(struct kith_search *s, const char *query, size_t len)
{
	if (len > TYPO_MAX_LEN)
		return;
	for (size_t i = 0; i < len; i++) {
		char c = query[i];
		if (c >= '0' && c <= '9')
			return;
	}
	static const char put[] = "aeiouynghmlkbdjs";
	char v[TYPO_MAX_LEN + 2];
	struct seen sn;
	sn.n = 0;
	{
		/* the query itself was scored already */
		struct kith_name q;
		if (kith_names_encode(&q, query, len, NULL) == KITH_OK)
			(void)seen_before(&sn, &q, 1.0);
		sodium_memzero(&q, sizeof q);
	}
	s->post_cap = TYPO_POSTINGS; /* a variant whose keys are common is not worth its cost */
	for (size_t i = 0; i < len; i++) {
		/* a space typed inside a word ("C he Yong", "R im Chae") */
		if (query[i] == ' ' && i > 0 && i + 1 < len && is_letter(query[i - 1]) &&
		    is_letter(query[i + 1])) {
			memcpy(v, query, i);
			memcpy(v + i, query + i + 1, len - i - 1);
			score_variant(s, v, len - 1, &sn, TYPO_C_SPACE);
		}
		if (!is_letter(query[i]))
			continue;
		/* swapped back */
		if (i + 1 < len && is_letter(query[i + 1]) && query[i] != query[i + 1]) {
			memcpy(v, query, len);
			v[i] = query[i + 1];
			v[i + 1] = query[i];
			score_variant(s, v, len, &sn, TYPO_C_SWAP);
		}
		/* dropped (a letter typed twice, or one too many); not a letter
		 * that is a syllable by itself between hyphens or spaces
		 * ("Gyong-o", "D-hyon": a syllable is not typed by mistake) */
		int alone =
		    (i == 0 || !is_letter(query[i - 1])) && (i + 1 == len || !is_letter(query[i + 1]));
		if (!alone) {
			/* a letter typed twice costs less than another one
			 * typed in excess (names.c's TYPO_DOUBLE, TYPO_DROP) */
			int twice = (i > 0 && lower(query[i - 1]) == lower(query[i])) ||
				    (i + 1 < len && lower(query[i + 1]) == lower(query[i]));
			memcpy(v, query, i);
			memcpy(v + i, query + i + 1, len - i - 1);
			score_variant(s, v, len - 1, &sn, twice ? TYPO_C_TWICE : TYPO_C_DROP);
		}
		/* an l typed for the i it looks like ("Whong Hul" for Hui; the
		 * reader undoes it only in a word it cannot read) */
		if (query[i] == 'l') {
			memcpy(v, query, len);
			v[i] = 'i';
			score_variant(s, v, len, &sn, TYPO_C_LI);
		}
	}
	/* put back, inside or at the end of a word; at the start of a word or
	 * syllable only a consonant of the list ("Gyong-o" for Gyong-no,
	 * "Bo-i" for Bo-mi) */
	for (size_t i = 0; i <= len; i++) {
		int after = i > 0 && is_letter(query[i - 1]);
		if (!after && !(i < len && is_letter(query[i])))
			continue;
		for (const char *p = after ? put : put + 6; *p; p++) {
			memcpy(v, query, i);
			v[i] = *p;
			memcpy(v + i + 1, query + i, len - i);
			score_variant(s, v, len + 1, &sn, TYPO_C_PUT);
		}
	}
	sodium_memzero(v, sizeof v);
	s->factor = 1.0;
	s->post_cap = SIZE_MAX;
}

/* The names a reading r of two syllables, a surname and a given syllable
 * whose letters fall in several coarse classes, reaches with each of its
 * readings (kith_names_prefix_keys: "Chai Hae" reaches 최해희 as well as
 * 채해성), within the stamps of the reading's own keyed scoring. */
static void score_prefix_keys(struct kith_search *s, const struct kith_name *r)
{
	uint64_t keys[KITH_NAMES_MAX_QKEYS];
	size_t nk = kith_names_prefix_keys(r, keys, KITH_NAMES_MAX_QKEYS);
	if (nk)
		(void)score_postings(s, r, keys, nk);
}

#define GIVEN_MAX_LEN 40 /* bytes: a longer query is not read as a given name alone too */

/* A query of two or three words in Latin letters that the engine reads with
 * a surname ("Suk Hyok": 석 + 혁, "Chae Hye": 채/최 + 혜) is also a given name
 * alone, as written: the words joined by hyphens are read without a surname
 * ("Suk-hyok": 숙혁, "Chae-hye": 재혜 — a surname's reading keeps only the
 * syllables that are surnames), and scored against the given names of the
 * cases its keys reach, at RANK_GIVEN × RANK_SECOND. */
static void score_as_given(struct kith_search *s, const char *query, size_t len, const struct kith_name *q)
{
	if (len > GIVEN_MAX_LEN || q->script != KITH_NAMES_SCRIPT_LATIN || q->n_sur == 0 || q->n_syl < 2 ||
	    q->n_syl > 3 || (q->flags & (KITH_NAMES_F_SURONLY | KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TYPO)))
		return;
	char v[GIVEN_MAX_LEN + 1];
	size_t n = 0, words = 1;
	for (size_t i = 0; i < len; i++) {
		char c = query[i];
		if (c == ' ') {
			if (n && v[n - 1] != '-') {
				v[n++] = '-';
				words++;
			}
			continue;
		}
		v[n++] = c;
	}
	struct kith_name g;
	if (words >= 2 && kith_names_encode(&g, v, n, NULL) == KITH_OK && g.n_sur == 0 &&
	    g.n_syl == q->n_syl && !(g.flags & (KITH_NAMES_F_PARTIAL | KITH_NAMES_F_TYPO))) {
		s->mode = RANK_AS_GIVEN;
		(void)scan_keyed(s, &g, 0);
		s->mode = 0;
	}
	sodium_memzero(&g, sizeof g);
	sodium_memzero(v, sizeof v);
}

/* Is the first or the last word of a query of two words or more a surname
 * of two syllables ("Seonu", "Hwangbo"), alone? The query with that word
 * first, into v (its length), or 0. */
static size_t compound_first(const char *query, size_t len, char *v, size_t cap)
{
	size_t a = 0, b = len;
	while (a < len && query[a] != ' ')
		a++;
	while (b > 0 && query[b - 1] != ' ')
		b--;
	if (a == len || len + 1 > cap)
		return 0;
	struct kith_name w;
	int first = kith_names_encode(&w, query, a, NULL) == KITH_OK && (w.flags & KITH_NAMES_F_SURONLY) &&
		    w.n_sur == 2 && w.n_syl == 2;
	int last = !first && kith_names_encode(&w, query + b, len - b, NULL) == KITH_OK &&
		   (w.flags & KITH_NAMES_F_SURONLY) && w.n_sur == 2 && w.n_syl == 2;
	sodium_memzero(&w, sizeof w);
	if (first) {
		memcpy(v, query, len);
		return len;
	}
	if (!last)
		return 0;
	size_t e = b; /* the words before the surname, without the spaces after them */
	while (e > 0 && query[e - 1] == ' ')
		e--;
	memcpy(v, query + b, len - b);
	v[len - b] = ' ';
	memcpy(v + len - b + 1, query, e);
	return len - b + 1 + e;
}

/* A query of two syllables in Latin letters, a surname and the start of a
 * given name as such queries are written, that the engine reads otherwise
 * ("Kwan Yoo": 유관; "Nan Soo": 난수, a given name; "Sung Shi": 성 or 시 the
 * surname, without 송, which a list publishes "Sung" for): its reading with
 * the first word as the surname (kith_names_surname_first), scored through
 * its keys at RANK_SECOND. */
static void score_surname_first(struct kith_search *s, const char *query, size_t len,
				const struct kith_name *q)
{
	struct kith_name f;
	if (q->script != KITH_NAMES_SCRIPT_LATIN)
		return;
	char v[GIVEN_MAX_LEN + 2];
	if (q->n_syl != 2) {
		/* a surname of two syllables written first ("Seonu Shi Ram",
		 * read 남 + 선우시 in Western order) or last ("Hyo Hwangbo",
		 * read as a given name): its reading as the surname, written
		 * first */
		size_t n = compound_first(query, len, v, sizeof v);
		int ok = n && kith_names_surname_first(&f, v, n);
		/* written last: the encoder may read it so once it is first */
		if (n && !ok && memcmp(v, query, n) != 0)
			ok = kith_names_encode(&f, v, n, NULL) == KITH_OK && f.n_sur == 2 &&
			     !(f.flags & (KITH_NAMES_F_WESTERN | KITH_NAMES_F_AMBIG | KITH_NAMES_F_PARTIAL |
					  KITH_NAMES_F_TYPO | KITH_NAMES_F_SURONLY));
		sodium_memzero(v, sizeof v);
		if (!ok)
			return;
	} else if (!kith_names_surname_first(&f, query, len)) {
		return;
	}
	s->factor = RANK_SECOND;
	if (scan_keyed(s, &f, 0))
		score_prefix_keys(s, &f);
	s->factor = 1.0;
	sodium_memzero(&f, sizeof f);
}

/* Text q with full-width ASCII forms (U+FF01–U+FF5E) and the ideographic
 * space (U+3000) as ASCII, into out (at least len bytes); its length, len
 * when there were none. */
static size_t fold_fullwidth(const char *q, size_t len, char *out)
{
	const unsigned char *u = (const unsigned char *)q;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (i + 2 < len && u[i] == 0xEF && (u[i + 1] == 0xBC || u[i + 1] == 0xBD) &&
		    u[i + 2] >= 0x80 && u[i + 2] <= 0xBF &&
		    (u[i + 1] == 0xBC ? u[i + 2] >= 0x81 : u[i + 2] <= 0x9E)) {
			/* U+FF01..U+FF5E: EF BC 81..BF, EF BD 80..9E */
			out[n++] = (char)(u[i + 1] == 0xBC ? u[i + 2] - 0x81 + 0x21 : u[i + 2] - 0x80 + 0x60);
			i += 2;
		} else if (i + 2 < len && u[i] == 0xE3 && u[i + 1] == 0x80 && u[i + 2] == 0x80) {
			out[n++] = ' ';
			i += 2;
		} else {
			out[n++] = q[i];
		}
	}
	return n;
}

/* Is a word of a query the encoder read with a typo undone read so alone,
 * or not at all as Korean ("Jimn" in "Rhie Jimn"), and not a surname as a
 * list spells it ("Jhang", which lists publish for 장 and the encoder reads
 * as a typo)? */
static int typo_outside_surname(const char *query, size_t len)
{
	int typo = 0;
	for (size_t a = 0; a < len && !typo;) {
		while (a < len && query[a] == ' ')
			a++;
		size_t b = a;
		while (b < len && query[b] != ' ')
			b++;
		struct kith_name w;
		if (b > a && kith_names_encode(&w, query + a, b - a, NULL) == KITH_OK)
			typo = w.n_syl == 0 || ((w.flags & KITH_NAMES_F_TYPO) &&
						!(w.sur_pub && (w.flags & KITH_NAMES_F_SURONLY)));
		sodium_memzero(&w, sizeof w);
		a = b;
	}
	return typo;
}

/* The best score of this query so far. */
static double top_score(const struct kith_search *s)
{
	double top = 0;
	for (size_t i = 0; i < s->n_cases; i++)
		top = s->best[i] > top ? s->best[i] : top;
	return top;
}

int kith_search_query(struct kith_search *s, const char *query, size_t len,
		      const struct kith_search_opts *opts, struct kith_search_result *res,
		      struct kith_err *err)
{
	if (!s->built || s->gen != kith_vault_generation(s->v)) {
		int rc = build(s, err);
		if (rc)
			return rc;
	}
	size_t limit = opts && opts->limit ? opts->limit : DEFAULT_LIMIT;
	size_t offset = opts ? opts->offset : 0;
	double min_score = opts && opts->min_score > 0 ? opts->min_score : DEFAULT_FLOOR;
	size_t recs_n = 0;
	const struct kith_record_view *recs = kith_vault_records(s->v, "case", &recs_n);
	for (size_t i = 0; i < s->n_cases; i++)
		s->best[i] = -1;
	int by_ref = 0;
	while (len && query[len - 1] == ' ')
		len--;
	while (len && query[0] == ' ') {
		query++;
		len--;
	}
	if (len && len <= KITH_NAMES_MAX_BYTES && is_ref_query(query, len)) {
		/* a case number: the refs, not the names */
		by_ref = 1;
		for (size_t i = 0; i < s->n_cases && i < recs_n; i++) {
			int m = recs[i].ref ? ref_match(recs[i].ref, query, len) : 0;
			if (m)
				s->best[i] = m == 2 ? 1.0 : 0.9;
		}
	} else {
		/* full-width letters and spaces as the ASCII they stand for, so
		 * that the readings below that split words or undo typos see
		 * them ("Ｍｕｎ　Ｏｎ　Ｒｉ"); the encoder folds them alike */
		char fw[KITH_NAMES_MAX_BYTES + 1];
		if (len <= KITH_NAMES_MAX_BYTES) {
			size_t n = fold_fullwidth(query, len, fw);
			if (n < len) {
				query = fw;
				len = n;
			}
		}
		struct kith_name q;
		int rc = kith_names_encode(&q, query, len, err);
		if (rc) {
			sodium_memzero(fw, sizeof fw);
			if (err && !err->where[0])
				kith_err_set(err, rc, "query", "%s",
					     err->msg[0] ? err->msg : "the query is not a name");
			return rc;
		}
		/* the spelling pieces of the query's syllables, where the
		 * encoder keeps none (kith_names_query_pieces) */
		struct kith_names_pieces pc;
		if (!(q.flags & KITH_NAMES_F_SURONLY) && kith_names_query_pieces(&pc, query, len, &q))
			s->pc = &pc;
		s->typod = (q.flags & KITH_NAMES_F_TYPO) && typo_outside_surname(query, len);
		if (!scan_keyed(s, &q, 1))
			scan_all(s, &q);
		else
			score_prefix_keys(s, &q);
		s->pc = NULL;
		/* typos are undone when no reading of the query meets a name
		 * at the same-name threshold (a given name or a surname and
		 * its start at 0.9 is clean text: "Sung Ye" for 송예준 is not
		 * 이성 with a letter swapped) */
		score_as_given(s, query, len, &q);
		score_surname_first(s, query, len, &q);
		score_korean_order(s, query, len, &q, NULL);
		/* (a query read with a typo undone met a name only when more
		 * than its partial readings did, which pay the typo) */
		double top = top_score(s);
		int met = top >= kith_names_same_threshold() &&
			  (!s->typod || top > KITH_NAMES_TYPO * RANK_GIVEN_NOSUR);
		s->typod = 0;
		int latin =
		    q.script == KITH_NAMES_SCRIPT_LATIN || (q.script == KITH_NAMES_SCRIPT_OTHER && q.text[0]);
		int suronly = (q.flags & KITH_NAMES_F_SURONLY) != 0;
		sodium_memzero(&q, sizeof q);
		if (latin && !suronly && !met)
			score_typos(s, query, len);
		sodium_memzero(fw, sizeof fw);
	}
	/* The best offset + limit hits are kept, in order, by insertion (a
	 * common surname alone can match a fifth of the cases); past TOPK_MAX
	 * every hit is sorted. Every hit above the floor is counted. */
	size_t want = offset + limit < offset ? SIZE_MAX : offset + limit;
	size_t cap = want <= TOPK_MAX ? want : s->n_cases;
	size_t k = 0, total = 0;
	for (size_t i = 0; i < s->n_cases && i < recs_n; i++) {
		if (s->best[i] < min_score)
			continue;
		total++;
		const char *name = "", *matched = "";
		if (!by_ref) {
			const struct entry *e = &s->e[s->best_entry[i]];
			name = s->names.buf + e->first_off;
			matched = s->names.buf + e->name_off;
		} else {
			matched = recs[i].ref;
			name = first_name_of(s, i);
		}
		struct kith_search_hit h = {&recs[i], name, matched, s->best[i]};
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
	size_t from = offset < k ? offset : k;
	size_t upto = k - from < limit ? k : from + limit;
	res->hits = s->hits + from;
	res->n = upto - from;
	res->total = total;
	return KITH_OK;
}

int kith_search_run(struct kith_search *s, const char *query, size_t len, size_t limit, double min_score,
		    const struct kith_search_hit **hits, size_t *n, struct kith_err *err)
{
	struct kith_search_opts o = {limit, 0, min_score};
	struct kith_search_result r;
	int rc = kith_search_query(s, query, len, &o, &r, err);
	if (rc)
		return rc;
	*hits = r.hits;
	*n = r.n;
	return KITH_OK;
}

void kith_search_free(struct kith_search *s)
{
	if (!s)
		return;
	drop_index(s);
	free(s);
}
