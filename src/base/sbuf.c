/*
 * sbuf — growable plaintext buffer that wipes what it leaves behind.
 */
#include "base/sbuf.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kith_wipe_free(void *p, size_t n)
{
	if (!p)
		return;
	sodium_memzero(p, n);
	free(p);
}

void kith_wipe_free_str(char *s)
{
	if (s)
		kith_wipe_free(s, strlen(s));
}

int kith_sbuf_grow(struct kith_sbuf *sb, size_t extra)
{
	if (extra > SIZE_MAX / 2 - sb->len - 1)
		return KITH_E_NOMEM;
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return KITH_OK;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap / 2 * 3 + 16;
	char *nbuf = malloc(cap);
	if (!nbuf)
		return KITH_E_NOMEM;
	if (sb->buf) {
		memcpy(nbuf, sb->buf, sb->len);
		kith_wipe_free(sb->buf, sb->cap);
	}
	nbuf[sb->len] = '\0';
	sb->buf = nbuf;
	sb->cap = cap;
	return KITH_OK;
}

int kith_sbuf_add(struct kith_sbuf *sb, const void *data, size_t len)
{
	int rc = kith_sbuf_grow(sb, len);
	if (rc)
		return rc;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return KITH_OK;
}

int kith_sbuf_adds(struct kith_sbuf *sb, const char *s)
{
	return kith_sbuf_add(sb, s, strlen(s));
}

int kith_sbuf_addc(struct kith_sbuf *sb, char c)
{
	return kith_sbuf_add(sb, &c, 1);
}

int kith_sbuf_addf(struct kith_sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return KITH_E_INVALID;
	int rc = kith_sbuf_grow(sb, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return KITH_OK;
}

int kith_sbuf_add_html(struct kith_sbuf *sb, const char *s)
{
	int rc = KITH_OK;
	for (; *s && !rc; s++) {
		switch (*s) {
		case '&':
			rc = kith_sbuf_adds(sb, "&amp;");
			break;
		case '<':
			rc = kith_sbuf_adds(sb, "&lt;");
			break;
		case '>':
			rc = kith_sbuf_adds(sb, "&gt;");
			break;
		case '"':
			rc = kith_sbuf_adds(sb, "&quot;");
			break;
		case '\'':
			rc = kith_sbuf_adds(sb, "&#39;");
			break;
		default:
			rc = kith_sbuf_addc(sb, (unsigned char)*s < 0x20 ? ' ' : *s);
		}
	}
	return rc;
}

void kith_sbuf_reset(struct kith_sbuf *sb)
{
	if (sb->buf) {
		sodium_memzero(sb->buf, sb->cap);
	}
	sb->len = 0;
}

void kith_sbuf_release(struct kith_sbuf *sb)
{
	kith_wipe_free(sb->buf, sb->cap);
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

char *kith_sbuf_detach(struct kith_sbuf *sb, size_t *len)
{
	if (!sb->buf && kith_sbuf_grow(sb, 0))
		return NULL;
	char *p = sb->buf;
	if (len)
		*len = sb->len;
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
	return p;
}
