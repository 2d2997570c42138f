/* Unit tests of src/pprl/encode: one name in three scripts sets nearly the
 * same bits, other secrets give unrelated filters, weak settings are refused,
 * and the documented frequency attack on surnames (docs/pprl.md "Attack in
 * the test suite") recovers no more than guessing the most common surname. */
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
	assert_true(ab > 0.85 && ac > 0.85 && bc > 0.85);
	assert_true(ad < 0.6);
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

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scripts),	     cmocka_unit_test(test_other_names_order),
	    cmocka_unit_test(test_secrets),	     cmocka_unit_test(test_weak),
	    cmocka_unit_test(test_frequency_attack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
