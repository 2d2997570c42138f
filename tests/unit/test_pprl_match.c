/* Unit tests of src/pprl/match and src/pprl/kpe: a file round trip, a changed
 * byte, another schema; the linkage of three lists' encodings into persons
 * and their capture patterns. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "names/names.h"
#include "pprl/encode.h"
#include "pprl/kpe.h"
#include "pprl/match.h"

static const uint8_t SEED[32] = {9};

/* Encodes a woman named nm, born in year (0: not recorded), from origin (a
 * code of 5 bytes), as record i of f. */
static void encode_one(const struct kith_pprl_key *k, const struct kith_pprl_params *p, const char *nm,
		       int year, const char *origin, size_t i, uint64_t *f)
{
	struct kith_name name;
	assert_int_equal(kith_names_encode(&name, nm, strlen(nm), NULL), KITH_OK);
	struct kith_pprl_input in = {
	    .name = &name, .sex = 1, .birth_year = year, .origin = origin, .origin_len = 5};
	assert_int_equal(kith_pprl_encode(k, p, &in, i, f + i * KITH_PPRL_WORDS), KITH_OK);
}

/* The pairs of records 0..n-1 as the linkage r put them in persons, against the truth (person[]):
 * true pairs, those linked (right) and pairs of two persons linked (wrong); pairs of one list
 * linked (src[]), true pairs of one list, and those of them linked. */
struct pair_tally {
	size_t truth, right, wrong, one_list_linked, one_list_true, one_list_joined;
};

static struct pair_tally tally_pairs(const struct kith_pprl_result *r, const int *person, const uint32_t *src,
				     size_t n)
{
	struct pair_tally t = {0};
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			int same = person[i] == person[j],
			    linked = r->clusters.cluster[i] == r->clusters.cluster[j],
			    one_list = src[i] == src[j];
			t.truth += same;
			t.right += same && linked;
			t.wrong += !same && linked;
			t.one_list_linked += one_list && linked;
			t.one_list_true += one_list && same;
			t.one_list_joined += one_list && same && linked;
		}
	return t;
}

static void test_kpe(void **state)
{
	(void)state;
	uint8_t pk[32], sk[64];
	crypto_sign_keypair(pk, sk);
	uint64_t *f = aligned_alloc(64, 3 * 128);
	for (unsigned i = 0; i < 3 * KITH_PPRL_WORDS; i++)
		f[i] = 0x0123456789abcdefULL * (i + 1);
	struct kith_kpe e = {
	    .org = "shelter-1", .n = 3, .filters = f, .flags = KITH_KPE_F_FOLDED, .flip = 0.02};
	memcpy(e.signer, pk, 32);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_kpe_write(&e, sk, &sb, NULL), KITH_OK);
	assert_int_equal(sb.len, KITH_KPE_HEADER + 3 * 128 + KITH_KPE_SIG);
	struct kith_kpe r;
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(kith_kpe_parse(&r, (const uint8_t *)sb.buf, sb.len, "a.kpe", &err), KITH_OK);
	assert_string_equal(r.org, "shelter-1");
	assert_int_equal(r.n, 3);
	assert_memory_equal(r.filters, f, 3 * 128);
	kith_kpe_release(&r);
	/* a changed filter byte: the signature */
	sb.buf[KITH_KPE_HEADER + 5] ^= 1;
	kith_err_clear(&err);
	assert_int_equal(kith_kpe_parse(&r, (const uint8_t *)sb.buf, sb.len, "a.kpe", &err), KITH_E_CORRUPT);
	assert_string_equal(err.where, "a.kpe");
	sb.buf[KITH_KPE_HEADER + 5] ^= 1;
	/* another schema */
	sb.buf[8] = KITH_KPE_SCHEMA + 1;
	kith_err_clear(&err);
	assert_int_equal(kith_kpe_parse(&r, (const uint8_t *)sb.buf, sb.len, "a.kpe", &err), KITH_E_INVALID);
	char want[32];
	snprintf(want, sizeof want, "schema version %u", KITH_KPE_SCHEMA + 1);
	assert_non_null(strstr(err.msg, want));
	sb.buf[8] = KITH_KPE_SCHEMA;
	/* truncated */
	assert_int_equal(kith_kpe_parse(&r, (const uint8_t *)sb.buf, sb.len - 1, "a.kpe", NULL),
			 KITH_E_INVALID);
	/* bad names */
	assert_int_equal(kith_kpe_check_org("a,b", NULL), KITH_E_INVALID);
	assert_int_equal(kith_kpe_check_org("count", NULL), KITH_E_INVALID);
	assert_int_equal(kith_kpe_check_org("", NULL), KITH_E_INVALID);
	assert_int_equal(kith_kpe_check_org("쉼터-1", NULL), KITH_OK);
	kith_sbuf_release(&sb);
	free(f);
}

/* The population of test_link, encoded into f (room for 360 records): 120 persons on three lists
 * (each on some lists), six names written in Hangul or, on list 1, romanized, a birth year and a
 * province; the list of each record in src, its person in person. How many records. */
static size_t put_three_lists(const struct kith_pprl_key *k, const struct kith_pprl_params *p, uint64_t *f,
			      uint32_t *src, int *person)
{
	static const char *const hangul[] = {"방미선", "김영희", "리순옥", "박정숙", "최은혜", "정미경"};
	static const char *const roman[] = {"Pang Mi-sŏn",   "Kim Yeong-hui", "Ri Sun Ok",
					    "Park Jung Suk", "Choi Eun Hye",  "Jeong Mi-gyeong"};
	size_t n = 0;
	for (int per = 0; per < 120; per++) {
		for (unsigned l = 0; l < 3; l++) {
			if ((per + l) % 3 == 0 && per % 5) /* not on this list */
				continue;
			const char *nm = l == 1 ? roman[per % 6] : hangul[per % 6];
			/* the same name and year is the same person here: persons differ by (name, year,
			 * origin) */
			encode_one(k, p, nm, 1950 + per % 50, (per / 6) % 2 ? "kp-hb" : "kp-yg", n, f);
			src[n] = l;
			person[n] = per;
			n++;
		}
	}
	return n;
}

static void test_link(void **state)
{
	(void)state;
	/* three lists of 120 persons (put_three_lists), names in other scripts */
	struct kith_pprl_key *k = NULL;
	assert_int_equal(kith_pprl_key_new(&k, (const uint8_t *)"0123456789abcdef0123", 20, NULL), KITH_OK);
	struct kith_pprl_params p = {.seed = SEED};
	size_t cap = 600;
	uint64_t *f = aligned_alloc(64, cap * 128);
	uint32_t *src = malloc(cap * sizeof *src);
	int *person = malloc(cap * sizeof *person);
	size_t n = put_three_lists(k, &p, f, src, person);
	struct kith_pprl_result r;
	struct kith_pprl_opts o = {.threads = 2, .seed = 1};
	assert_int_equal(kith_pprl_link(f, src, n, 3, &o, &r, NULL), KITH_OK);
	struct pair_tally t = tally_pairs(&r, person, src, n);
	for (int kb = 0; kb < KITH_PPRL_BIRTH_BINS; kb++)
		print_message("birth bin %d: m %.3g u %.3g\n", kb, r.model.birth_m[kb], r.model.birth_u[kb]);
	print_message("records %zu persons %zu: true pairs %zu, linked right %zu, wrong %zu\n", n,
		      r.clusters.n_clusters, t.truth, t.right, t.wrong);
	assert_true(t.right >= t.truth * 9 / 10);
	assert_true(t.wrong <= t.truth / 20);
	/* here only the birth tells namesakes apart: its evidence, estimated, must say so */
	assert_true(r.model.birth_m[1] < 0.2 * r.model.birth_u[1]);
	assert_true(r.model.birth_m[5] > 5 * r.model.birth_u[5]);
	/* one record per organization in a person: no list here records anyone twice, and the
	 * namesakes (six names, fifty years) of one list stay apart */
	print_message("thresholds: all pairs %.2f, best candidates %.2f, one list %.2f; same list "
		      "twice %zu\n",
		      r.model.threshold, r.model.threshold_best, r.model.threshold_same, t.one_list_linked);
	assert_int_equal(t.one_list_linked, 0);
	/* a pair of one list needs more than a pair of mutual best candidates of two lists */
	assert_true(r.model.threshold_same >= r.model.threshold_best);
	for (int b = 0; b < KITH_PPRL_BANDS; b++)
		assert_true(r.model.post_same[b] <= r.model.post_best[b] + 1e-9);
	double counts[8];
	kith_pprl_patterns(r.clusters.cluster, r.clusters.n_clusters, src, n, 3, counts);
	double tot = 0;
	for (int pt = 1; pt < 8; pt++)
		tot += counts[pt];
	assert_true(counts[0] == 0 && tot == (double)r.clusters.n_clusters);
	/* a draw of the uncertainty gives persons too */
	uint32_t *cl = malloc(n * sizeof *cl);
	size_t ncl = 0;
	assert_int_equal(kith_pprl_draw(&r, f, src, 7, cl, &ncl, NULL), KITH_OK);
	assert_true(ncl >= 1 && ncl <= n);
	/* LSH finds the same links here */
	struct kith_pprl_result r2;
	struct kith_pprl_opts o2 = {.threads = 2, .seed = 1, .blocking = KITH_PPRL_BLOCK_LSH};
	assert_int_equal(kith_pprl_link(f, src, n, 3, &o2, &r2, NULL), KITH_OK);
	assert_true(r2.lsh);
	assert_true(r2.compared < r.compared);
	print_message("LSH: %llu compared of %llu, persons %zu\n", (unsigned long long)r2.compared,
		      (unsigned long long)r.compared, r2.clusters.n_clusters);
	/* bad input */
	assert_int_equal(kith_pprl_link(f, src, 1, 3, &o, &r2, NULL) == KITH_OK ? 0 : 1, 1);
	kith_pprl_result_release(&r2);
	kith_pprl_result_release(&r);
	free(cl);
	free(f);
	free(src);
	free(person);
	kith_pprl_key_free(k);
}

/*
 * Namesakes (issue 16, ninth session): 900 persons on two lists, names of a surname and two given
 * syllables from a pool of 300 (three persons a name), a third of the births missing. The mutual
 * best candidates of equal names without a birth on one side are namesakes that nothing but a
 * birth tells apart: a quarter of them are one person. The posterior of the bands alone (their
 * share of matches from the bands' distributions over all pairs of two lists, where non-matches
 * are unlike names) took them all for matches (posteriors' sum 800 of 802 pairs, 186 true;
 * now 460); read from the births of each band's own pairs (band_share), it leaves the namesakes without a
 * birth in doubt.
 */
static void test_namesakes(void **state)
{
	(void)state;
	static const char *const sur[] = {"김", "이", "박", "최", "정"};
	static const char *const syl[] = {"영", "순", "미", "정", "옥", "희",
					  "선", "경", "숙", "자", "현", "은"};
	struct kith_pprl_key *k = NULL;
	assert_int_equal(kith_pprl_key_new(&k, (const uint8_t *)"0123456789abcdef0123", 20, NULL), KITH_OK);
	struct kith_pprl_params p = {.seed = SEED};
	size_t cap = 2000, n = 0;
	uint64_t *f = aligned_alloc(64, cap * 128);
	uint32_t *src = malloc(cap * sizeof *src);
	int *person = malloc(cap * sizeof *person);
	int *has_birth = malloc(cap * sizeof *has_birth);
	uint64_t st = 12345;
	for (int per = 0; per < 900; per++) {
		uint64_t h = st = st * 6364136223846793005ULL + 1442695040888963407ULL;
		int nm = (int)((h >> 33) % 300); /* three persons a name */
		const char *s0 = sur[nm % 5], *s1 = syl[(nm / 5) % 12], *s2 = syl[(nm / 60 + nm / 5) % 12];
		int year = 1950 + (int)((h >> 20) % 50);
		for (unsigned l = 0; l < 2; l++) {
			uint64_t x = st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((x >> 40) % 10 >= 6) /* on each list with probability 0.6 */
				continue;
			int nob = (x >> 20) % 3 == 0;
			char buf[64];
			snprintf(buf, sizeof buf, "%s%s%s", s0, s1, s2);
			encode_one(k, &p, buf, nob ? 0 : year, "kp-hb", n, f);
			src[n] = l;
			person[n] = per;
			has_birth[n] = !nob;
			n++;
		}
	}
	struct kith_pprl_result r;
	struct kith_pprl_opts o = {.threads = 2, .seed = 1};
	assert_int_equal(kith_pprl_link(f, src, n, 2, &o, &r, NULL), KITH_OK);
	double sum = 0;
	size_t nb = 0, nb_true = 0;
	for (size_t i = 0; i < r.n_pairs; i++) {
		uint32_t a = r.pairs[i].a, b = r.pairs[i].b;
		if (src[a] == src[b] || r.rival[i])
			continue;
		if (r.pairs[i].dice >= 0.9 && (!has_birth[a] || !has_birth[b])) {
			nb++;
			nb_true += person[a] == person[b];
			sum += r.post[i];
		}
	}
	print_message("equal names, a birth missing: %zu pairs, %zu true, posteriors' sum %.1f\n", nb,
		      nb_true, sum);
	assert_true(nb >= 50 && nb_true > 0);
	assert_true(sum <= 0.8 * (double)nb && sum >= (double)nb_true);
	kith_pprl_result_release(&r);
	free(f);
	free(src);
	free(person);
	free(has_birth);
	kith_pprl_key_free(k);
}

/*
 * A list that records one woman twice, once without her birth (issue 16, tenth session): 600
 * persons on three lists, names drawn from 510 (some namesakes), list 0 holding a second record
 * without a birth of one in four of its persons. The two records of list 0 have equal names and
 * one birth: their one-list posterior is in doubt (mean 0.47 here). Before, the one-list guard kept
 * every such pair below 0.5 apart: 14 of the 114 joined, 964 true pairs linked, 53 wrong. Now a
 * pair of one list at 0.3 or more joins when the records of two lists are one person with a mean
 * of 0.9: 24 joined, 987 true pairs, 54 wrong. Namesakes of one list (test_link) stay apart.
 */
#define DUP_NAMES 510
static void test_duplicates(void **state)
{
	(void)state;
	static const char *const sur[] = {"김", "이", "박", "최", "정"};
	static const char *const syl[] = {"영", "순", "미", "정", "옥", "희", "선", "경",
					  "숙", "자", "현", "은", "화", "란", "향", "주"};
	struct kith_pprl_key *k = NULL;
	assert_int_equal(kith_pprl_key_new(&k, (const uint8_t *)"0123456789abcdef0123", 20, NULL), KITH_OK);
	struct kith_pprl_params p = {.seed = SEED};
	size_t cap = 3000, n = 0;
	uint64_t *f = aligned_alloc(64, cap * 128);
	uint32_t *src = malloc(cap * sizeof *src);
	int *person = malloc(cap * sizeof *person);
	uint64_t st = 777;
	for (int per = 0; per < 600; per++) {
		int nm = (int)(((uint64_t)per * 2654435761u) % DUP_NAMES);
		const char *s0 = sur[nm % 5], *s1 = syl[(nm / 5) % 16], *s2 = syl[(nm / 80 + nm / 5) % 16];
		uint64_t h = st = st * 6364136223846793005ULL + 1442695040888963407ULL;
		int year = 1950 + (int)((h >> 20) % 50);
		for (unsigned l = 0; l < 3; l++) {
			uint64_t x = st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((x >> 40) % 10 >= 7) /* on each list with probability 0.7 */
				continue;
			int twice = l == 0 && (x >> 20) % 4 == 0;
			for (int c = 0; c <= twice; c++) {
				char buf[64];
				snprintf(buf, sizeof buf, "%s%s%s", s0, s1, s2);
				encode_one(k, &p, buf, c ? 0 : year, "kp-hb", n, f);
				src[n] = l;
				person[n] = per;
				n++;
			}
		}
	}
	struct kith_pprl_result r;
	struct kith_pprl_opts o = {.threads = 2, .seed = 1};
	assert_int_equal(kith_pprl_link(f, src, n, 3, &o, &r, NULL), KITH_OK);
	struct pair_tally t = tally_pairs(&r, person, src, n);
	double dsum = 0, dn = 0;
	for (size_t i = 0; i < r.n_pairs; i++)
		if (src[r.pairs[i].a] == src[r.pairs[i].b] && person[r.pairs[i].a] == person[r.pairs[i].b]) {
			dsum += r.post[i];
			dn += 1;
		}
	print_message("one-list posterior of the records twice: mean %.3f of %.0f\n", dsum / dn, dn);
	print_message("records %zu: true pairs %zu, linked right %zu, wrong %zu; twice in one list %zu, "
		      "joined %zu\n",
		      n, t.truth, t.right, t.wrong, t.one_list_true, t.one_list_joined);
	assert_true(t.one_list_true >= 100);
	assert_true(t.one_list_joined >= 20);
	assert_true(t.right >= 980 && t.wrong <= 60);
	kith_pprl_result_release(&r);
	free(f);
	free(src);
	free(person);
	kith_pprl_key_free(k);
}

/*
 * The persons' guard asks the records of two lists for a mean of 0.45 (issue 16, twelfth
 * session): a woman recorded as 이초아 born 1976, 리초아 born 1978 and "Ri Cho A" without a birth
 * on three lists. The two with births are two people as a pair (births two years apart:
 * posterior 0.003); each meets the third at 0.997. The last join asks a mean of the pairs
 * 0.997 and 0.003: 0.5 on the edge, where the guard at 0.5 kept her as two persons. The
 * population of test_link is the background that fits the model; its persons stay as they were.
 */
static void test_guard_mean(void **state)
{
	(void)state;
	static const char *const her[3] = {"이초아", "리초아", "Ri Cho A"};
	static const int her_year[3] = {1976, 1978, 0};
	struct kith_pprl_key *k = NULL;
	assert_int_equal(kith_pprl_key_new(&k, (const uint8_t *)"0123456789abcdef0123", 20, NULL), KITH_OK);
	struct kith_pprl_params p = {.seed = SEED};
	size_t cap = 600;
	uint64_t *f = aligned_alloc(64, cap * 128);
	uint32_t *src = malloc(cap * sizeof *src);
	int *person = malloc(cap * sizeof *person);
	size_t n = put_three_lists(k, &p, f, src, person);
	size_t first = n;
	for (unsigned l = 0; l < 3; l++) {
		encode_one(k, &p, her[l], her_year[l], "kp-hb", n, f);
		src[n] = l;
		person[n] = 120;
		n++;
	}
	struct kith_pprl_result r;
	struct kith_pprl_opts o = {.threads = 2, .seed = 1};
	assert_int_equal(kith_pprl_link(f, src, n, 3, &o, &r, NULL), KITH_OK);
	for (size_t i = 0; i < r.n_pairs; i++)
		if (r.pairs[i].a >= first)
			print_message("her records %u and %u: similarity %.3f, posterior %.3f\n",
				      r.pairs[i].a - (uint32_t)first, r.pairs[i].b - (uint32_t)first,
				      r.pairs[i].dice, r.post[i]);
	struct pair_tally t = tally_pairs(&r, person, src, n);
	print_message("records %zu: true pairs %zu, linked right %zu, wrong %zu\n", n, t.truth, t.right,
		      t.wrong);
	assert_int_equal(r.clusters.cluster[first], r.clusters.cluster[first + 1]);
	assert_int_equal(r.clusters.cluster[first], r.clusters.cluster[first + 2]);
	assert_int_equal(t.right, t.truth);
	assert_int_equal(t.wrong, 0);
	kith_pprl_result_release(&r);
	free(f);
	free(src);
	free(person);
	kith_pprl_key_free(k);
}

/* The birth's likelihood ratio: bins 4 and 5 are one class ("agree"), so a match whose names
 * differ in a syllable (fewer birth keys shared: bin 4) gets the evidence of an agreeing birth, not
 * the top group's small m of bin 4 alone (before: 0.1 / 0.01 = 10 against 600 for bin 5). */
static void test_birth_ratio(void **state)
{
	(void)state;
	struct kith_pprl_model m;
	memset(&m, 0, sizeof m);
	const double bm[KITH_PPRL_BIRTH_BINS] = {0.2, 0.001, 0.004, 0.095, 0.1, 0.6},
		     bu[KITH_PPRL_BIRTH_BINS] = {0.25, 0.05, 0.55, 0.139, 0.01, 0.001};
	for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++) {
		m.birth_m[k] = bm[k];
		m.birth_u[k] = bu[k];
		for (int g = 0; g < KITH_PPRL_BIRTH_GROUPS; g++)
			m.birth_ug[g][k] = bu[k] * (g + 1);
	}
	for (double sim = 0.55; sim < 1; sim += 0.1) {
		int g = sim < 0.6 ? 0 : sim < 0.7 ? 1 : sim < 0.8 ? 2 : 3;
		assert_true(fabs(kith_pprl_birth_ratio(&m, 4, sim) - 0.7 / (0.011 * (g + 1))) < 1e-9);
		assert_true(kith_pprl_birth_ratio(&m, 5, sim) == kith_pprl_birth_ratio(&m, 4, sim));
		assert_true(fabs(kith_pprl_birth_ratio(&m, 1, sim) - 0.001 / (0.05 * (g + 1))) < 1e-12);
	}
}

static void test_patterns(void **state)
{
	(void)state;
	/* persons 0 {lists 0, 1}, 1 {0}, 2 {1, 2, and 2 again} */
	const uint32_t cl[] = {0, 0, 1, 2, 2, 2}, src[] = {0, 1, 0, 1, 2, 2};
	double counts[8];
	kith_pprl_patterns(cl, 3, src, 6, 3, counts);
	assert_true(counts[0] == 0 && counts[3] == 1 && counts[1] == 1 && counts[6] == 1);
	assert_true(counts[2] == 0 && counts[4] == 0 && counts[5] == 0 && counts[7] == 0);
}

/* A sparse top band with a low posterior (one candidate at 0.43) must not cap
 * the well-filled bands below it: clipping each band to the one above did,
 * and a whole run linked no pair (threshold 1.00). */
static void test_monotone(void **state)
{
	(void)state;
	double post[KITH_PPRL_BANDS] = {0}, c[KITH_PPRL_BANDS] = {0};
	for (int b = 50; b < KITH_PPRL_BANDS; b++) {
		post[b] = b < 75 ? 0.01 * (b - 50) : 0.95;
		c[b] = 100;
	}
	post[98] = 0.428;
	c[98] = 1;
	post[99] = 0.428; /* no candidates: as the band below */
	c[99] = 0;
	post[60] = 0.6; /* a noisy low band, well filled */
	kith_pprl_model_monotone(post, c, 50);
	for (int b = 51; b < KITH_PPRL_BANDS; b++)
		assert_true(post[b] >= post[b - 1]);
	assert_true(post[90] > 0.9 && post[97] > 0.9);
	assert_true(post[98] > 0.5);
	assert_true(post[60] < 0.5); /* pooled with its neighbours */
	assert_true(post[50] < 0.05);
}

static void test_dice_count(void **state)
{
	(void)state;
	uint64_t *a = aligned_alloc(64, 300 * 128);
	for (size_t i = 0; i < 300 * KITH_PPRL_WORDS; i++)
		a[i] = (i % KITH_PPRL_WORDS) % 3 ? 0xFFFF0000FFFF0000ULL : 0x00FF00FF00FF00FFULL;
	uint64_t cmp = 0, hits = kith_pprl_dice_count(a, 300, a, 300, 0.99, 2, 0, &cmp);
	assert_int_equal(cmp, 90000);
	assert_int_equal(hits, 90000); /* every filter is the same */
	assert_true(kith_pprl_popcount_all(a, 16) > 0);
	free(a);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kpe),		cmocka_unit_test(test_link),
	    cmocka_unit_test(test_patterns),	cmocka_unit_test(test_monotone),
	    cmocka_unit_test(test_dice_count),	cmocka_unit_test(test_namesakes),
	    cmocka_unit_test(test_birth_ratio), cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_guard_mean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
