/*
 * table — contingency tables of capture patterns: CSV readers (aggregated and
 * one row per person), tables from in-memory memberships, and small helpers.
 */
#include "stats/table.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/io.h"
#include "base/sbuf.h"

struct kith_stats_table {
	unsigned k;
	char **names;	/* k strings */
	double *counts; /* 2^k */
	double n;
};

unsigned kith_stats_table_lists(const struct kith_stats_table *t)
{
	return t->k;
}

const char *kith_stats_table_list_name(const struct kith_stats_table *t, unsigned j)
{
	return j < t->k ? t->names[j] : "";
}

const double *kith_stats_table_counts(const struct kith_stats_table *t)
{
	return t->counts;
}

double kith_stats_table_observed(const struct kith_stats_table *t)
{
	return t->n;
}

double kith_stats_table_list_total(const struct kith_stats_table *t, unsigned j)
{
	double s = 0;
	size_t cells = (size_t)1 << t->k;
	for (size_t c = 1; c < cells; c++)
		if (c & ((size_t)1 << j))
			s += t->counts[c];
	return s;
}

void kith_stats_table_free(struct kith_stats_table *t)
{
	if (!t)
		return;
	if (t->names)
		for (unsigned j = 0; j < t->k; j++)
			free(t->names[j]);
	free(t->names);
	free(t->counts);
	free(t);
}

static int check_name(const char *s, unsigned j, struct kith_err *err)
{
	size_t len = s ? strlen(s) : 0;
	if (len == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "list %u has an empty name", j + 1);
	if (len > KITH_STATS_MAX_NAME)
		return kith_err_set(err, KITH_E_INVALID, NULL, "the name of list %u is longer than %u bytes",
				    j + 1, KITH_STATS_MAX_NAME);
	if (kith_utf8_check(s, len) != len)
		return kith_err_set(err, KITH_E_INVALID, NULL, "the name of list %u is not valid UTF-8",
				    j + 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "the name of list %u holds a control character", j + 1);
	return KITH_OK;
}

int kith_stats_table_new(struct kith_stats_table **out, unsigned k, const char *const *names,
			 const double *counts, struct kith_err *err)
{
	if (k < KITH_STATS_MIN_LISTS || k > KITH_STATS_MAX_LISTS)
		return kith_err_set(err, KITH_E_INVALID, NULL, "%u lists; between %u and %u are needed", k,
				    KITH_STATS_MIN_LISTS, KITH_STATS_MAX_LISTS);
	size_t cells = (size_t)1 << k;
	double total = 0;
	for (size_t c = 1; c < cells; c++) {
		double v = counts[c];
		if (!isfinite(v) || v < 0 || v != floor(v))
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "count of pattern %zu is not a non-negative integer", c);
		total += v;
		if (total > KITH_STATS_MAX_TOTAL)
			return kith_err_set(err, KITH_E_INVALID, NULL, "more than %.0f people observed",
					    KITH_STATS_MAX_TOTAL);
	}
	if (total < 1)
		return kith_err_set(err, KITH_E_INVALID, NULL, "no one was observed on any list");
	if (names)
		for (unsigned j = 0; j < k; j++) {
			int rc = check_name(names[j], j, err);
			if (rc)
				return rc;
		}
	struct kith_stats_table *t = calloc(1, sizeof *t);
	if (!t)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	t->k = k;
	t->n = total;
	t->names = calloc(k, sizeof *t->names);
	t->counts = malloc(cells * sizeof *t->counts);
	if (!t->names || !t->counts) {
		kith_stats_table_free(t);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	memcpy(t->counts, counts, cells * sizeof *t->counts);
	t->counts[0] = 0;
	for (unsigned j = 0; j < k; j++) {
		char def[8];
		const char *s = names ? names[j] : def;
		if (!names)
			snprintf(def, sizeof def, "%c", 'A' + (int)j);
		t->names[j] = strdup(s);
		if (!t->names[j]) {
			kith_stats_table_free(t);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
	}
	*out = t;
	return KITH_OK;
}

int kith_stats_table_with_counts(struct kith_stats_table **out, const struct kith_stats_table *t,
				 const double *counts, struct kith_err *err)
{
	return kith_stats_table_new(out, t->k, (const char *const *)t->names, counts, err);
}

int kith_stats_table_drop_empty(struct kith_stats_table **out, const struct kith_stats_table *t,
				struct kith_err *err)
{
	unsigned keep[KITH_STATS_MAX_LISTS], kk = 0;
	for (unsigned j = 0; j < t->k; j++)
		if (kith_stats_table_list_total(t, j) > 0)
			keep[kk++] = j;
	if (kk < KITH_STATS_MIN_LISTS)
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "only %u list(s) recorded anyone; at least %u are needed", kk,
				    KITH_STATS_MIN_LISTS);
	size_t cells = (size_t)1 << kk;
	double *c = calloc(cells, sizeof *c);
	const char *names[KITH_STATS_MAX_LISTS];
	if (!c)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	for (size_t p = 1; p < ((size_t)1 << t->k); p++) {
		if (t->counts[p] == 0)
			continue;
		size_t q = 0;
		for (unsigned i = 0; i < kk; i++)
			if (p & ((size_t)1 << keep[i]))
				q |= (size_t)1 << i;
		c[q] += t->counts[p]; /* q != 0: p had a list, all of whose lists are kept */
	}
	for (unsigned i = 0; i < kk; i++)
		names[i] = t->names[keep[i]];
	int rc = kith_stats_table_new(out, kk, names, c, err);
	free(c);
	return rc;
}

/* ---- CSV ---- */

/* Trims ASCII spaces; returns a pointer into s and the trimmed length. */
static const char *trim(const char *s, size_t len, size_t *outlen)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	*outlen = len;
	return s;
}

/* Parses a count field. Returns 0 and *v, or a negative status with err set
 * through the reader (FILE:LINE:count). */
static int parse_count(struct kith_csv *c, const struct kith_csv_row *r, size_t col, double *v,
		       struct kith_err *err)
{
	size_t len;
	const char *s = trim(r->f[col], r->len[col], &len);
	char buf[64];
	if (len == 0)
		return kith_csv_field_error(c, r, col, err, KITH_E_INVALID, "empty count");
	if (len >= sizeof buf)
		return kith_csv_field_error(c, r, col, err, KITH_E_INVALID, "count is too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (!(isdigit((unsigned char)buf[i]) || buf[i] == '.' || buf[i] == '-' || buf[i] == '+' ||
		      buf[i] == 'e' || buf[i] == 'E'))
			return kith_csv_field_error(c, r, col, err, KITH_E_INVALID, "count is not a number");
	char *end;
	errno = 0;
	double d = strtod(buf, &end);
	if (end != buf + len || errno == ERANGE || !isfinite(d))
		return kith_csv_field_error(c, r, col, err, KITH_E_INVALID, "count is not a number");
	if (d < 0)
		return kith_csv_field_error(c, r, col, err, KITH_E_INVALID, "negative count");
	if (d != floor(d))
		return kith_csv_field_error(c, r, col, err, KITH_E_INVALID, "count is not an integer");
	if (d > KITH_STATS_MAX_TOTAL)
		return kith_csv_field_error(c, r, col, err, KITH_E_INVALID, "count is larger than %.0f",
					    KITH_STATS_MAX_TOTAL);
	*v = d;
	return KITH_OK;
}

int kith_stats_table_parse(struct kith_stats_table **out, const char *data, size_t len, const char *name,
			   struct kith_err *err)
{
	struct kith_csv_opts o = {.header = 1, .comments = 1};
	struct kith_csv *c = NULL;
	const char *fname = name ? name : "input";
	int rc = kith_csv_open(&c, data, len, fname, &o, err);
	if (rc)
		return rc;
	const struct kith_csv_row *h = kith_csv_header(c);
	int count_col = kith_csv_column(c, "count");
	size_t ncol = h->n;
	double *counts = NULL;
	size_t *first_line = NULL;
	char **names = NULL;
	unsigned k = 0;
	if (count_col >= 0 && (size_t)count_col != ncol - 1) {
		rc = kith_csv_field_error(c, h, (size_t)count_col, err, KITH_E_INVALID,
					  "the count column must be the last column");
		goto out;
	}
	size_t nk = count_col >= 0 ? ncol - 1 : ncol;
	if (nk < KITH_STATS_MIN_LISTS || nk > KITH_STATS_MAX_LISTS) {
		rc = kith_csv_field_error(c, h, nk < KITH_STATS_MIN_LISTS ? 0 : KITH_STATS_MAX_LISTS, err,
					  KITH_E_INVALID, "%zu list columns; between %u and %u are needed",
					  nk, KITH_STATS_MIN_LISTS, KITH_STATS_MAX_LISTS);
		goto out;
	}
	k = (unsigned)nk;
	size_t cells = (size_t)1 << k;
	counts = calloc(cells, sizeof *counts);
	first_line = calloc(cells, sizeof *first_line);
	names = calloc(k, sizeof *names);
	if (!counts || !first_line || !names) {
		rc = kith_err_set(err, KITH_E_NOMEM, fname, "out of memory");
		goto out;
	}
	for (unsigned j = 0; j < k; j++) {
		size_t nl;
		const char *s = trim(h->f[j], h->len[j], &nl);
		if (nl > KITH_STATS_MAX_NAME) {
			rc = kith_csv_field_error(c, h, j, err, KITH_E_INVALID,
						  "list name longer than %u bytes", KITH_STATS_MAX_NAME);
			goto out;
		}
		for (size_t i = 0; i < nl; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
				rc = kith_csv_field_error(c, h, j, err, KITH_E_INVALID,
							  "control character in a list name");
				goto out;
			}
		names[j] = strndup(s, nl);
		if (!names[j]) {
			rc = kith_err_set(err, KITH_E_NOMEM, fname, "out of memory");
			goto out;
		}
	}
	struct kith_csv_row r;
	size_t rows = 0;
	double total = 0;
	while ((rc = kith_csv_next(c, &r, err)) == 1) {
		size_t mask = 0;
		for (unsigned j = 0; j < k; j++) {
			size_t fl;
			const char *f = trim(r.f[j], r.len[j], &fl);
			if (fl == 1 && f[0] == '1') {
				mask |= (size_t)1 << j;
			} else if (!(fl == 1 && f[0] == '0')) {
				rc = kith_csv_field_error(c, &r, j, err, KITH_E_INVALID,
							  "value must be 0 or 1");
				goto out;
			}
		}
		if (mask == 0) {
			rc = kith_csv_field_error(c, &r, 0, err, KITH_E_INVALID,
						  "the all-zero pattern (on no list) cannot be observed");
			goto out;
		}
		double v = 1;
		if (count_col >= 0) {
			if (first_line[mask]) {
				rc = kith_csv_field_error(c, &r, 0, err, KITH_E_INVALID,
							  "pattern given twice (first on line %zu)",
							  first_line[mask]);
				goto out;
			}
			first_line[mask] = r.line;
			rc = parse_count(c, &r, (size_t)count_col, &v, err);
			if (rc)
				goto out;
		}
		counts[mask] += v;
		total += v;
		if (total > KITH_STATS_MAX_TOTAL) {
			rc = kith_csv_field_error(c, &r, count_col >= 0 ? (size_t)count_col : 0, err,
						  KITH_E_INVALID, "more than %.0f people in the table",
						  KITH_STATS_MAX_TOTAL);
			goto out;
		}
		rows++;
	}
	if (rc < 0)
		goto out;
	if (rows == 0) {
		struct kith_csv_row at = *h;
		at.line = h->line + 1;
		rc = kith_csv_field_error(c, &at, 0, err, KITH_E_INVALID, "no data rows");
		goto out;
	}
	for (unsigned j = 0; j < k; j++) {
		double s = 0;
		for (size_t p = 1; p < cells; p++)
			if (p & ((size_t)1 << j))
				s += counts[p];
		if (s == 0) {
			rc = kith_csv_field_error(c, h, j, err, KITH_E_INVALID, "list has no one on it");
			goto out;
		}
	}
	rc = kith_stats_table_new(out, k, (const char *const *)names, counts, err);
	if (rc)
		kith_err_prefix_where(err, fname);
out:
	if (names)
		for (unsigned j = 0; j < k; j++)
			free(names[j]);
	free(names);
	free(counts);
	free(first_line);
	kith_csv_free(c);
	return rc;
}

int kith_stats_table_read(struct kith_stats_table **out, const char *path, struct kith_err *err)
{
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_io_read_file(path, KITH_STATS_MAX_FILE, &sb, err);
	if (rc == KITH_OK)
		rc = kith_stats_table_parse(out, sb.buf ? sb.buf : "", sb.len,
					    strcmp(path, "-") == 0 ? "stdin" : path, err);
	kith_sbuf_release(&sb);
	return rc;
}

/* ---- memberships ---- */

void kith_stats_memberships_release(struct kith_stats_memberships *ms)
{
	if (!ms)
		return;
	free(ms->m);
	if (ms->list_names)
		for (unsigned j = 0; j < ms->n_lists; j++)
			free(ms->list_names[j]);
	free(ms->list_names);
	if (ms->stratum_names)
		for (size_t s = 0; s < ms->n_strata; s++)
			free(ms->stratum_names[s]);
	free(ms->stratum_names);
	memset(ms, 0, sizeof *ms);
}

void kith_stats_tables_free(struct kith_stats_table **tables, size_t n)
{
	if (!tables)
		return;
	for (size_t i = 0; i < n; i++)
		kith_stats_table_free(tables[i]);
	free(tables);
}

static int cmp_person(const void *a, const void *b)
{
	const struct kith_stats_membership *x = a, *y = b;
	return (x->person > y->person) - (x->person < y->person);
}

int kith_stats_table_from_memberships(struct kith_stats_table ***out, size_t *n_out,
				      const struct kith_stats_membership *m, size_t n,
				      const char *const *list_names, unsigned n_lists, size_t n_strata,
				      struct kith_err *err)
{
	if (n_lists < KITH_STATS_MIN_LISTS || n_lists > KITH_STATS_MAX_LISTS)
		return kith_err_set(err, KITH_E_INVALID, NULL, "%u lists; between %u and %u are needed",
				    n_lists, KITH_STATS_MIN_LISTS, KITH_STATS_MAX_LISTS);
	if (n == 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "no memberships: no one was observed");
	if (n_strata > 100000)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "%zu strata; at most 100000", n_strata);
	for (size_t i = 0; i < n; i++) {
		if (m[i].list >= n_lists)
			return kith_err_set(err, KITH_E_INVALID, NULL, "membership %zu names list %u of %u",
					    i, m[i].list, n_lists);
		if (n_strata && m[i].stratum >= n_strata)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "membership %zu names stratum %zu of %zu", i, m[i].stratum,
					    n_strata);
	}
	size_t cells = (size_t)1 << n_lists, ntab = n_strata + 1;
	struct kith_stats_membership *s = malloc(n * sizeof *s);
	double *counts = calloc(ntab * cells, sizeof *counts);
	struct kith_stats_table **tabs = calloc(ntab, sizeof *tabs);
	int rc = KITH_OK;
	if (!s || !counts || !tabs) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	memcpy(s, m, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_person);
	for (size_t i = 0; i < n;) {
		size_t j = i, mask = 0;
		for (; j < n && s[j].person == s[i].person; j++) {
			mask |= (size_t)1 << s[j].list;
			if (n_strata && s[j].stratum != s[i].stratum) {
				rc = kith_err_set(err, KITH_E_INVALID, NULL,
						  "person %zu is in strata %zu and %zu", s[i].person,
						  s[i].stratum, s[j].stratum);
				goto fail;
			}
		}
		counts[mask] += 1;
		if (n_strata)
			counts[(1 + s[i].stratum) * cells + mask] += 1;
		i = j;
	}
	for (size_t t = 0; t < ntab; t++) {
		double tot = 0;
		for (size_t p = 1; p < cells; p++)
			tot += counts[t * cells + p];
		if (tot == 0)
			continue; /* an empty stratum: NULL */
		rc = kith_stats_table_new(&tabs[t], n_lists, list_names, counts + t * cells, err);
		if (rc)
			goto fail;
	}
	free(s);
	free(counts);
	*out = tabs;
	*n_out = ntab;
	return KITH_OK;
fail:
	free(s);
	free(counts);
	kith_stats_tables_free(tabs, ntab);
	return rc;
}
