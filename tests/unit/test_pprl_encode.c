/* Unit tests of src/pprl/encode: one name in three scripts sets nearly the
 * same bits, other secrets give unrelated filters, weak settings are refused,
 * the documented frequency attack on surnames (docs/pprl.md "The attacks in
 * the test suite") recovers no more than guessing the most common surname,
 * and the birth-year grouping attack no more than guessing the most common
 * year. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "names/names.h"
#include "pprl/encode.h"

static const uint8_t SEED[32] = {1, 2, 3};

static struct kith_pprl_key *key_of(const char *secret)
{
	struct kith_pprl_key *k = NULL;
	assert_int_equal(kith_pprl_key_new(&k, (const uint8_t *)secret, strlen(secret), NULL), KITH_OK);
	return k;
}

static unsigned birth_overlap(const uint64_t *a, const uint64_t *b)
{
	unsigned c = 0;
	for (unsigned w = KITH_PPRL_MAIN_BITS / 64; w < KITH_PPRL_WORDS; w++)
		c += (unsigned)__builtin_popcountll(a[w] & b[w]);
	return c;
}

static unsigned birth_pop(const uint64_t *a)
{
	return birth_overlap(a, a);
}

/* Dice of the main regions (name, sex, origin), which the linkage's model reads */
static double main_dice(const uint64_t *a, const uint64_t *b)
{
	unsigned pa = 0, pb = 0, c = 0;
	for (unsigned w = 0; w < KITH_PPRL_MAIN_BITS / 64; w++) {
		pa += (unsigned)__builtin_popcountll(a[w]);
		pb += (unsigned)__builtin_popcountll(b[w]);
		c += (unsigned)__builtin_popcountll(a[w] & b[w]);
	}
	return pa + pb ? 2.0 * c / (pa + pb) : 0;
}

/* The birth regions' agreement as the linkage reads it: common bits over the fewer */
static double birth_agree(const uint64_t *a, const uint64_t *b)
{
	unsigned pa = birth_pop(a), pb = birth_pop(b);
	return pa && pb ? (double)birth_overlap(a, b) / (pa < pb ? pa : pb) : 0;
}

static void enc(const struct kith_pprl_key *k, const struct kith_pprl_params *p, const char *name, int year,
		uint64_t index, uint64_t f[KITH_PPRL_WORDS])
{
	struct kith_name n;
	assert_int_equal(kith_names_encode(&n, name, strlen(name), NULL), KITH_OK);
	struct kith_pprl_input in = {
	    .name = &n, .sex = 1, .birth_year = year, .origin = "kp-hb", .origin_len = 5};
	assert_int_equal(kith_pprl_encode(k, p, &in, index, f), KITH_OK);
}

static void test_scripts(void **state)
{
	(void)state;
	struct kith_pprl_key *k = key_of("a shared secret of the three organizations");
	struct kith_pprl_params p = {.seed = SEED};
	uint64_t a[KITH_PPRL_WORDS], b[KITH_PPRL_WORDS], c[KITH_PPRL_WORDS], d[KITH_PPRL_WORDS];
	enc(k, &p, "방미선", 1985, 1, a);
	enc(k, &p, "Pang Mi-sŏn", 1985, 2, b);
	enc(k, &p, "Bang Mi Sun", 1985, 3, c);
	enc(k, &p, "김영희", 1985, 4, d);
	double ab = kith_pprl_dice(a, b), ac = kith_pprl_dice(a, c), bc = kith_pprl_dice(b, c);
	double ad = kith_pprl_dice(a, d);
	print_message("dice hangul-MR %.3f hangul-common %.3f MR-common %.3f other person %.3f\n", ab, ac, bc,
		      ad);
	/* what the linkage compares: the main regions' Dice (0.84 / 0.96 / 0.84, as in schema 5)
	 * and the births' agreement, bin 4 or 5 (schema 6 keys the birth by pairs of the name's
	 * syllables: 0.79 / 0.96 / 0.82, schema 5 0.94 / 0.94 / 0.96; the whole filter's Dice
	 * 0.80 / 0.95 / 0.80, schema 5 0.86 / 0.95 / 0.87) */
	double mab = main_dice(a, b), mac = main_dice(a, c), mbc = main_dice(b, c), mad = main_dice(a, d);
	double bab = birth_agree(a, b), bac = birth_agree(a, c), bbc = birth_agree(b, c);
	print_message("main region %.3f %.3f %.3f other person %.3f; births agree %.3f %.3f %.3f\n", mab, mac,
		      mbc, mad, bab, bac, bbc);
	assert_true(mab > 0.8 && mac > 0.85 && mbc > 0.8);
	assert_true(bab >= 0.6 && bac >= 0.6 && bbc >= 0.6);
	assert_true(ad < 0.6 && mad < 0.6);
	kith_pprl_key_free(k);
}

/* Another name of a record (an alias, another spelling) sets its bits too:
 * a record known under "Cho Hyang-pin" by one organization and as 림복옥 with
 * that other name by another meets; the given name first ("Mi Sun Bang")
 * sets the bits of 방미선 (every token that joins syllables is unordered). */
static void test_other_names_order(void **state)
{
	(void)state;
	struct kith_pprl_key *k = key_of("a shared secret of the three organizations");
	struct kith_pprl_params p = {.seed = SEED};
	struct kith_name alias, main, western, hangul;
	assert_int_equal(kith_names_encode(&alias, "Cho Hyang-pin", 13, NULL), KITH_OK);
	assert_int_equal(kith_names_encode(&main, "림복옥", strlen("림복옥"), NULL), KITH_OK);
	assert_int_equal(kith_names_encode(&western, "Mi Sun Bang", 11, NULL), KITH_OK);
	assert_int_equal(kith_names_encode(&hangul, "방미선", strlen("방미선"), NULL), KITH_OK);
	uint64_t a[KITH_PPRL_WORDS], b[KITH_PPRL_WORDS], c[KITH_PPRL_WORDS], d[KITH_PPRL_WORDS],
	    e[KITH_PPRL_WORDS];
	struct kith_pprl_input in = {.name = &alias, .sex = 1, .birth_year = 1984};
	assert_int_equal(kith_pprl_encode(k, &p, &in, 1, a), KITH_OK);
	in.name = &main;
	assert_int_equal(kith_pprl_encode(k, &p, &in, 2, b), KITH_OK);
	in.other[0] = &alias;
	in.n_other = 1;
	assert_int_equal(kith_pprl_encode(k, &p, &in, 3, c), KITH_OK);
	struct kith_pprl_input w = {.name = &western, .sex = 1, .birth_year = 1984};
	assert_int_equal(kith_pprl_encode(k, &p, &w, 4, d), KITH_OK);
	w.name = &hangul;
	assert_int_equal(kith_pprl_encode(k, &p, &w, 5, e), KITH_OK);
	double alone = kith_pprl_dice(a, b), with = kith_pprl_dice(a, c), order = kith_pprl_dice(d, e);
	print_message("alias vs main name %.3f, vs main name with the alias %.3f; given name first %.3f\n",
		      alone, with, order);
	assert_true(alone < 0.5);
	assert_true(with > 0.65 && with > alone + 0.3);
	assert_true(order > 0.85);
	kith_pprl_key_free(k);
}

/* The birth is keyed by unordered pairs of the name's syllables (schema 6): a
 * name written with the surname last and read with another syllable for the
 * surname ("Song In Kang": 송 taken for the surname) keys its birth as the
 * name surname first does, so the two births agree (keyed by the given
 * syllables, 인강 and 송인 shared one key of two: overlap 0.5, a birth half alike),
 * while another person's name of the same year shares no key. */
static void test_birth_order(void **state)
{
	(void)state;
	struct kith_pprl_key *k = key_of("a shared secret of the three organizations");
	struct kith_pprl_params p = {.seed = SEED};
	static const char *const pairs[][2] = {
	    {"강송인", "Song In Kang"}, {"오선향", "Son Hyang O"}, {"남진심", "Jin Shim Nam"}};
	uint64_t a[KITH_PPRL_WORDS], b[KITH_PPRL_WORDS], c[KITH_PPRL_WORDS];
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		enc(k, &p, pairs[i][0], 1985, 3 * i, a);
		enc(k, &p, pairs[i][1], 1985, 3 * i + 1, b);
		enc(k, &p, "박미선", 1985, 3 * i + 2, c);
		double same = birth_agree(a, b), other = birth_agree(a, c);
		print_message("%s / %s: births agree %.3f (another name, same year: %.3f)\n", pairs[i][0],
			      pairs[i][1], same, other);
		assert_true(same >= 0.8);
		assert_true(other < 0.3);
	}
	kith_pprl_key_free(k);
}

/* One name as the names engine reads it in every spelling: its syllables in
 * place and without liaison ("Geum Ryeon" keeps 금 + 련, not 그 + 면), the
 * same wherever the surname is taken to stand ("Sung Keum Won" / 원성금), and
 * a romanized letter that may be two classes ("Kang": ㅇ or ㅁ, "Hong": ㅇ or
 * none) under both. */
static void test_readings(void **state)
{
	(void)state;
	struct kith_pprl_key *k = key_of("a shared secret of the three organizations");
	struct kith_pprl_params p = {.seed = SEED};
	/* the main region's Dice (schema 6 changed only the birth region; the whole filter's Dice
	 * before, schema 4: 0.24, 0.27, 0.76, 0.74, 0.48, 0.54) */
	static const char *const pairs[][2] = {{"원성금", "Sung Keum Won"}, {"김금련", "Gim Geum Ryeon"},
					       {"강연희", "Kang Yeonhee"},  {"홍란빈", "Hong Ranbin"},
					       {"전단래", "JEON DAN RAE"},  {"정은녀", "Jong Un Nyo"}};
	static const double least[] = {0.45, 0.6, 0.82, 0.8, 0.65, 0.65};
	uint64_t a[KITH_PPRL_WORDS], b[KITH_PPRL_WORDS], c[KITH_PPRL_WORDS];
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		enc(k, &p, pairs[i][0], 1985, 2 * i, a);
		enc(k, &p, pairs[i][1], 1985, 2 * i + 1, b);
		double d = kith_pprl_dice(a, b), dm = main_dice(a, b);
		print_message("%s / %s: dice %.3f, main region %.3f, births agree %.3f\n", pairs[i][0],
			      pairs[i][1], d, dm, birth_agree(a, b));
		assert_true(dm > least[i]);
	}
	/* the given name's order: two people of one bag of syllables */
	enc(k, &p, "김혜향", 1985, 97, a);
	enc(k, &p, "김향혜", 1985, 96, b);
	double swapped = kith_pprl_dice(a, b);
	enc(k, &p, "Kim Hye-hyang", 1985, 95, c);
	double same = kith_pprl_dice(a, c);
	print_message("김혜향 / 김향혜: dice %.3f; 김혜향 / Kim Hye-hyang %.3f\n", swapped, same);
	assert_true(swapped < 0.93 && same > swapped + 0.03);
	enc(k, &p, "김영희", 1985, 99, c);
	enc(k, &p, "Kang Yeonhee", 1985, 98, b);
	assert_true(kith_pprl_dice(b, c) < 0.6); /* another person */
	kith_pprl_key_free(k);
}

static void test_secrets(void **state)
{
	(void)state;
	struct kith_pprl_key *k1 = key_of("the secret of one group of orgs");
	struct kith_pprl_key *k2 = key_of("the secret of another group....");
	struct kith_pprl_key *k3 = key_of("the secret of one group of orgs");
	uint8_t i1[KITH_PPRL_KEYID_BYTES], i2[KITH_PPRL_KEYID_BYTES], i3[KITH_PPRL_KEYID_BYTES];
	kith_pprl_key_id(k1, i1);
	kith_pprl_key_id(k2, i2);
	kith_pprl_key_id(k3, i3);
	assert_memory_equal(i1, i3, sizeof i1);
	assert_memory_not_equal(i1, i2, sizeof i1);
	struct kith_pprl_params p = {.seed = SEED};
	uint64_t a[KITH_PPRL_WORDS], b[KITH_PPRL_WORDS];
	enc(k1, &p, "방미선", 1985, 1, a);
	enc(k2, &p, "방미선", 1985, 1, b);
	double d = kith_pprl_dice(a, b);
	print_message("same record, other secret: dice %.3f\n", d);
	assert_true(d < 0.45);
	/* too short a secret */
	struct kith_pprl_key *k = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(kith_pprl_key_new(&k, (const uint8_t *)"short", 5, &err), KITH_E_INVALID);
	assert_null(k);
	kith_pprl_key_free(k1);
	kith_pprl_key_free(k2);
	kith_pprl_key_free(k3);
}

static void test_weak(void **state)
{
	(void)state;
	struct kith_err err;
	struct kith_pprl_params p = {0};
	assert_int_equal(kith_pprl_params_check(&p, NULL), KITH_OK);
	p.weak = KITH_PPRL_WEAK_NOFOLD;
	kith_err_clear(&err);
	assert_int_equal(kith_pprl_params_check(&p, &err), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "--allow-weak"));
	p.allow_weak = 1;
	assert_int_equal(kith_pprl_params_check(&p, NULL), KITH_OK);
	struct kith_pprl_params q = {.flip = -1};
	assert_int_equal(kith_pprl_params_check(&q, NULL), KITH_E_INVALID);
	q.flip = 0.005;
	assert_int_equal(kith_pprl_params_check(&q, NULL), KITH_E_INVALID);
	q.flip = 0.5;
	q.allow_weak = 1;
	assert_int_equal(kith_pprl_params_check(&q, NULL), KITH_E_INVALID); /* never */
	struct kith_pprl_params s = {.weak = KITH_PPRL_WEAK_SURNAME};
	assert_int_equal(kith_pprl_params_check(&s, NULL), KITH_E_INVALID);
	/* flips drawn from a given seed: whoever knows it draws them again */
	struct kith_pprl_params d = {.seed = SEED};
	kith_err_clear(&err);
	assert_int_equal(kith_pprl_params_check(&d, &err), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "--allow-weak"));
	d.allow_weak = 1;
	assert_int_equal(kith_pprl_params_check(&d, NULL), KITH_OK);
	assert_true(kith_pprl_params_flip(&(struct kith_pprl_params){0}) == KITH_PPRL_FLIP_DEFAULT);
}

/* --- the frequency attack */

static const char *const SURNAMES[] = {"김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"};
static const double SHARES[] = {0.215, 0.147, 0.084, 0.047, 0.044, 0.023, 0.021, 0.020, 0.020, 0.017};
static const char *const GIVEN[] = {"영", "미", "순", "희", "정", "숙", "자", "옥", "경", "선",
				    "은", "혜", "진", "주", "연", "화", "향", "춘", "금", "명"};
#define NSUR 10
#define NREC 3000

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/*
 * The adversary knows the surname shares (the census) and holds the
 * encodings. A pattern-mining attack on the most common surname (after
 * Christen et al. 2017): a token's bits are set together in every record that
 * has it, so 김's token would be a clique of bits, each set in about 김's share
 * of the records plus the background. For every bit whose frequency is within
 * 0.1 of that prediction the adversary collects the bits set in at least 75%
 * of its records (leaving out bits set almost everywhere), keeps the largest
 * such set as 김's signature, guesses 김 for the records that carry the whole
 * signature and 이 (the second) for the others. Returns the share guessed
 * right; guessing 김 for everyone scores 김's share.
 */
#define RW ((NREC + 63) / 64)
static double attack(const uint64_t *f, const int *sur, size_t n)
{
	static uint64_t rec[KITH_PPRL_BITS][RW]; /* records having each bit */
	unsigned cnt[KITH_PPRL_BITS] = {0}, sorted[KITH_PPRL_BITS];
	memset(rec, 0, sizeof rec);
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < KITH_PPRL_BITS; b++)
			if (f[i * KITH_PPRL_WORDS + b / 64] >> (b % 64) & 1u) {
				cnt[b]++;
				rec[b][i / 64] |= (uint64_t)1 << (i % 64);
			}
	memcpy(sorted, cnt, sizeof cnt);
	for (unsigned i = 1; i < KITH_PPRL_BITS; i++)
		for (unsigned j = i; j > 0 && sorted[j] < sorted[j - 1]; j--) {
			unsigned t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	double med = (double)sorted[KITH_PPRL_BITS / 2] / (double)n, share = SHARES[0] / 0.638;
	double want = share + (1 - share) * med;
	uint64_t best_sig[KITH_PPRL_WORDS] = {0};
	unsigned best_size = 0;
	for (unsigned b = 0; b < KITH_PPRL_BITS; b++) {
		double fr = (double)cnt[b] / (double)n;
		if (fr < want - 0.1 || fr > want + 0.1)
			continue;
		uint64_t sig[KITH_PPRL_WORDS] = {0};
		unsigned size = 0;
		for (unsigned c = 0; c < KITH_PPRL_BITS; c++) {
			if ((double)cnt[c] > 0.95 * (double)n)
				continue;
			unsigned both = 0;
			for (size_t w = 0; w < RW; w++)
				both += (unsigned)__builtin_popcountll(rec[b][w] & rec[c][w]);
			if (both >= 0.75 * cnt[b]) {
				sig[c / 64] |= (uint64_t)1 << (c % 64);
				size++;
			}
		}
		if (size > best_size) {
			best_size = size;
			memcpy(best_sig, sig, sizeof sig);
		}
	}
	size_t right = 0, flagged = 0;
	for (size_t i = 0; i < n; i++) {
		int all = best_size > 0;
		for (unsigned w = 0; w < KITH_PPRL_WORDS; w++)
			all &= (f[i * KITH_PPRL_WORDS + w] & best_sig[w]) == best_sig[w];
		flagged += all;
	}
	print_message("attack: want %.3f med %.3f signature %u bits, %zu records flagged\n", want, med,
		      best_size, flagged);
	for (size_t i = 0; i < n; i++) {
		int all = best_size > 0;
		for (unsigned w = 0; w < KITH_PPRL_WORDS; w++)
			all &= (f[i * KITH_PPRL_WORDS + w] & best_sig[w]) == best_sig[w];
		right += (all ? 0 : 1) == sur[i];
	}
	return (double)right / (double)n;
}

static double run_attack(const struct kith_pprl_params *p, double *baseline)
{
	struct kith_pprl_key *k = key_of("the secret the adversary does not have");
	uint64_t *f = calloc(NREC * KITH_PPRL_WORDS, sizeof *f);
	int *sur = calloc(NREC, sizeof *sur);
	assert_non_null(f);
	assert_non_null(sur);
	uint64_t s = 42;
	size_t top = 0, other = 0;
	for (size_t i = 0; i < NREC; i++) {
		/* a surname by its share (the rest of the population: other surnames) */
		double u = (double)(rnd(&s) >> 11) * 0x1.0p-53, acc = 0;
		int si = -1;
		for (int j = 0; j < NSUR; j++) {
			acc += SHARES[j] / 0.638; /* the ten, renormalized */
			if (u < acc) {
				si = j;
				break;
			}
		}
		if (si < 0)
			si = NSUR - 1;
		sur[i] = si;
		top += si == 0;
		char name[32];
		snprintf(name, sizeof name, "%s%s%s", SURNAMES[si], GIVEN[rnd(&s) % 20], GIVEN[rnd(&s) % 20]);
		enc(k, p, name, 1960 + (int)(rnd(&s) % 40), i, f + i * KITH_PPRL_WORDS);
		other++;
	}
	*baseline = (double)top / (double)other;
	double acc = attack(f, sur, NREC);
	free(f);
	free(sur);
	kith_pprl_key_free(k);
	return acc;
}

static void test_frequency_attack(void **state)
{
	(void)state;
	double base = 0;
	struct kith_pprl_params hard = {.seed = SEED};
	double a = run_attack(&hard, &base);
	struct kith_pprl_params weak = {.seed = SEED,
					.flip = -1,
					.weak = KITH_PPRL_WEAK_NOFOLD | KITH_PPRL_WEAK_SURNAME,
					.allow_weak = 1};
	double bw = 0, w = run_attack(&weak, &bw);
	print_message("surname attack: hardened %.3f, weak %.3f, guessing the most common surname %.3f\n", a,
		      w, base);
	assert_true(a <= base + 0.01);
	/* the attack has teeth: on the weak settings it beats guessing */
	assert_true(w >= bw + 0.1);
}

/* --- the birth-year grouping attack */

#define BREC 3000
#define Y0 1950
#define NY 56 /* years Y0 .. Y0 + NY - 1 */

/* The population's birth years: rising from 1950 to a peak in 1988, then
 * falling fast to 2005 (an asymmetric shape, so that a chain of years can be
 * told from its mirror image). Weights, not normalized. */
static double year_weight(int y)
{
	return y <= 1988 ? 1.0 + (double)(y - Y0) : 1.0 + 38.0 * (double)(2005 - y) / 17.0;
}

static unsigned uf_root(unsigned *up, unsigned x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

/*
 * The adversary holds the encodings and knows the population's distribution
 * of birth years (year_weight). It groups the records whose birth regions
 * overlap by at least `thr` (common bits over the fewer) with a group's first
 * record, keeps groups of three or more, orders them into chains by the
 * overlap of their consensus bits (the years a birth may be are shared by
 * neighbouring years: greedy, strongest first, each group at most two
 * neighbours, no cycle), and places each chain of two or more groups on the
 * years where its group sizes are most likely (either direction, every
 * offset). Every other record is guessed the most common year. Returns the
 * share of records whose year is guessed right.
 */
static double birth_attack(const uint64_t *f, const int *year, size_t n, double thr)
{
	enum { MAXG = 1024 };
	static uint64_t rep[MAXG][KITH_PPRL_WORDS];
	static unsigned cnt[MAXG][KITH_PPRL_BIRTH_BITS];
	static unsigned size[MAXG], deg[MAXG], up[MAXG], nb[MAXG][2], guess[MAXG];
	int *grp = malloc(n * sizeof *grp);
	assert_non_null(grp);
	memset(cnt, 0, sizeof cnt);
	unsigned ng = 0;
	for (size_t i = 0; i < n; i++) {
		const uint64_t *x = f + i * KITH_PPRL_WORDS;
		unsigned px = birth_pop(x);
		grp[i] = -1;
		if (px < 8)
			continue;
		for (unsigned g = 0; g < ng; g++) {
			unsigned pg = birth_pop(rep[g]);
			if (birth_overlap(x, rep[g]) >= thr * (px < pg ? px : pg)) {
				grp[i] = (int)g;
				break;
			}
		}
		if (grp[i] < 0 && ng < MAXG) {
			memcpy(rep[ng], x, sizeof rep[ng]);
			size[ng] = 0;
			grp[i] = (int)ng++;
		}
		if (grp[i] < 0)
			continue;
		size[grp[i]]++;
		for (unsigned b = 0; b < KITH_PPRL_BIRTH_BITS; b++)
			cnt[grp[i]][b] += (unsigned)(x[(KITH_PPRL_MAIN_BITS + b) / 64] >> (b % 64) & 1u);
	}
	/* consensus bits of the groups of three or more */
	for (unsigned g = 0; g < ng; g++) {
		memset(rep[g], 0, sizeof rep[g]);
		for (unsigned b = 0; b < KITH_PPRL_BIRTH_BITS && size[g] >= 3; b++)
			if (2 * cnt[g][b] >= size[g])
				rep[g][(KITH_PPRL_MAIN_BITS + b) / 64] |= (uint64_t)1 << (b % 64);
		deg[g] = 0;
		up[g] = g;
		guess[g] = 0;
	}
	/* chains: the strongest links between groups first */
	for (;;) {
		double best = 0.15;
		unsigned bx = 0, by = 0;
		for (unsigned x = 0; x < ng; x++) {
			if (size[x] < 3 || deg[x] >= 2)
				continue;
			for (unsigned y = x + 1; y < ng; y++) {
				if (size[y] < 3 || deg[y] >= 2 || uf_root(up, x) == uf_root(up, y))
					continue;
				unsigned px = birth_pop(rep[x]), py = birth_pop(rep[y]);
				double o = px && py
					       ? (double)birth_overlap(rep[x], rep[y]) / (px < py ? px : py)
					       : 0;
				if (o > best) {
					best = o;
					bx = x;
					by = y;
				}
			}
		}
		if (best <= 0.15)
			break;
		nb[bx][deg[bx]++] = by;
		nb[by][deg[by]++] = bx;
		up[uf_root(up, bx)] = uf_root(up, by);
	}
	double lw[NY], tw = 0;
	int mode = 0;
	for (int y = 0; y < NY; y++)
		tw += year_weight(Y0 + y);
	for (int y = 0; y < NY; y++) {
		lw[y] = log(year_weight(Y0 + y) / tw);
		if (lw[y] > lw[mode])
			mode = y;
	}
	/* each chain from one end: its groups in order, placed where most likely */
	static unsigned seen[MAXG], order[MAXG];
	memset(seen, 0, sizeof seen);
	for (unsigned g = 0; g < ng; g++) {
		if (size[g] < 3 || seen[g] || deg[g] > 1)
			continue;
		unsigned len = 0, prev = MAXG, cur = g;
		while (cur < MAXG && !seen[cur]) {
			seen[cur] = 1;
			order[len++] = cur;
			unsigned next = MAXG;
			for (unsigned k = 0; k < deg[cur]; k++)
				if (nb[cur][k] != prev)
					next = nb[cur][k];
			prev = cur;
			cur = next;
		}
		if (len < 2 || len > NY)
			continue;
		double best = -INFINITY;
		int bo = 0, bd = 1;
		for (int dir = -1; dir <= 1; dir += 2)
			for (int off = 0; off + (int)len <= NY; off++) {
				double ll = 0;
				for (unsigned k = 0; k < len; k++)
					ll += size[order[k]] *
					      lw[dir > 0 ? off + (int)k : off + (int)len - 1 - (int)k];
				if (ll > best) {
					best = ll;
					bo = off;
					bd = dir;
				}
			}
		for (unsigned k = 0; k < len; k++)
			guess[order[k]] = 1 + (unsigned)(bd > 0 ? bo + (int)k : bo + (int)len - 1 - (int)k);
	}
	size_t right = 0;
	for (size_t i = 0; i < n; i++) {
		int y = grp[i] >= 0 && guess[grp[i]] ? (int)guess[grp[i]] - 1 : mode;
		right += Y0 + y == year[i];
	}
	free(grp);
	return (double)right / (double)n;
}

/* The names of the frequency attack (ten surnames, given names of two of
 * twenty syllables: a population of few names, the attacker's best case), or
 * no names (`nameless`: every birth keyed alike), birth years by
 * year_weight; returns the best of the attack's thresholds, *baseline the
 * share of the most common year. */
static double run_birth_attack(const struct kith_pprl_params *p, int nameless, double *baseline)
{
	struct kith_pprl_key *k = key_of("the secret the adversary does not have");
	uint64_t *f = calloc(BREC * KITH_PPRL_WORDS, sizeof *f);
	int *year = calloc(BREC, sizeof *year);
	assert_non_null(f);
	assert_non_null(year);
	uint64_t s = 4242;
	double tw = 0;
	for (int y = 0; y < NY; y++)
		tw += year_weight(Y0 + y);
	unsigned per[NY] = {0}, top = 0;
	for (size_t i = 0; i < BREC; i++) {
		double u = (double)(rnd(&s) >> 11) * 0x1.0p-53 * tw, acc = 0;
		int y = NY - 1;
		for (int j = 0; j < NY; j++) {
			acc += year_weight(Y0 + j);
			if (u < acc) {
				y = j;
				break;
			}
		}
		year[i] = Y0 + y;
		per[y]++;
		char name[32];
		snprintf(name, sizeof name, "%s%s%s", SURNAMES[rnd(&s) % NSUR], GIVEN[rnd(&s) % 20],
			 GIVEN[rnd(&s) % 20]);
		if (nameless) { /* every birth keyed alike: the birth region of schema 3 */
			struct kith_pprl_input in = {.sex = 1, .birth_year = year[i]};
			assert_int_equal(kith_pprl_encode(k, p, &in, i, f + i * KITH_PPRL_WORDS), KITH_OK);
		} else {
			enc(k, p, name, year[i], i, f + i * KITH_PPRL_WORDS);
		}
	}
	for (int y = 0; y < NY; y++)
		top = per[y] > top ? per[y] : top;
	*baseline = (double)top / BREC;
	double best = 0;
	const double thr[] = {0.8, 0.6, 0.45, 0.3};
	for (size_t t = 0; t < sizeof thr / sizeof thr[0]; t++) {
		double a = birth_attack(f, year, BREC, thr[t]);
		print_message("birth attack, overlap >= %.2f: %.3f right\n", thr[t], a);
		best = a > best ? a : best;
	}
	free(f);
	free(year);
	kith_pprl_key_free(k);
	return best;
}

static void test_birth_attack(void **state)
{
	(void)state;
	double base = 0;
	struct kith_pprl_params hard = {.seed = SEED};
	double a = run_birth_attack(&hard, 0, &base);
	double bn = 0, w = run_birth_attack(&hard, 1, &bn);
	print_message("birth-year attack: hardened %.3f, births keyed alike (records without a name, or "
		      "schema 3) %.3f, guessing the most common year %.3f\n",
		      a, w, base);
	assert_true(a <= base + 0.01);
	/* the attack has teeth: births keyed alike are grouped by year */
	assert_true(w >= bn + 0.3);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scripts),	      cmocka_unit_test(test_readings),
	    cmocka_unit_test(test_other_names_order), cmocka_unit_test(test_birth_order),
	    cmocka_unit_test(test_secrets),	      cmocka_unit_test(test_weak),
	    cmocka_unit_test(test_frequency_attack),  cmocka_unit_test(test_birth_attack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
