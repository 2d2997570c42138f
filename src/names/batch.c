/*
 * batch — one name (or pair) per line through the names engine, one result
 * per line out; the first bad line fails the whole batch (batch.h).
 */
#include "names/batch.h"

#include <stdio.h>
#include <string.h>

static const enum kith_names_system all_sys[] = {KITH_NAMES_RR, KITH_NAMES_MR, KITH_NAMES_MR_PLAIN,
						 KITH_NAMES_NK, KITH_NAMES_COMMON};
static const char *const all_names[] = {"rr", "mr", "mr-plain", "nk", "common"};

/* Sets err's where to FILE:LINE[:field], keeping the engine's message. */
static int line_err(struct kith_err *err, int rc, const struct kith_names_batch_opts *o, size_t line,
		    const char *field, const char *msg)
{
	if (!err)
		return rc;
	char m[KITH_ERR_MSG_MAX];
	snprintf(m, sizeof m, "%s", msg ? msg : err->msg);
	kith_err_set(err, rc, "", "%s", m);
	const char *file = o->file ? o->file : "-";
	if (field)
		snprintf(err->where, sizeof err->where, "%s:%zu:%s", file, line, field);
	else
		snprintf(err->where, sizeof err->where, "%s:%zu", file, line);
	return rc;
}

static int put(struct kith_sbuf *o, const char *s)
{
	return kith_sbuf_adds(o, s);
}

/* The JSON string of s (engine output: UTF-8 without control characters). */
static int put_json_str(struct kith_sbuf *o, const char *s)
{
	int rc = kith_sbuf_addc(o, '"');
	for (; *s && !rc; s++) {
		if (*s == '"' || *s == '\\')
			rc = kith_sbuf_addc(o, '\\');
		if (!rc)
			rc = kith_sbuf_addc(o, *s);
	}
	return rc ? rc : kith_sbuf_addc(o, '"');
}

static int encode(const char *s, size_t n, struct kith_name *e, const struct kith_names_batch_opts *o,
		  size_t line, const char *field, struct kith_err *err)
{
	int rc = kith_names_encode(e, s, n, err);
	return rc ? line_err(err, rc, o, line, field, NULL) : KITH_OK;
}

static int do_compare(const char *s, size_t n, const struct kith_names_batch_opts *o, size_t line,
		      struct kith_sbuf *out, struct kith_err *err)
{
	const char *tab = memchr(s, '\t', n);
	if (!tab)
		return line_err(err, KITH_E_INVALID, o, line, NULL, "give two names separated by a tab");
	size_t na = (size_t)(tab - s), nb = n - na - 1;
	if (memchr(tab + 1, '\t', nb))
		return line_err(err, KITH_E_INVALID, o, line, NULL, "more than two names (one tab only)");
	struct kith_name a, b;
	int rc = encode(s, na, &a, o, line, "A", err);
	if (!rc)
		rc = encode(tab + 1, nb, &b, o, line, "B", err);
	if (rc)
		return rc;
	double v = kith_names_similarity(&a, &b), t = kith_names_same_threshold();
	char buf[64];
	if (o->json)
		snprintf(buf, sizeof buf, "{\"score\": %.6f, \"same\": %s}\n", v, v >= t ? "true" : "false");
	else
		snprintf(buf, sizeof buf, "%.3f %s\n", v, v >= t ? "same" : "different");
	return put(out, buf);
}

static int do_romanize(const char *s, size_t n, const struct kith_names_batch_opts *o, size_t line,
		       struct kith_sbuf *out, struct kith_err *err)
{
	int rc = o->json ? kith_sbuf_addc(out, '{') : KITH_OK;
	int first = 1;
	for (size_t i = 0; i < 5 && !rc; i++) {
		if (!o->all_systems && all_sys[i] != o->sys)
			continue;
		struct kith_sbuf r = KITH_SBUF_INIT;
		int e = kith_names_romanize(s, n, all_sys[i], &r, err);
		if (e) {
			kith_sbuf_release(&r);
			return line_err(err, e, o, line, NULL, NULL);
		}
		if (o->json) {
			rc = (first ? 0 : put(out, ", ")) | put_json_str(out, all_names[i]) | put(out, ": ") |
			     put_json_str(out, r.buf ? r.buf : "");
		} else {
			rc = (first ? 0 : kith_sbuf_addc(out, '\t')) | put(out, r.buf ? r.buf : "");
		}
		first = 0;
		kith_sbuf_release(&r);
	}
	if (!rc && o->json)
		rc = kith_sbuf_addc(out, '}');
	return rc ? rc : kith_sbuf_addc(out, '\n');
}

static int do_keys(const char *s, size_t n, const struct kith_names_batch_opts *o, size_t line,
		   struct kith_sbuf *out, struct kith_err *err)
{
	struct kith_name e;
	int rc = encode(s, n, &e, o, line, NULL, err);
	if (rc)
		return rc;
	uint64_t keys[KITH_NAMES_MAX_KEYS];
	size_t nk = kith_names_keys(&e, keys);
	char hex[32];
	rc = o->json ? put(out, "{\"keys\": [") : KITH_OK;
	for (size_t i = 0; i < nk && !rc; i++) {
		snprintf(hex, sizeof hex, o->json ? "%s\"%016llx\"" : "%s%016llx",
			 i ? (o->json ? ", " : " ") : "", (unsigned long long)keys[i]);
		rc = put(out, hex);
	}
	if (!rc && o->json) {
		snprintf(hex, sizeof hex, "%016llx", (unsigned long long)kith_names_surname_key(&e));
		rc = put(out, "], \"surname_key\": \"") | put(out, hex) | put(out, "\"}");
	}
	return rc ? rc : kith_sbuf_addc(out, '\n');
}

static int do_read(const char *s, size_t n, const struct kith_names_batch_opts *o, size_t line,
		   struct kith_sbuf *out, struct kith_err *err)
{
	struct kith_names_reading r[50];
	size_t max = o->max_readings ? o->max_readings : 5, got = 0;
	if (max > 50)
		max = 50;
	int rc = kith_names_read(s, n, r, max, &got, err);
	if (rc)
		return line_err(err, rc, o, line, NULL, NULL);
	rc = o->json ? kith_sbuf_addc(out, '[') : KITH_OK;
	char buf[128];
	for (size_t i = 0; i < got && !rc; i++) {
		if (o->json)
			snprintf(buf, sizeof buf, "%s{\"hangul\": \"%s\", \"score\": %.6f}", i ? ", " : "",
				 r[i].hangul, r[i].score);
		else
			snprintf(buf, sizeof buf, "%s%s %.3f", i ? "\t" : "", r[i].hangul, r[i].score);
		rc = put(out, buf);
	}
	if (!rc && o->json)
		rc = kith_sbuf_addc(out, ']');
	return rc ? rc : kith_sbuf_addc(out, '\n');
}

int kith_names_batch(const char *buf, size_t len, const struct kith_names_batch_opts *opts,
		     struct kith_sbuf *out, struct kith_err *err)
{
	struct kith_names_batch_opts o = opts ? *opts : (struct kith_names_batch_opts){0};
	if ((unsigned)o.op > KITH_NAMES_BATCH_READ || (unsigned)o.sys > KITH_NAMES_COMMON)
		return kith_err_set(err, KITH_E_INVALID, "batch", "unknown operation or system");
	size_t was = out->len;
	size_t at = 0, line = 0;
	int rc = KITH_OK;
	while (at < len && !rc) {
		line++;
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - at;
		if (n && buf[at + n - 1] == '\r')
			n--;
		const char *s = buf + at;
		at = nl ? end + 1 : len;
		if (n > 2 * (size_t)KITH_NAMES_MAX_BYTES + 1) {
			rc = line_err(err, KITH_E_LIMIT, &o, line, NULL,
				      "a line longer than two names may be");
			break;
		}
		if (n == 0) {
			rc = line_err(err, KITH_E_INVALID, &o, line, NULL, "an empty line");
			break;
		}
		if (o.op != KITH_NAMES_BATCH_COMPARE && memchr(s, '\t', n)) {
			rc = line_err(err, KITH_E_INVALID, &o, line, NULL,
				      "a tab in a name (one name per line)");
			break;
		}
		switch (o.op) {
		case KITH_NAMES_BATCH_COMPARE:
			rc = do_compare(s, n, &o, line, out, err);
			break;
		case KITH_NAMES_BATCH_ROMANIZE:
			rc = do_romanize(s, n, &o, line, out, err);
			break;
		case KITH_NAMES_BATCH_KEYS:
			rc = do_keys(s, n, &o, line, out, err);
			break;
		case KITH_NAMES_BATCH_READ:
			rc = do_read(s, n, &o, line, out, err);
			break;
		}
	}
	if (rc) {
		if (rc == KITH_E_NOMEM)
			kith_err_set(err, rc, "batch", "out of memory");
		if (out->buf && out->len > was)
			memset(out->buf + was, 0, out->len - was); /* results hold names: wiped */
		out->len = was;
		if (out->buf)
			out->buf[was] = '\0';
		return rc;
	}
	return KITH_OK;
}
