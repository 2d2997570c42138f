/*
 * imgstrip — a streaming JPEG / PNG metadata stripper (imgstrip.h). One byte
 * state machine per format; runs of bytes that pass through untouched
 * (segment bodies, scans, chunk data) are copied in spans. Output is staged
 * in a small buffer that is wiped.
 */
#include "record/imgstrip.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define OBUF 8192
#define APPHDR 14 /* bytes of an APPn segment read before it is judged */

enum state {
	/* JPEG */
	J_SOI0,
	J_SOI1,
	J_FF,	   /* a marker's 0xFF is due */
	J_MARK,	   /* the marker byte (0xFF fill allowed) */
	J_LEN0,	   /* the segment length, high byte */
	J_LEN1,	   /* low byte */
	J_APPHDR,  /* the first bytes of an APPn */
	J_BODY,	   /* the rest of a segment */
	J_SCAN,	   /* entropy-coded data */
	J_SCAN_FF, /* a 0xFF inside it */
	/* PNG */
	P_SIG,
	P_HDR, /* length and type */
	P_DATA,
	P_CRC,
	DONE,
	BAD,
};

struct kith_imgstrip {
	enum kith_imgstrip_kind kind;
	enum state st;
	kith_imgstrip_emit_fn emit;
	void *arg;
	uint64_t off; /* input offset of the current feed */
	uint64_t at;  /* of the byte being judged, for messages */
	int trailer;  /* bytes after the end were seen */
	size_t dropped;
	/* JPEG */
	uint8_t marker;
	uint8_t len[2];
	size_t rem;  /* bytes left in the segment / chunk data / CRC */
	int keep;    /* the current segment or chunk is kept */
	int scanned; /* a SOS was seen */
	uint8_t hdr[APPHDR];
	size_t hdr_n, hdr_want;
	/* PNG */
	uint8_t chdr[8];
	size_t chdr_n;
	int seen_ihdr;
	uint8_t obuf[OBUF];
	size_t on;
};

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

enum kith_imgstrip_kind kith_imgstrip_sniff(const uint8_t *p, size_t n, const char **what)
{
	const char *w = NULL;
	enum kith_imgstrip_kind k = KITH_IMGSTRIP_OTHER;
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
		k = KITH_IMGSTRIP_JPEG;
		w = "JPEG";
	} else if (n >= 8 && !memcmp(p, png_sig, 8)) {
		k = KITH_IMGSTRIP_PNG;
		w = "PNG";
	} else if (n >= 4 && (!memcmp(p, "II*\0", 4) || !memcmp(p, "MM\0*", 4))) {
		k = KITH_IMGSTRIP_REFUSED;
		w = "TIFF or camera raw";
	} else if (n >= 4 && !memcmp(p, "GIF8", 4)) {
		k = KITH_IMGSTRIP_REFUSED;
		w = "GIF";
	} else if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4)) {
		k = KITH_IMGSTRIP_REFUSED;
		w = "WebP";
	} else if (n >= 12 && !memcmp(p + 4, "ftyp", 4)) {
		static const char *const brands[] = {"heic", "heix", "hevc", "hevx", "heim",
						     "heis", "mif1", "msf1", "avif", "avis"};
		for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
			if (!memcmp(p + 8, brands[i], 4)) {
				k = KITH_IMGSTRIP_REFUSED;
				w = "HEIC/HEIF or AVIF";
			}
	} else if (n >= 2 && p[0] == 0xFF && p[1] == 0xD8) {
		k = KITH_IMGSTRIP_JPEG; /* a JPEG start whatever follows: the stripper judges it */
		w = "JPEG";
	}
	if (what)
		*what = w;
	return k;
}

int kith_imgstrip_new(struct kith_imgstrip **out, enum kith_imgstrip_kind kind, kith_imgstrip_emit_fn emit,
		      void *arg, struct kith_err *err)
{
	if (kind != KITH_IMGSTRIP_JPEG && kind != KITH_IMGSTRIP_PNG)
		return kith_err_set(err, KITH_E_INVALID, "photo", "not a JPEG or PNG");
	struct kith_imgstrip *s = calloc(1, sizeof *s);
	if (!s)
		return kith_err_set(err, KITH_E_NOMEM, "photo", "out of memory");
	s->kind = kind;
	s->st = kind == KITH_IMGSTRIP_JPEG ? J_SOI0 : P_SIG;
	s->emit = emit;
	s->arg = arg;
	*out = s;
	return KITH_OK;
}

static int flush(struct kith_imgstrip *s)
{
	int rc = KITH_OK;
	if (s->on)
		rc = s->emit(s->arg, s->obuf, s->on);
	sodium_memzero(s->obuf, s->on);
	s->on = 0;
	return rc;
}

static int put(struct kith_imgstrip *s, const uint8_t *p, size_t n)
{
	while (n) {
		if (s->on == OBUF) {
			int rc = flush(s);
			if (rc)
				return rc;
		}
		size_t k = OBUF - s->on < n ? OBUF - s->on : n;
		memcpy(s->obuf + s->on, p, k);
		s->on += k;
		p += k;
		n -= k;
	}
	return KITH_OK;
}

static int bad(struct kith_imgstrip *s, struct kith_err *err, const char *why)
{
	s->st = BAD;
	return kith_err_set(err, KITH_E_INVALID, "photo", "byte %llu: %s: the photo was not stored",
			    (unsigned long long)s->at, why);
}

/* Whether an APPn segment is kept, by its marker and first bytes. */
static int app_kept(uint8_t m, const uint8_t *h, size_t n)
{
	if (m == 0xE0)
		return n >= 5 && !memcmp(h, "JFIF\0", 5);
	if (m == 0xE2)
		return n >= 12 && !memcmp(h, "ICC_PROFILE\0", 12);
	if (m == 0xEE)
		return n >= 5 && !memcmp(h, "Adobe", 5);
	return 0;
}

/* A marker byte m after 0xFF (fill bytes already skipped). */
static int jpeg_marker(struct kith_imgstrip *s, uint8_t m, struct kith_err *err)
{
	if (m == 0xD8)
		return bad(s, err, "a second start of image");
	if (m == 0x00)
		return bad(s, err, "a stuffed byte outside a scan");
	if (m == 0xD9) {
		if (!s->scanned)
			return bad(s, err, "the image ends before any scan");
		s->st = DONE;
		const uint8_t eoi[2] = {0xFF, 0xD9};
		return put(s, eoi, 2);
	}
	if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) { /* standalone: RSTn, TEM */
		s->st = s->scanned ? J_SCAN : J_FF;
		const uint8_t mk[2] = {0xFF, m};
		return put(s, mk, 2);
	}
	s->marker = m;
	s->st = J_LEN0;
	return KITH_OK;
}

static int jpeg_feed(struct kith_imgstrip *s, const uint8_t *p, size_t n, struct kith_err *err)
{
	size_t i = 0;
	int rc = KITH_OK;
	while (i < n && !rc) {
		uint8_t b = p[i];
		s->at = s->off + i;
		switch (s->st) {
		case J_SOI0:
			if (b != 0xFF)
				return bad(s, err, "not a JPEG");
			s->st = J_SOI1;
			i++;
			break;
		case J_SOI1:
			if (b != 0xD8)
				return bad(s, err, "not a JPEG");
			{
				const uint8_t soi[2] = {0xFF, 0xD8};
				rc = put(s, soi, 2);
			}
			s->st = J_FF;
			i++;
			break;
		case J_FF:
			if (b != 0xFF)
				return bad(s, err, "a marker was expected");
			s->st = J_MARK;
			i++;
			break;
		case J_MARK:
			i++;
			if (b != 0xFF) /* 0xFF: fill */
				rc = jpeg_marker(s, b, err);
			break;
		case J_LEN0:
			s->len[0] = b;
			s->st = J_LEN1;
			i++;
			break;
		case J_LEN1: {
			s->len[1] = b;
			i++;
			size_t len = (size_t)s->len[0] << 8 | s->len[1];
			if (len < 2)
				return bad(s, err, "a segment shorter than its length field");
			s->rem = len - 2;
			uint8_t m = s->marker;
			if (m >= 0xE0 && m <= 0xEF) {
				s->hdr_n = 0;
				s->hdr_want = s->rem < APPHDR ? s->rem : APPHDR;
				s->st = J_APPHDR;
				if (s->hdr_want)
					break;
				/* an empty APPn: judged at once */
			} else {
				s->keep = m != 0xFE; /* COM dropped */
				if (!s->keep)
					s->dropped++;
				else {
					const uint8_t h[4] = {0xFF, m, s->len[0], s->len[1]};
					rc = put(s, h, 4);
				}
				s->st = J_BODY;
				break;
			}
		}
		/* fall through */
		case J_APPHDR:
			if (s->st == J_APPHDR && s->hdr_n < s->hdr_want) {
				size_t k = s->hdr_want - s->hdr_n;
				if (k > n - i)
					k = n - i;
				memcpy(s->hdr + s->hdr_n, p + i, k);
				s->hdr_n += k;
				i += k;
			}
			if (s->hdr_n == s->hdr_want) {
				s->keep = app_kept(s->marker, s->hdr, s->hdr_n);
				if (s->keep) {
					const uint8_t h[4] = {0xFF, s->marker, s->len[0], s->len[1]};
					rc = put(s, h, 4);
					if (!rc)
						rc = put(s, s->hdr, s->hdr_n);
				} else {
					s->dropped++;
				}
				sodium_memzero(s->hdr, sizeof s->hdr);
				s->rem -= s->hdr_n;
				s->st = J_BODY;
			}
			break;
		case J_BODY: {
			size_t k = s->rem < n - i ? s->rem : n - i;
			if (s->keep && k)
				rc = put(s, p + i, k);
			i += k;
			s->rem -= k;
			break;
		}
		case J_SCAN: {
			const uint8_t *ff = memchr(p + i, 0xFF, n - i);
			size_t k = ff ? (size_t)(ff - (p + i)) : n - i;
			if (k)
				rc = put(s, p + i, k);
			i += k;
			if (ff) {
				s->st = J_SCAN_FF;
				i++;
			}
			break;
		}
		case J_SCAN_FF:
			i++;
			if (b == 0x00 || (b >= 0xD0 && b <= 0xD7)) {
				const uint8_t two[2] = {0xFF, b};
				rc = put(s, two, 2);
				s->st = J_SCAN;
			} else if (b != 0xFF) {
				rc = jpeg_marker(s, b, err);
			}
			break;
		case DONE:
			if (!s->trailer && (s->trailer = 1))
				s->dropped++; /* a trailer after EOI: dropped whole */
			return KITH_OK;
		default:
			return bad(s, err, "the photo was refused before");
		}
		if (s->st == J_BODY && s->rem == 0) {
			if (s->marker == 0xDA) {
				s->scanned = 1;
				s->st = J_SCAN;
			} else {
				s->st = J_FF;
			}
		}
	}
	return rc;
}

static int chunk_kept(const uint8_t t[4])
{
	static const char *const keep[] = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB",
					   "iCCP", "sBIT", "bKGD", "pHYs", "hIST", "acTL", "fcTL", "fdAT"};
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (!memcmp(t, keep[i], 4))
			return 1;
	return 0;
}

static int type_ok(const uint8_t t[4])
{
	for (int i = 0; i < 4; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
			return 0;
	return 1;
}

static int png_feed(struct kith_imgstrip *s, const uint8_t *p, size_t n, struct kith_err *err)
{
	size_t i = 0;
	int rc = KITH_OK;
	while (i < n && !rc) {
		s->at = s->off + i;
		switch (s->st) {
		case P_SIG: {
			size_t k = 8 - s->chdr_n < n - i ? 8 - s->chdr_n : n - i;
			memcpy(s->chdr + s->chdr_n, p + i, k);
			s->chdr_n += k;
			i += k;
			if (s->chdr_n == 8) {
				if (memcmp(s->chdr, png_sig, 8))
					return bad(s, err, "not a PNG");
				rc = put(s, png_sig, 8);
				s->chdr_n = 0;
				s->st = P_HDR;
			}
			break;
		}
		case P_HDR: {
			size_t k = 8 - s->chdr_n < n - i ? 8 - s->chdr_n : n - i;
			memcpy(s->chdr + s->chdr_n, p + i, k);
			s->chdr_n += k;
			i += k;
			if (s->chdr_n < 8)
				break;
			s->chdr_n = 0;
			uint32_t len = (uint32_t)s->chdr[0] << 24 | (uint32_t)s->chdr[1] << 16 |
				       (uint32_t)s->chdr[2] << 8 | s->chdr[3];
			const uint8_t *t = s->chdr + 4;
			if (len > 0x7FFFFFFFu)
				return bad(s, err, "a chunk length beyond 2^31-1");
			if (!type_ok(t))
				return bad(s, err, "a chunk type that is not four letters");
			if (!s->seen_ihdr && memcmp(t, "IHDR", 4))
				return bad(s, err, "the first chunk is not IHDR");
			if (s->seen_ihdr && !memcmp(t, "IHDR", 4))
				return bad(s, err, "a second IHDR");
			s->seen_ihdr = 1;
			s->keep = chunk_kept(t);
			if (!s->keep && t[0] >= 'A' && t[0] <= 'Z')
				return bad(s, err, "an unknown critical chunk");
			if (s->keep)
				rc = put(s, s->chdr, 8);
			else
				s->dropped++;
			s->marker = !memcmp(t, "IEND", 4);
			s->rem = len;
			s->st = len ? P_DATA : P_CRC;
			if (!len)
				s->rem = 4;
			break;
		}
		case P_DATA:
		case P_CRC: {
			size_t k = s->rem < n - i ? s->rem : n - i;
			if (s->keep && k)
				rc = put(s, p + i, k);
			i += k;
			s->rem -= k;
			if (s->rem == 0) {
				if (s->st == P_DATA) {
					s->st = P_CRC;
					s->rem = 4;
				} else {
					s->st = s->marker ? DONE : P_HDR;
				}
			}
			break;
		}
		case DONE:
			if (!s->trailer && (s->trailer = 1))
				s->dropped++; /* a trailer after IEND: dropped whole */
			return KITH_OK;
		default:
			return bad(s, err, "the photo was refused before");
		}
	}
	return rc;
}

int kith_imgstrip_feed(struct kith_imgstrip *s, const uint8_t *p, size_t n, struct kith_err *err)
{
	if (s->st == BAD)
		return kith_err_set(err, KITH_E_INVALID, "photo", "the photo was refused before");
	int rc = s->kind == KITH_IMGSTRIP_JPEG ? jpeg_feed(s, p, n, err) : png_feed(s, p, n, err);
	if (!rc && s->st != BAD)
		s->off += n;
	return rc;
}

int kith_imgstrip_finish(struct kith_imgstrip *s, struct kith_err *err)
{
	if (s->st == BAD)
		return kith_err_set(err, KITH_E_INVALID, "photo", "the photo was refused before");
	if (s->st != DONE)
		return bad(s, err, "the photo ends early");
	return flush(s);
}

size_t kith_imgstrip_dropped(const struct kith_imgstrip *s)
{
	return s ? s->dropped : 0;
}

void kith_imgstrip_free(struct kith_imgstrip *s)
{
	if (!s)
		return;
	sodium_memzero(s, sizeof *s);
	free(s);
}
