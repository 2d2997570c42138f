/*
 * csv — a strict RFC 4180 reader over a memory buffer.
 *
 * The reader unquotes each row into one wiping buffer (`text`) and keeps an
 * array of offsets into it; pointers are fixed up once the row is complete so
 * growth of the buffer never leaves dangling pointers.
 */
#include "base/csv.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/sbuf.h"

struct kith_csv {
	const char *data;
	size_t len;
	size_t pos;
	size_t line;
	const char *name;
	struct kith_csv_opts o;
	int failed; /* sticky error status */
	struct kith_err last_err;

	struct kith_sbuf text; /* unquoted fields of the current row, NUL-separated */
	size_t *off;	       /* field offsets into text */
	size_t *lens;
	const char **ptrs;
	size_t cap_fields;
	size_t rows;

	/* the header, copied */
	struct kith_sbuf htext;
	size_t *hlens;
	const char **hptrs;
	struct kith_csv_row header;
};

size_t kith_utf8_check(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			n = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (i + n > len)
			return i;
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n;
	}
	return len;
}

static int fail(struct kith_csv *c, struct kith_err *err, int status, size_t line, size_t col,
		const char *fmt, ...) KITH_PRINTF(6, 7);

static void where_of(const struct kith_csv *c, size_t line, size_t col, char *out, size_t outsz)
{
	if (col == 0) {
		snprintf(out, outsz, "%s:%zu", c->name, line);
	} else if (col <= c->header.n && c->header.f[col - 1][0]) {
		snprintf(out, outsz, "%s:%zu:%s", c->name, line, c->header.f[col - 1]);
	} else {
		snprintf(out, outsz, "%s:%zu:column %zu", c->name, line, col);
	}
}

static int fail(struct kith_csv *c, struct kith_err *err, int status, size_t line, size_t col,
		const char *fmt, ...)
{
	char where[KITH_ERR_WHERE_MAX];
	where_of(c, line, col, where, sizeof where);
	kith_err_clear(&c->last_err);
	c->last_err.status = status;
	snprintf(c->last_err.where, sizeof c->last_err.where, "%s", where);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->last_err.msg, sizeof c->last_err.msg, fmt, ap);
	va_end(ap);
	if (err)
		*err = c->last_err;
	c->failed = status;
	return status;
}

static int ensure_fields(struct kith_csv *c, size_t n)
{
	if (n <= c->cap_fields)
		return KITH_OK;
	size_t cap = c->cap_fields ? c->cap_fields * 2 : 16;
	while (cap < n)
		cap *= 2;
	size_t *off = realloc(c->off, cap * sizeof *off);
	if (!off)
		return KITH_E_NOMEM;
	c->off = off;
	size_t *lens = realloc(c->lens, cap * sizeof *lens);
	if (!lens)
		return KITH_E_NOMEM;
	c->lens = lens;
	const char **ptrs = realloc(c->ptrs, cap * sizeof *ptrs);
	if (!ptrs)
		return KITH_E_NOMEM;
	c->ptrs = ptrs;
	c->cap_fields = cap;
	return KITH_OK;
}

/* Skips blank and comment lines; returns 0 at end of data. */
static int skip_empty(struct kith_csv *c)
{
	while (c->pos < c->len) {
		char ch = c->data[c->pos];
		if (ch == '\n') {
			c->pos++;
			c->line++;
		} else if (ch == '\r' && c->pos + 1 < c->len && c->data[c->pos + 1] == '\n') {
			c->pos += 2;
			c->line++;
		} else if (c->o.comments && ch == '#') {
			while (c->pos < c->len && c->data[c->pos] != '\n')
				c->pos++;
		} else {
			return 1;
		}
	}
	return 0;
}

/* Parses one record at c->pos into text/off/lens. Returns field count (>0), or
 * a negative status. */
static int parse_row(struct kith_csv *c, size_t *nfields, size_t *start_line, struct kith_err *err)
{
	char sep = c->o.sep;
	size_t n = 0;
	kith_sbuf_reset(&c->text);
	*start_line = c->line;
	for (;;) {
		/* one field */
		if (n >= c->o.max_fields)
			return fail(c, err, KITH_E_LIMIT, *start_line, 0, "more than %zu fields in a row",
				    c->o.max_fields);
		if (ensure_fields(c, n + 1))
			return fail(c, err, KITH_E_NOMEM, *start_line, 0, "out of memory");
		c->off[n] = c->text.len;
		size_t field_line = c->line;
		int quoted = 0;
		if (c->pos < c->len && c->data[c->pos] == '"') {
			quoted = 1;
			c->pos++;
		}
		for (;;) {
			if (c->pos >= c->len) {
				if (quoted)
					return fail(c, err, KITH_E_INVALID, field_line, n + 1,
						    "quoted field is not closed before the end of the file");
				break;
			}
			char ch = c->data[c->pos];
			if (ch == '\0')
				return fail(c, err, KITH_E_INVALID, c->line, n + 1, "NUL byte in field");
			if (quoted) {
				if (ch == '"') {
					if (c->pos + 1 < c->len && c->data[c->pos + 1] == '"') {
						if (kith_sbuf_addc(&c->text, '"'))
							return fail(c, err, KITH_E_NOMEM, c->line, n + 1,
								    "out of memory");
						c->pos += 2;
						continue;
					}
					c->pos++;
					/* after a closing quote: separator, line end or end of data */
					if (c->pos < c->len) {
						char nx = c->data[c->pos];
						if (nx != sep && nx != '\n' &&
						    !(nx == '\r' && c->pos + 1 < c->len &&
						      c->data[c->pos + 1] == '\n'))
							return fail(
							    c, err, KITH_E_INVALID, c->line, n + 1,
							    "unexpected character after closing quote");
					}
					break;
				}
				if (ch == '\n')
					c->line++;
			} else {
				if (ch == sep || ch == '\n' ||
				    (ch == '\r' && c->pos + 1 < c->len && c->data[c->pos + 1] == '\n'))
					break;
				if (ch == '"')
					return fail(c, err, KITH_E_INVALID, c->line, n + 1,
						    "quote inside an unquoted field");
				if (ch == '\r')
					return fail(c, err, KITH_E_INVALID, c->line, n + 1,
						    "bare carriage return in field");
			}
			if (kith_sbuf_addc(&c->text, ch))
				return fail(c, err, KITH_E_NOMEM, c->line, n + 1, "out of memory");
			c->pos++;
			if (c->text.len - c->off[n] > c->o.max_field_len)
				return fail(c, err, KITH_E_LIMIT, field_line, n + 1,
					    "field longer than %zu bytes", c->o.max_field_len);
		}
		size_t flen = c->text.len - c->off[n];
		const char *fstart = c->text.buf ? c->text.buf + c->off[n] : "";
		size_t bad = kith_utf8_check(fstart, flen);
		if (bad != flen)
			return fail(c, err, KITH_E_INVALID, field_line, n + 1,
				    "invalid UTF-8 at byte %zu of the field", bad + 1);
		if (flen >= 3 && memcmp(fstart, "\xEF\xBB\xBF", 3) == 0)
			return fail(c, err, KITH_E_INVALID, field_line, n + 1,
				    "byte-order mark inside the file");
		c->lens[n] = flen;
		if (kith_sbuf_addc(&c->text, '\0'))
			return fail(c, err, KITH_E_NOMEM, c->line, n + 1, "out of memory");
		n++;
		if (c->pos >= c->len)
			break;
		char ch = c->data[c->pos];
		if (ch == sep) {
			c->pos++;
			continue;
		}
		if (ch == '\r')
			c->pos++;
		c->pos++; /* '\n' */
		c->line++;
		break;
	}
	for (size_t i = 0; i < n; i++)
		c->ptrs[i] = c->text.buf + c->off[i];
	*nfields = n;
	return (int)n;
}

int kith_csv_open(struct kith_csv **out, const char *data, size_t len, const char *name,
		  const struct kith_csv_opts *opts, struct kith_err *err)
{
	struct kith_csv *c = calloc(1, sizeof *c);
	if (!c)
		return kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
	if (opts)
		c->o = *opts;
	if (!c->o.sep)
		c->o.sep = ',';
	if (!c->o.max_fields)
		c->o.max_fields = 1024;
	if (!c->o.max_field_len)
		c->o.max_field_len = 1u << 20;
	c->data = data;
	c->len = len;
	c->name = name ? name : "input";
	c->line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		c->pos = 3;
	if (c->o.header) {
		if (!skip_empty(c)) {
			int rc = fail(c, err, KITH_E_INVALID, c->line, 0, "empty file: no header row");
			kith_csv_free(c);
			return rc;
		}
		size_t n, line;
		int rc = parse_row(c, &n, &line, err);
		if (rc < 0) {
			kith_csv_free(c);
			return rc;
		}
		if (kith_sbuf_add(&c->htext, c->text.buf, c->text.len) ||
		    !(c->hlens = malloc(n * sizeof *c->hlens)) ||
		    !(c->hptrs = malloc(n * sizeof *c->hptrs))) {
			kith_csv_free(c);
			return kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
		}
		for (size_t i = 0; i < n; i++) {
			c->hlens[i] = c->lens[i];
			c->hptrs[i] = c->htext.buf + c->off[i];
		}
		c->header.n = n;
		c->header.f = c->hptrs;
		c->header.len = c->hlens;
		c->header.line = line;
		for (size_t i = 0; i < n; i++) {
			size_t b = 0, e = c->hlens[i];
			while (b < e && isspace((unsigned char)c->hptrs[i][b]))
				b++;
			if (b == e) {
				rc = fail(c, err, KITH_E_INVALID, line, i + 1, "empty column name in header");
				kith_csv_free(c);
				return rc;
			}
			for (size_t j = 0; j < i; j++) {
				if (strcasecmp(c->hptrs[i], c->hptrs[j]) == 0) {
					rc = fail(c, err, KITH_E_INVALID, line, i + 1,
						  "column name appears twice in header");
					kith_csv_free(c);
					return rc;
				}
			}
		}
	}
	*out = c;
	return KITH_OK;
}

int kith_csv_next(struct kith_csv *c, struct kith_csv_row *row, struct kith_err *err)
{
	if (c->failed) {
		if (err)
			*err = c->last_err;
		return c->failed;
	}
	if (!skip_empty(c))
		return 0;
	if (c->o.max_rows && c->rows >= c->o.max_rows)
		return fail(c, err, KITH_E_LIMIT, c->line, 0, "more than %zu rows", c->o.max_rows);
	size_t n, line;
	int rc = parse_row(c, &n, &line, err);
	if (rc < 0)
		return rc;
	if (c->o.header && n != c->header.n)
		return fail(c, err, KITH_E_INVALID, line, 0, "row has %zu fields, the header has %zu", n,
			    c->header.n);
	c->rows++;
	row->n = n;
	row->f = c->ptrs;
	row->len = c->lens;
	row->line = line;
	return 1;
}

const struct kith_csv_row *kith_csv_header(const struct kith_csv *c)
{
	return &c->header;
}

int kith_csv_column(const struct kith_csv *c, const char *name)
{
	while (isspace((unsigned char)*name))
		name++;
	size_t nl = strlen(name);
	while (nl && isspace((unsigned char)name[nl - 1]))
		nl--;
	for (size_t i = 0; i < c->header.n; i++) {
		const char *h = c->header.f[i];
		size_t b = 0, e = c->header.len[i];
		while (b < e && isspace((unsigned char)h[b]))
			b++;
		while (e > b && isspace((unsigned char)h[e - 1]))
			e--;
		if (e - b == nl && strncasecmp(h + b, name, nl) == 0)
			return (int)i;
	}
	return -1;
}

int kith_csv_field_error(const struct kith_csv *c, const struct kith_csv_row *row, size_t col,
			 struct kith_err *err, int status, const char *fmt, ...)
{
	if (!err)
		return status;
	char where[KITH_ERR_WHERE_MAX];
	where_of(c, row->line, col + 1, where, sizeof where);
	err->status = status;
	snprintf(err->where, sizeof err->where, "%s", where);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return status;
}

void kith_csv_free(struct kith_csv *c)
{
	if (!c)
		return;
	kith_sbuf_release(&c->text);
	kith_sbuf_release(&c->htext);
	free(c->off);
	free(c->lens);
	free(c->ptrs);
	free(c->hlens);
	free(c->hptrs);
	free(c);
}

int kith_csv_write_field(struct kith_sbuf *out, const char *s, size_t len)
{
	int need_quote = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') {
			need_quote = 1;
			break;
		}
	}
	if (!need_quote)
		return kith_sbuf_add(out, s, len);
	int rc = kith_sbuf_addc(out, '"');
	for (size_t i = 0; i < len && !rc; i++) {
		if (s[i] == '"')
			rc = kith_sbuf_addc(out, '"');
		if (!rc)
			rc = kith_sbuf_addc(out, s[i]);
	}
	if (!rc)
		rc = kith_sbuf_addc(out, '"');
	return rc;
}
