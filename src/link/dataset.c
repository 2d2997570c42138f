/*
 * dataset — records of a linkage run, normalized once on the way in, and the
 * comparison of two records into a vector of agreement levels.
 *
 * Layout: one array of fixed-size records, one array of name entries (each
 * record's names are contiguous), one array of values per declared field, and
 * one wiping string arena (ids, folded names and values) addressed by 32-bit
 * offsets. Ids are indexed by a hash map with chains for true collisions.
 */
#include "link/dataset.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/csv.h"
#include "record/record.h"
#include "base/sbuf.h"
#include "link/compare.h"
#include "base/hmap.h"

#include "names/jamo.h"
#include "names/names.h"

#define ARENA_MAX 0xFFFFFFF0u
#define VALUE_MAX 4096 /* bytes of one value */
#define JW_T1 0.92
#define JW_T2 0.80

enum sexv { SEX_MISSING = 0, SEX_F = 1, SEX_M = 2, SEX_OTHER = 3 };

#define GIVEN_KEYS 6
#define ALONE_KEYS 2
#define GIVEN_TAG 0x676976656eULL /* "given": keeps given-name keys apart from whole-name keys */
#define SKEL_MAX 4		  /* letter skeletons of a name (skel_spelling) */
#define SKEL_MIN 6		  /* letters of the shorter skeleton for the level "typo" */
#define SKEL_LETTERS 40		  /* longest skeleton kept */
#define SKEL_ANY 1
#define SKEL_LATIN 2
#define SKEL_TAG 0x736b656cULL /* "skel": keeps the skeletons' blocking keys apart */

struct name_entry {
	struct kith_name enc;
	uint32_t fold_off;
	uint32_t fold_len;
	uint64_t surname_key; /* 0: none */
	float share;	      /* census share, 0 when not a known Korean surname */
	uint8_t korean;	      /* compared by the names engine */
	uint8_t latin_given;  /* Latin letters the engine reads as a given name alone ("Se-min") */
	uint8_t latin;	      /* written in Latin letters */
	uint8_t n_skel;	      /* letter skeletons, one after another in the arena (skel_spelling) */
	uint8_t skel_len[SKEL_MAX];
	uint32_t skel_off;
	uint32_t skel_mask[SKEL_MAX]; /* letters present (bit c - 'a'): a quick test before the arena */
	uint8_t n_gkeys;
	uint8_t n_akeys;
	uint64_t gkeys[GIVEN_KEYS]; /* blocking keys of the given name alone (Korean names) */
	uint64_t akeys[ALONE_KEYS]; /* a given name alone: the keys that meet the whole name's own */
};

struct rec {
	uint32_t id_off;
	uint32_t id_len;
	uint32_t source;
	uint32_t name0;
	uint8_t n_names;
	uint8_t sex;
	uint8_t birth_approx;
	uint8_t origin_province;
	uint8_t skel; /* SKEL_ANY: a name has letter skeletons; SKEL_LATIN: a romanized one has */
	struct kith_compare_date birth;
	uint32_t origin_off;
	uint32_t origin_len;
	uint64_t origin_hash;
	uint32_t file;
	uint32_t line;
	float name_share; /* share used by the term-frequency adjustment (finish) */
};

#define INLINE_MAX 23 /* values this short live in the record's row */

struct fval {
	uint64_t hash;
	uint32_t off; /* in the arena when len > INLINE_MAX */
	uint32_t len;
	struct kith_compare_date date;
	float share;
	char inl[INLINE_MAX + 1];
};

/* A field slot: a role-based field or a declared one. */
struct fslot {
	struct kith_dataset_field pub;
	int cfg_index; /* declared field: index in cfg.fields; else -1 */
	double t1, t2; /* fuzzy thresholds */
	double mean_share;
};

struct kith_dataset {
	struct kith_linkcfg cfg;
	int dates_differ; /* the birth has the level "dates differ" (birth_level) */
	struct rec *recs;
	size_t n, cap;
	struct name_entry *names;
	size_t n_names, cap_names;
	struct fval *vals; /* row-major: record i's fields are vals[i * nfc ...] */
	size_t nfc;
	struct kith_sbuf arena;
	struct kith_hmap ids;
	uint32_t *id_next; /* chain of records with the same id hash (index+1, 0 ends) */
	char **sources;
	size_t n_sources, cap_sources;
	size_t *source_sizes;
	char **files;
	size_t n_files;
	int finished;
	/* fields after finish */
	struct fslot slots[KITH_LINKCFG_MAX_FIELDS];
	size_t n_slots;
	struct kith_dataset_field pubs[KITH_LINKCFG_MAX_FIELDS];
	double name_t1, name_t2, jw_t1, jw_t2;
	double name_mean_share;
	double tf_max;
	struct kith_hmap sex_cache;  /* hash of a sex value -> parsed + 1 */
	struct kith_hmap prov_cache; /* hash of an origin -> province id pointer, or 1 when none */
	struct kith_sbuf scratch;    /* joined values while reading a row */
	struct kith_sbuf scratch2;
};

/* --- small helpers */

static int grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return KITH_OK;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return KITH_E_NOMEM;
	*p = np;
	*cap = nc;
	return KITH_OK;
}

/* Grows an array that holds personal data: a new block, a copy, and the old
 * block wiped before it is freed (realloc could leave a copy behind). */
static int grow_wiping(void **p, size_t old_cap, size_t new_cap, size_t elem)
{
	void *np = malloc(new_cap * elem);
	if (!np)
		return KITH_E_NOMEM;
	if (*p) {
		memcpy(np, *p, old_cap * elem);
		sodium_memzero(*p, old_cap * elem);
		free(*p);
	}
	*p = np;
	return KITH_OK;
}

/* Grows the record arrays (records, id chains, declared values) together. */
static int ensure_cap(struct kith_dataset *ds, size_t need)
{
	if (need <= ds->cap)
		return KITH_OK;
	size_t nc = ds->cap ? ds->cap * 2 : 256;
	while (nc < need)
		nc *= 2;
	if (grow_wiping((void **)&ds->recs, ds->cap, nc, sizeof *ds->recs))
		return KITH_E_NOMEM;
	uint32_t *nx = realloc(ds->id_next, nc * sizeof *nx);
	if (!nx)
		return KITH_E_NOMEM;
	ds->id_next = nx;
	if (ds->nfc && grow_wiping((void **)&ds->vals, ds->cap * ds->nfc, nc * ds->nfc, sizeof *ds->vals))
		return KITH_E_NOMEM;
	ds->cap = nc;
	return KITH_OK;
}

static struct fval *val_at(const struct kith_dataset *ds, size_t i, size_t f)
{
	return &ds->vals[i * ds->nfc + f];
}

static const char *arena_str(const struct kith_dataset *ds, uint32_t off)
{
	return ds->arena.buf + off;
}

static const char *fval_str(const struct kith_dataset *ds, const struct fval *v)
{
	return v->len <= INLINE_MAX ? v->inl : ds->arena.buf + v->off;
}

static int arena_add(struct kith_dataset *ds, const char *s, size_t len, uint32_t *off)
{
	if (ds->arena.len + len + 1 > ARENA_MAX)
		return KITH_E_LIMIT;
	*off = (uint32_t)ds->arena.len;
	if (kith_sbuf_add(&ds->arena, s, len) || kith_sbuf_addc(&ds->arena, '\0'))
		return KITH_E_NOMEM;
	return KITH_OK;
}

static int is_hangul_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i + 2 < len; i++) {
		if ((p[i] & 0xF0) != 0xE0 || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80)
			continue;
		uint32_t c =
		    ((uint32_t)(p[i] & 0x0F) << 12) | ((uint32_t)(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
		if ((c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
		    (c >= 0x3130 && c <= 0x318F))
			return 1;
	}
	return 0;
}

/* The last word of a folded name (after its last space). */
static const char *last_word(const char *f, size_t len)
{
	const char *p = f + len;
	while (p > f && p[-1] != ' ')
		p--;
	return p;
}

static const char *trim(const char *s, size_t *len)
{
	size_t n = strlen(s);
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

/* --- lifecycle */

int kith_dataset_new(struct kith_dataset **out, const struct kith_linkcfg *cfg, struct kith_err *err)
{
	struct kith_dataset *ds = calloc(1, sizeof *ds);
	if (!ds)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	ds->cfg = *cfg;
	ds->nfc = cfg->n_fields;
	ds->tf_max = cfg->tf_max > 0 ? cfg->tf_max : KITH_LINKCFG_DEFAULT_TF_MAX;
	ds->name_t1 = kith_names_same_threshold();
	ds->name_t2 = ds->name_t1 - 0.15;
	ds->jw_t1 = JW_T1;
	ds->jw_t2 = JW_T2;
	if (cfg->name_levels[0] > 0) {
		ds->name_t1 = ds->jw_t1 = cfg->name_levels[0];
		ds->name_t2 = ds->jw_t2 = cfg->name_levels[1];
	}
	*out = ds;
	return KITH_OK;
}

void kith_dataset_free(struct kith_dataset *ds)
{
	if (!ds)
		return;
	if (ds->names) {
		sodium_memzero(ds->names, ds->n_names * sizeof *ds->names);
		free(ds->names);
	}
	if (ds->recs) {
		sodium_memzero(ds->recs, ds->cap * sizeof *ds->recs);
		free(ds->recs);
	}
	if (ds->vals) {
		sodium_memzero(ds->vals, ds->cap * ds->nfc * sizeof *ds->vals);
		free(ds->vals);
	}
	kith_sbuf_release(&ds->arena);
	kith_sbuf_release(&ds->scratch);
	kith_sbuf_release(&ds->scratch2);
	kith_hmap_release(&ds->ids);
	kith_hmap_release(&ds->sex_cache);
	kith_hmap_release(&ds->prov_cache);
	free(ds->id_next);
	for (size_t i = 0; i < ds->n_sources; i++)
		kith_wipe_free_str(ds->sources[i]);
	free(ds->sources);
	free(ds->source_sizes);
	for (size_t i = 0; i < ds->n_files; i++)
		free(ds->files[i]);
	free(ds->files);
	free(ds);
}

/* --- sources and ids */

static int source_index(struct kith_dataset *ds, const char *name, uint32_t *out)
{
	for (size_t i = 0; i < ds->n_sources; i++) {
		if (strcmp(ds->sources[i], name) == 0) {
			*out = (uint32_t)i;
			return KITH_OK;
		}
	}
	if (ds->n_sources >= 65535)
		return KITH_E_LIMIT;
	if (grow_array((void **)&ds->sources, &ds->cap_sources, ds->n_sources + 1, sizeof *ds->sources))
		return KITH_E_NOMEM;
	char *c = strdup(name);
	if (!c)
		return KITH_E_NOMEM;
	ds->sources[ds->n_sources] = c;
	*out = (uint32_t)ds->n_sources++;
	return KITH_OK;
}

static long find_id(const struct kith_dataset *ds, const char *id, size_t len)
{
	uint64_t h = kith_compare_hash(id, len);
	uint64_t *v = kith_hmap_get(&ds->ids, h);
	if (!v)
		return -1;
	for (uint64_t i = *v; i; i = ds->id_next[i - 1]) {
		const struct rec *r = &ds->recs[i - 1];
		if (r->id_len == len && memcmp(arena_str(ds, r->id_off), id, len) == 0)
			return (long)(i - 1);
	}
	return -1;
}

static int index_id(struct kith_dataset *ds, size_t i)
{
	const struct rec *r = &ds->recs[i];
	uint64_t h = kith_compare_hash(arena_str(ds, r->id_off), r->id_len);
	uint64_t *v = kith_hmap_upsert(&ds->ids, h, 0);
	if (!v)
		return KITH_E_NOMEM;
	ds->id_next[i] = (uint32_t)*v;
	*v = i + 1;
	return KITH_OK;
}

long kith_dataset_find(const struct kith_dataset *ds, const char *id)
{
	return find_id(ds, id, strlen(id));
}

/* --- names */

/* The names engine's keys of s without its first word, then without its last word (at most max) */
static size_t word_rest_keys(const char *s, size_t len, uint64_t *k, size_t max)
{
	size_t a = 0, b = len, m = 0;
	while (a < b && s[a] == ' ')
		a++;
	while (b > a && s[b - 1] == ' ')
		b--;
	size_t f = a, l = b;
	while (f < b && s[f] != ' ')
		f++;
	while (l > a && s[l - 1] != ' ')
		l--;
	if (f >= b || l <= a) /* one word */
		return 0;
	const size_t from[2] = {f, a}, to[2] = {b, l};
	for (int i = 0; i < 2; i++) {
		struct kith_name g;
		uint64_t t[KITH_NAMES_MAX_KEYS];
		if (kith_names_encode(&g, s + from[i], to[i] - from[i], NULL) != KITH_OK)
			continue;
		size_t n = g.n_syl >= 2 ? kith_names_keys(&g, t) : 0;
		for (size_t j = 0; j < n && m < max; j++)
			k[m++] = t[j];
		sodium_memzero(&g, sizeof g);
	}
	return m;
}

/*
 * Blocking keys of the given name alone, so that a record that gives only a
 * given name (a shelter writes "Myong-ho", 명호) meets the records of the
 * whole name: for a name written alone without a surname, its own keys; for
 * a whole name, the keys of its given name encoded alone — the Hangul after
 * the surname's syllables, or the romanized words but the surname's (the
 * first, the last in Western order). Tagged apart from the whole-name keys.
 */
static void given_keys(const char *s, size_t len, struct name_entry *e)
{
	uint64_t k[2 * KITH_NAMES_MAX_KEYS];
	size_t m = 0;
	if (!e->enc.n_sur) {
		if (!(e->enc.flags & KITH_NAMES_F_SURONLY))
			m = kith_names_keys(&e->enc, k);
		/* romanized words without a surname the engine knows: perhaps a surname typed with a
		 * slip ("Kem Ye-ha", "Gom Cho Bin", "Hae So Kil"), so the words but the first, and the
		 * words but the last, are keyed as a given name alone too (they meet 김예하's given name;
		 * ninth session: 45 of the 237 true pairs blocking never compared at 10,000 synth
		 * people, seed 1, were such slips, the name level "typo" apart) */
		if (e->enc.script == KITH_NAMES_SCRIPT_LATIN && m < KITH_NAMES_MAX_KEYS &&
		    !(e->enc.flags & KITH_NAMES_F_SURONLY))
			m += word_rest_keys(s, len, k + m, 2 * KITH_NAMES_MAX_KEYS - m);
	} else if (e->enc.n_sur < e->enc.n_syl) {
		/* two syllables whose first is a surname may be a given name
		 * written alone (정빈, "Ho-jun", "Myung Hwa"): its own keys too,
		 * which meet the given-name keys of the whole name (최정빈) */
		if (e->enc.n_syl == 2 && e->enc.n_sur == 1)
			m = kith_names_keys(&e->enc, k);
		size_t a = 0, b = len;
		while (a < b && s[a] == ' ')
			a++;
		while (b > a && s[b - 1] == ' ')
			b--;
		if (e->enc.script == KITH_NAMES_SCRIPT_HANGUL) {
			a += 3u * e->enc.n_sur; /* Hangul syllables are three bytes in UTF-8 */
		} else if (e->enc.flags & KITH_NAMES_F_WESTERN) {
			while (b > a && s[b - 1] != ' ')
				b--;
		} else {
			while (a < b && s[a] != ' ')
				a++;
		}
		while (a < b && s[a] == ' ')
			a++;
		while (b > a && s[b - 1] == ' ')
			b--;
		struct kith_name g;
		if (a < b && b <= len && kith_names_encode(&g, s + a, b - a, NULL) == KITH_OK) {
			m += kith_names_keys(&g, k + m);
			sodium_memzero(&g, sizeof g);
		}
	}
	for (size_t t = 0; t < m && e->n_gkeys < GIVEN_KEYS; t++)
		e->gkeys[e->n_gkeys++] = kith_compare_hash_mix(k[t], GIVEN_TAG);
	/* A given name alone whose first syllable may be a surname ("Seol-ok", "Eun-wol", "Jinin")
	 * missed the whole name (허설옥, 황은월, 송진인): the whole name's given part encoded alone
	 * (설옥) is read as a surname and a syllable, so its keys are not those of the given name
	 * read without a surname. The names engine's key of a query read as a given name alone
	 * meets the given-name key of the whole name's own keys (kith_names_query_keys): those of
	 * its query keys that are neither its own keys nor word keys. (10,000 synth people, seed 1:
	 * 8 of the 278 true pairs that blocking missed were such given names.) */
	if (!e->enc.n_sur && e->enc.n_syl >= 2 && !(e->enc.flags & KITH_NAMES_F_SURONLY)) {
		uint64_t q[KITH_NAMES_MAX_QKEYS], own[KITH_NAMES_MAX_KEYS], words[KITH_NAMES_MAX_KEYS];
		size_t nq = kith_names_query_keys(&e->enc, q), no = kith_names_keys(&e->enc, own),
		       nw = kith_names_word_keys(&e->enc, words);
		for (size_t i = 0; i < nq && e->n_akeys < ALONE_KEYS; i++) {
			int other = 0;
			for (size_t t = 0; t < no && !other; t++)
				other = q[i] == own[t];
			for (size_t t = 0; t < nw && !other; t++)
				other = q[i] == words[t];
			if (!other)
				e->akeys[e->n_akeys++] = q[i];
		}
	}
}

/* The letters a-z of text (lower case) into out (at most SKEL_LETTERS); their number. */
static size_t skel_letters(const char *t, size_t len, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n < SKEL_LETTERS; i++) {
		char c = t[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c >= 'a' && c <= 'z')
			out[n++] = c;
	}
	return n;
}

static int skel_add(struct kith_dataset *ds, struct name_entry *e, const char *k, size_t n)
{
	if (n < SKEL_MIN || e->n_skel >= SKEL_MAX)
		return KITH_OK;
	/* the same skeleton twice (two systems that agree) is kept once */
	const char *p = e->n_skel ? ds->arena.buf + e->skel_off : NULL;
	for (size_t i = 0; i < e->n_skel; p += e->skel_len[i] + 1, i++)
		if (e->skel_len[i] == n && memcmp(p, k, n) == 0)
			return KITH_OK;
	uint32_t off;
	int rc = arena_add(ds, k, n, &off);
	if (rc)
		return rc;
	if (!e->n_skel)
		e->skel_off = off;
	uint32_t mask = 0;
	for (size_t i = 0; i < n; i++)
		mask |= 1u << (k[i] - 'a');
	e->skel_mask[e->n_skel] = mask;
	e->skel_len[e->n_skel++] = (uint8_t)n;
	return KITH_OK;
}

/*
 * Letter skeletons of a Korean name for the name level "typo" (issue 13, ninth session): a
 * romanized name typed fast ("Yun Maf Ung", "Klm Hyemoo") is read by the names engine as other
 * syllables, so its level against the person's other records is "different" though its letters
 * are one slip from theirs. A name in Hangul gets its romanizations (RR, McCune-Reischauer without
 * breves, common English; the North Korean style added nothing on synth lists), a romanized one its
 * letters as written and with its last word first (Western order); only letters a-z. Skeletons follow one
 * another in the arena, each ended by a NUL.
 */
static int skel_spelling(struct kith_dataset *ds, const char *s, size_t len, const char *fold, size_t flen,
			 struct name_entry *e)
{
	char k[SKEL_LETTERS];
	int rc = KITH_OK;
	if (e->enc.script == KITH_NAMES_SCRIPT_HANGUL) {
		static const enum kith_names_system sys[] = {KITH_NAMES_RR, KITH_NAMES_MR_PLAIN,
							     KITH_NAMES_COMMON};
		for (size_t i = 0; i < sizeof sys / sizeof sys[0] && !rc; i++) {
			kith_sbuf_reset(&ds->scratch2);
			if (kith_names_romanize(s, len, sys[i], &ds->scratch2, NULL) != KITH_OK)
				continue;
			rc = skel_add(ds, e, k, skel_letters(ds->scratch2.buf, ds->scratch2.len, k));
		}
		kith_sbuf_reset(&ds->scratch2);
	} else if (e->latin) {
		/* both skeletons first: adding to the arena may move fold */
		char w[2 * SKEL_LETTERS];
		size_t n = skel_letters(fold, flen, k), nw = 0;
		const char *last = fold + flen;
		while (last > fold && last[-1] != ' ')
			last--;
		if (last > fold) {
			nw = skel_letters(last, (size_t)(fold + flen - last), w);
			nw += skel_letters(fold, (size_t)(last - fold), w + nw);
			if (nw > SKEL_LETTERS)
				nw = SKEL_LETTERS;
		}
		rc = skel_add(ds, e, k, n);
		if (!rc && nw)
			rc = skel_add(ds, e, w, nw);
		sodium_memzero(w, sizeof w);
	}
	sodium_memzero(k, sizeof k);
	return rc;
}

static int encode_name(struct kith_dataset *ds, const char *s, size_t len, struct name_entry *e,
		       struct kith_err *err)
{
	memset(e, 0, sizeof *e);
	int rc = kith_names_encode(&e->enc, s, len, err);
	if (rc)
		return rc;
	e->surname_key = kith_names_surname_key(&e->enc);
	e->korean = is_hangul_text(s, len) || e->surname_key != 0;
	e->share = e->korean && e->surname_key ? (float)kith_names_surname_share(&e->enc) : 0.0f;
	/* a given name written alone in Latin letters ("Ho-jun", "JOOWOO") has
	 * no surname to call it Korean, but its reading meets the whole name's */
	if (e->korean || (e->enc.n_syl > 0 && !e->enc.n_sur))
		given_keys(s, len, e);
	e->latin_given =
	    !e->korean && e->enc.n_syl > 0 && !e->enc.n_sur && !(e->enc.flags & KITH_NAMES_F_SURONLY);
	size_t old = ds->scratch2.len;
	int frc = kith_compare_fold(s, len, &ds->scratch2, err);
	if (frc)
		return frc;
	const char *f = ds->scratch2.buf + old;
	size_t flen = ds->scratch2.len - old;
	if (flen == 0) {
		kith_sbuf_reset(&ds->scratch2);
		return kith_err_set(err, KITH_E_INVALID, NULL, "a name without letters");
	}
	if (!e->korean) { /* a name in another language: its last word is the surname */
		const char *last = last_word(f, flen);
		e->surname_key = kith_compare_hash(last, flen - (size_t)(last - f));
	}
	int rc2 = arena_add(ds, f, flen, &e->fold_off);
	e->fold_len = (uint32_t)flen;
	e->latin = e->enc.script == KITH_NAMES_SCRIPT_LATIN;
	if (!rc2)
		rc2 = skel_spelling(ds, s, len, arena_str(ds, e->fold_off), flen, e);
	kith_sbuf_reset(&ds->scratch2);
	if (rc2)
		return kith_err_set(err, rc2, NULL,
				    rc2 == KITH_E_LIMIT ? "more text than 4 GiB" : "out of memory");
	return KITH_OK;
}

/* --- adding a record */

enum bad_kind { BAD_NONE, BAD_ID, BAD_SOURCE, BAD_NAME, BAD_SEX, BAD_BIRTH, BAD_AGE, BAD_ORIGIN, BAD_FIELD };

struct bad {
	enum bad_kind kind;
	size_t index; /* name or field index */
};

static int parse_sex(const char *s, size_t len, uint8_t *out)
{
	if (len == 0) {
		*out = SEX_MISSING;
		return KITH_OK;
	}
	char buf[64];
	if (len >= sizeof buf)
		return KITH_E_INVALID;
	memcpy(buf, s, len);
	buf[len] = '\0';
	const char *id;
	if (kith_record_vocab_lookup("sex", buf, &id))
		return KITH_E_INVALID;
	*out = strcmp(id, "female") == 0  ? SEX_F
	       : strcmp(id, "male") == 0  ? SEX_M
	       : strcmp(id, "other") == 0 ? SEX_OTHER
					  : SEX_MISSING;
	return KITH_OK;
}

static int value_add(struct kith_dataset *ds, struct fval *v, const struct kith_linkcfg_field *f,
		     const char *s, struct kith_err *err)
{
	size_t len;
	s = trim(s ? s : "", &len);
	memset(v, 0, sizeof *v);
	if (len == 0)
		return KITH_OK;
	if (len > VALUE_MAX)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "value longer than %d bytes", VALUE_MAX);
	if (f->type == KITH_LINKCFG_DATE) {
		if (kith_compare_date_parse(s, len, &v->date))
			return kith_err_set(
			    err, KITH_E_INVALID, NULL,
			    "not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD, years 1800-2100)");
		v->hash = kith_compare_hash(&v->date, sizeof v->date);
		return KITH_OK;
	}
	size_t old = ds->scratch2.len;
	int rc = kith_compare_fold(s, len, &ds->scratch2, err);
	if (rc)
		return rc;
	size_t flen = ds->scratch2.len - old;
	if (flen == 0) { /* punctuation only: missing */
		kith_sbuf_reset(&ds->scratch2);
		return KITH_OK;
	}
	v->hash = kith_compare_hash(ds->scratch2.buf + old, flen);
	v->len = (uint32_t)flen;
	if (flen <= INLINE_MAX)
		memcpy(v->inl, ds->scratch2.buf + old, flen);
	else
		rc = arena_add(ds, ds->scratch2.buf + old, flen, &v->off);
	kith_sbuf_reset(&ds->scratch2);
	if (rc)
		return kith_err_set(err, rc, NULL,
				    rc == KITH_E_LIMIT ? "more text than 4 GiB" : "out of memory");
	return KITH_OK;
}

static int add_input(struct kith_dataset *ds, const struct kith_dataset_input *in, uint32_t file,
		     uint32_t line, struct bad *bad, struct kith_err *err)
{
	bad->kind = BAD_NONE;
	if (ds->finished)
		return kith_err_set(err, KITH_E_INTERNAL, NULL, "dataset already finished");
	if (ds->n >= KITH_DATASET_MAX_RECORDS)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "more than %u records",
				    KITH_DATASET_MAX_RECORDS);
	size_t idlen;
	const char *id = trim(in->id ? in->id : "", &idlen);
	bad->kind = BAD_ID;
	if (idlen == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "empty id");
	if (idlen > KITH_DATASET_ID_MAX)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "id longer than %d bytes", KITH_DATASET_ID_MAX);
	long prev = find_id(ds, id, idlen);
	if (prev >= 0) {
		const struct rec *p = &ds->recs[prev];
		if (p->file)
			return kith_err_set(err, KITH_E_INVALID, NULL, "id used twice (first at %s:%u)",
					    ds->files[p->file - 1], p->line);
		return kith_err_set(err, KITH_E_INVALID, NULL, "id used twice (first as record %ld)",
				    prev + 1);
	}
	if (ensure_cap(ds, ds->n + 1))
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	size_t arena_mark = ds->arena.len, names_mark = ds->n_names, sources_mark = ds->n_sources;
	struct rec r;
	memset(&r, 0, sizeof r);
	r.file = file;
	r.line = line;
	r.id_len = (uint32_t)idlen;
	int rc = arena_add(ds, id, idlen, &r.id_off);
	if (rc) {
		rc = kith_err_set(err, rc, NULL,
				  rc == KITH_E_LIMIT ? "more text than 4 GiB" : "out of memory");
		goto undo;
	}
	bad->kind = BAD_SOURCE;
	size_t slen;
	const char *src = trim(in->source ? in->source : "", &slen);
	if (slen > 200) {
		rc = kith_err_set(err, KITH_E_LIMIT, NULL, "list name longer than 200 bytes");
		goto undo;
	}
	char srcbuf[208];
	memcpy(srcbuf, slen ? src : "default", slen ? slen : 7);
	srcbuf[slen ? slen : 7] = '\0';
	rc = source_index(ds, srcbuf, &r.source);
	if (rc) {
		rc = kith_err_set(err, rc, NULL,
				  rc == KITH_E_LIMIT ? "more than 65535 lists" : "out of memory");
		goto undo;
	}
	/* names */
	bad->kind = BAD_NAME;
	r.name0 = (uint32_t)ds->n_names;
	for (size_t k = 0; k < in->n_names && k < KITH_DATASET_MAX_NAMES; k++) {
		bad->index = k;
		size_t nl;
		const char *nm = trim(in->names[k] ? in->names[k] : "", &nl);
		if (nl == 0)
			continue;
		if (r.n_names == KITH_DATASET_MAX_NAMES)
			break;
		if (ds->n_names == ds->cap_names) {
			size_t nc = ds->cap_names ? ds->cap_names * 2 : 256;
			if (grow_wiping((void **)&ds->names, ds->cap_names, nc, sizeof *ds->names)) {
				rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
				goto undo;
			}
			ds->cap_names = nc;
		}
		rc = encode_name(ds, nm, nl, &ds->names[ds->n_names], err);
		if (rc)
			goto undo;
		if (ds->names[ds->n_names].n_skel)
			r.skel |= (uint8_t)(SKEL_ANY | (ds->names[ds->n_names].latin ? SKEL_LATIN : 0));
		ds->n_names++;
		r.n_names++;
	}
	bad->kind = BAD_SEX;
	size_t len;
	const char *s = trim(in->sex ? in->sex : "", &len);
	{ /* the few distinct values are looked up once */
		uint64_t h = kith_compare_hash(s, len);
		uint64_t *hit = kith_hmap_get(&ds->sex_cache, h);
		if (hit) {
			r.sex = (uint8_t)(*hit - 1);
		} else if (parse_sex(s, len, &r.sex)) {
			rc = kith_err_set(err, KITH_E_INVALID, NULL,
					  "not a sex (female, male, other, unknown, f, m)");
			goto undo;
		} else if (!kith_hmap_upsert(&ds->sex_cache, h, (uint64_t)r.sex + 1)) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			goto undo;
		}
	}
	bad->kind = BAD_BIRTH;
	s = trim(in->birth ? in->birth : "", &len);
	if (len && kith_compare_date_parse(s, len, &r.birth)) {
		rc = kith_err_set(err, KITH_E_INVALID, NULL,
				  "not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD, years 1800-2100)");
		goto undo;
	}
	bad->kind = BAD_AGE;
	if (in->age_in_year) {
		if (in->age < 0 || in->age > 120 || in->age_in_year < 1900 || in->age_in_year > 2100) {
			rc = kith_err_set(err, KITH_E_INVALID, NULL,
					  "age must be 0-120 and its year 1900-2100");
			goto undo;
		}
		if (!r.birth.year) {
			r.birth.year = (int16_t)(in->age_in_year - in->age);
			r.birth_approx = 1;
		}
	}
	bad->kind = BAD_ORIGIN;
	s = trim(in->origin ? in->origin : "", &len);
	if (len > VALUE_MAX) {
		rc = kith_err_set(err, KITH_E_LIMIT, NULL, "value longer than %d bytes", VALUE_MAX);
		goto undo;
	}
	if (len) {
		char buf[256];
		const char *pid = NULL;
		uint64_t h = kith_compare_hash(s, len);
		uint64_t *hit = kith_hmap_get(&ds->prov_cache, h);
		if (hit) {
			pid = *hit == 1 ? NULL : (const char *)(uintptr_t)*hit;
		} else if (len < sizeof buf) {
			memcpy(buf, s, len);
			buf[len] = '\0';
			if (kith_record_vocab_lookup("province", buf, &pid))
				pid = NULL;
			sodium_memzero(buf, len);
			if (!kith_hmap_upsert(&ds->prov_cache, h, pid ? (uint64_t)(uintptr_t)pid : 1)) {
				rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
				goto undo;
			}
		}
		if (pid && strcmp(pid, "unknown") != 0) {
			r.origin_province = 1;
			r.origin_hash = kith_compare_hash(pid, strlen(pid));
			rc = arena_add(ds, pid, strlen(pid), &r.origin_off);
			r.origin_len = (uint32_t)strlen(pid);
		} else if (!pid) {
			size_t old = ds->scratch2.len;
			rc = kith_compare_fold(s, len, &ds->scratch2, err);
			if (rc)
				goto undo;
			size_t flen = ds->scratch2.len - old;
			if (flen) {
				r.origin_hash = kith_compare_hash(ds->scratch2.buf + old, flen);
				rc = arena_add(ds, ds->scratch2.buf + old, flen, &r.origin_off);
				r.origin_len = (uint32_t)flen;
			}
			kith_sbuf_reset(&ds->scratch2);
		}
		if (rc) {
			rc = kith_err_set(err, rc, NULL,
					  rc == KITH_E_LIMIT ? "more text than 4 GiB" : "out of memory");
			goto undo;
		}
	}
	bad->kind = BAD_FIELD;
	for (size_t f = 0; f < ds->cfg.n_fields; f++) {
		bad->index = f;
		rc = value_add(ds, val_at(ds, ds->n, f), &ds->cfg.fields[f], in->fields[f], err);
		if (rc)
			goto undo;
	}
	ds->recs[ds->n] = r;
	rc = index_id(ds, ds->n);
	if (rc) {
		rc = kith_err_set(err, rc, NULL, "out of memory");
		goto undo;
	}
	ds->n++;
	bad->kind = BAD_NONE;
	return KITH_OK;
undo:
	for (size_t i = sources_mark; i < ds->n_sources; i++)
		kith_wipe_free_str(ds->sources[i]);
	ds->n_sources = sources_mark;
	if (ds->n_names > names_mark)
		sodium_memzero(ds->names + names_mark, (ds->n_names - names_mark) * sizeof *ds->names);
	ds->n_names = names_mark;
	if (ds->arena.len > arena_mark) {
		sodium_memzero(ds->arena.buf + arena_mark, ds->arena.len - arena_mark);
		ds->arena.len = arena_mark;
		ds->arena.buf[arena_mark] = '\0';
	}
	return rc;
}

static const char *bad_name(const struct bad *b, char *buf, size_t sz)
{
	switch (b->kind) {
	case BAD_ID:
		return "id";
	case BAD_SOURCE:
		return "source";
	case BAD_NAME:
		snprintf(buf, sz, "names[%zu]", b->index);
		return buf;
	case BAD_SEX:
		return "sex";
	case BAD_BIRTH:
		return "birth";
	case BAD_AGE:
		return "age";
	case BAD_ORIGIN:
		return "origin";
	case BAD_FIELD:
		snprintf(buf, sz, "fields[%zu]", b->index);
		return buf;
	default:
		return "";
	}
}

int kith_dataset_add_record(struct kith_dataset *ds, const struct kith_dataset_input *in,
			    struct kith_err *err)
{
	struct bad b;
	int rc = add_input(ds, in, 0, 0, &b, err);
	if (rc && err) {
		char buf[32];
		snprintf(err->where, sizeof err->where, "%s", bad_name(&b, buf, sizeof buf));
	}
	return rc;
}

/* Drops every record from index n on (a failed file), wiping their text. */
static int truncate_to(struct kith_dataset *ds, size_t n, size_t n_names, size_t arena_len, size_t n_sources)
{
	if (ds->n > n) {
		sodium_memzero(ds->recs + n, (ds->n - n) * sizeof *ds->recs);
		if (ds->nfc)
			sodium_memzero(val_at(ds, n, 0), (ds->n - n) * ds->nfc * sizeof *ds->vals);
	}
	ds->n = n;
	if (ds->n_names > n_names)
		sodium_memzero(ds->names + n_names, (ds->n_names - n_names) * sizeof *ds->names);
	ds->n_names = n_names;
	if (ds->arena.len > arena_len) {
		sodium_memzero(ds->arena.buf + arena_len, ds->arena.len - arena_len);
		ds->arena.len = arena_len;
		ds->arena.buf[arena_len] = '\0';
	}
	for (size_t i = n_sources; i < ds->n_sources; i++)
		kith_wipe_free_str(ds->sources[i]);
	ds->n_sources = n_sources;
	kith_hmap_release(&ds->ids);
	if (kith_hmap_reserve(&ds->ids, n))
		return KITH_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (index_id(ds, i))
			return KITH_E_NOMEM;
	return KITH_OK;
}

/* --- CSV */

enum col_kind { COL_IGNORE, COL_ROLE, COL_FIELD };

struct colmap {
	enum col_kind kind;
	int index; /* role or field index */
};

static int role_of_column(const struct kith_linkcfg *cfg, const char *col)
{
	size_t n;
	const char *c = trim(col, &n);
	for (int r = 0; r < KITH_ROLE_COUNT; r++) {
		if (cfg->roles[r][0][0]) {
			for (int k = 0; k < KITH_LINKCFG_MAX_ROLE_COLUMNS && cfg->roles[r][k][0]; k++)
				if (strlen(cfg->roles[r][k]) == n && strncasecmp(cfg->roles[r][k], c, n) == 0)
					return r;
		}
	}
	for (int r = 0; r < KITH_ROLE_COUNT; r++) {
		if (cfg->roles[r][0][0])
			continue; /* mapped elsewhere: the plain name is not the role */
		const char *rn = kith_linkcfg_role_name((enum kith_linkcfg_role)r);
		if (strlen(rn) == n && strncasecmp(rn, c, n) == 0)
			return r;
	}
	return -1;
}

static int field_of_column(const struct kith_linkcfg *cfg, const char *col)
{
	size_t n;
	const char *c = trim(col, &n);
	for (size_t f = 0; f < cfg->n_fields; f++)
		if (strlen(cfg->fields[f].column) == n && strncasecmp(cfg->fields[f].column, c, n) == 0)
			return (int)f;
	return -1;
}

static int ignored(const struct kith_linkcfg *cfg, const char *col)
{
	size_t n;
	const char *c = trim(col, &n);
	for (size_t i = 0; i < cfg->n_ignore; i++)
		if (strlen(cfg->ignore[i]) == n && strncasecmp(cfg->ignore[i], c, n) == 0)
			return 1;
	return 0;
}

static int parse_small_int(const char *s, int lo, int hi, int *out)
{
	size_t n;
	s = trim(s, &n);
	if (n == 0 || n > 6)
		return -1;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static char *default_source_of(const char *name)
{
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	const char *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	if (n > 200)
		n = 200;
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, b, n);
		s[n] = '\0';
	}
	return s;
}

int kith_dataset_add_csv(struct kith_dataset *ds, const char *data, size_t len, const char *name,
			 const char *default_source, struct kith_err *err)
{
	struct kith_csv *c = NULL;
	struct kith_csv_opts o = {.header = 1, .max_field_len = 64 * 1024};
	int rc = kith_csv_open(&c, data, len, name, &o, err);
	if (rc)
		return rc;
	const struct kith_csv_row *h = kith_csv_header(c);
	struct colmap *map = calloc(h->n ? h->n : 1, sizeof *map);
	char *defsrc = default_source ? strdup(default_source) : default_source_of(name);
	char *fname = strdup(name);
	char where[KITH_ERR_WHERE_MAX];
	if (!map || !defsrc || !fname) {
		rc = kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
		goto out;
	}
	int role_cols[KITH_ROLE_COUNT][KITH_LINKCFG_MAX_ROLE_COLUMNS];
	int n_role_cols[KITH_ROLE_COUNT] = {0};
	int field_col[KITH_LINKCFG_MAX_FIELDS];
	for (size_t f = 0; f < KITH_LINKCFG_MAX_FIELDS; f++)
		field_col[f] = -1;
	for (size_t i = 0; i < h->n; i++) {
		int r = role_of_column(&ds->cfg, h->f[i]);
		int f = r < 0 ? field_of_column(&ds->cfg, h->f[i]) : -1;
		if (r >= 0) {
			if (n_role_cols[r] == KITH_LINKCFG_MAX_ROLE_COLUMNS) {
				snprintf(where, sizeof where, "%s:1:%s", name, h->f[i]);
				rc = kith_err_set(err, KITH_E_INVALID, where, "column used twice");
				goto out;
			}
			map[i].kind = COL_ROLE;
			map[i].index = r;
			role_cols[r][n_role_cols[r]++] = (int)i;
		} else if (f >= 0) {
			if (field_col[f] >= 0) {
				snprintf(where, sizeof where, "%s:1:%s", name, h->f[i]);
				rc = kith_err_set(err, KITH_E_INVALID, where, "column used twice");
				goto out;
			}
			map[i].kind = COL_FIELD;
			map[i].index = f;
			field_col[f] = (int)i;
		} else if (ignored(&ds->cfg, h->f[i])) {
			map[i].kind = COL_IGNORE;
		} else {
			snprintf(where, sizeof where, "%s:1:%.60s", name, h->f[i]);
			rc = kith_err_set(
			    err, KITH_E_INVALID, where,
			    "unknown column (recognized: id, source, name, other_names, sex, birth_year, "
			    "birth_date, origin, age, age_in_year; declare others with field.COLUMN or "
			    "ignore them in the configuration)");
			goto out;
		}
	}
	if (!n_role_cols[KITH_ROLE_ID]) {
		snprintf(where, sizeof where, "%s:1", name);
		rc = kith_err_set(err, KITH_E_INVALID, where, "no id column (map one with 'id = COLUMN')");
		goto out;
	}
	if (n_role_cols[KITH_ROLE_AGE] && !n_role_cols[KITH_ROLE_AGE_IN_YEAR]) {
		snprintf(where, sizeof where, "%s:1", name);
		rc = kith_err_set(err, KITH_E_INVALID, where, "an age column needs an age_in_year column");
		goto out;
	}
	if (ds->n_files >= UINT32_MAX - 1) {
		rc = kith_err_set(err, KITH_E_LIMIT, name, "too many files");
		goto out;
	}
	{
		char **nf = realloc(ds->files, (ds->n_files + 1) * sizeof *nf);
		if (!nf) {
			rc = kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
			goto out;
		}
		ds->files = nf;
		ds->files[ds->n_files++] = fname;
		fname = NULL;
	}
	uint32_t file_no = (uint32_t)ds->n_files;
	size_t mark_n = ds->n, mark_names = ds->n_names, mark_arena = ds->arena.len, mark_src = ds->n_sources;
	struct kith_csv_row row;
	while ((rc = kith_csv_next(c, &row, err)) == 1) {
		struct kith_dataset_input in;
		memset(&in, 0, sizeof in);
		/* joined values of multi-column roles live in scratch: offsets first */
		kith_sbuf_reset(&ds->scratch);
		size_t joined_off[KITH_ROLE_COUNT];
		int joined[KITH_ROLE_COUNT] = {0};
		for (int r = 0; r < KITH_ROLE_COUNT; r++) {
			if (n_role_cols[r] <= 1 || r == KITH_ROLE_OTHER_NAMES)
				continue;
			joined_off[r] = ds->scratch.len;
			joined[r] = 1;
			int first = 1;
			for (int k = 0; k < n_role_cols[r]; k++) {
				size_t vl;
				const char *v = trim(row.f[role_cols[r][k]], &vl);
				if (!vl)
					continue;
				if ((!first && kith_sbuf_addc(&ds->scratch, ' ')) ||
				    kith_sbuf_add(&ds->scratch, v, vl)) {
					rc = kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
					break;
				}
				first = 0;
			}
			if (rc < 0)
				break;
			if (kith_sbuf_addc(&ds->scratch, '\0')) {
				rc = kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
				break;
			}
		}
		if (rc < 0)
			break;
		const char *rv[KITH_ROLE_COUNT] = {0};
		for (int r = 0; r < KITH_ROLE_COUNT; r++) {
			if (joined[r])
				rv[r] = ds->scratch.buf + joined_off[r];
			else if (n_role_cols[r] == 1)
				rv[r] = row.f[role_cols[r][0]];
		}
		in.id = rv[KITH_ROLE_ID];
		in.source = n_role_cols[KITH_ROLE_SOURCE] ? rv[KITH_ROLE_SOURCE] : defsrc;
		if (in.source && !*in.source)
			in.source = defsrc;
		size_t name_col_of[KITH_DATASET_MAX_NAMES];
		if (rv[KITH_ROLE_NAME]) {
			name_col_of[in.n_names] = (size_t)role_cols[KITH_ROLE_NAME][0];
			in.names[in.n_names++] = rv[KITH_ROLE_NAME];
		}
		/* other names: ';' or '|' separated, from every other_names column, copied
		   into a wiping buffer that does not grow once split */
		struct kith_sbuf on = KITH_SBUF_INIT;
		size_t on_start[KITH_LINKCFG_MAX_ROLE_COLUMNS];
		int n_on = n_role_cols[KITH_ROLE_OTHER_NAMES];
		for (int k = 0; k < n_on; k++) {
			int col = role_cols[KITH_ROLE_OTHER_NAMES][k];
			on_start[k] = on.len;
			if (kith_sbuf_add(&on, row.f[col], row.len[col]) || kith_sbuf_addc(&on, '\0')) {
				rc = kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
				break;
			}
		}
		if (rc < 0) {
			kith_sbuf_release(&on);
			break;
		}
		for (int k = 0; k < n_on; k++) {
			char *q = on.buf + on_start[k];
			char *end = q + strlen(q);
			while (q <= end && in.n_names < KITH_DATASET_MAX_NAMES) {
				char *sep = q;
				while (sep < end && *sep != ';' && *sep != '|')
					sep++;
				*sep = '\0';
				name_col_of[in.n_names] = (size_t)role_cols[KITH_ROLE_OTHER_NAMES][k];
				in.names[in.n_names++] = q;
				q = sep + 1;
			}
		}
		in.sex = rv[KITH_ROLE_SEX];
		in.birth = rv[KITH_ROLE_BIRTH_DATE];
		size_t bl = 0;
		if (in.birth)
			trim(in.birth, &bl);
		if (!bl)
			in.birth = rv[KITH_ROLE_BIRTH_YEAR];
		in.origin = rv[KITH_ROLE_ORIGIN];
		for (size_t f = 0; f < ds->cfg.n_fields; f++)
			in.fields[f] = field_col[f] >= 0 ? row.f[field_col[f]] : NULL;
		size_t bad_col = SIZE_MAX;
		if (rv[KITH_ROLE_AGE]) {
			size_t al;
			trim(rv[KITH_ROLE_AGE], &al);
			if (al) {
				if (parse_small_int(rv[KITH_ROLE_AGE], 0, 120, &in.age))
					bad_col = (size_t)role_cols[KITH_ROLE_AGE][0];
				else if (parse_small_int(rv[KITH_ROLE_AGE_IN_YEAR], 1900, 2100,
							 &in.age_in_year))
					bad_col = (size_t)role_cols[KITH_ROLE_AGE_IN_YEAR][0];
			}
		}
		if (bad_col != SIZE_MAX) {
			rc = kith_csv_field_error(c, &row, bad_col, err, KITH_E_INVALID,
						  "age must be 0-120 and age_in_year 1900-2100");
			kith_sbuf_release(&on);
			break;
		}
		size_t bl2 = 0;
		if (rv[KITH_ROLE_BIRTH_YEAR] && in.birth == rv[KITH_ROLE_BIRTH_YEAR]) {
			const char *by = trim(rv[KITH_ROLE_BIRTH_YEAR], &bl2);
			if (bl2 && bl2 != 4) {
				(void)by;
				rc =
				    kith_csv_field_error(c, &row, (size_t)role_cols[KITH_ROLE_BIRTH_YEAR][0],
							 err, KITH_E_INVALID, "not a year (YYYY, 1800-2100)");
				kith_sbuf_release(&on);
				break;
			}
		}
		struct bad b;
		struct kith_err e2;
		kith_err_clear(&e2);
		if (row.line > UINT32_MAX) {
			rc = kith_err_set(err, KITH_E_LIMIT, name, "too many lines");
			kith_sbuf_release(&on);
			break;
		}
		rc = add_input(ds, &in, file_no, (uint32_t)row.line, &b, &e2);
		kith_sbuf_release(&on);
		if (rc) {
			size_t col = 0;
			switch (b.kind) {
			case BAD_ID:
				col = (size_t)role_cols[KITH_ROLE_ID][0];
				break;
			case BAD_SOURCE:
				col = n_role_cols[KITH_ROLE_SOURCE] ? (size_t)role_cols[KITH_ROLE_SOURCE][0]
								    : 0;
				break;
			case BAD_NAME:
				col = name_col_of[b.index];
				break;
			case BAD_SEX:
				col = (size_t)role_cols[KITH_ROLE_SEX][0];
				break;
			case BAD_BIRTH:
				col = (size_t)(in.birth == rv[KITH_ROLE_BIRTH_DATE] &&
						       n_role_cols[KITH_ROLE_BIRTH_DATE]
						   ? role_cols[KITH_ROLE_BIRTH_DATE][0]
						   : role_cols[KITH_ROLE_BIRTH_YEAR][0]);
				break;
			case BAD_AGE:
				col = (size_t)role_cols[KITH_ROLE_AGE][0];
				break;
			case BAD_ORIGIN:
				col = (size_t)role_cols[KITH_ROLE_ORIGIN][0];
				break;
			case BAD_FIELD:
				col = (size_t)field_col[b.index];
				break;
			default:
				col = 0;
				break;
			}
			if (b.kind == BAD_NONE)
				rc = kith_err_set(err, rc, name, "%s", e2.msg);
			else
				rc = kith_csv_field_error(c, &row, col, err, rc, "%s", e2.msg);
			break;
		}
	}
	if (rc < 0) {
		if (truncate_to(ds, mark_n, mark_names, mark_arena, mark_src))
			rc = kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
		ds->n_files--;
		free(ds->files[ds->n_files]);
	} else {
		rc = KITH_OK;
	}
out:
	kith_sbuf_reset(&ds->scratch);
	kith_sbuf_reset(&ds->scratch2);
	free(fname);
	free(defsrc);
	free(map);
	kith_csv_free(c);
	return rc;
}

/* --- finish */

/* "partial": below weak by as much again — for the names engine, a surname and one given syllable
 * with the other a letter apart (정호철 / 정혼철, 0.5), the commonest shape of a typo in a Hangul or
 * romanized name; EM weighs it (typos against namesakes who differ by a syllable) */
/* "typo" (ninth session): below partial, a romanized name one letter slip (a letter changed, added,
 * dropped or two swapped) from the other's letters or romanizations although the engine reads other
 * syllables (skel_spelling); EM weighs it like the rest */
/* "slip" (eleventh session): two names in Hangul one sound-alike jamo apart (hangul_slip) */
static const char *const name_levels[] = {"different", "typo", "partial", "slip", "weak", "similar", "exact"};
enum { NAME_TYPO = 1, NAME_PARTIAL, NAME_SLIP, NAME_WEAK, NAME_SIMILAR, NAME_EXACT };
/* the levels a slip replaces: those below it */
#define NAME_SLIP_BELOW NAME_SIMILAR
#define NAME_PARTIAL_GAP 0.15
static const char *const binary_levels[] = {"different", "same"};
static const char *const date_levels[] = {"other", "year +-1", "same year", "typo", "exact"};
/* The birth's levels: the date levels, and below them two full dates that disagree on the day or the
 * month within a year (namesakes born the same year: rare among matches, whose dates are copied) */
static const char *const birth_levels[] = {"dates differ", "other", "year +-1", "same year", "typo", "exact"};
static const char *const origin_levels[] = {"different", "similar", "same"};
static const char *const fuzzy_levels[] = {"different", "weak", "similar", "exact"};
/* a list seldom records one person twice: records of one list are less likely one person (EM
 * estimates how much less), so "same" is the lower level */
static const char *const list_levels[] = {"same", "other"};

static void slot_init(struct fslot *s, const char *name, enum kith_dataset_kind kind, int n_levels,
		      const char *const *levels)
{
	memset(s, 0, sizeof *s);
	s->pub.name = name;
	s->pub.kind = kind;
	s->pub.n_levels = n_levels;
	for (int i = 0; i < n_levels; i++)
		s->pub.level_names[i] = levels[i];
	s->cfg_index = -1;
}

int kith_dataset_finish(struct kith_dataset *ds, struct kith_err *err)
{
	if (ds->finished)
		return KITH_OK;
	if (ds->n == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "no records");
	if (ds->n_sources == 0)
		return kith_err_set(err, KITH_E_INTERNAL, NULL, "records without a list");
	ds->source_sizes = calloc(ds->n_sources, sizeof *ds->source_sizes);
	if (!ds->source_sizes)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	size_t have_name = 0, have_sex = 0, have_birth = 0, have_origin = 0;
	for (size_t i = 0; i < ds->n; i++) {
		const struct rec *r = &ds->recs[i];
		ds->source_sizes[r->source]++;
		have_name += r->n_names > 0;
		have_sex += r->sex != SEX_MISSING;
		have_birth += r->birth.year != 0;
		have_origin += r->origin_hash != 0;
	}
	struct fslot *s;
	if (have_name) {
		s = &ds->slots[ds->n_slots++];
		slot_init(s, "name", KITH_DS_NAME, NAME_EXACT + 1, name_levels);
		s->pub.tf = 1;
		s->pub.present = have_name;
	}
	if (have_sex) {
		s = &ds->slots[ds->n_slots++];
		slot_init(s, "sex", KITH_DS_SEX, 2, binary_levels);
		s->pub.present = have_sex;
	}
	if (have_birth) {
		s = &ds->slots[ds->n_slots++];
		/* "dates differ" is a level with a model trained on a sample too (Large data). Without
		 * it there, since the fifth pass: on the million synth records the level had taken links
		 * F1 from 0.637 to 0.513 (seed 1101). Why: the level exists only for two full dates, and
		 * whether a record has one depends on its list, so among non-matches the birth's level
		 * and the list field are not independent (40,000 people: "dates differ" in 3.2 % of the
		 * non-matching pairs of one list, 0.6 % of two lists; "same year" 1.4 % and 2.4 %), and
		 * on the sample EM took that for the match class. The model now takes the birth's u
		 * given the list (fsmodel.h, birth_field), and the level is back everywhere */
		ds->dates_differ = 1;
		if (ds->dates_differ)
			slot_init(s, "birth", KITH_DS_BIRTH, 6, birth_levels);
		else
			slot_init(s, "birth", KITH_DS_BIRTH, 5, date_levels);
		s->pub.present = have_birth;
	}
	if (have_origin) {
		s = &ds->slots[ds->n_slots++];
		slot_init(s, "origin", KITH_DS_ORIGIN, 3, origin_levels);
		s->pub.present = have_origin;
	}
	for (size_t f = 0; f < ds->cfg.n_fields; f++) {
		const struct kith_linkcfg_field *cf = &ds->cfg.fields[f];
		size_t present = 0;
		for (size_t i = 0; i < ds->n; i++)
			present += val_at(ds, i, f)[0].hash != 0;
		if (!present)
			return kith_err_set(
			    err, KITH_E_INVALID, cf->column,
			    "field declared in the configuration but no input has a value for it");
		if (ds->n_slots == KITH_LINKCFG_MAX_FIELDS)
			return kith_err_set(err, KITH_E_LIMIT, cf->column, "more than %d compared fields",
					    KITH_LINKCFG_MAX_FIELDS);
		s = &ds->slots[ds->n_slots++];
		if (cf->type == KITH_LINKCFG_EXACT)
			slot_init(s, cf->column, KITH_DS_EXACT, 2, binary_levels);
		else if (cf->type == KITH_LINKCFG_FUZZY)
			slot_init(s, cf->column, KITH_DS_FUZZY, 4, fuzzy_levels);
		else
			slot_init(s, cf->column, KITH_DS_DATE, 5, date_levels);
		s->cfg_index = (int)f;
		s->pub.name = ds->cfg.fields[f].column;
		s->pub.tf = cf->tf;
		s->pub.present = present;
		s->t1 = cf->levels[0] > 0 ? cf->levels[0] : JW_T1;
		s->t2 = cf->levels[0] > 0 ? cf->levels[1] : JW_T2;
		if (cf->n_weights) {
			s->pub.fixed = 1;
			for (int l = 0; l < cf->n_weights; l++) /* top level first -> by level */
				s->pub.weights[cf->n_weights - 1 - l] = cf->weights[l];
		}
		/* observed term frequencies */
		if (cf->tf) {
			struct kith_hmap counts = KITH_HMAP_INIT;
			if (kith_hmap_reserve(&counts, present))
				return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			for (size_t i = 0; i < ds->n; i++) {
				uint64_t h = val_at(ds, i, f)[0].hash;
				if (!h)
					continue;
				uint64_t *v = kith_hmap_upsert(&counts, h, 0);
				if (!v) {
					kith_hmap_release(&counts);
					return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
				}
				(*v)++;
			}
			double mean = 0;
			for (size_t i = 0; i < ds->n; i++) {
				uint64_t h = val_at(ds, i, f)[0].hash;
				if (!h)
					continue;
				double sh = (double)*kith_hmap_get(&counts, h) / (double)present;
				val_at(ds, i, f)[0].share = (float)sh;
				mean += sh;
			}
			s->mean_share = mean / (double)present;
			kith_hmap_release(&counts);
		}
	}
	if (ds->n_slots == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "nothing to compare: no name, sex, birth, origin or field");
	/* the list as evidence, where pairs of one list are compared at all */
	if (ds->cfg.mode != KITH_LINKCFG_LINK && ds->n_sources >= 2 &&
	    ds->n_slots < KITH_LINKCFG_MAX_FIELDS) {
		s = &ds->slots[ds->n_slots++];
		slot_init(s, "list", KITH_DS_LIST, 2, list_levels);
		s->pub.present = ds->n;
	}
	/* name term frequencies: census share for Korean surnames, else observed */
	if (have_name) {
		struct kith_hmap counts = KITH_HMAP_INIT;
		if (kith_hmap_reserve(&counts, have_name))
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		for (size_t i = 0; i < ds->n; i++) {
			const struct rec *r = &ds->recs[i];
			if (!r->n_names || !ds->names[r->name0].surname_key)
				continue;
			uint64_t *v = kith_hmap_upsert(&counts, ds->names[r->name0].surname_key, 0);
			if (!v) {
				kith_hmap_release(&counts);
				return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			}
			(*v)++;
		}
		double mean = 0;
		size_t m = 0;
		for (size_t i = 0; i < ds->n; i++) {
			struct rec *r = &ds->recs[i];
			if (!r->n_names)
				continue;
			const struct name_entry *e = &ds->names[r->name0];
			double sh = e->share > 0 ? e->share
				    : e->surname_key
					? (double)*kith_hmap_get(&counts, e->surname_key) / (double)have_name
					: 0;
			r->name_share = (float)sh;
			if (sh > 0) {
				mean += sh;
				m++;
			}
		}
		ds->name_mean_share = m ? mean / (double)m : 0;
		kith_hmap_release(&counts);
	}
	for (size_t f = 0; f < ds->n_slots; f++)
		ds->pubs[f] = ds->slots[f].pub;
	ds->finished = 1;
	return KITH_OK;
}

/* --- accessors */

size_t kith_dataset_count(const struct kith_dataset *ds)
{
	return ds->n;
}

const char *kith_dataset_id(const struct kith_dataset *ds, size_t i)
{
	return arena_str(ds, ds->recs[i].id_off);
}

void kith_dataset_values(const struct kith_dataset *ds, size_t i, struct kith_dataset_values *out)
{
	const struct rec *r = &ds->recs[i];
	memset(out, 0, sizeof *out);
	for (size_t j = 0; j < r->n_names && j < KITH_DATASET_MAX_NAMES; j++)
		out->names[out->n_names++] = &ds->names[r->name0 + j].enc;
	out->sex = r->sex;
	out->birth_year = r->birth.year;
	out->birth_month = r->birth.month;
	out->birth_day = r->birth.day;
	out->birth_approx = r->birth_approx;
	if (r->origin_hash) {
		out->origin = arena_str(ds, r->origin_off);
		out->origin_len = r->origin_len;
		out->origin_province = r->origin_province;
	}
}

uint32_t kith_dataset_source(const struct kith_dataset *ds, size_t i)
{
	return ds->recs[i].source;
}

size_t kith_dataset_n_sources(const struct kith_dataset *ds)
{
	return ds->n_sources;
}

const char *kith_dataset_source_name(const struct kith_dataset *ds, uint32_t s)
{
	return s < ds->n_sources ? ds->sources[s] : "";
}

const size_t *kith_dataset_source_sizes(const struct kith_dataset *ds)
{
	return ds->source_sizes;
}

const struct kith_dataset_field *kith_dataset_fields(const struct kith_dataset *ds, size_t *n)
{
	*n = ds->n_slots;
	return ds->pubs;
}

const struct kith_linkcfg *kith_dataset_config(const struct kith_dataset *ds)
{
	return &ds->cfg;
}

int kith_dataset_has(const struct kith_dataset *ds, enum kith_dataset_kind kind)
{
	for (size_t f = 0; f < ds->n_slots; f++)
		if (ds->slots[f].pub.kind == kind)
			return 1;
	return 0;
}

size_t kith_dataset_bytes(const struct kith_dataset *ds)
{
	return ds->cap * (sizeof(struct rec) + sizeof(uint32_t) + ds->nfc * sizeof(struct fval)) +
	       ds->cap_names * sizeof(struct name_entry) + ds->arena.cap + ds->ids.cap * 16;
}

/* --- comparison */

/*
 * Whether a, two syllables read as a surname and a given syllable (봉랑, "Mal Jong", "Nam Song"),
 * is, in the order written, the given name of b, a surname and two given syllables (이봉랑, 이말정):
 * a given name written alone whose first or last syllable is also a surname. The key of a read as
 * a given name alone (kith_names_query_keys) is one of b's given-name keys (kith_names_keys).
 */
static int given_as_surname(const struct kith_name *a, const struct kith_name *b)
{
	if (a->n_syl != 2 || a->n_sur != 1 || b->n_syl != 3 || b->n_sur != 1 ||
	    (a->flags & KITH_NAMES_F_TYPO))
		return 0;
	/* a's keys as a query hold the key of a read as a given name alone; its own keys and word keys
	 * are left out (blocking already found the two through some key) */
	uint64_t q[KITH_NAMES_MAX_QKEYS], own[KITH_NAMES_MAX_KEYS], words[KITH_NAMES_MAX_KEYS],
	    kb[KITH_NAMES_MAX_KEYS];
	size_t nq = kith_names_query_keys(a, q), no = kith_names_keys(a, own),
	       nw = kith_names_word_keys(a, words), nb = kith_names_keys(b, kb);
	for (size_t i = 0; i < nq; i++) {
		int other = 0;
		for (size_t k = 0; k < no && !other; k++)
			other = q[i] == own[k];
		for (size_t k = 0; k < nw && !other; k++)
			other = q[i] == words[k];
		if (other)
			continue;
		for (size_t k = 0; k < nb; k++)
			if (q[i] == kb[k])
				return 1;
	}
	/* the same on the coarse codes, for a read surname first: its second syllable's initial took
	 * the class of a given name's first (the initial-sound fold: 랑 as 1117, not 717), so only
	 * its vowel and final are compared */
	uint16_t ca[KITH_NAMES_MAX_SYL], cb[KITH_NAMES_MAX_SYL];
	size_t sa, sb;
	if ((a->flags & KITH_NAMES_F_WESTERN) || kith_names_codes(a, 0, ca, &sa) != 2 || sa != 1 ||
	    kith_names_codes(b, 0, cb, &sb) != 3 || sb != 1)
		return 0;
	return ca[0] == cb[1] && ca[1] % 100 == cb[2] % 100;
}

static double name_pair_sim(const struct kith_dataset *ds, const struct name_entry *x,
			    const struct name_entry *y, int *exact, int *engine)
{
	if (x->fold_len == y->fold_len &&
	    memcmp(arena_str(ds, x->fold_off), arena_str(ds, y->fold_off), x->fold_len) == 0) {
		*exact = 1;
		*engine = x->korean && y->korean;
		return 1.0;
	}
	*exact = 0;
	/* a given name alone in Latin letters ("Se-min", "Hye-mae") is compared by the engine against a
	 * Korean name (through its query score below): by Jaro–Winkler of the letters it was "different"
	 * from 정세민, although its keys had brought the two together */
	if ((x->korean || (x->latin_given && y->korean)) && (y->korean || (y->latin_given && x->korean))) {
		*engine = 1;
		double sim = kith_names_similarity(&x->enc, &y->enc);
		/* a given name written alone ("Myong-ho", 명호) against a full name: how well it is that
		 * name's given name, at most at the level "weak" (a given name alone is weaker evidence) */
		const struct kith_name *a = &x->enc, *b = &y->enc;
		if (a->n_syl > b->n_syl) {
			const struct kith_name *t = a;
			a = b;
			b = t;
		}
		if (!a->n_sur && !(a->flags & KITH_NAMES_F_SURONLY) && b->n_sur &&
		    a->n_syl + b->n_sur == b->n_syl) {
			double q = kith_names_query_score(a, b);
			if (q > ds->name_t2)
				q = ds->name_t2;
			if (q > sim)
				sim = q;
		} else if (sim < ds->name_t2 && given_as_surname(a, b)) {
			sim = ds->name_t2;
		}
		return sim;
	}
	*engine = 0;
	return kith_compare_jaro_winkler(arena_str(ds, x->fold_off), x->fold_len, arena_str(ds, y->fold_off),
					 y->fold_len);
}

/* Whether a and b differ by at most one edit: a letter changed, added or dropped, or two adjacent
 * letters swapped (the optimal string alignment distance is at most 1). */
static int one_edit(const char *a, size_t la, const char *b, size_t lb)
{
	if (la < lb) {
		const char *t = a;
		a = b;
		b = t;
		size_t n = la;
		la = lb;
		lb = n;
	}
	if (la - lb > 1)
		return 0;
	size_t i = 0;
	while (i < lb && a[i] == b[i])
		i++;
	if (i == lb)
		return 1;
	if (la == lb)
		return memcmp(a + i + 1, b + i + 1, la - i - 1) == 0 ||
		       (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
			memcmp(a + i + 2, b + i + 2, la - i - 2) == 0);
	return memcmp(a + i + 1, b + i, lb - i) == 0;
}

static int at_most_two_bits(uint32_t d)
{
	d &= d - 1;
	d &= d - 1;
	return d == 0;
}

/* The level "typo" between two names: one of them romanized, a skeleton of each
 * (skel_spelling) one edit apart with the same first letter (a slip in the surname's first
 * letter makes another surname: 임/김, 조/최). */
static int skel_near(const struct kith_dataset *ds, const struct name_entry *x, const struct name_entry *y)
{
	if (!(x->latin || y->latin) || !x->n_skel || !y->n_skel)
		return 0;
	/* one edit changes at most two of the letters present, and the length by at most one: most
	 * pairs (random pairs for u above all) are refused here without reading the arena */
	int any = 0;
	for (size_t i = 0; i < x->n_skel && !any; i++)
		for (size_t j = 0; j < y->n_skel && !any; j++)
			any = x->skel_len[i] + 1 >= y->skel_len[j] && y->skel_len[j] + 1 >= x->skel_len[i] &&
			      at_most_two_bits(x->skel_mask[i] ^ y->skel_mask[j]);
	if (!any)
		return 0;
	const char *p = arena_str(ds, x->skel_off);
	for (size_t i = 0; i < x->n_skel; p += x->skel_len[i] + 1, i++) {
		const char *q = arena_str(ds, y->skel_off);
		for (size_t j = 0; j < y->n_skel; q += y->skel_len[j] + 1, j++)
			if (p[0] == q[0] && x->skel_len[i] + 1 >= y->skel_len[j] &&
			    y->skel_len[j] + 1 >= x->skel_len[i] &&
			    at_most_two_bits(x->skel_mask[i] ^ y->skel_mask[j]) &&
			    one_edit(p, x->skel_len[i], q, y->skel_len[j]))
				return 1;
	}
	return 0;
}

/*
 * The level "slip" (issue 13, eleventh session): two names in Hangul, surname first, alike but for
 * one jamo of one given syllable, where that jamo is one a listener or a typist confuses. A slip of
 * hearing or of typing changes a sound for a near one; a namesake differs by any jamo. The classes
 * come from Korean phonology, each a pair one feature apart:
 *   vowels  ㅐ/ㅔ and ㅒ/ㅖ (merged in today's speech, both [e]/[je]); ㅔ/ㅖ (ㅖ after a consonant
 *           is said [e]); ㅙ/ㅚ/ㅞ (merged, [we]); ㅢ/ㅣ (ㅢ after a consonant is said [i]); ㅓ/ㅗ,
 *           ㅕ/ㅛ and ㅜ/ㅡ (rounding only: McCune–Reischauer without breves writes ŏ, yŏ and ŭ as
 *           o, yo and u, and ㅓ is rounded in the North); ㅏ/ㅓ, ㅑ/ㅕ and ㅘ/ㅝ ([a] and [ʌ], both
 *           unrounded and open: the common English spelling's "u" of Sun, Jung);
 *   finals  ㄴ/ㅇ (the nasal codas n/ng, apart by the place only); ㄴ/ㅁ before ㅁ, ㅂ, ㅃ or ㅍ
 *           (said [m] there: 신민 [심민]); a final gained or lost, other than ㅇ (the finals move
 *           into a following vowel's syllable, 옥이 [오기], or are unreleased stops; ㅇ [ŋ] stays).
 * Pairs apart by another vowel (ㅏ/ㅐ), another final (ㄱ/ㄴ) or an initial (ㄱ/ㅋ: another
 * syllable the names engine already folds when it is a spelling) stay at their engine level.
 * 10,000 synth people, seed 1: 177 of the 752 compared pairs at "slip" are matches, 0 of
 * 1,751 pairs one other vowel apart (docs/linkage.md).
 */
static const uint8_t slip_vowel_pairs[][2] = {
    {V_AE, V_E}, {V_YAE, V_YE}, {V_E, V_YE}, {V_WAE, V_OE}, {V_WAE, V_WE}, {V_OE, V_WE}, {V_UI, V_I},
    {V_EO, V_O}, {V_YEO, V_YO}, {V_U, V_EU}, {V_A, V_EO},   {V_YA, V_YEO}, {V_WA, V_WO},
};
#define SLIP_MAX_SYL 6

/* Syllable indexes (code - U+AC00) of a text of Hangul syllables only; 0 when it holds anything
 * else or more than max. */
static size_t hangul_syllables(const char *s, size_t len, unsigned *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	if (len % 3 || len / 3 > max)
		return 0;
	for (size_t i = 0; i < len; i += 3) {
		if ((p[i] & 0xF0) != 0xE0 || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80)
			return 0;
		uint32_t c =
		    ((uint32_t)(p[i] & 0x0F) << 12) | ((uint32_t)(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
		if (c < JAMO_BASE || c >= JAMO_BASE + JAMO_NSYL)
			return 0;
		out[i / 3] = c - JAMO_BASE;
	}
	return len / 3;
}

/* Whether syllables a and b (indexes from U+AC00) are one sound-alike jamo apart; next is the
 * following syllable's index, or -1 at the end of the name. */
static int jamo_slip(unsigned a, unsigned b, long next)
{
	unsigned va = jamo_V(a), ta = jamo_T(a), vb = jamo_V(b), tb = jamo_T(b);
	if (jamo_L(a) != jamo_L(b))
		return 0;
	if (va != vb) {
		if (ta != tb)
			return 0;
		for (size_t i = 0; i < sizeof slip_vowel_pairs / sizeof slip_vowel_pairs[0]; i++)
			if ((va == slip_vowel_pairs[i][0] && vb == slip_vowel_pairs[i][1]) ||
			    (vb == slip_vowel_pairs[i][0] && va == slip_vowel_pairs[i][1]))
				return 1;
		return 0;
	}
	if (ta == tb)
		return 0;
	unsigned lo = ta < tb ? ta : tb, hi = ta < tb ? tb : ta;
	if (lo == F_N && hi == F_NG)
		return 1;
	if (lo == 0)
		return hi != F_NG;
	if (lo == F_N && hi == F_M && next >= 0) {
		unsigned ln = jamo_L((unsigned)next); /* said [m] before a lip sound */
		return ln == I_M || ln == I_B || ln == I_PP || ln == I_P;
	}
	return 0;
}

/* Whether two surname syllables differ only by the initial-sound rule (리/이, 류/유, 노/로):
 * initials ㄹ, ㄴ and ㅇ before the same vowel and final. */
static int initial_sound(unsigned a, unsigned b)
{
	unsigned la = jamo_L(a), lb = jamo_L(b);
	return a % (JAMO_NV * JAMO_NT) == b % (JAMO_NV * JAMO_NT) && (la == I_N || la == I_R || la == I_O) &&
	       (lb == I_N || lb == I_R || lb == I_O);
}

/* The level "slip" between two name entries (above). */
static int hangul_slip(const struct kith_dataset *ds, const struct name_entry *x, const struct name_entry *y)
{
	if (!x->korean || !y->korean || x->fold_len != y->fold_len || x->fold_len < 6)
		return 0;
	const char *p = arena_str(ds, x->fold_off), *q = arena_str(ds, y->fold_off);
	unsigned a[SLIP_MAX_SYL], b[SLIP_MAX_SYL];
	size_t n = hangul_syllables(p, x->fold_len, a, SLIP_MAX_SYL);
	if (n < 2 || hangul_syllables(q, y->fold_len, b, SLIP_MAX_SYL) != n)
		return 0;
	if (a[0] != b[0] && !initial_sound(a[0], b[0])) /* the surname: at most its initial (리/이) */
		return 0;
	size_t diff = 0, at = 0;
	for (size_t i = 1; i < n; i++)
		if (a[i] != b[i]) {
			diff++;
			at = i;
		}
	return diff == 1 && jamo_slip(a[at], b[at], at + 1 < n ? (long)a[at + 1] : -1);
}

/* Best name pair of records a and b: level, similarity and the indexes. */
static unsigned name_level(const struct kith_dataset *ds, const struct rec *ra, const struct rec *rb,
			   double *best_sim, size_t *bi, size_t *bj)
{
	if (!ra->n_names || !rb->n_names)
		return KITH_DATASET_MISSING;
	unsigned best = 0;
	double bs = -1;
	for (size_t i = 0; i < ra->n_names; i++) {
		const struct name_entry *x = &ds->names[ra->name0 + i];
		for (size_t j = 0; j < rb->n_names; j++) {
			const struct name_entry *y = &ds->names[rb->name0 + j];
			int exact, engine;
			double sim = name_pair_sim(ds, x, y, &exact, &engine);
			double t1 = engine ? ds->name_t1 : ds->jw_t1, t2 = engine ? ds->name_t2 : ds->jw_t2;
			double t3 = t2 - NAME_PARTIAL_GAP;
			unsigned lv = exact || sim >= 1.0 - 1e-12 ? NAME_EXACT
				      : sim >= t1		  ? NAME_SIMILAR
				      : sim >= t2		  ? NAME_WEAK
				      : sim >= t3		  ? NAME_PARTIAL
								  : 0u;
			if (lv > best || (lv == best && sim > bs)) {
				best = lv;
				bs = sim;
				if (bi) {
					*bi = i;
					*bj = j;
				}
				if (lv == NAME_EXACT && sim >= 1.0)
					goto done; /* nothing beats the same name */
			}
		}
	}
	if (best == 0 && (((ra->skel & SKEL_LATIN) && rb->skel) || ((rb->skel & SKEL_LATIN) && ra->skel))) {
		/* "typo": one letter slip between a romanized name and the other's letters */
		for (size_t i = 0; i < ra->n_names && !best; i++)
			for (size_t j = 0; j < rb->n_names && !best; j++)
				if (skel_near(ds, &ds->names[ra->name0 + i], &ds->names[rb->name0 + j])) {
					best = NAME_TYPO;
					if (bi) {
						*bi = i;
						*bj = j;
					}
				}
	}
	if (best < NAME_SLIP_BELOW) {
		/* "slip": one sound-alike jamo apart, two names in Hangul */
		for (size_t i = 0; i < ra->n_names && best != NAME_SLIP; i++)
			for (size_t j = 0; j < rb->n_names && best != NAME_SLIP; j++)
				if (hangul_slip(ds, &ds->names[ra->name0 + i], &ds->names[rb->name0 + j])) {
					best = NAME_SLIP;
					if (bi) {
						*bi = i;
						*bj = j;
					}
				}
	}
done:
	if (best_sim)
		*best_sim = bs;
	return best;
}

/*
 * The birth's level (birth_levels): the date levels one above their kith_compare_date_level value,
 * and level 0, "dates differ", for two full dates within a year of each other that are neither
 * equal nor a typo of each other and differ in month or day. Synth lists copy a person's date with a
 * slipped day or a year off by one, so among matches that level is rare, while among namesakes born
 * the same year it is the rule: lumped with "same year" (one side a year only) it weighed as
 * agreement. Two full dates with the same month and day a year apart are a typo (the year slipped).
 * Without that level (dates_differ 0; every dataset takes it since the seventh pass) the levels are
 * the date levels.
 */
static unsigned birth_level(const struct rec *ra, const struct rec *rb, int dates_differ)
{
	if (!ra->birth.year || !rb->birth.year)
		return KITH_DATASET_MISSING;
	int d = ra->birth.year - rb->birth.year;
	unsigned off = dates_differ ? 1u : 0u; /* the date levels sit one up when level 0 is taken */
	if (ra->birth_approx != rb->birth_approx) {
		/* an age A in year Y says born in Y - A, or in Y - A - 1 before the birthday: the year from
		 * the age is the birth year or one after it, never one before (but by a slip) */
		int e = ra->birth_approx ? d : -d; /* year from the age minus the year given */
		return off + (e == 0 || e == 1	  ? KITH_COMPARE_DATE_YEAR
			      : e == -1 || e == 2 ? KITH_COMPARE_DATE_NEAR
						  : KITH_COMPARE_DATE_OTHER);
	}
	if (d < 0)
		d = -d;
	if (ra->birth_approx)
		return off + (d <= 1   ? KITH_COMPARE_DATE_YEAR
			      : d == 2 ? KITH_COMPARE_DATE_NEAR
				       : KITH_COMPARE_DATE_OTHER);
	unsigned lv = (unsigned)kith_compare_date_level(&ra->birth, &rb->birth);
	if (!dates_differ)
		return lv;
	if (ra->birth.day && rb->birth.day && d <= 1 && lv < KITH_COMPARE_DATE_TYPO) {
		if (ra->birth.month == rb->birth.month && ra->birth.day == rb->birth.day)
			return 1u + KITH_COMPARE_DATE_TYPO;
		return 0u;
	}
	return 1u + lv;
}

static unsigned field_level(const struct kith_dataset *ds, const struct fslot *s, size_t a, size_t b,
			    double *sim)
{
	const struct rec *ra = &ds->recs[a], *rb = &ds->recs[b];
	switch (s->pub.kind) {
	case KITH_DS_NAME:
		return name_level(ds, ra, rb, sim, NULL, NULL);
	case KITH_DS_SEX:
		if (!ra->sex || !rb->sex)
			return KITH_DATASET_MISSING;
		return ra->sex == rb->sex ? 1u : 0u;
	case KITH_DS_BIRTH:
		return birth_level(ra, rb, ds->dates_differ);
	case KITH_DS_ORIGIN:
		if (!ra->origin_hash || !rb->origin_hash)
			return KITH_DATASET_MISSING;
		if (ra->origin_hash == rb->origin_hash)
			return 2u;
		if (ra->origin_province && rb->origin_province)
			return 0u;
		{
			double j = kith_compare_jaro_winkler(arena_str(ds, ra->origin_off), ra->origin_len,
							     arena_str(ds, rb->origin_off), rb->origin_len);
			if (sim)
				*sim = j;
			return j >= 0.9 ? 1u : 0u;
		}
	case KITH_DS_EXACT: {
		const struct fval *x = val_at(ds, a, (size_t)s->cfg_index),
				  *y = val_at(ds, b, (size_t)s->cfg_index);
		if (!x->hash || !y->hash)
			return KITH_DATASET_MISSING;
		return x->hash == y->hash ? 1u : 0u;
	}
	case KITH_DS_FUZZY: {
		const struct fval *x = val_at(ds, a, (size_t)s->cfg_index),
				  *y = val_at(ds, b, (size_t)s->cfg_index);
		if (!x->hash || !y->hash)
			return KITH_DATASET_MISSING;
		if (x->hash == y->hash && x->len == y->len)
			return 3u;
		double j = kith_compare_jaro_winkler(fval_str(ds, x), x->len, fval_str(ds, y), y->len);
		if (sim)
			*sim = j;
		return j >= s->t1 ? 2u : j >= s->t2 ? 1u : 0u;
	}
	case KITH_DS_DATE: {
		const struct fval *x = val_at(ds, a, (size_t)s->cfg_index),
				  *y = val_at(ds, b, (size_t)s->cfg_index);
		if (!x->hash || !y->hash)
			return KITH_DATASET_MISSING;
		return (unsigned)kith_compare_date_level(&x->date, &y->date);
	}
	case KITH_DS_LIST:
		return ra->source == rb->source ? 0u : 1u;
	}
	return KITH_DATASET_MISSING;
}

uint64_t kith_dataset_gamma(const struct kith_dataset *ds, size_t a, size_t b)
{
	uint64_t g = 0;
	for (size_t f = 0; f < ds->n_slots; f++)
		g |= (uint64_t)field_level(ds, &ds->slots[f], a, b, NULL) << (4 * f);
	return g;
}

static double clamp_bits(double x, double lim)
{
	return x > lim ? lim : x < -lim ? -lim : x;
}

double kith_dataset_tf_bits(const struct kith_dataset *ds, size_t a, size_t b, uint64_t g, size_t f)
{
	if (f >= ds->n_slots || !ds->slots[f].pub.tf)
		return 0.0;
	const struct fslot *s = &ds->slots[f];
	unsigned lv = kith_dataset_level(g, f);
	if (lv == KITH_DATASET_MISSING)
		return 0.0;
	if (s->pub.kind == KITH_DS_NAME) {
		if (lv < NAME_SIMILAR || ds->name_mean_share <= 0)
			return 0.0;
		const struct rec *ra = &ds->recs[a], *rb = &ds->recs[b];
		size_t bi = 0, bj = 0;
		name_level(ds, ra, rb, NULL, &bi, &bj);
		const struct name_entry *x = &ds->names[ra->name0 + bi], *y = &ds->names[rb->name0 + bj];
		if (!x->surname_key || x->surname_key != y->surname_key)
			return 0.0;
		double sh = bi == 0 && ra->name_share > 0 ? ra->name_share
			    : x->share > 0		  ? x->share
							  : ra->name_share;
		if (sh <= 0)
			return 0.0;
		return clamp_bits(log2(ds->name_mean_share / sh), ds->tf_max);
	}
	if ((int)lv != s->pub.n_levels - 1 || s->cfg_index < 0 || s->mean_share <= 0)
		return 0.0;
	double sh = val_at(ds, a, (size_t)s->cfg_index)->share;
	if (sh <= 0)
		return 0.0;
	return clamp_bits(log2(s->mean_share / sh), ds->tf_max);
}

void kith_dataset_describe(const struct kith_dataset *ds, size_t a, size_t b, size_t f, char *out,
			   size_t outsz)
{
	if (f >= ds->n_slots) {
		snprintf(out, outsz, "?");
		return;
	}
	const struct fslot *s = &ds->slots[f];
	const struct rec *ra = &ds->recs[a], *rb = &ds->recs[b];
	double sim = -1;
	unsigned lv = field_level(ds, s, a, b, &sim);
	if (lv == KITH_DATASET_MISSING) {
		snprintf(out, outsz, "missing");
		return;
	}
	switch (s->pub.kind) {
	case KITH_DS_NAME: {
		size_t bi = 0, bj = 0;
		name_level(ds, ra, rb, &sim, &bi, &bj);
		int engine = ds->names[ra->name0 + bi].korean && ds->names[rb->name0 + bj].korean;
		snprintf(out, outsz, "similarity %.3f (%s, names %zu/%zu)", sim,
			 engine ? "names engine" : "jaro-winkler", bi + 1, bj + 1);
		break;
	}
	case KITH_DS_BIRTH:
		snprintf(out, outsz, "years %d%s vs %d%s", ra->birth.year,
			 ra->birth_approx ? " (from age)" : "", rb->birth.year,
			 rb->birth_approx ? " (from age)" : "");
		break;
	case KITH_DS_DATE: {
		const struct fval *x = val_at(ds, a, (size_t)s->cfg_index),
				  *y = val_at(ds, b, (size_t)s->cfg_index);
		snprintf(out, outsz, "years %d vs %d", x->date.year, y->date.year);
		break;
	}
	case KITH_DS_FUZZY:
	case KITH_DS_ORIGIN:
		if (sim >= 0)
			snprintf(out, outsz, "similarity %.3f", sim);
		else
			snprintf(out, outsz, "%s", s->pub.level_names[lv]);
		break;
	default:
		snprintf(out, outsz, "%s", s->pub.level_names[lv]);
		break;
	}
}

/* --- blocking values */

static int prefix_bytes(const char *s, size_t len, int chars)
{
	size_t i = 0;
	int c = 0;
	while (i < len && c < chars) {
		unsigned char b = (unsigned char)s[i];
		size_t k = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
		i += k;
		c++;
	}
	return (int)(i > len ? len : i);
}

/*
 * Blocking keys of a name's letter skeletons (skel_spelling), so that two names one slip apart
 * (the level "typo": a letter changed, added or dropped, two adjacent letters swapped, the first
 * letter kept) meet although the names engine reads them as other syllables and they share no
 * other key ("Son e In" / 손애인, "Gim Inian" / 김인단): each skeleton, and each with one letter
 * after the first dropped (two skeletons one edit apart share one of these). Added to keys[0..n)
 * without repeating one; returns the new n (at most max).
 */
static size_t skel_keys(const struct kith_dataset *ds, const struct name_entry *e, uint64_t *keys, size_t n,
			size_t max)
{
	const char *p = e->n_skel ? arena_str(ds, e->skel_off) : NULL;
	char buf[SKEL_LETTERS];
	for (size_t i = 0; i < e->n_skel; p += e->skel_len[i] + 1, i++) {
		size_t len = e->skel_len[i];
		for (size_t d = 1; d <= len; d++) { /* d == len: the whole skeleton */
			size_t m = 0;
			for (size_t t = 0; t < len; t++)
				if (t != d)
					buf[m++] = p[t];
			uint64_t key = kith_compare_hash_mix(kith_compare_hash(buf, m), SKEL_TAG) |
				       KITH_DATASET_KEY_LATE;
			int dup = 0;
			for (size_t u = 0; u < n; u++)
				dup |= keys[u] == key;
			if (!dup && n < max)
				keys[n++] = key;
		}
	}
	sodium_memzero(buf, sizeof buf);
	return n;
}

size_t kith_dataset_block_values(const struct kith_dataset *ds, size_t i, const struct kith_linkcfg_comp *c,
				 uint64_t *keys, size_t max)
{
	const struct rec *r = &ds->recs[i];
	if (max == 0)
		return 0;
	switch (c->kind) {
	case KITH_BLOCK_NAME: {
		size_t n = 0;
		for (size_t k = 0; k < r->n_names; k++) {
			const struct name_entry *e = &ds->names[r->name0 + k];
			uint64_t tmp[16];
			size_t m = 0;
			if (e->korean) {
				m = kith_names_keys(&e->enc, tmp);
			} else {
				/* Latin names: every word of two letters or more */
				const char *f = arena_str(ds, e->fold_off);
				size_t p = 0;
				while (p < e->fold_len && m < 8) {
					size_t q = p;
					while (q < e->fold_len && f[q] != ' ')
						q++;
					if (q - p >= 2)
						tmp[m++] = kith_compare_hash_mix(
						    kith_compare_hash(f + p, q - p), 0x6e616d65);
					p = q + 1;
				}
			}
			for (size_t t = 0; t < e->n_gkeys && m < 16; t++)
				tmp[m++] = e->gkeys[t];
			for (size_t t = 0; t < e->n_akeys && m < 16; t++)
				tmp[m++] = e->akeys[t];
			for (size_t t = 0; t < m; t++) {
				uint64_t key =
				    tmp[t] & ~KITH_DATASET_KEY_LATE ? tmp[t] & ~KITH_DATASET_KEY_LATE : 1;
				int dup = 0;
				for (size_t u = 0; u < n; u++)
					dup |= keys[u] == key;
				if (!dup && n < max)
					keys[n++] = key;
			}
		}
		/* after every name's own keys, so that a cap never drops those; not for large data (a
		 * model trained on a sample): there the strict rules join the name with other fields, the
		 * skeletons' keys made the million synth records' blocking half as costly again (CPU 97 ->
		 * 141 s) for links F1 0.6485 -> 0.6483 */
		if (r->skel && !ds->cfg.train_records && !ds->cfg.n_train_rules)
			for (size_t k = 0; k < r->n_names; k++)
				n = skel_keys(ds, &ds->names[r->name0 + k], keys, n, max);
		return n;
	}
	case KITH_BLOCK_FULLNAME: {
		size_t n = 0;
		for (size_t k = 0; k < r->n_names; k++) {
			uint64_t tmp[2];
			size_t m = kith_names_whole_keys(&ds->names[r->name0 + k].enc, tmp);
			for (size_t t = 0; t < m; t++) {
				int dup = 0;
				for (size_t u = 0; u < n; u++)
					dup |= keys[u] == tmp[t];
				if (!dup && n < max)
					keys[n++] = tmp[t];
			}
		}
		return n;
	}
	case KITH_BLOCK_SURNAME:
		if (!r->n_names || !ds->names[r->name0].surname_key)
			return 0;
		keys[0] = ds->names[r->name0].surname_key;
		return 1;
	case KITH_BLOCK_BIRTH_YEAR:
		if (!r->birth.year)
			return 0;
		keys[0] = (uint64_t)r->birth.year;
		return 1;
	case KITH_BLOCK_SEX:
		if (!r->sex)
			return 0;
		keys[0] = r->sex;
		return 1;
	case KITH_BLOCK_ORIGIN:
		if (!r->origin_hash)
			return 0;
		keys[0] = r->origin_hash;
		return 1;
	case KITH_BLOCK_SOURCE:
		keys[0] = (uint64_t)r->source + 1;
		return 1;
	case KITH_BLOCK_FIELD:
	case KITH_BLOCK_PREFIX:
	case KITH_BLOCK_YEAR: {
		int f = field_of_column(&ds->cfg, c->column);
		if (f < 0)
			return 0;
		const struct fval *v = &val_at(ds, i, f)[0];
		if (!v->hash)
			return 0;
		if (c->kind == KITH_BLOCK_FIELD) {
			keys[0] = v->hash;
		} else if (c->kind == KITH_BLOCK_YEAR) {
			if (!v->date.year)
				return 0;
			keys[0] = (uint64_t)v->date.year;
		} else {
			if (ds->cfg.fields[f].type == KITH_LINKCFG_DATE)
				return 0;
			const char *s = fval_str(ds, v);
			keys[0] = kith_compare_hash(s, (size_t)prefix_bytes(s, v->len, c->prefix));
		}
		return 1;
	}
	}
	return 0;
}

int kith_dataset_check_rule(const struct kith_dataset *ds, const struct kith_linkcfg_rule *r,
			    struct kith_err *err)
{
	for (size_t k = 0; k < r->n_comp; k++) {
		const struct kith_linkcfg_comp *c = &r->comp[k];
		enum kith_dataset_kind need;
		switch (c->kind) {
		case KITH_BLOCK_NAME:
		case KITH_BLOCK_SURNAME:
		case KITH_BLOCK_FULLNAME:
			need = KITH_DS_NAME;
			break;
		case KITH_BLOCK_BIRTH_YEAR:
			need = KITH_DS_BIRTH;
			break;
		case KITH_BLOCK_SEX:
			need = KITH_DS_SEX;
			break;
		case KITH_BLOCK_ORIGIN:
			need = KITH_DS_ORIGIN;
			break;
		case KITH_BLOCK_SOURCE:
			continue;
		default: {
			int f = field_of_column(&ds->cfg, c->column);
			if (f < 0)
				return kith_err_set(
				    err, KITH_E_INVALID, r->text,
				    "blocking rule component %zu names '%s', which is not a declared field",
				    k + 1, c->column);
			if (c->kind == KITH_BLOCK_YEAR && ds->cfg.fields[f].type != KITH_LINKCFG_DATE)
				return kith_err_set(err, KITH_E_INVALID, r->text,
						    "blocking rule component %zu: year: needs a date field",
						    k + 1);
			if (c->kind == KITH_BLOCK_PREFIX && ds->cfg.fields[f].type == KITH_LINKCFG_DATE)
				return kith_err_set(err, KITH_E_INVALID, r->text,
						    "blocking rule component %zu: prefix: needs a text field",
						    k + 1);
			continue;
		}
		}
		if (!kith_dataset_has(ds, need))
			return kith_err_set(err, KITH_E_INVALID, r->text,
					    "blocking rule component %zu needs a field that no record has",
					    k + 1);
	}
	return KITH_OK;
}
