/*
 * linkcfg — the `key = value` configuration of a linkage run (see linkcfg.h).
 *
 * The parser works on a copy of the configuration and commits it only when
 * the whole text is valid, so a failure leaves the caller's value unchanged.
 * Values in error messages are never quoted: a column name is quoted (it is a
 * header, not data), but a value could be anything.
 */
#include "link/linkcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/csv.h"
#include "base/io.h"
#include "base/sbuf.h"

#define LINE_MAX_BYTES 1024

static const char *const role_names[KITH_ROLE_COUNT] = {
    "id", "source", "name", "other_names", "sex", "birth_year", "birth_date", "origin", "age", "age_in_year",
};

const char *kith_linkcfg_role_name(enum kith_linkcfg_role r)
{
	return (unsigned)r < KITH_ROLE_COUNT ? role_names[r] : "?";
}

int kith_linkcfg_type_levels(enum kith_linkcfg_type t)
{
	switch (t) {
	case KITH_LINKCFG_EXACT:
		return 2;
	case KITH_LINKCFG_FUZZY:
		return 4;
	case KITH_LINKCFG_DATE:
		return 5;
	default:
		return 0;
	}
}

void kith_linkcfg_init(struct kith_linkcfg *c)
{
	memset(c, 0, sizeof *c);
}

const struct kith_linkcfg_field *kith_linkcfg_field_find(const struct kith_linkcfg *c, const char *column)
{
	for (size_t i = 0; i < c->n_fields; i++)
		if (strcasecmp(c->fields[i].column, column) == 0)
			return &c->fields[i];
	return NULL;
}

/* Splits s at whitespace: returns the next token (NUL-terminated in place) or NULL. */
static char *next_token(char **s)
{
	char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	char *t = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return t;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	if (!*s || *s == '-' || *s == '+')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

/* A number in [lo, hi] as parse_double, or "auto" (0), or when off_ok "off" (-1). */
static int parse_auto(const char *s, int off_ok, double lo, double hi, double *out)
{
	if (strcmp(s, "auto") == 0 || (off_ok && strcmp(s, "off") == 0)) {
		*out = s[0] == 'a' ? 0 : -1;
		return 0;
	}
	return parse_double(s, lo, hi, out);
}

static int copy_name(char dst[KITH_LINKCFG_NAME_MAX], const char *src)
{
	size_t n = strlen(src);
	if (n == 0 || n >= KITH_LINKCFG_NAME_MAX)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static int parse_column_arg(const char *s, char col[KITH_LINKCFG_NAME_MAX], const char **rest)
{
	const char *colon = strchr(s, ':');
	const char *tilde = strchr(s, '~');
	const char *end = colon ? colon : tilde ? tilde : s + strlen(s);
	size_t n = (size_t)(end - s);
	if (n == 0 || n >= KITH_LINKCFG_NAME_MAX)
		return -1;
	memcpy(col, s, n);
	col[n] = '\0';
	*rest = end;
	return 0;
}

static int parse_window(const char *s, int *w)
{
	if (!*s) {
		*w = 0;
		return 0;
	}
	long v;
	if (*s != '~' || parse_int(s + 1, 0, 10, &v))
		return -1;
	*w = (int)v;
	return 0;
}

int kith_linkcfg_rule_parse(struct kith_linkcfg_rule *r, const char *text, struct kith_err *err)
{
	struct kith_linkcfg_rule out;
	memset(&out, 0, sizeof out);
	size_t tl = strlen(text);
	if (tl >= KITH_LINKCFG_RULE_MAX)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "blocking rule longer than %d bytes",
				    KITH_LINKCFG_RULE_MAX - 1);
	char buf[KITH_LINKCFG_RULE_MAX];
	memcpy(buf, text, tl + 1);
	char *s = buf, *t;
	int windows = 0, all = 0, any = 0;
	size_t pos = 0;
	while ((t = next_token(&s)) != NULL) {
		any = 1;
		if (strcmp(t, "all") == 0) {
			all = 1;
			continue;
		}
		if (out.n_comp == KITH_LINKCFG_MAX_COMPONENTS)
			return kith_err_set(err, KITH_E_LIMIT, NULL,
					    "a blocking rule has at most %d components",
					    KITH_LINKCFG_MAX_COMPONENTS);
		struct kith_linkcfg_comp *c = &out.comp[out.n_comp];
		const char *rest;
		if (strcmp(t, "name") == 0) {
			c->kind = KITH_BLOCK_NAME;
		} else if (strcmp(t, "surname") == 0) {
			c->kind = KITH_BLOCK_SURNAME;
		} else if (strcmp(t, "fullname") == 0) {
			c->kind = KITH_BLOCK_FULLNAME;
		} else if (strncmp(t, "birth_year", 10) == 0 && (t[10] == '\0' || t[10] == '~')) {
			c->kind = KITH_BLOCK_BIRTH_YEAR;
			if (parse_window(t + 10, &c->window))
				return kith_err_set(
				    err, KITH_E_INVALID, NULL,
				    "blocking rule component %zu: a window is ~N with N from 0 to 10",
				    out.n_comp + 1);
		} else if (strcmp(t, "sex") == 0) {
			c->kind = KITH_BLOCK_SEX;
		} else if (strcmp(t, "origin") == 0) {
			c->kind = KITH_BLOCK_ORIGIN;
		} else if (strcmp(t, "source") == 0) {
			c->kind = KITH_BLOCK_SOURCE;
		} else if (strncmp(t, "field:", 6) == 0) {
			c->kind = KITH_BLOCK_FIELD;
			if (parse_column_arg(t + 6, c->column, &rest) || *rest)
				return kith_err_set(err, KITH_E_INVALID, NULL,
						    "blocking rule component %zu: field:COLUMN expected",
						    out.n_comp + 1);
		} else if (strncmp(t, "prefix:", 7) == 0) {
			c->kind = KITH_BLOCK_PREFIX;
			long n;
			if (parse_column_arg(t + 7, c->column, &rest) || *rest != ':' ||
			    parse_int(rest + 1, 1, 16, &n))
				return kith_err_set(
				    err, KITH_E_INVALID, NULL,
				    "blocking rule component %zu: prefix:COLUMN:N expected, N from 1 to 16",
				    out.n_comp + 1);
			c->prefix = (int)n;
		} else if (strncmp(t, "year:", 5) == 0) {
			c->kind = KITH_BLOCK_YEAR;
			if (parse_column_arg(t + 5, c->column, &rest) || *rest == ':' ||
			    parse_window(rest, &c->window))
				return kith_err_set(
				    err, KITH_E_INVALID, NULL,
				    "blocking rule component %zu: year:COLUMN or year:COLUMN~N expected",
				    out.n_comp + 1);
		} else {
			return kith_err_set(
			    err, KITH_E_INVALID, NULL,
			    "blocking rule component %zu is not one of all, name, surname, birth_year[~N], "
			    "sex, origin, source, field:COL, prefix:COL:N, year:COL[~N]",
			    out.n_comp + 1);
		}
		if (c->kind == KITH_BLOCK_BIRTH_YEAR || c->kind == KITH_BLOCK_YEAR)
			windows++;
		out.n_comp++;
		pos++;
	}
	if (!any)
		return kith_err_set(err, KITH_E_INVALID, NULL, "empty blocking rule");
	if (all && out.n_comp)
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "'all' cannot be combined with other components");
	if (windows > 1)
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "a blocking rule may hold one year component only");
	/* normalized text: the tokens separated by one space */
	size_t o = 0;
	s = buf;
	memcpy(buf, text, tl + 1);
	while ((t = next_token(&s)) != NULL) {
		size_t n = strlen(t);
		if (o)
			out.text[o++] = ' ';
		memcpy(out.text + o, t, n);
		o += n;
	}
	out.text[o] = '\0';
	(void)pos;
	*r = out;
	return KITH_OK;
}

static int find_role(const char *key)
{
	for (int i = 0; i < KITH_ROLE_COUNT; i++)
		if (strcmp(key, role_names[i]) == 0)
			return i;
	return -1;
}

static int parse_field(struct kith_linkcfg *c, const char *column, char *value, struct kith_err *err)
{
	if (c->n_fields == KITH_LINKCFG_MAX_FIELDS)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "more than %d fields", KITH_LINKCFG_MAX_FIELDS);
	if (kith_linkcfg_field_find(c, column))
		return kith_err_set(err, KITH_E_INVALID, NULL, "field '%s' declared twice", column);
	for (int r = 0; r < KITH_ROLE_COUNT; r++)
		if (strcasecmp(column, role_names[r]) == 0)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "'%s' is a recognized column; declare another column as a field",
					    column);
	struct kith_linkcfg_field f;
	memset(&f, 0, sizeof f);
	if (copy_name(f.column, column))
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "field column name empty or longer than %d bytes",
				    KITH_LINKCFG_NAME_MAX - 1);
	char *s = value, *t = next_token(&s);
	if (!t)
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "field '%s': a type is needed (exact, fuzzy, date)", column);
	if (strcmp(t, "exact") == 0)
		f.type = KITH_LINKCFG_EXACT;
	else if (strcmp(t, "fuzzy") == 0)
		f.type = KITH_LINKCFG_FUZZY;
	else if (strcmp(t, "date") == 0)
		f.type = KITH_LINKCFG_DATE;
	else
		return kith_err_set(err, KITH_E_INVALID, NULL,
				    "field '%s': type must be exact, fuzzy or date", column);
	while ((t = next_token(&s)) != NULL) {
		if (strcmp(t, "tf") == 0) {
			if (f.type == KITH_LINKCFG_DATE)
				return kith_err_set(err, KITH_E_INVALID, NULL,
						    "field '%s': tf applies to exact and fuzzy fields",
						    column);
			f.tf = 1;
		} else if (strncmp(t, "levels=", 7) == 0) {
			if (f.type != KITH_LINKCFG_FUZZY)
				return kith_err_set(err, KITH_E_INVALID, NULL,
						    "field '%s': levels= applies to fuzzy fields", column);
			char *comma = strchr(t + 7, ',');
			if (!comma)
				return kith_err_set(err, KITH_E_INVALID, NULL,
						    "field '%s': levels=T1,T2 expected", column);
			*comma = '\0';
			if (parse_double(t + 7, 0.0, 1.0, &f.levels[0]) ||
			    parse_double(comma + 1, 0.0, 1.0, &f.levels[1]) || !(f.levels[0] > f.levels[1]))
				return kith_err_set(
				    err, KITH_E_INVALID, NULL,
				    "field '%s': levels=T1,T2 with 1 >= T1 > T2 >= 0 expected", column);
		} else if (strncmp(t, "weights=", 8) == 0) {
			int want = kith_linkcfg_type_levels(f.type);
			char *p = t + 8;
			f.n_weights = 0;
			for (;;) {
				char *comma = strchr(p, ',');
				if (comma)
					*comma = '\0';
				if (f.n_weights == want ||
				    parse_double(p, -60.0, 60.0, &f.weights[f.n_weights]))
					return kith_err_set(
					    err, KITH_E_INVALID, NULL,
					    "field '%s': weights= needs %d numbers in [-60, 60] (log2 "
					    "Bayes factors, top level first)",
					    column, want);
				f.n_weights++;
				if (!comma)
					break;
				p = comma + 1;
			}
			if (f.n_weights != want)
				return kith_err_set(err, KITH_E_INVALID, NULL,
						    "field '%s': weights= needs %d numbers (log2 Bayes "
						    "factors, top level first)",
						    column, want);
		} else {
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "field '%s': unknown option (tf, levels=T1,T2, weights=W,...)",
					    column);
		}
	}
	c->fields[c->n_fields++] = f;
	return KITH_OK;
}

static int parse_line(struct kith_linkcfg *c, char *line, struct kith_err *err)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		p[--n] = '\0';
	if (!*p)
		return KITH_OK;
	char *eq = strchr(p, '=');
	if (!eq)
		return kith_err_set(err, KITH_E_INVALID, NULL, "'key = value' expected");
	char *key = p, *value = eq + 1;
	*eq = '\0';
	n = strlen(key);
	while (n && (key[n - 1] == ' ' || key[n - 1] == '\t'))
		key[--n] = '\0';
	while (*value == ' ' || *value == '\t')
		value++;
	if (!*key)
		return kith_err_set(err, KITH_E_INVALID, NULL, "a key is missing before '='");
	if (strlen(key) >= KITH_LINKCFG_NAME_MAX + 8)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "key longer than %d bytes",
				    KITH_LINKCFG_NAME_MAX + 7);
	int role = find_role(key);
	if (role >= 0) {
		char *s = value, *t;
		size_t k = 0;
		char cols[KITH_LINKCFG_MAX_ROLE_COLUMNS][KITH_LINKCFG_NAME_MAX];
		memset(cols, 0, sizeof cols);
		while ((t = next_token(&s)) != NULL) {
			if (k == KITH_LINKCFG_MAX_ROLE_COLUMNS)
				return kith_err_set(err, KITH_E_LIMIT, NULL, "'%s' takes at most %d columns",
						    key, KITH_LINKCFG_MAX_ROLE_COLUMNS);
			if (copy_name(cols[k], t))
				return kith_err_set(err, KITH_E_INVALID, NULL,
						    "'%s': column name longer than %d bytes", key,
						    KITH_LINKCFG_NAME_MAX - 1);
			k++;
		}
		if (k == 0)
			return kith_err_set(err, KITH_E_INVALID, NULL, "'%s' needs a column name", key);
		memcpy(c->roles[role], cols, sizeof cols);
		return KITH_OK;
	}
	if (strncmp(key, "field.", 6) == 0)
		return parse_field(c, key + 6, value, err);
	if (strcmp(key, "ignore") == 0) {
		char *s = value, *t;
		while ((t = next_token(&s)) != NULL) {
			if (c->n_ignore == KITH_LINKCFG_MAX_IGNORE)
				return kith_err_set(err, KITH_E_LIMIT, NULL, "more than %d ignored columns",
						    KITH_LINKCFG_MAX_IGNORE);
			if (copy_name(c->ignore[c->n_ignore], t))
				return kith_err_set(err, KITH_E_INVALID, NULL,
						    "ignore: column name longer than %d bytes",
						    KITH_LINKCFG_NAME_MAX - 1);
			c->n_ignore++;
		}
		return KITH_OK;
	}
	if (strcmp(key, "block") == 0) {
		if (c->n_rules == KITH_LINKCFG_MAX_RULES)
			return kith_err_set(err, KITH_E_LIMIT, NULL, "more than %d blocking rules",
					    KITH_LINKCFG_MAX_RULES);
		int rc = kith_linkcfg_rule_parse(&c->rules[c->n_rules], value, err);
		if (rc)
			return rc;
		c->n_rules++;
		return KITH_OK;
	}
	if (strcmp(key, "train_block") == 0) {
		if (c->n_train_rules == KITH_LINKCFG_MAX_RULES)
			return kith_err_set(err, KITH_E_LIMIT, NULL, "more than %d training rules",
					    KITH_LINKCFG_MAX_RULES);
		int rc = kith_linkcfg_rule_parse(&c->train_rules[c->n_train_rules], value, err);
		if (rc)
			return rc;
		c->n_train_rules++;
		return KITH_OK;
	}
	if (strcmp(key, "train_records") == 0) {
		if (parse_u64(value, &c->train_records) || c->train_records < 100 ||
		    c->train_records > 100000000ULL)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "train_records must be an integer from 100 to 10^8");
		return KITH_OK;
	}
	if (strcmp(key, "mode") == 0) {
		if (strcmp(value, "dedupe") == 0)
			c->mode = KITH_LINKCFG_DEDUPE;
		else if (strcmp(value, "link") == 0)
			c->mode = KITH_LINKCFG_LINK;
		else
			return kith_err_set(err, KITH_E_INVALID, NULL, "mode must be dedupe or link");
		return KITH_OK;
	}
	if (strcmp(key, "threshold") == 0 || strcmp(key, "review_threshold") == 0) {
		double *t = key[0] == 't' ? &c->threshold : &c->review_threshold;
		if (parse_auto(value, 0, 1e-9, 1.0 - 1e-12, t))
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "%s must be auto or a probability in (0, 1)",
					    key[0] == 't' ? "threshold" : "review_threshold");
		return KITH_OK;
	}
	if (strcmp(key, "guard_threshold") == 0) {
		if (parse_double(value, 1e-9, 1.0 - 1e-12, &c->guard_threshold))
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "guard_threshold must be a probability in (0, 1)");
		return KITH_OK;
	}
	if (strcmp(key, "rivals") == 0) {
		if (parse_auto(value, 1, 1e-6, 10.0, &c->rivals))
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "rivals must be auto, off or a number in (0, 10]");
		return KITH_OK;
	}
	if (strcmp(key, "triads") == 0) {
		if (parse_auto(value, 1, 1e-6, 100.0, &c->triads))
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "triads must be auto, off or a number in (0, 100]");
		return KITH_OK;
	}
	if (strcmp(key, "max_pairs") == 0) {
		if (parse_u64(value, &c->max_pairs) || c->max_pairs == 0)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "max_pairs must be a positive integer");
		return KITH_OK;
	}
	if (strcmp(key, "u_samples") == 0) {
		if (parse_u64(value, &c->u_samples) || c->u_samples < 1000 || c->u_samples > 1000000000ULL)
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "u_samples must be an integer from 1000 to 10^9");
		return KITH_OK;
	}
	if (strcmp(key, "seed") == 0) {
		if (parse_u64(value, &c->seed))
			return kith_err_set(err, KITH_E_INVALID, NULL, "seed must be a non-negative integer");
		return KITH_OK;
	}
	if (strcmp(key, "tf_max") == 0) {
		if (parse_double(value, 0.01, 30.0, &c->tf_max))
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "tf_max must be a number of bits in (0, 30]");
		return KITH_OK;
	}
	if (strcmp(key, "name_levels") == 0) {
		char *s = value, *a = next_token(&s), *b = next_token(&s);
		double x[2];
		if (!a || !b || next_token(&s) || parse_double(a, 0.0, 1.0, &x[0]) ||
		    parse_double(b, 0.0, 1.0, &x[1]) || !(x[0] > x[1]))
			return kith_err_set(err, KITH_E_INVALID, NULL,
					    "name_levels = T1 T2 with 1 >= T1 > T2 >= 0");
		c->name_levels[0] = x[0];
		c->name_levels[1] = x[1];
		return KITH_OK;
	}
	/* the key is configuration vocabulary, not data: safe to name, but cap it */
	return kith_err_set(err, KITH_E_INVALID, NULL, "unknown key '%.40s'", key);
}

int kith_linkcfg_parse(struct kith_linkcfg *c, const char *data, size_t len, const char *name,
		       struct kith_err *err)
{
	if (len > KITH_LINKCFG_FILE_MAX)
		return kith_err_set(err, KITH_E_LIMIT, name, "configuration larger than %u bytes",
				    KITH_LINKCFG_FILE_MAX);
	struct kith_linkcfg *work = malloc(sizeof *work);
	if (!work)
		return kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
	*work = *c;
	size_t pos = 0, lineno = 0;
	int rc = KITH_OK;
	char where[KITH_ERR_WHERE_MAX];
	while (pos < len) {
		lineno++;
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
		snprintf(where, sizeof where, "%s:%zu", name, lineno);
		if (n >= LINE_MAX_BYTES) {
			rc = kith_err_set(err, KITH_E_LIMIT, where, "line longer than %d bytes",
					  LINE_MAX_BYTES - 1);
			break;
		}
		char line[LINE_MAX_BYTES];
		memcpy(line, data + pos, n);
		line[n] = '\0';
		size_t bad = kith_utf8_check(line, n);
		if (bad != n || memchr(line, '\0', n)) {
			rc = kith_err_set(
			    err, KITH_E_INVALID, where, "invalid UTF-8 or a NUL byte at byte %zu",
			    bad != n ? bad + 1 : (size_t)((char *)memchr(line, '\0', n) - line) + 1);
			break;
		}
		if (lineno == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
			memmove(line, line + 3, n - 2);
		else if (strstr(line, "\xEF\xBB\xBF")) {
			rc = kith_err_set(err, KITH_E_INVALID, where, "a byte-order mark inside the file");
			break;
		}
		for (size_t i = 0; line[i]; i++) {
			unsigned char ch = (unsigned char)line[i];
			if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7F) {
				rc = kith_err_set(err, KITH_E_INVALID, where, "control character at byte %zu",
						  i + 1);
				break;
			}
		}
		if (rc)
			break;
		rc = parse_line(work, line, err);
		if (rc) {
			if (err)
				snprintf(err->where, sizeof err->where, "%s", where);
			break;
		}
		pos += n + (nl ? 1 : 0);
	}
	if (rc == KITH_OK)
		*c = *work;
	free(work);
	return rc;
}

int kith_linkcfg_load(struct kith_linkcfg *c, const char *path, struct kith_err *err)
{
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_io_read_file(path, KITH_LINKCFG_FILE_MAX, &sb, err);
	if (rc)
		return rc;
	rc = kith_linkcfg_parse(c, sb.buf ? sb.buf : "", sb.len, path, err);
	kith_sbuf_release(&sb);
	return rc;
}
