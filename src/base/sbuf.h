/*
 * sbuf — a growable byte buffer for plaintext that never leaves copies behind.
 *
 * Invariants (as git's strbuf): `buf` is NULL only while cap == 0; otherwise
 * buf[len] == '\0' and len < cap, so buf is always a C string as well as bytes.
 * Growing allocates a new block, copies, and wipes the old one before freeing it
 * (realloc would leave plaintext in freed memory). reset and release wipe.
 *
 * Ownership: a struct kith_sbuf owns its buf; release it with kith_sbuf_release,
 * or take buf with kith_sbuf_detach and free it with kith_wipe_free.
 */
#ifndef KITH_CORE_SBUF_H
#define KITH_CORE_SBUF_H

#include <stddef.h>

#include "base/status.h"

struct kith_sbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define KITH_SBUF_INIT                                                                                       \
	{                                                                                                    \
		0, 0, 0                                                                                      \
	}

/* Makes room for `extra` more bytes plus the terminator. KITH_OK or KITH_E_NOMEM
 * (also when the size would overflow); on failure the buffer is unchanged. */
int kith_sbuf_grow(struct kith_sbuf *sb, size_t extra) KITH_WUR;
int kith_sbuf_add(struct kith_sbuf *sb, const void *data, size_t len) KITH_WUR;
int kith_sbuf_adds(struct kith_sbuf *sb, const char *s) KITH_WUR;
int kith_sbuf_addc(struct kith_sbuf *sb, char c) KITH_WUR;
int kith_sbuf_addf(struct kith_sbuf *sb, const char *fmt, ...) KITH_WUR KITH_PRINTF(2, 3);

/* Appends the NUL-terminated s as HTML/XML/SVG text: & < > " ' become
 * entities, and control characters (below 0x20) a space, so the result is
 * valid in element content and in quoted attributes alike. KITH_OK or
 * KITH_E_NOMEM (then the buffer may hold part of s). */
int kith_sbuf_add_html(struct kith_sbuf *sb, const char *s) KITH_WUR;

/* Wipes the content and sets len to 0; keeps the allocation. */
void kith_sbuf_reset(struct kith_sbuf *sb);

/* Wipes and frees; sb is left as KITH_SBUF_INIT. */
void kith_sbuf_release(struct kith_sbuf *sb);

/* Hands buf to the caller (free it with kith_wipe_free(p, len)); sb is left
 * empty. Returns a valid empty string (allocated) when sb was empty, or NULL on
 * out-of-memory. */
char *kith_sbuf_detach(struct kith_sbuf *sb, size_t *len);

/* Wipes n bytes at p and frees p. NULL is allowed. */
void kith_wipe_free(void *p, size_t n);

/* Wipes and frees a NUL-terminated string. NULL is allowed. */
void kith_wipe_free_str(char *s);

#endif
