/*
 * kpe — the encoding file: writing, signing, parsing and verifying (kpe.h).
 */
#include "pprl/kpe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/io.h"

static const uint8_t MAGIC[8] = {'K', 'I', 'T', 'H', 'P', 'P', 'R', 'L'};
static const uint8_t SIGCTX[] = "kith pprl v1";

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}
static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int kith_kpe_check_org(const char *org, struct kith_err *err)
{
	size_t len = strnlen(org, KITH_KPE_NAME_MAX + 1);
	if (len == 0 || len > KITH_KPE_NAME_MAX)
		return kith_err_set(err, KITH_E_INVALID, "org", "an organization name has 1 to %u bytes",
				    KITH_KPE_NAME_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)org[i];
		if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || c == '.' || c == '-')
			continue;
		return kith_err_set(
		    err, KITH_E_INVALID, "org",
		    "an organization name has letters, digits, '_', '.' or '-' only (byte %zu)", i + 1);
	}
	if (!strcmp(org, "count"))
		return kith_err_set(err, KITH_E_INVALID, "org", "'count' is not an organization name");
	/* non-ASCII must be UTF-8 */
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)org[i];
		size_t n = c < 0x80		? 1
			   : (c & 0xE0) == 0xC0 ? 2
			   : (c & 0xF0) == 0xE0 ? 3
			   : (c & 0xF8) == 0xF0 ? 4
						: 0;
		if (!n || i + n > len || (c >= 0x80 && c < 0xC2))
			return kith_err_set(err, KITH_E_INVALID, "org", "an organization name is not UTF-8");
		for (size_t j = 1; j < n; j++)
			if (((unsigned char)org[i + j] & 0xC0) != 0x80)
				return kith_err_set(err, KITH_E_INVALID, "org",
						    "an organization name is not UTF-8");
		i += n;
	}
	return KITH_OK;
}

static void digest(const uint8_t *data, size_t len, uint8_t msg[sizeof SIGCTX - 1 + 32])
{
	memcpy(msg, SIGCTX, sizeof SIGCTX - 1);
	crypto_generichash(msg + sizeof SIGCTX - 1, 32, data, len, NULL, 0);
}

int kith_kpe_write(const struct kith_kpe *e, const uint8_t *sign_sk, struct kith_sbuf *out,
		   struct kith_err *err)
{
	int rc = kith_kpe_check_org(e->org, err);
	if (rc)
		return rc;
	if (e->n > KITH_KPE_MAX_RECORDS)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "more than %u records", KITH_KPE_MAX_RECORDS);
	size_t body = (size_t)KITH_KPE_HEADER + e->n * 128u;
	if (kith_sbuf_grow(out, body + KITH_KPE_SIG))
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	size_t start = out->len;
	uint8_t *h = (uint8_t *)out->buf + start;
	memset(h, 0, KITH_KPE_HEADER);
	memcpy(h, MAGIC, 8);
	put32(h + 8, KITH_KPE_SCHEMA);
	put32(h + 12, KITH_KPE_HEADER);
	put16(h + 16, KITH_PPRL_BITS);
	put16(h + 18, e->flags & 7u);
	put32(h + 20, (uint32_t)lround(e->flip * 1e6));
	memcpy(h + 24, e->key_id, KITH_PPRL_KEYID_BYTES);
	memcpy(h + 40, e->signer, 32);
	memcpy(h + 72, e->org, strlen(e->org));
	put64(h + 136, e->n);
	uint8_t *f = h + KITH_KPE_HEADER;
	for (size_t i = 0; i < e->n * KITH_PPRL_WORDS; i++)
		put64(f + 8 * i, e->filters[i]);
	uint8_t msg[sizeof SIGCTX - 1 + 32];
	digest(h, body, msg);
	if (crypto_sign_detached(h + body, NULL, msg, sizeof msg, sign_sk) != 0)
		return kith_err_set(err, KITH_E_CRYPTO, NULL, "cannot sign");
	out->len = start + body + KITH_KPE_SIG;
	out->buf[out->len] = '\0';
	return KITH_OK;
}

int kith_kpe_parse(struct kith_kpe *out, const uint8_t *d, size_t len, const char *name, struct kith_err *err)
{
	struct kith_kpe e;
	memset(&e, 0, sizeof e);
	if (len < 8 || memcmp(d, MAGIC, 8) != 0)
		return kith_err_set(err, KITH_E_INVALID, name, "not a kith encoding file");
	if (len < 16)
		return kith_err_set(err, KITH_E_INVALID, name, "truncated header");
	uint32_t schema = get32(d + 8);
	if (schema != KITH_KPE_SCHEMA)
		return kith_err_set(
		    err, KITH_E_INVALID, name,
		    "schema version %u; this kith reads version %u (encode again with one version)",
		    (unsigned)schema, KITH_KPE_SCHEMA);
	if (get32(d + 12) != KITH_KPE_HEADER || len < (size_t)KITH_KPE_HEADER + KITH_KPE_SIG)
		return kith_err_set(err, KITH_E_INVALID, name, "bad header size");
	if (get16(d + 16) != KITH_PPRL_BITS)
		return kith_err_set(err, KITH_E_INVALID, name, "filters of %u bits; this kith reads %u",
				    get16(d + 16), KITH_PPRL_BITS);
	unsigned flags = get16(d + 18);
	if (flags & ~7u)
		return kith_err_set(err, KITH_E_INVALID, name, "unknown flags 0x%x", flags);
	uint32_t ppm = get32(d + 20);
	if (ppm > (uint32_t)(KITH_PPRL_FLIP_MAX * 1e6))
		return kith_err_set(err, KITH_E_INVALID, name, "flip probability out of range");
	for (size_t i = 144; i < KITH_KPE_HEADER; i++)
		if (d[i])
			return kith_err_set(err, KITH_E_INVALID, name, "nonzero reserved byte %zu", i);
	char org[KITH_KPE_NAME_MAX + 1];
	memcpy(org, d + 72, 64);
	org[KITH_KPE_NAME_MAX] = '\0';
	size_t ol = strnlen((const char *)d + 72, 64);
	if (ol > KITH_KPE_NAME_MAX)
		return kith_err_set(err, KITH_E_INVALID, name, "organization name not terminated");
	for (size_t i = ol; i < 64; i++)
		if (d[72 + i])
			return kith_err_set(err, KITH_E_INVALID, name, "bytes after the organization name");
	struct kith_err e2;
	kith_err_clear(&e2);
	if (kith_kpe_check_org(org, &e2))
		return kith_err_set(err, KITH_E_INVALID, name, "%s", e2.msg);
	uint64_t n = get64(d + 136);
	if (n > KITH_KPE_MAX_RECORDS)
		return kith_err_set(err, KITH_E_LIMIT, name, "more than %u records", KITH_KPE_MAX_RECORDS);
	size_t body = (size_t)KITH_KPE_HEADER + (size_t)n * 128u;
	if (len != body + KITH_KPE_SIG)
		return kith_err_set(err, KITH_E_INVALID, name,
				    "%zu bytes for %llu records (truncated or padded)", len,
				    (unsigned long long)n);
	uint8_t msg[sizeof SIGCTX - 1 + 32];
	digest(d, body, msg);
	if (crypto_sign_verify_detached(d + body, msg, sizeof msg, d + 40) != 0)
		return kith_err_set(
		    err, KITH_E_CORRUPT, name,
		    "the signature does not verify: the file was changed after it was signed");
	memcpy(e.org, org, sizeof org);
	memcpy(e.key_id, d + 24, KITH_PPRL_KEYID_BYTES);
	memcpy(e.signer, d + 40, 32);
	e.flags = flags;
	e.flip = ppm / 1e6;
	e.n = (size_t)n;
	size_t words = e.n * KITH_PPRL_WORDS;
	e.filters = aligned_alloc(64, words ? words * 8 : 64);
	if (!e.filters)
		return kith_err_set(err, KITH_E_NOMEM, name, "out of memory");
	const uint8_t *f = d + KITH_KPE_HEADER;
	for (size_t i = 0; i < words; i++)
		e.filters[i] = get64(f + 8 * i);
	*out = e;
	return KITH_OK;
}

int kith_kpe_read(struct kith_kpe *out, const char *path, struct kith_err *err)
{
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_io_read_file(path, KITH_KPE_MAX_FILE, &sb, err);
	if (!rc)
		rc = kith_kpe_parse(out, (const uint8_t *)sb.buf, sb.len, path, err);
	kith_sbuf_release(&sb);
	return rc;
}

void kith_kpe_release(struct kith_kpe *e)
{
	if (!e)
		return;
	free(e->filters);
	e->filters = NULL;
	e->n = 0;
}

int kith_kpe_trust_check(const struct kith_kpe *e, const char *data, size_t len, const char *name,
			 struct kith_err *err)
{
	if (len > ((size_t)1 << 20))
		return kith_err_set(err, KITH_E_LIMIT, name, "a trust file over 1 MiB");
	char where[KITH_ERR_WHERE_MAX];
	int found = 0, match = 0;
	size_t line = 0;
	for (size_t p = 0; p < len;) {
		size_t q = p;
		while (q < len && data[q] != '\n')
			q++;
		line++;
		size_t end = q;
		if (end > p && data[end - 1] == '\r')
			end--;
		snprintf(where, sizeof where, "%s:%zu", name, line);
		const char *l = data + p;
		size_t ll = end - p;
		p = q + 1;
		if (ll == 0 || l[0] == '#')
			continue;
		const char *sp = memchr(l, ' ', ll);
		if (!sp)
			return kith_err_set(err, KITH_E_INVALID, where, "expected: ORGANIZATION HEXKEY");
		size_t ol = (size_t)(sp - l);
		char org[KITH_KPE_NAME_MAX + 1];
		if (ol == 0 || ol > KITH_KPE_NAME_MAX)
			return kith_err_set(err, KITH_E_INVALID, where,
					    "an organization name has 1 to %u bytes", KITH_KPE_NAME_MAX);
		memcpy(org, l, ol);
		org[ol] = '\0';
		if (memchr(org, '\0', ol) || kith_kpe_check_org(org, NULL))
			return kith_err_set(err, KITH_E_INVALID, where, "not an organization name");
		uint8_t key[32];
		size_t bin = 0;
		const char *hex = sp + 1;
		size_t hl = ll - ol - 1;
		if (hl != 64 || sodium_hex2bin(key, sizeof key, hex, hl, NULL, &bin, NULL) != 0 || bin != 32)
			return kith_err_set(err, KITH_E_INVALID, where, "a key is 64 hexadecimal digits");
		if (!strcmp(org, e->org)) {
			if (found)
				return kith_err_set(err, KITH_E_INVALID, where,
						    "organization %s listed twice", org);
			found = 1;
			match = sodium_memcmp(key, e->signer, 32) == 0;
		}
	}
	if (!found)
		return kith_err_set(err, KITH_E_AUTH, name, "organization %s is not in the trust file",
				    e->org);
	if (!match)
		return kith_err_set(err, KITH_E_AUTH, name,
				    "the encoding of %s is signed with another key than the trust file lists",
				    e->org);
	return KITH_OK;
}
