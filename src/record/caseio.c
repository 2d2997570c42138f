/*
 * caseio — importers (JSON, JSON Lines, CSV) and exporters (JSON Lines, CSV)
 * of record bodies.
 *
 * Every importer collects bodies into a growing array and hands it over only
 * when the whole input passed; the first error releases everything. Input
 * bytes are checked before jansson sees them (valid UTF-8, no NUL), jansson
 * parses with duplicate keys refused, and its messages are cut before the
 * " near '...'" part, which would quote the input. The CSV column table below
 * is the one docs/formats.md describes; import and export both read it.
 */
#include "record/caseio.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/csv.h"
#include "base/io.h"
#include "record/record.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- helpers */

struct bodies {
	json_t **v;
	size_t *line; /* where each record starts in the input */
	size_t n;
	size_t cap;
};

/* Takes j (consumed, also on failure), which starts on line `line`. */
static int bodies_push(struct bodies *b, json_t *j, size_t line)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		json_t **v = realloc(b->v, cap * sizeof *v);
		if (v)
			b->v = v;
		size_t *l = v ? realloc(b->line, cap * sizeof *l) : NULL;
		if (l)
			b->line = l;
		if (!v || !l) {
			json_decref(j);
			return KITH_E_NOMEM;
		}
		b->cap = cap;
	}
	b->line[b->n] = line;
	b->v[b->n++] = j;
	return KITH_OK;
}

void kith_caseio_free(json_t **bodies, size_t n)
{
	if (!bodies)
		return;
	for (size_t i = 0; i < n; i++)
		json_decref(bodies[i]);
	free(bodies);
}

static void bodies_release(struct bodies *b)
{
	kith_caseio_free(b->v, b->n);
	free(b->line);
	b->v = NULL;
	b->line = NULL;
	b->n = b->cap = 0;
}

/* Wipes and cuts out back to `len` (undoes a failed append). */
static void sbuf_cut(struct kith_sbuf *out, size_t len)
{
	if (out->buf && out->len > len) {
		sodium_memzero(out->buf + len, out->len - len);
		out->len = len;
		out->buf[len] = '\0';
	}
}

/* jansson's message without the " near '...'" tail that quotes the input. */
static void json_msg(const json_error_t *e, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", e->text);
	char *near = strstr(out, " near ");
	if (near)
		*near = '\0';
}

/* Whether jansson failed for want of memory: its code says so, except when
 * it could not even start (then the error is left empty, and its code byte
 * uninitialised: callers zero the json_error_t first). */
static int json_oom(const json_error_t *e)
{
	return e->text[0] == '\0' || json_error_code(e) == json_error_out_of_memory;
}

static size_t line_at(const char *data, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

static int is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

static void trim(const char **s, size_t *len)
{
	while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

static size_t bom(const char *data, size_t len)
{
	return len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Checks bytes before jansson: no NUL, valid UTF-8. where = "NAME:LINE". */
static int check_bytes(const char *s, size_t len, const char *name, size_t line_base, const char *whole,
		       size_t whole_off, struct kith_err *err)
{
	const char *nul = memchr(s, '\0', len);
	size_t bad = kith_utf8_check(s, len);
	if (!nul && bad == len)
		return KITH_OK;
	size_t off = nul && (size_t)(nul - s) < bad ? (size_t)(nul - s) : bad;
	size_t line = whole ? line_at(whole, whole_off + off) : line_base;
	char where[KITH_ERR_WHERE_MAX];
	snprintf(where, sizeof where, "%s:%zu", name, line);
	if (nul && (size_t)(nul - s) == off)
		return kith_err_set(err, KITH_E_INVALID, where, "NUL byte in the input");
	return kith_err_set(err, KITH_E_INVALID, where, "invalid UTF-8");
}

/* Parses one JSON object text and validates it; line is where it starts. */
static int parse_object(const char *kind, const char *s, size_t len, const char *name, size_t line,
			int whole_file, json_t **out, struct kith_err *err)
{
	json_error_t e;
	memset(&e, 0, sizeof e);
	unsigned long failed = kith_json_alloc_failures();
	json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES, &e);
	char where[KITH_ERR_WHERE_MAX];
	if (kith_json_alloc_failures() != failed) { /* jansson may misreport it, or alter j */
		json_decref(j);
		snprintf(where, sizeof where, "%s:%zu", name, line);
		return kith_err_set(err, KITH_E_NOMEM, where, "out of memory");
	}
	if (!j) {
		char msg[KITH_ERR_MSG_MAX];
		json_msg(&e, msg, sizeof msg);
		if (json_oom(&e)) {
			snprintf(where, sizeof where, "%s:%zu", name, line);
			return kith_err_set(err, KITH_E_NOMEM, where, "out of memory");
		}
		snprintf(where, sizeof where, "%s:%zu", name,
			 whole_file ? (size_t)(e.line > 0 ? e.line : 1) : line);
		return kith_err_set(err, KITH_E_INVALID, where, "invalid JSON at column %d: %s", e.column,
				    msg);
	}
	snprintf(where, sizeof where, "%s:%zu", name, line);
	if (!json_is_object(j)) {
		json_decref(j);
		return kith_err_set(err, KITH_E_INVALID, where, "expected a JSON object");
	}
	int rc = kith_record_validate(kind, j, err);
	if (rc) {
		json_decref(j);
		kith_err_prefix_where(err, where);
		return rc;
	}
	*out = j;
	return KITH_OK;
}

/* ---------------------------------------------------------------- JSON, JSON Lines */

static int read_json(const char *kind, const char *data, size_t len, const char *name, struct bodies *out,
		     struct kith_err *err)
{
	size_t start = bom(data, len);
	int rc = check_bytes(data + start, len - start, name, 0, data, start, err);
	if (rc)
		return rc;
	size_t first = start;
	while (first < len &&
	       (data[first] == ' ' || data[first] == '\t' || data[first] == '\r' || data[first] == '\n'))
		first++;
	json_t *j = NULL;
	rc = parse_object(kind, data + start, len - start, name, line_at(data, first), 1, &j, err);
	if (rc)
		return rc;
	return bodies_push(out, j, line_at(data, first))
		   ? kith_err_set(err, KITH_E_NOMEM, name, "out of memory")
		   : KITH_OK;
}

static int read_jsonl(const char *kind, const char *data, size_t len, const char *name, size_t max,
		      struct bodies *out, struct kith_err *err)
{
	size_t pos = bom(data, len);
	size_t line = 1;
	char where[KITH_ERR_WHERE_MAX];
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t llen = end - pos;
		if (llen && data[pos + llen - 1] == '\r')
			llen--;
		if (llen > KITH_RECORD_MAX_BYTES) {
			snprintf(where, sizeof where, "%s:%zu", name, line);
			return kith_err_set(err, KITH_E_LIMIT, where, "line longer than %u bytes",
					    (unsigned)KITH_RECORD_MAX_BYTES);
		}
		if (!is_blank(data + pos, llen)) {
			int rc = check_bytes(data + pos, llen, name, line, NULL, 0, err);
			if (rc)
				return rc;
			if (out->n >= max) {
				snprintf(where, sizeof where, "%s:%zu", name, line);
				return kith_err_set(err, KITH_E_LIMIT, where, "more than %zu records", max);
			}
			json_t *j = NULL;
			rc = parse_object(kind, data + pos, llen, name, line, 0, &j, err);
			if (rc)
				return rc;
			if (bodies_push(out, j, line)) {
				snprintf(where, sizeof where, "%s:%zu", name, line);
				return kith_err_set(err, KITH_E_NOMEM, where, "out of memory");
			}
		}
		pos = end + 1;
		line++;
	}
	return KITH_OK;
}

/* ---------------------------------------------------------------- CSV columns */

enum ctype {
	C_TEXT,	 /* one line of free text */
	C_MTEXT, /* free text that may span lines (CRLF read as LF) */
	C_REF,	 /* a reference */
	C_NAMES, /* ';'-separated free text, or a JSON array of strings */
	C_ENUM,	 /* a vocabulary id, label or usual spelling */
	C_ENUMS, /* ';'-separated vocabulary values */
	C_INT,	 /* a whole number */
	C_BOOL,	 /* yes/no/true/false/1/0 (and 예/아니오) */
	C_DATE,	 /* YYYY, YYYY-MM or YYYY-MM-DD */
	C_JSON,	 /* a JSON array */
};

struct column {
	const char *name; /* the CSV column */
	const char *g1;	  /* group in the body, or NULL */
	const char *g2;	  /* group inside g1, or NULL */
	const char *key;
	enum ctype type;
	const char *vocab; /* C_ENUM, C_ENUMS */
};

static const struct column columns[] = {
    {"ref", NULL, NULL, "ref", C_REF, NULL},
    {"name", "person", NULL, "name", C_TEXT, NULL},
    {"other_names", "person", NULL, "other_names", C_NAMES, NULL},
    {"sex", "person", NULL, "sex", C_ENUM, "sex"},
    {"birth", "person", NULL, "birth", C_DATE, NULL},
    {"age_at_intake", "person", NULL, "age_at_intake", C_INT, NULL},
    {"origin_province", "person", "origin", "province", C_ENUM, "province"},
    {"origin_place", "person", "origin", "place", C_TEXT, NULL},
    {"languages", "person", NULL, "languages", C_ENUMS, "language"},
    {"citizenship", "person", NULL, "citizenship", C_TEXT, NULL},
    {"status", NULL, NULL, "status", C_ENUM, "case_status"},
    {"consent_services", "consent", NULL, "services", C_BOOL, NULL},
    {"consent_reporting", "consent", NULL, "reporting", C_BOOL, NULL},
    {"consent_tracing", "consent", NULL, "tracing", C_BOOL, NULL},
    {"consent_sharing", "consent", NULL, "sharing", C_BOOL, NULL},
    {"consent_given_by", "consent", NULL, "given_by", C_ENUM, "consent_given_by"},
    {"consent_date", "consent", NULL, "date", C_DATE, NULL},
    {"source_organization", "source", NULL, "organization", C_TEXT, NULL},
    {"source_interviewer", "source", NULL, "interviewer", C_TEXT, NULL},
    {"source_date", "source", NULL, "date", C_DATE, NULL},
    {"needs", NULL, NULL, "needs", C_ENUMS, "need"},
    {"narrative", NULL, NULL, "narrative", C_MTEXT, NULL},
    {"notes", NULL, NULL, "notes", C_MTEXT, NULL},
    {"journey_json", NULL, NULL, "journey", C_JSON, NULL},
    {"incidents_json", NULL, NULL, "incidents", C_JSON, NULL},
    {"family_json", NULL, NULL, "family", C_JSON, NULL},
    {"services_json", NULL, NULL, "services", C_JSON, NULL},
};

#define COL_NAME 1 /* index of "name" in columns[] */

static void column_path(const struct column *c, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s%s%s", c->g1 ? c->g1 : "", c->g1 ? "." : "", c->g2 ? c->g2 : "",
		 c->g2 ? "." : "", c->key);
}

/* The body value a column reads, or NULL. */
static const json_t *column_get(const json_t *body, const struct column *c)
{
	const json_t *o = body;
	if (c->g1)
		o = json_object_get(o, c->g1);
	if (c->g2)
		o = json_object_get(o, c->g2);
	return json_object_get(o, c->key);
}

/* Sets a column's value in body, creating its groups; v is consumed. */
static int column_set(json_t *body, const struct column *c, json_t *v)
{
	json_t *o = body;
	const char *groups[2] = {c->g1, c->g2};
	for (size_t i = 0; i < 2 && groups[i]; i++) {
		json_t *g = json_object_get(o, groups[i]);
		if (!g) {
			g = json_object();
			if (json_object_set_new(o, groups[i], g) != 0) {
				json_decref(v);
				return KITH_E_NOMEM;
			}
		}
		o = g;
	}
	return json_object_set_new(o, c->key, v) != 0 ? KITH_E_NOMEM : KITH_OK;
}

/* A spreadsheet reads a cell as a formula when it starts with one of these. */
static int formula_char(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Whether s starts with zero or more single quotes and then a formula
 * character: such a cell is written with one more leading quote. */
static int needs_defuse(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] == '\'')
		i++;
	return i < len && formula_char(s[i]);
}

int kith_caseio_formula_cell(const char *s, size_t len)
{
	return needs_defuse(s, len);
}

/* The importer's inverse: drops the one quote the exporter added. */
static void undefuse(const char **s, size_t *len)
{
	if (*len >= 2 && (*s)[0] == '\'' && needs_defuse(*s + 1, *len - 1)) {
		(*s)++;
		(*len)--;
	}
}

/* ---------------------------------------------------------------- CSV import */

struct csv_ctx {
	struct kith_csv *csv;
	const struct kith_csv_row *row;
	struct kith_sbuf scratch; /* wiping: cells may hold names */
	struct kith_err *err;
};

static int cell_error(struct csv_ctx *x, size_t col, const char *msg)
{
	return kith_csv_field_error(x->csv, x->row, col, x->err, KITH_E_INVALID, "%s", msg);
}

static int nomem(struct csv_ctx *x, size_t col)
{
	return kith_csv_field_error(x->csv, x->row, col, x->err, KITH_E_NOMEM, "out of memory");
}

/* A vocabulary value: the id it names, or the text itself (which the
 * validator then refuses with the vocabulary's name). */
static json_t *enum_value(const char *vocab, const char *s, size_t len, int *rc)
{
	char tmp[256];
	const char *id = NULL;
	if (len < sizeof tmp) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		int r = kith_record_vocab_lookup(vocab, tmp, &id);
		sodium_memzero(tmp, sizeof tmp);
		if (r == KITH_E_NOMEM) {
			*rc = r;
			return NULL;
		}
	}
	json_t *v = id ? json_string(id) : json_stringn(s, len);
	if (!v)
		*rc = KITH_E_NOMEM;
	return v;
}

/* Splits a cell on ';' into a list: vocabulary values or trimmed text. */
static json_t *split_list(const char *s, size_t len, const char *vocab, int *rc)
{
	json_t *arr = json_array();
	if (!arr) {
		*rc = KITH_E_NOMEM;
		return NULL;
	}
	size_t i = 0;
	while (i <= len) {
		const char *semi = memchr(s + i, ';', len - i);
		size_t e = semi ? (size_t)(semi - s) : len;
		const char *item = s + i;
		size_t ilen = e - i;
		trim(&item, &ilen);
		if (ilen) {
			json_t *v = vocab ? enum_value(vocab, item, ilen, rc) : json_stringn(item, ilen);
			if (!v || json_array_append_new(arr, v) != 0) {
				*rc = KITH_E_NOMEM;
				json_decref(arr);
				return NULL;
			}
		}
		i = e + 1;
	}
	return arr;
}

static int parse_bool(const char *s, size_t len, int *out)
{
	static const char *const yes[] = {"yes", "y", "true", "1", "예", "네"};
	static const char *const no[] = {"no", "n", "false", "0", "아니오", "아니요"};
	for (size_t i = 0; i < N_OF(yes); i++) {
		if (strlen(yes[i]) == len && strncasecmp(s, yes[i], len) == 0) {
			*out = 1;
			return 1;
		}
		if (strlen(no[i]) == len && strncasecmp(s, no[i], len) == 0) {
			*out = 0;
			return 1;
		}
	}
	return 0;
}

/* Converts cell `i` (of column c) and sets it in body. */
static int csv_cell(struct csv_ctx *x, size_t i, const struct column *c, json_t *body)
{
	const char *s = x->row->f[i];
	size_t len = x->row->len[i];
	json_t *v = NULL;
	int rc = KITH_OK;
	if (c->type != C_TEXT && c->type != C_MTEXT)
		trim(&s, &len);
	if (c->type == C_TEXT || c->type == C_MTEXT || c->type == C_REF || c->type == C_NAMES)
		undefuse(&s, &len);
	if (len == 0)
		return KITH_OK; /* an empty cell is an absent field */
	switch (c->type) {
	case C_TEXT:
	case C_REF:
	case C_DATE:
		v = json_stringn(s, len);
		break;
	case C_MTEXT:
		kith_sbuf_reset(&x->scratch);
		for (size_t k = 0; k < len && !rc; k++)
			if (!(s[k] == '\r' && k + 1 < len && s[k + 1] == '\n'))
				rc = kith_sbuf_addc(&x->scratch, s[k]);
		if (rc)
			return nomem(x, i);
		v = json_stringn(x->scratch.buf, x->scratch.len);
		kith_sbuf_reset(&x->scratch);
		break;
	case C_ENUM:
		v = enum_value(c->vocab, s, len, &rc);
		break;
	case C_ENUMS:
		v = split_list(s, len, c->vocab, &rc);
		break;
	case C_NAMES:
		if (s[0] != '[') {
			v = split_list(s, len, NULL, &rc);
			break;
		}
		/* a JSON array of names */
		/* fall through */
	case C_JSON: {
		json_error_t e;
		memset(&e, 0, sizeof e);
		memset(&e, 0, sizeof e);
		v = json_loadb(s, len, JSON_REJECT_DUPLICATES, &e);
		if (!v) {
			char msg[KITH_ERR_MSG_MAX];
			if (json_oom(&e))
				return nomem(x, i);
			json_msg(&e, msg, sizeof msg);
			return kith_csv_field_error(x->csv, x->row, i, x->err, KITH_E_INVALID,
						    "invalid JSON at character %d of the cell: %s",
						    e.position + 1, msg);
		}
		if (!json_is_array(v)) {
			json_decref(v);
			return cell_error(x, i, "must be a JSON array");
		}
		break;
	}
	case C_INT: {
		long long n = 0;
		if (len > 9)
			return cell_error(x, i, "must be a whole number");
		for (size_t k = 0; k < len; k++) {
			if (s[k] < '0' || s[k] > '9')
				return cell_error(x, i, "must be a whole number");
			n = n * 10 + (s[k] - '0');
		}
		v = json_integer(n);
		break;
	}
	case C_BOOL: {
		int b;
		if (!parse_bool(s, len, &b))
			return cell_error(x, i, "must be yes or no (also true/false, 1/0)");
		v = json_boolean(b);
		break;
	}
	}
	if (!v || rc)
		return nomem(x, i);
	if (column_set(body, c, v))
		return nomem(x, i);
	return KITH_OK;
}

/* Rewrites a validation error's path as the CSV column that holds it. */
static void csv_where(struct csv_ctx *x, size_t line, const char *name)
{
	struct kith_err *err = x->err;
	if (!err)
		return;
	char path[KITH_ERR_WHERE_MAX];
	memcpy(path, err->where, sizeof path);
	const struct column *hit = NULL;
	for (size_t k = 0; k < N_OF(columns) && !hit; k++) {
		char cp[128];
		column_path(&columns[k], cp, sizeof cp);
		size_t n = strlen(cp);
		if (strncmp(path, cp, n) == 0 && (path[n] == '\0' || path[n] == '[' || path[n] == '.'))
			hit = &columns[k];
	}
	if (hit && hit->type == C_JSON) {
		/* name the item inside the cell in the message */
		char msg[KITH_ERR_MSG_MAX];
		snprintf(msg, sizeof msg, "%s: %s", path, err->msg);
		memcpy(err->msg, msg, sizeof msg);
	}
	if (hit)
		snprintf(err->where, sizeof err->where, "%s:%zu:%s", name, line, hit->name);
	else if (path[0])
		snprintf(err->where, sizeof err->where, "%s:%zu:%s", name, line, path);
	else
		snprintf(err->where, sizeof err->where, "%s:%zu", name, line);
}

static int read_csv(const char *data, size_t len, const char *name, size_t max, struct bodies *out,
		    struct kith_err *err)
{
	struct kith_csv_opts o = {
	    .header = 1,
	    .max_fields = 256,
	    .max_field_len = 2 * (size_t)KITH_RECORD_MAX_BYTES,
	    .max_rows = max,
	};
	struct csv_ctx x = {.err = err};
	int map[256];
	int rc = kith_csv_open(&x.csv, data, len, name, &o, err);
	if (rc)
		return rc;
	const struct kith_csv_row *h = kith_csv_header(x.csv);
	int have_name = 0;
	for (size_t i = 0; i < h->n; i++) {
		const char *cn = h->f[i];
		size_t cl = h->len[i];
		trim(&cn, &cl);
		map[i] = -1;
		for (size_t k = 0; k < N_OF(columns); k++)
			if (strlen(columns[k].name) == cl && strncasecmp(columns[k].name, cn, cl) == 0)
				map[i] = (int)k;
		if (map[i] < 0) {
			rc = kith_csv_field_error(x.csv, h, i, err, KITH_E_INVALID,
						  "unknown column (docs/formats.md lists the columns)");
			goto out_csv;
		}
		for (size_t j = 0; j < i; j++) {
			if (map[j] == map[i]) {
				rc = kith_csv_field_error(x.csv, h, i, err, KITH_E_INVALID,
							  "column appears twice in the header");
				goto out_csv;
			}
		}
		have_name |= map[i] == COL_NAME;
	}
	if (!have_name) {
		char where[KITH_ERR_WHERE_MAX];
		snprintf(where, sizeof where, "%s:%zu", name, h->line);
		rc = kith_err_set(err, KITH_E_INVALID, where, "no 'name' column");
		goto out_csv;
	}
	struct kith_csv_row row;
	for (;;) {
		rc = kith_csv_next(x.csv, &row, err);
		if (rc == 0)
			break;
		if (rc < 0)
			goto out_csv;
		x.row = &row;
		json_t *body = json_object();
		if (!body) {
			rc = nomem(&x, 0);
			goto out_csv;
		}
		rc = KITH_OK;
		for (size_t i = 0; i < row.n && !rc; i++)
			rc = csv_cell(&x, i, &columns[map[i]], body);
		if (!rc && !json_object_get(json_object_get(body, "person"), "name")) {
			for (size_t i = 0; i < row.n; i++)
				if (map[i] == COL_NAME)
					rc = cell_error(&x, i, "is required");
		}
		if (!rc) {
			rc = kith_record_validate("case", body, err);
			if (rc)
				csv_where(&x, row.line, name);
		}
		if (rc) {
			json_decref(body);
			goto out_csv;
		}
		if (bodies_push(out, body, row.line)) {
			rc = nomem(&x, 0);
			goto out_csv;
		}
	}
	rc = KITH_OK;
out_csv:
	kith_sbuf_release(&x.scratch);
	kith_csv_free(x.csv);
	return rc;
}

/* ---------------------------------------------------------------- dispatch */

int kith_caseio_format_parse(const char *name, enum kith_caseio_format *out)
{
	static const struct {
		const char *name;
		enum kith_caseio_format f;
	} t[] = {
	    {"auto", KITH_CASEIO_AUTO},	   {"json", KITH_CASEIO_JSON}, {"jsonl", KITH_CASEIO_JSONL},
	    {"ndjson", KITH_CASEIO_JSONL}, {"csv", KITH_CASEIO_CSV},
	};
	for (size_t i = 0; name && i < N_OF(t); i++) {
		if (strcasecmp(name, t[i].name) == 0) {
			*out = t[i].f;
			return KITH_OK;
		}
	}
	return KITH_E_INVALID;
}

enum kith_caseio_format kith_caseio_format_of_path(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	const char *slash = path ? strrchr(path, '/') : NULL;
	enum kith_caseio_format f = KITH_CASEIO_AUTO;
	if (!dot || (slash && slash > dot))
		return KITH_CASEIO_AUTO;
	if (kith_caseio_format_parse(dot + 1, &f) != KITH_OK)
		return KITH_CASEIO_AUTO;
	return f;
}

static enum kith_caseio_format sniff(const char *data, size_t len)
{
	size_t i = bom(data, len);
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i >= len || data[i] != '{')
		return i >= len ? KITH_CASEIO_JSONL : KITH_CASEIO_CSV;
	const char *nl = memchr(data + i, '\n', len - i);
	size_t e = nl ? (size_t)(nl - data) : len;
	if (e - i > KITH_RECORD_MAX_BYTES)
		return KITH_CASEIO_JSON;
	json_t *j = json_loadb(data + i, e - i, 0, NULL);
	int one_line = json_is_object(j);
	json_decref(j);
	return one_line ? KITH_CASEIO_JSONL : KITH_CASEIO_JSON;
}

int kith_caseio_parse(enum kith_caseio_format fmt, const char *kind, const char *data, size_t len,
		      const char *name, json_t ***bodies, size_t *n, struct kith_err *err)
{
	return kith_caseio_parse_max(fmt, kind, data, len, name, 0, bodies, n, err);
}

int kith_caseio_parse_max(enum kith_caseio_format fmt, const char *kind, const char *data, size_t len,
			  const char *name, size_t max, json_t ***bodies, size_t *n, struct kith_err *err)
{
	size_t *lines = NULL;
	int rc = kith_caseio_parse_lines(fmt, kind, data, len, name, max, bodies, &lines, n, err);
	free(lines);
	return rc;
}

struct ref_at {
	const char *ref;
	size_t i;
};

static int by_ref(const void *pa, const void *pb)
{
	const struct ref_at *a = pa, *c = pb;
	int d = strcmp(a->ref, c->ref);
	return d ? d : (a->i > c->i) - (a->i < c->i);
}

/* A ref given twice in one input: the error names the later record's line
 * (the first such in the input) and the line of the record it repeats. */
static int check_refs(const struct bodies *b, const char *name, struct kith_err *err)
{
	size_t m = 0;
	struct ref_at *ix = b->n ? malloc(b->n * sizeof *ix) : NULL;
	if (b->n && !ix)
		return kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		const char *r = json_string_value(json_object_get(b->v[i], "ref"));
		if (r)
			ix[m++] = (struct ref_at){r, i};
	}
	if (m > 1)
		qsort(ix, m, sizeof *ix, by_ref);
	size_t later = SIZE_MAX, first = 0, f = 0;
	for (size_t k = 1; k < m; k++) {
		if (strcmp(ix[k - 1].ref, ix[k].ref)) {
			f = k; /* a new group starts */
			continue;
		}
		if (ix[k].i < later) {
			later = ix[k].i;
			first = ix[f].i;
		}
	}
	free(ix);
	if (later == SIZE_MAX)
		return KITH_OK;
	char where[KITH_ERR_WHERE_MAX];
	snprintf(where, sizeof where, "%s:%zu:ref", name, b->line[later]);
	return kith_err_set(err, KITH_E_INVALID, where, "the same ref as the record on line %zu",
			    b->line[first]);
}

int kith_caseio_parse_lines(enum kith_caseio_format fmt, const char *kind, const char *data, size_t len,
			    const char *name, size_t max, json_t ***bodies, size_t **lines, size_t *n,
			    struct kith_err *err)
{
	if (max == 0 || max > KITH_CASEIO_MAX_RECORDS)
		max = KITH_CASEIO_MAX_RECORDS;
	if (!name)
		name = "input";
	if (!kith_record_kind_valid(kind))
		return kith_err_set(err, KITH_E_INVALID, "kind", "unknown record kind");
	if (!data && len)
		return kith_err_set(err, KITH_E_INVALID, name, "no input");
	if (!data)
		data = "";
	if (len > KITH_CASEIO_MAX_FILE)
		return kith_err_set(err, KITH_E_LIMIT, name, "input larger than %zu bytes",
				    (size_t)KITH_CASEIO_MAX_FILE);
	if (fmt == KITH_CASEIO_AUTO)
		fmt = sniff(data, len);
	struct bodies b = {0};
	int rc;
	switch (fmt) {
	case KITH_CASEIO_JSON:
		rc = read_json(kind, data, len, name, &b, err);
		break;
	case KITH_CASEIO_JSONL:
		rc = read_jsonl(kind, data, len, name, max, &b, err);
		break;
	case KITH_CASEIO_CSV:
		if (strcmp(kind, "case") != 0)
			return kith_err_set(err, KITH_E_INVALID, name, "CSV holds cases only");
		rc = read_csv(data, len, name, max, &b, err);
		break;
	default:
		return kith_err_set(err, KITH_E_INVALID, name, "unknown format");
	}
	if (!rc)
		rc = check_refs(&b, name, err);
	if (rc) {
		bodies_release(&b);
		return rc;
	}
	if (b.n == 0) {
		bodies_release(&b);
	}
	*bodies = b.v;
	*lines = b.line;
	*n = b.n;
	return KITH_OK;
}

int kith_caseio_read_file(const char *path, enum kith_caseio_format fmt, const char *kind, json_t ***bodies,
			  size_t *n, struct kith_err *err)
{
	if (!path)
		return kith_err_set(err, KITH_E_INVALID, "path", "no file named");
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	if (fmt == KITH_CASEIO_AUTO)
		fmt = kith_caseio_format_of_path(path);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_io_read_file(path, KITH_CASEIO_MAX_FILE, &sb, err);
	if (!rc)
		rc = kith_caseio_parse(fmt, kind, sb.buf, sb.len, name, bodies, n, err);
	kith_sbuf_release(&sb);
	return rc;
}

/* ---------------------------------------------------------------- export */

int kith_caseio_jsonl_append(const json_t *body, struct kith_sbuf *out, struct kith_err *err)
{
	size_t start = out->len;
	int rc = kith_record_canonical(body, out, err);
	if (!rc && kith_sbuf_addc(out, '\n')) {
		sbuf_cut(out, start);
		return kith_err_set(err, KITH_E_NOMEM, "", "out of memory");
	}
	return rc;
}

int kith_caseio_csv_header(struct kith_sbuf *out, struct kith_err *err)
{
	size_t start = out->len;
	int rc = KITH_OK;
	for (size_t k = 0; k < N_OF(columns) && !rc; k++) {
		if (k)
			rc = kith_sbuf_addc(out, ',');
		if (!rc)
			rc = kith_sbuf_adds(out, columns[k].name);
	}
	if (!rc)
		rc = kith_sbuf_addc(out, '\n');
	if (rc) {
		sbuf_cut(out, start);
		return kith_err_set(err, KITH_E_NOMEM, "", "out of memory");
	}
	return KITH_OK;
}

/* A dump into a cell whose failure sticks: jansson (2.14) ignores the
 * callback's failure while it writes an object's key and goes on. */
struct sink {
	struct kith_sbuf *sb;
	int failed;
};

static int dump_cb(const char *buffer, size_t size, void *data)
{
	struct sink *s = data;
	if (s->failed || kith_sbuf_add(s->sb, buffer, size))
		s->failed = 1;
	return s->failed ? -1 : 0;
}

/* Whether a list of free text can be written ';'-separated and read back. */
static int joinable(const json_t *arr)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		size_t len = json_string_length(json_array_get(arr, i));
		if (!s || len == 0 || memchr(s, ';', len) || s[0] == ' ' || s[0] == '\t' ||
		    s[len - 1] == ' ' || s[len - 1] == '\t' || (i == 0 && s[0] == '['))
			return 0;
	}
	return 1;
}

/* Writes the cell text of column c into cell (reset first). */
static int cell_text(const json_t *v, const struct column *c, struct kith_sbuf *cell)
{
	kith_sbuf_reset(cell);
	if (!v)
		return KITH_OK;
	switch (c->type) {
	case C_TEXT:
	case C_MTEXT:
	case C_REF:
	case C_DATE:
	case C_ENUM:
		return kith_sbuf_add(cell, json_string_value(v), json_string_length(v));
	case C_INT:
		return kith_sbuf_addf(cell, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case C_BOOL:
		return kith_sbuf_adds(cell, json_is_true(v) ? "yes" : "no");
	case C_NAMES:
	case C_ENUMS:
		if (c->type == C_NAMES && !joinable(v))
			break; /* a JSON array */
		for (size_t i = 0; i < json_array_size(v); i++) {
			const json_t *it = json_array_get(v, i);
			if ((i && kith_sbuf_addc(cell, ';')) ||
			    kith_sbuf_add(cell, json_string_value(it), json_string_length(it)))
				return KITH_E_NOMEM;
		}
		return KITH_OK;
	case C_JSON:
		break;
	}
	struct sink s = {cell, 0};
	return json_dump_callback(v, dump_cb, &s, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) || s.failed
		   ? KITH_E_NOMEM
		   : KITH_OK;
}

int kith_caseio_csv_append(const json_t *case_body, struct kith_sbuf *out, struct kith_err *err)
{
	int rc = kith_record_validate("case", case_body, err);
	if (rc)
		return rc;
	size_t start = out->len;
	struct kith_sbuf cell = KITH_SBUF_INIT, defused = KITH_SBUF_INIT;
	for (size_t k = 0; k < N_OF(columns) && !rc; k++) {
		if (k)
			rc = kith_sbuf_addc(out, ',');
		if (!rc)
			rc = cell_text(column_get(case_body, &columns[k]), &columns[k], &cell);
		if (rc)
			break;
		const struct kith_sbuf *w = &cell;
		if (cell.len && columns[k].type != C_JSON && needs_defuse(cell.buf, cell.len)) {
			/* the quote goes inside the field, before any CSV quoting */
			kith_sbuf_reset(&defused);
			rc = kith_sbuf_addc(&defused, '\'');
			if (!rc)
				rc = kith_sbuf_add(&defused, cell.buf, cell.len);
			w = &defused;
		}
		if (!rc)
			rc = kith_csv_write_field(out, w->buf ? w->buf : "", w->len);
	}
	if (!rc)
		rc = kith_sbuf_addc(out, '\n');
	kith_sbuf_release(&cell);
	kith_sbuf_release(&defused);
	if (rc) {
		sbuf_cut(out, start);
		return kith_err_set(err, KITH_E_NOMEM, "", "out of memory");
	}
	return KITH_OK;
}

static int write_all(json_t *const *bodies, size_t n, struct kith_sbuf *out, int csv, struct kith_err *err)
{
	size_t start = out->len;
	int rc = csv ? kith_caseio_csv_header(out, err) : KITH_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = csv ? kith_caseio_csv_append(bodies[i], out, err)
			 : kith_caseio_jsonl_append(bodies[i], out, err);
		if (rc) {
			char where[64];
			snprintf(where, sizeof where, "record %zu", i + 1);
			kith_err_prefix_where(err, where);
		}
	}
	if (rc)
		sbuf_cut(out, start);
	return rc;
}

int kith_caseio_write_jsonl(json_t *const *bodies, size_t n, struct kith_sbuf *out, struct kith_err *err)
{
	return write_all(bodies, n, out, 0, err);
}

int kith_caseio_write_csv(json_t *const *bodies, size_t n, struct kith_sbuf *out, struct kith_err *err)
{
	return write_all(bodies, n, out, 1, err);
}
