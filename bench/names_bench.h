/*
 * names_bench — what bench_names_search and bench_names_fresh share: the
 * folder of the labelled name sets, a reader of their CSV files (base/csv),
 * a case named for a search, and the judgement of one search (is the case
 * sought first, or lost on a tie?) with its tally.
 *
 * Header only, every function static: each benchmark is one source file
 * (cmake/tests.cmake builds bench/bench_<name>.c alone), and a benchmark that
 * leaves a function unused is told so (static inline keeps it quiet).
 */
#ifndef KITH_BENCH_NAMES_BENCH_H
#define KITH_BENCH_NAMES_BENCH_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/io.h"
#include "base/sbuf.h"
#include "base/status.h"
#include "casework/search.h"
#include "vault/vault.h"

/* The folder of the name sets: `data` (--data) when given, else
 * $KITH_SOURCE/data/names, else the data/names folder of the tree that
 * `source` (the benchmark's __FILE__, ".../bench/bench_names_*.c") is in. */
static inline void names_bench_data_dir(char *dir, size_t cap, const char *data, const char *source)
{
	if (data) {
		snprintf(dir, cap, "%s", data);
	} else if (getenv("KITH_SOURCE")) {
		snprintf(dir, cap, "%s/data/names", getenv("KITH_SOURCE"));
	} else {
		snprintf(dir, cap, "%s", source);
		char *b = strstr(dir, "bench/bench_names");
		if (b)
			snprintf(b, cap - (size_t)(b - dir), "data/names");
	}
}

/* A CSV file of a name set, read whole and walked row by row with base/csv.
 * f[i] is the field of the header column cols[i] in the current row; it
 * lives until the next names_csv_next or names_csv_close. */
#define NAMES_CSV_MAX_COLS 8
struct names_csv {
	char path[1200]; /* the reader borrows it as the name in its messages */
	struct kith_sbuf text;
	struct kith_csv *csv;
	size_t ncols;
	int col[NAMES_CSV_MAX_COLS];
	const char *f[NAMES_CSV_MAX_COLS];
};

/* Opens dir/file (a header row, then data) and finds the columns `cols`.
 * 0, or -1 with the reason on stderr (c is then closed). */
static inline int names_csv_open(struct names_csv *c, const char *dir, const char *file,
				 const char *const *cols, size_t ncols)
{
	memset(c, 0, sizeof *c);
	const char *path = c->path;
	snprintf(c->path, sizeof c->path, "%s/%s", dir, file);
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_csv_opts o = {.header = 1};
	if (ncols > NAMES_CSV_MAX_COLS || kith_io_read_file(path, 64u << 20, &c->text, &err) ||
	    kith_csv_open(&c->csv, c->text.buf, c->text.len, path, &o, &err)) {
		fprintf(stderr, "bench: cannot read %s (give --data DIR): %s %s\n", path, err.where, err.msg);
		kith_sbuf_release(&c->text);
		return -1;
	}
	c->ncols = ncols;
	for (size_t i = 0; i < ncols; i++)
		if ((c->col[i] = kith_csv_column(c->csv, cols[i])) < 0) {
			fprintf(stderr, "bench: %s has no column %s\n", path, cols[i]);
			kith_csv_free(c->csv);
			kith_sbuf_release(&c->text);
			return -1;
		}
	return 0;
}

/* 1 with the next row's fields in c->f, 0 at the end, -1 on a malformed
 * row (the reason on stderr). */
static inline int names_csv_next(struct names_csv *c)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_csv_row row;
	int rc = kith_csv_next(c->csv, &row, &err);
	if (rc < 0) {
		fprintf(stderr, "bench: %s: %s\n", err.where, err.msg);
		return -1;
	}
	for (size_t i = 0; rc == 1 && i < c->ncols; i++)
		c->f[i] = row.f[c->col[i]];
	return rc;
}

static inline void names_csv_close(struct names_csv *c)
{
	kith_csv_free(c->csv);
	kith_sbuf_release(&c->text);
}

/* Puts a case {"ref": ref, "person": {"name": name}} into b. */
static inline int names_bench_put_case(struct kith_vault_batch *b, const char *ref, const char *name,
				       struct kith_err *err)
{
	json_t *body = json_pack("{s:s, s:{s:s}}", "ref", ref, "person", "name", name);
	if (!body)
		return KITH_E_NOMEM;
	int rc = kith_vault_put(b, "case", body, NULL, NULL, NULL, err);
	json_decref(body);
	return rc;
}

/* One search judged: 1 when the case `want` (a ref) is the first of the n
 * hits. When it is not, *tie is 1 when `want` is further down with as high
 * a score as the first (lost on a tie), else 0. */
static inline int names_bench_first(const struct kith_search_hit *hits, size_t n, const char *want, int *tie)
{
	*tie = 0;
	if (n > 0 && strcmp(hits[0].view->ref, want) == 0)
		return 1;
	for (size_t k = 1; k < n; k++)
		if (strcmp(hits[k].view->ref, want) == 0 && hits[k].score >= hits[0].score - 1e-12)
			*tie = 1;
	return 0;
}

/* Queries, how many found their case first, how many lost it on a tie, how
 * many a plain string equality would have found (the peer). */
struct names_tally {
	size_t n, top1, ties, exact;
};

static inline void names_tally_add(struct names_tally *t, int top1, int tie, int exact)
{
	t->n++;
	t->top1 += (size_t)top1;
	t->ties += (size_t)tie;
	t->exact += (size_t)exact;
}

#endif
