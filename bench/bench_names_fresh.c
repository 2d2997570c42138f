/*
 * bench_names_fresh — the names engine on the fresh held-out sets of issue 13
 * (data/names/fresh.py: fresh_compare.csv and fresh_search.csv, parts F1 and
 * F2, frozen before the engine was run on them).
 *
 *   compare  each published (Hangul, spelling) pair: recall of `compare` at
 *            the same-name threshold (per part, per list, per kind); recall
 *            of every pair of spellings of one Hangul name; precision on
 *            near misses: a spelling (or the Hangul) of one name against the
 *            Hangul of another of the same list that differs in one syllable
 *            (박지성 / 박지선). A false "same" whose spelling the lists also
 *            publish for the other name (Kang for 강 and 감) is counted apart:
 *            no engine can tell those apart from the text.
 *   search   one vault of every case of the set (Argon2id at its test
 *            minimum, a temporary folder); each query is a kith_search_run,
 *            a hit is the case named first. Top-1 per part and kind, beside
 *            the peer: plain string equality of the query and the stored
 *            name (what a search without the engine finds).
 *
 * usage: bench_names_fresh [--compare] [--search] [--part F1|...|F14] [--data DIR]
 *        [--verbose]      (both by default; DIR as for bench_names_search;
 *        --part F3: fresh_search_f3.csv, search only; --part F4:
 *        fresh_search_f4.csv, the same from another seed, search only; --part F5:
 *        fresh_search_f5.csv, from a third seed; F6 to F14 the same; --query Q: that one query
 *        against the part's vault, its first ten hits)
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "casework/search.h"
#include "names/names.h"
#include "names_bench.h"
#include "record/record.h"
#include "vault/vault.h"
#include "vault/store.h"

#define PASS "bench passphrase"
#define MAXR 12000

struct crow {
	char part[4], list[16], hangul[64], spelling[96], kind[16];
	struct kith_name h, s;
	int ok_h, ok_s;
};

struct srow {
	char part[8], ref[16], stored[96], query[160], kind[24];
};

static struct crow crows[MAXR];
static size_t n_crows;
static struct srow srows[MAXR];
static size_t n_srows;

static int load_compare(const char *dir)
{
	static const char *const cols[] = {"part", "list", "hangul", "spelling", "kind"};
	struct names_csv c;
	if (names_csv_open(&c, dir, "fresh_compare.csv", cols, 5))
		return -1;
	int rc = 0;
	while (n_crows < MAXR && (rc = names_csv_next(&c)) == 1) {
		struct crow *r = &crows[n_crows++];
		snprintf(r->part, sizeof r->part, "%s", c.f[0]);
		snprintf(r->list, sizeof r->list, "%s", c.f[1]);
		snprintf(r->hangul, sizeof r->hangul, "%s", c.f[2]);
		snprintf(r->spelling, sizeof r->spelling, "%s", c.f[3]);
		snprintf(r->kind, sizeof r->kind, "%s", c.f[4]);
		r->ok_h = kith_names_encode(&r->h, r->hangul, strlen(r->hangul), NULL) == 0;
		r->ok_s = kith_names_encode(&r->s, r->spelling, strlen(r->spelling), NULL) == 0;
	}
	names_csv_close(&c);
	return rc < 0 ? -1 : 0;
}

static int load_search(const char *dir, const char *file)
{
	static const char *const cols[] = {"part", "ref", "stored", "query", "kind"};
	struct names_csv c;
	if (names_csv_open(&c, dir, file, cols, 5))
		return -1;
	int rc = 0;
	while (n_srows < MAXR && (rc = names_csv_next(&c)) == 1) {
		struct srow *r = &srows[n_srows++];
		snprintf(r->part, sizeof r->part, "%s", c.f[0]);
		snprintf(r->ref, sizeof r->ref, "%s", c.f[1]);
		snprintf(r->stored, sizeof r->stored, "%s", c.f[2]);
		snprintf(r->query, sizeof r->query, "%s", c.f[3]);
		snprintf(r->kind, sizeof r->kind, "%s", c.f[4]);
	}
	names_csv_close(&c);
	return rc < 0 ? -1 : 0;
}

/* 1 when two Hangul names of equal length differ in exactly one syllable. */
static int near_miss(const char *a, const char *b)
{
	if (strlen(a) != strlen(b) || strcmp(a, b) == 0)
		return 0;
	size_t diff = 0, n = strlen(a);
	for (size_t i = 0; i + 3 <= n; i += 3)
		diff += memcmp(a + i, b + i, 3) != 0;
	return diff == 1;
}

/* The letters a-z of s, lower case (breves and marks dropped). */
static void letters(const char *s, char *o, size_t cap)
{
	size_t n = 0;
	for (; *s && n + 1 < cap; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c >= 'a' && c <= 'z')
			o[n++] = c;
	}
	o[n] = '\0';
}

/* --- What counts as a near miss (names13; docs/names.md, "Near misses").
 *
 * Two Hangul names that the initial-sound rule (두음법칙) maps onto each other
 * at the start of the surname or of the given name (뇌/뢰, 임/림, 난/란) are
 * one name in the South's and the North's orthography, not two names: they
 * are counted apart, not as near misses. A spelling of one name "writes" a
 * name one syllable away when each of its syllables, in order, is written so
 * for that name's syllable by a system (kith_names_romanize: RR, MR, MR
 * without breves, the North's style, common English; "Sung" is 승 in MR
 * without breves) or by a published name (the fresh lists and the labelled
 * set, syllable by syllable where the spelling's syllables are delimited:
 * "Hae" for 혜 in Sung Hae-rim), mixed freely ("Sun-hee": RR "sun" for 순,
 * "hee" for 희): such a spelling names both, and is counted apart too. */

#define N_SYL 11172
#define SYL_SPELLINGS 24
static char syl_dict[N_SYL][SYL_SPELLINGS][12];
static uint8_t syl_n[N_SYL];

/* The syllables of a Hangul string (U+AC00..U+D7A3), up to max; -1 when not all Hangul. */
static int hangul_syls(const char *h, unsigned *out, int max)
{
	int n = 0;
	const unsigned char *u = (const unsigned char *)h;
	while (*u) {
		if (n == max || (u[0] & 0xF0) != 0xE0 || !u[1] || !u[2])
			return -1;
		unsigned cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
		if (cp < 0xAC00 || cp > 0xD7A3)
			return -1;
		out[n++] = cp - 0xAC00;
		u += 3;
	}
	return n;
}

static void dict_add(unsigned syl, const char *sp)
{
	if (!*sp || strlen(sp) >= sizeof syl_dict[0][0])
		return;
	for (unsigned k = 0; k < syl_n[syl]; k++)
		if (strcmp(syl_dict[syl][k], sp) == 0)
			return;
	if (syl_n[syl] < SYL_SPELLINGS)
		snprintf(syl_dict[syl][syl_n[syl]++], sizeof syl_dict[0][0], "%s", sp);
}

/* Adds each syllable's spelling of (hangul, spelling) to the dictionary when
 * the spelling's pieces (split at spaces and hyphens) are as many as the
 * syllables, surname first. */
static void dict_learn(const char *hangul, const char *spelling)
{
	unsigned sy[16];
	int n = hangul_syls(hangul, sy, 16);
	if (n <= 0)
		return;
	char piece[16][16];
	int k = 0;
	size_t m = 0;
	for (const char *c = spelling;; c++) {
		if (*c == ' ' || *c == '-' || !*c) {
			if (m) {
				if (k == 16)
					return;
				piece[k][m] = '\0';
				char low[16];
				letters(piece[k], low, sizeof low);
				snprintf(piece[k], sizeof piece[k], "%s", low);
				k++;
				m = 0;
			}
			if (!*c)
				break;
		} else if (m + 1 < sizeof piece[0]) {
			piece[k < 16 ? k : 15][m++] = *c;
		}
	}
	if (k != n)
		return;
	for (int i = 0; i < n; i++)
		dict_add(sy[i], piece[i]);
}

/* Reads the labelled set's published spellings into the dictionary (its
 * Western-order rows are skipped: their pieces are not surname first). */
static void dict_load_labelled(const char *dir)
{
	static const char *const files[] = {"tuning.csv", "heldout.csv", "heldout2.csv"};
	static const char *const cols[] = {"hangul", "spelling", "kind"};
	for (size_t f = 0; f < 3; f++) {
		struct names_csv c;
		if (names_csv_open(&c, dir, files[f], cols, 3))
			continue;
		while (names_csv_next(&c) == 1)
			if (strcmp(c.f[2], "western") != 0)
				dict_learn(c.f[0], c.f[1]);
		names_csv_close(&c);
	}
}

/* 1 when the letters of `spelling` are, in order, a spelling of each
 * syllable of h from the dictionary or from a system's romanization of h. */
static int writes_by_syllables(const char *spelling, const char *h)
{
	unsigned sy[16];
	int n = hangul_syls(h, sy, 16);
	if (n <= 0)
		return 0;
	/* the systems' spellings of each syllable of h, in context */
	char sys_sp[5][16][16];
	int have[5] = {0};
	for (int sys = KITH_NAMES_RR; sys <= KITH_NAMES_COMMON; sys++) {
		struct kith_sbuf o = KITH_SBUF_INIT;
		if (kith_names_romanize(h, strlen(h), (enum kith_names_system)sys, &o, NULL) == 0) {
			int k = 0;
			size_t m = 0;
			char buf[16];
			for (const char *c = o.buf;; c++) {
				if (*c == ' ' || *c == '-' || !*c) {
					if (m && k < 16) {
						buf[m] = '\0';
						letters(buf, sys_sp[sys][k], sizeof sys_sp[0][0]);
						k++;
					}
					m = 0;
					if (!*c)
						break;
				} else if (m + 1 < sizeof buf) {
					buf[m++] = *c;
				}
			}
			have[sys] = k == n;
		}
		kith_sbuf_release(&o);
	}
	char a[128];
	letters(spelling, a, sizeof a);
	size_t len = strlen(a);
	/* reach[j][p]: syllables 0..j-1 spell a[0..p) */
	static unsigned char reach[17][128];
	memset(reach, 0, sizeof reach);
	reach[0][0] = 1;
	for (int j = 0; j < n; j++)
		for (size_t p = 0; p <= len; p++) {
			if (!reach[j][p])
				continue;
			for (int sys = 0; sys < 5 + SYL_SPELLINGS; sys++) {
				const char *d =
				    sys < 5 ? (have[sys] ? sys_sp[sys][j] : NULL)
					    : ((unsigned)(sys - 5) < syl_n[sy[j]] ? syl_dict[sy[j]][sys - 5]
										  : NULL);
				size_t dl = d ? strlen(d) : 0;
				if (dl && p + dl <= len && memcmp(a + p, d, dl) == 0)
					reach[j + 1][p + dl] = 1;
			}
		}
	return reach[n][len];
}

/* 1 when Hangul a and b differ in one syllable, at the start of the surname
 * or of the given name (position 0 or 1: the fresh lists' surnames have one
 * syllable), by the initial-sound rule: ㄹ and ㄴ or ㅇ, ㄴ and ㅇ before i/y. */
static int north_south(const char *a, const char *b)
{
	unsigned x[16], y[16];
	int n = hangul_syls(a, x, 16);
	if (n <= 0 || hangul_syls(b, y, 16) != n)
		return 0;
	int diff = -1;
	for (int i = 0; i < n; i++)
		if (x[i] != y[i]) {
			if (diff >= 0)
				return 0;
			diff = i;
		}
	if (diff < 0 || diff > 1)
		return 0;
	unsigned lx = x[diff] / 588, ly = y[diff] / 588;
	if (x[diff] % 588 != y[diff] % 588)
		return 0; /* vowel and final the same */
	unsigned v = x[diff] % 588 / 28;
	/* ㅣ ㅑ ㅕ ㅛ ㅠ ㅖ ㅒ: the vowels before which ㄹ and ㄴ are written ㅇ */
	int iy = v == 20 || v == 2 || v == 6 || v == 12 || v == 17 || v == 7 || v == 3;
	enum { L_N = 2, L_R = 5, L_O = 11 };
	unsigned lo = lx < ly ? lx : ly, hi = lx < ly ? ly : lx;
	return (lo == L_R && hi == L_O && iy) || (lo == L_N && hi == L_R && !iy) ||
	       (lo == L_N && hi == L_O && iy);
}

/* 1 when the lists publish `spelling` for the Hangul `h` too, or when a
 * system writes h so (kith_names_romanize, letters only: "Sung-won" is the
 * MR without breves of 승원 as well as the common spelling of 성원). */
static int published_for(const char *spelling, const char *h)
{
	for (size_t i = 0; i < n_crows; i++)
		if (strcmp(crows[i].hangul, h) == 0 && strcasecmp(crows[i].spelling, spelling) == 0)
			return 1;
	char a[128], b[128];
	letters(spelling, a, sizeof a);
	for (int sys = KITH_NAMES_RR; sys <= KITH_NAMES_COMMON; sys++) {
		struct kith_sbuf o = KITH_SBUF_INIT;
		if (kith_names_romanize(h, strlen(h), (enum kith_names_system)sys, &o, NULL) == 0) {
			letters(o.buf, b, sizeof b);
			if (strcmp(a, b) == 0) {
				kith_sbuf_release(&o);
				return 1;
			}
		}
		kith_sbuf_release(&o);
	}
	return writes_by_syllables(spelling, h);
}

/* 1 when `spelling` writes (as published_for) a name that the initial-sound
 * rule maps onto h (north_south): "Yu", published for 여, against 려 (여 in
 * the North's orthography); "An", published for 난, against 란. One name in
 * two orthographies, as north_south counts it (names13, second pass). */
static int published_for_other_form(const char *spelling, const char *h)
{
	unsigned sy[16];
	int n = hangul_syls(h, sy, 16);
	static const unsigned inits[] = {2, 5, 11}; /* ㄴ ㄹ ㅇ */
	for (int pos = 0; pos < n && pos < 2; pos++)
		for (size_t k = 0; k < 3; k++) {
			unsigned z[16];
			memcpy(z, sy, sizeof(unsigned) * (size_t)n);
			z[pos] = inits[k] * 588 + sy[pos] % 588;
			if (z[pos] == sy[pos])
				continue;
			char zs[64];
			size_t m = 0;
			for (int i = 0; i < n; i++) {
				unsigned cp = 0xAC00 + z[i];
				zs[m++] = (char)(0xE0 | (cp >> 12));
				zs[m++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				zs[m++] = (char)(0x80 | (cp & 0x3F));
			}
			zs[m] = '\0';
			if (north_south(zs, h) && published_for(spelling, zs))
				return 1;
		}
	return 0;
}

static void compare_part(const char *part, int verbose)
{
	static const char *const lists[] = {"wp-surnames", "wp-given", "m3-names"};
	double t = kith_names_same_threshold();
	size_t all_n = 0, all_ok = 0;
	printf("compare, part %s (same at >= %.2f)\n", part, t);
	for (size_t l = 0; l < 3; l++) {
		size_t n = 0, ok = 0, pn = 0, pok = 0, nm = 0, nm_false = 0, nm_shared = 0, nm_ns = 0,
		       nm_ns_written = 0;
		for (size_t i = 0; i < n_crows; i++) {
			const struct crow *r = &crows[i];
			if (strcmp(r->part, part) || strcmp(r->list, lists[l]))
				continue;
			n++;
			double s = r->ok_h && r->ok_s ? kith_names_similarity(&r->h, &r->s) : 0.0;
			ok += s >= t;
			if (verbose && s < t)
				printf("    miss %s %s [%s] (%s): %.3f\n", r->list, r->hangul, r->spelling,
				       r->kind, s);
			for (size_t j = i + 1; j < n_crows; j++) {
				const struct crow *q = &crows[j];
				if (strcmp(q->part, part) || strcmp(q->list, lists[l]) ||
				    strcmp(q->hangul, r->hangul))
					continue;
				pn++;
				double ps = r->ok_s && q->ok_s ? kith_names_similarity(&r->s, &q->s) : 0.0;
				pok += ps >= t;
				if (verbose > 1 && ps < t)
					printf("    pair miss %s [%s] [%s]: %.3f\n", r->hangul, r->spelling,
					       q->spelling, ps);
			}
			/* near misses: this spelling against every other Hangul one syllable away */
			for (size_t j = 0; j < n_crows; j++) {
				const struct crow *q = &crows[j];
				if (strcmp(q->part, part) || strcmp(q->list, lists[l]) ||
				    !near_miss(r->hangul, q->hangul))
					continue;
				if (j > 0 && strcmp(crows[j - 1].hangul, q->hangul) == 0 &&
				    strcmp(crows[j - 1].list, q->list) == 0)
					continue; /* each other Hangul once */
				if (north_south(r->hangul, q->hangul)) {
					nm_ns++; /* one name, South and North */
					continue;
				}
				nm++;
				double ns = r->ok_s && q->ok_h ? kith_names_similarity(&r->s, &q->h) : 0.0;
				if (ns >= t) {
					if (published_for(r->spelling, q->hangul)) {
						nm_shared++;
					} else if (published_for_other_form(r->spelling, q->hangul)) {
						nm_ns_written++;
						if (verbose)
							printf("    apart %s [%s] ~ %s: %.3f (writes the "
							       "other's "
							       "North/South form)\n",
							       r->hangul, r->spelling, q->hangul, ns);
					} else {
						nm_false++;
						if (verbose)
							printf("    false %s [%s] ~ %s: %.3f\n", r->hangul,
							       r->spelling, q->hangul, ns);
					}
				}
			}
		}
		if (!n)
			continue;
		all_n += n;
		all_ok += ok;
		printf(
		    "  %-12s %4zu pairs: recall %.4f (%zu)   spelling pairs %5zu: recall %.4f   near "
		    "misses %6zu: "
		    "precision %.4f (%zu false; %zu spellings that also write the other name, published "
		    "or by a system; %zu North/South pairs apart, %zu spellings of the other's North/South "
		    "form: precision %.4f with them false)\n",
		    lists[l], n, (double)ok / (double)n, ok, pn, pn ? (double)pok / (double)pn : 1.0, nm,
		    nm ? 1.0 - (double)nm_false / (double)(nm - nm_shared - nm_ns_written) : 1.0, nm_false,
		    nm_shared, nm_ns, nm_ns_written,
		    nm ? 1.0 - (double)(nm_false + nm_ns_written) / (double)(nm - nm_shared) : 1.0);
	}
	/* Hangul against Hangul one syllable away (박지성 / 박지선) */
	size_t hn = 0, hf = 0, hns = 0;
	for (size_t i = 0; i < n_crows; i++) {
		if (strcmp(crows[i].part, part) ||
		    (i > 0 && strcmp(crows[i - 1].hangul, crows[i].hangul) == 0))
			continue;
		for (size_t j = i + 1; j < n_crows; j++) {
			if (strcmp(crows[j].part, part) ||
			    strcmp(crows[j - 1].hangul, crows[j].hangul) == 0 ||
			    !near_miss(crows[i].hangul, crows[j].hangul))
				continue;
			if (north_south(crows[i].hangul, crows[j].hangul)) {
				hns++; /* one name, South and North: no near miss */
				continue;
			}
			hn++;
			if (crows[i].ok_h && crows[j].ok_h &&
			    kith_names_similarity(&crows[i].h, &crows[j].h) >= kith_names_same_threshold()) {
				hf++;
				if (verbose)
					printf("    false hangul %s ~ %s\n", crows[i].hangul,
					       crows[j].hangul);
			}
		}
	}
	printf("  all lists    %4zu pairs: recall %.4f   Hangul near misses %zu: precision %.4f (%zu "
	       "North/South pairs apart)\n",
	       all_n, all_n ? (double)all_ok / (double)all_n : 0.0, hn,
	       hn ? 1.0 - (double)hf / (double)hn : 1.0, hns);
}

/* The tally of one kind of query (its name in the data's `kind` column). */
struct kind_tally {
	char kind[24];
	struct names_tally t;
};

/* One query against the part's vault (--query): the first ten hits. */
static void search_one(struct kith_search *s, const char *query)
{
	struct kith_err err;
	kith_err_clear(&err);
	const struct kith_search_hit *hits = NULL;
	size_t nh = 0;
	if (kith_search_run(s, query, strlen(query), 10, 0, &hits, &nh, &err)) {
		printf("query [%s]: %s\n", query, err.msg);
		return;
	}
	printf("query [%s]: %zu hits\n", query, nh);
	for (size_t h = 0; h < nh; h++)
		printf("  %2zu %s %s (%s) %.4f\n", h + 1, hits[h].view->ref, hits[h].name, hits[h].matched,
		       hits[h].score);
}

static void search_run(const char *path, const char *only, int verbose, const char *query)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	struct kith_vault *v = NULL;
	struct kith_vault_batch *b = NULL;
	if (kith_vault_create(path, PASS, strlen(PASS), &o, &err) ||
	    kith_vault_open(&v, path, PASS, strlen(PASS), NULL, NULL, &err) ||
	    kith_vault_batch_begin(v, &b, &err)) {
		fprintf(stderr, "bench: vault: %s\n", err.msg);
		return;
	}
	size_t n_cases = 0;
	for (size_t i = 0; i < n_srows; i++)
		if (strcmp(srows[i].part, "vault") == 0) {
			if (names_bench_put_case(b, srows[i].ref, srows[i].stored, &err)) {
				fprintf(stderr, "bench: put %s: %s\n", srows[i].ref, err.msg);
				return;
			}
			n_cases++;
		}
	if (kith_vault_batch_commit(b, &err)) {
		fprintf(stderr, "bench: commit: %s\n", err.msg);
		return;
	}
	struct kith_search *s = NULL;
	if (kith_search_new(&s, v, &err)) {
		fprintf(stderr, "bench: search: %s\n", err.msg);
		return;
	}
	if (query) {
		search_one(s, query);
		kith_search_free(s);
		kith_vault_close(v);
		return;
	}
	static const char *const parts[] = {"F1", "F2", "F3",  "F4",  "F5",  "F6",  "F7",
					    "F8", "F9", "F10", "F11", "F12", "F13", "F14"};
	for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
		if (only && strcmp(only, parts[p]))
			continue;
		struct kind_tally kinds[40];
		struct names_tally all = {0};
		size_t nk = 0;
		for (size_t i = 0; i < n_srows; i++) {
			const struct srow *r = &srows[i];
			if (strcmp(r->part, parts[p]))
				continue;
			const struct kith_search_hit *hits = NULL;
			size_t nh = 0;
			int hit = 0, tie = 0;
			if (kith_search_run(s, r->query, strlen(r->query), 20, 0, &hits, &nh, &err) == 0)
				hit = names_bench_first(hits, nh, r->ref, &tie);
			int same = strcmp(r->query, r->stored) == 0 || strcmp(r->query, r->ref) == 0;
			names_tally_add(&all, hit, tie, same);
			size_t k = 0;
			while (k < nk && strcmp(kinds[k].kind, r->kind))
				k++;
			if (k == nk && nk < 40) {
				snprintf(kinds[nk].kind, sizeof kinds[nk].kind, "%s", r->kind);
				memset(&kinds[nk].t, 0, sizeof kinds[nk].t);
				nk++;
			}
			if (k < nk)
				names_tally_add(&kinds[k].t, hit, tie, same);
			if (verbose && !hit) {
				printf("    miss %s %s [%s] (%s): ", r->ref, r->stored, r->query, r->kind);
				for (size_t h = 0; h < nh && h < 3; h++)
					printf("%s %s %.3f; ", hits[h].view->ref, hits[h].name,
					       hits[h].score);
				int found = 0;
				for (size_t h = 0; h < nh; h++)
					if (strcmp(hits[h].view->ref, r->ref) == 0) {
						printf("(at %zu, %.3f)", h + 1, hits[h].score);
						found = 1;
					}
				printf("%s\n", found ? "" : "(not in the first 20)");
			}
		}
		printf(
		    "search, part %s: %zu cases, %zu queries: top-1 %.4f (%zu; %zu lost on a tie)   string "
		    "equality %.4f\n",
		    parts[p], n_cases, all.n, all.n ? (double)all.top1 / (double)all.n : 0.0, all.top1,
		    all.ties, all.n ? (double)all.exact / (double)all.n : 0.0);
		/* three groups: a whole name in any spelling or script; part of a
		 * name (given name alone, surname and part, a token); a typo */
		static const char *const groups[] = {"whole names", "partial names", "typos"};
		for (int g = 0; g < 3; g++) {
			size_t gn = 0, gt = 0;
			for (size_t k = 0; k < nk; k++) {
				const char *kd = kinds[k].kind;
				int grp = strncmp(kd, "typo", 4) == 0 ? 2
					  : (strcmp(kd, "given") == 0 || strncmp(kd, "partial", 7) == 0 ||
					     strncmp(kd, "token", 5) == 0)
					      ? 1
					      : 0;
				if (grp == g) {
					gn += kinds[k].t.n;
					gt += kinds[k].t.top1;
				}
			}
			if (gn)
				printf("  %-14s %4zu queries: top-1 %.4f (%zu)\n", groups[g], gn,
				       (double)gt / (double)gn, gt);
		}
		for (size_t k = 0; k < nk; k++)
			printf("  %-14s %4zu queries: top-1 %.4f (%zu)   string equality %.4f\n",
			       kinds[k].kind, kinds[k].t.n, (double)kinds[k].t.top1 / (double)kinds[k].t.n,
			       kinds[k].t.top1, (double)kinds[k].t.exact / (double)kinds[k].t.n);
	}
	kith_search_free(s);
	kith_vault_close(v);
}

int main(int argc, char **argv)
{
	int do_compare = 0, do_search = 0, verbose = 0;
	const char *data = NULL, *only = NULL, *query = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--compare") == 0)
			do_compare = 1;
		else if (strcmp(argv[i], "--search") == 0)
			do_search = 1;
		else if (strcmp(argv[i], "--part") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--query") == 0 && i + 1 < argc)
			query = argv[++i];
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose++;
		else {
			fprintf(stderr, "usage: bench_names_fresh [--compare] [--search] [--part "
					"F1|...|F14] [--data DIR] "
					"[--verbose] [--query Q]\n");
			return 2;
		}
	}
	if (!do_compare && !do_search)
		do_compare = do_search = 1;
	if (kith_process_init())
		return 1;
	char dir[1024];
	names_bench_data_dir(dir, sizeof dir, data, __FILE__);
	if (do_compare) {
		if (load_compare(dir))
			return 1;
		for (size_t i = 0; i < n_crows; i++) /* the published spellings, syllable by syllable */
			dict_learn(crows[i].hangul, crows[i].spelling);
		dict_load_labelled(dir);
		if (!only || strcmp(only, "F1") == 0)
			compare_part("F1", verbose);
		if (!only || strcmp(only, "F2") == 0)
			compare_part("F2", verbose);
	}
	if (do_search) {
		/* parts F3 to F14 (each a vault of its own) are in files of their own */
		char file[40] = "fresh_search.csv";
		if (only && only[0] == 'F' && atoi(only + 1) >= 3)
			snprintf(file, sizeof file, "fresh_search_f%d.csv", atoi(only + 1));
		if (load_search(dir, file))
			return 1;
		char tmpl[] = "/tmp/kith-bench-fresh-XXXXXX";
		if (!mkdtemp(tmpl))
			return 1;
		char path[1100];
		snprintf(path, sizeof path, "%s/v.kith", tmpl);
		search_run(path, only, verbose, query);
		kith_store_remove(path);
		rmdir(tmpl);
	}
	return 0;
}
