/*
 * bench_names_search — how often `kith search` puts the right case first.
 *
 * Two vaults (in a temporary folder, Argon2id at its test minimum) hold one
 * case per person of the labelled set (data/names/tuning.csv, heldout.csv and
 * heldout2.csv: public figures and their near misses, such as 김정일 and
 * 김정은) and a few thousand fictional names drawn from invented syllable
 * tables (two thirds in Hangul, a third romanized by the engine):
 *
 *   A  each person's case is written in Hangul; every published spelling of
 *      the set is searched (kith_search_run), and a hit is the person's case
 *      first. This is "a romanized spelling finds the Hangul case first".
 *   B  each person's case is written in its Wikipedia-title romanization; the
 *      person's Hangul (and North Korean Hangul) is searched: "the reverse".
 *
 * Top-1 accuracy is printed for the tuning and held-out parts separately and
 * per kind of spelling, beside the accuracy of the peer: plain string
 * equality (what a search without the engine finds). Also printed: how many
 * other cases score at or above the same-name threshold per query (the
 * engine's false "same" decisions, or names that truly read alike). Query
 * time is printed beside a linear strcmp scan of the same names.
 *
 * usage: bench_names_search [--fictional N] [--data DIR] [--verbose]
 * (DIR defaults to $KITH_SOURCE/data/names, else the data/names folder of
 * the tree this file was compiled from.)
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record/record.h"
#include "base/sbuf.h"
#include "casework/search.h"
#include "base/status.h"
#include "vault/vault.h"
#include "names/names.h"
#include "names_bench.h"

#define PASS "bench passphrase"
#define MAX_ROWS 4000

struct row {
	char id[8];
	char hangul[64];
	char spelling[96];
	char kind[16];
	int heldout;
};

static struct row rows[MAX_ROWS];
static size_t n_rows;
static volatile size_t sink;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rs = 0x853C49E6748FEA9Bull;
static uint32_t rnd(uint32_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs % n);
}

static int load(const char *dir, const char *file, int heldout)
{
	static const char *const cols[] = {"id", "hangul", "spelling", "kind"};
	struct names_csv c;
	if (names_csv_open(&c, dir, file, cols, 4))
		return -1;
	int rc = 0;
	while (n_rows < MAX_ROWS && (rc = names_csv_next(&c)) == 1) {
		struct row *r = &rows[n_rows++];
		snprintf(r->id, sizeof r->id, "%s", c.f[0]);
		snprintf(r->hangul, sizeof r->hangul, "%s", c.f[1]);
		snprintf(r->spelling, sizeof r->spelling, "%s", c.f[2]);
		snprintf(r->kind, sizeof r->kind, "%s", c.f[3]);
		r->heldout = heldout;
	}
	names_csv_close(&c);
	return rc < 0 ? -1 : 0;
}

static const char *const surnames[] = {"김", "김", "김", "김", "이", "이", "이", "박", "박", "최",
				       "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신",
				       "권", "황", "안", "송", "전", "홍", "유", "고", "문", "양",
				       "손", "배", "백", "허", "남", "심", "노", "하", "곽"};
static const char *const given[] = {"미", "선", "순", "영", "정", "수", "지", "현", "성", "은", "진",
				    "준", "희", "경", "혜", "연", "재", "상", "숙", "호", "자", "주",
				    "동", "석", "철", "우", "윤", "원", "하", "용", "종", "명", "인",
				    "태", "기", "승", "훈", "옥", "화", "란", "춘", "금", "향", "일",
				    "남", "혁", "광", "범", "근", "민", "서", "유"};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The first row of each person: the index of its Wikipedia-title spelling. */
static size_t title_row(size_t first)
{
	for (size_t i = first; i < n_rows && strcmp(rows[i].id, rows[first].id) == 0; i++)
		if (strcmp(rows[i].kind, "hangul") != 0 && strcmp(rows[i].kind, "hangul-north") != 0)
			return i;
	return first;
}

/* Builds a vault: one case per person (its Hangul, or its title spelling
 * when `romanized`), plus n_fict fictional names. */
static int build(const char *path, int romanized, size_t n_fict, char (*names)[96], size_t *n_names)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	if (kith_vault_create(path, PASS, strlen(PASS), &o, &err)) {
		fprintf(stderr, "bench: create: %s\n", err.msg);
		return -1;
	}
	struct kith_vault *v = NULL;
	if (kith_vault_open(&v, path, PASS, strlen(PASS), NULL, NULL, &err)) {
		fprintf(stderr, "bench: open: %s\n", err.msg);
		return -1;
	}
	struct kith_vault_batch *b = NULL;
	if (kith_vault_batch_begin(v, &b, &err))
		return -1;
	size_t nn = 0;
	for (size_t i = 0; i < n_rows; i++) {
		if (i > 0 && strcmp(rows[i].id, rows[i - 1].id) == 0)
			continue;
		char ref[32];
		snprintf(ref, sizeof ref, "T-%s", rows[i].id);
		const char *name = romanized ? rows[title_row(i)].spelling : rows[i].hangul;
		if (names_bench_put_case(b, ref, name, &err)) {
			fprintf(stderr, "bench: put %s: %s %s\n", ref, err.where, err.msg);
			return -1;
		}
		snprintf(names[nn++], 96, "%s", name);
	}
	for (size_t k = 0; k < n_fict; k++) {
		char han[64];
		snprintf(han, sizeof han, "%s%s%s", surnames[rnd(N_OF(surnames))], given[rnd(N_OF(given))],
			 given[rnd(N_OF(given))]);
		int clash = 0;
		for (size_t i = 0; i < n_rows && !clash; i++)
			clash = strcmp(rows[i].hangul, han) == 0;
		if (clash)
			continue;
		char ref[32], name[96];
		snprintf(ref, sizeof ref, "F-%05zu", k);
		if (rnd(3) == 0) {
			struct kith_sbuf s = KITH_SBUF_INIT;
			if (kith_names_romanize(han, strlen(han), (enum kith_names_system)rnd(5), &s, NULL))
				return -1;
			snprintf(name, sizeof name, "%s", s.buf);
			kith_sbuf_release(&s);
		} else {
			snprintf(name, sizeof name, "%s", han);
		}
		if (names_bench_put_case(b, ref, name, &err)) {
			fprintf(stderr, "bench: put %s: %s\n", ref, err.msg);
			return -1;
		}
		snprintf(names[nn++], 96, "%s", name);
	}
	if (kith_vault_batch_commit(b, &err)) {
		fprintf(stderr, "bench: commit: %s\n", err.msg);
		return -1;
	}
	kith_vault_close(v);
	*n_names = nn;
	return 0;
}

static void report(const char *label, const struct names_tally *t)
{
	if (!t->n)
		return;
	printf(
	    "  %-22s %4zu queries: top-1 %.4f (%zu; %zu lost on a tie)   string equality %.4f   ratio %.2f\n",
	    label, t->n, (double)t->top1 / (double)t->n, t->top1, t->ties, (double)t->exact / (double)t->n,
	    t->exact ? (double)t->top1 / (double)t->exact : 0.0);
}

static int run(const char *path, int direction_b, char (*names)[96], size_t n_names, int verbose)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_vault *v = NULL;
	if (kith_vault_open(&v, path, PASS, strlen(PASS), NULL, NULL, &err))
		return -1;
	struct kith_search *s = NULL;
	if (kith_search_new(&s, v, &err))
		return -1;
	static const char *const kinds[] = {"hangul",	"hangul-north", "rr",	  "mr",
					    "mr-plain", "nk",		"common", "western"};
	struct names_tally part[2] = {{0}}, kind[N_OF(kinds)] = {{0}};
	double t_search = 0, t_scan = 0;
	size_t scans = 0, same_others = 0, with_others = 0;
	for (size_t i = 0; i < n_rows; i++) {
		const struct row *r = &rows[i];
		int is_hangul = strcmp(r->kind, "hangul") == 0 || strcmp(r->kind, "hangul-north") == 0;
		if (direction_b && !is_hangul)
			continue; /* B: the Hangul finds the romanized case */
		char want[32];
		snprintf(want, sizeof want, "T-%s", r->id);
		const char *stored = direction_b ? rows[title_row(i)].spelling : r->hangul;
		/* the one stored name of this person's case: skip the query equal to it in A for Hangul */
		const struct kith_search_hit *hits = NULL;
		size_t n = 0;
		double t0 = now();
		if (kith_search_run(s, r->spelling, strlen(r->spelling), 200, 0, &hits, &n, &err)) {
			fprintf(stderr, "bench: search failed: %s\n", err.msg);
			return -1;
		}
		t_search += now() - t0;
		t0 = now();
		size_t eq = 0;
		for (size_t k = 0; k < n_names; k++)
			eq += strcmp(names[k], r->spelling) == 0;
		t_scan += now() - t0;
		sink += eq;
		scans++;
		int tie;
		int top = names_bench_first(hits, n, want, &tie);
		int exact = strcmp(stored, r->spelling) == 0;
		size_t others = 0; /* other cases taken as the same name */
		for (size_t k = 0; k < n; k++)
			if (strcmp(hits[k].view->ref, want) != 0 &&
			    hits[k].score >= kith_names_same_threshold()) {
				others++;
				if (verbose)
					printf("    also %s [%s] = %s %s (%.3f)\n", r->id, r->spelling,
					       hits[k].view->ref, hits[k].name, hits[k].score);
			}
		same_others += others;
		with_others += others > 0;
		names_tally_add(&part[r->heldout], top, tie, exact);
		for (size_t k = 0; k < N_OF(kinds); k++)
			if (strcmp(kinds[k], r->kind) == 0)
				names_tally_add(&kind[k], top, tie, exact);
		if (verbose && !top)
			printf("    miss %s [%s]: first %s (%.3f) %s\n", r->id, r->spelling,
			       n ? hits[0].view->ref : "-", n ? hits[0].score : 0.0, n ? hits[0].name : "");
	}
	/* A, again with one typo in every romanized spelling (issue 13): two
	 * neighbouring letters of the last word swapped, or one of its letters
	 * dropped (never its first letter), as fast field typing does */
	struct names_tally typo[2][2] = {{{0}}};
	for (size_t i = 0; i < n_rows && !direction_b; i++) {
		const struct row *r = &rows[i];
		if (!strcmp(r->kind, "hangul") || !strcmp(r->kind, "hangul-north"))
			continue;
		const char *last = strrchr(r->spelling, ' ');
		size_t at = last ? (size_t)(last - r->spelling) + 1 : 0, len = strlen(r->spelling);
		if (len - at < 4)
			continue;
		for (int op = 0; op < 2; op++) {
			char q[96];
			snprintf(q, sizeof q, "%s", r->spelling);
			size_t k = at + 1 + rnd((uint32_t)(len - at - 2));
			unsigned char a = (unsigned char)q[k], b = (unsigned char)q[k + 1];
			if (a >= 0x80 || b >= 0x80 || a == '-' || b == '-' || a == '\'' || b == '\'')
				continue;
			if (op == 0) {
				q[k] = (char)b;
				q[k + 1] = (char)a;
			} else {
				memmove(q + k, q + k + 1, len - k);
			}
			const struct kith_search_hit *hits = NULL;
			size_t n = 0;
			if (kith_search_run(s, q, strlen(q), 20, 0, &hits, &n, &err))
				continue; /* a typo that leaves no name */
			char want[32];
			snprintf(want, sizeof want, "T-%s", r->id);
			int tie; /* a typo's row counts top-1 only: no ties, no string equality */
			int top = names_bench_first(hits, n, want, &tie);
			names_tally_add(&typo[op][r->heldout], top, 0, 0);
			if (verbose && !top)
				printf("    typo miss %s [%s]: first %s (%.3f) %s\n", r->id, q,
				       n ? hits[0].view->ref : "-", n ? hits[0].score : 0.0,
				       n ? hits[0].name : "");
		}
	}
	printf("  other cases scoring >= %.2f (the same-name threshold): %.3f per query; %zu of %zu queries "
	       "have one\n",
	       kith_names_same_threshold(), (double)same_others / (double)scans, with_others, scans);
	report("tuning", &part[0]);
	report("held-out", &part[1]);
	for (size_t k = 0; k < N_OF(kinds); k++)
		report(kinds[k], &kind[k]);
	report("typo swap, tuning", &typo[0][0]);
	report("typo swap, held-out", &typo[0][1]);
	report("typo drop, tuning", &typo[1][0]);
	report("typo drop, held-out", &typo[1][1]);
	printf("  query time %.1f us (kith_search_run over %zu names) vs %.3f us (strcmp scan of the same "
	       "names)   "
	       "ratio %.0f\n",
	       1e6 * t_search / (double)scans, n_names, 1e6 * t_scan / (double)scans, t_search / t_scan);
	kith_search_free(s);
	kith_vault_close(v);
	return 0;
}

int main(int argc, char **argv)
{
	size_t n_fict = 3000;
	int verbose = 0;
	const char *data = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fictional") == 0 && i + 1 < argc)
			n_fict = (size_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = 1;
		else {
			fprintf(stderr,
				"usage: bench_names_search [--fictional N] [--data DIR] [--verbose]\n");
			return 2;
		}
	}
	if (kith_process_init())
		return 1;
	char dir[1024];
	names_bench_data_dir(dir, sizeof dir, data, __FILE__);
	/* held-out: both held-out parts (heldout2.csv: issue 13, never tuned on) */
	if (load(dir, "tuning.csv", 0) || load(dir, "heldout.csv", 1) || load(dir, "heldout2.csv", 1))
		return 1;
	char tmpl[] = "/tmp/kith-bench-names-XXXXXX";
	if (!mkdtemp(tmpl))
		return 1;
	char pa[1100], pb[1100];
	snprintf(pa, sizeof pa, "%s/a.kith", tmpl);
	snprintf(pb, sizeof pb, "%s/b.kith", tmpl);
	static char names[MAX_ROWS + 200000][96];
	size_t n_names = 0;
	if (n_fict > 200000)
		n_fict = 200000;
	int rc = 0;
	printf("bench_names_search: %zu spellings of the labelled set, %zu fictional names\n", n_rows,
	       n_fict);
	uint64_t seed = rs;
	if (build(pa, 0, n_fict, names, &n_names) == 0) {
		printf("A: cases in Hangul, every spelling searched (%zu cases)\n", n_names);
		rc |= run(pa, 0, names, n_names, verbose);
	} else {
		rc = 1;
	}
	rs = seed;
	if (build(pb, 1, n_fict, names, &n_names) == 0) {
		printf("B: cases in their title romanization, the Hangul searched (%zu cases)\n", n_names);
		rc |= run(pb, 1, names, n_names, verbose);
	} else {
		rc = 1;
	}
	/* the vault files and their WAL */
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "%s", tmpl);
	const char *files[] = {"a.kith", "a.kith-wal", "a.kith-shm", "b.kith", "b.kith-wal", "b.kith-shm"};
	for (size_t i = 0; i < N_OF(files); i++) {
		snprintf(cmd, sizeof cmd, "%s/%s", tmpl, files[i]);
		unlink(cmd);
	}
	rmdir(tmpl);
	return rc ? 1 : 0;
}
