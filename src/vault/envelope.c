/*
 * envelope — the JSON inside a row's ciphertext: {"kind", "ref", "body",
 * "at", "device", "action", "note", "created"}. env_write builds it at put;
 * env_parse reads it back at unlock, treating it as hostile (a key in the
 * wrong hands, or a device's bug, can seal anything), and mem_build turns it
 * into a record's string block. The body is kept as written (canonical JSON).
 */
#include "vault/vault_impl.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/sbuf.h"
#include "record/record.h"

/* ------------------------------------------------------------ envelope JSON */

/* Appends s as a JSON string. */
static int json_str(struct kith_sbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int rc = kith_sbuf_addc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = {'\\', (char)*p};
			rc = kith_sbuf_add(sb, e, 2);
		} else if (*p < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			rc = kith_sbuf_add(sb, e, 6);
		} else {
			rc = kith_sbuf_addc(sb, (char)*p);
		}
	}
	return rc ? rc : kith_sbuf_addc(sb, '"');
}

enum {
	E_KIND = 1,
	E_REF = 2,
	E_BODY = 4,
	E_AT = 8,
	E_DEVICE = 16,
	E_ACTION = 32,
	E_NOTE = 64,
	E_CREATED = 128,
	E_PERSON = 256
};

static void skip_ws(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r'))
		(*i)++;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether none of the 8 bytes at p is '"', '\\' or a control character
 * (byte tricks on one word: each test exact as an "any byte"). */
static int plain8(const char *p)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t x;
	memcpy(&x, p, 8);
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	uint64_t ctl = (x - ones * 0x20) & ~x & highs; /* a byte < 0x20 (bytes >= 0x80 never count) */
	return (((q - ones) & ~q & highs) | ((b - ones) & ~b & highs) | ctl) == 0;
}

/* At a '"': moves past the closing quote; *sp is the content, escapes intact. */
static int scan_string(const char *s, size_t n, size_t *i, struct span *sp)
{
	if (*i >= n || s[*i] != '"')
		return -1;
	size_t start = ++(*i);
	while (*i < n) {
		if (n - *i >= 8 && plain8(s + *i)) {
			*i += 8;
			continue;
		}
		unsigned char c = (unsigned char)s[*i];
		if (c == '"') {
			sp->p = s + start;
			sp->n = *i - start;
			(*i)++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (*i + 1 >= n)
				return -1;
			char e = s[*i + 1];
			if (e == 'u') {
				if (*i + 5 >= n || !is_hex(s[*i + 2]) || !is_hex(s[*i + 3]) ||
				    !is_hex(s[*i + 4]) || !is_hex(s[*i + 5]))
					return -1;
				*i += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == '\0')
				return -1;
			*i += 2;
			continue;
		}
		(*i)++;
	}
	return -1;
}

static int scan_number(const char *s, size_t n, size_t *i)
{
	size_t start = *i;
	while (*i < n && strchr("+-0123456789.eE", s[*i]) && s[*i] != '\0')
		(*i)++;
	return *i > start ? 0 : -1;
}

/* Skips one JSON value, checking its structure (not the numbers' grammar). */
static int scan_value(const char *s, size_t n, size_t *i)
{
	char stack[JSON_DEPTH_MAX];
	size_t depth = 0;
	for (;;) {
		skip_ws(s, n, i);
		if (*i >= n)
			return -1;
		char c = s[*i];
		struct span sp;
		if (c == '{' || c == '[') {
			if (depth == JSON_DEPTH_MAX)
				return -1;
			stack[depth++] = c;
			(*i)++;
			skip_ws(s, n, i);
			if (*i < n && s[*i] == (c == '{' ? '}' : ']')) {
				(*i)++;
				depth--;
				goto after_value;
			}
			if (c == '{') {
				if (scan_string(s, n, i, &sp))
					return -1;
				skip_ws(s, n, i);
				if (*i >= n || s[*i] != ':')
					return -1;
				(*i)++;
			}
			continue;
		}
		if (c == '"') {
			if (scan_string(s, n, i, &sp))
				return -1;
		} else if (c == 't' && n - *i >= 4 && memcmp(s + *i, "true", 4) == 0) {
			*i += 4;
		} else if (c == 'f' && n - *i >= 5 && memcmp(s + *i, "false", 5) == 0) {
			*i += 5;
		} else if (c == 'n' && n - *i >= 4 && memcmp(s + *i, "null", 4) == 0) {
			*i += 4;
		} else if (scan_number(s, n, i)) {
			return -1;
		}
	after_value:
		for (;;) {
			if (depth == 0)
				return 0;
			skip_ws(s, n, i);
			if (*i >= n)
				return -1;
			char top = stack[depth - 1];
			if (s[*i] == ',') {
				(*i)++;
				if (top == '{') {
					skip_ws(s, n, i);
					if (scan_string(s, n, i, &sp))
						return -1;
					skip_ws(s, n, i);
					if (*i >= n || s[*i] != ':')
						return -1;
					(*i)++;
				}
				break;
			}
			if (s[*i] == (top == '{' ? '}' : ']')) {
				(*i)++;
				depth--;
				continue;
			}
			return -1;
		}
	}
}

static int scan_int(const char *s, size_t n, size_t *i, int64_t *out)
{
	int neg = 0;
	if (*i < n && s[*i] == '-') {
		neg = 1;
		(*i)++;
	}
	size_t start = *i;
	uint64_t v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		if (*i - start >= 18)
			return -1;
		v = v * 10 + (uint64_t)(s[*i] - '0');
		(*i)++;
	}
	if (*i == start)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* Parses the envelope {"kind","ref","body","at","device","action","note",
 * "created"} in any key order; unknown keys are skipped (a later format may
 * add some). */
/* The body at s[*i] checked as a record of the envelope's kind in the same
 * pass (kith_record_text_ok_prefix), when the kind came first, as kith
 * writes it: 1 and *i past the body when surely valid, else 0 (nothing moved). */
static int body_sure(const char *s, size_t n, size_t *i, const struct env *e)
{
	char kind[32];
	if (!(e->have & E_KIND) || e->kind.n >= sizeof kind || memchr(e->kind.p, '\\', e->kind.n))
		return 0;
	memcpy(kind, e->kind.p, e->kind.n);
	kind[e->kind.n] = '\0';
	size_t len = kith_record_text_ok_prefix(kind, s + *i, n - *i);
	*i += len;
	return len > 0;
}

int vault_env_parse(const char *s, size_t n, struct env *e, int *sure)
{
	memset(e, 0, sizeof *e);
	if (sure)
		*sure = 0;
	size_t i = 0;
	skip_ws(s, n, &i);
	if (i >= n || s[i] != '{')
		return -1;
	i++;
	skip_ws(s, n, &i);
	if (i < n && s[i] == '}')
		return -1;
	for (;;) {
		struct span key;
		skip_ws(s, n, &i);
		if (scan_string(s, n, &i, &key))
			return -1;
		skip_ws(s, n, &i);
		if (i >= n || s[i] != ':')
			return -1;
		i++;
		skip_ws(s, n, &i);
		static const struct {
			const char *name;
			unsigned bit;
		} keys[] = {{"kind", E_KIND}, {"ref", E_REF},	      {"body", E_BODY},
			    {"at", E_AT},     {"device", E_DEVICE},   {"action", E_ACTION},
			    {"note", E_NOTE}, {"created", E_CREATED}, {"person", E_PERSON}};
		unsigned bit = 0;
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (key.n == strlen(keys[k].name) && memcmp(key.p, keys[k].name, key.n) == 0)
				bit = keys[k].bit;
		if (bit & e->have)
			return -1; /* duplicate key */
		e->have |= bit;
		struct span *str = bit == E_KIND     ? &e->kind
				   : bit == E_REF    ? &e->ref
				   : bit == E_DEVICE ? &e->device
				   : bit == E_ACTION ? &e->action
				   : bit == E_NOTE   ? &e->note
				   : bit == E_PERSON ? &e->person
						     : NULL;
		if (str) {
			if (scan_string(s, n, &i, str))
				return -1;
		} else if (bit == E_AT || bit == E_CREATED) {
			if (scan_int(s, n, &i, bit == E_AT ? &e->at : &e->created))
				return -1;
		} else if (bit == E_BODY) {
			if (i >= n || s[i] != '{')
				return -1;
			size_t start = i;
			if (sure && body_sure(s, n, &i, e))
				*sure = 1;
			else if (scan_value(s, n, &i))
				return -1;
			e->body.p = s + start;
			e->body.n = i - start;
		} else if (scan_value(s, n, &i)) {
			return -1;
		}
		skip_ws(s, n, &i);
		if (i < n && s[i] == ',') {
			i++;
			continue;
		}
		if (i < n && s[i] == '}') {
			i++;
			break;
		}
		return -1;
	}
	skip_ws(s, n, &i);
	if (i != n)
		return -1;
	unsigned need = E_KIND | E_BODY | E_AT | E_DEVICE | E_ACTION;
	if ((e->have & need) != need)
		return -1;
	if (!(e->have & E_CREATED))
		e->created = e->at;
	return 0;
}

static unsigned hexval(char c)
{
	return c <= '9'	  ? (unsigned)(c - '0')
	       : c <= 'F' ? (unsigned)(c - 'A' + 10)
			  : (unsigned)(c - 'a' + 10);
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes a scanned JSON string into out (room for sp.n + 1 bytes: decoding
 * never grows) and NUL-terminates it. -1 on a NUL, a lone surrogate or bad
 * UTF-8; else the length. */
static long decode_string(struct span sp, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < sp.n;) {
		char c = sp.p[i];
		if (c != '\\') {
			out[o++] = c;
			i++;
			continue;
		}
		char e = sp.p[i + 1];
		if (e != 'u') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			out[o++] = to[strchr(from, e) - from];
			i += 2;
			continue;
		}
		uint32_t cp = hexval(sp.p[i + 2]) << 12 | hexval(sp.p[i + 3]) << 8 |
			      hexval(sp.p[i + 4]) << 4 | hexval(sp.p[i + 5]);
		i += 6;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (i + 6 > sp.n || sp.p[i] != '\\' || sp.p[i + 1] != 'u')
				return -1;
			uint32_t lo = hexval(sp.p[i + 2]) << 12 | hexval(sp.p[i + 3]) << 8 |
				      hexval(sp.p[i + 4]) << 4 | hexval(sp.p[i + 5]);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return -1;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 6;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			return -1;
		}
		if (cp == 0)
			return -1;
		o += put_utf8(out + o, cp);
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) || kith_utf8_check(out, o) != o)
		return -1;
	return (long)o;
}

int vault_kind_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= KIND_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/*
 * Builds a record's string block from a parsed envelope: id, device, kind,
 * ref, action, note, body, each NUL-terminated; fills the view's pointers.
 * -1 when a field is malformed (the envelope is then "bad envelope").
 */
int vault_mem_build(const struct env *e, const uint8_t id[ID_BYTES], const uint8_t *device_pk,
		    uint32_t version, char **out, size_t *out_len, struct kith_record_view *view)
{
	size_t need = KITH_VAULT_ID_HEX + KITH_VAULT_DEVICE_HEX + e->kind.n + 1 + e->ref.n + 1 + e->action.n +
		      1 + e->note.n + 1 + e->body.n + 1 + e->person.n + 1;
	char *m = malloc(need);
	if (!m)
		return KITH_E_NOMEM;
	char *p = m;
	view->id = p;
	sodium_bin2hex(p, KITH_VAULT_ID_HEX, id, ID_BYTES);
	p += KITH_VAULT_ID_HEX;
	view->device = p;
	sodium_bin2hex(p, KITH_VAULT_DEVICE_HEX, device_pk, 8);
	p += KITH_VAULT_DEVICE_HEX;
	long l;
	const struct span empty = {"", 0};
	struct span parts[5] = {e->kind, (e->have & E_REF) ? e->ref : empty, e->action,
				(e->have & E_NOTE) ? e->note : empty,
				(e->have & E_PERSON) ? e->person : empty};
	const char **dst[5] = {&view->kind, &view->ref, &view->action, &view->note, &view->person};
	for (int k = 0; k < 5; k++) {
		*dst[k] = p;
		if ((l = decode_string(parts[k], p)) < 0)
			goto bad;
		p += l + 1;
	}
	if (!vault_kind_name_ok(view->kind) || strlen(view->ref) >= KITH_VAULT_REF_MAX ||
	    (view->ref[0] && !kith_record_ref_valid(view->ref)) || view->action[0] == '\0' ||
	    strlen(view->action) > ACTION_MAX || strlen(view->note) > NOTE_MAX ||
	    (view->person[0] &&
	     (strlen(view->person) != 32 || strspn(view->person, "0123456789abcdef") != 32)))
		goto bad;
	view->body = p;
	memcpy(p, e->body.p, e->body.n);
	p[e->body.n] = '\0';
	view->body_len = e->body.n;
	p += e->body.n + 1;
	view->at = e->at;
	view->version = version;
	view->index = 0;
	*out = m;
	*out_len = need;
	return KITH_OK;
bad:
	kith_wipe_free(m, need);
	return KITH_E_CORRUPT;
}

int vault_text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n <= max && kith_utf8_check(s, n) == n;
}

/* The envelope of a version: kind, ref, body, at, device, action, note, and
 * the creation time of the record. */
/* A quoted string's content (escapes intact): the bytes json_str wrote
 * after `at`, less the quotes. Offsets: the buffer may move as it grows. */
struct env_mark {
	size_t off, n;
};

static int mark_str(struct kith_sbuf *sb, const char *s, struct env_mark *m)
{
	size_t at = sb->len;
	int rc = json_str(sb, s);
	m->off = at + 1;
	m->n = rc ? 0 : sb->len - at - 2;
	return rc;
}

static struct span mark_span(const struct kith_sbuf *sb, struct env_mark m)
{
	return (struct span){sb->buf + m.off, m.n};
}

int vault_env_write(struct kith_sbuf *sb, const char *kind, const char *ref, const struct kith_sbuf *body,
		    int64_t at, const char *device, const char *action, const char *note, int64_t created,
		    const char *person, struct env *e)
{
	struct env_mark mk = {0}, mr = {0}, mb = {0}, md = {0}, ma = {0}, mn = {0}, mp = {0};
	int has_person = person && *person; /* people.c: absent for the main slot, as before people */
	int rc = kith_sbuf_adds(sb, "{\"kind\":");
	if (!rc)
		rc = mark_str(sb, kind, &mk);
	if (!rc)
		rc = kith_sbuf_adds(sb, ",\"ref\":");
	if (!rc)
		rc = mark_str(sb, ref, &mr);
	if (!rc)
		rc = kith_sbuf_adds(sb, ",\"body\":");
	mb = (struct env_mark){sb->len, body->len};
	if (!rc)
		rc = kith_sbuf_add(sb, body->buf, body->len);
	if (!rc)
		rc = kith_sbuf_addf(sb, ",\"at\":%lld,\"device\":", (long long)at);
	if (!rc)
		rc = mark_str(sb, device, &md);
	if (!rc)
		rc = kith_sbuf_adds(sb, ",\"action\":");
	if (!rc)
		rc = mark_str(sb, action, &ma);
	if (!rc)
		rc = kith_sbuf_adds(sb, ",\"note\":");
	if (!rc)
		rc = mark_str(sb, note, &mn);
	if (!rc && has_person) {
		rc = kith_sbuf_adds(sb, ",\"person\":");
		if (!rc)
			rc = mark_str(sb, person, &mp);
	}
	if (!rc)
		rc = kith_sbuf_addf(sb, ",\"created\":%lld}", (long long)created);
	if (!rc && e) { /* what vault_env_parse would find in these bytes */
		memset(e, 0, sizeof *e);
		e->kind = mark_span(sb, mk);
		e->ref = mark_span(sb, mr);
		e->body = mark_span(sb, mb);
		e->device = mark_span(sb, md);
		e->action = mark_span(sb, ma);
		e->note = mark_span(sb, mn);
		if (has_person)
			e->person = mark_span(sb, mp);
		e->at = at;
		e->created = created;
		e->have = E_KIND | E_REF | E_BODY | E_AT | E_DEVICE | E_ACTION | E_NOTE | E_CREATED |
			  (has_person ? E_PERSON : 0u);
	}
	return rc;
}
