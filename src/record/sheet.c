/*
 * Spreadsheet-friendly CSV of cases: see sheet.h.
 *
 * The columns come from walking the schema (kith_record_schema_json) with the
 * bodies: a leaf field is a column; a list of groups is expanded into
 * numbered copies of its fields, as many as the longest such list among the
 * bodies (for a list inside a list, the longest anywhere). A column is a path
 * of steps (a member name, or an index into a list) that a cell's value is
 * found by.
 */
#include "record/sheet.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/csv.h"
#include "record/caseio.h"
#include "record/record.h"

#define DEPTH_MAX 8   /* steps in a column's path */
#define LABEL_MAX 256 /* bytes of a column header */

struct step {
	const char *name; /* member name (borrowed from the schema), or NULL: index */
	size_t index;
};

struct column {
	struct step path[DEPTH_MAX];
	size_t depth;
	const json_t *field; /* the schema's field (borrowed) */
	char label[LABEL_MAX];
};

struct columns {
	struct column *v;
	size_t n, cap;
};

static int add_column(struct columns *cs, const struct step *path, size_t depth, const json_t *field,
		      const char *label)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 64;
		struct column *nv = realloc(cs->v, cap * sizeof *nv);
		if (!nv)
			return KITH_E_NOMEM;
		cs->v = nv;
		cs->cap = cap;
	}
	struct column *c = &cs->v[cs->n++];
	memcpy(c->path, path, depth * sizeof *path);
	c->depth = depth;
	c->field = field;
	snprintf(c->label, sizeof c->label, "%s", label);
	return KITH_OK;
}

/* The value at path in body, or NULL. */
static const json_t *at(const json_t *body, const struct step *path, size_t depth)
{
	const json_t *x = body;
	for (size_t i = 0; x && i < depth; i++)
		x = path[i].name ? json_object_get(x, path[i].name) : json_array_get(x, path[i].index);
	return x;
}

/* The longest list of the field `name` under every instance of path in one
 * body: the index steps at `from` and after are tried with every index. */
static size_t longest_in(const json_t *body, struct step *path, size_t depth, const char *name, size_t from)
{
	for (size_t i = from; i < depth; i++)
		if (!path[i].name) {
			size_t most = 0, len = json_array_size(at(body, path, i));
			for (size_t k = 0; k < len; k++) {
				path[i].index = k;
				size_t m = longest_in(body, path, depth, name, i + 1);
				if (m > most)
					most = m;
			}
			path[i].index = 0;
			return most;
		}
	return json_array_size(json_object_get(at(body, path, depth), name));
}

/* The longest list of the field `name` under path in any of the bodies. */
static size_t longest(json_t *const *bodies, size_t n, const struct step *path, size_t depth,
		      const char *name)
{
	struct step p[DEPTH_MAX];
	memcpy(p, path, depth * sizeof *p);
	size_t most = 0;
	for (size_t b = 0; b < n; b++) {
		size_t m = longest_in(bodies[b], p, depth, name, 0);
		if (m > most)
			most = m;
	}
	return most;
}

static const char *label_of(const json_t *field, const char *lang)
{
	const char *l = json_string_value(json_object_get(json_object_get(field, "label"), lang));
	return l ? l : json_string_value(json_object_get(field, "name"));
}

/*
 * Adds the columns of `fields` under path. The index steps of path are
 * templates: 0 while walking (longest() expands them), and each numbered
 * copy of a list fills its own.
 */
static int walk(struct columns *cs, json_t *const *bodies, size_t n, const json_t *fields, struct step *path,
		size_t depth, const char *prefix, const char *lang)
{
	size_t i;
	const json_t *f;
	json_array_foreach(fields, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *type = json_string_value(json_object_get(f, "type"));
		if (!name || !type || depth + 2 > DEPTH_MAX)
			continue;
		char label[LABEL_MAX];
		int rc = KITH_OK;
		if (!strcmp(type, "group")) {
			/* a group's label goes before its fields' ("Consent: Tracing",
			 * "Place of origin: Province"), but not the person's own */
			if (!strcmp(name, "person"))
				snprintf(label, sizeof label, "%s", prefix);
			else
				snprintf(label, sizeof label, "%s%s%s", prefix, *prefix ? " · " : "",
					 label_of(f, lang));
			path[depth] = (struct step){name, 0};
			rc = walk(cs, bodies, n, json_object_get(f, "fields"), path, depth + 1, label, lang);
		} else if (!strcmp(type, "list_of_groups")) {
			size_t m = longest(bodies, n, path, depth, name);
			path[depth] = (struct step){name, 0};
			for (size_t k = 0; k < m && !rc; k++) {
				path[depth + 1] = (struct step){NULL, k};
				snprintf(label, sizeof label, "%s%s%s %zu", prefix, *prefix ? " · " : "",
					 label_of(f, lang), k + 1);
				rc = walk(cs, bodies, n, json_object_get(f, "fields"), path, depth + 2, label,
					  lang);
			}
		} else {
			snprintf(label, sizeof label, "%s%s%s", prefix, *prefix ? ": " : "",
				 label_of(f, lang));
			path[depth] = (struct step){name, 0};
			rc = add_column(cs, path, depth + 1, f, label);
		}
		if (rc)
			return rc;
	}
	return KITH_OK;
}

static const char *yes_no(int yes, const char *lang)
{
	if (!strcmp(lang, "ko"))
		return yes ? "예" : "아니오";
	return yes ? "Yes" : "No";
}

/* Appends one value as text: labels for vocabularies, words for yes/no. */
static int value_text(const json_t *field, const json_t *v, const char *lang, struct kith_sbuf *cell)
{
	const char *vocab = json_string_value(json_object_get(field, "vocabulary"));
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		const char *l = vocab ? kith_record_vocab_label(vocab, s, lang) : NULL;
		return kith_sbuf_adds(cell, l ? l : s);
	}
	if (json_is_boolean(v))
		return kith_sbuf_adds(cell, yes_no(json_is_true(v), lang));
	if (json_is_integer(v))
		return kith_sbuf_addf(cell, "%lld", (long long)json_integer_value(v));
	if (json_is_array(v)) {
		size_t i;
		const json_t *x;
		json_array_foreach(v, i, x)
		{
			if (i && kith_sbuf_adds(cell, "; "))
				return KITH_E_NOMEM;
			if (value_text(field, x, lang, cell))
				return KITH_E_NOMEM;
		}
		return KITH_OK;
	}
	return KITH_OK; /* null, object: nothing (the validator lets neither through) */
}

/* Appends a cell: defused when a spreadsheet would run it, quoted as CSV needs. */
static int put_cell(struct kith_sbuf *out, struct kith_sbuf *cell)
{
	const char *s = cell->buf ? cell->buf : "";
	if (kith_caseio_formula_cell(s, cell->len)) {
		struct kith_sbuf d = KITH_SBUF_INIT;
		int rc = kith_sbuf_addc(&d, '\'');
		if (!rc)
			rc = kith_sbuf_add(&d, s, cell->len);
		if (!rc)
			rc = kith_csv_write_field(out, d.buf, d.len);
		kith_sbuf_release(&d);
		return rc;
	}
	return kith_csv_write_field(out, s, cell->len);
}

int kith_sheet_write(json_t *const *bodies, size_t n, const char *lang, struct kith_sbuf *out,
		     struct kith_err *err)
{
	if (!lang || (strcmp(lang, "en") && strcmp(lang, "ko")))
		return kith_err_set(err, KITH_E_INVALID, "lang", "the sheet's language is en or ko");
	size_t start = out->len;
	json_t *schema = kith_record_schema_json();
	const json_t *kinds = json_object_get(schema, "kinds"), *k, *fields = NULL;
	size_t i;
	json_array_foreach(kinds, i, k) if (!strcmp(json_string_value(json_object_get(k, "kind")), "case"))
	    fields = json_object_get(k, "fields");
	struct columns cs = {0};
	struct step path[DEPTH_MAX];
	struct kith_sbuf cell = KITH_SBUF_INIT;
	int rc = fields ? walk(&cs, bodies, n, fields, path, 0, "", lang) : KITH_E_INTERNAL;
	if (!rc)
		rc = kith_sbuf_adds(out, "\xEF\xBB\xBF"); /* the byte-order mark Excel looks for */
	for (size_t c = 0; !rc && c < cs.n; c++) {
		if (c)
			rc = kith_sbuf_addc(out, ',');
		if (!rc)
			rc = kith_csv_write_field(out, cs.v[c].label, strlen(cs.v[c].label));
	}
	if (!rc)
		rc = kith_sbuf_adds(out, "\r\n");
	for (size_t b = 0; !rc && b < n; b++) {
		for (size_t c = 0; !rc && c < cs.n; c++) {
			kith_sbuf_reset(&cell);
			if (c)
				rc = kith_sbuf_addc(out, ',');
			const json_t *v = at(bodies[b], cs.v[c].path, cs.v[c].depth);
			if (!rc && v)
				rc = value_text(cs.v[c].field, v, lang, &cell);
			if (!rc)
				rc = put_cell(out, &cell);
		}
		if (!rc)
			rc = kith_sbuf_adds(out, "\r\n");
	}
	kith_sbuf_release(&cell);
	free(cs.v);
	json_decref(schema);
	if (rc) {
		if (out->buf && out->len > start) {
			sodium_memzero(out->buf + start, out->len - start);
			out->buf[start] = '\0';
		}
		out->len = start;
		return kith_err_set(err, rc, NULL, rc == KITH_E_NOMEM ? "out of memory" : "no case schema");
	}
	return KITH_OK;
}
