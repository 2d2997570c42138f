/*
 * encode — keyed, hardened Bloom-filter encodings of a record (see encode.h).
 */
#include "pprl/encode.h"

#include <math.h>
#include <string.h>

#include <sodium.h>

#include "names/jamo.h"
#include "names/names.h"

/* Subkeys of the secret (crypto_kdf ids) */
enum { SK_NAME = 1, SK_JOINT, SK_SEX, SK_BIRTH, SK_ORIGIN, SK_KEYID, SK_COUNT };

#define KDF_CTX "kithpprl" /* crypto_kdf_CONTEXTBYTES == 8 */

/* Bits per token, by kind */
#define K_GIVEN 18 /* a given-name syllable */
#define K_JAMO 8   /* two of the three letter classes of a given-name syllable */
#define K_JOINT 18 /* two syllables of the name (unordered), or the bag of all */
#define K_ORDER 10 /* two given syllables in order */
#define K_SURNAME 18
#define K_LATIN 12 /* a bigram of a name that is not Korean */
#define K_SEX 8
#define K_YEAR 6 /* the birth year (in the birth region) */
#define K_NEAR 6 /* a year the birth may be */
#define K_DATE 4 /* the month, the day of a full date */
#define K_ORIGIN 12

struct kith_pprl_key {
	uint8_t sub[SK_COUNT][crypto_generichash_KEYBYTES];
};

int kith_pprl_params_check(const struct kith_pprl_params *p, struct kith_err *err)
{
	if (p->flip > KITH_PPRL_FLIP_MAX || isnan(p->flip))
		return kith_err_set(err, KITH_E_INVALID, "flip",
				    "a flip probability above %.2f leaves nothing to link",
				    KITH_PPRL_FLIP_MAX);
	if (p->allow_weak)
		return KITH_OK;
	if (p->weak & KITH_PPRL_WEAK_NOFOLD)
		return kith_err_set(err, KITH_E_INVALID, "fold",
				    "unfolded filters are open to pattern mining; --allow-weak accepts them");
	if (p->weak & KITH_PPRL_WEAK_SURNAME)
		return kith_err_set(err, KITH_E_INVALID, "surname",
				    "a token of the surname alone is open to frequency attacks; --allow-weak "
				    "accepts it");
	if (p->flip < 0 || (p->flip > 0 && p->flip < KITH_PPRL_FLIP_MIN))
		return kith_err_set(
		    err, KITH_E_INVALID, "flip",
		    "a flip probability below %.2f gives no deniability; --allow-weak accepts it",
		    KITH_PPRL_FLIP_MIN);
	if (p->seed)
		return kith_err_set(
		    err, KITH_E_INVALID, "deterministic-seed",
		    "flips drawn from a given seed can be drawn again by whoever knows it, and "
		    "undone; --allow-weak accepts them");
	return KITH_OK;
}

double kith_pprl_params_flip(const struct kith_pprl_params *p)
{
	if (p->flip < 0)
		return 0;
	return p->flip == 0 ? KITH_PPRL_FLIP_DEFAULT : p->flip;
}

int kith_pprl_key_new(struct kith_pprl_key **out, const uint8_t *secret, size_t len, struct kith_err *err)
{
	if (len < KITH_PPRL_SECRET_MIN)
		return kith_err_set(err, KITH_E_INVALID, "secret", "the secret is shorter than %u bytes",
				    KITH_PPRL_SECRET_MIN);
	if (len > KITH_PPRL_SECRET_MAX)
		return kith_err_set(err, KITH_E_INVALID, "secret", "the secret is longer than %u bytes",
				    KITH_PPRL_SECRET_MAX);
	struct kith_pprl_key *k = sodium_malloc(sizeof *k);
	uint8_t *master = sodium_malloc(crypto_kdf_KEYBYTES);
	if (!k || !master) {
		sodium_free(k);
		sodium_free(master);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	/* the master key: BLAKE2b of the secret under a fixed personalization */
	static const uint8_t label[] = "kith pprl master key v1";
	crypto_generichash_state st;
	crypto_generichash_init(&st, label, sizeof label - 1, crypto_kdf_KEYBYTES);
	crypto_generichash_update(&st, secret, len);
	crypto_generichash_final(&st, master, crypto_kdf_KEYBYTES);
	sodium_memzero(&st, sizeof st);
	for (unsigned i = 1; i < SK_COUNT; i++)
		crypto_kdf_derive_from_key(k->sub[i], sizeof k->sub[i], i, KDF_CTX, master);
	sodium_memzero(k->sub[0], sizeof k->sub[0]);
	sodium_free(master);
	*out = k;
	return KITH_OK;
}

void kith_pprl_key_free(struct kith_pprl_key *k)
{
	sodium_free(k); /* sodium_free wipes */
}

void kith_pprl_key_id(const struct kith_pprl_key *k, uint8_t id[KITH_PPRL_KEYID_BYTES])
{
	static const uint8_t c[] = "kith pprl key id";
	crypto_generichash(id, KITH_PPRL_KEYID_BYTES, c, sizeof c - 1, k->sub[SK_KEYID],
			   sizeof k->sub[SK_KEYID]);
}

/* --- building a filter */

struct builder {
	const struct kith_pprl_key *key;
	uint64_t *bits;	 /* m bits: the main region, before folding */
	unsigned m;	 /* 2 × or 1 × KITH_PPRL_MAIN_BITS */
	uint64_t *birth; /* mb bits: the birth region, before folding */
	unsigned mb;	 /* 2 × or 1 × KITH_PPRL_BIRTH_BITS */
	int failed;
};

/* Sets k (at most 32) independent keyed positions of token t[0..n) of field
 * sk: in the birth region for SK_BIRTH, else in the main region. */
static void put(struct builder *b, unsigned sk, const uint8_t *t, size_t n, unsigned k)
{
	uint8_t h[64];
	if (crypto_generichash(h, sizeof h, t, n, b->key->sub[sk], sizeof b->key->sub[sk]) != 0) {
		b->failed = 1;
		return;
	}
	uint64_t *bits = sk == SK_BIRTH ? b->birth : b->bits;
	unsigned m = sk == SK_BIRTH ? b->mb : b->m;
	for (unsigned i = 0; i < k && i < 32; i++) {
		unsigned pos = ((unsigned)h[2 * i] | (unsigned)h[2 * i + 1] << 8) % m;
		bits[pos / 64] |= (uint64_t)1 << (pos % 64);
	}
	sodium_memzero(h, sizeof h);
}

/* A token of a type letter and up to three small numbers. */
static void put3(struct builder *b, unsigned sk, char type, unsigned x, unsigned y, unsigned z, unsigned k)
{
	uint8_t t[7] = {(uint8_t)type, (uint8_t)(x >> 8), (uint8_t)x, (uint8_t)(y >> 8),
			(uint8_t)y,    (uint8_t)(z >> 8), (uint8_t)z};
	put(b, sk, t, sizeof t, k);
}

/* ㄴ, ㄹ and ㅇ as initials: one class everywhere (North/South initial sounds
 * and their spellings — 림/임, 련/연 — move between them in any syllable) */
static void fold_codes(uint16_t *code, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned ini = code[i] / 100u;
		if (ini == 6 || ini == 7 || ini == 10)
			code[i] = (uint16_t)(11u * 100u + code[i] % 100u);
	}
}

/*
 * The code of every syllable as the names engine reads it, in place and with
 * no liaison: the same class wherever the syllable stands (every initial
 * folded as at the start of a name). The engine's codes of a reading move a
 * final ㄴ ㄹ ㅁ into a next syllable that may start with ㅇ ("Geum Ryeon":
 * 그 + 면, where 김금련 keeps 금 + 련) and fold only the initials that start
 * the surname or the given name, so one name read with another syllable
 * taken for the surname ("Sung Keum Won" / 원성금) gets other codes; these
 * codes are the same in every reading and order. A romanized letter may be
 * read as letters of two classes ("Kang": ㅇ or ㅁ, "Hong": ㅇ or none, "Choi":
 * ㅐ or ㅚ) and a class is the one of its first letter; with `hi` the vowel
 * and the final take the class of their last letter instead (tuning seeds
 * 340, 440, 840: the initials too gave no more; bench/README.md, seventh
 * session). Returns the syllables.
 */
static uint32_t top_bit(uint32_t m)
{
	return m ? (uint32_t)1 << (31 - __builtin_clz(m)) : 0;
}

static size_t flat_codes(const struct kith_name *nm, int hi, uint16_t code[KITH_NAMES_MAX_SYL])
{
	size_t n = nm->n_syl < KITH_NAMES_MAX_SYL ? nm->n_syl : KITH_NAMES_MAX_SYL;
	for (size_t i = 0; i < n; i++) {
		struct kith_name_syl y = nm->syl[i];
		if (hi) {
			y.vow = top_bit(y.vow);
			y.fin = top_bit(y.fin);
		}
		code[i] = (uint16_t)(jamo_ini_class(y.ini, 1) * 100 + jamo_vow_class(y.vow) * 10 +
				     jamo_fin_class(y.fin));
	}
	return n;
}

/* Sorts a few codes (at most KITH_NAMES_MAX_SYL: insertion sort). */
static void sort_codes(uint16_t *c, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && c[j] < c[j - 1]; j--) {
			uint16_t t = c[j];
			c[j] = c[j - 1];
			c[j - 1] = t;
		}
}

/*
 * The tokens of one Korean reading. Every token that joins syllables is
 * unordered, so a name written given name first ("Su Hwa U"), read with the
 * surname at the other end, or with another syllable taken for the surname,
 * sets the same bits: each given syllable; each two of its three letter
 * classes (a typo changes one letter and keeps one of the three); each
 * unordered pair of the name's syllables, the surname's included (the
 * surname is never a token alone: only joined with a given syllable); the
 * bag of all syllables (the whole name).
 */
/* The bag of syllables code[0..n) (two or more), as one token. */
static void put_bag(struct builder *b, const uint16_t *code, size_t n)
{
	if (n < 2)
		return;
	uint8_t whole[2 + 2 * KITH_NAMES_MAX_SYL];
	uint16_t bag[KITH_NAMES_MAX_SYL];
	memcpy(bag, code, n * sizeof *bag);
	sort_codes(bag, n);
	size_t wl = 0;
	whole[wl++] = 'W';
	whole[wl++] = (uint8_t)n;
	for (size_t j = 0; j < n; j++) {
		whole[wl++] = (uint8_t)(bag[j] >> 8);
		whole[wl++] = (uint8_t)bag[j];
	}
	put(b, SK_JOINT, whole, wl, K_JOINT);
	sodium_memzero(bag, sizeof bag);
	sodium_memzero(whole, sizeof whole);
}

static void put_given(struct builder *b, const uint16_t *code, size_t n, size_t n_sur)
{
	size_t g0 = n_sur < n ? n_sur : 0; /* a surname alone is read as a given name */
	for (size_t j = g0; j < n; j++) {
		unsigned c = code[j];
		put3(b, SK_NAME, 'G', c, 0, 0, K_GIVEN);
		put3(b, SK_NAME, 'p', 0, c / 10, 0, K_JAMO);		    /* initial, vowel */
		put3(b, SK_NAME, 'p', 1, c / 100 * 10 + c % 10, 0, K_JAMO); /* initial, final */
		put3(b, SK_NAME, 'p', 2, c % 100, 0, K_JAMO);		    /* vowel, final */
	}
}

static void put_korean(struct builder *b, const uint16_t *code, size_t n, size_t n_sur, int surname_alone)
{
	size_t g0 = n_sur < n ? n_sur : 0;
	put_given(b, code, n, n_sur);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			unsigned x = code[i], y = code[j];
			if (i < g0 && j < g0)
				continue; /* two syllables of the surname: the surname alone */
			put3(b, SK_JOINT, 'P', x < y ? x : y, x < y ? y : x, 0, K_JOINT);
		}
	put_bag(b, code, n); /* the whole name */
	/* each two given syllables in order: 김혜향 is not 김향혜 (two people in kith synth,
	 * the same bag of syllables; tuning seeds 340, 440, 840: 10 bits a token gave F1 ratio
	 * +0.001 at 2,500 people and +0.006 at 6,000, 18 bits less) */
	if (g0 && n - g0 >= 2)
		for (size_t j = g0; j + 1 < n; j++)
			put3(b, SK_JOINT, 'Q', code[j], code[j + 1], 0, K_ORDER);
	if (g0 && surname_alone) {
		unsigned sur = 0;
		for (size_t i = 0; i < g0; i++)
			sur = sur * 1201u + code[i];
		put3(b, SK_NAME, 'S', sur & 0xFFFFu, 0, 0, K_SURNAME);
	}
}

static void put_latin(struct builder *b, const char *text)
{
	size_t len = strnlen(text, 64);
	uint8_t t[3] = {'L', '_', 0};
	/* padded bigrams: "_a", "ab", ..., "z_" */
	for (size_t i = 0; i <= len; i++) {
		t[1] = i == 0 ? '_' : (uint8_t)text[i - 1];
		t[2] = i == len ? '_' : (uint8_t)text[i];
		put(b, SK_NAME, t, sizeof t, K_LATIN);
	}
}

/*
 * The birth is keyed per record: each token of the birth is one unordered pair
 * of the name's syllables (their letter classes: a given syllable with the
 * surname or with another given syllable, never the surname alone; a name of
 * one syllable keys by that syllable) joined with the year, so that two
 * records share birth bits only when they share two syllables of the name as
 * well as a year. The pairs are the same in every order of the name: "Song In
 * Kang", read with 송 for the surname, keys its birth as 강송인 does (keyed by
 * the given syllables, 인강 and 송인 shared one key of two, and a true pair's
 * births looked half alike; tuning seeds, bench/README.md, eighth session). A
 * birth region alone (without the name) groups no records by birth year: the
 * grouping attack of test_pprl_encode recovers no more birth years than
 * guessing the most common (docs/pprl.md).
 */
#define BIRTH_KEYS 12u	      /* keys of the birth, at most */
#define NO_NAME_KEY 0xFFFFFFu /* the key of a record without a name */

static void add_key(uint32_t *key, size_t *n, uint32_t k)
{
	for (size_t i = 0; i < *n; i++)
		if (key[i] == k)
			return;
	if (*n < BIRTH_KEYS)
		key[(*n)++] = k;
}

/* The keys of the birth of one reading code[0..n) (the first n_sur the surname): each
 * unordered pair of its syllables but the surname's own two; one syllable: itself. */
static void add_keys(uint32_t *key, size_t *nk, const uint16_t *code, size_t n, size_t n_sur)
{
	size_t g0 = n_sur < n ? n_sur : 0;
	if (n == 1)
		add_key(key, nk, code[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			if (i < g0 && j < g0)
				continue; /* two syllables of the surname: the surname alone */
			uint32_t x = code[i] < code[j] ? code[i] : code[j];
			uint32_t y = code[i] < code[j] ? code[j] : code[i];
			add_key(key, nk, 0x2000000u | ((x * 1301u + y) & 0xFFFFFFu));
		}
}

/* A name that is not Korean keys the birth by its folded text (FNV-1a). */
static uint32_t latin_key(const char *text)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < 64 && text[i]; i++)
		h = (h ^ (uint8_t)text[i]) * 16777619u;
	return 0x1000000u | (h & 0xFFFFFFu);
}

/* A token of the birth region: a type letter, the key, a year, a month and a day. */
static void put_birth(struct builder *b, char type, uint32_t key, unsigned y, unsigned m, unsigned d,
		      unsigned k)
{
	uint8_t t[10] = {
	    (uint8_t)type,     (uint8_t)(key >> 24), (uint8_t)(key >> 16), (uint8_t)(key >> 8), (uint8_t)key,
	    (uint8_t)(y >> 8), (uint8_t)y,	     (uint8_t)m,	   (uint8_t)d,		0};
	put(b, SK_BIRTH, t, sizeof t, k);
	sodium_memzero(t, sizeof t);
}

int kith_pprl_encode(const struct kith_pprl_key *k, const struct kith_pprl_params *p,
		     const struct kith_pprl_input *in, uint64_t index, uint64_t filter[KITH_PPRL_WORDS])
{
	enum { MW = KITH_PPRL_MAIN_BITS / 64, BW = KITH_PPRL_BIRTH_BITS / 64 };
	uint64_t bits[2 * MW] = {0}, birth[2 * BW] = {0};
	struct builder b = {.key = k, .bits = bits, .birth = birth};
	int fold = !(p->weak & KITH_PPRL_WEAK_NOFOLD);
	b.m = fold ? 2 * KITH_PPRL_MAIN_BITS : KITH_PPRL_MAIN_BITS;
	b.mb = fold ? 2 * KITH_PPRL_BIRTH_BITS : KITH_PPRL_BIRTH_BITS;
	/* the keys of the birth's tokens: the given-name syllables of every name */
	uint32_t bkey[BIRTH_KEYS];
	size_t nbk = 0;
	for (size_t i = 0; i <= KITH_PPRL_MAX_OTHER && i <= in->n_other; i++) {
		const struct kith_name *nm = i == 0 ? in->name : in->other[i - 1];
		if (!nm)
			continue;
		uint16_t code[KITH_NAMES_MAX_SYL];
		size_t n_sur = 0, n = kith_names_codes(nm, 0, code, &n_sur);
		if (n) {
			fold_codes(code, n);
			put_korean(&b, code, n, n_sur, (p->weak & KITH_PPRL_WEAK_SURNAME) != 0);
			add_keys(bkey, &nbk, code, n, n_sur);
			/* the same syllables in place, without liaison: their tokens where they differ */
			uint16_t flat[2][KITH_NAMES_MAX_SYL];
			for (int hi = 0; hi < 2; hi++) {
				size_t nf = flat_codes(nm, hi, flat[hi]);
				if (nf != n || !memcmp(flat[hi], code, n * sizeof *code) ||
				    (hi && !memcmp(flat[1], flat[0], n * sizeof *code)))
					continue;
				put_korean(&b, flat[hi], n, n_sur, 0);
				add_keys(bkey, &nbk, flat[hi], n, n_sur);
			}
			sodium_memzero(flat, sizeof flat);
		} else {
			put_latin(&b, nm->text);
			add_key(bkey, &nbk, latin_key(nm->text));
		}
		sodium_memzero(code, sizeof code);
	}
	if (!nbk)
		add_key(bkey, &nbk, NO_NAME_KEY);
	if (in->sex)
		put3(&b, SK_SEX, 'x', (unsigned)in->sex, 0, 0, K_SEX);
	for (size_t q = 0; q < nbk && in->birth_year > 0; q++) {
		unsigned y = (unsigned)in->birth_year;
		uint32_t key = bkey[q];
		/* the years it may be: y - 1 .. y + 1 of a year as given (a slip of one), y - 2 ..
		 * y + 1 of a year from an age (before or after the birthday, and a slip); two births
		 * share as many of these as their years allow, none when four years apart */
		if (!in->birth_approx) {
			put_birth(&b, 'y', key, y, 0, 0, K_YEAR);
			for (unsigned x = y - 1; x <= y + 1; x++)
				put_birth(&b, 'n', key, x, 0, 0, K_NEAR);
		} else {
			for (unsigned x = y - 2; x <= y + 1; x++)
				put_birth(&b, 'n', key, x, 0, 0, K_NEAR);
		}
		/* the date to its precision: month, then day */
		if (!in->birth_approx && in->birth_month >= 1 && in->birth_month <= 12) {
			put_birth(&b, 'm', key, y, (unsigned)in->birth_month, 0, K_DATE);
			if (in->birth_day >= 1 && in->birth_day <= 31)
				put_birth(&b, 'd', key, y, (unsigned)in->birth_month, (unsigned)in->birth_day,
					  K_DATE);
		}
	}
	sodium_memzero(bkey, sizeof bkey);
	if (in->origin && in->origin_len) {
		uint8_t t[1 + 128];
		size_t n = in->origin_len < 128 ? in->origin_len : 128;
		t[0] = 'o';
		memcpy(t + 1, in->origin, n);
		put(&b, SK_ORIGIN, t, n + 1, K_ORIGIN);
		sodium_memzero(t, sizeof t);
	}
	if (b.failed) {
		sodium_memzero(bits, sizeof bits);
		sodium_memzero(birth, sizeof birth);
		return KITH_E_CRYPTO;
	}
	for (unsigned w = 0; w < MW; w++)
		filter[w] = fold ? bits[w] ^ bits[w + MW] : bits[w];
	for (unsigned w = 0; w < BW; w++)
		filter[MW + w] = fold ? birth[w] ^ birth[w + BW] : birth[w];
	double f = kith_pprl_params_flip(p);
	if (f > 0) {
		/* per bit: two random bytes decide whether it is replaced (f), a third its value */
		uint16_t r[KITH_PPRL_BITS];
		uint8_t v[KITH_PPRL_BITS / 8];
		if (p->seed) {
			uint8_t s[randombytes_SEEDBYTES];
			uint8_t idx[8];
			for (int i = 0; i < 8; i++)
				idx[i] = (uint8_t)(index >> (8 * i));
			crypto_generichash(s, sizeof s, idx, sizeof idx, p->seed, 32);
			randombytes_buf_deterministic(r, sizeof r, s);
			s[0] ^= 0xFF;
			randombytes_buf_deterministic(v, sizeof v, s);
			sodium_memzero(s, sizeof s);
		} else {
			randombytes_buf(r, sizeof r);
			randombytes_buf(v, sizeof v);
		}
		unsigned lim = (unsigned)(f * 65536.0);
		for (unsigned i = 0; i < KITH_PPRL_BITS; i++) {
			if (r[i] >= lim)
				continue;
			uint64_t m = (uint64_t)1 << (i % 64);
			if (v[i / 8] >> (i % 8) & 1)
				filter[i / 64] |= m;
			else
				filter[i / 64] &= ~m;
		}
		sodium_memzero(r, sizeof r);
		sodium_memzero(v, sizeof v);
	}
	sodium_memzero(bits, sizeof bits);
	sodium_memzero(birth, sizeof birth);
	return KITH_OK;
}

double kith_pprl_dice(const uint64_t a[KITH_PPRL_WORDS], const uint64_t b[KITH_PPRL_WORDS])
{
	unsigned pa = 0, pb = 0, c = 0;
	for (unsigned w = 0; w < KITH_PPRL_WORDS; w++) {
		pa += (unsigned)__builtin_popcountll(a[w]);
		pb += (unsigned)__builtin_popcountll(b[w]);
		c += (unsigned)__builtin_popcountll(a[w] & b[w]);
	}
	return pa + pb ? 2.0 * c / (pa + pb) : 0.0;
}
