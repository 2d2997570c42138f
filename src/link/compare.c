/*
 * compare — string folding, Jaro–Winkler and date levels for record linkage.
 *
 * Jaro–Winkler follows Winkler (1990): matching characters within a window of
 * max(len)/2 - 1, half the out-of-order matches as transpositions, and the
 * common-prefix boost (scale 0.1, at most 4 characters) only above a Jaro
 * similarity of 0.7. Non-ASCII strings are decoded to code points in stack
 * arrays that are wiped before returning (they may hold a name).
 */
#include "link/compare.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/csv.h"

static int is_apostrophe(int32_t c)
{
	return c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x02BC || c == 0x02BB ||
	       c == 0x02B9;
}

static int keep_char(int32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	utf8proc_category_t cat = utf8proc_category(c);
	switch (cat) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

/* ASCII text folds without utf8proc: lower case, apostrophes dropped, every
 * other run of non-alphanumerics one space. Same result as the general path. */
static int fold_ascii(const char *s, size_t len, struct kith_sbuf *out)
{
	size_t old = out->len;
	if (kith_sbuf_grow(out, len))
		return KITH_E_NOMEM;
	int pending = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\'' || c == '`')
			continue;
		int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!alnum) {
			pending = out->len > old;
			continue;
		}
		if (pending)
			out->buf[out->len++] = ' ';
		pending = 0;
		out->buf[out->len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out->buf[out->len] = '\0';
	return KITH_OK;
}

int kith_compare_fold(const char *s, size_t len, struct kith_sbuf *out, struct kith_err *err)
{
	int ascii = 1;
	for (size_t i = 0; i < len && ascii; i++)
		ascii = (unsigned char)s[i] < 0x80;
	if (ascii)
		return fold_ascii(s, len, out) ? kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory")
					       : KITH_OK;
	if (kith_utf8_check(s, len) != len)
		return kith_err_set(err, KITH_E_INVALID, NULL, "invalid UTF-8");
	if (len == 0)
		return kith_sbuf_grow(out, 0) ? kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory")
					      : KITH_OK;
	utf8proc_uint8_t *m = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &m,
					  UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
					      UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
	if (n < 0) {
		free(m);
		return kith_err_set(err, n == UTF8PROC_ERROR_NOMEM ? KITH_E_NOMEM : KITH_E_INVALID, NULL,
				    n == UTF8PROC_ERROR_NOMEM ? "out of memory" : "invalid UTF-8");
	}
	size_t old = out->len;
	int rc = kith_sbuf_grow(out, (size_t)n);
	int pending_space = 0;
	for (utf8proc_ssize_t i = 0; rc == KITH_OK && i < n;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(m + i, n - i, &c);
		if (k <= 0) {
			rc = KITH_E_INVALID;
			break;
		}
		if (is_apostrophe(c)) {
			i += k;
			continue;
		}
		if (!keep_char(c)) {
			pending_space = out->len > old;
			i += k;
			continue;
		}
		if (pending_space)
			rc = kith_sbuf_addc(out, ' ');
		pending_space = 0;
		if (rc == KITH_OK)
			rc = kith_sbuf_add(out, m + i, (size_t)k);
		i += k;
	}
	sodium_memzero(m, (size_t)n);
	free(m);
	if (rc) {
		if (out->len > old)
			sodium_memzero(out->buf + old, out->len - old);
		out->len = old;
		if (out->buf)
			out->buf[old] = '\0';
		return kith_err_set(err, rc, NULL, rc == KITH_E_NOMEM ? "out of memory" : "invalid UTF-8");
	}
	return KITH_OK;
}

/* Jaro–Winkler over two arrays of characters (bytes or code points). */
#define JW_CORE(NAME, T)                                                                                     \
	static double NAME(const T *a, size_t la, const T *b, size_t lb)                                     \
	{                                                                                                    \
		if (la == 0 && lb == 0)                                                                      \
			return 1.0;                                                                          \
		if (la == 0 || lb == 0)                                                                      \
			return 0.0;                                                                          \
		size_t maxl = la > lb ? la : lb;                                                             \
		size_t range = maxl / 2 > 0 ? maxl / 2 - 1 : 0;                                              \
		unsigned char fa[KITH_COMPARE_MAX_CHARS], fb[KITH_COMPARE_MAX_CHARS];                        \
		memset(fa, 0, la);                                                                           \
		memset(fb, 0, lb);                                                                           \
		size_t m = 0;                                                                                \
		for (size_t i = 0; i < la; i++) {                                                            \
			size_t lo = i > range ? i - range : 0;                                               \
			size_t hi = i + range + 1 < lb ? i + range + 1 : lb;                                 \
			for (size_t j = lo; j < hi; j++) {                                                   \
				if (!fb[j] && a[i] == b[j]) {                                                \
					fa[i] = fb[j] = 1;                                                   \
					m++;                                                                 \
					break;                                                               \
				}                                                                            \
			}                                                                                    \
		}                                                                                            \
		if (m == 0)                                                                                  \
			return 0.0;                                                                          \
		size_t t = 0, k = 0;                                                                         \
		for (size_t i = 0; i < la; i++) {                                                            \
			if (!fa[i])                                                                          \
				continue;                                                                    \
			while (!fb[k])                                                                       \
				k++;                                                                         \
			if (a[i] != b[k])                                                                    \
				t++;                                                                         \
			k++;                                                                                 \
		}                                                                                            \
		double md = (double)m;                                                                       \
		double jaro = (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;       \
		if (jaro <= 0.7)                                                                             \
			return jaro;                                                                         \
		size_t p = 0;                                                                                \
		while (p < 4 && p < la && p < lb && a[p] == b[p])                                            \
			p++;                                                                                 \
		return jaro + (double)p * 0.1 * (1.0 - jaro);                                                \
	}

JW_CORE(jw_bytes, unsigned char)
JW_CORE(jw_core, uint32_t)

/* The same for byte strings of at most 64 characters, with bit masks for the
 * flags (the common case: names, places, dates). */
static double jw_short(const unsigned char *a, size_t la, const unsigned char *b, size_t lb)
{
	if (la == 0 && lb == 0)
		return 1.0;
	if (la == 0 || lb == 0)
		return 0.0;
	size_t maxl = la > lb ? la : lb;
	size_t range = maxl / 2 > 0 ? maxl / 2 - 1 : 0;
	uint64_t fa = 0, fb = 0;
	unsigned m = 0;
	for (size_t i = 0; i < la; i++) {
		size_t lo = i > range ? i - range : 0;
		size_t hi = i + range + 1 < lb ? i + range + 1 : lb;
		unsigned char c = a[i];
		for (size_t j = lo; j < hi; j++) {
			if (b[j] == c && !(fb >> j & 1)) {
				fa |= 1ULL << i;
				fb |= 1ULL << j;
				m++;
				break;
			}
		}
	}
	if (m == 0)
		return 0.0;
	unsigned t = 0;
	uint64_t xa = fa, xb = fb;
	while (xa) {
		int i = __builtin_ctzll(xa), j = __builtin_ctzll(xb);
		t += a[i] != b[j];
		xa &= xa - 1;
		xb &= xb - 1;
	}
	double md = (double)m;
	double jaro = (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;
	if (jaro <= 0.7)
		return jaro;
	size_t p = 0;
	while (p < 4 && p < la && p < lb && a[p] == b[p])
		p++;
	return jaro + (double)p * 0.1 * (1.0 - jaro);
}

static int is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static size_t decode(const char *s, size_t len, uint32_t *out)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len && n < KITH_COMPARE_MAX_CHARS) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
		if (k <= 0) { /* invalid: take the byte as it is */
			c = p[i];
			k = 1;
		}
		out[n++] = (uint32_t)c;
		i += (size_t)k;
	}
	return n;
}

double kith_compare_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen <= 64 && blen <= 64 && is_ascii(a, alen) && is_ascii(b, blen)) /* no copy: nothing to wipe */
		return jw_short((const unsigned char *)a, alen, (const unsigned char *)b, blen);
	if (is_ascii(a, alen) && is_ascii(b, blen))
		return jw_bytes(
		    (const unsigned char *)a, alen < KITH_COMPARE_MAX_CHARS ? alen : KITH_COMPARE_MAX_CHARS,
		    (const unsigned char *)b, blen < KITH_COMPARE_MAX_CHARS ? blen : KITH_COMPARE_MAX_CHARS);
	uint32_t ca[KITH_COMPARE_MAX_CHARS], cb[KITH_COMPARE_MAX_CHARS];
	size_t na = decode(a, alen, ca), nb = decode(b, blen, cb);
	double r = jw_core(ca, na, cb, nb);
	sodium_memzero(ca, na * sizeof ca[0]);
	sodium_memzero(cb, nb * sizeof cb[0]);
	return r;
}

static int days_in_month(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int digits(const char *s, size_t n, int *v)
{
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

int kith_compare_date_parse(const char *s, size_t len, struct kith_compare_date *out)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	int y = 0, m = 0, d = 0;
	if (len == 4) {
		if (digits(s, 4, &y))
			return KITH_E_INVALID;
	} else if (len == 8) {
		if (digits(s, 4, &y) || digits(s + 4, 2, &m) || digits(s + 6, 2, &d))
			return KITH_E_INVALID;
	} else if (len == 7 || len == 10) {
		char sep = s[4];
		if ((sep != '-' && sep != '/' && sep != '.') || digits(s, 4, &y) || digits(s + 5, 2, &m))
			return KITH_E_INVALID;
		if (len == 10 && (s[7] != sep || digits(s + 8, 2, &d)))
			return KITH_E_INVALID;
	} else {
		return KITH_E_INVALID;
	}
	if (y < 1800 || y > 2100)
		return KITH_E_INVALID;
	if (len >= 7 && (m < 1 || m > 12))
		return KITH_E_INVALID;
	if ((len == 8 || len == 10) && (d < 1 || d > days_in_month(y, m)))
		return KITH_E_INVALID;
	out->year = (int16_t)y;
	out->month = (uint8_t)m;
	out->day = (uint8_t)d;
	return KITH_OK;
}

static void date_digits(const struct kith_compare_date *d, char out[8])
{
	int v[3] = {d->year, d->month, d->day};
	int w[3] = {4, 2, 2};
	int pos = 0;
	for (int f = 0; f < 3; f++) {
		int x = v[f];
		for (int i = w[f] - 1; i >= 0; i--) {
			out[pos + i] = (char)('0' + x % 10);
			x /= 10;
		}
		pos += w[f];
	}
}

static int is_typo(const struct kith_compare_date *a, const struct kith_compare_date *b)
{
	if (a->year == b->year && a->month == b->day && a->day == b->month)
		return 1;
	char x[8], y[8];
	date_digits(a, x);
	date_digits(b, y);
	int diff[8], nd = 0;
	for (int i = 0; i < 8; i++) {
		if (x[i] != y[i]) {
			if (nd == 2)
				return 0;
			diff[nd++] = i;
		}
	}
	if (nd == 1)
		return 1;
	return nd == 2 && diff[1] == diff[0] + 1 && x[diff[0]] == y[diff[1]] && x[diff[1]] == y[diff[0]];
}

enum kith_compare_date_level kith_compare_date_level(const struct kith_compare_date *a,
						     const struct kith_compare_date *b)
{
	int full = a->day && b->day;
	if (full && a->year == b->year && a->month == b->month && a->day == b->day)
		return KITH_COMPARE_DATE_EXACT;
	if (full && is_typo(a, b))
		return KITH_COMPARE_DATE_TYPO;
	if (a->year == b->year)
		return KITH_COMPARE_DATE_YEAR;
	int dy = a->year - b->year;
	if (dy == 1 || dy == -1)
		return KITH_COMPARE_DATE_NEAR;
	return KITH_COMPARE_DATE_OTHER;
}

uint64_t kith_compare_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

uint64_t kith_compare_hash_mix(uint64_t h, uint64_t v)
{
	/* splitmix64 finalizer over the combination */
	uint64_t z = h ^ (v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return z ? z : 1;
}
